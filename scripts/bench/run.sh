#!/usr/bin/env bash
# `make bench`: installs what is missing (setup.sh), then runs the driver (bench.py).
# QUICK=1: one run per program and engine, fewer engines. Extra arguments go to bench.py
# (e.g. --programs fib,vm --engines wasmtime,wrun-interp --runs 3).
# Results: bench-results/results.md, bench-results/chart.png, bench-results/results.json,
# bench-results/python-startup.md.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_DIR="${WRUN_BENCH_CACHE:-$HOME/.cache/wrun-bench}"

"$BENCH_DIR/setup.sh"

python="$CACHE_DIR/venv/bin/python"
[ -x "$python" ] || python=python3
status=0
"$python" "$BENCH_DIR/bench.py" "$@" || status=$?
# The start-up of a big real program (CPython with numpy), wrun next to wasmtime; QUICK=1 leaves
# it out (it downloads 40 MB and wasmtime's uncached run takes minutes).
if [ "${QUICK:-0}" != 1 ]; then
    "$python" "$BENCH_DIR/python_startup.py" || status=$?
fi
exit $status
