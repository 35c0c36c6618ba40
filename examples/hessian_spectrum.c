/* hessian_spectrum.c — the Hessian of an MLP on the digits data, at its
   initialisation and after training.

   Loads data/digits.csv, splits it 80/20 (seeded), standardises with the
   training statistics and builds a 64-32-32-10 tanh MLP with softmax
   cross-entropy. At initialisation and again after 30 epochs of Adam
   (mini-batches of 32), on the full training split:
     - the spectral density by stochastic Lanczos quadrature (10 runs x 80
       steps, Rademacher starts, Gaussian broadening of standard deviation
       1% of the spread) -> hessian_density_init.dat, hessian_density_trained.dat;
     - the 5 largest and 5 smallest eigenvalues by Lanczos with full
       reorthogonalisation, and the trace by Hutchinson (at least 30, at most
       200 Rademacher probes, stop at 2% standard error) -> hessian_summary.dat
       (one row per stage) and hessian_extremes.dat;
     - per layer: the top eigenvalue and the trace of the layer's diagonal
       block of the Hessian -> hessian_layers.dat.
   plots/hessian_spectrum.gp draws them.

   usage: hessian_spectrum [--seed N] [--out DIR] [path/to/digits.csv]
   Same seed, same bytes in every output file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"

#ifndef DIGITS_CSV /* meson compiles in the absolute path; by hand, run from the repository root */
#define DIGITS_CSV "data/digits.csv"
#endif
#define N_EXT 5

static int fail(const char *what, llp_result r) {
    fprintf(stderr, "hessian_spectrum: %s: %s\n", what, llp_result_string(r));
    return 2;
}

static int fail_err(const llp_error *err) {
    fprintf(stderr, "%s:%ld:%ld: %s\n", err->file, err->line, err->column, err->message);
    return 2;
}

/* Everything measured at one stage. */
typedef struct stage {
    double lmax, lmin, trace, trace_se, neg_ratio, slq_trace, ext[2 * N_EXT];
    size_t trace_samples, hvps;
    double layer_top[3], layer_trace[3], layer_trace_se[3];
} stage;

static llp_result measure(const llp_objective *f, const llp_mlp *mlp, const llp_real *theta, uint64_t seed,
                          const char *outdir, const char *name, const char *what, stage *st) {
    llp_rng rng;
    llp_batch_policy bp = llp_batch_policy_full();
    llp_slq_desc sd;
    llp_slq_result slq;
    llp_density_desc dd;
    llp_density dens;
    llp_lanczos_desc ld;
    llp_eig_result eig;
    llp_trace_desc td;
    llp_trace_result tr;
    llp_spectrum_stats ss;
    llp_error err;
    char file[4096], header[512];
    llp_result r;
    int l;
    size_t i;
    llp_rng_seed(&rng, seed);
    memset(st, 0, sizeof *st);
    /* density */
    memset(&sd, 0, sizeof sd);
    sd.runs = 10, sd.steps = 80;
    if ((r = llp_slq(f, theta, &bp, &sd, &rng, &slq)) != LLP_OK) return r;
    memset(&dd, 0, sizeof dd);
    dd.points = 2000;
    if ((r = llp_slq_density(&slq, &dd, &dens)) != LLP_OK) return r;
    if ((r = llp_slq_stats(&slq, 10, 0, &ss)) != LLP_OK) return r;
    st->neg_ratio = ss.neg_ratio;
    st->slq_trace = ss.trace;
    st->hvps += slq.evals.hvp;
    snprintf(file, sizeof file, "%s/hessian_density_%s.dat", outdir, name);
    snprintf(header, sizeof header,
             "hessian_spectrum: Hessian of a 64-32-32-10 tanh MLP (softmax cross-entropy) on the digits training "
             "split, %s, seed %lu",
             what, (unsigned long)seed);
    if ((r = llp_density_write(&dens, file, header, &err)) != LLP_OK) {
        fail_err(&err);
        return r;
    }
    llp_density_free(&dens);
    llp_slq_free(&slq);
    /* extremes */
    memset(&ld, 0, sizeof ld);
    ld.k_largest = N_EXT, ld.k_smallest = N_EXT, ld.max_steps = 300, ld.tol = 1e-6;
    if ((r = llp_lanczos(f, theta, &bp, &ld, &rng, &eig)) != LLP_OK) return r;
    for (i = 0; i < 2 * N_EXT; i++) st->ext[i] = eig.values[i];
    st->lmax = eig.values[0];
    st->lmin = eig.values[N_EXT];
    st->hvps += eig.evals.hvp;
    llp_eig_result_free(&eig);
    /* trace */
    memset(&td, 0, sizeof td);
    td.min_samples = 30, td.max_samples = 200, td.rel_tol = 0.02;
    if ((r = llp_hutchinson(f, theta, &bp, &td, &rng, &tr)) != LLP_OK) return r;
    st->trace = tr.trace;
    st->trace_se = tr.std_error;
    st->trace_samples = tr.samples;
    st->hvps += tr.evals.hvp;
    /* per layer: the diagonal block of each layer's weights and bias */
    for (l = 0; l < mlp->n_layers && l < 3; l++) {
        size_t off, len, wl = llp_objective_restrict_work_size(f->n, 4);
        llp_restricted rs;
        llp_objective g;
        llp_real *work = (llp_real *)malloc(wl * sizeof *work);
        if (!work) return LLP_ERR_NOMEM;
        if ((r = llp_mlp_layer_range(mlp, l, &off, &len)) != LLP_OK ||
            (r = llp_objective_restrict(&rs, f, theta, off, len, 4, work, wl, &g)) != LLP_OK) {
            free(work);
            return r;
        }
        memset(&ld, 0, sizeof ld);
        ld.k_largest = 1, ld.k_smallest = 1, ld.max_steps = 200, ld.tol = 1e-6;
        r = llp_lanczos(&g, theta + off, &bp, &ld, &rng, &eig);
        if (r == LLP_OK) {
            st->layer_top[l] = eig.values[0];
            st->hvps += eig.evals.hvp;
            llp_eig_result_free(&eig);
            r = llp_hutchinson(&g, theta + off, &bp, &td, &rng, &tr);
        }
        free(work);
        if (r != LLP_OK) return r;
        st->layer_trace[l] = tr.trace;
        st->layer_trace_se[l] = tr.std_error;
        st->hvps += tr.evals.hvp;
    }
    printf("%-8s lambda_max %9.4f  lambda_min %9.4f  trace %9.3f +- %.3f (%lu probes; SLQ %9.3f)  "
           "negative weight %.3f  (%lu HVPs)\n",
           name, st->lmax, st->lmin, st->trace, st->trace_se, (unsigned long)st->trace_samples, st->slq_trace,
           st->neg_ratio, (unsigned long)st->hvps);
    return LLP_OK;
}

int main(int argc, char **argv) {
    const char *path = NULL, *outdir = ".", *root = getenv("LLP_SOURCE_ROOT");
    char buf[4096], file[4096], header[1024];
    unsigned long seed = 42;
    llp_data all, tr, te;
    llp_csv_desc csv;
    llp_error err;
    llp_mlp_desc md;
    llp_mlp mlp;
    llp_mlp_objective mo_tr, mo_te;
    llp_objective f_tr, f_te;
    llp_rng rng;
    llp_real mean[64], sd[64];
    stage st[2];
    llp_result r;
    int k, s;

    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--seed") == 0 && k + 1 < argc) seed = strtoul(argv[++k], NULL, 10);
        else if (strcmp(argv[k], "--out") == 0 && k + 1 < argc) outdir = argv[++k];
        else if (argv[k][0] != '-') path = argv[k];
        else {
            fprintf(stderr, "usage: hessian_spectrum [--seed N] [--out DIR] [path/to/digits.csv]\n");
            return 2;
        }
    }
    if (!path && root && *root) {
        snprintf(buf, sizeof buf, "%s/data/digits.csv", root);
        path = buf;
    }
    if (!path) path = DIGITS_CSV;

    memset(&csv, 0, sizeof csv);
    if (llp_data_load_csv(&all, path, &csv, &err) != LLP_OK) return fail_err(&err);
    if (all.d != 64) {
        fprintf(stderr, "hessian_spectrum: %s has %lu features, expected the 64 pixels of the digits data\n", path,
                (unsigned long)all.d);
        return 2;
    }
    llp_rng_seed(&rng, seed);
    if ((r = llp_data_split(&all, 0, 0.2, &rng, &tr, NULL, &te)) != LLP_OK) return fail("llp_data_split", r);
    if ((r = llp_data_standardize(&tr, mean, sd)) != LLP_OK) return fail("llp_data_standardize", r);
    if ((r = llp_data_apply_standardization(&te, mean, sd)) != LLP_OK) return fail("llp_data_apply_standardization", r);
    memset(&md, 0, sizeof md);
    md.n_layers = 3;
    md.sizes[0] = 64, md.sizes[1] = 32, md.sizes[2] = 32, md.sizes[3] = 10;
    md.act = LLP_ACT_TANH;
    md.loss = LLP_LOSS_SOFTMAX_CE;
    if ((r = llp_mlp_init(&mlp, &md)) != LLP_OK) return fail("llp_mlp_init", r);
    llp_mlp_randomize(&mlp, mlp.theta, &rng);
    if ((r = llp_mlp_objective_init(&mo_tr, &mlp, &tr, 0)) != LLP_OK ||
        (r = llp_mlp_objective_init(&mo_te, &mlp, &te, 0)) != LLP_OK)
        return fail("llp_mlp_objective_init", r);
    f_tr = llp_mlp_objective_get(&mo_tr);
    f_te = llp_mlp_objective_get(&mo_te);
    printf("data     %s: %lu train, %lu test; model 64-32-32-10 tanh, %lu parameters\n", path, (unsigned long)tr.n,
           (unsigned long)te.n, (unsigned long)mlp.n_params);

    if ((r = measure(&f_tr, &mlp, mlp.theta, seed + 1, outdir, "init", "at initialisation (Glorot)", &st[0])) !=
        LLP_OK)
        return fail("at initialisation", r);
    {
        llp_train_desc td;
        llp_opt_desc od;
        llp_trainer t;
        double acc = 0;
        memset(&td, 0, sizeof td);
        td.epochs = 30, td.batch_size = 32, td.seed = seed;
        memset(&od, 0, sizeof od);
        od.kind = LLP_OPT_ADAM, od.lr = 2e-3;
        if ((r = llp_trainer_init(&t, &td, &f_tr, &f_te, &od, mlp.theta)) != LLP_OK) return fail("llp_trainer_init", r);
        if ((r = llp_trainer_run(&t)) != LLP_OK) return fail("llp_trainer_run", r);
        if ((r = llp_mlp_accuracy(&mlp, mlp.theta, &te, NULL, &acc, &mo_te.work)) != LLP_OK)
            return fail("llp_mlp_accuracy", r);
        printf("trained  Adam 2e-3, 30 epochs of mini-batches of 32: train loss %.4f, test accuracy %.4f\n",
               t.rows[t.n_rows - 1].train_loss, acc);
        llp_trainer_free(&t);
    }
    if ((r = measure(&f_tr, &mlp, mlp.theta, seed + 2, outdir, "trained", "after 30 epochs of Adam", &st[1])) !=
        LLP_OK)
        return fail("after training", r);

    /* tables */
    {
        static const char *const cols[] = {"stage",        "lambda_max", "lambda_min", "trace",
                                           "trace_se",     "trace_slq",  "neg_weight", "trace_probes"};
        double tab[2][8];
        for (s = 0; s < 2; s++) {
            tab[s][0] = s, tab[s][1] = st[s].lmax, tab[s][2] = st[s].lmin, tab[s][3] = st[s].trace;
            tab[s][4] = st[s].trace_se, tab[s][5] = st[s].slq_trace, tab[s][6] = st[s].neg_ratio;
            tab[s][7] = (double)st[s].trace_samples;
        }
        snprintf(file, sizeof file, "%s/hessian_summary.dat", outdir);
        snprintf(header, sizeof header,
                 "hessian_spectrum: stage 0 = initialisation, 1 = after 30 epochs of Adam; seed %lu\n"
                 "batch: full training split (%lu samples); lambda by Lanczos (full reorthogonalisation, tol 1e-6), "
                 "trace by Hutchinson (Rademacher, 30..200 probes, 2%% standard error) and by SLQ (10 x 80)\n"
                 "neg_weight: SLQ weight of eigenvalues below -1e-6 max|lambda|",
                 seed, (unsigned long)tr.n);
        if (llp_write_table(file, header, cols, &tab[0][0], 2, 8, 0, 0, &err) != LLP_OK) return fail_err(&err);
    }
    {
        static const char *const cols[] = {"rank", "init", "trained"};
        double tab[2 * N_EXT][3];
        int i;
        for (i = 0; i < 2 * N_EXT; i++) {
            tab[i][0] = i < N_EXT ? i + 1 : -(i - N_EXT + 1);
            tab[i][1] = st[0].ext[i];
            tab[i][2] = st[1].ext[i];
        }
        snprintf(file, sizeof file, "%s/hessian_extremes.dat", outdir);
        snprintf(header, sizeof header,
                 "hessian_spectrum: the %d largest (rank 1..%d, descending) and smallest (rank -1..-%d, ascending) "
                 "eigenvalues by Lanczos; seed %lu; batch: full training split",
                 N_EXT, N_EXT, N_EXT, seed);
        if (llp_write_table(file, header, cols, &tab[0][0], 2 * N_EXT, 3, 0, 0, &err) != LLP_OK) return fail_err(&err);
    }
    {
        static const char *const cols[] = {"layer", "top_init", "top_trained", "trace_init", "trace_init_se",
                                           "trace_trained", "trace_trained_se"};
        double tab[3][7];
        int l;
        for (l = 0; l < 3; l++) {
            tab[l][0] = l + 1, tab[l][1] = st[0].layer_top[l], tab[l][2] = st[1].layer_top[l];
            tab[l][3] = st[0].layer_trace[l], tab[l][4] = st[0].layer_trace_se[l];
            tab[l][5] = st[1].layer_trace[l], tab[l][6] = st[1].layer_trace_se[l];
        }
        snprintf(file, sizeof file, "%s/hessian_layers.dat", outdir);
        snprintf(header, sizeof header,
                 "hessian_spectrum: per-layer curvature (the diagonal block of each layer's weights and bias): top "
                 "eigenvalue by Lanczos, trace by Hutchinson; seed %lu; batch: full training split",
                 seed);
        if (llp_write_table(file, header, cols, &tab[0][0], 3, 7, 0, 0, &err) != LLP_OK) return fail_err(&err);
        for (l = 0; l < 3; l++)
            printf("layer %d  top eigenvalue %9.4f -> %9.4f   trace %9.3f -> %9.3f\n", l + 1, tab[l][1], tab[l][2],
                   tab[l][3], tab[l][5]);
    }
    llp_mlp_objective_free(&mo_tr);
    llp_mlp_objective_free(&mo_te);
    llp_mlp_free(&mlp);
    llp_data_free(&all);
    llp_data_free(&tr);
    llp_data_free(&te);
    return 0;
}
