# train_compare.gp — eight optimizers from one initialisation on the digits
# data: training loss (left) and validation loss (right) against steps.
#
#   gnuplot -c plots/train_compare.gp DATA_DIR OUT     (OUT: a directory or a .png path)
#
# Reads DATA_DIR/train_compare_curves.dat (examples/train_digits; one data
# block per optimizer, its name in the "# name (stop)" line that opens it)
# and writes train_compare.png.

if (ARGC >= 1) { data_dir = ARG1 } else { if (!exists("data_dir")) { data_dir = "." } }
if (ARGC >= 2) { out = ARG2 } else { if (!exists("out")) { out = "." } }
if (strlen(out) < 4 || out[strlen(out)-3:] ne ".png") { out = out . "/train_compare.png" }

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    set terminal pngcairo size 1200,520 enhanced font "sans,11"
} else {
    set terminal png size 1200,520 enhanced
}
set output out

f = data_dir . "/train_compare_curves.dat"
names = system(sprintf("awk '/^# [^ ]+ \\(/ {printf \"%%s \", $2}' '%s'", f))
n = words(names)

set multiplot layout 1,2 title "Optimizers from one initialisation: 64-32-32-10 tanh MLP, digits, mini-batches of 32"
set logscale y
set xlabel "optimizer steps"
set grid lc rgb "#dddddd"
set key top right box opaque font ",9"
set ylabel "training loss (mean over the last 10 steps)"
plot for [i=1:n] f index (i-1) using 1:3 with lines lw 2 title word(names, i)
set ylabel "validation loss"
plot for [i=1:n] f index (i-1) using 1:4 with lines lw 2 title word(names, i)
unset multiplot
