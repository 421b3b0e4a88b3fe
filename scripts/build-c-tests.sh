#!/bin/sh
# Builds tests/c/*.c into tests/c/*.wasm with Debian's clang-14 and wasi-libc
# (scripts/install-wasi-toolchain.sh). The .wasm files are committed, so tests need no compiler.
set -eu
cd "$(dirname "$0")/../tests/c"
CC="${CC:-clang-14}"
for source in *.c; do
    module="${source%.c}.wasm"
    # Debian splits the wasi sysroot into /usr/include/wasm32-wasi and /usr/lib/wasm32-wasi.
    "$CC" --target=wasm32-wasi -O2 -Wall -Wextra \
        -isystem /usr/include/wasm32-wasi -L /usr/lib/wasm32-wasi \
        -Wl,--strip-debug "$source" -o "$module"
    echo "built tests/c/$module"
done
