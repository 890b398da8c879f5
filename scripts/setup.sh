#!/usr/bin/env bash
# Installs everything the demo and the tests need, and nothing twice: each tool is checked at the
# exact version this repository pins, replaced when stale, skipped when right. Slow installs run in
# parallel. Safe to run again at any time; a second run takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
GECKODRIVER_VERSION=0.37.1
# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock, or Trunk would try to download.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, "", $0); print; exit }' Cargo.lock)
# webkit2gtk-driver brings WebKitWebDriver and, through libwebkit2gtk-4.1-0, MiniBrowser; WebKitGTK
# has no headless mode, so its tests run on an Xvfb display.
APT_PACKAGES=(chromium chromium-driver firefox-esr fonts-noto-cjk webkit2gtk-driver xvfb)

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
LOGS=target/setup-logs
mkdir -p "$LOGS"

say() { printf '\033[1;34msetup\033[0m %s\n' "$*"; }
fail() { printf '\033[1;31msetup\033[0m %s\n' "$*" >&2; exit 1; }

command -v cargo >/dev/null || fail "cargo is missing: install Rust with rustup first (https://rustup.rs)"
command -v npm >/dev/null || fail "npm is missing: install Node.js 20 or newer"

# --- the wasm32 target ------------------------------------------------------------------
if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "wasm32-unknown-unknown target: present"
else
  say "wasm32-unknown-unknown target: installing"
  rustup target add wasm32-unknown-unknown
fi

# --- rust-src for the nightly toolchain: scripts/build.sh rebuilds std for the smallest bundle ---
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  say "nightly Rust: not installed, so the embeddable bundle will be built with stable Rust (about 12 KB gzip" \
    "larger); for the release build: rustup toolchain install nightly --component rust-src"
elif rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^rust-src'; then
  say "nightly rust-src: present ($(rustup run nightly rustc --version | cut -d' ' -f2-))"
else
  say "nightly rust-src: installing"
  rustup component add rust-src --toolchain nightly >"$LOGS/rust-src.log" 2>&1 \
    || say "nightly rust-src: FAILED (log: $LOGS/rust-src.log), so the embeddable bundle will be built with stable Rust"
fi

# --- browsers and CJK fonts (Debian packages) -------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  say "browsers and fonts: present ($(chromium --version 2>/dev/null | sed -n 1p | cut -d' ' -f1-2), $(firefox-esr --version 2>/dev/null | sed -n 1p), WebKitGTK $(dpkg-query -W -f='${Version}' libwebkit2gtk-4.1-0 | cut -d- -f1))"
else
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  say "installing Debian packages: ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$LOGS/apt.log" 2>&1 || true
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$LOGS/apt.log" 2>&1 \
    || { tail -n 20 "$LOGS/apt.log"; fail "apt-get install failed (log: $LOGS/apt.log)"; }
fi &
apt_pid=$!

# --- cargo-installed tools, in parallel ---------------------------------------------------------
pids=()
names=()
cargo_tool() { # name binary wanted-version stamp install-args...
  # stamp: a file that marks an install made with these exact args (empty: the version tells).
  local name=$1 bin=$2 want=$3 stamp=$4
  shift 4
  local have
  have=$("$bin" --version 2>/dev/null | sed -n 1p | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n1 || true)
  if [ "$have" = "$want" ] && { [ -z "$stamp" ] || [ -f "$stamp" ]; }; then
    say "$name $want: present"
    return
  fi
  say "$name $want: installing${have:+ (found $have)} — log in $LOGS/$name.log"
  (cargo install "$@" --force >"$LOGS/$name.log" 2>&1 && { [ -z "$stamp" ] || touch "$stamp"; }) &
  pids+=($!)
  names+=("$name")
}
cargo_tool trunk trunk "$TRUNK_VERSION" "" trunk --version "$TRUNK_VERSION" --locked
# Without --locked: the locked tree of this release wants a crate version the registry lacks.
# Its test runner serves the test page with tiny_http, patched (vendor/README.md): unpatched, a
# page that loads several modules at once sometimes waits five minutes for one of them.
tiny_http_stamp="${CARGO_HOME:-$HOME/.cargo}/.k12x-tiny-http-$(sha256sum <vendor/tiny_http/src/util/task_pool.rs | cut -c1-16)"
cargo_tool wasm-bindgen-cli wasm-bindgen "$WASM_BINDGEN_VERSION" "$tiny_http_stamp" \
  wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --config "patch.crates-io.tiny_http.path='$PWD/vendor/tiny_http'"
cargo_tool geckodriver geckodriver "$GECKODRIVER_VERSION" "" geckodriver --version "$GECKODRIVER_VERSION" --locked

# --- Node packages: wasm-opt (binaryen), Playwright core, axe-core -----------------------------
stamp=node_modules/.setup-stamp
want_stamp=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ]; then
  say "node packages: present"
else
  say "node packages: installing (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >"$LOGS/npm.log" 2>&1 || { tail -n 20 "$LOGS/npm.log"; fail "npm ci failed"; }
  echo "$want_stamp" >"$stamp"
fi

# --- Rust dependencies, fetched while the tools build ------------------------------------------
cargo fetch --locked >"$LOGS/fetch.log" 2>&1 || { tail -n 20 "$LOGS/fetch.log"; fail "cargo fetch failed"; }

status=0
for i in "${!pids[@]}"; do
  if wait "${pids[$i]}"; then
    say "${names[$i]}: installed"
  else
    tail -n 30 "$LOGS/${names[$i]}.log" >&2
    say "${names[$i]}: FAILED (log: $LOGS/${names[$i]}.log)"
    status=1
  fi
done
wait "$apt_pid" || status=1
[ "$status" -eq 0 ] || fail "some tools could not be installed"
minibrowser=$(dpkg -L libwebkit2gtk-4.1-0 2>/dev/null | grep '/MiniBrowser$' | head -n1 || true)
[ -x "$minibrowser" ] || fail "MiniBrowser is missing from libwebkit2gtk-4.1-0: the WebKit tests need it"

wasm_opt=$(node_modules/.bin/wasm-opt --version)
say "ready: $(trunk --version), $(wasm-bindgen --version), $(geckodriver --version 2>/dev/null | sed -n 1p), $wasm_opt, MiniBrowser at $minibrowser"
