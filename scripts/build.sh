#!/usr/bin/env bash
# Builds, in release: the demo page (Trunk, into dist/) and the embeddable bundle for plain pages
# (dist/embed/: the loader k12-export.js, which draws every widget at once and then loads the K12
# runtime runtime_k12.js + runtime_k12_bg.wasm, or the runtime with every backend runtime_all.js +
# runtime_all_bg.wasm when a page asks for another backend or the history panel; wasm-opt -Oz;
# dist/embed-all/: the same loader with the runtime with every backend for everything).
#
#   scripts/build.sh            both
#   scripts/build.sh --embed    the embeddable bundle only
#
# The embeddable runtimes are built with nightly Rust where it can rebuild the standard library for
# size (scripts/runtime-cargo.sh), then optimised (scripts/optimize-runtime.sh). SIZE_BUILD=stable
# asks for the stable build.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

embed_only=false
[ "${1:-}" = "--embed" ] && embed_only=true

if ! $embed_only; then
  trunk build --release --locked 2>&1 | grep -vE '^\s*$' | tail -n 5
fi

# One runtime of the embeddable bundle: build_runtime OUT_DIR NAME CARGO_FEATURE_ARGS... writes
# OUT_DIR/NAME.js (the wasm-bindgen glue, minified) and OUT_DIR/NAME_bg.wasm, from the bundle's
# crate (bundle/, scripts/runtime-cargo.sh).
build_runtime() {
  local out=$1 name=$2
  shift 2
  runtime_cargo build --release --locked --lib "$@"
  # The module before wasm-opt keeps its function names: scripts/size.sh --check looks there for
  # banned code (target/size/runtime_k12.wasm, target/size/runtime_all.wasm).
  scripts/optimize-runtime.sh "$RUNTIME_WASM_DIR/k12_export_bundle.wasm" "$out" "$name" \
    "target/size/$name.names.json" "target/size/$name.wasm"
  # Which toolchain made it: the recorded figure is the nightly build's (scripts/size-rules.mjs).
  echo "$RUNTIME_TOOLCHAIN" >"target/size/$name.toolchain"
}

# The toolchain of the embeddable runtimes: nightly where it can rebuild std, else stable.
source scripts/runtime-cargo.sh
runtime_toolchain

if [ -f src/embed.rs ]; then
  # dist/embed/: what pages load. Its loader draws every widget and loads the K12 runtime
  # (runtime_k12, what K12 pages need) at once, and the runtime with every backend and the export
  # history panel (runtime_all) only when a page asks for one of those.
  build_runtime dist/embed runtime_k12
  build_runtime dist/embed runtime_all --features backends
  node scripts/build-loader.mjs dist/embed runtime_k12 runtime_all
  # dist/embed-all/: the same loader with the runtime with every backend for everything (pages
  # written for it).
  mkdir -p dist/embed-all
  cp dist/embed/runtime_all.js dist/embed/runtime_all_bg.wasm dist/embed-all/
  node scripts/build-loader.mjs dist/embed-all runtime_all runtime_all
fi
# Precompressed copies (.br, .gz) for the mock backend and any static server to serve.
if $embed_only; then node scripts/compress.mjs dist/embed dist/embed-all; else node scripts/compress.mjs dist; fi
echo "built: $(du -sh dist | cut -f1) in dist/"
