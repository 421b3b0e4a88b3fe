/* 128-bit SIMD kernels written with vector types (GCC and Clang both take `vector_size`; the
 * wasm build adds -msimd128, so every vector operation is a wasm SIMD operator): a 3-tap blur of
 * an 8-bit image through 16-bit lanes, f32x4 saxpy with a dot product, and u32x4 hash mixing.
 * No float-to-int conversions and a fixed reduction order, so native and wasm print the same
 * checksum. */
#include <string.h>
#include "bench_common.h"

typedef float f32x4 __attribute__((vector_size(16)));
typedef uint32_t u32x4 __attribute__((vector_size(16)));
typedef uint16_t u16x8 __attribute__((vector_size(16)));
typedef uint8_t u8x8 __attribute__((vector_size(8)));

#define WIDTH 1024
#define HEIGHT 512
#define FLOATS (1u << 14)
#define WORDS (1u << 14)

static u16x8 load_wide(const uint8_t *p) {
    u8x8 bytes;
    memcpy(&bytes, p, sizeof bytes);
    return __builtin_convertvector(bytes, u16x8);
}

/* One blur pass from `src` to `dst` (the border columns are copied). */
static void blur(const uint8_t *src, uint8_t *dst) {
    for (uint32_t y = 0; y < HEIGHT; y++) {
        const uint8_t *row = src + y * WIDTH;
        uint8_t *out = dst + y * WIDTH;
        out[0] = row[0];
        for (uint32_t x = 1; x + 8 < WIDTH; x += 8) {
            u16x8 sum = load_wide(row + x - 1) + load_wide(row + x) * 2 + load_wide(row + x + 1);
            u8x8 narrow = __builtin_convertvector(sum >> 2, u8x8);
            memcpy(out + x, &narrow, sizeof narrow);
        }
        for (uint32_t x = WIDTH - 8; x < WIDTH; x++) out[x] = row[x];
    }
}

static float saxpy_dot(float a, const float *x, float *y) {
    f32x4 av = {a, a, a, a};
    f32x4 dot = {0, 0, 0, 0};
    for (uint32_t i = 0; i < FLOATS; i += 4) {
        f32x4 xv, yv;
        memcpy(&xv, x + i, sizeof xv);
        memcpy(&yv, y + i, sizeof yv);
        yv = av * xv + yv * 0.5f;
        dot += xv * yv;
        memcpy(y + i, &yv, sizeof yv);
    }
    return (dot[0] + dot[1]) + (dot[2] + dot[3]);
}

static uint32_t mix(uint32_t *words) {
    u32x4 acc = {1, 2, 3, 4};
    for (uint32_t i = 0; i < WORDS; i += 4) {
        u32x4 v;
        memcpy(&v, words + i, sizeof v);
        v ^= v << 13;
        v ^= v >> 17;
        v ^= v << 5;
        v *= 0x9E3779B1u;
        acc = (acc ^ v) * 0x85EBCA77u;
        memcpy(words + i, &v, sizeof v);
    }
    return acc[0] ^ acc[1] ^ acc[2] ^ acc[3];
}

int main(int argc, char **argv) {
    int64_t rounds = bench_size(argc, argv, 600);
    uint8_t *image = malloc(WIDTH * HEIGHT);
    uint8_t *scratch = malloc(WIDTH * HEIGHT);
    float *x = malloc(sizeof(float) * FLOATS);
    float *y = malloc(sizeof(float) * FLOATS);
    uint32_t *words = malloc(sizeof(uint32_t) * WORDS);
    if (!image || !scratch || !x || !y || !words) {
        puts("out of memory");
        return 1;
    }
    for (uint32_t i = 0; i < WIDTH * HEIGHT; i++) image[i] = (uint8_t)bench_rand32();
    for (uint32_t i = 0; i < FLOATS; i++) {
        x[i] = (float)(bench_rand32() >> 8) / 16777216.0f;
        y[i] = 0;
    }
    for (uint32_t i = 0; i < WORDS; i++) words[i] = bench_rand32();

    uint64_t checksum = 0;
    for (int64_t r = 0; r < rounds; r++) {
        blur(image, scratch);
        blur(scratch, image);
        for (int k = 0; k < 8; k++) {
            float dot = saxpy_dot(0.75f, x, y);
            uint32_t bits;
            memcpy(&bits, &dot, sizeof bits);
            checksum = checksum * 31 + bits;
            checksum = checksum * 31 + mix(words);
        }
    }
    for (uint32_t i = 0; i < WIDTH * HEIGHT; i += 61) checksum = checksum * 31 + image[i];
    bench_print_checksum(checksum);
    free(image);
    free(scratch);
    free(x);
    free(y);
    free(words);
    return 0;
}
