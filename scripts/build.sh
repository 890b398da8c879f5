#!/usr/bin/env bash
# Builds, in release: the demo page (Trunk, into dist/) and the embeddable bundle for plain pages
# (dist/embed/: the loader k12-export.js, which draws every widget at once and then loads the K12
# runtime k12_export.js + k12_export_bg.wasm, or k12_export_all.js + k12_export_all_bg.wasm when a
# page asks for another backend or the history panel; wasm-opt -Oz; dist/embed-all/: the same with
# the full runtime for everything).
#
#   scripts/build.sh            both
#   scripts/build.sh --embed    the embeddable bundle only
#
# The embeddable runtimes are built with nightly Rust, rebuilding the standard library for size
# (-Z build-std with its optimize_for_size feature; panics abort at once without a message, no
# panic locations, no Debug formatting): about 12 KB less gzip than stable. That needs a nightly
# toolchain with rust-src (scripts/setup.sh adds rust-src to an installed nightly; install one with
# `rustup toolchain install nightly --component rust-src`). Without one the stable build is made,
# with a warning. SIZE_BUILD=stable asks for the stable build.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

embed_only=false
[ "${1:-}" = "--embed" ] && embed_only=true

if ! $embed_only; then
  trunk build --release --locked 2>&1 | grep -vE '^\s*$' | tail -n 5
fi

# One runtime of the embeddable bundle: build_runtime OUT_DIR NAME CARGO_FEATURE_ARGS... writes
# OUT_DIR/NAME.js (the wasm-bindgen glue) and OUT_DIR/NAME_bg.wasm.
build_runtime() {
  local out=$1 name=$2
  shift 2
  local wasm
  if [ "$toolchain" = nightly ]; then
    # A target directory of its own, so that the stable and nightly builds do not evict each other.
    RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" \
      cargo +nightly build --release --locked --lib --target wasm32-unknown-unknown -p k12-export "$@" \
        -Z build-std=std,panic_abort -Z build-std-features=optimize_for_size --target-dir target/nightly \
      || { echo "the nightly build failed (see above); SIZE_BUILD=stable $0 builds with stable Rust" >&2; exit 1; }
    wasm=target/nightly/wasm32-unknown-unknown/release/k12_export.wasm
  else
    cargo build --release --locked --lib --target wasm32-unknown-unknown -p k12-export "$@"
    wasm=target/wasm32-unknown-unknown/release/k12_export.wasm
  fi
  mkdir -p "$out"
  # --encode-into always: every browser that runs this wasm has TextEncoder.encodeInto.
  wasm-bindgen --target web --no-typescript --encode-into always --out-name "$name" --out-dir "$out" "$wasm"
  # --reorder-functions-by-name: functions of one family (a crate's, a generic's instances) end up
  # side by side, which brotli finds more of (SIZE.md). --flatten --rereloop: the control flow
  # rebuilt from scratch, which -Oz then shrinks further than the compiler's own; twice pays, a
  # third time does not. --converge repeats -Oz while it still shrinks; the producers and
  # target-features sections are of no use to a browser. The imports and exports get one- or
  # two-letter names (and the imports' module too): wasm-opt prints the old and new names, which
  # rename-glue.mjs then carries over to the JS glue. --low-memory-unused lets constant address
  # parts fold into load/store offsets: Rust puts its 1 MB stack first in memory, growing down, so
  # the first 1 KB is only reached by a stack overflow.
  cp "$out/${name}_bg.wasm" "$out/${name}_bg.unopt.wasm"
  mkdir -p target/size
  wasm-opt --reorder-functions-by-name --flatten --rereloop -Oz -Oz --flatten --rereloop -Oz -Oz --converge --low-memory-unused --minify-imports-and-exports-and-modules \
    --strip-producers --strip-target-features \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    "$out/${name}_bg.unopt.wasm" -o "$out/${name}_bg.wasm" >"target/size/$name.names.json"
  node scripts/rename-glue.mjs "target/size/$name.names.json" "$out/${name}_bg.wasm" "$out/$name.js"
  # The module before wasm-opt keeps its function names: scripts/size.sh --check looks there for
  # banned code (target/size/k12_export.wasm, target/size/k12_export_all.wasm).
  mv "$out/${name}_bg.unopt.wasm" "target/size/$name.wasm"
  # Which toolchain made it: the recorded figure is the nightly build's (scripts/size-rules.mjs).
  echo "$toolchain" >"target/size/$name.toolchain"
  # A minified copy: esbuild keeps every export and import.meta.url, and changes no behaviour. The
  # crate's own JS (wasm-bindgen's snippets, e.g. src/waiting.js) is bundled into it: one file.
  esbuild --bundle --format=esm --minify --log-level=warning --allow-overwrite "$out/$name.js" --outfile="$out/$name.js"
  rm -rf "$out/snippets"
}

# The toolchain of the embeddable runtimes: nightly where it can rebuild std, else stable.
case "${SIZE_BUILD:-nightly}" in
  stable) toolchain=stable ;;
  nightly)
    if command -v rustup >/dev/null && rustup run nightly rustc --version >/dev/null 2>&1 \
      && rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^rust-src'; then
      toolchain=nightly
    else
      toolchain=stable
      printf '\033[1;33mwarning\033[0m: %s\n' >&2 "no nightly Rust with rust-src, so the embeddable bundle is built with \
stable Rust: about 12 KB gzip larger than the release build. Install it with \
\`rustup toolchain install nightly --component rust-src\` (or run scripts/setup.sh)."
    fi
    ;;
  *) echo "SIZE_BUILD must be nightly or stable, not '$SIZE_BUILD'" >&2; exit 2 ;;
esac

if [ -f src/embed.rs ]; then
  # dist/embed/: what pages load. Its loader draws every widget and loads the K12 runtime
  # (k12_export, what K12 pages need) at once, and the runtime with every backend and the export
  # history panel (k12_export_all) only when a page asks for one of those.
  build_runtime dist/embed k12_export --no-default-features --features small-alloc,lean-yew
  build_runtime dist/embed k12_export_all --features backends,small-alloc,lean-yew
  node scripts/build-loader.mjs dist/embed k12_export k12_export_all
  # dist/embed-all/: the same loader with the full runtime for everything (pages written for it).
  mkdir -p dist/embed-all
  cp dist/embed/k12_export_all.js dist/embed-all/k12_export.js
  cp dist/embed/k12_export_all_bg.wasm dist/embed-all/k12_export_bg.wasm
  node scripts/build-loader.mjs dist/embed-all k12_export k12_export
fi
# Precompressed copies (.br, .gz) for the mock backend and any static server to serve.
if $embed_only; then node scripts/compress.mjs dist/embed dist/embed-all; else node scripts/compress.mjs dist; fi
echo "built: $(du -sh dist | cut -f1) in dist/"
