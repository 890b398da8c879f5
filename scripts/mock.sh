# Sourced by the test scripts: starts the mock backend on a free port and stops it again.
# start_mock sets MOCK_URL (e.g. http://127.0.0.1:40123) and MOCK_PID.

start_mock() {
  local dist=${1:-dist}
  cargo build -q --locked -p mock-backend --profile native
  local log
  log=$(mktemp -t k12x-mock.XXXXXX)
  target/native/mock-backend --port 0 --dist "$dist" --data-dir "target/mock-data-$$" >"$log" 2>&1 &
  MOCK_PID=$!
  trap stop_mock EXIT
  for _ in $(seq 1 100); do
    MOCK_URL=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$log" | head -n1 || true)
    [ -n "$MOCK_URL" ] && break
    kill -0 "$MOCK_PID" 2>/dev/null || { cat "$log"; echo "mock backend exited" >&2; return 1; }
    sleep 0.1
  done
  [ -n "$MOCK_URL" ] || { cat "$log"; echo "mock backend did not start" >&2; return 1; }
  echo "mock backend at $MOCK_URL (pid $MOCK_PID, log $log)"
}

stop_mock() {
  if [ -n "${MOCK_PID:-}" ]; then
    kill "$MOCK_PID" 2>/dev/null || true
    wait "$MOCK_PID" 2>/dev/null || true
    MOCK_PID=
  fi
}
