# lecture_momentum.gp — heavy-ball momentum against plain gradient descent on
# a quadratic of condition number 100, both at lr = 1 / lambda_max: the
# trajectories over the contours, and the loss on a log scale.
#
#   gnuplot -c plots/lecture_momentum.gp DATA_DIR OUT      (OUT: a directory or a .png path)
#   gnuplot -e "data_dir='build/plots'; out='fig.png'" plots/lecture_momentum.gp
#
# Reads DATA_DIR/lecture_momentum_{grid,gd,heavyball}.dat (written by
# examples/lecture_optim) and writes lecture_momentum.png. Both default to the
# current directory. The settings in the titles are those of lecture_optim.c.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/lecture_momentum.png" }
grid = data_dir . "/lecture_momentum_grid.dat"
gd   = data_dir . "/lecture_momentum_gd.dat"
hb   = data_dir . "/lecture_momentum_heavyball.dat"

# contour lines of log10(loss), a quarter decade apart
set contour base
set cntrparam levels incremental -2, 0.25, 3
unset surface
set table $contours
splot grid using 1:2:(log10($3 + 1e-9)) with lines
unset table
unset contour
set surface

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1200,560 enhanced font "sans,11"
} else {
    set terminal png size 1200,560 enhanced
}
set output out

set multiplot layout 1,2 title "Momentum vs gradient descent on f = ½ x^TQ diag(1, 100) Q^Tx, lr = 1/{/Symbol l}_{max} = 0.01, 200 steps" font ",13"

set title "trajectories over the contours of f"
set size ratio -1
set xrange [-2:2]
set yrange [-2:2]
set xlabel "x_1"
set ylabel "x_2"
set palette defined (0 "#f7fbff", 1 "#dbe9f6", 2 "#b7d4ea", 3 "#8fbfe0")
set cbrange [-2:3]
unset colorbox
set key top right box opaque spacing 1.2 font ",10"
set clip two
plot grid using 1:2:(log10($3 + 1e-9)) with image notitle, \
     $contours using 1:2 with lines lw 0.8 lc rgb "#888888" notitle, \
     gd using 2:3 with linespoints lw 2 pt 7 ps 0.4 lc rgb "#1f5fa8" title "gradient descent", \
     hb using 2:3 with linespoints lw 1.5 pt 7 ps 0.4 lc rgb "#d1492e" title "heavy-ball momentum {/Symbol b} = 0.9", \
     gd using 2:3 every ::0::0 with points pt 5 ps 1.3 lc rgb "black" title "start", \
     "+" using (0):(0) every ::0::0 with points pt 3 ps 1.8 lw 2 lc rgb "black" title "minimum"

set title "loss against the iteration (minimum 0)"
set size noratio
set xrange [0:200]
set yrange [1e-10:100]
set logscale y
set format y "10^{%T}"
set xlabel "iteration t"
set ylabel "f(x_t)"
set grid lc rgb "#dddddd"
set key bottom left box opaque spacing 1.3 font ",10"
plot gd using 1:4 with lines lw 2.5 lc rgb "#1f5fa8" \
         title "gradient descent: factor 1 - 1/{/Symbol k} = 0.99 per step", \
     hb using 1:4 with lines lw 2.5 lc rgb "#d1492e" \
         title "momentum: factor {/Symbol \326b} = 0.949 per step"

unset multiplot
