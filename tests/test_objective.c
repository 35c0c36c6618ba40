/* test_objective.c — the objective abstraction: user callbacks, the
   finite-difference HVP and its step rule, batches, and the shared contract
   that landscape and MLP objectives satisfy.

   The reference curvature is a function whose Hessian is written by hand,
       f(theta) = sum_i log(1 + theta_i^2) + (sum_i theta_i)^3 / 6,
       g_i      = 2 theta_i / (1 + theta_i^2) + S^2 / 2,          S = sum theta
       (H v)_i  = 2 (1 - theta_i^2) / (1 + theta_i^2)^2 v_i + S sum_j v_j,
   non-quadratic in every direction and with curvature that changes scale
   with theta. Random draws come from llp_rng with fixed seeds. */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"

#include <float.h>
#include <stdlib.h>

static double rel_err(const llp_real *a, const llp_real *b, size_t n) {
    double num = 0, den = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        double d = (double)a[i] - (double)b[i];
        num += d * d;
        den += (double)b[i] * (double)b[i];
    }
    den = sqrt(den);
    return sqrt(num) / (den > 1e-300 ? den : 1e-300);
}

/* Context of the callbacks: counts calls, remembers arguments, fails on demand. */
typedef struct cb_ctx {
    size_t n;
    int loss_grad_calls, hvp_calls;
    int fail_at_call; /* 1-based loss_grad call that returns fail_code; 0 = never */
    llp_result fail_code;
    llp_result hvp_code;
    const llp_real *last_grad;
    const llp_real *last_loss;
    const llp_batch *last_batch;
    int quartic; /* 1: f = sum theta_i^4 / 24 instead */
} cb_ctx;

static llp_result cb_loss_grad(void *vctx, const llp_real *theta, const llp_batch *batch, llp_real *loss,
                               llp_real *grad) {
    cb_ctx *c = (cb_ctx *)vctx;
    double f = 0, S = 0;
    size_t i;
    c->loss_grad_calls++;
    c->last_grad = grad;
    c->last_loss = loss;
    c->last_batch = batch;
    if (c->fail_at_call && c->loss_grad_calls == c->fail_at_call) return c->fail_code;
    if (c->quartic) {
        for (i = 0; i < c->n; i++) {
            double t = theta[i];
            f += t * t * t * t / 24;
            if (grad) grad[i] = (llp_real)(t * t * t / 6);
        }
        *loss = (llp_real)f;
        return LLP_OK;
    }
    for (i = 0; i < c->n; i++) {
        f += log1p((double)theta[i] * theta[i]);
        S += theta[i];
    }
    f += S * S * S / 6;
    if (grad)
        for (i = 0; i < c->n; i++) {
            double t = theta[i];
            grad[i] = (llp_real)(2 * t / (1 + t * t) + S * S / 2);
        }
    *loss = (llp_real)f;
    return LLP_OK;
}

/* The closed-form Hv of the function above. */
static void exact_hv(size_t n, const llp_real *theta, const llp_real *v, llp_real *hv) {
    double S = 0, sv = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        S += theta[i];
        sv += v[i];
    }
    for (i = 0; i < n; i++) {
        double t = theta[i], q = 1 + t * t;
        hv[i] = (llp_real)(2 * (1 - t * t) / (q * q) * v[i] + S * sv);
    }
}

static llp_result cb_hvp(void *vctx, const llp_real *theta, const llp_real *v, const llp_batch *batch,
                         llp_real *hv) {
    cb_ctx *c = (cb_ctx *)vctx;
    c->hvp_calls++;
    c->last_batch = batch;
    if (c->hvp_code != LLP_OK) return c->hvp_code;
    exact_hv(c->n, theta, v, hv);
    return LLP_OK;
}

static void fill_scaled(llp_rng *rng, llp_real *x, size_t n, double norm) {
    size_t i;
    double s;
    llp_rng_fill_normal(rng, x, n);
    s = llp_nrm2(x, n);
    for (i = 0; i < n; i++) x[i] = (llp_real)(x[i] / s * norm);
}

/* ------------------------------------------------------------------ tests */

/* With hvp = NULL, llp_objective_hvp falls back to llp_hvp_fd; against the
   closed-form Hv it is accurate to 1e-6 relative (the documented accuracy
   of the step rule is 1e-7..1e-10; the step balances O(h^2) truncation and
   O(eps/h) rounding) at every combination of |theta| in {1e-3, 1, 1e3} and
   |v| in {1e-6, 1, 1e6}, five random directions each. A step that ignored
   |v| is 1e6 times too large or too small at the extreme scales and loses
   from 5 to all digits (checked by mutation); one that ignored |theta|
   still passes here (it loses ~3 digits at |theta| = 1e3, 1e-7 relative),
   which is why test_fd_step_rule pins the documented rule exactly.
   Float build: the step rule uses float's epsilon, a relative step of
   eps^(1/3) = 4.9e-3, and its accuracy is ~eps^(2/3) = 2.4e-5 times the
   function's constants (measured worst 3.6e-5): checked to 5e-4, where a
   step that ignored |v| still fails by orders of magnitude. */
static void test_fd_hvp_scales(void) {
    static const double tscales[3] = {1e-3, 1.0, 1e3}, vscales[3] = {1e-6, 1.0, 1e6};
    const size_t n = 7;
    cb_ctx ctx;
    llp_objective f;
    llp_rng rng;
    llp_real theta[7], v[7], hv[7], ref[7];
    int ti, vi, rep;
    memset(&ctx, 0, sizeof ctx);
    ctx.n = n;
    f = llp_objective_from_callbacks(n, 0, cb_loss_grad, NULL, &ctx);
    CHECK(f.n == n && f.n_samples == 0 && f.hvp == NULL && f.gnvp == NULL && f.ctx == &ctx,
          "llp_objective_from_callbacks fills n, n_samples, hvp, ctx");
    llp_rng_seed(&rng, 2024);
    for (ti = 0; ti < 3; ti++)
        for (vi = 0; vi < 3; vi++) {
            double worst = 0;
            for (rep = 0; rep < 5; rep++) {
                double e;
                fill_scaled(&rng, theta, n, tscales[ti]);
                fill_scaled(&rng, v, n, vscales[vi]);
                CHECK_OK(llp_objective_hvp(&f, theta, v, NULL, hv));
                exact_hv(n, theta, v, ref);
                e = rel_err(hv, ref, n);
                if (e > worst) worst = e;
            }
            CHECK(worst < TOL(1e-6, 5e-4),
                  "|theta| = %g, |v| = %g: finite-difference Hv vs closed form: worst rel %.3g", tscales[ti],
                  vscales[vi], worst);
        }
    CHECK(ctx.hvp_calls == 0, "no hvp callback exists, none was called");
}

/* The step rule itself, as documented: h = cbrt(eps) (1 + |theta|) / |v|.
   For f = sum theta_i^4 / 24 (g_i = theta_i^3 / 6) at theta = (c, 0, 0) along
   v = (0, s, 0), the central difference gives exactly
   hv_2 = ((h s)^3 / 6 - (-h s)^3 / 6) / 2h = h^2 s^3 / 6 where the true value
   is 0, so h = sqrt(6 hv_2 / s^3) can be read off; it must equal the
   documented step to 1e-9 relative (a few roundings). hv_1 and hv_3 are
   exactly 0 (their coordinates do not move).
   Float build: eps is FLT_EPSILON (as documented: the epsilon of llp_real),
   and the roundings are float's: the theta + h v, the gradient and hv are each
   rounded to float (~6e-8 each), the square root halves the sum: 1e-6. */
static void test_fd_step_rule(void) {
    static const double cs[3] = {0.0, 1.0, 1e3}, ss[3] = {1e-6, 1.0, 1e6};
    cb_ctx ctx;
    llp_objective f;
    llp_real theta[3], v[3], hv[3];
    int a, b;
    memset(&ctx, 0, sizeof ctx);
    ctx.n = 3;
    ctx.quartic = 1;
    f = llp_objective_from_callbacks(3, 0, cb_loss_grad, NULL, &ctx);
    for (a = 0; a < 3; a++)
        for (b = 0; b < 3; b++) {
            double want = cbrt(LLP_TEST_EPS) * (1 + cs[a]) / ss[b], got;
            theta[0] = (llp_real)cs[a];
            theta[1] = theta[2] = 0;
            v[0] = v[2] = 0;
            v[1] = (llp_real)ss[b];
            CHECK_OK(llp_hvp_fd(&f, theta, v, NULL, hv, NULL));
            got = sqrt(6 * hv[1] / (ss[b] * ss[b] * ss[b]));
            CHECK(fabs(got / want - 1) <= TOL(1e-9, 1e-6), "|theta| = %g, |v| = %g: step %.17g, documented %.17g",
                  cs[a], ss[b], got, want);
            CHECK(hv[0] == 0 && hv[2] == 0, "coordinates that do not move give exactly 0");
        }
}

/* v = 0 gives hv = 0 exactly (whatever hv held before), through
   llp_objective_hvp and llp_hvp_fd; a NaN in v is refused (LLP_ERR_NONFINITE). */
static void test_fd_zero_v(void) {
    cb_ctx ctx;
    llp_objective f;
    llp_real theta[4] = {0.3, -1.2, 2.5, 0.1}, v[4] = {0, 0, 0, 0}, hv[4];
    size_t i;
    memset(&ctx, 0, sizeof ctx);
    ctx.n = 4;
    f = llp_objective_from_callbacks(4, 0, cb_loss_grad, NULL, &ctx);
    for (i = 0; i < 4; i++) hv[i] = 7;
    CHECK_OK(llp_objective_hvp(&f, theta, v, NULL, hv));
    for (i = 0; i < 4; i++) CHECK(hv[i] == 0, "hv[%lu] = %g for v = 0", (unsigned long)i, hv[i]);
    for (i = 0; i < 4; i++) hv[i] = 7;
    CHECK_OK(llp_hvp_fd(&f, theta, v, NULL, hv, NULL));
    for (i = 0; i < 4; i++) CHECK(hv[i] == 0, "llp_hvp_fd: hv[%lu] = %g for v = 0", (unsigned long)i, hv[i]);
    v[2] = (llp_real)NAN;
    CHECK(llp_hvp_fd(&f, theta, v, NULL, hv, NULL) == LLP_ERR_NONFINITE, "NaN in v: LLP_ERR_NONFINITE");
}

/* When the objective has its own hvp, llp_objective_hvp calls it (once) and
   never the gradient; the result is the callback's, bit for bit, and the
   batch pointer reaches the callback unchanged. */
static void test_exact_hvp_callback_used(void) {
    cb_ctx ctx;
    llp_objective f;
    llp_real theta[5] = {0.5, -0.25, 1.5, 2.0, -1.0}, v[5] = {1, 2, -1, 0.5, 0.25}, hv[5], ref[5];
    llp_batch b = llp_batch_range(2, 3);
    memset(&ctx, 0, sizeof ctx);
    ctx.n = 5;
    f = llp_objective_from_callbacks(5, 10, cb_loss_grad, cb_hvp, &ctx);
    CHECK(f.hvp == cb_hvp, "the hvp callback is stored");
    CHECK_OK(llp_objective_hvp(&f, theta, v, &b, hv));
    exact_hv(5, theta, v, ref);
    CHECK(ctx.hvp_calls == 1 && ctx.loss_grad_calls == 0, "hvp called %d times, loss_grad %d times", ctx.hvp_calls,
          ctx.loss_grad_calls);
    CHECK(memcmp(hv, ref, sizeof hv) == 0, "result is the callback's exact Hv");
    CHECK(ctx.last_batch == &b, "batch passed through to the hvp callback");
}

/* llp_hvp_fd with a caller-provided work buffer of 3n gives the same bytes
   as with work = NULL (and as llp_objective_hvp without an hvp): the
   buffer changes where scratch lives, not the arithmetic. The batch pointer
   reaches both gradient calls. */
static void test_fd_work_buffer(void) {
    cb_ctx ctx;
    llp_objective f;
    llp_rng rng;
    llp_real theta[6], v[6], a[6], b[6], c[6], work[18];
    llp_batch bt = llp_batch_range(1, 4);
    memset(&ctx, 0, sizeof ctx);
    ctx.n = 6;
    f = llp_objective_from_callbacks(6, 8, cb_loss_grad, NULL, &ctx);
    llp_rng_seed(&rng, 3);
    llp_rng_fill_normal(&rng, theta, 6);
    llp_rng_fill_normal(&rng, v, 6);
    llp_rng_fill_normal(&rng, work, 18); /* garbage in the scratch */
    CHECK_OK(llp_hvp_fd(&f, theta, v, &bt, a, work));
    CHECK(ctx.last_batch == &bt && ctx.loss_grad_calls == 2, "two gradients, on the caller's batch");
    CHECK_OK(llp_hvp_fd(&f, theta, v, &bt, b, NULL));
    CHECK_OK(llp_objective_hvp(&f, theta, v, &bt, c));
    CHECK(memcmp(a, b, sizeof a) == 0, "work buffer and NULL give the same bytes");
    CHECK(memcmp(b, c, sizeof b) == 0, "llp_objective_hvp without hvp = llp_hvp_fd");
}

/* llp_objective_loss asks for the loss only: the callback sees grad = NULL
   and the value is f(theta) (checked against the formula here, 1e-15; in
   float the callback's double result is rounded to float: FLT_EPSILON).
   llp_objective_loss_grad hands the caller's gradient buffer through and
   works with loss = NULL. */
static void test_loss_passes_null_grad(void) {
    cb_ctx ctx;
    llp_objective f;
    llp_real theta[3] = {0.5, -1.0, 2.0}, loss = 0, g[3] = {0, 0, 0}, g2[3];
    double S = 1.5, want = log1p(0.25) + log1p(1.0) + log1p(4.0) + S * S * S / 6;
    memset(&ctx, 0, sizeof ctx);
    ctx.n = 3;
    f = llp_objective_from_callbacks(3, 0, cb_loss_grad, NULL, &ctx);
    ctx.last_grad = g;
    CHECK_OK(llp_objective_loss(&f, theta, NULL, &loss));
    CHECK(ctx.loss_grad_calls == 1 && ctx.last_grad == NULL, "llp_objective_loss passes grad = NULL");
    CHECK(ctx.last_loss == &loss, "and the caller's loss pointer");
    CHECK_CLOSE(loss, want, TOL(1e-15, FLT_EPSILON), "loss value");
    CHECK_OK(llp_objective_loss_grad(&f, theta, NULL, &loss, g));
    CHECK(ctx.last_grad == g, "llp_objective_loss_grad passes the caller's gradient buffer");
    CHECK_CLOSE(g[0], 2 * 0.5 / 1.25 + S * S / 2, TOL(1e-15, FLT_EPSILON), "gradient component 0");
    CHECK_OK(llp_objective_loss_grad(&f, theta, NULL, NULL, g2));
    CHECK(ctx.last_loss != NULL, "loss = NULL: the callback still gets somewhere to write");
    CHECK(memcmp(g, g2, sizeof g) == 0, "gradient with loss = NULL is the same");
}

/* A callback's error code comes back unchanged through llp_objective_loss,
   llp_objective_loss_grad, llp_objective_hvp (via finite differences; also
   when the second of the two gradients fails) and from an exact hvp callback.
   Arguments the contract forbids are LLP_ERR_ARG. */
static void test_error_propagation(void) {
    static const llp_result codes[3] = {LLP_ERR_NONFINITE, LLP_ERR_IO, LLP_ERR_SHAPE};
    cb_ctx ctx;
    llp_objective f;
    llp_real theta[3] = {0.1, 0.2, 0.3}, v[3] = {1, 0, -1}, hv[3], g[3], loss;
    int i;
    for (i = 0; i < 3; i++) {
        memset(&ctx, 0, sizeof ctx);
        ctx.n = 3;
        ctx.fail_code = codes[i];
        f = llp_objective_from_callbacks(3, 0, cb_loss_grad, NULL, &ctx);
        ctx.fail_at_call = 1;
        CHECK(llp_objective_loss(&f, theta, NULL, &loss) == codes[i], "loss: %s propagated",
              llp_result_string(codes[i]));
        ctx.loss_grad_calls = 0;
        CHECK(llp_objective_loss_grad(&f, theta, NULL, &loss, g) == codes[i], "loss_grad: propagated");
        ctx.loss_grad_calls = 0;
        CHECK(llp_objective_hvp(&f, theta, v, NULL, hv) == codes[i], "fd hvp, first gradient fails: propagated");
        ctx.loss_grad_calls = 0;
        ctx.fail_at_call = 2;
        CHECK(llp_objective_hvp(&f, theta, v, NULL, hv) == codes[i], "fd hvp, second gradient fails: propagated");
        ctx.loss_grad_calls = 0;
        CHECK(llp_hvp_fd(&f, theta, v, NULL, hv, NULL) == codes[i], "llp_hvp_fd, second gradient fails: propagated");
        ctx.fail_at_call = 0;
        ctx.hvp_code = codes[i];
        f = llp_objective_from_callbacks(3, 0, cb_loss_grad, cb_hvp, &ctx);
        CHECK(llp_objective_hvp(&f, theta, v, NULL, hv) == codes[i], "exact hvp callback error propagated");
    }
    memset(&ctx, 0, sizeof ctx);
    ctx.n = 3;
    f = llp_objective_from_callbacks(3, 0, cb_loss_grad, NULL, &ctx);
    CHECK(llp_objective_loss(&f, theta, NULL, NULL) == LLP_ERR_ARG, "loss with loss = NULL: ARG");
    CHECK(llp_objective_loss(NULL, theta, NULL, &loss) == LLP_ERR_ARG, "NULL objective: ARG");
    CHECK(llp_objective_loss_grad(&f, NULL, NULL, &loss, g) == LLP_ERR_ARG, "NULL theta: ARG");
    CHECK(llp_objective_hvp(&f, theta, NULL, NULL, hv) == LLP_ERR_ARG, "NULL v: ARG");
    CHECK(llp_objective_hvp(&f, theta, v, NULL, NULL) == LLP_ERR_ARG, "NULL hv: ARG");
    f.loss_grad = NULL;
    CHECK(llp_objective_loss(&f, theta, NULL, &loss) == LLP_ERR_ARG, "objective without loss_grad: ARG");
    CHECK(ctx.loss_grad_calls == 0, "no callback was called for invalid arguments");
}

/* Batch helpers: llp_batch_size is n for ALL and for a NULL batch, count for
   RANGE and INDEX; the constructors fill kind, start, count and index. */
static void test_batch_helpers(void) {
    size_t idx[5] = {4, 1, 1, 0, 9};
    llp_batch a = llp_batch_all(), r = llp_batch_range(3, 4), i = llp_batch_index(idx, 5);
    CHECK(a.kind == LLP_BATCH_ALL, "llp_batch_all kind");
    CHECK(llp_batch_size(&a, 10) == 10, "size(ALL of 10) = 10");
    CHECK(llp_batch_size(NULL, 10) == 10, "size(NULL of 10) = 10: NULL means all");
    CHECK(llp_batch_size(NULL, 0) == 0, "size(NULL of 0) = 0");
    CHECK(r.kind == LLP_BATCH_RANGE && r.start == 3 && r.count == 4, "llp_batch_range fields");
    CHECK(llp_batch_size(&r, 10) == 4, "size(RANGE 3, 4) = 4");
    CHECK(i.kind == LLP_BATCH_INDEX && i.index == idx && i.count == 5, "llp_batch_index fields");
    CHECK(llp_batch_size(&i, 10) == 5, "size(INDEX of 5) = 5");
}

/* Analytic landscapes satisfy the objective contract: for every kind, at 5
   random points, llp_objective_loss equals the loss from
   llp_objective_loss_grad (same arithmetic: 1e-14 relative), the exact hvp
   matches llp_hvp_fd to 1e-6 relative (the documented accuracy of the
   finite difference), and batches are ignored (n_samples = 0): an arbitrary
   batch gives the same loss as none.
   Float build: the finite difference's step is eps^(1/3) (1 + |x|) ~ 2e-2 here,
   so its O(h^2) truncation on the oscillating Rastrigin and Ackley (fourth
   derivatives ~ (2 pi)^4 A) reaches 3e-3 (measured worst 2.9e-3): 1e-2. */
static void test_landscape_contract(void) {
    static const llp_landscape_kind kinds[9] = {
        LLP_LANDSCAPE_SADDLE,     LLP_LANDSCAPE_QUADRATIC, LLP_LANDSCAPE_SKEWED_BOWL,
        LLP_LANDSCAPE_QUARTIC,    LLP_LANDSCAPE_SINCOS,    LLP_LANDSCAPE_ROSENBROCK,
        LLP_LANDSCAPE_RASTRIGIN,  LLP_LANDSCAPE_ACKLEY,    LLP_LANDSCAPE_STYBLINSKI_TANG};
    int k, p;
    for (k = 0; k < 9; k++) {
        llp_landscape ls;
        llp_landscape_desc d;
        llp_objective f;
        llp_rng rng;
        llp_real x[4], v[4], g[4], hv[4], fd[4], l1, l2, l3;
        llp_batch weird = llp_batch_range(100, 5);
        double worst = 0;
        memset(&d, 0, sizeof d);
        d.kind = kinds[k];
        d.n = kinds[k] == LLP_LANDSCAPE_SKEWED_BOWL ? 2 : 4;
        d.cond = 1e3;
        d.rotate = kinds[k] == LLP_LANDSCAPE_QUADRATIC;
        llp_rng_seed(&rng, 10 + (uint64_t)k);
        CHECK_OK(llp_landscape_init(&ls, &d, &rng));
        f = llp_landscape_objective(&ls);
        for (p = 0; p < 5; p++) {
            size_t i;
            double e;
            for (i = 0; i < d.n; i++) x[i] = (llp_real)(3 * llp_rng_uniform(&rng) - 1.5);
            llp_rng_fill_normal(&rng, v, d.n);
            CHECK_OK(llp_objective_loss(&f, x, NULL, &l1));
            CHECK_OK(llp_objective_loss_grad(&f, x, NULL, &l2, g));
            CHECK_OK(llp_objective_loss(&f, x, &weird, &l3));
            CHECK(fabs(l1 - l2) <= 1e-14 * fabs(l2) && l3 == l1, "%s: loss = loss from loss_grad = loss on any batch",
                  llp_landscape_name(kinds[k]));
            CHECK_OK(llp_objective_hvp(&f, x, v, NULL, hv));
            CHECK_OK(llp_hvp_fd(&f, x, v, NULL, fd, NULL));
            e = rel_err(hv, fd, d.n);
            if (e > worst) worst = e;
        }
        CHECK(worst < TOL(1e-6, 1e-2), "%s: exact hvp vs llp_hvp_fd: worst rel %.3g", llp_landscape_name(kinds[k]),
              worst);
        llp_landscape_free(&ls);
    }
}

/* The MLP objective satisfies the same contract: llp_objective_loss equals
   the loss from llp_objective_loss_grad (1e-14), and the exact hvp matches
   llp_hvp_fd (1e-6 relative), for three architectures/losses, on ALL and on
   an INDEX batch (the finite difference sees the same batch).
   Float build: llp_hvp_fd is good to ~eps^(2/3) = 2.4e-5 times the curvature's
   constants (measured worst 1.9e-4, the softmax): 2e-3. */
static void test_mlp_contract(void) {
    static const struct {
        llp_act act;
        llp_loss loss;
        int regression;
    } cases[3] = {{LLP_ACT_TANH, LLP_LOSS_SOFTMAX_CE, 0}, {LLP_ACT_GELU, LLP_LOSS_MSE, 1},
                  {LLP_ACT_SIGMOID, LLP_LOSS_BCE, 0}};
    int ci;
    for (ci = 0; ci < 3; ci++) {
        llp_mlp_desc md;
        llp_mlp m;
        llp_data data;
        llp_mlp_objective mo;
        llp_objective f;
        llp_rng rng;
        llp_real *theta, *v, *hv, *fd, *g, l1, l2;
        size_t n, i, idx[7] = {3, 18, 0, 7, 22, 11, 5};
        int bi;
        llp_rng_seed(&rng, 50 + (uint64_t)ci);
        if (cases[ci].regression) {
            CHECK_OK(llp_data_alloc(&data, 24, 4, LLP_TASK_REGRESSION, 3));
            llp_rng_fill_normal(&rng, data.x, 24 * 4);
            llp_rng_fill_normal(&rng, data.y, 24 * 3);
        } else {
            CHECK_OK(llp_data_blobs(&data, 24, 4, 3, 1.0, &rng));
            for (i = 0; i < 24 * 4; i++) data.x[i] *= (llp_real)0.3;
        }
        memset(&md, 0, sizeof md);
        md.n_layers = 2;
        md.sizes[0] = 4;
        md.sizes[1] = 6;
        md.sizes[2] = 3;
        md.act = cases[ci].act;
        md.loss = cases[ci].loss;
        md.weight_decay = 0.01;
        CHECK_OK(llp_mlp_init(&m, &md));
        n = m.n_params;
        theta = (llp_real *)malloc(n * sizeof(llp_real));
        v = (llp_real *)malloc(n * sizeof(llp_real));
        hv = (llp_real *)malloc(n * sizeof(llp_real));
        fd = (llp_real *)malloc(n * sizeof(llp_real));
        g = (llp_real *)malloc(n * sizeof(llp_real));
        llp_mlp_randomize(&m, theta, &rng);
        for (i = 0; i < n; i++) theta[i] += (llp_real)(0.1 * llp_rng_normal(&rng));
        CHECK_OK(llp_mlp_objective_init(&mo, &m, &data, 0));
        f = llp_mlp_objective_get(&mo);
        for (bi = 0; bi < 2; bi++) {
            llp_batch b = llp_batch_index(idx, 7);
            const llp_batch *bp = bi ? &b : NULL;
            llp_rng_fill_normal(&rng, v, n);
            CHECK_OK(llp_objective_loss(&f, theta, bp, &l1));
            CHECK_OK(llp_objective_loss_grad(&f, theta, bp, &l2, g));
            CHECK(fabs(l1 - l2) <= 1e-14 * fabs(l2), "%s: loss = loss from loss_grad", llp_loss_name(cases[ci].loss));
            CHECK_OK(llp_objective_hvp(&f, theta, v, bp, hv));
            CHECK_OK(llp_hvp_fd(&f, theta, v, bp, fd, NULL));
            CHECK(rel_err(hv, fd, n) < TOL(1e-6, 2e-3), "%s batch %d: exact hvp vs llp_hvp_fd: rel %.3g",
                  llp_loss_name(cases[ci].loss), bi, rel_err(hv, fd, n));
        }
        llp_mlp_objective_free(&mo);
        free(theta);
        free(v);
        free(hv);
        free(fd);
        free(g);
        llp_mlp_free(&m);
        llp_data_free(&data);
    }
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_fd_hvp_scales);
    LLP_RUN(test_fd_step_rule);
    LLP_RUN(test_fd_zero_v);
    LLP_RUN(test_exact_hvp_callback_used);
    LLP_RUN(test_fd_work_buffer);
    LLP_RUN(test_loss_passes_null_grad);
    LLP_RUN(test_error_propagation);
    LLP_RUN(test_batch_helpers);
    LLP_RUN(test_landscape_contract);
    LLP_RUN(test_mlp_contract);
    return llp_test_summary();
}
