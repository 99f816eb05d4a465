#!/usr/bin/env bash
# Fails on a dependency nothing uses: Rust crates through cargo-machete (which reads the
# sources for each declared crate's name), npm packages through check-npm-deps.js.
# cargo-machete is built once (about 3 minutes) into a tools folder kept with the build cache
# (ALOVA_TOOLS, default target/tools), so later runs only pay its sub-second scan.
set -euo pipefail
cd "$(dirname "$0")/.."
MACHETE_VERSION=0.9.1
tools="${ALOVA_TOOLS:-$PWD/target/tools}"
machete="$tools/bin/cargo-machete"
if ! "$machete" --version 2>/dev/null | grep -qx "$MACHETE_VERSION"; then
  cargo install --quiet --locked --root "$tools" "cargo-machete@$MACHETE_VERSION"
fi
"$machete"
node scripts/check-npm-deps.js
