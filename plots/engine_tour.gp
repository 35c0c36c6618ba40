# engine_tour.gp — the loss of an untrained MLP along its negative gradient,
# next to the second-order (quadratic) model built from L0, ||g|| and g'Hg/g'g.
#
#   gnuplot -c plots/engine_tour.gp DATA_DIR OUT      (OUT: a directory or a .png path)
#   gnuplot -e "data_dir='build/plots'; out='fig.png'" plots/engine_tour.gp
#
# Reads DATA_DIR/engine_tour_gradient_slice.dat (written by examples/engine_tour)
# and writes engine_tour_gradient_slice.png. Both default to the current directory.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
datafile = data_dir . "/engine_tour_gradient_slice.dat"
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/engine_tour_gradient_slice.png" }

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 900,600 enhanced font "sans,11"
} else {
    set terminal png size 900,600 enhanced
}
set output out

set title "Loss along the negative gradient of an untrained 64-32-32-10 tanh MLP (digits data)"
set xlabel "step length {/Symbol a}   (parameters {/Symbol q} - {/Symbol a} g/||g||)"
set ylabel "loss (mean softmax cross-entropy, full batch)"
set grid lc rgb "#dddddd"
set key top right box opaque Left reverse spacing 1.2 width 1
set xrange [-1:1]
set xzeroaxis lt 0
set arrow from 0, graph 0 to 0, graph 1 nohead dt 3 lc rgb "#888888"

plot datafile using 1:2 with lines lw 2.5 lc rgb "#1f5fa8" title "loss L({/Symbol q} - {/Symbol a} g/||g||)", \
     datafile using 1:3 with lines lw 2 dt 2 lc rgb "#d1492e" \
         title "quadratic model L_0 - {/Symbol a}||g|| + {/Symbol a}^2/2 g^THg/g^Tg"
