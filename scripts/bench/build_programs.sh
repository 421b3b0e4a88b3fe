#!/usr/bin/env bash
# Builds every benchmark program twice: wasm32-wasi (clang-14 -O2) and native (gcc -O2).
# A build is redone only when its source (or the shared header, or this script) is newer.
# usage: build_programs.sh BUILD_DIR      -> BUILD_DIR/wasm/NAME.wasm, BUILD_DIR/native/NAME
# Exit status 1 when any build failed (the others are still built).
set -u

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROGRAMS_DIR="$BENCH_DIR/programs"
BUILD_DIR="${1:?usage: build_programs.sh BUILD_DIR}"
WASM_DIR="$BUILD_DIR/wasm"
NATIVE_DIR="$BUILD_DIR/native"
GENERATED_DIR="$BUILD_DIR/generated"
mkdir -p "$WASM_DIR" "$NATIVE_DIR" "$GENERATED_DIR"

WASM_CC="${WASM_CC:-clang-14}"
NATIVE_CC="${NATIVE_CC:-gcc}"
# Debian's clang-14 finds wasi-libc in /usr/include/wasm32-wasi and /usr/lib/wasm32-wasi on its own
# for this target; the explicit sysroot keeps that true for other clang builds too.
WASM_FLAGS=(--target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -I"$PROGRAMS_DIR")
NATIVE_FLAGS=(-O2 -Wall -Wextra -I"$PROGRAMS_DIR")
# ~2.6 KB of wasm code per generated function: 1500 give a module of about 4 MB.
LARGE_FUNCTIONS="${LARGE_FUNCTIONS:-1500}"

failures=0

# is_stale OUTPUT INPUT... : true when OUTPUT is missing or older than any INPUT
is_stale() {
    local output=$1
    shift
    [ -e "$output" ] || return 0
    local input
    for input in "$@"; do
        [ "$input" -nt "$output" ] && return 0
    done
    return 1
}

# Flags for the wasm build of one program only: simd.c is written for 128-bit vectors, which
# the wasm build turns into wasm SIMD operators (gcc's native build uses SSE2 by default).
wasm_only_flags() {
    case $1 in
    simd) echo -msimd128 ;;
    esac
}

build_one() { # build_one NAME SOURCE [EXTRA_FLAG...]
    local name=$1 source=$2
    shift 2
    local extra_flags=("$@")
    local dependencies=("$source")
    # The generated module includes neither, and rebuilding it natively takes minutes.
    [ "${LARGE:-0}" = 1 ] || dependencies+=("$PROGRAMS_DIR/bench_common.h" "$BENCH_DIR/build_programs.sh")
    if is_stale "$WASM_DIR/$name.wasm" "${dependencies[@]}"; then
        echo "wasm    $name" >&2
        # shellcheck disable=SC2046 # the flags are words
        if ! "$WASM_CC" "${WASM_FLAGS[@]}" $(wasm_only_flags "$name") "${extra_flags[@]}" "$source" -o "$WASM_DIR/$name.wasm.tmp" -lm; then
            echo "FAILED: wasm build of $name" >&2
            failures=$((failures + 1))
        else
            mv "$WASM_DIR/$name.wasm.tmp" "$WASM_DIR/$name.wasm"
        fi
    fi
    if is_stale "$NATIVE_DIR/$name" "${dependencies[@]}"; then
        echo "native  $name" >&2
        if ! "$NATIVE_CC" "${NATIVE_FLAGS[@]}" "${extra_flags[@]}" "$source" -o "$NATIVE_DIR/$name.tmp" -lm; then
            echo "FAILED: native build of $name" >&2
            failures=$((failures + 1))
        else
            mv "$NATIVE_DIR/$name.tmp" "$NATIVE_DIR/$name"
        fi
    fi
}

for source in "$PROGRAMS_DIR"/*.c; do
    build_one "$(basename "$source" .c)" "$source"
done

# The driver's process launcher (see runners/measure.c).
if is_stale "$BUILD_DIR/measure" "$BENCH_DIR/runners/measure.c"; then
    "$NATIVE_CC" -O2 -Wall -Wextra "$BENCH_DIR/runners/measure.c" -o "$BUILD_DIR/measure" || failures=$((failures + 1))
fi

large_source="$GENERATED_DIR/large.c"
# Not tied to this script's date: rebuilding large natively takes minutes.
if is_stale "$large_source" "$PROGRAMS_DIR/gen_large.py" || ! grep -q "functions: $LARGE_FUNCTIONS\\\\n" "$large_source"; then
    echo "generate large.c ($LARGE_FUNCTIONS functions)" >&2
    python3 "$PROGRAMS_DIR/gen_large.py" "$large_source" "$LARGE_FUNCTIONS" || failures=$((failures + 1))
fi
# -w: generated code trips harmless warnings (constant conditions) by the thousand.
[ -e "$large_source" ] && LARGE=1 build_one large "$large_source" -w

exit $((failures > 0))
