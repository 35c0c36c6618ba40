# lecture_flat_sharp.gp — a 1-D training loss with a sharp and a flat minimum
# of similar depth, and a "test" loss = the same curve shifted a little: the
# test loss rises much more at the sharp minimum (the generalisation gap at
# each minimum is annotated).
#
#   gnuplot -c plots/lecture_flat_sharp.gp DATA_DIR OUT      (OUT: a directory or a .png path)
#   gnuplot -e "data_dir='build/plots'; out='fig.png'" plots/lecture_flat_sharp.gp
#
# Reads DATA_DIR/lecture_flat_sharp_{curve,minima}.dat (written by
# examples/lecture_optim) and writes lecture_flat_sharp.png. Both default to
# the current directory.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/lecture_flat_sharp.png" }
curve  = data_dir . "/lecture_flat_sharp_curve.dat"
minima = data_dir . "/lecture_flat_sharp_minima.dat"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1000,620 enhanced font "sans,11"
} else {
    set terminal png size 1000,620 enhanced
}
set output out

set title "Flat vs sharp minimum: the test loss is the training loss shifted by 0.2" font ",13"
set xlabel "parameter x"
set ylabel "loss"
set xrange [-3:3]
set yrange [-1.3:0.45]
set grid lc rgb "#e4e4e4"
set key top center horizontal maxrows 2 box opaque spacing 1.3 width 1 font ",10"
set clip two
# columns of the minima file: x_star train_loss test_loss gap curvature which (0 sharp, 1 flat)
label(w, c, tr, te, g) = sprintf("%s minimum, L''(x*) = %.1f\ntrain %.3f  test %.3f\n{/:Bold gap %.3f}", \
                                 w == 0 ? "sharp" : "flat", c, tr, te, g)
plot curve using 1:2 with lines lw 3 lc rgb "#1f5fa8" title "training loss L(x)", \
     curve using 1:3 with lines lw 2.5 dt 2 lc rgb "#d1492e" title "test loss L(x - 0.2)", \
     minima using 1:2:(0):4 with vectors head filled size screen 0.012,20 lw 2 lc rgb "#333333" \
         title "generalisation gap at x*", \
     minima using 1:2 with points pt 7 ps 1.6 lc rgb "#1f5fa8" title "training minima x*", \
     minima using 1:3 with points pt 9 ps 1.8 lc rgb "#d1492e" title "test loss at x*", \
     minima every ::0::0 using ($1 - 0.35):(-0.75):(label($6, $5, $2, $3, $4)) with labels right font ",10" notitle, \
     minima every ::1::1 using 1:(-1.12):(label($6, $5, $2, $3, $4)) with labels center font ",10" notitle
