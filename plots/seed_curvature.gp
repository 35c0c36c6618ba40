# seed_curvature.gp — where f(x, y) = sin(4x) cos(4y) + 2(x^2 + y^2) is
# locally non-convex: the smallest Hessian eigenvalue lambda_min on a grid,
# with the lambda_min = 0 contour and, faintly, the contours of f.
#
#   gnuplot -c plots/seed_curvature.gp DATA_DIR OUT     (OUT: a directory or a .png path)
#
# Reads DATA_DIR/seed_curvature.dat (x y train_loss val_loss train_acc
# val_acc lambda_max lambda_min; train_loss = f) and DATA_DIR/seed_landscape.dat
# (for the contours of f), both from examples/seed_landscape, and writes
# seed_curvature.png.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/seed_curvature.png" }

fc = data_dir . "/seed_curvature.dat"
fl = data_dir . "/seed_landscape.dat"
stats fc using 8 nooutput
lmin_min = STATS_min
lmin_max = STATS_max
npts = STATS_records
stats fc using ($8 < 0 ? 1 : NaN) nooutput
nneg = STATS_records
stats fc using 7 nooutput
lmax_max = STATS_max
stats fl using 3 nooutput
fmin = STATS_min
stats fl using ($3 == fmin ? $1 : NaN) nooutput
xm = STATS_min
stats fl using ($3 == fmin ? $2 : NaN) nooutput
ym = STATS_min
cmax = ceil(lmin_max > -lmin_min ? lmin_max : -lmin_min)

# the lambda_min = 0 line, and contours of f for orientation
set contour base
unset surface
set cntrparam levels discrete 0
set table $zero
splot fc using 1:2:8 with lines
unset table
set cntrparam levels incremental -0.5, 0.5, 9
set table $fcont
splot fl using 1:2:3 with lines
unset table
unset contour
set surface

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 960,820 enhanced font "sans,11"
} else {
    set terminal png size 960,820 enhanced
}
set output out

set title sprintf("Smallest Hessian eigenvalue {/Symbol l}_{min} of f(x, y) = sin(4x) cos(4y) + 2(x^2 + y^2) (41 x 41 grid, Lanczos)\nf is locally non-convex ({/Symbol l}_{min} < 0, red) at %d of %d points (%.0f%%); black line: {/Symbol l}_{min} = 0;\ngrey lines: contours of f (-0.5, 0, 0.5, ...); green dot: global minimum, f(%.2f, %.2f) = %.3f; {/Symbol l}_{max} {/Symbol \243} %.1f", \
    nneg, npts, 100.0 * nneg / npts, xm, ym, fmin, lmax_max)
set xlabel "x"
set ylabel "y"
set xrange [-1.5:1.5]
set yrange [-1.5:1.5]
set size ratio -1
set tics out
set cbrange [-cmax:cmax]
set cblabel "{/Symbol l}_{min}(x, y)   (< 0: locally non-convex, > 0: locally convex)"
set palette defined (-1 "#b2182b", -0.5 "#ef8a62", -0.15 "#fddbc7", 0 "#f7f7f7", 0.15 "#d1e5f0", 0.5 "#67a9cf", 1 "#2166ac")
unset key
plot fc using 1:2:8 with image notitle, \
     $fcont using 1:2 with lines lw 0.6 lc rgb "#909090" notitle, \
     $zero using 1:2 with lines lw 2.5 lc rgb "black" notitle, \
     "+" using (xm):(ym) every ::0::0 with points pt 7 ps 1.8 lc rgb "#2ca02c" notitle
