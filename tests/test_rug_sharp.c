/* test_rug_sharp.c — sharpness, flatness and basin width (llp_sharpness_keskar,
   llp_sharpness_random, llp_sharpness_adaptive, llp_pacbayes_sigma,
   llp_basin_width).

   References, none computed by the code under test:
   - L = 1/2 x^T A x (LLP_LANDSCAPE_QUADRATIC; A = Q diag(lambda) Q^T formed
     here from the landscape's lambda and q) and the shifted quadratic
     1/2 (x - c)^T A (x - c), a callback written here:
     * Keskar at the minimum of a diagonal A: the box maximum is the corner
       value sum 1/2 lambda_i eps_i^2 (eps_i = eps, theta = 0), reached from a
       random start; from z = 0 the gradient is 0 and nothing moves (phi 0).
       Away from the minimum the maximum of a convex function over a box is
       at a vertex: brute force over all 2^6 vertices. Tolerance 1e-12
       relative (the same sums in another order; float 1e-5: float losses).
     * random sharpness at the minimum: E 1/2 rho^2 d^T A d = rho^2 tr(A)/(2n)
       for d uniform on the sphere (and for d ~ N(0, I/n)); the adaptive
       version 1/2 rho^2 tr(T A T)/(2n) at the shifted quadratic. Within 4
       standard errors (a statistical bound, both builds), and with 20000
       directions within 2% (relative s.e. there ~0.3%).
     * adaptive worst case at the shifted quadratic's minimum: 1/2 rho^2
       lambda_max(T A T), lambda_max by llp_sym_eig of T A T formed here.
       200 steps of the shifted power iteration converge to rounding:
       1e-9 relative (float 1e-4: float losses and iterates).
     * PAC-Bayes at the minimum: with the same M Gaussian vectors (redrawn
       here from a copy of the rng) E(sigma) = sigma^2 Q, Q = (1/2M) sum_j
       u_j^T A u_j, so the crossing is sqrt(Delta / Q): 2e-6 relative (the
       bisection tolerance 1e-6 plus rounding; float 1e-5: float losses
       shift the crossing by ~1e-7 relative, the bracket end is taken).
       Against sqrt(2 Delta / tr A) within 4 of the predicted relative s.d.
       sqrt(2 tr A^2) / (2 tr A sqrt(M)).
     * basin width at the minimum along a given d: sqrt(2 Delta / d^T A d)
       for both signs, to the bisection tolerance (1e-3 relative, midpoint
       reported: 6e-4).
   - ReLU rescaling of a 4-8-8-3 ReLU MLP (layer 1 weights and bias x 3,
     layer 2 weights x 1/3): the loss is unchanged (1e-12; float 1e-5);
     adaptive worst-case and average sharpness and the magnitude-aware
     sigma' (eta = 0) are unchanged: the iterates and draws map onto each
     other exactly, so only the rounding of S theta shows: 1e-9 relative
     (float 1e-3: float losses of a difference L(x) - L0 ~ 1e-2 L0);
     sigma' to the bisection tolerance. Plain random sharpness, Keskar phi,
     plain sigma* and lambda_max (llp_lanczos) change by more than 10% (the
     rescaling moves curvature between layers by a factor 9).
   - Loss scaling a = 3 (a wrapper objective): Keskar's iterates are the
     same (sign of the gradient), so phi' = 100 a D / (1 + a L0) with D and
     L0 of the unscaled run; random and adaptive sharpness scale by a;
     sigma* and the basin width with a RELATIVE Delta are unchanged (to 2x
     the bisection tolerance), with an ABSOLUTE Delta they change.
   - The wrapper counts its calls: evals must equal them exactly, and match
     the documented formulas (PAC-Bayes 1 + M (2 + iterations), Keskar one
     gradient per step plus 1 or 2 losses).
   - A fixed batch equals the objective on that subset of the data
     (llp_data_subset) to rounding (1e-12; float 1e-5).
   - Same seed, same bits; theta untouched; bad arguments give LLP_ERR_ARG,
     a NaN loss LLP_ERR_NONFINITE, and neither writes the result. */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"

#include <stdlib.h>

/* ---- helpers ---------------------------------------------------------------- */

/* A = Q diag(lambda) Q^T of a landscape quadratic, in double. */
static double *quad_matrix(const llp_landscape *ls) {
    size_t n = ls->n, i, j, k;
    double *A = (double *)calloc(n * n, sizeof(double));
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) {
            double s = 0;
            for (k = 0; k < n; k++) {
                double qi = ls->q ? ls->q[i * n + k] : (i == k), qj = ls->q ? ls->q[j * n + k] : (j == k);
                s += qi * ls->lambda[k] * qj;
            }
            A[i * n + j] = s;
        }
    return A;
}

static double quad_form(const double *A, const double *x, size_t n) {
    size_t i, j;
    double s = 0;
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) s += x[i] * A[i * n + j] * x[j];
    return s;
}

/* 1/2 (x - c)^T A (x - c) as a callback objective with an exact HVP. */
typedef struct shifted {
    size_t n;
    const double *A;
    const llp_real *c;
} shifted;

static llp_result shifted_loss_grad(void *ctx, const llp_real *x, const llp_batch *b, llp_real *loss, llp_real *g) {
    shifted *s = (shifted *)ctx;
    size_t i, j, n = s->n;
    double v = 0;
    (void)b;
    for (i = 0; i < n; i++) {
        double gi = 0;
        for (j = 0; j < n; j++) gi += s->A[i * n + j] * ((double)x[j] - s->c[j]);
        v += 0.5 * ((double)x[i] - s->c[i]) * gi;
        if (g) g[i] = (llp_real)gi;
    }
    *loss = (llp_real)v;
    return LLP_OK;
}

static llp_result shifted_hvp(void *ctx, const llp_real *x, const llp_real *v, const llp_batch *b, llp_real *hv) {
    shifted *s = (shifted *)ctx;
    size_t i, j, n = s->n;
    (void)x, (void)b;
    for (i = 0; i < n; i++) {
        double t = 0;
        for (j = 0; j < n; j++) t += s->A[i * n + j] * v[j];
        hv[i] = (llp_real)t;
    }
    return LLP_OK;
}

/* a * inner + b, counting calls; nan_at > 0: the nan_at-th call returns NaN. */
typedef struct wrap {
    const llp_objective *inner;
    double a, b;
    size_t loss_calls, grad_calls, nan_at;
} wrap;

static llp_result wrap_loss_grad(void *ctx, const llp_real *x, const llp_batch *b, llp_real *loss, llp_real *g) {
    wrap *w = (wrap *)ctx;
    llp_result r;
    size_t i;
    if (g)
        w->grad_calls++;
    else
        w->loss_calls++;
    r = w->inner->loss_grad(w->inner->ctx, x, b, loss, g);
    if (r != LLP_OK) return r;
    *loss = (llp_real)(w->a * *loss + w->b);
    if (g)
        for (i = 0; i < w->inner->n; i++) g[i] = (llp_real)(w->a * g[i]);
    if (w->nan_at && w->loss_calls + w->grad_calls == w->nan_at) *loss = (llp_real)NAN;
    return LLP_OK;
}

static llp_objective wrap_objective(wrap *w, const llp_objective *inner, double a) {
    memset(w, 0, sizeof *w);
    w->inner = inner;
    w->a = a;
    return llp_objective_from_callbacks(inner->n, inner->n_samples, wrap_loss_grad, NULL, w);
}

static double rel(double a, double b) { return fabs(a - b) / fabs(b); }

/* The MLP fixture: 4-8-8-3 ReLU, softmax CE, 60 blob samples, small random biases. */
typedef struct net {
    llp_mlp mlp;
    llp_data data;
    llp_mlp_objective mo;
    llp_objective f;
    llp_real *theta;
} net;

static void net_init(net *t, uint64_t seed) {
    llp_mlp_desc md;
    llp_rng rng;
    llp_real *g, loss;
    llp_result r = LLP_OK;
    int l, i;
    memset(&md, 0, sizeof md);
    md.n_layers = 3;
    md.sizes[0] = 4, md.sizes[1] = 8, md.sizes[2] = 8, md.sizes[3] = 3;
    md.act = LLP_ACT_RELU;
    md.loss = LLP_LOSS_SOFTMAX_CE;
    llp_rng_seed(&rng, seed);
    CHECK_OK(llp_mlp_init(&t->mlp, &md));
    CHECK_OK(llp_data_blobs(&t->data, 60, 4, 3, 2.0, &rng));
    t->theta = t->mlp.theta;
    llp_mlp_randomize(&t->mlp, t->theta, &rng);
    for (l = 0; l < 3; l++)
        for (i = 0; i < md.sizes[l + 1]; i++) t->theta[t->mlp.b_off[l] + (size_t)i] = (llp_real)(0.1 * llp_rng_normal(&rng));
    CHECK_OK(llp_mlp_objective_init(&t->mo, &t->mlp, &t->data, 0));
    t->f = llp_mlp_objective_get(&t->mo);
    /* 300 steps of gradient descent: near (not at) a minimum, where sharpness is positive */
    g = (llp_real *)malloc(t->f.n * sizeof(llp_real));
    for (l = 0; l < 300 && r == LLP_OK; l++) {
        r = llp_objective_loss_grad(&t->f, t->theta, NULL, &loss, g);
        llp_axpy((llp_real)-0.05, g, t->theta, t->f.n);
    }
    CHECK_OK(r);
    free(g);
}

static void net_free(net *t) {
    llp_mlp_objective_free(&t->mo);
    llp_data_free(&t->data);
    llp_mlp_free(&t->mlp);
}

/* ---- Keskar --------------------------------------------------------------- */

static void test_keskar_minimum(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f;
    llp_keskar_desc kd;
    llp_sharp_max_result res;
    llp_rng rng;
    llp_real theta[6];
    double expect = 0, eps = 1e-2;
    size_t i;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = 6, ld.cond = 10, ld.rotate = 0;
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    f = llp_landscape_objective(&ls);
    llp_fill(0, theta, 6);
    for (i = 0; i < 6; i++) expect += 0.5 * ls.lambda[i] * eps * eps;
    expect *= 100; /* / (1 + L0), L0 = 0 */
    memset(&kd, 0, sizeof kd);
    kd.eps = eps;
    llp_rng_seed(&rng, 11);
    CHECK_OK(llp_sharpness_keskar(&f, theta, NULL, &kd, &rng, &res));
    CHECK_CLOSE(res.sharpness, expect, TOL(1e-12, 1e-5), "Keskar phi at the minimum = 100 sum lambda eps^2 / 2");
    CHECK(res.loss0 == 0 && res.radius == eps, "L0 = 0, eps reported");
    CHECK(res.fixed_point == 1 && res.steps >= 2 && res.steps <= 9,
          "reaches the corner in <= 8 steps of 1/4, then a fixed point (steps %lu)", (unsigned long)res.steps);
    /* from z = 0 the gradient vanishes: nothing moves */
    kd.zero_start = 1;
    CHECK_OK(llp_sharpness_keskar(&f, theta, NULL, &kd, NULL, &res));
    CHECK(res.sharpness == 0 && res.fixed_point == 1 && res.steps == 1, "zero start at a minimum: phi 0, one step");
    CHECK(res.evals.loss == 1 && res.evals.grad == 1 && res.evals.hvp == 0, "zero start: 1 loss + 1 gradient");
    llp_landscape_free(&ls);
}

/* max over the vertices z_i = +-eps (|theta_i| + 1) of L(theta + z) */
static double brute_vertices(llp_landscape *ls, const llp_real *theta, size_t n, double eps) {
    unsigned v;
    size_t i;
    double best = -1e300;
    llp_real x[8], l = 0;
    for (v = 0; v < (1u << n); v++) {
        for (i = 0; i < n; i++) {
            double w = eps * (fabs((double)theta[i]) + 1);
            x[i] = (llp_real)(theta[i] + ((v >> i) & 1 ? w : -w));
        }
        llp_landscape_eval(ls, x, &l, NULL);
        if (l > best) best = l;
    }
    return best;
}

static void test_keskar_vertices(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f;
    llp_keskar_desc kd;
    llp_sharp_max_result res;
    llp_rng rng;
    llp_real theta[6] = {(llp_real)0.8, (llp_real)-1.3, (llp_real)0.4, (llp_real)2.1, (llp_real)-0.6, (llp_real)-0.9};
    llp_real l0;
    double best;
    int rot;
    for (rot = 0; rot < 2; rot++) {
        memset(&ld, 0, sizeof ld);
        ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = 6, ld.cond = 10, ld.rotate = rot;
        llp_rng_seed(&rng, 5);
        CHECK_OK(llp_landscape_init(&ls, &ld, &rng));
        f = llp_landscape_objective(&ls);
        memset(&kd, 0, sizeof kd);
        kd.eps = rot ? 1e-3 : 0.05; /* rotated: a box small enough that the gradient keeps its signs */
        CHECK_OK(llp_sharpness_keskar(&f, theta, NULL, &kd, &rng, &res));
        best = brute_vertices(&ls, theta, 6, kd.eps);
        llp_landscape_eval(&ls, theta, &l0, NULL);
        CHECK_CLOSE(res.loss_max, best, TOL(1e-12, 1e-5), rot ? "rotated: sign ascent finds the best vertex"
                                                               : "diagonal: sign ascent finds the best vertex");
        CHECK_CLOSE(res.sharpness, 100 * (best - l0) / (1 + l0), TOL(1e-9, 2e-3), "phi = 100 (max - L0) / (1 + L0)");
        CHECK(res.loss0 == (double)l0, "loss0 = L(theta)");
        llp_landscape_free(&ls);
    }
}

/* ---- random-direction sharpness --------------------------------------------- */

static void test_random_sharpness(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f;
    llp_sharp_random_desc rd;
    llp_sharp_random_result res;
    llp_rng rng;
    llp_real theta[10];
    double tr = 0, expect, rho = 0.3;
    size_t i;
    int g;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = 10, ld.cond = 10, ld.rotate = 1;
    llp_rng_seed(&rng, 21);
    CHECK_OK(llp_landscape_init(&ls, &ld, &rng));
    f = llp_landscape_objective(&ls);
    llp_fill(0, theta, 10);
    for (i = 0; i < 10; i++) tr += ls.lambda[i];
    expect = rho * rho * tr / 20;
    for (g = 0; g < 2; g++) {
        memset(&rd, 0, sizeof rd);
        rd.rho = rho, rd.samples = 400, rd.gaussian = g;
        CHECK_OK(llp_sharpness_random(&f, theta, NULL, &rd, &rng, &res));
        CHECK(fabs(res.sharpness.value - expect) <= 4 * res.sharpness.se,
              "%s: mean %.6g vs rho^2 tr A / 2n = %.6g within 4 s.e. (%.3g)", g ? "gaussian" : "sphere",
              res.sharpness.value, expect, res.sharpness.se);
        CHECK(res.sharpness.samples == 400 && res.rho == rho && res.loss0 == 0, "samples, rho, L0 reported");
        rd.samples = 20000;
        CHECK_OK(llp_sharpness_random(&f, theta, NULL, &rd, &rng, &res));
        CHECK(rel(res.sharpness.value, expect) < 0.02, "%s: 20000 directions within 2%% (%.4g vs %.4g)",
              g ? "gaussian" : "sphere", res.sharpness.value, expect);
    }
    /* default rho = 0.05 ||theta||, and 0.05 at theta = 0 */
    CHECK_OK(llp_sharpness_random(&f, theta, NULL, NULL, &rng, &res));
    CHECK(res.rho == 0.05 && res.sharpness.samples == 20, "defaults at theta = 0: rho 0.05, 20 directions");
    llp_fill(1, theta, 10);
    CHECK_OK(llp_sharpness_random(&f, theta, NULL, NULL, &rng, &res));
    CHECK_CLOSE(res.rho, 0.05 * sqrt(10.0), 1e-12, "default rho = 0.05 ||theta||");
    llp_landscape_free(&ls);
}

static void test_adaptive_average(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f;
    llp_sharp_random_desc rd;
    llp_sharp_random_result res;
    llp_rng rng;
    llp_real c[8];
    double *A, TAT[64], expect = 0, rho = 0.5, eta = 0.2;
    shifted sh;
    size_t i, j;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = 8, ld.cond = 20, ld.rotate = 1;
    llp_rng_seed(&rng, 31);
    CHECK_OK(llp_landscape_init(&ls, &ld, &rng));
    A = quad_matrix(&ls);
    for (i = 0; i < 8; i++) c[i] = (llp_real)(llp_rng_normal(&rng) + (i % 2 ? 1 : -1));
    sh.n = 8, sh.A = A, sh.c = c;
    f = llp_objective_from_callbacks(8, 0, shifted_loss_grad, shifted_hvp, &sh);
    for (i = 0; i < 8; i++)
        for (j = 0; j < 8; j++) TAT[i * 8 + j] = (fabs((double)c[i]) + eta) * A[i * 8 + j] * (fabs((double)c[j]) + eta);
    for (i = 0; i < 8; i++) expect += TAT[i * 9];
    expect *= rho * rho / 16;
    memset(&rd, 0, sizeof rd);
    rd.rho = rho, rd.samples = 400, rd.adaptive = 1, rd.eta = eta;
    CHECK_OK(llp_sharpness_random(&f, c, NULL, &rd, &rng, &res));
    CHECK(fabs(res.sharpness.value - expect) <= 4 * res.sharpness.se,
          "adaptive average %.6g vs rho^2 tr(TAT) / 2n = %.6g within 4 s.e. (%.3g)", res.sharpness.value, expect,
          res.sharpness.se);
    rd.rho = 0;
    CHECK_OK(llp_sharpness_random(&f, c, NULL, &rd, &rng, &res));
    CHECK_CLOSE(res.rho, 0.05 * sqrt(8.0), 1e-12, "adaptive default rho = 0.05 sqrt(n)");
    free(A);
    llp_landscape_free(&ls);
}

/* ---- adaptive worst case ---------------------------------------------------- */

static void test_adaptive_worst(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f;
    llp_sharp_adaptive_desc ad;
    llp_sharp_max_result res;
    llp_rng rng;
    llp_real c[8];
    double *A, TAT[64], w[8] = {0}, expect, rho = 0.1;
    double etas[2] = {0, 0.5};
    shifted sh;
    size_t i, j;
    int e;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = 8, ld.cond = 20, ld.rotate = 1;
    llp_rng_seed(&rng, 41);
    CHECK_OK(llp_landscape_init(&ls, &ld, &rng));
    A = quad_matrix(&ls);
    for (i = 0; i < 8; i++) c[i] = (llp_real)(llp_rng_normal(&rng) + (i % 2 ? 1 : -1));
    sh.n = 8, sh.A = A, sh.c = c;
    f = llp_objective_from_callbacks(8, 0, shifted_loss_grad, shifted_hvp, &sh);
    for (e = 0; e < 2; e++) {
        for (i = 0; i < 8; i++)
            for (j = 0; j < 8; j++)
                TAT[i * 8 + j] = (fabs((double)c[i]) + etas[e]) * A[i * 8 + j] * (fabs((double)c[j]) + etas[e]);
        CHECK_OK(llp_sym_eig(TAT, 8, w, NULL));
        expect = 0.5 * rho * rho * w[7];
        memset(&ad, 0, sizeof ad);
        ad.rho = rho, ad.eta = etas[e], ad.steps = 200;
        CHECK_OK(llp_sharpness_adaptive(&f, c, NULL, &ad, &rng, &res));
        CHECK_CLOSE(res.sharpness / expect, 1.0, TOL(1e-9, 1e-4),
                    e ? "eta 0.5: 200 steps reach 1/2 rho^2 lambda_max(TAT)" : "eta 0: 1/2 rho^2 lambda_max(TAT)");
        CHECK(res.loss0 == 0 && res.radius == rho && res.steps <= 200, "L0 = 0, rho, steps");
        ad.steps = 0; /* default 20: a lower bound, already close */
        CHECK_OK(llp_sharpness_adaptive(&f, c, NULL, &ad, &rng, &res));
        CHECK(res.sharpness <= expect * (1 + TOL(1e-12, 1e-5)) && res.sharpness >= 0.8 * expect,
              "20 steps: a lower bound within 20%% (%.6g of %.6g)", res.sharpness, expect);
    }
    /* w = 0 at the minimum: no gradient, nothing moves */
    memset(&ad, 0, sizeof ad);
    ad.zero_start = 1;
    CHECK_OK(llp_sharpness_adaptive(&f, c, NULL, &ad, NULL, &res));
    CHECK(res.sharpness == 0 && res.fixed_point && res.steps == 1 && res.evals.loss == 1 && res.evals.grad == 1,
          "zero start at the minimum: 0 after one gradient");
    free(A);
    llp_landscape_free(&ls);
}

/* ---- PAC-Bayes ------------------------------------------------------------- */

static void test_pacbayes(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f;
    llp_pacbayes_desc pd;
    llp_pacbayes_result res;
    llp_rng rng, copy;
    llp_real theta[12], *U;
    double *A, q, tr = 0, tr2 = 0, sig, ux[12], delta = 0.1, sd;
    size_t i, j, M = 10;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = 12, ld.cond = 10, ld.rotate = 1;
    llp_rng_seed(&rng, 51);
    CHECK_OK(llp_landscape_init(&ls, &ld, &rng));
    A = quad_matrix(&ls);
    f = llp_landscape_objective(&ls);
    llp_fill(0, theta, 12);
    for (i = 0; i < 12; i++) tr += ls.lambda[i], tr2 += (double)ls.lambda[i] * ls.lambda[i];
    U = (llp_real *)malloc(400 * 12 * sizeof(llp_real));
    /* the crossing of the same samples */
    copy = rng;
    llp_rng_fill_normal(&copy, U, M * 12);
    q = 0;
    for (j = 0; j < M; j++) {
        for (i = 0; i < 12; i++) ux[i] = U[j * 12 + i];
        q += 0.5 * quad_form(A, ux, 12);
    }
    q /= (double)M;
    sig = sqrt(delta / q);
    memset(&pd, 0, sizeof pd);
    CHECK_OK(llp_pacbayes_sigma(&f, theta, NULL, &pd, &rng, &res));
    CHECK_CLOSE(res.sigma / sig, 1.0, TOL(2e-6, 1e-5), "sigma* = sqrt(Delta / Q) of the same samples");
    CHECK(res.censored == 0 && res.sigma_hi / res.sigma_lo <= 1 + 1e-6 && res.sigma == res.sigma_lo,
          "bracketed to hi/lo <= 1 + tol");
    CHECK(res.deviation <= delta && res.delta == delta && res.loss0 == 0, "deviation <= Delta at sigma*");
    CHECK_CLOSE(res.measure * res.sigma * res.sigma, 1.0, 1e-12, "measure = 1 / sigma*^2");
    CHECK(res.evals.loss == 1 + M * (2 + res.iterations) && res.evals.grad == 0,
          "cost 1 + M (2 + iterations) losses (%lu, %lu iterations)", (unsigned long)res.evals.loss,
          (unsigned long)res.iterations);
    /* many samples: close to sqrt(2 Delta / tr A) */
    pd.samples = 400;
    CHECK_OK(llp_pacbayes_sigma(&f, theta, NULL, &pd, &rng, &res));
    sd = sqrt(2 * tr2) / (2 * tr * sqrt(400.0));
    CHECK(rel(res.sigma, sqrt(2 * delta / tr)) <= 4 * sd + 1e-5, "M = 400: sigma* %.6g vs sqrt(2 Delta / tr A) %.6g",
          res.sigma, sqrt(2 * delta / tr));
    /* censoring at both ends */
    pd.samples = 0, pd.sigma_lo = 1e-6, pd.sigma_hi = 1e-3;
    CHECK_OK(llp_pacbayes_sigma(&f, theta, NULL, &pd, &rng, &res));
    CHECK(res.censored == 1 && res.sigma == 1e-3 && res.evals.loss == 11, "below Delta at sigma_hi: censored +1");
    pd.sigma_lo = 1, pd.sigma_hi = 10;
    CHECK_OK(llp_pacbayes_sigma(&f, theta, NULL, &pd, &rng, &res));
    CHECK(res.censored == -1 && res.sigma == 1 && res.evals.loss == 21, "above Delta at sigma_lo: censored -1");
    free(U);
    free(A);
    llp_landscape_free(&ls);
}

static void test_pacbayes_magnitude(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f;
    llp_pacbayes_desc pd;
    llp_pacbayes_result res;
    llp_rng rng, copy;
    llp_real c[8], U[80];
    double *A, q = 0, ux[8], eta = 0.1;
    shifted sh;
    size_t i, j;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = 8, ld.cond = 20, ld.rotate = 1;
    llp_rng_seed(&rng, 61);
    CHECK_OK(llp_landscape_init(&ls, &ld, &rng));
    A = quad_matrix(&ls);
    for (i = 0; i < 8; i++) c[i] = (llp_real)(llp_rng_normal(&rng) + (i % 2 ? 1 : -1));
    sh.n = 8, sh.A = A, sh.c = c;
    f = llp_objective_from_callbacks(8, 0, shifted_loss_grad, shifted_hvp, &sh);
    copy = rng;
    llp_rng_fill_normal(&copy, U, 80);
    for (j = 0; j < 10; j++) {
        for (i = 0; i < 8; i++) ux[i] = (fabs((double)c[i]) + eta) * U[j * 8 + i];
        q += 0.5 * quad_form(A, ux, 8);
    }
    q /= 10;
    memset(&pd, 0, sizeof pd);
    pd.magnitude = 1, pd.eta = eta, pd.delta = 0.05;
    CHECK_OK(llp_pacbayes_sigma(&f, c, NULL, &pd, &rng, &res));
    CHECK_CLOSE(res.sigma / sqrt(0.05 / q), 1.0, TOL(2e-6, 1e-5), "magnitude-aware sigma' = sqrt(Delta / Q_T)");
    free(A);
    llp_landscape_free(&ls);
}

/* ---- basin width ------------------------------------------------------------ */

static void test_basin(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f;
    llp_basin_desc bd;
    llp_basin_result res;
    llp_rng rng;
    llp_real theta[10], dirs[30];
    double *A, widths[6], dv[10], worst = 0, mean = 0;
    size_t i, k;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = 10, ld.cond = 10, ld.rotate = 1;
    llp_rng_seed(&rng, 71);
    CHECK_OK(llp_landscape_init(&ls, &ld, &rng));
    A = quad_matrix(&ls);
    f = llp_landscape_objective(&ls);
    llp_fill(0, theta, 10);
    llp_rng_fill_normal(&rng, dirs, 30); /* not normalised: the function does it */
    memset(&bd, 0, sizeof bd);
    bd.dirs = dirs, bd.n_dirs = 3, bd.delta = 0.1;
    CHECK_OK(llp_basin_width(&f, theta, NULL, &bd, NULL, widths, &res));
    for (k = 0; k < 3; k++) {
        double nd = llp_nrm2(dirs + k * 10, 10), a;
        for (i = 0; i < 10; i++) dv[i] = dirs[k * 10 + i] / nd;
        a = sqrt(2 * 0.1 / quad_form(A, dv, 10));
        worst = fmax(worst, fmax(rel(widths[2 * k], a), rel(widths[2 * k + 1], a)));
        mean += 2 * a;
    }
    CHECK(worst <= TOL(6e-4, 1e-3), "alpha* = sqrt(2 Delta / d^T A d) both ways (worst %.2g)", worst);
    CHECK_CLOSE(res.width.value, mean / 6, TOL(6e-4, 1e-3), "mean over the 6 half-lines");
    CHECK(res.width.samples == 6 && res.half_lines == 6 && res.censored == 0, "6 half-lines, none censored");
    CHECK(res.alpha0 == 1e-3 && res.alpha_max == 10 && res.delta == 0.1, "defaults at theta = 0: 1e-3, 10");
    /* a coarse tolerance: the midpoint of the last bracket is within tol / 2 */
    bd.tol = 0.2;
    CHECK_OK(llp_basin_width(&f, theta, NULL, &bd, NULL, widths, &res));
    worst = 0;
    for (k = 0; k < 3; k++) {
        double nd = llp_nrm2(dirs + k * 10, 10), a;
        for (i = 0; i < 10; i++) dv[i] = dirs[k * 10 + i] / nd;
        a = sqrt(2 * 0.1 / quad_form(A, dv, 10));
        worst = fmax(worst, fmax(rel(widths[2 * k], a), rel(widths[2 * k + 1], a)));
    }
    CHECK(worst <= 0.1 * (1 + 1e-6), "tol 0.2: within tol / 2 (worst %.3g)", worst);
    bd.tol = 0;
    /* away from the minimum the two signs differ: 1/2 a t^2 + b t = Delta with
       a = d^T A d, b = +-g^T d, g = A theta: t = (sqrt(b^2 + 2 a Delta) - b) / a */
    {
        llp_real th[10];
        double g[10], th_d[10], gd, aa;
        for (i = 0; i < 10; i++) th[i] = (llp_real)(0.3 * dirs[20 + i]), th_d[i] = th[i];
        for (i = 0; i < 10; i++) {
            size_t j;
            g[i] = 0;
            for (j = 0; j < 10; j++) g[i] += A[i * 10 + j] * th_d[j];
        }
        bd.n_dirs = 2;
        CHECK_OK(llp_basin_width(&f, th, NULL, &bd, NULL, widths, &res));
        worst = 0;
        for (k = 0; k < 2; k++) {
            double nd = llp_nrm2(dirs + k * 10, 10), ap, am;
            gd = 0;
            for (i = 0; i < 10; i++) dv[i] = dirs[k * 10 + i] / nd, gd += g[i] * dv[i];
            aa = quad_form(A, dv, 10);
            ap = (sqrt(gd * gd + 2 * aa * 0.1) - gd) / aa;
            am = (sqrt(gd * gd + 2 * aa * 0.1) + gd) / aa;
            worst = fmax(worst, fmax(rel(widths[2 * k], ap), rel(widths[2 * k + 1], am)));
            CHECK(rel(ap, am) > 0.05, "the two signs differ (%.4g, %.4g)", ap, am);
        }
        CHECK(worst <= TOL(6e-4, 1e-3), "off the minimum: the root of 1/2 a t^2 + b t = Delta (worst %.2g)", worst);
        bd.n_dirs = 3;
    }
    /* never reached: censored at alpha_max */
    bd.delta = 1e6;
    CHECK_OK(llp_basin_width(&f, theta, NULL, &bd, NULL, widths, &res));
    CHECK(res.censored == 6 && widths[0] == 10 && res.width.value == 10, "Delta out of reach: 6 censored at alpha_max");
    CHECK(res.evals.loss == 1 + 6 * 15, "doubling 1e-3 .. 10: 15 losses per half-line (%lu)",
          (unsigned long)res.evals.loss);
    /* random directions */
    bd.dirs = NULL, bd.delta = 0.1, bd.directions = 4;
    CHECK_OK(llp_basin_width(&f, theta, NULL, &bd, &rng, NULL, &res));
    CHECK(res.half_lines == 8 && res.width.value >= sqrt(0.2 / 10) * 0.999 && res.width.value <= sqrt(0.2) * 1.001,
          "random directions: between sqrt(2 Delta / lambda_max) and sqrt(2 Delta / lambda_min)");
    free(A);
    llp_landscape_free(&ls);
}

/* ---- ReLU rescaling ----------------------------------------------------------- */

static void rescale(const llp_mlp *m, const llp_real *theta, double c, llp_real *out) {
    size_t i, n1 = (size_t)m->sizes[1] * (size_t)m->sizes[0], n2 = (size_t)m->sizes[2] * (size_t)m->sizes[1];
    llp_copy(theta, out, m->n_params);
    for (i = 0; i < n1; i++) out[m->w_off[0] + i] = (llp_real)(c * theta[m->w_off[0] + i]);
    for (i = 0; i < (size_t)m->sizes[1]; i++) out[m->b_off[0] + i] = (llp_real)(c * theta[m->b_off[0] + i]);
    for (i = 0; i < n2; i++) out[m->w_off[1] + i] = (llp_real)(theta[m->w_off[1] + i] / c);
}

static void test_relu_rescaling(void) {
    net t;
    llp_real *th2, l1, l2;
    llp_rng r1, r2;
    llp_sharp_max_result a1, a2;
    llp_sharp_random_result s1, s2;
    llp_sharp_random_desc rd;
    llp_pacbayes_desc pd;
    llp_pacbayes_result p1, p2;
    llp_lanczos_desc lz;
    llp_eig_result e1, e2;
    llp_batch_policy bp = llp_batch_policy_full();
    llp_keskar_desc kd;
    size_t n;
    net_init(&t, 81);
    n = t.f.n;
    th2 = (llp_real *)malloc(n * sizeof(llp_real));
    rescale(&t.mlp, t.theta, 3.0, th2);
    CHECK_OK(llp_objective_loss(&t.f, t.theta, NULL, &l1));
    CHECK_OK(llp_objective_loss(&t.f, th2, NULL, &l2));
    CHECK_CLOSE(l2 / l1, 1.0, TOL(1e-12, 1e-5), "rescaled network: same loss");
    /* adaptive worst case, eta = 0: invariant */
    llp_rng_seed(&r1, 9), llp_rng_seed(&r2, 9);
    CHECK_OK(llp_sharpness_adaptive(&t.f, t.theta, NULL, NULL, &r1, &a1));
    CHECK_OK(llp_sharpness_adaptive(&t.f, th2, NULL, NULL, &r2, &a2));
    CHECK(a1.sharpness > 0.01 * a1.loss0, "adaptive sharpness is not negligible (%.4g)", a1.sharpness);
    CHECK_CLOSE(a2.sharpness / a1.sharpness, 1.0, TOL(1e-9, 1e-3), "adaptive worst case unchanged");
    /* adaptive average, eta = 0: invariant */
    memset(&rd, 0, sizeof rd);
    rd.adaptive = 1;
    llp_rng_seed(&r1, 10), llp_rng_seed(&r2, 10);
    CHECK_OK(llp_sharpness_random(&t.f, t.theta, NULL, &rd, &r1, &s1));
    CHECK_OK(llp_sharpness_random(&t.f, th2, NULL, &rd, &r2, &s2));
    CHECK_CLOSE(s2.sharpness.value / s1.sharpness.value, 1.0, TOL(1e-9, 1e-3), "adaptive average unchanged");
    /* magnitude-aware sigma', eta = 0: invariant to the bisection tolerance */
    memset(&pd, 0, sizeof pd);
    pd.magnitude = 1, pd.delta = 0.05;
    llp_rng_seed(&r1, 12), llp_rng_seed(&r2, 12);
    CHECK_OK(llp_pacbayes_sigma(&t.f, t.theta, NULL, &pd, &r1, &p1));
    CHECK_OK(llp_pacbayes_sigma(&t.f, th2, NULL, &pd, &r2, &p2));
    CHECK(p1.censored == 0 && rel(p2.sigma, p1.sigma) <= TOL(2e-6, 1e-4), "sigma' unchanged (%.9g vs %.9g)", p1.sigma,
          p2.sigma);
    /* plain measures change */
    memset(&rd, 0, sizeof rd);
    rd.rho = 0.5;
    llp_rng_seed(&r1, 13), llp_rng_seed(&r2, 13);
    CHECK_OK(llp_sharpness_random(&t.f, t.theta, NULL, &rd, &r1, &s1));
    CHECK_OK(llp_sharpness_random(&t.f, th2, NULL, &rd, &r2, &s2));
    CHECK(rel(s2.sharpness.value, s1.sharpness.value) > 0.1, "plain random sharpness changes (%.4g -> %.4g)",
          s1.sharpness.value, s2.sharpness.value);
    memset(&kd, 0, sizeof kd); /* default eps 1e-3 */
    llp_rng_seed(&r1, 14), llp_rng_seed(&r2, 14);
    CHECK_OK(llp_sharpness_keskar(&t.f, t.theta, NULL, &kd, &r1, &a1));
    CHECK_OK(llp_sharpness_keskar(&t.f, th2, NULL, &kd, &r2, &a2));
    CHECK(rel(a2.sharpness, a1.sharpness) > 0.1, "Keskar phi changes (%.4g -> %.4g)", a1.sharpness, a2.sharpness);
    pd.magnitude = 0;
    llp_rng_seed(&r1, 15), llp_rng_seed(&r2, 15);
    CHECK_OK(llp_pacbayes_sigma(&t.f, t.theta, NULL, &pd, &r1, &p1));
    CHECK_OK(llp_pacbayes_sigma(&t.f, th2, NULL, &pd, &r2, &p2));
    CHECK(rel(p2.sigma, p1.sigma) > 0.1, "plain sigma* changes (%.4g -> %.4g)", p1.sigma, p2.sigma);
    memset(&lz, 0, sizeof lz);
    lz.k_largest = 1, lz.k_smallest = 0, lz.max_steps = 40;
    llp_rng_seed(&r1, 16), llp_rng_seed(&r2, 16);
    CHECK_OK(llp_lanczos(&t.f, t.theta, &bp, &lz, &r1, &e1));
    CHECK_OK(llp_lanczos(&t.f, th2, &bp, &lz, &r2, &e2));
    CHECK(rel(e2.values[0], e1.values[0]) > 0.1, "lambda_max changes (%.4g -> %.4g)", e1.values[0], e2.values[0]);
    llp_eig_result_free(&e1);
    llp_eig_result_free(&e2);
    free(th2);
    net_free(&t);
}

/* ---- loss scaling, exact evals, batches ------------------------------------- */

static void test_loss_scaling(void) {
    net t;
    wrap w1, w3;
    llp_objective f1, f3;
    llp_rng r1, r3;
    llp_sharp_max_result k1, k3;
    llp_sharp_random_result s1, s3;
    llp_pacbayes_desc pd;
    llp_pacbayes_result p1, p3;
    llp_basin_desc bd;
    llp_basin_result b1, b3;
    llp_keskar_desc kd;
    double a = 3, d1;
    net_init(&t, 91);
    f1 = wrap_objective(&w1, &t.f, 1.0);
    f3 = wrap_objective(&w3, &t.f, a);
    memset(&kd, 0, sizeof kd);
    kd.eps = 0.05;
    llp_rng_seed(&r1, 1), llp_rng_seed(&r3, 1);
    CHECK_OK(llp_sharpness_keskar(&f1, t.theta, NULL, &kd, &r1, &k1));
    CHECK_OK(llp_sharpness_keskar(&f3, t.theta, NULL, &kd, &r3, &k3));
    d1 = k1.loss_max - k1.loss0;
    CHECK(k1.steps == k3.steps, "Keskar: same iterates under loss scaling");
    CHECK_CLOSE(k3.sharpness, 100 * a * d1 / (1 + a * k1.loss0), TOL(1e-9, 1e-4),
                "Keskar phi(3L) = 100 a D / (1 + a L0)");
    CHECK(rel(k3.sharpness, a * k1.sharpness) > 0.1, "... which is not 3 phi(L) when L0 ~ 1");
    llp_rng_seed(&r1, 2), llp_rng_seed(&r3, 2);
    CHECK_OK(llp_sharpness_random(&f1, t.theta, NULL, NULL, &r1, &s1));
    CHECK_OK(llp_sharpness_random(&f3, t.theta, NULL, NULL, &r3, &s3));
    CHECK_CLOSE(s3.sharpness.value / s1.sharpness.value, a, TOL(1e-9, 1e-3), "random sharpness scales by a");
    llp_rng_seed(&r1, 3), llp_rng_seed(&r3, 3);
    CHECK_OK(llp_sharpness_adaptive(&f1, t.theta, NULL, NULL, &r1, &k1));
    CHECK_OK(llp_sharpness_adaptive(&f3, t.theta, NULL, NULL, &r3, &k3));
    CHECK_CLOSE(k3.sharpness / k1.sharpness, a, TOL(1e-9, 1e-3), "adaptive worst case scales by a");
    /* a constant offset changes no sharpness: L + 2 */
    w3.a = 1, w3.b = 2;
    llp_rng_seed(&r1, 2), llp_rng_seed(&r3, 2);
    CHECK_OK(llp_sharpness_random(&f1, t.theta, NULL, NULL, &r1, &s1));
    CHECK_OK(llp_sharpness_random(&f3, t.theta, NULL, NULL, &r3, &s3));
    CHECK_CLOSE(s3.sharpness.value / s1.sharpness.value, 1, TOL(1e-9, 1e-3), "random sharpness: offset cancels");
    CHECK(s3.loss0 - s1.loss0 > 1.99, "L0 carries the offset");
    llp_rng_seed(&r1, 3), llp_rng_seed(&r3, 3);
    CHECK_OK(llp_sharpness_adaptive(&f1, t.theta, NULL, NULL, &r1, &k1));
    CHECK_OK(llp_sharpness_adaptive(&f3, t.theta, NULL, NULL, &r3, &k3));
    CHECK_CLOSE(k3.sharpness / k1.sharpness, 1, TOL(1e-9, 1e-3), "adaptive worst case: offset cancels");
    CHECK(k3.sharpness == k3.loss_max - k3.loss0, "sharpness = loss_max - loss0");
    w3.a = a, w3.b = 0;
    memset(&pd, 0, sizeof pd);
    pd.mode = LLP_SHARP_DELTA_RELATIVE, pd.delta = 0.1;
    llp_rng_seed(&r1, 4), llp_rng_seed(&r3, 4);
    CHECK_OK(llp_pacbayes_sigma(&f1, t.theta, NULL, &pd, &r1, &p1));
    CHECK_OK(llp_pacbayes_sigma(&f3, t.theta, NULL, &pd, &r3, &p3));
    CHECK(p1.censored == 0 && rel(p3.sigma, p1.sigma) <= TOL(2e-6, 1e-4), "RELATIVE Delta: sigma* unchanged");
    CHECK_CLOSE(p3.delta / p1.delta, a, 1e-6, "RELATIVE Delta = delta L0 scales");
    pd.mode = LLP_SHARP_DELTA_ABSOLUTE;
    llp_rng_seed(&r1, 4), llp_rng_seed(&r3, 4);
    CHECK_OK(llp_pacbayes_sigma(&f1, t.theta, NULL, &pd, &r1, &p1));
    CHECK_OK(llp_pacbayes_sigma(&f3, t.theta, NULL, &pd, &r3, &p3));
    CHECK(rel(p3.sigma, p1.sigma) > 0.1, "ABSOLUTE Delta: sigma* changes (%.4g -> %.4g)", p1.sigma, p3.sigma);
    memset(&bd, 0, sizeof bd);
    bd.mode = LLP_SHARP_DELTA_RELATIVE, bd.directions = 3;
    llp_rng_seed(&r1, 5), llp_rng_seed(&r3, 5);
    CHECK_OK(llp_basin_width(&f1, t.theta, NULL, &bd, &r1, NULL, &b1));
    CHECK_OK(llp_basin_width(&f3, t.theta, NULL, &bd, &r3, NULL, &b3));
    CHECK(b1.censored == 0 && rel(b3.width.value, b1.width.value) <= TOL(2e-3, 3e-3),
          "RELATIVE Delta: basin width unchanged (%.6g vs %.6g)", b1.width.value, b3.width.value);
    bd.mode = LLP_SHARP_DELTA_ABSOLUTE;
    llp_rng_seed(&r1, 5), llp_rng_seed(&r3, 5);
    CHECK_OK(llp_basin_width(&f1, t.theta, NULL, &bd, &r1, NULL, &b1));
    CHECK_OK(llp_basin_width(&f3, t.theta, NULL, &bd, &r3, NULL, &b3));
    CHECK(rel(b3.width.value, b1.width.value) > 0.1, "ABSOLUTE Delta: basin width changes (%.4g -> %.4g)", b1.width.value, b3.width.value);
    net_free(&t);
}

static int same_evals(const llp_evals *e, const wrap *w) {
    return e->loss == w->loss_calls && e->grad == w->grad_calls && e->hvp == 0 && e->batches == 0;
}

static void test_evals_batches(void) {
    net t;
    wrap w;
    llp_objective f;
    llp_rng rng;
    llp_sharp_max_result k;
    llp_sharp_random_result s, s2;
    llp_pacbayes_result p;
    llp_basin_result b;
    llp_keskar_desc kd;
    llp_batch bt = llp_batch_range(10, 30);
    llp_data sub;
    llp_mlp_objective mo2;
    llp_objective fs;
    size_t idx[30], i;
    net_init(&t, 101);
    f = wrap_objective(&w, &t.f, 1.0);
    llp_rng_seed(&rng, 7);
    memset(&kd, 0, sizeof kd);
    kd.eps = 0.05;
    CHECK_OK(llp_sharpness_keskar(&f, t.theta, &bt, &kd, &rng, &k));
    CHECK(same_evals(&k.evals, &w) && k.evals.grad == k.steps && k.evals.loss == 1 + (size_t)!k.fixed_point,
          "Keskar: evals exact (loss %lu grad %lu)", (unsigned long)w.loss_calls, (unsigned long)w.grad_calls);
    f = wrap_objective(&w, &t.f, 1.0);
    CHECK_OK(llp_sharpness_random(&f, t.theta, &bt, NULL, &rng, &s));
    CHECK(same_evals(&s.evals, &w) && s.evals.loss == 21, "random: 1 + R losses");
    f = wrap_objective(&w, &t.f, 1.0);
    CHECK_OK(llp_sharpness_adaptive(&f, t.theta, &bt, NULL, &rng, &k));
    CHECK(same_evals(&k.evals, &w) && k.evals.grad == k.steps && k.evals.loss == 1 + (size_t)!k.fixed_point,
          "adaptive: evals exact");
    f = wrap_objective(&w, &t.f, 1.0);
    CHECK_OK(llp_pacbayes_sigma(&f, t.theta, &bt, NULL, &rng, &p));
    CHECK(same_evals(&p.evals, &w) && (p.censored != 0 || p.evals.loss == 1 + 10 * (2 + p.iterations)),
          "PAC-Bayes: evals exact");
    f = wrap_objective(&w, &t.f, 1.0);
    CHECK_OK(llp_basin_width(&f, t.theta, &bt, NULL, &rng, NULL, &b));
    CHECK(same_evals(&b.evals, &w), "basin: evals exact (%lu)", (unsigned long)w.loss_calls);
    /* a fixed batch = the objective on that subset */
    for (i = 0; i < 30; i++) idx[i] = 10 + i;
    CHECK_OK(llp_data_subset(&t.data, idx, 30, &sub));
    CHECK_OK(llp_mlp_objective_init(&mo2, &t.mlp, &sub, 0));
    fs = llp_mlp_objective_get(&mo2);
    llp_rng_seed(&rng, 8);
    CHECK_OK(llp_sharpness_random(&t.f, t.theta, &bt, NULL, &rng, &s));
    llp_rng_seed(&rng, 8);
    CHECK_OK(llp_sharpness_random(&fs, t.theta, NULL, NULL, &rng, &s2));
    CHECK_CLOSE(s.sharpness.value, s2.sharpness.value, TOL(1e-12, 1e-5), "fixed batch = subset objective");
    CHECK(rel(s.loss0, s2.loss0) <= TOL(1e-12, 1e-5), "same L0");
    llp_rng_seed(&rng, 8);
    CHECK_OK(llp_sharpness_random(&t.f, t.theta, NULL, NULL, &rng, &s2));
    CHECK(s.loss0 != s2.loss0, "the batch is used (full-data L0 differs)");
    llp_mlp_objective_free(&mo2);
    llp_data_free(&sub);
    net_free(&t);
}

/* ---- determinism, theta untouched, bad arguments ------------------------------ */

static void test_determinism(void) {
    net t;
    llp_real *copy;
    llp_rng r1, r2;
    llp_sharp_max_result k1, k2;
    llp_sharp_random_result s1, s2;
    llp_pacbayes_result p1, p2;
    llp_basin_result b1, b2;
    double w1[20], w2[20];
    size_t n;
    int same = 1;
    net_init(&t, 111);
    n = t.f.n;
    copy = (llp_real *)malloc(n * sizeof(llp_real));
    llp_copy(t.theta, copy, n);
    llp_rng_seed(&r1, 77), llp_rng_seed(&r2, 77);
    CHECK_OK(llp_sharpness_keskar(&t.f, t.theta, NULL, NULL, &r1, &k1));
    CHECK_OK(llp_sharpness_keskar(&t.f, t.theta, NULL, NULL, &r2, &k2));
    same &= k1.sharpness == k2.sharpness && k1.loss_max == k2.loss_max && k1.steps == k2.steps;
    CHECK_OK(llp_sharpness_adaptive(&t.f, t.theta, NULL, NULL, &r1, &k1));
    CHECK_OK(llp_sharpness_adaptive(&t.f, t.theta, NULL, NULL, &r2, &k2));
    same &= k1.sharpness == k2.sharpness && k1.loss_max == k2.loss_max && k1.steps == k2.steps;
    CHECK_OK(llp_sharpness_random(&t.f, t.theta, NULL, NULL, &r1, &s1));
    CHECK_OK(llp_sharpness_random(&t.f, t.theta, NULL, NULL, &r2, &s2));
    same &= s1.sharpness.value == s2.sharpness.value && s1.sharpness.se == s2.sharpness.se;
    CHECK_OK(llp_pacbayes_sigma(&t.f, t.theta, NULL, NULL, &r1, &p1));
    CHECK_OK(llp_pacbayes_sigma(&t.f, t.theta, NULL, NULL, &r2, &p2));
    same &= p1.sigma == p2.sigma && p1.sigma_hi == p2.sigma_hi && p1.deviation == p2.deviation;
    CHECK_OK(llp_basin_width(&t.f, t.theta, NULL, NULL, &r1, w1, &b1));
    CHECK_OK(llp_basin_width(&t.f, t.theta, NULL, NULL, &r2, w2, &b2));
    same &= memcmp(w1, w2, sizeof w1) == 0 && b1.width.value == b2.width.value;
    CHECK(same, "same seed, same bits (all five)");
    CHECK(memcmp(&r1, &r2, sizeof r1) == 0, "same rng consumption");
    CHECK(memcmp(copy, t.theta, n * sizeof(llp_real)) == 0, "theta untouched");
    CHECK(b1.width.samples == 20 && b1.half_lines == 20, "basin default: 10 directions, 20 half-lines");
    llp_rng_seed(&r2, 78);
    CHECK_OK(llp_sharpness_random(&t.f, t.theta, NULL, NULL, &r2, &s2));
    CHECK(s1.sharpness.value != s2.sharpness.value, "another seed, another estimate");
    free(copy);
    net_free(&t);
}

static void test_bad_args(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f, f0, fn;
    llp_rng rng;
    llp_real theta[4] = {1, -1, (llp_real)0.5, 2}, zero[4] = {0, 0, 0, 0}, zd[8] = {0};
    llp_sharp_max_result k, ks;
    llp_sharp_random_result s, ss;
    llp_pacbayes_result p, ps;
    llp_basin_result b, bs;
    llp_keskar_desc kd;
    llp_sharp_random_desc rd;
    llp_sharp_adaptive_desc ad;
    llp_pacbayes_desc pd;
    llp_basin_desc bd;
    llp_batch bad = llp_batch_range(50, 20);
    wrap w;
    net t;
    int untouched;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = 4;
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    f = llp_landscape_objective(&ls);
    f0 = f;
    f0.n = 0;
    llp_rng_seed(&rng, 1);
    memset(&ks, 0xA5, sizeof ks), memset(&ss, 0xA5, sizeof ss), memset(&ps, 0xA5, sizeof ps),
        memset(&bs, 0xA5, sizeof bs);
    k = ks, s = ss, p = ps, b = bs;
    CHECK(llp_sharpness_keskar(NULL, theta, NULL, NULL, &rng, &k) == LLP_ERR_ARG, "Keskar NULL f");
    CHECK(llp_sharpness_keskar(&f, NULL, NULL, NULL, &rng, &k) == LLP_ERR_ARG, "Keskar NULL theta");
    CHECK(llp_sharpness_keskar(&f, theta, NULL, NULL, &rng, NULL) == LLP_ERR_ARG, "Keskar NULL res");
    CHECK(llp_sharpness_keskar(&f0, theta, NULL, NULL, &rng, &k) == LLP_ERR_ARG, "Keskar n = 0");
    CHECK(llp_sharpness_keskar(&f, theta, NULL, NULL, NULL, &k) == LLP_ERR_ARG, "Keskar random start needs rng");
    memset(&kd, 0, sizeof kd);
    kd.eps = -1;
    CHECK(llp_sharpness_keskar(&f, theta, NULL, &kd, &rng, &k) == LLP_ERR_ARG, "Keskar eps < 0");
    kd.eps = NAN;
    CHECK(llp_sharpness_keskar(&f, theta, NULL, &kd, &rng, &k) == LLP_ERR_ARG, "Keskar eps NaN");
    kd.eps = 0, kd.step = -0.5;
    CHECK(llp_sharpness_keskar(&f, theta, NULL, &kd, &rng, &k) == LLP_ERR_ARG, "Keskar step < 0");
    CHECK(llp_sharpness_random(&f, theta, NULL, NULL, NULL, &s) == LLP_ERR_ARG, "random: rng required");
    memset(&rd, 0, sizeof rd);
    rd.rho = -0.1;
    CHECK(llp_sharpness_random(&f, theta, NULL, &rd, &rng, &s) == LLP_ERR_ARG, "random: rho < 0");
    rd.rho = 0, rd.adaptive = 1, rd.eta = -1;
    CHECK(llp_sharpness_random(&f, theta, NULL, &rd, &rng, &s) == LLP_ERR_ARG, "random: eta < 0");
    memset(&ad, 0, sizeof ad);
    ad.rho = INFINITY;
    CHECK(llp_sharpness_adaptive(&f, theta, NULL, &ad, &rng, &k) == LLP_ERR_ARG, "adaptive: rho Inf");
    ad.rho = 0, ad.eta = -0.1;
    CHECK(llp_sharpness_adaptive(&f, theta, NULL, &ad, &rng, &k) == LLP_ERR_ARG, "adaptive: eta < 0");
    CHECK(llp_sharpness_adaptive(&f, theta, NULL, NULL, NULL, &k) == LLP_ERR_ARG, "adaptive: rng required");
    memset(&pd, 0, sizeof pd);
    pd.sigma_lo = 1, pd.sigma_hi = 0.5;
    CHECK(llp_pacbayes_sigma(&f, theta, NULL, &pd, &rng, &p) == LLP_ERR_ARG, "PAC-Bayes: lo >= hi");
    pd.sigma_lo = 0, pd.sigma_hi = 0, pd.mode = (llp_sharp_delta)7;
    CHECK(llp_pacbayes_sigma(&f, theta, NULL, &pd, &rng, &p) == LLP_ERR_ARG, "PAC-Bayes: unknown mode");
    pd.mode = LLP_SHARP_DELTA_RELATIVE;
    CHECK(llp_pacbayes_sigma(&f, zero, NULL, &pd, &rng, &p) == LLP_ERR_ARG, "PAC-Bayes: RELATIVE with L0 = 0");
    CHECK(llp_pacbayes_sigma(&f, theta, NULL, NULL, NULL, &p) == LLP_ERR_ARG, "PAC-Bayes: rng required");
    memset(&bd, 0, sizeof bd);
    bd.alpha0 = 2, bd.alpha_max = 1;
    CHECK(llp_basin_width(&f, theta, NULL, &bd, &rng, NULL, &b) == LLP_ERR_ARG, "basin: alpha0 >= alpha_max");
    bd.alpha0 = 0, bd.alpha_max = 0, bd.tol = 1;
    CHECK(llp_basin_width(&f, theta, NULL, &bd, &rng, NULL, &b) == LLP_ERR_ARG, "basin: tol 1");
    bd.tol = 0, bd.dirs = zd, bd.n_dirs = 2;
    CHECK(llp_basin_width(&f, theta, NULL, &bd, NULL, NULL, &b) == LLP_ERR_ARG, "basin: zero given direction");
    bd.dirs = NULL;
    CHECK(llp_basin_width(&f, theta, NULL, &bd, NULL, NULL, &b) == LLP_ERR_ARG, "basin: rng required");
    bd.mode = LLP_SHARP_DELTA_RELATIVE;
    CHECK(llp_basin_width(&f, zero, NULL, &bd, &rng, NULL, &b) == LLP_ERR_ARG, "basin: RELATIVE with L0 = 0");
    /* a batch past the data */
    net_init(&t, 121);
    CHECK(llp_sharpness_random(&t.f, t.theta, &bad, NULL, &rng, &s) == LLP_ERR_ARG, "bad batch");
    CHECK(llp_basin_width(&t.f, t.theta, &bad, NULL, &rng, NULL, &b) == LLP_ERR_ARG, "bad batch (basin)");
    fn = wrap_objective(&w, &t.f, 1.0);
    CHECK(llp_pacbayes_sigma(&fn, t.theta, &bad, NULL, &rng, &p) == LLP_ERR_ARG && w.loss_calls == 0,
          "bad batch: refused before any evaluation");
    /* NaN losses */
    fn = wrap_objective(&w, &f, 1.0);
    w.nan_at = 3;
    CHECK(llp_sharpness_keskar(&fn, theta, NULL, NULL, &rng, &k) == LLP_ERR_NONFINITE, "Keskar: NaN loss");
    w.loss_calls = w.grad_calls = 0;
    CHECK(llp_sharpness_random(&fn, theta, NULL, NULL, &rng, &s) == LLP_ERR_NONFINITE, "random: NaN loss");
    w.loss_calls = w.grad_calls = 0;
    CHECK(llp_sharpness_adaptive(&fn, theta, NULL, NULL, &rng, &k) == LLP_ERR_NONFINITE, "adaptive: NaN loss");
    w.loss_calls = w.grad_calls = 0;
    CHECK(llp_pacbayes_sigma(&fn, theta, NULL, NULL, &rng, &p) == LLP_ERR_NONFINITE, "PAC-Bayes: NaN loss");
    w.loss_calls = w.grad_calls = 0;
    CHECK(llp_basin_width(&fn, theta, NULL, NULL, &rng, NULL, &b) == LLP_ERR_NONFINITE, "basin: NaN loss");
    untouched = memcmp(&k, &ks, sizeof k) == 0 && memcmp(&s, &ss, sizeof s) == 0 && memcmp(&p, &ps, sizeof p) == 0 &&
                memcmp(&b, &bs, sizeof b) == 0;
    CHECK(untouched, "failed calls leave the results as they were");
    net_free(&t);
    llp_landscape_free(&ls);
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_keskar_minimum);
    LLP_RUN(test_keskar_vertices);
    LLP_RUN(test_random_sharpness);
    LLP_RUN(test_adaptive_average);
    LLP_RUN(test_adaptive_worst);
    LLP_RUN(test_pacbayes);
    LLP_RUN(test_pacbayes_magnitude);
    LLP_RUN(test_basin);
    LLP_RUN(test_relu_rescaling);
    LLP_RUN(test_loss_scaling);
    LLP_RUN(test_evals_batches);
    LLP_RUN(test_determinism);
    LLP_RUN(test_bad_args);
    return llp_test_summary();
}
