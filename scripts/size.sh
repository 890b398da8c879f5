#!/usr/bin/env bash
# Sizes of the embeddable bundle: what a K12 page (/examples/homework.html) loads (the K12 runtime's
# wasm and JS glue, and the loader with the stylesheet built in), raw, gzip -9 and brotli (the `brotli` CLI if installed, else Node's zlib at quality
# 11), in bytes, with the total against the budget.
#
#   scripts/size.sh [--build] [DIR]     DIR defaults to dist/embed; --build runs
#                                       `scripts/build.sh --embed` first (honours SIZE_BUILD)
#   scripts/size.sh --check             also checks the size rules of the K12 bundle (dist/embed/,
#                                       built by scripts/build.sh --embed): no growth over the figure
#                                       recorded in bench/size-budget.json, no banned code family in
#                                       the wasm (scripts/size-rules.mjs); exits 1 on a breach.
#                                       `make test` runs it.
#   scripts/size.sh --record            records the K12 bundle's gzip total in bench/size-budget.json:
#                                       run it (and commit the file) whenever the bundle shrinks
#   SIZE_BUDGET=N scripts/size.sh       another gzip budget in bytes (default: bench/size-budget.json)
set -euo pipefail
cd "$(dirname "$0")/.."

rules=
case "${1:-}" in
  --build)
    shift
    scripts/build.sh --embed >&2
    ;;
  --check | --record)
    rules=${1#--}
    shift
    ;;
esac
dir=${1:-dist/embed}
if [ -n "$rules" ] && [ "$dir" != dist/embed ]; then
  echo "size: --$rules is about the K12 bundle, dist/embed" >&2
  exit 2
fi
# One budget for the whole repository: bench/size-budget.json (gzip).
budget=${SIZE_BUDGET:-$(node -p 'require("./bench/size-budget.json").gzipBytes')}
files=(runtime_k12_bg.wasm runtime_k12.js k12-export-classic.js)

for f in "${files[@]}"; do
  [ -f "$dir/$f" ] || { echo "size: $dir/$f is missing (build first: scripts/build.sh --embed)" >&2; exit 1; }
done

brotli_size() {
  if command -v brotli >/dev/null; then
    brotli -q 11 -c "$1" | wc -c
  else
    node -e 'const z=require("zlib"),fs=require("fs");
      process.stdout.write(String(z.brotliCompressSync(fs.readFileSync(process.argv[1]),
        {params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}).length))' "$1"
  fi
}

printf '%-22s %10s %10s %10s\n' file raw gzip-9 brotli
tr=0 tg=0 tb=0
for f in "${files[@]}"; do
  r=$(wc -c <"$dir/$f")
  g=$(gzip -9 -c "$dir/$f" | wc -c)
  b=$(brotli_size "$dir/$f")
  printf '%-22s %10d %10d %10d\n' "$f" "$r" "$g" "$b"
  tr=$((tr + r)) tg=$((tg + g)) tb=$((tb + b))
done
printf '%-22s %10d %10d %10d\n' total "$tr" "$tg" "$tb"
if [ "$tg" -le "$budget" ]; then
  echo "gzip total $tg B: within the budget of $budget B ($((budget - tg)) B to spare)"
else
  echo "gzip total $tg B: over the budget of $budget B by $((tg - budget)) B"
fi
case "$rules" in
  check) node scripts/size-rules.mjs check "$tg" target/size/runtime_k12.wasm ;;
  record)
    if [ "$(cat target/size/runtime_k12.toolchain 2>/dev/null || echo nightly)" != nightly ]; then
      echo "size: not recorded: this is the stable fallback build; the figure is the nightly build's" >&2
      exit 1
    fi
    node scripts/size-rules.mjs record "$tg" ;;
esac
