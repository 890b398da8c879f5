#!/usr/bin/env bash
# A crashed runtime in the embeddable bundle: the K12 runtime built as scripts/build.sh builds it
# (scripts/runtime-cargo.sh: immediate-abort panics where nightly Rust is installed;
# scripts/optimize-runtime.sh) plus the test-only entry point `crash` (the bundle crate's
# `crash-test` feature, never in dist/), beside the loader and the other runtime of dist/embed/,
# then e2e/crash.mjs against the mock backend in headless Chromium.
#
#   MOCK_URL=http://127.0.0.1:PORT scripts/crash-test.sh      (after scripts/build.sh --embed)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
[ -n "${MOCK_URL:-}" ] || { echo "MOCK_URL is not set: start the mock backend first (source scripts/mock.sh; start_mock)" >&2; exit 2; }
[ -f dist/embed/k12-export.js ] || { echo "dist/embed is missing: scripts/build.sh --embed" >&2; exit 1; }

source scripts/runtime-cargo.sh
runtime_toolchain
out=target/crash-test
rm -rf "$out"
mkdir -p "$out"
runtime_cargo build --release --locked --lib --features crash-test
scripts/optimize-runtime.sh "$RUNTIME_WASM_DIR/k12_export_bundle.wasm" "$out/embed" runtime_k12 \
  "$out/runtime_k12.names.json" "$out/runtime_k12.unopt.wasm" >/dev/null
for f in k12-export.js k12-export.css runtime_all.js runtime_all_bg.wasm; do cp "dist/embed/$f" "$out/embed/"; done
node e2e/crash.mjs "$MOCK_URL" "$out/embed"
