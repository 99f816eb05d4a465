#!/usr/bin/env bash
# Compile-checks the release targets this machine does not build (macOS, Windows), so that a
# platform break shows up here and not in the release workflow. `cargo check` links nothing,
# but ring's build script still compiles C for the target: zig's clang (PyPI `ziglang`, driven
# by cargo-zigbuild) is that C compiler.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-msvc)
command -v cargo-zigbuild >/dev/null 2>&1 || python3 -m pip install --quiet --disable-pip-version-check ziglang==0.17.1 cargo-zigbuild==0.24.1
rustup target add "${targets[@]}" >/dev/null
for t in "${targets[@]}"; do
  echo "check $t"
  cargo-zigbuild check --locked --target "$t" --target-dir target/check
done
