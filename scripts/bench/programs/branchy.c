/* Branchy code: quicksort of random keys (unpredictable compares), a binary search per key and a
 * hand-written decision tree classifying random records. */
#include "bench_common.h"

static void quicksort(uint32_t *keys, int32_t low, int32_t high) {
    while (low < high) {
        uint32_t pivot = keys[low + (high - low) / 2];
        int32_t i = low, j = high;
        while (i <= j) {
            while (keys[i] < pivot) i++;
            while (keys[j] > pivot) j--;
            if (i <= j) {
                uint32_t t = keys[i];
                keys[i] = keys[j];
                keys[j] = t;
                i++;
                j--;
            }
        }
        /* Recurse into the smaller half, loop on the larger: bounded stack depth. */
        if (j - low < high - i) {
            quicksort(keys, low, j);
            low = i;
        } else {
            quicksort(keys, i, high);
            high = j;
        }
    }
}

static int32_t binary_search(const uint32_t *keys, int32_t length, uint32_t wanted) {
    int32_t low = 0, high = length - 1;
    while (low <= high) {
        int32_t middle = low + (high - low) / 2;
        if (keys[middle] == wanted) return middle;
        if (keys[middle] < wanted) low = middle + 1;
        else high = middle - 1;
    }
    return -1;
}

static uint32_t classify(uint32_t a, uint32_t b, uint32_t c) {
    if (a < 0x40000000u) {
        if (b & 1) return c > a ? 1 : 2;
        if (c % 3 == 0) return 3;
        return a + b > c ? 4 : 5;
    } else if (a < 0xA0000000u) {
        if ((b ^ c) & 0x100) {
            if (b < c) return 6;
            return (a & 7) == 3 ? 7 : 8;
        }
        return c & 2 ? 9 : 10;
    } else {
        if (b > 0xF0000000u) return 11;
        if (c < 0x10000000u) return 12;
        if ((a >> 3 & 1) != (b >> 5 & 1)) return 13;
        return 14;
    }
}

int main(int argc, char **argv) {
    int32_t length = (int32_t)bench_size(argc, argv, 2000000);
    uint32_t *keys = malloc(sizeof(uint32_t) * length);
    uint32_t *probes = malloc(sizeof(uint32_t) * length);
    if (!keys || !probes) return 1;
    for (int32_t i = 0; i < length; i++) keys[i] = probes[i] = bench_rand32();
    quicksort(keys, 0, length - 1);
    uint64_t checksum = 0;
    for (int32_t i = 1; i < length; i++) {
        if (keys[i - 1] > keys[i]) {
            puts("not sorted");
            return 1;
        }
    }
    for (int32_t i = 0; i < length; i++) {
        checksum += (uint32_t)binary_search(keys, length, probes[i]);
        checksum += (uint32_t)binary_search(keys, length, probes[i] ^ 1u) + 1;
    }
    uint32_t classes[16] = {0};
    for (int32_t i = 0; i < 4 * length; i++) {
        /* Separate statements: argument evaluation order differs between gcc and clang. */
        uint32_t a = bench_rand32();
        uint32_t b = bench_rand32();
        uint32_t c = bench_rand32();
        classes[classify(a, b, c)]++;
    }
    for (int k = 0; k < 16; k++) checksum = checksum * 31 + classes[k];
    bench_print_checksum(checksum);
    free(keys);
    free(probes);
    return 0;
}
