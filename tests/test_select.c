/* test_select.c — the selector (llp_select, llp_select_free,
   llp_select_method_name): nine search strategies run under one counted
   budget.

   Problem: 240 blob samples in 2-D, 3 classes (llp_data_blobs, spread 2.5),
   split 180 train / 60 validation (llp_data_split); a 2-8-3 tanh MLP with
   softmax cross-entropy, momentum 0.9, batch 32 (S = ceil(180/32) = 6 steps
   an epoch, the last of 20 samples, so an epoch is exactly N = 180 samples
   of gradient work), R = 9 epochs unless a test says otherwise. The space:
   lr log [1e-3, 1], init scale log [0.5, 2], width integer [4, 12] (the two
   architecture keys make theta_0, hence the zero-cost proxies, differ
   between configurations).

   References, none computed by the code under test:
   - The ledger: every objective the selector builds goes through a counting
     wrapper written here (desc.wrap), which counts calls and samples
     (llp_batch_size of each call's batch) per kind (loss-only, loss+grad,
     HVP, a block HVP of k vectors = k products) and per role (0 training,
     1 validation). res.evals / samples_* must equal these counts, and
     res.spent must equal (s_grad + 2 s_hvp + s_loss / 2) / N_train summed
     over both roles (plus N_val / (2 N) per call of a score callback). The
     trial list must add up: sum of trial costs = spent, cum_cost the
     running sum, screen_cost the sum of the screening trials. With a score
     callback the ledger is read at each call, so every training's own cost
     is checked against the counts too (cum_cost = ledger at the call +
     the score's charge).
   - Costs by hand: with whole epochs of batch 32 an epoch costs exactly 1
     and a default score N_val / (2 N) = 60 / 360 = 1/6, so a full training
     costs R + 1/6 and a successive-halving trial resumed from rung i-1
     costs (r_i - r_{i-1}) + 1/6 (arithmetic in the comments of test_sh and
     test_hyperband). Where r S is not a whole number of steps (the default
     r = R/27 = 1/3 epoch is round(6/3) = 2 steps = 64 samples, not 60; R =
     10 gives 2.22 -> 2 and 6.67 -> 7 steps) the exact cost is the samples of
     the trainer's batches between the two step counts / N (test_rounding);
     the bracket a budget affords is then the largest n at that exact cost,
     as the selector's doc says it checks each step's cost ("exact sample
     counts of the trainer's batches").
   - Schedules: llp_hp_successive_halving / llp_hp_hyperband AND tables
     written by hand (Li et al. 2018, Table 1 shape for R/r = 27, eta = 3).
   - Survivors: the best floor(n_i / eta) of rung i by the scores in the
     trial list (NaN last, ties: the earlier trial), computed here.
   - Scores: a reference training run here (llp_hp_apply, llp_mlp_init,
     llp_mlp_randomize from llp_rng_seed(init_seed), llp_trainer_run with
     the configuration's optimizer and batch size for round(r S) steps, the
     validation objective's mean loss): bit-identical, since the same
     operations run in the same order (also for a survivor resumed rung
     after rung: it must equal one uninterrupted run).
   - Configurations: llp_hp_random from llp_rng_seed(desc.seed) (the
     stream RANDOM and the screening candidates share); llp_hp_grid.
   - Proxies at theta_0: the probe batch re-drawn here (first P entries of
     llp_rng_permutation(N) of llp_rng_seed(desc.seed + 1), P = min(N, 128)),
     the gradient from the test's own objective, ||g|| and sum |theta g| in
     double; llp_snoop_synflow; CURVE's LOSSK and META's snoop costs from
     llp_snoop run here with the selector's documented snoop defaults.
   - Best: min over full trials of finite scores (first on ties: a constant
     score callback makes every score tie), running min, and best_theta
     re-evaluated here on the validation data.
   - Divergence: a ReLU net trained by SGD at lr up to 50 (diverge_factor 3,
     not the default, so the selector must pass it on), compared with the
     reference trainings (same flags, NaN scores); META on the same problem
     with snoops that diverge (the warmup skips them, they come last).
   - Errors: the result filled with a byte pattern beforehand must be
     unchanged.

   Tolerances:
   - Same operations in the same order: exact (scores, LOSSK, theta,
     counts, determinism).
   - Costs: sums of a few hundred terms of size ~1 formed here in another
     order: 1e-12 relative (both builds: the ledger is double and the sample
     counts are integers).
   - GRAD_NORM and SNIP: sums over coordinates formed here in another order:
     1e-12 relative in double; float 1e-5 (float gradients, ~10 eps_float).
     SYNFLOW: the same function (llp_snoop_synflow): 1e-12.
   - The ordering checks use the test's own proxy values; they are far
     apart here (relative gaps >> the tolerance), checked by the equality
     of the selector's values to the test's. */
#ifndef LLP_TEST_LINKED_IMPL
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"

#include <stdlib.h>

static int isnan_(double x) { return x != x; }
static int finite_(double x) { return x - x == 0; }
static double rel(double a, double b) { return fabs(a - b) / (fabs(b) > 0 ? fabs(b) : 1); }
/* |a - b| <= tol max(|b|, 1e-300): relative, exact 0 allowed */
static int close_rel(double a, double b, double tol) { return fabs(a - b) <= tol * (fabs(b) > 1e-300 ? fabs(b) : 1e-300); }

/* ---- the counting wrapper -------------------------------------------------- */

enum { K_LOSS = 0, K_GRAD = 1, K_HVP = 2 };

typedef struct tally {
    size_t calls[2][3], samples[2][3]; /* [role][kind] */
    size_t other;                      /* accuracy calls: compute the ledger would not see */
    size_t built[2];                   /* objectives built, per role */
    size_t bad_n, bad_role, overflow;  /* n_samples not the role's data; a role other than 0/1; pool full */
    size_t n_train, n_val;
    llp_result fail;                   /* != LLP_OK: the wrap returns it once fail_after objectives exist */
    size_t fail_after;
} tally;

typedef struct wslot {
    llp_objective base;
    int role;
    tally *t;
} wslot;

/* The selector may build many objectives (a whole rung of trainers): the
   wrapper contexts live in a fixed pool, reset before every run. */
#define POOL 8192
static wslot pool[POOL];
static size_t pool_used;

static llp_result w_lg(void *ctx, const llp_real *th, const llp_batch *b, llp_real *l, llp_real *g) {
    wslot *s = (wslot *)ctx;
    int k = g ? K_GRAD : K_LOSS;
    s->t->calls[s->role][k]++;
    s->t->samples[s->role][k] += llp_batch_size(b, s->base.n_samples);
    return s->base.loss_grad(s->base.ctx, th, b, l, g);
}
static llp_result w_hvp(void *ctx, const llp_real *th, const llp_real *v, const llp_batch *b, llp_real *hv) {
    wslot *s = (wslot *)ctx;
    s->t->calls[s->role][K_HVP]++;
    s->t->samples[s->role][K_HVP] += llp_batch_size(b, s->base.n_samples);
    return s->base.hvp(s->base.ctx, th, v, b, hv);
}
static llp_result w_block(void *ctx, const llp_real *th, const llp_real *V, size_t k, const llp_batch *b, llp_real *HV) {
    wslot *s = (wslot *)ctx;
    s->t->calls[s->role][K_HVP] += k;
    s->t->samples[s->role][K_HVP] += k * llp_batch_size(b, s->base.n_samples);
    return s->base.hvp_block(s->base.ctx, th, V, k, b, HV);
}
static llp_result w_acc(void *ctx, const llp_real *th, const llp_batch *b, double *acc) {
    wslot *s = (wslot *)ctx;
    s->t->other++;
    return s->base.accuracy(s->base.ctx, th, b, acc);
}

static llp_result count_wrap(void *ctx, const llp_objective *inner, int role, llp_objective *outer) {
    tally *t = (tally *)ctx;
    wslot *s;
    if (role != 0 && role != 1) {
        t->bad_role++;
        return LLP_ERR_ARG;
    }
    if (t->fail != LLP_OK && t->built[0] + t->built[1] >= t->fail_after) return t->fail;
    if (pool_used >= POOL) {
        t->overflow++;
        return LLP_ERR_NOMEM;
    }
    s = &pool[pool_used++];
    s->base = *inner;
    s->role = role;
    s->t = t;
    t->built[role]++;
    if (inner->n_samples != (role ? t->n_val : t->n_train)) t->bad_n++;
    *outer = *inner;
    outer->ctx = s;
    outer->loss_grad = w_lg;
    outer->hvp = inner->hvp ? w_hvp : NULL;
    outer->hvp_block = inner->hvp_block ? w_block : NULL;
    outer->gnvp = NULL; /* a curvature product the ledger could not place */
    outer->accuracy = inner->accuracy ? w_acc : NULL;
    return LLP_OK;
}

/* The ledger's cost: (s_grad + 2 s_hvp + s_loss / 2) / N over both roles. */
static double tally_cost(const tally *t) {
    double s = 0;
    int r;
    for (r = 0; r < 2; r++)
        s += (double)t->samples[r][K_GRAD] + 2.0 * (double)t->samples[r][K_HVP] + 0.5 * (double)t->samples[r][K_LOSS];
    return s / (double)t->n_train;
}

/* ---- the problem --------------------------------------------------------------- */

typedef struct fx {
    llp_data all, train, val;
    llp_hp_space space;
    llp_select_desc d; /* the base description (method RANDOM, budget unset) */
} fx;

static llp_hp_dim range_dim(llp_hp_key k, llp_hp_scale sc, int integer, double lo, double hi) {
    llp_hp_dim d;
    memset(&d, 0, sizeof d);
    d.key = k, d.scale = sc, d.integer = integer, d.lo = lo, d.hi = hi;
    return d;
}

/* relu: the divergence problem (a ReLU net blows up at large rates: here
   from about lr 2), SGD, lr log [0.1, 50], width and init fixed */
static void fx_init(fx *f, int relu) {
    llp_rng rng;
    memset(f, 0, sizeof *f);
    llp_rng_seed(&rng, 3);
    CHECK_OK(llp_data_blobs(&f->all, 240, 2, 3, 2.5, &rng));
    CHECK_OK(llp_data_split(&f->all, 0.25, 0, &rng, &f->train, &f->val, NULL));
    CHECK(f->train.n == 180 && f->val.n == 60, "180 / 60 samples (%lu %lu)", (unsigned long)f->train.n,
          (unsigned long)f->val.n);
    if (relu) {
        f->space.n_dims = 1;
        f->space.dim[0] = range_dim(LLP_HP_LR, LLP_HP_LOG, 0, 0.1, 50);
    } else {
        f->space.n_dims = 3;
        f->space.dim[0] = range_dim(LLP_HP_LR, LLP_HP_LOG, 0, 1e-3, 1);
        f->space.dim[1] = range_dim(LLP_HP_INIT_SCALE, LLP_HP_LOG, 0, 0.5, 2);
        f->space.dim[2] = range_dim(LLP_HP_WIDTH, LLP_HP_LINEAR, 1, 4, 12);
    }
    f->d.method = LLP_SELECT_RANDOM;
    f->d.space = &f->space;
    f->d.mlp.n_layers = 2, f->d.mlp.sizes[0] = 2, f->d.mlp.sizes[1] = 8, f->d.mlp.sizes[2] = 3;
    f->d.mlp.act = relu ? LLP_ACT_RELU : LLP_ACT_TANH;
    f->d.opt.kind = relu ? LLP_OPT_SGD : LLP_OPT_MOMENTUM;
    f->d.opt.lr = 0.1;
    f->d.train.epochs = 9, f->d.train.batch_size = 32, f->d.train.seed = 5;
    if (relu) f->d.train.diverge_factor = 3; /* not the default: the selector must pass it on (lr 1.58 diverges only so) */
    f->d.train_data = &f->train;
    f->d.val_data = &f->val;
    f->d.seed = 11;
    f->d.init_seed = 7;
}

static void fx_free(fx *f) {
    llp_data_free(&f->all);
    llp_data_free(&f->train);
    llp_data_free(&f->val);
}

/* steps an epoch: ceil(N / B), 1 for full batch */
static size_t steps_per_epoch(size_t N, size_t B) { return (!B || B >= N) ? 1 : (N + B - 1) / B; }
static double score_cost(const fx *f) { return (double)f->val.n / (2.0 * (double)f->train.n); }

/* Run the selector through the counting wrapper; the wrap returns `fail`
   once fail_after objectives exist (LLP_OK: never). */
static llp_result run_fail(const llp_select_desc *d0, tally *t, llp_select_result *res, llp_result fail,
                           size_t fail_after) {
    llp_select_desc d = *d0;
    memset(t, 0, sizeof *t);
    t->fail = fail, t->fail_after = fail_after;
    t->n_train = d.train_data ? d.train_data->n : 0;
    t->n_val = d.val_data ? d.val_data->n : 0;
    pool_used = 0;
    d.wrap = count_wrap;
    d.wrap_ctx = t;
    return llp_select(&d, res);
}
/* The same, never failing on purpose; res zeroed first, so that a failed
   run leaves a result llp_select_free accepts. */
static llp_result run(const llp_select_desc *d, tally *t, llp_select_result *res) {
    memset(res, 0, sizeof *res);
    return run_fail(d, t, res, LLP_OK, 0);
}

/* theta_0 of a configuration: its model, randomized from init_seed. */
static int build_model(const llp_select_desc *d, const llp_hp_config *c, llp_mlp *m, llp_opt_desc *od,
                       llp_train_desc *td) {
    llp_mlp_desc md;
    llp_rng rng;
    if (llp_hp_apply(c, &d->mlp, &d->opt, &d->train, &md, od, td) != LLP_OK) return 0;
    if (llp_mlp_init(m, &md) != LLP_OK) return 0;
    llp_rng_seed(&rng, d->init_seed);
    llp_mlp_randomize(m, m->theta, &rng);
    return 1;
}

/* The mean validation loss of (desc, theta). */
static double val_loss(const llp_mlp_desc *md, const llp_real *theta, const llp_data *val) {
    llp_mlp m;
    llp_mlp_objective mo;
    llp_objective fv;
    llp_real l;
    double out = NAN;
    if (llp_mlp_init(&m, md) != LLP_OK) return NAN;
    if (llp_mlp_objective_init(&mo, &m, val, 0) == LLP_OK) {
        fv = llp_mlp_objective_get(&mo);
        if (llp_objective_loss(&fv, theta, NULL, &l) == LLP_OK) out = l;
        llp_mlp_objective_free(&mo);
    }
    llp_mlp_free(&m);
    return out;
}

/* The reference: configuration c trained here for `steps` optimizer steps;
   its validation loss (NaN when diverged or not finite). */
static double ref_train(const llp_select_desc *d, const llp_hp_config *c, uint64_t steps, int *diverged) {
    llp_mlp m;
    llp_opt_desc od;
    llp_train_desc td, t2;
    llp_mlp_objective mo;
    llp_objective f;
    llp_trainer tr;
    llp_result r;
    double s = NAN;
    if (diverged) *diverged = 0;
    if (!build_model(d, c, &m, &od, &td)) {
        CHECK(0, "reference: the configuration builds");
        return NAN;
    }
    CHECK_OK(llp_mlp_objective_init(&mo, &m, d->train_data, 0));
    f = llp_mlp_objective_get(&mo);
    memset(&t2, 0, sizeof t2);
    t2.epochs = (size_t)steps + 1; /* max_steps ends the run */
    t2.max_steps = steps;
    t2.batch_size = td.batch_size;
    t2.seed = d->train.seed;
    t2.diverge_factor = d->train.diverge_factor;
    CHECK_OK(llp_trainer_init(&tr, &t2, &f, NULL, &od, m.theta));
    r = llp_trainer_run(&tr);
    llp_trainer_free(&tr);
    if (r == LLP_ERR_DIVERGED) {
        if (diverged) *diverged = 1;
    } else {
        llp_mlp_desc md = llp_mlp_get_desc(&m);
        CHECK(r == LLP_OK, "reference training runs (%d)", (int)r);
        s = val_loss(&md, m.theta, d->val_data);
        if (!finite_(s)) s = NAN;
    }
    llp_mlp_objective_free(&mo);
    llp_mlp_free(&m);
    return s;
}

static uint64_t steps_of(const llp_select_desc *d, double r) {
    double S = (double)steps_per_epoch(d->train_data->n, d->train.batch_size);
    double k = floor(r * S + 0.5);
    return k < 1 ? 1 : (uint64_t)k;
}

/* Samples drawn by the first s steps of a run (the trainer's batching: whole
   epochs of N, within an epoch batches of B, the last one partial). */
static double samples_of(const llp_select_desc *d, uint64_t s) {
    size_t N = d->train_data->n, B = d->train.batch_size, S = steps_per_epoch(N, B), b = (!B || B >= N) ? N : B;
    return (double)(s / S) * (double)N + (double)(s % S) * (double)b;
}

/* The exact cost of training from resource r0 (0: from scratch) to r, and
   the default score: (samples of the steps in between) / N + N_val/(2N). */
static double step_cost(const fx *f, const llp_select_desc *d, double r0, double r) {
    double a = r0 > 0 ? samples_of(d, steps_of(d, r0)) : 0;
    return (samples_of(d, steps_of(d, r)) - a) / (double)d->train_data->n + score_cost(f);
}

/* The exact cost of a successive-halving bracket, survivors resumed. */
static double bracket_cost(const fx *f, const llp_select_desc *d, const llp_hp_sh_schedule *sc) {
    double c = 0;
    size_t i;
    for (i = 0; i < sc->n_rungs; i++) c += (double)sc->rung[i].n * step_cost(f, d, i ? sc->rung[i - 1].r : 0, sc->rung[i].r);
    return c;
}

/* The zero-cost proxies of c at theta_0, computed here. */
static void ref_proxies(const llp_select_desc *d, const llp_hp_config *c, double *gn, double *snip, double *syn,
                        double *lsyn) {
    llp_mlp m;
    llp_opt_desc od;
    llp_train_desc td;
    llp_mlp_objective mo;
    llp_objective f;
    llp_rng r;
    size_t N = d->train_data->n, P = N < 128 ? N : 128, i;
    size_t *perm = (size_t *)malloc(N * sizeof(size_t));
    llp_real *g, l;
    llp_batch b;
    double s2 = 0, sn = 0;
    if (!build_model(d, c, &m, &od, &td)) {
        CHECK(0, "proxy: the configuration builds");
        free(perm);
        return;
    }
    g = (llp_real *)malloc(m.n_params * sizeof(llp_real));
    llp_rng_seed(&r, d->snoop.seed ? d->snoop.seed : d->seed + 1);
    llp_rng_permutation(&r, perm, N);
    b = P < N ? llp_batch_index(perm, P) : llp_batch_all();
    CHECK_OK(llp_mlp_objective_init(&mo, &m, d->train_data, 0));
    f = llp_mlp_objective_get(&mo);
    CHECK_OK(llp_objective_loss_grad(&f, m.theta, &b, &l, g));
    for (i = 0; i < m.n_params; i++) s2 += (double)g[i] * g[i], sn += fabs((double)m.theta[i] * g[i]);
    *gn = sqrt(s2);
    *snip = sn;
    CHECK_OK(llp_snoop_synflow(&m, m.theta, syn, lsyn));
    llp_mlp_objective_free(&mo);
    free(g);
    free(perm);
    llp_mlp_free(&m);
}

/* The snoop the selector documents for c (CURVE: every probe skipped). */
static void ref_snoop(const llp_select_desc *d, const llp_hp_config *c, size_t k, unsigned skip, llp_snoop_result *res) {
    llp_mlp m;
    llp_opt_desc od;
    llp_train_desc td, t2;
    llp_snoop_desc sd;
    size_t N = d->train_data->n;
    if (!build_model(d, c, &m, &od, &td)) {
        CHECK(0, "snoop: the configuration builds");
        memset(res, 0, sizeof *res);
        return;
    }
    memset(&t2, 0, sizeof t2);
    t2.batch_size = td.batch_size, t2.seed = d->train.seed, t2.diverge_factor = d->train.diverge_factor;
    memset(&sd, 0, sizeof sd);
    sd.steps = k, sd.probe_batch = N < 128 ? N : 128, sd.power_iters = 5, sd.noise_pairs = 4, sd.sharp_samples = 4;
    sd.fd_probes = 2, sd.seed = d->seed + 1, sd.skip = skip;
    CHECK_OK(llp_snoop(&m, m.theta, d->train_data, &od, &t2, &sd, NULL, res));
    llp_mlp_free(&m);
}

/* The first n configurations of the RANDOM / candidate stream. */
static llp_hp_config *draw(const llp_select_desc *d, size_t n) {
    llp_hp_config *c = (llp_hp_config *)malloc((n ? n : 1) * sizeof *c);
    llp_rng r;
    llp_rng_seed(&r, d->seed);
    CHECK_OK(llp_hp_random(d->space, n ? n : 1, &r, c));
    return c;
}

static int same_config(const llp_hp_config *a, const llp_hp_config *b) {
    return a->set == b->set && memcmp(a->value, b->value, sizeof a->value) == 0;
}

/* ---- the score callback: classification error on the validation data ---------- */

#define MAX_SCORES 4096
typedef struct scorer {
    tally *t;
    size_t n;
    double val[MAX_SCORES];     /* every value returned, in call order */
    double ledger[MAX_SCORES];  /* the ledger's cost at each call */
    llp_result fail;            /* != LLP_OK: returned at the first call */
} scorer;

static llp_result err_rate(void *ctx, const llp_mlp *m, const llp_real *theta, const llp_data *val, double *score) {
    scorer *s = (scorer *)ctx;
    llp_mlp_work w;
    double acc;
    llp_result r;
    if (s->fail != LLP_OK) return s->fail;
    r = llp_mlp_work_init(&w, m, val->n);
    if (r != LLP_OK) return r;
    r = llp_mlp_accuracy(m, theta, val, NULL, &acc, &w);
    llp_mlp_work_free(&w);
    if (r != LLP_OK) return r;
    *score = 1 - acc;
    if (s->n < MAX_SCORES) {
        s->val[s->n] = *score;
        s->ledger[s->n] = s->t ? tally_cost(s->t) : NAN;
    }
    s->n++;
    return LLP_OK;
}

/* ---- the checks every run gets ------------------------------------------------------ */

/* sc: the score callback's context when desc->score is err_rate (NULL: default score). */
static void check_run(const fx *f, const llp_select_desc *d, const llp_select_result *res, const tally *t,
                      const scorer *sc, const char *what) {
    double R = d->train.epochs ? (double)d->train.epochs : 10, c = score_cost(f);
    double sum = 0, scr = 0, best = NAN, cum_bad = 0;
    size_t i, first_best = 0, n_screen = 0, n_train = 0, n_eval = 0, n_full = 0, bad_best = 0, bad_full = 0,
              bad_div = 0, bad_stage = 0;
    size_t loss = t->calls[0][K_LOSS] + t->calls[1][K_LOSS], grad = t->calls[0][K_GRAD] + t->calls[1][K_GRAD],
           hvp = t->calls[0][K_HVP] + t->calls[1][K_HVP];
    size_t s_loss = t->samples[0][K_LOSS] + t->samples[1][K_LOSS], s_grad = t->samples[0][K_GRAD] + t->samples[1][K_GRAD],
           s_hvp = t->samples[0][K_HVP] + t->samples[1][K_HVP];
    double want_spent = tally_cost(t) + (sc ? (double)sc->n * c : 0);
    int have = 0;
    if (res->R == 0 && res->trials == NULL && res->budget == 0) return; /* the run failed (reported): no result */
    /* echo */
    CHECK(res->method == d->method && res->budget == d->budget && res->R == R, "%s: method, budget, R echoed (R %g)",
          what, res->R);
    CHECK(rel(res->full_cost, R + c) <= 1e-12, "%s: full_cost = R + N_val/(2N) = %.15g (%.15g)", what, R + c,
          res->full_cost);
    /* the ledger = the wrapper's counts */
    CHECK(res->evals.loss == loss && res->evals.grad == grad && res->evals.hvp == hvp,
          "%s: evals loss %lu grad %lu hvp %lu = counted %lu %lu %lu", what, (unsigned long)res->evals.loss,
          (unsigned long)res->evals.grad, (unsigned long)res->evals.hvp, (unsigned long)loss, (unsigned long)grad,
          (unsigned long)hvp);
    CHECK(res->samples_loss == s_loss && res->samples_grad == s_grad && res->samples_hvp == s_hvp,
          "%s: samples loss %lu grad %lu hvp %lu = counted %lu %lu %lu", what, (unsigned long)res->samples_loss,
          (unsigned long)res->samples_grad, (unsigned long)res->samples_hvp, (unsigned long)s_loss,
          (unsigned long)s_grad, (unsigned long)s_hvp);
    CHECK(close_rel(res->spent, want_spent, 1e-12), "%s: spent %.15g = (s_grad + 2 s_hvp + s_loss/2)/N%s = %.15g",
          what, res->spent, sc ? " + scores" : "", want_spent);
    CHECK(res->spent <= res->budget, "%s: spent %.15g <= budget %.15g", what, res->spent, res->budget);
    CHECK(t->other == 0 && t->bad_n == 0 && t->bad_role == 0 && t->overflow == 0,
          "%s: no accuracy calls (%lu), objectives of the right data (%lu wrong), roles 0/1 (%lu), pool (%lu)", what,
          (unsigned long)t->other, (unsigned long)t->bad_n, (unsigned long)t->bad_role, (unsigned long)t->overflow);
    CHECK(t->calls[1][K_GRAD] == 0 && t->calls[1][K_HVP] == 0 && t->samples[1][K_LOSS] == t->n_val * t->calls[1][K_LOSS],
          "%s: the validation objective: full-data loss calls only (%lu grad, %lu hvp)", what,
          (unsigned long)t->calls[1][K_GRAD], (unsigned long)t->calls[1][K_HVP]);
    /* the trial list */
    for (i = 0; i < res->n_trials; i++) {
        const llp_select_trial *tr = &res->trials[i];
        sum += tr->cost;
        if (!close_rel(tr->cum_cost, sum, 1e-12)) cum_bad++;
        if (tr->stage == LLP_SELECT_STAGE_SCREEN) {
            n_screen++;
            scr += tr->cost;
            if (tr->full) bad_full++;
        } else if (tr->stage == LLP_SELECT_STAGE_TRAIN) {
            n_train++;
            if (!tr->diverged) n_eval++;
            if ((tr->full != 0) != (tr->resource == R)) bad_full++;
            if (tr->diverged && !isnan_(tr->score)) bad_div++;
            if (tr->full) n_full++;
            if (tr->full && finite_(tr->score) && (!have || tr->score < best)) best = tr->score, first_best = i, have = 1;
        } else
            bad_stage++;
        if (!(have ? tr->best == best : isnan_(tr->best))) bad_best++;
        if (!(tr->cost >= 0)) bad_stage++;
    }
    CHECK(bad_stage == 0, "%s: every trial a SCREEN or TRAIN of cost >= 0 (%lu bad)", what, (unsigned long)bad_stage);
    CHECK(close_rel(sum, res->spent, 1e-12), "%s: trial costs sum to spent (%.15g vs %.15g)", what, sum, res->spent);
    CHECK(cum_bad == 0, "%s: cum_cost is the running sum (%g bad)", what, cum_bad);
    CHECK(close_rel(res->screen_cost, scr, 1e-12), "%s: screen_cost %.15g = sum of screening trials %.15g", what,
          res->screen_cost, scr);
    CHECK(bad_full == 0, "%s: full == (resource == R) on trainings, 0 on screens (%lu bad)", what,
          (unsigned long)bad_full);
    CHECK(bad_div == 0, "%s: diverged trainings score NaN (%lu bad)", what, (unsigned long)bad_div);
    CHECK(bad_best == 0, "%s: trial.best is the running min of full finite scores (%lu bad)", what,
          (unsigned long)bad_best);
    CHECK(res->n_full == n_full, "%s: n_full %lu = full trainings in the list %lu", what, (unsigned long)res->n_full,
          (unsigned long)n_full);
    if (sc)
        CHECK(t->calls[1][K_LOSS] == 0 && sc->n == n_eval,
              "%s: score callback: no validation loss calls (%lu), one score per evaluated training (%lu vs %lu)", what,
              (unsigned long)t->calls[1][K_LOSS], (unsigned long)sc->n, (unsigned long)n_eval);
    else
        CHECK(t->calls[1][K_LOSS] == n_eval,
              "%s: one validation pass per training not diverged (%lu passes, %lu trainings)", what,
              (unsigned long)t->calls[1][K_LOSS], (unsigned long)n_eval);
    /* the best */
    CHECK(res->have_best == have, "%s: have_best %d (%d)", what, res->have_best, have);
    if (have && res->have_best) {
        llp_mlp m;
        CHECK(res->best_trial == first_best && res->best_score == best,
              "%s: best = trial %lu, score %.17g (got trial %lu, %.17g)", what, (unsigned long)first_best, best,
              (unsigned long)res->best_trial, res->best_score);
        CHECK(res->best_trial < res->n_trials && same_config(&res->best_config, &res->trials[res->best_trial].config),
              "%s: best_config = the best trial's", what);
        if (llp_mlp_init(&m, &res->best_mlp) == LLP_OK) {
            CHECK(res->best_theta != NULL && res->best_n == m.n_params, "%s: best_n %lu = n_params of best_mlp %lu",
                  what, (unsigned long)res->best_n, (unsigned long)m.n_params);
            if (res->best_theta && res->best_n == m.n_params) {
                double s;
                if (sc) {
                    scorer tmp;
                    memset(&tmp, 0, sizeof tmp);
                    err_rate(&tmp, &m, res->best_theta, &f->val, &s);
                } else
                    s = val_loss(&res->best_mlp, res->best_theta, &f->val);
                CHECK(s == res->best_score, "%s: best_theta evaluated here gives best_score (%.17g vs %.17g)", what, s,
                      res->best_score);
            }
            llp_mlp_free(&m);
        } else
            CHECK(0, "%s: best_mlp builds", what);
    } else if (!res->have_best)
        CHECK(isnan_(res->best_score) && res->best_theta == NULL, "%s: no best: NaN score, NULL theta", what);
}

/* ---- names --------------------------------------------------------------------------- */

static void test_names(void) {
    static const char *const want[LLP_SELECT_METHODS] = {"random", "grid",      "sh",   "hyperband", "curve",
                                                         "grad_norm", "snip", "synflow", "meta"};
    int m, bad = 0;
    for (m = 0; m < (int)LLP_SELECT_METHODS; m++) bad += strcmp(llp_select_method_name(m), want[m]) != 0;
    CHECK(bad == 0, "method names (%d wrong)", bad);
    CHECK(strcmp(llp_select_method_name(-1), "unknown") == 0 &&
              strcmp(llp_select_method_name(LLP_SELECT_METHODS), "unknown") == 0,
          "out of range: \"unknown\"");
    {
        llp_select_result z;
        memset(&z, 0, sizeof z);
        llp_select_free(&z);
        llp_select_free(&z);
        CHECK(z.trials == NULL && z.best_theta == NULL, "free on a zeroed result (twice)");
    }
}

/* ---- 1. the ledger, every method ---------------------------------------------------- */

static void check_sh_brackets(const fx *f, const llp_select_desc *d, const llp_select_result *res, const char *what);

static void test_ledger(void) {
    fx f;
    int m;
    fx_init(&f, 0);
    for (m = 0; m < (int)LLP_SELECT_METHODS; m++) {
        llp_select_desc d = f.d;
        llp_select_result res;
        tally t;
        char what[64];
        memset(&t, 0, sizeof t);
        d.method = (llp_select_method)m;
        d.budget = 80;
        /* a META snoop probes 128 of the 180 samples: ~17 epochs of work */
        if (m == LLP_SELECT_META) d.meta.steps = 200, d.meta.ensemble = 2, d.candidates = 4, d.budget = 120;
        snprintf(what, sizeof what, "ledger %s", llp_select_method_name(m));
        CHECK_OK(run(&d, &t, &res));
        check_run(&f, &d, &res, &t, NULL, what);
        CHECK(res.n_trials > 0 && res.have_best, "%s: something was trained (%lu trials)", what,
              (unsigned long)res.n_trials);
        if (m != LLP_SELECT_SH && m != LLP_SELECT_HYPERBAND && m != LLP_SELECT_META)
            CHECK(res.budget - res.spent < res.full_cost, "%s: the budget is used (%.4g of %.4g left)", what,
                  res.budget - res.spent, res.budget);
        if (m == LLP_SELECT_SH) check_sh_brackets(&f, &d, &res, what);
        {
            /* llp_select_full_cost prices the same full training without a search */
            double fc = -1;
            CHECK_OK(llp_select_full_cost(&d, &fc));
            CHECK(fc == res.full_cost, "%s: llp_select_full_cost %.17g = the result's %.17g", what, fc, res.full_cost);
        }
        if (m >= LLP_SELECT_CURVE && m <= LLP_SELECT_SYNFLOW) {
            /* the space varies init scale and width, which theta_0 and the proxies see: all distinct */
            size_t i, nscr = 0;
            for (i = 0; i < res.n_trials; i++) nscr += res.trials[i].stage == LLP_SELECT_STAGE_SCREEN;
            CHECK(res.screen_distinct == nscr, "%s: %lu distinct ranking values of %lu screens", what,
                  (unsigned long)res.screen_distinct, (unsigned long)nscr);
        }
        if (m < LLP_SELECT_CURVE || m == LLP_SELECT_META)
            CHECK(res.screen_distinct == 0, "%s: screen_distinct 0 (%lu)", what, (unsigned long)res.screen_distinct);
        {
            /* META: the picks after the warmup carry the model's prediction, nothing else does */
            size_t i, ntr = 0, badp = 0;
            for (i = 0; i < res.n_trials; i++) {
                const llp_select_trial *tt = &res.trials[i];
                int want = m == LLP_SELECT_META && tt->stage == LLP_SELECT_STAGE_TRAIN && ntr++ >= res.warmup;
                if (want != (tt->predicted == tt->predicted && tt->predicted > 0)) badp++;
            }
            CHECK(badp == 0, "%s: trial.predicted finite and > 0 exactly for META's model picks (%lu bad)", what,
                  (unsigned long)badp);
        }
        if (m >= LLP_SELECT_CURVE && m != LLP_SELECT_META) {
            /* candidates 0 -> max(4, 2 floor(80 / 9.1667)) = 16 per round (CURVE: at most that, capped by
               a third of the budget over a snoop's bound); rounds: a round's candidates are all screened
               before its trainings, and a new round starts only when the last one is all trained */
            size_t i, seen = 0, first = 0, rounds = 0, trained_in_round = 0, bad_round = 0;
            int in_train = 0;
            for (i = 0; i < res.n_trials && res.trials[i].stage == LLP_SELECT_STAGE_SCREEN; i++) first++;
            for (i = 0; i < res.n_trials; i++) {
                int scr = res.trials[i].stage == LLP_SELECT_STAGE_SCREEN;
                seen += scr;
                if (scr && (i == 0 || in_train)) { /* a new round */
                    if (i > 0 && trained_in_round != first) bad_round++;
                    if (res.trials[i].candidate != rounds * first) bad_round++;
                    rounds++;
                    trained_in_round = 0;
                }
                in_train = !scr;
                if (!scr) {
                    trained_in_round++;
                    if (res.trials[i].candidate < (rounds - 1) * first || res.trials[i].candidate >= rounds * first)
                        bad_round++; /* a training of this round's candidates only */
                }
            }
            if (m == LLP_SELECT_CURVE)
                CHECK(first >= 4 && first <= 16, "%s: 4..16 candidates per round (%lu)", what, (unsigned long)first);
            else
                CHECK(first == 16, "%s: 16 candidates per round by default (%lu)", what, (unsigned long)first);
            CHECK(res.n_configs == rounds * first && seen <= res.n_configs && seen + first > res.n_configs &&
                      bad_round == 0,
                  "%s: %lu rounds of %lu candidates, each screened then trained (%lu configs, %lu screened, %lu bad)",
                  what, (unsigned long)rounds, (unsigned long)first, (unsigned long)res.n_configs,
                  (unsigned long)seen, (unsigned long)bad_round);
        }
        if (m == LLP_SELECT_SH || m == LLP_SELECT_HYPERBAND) {
            /* default r = R/27 = 1/3 epoch: the smallest resource in the list */
            size_t i;
            double rmin = HUGE_VAL;
            for (i = 0; i < res.n_trials; i++)
                if (res.trials[i].resource < rmin) rmin = res.trials[i].resource;
            CHECK(rel(rmin, 9.0 / 27) <= 1e-12, "%s: min_resource 0 -> R/27 (%.15g)", what, rmin);
        }
        if (m == LLP_SELECT_RANDOM) {
            /* floor(80 / (9 + 1/6)) = 8 trainings of 9 + 1/6 each */
            size_t i, bad = 0;
            for (i = 0; i < res.n_trials; i++)
                if (!res.trials[i].diverged && rel(res.trials[i].cost, 9 + 1.0 / 6) > 1e-12) bad++;
            CHECK(res.n_trials == 8 && bad == 0, "random: 8 full trainings of cost R + 1/6 each (%lu, %lu bad)",
                  (unsigned long)res.n_trials, (unsigned long)bad);
        }
        llp_select_free(&res);
        CHECK(res.trials == NULL && res.best_theta == NULL && res.n_trials == 0, "%s: free zeroes", what);
    }
    fx_free(&f);
}

/* ---- 2. successive halving: the rung schedule and the survivors -------------------- */

/* indices idx[0..n-1] into trials, sorted by score ascending, NaN last, ties
   by position (stable insertion sort) */
static void sort_by_score(const llp_select_trial *tr, size_t *idx, size_t n) {
    size_t i, j;
    for (i = 1; i < n; i++) {
        size_t v = idx[i];
        double sv = tr[v].score;
        for (j = i; j > 0; j--) {
            double su = tr[idx[j - 1]].score;
            int before = isnan_(sv) ? 1 : (isnan_(su) ? 0 : su <= sv); /* NaN last, stable */
            if (before) break;
            idx[j] = idx[j - 1];
        }
        idx[j] = v;
    }
}

/* Within bracket b: rung i has sched->rung[i].n trials at resource r_i, each
   costing (r_i - r_{i-1}) + N_val/(2N) unless diverged (at most that), the
   survivors of rung i+1 are the best floor(n_i/eta) of rung i, and each
   score equals the reference training of round(r_i S) steps. Returns the
   number of trials of the bracket. */
static size_t check_bracket(const fx *f, const llp_select_desc *d, const llp_select_result *res, int b,
                            const llp_hp_sh_schedule *sched, unsigned eta, const char *what) {
    size_t i, k, count = 0, bad_cost = 0, bad_ref = 0, bad_surv = 0, bad_res = 0;
    size_t *idx = (size_t *)malloc((res->n_trials + 1) * sizeof(size_t));
    size_t *prev = (size_t *)malloc((res->n_trials + 1) * sizeof(size_t));
    size_t n_prev = 0;
    for (i = 0; i < sched->n_rungs; i++) {
        size_t n = 0;
        double r = sched->rung[i].r, r_prev = i ? sched->rung[i - 1].r : 0;
        for (k = 0; k < res->n_trials; k++)
            if (res->trials[k].bracket == b && res->trials[k].rung == (int)i) idx[n++] = k;
        count += n;
        CHECK(n == sched->rung[i].n, "%s: bracket %d rung %lu has %lu trials (%lu)", what, b, (unsigned long)i,
              (unsigned long)n, (unsigned long)sched->rung[i].n);
        for (k = 0; k < n; k++) {
            const llp_select_trial *t = &res->trials[idx[k]];
            double want = step_cost(f, d, r_prev, r);
            int div;
            double s;
            if (t->stage != LLP_SELECT_STAGE_TRAIN || t->resource != r) bad_res++;
            if (t->diverged ? !(t->cost <= want * (1 + 1e-12)) : !close_rel(t->cost, want, 1e-12)) bad_cost++;
            s = ref_train(d, &t->config, steps_of(d, r), &div);
            if (d->score) s = div ? NAN : t->score; /* a score callback: only divergence is compared */
            if (!(t->score == s || (isnan_(s) && isnan_(t->score))) || div != t->diverged) bad_ref++;
        }
        CHECK(bad_res == 0, "%s: bracket %d rung %lu: trainings to resource %g", what, b, (unsigned long)i, r);
        CHECK(bad_cost == 0, "%s: bracket %d rung %lu: each costs the samples of its steps / N + 1/6 = %.15g (%lu bad)",
              what, b, (unsigned long)i, step_cost(f, d, r_prev, r), (unsigned long)bad_cost);
        CHECK(bad_ref == 0, "%s: bracket %d rung %lu: scores = one uninterrupted reference run of round(r S) steps (%lu bad)",
              what, b, (unsigned long)i, (unsigned long)bad_ref);
        if (i > 0) {
            /* survivors: the best floor(n_prev / eta) of the previous rung */
            size_t keep = n_prev / eta, a, m;
            sort_by_score(res->trials, prev, n_prev);
            bad_surv = keep != n;
            for (a = 0; a < n && !bad_surv; a++) {
                int found = 0;
                for (m = 0; m < keep; m++)
                    if (res->trials[prev[m]].candidate == res->trials[idx[a]].candidate &&
                        same_config(&res->trials[prev[m]].config, &res->trials[idx[a]].config))
                        found = 1;
                if (!found) bad_surv = 1;
            }
            CHECK(!bad_surv, "%s: bracket %d rung %lu: the survivors are the best %lu of rung %lu by score", what, b,
                  (unsigned long)i, (unsigned long)keep, (unsigned long)(i - 1));
        } else {
            /* rung 0: fresh configurations, each once */
            size_t a, m, dup = 0;
            for (a = 0; a < n; a++)
                for (m = 0; m < a; m++) dup += res->trials[idx[a]].candidate == res->trials[idx[m]].candidate;
            CHECK(dup == 0, "%s: bracket %d rung 0: distinct candidates", what, b);
        }
        memcpy(prev, idx, n * sizeof(size_t));
        n_prev = n;
        bad_cost = bad_ref = bad_res = 0;
    }
    free(idx);
    free(prev);
    return count;
}

/* SH with default settings: every bracket b (fresh configurations) follows
   llp_hp_successive_halving(n_b, r, R, eta), n_b its rung-0 count. */
static void check_sh_brackets(const fx *f, const llp_select_desc *d, const llp_select_result *res, const char *what) {
    double R = d->train.epochs ? (double)d->train.epochs : 10, r = d->min_resource > 0 ? d->min_resource : R / 27;
    unsigned eta = d->eta ? d->eta : 3;
    size_t i, total = 0;
    int b, nb = 0;
    for (i = 0; i < res->n_trials; i++)
        if (res->trials[i].bracket + 1 > nb) nb = res->trials[i].bracket + 1;
    CHECK(nb >= 1, "%s: at least one bracket", what);
    double left = d->budget, min_reach;
    llp_hp_sh_schedule smin;
    size_t nmin = 1;
    /* the smallest bracket that reaches R: n = eta^(rungs - 1) */
    for (;;) {
        CHECK_OK(llp_hp_successive_halving(nmin, r, R, eta, &smin));
        if (rel(smin.rung[smin.n_rungs - 1].r, R) <= 1e-9) break;
        nmin *= eta;
    }
    min_reach = bracket_cost(f, d, &smin);
    for (b = 0; b < nb; b++) {
        llp_hp_sh_schedule sch;
        size_t n0 = 0, nfit = 0, n;
        double start = 0;
        int first = 1;
        for (i = 0; i < res->n_trials; i++)
            if (res->trials[i].bracket == b) {
                n0 += res->trials[i].rung == 0;
                if (first) start = res->trials[i].cum_cost - res->trials[i].cost, first = 0;
            }
        left = d->budget - start;
        /* the largest n whose bracket, at its exact cost, fits what is left */
        for (n = nmin; n < 100000; n++) {
            CHECK_OK(llp_hp_successive_halving(n, r, R, eta, &sch));
            if (bracket_cost(f, d, &sch) > left) break;
            nfit = n;
        }
        CHECK(n0 == nfit, "%s: bracket %d: %lu configurations = the largest n whose exact cost fits %.6g (%lu)", what,
              b, (unsigned long)n0, left, (unsigned long)nfit);
        if (llp_hp_successive_halving(n0, r, R, eta, &sch) != LLP_OK) {
            CHECK(0, "%s: bracket %d of %lu configurations has a schedule", what, b, (unsigned long)n0);
            continue;
        }
        CHECK(rel(sch.rung[sch.n_rungs - 1].r, R) <= 1e-9, "%s: bracket %d (n = %lu) reaches R", what, b,
              (unsigned long)n0);
        total += check_bracket(f, d, res, b, &sch, eta, what);
    }
    CHECK(total == res->n_trials, "%s: every trial in a bracket (%lu of %lu)", what, (unsigned long)total,
          (unsigned long)res->n_trials);
    CHECK(d->budget - res->spent < min_reach, "%s: at the end no bracket reaching R fits (%.6g left, the smallest costs %.6g)",
          what, d->budget - res->spent, min_reach);
}

static void test_sh(void) {
    fx f;
    llp_select_desc d;
    llp_select_result res;
    llp_hp_sh_schedule sch;
    tally t;
    double c, budget, cost40, cost41, cost27;
    size_t n, nfit = 0, i, total;
    /* the hand table for n = 40, r = 1, R = 27, eta = 3 */
    static const size_t hand_n[4] = {40, 13, 4, 1};
    static const double hand_r[4] = {1, 3, 9, 27};
    fx_init(&f, 0);
    c = score_cost(&f); /* 60 / 360 = 1/6 */
    d = f.d;
    d.method = LLP_SELECT_SH;
    d.train.epochs = 27, d.min_resource = 1, d.eta = 3;
    /* A bracket of n configurations, survivors resumed:
         cost(n) = sum_i n_i (r_i - r_{i-1}) + (sum_i n_i) / 6.
       n = 40: 40 x 1 + 13 x (3 - 1) + 4 x (9 - 3) + 1 x (27 - 9) = 40 + 26 + 24 + 18 = 108
               epochs, and 40 + 13 + 4 + 1 = 58 scores: 108 + 58/6 = 117.667;
       n = 41: 41 + 26 + 24 + 18 = 109, 59 scores: 109 + 59/6 = 118.833.
       Budget 118.25: exactly 40 fit. What is left (0.583) is far below the
       cheapest bracket that reaches R (n = 27: 27 + 18 + 18 + 18 = 81, 40
       scores: 87.667), so there is no second bracket. */
    cost40 = 108 + 58 * c, cost41 = 109 + 59 * c, cost27 = 81 + 40 * c;
    budget = 118.25;
    for (n = 1; n <= 60; n++) {
        double cost = 0;
        CHECK_OK(llp_hp_successive_halving(n, 1, 27, 3, &sch));
        for (i = 0; i < sch.n_rungs; i++) cost += (double)sch.rung[i].n * c;
        cost += sch.total_resume;
        if (n == 40) CHECK(rel(cost, cost40) <= 1e-14, "hand cost of n = 40 = the schedule's (%.15g)", cost);
        if (n == 41) CHECK(rel(cost, cost41) <= 1e-14, "hand cost of n = 41 = the schedule's (%.15g)", cost);
        if (n == 27) CHECK(rel(cost, cost27) <= 1e-14, "hand cost of n = 27 = the schedule's (%.15g)", cost);
        if (cost <= budget) nfit = n;
    }
    CHECK(nfit == 40 && budget - cost40 < cost27, "exactly n = 40 fits in %g, no second bracket", budget);
    CHECK_OK(llp_hp_successive_halving(40, 1, 27, 3, &sch));
    CHECK(sch.n_rungs == 4, "4 rungs");
    for (i = 0; i < 4 && i < sch.n_rungs; i++)
        CHECK(sch.rung[i].n == hand_n[i] && sch.rung[i].r == hand_r[i], "rung %lu: %lu at %g = the hand table",
              (unsigned long)i, (unsigned long)sch.rung[i].n, sch.rung[i].r);
    d.budget = budget;
    CHECK_OK(run(&d, &t, &res));
    check_run(&f, &d, &res, &t, NULL, "sh");
    total = check_bracket(&f, &d, &res, 0, &sch, 3, "sh");
    CHECK(total == res.n_trials && res.n_trials == 58 && res.n_configs == 40,
          "sh: one bracket: 58 trials (%lu), 40 configurations (%lu)", (unsigned long)res.n_trials,
          (unsigned long)res.n_configs);
    CHECK(rel(res.spent, cost40) <= 1e-12, "sh: spent = cost(40) = %.15g (%.15g)", cost40, res.spent);
    {
        /* the candidates are the random stream's first 40 */
        llp_hp_config *cf = draw(&d, 40);
        size_t bad = 0;
        for (i = 0; i < res.n_trials; i++) {
            size_t cand = res.trials[i].candidate;
            if (cand >= 40 || !same_config(&res.trials[i].config, &cf[cand])) bad++;
            if (res.trials[i].bracket != 0) bad++;
        }
        CHECK(bad == 0, "sh: trial configurations = llp_hp_random's, bracket 0 (%lu bad)", (unsigned long)bad);
        free(cf);
    }
    llp_select_free(&res);
    fx_free(&f);
}

/* ---- 2b. Hyperband: the brackets ------------------------------------------------------ */

static void test_hyperband(void) {
    fx f;
    llp_select_desc d;
    llp_select_result res;
    llp_hp_hyperband_schedule hb;
    tally t;
    double c, bcost[4], all = 0;
    size_t j, i;
    /* R/r = 27, eta = 3: s_max = 3; n = ceil(4 * 3^s / (s + 1)):
         s = 3: n = 27, rungs 27@1, 9@3, 3@9, 1@27
         s = 2: n = 12, rungs 12@3, 4@9, 1@27
         s = 1: n = 6,  rungs 6@9, 2@27
         s = 0: n = 4,  rungs 4@27 */
    static const size_t hand_n[4][4] = {{27, 9, 3, 1}, {12, 4, 1, 0}, {6, 2, 0, 0}, {4, 0, 0, 0}};
    static const double hand_r[4][4] = {{1, 3, 9, 27}, {3, 9, 27, 0}, {9, 27, 0, 0}, {27, 0, 0, 0}};
    fx_init(&f, 0);
    c = score_cost(&f);
    d = f.d;
    d.method = LLP_SELECT_HYPERBAND;
    d.train.epochs = 27, d.min_resource = 1, d.eta = 3;
    CHECK_OK(llp_hp_hyperband(1, 27, 3, &hb));
    CHECK(hb.n_brackets == 4, "4 brackets");
    for (j = 0; j < 4 && j < hb.n_brackets; j++) {
        size_t nr = 4 - j, bad = hb.bracket[j].n_rungs != nr;
        double s = 0;
        for (i = 0; i < nr && !bad; i++) {
            bad += hb.bracket[j].rung[i].n != hand_n[j][i] || hb.bracket[j].rung[i].r != hand_r[j][i];
            s += (double)hb.bracket[j].rung[i].n * ((hb.bracket[j].rung[i].r - (i ? hb.bracket[j].rung[i - 1].r : 0)) + c);
        }
        CHECK(bad == 0, "bracket s = %lu: the hand table", (unsigned long)(3 - j));
        bcost[j] = s;
        all += s;
    }
    /* bracket costs, epochs + scores/6:
         s = 3: 27 + 9 x 2 + 3 x 6 + 18 = 81, 40 scores: 87.667
         s = 2: 12 x 3 + 4 x 6 + 18 = 78,       17 scores: 80.833
         s = 1: 6 x 9 + 2 x 18 = 90,            8 scores: 91.333
         s = 0: 4 x 27 = 108,                   4 scores: 108.667;  all four: 368.5 */
    CHECK(rel(bcost[0], 81 + 40 * c) <= 1e-14 && rel(bcost[1], 78 + 17 * c) <= 1e-14 &&
              rel(bcost[2], 90 + 8 * c) <= 1e-14 && rel(bcost[3], 108 + 4 * c) <= 1e-14 && rel(all, 368.5) <= 1e-14,
          "bracket costs by hand (%.6g %.6g %.6g %.6g, %.6g)", bcost[0], bcost[1], bcost[2], bcost[3], all);
    /* budget 369: the four brackets, then 0.5 left, nothing fits */
    d.budget = 369;
    CHECK_OK(run(&d, &t, &res));
    check_run(&f, &d, &res, &t, NULL, "hyperband");
    {
        size_t total = 0, n0[4] = {0, 0, 0, 0}, cand_bad = 0;
        int b;
        for (b = 0; b < 4; b++) total += check_bracket(&f, &d, &res, b, &hb.bracket[b], 3, "hyperband");
        for (i = 0; i < res.n_trials; i++) {
            if (res.trials[i].bracket >= 0 && res.trials[i].bracket < 4 && res.trials[i].rung == 0) n0[res.trials[i].bracket]++;
            if (res.trials[i].bracket < 0 || res.trials[i].bracket > 3) cand_bad++;
        }
        CHECK(n0[0] == 27 && n0[1] == 12 && n0[2] == 6 && n0[3] == 4 && cand_bad == 0,
              "hyperband: brackets of 27, 12, 6, 4 configurations (%lu %lu %lu %lu)", (unsigned long)n0[0],
              (unsigned long)n0[1], (unsigned long)n0[2], (unsigned long)n0[3]);
        CHECK(total == res.n_trials && res.n_configs == 49, "hyperband: %lu trials, all in the brackets; 49 configurations (%lu)",
              (unsigned long)res.n_trials, (unsigned long)res.n_configs);
        CHECK(rel(res.spent, 368.5) <= 1e-12, "hyperband: spent 368.5 (%.15g)", res.spent);
        /* brackets run in order s = 3, 2, 1, 0 */
        for (i = 1; i < res.n_trials; i++)
            if (res.trials[i].bracket < res.trials[i - 1].bracket) cand_bad++;
        CHECK(cand_bad == 0, "hyperband: brackets in run order");
    }
    llp_select_free(&res);
    /* budget 87.667 + 80.833 + 90 = 258.5: s = 3 and s = 2 run (168.5), 90
       left: s = 1 (91.333) and s = 0 (108.667) are skipped, s = 3 comes round
       again with fresh configurations (87.667), 2.333 left, nothing fits:
       brackets of 27, 12, 27 configurations */
    d.budget = bcost[0] + bcost[1] + 90;
    CHECK_OK(run(&d, &t, &res));
    check_run(&f, &d, &res, &t, NULL, "hyperband skip");
    {
        size_t n0[3] = {0, 0, 0}, other = 0, total;
        for (i = 0; i < res.n_trials; i++) {
            if (res.trials[i].bracket >= 0 && res.trials[i].bracket < 3) {
                if (res.trials[i].rung == 0) n0[res.trials[i].bracket]++;
            } else
                other++;
        }
        CHECK(n0[0] == 27 && n0[1] == 12 && n0[2] == 27 && other == 0,
              "hyperband skip: brackets 27, 12, then 27 again (%lu %lu %lu, %lu other)", (unsigned long)n0[0],
              (unsigned long)n0[1], (unsigned long)n0[2], (unsigned long)other);
        total = check_bracket(&f, &d, &res, 0, &hb.bracket[0], 3, "hyperband skip") +
                check_bracket(&f, &d, &res, 1, &hb.bracket[1], 3, "hyperband skip") +
                check_bracket(&f, &d, &res, 2, &hb.bracket[0], 3, "hyperband skip");
        CHECK(total == res.n_trials && rel(res.spent, 2 * bcost[0] + bcost[1]) <= 1e-12,
              "hyperband skip: spent 2 x 87.667 + 80.833 (%.15g)", res.spent);
        /* fresh configurations: the third bracket's are none of the first two's */
        {
            size_t a, b2, dup = 0;
            for (a = 0; a < res.n_trials; a++)
                for (b2 = 0; b2 < res.n_trials; b2++)
                    if (res.trials[a].bracket == 2 && res.trials[b2].bracket < 2 &&
                        res.trials[a].candidate == res.trials[b2].candidate)
                        dup++;
            CHECK(dup == 0 && res.n_configs == 66, "hyperband skip: fresh candidates (%lu shared), 66 configurations (%lu)",
                  (unsigned long)dup, (unsigned long)res.n_configs);
        }
    }
    llp_select_free(&res);
    fx_free(&f);
}

/* ---- 3. same configuration, same score ------------------------------------------------ */

static void test_same_score(void) {
    fx f;
    llp_select_desc d;
    llp_select_result rr, rs;
    tally t;
    llp_hp_config *cf;
    size_t i, j, bad = 0, bad_ref = 0, matched = 0;
    fx_init(&f, 0);
    d = f.d;
    /* RANDOM: floor(75 / 9.1667) = 8 trainings = candidates 0..7 */
    d.budget = 75;
    CHECK_OK(run(&d, &t, &rr));
    check_run(&f, &d, &rr, &t, NULL, "random");
    CHECK(rr.n_trials == 8 && rr.n_configs == 8, "random: 8 trainings (%lu)", (unsigned long)rr.n_trials);
    cf = draw(&d, 8);
    for (i = 0; i < rr.n_trials && i < 8; i++) {
        int div;
        double s;
        if (rr.trials[i].candidate != i || !same_config(&rr.trials[i].config, &cf[i]) || rr.trials[i].bracket != -1 ||
            rr.trials[i].rung != -1 || rr.trials[i].stage != LLP_SELECT_STAGE_TRAIN || !rr.trials[i].full)
            bad++;
        s = ref_train(&d, &rr.trials[i].config, 9 * 6, &div);
        if (!(s == rr.trials[i].score) || div != rr.trials[i].diverged) bad_ref++;
    }
    CHECK(bad == 0, "random: trial i = llp_hp_random's configuration i, full training, bracket/rung -1 (%lu bad)",
          (unsigned long)bad);
    CHECK(bad_ref == 0, "random: every score = the reference training here, bit for bit (%lu bad)",
          (unsigned long)bad_ref);
    /* a screening method on 8 candidates (the same stream): its trainings
       give RANDOM's scores bit for bit */
    d.method = LLP_SELECT_GRAD_NORM;
    d.candidates = 8;
    d.budget = 40;
    CHECK_OK(run(&d, &t, &rs));
    check_run(&f, &d, &rs, &t, NULL, "grad_norm (same score)");
    bad = 0;
    for (i = 0; i < rs.n_trials; i++) {
        const llp_select_trial *a = &rs.trials[i];
        if (a->candidate >= 8 || !same_config(&a->config, &cf[a->candidate])) bad++;
        if (a->stage != LLP_SELECT_STAGE_TRAIN) continue;
        for (j = 0; j < rr.n_trials; j++)
            if (rr.trials[j].candidate == a->candidate) {
                matched++;
                if (memcmp(&a->score, &rr.trials[j].score, sizeof(double)) != 0) bad++;
            }
    }
    CHECK(matched >= 3 && bad == 0, "grad_norm: candidate i = random's configuration i; %lu trainings, scores = random's bit for bit (%lu bad)",
          (unsigned long)matched, (unsigned long)bad);
    free(cf);
    llp_select_free(&rr);
    llp_select_free(&rs);
    fx_free(&f);
}

/* ---- 4. ranking of the screening methods ---------------------------------------------- */

/* order[0..n-1] = candidates sorted by key, descending when desc (NaN last,
   ties by index) */
static void rank(const double *key, size_t n, int desc, size_t *order) {
    size_t i, j;
    for (i = 0; i < n; i++) order[i] = i;
    for (i = 1; i < n; i++) {
        size_t v = order[i];
        for (j = i; j > 0; j--) {
            double a = key[order[j - 1]], b = key[v];
            int keep = isnan_(b) ? 1 : isnan_(a) ? 0 : (desc ? a >= b : a <= b); /* NaN last, stable */
            if (keep) break;
            order[j] = order[j - 1];
        }
        order[j] = v;
    }
}

/* The screens (one per candidate, candidate order not assumed), their
   values in *val[candidate], and the training order. */
static void split_trials(const llp_select_result *res, size_t nc, double *val, double *cost, int *div,
                         size_t *train_order, size_t *n_trained, size_t *screens, size_t *bad) {
    size_t i;
    *n_trained = 0, *screens = 0, *bad = 0;
    for (i = 0; i < nc; i++) val[i] = cost[i] = NAN, div[i] = -1;
    for (i = 0; i < res->n_trials; i++) {
        const llp_select_trial *t = &res->trials[i];
        if (t->candidate >= nc) {
            (*bad)++;
            continue;
        }
        if (t->stage == LLP_SELECT_STAGE_SCREEN) {
            if (div[t->candidate] != -1) (*bad)++; /* screened twice */
            val[t->candidate] = t->score, cost[t->candidate] = t->cost, div[t->candidate] = t->diverged;
            (*screens)++;
            if (*n_trained) (*bad)++; /* every screen comes before the trainings */
        } else
            train_order[(*n_trained)++] = t->candidate;
    }
}

/* A proxy at theta_0 over a space of the learning rate only: every candidate
   has the same theta_0, so the value is the same, screen_distinct is 1 and
   the candidates are trained in the order drawn. */
static void test_proxy_blind(void) {
    fx f;
    llp_select_desc d;
    llp_select_result res;
    tally t;
    size_t i, ntr = 0, bad = 0;
    fx_init(&f, 1);
    f.space.dim[0].lo = 1e-3;
    f.space.dim[0].hi = 1;
    d = f.d;
    d.method = LLP_SELECT_GRAD_NORM;
    d.candidates = 6;
    d.budget = 40;
    CHECK_OK(run(&d, &t, &res));
    CHECK(res.screen_distinct == 1, "blind proxy: 1 distinct value (%lu)", (unsigned long)res.screen_distinct);
    for (i = 0; i < res.n_trials; i++)
        if (res.trials[i].stage == LLP_SELECT_STAGE_TRAIN) bad += res.trials[i].candidate != ntr++;
    CHECK(ntr >= 2 && bad == 0, "blind proxy: %lu trainings in the order drawn (%lu out of order)", (unsigned long)ntr,
          (unsigned long)bad);
    llp_select_free(&res);
    fx_free(&f);
}

static void test_proxies(void) {
    fx f;
    int which;
    fx_init(&f, 0);
    for (which = 0; which < 3; which++) {
        static const llp_select_method meth[3] = {LLP_SELECT_GRAD_NORM, LLP_SELECT_SNIP, LLP_SELECT_SYNFLOW};
        llp_select_desc d = f.d;
        llp_select_result res;
        tally t;
        llp_hp_config *cf;
        double gn[8], sn[8], sy[8], lsy[8], val[8], cost[8], *mine, screen, P = 128, fc = 9 + 1.0 / 6;
        int div[8];
        size_t order[8], tro[64], ntr, nscr, bad, i, bad_val = 0, bad_cost = 0, bad_order = 0, expect_tr;
        const char *nm = llp_select_method_name(meth[which]);
        d.method = meth[which];
        d.candidates = 8;
        cf = draw(&d, 8);
        for (i = 0; i < 8; i++) ref_proxies(&d, &cf[i], &gn[i], &sn[i], &sy[i], &lsy[i]);
        /* screening: one gradient of P = 128 samples per candidate (128/180),
           none for SYNFLOW; then 3 trainings of R + 1/6 and 0.5 to spare */
        screen = which == 2 ? 0 : 8 * P / 180.0;
        d.budget = screen + 3 * fc + 0.5;
        CHECK_OK(run(&d, &t, &res));
        check_run(&f, &d, &res, &t, NULL, nm);
        split_trials(&res, 8, val, cost, div, tro, &ntr, &nscr, &bad);
        CHECK(bad == 0 && nscr == 8 && res.n_configs == 8, "%s: 8 screens, one per candidate, before any training", nm);
        mine = which == 0 ? gn : which == 1 ? sn : sy;
        for (i = 0; i < 8; i++) {
            double v = mine[i];
            if (which == 2) {
                /* the ranking value may be kept as synflow or its log */
                if (!(rel(val[i], sy[i]) <= 1e-12 || rel(val[i], lsy[i]) <= 1e-12)) bad_val++;
            } else if (!(rel(val[i], v) <= TOL(1e-12, 1e-5)))
                bad_val++;
            if (!close_rel(cost[i], which == 2 ? 0 : P / 180.0, 1e-12) && !(which == 2 && cost[i] == 0)) bad_cost++;
        }
        CHECK(bad_val == 0, "%s: the screen values = the proxy at theta_0 computed here (%lu bad; e.g. %.15g vs %.15g)",
              nm, (unsigned long)bad_val, val[0], mine[0]);
        CHECK(bad_cost == 0, "%s: a screen costs %s (%lu bad)", nm, which == 2 ? "nothing" : "P/N = 128/180",
              (unsigned long)bad_cost);
        rank(which == 2 ? lsy : mine, 8, 1, order);
        expect_tr = 3;
        for (i = 0; i < ntr && i < 8; i++)
            if (tro[i] != order[i]) bad_order++;
        CHECK(ntr == expect_tr && bad_order == 0,
              "%s: %lu trainings (%lu) in descending proxy order (first %lu, expected %lu)", nm, (unsigned long)ntr,
              (unsigned long)expect_tr, (unsigned long)(ntr ? tro[0] : 99), (unsigned long)order[0]);
        for (i = 0, bad = 0; i < res.n_trials; i++)
            if (res.trials[i].stage == LLP_SELECT_STAGE_SCREEN &&
                (res.trials[i].resource != 0 || res.trials[i].full || res.trials[i].bracket != -1 ||
                 !same_config(&res.trials[i].config, &cf[res.trials[i].candidate])))
                bad++;
        CHECK(bad == 0, "%s: screens at resource 0, not full, bracket -1, the candidate's configuration", nm);
        /* the ranking is not the candidate order (else the test proves nothing) */
        CHECK(order[0] != 0 || order[1] != 1 || order[2] != 2, "%s: the proxy order differs from the candidate order", nm);
        free(cf);
        llp_select_free(&res);
    }
    fx_free(&f);
}

static void test_curve(void) {
    fx f;
    llp_select_desc d;
    llp_select_result res;
    tally t;
    llp_hp_config *cf;
    llp_snoop_result sr[8];
    double val[8], cost[8], lossk[8], screen = 0, fc;
    int div[8];
    size_t order[8], tro[64], ntr, nscr, bad, i, bad_val = 0, bad_cost = 0, bad_order = 0, bad_ref = 0;
    fx_init(&f, 0);
    d = f.d;
    /* R = 45: k = max(10, ceil(S R / 20)) = ceil(270 / 20) = 14 */
    d.train.epochs = 45;
    d.method = LLP_SELECT_CURVE;
    d.candidates = 8;
    cf = draw(&d, 8);
    for (i = 0; i < 8; i++) {
        ref_snoop(&d, &cf[i], 14, 63, &sr[i]);
        lossk[i] = sr[i].diverged ? NAN : sr[i].features[LLP_SNOOP_LOSSK];
        screen += sr[i].cost.data_equiv;
    }
    fc = 45 + 1.0 / 6;
    d.budget = screen + 3 * fc + 0.5;
    CHECK_OK(run(&d, &t, &res));
    check_run(&f, &d, &res, &t, NULL, "curve");
    CHECK(res.snoop_steps == 14, "curve: k = max(10, ceil(6 x 45 / 20)) = 14 (%lu)", (unsigned long)res.snoop_steps);
    split_trials(&res, 8, val, cost, div, tro, &ntr, &nscr, &bad);
    CHECK(bad == 0 && nscr == 8, "curve: 8 snoops, one per candidate, before any training");
    for (i = 0; i < 8; i++) {
        if (!(val[i] == lossk[i] || (isnan_(val[i]) && isnan_(lossk[i]))) || div[i] != sr[i].diverged) bad_val++;
        if (!close_rel(cost[i], sr[i].cost.data_equiv, 1e-12)) bad_cost++;
    }
    CHECK(bad_val == 0, "curve: screen values = LOSSK of llp_snoop run here (14 steps, probes skipped) (%lu bad: %.17g vs %.17g)",
          (unsigned long)bad_val, val[0], lossk[0]);
    CHECK(bad_cost == 0, "curve: screen costs = the snoop's data_equiv (%lu bad: %.15g vs %.15g)", (unsigned long)bad_cost,
          cost[0], sr[0].cost.data_equiv);
    for (i = 0, bad = 0; i < res.n_trials; i++)
        if (res.trials[i].stage == LLP_SELECT_STAGE_SCREEN && rel(res.trials[i].resource, 14.0 / 6) > 1e-12) bad++;
    CHECK(bad == 0, "curve: screen resource k / S = 14/6");
    rank(lossk, 8, 0, order);
    for (i = 0; i < ntr && i < 8; i++)
        if (tro[i] != order[i]) bad_order++;
    CHECK(ntr == 3 && bad_order == 0, "curve: 3 trainings (%lu) in ascending LOSSK (first %lu, expected %lu)",
          (unsigned long)ntr, (unsigned long)(ntr ? tro[0] : 99), (unsigned long)order[0]);
    CHECK(order[0] != 0 || order[1] != 1 || order[2] != 2, "curve: the LOSSK order differs from the candidate order");
    for (i = 0; i < res.n_trials; i++)
        if (res.trials[i].stage == LLP_SELECT_STAGE_TRAIN) {
            int dv;
            double s = ref_train(&d, &res.trials[i].config, 45 * 6, &dv);
            if (!(s == res.trials[i].score) || dv != res.trials[i].diverged) bad_ref++;
        }
    CHECK(bad_ref == 0, "curve: the trainings' scores = the reference trainings here, bit for bit (%lu bad)",
          (unsigned long)bad_ref);
    free(cf);
    llp_select_free(&res);
    fx_free(&f);
}

static void test_meta(void) {
    fx f;
    llp_select_desc d;
    llp_select_result res;
    tally t;
    llp_hp_config *cf;
    llp_snoop_result sr[6];
    double val[6], cost[6], screen = 0, fc = 9 + 1.0 / 6;
    int div[6];
    size_t tro[64], ntr, nscr, bad, i, j, bad_cost = 0, bad_div = 0, bad_ref = 0, warm[6], nw = 0;
    fx_init(&f, 0);
    d = f.d;
    d.method = LLP_SELECT_META;
    d.candidates = 6;
    d.meta.steps = 200, d.meta.ensemble = 2;
    cf = draw(&d, 6);
    /* k = max(10, ceil(6 x 9 / 20)) = 10; every probe, the selector's lighter defaults */
    for (i = 0; i < 6; i++) {
        ref_snoop(&d, &cf[i], 10, 0, &sr[i]);
        screen += sr[i].cost.data_equiv;
    }
    d.budget = screen + 5 * fc + 0.5;
    CHECK_OK(run(&d, &t, &res));
    check_run(&f, &d, &res, &t, NULL, "meta");
    CHECK(res.snoop_steps == 10 && res.warmup == 3, "meta: k = 10 (%lu), warmup 0 -> 3 (%lu)",
          (unsigned long)res.snoop_steps, (unsigned long)res.warmup);
    split_trials(&res, 6, val, cost, div, tro, &ntr, &nscr, &bad);
    CHECK(bad == 0 && nscr == 6 && res.n_configs == 6, "meta: 6 snoops, one per candidate, before any training");
    for (i = 0; i < 6; i++) {
        if (!close_rel(cost[i], sr[i].cost.data_equiv, 1e-12)) bad_cost++;
        if (div[i] != sr[i].diverged || !isnan_(val[i])) bad_div++;
    }
    CHECK(bad_cost == 0, "meta: snoop costs = llp_snoop run here with power_iters 5, noise_pairs 4, sharp 4, fd 2, P 128 (%lu bad: %.15g vs %.15g)",
          (unsigned long)bad_cost, cost[0], sr[0].cost.data_equiv);
    CHECK(bad_div == 0, "meta: screen diverged flags = the snoops', scores NaN");
    CHECK(ntr == 5, "meta: 5 trainings (%lu)", (unsigned long)ntr);
    for (i = 0; i < 6 && nw < 3; i++)
        if (!sr[i].diverged) warm[nw++] = i;
    for (i = 0, bad = 0; i < nw && i < ntr; i++) bad += tro[i] != warm[i];
    CHECK(bad == 0 && ntr >= nw, "meta: the first 3 trainings are the first 3 candidates whose snoop did not diverge");
    for (i = 0, bad = 0; i < ntr; i++)
        for (j = 0; j < i; j++) bad += tro[i] == tro[j];
    CHECK(bad == 0, "meta: every later training is a candidate not yet trained");
    /* one fit before each training after the warmup (and perhaps one more whose
       pick the budget could not afford) */
    CHECK(res.meta_fits >= ntr - 3 && res.meta_fits <= ntr - 3 + 1, "meta: %lu fits for %lu trainings after the warmup",
          (unsigned long)res.meta_fits, (unsigned long)(ntr - 3));
    CHECK(res.meta_evals.grad == res.meta_fits * 2 * 200 && res.meta_evals.loss == res.meta_fits * 2,
          "meta: meta_evals = fits x (2 members x 200 steps) gradients, 2 losses (%lu, %lu)",
          (unsigned long)res.meta_evals.grad, (unsigned long)res.meta_evals.loss);
    for (i = 0; i < res.n_trials; i++)
        if (res.trials[i].stage == LLP_SELECT_STAGE_TRAIN) {
            int dv;
            double s = ref_train(&d, &res.trials[i].config, 9 * 6, &dv);
            if (!(s == res.trials[i].score) || dv != res.trials[i].diverged) bad_ref++;
        }
    CHECK(bad_ref == 0, "meta: the trainings' scores = the reference trainings, bit for bit (%lu bad)", (unsigned long)bad_ref);
    free(cf);
    llp_select_free(&res);
    fx_free(&f);
}

/* META when snoops diverge: ReLU, lr log [0.5, 50]; the warmup skips them,
   and they are trained last, in candidate order. */
static void test_meta_diverged(void) {
    fx f;
    llp_select_desc d;
    llp_select_result res;
    tally t;
    llp_hp_config *cf;
    llp_snoop_result sr[6];
    double val[6], cost[6], screen = 0;
    int div[6];
    size_t tro[64], ntr, nscr, bad, i, j, warm[6], nw = 0, ndiv = 0, first_div = 99;
    fx_init(&f, 1);
    f.space.dim[0].lo = 0.5;
    d = f.d;
    d.method = LLP_SELECT_META;
    d.candidates = 6;
    d.meta.steps = 200, d.meta.ensemble = 2;
    cf = draw(&d, 6);
    for (i = 0; i < 6; i++) {
        ref_snoop(&d, &cf[i], 10, 0, &sr[i]);
        screen += sr[i].cost.data_equiv;
        ndiv += sr[i].diverged != 0;
    }
    CHECK(sr[0].diverged && ndiv >= 2 && ndiv <= 4, "meta diverged: the first candidate's snoop diverges, %lu of 6 do",
          (unsigned long)ndiv);
    d.budget = screen + 6 * (9 + score_cost(&f)) + 0.5; /* everything fits */
    CHECK_OK(run(&d, &t, &res));
    check_run(&f, &d, &res, &t, NULL, "meta diverged");
    {
        /* diverged trainings stop early and leave budget: a second round of candidates 6.. may follow;
           the checks below are of the first round */
        size_t keep = 0, all = res.n_trials;
        while (keep < all && res.trials[keep].candidate < 6) keep++;
        for (i = keep, bad = 0; i < all; i++) bad += res.trials[i].candidate < 6;
        CHECK(bad == 0, "meta diverged: a second round draws new candidates only");
        res.n_trials = keep;
    }
    split_trials(&res, 6, val, cost, div, tro, &ntr, &nscr, &bad);
    CHECK(bad == 0 && nscr == 6 && ntr == 6, "meta diverged: 6 snoops, then the 6 trainings (%lu)", (unsigned long)ntr);
    for (i = 0, bad = 0; i < 6; i++) bad += div[i] != sr[i].diverged || !close_rel(cost[i], sr[i].cost.data_equiv, 1e-12);
    CHECK(bad == 0, "meta diverged: snoop flags and costs = llp_snoop run here");
    for (i = 0; i < 6 && nw < 3; i++)
        if (!sr[i].diverged) warm[nw++] = i;
    for (i = 0, bad = 0; i < nw && i < ntr; i++) bad += tro[i] != warm[i];
    CHECK(bad == 0, "meta diverged: the warmup trains the first candidates whose snoop did not diverge");
    for (i = 0, bad = 0; i < ntr; i++) {
        if (sr[tro[i]].diverged && first_div == 99) first_div = i;
        if (first_div != 99 && !sr[tro[i]].diverged) bad++;                                          /* a good one after */
        if (i > first_div && first_div != 99 && sr[tro[i]].diverged && tro[i] < tro[i - 1]) bad++; /* candidate order */
        for (j = 0; j < i; j++) bad += tro[i] == tro[j];
    }
    CHECK(bad == 0 && first_div == 6 - ndiv, "meta diverged: the diverged snoops come last, in candidate order, each once");
    free(cf);
    llp_select_free(&res);
    fx_free(&f);
}

/* ---- 6. determinism ----------------------------------------------------------------- */

static int same_list(const llp_select_result *a, const llp_select_result *b) {
    size_t i;
    if (a->n_trials != b->n_trials) return 0;
    for (i = 0; i < a->n_trials; i++) {
        const llp_select_trial *x = &a->trials[i], *y = &b->trials[i];
        if (memcmp(&x->score, &y->score, sizeof(double)) || memcmp(&x->cost, &y->cost, sizeof(double)) ||
            memcmp(&x->cum_cost, &y->cum_cost, sizeof(double)) || memcmp(&x->resource, &y->resource, sizeof(double)) ||
            !same_config(&x->config, &y->config) || x->candidate != y->candidate || x->stage != y->stage ||
            x->bracket != y->bracket || x->rung != y->rung || x->diverged != y->diverged)
            return 0;
    }
    return 1;
}

static void test_determinism(void) {
    fx f;
    int m;
    fx_init(&f, 0);
    for (m = 0; m < (int)LLP_SELECT_METHODS; m++) {
        llp_select_desc d = f.d;
        llp_select_result a, b, c;
        tally t;
        const char *nm = llp_select_method_name(m);
        d.method = (llp_select_method)m;
        d.budget = 80;
        if (m == LLP_SELECT_META) d.meta.steps = 200, d.meta.ensemble = 2, d.candidates = 4, d.budget = 120;
        CHECK_OK(run(&d, &t, &a));
        CHECK_OK(run(&d, &t, &b));
        CHECK(same_list(&a, &b) && a.have_best == b.have_best && a.best_n == b.best_n && a.best_theta && b.best_theta &&
                  memcmp(a.best_theta, b.best_theta, a.best_n * sizeof(llp_real)) == 0 &&
                  memcmp(&a.spent, &b.spent, sizeof(double)) == 0,
              "%s: same desc, same trials and best_theta bit for bit", nm);
        d.seed = 12;
        CHECK_OK(run(&d, &t, &c));
        CHECK(!same_list(&a, &c), "%s: another seed, another list", nm);
        llp_select_free(&a);
        llp_select_free(&b);
        llp_select_free(&c);
    }
    fx_free(&f);
}

/* ---- 7. budget edge cases and errors -------------------------------------------------- */

static void test_edges(void) {
    fx f;
    int m;
    llp_select_desc d;
    llp_select_result res, pat;
    tally t;
    int untouched = 1;
    fx_init(&f, 0);
    /* a budget below any step (one step of 32 samples is 0.18; a default
       score 0.17): nothing runs, for every method */
    for (m = 0; m < (int)LLP_SELECT_METHODS; m++) {
        size_t i, trained = 0;
        d = f.d;
        d.method = (llp_select_method)m;
        d.budget = 1e-3;
        CHECK_OK(run(&d, &t, &res));
        if (res.trials == NULL && res.R == 0) continue; /* failed (reported above): nothing to check */
        for (i = 0; i < res.n_trials; i++) trained += res.trials[i].stage != LLP_SELECT_STAGE_SCREEN || res.trials[i].cost != 0;
        CHECK(res.spent == 0 && res.have_best == 0 && res.best_theta == NULL && isnan_(res.best_score) && trained == 0 &&
                  t.calls[0][0] + t.calls[0][1] + t.calls[0][2] + t.calls[1][0] + t.calls[1][1] + t.calls[1][2] == 0,
              "%s: budget 1e-3: LLP_OK, spent 0, no best, no call", llp_select_method_name(m));
        /* a free screen (SYNFLOW's proxy costs nothing) may be listed; anything else is not */
        CHECK(res.n_trials == 0 || m == LLP_SELECT_SYNFLOW, "%s: budget 1e-3: no trial (%lu)", llp_select_method_name(m),
              (unsigned long)res.n_trials);
        if (res.n_trials == 0) check_run(&f, &d, &res, &t, NULL, "tiny budget");
        llp_select_free(&res);
    }
    /* errors: LLP_ERR_ARG, res untouched */
    memset(&pat, 0xA5, sizeof pat);
#define BAD(desc_ptr, res_ptr, code, what)                                                              \
    do {                                                                                                \
        llp_result r_;                                                                                  \
        memcpy(&res, &pat, sizeof res);                                                                 \
        r_ = llp_select(desc_ptr, res_ptr);                                                             \
        CHECK(r_ == (code), "%s -> %d (got %d)", what, (int)(code), (int)r_);                           \
        if (memcmp(&res, &pat, sizeof res) != 0) {                                                      \
            untouched = 0;                                                                              \
            printf("  (%s wrote the result)\n", what);                                                  \
        }                                                                                               \
    } while (0)
    d = f.d;
    d.budget = 50;
    BAD(NULL, &res, LLP_ERR_ARG, "NULL desc");
    BAD(&d, NULL, LLP_ERR_ARG, "NULL res");
    {
        llp_select_desc e = d;
        e.space = NULL;
        BAD(&e, &res, LLP_ERR_ARG, "NULL space");
        e = d, e.train_data = NULL;
        BAD(&e, &res, LLP_ERR_ARG, "NULL train data");
        e = d, e.val_data = NULL;
        BAD(&e, &res, LLP_ERR_ARG, "NULL val data");
        e = d, e.budget = 0;
        BAD(&e, &res, LLP_ERR_ARG, "budget 0");
        e = d, e.budget = -1;
        BAD(&e, &res, LLP_ERR_ARG, "budget -1");
        e = d, e.budget = NAN;
        BAD(&e, &res, LLP_ERR_ARG, "budget NaN");
        e = d, e.budget = HUGE_VAL;
        BAD(&e, &res, LLP_ERR_ARG, "budget Inf");
        e = d, e.method = LLP_SELECT_METHODS;
        BAD(&e, &res, LLP_ERR_ARG, "method LLP_SELECT_METHODS");
        e = d, e.method = (llp_select_method)-1;
        BAD(&e, &res, LLP_ERR_ARG, "method -1");
        e = d, e.method = LLP_SELECT_SH, e.eta = 1;
        BAD(&e, &res, LLP_ERR_ARG, "sh: eta 1");
        e = d, e.method = LLP_SELECT_HYPERBAND, e.eta = 1;
        BAD(&e, &res, LLP_ERR_ARG, "hyperband: eta 1");
        e = d, e.method = LLP_SELECT_META, e.warmup = 1;
        BAD(&e, &res, LLP_ERR_ARG, "meta: warmup 1");
        /* the documented errors hold whatever the method */
        e = d, e.eta = 1;
        BAD(&e, &res, LLP_ERR_ARG, "random: eta 1");
        e = d, e.warmup = 1;
        BAD(&e, &res, LLP_ERR_ARG, "random: warmup 1");
        e = d, e.min_resource = 9.5;
        BAD(&e, &res, LLP_ERR_ARG, "random: min_resource 9.5 > R = 9");
        e = d, e.method = LLP_SELECT_SH, e.min_resource = 9.5;
        BAD(&e, &res, LLP_ERR_ARG, "sh: min_resource 9.5 > R = 9");
        e = d, e.method = LLP_SELECT_HYPERBAND, e.min_resource = 10;
        BAD(&e, &res, LLP_ERR_ARG, "hyperband: min_resource 10 > R = 9");
        e = d, e.method = LLP_SELECT_SH, e.min_resource = -1;
        BAD(&e, &res, LLP_ERR_ARG, "sh: min_resource -1");
        e = d, e.method = LLP_SELECT_SH, e.min_resource = NAN;
        BAD(&e, &res, LLP_ERR_ARG, "sh: min_resource NaN");
        {
            llp_hp_space bad_space = f.space;
            bad_space.dim[0].lo = -1; /* log range with lo <= 0 */
            e = d, e.space = &bad_space;
            BAD(&e, &res, LLP_ERR_ARG, "an invalid space");
        }
        {
            llp_data one;
            size_t idx = 0;
            CHECK_OK(llp_data_subset(&f.train, &idx, 1, &one));
            e = d, e.train_data = &one;
            BAD(&e, &res, LLP_ERR_ARG, "one training sample (N >= 2)");
            llp_data_free(&one);
        }
        {
            llp_data d3;
            llp_rng rng;
            llp_rng_seed(&rng, 1);
            CHECK_OK(llp_data_blobs(&d3, 60, 3, 3, 1.0, &rng));
            e = d, e.val_data = &d3;
            BAD(&e, &res, LLP_ERR_SHAPE, "validation data of 3 features for 2 inputs");
            e = d, e.train_data = &d3;
            BAD(&e, &res, LLP_ERR_SHAPE, "training data of 3 features for 2 inputs");
            llp_data_free(&d3);
        }
        /* errors of the callbacks abort the search with their code */
        {
            tally tf;
            memcpy(&res, &pat, sizeof res);
            CHECK(run_fail(&d, &tf, &res, LLP_ERR_IO, 3) == LLP_ERR_IO, "a wrap that fails at its 4th objective: LLP_ERR_IO");
            if (memcmp(&res, &pat, sizeof res) != 0) untouched = 0;
            e = d, e.method = LLP_SELECT_SH;
            memcpy(&res, &pat, sizeof res);
            CHECK(run_fail(&e, &tf, &res, LLP_ERR_IO, 0) == LLP_ERR_IO, "sh: a wrap that fails at once: LLP_ERR_IO");
            if (memcmp(&res, &pat, sizeof res) != 0) untouched = 0;
            e = d, e.method = LLP_SELECT_META, e.candidates = 4, e.budget = 200;
            memcpy(&res, &pat, sizeof res);
            CHECK(run_fail(&e, &tf, &res, LLP_ERR_IO, 12) == LLP_ERR_IO, "meta: a wrap that fails mid-search: LLP_ERR_IO");
            if (memcmp(&res, &pat, sizeof res) != 0) untouched = 0;
        }
        {
            scorer *sc = (scorer *)calloc(1, sizeof(scorer));
            sc->fail = LLP_ERR_STOPPED;
            e = d, e.score = err_rate, e.score_ctx = sc;
            BAD(&e, &res, LLP_ERR_STOPPED, "a score callback that fails: its code");
            free(sc);
        }
    }
#undef BAD
    CHECK(untouched, "res untouched on every error");
    fx_free(&f);
}

/* ---- 8. a score callback --------------------------------------------------------------- */

static void test_score_callback(void) {
    fx f;
    int which;
    fx_init(&f, 0);
    for (which = 0; which < 3; which++) {
        static const llp_select_method meth[3] = {LLP_SELECT_RANDOM, LLP_SELECT_SH, LLP_SELECT_CURVE};
        llp_select_desc d = f.d;
        llp_select_result res;
        tally t;
        scorer *sc = (scorer *)calloc(1, sizeof(scorer));
        size_t i, k = 0, bad_seq = 0, bad_cost = 0;
        double mn = HUGE_VAL, c = score_cost(&f);
        const char *nm = llp_select_method_name(meth[which]);
        d.method = meth[which];
        d.budget = 80;
        d.score = err_rate, d.score_ctx = sc;
        sc->t = &t;
        CHECK_OK(run(&d, &t, &res));
        check_run(&f, &d, &res, &t, sc, nm);
        /* the trainings' scores are the callback's values, in call order; at
           each call the ledger holds everything up to this training, so its
           cum_cost = the ledger then + the score's charge */
        for (i = 0; i < res.n_trials; i++) {
            const llp_select_trial *tr = &res.trials[i];
            if (tr->stage != LLP_SELECT_STAGE_TRAIN || tr->diverged) continue;
            if (k >= sc->n || !(tr->score == sc->val[k] || (isnan_(tr->score) && isnan_(sc->val[k])))) bad_seq++;
            if (k < sc->n && !close_rel(tr->cum_cost, sc->ledger[k] + (double)(k + 1) * c, 1e-12)) bad_cost++;
            if (tr->full && finite_(tr->score) && tr->score < mn) mn = tr->score;
            k++;
        }
        CHECK(bad_seq == 0 && k == sc->n, "%s: trial scores = the callback's values in call order (%lu bad)", nm,
              (unsigned long)bad_seq);
        CHECK(bad_cost == 0, "%s: each training's cum_cost = the ledger at its score call + the scores' charges (%lu bad)",
              nm, (unsigned long)bad_cost);
        CHECK(res.have_best && res.best_score == mn, "%s: best = min of the callback's full values (%g vs %g)", nm,
              res.best_score, mn);
        if (which == 0)
            CHECK(rel(res.full_cost, 9 + c) <= 1e-12, "random: a score callback is charged as a validation pass");
        llp_select_free(&res);
        free(sc);
    }
    fx_free(&f);
}

/* every configuration scores the same: the best is the first full training */
static llp_result const_score(void *ctx, const llp_mlp *m, const llp_real *theta, const llp_data *val, double *score) {
    (void)ctx, (void)m, (void)theta, (void)val;
    *score = 0.25;
    return LLP_OK;
}

static void test_ties(void) {
    fx f;
    int which;
    fx_init(&f, 0);
    for (which = 0; which < 3; which++) {
        static const llp_select_method meth[3] = {LLP_SELECT_RANDOM, LLP_SELECT_SH, LLP_SELECT_GRAD_NORM};
        llp_select_desc d = f.d;
        llp_select_result res;
        tally t;
        size_t i, first = 0;
        const char *nm = llp_select_method_name(meth[which]);
        d.method = meth[which];
        d.budget = 60;
        d.score = const_score;
        CHECK_OK(run(&d, &t, &res));
        for (i = 0; i < res.n_trials; i++)
            if (res.trials[i].stage == LLP_SELECT_STAGE_TRAIN && res.trials[i].full) break;
        first = i;
        CHECK(res.have_best && res.best_trial == first && res.best_score == 0.25,
              "%s, equal scores: the best is the first full training (trial %lu, got %lu)", nm, (unsigned long)first,
              (unsigned long)res.best_trial);
        if (which == 1) check_sh_brackets(&f, &d, &res, "sh, equal scores"); /* survivors: the earlier on ties */
        llp_select_free(&res);
    }
    fx_free(&f);
}

/* ---- 9. divergence ---------------------------------------------------------------------- */

static void test_divergence(void) {
    fx f;
    int which;
    fx_init(&f, 1);
    for (which = 0; which < 3; which++) {
        llp_select_desc d = f.d;
        llp_select_result res;
        llp_hp_space sp = f.space;
        tally t;
        size_t i, ndiv = 0, nfin = 0, bad = 0, bad_ref = 0;
        const char *nm = which == 2 ? "divergence sh lr >= 1" : which ? "divergence sh" : "divergence random";
        d.method = which ? LLP_SELECT_SH : LLP_SELECT_RANDOM;
        d.budget = 100;
        if (which == 2) {
            /* most configurations diverge at once: a bracket spends much less
               than planned, and fresh brackets follow while one reaching R fits */
            sp.dim[0].lo = 1;
            d.space = &sp;
            d.budget = 60;
        }
        d.min_resource = 1; /* SH: rung 0 is a whole epoch, long enough to diverge */
        CHECK_OK(run(&d, &t, &res));
        check_run(&f, &d, &res, &t, NULL, nm);
        for (i = 0; i < res.n_trials; i++) {
            const llp_select_trial *tr = &res.trials[i];
            if (tr->stage != LLP_SELECT_STAGE_TRAIN) continue;
            if (tr->diverged) {
                ndiv++;
                if (!isnan_(tr->score) || (res.have_best && res.best_trial == i)) bad++;
            } else if (finite_(tr->score))
                nfin++;
            if (!which) {
                int dv;
                double s = ref_train(&d, &tr->config, 9 * 6, &dv);
                if (dv != tr->diverged || !(s == tr->score || (isnan_(s) && isnan_(tr->score)))) bad_ref++;
            }
        }
        CHECK(ndiv >= 2 && nfin >= (which == 2 ? 1u : 2u), "%s: some trainings diverge (%lu), some do not (%lu)", nm,
              (unsigned long)ndiv, (unsigned long)nfin);
        if (which == 2) {
            int nb = 0;
            for (i = 0; i < res.n_trials; i++)
                if (res.trials[i].bracket + 1 > nb) nb = res.trials[i].bracket + 1;
            CHECK(nb >= 2, "%s: more than one bracket (%d)", nm, nb);
        }
        CHECK(bad == 0, "%s: diverged trials score NaN and are never best", nm);
        if (which) check_sh_brackets(&f, &d, &res, nm); /* diverged ones ranked last */
        if (!which)
            CHECK(bad_ref == 0, "%s: divergence and scores as the reference trainings (%lu bad)", nm,
                  (unsigned long)bad_ref);
        llp_select_free(&res);
    }
    fx_free(&f);
}

/* ---- rounding: resources that are not whole epochs, a budget met exactly -------- */

/* Hyperband's cycle predicted here with exact bracket costs: the bracket
   indices j (s = s_max - j) in run order. */
static size_t predict_hb(const fx *f, const llp_select_desc *d, const llp_hp_hyperband_schedule *hb, size_t *js,
                         size_t cap) {
    double left = d->budget;
    size_t j = 0, misses = 0, n = 0;
    while (misses < hb->n_brackets && n < cap) {
        double c = bracket_cost(f, d, &hb->bracket[j]);
        if (c <= left)
            left -= c, js[n++] = j, misses = 0;
        else
            misses++;
        j = (j + 1) % hb->n_brackets;
    }
    return n;
}

static void test_rounding(void) {
    fx f;
    llp_select_desc d;
    llp_select_result res;
    llp_hp_hyperband_schedule hb;
    tally t;
    size_t js[16], nj, i, b;
    double c3, c3_nominal;
    fx_init(&f, 0);
    d = f.d;
    /* R = 9, r = R/27 = 1/3 epoch = round(6/3) = 2 steps of 32 = 64 samples
       (not 60): the rungs' exact costs are not r_i - r_(i-1) epochs.
       Hyperband bracket s = 3 (27@1/3, 9@1, 3@3, 1@9):
         exact   27 x 64/180 + 9 x 116/180 + 3 x 2 + 6 = 9.6 + 5.8 + 12 = 27.4, + 40/6 = 34.067
         nominal 27/3 + 9 x 2/3 + 3 x 2 + 6 = 27,                             + 40/6 = 33.667
       bracket s = 2 (12@1, 4@3, 1@9): 12 + 8 + 6 = 26, + 17/6 = 28.833 (whole epochs).
       Budget 33.9: s = 3 does not fit (it would run out at its last rung,
       which holds the only full training), s = 2 does; then 5.07 is left
       and nothing fits: one bracket of 12, a best. */
    d.method = LLP_SELECT_HYPERBAND;
    d.budget = 33.9;
    CHECK_OK(llp_hp_hyperband(9.0 / 27, 9, 3, &hb));
    c3 = bracket_cost(&f, &d, &hb.bracket[0]);
    c3_nominal = hb.bracket[0].total_resume + 40 * score_cost(&f);
    CHECK(rel(c3, 27.4 + 40.0 / 6) <= 1e-14 && rel(c3_nominal, 27 + 40.0 / 6) <= 1e-14 &&
              rel(bracket_cost(&f, &d, &hb.bracket[1]), 26 + 17.0 / 6) <= 1e-14,
          "hand bracket costs (%.15g, %.15g)", c3, c3_nominal);
    nj = predict_hb(&f, &d, &hb, js, 16);
    CHECK(nj == 1 && js[0] == 1, "predicted: one bracket, s = 2");
    CHECK_OK(run(&d, &t, &res));
    check_run(&f, &d, &res, &t, NULL, "hyperband r = 1/3");
    {
        size_t n0 = 0, other = 0;
        for (i = 0; i < res.n_trials; i++) {
            if (res.trials[i].bracket == 0 && res.trials[i].rung == 0) n0++;
            if (res.trials[i].bracket != 0) other++;
        }
        CHECK(n0 == 12 && other == 0, "hyperband r = 1/3, budget 33.9: one bracket of 12 (s = 2), got %lu + %lu trials elsewhere",
              (unsigned long)n0, (unsigned long)other);
        CHECK(res.have_best, "hyperband r = 1/3, budget 33.9: a bracket that reaches R ran, there is a best");
        if (n0 == 12 && other == 0) check_bracket(&f, &d, &res, 0, &hb.bracket[1], 3, "hyperband r = 1/3");
    }
    llp_select_free(&res);
    /* a longer Hyperband run with r = 1/3: the brackets as predicted, each complete */
    d.budget = 150;
    nj = predict_hb(&f, &d, &hb, js, 16);
    CHECK_OK(run(&d, &t, &res));
    check_run(&f, &d, &res, &t, NULL, "hyperband r = 1/3, 150");
    {
        size_t total = 0, nb = 0;
        for (i = 0; i < res.n_trials; i++)
            if ((size_t)(res.trials[i].bracket + 1) > nb) nb = (size_t)res.trials[i].bracket + 1;
        CHECK(nb == nj, "hyperband r = 1/3, 150: %lu brackets as predicted with exact costs (%lu)", (unsigned long)nb,
              (unsigned long)nj);
        for (b = 0; b < nb && b < nj; b++) total += check_bracket(&f, &d, &res, (int)b, &hb.bracket[js[b]], 3, "hyperband r = 1/3, 150");
        CHECK(total == res.n_trials, "hyperband r = 1/3, 150: every trial in a complete bracket");
    }
    llp_select_free(&res);
    /* SH, r = 1/3, budget 80 (also in test_ledger) and 40 */
    d.method = LLP_SELECT_SH;
    d.budget = 40;
    CHECK_OK(run(&d, &t, &res));
    check_run(&f, &d, &res, &t, NULL, "sh r = 1/3, 40");
    check_sh_brackets(&f, &d, &res, "sh r = 1/3, 40");
    llp_select_free(&res);
    /* epochs 0 -> R = 10, r = 10/27: r_i S = 2.22, 6.67, 20, 60 steps, rounded
       to 2, 7, 20, 60 (not whole epochs, and 6.67 is not floored) */
    d.train.epochs = 0;
    d.budget = 60;
    CHECK_OK(run(&d, &t, &res));
    check_run(&f, &d, &res, &t, NULL, "sh R = 10");
    check_sh_brackets(&f, &d, &res, "sh R = 10");
    CHECK(res.R == 10, "epochs 0 -> R = 10 (%g)", res.R);
    llp_select_free(&res);
    /* a budget of exactly 8 full trainings (as the test's double arithmetic
       gives it): 8 trainings, and still spent <= budget */
    d = f.d;
    d.budget = 8 * (9 + score_cost(&f));
    CHECK_OK(run(&d, &t, &res));
    check_run(&f, &d, &res, &t, NULL, "random, budget = 8 full");
    CHECK(res.n_trials == 8, "random, budget = 8 x full cost exactly: 8 trainings (%lu)", (unsigned long)res.n_trials);
    llp_select_free(&res);
    fx_free(&f);
}

/* ---- 10. grid ------------------------------------------------------------------------------ */

static void test_grid(void) {
    fx f;
    int which;
    fx_init(&f, 0);
    for (which = 0; which < 3; which++) {
        /* floor(budget / 9.1667) = 10, 7, 30 full trainings: levels 2 (8 points),
           1 (1 point; 2 levels would be 8 > 7; 73 / 9 without the score's
           charge would be 8), 3 (27 points) */
        static const double budgets[3] = {92, 73, 276};
        static const int want_l[3] = {2, 1, 3};
        llp_select_desc d = f.d;
        llp_select_result res;
        tally t;
        size_t afford, count = 0, cnt_next = 0, i, j, bad = 0, dup = 0;
        int L = 0, l;
        llp_hp_config *grid;
        char what[32];
        snprintf(what, sizeof what, "grid %g", budgets[which]);
        d.method = LLP_SELECT_GRID;
        d.budget = budgets[which];
        afford = (size_t)floor(d.budget / (9 + score_cost(&f)));
        for (l = 1; l <= 10; l++) {
            size_t n = 0;
            CHECK_OK(llp_hp_grid(&f.space, (size_t)l, NULL, 0, &n));
            if (n <= afford || l == 1) L = l, count = n;
        }
        CHECK_OK(llp_hp_grid(&f.space, (size_t)L + 1, NULL, 0, &cnt_next));
        CHECK(L == want_l[which] && cnt_next > afford, "%s: the hand levels %d = the largest affordable %d", what,
              want_l[which], L);
        grid = (llp_hp_config *)malloc(count * sizeof *grid);
        CHECK_OK(llp_hp_grid(&f.space, (size_t)L, grid, count, &count));
        CHECK_OK(run(&d, &t, &res));
        check_run(&f, &d, &res, &t, NULL, what);
        CHECK(res.grid_levels == L, "%s: grid_levels %d (%d)", what, res.grid_levels, L);
        CHECK(res.n_trials == count && res.n_configs == count, "%s: the %lu grid points trained (%lu trials, %lu configs)",
              what, (unsigned long)count, (unsigned long)res.n_trials, (unsigned long)res.n_configs);
        for (i = 0; i < res.n_trials; i++) {
            int found = 0;
            for (j = 0; j < count; j++) found += same_config(&res.trials[i].config, &grid[j]);
            if (found != 1 || !res.trials[i].full) bad++;
            for (j = 0; j < i; j++) dup += same_config(&res.trials[i].config, &res.trials[j].config);
        }
        CHECK(bad == 0 && dup == 0, "%s: every trial a grid point, trained in full, each at most once (%lu, %lu)", what,
              (unsigned long)bad, (unsigned long)dup);
        if (count == 8) {
            /* a seeded random order: not the grid's own order */
            size_t same = 0;
            for (i = 0; i < res.n_trials && i < count; i++) same += same_config(&res.trials[i].config, &grid[i]);
            CHECK(same < count, "%s: trained in a shuffled order", what);
        }
        free(grid);
        llp_select_free(&res);
    }
    fx_free(&f);
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_names);
    LLP_RUN(test_ledger);
    LLP_RUN(test_sh);
    LLP_RUN(test_hyperband);
    LLP_RUN(test_same_score);
    LLP_RUN(test_proxies);
    LLP_RUN(test_proxy_blind);
    LLP_RUN(test_curve);
    LLP_RUN(test_meta);
    LLP_RUN(test_meta_diverged);
    LLP_RUN(test_score_callback);
    LLP_RUN(test_ties);
    LLP_RUN(test_divergence);
    LLP_RUN(test_grid);
    LLP_RUN(test_rounding);
    LLP_RUN(test_determinism);
    LLP_RUN(test_edges);
    return llp_test_summary();
}
