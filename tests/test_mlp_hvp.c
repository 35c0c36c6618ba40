/* test_mlp_hvp.c — the MLP's exact Hessian-vector product and Gauss–Newton
   product against independent references.

   References: central differences of the gradient (g(theta + h v) -
   g(theta - h v)) / 2h; the Jacobian of the network outputs by central
   differences of llp_mlp_forward, combined with the loss Hessians in closed
   form (MSE 2/k I, softmax diag(p) - p p^T, BCE s(1-s)); a Jacobi eigenvalue
   routine written here. Every random draw comes from llp_rng with a fixed
   seed.

   Float build (LLPROBE_FLOAT): the products are computed in float (eps =
   1.2e-7), so identities that hold "up to rounding" get a small multiple of
   float's rounding, and every central difference uses h = 2^-8 = 3.9e-3
   instead of 1e-5: float gradients and outputs carry ~eps |g| of rounding,
   so the difference's rounding error eps |g| / h would be ~1e-2 with
   h = 1e-5, while h ~ eps^(1/3) balances it against the O(h^2) truncation.
   Each tolerance below names its measured worst case. */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"

#include <stdlib.h>

/* ---------------------------------------------------------------- helpers */

#define N_ACTS 7
static const llp_act all_acts[N_ACTS] = {LLP_ACT_IDENTITY, LLP_ACT_RELU,     LLP_ACT_LEAKY_RELU, LLP_ACT_TANH,
                                         LLP_ACT_SIGMOID,  LLP_ACT_SOFTPLUS, LLP_ACT_GELU};

enum target_kind { T_REG_NORMAL, T_CLASS_MULTI, T_CLASS_BINARY };

#define LEAKY_SLOPE 0.1

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

static double dot(const llp_real *a, const llp_real *b, size_t n) {
    double s = 0;
    size_t i;
    for (i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

static double nrm(const llp_real *a, size_t n) { return sqrt(dot(a, a, n)); }

static void unit_random(llp_rng *rng, llp_real *v, size_t n) {
    size_t i;
    double s;
    llp_rng_fill_normal(rng, v, n);
    s = nrm(v, n);
    for (i = 0; i < n; i++) v[i] = (llp_real)(v[i] / s);
}

static llp_real *alloc_vec(size_t n) { return (llp_real *)calloc(n ? n : 1, sizeof(llp_real)); }

/* A case: data, model, workspace, theta. */
typedef struct tcase {
    llp_data data;
    llp_mlp m;
    llp_mlp_work w;
    llp_real *theta;
    size_t n;
} tcase;

static int setup_case(tcase *c, const int *sizes, int n_layers, llp_act act, llp_loss loss, int target, double wd,
                      size_t n, size_t max_batch, uint64_t seed) {
    llp_mlp_desc md;
    llp_rng rng;
    size_t i, d = (size_t)sizes[0], k = (size_t)sizes[n_layers];
    int l;
    memset(c, 0, sizeof *c);
    llp_rng_seed(&rng, seed);
    if (target == T_REG_NORMAL) {
        if (llp_data_alloc(&c->data, n, d, LLP_TASK_REGRESSION, k) != LLP_OK) return 0;
        llp_rng_fill_normal(&rng, c->data.x, n * d);
        llp_rng_fill_normal(&rng, c->data.y, n * k);
    } else {
        if (llp_data_blobs(&c->data, n, d, target == T_CLASS_BINARY ? 2 : k, 1.0, &rng) != LLP_OK) return 0;
        for (i = 0; i < n * d; i++) c->data.x[i] *= (llp_real)0.3;
    }
    memset(&md, 0, sizeof md);
    md.n_layers = n_layers;
    for (l = 0; l <= n_layers; l++) md.sizes[l] = sizes[l];
    md.act = act;
    md.loss = loss;
    md.weight_decay = wd;
    md.leaky_slope = LEAKY_SLOPE;
    if (llp_mlp_init(&c->m, &md) != LLP_OK) return 0;
    if (llp_mlp_work_init(&c->w, &c->m, max_batch) != LLP_OK) return 0;
    c->n = c->m.n_params;
    c->theta = alloc_vec(c->n);
    return 1;
}

/* theta = initialisation + N(0, 0.1^2) on every entry (biases too). */
static void draw_theta(tcase *c, uint64_t seed) {
    llp_rng rng;
    size_t i;
    llp_rng_seed(&rng, seed);
    llp_mlp_randomize(&c->m, c->theta, &rng);
    for (i = 0; i < c->n; i++) c->theta[i] += (llp_real)(0.1 * llp_rng_normal(&rng));
}

static void free_case(tcase *c) {
    free(c->theta);
    llp_mlp_work_free(&c->w);
    llp_mlp_free(&c->m);
    llp_data_free(&c->data);
}

/* Signs of every hidden pre-activation (B x hidden units) of a relu or leaky
   relu net, from an independent forward pass written from the documented
   layout; used to make sure a finite-difference step does not cross a kink.
   Returns the count. */
static size_t hidden_signs(const tcase *c, const llp_real *theta, unsigned char *sig) {
    const llp_mlp *m = &c->m;
    size_t s, cnt = 0, off = 0, woff[LLP_MAX_LAYERS], boff[LLP_MAX_LAYERS];
    int l, i, o;
    for (l = 0; l < m->n_layers; l++) {
        woff[l] = off;
        off += (size_t)m->sizes[l] * (size_t)m->sizes[l + 1];
        boff[l] = off;
        off += (size_t)m->sizes[l + 1];
    }
    for (s = 0; s < c->data.n; s++) {
        double cur[64], nxt[64];
        for (i = 0; i < m->sizes[0]; i++) cur[i] = c->data.x[s * c->data.d + (size_t)i];
        for (l = 0; l + 1 < m->n_layers; l++) {
            int in = m->sizes[l], out = m->sizes[l + 1];
            for (o = 0; o < out; o++) {
                double z = theta[boff[l] + (size_t)o];
                for (i = 0; i < in; i++) z += (double)theta[woff[l] + (size_t)(o * in + i)] * cur[i];
                sig[cnt++] = z > 0;
                nxt[o] = z > 0 ? z : (m->act[l] == LLP_ACT_RELU ? 0.0 : LEAKY_SLOPE * z);
            }
            for (o = 0; o < out; o++) cur[o] = nxt[o];
        }
    }
    return cnt;
}

/* 1 when no hidden sign differs between theta and theta +- h v. */
static int no_kink_along(const tcase *c, const llp_real *v, double h) {
    size_t cap = c->data.n * 64 * LLP_MAX_LAYERS, cnt, i;
    unsigned char *s0 = (unsigned char *)malloc(cap), *s1 = (unsigned char *)malloc(cap);
    llp_real *t = alloc_vec(c->n);
    int ok = 1, sgn, l, kinked = 0;
    for (l = 0; l + 1 < c->m.n_layers; l++) kinked |= c->m.act[l] == LLP_ACT_RELU || c->m.act[l] == LLP_ACT_LEAKY_RELU;
    cnt = kinked ? hidden_signs(c, c->theta, s0) : 0; /* smooth activations: nothing to check */
    for (sgn = -1; sgn <= 1 && ok && kinked; sgn += 2) {
        for (i = 0; i < c->n; i++) t[i] = (llp_real)(c->theta[i] + sgn * h * v[i]);
        hidden_signs(c, t, s1);
        if (memcmp(s0, s1, cnt) != 0) ok = 0;
    }
    free(s0);
    free(s1);
    free(t);
    return ok;
}

/* fd = (g(theta + h v) - g(theta - h v)) / 2h with llp_mlp_loss_grad. */
static void fd_hvp(tcase *c, const llp_real *v, double h, llp_real *fd) {
    llp_real *t = alloc_vec(c->n), *gp = alloc_vec(c->n), *gm = alloc_vec(c->n), l;
    size_t i;
    for (i = 0; i < c->n; i++) t[i] = (llp_real)(c->theta[i] + h * v[i]);
    llp_mlp_loss_grad(&c->m, t, &c->data, NULL, &l, gp, &c->w);
    for (i = 0; i < c->n; i++) t[i] = (llp_real)(c->theta[i] - h * v[i]);
    llp_mlp_loss_grad(&c->m, t, &c->data, NULL, &l, gm, &c->w);
    for (i = 0; i < c->n; i++) fd[i] = (llp_real)(((double)gp[i] - gm[i]) / (2 * h));
    free(t);
    free(gp);
    free(gm);
}

/* H (n x n, row-major) from n HVPs with unit vectors. */
static llp_result full_hessian(tcase *c, llp_real *H) {
    llp_real *e = alloc_vec(c->n), *col = alloc_vec(c->n);
    size_t i, j;
    llp_result r = LLP_OK;
    for (j = 0; j < c->n && r == LLP_OK; j++) {
        e[j] = 1;
        r = llp_mlp_hvp(&c->m, c->theta, e, &c->data, NULL, col, NULL, &c->w);
        e[j] = 0;
        for (i = 0; i < c->n; i++) H[i * c->n + j] = col[i];
    }
    free(e);
    free(col);
    return r;
}

/* Cyclic Jacobi eigenvalue iteration for a symmetric matrix A (n x n, row-major,
   destroyed). lam: (n) eigenvalues, V: (n x n) eigenvectors in columns. */
static void jacobi_eig(double *A, size_t n, double *lam, double *V) {
    size_t p, q, i, sweep;
    for (i = 0; i < n * n; i++) V[i] = 0;
    for (i = 0; i < n; i++) V[i * n + i] = 1;
    for (sweep = 0; sweep < 100; sweep++) {
        double off = 0, tot = 0;
        for (p = 0; p < n; p++)
            for (q = 0; q < n; q++) {
                tot += A[p * n + q] * A[p * n + q];
                if (p != q) off += A[p * n + q] * A[p * n + q];
            }
        if (off <= 1e-30 * tot) break;
        for (p = 0; p < n; p++)
            for (q = p + 1; q < n; q++) {
                double apq = A[p * n + q], theta, t, cs, sn;
                if (fabs(apq) < 1e-300) continue;
                theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
                t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1));
                cs = 1 / sqrt(t * t + 1);
                sn = t * cs;
                for (i = 0; i < n; i++) { /* A <- A J (columns p, q) */
                    double aip = A[i * n + p], aiq = A[i * n + q];
                    A[i * n + p] = cs * aip - sn * aiq;
                    A[i * n + q] = sn * aip + cs * aiq;
                }
                for (i = 0; i < n; i++) { /* A <- J^T A (rows p, q) */
                    double api = A[p * n + i], aqi = A[q * n + i];
                    A[p * n + i] = cs * api - sn * aqi;
                    A[q * n + i] = sn * api + cs * aqi;
                }
                for (i = 0; i < n; i++) {
                    double vip = V[i * n + p], viq = V[i * n + q];
                    V[i * n + p] = cs * vip - sn * viq;
                    V[i * n + q] = sn * vip + cs * viq;
                }
            }
    }
    for (i = 0; i < n; i++) lam[i] = A[i * n + i];
}

/* The 5-6-4-k net of the gradient tests. */
static void sizes_for(int target, int *sizes) {
    sizes[0] = 5;
    sizes[1] = 6;
    sizes[2] = 4;
    sizes[3] = target == T_CLASS_BINARY ? 1 : 3;
}

typedef struct combo {
    llp_loss loss;
    int target;
} combo;
#define N_COMBOS 4
static const combo all_combos[N_COMBOS] = {{LLP_LOSS_MSE, T_REG_NORMAL},
                                           {LLP_LOSS_SOFTMAX_CE, T_CLASS_MULTI},
                                           {LLP_LOSS_BCE, T_CLASS_MULTI},
                                           {LLP_LOSS_BCE, T_CLASS_BINARY}};

/* ------------------------------------------------------------------ tests */

/* For every activation x {MSE, softmax CE, BCE one-hot, BCE single output}
   (weight decay on in half the cases): llp_mlp_hvp equals the central
   difference of gradients (g(theta + h v) - g(theta - h v)) / 2h, h = 1e-5,
   |v| = 1, for three random v.
   Tolerance 1e-6 relative: truncation O(h^2 g''') ~ 1e-10 and rounding
   O(eps |g| / h) ~ 1e-11 against |Hv| ~ 0.1..10, while a missing
   second-order term is O(|Hv|). For relu and leaky relu the Hessian is
   piecewise constant in the activation pattern: the test checks with an
   independent forward pass that no hidden pre-activation changes sign
   between theta - h v and theta + h v (drawing v again otherwise).
   Float: h = 2^-8 (see the top), measured worst 1.5e-4 relative: 2e-3; the
   kink search still finds a clean direction at the first or second draw. */
static void test_hvp_fd_all(void) {
    const double h = TOL(1e-5, 1.0 / 256);
    int a, ci;
    for (a = 0; a < N_ACTS; a++)
        for (ci = 0; ci < N_COMBOS; ci++) {
            tcase c;
            int sizes[4], rep;
            double wd = (a + ci) % 2 ? 0.04 : 0.0;
            llp_real *v, *hv, *fd, loss = 0, lref = 0;
            llp_rng rng;
            sizes_for(all_combos[ci].target, sizes);
            if (!setup_case(&c, sizes, 3, all_acts[a], all_combos[ci].loss, all_combos[ci].target, wd, 20, 32,
                            10 + (uint64_t)(a * 8 + ci))) {
                CHECK(0, "setup failed");
                return;
            }
            draw_theta(&c, 300 + (uint64_t)(a * 8 + ci));
            llp_rng_seed(&rng, 900 + (uint64_t)(a * 8 + ci));
            v = alloc_vec(c.n);
            hv = alloc_vec(c.n);
            fd = alloc_vec(c.n);
            for (rep = 0; rep < 3; rep++) {
                int tries = 0;
                do unit_random(&rng, v, c.n);
                while (!no_kink_along(&c, v, h) && ++tries < 50);
                CHECK(tries < 50, "%s: found a direction without kink crossings", llp_act_name(all_acts[a]));
                if (rep == 0 && (all_acts[a] == LLP_ACT_RELU || all_acts[a] == LLP_ACT_LEAKY_RELU))
                    CHECK(!no_kink_along(&c, v, 2.0), "%s: control: the kink detector sees crossings for h = 2",
                          llp_act_name(all_acts[a]));
                CHECK_OK(llp_mlp_hvp(&c.m, c.theta, v, &c.data, NULL, hv, &loss, &c.w));
                fd_hvp(&c, v, h, fd);
                CHECK(rel_err(hv, fd, c.n) < TOL(1e-6, 2e-3),
                      "%s/%s target %d wd=%g: Hv vs central difference: rel %.3g (|Hv| %.3g)",
                      llp_act_name(all_acts[a]), llp_loss_name(all_combos[ci].loss), all_combos[ci].target, wd,
                      rel_err(hv, fd, c.n), nrm(fd, c.n));
            }
            CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, NULL, &lref, NULL, &c.w));
            CHECK_CLOSE(loss, lref, 1e-13, "loss reported by llp_mlp_hvp = llp_mlp_loss_grad's");
            free(v);
            free(hv);
            free(fd);
            free_case(&c);
        }
}

/* MAE has no curvature: llp_mlp_hvp, llp_mlp_gnvp and the objective's hvp
   return LLP_ERR_UNSUPPORTED (never a finite-difference stand-in). */
static void test_mae_unsupported(void) {
    tcase c;
    int sizes[4] = {5, 6, 4, 3};
    llp_real *v, *hv;
    llp_mlp_objective mo;
    llp_objective f;
    if (!setup_case(&c, sizes, 3, LLP_ACT_TANH, LLP_LOSS_MAE, T_REG_NORMAL, 0.0, 20, 32, 1)) {
        CHECK(0, "setup failed");
        return;
    }
    draw_theta(&c, 2);
    v = alloc_vec(c.n);
    hv = alloc_vec(c.n);
    v[0] = 1;
    CHECK(llp_mlp_hvp(&c.m, c.theta, v, &c.data, NULL, hv, NULL, &c.w) == LLP_ERR_UNSUPPORTED, "MAE hvp: UNSUPPORTED");
    CHECK(llp_mlp_gnvp(&c.m, c.theta, v, &c.data, NULL, hv, &c.w) == LLP_ERR_UNSUPPORTED, "MAE gnvp: UNSUPPORTED");
    CHECK_OK(llp_mlp_objective_init(&mo, &c.m, &c.data, 0));
    f = llp_mlp_objective_get(&mo);
    CHECK(llp_objective_hvp(&f, c.theta, v, NULL, hv) == LLP_ERR_UNSUPPORTED, "MAE objective hvp: UNSUPPORTED");
    llp_mlp_objective_free(&mo);
    free(v);
    free(hv);
    free_case(&c);
}

/* Symmetry of the exact HVP: u^T (H v) = v^T (H u) for random u, v, for
   several activation/loss pairs. Tolerance 1e-12 relative to
   |u| |Hv| + |v| |Hu|: the two sides differ only by rounding in sums of ~80
   products (~1e-15), while an HVP that is not the Hessian of one function
   (e.g. a dropped or doubled term) breaks symmetry at O(1).
   Float: the same sums rounded in float, ~eps relative to the scale
   (measured worst 1.7e-8): 1e-6. */
static void test_hvp_symmetry(void) {
    static const llp_act acts[4] = {LLP_ACT_TANH, LLP_ACT_GELU, LLP_ACT_SOFTPLUS, LLP_ACT_RELU};
    int a, ci, rep;
    for (a = 0; a < 4; a++)
        for (ci = 0; ci < N_COMBOS; ci++) {
            tcase c;
            int sizes[4];
            llp_real *u, *v, *hu, *hv;
            llp_rng rng;
            sizes_for(all_combos[ci].target, sizes);
            if (!setup_case(&c, sizes, 3, acts[a], all_combos[ci].loss, all_combos[ci].target, 0.01, 25, 32,
                            50 + (uint64_t)(a * 8 + ci))) {
                CHECK(0, "setup failed");
                return;
            }
            draw_theta(&c, 60 + (uint64_t)(a * 8 + ci));
            u = alloc_vec(c.n);
            v = alloc_vec(c.n);
            hu = alloc_vec(c.n);
            hv = alloc_vec(c.n);
            llp_rng_seed(&rng, 70 + (uint64_t)(a * 8 + ci));
            for (rep = 0; rep < 4; rep++) {
                double uhv, vhu, scale;
                llp_rng_fill_normal(&rng, u, c.n);
                llp_rng_fill_normal(&rng, v, c.n);
                CHECK_OK(llp_mlp_hvp(&c.m, c.theta, u, &c.data, NULL, hu, NULL, &c.w));
                CHECK_OK(llp_mlp_hvp(&c.m, c.theta, v, &c.data, NULL, hv, NULL, &c.w));
                uhv = dot(u, hv, c.n);
                vhu = dot(v, hu, c.n);
                scale = nrm(u, c.n) * nrm(hv, c.n) + nrm(v, c.n) * nrm(hu, c.n);
                CHECK(fabs(uhv - vhu) <= TOL(1e-12, 1e-6) * scale, "%s/%s: u^T H v = %.17g, v^T H u = %.17g",
                      llp_act_name(acts[a]), llp_loss_name(all_combos[ci].loss), uhv, vhu);
            }
            free(u);
            free(v);
            free(hu);
            free(hv);
            free_case(&c);
        }
}

/* The full Hessian of a 4-6-5-2 net (77 parameters) assembled from 77 HVPs
   with unit vectors equals the finite-difference Hessian (central
   differences of the gradient, column by column, h = 1e-5): max abs error /
   max |H| < 1e-6 (same error budget as above: ~1e-9 expected). The
   assembled matrix is symmetric: max |H_ij - H_ji| <= 1e-12 max |H|.
   Float: h = 2^-8 (see the top), measured worst 5.1e-5 max|H|: 1e-3; H_ij
   and H_ji come from different float HVPs, a few eps apart (measured
   2.5e-7 max|H|): 2e-6. */
static void test_full_hessian(void) {
    static const struct {
        llp_act act;
        llp_loss loss;
        int target;
        double wd;
    } cases[4] = {{LLP_ACT_TANH, LLP_LOSS_SOFTMAX_CE, T_CLASS_MULTI, 0.0},
                  {LLP_ACT_GELU, LLP_LOSS_BCE, T_CLASS_MULTI, 0.02},
                  {LLP_ACT_SIGMOID, LLP_LOSS_MSE, T_REG_NORMAL, 0.1},
                  {LLP_ACT_SOFTPLUS, LLP_LOSS_BCE, T_CLASS_BINARY, 0.0}};
    int ci;
    for (ci = 0; ci < 4; ci++) {
        tcase c;
        int sizes[4] = {4, 6, 5, 2};
        llp_real *H, *col, *e;
        size_t n, i, j;
        double hmax = 0, err = 0, asym = 0;
        if (cases[ci].target == T_CLASS_BINARY) sizes[3] = 1;
        if (!setup_case(&c, sizes, 3, cases[ci].act, cases[ci].loss, cases[ci].target, cases[ci].wd, 30, 32,
                        200 + (uint64_t)ci)) {
            CHECK(0, "setup failed");
            return;
        }
        draw_theta(&c, 210 + (uint64_t)ci);
        n = c.n;
        CHECK(n >= 50 && n <= 150, "n = %lu parameters", (unsigned long)n);
        H = alloc_vec(n * n);
        col = alloc_vec(n);
        e = alloc_vec(n);
        CHECK_OK(full_hessian(&c, H));
        for (i = 0; i < n * n; i++)
            if (fabs(H[i]) > hmax) hmax = fabs(H[i]);
        for (j = 0; j < n; j++) {
            e[j] = 1;
            fd_hvp(&c, e, TOL(1e-5, 1.0 / 256), col);
            e[j] = 0;
            for (i = 0; i < n; i++) {
                double d = fabs(H[i * n + j] - col[i]);
                if (d > err) err = d;
                d = fabs(H[i * n + j] - H[j * n + i]);
                if (d > asym) asym = d;
            }
        }
        CHECK(hmax > 0 && err <= TOL(1e-6, 1e-3) * hmax,
              "%s/%s: full Hessian vs finite differences: max err %.3g, max|H| %.3g", llp_act_name(cases[ci].act),
              llp_loss_name(cases[ci].loss), err, hmax);
        CHECK(asym <= TOL(1e-12, 2e-6) * hmax, "%s/%s: assembled Hessian symmetric: max |H_ij - H_ji| = %.3g",
              llp_act_name(cases[ci].act), llp_loss_name(cases[ci].loss), asym);
        free(H);
        free(col);
        free(e);
        free_case(&c);
    }
}

/* Gauss–Newton is positive semi-definite and symmetric: v^T G v >=
   -1e-12 |v|^2 for 40 random v (|G| is O(1) here, so -1e-12 |v|^2 only
   allows rounding; an indefinite G gives O(1) negative values), and
   u^T G v = v^T G u to 1e-12 relative to |u||Gv| + |v||Gu|. Also G is not
   zero (the check would otherwise be vacuous). Random v see mostly the
   average curvature, so the whole matrix G is assembled from unit vectors
   as well: symmetric to 1e-12 max|G| and its smallest Jacobi eigenvalue is
   >= -1e-12 max|G| (eigenvalues to ~1e-15 max|G|). As a control, the
   Hessian of the tanh/softmax case has a clearly negative eigenvalue, so
   the same eigenvalue check would see an indefinite matrix.
   Float: G's entries carry float rounding, a few eps of max|G|: u^T G v vs
   v^T G u (measured 2.3e-8) and v^T G v >= -tol |v|^2 use 1e-6; assembled
   asymmetry (measured 1.5e-7 max|G|) 2e-6; the smallest eigenvalue moves by
   at most the norm of that rounding (measured -1.4e-7 max|G|): >= -1e-5
   max|G|, still ten times inside the control's -1e-4. */
static void test_gn_psd_symmetric(void) {
    static const struct {
        llp_act act;
        llp_loss loss;
        int target;
    } cases[5] = {{LLP_ACT_TANH, LLP_LOSS_SOFTMAX_CE, T_CLASS_MULTI},
                  {LLP_ACT_GELU, LLP_LOSS_BCE, T_CLASS_MULTI},
                  {LLP_ACT_RELU, LLP_LOSS_MSE, T_REG_NORMAL},
                  {LLP_ACT_SIGMOID, LLP_LOSS_BCE, T_CLASS_BINARY},
                  {LLP_ACT_SOFTPLUS, LLP_LOSS_SOFTMAX_CE, T_CLASS_MULTI}};
    int ci, rep;
    for (ci = 0; ci < 5; ci++) {
        tcase c;
        int sizes[4];
        llp_real *u, *v, *gu, *gv;
        llp_rng rng;
        double most_neg = HUGE_VAL, most_pos = 0;
        sizes_for(cases[ci].target, sizes);
        if (!setup_case(&c, sizes, 3, cases[ci].act, cases[ci].loss, cases[ci].target, 0.0, 25, 32,
                        400 + (uint64_t)ci)) {
            CHECK(0, "setup failed");
            return;
        }
        draw_theta(&c, 410 + (uint64_t)ci);
        u = alloc_vec(c.n);
        v = alloc_vec(c.n);
        gu = alloc_vec(c.n);
        gv = alloc_vec(c.n);
        llp_rng_seed(&rng, 420 + (uint64_t)ci);
        for (rep = 0; rep < 40; rep++) {
            double q;
            llp_rng_fill_normal(&rng, v, c.n);
            CHECK_OK(llp_mlp_gnvp(&c.m, c.theta, v, &c.data, NULL, gv, &c.w));
            q = dot(v, gv, c.n) / dot(v, v, c.n);
            if (q < most_neg) most_neg = q;
            if (q > most_pos) most_pos = q;
            if (rep % 8 == 0) {
                double ugv, vgu;
                llp_rng_fill_normal(&rng, u, c.n);
                CHECK_OK(llp_mlp_gnvp(&c.m, c.theta, u, &c.data, NULL, gu, &c.w));
                ugv = dot(u, gv, c.n);
                vgu = dot(v, gu, c.n);
                CHECK(fabs(ugv - vgu) <= TOL(1e-12, 1e-6) * (nrm(u, c.n) * nrm(gv, c.n) + nrm(v, c.n) * nrm(gu, c.n)),
                      "%s/%s: u^T G v = %.17g vs v^T G u = %.17g", llp_act_name(cases[ci].act),
                      llp_loss_name(cases[ci].loss), ugv, vgu);
            }
        }
        CHECK(most_neg >= -TOL(1e-12, 1e-6), "%s/%s: min v^T G v / |v|^2 = %.3g", llp_act_name(cases[ci].act),
              llp_loss_name(cases[ci].loss), most_neg);
        {
            size_t n = c.n, i, j, pass;
            llp_real *M = alloc_vec(n * n), *e = alloc_vec(n);
            double *A = (double *)malloc(n * n * sizeof(double)), *V = (double *)malloc(n * n * sizeof(double));
            double *lam = (double *)malloc(n * sizeof(double));
            for (pass = 0; pass < (ci == 0 ? 2u : 1u); pass++) {
                double mmax = 0, asym = 0, lmin = HUGE_VAL;
                if (pass == 0) {
                    for (j = 0; j < n; j++) {
                        e[j] = 1;
                        CHECK_OK(llp_mlp_gnvp(&c.m, c.theta, e, &c.data, NULL, gv, &c.w));
                        e[j] = 0;
                        for (i = 0; i < n; i++) M[i * n + j] = gv[i];
                    }
                } else {
                    CHECK_OK(full_hessian(&c, M));
                }
                for (i = 0; i < n; i++)
                    for (j = 0; j < n; j++) {
                        if (fabs(M[i * n + j]) > mmax) mmax = fabs(M[i * n + j]);
                        if (fabs(M[i * n + j] - M[j * n + i]) > asym) asym = fabs(M[i * n + j] - M[j * n + i]);
                        A[i * n + j] = 0.5 * ((double)M[i * n + j] + M[j * n + i]);
                    }
                jacobi_eig(A, n, lam, V);
                for (i = 0; i < n; i++)
                    if (lam[i] < lmin) lmin = lam[i];
                if (pass == 0) {
                    CHECK(asym <= TOL(1e-12, 2e-6) * mmax, "%s/%s: assembled G symmetric (max asym %.3g)",
                          llp_act_name(cases[ci].act), llp_loss_name(cases[ci].loss), asym);
                    CHECK(lmin >= -TOL(1e-12, 1e-5) * mmax, "%s/%s: smallest eigenvalue of G %.3g (max|G| %.3g)",
                          llp_act_name(cases[ci].act), llp_loss_name(cases[ci].loss), lmin, mmax);
                } else {
                    CHECK(lmin < -1e-4 * mmax, "control: the Hessian is indefinite here (lambda_min %.3g)", lmin);
                }
            }
            free(M);
            free(e);
            free(A);
            free(V);
            free(lam);
        }
        CHECK(most_pos > 1e-6, "%s/%s: G is not zero (max quotient %.3g)", llp_act_name(cases[ci].act),
              llp_loss_name(cases[ci].loss), most_pos);
        free(u);
        free(v);
        free(gu);
        free(gv);
        free_case(&c);
    }
}

/* G v = J^T H_y J v + lambda [v_W; 0], with J the Jacobian of the network
   outputs (all samples) by central differences of llp_mlp_forward (h = 1e-5)
   and H_y the Hessian of the mean loss in the outputs, in closed form:
   MSE 2/(k B) I, softmax CE (diag p - p p^T)/B, BCE s(1-s)/(k B).
   Tolerance 1e-6 relative: the FD Jacobian carries ~1e-10 relative error.
   Float: h = 2^-8 (see the top), measured worst 2e-5 relative: 5e-4. */
static void test_gn_vs_jacobian(void) {
    static const struct {
        llp_act act;
        llp_loss loss;
        int target;
        double wd;
    } cases[4] = {{LLP_ACT_TANH, LLP_LOSS_SOFTMAX_CE, T_CLASS_MULTI, 0.05},
                  {LLP_ACT_GELU, LLP_LOSS_MSE, T_REG_NORMAL, 0.0},
                  {LLP_ACT_SIGMOID, LLP_LOSS_BCE, T_CLASS_MULTI, 0.0},
                  {LLP_ACT_SOFTPLUS, LLP_LOSS_BCE, T_CLASS_BINARY, 0.2}};
    const double h = TOL(1e-5, 1.0 / 256);
    int ci;
    for (ci = 0; ci < 4; ci++) {
        tcase c;
        int sizes[4];
        size_t n, B = 16, k, i, j, b, o, nw;
        llp_real *J, *yp, *ym, *y, *v, *gv, *ref, *t;
        double ju[16 * 3], hju[16 * 3];
        llp_rng rng;
        int l;
        sizes_for(cases[ci].target, sizes);
        if (!setup_case(&c, sizes, 3, cases[ci].act, cases[ci].loss, cases[ci].target, cases[ci].wd, B, 32,
                        700 + (uint64_t)ci)) {
            CHECK(0, "setup failed");
            return;
        }
        draw_theta(&c, 710 + (uint64_t)ci);
        n = c.n;
        k = (size_t)sizes[3];
        J = alloc_vec(B * k * n);
        yp = alloc_vec(B * k);
        ym = alloc_vec(B * k);
        y = alloc_vec(B * k);
        v = alloc_vec(n);
        gv = alloc_vec(n);
        ref = alloc_vec(n);
        t = alloc_vec(n);
        llp_copy(c.theta, t, n);
        for (j = 0; j < n; j++) {
            t[j] = (llp_real)(c.theta[j] + h);
            llp_mlp_forward(&c.m, t, c.data.x, B, yp, &c.w);
            t[j] = (llp_real)(c.theta[j] - h);
            llp_mlp_forward(&c.m, t, c.data.x, B, ym, &c.w);
            t[j] = c.theta[j];
            for (i = 0; i < B * k; i++) J[i * n + j] = (llp_real)(((double)yp[i] - ym[i]) / (2 * h));
        }
        CHECK_OK(llp_mlp_forward(&c.m, c.theta, c.data.x, B, y, &c.w));
        llp_rng_seed(&rng, 720 + (uint64_t)ci);
        unit_random(&rng, v, n);
        for (i = 0; i < B * k; i++) ju[i] = dot(J + i * n, v, n);
        for (b = 0; b < B; b++) {
            const llp_real *yb = y + b * k;
            if (cases[ci].loss == LLP_LOSS_MSE) {
                for (o = 0; o < k; o++) hju[b * k + o] = 2.0 / ((double)k * (double)B) * ju[b * k + o];
            } else if (cases[ci].loss == LLP_LOSS_BCE) {
                for (o = 0; o < k; o++) {
                    double s = 1 / (1 + exp(-(double)yb[o]));
                    hju[b * k + o] = s * (1 - s) / ((double)k * (double)B) * ju[b * k + o];
                }
            } else {
                double p[3], se = 0, pu = 0;
                for (o = 0; o < k; o++) se += exp((double)yb[o]);
                for (o = 0; o < k; o++) p[o] = exp((double)yb[o]) / se;
                for (o = 0; o < k; o++) pu += p[o] * ju[b * k + o];
                for (o = 0; o < k; o++) hju[b * k + o] = (p[o] * ju[b * k + o] - p[o] * pu) / (double)B;
            }
        }
        for (j = 0; j < n; j++) {
            double s = 0;
            for (i = 0; i < B * k; i++) s += J[i * n + j] * hju[i];
            ref[j] = (llp_real)s;
        }
        for (l = 0, nw = 0; l < 3; l++) { /* weights of layer l start after all previous layers */
            size_t wcount = (size_t)sizes[l] * (size_t)sizes[l + 1];
            for (i = 0; i < wcount; i++) ref[nw + i] += (llp_real)(cases[ci].wd * v[nw + i]);
            nw += wcount + (size_t)sizes[l + 1];
        }
        CHECK_OK(llp_mlp_gnvp(&c.m, c.theta, v, &c.data, NULL, gv, &c.w));
        CHECK(rel_err(gv, ref, n) < TOL(1e-6, 5e-4), "%s/%s: Gv vs J^T H_y J v: rel %.3g", llp_act_name(cases[ci].act),
              llp_loss_name(cases[ci].loss), rel_err(gv, ref, n));
        free(J);
        free(yp);
        free(ym);
        free(y);
        free(v);
        free(gv);
        free(ref);
        free(t);
        free_case(&c);
    }
}

/* Where G must equal H: (a) a single dense layer (the outputs are linear in
   theta, so the network contributes no second-order term) for MSE, softmax
   CE and BCE, to 1e-12 relative; (b) a zero-residual point of any depth
   (teacher-student with the student equal to the teacher, noise 0: the
   second-order term is multiplied by dL/dy = 0) for MSE with a 3-layer tanh
   net, to 1e-10 relative. As a control, at a point with nonzero residual the
   two differ by more than 1e-3 relative (so (b) is not vacuous).
   Float: (a) is still exact here; in (b) G and H take different float paths
   to the same value, a few eps apart (measured 5.5e-8): 1e-6, well inside
   the control's 1e-3. */
static void test_gn_equals_h(void) {
    static const struct {
        llp_loss loss;
        int target;
    } single[3] = {{LLP_LOSS_MSE, T_REG_NORMAL}, {LLP_LOSS_SOFTMAX_CE, T_CLASS_MULTI}, {LLP_LOSS_BCE, T_CLASS_MULTI}};
    int ci, rep;
    for (ci = 0; ci < 3; ci++) {
        tcase c;
        int sizes[2] = {4, 3};
        llp_real *v, *gv, *hv;
        llp_rng rng;
        if (!setup_case(&c, sizes, 1, LLP_ACT_IDENTITY, single[ci].loss, single[ci].target, 0.03, 20, 32,
                        800 + (uint64_t)ci)) {
            CHECK(0, "setup failed");
            return;
        }
        draw_theta(&c, 810 + (uint64_t)ci);
        v = alloc_vec(c.n);
        gv = alloc_vec(c.n);
        hv = alloc_vec(c.n);
        llp_rng_seed(&rng, 820 + (uint64_t)ci);
        for (rep = 0; rep < 3; rep++) {
            llp_rng_fill_normal(&rng, v, c.n);
            CHECK_OK(llp_mlp_gnvp(&c.m, c.theta, v, &c.data, NULL, gv, &c.w));
            CHECK_OK(llp_mlp_hvp(&c.m, c.theta, v, &c.data, NULL, hv, NULL, &c.w));
            CHECK(rel_err(gv, hv, c.n) <= 1e-12, "single layer %s: |Gv - Hv| / |Hv| = %.3g",
                  llp_loss_name(single[ci].loss), rel_err(gv, hv, c.n));
        }
        free(v);
        free(gv);
        free(hv);
        free_case(&c);
    }
    {
        llp_mlp_desc md;
        llp_mlp m;
        llp_mlp_work w;
        llp_data data;
        llp_rng rng;
        llp_real *theta, *v, *gv, *hv, loss = 1;
        size_t n, i;
        memset(&md, 0, sizeof md);
        md.n_layers = 3;
        md.sizes[0] = 3;
        md.sizes[1] = 5;
        md.sizes[2] = 4;
        md.sizes[3] = 2;
        md.act = LLP_ACT_TANH;
        md.loss = LLP_LOSS_MSE;
        CHECK_OK(llp_mlp_init(&m, &md));
        n = m.n_params;
        theta = alloc_vec(n);
        v = alloc_vec(n);
        gv = alloc_vec(n);
        hv = alloc_vec(n);
        llp_rng_seed(&rng, 31);
        llp_mlp_randomize(&m, theta, &rng);
        for (i = 0; i < n; i++) theta[i] += (llp_real)(0.2 * llp_rng_normal(&rng));
        CHECK_OK(llp_data_teacher(&data, &m, theta, 40, 0.0, &rng));
        CHECK_OK(llp_mlp_work_init(&w, &m, 16));
        CHECK_OK(llp_mlp_loss_grad(&m, theta, &data, NULL, &loss, NULL, &w));
        CHECK(loss <= 1e-28, "the student equal to the teacher has zero loss (%.3g)", (double)loss);
        for (rep = 0; rep < 3; rep++) {
            llp_rng_fill_normal(&rng, v, n);
            CHECK_OK(llp_mlp_gnvp(&m, theta, v, &data, NULL, gv, &w));
            CHECK_OK(llp_mlp_hvp(&m, theta, v, &data, NULL, hv, NULL, &w));
            CHECK(rel_err(gv, hv, n) <= TOL(1e-10, 1e-6), "zero residual, depth 3: |Gv - Hv| / |Hv| = %.3g",
                  rel_err(gv, hv, n));
        }
        /* control: away from the teacher the network's second-order term shows */
        for (i = 0; i < n; i++) theta[i] += (llp_real)(0.3 * llp_rng_normal(&rng));
        CHECK_OK(llp_mlp_gnvp(&m, theta, v, &data, NULL, gv, &w));
        CHECK_OK(llp_mlp_hvp(&m, theta, v, &data, NULL, hv, NULL, &w));
        CHECK(rel_err(gv, hv, n) > 1e-3, "nonzero residual: G and H differ (rel %.3g)", rel_err(gv, hv, n));
        free(theta);
        free(v);
        free(gv);
        free(hv);
        llp_mlp_work_free(&w);
        llp_data_free(&data);
        llp_mlp_free(&m);
    }
}

/* Weight decay lambda/2 ||W||^2 has Hessian lambda on weight entries and 0
   on biases: hv(lambda) - hv(0) = lambda [v_W; 0] and the same for the
   Gauss–Newton product. Tolerance 1e-12 relative to max(|hv|_inf, lambda
   |v|_inf): the data part is computed identically, one addition rounds.
   Float: that addition rounds in float, eps/2 of the scale (lambda = 0.25
   makes lambda v exact); measured 4.5e-8: 2 FLT_EPSILON. */
static void test_weight_decay_curvature(void) {
    const double lam = 0.25;
    int sizes[4] = {5, 6, 4, 3}, l, pass;
    tcase c0, c1;
    llp_real *v, *h0, *h1;
    llp_rng rng;
    size_t i, n;
    if (!setup_case(&c0, sizes, 3, LLP_ACT_GELU, LLP_LOSS_SOFTMAX_CE, T_CLASS_MULTI, 0.0, 24, 32, 5) ||
        !setup_case(&c1, sizes, 3, LLP_ACT_GELU, LLP_LOSS_SOFTMAX_CE, T_CLASS_MULTI, lam, 24, 32, 5)) {
        CHECK(0, "setup failed");
        return;
    }
    n = c0.n;
    draw_theta(&c0, 6);
    llp_copy(c0.theta, c1.theta, n);
    v = alloc_vec(n);
    h0 = alloc_vec(n);
    h1 = alloc_vec(n);
    llp_rng_seed(&rng, 7);
    llp_rng_fill_normal(&rng, v, n);
    for (pass = 0; pass < 2; pass++) {
        double worst = 0, scale;
        size_t off = 0;
        if (pass == 0) {
            CHECK_OK(llp_mlp_hvp(&c0.m, c0.theta, v, &c0.data, NULL, h0, NULL, &c0.w));
            CHECK_OK(llp_mlp_hvp(&c1.m, c1.theta, v, &c1.data, NULL, h1, NULL, &c1.w));
        } else {
            CHECK_OK(llp_mlp_gnvp(&c0.m, c0.theta, v, &c0.data, NULL, h0, &c0.w));
            CHECK_OK(llp_mlp_gnvp(&c1.m, c1.theta, v, &c1.data, NULL, h1, &c1.w));
        }
        scale = llp_nrminf(h1, n);
        if (lam * llp_nrminf(v, n) > scale) scale = lam * llp_nrminf(v, n);
        for (l = 0; l < 3; l++) {
            size_t nw = (size_t)sizes[l] * (size_t)sizes[l + 1], nb = (size_t)sizes[l + 1];
            for (i = 0; i < nw; i++, off++) {
                double e = fabs((h1[off] - h0[off]) - lam * v[off]);
                if (e > worst) worst = e;
            }
            for (i = 0; i < nb; i++, off++) {
                double e = fabs(h1[off] - h0[off]);
                if (e > worst) worst = e;
            }
        }
        CHECK(off == n, "layout covers every parameter");
        CHECK(worst <= TOL(1e-12, 2 * FLT_EPSILON) * scale, "%s: (lambda) - (0) - lambda [v_W; 0]: max error %.3g",
              pass ? "gnvp" : "hvp", worst);
    }
    free(v);
    free(h0);
    free(h1);
    free_case(&c0);
    free_case(&c1);
}

/* The objective interface is the direct calls behind one abstraction:
   f.n = n_params, f.n_samples = data.n, loss/grad/hvp/gnvp through
   llp_mlp_objective_get equal llp_mlp_loss_grad/hvp/gnvp on the same batch
   (ALL, RANGE, INDEX), to 1e-14 relative (same arithmetic; chunk sizes of the
   two workspaces differ, so only summation order can). */
static void test_objective_interface(void) {
    tcase c;
    int sizes[4] = {5, 6, 4, 3}, bi;
    llp_mlp_objective mo;
    llp_objective f;
    llp_real *v, *a1, *a2, la = 0, lb = 0;
    size_t idx[6] = {4, 0, 33, 12, 7, 21};
    llp_batch batches[3];
    llp_rng rng;
    batches[0] = llp_batch_all();
    batches[1] = llp_batch_range(5, 17);
    batches[2] = llp_batch_index(idx, 6);
    if (!setup_case(&c, sizes, 3, LLP_ACT_SIGMOID, LLP_LOSS_SOFTMAX_CE, T_CLASS_MULTI, 0.01, 40, 64, 17)) {
        CHECK(0, "setup failed");
        return;
    }
    draw_theta(&c, 18);
    CHECK_OK(llp_mlp_objective_init(&mo, &c.m, &c.data, 0));
    f = llp_mlp_objective_get(&mo);
    CHECK(f.n == c.n && f.n_samples == 40, "f.n = %lu, f.n_samples = %lu", (unsigned long)f.n,
          (unsigned long)f.n_samples);
    CHECK(f.hvp != NULL && f.gnvp != NULL && f.loss_grad != NULL, "MLP objective has loss_grad, hvp and gnvp");
    v = alloc_vec(c.n);
    a1 = alloc_vec(c.n);
    a2 = alloc_vec(c.n);
    llp_rng_seed(&rng, 19);
    llp_rng_fill_normal(&rng, v, c.n);
    for (bi = 0; bi < 3; bi++) {
        const llp_batch *b = &batches[bi];
        CHECK_OK(llp_objective_loss_grad(&f, c.theta, b, &la, a1));
        CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, b, &lb, a2, &c.w));
        CHECK_CLOSE(la, lb, 1e-14, "objective loss = direct loss");
        CHECK(rel_err(a1, a2, c.n) <= 1e-14, "batch %d: objective gradient = direct gradient", bi);
        CHECK_OK(llp_objective_loss(&f, c.theta, b, &la));
        CHECK_CLOSE(la, lb, 1e-14, "llp_objective_loss = direct loss");
        CHECK_OK(llp_objective_hvp(&f, c.theta, v, b, a1));
        CHECK_OK(llp_mlp_hvp(&c.m, c.theta, v, &c.data, b, a2, NULL, &c.w));
        CHECK(rel_err(a1, a2, c.n) <= 1e-14, "batch %d: objective hvp = llp_mlp_hvp (rel %.3g)", bi,
              rel_err(a1, a2, c.n));
        CHECK_OK(f.gnvp(f.ctx, c.theta, v, b, a1));
        CHECK_OK(llp_mlp_gnvp(&c.m, c.theta, v, &c.data, b, a2, &c.w));
        CHECK(rel_err(a1, a2, c.n) <= 1e-14, "batch %d: objective gnvp = llp_mlp_gnvp (rel %.3g)", bi,
              rel_err(a1, a2, c.n));
    }
    free(v);
    free(a1);
    free(a2);
    llp_mlp_objective_free(&mo);
    free_case(&c);
}

/* Batches for curvature, as for the gradient: Hv over ALL equals
   (n1 H1 v + n2 H2 v) / n of two RANGE halves; an INDEX batch (permuted)
   equals the RANGE batch with the same samples; chunks of 7 equal one chunk
   over 50 samples, for both HVP and GNVP (also through an objective built
   with chunk 7). Tolerance 1e-12 relative: only summation order differs.
   Float: float sums over 20..50 samples in another order, a few eps
   (measured worst 1.5e-7): 2e-6 (bt below). */
static void test_hvp_batches(void) {
    tcase c;
    int sizes[4] = {5, 6, 4, 3}, pass;
    llp_mlp_work w7;
    llp_mlp_objective mo7;
    llp_objective f7;
    llp_real *v, *ha, *h1, *h2, *hc;
    size_t i, perm[20];
    llp_batch ball = llp_batch_all(), b1 = llp_batch_range(0, 22), b2 = llp_batch_range(22, 28),
              br = llp_batch_range(30, 20), bp;
    llp_rng rng;
    const double bt = TOL(1e-12, 2e-6); /* float: see above */
    if (!setup_case(&c, sizes, 3, LLP_ACT_TANH, LLP_LOSS_SOFTMAX_CE, T_CLASS_MULTI, 0.02, 50, 64, 23)) {
        CHECK(0, "setup failed");
        return;
    }
    draw_theta(&c, 24);
    CHECK_OK(llp_mlp_work_init(&w7, &c.m, 7));
    CHECK_OK(llp_mlp_objective_init(&mo7, &c.m, &c.data, 7));
    f7 = llp_mlp_objective_get(&mo7);
    v = alloc_vec(c.n);
    ha = alloc_vec(c.n);
    h1 = alloc_vec(c.n);
    h2 = alloc_vec(c.n);
    hc = alloc_vec(c.n);
    llp_rng_seed(&rng, 25);
    llp_rng_fill_normal(&rng, v, c.n);
    llp_rng_permutation(&rng, perm, 20);
    for (i = 0; i < 20; i++) perm[i] += 30;
    bp = llp_batch_index(perm, 20);
    for (pass = 0; pass < 2; pass++) {
        const char *what = pass ? "gnvp" : "hvp";
#define PROD(W, B, OUT)                                                                                           \
    (pass ? llp_mlp_gnvp(&c.m, c.theta, v, &c.data, (B), (OUT), (W))                                              \
          : llp_mlp_hvp(&c.m, c.theta, v, &c.data, (B), (OUT), NULL, (W)))
        CHECK_OK(PROD(&c.w, &ball, ha));
        CHECK_OK(PROD(&c.w, &b1, h1));
        CHECK_OK(PROD(&c.w, &b2, h2));
        for (i = 0; i < c.n; i++) hc[i] = (llp_real)((22.0 * h1[i] + 28.0 * h2[i]) / 50.0);
        CHECK(rel_err(ha, hc, c.n) < bt, "%s(ALL) = weighted halves: rel %.3g", what, rel_err(ha, hc, c.n));
        CHECK_OK(PROD(&w7, &ball, hc));
        CHECK(rel_err(hc, ha, c.n) < bt, "%s(ALL) chunks of 7 = one chunk: rel %.3g", what, rel_err(hc, ha, c.n));
        if (pass) CHECK_OK(f7.gnvp(f7.ctx, c.theta, v, &ball, hc));
        else CHECK_OK(llp_objective_hvp(&f7, c.theta, v, &ball, hc));
        CHECK(rel_err(hc, ha, c.n) < bt, "%s(ALL) via objective with chunk 7: rel %.3g", what, rel_err(hc, ha, c.n));
        CHECK_OK(PROD(&c.w, &br, h1));
        CHECK_OK(PROD(&c.w, &bp, h2));
        CHECK(rel_err(h2, h1, c.n) < bt, "%s(permuted INDEX) = %s(RANGE): rel %.3g", what, what, rel_err(h2, h1, c.n));
        CHECK_OK(PROD(&w7, &bp, hc));
        CHECK(rel_err(hc, h1, c.n) < bt, "%s(permuted INDEX) chunks of 7 = RANGE: rel %.3g", what,
              rel_err(hc, h1, c.n));
#undef PROD
    }
    free(v);
    free(ha);
    free(h1);
    free(h2);
    free(hc);
    llp_mlp_objective_free(&mo7);
    llp_mlp_work_free(&w7);
    free_case(&c);
}

/* At a trained-ish point of a tiny 2-3-2 tanh net (17 parameters, 300 steps
   of gradient descent on blobs), the full Hessian H (from HVPs) is
   eigendecomposed by a Jacobi routine written here. Checks: the eigenvalues
   sum to trace H (1e-12 relative: validates the routine); the extreme
   eigenvectors q satisfy llp_mlp_hvp(q) = lambda q (1e-9 relative to
   max |lambda|: Jacobi converges to ~1e-15, the HVP is exact); and every
   Rayleigh quotient v^T H v / v^T v of 200 random v, with Hv from
   llp_mlp_hvp, lies in [lambda_min, lambda_max] up to 1e-12 max |lambda|.
   Float: H, q and Hq are float-rounded: the residual is ~n eps max|lambda|
   at worst (2e-6 for n = 17; measured 8.3e-8): 1e-5. */
static void test_rayleigh_vs_eigen(void) {
    tcase c;
    int sizes[3] = {2, 3, 2}, it, rep;
    size_t n, i, j, imin = 0, imax = 0;
    llp_real *H, *g, *v, *hv, loss0 = 0, loss1 = 0;
    double *A, *V, *lam, trace = 0, lsum = 0, lmax, lmin, s;
    llp_rng rng;
    if (!setup_case(&c, sizes, 2, LLP_ACT_TANH, LLP_LOSS_SOFTMAX_CE, T_CLASS_MULTI, 0.0, 40, 64, 90)) {
        CHECK(0, "setup failed");
        return;
    }
    draw_theta(&c, 91);
    n = c.n;
    CHECK(n == 17, "2-3-2 has 17 parameters (%lu)", (unsigned long)n);
    g = alloc_vec(n);
    CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, NULL, &loss0, g, &c.w));
    for (it = 0; it < 300; it++) {
        llp_mlp_loss_grad(&c.m, c.theta, &c.data, NULL, &loss1, g, &c.w);
        for (i = 0; i < n; i++) c.theta[i] -= (llp_real)(0.5 * g[i]);
    }
    CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, NULL, &loss1, g, &c.w));
    CHECK(loss1 < loss0, "gradient descent lowered the loss (%.4g -> %.4g)", (double)loss0, (double)loss1);
    H = alloc_vec(n * n);
    A = (double *)malloc(n * n * sizeof(double));
    V = (double *)malloc(n * n * sizeof(double));
    lam = (double *)malloc(n * sizeof(double));
    v = alloc_vec(n);
    hv = alloc_vec(n);
    CHECK_OK(full_hessian(&c, H));
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) A[i * n + j] = 0.5 * ((double)H[i * n + j] + H[j * n + i]);
    for (i = 0; i < n; i++) trace += A[i * n + i];
    jacobi_eig(A, n, lam, V);
    for (i = 0; i < n; i++) {
        lsum += lam[i];
        if (lam[i] < lam[imin]) imin = i;
        if (lam[i] > lam[imax]) imax = i;
    }
    lmin = lam[imin];
    lmax = lam[imax];
    s = fabs(lmin) > fabs(lmax) ? fabs(lmin) : fabs(lmax);
    CHECK(fabs(lsum - trace) <= 1e-12 * s * (double)n, "sum of eigenvalues %.17g = trace %.17g", lsum, trace);
    for (rep = 0; rep < 2; rep++) {
        size_t q = rep ? imax : imin;
        double err = 0;
        for (i = 0; i < n; i++) v[i] = (llp_real)V[i * n + q];
        CHECK_OK(llp_mlp_hvp(&c.m, c.theta, v, &c.data, NULL, hv, NULL, &c.w));
        for (i = 0; i < n; i++) err += (hv[i] - lam[q] * v[i]) * (hv[i] - lam[q] * v[i]);
        CHECK(sqrt(err) <= TOL(1e-9, 1e-5) * s, "H q = lambda q for lambda = %.6g: residual %.3g", lam[q], sqrt(err));
    }
    llp_rng_seed(&rng, 92);
    {
        double rq_lo = HUGE_VAL, rq_hi = -HUGE_VAL;
        llp_result r = LLP_OK;
        for (rep = 0; rep < 200 && r == LLP_OK; rep++) {
            double rq;
            llp_rng_fill_normal(&rng, v, n);
            r = llp_mlp_hvp(&c.m, c.theta, v, &c.data, NULL, hv, NULL, &c.w);
            rq = dot(v, hv, n) / dot(v, v, n);
            if (rq < rq_lo) rq_lo = rq;
            if (rq > rq_hi) rq_hi = rq;
        }
        CHECK_OK(r);
        CHECK(rq_lo >= lmin - 1e-12 * s, "smallest Rayleigh quotient %.17g >= lambda_min %.17g", rq_lo, lmin);
        CHECK(rq_hi <= lmax + 1e-12 * s, "largest Rayleigh quotient %.17g <= lambda_max %.17g", rq_hi, lmax);
    }
    CHECK(lmax > 0, "the Hessian has positive curvature somewhere (lambda_max %.3g)", lmax);
    free(H);
    free(A);
    free(V);
    free(lam);
    free(v);
    free(hv);
    free(g);
    free_case(&c);
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_hvp_fd_all);
    LLP_RUN(test_mae_unsupported);
    LLP_RUN(test_hvp_symmetry);
    LLP_RUN(test_full_hessian);
    LLP_RUN(test_gn_psd_symmetric);
    LLP_RUN(test_gn_vs_jacobian);
    LLP_RUN(test_gn_equals_h);
    LLP_RUN(test_weight_decay_curvature);
    LLP_RUN(test_objective_interface);
    LLP_RUN(test_hvp_batches);
    LLP_RUN(test_rayleigh_vs_eigen);
    return llp_test_summary();
}
