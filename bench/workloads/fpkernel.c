/* fpkernel: double-precision throughput — n-body steps and a dense matrix multiply. */
#include <math.h>
#include <stdio.h>

#define NB 5
#define N 96

struct body { double x, y, z, vx, vy, vz, m; };

static void nbody(struct body *b, int steps, double dt)
{
    for (int s = 0; s < steps; s++) {
        for (int i = 0; i < NB; i++)
            for (int j = i + 1; j < NB; j++) {
                double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
                double d2 = dx * dx + dy * dy + dz * dz;
                double mag = dt / (d2 * sqrt(d2));
                b[i].vx -= dx * b[j].m * mag;
                b[i].vy -= dy * b[j].m * mag;
                b[i].vz -= dz * b[j].m * mag;
                b[j].vx += dx * b[i].m * mag;
                b[j].vy += dy * b[i].m * mag;
                b[j].vz += dz * b[i].m * mag;
            }
        for (int i = 0; i < NB; i++) {
            b[i].x += dt * b[i].vx;
            b[i].y += dt * b[i].vy;
            b[i].z += dt * b[i].vz;
        }
    }
}

static double a[N][N], bm[N][N], c[N][N];

int main(void)
{
    struct body bodies[NB];
    for (int i = 0; i < NB; i++)
        bodies[i] = (struct body){ i * 1.5 + 0.1, i * -0.7 + 0.2, i * 0.3, 0.01 * i, -0.02 * i, 0.005, 1.0 + i };
    nbody(bodies, 400000, 0.001);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = (double)(i * N + j) / (N * N);
            bm[i][j] = (double)((i + 7) * (j + 3) % 17) - 8.0;
        }
    for (int rep = 0; rep < 10; rep++)
        for (int i = 0; i < N; i++)
            for (int k = 0; k < N; k++) {
                double aik = a[i][k];
                for (int j = 0; j < N; j++)
                    c[i][j] += aik * bm[k][j];
            }
    double tr = 0;
    for (int i = 0; i < N; i++)
        tr += c[i][i] + c[i][N - 1 - i];
    printf("fpkernel: %.6f %.6f %.6f\n", bodies[0].x, bodies[NB - 1].vz, tr);
    return 0;
}
