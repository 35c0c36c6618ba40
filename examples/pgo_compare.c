/* pgo_compare.c — the probe-guided learning rate (llp_pgo, section 10d of
   llprobe.h) against plain optimizers, on the shipped digits
   (classification) and diabetes (regression) data.

   What it measures. For every seed and data set, six training runs (and two
   controls, see below) from the same initialisation over the same
   mini-batch sequence: SGD, heavy-ball
   momentum, Adam, SAM on momentum, and the probe-guided rate wrapped around
   momentum and around Adam. Every `every` steps the controller estimates the
   top curvature lambda of the (for Adam: preconditioned) Hessian on a fixed
   probe batch by warm-started power iteration and sets the rate to
   c * edge(lambda) (momentum: edge = (2 + 2 beta) / lambda; Adam:
   (2 + 2 beta1) / ((1 - beta1) lambda_P)). Reported per method: the final
   test loss and (digits) test accuracy, mean +- sample std over seeds, and
   the compute spent, in gradient evaluations of one mini-batch of 32:
   training steps count as the trainer's optimizer reports them (1 per
   step, 2 with SAM), PGO's probes add pgo.sample_cost / 32 (the controller
   counts single-sample gradients, an HVP as 2).

   Design (every setting fixed before any result was seen):
   - Data: 80/20 train/test split drawn from the seed; features standardised
     with the training statistics; diabetes targets too (so its MSE is in
     units of the target variance; a constant predictor scores ~1).
   - Models: tanh MLPs as in rugged_report: digits 64-32-10 with softmax
     cross-entropy, diabetes 10-32-1 with MSE; llp_mlp_randomize from the
     seed (the same theta0 for every method of a seed).
   - Training: mini-batches of 32, shuffled by the trainer from the seed (the
     same sequence for every method); 20 epochs on digits (45 steps each,
     900 steps), 100 on diabetes (12 steps each, 1200 steps): enough for the
     losses to level off with the plain optimizers, and the whole default run
     stays within a few minutes on one core.
   - Rates: common defaults for small nets, not tuned here: SGD 0.05,
     momentum 0.9 with 0.01 (effective step 0.01 / (1 - 0.9) = 0.1), Adam
     1e-3, SAM rho 0.05 on the momentum optimizer (lr 0.01). The two PGO runs
     start from the momentum and Adam base rates.
   - PGO: the defaults of llp_pgo_desc — LAMBDA_MAX probe, c = 0.5, every 10
     steps, 5 warm power iterations (20 at the first probe), probe batch 256
     (digits; diabetes has 353 training samples, so 256 of them), clip
     [1e-3, 10] times the base rate — around momentum 0.9 (base lr 0.01) and
     around Adam (base lr 1e-3, preconditioned lambda; the base rate is kept
     until step 10, when Adam's second moments exist). Probe seed = run seed.
   - Seeds: --seeds K (default 5) consecutive seeds from --seed (default 1);
     seed s drives the split, the initialisation, the shuffling and the
     probe batch.
   - Controls (added after the first full run, which showed the PGO rate
     sitting at its upper clip for the whole digits run): momentum 0.9 at
     the constant lr 0.1 and Adam at 1e-2, i.e. the clip rates without
     probes, so the table separates what the probes did from what the clip
     did. Nothing else was changed after seeing results.
   No early stopping, no schedules, no weight decay; a diverged run (the
   trainer's NaN/blow-up check) keeps its last good iterate and is counted.

   usage: pgo_compare [--seed N] [--seeds K] [--out DIR] [--quick] [--data-dir DIR]
     --quick: 1 seed, 2 epochs on each data set (a smoke test, < 10 s).

   Outputs (in --out DIR, default "."), all deterministic for a given seed:
     pgo_compare_table.dat    one row per data set x method: data (0 digits,
                              1 diabetes), method (0..7 in the order above),
                              test loss mean/std, test accuracy mean/std (NaN
                              for diabetes), compute mean/std (batch-32
                              gradients), training steps, probes, diverged runs
     pgo_compare_trace.dat    the PGO runs of the first seed: one block per run
                              (digits momentum, digits Adam, diabetes momentum,
                              diabetes Adam; "# name" before each), columns
                              step lr lambda edge (edge = llp_pgo_edge; for
                              Adam in preconditioned units)
     pgo_compare_epochs_digits.dat, pgo_compare_epochs_diabetes.dat
                              first seed: per epoch, the training loss (mean of
                              the epoch's step losses) and test loss of every
                              method
     plots/pgo_compare.gp renders pgo_compare.png from them.
   Prints the Markdown table and, for the first seed's PGO runs, how many
   probes left the rate at the clip.

   Run time at the default settings: about 4 s at -O2 on one core (the PGO
   runs dominate: their probes cost about 9 times the training steps).
   --quick: about 0.1 s. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"
#define EXC_PROG "pgo_compare"
#include "ex_common.h"

#ifndef DATA_DIR /* meson compiles in the absolute path; by hand, run from the repository root */
#define DATA_DIR "data"
#endif

#define N_METHODS 8
#define MAX_SEEDS 1000

typedef struct method {
    const char *name;  /* table name */
    const char *key;   /* one word, for the data files */
    llp_opt_kind kind;
    double lr;
    int sam;
    int pgo;
} method;

static const method METHODS[N_METHODS] = {
    {"SGD (lr 0.05)", "sgd", LLP_OPT_SGD, 0.05, 0, 0},
    {"momentum 0.9 (lr 0.01)", "momentum", LLP_OPT_MOMENTUM, 0.01, 0, 0},
    {"Adam (lr 1e-3)", "adam", LLP_OPT_ADAM, 1e-3, 0, 0},
    {"SAM on momentum (rho 0.05)", "sam", LLP_OPT_MOMENTUM, 0.01, 1, 0},
    {"PGO on momentum (base 0.01)", "pgo_momentum", LLP_OPT_MOMENTUM, 0.01, 0, 1},
    {"PGO on Adam (base 1e-3)", "pgo_adam", LLP_OPT_ADAM, 1e-3, 0, 1},
    /* controls added after the first run showed the PGO rate at its upper clip (10 x base) on
       digits: the same optimizers at that constant rate, without probes */
    {"control: momentum 0.9 (lr 0.1)", "momentum_lr0.1", LLP_OPT_MOMENTUM, 0.1, 0, 0},
    {"control: Adam (lr 1e-2)", "adam_lr0.01", LLP_OPT_ADAM, 1e-2, 0, 0},
};

/* Probe-by-probe record of one PGO run. */
typedef struct trace {
    llp_pgo *pgo;
    uint64_t last_probes;
    size_t n, cap;
    double *rows; /* (n, 4): step lr lambda edge */
} trace;

/* before_step: the controller, then a row whenever it probed. */
static llp_result traced_before(void *ctx, llp_opt *opt, const llp_objective *train, const llp_real *theta,
                                const llp_batch *batch, uint64_t step) {
    trace *tc = (trace *)ctx;
    llp_result r = llp_pgo_before_step(tc->pgo, opt, train, theta, batch, step);
    if (r != LLP_OK) return r;
    if (tc->pgo->probes != tc->last_probes) {
        tc->last_probes = tc->pgo->probes;
        if (tc->n == tc->cap) {
            size_t cap = tc->cap ? 2 * tc->cap : 128;
            double *p = (double *)realloc(tc->rows, cap * 4 * sizeof(double));
            if (!p) return LLP_ERR_NOMEM;
            tc->rows = p, tc->cap = cap;
        }
        tc->rows[tc->n * 4 + 0] = (double)step;
        tc->rows[tc->n * 4 + 1] = tc->pgo->lr;
        tc->rows[tc->n * 4 + 2] = tc->pgo->lambda;
        tc->rows[tc->n * 4 + 3] = llp_pgo_edge(&opt->d, tc->pgo->lambda);
        tc->n++;
    }
    return LLP_OK;
}

/* on_step: the trainer's own count of gradient evaluations. */
static int count_evals(void *ctx, const llp_trainer *tr, const llp_opt_info *info) {
    (void)tr;
    *(double *)ctx += (double)info->evals;
    return 0;
}

typedef struct result {
    double loss, acc, compute;
    double steps, probes;
    int diverged;
} result;

/* One data set split and standardised for a seed, its model and objectives. */
typedef struct problem {
    llp_data all, tr, te;
    llp_mlp mlp;
    llp_mlp_objective mo_tr, mo_te;
    llp_objective f_tr, f_te;
    int classify;
} problem;

static void problem_free(problem *p) {
    llp_mlp_objective_free(&p->mo_tr);
    llp_mlp_objective_free(&p->mo_te);
    llp_mlp_free(&p->mlp);
    llp_data_free(&p->all);
    llp_data_free(&p->tr);
    llp_data_free(&p->te);
}

static int problem_init(problem *p, const char *dir, const char *name, unsigned long seed) {
    char path[4200];
    llp_mlp_desc md;
    llp_rng rng;
    llp_real mean[64], sd[64];
    llp_result r;
    const char *what;
    memset(p, 0, sizeof *p);
    snprintf(path, sizeof path, "%s/%s.csv", dir, name);
    if (exc_load_csv(&p->all, path, "pgo_compare")) return 2;
    if (p->all.d > 64) {
        fprintf(stderr, "pgo_compare: %s has %lu features, more than expected\n", path, (unsigned long)p->all.d);
        return 2;
    }
    p->classify = p->all.task == LLP_TASK_CLASSIFICATION;
    llp_rng_seed(&rng, seed);
    if ((r = exc_split_standardize(&p->all, 0, 0.2, &rng, &p->tr, &p->te, mean, sd, &what)) != LLP_OK) {
        fprintf(stderr, "pgo_compare: preparing %s: %s\n", name, llp_result_string(r));
        return 2;
    }
    if (!p->classify) exc_standardise_targets(&p->tr, &p->te);
    exc_mlp_desc(&md, (int)p->all.d, 32, p->classify ? (int)p->all.n_classes : 1, LLP_ACT_TANH,
                 p->classify ? LLP_LOSS_SOFTMAX_CE : LLP_LOSS_MSE);
    if ((r = exc_mlp_setup(&md, &p->mlp, &p->tr, &p->te, &p->mo_tr, &p->mo_te, &p->f_tr, &p->f_te, &what)) != LLP_OK)
        return fail(what, r);
    llp_mlp_randomize(&p->mlp, p->mlp.theta, &rng);
    return 0;
}

/* One training run of method m from p->mlp.theta (not modified). tc: the
   PGO trace (may be NULL); ep: (epochs, 2) train/test loss per epoch or NULL. */
static int train_one(problem *p, const method *m, size_t epochs, unsigned long seed, trace *tc, double *ep,
                     result *res) {
    llp_train_desc td;
    llp_opt_desc od;
    llp_trainer t;
    llp_pgo pgo;
    llp_pgo_desc pd;
    trace local;
    llp_real *theta, loss;
    llp_batch all = llp_batch_all();
    double evals = 0;
    llp_result r;
    size_t i, n = p->mlp.n_params;

    theta = (llp_real *)malloc(n * sizeof(llp_real));
    if (!theta) {
        fprintf(stderr, "pgo_compare: out of memory\n");
        return 2;
    }
    memcpy(theta, p->mlp.theta, n * sizeof(llp_real));
    memset(&td, 0, sizeof td);
    td.epochs = epochs, td.batch_size = 32, td.seed = seed;
    td.on_step = count_evals, td.ctx = &evals;
    memset(&od, 0, sizeof od);
    od.kind = m->kind, od.lr = m->lr;
    if (m->kind == LLP_OPT_MOMENTUM) od.momentum = 0.9;
    if (m->sam) od.sam = LLP_SAM, od.sam_rho = 0.05;
    memset(&pgo, 0, sizeof pgo);
    if (m->pgo) {
        memset(&pd, 0, sizeof pd);
        pd.probe = LLP_PGO_LAMBDA_MAX, pd.c = 0.5, pd.every = 10, pd.iters = 5, pd.probe_batch = 256;
        pd.seed = seed;
        if ((r = llp_pgo_init(&pgo, &pd, &p->f_tr)) != LLP_OK) {
            fprintf(stderr, "pgo_compare: llp_pgo_init: %s\n", llp_result_string(r));
            free(theta);
            return 2;
        }
        if (!tc) {
            memset(&local, 0, sizeof local);
            tc = &local;
        }
        tc->pgo = &pgo;
        td.before_step = traced_before, td.before_ctx = tc;
    }
    if ((r = llp_trainer_init(&t, &td, &p->f_tr, &p->f_te, &od, theta)) != LLP_OK) {
        fprintf(stderr, "pgo_compare: llp_trainer_init (%s): %s\n", m->key, llp_result_string(r));
        llp_pgo_free(&pgo);
        free(theta);
        return 2;
    }
    r = llp_trainer_run(&t);
    res->diverged = r == LLP_ERR_DIVERGED;
    if (r != LLP_OK && r != LLP_ERR_DIVERGED) {
        fprintf(stderr, "pgo_compare: training %s: %s\n", m->key, llp_result_string(r));
        llp_trainer_free(&t);
        llp_pgo_free(&pgo);
        if (tc == &local) free(local.rows);
        free(theta);
        return 2;
    }
    if (ep)
        for (i = 0; i < epochs; i++) {
            ep[2 * i] = i < t.n_rows ? t.rows[i].train_loss : NAN;
            ep[2 * i + 1] = i < t.n_rows ? t.rows[i].val_loss : NAN;
        }
    res->steps = (double)t.step;
    res->compute = evals;
    res->probes = 0;
    if (m->pgo) {
        res->compute += pgo.sample_cost / 32.0;
        res->probes = (double)pgo.probes;
    }
    llp_trainer_free(&t);
    llp_pgo_free(&pgo);
    if (tc == &local) free(local.rows);
    if ((r = llp_objective_loss(&p->f_te, theta, &all, &loss)) != LLP_OK) {
        fprintf(stderr, "pgo_compare: test loss: %s\n", llp_result_string(r));
        free(theta);
        return 2;
    }
    res->loss = loss;
    res->acc = NAN;
    if (p->classify && p->f_te.accuracy && (r = p->f_te.accuracy(p->f_te.ctx, theta, &all, &res->acc)) != LLP_OK) {
        fprintf(stderr, "pgo_compare: test accuracy: %s\n", llp_result_string(r));
        free(theta);
        return 2;
    }
    free(theta);
    return 0;
}

static void mean_std(const double *x, size_t k, double *mean, double *sd) {
    double m = 0, v = 0;
    size_t i;
    for (i = 0; i < k; i++) m += x[i] / (double)k;
    for (i = 0; i < k && k > 1; i++) v += (x[i] - m) * (x[i] - m) / (double)(k - 1);
    *mean = m, *sd = sqrt(v);
}

/* The trace blocks, written to .tmp and renamed. */
static int write_trace(const char *outdir, trace *tcs, const char *const *names, int count) {
    char path[4096], tmp[4200];
    FILE *fp;
    int b;
    size_t i;
    snprintf(path, sizeof path, "%s/pgo_compare_trace.dat", outdir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    fp = fopen(tmp, "w");
    if (!fp) {
        fprintf(stderr, "pgo_compare: cannot write %s\n", tmp);
        return 2;
    }
    fprintf(fp, "# pgo_compare: the probe-guided rate of the first seed, one block per run (gnuplot index)\n"
                "# lambda: top eigenvalue estimate (Adam: of the preconditioned Hessian); edge = llp_pgo_edge;\n"
                "# lr = clip(0.5 * edge, [1e-3, 10] * base rate)\n");
    for (b = 0; b < count; b++) {
        if (b) fprintf(fp, "\n\n");
        fprintf(fp, "# %s\n# step lr lambda edge\n", names[b]);
        for (i = 0; i < tcs[b].n; i++)
            fprintf(fp, "%.0f %.17g %.17g %.17g\n", tcs[b].rows[4 * i], tcs[b].rows[4 * i + 1],
                    tcs[b].rows[4 * i + 2], tcs[b].rows[4 * i + 3]);
    }
    if (fclose(fp) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "pgo_compare: cannot write %s\n", path);
        remove(tmp);
        return 2;
    }
    return 0;
}

static int usage(const char *msg) {
    fprintf(stderr, "pgo_compare: %s (usage: pgo_compare [--seed N] [--seeds K] [--out DIR] [--quick] "
                    "[--data-dir DIR])\n", msg);
    return 2;
}

static int parse_ulong(const char *s, unsigned long *out) {
    char *end;
    if (!s || !*s || *s == '-') return 0;
    *out = strtoul(s, &end, 10);
    return *end == '\0';
}

int main(int argc, char **argv) {
    static const char *const DATA[2] = {"digits", "diabetes"};
    const char *outdir = ".", *dir = NULL;
    char buf[4096], path[4200], header[1024];
    unsigned long seed = 1, nseeds = 5;
    int quick = 0, k, ds, mi, rc = 0;
    size_t epochs[2] = {20, 100}, s;
    double *loss = NULL, *acc = NULL, *comp = NULL, table[2 * N_METHODS * 11], *ep = NULL;
    double steps[2][N_METHODS], probes[2][N_METHODS];
    int diverged[2][N_METHODS];
    trace tcs[4];
    const char *trace_names[4] = {"digits pgo_momentum", "digits pgo_adam", "diabetes pgo_momentum",
                                  "diabetes pgo_adam"};
    llp_error err;

    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--seed") == 0) {
            if (k + 1 >= argc || !parse_ulong(argv[++k], &seed)) return usage("--seed needs a non-negative integer");
        } else if (strcmp(argv[k], "--seeds") == 0) {
            if (k + 1 >= argc || !parse_ulong(argv[++k], &nseeds) || nseeds < 1 || nseeds > MAX_SEEDS)
                return usage("--seeds needs an integer in 1..1000");
        } else if (strcmp(argv[k], "--out") == 0) {
            if (k + 1 >= argc) return usage("--out needs a directory");
            outdir = argv[++k];
        } else if (strcmp(argv[k], "--data-dir") == 0) {
            if (k + 1 >= argc) return usage("--data-dir needs a directory");
            dir = argv[++k];
        } else if (strcmp(argv[k], "--quick") == 0) {
            quick = 1;
        } else {
            snprintf(buf, sizeof buf, "unknown argument '%s'", argv[k]);
            return usage(buf);
        }
    }
    if (quick) nseeds = 1, epochs[0] = epochs[1] = 2;
    dir = exc_locate(dir, "data", DATA_DIR, buf, sizeof buf);

    memset(tcs, 0, sizeof tcs);
    loss = (double *)malloc(nseeds * sizeof(double));
    acc = (double *)malloc(nseeds * sizeof(double));
    comp = (double *)malloc(nseeds * sizeof(double));
    if (!loss || !acc || !comp) {
        fprintf(stderr, "pgo_compare: out of memory\n");
        rc = 2;
        goto done;
    }
    {
        /* results[ds][mi][s] */
        static result res[2][N_METHODS][MAX_SEEDS];
        for (ds = 0; ds < 2 && rc == 0; ds++) {
            free(ep);
            ep = (double *)malloc(epochs[ds] * (1 + 2 * N_METHODS) * sizeof(double));
            if (!ep) {
                fprintf(stderr, "pgo_compare: out of memory\n");
                rc = 2;
                break;
            }
            for (s = 0; s < nseeds && rc == 0; s++) {
                problem p;
                double *one = NULL;
                if ((rc = problem_init(&p, dir, DATA[ds], seed + s)) != 0) {
                    problem_free(&p);
                    break;
                }
                if (s == 0) one = (double *)malloc(epochs[ds] * 2 * sizeof(double));
                if (s == 0 && !one) {
                    fprintf(stderr, "pgo_compare: out of memory\n");
                    rc = 2;
                }
                for (mi = 0; mi < N_METHODS && rc == 0; mi++) {
                    trace *tc = NULL;
                    size_t e;
                    if (s == 0 && METHODS[mi].pgo) tc = &tcs[2 * ds + (METHODS[mi].kind == LLP_OPT_ADAM)];
                    rc = train_one(&p, &METHODS[mi], epochs[ds], seed + s, tc, one, &res[ds][mi][s]);
                    if (rc == 0 && one)
                        for (e = 0; e < epochs[ds]; e++) {
                            ep[e * (1 + 2 * N_METHODS)] = (double)(e + 1);
                            ep[e * (1 + 2 * N_METHODS) + 1 + 2 * mi] = one[2 * e];
                            ep[e * (1 + 2 * N_METHODS) + 2 + 2 * mi] = one[2 * e + 1];
                        }
                }
                free(one);
                problem_free(&p);
            }
            if (rc != 0) break;
            {
                const char *cols[1 + 2 * N_METHODS];
                char names[2 * N_METHODS][64];
                cols[0] = "epoch";
                for (mi = 0; mi < N_METHODS; mi++) {
                    snprintf(names[2 * mi], sizeof names[0], "%s_train", METHODS[mi].key);
                    snprintf(names[2 * mi + 1], sizeof names[0], "%s_test", METHODS[mi].key);
                    cols[1 + 2 * mi] = names[2 * mi];
                    cols[2 + 2 * mi] = names[2 * mi + 1];
                }
                snprintf(path, sizeof path, "%s/pgo_compare_epochs_%s.dat", outdir, DATA[ds]);
                snprintf(header, sizeof header,
                         "pgo_compare: %s, seed %lu: per epoch, training loss (mean of the epoch's step losses) "
                         "and test loss of every method",
                         DATA[ds], seed);
                if (llp_write_table(path, header, cols, ep, epochs[ds], 1 + 2 * N_METHODS, 0, 0, &err) != LLP_OK) {
                    fprintf(stderr, "pgo_compare: %s\n", err.message);
                    rc = 2;
                    break;
                }
            }
            for (mi = 0; mi < N_METHODS; mi++) {
                double *row = table + (ds * N_METHODS + mi) * 11, sdummy;
                diverged[ds][mi] = 0;
                for (s = 0; s < nseeds; s++) {
                    loss[s] = res[ds][mi][s].loss;
                    acc[s] = res[ds][mi][s].acc;
                    comp[s] = res[ds][mi][s].compute;
                    diverged[ds][mi] += res[ds][mi][s].diverged;
                }
                row[0] = ds, row[1] = mi;
                mean_std(loss, nseeds, &row[2], &row[3]);
                mean_std(acc, nseeds, &row[4], &row[5]);
                mean_std(comp, nseeds, &row[6], &row[7]);
                for (s = 0; s < nseeds; s++) comp[s] = res[ds][mi][s].steps;
                mean_std(comp, nseeds, &steps[ds][mi], &sdummy);
                for (s = 0; s < nseeds; s++) comp[s] = res[ds][mi][s].probes;
                mean_std(comp, nseeds, &probes[ds][mi], &sdummy);
                row[8] = steps[ds][mi], row[9] = probes[ds][mi], row[10] = diverged[ds][mi];
            }
        }
    }
    if (rc != 0) goto done;

    {
        static const char *const cols[11] = {"data", "method", "test_loss_mean", "test_loss_std", "test_acc_mean",
                                             "test_acc_std", "compute_mean", "compute_std", "steps", "probes",
                                             "diverged"};
        snprintf(path, sizeof path, "%s/pgo_compare_table.dat", outdir);
        snprintf(header, sizeof header,
                 "pgo_compare: %lu seeds from %lu, epochs digits %lu diabetes %lu, batch 32\n"
                 "data: 0 digits, 1 diabetes; method: 0 sgd, 1 momentum, 2 adam, 3 sam, 4 pgo_momentum, 5 pgo_adam,\n"
                 "6 momentum lr 0.1, 7 adam lr 1e-2 (controls: the constant rate of PGO's upper clip)\n"
                 "compute: gradient evaluations of one mini-batch of 32 (PGO probes: sample_cost / 32)",
                 nseeds, seed, (unsigned long)epochs[0], (unsigned long)epochs[1]);
        if (llp_write_table(path, header, cols, table, 2 * N_METHODS, 11, 0, 0, &err) != LLP_OK) {
            fprintf(stderr, "pgo_compare: %s\n", err.message);
            rc = 2;
            goto done;
        }
    }
    if ((rc = write_trace(outdir, tcs, trace_names, 4)) != 0) goto done;

    printf("pgo_compare: %lu seed(s) from %lu; digits 64-32-10 tanh, %lu epochs; diabetes 10-32-1 tanh, %lu epochs; "
           "batch 32\n\n",
           nseeds, seed, (unsigned long)epochs[0], (unsigned long)epochs[1]);
    printf("| data | method | test loss (mean ± std) | test accuracy | compute (batch-32 gradients) |\n");
    printf("|---|---|---|---|---|\n");
    for (ds = 0; ds < 2; ds++)
        for (mi = 0; mi < N_METHODS; mi++) {
            const double *row = table + (ds * N_METHODS + mi) * 11;
            char accs[64], divs[64] = "";
            if (ds == 0) snprintf(accs, sizeof accs, "%.4f ± %.4f", row[4], row[5]);
            else snprintf(accs, sizeof accs, "–");
            if (diverged[ds][mi]) snprintf(divs, sizeof divs, " (%d diverged)", diverged[ds][mi]);
            printf("| %s | %s | %.4f ± %.4f%s | %s | %.0f (%.0f steps", DATA[ds], METHODS[mi].name, row[2], row[3],
                   divs, accs, row[6], steps[ds][mi]);
            if (METHODS[mi].pgo) printf(" + %.0f probes", probes[ds][mi]);
            printf(") |\n");
        }
    printf("\nPGO rate of the first seed (seed %lu), over its probes: at the upper clip (10 x base) / below / "
           "lambda <= 0 (rate set to the clip)\n", seed);
    for (k = 0; k < 4; k++) {
        size_t at = 0, nonpos = 0;
        double lr_max = 10 * METHODS[4 + k % 2].lr;
        for (s = 0; s < tcs[k].n; s++) {
            at += tcs[k].rows[4 * s + 1] >= lr_max * (1 - 1e-12);
            nonpos += !(tcs[k].rows[4 * s + 2] > 0);
        }
        printf("  %-22s %lu probes: %lu at the clip, %lu below, %lu with lambda <= 0\n", trace_names[k],
               (unsigned long)tcs[k].n, (unsigned long)at, (unsigned long)(tcs[k].n - at), (unsigned long)nonpos);
    }
    printf("\nwrote %s/pgo_compare_table.dat, pgo_compare_trace.dat, pgo_compare_epochs_{digits,diabetes}.dat\n",
           outdir);
done:
    for (k = 0; k < 4; k++) free(tcs[k].rows);
    free(loss);
    free(acc);
    free(comp);
    free(ep);
    return rc;
}
