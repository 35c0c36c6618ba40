# lecture_quartic.gp — gradient descent on f(x) = x^4 - 2x^2 + 0.5x from the
# same start with three learning rates: one stops in the local minimum, one
# reaches the global minimum, one diverges. The iterates on the curve, and the
# loss against the step.
#
#   gnuplot -c plots/lecture_quartic.gp DATA_DIR OUT      (OUT: a directory or a .png path)
#   gnuplot -e "data_dir='build/plots'; out='fig.png'" plots/lecture_quartic.gp
#
# Reads DATA_DIR/lecture_quartic_{curve,runs,lr*}.dat (written by
# examples/lecture_optim) and writes lecture_quartic.png. Both default to the
# current directory. The rates and outcomes come from lecture_quartic_runs.dat.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/lecture_quartic.png" }
curve = data_dir . "/lecture_quartic_curve.dat"
runs  = data_dir . "/lecture_quartic_runs.dat"

# one row per run: lr outcome x_last loss_last steps left_at nonfinite_at
array lr[3]
array outcome[3]
array xlast[3]
array leftat[3]
array nanat[3]
do for [i=1:3] {
    stats runs every ::(i-1)::(i-1) using 1 nooutput
    lr[i] = STATS_max
    stats runs every ::(i-1)::(i-1) using 2 nooutput
    outcome[i] = int(STATS_max)
    stats runs every ::(i-1)::(i-1) using 3 nooutput
    xlast[i] = STATS_max
    stats runs every ::(i-1)::(i-1) using 6 nooutput
    leftat[i] = int(STATS_max)
    stats runs every ::(i-1)::(i-1) using 7 nooutput
    nanat[i] = int(STATS_max)
}
traj(i) = sprintf("%s/lecture_quartic_lr%g.dat", data_dir, lr[i])
describe(i) = outcome[i] == 0 ? sprintf("lr = %g: local minimum, x = %.3f", lr[i], xlast[i]) : \
              outcome[i] == 1 ? sprintf("lr = %g: global minimum, x = %.3f", lr[i], xlast[i]) : \
              outcome[i] == 2 ? sprintf("lr = %g: diverged, NaN/Inf gradient at step %d", lr[i], nanat[i]) : \
              sprintf("lr = %g: not settled", lr[i])
colors = "#2a9d4b #1f5fa8 #d1492e"
color(i) = word(colors, i)

div_i = 0
# a diverging run leaves the plot: where (before any range is set: stats
# skips points outside the ranges)
do for [i=1:3] {
    if (outcome[i] == 2) {
        stats traj(i) using 2 nooutput
        n = STATS_records
        stats traj(i) every ::(n-2)::(n-2) using 2 nooutput
        xa = STATS_max
        stats traj(i) every ::(n-2)::(n-2) using 3 nooutput
        ya = STATS_max
        stats traj(i) every ::(n-1)::(n-1) using 2 nooutput
        xb = STATS_max
        stats traj(i) every ::(n-1)::(n-1) using 3 nooutput
        yb = STATS_max
        # where the segment a -> b crosses the plot's border (top, or a side)
        t = 1
        if (yb > 4) { t = (4 - ya) / (yb - ya) }
        if (xb < -2 && (-2 - xa) / (xb - xa) < t) { t = (-2 - xa) / (xb - xa) }
        if (xb > 2 && (2 - xa) / (xb - xa) < t) { t = (2 - xa) / (xb - xa) }
        div_label = sprintf("lr = %g diverges: x_{%d} = %.3g, f = %.3g", lr[i], n - 1, xb, yb)
        div_off = sprintf("lr = %g: f(x_{%d}) = %.3g, off the chart from step %d", lr[i], n - 1, yb, leftat[i])
        div_x = xa + t * (xb - xa); div_y = ya + t * (yb - ya); div_i = i
    }
}

f(x) = x**4 - 2*x**2 + 0.5*x

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1250,580 enhanced font "sans,11"
} else {
    set terminal png size 1250,580 enhanced
}
set output out

set multiplot layout 1,2 title "Gradient descent on f(x) = x^4 - 2x^2 + 0.5x from x_0 = 1.5: the learning rate decides where it ends" font ",13"

set title "iterates (x_t, f(x_t)) on the loss curve"
set xlabel "x"
set ylabel "f(x)"
set xrange [-2:2]
set yrange [-2:4]
set grid lc rgb "#e4e4e4"
set clip two
set key at -0.3, 3.4 center top box opaque spacing 1.25 font ",10"
set label 1 "global minimum" at -1.057, -1.75 center font ",10"
set label 2 "local minimum" at 0.93, -0.8 center font ",10"
if (div_i > 0) {
    set label 3 div_label at div_x, div_y - 0.2 right offset -1, 0 font ",10" tc rgb color(div_i) front
    set arrow 3 from div_x - 0.1, div_y - 0.2 to div_x + 0.02, div_y - 0.02 lc rgb color(div_i) lw 1.5 front
}
plot curve using 1:2 with lines lw 3 lc rgb "#444444" title "f(x)", \
     for [i=1:3] traj(i) using 2:3 with linespoints lw 1.5 pt 7 ps 0.8 lc rgb color(i) title sprintf("lr = %g", lr[i]), \
     "+" using (-1.0574534):(f(-1.0574534)) every ::0::0 with points pt 6 ps 2 lw 2 lc rgb "black" notitle, \
     "+" using (0.9304029):(f(0.9304029)) every ::0::0 with points pt 6 ps 2 lw 2 lc rgb "black" notitle, \
     traj(1) using 2:3 every ::0::0 with points pt 5 ps 1.5 lc rgb "black" title "start x_0"
unset label
unset arrow

set title "loss against the step"
set xlabel "step t"
set ylabel "f(x_t)"
set xrange [0:40]
set yrange [-2:4]
set key at graph 0.97, graph 0.8 right top box opaque spacing 1.4 font ",10"
if (div_i > 0) { set label 6 div_off at 1, 3.7 left font ",10" tc rgb color(div_i) }
set arrow 1 from 0, f(-1.0574534) to 40, f(-1.0574534) nohead dt 2 lc rgb "#777777"
set arrow 2 from 0, f(0.9304029) to 40, f(0.9304029) nohead dt 2 lc rgb "#777777"
set label 4 "global minimum -1.515" at 39, f(-1.0574534) + 0.15 right font ",10"
set label 5 "local minimum -0.517" at 39, f(0.9304029) + 0.15 right font ",10"
plot for [i=1:3] traj(i) using 1:3 with linespoints lw 2 pt 7 ps 0.5 lc rgb color(i) title describe(i)

unset multiplot
