#!/usr/bin/env bash
# Cargo runner for x86_64-pc-windows-gnu: runs a Windows .exe (test, bench, binary)
# under Wine. .cargo/config.toml names it as the target's runner, so plain
#   cargo test -p x4pipe-native --target x86_64-pc-windows-gnu
# runs the Windows build of the tests here.
#
# Needs: gcc-mingw-w64-x86-64 and wine64 (Debian packages), rustup target
# x86_64-pc-windows-gnu.
#
# What it does:
# - builds scripts/wine/processprng.c into bcryptprimitives.dll next to the .exe if it
#   is missing or older than the source (Wine 8 lacks ProcessPrng, which Rust's std
#   imports; see the C file);
# - uses a Wine prefix of its own (not ~/.wine): $WINEPREFIX if set, else one per user
#   under $TMPDIR, created on first use (a few seconds) and reused after;
# - silences Wine's debug channels and the Mono/Gecko install prompts.
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 program.exe [args...]" >&2
    exit 2
fi
exe="$1"
shift

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

wine="${WINE:-}"
if [ -z "$wine" ]; then
    for c in /usr/lib/wine/wine64 "$(command -v wine64 || true)" "$(command -v wine || true)"; do
        if [ -n "$c" ] && [ -x "$c" ]; then
            wine="$c"
            break
        fi
    done
fi
if [ -z "$wine" ]; then
    echo "wine-runner: no wine64 found (apt-get install -y wine64)" >&2
    exit 127
fi

src="$here/wine/processprng.c"
dll="$(dirname "$exe")/bcryptprimitives.dll"
if [ ! -f "$dll" ] || [ "$src" -nt "$dll" ]; then
    cc="${MINGW_CC:-x86_64-w64-mingw32-gcc}"
    if ! command -v "$cc" >/dev/null; then
        echo "wine-runner: $cc not found (apt-get install -y gcc-mingw-w64-x86-64)" >&2
        exit 127
    fi
    # Build to a temporary name and rename, so parallel runners never see half a DLL.
    tmp="$dll.$$.tmp"
    "$cc" -shared -O2 -o "$tmp" "$src" -ladvapi32
    mv -f "$tmp" "$dll"
fi

export WINEPREFIX="${WINEPREFIX:-${TMPDIR:-/tmp}/x4pipe-wine-$(id -u)}"
export WINEDEBUG="${WINEDEBUG:--all}"
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree=;mshtml=}"
mkdir -p "$WINEPREFIX"

exec "$wine" "$exe" "$@"
