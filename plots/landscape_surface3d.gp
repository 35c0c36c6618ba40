# landscape_surface3d.gp — the training loss of a trained 64-32-10 tanh MLP
# (digits) on the plane of two filter-normalised random directions through
# the minimum, as a 3-D surface.
#
#   gnuplot -c plots/landscape_surface3d.gp DATA_DIR OUT     (OUT: a directory or a .png path)
#
# Reads DATA_DIR/landscape_surface.dat (examples/landscape_surface; columns
# x y train_loss val_loss train_acc val_acc, scan lines of constant y) and
# writes landscape_surface3d.png.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/landscape_surface3d.png" }

f = data_dir . "/landscape_surface.dat"
stats f using 3 nooutput
lmin = STATS_min
lmax = STATS_max

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1000,740 enhanced font "sans,11"
} else {
    set terminal png size 1000,740 enhanced
}
set output out

set title sprintf("Training loss of a 64-32-10 tanh MLP (digits, full training split) on the plane {/Symbol q}* + {/Symbol a} d_1 + {/Symbol b} d_2\nof two filter-normalised random directions: a single basin, loss %.4f at {/Symbol q}* (the centre), up to %.2f at the edge", lmin, lmax)
set xlabel "{/Symbol a} (direction 1)" offset 0, -1
set ylabel "{/Symbol b} (direction 2)" offset 1, -1
set zlabel "training loss" rotate parallel offset 1, 0
set cblabel "training loss (colour: log scale)" offset 0.5, 0
set xrange [-1:1]
set yrange [-1:1]
set zrange [0:*]
set logscale cb
set cbrange [lmin:lmax]
set cbtics ("0.02" 0.02, "0.05" 0.05, "0.1" 0.1, "0.2" 0.2, "0.5" 0.5, "1" 1, "2" 2)
set xtics 0.5 offset 0, -0.3
set ytics 0.5 offset 0.5, -0.3
set ztics 0.5
set ticslevel 0
set view 55, 30, 0.98, 1.08
set palette defined (0 "#0d0887", 0.25 "#6a00a8", 0.5 "#b12a90", 0.75 "#e16462", 0.9 "#fca636", 1 "#f0f921")
set pm3d depthorder border lc rgb "#60303030" lw 0.4
set pm3d lighting primary 0.6 specular 0.15
set colorbox vertical user origin 0.885, 0.2 size 0.022, 0.6
set grid x y z vertical lc rgb "#dddddd"
unset key
splot f using 1:2:3 with pm3d notitle
