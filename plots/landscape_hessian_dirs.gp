# landscape_hessian_dirs.gp — the loss of a trained 64-32-10 tanh MLP
# (digits) along the eigenvectors of the largest and the smallest Hessian
# eigenvalue at the minimum, next to three filter-normalised random
# directions of the same norm.
#
#   gnuplot -c plots/landscape_hessian_dirs.gp DATA_DIR OUT     (OUT: a directory or a .png path)
#
# Reads DATA_DIR/landscape_hessian_dirs.dat (columns alpha top_train top_val
# bottom_train bottom_val random{1,2,3}_{train,val}) and
# DATA_DIR/landscape_hessian_eigs.dat (lambda_max lambda_min resid_max
# resid_min norm), both from examples/landscape_slices, and writes
# landscape_hessian_dirs.png.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/landscape_hessian_dirs.png" }

f = data_dir . "/landscape_hessian_dirs.dat"
fe = data_dir . "/landscape_hessian_eigs.dat"
stats fe using 1 nooutput
lmax = STATS_min
stats fe using 2 nooutput
lmin = STATS_min
stats fe using 5 nooutput
dnorm = STATS_min

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1000,680 enhanced font "sans,11"
} else {
    set terminal png size 1000,680 enhanced
}
set output out

ctop = "#b2182b"
cbot = "#2166ac"
crnd = "#7f7f7f"

set title sprintf("Loss of a 64-32-10 tanh MLP (digits) around the trained minimum {/Symbol q}* along the Hessian's extreme\neigenvectors ({/Symbol l}_{max} = %.4f, {/Symbol l}_{min} = %.2e) and 3 filter-normalised random directions, all scaled to ||d|| = %.2f", lmax, lmin, dnorm)
set xlabel "step {/Symbol a} along the direction   (parameters {/Symbol q}* + {/Symbol a} d)"
set ylabel "loss (mean softmax cross-entropy, full split; log scale)"
stats f using 1 nooutput
set xrange [STATS_min:STATS_max]
set logscale y
set grid lc rgb "#dddddd"
set grid mytics
set key top center box opaque spacing 1.2 width 1 maxrows 4
set arrow from 0, graph 0 to 0, graph 1 nohead dt 3 lc rgb "#888888"

plot f using 1:2 with lines lw 2.5 lc rgb ctop title sprintf("top eigenvector ({/Symbol l}_{max} = %.4f)", lmax), \
     f using 1:4 with lines lw 2.5 lc rgb cbot title sprintf("bottom eigenvector ({/Symbol l}_{min} = %.2e)", lmin), \
     f using 1:6 with lines lw 1.5 lc rgb crnd title "random directions 1-3", \
     f using 1:8 with lines lw 1.5 lc rgb crnd notitle, \
     f using 1:10 with lines lw 1.5 lc rgb crnd notitle, \
     f using 1:3 with lines lw 1.5 dt 2 lc rgb ctop notitle, \
     f using 1:5 with lines lw 1.5 dt 2 lc rgb cbot notitle, \
     f using 1:7 with lines lw 1 dt 2 lc rgb crnd notitle, \
     f using 1:9 with lines lw 1 dt 2 lc rgb crnd notitle, \
     f using 1:11 with lines lw 1 dt 2 lc rgb crnd notitle, \
     NaN with lines lw 2 lc rgb "black" title "solid: training loss", \
     NaN with lines lw 2 dt 2 lc rgb "black" title "dashed: validation loss"
