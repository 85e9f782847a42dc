#!/usr/bin/env bash
# Benchmark diff-patch validation: 200 patch files checked against their game files
# (cold and warm) beside plain schema validation of 200 whole files, same schemas.
# Inputs are made from the vanilla MD corpus: the corpus is the "game" (md/), each of
# 9 extensions patches up to 24 of its files (add a cue, set an attribute, add an
# attribute when missing), and the whole files are copies of the corpus files.
# Usage: scripts/bench-diff.sh [SCHEMA_DIR] [CORPUS_DIR] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
schemas="${1:-../shared/x4-schemas/3.x}"
corpus="${2:-../shared/corpus/md-3.x}"
runs="${3:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/game/md"
cp "$corpus"/*.xml "$work/game/md/"
files=("$corpus"/*.xml)
for i in $(seq 0 199); do
  f="${files[$((i % ${#files[@]}))]}"
  name="$(basename "$f")"
  ext="$(printf 'mod_%02d' $((i / ${#files[@]})))"
  mkdir -p "$work/patches/$ext/md" "$work/whole/$ext/md"
  [ -f "$work/patches/$ext/content.xml" ] ||
    printf '<?xml version="1.0" encoding="utf-8"?>\n<content id="%s" name="bench" version="100" date="2026-11-26" save="false"/>\n' "$ext" >"$work/patches/$ext/content.xml"
  script="$(grep -o '<mdscript name="[^"]*"' "$f" | head -1 | cut -d'"' -f2)"
  cat >"$work/patches/$ext/md/$name" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<diff>
  <add sel="/mdscript/cues">
    <cue name="Bench_$i">
      <actions>
        <debug_text text="'bench patch $i'"/>
      </actions>
    </cue>
  </add>
  <replace sel="/mdscript/@name">$script</replace>
  <add sel="(/mdscript/cues/*)[1]" type="@comment" if="not((/mdscript/cues/*)[1]/@comment)">bench</add>
</diff>
EOF
  cp "$f" "$work/whole/$ext/md/$name"
done
cargo build --release -q -p x4pipe-validate --example bench_diff
echo "patch files: $(find "$work/patches" -name '*.xml' ! -name content.xml | wc -l) ($(cat "$work"/patches/*/md/*.xml | wc -c) bytes) against $(du -sb "$work/game/md" | cut -f1) bytes of game files; whole files: $(find "$work/whole" -name '*.xml' | wc -l) ($(cat "$work"/whole/*/md/*.xml | wc -c) bytes); cores: $(nproc)"
"${CARGO_TARGET_DIR:-target}/release/examples/bench_diff" "$schemas" "$work/game" "$work/patches" "$work/whole" "$runs"
