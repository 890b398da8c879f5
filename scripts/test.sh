#!/usr/bin/env bash
# Every test layer, in order: formatting, the build scripts' own tests, lints (native and wasm32),
# native tests (core and mock backend), the published crates (docs, feature combinations,
# packages), a check of the browser tests' runner, the widget's browser tests in headless Chromium,
# headless Firefox and WebKitGTK against a running mock backend, the built embeddable bundle in a
# plain page, a crashed runtime of the bundle, the npm package in fresh apps (Vite, webpack, a
# plain page from a CDN; its types and lint), the example Yew application, the browser tests again
# built and optimised as the bundle is (headless Chromium), then the end-to-end suite on the built
# demo in the same three engines. Stops at the first failure. Whether it passes, fails or is interrupted, no process it
# started (browser, driver, X server, mock) outlives it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-600}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

t0=$(date +%s)
# Each step's heading says when it starts, in seconds since the run began.
step() { printf '\n\033[1;32m==>\033[0m \033[1m%s\033[0m (at %d s)\n' "$*" "$(($(date +%s) - t0))"; }

# Every process this run starts inherits this marker, so that it can be found in /proc however
# it was started and whoever became its parent (wasm-bindgen-test-runner kills geckodriver and
# leaves Firefox running, for one).
export K12X_TEST_RUN="$$.$(date +%s%N)"
# The marked processes alive, but this shell and the mock backend while it serves (its launcher
# MOCK_PID and the server under it; stop_mock clears MOCK_PID).
marked() {
  local spare
  spare=$(printf '%s\n' "$$" "${MOCK_PID:-$$}"; [ -z "${MOCK_PID:-}" ] || pgrep -P "$MOCK_PID" || true)
  # Unmarked itself, or it would find its own pipeline.
  env -u K12X_TEST_RUN bash -c 'grep -lzx "K12X_TEST_RUN=$1" /proc/[0-9]*/environ 2>/dev/null |
    sed -E "s#^/proc/([0-9]+)/environ\$#\\1#" | grep -vxF "$2"' _ "$K12X_TEST_RUN" "$spare" || true
}
# Kills every marked process still alive, naming them (after `$1`, when there are any).
reap() {
  local pids
  pids=$(marked)
  [ -n "$pids" ] || return 0
  [ -z "${1:-}" ] || echo "$1"
  ps -o pid=,args= -p "$(echo "$pids" | paste -sd,)" | cut -c1-160 | sed 's/^/    /' || true
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
}
cleanup() {
  local code=$?
  stop_mock 2>/dev/null || true
  reap "stopping what this run left running:"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Long steps run in the background and are waited for, so that a signal is acted on at once.
run() {
  "$@" &
  wait $!
}

step "format"
cargo fmt --all --check
# The workspaces of their own: the bundle's crate and the example Yew application.
cargo fmt --check --manifest-path bundle/Cargo.toml
cargo fmt --check --manifest-path examples/yew-app/Cargo.toml

step "JS: types and lint"
# The JS that runs in the page, the build and test scripts and the end-to-end suite (with the
# playground's tests and the stand-alone scripts) type-checked as strictly as TypeScript
# (tsconfig.browser.json, tsconfig.scripts.json, tsconfig.e2e.json), and all of it, the bench and
# the sources of the npm package's consumer apps (e2e/consumers/) too, linted (eslint.config.mjs).
# One command a line: under `set -e` a failure before the last `&&` of a list would not stop the run.
tsc -p tsconfig.browser.json
tsc -p tsconfig.scripts.json
tsc -p tsconfig.e2e.json
eslint .

step "the build scripts' tests, and the npm package's types and manifest held to the code"
tsc -p tsconfig.node.json
node --test scripts/tests/

step "clippy (native)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "clippy (wasm32)"
# The widget with its browser tests, and the core as it ships (its tests are native: proptest).
cargo clippy -p k12-export --target wasm32-unknown-unknown --all-targets --locked -- -D warnings
cargo clippy -p k12-export-core --target wasm32-unknown-unknown --lib --locked -- -D warnings
# The K12-only build (dist/embed/), without the other backends, as the bundle's crate (bundle/)
# builds the library.
cargo clippy -p k12-export --target wasm32-unknown-unknown --lib --no-default-features --features small-alloc,embed \
  --locked -- -D warnings
cargo clippy -p k12-export-core --no-default-features --all-targets --locked -- -D warnings

step "native tests"
cargo test --workspace --locked
cargo test -p k12-export-core --no-default-features --locked

step "the published crates: documentation, feature combinations, packages"
# What crates.io and docs.rs get: every public item documented, no rustdoc warning; the crate docs'
# examples compile (natively, with the native tests above), and the option checks they state hold
# without the default features too.
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked -p k12-export-core -p k12-export
cargo test --doc -p k12-export --no-default-features --locked
# The feature combinations the lint steps above leave out: with them, each crate is linted with
# its default features (`backends` alone), none, each feature alone and all of them (docs.rs).
cargo clippy -p k12-export-core --lib --no-default-features --features serde --locked -- -D warnings
for features in "" small-alloc embed; do
  cargo clippy -p k12-export --target wasm32-unknown-unknown --lib --no-default-features --features "$features" \
    --locked -- -D warnings
done
cargo clippy -p k12-export --target wasm32-unknown-unknown --lib --all-features --locked -- -D warnings
# Both crates packaged as they would be published, and each package compiled on its own.
# Cargo verifies the second against the first from a local registry, and takes a registry crate's
# build as fresh whatever its sources: on a machine that ran this before, the core of that run
# would be the one compiled against. Its builds in this target directory go first (the core is
# small; a fresh clone has none).
rm -rf target/debug/.fingerprint/k12-export-core-*
cargo publish --dry-run --allow-dirty --locked -p k12-export-core -p k12-export

step "mock backend for the browser tests"
source scripts/mock.sh
start_mock
trap cleanup EXIT
export MOCK_URL

step "the browser tests' runner serves a page's connections opened at once"
runner_wasm=$(cargo test -p k12-export --target wasm32-unknown-unknown --locked --no-run --test numbers 2>&1 \
  | grep -oE 'target/[^ )]*/numbers-[0-9a-f]+\.wasm' | head -n1)
[ -n "$runner_wasm" ] || { echo "no test wasm to serve (cargo test --no-run --test numbers)" >&2; exit 1; }
run node scripts/check-runner.mjs "$runner_wasm"

step "browser tests: headless Chromium"
run env -u GECKODRIVER -u SAFARIDRIVER CHROMEDRIVER=/usr/bin/chromedriver \
  cargo test -p k12-export --target wasm32-unknown-unknown --locked
reap "left behind by the Chromium test runner, stopped:"

step "browser tests: headless Firefox"
run env -u CHROMEDRIVER -u SAFARIDRIVER GECKODRIVER="$(command -v geckodriver)" \
  cargo test -p k12-export --target wasm32-unknown-unknown --locked
reap "left behind by the Firefox test runner, stopped:"

step "browser tests: WebKitGTK (MiniBrowser on Xvfb)"
# The runner knows WebKitWebDriver as a Safari driver: it starts it with --port and asks for a
# session without capabilities, which WebKitGTK answers with MiniBrowser. MiniBrowser needs a
# display; a private XDG config keeps any download out of the home folder.
xdg=$(mktemp -d -t k12x-webkit.XXXXXX)
Xvfb -displayfd 3 -screen 0 1280x900x24 -nolisten tcp -nocursor 3>"$xdg/display" 2>/dev/null &
xvfb_pid=$!
for _ in $(seq 1 100); do [ -s "$xdg/display" ] && break; sleep 0.1; done
[ -s "$xdg/display" ] || { echo "Xvfb did not start" >&2; exit 1; }
run env -u CHROMEDRIVER -u GECKODRIVER SAFARIDRIVER="$(command -v WebKitWebDriver)" \
  DISPLAY=":$(cat "$xdg/display")" XDG_CONFIG_HOME="$xdg" \
  cargo test -p k12-export --target wasm32-unknown-unknown --locked
kill "$xvfb_pid"
wait "$xvfb_pid" 2>/dev/null || true
rm -rf "$xdg"
reap "left behind by the WebKit test runner, stopped:"

step "embeddable bundle: release build in a plain page (headless Chromium)"
scripts/build.sh --embed
run node e2e/embed.mjs "$MOCK_URL"
scripts/size.sh --check

step "a crashed runtime of the bundle: the toast on its buttons, one console error, nothing left polling (headless Chromium)"
run scripts/crash-test.sh

step "the npm package in fresh Vite, webpack and plain-page apps (headless Chromium), its types and lint"
tgz=$(node scripts/build-package.mjs)
run node e2e/consumers/run.mjs "$tgz"

step "an example Yew application on the published crates: built by Trunk, run in headless Chromium"
# examples/yew-app: its own workspace and lockfile, stock Yew from the registry, no patch; built in
# this target directory, so that what it shares with the builds above is compiled once.
(cd examples/yew-app && CARGO_TARGET_DIR="$PWD/../../target" trunk build --locked --public-url /yew-app/ 2>&1 \
  | grep -vE '^\s*$' | tail -n 3)
run node e2e/yew-app.mjs "$MOCK_URL"

step "browser tests as they ship: built and optimised as the bundle is (headless Chromium)"
run scripts/ship-test.sh
reap "left behind by the shipped-build test runner, stopped:"

stop_mock

step "build the demo and the embeddable bundle (release)"
scripts/build.sh
step "end-to-end tests: headless Chromium, headless Firefox ESR, WebKitGTK"
run node e2e/run.mjs

step "nothing left running"
left=$(marked)
if [ -n "$left" ]; then
  echo "still running after the tests:"
  ps -o pid=,args= -p "$(echo "$left" | paste -sd,)" | cut -c1-160 | sed 's/^/    /' || true
  exit 1
fi
echo "no browser, driver, X server or mock backend of this run is alive"

step "all tests passed in $(($(date +%s) - t0)) s"
