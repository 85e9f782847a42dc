#!/usr/bin/env bash
# Benchmark of the x4pipe catalog code: pack, verify and extract about 1 GiB
# of files, beside `cat` + `md5sum` over the same files in the same run.
#
#   scripts/bench-catalog.sh            # ~1 GiB in a temp dir, removed at the end
#   BENCH_MIB=256 scripts/bench-catalog.sh
#   BENCH_DIR=/some/disk scripts/bench-catalog.sh
#
# Needs ~4x the data size of free disk. Page cache is warm for every step
# (each input is read once before timing), `sync` runs before each step, and
# each step runs BENCH_REPEAT times (default 3). A step's own write-back is
# timed where it happens inside it: pack fsyncs its .dat/.cat before the
# atomic rename; cat, cp and extract do not fsync.
set -euo pipefail

MIB=${BENCH_MIB:-1024}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/x4pipe-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "== building (release)"
(cd "$ROOT" && cargo build --release -q --bin x4pipe)
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/x4pipe"

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

# run NAME CLEANUP CMD...: runs CMD $REPEAT times (CLEANUP, untimed, before
# each), prints the best and the median time, MiB/s of the best, peak RSS.
# Best-of-N because the machine is shared: the spread is other people's load.
REPEAT=${BENCH_REPEAT:-3}
results=()
run() {
    local name=$1 cleanup=$2; shift 2
    local times=() rss=0 i t0 t1 r
    for ((i = 0; i < REPEAT; i++)); do
        sh -c "$cleanup"
        # Flush earlier steps' dirty pages so their write-back is not billed here.
        sync
        t0=$(date +%s.%N)
        /usr/bin/time -f %M -o "$WORK/rss" "$@" 2> "$WORK/stderr" || { cat "$WORK/stderr"; exit 1; }
        t1=$(date +%s.%N)
        r=$(tail -1 "$WORK/rss"); ((r > rss)) && rss=$r
        times+=("$(echo "$t1 - $t0" | bc -l)")
    done
    local line
    line=$(printf '%s\n' "${times[@]}" | sort -g | awk -v n="$name" -v by="$BYTES" -v r="$rss" '
        { t[NR] = $1 }
        END { best = t[1]; med = t[int((NR + 1) / 2)]
              printf "%-30s best %6.2f s  median %6.2f s  %6.0f MiB/s  %5.1f MiB RSS", n, best, med, by / 1048576 / best, r / 1024 }')
    echo "   $line"
    results+=("$line")
}

echo "== baseline (coreutils), best of $REPEAT"
run "cat files > one file" "rm -f '$WORK/base.dat'" sh -c "cd '$SRC' && xargs -0 cat < '$LIST' > '$WORK/base.dat'"
rm -f "$WORK/base.dat"
run "md5sum files" ":" sh -c "cd '$SRC' && xargs -0 md5sum < '$LIST' > '$WORK/base.md5'"
run "cp -r tree" "rm -rf '$WORK/copy'" cp -r "$SRC" "$WORK/copy"
rm -rf "$WORK/copy"

echo "== x4pipe catalog, best of $REPEAT"
run "pack (copy + md5 + fsync)" ":" "$BIN" cat pack "$SRC" --out "$WORK/bench.cat"
cat "$WORK/bench.dat" > /dev/null # warm
run "list --verify (md5 of all)" ":" sh -c "'$BIN' cat list --verify '$WORK/bench.cat' > /dev/null"
run "extract" "rm -rf '$WORK/out'" "$BIN" cat extract "$WORK/bench.cat" --out "$WORK/out"
run "extract --verify" "rm -rf '$WORK/out'" "$BIN" cat extract "$WORK/bench.cat" --out "$WORK/out" --verify

echo "== checking the round trip"
(cd "$WORK/out" && md5sum -c --quiet "$WORK/base.md5")
DAT=$(stat -c %s "$WORK/bench.dat")
[ "$DAT" = "$(($(cd "$SRC" && xargs -0 stat -c %s < "$LIST" | paste -sd+ | bc)))" ]
echo "   all $FILES files identical; .dat is $DAT bytes"

echo
echo "== summary ($FILES files, $((BYTES / 1048576)) MiB, $(nproc) cores, warm cache)"
printf '%s\n' "${results[@]}"
