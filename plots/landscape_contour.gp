# landscape_contour.gp — the training loss of a trained 64-32-10 tanh MLP
# (digits) on the plane of two filter-normalised random directions through
# the minimum: a colour map (log scale) with contour lines.
#
#   gnuplot -c plots/landscape_contour.gp DATA_DIR OUT     (OUT: a directory or a .png path)
#
# Reads DATA_DIR/landscape_surface.dat (examples/landscape_surface; columns
# x y train_loss val_loss train_acc val_acc, scan lines of constant y) and
# writes landscape_contour.png.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/landscape_contour.png" }

f = data_dir . "/landscape_surface.dat"
# the centre (theta*) and the grid point of least training loss
stats f using 3 nooutput
lmin = STATS_min
lmax = STATS_max
stats f using ($3 == lmin ? $1 : NaN) nooutput
xmin_pt = STATS_min
stats f using ($3 == lmin ? $2 : NaN) nooutput
ymin_pt = STATS_min
stats f using (($1 == 0 && $2 == 0) ? $3 : NaN) nooutput
lcentre = STATS_min

# contour lines of the training loss (computed on the data grid)
set contour base
set cntrparam levels discrete 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2
unset surface
set table $contours
splot f using 1:2:3 with lines
unset table
unset contour
set surface

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 900,820 enhanced font "sans,11"
} else {
    set terminal png size 900,820 enhanced
}
set output out

set title sprintf("Training loss of a 64-32-10 tanh MLP (digits, full training split) on the plane\n{/Symbol q}* + {/Symbol a} d_1 + {/Symbol b} d_2 of two filter-normalised random directions (d_2 orthogonalised to d_1)\nwhite lines: contours of the training loss")
set xlabel "{/Symbol a} (direction 1)"
set ylabel "{/Symbol b} (direction 2)"
set xrange [-1:1]
set yrange [-1:1]
set size ratio -1
set logscale cb
set cbrange [lmin:lmax]
set cblabel "training loss (mean softmax cross-entropy, log scale)"
set format cb "%g"
set cbtics ("0.02" 0.02, "0.05" 0.05, "0.1" 0.1, "0.2" 0.2, "0.5" 0.5, "1" 1, "2" 2)
set style textbox opaque fc rgb "#5a2a80" noborder
set palette defined (0 "#0d0887", 0.25 "#6a00a8", 0.5 "#b12a90", 0.75 "#e16462", 0.9 "#fca636", 1 "#f0f921")
set colorbox
unset key
set tics out
# the centre is theta*; the grid point of least loss is marked separately when it is another one
same = (xmin_pt == 0 && ymin_pt == 0)
set label 1 sprintf(same ? "{/Symbol q}*: loss %.4f,\nthe lowest on the grid" : "{/Symbol q}*: loss %.4f", lcentre) \
    at 0.07, -0.07 left front tc rgb "white" font ",10" boxed
if (!same) {
    set label 2 sprintf("lowest grid point: %.4f", lmin) at xmin_pt + 0.05, ymin_pt + 0.05 left front tc rgb "#00e0e0" font ",10"
}
plot f using 1:2:3 with image notitle, \
     $contours using 1:2 with lines lw 1 lc rgb "white" notitle, \
     $contours using 1:2:(sprintf("%g", $3)) every 25::12 with labels font ",9" tc rgb "white" boxed notitle, \
     "+" using (same ? NaN : xmin_pt):(ymin_pt) every ::0::0 with points pt 6 ps 2.4 lw 2 lc rgb "#00e0e0" notitle, \
     "+" using (0):(0) every ::0::0 with points pt 7 ps 2 lc rgb "white" notitle, \
     "+" using (0):(0) every ::0::0 with points pt 6 ps 2 lw 2 lc rgb "black" notitle
