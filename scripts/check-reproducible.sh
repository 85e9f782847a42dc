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
# Only committed work is built (clones checked out at the commit HEAD names when the
# script starts), with SOURCE_DATE_EPOCH = that commit's time, as release.sh does. A
# reference SHA256SUMS must come from the same commit. Exit 0 when identical, 1 when
# any archive differs (the differing lines are printed), 2 on usage or build errors.
# Each clean build takes as long as a release build from scratch (about 4-5 minutes
# on 2 idle cores, half an hour on a loaded machine).
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
# The commit is fixed once: clones made later of a checkout that moved on in the
# meantime (a colleague landing work) would build another commit and differ for that.
commit="$(git rev-parse HEAD)" || die "not a git checkout"
work="$(mktemp -d)"
trap 'rm -rf "$work" ${elsewhere:+"$elsewhere"}' EXIT

# clean_build DIR: clone HEAD into DIR, build its release there, print its SHA256SUMS path.
clean_build() {
    git clone --quiet --no-hardlinks --no-checkout "$PWD" "$1" || die "git clone into $1 failed"
    git -C "$1" checkout --quiet --detach "$commit" || die "checkout of $commit in $1 failed"
    echo "check-reproducible.sh: building $version ($commit) in $1" >&2
    if ! (cd "$1" && scripts/release.sh "$version" >"$1.log" 2>&1); then
        tail -n 30 "$1.log" >&2
        die "release.sh failed in $1"
    fi
    echo "$1/dist/SHA256SUMS"
}

# The builds are made in places of other names, depths and top folders (the temporary
# folder, this checkout's target folder): paths must not leak into the binaries, nor may
# the place decide the order of anything (GNU ld sorts its Windows import pieces by path
# name: a build under /tmp and one under /work once differed for that; see release.sh).
elsewhere=""
if [ -z "$reference" ]; then
    reference="$(clean_build "$work/first")"
    elsewhere="$PWD/target/check-reproducible"
    rm -rf "$elsewhere"
    mkdir -p "$elsewhere/second"
    second="$(clean_build "$elsewhere/second/x4pipe-elsewhere")"
else
    # The reference was built in a checkout; this build goes to the temporary folder.
    mkdir -p "$work/second"
    second="$(clean_build "$work/second/x4pipe-elsewhere")"
fi

if cmp -s "$reference" "$second"; then
    echo "check-reproducible.sh: identical archives:" >&2
    cat "$second" >&2
    [ -z "$elsewhere" ] || rm -rf "$elsewhere"
    exit 0
fi
echo "check-reproducible.sh: the archives differ (reference, then the clean build):" >&2
diff "$reference" "$second" >&2 || true
# Keep the clean build(s) for a byte-level comparison (diffoscope, cmp -l).
trap - EXIT
echo "check-reproducible.sh: kept the builds in $work ${elsewhere:+and $elsewhere}" >&2
exit 1
