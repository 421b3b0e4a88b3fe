#!/bin/sh
# Installs Debian's wasm32-wasi C toolchain (clang-14, lld-14, wasi-libc, the wasm32 compiler-rt),
# used by scripts/build-c-tests.sh. Does nothing when clang-14 is already there.
set -eu
if command -v clang-14 >/dev/null 2>&1 && [ -d /usr/lib/wasm32-wasi ]; then
    echo "wasi toolchain: already installed"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
$SUDO apt-get install -y clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32
