# hp_map.gp — the coarse map of promising regions: a learning rate x weight
# decay grid (both log scale) of a 64-32-10 tanh MLP on digits (momentum 0.9,
# batch 32), seen three ways: (1) the snoop's edge ratio eta lambda_max /
# (2 + 2 beta) after k steps, (2) the meta-model's out-of-fold prediction of
# the validation loss from all snoop features, (3) the true validation loss
# after full training.
#
#   gnuplot -c plots/hp_map.gp DATA_DIR OUT     (OUT: a directory or a .png path)
#
# Reads DATA_DIR/hp_map.dat (lr wd edge_ratio pred_val_loss true_val_loss
# diverged lossk), hp_map_marks.dat (which lr wd true pred) and
# hp_map_rank.dat (predictor spearman kendall top_recall pairs), all from
# examples/hp_map, and writes hp_map.png. Diverged runs (blank in panel 3)
# are marked x in every panel; the loss colour scale is capped at LCAP.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/hp_map.png" }

fd = data_dir . "/hp_map.dat"
fm = data_dir . "/hp_map_marks.dat"
fr = data_dir . "/hp_map_rank.dat"
LCAP = 2.5   # validation-loss colour cap (chance level: ln 10 = 2.30)

stats fd using 1 nooutput
ncfg = STATS_records
stats fd using 5 nooutput
tmin = STATS_min
stats fd using 4 nooutput
pmin = STATS_min
lmin = (tmin < pmin ? tmin : pmin)
stats fd using 6 nooutput
ndiv = int(STATS_sum + 0.5)
stats fd using (log10($1)) nooutput
xlo = STATS_min
xhi = STATS_max
stats fd using (log10($2)) nooutput
ylo = STATS_min
yhi = STATS_max
stats fd using ($3 > 0 ? $3 : NaN) nooutput
emin = STATS_min
emax = STATS_max
# half a cell beyond the centres on each side
nlev = sqrt(ncfg)
hx = (nlev > 1 ? (xhi - xlo) / (nlev - 1) / 2 : 0.5)
hy = (nlev > 1 ? (yhi - ylo) / (nlev - 1) / 2 : 0.5)
stats fr using 2 every ::0::0 nooutput
rho_meta = STATS_min
stats fr using 4 every ::0::0 nooutput
rec_meta = STATS_min
stats fr using 2 every ::2::2 nooutput
rho_lossk = STATS_min
stats fr using 2 every ::9::9 nooutput
rho_edge = STATS_min
stats fm using 4 every ::0::0 nooutput
best_true = STATS_min
stats fm using 4 every ::1::1 nooutput
pick_true = STATS_min

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 2100,700 enhanced font "sans,11"
} else {
    set terminal png size 2100,700 enhanced
}
set output out

set multiplot layout 1,3 margins 0.04,0.95,0.1,0.8 spacing 0.1 title sprintf("The coarse map of promising regions: learning rate x weight decay, 64-32-10 tanh MLP on digits, momentum 0.9, batch 32 (%d configurations, %d diverged: x)\nSpearman vs the true loss: edge ratio %.2f, loss after the snoop (learning-curve baseline) %.2f, meta-model (out-of-fold) %.2f, its top-10%% recall %.2f\nwhite circle: best true configuration (loss %.3f); black square: the meta-model's top choice (true loss %.3f)", ncfg, ndiv, rho_edge, rho_lossk, rho_meta, rec_meta, best_true, pick_true) font ",12"

set xrange [xlo - hx : xhi + hx]
set yrange [ylo - hy : yhi + hy]
set xtics ("10^{-3}" -3, "10^{-2}" -2, "10^{-1}" -1, "1" 0) out
set ytics ("10^{-6}" -6, "10^{-5}" -5, "10^{-4}" -4, "10^{-3}" -3, "10^{-2}" -2, "10^{-1}" -1) out
set mxtics 1
set xlabel "learning rate {/Symbol h}"
set ylabel "weight decay (optimizer, coupled L2)"
set size ratio 1
unset key
set logscale cb
set colorbox user origin graph 1.04, graph 0 size graph 0.05, graph 1

# (1) the probe
set title "(1) probe after the snoop: edge ratio {/Symbol h}{/Symbol l}_{max} / (2 + 2{/Symbol b})"
set cbrange [emin:emax]
set cblabel "edge ratio (> 1: unstable)" offset 1,0
set palette defined (0 "#2166ac", 0.5 "#f7f7f7", 1 "#b2182b")
plot fd using (log10($1)):(log10($2)):3 with image, \
     fd using (log10($1)):($6 > 0.5 ? log10($2) : NaN) with points pt 2 ps 2.2 lw 2 lc rgb "black", \
     fm using (log10($2)):($1 == 0 ? log10($3) : NaN) with points pt 6 ps 3.2 lw 3 lc rgb "white", \
     fm using (log10($2)):($1 == 1 ? log10($3) : NaN) with points pt 4 ps 2.6 lw 2.5 lc rgb "black"

# (2) and (3): the same loss colour scale
set cbrange [lmin:LCAP]
set palette defined (0 "#fde725", 0.35 "#5ec962", 0.65 "#21918c", 0.85 "#3b528b", 1 "#440154")
set title "(2) meta-model: predicted validation loss (out-of-fold)"
set cblabel sprintf("validation loss (capped at %.1f)", LCAP) offset 1,0
unset ylabel
plot fd using (log10($1)):(log10($2)):($4 > LCAP ? LCAP : $4) with image, \
     fd using (log10($1)):($6 > 0.5 ? log10($2) : NaN) with points pt 2 ps 2.2 lw 2 lc rgb "black", \
     fm using (log10($2)):($1 == 0 ? log10($3) : NaN) with points pt 6 ps 3.2 lw 3 lc rgb "white", \
     fm using (log10($2)):($1 == 1 ? log10($3) : NaN) with points pt 4 ps 2.6 lw 2.5 lc rgb "black"

set title "(3) truth: validation loss after full training"
plot fd using (log10($1)):(log10($2)):($5 > LCAP ? LCAP : $5) with image, \
     fd using (log10($1)):($6 > 0.5 ? log10($2) : NaN) with points pt 2 ps 2.2 lw 2 lc rgb "black", \
     fm using (log10($2)):($1 == 0 ? log10($3) : NaN) with points pt 6 ps 3.2 lw 3 lc rgb "white", \
     fm using (log10($2)):($1 == 1 ? log10($3) : NaN) with points pt 4 ps 2.6 lw 2.5 lc rgb "black"

unset multiplot
