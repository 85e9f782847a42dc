#!/usr/bin/env bash
# Benchmark of the x4pipe catalog code: pack, verify and extract about 1 GiB
# of files, beside `cat` + `md5sum` over the same files in the same run.
#
#   scripts/bench-catalog.sh            # ~1 GiB in a temp dir, removed at the end
#   BENCH_MIB=256 scripts/bench-catalog.sh
#   BENCH_DIR=/some/disk scripts/bench-catalog.sh
#
# Needs ~3x the data size of free disk. Page cache is warm for every step
# (each input is read once before timing), so the figures compare CPU and
# copy paths, not the disk.
set -euo pipefail

MIB=${BENCH_MIB:-1024}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/x4pipe-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "== building (release)"
(cd "$ROOT" && cargo build --release -q -p x4pipe-catalog --example x4cat)
BIN="$ROOT/target/release/examples/x4cat"

echo "== generating ${MIB} MiB in $WORK/src"
SRC="$WORK/src"
mkdir -p "$SRC/big files" "$SRC/mid" "$SRC/small/ä ö"
# Half in 64 MiB files, ~half in 256 KiB files, 1/128 in 4 KiB files: the mix
# of a game catalog (few large assets, many small XML/Lua files).
BIG=$((MIB / 2)); SMALL=$((MIB / 128)); MID=$((MIB - BIG - SMALL))
head -c "${BIG}M" /dev/urandom | (cd "$SRC/big files" && split -b 64M -a 3 - "asset ")
head -c "${MID}M" /dev/urandom | (cd "$SRC/mid" && split -b 256K -a 4 - part_)
head -c "${SMALL}M" /dev/urandom | (cd "$SRC/small/ä ö" && split -b 4K -a 4 - "s ")
: > "$SRC/empty file"
FILES=$(find "$SRC" -type f | wc -l)
BYTES=$(du -sb "$SRC" | cut -f1)
echo "   $FILES files, $BYTES bytes"

LIST="$WORK/files.lst"
(cd "$SRC" && find . -type f -print0 | LC_ALL=C sort -z) > "$LIST"
(cd "$SRC" && xargs -0 cat < "$LIST" > /dev/null) # warm the page cache

# run NAME CMD...: times CMD, prints seconds, MiB/s and peak RSS.
results=()
run() {
    local name=$1; shift
    local t0 t1 rss
    t0=$(date +%s.%N)
    /usr/bin/time -f %M -o "$WORK/rss" "$@"
    t1=$(date +%s.%N)
    rss=$(tail -1 "$WORK/rss")
    local line
    line=$(awk -v n="$name" -v a="$t0" -v b="$t1" -v by="$BYTES" -v r="$rss" \
        'BEGIN { s = b - a; printf "%-34s %7.2f s %8.0f MiB/s %7.1f MiB RSS", n, s, by / 1048576 / s, r / 1024 }')
    echo "   $line"
    results+=("$line")
}

echo "== baseline (coreutils)"
run "cat files > one file" sh -c "cd '$SRC' && xargs -0 cat < '$LIST' > '$WORK/base.dat'"
run "md5sum files" sh -c "cd '$SRC' && xargs -0 md5sum < '$LIST' > '$WORK/base.md5'"
rm -f "$WORK/base.dat"
run "cp -r tree" cp -r "$SRC" "$WORK/copy"
rm -rf "$WORK/copy"

echo "== x4pipe catalog"
run "pack (copy + md5)" "$BIN" cat pack "$SRC" --out "$WORK/bench.cat"
cat "$WORK/bench.dat" > /dev/null # warm
run "list --verify (md5 of all)" sh -c "'$BIN' cat list --verify '$WORK/bench.cat' > /dev/null"
run "extract" "$BIN" cat extract "$WORK/bench.cat" --out "$WORK/out1"
rm -rf "$WORK/out1"
run "extract --verify" "$BIN" cat extract "$WORK/bench.cat" --out "$WORK/out"

echo "== checking the round trip"
(cd "$WORK/out" && md5sum -c --quiet "$WORK/base.md5")
DAT=$(stat -c %s "$WORK/bench.dat")
[ "$DAT" = "$(($(cd "$SRC" && xargs -0 stat -c %s < "$LIST" | paste -sd+ | bc)))" ]
echo "   all $FILES files identical; .dat is $DAT bytes"

echo
echo "== summary ($FILES files, $((BYTES / 1048576)) MiB, $(nproc) cores, warm cache)"
printf '%s\n' "${results[@]}"
