#!/usr/bin/env bash
# The project's whole test suite: everything natively on Linux, then the Windows build
# of the native library (and the Lua client over it) under Wine.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace --locked
# .cargo/config.toml links with MinGW and runs the .exe files through scripts/wine-runner.sh.
cargo test --locked -p x4pipe-native --target x86_64-pc-windows-gnu
# The Lua client in LuaJIT over the Windows .dll and a Windows named-pipe server.
cargo test --locked --target x86_64-pc-windows-gnu --test it -- lua_client::
