/* f64 math: the classic n-body simulation (only + - * / sqrt, so every libm gives the same bits). */
#include <math.h>
#include <string.h>
#include "bench_common.h"

#define BODIES 5
static const double PI = 3.141592653589793;
static const double SOLAR_MASS = 4 * 3.141592653589793 * 3.141592653589793;
static const double DAYS_PER_YEAR = 365.24;

typedef struct {
    double x, y, z, vx, vy, vz, mass;
} Body;

static void advance(Body *bodies, double dt) {
    for (int i = 0; i < BODIES; i++) {
        Body *bi = &bodies[i];
        for (int j = i + 1; j < BODIES; j++) {
            Body *bj = &bodies[j];
            double dx = bi->x - bj->x, dy = bi->y - bj->y, dz = bi->z - bj->z;
            double distance_squared = dx * dx + dy * dy + dz * dz;
            double distance = sqrt(distance_squared);
            double magnitude = dt / (distance_squared * distance);
            bi->vx -= dx * bj->mass * magnitude;
            bi->vy -= dy * bj->mass * magnitude;
            bi->vz -= dz * bj->mass * magnitude;
            bj->vx += dx * bi->mass * magnitude;
            bj->vy += dy * bi->mass * magnitude;
            bj->vz += dz * bi->mass * magnitude;
        }
    }
    for (int i = 0; i < BODIES; i++) {
        bodies[i].x += dt * bodies[i].vx;
        bodies[i].y += dt * bodies[i].vy;
        bodies[i].z += dt * bodies[i].vz;
    }
}

static double energy(const Body *bodies) {
    double e = 0.0;
    for (int i = 0; i < BODIES; i++) {
        const Body *bi = &bodies[i];
        e += 0.5 * bi->mass * (bi->vx * bi->vx + bi->vy * bi->vy + bi->vz * bi->vz);
        for (int j = i + 1; j < BODIES; j++) {
            const Body *bj = &bodies[j];
            double dx = bi->x - bj->x, dy = bi->y - bj->y, dz = bi->z - bj->z;
            e -= bi->mass * bj->mass / sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

static uint64_t bits(double value) {
    uint64_t out;
    memcpy(&out, &value, sizeof out);
    return out;
}

int main(int argc, char **argv) {
    int64_t steps = bench_size(argc, argv, 10000000);
    Body bodies[BODIES] = {
        {0, 0, 0, 0, 0, 0, SOLAR_MASS},
        {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
         1.66007664274403694e-03 * DAYS_PER_YEAR, 7.69901118419740425e-03 * DAYS_PER_YEAR,
         -6.90460016972063023e-05 * DAYS_PER_YEAR, 9.54791938424326609e-04 * SOLAR_MASS},
        {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
         -2.76742510726862411e-03 * DAYS_PER_YEAR, 4.99852801234917238e-03 * DAYS_PER_YEAR,
         2.30417297573763929e-05 * DAYS_PER_YEAR, 2.85885980666130812e-04 * SOLAR_MASS},
        {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
         2.96460137564761618e-03 * DAYS_PER_YEAR, 2.37847173959480950e-03 * DAYS_PER_YEAR,
         -2.96589568540237556e-05 * DAYS_PER_YEAR, 4.36624404335156298e-05 * SOLAR_MASS},
        {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
         2.68067772490389322e-03 * DAYS_PER_YEAR, 1.62824170038242295e-03 * DAYS_PER_YEAR,
         -9.51592254519715870e-05 * DAYS_PER_YEAR, 5.15138902046611451e-05 * SOLAR_MASS},
    };
    (void)PI;
    double px = 0, py = 0, pz = 0;
    for (int i = 0; i < BODIES; i++) {
        px += bodies[i].vx * bodies[i].mass;
        py += bodies[i].vy * bodies[i].mass;
        pz += bodies[i].vz * bodies[i].mass;
    }
    bodies[0].vx = -px / SOLAR_MASS;
    bodies[0].vy = -py / SOLAR_MASS;
    bodies[0].vz = -pz / SOLAR_MASS;
    double before = energy(bodies);
    for (int64_t step = 0; step < steps; step++) advance(bodies, 0.01);
    double after = energy(bodies);
    fprintf(stderr, "energy: %.9f -> %.9f\n", before, after);
    bench_print_checksum(bits(before) ^ (bits(after) * 31));
    return 0;
}
