/* bench_mlp.c — how fast is llprobe's MLP engine?

   Times the three evaluations every probe is built from, on the three MLPs of
   BENCHMARKING.md (tanh hidden layers, softmax cross-entropy, double, 1 thread):

     A  2-16-16-2       batch  256  two spirals (synthetic)
     B  64-128-128-10   batch 1797  the digits data, standardised, full batch
     C  784-256-256-10  batch 1024  Gaussian inputs and random labels (Fashion-MNIST shaped)

   and for each: loss only (llp_mlp_loss_grad with grad = NULL), loss and
   gradient (llp_mlp_loss_grad), and the exact Hessian-vector product
   (llp_mlp_hvp, which includes its own forward pass).

   Before timing, the numbers are checked (a fast wrong answer is not a
   result): the gradient against central differences of the loss on a few
   coordinates, and H v against the central difference of gradients along v.
   A failed check exits with status 1 before anything is timed.

   usage: bench_mlp [--quick] [--config A|B|C|AB...] [path/to/digits.csv]
     --quick   0.2 s per measurement instead of 1 s (a smoke run)
     digits.csv defaults to $LLP_SOURCE_ROOT/data/digits.csv, else data/digits.csv

   Method: each operation is warmed up, then timed call by call until it has
   run for at least 1 s in total and at least 5 times. The three operations of
   a configuration are timed in interleaved slices, so a drift in machine
   speed affects all three alike and the HVP/gradient ratio stays fair. The
   table gives the median and the interquartile range (q1..q3) in ms, and
   GFLOP/s at the median counting 2*B*in*out per dense product. */
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"

#define N_LAYERS 3

typedef struct config {
    char name;
    int sizes[N_LAYERS + 1];
    size_t batch;
    const char *data;        /* what the inputs are */
    double torch_grad_ms;    /* PyTorch reference (BENCHMARKING.md), not measured here */
    double torch_hvp_ms;
} config;

static const config configs[] = {
    {'A', {2, 16, 16, 2}, 256, "two spirals", 0.196, 0.495},
    {'B', {64, 128, 128, 10}, 1797, "digits.csv", 9.3, 22.7},
    {'C', {784, 256, 256, 10}, 1024, "Gaussian", 32.6, 80.4},
};
#define N_CONFIGS (sizeof configs / sizeof configs[0])

enum { OP_LOSS, OP_GRAD, OP_HVP, N_OPS };
static const char *op_names[N_OPS] = {"loss", "loss+grad", "hvp"};

/* Everything one configuration needs; theta, v, grad, hv: (n_params). */
typedef struct bench {
    const config *cfg;
    llp_mlp mlp;
    llp_data data;
    llp_mlp_work work;
    llp_real *theta, *v, *grad, *hv, *tmp, *g2;
} bench;

typedef struct stats {
    size_t runs;
    double median, q1, q3, min; /* seconds */
} stats;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- FLOP counts: 2*B*in*out per dense product ---------------------------- */

static double dense_flops(const config *c, int l) {
    return 2.0 * (double)c->batch * c->sizes[l] * c->sizes[l + 1];
}

/* Forward: one product per layer (x W^T). */
static double flops_forward(const config *c) {
    double f = 0;
    int l;
    for (l = 0; l < N_LAYERS; l++) f += dense_flops(c, l);
    return f;
}

/* Gradient: the forward, plus two products per layer in the backward pass
   (dW = dz^T x and dx = dz W), minus dx of the first layer, which is not
   needed and not computed. */
static double flops_grad(const config *c) {
    return 3 * flops_forward(c) - dense_flops(c, 0);
}

/* HVP: the products llp__mlp_pass performs in LLP__PASS_HVP mode (read from
   llprobe.h; x = layer input, rx its tangent, V the part of v for layer l):
     forward, per layer:    z = x W^T                     1
                            rz = x V^T                    1
                            rz += rx W^T      (l > 0)     1
     backward, per layer:   R(dW) += rdz^T x              1
                            R(dW) += dz^T rx  (l > 0)     1
                            rdx = rdz W       (l > 0)     1
                            rdx += dz V       (l > 0)     1
                            dx = dz W         (l > 0)     1
   so 3 products for the first layer and 8 for each later one: 8L - 5 in all,
   19 for three layers against 8 for the gradient (ratio 2.4 when the layers
   are of equal cost, less when the first layer dominates, as in C). The
   gradient dW itself is not formed: H v needs only dz and its tangent.
   Not counted, on either side: the weight transposes llp__gemm_nt makes
   before each product of the forward passes (in*out copies each), the
   activations, the loss and the bias sums. */
static double flops_hvp(const config *c) {
    double f = 0;
    int l;
    for (l = 0; l < N_LAYERS; l++) f += (l == 0 ? 3 : 8) * dense_flops(c, l);
    return f;
}

/* ---- set-up ------------------------------------------------------------- */

static void fail_result(const char *what, llp_result r) {
    fprintf(stderr, "bench_mlp: %s: %s\n", what, llp_result_string(r));
    exit(2);
}

static void fail_error(const llp_error *err, llp_result r) {
    fprintf(stderr, "%s:%ld:%ld: %s (%s)\n", err->file, err->line, err->column, err->message, llp_result_string(r));
    exit(2);
}

static llp_real *alloc_reals(size_t n) {
    llp_real *p = (llp_real *)malloc(n * sizeof *p);
    if (!p) fail_result("allocation", LLP_ERR_NOMEM);
    return p;
}

static void bench_init(bench *b, const config *c, const char *digits_path) {
    llp_mlp_desc md;
    llp_rng rng;
    llp_error err;
    llp_result r;
    size_t n, i;
    int l;
    memset(b, 0, sizeof *b);
    b->cfg = c;
    llp_rng_seed(&rng, 20240601u + (uint64_t)c->name);
    if (c->name == 'A') {
        r = llp_data_spirals(&b->data, c->batch, 1.5, 0.1, &rng);
    } else if (c->name == 'B') {
        llp_csv_desc csv;
        memset(&csv, 0, sizeof csv);
        r = llp_data_load_csv(&b->data, digits_path, &csv, &err);
        if (r != LLP_OK) fail_error(&err, r);
        r = llp_data_standardize(&b->data, NULL, NULL);
        if (r == LLP_OK && b->data.n != c->batch) {
            fprintf(stderr, "bench_mlp: %s has %lu rows, expected %lu\n", digits_path, (unsigned long)b->data.n,
                    (unsigned long)c->batch);
            exit(2);
        }
    } else {
        r = llp_data_alloc(&b->data, c->batch, (size_t)c->sizes[0], LLP_TASK_CLASSIFICATION,
                           (size_t)c->sizes[N_LAYERS]);
        if (r == LLP_OK) {
            llp_rng_fill_normal(&rng, b->data.x, b->data.n * b->data.d);
            for (i = 0; i < b->data.n; i++) b->data.labels[i] = (int)llp_rng_below(&rng, b->data.n_classes);
        }
    }
    if (r != LLP_OK) fail_result("data", r);

    memset(&md, 0, sizeof md);
    md.n_layers = N_LAYERS;
    for (l = 0; l <= N_LAYERS; l++) md.sizes[l] = c->sizes[l];
    md.act = LLP_ACT_TANH;
    md.loss = LLP_LOSS_SOFTMAX_CE;
    r = llp_mlp_init(&b->mlp, &md);
    if (r != LLP_OK) fail_result("llp_mlp_init", r);
    r = llp_mlp_check_data(&b->mlp, &b->data, &err);
    if (r != LLP_OK) fail_result(err.message, r);
    r = llp_mlp_work_init(&b->work, &b->mlp, c->batch); /* one chunk: the whole batch */
    if (r != LLP_OK) fail_result("llp_mlp_work_init", r);

    n = b->mlp.n_params;
    b->theta = b->mlp.theta;
    llp_mlp_randomize(&b->mlp, b->theta, &rng);
    b->v = alloc_reals(n);
    b->grad = alloc_reals(n);
    b->hv = alloc_reals(n);
    b->tmp = alloc_reals(n);
    b->g2 = alloc_reals(n);
    llp_rng_fill_normal(&rng, b->v, n);
}

static void bench_free(bench *b) {
    free(b->v);
    free(b->grad);
    free(b->hv);
    free(b->tmp);
    free(b->g2);
    llp_mlp_work_free(&b->work);
    llp_mlp_free(&b->mlp);
    llp_data_free(&b->data);
}

/* One evaluation of operation `op` over the whole batch. */
static llp_result run_op(bench *b, int op, llp_real *loss) {
    if (op == OP_HVP) return llp_mlp_hvp(&b->mlp, b->theta, b->v, &b->data, NULL, b->hv, loss, &b->work);
    return llp_mlp_loss_grad(&b->mlp, b->theta, &b->data, NULL, loss, op == OP_GRAD ? b->grad : NULL, &b->work);
}

/* ---- the check before timing ------------------------------------------- */

static double loss_at(bench *b, const llp_real *theta) {
    llp_real l = 0;
    llp_result r = llp_mlp_loss_grad(&b->mlp, theta, &b->data, NULL, &l, NULL, &b->work);
    if (r != LLP_OK) fail_result("llp_mlp_loss_grad", r);
    return l;
}

static void grad_at(bench *b, const llp_real *theta, llp_real *g) {
    llp_real l;
    llp_result r = llp_mlp_loss_grad(&b->mlp, theta, &b->data, NULL, &l, g, &b->work);
    if (r != LLP_OK) fail_result("llp_mlp_loss_grad", r);
}

/* Returns 1 when
   - the three modes agree on the loss (to 1e-12 relative);
   - dL/dtheta_i equals (L(theta + h e_i) - L(theta - h e_i)) / 2h to 1e-6
     relative to ||g||_inf, on the largest and one random weight and the
     largest bias of each layer (h = eps^(1/3) (1 + |theta_i|));
   - H v equals (g(theta + h v) - g(theta - h v)) / 2h to 1e-6 in the
     relative 2-norm (h = eps^(1/3) (1 + ||theta||) / ||v||). */
static int check(bench *b) {
    const double eps = 2.220446049250313e-16, tol = 1e-6;
    const llp_mlp *m = &b->mlp;
    size_t n = m->n_params, i;
    llp_real l_loss, l_grad, l_hvp;
    double gmax, grad_err = 0, hvp_err, h, dl;
    llp_rng rng;
    int l, k, ok;
    for (k = 0; k < N_OPS; k++) {
        llp_result r = run_op(b, k, k == OP_LOSS ? &l_loss : k == OP_GRAD ? &l_grad : &l_hvp);
        if (r != LLP_OK) fail_result(op_names[k], r);
    }
    dl = fabs(l_loss - l_grad) + fabs(l_loss - l_hvp);
    gmax = llp_nrminf(b->grad, n);

    llp_rng_seed(&rng, 7);
    llp_copy(b->theta, b->tmp, n);
    for (l = 0; l < m->n_layers; l++) {
        size_t nw = (size_t)m->sizes[l] * (size_t)m->sizes[l + 1], nb = (size_t)m->sizes[l + 1];
        size_t coords[3], j;
        coords[0] = coords[2] = 0;
        for (j = 0; j < nw; j++)
            if (fabs(b->grad[m->w_off[l] + j]) > fabs(b->grad[m->w_off[l] + coords[0]])) coords[0] = j;
        coords[0] += m->w_off[l];
        coords[1] = m->w_off[l] + (size_t)llp_rng_below(&rng, nw);
        for (j = 0; j < nb; j++)
            if (fabs(b->grad[m->b_off[l] + j]) > fabs(b->grad[m->b_off[l] + coords[2]])) coords[2] = j;
        coords[2] += m->b_off[l];
        for (k = 0; k < 3; k++) {
            double fd, t0 = b->theta[coords[k]];
            h = cbrt(eps) * (1 + fabs(t0));
            b->tmp[coords[k]] = (llp_real)(t0 + h);
            fd = loss_at(b, b->tmp);
            b->tmp[coords[k]] = (llp_real)(t0 - h);
            fd = (fd - loss_at(b, b->tmp)) / (2 * h);
            b->tmp[coords[k]] = (llp_real)t0;
            if (fabs(fd - b->grad[coords[k]]) / gmax > grad_err) grad_err = fabs(fd - b->grad[coords[k]]) / gmax;
        }
    }

    h = cbrt(eps) * (1 + llp_nrm2(b->theta, n)) / llp_nrm2(b->v, n);
    for (i = 0; i < n; i++) b->tmp[i] = b->theta[i] + (llp_real)h * b->v[i];
    grad_at(b, b->tmp, b->g2);
    for (i = 0; i < n; i++) b->tmp[i] = b->theta[i] - (llp_real)h * b->v[i];
    grad_at(b, b->tmp, b->grad);
    for (i = 0; i < n; i++) b->tmp[i] = (b->g2[i] - b->grad[i]) / (2 * h) - b->hv[i];
    hvp_err = llp_nrm2(b->tmp, n) / llp_nrm2(b->hv, n);

    ok = dl <= 1e-12 * fabs(l_loss) && grad_err <= tol && hvp_err <= tol;
    printf("%c: loss %.6f, grad vs central differences %.1e (x ||g||_inf, %d coords), "
           "hvp vs central difference of gradients %.1e (rel) -> %s\n",
           b->cfg->name, (double)l_loss, grad_err, 3 * m->n_layers, hvp_err, ok ? "check ok" : "CHECK FAILED");
    return ok;
}

/* ---- timing ------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantile q of sorted t[0..n-1], linear interpolation between order statistics. */
static double quantile(const double *t, size_t n, double q) {
    double pos = q * (double)(n - 1);
    size_t i = (size_t)pos;
    if (i + 1 >= n) return t[n - 1];
    return t[i] + (pos - (double)i) * (t[i + 1] - t[i]);
}

typedef struct samples {
    double *t, total;
    size_t n, cap;
} samples;

static void time_one(bench *b, int op, samples *s) {
    llp_real loss;
    double t0 = now_s(), dt;
    llp_result r = run_op(b, op, &loss);
    dt = now_s() - t0;
    if (r != LLP_OK) fail_result(op_names[op], r);
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->t = (double *)realloc(s->t, s->cap * sizeof *s->t);
        if (!s->t) fail_result("allocation", LLP_ERR_NOMEM);
    }
    s->t[s->n++] = dt;
    s->total += dt;
}

/* Warm up each operation (>= 1 call and min_time/10), then time them in
   interleaved slices of min_time/5 until each has >= min_time and >= 5 runs. */
static void measure(bench *b, double min_time, stats out[N_OPS]) {
    samples s[N_OPS];
    int op, pending;
    memset(s, 0, sizeof s);
    for (op = 0; op < N_OPS; op++) {
        double t0 = now_s();
        llp_real loss;
        do run_op(b, op, &loss);
        while (now_s() - t0 < 0.1 * min_time);
    }
    do {
        pending = 0;
        for (op = 0; op < N_OPS; op++) {
            double t0 = now_s();
            if (s[op].total >= min_time && s[op].n >= 5) continue;
            pending = 1;
            do time_one(b, op, &s[op]);
            while (now_s() - t0 < 0.2 * min_time);
        }
    } while (pending);
    for (op = 0; op < N_OPS; op++) {
        qsort(s[op].t, s[op].n, sizeof *s[op].t, cmp_double);
        out[op].runs = s[op].n;
        out[op].median = quantile(s[op].t, s[op].n, 0.5);
        out[op].q1 = quantile(s[op].t, s[op].n, 0.25);
        out[op].q3 = quantile(s[op].t, s[op].n, 0.75);
        out[op].min = s[op].t[0];
        free(s[op].t);
    }
}

/* ---- main --------------------------------------------------------------- */

/* The machines are shared: say how busy this one was (Linux; silent elsewhere). */
static void print_load(void) {
    char line[128];
    FILE *f = fopen("/proc/loadavg", "r");
    if (!f) return;
    if (fgets(line, sizeof line, f)) printf("load average (1, 5, 15 min, runnable/total): %s", line);
    fclose(f);
}

static void usage(void) {
    fprintf(stderr, "usage: bench_mlp [--quick] [--config A|B|C|AB|...] [path/to/digits.csv]\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *which = "ABC", *digits = NULL, *root = getenv("LLP_SOURCE_ROOT");
    char path[4096];
    double min_time = 1.0;
    stats st[N_CONFIGS][N_OPS];
    int done[N_CONFIGS] = {0}, i, all_ok = 1;
    size_t c;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) min_time = 0.2;
        else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) which = argv[++i];
        else if (argv[i][0] == '-') usage();
        else digits = argv[i];
    }
    if (!*which || strspn(which, "ABC") != strlen(which)) usage();
    if (!digits) {
        if (root && *root) {
            snprintf(path, sizeof path, "%s/data/digits.csv", root);
            digits = path;
        } else {
            digits = "data/digits.csv";
        }
    }

    printf("bench_mlp: llprobe %s, %s, 1 thread, tanh hidden layers + softmax cross-entropy\n", LLPROBE_VERSION_STRING,
           LLP_REAL_IS_FLOAT ? "float" : "double");
    printf("each operation: warm-up, then >= %.1f s and >= 5 runs, interleaved; median and IQR (q1..q3)\n",
           min_time);
    print_load();
    printf("\n");
    fflush(stdout);

    for (c = 0; c < N_CONFIGS; c++) {
        bench b;
        if (!strchr(which, configs[c].name)) continue;
        bench_init(&b, &configs[c], digits);
        if (!check(&b)) {
            all_ok = 0;
            bench_free(&b);
            continue;
        }
        fflush(stdout);
        measure(&b, min_time, st[c]);
        done[c] = 1;
        bench_free(&b);
    }
    if (!all_ok) {
        fprintf(stderr, "bench_mlp: a check failed; nothing timed is reported\n");
        return 1;
    }

    printf("\n%-6s %-15s %5s %7s  %-9s %5s %10s %21s %9s %8s %10s %7s\n", "config", "layers", "batch", "params", "op",
           "runs", "median ms", "IQR ms", "min ms", "GFLOP/s", "torch ms*", "ratio*");
    for (c = 0; c < N_CONFIGS; c++) {
        const config *cf = &configs[c];
        char layers[64], iqr[48];
        size_t n_params = 0;
        int op, l;
        if (!done[c]) continue;
        snprintf(layers, sizeof layers, "%d-%d-%d-%d", cf->sizes[0], cf->sizes[1], cf->sizes[2], cf->sizes[3]);
        for (l = 0; l < N_LAYERS; l++) n_params += (size_t)(cf->sizes[l] + 1) * (size_t)cf->sizes[l + 1];
        for (op = 0; op < N_OPS; op++) {
            const stats *s = &st[c][op];
            double fl = op == OP_LOSS ? flops_forward(cf) : op == OP_GRAD ? flops_grad(cf) : flops_hvp(cf);
            double ref = op == OP_GRAD ? cf->torch_grad_ms : op == OP_HVP ? cf->torch_hvp_ms : 0;
            char refs[16] = "-", ratio[16] = "-";
            snprintf(iqr, sizeof iqr, "%.4g .. %.4g", 1e3 * s->q1, 1e3 * s->q3);
            if (ref > 0) {
                snprintf(refs, sizeof refs, "%.3g", ref);
                snprintf(ratio, sizeof ratio, "%.2f", 1e3 * s->median / ref);
            }
            printf("%-6c %-15s %5lu %7lu  %-9s %5lu %10.4g %21s %9.4g %8.2f %10s %7s\n", op ? ' ' : cf->name,
                   op ? "" : layers, (unsigned long)cf->batch, (unsigned long)n_params, op_names[op],
                   (unsigned long)s->runs, 1e3 * s->median, iqr, 1e3 * s->min, fl / s->median * 1e-9, refs, ratio);
        }
    }
    printf("\nHVP / gradient time, target <= 2.5 (ratio of the medians; of the minima; of the FLOP counts):\n");
    for (c = 0; c < N_CONFIGS; c++) {
        double r;
        if (!done[c]) continue;
        r = st[c][OP_HVP].median / st[c][OP_GRAD].median;
        printf("  %c  %.2f  (min %.2f, FLOPs %.2f)  %s\n", configs[c].name, r, st[c][OP_HVP].min / st[c][OP_GRAD].min,
               flops_hvp(&configs[c]) / flops_grad(&configs[c]), r <= 2.5 ? "met" : "NOT met");
    }
    print_load();
    printf("\n* torch ms: PyTorch 1.13 + OpenBLAS 0.3.21, float64, 1 thread, median (BENCHMARKING.md):\n"
           "  reference figures taken on this machine kind, NOT measured in this run.\n"
           "  ratio = llprobe median / reference (> 1: llprobe is slower). HVP reference includes the forward pass.\n");
    return 0;
}
