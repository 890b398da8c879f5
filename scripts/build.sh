#!/usr/bin/env bash
# Builds, in release: the demo page (Trunk, into dist/) and the embeddable bundle for plain pages
# (dist/embed/: k12_export.js + k12_export_bg.wasm, wasm-opt -Oz, plus k12-export.css and the
# custom-element loader k12-export.js).
#
#   scripts/build.sh            both
#   scripts/build.sh --embed    the embeddable bundle only
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

embed_only=false
[ "${1:-}" = "--embed" ] && embed_only=true

if ! $embed_only; then
  trunk build --release --locked 2>&1 | grep -vE '^\s*$' | tail -n 5
fi

if [ -f src/embed.rs ]; then
  cargo build --release --locked --lib --target wasm32-unknown-unknown -p k12-export --features small-alloc
  out=dist/embed
  mkdir -p "$out"
  wasm-bindgen --target web --no-typescript --out-dir "$out" target/wasm32-unknown-unknown/release/k12_export.wasm
  # --converge repeats -Oz while it still shrinks; the producers and target-features sections are
  # of no use to a browser. The imports and exports get one- or two-letter names (and the imports'
  # module too), which rename-glue.mjs then carries over to the JS glue.
  cp "$out/k12_export_bg.wasm" "$out/k12_export_bg.unopt.wasm"
  wasm-opt -Oz --converge --minify-imports-and-exports-and-modules --strip-producers --strip-target-features \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    "$out/k12_export_bg.unopt.wasm" -o "$out/k12_export_bg.wasm" >/dev/null
  node scripts/rename-glue.mjs "$out/k12_export_bg.unopt.wasm" "$out/k12_export_bg.wasm" "$out/k12_export.js"
  rm "$out/k12_export_bg.unopt.wasm"
  # Minified copies: the sources in www/ keep their comments. esbuild keeps every export and
  # import.meta.url, and changes no behaviour.
  esbuild --minify --log-level=warning --allow-overwrite "$out/k12_export.js" --outfile="$out/k12_export.js"
  esbuild --minify --log-level=warning www/embed/k12-export.js --outfile="$out/k12-export.js"
  esbuild --minify --log-level=warning www/k12-export.css --outfile="$out/k12-export.css"
fi
echo "built: $(du -sh dist | cut -f1) in dist/"
