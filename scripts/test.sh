#!/usr/bin/env bash
# The project's whole test suite: Linux natively, then the Windows build under Wine.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --locked
