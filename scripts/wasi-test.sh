#!/bin/sh
# Runs the official WASI test suite's 72 preview1 tests through the wrun binary and prints one line
# per failure, then "N passed, M failed". Arguments: [--verbose] [FILTER...].
# Environment: WRUN (default target/release/wrun), WASI_TESTSUITE (default ../shared/wasi-testsuite
# beside the repository), WASI_TEST_TIMEOUT (seconds, default 5).
set -eu
exec python3 "$(dirname "$0")/wasi/run_testsuite.py" "$@"
