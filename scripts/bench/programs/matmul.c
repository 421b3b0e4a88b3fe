/* Memory-heavy loops: naive integer matrix multiply (strided column walks) followed by a
 * Fisher-Yates shuffle and a gather over a 16 MiB array. */
#include "bench_common.h"

#define SHUFFLE_LEN (4u << 20)

int main(int argc, char **argv) {
    uint32_t n = (uint32_t)bench_size(argc, argv, 384);
    uint32_t *a = malloc(sizeof(uint32_t) * n * n);
    uint32_t *b = malloc(sizeof(uint32_t) * n * n);
    uint32_t *c = malloc(sizeof(uint32_t) * n * n);
    uint32_t *perm = malloc(sizeof(uint32_t) * SHUFFLE_LEN);
    if (!a || !b || !c || !perm) {
        puts("out of memory");
        return 1;
    }
    for (uint32_t i = 0; i < n * n; i++) {
        a[i] = bench_rand32() & 0xffff;
        b[i] = bench_rand32() & 0xffff;
    }
    for (uint32_t i = 0; i < n; i++) {
        for (uint32_t j = 0; j < n; j++) {
            uint32_t sum = 0;
            for (uint32_t k = 0; k < n; k++) sum += a[i * n + k] * b[k * n + j];
            c[i * n + j] = sum;
        }
    }
    uint64_t checksum = 0;
    for (uint32_t i = 0; i < n * n; i++) checksum = checksum * 31 + c[i];

    for (uint32_t i = 0; i < SHUFFLE_LEN; i++) perm[i] = i;
    for (uint32_t i = SHUFFLE_LEN - 1; i > 0; i--) {
        uint32_t j = bench_rand32() % (i + 1);
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    /* Follow the permutation: every load depends on the previous one and misses the cache. */
    uint32_t position = 0;
    for (uint32_t step = 0; step < SHUFFLE_LEN; step++) {
        position = perm[position];
        checksum += position;
    }
    bench_print_checksum(checksum);
    free(a);
    free(b);
    free(c);
    free(perm);
    return 0;
}
