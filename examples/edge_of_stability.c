/* edge_of_stability.c — the sharpness lambda_max tracked during full-batch
   gradient descent, against the stability limit 2/eta.

   Gradient descent with step eta on a quadratic diverges once the largest
   Hessian eigenvalue exceeds 2/eta. On neural networks, full-batch gradient
   descent shows "progressive sharpening": lambda_max grows during training
   until it reaches about 2/eta and then hovers there while the loss keeps
   decreasing, non-monotonically (Cohen et al. 2021, "the edge of
   stability").

   A 64-32-10 tanh MLP with mean squared error on one-hot targets (the loss
   in which the effect is clearest) trains on 500 samples of the digits data
   (standardised) by full-batch gradient descent, for two step sizes. With
   eta = 1.5 the sharpness at initialisation (about 2.1) is above 2/eta =
   1.33: the first steps push it below, then it climbs back and settles at
   2/eta while the loss keeps falling. With eta = 0.6 (2/eta = 3.3) it stays
   well below the limit: this small network shows little progressive
   sharpening on its own (its sharpness drifts down). Every
   10 steps lambda_max of the full-batch Hessian is measured by power
   iteration (up to 30 iterations, tolerance 1e-3, warm-started from the
   previous top eigenvector). Output: edge_of_stability.dat, one block per
   step size (gnuplot: index i), columns step loss lambda_max two_over_eta.
   plots/edge_of_stability.gp draws it.

   usage: edge_of_stability [--seed N] [--out DIR] [path/to/digits.csv]
   Same seed, same bytes in the output file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"

#ifndef DIGITS_CSV /* meson compiles in the absolute path; by hand, run from the repository root */
#define DIGITS_CSV "data/digits.csv"
#endif
#define N_SAMPLES 500
#define N_STEPS 3000
#define EVERY 10
#define N_ETA 2

static int fail(const char *what, llp_result r) {
    fprintf(stderr, "edge_of_stability: %s: %s\n", what, llp_result_string(r));
    return 2;
}

static int fail_err(const llp_error *err) {
    fprintf(stderr, "%s:%ld:%ld: %s\n", err->file, err->line, err->column, err->message);
    return 2;
}

int main(int argc, char **argv) {
    static const double etas[N_ETA] = {1.5, 0.6};
    const char *path = NULL, *outdir = ".", *root = getenv("LLP_SOURCE_ROOT");
    char buf[4096], file[4096], line[512];
    unsigned long seed = 42;
    llp_data all, sub, reg;
    llp_csv_desc csv;
    llp_error err;
    llp_mlp_desc md;
    llp_mlp mlp;
    llp_mlp_objective mo;
    llp_objective f;
    llp_rng rng;
    llp_real *theta0, *v;
    size_t idx[N_SAMPLES], i, j, n;
    llp_result r;
    int k, e;
    FILE *out;
    char *text = NULL;
    size_t text_len = 0, text_cap = 0;

    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--seed") == 0 && k + 1 < argc) seed = strtoul(argv[++k], NULL, 10);
        else if (strcmp(argv[k], "--out") == 0 && k + 1 < argc) outdir = argv[++k];
        else if (argv[k][0] != '-') path = argv[k];
        else {
            fprintf(stderr, "usage: edge_of_stability [--seed N] [--out DIR] [path/to/digits.csv]\n");
            return 2;
        }
    }
    if (!path && root && *root) {
        snprintf(buf, sizeof buf, "%s/data/digits.csv", root);
        path = buf;
    }
    if (!path) path = DIGITS_CSV;

    /* 500 digits, standardised, as a regression onto one-hot targets */
    memset(&csv, 0, sizeof csv);
    if (llp_data_load_csv(&all, path, &csv, &err) != LLP_OK) return fail_err(&err);
    if (all.task != LLP_TASK_CLASSIFICATION || all.n < N_SAMPLES) {
        fprintf(stderr, "edge_of_stability: %s: expected a classification set of at least %d samples\n", path,
                N_SAMPLES);
        return 2;
    }
    llp_rng_seed(&rng, seed);
    {
        size_t *perm = (size_t *)malloc(all.n * sizeof *perm);
        if (!perm) return fail("allocation", LLP_ERR_NOMEM);
        llp_rng_permutation(&rng, perm, all.n);
        for (i = 0; i < N_SAMPLES; i++) idx[i] = perm[i];
        free(perm);
    }
    if ((r = llp_data_subset(&all, idx, N_SAMPLES, &sub)) != LLP_OK) return fail("llp_data_subset", r);
    if ((r = llp_data_standardize(&sub, NULL, NULL)) != LLP_OK) return fail("llp_data_standardize", r);
    if ((r = llp_data_alloc(&reg, N_SAMPLES, sub.d, LLP_TASK_REGRESSION, sub.n_classes)) != LLP_OK)
        return fail("llp_data_alloc", r);
    llp_copy(sub.x, reg.x, N_SAMPLES * sub.d);
    for (i = 0; i < N_SAMPLES; i++)
        for (j = 0; j < sub.n_classes; j++) reg.y[i * sub.n_classes + j] = (llp_real)(sub.labels[i] == (int)j);

    memset(&md, 0, sizeof md);
    md.n_layers = 2;
    md.sizes[0] = (int)sub.d, md.sizes[1] = 32, md.sizes[2] = (int)sub.n_classes;
    md.act = LLP_ACT_TANH;
    md.loss = LLP_LOSS_MSE;
    if ((r = llp_mlp_init(&mlp, &md)) != LLP_OK) return fail("llp_mlp_init", r);
    llp_mlp_randomize(&mlp, mlp.theta, &rng);
    if ((r = llp_mlp_objective_init(&mo, &mlp, &reg, 0)) != LLP_OK) return fail("llp_mlp_objective_init", r);
    f = llp_mlp_objective_get(&mo);
    n = mlp.n_params;
    theta0 = (llp_real *)malloc(2 * n * sizeof *theta0);
    if (!theta0) return fail("allocation", LLP_ERR_NOMEM);
    v = theta0 + n;
    llp_copy(mlp.theta, theta0, n);
    printf("data     %s: %d samples, MSE on one-hot targets; model %d-32-%d tanh, %lu parameters\n", path, N_SAMPLES,
           md.sizes[0], md.sizes[2], (unsigned long)n);

#define APPEND(...)                                                                      \
    do {                                                                                 \
        int len_ = snprintf(line, sizeof line, __VA_ARGS__);                             \
        if (text_len + (size_t)len_ + 1 > text_cap) {                                    \
            text_cap = 2 * (text_cap + (size_t)len_ + 1024);                             \
            text = (char *)realloc(text, text_cap);                                      \
            if (!text) return fail("allocation", LLP_ERR_NOMEM);                         \
        }                                                                                \
        memcpy(text + text_len, line, (size_t)len_ + 1);                                 \
        text_len += (size_t)len_;                                                        \
    } while (0)
    APPEND("# edge_of_stability: full-batch gradient descent on a %d-32-%d tanh MLP, MSE on one-hot digits "
           "targets, %d samples, seed %lu\n",
           md.sizes[0], md.sizes[2], N_SAMPLES, seed);
    APPEND("# lambda_max of the full-batch Hessian every %d steps: power iteration, <= 30 iterations, tol 1e-3, "
           "warm start\n# batch: full data (%d samples) for every step and product\n",
           EVERY, N_SAMPLES);
    APPEND("# columns: step loss lambda_max two_over_eta; one block per step size (gnuplot: index i)\n");

    for (e = 0; e < N_ETA; e++) {
        llp_opt_desc od;
        llp_opt opt;
        llp_real *state;
        size_t sl, step, above = 0, rows = 0;
        double peak = 0;
        llp_batch all_b = llp_batch_all();
        memset(&od, 0, sizeof od);
        od.kind = LLP_OPT_SGD, od.lr = etas[e];
        sl = llp_opt_state_size(&od, n);
        state = (llp_real *)malloc(sl * sizeof *state);
        if (!state) return fail("allocation", LLP_ERR_NOMEM);
        if ((r = llp_opt_init(&opt, &od, n, state, sl)) != LLP_OK) return fail("llp_opt_init", r);
        llp_copy(theta0, mlp.theta, n);
        llp_rng_seed(&rng, seed + 100 + (uint64_t)e);
        llp_rng_fill_normal(&rng, v, n);
        APPEND("%s# eta %g (2/eta = %g)\n", e ? "\n\n" : "", etas[e], 2 / etas[e]);
        for (step = 0; step <= N_STEPS; step++) {
            llp_opt_info info;
            if (step % EVERY == 0) {
                llp_power_desc pd;
                llp_eig_result eig;
                llp_batch_policy bp = llp_batch_policy_full();
                llp_real l;
                memset(&pd, 0, sizeof pd);
                pd.max_iter = 30, pd.tol = 1e-3, pd.v0 = v, pd.want_vectors = 1;
                if ((r = llp_power_iteration(&f, mlp.theta, &bp, &pd, &rng, &eig)) != LLP_OK)
                    return fail("llp_power_iteration", r);
                llp_copy(eig.vectors, v, n); /* warm start for the next measurement */
                if ((r = llp_objective_loss(&f, mlp.theta, &all_b, &l)) != LLP_OK) return fail("loss", r);
                APPEND("%lu %.17g %.17g %.17g\n", (unsigned long)step, (double)l, eig.values[0], 2 / etas[e]);
                if (eig.values[0] > peak) peak = eig.values[0];
                if (eig.values[0] > 0.9 * 2 / etas[e]) above++;
                rows++;
                llp_eig_result_free(&eig);
            }
            if (step == N_STEPS) break;
            r = llp_opt_step(&opt, &f, mlp.theta, &all_b, &info);
            if (r != LLP_OK) return fail("llp_opt_step", r);
        }
        printf("eta %-5g 2/eta %6.1f  peak lambda_max %7.2f, within 10%% of 2/eta or above in %lu of %lu "
               "measurements\n",
               etas[e], 2 / etas[e], peak, (unsigned long)above, (unsigned long)rows);
        free(state);
    }
#undef APPEND

    /* atomic: the whole text to a temporary file, then rename */
    snprintf(file, sizeof file, "%s/edge_of_stability.dat.tmp", outdir);
    out = fopen(file, "wb");
    if (!out || fwrite(text, 1, text_len, out) != text_len || fclose(out) != 0) {
        fprintf(stderr, "edge_of_stability: cannot write %s\n", file);
        return 2;
    }
    snprintf(buf, sizeof buf, "%s/edge_of_stability.dat", outdir);
    if (rename(file, buf) != 0) {
        fprintf(stderr, "edge_of_stability: cannot rename %s\n", file);
        return 2;
    }
    free(text);
    free(theta0);
    llp_mlp_objective_free(&mo);
    llp_mlp_free(&mlp);
    llp_data_free(&all);
    llp_data_free(&sub);
    llp_data_free(&reg);
    return 0;
}
