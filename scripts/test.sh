#!/usr/bin/env bash
# Builds everything and runs every test: the engine's Rust tests, then the node:test suites.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-redis.sh
[ -d node_modules/@napi-rs/cli ] || npm install --ignore-scripts --no-audit --no-fund
# With the test-only exports (`test-hooks`); the addon users get is built without them.
npm run build:test --silent
# Same profile and target as the napi build, so the dependencies compile once.
cargo test --release --target "$(rustc -vV | sed -n "s/^host: //p")" -p alova-core -p alova-native --features alova-native/test-hooks
node --test __test__/
