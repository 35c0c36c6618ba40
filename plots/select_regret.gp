# select_regret.gp — regret curves of every hyperparameter selector of
# llp_select at equal compute (examples/select_regret): one panel per data
# set, the regret of the incumbent (best validation score so far / the
# reference - 1, the median over seeds) against the compute spent, in full
# trainings, of each of the 9 strategies run at the largest budget. The
# reference of a data set and seed is the best score of any full training by
# any strategy at any budget. A regret of 0 (the reference itself) is drawn
# at the floor; the dotted line is the 5 % threshold.
#
#   gnuplot -c plots/select_regret.gp DATA_DIR OUT     (OUT: a directory or a .png path)
#
# Reads DATA_DIR/select_regret_curve.dat (blocks: index k * 9 + method; in
# each, the median rows have seed -1: seed compute incumbent regret) and
# writes select_regret.png.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/select_regret.png" }

f = data_dir . "/select_regret_curve.dat"
NM = 9          # strategies (llp_select_method order)
FLOOR = 1e-3    # regret 0 is drawn here
REACH = 0.05    # "within 5 %"

# the data sets in the order select_regret runs them (Fashion-MNIST last, when present)
array dsname[5] = ["digits: validation cross-entropy", "diabetes: validation MSE", \
                   "diabetes: validation MAE (trained with MSE)", "teacher-student: validation MSE", \
                   "Fashion-MNIST subset: validation cross-entropy"]
array mname[9] = ["random", "grid", "successive halving", "Hyperband", "learning curve (loss after k steps)", \
                  "grad\\_norm proxy", "snip proxy", "synflow proxy", "meta-model on snoop probes"]
array mcolor[9] = ["#000000", "#888888", "#1f77b4", "#17becf", "#2ca02c", "#ff7f0e", "#8c564b", "#bcbd22", "#d62728"]
array mdash[9] = [1, 2, 1, 2, 1, 3, 3, 3, 1]
array mwidth[9] = [2.5, 2, 2, 2, 2, 1.5, 1.5, 1.5, 3]

stats f using 2 nooutput
nblocks = STATS_blocks
nds = int(nblocks / NM)
bmax = STATS_max
stats f index 0 using ($1 >= 0 ? $1 : NaN) nooutput
nseeds = int(STATS_max - STATS_min + 1.5)

# one cell per data set plus one for the legend
ncols = (nds + 1 <= 3 ? nds + 1 : 3)
nrows = int((nds + 1 + ncols - 1) / ncols)

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size (ncols * 620), (nrows * 470 + 90) enhanced font "sans,11"
} else {
    set terminal png size (ncols * 620), (nrows * 470 + 90) enhanced
}
set output out

set multiplot layout nrows, ncols title sprintf("Hyperparameter search at equal compute: regret of the best configuration found so far against compute\nevery llp\\_select strategy at a budget of %g full trainings, median over %d seed%s\nspace: lr, weight decay, momentum, batch size; reference: the best full training of any strategy at any budget", bmax, nseeds, nseeds > 1 ? "s" : "") font ",12"

set grid lc rgb "#dddddd"
set logscale x 2
set logscale y
set xrange [1:bmax]
set yrange [FLOOR * 0.7:*]
set format y "10^{%L}"
set xlabel "compute (full trainings)"
set ylabel "regret: score / reference - 1 (0 drawn at 10^{-3})"

unset key
do for [k = 0:nds - 1] {
    set title dsname[k + 1]
    plot for [m = 0:NM - 1] f index (k * NM + m) using 2:($1 < 0 ? ($4 < FLOOR ? FLOOR : $4) : 1/0) \
            with steps lw mwidth[m + 1] dt mdash[m + 1] lc rgb mcolor[m + 1] title mname[m + 1], \
         REACH with lines dt 3 lw 1.5 lc rgb "#555555" title "within 5 %"
}

# the legend in the next cell
unset title
unset grid
unset border
unset tics
unset xlabel
unset ylabel
unset logscale
set xrange [0:1]
set yrange [0:1]
set key center center box font ",11" samplen 4 spacing 1.3
plot for [m = 0:NM - 1] 2 with lines lw mwidth[m + 1] dt mdash[m + 1] lc rgb mcolor[m + 1] title mname[m + 1], \
     2 with lines dt 3 lw 1.5 lc rgb "#555555" title "within 5 % of the reference"
unset multiplot
