#!/usr/bin/env bash
# Benchmark `x4pipe validate` against xmllint on the same files, in one run.
# Needs: hyperfine, xmllint (apt-get install -y hyperfine libxml2-utils).
# Usage: scripts/bench-validate.sh [SCHEMA_DIR] [CORPUS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
schemas="${1:-../shared/x4-schemas/3.x}"
corpus="${2:-../shared/corpus/md-3.x}"
cargo build --release -q --bin x4pipe
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/x4pipe validate"
cache="$(mktemp -d)"
trap 'rm -rf "$cache"' EXIT
files=("$corpus"/*.xml)
echo "files: ${#files[@]} ($(du -cb "${files[@]}" | tail -1 | cut -f1) bytes); cores: $(nproc)"
# Warm the verdict cache once, then measure: cold (no cache: compile + validate all),
# warm (unchanged files: answered from the cache, nothing compiled), and xmllint.
X4PIPE_CACHE_DIR="$cache" $bin --schemas "$schemas" "${files[@]}" >/dev/null
hyperfine --warmup 1 --runs "${RUNS:-5}" -i --export-markdown "${EXPORT:-/dev/stdout}" \
  -n "x4pipe validate, cold (--no-cache)" "$bin --no-cache --schemas $schemas ${files[*]}" \
  -n "x4pipe validate, warm (verdict cache)" "X4PIPE_CACHE_DIR=$cache $bin --schemas $schemas ${files[*]}" \
  -n "x4pipe validate, cold, 1 thread" "$bin --no-cache -j 1 --schemas $schemas ${files[*]}" \
  -n "xmllint --schema" "xmllint --noout --schema $schemas/md.xsd ${files[*]}"
