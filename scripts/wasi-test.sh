#!/bin/sh
# Runs the official WASI test suite's 72 preview1 tests through the wrun binary and prints one line
# per failure, then "N passed, M failed". Arguments: [--verbose] [--aot] [FILTER...]; --aot runs
# each test from a sidecar precompiled with `wrun compile` (in a temporary folder, with --aot).
# Environment: WRUN (the binary; default $CARGO_TARGET_DIR/release/wrun, else target/release/wrun),
# WASI_TESTSUITE (default tests/wasi-testsuite, the in-repository copy), WASI_TEST_TIMEOUT
# (seconds per test, default 5).
set -eu
exec python3 "$(dirname "$0")/wasi/run_testsuite.py" "$@"
