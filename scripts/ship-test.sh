#!/usr/bin/env bash
# The widget's browser tests built as pages get the widget: compiled as the embeddable runtimes are
# (scripts/runtime-cargo.sh: the bundle's crate with its patched Yew, release, nightly -Z build-std
# with immediate-abort panics where there is one, the runtimes' features), made into what pages load the same way (scripts/optimize-
# runtime.sh: wasm-bindgen, wasm-opt with minified imports and exports, the glue renamed to match,
# esbuild), then run in headless Chromium (scripts/ship-test.mjs) against the mock backend.
#
#   MOCK_URL=http://127.0.0.1:PORT scripts/ship-test.sh [FILTER]   (FILTER: part of a test's name)
#
# Which tests, in which configuration:
#   the K12 runtime (bundle/ without features): tests/k12_runtime.rs,
#     which is button.rs, cancel.rs, live.rs, numbers.rs, page_options.rs and share.rs as one
#     binary (a binary costs about a minute of wasm-opt); one test of cancel.rs needs the export
#     service and is ignored there, saying so
#   the runtime with every backend (bundle/ --features backends): history.rs (the
#     history panel is part of the `backends` feature)
#
# The test binaries are built in scripts/build.sh's target directory (the standard library and
# the dependencies are built once for both) and made into target/ship-test/, where they are kept
# while neither they nor what made them change (the mock's URL reaches the tests through the test
# page, not the build, so a new port changes nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
[ -n "${MOCK_URL:-}" ] || { echo "MOCK_URL is not set: start the mock backend first (source scripts/mock.sh; start_mock)" >&2; exit 2; }

source scripts/runtime-cargo.sh
runtime_toolchain
# Tests are built to unwind unless told otherwise: with -Z build-std that would build the standard
# library (and all that depends on it) a second time, to unwind, and mix the two. The runtimes
# abort; so do their tests.
abort_tests=()
[ "$RUNTIME_TOOLCHAIN" = nightly ] && abort_tests=(-Z panic-abort-tests)
out=target/ship-test
mkdir -p "$out"

# What makes a test binary into what pages load, for the stamp of each one made.
tools=$(cat scripts/optimize-runtime.sh scripts/rename-glue.mjs scripts/names-map.mjs
  wasm-bindgen --version; wasm-opt --version; esbuild --version)

# build_suite TEST CARGO_FEATURE_ARGS...: compiles tests/TEST.rs in that configuration and makes
# it into $out/TEST/ (TEST.js, TEST_bg.wasm, TEST.names.json), unless it is there already from
# the same binary and tools.
build_suite() {
  local test=$1 wasm stamp
  shift
  # Without MOCK_URL: the test page gives it (tests/live.rs).
  (
    unset MOCK_URL
    runtime_cargo test --release --locked --no-run --test "$test" "$@" "${abort_tests[@]}" \
      --message-format=json-render-diagnostics >"$out/$test.cargo.json"
  )
  wasm=$(node -e '
    const [file, name] = process.argv.slice(1);
    for (const line of require("fs").readFileSync(file, "utf8").split("\n")) {
      if (!line.startsWith("{")) continue;
      const m = JSON.parse(line);
      if (m.reason === "compiler-artifact" && m.profile?.test && m.target?.name === name && m.executable) console.log(m.executable);
    }' "$out/$test.cargo.json" "$test")
  [ -n "$wasm" ] || { echo "cargo built no test binary for tests/$test.rs" >&2; exit 1; }
  stamp=$({ sha256sum <"$wasm"; echo "$tools"; } | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$out/$test.stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "tests/$test.rs: unchanged, optimised already"
    return
  fi
  rm -rf "$out/$test" "$out/$test.stamp"
  scripts/optimize-runtime.sh "$wasm" "$out/$test" "$test" "$out/$test/$test.names.json" "$out/$test.unopt.wasm" >/dev/null
  echo "$stamp" >"$out/$test.stamp"
}

t0=$(date +%s)
build_suite k12_runtime
build_suite history --features backends
echo "built and optimised in $(($(date +%s) - t0)) s ($RUNTIME_TOOLCHAIN)"

node scripts/ship-test.mjs "$out/k12_runtime" "$out/history" ${1:+-- "$1"}
