/* Recursion and calls: naive Fibonacci plus a mutually recursive pair and Ackermann-style
 * depth, so calls, returns and the shadow stack dominate. */
#include "bench_common.h"

__attribute__((noinline)) static uint32_t fib(uint32_t n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

__attribute__((noinline)) static uint32_t is_odd(uint32_t n);
__attribute__((noinline)) static uint32_t is_even(uint32_t n) { return n == 0 ? 1 : is_odd(n - 1); }
__attribute__((noinline)) static uint32_t is_odd(uint32_t n) { return n == 0 ? 0 : is_even(n - 1); }

__attribute__((noinline)) static uint32_t tak(uint32_t x, uint32_t y, uint32_t z) {
    return y < x ? tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y)) : z;
}

int main(int argc, char **argv) {
    uint32_t n = (uint32_t)bench_size(argc, argv, 41);
    uint64_t checksum = fib(n);
    uint32_t parity = 0;
    /* Depth below 500: wasmi's default call-depth limit is about 1000. */
    for (uint32_t i = 0; i < 20000; i++) parity += is_even(i * 37 % 499);
    checksum = checksum * 31 + parity;
    checksum = checksum * 31 + tak(22, 14, 6);
    bench_print_checksum(checksum);
    return 0;
}
