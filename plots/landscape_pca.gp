# landscape_pca.gp — the training trajectory of a 64-32-10 tanh MLP (digits)
# drawn on the training loss over the plane of its first two principal
# components (Li et al. 2018, section 7).
#
#   gnuplot -c plots/landscape_pca.gp DATA_DIR OUT     (OUT: a directory or a .png path)
#
# Reads DATA_DIR/landscape_pca_surface.dat (x y train_loss val_loss
# train_acc val_acc), landscape_pca_path.dat (step pc1 pc2 offplane
# train_loss val_loss) and landscape_pca_summary.dat (explained1 explained2
# residual snapshots x_min x_max y_min y_max), all from
# examples/landscape_surface, and writes landscape_pca.png.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/landscape_pca.png" }

fs = data_dir . "/landscape_pca_surface.dat"
fp = data_dir . "/landscape_pca_path.dat"
fsum = data_dir . "/landscape_pca_summary.dat"
names = "e1 e2 resid nsnap x0 x1 y0 y1"
do for [col = 1:8] {
    stats fsum using col nooutput
    eval sprintf("%s = STATS_min", word(names, col))
}
stats fs using 3 nooutput
lmin = STATS_min
lmax = STATS_max
stats fp using 1 nooutput
last = STATS_records - 1
stats fp every ::0::0 using 5 nooutput
loss_start = STATS_min
stats fp every ::last::last using 5 nooutput
loss_end = STATS_min
stats fp every ::last::last using 1 nooutput
steps = STATS_min
stats fp using 4 nooutput
off_max = STATS_max

# contour lines of the training loss in the plane
set contour base
set cntrparam levels discrete 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2
unset surface
set table $contours
splot fs using 1:2:3 with lines
unset table
unset contour
set surface

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1150,680 enhanced font "sans,11"
} else {
    set terminal png size 1150,680 enhanced
}
set output out

set title sprintf("Training trajectory of a 64-32-10 tanh MLP (digits; Adam, %d snapshots over %d steps) on the training loss in the plane\n{/Symbol q}* + a e_1 + b e_2 of its first two principal components (rows {/Symbol q}_i - {/Symbol q}*): they explain %.1f%% + %.1f%% of the spread;\noff-plane residual %.3f (relative norm), largest distance of a snapshot from the plane %.2f", \
    nsnap, steps, 100 * e1, 100 * e2, resid, off_max)
set xlabel sprintf("PC 1 (%.1f%% of variance)   [coordinate along the unit component e_1]", 100 * e1)
set ylabel sprintf("PC 2 (%.1f%%)", 100 * e2)
set xrange [x0:x1]
set yrange [y0:y1]
set size ratio -1
set logscale cb
set cbrange [lmin:lmax]
set cbtics ("0.01" 0.01, "0.02" 0.02, "0.05" 0.05, "0.1" 0.1, "0.2" 0.2, "0.5" 0.5, "1" 1, "2" 2)
set cblabel "training loss in the plane (mean softmax cross-entropy, log scale)"
set palette defined (0 "#0d0887", 0.25 "#6a00a8", 0.5 "#b12a90", 0.75 "#e16462", 0.9 "#fca636", 1 "#f0f921")
set style textbox opaque fc rgb "#5a2a80" noborder
set tics out
set key inside bottom right box opaque spacing 1.2 width 1 font ",10"
# the start is off the plane: its loss there is not the colour under its marker
stats fp every ::0::0 using 4 nooutput
off_start = STATS_min
plot fs using 1:2:3 with image notitle, \
     $contours using 1:2 with lines lw 0.8 lc rgb "#d0d0d0" notitle, \
     $contours using 1:2:(sprintf("%g", $3)) every 30::15 with labels font ",9" tc rgb "white" boxed notitle, \
     fp using 2:3 with linespoints lw 2 pt 7 ps 0.6 lc rgb "#00e0e0" \
         title sprintf("trajectory (a snapshot every %d steps)", steps / (nsnap - 1)), \
     fp every ::0::0 using 2:3 with points pt 5 ps 2 lc rgb "white" notitle, \
     fp every ::0::0 using 2:3 with points pt 4 ps 2 lw 1.5 lc rgb "black" \
         title sprintf("start: initialisation, loss %.3f (%.2f off the plane)", loss_start, off_start), \
     fp every ::last::last using 2:3 with points pt 9 ps 2.4 lc rgb "white" notitle, \
     fp every ::last::last using 2:3 with points pt 8 ps 2.4 lw 1.5 lc rgb "black" \
         title sprintf("end: {/Symbol q}* (the origin), loss %.4f", loss_end)
