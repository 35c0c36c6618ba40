/* test_hessian.c — curvature tools against matrices whose spectra are known.

   References, none computed by the code under test:
   - Quadratics built here as callback objectives, H = Q diag(lambda) Q^T with
     Q a product of Householder reflections of random vectors and lambda
     chosen (condition numbers 1 to 1e4, negative eigenvalues, outliers over a
     bulk): eigenvalues, trace, ||H||_F, diag(H) and tr(H^2) are known.
   - Closed forms: the Rosenbrock Hessian at (1, 1) is [[802, -400], [-400,
     200]], eigenvalues 501 -+ sqrt(301^2 + 400^2) = 501 -+ sqrt(250601);
     Rastrigin at 0 is (2 + 4 pi^2 A) I; x^2 - y^2 at 0 is diag(2, -2).
   - Gauss–Legendre nodes and weights (published tables) and exactness of
     Gauss quadrature for polynomials of degree <= 2m - 1 (Golub–Welsch).
   - The MLP Hessian by central differences of gradients (llp_mlp_loss_grad,
     itself checked against differences of the loss in test_mlp_grad).
   - Hutchinson's variance: 2 (||H||_F^2 - sum H_ii^2) / N for Rademacher
     probes; E ||H d||^2 = tr(H^2) / n for d uniform on the unit sphere.
   - Call counts kept by the callbacks themselves.

   Tolerances (double build; float values with TOL and a reason beside them):
   - llp_sym_eig / llp_tridiag_eig: ||A V - V diag(w)||_max, ||V^T V - I||_max
     and eigenvalue errors <= 1e-12 relative to max |lambda| (backward
     stability gives a few n eps; measured worst 5e-15 at n = 150). They
     work in double in both builds, so the bounds hold in float too.
   - Lanczos extremes: 1e-8 relative to the eigenvalue (the bar; with
     Ritz residual tol 1e-10 the error is ~ residual^2 / gap; measured worst
     7e-13, at the clustered bottom of cond 1e4). Float: the products carry
     eps_float ||H|| errors, so 1e-4 relative to ||H||.
   - Power iteration: |lambda - lambda_true| <= tol |lambda|, the guarantee
     of its residual test (2 tol for deflated pairs: the earlier vectors'
     errors leak in).
   - Statistics use many seeds and bounds of 3 to 4 standard errors (or 20%
     on a variance averaged over 40 seeds, whose own spread is ~5%); they
     hold in both builds (float rounding is far below them).
   - MLP: full Hessian vs central differences of gradients 1e-6 relative to
     max |H| (truncation h^2 and rounding eps/h both ~ 4e-11 at h =
     cbrt(eps); measured 1.3e-9). Float: h = 5e-3, float gradients: 2e-2
     (measured 8.5e-4).
   - The gradient-difference probe on a pure quadratic is exact up to
     rounding at any step (1e-6, measured 6e-9; float 1e-3, measured 1e-5),
     so its convergence as eps shrinks is checked on the quadratic plus a
     quartic term, whose third derivative makes the forward difference first
     order: each tenfold smaller eps divides the error by 5 to 20 (measured
     10.0). */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"

#include <stdlib.h>

#define PI 3.14159265358979323846

/* ---- a quadratic (optionally quartic) callback objective with counters ---- */

typedef struct quad {
    size_t n;
    double *A;        /* (n, n) */
    double *lam;      /* (n) its eigenvalues, ascending */
    double *Q;        /* (n, n) column j = eigenvector of lam[j] */
    double quartic;   /* adds quartic/4 sum x_i^4 */
    size_t ns;        /* samples (0: none) */
    /* counters */
    size_t loss_calls, grad_calls, hvp_calls, block_calls, block_vecs;
    long nan_after;   /* products after which hvp returns NaN; < 0 never */
    int bad_batch;    /* a batch was not sorted, unique and in range */
    size_t last_bs;   /* size of the last batch seen */
} quad;

static void check_batch(quad *q, const llp_batch *b) {
    size_t i;
    if (!b || b->kind == LLP_BATCH_ALL) {
        q->last_bs = q->ns;
        return;
    }
    q->last_bs = b->count;
    if (b->kind == LLP_BATCH_INDEX)
        for (i = 0; i < b->count; i++)
            if (b->index[i] >= q->ns || (i && b->index[i] <= b->index[i - 1])) q->bad_batch = 1;
}

static llp_result quad_loss_grad(void *ctx, const llp_real *x, const llp_batch *b, llp_real *loss, llp_real *g) {
    quad *q = (quad *)ctx;
    size_t i, j, n = q->n;
    double f = 0;
    check_batch(q, b);
    if (g)
        q->grad_calls++;
    else
        q->loss_calls++;
    for (i = 0; i < n; i++) {
        double s = 0;
        for (j = 0; j < n; j++) s += q->A[i * n + j] * x[j];
        f += 0.5 * s * x[i] + 0.25 * q->quartic * (double)x[i] * x[i] * x[i] * x[i];
        if (g) g[i] = (llp_real)(s + q->quartic * (double)x[i] * x[i] * x[i]);
    }
    *loss = (llp_real)f;
    return LLP_OK;
}

static void quad_apply(const quad *q, const llp_real *x, const llp_real *v, llp_real *hv) {
    size_t i, j, n = q->n;
    for (i = 0; i < n; i++) {
        double s = 0;
        for (j = 0; j < n; j++) s += q->A[i * n + j] * v[j];
        hv[i] = (llp_real)(s + 3.0 * q->quartic * (double)x[i] * x[i] * v[i]);
    }
}

static llp_result quad_hvp(void *ctx, const llp_real *x, const llp_real *v, const llp_batch *b, llp_real *hv) {
    quad *q = (quad *)ctx;
    check_batch(q, b);
    q->hvp_calls++;
    quad_apply(q, x, v, hv);
    if (q->nan_after >= 0 && (long)q->hvp_calls > q->nan_after) hv[q->n / 2] = (llp_real)NAN;
    return LLP_OK;
}

static llp_result quad_hvp_block(void *ctx, const llp_real *x, const llp_real *V, size_t k, const llp_batch *b,
                                 llp_real *HV) {
    quad *q = (quad *)ctx;
    size_t j;
    check_batch(q, b);
    q->block_calls++;
    q->block_vecs += k;
    for (j = 0; j < k; j++) quad_apply(q, x, V + j * q->n, HV + j * q->n);
    return LLP_OK;
}

/* Q = product of n Householder reflections I - 2 u u^T / u^T u of Gaussian u. */
static void householder_q(double *Q, size_t n, llp_rng *rng) {
    double *u = (double *)malloc(n * sizeof(double));
    size_t r, i, j;
    for (i = 0; i < n * n; i++) Q[i] = 0;
    for (i = 0; i < n; i++) Q[i * n + i] = 1;
    for (r = 0; r < n; r++) {
        double uu = 0;
        for (i = 0; i < n; i++) {
            u[i] = llp_rng_normal(rng);
            uu += u[i] * u[i];
        }
        for (j = 0; j < n; j++) { /* Q <- (I - 2 u u^T / uu) Q, column by column */
            double s = 0;
            for (i = 0; i < n; i++) s += u[i] * Q[i * n + j];
            s *= 2 / uu;
            for (i = 0; i < n; i++) Q[i * n + j] -= s * u[i];
        }
    }
    free(u);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A = Q diag(lam) Q^T; lam is sorted ascending first. */
static void quad_init(quad *q, const double *lam, size_t n, uint64_t seed) {
    llp_rng rng;
    size_t i, j, k;
    memset(q, 0, sizeof *q);
    q->n = n;
    q->nan_after = -1;
    q->A = (double *)malloc(n * n * sizeof(double));
    q->Q = (double *)malloc(n * n * sizeof(double));
    q->lam = (double *)malloc(n * sizeof(double));
    memcpy(q->lam, lam, n * sizeof(double));
    qsort(q->lam, n, sizeof(double), cmp_double);
    llp_rng_seed(&rng, seed);
    householder_q(q->Q, n, &rng);
    for (i = 0; i < n; i++)
        for (j = 0; j <= i; j++) {
            double s = 0;
            for (k = 0; k < n; k++) s += q->Q[i * n + k] * q->lam[k] * q->Q[j * n + k];
            q->A[i * n + j] = q->A[j * n + i] = s;
        }
}

static void quad_free(quad *q) {
    free(q->A);
    free(q->Q);
    free(q->lam);
}

static llp_objective quad_objective(quad *q, int with_hvp, int with_block) {
    llp_objective f = llp_objective_from_callbacks(q->n, q->ns, quad_loss_grad, with_hvp ? quad_hvp : NULL, q);
    if (with_block) f.hvp_block = quad_hvp_block;
    return f;
}

static void reset_counts(quad *q) {
    q->loss_calls = q->grad_calls = q->hvp_calls = q->block_calls = q->block_vecs = 0;
}

/* spectra */
static void logspace(double *lam, size_t n, double cond) {
    size_t i;
    for (i = 0; i < n; i++) lam[i] = n > 1 ? pow(cond, (double)i / (double)(n - 1)) : 1;
}

static void linspace(double *lam, size_t n, double lo, double hi) {
    size_t i;
    for (i = 0; i < n; i++) lam[i] = n > 1 ? lo + (hi - lo) * (double)i / (double)(n - 1) : lo;
}

static double frob2(const quad *q) {
    double s = 0;
    size_t i;
    for (i = 0; i < q->n; i++) s += q->lam[i] * q->lam[i];
    return s;
}

static double diag2(const quad *q) {
    double s = 0;
    size_t i;
    for (i = 0; i < q->n; i++) s += q->A[i * q->n + i] * q->A[i * q->n + i];
    return s;
}

static double trace_of(const quad *q) {
    double s = 0;
    size_t i;
    for (i = 0; i < q->n; i++) s += q->lam[i];
    return s;
}

static llp_real *zeros(size_t n) { return (llp_real *)calloc(n ? n : 1, sizeof(llp_real)); }

/* ---- 1. dense eigensolver ------------------------------------------------- */

/* max |A V - V diag(w)|, max |V^T V - I|. */
static void eig_residuals(const double *A, const double *w, const double *V, size_t n, double *res, double *orth) {
    size_t i, j, k;
    *res = *orth = 0;
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) {
            double s = 0, o = 0;
            for (k = 0; k < n; k++) {
                s += A[i * n + k] * V[k * n + j];
                o += V[k * n + i] * V[k * n + j];
            }
            s -= V[i * n + j] * w[j];
            o -= i == j;
            if (fabs(s) > *res) *res = fabs(s);
            if (fabs(o) > *orth) *orth = fabs(o);
        }
}

static void test_sym_eig_random(void) {
    static const size_t sizes[] = {1, 2, 3, 5, 17, 64, 150};
    size_t s, i, j;
    llp_rng rng;
    double worst_res = 0, worst_orth = 0, worst_tr = 0;
    llp_rng_seed(&rng, 11);
    for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        double *A = (double *)malloc(n * n * sizeof(double)), *V = (double *)malloc(n * n * sizeof(double));
        double *w = (double *)malloc(n * sizeof(double)), *w2 = (double *)malloc(n * sizeof(double));
        double amax = 0, tr = 0, fr = 0, str = 0, sfr = 0, res, orth;
        for (i = 0; i < n; i++)
            for (j = 0; j <= i; j++) {
                A[i * n + j] = A[j * n + i] = llp_rng_normal(&rng);
                if (fabs(A[i * n + j]) > amax) amax = fabs(A[i * n + j]);
            }
        for (i = 0; i < n; i++) {
            tr += A[i * n + i];
            for (j = 0; j < n; j++) fr += A[i * n + j] * A[i * n + j];
        }
        CHECK_OK(llp_sym_eig(A, n, w, V));
        CHECK_OK(llp_sym_eig(A, n, w2, NULL));
        eig_residuals(A, w, V, n, &res, &orth);
        for (i = 0; i < n; i++) {
            str += w[i];
            sfr += w[i] * w[i];
            if (i) CHECK(w[i] >= w[i - 1], "n=%lu: ascending at %lu", (unsigned long)n, (unsigned long)i);
            CHECK(fabs(w[i] - w2[i]) <= 1e-12 * (fabs(w[n - 1]) + fabs(w[0])), "n=%lu values-only %lu: %g vs %g",
                  (unsigned long)n, (unsigned long)i, w2[i], w[i]);
        }
        res /= fabs(w[0]) > fabs(w[n - 1]) ? fabs(w[0]) : fabs(w[n - 1]);
        CHECK(res <= 1e-12, "n=%lu: ||AV - VW|| / ||A|| = %.3g", (unsigned long)n, res);
        CHECK(orth <= 1e-12, "n=%lu: ||V^T V - I|| = %.3g", (unsigned long)n, orth);
        CHECK_CLOSE(str, tr, 1e-12 * (amax * (double)n), "sum of eigenvalues = trace");
        CHECK_CLOSE(sfr, fr, 1e-12, "sum of squared eigenvalues = ||A||_F^2");
        if (res > worst_res) worst_res = res;
        if (orth > worst_orth) worst_orth = orth;
        if (fabs(str - tr) > worst_tr) worst_tr = fabs(str - tr);
        free(A);
        free(V);
        free(w);
        free(w2);
    }
    if (llp_test_verbose) printf("  sym_eig random: residual %.2g, orthogonality %.2g\n", worst_res, worst_orth);
}

static void test_sym_eig_known(void) {
    /* spectra: wide range with negatives, repeated values, zeros */
    static const size_t n = 40;
    double lam[40], *w, *V, res, orth, worst = 0;
    size_t c, i, j;
    quad q;
    w = (double *)malloc(n * sizeof(double));
    V = (double *)malloc(n * n * sizeof(double));
    for (c = 0; c < 4; c++) {
        for (i = 0; i < n; i++) {
            if (c == 0) lam[i] = pow(10.0, -6 + 12.0 * (double)i / (double)(n - 1)); /* cond 1e12 */
            if (c == 1) lam[i] = (double)i - 12.5;                                   /* negatives */
            if (c == 2) lam[i] = (double)(i % 3);                                    /* 0, 1, 2 repeated */
            if (c == 3) lam[i] = i < 20 ? -1e3 : 1e3;                                 /* two clusters */
        }
        quad_init(&q, lam, n, 100 + c);
        CHECK_OK(llp_sym_eig(q.A, n, w, V));
        {
            double scale = fabs(q.lam[0]) > fabs(q.lam[n - 1]) ? fabs(q.lam[0]) : fabs(q.lam[n - 1]);
            for (i = 0; i < n; i++) {
                double err = fabs(w[i] - q.lam[i]) / scale;
                if (err > worst) worst = err;
                CHECK(err <= 1e-12, "spectrum %lu eigenvalue %lu: %.17g vs %.17g", (unsigned long)c,
                      (unsigned long)i, w[i], q.lam[i]);
            }
            eig_residuals(q.A, w, V, n, &res, &orth);
            CHECK(res / scale <= 1e-12 && orth <= 1e-12, "spectrum %lu: residual %.3g, orthogonality %.3g",
                  (unsigned long)c, res / scale, orth);
        }
        if (c == 1) /* distinct eigenvalues: the eigenvectors are the columns of Q up to sign */
            for (j = 0; j < n; j++) {
                double dot = 0;
                for (i = 0; i < n; i++) dot += V[i * n + j] * q.Q[i * n + j];
                CHECK(fabs(fabs(dot) - 1) <= 1e-12, "eigenvector %lu: |v . q| = %.17g", (unsigned long)j, fabs(dot));
            }
        quad_free(&q);
    }
    /* a diagonal, a zero and a 1x1 matrix; a 2x2 closed form */
    {
        double D[9] = {3, 0, 0, 0, -1, 0, 0, 0, 2}, Z[9] = {0}, one = -7, w3[3], V3[9], w1, v1;
        double B[4] = {2, 1, 1, 2}, w2[2], V2[4];
        CHECK_OK(llp_sym_eig(D, 3, w3, V3));
        CHECK(w3[0] == -1 && w3[1] == 2 && w3[2] == 3, "diagonal: %g %g %g", w3[0], w3[1], w3[2]);
        CHECK_OK(llp_sym_eig(Z, 3, w3, V3));
        CHECK(w3[0] == 0 && w3[2] == 0, "zero matrix");
        eig_residuals(Z, w3, V3, 3, &res, &orth);
        CHECK(orth <= 1e-15, "zero matrix: V orthogonal (%.3g)", orth);
        CHECK_OK(llp_sym_eig(&one, 1, &w1, &v1));
        CHECK(w1 == -7 && fabs(v1) == 1, "1x1: %g, %g", w1, v1);
        CHECK_OK(llp_sym_eig(B, 2, w2, V2));
        CHECK_CLOSE(w2[0], 1, 1e-15, "[[2,1],[1,2]] lambda_min");
        CHECK_CLOSE(w2[1], 3, 1e-15, "[[2,1],[1,2]] lambda_max");
        CHECK_CLOSE(fabs(V2[0]), sqrt(0.5), 1e-15, "[[2,1],[1,2]] eigenvector");
    }
    if (llp_test_verbose) printf("  sym_eig known spectra: worst eigenvalue error %.2g\n", worst);
    free(w);
    free(V);
}

/* Golub–Welsch: Legendre Jacobi matrix (diagonal 0, off-diagonal
   k / sqrt(4k^2 - 1)) gives Gauss–Legendre nodes; weights 2 z_0j^2. */
static void test_tridiag_gauss(void) {
    static const double x5[3] = {0.0, 0.5384693101056831, 0.9061798459386640};
    static const double w5[3] = {0.5688888888888889, 0.4786286704993665, 0.2369268850561891};
    double d[12], e[12], w[12], z[144], sum, integral;
    size_t n, i, k;
    for (n = 5; n <= 12; n += 7) {
        for (i = 0; i < n; i++) {
            d[i] = 0;
            if (i + 1 < n) e[i] = (double)(i + 1) / sqrt(4.0 * (double)(i + 1) * (double)(i + 1) - 1);
        }
        CHECK_OK(llp_tridiag_eig(d, e, n, w, z));
        if (n == 5)
            for (i = 0; i < 5; i++) {
                size_t s = i < 2 ? 2 - i : i - 2; /* symmetric table index */
                CHECK_CLOSE(fabs(w[i]), x5[s], 1e-15, "Gauss-Legendre node");
                CHECK_CLOSE(2 * z[i] * z[i], w5[s], 1e-15, "Gauss-Legendre weight");
            }
        /* exact for x^(2k), 2k <= 2n - 1: integral over [-1, 1] is 2 / (2k + 1) */
        for (k = 0; 2 * k <= 2 * n - 1; k++) {
            integral = 0;
            for (i = 0; i < n; i++) integral += 2 * z[i] * z[i] * pow(w[i], (double)(2 * k));
            CHECK_CLOSE(integral, 2.0 / (double)(2 * k + 1), 1e-14, "Gauss quadrature of x^2k");
        }
        sum = 0;
        for (i = 0; i < n; i++) sum += z[i] * z[i];
        CHECK_CLOSE(sum, 1, 1e-15, "weights sum to 1");
    }
    /* values only, and n = 1 without e */
    CHECK_OK(llp_tridiag_eig(d, e, 12, w, NULL));
    d[0] = 4;
    CHECK_OK(llp_tridiag_eig(d, NULL, 1, w, z));
    CHECK(w[0] == 4 && z[0] == 1, "1x1 tridiagonal");
}

/* ---- 2. Lanczos and power iteration on known spectra ---------------------- */

/* max over wanted pairs of |value - true| / max(|true|, scale * 1e-3) */
static void check_lanczos_case(const char *name, const double *lam, size_t n, size_t kl, size_t ks, size_t max_steps,
                               int expect_early, uint64_t seed) {
    quad q;
    llp_objective f;
    llp_lanczos_desc d;
    llp_eig_result res;
    llp_rng rng;
    llp_real *theta = zeros(n), *hy = zeros(n);
    size_t i, j;
    double worst = 0, worst_res = 0, scale;
    quad_init(&q, lam, n, seed);
    scale = fabs(q.lam[0]) > fabs(q.lam[n - 1]) ? fabs(q.lam[0]) : fabs(q.lam[n - 1]);
    f = quad_objective(&q, 1, 1);
    memset(&d, 0, sizeof d);
    d.k_largest = kl;
    d.k_smallest = ks;
    d.max_steps = max_steps;
    d.tol = TOL(1e-10, 1e-5);
    d.want_vectors = 1;
    llp_rng_seed(&rng, seed + 1);
    CHECK_OK(llp_lanczos(&f, theta, NULL, &d, &rng, &res));
    if (res.k == kl + ks) {
        for (i = 0; i < kl + ks; i++) {
            double truth = i < kl ? q.lam[n - 1 - i] : q.lam[i - kl];
            /* double: relative to the eigenvalue itself; float: the products
               carry errors of eps_float ||H|| (6e-4 at the bottom of cond 1e4),
               so relative to ||H|| */
            double err = fabs(res.values[i] - truth) / (LLP_REAL_IS_FLOAT ? scale : fabs(truth));
            double tres;
            if (err > worst) worst = err;
            CHECK(err <= TOL(1e-8, 1e-4), "%s: pair %lu: %.17g vs %.17g (rel %.2g, %lu steps)", name,
                  (unsigned long)i, res.values[i], truth, err, (unsigned long)res.iters);
            CHECK(res.converged[i] == 1, "%s: pair %lu converged", name, (unsigned long)i);
            /* the true residual of the Ritz vector against the reported one */
            quad_apply(&q, theta, res.vectors + i * n, hy);
            tres = 0;
            for (j = 0; j < n; j++) {
                double t = hy[j] - res.values[i] * res.vectors[i * n + j];
                tres += t * t;
            }
            tres = sqrt(tres);
            if (tres / scale > worst_res) worst_res = tres / scale;
            CHECK(tres <= 10 * res.residuals[i] + TOL(1e-9, 1e-4) * scale,
                  "%s: pair %lu: true residual %.3g vs reported %.3g", name, (unsigned long)i, tres,
                  res.residuals[i]);
            CHECK_CLOSE(llp_nrm2(res.vectors + i * n, n), 1, TOL(1e-12, 1e-6), "Ritz vector norm");
        }
        CHECK(res.evals.hvp == res.iters && q.block_calls == 0 && q.hvp_calls == res.iters,
              "%s: one HVP per step (%lu steps, %lu counted)", name, (unsigned long)res.iters,
              (unsigned long)q.hvp_calls);
        if (expect_early)
            CHECK(res.iters < n / 2, "%s: stopped early at %lu steps of %lu", name, (unsigned long)res.iters,
                  (unsigned long)n);
    }
    if (llp_test_verbose)
        printf("  lanczos %s: %lu steps, %lu restarts, worst rel error %.2g, worst true residual %.2g\n", name,
               (unsigned long)res.iters, (unsigned long)res.restarts, worst, worst_res);
    llp_eig_result_free(&res);
    quad_free(&q);
    free(theta);
    free(hy);
}

static void test_lanczos_quadratics(void) {
    double lam[400];
    size_t i;
    llp_rng rng;
    /* cond 1: H = 3 I, one Krylov dimension; breakdown at once, restart for the second pair */
    for (i = 0; i < 60; i++) lam[i] = 3;
    check_lanczos_case("cond 1", lam, 60, 1, 1, 0, 1, 1);
    /* every eigenpair of c I: a new block per step until the space is full */
    for (i = 0; i < 20; i++) {
        char name[32];
        size_t k;
        for (k = 0; k < 6; k++) lam[k] = 3;
        snprintf(name, sizeof name, "cI want n, seed %lu", (unsigned long)i);
        check_lanczos_case(name, lam, 6, 3, 3, 0, 0, 200 + i);
    }
    logspace(lam, 60, 1e2);
    check_lanczos_case("cond 1e2", lam, 60, 2, 2, 0, 0, 2);
    logspace(lam, 100, 1e4);
    check_lanczos_case("cond 1e4", lam, 100, 3, 2, 0, 0, 3);
    linspace(lam, 80, -5, 100);
    check_lanczos_case("negative end", lam, 80, 2, 2, 0, 0, 4);
    /* a network-like spectrum: a bulk in [0, 1] with outliers at both ends */
    llp_rng_seed(&rng, 5);
    for (i = 0; i < 400; i++) lam[i] = llp_rng_uniform(&rng);
    lam[0] = 50;
    lam[1] = 30;
    lam[2] = 20;
    lam[3] = -10;
    lam[4] = -4;
    check_lanczos_case("outliers", lam, 400, 3, 2, 200, 1, 5);
    /* the library's rotated QUADRATIC landscape (eigenvalues log-spaced in [1, 1e4]) */
    {
        llp_landscape ls;
        llp_landscape_desc ld;
        llp_objective f;
        llp_lanczos_desc d;
        llp_eig_result res;
        llp_real x[50];
        memset(&ld, 0, sizeof ld);
        ld.kind = LLP_LANDSCAPE_QUADRATIC;
        ld.n = 50;
        ld.cond = 1e4;
        ld.rotate = 1;
        llp_rng_seed(&rng, 7);
        CHECK_OK(llp_landscape_init(&ls, &ld, &rng));
        f = llp_landscape_objective(&ls);
        for (i = 0; i < 50; i++) x[i] = (llp_real)llp_rng_normal(&rng); /* any point: H is constant */
        memset(&d, 0, sizeof d);
        d.k_largest = 2;
        d.k_smallest = 2;
        d.tol = TOL(1e-10, 1e-5);
        CHECK_OK(llp_lanczos(&f, x, NULL, &d, &rng, &res));
        CHECK(fabs(res.values[0] - 1e4) <= TOL(1e-8 * 1e4, 1e-4 * 1e4), "landscape lambda_max %.17g", res.values[0]);
        CHECK(fabs(res.values[1] - (double)ls.lambda[48]) <= TOL(1e-8 * 1e4, 1e-4 * 1e4), "landscape lambda_2 %.17g",
              res.values[1]);
        CHECK(fabs(res.values[2] - 1) <= TOL(1e-8, 1e-4 * 1e4), "landscape lambda_min %.17g", res.values[2]);
        CHECK(fabs(res.values[3] - (double)ls.lambda[1]) <= TOL(1e-8 * ls.lambda[1], 1e-4 * 1e4),
              "landscape lambda_min+1 %.17g", res.values[3]);
        llp_eig_result_free(&res);
        llp_landscape_free(&ls);
    }
    /* repeated top eigenvalue: the restart finds its multiplicity */
    for (i = 0; i < 30; i++) lam[i] = i < 3 ? 7 : 1;
    check_lanczos_case("multiplicity", lam, 30, 3, 1, 0, 0, 6);
}

static void test_power_iteration(void) {
    double lam[50];
    size_t i, c;
    for (c = 0; c < 3; c++) {
        quad q;
        llp_objective f;
        llp_power_desc d;
        llp_eig_result res;
        llp_rng rng;
        llp_real *theta = zeros(50);
        double tol = TOL(1e-7, 1e-3);
        linspace(lam, 50, 0, 10);
        if (c == 0) lam[49] = 100;              /* dominant positive */
        if (c == 1) lam[49] = -50, lam[48] = 30; /* dominant negative */
        if (c == 2) lam[49] = 100, lam[48] = 80, lam[47] = 60;
        quad_init(&q, lam, 50, 20 + c);
        f = quad_objective(&q, 1, 0);
        memset(&d, 0, sizeof d);
        d.tol = tol;
        d.k = c == 2 ? 3 : 1;
        d.max_iter = 2000;
        d.want_vectors = 1;
        llp_rng_seed(&rng, 30 + c);
        CHECK_OK(llp_power_iteration(&f, theta, NULL, &d, &rng, &res));
        for (i = 0; i < res.k; i++) {
            double truth = c == 1 ? -50 : (c == 0 ? 100 : 100 - 20.0 * (double)i);
            double bound = (i ? 2 : 1) * tol * fabs(truth);
            CHECK(res.converged[i], "case %lu pair %lu converged (%lu iterations)", (unsigned long)c,
                  (unsigned long)i, (unsigned long)res.iters);
            CHECK(fabs(res.values[i] - truth) <= bound, "case %lu pair %lu: %.17g vs %g (bound %.2g)",
                  (unsigned long)c, (unsigned long)i, res.values[i], truth, bound);
            CHECK(res.residuals[i] <= TOL(1e-4, 1e-2) * fabs(truth), "case %lu pair %lu residual %.3g",
                  (unsigned long)c, (unsigned long)i, res.residuals[i]);
        }
        CHECK(res.evals.hvp == res.iters && q.hvp_calls == res.iters, "power: one HVP per iteration");
        if (llp_test_verbose)
            printf("  power case %lu: %lu iterations, lambda_1 err %.2g\n", (unsigned long)c,
                   (unsigned long)res.iters, fabs(res.values[0] - (c == 1 ? -50 : 100)));
        llp_eig_result_free(&res);
        quad_free(&q);
        free(theta);
    }
    /* x^2 - y^2: +-2 of equal magnitude, the iterate cannot settle */
    {
        llp_landscape ls;
        llp_landscape_desc ld;
        llp_objective f;
        llp_power_desc d;
        llp_eig_result res;
        llp_rng rng;
        llp_real x[2] = {0, 0};
        memset(&ld, 0, sizeof ld);
        ld.kind = LLP_LANDSCAPE_SADDLE;
        CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
        f = llp_landscape_objective(&ls);
        memset(&d, 0, sizeof d);
        d.max_iter = 50;
        llp_rng_seed(&rng, 3);
        CHECK_OK(llp_power_iteration(&f, x, NULL, &d, &rng, &res));
        CHECK(res.converged[0] == 0 && res.iters == 50, "x^2 - y^2: power iteration does not converge");
        llp_eig_result_free(&res);
        llp_landscape_free(&ls);
    }
}

/* ---- 3. traces ------------------------------------------------------------ */

static void test_hutchinson(void) {
    double lam[60];
    quad q;
    llp_objective f;
    llp_trace_desc d;
    llp_trace_result res;
    llp_rng rng;
    llp_real *theta = zeros(60);
    size_t s, inside = 0, seeds = 40, N = 50, i;
    double truth, var_theory, var_mean = 0, gauss_var_mean = 0;
    linspace(lam, 60, -3, 10);
    for (i = 0; i < 60; i += 7) lam[i] *= 2.5;
    quad_init(&q, lam, 60, 40);
    f = quad_objective(&q, 1, 1);
    truth = trace_of(&q);
    var_theory = 2 * (frob2(&q) - diag2(&q));
    memset(&d, 0, sizeof d);
    d.min_samples = N;
    d.max_samples = N;
    for (s = 0; s < seeds; s++) {
        llp_rng_seed(&rng, 1000 + s);
        CHECK_OK(llp_hutchinson(&f, theta, NULL, &d, &rng, &res));
        if (fabs(res.trace - truth) <= 3 * res.std_error) inside++;
        var_mean += res.std_error * res.std_error * (double)N / (double)seeds;
        CHECK(res.samples == N && res.evals.hvp == N, "samples %lu, products %lu", (unsigned long)res.samples,
              (unsigned long)res.evals.hvp);
    }
    /* each seed is outside 3 standard errors with probability ~0.5% (t, 49
       degrees of freedom): at most 2 of 40 (P(more) < 2e-4) */
    CHECK(inside >= seeds - 2, "Hutchinson within 3 SE of the trace in %lu of %lu seeds", (unsigned long)inside,
          (unsigned long)seeds);
    /* the mean of 40 sample variances: relative std ~ sqrt(2/49 / 40 * kurtosis factor), about 5%; 20% bound */
    CHECK(fabs(var_mean / var_theory - 1) <= 0.2, "sample variance %.4g vs theory 2(||H||_F^2 - sum H_ii^2) = %.4g",
          var_mean, var_theory);
    /* Gaussian probes: variance 2 ||H||_F^2 */
    d.probe = LLP_PROBE_GAUSSIAN;
    for (s = 0; s < seeds; s++) {
        llp_rng_seed(&rng, 2000 + s);
        CHECK_OK(llp_hutchinson(&f, theta, NULL, &d, &rng, &res));
        gauss_var_mean += res.std_error * res.std_error * (double)N / (double)seeds;
    }
    CHECK(fabs(gauss_var_mean / (2 * frob2(&q)) - 1) <= 0.25, "Gaussian probes: variance %.4g vs 2||H||_F^2 = %.4g",
          gauss_var_mean, 2 * frob2(&q));
    if (llp_test_verbose)
        printf("  hutchinson: %lu/%lu within 3 SE; variance %.4g vs %.4g; gaussian %.4g vs %.4g\n",
               (unsigned long)inside, (unsigned long)seeds, var_mean, var_theory, gauss_var_mean, 2 * frob2(&q));
    /* relative-SE stopping: stops after min_samples when met, in whole blocks */
    memset(&d, 0, sizeof d);
    d.min_samples = 12;
    d.max_samples = 400;
    d.rel_tol = 0.05;
    d.block = 4;
    llp_rng_seed(&rng, 7);
    CHECK_OK(llp_hutchinson(&f, theta, NULL, &d, &rng, &res));
    CHECK(res.samples >= 12 && res.samples < 400 && res.samples % 4 == 0, "rel_tol stop after %lu samples",
          (unsigned long)res.samples);
    CHECK(res.std_error <= 0.05 * fabs(res.trace), "rel_tol met: se %.3g, trace %.3g", res.std_error, res.trace);
    /* a huge tolerance still uses min_samples (never two) */
    d.rel_tol = 1e9;
    CHECK_OK(llp_hutchinson(&f, theta, NULL, &d, &rng, &res));
    CHECK(res.samples == 12, "min_samples honoured: %lu", (unsigned long)res.samples);
    quad_free(&q);
    free(theta);
}

static void test_hutchpp(void) {
    double lam[120];
    quad q;
    llp_objective f;
    llp_hutchpp_desc d;
    llp_trace_desc hd;
    llp_trace_result res;
    llp_rng rng;
    llp_real *theta = zeros(120);
    size_t i, s;
    double truth, err_pp = 0, err_h = 0;
    /* rank 5: a sketch of 10 columns captures H exactly */
    for (i = 0; i < 120; i++) lam[i] = i < 5 ? 10.0 * (double)(i + 1) : 0;
    quad_init(&q, lam, 120, 50);
    f = quad_objective(&q, 1, 1);
    memset(&d, 0, sizeof d);
    d.matvecs = 30;
    llp_rng_seed(&rng, 9);
    CHECK_OK(llp_hutchpp(&f, theta, NULL, &d, &rng, &res));
    CHECK(res.sketch == 5, "rank 5 detected: %lu", (unsigned long)res.sketch);
    CHECK_CLOSE(res.trace, 150, TOL(1e-10, 1e-4), "Hutch++ exact on a rank-5 Hessian");
    CHECK(res.evals.hvp == 10 + 5 + 10 && q.block_vecs == res.evals.hvp, "Hutch++ products: %lu",
          (unsigned long)res.evals.hvp);
    quad_free(&q);
    /* decaying spectrum 1/i^2: Hutch++ beats Hutchinson at the same budget */
    for (i = 0; i < 120; i++) lam[i] = 100.0 / ((double)(i + 1) * (double)(i + 1));
    quad_init(&q, lam, 120, 51);
    f = quad_objective(&q, 1, 1);
    truth = trace_of(&q);
    memset(&hd, 0, sizeof hd);
    hd.min_samples = hd.max_samples = 30;
    for (s = 0; s < 20; s++) {
        llp_rng_seed(&rng, 300 + s);
        CHECK_OK(llp_hutchpp(&f, theta, NULL, &d, &rng, &res));
        err_pp += fabs(res.trace - truth) / 20;
        llp_rng_seed(&rng, 300 + s);
        CHECK_OK(llp_hutchinson(&f, theta, NULL, &hd, &rng, &res));
        err_h += fabs(res.trace - truth) / 20;
    }
    CHECK(err_pp * 5 < err_h, "Hutch++ mean error %.3g vs Hutchinson %.3g (30 products each)", err_pp, err_h);
    if (llp_test_verbose) printf("  hutch++: mean error %.3g vs Hutchinson %.3g\n", err_pp, err_h);
    quad_free(&q);
    free(theta);
}

/* ---- 4. SLQ ---------------------------------------------------------------- */

/* Wasserstein-1 distance between two discrete measures on the line with
   equal total mass: the integral of |F_a - F_b|, by a merged sweep. */
typedef struct wpt {
    double x, w;
} wpt;

static int cmp_wpt(const void *a, const void *b) {
    double x = ((const wpt *)a)->x, y = ((const wpt *)b)->x;
    return x < y ? -1 : x > y;
}

static double wasserstein1(const double *xa, const double *wa, size_t na, const double *xb, const double *wb,
                           size_t nb) {
    wpt *p = (wpt *)malloc((na + nb) * sizeof(wpt));
    double F = 0, d = 0;
    size_t i, m = na + nb;
    for (i = 0; i < na; i++) {
        p[i].x = xa[i];
        p[i].w = wa[i];
    }
    for (i = 0; i < nb; i++) {
        p[na + i].x = xb[i];
        p[na + i].w = -wb[i];
    }
    qsort(p, m, sizeof(wpt), cmp_wpt);
    for (i = 0; i + 1 < m; i++) {
        F += p[i].w; /* F_a - F_b just right of p[i].x */
        d += fabs(F) * (p[i + 1].x - p[i].x);
    }
    free(p);
    return d;
}

static void test_slq(void) {
    static const size_t steps[] = {2, 4, 8, 16, 32, 64, 200};
    double lam[200], wtrue[200], w1[7], w1p[7], spread, *pn, *pw;
    quad q;
    llp_objective f;
    llp_slq_desc d;
    llp_slq_result s, keep;
    llp_rng rng;
    llp_real *theta = zeros(200), *z = zeros(200);
    size_t i, j, k, r, n = 200, runs = 10;
    llp_rng_seed(&rng, 60);
    for (i = 0; i < n; i++) {
        if (i < 150) /* a bulk in [0, 2], a negative cluster, outliers up to 80 */
            lam[i] = 2 * llp_rng_uniform(&rng);
        else
            lam[i] = i < 190 ? -1 + 0.5 * llp_rng_normal(&rng) : 20 + 3 * (double)i / 10;
        wtrue[i] = 1.0 / (double)n;
    }
    quad_init(&q, lam, n, 61);
    f = quad_objective(&q, 1, 1);
    spread = q.lam[n - 1] - q.lam[0];
    /* The measure SLQ converges to as m -> n for these probes: eigenvalue i
       with weight (q_i . v_r)^2 / runs, v_r = z_r / sqrt(n) the run's start
       (the probes are the only draws SLQ makes, so seed 62 replays them). */
    pn = (double *)malloc(runs * n * sizeof(double));
    pw = (double *)malloc(runs * n * sizeof(double));
    llp_rng_seed(&rng, 62);
    for (r = 0; r < runs; r++) {
        llp_rng_fill_rademacher(&rng, z, n);
        for (i = 0; i < n; i++) {
            double c = 0;
            for (j = 0; j < n; j++) c += q.Q[j * n + i] * z[j];
            pn[r * n + i] = q.lam[i];
            pw[r * n + i] = c * c / (double)n / (double)runs;
        }
    }
    memset(&d, 0, sizeof d);
    d.runs = runs;
    for (k = 0; k < 7; k++) {
        d.steps = steps[k];
        llp_rng_seed(&rng, 62); /* the same start vectors for every m */
        CHECK_OK(llp_slq(&f, theta, NULL, &d, &rng, &s));
        w1[k] = wasserstein1(s.nodes, s.weights, s.n_nodes, q.lam, wtrue, n) / spread;
        w1p[k] = wasserstein1(s.nodes, s.weights, s.n_nodes, pn, pw, runs * n) / spread;
        /* m < n: every run takes m steps; m = n: a run may stop a step or two
           early at the invariant subspace (float rounding reaches it sooner) */
        CHECK(s.evals.hvp == s.n_nodes && (steps[k] < n ? s.n_nodes == d.runs * steps[k]
                                                         : s.n_nodes + 10 >= d.runs * steps[k]),
              "SLQ products %lu, nodes %lu", (unsigned long)s.evals.hvp, (unsigned long)s.n_nodes);
        if (k) {
            CHECK(w1[k] < w1[k - 1], "W1 to the spectrum shrinks with m: %.4g at m=%lu after %.4g", w1[k],
                  (unsigned long)steps[k], w1[k - 1]);
            CHECK(w1p[k] < 0.7 * w1p[k - 1], "W1 to the probes' measure shrinks with m: %.4g at m=%lu after %.4g",
                  w1p[k], (unsigned long)steps[k], w1p[k - 1]);
        }
        {
            double sw = 0, tr = 0;
            for (i = 0; i < s.n_nodes; i++) {
                sw += s.weights[i];
                tr += s.weights[i] * s.nodes[i] * (double)n;
            }
            CHECK_CLOSE(sw, 1, 1e-12, "SLQ weights sum to 1");
            /* n sum w theta = the Hutchinson mean of z^T H z over the same probes */
            {
                llp_trace_desc hd;
                llp_trace_result hr;
                memset(&hd, 0, sizeof hd);
                hd.min_samples = hd.max_samples = d.runs;
                hd.block = 1;
                llp_rng_seed(&rng, 62);
                CHECK_OK(llp_hutchinson(&f, theta, NULL, &hd, &rng, &hr));
                CHECK_CLOSE(tr, hr.trace, TOL(1e-10, 1e-4), "SLQ trace = Hutchinson on the same probes");
            }
        }
        if (k == 5)
            keep = s;
        else
            llp_slq_free(&s);
    }
    s = keep;
    /* with m = n the quadrature is the probes' measure itself; the distance
       to the true spectrum keeps a Monte Carlo floor ~ 1/sqrt(runs n) */
    CHECK(w1p[6] <= TOL(1e-10, 1e-5), "m = n: W1 to the probes' measure %.3g", w1p[6]);
    CHECK(w1[5] < 0.5 * w1[0] && w1[5] < 0.01, "W1 to the spectrum (relative to the spread) %.4g at m=64, %.4g at m=2",
          w1[5], w1[0]);
    if (llp_test_verbose) {
        printf("  SLQ W1/spread to the spectrum:");
        for (k = 0; k < 7; k++) printf(" %.3g", w1[k]);
        printf("\n  SLQ W1/spread to the probes' measure:");
        for (k = 0; k < 7; k++) printf(" %.3g", w1p[k]);
        printf("\n");
    }
    free(pn);
    free(pw);
    free(z);
    /* statistics from the quadrature vs the exact spectrum */
    {
        llp_spectrum_stats st, ex;
        CHECK_OK(llp_slq_stats(&s, 5, 1e-6, &st));
        CHECK_OK(llp_hessian_stats(q.lam, NULL, n, n, 5, 1e-6, &ex));
        CHECK(fabs(st.neg_ratio - ex.neg_ratio) <= 0.1, "negative ratio: SLQ %.3f vs exact %.3f", st.neg_ratio,
              ex.neg_ratio);
        CHECK_CLOSE(st.lambda_max, ex.lambda_max, TOL(1e-6, 1e-3), "SLQ lambda_max (outlier converged)");
        CHECK_CLOSE(st.lambda_min / ex.lambda_min, 1, 0.05, "SLQ lambda_min");
        CHECK(st.kind == LLP_CRITICAL_SADDLE && ex.kind == LLP_CRITICAL_SADDLE, "both see a saddle");
    }
    /* density: unit integral, mean = the measure's mean, file written */
    {
        llp_density_desc dd;
        llp_density dens;
        llp_error err;
        double integ = 0, mean = 0, mmean = 0;
        FILE *fp;
        char line[512];
        int saw_sigma = 0, saw_batch = 0, rows = 0;
        memset(&dd, 0, sizeof dd);
        dd.points = 2000;
        CHECK_OK(llp_slq_density(&s, &dd, &dens));
        for (i = 0; i + 1 < dens.points; i++) {
            integ += 0.5 * (dens.y[i] + dens.y[i + 1]) * (dens.x[i + 1] - dens.x[i]);
            mean += 0.5 * (dens.x[i] * dens.y[i] + dens.x[i + 1] * dens.y[i + 1]) * (dens.x[i + 1] - dens.x[i]);
        }
        for (i = 0; i < s.n_nodes; i++) mmean += s.weights[i] * s.nodes[i];
        CHECK_CLOSE(integ, 1, 1e-12, "density integrates to 1");
        CHECK_CLOSE(dens.mass, 1, 1e-6, "the automatic grid holds the whole mass");
        CHECK_CLOSE(mean, mmean, 1e-4 * spread, "density mean = quadrature mean");
        CHECK_OK(llp_density_write(&dens, "test_hessian_density.dat", "test density", &err));
        fp = fopen("test_hessian_density.dat", "r");
        CHECK(fp != NULL, "density file written");
        if (fp) {
            while (fgets(line, sizeof line, fp)) {
                if (strstr(line, "standard deviation")) saw_sigma = 1;
                if (strstr(line, "# batch: full data") || strstr(line, "# batch: none")) saw_batch = 1;
                if (line[0] != '#') rows++;
            }
            fclose(fp);
        }
        remove("test_hessian_density.dat");
        CHECK(saw_sigma && saw_batch && rows == 2000, "header names sigma and batch; %d rows", rows);
        llp_density_free(&dens);
        /* a grid far from the spectrum holds no mass */
        dd.lo = 1e6;
        dd.hi = 2e6;
        dd.sigma = 1;
        CHECK(llp_slq_density(&s, &dd, &dens) == LLP_ERR_ARG, "a grid missing the measure is an error");
    }
    llp_slq_free(&s);
    /* m = n: every node is an eigenvalue (to rounding) */
    {
        double lam2[30];
        quad q2;
        size_t j;
        double worst = 0;
        linspace(lam2, 30, -2, 5);
        quad_init(&q2, lam2, 30, 63);
        f = quad_objective(&q2, 1, 0);
        d.runs = 3;
        d.steps = 30;
        d.probe = LLP_PROBE_GAUSSIAN;
        llp_rng_seed(&rng, 64);
        CHECK_OK(llp_slq(&f, theta, NULL, &d, &rng, &s));
        for (i = 0; i < s.n_nodes; i++) {
            double best = HUGE_VAL;
            for (j = 0; j < 30; j++)
                if (fabs(s.nodes[i] - q2.lam[j]) < best) best = fabs(s.nodes[i] - q2.lam[j]);
            if (best > worst) worst = best;
        }
        CHECK(s.n_nodes == 90 && worst <= TOL(1e-10, 1e-4) * 5, "m = n: nodes are eigenvalues (worst %.3g)", worst);
        llp_slq_free(&s);
        quad_free(&q2);
    }
    quad_free(&q);
    free(theta);
}

/* ---- 5. closed forms --------------------------------------------------------- */

static void test_closed_forms(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f;
    llp_hessian H;
    llp_lanczos_desc d;
    llp_eig_result res;
    llp_spectrum_stats st;
    llp_rng rng;
    double w[8], lo = 501 - sqrt(250601.0), hi = 501 + sqrt(250601.0);
    llp_real x[8];
    size_t i;
    llp_rng_seed(&rng, 70);
    /* Rosenbrock at (1, 1): 0.39936077..., 1001.6006392... */
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_ROSENBROCK;
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    f = llp_landscape_objective(&ls);
    x[0] = x[1] = 1;
    CHECK_OK(llp_hessian_full(&f, x, NULL, 0, &H));
    CHECK(H.h[0] == 802 && H.h[1] == -400 && H.h[3] == 200 && H.asym_max == 0, "Rosenbrock Hessian entries");
    CHECK_OK(llp_sym_eig(H.h, 2, w, NULL));
    CHECK_CLOSE(w[0], lo, 1e-12 / lo * hi, "Rosenbrock lambda_min 0.39936...");
    CHECK_CLOSE(w[1], hi, 1e-13, "Rosenbrock lambda_max 1001.6006...");
    CHECK_CLOSE(w[0], 0.3993607674876, 1e-12, "lambda_min to 13 digits");
    CHECK_CLOSE(w[1], 1001.6006392325, 1e-13, "lambda_max to 14 digits");
    memset(&d, 0, sizeof d);
    CHECK_OK(llp_lanczos(&f, x, NULL, &d, &rng, &res));
    CHECK_CLOSE(res.values[0], hi, TOL(1e-12, 1e-6), "Lanczos Rosenbrock lambda_max");
    CHECK_CLOSE(res.values[1], lo, TOL(1e-9, 1e-2), "Lanczos Rosenbrock lambda_min (absolute, ||H|| = 1e3)");
    if (llp_test_verbose)
        printf("  Rosenbrock: eig errors %.2g %.2g; Lanczos errors %.2g %.2g\n", fabs(w[0] - lo), fabs(w[1] - hi),
               fabs(res.values[1] - lo), fabs(res.values[0] - hi));
    CHECK_OK(llp_hessian_stats(w, NULL, 2, 2, 1, 0, &st));
    CHECK(st.kind == LLP_CRITICAL_MINIMUM, "Rosenbrock (1,1) is a minimum");
    CHECK_CLOSE(st.cond_pos, hi / lo, 1e-12, "condition number 2508");
    CHECK_CLOSE(st.trace, 1002, 1e-14, "trace 1002");
    llp_eig_result_free(&res);
    llp_hessian_free(&H);
    llp_landscape_free(&ls);
    /* Rastrigin at 0, n = 5, A = 10: (2 + 40 pi^2) I */
    ld.kind = LLP_LANDSCAPE_RASTRIGIN;
    ld.n = 5;
    ld.amplitude = 10;
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    f = llp_landscape_objective(&ls);
    for (i = 0; i < 5; i++) x[i] = 0;
    CHECK_OK(llp_hessian_full(&f, x, NULL, 2, &H));
    CHECK_OK(llp_sym_eig(H.h, 5, w, NULL));
    for (i = 0; i < 5; i++) CHECK_CLOSE(w[i], 2 + 40 * PI * PI, TOL(1e-14, 1e-6), "Rastrigin eigenvalue");
    d.k_largest = 2;
    d.k_smallest = 2;
    CHECK_OK(llp_lanczos(&f, x, NULL, &d, &rng, &res));
    for (i = 0; i < 4; i++) CHECK_CLOSE(res.values[i], 2 + 40 * PI * PI, TOL(1e-13, 1e-6), "Rastrigin by Lanczos");
    CHECK(res.restarts == res.iters - 1 && res.iters == 5,
          "H = c I: one dimension per block, up to n = 5 (%lu steps, %lu restarts)", (unsigned long)res.iters,
          (unsigned long)res.restarts);
    llp_eig_result_free(&res);
    llp_hessian_free(&H);
    llp_landscape_free(&ls);
    /* x^2 - y^2 at 0: a saddle, lambda_min = -2 */
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_SADDLE;
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    f = llp_landscape_objective(&ls);
    x[0] = x[1] = 0;
    memset(&d, 0, sizeof d);
    CHECK_OK(llp_lanczos(&f, x, NULL, &d, &rng, &res));
    CHECK_CLOSE(res.values[1], -2, TOL(1e-14, 1e-6), "saddle lambda_min by Lanczos");
    CHECK_CLOSE(res.values[0], 2, TOL(1e-14, 1e-6), "saddle lambda_max by Lanczos");
    CHECK_OK(llp_hessian_stats(res.values, NULL, 2, 2, 1, 0, &st));
    CHECK(st.kind == LLP_CRITICAL_SADDLE && st.neg_ratio == 0.5 && st.lambda_min == res.values[1],
          "x^2 - y^2 is a %s", llp_critical_name(st.kind));
    llp_eig_result_free(&res);
    llp_landscape_free(&ls);
    /* the other classes, and the network condition numbers */
    {
        double v1[3] = {-1, -2, -3}, v2[3] = {2, 0, 5}, v3[3] = {0, 0, 0}, v4[3] = {-1, 1e-9, -2};
        double v5[5] = {100, 10, 1, 1e-3, 0};
        CHECK_OK(llp_hessian_stats(v1, NULL, 3, 3, 1, 0, &st));
        CHECK(st.kind == LLP_CRITICAL_MAXIMUM, "all negative: maximum");
        CHECK_OK(llp_hessian_stats(v2, NULL, 3, 3, 1, 0, &st));
        CHECK(st.kind == LLP_CRITICAL_DEGENERATE && fabs(st.zero_ratio - 1.0 / 3) < 1e-15, "a zero: degenerate");
        CHECK_OK(llp_hessian_stats(v3, NULL, 3, 3, 1, 0, &st));
        CHECK(st.kind == LLP_CRITICAL_DEGENERATE, "all zero: degenerate");
        CHECK_OK(llp_hessian_stats(v4, NULL, 3, 3, 1, 1e-6, &st));
        CHECK(st.kind == LLP_CRITICAL_DEGENERATE && fabs(st.zero_ratio - 1.0 / 3) < 1e-15,
              "1e-9 is within the tolerance 2e-6: (-1, 0, -2) is degenerate, got %s", llp_critical_name(st.kind));
        CHECK_OK(llp_hessian_stats(v4, NULL, 3, 3, 1, 1e-12, &st));
        CHECK(st.kind == LLP_CRITICAL_SADDLE, "with a tolerance below 1e-9 it is a saddle");
        CHECK_OK(llp_hessian_stats(v5, NULL, 5, 5, 3, 1e-6, &st));
        CHECK(st.lambda_k == 1 && st.cond_k == 100, "lambda_max / lambda_3 = %g", st.cond_k);
        CHECK_CLOSE(st.cond_pos, 1e5, 1e-12, "largest / smallest positive");
        CHECK_CLOSE(st.cond_mean, 100 / (111.001 / 5), 1e-12, "lambda_max / mean eigenvalue");
        CHECK_OK(llp_hessian_stats(v5, NULL, 5, 5, 5, 1e-6, &st));
        CHECK(st.cond_k == HUGE_VAL, "lambda_5 = 0: cond_k infinite");
    }
}

/* ---- 6. an MLP ------------------------------------------------------------------ */

typedef struct mlp_setup {
    llp_data data;
    llp_mlp mlp;
    llp_mlp_objective mo;
    llp_objective f;
    llp_real *theta;
    size_t n;
} mlp_setup;

static void mlp_setup_init(mlp_setup *s) {
    llp_mlp_desc md;
    llp_rng rng;
    size_t i;
    memset(s, 0, sizeof *s);
    llp_rng_seed(&rng, 80);
    CHECK_OK(llp_data_blobs(&s->data, 120, 4, 3, 2.0, &rng));
    memset(&md, 0, sizeof md);
    md.n_layers = 3;
    md.sizes[0] = 4;
    md.sizes[1] = 10;
    md.sizes[2] = 10;
    md.sizes[3] = 3;
    md.act = LLP_ACT_TANH;
    md.loss = LLP_LOSS_SOFTMAX_CE;
    CHECK_OK(llp_mlp_init(&s->mlp, &md));
    llp_mlp_randomize(&s->mlp, s->mlp.theta, &rng);
    for (i = 0; i < s->mlp.n_params; i++) s->mlp.theta[i] += (llp_real)(0.3 * llp_rng_normal(&rng));
    s->theta = s->mlp.theta;
    s->n = s->mlp.n_params;
    CHECK_OK(llp_mlp_objective_init(&s->mo, &s->mlp, &s->data, 0));
    s->f = llp_mlp_objective_get(&s->mo);
}

static void mlp_setup_free(mlp_setup *s) {
    llp_mlp_objective_free(&s->mo);
    llp_mlp_free(&s->mlp);
    llp_data_free(&s->data);
}

static void test_mlp(void) {
    mlp_setup s;
    llp_hessian H;
    llp_lanczos_desc d;
    llp_eig_result res;
    llp_trace_desc td;
    llp_trace_result tr;
    llp_rng rng;
    double *w, *fdh, hmax = 0, fderr = 0, scale, trace = 0;
    size_t n, i, j;
    llp_real *tp, *gp, *gm, l;
    mlp_setup_init(&s);
    n = s.n;
    CHECK(n == 193, "4-10-10-3 has %lu parameters", (unsigned long)n);
    CHECK_OK(llp_hessian_full(&s.f, s.theta, NULL, 0, &H));
    CHECK(H.evals.hvp == n, "full Hessian: n products");
    CHECK(H.asym_rel <= TOL(1e-12, 1e-5), "exact HVP: asymmetry %.3g", H.asym_rel);
    /* central differences of gradients, column by column */
    fdh = (double *)malloc(n * n * sizeof(double));
    tp = zeros(n);
    gp = zeros(n);
    gm = zeros(n);
    for (j = 0; j < n; j++) {
        double h = cbrt(LLP_TEST_EPS) * (1 + fabs(s.theta[j]));
        llp_copy(s.theta, tp, n);
        tp[j] = (llp_real)(s.theta[j] + h);
        CHECK_OK(llp_objective_loss_grad(&s.f, tp, NULL, &l, gp));
        tp[j] = (llp_real)(s.theta[j] - h);
        CHECK_OK(llp_objective_loss_grad(&s.f, tp, NULL, &l, gm));
        h = ((double)s.theta[j] + h) - ((double)s.theta[j] - h); /* the step actually taken, 2h */
        for (i = 0; i < n; i++) fdh[i * n + j] = ((double)gp[i] - gm[i]) / h;
    }
    for (i = 0; i < n * n; i++)
        if (fabs(H.h[i]) > hmax) hmax = fabs(H.h[i]);
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) {
            double e = fabs(H.h[i * n + j] - 0.5 * (fdh[i * n + j] + fdh[j * n + i]));
            if (e > fderr) fderr = e;
        }
    CHECK(fderr <= TOL(1e-6, 2e-2) * hmax, "full Hessian vs central differences: %.3g (max |H| %.3g)", fderr, hmax);
    /* spectrum; Lanczos extremes and traces against it */
    w = (double *)malloc(n * sizeof(double));
    CHECK_OK(llp_sym_eig(H.h, n, w, NULL));
    for (i = 0; i < n; i++) trace += w[i];
    scale = fabs(w[0]) > fabs(w[n - 1]) ? fabs(w[0]) : fabs(w[n - 1]);
    CHECK(w[0] < 0, "the network is not at a minimum: lambda_min = %.4g", w[0]);
    memset(&d, 0, sizeof d);
    d.k_largest = 3;
    d.k_smallest = 2;
    d.max_steps = n;
    d.tol = TOL(1e-10, 1e-5);
    llp_rng_seed(&rng, 81);
    CHECK_OK(llp_lanczos(&s.f, s.theta, NULL, &d, &rng, &res));
    for (i = 0; i < 3; i++)
        CHECK(fabs(res.values[i] - w[n - 1 - i]) <= TOL(1e-8, 1e-4) * scale, "MLP lambda_%lu: %.17g vs %.17g",
              (unsigned long)i + 1, res.values[i], w[n - 1 - i]);
    for (i = 0; i < 2; i++)
        CHECK(fabs(res.values[3 + i] - w[i]) <= TOL(1e-8, 1e-4) * scale, "MLP smallest %lu: %.17g vs %.17g",
              (unsigned long)i, res.values[3 + i], w[i]);
    if (llp_test_verbose)
        printf("  MLP: lambda %.6g .. %.6g, Lanczos %lu steps, FD error %.3g of %.3g\n", w[0], w[n - 1],
               (unsigned long)res.iters, fderr, hmax);
    llp_eig_result_free(&res);
    memset(&td, 0, sizeof td);
    td.min_samples = td.max_samples = 200;
    CHECK_OK(llp_hutchinson(&s.f, s.theta, NULL, &td, &rng, &tr));
    CHECK(fabs(tr.trace - trace) <= 4 * tr.std_error, "MLP Hutchinson %.6g +- %.3g vs trace %.6g", tr.trace,
          tr.std_error, trace);
    {
        llp_hutchpp_desc hd;
        memset(&hd, 0, sizeof hd);
        hd.matvecs = 90;
        CHECK_OK(llp_hutchpp(&s.f, s.theta, NULL, &hd, &rng, &tr));
        CHECK(fabs(tr.trace - trace) <= 4 * tr.std_error + TOL(1e-10, 1e-4) * fabs(trace),
              "MLP Hutch++ %.6g +- %.3g vs trace %.6g", tr.trace, tr.std_error, trace);
    }
    /* a fixed probe batch: Lanczos sees exactly that batch's Hessian */
    {
        llp_batch b = llp_batch_range(10, 40);
        llp_batch_policy bp = llp_batch_policy_fixed(&b);
        llp_hessian Hb;
        double *wb = (double *)malloc(n * sizeof(double)), sb;
        CHECK_OK(llp_hessian_full(&s.f, s.theta, &bp, 5, &Hb));
        CHECK_OK(llp_sym_eig(Hb.h, n, wb, NULL));
        sb = fabs(wb[0]) > fabs(wb[n - 1]) ? fabs(wb[0]) : fabs(wb[n - 1]);
        memset(&d, 0, sizeof d);
        d.max_steps = n;
        d.tol = TOL(1e-10, 1e-5);
        CHECK_OK(llp_lanczos(&s.f, s.theta, &bp, &d, &rng, &res));
        CHECK(fabs(res.values[0] - wb[n - 1]) <= TOL(1e-8, 1e-4) * sb &&
                  fabs(res.values[1] - wb[0]) <= TOL(1e-8, 1e-4) * sb,
              "fixed batch: Lanczos %.10g %.10g vs %.10g %.10g", res.values[0], res.values[1], wb[n - 1], wb[0]);
        CHECK(strstr(res.batch, "samples 10..49 (40 of 120)") != NULL, "batch text: %s", res.batch);
        CHECK(fabs(wb[n - 1] - w[n - 1]) > 1e-6 * scale, "the batch's Hessian differs from the full one");
        llp_eig_result_free(&res);
        llp_hessian_free(&Hb);
        free(wb);
    }
    /* FRESH: one batch per product; the trace estimates the full one */
    {
        llp_rng brng;
        llp_batch_policy bp;
        llp_rng_seed(&brng, 82);
        bp = llp_batch_policy_fresh(30, &brng);
        td.min_samples = td.max_samples = 200;
        CHECK_OK(llp_hutchinson(&s.f, s.theta, &bp, &td, &rng, &tr));
        CHECK(tr.evals.batches == 200 && tr.evals.hvp == 200, "fresh batches: %lu", (unsigned long)tr.evals.batches);
        CHECK(fabs(tr.trace - trace) <= 4 * tr.std_error, "fresh-batch Hutchinson %.6g +- %.3g vs full trace %.6g",
              tr.trace, tr.std_error, trace);
        CHECK(strstr(tr.batch, "fresh mini-batch of 30 of 120") != NULL, "batch text: %s", tr.batch);
    }
    /* per layer: the restricted objective's full Hessian = the diagonal block */
    {
        int layer;
        for (layer = 0; layer < 3; layer++) {
            size_t off = 0, len = 0, wl = 0, a, b;
            llp_restricted rs;
            llp_objective fr;
            llp_real *work, *u, *g, *gfull, lr, lf;
            llp_hessian Hr;
            double err = 0;
            CHECK_OK(llp_mlp_layer_range(&s.mlp, layer, &off, &len));
            wl = llp_objective_restrict_work_size(n, 3);
            work = zeros(wl);
            CHECK_OK(llp_objective_restrict(&rs, &s.f, s.theta, off, len, 3, work, wl, &fr));
            CHECK_OK(llp_hessian_full(&fr, s.theta + off, NULL, 4, &Hr));
            for (a = 0; a < len; a++)
                for (b = 0; b < len; b++) {
                    double e = fabs(Hr.h[a * len + b] - H.h[(off + a) * n + off + b]);
                    if (e > err) err = e;
                }
            CHECK(err <= TOL(1e-13, 1e-6) * hmax, "layer %d [%lu, +%lu): block error %.3g", layer, (unsigned long)off,
                  (unsigned long)len, err);
            u = zeros(len);
            g = zeros(len);
            gfull = zeros(n);
            llp_copy(s.theta + off, u, len);
            CHECK_OK(llp_objective_loss_grad(&fr, u, NULL, &lr, g));
            CHECK_OK(llp_objective_loss_grad(&s.f, s.theta, NULL, &lf, gfull));
            CHECK(lr == lf && memcmp(g, gfull + off, len * sizeof(llp_real)) == 0,
                  "restricted loss and gradient = the parent's block");
            {
                double acc = -1;
                CHECK(fr.accuracy && fr.accuracy(fr.ctx, u, NULL, &acc) == LLP_OK && acc >= 0 && acc <= 1,
                      "accuracy passes through");
            }
            free(u);
            free(g);
            free(gfull);
            llp_hessian_free(&Hr);
            free(work);
        }
        {
            size_t off = 0, len = 0;
            CHECK(llp_mlp_layer_range(&s.mlp, 3, &off, &len) == LLP_ERR_ARG, "layer out of range");
            CHECK_OK(llp_mlp_layer_range(&s.mlp, 2, &off, &len));
            CHECK(off + len == n && len == 33, "last layer 10x3 + 3");
        }
    }
    llp_hessian_free(&H);
    free(fdh);
    free(w);
    free(tp);
    free(gp);
    free(gm);
    mlp_setup_free(&s);
}

/* ---- 7. the gradient-difference probe ---------------------------------------------- */

static void test_probe(void) {
    double lam[40], hd2 = 0, dhd = 0, tr2;
    quad q;
    llp_objective f;
    llp_probe_desc d;
    llp_probe_result pr;
    llp_rng rng;
    llp_real *theta = zeros(40), *dir = zeros(40), *hdv = zeros(40);
    size_t i, n = 40;
    linspace(lam, n, -4, 12);
    quad_init(&q, lam, n, 90);
    f = quad_objective(&q, 1, 0);
    llp_rng_seed(&rng, 91);
    for (i = 0; i < n; i++) theta[i] = (llp_real)llp_rng_normal(&rng);
    llp_rng_fill_normal(&rng, dir, n);
    llp_scale((llp_real)(1 / llp_nrm2(dir, n)), dir, n);
    quad_apply(&q, theta, dir, hdv);
    for (i = 0; i < n; i++) {
        hd2 += (double)hdv[i] * hdv[i];
        dhd += (double)dir[i] * hdv[i];
    }
    /* a quadratic: the difference of gradients is exact up to rounding */
    memset(&d, 0, sizeof d);
    d.dir = LLP_DIRECTION_GIVEN;
    d.d = dir;
    d.exact = 1;
    CHECK_OK(llp_hessian_probe(&f, theta, NULL, &d, NULL, &pr));
    CHECK_CLOSE(pr.gdiff, sqrt(hd2), TOL(1e-6, 1e-3), "quadratic: the probe = ||H d||");
    CHECK_CLOSE(pr.dir_fd, dhd, TOL(1e-6, 1e-3), "quadratic: projected = d^T H d");
    CHECK_CLOSE(pr.hd_exact, sqrt(hd2), TOL(1e-12, 1e-5), "||H d|| by HVP");
    CHECK_CLOSE(pr.dir_exact, dhd, TOL(1e-12, 1e-5), "d^T H d by HVP");
    if (llp_test_verbose)
        printf("  probe on the quadratic: ||Hd|| rel error %.2g, d^T H d rel error %.2g\n",
               fabs(pr.gdiff - sqrt(hd2)) / sqrt(hd2), fabs(pr.dir_fd - dhd) / fabs(dhd));
    CHECK(pr.gdiff >= fabs(pr.dir_fd), "||H d|| >= |d^T H d|");
    CHECK(fabs(pr.gdiff - fabs(pr.dir_fd)) > 0.1 * pr.gdiff, "...and far from it for a random d (%.4g vs %.4g)",
          pr.gdiff, pr.dir_fd);
    CHECK(pr.evals.grad == 2 && pr.evals.hvp == 1 && q.grad_calls == 2, "one probe: 2 gradients, 1 HVP");
    CHECK_CLOSE(pr.step, sqrt(LLP_TEST_EPS) * (1 + llp_nrm2(theta, n)), 1e-15, "default step");
    /* add a quartic term: the forward difference has an O(eps) error that
       shrinks with eps (3rd derivative 6 c x_i d_i^2 per coordinate) */
    q.quartic = 0.5;
    quad_apply(&q, theta, dir, hdv);
    hd2 = dhd = 0;
    for (i = 0; i < n; i++) {
        hd2 += (double)hdv[i] * hdv[i];
        dhd += (double)dir[i] * hdv[i];
    }
    {
        double e1[5], e2[5];
        static const double steps[5] = {1e-1, 1e-2, 1e-3, 1e-4, 1e-5};
        int k, kmax = LLP_REAL_IS_FLOAT ? 3 : 5;
        for (k = 0; k < kmax; k++) {
            d.step = steps[k];
            CHECK_OK(llp_hessian_probe(&f, theta, NULL, &d, NULL, &pr));
            e1[k] = fabs(pr.gdiff - sqrt(hd2));
            e2[k] = fabs(pr.dir_fd - dhd);
            if (k) {
                CHECK(e1[k] < e1[k - 1] && e1[k] > 0.05 * e1[k - 1] && e1[k] < 0.2 * e1[k - 1],
                      "||H d|| error %.3g at eps %g after %.3g: first order", e1[k], steps[k], e1[k - 1]);
                CHECK(e2[k] < 0.2 * e2[k - 1], "d^T H d error %.3g at eps %g after %.3g", e2[k], steps[k],
                      e2[k - 1]);
            }
        }
        CHECK(e1[kmax - 1] <= TOL(1e-4, 1e-1) * sqrt(hd2), "converged to ||H d||: %.3g", e1[kmax - 1]);
        CHECK(e2[kmax - 1] <= TOL(1e-4, 1e-1) * fabs(dhd) + TOL(1e-4, 1e-1), "converged to d^T H d: %.3g",
              e2[kmax - 1]);
        if (llp_test_verbose)
            printf("  probe errors ||Hd||: %.3g %.3g %.3g; d^T H d: %.3g %.3g %.3g\n", e1[0], e1[1], e1[2], e2[0],
                   e2[1], e2[2]);
    }
    q.quartic = 0;
    quad_free(&q);
    /* random unit directions: rms of the probe -> sqrt(tr(H^2)/n), the rms eigenvalue */
    {
        double lam2[300], dsum = 0, nn = 300;
        llp_real *th = zeros(300);
        for (i = 0; i < 300; i++) lam2[i] = (double)i / 30 - 5; /* a balanced saddle */
        quad_init(&q, lam2, 300, 92);
        f = quad_objective(&q, 1, 0);
        memset(&d, 0, sizeof d);
        d.probes = 200;
        d.exact = 1;
        CHECK_OK(llp_hessian_probe(&f, th, NULL, &d, &rng, &pr));
        tr2 = sqrt(frob2(&q) / nn);
        for (i = 0; i < 300; i++) dsum += lam2[i];
        /* ||H d||^2 for d uniform on the sphere: mean tr(H^2)/n, relative
           std about sqrt(2 (sum l^4/(sum l^2)^2)) ~ 0.11; over 200 probes
           the mean of squares is within 3% (4 sigma) */
        CHECK(fabs(pr.gdiff_rms / tr2 - 1) <= 0.03, "probe rms %.5g vs sqrt(tr(H^2)/n) = %.5g", pr.gdiff_rms, tr2);
        CHECK(fabs(pr.dir_exact - dsum / nn) <= 4 * tr2 * sqrt(2 / (nn + 2)) / sqrt(200.0),
              "mean d^T H d = tr(H)/n: %.4g vs %.4g", pr.dir_exact, dsum / nn);
        CHECK(pr.gdiff > 3 * fabs(pr.dir_fd), "the probe (%.3g) is not the curvature (%.3g)", pr.gdiff, pr.dir_fd);
        CHECK(pr.evals.grad == 201 && pr.evals.hvp == 200, "1 + probes gradients");
        /* the gradient direction */
        {
            llp_real *g = zeros(300), l;
            for (i = 0; i < 300; i++) th[i] = (llp_real)(0.1 * (double)(i % 7) - 0.3);
            CHECK_OK(llp_objective_loss_grad(&f, th, NULL, &l, g));
            memset(&d, 0, sizeof d);
            d.dir = LLP_DIRECTION_GRADIENT;
            d.exact = 1;
            CHECK_OK(llp_hessian_probe(&f, th, NULL, &d, NULL, &pr));
            CHECK_CLOSE(pr.dir_fd, pr.dir_exact, TOL(1e-6, 2e-2), "gradient direction: g^T H g / ||g||^2");
            free(g);
        }
        quad_free(&q);
        free(th);
    }
    free(theta);
    free(dir);
    free(hdv);
}

/* ---- 8. evaluation counts ------------------------------------------------------------ */

static void test_counts(void) {
    double lam[24];
    quad q;
    llp_objective f;
    llp_rng rng, brng;
    llp_real *theta = zeros(24);
    int variant;
    linspace(lam, 24, -1, 5);
    quad_init(&q, lam, 24, 95);
    llp_rng_seed(&rng, 96);
    for (variant = 0; variant < 3; variant++) {
        /* 0: hvp + block; 1: hvp only; 2: no hvp (finite differences: 2 gradients per product) */
        llp_eig_result er;
        llp_trace_result tr;
        llp_slq_result sr;
        llp_hessian H;
        llp_probe_result pr;
        llp_lanczos_desc ld;
        llp_power_desc pd;
        llp_trace_desc td;
        llp_hutchpp_desc hd;
        llp_slq_desc sd;
        llp_probe_desc prd;
        size_t per = variant == 2 ? 2 : 1;
#define PRODUCTS() (variant == 0 ? q.block_vecs + q.hvp_calls : variant == 1 ? q.hvp_calls : q.grad_calls / 2)
/* products as a tool reports them: HVPs, or (no hvp: finite differences) 2 gradients each and no HVP */
#define REPORTED(e) (variant == 2 ? ((e).hvp == 0 ? (e).grad / 2 : (size_t)-1) : (e).hvp)
        f = quad_objective(&q, variant < 2, variant == 0);
        memset(&ld, 0, sizeof ld);
        memset(&pd, 0, sizeof pd);
        memset(&td, 0, sizeof td);
        memset(&hd, 0, sizeof hd);
        memset(&sd, 0, sizeof sd);
        memset(&prd, 0, sizeof prd);
        reset_counts(&q);
        ld.tol = TOL(1e-6, 1e-3);
        CHECK_OK(llp_lanczos(&f, theta, NULL, &ld, &rng, &er));
        CHECK(REPORTED(er.evals) == PRODUCTS() && er.evals.grad == (variant == 2 ? q.grad_calls : 0) &&
                  q.grad_calls == (variant == 2 ? 2 * PRODUCTS() : 0),
              "variant %d lanczos: %lu reported, %lu counted", variant, (unsigned long)REPORTED(er.evals),
              (unsigned long)PRODUCTS());
        llp_eig_result_free(&er);
        reset_counts(&q);
        pd.k = 2;
        pd.max_iter = 30;
        CHECK_OK(llp_power_iteration(&f, theta, NULL, &pd, &rng, &er));
        CHECK(REPORTED(er.evals) == PRODUCTS() && REPORTED(er.evals) == er.iters, "variant %d power: %lu vs %lu", variant,
              (unsigned long)REPORTED(er.evals), (unsigned long)PRODUCTS());
        llp_eig_result_free(&er);
        reset_counts(&q);
        td.min_samples = 13;
        td.max_samples = 13;
        td.block = 5;
        CHECK_OK(llp_hutchinson(&f, theta, NULL, &td, &rng, &tr));
        CHECK(REPORTED(tr.evals) == 13 && PRODUCTS() == 13, "variant %d hutchinson: %lu", variant, (unsigned long)PRODUCTS());
        if (variant == 0)
            CHECK(q.block_calls == 3 && q.hvp_calls == 0, "blocks 5+5+3: %lu calls", (unsigned long)q.block_calls);
        reset_counts(&q);
        hd.matvecs = 20;
        CHECK_OK(llp_hutchpp(&f, theta, NULL, &hd, &rng, &tr));
        CHECK(REPORTED(tr.evals) == PRODUCTS() && REPORTED(tr.evals) == 6 + tr.sketch + 8, "variant %d hutch++: %lu vs %lu",
              variant, (unsigned long)REPORTED(tr.evals), (unsigned long)PRODUCTS());
        reset_counts(&q);
        sd.runs = 3;
        sd.steps = 7;
        CHECK_OK(llp_slq(&f, theta, NULL, &sd, &rng, &sr));
        CHECK(REPORTED(sr.evals) == 21 && PRODUCTS() == 21, "variant %d slq: %lu", variant, (unsigned long)PRODUCTS());
        llp_slq_free(&sr);
        reset_counts(&q);
        CHECK_OK(llp_hessian_full(&f, theta, NULL, 5, &H));
        CHECK(REPORTED(H.evals) == 24 && PRODUCTS() == 24, "variant %d full Hessian: %lu", variant,
              (unsigned long)PRODUCTS());
        if (variant == 0) CHECK(q.block_calls == 5, "full Hessian in 5 blocks of <= 5");
        if (variant == 2) CHECK(H.asym_rel < TOL(1e-7, 1e-2), "FD asymmetry %.3g", H.asym_rel);
        llp_hessian_free(&H);
        reset_counts(&q);
        prd.probes = 4;
        prd.exact = 1;
        CHECK_OK(llp_hessian_probe(&f, theta, NULL, &prd, &rng, &pr));
        CHECK(pr.evals.grad == 5 + (per - 1) * 8 && pr.evals.hvp == (variant == 2 ? 0 : 4) &&
                  q.grad_calls == 5 + (per - 1) * 8 &&
                  q.loss_calls == 0,
              "variant %d probe: %lu gradients (%lu counted)", variant, (unsigned long)pr.evals.grad,
              (unsigned long)q.grad_calls);
#undef PRODUCTS
#undef REPORTED
    }
    /* FRESH batches on an objective with samples: one batch per product,
       sorted unique indices of the right size; paired gradients share it */
    {
        llp_trace_result tr;
        llp_probe_result pr;
        llp_trace_desc td;
        llp_probe_desc prd;
        llp_batch_policy bp;
        q.ns = 50;
        f = quad_objective(&q, 1, 1);
        llp_rng_seed(&brng, 97);
        bp = llp_batch_policy_fresh(17, &brng);
        memset(&td, 0, sizeof td);
        td.min_samples = td.max_samples = 12;
        reset_counts(&q);
        q.bad_batch = 0;
        CHECK_OK(llp_hutchinson(&f, theta, &bp, &td, &rng, &tr));
        CHECK(tr.evals.batches == 12 && q.hvp_calls == 12 && q.block_calls == 0 && !q.bad_batch && q.last_bs == 17,
              "fresh: 12 batches, single products, valid indices");
        memset(&prd, 0, sizeof prd);
        prd.probes = 3;
        reset_counts(&q);
        CHECK_OK(llp_hessian_probe(&f, theta, &bp, &prd, &rng, &pr));
        CHECK(pr.evals.grad == 6 && pr.evals.batches == 3 && q.grad_calls == 6, "fresh probe: 2 gradients per batch");
        /* the batch stream: same seed, same batches, same numbers */
        {
            llp_trace_result t2;
            llp_rng r1, r2;
            llp_rng_seed(&brng, 98);
            llp_rng_seed(&r1, 5);
            CHECK_OK(llp_hutchinson(&f, theta, &bp, &td, &r1, &tr));
            llp_rng_seed(&brng, 98);
            llp_rng_seed(&r2, 5);
            CHECK_OK(llp_hutchinson(&f, theta, &bp, &td, &r2, &t2));
            CHECK(tr.trace == t2.trace && tr.std_error == t2.std_error, "deterministic from the seeds");
        }
        /* Lanczos under FRESH: one batch per step */
        {
            llp_eig_result er;
            llp_lanczos_desc ld;
            memset(&ld, 0, sizeof ld);
            ld.max_steps = 10;
            reset_counts(&q);
            CHECK_OK(llp_lanczos(&f, theta, &bp, &ld, &rng, &er));
            CHECK(er.evals.batches == er.iters && er.evals.hvp == er.iters && q.hvp_calls == er.iters,
                  "fresh Lanczos: %lu batches for %lu steps", (unsigned long)er.evals.batches,
                  (unsigned long)er.iters);
            llp_eig_result_free(&er);
        }
        /* a batch covering every sample is allowed */
        bp.batch_size = 50;
        CHECK_OK(llp_hutchinson(&f, theta, &bp, &td, &rng, &tr));
        CHECK(!q.bad_batch && q.last_bs == 50, "batch of all 50 samples");
        q.ns = 0;
    }
    quad_free(&q);
    free(theta);
}

/* ---- 9. errors ------------------------------------------------------------------------ */

static int bytes_are(const void *p, size_t len, unsigned char b) {
    const unsigned char *c = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < len; i++)
        if (c[i] != b) return 0;
    return 1;
}

static void test_errors(void) {
    double lam[16];
    quad q;
    llp_objective f, f0;
    llp_rng rng;
    llp_real *theta = zeros(16);
    llp_eig_result er;
    llp_trace_result tr;
    llp_slq_result sr;
    llp_hessian H;
    llp_probe_result pr;
    llp_lanczos_desc ld;
    llp_power_desc pd;
    llp_trace_desc td;
    llp_hutchpp_desc hd;
    llp_slq_desc sd;
    llp_probe_desc prd;
    llp_batch_policy bp;
    llp_batch bad;
    size_t i;
    linspace(lam, 16, 1, 4);
    quad_init(&q, lam, 16, 99);
    f = quad_objective(&q, 1, 1);
    llp_rng_seed(&rng, 100);
    memset(&ld, 0, sizeof ld);
    memset(&pd, 0, sizeof pd);
    memset(&td, 0, sizeof td);
    memset(&hd, 0, sizeof hd);
    memset(&sd, 0, sizeof sd);
    memset(&prd, 0, sizeof prd);
    /* bad arguments: LLP_ERR_ARG, and the result left as it was */
    memset(&er, 0xAB, sizeof er);
    CHECK(llp_lanczos(NULL, theta, NULL, &ld, &rng, &er) == LLP_ERR_ARG, "NULL objective");
    CHECK(llp_lanczos(&f, NULL, NULL, &ld, &rng, &er) == LLP_ERR_ARG, "NULL theta");
    CHECK(llp_lanczos(&f, theta, NULL, &ld, NULL, &er) == LLP_ERR_ARG, "NULL rng");
    ld.k_largest = 10;
    ld.k_smallest = 7;
    CHECK(llp_lanczos(&f, theta, NULL, &ld, &rng, &er) == LLP_ERR_ARG, "k_largest + k_smallest > n");
    ld.k_largest = 3;
    ld.k_smallest = 0;
    ld.max_steps = 2;
    CHECK(llp_lanczos(&f, theta, NULL, &ld, &rng, &er) == LLP_ERR_ARG, "k > max_steps");
    memset(&ld, 0, sizeof ld);
    ld.tol = -1;
    CHECK(llp_lanczos(&f, theta, NULL, &ld, &rng, &er) == LLP_ERR_ARG, "negative tol");
    ld.tol = 0;
    ld.v0 = theta; /* zero */
    CHECK(llp_lanczos(&f, theta, NULL, &ld, &rng, &er) == LLP_ERR_ARG, "zero start vector");
    ld.v0 = NULL;
    f0 = f;
    f0.n = 0;
    CHECK(llp_lanczos(&f0, theta, NULL, &ld, &rng, &er) == LLP_ERR_ARG, "n = 0");
    pd.k = 17;
    CHECK(llp_power_iteration(&f, theta, NULL, &pd, &rng, &er) == LLP_ERR_ARG, "power k > n");
    CHECK(bytes_are(&er, sizeof er, 0xAB), "eig result untouched on error");
    memset(&tr, 0xAB, sizeof tr);
    td.min_samples = 1;
    CHECK(llp_hutchinson(&f, theta, NULL, &td, &rng, &tr) == LLP_ERR_ARG, "min_samples 1");
    td.min_samples = 20;
    td.max_samples = 10;
    CHECK(llp_hutchinson(&f, theta, NULL, &td, &rng, &tr) == LLP_ERR_ARG, "max < min");
    td.max_samples = 0;
    td.rel_tol = -0.1;
    CHECK(llp_hutchinson(&f, theta, NULL, &td, &rng, &tr) == LLP_ERR_ARG, "negative rel_tol");
    td.rel_tol = 0;
    td.probe = (llp_probe_kind)7;
    CHECK(llp_hutchinson(&f, theta, NULL, &td, &rng, &tr) == LLP_ERR_ARG, "unknown probe");
    td.probe = LLP_PROBE_RADEMACHER;
    hd.matvecs = 5;
    CHECK(llp_hutchpp(&f, theta, NULL, &hd, &rng, &tr) == LLP_ERR_ARG, "Hutch++ budget below 6");
    CHECK(bytes_are(&tr, sizeof tr, 0xAB), "trace result untouched on error");
    /* batch policies */
    q.ns = 30;
    f = quad_objective(&q, 1, 1);
    bp = llp_batch_policy_fresh(0, &rng);
    CHECK(llp_hutchinson(&f, theta, &bp, &td, &rng, &tr) == LLP_ERR_ARG, "fresh batch size 0");
    bp = llp_batch_policy_fresh(31, &rng);
    CHECK(llp_hutchinson(&f, theta, &bp, &td, &rng, &tr) == LLP_ERR_ARG, "fresh batch larger than the data");
    bp = llp_batch_policy_fresh(5, NULL);
    CHECK(llp_hutchinson(&f, theta, &bp, &td, &rng, &tr) == LLP_ERR_ARG, "fresh without rng");
    bad = llp_batch_range(25, 10);
    bp = llp_batch_policy_fixed(&bad);
    CHECK(llp_hessian_full(&f, theta, &bp, 0, &H) == LLP_ERR_ARG, "fixed batch out of range");
    bp.kind = (llp_batch_policy_kind)9;
    CHECK(llp_hessian_full(&f, theta, &bp, 0, &H) == LLP_ERR_ARG, "unknown policy");
    CHECK(bytes_are(&tr, sizeof tr, 0xAB), "trace result untouched on error");
    q.ns = 0;
    f = quad_objective(&q, 1, 1);
    /* NaN products: LLP_ERR_NONFINITE, results untouched */
    q.nan_after = 3;
    f = quad_objective(&q, 1, 0);
    reset_counts(&q);
    CHECK(llp_lanczos(&f, theta, NULL, &ld, &rng, &er) == LLP_ERR_NONFINITE, "Lanczos: NaN HVP");
    reset_counts(&q);
    CHECK(llp_power_iteration(&f, theta, NULL, &pd, &rng, &er) == LLP_ERR_ARG, "(k still 17)");
    pd.k = 1;
    CHECK(llp_power_iteration(&f, theta, NULL, &pd, &rng, &er) == LLP_ERR_NONFINITE, "power: NaN HVP");
    CHECK(bytes_are(&er, sizeof er, 0xAB), "eig result untouched on NaN");
    reset_counts(&q);
    CHECK(llp_hutchinson(&f, theta, NULL, &td, &rng, &tr) == LLP_ERR_NONFINITE, "Hutchinson: NaN HVP");
    reset_counts(&q);
    CHECK(llp_hutchpp(&f, theta, NULL, &hd, &rng, &tr) == LLP_ERR_ARG, "(budget still 5)");
    hd.matvecs = 12;
    CHECK(llp_hutchpp(&f, theta, NULL, &hd, &rng, &tr) == LLP_ERR_NONFINITE, "Hutch++: NaN HVP");
    CHECK(bytes_are(&tr, sizeof tr, 0xAB), "trace result untouched on NaN");
    memset(&sr, 0xAB, sizeof sr);
    reset_counts(&q);
    CHECK(llp_slq(&f, theta, NULL, &sd, &rng, &sr) == LLP_ERR_NONFINITE, "SLQ: NaN HVP");
    CHECK(bytes_are(&sr, sizeof sr, 0xAB), "SLQ result untouched");
    memset(&H, 0xAB, sizeof H);
    reset_counts(&q);
    CHECK(llp_hessian_full(&f, theta, NULL, 1, &H) == LLP_ERR_NONFINITE, "full Hessian: NaN HVP");
    CHECK(bytes_are(&H, sizeof H, 0xAB), "Hessian result untouched");
    memset(&pr, 0xAB, sizeof pr);
    reset_counts(&q);
    prd.exact = 1;
    prd.probes = 5;
    CHECK(llp_hessian_probe(&f, theta, NULL, &prd, &rng, &pr) == LLP_ERR_NONFINITE, "probe: NaN HVP");
    prd.exact = 0;
    prd.dir = LLP_DIRECTION_GIVEN;
    CHECK(llp_hessian_probe(&f, theta, NULL, &prd, &rng, &pr) == LLP_ERR_ARG, "given direction missing");
    prd.d = theta;
    CHECK(llp_hessian_probe(&f, theta, NULL, &prd, &rng, &pr) == LLP_ERR_ARG, "given direction zero");
    prd.dir = LLP_DIRECTION_GRADIENT;
    CHECK(llp_hessian_probe(&f, theta, NULL, &prd, &rng, &pr) == LLP_ERR_ARG, "zero gradient has no direction");
    prd.dir = LLP_DIRECTION_RANDOM;
    prd.step = -1;
    CHECK(llp_hessian_probe(&f, theta, NULL, &prd, &rng, &pr) == LLP_ERR_ARG, "negative step");
    CHECK(bytes_are(&pr, sizeof pr, 0xAB), "probe result untouched");
    q.nan_after = -1;
    /* dense solvers: NaN input, bad sizes, outputs untouched */
    {
        double A[4] = {1, NAN, NAN, 2}, w[2], V[4];
        memset(w, 0xAB, sizeof w);
        memset(V, 0xAB, sizeof V);
        CHECK(llp_sym_eig(A, 2, w, V) == LLP_ERR_NONFINITE, "sym_eig NaN");
        CHECK(llp_sym_eig(A, 0, w, V) == LLP_ERR_ARG, "sym_eig n = 0");
        CHECK(llp_sym_eig(NULL, 2, w, V) == LLP_ERR_ARG, "sym_eig NULL");
        CHECK(llp_tridiag_eig(A, A + 1, 2, w, V) == LLP_ERR_NONFINITE, "tridiag NaN");
        CHECK(llp_tridiag_eig(A, NULL, 2, w, V) == LLP_ERR_ARG, "tridiag e NULL for n = 2");
        CHECK(bytes_are(w, sizeof w, 0xAB) && bytes_are(V, sizeof V, 0xAB), "outputs untouched");
        A[2] = 0.5; /* the upper triangle (A[1], still NaN) is not read */
        CHECK_OK(llp_sym_eig(A, 2, w, V));
    }
    /* stats and densities */
    {
        double v[3] = {1, 2, NAN}, wt[3] = {0.5, -0.1, 0.6};
        llp_spectrum_stats st;
        llp_density dens;
        llp_density_desc dd;
        llp_slq_result s0;
        memset(&st, 0xAB, sizeof st);
        CHECK(llp_hessian_stats(v, NULL, 3, 3, 1, 0, &st) == LLP_ERR_NONFINITE, "stats NaN");
        v[2] = 3;
        CHECK(llp_hessian_stats(v, NULL, 3, 4, 1, 0, &st) == LLP_ERR_ARG, "full spectrum needs n = count");
        CHECK(llp_hessian_stats(v, NULL, 3, 3, 4, 0, &st) == LLP_ERR_ARG, "k > n");
        CHECK(llp_hessian_stats(v, wt, 3, 10, 1, 0, &st) == LLP_ERR_ARG, "negative weight");
        CHECK(llp_hessian_stats(v, NULL, 3, 3, 1, -1, &st) == LLP_ERR_ARG, "negative rel_tol");
        CHECK(bytes_are(&st, sizeof st, 0xAB), "stats untouched");
        memset(&s0, 0, sizeof s0);
        CHECK(llp_slq_density(&s0, NULL, &dens) == LLP_ERR_ARG, "empty SLQ result");
        memset(&sd, 0, sizeof sd);
        sd.runs = 2;
        sd.steps = 4;
        CHECK_OK(llp_slq(&f, theta, NULL, &sd, &rng, &s0));
        memset(&dd, 0, sizeof dd);
        dd.sigma = -1;
        CHECK(llp_slq_density(&s0, &dd, &dens) == LLP_ERR_ARG, "negative sigma");
        dd.sigma = 0;
        dd.points = 1;
        CHECK(llp_slq_density(&s0, &dd, &dens) == LLP_ERR_ARG, "one grid point");
        dd.points = 0;
        dd.lo = 3;
        dd.hi = 1;
        CHECK(llp_slq_density(&s0, &dd, &dens) == LLP_ERR_ARG, "hi < lo");
        CHECK(llp_density_write(NULL, "x.dat", NULL, NULL) == LLP_ERR_ARG, "write NULL density");
        llp_slq_free(&s0);
    }
    /* restriction */
    {
        llp_restricted rs;
        llp_objective fr;
        size_t wl = llp_objective_restrict_work_size(16, 2);
        llp_real *work = zeros(wl);
        CHECK(wl == 16 * 5, "work size n (1 + 2 block)");
        CHECK(llp_objective_restrict(&rs, &f, theta, 10, 7, 2, work, wl, &fr) == LLP_ERR_ARG, "range past n");
        CHECK(llp_objective_restrict(&rs, &f, theta, 4, 0, 2, work, wl, &fr) == LLP_ERR_ARG, "len 0");
        CHECK(llp_objective_restrict(&rs, &f, theta, 4, 4, 2, work, wl - 1, &fr) == LLP_ERR_ARG, "short work");
        CHECK(llp_objective_restrict(&rs, &f, theta, 4, 4, 3, work, wl, &fr) == LLP_ERR_ARG, "work for block 2 only");
        CHECK(llp_objective_restrict_work_size((size_t)-1 / 2, 4) == 0, "size overflow gives 0");
        free(work);
    }
    (void)i;
    quad_free(&q);
    free(theta);
}

/* ---- 10. restriction on a quadratic, batch text ------------------------------------------------ */

static void test_restrict_quadratic(void) {
    double lam[20];
    quad q;
    llp_objective f, fr;
    llp_restricted rs;
    llp_hessian H;
    llp_real *theta = zeros(20), *work, *u = zeros(6), *v = zeros(6), *hv = zeros(6);
    size_t wl, a, b, i;
    llp_rng rng;
    double err = 0;
    linspace(lam, 20, -2, 9);
    quad_init(&q, lam, 20, 110);
    q.quartic = 0.7; /* the block depends on the fixed coordinates too */
    f = quad_objective(&q, 1, 0);
    llp_rng_seed(&rng, 111);
    llp_rng_fill_normal(&rng, theta, 20);
    wl = llp_objective_restrict_work_size(20, 0);
    work = zeros(wl);
    CHECK_OK(llp_objective_restrict(&rs, &f, theta, 7, 6, 0, work, wl, &fr));
    theta[0] += 100; /* theta was copied: changing it now changes nothing */
    theta[0] -= 100;
    llp_copy(theta + 7, u, 6);
    reset_counts(&q);
    CHECK_OK(llp_hessian_full(&fr, u, NULL, 0, &H));
    CHECK(H.evals.hvp == 6 && q.hvp_calls == 6, "restricted: 6 parent products (parent without block HVP)");
    for (a = 0; a < 6; a++)
        for (b = 0; b < 6; b++) {
            double ref = q.A[(7 + a) * 20 + 7 + b] + (a == b ? 3 * 0.7 * (double)theta[7 + a] * theta[7 + a] : 0);
            if (fabs(H.h[a * 6 + b] - ref) > err) err = fabs(H.h[a * 6 + b] - ref);
        }
    CHECK(err <= TOL(1e-14, 1e-5) * 10, "restricted Hessian = block of A + 3c diag(x^2): %.3g", err);
    /* a single product at a moved point */
    for (i = 0; i < 6; i++) {
        u[i] = (llp_real)(u[i] + 0.5);
        v[i] = (llp_real)(i + 1);
    }
    CHECK_OK(llp_objective_hvp(&fr, u, v, NULL, hv));
    for (a = 0; a < 6; a++) {
        double ref = 0;
        for (b = 0; b < 6; b++) ref += q.A[(7 + a) * 20 + 7 + b] * v[b];
        ref += 3 * 0.7 * (double)u[a] * u[a] * v[a];
        CHECK_CLOSE(hv[a], ref, TOL(1e-13, 1e-5), "restricted HVP at a moved point");
    }
    llp_hessian_free(&H);
    free(work);
    /* batch policy text */
    {
        char buf[160];
        llp_batch b1 = llp_batch_range(0, 64);
        size_t idx[3] = {1, 5, 9};
        llp_batch b2 = llp_batch_index(idx, 3);
        llp_batch_policy p;
        CHECK_OK(llp_batch_policy_describe(NULL, 200, buf, sizeof buf));
        CHECK(strcmp(buf, "batch: full data (200 samples)") == 0, "%s", buf);
        p = llp_batch_policy_fixed(&b1);
        CHECK_OK(llp_batch_policy_describe(&p, 200, buf, sizeof buf));
        CHECK(strcmp(buf, "batch: fixed probe batch, samples 0..63 (64 of 200)") == 0, "%s", buf);
        p = llp_batch_policy_fixed(&b2);
        CHECK_OK(llp_batch_policy_describe(&p, 200, buf, sizeof buf));
        CHECK(strcmp(buf, "batch: fixed probe batch of 3 listed samples (of 200)") == 0, "%s", buf);
        p = llp_batch_policy_fresh(32, &rng);
        CHECK_OK(llp_batch_policy_describe(&p, 200, buf, sizeof buf));
        CHECK(strcmp(buf, "batch: fresh mini-batch of 32 of 200 samples per product, drawn without replacement") == 0,
              "%s", buf);
        CHECK_OK(llp_batch_policy_describe(&p, 0, buf, sizeof buf));
        CHECK(strncmp(buf, "batch: none", 11) == 0, "%s", buf);
        CHECK_OK(llp_batch_policy_describe(&p, 200, buf, 12));
        CHECK(strlen(buf) == 11, "truncated to the buffer");
        CHECK(llp_batch_policy_describe(&p, 200, NULL, 10) == LLP_ERR_ARG, "NULL buffer");
        CHECK(llp_batch_policy_describe(&p, 200, buf, 0) == LLP_ERR_ARG, "zero length");
    }
    quad_free(&q);
    free(theta);
    free(u);
    free(v);
    free(hv);
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_sym_eig_random);
    LLP_RUN(test_sym_eig_known);
    LLP_RUN(test_tridiag_gauss);
    LLP_RUN(test_lanczos_quadratics);
    LLP_RUN(test_power_iteration);
    LLP_RUN(test_hutchinson);
    LLP_RUN(test_hutchpp);
    LLP_RUN(test_slq);
    LLP_RUN(test_closed_forms);
    LLP_RUN(test_mlp);
    LLP_RUN(test_probe);
    LLP_RUN(test_counts);
    LLP_RUN(test_errors);
    LLP_RUN(test_restrict_quadratic);
    return llp_test_summary();
}
