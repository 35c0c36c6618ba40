/* engine_tour.c — the llprobe engine on the digits data. Trains nothing.

   Loads data/digits.csv, standardises it, builds a 64-32-32-10 tanh MLP with
   softmax cross-entropy at its random initialisation, and prints the loss,
   the gradient norm and two Rayleigh quotients of the exact Hessian:
       v'Hv / v'v    along a random Gaussian direction v,
       g'Hg / g'g    along the gradient g.
   Then it writes engine_tour_gradient_slice.dat: the loss along the negative
   normalised gradient, L(theta - alpha g/||g||) for alpha in [-1, 1], next to
   the quadratic model L0 - alpha ||g|| + alpha^2/2 g'Hg/g'g built from the
   same three numbers. plots/engine_tour.gp draws it.

   usage: engine_tour [--seed N] [--out DIR] [path/to/digits.csv]
   Same seed, same bytes in the .dat file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"

#ifndef DIGITS_CSV /* meson compiles in the absolute path; by hand, run from the repository root */
#define DIGITS_CSV "data/digits.csv"
#endif
#define N_ALPHA 101 /* alpha = -1, -0.98, ..., 1: 0 is exactly point 50 */

static int fail(const char *what, llp_result r) {
    fprintf(stderr, "engine_tour: %s: %s\n", what, llp_result_string(r));
    return 2;
}

static int fail_err(const llp_error *err) {
    fprintf(stderr, "%s:%ld:%ld: %s\n", err->file, err->line, err->column, err->message);
    return 2;
}

int main(int argc, char **argv) {
    const char *path = NULL, *outdir = ".", *root = getenv("LLP_SOURCE_ROOT");
    char buf[4096], file[4096], header[1024];
    unsigned long seed = 42;
    llp_data data;
    llp_csv_desc csv = {0};
    llp_error err;
    llp_mlp_desc md = {0};
    llp_mlp mlp;
    llp_mlp_objective mo;
    llp_objective f;
    llp_rng rng;
    llp_real *theta, *g, *v, *hv, *step, loss0;
    double gnorm, rq_v, rq_g, table[N_ALPHA][3];
    size_t n, i;
    llp_result r;
    int k, status = 0;
    static const char *const columns[3] = {"alpha", "loss", "quadratic_model"};

    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--seed") == 0 && k + 1 < argc) seed = strtoul(argv[++k], NULL, 10);
        else if (strcmp(argv[k], "--out") == 0 && k + 1 < argc) outdir = argv[++k];
        else if (argv[k][0] != '-') path = argv[k];
        else {
            fprintf(stderr, "usage: engine_tour [--seed N] [--out DIR] [path/to/digits.csv]\n");
            return 2;
        }
    }
    if (!path && root && *root) {
        snprintf(buf, sizeof buf, "%s/data/digits.csv", root);
        path = buf;
    }
    if (!path) path = DIGITS_CSV;

    /* the data: 1797 images of 8x8 pixels, standardised per pixel */
    if (llp_data_load_csv(&data, path, &csv, &err) != LLP_OK) return fail_err(&err);
    if ((r = llp_data_standardize(&data, NULL, NULL)) != LLP_OK) return fail("llp_data_standardize", r);
    printf("data        %s\n", path);
    printf("            %lu samples x %lu features, %lu classes, standardised\n", (unsigned long)data.n,
           (unsigned long)data.d, (unsigned long)data.n_classes);

    /* the model: 64-32-32-10, tanh, softmax cross-entropy, default (Glorot) init */
    md.n_layers = 3;
    md.sizes[0] = (int)data.d;
    md.sizes[1] = 32;
    md.sizes[2] = 32;
    md.sizes[3] = (int)data.n_classes;
    md.act = LLP_ACT_TANH;
    md.loss = LLP_LOSS_SOFTMAX_CE;
    if ((r = llp_mlp_init(&mlp, &md)) != LLP_OK) return fail("llp_mlp_init", r);
    llp_rng_seed(&rng, seed);
    llp_mlp_randomize(&mlp, mlp.theta, &rng);
    if ((r = llp_mlp_objective_init(&mo, &mlp, &data, 0)) != LLP_OK) return fail("llp_mlp_objective_init", r);
    f = llp_mlp_objective_get(&mo);
    n = f.n;
    theta = mlp.theta;
    printf("model       %d-%d-%d-%d tanh, softmax cross-entropy, seed %lu\n", md.sizes[0], md.sizes[1], md.sizes[2],
           md.sizes[3], seed);
    printf("parameters  %lu\n", (unsigned long)n);

    g = (llp_real *)malloc(4 * n * sizeof *g);
    if (!g) return fail("malloc", LLP_ERR_NOMEM);
    v = g + n;
    hv = v + n;
    step = hv + n;

    /* loss and gradient over the full batch (batch NULL = all samples) */
    if ((r = llp_objective_loss_grad(&f, theta, NULL, &loss0, g)) != LLP_OK) return fail("gradient", r);
    gnorm = llp_nrm2(g, n);
    printf("loss        %.6f\n", (double)loss0);
    printf("||grad||    %.6f\n", gnorm);

    /* curvature along a random direction and along the gradient: exact HVPs */
    llp_rng_fill_normal(&rng, v, n);
    if ((r = llp_objective_hvp(&f, theta, v, NULL, hv)) != LLP_OK) return fail("hvp", r);
    rq_v = llp_dot(v, hv, n) / llp_dot(v, v, n);
    llp_copy(g, v, n);
    llp_scale((llp_real)(1.0 / gnorm), v, n); /* v = g/||g|| */
    if ((r = llp_objective_hvp(&f, theta, v, NULL, hv)) != LLP_OK) return fail("hvp", r);
    rq_g = llp_dot(v, hv, n); /* v is a unit vector */
    printf("v'Hv/v'v    %.6f   (v random Gaussian)\n", rq_v);
    printf("g'Hg/g'g    %.6f   (along the gradient)\n", rq_g);

    /* the slice: loss at theta - alpha g/||g||, and the quadratic model */
    for (i = 0; i < N_ALPHA; i++) {
        double alpha = ((double)i - (N_ALPHA - 1) / 2) / ((N_ALPHA - 1) / 2);
        llp_real loss;
        llp_copy(theta, step, n);
        llp_axpy((llp_real)-alpha, v, step, n);
        if ((r = llp_objective_loss(&f, step, NULL, &loss)) != LLP_OK) return fail("loss", r);
        table[i][0] = alpha;
        table[i][1] = loss;
        table[i][2] = loss0 - alpha * gnorm + 0.5 * alpha * alpha * rq_g;
    }
    snprintf(header, sizeof header,
             "engine_tour: loss along the negative normalised gradient, theta - alpha * g/||g||\n"
             "data: %.200s, %lu samples x %lu features, standardised, full batch\n"
             "model: %d-%d-%d-%d tanh, softmax cross-entropy, default init, seed %lu (untrained)\n"
             "direction: -g/||g|| at theta, ||g|| = %.6g, g'Hg/g'g = %.6g, L0 = %.6g\n"
             "quadratic_model = L0 - alpha ||g|| + alpha^2/2 g'Hg/g'g",
             strrchr(path, '/') ? strrchr(path, '/') + 1 : path, /* the file name, not where it lives */
             (unsigned long)data.n, (unsigned long)data.d, md.sizes[0], md.sizes[1], md.sizes[2], md.sizes[3], seed,
             gnorm, rq_g, (double)loss0);
    snprintf(file, sizeof file, "%s/engine_tour_gradient_slice.dat", outdir);
    if (llp_write_table(file, header, columns, &table[0][0], N_ALPHA, 3, 0, 0, &err) != LLP_OK)
        status = fail_err(&err);
    else
        printf("wrote       %s (%d points, alpha in [-1, 1])\n", file, N_ALPHA);

    free(g);
    llp_mlp_objective_free(&mo);
    llp_mlp_free(&mlp);
    llp_data_free(&data);
    return status;
}
