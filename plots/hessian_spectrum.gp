# hessian_spectrum.gp — the Hessian of a 64-32-32-10 tanh MLP on the digits
# data at initialisation and after training: the SLQ spectral density (left),
# the extreme eigenvalues (middle) and per-layer curvature (right).
#
#   gnuplot -c plots/hessian_spectrum.gp DATA_DIR OUT     (OUT: a directory or a .png path)
#
# Reads DATA_DIR/hessian_{density_init,density_trained,summary,extremes,layers}.dat
# (examples/hessian_spectrum) and writes hessian_spectrum.png.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/hessian_spectrum.png" }

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1500,560 enhanced font "sans,11"
} else {
    set terminal png size 1500,560 enhanced
}
set output out

di = data_dir . "/hessian_density_init.dat"
dt = data_dir . "/hessian_density_trained.dat"
su = data_dir . "/hessian_summary.dat"
ex = data_dir . "/hessian_extremes.dat"
la = data_dir . "/hessian_layers.dat"
# summary numbers: row 1 = initialisation, row 2 = trained (columns as in the file header)
val(row, col) = real(system(sprintf("awk '!/^#/ {r++; if (r == %d) {print $%d; exit}}' '%s'", row, col, su)))
ci = "#1f5fa8"
ct = "#d1492e"

set multiplot layout 1,3 title "Hessian of a 64-32-32-10 tanh MLP on the digits training split (full batch): initialisation vs after 30 epochs of Adam"

set title "SLQ density (10 runs x 80 steps, {/Symbol s} = 1% of spread)"
set xlabel "eigenvalue {/Symbol l}"
set ylabel "density (log scale)"
set logscale y
set yrange [1e-6:1e5]
set format y "10^{%L}"
set grid lc rgb "#dddddd"
set key top right box opaque
plot di using 1:($2 > 1e-6 ? $2 : NaN) with lines lw 2 lc rgb ci \
        title sprintf("init: {/Symbol l}_{max} %.3g, {/Symbol l}_{min} %.3g", val(1, 2), val(1, 3)), \
     dt using 1:($2 > 1e-6 ? $2 : NaN) with lines lw 2 lc rgb ct \
        title sprintf("trained: {/Symbol l}_{max} %.3g, {/Symbol l}_{min} %.3g", val(2, 2), val(2, 3))
unset logscale y
set yrange [*:*]
set format y "%g"

set title "extreme eigenvalues (Lanczos)"
set xlabel "rank (1..5: largest, -1..-5: smallest)"
set ylabel "eigenvalue"
set xrange [-6:6]
set xtics ("-5" -5, "-4" -4, "-3" -3, "-2" -2, "-1" -1, "1" 1, "2" 2, "3" 3, "4" 4, "5" 5)
set xzeroaxis lt 0
set key top left
plot ex using 1:2 with points pt 7 ps 1.4 lc rgb ci title "initialisation", \
     ex using 1:3 with points pt 5 ps 1.4 lc rgb ct title "trained"
set xtics autofreq
set xrange [*:*]

set title sprintf("per layer; model trace %.3g {/Symbol \261} %.2g -> %.3g {/Symbol \261} %.2g", \
                  val(1, 4), val(1, 5), val(2, 4), val(2, 5))
set xlabel "layer"
set ylabel "top eigenvalue / trace of the layer's diagonal block"
set style data histogram
set style histogram errorbars gap 2 lw 1.5
set style fill solid 0.8 border -1
set xrange [-0.6:2.6]
set key top right
plot la using 4:5:xtic(1) lc rgb "#7fa6d6" title "trace, init ({/Symbol \261} s.e.)", \
     la using 6:7 lc rgb "#e8937f" title "trace, trained", \
     la using 2:(0) lc rgb ci title "top eigenvalue, init", \
     la using 3:(0) lc rgb ct title "top eigenvalue, trained"
unset multiplot
