#!/usr/bin/env bash
# Release artifacts, built on Linux:
#
#   scripts/release.sh VERSION        (VERSION = Cargo.toml's version, a leading `v` is fine)
#
# writes into dist/:
#   x4pipe-VERSION-x86_64-unknown-linux-gnu.tar.gz   x4pipe      + README.md, LICENSE-*
#   x4pipe-VERSION-x86_64-pc-windows-gnu.zip         x4pipe.exe  + README.md, LICENSE-*
#   SHA256SUMS
# Both binaries embed BOTH native libraries (libx4pipe_native.so and x4pipe_native.dll),
# so either one builds extensions that work for Linux and Windows players.
#
# Needs what the tests need: rustup target x86_64-pc-windows-gnu and MinGW-w64
# (apt-get install gcc-mingw-w64-x86-64), plus tar, gzip and python3 (for the zip).
#
# Reproducible: two runs from the same commit give byte-identical archives.
# - The native libraries are built once, then embedded into both binaries through
#   X4PIPE_NATIVE_DIR (build.rs), so both carry the very same bytes.
# - Source paths are remapped (--remap-path-prefix), the Windows linker is told not to
#   stamp the link time into PE headers (--no-insert-timestamp) and finds MinGW's
#   import libraries inside the target folder (see below).
# - Archive entries are sorted, owned by 0:0, with fixed modes and the mtime
#   SOURCE_DATE_EPOCH (default: the commit time of HEAD); gzip stores no name or time.
#
# Environment: SOURCE_DATE_EPOCH, X4PIPE_DIST_DIR (default dist),
# X4PIPE_RELEASE_TARGET_DIR (default target/dist-build: a cache of its own, because the
# flags above differ from a plain `cargo build --release`).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

die() { echo "release.sh: $*" >&2; exit 2; }

[ $# -eq 1 ] || die "usage: scripts/release.sh VERSION   (e.g. 0.1.0)"
version="${1#v}"
cargo_version="$(sed -n '/^\[package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)"
[ "$version" = "$cargo_version" ] ||
    die "VERSION $version is not Cargo.toml's version $cargo_version (x4pipe --version must match the archive)"

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    SOURCE_DATE_EPOCH="$(git log -1 --format=%ct 2>/dev/null)" ||
        die "not a git checkout: set SOURCE_DATE_EPOCH"
fi
export SOURCE_DATE_EPOCH
dist="$(realpath -m "${X4PIPE_DIST_DIR:-dist}")"
target_dir="$(realpath -m "${X4PIPE_RELEASE_TARGET_DIR:-target/dist-build}")"
linux=x86_64-unknown-linux-gnu
windows=x86_64-pc-windows-gnu

# Paths of this machine must not end up in the binaries (panic locations carry them).
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
remap="--remap-path-prefix=$root=/x4pipe --remap-path-prefix=$cargo_home=/cargo"
# The import tables of the Windows DLL and .exe: GNU ld lays out the import pieces of
# its input files sorted by the files' path names (`SORT(*)(.idata$2)` etc. in its PE
# script). Rust's own imports (raw-dylib, windows-sys) come from files in the target
# folder, MinGW's import libraries from /usr/...: a build under /tmp put them in one
# order, a build under /work in the other (different DLL bytes, same commit). Linking
# MinGW's libraries through links in a folder inside the target folder fixes the order
# wherever the build runs.
mingw_kernel32="$(x86_64-w64-mingw32-gcc -print-file-name=libkernel32.a 2>/dev/null)" ||
    die "x86_64-w64-mingw32-gcc not found (apt-get install gcc-mingw-w64-x86-64)"
[ -f "$mingw_kernel32" ] || die "MinGW-w64's libkernel32.a not found (apt-get install gcc-mingw-w64-x86-64)"
mingw_links="$target_dir/mingw-lib"
rm -rf "$mingw_links"
mkdir -p "$mingw_links"
ln -s "$(dirname "$mingw_kernel32")"/*.a "$mingw_links/"
# Per-target flags (not RUSTFLAGS, which would replace them): build scripts stay as
# they are, and only the Windows link gets the PE flag and the library folder.
export CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS="$remap"
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUSTFLAGS="$remap -L native=$mingw_links -C link-arg=-Wl,--no-insert-timestamp"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"

echo "release.sh: native libraries for $linux and $windows" >&2
cargo build --locked --release -p x4pipe-native --lib \
    --target "$linux" --target "$windows" --target-dir "$target_dir"
native="$target_dir/native"
rm -rf "$native"
mkdir -p "$native"
cp "$target_dir/$linux/release/libx4pipe_native.so" "$target_dir/$windows/release/x4pipe_native.dll" "$native/"

echo "release.sh: x4pipe for $linux and $windows, each embedding both libraries" >&2
X4PIPE_NATIVE_DIR="$native" cargo build --locked --release --bin x4pipe \
    --target "$linux" --target "$windows" --target-dir "$target_dir"

rm -rf "$dist"
mkdir -p "$dist"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

# stage_dir NAME BINARY: a folder NAME with the binary, README and licences, fixed modes.
stage_dir() {
    local d="$stage/$1"
    mkdir -p "$d"
    cp "$2" "$d/"
    cp README.md LICENSE-MIT LICENSE-APACHE "$d/"
    chmod 755 "$d" "$d/$(basename "$2")"
    chmod 644 "$d/README.md" "$d/LICENSE-MIT" "$d/LICENSE-APACHE"
}

name="x4pipe-$version-$linux"
stage_dir "$name" "$target_dir/$linux/release/x4pipe"
tar -C "$stage" --sort=name --format=gnu --owner=0 --group=0 --numeric-owner \
    --mtime="@$SOURCE_DATE_EPOCH" -cf - "$name" | gzip -9n >"$dist/$name.tar.gz"

name="x4pipe-$version-$windows"
stage_dir "$name" "$target_dir/$windows/release/x4pipe.exe"
python3 - "$stage" "$name" "$dist/$name.zip" <<'EOF'
# A zip with sorted entries, fixed times and modes, and no extra fields.
import os, sys, time, zipfile
stage, name, out = sys.argv[1:]
when = time.gmtime(max(int(os.environ["SOURCE_DATE_EPOCH"]), 315532800))[:6]  # zip starts 1980
files = sorted(os.listdir(os.path.join(stage, name)))
with zipfile.ZipFile(out, "w") as z:
    for f in files:
        info = zipfile.ZipInfo(f"{name}/{f}", date_time=when)
        info.create_system = 3  # Unix, so the modes below are read back
        mode = 0o755 if f.endswith(".exe") else 0o644
        info.external_attr = (0o100000 | mode) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(os.path.join(stage, name, f), "rb") as src:
            z.writestr(info, src.read(), compresslevel=9)
EOF

(cd "$dist" && sha256sum -- *.tar.gz *.zip >SHA256SUMS)
echo "release.sh: wrote $dist/:" >&2
(cd "$dist" && cat SHA256SUMS) >&2
