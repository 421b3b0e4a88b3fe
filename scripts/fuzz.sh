#!/usr/bin/env bash
# Differential fuzzing (issue 5): the tests/differential.rs harness in release on many seeds.
#
#   scripts/fuzz.sh [MODULES [FIRST_SEED]]      (defaults: 20000 modules from seed 0)
#
# Each module runs on the interpreter and on every tier of WRUN_DIFF_TIER (default `jit,auto1`:
# the JIT, and the tier manager with threshold 1, which compiles functions at their second call
# and enters loops by OSR at their first header; `autoN` is threshold N). A difference is one
# (seed, tier) pair.
#
# Runs the seeds in chunks. A chunk that dies without its summary line (a crash: signal, abort)
# is re-run on one thread with a progress file to find the seed, which is then counted as a
# difference, saved and skipped. Prints `N modules, M exports run, K differences` and exits
# non-zero if K > 0. Failing modules are written to $WRUN_DIFF_OUT (default
# <target>/tmp/differential); each DIFFERENCE line says how to reproduce it.
#
# The test's KNOWN_FAILURES seeds are run too (WRUN_DIFF_KNOWN=run): fuzzing reports everything.
# Environment: WRUN_DIFF_TIER (default jit,auto1), WRUN_DIFF_THREADS (default: nproc),
# FUZZ_CHUNK (default 2000 seeds), WRUN_DIFF_BACKTRACES=1 (traps compare their backtraces too),
# CARGO_TARGET_DIR as usual.
set -euo pipefail

cd "$(dirname "$0")/.."

modules=${1:-${WRUN_DIFF_MODULES:-20000}}
first=${2:-${WRUN_DIFF_START:-0}}
chunk=${FUZZ_CHUNK:-2000}
threads=${WRUN_DIFF_THREADS:-$(nproc)}
tiers=${WRUN_DIFF_TIER:-jit,auto1}
end=$((first + modules))
echo "differential fuzzing: interp vs $tiers, seeds $first..$end"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --test differential --quiet

# The test's summary line: "N modules, M exports run (C calls), K differences (...)".
summary_pattern='^([0-9]+) modules, ([0-9]+) exports run \([0-9]+ calls\), ([0-9]+) differences'
total_modules=0
total_exports=0
total_differences=0
crashed_seeds=()

# run_chunk START COUNT THREADS SKIP -> output in $work/out; returns 0 if the summary was printed.
run_chunk() {
    local start=$1 count=$2 nthreads=$3 skip=$4
    WRUN_DIFF_START=$start WRUN_DIFF_MODULES=$count WRUN_DIFF_THREADS=$nthreads \
        WRUN_DIFF_TIER=$tiers WRUN_DIFF_SKIP=$skip WRUN_DIFF_KNOWN=run WRUN_DIFF_PROGRESS=$work/progress RUST_BACKTRACE=0 \
        cargo test --release --quiet --test differential tiers_agree_on_generated_modules \
        -- --nocapture >"$work/out" 2>&1 || true
    grep -Eq "$summary_pattern" "$work/out"
}

start=$first
while [ "$start" -lt "$end" ]; do
    count=$((end - start < chunk ? end - start : chunk))
    skip=""
    nthreads=$threads
    until run_chunk "$start" "$count" "$nthreads" "$skip"; do
        if [ "$nthreads" -gt 1 ]; then
            # Re-run on one thread so the progress file names the crashing seed.
            nthreads=1
            continue
        fi
        # The progress file holds "SEED TIER" of the last run started.
        read -r seed tier <"$work/progress" 2>/dev/null || true
        if [ -z "${seed:-}" ] || [[ ",$skip," == *",$seed,"* ]]; then
            echo "chunk $start..$((start + count)) fails without a summary and no seed to blame:" >&2
            tail -20 "$work/out" >&2
            exit 2
        fi
        echo "CRASH seed $seed on ${tier:-?} (the process died):"
        grep -v '^ *$' "$work/out" | tail -5 | sed 's/^/    /'
        echo "    reproduce: WRUN_DIFF_SEED=$seed WRUN_DIFF_TIER=${tier:-$tiers} cargo test --test differential -- --nocapture"
        crashed_seeds+=("$seed")
        skip=${skip:+$skip,}$seed
    done
    # Each difference: its line and the next (where the module was saved, how to reproduce).
    grep -A1 '^DIFFERENCE' "$work/out" | grep -v '^--$' || true
    summary=$(grep -E "$summary_pattern" "$work/out")
    read -r n m k <<<"$(sed -E "s/$summary_pattern.*/\\1 \\2 \\3/" <<<"$summary")"
    total_modules=$((total_modules + n))
    total_exports=$((total_exports + m))
    total_differences=$((total_differences + k))
    echo "seeds $start..$((start + count)): $summary"
    # How much the auto tiers compiled and entered by OSR in this chunk.
    grep '^tier-ups on' "$work/out" | sed 's/^/    /' || true
    start=$((start + count))
done

total_modules=$((total_modules + ${#crashed_seeds[@]}))
total_differences=$((total_differences + ${#crashed_seeds[@]}))
echo "$total_modules modules, $total_exports exports run, $total_differences differences" \
    "(interp vs $tiers, seeds $first..$end${crashed_seeds[*]:+; crashed: ${crashed_seeds[*]}})"
[ "$total_differences" -eq 0 ]
