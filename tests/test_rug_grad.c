/* test_rug_grad.c — gradient noise scale, batch-gradient statistics,
   curvature along the gradient, the Hessian panel, stable learning rates.

   References, none computed by the code under test:
   - Linear least squares, where every per-sample gradient is known in closed
     form: as an MLP with no hidden layer (identity, MSE; the library's MSE is
     the mean of (y - t)^2, no 1/2, so g_i = 2 r_i [x_i; 1]) and as a callback
     objective over the test's own arrays (1/2 (x_i.theta - y_i)^2, g_i = r_i
     x_i, H = mean x_i x_i^T). |G|^2 and the population covariance
     tr(Sigma) = (1/N) sum |g_i - G|^2 are summed here in double.
   - Sampling B of N without replacement: E |G_B|^2 = |G|^2 + tr(Sigma)
     (N - B) / (B (N - 1)) (the finite-population correction, textbook); so
     the corrected estimators are unbiased for |G|^2 and tr(Sigma), and the
     paper's uncorrected ones have means |G|^2 - tr(Sigma)/(N - 1) and
     tr(Sigma) N/(N - 1).
   - Batch statistics: the same batches re-drawn here from a copy of the rng
     (the partial Fisher–Yates documented in the part), the gradients from the
     closed form, norms, cosines and the jackknife brute force (each
     leave-one-out mean summed directly over its pairs).
   - Quadratic landscapes: the closed-form Hessian (llp_landscape_hessian):
     g^T H g / g^T g, ||H g||, the exact line search 1 / ghat^T H ghat and the
     model decrease ||g||^2 / (2 ghat^T H ghat) (exact for a quadratic);
     eigenvalues lambda_i = cond^(i/(n-1)); the saddle's Hessian diag(+-2), on
     which a Rademacher SLQ start puts weight exactly 1/2 on -2.
   - Gradient descent on a quadratic: the loss never rises while lr <
     2/lambda_max (every eigencomponent shrinks), so the range test's
     max_stable is at least one grid factor below 2/lambda_max; see
     test_lr_stability for the upper bound.
   - Call counts kept by the test's own wrapper objective.

   Tolerances:
   - Statistical checks: |estimate - truth| <= 4 standard errors (the s.e.
     the code reports, itself checked against the brute-force formula in
     test_batch_stats; for the noise scale the s.e. is the sample s.d. of the
     per-pair values / sqrt(pairs)); fixed seeds, so they are deterministic,
     and the same bound holds in the float build (float rounding of the
     gradients is ~1e-7 relative, far below the s.e.).
   - Brute-force identities: 1e-12 relative in double (a few sums of a few
     hundred terms in double), 1e-5 in float (the gradients themselves are
     float: ~10 eps_float after the sums and divisions).
   - ghat^T H ghat on the quadratic: 1e-12 relative (the HVP is exact; one
     dot and one norm of n = 8 terms); float 1e-5.
   - Lanczos extremes with lanczos_steps >= n: 1e-8 relative (the brief's
     bar; the whole Krylov space, exact to rounding); float 1e-4 (the
     products carry eps_float ||H|| errors).
   - Finite-difference probe on a quadratic: exact up to rounding of the
     gradient difference, eps_mach ||g|| / eps ~ 1e-8 relative: 1e-6; float
     (eps 3.5e-4 of a float gradient) 1e-2.
   - Loss scaling by a = 3: ratios of what scales, 1e-12 relative (the same
     batches and probes are drawn; only rounding differs); float 1e-5. */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"

#include <stdlib.h>

static double rel(double a, double b) { return fabs(a - b) / (fabs(b) > 0 ? fabs(b) : 1); }

/* ---- least squares as a callback objective ---------------------------------- */

typedef struct lsq {
    size_t N, d;
    double *X, *y; /* (N, d), (N) */
} lsq;

static const size_t *batch_rows(const llp_batch *b, size_t N, size_t *count, size_t *start) {
    if (!b || b->kind == LLP_BATCH_ALL) {
        *count = N;
        *start = 0;
        return NULL;
    }
    *count = b->count;
    *start = b->kind == LLP_BATCH_RANGE ? b->start : 0;
    return b->kind == LLP_BATCH_INDEX ? b->index : NULL;
}

static llp_result lsq_loss_grad(void *ctx, const llp_real *th, const llp_batch *b, llp_real *loss, llp_real *grad) {
    lsq *q = (lsq *)ctx;
    size_t cnt, st, i, j;
    const size_t *idx = batch_rows(b, q->N, &cnt, &st);
    double L = 0, g[16];
    memset(g, 0, sizeof g);
    for (i = 0; i < cnt; i++) {
        size_t s = idx ? idx[i] : st + i;
        double r = -q->y[s];
        for (j = 0; j < q->d; j++) r += q->X[s * q->d + j] * th[j];
        L += 0.5 * r * r;
        for (j = 0; j < q->d; j++) g[j] += r * q->X[s * q->d + j];
    }
    *loss = (llp_real)(L / (double)cnt);
    if (grad)
        for (j = 0; j < q->d; j++) grad[j] = (llp_real)(g[j] / (double)cnt);
    return LLP_OK;
}

static llp_result lsq_hvp(void *ctx, const llp_real *th, const llp_real *v, const llp_batch *b, llp_real *hv) {
    lsq *q = (lsq *)ctx;
    size_t cnt, st, i, j;
    const size_t *idx = batch_rows(b, q->N, &cnt, &st);
    double h[16];
    (void)th;
    memset(h, 0, sizeof h);
    for (i = 0; i < cnt; i++) {
        size_t s = idx ? idx[i] : st + i;
        double xv = 0;
        for (j = 0; j < q->d; j++) xv += q->X[s * q->d + j] * v[j];
        for (j = 0; j < q->d; j++) h[j] += xv * q->X[s * q->d + j];
    }
    for (j = 0; j < q->d; j++) hv[j] = (llp_real)(h[j] / (double)cnt);
    return LLP_OK;
}

static void lsq_make(lsq *q, size_t N, size_t d, double noise, llp_rng *rng) {
    size_t i, j;
    q->N = N;
    q->d = d;
    q->X = (double *)malloc(N * d * sizeof(double));
    q->y = (double *)malloc(N * sizeof(double));
    for (i = 0; i < N; i++) {
        double t = 0;
        for (j = 0; j < d; j++) {
            q->X[i * d + j] = llp_rng_normal(rng);
            t += q->X[i * d + j] * (0.5 + (double)j);
        }
        q->y[i] = t + noise * llp_rng_normal(rng);
    }
}

static void lsq_free(lsq *q) {
    free(q->X);
    free(q->y);
}

/* Per-sample gradient of sample s (double, closed form) */
static void lsq_sample_grad(const lsq *q, const llp_real *th, size_t s, double *g) {
    size_t j;
    double r = -q->y[s];
    for (j = 0; j < q->d; j++) r += q->X[s * q->d + j] * th[j];
    for (j = 0; j < q->d; j++) g[j] = r * q->X[s * q->d + j];
}

/* |G|^2 and tr(Sigma) (population covariance) of a least-squares objective. */
static void lsq_truth(const lsq *q, const llp_real *th, double *G2, double *trS) {
    double G[16], gi[16], t = 0, a = 0;
    size_t i, j;
    memset(G, 0, sizeof G);
    for (i = 0; i < q->N; i++) {
        lsq_sample_grad(q, th, i, gi);
        for (j = 0; j < q->d; j++) G[j] += gi[j] / (double)q->N;
    }
    for (j = 0; j < q->d; j++) a += G[j] * G[j];
    for (i = 0; i < q->N; i++) {
        lsq_sample_grad(q, th, i, gi);
        for (j = 0; j < q->d; j++) t += (gi[j] - G[j]) * (gi[j] - G[j]) / (double)q->N;
    }
    *G2 = a;
    *trS = t;
}

/* ---- a counting (and loss-scaling) wrapper ---------------------------------- */

typedef struct wrap {
    const llp_objective *f;
    double scale;
    size_t lg, g, loss, hvp;
} wrap;

static llp_result wrap_lg(void *ctx, const llp_real *th, const llp_batch *b, llp_real *loss, llp_real *grad) {
    wrap *w = (wrap *)ctx;
    llp_result r;
    size_t i;
    if (grad)
        w->g++;
    else
        w->loss++;
    r = w->f->loss_grad(w->f->ctx, th, b, loss, grad);
    *loss = (llp_real)(*loss * w->scale);
    if (grad)
        for (i = 0; i < w->f->n; i++) grad[i] = (llp_real)(grad[i] * w->scale);
    return r;
}

static llp_result wrap_hvp(void *ctx, const llp_real *th, const llp_real *v, const llp_batch *b, llp_real *hv) {
    wrap *w = (wrap *)ctx;
    llp_result r;
    size_t i;
    w->hvp++;
    r = w->f->hvp(w->f->ctx, th, v, b, hv);
    for (i = 0; i < w->f->n; i++) hv[i] = (llp_real)(hv[i] * w->scale);
    return r;
}

static llp_objective wrap_make(wrap *w, const llp_objective *f, double scale) {
    llp_objective o;
    memset(w, 0, sizeof *w);
    w->f = f;
    w->scale = scale;
    o = llp_objective_from_callbacks(f->n, f->n_samples, wrap_lg, f->hvp ? wrap_hvp : NULL, w);
    return o;
}

/* ---- 1. gradient noise scale -------------------------------------------------- */

static void test_noise_scale_mlp(void) {
    /* least squares as a no-hidden-layer MLP: y = w.x + b, loss mean (y - t)^2 */
    llp_mlp_desc md;
    llp_mlp m;
    llp_data data;
    llp_mlp_objective mo;
    llp_objective f;
    llp_rng rng;
    llp_grad_noise_desc nd;
    llp_grad_noise_result nr;
    const size_t N = 64, d = 4;
    double G[5], gi[5], G2 = 0, trS = 0, us, ub;
    size_t i, j;
    llp_real theta[5];
    memset(&md, 0, sizeof md);
    md.n_layers = 1, md.sizes[0] = (int)d, md.sizes[1] = 1, md.loss = LLP_LOSS_MSE;
    CHECK_OK(llp_mlp_init(&m, &md));
    memset(&data, 0, sizeof data);
    data.n = N, data.d = d, data.task = LLP_TASK_REGRESSION, data.k = 1;
    data.x = (llp_real *)malloc(N * d * sizeof(llp_real));
    data.y = (llp_real *)malloc(N * sizeof(llp_real));
    llp_rng_seed(&rng, 11);
    for (i = 0; i < N; i++) {
        double t = 0.3;
        for (j = 0; j < d; j++) {
            data.x[i * d + j] = (llp_real)llp_rng_normal(&rng);
            t += (double)data.x[i * d + j] * (1.0 - 0.4 * (double)j);
        }
        data.y[i] = (llp_real)(t + 0.5 * llp_rng_normal(&rng));
    }
    CHECK_OK(llp_mlp_objective_init(&mo, &m, &data, 0));
    f = llp_mlp_objective_get(&mo);
    CHECK(f.n == 5, "w (4) then b: %lu parameters", (unsigned long)f.n);
    for (j = 0; j < 5; j++) theta[j] = (llp_real)(0.2 * (double)j - 0.3);
    /* closed form: g_i = 2 r_i [x_i; 1], r_i = w.x_i + b - y_i */
    memset(G, 0, sizeof G);
    for (i = 0; i < N; i++) {
        double r = (double)theta[4] - data.y[i];
        for (j = 0; j < d; j++) r += (double)theta[j] * data.x[i * d + j];
        for (j = 0; j < d; j++) G[j] += 2 * r * data.x[i * d + j] / (double)N;
        G[4] += 2 * r / (double)N;
    }
    for (j = 0; j < 5; j++) G2 += G[j] * G[j];
    for (i = 0; i < N; i++) {
        double r = (double)theta[4] - data.y[i];
        for (j = 0; j < d; j++) r += (double)theta[j] * data.x[i * d + j];
        for (j = 0; j < d; j++) gi[j] = 2 * r * data.x[i * d + j];
        gi[4] = 2 * r;
        for (j = 0; j < 5; j++) trS += (gi[j] - G[j]) * (gi[j] - G[j]) / (double)N;
    }
    {   /* the MSE convention: the objective's full gradient is the closed-form G */
        llp_real g[5], l;
        double e = 0;
        CHECK_OK(llp_objective_loss_grad(&f, theta, NULL, &l, g));
        for (j = 0; j < 5; j++) e += fabs(g[j] - G[j]);
        CHECK(e <= TOL(1e-12, 1e-5) * sqrt(G2), "MLP MSE gradient = 2 mean r [x; 1] (err %.2g)", e);
    }
    memset(&nd, 0, sizeof nd);
    nd.b_small = 4, nd.b_big = 16, nd.pairs = 3000;
    llp_rng_seed(&rng, 5);
    CHECK_OK(llp_grad_noise_scale(&f, theta, &nd, &rng, &nr));
    us = (double)(N - 4) / (4.0 * (double)(N - 1));
    ub = (double)(N - 16) / (16.0 * (double)(N - 1));
    CHECK(fabs(nr.g2.value - G2) <= 4 * nr.g2.se, "|G|^2 unbiased: %.6g vs %.6g (se %.2g)", nr.g2.value, G2,
          nr.g2.se);
    CHECK(fabs(nr.s.value - trS) <= 4 * nr.s.se, "S = tr(Sigma) unbiased: %.6g vs %.6g (se %.2g)", nr.s.value, trS,
          nr.s.se);
    CHECK(fabs(nr.b_simple - trS / G2) <= 4 * nr.b_simple_se, "B_simple: %.6g vs %.6g (se %.2g)", nr.b_simple,
          trS / G2, nr.b_simple_se);
    CHECK(fabs(nr.g2_small.value - (G2 + trS * us)) <= 4 * nr.g2_small.se,
          "E|G_small|^2 = |G|^2 + tr(Sigma) u(4): %.6g vs %.6g", nr.g2_small.value, G2 + trS * us);
    CHECK(fabs(nr.g2_big.value - (G2 + trS * ub)) <= 4 * nr.g2_big.se,
          "E|G_big|^2 = |G|^2 + tr(Sigma) u(16): %.6g vs %.6g", nr.g2_big.value, G2 + trS * ub);
    CHECK(nr.b_simple_se > 0 && nr.b_simple_se < 0.2 * nr.b_simple, "B_simple s.e. %.3g positive and small",
          nr.b_simple_se);
    CHECK(nr.g2.samples == 3000 && nr.s.samples == 3000 && nr.pairs == 3000 && nr.fpc == 1, "pairs and fpc");
    CHECK(nr.evals.grad == 6000 && nr.evals.batches == 6000 && nr.evals.hvp == 0 && nr.evals.loss == 0,
          "2 gradients per pair (%lu)", (unsigned long)nr.evals.grad);
    llp_mlp_objective_free(&mo);
    llp_mlp_free(&m);
    free(data.x);
    free(data.y);
}

static void test_noise_scale_population(void) {
    /* small N, where the finite-population correction is large */
    lsq q;
    llp_objective f;
    llp_rng rng;
    llp_grad_noise_desc nd;
    llp_grad_noise_result a, b, c;
    llp_real theta[3] = {0.1f, -0.4f, 0.9f};
    double G2, trS, Nm1 = 23;
    wrap w;
    llp_objective cf;
    llp_rng_seed(&rng, 21);
    lsq_make(&q, 24, 3, 1.0, &rng);
    f = llp_objective_from_callbacks(3, 24, lsq_loss_grad, lsq_hvp, &q);
    lsq_truth(&q, theta, &G2, &trS);
    memset(&nd, 0, sizeof nd);
    nd.b_small = 3, nd.b_big = 12, nd.pairs = 4000;
    llp_rng_seed(&rng, 1);
    CHECK_OK(llp_grad_noise_scale(&f, theta, &nd, &rng, &a));
    CHECK(fabs(a.g2.value - G2) <= 4 * a.g2.se, "corrected |G|^2: %.6g vs %.6g (se %.2g)", a.g2.value, G2, a.g2.se);
    CHECK(fabs(a.s.value - trS) <= 4 * a.s.se, "corrected S: %.6g vs %.6g (se %.2g)", a.s.value, trS, a.s.se);
    nd.infinite_population = 1;
    llp_rng_seed(&rng, 1);
    CHECK_OK(llp_grad_noise_scale(&f, theta, &nd, &rng, &b));
    CHECK(fabs(b.g2.value - (G2 - trS / Nm1)) <= 4 * b.g2.se, "paper's |G|^2 has mean |G|^2 - tr/(N-1): %.6g vs %.6g",
          b.g2.value, G2 - trS / Nm1);
    CHECK(fabs(b.s.value - trS * 24 / Nm1) <= 4 * b.s.se, "paper's S has mean tr N/(N-1): %.6g vs %.6g", b.s.value,
          trS * 24 / Nm1);
    CHECK(fabs(b.g2.value - G2) > 4 * b.g2.se, "the correction matters here (bias %.3g, se %.2g)", trS / Nm1, b.g2.se);
    CHECK(b.fpc == 0 && a.fpc == 1, "fpc flag");
    {   /* the delta-method s.e. of B_simple against the spread of B_simple over replicates:
           400 replicates estimate the s.d. to ~3.5% (1/sqrt(2 * 400)); the delta method is first
           order (error O(1/pairs) at 100 pairs; measured ratio 0.94): accept a ratio in [0.85, 1.18] */
        double sum = 0, sum2 = 0, se = 0, sd;
        int rep, ok = 1;
        nd.infinite_population = 0, nd.pairs = 100;
        for (rep = 0; rep < 400; rep++) {
            ok &= llp_grad_noise_scale(&f, theta, &nd, &rng, &c) == LLP_OK;
            sum += c.b_simple, sum2 += c.b_simple * c.b_simple, se += c.b_simple_se / 400;
        }
        sd = sqrt((sum2 - sum * sum / 400) / 399);
        CHECK(ok && se / sd >= 0.85 && se / sd <= 1.18, "B_simple s.e. %.4g vs replicate s.d. %.4g", se, sd);
        nd.pairs = 4000;
    }
    /* b_big = N with the correction: u_b = 0, so every pair's |G|^2 is the full one, exactly */
    nd.infinite_population = 0;
    nd.b_big = 24, nd.pairs = 5;
    llp_rng_seed(&rng, 2);
    CHECK_OK(llp_grad_noise_scale(&f, theta, &nd, &rng, &c));
    CHECK(rel(c.g2.value, G2) <= TOL(1e-12, 1e-5) && c.g2.se <= TOL(1e-12, 1e-5) * G2,
          "b_big = N: |G|^2 exact (%.17g vs %.17g, se %.2g)", c.g2.value, G2, c.g2.se);
    /* exact counts through a counting wrapper */
    cf = wrap_make(&w, &f, 1.0);
    nd.b_big = 12, nd.pairs = 7;
    CHECK_OK(llp_grad_noise_scale(&cf, theta, &nd, &rng, &c));
    CHECK(c.evals.grad == w.g && w.g == 14 && w.loss == 0 && w.hvp == 0, "evals = calls (%lu)", (unsigned long)w.g);
    /* defaults: b_small = max(1, min(32, N/8)) = 3, b_big = 8 b_small = 24 */
    CHECK_OK(llp_grad_noise_scale(&f, theta, NULL, &rng, &c));
    CHECK(c.b_small == 3 && c.b_big == 24 && c.pairs == 20, "defaults %lu %lu %lu", (unsigned long)c.b_small,
          (unsigned long)c.b_big, (unsigned long)c.pairs);
    lsq_free(&q);
}

/* Two samples with per-sample gradients +1 and -1: G = 0. */
static llp_result pm_loss_grad(void *ctx, const llp_real *th, const llp_batch *b, llp_real *loss, llp_real *grad) {
    size_t cnt, st, i;
    const size_t *idx = batch_rows(b, 2, &cnt, &st);
    double s = 0;
    (void)ctx;
    for (i = 0; i < cnt; i++) s += (idx ? idx[i] : st + i) == 0 ? 1.0 : -1.0;
    *loss = (llp_real)(s / (double)cnt * th[0]);
    if (grad) grad[0] = (llp_real)(s / (double)cnt);
    return LLP_OK;
}

static void test_noise_scale_at_minimum(void) {
    llp_objective f = llp_objective_from_callbacks(1, 2, pm_loss_grad, NULL, NULL);
    llp_grad_noise_desc nd;
    llp_grad_noise_result r;
    llp_rng rng;
    llp_real th = 1;
    memset(&nd, 0, sizeof nd);
    nd.b_small = 1, nd.b_big = 2, nd.pairs = 3, nd.infinite_population = 1;
    llp_rng_seed(&rng, 3);
    CHECK_OK(llp_grad_noise_scale(&f, &th, &nd, &rng, &r));
    /* |G_small|^2 = 1, |G_big|^2 = 0: |G|^2_est = (1*0 - 0.5*1)/0.5 = -1, S = 1/0.5 = 2 */
    CHECK(r.g2.value == -1 && r.s.value == 2, "negative |G|^2 estimate reported: %g, S %g", r.g2.value, r.s.value);
    CHECK(r.b_simple != r.b_simple && r.b_simple_se != r.b_simple_se, "B_simple NaN when |G|^2_est <= 0");
    nd.infinite_population = 0;
    CHECK_OK(llp_grad_noise_scale(&f, &th, &nd, &rng, &r));
    /* u_s = (2 - 1)/(1 * 1) = 1, u_b = 0: |G|^2 = |G_big|^2 = 0, S = 1 = tr(Sigma) = mean g_i^2 */
    CHECK(r.g2.value == 0 && r.s.value == 1 && r.b_simple != r.b_simple,
          "corrected: |G|^2 = 0, S = tr(Sigma) = 1 exactly (%g, %g)", r.g2.value, r.s.value);
}

/* ---- 2. batch-gradient statistics -------------------------------------------- */

static void redraw(llp_rng *rng, size_t *perm, size_t N, size_t B) {
    size_t i;
    for (i = 0; i < B; i++) {
        size_t j = i + (size_t)llp_rng_below(rng, (uint64_t)(N - i)), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}

static void test_batch_stats(void) {
    enum { N = 50, D = 4, M = 7, B = 9 };
    lsq q;
    llp_objective f, cf;
    llp_rng rng, copy;
    llp_grad_batch_desc bd;
    llp_grad_batch_result br;
    llp_real theta[D] = {0.3f, 0.2f, -1.0f, 2.0f};
    size_t perm[N], i, j, k, s, dup = 0;
    double g[M][D], nr[M], gi[D], mn = 0, var = 0, cs = 0, c[M][M], cmin = 1e300, cmax = -1e300, loo[M], lm = 0,
                                      jv = 0;
    wrap w;
    llp_rng_seed(&rng, 31);
    lsq_make(&q, N, D, 2.0, &rng);
    f = llp_objective_from_callbacks(D, N, lsq_loss_grad, lsq_hvp, &q);
    memset(&bd, 0, sizeof bd);
    bd.batches = M, bd.batch_size = B;
    llp_rng_seed(&rng, 77);
    copy = rng;
    CHECK_OK(llp_grad_batch_stats(&f, theta, &bd, &rng, &br));
    /* brute force with the same batches */
    for (i = 0; i < N; i++) perm[i] = i;
    for (k = 0; k < M; k++) {
        redraw(&copy, perm, N, B);
        for (i = 0; i < B; i++)
            for (j = i + 1; j < B; j++)
                if (perm[i] == perm[j]) dup++;
        memset(g[k], 0, sizeof g[k]);
        for (i = 0; i < B; i++) {
            lsq_sample_grad(&q, theta, perm[i], gi);
            for (j = 0; j < D; j++) g[k][j] += gi[j] / B;
        }
        nr[k] = 0;
        for (j = 0; j < D; j++) nr[k] += g[k][j] * g[k][j];
        nr[k] = sqrt(nr[k]);
        mn += nr[k] / M;
    }
    CHECK(dup == 0, "batches without replacement");
    CHECK(memcmp(&copy, &rng, sizeof rng) == 0, "the same stream consumed");
    for (k = 0; k < M; k++) var += (nr[k] - mn) * (nr[k] - mn) / (M - 1);
    for (k = 0; k < M; k++)
        for (s = k + 1; s < M; s++) {
            double dt = 0;
            for (j = 0; j < D; j++) dt += g[k][j] * g[s][j];
            c[k][s] = c[s][k] = dt / (nr[k] * nr[s]);
            cs += c[k][s] / (M * (M - 1) / 2);
            if (c[k][s] < cmin) cmin = c[k][s];
            if (c[k][s] > cmax) cmax = c[k][s];
        }
    for (i = 0; i < M; i++) { /* leave-one-out means, summed directly */
        double sum = 0;
        size_t cnt = 0;
        for (k = 0; k < M; k++)
            for (s = k + 1; s < M; s++)
                if (k != i && s != i) sum += c[k][s], cnt++;
        loo[i] = sum / (double)cnt;
        lm += loo[i] / M;
    }
    for (i = 0; i < M; i++) jv += (loo[i] - lm) * (loo[i] - lm);
    jv *= (double)(M - 1) / M;
    CHECK(rel(br.norm.value, mn) <= TOL(1e-12, 1e-5), "mean norm %.17g vs %.17g", br.norm.value, mn);
    CHECK(rel(br.norm.se, sqrt(var / M)) <= TOL(1e-10, 1e-4), "norm s.e. %.17g vs %.17g", br.norm.se, sqrt(var / M));
    CHECK(rel(br.norm_var, var) <= TOL(1e-10, 1e-4), "norm variance %.17g vs %.17g", br.norm_var, var);
    CHECK(rel(br.norm_cv, sqrt(var) / mn) <= TOL(1e-10, 1e-4), "CV %.17g vs %.17g", br.norm_cv, sqrt(var) / mn);
    CHECK(fabs(br.cosine.value - cs) <= TOL(1e-12, 1e-5), "mean cosine %.17g vs %.17g", br.cosine.value, cs);
    CHECK(rel(br.cosine.se, sqrt(jv)) <= TOL(1e-9, 1e-3), "jackknife s.e. %.17g vs %.17g", br.cosine.se, sqrt(jv));
    CHECK(fabs(br.cos_min - cmin) <= TOL(1e-12, 1e-5) && fabs(br.cos_max - cmax) <= TOL(1e-12, 1e-5),
          "cosine extremes");
    CHECK(br.norm.samples == M && br.cosine.samples == M && br.batches == M && br.batch_size == B, "counts");
    CHECK(br.evals.grad == M && br.evals.batches == M && br.evals.hvp == 0, "M gradients");
    /* counting wrapper; M = 2: s.e. NaN */
    cf = wrap_make(&w, &f, 1.0);
    bd.batches = 2;
    CHECK_OK(llp_grad_batch_stats(&cf, theta, &bd, &rng, &br));
    CHECK(w.g == 2 && br.evals.grad == 2 && br.cosine.se != br.cosine.se, "M = 2: two calls, no jackknife");
    /* defaults: 10 of min(32, N) */
    CHECK_OK(llp_grad_batch_stats(&f, theta, NULL, &rng, &br));
    CHECK(br.batches == 10 && br.batch_size == 32, "defaults 10 x 32");
    /* batch = all samples: every gradient the full one, cosine 1, variance 0 */
    bd.batches = 4, bd.batch_size = N;
    CHECK_OK(llp_grad_batch_stats(&f, theta, &bd, &rng, &br));
    CHECK(fabs(br.cosine.value - 1) <= TOL(1e-12, 1e-5) && br.norm_cv <= TOL(1e-12, 1e-5),
          "B = N: cosine 1 (%.17g), CV 0 (%.3g)", br.cosine.value, br.norm_cv);
    lsq_free(&q);
}

/* ---- 3. curvature along the gradient ------------------------------------------ */

static void test_curvature_quadratic(void) {
    enum { n = 8 };
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f, cf;
    llp_rng rng;
    llp_grad_curvature_desc cd;
    llp_grad_curvature_result cr;
    llp_real x[n], g[n], p[n], l0, l1, l09, l11;
    double H[n * n], Hg[n], gg = 0, gHg = 0, hgn = 0, ref;
    size_t i, j;
    wrap w;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = n, ld.cond = 50, ld.rotate = 1;
    llp_rng_seed(&rng, 8);
    CHECK_OK(llp_landscape_init(&ls, &ld, &rng));
    f = llp_landscape_objective(&ls);
    llp_rng_fill_normal(&rng, x, n);
    CHECK_OK(llp_landscape_eval(&ls, x, &l0, g));
    {
        llp_real hr[n * n];
        CHECK_OK(llp_landscape_hessian(&ls, x, hr));
        for (i = 0; i < n * n; i++) H[i] = hr[i];
    }
    for (i = 0; i < n; i++) {
        Hg[i] = 0;
        for (j = 0; j < n; j++) Hg[i] += H[i * n + j] * g[j];
        gg += (double)g[i] * g[i];
    }
    for (i = 0; i < n; i++) gHg += g[i] * Hg[i], hgn += Hg[i] * Hg[i];
    ref = gHg / gg;
    hgn = sqrt(hgn / gg);
    memset(&cd, 0, sizeof cd);
    cd.lambda_max = 50;
    cf = wrap_make(&w, &f, 1.0);
    CHECK_OK(llp_grad_curvature(&cf, x, &cd, &cr));
    CHECK(rel(cr.ghg, ref) <= TOL(1e-12, 1e-5), "ghat^T H ghat = g^T A g / g^T g: %.17g vs %.17g", cr.ghg, ref);
    CHECK(rel(cr.eta_star, 1 / ref) <= TOL(1e-12, 1e-5), "eta* = 1/ghat^T H ghat");
    CHECK(rel(cr.step_star, sqrt(gg) / ref) <= TOL(1e-12, 1e-5), "t* = ||g|| / ghat^T H ghat");
    CHECK(rel(cr.grad_norm, sqrt(gg)) <= TOL(1e-12, 1e-6) && rel(cr.loss, l0) <= TOL(1e-12, 1e-6), "loss, ||g||");
    CHECK(rel(cr.hg_norm, hgn) <= TOL(1e-12, 1e-5), "||H ghat|| %.17g vs %.17g", cr.hg_norm, hgn);
    CHECK(rel(cr.hg_cos, ref / hgn) <= TOL(1e-12, 1e-5) && cr.hg_cos < 1, "cos(ghat, H ghat) < 1 off eigenvectors");
    CHECK(rel(cr.rayleigh_ratio, ref / 50) <= TOL(1e-12, 1e-5) && cr.rayleigh_ratio >= 1.0 / 50 &&
              cr.rayleigh_ratio <= 1,
          "Rayleigh ratio %.6g in [1/cond, 1]", cr.rayleigh_ratio);
    CHECK(cr.fd_gdiff != cr.fd_gdiff && cr.fd_dir != cr.fd_dir, "no probe: NaN");
    CHECK(cr.evals.grad == 1 && cr.evals.hvp == 1 && w.g == 1 && w.hvp == 1 && w.loss == 0,
          "1 gradient + 1 HVP (%lu %lu)", (unsigned long)w.g, (unsigned long)w.hvp);
    /* the step -eta* g minimises L along -g and drops it by the model's amount */
    for (i = 0; i < n; i++) p[i] = (llp_real)(x[i] - cr.eta_star * g[i]);
    CHECK_OK(llp_landscape_eval(&ls, p, &l1, NULL));
    for (i = 0; i < n; i++) p[i] = (llp_real)(x[i] - 0.9 * cr.eta_star * g[i]);
    CHECK_OK(llp_landscape_eval(&ls, p, &l09, NULL));
    for (i = 0; i < n; i++) p[i] = (llp_real)(x[i] - 1.1 * cr.eta_star * g[i]);
    CHECK_OK(llp_landscape_eval(&ls, p, &l11, NULL));
    CHECK(l1 <= l09 && l1 <= l11, "L(x - eta* g) = %.17g <= %.17g (0.9), %.17g (1.1)", (double)l1, (double)l09,
          (double)l11);
    CHECK(fabs((double)l0 - l1 - cr.model_decrease) <= TOL(1e-11, 1e-4) * l0,
          "the drop is ||g||^2 / (2 ghg) on a quadratic: %.17g vs %.17g", (double)l0 - l1, cr.model_decrease);
    /* the finite-difference probe along the gradient */
    cd.fd_probe = 1;
    w.g = w.hvp = 0;
    CHECK_OK(llp_grad_curvature(&cf, x, &cd, &cr));
    CHECK(rel(cr.fd_dir, ref) <= TOL(1e-6, 1e-2), "probe: projection ~ ghat^T H ghat (%.10g vs %.10g)", cr.fd_dir, ref);
    CHECK(rel(cr.fd_gdiff, hgn) <= TOL(1e-6, 1e-2), "probe: ||dg|| / eps ~ ||H ghat|| (%.10g vs %.10g)", cr.fd_gdiff,
          hgn);
    CHECK(cr.fd_step > 0 && cr.evals.grad == 3 && cr.evals.hvp == 1 && w.g == 3 && w.hvp == 1,
          "probe: 2 more gradients (%lu)", (unsigned long)w.g);
    llp_landscape_free(&ls);

    /* along an eigenvector (axis-aligned quadratic, x on the top axis): ghg = lambda, cos 1 */
    ld.rotate = 0;
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    f = llp_landscape_objective(&ls);
    for (i = 0; i < n; i++) x[i] = 0;
    x[n - 1] = 2;
    CHECK_OK(llp_grad_curvature(&f, x, NULL, &cr));
    CHECK(rel(cr.ghg, ls.lambda[n - 1]) <= TOL(1e-14, 1e-6) && rel(cr.hg_cos, 1) <= TOL(1e-14, 1e-6),
          "eigenvector: ghg = lambda_max %.17g, cos 1", cr.ghg);
    CHECK(cr.rayleigh_ratio != cr.rayleigh_ratio, "no lambda_max given: NaN");
    for (i = 0; i < n; i++) x[i] = 0;
    CHECK(llp_grad_curvature(&f, x, NULL, &cr) == LLP_ERR_ARG, "zero gradient: no direction");
    llp_landscape_free(&ls);

    /* negative curvature: x^2 - y^2 at (0, 1): ghg = -2, no minimum along -g */
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_SADDLE, ld.n = 2;
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    f = llp_landscape_objective(&ls);
    x[0] = 0, x[1] = 1;
    CHECK_OK(llp_grad_curvature(&f, x, NULL, &cr));
    CHECK(cr.ghg == -2 && cr.eta_star > 1e300 && cr.model_decrease > 1e300, "ghg = -2 (%g), eta* = +inf", cr.ghg);
    llp_landscape_free(&ls);
}

/* ---- 4. the Hessian panel ---------------------------------------------------- */

static void test_panel(void) {
    enum { n = 30 };
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f, cf;
    llp_rng rng;
    llp_hessian_panel_desc pd;
    llp_hessian_panel_result pr;
    llp_real x[n];
    double sum = 0;
    size_t i, parts;
    wrap w;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = n, ld.cond = 100, ld.rotate = 1;
    llp_rng_seed(&rng, 9);
    CHECK_OK(llp_landscape_init(&ls, &ld, &rng));
    f = llp_landscape_objective(&ls);
    cf = wrap_make(&w, &f, 1.0);
    llp_rng_fill_normal(&rng, x, n);
    for (i = 0; i < n; i++) sum += ls.lambda[i];
    memset(&pd, 0, sizeof pd);
    pd.eta = 0.015;
    CHECK_OK(llp_hessian_panel(&cf, x, NULL, &pd, &rng, &pr));
    CHECK(rel(pr.lambda_max, ls.lambda[n - 1]) <= TOL(1e-8, 1e-4), "lambda_max %.17g vs 100", pr.lambda_max);
    CHECK(rel(pr.lambda_min, ls.lambda[0]) <= TOL(1e-8, 1e-4), "lambda_min %.17g vs 1", pr.lambda_min);
    CHECK(pr.lambda_max_residual <= TOL(1e-6, 1e-2) && pr.lambda_min_residual <= TOL(1e-6, 1e-2),
          "Ritz residuals %.2g %.2g", pr.lambda_max_residual, pr.lambda_min_residual);
    CHECK(rel(pr.cond_extreme, 100) <= TOL(1e-8, 1e-4), "lambda_max / lambda_min = 100");
    CHECK(fabs(pr.trace.value - sum) <= 4 * pr.trace.se && pr.trace.samples == 30,
          "trace %.6g within 4 s.e. (%.3g) of %.6g", pr.trace.value, pr.trace.se, sum);
    CHECK(pr.eta_lambda_max == 0.015 * pr.lambda_max && rel(pr.eta_lambda_max, 1.5) <= TOL(1e-8, 1e-4),
          "eta lambda_max = %.17g", pr.eta_lambda_max);
    CHECK(pr.lr_edge == 2 / pr.lambda_max, "2 / lambda_max");
    CHECK(pr.neg_ratio == 0 && pr.spectrum.kind == LLP_CRITICAL_MINIMUM, "no negative eigenvalues: a minimum");
    /* SLQ with 30 steps spans R^30: the nodes are the eigenvalues */
    CHECK(rel(pr.cond_pos, 100) <= TOL(1e-6, 1e-3), "SLQ cond_pos %.10g", pr.cond_pos);
    CHECK(rel(pr.cond_mean, 100 / (sum / n)) <= 0.5, "cond_mean %.4g ~ %.4g (SLQ trace, 4 runs)", pr.cond_mean,
          100 / (sum / n));
    parts = pr.lanczos_evals.hvp + pr.trace_evals.hvp + pr.slq_evals.hvp;
    CHECK(pr.evals.hvp == parts && w.hvp == parts && w.g == 0 && w.loss == 0 && pr.evals.grad == 0,
          "evals = sum of parts = calls (%lu = %lu)", (unsigned long)pr.evals.hvp, (unsigned long)w.hvp);
    CHECK(pr.trace_evals.hvp == 30 && pr.slq_evals.hvp == 120 && pr.lanczos_evals.hvp <= 30,
          "defaults: 30 probes, 4 x 30 SLQ, <= 30 Lanczos steps");
    {   /* the parts run alone from the same stream spend the same */
        llp_rng r2;
        llp_lanczos_desc ld2;
        llp_trace_desc td;
        llp_slq_desc sd;
        llp_eig_result er;
        llp_trace_result tr;
        llp_slq_result sr;
        llp_rng_seed(&r2, 9);
        llp_rng_seed(&rng, 9);
        CHECK_OK(llp_hessian_panel(&f, x, NULL, &pd, &rng, &pr));
        memset(&ld2, 0, sizeof ld2);
        ld2.max_steps = 30, ld2.k_largest = ld2.k_smallest = 1;
        memset(&td, 0, sizeof td);
        td.min_samples = td.max_samples = 30;
        memset(&sd, 0, sizeof sd);
        sd.runs = 4, sd.steps = 30;
        CHECK_OK(llp_lanczos(&f, x, NULL, &ld2, &r2, &er));
        CHECK_OK(llp_hutchinson(&f, x, NULL, &td, &r2, &tr));
        CHECK_OK(llp_slq(&f, x, NULL, &sd, &r2, &sr));
        CHECK(pr.evals.hvp == er.evals.hvp + tr.evals.hvp + sr.evals.hvp && pr.lambda_max == er.values[0] &&
                  pr.trace.value == tr.trace,
              "panel = its tools in order on one stream");
        llp_eig_result_free(&er);
        llp_slq_free(&sr);
    }
    /* no SLQ */
    pd.no_slq = 1;
    w.hvp = 0;
    CHECK_OK(llp_hessian_panel(&cf, x, NULL, &pd, &rng, &pr));
    CHECK(pr.neg_ratio != pr.neg_ratio && pr.cond_pos != pr.cond_pos && pr.slq_evals.hvp == 0 &&
              pr.evals.hvp == w.hvp,
          "no_slq: NaN ratios, no SLQ products");
    llp_landscape_free(&ls);

    /* the saddle: eigenvalues +2 (15) and -2 (15); a Rademacher start has weight 1/2 on each */
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_SADDLE, ld.n = n;
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    f = llp_landscape_objective(&ls);
    memset(&pd, 0, sizeof pd);
    CHECK_OK(llp_hessian_panel(&f, x, NULL, &pd, &rng, &pr));
    CHECK(fabs(pr.neg_ratio - 0.5) <= TOL(1e-12, 1e-6), "saddle: neg_ratio %.17g = 1/2", pr.neg_ratio);
    CHECK(rel(pr.lambda_max, 2) <= TOL(1e-10, 1e-5) && rel(pr.lambda_min, -2) <= TOL(1e-10, 1e-5),
          "saddle: extremes +-2 (%.17g, %.17g)", pr.lambda_max, pr.lambda_min);
    CHECK(pr.spectrum.kind == LLP_CRITICAL_SADDLE && pr.cond_extreme != pr.cond_extreme, "a saddle; no cond_extreme");
    CHECK(pr.eta_lambda_max != pr.eta_lambda_max && pr.eta != pr.eta, "no eta: NaN");
    CHECK(fabs(pr.trace.value) <= 4 * pr.trace.se + 1e-9, "trace 0 (%.3g, se %.3g)", pr.trace.value, pr.trace.se);
    llp_landscape_free(&ls);
}

/* ---- 5. learning-rate stability ---------------------------------------------- */

/* The range test's max_stable for gradient descent on the axis-aligned
   quadratic 1/2 sum lambda_k x_k^2, in closed form: component k after steps
   with rates lr_0..lr_(i-1) is x_k prod (1 - lr_j lambda_k); then the
   smoothing and the definition of max_stable as llp_lr_find documents them. */
static double closed_form_max_stable(const double *lam, const llp_real *x0, size_t n, double lo, double hi,
                                     size_t steps, size_t *ran) {
    double x[64], lr[400], s[400], avg = 0, best = 1e300, beta = 0.9;
    size_t i, k, cnt = 0, imin = 0;
    for (k = 0; k < n; k++) x[k] = x0[k];
    for (i = 0; i < steps; i++) {
        double L = 0, r = lo * exp(log(hi / lo) * (double)i / (double)(steps - 1));
        for (k = 0; k < n; k++) L += 0.5 * lam[k] * x[k] * x[k];
        if (!(L - L == 0)) break;
        avg = beta * avg + (1 - beta) * L;
        lr[cnt] = r;
        s[cnt] = avg / (1 - pow(beta, (double)(i + 1)));
        if (s[cnt] < best) best = s[cnt];
        cnt++;
        if (!(s[cnt - 1] - s[cnt - 1] == 0) || s[cnt - 1] > 4 * best) break;
        for (k = 0; k < n; k++) x[k] -= r * lam[k] * x[k];
    }
    *ran = cnt;
    for (i = 1; i < cnt; i++)
        if (s[i] < s[imin]) imin = i;
    for (i = imin + 1; i < cnt; i++)
        if (s[i] > s[0]) return lr[i - 1];
    return lr[cnt - 1];
}

static void test_lr_stability(void) {
    enum { n = 10 };
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f, cf;
    llp_rng rng;
    llp_lr_stability_desc sd;
    llp_lr_stability_result sr;
    llp_real x[n];
    double q, lam[n], ref;
    size_t i, ran;
    wrap w;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = n, ld.cond = 10, ld.rotate = 0;
    llp_rng_seed(&rng, 12);
    CHECK_OK(llp_landscape_init(&ls, &ld, &rng));
    f = llp_landscape_objective(&ls);
    cf = wrap_make(&w, &f, 1.0);
    llp_rng_fill_normal(&rng, x, n);
    for (i = 0; i < n; i++) lam[i] = ls.lambda[i];
    memset(&sd, 0, sizeof sd);
    sd.find.lr_min = 1e-3, sd.find.lr_max = 10, sd.find.steps = 200;
    q = pow(sd.find.lr_max / sd.find.lr_min, 1.0 / (double)(sd.find.steps - 1));
    CHECK_OK(llp_lr_stability(&cf, x, NULL, &sd, &rng, &sr));
    CHECK(rel(sr.lambda_max, 10) <= TOL(1e-10, 1e-5) && rel(sr.lr_edge, 0.2) <= TOL(1e-10, 1e-5),
          "2 / lambda_max = %.17g", sr.lr_edge);
    CHECK(sr.lr_edge == 2 / sr.lambda_max && sr.ratio == sr.max_stable / sr.lr_edge, "definitions");
    /* below the edge the loss never rises, so neither does the smoothed loss: max_stable >= edge / q */
    CHECK(sr.max_stable >= sr.lr_edge / q * (1 - 1e-12), "max_stable %.6g >= edge / q = %.6g", sr.max_stable,
          sr.lr_edge / q);
    /* the factor above the edge is not small, and not a free parameter: the closed form of the
       sweep gives it (the loss falls ~1e-20 before the edge and must regrow; see the part's doc).
       Float: the crossing may move by one grid step. */
    ref = closed_form_max_stable(lam, x, n, sd.find.lr_min, sd.find.lr_max, sd.find.steps, &ran);
    CHECK(fabs(log(sr.max_stable / ref)) <= TOL(1e-9, 1.01 * log(q)),
          "max_stable %.10g = closed form %.10g (ratio to the edge %.3g)", sr.max_stable, ref, sr.ratio);
    CHECK(sr.ratio > 2 && sr.ratio < 10, "full-batch GD overshoots the edge by %.3g (documented 6-8)", sr.ratio);
    CHECK(sr.steps == ran || LLP_REAL_IS_FLOAT, "steps %lu = closed form %lu", (unsigned long)sr.steps,
          (unsigned long)ran);
    CHECK(sr.evals.hvp == w.hvp && sr.evals.grad == w.g && w.loss == 0 && sr.evals.grad >= sr.steps &&
              sr.evals.grad <= sr.steps + 1 && sr.evals.hvp >= 1 && sr.evals.hvp <= n,
          "evals = calls: %lu HVPs, %lu gradients for %lu steps", (unsigned long)w.hvp, (unsigned long)w.g,
          (unsigned long)sr.steps);
    CHECK(sr.stopped_early == 1, "the sweep to 50 x the edge blows up");
    /* a short sweep around the edge: the overshoot shrinks but max_stable stays >= edge / q */
    sd.find.lr_min = 0.025, sd.find.lr_max = 1.6, sd.find.steps = 60;
    q = pow(sd.find.lr_max / sd.find.lr_min, 1.0 / (double)(sd.find.steps - 1));
    CHECK_OK(llp_lr_stability(&f, x, NULL, &sd, &rng, &sr));
    ref = closed_form_max_stable(lam, x, n, sd.find.lr_min, sd.find.lr_max, sd.find.steps, &ran);
    CHECK(sr.max_stable >= sr.lr_edge / q * (1 - 1e-12) && fabs(log(sr.max_stable / ref)) <= TOL(1e-9, 1.01 * log(q)),
          "short sweep: max_stable %.6g, closed form %.6g, edge %.6g", sr.max_stable, ref, sr.lr_edge);
    llp_landscape_free(&ls);
}

/* ---- loss scaling a L ---------------------------------------------------------- */

static void test_loss_scaling(void) {
    lsq q;
    llp_objective f, fa;
    llp_rng rng;
    llp_real theta[4] = {0.5f, -0.5f, 0.25f, 1.0f};
    llp_grad_noise_desc nd;
    llp_grad_noise_result n1, na;
    llp_grad_batch_result b1, ba;
    llp_grad_curvature_result c1, ca;
    llp_hessian_panel_result p1, pa;
    llp_lr_stability_result s1, sa;
    llp_lr_stability_desc sd;
    const double a = 3, t = TOL(1e-12, 1e-5);
    wrap w;
    llp_rng_seed(&rng, 41);
    lsq_make(&q, 40, 4, 1.0, &rng);
    f = llp_objective_from_callbacks(4, 40, lsq_loss_grad, lsq_hvp, &q);
    fa = wrap_make(&w, &f, a);
    memset(&nd, 0, sizeof nd);
    nd.b_small = 2, nd.b_big = 10, nd.pairs = 50;
    llp_rng_seed(&rng, 1);
    CHECK_OK(llp_grad_noise_scale(&f, theta, &nd, &rng, &n1));
    llp_rng_seed(&rng, 1);
    CHECK_OK(llp_grad_noise_scale(&fa, theta, &nd, &rng, &na));
    CHECK(rel(na.b_simple, n1.b_simple) <= t && rel(na.g2.value, a * a * n1.g2.value) <= t &&
              rel(na.s.value, a * a * n1.s.value) <= t,
          "noise scale: B_simple unchanged (%.17g, %.17g), |G|^2 and S x a^2", na.b_simple, n1.b_simple);
    llp_rng_seed(&rng, 2);
    CHECK_OK(llp_grad_batch_stats(&f, theta, NULL, &rng, &b1));
    llp_rng_seed(&rng, 2);
    CHECK_OK(llp_grad_batch_stats(&fa, theta, NULL, &rng, &ba));
    CHECK(fabs(ba.cosine.value - b1.cosine.value) <= t && rel(ba.norm_cv, b1.norm_cv) <= t &&
              rel(ba.norm.value, a * b1.norm.value) <= t,
          "batch stats: cosine and CV unchanged, norms x a");
    CHECK_OK(llp_grad_curvature(&f, theta, NULL, &c1));
    CHECK_OK(llp_grad_curvature(&fa, theta, NULL, &ca));
    CHECK(rel(ca.ghg, a * c1.ghg) <= t && rel(ca.eta_star, c1.eta_star / a) <= t &&
              rel(ca.hg_cos, c1.hg_cos) <= t,
          "curvature: ghg x a, eta* / a, cosine unchanged");
    llp_rng_seed(&rng, 3);
    CHECK_OK(llp_hessian_panel(&f, theta, NULL, NULL, &rng, &p1));
    llp_rng_seed(&rng, 3);
    CHECK_OK(llp_hessian_panel(&fa, theta, NULL, NULL, &rng, &pa));
    CHECK(rel(pa.lambda_max, a * p1.lambda_max) <= t && rel(pa.lambda_min, a * p1.lambda_min) <= t &&
              rel(pa.trace.value, a * p1.trace.value) <= t && rel(pa.lr_edge, p1.lr_edge / a) <= t &&
              rel(pa.cond_pos, p1.cond_pos) <= TOL(1e-9, 1e-3),
          "panel: lambda_max, lambda_min, trace x a, 2/lambda_max / a, condition unchanged");
    memset(&sd, 0, sizeof sd);
    sd.find.steps = 30;
    llp_rng_seed(&rng, 4);
    CHECK_OK(llp_lr_stability(&f, theta, NULL, &sd, &rng, &s1));
    llp_rng_seed(&rng, 4);
    CHECK_OK(llp_lr_stability(&fa, theta, NULL, &sd, &rng, &sa));
    CHECK(rel(sa.lr_edge, s1.lr_edge / a) <= t, "lr stability: 2/lambda_max / a");
    lsq_free(&q);
}

/* ---- determinism, theta untouched, bad arguments -------------------------------- */

static void test_determinism_and_args(void) {
    lsq q;
    llp_objective f, fl;
    llp_rng rng, r1, r2;
    llp_real theta[3] = {1.0f, 2.0f, -1.0f}, keep[3];
    llp_grad_noise_desc nd;
    llp_grad_noise_result a, b;
    llp_grad_batch_desc bd;
    llp_grad_batch_result ba, bb;
    llp_grad_curvature_desc cd;
    llp_grad_curvature_result cr;
    llp_hessian_panel_desc pd;
    llp_hessian_panel_result pa, pb;
    llp_lr_stability_result sr;
    llp_lr_stability_desc sd;
    llp_landscape ls;
    llp_landscape_desc ld;
    size_t idx[2] = {0, 99};
    llp_batch bad = llp_batch_index(idx, 2);
    llp_rng_seed(&rng, 51);
    lsq_make(&q, 30, 3, 1.0, &rng);
    f = llp_objective_from_callbacks(3, 30, lsq_loss_grad, lsq_hvp, &q);
    memcpy(keep, theta, sizeof keep);
    llp_rng_seed(&r1, 5), llp_rng_seed(&r2, 5);
    CHECK_OK(llp_grad_noise_scale(&f, theta, NULL, &r1, &a));
    CHECK_OK(llp_grad_noise_scale(&f, theta, NULL, &r2, &b));
    CHECK(a.b_simple == b.b_simple && a.g2.value == b.g2.value && a.s.se == b.s.se && !memcmp(&r1, &r2, sizeof r1),
          "noise scale: same seed, same bits");
    CHECK_OK(llp_grad_batch_stats(&f, theta, NULL, &r1, &ba));
    CHECK_OK(llp_grad_batch_stats(&f, theta, NULL, &r2, &bb));
    CHECK(ba.cosine.value == bb.cosine.value && ba.cosine.se == bb.cosine.se && ba.norm_var == bb.norm_var,
          "batch stats: same seed, same bits");
    CHECK_OK(llp_hessian_panel(&f, theta, NULL, NULL, &r1, &pa));
    CHECK_OK(llp_hessian_panel(&f, theta, NULL, NULL, &r2, &pb));
    CHECK(pa.lambda_max == pb.lambda_max && pa.trace.value == pb.trace.value && pa.cond_pos == pb.cond_pos,
          "panel: same seed, same bits");
    memset(&cd, 0, sizeof cd);
    cd.fd_probe = 1;
    CHECK_OK(llp_grad_curvature(&f, theta, &cd, &cr));
    memset(&sd, 0, sizeof sd);
    sd.find.steps = 20;
    CHECK_OK(llp_lr_stability(&f, theta, NULL, &sd, &r1, &sr));
    CHECK(memcmp(keep, theta, sizeof keep) == 0, "theta untouched by every tool");

    /* bad arguments: ERR_ARG, outputs untouched */
    memset(&nd, 0, sizeof nd);
    b = a;
    nd.b_small = 4, nd.b_big = 4;
    CHECK(llp_grad_noise_scale(&f, theta, &nd, &r1, &b) == LLP_ERR_ARG, "B_small = B_big");
    nd.b_small = 8, nd.b_big = 4;
    CHECK(llp_grad_noise_scale(&f, theta, &nd, &r1, &b) == LLP_ERR_ARG, "B_small > B_big");
    nd.b_small = 4, nd.b_big = 31;
    CHECK(llp_grad_noise_scale(&f, theta, &nd, &r1, &b) == LLP_ERR_ARG, "B_big > n_samples");
    nd.b_big = 8, nd.pairs = 1;
    CHECK(llp_grad_noise_scale(&f, theta, &nd, &r1, &b) == LLP_ERR_ARG, "one pair");
    nd.pairs = 0;
    CHECK(llp_grad_noise_scale(&f, theta, &nd, NULL, &b) == LLP_ERR_ARG, "no rng");
    CHECK(llp_grad_noise_scale(NULL, theta, &nd, &r1, &b) == LLP_ERR_ARG, "no objective");
    CHECK(llp_grad_noise_scale(&f, NULL, &nd, &r1, &b) == LLP_ERR_ARG, "no theta");
    CHECK(memcmp(&a, &b, sizeof a) == 0, "noise result untouched on error");
    memset(&bd, 0, sizeof bd);
    bb = ba;
    bd.batch_size = 31;
    CHECK(llp_grad_batch_stats(&f, theta, &bd, &r1, &bb) == LLP_ERR_ARG, "batch > n_samples");
    bd.batch_size = 5, bd.batches = 1;
    CHECK(llp_grad_batch_stats(&f, theta, &bd, &r1, &bb) == LLP_ERR_ARG, "one batch");
    CHECK(llp_grad_batch_stats(&f, theta, NULL, &r1, NULL) == LLP_ERR_ARG, "no result");
    CHECK(memcmp(&ba, &bb, sizeof ba) == 0, "batch result untouched on error");
    cd.fd_probe = 0;
    cd.lambda_max = -1;
    CHECK(llp_grad_curvature(&f, theta, &cd, &cr) == LLP_ERR_ARG, "negative lambda_max");
    cd.lambda_max = 0;
    cd.batch = &bad;
    CHECK(llp_grad_curvature(&f, theta, &cd, &cr) == LLP_ERR_ARG, "batch index out of range");
    memset(&pd, 0, sizeof pd);
    pd.trace_probes = 1;
    pb = pa;
    CHECK(llp_hessian_panel(&f, theta, NULL, &pd, &r1, &pb) == LLP_ERR_ARG, "one trace probe");
    pd.trace_probes = 0, pd.eta = -1;
    CHECK(llp_hessian_panel(&f, theta, NULL, &pd, &r1, &pb) == LLP_ERR_ARG, "negative eta");
    pd.eta = 0, pd.k = 4;
    CHECK(llp_hessian_panel(&f, theta, NULL, &pd, &r1, &pb) == LLP_ERR_ARG, "k > n");
    CHECK(llp_hessian_panel(&f, theta, NULL, NULL, NULL, &pb) == LLP_ERR_ARG, "no rng");
    CHECK(memcmp(&pa, &pb, sizeof pa) == 0, "panel result untouched on error");
    sd.find.lr_min = 2, sd.find.lr_max = 1;
    CHECK(llp_lr_stability(&f, theta, NULL, &sd, &r1, &sr) == LLP_ERR_ARG, "lr_max < lr_min");
    /* objectives without samples: no mini-batches */
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = 3;
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    fl = llp_landscape_objective(&ls);
    CHECK(llp_grad_noise_scale(&fl, theta, NULL, &r1, &a) == LLP_ERR_ARG, "noise scale needs samples");
    CHECK(llp_grad_batch_stats(&fl, theta, NULL, &r1, &ba) == LLP_ERR_ARG, "batch stats need samples");
    llp_landscape_free(&ls);
    lsq_free(&q);
}

/* NaN gradients: LLP_ERR_NONFINITE */
static llp_result nan_loss_grad(void *ctx, const llp_real *th, const llp_batch *b, llp_real *loss, llp_real *grad) {
    (void)ctx, (void)th, (void)b;
    *loss = 1;
    if (grad) grad[0] = (llp_real)NAN, grad[1] = 1;
    return LLP_OK;
}

static void test_nonfinite(void) {
    llp_objective f = llp_objective_from_callbacks(2, 10, nan_loss_grad, NULL, NULL);
    llp_real th[2] = {0, 0};
    llp_rng rng;
    llp_grad_noise_result nr;
    llp_grad_batch_result br;
    llp_grad_curvature_result cr;
    llp_rng_seed(&rng, 1);
    CHECK(llp_grad_noise_scale(&f, th, NULL, &rng, &nr) == LLP_ERR_NONFINITE, "noise scale: NaN gradient");
    CHECK(llp_grad_batch_stats(&f, th, NULL, &rng, &br) == LLP_ERR_NONFINITE, "batch stats: NaN gradient");
    CHECK(llp_grad_curvature(&f, th, NULL, &cr) == LLP_ERR_NONFINITE, "curvature: NaN gradient");
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_noise_scale_mlp);
    LLP_RUN(test_noise_scale_population);
    LLP_RUN(test_noise_scale_at_minimum);
    LLP_RUN(test_batch_stats);
    LLP_RUN(test_curvature_quadratic);
    LLP_RUN(test_panel);
    LLP_RUN(test_lr_stability);
    LLP_RUN(test_loss_scaling);
    LLP_RUN(test_determinism_and_args);
    LLP_RUN(test_nonfinite);
    return llp_test_summary();
}
