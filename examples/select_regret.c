/* select_regret.c — regret curves of every hyperparameter selector of
   llp_select at equal compute.

   The question: instead of many full training runs, can cheap probes (a few
   steps, curvature, zero-cost proxies) tell which hyperparameter settings are
   promising, and does that make the whole search cheaper? Every one of the 9
   strategies of llp_select (random, grid, successive halving, Hyperband, the
   learning-curve baseline, the zero-cost proxies grad_norm / snip / synflow,
   and the probe meta-model) is run on the same space at the SAME budgets, and
   for each data set the program reports the best validation score found
   against the compute spent, and which strategy gets within 5 % of the best
   configuration at the least compute.

   Design (every setting fixed before any result was seen):
   - Data sets, one 80/20-style split per seed, features standardised with
     the training statistics:
       digits    data/digits.csv (1797 x 64, 10 classes), 80/20 split;
                 64-32-10 tanh, softmax cross-entropy; R = 10 epochs
                 (450 steps of 32, as examples/hp_map);
       diabetes  data/diabetes.csv (442 x 10, regression), 80/20 split,
                 targets standardised too (a constant predictor scores ~1);
                 10-32-1 tanh trained with MSE; R = 20 epochs (240 steps of
                 32: the small set needs more epochs for the same number of
                 steps). Searched twice on the same splits: scored by the
                 validation MSE (the training loss), and by the validation
                 MAE through llp_select's `score` callback;
       teacher   teacher-student regression (llp_data_teacher): a fixed
                 random 8-16-1 tanh teacher (seed 2024, its last layer
                 rescaled so that its clean outputs have std 1 on 4096
                 reference inputs), label noise 0.1, 512 training and 512
                 validation inputs x ~ N(0, I) drawn from the seed; student
                 8-32-1 tanh (twice the teacher's width), MSE; R = 20 epochs
                 (320 steps of 32);
       fashion   Fashion-MNIST when /usr/share/datasets/fashion-mnist/ (or
                 --fashion-dir) has the gzip IDX files: the first 3000
                 training images, 2x2-average-pooled to 14 x 14 (196
                 features) so that a full training stays near 0.1 s, split
                 2000 training / 1000 validation per seed; 196-32-10 tanh,
                 cross-entropy; R = 10 epochs (630 steps of 32). Skipped with
                 a note when the files are absent, and always in --quick.
   - Space (the same for every data set, 4 dimensions, what one would search
     for SGD with momentum): learning rate log-uniform [1e-3, 1], optimizer
     weight decay log-uniform [1e-6, 1e-1], heavy-ball momentum uniform
     [0, 0.99], batch size in {16, 32, 64, 128}. Base optimizer: momentum
     (PyTorch's heavy ball); the base's lr 0.01, momentum 0.9 and batch 32
     are overwritten by every configuration. Parts of the upper corner (lr
     near 1 with high momentum) diverge on the regression sets: a search
     has to live with that.
   - Selectors: llp_select with every default of its own (candidates
     max(4, 2 floor(budget / full_cost)), for CURVE and META also capped by
     the selector so that screening takes about a third of the budget; the
     selector's light snoop settings, eta = 3, min_resource R / 27, warmup
     3, meta-model defaults): nothing is tuned per strategy. Seeds: desc.seed = seed (configurations,
     grid order, snoop and meta-model streams), init_seed = seed + 1000000
     (theta_0), train.seed = seed + 2000000 (mini-batch shuffling), the
     split / teacher inputs from seed. A seed thus changes the split, the
     initialisation and the search.
   - Budgets: 4, 8, 16 and 32 full trainings (--budgets), every strategy at
     every budget (a separate run each: grid levels, candidate counts and
     brackets depend on the budget). One full training = full_cost of the
     selector's result (R epochs of gradient work plus one validation pass,
     in llp_select's unit), read from a zero-budget call; the budget passed
     is levels x full_cost x (1 + 1e-9), the slack only so that rounding in
     the sum of 32 equal costs cannot drop the 32nd training.
   - Seeds: 3 (--seeds), from --seed (default 1): the most that keeps the
     default run safely within 5 minutes on the shared 2-core machine
     (each seed adds about 50 s of CPU time).
   - Reference ("the best configuration") of a data set and seed: the lowest
     validation score of any training to full resource by any strategy at
     any budget for that seed — the pool contains every configuration random
     search trained at the largest budget and every other strategy's, and a
     configuration trained by two strategies scores the same bit for bit.
     Printed per seed with its configuration.
   - Regret = score / reference - 1 (every score here is a loss > 0).
     "Within 5 %": regret <= 0.05, measured two ways: (a) along the trial
     list of the run at the largest budget, the cum_cost (in full trainings)
     of the first trial whose incumbent (trial.best) is within 5 %; (b) the
     smallest budget level whose run ended within 5 %. A seed that never
     gets there counts as infinite in the median over seeds. Final regret
     at each budget: the run's best, mean +- sample std over seeds (seeds
     whose run trained nothing to full resource are counted apart, "none").
     The strategy with the least median (a), and the one with the least
     median (b), are named (ties: more seeds reaching, then named as tied).
   - Noticed after the first run and left as it is (the space was fixed
     before): grad_norm, snip and synflow are computed at theta_0, which
     is the same for every configuration of this space (no width, depth or
     init scale in it), so their value is the same for every candidate and
     they train the candidates in the order drawn, i.e. random search less
     their screening cost. The program checks this in the trials and says
     so under the table when it happens.

   usage: select_regret [--seed N] [--seeds K] [--budgets B1,B2,...] [--out DIR]
                        [--quick] [--data-dir DIR] [--fashion-dir DIR] [--no-fashion]
     --quick: one seed, digits only, budgets 2 and 4 (a test, about 1 s).
   Outputs in DIR (default "."), byte-identical for the same arguments:
     select_regret.dat        one row per data set x seed x budget x method:
                              data method seed budget spent screen n_full
                              n_trials diverged best reference regret
                              reach full_cost (budget, spent, screen and
                              reach in full trainings; see the header)
     select_regret_curve.dat  the anytime curves at the largest budget, one
                              gnuplot block (index k * 9 + method, k the k-th
                              data set run) per data set and method: first
                              the median over seeds of the incumbent's regret
                              (seed -1), then each seed's curve (cum_cost
                              incumbent regret), separated by single blank
                              lines;
     plots/select_regret.gp draws select_regret.png from the curve file.
   On stdout, per data set: the references (with the size of the pool of
   full trainings they come from), a Markdown table (method, median compute
   to within 5 % (a), seeds reaching it, smallest budget within 5 % (b),
   seeds, final regret at each budget), a table of where the largest budget
   went (spent, screening, trainings to R, diverged, trials, means over
   seeds), notes (screening values that could not rank; a budget left
   unspent by more than 2 full trainings and 10 %), and the strategies
   that get within 5 % at the least compute and at the smallest budget.
   CPU time goes to stderr.
   Run time at the default settings (-O2): 2.3 to 2.8 minutes of CPU time,
   2.6 to 3.8 minutes of wall time on the shared 2-core machine (one core
   used; Fashion-MNIST takes about 60 % of it, digits 20 %); --quick: about
   1 s. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"
#define EXC_PROG "select_regret"
#include "ex_common.h"

#ifndef DATA_DIR /* meson compiles in the absolute path; by hand, run from the repository root */
#define DATA_DIR "data"
#endif
#define FASHION_DIR "/usr/share/datasets/fashion-mnist"

#define N_METHODS ((int)LLP_SELECT_METHODS)
#define MAX_SEEDS 100
#define MAX_BUDGETS 8
#define HIDDEN 32
#define REACH 0.05           /* "within 5 %" */
#define BUDGET_SLACK 1e-9    /* relative slack on budget = levels x full_cost */
#define SEED_INIT 1000000u   /* init_seed = seed + SEED_INIT */
#define SEED_SHUFFLE 2000000u
#define TEACHER_SEED 2024u
#define TEACHER_D 8
#define TEACHER_W 16
#define TEACHER_NOISE 0.1
#define TEACHER_N 512
#define TEACHER_REF 4096
#define FASHION_N 3000       /* first training images loaded */
#define FASHION_VAL 1000     /* of which validation, per seed */

enum { DS_DIGITS = 0, DS_DIABETES_MSE, DS_DIABETES_MAE, DS_TEACHER, DS_FASHION, N_DS };
static const char *const DS_KEY[N_DS] = {"digits", "diabetes_mse", "diabetes_mae", "teacher", "fashion"};
static const char *const DS_TITLE[N_DS] = {
    "digits — validation cross-entropy", "diabetes — validation MSE", "diabetes — validation MAE (trained with MSE)",
    "teacher–student — validation MSE", "Fashion-MNIST subset — validation cross-entropy"};
static const size_t DS_EPOCHS[N_DS] = {10, 20, 20, 20, 10};

/* One llp_select run, reduced. */
typedef struct run_rec {
    double spent, screen;  /* in full trainings */
    double best;           /* NaN: no full training with a finite score */
    double reach;          /* compute (full trainings) at which the incumbent gets within 5 %; INFINITY: never */
    size_t n_full, n_trials, diverged;
    size_t n_screen;       /* screening trials (candidates screened) */
    size_t n_screen_val;   /* of which with a finite ranking value (META stores none) */
    int screen_const;      /* every finite screening value of the run was the same */
    size_t n;              /* trials */
    double *cum, *inc;     /* (n) cum_cost in full trainings, incumbent (trial.best) */
} run_rec;

/* The data every seed is drawn from, loaded once. */
typedef struct sources {
    llp_data digits, diabetes, fashion;
    int have_fashion;
    llp_mlp teacher;
    int have_teacher;
} sources;

/* One data set of one seed. */
typedef struct problem {
    llp_data tr, va;
    llp_mlp_desc md;
} problem;

static int usage(const char *why) {
    fprintf(stderr,
            "select_regret: %s (usage: select_regret [--seed N] [--seeds K] [--budgets B1,B2,...] [--out DIR] "
            "[--quick] [--data-dir DIR] [--fashion-dir DIR] [--no-fashion])\n",
            why);
    return 2;
}

/* "4,8,16,32": 1..MAX_BUDGETS increasing integers in 1..10000. */
static int parse_budgets(const char *s, double *b, size_t *nb) {
    char tok[32];
    size_t n = 0, len;
    const char *p = s, *q;
    unsigned long v;
    if (!s || !*s) return 0;
    for (;;) {
        q = strchr(p, ',');
        len = q ? (size_t)(q - p) : strlen(p);
        if (len == 0 || len >= sizeof tok || n == MAX_BUDGETS) return 0;
        memcpy(tok, p, len);
        tok[len] = 0;
        if (!exc_parse_ulong(tok, 10000, &v) || v == 0) return 0;
        if (n && (double)v <= b[n - 1]) return 0;
        b[n++] = (double)v;
        if (!q) break;
        p = q + 1;
    }
    *nb = n;
    return 1;
}

/* The validation MAE of a regression MLP: llp_select's score callback. */
static llp_result mae_score(void *ctx, const llp_mlp *m, const llp_real *theta, const llp_data *val, double *score) {
    llp_mlp_work w;
    llp_real *out;
    size_t k = (size_t)m->sizes[m->n_layers], chunk = 256, i, j, b;
    double s = 0;
    llp_result r;
    (void)ctx;
    if (val->task != LLP_TASK_REGRESSION || val->k != k || val->d != (size_t)m->sizes[0]) return LLP_ERR_SHAPE;
    if ((r = llp_mlp_work_init(&w, m, chunk)) != LLP_OK) return r;
    out = (llp_real *)malloc(chunk * k * sizeof *out);
    if (!out) {
        llp_mlp_work_free(&w);
        return LLP_ERR_NOMEM;
    }
    for (i = 0; i < val->n; i += chunk) {
        b = val->n - i < chunk ? val->n - i : chunk;
        if ((r = llp_mlp_forward(m, theta, val->x + i * val->d, b, out, &w)) != LLP_OK) break;
        for (j = 0; j < b * k; j++) s += fabs((double)out[j] - (double)val->y[i * k + j]);
    }
    free(out);
    llp_mlp_work_free(&w);
    if (r != LLP_OK) return r;
    *score = s / (double)(val->n * k);
    return LLP_OK;
}

/* Fashion-MNIST: the first FASHION_N training images, 2x2 average pooling. */
static int load_fashion(sources *src, const char *dir) {
    char img[4200], lab[4200];
    llp_data raw;
    llp_error err;
    llp_result r;
    size_t i, y, x;
    FILE *fp;
    snprintf(img, sizeof img, "%s/train-images-idx3-ubyte.gz", dir);
    snprintf(lab, sizeof lab, "%s/train-labels-idx1-ubyte.gz", dir);
    if (!(fp = fopen(img, "rb"))) return 1; /* absent: skipped */
    fclose(fp);
    if ((r = llp_data_load_idx(&raw, img, lab, FASHION_N, &err)) != LLP_OK) {
        fprintf(stderr, "select_regret: %s:%ld:%ld: %s\n", err.file, err.line, err.column, err.message);
        return 2;
    }
    if (raw.d != 784 || raw.n < FASHION_N || raw.n_classes != 10) {
        fprintf(stderr, "select_regret: %s: expected at least %d images of 28 x 28 in 10 classes\n", img, FASHION_N);
        llp_data_free(&raw);
        return 2;
    }
    if ((r = llp_data_alloc(&src->fashion, raw.n, 196, LLP_TASK_CLASSIFICATION, 10)) != LLP_OK) {
        llp_data_free(&raw);
        return fail("llp_data_alloc", r);
    }
    for (i = 0; i < raw.n; i++) {
        const llp_real *p = raw.x + i * 784;
        for (y = 0; y < 14; y++)
            for (x = 0; x < 14; x++)
                src->fashion.x[i * 196 + y * 14 + x] =
                    (llp_real)(0.25 * ((double)p[(2 * y) * 28 + 2 * x] + (double)p[(2 * y) * 28 + 2 * x + 1] +
                                       (double)p[(2 * y + 1) * 28 + 2 * x] + (double)p[(2 * y + 1) * 28 + 2 * x + 1]));
        src->fashion.labels[i] = raw.labels[i];
    }
    llp_data_free(&raw);
    src->have_fashion = 1;
    return 0;
}

static int load_csv(llp_data *d, const char *dir, const char *name) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.csv", dir, name);
    return exc_load_csv(d, path, "select_regret");
}

/* The fixed teacher: 8-16-1 tanh from TEACHER_SEED, last layer rescaled to unit output std. */
static int make_teacher(sources *src) {
    llp_mlp_desc md;
    llp_data ref;
    llp_rng rng;
    llp_result r;
    double m = 0, v = 0, sd;
    size_t i;
    memset(&md, 0, sizeof md);
    md.n_layers = 2;
    md.sizes[0] = TEACHER_D, md.sizes[1] = TEACHER_W, md.sizes[2] = 1;
    md.act = LLP_ACT_TANH, md.loss = LLP_LOSS_MSE;
    if ((r = llp_mlp_init(&src->teacher, &md)) != LLP_OK) return fail("llp_mlp_init (teacher)", r);
    src->have_teacher = 1;
    llp_rng_seed(&rng, TEACHER_SEED);
    llp_mlp_randomize(&src->teacher, src->teacher.theta, &rng);
    if ((r = llp_data_teacher(&ref, &src->teacher, src->teacher.theta, TEACHER_REF, 0, &rng)) != LLP_OK)
        return fail("llp_data_teacher", r);
    for (i = 0; i < ref.n; i++) m += ref.y[i] / (double)ref.n;
    for (i = 0; i < ref.n; i++) v += (ref.y[i] - m) * (ref.y[i] - m) / (double)(ref.n - 1);
    llp_data_free(&ref);
    sd = sqrt(v);
    if (!(sd > 0)) return fail("the teacher's outputs are constant", LLP_ERR_ARG);
    for (i = src->teacher.w_off[1]; i < src->teacher.n_params; i++)
        src->teacher.theta[i] = (llp_real)(src->teacher.theta[i] / sd);
    return 0;
}

static void problem_free(problem *p) {
    llp_data_free(&p->tr);
    llp_data_free(&p->va);
}

/* Data set ds for one seed: split (or draw), standardise, the model. */
static int problem_init(problem *p, const sources *src, int ds, unsigned long seed) {
    llp_rng rng;
    llp_real mean[196], sd[196];
    llp_result r = LLP_OK;
    int classify = ds == DS_DIGITS || ds == DS_FASHION;
    memset(p, 0, sizeof *p);
    llp_rng_seed(&rng, seed);
    switch (ds) {
    case DS_DIGITS: r = llp_data_split(&src->digits, 0.2, 0, &rng, &p->tr, &p->va, NULL); break;
    case DS_DIABETES_MSE:
    case DS_DIABETES_MAE: r = llp_data_split(&src->diabetes, 0.2, 0, &rng, &p->tr, &p->va, NULL); break;
    case DS_FASHION:
        r = llp_data_split(&src->fashion, (double)FASHION_VAL / FASHION_N, 0, &rng, &p->tr, &p->va, NULL);
        break;
    default:
        r = llp_data_teacher(&p->tr, &src->teacher, src->teacher.theta, TEACHER_N, TEACHER_NOISE, &rng);
        if (r == LLP_OK) r = llp_data_teacher(&p->va, &src->teacher, src->teacher.theta, TEACHER_N, TEACHER_NOISE, &rng);
        break;
    }
    if (r != LLP_OK) return fail("preparing the data", r);
    if (p->tr.d > 196) return fail("too many features", LLP_ERR_SHAPE);
    if ((r = llp_data_standardize(&p->tr, mean, sd)) != LLP_OK ||
        (r = llp_data_apply_standardization(&p->va, mean, sd)) != LLP_OK)
        return fail("standardising", r);
    if (ds == DS_DIABETES_MSE || ds == DS_DIABETES_MAE) exc_standardise_targets(&p->tr, &p->va);
    p->md.n_layers = 2;
    p->md.sizes[0] = (int)p->tr.d, p->md.sizes[1] = HIDDEN;
    p->md.sizes[2] = classify ? (int)p->tr.n_classes : 1;
    p->md.act = LLP_ACT_TANH;
    p->md.loss = classify ? LLP_LOSS_SOFTMAX_CE : LLP_LOSS_MSE;
    return 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y ? 1 : 0;
}

/* Median of n values (no NaN; INFINITY allowed). x is sorted in place. */
static double median(double *x, size_t n) {
    if (!n) return NAN;
    qsort(x, n, sizeof *x, cmp_double);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

/* The incumbent of a run after compute c (full trainings): NaN if none yet. */
static double incumbent_at(const run_rec *rr, double c) {
    double v = NAN;
    size_t i;
    for (i = 0; i < rr->n && rr->cum[i] <= c; i++) v = rr->inc[i];
    return v;
}

/* "%.17g", every NaN as "nan" (glibc would print a negative one as "-nan"). */
static void put_num(FILE *fp, double v, const char *sep) {
    if (isnan(v)) fprintf(fp, "nan%s", sep);
    else fprintf(fp, "%.17g%s", v, sep);
}

/* Configurations (LLP_HP_KEYS doubles each) in lexicographic order. */
static int cmp_config(const void *a, const void *b) {
    const double *x = (const double *)a, *y = (const double *)b;
    int i;
    for (i = 0; i < (int)LLP_HP_KEYS; i++)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

static void fmt_compute(char *buf, size_t len, double v) {
    if (isinf(v)) snprintf(buf, len, "not reached");
    else snprintf(buf, len, "%.2f", v);
}

int main(int argc, char **argv) {
    const char *outdir = ".", *dir = NULL, *fdir = FASHION_DIR;
    char buf[4096], path[4200], tmp[4300];
    unsigned long seed = 1, nseeds = 3, ul;
    double budgets[MAX_BUDGETS] = {4, 8, 16, 32};
    size_t nb = 4, s, b, i, j, n_runs = 0, nds = 0;
    int quick = 0, no_fashion = 0, have_budgets = 0, have_seeds = 0, k, ds, m, rc = 0;
    int ds_list[N_DS];
    run_rec *runs = NULL;
    double *refs = NULL, *fcs = NULL, *tab = NULL;
    char (*ref_cfg)[160] = NULL;
    size_t *pool = NULL, *pool_distinct = NULL, *ntr = NULL, *nva = NULL, n_pool = 0, cap_pool = 0;
    double *pool_cfg = NULL;
    llp_mlp_desc mds[N_DS];
    sources src;
    llp_hp_space space;
    llp_error err;
    clock_t t0 = clock();
    FILE *fp;

    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--seed") == 0) {
            if (k + 1 >= argc || !exc_parse_ulong(argv[++k], 0xffffffffUL, &ul)) return usage("--seed needs an integer");
            seed = ul;
        } else if (strcmp(argv[k], "--seeds") == 0) {
            if (k + 1 >= argc || !exc_parse_ulong(argv[++k], MAX_SEEDS, &ul) || ul == 0)
                return usage("--seeds needs an integer in 1..100");
            nseeds = ul, have_seeds = 1;
        } else if (strcmp(argv[k], "--budgets") == 0) {
            if (k + 1 >= argc || !parse_budgets(argv[++k], budgets, &nb))
                return usage("--budgets needs 1..8 increasing integers in 1..10000, comma-separated");
            have_budgets = 1;
        } else if (strcmp(argv[k], "--out") == 0) {
            if (k + 1 >= argc || !*argv[k + 1]) return usage("--out needs a directory");
            outdir = argv[++k];
        } else if (strcmp(argv[k], "--data-dir") == 0) {
            if (k + 1 >= argc || !*argv[k + 1]) return usage("--data-dir needs a directory");
            dir = argv[++k];
        } else if (strcmp(argv[k], "--fashion-dir") == 0) {
            if (k + 1 >= argc || !*argv[k + 1]) return usage("--fashion-dir needs a directory");
            fdir = argv[++k];
        } else if (strcmp(argv[k], "--no-fashion") == 0) no_fashion = 1;
        else if (strcmp(argv[k], "--quick") == 0) quick = 1;
        else {
            snprintf(buf, sizeof buf, "unknown argument '%.200s'", argv[k]);
            return usage(buf);
        }
    }
    if (quick) {
        if (!have_seeds) nseeds = 1;
        if (!have_budgets) budgets[0] = 2, budgets[1] = 4, nb = 2;
        no_fashion = 1;
    }
    dir = exc_locate(dir, "data", DATA_DIR, buf, sizeof buf);
    /* the output directory must take files before minutes of searching */
    snprintf(path, sizeof path, "%s/select_regret.dat", outdir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (!(fp = fopen(tmp, "w"))) {
        fprintf(stderr, "select_regret: cannot write in --out directory %s\n", outdir);
        return 2;
    }
    fclose(fp);
    remove(tmp);

    /* ---- the sources ---- */
    memset(&src, 0, sizeof src);
    if ((rc = load_csv(&src.digits, dir, "digits")) != 0) goto done;
    if (src.digits.d != 64 || src.digits.task != LLP_TASK_CLASSIFICATION) {
        fprintf(stderr, "select_regret: %s/digits.csv is not the 64-pixel digits data\n", dir);
        rc = 2;
        goto done;
    }
    ds_list[nds++] = DS_DIGITS;
    if (!quick) {
        if ((rc = load_csv(&src.diabetes, dir, "diabetes")) != 0) goto done;
        if (src.diabetes.task != LLP_TASK_REGRESSION || src.diabetes.k != 1) {
            fprintf(stderr, "select_regret: %s/diabetes.csv is not a one-target regression data set\n", dir);
            rc = 2;
            goto done;
        }
        if ((rc = make_teacher(&src)) != 0) goto done;
        ds_list[nds++] = DS_DIABETES_MSE;
        ds_list[nds++] = DS_DIABETES_MAE;
        ds_list[nds++] = DS_TEACHER;
        if (!no_fashion) {
            rc = load_fashion(&src, fdir);
            if (rc == 2) goto done;
            rc = 0;
            if (src.have_fashion) ds_list[nds++] = DS_FASHION;
        }
    }

    /* ---- the space ---- */
    memset(&space, 0, sizeof space);
    space.n_dims = 4;
    space.dim[0].key = LLP_HP_LR, space.dim[0].scale = LLP_HP_LOG, space.dim[0].lo = 1e-3, space.dim[0].hi = 1;
    space.dim[1].key = LLP_HP_WEIGHT_DECAY, space.dim[1].scale = LLP_HP_LOG;
    space.dim[1].lo = 1e-6, space.dim[1].hi = 1e-1;
    space.dim[2].key = LLP_HP_MOMENTUM, space.dim[2].scale = LLP_HP_LINEAR;
    space.dim[2].lo = 0, space.dim[2].hi = 0.99;
    space.dim[3].key = LLP_HP_BATCH_SIZE, space.dim[3].n_choices = 4;
    space.dim[3].choice[0] = 16, space.dim[3].choice[1] = 32, space.dim[3].choice[2] = 64;
    space.dim[3].choice[3] = 128;
    if (llp_hp_space_validate(&space, &err) != LLP_OK) {
        fprintf(stderr, "select_regret: %s\n", err.message);
        rc = 2;
        goto done;
    }

    n_runs = nds * nseeds * nb * (size_t)N_METHODS;
    runs = (run_rec *)calloc(n_runs, sizeof *runs);
    refs = (double *)malloc(nds * nseeds * sizeof *refs);
    fcs = (double *)malloc(nds * nseeds * sizeof *fcs);
    ref_cfg = (char(*)[160])calloc(nds * nseeds, sizeof *ref_cfg);
    pool = (size_t *)calloc(nds * nseeds, sizeof *pool);
    pool_distinct = (size_t *)calloc(nds * nseeds, sizeof *pool_distinct);
    ntr = (size_t *)calloc(nds, sizeof *ntr);
    nva = (size_t *)calloc(nds, sizeof *nva);
    if (!runs || !refs || !fcs || !ref_cfg || !pool || !pool_distinct || !ntr || !nva) {
        rc = fail("allocating", LLP_ERR_NOMEM);
        goto done;
    }
#define RUN(K, S, B, M) (runs[(((size_t)(K) * nseeds + (S)) * nb + (B)) * (size_t)N_METHODS + (size_t)(M)])

    printf("select_regret: %lu seed(s) from %lu; budgets", nseeds, seed);
    for (b = 0; b < nb; b++) printf("%s%g", b ? ", " : " ", budgets[b]);
    printf(" full trainings; every llp_select method at every budget%s\n"
           "space: lr log [1e-3, 1], weight decay log [1e-6, 1e-1], momentum [0, 0.99], batch {16, 32, 64, 128}; "
           "SGD with heavy-ball momentum; tanh MLPs with %d hidden units\n",
           quick ? " (quick)" : "", HIDDEN);
    if (!quick && !src.have_fashion)
        printf("Fashion-MNIST: %s%s%s\n", no_fashion ? "left out (--no-fashion)" : "skipped (no files in ",
               no_fashion ? "" : fdir, no_fashion ? "" : ")");
    printf("\n");
    fflush(stdout);

    /* ---- the searches ---- */
    for (k = 0; k < (int)nds; k++) {
        ds = ds_list[k];
        for (s = 0; s < nseeds; s++) {
            unsigned long sd_seed = seed + (unsigned long)s;
            problem p;
            llp_select_desc desc;
            llp_select_result res;
            llp_result r;
            double fc, ref = INFINITY;
            size_t ki = (size_t)k * nseeds + s;
            n_pool = 0;
            if ((rc = problem_init(&p, &src, ds, sd_seed)) != 0) {
                problem_free(&p);
                goto done;
            }
            ntr[k] = p.tr.n, nva[k] = p.va.n, mds[k] = p.md;
            memset(&desc, 0, sizeof desc);
            desc.space = &space;
            desc.mlp = p.md;
            desc.opt.kind = LLP_OPT_MOMENTUM, desc.opt.lr = 0.01, desc.opt.momentum = 0.9;
            desc.train.epochs = DS_EPOCHS[ds], desc.train.batch_size = 32;
            desc.train.seed = (uint64_t)sd_seed + SEED_SHUFFLE;
            desc.train_data = &p.tr, desc.val_data = &p.va;
            desc.seed = sd_seed, desc.init_seed = (uint64_t)sd_seed + SEED_INIT;
            if (ds == DS_DIABETES_MAE) desc.score = mae_score;
            /* one full training in the selector's unit: a call that can afford nothing */
            desc.method = LLP_SELECT_RANDOM, desc.budget = 1e-300;
            if ((r = llp_select(&desc, &res)) != LLP_OK) {
                problem_free(&p);
                rc = fail("llp_select (full_cost)", r);
                goto done;
            }
            fc = res.full_cost;
            llp_select_free(&res);
            if (!(fc > 0) || !isfinite(fc)) {
                problem_free(&p);
                rc = fail("llp_select returned no full_cost", LLP_ERR_ARG);
                goto done;
            }
            fcs[ki] = fc;
            for (b = 0; b < nb; b++)
                for (m = 0; m < N_METHODS; m++) {
                    run_rec *rr = &RUN(k, s, b, m);
                    double first_screen = NAN;
                    desc.method = (llp_select_method)m;
                    desc.budget = budgets[b] * fc * (1 + BUDGET_SLACK);
                    if ((r = llp_select(&desc, &res)) != LLP_OK) {
                        fprintf(stderr, "select_regret: %s seed %lu budget %g %s: %s\n", DS_KEY[ds], sd_seed,
                                budgets[b], llp_select_method_name(m), llp_result_string(r));
                        problem_free(&p);
                        rc = 2;
                        goto done;
                    }
                    rr->spent = res.spent / fc, rr->screen = res.screen_cost / fc;
                    rr->best = res.have_best ? res.best_score : NAN;
                    rr->n_full = res.n_full, rr->n_trials = res.n_trials;
                    rr->n = res.n_trials;
                    rr->cum = (double *)malloc((rr->n ? rr->n : 1) * sizeof(double));
                    rr->inc = (double *)malloc((rr->n ? rr->n : 1) * sizeof(double));
                    if (!rr->cum || !rr->inc) {
                        llp_select_free(&res);
                        problem_free(&p);
                        rc = fail("allocating", LLP_ERR_NOMEM);
                        goto done;
                    }
                    rr->screen_const = 1;
                    for (i = 0; i < res.n_trials; i++) {
                        const llp_select_trial *t = &res.trials[i];
                        rr->cum[i] = t->cum_cost / fc;
                        rr->inc[i] = t->best;
                        rr->diverged += t->stage == LLP_SELECT_STAGE_TRAIN && t->diverged;
                        if (t->stage == LLP_SELECT_STAGE_SCREEN) {
                            if (!isnan(t->score)) {
                                if (rr->n_screen_val++ == 0) first_screen = t->score;
                                else if (t->score != first_screen) rr->screen_const = 0;
                            }
                            rr->n_screen++;
                        }
                        if (t->stage == LLP_SELECT_STAGE_TRAIN && t->full) {
                            if (n_pool == cap_pool) {
                                size_t nc = cap_pool ? 2 * cap_pool : 1024;
                                double *np = (double *)realloc(pool_cfg, nc * LLP_HP_KEYS * sizeof *np);
                                if (!np) {
                                    llp_select_free(&res);
                                    problem_free(&p);
                                    rc = fail("allocating", LLP_ERR_NOMEM);
                                    goto done;
                                }
                                pool_cfg = np, cap_pool = nc;
                            }
                            memcpy(pool_cfg + n_pool++ * LLP_HP_KEYS, t->config.value, sizeof t->config.value);
                        }
                    }
                    pool[ki] += res.n_full;
                    if (res.have_best && res.best_score < ref) {
                        ref = res.best_score;
                        llp_hp_format(&res.best_config, ref_cfg[ki], sizeof ref_cfg[ki]);
                    }
                    llp_select_free(&res);
                }
            problem_free(&p);
            refs[ki] = isinf(ref) ? NAN : ref;
            /* distinct configurations among the pool's full trainings */
            if (n_pool) {
                qsort(pool_cfg, n_pool, LLP_HP_KEYS * sizeof *pool_cfg, cmp_config);
                pool_distinct[ki] = 1;
                for (i = 1; i < n_pool; i++)
                    pool_distinct[ki] += cmp_config(pool_cfg + (i - 1) * LLP_HP_KEYS, pool_cfg + i * LLP_HP_KEYS) != 0;
            }
            /* compute to within 5 % of the reference, along each run's trials */
            for (b = 0; b < nb; b++)
                for (m = 0; m < N_METHODS; m++) {
                    run_rec *rr = &RUN(k, s, b, m);
                    rr->reach = INFINITY;
                    for (i = 0; i < rr->n; i++)
                        if (!isnan(rr->inc[i]) && rr->inc[i] <= (1 + REACH) * refs[ki]) {
                            rr->reach = rr->cum[i];
                            break;
                        }
                }
        }

        fprintf(stderr, "select_regret: %s done, %.1f s of CPU time so far\n", DS_KEY[ds],
                (double)(clock() - t0) / CLOCKS_PER_SEC);
        /* ---- the tables of this data set ---- */
        {
            double *x = (double *)malloc((nseeds + 1) * sizeof(double));
            double med[LLP_SELECT_METHODS], med_b[LLP_SELECT_METHODS];
            size_t reached[LLP_SELECT_METHODS], reached_b[LLP_SELECT_METHODS];
            int a;
            char cbuf[64];
            if (!x) {
                rc = fail("allocating", LLP_ERR_NOMEM);
                goto done;
            }
            printf("### %s\n\n", DS_TITLE[ds]);
            printf("%lu training / %lu validation samples, %d-%d-%d tanh MLP, full training R = %lu epochs = %.4g "
                   "in llp_select's compute unit (epochs of gradient work, the score included).\n",
                   (unsigned long)ntr[k], (unsigned long)nva[k], mds[k].sizes[0], mds[k].sizes[1], mds[k].sizes[2],
                   (unsigned long)DS_EPOCHS[ds],
                   fcs[(size_t)k * nseeds]);
            printf("Reference (the best validation %s of any full training by any method at any budget):\n",
                   ds == DS_DIABETES_MAE ? "MAE" : ds == DS_DIGITS || ds == DS_FASHION ? "cross-entropy" : "MSE");
            for (s = 0; s < nseeds; s++) {
                size_t ki = (size_t)k * nseeds + s;
                printf("- seed %lu: %.5g (%s); pool: %lu full trainings of %lu distinct configurations\n",
                       seed + (unsigned long)s, refs[ki], ref_cfg[ki], (unsigned long)pool[ki],
                       (unsigned long)pool_distinct[ki]);
            }
            printf("\nCompute in full trainings. \"Within 5 %%\": (a) along the run at %g, the compute at which the "
                   "incumbent first got within 5 %% of the reference; (b) the smallest budget whose run ended within "
                   "5 %%. Medians over seeds, a seed that never gets there counting as infinite. Regret = best / "
                   "reference - 1 at the end of the run at each budget, mean ± std over seeds.\n\n",
                   budgets[nb - 1]);
            printf("| method | (a) compute to within 5 %% | seeds | (b) smallest budget within 5 %% | seeds |");
            for (b = 0; b < nb; b++) printf(" regret at %g |", budgets[b]);
            printf("\n|---|---:|---:|---:|---:|");
            for (b = 0; b < nb; b++) printf("---:|");
            printf("\n");
            for (m = 0; m < N_METHODS; m++) {
                reached[m] = 0;
                for (s = 0; s < nseeds; s++) {
                    x[s] = RUN(k, s, nb - 1, m).reach;
                    reached[m] += !isinf(x[s]);
                }
                med[m] = median(x, nseeds);
                fmt_compute(cbuf, sizeof cbuf, med[m]);
                printf("| %s | %s | %lu/%lu |", llp_select_method_name(m), cbuf, (unsigned long)reached[m], nseeds);
                reached_b[m] = 0;
                for (s = 0; s < nseeds; s++) {
                    double ref = refs[(size_t)k * nseeds + s];
                    x[s] = INFINITY;
                    for (b = 0; b < nb && isinf(x[s]); b++)
                        if (!isnan(RUN(k, s, b, m).best) && RUN(k, s, b, m).best <= (1 + REACH) * ref) x[s] = budgets[b];
                    reached_b[m] += !isinf(x[s]);
                }
                med_b[m] = median(x, nseeds);
                if (isinf(med_b[m])) snprintf(cbuf, sizeof cbuf, "not reached");
                else snprintf(cbuf, sizeof cbuf, "%g", med_b[m]);
                printf(" %s | %lu/%lu |", cbuf, (unsigned long)reached_b[m], nseeds);
                for (b = 0; b < nb; b++) {
                    double mean = 0, var = 0;
                    size_t cnt = 0, none = 0;
                    for (s = 0; s < nseeds; s++) {
                        double bs = RUN(k, s, b, m).best, ref = refs[(size_t)k * nseeds + s];
                        if (isnan(bs)) none++;
                        else x[cnt++] = bs / ref - 1;
                    }
                    for (i = 0; i < cnt; i++) mean += x[i] / (double)cnt;
                    for (i = 0; i < cnt && cnt > 1; i++) var += (x[i] - mean) * (x[i] - mean) / (double)(cnt - 1);
                    if (!cnt) printf(" none |");
                    else if (cnt > 1) printf(" %.3f ± %.3f", mean, sqrt(var));
                    else printf(" %.3f", mean);
                    if (cnt && none) printf(" (%lu none) |", (unsigned long)none);
                    else if (cnt) printf(" |");
                }
                printf("\n");
            }
            printf("\nWhere the largest budget (%g full trainings) went, mean over seeds:\n\n", budgets[nb - 1]);
            printf("| method | spent | of which screening | trainings to R | of which diverged | trials |\n"
                   "|---|---:|---:|---:|---:|---:|\n");
            for (m = 0; m < N_METHODS; m++) {
                double sp = 0, sc = 0, nf = 0, dv = 0, nt = 0;
                for (s = 0; s < nseeds; s++) {
                    const run_rec *rr = &RUN(k, s, nb - 1, m);
                    sp += rr->spent / (double)nseeds, sc += rr->screen / (double)nseeds;
                    nf += (double)rr->n_full / (double)nseeds, dv += (double)rr->diverged / (double)nseeds;
                    nt += (double)rr->n_trials / (double)nseeds;
                }
                printf("| %s | %.2f | %.2f | %.1f | %.1f | %.1f |\n", llp_select_method_name(m), sp, sc, nf, dv, nt);
            }
            /* facts worth a line: screening values that could not rank, budget left unspent */
            {
                int any = 0;
                for (m = 0; m < N_METHODS; m++) {
                    size_t nconst = 0, nscr = 0;
                    int first = 1;
                    for (s = 0; s < nseeds; s++)
                        for (b = 0; b < nb; b++) {
                            const run_rec *rr = &RUN(k, s, b, m);
                            if (rr->n_screen_val >= 2) nscr++, nconst += rr->screen_const;
                        }
                    if (nscr && nconst == nscr) {
                        printf("%s- %s: the screening value was the same for every candidate in every run (%lu runs; it "
                               "does not depend on the hyperparameters of this space), so the candidates were "
                               "trained in the order drawn: random search less the screening cost.\n",
                               any++ ? "" : "\n", llp_select_method_name(m), (unsigned long)nscr);
                    }
                    for (b = 0; b < nb; b++) {
                        double unspent = 0;
                        size_t all_trained = 0;
                        for (s = 0; s < nseeds; s++) {
                            const run_rec *rr = &RUN(k, s, b, m);
                            unspent += (budgets[b] - rr->spent) / (double)nseeds;
                            all_trained += rr->n_screen && rr->n_full >= rr->n_screen;
                        }
                        if (!(unspent > 2 && unspent > 0.1 * budgets[b])) continue;
                        if (first) printf("%s- %s: budget left unspent (full trainings, mean over seeds): ",
                                          any++ ? "" : "\n", llp_select_method_name(m));
                        else printf("; ");
                        first = 0;
                        printf("%.1f of %g", unspent, budgets[b]);
                        if (all_trained)
                            printf(" (in %lu/%lu seeds every screened candidate had been trained)",
                                   (unsigned long)all_trained, nseeds);
                    }
                    if (!first) printf(".\n");
                }
            }
            /* the winners: least median compute (a), least median budget (b); ties: more seeds, method order */
            printf("\n");
            for (a = 0; a < 2; a++) {
                const double *mv = a ? med_b : med;
                const size_t *rv = a ? reached_b : reached;
                int w = 0, ties = 0;
                for (m = 1; m < N_METHODS; m++)
                    if (mv[m] < mv[w] || (mv[m] == mv[w] && rv[m] > rv[w])) w = m;
                for (m = 0; m < N_METHODS; m++) ties += m != w && mv[m] == mv[w] && rv[m] == rv[w];
                printf("%s", a ? "(b) " : "(a) ");
                if (isinf(mv[w])) {
                    printf("no method gets within 5 %% of the reference in most seeds.\n");
                    continue;
                }
                if (a) printf("smallest budget within 5 %%: %s, budget %g (%lu/%lu seeds", llp_select_method_name(w),
                              mv[w], (unsigned long)rv[w], nseeds);
                else printf("least compute to within 5 %%: %s, %.2f full trainings (%lu/%lu seeds",
                            llp_select_method_name(w), mv[w], (unsigned long)rv[w], nseeds);
                if (ties) {
                    printf("; tied with");
                    for (m = 0; m < N_METHODS; m++)
                        if (m != w && mv[m] == mv[w] && rv[m] == rv[w]) printf(" %s", llp_select_method_name(m));
                }
                printf(")");
                if (w != LLP_SELECT_RANDOM && !(mv[LLP_SELECT_RANDOM] == mv[w] && rv[LLP_SELECT_RANDOM] == rv[w])) {
                    if (isinf(mv[LLP_SELECT_RANDOM])) snprintf(cbuf, sizeof cbuf, "not reached");
                    else snprintf(cbuf, sizeof cbuf, a ? "%g" : "%.2f", mv[LLP_SELECT_RANDOM]);
                    printf("; random search: %s (%lu/%lu)", cbuf, (unsigned long)rv[LLP_SELECT_RANDOM], nseeds);
                }
                printf(".\n");
            }
            printf("\n");
            fflush(stdout);
            free(x);
        }
    }

    /* ---- select_regret.dat ---- */
    {
        static const char *const cols[14] = {"data",     "method",   "seed",     "budget",    "spent",
                                             "screen",   "n_full",   "n_trials", "diverged",  "best",
                                             "reference", "regret",  "reach",    "full_cost"};
        char header[2048];
        size_t row = 0, pos;
        tab = (double *)malloc(n_runs * 14 * sizeof *tab);
        if (!tab) {
            rc = fail("allocating", LLP_ERR_NOMEM);
            goto done;
        }
        for (k = 0; k < (int)nds; k++)
            for (s = 0; s < nseeds; s++)
                for (b = 0; b < nb; b++)
                    for (m = 0; m < N_METHODS; m++) {
                        const run_rec *rr = &RUN(k, s, b, m);
                        double ref = refs[(size_t)k * nseeds + s], *t = tab + row++ * 14;
                        t[0] = ds_list[k], t[1] = m, t[2] = (double)(seed + s), t[3] = budgets[b];
                        t[4] = rr->spent, t[5] = rr->screen, t[6] = (double)rr->n_full, t[7] = (double)rr->n_trials;
                        t[8] = (double)rr->diverged, t[9] = rr->best, t[10] = ref;
                        t[11] = rr->best / ref - 1, t[12] = isinf(rr->reach) ? NAN : rr->reach;
                        t[13] = fcs[(size_t)k * nseeds + s];
                    }
        pos = (size_t)snprintf(header, sizeof header,
                               "select_regret: every llp_select method at every budget, %lu seed(s) from %lu\n"
                               "data:",
                               nseeds, seed);
        for (k = 0; k < (int)nds && pos < sizeof header; k++)
            pos += (size_t)snprintf(header + pos, sizeof header - pos, " %d %s%s", ds_list[k], DS_KEY[ds_list[k]],
                                    k + 1 < (int)nds ? "," : "");
        if (pos < sizeof header) pos += (size_t)snprintf(header + pos, sizeof header - pos, "\nmethod:");
        for (m = 0; m < N_METHODS && pos < sizeof header; m++)
            pos += (size_t)snprintf(header + pos, sizeof header - pos, " %d %s%s", m, llp_select_method_name(m),
                                    m + 1 < N_METHODS ? "," : "");
        if (pos < sizeof header)
            snprintf(header + pos, sizeof header - pos,
                     "\nbudget, spent, screen, reach: in full trainings (full_cost, llp_select's unit: epochs of "
                     "gradient work, the score included); best: the run's best validation score (nan: none)\n"
                     "reference: the best score of any full training by any method at any budget for that data "
                     "set and seed; regret = best / reference - 1\n"
                     "reach: compute at which the run's incumbent got within 5%% of the reference (nan: never)");
        snprintf(path, sizeof path, "%s/select_regret.dat", outdir);
        if (llp_write_table(path, header, cols, tab, n_runs, 14, 0, 0, &err) != LLP_OK) {
            fprintf(stderr, "select_regret: %s\n", err.message);
            rc = 2;
            goto done;
        }
    }

    /* ---- select_regret_curve.dat ---- */
    snprintf(path, sizeof path, "%s/select_regret_curve.dat", outdir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (!(fp = fopen(tmp, "w"))) {
        fprintf(stderr, "select_regret: cannot write %s\n", tmp);
        rc = 2;
        goto done;
    }
    fprintf(fp,
            "# select_regret: anytime curves at the largest budget (%g full trainings), %lu seed(s) from %lu\n"
            "# one block per data set and method (gnuplot index k * %d + method, k the data set's position:",
            budgets[nb - 1], nseeds, seed, N_METHODS);
    for (k = 0; k < (int)nds; k++) fprintf(fp, " %d %s", k, DS_KEY[ds_list[k]]);
    fprintf(fp, ")\n# in each block: the median over seeds of the incumbent's regret (seed -1, incumbent nan; "
                "nan regret: no incumbent in half the seeds yet), then every seed's curve, one row per trial\n"
                "# compute: cum_cost in full trainings; incumbent: trial.best (nan: none yet); "
                "regret = incumbent / reference - 1\n");
    for (k = 0; k < (int)nds; k++)
        for (m = 0; m < N_METHODS; m++) {
            size_t npts = 0, cap = 1;
            double *pts, *x;
            for (s = 0; s < nseeds; s++) cap += RUN(k, s, nb - 1, m).n;
            pts = (double *)malloc(cap * sizeof *pts);
            x = (double *)malloc((nseeds + 1) * sizeof *x);
            if (!pts || !x) {
                free(pts), free(x);
                fclose(fp);
                remove(tmp);
                rc = fail("allocating", LLP_ERR_NOMEM);
                goto done;
            }
            for (s = 0; s < nseeds; s++) {
                const run_rec *rr = &RUN(k, s, nb - 1, m);
                for (i = 0; i < rr->n; i++) pts[npts++] = rr->cum[i];
            }
            pts[npts++] = budgets[nb - 1];
            qsort(pts, npts, sizeof *pts, cmp_double);
            if (k || m) fprintf(fp, "\n\n");
            fprintf(fp, "# %s %s\n# seed compute incumbent regret\n", DS_KEY[ds_list[k]], llp_select_method_name(m));
            for (i = 0; i < npts; i++) {
                double md;
                if (i && pts[i] == pts[i - 1]) continue;
                for (s = 0; s < nseeds; s++) {
                    double v = incumbent_at(&RUN(k, s, nb - 1, m), pts[i]);
                    x[s] = isnan(v) ? INFINITY : v / refs[(size_t)k * nseeds + s] - 1;
                }
                md = median(x, nseeds);
                fprintf(fp, "-1 ");
                put_num(fp, pts[i], " nan ");
                put_num(fp, isinf(md) ? NAN : md, "\n");
            }
            for (s = 0; s < nseeds; s++) {
                const run_rec *rr = &RUN(k, s, nb - 1, m);
                double ref = refs[(size_t)k * nseeds + s];
                fprintf(fp, "\n");
                for (i = 0; i < rr->n; i++) {
                    fprintf(fp, "%lu ", seed + (unsigned long)s);
                    put_num(fp, rr->cum[i], " ");
                    put_num(fp, rr->inc[i], " ");
                    put_num(fp, rr->inc[i] / ref - 1, "\n");
                }
            }
            free(pts), free(x);
        }
    if (fclose(fp) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "select_regret: cannot write %s\n", path);
        remove(tmp);
        rc = 2;
        goto done;
    }
    printf("files: %s/select_regret.dat, select_regret_curve.dat (plots/select_regret.gp draws select_regret.png)\n",
           outdir);
    fflush(stdout);
    fprintf(stderr, "select_regret: %.1f s of CPU time\n", (double)(clock() - t0) / CLOCKS_PER_SEC);

done:
    if (runs)
        for (j = 0; j < n_runs; j++) free(runs[j].cum), free(runs[j].inc);
    free(runs), free(refs), free(fcs), free(ref_cfg), free(pool), free(pool_distinct), free(pool_cfg), free(ntr);
    free(nva), free(tab);
    llp_data_free(&src.digits);
    llp_data_free(&src.diabetes);
    llp_data_free(&src.fashion);
    if (src.have_teacher) llp_mlp_free(&src.teacher);
    return rc;
}
