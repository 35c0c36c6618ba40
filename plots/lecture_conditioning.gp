# lecture_conditioning.gp — gradient descent on 2-D quadratics of condition
# number 1, 10 and 100 at lr = 1.8 / lambda_max: the trajectories over the
# contours, and the loss against the iteration on a log scale.
#
#   gnuplot -c plots/lecture_conditioning.gp DATA_DIR OUT      (OUT: a directory or a .png path)
#   gnuplot -e "data_dir='build/plots'; out='fig.png'" plots/lecture_conditioning.gp
#
# Reads DATA_DIR/lecture_conditioning_k{1,10,100}_{grid,gd}.dat (written by
# examples/lecture_optim) and writes lecture_conditioning.png. Both default to
# the current directory. The settings in the titles are those of lecture_optim.c.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/lecture_conditioning.png" }
conds = "1 10 100"
grid(k) = sprintf("%s/lecture_conditioning_k%s_grid.dat", data_dir, word(conds, k))
traj(k) = sprintf("%s/lecture_conditioning_k%s_gd.dat", data_dir, word(conds, k))
colors = "#2a9d4b #1f5fa8 #d1492e"
color(k) = word(colors, k)

# contour lines of log10(loss), one datablock per condition number; levels
# a quarter decade apart
set contour base
set cntrparam levels incremental -2, 0.25, 3
unset surface
set table $c1
splot grid(1) using 1:2:(log10($3 + 1e-9)) with lines
set table $c2
splot grid(2) using 1:2:(log10($3 + 1e-9)) with lines
set table $c3
splot grid(3) using 1:2:(log10($3 + 1e-9)) with lines
unset table
unset contour
set surface

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1100,1000 enhanced font "sans,11"
} else {
    set terminal png size 1100,1000 enhanced
}
set output out

set multiplot layout 2,2 title "Gradient descent on f = ½ x^TQ diag(1, {/Symbol k}) Q^Tx at lr = 1.8 / {/Symbol l}_{max}, 150 steps from the same start" font ",13"

set size ratio -1
set xrange [-2:2]
set yrange [-2:2]
set xlabel "x_1"
set ylabel "x_2"
set palette defined (0 "#f7fbff", 1 "#dbe9f6", 2 "#b7d4ea", 3 "#8fbfe0")
set cbrange [-2:3]
unset colorbox
unset key
set clip two

do for [k=1:3] {
    cb = sprintf("$c%d", k)
    set title sprintf("condition number {/Symbol k} = %s, lr = %g", word(conds, k), 1.8 / word(conds, k))
    if (k == 1) { set key bottom left box opaque spacing 1.2 font ",10" } else { unset key }
    plot grid(k) using 1:2:(log10($3 + 1e-9)) with image notitle, \
         cb using 1:2 with lines lw 0.8 lc rgb "#888888" notitle, \
         traj(k) using 2:3 with linespoints lw 1.5 pt 7 ps 0.5 lc rgb color(k) title "gradient descent iterates", \
         traj(k) using 2:3 every ::0::0 with points pt 5 ps 1.3 lc rgb "black" title "start", \
         "+" using (0):(0) every ::0::0 with points pt 3 ps 1.8 lw 2 lc rgb "black" title "minimum"
}

set title "loss against the iteration (minimum 0)"
set size noratio
set xrange [0:150]
set yrange [1e-12:100]
set logscale y
set format y "10^{%T}"
set xlabel "iteration t"
set ylabel "f(x_t)"
set grid lc rgb "#dddddd"
set key bottom right box opaque spacing 1.3 font ",10"
plot for [k=1:3] traj(k) using 1:4 with lines lw 2.5 lc rgb color(k) \
         title sprintf("{/Symbol k} = %s  (slowest factor per step %.3f)", word(conds, k), \
                       (1 - 1.8 / word(conds, k)) > 0.8 ? 1 - 1.8 / word(conds, k) : 0.8)

unset multiplot
