# landscape_random_1d.gp — the loss of a trained 64-32-10 tanh MLP (digits)
# along R = 10 filter-normalised random directions through the minimum:
# mean over the directions with a band of one standard deviation, training
# and validation, and the mean accuracies on the right axis.
#
#   gnuplot -c plots/landscape_random_1d.gp DATA_DIR OUT     (OUT: a directory or a .png path)
#
# Reads DATA_DIR/landscape_random_1d.dat (examples/landscape_slices; columns
# alpha train_mean train_std train_min train_max val_mean val_std val_min
# val_max train_acc_mean val_acc_mean) and writes landscape_random_1d.png.
# The settings in the title are those of landscape_slices.c.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/landscape_random_1d.png" }

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1000,640 enhanced font "sans,11"
} else {
    set terminal png size 1000,640 enhanced
}
set output out

f = data_dir . "/landscape_random_1d.dat"
ctr = "#1f5fa8"
cva = "#d1492e"

set title "Loss of a 64-32-10 tanh MLP (digits) along R = 10 filter-normalised random directions d through the\ntrained minimum {/Symbol q}*: mean over the directions {/Symbol \261} 1 standard deviation (full training / validation split)"
set xlabel "step {/Symbol a} along the direction   (parameters {/Symbol q}* + {/Symbol a} d,  ||d|| = ||weights of {/Symbol q}*||)"
set ylabel "loss (mean softmax cross-entropy)"
set y2label "accuracy (mean over the directions)"
set xrange [-1:1]
set yrange [0:*]
set y2range [0:1.05]
set ytics nomirror
set y2tics 0.2
set grid lc rgb "#dddddd"
set key at graph 0.5, graph 0.66 center center box opaque spacing 1.2 width 1
set arrow from 0, graph 0 to 0, graph 1 nohead dt 3 lc rgb "#888888"
set style fill transparent solid 0.22 noborder

plot f using 1:($2 - $3):($2 + $3) with filledcurves lc rgb ctr notitle, \
     f using 1:($6 - $7):($6 + $7) with filledcurves lc rgb cva notitle, \
     f using 1:2 with lines lw 2.5 lc rgb ctr title "training loss (band: {/Symbol \261} 1 std)", \
     f using 1:6 with lines lw 2.5 lc rgb cva title "validation loss (band: {/Symbol \261} 1 std)", \
     f using 1:10 axes x1y2 with lines lw 1.5 dt 2 lc rgb ctr title "training accuracy (right axis)", \
     f using 1:11 axes x1y2 with lines lw 1.5 dt 2 lc rgb cva title "validation accuracy (right axis)"
