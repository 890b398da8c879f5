#!/usr/bin/env bash
# Every test layer, in order: formatting, lints (native and wasm32), native tests (core and mock
# backend), the widget's browser tests in headless Chromium and headless Firefox against a running
# mock backend, the built embeddable bundle in a plain page, then the end-to-end suite on the
# built demo. Stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-600}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

step() { printf '\n\033[1;32m==>\033[0m \033[1m%s\033[0m\n' "$*"; }
t0=$(date +%s)

step "format"
cargo fmt --all --check

step "clippy (native)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "clippy (wasm32)"
# The widget with its browser tests, and the core as it ships (its tests are native: proptest).
cargo clippy -p k12-export --target wasm32-unknown-unknown --all-targets --locked -- -D warnings
cargo clippy -p k12-export-core --target wasm32-unknown-unknown --lib --locked -- -D warnings
# The K12-only build (dist/embed/), without the other backends.
cargo clippy -p k12-export --target wasm32-unknown-unknown --lib --no-default-features --locked -- -D warnings
cargo clippy -p k12-export-core --no-default-features --all-targets --locked -- -D warnings

step "native tests"
cargo test --workspace --locked
cargo test -p k12-export-core --no-default-features --locked

step "mock backend for the browser tests"
source scripts/mock.sh
start_mock
export MOCK_URL

step "browser tests: headless Chromium"
env -u GECKODRIVER CHROMEDRIVER=/usr/bin/chromedriver \
  cargo test -p k12-export --target wasm32-unknown-unknown --locked

step "browser tests: headless Firefox"
env -u CHROMEDRIVER GECKODRIVER="$(command -v geckodriver)" \
  cargo test -p k12-export --target wasm32-unknown-unknown --locked

step "embeddable bundle: release build in a plain page (headless Chromium)"
scripts/build.sh --embed
node e2e/embed.mjs "$MOCK_URL"
scripts/size.sh --check

stop_mock

if [ -f e2e/run.mjs ]; then
  step "build the demo and the embeddable bundle (release)"
  scripts/build.sh
  step "end-to-end tests (Playwright, headless Chromium)"
  node e2e/run.mjs
fi

step "all tests passed in $(($(date +%s) - t0)) s"
