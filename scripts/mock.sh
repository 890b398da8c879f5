# Sourced by the test scripts: starts the mock backend on a free port and stops it again, through
# scripts/mock.mjs (the one way tests, the benchmark and the end-to-end suite start it).
#
#   start_mock [DIST [LOG]]   builds the mock (native profile), starts it serving DIST (default
#                             dist), its log going to LOG (default a temporary file); sets MOCK_URL
#                             (e.g. http://127.0.0.1:40123) and MOCK_PID; stops it on exit unless
#                             the caller has an EXIT trap of its own (which must call stop_mock)
#   stop_mock                 stops it (and removes its data directory)

start_mock() {
  local dist=${1:-dist}
  local log=${2:-$(mktemp -t k12x-mock.XXXXXX)}
  cargo build -q --locked -p mock-backend --profile native
  node scripts/mock.mjs --dist "$dist" >"$log" 2>&1 &
  MOCK_PID=$!
  [ -n "$(trap -p EXIT)" ] || trap stop_mock EXIT
  MOCK_URL=
  for _ in $(seq 1 200); do
    MOCK_URL=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$log" | head -n1 || true)
    [ -n "$MOCK_URL" ] && break
    kill -0 "$MOCK_PID" 2>/dev/null || { cat "$log" >&2; echo "mock backend exited" >&2; return 1; }
    sleep 0.1
  done
  [ -n "$MOCK_URL" ] || { cat "$log" >&2; echo "mock backend did not start" >&2; return 1; }
  echo "mock backend at $MOCK_URL (pid $MOCK_PID, log $log)"
}

stop_mock() {
  if [ -n "${MOCK_PID:-}" ]; then
    kill "$MOCK_PID" 2>/dev/null || true
    wait "$MOCK_PID" 2>/dev/null || true
    MOCK_PID=
  fi
}
