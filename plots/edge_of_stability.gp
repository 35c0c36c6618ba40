# edge_of_stability.gp — lambda_max of the full-batch Hessian during
# full-batch gradient descent, against the stability limit 2/eta (top), and
# the training loss (bottom), for two step sizes.
#
#   gnuplot -c plots/edge_of_stability.gp DATA_DIR OUT     (OUT: a directory or a .png path)
#
# Reads DATA_DIR/edge_of_stability.dat (examples/edge_of_stability; one block
# per step size, columns step loss lambda_max two_over_eta) and writes
# edge_of_stability.png.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/edge_of_stability.png" }

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1000,800 enhanced font "sans,11"
} else {
    set terminal png size 1000,800 enhanced
}
set output out

f = data_dir . "/edge_of_stability.dat"
etas = system(sprintf("awk '/^# eta / {printf \"%%s \", $3}' '%s'", f))
col(i) = i == 1 ? "#1f5fa8" : "#d1492e"

set multiplot layout 2,1 title "Full-batch gradient descent on a 64-32-10 tanh MLP (MSE, 500 digits): sharpness meets 2/{/Symbol h}"
set grid lc rgb "#dddddd"
set xlabel "gradient-descent step"
set ylabel "{/Symbol l}_{max} of the full-batch Hessian"
set key top left box opaque
plot for [i=1:words(etas)] f index (i-1) using 1:3 with lines lw 2 lc rgb col(i) \
        title sprintf("{/Symbol l}_{max}, {/Symbol h} = %s", word(etas, i)), \
     for [i=1:words(etas)] f index (i-1) using 1:4 with lines dt 2 lw 2 lc rgb col(i) \
        title sprintf("2/{/Symbol h} = %g", 2 / real(word(etas, i)))
set ylabel "training loss (full batch)"
set logscale y
set key top right
plot for [i=1:words(etas)] f index (i-1) using 1:2 with lines lw 2 lc rgb col(i) \
        title sprintf("{/Symbol h} = %s", word(etas, i))
unset multiplot
