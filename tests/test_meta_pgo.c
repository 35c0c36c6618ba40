/* test_meta_pgo.c — the probe-guided learning rate (llp_pgo_*).

   References, each independent of the code under test:
   - stability edges: llp_pgo_edge for SGD, heavy ball and Nesterov at two
     momenta is checked against the optimizer itself: llp_opt_step on the
     1-D quadratic l(x) = lambda x^2 / 2 run for 4000 steps at 0.98 and 1.02
     times the edge must shrink |x| below 1e-6 and grow it above 1e6
     respectively (the edge is where the spectral radius crosses 1, so
     2 % on either side gives a geometric rate of about 1 % per step: 4000
     steps separate 1e-6 from 1e6 with room). Adam's edge is the heavy-ball
     edge with step lr (1 - beta1) (the frozen-preconditioner reduction the
     doc states), checked as that identity.
   - lambda_max: on a 4-5-3 tanh MLP with 40 samples (probe batch = all),
     the full Hessian by llp_hessian_full and its eigenvalues by llp_sym_eig;
     60 power iterations must match the top-magnitude eigenvalue to 1e-6
     relative (the gap is wide here; float: 1e-3, rounding of HVPs);
     the rate set is then exactly c * 2 / lambda for SGD.
   - the preconditioned lambda after 5 Adam steps: the same full Hessian
     conjugated by D = diag(1 / sqrt(sqrt(v / (1 - beta2^t)) + eps)) built
     in the test from the optimizer's state, eigenvalues by llp_sym_eig.
   - GHG: g^T H g / g^T g with g and H computed in the test (gradient by
     llp_objective_loss_grad, H from llp_hessian_full), raw and
     preconditioned ((D g)^T D H D (D g) / |D g|^2), to 1e-10 (float 1e-4).
   - the schedule of probes and the exact cost: a trainer run with
     before_step probes at steps 0, every, 2 every, ...; the rate changes
     only there; evals.hvp = 4 iters + (probes - 1) iters; sample_cost =
     2 * probe_batch * hvp. Determinism: two runs give the same bits.
   - clips: a huge curvature gives lr_min, a concave objective (no positive
     curvature) lr_max.
   - the point of it: SGD at a rate 3 times the stability edge of a
     quadratic diverges alone and converges with the controller. */
#include <stdlib.h>

#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"

/* ---- a 1-D (or diagonal) quadratic: l = sum lambda_i x_i^2 / 2 (sign may be negative) ---- */
typedef struct quad {
    size_t n;
    const double *lam;
} quad;

static llp_result quad_lg(void *ctx, const llp_real *x, const llp_batch *b, llp_real *loss, llp_real *g) {
    const quad *q = (const quad *)ctx;
    double l = 0;
    size_t i;
    (void)b;
    for (i = 0; i < q->n; i++) {
        l += 0.5 * q->lam[i] * (double)x[i] * (double)x[i];
        if (g) g[i] = (llp_real)(q->lam[i] * (double)x[i]);
    }
    if (loss) *loss = (llp_real)l;
    return LLP_OK;
}

static llp_result quad_hvp(void *ctx, const llp_real *x, const llp_real *v, const llp_batch *b, llp_real *hv) {
    const quad *q = (const quad *)ctx;
    size_t i;
    (void)x, (void)b;
    for (i = 0; i < q->n; i++) hv[i] = (llp_real)(q->lam[i] * (double)v[i]);
    return LLP_OK;
}

static llp_objective quad_objective(quad *q) {
    llp_objective f;
    memset(&f, 0, sizeof f);
    f.n = q->n;
    f.loss_grad = quad_lg;
    f.hvp = quad_hvp;
    f.ctx = q;
    return f;
}

/* |x| after steps of the optimizer d at rate lr on lambda x^2 / 2 from x = 1. */
static double run_quad(llp_opt_kind kind, double beta, double lambda, double lr, int steps) {
    double lam[1];
    quad q;
    llp_objective f;
    llp_opt_desc d;
    llp_opt o;
    llp_real x[1], st[16];
    int t;
    lam[0] = lambda, q.n = 1, q.lam = lam;
    f = quad_objective(&q);
    memset(&d, 0, sizeof d);
    d.kind = kind, d.lr = lr, d.momentum = beta;
    if (llp_opt_state_size(&d, 1) > 16 || llp_opt_init(&o, &d, 1, st, 16) != LLP_OK) return NAN;
    x[0] = 1;
    for (t = 0; t < steps; t++) {
        if (llp_opt_step(&o, &f, x, NULL, NULL) != LLP_OK) return INFINITY;
        if (fabs((double)x[0]) > 1e30) return INFINITY;
    }
    return fabs((double)x[0]);
}

static void test_edges(void) {
    static const llp_opt_kind kinds[3] = {LLP_OPT_SGD, LLP_OPT_MOMENTUM, LLP_OPT_NESTEROV};
    static const double betas[2] = {0.5, 0.9};
    size_t k, b;
    llp_opt_desc d;
    for (k = 0; k < 3; k++)
        for (b = 0; b < (k ? 2u : 1u); b++) {
            double lambda = 3.0, edge, lo, hi;
            memset(&d, 0, sizeof d);
            d.kind = kinds[k], d.momentum = k ? betas[b] : 0;
            edge = llp_pgo_edge(&d, lambda);
            lo = run_quad(kinds[k], d.momentum, lambda, 0.98 * edge, 4000);
            hi = run_quad(kinds[k], d.momentum, lambda, 1.02 * edge, 4000);
            CHECK(lo < 1e-6 && hi > 1e6, "kind %d beta %.1f: edge %.6g: |x| %.3g at 0.98 edge, %.3g at 1.02 edge", (int)kinds[k],
                  d.momentum, edge, lo, hi);
        }
    memset(&d, 0, sizeof d);
    d.kind = LLP_OPT_ADAM, d.beta1 = 0.8;
    {
        llp_opt_desc h;
        memset(&h, 0, sizeof h);
        h.kind = LLP_OPT_MOMENTUM, h.momentum = 0.8;
        CHECK_CLOSE(llp_pgo_edge(&d, 2.0) * (1 - 0.8), llp_pgo_edge(&h, 2.0), 1e-15,
                    "Adam's edge = heavy ball's with step lr (1 - beta1)");
    }
    d.beta1 = 0;
    CHECK_CLOSE(llp_pgo_edge(&d, 1.0), 38.0, 1e-14, "Adam, default beta1 0.9: edge 38 / lambda");
    d.kind = LLP_OPT_RMSPROP;
    CHECK(llp_pgo_edge(&d, 4.0) == 0.5, "RMSprop: 2 / lambda_P");
    CHECK(llp_pgo_edge(&d, 0.0) != llp_pgo_edge(&d, 0.0) && llp_pgo_edge(&d, -1.0) != llp_pgo_edge(&d, -1.0),
          "no edge without positive curvature");
}

/* ---- a small MLP where the full Hessian is cheap ---- */
typedef struct small {
    llp_mlp m;
    llp_data data;
    llp_mlp_objective mo;
    llp_objective f;
} small;

static void small_init(small *s, uint64_t seed) {
    llp_mlp_desc d;
    llp_rng rng;
    memset(s, 0, sizeof *s);
    memset(&d, 0, sizeof d);
    d.n_layers = 2;
    d.sizes[0] = 4, d.sizes[1] = 5, d.sizes[2] = 3;
    d.act = LLP_ACT_TANH;
    d.loss = LLP_LOSS_SOFTMAX_CE;
    llp_rng_seed(&rng, seed);
    CHECK_OK(llp_mlp_init(&s->m, &d));
    llp_mlp_randomize(&s->m, s->m.theta, &rng);
    CHECK_OK(llp_data_blobs(&s->data, 40, 4, 3, 1.0, &rng));
    CHECK_OK(llp_mlp_objective_init(&s->mo, &s->m, &s->data, 0));
    s->f = llp_mlp_objective_get(&s->mo);
}

static void small_free(small *s) {
    llp_mlp_objective_free(&s->mo);
    llp_data_free(&s->data);
    llp_mlp_free(&s->m);
}

/* top-magnitude eigenvalue of the (n, n) matrix a */
static double top_eig(const double *a, size_t n) {
    double *w = (double *)malloc(n * sizeof(double)), t;
    CHECK_OK(llp_sym_eig(a, n, w, NULL));
    t = fabs(w[0]) > fabs(w[n - 1]) ? w[0] : w[n - 1];
    free(w);
    return t;
}

static void test_lambda_max(void) {
    small s;
    llp_hessian H;
    llp_batch_policy bp = llp_batch_policy_full();
    llp_pgo p;
    llp_pgo_desc pd;
    llp_opt_desc od;
    llp_opt o;
    llp_real *st;
    size_t n;
    double lam;
    small_init(&s, 3);
    n = s.m.n_params;
    CHECK_OK(llp_hessian_full(&s.f, s.m.theta, &bp, 0, &H));
    lam = top_eig(H.h, n);
    memset(&pd, 0, sizeof pd);
    pd.iters = 15; /* first probe: 60 iterations */
    pd.seed = 5;
    CHECK_OK(llp_pgo_init(&p, &pd, &s.f));
    CHECK(p.n_probe == 40 && p.d.every == 10 && p.d.c == 0.5, "defaults: probe batch = all 40, every 10, c 0.5");
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_SGD, od.lr = 0.1;
    st = (llp_real *)malloc(llp_opt_state_size(&od, n) * sizeof(llp_real));
    CHECK_OK(llp_opt_init(&o, &od, n, st, llp_opt_state_size(&od, n)));
    CHECK_OK(llp_pgo_before_step(&p, &o, &s.f, s.m.theta, NULL, 0));
    CHECK(fabs(p.lambda - lam) <= TOL(1e-6, 1e-3) * fabs(lam), "lambda_max %.12g = full Hessian's %.12g", p.lambda,
          lam);
    {
        double want = 0.5 * 2 / p.lambda;
        if (want > 1.0) want = 1.0;
        if (want < 1e-4) want = 1e-4;
        CHECK(o.d.lr == want && p.lr == want, "SGD rate c * 2 / lambda = %.6g (clipped to [1e-4, 1])", want);
    }
    CHECK(p.evals.hvp == 60 && p.probes == 1 && p.sample_cost == 2.0 * 40 * 60, "cost: 60 HVPs of 40 samples");
    /* between probes nothing happens; the next probe warm-starts with 15 iterations */
    o.d.lr = 0.123;
    CHECK_OK(llp_pgo_before_step(&p, &o, &s.f, s.m.theta, NULL, 7));
    CHECK(o.d.lr == 0.123 && p.evals.hvp == 60, "step 7: no probe, rate untouched");
    CHECK_OK(llp_pgo_before_step(&p, &o, &s.f, s.m.theta, NULL, 20));
    CHECK(p.evals.hvp == 75 && p.probes == 2 && fabs(p.lambda - lam) <= TOL(1e-6, 1e-3) * fabs(lam),
          "step 20: warm probe of 15 HVPs, still lambda_max");
    free(st);
    llp_pgo_free(&p);
    llp_hessian_free(&H);
    small_free(&s);
}

/* D = 1 / sqrt(sqrt(v / (1 - b2^t)) + eps) from the optimizer's state, in double */
static void precond_of(const llp_opt *o, double b2, double eps, double *D) {
    size_t i;
    double bc = 1 - pow(b2, (double)o->t);
    for (i = 0; i < o->n; i++) D[i] = 1 / sqrt(sqrt((double)o->v[i] / bc) + eps);
}

static void test_preconditioned_and_ghg(void) {
    small s;
    llp_hessian H;
    llp_batch_policy bp = llp_batch_policy_full();
    llp_pgo p;
    llp_pgo_desc pd;
    llp_opt_desc od;
    llp_opt o;
    llp_real *st, *g, loss;
    double *D, *M, want, gHg = 0, gg = 0;
    size_t n, i, j, t;
    small_init(&s, 4);
    n = s.m.n_params;
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_ADAM, od.lr = 0.01;
    st = (llp_real *)malloc(llp_opt_state_size(&od, n) * sizeof(llp_real));
    g = (llp_real *)malloc(n * sizeof(llp_real));
    D = (double *)malloc(n * sizeof(double));
    M = (double *)malloc(n * n * sizeof(double));
    CHECK_OK(llp_opt_init(&o, &od, n, st, llp_opt_state_size(&od, n)));
    memset(&pd, 0, sizeof pd);
    pd.iters = 20, pd.every = 5, pd.lr_min = 1e-12, pd.lr_max = 1e6; /* no clipping */
    CHECK_OK(llp_pgo_init(&p, &pd, &s.f));
    CHECK_OK(llp_pgo_before_step(&p, &o, &s.f, s.m.theta, NULL, 0));
    CHECK(p.probes == 0 && o.d.lr == 0.01, "Adam at step 0: no preconditioner yet, base rate kept");
    for (t = 0; t < 5; t++) CHECK_OK(llp_opt_step(&o, &s.f, s.m.theta, NULL, NULL));
    CHECK_OK(llp_pgo_before_step(&p, &o, &s.f, s.m.theta, NULL, 5));
    CHECK_OK(llp_hessian_full(&s.f, s.m.theta, &bp, 0, &H));
    precond_of(&o, 0.999, 1e-8, D);
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) M[i * n + j] = D[i] * H.h[i * n + j] * D[j];
    want = top_eig(M, n);
    CHECK(fabs(p.lambda - want) <= TOL(1e-6, 1e-3) * fabs(want),
          "preconditioned lambda %.10g = top eigenvalue of D H D %.10g (80 iterations)", p.lambda, want);
    {
        double r = 0.5 * 38 / p.lambda;
        CHECK(fabs(o.d.lr - r) <= 1e-14 * r && r > 1e-4 && r < 1e4, "Adam rate c (2 + 2 beta1) / ((1 - beta1) lambda_P) = %.6g", r);
    }
    llp_pgo_free(&p);

    /* GHG, raw (SGD) and preconditioned (Adam) */
    CHECK_OK(llp_objective_loss_grad(&s.f, s.m.theta, NULL, &loss, g));
    for (i = 0; i < n; i++) {
        double hg = 0;
        for (j = 0; j < n; j++) hg += H.h[i * n + j] * (double)g[j];
        gHg += (double)g[i] * hg, gg += (double)g[i] * (double)g[i];
    }
    pd.probe = LLP_PGO_GHG;
    pd.raw = 1;
    CHECK_OK(llp_pgo_init(&p, &pd, &s.f));
    CHECK_OK(llp_pgo_before_step(&p, &o, &s.f, s.m.theta, NULL, 0));
    CHECK(fabs(p.lambda - gHg / gg) <= TOL(1e-10, 1e-4) * fabs(gHg / gg), "raw ghg %.12g = g^T H g / g^T g %.12g",
          p.lambda, gHg / gg);
    CHECK(p.evals.grad == 1 && p.evals.hvp == 1 && p.sample_cost == 3.0 * 40, "ghg costs one gradient and one HVP");
    llp_pgo_free(&p);
    pd.raw = 0;
    CHECK_OK(llp_pgo_init(&p, &pd, &s.f));
    CHECK_OK(llp_pgo_before_step(&p, &o, &s.f, s.m.theta, NULL, 10));
    {
        double num = 0, den = 0;
        for (i = 0; i < n; i++) {
            double mi = 0;
            for (j = 0; j < n; j++) mi += M[i * n + j] * D[j] * (double)g[j];
            num += D[i] * (double)g[i] * mi, den += D[i] * (double)g[i] * D[i] * (double)g[i];
        }
        CHECK(fabs(p.lambda - num / den) <= TOL(1e-10, 1e-4) * fabs(num / den),
              "preconditioned ghg %.12g = (Dg)^T DHD (Dg) / |Dg|^2 %.12g", p.lambda, num / den);
    }
    llp_pgo_free(&p);
    llp_hessian_free(&H);
    free(st), free(g), free(D), free(M);
    small_free(&s);
}

/* RMSprop keeps its second moment s in o->m: lambda_P of D H D, D = 1 / sqrt(sqrt(s) + eps) */
static void test_rmsprop_precond(void) {
    small s;
    llp_hessian H;
    llp_batch_policy bp = llp_batch_policy_full();
    llp_pgo p;
    llp_pgo_desc pd;
    llp_opt_desc od;
    llp_opt o;
    llp_real *st;
    double *D, *M, want, raw;
    size_t n, i, j, t;
    small_init(&s, 6);
    n = s.m.n_params;
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_RMSPROP, od.lr = 1e-3;
    st = (llp_real *)malloc(llp_opt_state_size(&od, n) * sizeof(llp_real));
    D = (double *)malloc(n * sizeof(double));
    M = (double *)malloc(n * n * sizeof(double));
    CHECK_OK(llp_opt_init(&o, &od, n, st, llp_opt_state_size(&od, n)));
    for (t = 0; t < 3; t++) CHECK_OK(llp_opt_step(&o, &s.f, s.m.theta, NULL, NULL));
    CHECK_OK(llp_hessian_full(&s.f, s.m.theta, &bp, 0, &H));
    for (i = 0; i < n; i++) D[i] = 1 / sqrt(sqrt((double)o.m[i]) + 1e-8);
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) M[i * n + j] = D[i] * H.h[i * n + j] * D[j];
    want = top_eig(M, n);
    raw = top_eig(H.h, n);
    memset(&pd, 0, sizeof pd);
    pd.iters = 40, pd.lr_min = 1e-12, pd.lr_max = 1e6;
    CHECK_OK(llp_pgo_init(&p, &pd, &s.f));
    CHECK_OK(llp_pgo_before_step(&p, &o, &s.f, s.m.theta, NULL, 0));
    CHECK(fabs(p.lambda - want) <= TOL(1e-6, 1e-3) * fabs(want) && fabs(want - raw) > 0.1 * fabs(raw),
          "RMSprop: lambda %.10g = top eigenvalue of D H D %.10g (raw lambda %.6g differs)", p.lambda, want, raw);
    CHECK(fabs(o.d.lr - 0.5 * 2 / p.lambda) <= 1e-14 * o.d.lr, "RMSprop rate c 2 / lambda_P");
    llp_pgo_free(&p);
    llp_hessian_free(&H);
    free(st), free(D), free(M);
    small_free(&s);
}

/* ---- inside the trainer ---- */
typedef struct lr_log {
    double lr[200];
    size_t count;
} lr_log;

static int log_step(void *ctx, const llp_trainer *tr, const llp_opt_info *info) {
    lr_log *l = (lr_log *)ctx;
    (void)tr;
    if (l->count < 200) l->lr[l->count++] = info->lr;
    return 0;
}

static void train_run(uint64_t seed, llp_real *theta_out, lr_log *log, llp_pgo *p_out) {
    small s;
    llp_pgo p;
    llp_pgo_desc pd;
    llp_train_desc td;
    llp_opt_desc od;
    llp_trainer tr;
    small_init(&s, seed);
    memset(&pd, 0, sizeof pd);
    pd.every = 7, pd.probe_batch = 16, pd.seed = 9, pd.lr_max = 1;
    CHECK_OK(llp_pgo_init(&p, &pd, &s.f));
    memset(&td, 0, sizeof td);
    td.epochs = 100, td.batch_size = 8, td.max_steps = 50, td.seed = 2;
    td.before_step = llp_pgo_before_step, td.before_ctx = &p;
    td.on_step = log_step, td.ctx = log;
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_MOMENTUM, od.lr = 0.05, od.momentum = 0.9;
    memset(log, 0, sizeof *log);
    CHECK_OK(llp_trainer_init(&tr, &td, &s.f, NULL, &od, s.m.theta));
    CHECK_OK(llp_trainer_run(&tr));
    llp_trainer_free(&tr);
    memcpy(theta_out, s.m.theta, s.m.n_params * sizeof(llp_real));
    *p_out = p;
    p_out->probe_idx = NULL, p_out->v = NULL; /* the copy keeps the numbers only */
    llp_pgo_free(&p);
    small_free(&s);
}

static void test_trainer(void) {
    llp_real a[64], b[64];
    lr_log la, lb;
    llp_pgo pa, pb;
    size_t t;
    int changes_ok = 1;
    memset(a, 0, sizeof a), memset(b, 0, sizeof b);
    train_run(11, a, &la, &pa);
    train_run(11, b, &lb, &pb);
    CHECK(la.count == 50 && pa.probes == 8, "50 steps, probes at 0, 7, ..., 49: 8 (got %lu)", (unsigned long)pa.probes);
    CHECK(pa.evals.hvp == 4 * 5 + 7 * 5 && pa.sample_cost == 2.0 * 16 * (double)pa.evals.hvp,
          "HVPs: 20 + 7 x 5 = 55 on 16 samples (got %lu)", (unsigned long)pa.evals.hvp);
    for (t = 1; t < la.count; t++)
        if (t % 7 != 0 && la.lr[t] != la.lr[t - 1]) changes_ok = 0;
    CHECK(changes_ok, "the rate changes only at probe steps");
    CHECK(la.lr[0] != 0.05 && la.lr[0] == la.lr[6] && la.lr[0] < 1 && la.lr[0] > 5e-5,
          "step 0 already uses the probed rate (%.6g, not clipped)", la.lr[0]);
    CHECK(memcmp(a, b, sizeof a) == 0 && memcmp(la.lr, lb.lr, sizeof la.lr) == 0 && pa.lambda == pb.lambda,
          "two runs: the same bits");
}

/* clips, and the controller rescuing a rate that diverges */
static void test_clips_and_rescue(void) {
    double lam[3];
    quad q;
    llp_objective f;
    llp_pgo p;
    llp_pgo_desc pd;
    llp_opt_desc od;
    llp_opt o;
    llp_real x[3], st[16];
    int t;
    q.n = 3, q.lam = lam;
    f = quad_objective(&q);
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_SGD, od.lr = 0.1;
    CHECK_OK(llp_opt_init(&o, &od, 3, st, 16));
    memset(&pd, 0, sizeof pd);
    pd.iters = 30;
    x[0] = x[1] = x[2] = 1;
    lam[0] = 1e9, lam[1] = 1, lam[2] = 0.5;
    CHECK_OK(llp_pgo_init(&p, &pd, &f));
    CHECK(p.n_probe == 0 && p.probe_idx == NULL, "objective without samples: no probe batch");
    CHECK_OK(llp_pgo_before_step(&p, &o, &f, x, NULL, 0));
    CHECK(o.d.lr == 1e-4 && fabs(p.lambda - 1e9) <= 1e-6 * 1e9, "huge curvature: lr_min = 1e-3 base (%.3g)", o.d.lr);
    llp_pgo_free(&p);
    lam[0] = -3, lam[1] = -1, lam[2] = 2;
    o.d.lr = 0.1;
    CHECK_OK(llp_pgo_init(&p, &pd, &f));
    CHECK_OK(llp_pgo_before_step(&p, &o, &f, x, NULL, 0));
    CHECK(fabs(p.lambda - 2) <= 1e-9 && fabs(o.d.lr - 0.5) <= 1e-9 && p.evals.hvp == 240,
          "dominant eigenvalue -3: the shifted iteration finds the top one, %.12g (2), rate %.6g (0.5), "
          "2 x 120 HVPs (%lu)", p.lambda, o.d.lr, (unsigned long)p.evals.hvp);
    llp_pgo_free(&p);
    lam[2] = -0.5;
    o.d.lr = 0.1;
    CHECK_OK(llp_pgo_init(&p, &pd, &f));
    CHECK_OK(llp_pgo_before_step(&p, &o, &f, x, NULL, 0));
    CHECK(p.lambda < 0 && o.d.lr == 0.1 && p.lr != p.lr && p.probes == 1,
          "concave everywhere (top %.3g): the rate is left as it was", p.lambda);
    llp_pgo_free(&p);

    /* SGD at 3 times the edge of lambda 4 diverges; with the controller it converges */
    lam[0] = 4, lam[1] = 1, lam[2] = 0.25;
    od.lr = 1.5;
    x[0] = x[1] = x[2] = 1;
    CHECK(run_quad(LLP_OPT_SGD, 0, 4, 1.5, 200) > 1e6, "SGD at lr 1.5 on lambda 4 diverges");
    CHECK_OK(llp_opt_init(&o, &od, 3, st, 16));
    memset(&pd, 0, sizeof pd);
    pd.lr_max = 1.5;
    CHECK_OK(llp_pgo_init(&p, &pd, &f));
    for (t = 0; t < 300; t++) {
        CHECK_OK(llp_pgo_before_step(&p, &o, &f, x, NULL, (uint64_t)t));
        CHECK_OK(llp_opt_step(&o, &f, x, NULL, NULL));
    }
    CHECK(fabs((double)x[0]) < 1e-6 && fabs((double)x[2]) < 1e-6 && fabs(o.d.lr - 0.25) <= 1e-3,
          "with the controller: converges (x = %.3g %.3g %.3g) at lr %.6g = 1 / lambda_max", (double)x[0],
          (double)x[1], (double)x[2], o.d.lr);
    llp_pgo_free(&p);
}

static void test_bad_args(void) {
    double lam[2] = {1, 2};
    quad q;
    llp_objective f;
    llp_pgo p, keep;
    llp_pgo_desc pd;
    llp_opt_desc od;
    llp_opt o;
    llp_real x[2] = {1, 1}, st[16];
    q.n = 2, q.lam = lam;
    f = quad_objective(&q);
    memset(&p, 0x5a, sizeof p);
    keep = p;
    memset(&pd, 0, sizeof pd);
    CHECK(llp_pgo_init(NULL, &pd, &f) == LLP_ERR_ARG && llp_pgo_init(&p, &pd, NULL) == LLP_ERR_ARG, "NULLs");
    pd.c = -1;
    CHECK(llp_pgo_init(&p, &pd, &f) == LLP_ERR_ARG, "c < 0");
    pd.c = 0, pd.lr_min = 2, pd.lr_max = 1;
    CHECK(llp_pgo_init(&p, &pd, &f) == LLP_ERR_ARG, "lr_min > lr_max");
    pd.lr_min = 0, pd.lr_max = 0, pd.probe = (llp_pgo_probe)7;
    CHECK(llp_pgo_init(&p, &pd, &f) == LLP_ERR_ARG, "unknown probe");
    pd.probe = LLP_PGO_LAMBDA_MAX, pd.scale = NAN;
    CHECK(llp_pgo_init(&p, &pd, &f) == LLP_ERR_ARG, "NaN scale");
    CHECK(memcmp(&p, &keep, sizeof p) == 0, "nothing written on failure");
    pd.scale = 0;
    CHECK_OK(llp_pgo_init(&p, &pd, &f));
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_SGD, od.lr = 0.1;
    CHECK_OK(llp_opt_init(&o, &od, 2, st, 16));
    CHECK(llp_pgo_before_step(NULL, &o, &f, x, NULL, 0) == LLP_ERR_ARG, "NULL controller");
    q.n = 1, f.n = 1;
    CHECK(llp_pgo_before_step(&p, &o, &f, x, NULL, 0) == LLP_ERR_SHAPE, "objective of another size");
    llp_pgo_free(&p);
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_edges);
    LLP_RUN(test_lambda_max);
    LLP_RUN(test_preconditioned_and_ghg);
    LLP_RUN(test_rmsprop_precond);
    LLP_RUN(test_trainer);
    LLP_RUN(test_clips_and_rescue);
    LLP_RUN(test_bad_args);
    return llp_test_summary();
}
