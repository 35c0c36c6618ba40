# landscape_interpolation.gp — the loss along straight lines in parameter
# space for a 64-32-10 tanh MLP on the digits data: from the initialisation
# to the trained minimum (left), and between the minima of two runs with
# different seeds (right), with the training-loss barrier heights.
#
#   gnuplot -c plots/landscape_interpolation.gp DATA_DIR OUT     (OUT: a directory or a .png path)
#
# Reads DATA_DIR/landscape_interp_{init,seeds}.dat (columns alpha train_loss
# val_loss train_acc val_acc; alpha is t) and DATA_DIR/landscape_barriers.dat
# (examples/landscape_slices) and writes landscape_interpolation.png.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/landscape_interpolation.png" }

fi = data_dir . "/landscape_interp_init.dat"
fs = data_dir . "/landscape_interp_seeds.dat"
fb = data_dir . "/landscape_barriers.dat"
ctr = "#1f5fa8"
cva = "#d1492e"

# the barriers: row 0 = initialisation -> minimum, row 1 = minimum -> minimum
# (columns path barrier_mean t_mean barrier_linear t_linear loss_a loss_b distance)
names = "path bm tm bl tl la lb dist"
do for [row = 0:1] {
    do for [col = 2:8] {
        stats fb every ::row::row using col nooutput
        eval sprintf("%s%d = STATS_min", word(names, col), row)
    }
}

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1400,620 enhanced font "sans,11"
} else {
    set terminal png size 1400,620 enhanced
}
set output out

set multiplot layout 1,2 title "Loss along straight lines {/Symbol q}(t) = (1 - t) {/Symbol q}_a + t {/Symbol q}_b, 64-32-10 tanh MLP on digits (full training / validation split)" font ",13"
set xlabel "interpolation coefficient t   (t = 0: {/Symbol q}_a, t = 1: {/Symbol q}_b)"
set xrange [-0.25:1.25]
set grid lc rgb "#dddddd"
set key box opaque spacing 1.2 width 1
set style rect fc rgb "#f2f2f2" fs solid 1.0 noborder
set object 1 rect from 0, graph 0 to 1, graph 1 behind

# (a) initialisation -> trained minimum
set title sprintf("(a) from the initialisation {/Symbol q}_{init} (t = 0) to the trained minimum {/Symbol q}* (t = 1)\n||{/Symbol q}* - {/Symbol q}_{init}|| = %.2f", dist0)
set ylabel "loss (mean softmax cross-entropy, log scale)"
set logscale y
set yrange [0.004:6]
set key top right
# a barrier attained at an endpoint is no bump: say so rather than print a position
txt_m0 = tm0 == 0 || tm0 == 1 ? sprintf("%.3f, at the endpoint t = %g", bm0, tm0) : sprintf("%.3f at t = %.2f", bm0, tm0)
txt_l0 = bl0 <= 0 ? "0 (the curve stays below the chord)" : sprintf("%.3f at t = %.2f", bl0, tl0)
set label 1 sprintf("training-loss barriers over 0 {/Symbol \243} t {/Symbol \243} 1:\nabove the mean of the end losses: %s\nabove the straight line between them: %s", \
                    txt_m0, txt_l0) at graph 0.03, graph 0.09 left front font ",10"
plot fi using 1:2 with lines lw 2.5 lc rgb ctr title "training loss", \
     fi using 1:3 with lines lw 2 dt 2 lc rgb cva title "validation loss", \
     fi using 1:($1 == 0 || $1 == 1 ? $2 : NaN) with points pt 7 ps 1.6 lc rgb "black" title "endpoints {/Symbol q}_{init}, {/Symbol q}*"
unset logscale y
unset label 1

# (b) minimum of run A -> minimum of run B
set title sprintf("(b) from the minimum {/Symbol q}* of run A (t = 0) to the minimum {/Symbol q}*_B of run B (t = 1),\nanother initialisation and mini-batch order (seed + 1);  ||{/Symbol q}*_B - {/Symbol q}*|| = %.2f", dist1)
set ylabel "loss (mean softmax cross-entropy)"
stats fs using 3 nooutput
set yrange [0:1.45 * STATS_max]
set key top right
set arrow 1 from tm1, (la1 + lb1) / 2 to tm1, (la1 + lb1) / 2 + bm1 heads size screen 0.008, 90 lw 1.5 lc rgb "black" front
set label 2 sprintf("training-loss barriers (0 {/Symbol \243} t {/Symbol \243} 1, the bar):\nabove the mean of the end losses: %.3f (t = %.2f)\nabove the straight line between them: %.3f (t = %.2f)", bm1, tm1, bl1, tl1) \
    at graph 0.02, graph 0.845 left front font ",10"
plot fs using 1:2 with lines lw 2.5 lc rgb ctr title "training loss", \
     fs using 1:3 with lines lw 2 dt 2 lc rgb cva title "validation loss", \
     fs using 1:($1 == 0 || $1 == 1 ? $2 : NaN) with points pt 7 ps 1.6 lc rgb "black" title "endpoints {/Symbol q}*, {/Symbol q}*_B"
unset multiplot
