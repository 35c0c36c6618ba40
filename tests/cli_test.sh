#!/usr/bin/env bash
# cli_test.sh — end-to-end test of the llprobe command-line program.
#
#   bash tests/cli_test.sh /path/to/llprobe /path/to/repo/data
#
# Runs every subcommand at the smallest budget in a temporary directory
# (removed on exit) and checks: help and version texts; `report` writes its
# files and a valid report.json (checked in awk: no python needed); two runs
# with the same settings give byte-identical report.json and .dat files; an
# output directory is reused only by the same settings (or --force); bad use
# exits with status 2, names the problem and creates nothing; the other
# subcommands write their files; Fashion-MNIST when Debian's files exist.
# Prints one line per check; exits non-zero when any check fails.
set -u

if [ $# -lt 2 ]; then
    echo "usage: bash cli_test.sh /path/to/llprobe /path/to/repo/data" >&2
    exit 2
fi
LLP=$1
DATA=$2
case $LLP in /*) ;; *) LLP=$(cd "$(dirname "$LLP")" && pwd)/$(basename "$LLP") ;; esac
case $DATA in /*) ;; *) DATA=$(cd "$DATA" && pwd) ;; esac
DIGITS=$DATA/digits.csv
FASHION=/usr/share/datasets/fashion-mnist
if [ ! -x "$LLP" ]; then echo "cli_test: $LLP is not an executable" >&2; exit 2; fi
if [ ! -r "$DIGITS" ]; then echo "cli_test: $DIGITS is missing" >&2; exit 2; fi

T=$(mktemp -d "${TMPDIR:-/tmp}/llprobe_cli.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2

START=$(date +%s)
PASS=0
FAIL=0
ok() { echo "ok    $*"; PASS=$((PASS + 1)); }
bad() { echo "FAIL  $*"; FAIL=$((FAIL + 1)); }
# check DESCRIPTION COMMAND...: ok when the command succeeds
check() {
    local d=$1
    shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}
HAVE_GNUPLOT=0
command -v gnuplot >/dev/null 2>&1 && HAVE_GNUPLOT=1
# the tiny budget used everywhere
Q=(--budget quick --epochs 2 --quiet)

# ---- a minimal JSON validator (recursive descent in awk) ----------------
json_valid() {
    awk '
    function fail(m) { if (!E) E = m " at byte " P; return 0 }
    function ws() { while (P <= N && index(" \t\r\n", substr(S, P, 1)) > 0) P++ }
    function str(   c) {
        P++
        while (P <= N) {
            c = substr(S, P, 1)
            if (c == "\\") { P += 2; continue }
            if (c == "\"") { P++; return 1 }
            P++
        }
        return fail("unterminated string")
    }
    function num(   rest) {
        rest = substr(S, P, 64)
        if (!match(rest, /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/)) return fail("bad number")
        P += RLENGTH
        return 1
    }
    function val(   c) {
        ws()
        c = substr(S, P, 1)
        if (c == "{") return obj()
        if (c == "[") return arr()
        if (c == "\"") return str()
        if (c ~ /[-0-9]/) return num()
        if (substr(S, P, 4) == "true" || substr(S, P, 4) == "null") { P += 4; return 1 }
        if (substr(S, P, 5) == "false") { P += 5; return 1 }
        return fail("unexpected character \"" c "\"")
    }
    function obj(   c) {
        P++
        ws()
        if (substr(S, P, 1) == "}") { P++; return 1 }
        while (1) {
            ws()
            if (substr(S, P, 1) != "\"") return fail("expected a key")
            if (!str()) return 0
            ws()
            if (substr(S, P, 1) != ":") return fail("expected :")
            P++
            if (!val()) return 0
            ws()
            c = substr(S, P, 1)
            if (c == ",") { P++; continue }
            if (c == "}") { P++; return 1 }
            return fail("expected , or }")
        }
    }
    function arr(   c) {
        P++
        ws()
        if (substr(S, P, 1) == "]") { P++; return 1 }
        while (1) {
            if (!val()) return 0
            ws()
            c = substr(S, P, 1)
            if (c == ",") { P++; continue }
            if (c == "]") { P++; return 1 }
            return fail("expected , or ]")
        }
    }
    { S = S $0 "\n" }
    END {
        N = length(S); P = 1; E = ""
        if (val()) { ws(); if (P <= N) fail("trailing text") }
        if (E) { print "json: " E > "/dev/stderr"; exit 1 }
        exit 0
    }' "$1"
}

# the value of a metric of report.json: {"panel": ..., "key": "K", "value": V, ...}
json_metric() {
    sed -n "s/.*\"key\": \"$2\", \"value\": \([^,]*\),.*/\1/p" "$1" | head -n 1
}

# a finite number (not null, nan or inf)
finite() {
    [ -n "$1" ] && awk -v x="$1" 'BEGIN { exit !(x ~ /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/) }'
}

checksums() { (cd "$1" && cksum $(ls | sort)) 2>/dev/null; }

# ---- 1. help and version ------------------------------------------------
out=$("$LLP" --help 2>&1); rc=$?
check "llprobe --help: exit 0, lists the subcommands" \
    test $rc -eq 0 -a -n "$(echo "$out" | grep 'usage: llprobe <subcommand>')" -a -n "$(echo "$out" | grep 'lr-find')"
out=$("$LLP" --version 2>&1); rc=$?
check "llprobe --version: prints 'llprobe 0.1.0'" test $rc -eq 0 -a "$out" = "llprobe 0.1.0"
for c in report train surface spectrum lr-find snoop; do
    out=$("$LLP" $c --help 2>&1); rc=$?
    check "llprobe $c --help: exit 0, describes '$c'" \
        test $rc -eq 0 -a -n "$(echo "$out" | grep "usage: llprobe $c")" -a -n "$(echo "$out" | grep -- '--budget')"
    out=$("$LLP" $c --version 2>&1); rc=$?
    check "llprobe $c --version" test $rc -eq 0 -a "$out" = "llprobe 0.1.0"
done

# ---- 2. report end to end ------------------------------------------------
"$LLP" report --data "$DIGITS" "${Q[@]}" --out r1 >r1.stdout 2>r1.stderr
rc=$?
check "report --budget quick: exit 0" test $rc -eq 0
[ $rc -eq 0 ] || cat r1.stderr
for f in run.txt model.llpm report.txt report.json monitor.dat monitor.gp spectrum_density.dat spectrum_eigs.dat \
    spectrum.gp slices.dat slices.gp surface.dat surface.gp pca_surface.dat pca_path.dat pca.gp; do
    check "report wrote $f" test -s "r1/$f"
done
check "report.txt has the Hessian panel and the reading" grep -q "lambda_max" r1/report.txt
check "report.json is valid JSON" json_valid r1/report.json
check "report.json: format llprobe-report" grep -q '"format": "llprobe-report"' r1/report.json
for k in lambda_max lambda_min trace slice_roughness surface_roughness; do
    v=$(json_metric r1/report.json $k)
    check "report.json: $k = $v is finite" finite "$v"
done
check "report.json: no NaN/Inf text" test -z "$(grep -i -E '(^|[^a-z])(nan|inf)([^a-z]|$)' r1/report.json | grep -v '"unit"\|"notes"\|"reading"\|"invariance"')"
check "stdout: summary with lambda_max, trace, roughness" \
    test -n "$(grep '^lambda_max' r1.stdout)" -a -n "$(grep '^trace' r1.stdout)" -a -n "$(grep '^roughness' r1.stdout)"
check "stdout: the reading" grep -q '^reading' r1.stdout
if [ $HAVE_GNUPLOT -eq 1 ]; then
    for f in monitor spectrum slices surface pca; do check "gnuplot rendered $f.png" test -s "r1/$f.png"; done
else
    ok "gnuplot not installed: no PNGs expected"
    check "stdout names the command that renders the figures" grep -q 'gnuplot "\$f"' r1.stdout
fi

# ---- 3. determinism -------------------------------------------------------
"$LLP" report --data "$DIGITS" "${Q[@]}" --out r2 >/dev/null 2>r2.stderr
check "report again into another directory: exit 0" test $? -eq 0
same=1
for f in r1/report.json r1/*.dat; do
    b=$(basename "$f")
    if ! cmp -s "$f" "r2/$b"; then echo "      differs: $b"; same=0; fi
done
check "same settings: report.json and every .dat byte-identical" test $same -eq 1

# ---- 4. output directory reuse --------------------------------------------
"$LLP" report --data "$DIGITS" "${Q[@]}" --out r2 >/dev/null 2>&1
check "re-run into the same directory with the same settings: exit 0" test $? -eq 0
before=$(checksums r2)
"$LLP" report --data "$DIGITS" "${Q[@]}" --seed 7 --out r2 >/dev/null 2>err.txt
rc=$?
check "different settings into that directory: exit 2" test $rc -eq 2
check "... the message names the directory" grep -q "output directory r2 holds a different run" err.txt
check "... files untouched (cksum)" test "$before" = "$(checksums r2)"
mkdir foreign && echo hello >foreign/notes.txt
"$LLP" train --data "$DIGITS" "${Q[@]}" --out foreign >/dev/null 2>err.txt
check "a non-empty directory without run.txt is refused (exit 2)" test $? -eq 2 -a ! -e foreign/model.llpm
"$LLP" train --data "$DIGITS" "${Q[@]}" --seed 7 --out r2 --force >/dev/null 2>&1
check "--force: the different run goes through" test $? -eq 0 -a -n "$(grep 'seed=7' r2/run.txt)"

# ---- 5. bad use -------------------------------------------------------------
printf 'a,b,c\n1,2,0\n3,x,1\n4,5,0\n' >malformed.csv
# 12 images of 2x2 pixels, 11 labels
printf '\000\000\010\003\000\000\000\014\000\000\000\002\000\000\000\002' >img.idx
head -c 48 /dev/zero >>img.idx
printf '\000\000\010\001\000\000\000\013' >lab.idx
printf '\000\001\002\003\004\005\006\007\010\011\000' >>lab.idx
head -c 200 r1/model.llpm >truncated.llpm
# bad DESCRIPTION PATTERN ARGS...: exit 2, PATTERN in the message, no output directory
badcase() {
    local d=$1 pat=$2
    shift 2
    rm -rf badout
    "$LLP" "$@" --out badout >/dev/null 2>err.txt
    local rc=$?
    if [ $rc -eq 2 ] && grep -q -- "$pat" err.txt && grep -q '^usage: llprobe' err.txt && [ ! -e badout ] &&
        [ "$(grep -c '^llprobe: ' err.txt)" -eq 1 ]; then
        ok "bad use: $d -> exit 2, '$pat'"
    else
        bad "bad use: $d (exit $rc, message: $(head -n 1 err.txt), out dir $([ -e badout ] && echo created || echo absent))"
    fi
}
badcase "unknown option" "unknown option '--frobnicate'" report --data "$DIGITS" --frobnicate
badcase "unknown subcommand" "unknown subcommand 'explode'" explode --data "$DIGITS"
badcase "missing data file" "no-such-file.csv" report --data no-such-file.csv
badcase "malformed CSV" "malformed.csv:3" report --data malformed.csv
badcase "--target out of range" "target column 99" report --data "$DIGITS" --target 99
badcase "--hidden 0" "--hidden" report --data "$DIGITS" --hidden 0
badcase "--lr abc" "--lr: 'abc'" report --data "$DIGITS" --lr abc
badcase "--epochs -1" "--epochs: '-1'" report --data "$DIGITS" --epochs -1
badcase "missing option value" "needs a value" report --data "$DIGITS" --seed
badcase "IDX label count mismatch" "lab.idx" report --data img.idx --labels lab.idx
badcase "truncated --model" "truncated" report --data "$DIGITS" --model truncated.llpm
badcase "--model that does not fit the data" "does not fit" report --data "$DATA/iris.csv" --model r1/model.llpm

# ---- 6. the other subcommands -----------------------------------------------
"$LLP" train --data "$DIGITS" "${Q[@]}" --out t1 >t1.stdout 2>&1
check "train: exit 0, model.llpm monitor.dat monitor.gp" \
    test $? -eq 0 -a -s t1/model.llpm -a -s t1/monitor.dat -a -s t1/monitor.gp
"$LLP" surface --data "$DIGITS" "${Q[@]}" --model t1/model.llpm --out s1 >/dev/null 2>&1
check "surface --model: exit 0, surface.dat surface.gp" test $? -eq 0 -a -s s1/surface.dat -a -s s1/surface.gp
"$LLP" spectrum --data "$DIGITS" "${Q[@]}" --model t1/model.llpm --out p1 >p1.stdout 2>&1
check "spectrum --model: exit 0, density, eigenvalues, script" \
    test $? -eq 0 -a -s p1/spectrum_density.dat -a -s p1/spectrum_eigs.dat -a -s p1/spectrum.gp
check "spectrum prints the largest eigenvalues" grep -q '^largest' p1.stdout
"$LLP" lr-find --data "$DIGITS" "${Q[@]}" --out l1 >l1.stdout 2>&1
check "lr-find: exit 0, lr_find.dat lr_find.gp, a suggested rate" \
    test $? -eq 0 -a -s l1/lr_find.dat -a -s l1/lr_find.gp -a -n "$(grep '^suggested' l1.stdout)"
"$LLP" snoop --data "$DIGITS" "${Q[@]}" --steps 5 --out n1 >n1.stdout 2>&1
check "snoop: exit 0, snoop.json, feature table" \
    test $? -eq 0 -a -s n1/snoop.json -a -n "$(grep 'eta_lmax' n1.stdout)"
check "snoop.json is valid JSON" json_valid n1/snoop.json
"$LLP" report --data "$DATA/diabetes.csv" "${Q[@]}" --hidden 16,16 --act relu --opt momentum --out g1 >/dev/null 2>&1
check "report on regression data (diabetes, relu, momentum): exit 0" test $? -eq 0 -a -s g1/report.json

# ---- 7. Fashion-MNIST ---------------------------------------------------------
if [ -r "$FASHION/train-images-idx3-ubyte.gz" ] && [ -r "$FASHION/train-labels-idx1-ubyte.gz" ]; then
    "$LLP" report --data "$FASHION/train-images-idx3-ubyte.gz" --labels "$FASHION/train-labels-idx1-ubyte.gz" \
        --subset 500 --budget quick --epochs 1 --quiet --out fm >fm.stdout 2>fm.stderr
    rc=$?
    check "Fashion-MNIST report (--subset 500): exit 0, report.json valid" \
        test $rc -eq 0 -a -s fm/report.json -a -n "$(grep '784-32-10' fm.stdout)"
    [ $rc -eq 0 ] || cat fm.stderr
else
    echo "skip  Fashion-MNIST: $FASHION/train-images-idx3-ubyte.gz not found (apt-get install dataset-fashion-mnist)"
fi

echo "cli_test: $PASS passed, $FAIL failed, $(($(date +%s) - START)) s"
[ $FAIL -eq 0 ]
