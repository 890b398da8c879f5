#!/usr/bin/env bash
# Builds the demo and serves it with the mock backend on http://127.0.0.1:8080 (same origin as the API).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
cargo build -q --profile native --locked -p mock-backend
echo
echo "  Demo: http://127.0.0.1:${PORT:-8080}/    (Ctrl-C to stop)"
echo
exec target/native/mock-backend --port "${PORT:-8080}" --dist dist
