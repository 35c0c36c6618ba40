# lecture_race.gp — gradient descent, heavy-ball momentum, RMSprop and Adam
# from the same start for the same number of steps on the skewed bowl
# x^2/2 + 10y^2 + xy: the trajectories over the contours, and the loss.
#
#   gnuplot -c plots/lecture_race.gp DATA_DIR OUT      (OUT: a directory or a .png path)
#   gnuplot -e "data_dir='build/plots'; out='fig.png'" plots/lecture_race.gp
#
# Reads DATA_DIR/lecture_race_{grid,gd,momentum,rmsprop,adam}.dat (written by
# examples/lecture_optim) and writes lecture_race.png. Both default to the
# current directory. The settings in the titles are those of lecture_optim.c.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/lecture_race.png" }
grid = data_dir . "/lecture_race_grid.dat"
names  = "gd momentum rmsprop adam"
traj(k) = sprintf("%s/lecture_race_%s.dat", data_dir, word(names, k))
labels = "'gradient descent, lr 0.05' 'momentum, lr 0.05, {/Symbol b} 0.8' 'RMSprop, lr 0.05, {/Symbol r} 0.99' 'Adam, lr 0.1, {/Symbol b}_1 0.9, {/Symbol b}_2 0.999'"
colors = "#1f5fa8 #d1492e #2a9d4b #8e44ad"
color(k) = word(colors, k)

# contour lines of log10(loss), a quarter decade apart
set contour base
set cntrparam levels incremental -3, 0.25, 3
unset surface
set table $contours
splot grid using 1:2:(log10($3 + 1e-9)) with lines
unset table
unset contour
set surface

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1100,860 enhanced font "sans,11"
} else {
    set terminal png size 1100,860 enhanced
}
set output out

set multiplot title "Four optimizers on the skewed bowl f(x, y) = x^2/2 + 10y^2 + xy: same start (-3.5, 1), 100 steps each" font ",13"

# top: trajectories over the contours (the key is the bottom panel's)
set origin 0, 0.45
set size 1, 0.5
set title "trajectories over the contours of f (Hessian eigenvalues 0.95 and 20.05)"
set size ratio -1
set xrange [-4:4]
set yrange [-1.5:1.5]
set xlabel "x"
set ylabel "y"
set palette defined (0 "#f7fbff", 1 "#dbe9f6", 2 "#b7d4ea", 3 "#8fbfe0")
set cbrange [-3:2.5]
unset colorbox
unset key
set clip two
set label 1 "start" at -3.5, 1.15 center front font ",10"
set label 2 "minimum" at 0, -0.22 center front font ",10"
plot grid using 1:2:(log10($3 + 1e-9)) with image notitle, \
     $contours using 1:2 with lines lw 0.8 lc rgb "#888888" notitle, \
     for [k=1:4] traj(k) using 2:3 with linespoints lw 1.8 pt 7 ps 0.4 lc rgb color(k) notitle, \
     traj(1) using 2:3 every ::0::0 with points pt 5 ps 1.5 lc rgb "black" notitle, \
     "+" using (0):(0) every ::0::0 with points pt 3 ps 2 lw 2 lc rgb "black" notitle
unset label

# bottom: the loss
set origin 0, 0
set size 1, 0.45
set title "loss against the step (minimum 0)"
set size noratio
set xrange [0:100]
set yrange [1e-10:100]
set logscale y
set format y "10^{%T}"
set xlabel "step t"
set ylabel "f(x_t, y_t)"
set grid lc rgb "#dddddd"
set key inside bottom left box opaque spacing 1.3 font ",10"
plot for [k=1:4] traj(k) using 1:4 with lines lw 2.5 lc rgb color(k) title word(labels, k)

unset multiplot
