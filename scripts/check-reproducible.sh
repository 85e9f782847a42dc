#!/usr/bin/env bash
# Are the release archives reproducible? Builds them from clean clones of HEAD in
# folders of different names and paths, each with an empty target folder, and compares
# the SHA256SUMS that scripts/release.sh writes.
#
#   scripts/check-reproducible.sh                   two clean builds, compared
#   scripts/check-reproducible.sh dist/SHA256SUMS   one clean build, compared with a
#                                                   release already built (CI: the
#                                                   archives about to be published)
#
# Only committed work is built (a clone of HEAD), with SOURCE_DATE_EPOCH = HEAD's commit
# time, as release.sh does. Exit 0 when identical, 1 when any archive differs (the
# differing lines are printed), 2 on usage or build errors. Each clean build takes as
# long as a release build from scratch (about 10 minutes on 2 idle cores).
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "check-reproducible.sh: $*" >&2; exit 2; }
[ $# -le 1 ] || die "usage: scripts/check-reproducible.sh [SHA256SUMS]"
reference=""
if [ $# -eq 1 ]; then
    reference="$(realpath -e "$1")" || die "$1: no such file"
fi

version="$(cargo pkgid --locked -p x4pipe)" || die "cargo pkgid failed"
version="${version##*[#@]}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# clean_build DIR: clone HEAD into DIR, build its release there, print its SHA256SUMS path.
clean_build() {
    git clone --quiet --no-hardlinks "$PWD" "$1" || die "git clone into $1 failed"
    echo "check-reproducible.sh: building $version in $1" >&2
    if ! (cd "$1" && scripts/release.sh "$version" >"$1.log" 2>&1); then
        tail -n 30 "$1.log" >&2
        die "release.sh failed in $1"
    fi
    echo "$1/dist/SHA256SUMS"
}

if [ -z "$reference" ]; then
    reference="$(clean_build "$work/first")"
fi
# Another name, another depth: paths must not leak into the binaries.
second="$(clean_build "$work/second/x4pipe-elsewhere")"

if cmp -s "$reference" "$second"; then
    echo "check-reproducible.sh: identical archives:" >&2
    cat "$second" >&2
    exit 0
fi
echo "check-reproducible.sh: the archives differ (reference, then the clean build):" >&2
diff "$reference" "$second" >&2 || true
# Keep the clean build(s) for a byte-level comparison (diffoscope, cmp -l).
trap - EXIT
echo "check-reproducible.sh: kept the builds in $work" >&2
exit 1
