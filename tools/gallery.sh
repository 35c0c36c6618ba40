#!/usr/bin/env bash
# Regenerate the figures committed under docs/: every figure of the plots
# target (already rendered into BUILD/plots by the gallery target's
# dependencies) and the figures of `llprobe report` with no arguments,
# saved as docs/report_<name>.png.
# usage: gallery.sh BUILD_DIR SOURCE_DIR   (run by `meson compile -C build gallery`)
set -euo pipefail
build=$1
src=$2
mkdir -p "$src/docs"
n=0
for f in "$build"/plots/*.png; do
    cp "$f" "$src/docs/$(basename "$f").tmp"
    mv "$src/docs/$(basename "$f").tmp" "$src/docs/$(basename "$f")"
    n=$((n + 1))
done
"$build/tools/llprobe" report --out "$build/gallery-report" --force --quiet >/dev/null
for f in "$build"/gallery-report/*.png; do
    cp "$f" "$src/docs/report_$(basename "$f").tmp"
    mv "$src/docs/report_$(basename "$f").tmp" "$src/docs/report_$(basename "$f")"
    n=$((n + 1))
done
echo "gallery: $n figures in $src/docs"
