# arch_compare.gp — which MLP architecture gives a smoother loss landscape on
# digits? Four panels, one point or curve per architecture (examples/arch_compare):
#   (a) the mean loss rise L(theta* + alpha d) - L(theta*) along filter-
#       normalised random directions, log scale (alpha = 0, where it is 0,
#       is off the scale);
#   (b) five sharpness / roughness numbers of the ruggedness report, each
#       divided by its geometric mean over the architectures (log scale;
#       bars: +- 1 s.e. where the estimate has one);
#   (c) test accuracy (+- binomial s.e.) against lambda_max;
#   (d) test loss against lambda_max.
#
#   gnuplot -c plots/arch_compare.gp DATA_DIR OUT     (OUT: a directory or a .png path)
#
# Reads DATA_DIR/arch_compare_table.dat (columns: 1 label, 2 depth, 3 width,
# 4 params, 5 train_loss, 6 train_acc, 7 test_loss, 8 test_acc, 9 test_acc_se,
# then value and s.e. of the report metrics from column 10 in arch_compare.c's
# KEYS order: 10/11 slice_roughness, 12/13 slice_roughness_q, 14/15
# surface_roughness_q, ..., 38/39 sharp_random_adaptive, 42/43 pacbayes_sigma,
# 46/47 lambda_max, 52/53 trace) and DATA_DIR/arch_compare_slices.dat
# (alpha, then mean and sd per architecture, in the table's row order), and
# writes arch_compare.png. The settings in the titles are those of
# arch_compare.c's default run.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/arch_compare.png" }

ft = data_dir . "/arch_compare_table.dat"
fs = data_dir . "/arch_compare_slices.dat"

# the architecture labels, in row order, from column 1 of the table
labels = ""
set table $discard
plot ft using (labels = labels . " " . strcol(1), 0):(0) with table
unset table
na = words(labels)

# colour and point type by label: the width family (h16/h64/h256-tanh) in
# blues with circles, depth (h64x2/h64x3-tanh) in greens with squares, the
# activations in their own colours and shapes; an unknown label is grey
known = "h16-tanh h64-tanh h256-tanh h64x2-tanh h64x3-tanh h64x2-relu h64x2-gelu h64x2-sigmoid"
array colour[9] = ["#9ecae1", "#3182bd", "#08306b", "#74c476", "#006d2c", "#d7301f", "#fd8d3c", "#756bb1", "#888888"]
array ptype[9] = [7, 7, 7, 5, 5, 9, 11, 13, 6]
idx(s) = (sum [k=1:words(known)] (word(known, k) eq s ? k : 0))
slot(s) = idx(s) > 0 ? idx(s) : 9
c(i) = colour[slot(word(labels, i))]
p(i) = ptype[slot(word(labels, i))]

# geometric means over the architectures of the panel-(b) metrics
stats ft using (log($46)) nooutput
g_lmax = exp(STATS_mean)
stats ft using (log($52)) nooutput
g_trace = exp(STATS_mean)
stats ft using (log($38)) nooutput
g_asharp = exp(STATS_mean)
stats ft using (log(1 / $42**2)) nooutput
g_pb = exp(STATS_mean)
# (slice_roughness_q is NaN in tables from a library without it: its series is then left out)
undefine STATS_*
stats ft using (log($12)) nooutput
g_rq = exists("STATS_mean") ? exp(STATS_mean) : NaN

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1500,1100 enhanced font "sans,11"
} else {
    set terminal png size 1500,1100 enhanced
}
set output out

set multiplot layout 2,2 title "Which architecture gives a smoother landscape? MLPs on digits (1438 training samples), all trained by Adam 10^{-3}, batch 32, 30 epochs, from the same seed;\nthe ruggedness report (llp\\_report\\_run) at each trained {/Symbol q}*. Labels: hW = 64-W-10, hWxL = L hidden layers of W" font ",12"

# ---- (a) slices ----
set title "(a) loss rise along 8 filter-normalised random directions (mean)"
set xlabel "{/Symbol a}   (parameters {/Symbol q}* + {/Symbol a} d, d filter-normalised)"
set ylabel "L({/Symbol q}* + {/Symbol a} d) - L({/Symbol q}*)   (training loss)"
set logscale y
set format y "10^{%L}"
set xrange [-1:1]
set yrange [1e-5:20]
set grid lc rgb "#dddddd"
set key top center horizontal maxrows 3 width -1 samplen 2 font ",10" opaque box
plot for [i=1:na] fs using 1:(column(2 * i)) with linespoints pi 8 pt p(i) ps 1.2 lw 2.2 lc rgb c(i) title word(labels, i)
unset logscale y
set format y "%g"
unset key

# ---- (b) metrics relative to their geometric mean ----
set title "(b) sharpness and roughness relative to their geometric mean over the architectures\n(larger = sharper / rougher; bars {/Symbol \261} 1 s.e.)"
set xlabel "metric / its geometric mean over the architectures"
set ylabel ""
set logscale x
set xrange [0.1:60]
set xtics ("0.1" 0.1, "0.3" 0.3, "1" 1, "3" 3, "10" 10)
set yrange [na - 0.5:-0.5]
set ytics () font ",10"
do for [i=1:na] { set ytics add (word(labels, i) i - 1) }
set key at graph 0.99, graph 0.5 right center vertical maxrows 5 samplen 1 font ",10" opaque box spacing 1.3 width -2
set arrow 1 from 1, graph 0 to 1, graph 1 nohead dt 2 lc rgb "#888888"
off = 0.14
plot ft using ($46 / g_lmax):($0 - 2 * off) with points pt 7 ps 1.3 lc rgb "#d7301f" title "{/Symbol l}_{max}", \
     ft using ($52 / g_trace):($0 - off):(($52 - $53) / g_trace):(($52 + $53) / g_trace) with xerrorbars pt 5 ps 1.1 lc rgb "#08306b" title "trace", \
     ft using ($38 / g_asharp):($0):(($38 - $39) / g_asharp):(($38 + $39) / g_asharp) with xerrorbars pt 9 ps 1.4 lc rgb "#31a354" title "adaptive sharpness", \
     ft using ((1 / $42**2) / g_pb):($0 + off) with points pt 11 ps 1.4 lc rgb "#756bb1" title "PAC-Bayes 1/{/Symbol s}*^2", \
     ft using ($12 / g_rq):($0 + 2 * off):(($12 - $13) / g_rq):(($12 + $13) / g_rq) with xerrorbars pt 13 ps 1.3 lc rgb "#fd8d3c" title "roughness (loc. quad.)"
unset arrow 1
unset key
set ytics autofreq font ",11"
set xtics autofreq
set autoscale y

# ---- (c) test accuracy vs lambda_max ----
stats ft using 46 nooutput
set xrange [STATS_min - 0.1 * (STATS_max - STATS_min):STATS_max + 0.1 * (STATS_max - STATS_min)]
set title "(c) test accuracy vs {/Symbol l}_{max} of the training loss at {/Symbol q}*\n(bars: binomial s.e. over the 359 test samples; symbols as in (a))" offset 0, 0
set xlabel "{/Symbol l}_{max}   (Lanczos, full training loss)"
set ylabel "test accuracy"
unset logscale x
set format x "%g"
set format y "%.3f"
plot for [i=1:na] ft every ::(i - 1)::(i - 1) using 46:8:9 with yerrorbars pt p(i) ps 1.8 lw 1.5 lc rgb c(i) notitle

# ---- (d) test loss vs lambda_max ----
set title "(d) test loss vs {/Symbol l}_{max} (symbols as in (a))"
set ylabel "test loss (mean cross-entropy)"
set format y "%.2f"
plot for [i=1:na] ft every ::(i - 1)::(i - 1) using 46:7 with points pt p(i) ps 1.8 lc rgb c(i) notitle
unset multiplot
