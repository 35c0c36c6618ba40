/* arch_compare.c — which architecture gives a smoother loss landscape? The
   ruggedness report of llprobe (llp_report_run), run on MLPs of different
   width, depth and activation, all trained the same way on the same data.

   What it measures. For every architecture below: the training loss and
   accuracy and the test loss and accuracy at the trained parameters theta*,
   the numbers of the ruggedness report at theta* on the training objective
   (slice roughness / minima / convexity, 2-D plane metrics, random-walk
   autocorrelation, sharpness by five definitions, the Hessian's extreme
   eigenvalues and trace, gradient noise scale and batch-gradient cosine,
   learning-rate stability, basin width, input-space FGSM/PGD probes), and
   the mean 1-D loss slice L(theta* + alpha d) - L(theta*) over filter-
   normalised random directions d, on one common alpha axis.

   Design (every run setting below was fixed before any result was looked
   at; the printed tables and the figure were laid out after the first run,
   and they show every metric listed, none picked by its result):
     data      data/digits.csv (1797 images of 8 x 8 pixels, 10 classes), one
               split 80/20 into training and test samples with --seed,
               features standardised with the training statistics; softmax
               cross-entropy. The same split for every architecture.
     models    64-[hidden]-10 MLPs; the three axes of the question, each
               varied alone around a 64-unit tanh network:
                 width       16, 64, 256 units, 1 hidden layer, tanh
                 depth       1, 2, 3 hidden layers of 64, tanh
                 activation  tanh, ReLU, GELU (smooth) and sigmoid at 64-64
               with the shared configurations run once: 8 architectures,
               h16-tanh h64-tanh h256-tanh h64x2-tanh h64x3-tanh h64x2-relu
               h64x2-gelu h64x2-sigmoid. The library's default initialisation
               (He for ReLU/GELU hidden layers, Glorot otherwise: the usual
               choice for each activation), drawn from seed + 1.
     training  Adam, lr 1e-3, mini-batches of 32, 30 epochs (1350 steps),
               shuffling from seed + 2: the same optimizer, the same budget
               of steps and the same mini-batch order (the permutation only
               depends on the sample count) for every architecture. A
               standard setting, fixed before the first run and not tuned
               per architecture (so some, e.g. h16-tanh, end at a higher
               training loss than others: that is part of the comparison).
     report    llp_report_run at theta* on the full training objective, the
               default panel set (all but multi-start), desc.lr = 1e-3 and
               desc.batch_size = 32 (the training settings: eta lambda_max
               and B_simple are judged against them), desc.opt = the Adam
               settings (the range test of the LR panel runs Adam), desc.mlp
               and desc.data (filter-normalised directions, input probes),
               budget 8000 gradient evaluations (above the default plan of
               about 2800, so every architecture gets the same, unscaled
               sample counts), seed + 3 for every architecture.
     slices    8 Gaussian filter-normalised directions (Li et al. 2018: each
               neuron's incoming weight row scaled to the norm of theta*'s
               row, biases zeroed), drawn from seed + 4, alpha in [-1, 1] at
               41 points; per alpha the mean and sample standard deviation
               over the directions of L(theta* + alpha d) - L(theta*)
               (full training loss). Filter normalisation puts every
               architecture's slices on a common, scale-free alpha axis.
   --quick: 3 architectures (h16-tanh, h64x2-tanh, h64x2-relu), 5 epochs,
   report budget 1000 (the report scales its sample counts down to fit),
   4 slice directions: a smoke test, not a result.

   usage: arch_compare [--seed N] [--out DIR] [--quick] [path/to/digits.csv]
   (seed default 42; out default "."; the data path defaults to the one
   compiled in with -DDIGITS_CSV, else data/digits.csv from the repository
   root; LLP_SOURCE_ROOT=<repo> also finds it)

   Outputs (in DIR):
     arch_compare_table.dat        one row per architecture: label, depth,
                                   width, parameters, train loss and accuracy,
                                   test loss, accuracy and its binomial s.e.,
                                   then value and standard error of 32 report
                                   metrics by llp_report_metrics key (column
                                   names in the header; nan: none, or a key
                                   this build of the library does not report)
     arch_compare_slices.dat       alpha, then per architecture the mean and
                                   standard deviation of the loss rise
     arch_compare_<label>.txt      the report of each architecture (text and
     arch_compare_<label>.json     JSON, llp_report_write_text / _json)
   and on stdout (aligned Markdown): the training outcome with the slice
   metrics; curvature, sharpness, basin width, walk and gradient metrics;
   the Spearman rank correlation over the architectures of each of those
   metrics with the test loss and the test accuracy (computed for every
   printed metric, none picked); the mean slices at a few alphas. CPU times
   go to stderr only. Same seed, same bytes in every output file and on
   stdout. plots/arch_compare.gp draws arch_compare.png.

   Reading the numbers: every metric is taken at one trained point per
   architecture, on the training loss; lambda_max, trace, plain sharpness,
   PAC-Bayes sigma*, basin width and the walk statistics are in parameter
   units and change under reparametrisation (ReLU rescaling, and simply a
   different parameter count: basin width along unit directions grows like
   sqrt(n / trace)); only the adaptive sharpness is rescaling-invariant (for
   ReLU). Cross-entropy curvature also shrinks as the training loss falls,
   and the architectures end at different training losses. With 359 test
   samples a test accuracy carries a binomial s.e. of about 0.009, larger
   than most differences between the architectures here.

   Run time at the default settings: 94 to 99 s of CPU (1 min 45 s to 2 min
   40 s wall on a busy shared 2-core machine, -O2); the reports dominate (the
   19k-parameter h256-tanh alone about 20 s), training takes under 0.5 s per
   architecture. --quick: 9 to 10 s (20 s under ASan/UBSan). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"
#define EXC_PROG "arch_compare"
#include "ex_common.h"

#ifndef DIGITS_CSV /* meson compiles in the absolute path; by hand, run from the repository root */
#define DIGITS_CSV "data/digits.csv"
#endif

#define LR 1e-3
#define BATCH 32
#define EPOCHS 30
#define BUDGET 8000.0
#define N_DIRS 8        /* slice directions */
#define N_ALPHA 41      /* slice points over [-1, 1] (odd: alpha = 0 is a grid point) */
#define QUICK_EPOCHS 5
#define QUICK_BUDGET 1000.0
#define QUICK_DIRS 4

typedef struct arch {
    const char *label;
    int depth, width;
    llp_act act;
} arch;

static const arch ARCHS[] = {
    {"h16-tanh", 1, 16, LLP_ACT_TANH},    {"h64-tanh", 1, 64, LLP_ACT_TANH},     {"h256-tanh", 1, 256, LLP_ACT_TANH},
    {"h64x2-tanh", 2, 64, LLP_ACT_TANH},  {"h64x3-tanh", 3, 64, LLP_ACT_TANH},   {"h64x2-relu", 2, 64, LLP_ACT_RELU},
    {"h64x2-gelu", 2, 64, LLP_ACT_GELU},  {"h64x2-sigmoid", 2, 64, LLP_ACT_SIGMOID}};
#define N_ARCHS (sizeof ARCHS / sizeof ARCHS[0])
static const int QUICK_SET[] = {0, 3, 5};
#define N_QUICK (sizeof QUICK_SET / sizeof QUICK_SET[0])

/* The report metrics kept in the table, by JSON key (llp_report_metrics). */
static const char *const KEYS[] = {
    "slice_roughness",   "slice_roughness_q",     "surface_roughness_q", "slice_tv",       "slice_minima",
    "slice_convexity",   "surface_roughness",     "surface_minima",      "surface_convexity", "fla_rho1",
    "fla_corr_len",      "fla_fem_small",         "keskar",              "sharp_random",   "sharp_random_adaptive",
    "sharp_adaptive_max", "pacbayes_sigma",       "pacbayes_censored",   "lambda_max",     "lambda_min",
    "neg_over_max",      "trace",                 "neg_ratio",           "eta_lambda_max", "b_simple",
    "grad_cosine",       "grad_norm",             "lr_max_stable",       "basin_width",    "basin_censored",
    "input_grad_l1",     "pgd_acc_drop"};
#define N_KEYS (sizeof KEYS / sizeof KEYS[0])
#define N_LEAD 8 /* depth width params train_loss train_acc test_loss test_acc test_acc_se */
#define N_NUM (N_LEAD + 2 * N_KEYS)

static double now(void) { return (double)clock() / CLOCKS_PER_SEC; }

/* A number for the table file: %.10g, NaN as "nan" (printf may write -nan). */
static void put_num(FILE *fp, double v) {
    if (v != v) fputs(" nan", fp);
    else if (v > 0 && isinf(v)) fputs(" inf", fp);
    else if (v < 0 && isinf(v)) fputs(" -inf", fp);
    else fprintf(fp, " %.10g", v);
}

/* The table file: header comments, column line, one row per architecture;
   written to path.tmp and renamed. */
static int write_table(const char *path, const char *header, const char *const *labels, const double *rows,
                       size_t n_rows) {
    char tmp[4200];
    FILE *fp;
    const char *h = header;
    size_t i, j;
    int bad;
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        fprintf(stderr, "arch_compare: output path too long\n");
        return 2;
    }
    fp = fopen(tmp, "w");
    if (!fp) {
        fprintf(stderr, "arch_compare: cannot write %s\n", tmp);
        return 2;
    }
    while (*h) { /* one "# " per header line */
        const char *e = strchr(h, '\n');
        size_t len = e ? (size_t)(e - h) : strlen(h);
        fprintf(fp, "# %.*s\n", (int)len, h);
        h += len + (e ? 1 : 0);
    }
    fputs("# label depth width params train_loss train_acc test_loss test_acc test_acc_se", fp);
    for (j = 0; j < N_KEYS; j++) fprintf(fp, " %s %s_se", KEYS[j], KEYS[j]);
    fputc('\n', fp);
    for (i = 0; i < n_rows; i++) {
        fputs(labels[i], fp);
        for (j = 0; j < N_NUM; j++) put_num(fp, rows[i * N_NUM + j]);
        fputc('\n', fp);
    }
    bad = ferror(fp);
    if (fclose(fp) != 0 || bad || rename(tmp, path) != 0) {
        fprintf(stderr, "arch_compare: cannot write %s\n", path);
        remove(tmp);
        return 2;
    }
    return 0;
}

/* Markdown cell: value (3 significant digits), with " ± se" when se is a number. */
static void cell(char *buf, size_t len, double v, double se) {
    if (v != v) snprintf(buf, len, "n/a");
    else if (se == se) snprintf(buf, len, "%.3g ± %.2g", v, se);
    else snprintf(buf, len, "%.3g", v);
}

#define MD_COLS 12 /* at most 1 + 11 columns in a printed table */
#define MD_CELL 40

/* One Markdown table with every column padded to its widest cell. cells:
   (rows + 1) x cols strings of MD_CELL bytes, row 0 the heading. */
static void print_markdown(char (*cells)[MD_CELL], size_t rows, size_t cols) {
    size_t w[MD_COLS], i, j;
    for (j = 0; j < cols; j++) w[j] = 3;
    for (i = 0; i <= rows; i++)
        for (j = 0; j < cols; j++) {
            /* count UTF-8 code points, not bytes, so "±" pads as one column */
            const unsigned char *s = (const unsigned char *)cells[i * cols + j];
            size_t k = 0;
            for (; *s; s++) k += (*s & 0xC0) != 0x80;
            if (k > w[j]) w[j] = k;
        }
    for (i = 0; i <= rows; i++) {
        for (j = 0; j < cols; j++) {
            const unsigned char *s = (const unsigned char *)cells[i * cols + j];
            size_t k = 0;
            for (; *s; s++) k += (*s & 0xC0) != 0x80;
            printf("| %s%*s ", cells[i * cols + j], (int)(w[j] - k), "");
        }
        printf("|\n");
        if (i == 0) {
            for (j = 0; j < cols; j++) {
                size_t k;
                printf("|%s", j == 0 ? " :" : " ");
                for (k = j == 0 ? 1 : 0; k < w[j] - (j == 0 ? 0 : 1); k++) putchar('-');
                printf("%s", j == 0 ? " " : ": ");
            }
            printf("|\n");
        }
    }
}

/* The columns printed on stdout: a key of KEYS, or ".<n>" for the leading
   column n (then se_col, -1 for none); fmt NULL prints value +- s.e. */
typedef struct shown {
    const char *head, *key;
    int se_col;
    const char *fmt;
} shown;
static const shown SHOWN_A[] = {{"params", ".2", -1, "%.0f"},
                                {"train loss", ".3", -1, "%.4f"},
                                {"test loss", ".5", -1, "%.4f"},
                                {"test acc", ".6", 7, NULL},
                                {"slice roughness", "slice_roughness", 0, NULL},
                                {"roughness (local quadratic)", "slice_roughness_q", 0, NULL},
                                {"minima / slice", "slice_minima", 0, NULL},
                                {"convexity", "slice_convexity", 0, NULL}};
static const shown SHOWN_B[] = {{"λmax", "lambda_max", 0, NULL},
                                {"\\|λmin\\|/λmax", "neg_over_max", 0, NULL},
                                {"trace", "trace", 0, NULL},
                                {"adaptive sharpness", "sharp_random_adaptive", 0, NULL},
                                {"PAC-Bayes σ*", "pacbayes_sigma", 0, NULL},
                                {"basin width", "basin_width", 0, NULL},
                                {"walk ρ(1)", "fla_rho1", 0, NULL},
                                {"B_simple", "b_simple", 0, NULL},
                                {"grad cosine", "grad_cosine", 0, NULL}};
#define N_SHOWN_A (sizeof SHOWN_A / sizeof SHOWN_A[0])
#define N_SHOWN_B (sizeof SHOWN_B / sizeof SHOWN_B[0])

/* The row column of a shown key. */
static int col_of(const char *key) {
    size_t q;
    if (key[0] == '.') return atoi(key + 1);
    for (q = 0; q < N_KEYS; q++)
        if (strcmp(KEYS[q], key) == 0) return (int)(N_LEAD + 2 * q);
    return -1;
}

/* Ranks 1..n of x (ties: the mean of their ranks), into r. */
static void ranks(const double *x, double *r, size_t n) {
    size_t i, j;
    for (i = 0; i < n; i++) {
        double below = 0, equal = 0;
        for (j = 0; j < n; j++) {
            below += x[j] < x[i];
            equal += x[j] == x[i];
        }
        r[i] = below + (equal + 1) / 2;
    }
}

/* Spearman's rank correlation of x and y (n points; NaN when a rank vector
   is constant or a value is NaN; n <= N_ARCHS). scratch: (n). */
static double spearman(const double *x, const double *y, double *scratch, size_t n) {
    double *rx = scratch, ry[N_ARCHS], mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
    size_t i;
    for (i = 0; i < n; i++)
        if (x[i] != x[i] || y[i] != y[i]) return NAN;
    ranks(x, rx, n);
    ranks(y, ry, n);
    for (i = 0; i < n; i++) mx += rx[i] / (double)n, my += ry[i] / (double)n;
    for (i = 0; i < n; i++) {
        sxy += (rx[i] - mx) * (ry[i] - my);
        sxx += (rx[i] - mx) * (rx[i] - mx);
        syy += (ry[i] - my) * (ry[i] - my);
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}

int main(int argc, char **argv) {
    const char *path = NULL, *outdir = ".", *base, *what;
    char buf[4096], file[4200], header[4096];
    unsigned long seed = 42;
    int quick = 0, k, rc;
    size_t n_arch, n_dirs, a, i, j;
    int arch_idx[N_ARCHS];
    const char *labels[N_ARCHS];
    double *rows, *slices, budget, t_all = now();
    size_t epochs;
    llp_data all, tr, te;
    llp_error err;
    llp_rng rng;
    llp_real mean[64], sd[64];
    llp_result r;
    FILE *probe;

    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--seed") == 0) {
            char *end;
            if (k + 1 >= argc) {
                fprintf(stderr, "arch_compare: --seed needs a value\n");
                return 2;
            }
            seed = strtoul(argv[++k], &end, 10);
            if (!*argv[k] || *end || argv[k][0] == '-') {
                fprintf(stderr, "arch_compare: --seed wants a non-negative integer, not '%s'\n", argv[k]);
                return 2;
            }
        } else if (strcmp(argv[k], "--out") == 0) {
            if (k + 1 >= argc) {
                fprintf(stderr, "arch_compare: --out needs a directory\n");
                return 2;
            }
            outdir = argv[++k];
            if (strlen(outdir) > 3000) {
                fprintf(stderr, "arch_compare: --out directory name too long\n");
                return 2;
            }
        } else if (strcmp(argv[k], "--quick") == 0) {
            quick = 1;
        } else if (argv[k][0] != '-' && !path) {
            path = argv[k];
        } else {
            fprintf(stderr, "arch_compare: unknown argument '%s' (usage: arch_compare [--seed N] [--out DIR] "
                            "[--quick] [path/to/digits.csv])\n", argv[k]);
            return 2;
        }
    }
    path = exc_locate(path, "data/digits.csv", DIGITS_CSV, buf, sizeof buf);
    /* the file name alone goes into the headers: the same bytes wherever the data lives */
    base = exc_basename(path);
    /* fail now, not after minutes of work, when DIR cannot be written */
    snprintf(file, sizeof file, "%s/arch_compare_table.dat.tmp", outdir);
    probe = fopen(file, "w");
    if (!probe) {
        fprintf(stderr, "arch_compare: cannot write into the output directory '%s'\n", outdir);
        return 2;
    }
    fclose(probe);
    remove(file);

    n_arch = quick ? N_QUICK : N_ARCHS;
    for (a = 0; a < n_arch; a++) arch_idx[a] = quick ? QUICK_SET[a] : (int)a;
    epochs = quick ? QUICK_EPOCHS : EPOCHS;
    budget = quick ? QUICK_BUDGET : BUDGET;
    n_dirs = quick ? QUICK_DIRS : N_DIRS;

    if (exc_load_csv(&all, path, NULL)) return 2;
    if (all.d != 64 || all.task != LLP_TASK_CLASSIFICATION || all.n_classes != 10) {
        fprintf(stderr, "arch_compare: %s is not the digits data (64 pixel features, 10 classes)\n", path);
        return 2;
    }
    llp_rng_seed(&rng, seed);
    if ((r = exc_split_standardize(&all, 0, 0.2, &rng, &tr, &te, mean, sd, &what)) != LLP_OK) return fail(what, r);
    printf("arch_compare: %s, %lu training / %lu test samples (seed %lu); Adam %g, batch %d, %lu epochs; report "
           "budget %g, %lu slice directions%s\n\n",
           base, (unsigned long)tr.n, (unsigned long)te.n, seed, LR, BATCH, (unsigned long)epochs, budget,
           (unsigned long)n_dirs, quick ? " (--quick)" : "");

    rows = (double *)calloc(n_arch * N_NUM, sizeof *rows);
    slices = (double *)calloc(N_ALPHA * (1 + 2 * n_arch), sizeof *slices);
    if (!rows || !slices) return fail("allocating the tables", LLP_ERR_NOMEM);

    for (a = 0; a < n_arch; a++) {
        const arch *A = &ARCHS[arch_idx[a]];
        llp_mlp_desc md;
        llp_mlp mlp;
        llp_mlp_objective mo_tr, mo_te;
        llp_objective f_tr, f_te;
        llp_train_desc td;
        llp_opt_desc od;
        llp_trainer t;
        llp_report_desc rd;
        llp_report rep;
        llp_report_metric met[LLP_REPORT_MAX_METRICS];
        llp_rng rng_i, rng_d;
        llp_real loss, *d;
        llp_slice sl[N_DIRS];
        double acc, *row = rows + a * N_NUM, t0 = now(), t1, t2;
        size_t n, m;

        labels[a] = A->label;
        memset(&md, 0, sizeof md);
        md.n_layers = A->depth + 1;
        md.sizes[0] = 64;
        for (k = 1; k <= A->depth; k++) md.sizes[k] = A->width;
        md.sizes[A->depth + 1] = 10;
        md.act = A->act;
        md.loss = LLP_LOSS_SOFTMAX_CE;
        if ((r = exc_mlp_setup(&md, &mlp, &tr, &te, &mo_tr, &mo_te, &f_tr, &f_te, &what)) != LLP_OK)
            return fail(what, r);
        n = mlp.n_params;

        /* ---- training ---- */
        llp_rng_seed(&rng_i, seed + 1);
        llp_mlp_randomize(&mlp, mlp.theta, &rng_i);
        memset(&td, 0, sizeof td);
        td.epochs = epochs, td.batch_size = BATCH, td.seed = seed + 2;
        memset(&od, 0, sizeof od);
        od.kind = LLP_OPT_ADAM, od.lr = LR;
        if ((r = llp_trainer_init(&t, &td, &f_tr, NULL, &od, mlp.theta)) != LLP_OK)
            return fail("llp_trainer_init", r);
        if ((r = llp_trainer_run(&t)) != LLP_OK) {
            fprintf(stderr, "arch_compare: training %s: %s\n", A->label, llp_result_string(r));
            return 2;
        }
        llp_trainer_free(&t);
        row[0] = A->depth, row[1] = A->width, row[2] = (double)n;
        if ((r = llp_objective_loss(&f_tr, mlp.theta, NULL, &loss)) != LLP_OK) return fail("training loss", r);
        row[3] = loss;
        if ((r = f_tr.accuracy(f_tr.ctx, mlp.theta, NULL, &acc)) != LLP_OK) return fail("training accuracy", r);
        row[4] = acc;
        if ((r = llp_objective_loss(&f_te, mlp.theta, NULL, &loss)) != LLP_OK) return fail("test loss", r);
        row[5] = loss;
        if ((r = f_te.accuracy(f_te.ctx, mlp.theta, NULL, &acc)) != LLP_OK) return fail("test accuracy", r);
        row[6] = acc;
        row[7] = sqrt(acc * (1 - acc) / (double)te.n); /* binomial s.e. over the test samples */
        t1 = now();

        /* ---- the report at theta* ---- */
        memset(&rd, 0, sizeof rd);
        rd.budget = budget, rd.lr = LR, rd.batch_size = BATCH, rd.seed = seed + 3;
        rd.mlp = &mlp, rd.data = &tr, rd.opt = &od;
        if ((r = llp_report_run(&f_tr, NULL, mlp.theta, &rd, &rep)) != LLP_OK) return fail("llp_report_run", r);
        snprintf(file, sizeof file, "%s/arch_compare_%s.txt", outdir, A->label);
        if (llp_report_write_text(&rep, file, &err) != LLP_OK) return fail_err(&err);
        snprintf(file, sizeof file, "%s/arch_compare_%s.json", outdir, A->label);
        if (llp_report_write_json(&rep, file, &err) != LLP_OK) return fail_err(&err);
        m = llp_report_metrics(&rep, met, LLP_REPORT_MAX_METRICS);
        for (j = 0; j < N_KEYS; j++) {
            row[N_LEAD + 2 * j] = row[N_LEAD + 2 * j + 1] = NAN;
            for (i = 0; i < m; i++)
                if (strcmp(met[i].key, KEYS[j]) == 0) {
                    row[N_LEAD + 2 * j] = met[i].value;
                    row[N_LEAD + 2 * j + 1] = met[i].se;
                }
        }
        t2 = now();
        fprintf(stderr, "arch_compare: %-14s %6lu parameters: training %.1f s, report %.1f s (cost %.0f of %.0f)",
                A->label, (unsigned long)n, t1 - t0, t2 - t1, rep.cost, rep.budget);
        llp_report_free(&rep);

        /* ---- 1-D slices on the common alpha axis ---- */
        d = (llp_real *)malloc(n * sizeof *d);
        if (!d) return fail("allocating a direction", LLP_ERR_NOMEM);
        llp_rng_seed(&rng_d, seed + 4);
        for (i = 0; i < n_dirs; i++) {
            if ((r = llp_direction_random(&mlp, mlp.theta, n, LLP_DIR_GAUSSIAN, LLP_DIR_NORM_FILTER,
                                          LLP_DIR_BIAS_ZERO, &rng_d, d)) != LLP_OK)
                return fail("llp_direction_random", r);
            if ((r = llp_slice_line(&f_tr, NULL, mlp.theta, d, -1, 1, N_ALPHA, &sl[i])) != LLP_OK)
                return fail("llp_slice_line", r);
        }
        for (j = 0; j < N_ALPHA; j++) {
            double s = 0, s2 = 0;
            for (i = 0; i < n_dirs; i++) s += sl[i].train_loss[j] - sl[i].train_loss[sl[i].zero_index];
            s /= (double)n_dirs;
            for (i = 0; i < n_dirs; i++) {
                double v = sl[i].train_loss[j] - sl[i].train_loss[sl[i].zero_index] - s;
                s2 += v * v;
            }
            slices[j * (1 + 2 * n_arch)] = sl[0].alpha[j];
            slices[j * (1 + 2 * n_arch) + 1 + 2 * a] = s;
            slices[j * (1 + 2 * n_arch) + 2 + 2 * a] = sqrt(s2 / (double)(n_dirs - 1));
        }
        for (i = 0; i < n_dirs; i++) llp_slice_free(&sl[i]);
        free(d);
        fprintf(stderr, ", slices %.1f s\n", now() - t2);
        llp_mlp_objective_free(&mo_tr);
        llp_mlp_objective_free(&mo_te);
        llp_mlp_free(&mlp);
    }

    /* ---- files ---- */
    snprintf(header, sizeof header,
             "arch_compare: MLP architectures on the same data, trained the same way, and the ruggedness report "
             "(llp_report_run) of each at its trained parameters theta*, seed %lu%s\n"
             "data: %.200s (%lu samples, 64 pixels, 10 classes), split 80/20 with seed %lu into %lu training and "
             "%lu test samples, standardised with the training statistics; softmax cross-entropy\n"
             "models: 64-[hidden]-10, label hW = one hidden layer of W units, hWxL = L layers; default "
             "initialisation (He for relu/gelu, Glorot otherwise) from seed %lu\n"
             "training: Adam lr %g, mini-batches of %d, %lu epochs, shuffling seed %lu (the same for all)\n"
             "report: full training objective, default panels (all but multi-start), lr %g, batch_size %d, "
             "Adam range test, budget %g, seed %lu; metrics by llp_report_metrics key, value then standard error "
             "(nan: none); train/test loss and accuracy over the full splits",
             seed, quick ? " (--quick: a smoke test, not a result)" : "", base, (unsigned long)all.n, seed,
             (unsigned long)tr.n, (unsigned long)te.n, seed + 1, LR, BATCH, (unsigned long)epochs, seed + 2, LR,
             BATCH, budget, seed + 3);
    snprintf(file, sizeof file, "%s/arch_compare_table.dat", outdir);
    if ((rc = write_table(file, header, labels, rows, n_arch)) != 0) return rc;
    {
        char **cols = (char **)malloc((1 + 2 * n_arch) * sizeof *cols);
        char *names = (char *)malloc((1 + 2 * n_arch) * 64);
        if (!cols || !names) return fail("allocating column names", LLP_ERR_NOMEM);
        for (j = 0; j < 1 + 2 * n_arch; j++) {
            cols[j] = names + 64 * j;
            if (j == 0) snprintf(cols[j], 64, "alpha");
            else snprintf(cols[j], 64, "%s_%s", labels[(j - 1) / 2], (j - 1) % 2 ? "sd" : "mean");
        }
        snprintf(header, sizeof header,
                 "arch_compare: loss rise L(theta* + alpha d) - L(theta*) (full training loss) along %lu Gaussian "
                 "filter-normalised random directions d (each neuron's incoming weight row scaled to the norm of "
                 "theta*'s row, biases zeroed), directions from seed %lu, at each architecture's trained theta*; "
                 "per architecture the mean and sample standard deviation over the directions\n"
                 "settings as arch_compare_table.dat (seed %lu%s)",
                 (unsigned long)n_dirs, seed + 4, seed, quick ? ", --quick" : "");
        snprintf(file, sizeof file, "%s/arch_compare_slices.dat", outdir);
        if (llp_write_table(file, header, (const char *const *)cols, slices, N_ALPHA, 1 + 2 * n_arch, 0, 0, &err) !=
            LLP_OK)
            return fail_err(&err);
        free(cols);
        free(names);
    }

    /* ---- stdout: Markdown tables ---- */
    {
        size_t n_cells = (n_arch + 1) * MD_COLS > 3 * (N_SHOWN_A + N_SHOWN_B + 1) ? (n_arch + 1) * MD_COLS
                                                                                  : 3 * (N_SHOWN_A + N_SHOWN_B + 1);
        char(*cells)[MD_CELL] = (char(*)[MD_CELL])malloc(n_cells * MD_CELL);
        double *x = (double *)malloc(3 * n_arch * sizeof *x), *rx = x + n_arch, *ry = x + 2 * n_arch;
        size_t t, c;
        if (!cells || !x) return fail("allocating the printed tables", LLP_ERR_NOMEM);
        for (t = 0; t < 2; t++) {
            const shown *list = t == 0 ? SHOWN_A : SHOWN_B;
            size_t cols = 1 + (t == 0 ? N_SHOWN_A : N_SHOWN_B);
            printf(t == 0 ? "training outcome and random 1-D slices (mean +- s.e. over the slices):\n\n"
                          : "\ncurvature, sharpness, basin, random walks, gradients (value +- s.e. where the "
                            "estimate has one):\n\n");
            snprintf(cells[0], MD_CELL, "architecture");
            for (c = 1; c < cols; c++) snprintf(cells[c], MD_CELL, "%s", list[c - 1].head);
            for (a = 0; a < n_arch; a++) {
                const double *row = rows + a * N_NUM;
                snprintf(cells[(a + 1) * cols], MD_CELL, "%s", labels[a]);
                for (c = 1; c < cols; c++) {
                    const shown *sh = &list[c - 1];
                    int vc = col_of(sh->key), sc = sh->key[0] == '.' ? sh->se_col : vc + 1;
                    char *out = cells[(a + 1) * cols + c];
                    if (sh->fmt) snprintf(out, MD_CELL, sh->fmt, row[vc]);
                    else cell(out, MD_CELL, row[vc], sc >= 0 ? row[sc] : NAN);
                }
            }
            print_markdown(cells, n_arch, cols);
        }
        /* Spearman rank correlation over the architectures of each metric
           with the test loss and the test accuracy */
        printf("\nSpearman rank correlation over the %lu architectures (ties: mean ranks) of each metric with "
               "the test loss and the test accuracy%s:\n\n",
               (unsigned long)n_arch, n_arch == 8 ? " (|r| > 0.74 for p < 0.05, two-sided, at 8 points)" : "");
        snprintf(cells[0], MD_CELL, "metric");
        snprintf(cells[1], MD_CELL, "r with test loss");
        snprintf(cells[2], MD_CELL, "r with test acc");
        c = 0;
        for (t = 0; t < 2; t++) {
            const shown *list = t == 0 ? SHOWN_A : SHOWN_B;
            size_t cnt = t == 0 ? N_SHOWN_A : N_SHOWN_B, q;
            for (q = 0; q < cnt; q++) {
                int vc = col_of(list[q].key), k2;
                if (vc == 5 || vc == 6) continue; /* the test numbers themselves */
                for (a = 0; a < n_arch; a++) x[a] = rows[a * N_NUM + vc];
                c++;
                snprintf(cells[3 * c], MD_CELL, "%s", list[q].head);
                for (k2 = 0; k2 < 2; k2++) {
                    for (a = 0; a < n_arch; a++) ry[a] = rows[a * N_NUM + (k2 ? 6 : 5)];
                    double rho = spearman(x, ry, rx, n_arch);
                    if (rho == rho) snprintf(cells[3 * c + 1 + (size_t)k2], MD_CELL, "%+.2f", rho);
                    else snprintf(cells[3 * c + 1 + (size_t)k2], MD_CELL, "n/a (constant)");
                }
            }
        }
        print_markdown(cells, c, 3);
        free(cells);
        free(x);
    }
    {
        /* the slices at a few alphas: mean loss rise over the directions */
        static const double show[] = {-1, -0.5, -0.25, -0.1, 0.1, 0.25, 0.5, 1};
        char(*cells)[MD_CELL] = (char(*)[MD_CELL])malloc((n_arch + 1) * 9 * MD_CELL);
        if (!cells) return fail("allocating the printed table", LLP_ERR_NOMEM);
        printf("\nmean loss rise L(theta* + alpha d) - L(theta*) over %lu filter-normalised directions:\n\n",
               (unsigned long)n_dirs);
        snprintf(cells[0], MD_CELL, "architecture");
        for (j = 0; j < 8; j++) snprintf(cells[1 + j], MD_CELL, "α = %g", show[j]);
        for (a = 0; a < n_arch; a++) {
            snprintf(cells[(a + 1) * 9], MD_CELL, "%s", labels[a]);
            for (j = 0; j < 8; j++) {
                size_t q = (size_t)floor((show[j] + 1) / 2 * (N_ALPHA - 1) + 0.5);
                snprintf(cells[(a + 1) * 9 + 1 + j], MD_CELL, "%.3g", slices[q * (1 + 2 * n_arch) + 1 + 2 * a]);
            }
        }
        print_markdown(cells, n_arch, 9);
        free(cells);
    }
    fprintf(stderr, "arch_compare: total %.1f s (CPU)\n", now() - t_all);
    free(rows);
    free(slices);
    llp_data_free(&all);
    llp_data_free(&tr);
    llp_data_free(&te);
    return 0;
}
