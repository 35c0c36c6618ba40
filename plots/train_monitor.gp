# train_monitor.gp — one monitored Adam run on the digits data: training and
# validation loss (left), accuracy (right), per epoch, until early stopping.
#
#   gnuplot -c plots/train_monitor.gp DATA_DIR OUT     (OUT: a directory or a .png path)
#
# Reads DATA_DIR/train_monitor.dat (examples/train_digits; columns step epoch
# train_loss val_loss train_acc val_acc grad_norm weight_norm lr step_norm)
# and writes train_monitor.png.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/train_monitor.png" }

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1200,520 enhanced font "sans,11"
} else {
    set terminal png size 1200,520 enhanced
}
set output out

f = data_dir . "/train_monitor.dat"
set multiplot layout 1,2 title "Adam on the digits data, early stopping on the validation loss (patience 5 epochs)"
set xlabel "epoch"
set grid lc rgb "#dddddd"
set key top right box opaque
set logscale y
set ylabel "loss (mean softmax cross-entropy, full split)"
plot f using 2:3 with linespoints pt 7 ps 0.5 lw 2 lc rgb "#1f5fa8" title "training", \
     f using 2:4 with linespoints pt 7 ps 0.5 lw 2 lc rgb "#d1492e" title "validation"
unset logscale y
set ylabel "accuracy"
set key bottom right
set yrange [0:1]
plot f using 2:5 with linespoints pt 7 ps 0.5 lw 2 lc rgb "#1f5fa8" title "training", \
     f using 2:6 with linespoints pt 7 ps 0.5 lw 2 lc rgb "#d1492e" title "validation"
unset multiplot
