/* test_optim.c — optimizers, learning-rate schedules, SAM/ASAM, clipping,
   gradient noise, simulated annealing and grid search.

   References:
   - Three steps of every optimizer on the 2-D quadratic
         L(x, y) = 1/2 (2 x^2 + y^2) + 0.5 x y,   g = (2x + 0.5y, y + 0.5x),
     from (1, -2), where g = (1, -1.5) and L = 2. SGD and heavy-ball momentum
     (three steps), Nesterov and Adam (first step) are worked out by hand
     below as literal numbers. Every case (each optimizer, weight decay with
     and without a mask, SAM, ASAM, clipping, schedules) is also re-derived in
     plain double arithmetic by ref_step(), written from the published update
     rules (PyTorch's documented forms: momentum u = beta u + g, theta -= lr u;
     Nesterov theta -= lr (g + beta u); RMSprop s = rho s + (1 - rho) g^2,
     theta -= lr g / (sqrt(s) + eps); Adam with bias corrections 1 - beta^t,
     t = 1 on the first step; AdamW's decoupled decay theta -= lr wd theta;
     SAM's ascent e = rho g / ||g|| (Foret et al.), ASAM's
     e = rho T^2 g / ||T g||, T = |w| + eta on weights and 1 on biases (Kwon
     et al.)), with the default settings written out as numbers.
     Tolerance 1e-12 relative in double: each value is a few roundings of
     O(1) numbers (about 1e-15), so any wrong term (a missing bias
     correction, a look-ahead from the wrong point) is many orders larger.
     Float build: theta, the gradient and the optimizer state are rounded to
     float at every step (2^-24 = 6e-8 relative) against a double reference:
     1e-5.
   - Linear stability on a quadratic with known spectrum (eigenvalues
     log-spaced in [1, 10], randomly rotated): gradient descent contracts iff
     lr < 2 / lambda_max; heavy ball iff lr < (2 + 2 beta) / lambda_max (the
     roots of z^2 - (1 + beta - lr lambda) z + beta reach z = -1 there);
     Nesterov in PyTorch's form iff lr < (2 + 2 beta) / ((1 + 2 beta)
     lambda_max) (iteration matrix [[1 - h (1 + beta), -beta^2], [h, beta]],
     h = lr lambda, whose characteristic polynomial is 0 at z = -1 when
     h = (2 + 2 beta) / (1 + 2 beta)). Runs at 0.95 and 1.05 times each
     threshold: below, ||theta|| falls below 1e-6 of its start; above, it
     passes 1e8 times its start (the runs stop there, before a float build
     overflows).
   - Convergence to ||theta - theta*|| <= 1e-8 (theta* = 0) on the cond-10
     quadratic: gradient descent at lr = 1 / lambda_max needs a number of
     steps fixed by the slowest mode, 1 - 1 / 10 = 0.9 per step, bracketed
     below from the component of theta0 along that mode (read from the
     landscape's eigenvectors): 165 steps, bounds 164..182. Adam (lr 0.05,
     constant rate) gets there too and stays from step 359 on.
   - A failing objective (NaN/Inf gradient, Inf loss, an error code, at the
     first or at SAM's second gradient) leaves theta, the optimizer struct
     and its moment buffers bit-identical, and the next step equals that of a
     twin optimizer that never saw the failure.
   - Simulated annealing on the 1-D quartic x^4 - 2x^2 + 0.5x (local minimum
     at 0.930, global at -1.057, both found here by bisection on the
     derivative): from the local minimum it finds the global one (fixed
     seed; the success rate over 20 seeds is checked too), where gradient
     descent stays put. The chain at constant temperature T on
     x^2/2 + 2 y^2 samples exp(-L/T): variances T and T/4 within 5% (2e5
     correlated proposals; over 40 seeds the relative error of the two
     variances had a standard deviation of 1.1% and 0.6%).
   - Grid search against direct evaluation of the same function, and the
     nearest grid point to a known minimum.
   - Schedules: exact values at the ends and middle of each rule.
   - Gradient noise: 1e5 draws, standard deviation within 5% of the request
     (standard error 0.2%), mean within 5 standard errors, the fraction
     within one sigma 0.6827 +- 0.01 (standard error 0.0015).
   Random draws come from llp_rng with fixed seeds. */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"

#include <stdlib.h>

#define PI 3.14159265358979323846

/* ---- the 2-D callback quadratic ----------------------------------------- */

#define QA 2.0
#define QB 1.0
#define QC 0.5

static double ref_loss(const double *x) { return 0.5 * (QA * x[0] * x[0] + QB * x[1] * x[1]) + QC * x[0] * x[1]; }
static void ref_grad(const double *x, double *g) {
    g[0] = QA * x[0] + QC * x[1];
    g[1] = QB * x[1] + QC * x[0];
}

/* What the callback does at its poison_at-th call (1-based; 0: never). */
enum { POISON_NAN_GRAD = 0, POISON_INF_GRAD, POISON_INF_LOSS, POISON_NAN_LOSS, POISON_ERROR };

typedef struct quad_ctx {
    int calls;
    int poison_at;
    int poison_kind;
} quad_ctx;

static llp_result quad_loss_grad(void *vctx, const llp_real *theta, const llp_batch *batch, llp_real *loss,
                                 llp_real *grad) {
    quad_ctx *c = (quad_ctx *)vctx;
    double x[2], g[2];
    (void)batch;
    c->calls++;
    x[0] = theta[0];
    x[1] = theta[1];
    ref_grad(x, g);
    *loss = (llp_real)ref_loss(x);
    if (grad) {
        grad[0] = (llp_real)g[0];
        grad[1] = (llp_real)g[1];
    }
    if (c->poison_at && c->calls == c->poison_at) {
        switch (c->poison_kind) {
        case POISON_NAN_GRAD:
            if (grad) grad[1] = (llp_real)NAN;
            break;
        case POISON_INF_GRAD:
            if (grad) grad[0] = (llp_real)-HUGE_VAL;
            break;
        case POISON_INF_LOSS: *loss = (llp_real)HUGE_VAL; break;
        case POISON_NAN_LOSS: *loss = (llp_real)NAN; break;
        default: return LLP_ERR_IO;
        }
    }
    return LLP_OK;
}

static llp_objective quad_objective(quad_ctx *c) {
    memset(c, 0, sizeof *c);
    return llp_objective_from_callbacks(2, 0, quad_loss_grad, NULL, c);
}

/* ---- the independent reference ------------------------------------------ */

/* One case: what goes into llp_opt_desc (0 = the library's default), and
   the values the reference uses, defaults written out, with the rate of
   each of the three steps written out (the schedule by hand). */
typedef struct opt_case {
    const char *name;
    llp_opt_kind kind;
    llp_sam_kind sam;
    int masked; /* weight_mask = {1, 0}: y is a bias (no decay, T = 1) */
    double lr, momentum, beta1, beta2, eps, wd, rho, eta, clip;
    llp_sched_kind sched;
    size_t warmup, step_size;
    double gamma;
    size_t total;
    /* reference values */
    double r_beta, r_b1, r_b2, r_eps, r_rho, r_eta;
    double r_lr[3];
} opt_case;

static const unsigned char mask10[2] = {1, 0};

/* the reference's state and the info of one step */
typedef struct ref_state {
    double th[2], u[2], m[2], v[2];
    int t;
} ref_state;

typedef struct ref_info {
    double loss, grad_norm, lr, step_norm;
    int clipped, evals;
} ref_info;

static void ref_step(const opt_case *c, ref_state *r, ref_info *out) {
    double g0[2], g[2], nt[2], lr, b1t, b2t;
    int i;
    r->t++;
    lr = c->r_lr[r->t - 1];
    ref_grad(r->th, g0);
    out->loss = ref_loss(r->th);
    out->grad_norm = sqrt(g0[0] * g0[0] + g0[1] * g0[1]);
    out->lr = lr;
    out->evals = 1;
    g[0] = g0[0];
    g[1] = g0[1];
    if (c->sam != LLP_SAM_NONE) {
        double T[2], p[2], nrm;
        for (i = 0; i < 2; i++) {
            int weight = !c->masked || i == 0;
            T[i] = (c->sam == LLP_SAM_ADAPTIVE && weight) ? fabs(r->th[i]) + c->r_eta : 1.0;
        }
        nrm = sqrt(T[0] * g0[0] * T[0] * g0[0] + T[1] * g0[1] * T[1] * g0[1]);
        for (i = 0; i < 2; i++) p[i] = r->th[i] + (nrm > 0 ? c->r_rho * T[i] * T[i] * g0[i] / nrm : 0.0);
        ref_grad(p, g);
        out->evals = 2;
    }
    out->clipped = 0;
    if (c->clip > 0) {
        double nr = sqrt(g[0] * g[0] + g[1] * g[1]);
        if (nr > c->clip) {
            g[0] *= c->clip / nr;
            g[1] *= c->clip / nr;
            out->clipped = 1;
        }
    }
    b1t = 1 - pow(c->r_b1, r->t);
    b2t = 1 - pow(c->r_b2, r->t);
    for (i = 0; i < 2; i++) {
        double wd = (c->masked && i == 1) ? 0.0 : c->wd;
        double gd = g[i] + (c->kind == LLP_OPT_ADAMW ? 0.0 : wd * r->th[i]);
        double step = 0;
        switch (c->kind) {
        case LLP_OPT_SGD: step = lr * gd; break;
        case LLP_OPT_MOMENTUM:
            r->u[i] = c->r_beta * r->u[i] + gd;
            step = lr * r->u[i];
            break;
        case LLP_OPT_NESTEROV:
            r->u[i] = c->r_beta * r->u[i] + gd;
            step = lr * (gd + c->r_beta * r->u[i]);
            break;
        case LLP_OPT_RMSPROP:
            r->v[i] = c->r_b2 * r->v[i] + (1 - c->r_b2) * gd * gd;
            step = lr * gd / (sqrt(r->v[i]) + c->r_eps);
            break;
        case LLP_OPT_ADAM:
        case LLP_OPT_ADAMW: {
            double mh, vh;
            r->m[i] = c->r_b1 * r->m[i] + (1 - c->r_b1) * gd;
            r->v[i] = c->r_b2 * r->v[i] + (1 - c->r_b2) * gd * gd;
            mh = r->m[i] / b1t;
            vh = r->v[i] / b2t;
            step = lr * mh / (sqrt(vh) + c->r_eps);
            if (c->kind == LLP_OPT_ADAMW) step += lr * wd * r->th[i]; /* decoupled, from the old theta */
            break;
        }
        }
        nt[i] = r->th[i] - step;
    }
    out->step_norm = sqrt((nt[0] - r->th[0]) * (nt[0] - r->th[0]) + (nt[1] - r->th[1]) * (nt[1] - r->th[1]));
    r->th[0] = nt[0];
    r->th[1] = nt[1];
}

static llp_opt_desc case_desc(const opt_case *c) {
    llp_opt_desc d;
    memset(&d, 0, sizeof d);
    d.kind = c->kind;
    d.lr = c->lr;
    d.momentum = c->momentum;
    d.beta1 = c->beta1;
    d.beta2 = c->beta2;
    d.eps = c->eps;
    d.weight_decay = c->wd;
    d.weight_mask = c->masked ? mask10 : NULL;
    d.sam = c->sam;
    d.sam_rho = c->rho;
    d.asam_eta = c->eta;
    d.clip_norm = c->clip;
    d.schedule.kind = c->sched;
    d.schedule.warmup = c->warmup;
    d.schedule.step_size = c->step_size;
    d.schedule.gamma = c->gamma;
    d.schedule.total = c->total;
    d.schedule.min_lr = c->sched == LLP_SCHED_COSINE ? 0.02 : 0; /* the one cosine case: 0.1 -> 0.02 */
    return d;
}

/* name, kind, sam, masked, lr, momentum, beta1, beta2, eps, wd, rho, eta, clip,
   sched, warmup, step_size, gamma, total,
   r_beta, r_b1, r_b2, r_eps, r_rho, r_eta, {r_lr} */
static const opt_case cases[] = {
    {"sgd", LLP_OPT_SGD, LLP_SAM_NONE, 0, 0.1, 0, 0, 0, 0, 0, 0, 0, 0, LLP_SCHED_CONSTANT, 0, 0, 0, 0,
     0, 0, 0, 0, 0, 0, {0.1, 0.1, 0.1}},
    {"sgd wd 0.2 masked", LLP_OPT_SGD, LLP_SAM_NONE, 1, 0.1, 0, 0, 0, 0, 0.2, 0, 0, 0, LLP_SCHED_CONSTANT, 0, 0, 0,
     0, 0, 0, 0, 0, 0, 0, {0.1, 0.1, 0.1}},
    {"sgd wd 0.2", LLP_OPT_SGD, LLP_SAM_NONE, 0, 0.1, 0, 0, 0, 0, 0.2, 0, 0, 0, LLP_SCHED_CONSTANT, 0, 0, 0, 0,
     0, 0, 0, 0, 0, 0, {0.1, 0.1, 0.1}},
    {"momentum default beta", LLP_OPT_MOMENTUM, LLP_SAM_NONE, 0, 0.1, 0, 0, 0, 0, 0, 0, 0, 0, LLP_SCHED_CONSTANT, 0,
     0, 0, 0, 0.9, 0, 0, 0, 0, 0, {0.1, 0.1, 0.1}},
    {"momentum 0.5 wd 0.1", LLP_OPT_MOMENTUM, LLP_SAM_NONE, 0, 0.1, 0.5, 0, 0, 0, 0.1, 0, 0, 0, LLP_SCHED_CONSTANT, 0,
     0, 0, 0, 0.5, 0, 0, 0, 0, 0, {0.1, 0.1, 0.1}},
    {"nesterov", LLP_OPT_NESTEROV, LLP_SAM_NONE, 0, 0.1, 0.9, 0, 0, 0, 0, 0, 0, 0, LLP_SCHED_CONSTANT, 0, 0, 0, 0,
     0.9, 0, 0, 0, 0, 0, {0.1, 0.1, 0.1}},
    {"nesterov wd masked, step schedule", LLP_OPT_NESTEROV, LLP_SAM_NONE, 1, 0.1, 0.7, 0, 0, 0, 0.3, 0, 0, 0,
     LLP_SCHED_STEP, 0, 1, 0.5, 0, 0.7, 0, 0, 0, 0, 0, {0.1, 0.05, 0.025}},
    {"rmsprop rho 0.9", LLP_OPT_RMSPROP, LLP_SAM_NONE, 0, 0.01, 0, 0, 0.9, 0, 0, 0, 0, 0, LLP_SCHED_CONSTANT, 0, 0,
     0, 0, 0, 0, 0.9, 1e-8, 0, 0, {0.01, 0.01, 0.01}},
    {"rmsprop defaults wd 0.5", LLP_OPT_RMSPROP, LLP_SAM_NONE, 0, 0.01, 0, 0, 0, 0, 0.5, 0, 0, 0,
     LLP_SCHED_CONSTANT, 0, 0, 0, 0, 0, 0, 0.99, 1e-8, 0, 0, {0.01, 0.01, 0.01}},
    {"adam defaults", LLP_OPT_ADAM, LLP_SAM_NONE, 0, 0.1, 0, 0, 0, 0, 0, 0, 0, 0, LLP_SCHED_CONSTANT, 0, 0, 0, 0, 0,
     0.9, 0.999, 1e-8, 0, 0, {0.1, 0.1, 0.1}},
    {"adam b 0.8/0.99 eps 1e-3 wd 0.1", LLP_OPT_ADAM, LLP_SAM_NONE, 0, 0.1, 0, 0.8, 0.99, 1e-3, 0.1, 0, 0, 0,
     LLP_SCHED_CONSTANT, 0, 0, 0, 0, 0, 0.8, 0.99, 1e-3, 0, 0, {0.1, 0.1, 0.1}},
    {"adamw wd 0.1 masked", LLP_OPT_ADAMW, LLP_SAM_NONE, 1, 0.1, 0, 0, 0, 0, 0.1, 0, 0, 0, LLP_SCHED_CONSTANT, 0, 0,
     0, 0, 0, 0.9, 0.999, 1e-8, 0, 0, {0.1, 0.1, 0.1}},
    {"adamw wd 0.5, warm-up 2", LLP_OPT_ADAMW, LLP_SAM_NONE, 0, 0.1, 0, 0, 0, 0, 0.5, 0, 0, 0, LLP_SCHED_CONSTANT, 2,
     0, 0, 0, 0, 0.9, 0.999, 1e-8, 0, 0, {0.05, 0.1, 0.1}},
    {"sam over sgd, default rho", LLP_OPT_SGD, LLP_SAM, 0, 0.1, 0, 0, 0, 0, 0, 0, 0, 0, LLP_SCHED_CONSTANT, 0, 0, 0,
     0, 0, 0, 0, 0, 0.05, 0, {0.1, 0.1, 0.1}},
    {"sam rho 0.3 over momentum", LLP_OPT_MOMENTUM, LLP_SAM, 0, 0.1, 0.9, 0, 0, 0, 0, 0.3, 0, 0, LLP_SCHED_CONSTANT,
     0, 0, 0, 0, 0.9, 0, 0, 0, 0.3, 0, {0.1, 0.1, 0.1}},
    {"asam over sgd, y a bias, defaults", LLP_OPT_SGD, LLP_SAM_ADAPTIVE, 1, 0.1, 0, 0, 0, 0, 0, 0, 0, 0,
     LLP_SCHED_CONSTANT, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0.01, {0.1, 0.1, 0.1}},
    {"asam rho 0.3 eta 0.2 over sgd", LLP_OPT_SGD, LLP_SAM_ADAPTIVE, 0, 0.1, 0, 0, 0, 0, 0, 0.3, 0.2, 0,
     LLP_SCHED_CONSTANT, 0, 0, 0, 0, 0, 0, 0, 0, 0.3, 0.2, {0.1, 0.1, 0.1}},
    {"asam over adam, y a bias", LLP_OPT_ADAM, LLP_SAM_ADAPTIVE, 1, 0.1, 0, 0, 0, 0, 0, 0.4, 0, 0,
     LLP_SCHED_CONSTANT, 0, 0, 0, 0, 0, 0.9, 0.999, 1e-8, 0.4, 0.01, {0.1, 0.1, 0.1}},
    {"sgd clip 1.75", LLP_OPT_SGD, LLP_SAM_NONE, 0, 0.1, 0, 0, 0, 0, 0, 0, 0, 1.75, LLP_SCHED_CONSTANT, 0, 0, 0, 0, 0,
     0, 0, 0, 0, 0, {0.1, 0.1, 0.1}},
    {"momentum clip 1", LLP_OPT_MOMENTUM, LLP_SAM_NONE, 0, 0.1, 0.9, 0, 0, 0, 0, 0, 0, 1.0, LLP_SCHED_CONSTANT, 0, 0,
     0, 0, 0.9, 0, 0, 0, 0, 0, {0.1, 0.1, 0.1}},
    {"adam clip 1.2", LLP_OPT_ADAM, LLP_SAM_NONE, 0, 0.1, 0, 0, 0, 0, 0, 0, 0, 1.2, LLP_SCHED_CONSTANT, 0, 0, 0, 0, 0,
     0.9, 0.999, 1e-8, 0, 0, {0.1, 0.1, 0.1}},
    {"sam over sgd, clip 1.5", LLP_OPT_SGD, LLP_SAM, 0, 0.1, 0, 0, 0, 0, 0, 0.1, 0, 1.5, LLP_SCHED_CONSTANT, 0, 0, 0,
     0, 0, 0, 0, 0, 0.1, 0, {0.1, 0.1, 0.1}},
    {"sgd cosine 0.1 -> 0.02 over 2", LLP_OPT_SGD, LLP_SAM_NONE, 0, 0.1, 0, 0, 0, 0, 0, 0, 0, 0, LLP_SCHED_COSINE, 0,
     0, 0, 2, 0, 0, 0, 0, 0, 0, {0.1, 0.06, 0.02}}, /* min_lr 0.02 (case_desc) */
};
#define N_CASES (sizeof cases / sizeof cases[0])

/* Run the three steps of one case through the library; theta and the info of
   each step come back. */
static void lib_three_steps(const opt_case *c, double th[3][2], llp_opt_info info[3], llp_real m_out[2],
                            llp_real v_out[2], int *ok) {
    llp_opt_desc d = case_desc(c);
    llp_opt o;
    llp_real state[16], theta[2];
    quad_ctx qc;
    llp_objective f = quad_objective(&qc);
    int s;
    *ok = llp_opt_init(&o, &d, 2, state, 16) == LLP_OK;
    if (!*ok) return;
    theta[0] = 1;
    theta[1] = -2;
    for (s = 0; s < 3; s++) {
        if (llp_opt_step(&o, &f, theta, NULL, &info[s]) != LLP_OK) {
            *ok = 0;
            return;
        }
        th[s][0] = theta[0];
        th[s][1] = theta[1];
    }
    m_out[0] = o.m ? o.m[0] : 0;
    m_out[1] = o.m ? o.m[1] : 0;
    v_out[0] = o.v ? o.v[0] : 0;
    v_out[1] = o.v ? o.v[1] : 0;
}

/* ------------------------------------------------------------------ tests */

/* Worked by hand from (1, -2), g = (1, -1.5), lr = 0.1 (g(x, y) = (2x + 0.5y, y + 0.5x)):
   SGD       (0.9, -1.85)      g = (0.875, -1.4)
             (0.8125, -1.71)   g = (0.77, -1.30375)
             (0.7355, -1.579625)
   momentum  u = (1, -1.5)                      theta = (0.9, -1.85)
   beta 0.9  g = (0.875, -1.4), u = 0.9 u + g = (1.775, -2.75),
                                                theta = (0.7225, -1.575)
             g = (0.6575, -1.21375), u = (2.255, -3.68875),
                                                theta = (0.497, -1.206125)
   Nesterov  u = g, step lr (g + 0.9 u) = 0.19 g: theta = (0.81, -1.715)
   Adam      m = 0.1 g, v = 0.001 g^2; corrected m^ = g, v^ = g^2: the step is
             lr g / (|g| + eps) = lr sign(g) up to lr eps / |g| <= 1e-9:
             theta = (0.9, -1.9) up to 1e-9 (exactly (1 - 0.1/(1 + 1e-8),
             -2 + 0.15/(1.5 + 1e-8))).
   The values with terminating decimals are exact up to the rounding of the
   decimal constants: 1e-12 in double (1e-5 float, see the top). */
static void test_hand_worked(void) {
    static const double sgd[3][2] = {{0.9, -1.85}, {0.8125, -1.71}, {0.7355, -1.579625}};
    static const double mom[3][2] = {{0.9, -1.85}, {0.7225, -1.575}, {0.497, -1.206125}};
    const double tol = TOL(1e-12, 1e-5);
    double th[3][2];
    llp_opt_info info[3];
    llp_real m[2], v[2];
    int ok, s, i;
    /* cases[0] is plain SGD, cases[3] momentum 0.9, cases[5] Nesterov 0.9, cases[9] Adam defaults */
    lib_three_steps(&cases[0], th, info, m, v, &ok);
    CHECK(ok, "sgd: three steps ran");
    for (s = 0; ok && s < 3; s++)
        for (i = 0; i < 2; i++) CHECK_CLOSE(th[s][i], sgd[s][i], tol, "sgd by hand");
    if (ok) {
        CHECK_CLOSE(info[0].loss, 2.0, tol, "sgd: loss at (1, -2) = 2");
        CHECK_CLOSE(info[0].grad_norm, sqrt(3.25), tol, "sgd: ||g|| at (1, -2) = sqrt(3.25)");
        CHECK_CLOSE(info[0].step_norm, 0.1 * sqrt(3.25), tol, "sgd: step norm = lr ||g||");
        CHECK(info[0].evals == 1 && info[0].clipped == 0, "sgd: one gradient, not clipped");
    }
    lib_three_steps(&cases[3], th, info, m, v, &ok);
    CHECK(ok, "momentum: three steps ran");
    for (s = 0; ok && s < 3; s++)
        for (i = 0; i < 2; i++) CHECK_CLOSE(th[s][i], mom[s][i], tol, "momentum by hand");
    if (ok) {
        CHECK_CLOSE(m[0], 2.255, tol, "momentum: velocity u_x after three steps");
        CHECK_CLOSE(m[1], -3.68875, tol, "momentum: velocity u_y after three steps");
    }
    lib_three_steps(&cases[5], th, info, m, v, &ok);
    CHECK(ok, "nesterov: three steps ran");
    if (ok) {
        CHECK_CLOSE(th[0][0], 0.81, tol, "nesterov step 1 x by hand (look-ahead: 0.19 g)");
        CHECK_CLOSE(th[0][1], -1.715, tol, "nesterov step 1 y by hand");
    }
    lib_three_steps(&cases[9], th, info, m, v, &ok);
    CHECK(ok, "adam: three steps ran");
    if (ok) {
        CHECK(fabs(th[0][0] - 0.9) <= TOL(1.01e-9, 1e-7), "adam step 1 moves x by lr sign(g) up to eps: %.17g",
              th[0][0]);
        CHECK(fabs(th[0][1] - -1.9) <= TOL(1.01e-9, 2e-7), "adam step 1 moves y by lr sign(g) up to eps: %.17g",
              th[0][1]);
        CHECK_CLOSE(th[0][0], 1 - 0.1 / (1 + 1e-8), tol, "adam step 1 x = 1 - lr |g|/(|g| + eps)");
        CHECK_CLOSE(th[0][1], -2 + 0.15 / (1.5 + 1e-8), tol, "adam step 1 y");
    }
}

/* Every case against ref_step for three steps: theta after each step and the
   info fields (loss before the step, raw gradient norm, rate, step norm,
   clipping flag, gradient count); after the steps, the velocity (momentum,
   Nesterov) and Adam's first and second moments. */
static void test_three_steps_vs_reference(void) {
    const double tol = TOL(1e-12, 1e-5);
    size_t ci;
    int saw_clip = 0, saw_noclip = 0;
    for (ci = 0; ci < N_CASES; ci++) {
        const opt_case c = cases[ci];
        ref_state r;
        ref_info ri;
        double th[3][2];
        llp_opt_info info[3];
        llp_real m[2], v[2];
        int ok, s, i;
        char what[160];
        lib_three_steps(&c, th, info, m, v, &ok);
        CHECK(ok, "%s: init and three steps return LLP_OK", c.name);
        if (!ok) continue;
        memset(&r, 0, sizeof r);
        r.th[0] = 1;
        r.th[1] = -2;
        for (s = 0; s < 3; s++) {
            ref_step(&c, &r, &ri);
            for (i = 0; i < 2; i++) {
                snprintf(what, sizeof what, "%s: theta[%d] after step %d", c.name, i, s + 1);
                CHECK_CLOSE(th[s][i], r.th[i], tol, what);
            }
            snprintf(what, sizeof what, "%s: info.loss at step %d", c.name, s + 1);
            CHECK_CLOSE(info[s].loss, ri.loss, tol, what);
            snprintf(what, sizeof what, "%s: info.grad_norm at step %d", c.name, s + 1);
            CHECK_CLOSE(info[s].grad_norm, ri.grad_norm, tol, what);
            snprintf(what, sizeof what, "%s: info.lr at step %d", c.name, s + 1);
            CHECK_CLOSE(info[s].lr, ri.lr, 1e-15, what);
            snprintf(what, sizeof what, "%s: info.step_norm at step %d", c.name, s + 1);
            CHECK_CLOSE(info[s].step_norm, ri.step_norm, tol, what);
            CHECK(info[s].clipped == ri.clipped, "%s: step %d clipped = %d (reference %d)", c.name, s + 1,
                  info[s].clipped, ri.clipped);
            CHECK((int)info[s].evals == ri.evals, "%s: step %d gradient evaluations %u (reference %d)", c.name, s + 1,
                  info[s].evals, ri.evals);
            if (c.clip > 0) {
                if (ri.clipped) saw_clip = 1;
                else saw_noclip = 1;
            }
        }
        if (c.kind == LLP_OPT_MOMENTUM || c.kind == LLP_OPT_NESTEROV)
            for (i = 0; i < 2; i++) {
                snprintf(what, sizeof what, "%s: velocity u[%d]", c.name, i);
                CHECK_CLOSE(m[i], r.u[i], tol, what);
            }
        if (c.kind == LLP_OPT_ADAM || c.kind == LLP_OPT_ADAMW)
            for (i = 0; i < 2; i++) {
                snprintf(what, sizeof what, "%s: first moment m[%d]", c.name, i);
                CHECK_CLOSE(m[i], r.m[i], tol, what);
                snprintf(what, sizeof what, "%s: second moment v[%d]", c.name, i);
                CHECK_CLOSE(v[i], r.v[i], tol, what);
            }
    }
    CHECK(saw_clip && saw_noclip, "the clipping cases clip some steps and leave others");
}

/* llp_opt_apply with the gradient the callback gives = llp_opt_step, bit for
   bit, for every case without SAM; grad itself is not modified. */
static void test_apply_equals_step(void) {
    size_t ci;
    for (ci = 0; ci < N_CASES; ci++) {
        const opt_case *c = &cases[ci];
        llp_opt_desc d = case_desc(c);
        llp_opt o1, o2;
        llp_real s1[16], s2[16], t1[2] = {1, -2}, t2[2] = {1, -2}, g[2], gcopy[2], loss;
        quad_ctx qc;
        llp_objective f = quad_objective(&qc);
        int s, same = 1, ok = 1;
        if (c->sam != LLP_SAM_NONE) continue;
        ok &= llp_opt_init(&o1, &d, 2, s1, 16) == LLP_OK;
        ok &= llp_opt_init(&o2, &d, 2, s2, 16) == LLP_OK;
        for (s = 0; ok && s < 3; s++) {
            ok &= llp_opt_step(&o1, &f, t1, NULL, NULL) == LLP_OK;
            ok &= llp_objective_loss_grad(&f, t2, NULL, &loss, g) == LLP_OK;
            memcpy(gcopy, g, sizeof g);
            ok &= llp_opt_apply(&o2, t2, g, NULL) == LLP_OK;
            same &= memcmp(gcopy, g, sizeof g) == 0;
        }
        CHECK(ok, "%s: steps and applies return LLP_OK", c->name);
        CHECK(memcmp(t1, t2, sizeof t1) == 0, "%s: apply(own gradient) = step, bit for bit", c->name);
        CHECK(o1.t == 3 && o2.t == 3, "%s: step count t = 3", c->name);
        CHECK(same, "%s: apply leaves the caller's gradient untouched", c->name);
    }
}

/* ---- stability thresholds ------------------------------------------------ */

typedef struct stab_run {
    double final_ratio; /* ||theta_end|| / ||theta_0|| */
    int blew_up;        /* passed 1e8 ||theta_0|| */
    int steps;
    int ok;
} stab_run;

/* Up to max_steps steps from theta0 = (1, ..., 1), stopping above 1e8 ||theta0||. */
static stab_run run_quadratic(llp_landscape *ls, llp_opt_kind kind, double lr, double beta, int max_steps) {
    llp_objective f = llp_landscape_objective(ls);
    llp_opt_desc d;
    llp_opt o;
    llp_real state[32], theta[8];
    size_t n = ls->n;
    double n0;
    stab_run out;
    memset(&out, 0, sizeof out);
    memset(&d, 0, sizeof d);
    d.kind = kind;
    d.lr = lr;
    d.momentum = beta;
    if (llp_opt_init(&o, &d, n, state, 32) != LLP_OK) return out;
    llp_fill(1, theta, n);
    n0 = llp_nrm2(theta, n);
    out.ok = 1;
    for (out.steps = 0; out.steps < max_steps; out.steps++) {
        if (llp_nrm2(theta, n) > 1e8 * n0) {
            out.blew_up = 1;
            break;
        }
        if (llp_opt_step(&o, &f, theta, NULL, NULL) != LLP_OK) {
            out.ok = 0;
            break;
        }
    }
    out.final_ratio = llp_nrm2(theta, n) / n0;
    return out;
}

static void test_stability_thresholds(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_rng rng;
    double lmax;
    int k;
    static const struct {
        llp_opt_kind kind;
        double beta;
        const char *name;
    } opts[] = {{LLP_OPT_SGD, 0, "gradient descent"},
                {LLP_OPT_MOMENTUM, 0.5, "heavy ball beta 0.5"},
                {LLP_OPT_MOMENTUM, 0.9, "heavy ball beta 0.9"},
                {LLP_OPT_NESTEROV, 0.5, "nesterov beta 0.5"},
                {LLP_OPT_NESTEROV, 0.9, "nesterov beta 0.9"}};
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUADRATIC;
    ld.n = 4;
    ld.cond = 10;
    ld.rotate = 1;
    llp_rng_seed(&rng, 2024);
    if (llp_landscape_init(&ls, &ld, &rng) != LLP_OK) {
        CHECK(0, "quadratic landscape init");
        return;
    }
    lmax = ls.lambda[3];
    CHECK(lmax == 10 && ls.lambda[0] == 1, "eigenvalues span [1, 10]: %g .. %g", (double)ls.lambda[0], lmax);
    for (k = 0; k < (int)(sizeof opts / sizeof opts[0]); k++) {
        double b = opts[k].beta, thr;
        stab_run below, above;
        if (opts[k].kind == LLP_OPT_SGD) thr = 2 / lmax;
        else if (opts[k].kind == LLP_OPT_MOMENTUM) thr = (2 + 2 * b) / lmax;
        else thr = (2 + 2 * b) / ((1 + 2 * b) * lmax);
        below = run_quadratic(&ls, opts[k].kind, 0.95 * thr, b, 1000);
        above = run_quadratic(&ls, opts[k].kind, 1.05 * thr, b, 1000);
        CHECK(below.ok && above.ok, "%s: every step returned LLP_OK", opts[k].name);
        CHECK(!below.blew_up && below.final_ratio < 1e-6,
              "%s at 0.95 x threshold %.4g: ||theta|| / ||theta0|| = %.3g after %d steps", opts[k].name, thr,
              below.final_ratio, below.steps);
        CHECK(above.blew_up,
              "%s at 1.05 x threshold %.4g: ||theta|| passed 1e8 ||theta0|| (after %d steps, ratio %.3g)",
              opts[k].name, thr, above.steps, above.final_ratio);
    }
    llp_landscape_free(&ls);
}

/* ---- convergence --------------------------------------------------------- */

static void test_convergence(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f;
    llp_rng rng;
    llp_opt_desc d;
    llp_opt o;
    llp_real state[32], theta[4];
    double c1 = 0, n0, lmax;
    int k, k_hi, k_lo, k_first, reached = -1;
    size_t i;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUADRATIC;
    ld.n = 4;
    ld.cond = 10;
    ld.rotate = 1;
    llp_rng_seed(&rng, 99);
    if (llp_landscape_init(&ls, &ld, &rng) != LLP_OK) {
        CHECK(0, "quadratic landscape init");
        return;
    }
    f = llp_landscape_objective(&ls);
    lmax = ls.lambda[3];
    /* SGD at lr = 1 / lambda_max: the mode with lambda = 1 shrinks by 0.9 per
       step, the others faster, so ||theta_k|| <= 0.9^k ||theta_0|| and
       ||theta_k|| >= 0.9^k |c_1|, c_1 = q_1 . theta_0 (q_1: column 0 of Q). */
    llp_fill(1, theta, 4);
    n0 = llp_nrm2(theta, 4);
    for (i = 0; i < 4; i++) c1 += (double)ls.q[i * 4 + 0] * theta[i];
    k_hi = (int)ceil(log(1e-8 / n0) / log(0.9));
    k_lo = (int)floor(log(1e-8 / fabs(c1)) / log(0.9));
    memset(&d, 0, sizeof d);
    d.kind = LLP_OPT_SGD;
    d.lr = 1 / lmax;
    CHECK_OK(llp_opt_init(&o, &d, 4, state, 32));
    for (k = 0; k < 1000; k++) {
        if (llp_nrm2(theta, 4) <= 1e-8) {
            reached = k;
            break;
        }
        if (llp_opt_step(&o, &f, theta, NULL, NULL) != LLP_OK) break;
    }
    k_first = reached;
    CHECK(reached >= k_lo && reached <= k_hi,
          "sgd lr 1/lambda_max: ||theta|| <= 1e-8 after %d steps (bounds %d..%d from the 0.9 mode)", reached, k_lo,
          k_hi);
    /* Adam, lr 0.05, default betas and eps, constant rate: its momentum makes
       ||theta|| oscillate as it falls, so "converged" is the first step from
       which ||theta|| stays <= 1e-8 for the rest of a 1000-step run (359 in
       both builds; no decaying schedule is needed on this problem). */
    llp_fill(1, theta, 4);
    memset(&d, 0, sizeof d);
    d.kind = LLP_OPT_ADAM;
    d.lr = 0.05;
    CHECK_OK(llp_opt_init(&o, &d, 4, state, 32));
    reached = 0;
    for (k = 0; k <= 1000; k++) {
        if (llp_nrm2(theta, 4) > 1e-8) reached = k + 1;
        if (k < 1000 && llp_opt_step(&o, &f, theta, NULL, NULL) != LLP_OK) break;
    }
    printf("  steps to ||theta|| <= 1e-8 for good: sgd lr 1/lambda_max %d, adam lr 0.05 %d\n", k_first, reached);
    CHECK(k == 1001 && reached <= 500, "adam lr 0.05: ||theta|| <= 1e-8 from step %d on (of 1000)", reached);
    CHECK(llp_nrm2(theta, 4) <= 1e-12, "adam: ||theta|| = %.3g after 1000 steps", llp_nrm2(theta, 4));
    llp_landscape_free(&ls);
}

/* ---- failure paths ------------------------------------------------------- */

typedef struct fail_cfg {
    const char *name;
    llp_opt_kind kind;
    llp_sam_kind sam;
    double noise;
} fail_cfg;

/* Two good steps, then a step whose gradient evaluation number `which` (1 or
   2 with SAM) misbehaves as `kind`: the step returns `expect`, and theta, the
   optimizer struct and its buffers m, v are bit-identical to before. Then one
   clean step equals that of a twin optimizer that never failed. The rest of
   the state block (o.g, and o.g2, o.e with SAM) is the step's scratch: it is
   overwritten before it is read, so a failed step may leave the failed
   gradient there (it does); the twin comparison shows that it carries
   nothing into the next step. */
static void fail_case(const fail_cfg *fc, int pkind, int which, llp_result expect) {
    static const char *pname[] = {"NaN gradient", "-Inf gradient", "Inf loss", "NaN loss", "error code"};
    llp_opt_desc d;
    llp_opt o, twin, snap;
    llp_real st[16], st_twin[16], th[2] = {1, -2}, th_twin[2] = {1, -2}, th_snap[2], m_snap[2], v_snap[2];
    quad_ctx qc, qc_twin;
    llp_objective f = quad_objective(&qc), f_twin = quad_objective(&qc_twin);
    llp_result r;
    int s, ok = 1;
    memset(&d, 0, sizeof d);
    d.kind = fc->kind;
    d.lr = 0.05;
    d.sam = fc->sam;
    d.grad_noise = fc->noise;
    d.noise_seed = 5;
    d.weight_decay = 0.01;
    ok &= llp_opt_init(&o, &d, 2, st, 16) == LLP_OK;
    ok &= llp_opt_init(&twin, &d, 2, st_twin, 16) == LLP_OK;
    for (s = 0; ok && s < 2; s++) {
        ok &= llp_opt_step(&o, &f, th, NULL, NULL) == LLP_OK;
        ok &= llp_opt_step(&twin, &f_twin, th_twin, NULL, NULL) == LLP_OK;
    }
    if (!ok) {
        CHECK(0, "%s: setup steps", fc->name);
        return;
    }
    memcpy(&snap, &o, sizeof o);
    memcpy(th_snap, th, sizeof th);
    if (o.m) memcpy(m_snap, o.m, sizeof m_snap);
    if (o.v) memcpy(v_snap, o.v, sizeof v_snap);
    qc.poison_at = qc.calls + which;
    qc.poison_kind = pkind;
    r = llp_opt_step(&o, &f, th, NULL, NULL);
    CHECK(r == expect, "%s, %s at gradient %d: returned %d, expected %d", fc->name, pname[pkind], which, (int)r,
          (int)expect);
    CHECK(memcmp(th, th_snap, sizeof th) == 0, "%s, %s at gradient %d: theta bit-identical", fc->name, pname[pkind],
          which);
    CHECK(memcmp(&o, &snap, sizeof o) == 0, "%s, %s at gradient %d: optimizer struct (t, rng, settings) unchanged",
          fc->name, pname[pkind], which);
    CHECK(o.t == 2, "%s, %s: step count still 2", fc->name, pname[pkind]);
    CHECK(!o.m || memcmp(o.m, m_snap, sizeof m_snap) == 0, "%s, %s at gradient %d: first buffer m unchanged",
          fc->name, pname[pkind], which);
    CHECK(!o.v || memcmp(o.v, v_snap, sizeof v_snap) == 0, "%s, %s at gradient %d: second buffer v unchanged",
          fc->name, pname[pkind], which);
    CHECK(llp_all_finite(th, 2), "%s, %s: theta finite", fc->name, pname[pkind]);
    /* the run goes on as if nothing happened */
    qc.poison_at = 0;
    ok = llp_opt_step(&o, &f, th, NULL, NULL) == LLP_OK;
    ok &= llp_opt_step(&twin, &f_twin, th_twin, NULL, NULL) == LLP_OK;
    CHECK(ok && memcmp(th, th_twin, sizeof th) == 0 && o.t == twin.t && memcmp(&o.rng, &twin.rng, sizeof o.rng) == 0 &&
              (!o.m || memcmp(o.m, twin.m, 2 * sizeof(llp_real)) == 0) &&
              (!o.v || memcmp(o.v, twin.v, 2 * sizeof(llp_real)) == 0),
          "%s, %s at gradient %d: the next step equals that of a twin that never failed", fc->name, pname[pkind],
          which);
}

static void test_failure_leaves_state(void) {
    static const fail_cfg cfgs[] = {{"sgd", LLP_OPT_SGD, LLP_SAM_NONE, 0},
                                    {"momentum + noise", LLP_OPT_MOMENTUM, LLP_SAM_NONE, 0.1},
                                    {"rmsprop", LLP_OPT_RMSPROP, LLP_SAM_NONE, 0},
                                    {"adam + noise", LLP_OPT_ADAM, LLP_SAM_NONE, 0.1},
                                    {"sam over adam + noise", LLP_OPT_ADAM, LLP_SAM, 0.1},
                                    {"asam over nesterov", LLP_OPT_NESTEROV, LLP_SAM_ADAPTIVE, 0}};
    size_t k;
    for (k = 0; k < sizeof cfgs / sizeof cfgs[0]; k++) {
        int which, maxw = cfgs[k].sam != LLP_SAM_NONE ? 2 : 1;
        for (which = 1; which <= maxw; which++) {
            fail_case(&cfgs[k], POISON_NAN_GRAD, which, LLP_ERR_NONFINITE);
            fail_case(&cfgs[k], POISON_INF_GRAD, which, LLP_ERR_NONFINITE);
            fail_case(&cfgs[k], POISON_ERROR, which, LLP_ERR_IO);
        }
        /* the loss is checked at theta (the first evaluation) */
        fail_case(&cfgs[k], POISON_INF_LOSS, 1, LLP_ERR_NONFINITE);
        fail_case(&cfgs[k], POISON_NAN_LOSS, 1, LLP_ERR_NONFINITE);
    }
}

/* llp_opt_apply with a NaN or Inf in the caller's gradient. */
static void test_apply_nonfinite(void) {
    llp_opt_desc d;
    llp_opt o, snap;
    llp_real st[8], th[2] = {0.5, 0.25}, th_snap[2], g[2], m_snap[2], v_snap[2];
    int k;
    memset(&d, 0, sizeof d);
    d.kind = LLP_OPT_ADAM;
    d.lr = 0.1;
    d.grad_noise = 0.5;
    CHECK_OK(llp_opt_init(&o, &d, 2, st, 8));
    g[0] = 1, g[1] = 2;
    CHECK_OK(llp_opt_apply(&o, th, g, NULL));
    for (k = 0; k < 2; k++) {
        memcpy(&snap, &o, sizeof o);
        memcpy(th_snap, th, sizeof th);
        memcpy(m_snap, o.m, sizeof m_snap);
        memcpy(v_snap, o.v, sizeof v_snap);
        g[0] = 1;
        g[1] = (llp_real)(k ? HUGE_VAL : NAN);
        CHECK(llp_opt_apply(&o, th, g, NULL) == LLP_ERR_NONFINITE, "apply with %s gradient: LLP_ERR_NONFINITE",
              k ? "Inf" : "NaN");
        CHECK(memcmp(th, th_snap, sizeof th) == 0 && memcmp(&o, &snap, sizeof o) == 0 &&
                  memcmp(o.m, m_snap, sizeof m_snap) == 0 && memcmp(o.v, v_snap, sizeof v_snap) == 0,
              "apply with %s gradient: theta, optimizer and moments unchanged", k ? "Inf" : "NaN");
    }
}

/* ---- simulated annealing ------------------------------------------------- */

/* Root of 4x^3 - 4x + 0.5 in [a, b] by bisection (the derivative of the quartic). */
static double quartic_root(double a, double b) {
    int it;
    double fa = 4 * a * a * a - 4 * a + 0.5;
    for (it = 0; it < 200; it++) {
        double m = 0.5 * (a + b), fm = 4 * m * m * m - 4 * m + 0.5;
        if ((fm < 0) == (fa < 0)) a = m, fa = fm;
        else b = m;
    }
    return 0.5 * (a + b);
}

static double quartic1(double x) { return x * x * x * x - 2 * x * x + 0.5 * x; }

typedef struct visit_log {
    size_t calls, accepted, next_k, stop_at;
    int order_ok, loss_ok, temp_ok;
    double last_loss, min_loss;
    llp_anneal_desc d;
    const llp_objective *f;
    uint64_t hash;
} visit_log;

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

static int visit_fn(void *vctx, size_t k, const llp_real *theta, double loss, int accepted, double temperature) {
    visit_log *v = (visit_log *)vctx;
    llp_real l;
    double texp;
    if (k != v->next_k) v->order_ok = 0;
    v->next_k = k + 1;
    v->calls++;
    if (accepted) v->accepted++;
    if (llp_objective_loss(v->f, theta, NULL, &l) != LLP_OK || (double)l != loss) v->loss_ok = 0;
    if (loss < v->min_loss) v->min_loss = loss;
    v->last_loss = loss;
    texp = v->d.schedule == LLP_ANNEAL_FAST  ? v->d.t0 / (1.0 + (double)k)
           : v->d.schedule == LLP_ANNEAL_LOG ? v->d.t0 / log((double)k + exp(1.0))
                                             : v->d.t0 * pow(v->d.alpha, (double)k);
    if (!(fabs(temperature - texp) <= 1e-12 * texp)) v->temp_ok = 0;
    v->hash = fnv(v->hash, theta, v->f->n * sizeof(llp_real));
    v->hash = fnv(v->hash, &loss, sizeof loss);
    v->hash = fnv(v->hash, &accepted, sizeof accepted);
    return v->stop_at && v->calls == v->stop_at;
}

static void visit_init(visit_log *v, const llp_objective *f, const llp_anneal_desc *d, double start_loss) {
    memset(v, 0, sizeof *v);
    v->order_ok = v->loss_ok = v->temp_ok = 1;
    v->min_loss = start_loss;
    v->d = *d;
    v->f = f;
    v->hash = 1469598103934665603ull;
}

static void test_anneal_quartic(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f;
    llp_anneal_desc ad;
    llp_anneal_result res, res2;
    llp_rng rng;
    llp_real x[1], x2[1], xmin[1], fmin, l;
    double xg = quartic_root(-1.5, -0.5), xloc = quartic_root(0.5, 1.5), f_start;
    visit_log vl, vl2;
    int seed, wins = 0;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUARTIC;
    ld.n = 1;
    if (llp_landscape_init(&ls, &ld, NULL) != LLP_OK) {
        CHECK(0, "quartic init");
        return;
    }
    f = llp_landscape_objective(&ls);
    CHECK_OK(llp_landscape_minimum(&ls, xmin, &fmin));
    CHECK_CLOSE(xmin[0], xg, TOL(1e-12, 1e-6), "quartic global minimiser = bisection root near -1.057");
    CHECK(fabs(xloc - 0.9304) < 1e-3, "local minimiser near 0.93: %.6f", xloc);
    CHECK(quartic1(xloc) > quartic1(xg) + 0.9, "local minimum %.4f lies above the global %.4f", quartic1(xloc),
          quartic1(xg));

    memset(&ad, 0, sizeof ad);
    ad.iters = 3000;
    ad.t0 = 1.0;
    ad.alpha = 0.997;
    ad.step = 0.3;
    ad.schedule = LLP_ANNEAL_GEOMETRIC;
    x[0] = (llp_real)xloc;
    CHECK_OK(llp_objective_loss(&f, x, NULL, &l));
    f_start = l;
    visit_init(&vl, &f, &ad, f_start);
    llp_rng_seed(&rng, 11);
    CHECK_OK(llp_anneal(&f, x, &ad, &rng, visit_fn, &vl, &res));
    CHECK(fabs(x[0] - xg) <= 1e-2, "annealing from the local minimum: best x = %.6f, global %.6f", (double)x[0], xg);
    CHECK(res.best_loss - quartic1(xg) <= 1e-3, "annealing: best loss %.8f within 1e-3 of the minimum %.8f",
          res.best_loss, quartic1(xg));
    CHECK_OK(llp_objective_loss(&f, x, NULL, &l));
    CHECK((double)l == res.best_loss, "best_loss %.17g = the loss at the returned theta %.17g", res.best_loss,
          (double)l);
    CHECK(res.best_loss == vl.min_loss, "best_loss = the least loss the chain visited");
    CHECK(vl.calls == ad.iters && vl.order_ok, "visit called %lu times with k = 0, 1, ... (iters %lu)",
          (unsigned long)vl.calls, (unsigned long)ad.iters);
    CHECK(res.evals == ad.iters + 1, "evals = iters + 1 (the start): %lu", (unsigned long)res.evals);
    CHECK(res.accepted == vl.accepted && res.accepted > 0 && res.accepted < ad.iters,
          "accepted %lu = accepted flags seen by visit %lu", (unsigned long)res.accepted, (unsigned long)vl.accepted);
    CHECK(vl.loss_ok, "every visited loss = the objective at the visited point");
    CHECK(vl.temp_ok, "temperatures T0 alpha^k");
    CHECK(res.final_loss == vl.last_loss, "final_loss = the last visited loss");

    /* same seed: the same result, theta and chain, byte for byte */
    x2[0] = (llp_real)xloc;
    visit_init(&vl2, &f, &ad, f_start);
    llp_rng_seed(&rng, 11);
    CHECK_OK(llp_anneal(&f, x2, &ad, &rng, visit_fn, &vl2, &res2));
    CHECK(memcmp(&res, &res2, sizeof res) == 0 && memcmp(x, x2, sizeof x) == 0 && vl.hash == vl2.hash,
          "same seed: identical result bytes, theta and chain");
    /* another seed: another chain */
    x2[0] = (llp_real)xloc;
    visit_init(&vl2, &f, &ad, f_start);
    llp_rng_seed(&rng, 12);
    CHECK_OK(llp_anneal(&f, x2, &ad, &rng, visit_fn, &vl2, &res2));
    CHECK(vl.hash != vl2.hash, "another seed: another chain");

    /* not a lucky seed: 20 seeds, at least 19 reach the global basin's bottom */
    for (seed = 100; seed < 120; seed++) {
        x2[0] = (llp_real)xloc;
        llp_rng_seed(&rng, (uint64_t)seed);
        if (llp_anneal(&f, x2, &ad, &rng, NULL, NULL, &res2) == LLP_OK && fabs(x2[0] - xg) <= 1e-2) wins++;
    }
    CHECK(wins >= 19, "annealing finds the global minimum for %d of 20 seeds", wins);

    /* a visit returning nonzero stops the run */
    x2[0] = (llp_real)xloc;
    visit_init(&vl2, &f, &ad, f_start);
    vl2.stop_at = 17;
    llp_rng_seed(&rng, 11);
    CHECK_OK(llp_anneal(&f, x2, &ad, &rng, visit_fn, &vl2, &res2));
    CHECK(vl2.calls == 17 && res2.evals == 18, "visit stop at call 17: %lu calls, %lu evals",
          (unsigned long)vl2.calls, (unsigned long)res2.evals);

    /* the contrast: gradient descent from the same start stays in the local basin */
    {
        llp_opt_desc d;
        llp_opt o;
        llp_real st[4];
        int k;
        memset(&d, 0, sizeof d);
        d.kind = LLP_OPT_SGD;
        d.lr = 0.01;
        x2[0] = (llp_real)xloc;
        CHECK_OK(llp_opt_init(&o, &d, 1, st, 4));
        for (k = 0; k < 1000; k++) llp_opt_step(&o, &f, x2, NULL, NULL);
        CHECK(fabs(x2[0] - xloc) <= TOL(1e-9, 1e-5), "gradient descent from the local minimum stays there: x = %.9f",
              (double)x2[0]);
        x2[0] = (llp_real)(xloc + 0.3);
        for (k = 0; k < 1000; k++) llp_opt_step(&o, &f, x2, NULL, NULL);
        CHECK(fabs(x2[0] - xloc) <= TOL(1e-9, 1e-5), "... and returns there from 0.3 away: x = %.9f", (double)x2[0]);
    }
    llp_landscape_free(&ls);
}

/* Callback x^2/2 + 2 y^2. */
static llp_result bowl_loss_grad(void *ctx, const llp_real *theta, const llp_batch *batch, llp_real *loss,
                                 llp_real *grad) {
    double x = theta[0], y = theta[1];
    (void)ctx;
    (void)batch;
    *loss = (llp_real)(0.5 * x * x + 2 * y * y);
    if (grad) {
        grad[0] = (llp_real)x;
        grad[1] = (llp_real)(4 * y);
    }
    return LLP_OK;
}

typedef struct moments {
    double s[2], ss[2];
    size_t count, burn;
} moments;

static int moments_fn(void *vctx, size_t k, const llp_real *theta, double loss, int accepted, double temperature) {
    moments *mo = (moments *)vctx;
    int i;
    (void)loss;
    (void)accepted;
    (void)temperature;
    if (k < mo->burn) return 0;
    for (i = 0; i < 2; i++) {
        mo->s[i] += theta[i];
        mo->ss[i] += (double)theta[i] * theta[i];
    }
    mo->count++;
    return 0;
}

/* monotone chain at zero temperature */
typedef struct mono {
    double prev;
    int ok;
    size_t accepted_up;
} mono;

static int mono_fn(void *vctx, size_t k, const llp_real *theta, double loss, int accepted, double temperature) {
    mono *m = (mono *)vctx;
    (void)theta;
    (void)accepted;
    if (k >= 2 && !(temperature == 0)) m->ok = 0;
    if (k >= 2 && loss > m->prev) m->accepted_up++;
    m->prev = loss;
    return 0;
}

/* The Metropolis rule: at a constant temperature T (alpha = 1 - 1e-13, so
   T changes by 2e-8 over the run) the chain samples exp(-L / T): on
   x^2/2 + 2y^2 with T = 0.5, var x = T = 0.5, var y = T/4 = 0.125. 2e5
   proposals after 1e3 burn-in; with the autocorrelation of the chain the
   relative error of each variance has a standard deviation of about 1%
   (1.1% and 0.6%, measured over 40 seeds): 5% tolerance. At T = 0
   (alpha = 1e-300: T_k underflows to 0 from k = 2) no uphill move is
   accepted. FAST and LOG temperatures checked at every proposal. */
static void test_anneal_metropolis(void) {
    llp_objective f = llp_objective_from_callbacks(2, 0, bowl_loss_grad, NULL, NULL);
    llp_anneal_desc ad;
    llp_anneal_result res;
    llp_rng rng;
    llp_real x[2] = {0, 0};
    moments mo;
    mono mn;
    visit_log vl;
    int i, s;
    memset(&ad, 0, sizeof ad);
    ad.iters = 201000;
    ad.t0 = 0.5;
    ad.alpha = 1 - 1e-13;
    ad.step = 0.8;
    memset(&mo, 0, sizeof mo);
    mo.burn = 1000;
    llp_rng_seed(&rng, 3);
    CHECK_OK(llp_anneal(&f, x, &ad, &rng, moments_fn, &mo, &res));
    for (i = 0; i < 2; i++) {
        double mean = mo.s[i] / (double)mo.count, var = mo.ss[i] / (double)mo.count - mean * mean;
        double want = i == 0 ? 0.5 : 0.125;
        CHECK(fabs(var / want - 1) <= 0.05, "Metropolis at T = 0.5: var of coordinate %d = %.4f, exp(-L/T) gives %.4f",
              i, var, want);
        CHECK(fabs(mean) <= 0.05 * sqrt(want), "Metropolis: mean of coordinate %d = %.4f ~ 0", i, mean);
    }
    /* zero temperature: only downhill (or level) moves */
    memset(&ad, 0, sizeof ad);
    ad.iters = 2000;
    ad.t0 = 1;
    ad.alpha = 1e-300;
    ad.step = 0.3;
    x[0] = 2;
    x[1] = -1;
    mn.ok = 1;
    mn.prev = HUGE_VAL;
    mn.accepted_up = 0;
    llp_rng_seed(&rng, 4);
    CHECK_OK(llp_anneal(&f, x, &ad, &rng, mono_fn, &mn, &res));
    CHECK(mn.ok && mn.accepted_up == 0, "T = 0: the chain's loss never rises (%lu rises)",
          (unsigned long)mn.accepted_up);
    CHECK(res.final_loss == res.best_loss && res.best_loss < 0.01, "T = 0: a descent, ends at its best %.3g",
          res.best_loss);
    /* FAST and LOG schedules: the temperature at every proposal */
    for (s = 0; s < 2; s++) {
        memset(&ad, 0, sizeof ad);
        ad.iters = 500;
        ad.t0 = 2;
        ad.step = 0.2;
        ad.schedule = s ? LLP_ANNEAL_LOG : LLP_ANNEAL_FAST;
        x[0] = 1;
        x[1] = 1;
        visit_init(&vl, &f, &ad, 2.5);
        llp_rng_seed(&rng, 5);
        CHECK_OK(llp_anneal(&f, x, &ad, &rng, visit_fn, &vl, &res));
        CHECK(vl.temp_ok && vl.calls == 500, "%s schedule: T0 / %s at each of the 500 proposals",
              s ? "LOG" : "FAST", s ? "log(k + e)" : "(1 + k)");
    }
    /* argument checks */
    memset(&ad, 0, sizeof ad);
    ad.alpha = 1;
    CHECK(llp_anneal(&f, x, &ad, &rng, NULL, NULL, &res) == LLP_ERR_ARG, "alpha = 1: LLP_ERR_ARG");
    ad.alpha = 0;
    ad.t0 = -1;
    CHECK(llp_anneal(&f, x, &ad, &rng, NULL, NULL, &res) == LLP_ERR_ARG, "t0 < 0: LLP_ERR_ARG");
    ad.t0 = 0;
    ad.step = NAN;
    CHECK(llp_anneal(&f, x, &ad, &rng, NULL, NULL, &res) == LLP_ERR_ARG, "step NaN: LLP_ERR_ARG");
}

/* ---- grid search --------------------------------------------------------- */

/* f = (x - 0.33)^2 + 3 (y + 0.47)^2 (+ z/100 + w per extra coordinate, distinct weights). */
typedef struct grid_ctx {
    int calls;
    int nan_left; /* NaN where x < 0 */
    int all_nan;
    int fail_at;
    int constant; /* every point has loss 3: a tie everywhere */
} grid_ctx;

static double grid_f(const llp_real *t, size_t n) {
    static const double w[9] = {1, 1, 0.01, 7, 0.3, 2, 5, 11, 13};
    double f = (t[0] - 0.33) * (t[0] - 0.33) + 3 * (t[1] + 0.47) * (t[1] + 0.47);
    size_t i;
    for (i = 2; i < n; i++) f += w[i] * t[i] * (1 + 0.1 * (double)i * t[i]);
    return f;
}

static llp_result grid_cb(void *vctx, const llp_real *theta, const llp_batch *batch, llp_real *loss,
                          llp_real *grad, size_t n) {
    grid_ctx *c = (grid_ctx *)vctx;
    (void)batch;
    (void)grad;
    c->calls++;
    if (c->fail_at && c->calls == c->fail_at) return LLP_ERR_IO;
    *loss = (llp_real)(c->constant ? 3.0 : grid_f(theta, n));
    if (c->all_nan || (c->nan_left && theta[0] < 0)) *loss = (llp_real)NAN;
    return LLP_OK;
}
static llp_result grid_cb2(void *c, const llp_real *t, const llp_batch *b, llp_real *l, llp_real *g) {
    return grid_cb(c, t, b, l, g, 2);
}
static llp_result grid_cb3(void *c, const llp_real *t, const llp_batch *b, llp_real *l, llp_real *g) {
    return grid_cb(c, t, b, l, g, 3);
}
static llp_result grid_cb9(void *c, const llp_real *t, const llp_batch *b, llp_real *l, llp_real *g) {
    return grid_cb(c, t, b, l, g, 9);
}

static void test_grid_search(void) {
    grid_ctx gc;
    llp_objective f2 = llp_objective_from_callbacks(2, 0, grid_cb2, NULL, &gc);
    llp_objective f3 = llp_objective_from_callbacks(3, 0, grid_cb3, NULL, &gc);
    llp_objective f9 = llp_objective_from_callbacks(9, 0, grid_cb9, NULL, &gc);
    llp_real lo[9] = {-1, -1, 2, 0, 0, 0, 0, 0, 0}, hi[9] = {1, 1, 2.5, 1, 1, 1, 1, 1, 1}, best[9];
    double bl, values[11 * 11 * 11];
    size_t i, j, k, p, P;
    int ok;
    llp_real lo3[3] = {-1, 0, 2}, hi3[3] = {1, 3, 2.5};
    /* 2-D, 11 points per axis (spacing 0.2): the minimum (0.33, -0.47) is
       nearest to the grid point (0.4, -0.4); the function is separable, so
       that is the best point. */
    memset(&gc, 0, sizeof gc);
    CHECK_OK(llp_grid_search(&f2, lo, hi, 11, best, &bl, values));
    CHECK(gc.calls == 121, "11 x 11 grid: 121 evaluations (%d)", gc.calls);
    CHECK_CLOSE(best[0], 0.4, TOL(1e-12, 1e-6), "best x = grid point nearest 0.33");
    CHECK_CLOSE(best[1], -0.4, TOL(1e-12, 1e-6), "best y = grid point nearest -0.47");
    CHECK_CLOSE(bl, 0.07 * 0.07 + 3 * 0.07 * 0.07, TOL(1e-12, 1e-6), "best loss = f(0.4, -0.4)");
    /* values: last coordinate fastest */
    ok = 1;
    for (i = 0; i < 11; i++)
        for (j = 0; j < 11; j++) {
            llp_real t[2];
            t[0] = (llp_real)(-1 + 0.2 * (double)i);
            t[1] = (llp_real)(-1 + 0.2 * (double)j);
            if (fabs(values[i * 11 + j] - grid_f(t, 2)) > TOL(1e-12, 1e-5)) ok = 0;
        }
    CHECK(ok, "2-D values[i * 11 + j] = f(x_i, y_j)");
    /* 3-D with a different box per axis, 5 points: every value vs the formula */
    P = 5;
    memset(&gc, 0, sizeof gc);
    CHECK_OK(llp_grid_search(&f3, lo3, hi3, P, best, &bl, values));
    ok = 1;
    for (i = 0; i < P; i++)
        for (j = 0; j < P; j++)
            for (k = 0; k < P; k++) {
                llp_real t[3];
                t[0] = (llp_real)(-1 + 2.0 * (double)i / 4);
                t[1] = (llp_real)(0 + 3.0 * (double)j / 4);
                t[2] = (llp_real)(2 + 0.5 * (double)k / 4);
                p = (i * P + j) * P + k;
                if (fabs(values[p] - grid_f(t, 3)) > TOL(1e-12, 1e-5) * (1 + fabs(values[p]))) ok = 0;
            }
    CHECK(ok, "3-D values[(i P + j) P + k] = f(x_i, y_j, z_k), both ends of each axis included");
    CHECK_CLOSE(best[0], 0.5, TOL(1e-12, 1e-6), "3-D best x (grid -1, -0.5, 0, 0.5, 1)");
    CHECK_CLOSE(best[1], 0.0, TOL(1e-12, 1e-6), "3-D best y (grid 0, 0.75, ...)");
    CHECK_CLOSE(best[2], 2.0, TOL(1e-12, 1e-6), "3-D best z (f increases with z)");
    /* ties: the first minimum in that order, i.e. the corner lo */
    memset(&gc, 0, sizeof gc);
    gc.constant = 1;
    CHECK_OK(llp_grid_search(&f3, lo3, hi3, 4, best, &bl, NULL));
    CHECK(best[0] == lo3[0] && best[1] == lo3[1] && best[2] == lo3[2] && bl == 3,
          "constant loss: the first grid point (lo) is the best, loss 3");
    /* NaN losses are skipped; all NaN: LLP_ERR_NONFINITE; errors propagate */
    memset(&gc, 0, sizeof gc);
    gc.nan_left = 1;
    lo[0] = -1;
    CHECK_OK(llp_grid_search(&f2, lo, hi, 11, best, &bl, values));
    CHECK(best[0] >= 0 && values[0] != values[0], "NaN losses (x < 0) skipped, kept in values: best x = %g",
          (double)best[0]);
    memset(&gc, 0, sizeof gc);
    gc.all_nan = 1;
    CHECK(llp_grid_search(&f2, lo, hi, 11, best, &bl, NULL) == LLP_ERR_NONFINITE, "all NaN: LLP_ERR_NONFINITE");
    memset(&gc, 0, sizeof gc);
    gc.fail_at = 5;
    CHECK(llp_grid_search(&f2, lo, hi, 11, best, &bl, NULL) == LLP_ERR_IO, "the objective's error comes back");
    /* argument errors */
    memset(&gc, 0, sizeof gc);
    CHECK(llp_grid_search(&f2, lo, hi, 1, best, &bl, NULL) == LLP_ERR_ARG, "points = 1: LLP_ERR_ARG");
    CHECK(llp_grid_search(&f2, lo, hi, 0, best, &bl, NULL) == LLP_ERR_ARG, "points = 0: LLP_ERR_ARG");
    CHECK(llp_grid_search(&f9, lo, hi, 2, best, &bl, NULL) == LLP_ERR_ARG, "n = 9: LLP_ERR_ARG");
    CHECK(llp_grid_search(&f2, hi, lo, 3, best, &bl, NULL) == LLP_ERR_ARG, "hi < lo: LLP_ERR_ARG");
    lo[1] = (llp_real)NAN;
    CHECK(llp_grid_search(&f2, lo, hi, 3, best, &bl, NULL) == LLP_ERR_ARG, "NaN bound: LLP_ERR_ARG");
    lo[1] = -1;
    CHECK(llp_grid_search(&f3, lo3, hi3, 216, best, &bl, NULL) == LLP_ERR_ARG,
          "216^3 > 1e7 points: LLP_ERR_ARG");
    CHECK(gc.calls == 0, "no evaluation on an argument error (%d)", gc.calls);
    CHECK(llp_grid_search(&f2, lo, hi, 2, best, NULL, NULL) == LLP_ERR_ARG, "best_loss NULL: LLP_ERR_ARG");
}

/* SINCOS in 2-D over [-1, 1]^2, 201 points per axis (spacing 0.01): the best
   grid point is the one nearest the minimiser llp_landscape_minimum gives. */
static void test_grid_search_sincos(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f;
    llp_real lo[2] = {-1, -1}, hi[2] = {1, 1}, best[2], xm[2], near[2], fm, fnear;
    double bl;
    int i;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_SINCOS;
    ld.n = 2;
    if (llp_landscape_init(&ls, &ld, NULL) != LLP_OK) {
        CHECK(0, "sincos init");
        return;
    }
    f = llp_landscape_objective(&ls);
    CHECK_OK(llp_landscape_minimum(&ls, xm, &fm));
    for (i = 0; i < 2; i++) near[i] = (llp_real)(-1 + 0.01 * floor((xm[i] + 1) / 0.01 + 0.5));
    CHECK_OK(llp_objective_loss(&f, near, NULL, &fnear));
    CHECK_OK(llp_grid_search(&f, lo, hi, 201, best, &bl, NULL));
    for (i = 0; i < 2; i++)
        CHECK_CLOSE(best[i], near[i], TOL(1e-12, 1e-6), "sincos: best grid point = grid point nearest the minimiser");
    CHECK_CLOSE(bl, fnear, TOL(1e-12, 1e-6), "sincos: best loss = loss at that grid point");
    CHECK(bl >= fm - TOL(1e-12, 1e-6) && bl - fm < 1e-3, "sincos: best %.8f just above the minimum %.8f", bl,
          (double)fm);
    llp_landscape_free(&ls);
}

/* ---- schedules ------------------------------------------------------------ */

static void test_schedules(void) {
    llp_schedule s;
    double lr = 0.1, c;
    memset(&s, 0, sizeof s);
    CHECK(llp_schedule_lr(&s, lr, 0) == lr && llp_schedule_lr(&s, lr, 123456) == lr, "CONSTANT: lr at every t");
    CHECK(llp_schedule_lr(NULL, lr, 7) == lr, "NULL schedule: lr");
    /* STEP */
    s.kind = LLP_SCHED_STEP;
    s.step_size = 3;
    s.gamma = 0.5;
    CHECK(llp_schedule_lr(&s, 0.8, 0) == 0.8 && llp_schedule_lr(&s, 0.8, 2) == 0.8, "STEP: t = 0..2 -> lr");
    CHECK(llp_schedule_lr(&s, 0.8, 3) == 0.4 && llp_schedule_lr(&s, 0.8, 5) == 0.4, "STEP: t = 3..5 -> lr/2");
    CHECK(llp_schedule_lr(&s, 0.8, 6) == 0.2 && llp_schedule_lr(&s, 0.8, 30) == 0.8 / 1024,
          "STEP: t = 6 -> lr/4, t = 30 -> lr/2^10");
    s.gamma = 0;
    CHECK_CLOSE(llp_schedule_lr(&s, 1.0, 3), 0.1, 1e-15, "STEP: gamma 0 -> 0.1");
    CHECK_CLOSE(llp_schedule_lr(&s, 1.0, 6), 0.01, 1e-15, "STEP: gamma 0 -> 0.1, two decays");
    s.step_size = 0;
    s.gamma = 0.5;
    CHECK(llp_schedule_lr(&s, 1.0, 1) == 0.5 && llp_schedule_lr(&s, 1.0, 3) == 0.125, "STEP: step_size 0 -> 1");
    /* COSINE: lr 0.1 -> 0.01 over 100 steps */
    memset(&s, 0, sizeof s);
    s.kind = LLP_SCHED_COSINE;
    s.total = 100;
    s.min_lr = 0.01;
    CHECK_CLOSE(llp_schedule_lr(&s, 0.1, 0), 0.1, 1e-15, "COSINE start = lr");
    CHECK_CLOSE(llp_schedule_lr(&s, 0.1, 50), 0.055, 1e-15, "COSINE middle = (lr + min)/2");
    c = 0.01 + 0.09 * (1 + cos(PI / 4)) / 2;
    CHECK_CLOSE(llp_schedule_lr(&s, 0.1, 25), c, 1e-15, "COSINE at a quarter");
    CHECK(llp_schedule_lr(&s, 0.1, 100) == 0.01 && llp_schedule_lr(&s, 0.1, 1000) == 0.01,
          "COSINE end and beyond = min_lr");
    CHECK(llp_schedule_lr(&s, 0.1, 99) > 0.01 && llp_schedule_lr(&s, 0.1, 99) < 0.0101, "COSINE t = 99 just above min");
    /* warm-up */
    s.warmup = 4;
    CHECK_CLOSE(llp_schedule_lr(&s, 0.1, 0), 0.025, 1e-15, "warm-up t = 0: lr / warmup");
    CHECK_CLOSE(llp_schedule_lr(&s, 0.1, 1), 0.05, 1e-15, "warm-up t = 1: 2 lr / warmup");
    CHECK_CLOSE(llp_schedule_lr(&s, 0.1, 3), 0.1, 1e-15, "warm-up t = warmup - 1: lr");
    CHECK_CLOSE(llp_schedule_lr(&s, 0.1, 4), 0.1, 1e-15, "after warm-up the cosine starts at lr");
    CHECK_CLOSE(llp_schedule_lr(&s, 0.1, 54), 0.055, 1e-15, "cosine middle shifted by the warm-up");
    CHECK(llp_schedule_lr(&s, 0.1, 104) == 0.01, "cosine end shifted by the warm-up");
    memset(&s, 0, sizeof s);
    s.kind = LLP_SCHED_STEP;
    s.step_size = 2;
    s.gamma = 0.5;
    s.warmup = 2;
    CHECK(llp_schedule_lr(&s, 1, 0) == 0.5 && llp_schedule_lr(&s, 1, 1) == 1 && llp_schedule_lr(&s, 1, 2) == 1 &&
              llp_schedule_lr(&s, 1, 3) == 1 && llp_schedule_lr(&s, 1, 4) == 0.5,
          "STEP after a warm-up of 2: 0.5, 1, 1, 1, 0.5");
    /* the optimizer uses the rate of its step count: SGD on a constant gradient */
    {
        llp_opt_desc d;
        llp_opt o;
        llp_opt_info in;
        llp_real st[2], th[2] = {0, 0}, g[2] = {1, 0}, prev;
        int t, ok = 1;
        memset(&d, 0, sizeof d);
        d.kind = LLP_OPT_SGD;
        d.lr = 0.1;
        d.schedule.kind = LLP_SCHED_COSINE;
        d.schedule.total = 10;
        d.schedule.min_lr = 0.001;
        d.schedule.warmup = 3;
        CHECK_OK(llp_opt_init(&o, &d, 2, st, 2));
        for (t = 0; t < 16; t++) {
            double want = llp_schedule_lr(&d.schedule, 0.1, (uint64_t)t);
            prev = th[0];
            if (llp_opt_apply(&o, th, g, &in) != LLP_OK) ok = 0;
            if (in.lr != want) ok = 0;
            if (fabs((double)(prev - th[0]) - want) > TOL(1e-15, 1e-6)) ok = 0;
        }
        CHECK(ok, "optimizer step t uses llp_schedule_lr(t), t = 0..15 (warm-up, cosine, floor)");
    }
}

/* ---- gradient noise and clipping ---------------------------------------- */

static void run_noisy(uint64_t seed, double noise, int use_noise_field, llp_real *th) {
    llp_opt_desc d;
    llp_opt o;
    llp_real st[8];
    quad_ctx qc;
    llp_objective f = quad_objective(&qc);
    int k;
    memset(&d, 0, sizeof d);
    d.kind = LLP_OPT_MOMENTUM;
    d.lr = 0.05;
    if (use_noise_field) {
        d.grad_noise = noise;
        d.noise_seed = seed;
    }
    th[0] = 1;
    th[1] = -2;
    if (llp_opt_init(&o, &d, 2, st, 8) != LLP_OK) return;
    for (k = 0; k < 20; k++) llp_opt_step(&o, &f, th, NULL, NULL);
}

static void test_gradient_noise(void) {
    llp_real a[2], b[2];
    llp_opt_desc d;
    llp_opt o;
    enum { NC = 1000, NS = 100 };
    static llp_real th[NC], zero[NC];
    llp_real st[NC];
    double sum = 0, sumsq = 0, within = 0, sigma = 0.3, N = (double)NC * NS, mean, sd;
    int k;
    size_t i;
    run_noisy(7, 0.3, 1, a);
    run_noisy(7, 0.3, 1, b);
    CHECK(memcmp(a, b, sizeof a) == 0, "same noise seed: identical trajectories");
    run_noisy(8, 0.3, 1, b);
    CHECK(memcmp(a, b, sizeof a) != 0, "another noise seed: another trajectory");
    run_noisy(0, 0, 0, a);
    run_noisy(7, 0, 1, b);
    CHECK(memcmp(a, b, sizeof a) == 0, "noise 0 (any seed) = no noise, bit for bit");
    run_noisy(7, 0.3, 1, b);
    CHECK(memcmp(a, b, sizeof a) != 0, "noise 0.3 changes the trajectory");
    /* the injected noise: SGD, lr 1, zero gradient, theta = 0: theta' = -noise */
    memset(&d, 0, sizeof d);
    d.kind = LLP_OPT_SGD;
    d.lr = 1;
    d.grad_noise = sigma;
    d.noise_seed = 42;
    CHECK_OK(llp_opt_init(&o, &d, NC, st, NC));
    for (k = 0; k < NS; k++) {
        memset(th, 0, sizeof th);
        if (llp_opt_apply(&o, th, zero, NULL) != LLP_OK) break;
        for (i = 0; i < NC; i++) {
            double z = -(double)th[i];
            sum += z;
            sumsq += z * z;
            if (fabs(z) <= sigma) within++;
        }
    }
    mean = sum / N;
    sd = sqrt(sumsq / N - mean * mean);
    CHECK(fabs(sd / sigma - 1) <= 0.05, "noise std %.5f vs requested %.2f (1e5 draws)", sd, sigma);
    CHECK(fabs(mean) <= 5 * sigma / sqrt(N), "noise mean %.2e within 5 standard errors of 0", mean);
    CHECK(fabs(within / N - 0.682689) <= 0.01, "fraction within one sigma %.4f (Gaussian 0.6827)", within / N);
}

static void test_clipping(void) {
    llp_opt_desc d;
    llp_opt o;
    llp_opt_info in;
    llp_real st[3], th[3], g[3], gc[3];
    double step[3], nrm;
    int i;
    memset(&d, 0, sizeof d);
    d.kind = LLP_OPT_SGD;
    d.lr = 0.5;
    d.clip_norm = 5;
    CHECK_OK(llp_opt_init(&o, &d, 3, st, 3));
    /* long: (30, -40, 120), norm 130 -> rescaled to norm 5 */
    g[0] = 30, g[1] = -40, g[2] = 120;
    memcpy(gc, g, sizeof g);
    th[0] = 1, th[1] = 2, th[2] = 3;
    CHECK_OK(llp_opt_apply(&o, th, g, &in));
    for (i = 0; i < 3; i++) step[i] = ((double)(i + 1) - th[i]) / 0.5;
    nrm = sqrt(step[0] * step[0] + step[1] * step[1] + step[2] * step[2]);
    CHECK(in.clipped == 1, "long gradient: clipped = 1");
    CHECK_CLOSE(in.grad_norm, 130, 1e-15, "grad_norm reports the raw norm 130");
    CHECK_CLOSE(nrm, 5, TOL(1e-14, 1e-6), "long gradient rescaled to clip_norm");
    for (i = 0; i < 3; i++) CHECK_CLOSE(step[i], (double)gc[i] * 5 / 130, TOL(1e-14, 1e-6), "direction kept");
    CHECK_CLOSE(in.step_norm, 0.5 * 5, TOL(1e-14, 1e-6), "step_norm = lr clip_norm");
    CHECK(memcmp(g, gc, sizeof g) == 0, "the caller's gradient is not modified");
    /* short: (0.3, -0.4, 1.2), norm 1.3: untouched, theta -= lr g exactly */
    g[0] = (llp_real)0.3, g[1] = (llp_real)-0.4, g[2] = (llp_real)1.2;
    th[0] = 1, th[1] = 2, th[2] = 3;
    CHECK_OK(llp_opt_apply(&o, th, g, &in));
    CHECK(in.clipped == 0, "short gradient: clipped = 0");
    for (i = 0; i < 3; i++)
        CHECK(th[i] == (llp_real)((double)(i + 1) - 0.5 * (double)g[i]), "short gradient untouched: theta[%d] = %.17g",
              i, (double)th[i]);
    /* clipping after the noise: a huge noise is clipped to the norm too */
    d.grad_noise = 1000;
    d.noise_seed = 1;
    CHECK_OK(llp_opt_init(&o, &d, 3, st, 3));
    g[0] = g[1] = g[2] = 0;
    th[0] = th[1] = th[2] = 0;
    CHECK_OK(llp_opt_apply(&o, th, g, &in));
    CHECK(in.clipped == 1 && fabs(llp_nrm2(th, 3) / 0.5 - 5) <= TOL(1e-14, 1e-6),
          "noise 1000 on a zero gradient: clipped to norm 5 (step %.17g)", llp_nrm2(th, 3));
}

/* ---- llp_opt_init ---------------------------------------------------------- */

static void test_init_args(void) {
    llp_opt_desc d, base;
    llp_opt o, pattern;
    llp_real st[64];
    size_t sz, n = 5;
    int k, kinds;
    memset(&base, 0, sizeof base);
    base.kind = LLP_OPT_ADAM;
    base.lr = 0.01;
    memset(&pattern, 0xA5, sizeof pattern);
#define REJECT(FIELD_SET, WHAT, LEN)                                                                   \
    do {                                                                                               \
        d = base;                                                                                      \
        FIELD_SET;                                                                                     \
        memcpy(&o, &pattern, sizeof o);                                                                \
        CHECK(llp_opt_init(&o, &d, n, st, (LEN)) == LLP_ERR_ARG, "%s: LLP_ERR_ARG", WHAT);              \
        CHECK(memcmp(&o, &pattern, sizeof o) == 0, "%s: the llp_opt is untouched", WHAT);              \
    } while (0)
    REJECT(d.lr = 0, "lr = 0", 64);
    REJECT(d.lr = -0.1, "lr < 0", 64);
    REJECT(d.lr = NAN, "lr NaN", 64);
    REJECT(d.lr = HUGE_VAL, "lr Inf", 64);
    REJECT(d.kind = LLP_OPT_MOMENTUM; d.momentum = 1, "momentum = 1", 64);
    REJECT(d.kind = LLP_OPT_NESTEROV; d.momentum = 1.5, "momentum 1.5", 64);
    REJECT(d.kind = LLP_OPT_MOMENTUM; d.momentum = -0.1, "momentum < 0", 64);
    REJECT(d.beta1 = 1, "beta1 = 1", 64);
    REJECT(d.beta2 = 1, "beta2 = 1", 64);
    REJECT(d.beta2 = NAN, "beta2 NaN", 64);
    REJECT(d.eps = -1e-8, "eps < 0", 64);
    REJECT(d.weight_decay = -0.1, "weight decay < 0", 64);
    REJECT(d.weight_decay = NAN, "weight decay NaN", 64);
    REJECT(d.weight_decay = HUGE_VAL, "weight decay Inf", 64);
    REJECT(d.clip_norm = HUGE_VAL, "clip_norm Inf", 64);
    REJECT(d.grad_noise = HUGE_VAL, "grad_noise Inf", 64);
    REJECT(d.eps = HUGE_VAL, "eps Inf", 64);
    REJECT(d.sam = LLP_SAM; d.sam_rho = HUGE_VAL, "sam_rho Inf", 64);
    REJECT(d.sam = LLP_SAM_ADAPTIVE; d.asam_eta = HUGE_VAL, "asam_eta Inf", 64);
    REJECT(d.clip_norm = -1, "clip_norm < 0", 64);
    REJECT(d.grad_noise = -1, "grad_noise < 0", 64);
    REJECT(d.sam = LLP_SAM; d.sam_rho = -0.05, "sam_rho < 0", 64);
    REJECT(d.sam = LLP_SAM_ADAPTIVE; d.asam_eta = -0.01, "asam_eta < 0", 64);
    REJECT(d.kind = (llp_opt_kind)6, "unknown kind", 64);
    REJECT(d.sam = (llp_sam_kind)3, "unknown SAM kind", 64);
    REJECT(d.schedule.kind = LLP_SCHED_COSINE, "cosine without total", 64);
    REJECT(d.schedule.kind = (llp_sched_kind)3, "unknown schedule", 64);
    REJECT(d.schedule.kind = LLP_SCHED_STEP; d.schedule.gamma = -0.5, "step gamma < 0", 64);
    REJECT((void)0, "state one real too small (3n - 1)", 3 * n - 1);
    REJECT(d.sam = LLP_SAM, "SAM state too small (5n - 1)", 5 * n - 1);
    d = base;
    memcpy(&o, &pattern, sizeof o);
    CHECK(llp_opt_init(&o, &d, 0, st, 64) == LLP_ERR_ARG && memcmp(&o, &pattern, sizeof o) == 0,
          "n = 0: LLP_ERR_ARG, untouched");
    CHECK(llp_opt_init(&o, &d, n, NULL, 64) == LLP_ERR_ARG && memcmp(&o, &pattern, sizeof o) == 0,
          "state NULL: LLP_ERR_ARG, untouched");
    CHECK(llp_opt_init(NULL, &d, n, st, 64) == LLP_ERR_ARG, "o NULL: LLP_ERR_ARG");
    CHECK(llp_opt_init(&o, NULL, n, st, 64) == LLP_ERR_ARG, "d NULL: LLP_ERR_ARG");
#undef REJECT
    /* state sizes: SGD n, momentum/Nesterov/RMSprop 2n, Adam(W) 3n; SAM and ASAM add 2n.
       Exactly that many reals are accepted (and zeroed), one less is not. */
    for (kinds = 0; kinds < 6; kinds++)
        for (k = 0; k < 3; k++) {
            static const size_t per[6] = {1, 2, 2, 2, 3, 3};
            size_t want = (per[kinds] + (k ? 2 : 0)) * n, i;
            int zero = 1;
            d = base;
            d.kind = (llp_opt_kind)kinds;
            d.sam = (llp_sam_kind)k;
            sz = llp_opt_state_size(&d, n);
            CHECK(sz == want, "state size %s sam %d: %lu (expected %lu)", llp_opt_name(d.kind), k, (unsigned long)sz,
                  (unsigned long)want);
            for (i = 0; i < 64; i++) st[i] = 7;
            CHECK(llp_opt_init(&o, &d, n, st, want - 1) == LLP_ERR_ARG, "%s sam %d: %lu reals rejected",
                  llp_opt_name(d.kind), k, (unsigned long)(want - 1));
            CHECK_OK(llp_opt_init(&o, &d, n, st, want));
            for (i = 0; i < want; i++)
                if (st[i] != 0) zero = 0;
            CHECK(zero && st[want] == 7, "%s sam %d: exactly the state block is zeroed", llp_opt_name(d.kind), k);
        }
    CHECK(llp_opt_state_size(NULL, n) == 0, "state size of NULL: 0");
    /* defaults resolved */
    d = base;
    d.kind = LLP_OPT_MOMENTUM;
    CHECK_OK(llp_opt_init(&o, &d, n, st, 64));
    CHECK(o.d.momentum == 0.9 && o.t == 0 && o.n == n, "momentum 0 -> 0.9, t = 0");
    d.kind = LLP_OPT_ADAM;
    CHECK_OK(llp_opt_init(&o, &d, n, st, 64));
    CHECK(o.d.beta1 == 0.9 && o.d.beta2 == 0.999 && o.d.eps == 1e-8, "Adam defaults 0.9, 0.999, 1e-8");
    d.kind = LLP_OPT_RMSPROP;
    CHECK_OK(llp_opt_init(&o, &d, n, st, 64));
    CHECK(o.d.beta2 == 0.99 && o.d.eps == 1e-8, "RMSprop defaults rho 0.99, eps 1e-8");
    d.sam = LLP_SAM;
    CHECK_OK(llp_opt_init(&o, &d, n, st, 64));
    CHECK(o.d.sam_rho == 0.05, "SAM rho 0 -> 0.05");
    d.sam = LLP_SAM_ADAPTIVE;
    CHECK_OK(llp_opt_init(&o, &d, n, st, 64));
    CHECK(o.d.sam_rho == 0.5 && o.d.asam_eta == 0.01, "ASAM rho 0 -> 0.5, eta 0 -> 0.01");
    /* boundaries accepted */
    d = base;
    d.kind = LLP_OPT_MOMENTUM;
    d.momentum = 0.999999;
    CHECK_OK(llp_opt_init(&o, &d, n, st, 64));
    CHECK(strcmp(llp_opt_name(LLP_OPT_ADAMW), "adamw") == 0 && strcmp(llp_opt_name(LLP_OPT_NESTEROV), "nesterov") == 0,
          "optimizer names");
    /* a shape mismatch in llp_opt_step */
    {
        quad_ctx qc;
        llp_objective f = quad_objective(&qc);
        llp_real th[5] = {0, 0, 0, 0, 0};
        d = base;
        CHECK_OK(llp_opt_init(&o, &d, n, st, 64));
        CHECK(llp_opt_step(&o, &f, th, NULL, NULL) == LLP_ERR_SHAPE && qc.calls == 0,
              "step with an objective of another n: LLP_ERR_SHAPE, no evaluation");
    }
}

/* ---- weight mask ------------------------------------------------------------ */

static void test_weight_mask(void) {
    llp_mlp m;
    llp_mlp_desc md;
    unsigned char mask[64];
    /* 3-4-2: W0 (4x3) 12, b0 4, W1 (2x4) 8, b1 2 */
    static const unsigned char want[26] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0,
                                           1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
    size_t i;
    int ok;
    memset(&md, 0, sizeof md);
    md.n_layers = 2;
    md.sizes[0] = 3;
    md.sizes[1] = 4;
    md.sizes[2] = 2;
    if (llp_mlp_init(&m, &md) != LLP_OK) {
        CHECK(0, "mlp init");
        return;
    }
    CHECK(m.n_params == 26, "3-4-2 has 26 parameters (%lu)", (unsigned long)m.n_params);
    memset(mask, 7, sizeof mask);
    llp_mlp_weight_mask(&m, mask);
    CHECK(memcmp(mask, want, 26) == 0, "3-4-2 mask: 1 on W0 and W1, 0 on b0 and b1");
    CHECK(mask[26] == 7, "nothing written past n_params");
    llp_mlp_free(&m);
    /* 2-3-3-1, MSE: W0 6, b0 3, W1 9, b1 3, W2 3, b2 1 */
    md.n_layers = 3;
    md.sizes[0] = 2;
    md.sizes[1] = 3;
    md.sizes[2] = 3;
    md.sizes[3] = 1;
    md.loss = LLP_LOSS_MSE;
    if (llp_mlp_init(&m, &md) != LLP_OK) {
        CHECK(0, "mlp init");
        return;
    }
    memset(mask, 7, sizeof mask);
    llp_mlp_weight_mask(&m, mask);
    ok = m.n_params == 25;
    for (i = 0; i < 25; i++) {
        int w = i < 6 || (i >= 9 && i < 18) || (i >= 21 && i < 24);
        if (mask[i] != w) ok = 0;
    }
    CHECK(ok && mask[25] == 7, "2-3-3-1 mask: weights at 0..5, 9..17, 21..23");
    /* the mask keeps decay off the biases: SGD with wd on a zero gradient */
    {
        llp_opt_desc d;
        llp_opt o;
        llp_real st[25], th[25], g[25];
        memset(&d, 0, sizeof d);
        d.kind = LLP_OPT_SGD;
        d.lr = 0.5;
        d.weight_decay = 0.2;
        d.weight_mask = mask;
        llp_fill(1, th, 25);
        llp_fill(0, g, 25);
        CHECK_OK(llp_opt_init(&o, &d, 25, st, 25));
        CHECK_OK(llp_opt_apply(&o, th, g, NULL));
        ok = 1;
        for (i = 0; i < 25; i++)
            if (th[i] != (mask[i] ? (llp_real)0.9 : (llp_real)1)) ok = 0;
        CHECK(ok, "weight decay 0.2, lr 0.5 shrinks the weights to 0.9 and leaves the biases at 1");
    }
    llp_mlp_free(&m);
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_hand_worked);
    LLP_RUN(test_three_steps_vs_reference);
    LLP_RUN(test_apply_equals_step);
    LLP_RUN(test_stability_thresholds);
    LLP_RUN(test_convergence);
    LLP_RUN(test_failure_leaves_state);
    LLP_RUN(test_apply_nonfinite);
    LLP_RUN(test_anneal_quartic);
    LLP_RUN(test_anneal_metropolis);
    LLP_RUN(test_grid_search);
    LLP_RUN(test_grid_search_sincos);
    LLP_RUN(test_schedules);
    LLP_RUN(test_gradient_noise);
    LLP_RUN(test_clipping);
    LLP_RUN(test_init_args);
    LLP_RUN(test_weight_mask);
    return llp_test_summary();
}
