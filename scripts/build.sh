#!/usr/bin/env bash
# Builds, in release: the demo page (Trunk, into dist/) and the embeddable bundle for plain pages
# (dist/embed/ with the K12 protocol, dist/embed-all/ with every backend and the history panel:
# k12_export.js + k12_export_bg.wasm, wasm-opt -Oz, plus k12-export.css and the
# custom-element loader k12-export.js).
#
#   scripts/build.sh            both
#   scripts/build.sh --embed    the embeddable bundle only
#
# SIZE_BUILD=nightly builds the embeddable bundle with nightly Rust instead, rebuilding std for
# size (-Z build-std, panics abort at once without a message, no panic locations, no Debug
# formatting): about 12 KB less gzip. It needs `rustup toolchain install nightly --component
# rust-src`; without it, or if that build fails, the stable build is made instead, with a note.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

embed_only=false
[ "${1:-}" = "--embed" ] && embed_only=true

if ! $embed_only; then
  trunk build --release --locked 2>&1 | grep -vE '^\s*$' | tail -n 5
fi

# One embeddable bundle: build_embed OUT_DIR CARGO_FEATURE_ARGS...
build_embed() {
  local out=$1
  shift
  local wasm= target=target
  if [ "${SIZE_BUILD:-stable}" = nightly ]; then
    if ! rustup run nightly rustc --version >/dev/null 2>&1 \
      || ! rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^rust-src'; then
      echo "SIZE_BUILD=nightly: no nightly toolchain with rust-src (rustup toolchain install nightly --component rust-src); building with stable" >&2
    # A target directory of its own, so that the stable and nightly builds do not evict each other.
    elif RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" \
      cargo +nightly build --release --locked --lib --target wasm32-unknown-unknown -p k12-export \
        "$@" -Z build-std=std,panic_abort --target-dir target/nightly; then
      target=target/nightly
      wasm=$target/wasm32-unknown-unknown/release/k12_export.wasm
    else
      echo "SIZE_BUILD=nightly: the nightly build failed (see above); building with stable" >&2
    fi
  elif [ "${SIZE_BUILD:-stable}" != stable ]; then
    echo "SIZE_BUILD must be stable or nightly, not '$SIZE_BUILD'" >&2
    exit 2
  fi
  if [ -z "$wasm" ]; then
    cargo build --release --locked --lib --target wasm32-unknown-unknown -p k12-export "$@"
    wasm=target/wasm32-unknown-unknown/release/k12_export.wasm
  fi
  mkdir -p "$out"
  # --encode-into always: every browser that runs this wasm has TextEncoder.encodeInto.
  wasm-bindgen --target web --no-typescript --encode-into always --out-dir "$out" "$wasm"
  # --converge repeats -Oz while it still shrinks; the producers and target-features sections are
  # of no use to a browser. The imports and exports get one- or two-letter names (and the imports'
  # module too), which rename-glue.mjs then carries over to the JS glue. --low-memory-unused lets
  # constant address parts fold into load/store offsets: Rust puts its 1 MB stack first in memory,
  # growing down, so the first 1 KB is only reached by a stack overflow.
  cp "$out/k12_export_bg.wasm" "$out/k12_export_bg.unopt.wasm"
  wasm-opt -Oz --converge --low-memory-unused --minify-imports-and-exports-and-modules \
    --strip-producers --strip-target-features \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    "$out/k12_export_bg.unopt.wasm" -o "$out/k12_export_bg.wasm" >/dev/null
  node scripts/rename-glue.mjs "$out/k12_export_bg.unopt.wasm" "$out/k12_export_bg.wasm" "$out/k12_export.js"
  # The module before wasm-opt keeps its function names: scripts/size.sh --check looks there for
  # banned code (target/size/embed.wasm, target/size/embed-all.wasm).
  mkdir -p target/size
  mv "$out/k12_export_bg.unopt.wasm" "target/size/$(basename "$out").wasm"
  # Minified copies: the sources in www/ keep their comments. esbuild keeps every export and
  # import.meta.url, and changes no behaviour.
  esbuild --minify --log-level=warning --allow-overwrite "$out/k12_export.js" --outfile="$out/k12_export.js"
  esbuild --minify --log-level=warning www/embed/k12-export.js --outfile="$out/k12-export.js"
  esbuild --minify --log-level=warning www/k12-export.css --outfile="$out/k12-export.css"
}

if [ -f src/embed.rs ]; then
  # dist/embed/: the K12 button, what the K12 pages load. dist/embed-all/: every backend and the
  # export history panel.
  build_embed dist/embed --no-default-features --features small-alloc
  build_embed dist/embed-all --features backends,small-alloc
fi
echo "built: $(du -sh dist | cut -f1) in dist/"
