#!/usr/bin/env bash
# The project's whole test suite: everything natively on Linux, then the Windows build
# of the native library (and the Lua client over it) under Wine, then the release
# archives (scripts/release.sh) and their two binaries: x4pipe.exe under Wine beside
# the Linux x4pipe (tests/it/windows_cli.rs).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace --locked
# The benchmarks are not tests, but they must keep compiling (docs/benchmarks.md).
cargo check --locked --workspace --benches
# .cargo/config.toml links with MinGW and runs the .exe files through scripts/wine-runner.sh.
cargo test --locked -p x4pipe-native --target x86_64-pc-windows-gnu
# The host's rules (module paths, permissions, X4 folder) on Windows paths.
cargo test --locked -p x4pipe-host --target x86_64-pc-windows-gnu
# Release archives written by the Windows build are the Linux one's bytes (zip's
# "made by" fixed to Unix; the expected md5s were taken on Linux).
cargo test --locked -p x4pipe-catalog --target x86_64-pc-windows-gnu --lib -- package::
cargo test --locked -p x4pipe-catalog --target x86_64-pc-windows-gnu --test it -- package::
# The Lua client in LuaJIT over the Windows .dll and a Windows named-pipe server, and
# x4pipe.exe host serving it (host:: runs its Windows subset: there is no Windows Python).
cargo test --locked --target x86_64-pc-windows-gnu --test it -- lua_client:: host::

# The release artifacts, built once, then tested as users get them.
version="$(cargo pkgid --locked -p x4pipe)"
X4PIPE_DIST_DIR=target/test-dist scripts/release.sh "${version##*[#@]}"
X4PIPE_DIST="$PWD/target/test-dist" cargo test --locked --test it windows_cli:: -- --ignored
