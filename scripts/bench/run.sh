#!/usr/bin/env bash
# `make bench`: installs what is missing (setup.sh), then runs the driver (bench.py).
# QUICK=1: one run per program and engine, fewer engines. Extra arguments go to bench.py
# (e.g. --programs fib,vm --engines wasmtime,wrun-interp --runs 3).
# Results: bench-results/results.md, bench-results/chart.png, bench-results/results.json.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_DIR="${WRUN_BENCH_CACHE:-$HOME/.cache/wrun-bench}"

"$BENCH_DIR/setup.sh"

python="$CACHE_DIR/venv/bin/python"
[ -x "$python" ] || python=python3
exec "$python" "$BENCH_DIR/bench.py" "$@"
