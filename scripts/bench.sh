#!/usr/bin/env bash
# The benchmark suite. Builds everything in release — the demo and the embeddable bundle
# (scripts/build.sh), the mock backend (native profile), the polling simulation, the peer
# baselines (bench/build-peers.mjs), the npm package in a Vite app — starts the mock backend on a
# free port over a private copy of dist/, and prints one markdown report: machine, bundle size
# (with what the package adds to a Vite app), start-up, polling efficiency, scale, memory, fault
# matrix, targets. The report is also written to bench/out/latest.md.
#
# Exits non-zero when a checked target fails (size budget, memory bound, every file arriving in
# the scale test, nothing left polling in the fault matrix) — after printing everything.
# Run it with `make bench` (which runs scripts/setup.sh first), or directly after setup.
# BENCH_STARTUP_RUNS, BENCH_MEMORY_CYCLES, BENCH_ONLY and BENCH_FAULT_* are passed on to bench/run.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

OUT=bench/out
LOGS=$OUT/logs
mkdir -p "$LOGS"
say() { printf '\033[1;34mbench\033[0m %s\n' "$*" >&2; }
fail() { printf '\033[1;31mbench\033[0m %s\n' "$*" >&2; exit 1; }
step() { # log-name description command...
  local log="$LOGS/$1.log" what=$2
  shift 2
  say "$what"
  "$@" >"$log" 2>&1 || { tail -n 30 "$log" >&2; fail "$what failed (log: $log)"; }
}

started=$(date +%s)
[ -d node_modules/playwright-core ] || fail "node packages are missing: run scripts/setup.sh first (or make bench)"

# --- builds ------------------------------------------------------------------------------------
step mock-build "building the mock backend (native profile)" cargo build --locked --profile native -p mock-backend
step sim-build "building the polling simulation (release)" cargo build --locked --release -p bench --bin poll-efficiency

stamp=bench/node_modules/.bench-stamp
want=$(cat bench/package.json bench/package-lock.json | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  step npm "installing the peers' packages (bench/package.json, npm ci)" \
    npm ci --prefix bench --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi

tmp=$(mktemp -d)
cleanup() {
  if declare -F stop_mock >/dev/null; then stop_mock; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# The demo and the embeddable bundle, then a private copy of dist/ for the mock to serve (with the
# peers added under /bench/), so that a rebuild of dist/ during the run changes nothing. dist/ is
# shared: another build rewriting it at the same moment can make ours fail or leave the copy
# incomplete (Trunk replaces the whole directory), so up to three tries.
NEEDED=(examples/homework.html examples/terms.js examples/k12.css embed/k12-export.js embed/runtime_k12.js embed/runtime_k12_bg.wasm embed/k12-export.css)
for attempt in 1 2 3; do
  say "building the demo and the embeddable bundle (release)"
  if scripts/build.sh >"$LOGS/build.log" 2>&1; then
    rm -rf "$tmp/site"
    cp -r dist "$tmp/site" 2>/dev/null || true
    missing=()
    for f in "${NEEDED[@]}"; do [ -s "$tmp/site/$f" ] || missing+=("$f"); done
    [ ${#missing[@]} -eq 0 ] && break
    problem="dist/ lacks ${missing[*]}"
  else
    problem="scripts/build.sh failed"
  fi
  if [ "$attempt" -eq 3 ]; then
    tail -n 30 "$LOGS/build.log" >&2
    fail "$problem, three times (log: $LOGS/build.log)"
  fi
  say "$problem (another build may be writing dist/); trying again"
  sleep 10
done
step peers "building the peer baselines (esbuild)" node bench/build-peers.mjs --dist "$tmp/site"
# The npm package in a Vite app (e2e/consumers/vite: npm ci, the packed package, vite build), for
# the size section's figure of what the package adds to an app.
step package "building the npm package and a Vite app using it" \
  sh -c 'node e2e/consumers/apps.mjs vite "$(node scripts/build-package.mjs)" >"$1"' _ "$tmp/vite-app"
BENCH_VITE_APP=$(tail -n1 "$tmp/vite-app")
export BENCH_VITE_APP
built=$(date +%s)

step simulation "running the polling simulation" sh -c "target/release/poll-efficiency >$OUT/poll-efficiency.txt"

# --- the mock backend --------------------------------------------------------------------------
source scripts/mock.sh
start_mock "$tmp/site" "$LOGS/mock.log" >&2 || fail "the mock backend did not start (log: $LOGS/mock.log)"
base=$MOCK_URL
say "mock backend at $base; running the browser benchmarks (about 8 minutes)"

# --- the report --------------------------------------------------------------------------------
export BENCH_NPROC BENCH_RUSTC BENCH_COMMIT
BENCH_NPROC=$(nproc)
BENCH_RUSTC=$(rustc --version | cut -d' ' -f1-2)
BENCH_COMMIT="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- 2>/dev/null || echo ' + local changes')"
set +e
{
  echo "# Benchmarks of the async export button"
  echo
  node bench/run.mjs --base "$base" --simulation "$OUT/poll-efficiency.txt"
  status=$?
  now=$(date +%s)
  echo "Took $((now - started)) s in all: builds $((built - started)) s, benchmarks $((now - built)) s. Report: $OUT/latest.md."
  exit "$status"
} | tee "$OUT/latest.md"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  printf '\033[1;31mbench\033[0m FAILED: a checked target was not met (see "Targets" above)\n' >&2
fi
exit "$status"
