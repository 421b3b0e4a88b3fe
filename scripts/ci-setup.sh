#!/usr/bin/env bash
# Installs what CI needs before `make test spec wasi-test realworld` and `make lint`. Idempotent: safe to run again.
set -euo pipefail

# The Rust toolchain with the components `make lint` uses.
if ! command -v cargo >/dev/null 2>&1; then
    echo "ci-setup: cargo not found; install Rust (https://rustup.rs) first" >&2
    exit 1
fi
if command -v rustup >/dev/null 2>&1; then
    rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi
for tool in rustfmt cargo-clippy; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "ci-setup: $tool missing (rustup component add rustfmt clippy)" >&2
        exit 1
    fi
done

# System packages: only missing ones get installed. make wasi-test and make realworld run
# Python 3; make realworld downloads its programs with pip.
APT_PACKAGES=()
command -v python3 >/dev/null 2>&1 || APT_PACKAGES+=(python3)
python3 -m pip --version >/dev/null 2>&1 || APT_PACKAGES+=(python3-pip)
missing=()
for package in "${APT_PACKAGES[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update
    $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

echo "ci-setup: ready ($(cargo --version))"
