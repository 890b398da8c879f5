#!/usr/bin/env bash
# From the compiler's wasm to what pages load: the JS glue (wasm-bindgen, for ES modules), the wasm
# optimised and its imports and exports minified (wasm-opt), the glue renamed to match
# (scripts/rename-glue.mjs) and minified into one file (esbuild). The one place this is done:
# scripts/build.sh makes the embeddable runtimes with it, scripts/ship-test.sh the browser tests
# in the same shape.
#
#   scripts/optimize-runtime.sh IN.wasm OUT_DIR NAME NAMES.json UNOPT.wasm
#
# writes OUT_DIR/NAME.js and OUT_DIR/NAME_bg.wasm; NAMES.json gets the names map wasm-opt prints
# (scripts/names-map.mjs), UNOPT.wasm the module between wasm-bindgen and wasm-opt (it keeps its
# function names: scripts/size.sh --check looks there for banned code).
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: $0 IN.wasm OUT_DIR NAME NAMES.json UNOPT.wasm" >&2; exit 2; }
in=$1 out=$2 name=$3 names=$4 unopt=$5
root=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$root/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

mkdir -p "$out" "$(dirname "$names")" "$(dirname "$unopt")"
# --encode-into always: every browser that runs this wasm has TextEncoder.encodeInto.
wasm-bindgen --target web --no-typescript --encode-into always --out-name "$name" --out-dir "$out" "$in"
# --reorder-functions-by-name: functions of one family (a crate's, a generic's instances) end up
# side by side, which brotli finds more of (SIZE.md). --flatten --rereloop: the control flow
# rebuilt from scratch, which -Oz then shrinks further than the compiler's own; twice pays, a
# third time does not. --converge repeats -Oz while it still shrinks; the producers and
# target-features sections are of no use to a browser. The imports and exports get one- or
# two-letter names (and the imports' module too): wasm-opt prints the old and new names, which
# rename-glue.mjs then carries over to the JS glue. --low-memory-unused lets constant address
# parts fold into load/store offsets: Rust puts its 1 MB stack first in memory, growing down, so
# the first 1 KB is only reached by a stack overflow.
mv "$out/${name}_bg.wasm" "$unopt"
wasm-opt --reorder-functions-by-name --flatten --rereloop -Oz -Oz --flatten --rereloop -Oz -Oz --converge --low-memory-unused --minify-imports-and-exports-and-modules \
  --strip-producers --strip-target-features \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  "$unopt" -o "$out/${name}_bg.wasm" >"$names"
node "$root/scripts/rename-glue.mjs" "$names" "$out/${name}_bg.wasm" "$out/$name.js"
# What the loader does not use: the glue's default wasm address (which a bundler would follow) and
# initSync (scripts/trim-glue.mjs).
node "$root/scripts/trim-glue.mjs" "$out/$name.js" "$name"
# A minified copy: esbuild keeps every export and import.meta.url, and changes no behaviour. The
# crate's own JS (wasm-bindgen's snippets, e.g. src/hidden_tab.js) is bundled into it: one file.
# The glue also exports the page's clock (`soon` of src/driver/page.js, the copy the wasm uses): the
# loader hands buttons to the runtime on it.
page=$(find "$out/snippets" -path '*/src/driver/page.js' | head -n1)
[ -n "$page" ] || { echo "optimize-runtime: wasm-bindgen wrote no snippet src/driver/page.js" >&2; exit 1; }
printf 'export * from "./%s.js";\nexport { default } from "./%s.js";\nexport { soon } from "./%s";\n' "$name" "$name" "${page#"$out"/}" >"$out/$name.entry.js"
esbuild --bundle --format=esm --minify --log-level=warning "$out/$name.entry.js" --outfile="$out/$name.js" --allow-overwrite
rm -rf "$out/snippets" "$out/$name.entry.js"
