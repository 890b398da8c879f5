# Sourced by scripts/build.sh and scripts/ship-test.sh: how the embeddable runtimes are compiled,
# in one place, so that the browser tests built for the bundle's configuration are compiled as
# the bundle is.
#
#   runtime_toolchain [DIR]  sets RUNTIME_TOOLCHAIN (nightly or stable), RUNTIME_TARGET_DIR (for
#                            nightly DIR, default target/nightly) and RUNTIME_WASM_DIR (its wasm32
#                            release directory)
#   runtime_cargo ARGS...    cargo ARGS (build, test --no-run, …) for wasm32 with that toolchain,
#                            on the bundle's own workspace (bundle/Cargo.toml)
#
# The bundle's workspace (bundle/) depends on the k12-export crate and applies what only the
# bundle wants: Yew and console_error_panic_hook patched for size (vendor/README.md, `[patch]`),
# Yew's `no_suspense_portals_raw_html` feature, tracing compiled out, the small allocator, the
# release profile. The library itself, its tests in the main workspace and every application that
# depends on it build on the published crates. Its wasm is RUNTIME_WASM_DIR/k12_export_bundle.wasm.
#
# Nightly Rust where it can rebuild the standard library for size (-Z build-std with its
# optimize_for_size feature; panics abort at once without a message, no panic locations, no Debug
# formatting): about 12 KB less gzip than stable. That needs a nightly toolchain with rust-src
# (scripts/setup.sh adds rust-src to an installed nightly; install one with
# `rustup toolchain install nightly --component rust-src`). Without one, stable, with a warning.
# SIZE_BUILD=stable asks for stable.

runtime_toolchain() {
  case "${SIZE_BUILD:-nightly}" in
    stable) RUNTIME_TOOLCHAIN=stable ;;
    nightly)
      if command -v rustup >/dev/null && rustup run nightly rustc --version >/dev/null 2>&1 \
        && rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^rust-src'; then
        RUNTIME_TOOLCHAIN=nightly
      else
        RUNTIME_TOOLCHAIN=stable
        printf '\033[1;33mwarning\033[0m: %s\n' >&2 "no nightly Rust with rust-src, so the embeddable runtimes are built \
with stable Rust: about 12 KB gzip larger than the release build. Install it with \
\`rustup toolchain install nightly --component rust-src\` (or run scripts/setup.sh)."
      fi
      ;;
    *) echo "SIZE_BUILD must be nightly or stable, not '$SIZE_BUILD'" >&2; return 2 ;;
  esac
  # A target directory of its own for nightly, so that the stable and nightly builds do not evict
  # each other.
  if [ "$RUNTIME_TOOLCHAIN" = nightly ]; then
    RUNTIME_TARGET_DIR=${1:-target/nightly}
  else
    RUNTIME_TARGET_DIR=target
  fi
  RUNTIME_WASM_DIR=$RUNTIME_TARGET_DIR/wasm32-unknown-unknown/release
}

runtime_cargo() {
  if [ "$RUNTIME_TOOLCHAIN" = nightly ]; then
    RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" \
      cargo +nightly "$@" --manifest-path bundle/Cargo.toml --target wasm32-unknown-unknown \
        -Z build-std=std,panic_abort -Z build-std-features=optimize_for_size --target-dir "$RUNTIME_TARGET_DIR" \
      || { echo "the nightly build failed (see above); SIZE_BUILD=stable builds with stable Rust" >&2; return 1; }
  else
    cargo "$@" --manifest-path bundle/Cargo.toml --target wasm32-unknown-unknown --target-dir "$RUNTIME_TARGET_DIR"
  fi
}
