/* Shared by the benchmark programs: a deterministic generator and the work-size argument.
 * Only fixed-width types: `long` is 64 bits natively and 32 bits on wasm32, and the checksum
 * printed by both builds must match. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* xorshift64*: same sequence on every target, unlike rand(). */
static uint64_t bench_rng_state = 0x9E3779B97F4A7C15ull;

static inline uint64_t bench_rand64(void) {
    uint64_t x = bench_rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    bench_rng_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static inline uint32_t bench_rand32(void) { return (uint32_t)(bench_rand64() >> 32); }

/* argv[1], when given, replaces the default work size (so a quick run or a longer one needs no
 * rebuild). */
static inline int64_t bench_size(int argc, char **argv, int64_t default_size) {
    if (argc > 1) {
        long long parsed = strtoll(argv[1], NULL, 10);
        if (parsed > 0) return (int64_t)parsed;
    }
    return default_size;
}

/* The checksum is the only line on stdout (details go to stderr): wasm3 through pywasm3 drops
 * every stdout write after the first one. */
static inline void bench_print_checksum(uint64_t checksum) {
    printf("checksum: %016llx\n", (unsigned long long)checksum);
}

#endif
