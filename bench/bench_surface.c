/* bench_surface.c — the 2-D loss surface of an MLP on the digits data through
   llp_surface_compute, the driver the figures and the report use.

   Data: data/digits.csv, all 1797 samples, standardised. Models: the
   64-32-10 tanh MLP of the landscape figures and config B of bench_mlp
   (64-128-128-10), softmax cross-entropy, Glorot initialisation (seed 7).
   Directions: filter-normalised Gaussian, biases zero, the second
   Gram-Schmidt-ed against the first. The surface: 51 x 51 over [-1, 1]^2,
   2601 points, full data at every point, loss and accuracy.

   Timed, each as the median of --runs runs (default 3) after one warm-up:
     driver      llp_surface_compute in memory: the MLP fast path, one
                 llp_mlp_plane_loss call per scan line (first-layer products
                 shared along the plane, no backward-pass storage);
     driver+file the same with desc.path: every scan line appended and
                 flushed to <tmp>.part as it is computed, renamed at the end;
     pointwise   the same surface through a callback objective wrapping the
                 MLP's loss, so the driver evaluates point by point (a full
                 forward pass each): what a generic objective costs.
   Before timing, the fast path's losses are checked against the pointwise
   ones at every point (1e-12 relative; 1e-5 in a float build) and against
   llp_mlp_accuracy at nine points; on a mismatch nothing is timed and the
   exit status is 1.

   usage: bench_surface [--runs N] [--quick] [path/to/digits.csv]
   --quick: one run, 21 x 21 points (a smoke test). */
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const char *what, llp_result r) {
    fprintf(stderr, "bench_surface: %s: %s\n", what, llp_result_string(r));
    exit(2);
}

/* The MLP objective's loss behind a plain callback: the driver cannot see it
   is an MLP and evaluates point by point. */
static llp_result wrapped_loss(void *ctx, const llp_real *theta, const llp_batch *batch, llp_real *loss,
                               llp_real *grad) {
    const llp_objective *f = (const llp_objective *)ctx;
    return f->loss_grad(f->ctx, theta, batch, loss, grad);
}

static llp_result wrapped_accuracy(void *ctx, const llp_real *theta, const llp_batch *batch, double *acc) {
    const llp_objective *f = (const llp_objective *)ctx;
    return f->accuracy(f->ctx, theta, batch, acc);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct model_case {
    const char *name;
    int n_layers, sizes[4];
} model_case;

int main(int argc, char **argv) {
    static const model_case cases[2] = {{"64-32-10", 2, {64, 32, 10, 0}}, {"64-128-128-10 (B)", 3, {64, 128, 128, 10}}};
    const char *path = NULL, *root = getenv("LLP_SOURCE_ROOT");
    char buf[4096], tmpname[64];
    int runs = 3, quick = 0, i, c, ok = 1;
    size_t grid = 51;
    llp_data data;
    llp_csv_desc csv;
    llp_error err;
    llp_result r;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--quick") == 0) quick = 1;
        else if (argv[i][0] != '-') path = argv[i];
        else {
            fprintf(stderr, "usage: bench_surface [--runs N] [--quick] [path/to/digits.csv]\n");
            return 2;
        }
    }
    if (quick) runs = 1, grid = 21;
    if (runs < 1) runs = 1;
    if (runs > 16) runs = 16;
    if (!path && root && *root) {
        snprintf(buf, sizeof buf, "%s/data/digits.csv", root);
        path = buf;
    }
    if (!path) path = "data/digits.csv";
    memset(&csv, 0, sizeof csv);
    if (llp_data_load_csv(&data, path, &csv, &err) != LLP_OK) {
        fprintf(stderr, "%s:%ld:%ld: %s\n", err.file, err.line, err.column, err.message);
        return 2;
    }
    if ((r = llp_data_standardize(&data, NULL, NULL)) != LLP_OK) die("llp_data_standardize", r);
    snprintf(tmpname, sizeof tmpname, "bench_surface_%ld.dat", (long)time(NULL) % 100000);
    printf("digits: %lu samples; %lu x %lu surface over [-1, 1]^2, loss and accuracy at every point, full data\n",
           (unsigned long)data.n, (unsigned long)grid, (unsigned long)grid);
    printf("%-18s %9s %12s %12s %12s %10s %10s\n", "model", "params", "driver s", "driver+file s", "pointwise s",
           "speedup", "us/point");

    for (c = 0; c < 2; c++) {
        llp_mlp_desc md;
        llp_mlp mlp;
        llp_mlp_objective mo;
        llp_objective f, g;
        llp_rng rng;
        llp_real *d1, *d2;
        llp_surface_desc sd;
        llp_surface fast, slow;
        double t[3][16], med[3], worst = 0;
        size_t n, p, N = grid * grid;
        int mode, k;
        memset(&md, 0, sizeof md);
        md.n_layers = cases[c].n_layers;
        for (k = 0; k <= md.n_layers; k++) md.sizes[k] = cases[c].sizes[k];
        md.act = LLP_ACT_TANH;
        md.loss = LLP_LOSS_SOFTMAX_CE;
        if ((r = llp_mlp_init(&mlp, &md)) != LLP_OK) die("llp_mlp_init", r);
        llp_rng_seed(&rng, 7);
        llp_mlp_randomize(&mlp, mlp.theta, &rng);
        n = mlp.n_params;
        if ((r = llp_mlp_objective_init(&mo, &mlp, &data, 0)) != LLP_OK) die("llp_mlp_objective_init", r);
        f = llp_mlp_objective_get(&mo);
        g = llp_objective_from_callbacks(n, data.n, wrapped_loss, NULL, &f);
        g.accuracy = wrapped_accuracy;
        g.ctx = &f;
        d1 = (llp_real *)malloc(n * sizeof(llp_real));
        d2 = (llp_real *)malloc(n * sizeof(llp_real));
        if (!d1 || !d2) die("malloc", LLP_ERR_NOMEM);
        llp_direction_random(&mlp, mlp.theta, n, LLP_DIR_GAUSSIAN, LLP_DIR_NORM_FILTER, LLP_DIR_BIAS_ZERO, &rng, d1);
        llp_direction_random(&mlp, mlp.theta, n, LLP_DIR_GAUSSIAN, LLP_DIR_NORM_FILTER, LLP_DIR_BIAS_ZERO, &rng, d2);
        if ((r = llp_direction_orthogonalize(d1, d2, n, NULL)) != LLP_OK) die("llp_direction_orthogonalize", r);
        memset(&sd, 0, sizeof sd);
        sd.nx = sd.ny = grid;

        /* check: fast path = pointwise path, accuracy = llp_mlp_accuracy */
        if ((r = llp_surface_compute(&f, NULL, mlp.theta, d1, d2, &sd, &fast, &err)) != LLP_OK) die(err.message, r);
        if ((r = llp_surface_compute(&g, NULL, mlp.theta, d1, d2, &sd, &slow, &err)) != LLP_OK) die(err.message, r);
        for (p = 0; p < N; p++) {
            double e = fabs(fast.train_loss[p] - slow.train_loss[p]) / fabs(slow.train_loss[p]);
            if (e > worst) worst = e;
            if (fast.train_acc[p] != slow.train_acc[p]) ok = 0;
        }
        if (worst > (LLP_REAL_IS_FLOAT ? 1e-5 : 1e-12)) ok = 0;
        llp_surface_free(&fast);
        llp_surface_free(&slow);
        if (!ok) {
            fprintf(stderr, "bench_surface: %s: fast path and pointwise path disagree (worst relative %.3g)\n",
                    cases[c].name, worst);
            return 1;
        }

        for (mode = 0; mode < 3; mode++) {
            for (k = -1; k < runs; k++) { /* k = -1: warm-up */
                double t0;
                sd.path = mode == 1 ? tmpname : NULL;
                remove(tmpname);
                t0 = now_s();
                r = llp_surface_compute(mode == 2 ? &g : &f, NULL, mlp.theta, d1, d2, &sd, &fast, &err);
                if (r != LLP_OK) die(err.message, r);
                if (k >= 0) t[mode][k] = now_s() - t0;
                llp_surface_free(&fast);
            }
            remove(tmpname);
            qsort(t[mode], (size_t)runs, sizeof(double), cmp_double);
            med[mode] = t[mode][runs / 2];
        }
        printf("%-18s %9lu %12.3f %12.3f %12.3f %9.2fx %10.1f\n", cases[c].name, (unsigned long)n, med[0], med[1],
               med[2], med[2] / med[0], 1e6 * med[0] / (double)N);
        printf("%-18s fast path = pointwise to %.1e relative at all %lu points\n", "", worst, (unsigned long)N);
        free(d1);
        free(d2);
        llp_mlp_objective_free(&mo);
        llp_mlp_free(&mlp);
    }
    llp_data_free(&data);
    return 0;
}
