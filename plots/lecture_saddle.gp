# lecture_saddle.gp — gradient descent near the saddle of x^2 - y^2, with and
# without gradient noise: the trajectories over the contours, and the loss.
#
#   gnuplot -c plots/lecture_saddle.gp DATA_DIR OUT      (OUT: a directory or a .png path)
#   gnuplot -e "data_dir='build/plots'; out='fig.png'" plots/lecture_saddle.gp
#
# Reads DATA_DIR/lecture_saddle_{grid,gd,noise}.dat (written by
# examples/lecture_optim) and writes lecture_saddle.png. Both default to the
# current directory. The settings in the titles are those of lecture_optim.c.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/lecture_saddle.png" }
grid  = data_dir . "/lecture_saddle_grid.dat"
gd    = data_dir . "/lecture_saddle_gd.dat"
noise = data_dir . "/lecture_saddle_noise.dat"

# the step at which each run left the box: its last recorded row
stats gd using 1 nooutput
gd_left = int(STATS_max)
stats noise using 1 nooutput
noise_left = int(STATS_max)

# contour lines of the grid, into a datablock
set contour base
set cntrparam levels incremental -3.5, 0.5, 3.5
unset surface
set table $contours
splot grid using 1:2:3 with lines
unset table
unset contour
set surface

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1200,560 enhanced font "sans,11"
} else {
    set terminal png size 1200,560 enhanced
}
set output out

set multiplot layout 1,2 title "Gradient descent at a saddle: f(x, y) = x^2 - y^2, lr = 0.05, start (1, 10^{-6})" font ",13"

# left: trajectories over the contours
set title "trajectories over the contours of f"
set xlabel "x   (f curves up: attracting direction)"
set ylabel "y   (f curves down: escape direction)"
set xrange [-2:2]
set yrange [-2:2]
set size ratio -1
set palette defined (-4 "#6a9fd4", -1 "#d9e6f2", 0 "#f7f7f7", 1 "#f6ddd0", 4 "#e0896a")
set cbrange [-4:4]
set cblabel "f(x, y)"
unset key
set clip two
set label 1 "start" at 1, 0.12 center front font ",10"
set label 2 "saddle" at -0.12, 0.12 right front font ",10"
plot grid using 1:2:3 with image notitle, \
     $contours using 1:2 with lines lw 0.8 lc rgb "#777777" notitle, \
     gd using 2:3 with linespoints lw 2 pt 7 ps 0.4 lc rgb "#1f5fa8" notitle, \
     noise using 2:3 with linespoints lw 2 pt 7 ps 0.4 lc rgb "#d1492e" notitle, \
     "+" using (1):(0) every ::0::0 with points pt 5 ps 1.4 lc rgb "black" notitle, \
     "+" using (0):(0) every ::0::0 with points pt 3 ps 2 lw 2 lc rgb "black" notitle
unset label 1
unset label 2

# right: the loss along each run
set title "loss along the runs"
set size noratio
set xlabel "step"
set ylabel "f(x_t, y_t)"
set autoscale x
set xrange [0:*]
set yrange [-4.5:1.2]
set key top right box opaque spacing 1.3 font ",10"
set grid lc rgb "#dddddd"
set xzeroaxis lt 0
unset colorbox
set label 3 "stalled at the saddle: gradient {/Symbol \273} 0" at 75, -0.3 center font ",10" tc rgb "#1f5fa8"
plot gd using 1:4 with lines lw 2.5 lc rgb "#1f5fa8" \
         title sprintf("plain gradient descent: leaves [-2,2]^2 at step %d", gd_left), \
     noise using 1:4 with lines lw 2.5 lc rgb "#d1492e" \
         title sprintf("gradient noise {/Symbol s} = 0.1: leaves at step %d", noise_left)

unset multiplot
