/* A compression kernel: LZ77 with a hash-chain match finder over semi-repetitive data, then
 * decompression and a byte-for-byte check. */
#include <string.h>
#include "bench_common.h"

#define WINDOW (1u << 16)
#define HASH_BITS 15
#define MIN_MATCH 4
#define MAX_MATCH 255
#define MAX_CHAIN 32

static uint32_t hash4(const uint8_t *p) {
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

/* Output format: a literal run is [0, length, bytes...]; a match is [length, offset lo, offset hi]. */
static size_t compress(const uint8_t *in, size_t length, uint8_t *out, int32_t *head, int32_t *chain) {
    for (uint32_t i = 0; i < (1u << HASH_BITS); i++) head[i] = -1;
    size_t out_length = 0, position = 0, literal_start = 0;
    while (position < length) {
        size_t best_length = 0, best_offset = 0;
        if (position + MIN_MATCH <= length) {
            uint32_t h = hash4(in + position);
            int32_t candidate = head[h];
            int chain_steps = 0;
            while (candidate >= 0 && position - (size_t)candidate < WINDOW && chain_steps++ < MAX_CHAIN) {
                size_t match = 0;
                size_t limit = length - position < MAX_MATCH ? length - position : MAX_MATCH;
                while (match < limit && in[candidate + match] == in[position + match]) match++;
                if (match > best_length) {
                    best_length = match;
                    best_offset = position - (size_t)candidate;
                }
                candidate = chain[candidate & (WINDOW - 1)];
            }
            chain[position & (WINDOW - 1)] = head[h];
            head[h] = (int32_t)position;
        }
        if (best_length >= MIN_MATCH) {
            while (literal_start < position) {
                size_t run = position - literal_start > 255 ? 255 : position - literal_start;
                out[out_length++] = 0;
                out[out_length++] = (uint8_t)run;
                memcpy(out + out_length, in + literal_start, run);
                out_length += run;
                literal_start += run;
            }
            out[out_length++] = (uint8_t)best_length;
            out[out_length++] = (uint8_t)best_offset;
            out[out_length++] = (uint8_t)(best_offset >> 8);
            /* Index the skipped positions too, so later matches can find them. */
            for (size_t i = 1; i < best_length && position + i + MIN_MATCH <= length; i++) {
                uint32_t h = hash4(in + position + i);
                chain[(position + i) & (WINDOW - 1)] = head[h];
                head[h] = (int32_t)(position + i);
            }
            position += best_length;
            literal_start = position;
        } else {
            position++;
        }
    }
    while (literal_start < length) {
        size_t run = length - literal_start > 255 ? 255 : length - literal_start;
        out[out_length++] = 0;
        out[out_length++] = (uint8_t)run;
        memcpy(out + out_length, in + literal_start, run);
        out_length += run;
        literal_start += run;
    }
    return out_length;
}

static size_t decompress(const uint8_t *in, size_t length, uint8_t *out) {
    size_t in_position = 0, out_length = 0;
    while (in_position < length) {
        uint8_t tag = in[in_position++];
        if (tag == 0) {
            uint8_t run = in[in_position++];
            memcpy(out + out_length, in + in_position, run);
            in_position += run;
            out_length += run;
        } else {
            size_t offset = in[in_position] | (size_t)in[in_position + 1] << 8;
            in_position += 2;
            for (size_t i = 0; i < tag; i++, out_length++) out[out_length] = out[out_length - offset];
        }
    }
    return out_length;
}

int main(int argc, char **argv) {
    int64_t input_length = bench_size(argc, argv, 10000000);
    uint8_t *input = malloc((size_t)input_length);
    uint8_t *packed = malloc((size_t)input_length * 2 + 16);
    uint8_t *unpacked = malloc((size_t)input_length + 16);
    int32_t *head = malloc(sizeof(int32_t) << HASH_BITS);
    int32_t *chain = malloc(sizeof(int32_t) * WINDOW);
    if (!input || !packed || !unpacked || !head || !chain) return 1;
    /* Semi-repetitive input: copies of earlier stretches mixed with noise and a small alphabet. */
    for (int64_t i = 0; i < input_length;) {
        uint32_t choice = bench_rand32() % 8;
        uint32_t run = 8 + bench_rand32() % 120;
        if (choice < 5 && i > 4096) {
            int64_t from = i - 1 - (int64_t)(bench_rand32() % 4096);
            for (uint32_t k = 0; k < run && i < input_length; k++) input[i++] = input[from + k];
        } else if (choice < 7) {
            for (uint32_t k = 0; k < run && i < input_length; k++) input[i++] = (uint8_t)('a' + bench_rand32() % 6);
        } else {
            for (uint32_t k = 0; k < run && i < input_length; k++) input[i++] = (uint8_t)bench_rand32();
        }
    }
    uint64_t checksum = 0;
    size_t packed_length = 0;
    for (int round = 0; round < 2; round++) {
        packed_length = compress(input, (size_t)input_length, packed, head, chain);
        size_t unpacked_length = decompress(packed, packed_length, unpacked);
        if (unpacked_length != (size_t)input_length || memcmp(unpacked, input, unpacked_length) != 0) {
            puts("round trip failed");
            return 1;
        }
        for (size_t i = 0; i < packed_length; i++) checksum = checksum * 131 + packed[i];
        input[round] ^= 0x5a;
    }
    fprintf(stderr, "%lld -> %zu bytes\n", (long long)input_length, packed_length);
    bench_print_checksum(checksum ^ packed_length);
    free(input);
    free(packed);
    free(unpacked);
    free(head);
    free(chain);
    return 0;
}
