# seed_landscape.gp — the analytic landscape f(x, y) = sin(4x) cos(4y) +
# 2(x^2 + y^2): a colour map with contour lines (left) and the 3-D surface
# (right).
#
#   gnuplot -c plots/seed_landscape.gp DATA_DIR OUT     (OUT: a directory or a .png path)
#
# Reads DATA_DIR/seed_landscape.dat (examples/seed_landscape; columns x y
# train_loss val_loss train_acc val_acc, train_loss = f, scan lines of
# constant y) and writes seed_landscape.png.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/seed_landscape.png" }

f = data_dir . "/seed_landscape.dat"
stats f using 3 nooutput
fmin = STATS_min
fmax = STATS_max
stats f using ($3 == fmin ? $1 : NaN) nooutput
xm = STATS_min
stats f using ($3 == fmin ? $2 : NaN) nooutput
ym = STATS_min

set contour base
set cntrparam levels incremental -0.5, 0.5, 9
unset surface
set table $contours
splot f using 1:2:3 with lines
unset table
unset contour
set surface

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1500,680 enhanced font "sans,11"
} else {
    set terminal png size 1500,680 enhanced
}
set output out

set palette defined (0 "#0d0887", 0.25 "#6a00a8", 0.5 "#b12a90", 0.75 "#e16462", 0.9 "#fca636", 1 "#f0f921")
set cbrange [fmin:fmax]
set cblabel "f(x, y)"
set multiplot title "f(x, y) = sin(4x) cos(4y) + 2(x^2 + y^2) on [-1.5, 1.5]^2 (101 x 101 grid): a rippled bowl with four local minima; white dot: the lowest grid point" font ",13"

# left: colour map and contours
set origin 0, 0
set size 0.5, 0.94
set title sprintf("colour map; white lines: f = -0.5, 0, 0.5, ..., 9; lowest grid point f(%.2f, %.2f) = %.3f", xm, ym, fmin)
set xlabel "x"
set ylabel "y"
set xrange [-1.5:1.5]
set yrange [-1.5:1.5]
set size ratio -1
set tics out
unset key
set colorbox
plot f using 1:2:3 with image notitle, \
     $contours using 1:2 with lines lw 0.8 lc rgb "white" notitle, \
     "+" using (xm):(ym) every ::0::0 with points pt 7 ps 1.8 lc rgb "white" notitle, \
     "+" using (xm):(ym) every ::0::0 with points pt 6 ps 1.8 lw 2 lc rgb "black" notitle

# right: the surface
set title "3-D surface (every second grid point)"
set origin 0.5, 0
set size noratio 0.5, 0.94
set xlabel "x" offset 0, -0.5
set ylabel "y" offset 0, -0.5
set zlabel "f(x, y)" rotate parallel
set xtics 0.5 offset 0, -0.3
set ytics 0.5
set ztics 2
set ticslevel 0
set view 42, 30, 0.95, 1.15
set zrange [-1:*]
set pm3d depthorder border lc rgb "#60303030" lw 0.3
set colorbox vertical user origin 0.95, 0.2 size 0.012, 0.58
splot f using 1:2:3 every 2:2 with pm3d notitle
unset multiplot
