# lecture_sincos.gp — f(x, y) = sin(4x)cos(4y) + 2(x^2 + y^2): gradient
# descent stops in a local minimum, simulated annealing (its accepted moves)
# reaches the global one, and the best point of a grid search is marked.
#
#   gnuplot -c plots/lecture_sincos.gp DATA_DIR OUT      (OUT: a directory or a .png path)
#   gnuplot -e "data_dir='build/plots'; out='fig.png'" plots/lecture_sincos.gp
#
# Reads DATA_DIR/lecture_sincos_{grid,gd,anneal,best}.dat (written by
# examples/lecture_optim) and writes lecture_sincos.png. Both default to the
# current directory. The settings in the titles are those of lecture_optim.c.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/lecture_sincos.png" }
grid   = data_dir . "/lecture_sincos_grid.dat"
gd     = data_dir . "/lecture_sincos_gd.dat"
anneal = data_dir . "/lecture_sincos_anneal.dat"
best   = data_dir . "/lecture_sincos_best.dat"

# values for the key: accepted moves, the last gradient-descent loss, the
# grid optimum and the annealing best (rows 0 and 1 of the best file)
stats anneal using 1 nooutput
n_accepted = STATS_records - 1
stats gd using 4 nooutput
gd_final = STATS_min
stats best every ::0::0 using 3 nooutput
grid_loss = STATS_min
stats best every ::1::1 using 3 nooutput
sa_loss = STATS_min
stats best every ::2::2 using 3 nooutput
exact_loss = STATS_min

set contour base
set cntrparam levels incremental -0.75, 0.25, 6
unset surface
set table $contours
splot grid using 1:2:3 with lines
unset table
unset contour
set surface

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1000,860 enhanced font "sans,11"
} else {
    set terminal png size 1000,860 enhanced
}
set output out

set title "f(x, y) = sin(4x) cos(4y) + 2(x^2 + y^2) from (1.2, 1.2): gradient descent (lr 0.02, 200 steps),\nsimulated annealing (3000 proposals of step 0.1, T_k = 0.998^k) and a 101 x 101 grid search" font ",12"
set multiplot
set xlabel "x"
set ylabel "y"
set xrange [-1.5:1.5]
set yrange [-1.5:1.5]
set size ratio -1
set palette defined (-1 "#f7fbff", 1 "#dbe9f6", 3 "#b7d4ea", 6 "#8fbfe0")
set cbrange [-1:6]
set cblabel "f(x, y)"
set colorbox
set key outside below center box opaque maxrows 3 spacing 1.3 font ",10"
set clip two
set bmargin 9
plot grid using 1:2:3 with image notitle, \
     $contours using 1:2 with lines lw 0.8 lc rgb "#888888" notitle, \
     anneal using 2:3 with lines lw 1 lc rgb "#60d35400" \
         title sprintf("simulated annealing: %d accepted moves", n_accepted), \
     gd using 2:3 with linespoints lw 2.5 pt 7 ps 0.5 lc rgb "#1f5fa8" \
         title sprintf("gradient descent: stuck at f = %.3f", gd_final), \
     gd using 2:3 every ::0::0 with points pt 5 ps 1.6 lc rgb "black" title "start (1.2, 1.2)", \
     best every ::1::1 using 1:2 with points pt 8 ps 2.2 lw 2.5 lc rgb "#b03a00" \
         title sprintf("annealing best: f = %.4f", sa_loss), \
     best every ::0::0 using 1:2 with points pt 6 ps 2.6 lw 2.5 lc rgb "black" \
         title sprintf("grid search optimum: f = %.4f", grid_loss), \
     best every ::2::2 using 1:2 with points pt 1 ps 2 lw 2 lc rgb "black" \
         title sprintf("exact minimum: f = %.4f", exact_loss)

# an inset magnifying the three marked optima, in the empty lower left corner
# (GPVAL_TERM_[XY]MIN/MAX: the last plot's border, in terminal units / GPVAL_TERM_SCALE)
px(x) = (GPVAL_TERM_XMIN + (x - GPVAL_X_MIN) / (GPVAL_X_MAX - GPVAL_X_MIN) * (GPVAL_TERM_XMAX - GPVAL_TERM_XMIN)) \
        * GPVAL_TERM_SCALE / GPVAL_TERM_XSIZE
py(y) = (GPVAL_TERM_YMIN + (y - GPVAL_Y_MIN) / (GPVAL_Y_MAX - GPVAL_Y_MIN) * (GPVAL_TERM_YMAX - GPVAL_TERM_YMIN)) \
        * GPVAL_TERM_SCALE / GPVAL_TERM_YSIZE
x0 = px(-1.32); y0 = py(-1.36); x1 = px(-0.62); y1 = py(-0.66)
unset key
unset colorbox
unset title
unset xlabel
unset ylabel
unset label
set lmargin 0; set rmargin 0; set tmargin 0; set bmargin 0
set origin x0, y0
set size x1 - x0, y1 - y0
set size noratio
set xrange [-0.33:-0.29]
set yrange [-0.02:0.02]
set xtics 0.02 font ",9" offset 0, 0.4
set ytics 0.02 font ",9" offset 0.6, 0
set grid lc rgb "#e4e4e4"
set object 1 rectangle from graph 0, graph 0 to graph 1, graph 1 behind fc rgb "white" fs solid 1.0 noborder
set label 7 "zoom on the optima" at graph 0.04, graph 0.9 left font ",9"
plot best every ::1::1 using 1:2 with points pt 8 ps 2.2 lw 2.5 lc rgb "#b03a00" notitle, \
     best every ::0::0 using 1:2 with points pt 6 ps 2.6 lw 2.5 lc rgb "black" notitle, \
     best every ::2::2 using 1:2 with points pt 1 ps 2 lw 2 lc rgb "black" notitle
unset multiplot
