/* f64 math with a data-dependent loop exit: Mandelbrot set membership on a grid, then a few
 * spectral-norm power iterations (divisions and sqrt). */
#include <math.h>
#include <string.h>
#include "bench_common.h"

static double spectral_a(int i, int j) { return 1.0 / ((i + j) * (i + j + 1) / 2 + i + 1); }

static void multiply_av(int n, const double *v, double *out) {
    for (int i = 0; i < n; i++) {
        double sum = 0;
        for (int j = 0; j < n; j++) sum += spectral_a(i, j) * v[j];
        out[i] = sum;
    }
}

static void multiply_atv(int n, const double *v, double *out) {
    for (int i = 0; i < n; i++) {
        double sum = 0;
        for (int j = 0; j < n; j++) sum += spectral_a(j, i) * v[j];
        out[i] = sum;
    }
}

int main(int argc, char **argv) {
    int size = (int)bench_size(argc, argv, 2400);
    uint64_t checksum = 0;
    uint32_t inside = 0;
    for (int py = 0; py < size; py++) {
        double ci = 2.0 * py / size - 1.0;
        uint32_t row_bits = 0;
        for (int px = 0; px < size; px++) {
            double cr = 2.0 * px / size - 1.5;
            double zr = 0, zi = 0;
            int iteration = 0;
            while (iteration < 50 && zr * zr + zi * zi <= 4.0) {
                double next_zr = zr * zr - zi * zi + cr;
                zi = 2.0 * zr * zi + ci;
                zr = next_zr;
                iteration++;
            }
            if (iteration == 50) {
                inside++;
                row_bits ^= (uint32_t)px * 2654435761u;
            }
        }
        checksum = checksum * 1000003 + row_bits;
    }
    int n = size / 2;
    double *u = malloc(sizeof(double) * n), *v = malloc(sizeof(double) * n),
           *tmp = malloc(sizeof(double) * n);
    if (!u || !v || !tmp) return 1;
    for (int i = 0; i < n; i++) u[i] = 1.0;
    for (int round = 0; round < 10; round++) {
        multiply_av(n, u, tmp);
        multiply_atv(n, tmp, v);
        multiply_av(n, v, tmp);
        multiply_atv(n, tmp, u);
    }
    double vbv = 0, vv = 0;
    for (int i = 0; i < n; i++) {
        vbv += u[i] * v[i];
        vv += v[i] * v[i];
    }
    double norm = sqrt(vbv / vv);
    uint64_t norm_bits;
    memcpy(&norm_bits, &norm, sizeof norm_bits);
    fprintf(stderr, "inside: %u, spectral norm: %.9f\n", inside, norm);
    bench_print_checksum(checksum ^ norm_bits ^ inside);
    free(u);
    free(v);
    free(tmp);
    return 0;
}
