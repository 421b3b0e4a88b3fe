/* Tight integer loops: longest Collatz chain below a limit, plus a trial-division prime count. */
#include "bench_common.h"

int main(int argc, char **argv) {
    uint32_t limit = (uint32_t)bench_size(argc, argv, 3000000);
    uint32_t best_start = 1, best_length = 1;
    uint64_t total_steps = 0;
    for (uint32_t start = 1; start < limit; start++) {
        uint64_t value = start;
        uint32_t length = 1;
        while (value != 1) {
            value = (value & 1) ? 3 * value + 1 : value >> 1;
            length++;
        }
        total_steps += length;
        if (length > best_length) {
            best_length = length;
            best_start = start;
        }
    }
    uint32_t primes = 0;
    for (uint32_t candidate = 2; candidate < limit / 10; candidate++) {
        uint32_t is_prime = 1;
        for (uint32_t divisor = 2; divisor * divisor <= candidate; divisor++) {
            if (candidate % divisor == 0) {
                is_prime = 0;
                break;
            }
        }
        primes += is_prime;
    }
    uint64_t checksum = ((uint64_t)best_start << 32) ^ best_length;
    checksum = checksum * 1000003 + total_steps;
    checksum = checksum * 1000003 + primes;
    bench_print_checksum(checksum);
    return 0;
}
