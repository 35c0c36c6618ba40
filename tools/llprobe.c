/* llprobe.c — the llprobe command-line program: probe the loss landscape of a
   small MLP on a data set, from one command.

     llprobe report            (no arguments: the shipped digits data)

   trains a 64-32-10 tanh MLP on the digits data (80/20 seeded split,
   features standardised with the training statistics, Adam 2e-3,
   mini-batches of 32, 30 epochs, a trajectory snapshot every 1/60 of the
   run), saves it (model.llpm), then measures at the trained point theta*:
     - the ruggedness report (llp_report_run: every panel the inputs allow,
       multi-start only at --budget full), written as report.txt (the table
       and its plain-language reading) and report.json;
     - the Hessian spectrum on the full training split: the 5 largest and 5
       smallest eigenvalues by Lanczos and the spectral density by
       stochastic Lanczos quadrature (SLQ);
     - 1-D slices along filter-normalised Gaussian random directions
       (Li et al. 2018), alpha in [-1, 1];
     - a 2-D surface on the plane of two filter-normalised random directions
       (the second orthogonalised to the first), [-1, 1]^2;
     - the plane of the first two principal components of the training
       trajectory (rows theta_i - theta*, not centred), the loss on it and the
       path projected on it;
     - the training monitor (loss and accuracy per epoch).
   Every table is a gnuplot data file (*.dat) with a self-describing header,
   every figure has its own script (*.gp, self-contained: `cd DIR && gnuplot
   x.gp` renders x.png), rendered at once when gnuplot is on the PATH.

   Why these settings: the model, optimizer, batch size, 30 epochs, slice
   and surface sizes are those of the examples (examples/landscape_slices.c,
   landscape_surface.c, rugged_report.c), so the numbers can be compared with
   theirs. --budget scales every probe's size (table below); the levels were
   chosen for run time only (quick: seconds, for tests; default: the
   examples' sizes; full: larger grids and spectra plus multi-start), before
   looking at any result:

                      quick     default    full
     epochs (train)   3         30         50
     report budget    800       20000      40000   gradient evaluations (a cap:
                                                   the default plan is ~2800)
     slices           3 x 21    10 x 51    20 x 51  directions x points
     surface          11 x 11   51 x 51    81 x 81
     PCA surface      11 x 11   41 x 41    61 x 61
     Lanczos steps    20        100        200      (5 largest, 5 smallest)
     SLQ              2 x 20    10 x 80    20 x 100 runs x steps
     lr-find steps    30        100        200
     snoop steps      10        50         100

   Subcommands: report, train, surface, spectrum, lr-find, snoop (see
   `llprobe --help` and `llprobe <subcommand> --help`). Bad use (unknown
   option, bad number, unreadable or malformed data, shapes that do not fit)
   prints one line `llprobe: <what>` and the usage line on stderr and exits
   with status 2 before anything is written. The output directory holds a
   run.txt with the canonical settings line; it is reused only by a run with
   the same settings (or --force). Same settings and seed: byte-identical
   report.json and .dat files (no timings in any file).

   Run time of `llprobe report` on digits (-O2, 2 shared cores, gnuplot
   rendering included): default about 7-12 s, --budget quick about 2 s,
   --budget full about 20 s.

   Build: gcc -std=c99 -O2 -I. tools/llprobe.c -o llprobe -lm
   (Meson passes -DLLPROBE_DATA_DIR="<source>/data".) */
#if defined(__unix__) || defined(__APPLE__)
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#endif

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__unix__) || defined(__APPLE__)
#include <dirent.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#define LLPROBE_CLI_POSIX 1
#else
#define LLPROBE_CLI_POSIX 0
#endif

#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define STR_(x) #x
#define STR(x) STR_(x)
#define VERSION_TEXT STR(LLPROBE_VERSION_MAJOR) "." STR(LLPROBE_VERSION_MINOR) "." STR(LLPROBE_VERSION_PATCH)
#define USAGE_LINE "usage: llprobe <subcommand> [options]; llprobe --help"
#define PATHMAX 4096

/* ------------------------------------------------------------------------
   Settings
   ------------------------------------------------------------------------ */

enum { CMD_NONE = 0, CMD_REPORT, CMD_TRAIN, CMD_SURFACE, CMD_SPECTRUM, CMD_LRFIND, CMD_SNOOP };
static const char *const cmd_names[] = {"", "report", "train", "surface", "spectrum", "lr-find", "snoop"};

enum { BUDGET_QUICK = 0, BUDGET_DEFAULT = 1, BUDGET_FULL = 2 };
static const char *const budget_names[] = {"quick", "default", "full"};

/* Probe sizes per budget level (see the top comment). */
typedef struct budget_t {
    size_t epochs;
    double report;
    size_t slice_dirs, slice_pts;
    size_t grid, pca_grid;
    size_t lanczos_steps;
    size_t slq_runs, slq_steps;
    size_t lrfind_steps;
    size_t snoop_steps;
} budget_t;

static const budget_t budgets[3] = {
    {3, 800, 3, 21, 11, 11, 20, 2, 20, 30, 10},
    {30, 20000, 10, 51, 51, 41, 100, 10, 80, 100, 50},
    {50, 40000, 20, 51, 81, 61, 200, 20, 100, 200, 100},
};

typedef struct opts_t {
    int cmd;
    const char *data, *labels, *target, *model, *out;
    int task; /* LLP_TASK_* */
    int hidden[LLP_MAX_LAYERS];
    int n_hidden;
    llp_act act;
    llp_loss loss;
    int loss_set;
    llp_opt_kind opt;
    double lr, momentum, wd;
    int lr_set, momentum_set;
    long long epochs; /* -1: by budget */
    long long batch;  /* -1: default 32 */
    unsigned long long seed;
    long long steps;  /* snoop; -1: by budget */
    int threads;
    int budget;
    long long subset; /* 0: all */
    int quiet, force;
} opts_t;

static int g_quiet = 0;

/* ------------------------------------------------------------------------
   Messages and bad use
   ------------------------------------------------------------------------ */

static int usage_error(const char *fmt, ...) {
    va_list ap;
    char msg[1024];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "llprobe: %s\n%s\n", msg, USAGE_LINE);
    return 2;
}

static int runtime_error(const char *fmt, ...) {
    va_list ap;
    char msg[1024];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "llprobe: %s\n", msg);
    return 1;
}

static void note(const char *fmt, ...) {
    va_list ap;
    if (g_quiet) return;
    fprintf(stderr, "llprobe: note: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* An llp_error as one line: file:line:column: message (the parts that apply). */
static void format_err(char *buf, size_t len, const llp_error *e, llp_result r) {
    char where[512] = "";
    if (e->file[0]) {
        if (e->line > 0 && e->column > 0) snprintf(where, sizeof where, "%s:%ld:%ld: ", e->file, e->line, e->column);
        else if (e->line > 0) snprintf(where, sizeof where, "%s:%ld: ", e->file, e->line);
        else snprintf(where, sizeof where, "%s: ", e->file);
    }
    snprintf(buf, len, "%s%s", where, e->message[0] ? e->message : llp_result_string(r));
}

/* ------------------------------------------------------------------------
   Progress on stderr (terminal only)
   ------------------------------------------------------------------------ */

static int g_tty = 0;
static double g_t0 = 0, g_last = -1;
static char g_phase[64] = "";
static int g_shown = 0;

static double now_seconds(void) {
#if LLPROBE_CLI_POSIX && defined(CLOCK_MONOTONIC)
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0) return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
#endif
    return (double)time(NULL);
}

static void progress_begin(const char *phase) {
    snprintf(g_phase, sizeof g_phase, "%s", phase);
    g_t0 = now_seconds();
    g_last = -1;
    if (g_tty && !g_quiet) {
        fprintf(stderr, "\r\033[K%s ...", g_phase);
        fflush(stderr);
        g_shown = 1;
    }
}

static void progress(size_t done, size_t total) {
    double t, el, eta;
    if (!g_tty || g_quiet || total == 0) return;
    t = now_seconds();
    if (g_last >= 0 && t - g_last < 0.1 && done < total) return;
    g_last = t;
    el = t - g_t0;
    eta = done > 0 ? el * (double)(total - done) / (double)done : 0;
    if (done > 0)
        fprintf(stderr, "\r\033[K%s %lu/%lu  %.0f s, ETA %.0f s", g_phase, (unsigned long)done, (unsigned long)total,
                el, eta);
    else
        fprintf(stderr, "\r\033[K%s 0/%lu", g_phase, (unsigned long)total);
    fflush(stderr);
    g_shown = 1;
}

static void progress_end(void) {
    if (g_shown && g_tty && !g_quiet) {
        fprintf(stderr, "\r\033[K");
        fflush(stderr);
    }
    g_shown = 0;
}

/* llp_report_run's progress: the panel about to run, cost spent and planned. */
static void report_progress(void *ctx, const char *panel, double spent, double planned) {
    (void)ctx;
    if (panel) snprintf(g_phase, sizeof g_phase, "ruggedness report: %s", panel);
    progress((size_t)(spent + 0.5), (size_t)(planned + 0.5));
}

static int surface_progress(void *ctx, size_t done, size_t total) {
    (void)ctx;
    progress(done, total);
    return 0;
}

typedef struct train_progress_t {
    size_t total;
} train_progress_t;

static int train_on_step(void *ctx, const llp_trainer *tr, const llp_opt_info *info) {
    train_progress_t *p = (train_progress_t *)ctx;
    (void)info;
    progress((size_t)tr->step, p->total);
    return 0;
}

/* ------------------------------------------------------------------------
   Strict number parsing
   ------------------------------------------------------------------------ */

static int parse_double(const char *s, double *out) {
    char *end;
    double v;
    if (!s || !*s || isspace((unsigned char)*s)) return 0;
    errno = 0;
    v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !(v == v) || v > 1e308 || v < -1e308) return 0;
    *out = v;
    return 1;
}

/* Non-negative integer, decimal digits only. */
static int parse_uint(const char *s, unsigned long long *out) {
    const char *p;
    char *end;
    unsigned long long v;
    if (!s || !*s) return 0;
    for (p = s; *p; p++)
        if (!isdigit((unsigned char)*p)) return 0;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno == ERANGE || *end != '\0') return 0;
    *out = v;
    return 1;
}

/* ------------------------------------------------------------------------
   Help
   ------------------------------------------------------------------------ */

static const char help_common[] =
    "data (all subcommands):\n"
    "  --data FILE       CSV file (one sample per row, optional header, '#' comments)\n"
    "                    or IDX images with --labels (MNIST family; .gz is read\n"
    "                    directly). Default: the shipped digits data, looked for as\n"
    "                    data/digits.csv in the current directory, then next to the\n"
    "                    llprobe executable and in up to 4 of its parent directories\n"
    "                    (so build/tools/llprobe finds <repo>/data), then in the\n"
    "                    directory compiled in (LLPROBE_DATA_DIR)\n"
    "  --labels FILE     IDX label file for IDX images (its count must match)\n"
    "  --target COL      CSV target column: 1-based index, -k for the k-th from the\n"
    "                    end, or a header name (default: the last column)\n"
    "  --task T          classification | regression | auto (default auto: classification\n"
    "                    when every target is an integer in [0, 1000) with 2 to 100\n"
    "                    distinct values and at least one repeated; else regression)\n"
    "  --subset N        use the first N samples after a seeded shuffle (e.g. --subset\n"
    "                    2000 for Fashion-MNIST's 60000)\n"
    "  The data is split 80/20 (seeded) into training and validation samples and the\n"
    "  features standardised with the training statistics (regression targets too).\n"
    "model:\n"
    "  --hidden W[,W...] hidden layer widths (default 32: a d-32-out MLP)\n"
    "  --act A           tanh | relu | leaky_relu | gelu | sigmoid | softplus | identity\n"
    "                    (default tanh)\n"
    "  --loss L          ce | mse | mae | bce (default ce for classification, mse for\n"
    "                    regression; mse/mae on classes are one-hot)\n"
    "  --model FILE      load a trained model (llp_mlp_save format, e.g. model.llpm of\n"
    "                    an earlier run) instead of training; it must fit the data.\n"
    "                    --hidden/--act/--loss are then taken from the file\n"
    "training:\n"
    "  --opt O           sgd | momentum | nesterov | adam | adamw | rmsprop (default adam)\n"
    "  --lr X            learning rate (default: adam/adamw 2e-3, rmsprop 1e-3, sgd 0.05,\n"
    "                    momentum/nesterov 0.01)\n"
    "  --momentum B      beta of momentum/nesterov, beta1 of adam/adamw (default 0.9)\n"
    "  --wd X            optimizer weight decay on the weights (decoupled for adamw;\n"
    "                    default 0)\n"
    "  --epochs N        training epochs (default by budget: quick 3, default 20, full 30)\n"
    "  --batch B         mini-batch size (default 32; 0: full batch)\n"
    "  --seed S          seed of the split, initialisation, shuffling and every probe\n"
    "                    (default 42)\n"
    "run:\n"
    "  --budget B        quick | default | full: scales every probe's size (and the\n"
    "                    default epochs); on digits: quick ~2 s, default ~10 s, full\n"
    "                    ~20 s (adds the multi-start panel to the report)\n"
    "  --out DIR         output directory (default llprobe-out). Created if missing. Its\n"
    "                    run.txt holds the run's canonical settings line (every option\n"
    "                    resolved, the data's fingerprint): an existing directory is\n"
    "                    reused only by a run with the same settings (files are then\n"
    "                    rewritten, an interrupted surface resumes); a different run, or\n"
    "                    a non-empty directory without run.txt, is refused unless --force\n"
    "  --force           reuse the output directory whatever it holds (files of an\n"
    "                    earlier run that this one does not write are left there)\n"
    "  --threads N       OpenMP threads for the dense products (only when built with\n"
    "                    OpenMP; otherwise accepted and ignored). Results do not depend\n"
    "                    on it, so it is not part of the settings line\n"
    "  --quiet           no progress or notes on stderr\n"
    "  --help, --version\n";

static const char *cmd_help(int cmd) {
    switch (cmd) {
    case CMD_REPORT:
        return "llprobe report: the whole picture of the landscape around a trained model.\n"
               "Trains (or loads --model), saves model.llpm, then writes into --out:\n"
               "  report.txt, report.json   the ruggedness report: slices, surfaces, random walks,\n"
               "                            sharpness, Hessian, gradient noise, learning-rate\n"
               "                            stability, basin width, input probes; the table and\n"
               "                            its plain-language reading\n"
               "  spectrum_density.dat, spectrum_eigs.dat, spectrum.gp   Hessian spectrum (SLQ\n"
               "                            density, Lanczos extremes)\n"
               "  slices.dat, slices.gp     loss along filter-normalised random directions\n"
               "  surface.dat, surface.gp   loss on a plane of two filter-normalised directions\n"
               "  pca_surface.dat, pca_path.dat, pca.gp   the training trajectory on the plane of\n"
               "                            its first two principal components (not with --model)\n"
               "  monitor.dat, monitor.gp   training and validation loss/accuracy per epoch\n"
               "  run.txt, model.llpm, and the .png figures when gnuplot is on the PATH\n"
               "Prints a summary (files, lambda_max, trace, roughness, the reading's first\n"
               "sentence) on stdout.\n";
    case CMD_TRAIN:
        return "llprobe train: train the MLP and save it.\n"
               "Writes model.llpm (llp_mlp_save), monitor.dat, monitor.gp (+ monitor.png) and\n"
               "run.txt; prints the final training/validation loss and accuracy.\n";
    case CMD_SURFACE:
        return "llprobe surface: the loss on a plane of two filter-normalised random\n"
               "directions through the model (trained first when no --model).\n"
               "Writes surface.dat (x y train_loss val_loss train_acc val_acc; resumable),\n"
               "surface.gp (+ surface.png, a contour map), model.llpm when trained, run.txt.\n";
    case CMD_SPECTRUM:
        return "llprobe spectrum: the Hessian spectrum of the training loss at the model\n"
               "(trained first when no --model): the 5 largest and 5 smallest eigenvalues by\n"
               "Lanczos, the spectral density by stochastic Lanczos quadrature.\n"
               "Writes spectrum_density.dat, spectrum_eigs.dat, spectrum.gp (+ spectrum.png),\n"
               "model.llpm when trained, run.txt.\n";
    case CMD_LRFIND:
        return "llprobe lr-find: the learning-rate range test (Smith 2017) from the\n"
               "initialisation (or --model): one optimizer step per rate, rates growing\n"
               "exponentially from 1e-6 to 10 on mini-batches of --batch.\n"
               "Writes lr_find.dat, lr_find.gp (+ lr_find.png), run.txt; prints the suggested,\n"
               "best and largest stable rates.\n";
    case CMD_SNOOP:
        return "llprobe snoop: K training steps from the initialisation (or --model), then the\n"
               "snoop features (loss drop, eta*lambda_max, edge ratio, gradient noise,\n"
               "sharpness, zero-cost proxies) on a probe batch.\n"
               "  --steps K         training steps before the probes (default by budget:\n"
               "                    quick 10, default 50, full 100)\n"
               "Prints the features as a table and writes snoop.json and run.txt.\n";
    }
    return "";
}

static void print_main_help(void) {
    printf("llprobe %s: loss-landscape probes for a small MLP on your data\n\n"
           "usage: llprobe <subcommand> [options]\n"
           "       llprobe <subcommand> --help\n"
           "       llprobe --help | --version\n\n"
           "subcommands:\n"
           "  report     train (or --model), then the ruggedness report, Hessian spectrum,\n"
           "             1-D slices, 2-D surface, PCA plane of the trajectory, monitor,\n"
           "             with figures; `llprobe report` alone runs on the digits data\n"
           "  train      train and save the model, the monitor and its figure\n"
           "  surface    2-D filter-normalised loss surface and its contour figure\n"
           "  spectrum   Hessian spectral density (SLQ) and extreme eigenvalues (Lanczos)\n"
           "  lr-find    learning-rate range test and its figure\n"
           "  snoop      a few training steps, then the snoop features (table and JSON)\n\n"
           "%s\n"
           "Exit status: 0 success, 1 a failure while running (e.g. training diverged),\n"
           "2 bad use (then nothing is written).\n",
           VERSION_TEXT, help_common);
}

static void print_cmd_help(int cmd) {
    printf("usage: llprobe %s [options]\n\n%s\n%s", cmd_names[cmd], cmd_help(cmd), help_common);
}

/* ------------------------------------------------------------------------
   Argument parsing
   ------------------------------------------------------------------------ */

static int parse_hidden(const char *s, opts_t *o) {
    const char *p = s;
    int n = 0;
    if (!*s) return 0;
    while (*p) {
        char buf[32];
        size_t len = strcspn(p, ",");
        unsigned long long v;
        if (len == 0 || len >= sizeof buf) return 0;
        memcpy(buf, p, len);
        buf[len] = 0;
        if (!parse_uint(buf, &v) || v < 1 || v > 100000) return 0;
        if (n >= LLP_MAX_LAYERS - 1) return -1;
        o->hidden[n++] = (int)v;
        p += len;
        if (*p == ',') {
            p++;
            if (!*p) return 0;
        }
    }
    o->n_hidden = n;
    return 1;
}

static int parse_act(const char *s, llp_act *a) {
    static const struct { const char *name; llp_act a; } t[] = {
        {"tanh", LLP_ACT_TANH}, {"relu", LLP_ACT_RELU},         {"leaky_relu", LLP_ACT_LEAKY_RELU},
        {"gelu", LLP_ACT_GELU}, {"sigmoid", LLP_ACT_SIGMOID},   {"softplus", LLP_ACT_SOFTPLUS},
        {"identity", LLP_ACT_IDENTITY}, {"linear", LLP_ACT_IDENTITY}};
    size_t i;
    for (i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(s, t[i].name) == 0) {
            *a = t[i].a;
            return 1;
        }
    return 0;
}

static int parse_loss(const char *s, llp_loss *l) {
    if (strcmp(s, "ce") == 0 || strcmp(s, "softmax_ce") == 0 || strcmp(s, "cross-entropy") == 0) *l = LLP_LOSS_SOFTMAX_CE;
    else if (strcmp(s, "mse") == 0) *l = LLP_LOSS_MSE;
    else if (strcmp(s, "mae") == 0) *l = LLP_LOSS_MAE;
    else if (strcmp(s, "bce") == 0) *l = LLP_LOSS_BCE;
    else return 0;
    return 1;
}

static int parse_opt(const char *s, llp_opt_kind *k) {
    static const struct { const char *name; llp_opt_kind k; } t[] = {
        {"sgd", LLP_OPT_SGD},   {"momentum", LLP_OPT_MOMENTUM}, {"nesterov", LLP_OPT_NESTEROV},
        {"adam", LLP_OPT_ADAM}, {"adamw", LLP_OPT_ADAMW},       {"rmsprop", LLP_OPT_RMSPROP}};
    size_t i;
    for (i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(s, t[i].name) == 0) {
            *k = t[i].k;
            return 1;
        }
    return 0;
}

static double default_lr(llp_opt_kind k) {
    switch (k) {
    case LLP_OPT_SGD: return 0.05;
    case LLP_OPT_MOMENTUM:
    case LLP_OPT_NESTEROV: return 0.01;
    case LLP_OPT_RMSPROP: return 1e-3;
    case LLP_OPT_ADAM:
    case LLP_OPT_ADAMW: return 2e-3;
    }
    return 1e-3;
}

/* Returns 0 to continue, 1 when help/version was printed (exit 0), 2 on bad use. */
static int parse_args(int argc, char **argv, opts_t *o) {
    int k;
    memset(o, 0, sizeof *o);
    o->task = LLP_TASK_AUTO;
    o->hidden[0] = 32;
    o->n_hidden = 1;
    o->act = LLP_ACT_TANH;
    o->opt = LLP_OPT_ADAM;
    o->epochs = -1;
    o->batch = -1;
    o->seed = 42;
    o->steps = -1;
    o->budget = BUDGET_DEFAULT;
    o->out = "llprobe-out";
    if (argc < 2) return usage_error("no subcommand (one of report, train, surface, spectrum, lr-find, snoop)");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_main_help();
        return 1;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("llprobe %s\n", VERSION_TEXT);
        return 1;
    }
    for (k = 1; k < 7; k++)
        if (strcmp(argv[1], cmd_names[k]) == 0) o->cmd = k;
    if (!o->cmd) {
        if (argv[1][0] == '-') return usage_error("expected a subcommand before the option '%s'", argv[1]);
        return usage_error("unknown subcommand '%s' (one of report, train, surface, spectrum, lr-find, snoop)",
                           argv[1]);
    }
    for (k = 2; k < argc; k++) {
        const char *a = argv[k], *v = NULL;
        unsigned long long u;
        double x;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_cmd_help(o->cmd);
            return 1;
        }
        if (strcmp(a, "--version") == 0) {
            printf("llprobe %s\n", VERSION_TEXT);
            return 1;
        }
        if (strcmp(a, "--quiet") == 0) {
            o->quiet = 1;
            continue;
        }
        if (strcmp(a, "--force") == 0) {
            o->force = 1;
            continue;
        }
        if (strncmp(a, "--", 2) != 0) return usage_error("unexpected argument '%s'", a);
        /* every other option takes a value */
        if (strcmp(a, "--data") && strcmp(a, "--labels") && strcmp(a, "--target") && strcmp(a, "--task") &&
            strcmp(a, "--hidden") && strcmp(a, "--act") && strcmp(a, "--loss") && strcmp(a, "--opt") &&
            strcmp(a, "--lr") && strcmp(a, "--momentum") && strcmp(a, "--wd") && strcmp(a, "--epochs") &&
            strcmp(a, "--batch") && strcmp(a, "--seed") && strcmp(a, "--threads") && strcmp(a, "--out") &&
            strcmp(a, "--budget") && strcmp(a, "--model") && strcmp(a, "--subset") &&
            !(strcmp(a, "--steps") == 0 && o->cmd == CMD_SNOOP))
            return usage_error("unknown option '%s' for '%s'", a, cmd_names[o->cmd]);
        if (k + 1 >= argc || strncmp(argv[k + 1], "--", 2) == 0) return usage_error("option %s needs a value", a);
        v = argv[++k];
        if (strcmp(a, "--data") == 0) {
            if (!*v) return usage_error("--data: empty file name");
            o->data = v;
        } else if (strcmp(a, "--labels") == 0) {
            if (!*v) return usage_error("--labels: empty file name");
            o->labels = v;
        } else if (strcmp(a, "--target") == 0) {
            if (!*v) return usage_error("--target: empty column");
            o->target = v;
        } else if (strcmp(a, "--model") == 0) {
            if (!*v) return usage_error("--model: empty file name");
            o->model = v;
        } else if (strcmp(a, "--out") == 0) {
            if (!*v) return usage_error("--out: empty directory name");
            o->out = v;
        } else if (strcmp(a, "--task") == 0) {
            if (strcmp(v, "classification") == 0) o->task = LLP_TASK_CLASSIFICATION;
            else if (strcmp(v, "regression") == 0) o->task = LLP_TASK_REGRESSION;
            else if (strcmp(v, "auto") == 0) o->task = LLP_TASK_AUTO;
            else return usage_error("--task: '%s' is not classification, regression or auto", v);
        } else if (strcmp(a, "--hidden") == 0) {
            int rc = parse_hidden(v, o);
            if (rc < 0) return usage_error("--hidden: at most %d hidden layers", LLP_MAX_LAYERS - 1);
            if (rc == 0) return usage_error("--hidden: '%s' is not a list of widths >= 1 (e.g. 64,64)", v);
        } else if (strcmp(a, "--act") == 0) {
            if (!parse_act(v, &o->act))
                return usage_error("--act: unknown activation '%s' (tanh, relu, leaky_relu, gelu, sigmoid, "
                                   "softplus, identity)", v);
        } else if (strcmp(a, "--loss") == 0) {
            if (!parse_loss(v, &o->loss)) return usage_error("--loss: unknown loss '%s' (ce, mse, mae, bce)", v);
            o->loss_set = 1;
        } else if (strcmp(a, "--opt") == 0) {
            if (!parse_opt(v, &o->opt))
                return usage_error("--opt: unknown optimizer '%s' (sgd, momentum, nesterov, adam, adamw, rmsprop)", v);
        } else if (strcmp(a, "--lr") == 0) {
            if (!parse_double(v, &x) || !(x > 0)) return usage_error("--lr: '%s' is not a positive number", v);
            o->lr = x, o->lr_set = 1;
        } else if (strcmp(a, "--momentum") == 0) {
            if (!parse_double(v, &x) || !(x >= 0 && x < 1)) return usage_error("--momentum: '%s' is not in [0, 1)", v);
            o->momentum = x, o->momentum_set = 1;
        } else if (strcmp(a, "--wd") == 0) {
            if (!parse_double(v, &x) || !(x >= 0)) return usage_error("--wd: '%s' is not a non-negative number", v);
            o->wd = x;
        } else if (strcmp(a, "--epochs") == 0) {
            if (!parse_uint(v, &u) || u < 1 || u > 1000000) return usage_error("--epochs: '%s' is not an integer >= 1", v);
            o->epochs = (long long)u;
        } else if (strcmp(a, "--batch") == 0) {
            if (!parse_uint(v, &u) || u > 100000000) return usage_error("--batch: '%s' is not an integer >= 0", v);
            o->batch = (long long)u;
        } else if (strcmp(a, "--seed") == 0) {
            if (!parse_uint(v, &u)) return usage_error("--seed: '%s' is not a non-negative integer", v);
            o->seed = u;
        } else if (strcmp(a, "--threads") == 0) {
            if (!parse_uint(v, &u) || u < 1 || u > 1024) return usage_error("--threads: '%s' is not an integer >= 1", v);
            o->threads = (int)u;
        } else if (strcmp(a, "--budget") == 0) {
            if (strcmp(v, "quick") == 0) o->budget = BUDGET_QUICK;
            else if (strcmp(v, "default") == 0) o->budget = BUDGET_DEFAULT;
            else if (strcmp(v, "full") == 0) o->budget = BUDGET_FULL;
            else return usage_error("--budget: '%s' is not quick, default or full", v);
        } else if (strcmp(a, "--subset") == 0) {
            if (!parse_uint(v, &u) || u < 10 || u > 1000000000ULL)
                return usage_error("--subset: '%s' is not an integer >= 10", v);
            o->subset = (long long)u;
        } else if (strcmp(a, "--steps") == 0) {
            if (!parse_uint(v, &u) || u < 1 || u > 10000000) return usage_error("--steps: '%s' is not an integer >= 1", v);
            o->steps = (long long)u;
        }
    }
    if (o->labels && !o->data) return usage_error("--labels needs --data (the IDX images)");
    if (o->labels && o->target) return usage_error("--target applies to CSV data, not to IDX images");
    if (o->labels && o->task == LLP_TASK_REGRESSION) return usage_error("--task regression: IDX labels are classes");
    return 0;
}

/* ------------------------------------------------------------------------
   Files and directories
   ------------------------------------------------------------------------ */

static int file_readable(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    fclose(f);
    return 1;
}

static int is_dir(const char *path) {
#if LLPROBE_CLI_POSIX
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
#else
    (void)path;
    return 0;
#endif
}

static int path_exists(const char *path) {
#if LLPROBE_CLI_POSIX
    struct stat st;
    return stat(path, &st) == 0;
#else
    return file_readable(path);
#endif
}

/* 1 when the directory has entries other than . and .. */
static int dir_nonempty(const char *path) {
#if LLPROBE_CLI_POSIX
    DIR *d = opendir(path);
    struct dirent *e;
    int any = 0;
    if (!d) return 1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            any = 1;
            break;
        }
    closedir(d);
    return any;
#else
    (void)path;
    return 0;
#endif
}

/* mkdir -p */
static int make_dirs(const char *path) {
#if LLPROBE_CLI_POSIX
    char buf[PATHMAX];
    size_t i, len = strlen(path);
    if (len == 0 || len >= sizeof buf) return -1;
    memcpy(buf, path, len + 1);
    for (i = 1; i <= len; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
            buf[i] = c;
        }
    }
    return is_dir(path) ? 0 : -1;
#else
    (void)path;
    return 0;
#endif
}

/* Write a whole text atomically: path.tmp then rename. */
static int write_text_atomic(const char *path, const char *text) {
    char tmp[PATHMAX + 8];
    FILE *f;
    size_t len = strlen(text);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    f = fopen(tmp, "wb");
    if (!f) return -1;
    if (fwrite(text, 1, len, f) != len) {
        fclose(f);
        remove(tmp);
        return -1;
    }
    if (fclose(f) != 0) {
        remove(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        remove(tmp);
        return -1;
    }
    return 0;
}

static char *read_text(const char *path, size_t max) {
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;
    if (!f) return NULL;
    buf = (char *)malloc(max + 1);
    if (!buf) {
        fclose(f);
        return NULL;
    }
    n = fread(buf, 1, max, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static int file_hash(const char *path, uint64_t *out) {
    FILE *f = fopen(path, "rb");
    unsigned char buf[65536];
    uint64_t h = 14695981039346656037ULL;
    size_t n;
    if (!f) return 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) h = fnv1a(h, buf, n);
    fclose(f);
    *out = h;
    return 1;
}

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Single-quote a string for /bin/sh. */
static void shell_quote(char *dst, size_t len, const char *s) {
    size_t j = 0;
    if (len < 3) {
        if (len) dst[0] = 0;
        return;
    }
    dst[j++] = '\'';
    for (; *s && j + 6 < len; s++) {
        if (*s == '\'') {
            memcpy(dst + j, "'\\''", 4);
            j += 4;
        } else {
            dst[j++] = *s;
        }
    }
    dst[j++] = '\'';
    dst[j] = 0;
}

/* The default data file: data/digits.csv in the current directory, next to
   the executable and in up to 4 of its parents, then LLPROBE_DATA_DIR. */
static void copy_str(char *dst, size_t len, const char *src) {
    size_t n = strlen(src);
    if (len == 0) return;
    if (n >= len) n = len - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

static int find_default_data(const char *argv0, char *out, size_t len) {
    char exe[PATHMAX] = "", dir[PATHMAX], cand[PATHMAX + 32];
    int up;
    if (file_readable("data/digits.csv")) {
        snprintf(out, len, "data/digits.csv");
        return 1;
    }
#if LLPROBE_CLI_POSIX && defined(__linux__)
    {
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n > 0) exe[n] = 0;
        else exe[0] = 0;
    }
#endif
    if (!exe[0] && argv0 && strchr(argv0, '/')) snprintf(exe, sizeof exe, "%s", argv0);
    if (exe[0]) {
        char *s;
        snprintf(dir, sizeof dir, "%s", exe);
        s = strrchr(dir, '/');
        if (s) {
            if (s == dir) s[1] = 0;
            else *s = 0;
            for (up = 0; up <= 4; up++) {
                snprintf(cand, sizeof cand, "%s/data/digits.csv", dir);
                if (file_readable(cand)) {
                    copy_str(out, len, cand);
                    return 1;
                }
                s = strrchr(dir, '/');
                if (!s || s == dir) break;
                *s = 0;
            }
        }
    }
#ifdef LLPROBE_DATA_DIR
    snprintf(cand, sizeof cand, "%s/digits.csv", LLPROBE_DATA_DIR);
    if (file_readable(cand)) {
        copy_str(out, len, cand);
        return 1;
    }
#endif
    return 0;
}

/* ------------------------------------------------------------------------
   The prepared run: data, model, optimizer
   ------------------------------------------------------------------------ */

typedef struct run_t {
    opts_t o;
    budget_t b;
    char data_path[PATHMAX];
    const char *data_base;
    llp_data all, tr, va;
    int classify;
    size_t epochs, batch;
    llp_mlp mlp;
    int have_model;        /* loaded from --model */
    uint64_t model_hash;
    llp_real *theta0;      /* initialisation (copy) */
    llp_mlp_objective mo_tr, mo_va;
    llp_objective f_tr, f_va;
    llp_opt_desc od;
    unsigned char *mask;
    char settings[2048];
    char arch[256];        /* "64-32-10 tanh MLP, softmax_ce" */
    char outdir[PATHMAX];
    /* written files, for the summary */
    char files[64][64];
    size_t n_files;
    char figures[16][64];
    size_t n_figures;
} run_t;

static void add_file(run_t *R, const char *name) {
    size_t i;
    for (i = 0; i < R->n_files; i++)
        if (strcmp(R->files[i], name) == 0) return;
    if (R->n_files < 64) snprintf(R->files[R->n_files++], 64, "%s", name);
}

static void add_figure(run_t *R, const char *name) {
    if (R->n_figures < 16) snprintf(R->figures[R->n_figures++], 64, "%s", name);
}

static void out_path(const run_t *R, char *buf, size_t len, const char *name) {
    snprintf(buf, len, "%s/%s", R->outdir, name);
}

static void free_run(run_t *R) {
    llp_mlp_objective_free(&R->mo_tr);
    llp_mlp_objective_free(&R->mo_va);
    llp_mlp_free(&R->mlp);
    llp_data_free(&R->all);
    llp_data_free(&R->tr);
    llp_data_free(&R->va);
    free(R->theta0);
    free(R->mask);
}

static uint64_t data_fingerprint(const llp_data *d) {
    uint64_t h = 14695981039346656037ULL;
    size_t i;
    for (i = 0; i < d->n * d->d; i++) {
        double v = (double)d->x[i];
        h = fnv1a(h, &v, sizeof v);
    }
    if (d->labels) h = fnv1a(h, d->labels, d->n * sizeof(int));
    if (d->y)
        for (i = 0; i < d->n * d->k; i++) {
            double v = (double)d->y[i];
            h = fnv1a(h, &v, sizeof v);
        }
    return h;
}

static void standardise_targets(llp_data *tr, llp_data *va) {
    size_t j, i, k = tr->k;
    for (j = 0; j < k; j++) {
        double m = 0, v = 0, sd;
        for (i = 0; i < tr->n; i++) m += tr->y[i * k + j] / (double)tr->n;
        for (i = 0; i < tr->n; i++) v += (tr->y[i * k + j] - m) * (tr->y[i * k + j] - m) / (double)(tr->n > 1 ? tr->n - 1 : 1);
        sd = sqrt(v) > 0 ? sqrt(v) : 1;
        for (i = 0; i < tr->n; i++) tr->y[i * k + j] = (llp_real)((tr->y[i * k + j] - m) / sd);
        for (i = 0; i < va->n; i++) va->y[i * k + j] = (llp_real)((va->y[i * k + j] - m) / sd);
    }
}

/* Load data, build or load the model, resolve every setting. Bad use: 2
   (message printed), failure: 1, OK: 0. Touches no output file. */
static int prepare(run_t *R, const char *argv0) {
    opts_t *o = &R->o;
    llp_error err;
    llp_result r;
    llp_rng rng;
    char msg[1024];
    size_t d;
    memset(&err, 0, sizeof err);
    R->b = budgets[o->budget];
    /* ---- data ---- */
    if (o->data) {
        snprintf(R->data_path, sizeof R->data_path, "%s", o->data);
        if (!file_readable(o->data))
            return usage_error("--data %s: %s", o->data, errno ? strerror(errno) : "cannot be read");
        if (o->labels && !file_readable(o->labels))
            return usage_error("--labels %s: %s", o->labels, errno ? strerror(errno) : "cannot be read");
    } else if (!find_default_data(argv0, R->data_path, sizeof R->data_path)) {
        return usage_error("no --data given and the shipped data/digits.csv was not found (looked in the current "
                           "directory, next to the executable and its parents"
#ifdef LLPROBE_DATA_DIR
                           ", and in " LLPROBE_DATA_DIR
#endif
                           ")");
    }
    R->data_base = base_name(R->data_path);
    if (o->labels) {
        r = llp_data_load_idx(&R->all, R->data_path, o->labels, 0, &err);
        if (r != LLP_OK) {
            format_err(msg, sizeof msg, &err, r);
            return usage_error("%s", msg);
        }
    } else {
        llp_csv_desc csv;
        const char *ext = strrchr(R->data_path, '.');
        memset(&csv, 0, sizeof csv);
        if (ext && (strcmp(ext, ".gz") == 0 || strstr(R->data_path, "idx")))
            return usage_error("--data %s looks like IDX images: give their labels with --labels FILE", R->data_path);
        if (o->target) {
            double t;
            if (parse_double(o->target, &t) && t == floor(t)) {
                if (t == 0 || fabs(t) > 1e6) return usage_error("--target %s: columns are numbered from 1", o->target);
                csv.target_index = (int)t;
            } else {
                csv.target_name = o->target;
            }
        }
        csv.task = (llp_task)o->task;
        r = llp_data_load_csv(&R->all, R->data_path, &csv, &err);
        if (r != LLP_OK) {
            format_err(msg, sizeof msg, &err, r);
            if (r == LLP_ERR_NO_COLUMN) return usage_error("--target %s: %s", o->target ? o->target : "", msg);
            return usage_error("%s", msg);
        }
    }
    if (R->all.d < 1 || R->all.n < 10)
        return usage_error("%s: %lu samples; at least 10 are needed for an 80/20 split", R->data_base,
                           (unsigned long)R->all.n);
    if (o->task == LLP_TASK_CLASSIFICATION && R->all.task != LLP_TASK_CLASSIFICATION)
        return usage_error("--task classification: the targets of %s are not class labels", R->data_base);
    R->classify = R->all.task == LLP_TASK_CLASSIFICATION;
    /* ---- subset ---- */
    if (o->subset > 0 && (size_t)o->subset < R->all.n) {
        size_t *perm = (size_t *)malloc(R->all.n * sizeof *perm);
        llp_data sub;
        if (!perm) return runtime_error("out of memory");
        llp_rng_seed(&rng, o->seed + 7);
        llp_rng_permutation(&rng, perm, R->all.n);
        r = llp_data_subset(&R->all, perm, (size_t)o->subset, &sub);
        free(perm);
        if (r != LLP_OK) return runtime_error("taking a subset: %s", llp_result_string(r));
        llp_data_free(&R->all);
        R->all = sub;
    } else if (o->subset > 0) {
        note("--subset %lld is not below the %lu samples: using all", o->subset, (unsigned long)R->all.n);
    }
    /* ---- split and standardise ---- */
    llp_rng_seed(&rng, o->seed);
    if ((r = llp_data_split(&R->all, 0.2, 0, &rng, &R->tr, &R->va, NULL)) != LLP_OK)
        return usage_error("cannot split %lu samples 80/20: %s", (unsigned long)R->all.n, llp_result_string(r));
    if (R->tr.n < 8 || R->va.n < 2) return usage_error("too few samples for an 80/20 split (%lu)", (unsigned long)R->all.n);
    {
        llp_real *mean = (llp_real *)malloc(2 * R->all.d * sizeof(llp_real));
        if (!mean) return runtime_error("out of memory");
        r = llp_data_standardize(&R->tr, mean, mean + R->all.d);
        if (r == LLP_OK) r = llp_data_apply_standardization(&R->va, mean, mean + R->all.d);
        free(mean);
        if (r != LLP_OK) return runtime_error("standardising: %s", llp_result_string(r));
    }
    if (!R->classify) standardise_targets(&R->tr, &R->va);
    d = R->all.d;
    /* ---- model ---- */
    if (o->model) {
        if (!file_readable(o->model))
            return usage_error("--model %s: %s", o->model, errno ? strerror(errno) : "cannot be read");
        r = llp_mlp_load(&R->mlp, o->model, &err);
        if (r != LLP_OK)
            return usage_error("--model %s: %s", o->model, err.message[0] ? err.message : llp_result_string(r));
        R->have_model = 1;
        file_hash(o->model, &R->model_hash);
        if (llp_mlp_check_data(&R->mlp, &R->tr, &err) != LLP_OK) {
            return usage_error("--model %s does not fit the data %s: %s", o->model, R->data_base, err.message);
        }
        if (!llp_all_finite(R->mlp.theta, R->mlp.n_params))
            return usage_error("--model %s: parameters are not finite", o->model);
    } else {
        llp_mlp_desc md;
        int l;
        size_t outs;
        memset(&md, 0, sizeof md);
        md.n_layers = o->n_hidden + 1;
        md.sizes[0] = (int)d;
        for (l = 0; l < o->n_hidden; l++) md.sizes[l + 1] = o->hidden[l];
        md.act = o->act;
        if (o->loss_set) md.loss = o->loss;
        else md.loss = R->classify ? LLP_LOSS_SOFTMAX_CE : LLP_LOSS_MSE;
        if (md.loss == LLP_LOSS_SOFTMAX_CE && !R->classify)
            return usage_error("--loss ce needs class labels, but %s has real-valued targets (regression)", R->data_base);
        if (R->classify) outs = (md.loss == LLP_LOSS_BCE && R->all.n_classes == 2) ? 1 : R->all.n_classes;
        else outs = R->all.k;
        if (md.loss == LLP_LOSS_BCE && R->classify && R->all.n_classes != 2)
            return usage_error("--loss bce needs two classes, %s has %lu", R->data_base, (unsigned long)R->all.n_classes);
        md.sizes[md.n_layers] = (int)outs;
        if (d > (1u << 24)) return usage_error("%s: too many features (%lu)", R->data_base, (unsigned long)d);
        if ((r = llp_mlp_init(&R->mlp, &md)) != LLP_OK) return usage_error("cannot build the MLP: %s", llp_result_string(r));
        if (llp_mlp_check_data(&R->mlp, &R->tr, &err) != LLP_OK)
            return usage_error("the model does not fit the data: %s", err.message);
        llp_rng_seed(&rng, o->seed + 1);
        llp_mlp_randomize(&R->mlp, R->mlp.theta, &rng);
    }
    if (R->mlp.loss == LLP_LOSS_MAE && (o->cmd == CMD_REPORT || o->cmd == CMD_SPECTRUM))
        return usage_error("the mae loss has no curvature (no Hessian-vector products): '%s' needs ce, mse or bce",
                           cmd_names[o->cmd]);
    R->theta0 = (llp_real *)malloc(R->mlp.n_params * sizeof(llp_real));
    R->mask = (unsigned char *)malloc(R->mlp.n_params);
    if (!R->theta0 || !R->mask) return runtime_error("out of memory");
    memcpy(R->theta0, R->mlp.theta, R->mlp.n_params * sizeof(llp_real));
    llp_mlp_weight_mask(&R->mlp, R->mask);
    {
        int l, p = 0;
        p += snprintf(R->arch + p, sizeof R->arch - (size_t)p, "%d", R->mlp.sizes[0]);
        for (l = 1; l <= R->mlp.n_layers && p < (int)sizeof R->arch - 16; l++)
            p += snprintf(R->arch + p, sizeof R->arch - (size_t)p, "-%d", R->mlp.sizes[l]);
        snprintf(R->arch + p, sizeof R->arch - (size_t)p, " %s MLP, %s loss",
                 R->mlp.n_layers > 1 ? llp_act_name(R->mlp.act[0]) : "linear", llp_loss_name(R->mlp.loss));
    }
    if ((r = llp_mlp_objective_init(&R->mo_tr, &R->mlp, &R->tr, 0)) != LLP_OK ||
        (r = llp_mlp_objective_init(&R->mo_va, &R->mlp, &R->va, 0)) != LLP_OK)
        return runtime_error("setting up the objective: %s", llp_result_string(r));
    R->f_tr = llp_mlp_objective_get(&R->mo_tr);
    R->f_va = llp_mlp_objective_get(&R->mo_va);
    /* ---- training settings ---- */
    R->epochs = o->epochs > 0 ? (size_t)o->epochs : R->b.epochs;
    R->batch = o->batch >= 0 ? (size_t)o->batch : 32;
    if (R->batch >= R->tr.n) R->batch = 0; /* full batch */
    memset(&R->od, 0, sizeof R->od);
    R->od.kind = o->opt;
    R->od.lr = o->lr_set ? o->lr : default_lr(o->opt);
    if (o->momentum_set) {
        if (o->opt == LLP_OPT_MOMENTUM || o->opt == LLP_OPT_NESTEROV) R->od.momentum = o->momentum;
        else if (o->opt == LLP_OPT_ADAM || o->opt == LLP_OPT_ADAMW) R->od.beta1 = o->momentum;
        else note("--momentum is not used by %s", llp_opt_name(o->opt));
        if (o->momentum == 0 && (o->opt == LLP_OPT_MOMENTUM || o->opt == LLP_OPT_NESTEROV))
            return usage_error("--momentum 0 with --opt %s: use --opt sgd for no momentum", llp_opt_name(o->opt));
    }
    R->od.weight_decay = o->wd;
    R->od.weight_mask = R->mask;
    {
        llp_opt test;
        size_t sl = llp_opt_state_size(&R->od, 1);
        llp_real st[16];
        if (sl == 0 || sl > 16 || llp_opt_init(&test, &R->od, 1, st, sl) != LLP_OK)
            return usage_error("the optimizer settings are invalid (--opt %s, --lr %g)", llp_opt_name(o->opt), R->od.lr);
    }
    /* ---- the canonical settings line ---- */
    {
        char hid[128] = "";
        int l, p = 0;
        for (l = 1; l < R->mlp.n_layers && p < (int)sizeof hid - 12; l++)
            p += snprintf(hid + p, sizeof hid - (size_t)p, "%s%d", l > 1 ? "," : "", R->mlp.sizes[l]);
        snprintf(R->settings, sizeof R->settings,
                 "llprobe %s %s data=%s n=%lu d=%lu data_fnv=%016llx labels=%s task=%s target=%s subset=%lld "
                 "model=%s model_fnv=%016llx hidden=%s act=%s loss=%s opt=%s lr=%.17g momentum=%.17g wd=%.17g "
                 "epochs=%lu batch=%lu seed=%llu budget=%s steps=%lld",
                 VERSION_TEXT, cmd_names[o->cmd], R->data_base, (unsigned long)R->all.n, (unsigned long)d,
                 (unsigned long long)data_fingerprint(&R->all), o->labels ? base_name(o->labels) : "-",
                 R->classify ? "classification" : "regression", o->target ? o->target : "last",
                 o->subset > 0 ? o->subset : 0LL, o->model ? base_name(o->model) : "-",
                 (unsigned long long)R->model_hash, hid[0] ? hid : "none",
                 R->mlp.n_layers > 1 ? llp_act_name(R->mlp.act[0]) : "identity", llp_loss_name(R->mlp.loss),
                 llp_opt_name(o->opt), R->od.lr, o->momentum_set ? o->momentum : 0.9, o->wd,
                 (unsigned long)R->epochs, (unsigned long)R->batch, o->seed, budget_names[o->budget],
                 o->cmd == CMD_SNOOP ? (o->steps > 0 ? o->steps : (long long)R->b.snoop_steps) : 0LL);
    }
    return 0;
}

/* The output directory: created, or reused when its run.txt matches (or
   --force). Bad use: 2. */
static int open_outdir(run_t *R) {
    char path[PATHMAX + 16];
    const char *dir = R->o.out;
    size_t len = strlen(dir);
    if (len >= PATHMAX - 64) return usage_error("--out: path too long");
    snprintf(R->outdir, sizeof R->outdir, "%s", dir);
    while (len > 1 && R->outdir[len - 1] == '/') R->outdir[--len] = 0;
    if (path_exists(R->outdir)) {
        char *old;
        if (!is_dir(R->outdir)) return usage_error("output directory %s exists and is not a directory", R->outdir);
        out_path(R, path, sizeof path, "run.txt");
        old = read_text(path, 8192);
        if (old) {
            size_t n = strcspn(old, "\n");
            int same = strlen(R->settings) == n && strncmp(old, R->settings, n) == 0;
            free(old);
            if (!same && !R->o.force)
                return usage_error("output directory %s holds a different run (use --force or another --out)",
                                   R->outdir);
        } else if (dir_nonempty(R->outdir) && !R->o.force) {
            return usage_error("output directory %s is not empty and holds no llprobe run.txt (use --force or "
                               "another --out)", R->outdir);
        }
    } else if (make_dirs(R->outdir) != 0) {
        return runtime_error("cannot create the output directory %s: %s", R->outdir, strerror(errno));
    }
    {
        char text[4096];
        snprintf(text, sizeof text, "%s\n", R->settings);
        out_path(R, path, sizeof path, "run.txt");
        if (write_text_atomic(path, text) != 0) return runtime_error("cannot write %s: %s", path, strerror(errno));
        add_file(R, "run.txt");
    }
    return 0;
}

/* ------------------------------------------------------------------------
   Steps shared by the subcommands
   ------------------------------------------------------------------------ */

/* A common header for data files (no timings). */
static void common_header(const run_t *R, char *buf, size_t len) {
    snprintf(buf, len,
             "model: %s, %lu parameters, %s\n"
             "data: %.200s, %lu samples, %lu features, %s%s; split 80/20 (seed %llu) into %lu training and %lu "
             "validation samples, standardised with the training statistics\n"
             "settings: %s",
             R->arch, (unsigned long)R->mlp.n_params,
             R->have_model ? "loaded from --model" : "trained by llprobe",
             R->data_base, (unsigned long)R->all.n, (unsigned long)R->all.d,
             R->classify ? "classification" : "regression", R->classify ? "" : " (targets standardised)",
             R->o.seed, (unsigned long)R->tr.n, (unsigned long)R->va.n, R->settings);
}

typedef struct trained_t {
    int ran;
    llp_trainer t;
    double train_loss, val_loss, train_acc, val_acc;
    size_t steps;
} trained_t;

/* Train theta in place (R->mlp.theta), with a trajectory when traj != 0. */
static int train_model(run_t *R, trained_t *T, int traj) {
    llp_train_desc td;
    llp_result r;
    train_progress_t tp;
    size_t spe = R->batch ? (R->tr.n + R->batch - 1) / R->batch : 1;
    memset(T, 0, sizeof *T);
    memset(&td, 0, sizeof td);
    td.epochs = R->epochs;
    td.batch_size = R->batch;
    td.seed = R->o.seed + 2;
    td.eval_full_train = 1;
    td.record_initial = 1;
    if (traj) {
        size_t total = spe * R->epochs;
        td.traj_every = total / 60 > 0 ? total / 60 : 1;
        td.traj_max = 1000;
    }
    tp.total = spe * R->epochs;
    td.on_step = train_on_step;
    td.ctx = &tp;
    if ((r = llp_trainer_init(&T->t, &td, &R->f_tr, &R->f_va, &R->od, R->mlp.theta)) != LLP_OK)
        return runtime_error("setting up training: %s", llp_result_string(r));
    progress_begin("training");
    r = llp_trainer_run(&T->t);
    progress_end();
    if (r == LLP_ERR_DIVERGED) {
        llp_trainer_free(&T->t);
        return runtime_error("training diverged at step %lu (loss NaN/Inf or blown up): try a smaller --lr than %g",
                             (unsigned long)T->t.step, R->od.lr);
    }
    if (r != LLP_OK) {
        llp_trainer_free(&T->t);
        return runtime_error("training failed: %s", llp_result_string(r));
    }
    T->ran = 1;
    T->steps = (size_t)T->t.step;
    if (T->t.n_rows) {
        const llp_monitor_row *w = &T->t.rows[T->t.n_rows - 1];
        T->train_loss = w->train_loss, T->val_loss = w->val_loss;
        T->train_acc = w->train_acc, T->val_acc = w->val_acc;
    }
    return 0;
}

static double loss_at(const llp_objective *f, const llp_real *theta) {
    llp_real l = 0;
    if (llp_objective_loss(f, theta, NULL, &l) != LLP_OK) return NAN;
    return (double)l;
}

static double acc_at(const llp_objective *f, const llp_real *theta) {
    double a = NAN;
    llp_batch b = llp_batch_all();
    if (!f->accuracy || f->accuracy(f->ctx, theta, &b, &a) != LLP_OK) return NAN;
    return a;
}

static const char *loss_label(const run_t *R) {
    switch (R->mlp.loss) {
    case LLP_LOSS_SOFTMAX_CE: return "mean softmax cross-entropy";
    case LLP_LOSS_MSE: return "mean squared error";
    case LLP_LOSS_MAE: return "mean absolute error";
    case LLP_LOSS_BCE: return "mean binary cross-entropy";
    default: break;
    }
    return "loss";
}

static const char gp_terminal_fmt[] =
    "if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
    "    set terminal pngcairo size %d,%d enhanced font \"sans,11\"\n"
    "} else {\n"
    "    set terminal png size %d,%d enhanced\n"
    "}\n";

/* The opening of a figure's script NAME.gp: what it draws, how to run it,
   the terminal of w x h pixels. Returns the characters written. */
static int gp_begin(char *gp, size_t cap, const char *name, const char *what, int w, int h) {
    int p = snprintf(gp, cap, "# %s.gp: %s (llprobe).\n# Run in this directory: gnuplot %s.gp -> %s.png\n", name,
                     what, name, name);
    return p + snprintf(gp + p, cap - (size_t)p, gp_terminal_fmt, w, h, w, h);
}

/* Escape a string for a gnuplot double-quoted string (and plain enhanced text). */
static void gp_escape(char *dst, size_t len, const char *s) {
    size_t j = 0;
    for (; *s && j + 4 < len; s++) {
        if (*s == '\n') {
            dst[j++] = '\\';
            dst[j++] = 'n';
            continue;
        }
        if (*s == '"' || *s == '\\') dst[j++] = '\\';
        if (*s == '_' || *s == '^' || *s == '{' || *s == '}' || *s == '@' || *s == '&' || *s == '~') {
            dst[j++] = '\\';
            dst[j++] = '\\';
        }
        dst[j++] = *s;
    }
    dst[j] = 0;
}

static int write_gp(run_t *R, const char *name, const char *text) {
    char path[PATHMAX + 64];
    out_path(R, path, sizeof path, name);
    if (write_text_atomic(path, text) != 0) return runtime_error("cannot write %s: %s", path, strerror(errno));
    add_file(R, name);
    add_figure(R, name);
    return 0;
}

/* ---- the monitor ---- */
static int write_monitor(run_t *R, const trained_t *T) {
    char path[PATHMAX + 64], header[4096], common[3072], gp[8192], title[512], esc[600];
    llp_error err;
    int p;
    common_header(R, common, sizeof common);
    snprintf(header, sizeof header,
             "llprobe monitor: one row per epoch (row 0: the initialisation); train_loss/train_acc over the full "
             "training split, val_* over the validation split; %s\n%s",
             loss_label(R), common);
    out_path(R, path, sizeof path, "monitor.dat");
    if (llp_trainer_write_monitor(&T->t, path, header, 0, &err) != LLP_OK) {
        char msg[1024];
        format_err(msg, sizeof msg, &err, LLP_ERR_IO);
        return runtime_error("%s", msg);
    }
    add_file(R, "monitor.dat");
    if (R->batch)
        snprintf(title, sizeof title, "Training of a %s on %s: %s, lr %g, batches of %lu, %lu epochs", R->arch,
                 R->data_base, llp_opt_name(R->od.kind), R->od.lr, (unsigned long)R->batch, (unsigned long)R->epochs);
    else
        snprintf(title, sizeof title, "Training of a %s on %s: %s, lr %g, full batch, %lu epochs", R->arch,
                 R->data_base, llp_opt_name(R->od.kind), R->od.lr, (unsigned long)R->epochs);
    gp_escape(esc, sizeof esc, title);
    p = gp_begin(gp, sizeof gp, "monitor", "training and validation loss and accuracy per epoch", 1200, 520);
    p += snprintf(gp + p, sizeof gp - (size_t)p,
                  "set output \"monitor.png\"\n"
                  "f = \"monitor.dat\"\n"
                  "set multiplot layout 1,%d title \"%s\"\n"
                  "set xlabel \"epoch\"\n"
                  "set grid lc rgb \"#dddddd\"\n"
                  "set key top right box opaque\n"
                  "%s"
                  "set ylabel \"loss (%s, full split)\"\n"
                  "plot f using 2:3 with linespoints pt 7 ps 0.5 lw 2 lc rgb \"#1f5fa8\" title \"training\", \\\n"
                  "     f using 2:4 with linespoints pt 7 ps 0.5 lw 2 lc rgb \"#d1492e\" title \"validation\"\n",
                  R->classify ? 2 : 1, esc, R->mlp.loss == LLP_LOSS_SOFTMAX_CE ? "set logscale y\n" : "",
                  loss_label(R));
    if (R->classify)
        p += snprintf(gp + p, sizeof gp - (size_t)p,
                      "unset logscale y\n"
                      "set ylabel \"accuracy\"\n"
                      "set key bottom right\n"
                      "set yrange [0:1]\n"
                      "plot f using 2:5 with linespoints pt 7 ps 0.5 lw 2 lc rgb \"#1f5fa8\" title \"training\", \\\n"
                      "     f using 2:6 with linespoints pt 7 ps 0.5 lw 2 lc rgb \"#d1492e\" title \"validation\"\n");
    snprintf(gp + p, sizeof gp - (size_t)p, "unset multiplot\n");
    return write_gp(R, "monitor.gp", gp);
}

static int save_model(run_t *R) {
    char path[PATHMAX + 64], msg[1024];
    llp_error err;
    llp_result r;
    out_path(R, path, sizeof path, "model.llpm");
    if ((r = llp_mlp_save(&R->mlp, R->mlp.theta, path, &err)) != LLP_OK) {
        format_err(msg, sizeof msg, &err, r);
        return runtime_error("%s", msg);
    }
    add_file(R, "model.llpm");
    return 0;
}

/* Filter-normalised Gaussian direction pair, the second orthogonalised. */
static int random_plane(run_t *R, uint64_t seed, llp_real *d1, llp_real *d2, double *cosb) {
    llp_rng rng;
    size_t n = R->mlp.n_params;
    llp_result r;
    llp_rng_seed(&rng, seed);
    if ((r = llp_direction_random(&R->mlp, R->mlp.theta, n, LLP_DIR_GAUSSIAN, LLP_DIR_NORM_FILTER, LLP_DIR_BIAS_ZERO,
                                  &rng, d1)) != LLP_OK ||
        (r = llp_direction_random(&R->mlp, R->mlp.theta, n, LLP_DIR_GAUSSIAN, LLP_DIR_NORM_FILTER, LLP_DIR_BIAS_ZERO,
                                  &rng, d2)) != LLP_OK)
        return runtime_error("drawing directions: %s", llp_result_string(r));
    if ((r = llp_direction_orthogonalize(d1, d2, n, cosb)) != LLP_OK)
        return runtime_error("orthogonalising directions: %s", llp_result_string(r));
    return 0;
}

/* Contour levels: geometric (positive losses) or linear between lo and hi. */
static void contour_levels(double lo, double hi, int logs, char *buf, size_t len) {
    int i, p = 0, k = 9;
    buf[0] = 0;
    for (i = 1; i <= k && p < (int)len - 32; i++) {
        double f = (double)i / (k + 1), v;
        if (logs) v = exp(log(lo) + f * (log(hi) - log(lo)));
        else v = lo + f * (hi - lo);
        p += snprintf(buf + p, len - (size_t)p, "%s%.3g", i > 1 ? ", " : "", v);
    }
}

/* Writes surface.gp for a surface file name (x y train_loss ...). */
static int surface_gp(run_t *R, const char *gpname, const char *pngname, const char *datname, const char *title,
                      const char *xlabel, const char *ylabel, const llp_surface *s, const char *path_file,
                      double centre, int equal_ratio) {
    char gp[16384], esc[1024], levels[512], lt[256];
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    size_t i;
    int p, logs;
    for (i = 0; i < s->nx * s->ny; i++) {
        double v = s->train_loss[i];
        if (v == v && v < HUGE_VAL) {
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
    }
    if (!(lo < hi)) hi = lo + 1;
    logs = lo > 0 && hi / lo > 3;
    contour_levels(lo, hi, logs, levels, sizeof levels);
    gp_escape(esc, sizeof esc, title);
    p = snprintf(gp, sizeof gp,
                 "# %s: the training loss on a plane through the model (llprobe).\n"
                 "# Run in this directory: gnuplot %s -> %s\n"
                 "f = \"%s\"\n"
                 "set contour base\n"
                 "set cntrparam levels discrete %s\n"
                 "unset surface\n"
                 "set table $contours\n"
                 "splot f using 1:2:3 with lines\n"
                 "unset table\n"
                 "unset contour\n"
                 "set surface\n",
                 gpname, gpname, pngname, datname, levels);
    p += snprintf(gp + p, sizeof gp - (size_t)p, gp_terminal_fmt, 1000, 860, 1000, 860);
    snprintf(lt, sizeof lt, "%s", loss_label(R));
    p += snprintf(gp + p, sizeof gp - (size_t)p,
                  "set output \"%s\"\n"
                  "set title \"%s\"\n"
                  "set xlabel \"%s\"\n"
                  "set ylabel \"%s\"\n"
                  "set xrange [%.17g:%.17g]\n"
                  "set yrange [%.17g:%.17g]\n"
                  "%s"
                  "%s"
                  "set cbrange [%.17g:%.17g]\n"
                  "set cbtics (%s)\n"
                  "set cblabel \"training loss (%s%s)\"\n"
                  "set palette defined (0 \"#0d0887\", 0.25 \"#6a00a8\", 0.5 \"#b12a90\", 0.75 \"#e16462\", 0.9 "
                  "\"#fca636\", 1 \"#f0f921\")\n"
                  "set tics out\n"
                  "set key bottom right box opaque font \",10\"\n",
                  pngname, esc, xlabel, ylabel, s->x[0], s->x[s->nx - 1], s->y[0], s->y[s->ny - 1],
                  equal_ratio ? "set size ratio -1\n" : "", logs ? "set logscale cb\n" : "", lo, hi, levels, lt, logs ? ", log scale" : "");
    p += snprintf(gp + p, sizeof gp - (size_t)p,
                  "plot f using 1:2:3 with image notitle, \\\n"
                  "     $contours using 1:2 with lines lw 1 lc rgb \"white\" notitle, \\\n"
                  "     NaN with lines lw 1 lc rgb \"#999999\" title \"contours of the training loss\", \\\n"
                  "     \"+\" using (0):(0) every ::0::0 with points pt 7 ps 2 lc rgb \"#00e0e0\" notitle, \\\n"
                  "     \"+\" using (0):(0) every ::0::0 with points pt 6 ps 2 lw 1.5 lc rgb \"black\" title \"the model "
                  "theta (training loss %.4g)\"",
                  centre);
    if (path_file)
        p += snprintf(gp + p, sizeof gp - (size_t)p,
                      ", \\\n     \"%s\" using 2:3 with linespoints lw 2 pt 7 ps 0.6 lc rgb \"#00e0e0\" title "
                      "\"training trajectory (projected)\", \\\n"
                      "     \"%s\" every ::0::0 using 2:3 with points pt 5 ps 1.8 lc rgb \"white\" notitle, \\\n"
                      "     \"%s\" every ::0::0 using 2:3 with points pt 4 ps 1.8 lw 1.5 lc rgb \"black\" title "
                      "\"initialisation (projected)\"",
                      path_file, path_file, path_file);
    snprintf(gp + p, sizeof gp - (size_t)p, "\n");
    return write_gp(R, gpname, gp);
}

/* ---- 2-D surface on two random filter-normalised directions ---- */
static int do_surface(run_t *R, size_t grid) {
    size_t n = R->mlp.n_params;
    llp_real *d1 = (llp_real *)malloc(2 * n * sizeof *d1), *d2;
    char path[PATHMAX + 64], header[8192], common[3072], msg[1024], title[1024];
    llp_surface_desc sd;
    llp_surface s;
    llp_error err;
    llp_result r;
    double cosb = 0;
    int rc;
    if (!d1) return runtime_error("out of memory");
    d2 = d1 + n;
    if ((rc = random_plane(R, R->o.seed + 100, d1, d2, &cosb)) != 0) {
        free(d1);
        return rc;
    }
    common_header(R, common, sizeof common);
    snprintf(header, sizeof header,
             "llprobe surface: training and validation loss (%s) and accuracy at theta + x d1 + y d2, %lu x %lu grid "
             "over [-1, 1]^2\n"
             "directions: d1, d2 Gaussian (seed %llu), filter-normalised (each neuron's incoming weight row rescaled "
             "to the norm of theta's row, biases zeroed; Li et al. 2018), d2 orthogonalised to d1 (cosine before "
             "%.6f) and rescaled to its norm; ||d1|| = %.6g, ||d2|| = %.6g\n%s",
             loss_label(R), (unsigned long)grid, (unsigned long)grid, R->o.seed + 100, cosb, llp_nrm2(d1, n),
             llp_nrm2(d2, n), common);
    out_path(R, path, sizeof path, "surface.dat");
    memset(&sd, 0, sizeof sd);
    sd.x_min = sd.y_min = -1, sd.x_max = sd.y_max = 1;
    sd.nx = sd.ny = grid;
    sd.path = path;
    sd.header = header;
    sd.progress = surface_progress;
    memset(&err, 0, sizeof err);
    progress_begin("surface");
    r = llp_surface_compute(&R->f_tr, &R->f_va, R->mlp.theta, d1, d2, &sd, &s, &err);
    progress_end();
    free(d1);
    if (r != LLP_OK) {
        format_err(msg, sizeof msg, &err, r);
        return runtime_error("surface: %s", msg);
    }
    add_file(R, "surface.dat");
    snprintf(title, sizeof title,
             "Training loss of a %s (%s)\non the plane theta + x d1 + y d2 of two filter-normalised random "
             "directions\n(d2 orthogonalised to d1), %lux%lu grid",
             R->arch, R->data_base, (unsigned long)grid, (unsigned long)grid);
    rc = surface_gp(R, "surface.gp", "surface.png", "surface.dat", title, "x (direction d1)", "y (direction d2)", &s,
                    NULL, loss_at(&R->f_tr, R->mlp.theta), 1);
    llp_surface_free(&s);
    return rc;
}

/* ---- 1-D slices ---- */
static int do_slices(run_t *R) {
    size_t n = R->mlp.n_params, k = R->b.slice_dirs, pts = R->b.slice_pts, i, j, rows = 0;
    llp_real *d = (llp_real *)malloc(n * sizeof *d);
    double *tab = NULL;
    const char **cols = NULL;
    char (*names)[32] = NULL;
    char path[PATHMAX + 64], header[4096], common[3072], gp[16384], esc[1024], title[1024];
    llp_rng rng;
    llp_result r;
    llp_error err;
    int p;
    size_t nc = 1 + 2 * k;
    if (!d) return runtime_error("out of memory");
    llp_rng_seed(&rng, R->o.seed + 200);
    progress_begin("slices");
    for (j = 0; j < k; j++) {
        llp_slice s;
        progress(j, k);
        if ((r = llp_direction_random(&R->mlp, R->mlp.theta, n, LLP_DIR_GAUSSIAN, LLP_DIR_NORM_FILTER,
                                      LLP_DIR_BIAS_ZERO, &rng, d)) != LLP_OK ||
            (r = llp_slice_line(&R->f_tr, &R->f_va, R->mlp.theta, d, -1, 1, pts, &s)) != LLP_OK) {
            progress_end();
            free(d), free(tab), free(cols), free(names);
            return runtime_error("slices: %s", llp_result_string(r));
        }
        if (!tab) {
            rows = s.points;
            tab = (double *)calloc(rows * nc, sizeof *tab);
            cols = (const char **)malloc(nc * sizeof *cols);
            names = (char (*)[32])malloc(nc * sizeof *names);
            if (!tab || !cols || !names) {
                llp_slice_free(&s);
                free(d), free(tab), free(cols), free(names);
                progress_end();
                return runtime_error("out of memory");
            }
            for (i = 0; i < rows; i++) tab[i * nc] = s.alpha[i];
        }
        for (i = 0; i < rows && i < s.points; i++) {
            tab[i * nc + 1 + j] = s.train_loss[i];
            tab[i * nc + 1 + k + j] = s.val_loss[i];
        }
        llp_slice_free(&s);
    }
    progress_end();
    free(d);
    snprintf(names[0], 32, "alpha");
    for (j = 0; j < k; j++) {
        snprintf(names[1 + j], 32, "train_%lu", (unsigned long)(j + 1));
        snprintf(names[1 + k + j], 32, "val_%lu", (unsigned long)(j + 1));
    }
    for (j = 0; j < nc; j++) cols[j] = names[j];
    common_header(R, common, sizeof common);
    snprintf(header, sizeof header,
             "llprobe slices: training (train_j) and validation (val_j) loss (%s, full splits) at theta + alpha d_j "
             "for %lu Gaussian random directions d_j (seed %llu), filter-normalised (each neuron's incoming weight "
             "row rescaled to the norm of theta's row, biases zeroed; Li et al. 2018)\n%s",
             loss_label(R), (unsigned long)k, R->o.seed + 200, common);
    out_path(R, path, sizeof path, "slices.dat");
    r = llp_write_table(path, header, cols, tab, rows, nc, 0, 0, &err);
    free(tab), free(cols), free(names);
    if (r != LLP_OK) {
        char msg[1024];
        format_err(msg, sizeof msg, &err, r);
        return runtime_error("%s", msg);
    }
    add_file(R, "slices.dat");
    snprintf(title, sizeof title,
             "Loss of a %s (%s)\nalong %lu filter-normalised random directions d through the model theta",
             R->arch, R->data_base, (unsigned long)k);
    gp_escape(esc, sizeof esc, title);
    p = gp_begin(gp, sizeof gp, "slices", "the loss along random filter-normalised directions", 1000, 640);
    p += snprintf(gp + p, sizeof gp - (size_t)p,
                  "set output \"slices.png\"\n"
                  "f = \"slices.dat\"\n"
                  "k = %lu\n"
                  "set title \"%s\"\n"
                  "set xlabel \"step alpha along the direction (parameters theta + alpha d, filter-normalised d)\"\n"
                  "set ylabel \"loss (%s, full split)\"\n"
                  "set grid lc rgb \"#dddddd\"\n"
                  "set key top center box opaque\n"
                  "set arrow from 0, graph 0 to 0, graph 1 nohead dt 3 lc rgb \"#888888\"\n"
                  "plot for [j=1:k] f using 1:(column(1 + j)) with lines lw 2 lc rgb \"#1f5fa8\" "
                  "title (j == 1 ? \"training loss, one line per direction\" : \"\"), \\\n"
                  "     for [j=1:k] f using 1:(column(1 + k + j)) with lines lw 1.5 dt 2 lc rgb \"#d1492e\" "
                  "title (j == 1 ? \"validation loss\" : \"\")\n",
                  (unsigned long)k, esc, loss_label(R));
    (void)p;
    return write_gp(R, "slices.gp", gp);
}

/* ---- Hessian spectrum ---- */
typedef struct spectrum_t {
    double lmax, lmin, trace_slq;
    double top[5], bottom[5];
    size_t ktop, kbot;
} spectrum_t;

static int do_spectrum(run_t *R, spectrum_t *S) {
    llp_rng rng;
    llp_batch_policy bp = llp_batch_policy_full();
    llp_lanczos_desc ld;
    llp_eig_result eig;
    llp_slq_desc sq;
    llp_slq_result slq;
    llp_density_desc dd;
    llp_density dens;
    llp_spectrum_stats ss;
    llp_error err;
    llp_result r;
    size_t n = R->mlp.n_params, i, kk;
    char path[PATHMAX + 64], header[4096], common[3072], gp[16384], esc[1024], title[1024], msg[1024];
    double tab[10 * 3];
    static const char *const ecols[] = {"rank", "eigenvalue", "residual"};
    int p;
    memset(S, 0, sizeof *S);
    common_header(R, common, sizeof common);
    llp_rng_seed(&rng, R->o.seed + 300);
    memset(&ld, 0, sizeof ld);
    kk = n >= 10 ? 5 : n / 2;
    if (kk < 1) kk = 1;
    ld.k_largest = kk, ld.k_smallest = kk;
    ld.max_steps = R->b.lanczos_steps < n ? R->b.lanczos_steps : n;
    if (ld.max_steps < 2 * kk) ld.max_steps = 2 * kk;
    if (ld.max_steps > n) {
        ld.max_steps = n;
        if (2 * kk > n) ld.k_largest = ld.k_smallest = kk = n / 2 ? n / 2 : 1;
    }
    ld.tol = 1e-6;
    progress_begin("Hessian: Lanczos");
    r = llp_lanczos(&R->f_tr, R->mlp.theta, &bp, &ld, &rng, &eig);
    if (r != LLP_OK) {
        progress_end();
        return runtime_error("Lanczos: %s", llp_result_string(r));
    }
    S->ktop = eig.n_largest, S->kbot = eig.k - eig.n_largest;
    for (i = 0; i < S->ktop && i < 5; i++) {
        S->top[i] = eig.values[i];
        tab[3 * i] = (double)(i + 1), tab[3 * i + 1] = eig.values[i], tab[3 * i + 2] = eig.residuals[i];
    }
    for (i = 0; i < S->kbot && i < 5; i++) {
        size_t q = S->ktop + i;
        S->bottom[i] = eig.values[q];
        tab[3 * q] = -(double)(i + 1), tab[3 * q + 1] = eig.values[q], tab[3 * q + 2] = eig.residuals[q];
    }
    S->lmax = eig.values[0];
    S->lmin = eig.values[S->ktop];
    snprintf(header, sizeof header,
             "llprobe spectrum: the %lu largest (rank 1.., descending) and %lu smallest (rank -1.., ascending) "
             "eigenvalues of the training-loss Hessian at theta by Lanczos (full reorthogonalisation, %lu steps "
             "reached, tol 1e-6; seed %llu); residual: Ritz estimate of ||H v - lambda v||\n%s\n%s",
             (unsigned long)S->ktop, (unsigned long)S->kbot, (unsigned long)eig.iters, R->o.seed + 300, eig.batch,
             common);
    llp_eig_result_free(&eig);
    out_path(R, path, sizeof path, "spectrum_eigs.dat");
    if ((r = llp_write_table(path, header, ecols, tab, S->ktop + S->kbot, 3, 0, 0, &err)) != LLP_OK) {
        progress_end();
        format_err(msg, sizeof msg, &err, r);
        return runtime_error("%s", msg);
    }
    add_file(R, "spectrum_eigs.dat");
    progress_begin("Hessian: SLQ density");
    memset(&sq, 0, sizeof sq);
    sq.runs = R->b.slq_runs;
    sq.steps = R->b.slq_steps < n ? R->b.slq_steps : n;
    r = llp_slq(&R->f_tr, R->mlp.theta, &bp, &sq, &rng, &slq);
    progress_end();
    if (r != LLP_OK) return runtime_error("SLQ: %s", llp_result_string(r));
    memset(&dd, 0, sizeof dd);
    dd.points = 1000;
    r = llp_slq_density(&slq, &dd, &dens);
    if (r == LLP_OK && llp_slq_stats(&slq, 10 < n ? 10 : n, 0, &ss) == LLP_OK) S->trace_slq = ss.trace;
    else S->trace_slq = NAN;
    llp_slq_free(&slq);
    if (r != LLP_OK) return runtime_error("SLQ density: %s", llp_result_string(r));
    snprintf(header, sizeof header,
             "llprobe spectrum: spectral density of the training-loss Hessian at theta by stochastic Lanczos "
             "quadrature (%lu runs x %lu steps, Rademacher starts, seed %llu)\n%s",
             (unsigned long)sq.runs, (unsigned long)sq.steps, R->o.seed + 300, common);
    out_path(R, path, sizeof path, "spectrum_density.dat");
    r = llp_density_write(&dens, path, header, &err);
    llp_density_free(&dens);
    if (r != LLP_OK) {
        format_err(msg, sizeof msg, &err, r);
        return runtime_error("%s", msg);
    }
    add_file(R, "spectrum_density.dat");
    snprintf(title, sizeof title, "Hessian of the training loss of a %s (%s) at the model", R->arch, R->data_base);
    gp_escape(esc, sizeof esc, title);
    p = gp_begin(gp, sizeof gp, "spectrum", "Hessian spectral density and extreme eigenvalues", 1300, 560);
    p += snprintf(gp + p, sizeof gp - (size_t)p,
                  "set output \"spectrum.png\"\n"
                  "set multiplot layout 1,2 title \"%s\"\n"
                  "set title \"spectral density (SLQ, %lu runs x %lu steps, Gaussian broadening)\"\n"
                  "set xlabel \"eigenvalue lambda\"\n"
                  "set ylabel \"density (log scale)\"\n"
                  "set logscale y\n"
                  "set format y \"10^{%%L}\"\n"
                  "set yrange [1e-6:*]\n"
                  "set grid lc rgb \"#dddddd\"\n"
                  "set key top right box opaque\n"
                  "plot \"spectrum_density.dat\" using 1:($2 > 1e-6 ? $2 : NaN) with lines lw 2 lc rgb \"#1f5fa8\" "
                  "title sprintf(\"density; lambda_{max} %%.3g, lambda_{min} %%.3g\", %.17g, %.17g)\n"
                  "unset logscale y\n"
                  "set yrange [*:*]\n"
                  "set format y \"%%g\"\n"
                  "set title \"extreme eigenvalues (Lanczos)\"\n"
                  "set xlabel \"rank (1..%lu: largest, -1..-%lu: smallest)\"\n"
                  "set ylabel \"eigenvalue\"\n"
                  "set xrange [-%lu.5:%lu.5]\n"
                  "set xzeroaxis lt 0\n"
                  "set key top left\n"
                  "plot \"spectrum_eigs.dat\" using 1:2 with impulses lw 3 lc rgb \"#d1492e\" notitle, \\\n"
                  "     \"spectrum_eigs.dat\" using 1:2 with points pt 7 ps 1.4 lc rgb \"#d1492e\" title "
                  "\"Ritz values\"\n"
                  "unset multiplot\n",
                  esc, (unsigned long)sq.runs, (unsigned long)sq.steps, S->lmax, S->lmin, (unsigned long)S->ktop,
                  (unsigned long)S->kbot, (unsigned long)S->kbot + 0, (unsigned long)S->ktop);
    (void)p;
    return write_gp(R, "spectrum.gp", gp);
}

/* ---- PCA plane of the trajectory ---- */
static int do_pca(run_t *R, const trained_t *T, size_t grid, double *explained) {
    size_t n = R->mlp.n_params, Tn = T->t.traj.count, i;
    llp_pca pca;
    llp_surface_desc sd;
    llp_surface s;
    llp_error err;
    llp_result r;
    double x0 = HUGE_VAL, x1 = -HUGE_VAL, y0 = HUGE_VAL, y1 = -HUGE_VAL, m, *tab;
    char path[PATHMAX + 64], header[8192], common[3072], msg[1024], title[1024], xl[256], yl[256];
    static const char *const pcols[] = {"step", "pc1", "pc2", "offplane", "train_loss", "val_loss"};
    int rc;
    explained[0] = explained[1] = NAN;
    if (Tn < 3) {
        note("the trajectory has %lu snapshots: no PCA plane", (unsigned long)Tn);
        return 0;
    }
    r = llp_pca_trajectory(T->t.traj.theta, Tn, n, R->mlp.theta, 0, 2, &pca);
    if (r != LLP_OK) {
        note("no PCA plane of the trajectory: %s", llp_result_string(r));
        return 0;
    }
    explained[0] = pca.explained[0], explained[1] = pca.explained[1];
    for (i = 0; i < Tn; i++) {
        double a = pca.coords[2 * i], b = pca.coords[2 * i + 1];
        x0 = a < x0 ? a : x0, x1 = a > x1 ? a : x1;
        y0 = b < y0 ? b : y0, y1 = b > y1 ? b : y1;
    }
    m = 0.15 * (x1 - x0 > y1 - y0 ? x1 - x0 : y1 - y0);
    if (!(m > 0)) m = 1;
    x0 -= m, x1 += m, y0 -= m, y1 += m;
    common_header(R, common, sizeof common);
    snprintf(header, sizeof header,
             "llprobe pca surface: training and validation loss (%s) and accuracy at theta + x e1 + y e2, e1 and e2 "
             "the first two principal components (unit vectors) of the training trajectory (%lu snapshots, rows "
             "theta_i - theta, not centred; Li et al. 2018); explained variance %.6f and %.6f, off-plane residual "
             "%.6f; grid %lu x %lu over the trajectory's box plus a 15%% margin\n%s",
             loss_label(R), (unsigned long)Tn, pca.explained[0], pca.explained[1], pca.residual, (unsigned long)grid,
             (unsigned long)grid, common);
    out_path(R, path, sizeof path, "pca_surface.dat");
    memset(&sd, 0, sizeof sd);
    sd.x_min = x0, sd.x_max = x1, sd.y_min = y0, sd.y_max = y1;
    sd.nx = sd.ny = grid;
    sd.path = path;
    sd.header = header;
    sd.progress = surface_progress;
    memset(&err, 0, sizeof err);
    progress_begin("PCA-plane surface");
    r = llp_surface_compute(&R->f_tr, &R->f_va, R->mlp.theta, pca.components, pca.components + n, &sd, &s, &err);
    progress_end();
    if (r != LLP_OK) {
        llp_pca_free(&pca);
        format_err(msg, sizeof msg, &err, r);
        return runtime_error("PCA surface: %s", msg);
    }
    add_file(R, "pca_surface.dat");
    tab = (double *)malloc(Tn * 6 * sizeof *tab);
    if (!tab) {
        llp_surface_free(&s);
        llp_pca_free(&pca);
        return runtime_error("out of memory");
    }
    for (i = 0; i < Tn; i++) {
        const llp_real *x = T->t.traj.theta + i * n;
        tab[6 * i] = (double)T->t.traj.steps[i];
        tab[6 * i + 1] = pca.coords[2 * i], tab[6 * i + 2] = pca.coords[2 * i + 1];
        tab[6 * i + 3] = pca.offplane[i];
        tab[6 * i + 4] = loss_at(&R->f_tr, x);
        tab[6 * i + 5] = loss_at(&R->f_va, x);
    }
    snprintf(header, sizeof header,
             "llprobe pca path: the training trajectory (%lu snapshots of theta) in the plane theta + x e1 + y e2 of "
             "its first two principal components; pc1, pc2: least-squares coordinates; offplane: distance from the "
             "plane; train_loss, val_loss: at the snapshot itself (full splits)\n%s",
             (unsigned long)Tn, common);
    out_path(R, path, sizeof path, "pca_path.dat");
    r = llp_write_table(path, header, pcols, tab, Tn, 6, 0, 0, &err);
    free(tab);
    if (r != LLP_OK) {
        llp_surface_free(&s);
        llp_pca_free(&pca);
        format_err(msg, sizeof msg, &err, r);
        return runtime_error("%s", msg);
    }
    add_file(R, "pca_path.dat");
    snprintf(title, sizeof title,
             "Training trajectory of a %s (%s)\non the training loss in the plane of its first two principal "
             "components\n(%lu snapshots; PCs explain %.1f%% + %.1f%% of the spread, off-plane residual %.3f)",
             R->arch, R->data_base, (unsigned long)Tn, 100 * pca.explained[0], 100 * pca.explained[1], pca.residual);
    snprintf(xl, sizeof xl, "PC 1 (%.1f%% of the variance)", 100 * pca.explained[0]);
    snprintf(yl, sizeof yl, "PC 2 (%.1f%%)", 100 * pca.explained[1]);
    rc = surface_gp(R, "pca.gp", "pca.png", "pca_surface.dat", title, xl, yl, &s, "pca_path.dat",
                    loss_at(&R->f_tr, R->mlp.theta), 0);
    llp_surface_free(&s);
    llp_pca_free(&pca);
    return rc;
}

/* ---- gnuplot ---- */
static int have_gnuplot(void) {
#if LLPROBE_CLI_POSIX
    return system("command -v gnuplot >/dev/null 2>&1") == 0;
#else
    return 0;
#endif
}

/* Render every figure; returns the number rendered (or -1 without gnuplot). */
static int render_figures(run_t *R) {
    char q[PATHMAX * 4 + 8], cmd[PATHMAX * 4 + 256];
    size_t i;
    int ok = 0;
    if (R->n_figures == 0) return 0;
    if (!have_gnuplot()) return -1;
    shell_quote(q, sizeof q, R->outdir);
    fflush(stdout);
    progress_begin("rendering figures");
    for (i = 0; i < R->n_figures; i++) {
        char png[80];
        size_t L = strlen(R->figures[i]);
        progress(i, R->n_figures);
        snprintf(cmd, sizeof cmd, "cd %s && gnuplot %s %s", q, R->figures[i], g_quiet ? ">/dev/null 2>&1" : ">/dev/null");
        if (system(cmd) == 0) {
            snprintf(png, sizeof png, "%.*s.png", (int)(L > 3 ? L - 3 : L), R->figures[i]);
            {
                char pp[PATHMAX + 80];
                out_path(R, pp, sizeof pp, png);
                if (file_readable(pp)) {
                    add_file(R, png);
                    ok++;
                } else {
                    note("gnuplot did not write %s", png);
                }
            }
        } else {
            note("gnuplot failed on %s", R->figures[i]);
        }
    }
    progress_end();
    return ok;
}

static void print_files(run_t *R, int rendered) {
    size_t i;
    char q[PATHMAX * 4 + 8];
    printf("files        %s/:", R->outdir);
    for (i = 0; i < R->n_files; i++) printf(" %s", R->files[i]);
    printf("\n");
    if (rendered < 0 && R->n_figures) {
        shell_quote(q, sizeof q, R->outdir);
        printf("figures      gnuplot is not on the PATH; render them with:\n"
               "             (cd %s && for f in *.gp; do gnuplot \"$f\"; done)\n", q);
    } else if (R->n_figures) {
        printf("figures      %d of %lu rendered (.png)\n", rendered, (unsigned long)R->n_figures);
    }
}

static void print_header(const run_t *R) {
    printf("llprobe %s: %s (%lu samples: %lu training, %lu validation; %lu features, %s)\n", cmd_names[R->o.cmd],
           R->data_base, (unsigned long)R->all.n, (unsigned long)R->tr.n, (unsigned long)R->va.n,
           (unsigned long)R->all.d, R->classify ? "classification" : "regression");
    printf("model        %s, %lu parameters%s\n", R->arch, (unsigned long)R->mlp.n_params,
           R->have_model ? " (loaded from --model)" : "");
}

static void print_training(const run_t *R, const trained_t *T) {
    if (!T->ran) {
        printf("model state  training loss %.4g, validation loss %.4g", loss_at(&R->f_tr, R->mlp.theta),
               loss_at(&R->f_va, R->mlp.theta));
        if (R->classify) printf(", validation accuracy %.4f", acc_at(&R->f_va, R->mlp.theta));
        printf("\n");
        return;
    }
    printf("trained      %s lr %g, %lu epoch%s, %s (%lu steps): training loss %.4g, validation loss %.4g",
           llp_opt_name(R->od.kind), R->od.lr, (unsigned long)R->epochs, R->epochs == 1 ? "" : "s",
           R->batch ? "mini-batches" : "full batch",
           (unsigned long)T->steps, T->train_loss, T->val_loss);
    if (R->classify) printf(", validation accuracy %.4f", T->val_acc);
    printf("\n");
}

/* ------------------------------------------------------------------------
   Subcommands
   ------------------------------------------------------------------------ */

static int find_metric(const llp_report *rep, const char *key, double *v) {
    llp_report_metric rows[LLP_REPORT_MAX_METRICS];
    size_t m = llp_report_metrics(rep, rows, LLP_REPORT_MAX_METRICS), i;
    if (m > LLP_REPORT_MAX_METRICS) m = LLP_REPORT_MAX_METRICS;
    for (i = 0; i < m; i++)
        if (strcmp(rows[i].key, key) == 0) {
            *v = rows[i].value;
            return 1;
        }
    *v = NAN;
    return 0;
}

static int cmd_report(run_t *R) {
    trained_t T;
    llp_report_desc rd;
    llp_train_desc ms_td;
    llp_report rep;
    llp_result r;
    llp_error err;
    spectrum_t S;
    char path[PATHMAX + 64], msg[1024], *reading = NULL;
    double lmax, trace, rough, ex[2] = {NAN, NAN};
    int rc, rendered;
    size_t rl;
    memset(&T, 0, sizeof T);
    if (!R->have_model) {
        if ((rc = train_model(R, &T, 1)) != 0) return rc;
        if ((rc = save_model(R)) != 0 || (rc = write_monitor(R, &T)) != 0) goto done;
    } else {
        note("--model given: no training, so no monitor and no trajectory plane");
    }
    /* the ruggedness report */
    memset(&rd, 0, sizeof rd);
    rd.budget = R->b.report;
    rd.lr = R->od.lr;
    rd.lr_kind = R->od.kind;
    rd.batch_size = R->batch;
    rd.seed = R->o.seed + 400;
    rd.mlp = &R->mlp;
    rd.data = &R->tr;
    if (R->o.budget == BUDGET_FULL) {
        /* multi-start: 5 restarts of the same training, a third of the epochs each */
        memset(&ms_td, 0, sizeof ms_td);
        ms_td.epochs = R->epochs / 3 > 0 ? R->epochs / 3 : 1;
        ms_td.batch_size = R->batch;
        ms_td.seed = R->o.seed + 2;
        rd.panel = LLP_PANEL_ALL;
        rd.train = &ms_td, rd.opt = &R->od, rd.init = llp_multistart_mlp_init, rd.init_ctx = &R->mlp;
        rd.restarts = 5;
    }
    rd.progress = report_progress; /* phase = the panel, done/total in gradient evaluations */
    progress_begin("ruggedness report");
    r = llp_report_run(&R->f_tr, &R->f_va, R->mlp.theta, &rd, &rep);
    progress_end();
    if (r != LLP_OK) {
        rc = runtime_error("the ruggedness report failed: %s", llp_result_string(r));
        goto done;
    }
    out_path(R, path, sizeof path, "report.txt");
    if ((r = llp_report_write_text(&rep, path, &err)) == LLP_OK) {
        add_file(R, "report.txt");
        out_path(R, path, sizeof path, "report.json");
        r = llp_report_write_json(&rep, path, &err);
        if (r == LLP_OK) add_file(R, "report.json");
    }
    if (r != LLP_OK) {
        llp_report_free(&rep);
        format_err(msg, sizeof msg, &err, r);
        rc = runtime_error("%s", msg);
        goto done;
    }
    find_metric(&rep, "lambda_max", &lmax);
    find_metric(&rep, "trace", &trace);
    find_metric(&rep, "slice_roughness", &rough);
    rl = llp_report_reading(&rep, NULL, 0);
    reading = (char *)malloc(rl + 1);
    if (reading) llp_report_reading(&rep, reading, rl + 1);
    llp_report_free(&rep);
    /* spectrum, slices, surface, PCA plane */
    if ((rc = do_spectrum(R, &S)) != 0) goto done;
    if ((rc = do_slices(R)) != 0) goto done;
    if ((rc = do_surface(R, R->b.grid)) != 0) goto done;
    if (T.ran && (rc = do_pca(R, &T, R->b.pca_grid, ex)) != 0) goto done;
    rendered = render_figures(R);
    /* summary */
    print_header(R);
    print_training(R, &T);
    printf("lambda_max   %.6g   (Hessian of the training loss, report panel; Lanczos here: %.6g, lambda_min %.6g)\n",
           lmax, S.lmax, S.lmin);
    printf("trace        %.6g   (Hutchinson; SLQ estimate %.6g)\n", trace, S.trace_slq);
    printf("roughness    %.6g   (random 1-D slices; a sampled parabola reads 0.0022)\n", rough);
    if (T.ran && ex[0] == ex[0])
        printf("trajectory   its first two principal components explain %.1f%% + %.1f%%\n", 100 * ex[0], 100 * ex[1]);
    if (reading) {
        char *s = reading, *e = strstr(s, ". ");
        if (e) e[1] = 0;
        printf("reading      %s\n", s);
        printf("             (the whole reading and the table: %s/report.txt)\n", R->outdir);
    }
    print_files(R, rendered);
    rc = 0;
done:
    free(reading);
    if (T.ran) llp_trainer_free(&T.t);
    return rc;
}

static int cmd_train(run_t *R) {
    trained_t T;
    int rc, rendered;
    if ((rc = train_model(R, &T, 0)) != 0) return rc;
    if ((rc = save_model(R)) == 0 && (rc = write_monitor(R, &T)) == 0) {
        rendered = render_figures(R);
        print_header(R);
        print_training(R, &T);
        if (R->classify) printf("accuracy     training %.4f, validation %.4f\n", T.train_acc, T.val_acc);
        print_files(R, rendered);
    }
    llp_trainer_free(&T.t);
    return rc;
}

static int cmd_surface(run_t *R) {
    trained_t T;
    int rc, rendered;
    memset(&T, 0, sizeof T);
    if (!R->have_model) {
        if ((rc = train_model(R, &T, 0)) != 0) return rc;
        llp_trainer_free(&T.t);
        if ((rc = save_model(R)) != 0) return rc;
    }
    if ((rc = do_surface(R, R->b.grid)) != 0) return rc;
    rendered = render_figures(R);
    print_header(R);
    print_training(R, &T);
    print_files(R, rendered);
    return 0;
}

static int cmd_spectrum(run_t *R) {
    trained_t T;
    spectrum_t S;
    size_t i;
    int rc, rendered;
    memset(&T, 0, sizeof T);
    if (!R->have_model) {
        if ((rc = train_model(R, &T, 0)) != 0) return rc;
        llp_trainer_free(&T.t);
        if ((rc = save_model(R)) != 0) return rc;
    }
    if ((rc = do_spectrum(R, &S)) != 0) return rc;
    rendered = render_figures(R);
    print_header(R);
    print_training(R, &T);
    printf("largest      ");
    for (i = 0; i < S.ktop; i++) printf("%s%.6g", i ? ", " : "", S.top[i]);
    printf("\nsmallest     ");
    for (i = 0; i < S.kbot; i++) printf("%s%.6g", i ? ", " : "", S.bottom[i]);
    printf("\ntrace        %.6g   (SLQ)\n", S.trace_slq);
    print_files(R, rendered);
    return 0;
}

static int cmd_lrfind(run_t *R) {
    llp_lr_find_desc ld;
    llp_lr_find_result res;
    llp_result r;
    llp_error err;
    char path[PATHMAX + 64], header[4096], common[3072], gp[8192], esc[1024], title[1024], msg[1024];
    int p, rendered;
    memset(&ld, 0, sizeof ld);
    ld.steps = R->b.lrfind_steps;
    ld.batch_size = R->batch;
    ld.seed = R->o.seed + 500;
    progress_begin("learning-rate range test");
    r = llp_lr_find(&R->f_tr, R->mlp.theta, &R->od, &ld, &res);
    progress_end();
    if (r != LLP_OK) return runtime_error("learning-rate range test: %s", llp_result_string(r));
    common_header(R, common, sizeof common);
    snprintf(header, sizeof header,
             "llprobe lr-find: %s from the %s, rates 1e-6 .. 10, mini-batches of %lu (0: full batch), seed %llu\n%s",
             llp_opt_name(R->od.kind), R->have_model ? "loaded model" : "initialisation", (unsigned long)R->batch,
             R->o.seed + 500, common);
    out_path(R, path, sizeof path, "lr_find.dat");
    r = llp_lr_find_write(&res, path, header, &err);
    if (r != LLP_OK) {
        llp_lr_find_free(&res);
        format_err(msg, sizeof msg, &err, r);
        return runtime_error("%s", msg);
    }
    add_file(R, "lr_find.dat");
    snprintf(title, sizeof title, "Learning-rate range test: %s on a %s (%s)", llp_opt_name(R->od.kind), R->arch,
             R->data_base);
    gp_escape(esc, sizeof esc, title);
    p = gp_begin(gp, sizeof gp, "lr_find", "the learning-rate range test", 1000, 620);
    p += snprintf(gp + p, sizeof gp - (size_t)p,
                  "set output \"lr_find.png\"\n"
                  "f = \"lr_find.dat\"\n"
                  "s = %.17g\n"
                  "m = %.17g\n"
                  "set title \"%s\"\n"
                  "set logscale x\n"
                  "set format x \"10^{%%L}\"\n"
                  "set xlabel \"learning rate (one step per rate, growing exponentially)\"\n"
                  "set ylabel \"training loss (%s, %s)\"\n"
                  "set grid lc rgb \"#dddddd\"\n"
                  "set key top left box opaque\n"
                  "set arrow from s, graph 0 to s, graph 1 nohead dt 2 lw 2 lc rgb \"#2a9d55\"\n"
                  "set arrow from m, graph 0 to m, graph 1 nohead dt 2 lw 2 lc rgb \"#d1492e\"\n"
                  "plot f using 1:2 with points pt 7 ps 0.4 lc rgb \"#9db7d6\" title \"step loss\", \\\n"
                  "     f using 1:3 with lines lw 2.5 lc rgb \"#1f5fa8\" title \"smoothed (EMA 0.9, "
                  "bias-corrected)\", \\\n"
                  "     NaN with lines dt 2 lw 2 lc rgb \"#2a9d55\" title sprintf(\"suggested %%.3g (steepest "
                  "descent)\", s), \\\n"
                  "     NaN with lines dt 2 lw 2 lc rgb \"#d1492e\" title sprintf(\"largest stable %%.3g\", m)\n",
                  res.suggested, res.max_stable, esc, loss_label(R), R->batch ? "mini-batch" : "full batch");
    (void)p;
    if (write_gp(R, "lr_find.gp", gp) != 0) {
        llp_lr_find_free(&res);
        return 1;
    }
    rendered = render_figures(R);
    print_header(R);
    printf("range test   %s, %lu steps%s, from the %s\n", llp_opt_name(R->od.kind), (unsigned long)res.n,
           res.stopped_early ? " (stopped early: the loss blew up)" : "",
           R->have_model ? "loaded model" : "initialisation");
    printf("suggested    %.4g   (steepest descent of the smoothed loss)\n", res.suggested);
    printf("best         %.4g   (minimum of the smoothed loss)\n", res.best);
    printf("max stable   %.4g   (largest rate before the loss exceeds its start)\n", res.max_stable);
    print_files(R, rendered);
    llp_lr_find_free(&res);
    return 0;
}

static void json_num(char *buf, size_t len, double v) {
    if (v == v && v < HUGE_VAL && v > -HUGE_VAL) snprintf(buf, len, "%.17g", v);
    else snprintf(buf, len, "null");
}

static void json_escape(char *dst, size_t len, const char *s) {
    size_t j = 0;
    for (; *s && j + 8 < len; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            dst[j++] = '\\';
            dst[j++] = (char)c;
        } else if (c < 0x20) {
            j += (size_t)snprintf(dst + j, len - j, "\\u%04x", c);
        } else {
            dst[j++] = (char)c;
        }
    }
    dst[j] = 0;
}

static int cmd_snoop(run_t *R) {
    llp_train_desc td;
    llp_snoop_desc sd;
    llp_snoop_result res;
    llp_result r;
    char path[PATHMAX + 64], *json, num[64], esc[4096];
    size_t i, cap = 16384;
    int p;
    memset(&td, 0, sizeof td);
    td.batch_size = R->batch;
    td.seed = R->o.seed + 2;
    memset(&sd, 0, sizeof sd);
    sd.steps = R->o.steps > 0 ? (size_t)R->o.steps : R->b.snoop_steps;
    sd.seed = R->o.seed + 600;
    progress_begin("snoop");
    r = llp_snoop(&R->mlp, R->theta0, &R->tr, &R->od, &td, &sd, NULL, &res);
    progress_end();
    if (r != LLP_OK) return runtime_error("snoop: %s", llp_result_string(r));
    json = (char *)malloc(cap);
    if (!json) return runtime_error("out of memory");
    json_escape(esc, sizeof esc, R->settings);
    p = snprintf(json, cap,
                 "{\n  \"format\": \"llprobe-snoop\",\n  \"version\": \"%s\",\n  \"settings\": \"%s\",\n"
                 "  \"steps\": %lu,\n  \"steps_done\": %lu,\n  \"diverged\": %s,\n  \"probe_batch\": %lu,\n"
                 "  \"batch_size\": %lu,\n",
                 VERSION_TEXT, esc, (unsigned long)res.steps, (unsigned long)res.steps_done,
                 res.diverged ? "true" : "false", (unsigned long)res.probe_batch, (unsigned long)res.batch_size);
    json_num(num, sizeof num, res.lr);
    p += snprintf(json + p, cap - (size_t)p, "  \"lr\": %s,\n", num);
    json_num(num, sizeof num, res.edge);
    p += snprintf(json + p, cap - (size_t)p, "  \"edge\": %s,\n  \"features\": {\n", num);
    for (i = 0; i < LLP_SNOOP_N_FEATURES; i++) {
        json_num(num, sizeof num, res.features[i]);
        p += snprintf(json + p, cap - (size_t)p, "    \"%s\": %s%s\n", llp_snoop_feature_name((int)i), num,
                      i + 1 < LLP_SNOOP_N_FEATURES ? "," : "");
    }
    json_num(num, sizeof num, res.cost.grad_equiv);
    p += snprintf(json + p, cap - (size_t)p, "  },\n  \"cost\": {\n    \"grad_equiv\": %s,\n", num);
    json_num(num, sizeof num, res.cost.data_equiv);
    p += snprintf(json + p, cap - (size_t)p, "    \"data_equiv\": %s,\n", num);
    json_num(num, sizeof num, res.train_cost.data_equiv);
    p += snprintf(json + p, cap - (size_t)p, "    \"train_data_equiv\": %s,\n", num);
    json_num(num, sizeof num, res.probe_cost.data_equiv);
    p += snprintf(json + p, cap - (size_t)p, "    \"probe_data_equiv\": %s\n  }\n}\n", num);
    out_path(R, path, sizeof path, "snoop.json");
    if (write_text_atomic(path, json) != 0) {
        free(json);
        return runtime_error("cannot write %s: %s", path, strerror(errno));
    }
    free(json);
    add_file(R, "snoop.json");
    print_header(R);
    printf("snoop        %lu %s steps (lr %g, %s) from the %s%s; probe batch %lu samples\n",
           (unsigned long)res.steps_done, llp_opt_name(R->od.kind), R->od.lr,
           R->batch ? "mini-batches" : "full batch", R->have_model ? "loaded model" : "initialisation",
           res.diverged ? ", DIVERGED" : "", (unsigned long)res.probe_batch);
    printf("  %-16s %s\n", "feature", "value");
    for (i = 0; i < LLP_SNOOP_N_FEATURES; i++) printf("  %-16s %.6g\n", llp_snoop_feature_name((int)i), res.features[i]);
    printf("cost         %.4g full-data gradient evaluations (%.4g training, %.4g probes)\n", res.cost.data_equiv,
           res.train_cost.data_equiv, res.probe_cost.data_equiv);
    print_files(R, 0);
    return 0;
}

int main(int argc, char **argv) {
    run_t *R;
    int rc;
    R = (run_t *)calloc(1, sizeof *R);
    if (!R) {
        fprintf(stderr, "llprobe: out of memory\n");
        return 1;
    }
    rc = parse_args(argc, argv, &R->o);
    if (rc != 0) {
        free(R);
        return rc == 1 ? 0 : 2;
    }
    g_quiet = R->o.quiet;
#if LLPROBE_CLI_POSIX
    g_tty = isatty(2);
#endif
#ifdef _OPENMP
    if (R->o.threads > 0) omp_set_num_threads(R->o.threads);
#endif
    rc = prepare(R, argv[0]);
    if (rc == 0) rc = open_outdir(R);
    if (rc == 0) {
        switch (R->o.cmd) {
        case CMD_REPORT: rc = cmd_report(R); break;
        case CMD_TRAIN: rc = cmd_train(R); break;
        case CMD_SURFACE: rc = cmd_surface(R); break;
        case CMD_SPECTRUM: rc = cmd_spectrum(R); break;
        case CMD_LRFIND: rc = cmd_lrfind(R); break;
        case CMD_SNOOP: rc = cmd_snoop(R); break;
        }
    }
    fflush(stdout);
    free_run(R);
    free(R);
    return rc;
}
