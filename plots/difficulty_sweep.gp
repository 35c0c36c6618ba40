# difficulty_sweep.gp — do the landscape metrics predict training failure?
# Top: Kendall tau_b between each metric of the ruggedness report and the
# failure rate over the teacher-student sweep, at the initialisation (before
# training) and at the best minimum found, with the parameter count's |tau|
# as dashed lines. Bottom: the failure rate against the parameter count,
# against the metric with the largest |tau| at init, and against the one with
# the largest |tau| at the minimum (the final loss itself excluded).
#
#   gnuplot -c plots/difficulty_sweep.gp DATA_DIR OUT     (OUT: a directory or a .png path)
#
# Reads DATA_DIR/difficulty_sweep_{tau,configs}.dat (examples/difficulty_sweep)
# and writes difficulty_sweep.png.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/difficulty_sweep.png" }

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1600,1100 enhanced font "sans,11"
} else {
    set terminal png size 1600,1100 enhanced
}
set output out

ta = data_dir . "/difficulty_sweep_tau.dat"
co = data_dir . "/difficulty_sweep_configs.dat"

# the tau table: rows "rank key panel tau_init p_init n_init tau_min p_min n_min ptau_init ptau_min"
nrows = int(system(sprintf("awk '!/^#/ && NF {n++} END {print n + 0}' '%s'", ta)))
base_tau = real(system(sprintf("awk '!/^#/ && $2 == \"n_params\" {print $4; exit}' '%s'", ta)))
# the best metric at init (first row that is not the baseline) and at the minimum (largest |tau_min|,
# baseline and the final loss excluded: failure is defined from the latter)
best_init = system(sprintf("awk '!/^#/ && NF && $2 != \"n_params\" {print $2; exit}' '%s'", ta))
best_init_tau = real(system(sprintf("awk '!/^#/ && $2 == \"%s\" {print $4; exit}' '%s'", best_init, ta)))
best_min = system(sprintf("awk '!/^#/ && NF && $2 != \"n_params\" && $2 != \"loss\" && $7 != \"nan\" {a = $7 < 0 ? -$7 : $7; if (a > m) {m = a; k = $2}} END {print k}' '%s'", ta))
best_min_tau = real(system(sprintf("awk '!/^#/ && $2 == \"%s\" {print $7; exit}' '%s'", best_min, ta)))
# column of a name in the configs table (its "# depth width ..." line; field 1 is the "#")
col(name) = int(system(sprintf("awk '/^# depth / {for (i = 2; i <= NF; i++) if ($i == \"%s\") {print i - 1; exit}}' '%s'", name, co)))
c_init = col("init_" . best_init)
c_min = col("min_" . best_min)
nconf = int(system(sprintf("awk '!/^#/ && NF {n++} END {print n + 0}' '%s'", co)))
kres = system(sprintf("awk '/K = / {for (i = 1; i <= NF; i++) if ($i == \"K\") {print $(i + 2); exit}}' '%s'", co))

ci = "#1f5fa8"
cm = "#d1492e"
depth_color(d) = d == 1 ? 0x1f5fa8 : d == 2 ? 0x2a9d4a : 0xd1492e
noise_pt(s) = s < 0.1 ? 7 : s < 0.4 ? 5 : 9

set multiplot title sprintf("Do the ruggedness metrics predict training failure? %d teacher-student tanh MLP configurations, failure rate from %s restarts each (Adam, fixed budget)", nconf, kres)

# --- top: tau per metric --------------------------------------------------------
set origin 0, 0.45
set size 1, 0.52
set title "Kendall {/Symbol t}_b between metric and failure rate (sorted by |{/Symbol t}| at init; dashed: |{/Symbol t}| of the parameter count)"
set ylabel "Kendall {/Symbol t}_b with the failure rate"
set xrange [0.3:nrows + 0.7]
set yrange [-1:1]
set ytics 0.25
set grid ytics lc rgb "#dddddd"
set xtics rotate by 60 right font ",9" nomirror noenhanced
set xzeroaxis lt -1 lw 1
set boxwidth 0.38
set style fill solid 0.85 border -1
set key top right box opaque
set arrow 1 from graph 0, first abs(base_tau) to graph 1, first abs(base_tau) nohead dt 2 lw 1.5 lc rgb "#555555" front
set arrow 2 from graph 0, first -abs(base_tau) to graph 1, first -abs(base_tau) nohead dt 2 lw 1.5 lc rgb "#555555" front
isbase(s) = s eq "n_params"
plot ta using ($1 - 0.2):(isbase(strcol(2)) ? NaN : $4):xtic(2) with boxes lc rgb ci title "at initialisation (restart 0, before training)", \
     ta using ($1 + 0.2):(isbase(strcol(2)) ? NaN : $7) with boxes lc rgb cm title "at the minimum found (best restart)", \
     ta using ($1 - 0.2):(isbase(strcol(2)) ? $4 : NaN) with boxes lc rgb "#888888" title "baseline: parameter count n (same at both points)", \
     ta using ($1 + 0.2):(isbase(strcol(2)) ? $7 : NaN) with boxes lc rgb "#888888" notitle
unset arrow 1
unset arrow 2
unset xzeroaxis
unset xtics
set xtics autofreq norotate font ",11" mirror enhanced
unset xrange
set ytics autofreq

# --- bottom: failure rate against n and the two best metrics ---------------------
set yrange [-0.05:1.05]
set ylabel "failure rate ({/Symbol \261} binomial s.e.)"
set key top right box opaque font ",9"
set grid xtics ytics lc rgb "#dddddd"
set size 0.333, 0.45

set origin 0, 0
set title sprintf("baseline: parameter count (Kendall τ_b = %.3f)", base_tau) noenhanced
set xlabel "student parameters n"
set logscale x
plot for [d = 1:3] co using (($1 == d) ? $4 : NaN):5:($5 - $6):($5 + $6):(noise_pt($3)) with yerrorbars pt variable ps 1.2 \
         lc rgb depth_color(d) title sprintf("depth %d", d), \
     keyentry with points pt 7 ps 1.2 lc rgb "black" title "noise 0", \
     keyentry with points pt 5 ps 1.2 lc rgb "black" title "noise 0.25", \
     keyentry with points pt 9 ps 1.2 lc rgb "black" title "noise 0.5"
unset logscale x

# a metric axis: logarithmic when every value is positive and they span over two decades
do for [panel = 1:2] {
    c = panel == 1 ? c_init : c_min
    name = panel == 1 ? best_init : best_min
    t = panel == 1 ? best_init_tau : best_min_tau
    set origin 0.333 * panel, 0
    if (panel == 1) {
        set title sprintf("best at initialisation: %s (Kendall τ_b = %.3f)", name, t) noenhanced
        set xlabel sprintf("%s at restart 0's initialisation", name) noenhanced
    } else {
        set title sprintf("best at the minimum: %s (Kendall τ_b = %.3f)", name, t) noenhanced
        set xlabel sprintf("%s at the best restart's final theta", name) noenhanced
    }
    if (c > 0) {
        stats co using c nooutput
        if (STATS_min > 0 && STATS_max > 100 * STATS_min) { set logscale x } else { unset logscale x }
        plot for [d = 1:3] co using (($1 == d) ? column(c) : NaN):5:($5 - $6):($5 + $6):(noise_pt($3)) with yerrorbars pt variable ps 1.2 \
             lc rgb depth_color(d) title sprintf("depth %d", d)
    }
    unset logscale x
}
unset multiplot
