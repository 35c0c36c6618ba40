/* difficulty_sweep.c — do llprobe's landscape metrics predict whether
   training struggles to reach the global minimum? A validation of the
   ruggedness report against a ground truth: the failure rate of repeated
   training runs on teacher–student problems whose global minimum is known.

   WHAT IS MEASURED
   For 36 configurations (student depth D x label noise x student width), the
   failure rate of K = 20 independent training runs (ground truth), and the
   numbers of llp_report_run at two points of the same configuration:
     (a) "init":    the initialisation of restart 0, before any training
                    (can cheap probes at the start predict the difficulty?);
     (b) "minimum": the final theta of the best restart (the minimum found).
   Then, for every metric and each point, Kendall's tau_b (ties handled)
   between the metric and the failure rate across the configurations, with a
   two-sided p-value from the normal approximation of tau_b (approximate:
   36 configurations, many ties in the failure rate), next to the same tau
   for the baseline predictor "n = parameter count".

   DESIGN (every setting and why)
   - Teacher: a tanh MLP 8 -> 4 (-> 4 -> 4) -> 1 with D = 1, 2, 3 hidden layers
     of width 4, default (Glorot) weights from llp_mlp_randomize, biases 0,
     drawn from a fixed stream per depth (derived from --seed). Glorot's
     raw outputs are small and shrink with depth (their std over 4096
     reference inputs is 0.54, 0.20, 0.20 for D = 1, 2, 3 at seed 42; it is
     printed and written to the headers), so the teacher's last layer is
     divided by that std: its clean outputs have a std of exactly 1 on the
     reference sample, every depth has targets of the same scale, and the
     noise and the threshold below mean the same thing everywhere. The
     rescaled teacher is still a tanh MLP of the same shape.
   - Data (llp_data_teacher): x ~ N(0, I_8), n_train = 256, n_val = 256, label
     noise sigma = 0, 0.25, 0.5 times the std of the clean teacher outputs
     (= 1 after the rescaling). The inputs are drawn from the same stream for
     the three noise levels of a depth (only the noise differs) and are shared
     by the four widths.
   - Student: same depth D, width w = 4, 8, 16, 32 in every hidden layer,
     tanh, MSE, default init. w >= 4, so the teacher padded with zero units is
     an exact student: the training loss L_ref of the teacher's own
     parameters on the student's data (computed with the teacher MLP; the
     realised noise MSE, 0 without noise) is always reachable.
   - Training: ONE optimizer and budget for every configuration: Adam, lr
     3e-3, mini-batches of 32 (8 steps per epoch), 30 epochs (240 steps), no
     tuning per configuration. The number of epochs was set by a pilot run
     (a throw-away program: training only, other seeds, so other teachers,
     before any metric was computed) over 10, 20, 25, 30, 40, 60 and 100
     epochs: failure rates were ~1 nearly everywhere at 10 epochs, mostly 0
     at 60 (the largest 0.35) and all <= 0.1 at 100; 30 epochs gave the
     widest spread (rates over the whole range, mean about 0.45). Here, at
     seed 42, the 36 rates are 12 x 0, 10 x 1 and 14 in between (mean 0.52).
     Read the result with this in mind: at this budget a failure is "not
     there yet after 240 steps" at least as often as "stuck in a worse
     minimum" (at 100 epochs almost every run succeeds), so the ground truth
     mixes the speed of training with the landscape, as any fixed-budget
     notion of difficulty does.
   - Restarts: K = 20 (--restarts) by llp_multistart (independent
     initialisations by llp_mlp_randomize and mini-batch orders; no
     barriers), per configuration its own seeds.
   - Failure: final full-batch training loss > L_ref + delta, delta = 0.05
     L_mean, L_mean the training loss of predicting the mean target (the
     "explains 95% of what is explainable" threshold); diverged runs count as
     failures. Failure rate = failures / K, s.e. sqrt(p (1 - p) / K).
   - Metrics: llp_report_run with the default panel set (every panel but
     MULTISTART), desc.lr = 3e-3, desc.batch_size = 32, desc.opt = the
     training Adam (the range test of the LR panel uses it), desc.mlp and
     desc.data set (filter-normalised directions, input probes), budget 4000
     gradient evaluations (--budget; the default plan needs about 2800, so
     every panel runs at its default sample counts), a seed per
     configuration, the same for (a) and (b). Every numeric row of
     llp_report_metrics is taken, except: rows that are constant across the
     sweep or NaN/absent in more than half of the configurations at that
     point (listed in the output), and fla_step, the walk's step length,
     which is a setting (0.1 sqrt(n)), not a measurement: its tau is the
     baseline's. eta_lambda_max (= lr lambda_max) and lr_edge (= 2 /
     lambda_max) are monotone transforms of lambda_max, and eta_star (=
     1 / ghg) of ghg, so their |tau| coincide. At (b) "loss" is the best
     restart's final loss, which the failure criterion is built from: its
     tau is by construction, not a landscape prediction.
   - Kendall tau_b over the configurations where both numbers are defined
     (+-Inf rank as the largest/smallest), S = concordant - discordant pairs,
     tau_b = S / sqrt((P - T_x)(P - T_y)); the variance of S under
     independence with ties (Kendall 1970): [v0 - v_t - v_u] / 18 + v1 + v2;
     z = S / sqrt(var S), p = erfc(|z| / sqrt 2). 36 points: |tau| of about
     0.23 is needed for p < 0.05, and with ~45 metrics tested twice a few
     such p-values are expected by chance (no multiplicity correction).
   - Does a metric know more than the model size? The failure rate falls
     with n, and many metrics grow or shrink with n, so a large |tau| can be
     the parameter count in disguise. Kendall's partial tau given n,
     (tau_xy - tau_xn tau_yn) / sqrt((1 - tau_xn^2)(1 - tau_yn^2)), is
     reported beside tau (descriptive: no p-value is computed for it).

   USAGE
     difficulty_sweep [--seed N] [--out DIR] [--quick] [--restarts K] [--budget B]
       --seed N      every stream is derived from N (default 42)
       --out DIR     where the .dat files go (default "."; must exist)
       --quick       a tiny sweep for a test: D = 1, 2; w = 4, 16; noise 0;
                     K = 4; 20 epochs; budget 1500
       --restarts K  restarts per configuration (default 20; >= 2)
       --budget B    report budget in gradient evaluations (default 4000)
   Same seed, same bytes in every output file.

   OUTPUTS (in DIR)
     difficulty_sweep_configs.dat  one row per configuration: depth width
         noise n_params fail_rate fail_se median_loss best_loss L_ref L_mean
         threshold, then every kept metric at init ("init_<key>") and at the
         minimum ("min_<key>")
     difficulty_sweep_tau.dat      one row per kept metric and the baseline:
         rank key panel tau_init p_init n_init tau_min p_min n_min ptau_init
         ptau_min, sorted by |tau| at init (nan: not computed at that point;
         the skipped metrics are listed in the header)
     stdout: progress, the tau table as Markdown (tau, p, partial tau given n
         at both points), the skipped metrics, the tau of the design factors.
   plots/difficulty_sweep.gp draws difficulty_sweep.png from them.

   RUN TIME (this machine, 2 shared cores, gcc -O2): about 20 s at the
   default settings (18-22 s wall, 17.5 s CPU; the 72 reports take most of
   it), under 1 s with --quick (about 2 s under ASan/UBSan). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"

#define D_IN 8           /* input dimension */
#define T_WIDTH 4        /* teacher hidden width */
#define N_TRAIN 256
#define N_VAL 256
#define N_REF 4096       /* reference inputs that fix the teacher's output scale */
#define LR 3e-3
#define BATCH 32
#define EPOCHS 30
#define EPOCHS_QUICK 20
#define DELTA_REL 0.05   /* delta = DELTA_REL * L_mean */
#define MAX_CONFIGS 36
#define MAX_KEYS 96
#define N_BASE 11        /* leading columns of the configs table */

static const int all_depths[3] = {1, 2, 3};
static const int all_widths[4] = {4, 8, 16, 32};
static const double all_noises[3] = {0.0, 0.25, 0.5};
static const int quick_widths[2] = {4, 16};

typedef struct config {
    int depth, width;
    double noise;        /* sigma relative to the clean teacher std */
    size_t n;            /* student parameters */
    size_t fails, diverged;
    double fail, fail_se, median, best, lref, lmean, thresh;
} config;

/* Metric values by key: val[point][key][config], point 0 = init, 1 = minimum. */
static const char *key_name[MAX_KEYS], *key_panel[MAX_KEYS];
static size_t n_keys;
static double val[2][MAX_KEYS][MAX_CONFIGS];

static int fail(const char *what, llp_result r) {
    fprintf(stderr, "difficulty_sweep: %s: %s\n", what, llp_result_string(r));
    return 1;
}

static int bad_arg(const char *msg, const char *arg) {
    fprintf(stderr, "difficulty_sweep: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    return 2;
}

/* Independent seeds from the user's seed: splitmix64 of seed + tag. */
static uint64_t derive(uint64_t seed, uint64_t tag) {
    uint64_t z = seed + UINT64_C(0x9E3779B97F4A7C15) * (tag + 1);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static int cmp3(double a, double b) { return (a > b) - (a < b); }

static int cmp_double(const void *a, const void *b) { return cmp3(*(const double *)a, *(const double *)b); }

/* Tie terms of a sample: sum t(t-1), t(t-1)(t-2), t(t-1)(2t+5) over groups of equal values. */
static void tie_terms(double *s, size_t m, double *a1, double *a2, double *a3) {
    size_t i = 0, j;
    qsort(s, m, sizeof *s, cmp_double);
    *a1 = *a2 = *a3 = 0;
    while (i < m) {
        double t;
        for (j = i + 1; j < m && s[j] == s[i]; j++) continue;
        t = (double)(j - i);
        *a1 += t * (t - 1);
        *a2 += t * (t - 1) * (t - 2);
        *a3 += t * (t - 1) * (2 * t + 5);
        i = j;
    }
}

/* Kendall tau_b of (x, y) over the indices where both are not NaN (Inf
   ranks as an extreme), with the two-sided normal-approximation p-value.
   *used: the number of pairs (x_i, y_i) used. tau NaN when fewer than 3 or
   one side is constant. */
static void kendall(const double *x, const double *y, size_t m, double *tau, double *p, size_t *used) {
    double xs[MAX_CONFIGS], ys[MAX_CONFIGS], S = 0, px = 0, py = 0, nn, v0, vt, vu, v1, v2, var;
    double tx1, tx2, tx3, ty1, ty2, ty3;
    size_t i, j, k = 0;
    for (i = 0; i < m; i++)
        if (x[i] == x[i] && y[i] == y[i]) xs[k] = x[i], ys[k] = y[i], k++;
    *used = k;
    *tau = *p = NAN;
    if (k < 3) return;
    for (i = 0; i < k; i++)
        for (j = i + 1; j < k; j++) {
            int dx = cmp3(xs[i], xs[j]), dy = cmp3(ys[i], ys[j]);
            S += dx * dy;
            px += dx != 0;
            py += dy != 0;
        }
    if (px == 0 || py == 0) return;
    *tau = S / sqrt(px * py);
    tie_terms(xs, k, &tx1, &tx2, &tx3);
    tie_terms(ys, k, &ty1, &ty2, &ty3);
    nn = (double)k;
    v0 = nn * (nn - 1) * (2 * nn + 5);
    vt = tx3, vu = ty3;
    v1 = tx1 * ty1 / (2 * nn * (nn - 1));
    v2 = tx2 * ty2 / (9 * nn * (nn - 1) * (nn - 2));
    var = (v0 - vt - vu) / 18 + v1 + v2;
    *p = var > 0 ? erfc(fabs(S / sqrt(var)) / sqrt(2.0)) : NAN;
}

static size_t key_index(const char *key, const char *panel) {
    size_t i;
    for (i = 0; i < n_keys; i++)
        if (strcmp(key_name[i], key) == 0) return i;
    if (n_keys == MAX_KEYS) return MAX_KEYS;
    key_name[n_keys] = key, key_panel[n_keys] = panel;
    return n_keys++;
}

/* Record every row of a report at (point, config c). */
static void collect(const llp_report *rep, int point, size_t c) {
    llp_report_metric rows[LLP_REPORT_MAX_METRICS];
    size_t m = llp_report_metrics(rep, rows, LLP_REPORT_MAX_METRICS), i;
    for (i = 0; i < m && i < LLP_REPORT_MAX_METRICS; i++) {
        size_t k = key_index(rows[i].key, rows[i].panel);
        if (k < MAX_KEYS) val[point][k][c] = rows[i].value;
    }
}

/* MSE of predicting the mean target over a data set (k = 1). */
static double mean_loss(const llp_data *d) {
    double m = 0, v = 0;
    size_t i;
    for (i = 0; i < d->n; i++) m += d->y[i];
    m /= (double)d->n;
    for (i = 0; i < d->n; i++) v += (d->y[i] - m) * (d->y[i] - m);
    return v / (double)d->n;
}

/* Why a metric is not used at a point (NULL: used). Fills why[]. */
static const char *skip_reason(size_t k, int point, size_t nc, char *why, size_t len) {
    size_t i, bad = 0, first = nc;
    int constant = 1;
    if (strcmp(key_name[k], "fla_step") == 0) return "a setting (0.1 sqrt(n)), rank-identical to n";
    for (i = 0; i < nc; i++) {
        double v = val[point][k][i];
        if (v != v) {
            bad++;
            continue;
        }
        if (first == nc) first = i;
        else if (v != val[point][k][first]) constant = 0;
    }
    if (2 * bad > nc) {
        snprintf(why, len, "NaN or absent in %lu of %lu configurations", (unsigned long)bad, (unsigned long)nc);
        return why;
    }
    if (constant) {
        snprintf(why, len, "constant (%.6g) across the sweep", val[point][k][first]);
        return why;
    }
    return NULL;
}

/* printf width of a cell of `cols` columns: "—" is 3 bytes in UTF-8 but one column */
#define DASHW(s, cols) ((s)[0] == '\xe2' ? (cols) + 2 : (cols))

static void fmt_num(char *buf, size_t len, double v, const char *f) {
    if (v != v) snprintf(buf, len, "—");
    else snprintf(buf, len, f, v);
}

static void fmt_p(char *buf, size_t len, double p) {
    if (p != p) snprintf(buf, len, "—");
    else if (p < 1e-4) snprintf(buf, len, "<1e-4");
    else snprintf(buf, len, "%.2g", p);
}

/* Write text to path via path.tmp + rename. */
static int write_atomic(const char *path, const char *text) {
    char tmp[4300];
    FILE *fp;
    int ok;
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    fp = fopen(tmp, "wb");
    if (!fp) return 0;
    ok = fputs(text, fp) >= 0;
    ok = (fclose(fp) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
        return 0;
    }
    return 1;
}

/* A growing string. */
typedef struct sbuf {
    char *s;
    size_t len, cap;
    int oom;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) {
    va_list ap;
    int k;
    if (b->oom) return;
    for (;;) {
        size_t room = b->cap - b->len;
        va_start(ap, fmt);
        k = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if (b->s && (size_t)k < room) {
            b->len += (size_t)k;
            return;
        }
        {
            size_t cap = (b->cap ? 2 * b->cap : 4096) + (size_t)k;
            char *s = (char *)realloc(b->s, cap);
            if (!s) {
                b->oom = 1;
                return;
            }
            b->s = s, b->cap = cap;
        }
    }
}

int main(int argc, char **argv) {
    const char *outdir = ".";
    char file[4200], header[2048];
    unsigned long long seed = 42;
    unsigned long restarts = 20;
    double budget = 4000, raw_std[3] = {0, 0, 0};
    int quick = 0, have_k = 0, have_b = 0, epochs, nd, nw, ns, a, di, wi, si;
    size_t nc = 0, c, k, i, order[MAX_KEYS + 1], n_rows;
    config cf[MAX_CONFIGS];
    double tau[2][MAX_KEYS + 1], pv[2][MAX_KEYS + 1], ptau[2][MAX_KEYS + 1], xs[MAX_CONFIGS], ys[MAX_CONFIGS];
    double ns_[MAX_CONFIGS], tau_yn, p_yn;
    size_t used[2][MAX_KEYS + 1];
    int keep[2][MAX_KEYS], any[MAX_KEYS];
    const char *reason[2][MAX_KEYS];
    char reasons[2][MAX_KEYS][128];
    clock_t t_start = clock();
    llp_error err;
    llp_result r;
    sbuf out = {NULL, 0, 0, 0};

    for (a = 1; a < argc; a++) {
        char *end;
        if (strcmp(argv[a], "--quick") == 0) quick = 1;
        else if (strcmp(argv[a], "--seed") == 0 || strcmp(argv[a], "--out") == 0 || strcmp(argv[a], "--restarts") == 0 ||
                 strcmp(argv[a], "--budget") == 0) {
            const char *opt = argv[a];
            if (a + 1 >= argc) return bad_arg("missing value after", opt);
            a++;
            if (strcmp(opt, "--out") == 0) {
                if (!*argv[a] || strlen(argv[a]) > 4000) return bad_arg("--out needs a directory name (up to 4000 bytes)", NULL);
                outdir = argv[a];
            } else if (strcmp(opt, "--budget") == 0) {
                budget = strtod(argv[a], &end);
                if (end == argv[a] || *end || !(budget > 0) || !(budget < 1e12))
                    return bad_arg("--budget needs a positive number", argv[a]);
                have_b = 1;
            } else {
                unsigned long long v;
                if (argv[a][0] == '-' || argv[a][0] == '+') return bad_arg("not a non-negative integer", argv[a]);
                v = strtoull(argv[a], &end, 10);
                if (end == argv[a] || *end) return bad_arg("not a non-negative integer", argv[a]);
                if (strcmp(opt, "--seed") == 0) seed = v;
                else {
                    if (v < 2 || v > 100000) return bad_arg("--restarts needs an integer from 2 to 100000", argv[a]);
                    restarts = (unsigned long)v, have_k = 1;
                }
            }
        } else {
            fprintf(stderr, "difficulty_sweep: unknown argument: %s (usage: difficulty_sweep [--seed N] [--out DIR] "
                            "[--quick] [--restarts K] [--budget B])\n", argv[a]);
            return 2;
        }
    }
    /* fail now, not after the sweep, when DIR cannot take the files */
    {
        FILE *fp;
        snprintf(file, sizeof file, "%s/difficulty_sweep_tau.dat.tmp", outdir);
        fp = fopen(file, "wb");
        if (!fp) return bad_arg("--out: cannot write into the directory", outdir);
        fclose(fp);
        remove(file);
    }
    epochs = quick ? EPOCHS_QUICK : EPOCHS;
    if (quick && !have_k) restarts = 4;
    if (quick && !have_b) budget = 1500;
    nd = quick ? 2 : 3, nw = quick ? 2 : 4, ns = quick ? 1 : 3;
    for (k = 0; k < 2; k++)
        for (i = 0; i < MAX_KEYS; i++)
            for (c = 0; c < MAX_CONFIGS; c++) val[k][i][c] = NAN;

    printf("difficulty_sweep: seed %llu, %d epochs of Adam %g (batch %d), K = %lu restarts, report budget %g%s\n",
           seed, epochs, LR, BATCH, restarts, budget, quick ? " (quick)" : "");
    for (di = 0; di < nd; di++) {
        int D = all_depths[di], l;
        llp_mlp_desc md;
        llp_mlp teacher;
        llp_data ref;
        llp_rng rng;
        double sd;
        memset(&md, 0, sizeof md);
        md.n_layers = D + 1;
        md.sizes[0] = D_IN;
        for (l = 1; l <= D; l++) md.sizes[l] = T_WIDTH;
        md.sizes[D + 1] = 1;
        md.act = LLP_ACT_TANH, md.loss = LLP_LOSS_MSE;
        if ((r = llp_mlp_init(&teacher, &md)) != LLP_OK) return fail("llp_mlp_init", r);
        llp_rng_seed(&rng, derive(seed, 100 + (uint64_t)D));
        llp_mlp_randomize(&teacher, teacher.theta, &rng);
        /* the teacher's output scale on reference inputs; the last layer rescaled to std 1 */
        llp_rng_seed(&rng, derive(seed, 200 + (uint64_t)D));
        if ((r = llp_data_teacher(&ref, &teacher, teacher.theta, N_REF, 0, &rng)) != LLP_OK)
            return fail("llp_data_teacher", r);
        sd = sqrt(mean_loss(&ref));
        llp_data_free(&ref);
        if (!(sd > 0)) return fail("teacher outputs are constant", LLP_ERR_ARG);
        raw_std[di] = sd;
        for (i = teacher.w_off[D]; i < teacher.n_params; i++) teacher.theta[i] = (llp_real)(teacher.theta[i] / sd);
        printf("depth %d: teacher %d", D, D_IN);
        for (l = 1; l <= D + 1; l++) printf("-%d", md.sizes[l]);
        printf(" tanh, raw output std %.3g, last layer divided by it\n", sd);

        for (si = 0; si < ns; si++) {
            double noise = all_noises[si], lref_r, lmean;
            llp_data tr, va;
            llp_mlp_objective mt;
            llp_objective ft;
            llp_real lref;
            /* the same inputs for every noise level of this depth */
            llp_rng_seed(&rng, derive(seed, 300 + (uint64_t)D));
            if ((r = llp_data_teacher(&tr, &teacher, teacher.theta, N_TRAIN, noise, &rng)) != LLP_OK)
                return fail("llp_data_teacher", r);
            llp_rng_seed(&rng, derive(seed, 400 + (uint64_t)D));
            if ((r = llp_data_teacher(&va, &teacher, teacher.theta, N_VAL, noise, &rng)) != LLP_OK)
                return fail("llp_data_teacher", r);
            if ((r = llp_mlp_objective_init(&mt, &teacher, &tr, 0)) != LLP_OK) return fail("llp_mlp_objective_init", r);
            ft = llp_mlp_objective_get(&mt);
            if ((r = llp_objective_loss(&ft, teacher.theta, NULL, &lref)) != LLP_OK) return fail("teacher loss", r);
            llp_mlp_objective_free(&mt);
            lref_r = (double)lref;
            lmean = mean_loss(&tr);

            for (wi = 0; wi < nw; wi++) {
                config *q = &cf[nc];
                llp_mlp_desc sdsc = md;
                llp_mlp st;
                llp_mlp_objective mo_tr, mo_va;
                llp_objective f_tr, f_va;
                llp_train_desc td;
                llp_opt_desc od;
                llp_multistart_desc msd;
                llp_multistart_result ms;
                llp_report_desc rd;
                llp_report rep;
                llp_real *theta0;
                clock_t t0 = clock();
                uint64_t ms_seed = derive(seed, 500 + nc);

                for (l = 1; l <= D; l++) sdsc.sizes[l] = quick ? quick_widths[wi] : all_widths[wi];
                if ((r = llp_mlp_init(&st, &sdsc)) != LLP_OK) return fail("llp_mlp_init", r);
                if ((r = llp_mlp_objective_init(&mo_tr, &st, &tr, 0)) != LLP_OK ||
                    (r = llp_mlp_objective_init(&mo_va, &st, &va, 0)) != LLP_OK)
                    return fail("llp_mlp_objective_init", r);
                f_tr = llp_mlp_objective_get(&mo_tr);
                f_va = llp_mlp_objective_get(&mo_va);
                memset(&td, 0, sizeof td);
                td.epochs = (size_t)epochs, td.batch_size = BATCH, td.seed = derive(seed, 600 + nc);
                memset(&od, 0, sizeof od);
                od.kind = LLP_OPT_ADAM, od.lr = LR;
                memset(&msd, 0, sizeof msd);
                msd.restarts = restarts, msd.seed = ms_seed, msd.no_barriers = 1, msd.keep_thetas = 1;
                if ((r = llp_multistart(&f_tr, NULL, llp_multistart_mlp_init, &st, &td, &od, &msd, &ms)) != LLP_OK)
                    return fail("llp_multistart", r);

                q->depth = D, q->width = sdsc.sizes[1], q->noise = noise, q->n = st.n_params;
                q->lref = lref_r, q->lmean = lmean, q->thresh = lref_r + DELTA_REL * lmean;
                q->fails = q->diverged = 0;
                for (i = 0; i < ms.k; i++) {
                    if (ms.status[i] != LLP_OK) q->diverged++;
                    if (!(ms.status[i] == LLP_OK && ms.final_loss[i] <= q->thresh)) q->fails++;
                }
                q->fail = (double)q->fails / (double)ms.k;
                q->fail_se = sqrt(q->fail * (1 - q->fail) / (double)ms.k);
                q->median = ms.median, q->best = ms.best;

                /* the report at (a) restart 0's initialisation (multistart's init, re-drawn) and
                   (b) the best restart's final theta */
                theta0 = (llp_real *)malloc(st.n_params * sizeof(llp_real));
                if (!theta0) return fail("malloc", LLP_ERR_NOMEM);
                llp_rng_seed(&rng, ms_seed);
                llp_multistart_mlp_init(&st, theta0, &rng);
                memset(&rd, 0, sizeof rd);
                rd.budget = budget, rd.lr = LR, rd.batch_size = BATCH, rd.seed = derive(seed, 700 + nc);
                rd.mlp = &st, rd.data = &tr, rd.opt = &od;
                if ((r = llp_report_run(&f_tr, &f_va, theta0, &rd, &rep)) == LLP_ERR_ARG) {
                    fprintf(stderr, "difficulty_sweep: --budget %g is below the report's minimum plan for n = %lu\n",
                            budget, (unsigned long)st.n_params);
                    return 2;
                }
                if (r != LLP_OK) return fail("llp_report_run", r);
                collect(&rep, 0, nc);
                llp_report_free(&rep);
                if (ms.best_index < ms.k) {
                    if ((r = llp_report_run(&f_tr, &f_va, ms.thetas + ms.best_index * st.n_params, &rd, &rep)) !=
                        LLP_OK)
                        return fail("llp_report_run", r);
                    collect(&rep, 1, nc);
                    llp_report_free(&rep);
                }
                printf("  D=%d sigma=%.2f w=%2d n=%5lu: failure %.2f +- %.2f  median loss %.4f  L_ref %.4f  "
                       "threshold %.4f%s  (%.1f s)\n",
                       D, noise, q->width, (unsigned long)q->n, q->fail, q->fail_se, q->median, q->lref, q->thresh,
                       q->diverged ? "  [diverged runs]" : "", (double)(clock() - t0) / CLOCKS_PER_SEC);
                fflush(stdout);
                free(theta0);
                llp_multistart_free(&ms);
                llp_mlp_objective_free(&mo_tr);
                llp_mlp_objective_free(&mo_va);
                llp_mlp_free(&st);
                nc++;
            }
            llp_data_free(&tr);
            llp_data_free(&va);
        }
        llp_mlp_free(&teacher);
    }

    /* which metrics are used, and tau for them and the baseline (index n_keys) */
    for (k = 0; k < n_keys; k++) {
        int p;
        any[k] = 0;
        for (p = 0; p < 2; p++) {
            reason[p][k] = skip_reason(k, p, nc, reasons[p][k], sizeof reasons[p][k]);
            keep[p][k] = reason[p][k] == NULL;
            any[k] |= keep[p][k];
        }
    }
    for (c = 0; c < nc; c++) ys[c] = cf[c].fail, ns_[c] = (double)cf[c].n;
    kendall(ns_, ys, nc, &tau_yn, &p_yn, &i);
    n_rows = 0;
    for (k = 0; k <= n_keys; k++) {
        int p;
        if (k < n_keys && !any[k]) continue;
        for (p = 0; p < 2; p++) {
            double t_xn, p_xn;
            size_t u;
            tau[p][k] = pv[p][k] = ptau[p][k] = NAN, used[p][k] = 0;
            if (k < n_keys && !keep[p][k]) continue;
            for (c = 0; c < nc; c++) xs[c] = k < n_keys ? val[p][k][c] : (double)cf[c].n;
            kendall(xs, ys, nc, &tau[p][k], &pv[p][k], &used[p][k]);
            /* Kendall's partial tau given n: tau_xy.n = (tau_xy - tau_xn tau_yn) / sqrt((1 - tau_xn^2)(1 - tau_yn^2)) */
            kendall(xs, ns_, nc, &t_xn, &p_xn, &u);
            if (k < n_keys && fabs(t_xn) < 1 && fabs(tau_yn) < 1)
                ptau[p][k] = (tau[p][k] - t_xn * tau_yn) / sqrt((1 - t_xn * t_xn) * (1 - tau_yn * tau_yn));
        }
        order[n_rows++] = k;
    }
    /* sort by |tau| at init, descending, NaN last, stable */
    for (i = 1; i < n_rows; i++) {
        size_t x = order[i], j = i;
        double ax = fabs(tau[0][x]);
        if (ax != ax) ax = -1;
        while (j > 0) {
            double ay = fabs(tau[0][order[j - 1]]);
            if (ay != ay) ay = -1;
            if (ay >= ax) break;
            order[j] = order[j - 1];
            j--;
        }
        order[j] = x;
    }

    /* difficulty_sweep_configs.dat */
    {
        size_t cols = N_BASE, col;
        const char **names;
        double *tab;
        char(*cname)[64];
        for (k = 0; k < n_keys; k++) cols += (size_t)keep[0][k] + (size_t)keep[1][k];
        names = (const char **)malloc(cols * sizeof *names);
        tab = (double *)malloc((nc ? nc : 1) * cols * sizeof *tab);
        cname = (char(*)[64])malloc(cols * sizeof *cname);
        if (!names || !tab || !cname) return fail("malloc", LLP_ERR_NOMEM);
        {
            static const char *base[N_BASE] = {"depth",     "width",     "noise", "n_params", "fail_rate", "fail_se",
                                               "median_loss", "best_loss", "L_ref", "L_mean",   "threshold"};
            for (col = 0; col < N_BASE; col++) names[col] = base[col];
        }
        for (k = 0; k < n_keys; k++) {
            int p;
            for (p = 0; p < 2; p++)
                if (keep[p][k]) {
                    snprintf(cname[col], sizeof cname[col], "%s_%s", p ? "min" : "init", key_name[k]);
                    names[col] = cname[col];
                    col++;
                }
        }
        for (c = 0; c < nc; c++) {
            double *row = tab + c * cols;
            row[0] = cf[c].depth, row[1] = cf[c].width, row[2] = cf[c].noise, row[3] = (double)cf[c].n;
            row[4] = cf[c].fail, row[5] = cf[c].fail_se, row[6] = cf[c].median, row[7] = cf[c].best;
            row[8] = cf[c].lref, row[9] = cf[c].lmean, row[10] = cf[c].thresh;
            col = N_BASE;
            for (k = 0; k < n_keys; k++) {
                int p;
                for (p = 0; p < 2; p++)
                    if (keep[p][k]) row[col++] = val[p][k][c];
            }
        }
        snprintf(header, sizeof header,
                 "difficulty_sweep: teacher-student tanh MLPs, d = %d, teacher width %d, n_train %d, n_val %d\n"
                 "seed %llu; Adam lr %g, batch %d, %d epochs; K = %lu restarts; report budget %g\n"
                 "teacher raw output std (before rescaling to 1): D=1 %.6g, D=2 %.6g, D=3 %.6g\n"
                 "noise = label noise std / clean teacher std; failure: final train loss > L_ref + %g L_mean\n"
                 "init_<key>: report at restart 0's initialisation; min_<key>: at the best restart's final theta",
                 D_IN, T_WIDTH, N_TRAIN, N_VAL, seed, LR, BATCH, epochs, restarts, budget, raw_std[0], raw_std[1],
                 raw_std[2], DELTA_REL);
        snprintf(file, sizeof file, "%s/difficulty_sweep_configs.dat", outdir);
        if (llp_write_table(file, header, names, tab, nc, cols, 0, 0, &err) != LLP_OK) {
            fprintf(stderr, "difficulty_sweep: %s: %s\n", file, err.message);
            return 1;
        }
        free(names);
        free(tab);
        free(cname);
    }

    /* difficulty_sweep_tau.dat */
    sb_printf(&out, "# difficulty_sweep: Kendall tau_b between each metric and the failure rate over %lu configurations\n",
              (unsigned long)nc);
    sb_printf(&out, "# seed %llu; Adam lr %g, batch %d, %d epochs; K = %lu restarts; report budget %g\n", seed, LR,
              BATCH, epochs, restarts, budget);
    sb_printf(&out, "# tau_init: metric at restart 0's initialisation; tau_min: at the best restart's final theta\n");
    sb_printf(&out, "# p: two-sided, normal approximation of tau_b with ties (approximate); n_*: configurations used\n");
    sb_printf(&out, "# sorted by |tau_init|; nan: not computed at that point (see the skipped list)\n");
    for (k = 0; k < n_keys; k++) {
        int p;
        for (p = 0; p < 2; p++)
            if (!keep[p][k])
                sb_printf(&out, "# skipped: %s at %s: %s\n", key_name[k], p ? "the minimum" : "init", reason[p][k]);
    }
    sb_printf(&out, "# ptau_*: Kendall's partial tau of metric and failure rate given n (descriptive, no p-value)\n");
    sb_printf(&out, "# rank key panel tau_init p_init n_init tau_min p_min n_min ptau_init ptau_min\n");
    for (i = 0; i < n_rows; i++) {
        size_t x = order[i];
        sb_printf(&out, "%lu %s %s %.6f %.6g %lu %.6f %.6g %lu %.6f %.6f\n", (unsigned long)(i + 1),
                  x < n_keys ? key_name[x] : "n_params", x < n_keys ? key_panel[x] : "baseline", tau[0][x], pv[0][x],
                  (unsigned long)used[0][x], tau[1][x], pv[1][x], (unsigned long)used[1][x], ptau[0][x], ptau[1][x]);
    }
    if (out.oom) return fail("formatting the tau table", LLP_ERR_NOMEM);
    snprintf(file, sizeof file, "%s/difficulty_sweep_tau.dat", outdir);
    if (!write_atomic(file, out.s)) {
        fprintf(stderr, "difficulty_sweep: cannot write %s\n", file);
        return 1;
    }
    free(out.s);

    /* the table on stdout (Markdown) */
    {
        size_t w = strlen("metric");
        for (i = 0; i < n_rows; i++) {
            size_t x = order[i], len = x < n_keys ? strlen(key_name[x]) + strlen(key_panel[x]) + 3
                                                  : strlen("**n (parameter count, baseline)**");
            if (len > w) w = len;
        }
        printf("\nKendall tau_b of each metric with the failure rate over %lu configurations "
               "(p: two-sided, normal approximation, approximate)\n\n",
               (unsigned long)nc);
        printf("| %-*s | τ (init) | p (init) | τ (minimum) | p (minimum) | τ given n (init) | τ given n (minimum) |\n",
               (int)w, "metric");
        printf("|-");
        for (i = 0; i < w; i++) putchar('-');
        printf("-|---------:|---------:|------------:|------------:|-----------------:|--------------------:|\n");
        for (i = 0; i < n_rows; i++) {
            size_t x = order[i];
            char name[160], t0s[32], p0s[32], t1s[32], p1s[32], q0s[32], q1s[32];
            if (x < n_keys) snprintf(name, sizeof name, "%s (%s)", key_name[x], key_panel[x]);
            else snprintf(name, sizeof name, "**n (parameter count, baseline)**");
            fmt_num(t0s, sizeof t0s, tau[0][x], "%+.3f");
            fmt_p(p0s, sizeof p0s, pv[0][x]);
            fmt_num(t1s, sizeof t1s, tau[1][x], "%+.3f");
            fmt_p(p1s, sizeof p1s, pv[1][x]);
            fmt_num(q0s, sizeof q0s, ptau[0][x], "%+.3f");
            fmt_num(q1s, sizeof q1s, ptau[1][x], "%+.3f");
            printf("| %-*s | %*s | %*s | %*s | %*s | %*s | %*s |\n", (int)w, name, DASHW(t0s, 8), t0s, DASHW(p0s, 8),
                   p0s, DASHW(t1s, 11), t1s, DASHW(p1s, 11), p1s, DASHW(q0s, 16), q0s, DASHW(q1s, 19), q1s);
        }
        printf("\nSkipped (per point):\n");
        for (k = 0; k < n_keys; k++) {
            int p;
            for (p = 0; p < 2; p++)
                if (!keep[p][k]) printf("  %s at %s: %s\n", key_name[k], p ? "the minimum" : "init", reason[p][k]);
        }
        /* context: the design factors themselves */
        printf("\nFor comparison, tau of the design factors with the failure rate:");
        for (a = 0; a < 3; a++) {
            double t, p;
            size_t u;
            for (c = 0; c < nc; c++)
                xs[c] = a == 0 ? cf[c].depth : a == 1 ? cf[c].width : cf[c].noise;
            kendall(xs, ys, nc, &t, &p, &u);
            printf(" %s %+.3f (p %.2g)%s", a == 0 ? "depth" : a == 1 ? "width" : "noise", t, p, a < 2 ? "," : "\n");
        }
        printf("Note: at the minimum, \"loss\" is the best restart's final loss, from which failure is defined.\n");
    }
    printf("\nwrote %s/difficulty_sweep_configs.dat and %s/difficulty_sweep_tau.dat (%.1f s CPU)\n", outdir, outdir,
           (double)(clock() - t_start) / CLOCKS_PER_SEC);
    return 0;
}
