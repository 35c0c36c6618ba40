# train_lr_find.gp — the learning-rate range test on the digits data, for SGD
# and Adam: step loss and its smoothed curve against the rate (log scale),
# with the suggested rate and the largest stable rate marked.
#
#   gnuplot -c plots/train_lr_find.gp DATA_DIR OUT     (OUT: a directory or a .png path)
#
# Reads DATA_DIR/train_lr_find_{sgd,adam}.dat (examples/train_digits) and
# writes train_lr_find.png.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/train_lr_find.png" }

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1200,520 enhanced font "sans,11"
} else {
    set terminal png size 1200,520 enhanced
}
set output out

# the rates written in each file's header: "# suggested X ...", "# max_stable X ..."
rate(file, key) = real(system(sprintf("awk '$2 == \"%s\" {print $3; exit}' '%s'", key, file)))

set multiplot layout 1,2 title "Learning-rate range test, 64-32-32-10 tanh MLP on the digits data (mini-batches of 32)"
do for [opt in "sgd adam"] {
    f = data_dir . "/train_lr_find_" . opt . ".dat"
    s = rate(f, "suggested")
    m = rate(f, "max_stable")
    set title opt
    set logscale x
    set format x "10^{%L}"
    set xlabel "learning rate (one step per rate, growing exponentially)"
    set ylabel "training loss (mini-batch)"
    set grid lc rgb "#dddddd"
    set key bottom left box opaque
    unset arrow
    set arrow from s, graph 0 to s, graph 1 nohead dt 2 lw 2 lc rgb "#2a9d55"
    set arrow from m, graph 0 to m, graph 1 nohead dt 2 lw 2 lc rgb "#d1492e"
    plot f using 1:2 with points pt 7 ps 0.4 lc rgb "#9db7d6" title "step loss", \
         f using 1:3 with lines lw 2.5 lc rgb "#1f5fa8" title "smoothed (EMA 0.9, bias-corrected)", \
         NaN with lines dt 2 lw 2 lc rgb "#2a9d55" title sprintf("suggested %.3g (steepest descent)", s), \
         NaN with lines dt 2 lw 2 lc rgb "#d1492e" title sprintf("largest stable %.3g", m)
}
unset multiplot
