# pgo_compare.gp — the probe-guided learning rate against plain optimizers
# (examples/pgo_compare), first seed: training loss per epoch of every method
# on digits (left), and the rate the PGO controller set at each probe with the
# unclipped c * edge(lambda) it asked for, on digits (middle) and diabetes
# (right).
#
#   gnuplot -c plots/pgo_compare.gp DATA_DIR OUT     (OUT: a directory or a .png path)
#
# Reads DATA_DIR/pgo_compare_epochs_digits.dat and DATA_DIR/pgo_compare_trace.dat
# and writes pgo_compare.png.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/pgo_compare.png" }

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1650,540 enhanced font "sans,11"
} else {
    set terminal png size 1650,540 enhanced
}
set output out

ep = data_dir . "/pgo_compare_epochs_digits.dat"
tr = data_dir . "/pgo_compare_trace.dat"
# column 2 + 2 i of the epochs file: training loss of method i (pgo_compare.c's order)
array titles[8] = ["SGD lr 0.05", "momentum lr 0.01", "Adam lr 1e-3", "SAM on momentum", "PGO on momentum", \
                   "PGO on Adam", "momentum lr 0.1 (control)", "Adam lr 1e-2 (control)"]
c = 0.5   # the controller's c

set multiplot layout 1,3 title "Probe-guided rate (c = 0.5, every 10 steps, 5 power iterations, probe batch 256) vs plain optimizers, first seed"
set grid lc rgb "#dddddd"
set logscale y
set format y "10^{%L}"

set title "digits 64-32-10 tanh: training loss per epoch"
set xlabel "epoch"
set ylabel "training loss (mean of the epoch's mini-batch losses)"
set key top right box opaque font ",9"
plot for [i=0:5] ep using 1:(column(2 + 2*i)) with linespoints lw (i >= 4 ? 3 : 1.5) pt 7 ps 0.5 \
         title titles[i + 1], \
     for [i=6:7] ep using 1:(column(2 + 2*i)) with lines lw 1.5 dt 2 title titles[i + 1]

set title "digits: PGO rate at each probe (clip: 10 x base rate)"
set yrange [5e-3:*]
set xlabel "optimizer step"
set ylabel "learning rate"
set key bottom right box opaque font ",9"
plot tr index 0 using 1:2 with lines lw 2 lc rgb "#1f77b4" title "PGO momentum: rate set", \
     tr index 0 using 1:(c*$4) with lines lw 1 dt 2 lc rgb "#1f77b4" title "momentum: c · edge (unclipped)", \
     tr index 1 using 1:2 with lines lw 2 lc rgb "#d62728" title "PGO Adam: rate set", \
     tr index 1 using 1:(c*$4) with lines lw 1 dt 2 lc rgb "#d62728" title "Adam: c · edge (unclipped)"

set title "diabetes 10-32-1 tanh: PGO rate at each probe"
set yrange [1e-3:*]
plot tr index 2 using 1:2 with lines lw 2 lc rgb "#1f77b4" title "PGO momentum: rate set", \
     tr index 2 using 1:(c*$4) with lines lw 1 dt 2 lc rgb "#1f77b4" title "momentum: c · edge (unclipped)", \
     tr index 3 using 1:2 with lines lw 2 lc rgb "#d62728" title "PGO Adam: rate set", \
     tr index 3 using 1:(c*$4) with lines lw 1 dt 2 lc rgb "#d62728" title "Adam: c · edge (unclipped)"
unset multiplot
