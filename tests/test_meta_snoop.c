/* test_meta_snoop.c — the snoop (llp_snoop, llp_snoop_objective,
   llp_snoop_synflow, llp_snoop_feature_name).

   References, none computed by the code under test:
   - theta_k: the same optimizer run here step by step (llp_opt_init /
     llp_opt_step) on mini-batches drawn as the trainer documents them (a new
     llp_rng_permutation of the samples, from the identity, at every epoch
     start, seeded by td.seed): bit-identical, since the same operations run
     in the same order.
   - The probe batch re-drawn here (the first P of llp_rng_permutation of the
     stream seeded by sd.seed); losses, gradients, grad_norm0, SNIP (sum of
     |theta_i g_i| in double) and ||theta_k - theta_0|| from the objective
     directly.
   - The full Hessian of the probe batch at theta_k (llp_hessian_full, n = 43)
     and its spectrum (llp_sym_eig): lambda_max; g^T H g / g^T g formed in
     double; mean ||H d_j|| for the FD probe's directions (re-drawn from
     stream 4); for Adam and RMSprop the spectrum of P^(1/2) H P^(1/2) with P
     from the optimizer state of the run made here.
   - Random sharpness re-evaluated here from stream 3's directions.
   - The noise scale: llp_grad_noise_scale called directly on stream 2 (the
     snoop's features are two ratios of its means, checked for the
     formulas), and NOISE_RATIO = 0 exactly for full-batch training.
   - SynFlow by brute force: R(|theta|) evaluated by a plain forward pass
     written here, and dR/dtheta_i as R(t + 2 e_i) - R(t + e_i), t = |theta|,
     exact because R is affine in each single coordinate; with zero biases
     also Euler's identity synflow = L R; the log-space value against the
     identity log S(c theta) = log S(theta) + L log c where S overflows.
   - Stability edges of SGD, heavy ball and Nesterov: the library's own
     optimizer run 2000 steps on a quadratic of lambda_max = 100 at 0.98 and
     1.02 times the rate the edge predicts (converges / blows up). The
     adaptive optimizers' edges (frozen preconditioner) cannot be simulated
     with the library's Adam, whose preconditioner moves: checked as the
     documented values only.
   - Divergence: a rate of 1e6 (ReLU, cross-entropy), a 1-D objective that is
     NaN past |x| = 5 (the trainer passes, the probe at theta_k fails), an
     infinite loss at theta_0, a ReLU network whose forward pass overflows.
   - Call counts and samples from a counting wrapper objective written here.

   Tolerances:
   - Same operations in the same order: exact (theta_k, losses, the noise
     scale ratios, counts).
   - Sums formed here in another order (SNIP, norms, g^T H g): 1e-12
     relative in double; float 1e-5 (float gradients, ~10 eps_float).
   - Power iteration run to its convergence test (tol 1e-4 on the residual,
     300 iterations at most): lambda within 1e-6 relative of the exact top
     eigenvalue (the error is ~ residual^2 / gap); float 1e-3 (products carry
     eps_float ||H|| errors, and the convergence test is the same).
   - Default 10 iterations: a Rayleigh quotient, so <= lambda_max (1e-12
     slack for rounding; float 1e-5) and >= 0.9 lambda_max on the 5 seeds
     here (the stated factor; observed worst 0.999: these small Hessians
     have a large gap, and the error falls as (lambda_2/lambda_1)^2 per
     iteration from a Gaussian start). It is a property of the spectrum, not
     a guarantee: a clustered top needs more iterations.
   - The preconditioned top eigenvalue of RMSprop needs the shifted second
     run (its dominant eigenvalue is negative here, checked); that run stops
     at a residual of 1e-4 of the shifted value (~200), and its error
     residual^2 / gap was 5e-7 relative: 1e-5 (float 1e-3).
   - The FD probe: a forward difference of step sqrt(eps) (1 + ||theta||),
     error ~ 1e-7 relative in double: 1e-5; float (step 3.5e-4 relative,
     rounding eps_float ||g|| / step; observed 5e-5): 1e-3.
   - Random sharpness: the same perturbed points, so differences of equal
     losses: 1e-9 relative in double; float 1e-3 (the increase is 1e-3 of
     the loss, float losses carry 1e-7 relative). */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"

#include <stdlib.h>

static double rel(double a, double b) { return fabs(a - b) / (fabs(b) > 0 ? fabs(b) : 1); }
static int isnan_(double x) { return x != x; }

/* ---- a small problem: 4-5-3 tanh, softmax CE, 40 blob samples --------------- */

typedef struct prob {
    llp_mlp m;
    llp_data data;
    llp_mlp_objective mo;
    llp_objective f;
} prob;

static void prob_init(prob *p, llp_act act, uint64_t seed) {
    llp_mlp_desc md;
    llp_rng rng;
    memset(&md, 0, sizeof md);
    md.n_layers = 2, md.sizes[0] = 4, md.sizes[1] = 5, md.sizes[2] = 3;
    md.act = act;
    llp_rng_seed(&rng, seed);
    CHECK_OK(llp_mlp_init(&p->m, &md));
    llp_mlp_randomize(&p->m, p->m.theta, &rng);
    CHECK_OK(llp_data_blobs(&p->data, 40, 4, 3, 2.0, &rng));
    CHECK_OK(llp_mlp_objective_init(&p->mo, &p->m, &p->data, 0));
    p->f = llp_mlp_objective_get(&p->mo);
}

static void prob_free(prob *p) {
    llp_mlp_objective_free(&p->mo);
    llp_data_free(&p->data);
    llp_mlp_free(&p->m);
}

/* theta after k steps of od on f, batches as the trainer draws them. opt
   state is kept in *st (caller frees) when st != NULL. */
static void run_optimizer(const llp_objective *f, const llp_real *theta0, const llp_opt_desc *od, size_t bs,
                          uint64_t seed, size_t k, llp_real *theta, llp_opt *o_out, llp_real **st) {
    llp_opt o;
    size_t sl = llp_opt_state_size(od, f->n), ns = f->n_samples, pos = 0, s, i;
    llp_real *state = (llp_real *)malloc(sl * sizeof(llp_real));
    size_t *perm = (size_t *)malloc((ns ? ns : 1) * sizeof(size_t));
    llp_rng rng;
    int bad = 0;
    llp_rng_seed(&rng, seed);
    CHECK_OK(llp_opt_init(&o, od, f->n, state, sl));
    llp_copy(theta0, theta, f->n);
    for (s = 0; s < k; s++) {
        llp_batch b = llp_batch_all();
        if (bs && bs < ns) {
            size_t cnt;
            if (pos == 0) {
                for (i = 0; i < ns; i++) perm[i] = i;
                llp_rng_permutation(&rng, perm, ns);
            }
            cnt = ns - pos < bs ? ns - pos : bs;
            b = llp_batch_index(perm + pos, cnt);
            pos += cnt;
            if (pos >= ns) pos = 0;
        }
        if (llp_opt_step(&o, f, theta, &b, NULL) != LLP_OK) bad++;
    }
    CHECK(bad == 0, "the reference run's %lu steps", (unsigned long)k);
    free(perm);
    if (o_out) *o_out = o;
    if (st)
        *st = state;
    else
        free(state);
}

/* The snoop's stream j: seeded by seed, jumped j times. */
static llp_rng stream(uint64_t seed, int j) {
    llp_rng r;
    llp_rng_seed(&r, seed);
    while (j-- > 0) llp_rng_jump(&r);
    return r;
}

/* Full Hessian of f on batch b at theta, as doubles (n x n). */
static double *hessian(const llp_objective *f, const llp_real *theta, const llp_batch *b) {
    llp_hessian h;
    llp_batch_policy bp = llp_batch_policy_fixed(b);
    double *out = (double *)calloc(f->n * f->n, sizeof(double));
    memset(&h, 0, sizeof h);
    CHECK_OK(llp_hessian_full(f, theta, &bp, 0, &h));
    if (h.h) memcpy(out, h.h, f->n * f->n * sizeof(double));
    llp_hessian_free(&h);
    return out;
}

/* The eigenvalue of largest magnitude of a symmetric n x n matrix. */
static double dominant(const double *a, size_t n, double *top) {
    double *w = (double *)malloc(n * sizeof(double)), d;
    CHECK_OK(llp_sym_eig(a, n, w, NULL));
    d = fabs(w[0]) > fabs(w[n - 1]) ? w[0] : w[n - 1];
    if (top) *top = w[n - 1];
    free(w);
    return d;
}

/* ---- the reference values ---------------------------------------------------- */

static void test_reference_values(void) {
    prob p;
    llp_opt_desc od;
    llp_train_desc td;
    llp_snoop_desc sd;
    llp_snoop_result res;
    size_t n, N = 40, P = 24, k = 12, i, j, perm[40];
    llp_real *thk, *mine, *g, l;
    llp_batch pb;
    llp_rng r;
    double *H, top, dom, s, s2;
    prob_init(&p, LLP_ACT_TANH, 11);
    n = p.f.n;
    CHECK(n == 43, "4-5-3 has 43 parameters (%lu)", (unsigned long)n);
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_MOMENTUM, od.lr = 0.05;
    memset(&td, 0, sizeof td);
    td.batch_size = 8, td.seed = 77;
    memset(&sd, 0, sizeof sd);
    sd.steps = k, sd.probe_batch = P, sd.power_iters = 300, sd.seed = 5;
    thk = (llp_real *)malloc(n * sizeof(llp_real));
    mine = (llp_real *)malloc(n * sizeof(llp_real));
    g = (llp_real *)malloc(n * sizeof(llp_real));
    CHECK_OK(llp_snoop(&p.m, p.m.theta, &p.data, &od, &td, &sd, thk, &res));
    CHECK(res.diverged == 0 && res.steps_done == k && res.steps == k && res.probe_batch == P && res.batch_size == 8,
          "ran k steps, P and B as set");
    /* theta_k: the optimizer run here, bit for bit */
    run_optimizer(&p.f, p.m.theta, &od, 8, 77, k, mine, NULL, NULL);
    CHECK(memcmp(mine, thk, n * sizeof(llp_real)) == 0, "theta_k equals %lu steps run here, bit for bit",
          (unsigned long)k);
    /* the probe batch */
    r = stream(5, 0);
    llp_rng_permutation(&r, perm, N);
    pb = llp_batch_index(perm, P);
    /* theta_0 */
    CHECK_OK(llp_objective_loss_grad(&p.f, p.m.theta, &pb, &l, g));
    CHECK(res.features[LLP_SNOOP_LOSS0] == (double)l, "loss0 = probe loss at theta_0 (%g vs %g)",
          res.features[LLP_SNOOP_LOSS0], (double)l);
    s = 0, s2 = 0;
    for (i = 0; i < n; i++) s += fabs((double)p.m.theta[i] * g[i]), s2 += (double)g[i] * g[i];
    CHECK(rel(res.features[LLP_SNOOP_SNIP], s) <= TOL(1e-12, 1e-5), "snip = sum |theta g| (%.17g vs %.17g)",
          res.features[LLP_SNOOP_SNIP], s);
    CHECK(rel(res.features[LLP_SNOOP_GRAD_NORM0], sqrt(s2)) <= TOL(1e-12, 1e-5), "grad_norm0 = ||g_0||");
    {
        double gn0 = sqrt(s2), lk, gnk, d2 = 0, t2 = 0;
        CHECK_OK(llp_objective_loss_grad(&p.f, thk, &pb, &l, g));
        lk = l;
        s2 = 0;
        for (i = 0; i < n; i++) s2 += (double)g[i] * g[i];
        gnk = sqrt(s2);
        CHECK(res.features[LLP_SNOOP_LOSSK] == lk, "lossk = probe loss at theta_k");
        CHECK(rel(res.features[LLP_SNOOP_REL_DROP], (res.features[LLP_SNOOP_LOSS0] - lk) / res.features[LLP_SNOOP_LOSS0]) <= 1e-14,
              "rel_drop");
        CHECK(rel(res.features[LLP_SNOOP_LOG_RATIO], log(lk / res.features[LLP_SNOOP_LOSS0])) <= 1e-14, "log_ratio");
        CHECK(res.features[LLP_SNOOP_REL_DROP] > 0, "the loss went down (%g)", res.features[LLP_SNOOP_REL_DROP]);
        CHECK(rel(res.features[LLP_SNOOP_GRAD_RATIO], gnk / gn0) <= TOL(1e-12, 1e-5), "grad_ratio");
        for (i = 0; i < n; i++) {
            double dd = (double)thk[i] - p.m.theta[i];
            d2 += dd * dd, t2 += (double)p.m.theta[i] * p.m.theta[i];
        }
        CHECK(rel(res.features[LLP_SNOOP_DIST_REL], sqrt(d2 / t2)) <= TOL(1e-12, 1e-5), "dist_rel");
    }
    /* curvature at theta_k from the full Hessian of the probe batch */
    H = hessian(&p.f, thk, &pb);
    dom = dominant(H, n, &top);
    CHECK(dom == top && top > 0, "the dominant eigenvalue is the top one here (%g)", top);
    CHECK(rel(res.lambda, top) <= TOL(1e-6, 1e-3), "power iteration, 300 iterations: lambda %.12g vs exact %.12g",
          res.lambda, top);
    CHECK(rel(res.features[LLP_SNOOP_ETA_LMAX], 0.05 * res.lambda) <= 1e-15, "eta_lmax = lr lambda");
    CHECK(res.features[LLP_SNOOP_ETA_LMAX_PRE] == res.features[LLP_SNOOP_ETA_LMAX], "momentum: no preconditioner");
    CHECK(res.edge == 2 + 2 * 0.9 && rel(res.features[LLP_SNOOP_EDGE_RATIO], 0.05 * res.lambda / 3.8) <= 1e-15,
          "heavy ball edge 2 + 2 beta (%g)", res.edge);
    {
        double gHg = 0, gg = 0;
        CHECK_OK(llp_objective_loss_grad(&p.f, thk, &pb, &l, g));
        for (i = 0; i < n; i++) {
            double hi = 0;
            for (j = 0; j < n; j++) hi += H[i * n + j] * g[j];
            gHg += g[i] * hi;
            gg += (double)g[i] * g[i];
        }
        CHECK(rel(res.ghg, gHg / gg) <= TOL(1e-10, 1e-4), "ghat^T H ghat: %.15g vs %.15g", res.ghg, gHg / gg);
        CHECK(rel(res.features[LLP_SNOOP_ETA_GHG], 0.05 * gHg / gg) <= TOL(1e-10, 1e-4), "eta_ghg");
        CHECK(rel(res.features[LLP_SNOOP_GHG_LMAX], gHg / gg / top) <= TOL(1e-6, 1e-3), "ghg_lmax");
    }
    /* FD probe: mean ||H d|| over stream 4's 4 directions */
    {
        llp_real d[43];
        double acc = 0;
        size_t q;
        r = stream(5, 4);
        for (q = 0; q < 4; q++) {
            double nd, hd2 = 0;
            llp_rng_fill_normal(&r, d, n);
            nd = llp_nrm2(d, n);
            for (i = 0; i < n; i++) {
                double hi = 0;
                for (j = 0; j < n; j++) hi += H[i * n + j] * (d[j] / nd);
                hd2 += hi * hi;
            }
            acc += sqrt(hd2);
        }
        acc /= 4;
        CHECK(rel(res.features[LLP_SNOOP_ETA_FD], 0.05 * acc) <= TOL(1e-5, 1e-3), "eta_fd = eta mean ||H d||: %.10g vs %.10g",
              res.features[LLP_SNOOP_ETA_FD], 0.05 * acc);
    }
    free(H);
    /* sharpness from stream 3's 8 directions, rho = 0.05 ||theta_k|| */
    {
        llp_real u[43], x[43], lx, l0;
        double rho = 0.05 * llp_nrm2(thk, n), acc = 0;
        size_t q;
        r = stream(5, 3);
        CHECK_OK(llp_objective_loss(&p.f, thk, &pb, &l0));
        for (q = 0; q < 8; q++) {
            double sc;
            llp_rng_fill_normal(&r, u, n);
            sc = rho / llp_nrm2(u, n);
            for (i = 0; i < n; i++) x[i] = (llp_real)(thk[i] + sc * u[i]);
            CHECK_OK(llp_objective_loss(&p.f, x, &pb, &lx));
            acc += (double)lx - l0;
        }
        acc /= 8;
        CHECK(rel(res.sharp_rho, rho) <= 1e-15, "rho = 0.05 ||theta_k||");
        CHECK(rel(res.features[LLP_SNOOP_SHARP_REL], acc / l0) <= TOL(1e-9, 1e-3), "sharp_rel: %.12g vs %.12g",
              res.features[LLP_SNOOP_SHARP_REL], acc / l0);
        CHECK(res.features[LLP_SNOOP_SHARP_REL] > 0, "sharpness > 0 near a minimum of a convex-ish loss");
    }
    /* noise scale: the tool on stream 2, the two ratios of its means */
    {
        llp_grad_noise_desc nd;
        llp_grad_noise_result gn;
        double u = (40.0 - 8) / (8.0 * 39);
        memset(&nd, 0, sizeof nd);
        nd.pairs = 8;
        r = stream(5, 2);
        CHECK_OK(llp_grad_noise_scale(&p.f, thk, &nd, &r, &gn));
        CHECK(res.features[LLP_SNOOP_B_OVER_BSIMPLE] == 8 * gn.g2.value / gn.s.value, "B / B_simple = B |G|^2 / S");
        CHECK(res.features[LLP_SNOOP_NOISE_RATIO] == u * gn.s.value / gn.g2.value, "noise ratio = u(B) S / |G|^2");
        CHECK(res.b_simple == gn.b_simple, "B_simple reported");
        if (gn.g2.value > 0)
            CHECK(rel(res.features[LLP_SNOOP_B_OVER_BSIMPLE], 8 / gn.b_simple) <= 1e-14, "= B / B_simple when defined");
    }
    /* synflow of the initialisation, by brute force in test_synflow */
    {
        double sf, lsf;
        CHECK_OK(llp_snoop_synflow(&p.m, p.m.theta, &sf, &lsf));
        CHECK(res.features[LLP_SNOOP_SYNFLOW] == sf && res.features[LLP_SNOOP_LOG_SYNFLOW] == lsf,
              "synflow feature = llp_snoop_synflow(theta_0)");
    }
    free(thk);
    free(mine);
    free(g);
    prob_free(&p);
}

/* ---- the default power iteration is a lower bound --------------------------- */

static void test_power_default(void) {
    uint64_t seed;
    double worst = 1;
    int over = 0;
    for (seed = 1; seed <= 5; seed++) {
        prob p;
        llp_opt_desc od;
        llp_snoop_desc sd;
        llp_snoop_result res;
        llp_real thk[43];
        double *H, top;
        prob_init(&p, LLP_ACT_TANH, 100 + seed);
        memset(&od, 0, sizeof od);
        od.kind = LLP_OPT_SGD, od.lr = 0.1;
        memset(&sd, 0, sizeof sd);
        sd.steps = 10, sd.seed = seed, sd.skip = LLP_SNOOP_SKIP_NOISE | LLP_SNOOP_SKIP_SHARP | LLP_SNOOP_SKIP_FD;
        CHECK_OK(llp_snoop(&p.m, p.m.theta, &p.data, &od, NULL, &sd, thk, &res));
        H = hessian(&p.f, thk, NULL);
        dominant(H, 43, &top);
        if (res.lambda > top * (1 + TOL(1e-12, 1e-5))) over++;
        if (res.lambda / top < worst) worst = res.lambda / top;
        CHECK(res.evals.hvp <= 11, "at most 10 power HVPs + 1 (%lu)", (unsigned long)res.evals.hvp);
        free(H);
        prob_free(&p);
    }
    CHECK(over == 0, "10 iterations never exceed lambda_max (a Rayleigh quotient)");
    CHECK(worst >= 0.9, "10 iterations reach 0.9 lambda_max (worst ratio %.4f)", worst);
}

/* ---- the preconditioned eigenvalue (Adam, RMSprop) --------------------------- */

static void test_precond(void) {
    int which;
    for (which = 0; which < 2; which++) {
        prob p;
        llp_opt_desc od;
        llp_snoop_desc sd;
        llp_snoop_result res;
        llp_opt o;
        llp_real thk[43], mine[43], *state;
        double *H, *A, pd[43], dom, top, bc2;
        const llp_real *s;
        size_t n = 43, i, j, k = 10;
        prob_init(&p, LLP_ACT_TANH, 21);
        memset(&od, 0, sizeof od);
        od.kind = which ? LLP_OPT_RMSPROP : LLP_OPT_ADAM, od.lr = 0.01;
        memset(&sd, 0, sizeof sd);
        sd.steps = k, sd.power_iters = 300, sd.seed = 9;
        CHECK_OK(llp_snoop(&p.m, p.m.theta, &p.data, &od, NULL, &sd, thk, &res));
        run_optimizer(&p.f, p.m.theta, &od, 0, 0, k, mine, &o, &state);
        CHECK(memcmp(mine, thk, sizeof thk) == 0, "%s: theta_k bit for bit", llp_opt_name(od.kind));
        s = which ? o.m : o.v;
        bc2 = which ? 1 : 1 - pow(0.999, (double)k);
        for (i = 0; i < n; i++) pd[i] = 1.0 / sqrt(sqrt((double)s[i] / bc2) + 1e-8);
        H = hessian(&p.f, thk, NULL);
        A = (double *)malloc(n * n * sizeof(double));
        for (i = 0; i < n; i++)
            for (j = 0; j < n; j++) A[i * n + j] = pd[i] * H[i * n + j] * pd[j];
        dom = dominant(A, n, &top);
        CHECK(rel(res.lambda_pre, top) <= (which ? TOL(1e-5, 1e-3) : TOL(1e-6, 1e-3)), "%s: top eigenvalue of P^1/2 H P^1/2: %.12g vs %.12g (dominant %g)",
              llp_opt_name(od.kind), res.lambda_pre, top, dom);
        if (which) CHECK(dom < 0 && -dom > top, "rmsprop: the dominant eigenvalue is negative here (%g): the shifted run is tested", dom);
        dom = dominant(H, n, &top);
        CHECK(rel(res.lambda, top) <= TOL(1e-6, 1e-3) && dom == top, "%s: raw lambda", llp_opt_name(od.kind));
        CHECK(res.lambda_pre > 5 * res.lambda, "%s: the preconditioner magnifies (%g vs %g)", llp_opt_name(od.kind),
              res.lambda_pre, res.lambda);
        CHECK(res.edge == (which ? 2.0 : (2 + 2 * 0.9) / (1 - 0.9)), "%s: edge %g", llp_opt_name(od.kind), res.edge);
        CHECK(rel(res.features[LLP_SNOOP_EDGE_RATIO], 0.01 * res.lambda_pre / res.edge) <= 1e-15, "edge ratio");
        CHECK(res.features[LLP_SNOOP_NOISE_RATIO] == 0, "full batch: no step noise (%g)", res.features[LLP_SNOOP_NOISE_RATIO]);
        free(A);
        free(H);
        free(state);
        prob_free(&p);
    }
}

/* ---- stability edges on a quadratic ------------------------------------------- */

static double run_quadratic(llp_landscape *ls, const llp_opt_desc *od, size_t steps) {
    llp_objective f = llp_landscape_objective(ls);
    llp_opt o;
    llp_real st[64], x[6], l;
    size_t i;
    llp_fill(1, x, 6);
    CHECK_OK(llp_opt_init(&o, od, 6, st, 64));
    for (i = 0; i < steps; i++)
        if (llp_opt_step(&o, &f, x, NULL, NULL) != LLP_OK) return HUGE_VAL;
    CHECK_OK(llp_landscape_eval(ls, x, &l, NULL));
    return l == l ? (double)l : HUGE_VAL;
}

static void test_edges(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f;
    llp_real x0[6], l0;
    int kind;
    llp_opt_kind kinds[3] = {LLP_OPT_SGD, LLP_OPT_MOMENTUM, LLP_OPT_NESTEROV};
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = 6, ld.cond = 100;
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    f = llp_landscape_objective(&ls);
    llp_fill(1, x0, 6);
    CHECK_OK(llp_landscape_eval(&ls, x0, &l0, NULL));
    for (kind = 0; kind < 3; kind++) {
        llp_opt_desc od;
        llp_snoop_desc sd;
        llp_snoop_result res;
        double lo, hi, lr_edge;
        memset(&od, 0, sizeof od);
        od.kind = kinds[kind], od.lr = 1e-3;
        memset(&sd, 0, sizeof sd);
        sd.steps = 5, sd.power_iters = 300;
        CHECK_OK(llp_snoop_objective(&f, NULL, x0, &od, NULL, &sd, NULL, &res));
        CHECK(rel(res.lambda, 100) <= TOL(1e-8, 1e-4), "%s: lambda_max of the quadratic = 100 (%.12g)",
              llp_opt_name(od.kind), res.lambda);
        CHECK(isnan_(res.features[LLP_SNOOP_B_OVER_BSIMPLE]) && isnan_(res.features[LLP_SNOOP_SYNFLOW]) &&
                  res.evals.batches == 0,
              "%s: no samples: no noise scale, no batches; no model: no synflow", llp_opt_name(od.kind));
        /* the rate where eta lambda_max / edge = 1 */
        lr_edge = od.lr / res.features[LLP_SNOOP_EDGE_RATIO];
        od.lr = 0.98 * lr_edge;
        lo = run_quadratic(&ls, &od, 2000);
        od.lr = 1.02 * lr_edge;
        hi = run_quadratic(&ls, &od, 2000);
        CHECK(lo < l0 && hi > 1e6 * l0, "%s: edge %g: converges at 0.98 (%g), blows up at 1.02 (%g)",
              llp_opt_name(od.kind), res.edge, lo, hi);
    }
    llp_landscape_free(&ls);
}

/* ---- exact counts through a wrapper of the test's own ------------------------- */

typedef struct counter {
    llp_objective base;
    size_t loss, grad, hvp, s_loss, s_grad, s_hvp;
} counter;

static size_t cbs(counter *c, const llp_batch *b) {
    if (!c->base.n_samples) return 1;
    return (!b || b->kind == LLP_BATCH_ALL) ? c->base.n_samples : b->count;
}
static llp_result c_lg(void *ctx, const llp_real *th, const llp_batch *b, llp_real *l, llp_real *g) {
    counter *c = (counter *)ctx;
    if (g)
        c->grad++, c->s_grad += cbs(c, b);
    else
        c->loss++, c->s_loss += cbs(c, b);
    return c->base.loss_grad(c->base.ctx, th, b, l, g);
}
static llp_result c_hvp(void *ctx, const llp_real *th, const llp_real *v, const llp_batch *b, llp_real *hv) {
    counter *c = (counter *)ctx;
    c->hvp++, c->s_hvp += cbs(c, b);
    return c->base.hvp(c->base.ctx, th, v, b, hv);
}
static llp_result c_block(void *ctx, const llp_real *th, const llp_real *V, size_t k, const llp_batch *b, llp_real *HV) {
    counter *c = (counter *)ctx;
    c->hvp += k, c->s_hvp += k * cbs(c, b);
    return c->base.hvp_block(c->base.ctx, th, V, k, b, HV);
}
/* the wrapper offers a block HVP, so a snoop that used one would be counted here */
static llp_objective counted(counter *c, const llp_objective *f, int with_hvp) {
    llp_objective w = *f;
    memset(c, 0, sizeof *c);
    c->base = *f;
    w.ctx = c;
    w.loss_grad = c_lg;
    w.hvp = with_hvp ? c_hvp : NULL;
    w.hvp_block = with_hvp && f->hvp_block ? c_block : NULL;
    return w;
}

static void check_counts(const counter *c, const llp_snoop_result *res, size_t N, const char *what) {
    double ge = (double)c->grad + 2.0 * c->hvp + 0.5 * c->loss;
    double de = ((double)c->s_grad + 2.0 * c->s_hvp + 0.5 * c->s_loss) / (double)N;
    CHECK(res->evals.loss == c->loss && res->evals.grad == c->grad && res->evals.hvp == c->hvp,
          "%s: evals (loss %lu grad %lu hvp %lu) = calls counted here (%lu %lu %lu)", what,
          (unsigned long)res->evals.loss, (unsigned long)res->evals.grad, (unsigned long)res->evals.hvp,
          (unsigned long)c->loss, (unsigned long)c->grad, (unsigned long)c->hvp);
    CHECK(res->cost.samples_loss == c->s_loss && res->cost.samples_grad == c->s_grad &&
              res->cost.samples_hvp == c->s_hvp,
          "%s: samples per kind (%lu %lu %lu vs %lu %lu %lu)", what, (unsigned long)res->cost.samples_loss,
          (unsigned long)res->cost.samples_grad, (unsigned long)res->cost.samples_hvp, (unsigned long)c->s_loss,
          (unsigned long)c->s_grad, (unsigned long)c->s_hvp);
    CHECK(rel(res->cost.grad_equiv, ge) <= 1e-15 && rel(res->cost.data_equiv, de) <= 1e-15,
          "%s: grad_equiv %g (%g), data_equiv %g (%g)", what, res->cost.grad_equiv, ge, res->cost.data_equiv, de);
    CHECK(res->train_cost.evals.grad + res->probe_cost.evals.grad == res->cost.evals.grad &&
              res->train_cost.evals.hvp + res->probe_cost.evals.hvp == res->cost.evals.hvp &&
              res->train_cost.evals.loss + res->probe_cost.evals.loss == res->cost.evals.loss &&
              res->train_cost.evals.batches + res->probe_cost.evals.batches == res->cost.evals.batches &&
              rel(res->train_cost.data_equiv + res->probe_cost.data_equiv, res->cost.data_equiv) <= 1e-14,
          "%s: train + probe = total", what);
    CHECK(memcmp(&res->evals, &res->cost.evals, sizeof res->evals) == 0, "%s: evals = cost.evals", what);
}

static void test_counts(void) {
    prob p;
    counter c;
    llp_objective w;
    llp_opt_desc od;
    llp_train_desc td;
    llp_snoop_desc sd;
    llp_snoop_result res;
    llp_real thk[43];
    size_t k = 15;
    prob_init(&p, LLP_ACT_TANH, 31);
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_ADAM, od.lr = 0.01;
    memset(&td, 0, sizeof td);
    td.batch_size = 8, td.seed = 4;
    memset(&sd, 0, sizeof sd);
    sd.steps = k, sd.probe_batch = 16, sd.seed = 2;
    /* everything, mini-batches, adaptive optimizer */
    w = counted(&c, &p.f, 1);
    CHECK_OK(llp_snoop_objective(&w, &p.m, p.m.theta, &od, &td, &sd, thk, &res));
    check_counts(&c, &res, 40, "adam");
    CHECK(res.train_cost.evals.grad == k && res.train_cost.samples_grad == 8 * k && res.train_cost.evals.hvp == 0 &&
              res.train_cost.evals.loss == 0 && res.train_cost.evals.batches == k,
          "the k steps: k gradients of 8 samples, k batches");
    CHECK(res.train_cost.data_equiv == 8.0 * k / 40, "train data_equiv = k B / N");
    /* probes: g(theta_0), g(theta_k), 8 noise pairs, 1 + 4 FD; 1 + 8 losses;
       <= 10 + 10 power HVPs + 1 */
    CHECK(res.probe_cost.evals.grad == 1 + 1 + 16 + 5 && res.probe_cost.evals.loss == 9,
          "probe gradients 23 (%lu), losses 9 (%lu)", (unsigned long)res.probe_cost.evals.grad,
          (unsigned long)res.probe_cost.evals.loss);
    CHECK(res.probe_cost.evals.hvp >= 3 && res.probe_cost.evals.hvp <= 21 &&
              res.probe_cost.samples_hvp == 16 * res.probe_cost.evals.hvp,
          "HVPs on the probe batch of 16 (%lu)", (unsigned long)res.probe_cost.evals.hvp);
    CHECK(res.probe_cost.evals.batches == 1 + 16, "batches: the probe batch + 2 per noise pair (%lu)",
          (unsigned long)res.probe_cost.evals.batches);
    /* every probe skipped */
    sd.skip = 63;
    w = counted(&c, &p.f, 1);
    CHECK_OK(llp_snoop_objective(&w, &p.m, p.m.theta, &od, &td, &sd, thk, &res));
    check_counts(&c, &res, 40, "skip all");
    CHECK(res.evals.grad == k + 2 && res.evals.hvp == 0 && res.evals.loss == 0 && res.evals.batches == k + 1,
          "skip all: k + 2 gradients, nothing else");
    CHECK(isnan_(res.features[LLP_SNOOP_ETA_LMAX]) && isnan_(res.features[LLP_SNOOP_ETA_GHG]) &&
              isnan_(res.features[LLP_SNOOP_B_OVER_BSIMPLE]) && isnan_(res.features[LLP_SNOOP_SHARP_REL]) &&
              isnan_(res.features[LLP_SNOOP_ETA_FD]) && !isnan_(res.features[LLP_SNOOP_LOSSK]),
          "skipped features are NaN, the rest is there");
    /* SAM: two gradients a step; SGD: no preconditioned iteration */
    sd.skip = 0;
    od.kind = LLP_OPT_SGD, od.sam = LLP_SAM;
    w = counted(&c, &p.f, 1);
    CHECK_OK(llp_snoop_objective(&w, &p.m, p.m.theta, &od, &td, &sd, thk, &res));
    check_counts(&c, &res, 40, "sgd+sam");
    CHECK(res.train_cost.evals.grad == 2 * k && res.train_cost.evals.batches == k, "SAM: 2 gradients per step");
    CHECK(res.probe_cost.evals.hvp <= 11, "SGD: one power iteration");
    /* an objective without an hvp: each product is two gradients, counted as such */
    od.sam = LLP_SAM_NONE;
    w = counted(&c, &p.f, 0);
    CHECK_OK(llp_snoop_objective(&w, &p.m, p.m.theta, &od, &td, &sd, thk, &res));
    check_counts(&c, &res, 40, "no hvp");
    CHECK(res.evals.hvp == 0 && res.probe_cost.evals.grad > 23 && (res.probe_cost.evals.grad - 23) % 2 == 0,
          "no hvp: products are gradient pairs (%lu gradients)", (unsigned long)res.probe_cost.evals.grad);
    CHECK(!isnan_(res.features[LLP_SNOOP_ETA_LMAX]) && !isnan_(res.features[LLP_SNOOP_ETA_GHG]),
          "no hvp: curvature by finite differences");
    prob_free(&p);
}

/* ---- divergence ---------------------------------------------------------------- */

static void test_divergence(void) {
    prob p;
    llp_opt_desc od;
    llp_train_desc td;
    llp_snoop_desc sd;
    llp_snoop_result good, res;
    llp_real thk[43], keep[43];
    counter c;
    llp_objective w;
    int i, nan_k = 1;
    prob_init(&p, LLP_ACT_RELU, 41);
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_SGD, od.lr = 0.05;
    memset(&td, 0, sizeof td);
    td.batch_size = 8, td.seed = 1;
    memset(&sd, 0, sizeof sd);
    sd.steps = 20, sd.seed = 3;
    CHECK_OK(llp_snoop(&p.m, p.m.theta, &p.data, &od, &td, &sd, thk, &good));
    CHECK(good.diverged == 0, "a sane rate does not diverge");
    od.lr = 1e6;
    for (i = 0; i < 43; i++) thk[i] = (llp_real)-7;
    w = counted(&c, &p.f, 1);
    CHECK_OK(llp_snoop_objective(&w, &p.m, p.m.theta, &od, &td, &sd, thk, &res));
    CHECK(res.diverged == 1 && res.steps_done < 20, "lr 1e6: diverged after %lu steps", (unsigned long)res.steps_done);
    CHECK(memcmp(thk, p.m.theta, sizeof thk) == 0, "theta_k receives theta_0 on divergence");
    for (i = 0; i < LLP_SNOOP_N_FEATURES; i++) {
        int at0 = i == LLP_SNOOP_LOSS0 || i == LLP_SNOOP_GRAD_NORM0 || i == LLP_SNOOP_SNIP || i == LLP_SNOOP_SYNFLOW ||
                  i == LLP_SNOOP_LOG_SYNFLOW;
        if (at0 && !(res.features[i] == good.features[i])) nan_k = 0;
        if (!at0 && !isnan_(res.features[i])) nan_k = 0;
    }
    CHECK(nan_k, "theta_0 features as in the sane run, every theta_k feature NaN");
    check_counts(&c, &res, 40, "diverged");
    CHECK(res.probe_cost.evals.grad == 1 && res.probe_cost.evals.hvp == 0 && res.probe_cost.evals.loss == 0 &&
              res.probe_cost.evals.batches == 0,
          "diverged: only the gradient at theta_0 besides the steps");
    CHECK(res.train_cost.evals.grad == res.steps_done + 1 && res.train_cost.evals.batches == res.steps_done + 1,
          "the failed step's gradient and batch are counted (%lu grads, %lu steps)",
          (unsigned long)res.train_cost.evals.grad, (unsigned long)res.steps_done);
    /* in place: theta_0 itself stays */
    memcpy(keep, p.m.theta, sizeof keep);
    CHECK_OK(llp_snoop(&p.m, p.m.theta, &p.data, &od, &td, &sd, p.m.theta, &res));
    CHECK(res.diverged && memcmp(keep, p.m.theta, sizeof keep) == 0, "in place: theta_0 restored");
    /* a loss that is already infinite at theta_0: ReLU overflows */
    {
        llp_real big[43];
        for (i = 0; i < 43; i++) big[i] = (llp_real)(LLP_REAL_IS_FLOAT ? 1e30 : 1e200);
        od.lr = 0.05;
        w = counted(&c, &p.f, 1);
        CHECK_OK(llp_snoop_objective(&w, &p.m, big, &od, &td, &sd, thk, &res));
        CHECK(res.diverged == 1 && res.steps_done == 0 && res.train_cost.evals.grad == 0 && res.evals.grad == 1,
              "non-finite loss at theta_0: diverged, no step run (%lu grads)", (unsigned long)res.evals.grad);
        CHECK(!(res.features[LLP_SNOOP_LOSS0] - res.features[LLP_SNOOP_LOSS0] == 0) &&
                  isnan_(res.features[LLP_SNOOP_LOSSK]),
              "loss0 as evaluated (%g), theta_k features NaN", res.features[LLP_SNOOP_LOSS0]);
        CHECK(memcmp(thk, big, sizeof thk) == 0, "theta_k = theta_0");
    }
    /* the landscape: a rate 100 times the edge */
    {
        llp_landscape ls;
        llp_landscape_desc ld;
        llp_objective f;
        llp_real x0[6];
        memset(&ld, 0, sizeof ld);
        ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = 6, ld.cond = 100;
        CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
        f = llp_landscape_objective(&ls);
        llp_fill(1, x0, 6);
        od.lr = 2;
        CHECK_OK(llp_snoop_objective(&f, NULL, x0, &od, NULL, &sd, NULL, &res));
        CHECK(res.diverged == 1 && res.steps_done >= 1 && res.steps_done < 20,
              "quadratic at eta lambda = 200: diverged after %lu steps", (unsigned long)res.steps_done);
        llp_landscape_free(&ls);
    }
    prob_free(&p);
}

/* f(x) = x^2 / 2 in 1-D, NaN beyond |x| >= 5: the trainer never evaluates
   its last iterate, so a run that lands there passes the trainer and fails
   the probe at theta_k. */
static llp_result cliff_lg(void *ctx, const llp_real *th, const llp_batch *b, llp_real *l, llp_real *g) {
    double x = th[0];
    (void)ctx, (void)b;
    *l = (llp_real)(fabs(x) >= 5 ? NAN : 0.5 * x * x);
    if (g) g[0] = (llp_real)(fabs(x) >= 5 ? NAN : x);
    return LLP_OK;
}

/* an infinite loss with a finite gradient */
static llp_result inf_lg(void *ctx, const llp_real *th, const llp_batch *b, llp_real *l, llp_real *g) {
    (void)ctx, (void)b;
    *l = (llp_real)HUGE_VAL;
    if (g) g[0] = th[0];
    return LLP_OK;
}

static void test_divergence_at_k(void) {
    llp_objective f = llp_objective_from_callbacks(1, 0, cliff_lg, NULL, NULL);
    llp_opt_desc od;
    llp_snoop_desc sd;
    llp_snoop_result res;
    llp_real x0 = 1, xk = 0;
    memset(&od, 0, sizeof od);
    od.lr = 3; /* x -> -2 x: 1, -2, 4, -8 */
    memset(&sd, 0, sizeof sd);
    sd.steps = 3;
    CHECK_OK(llp_snoop_objective(&f, NULL, &x0, &od, NULL, &sd, &xk, &res));
    CHECK(res.diverged == 1 && res.steps_done == 3 && xk == 1 && isnan_(res.features[LLP_SNOOP_LOSSK]) &&
              res.features[LLP_SNOOP_LOSS0] == 0.5,
          "NaN probe loss at theta_k: diverged after 3 passed steps, theta_k = theta_0 (%g)", (double)xk);
    CHECK(res.train_cost.evals.grad == 3 && res.probe_cost.evals.grad == 2 && res.evals.hvp == 0 && res.evals.loss == 0,
          "cost: 3 steps, the gradients at theta_0 and theta_k, no probe after");
    f = llp_objective_from_callbacks(1, 0, inf_lg, NULL, NULL);
    CHECK_OK(llp_snoop_objective(&f, NULL, &x0, &od, NULL, &sd, &xk, &res));
    CHECK(res.diverged == 1 && res.steps_done == 0 && res.evals.grad == 1 && res.features[LLP_SNOOP_LOSS0] == HUGE_VAL &&
              res.features[LLP_SNOOP_GRAD_NORM0] == 1,
          "infinite loss, finite gradient at theta_0: diverged before any step (loss0 %g)", res.features[LLP_SNOOP_LOSS0]);
}

/* ---- soft failures: MAE has no HVP ------------------------------------------- */

static void test_mae(void) {
    llp_mlp_desc md;
    llp_mlp m;
    llp_data data;
    llp_rng rng;
    llp_opt_desc od;
    llp_snoop_result res;
    memset(&md, 0, sizeof md);
    md.n_layers = 2, md.sizes[0] = 1, md.sizes[1] = 6, md.sizes[2] = 1, md.act = LLP_ACT_TANH, md.loss = LLP_LOSS_MAE;
    llp_rng_seed(&rng, 8);
    CHECK_OK(llp_mlp_init(&m, &md));
    llp_mlp_randomize(&m, m.theta, &rng);
    CHECK_OK(llp_data_sine(&data, 30, 0.1, &rng));
    memset(&od, 0, sizeof od);
    od.lr = 0.05;
    CHECK_OK(llp_snoop(&m, m.theta, &data, &od, NULL, NULL, NULL, &res));
    CHECK(res.diverged == 0 && isnan_(res.features[LLP_SNOOP_ETA_LMAX]) && isnan_(res.features[LLP_SNOOP_ETA_GHG]) &&
              isnan_(res.features[LLP_SNOOP_EDGE_RATIO]),
          "MAE: the HVP features are NaN");
    CHECK(!isnan_(res.features[LLP_SNOOP_ETA_FD]) && !isnan_(res.features[LLP_SNOOP_SHARP_REL]) &&
              !isnan_(res.features[LLP_SNOOP_B_OVER_BSIMPLE]) && !isnan_(res.features[LLP_SNOOP_LOSSK]),
          "MAE: gradient and loss features are there");
    llp_data_free(&data);
    llp_mlp_free(&m);
}

/* ---- synflow by brute force ---------------------------------------------------- */

/* R = 1^T a_L of the linear network with |theta|, input all ones. */
static double syn_R(const llp_mlp *m, const llp_real *th) {
    double a[64], z[64], R = 0;
    int l;
    size_t i, j;
    for (i = 0; i < (size_t)m->sizes[0]; i++) a[i] = 1;
    for (l = 0; l < m->n_layers; l++) {
        size_t in = (size_t)m->sizes[l], out = (size_t)m->sizes[l + 1];
        for (i = 0; i < out; i++) {
            z[i] = fabs((double)th[m->b_off[l] + i]);
            for (j = 0; j < in; j++) z[i] += fabs((double)th[m->w_off[l] + i * in + j]) * a[j];
        }
        for (i = 0; i < out; i++) a[i] = z[i];
    }
    for (i = 0; i < (size_t)m->sizes[m->n_layers]; i++) R += a[i];
    return R;
}

/* sum over weights of |theta_i| dR/d|theta_i|, the derivative as the
   difference R(t_i + 2) - R(t_i + 1) (exact up to rounding: R is affine in
   each single coordinate, and both points are positive). */
static double syn_brute(const llp_mlp *m, const llp_real *theta) {
    double *t = (double *)malloc(m->n_params * sizeof(double)), s = 0;
    llp_real *x = (llp_real *)malloc(m->n_params * sizeof(llp_real));
    int l;
    size_t i, q;
    for (i = 0; i < m->n_params; i++) t[i] = fabs((double)theta[i]);
    for (l = 0; l < m->n_layers; l++)
        for (q = 0; q < (size_t)m->sizes[l] * (size_t)m->sizes[l + 1]; q++) {
            size_t c = m->w_off[l] + q;
            double up, dn;
            for (i = 0; i < m->n_params; i++) x[i] = (llp_real)t[i];
            x[c] = (llp_real)(t[c] + 1);
            up = syn_R(m, x);
            x[c] = (llp_real)(t[c] + 2);
            dn = syn_R(m, x);
            s += t[c] * (dn - up); /* the slope: both points have |x_c| = x_c, where R is affine */
        }
    free(t);
    free(x);
    return s;
}

static void test_synflow(void) {
    llp_mlp_desc md;
    llp_mlp m, m2;
    llp_rng rng;
    double sf, lsf, sf2, lsf2, ref;
    size_t i;
    int l;
    memset(&md, 0, sizeof md);
    md.n_layers = 3, md.sizes[0] = 4, md.sizes[1] = 6, md.sizes[2] = 5, md.sizes[3] = 3, md.act = LLP_ACT_TANH;
    llp_rng_seed(&rng, 12);
    CHECK_OK(llp_mlp_init(&m, &md));
    llp_mlp_randomize(&m, m.theta, &rng);
    /* zero biases: brute force and Euler's identity synflow = L R */
    CHECK_OK(llp_snoop_synflow(&m, m.theta, &sf, &lsf));
    ref = syn_brute(&m, m.theta);
    CHECK(rel(sf, ref) <= TOL(1e-12, 1e-5), "synflow = brute force: %.15g vs %.15g", sf, ref);
    CHECK(rel(sf, 3 * syn_R(&m, m.theta)) <= TOL(1e-12, 1e-5), "zero biases: synflow = L R");
    CHECK(rel(lsf, log(sf)) <= 1e-14, "log_synflow = log synflow");
    /* signed random biases: in the forward pass, not scored */
    for (l = 0; l < m.n_layers; l++)
        for (i = 0; i < (size_t)m.sizes[l + 1]; i++) m.theta[m.b_off[l] + i] = (llp_real)llp_rng_normal(&rng);
    CHECK_OK(llp_snoop_synflow(&m, m.theta, &sf, &lsf));
    ref = syn_brute(&m, m.theta);
    CHECK(rel(sf, ref) <= TOL(1e-12, 1e-5), "with biases: synflow = brute force: %.15g vs %.15g", sf, ref);
    CHECK(sf < 3 * syn_R(&m, m.theta), "with biases: synflow < L R (the bias paths are not scored)");
    /* activation-free: a ReLU network of the same weights has the same score */
    md.act = LLP_ACT_RELU;
    CHECK_OK(llp_mlp_init(&m2, &md));
    llp_copy(m.theta, m2.theta, m.n_params);
    CHECK_OK(llp_snoop_synflow(&m2, m2.theta, &sf2, &lsf2));
    CHECK(sf2 == sf, "activation-free");
    llp_mlp_free(&m2);
    llp_mlp_free(&m);
    /* deep: 12 layers of 16, weights times c; zero biases: S(c theta) = c^12 S(theta) */
    {
        double c = LLP_REAL_IS_FLOAT ? 1e25 : 1e60;
        memset(&md, 0, sizeof md);
        md.n_layers = 12;
        for (l = 0; l <= 12; l++) md.sizes[l] = 16;
        CHECK_OK(llp_mlp_init(&m, &md));
        llp_mlp_randomize(&m, m.theta, &rng);
        CHECK_OK(llp_snoop_synflow(&m, m.theta, &sf, &lsf));
        CHECK(rel(sf, syn_brute(&m, m.theta)) <= TOL(1e-11, 1e-4), "deep: brute force");
        for (i = 0; i < m.n_params; i++) m.theta[i] = (llp_real)(m.theta[i] * c);
        CHECK_OK(llp_snoop_synflow(&m, m.theta, &sf2, &lsf2));
        CHECK(sf2 == HUGE_VAL && lsf2 - lsf2 == 0, "deep and large: synflow overflows (%g), its log does not (%g)", sf2,
              lsf2);
        CHECK(fabs(lsf2 - (lsf + 12 * log(c))) <= TOL(1e-12, 1e-5) * fabs(lsf2),
              "log S(c theta) = log S(theta) + 12 log c: %.15g vs %.15g", lsf2, lsf + 12 * log(c));
        llp_fill(0, m.theta, m.n_params);
        CHECK_OK(llp_snoop_synflow(&m, m.theta, &sf, &lsf));
        CHECK(sf == 0 && lsf == -HUGE_VAL, "all zero: synflow 0, log -inf");
        CHECK(llp_snoop_synflow(NULL, m.theta, &sf, &lsf) == LLP_ERR_ARG && llp_snoop_synflow(&m, NULL, &sf, &lsf) == LLP_ERR_ARG,
              "NULLs");
        m.theta[3] = (llp_real)NAN;
        CHECK(llp_snoop_synflow(&m, m.theta, &sf, &lsf) == LLP_ERR_NONFINITE, "NaN theta");
        llp_mlp_free(&m);
    }
}

/* ---- checkpoint: the snoop's run continues exactly ---------------------------- */

static void test_checkpoint(void) {
    prob p;
    llp_opt_desc od;
    llp_train_desc td;
    llp_snoop_desc sd;
    llp_snoop_result res;
    llp_trainer tr;
    llp_real a[43], b[43];
    const char *path = "snoop_test.ckpt";
    prob_init(&p, LLP_ACT_TANH, 51);
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_ADAM, od.lr = 0.02;
    memset(&td, 0, sizeof td);
    td.batch_size = 6, td.seed = 13, td.max_steps = 25, td.epochs = 100;
    memset(&sd, 0, sizeof sd);
    sd.steps = 9, sd.ckpt_path = path, sd.skip = 63;
    CHECK_OK(llp_snoop(&p.m, p.m.theta, &p.data, &od, &td, &sd, a, &res));
    /* uninterrupted 25 steps */
    llp_copy(p.m.theta, b, 43);
    CHECK_OK(llp_trainer_init(&tr, &td, &p.f, NULL, &od, b));
    CHECK_OK(llp_trainer_run(&tr));
    llp_trainer_free(&tr);
    /* 9 snooped + 16 more from the checkpoint */
    CHECK_OK(llp_trainer_init(&tr, &td, &p.f, NULL, &od, a));
    CHECK_OK(llp_trainer_load(&tr, path, NULL));
    CHECK(tr.step == 9, "the checkpoint is at step 9 (%lu)", (unsigned long)tr.step);
    CHECK_OK(llp_trainer_run(&tr));
    CHECK(tr.step == 25 && memcmp(a, b, sizeof a) == 0, "9 snooped + 16 resumed = 25 uninterrupted, bit for bit");
    llp_trainer_free(&tr);
    remove(path);
    prob_free(&p);
}

/* ---- determinism --------------------------------------------------------------- */

static void test_determinism(void) {
    prob p;
    llp_opt_desc od;
    llp_train_desc td;
    llp_snoop_desc sd;
    llp_snoop_result r1, r2, r3;
    llp_real a[43], b[43], c[43];
    prob_init(&p, LLP_ACT_TANH, 61);
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_NESTEROV, od.lr = 0.05;
    memset(&td, 0, sizeof td);
    td.batch_size = 10, td.seed = 2;
    memset(&sd, 0, sizeof sd);
    sd.steps = 8, sd.seed = 99;
    CHECK_OK(llp_snoop(&p.m, p.m.theta, &p.data, &od, &td, &sd, a, &r1));
    CHECK_OK(llp_snoop(&p.m, p.m.theta, &p.data, &od, &td, &sd, b, &r2));
    CHECK(memcmp(r1.features, r2.features, sizeof r1.features) == 0 && memcmp(a, b, sizeof a) == 0 &&
              memcmp(&r1.cost, &r2.cost, sizeof r1.cost) == 0,
          "same seeds: same bits");
    sd.seed = 100; /* probes only: P = N, so the losses and theta_k stay */
    CHECK_OK(llp_snoop(&p.m, p.m.theta, &p.data, &od, &td, &sd, c, &r3));
    CHECK(memcmp(a, c, sizeof a) == 0 && r3.features[LLP_SNOOP_LOSSK] == r1.features[LLP_SNOOP_LOSSK] &&
              r3.features[LLP_SNOOP_SHARP_REL] != r1.features[LLP_SNOOP_SHARP_REL],
          "another probe seed: same theta_k and losses, other sharpness draws");
    prob_free(&p);
}

/* ---- bad arguments ----------------------------------------------------------- */

static void test_bad_args(void) {
    prob p;
    llp_opt_desc od, bad_od;
    llp_snoop_desc sd, bsd;
    llp_snoop_result res, sentinel;
    llp_real out[43], out_s[43], th[43];
    llp_data d3;
    llp_rng rng;
    llp_objective fshort;
    int i, untouched = 1;
    prob_init(&p, LLP_ACT_TANH, 71);
    memset(&od, 0, sizeof od);
    od.lr = 0.05;
    memset(&sd, 0, sizeof sd);
    sd.steps = 3;
    memset(&sentinel, 0xAB, sizeof sentinel);
    for (i = 0; i < 43; i++) out_s[i] = (llp_real)(i + 0.5);
#define BAD(expr, code, what)                                                                    \
    do {                                                                                         \
        memcpy(&res, &sentinel, sizeof res);                                                     \
        memcpy(out, out_s, sizeof out);                                                          \
        CHECK((expr) == (code), "%s -> %d", what, (int)(code));                                  \
        if (memcmp(&res, &sentinel, sizeof res) != 0 || memcmp(out, out_s, sizeof out) != 0) untouched = 0; \
    } while (0)
    BAD(llp_snoop(NULL, p.m.theta, &p.data, &od, NULL, &sd, out, &res), LLP_ERR_ARG, "NULL model");
    BAD(llp_snoop(&p.m, NULL, &p.data, &od, NULL, &sd, out, &res), LLP_ERR_ARG, "NULL theta");
    BAD(llp_snoop(&p.m, p.m.theta, NULL, &od, NULL, &sd, out, &res), LLP_ERR_ARG, "NULL data");
    BAD(llp_snoop(&p.m, p.m.theta, &p.data, NULL, NULL, &sd, out, &res), LLP_ERR_ARG, "NULL optimizer");
    BAD(llp_snoop(&p.m, p.m.theta, &p.data, &od, NULL, &sd, out, NULL), LLP_ERR_ARG, "NULL result");
    BAD(llp_snoop_objective(NULL, &p.m, p.m.theta, &od, NULL, &sd, out, &res), LLP_ERR_ARG, "NULL objective");
    bad_od = od, bad_od.lr = 0;
    BAD(llp_snoop(&p.m, p.m.theta, &p.data, &bad_od, NULL, &sd, out, &res), LLP_ERR_ARG, "lr 0");
    bad_od = od, bad_od.lr = NAN;
    BAD(llp_snoop(&p.m, p.m.theta, &p.data, &bad_od, NULL, &sd, out, &res), LLP_ERR_ARG, "lr NaN");
    bad_od = od, bad_od.beta1 = 1.5, bad_od.kind = LLP_OPT_ADAM;
    BAD(llp_snoop(&p.m, p.m.theta, &p.data, &bad_od, NULL, &sd, out, &res), LLP_ERR_ARG, "beta1 1.5");
    bsd = sd, bsd.probe_batch = 41;
    BAD(llp_snoop(&p.m, p.m.theta, &p.data, &od, NULL, &bsd, out, &res), LLP_ERR_ARG, "P > N");
    bsd = sd, bsd.noise_pairs = 1;
    BAD(llp_snoop(&p.m, p.m.theta, &p.data, &od, NULL, &bsd, out, &res), LLP_ERR_ARG, "one noise pair");
    bsd = sd, bsd.sharp_rho = -1;
    BAD(llp_snoop(&p.m, p.m.theta, &p.data, &od, NULL, &bsd, out, &res), LLP_ERR_ARG, "rho < 0");
    bsd = sd, bsd.sharp_rho = NAN;
    BAD(llp_snoop(&p.m, p.m.theta, &p.data, &od, NULL, &bsd, out, &res), LLP_ERR_ARG, "rho NaN");
    bsd = sd, bsd.skip = 64;
    BAD(llp_snoop(&p.m, p.m.theta, &p.data, &od, NULL, &bsd, out, &res), LLP_ERR_ARG, "unknown skip flag");
    bsd = sd, bsd.ckpt_path = "no_such_dir_snoop/x.ckpt";
    BAD(llp_snoop(&p.m, p.m.theta, &p.data, &od, NULL, &bsd, out, &res), LLP_ERR_IO, "unwritable checkpoint");
    /* shapes */
    llp_rng_seed(&rng, 1);
    CHECK_OK(llp_data_blobs(&d3, 40, 3, 3, 1.0, &rng));
    BAD(llp_snoop(&p.m, p.m.theta, &d3, &od, NULL, &sd, out, &res), LLP_ERR_SHAPE, "data of 3 features for 4 inputs");
    llp_data_free(&d3);
    fshort = p.f, fshort.n = 42;
    BAD(llp_snoop_objective(&fshort, &p.m, p.m.theta, &od, NULL, &sd, out, &res), LLP_ERR_SHAPE, "objective vs model");
    llp_copy(p.m.theta, th, 43);
    th[5] = (llp_real)NAN;
    BAD(llp_snoop(&p.m, th, &p.data, &od, NULL, &sd, out, &res), LLP_ERR_NONFINITE, "NaN in theta_0");
    /* settings are checked before any work: no objective call */
    {
        counter c;
        llp_objective w = counted(&c, &p.f, 1);
        size_t calls = 0;
        bsd = sd, bsd.sharp_rho = -1;
        BAD(llp_snoop_objective(&w, &p.m, p.m.theta, &od, NULL, &bsd, out, &res), LLP_ERR_ARG, "rho < 0 (wrapped)");
        calls += c.grad + c.loss + c.hvp;
        bsd = sd, bsd.probe_batch = 41;
        BAD(llp_snoop_objective(&w, &p.m, p.m.theta, &od, NULL, &bsd, out, &res), LLP_ERR_ARG, "P > N (wrapped)");
        calls += c.grad + c.loss + c.hvp;
        bsd = sd, bsd.noise_pairs = 1;
        BAD(llp_snoop_objective(&w, &p.m, p.m.theta, &od, NULL, &bsd, out, &res), LLP_ERR_ARG, "one pair (wrapped)");
        calls += c.grad + c.loss + c.hvp;
        bad_od = od, bad_od.lr = -1;
        BAD(llp_snoop_objective(&w, &p.m, p.m.theta, &bad_od, NULL, &sd, out, &res), LLP_ERR_ARG, "lr < 0 (wrapped)");
        calls += c.grad + c.loss + c.hvp;
        BAD(llp_snoop_objective(&w, NULL, th, &od, NULL, &sd, out, &res), LLP_ERR_NONFINITE, "NaN theta_0 (wrapped)");
        calls += c.grad + c.loss + c.hvp;
        bad_od = od, bad_od.beta1 = 1.5, bad_od.kind = LLP_OPT_ADAM;
        BAD(llp_snoop_objective(&w, &p.m, p.m.theta, &bad_od, NULL, &sd, out, &res), LLP_ERR_ARG, "beta1 1.5 (wrapped)");
        calls += c.grad + c.loss + c.hvp;
        CHECK(calls == 0, "bad settings fail before any objective call (%lu calls)", (unsigned long)calls);
    }
#undef BAD
    CHECK(untouched, "theta_k and the result untouched on every error");
    /* defaults: NULL train and snoop descriptors */
    CHECK_OK(llp_snoop(&p.m, p.m.theta, &p.data, &od, NULL, NULL, NULL, &res));
    CHECK(res.steps == 50 && res.steps_done == 50 && res.probe_batch == 40 && res.batch_size == 40 &&
              res.train_cost.evals.grad == 50 && res.train_cost.evals.batches == 0,
          "defaults: 50 full-batch steps, P = N");
    /* names */
    {
        int dup = 0, j;
        for (i = 0; i < LLP_SNOOP_N_FEATURES; i++)
            for (j = 0; j < i; j++)
                if (strcmp(llp_snoop_feature_name(i), llp_snoop_feature_name(j)) == 0) dup++;
        CHECK(dup == 0 && strcmp(llp_snoop_feature_name(LLP_SNOOP_ETA_LMAX), "eta_lmax") == 0 &&
                  strcmp(llp_snoop_feature_name(LLP_SNOOP_LOG_SYNFLOW), "log_synflow") == 0 &&
                  strcmp(llp_snoop_feature_name(-1), "unknown") == 0 &&
                  strcmp(llp_snoop_feature_name(LLP_SNOOP_N_FEATURES), "unknown") == 0,
              "feature names distinct and stable");
    }
    prob_free(&p);
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_reference_values);
    LLP_RUN(test_power_default);
    LLP_RUN(test_precond);
    LLP_RUN(test_edges);
    LLP_RUN(test_counts);
    LLP_RUN(test_divergence);
    LLP_RUN(test_divergence_at_k);
    LLP_RUN(test_mae);
    LLP_RUN(test_synflow);
    LLP_RUN(test_checkpoint);
    LLP_RUN(test_determinism);
    LLP_RUN(test_bad_args);
    return llp_test_summary();
}
