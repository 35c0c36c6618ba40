/* bench_mlp.c — how fast is llprobe's MLP engine?

   Times the evaluations every probe is built from, on the three MLPs of
   BENCHMARKING.md (tanh hidden layers, softmax cross-entropy, double, 1 thread):

     A  2-16-16-2       batch  256  two spirals (synthetic)
     B  64-128-128-10   batch 1797  the digits data, standardised, full batch
     C  784-256-256-10  batch 1024  Gaussian inputs and random labels (Fashion-MNIST shaped)

   and for each, by default: loss only (llp_mlp_loss_grad with grad = NULL),
   loss and gradient (llp_mlp_loss_grad), and the exact Hessian-vector product
   (llp_mlp_hvp, which includes its own forward pass). On request also:

     hvp40    H v for 40 different vectors on the same batch: one
              llp_mlp_hvp_block call (one primal pass, the tangents carried
              --block K at a time; default 8)
     surface  a 51 x 51 loss surface over [-1, 1]^2 along two fixed random
              directions: the loss at the 2601 points theta + a d1 + b d2,
              one llp_mlp_plane_loss call (the first layer's three products
              once, then the later layers per point)

   Before timing, the numbers are checked (a fast wrong answer is not a
   result): the gradient against central differences of the loss on a few
   coordinates, and H v against the central difference of gradients along v.
   A failed check exits with status 1 before anything is timed.

   usage: bench_mlp [options] [path/to/digits.csv]
     --quick        0.2 s per measurement instead of 1 s (a smoke run)
     --config XYZ   configurations to run, any of A, B, C (default ABC)
     --hvp40        also time 40 HVPs with different vectors on one batch
     --surface      also time the 51 x 51 loss surface
     --train        also time one training epoch (Adam, mini-batches of 128,
                    llp_trainer) and report samples/s
     --curvature    also time the top eigenvalue by 20 power iterations and the
                    trace by 20 Rademacher probes (Hutchinson, block HVPs of 4)
     --all          loss, loss+grad, hvp, hvp40 and surface
     --min-time S   seconds per measurement (default 1, --quick 0.2)
     --surface-runs N  timed surfaces at least (default 3, --quick 1)
     --block K      tangents the block HVP of hvp40 carries at once (default 8)
     --threads N    threads (default 1): omp_set_num_threads(N) in an OpenMP build
                    (meson -Dopenmp=enabled: the dense products run on N threads);
                    printed only in a build without OpenMP, which runs 1 thread
     --dump DIR     write DIR/llpbench_<config>.bin (format below) after the check
     --no-timing    check (and dump) only, time nothing
     --tsv          also print one tab-separated "result" line per measurement
     digits.csv defaults to $LLP_SOURCE_ROOT/data/digits.csv, else data/digits.csv

   Method: each operation is warmed up (>= 1 call and >= min_time/10; for
   the surface, its middle row of 51 points instead of one call), then timed
   call by call until it has run for at least min_time in total and at least
   5 times (3 times for hvp40 and the surface; once for the surface with
   --quick). The operations of a configuration are timed in interleaved
   slices, so a drift in machine speed affects all of them alike and the
   HVP/gradient ratio stays fair. The table gives the median and the
   interquartile range (q1..q3) in ms, and GFLOP/s at the median counting
   2*B*in*out per dense product.

   Dump format (--dump; every integer and real little-endian, reals as IEEE
   f64 whatever llp_real is; bench/compare_torch.py reads it):
     char     magic[8]        "LLPBENCH"
     u32      version         1
     char     config[8]       "A", "B" or "C", NUL-padded
     u32      n_layers        L (3)
     u32      sizes[L + 1]    e.g. 2 16 16 2
     u64      batch           B
     u64      n_params        n
     u32      real_bytes      sizeof(llp_real) of the build that computed the values
     f64      theta[n]        layer l: W_l (sizes[l+1] x sizes[l], row-major) at w_off[l], then b_l
     f64      X[B * sizes[0]] row-major, one sample per row (standardised for B)
     i32      labels[B]       0 .. sizes[L]-1
     f64      v[n]            the HVP direction of the timing run
     f64      loss            llprobe: mean softmax cross-entropy at theta
     f64      grad[n]         llprobe: its gradient
     f64      hv[n]           llprobe: H v
     f64      d1[n], d2[n]    the surface directions
     u32      n_points        surface points whose loss follows
     n_points x { u32 i, u32 j, f64 loss }   loss at theta + a_i d1 + b_j d2,
                              a_i = -1.0 + 2.0 * i / 50, b_j likewise (evaluated
                              as theta[k] + a_i d1[k] + b_j d2[k])
     u32      crc32           CRC-32 (zlib's: reflected 0xEDB88320) of all preceding bytes
   The model is fixed by the version: tanh hidden layers, linear output, loss
   = mean over the batch of softmax cross-entropy, no weight decay. */
#define _POSIX_C_SOURCE 199309L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"
#ifdef _OPENMP
#include <omp.h>
#endif

#define N_LAYERS 3
#define N_HVP40 40  /* vectors of the hvp40 operation */
#define SURF_N 51   /* the surface is SURF_N x SURF_N points over [-1, 1]^2 */

typedef struct config {
    char name;
    int sizes[N_LAYERS + 1];
    size_t batch;
    const char *data;        /* what the inputs are */
    /* PyTorch reference figures (BENCHMARKING.md), ms, not measured here */
    double torch_grad_ms, torch_hvp_ms, torch_hvp40_ms, torch_surface_ms;
} config;

static const config configs[] = {
    {'A', {2, 16, 16, 2}, 256, "two spirals", 0.196, 0.495, 15.7, 277},
    {'B', {64, 128, 128, 10}, 1797, "digits.csv", 9.3, 22.7, 565, 12500},
    {'C', {784, 256, 256, 10}, 1024, "Gaussian", 32.6, 80.4, 1838, 40700},
};
#define N_CONFIGS (sizeof configs / sizeof configs[0])

enum { OP_LOSS, OP_GRAD, OP_HVP, OP_HVP40, OP_SURFACE, OP_TRAIN, OP_POWER20, OP_TRACE20, N_OPS };
static const char *op_names[N_OPS] = {"loss", "loss+grad", "hvp", "hvp40", "surface", "train", "power20", "trace20"};
#define TRAIN_BATCH 128 /* mini-batch of the train op */

/* Everything one configuration needs; theta, v, grad, hv, d1, d2, pt:
   (n_params); V: (N_HVP40, n_params), allocated only for hvp40. */
typedef struct bench {
    const config *cfg;
    llp_mlp mlp;
    llp_data data;
    llp_mlp_work work;
    llp_real *theta, *v, *grad, *hv, *tmp, *g2;
    llp_real *d1, *d2, *pt, *V, *HV;
    llp_real *ga, *gb, *surf; /* (SURF_N^2) grid coefficients (row i: a_i, column j: b_j) and losses */
    llp_mlp_work wblock;      /* block workspace of hvp40 */
    llp_mlp_objective mo;     /* the train op's objective (its own workspace) */
    llp_real *theta_train;    /* (n) the train op's parameters, reset to theta before each epoch */
    double sink;              /* sum of the surface losses, so no evaluation is dead */
} bench;

typedef struct stats {
    size_t runs;
    double median, q1, q3, min; /* seconds, wall clock */
    double cpu_median;          /* seconds of process CPU time, median */
} stats;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time of this process: on a shared machine, the part of the wall time
   this process actually ran (a diagnostic beside the wall-clock figures). */
static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
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
   Not counted, on either side: the activations, the loss, the bias sums and
   the packing copies of the dense kernel. */
static double flops_hvp(const config *c) {
    double f = 0;
    int l;
    for (l = 0; l < N_LAYERS; l++) f += (l == 0 ? 3 : 8) * dense_flops(c, l);
    return f;
}

/* Block HVP of k vectors (llp__mlp_block_pass): the primal forward (1 per
   layer) and the primal backward dx = dz W (layers l > 0) once; per vector,
   first layer: x V^T and R(dW) += rdz^T x (2); later layers: x V^T,
   rx W^T, rdz^T x, dz^T rx, rdz W, dz V (6). */
static double flops_hvp_block(const config *c, int k) {
    double f = 0;
    int l;
    for (l = 0; l < N_LAYERS; l++) f += (l == 0 ? 1 + 2 * k : 2 + 6 * k) * dense_flops(c, l);
    return f;
}

/* Plane surface of npts points (llp_mlp_plane_loss, one chunk): the first
   layer's three products once (X W^T, X D1^T, X D2^T), then per point the
   later layers' forward products. */
static double flops_plane(const config *c, int npts) {
    return 3 * dense_flops(c, 0) + (double)npts * (flops_forward(c) - dense_flops(c, 0));
}

/* FLOPs of one measurement of op (the products llprobe performs). */
static double flops_op(const config *c, int op) {
    switch (op) {
    case OP_LOSS: return flops_forward(c);
    case OP_GRAD: return flops_grad(c);
    case OP_HVP: return flops_hvp(c);
    case OP_HVP40: return flops_hvp_block(c, N_HVP40);
    case OP_TRAIN: return flops_grad(c); /* one epoch: every sample once through forward + backward */
    case OP_POWER20: return 20 * flops_hvp(c);
    case OP_TRACE20: return flops_hvp_block(c, 4) * 5; /* 5 block products of 4 probes */
    default: return flops_plane(c, SURF_N * SURF_N);
    }
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

static double surf_coef(int i);

/* A surface direction: Gaussian, each layer's weight block rescaled to the
   Frobenius norm of that block of theta (layer-wise normalisation, the
   coarse form of Li et al.'s filter normalisation), bias part zero (theta's
   biases are zero at initialisation). */
static void surface_direction(const llp_mlp *m, const llp_real *theta, llp_real *d, llp_rng *rng) {
    int l;
    llp_rng_fill_normal(rng, d, m->n_params);
    for (l = 0; l < m->n_layers; l++) {
        size_t nw = (size_t)m->sizes[l] * (size_t)m->sizes[l + 1];
        double nd = llp_nrm2(d + m->w_off[l], nw), nt = llp_nrm2(theta + m->w_off[l], nw);
        llp_scale((llp_real)(nd > 0 ? nt / nd : 0), d + m->w_off[l], nw);
        llp_fill(0, d + m->b_off[l], (size_t)m->sizes[l + 1]);
    }
}

static void bench_init(bench *b, const config *c, const char *digits_path, int want_hvp40, int block) {
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

    /* The surface directions and the 40 HVP vectors come from a stream of
       their own, so everything above stays as it was before they existed. */
    llp_rng_seed(&rng, 20240601u + (uint64_t)c->name + 1000u);
    b->d1 = alloc_reals(n);
    b->d2 = alloc_reals(n);
    b->pt = alloc_reals(n);
    surface_direction(&b->mlp, b->theta, b->d1, &rng);
    surface_direction(&b->mlp, b->theta, b->d2, &rng);
    if (want_hvp40) {
        b->V = alloc_reals(N_HVP40 * n);
        b->HV = alloc_reals(N_HVP40 * n);
        llp_rng_fill_normal(&rng, b->V, N_HVP40 * n);
        r = llp_mlp_work_init_block(&b->wblock, &b->mlp, c->batch, (size_t)block);
        if (r != LLP_OK) fail_result("llp_mlp_work_init_block", r);
    }
    r = llp_mlp_objective_init(&b->mo, &b->mlp, &b->data, c->batch);
    if (r != LLP_OK) fail_result("llp_mlp_objective_init", r);
    b->theta_train = alloc_reals(n);
    b->ga = alloc_reals(3 * SURF_N * SURF_N);
    b->gb = b->ga + SURF_N * SURF_N;
    b->surf = b->gb + SURF_N * SURF_N;
    for (i = 0; i < SURF_N * SURF_N; i++) {
        b->ga[i] = (llp_real)surf_coef((int)(i / SURF_N));
        b->gb[i] = (llp_real)surf_coef((int)(i % SURF_N));
    }
}

static void bench_free(bench *b) {
    free(b->v);
    free(b->grad);
    free(b->hv);
    free(b->tmp);
    free(b->g2);
    free(b->d1);
    free(b->d2);
    free(b->pt);
    free(b->V);
    free(b->HV);
    free(b->ga);
    free(b->theta_train);
    llp_mlp_objective_free(&b->mo);
    llp_mlp_work_free(&b->wblock);
    llp_mlp_work_free(&b->work);
    llp_mlp_free(&b->mlp);
    llp_data_free(&b->data);
}

/* Surface coefficient of grid index i: -1 + 2 i / (SURF_N - 1), exactly as
   compare_torch.py computes it. */
static double surf_coef(int i) {
    return -1.0 + 2.0 * (double)i / (double)(SURF_N - 1);
}

/* The loss at theta + a_i d1 + b_j d2 (into b->pt). */
static llp_real surface_point(bench *b, int i, int j) {
    size_t n = b->mlp.n_params, k;
    double a = surf_coef(i), c = surf_coef(j);
    llp_real loss = 0;
    llp_result r;
    for (k = 0; k < n; k++) b->pt[k] = (llp_real)(b->theta[k] + a * b->d1[k] + c * b->d2[k]);
    r = llp_mlp_loss_grad(&b->mlp, b->pt, &b->data, NULL, &loss, NULL, &b->work);
    if (r != LLP_OK) fail_result("surface", r);
    return loss;
}

/* The grid points whose losses are checked and dumped. */
static const int pts[][2] = {{0, 0}, {SURF_N - 1, 0}, {0, SURF_N - 1}, {SURF_N - 1, SURF_N - 1}, {36, 14}, {25, 25}};
#define N_SURF_PTS ((int)(sizeof pts / sizeof pts[0]))

/* The plane evaluator's loss at grid point (i, j), alone (the same bits as in
   a whole-grid call: each point's sums do not depend on the others). */
static llp_real plane_point(bench *b, int i, int j) {
    size_t off = (size_t)i * SURF_N + (size_t)j;
    llp_real loss;
    llp_result r = llp_mlp_plane_loss(&b->mlp, b->theta, b->d1, b->d2, &b->data, NULL, b->ga + off, b->gb + off, 1,
                                      &loss, NULL, &b->work);
    if (r != LLP_OK) fail_result("llp_mlp_plane_loss", r);
    return loss;
}

/* Rows i0 .. i0+ni-1 of the surface, each of SURF_N points, by the plane
   evaluator (losses into b->surf at their grid positions). */
static void surface_rows(bench *b, int i0, int ni) {
    size_t off = (size_t)i0 * SURF_N;
    llp_result r = llp_mlp_plane_loss(&b->mlp, b->theta, b->d1, b->d2, &b->data, NULL, b->ga + off, b->gb + off,
                                      (size_t)ni * SURF_N, b->surf + off, NULL, &b->work);
    if (r != LLP_OK) fail_result("llp_mlp_plane_loss", r);
    b->sink += b->surf[off];
}

/* One epoch of training from theta: Adam (lr 1e-3), shuffled mini-batches
   of TRAIN_BATCH, through llp_trainer (set-up included: it is part of what
   a user pays per run, and small). */
static llp_result train_epoch(bench *b, llp_real *loss) {
    llp_objective f = llp_mlp_objective_get(&b->mo);
    llp_train_desc td;
    llp_opt_desc od;
    llp_trainer tr;
    llp_result r;
    memset(&td, 0, sizeof td);
    td.epochs = 1, td.batch_size = TRAIN_BATCH, td.seed = 1;
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_ADAM, od.lr = 1e-3;
    llp_copy(b->theta, b->theta_train, b->mlp.n_params);
    r = llp_trainer_init(&tr, &td, &f, NULL, &od, b->theta_train);
    if (r != LLP_OK) return r;
    r = llp_trainer_run(&tr);
    *loss = tr.n_rows ? (llp_real)tr.rows[tr.n_rows - 1].train_loss : 0;
    llp_trainer_free(&tr);
    return r;
}

/* The top eigenvalue by 20 power iterations (single HVPs), or the trace by
   20 Rademacher probes (Hutchinson, 5 block products of 4), on the whole
   batch, through the Hessian tools and the MLP objective. */
static llp_result curvature(bench *b, int op, llp_real *loss) {
    llp_objective f = llp_mlp_objective_get(&b->mo);
    llp_batch_policy bp = llp_batch_policy_full();
    llp_rng rng;
    llp_result r;
    llp_rng_seed(&rng, 5);
    if (op == OP_POWER20) {
        llp_power_desc pd;
        llp_eig_result eig;
        memset(&pd, 0, sizeof pd);
        pd.max_iter = 20, pd.tol = 1e-300; /* exactly 20 iterations */
        r = llp_power_iteration(&f, b->theta, &bp, &pd, &rng, &eig);
        if (r == LLP_OK) {
            *loss = (llp_real)eig.values[0];
            llp_eig_result_free(&eig);
        }
    } else {
        llp_trace_desc td;
        llp_trace_result tr;
        memset(&td, 0, sizeof td);
        td.min_samples = td.max_samples = 20, td.block = 4;
        r = llp_hutchinson(&f, b->theta, &bp, &td, &rng, &tr);
        if (r == LLP_OK) *loss = (llp_real)tr.trace;
    }
    return r;
}

/* One evaluation of operation `op` over the whole batch. */
static llp_result run_op(bench *b, int op, llp_real *loss) {
    if (op == OP_HVP) return llp_mlp_hvp(&b->mlp, b->theta, b->v, &b->data, NULL, b->hv, loss, &b->work);
    if (op == OP_HVP40)
        return llp_mlp_hvp_block(&b->mlp, b->theta, b->V, N_HVP40, &b->data, NULL, b->HV, loss, &b->wblock);
    if (op == OP_SURFACE) {
        surface_rows(b, 0, SURF_N);
        *loss = 0;
        return LLP_OK;
    }
    if (op == OP_TRAIN) return train_epoch(b, loss);
    if (op == OP_POWER20 || op == OP_TRACE20) return curvature(b, op, loss);
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

/* Returns 1 when (tolerances of the double build; a float build, with
   float's epsilon in the steps, allows 1e-6 and 1e-2)
   - the three modes agree on the loss (to 1e-12 relative);
   - dL/dtheta_i equals (L(theta + h e_i) - L(theta - h e_i)) / 2h to 1e-6
     relative to ||g||_inf, on the largest and one random weight and the
     largest bias of each layer (h = eps^(1/3) (1 + |theta_i|));
   - H v equals (g(theta + h v) - g(theta - h v)) / 2h to 1e-6 in the
     relative 2-norm (h = eps^(1/3) (1 + ||theta||) / ||v||). */
static int check(bench *b) {
#if LLP_REAL_IS_FLOAT /* -Dfloat=true: float's epsilon, and looser tolerances */
    const double eps = 1.1920928955078125e-07, tol = 1e-2, loss_tol = 1e-6;
#else
    const double eps = 2.220446049250313e-16, tol = 1e-6, loss_tol = 1e-12;
#endif
    const llp_mlp *m = &b->mlp;
    size_t n = m->n_params, i;
    llp_real l_loss, l_grad, l_hvp;
    double gmax, grad_err = 0, hvp_err, h, dl, plane_err = 0, block_err = 0;
    llp_rng rng;
    int l, k, ok;
    for (k = OP_LOSS; k <= OP_HVP; k++) {
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

    /* the plane evaluator against the loss at the formed point */
    for (k = 0; k < N_SURF_PTS; k++) {
        double pl = plane_point(b, pts[k][0], pts[k][1]), pp = surface_point(b, pts[k][0], pts[k][1]);
        if (fabs(pl - pp) / fabs(pp) > plane_err) plane_err = fabs(pl - pp) / fabs(pp);
    }
    /* the block HVP of hvp40 against single HVPs, on its first and last vector */
    if (b->V) {
        llp_real lb;
        llp_result r = run_op(b, OP_HVP40, &lb);
        if (r != LLP_OK) fail_result("llp_mlp_hvp_block", r);
        for (k = 0; k < N_HVP40; k += N_HVP40 - 1) {
            r = llp_mlp_hvp(m, b->theta, b->V + (size_t)k * n, &b->data, NULL, b->g2, NULL, &b->work);
            if (r != LLP_OK) fail_result("llp_mlp_hvp", r);
            for (i = 0; i < n; i++) b->tmp[i] = b->HV[(size_t)k * n + i] - b->g2[i];
            if (llp_nrm2(b->tmp, n) / llp_nrm2(b->g2, n) > block_err) block_err = llp_nrm2(b->tmp, n) / llp_nrm2(b->g2, n);
        }
    }

    ok = dl <= loss_tol * fabs(l_loss) && grad_err <= tol && hvp_err <= tol && plane_err <= loss_tol &&
         block_err <= loss_tol;
    printf("%c: loss %.6f, grad vs central differences %.1e (x ||g||_inf, %d coords), "
           "hvp vs central difference of gradients %.1e (rel), plane vs pointwise loss %.1e (rel, %d points)",
           b->cfg->name, (double)l_loss, grad_err, 3 * m->n_layers, hvp_err, plane_err, N_SURF_PTS);
    if (b->V) printf(", block vs single hvp %.1e (rel)", block_err);
    printf(" -> %s\n", ok ? "check ok" : "CHECK FAILED");
    return ok;
}

/* ---- the dump ------------------------------------------------------------ */

typedef struct dumper {
    FILE *f;
    uint32_t crc; /* running CRC-32, pre- and post-inverted as zlib's crc32() */
    uint32_t table[256];
    int err;
} dumper;

static void put_bytes(dumper *d, const void *p, size_t n) {
    const unsigned char *c = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++) d->crc = d->table[(d->crc ^ c[i]) & 0xffu] ^ (d->crc >> 8);
    if (fwrite(p, 1, n, d->f) != n) d->err = 1;
}

static void put_u32(dumper *d, uint32_t x) {
    unsigned char c[4];
    int i;
    for (i = 0; i < 4; i++) c[i] = (unsigned char)(x >> (8 * i));
    put_bytes(d, c, 4);
}

static void put_u64(dumper *d, uint64_t x) {
    unsigned char c[8];
    int i;
    for (i = 0; i < 8; i++) c[i] = (unsigned char)(x >> (8 * i));
    put_bytes(d, c, 8);
}

static void put_f64(dumper *d, double x) {
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    put_u64(d, u);
}

static void put_reals(dumper *d, const llp_real *x, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) put_f64(d, (double)x[i]);
}

/* Write DIR/llpbench_<name>.bin (format at the top of this file): the exact
   weights, data and directions this program times, and llprobe's loss,
   gradient and HVP on them. Written to a temporary name, then renamed. */
static void dump(bench *b, const char *dir) {
    const int n_pts = N_SURF_PTS;
    const llp_mlp *m = &b->mlp;
    size_t n = m->n_params, i;
    char path[4096], tmp[4200], name[8];
    llp_real loss = 0, loss_h = 0;
    dumper d;
    int l;
    llp_result r;

    r = llp_mlp_loss_grad(m, b->theta, &b->data, NULL, &loss, b->grad, &b->work);
    if (r == LLP_OK) r = llp_mlp_hvp(m, b->theta, b->v, &b->data, NULL, b->hv, &loss_h, &b->work);
    if (r != LLP_OK) fail_result("dump", r);

    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "bench_mlp: cannot create %s: %s\n", dir, strerror(errno));
        exit(2);
    }
    snprintf(path, sizeof path, "%s/llpbench_%c.bin", dir, b->cfg->name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    d.f = fopen(tmp, "wb");
    d.crc = 0xffffffffu;
    d.err = 0;
    for (i = 0; i < 256; i++) {
        uint32_t x = (uint32_t)i;
        for (l = 0; l < 8; l++) x = x & 1u ? 0xedb88320u ^ (x >> 1) : x >> 1;
        d.table[i] = x;
    }
    if (!d.f) {
        fprintf(stderr, "bench_mlp: cannot write %s: %s\n", tmp, strerror(errno));
        exit(2);
    }
    put_bytes(&d, "LLPBENCH", 8);
    put_u32(&d, 1);
    memset(name, 0, sizeof name);
    name[0] = b->cfg->name;
    put_bytes(&d, name, 8);
    put_u32(&d, (uint32_t)m->n_layers);
    for (l = 0; l <= m->n_layers; l++) put_u32(&d, (uint32_t)m->sizes[l]);
    put_u64(&d, (uint64_t)b->data.n);
    put_u64(&d, (uint64_t)n);
    put_u32(&d, (uint32_t)sizeof(llp_real));
    put_reals(&d, b->theta, n);
    put_reals(&d, b->data.x, b->data.n * b->data.d);
    for (i = 0; i < b->data.n; i++) put_u32(&d, (uint32_t)(int32_t)b->data.labels[i]);
    put_reals(&d, b->v, n);
    put_f64(&d, (double)loss);
    put_reals(&d, b->grad, n);
    put_reals(&d, b->hv, n);
    put_reals(&d, b->d1, n);
    put_reals(&d, b->d2, n);
    put_u32(&d, (uint32_t)n_pts);
    for (l = 0; l < n_pts; l++) {
        put_u32(&d, (uint32_t)pts[l][0]);
        put_u32(&d, (uint32_t)pts[l][1]);
        put_f64(&d, (double)plane_point(b, pts[l][0], pts[l][1]));
    }
    put_u32(&d, d.crc ^ 0xffffffffu);
    if (fclose(d.f) != 0) d.err = 1;
    if (d.err || rename(tmp, path) != 0) {
        fprintf(stderr, "bench_mlp: writing %s failed\n", path);
        remove(tmp);
        exit(2);
    }
    printf("%c: dumped to %s (loss %.17g, hvp loss %.17g)\n", b->cfg->name, path, (double)loss, (double)loss_h);
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
    double *t, *c, total; /* wall and CPU seconds of each run; total wall */
    size_t n, cap;
} samples;

static void time_one(bench *b, int op, samples *s) {
    llp_real loss;
    double c0 = cpu_s(), t0 = now_s(), dt, dc;
    llp_result r = run_op(b, op, &loss);
    dt = now_s() - t0;
    dc = cpu_s() - c0;
    if (r != LLP_OK) fail_result(op_names[op], r);
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->t = (double *)realloc(s->t, s->cap * sizeof *s->t);
        s->c = (double *)realloc(s->c, s->cap * sizeof *s->c);
        if (!s->t || !s->c) fail_result("allocation", LLP_ERR_NOMEM);
    }
    s->t[s->n] = dt;
    s->c[s->n++] = dc;
    s->total += dt;
}

/* Warm up each selected operation (>= 1 call and min_time/10; the surface:
   its middle row, repeated), then time them in interleaved slices of
   min_time/5 until each has >= min_time and >= min_runs[op] runs. */
static void measure(bench *b, const int *sel, const int *min_runs, double min_time, stats out[N_OPS]) {
    samples s[N_OPS];
    int op, pending;
    memset(s, 0, sizeof s);
    for (op = 0; op < N_OPS; op++) {
        double t0 = now_s();
        llp_real loss;
        if (!sel[op]) continue;
        do {
            if (op == OP_SURFACE) surface_rows(b, SURF_N / 2, 1);
            else run_op(b, op, &loss);
        } while (now_s() - t0 < 0.1 * min_time);
    }
    do {
        pending = 0;
        for (op = 0; op < N_OPS; op++) {
            double t0 = now_s();
            if (!sel[op] || (s[op].total >= min_time && s[op].n >= (size_t)min_runs[op])) continue;
            pending = 1;
            do time_one(b, op, &s[op]);
            while (now_s() - t0 < 0.2 * min_time);
        }
    } while (pending);
    for (op = 0; op < N_OPS; op++) {
        if (!sel[op]) continue;
        qsort(s[op].t, s[op].n, sizeof *s[op].t, cmp_double);
        qsort(s[op].c, s[op].n, sizeof *s[op].c, cmp_double);
        out[op].cpu_median = quantile(s[op].c, s[op].n, 0.5);
        out[op].runs = s[op].n;
        out[op].median = quantile(s[op].t, s[op].n, 0.5);
        out[op].q1 = quantile(s[op].t, s[op].n, 0.25);
        out[op].q3 = quantile(s[op].t, s[op].n, 0.75);
        out[op].min = s[op].t[0];
        free(s[op].t);
        free(s[op].c);
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
    fprintf(stderr, "usage: bench_mlp [--quick] [--config A|B|C|AB|...] [--hvp40] [--surface] [--train] [--curvature] [--all]\n"
                    "                 [--min-time S] [--surface-runs N] [--block K] [--threads N] [--dump DIR]\n"
                    "                 [--no-timing] [--tsv]\n"
                    "                 [path/to/digits.csv]\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *which = "ABC", *digits = NULL, *root = getenv("LLP_SOURCE_ROOT"), *dump_dir = NULL;
    char path[4096];
    double min_time = 1.0;
    stats st[N_CONFIGS][N_OPS];
    int sel[N_OPS] = {1, 1, 1, 0, 0, 0, 0, 0}, min_runs[N_OPS] = {5, 5, 5, 3, 3, 5, 3, 3};
    int done[N_CONFIGS] = {0}, i, all_ok = 1, quick = 0, threads = 1, timing = 1, tsv = 0, min_time_set = 0;
    int surface_runs = 0, block = 8;
    size_t c;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) quick = 1;
        else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) which = argv[++i];
        else if (strcmp(argv[i], "--hvp40") == 0) sel[OP_HVP40] = 1;
        else if (strcmp(argv[i], "--surface") == 0) sel[OP_SURFACE] = 1;
        else if (strcmp(argv[i], "--train") == 0) sel[OP_TRAIN] = 1;
        else if (strcmp(argv[i], "--curvature") == 0) sel[OP_POWER20] = sel[OP_TRACE20] = 1;
        else if (strcmp(argv[i], "--all") == 0) sel[OP_HVP40] = sel[OP_SURFACE] = 1;
        else if (strcmp(argv[i], "--min-time") == 0 && i + 1 < argc) {
            char *end;
            min_time = strtod(argv[++i], &end);
            if (*end || !(min_time > 0)) usage();
            min_time_set = 1;
        } else if (strcmp(argv[i], "--surface-runs") == 0 && i + 1 < argc) {
            char *end;
            surface_runs = (int)strtol(argv[++i], &end, 10);
            if (*end || surface_runs < 1) usage();
        } else if (strcmp(argv[i], "--block") == 0 && i + 1 < argc) {
            char *end;
            block = (int)strtol(argv[++i], &end, 10);
            if (*end || block < 1 || block > N_HVP40) usage();
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            char *end;
            threads = (int)strtol(argv[++i], &end, 10);
            if (*end || threads < 1) usage();
        } else if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc) dump_dir = argv[++i];
        else if (strcmp(argv[i], "--no-timing") == 0) timing = 0;
        else if (strcmp(argv[i], "--tsv") == 0) tsv = 1;
        else if (argv[i][0] == '-') usage();
        else digits = argv[i];
    }
    if (!*which || strspn(which, "ABC") != strlen(which)) usage();
    if (quick) {
        if (!min_time_set) min_time = 0.2;
        min_runs[OP_SURFACE] = 1;
    }
    if (surface_runs) min_runs[OP_SURFACE] = surface_runs;
    if (!digits) {
        if (root && *root) {
            snprintf(path, sizeof path, "%s/data/digits.csv", root);
            digits = path;
        } else {
            digits = "data/digits.csv";
        }
    }

#ifdef _OPENMP
    omp_set_num_threads(threads);
    printf("bench_mlp: llprobe %s, %s, %d thread%s (OpenMP: dense products), tanh hidden layers + softmax "
           "cross-entropy\n",
           LLPROBE_VERSION_STRING, LLP_REAL_IS_FLOAT ? "float" : "double", threads, threads > 1 ? "s" : "");
#else
    printf("bench_mlp: llprobe %s, %s, %d thread%s, tanh hidden layers + softmax cross-entropy\n",
           LLPROBE_VERSION_STRING, LLP_REAL_IS_FLOAT ? "float" : "double", threads, threads > 1 ? "s" : "");
    if (threads > 1)
        printf("threads: %d requested, but this build has no OpenMP (meson -Dopenmp=enabled): 1 thread ran\n",
               threads);
#endif
    if (timing)
        printf("each operation: warm-up, then >= %.1f s and >= %d runs (hvp40 %d, surface %d), interleaved; "
               "median and IQR (q1..q3)\n",
               min_time, min_runs[OP_LOSS], min_runs[OP_HVP40], min_runs[OP_SURFACE]);
    print_load();
    printf("\n");
    fflush(stdout);

    for (c = 0; c < N_CONFIGS; c++) {
        bench b;
        if (!strchr(which, configs[c].name)) continue;
        bench_init(&b, &configs[c], digits, timing && sel[OP_HVP40], block);
        if (!check(&b)) {
            all_ok = 0;
            bench_free(&b);
            continue;
        }
        if (dump_dir) dump(&b, dump_dir);
        fflush(stdout);
        if (timing) {
            measure(&b, sel, min_runs, min_time, st[c]);
            done[c] = 1;
        }
        bench_free(&b);
    }
    if (!all_ok) {
        fprintf(stderr, "bench_mlp: a check failed; nothing timed is reported\n");
        return 1;
    }
    if (!timing) return 0;

    printf("\n%-6s %-15s %5s %7s  %-9s %5s %10s %21s %9s %8s %10s %7s\n", "config", "layers", "batch", "params", "op",
           "runs", "median ms", "IQR ms", "min ms", "GFLOP/s", "torch ms*", "ratio*");
    for (c = 0; c < N_CONFIGS; c++) {
        const config *cf = &configs[c];
        char layers[64], iqr[48];
        size_t n_params = 0;
        int op, l, first = 1;
        if (!done[c]) continue;
        snprintf(layers, sizeof layers, "%d-%d-%d-%d", cf->sizes[0], cf->sizes[1], cf->sizes[2], cf->sizes[3]);
        for (l = 0; l < N_LAYERS; l++) n_params += (size_t)(cf->sizes[l] + 1) * (size_t)cf->sizes[l + 1];
        for (op = 0; op < N_OPS; op++) {
            const stats *s = &st[c][op];
            double fl = flops_op(cf, op);
            double ref = op == OP_GRAD      ? cf->torch_grad_ms
                         : op == OP_HVP     ? cf->torch_hvp_ms
                         : op == OP_HVP40   ? cf->torch_hvp40_ms
                         : op == OP_SURFACE ? cf->torch_surface_ms
                                            : 0;
            char refs[16] = "-", ratio[16] = "-";
            if (!sel[op]) continue;
            snprintf(iqr, sizeof iqr, "%.4g .. %.4g", 1e3 * s->q1, 1e3 * s->q3);
            if (ref > 0) {
                snprintf(refs, sizeof refs, "%.4g", ref);
                snprintf(ratio, sizeof ratio, "%.2f", 1e3 * s->median / ref);
            }
            printf("%-6c %-15s %5lu %7lu  %-9s %5lu %10.4g %21s %9.4g %8.2f %10s %7s\n", first ? cf->name : ' ',
                   first ? layers : "", (unsigned long)cf->batch, (unsigned long)n_params, op_names[op],
                   (unsigned long)s->runs, 1e3 * s->median, iqr, 1e3 * s->min, fl / s->median * 1e-9, refs, ratio);
            first = 0;
        }
    }
    if (sel[OP_TRAIN]) {
        printf("\ntraining throughput (one epoch, Adam, mini-batches of %d, shuffled; median):\n", TRAIN_BATCH);
        for (c = 0; c < N_CONFIGS; c++)
            if (done[c])
                printf("  %c  %lu samples in %.4g ms: %.0f samples/s\n", configs[c].name,
                       (unsigned long)configs[c].batch, 1e3 * st[c][OP_TRAIN].median,
                       (double)configs[c].batch / st[c][OP_TRAIN].median);
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
           "  reference figures taken on this machine kind, NOT measured in this run\n"
           "  (bench/compare_torch.py measures both sides in one run).\n"
           "  ratio = llprobe median / reference (> 1: llprobe is slower). HVP reference includes the forward pass;\n"
           "  hvp40: the reference reuses one graph for the 40 vectors, llprobe's block HVP shares one primal pass.\n");
    if (tsv) {
        /* result <config> <op> <runs> <median s> <q1 s> <q3 s> <min s> <flops> <threads> <cpu median s> */
        for (c = 0; c < N_CONFIGS; c++) {
            int op;
            if (!done[c]) continue;
            for (op = 0; op < N_OPS; op++) {
                const stats *s = &st[c][op];
                if (!sel[op]) continue;
                printf("result\t%c\t%s\t%lu\t%.9g\t%.9g\t%.9g\t%.9g\t%.17g\t%d\t%.9g\n", configs[c].name,
                       op_names[op], (unsigned long)s->runs, s->median, s->q1, s->q3, s->min,
                       flops_op(&configs[c], op), threads, s->cpu_median);
            }
        }
    }
    return 0;
}
