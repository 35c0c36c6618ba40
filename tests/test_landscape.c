/* test_landscape.c — analytic landscapes against finite differences, closed
   forms worked out by hand, and published minima.

   References: central differences of the value (for gradients) and of the
   gradient (for Hessians); Hessians derived by hand below; minima published
   for the standard test functions (Rosenbrock, Rastrigin, Ackley: f = 0;
   Styblinski–Tang: -39.16617 n at x_i = -2.903534); roots found here by
   bisection; a fine grid evaluated with the formula written here. Random
   points come from llp_rng with fixed seeds. */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"

#include <stdlib.h>

#define PI 3.14159265358979323846
#define MAXN 8

/* ||a - b|| / max(||b||, tiny). */
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

static double max_abs(const llp_real *a, size_t n) {
    double m = 0;
    size_t i;
    for (i = 0; i < n; i++)
        if (fabs(a[i]) > m) m = fabs(a[i]);
    return m;
}

/* One landscape configuration and the box its random points come from. */
typedef struct config {
    llp_landscape_kind kind;
    size_t n;
    double cond;
    int rotate;
    double amplitude;
    double box; /* points uniform in [-box, box]^n */
} config;

static const config configs[] = {
    {LLP_LANDSCAPE_SADDLE, 2, 0, 0, 0, 2},          {LLP_LANDSCAPE_SADDLE, 5, 0, 0, 0, 2},
    {LLP_LANDSCAPE_QUADRATIC, 2, 1e3, 0, 0, 2},     {LLP_LANDSCAPE_QUADRATIC, 6, 1e3, 0, 0, 2},
    {LLP_LANDSCAPE_QUADRATIC, 2, 1e3, 1, 0, 2},     {LLP_LANDSCAPE_QUADRATIC, 6, 1e3, 1, 0, 2},
    {LLP_LANDSCAPE_SKEWED_BOWL, 2, 0, 0, 0, 2},     {LLP_LANDSCAPE_QUARTIC, 2, 0, 0, 0, 2},
    {LLP_LANDSCAPE_QUARTIC, 5, 0, 0, 0, 2},         {LLP_LANDSCAPE_SINCOS, 2, 0, 0, 0, 1.5},
    {LLP_LANDSCAPE_SINCOS, 6, 0, 0, 0, 1.5},        {LLP_LANDSCAPE_ROSENBROCK, 2, 0, 0, 0, 1.5},
    {LLP_LANDSCAPE_ROSENBROCK, 5, 0, 0, 0, 1.5},    {LLP_LANDSCAPE_RASTRIGIN, 2, 0, 0, 10, 2},
    {LLP_LANDSCAPE_RASTRIGIN, 5, 0, 0, 10, 2},      {LLP_LANDSCAPE_RASTRIGIN, 2, 0, 0, 3, 2},
    {LLP_LANDSCAPE_RASTRIGIN, 5, 0, 0, 3, 2},       {LLP_LANDSCAPE_ACKLEY, 2, 0, 0, 0, 2},
    {LLP_LANDSCAPE_ACKLEY, 5, 0, 0, 0, 2},          {LLP_LANDSCAPE_STYBLINSKI_TANG, 2, 0, 0, 0, 4},
    {LLP_LANDSCAPE_STYBLINSKI_TANG, 5, 0, 0, 0, 4}};
#define N_CONFIGS (sizeof configs / sizeof configs[0])

static llp_result init_config(llp_landscape *ls, const config *c, uint64_t seed) {
    llp_landscape_desc d;
    llp_rng rng;
    memset(&d, 0, sizeof d);
    d.kind = c->kind;
    d.n = c->n;
    d.cond = c->cond;
    d.rotate = c->rotate;
    d.amplitude = c->amplitude;
    llp_rng_seed(&rng, seed);
    return llp_landscape_init(ls, &d, &rng);
}

static llp_result init_simple(llp_landscape *ls, llp_landscape_kind kind, size_t n, double amplitude) {
    config c;
    memset(&c, 0, sizeof c);
    c.kind = kind;
    c.n = n;
    c.amplitude = amplitude;
    return init_config(ls, &c, 1);
}

static const char *cfg_name(const config *c, char *buf, size_t cap) {
    snprintf(buf, cap, "%s n=%lu%s%s", llp_landscape_name(c->kind), (unsigned long)c->n,
             c->kind == LLP_LANDSCAPE_QUADRATIC ? (c->rotate ? " rotated" : " axes") : "",
             c->kind == LLP_LANDSCAPE_RASTRIGIN ? (c->amplitude == 3 ? " A=3" : " A=10") : "");
    return buf;
}

static double value(llp_landscape *ls, const llp_real *x) {
    llp_real f = 0;
    llp_landscape_eval(ls, x, &f, NULL);
    return f;
}

/* ------------------------------------------------------------------ tests */

/* For every landscape in 2 and 5-6 dimensions, at 20 random points:
   (a) the gradient equals the central difference of the value, h = 1e-5:
       truncation h^2 f'''/6 <= ~1e-7 (Rastrigin A=10: f''' ~ 2500) and
       rounding eps |f| / h <= ~1e-7 (quadratic, cond 1e3: |f| ~ 1e4), against
       gradients of size 1..1e4: 1e-6 relative is safe, a wrong term is O(1);
   (b) the Hessian equals the central difference of the gradient, h = 1e-5,
       to 1e-5 of max |H| (same budget, one derivative higher);
   (c) the Hessian is symmetric to 1e-12 max |H|;
   (d) the objective's exact hvp equals H v from the full Hessian to 1e-12
       of max|H| |v| (both sum n products: n eps max|H| |v| rounding);
   (e) the value through the objective equals llp_landscape_eval exactly.
   Float build: values and gradients are rounded to float (eps = 1.2e-7), so
   h = 1e-5 would leave only eps |f| / h ~ 1e-2..1e2 of rounding noise. The
   step is h = 2^-9 ~ 2e-3 instead (near the optimum (3 eps |f| / |f'''|)^(1/3)
   for these functions, and a power of two, so x +- h is exact in float for
   |x| < 4 and the step is exactly 2h); the measured worst errors are then
   2.6e-4 (gradient) and 7.8e-5 (Hessian), so (a) uses 2e-3 and (b) 1e-3, still
   far below the O(1) error of a wrong term. (d): both sides round to float in
   sums of n <= 6 terms, ~(n + 3) eps ~ 1e-6 worst case (measured 1.2e-7): 1e-5. */
static void test_derivatives_fd(void) {
    size_t ci;
    for (ci = 0; ci < N_CONFIGS; ci++) {
        const config *cf = &configs[ci];
        llp_landscape ls;
        llp_objective f;
        llp_rng rng;
        size_t n = cf->n, i, j, p;
        llp_real x[MAXN], g[MAXN], fdg[MAXN], H[MAXN * MAXN], gp[MAXN], gm[MAXN], v[MAXN], hv[MAXN], hvref[MAXN];
        double worst_g = 0, worst_h = 0, worst_sym = 0, worst_hv = 0;
        char name[64];
        const double h = TOL(1e-5, 1.0 / 512); /* float: see above */
        cfg_name(cf, name, sizeof name);
        if (init_config(&ls, cf, 1000 + ci) != LLP_OK) {
            CHECK(0, "%s: init failed", name);
            continue;
        }
        f = llp_landscape_objective(&ls);
        CHECK(f.n == n && f.n_samples == 0 && f.hvp != NULL, "%s: objective n = %lu, no samples, exact hvp", name,
              (unsigned long)f.n);
        llp_rng_seed(&rng, 77 + ci);
        for (p = 0; p < 20; p++) {
            llp_real fx = 0, fo = 0;
            double hmax, e;
            for (i = 0; i < n; i++) x[i] = (llp_real)(cf->box * (2 * llp_rng_uniform(&rng) - 1));
            CHECK_OK(llp_landscape_eval(&ls, x, &fx, g));
            CHECK_OK(llp_objective_loss(&f, x, NULL, &fo));
            CHECK(fo == fx, "%s: objective value = eval", name);
            for (i = 0; i < n; i++) {
                llp_real keep = x[i];
                double fp, fm;
                x[i] = (llp_real)(keep + h);
                fp = value(&ls, x);
                x[i] = (llp_real)(keep - h);
                fm = value(&ls, x);
                x[i] = keep;
                fdg[i] = (llp_real)((fp - fm) / (2 * h));
            }
            e = rel_err(g, fdg, n);
            if (e > worst_g) worst_g = e;
            CHECK_OK(llp_landscape_hessian(&ls, x, H));
            hmax = max_abs(H, n * n);
            for (j = 0; j < n; j++) {
                llp_real keep = x[j], fx2;
                x[j] = (llp_real)(keep + h);
                llp_landscape_eval(&ls, x, &fx2, gp);
                x[j] = (llp_real)(keep - h);
                llp_landscape_eval(&ls, x, &fx2, gm);
                x[j] = keep;
                for (i = 0; i < n; i++) {
                    double d = fabs(H[i * n + j] - ((double)gp[i] - gm[i]) / (2 * h)) / hmax;
                    if (d > worst_h) worst_h = d;
                    d = fabs(H[i * n + j] - H[j * n + i]) / hmax;
                    if (d > worst_sym) worst_sym = d;
                }
            }
            for (i = 0; i < n; i++) v[i] = (llp_real)llp_rng_normal(&rng);
            CHECK_OK(llp_objective_hvp(&f, x, v, NULL, hv));
            for (i = 0; i < n; i++) {
                double s = 0;
                for (j = 0; j < n; j++) s += (double)H[i * n + j] * v[j];
                hvref[i] = (llp_real)s;
            }
            e = 0;
            for (i = 0; i < n; i++) e += (hv[i] - hvref[i]) * (hv[i] - hvref[i]);
            e = sqrt(e) / (hmax * llp_nrm2(v, n));
            if (e > worst_hv) worst_hv = e;
        }
        CHECK(worst_g < TOL(1e-6, 2e-3), "%s: gradient vs central differences: worst rel %.3g", name, worst_g);
        CHECK(worst_h < TOL(1e-5, 1e-3), "%s: Hessian vs central differences of the gradient: worst %.3g of max|H|",
              name, worst_h);
        CHECK(worst_sym <= 1e-12, "%s: Hessian symmetric: worst %.3g of max|H|", name, worst_sym);
        CHECK(worst_hv <= TOL(1e-12, 1e-5), "%s: objective hvp = H v: worst %.3g of max|H||v|", name, worst_hv);
        llp_landscape_free(&ls);
    }
}

/* Hessians worked out by hand:
   - skewed bowl x^2/2 + 10 y^2 + x y: [[1, 1], [1, 20]] everywhere;
   - saddle x^2 - y^2: diag(2, -2); n = 5: diag(2, 2, 2, -2, -2) (first
     ceil(n/2) coordinates are +);
   - Rosenbrock 100 (y - x^2)^2 + (1 - x)^2: H = [[1200 x^2 - 400 y + 2,
     -400 x], [-400 x, 200]], so H(1,1) = [[802, -400], [-400, 200]] and
     H(0,0) = [[2, 0], [0, 200]]; n = 5 at (1,...,1): tridiagonal with
     diagonal 802, 1002, 1002, 1002, 200 and off-diagonal -400;
   - Rastrigin at 0: (2 + 4 pi^2 A) I for A = 10 and A = 3.
   Exact small integers: compared to 1e-12 relative. The Rastrigin diagonal
   is not an integer: in float it is the double value rounded to float, half
   an ulp, so it is compared to FLT_EPSILON relative there. */
static void test_closed_form_hessians(void) {
    llp_landscape ls;
    llp_real x[MAXN], H[MAXN * MAXN];
    size_t i, j;
    double A;
    /* skewed bowl, at two different points */
    CHECK_OK(init_simple(&ls, LLP_LANDSCAPE_SKEWED_BOWL, 2, 0));
    for (i = 0; i < 2; i++) {
        x[0] = (llp_real)(i ? -1.7 : 0.3);
        x[1] = (llp_real)(i ? 2.2 : 0.9);
        CHECK_OK(llp_landscape_hessian(&ls, x, H));
        CHECK(H[0] == 1 && H[1] == 1 && H[2] == 1 && H[3] == 20, "skewed bowl H = [[1,1],[1,20]], got [[%g,%g],[%g,%g]]",
              H[0], H[1], H[2], H[3]);
    }
    {
        llp_real fx;
        x[0] = 2;
        x[1] = -3;
        CHECK_OK(llp_landscape_eval(&ls, x, &fx, NULL));
        CHECK_CLOSE(fx, 0.5 * 4 + 10 * 9 + 2 * -3, 1e-14, "skewed bowl f(2, -3) = 2 + 90 - 6");
    }
    llp_landscape_free(&ls);
    /* saddle */
    CHECK_OK(init_simple(&ls, LLP_LANDSCAPE_SADDLE, 2, 0));
    x[0] = 0.4;
    x[1] = -1.1;
    CHECK_OK(llp_landscape_hessian(&ls, x, H));
    CHECK(H[0] == 2 && H[1] == 0 && H[2] == 0 && H[3] == -2, "saddle H = diag(2, -2)");
    llp_landscape_free(&ls);
    CHECK_OK(init_simple(&ls, LLP_LANDSCAPE_SADDLE, 5, 0));
    for (i = 0; i < 5; i++) x[i] = (llp_real)(0.1 * (double)i - 0.2);
    CHECK_OK(llp_landscape_hessian(&ls, x, H));
    for (i = 0; i < 5; i++)
        for (j = 0; j < 5; j++) {
            double want = i != j ? 0 : (i < 3 ? 2 : -2);
            CHECK(H[i * 5 + j] == want, "saddle n=5: H[%lu][%lu] = %g, want %g", (unsigned long)i, (unsigned long)j,
                  H[i * 5 + j], want);
        }
    llp_landscape_free(&ls);
    /* Rosenbrock */
    CHECK_OK(init_simple(&ls, LLP_LANDSCAPE_ROSENBROCK, 2, 0));
    x[0] = 1;
    x[1] = 1;
    CHECK_OK(llp_landscape_hessian(&ls, x, H));
    CHECK_CLOSE(H[0], 802, 1e-12, "Rosenbrock H(1,1)[0][0]");
    CHECK_CLOSE(H[1], -400, 1e-12, "Rosenbrock H(1,1)[0][1]");
    CHECK_CLOSE(H[2], -400, 1e-12, "Rosenbrock H(1,1)[1][0]");
    CHECK_CLOSE(H[3], 200, 1e-12, "Rosenbrock H(1,1)[1][1]");
    x[0] = 0;
    x[1] = 0;
    CHECK_OK(llp_landscape_hessian(&ls, x, H));
    CHECK(H[0] == 2 && H[1] == 0 && H[2] == 0 && H[3] == 200, "Rosenbrock H(0,0) = [[2,0],[0,200]], got [[%g,%g],[%g,%g]]",
          H[0], H[1], H[2], H[3]);
    llp_landscape_free(&ls);
    CHECK_OK(init_simple(&ls, LLP_LANDSCAPE_ROSENBROCK, 5, 0));
    for (i = 0; i < 5; i++) x[i] = 1;
    CHECK_OK(llp_landscape_hessian(&ls, x, H));
    for (i = 0; i < 5; i++)
        for (j = 0; j < 5; j++) {
            double want = 0;
            if (i == j) want = i == 0 ? 802 : (i == 4 ? 200 : 1002);
            else if (i + 1 == j || j + 1 == i) want = -400;
            CHECK_CLOSE(H[i * 5 + j], want, 1e-12, "Rosenbrock n=5 Hessian at ones");
        }
    llp_landscape_free(&ls);
    /* Rastrigin at 0 */
    for (A = 3; A <= 10; A += 7) {
        size_t n;
        for (n = 2; n <= 5; n += 3) {
            CHECK_OK(init_simple(&ls, LLP_LANDSCAPE_RASTRIGIN, n, A));
            for (i = 0; i < n; i++) x[i] = 0;
            CHECK_OK(llp_landscape_hessian(&ls, x, H));
            for (i = 0; i < n; i++)
                for (j = 0; j < n; j++)
                    CHECK_CLOSE(H[i * n + j], i == j ? 2 + 4 * PI * PI * A : 0.0, TOL(1e-12, FLT_EPSILON),
                                "Rastrigin H(0) = (2 + 4 pi^2 A) I");
            llp_landscape_free(&ls);
        }
    }
}

/* The ill-conditioned quadratic 1/2 x^T Q diag(lambda) Q^T x with
   lambda_i = cond^(i/(n-1)) (log-spaced 1..cond, computed here), cond 1e3:
   axis-aligned: H = diag(lambda) (1e-12 relative); rotated: Q^T Q = I to
   1e-12; H q_j = lambda_j q_j for every column q_j of Q, to 1e-12 cond
   (products of n terms of size <= cond); trace H = sum lambda to 1e-12;
   Rayleigh quotients of 100 random v lie in [1, cond] (1e-12 relative), and
   those of q_1 and q_n are 1 and cond; f(x) = x^T H x / 2 to 1e-12.
   Float build: lambda, Q and H are stored in float. lambda is rounded (half
   an ulp: diag(lambda) to FLT_EPSILON); Q is orthonormal only to the rounding
   of sums of n products, n eps ~ 7e-7 for n = 6 (Q^T Q = I, the trace and
   H q_j = lambda_j q_j use 2e-6, resp. 2e-6 cond); each entry of H carries
   up to eps |H| <= eps cond of rounding, so a Rayleigh quotient or x^T H x
   near its smallest eigenvalue 1 is known to ~eps cond (FLT_EPSILON cond
   ~ 1.2e-4; measured 1.7e-6). */
static void test_quadratic_spectrum(void) {
    const double cond = 1e3;
    int rot;
    for (rot = 0; rot <= 1; rot++) {
        size_t n;
        for (n = 2; n <= 6; n += 4) {
            llp_landscape ls;
            llp_landscape_desc d;
            llp_rng rng;
            llp_real H[MAXN * MAXN], x[MAXN], g[MAXN], fx;
            double lam[MAXN], tr = 0, ls_sum = 0, rq_lo = HUGE_VAL, rq_hi = -HUGE_VAL, xhx = 0;
            size_t i, j, k, rep;
            memset(&d, 0, sizeof d);
            d.kind = LLP_LANDSCAPE_QUADRATIC;
            d.n = n;
            d.cond = cond;
            d.rotate = rot;
            llp_rng_seed(&rng, 5 + n);
            CHECK_OK(llp_landscape_init(&ls, &d, &rng));
            for (i = 0; i < n; i++) {
                lam[i] = pow(cond, (double)i / (double)(n - 1));
                ls_sum += lam[i];
            }
            for (i = 0; i < n; i++) x[i] = 0;
            CHECK_OK(llp_landscape_hessian(&ls, x, H));
            for (i = 0; i < n; i++) tr += H[i * n + i];
            CHECK_CLOSE(tr, ls_sum, TOL(1e-12, 2e-6), "trace H = sum of log-spaced eigenvalues");
            if (!rot) {
                CHECK(ls.q == NULL, "axis-aligned quadratic has no rotation");
                for (i = 0; i < n; i++)
                    for (j = 0; j < n; j++)
                        CHECK_CLOSE(H[i * n + j], i == j ? lam[i] : 0.0, TOL(1e-12, FLT_EPSILON),
                                    "axis-aligned H = diag(lambda)");
            } else {
                double worst_orth = 0, worst_eig = 0;
                CHECK(ls.q != NULL, "rotated quadratic has Q");
                if (!ls.q) {
                    llp_landscape_free(&ls);
                    continue;
                }
                for (i = 0; i < n; i++)
                    for (j = 0; j < n; j++) {
                        double s = 0;
                        for (k = 0; k < n; k++) s += (double)ls.q[k * n + i] * ls.q[k * n + j];
                        s -= i == j;
                        if (fabs(s) > worst_orth) worst_orth = fabs(s);
                    }
                CHECK(worst_orth <= TOL(1e-12, 2e-6), "rotated Q: max |Q^T Q - I| = %.3g", worst_orth);
                for (j = 0; j < n; j++)
                    for (i = 0; i < n; i++) {
                        double s = 0;
                        for (k = 0; k < n; k++) s += (double)H[i * n + k] * ls.q[k * n + j];
                        s -= lam[j] * ls.q[i * n + j];
                        if (fabs(s) > worst_eig) worst_eig = fabs(s);
                    }
                CHECK(worst_eig <= TOL(1e-12, 2e-6) * cond, "H q_j = lambda_j q_j: max residual %.3g", worst_eig);
                /* the first and last eigenvector give the extreme quotients */
                for (k = 0; k < 2; k++) {
                    size_t col = k ? n - 1 : 0;
                    double num = 0;
                    for (i = 0; i < n; i++)
                        for (j = 0; j < n; j++) num += (double)ls.q[i * n + col] * H[i * n + j] * ls.q[j * n + col];
                    CHECK_CLOSE(num, k ? cond : 1.0, TOL(1e-12, FLT_EPSILON * cond),
                                "Rayleigh quotient of an extreme eigenvector");
                }
            }
            for (rep = 0; rep < 100; rep++) {
                double num = 0, den = 0;
                for (i = 0; i < n; i++) x[i] = (llp_real)llp_rng_normal(&rng);
                for (i = 0; i < n; i++)
                    for (j = 0; j < n; j++) num += (double)x[i] * H[i * n + j] * x[j];
                for (i = 0; i < n; i++) den += (double)x[i] * x[i];
                if (num / den < rq_lo) rq_lo = num / den;
                if (num / den > rq_hi) rq_hi = num / den;
            }
            CHECK(rq_lo >= 1 - TOL(1e-12, FLT_EPSILON * cond) && rq_hi <= cond * (1 + TOL(1e-12, FLT_EPSILON * cond)),
                  "Rayleigh quotients in [1, cond]: [%.6g, %.6g]", rq_lo, rq_hi);
            CHECK_OK(llp_landscape_eval(&ls, x, &fx, g));
            for (i = 0; i < n; i++)
                for (j = 0; j < n; j++) xhx += (double)x[i] * H[i * n + j] * x[j];
            CHECK_CLOSE(fx, 0.5 * xhx, TOL(1e-12, FLT_EPSILON * cond), "quadratic f(x) = x^T H x / 2");
            llp_landscape_free(&ls);
        }
    }
}

/* Roots of a cubic a3 x^3 + a1 x + a0 on [lo, hi] (sign change) by bisection. */
static double bisect_cubic(double a3, double a1, double a0, double lo, double hi) {
    int it;
    double flo = a3 * lo * lo * lo + a1 * lo + a0;
    for (it = 0; it < 200; it++) {
        double mid = 0.5 * (lo + hi), fm = a3 * mid * mid * mid + a1 * mid + a0;
        if ((fm < 0) == (flo < 0)) lo = mid, flo = fm;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* Published minima of the standard test functions:
   Rosenbrock f(1,...,1) = 0, Rastrigin f(0) = 0 (A = 10 and 3), Ackley
   f(0) = 0 (to 1e-12: e - e and 20 - 20 cancel in floating point), each with
   zero gradient; Ackley's Hessian (and hvp) at 0, where it is not
   differentiable, is LLP_ERR_UNSUPPORTED. llp_landscape_minimum returns
   these points and values. Styblinski–Tang: the published minimum is
   -39.16617 n at x_i = -2.903534 (6 significant digits, so 1e-4 on f/n and
   1e-6 on x); the minimiser solves 2x^3 - 16x + 2.5 = 0 and beats the other
   local minimum (root near 2.75, found here by bisection).
   Float build: the minimisers are the roots rounded to float and the values
   double results rounded to float, so Ackley's f(1,...,1) is compared to
   FLT_EPSILON (half an ulp), and the Styblinski-Tang stationarity residual
   is |x - root| <= ulp(2.9) / 2 = 1.2e-7 times the slope 6x^2 - 16 = 34.6,
   <= 4.1e-6: 1e-5. */
static void test_published_minima(void) {
    size_t n, i;
    for (n = 2; n <= 5; n += 3) {
        llp_landscape ls;
        llp_real x[MAXN], g[MAXN], fx, fm, H[MAXN * MAXN], v[MAXN], hv[MAXN];
        llp_objective f;
        double A;
        /* Rosenbrock */
        CHECK_OK(init_simple(&ls, LLP_LANDSCAPE_ROSENBROCK, n, 0));
        for (i = 0; i < n; i++) x[i] = 1;
        CHECK_OK(llp_landscape_eval(&ls, x, &fx, g));
        CHECK(fx == 0 && max_abs(g, n) == 0, "Rosenbrock f(1,...,1) = 0 with zero gradient (f %g)", fx);
        CHECK_OK(llp_landscape_minimum(&ls, x, &fm));
        CHECK(fm == 0, "Rosenbrock minimum value 0 (%g)", fm);
        for (i = 0; i < n; i++) CHECK(x[i] == 1, "Rosenbrock minimiser x_%lu = %g", (unsigned long)i, x[i]);
        llp_landscape_free(&ls);
        /* Rastrigin */
        for (A = 3; A <= 10; A += 7) {
            CHECK_OK(init_simple(&ls, LLP_LANDSCAPE_RASTRIGIN, n, A));
            for (i = 0; i < n; i++) x[i] = 0;
            CHECK_OK(llp_landscape_eval(&ls, x, &fx, g));
            CHECK(fabs(fx) <= 1e-12 && max_abs(g, n) == 0, "Rastrigin A=%g f(0) = 0 (%g)", A, fx);
            for (i = 0; i < n; i++) x[i] = 0.5;
            CHECK_OK(llp_landscape_eval(&ls, x, &fx, NULL));
            CHECK_CLOSE(fx, n * (0.25 + 2 * A), 1e-12, "Rastrigin f(1/2,...) = n (1/4 + 2A)");
            CHECK_OK(llp_landscape_minimum(&ls, x, &fm));
            CHECK(fabs(fm) <= 1e-12 && max_abs(x, n) == 0, "Rastrigin minimum 0 at 0");
            llp_landscape_free(&ls);
        }
        /* Ackley */
        CHECK_OK(init_simple(&ls, LLP_LANDSCAPE_ACKLEY, n, 0));
        for (i = 0; i < n; i++) x[i] = 0;
        CHECK_OK(llp_landscape_eval(&ls, x, &fx, g));
        CHECK(fabs(fx) <= 1e-12, "Ackley f(0) = %.3g", fx);
        CHECK(max_abs(g, n) <= 1e-12, "Ackley gradient at 0 is 0 (the subgradient's centre)");
        CHECK(llp_landscape_hessian(&ls, x, H) == LLP_ERR_UNSUPPORTED, "Ackley Hessian at 0: UNSUPPORTED");
        f = llp_landscape_objective(&ls);
        for (i = 0; i < n; i++) v[i] = 1;
        CHECK(llp_objective_hvp(&f, x, v, NULL, hv) == LLP_ERR_UNSUPPORTED, "Ackley hvp at 0: UNSUPPORTED");
        CHECK_OK(llp_landscape_minimum(&ls, x, &fm));
        CHECK(fabs(fm) <= 1e-12 && max_abs(x, n) == 0, "Ackley minimum 0 at 0");
        for (i = 0; i < n; i++) x[i] = 1; /* cos(2 pi) = 1: f = -20 e^-0.2 - e + 20 + e */
        CHECK_OK(llp_landscape_eval(&ls, x, &fx, NULL));
        CHECK_CLOSE(fx, 20 - 20 * exp(-0.2), TOL(1e-12, FLT_EPSILON), "Ackley f(1,...,1) = 20 - 20 e^-0.2");
        llp_landscape_free(&ls);
        /* Styblinski–Tang */
        CHECK_OK(init_simple(&ls, LLP_LANDSCAPE_STYBLINSKI_TANG, n, 0));
        CHECK_OK(llp_landscape_minimum(&ls, x, &fm));
        for (i = 0; i < n; i++) {
            double t = x[i];
            CHECK(fabs(t - -2.903534) <= 1e-6, "Styblinski-Tang minimiser x_%lu = %.9f, published -2.903534",
                  (unsigned long)i, t);
            CHECK(fabs(2 * t * t * t - 16 * t + 2.5) <= TOL(1e-12, 1e-5),
                  "Styblinski-Tang stationary: 2x^3 - 16x + 2.5 = %.3g", 2 * t * t * t - 16 * t + 2.5);
        }
        CHECK(fabs(fm / (double)n - -39.16617) <= 1e-4, "Styblinski-Tang f_min / n = %.8f, published -39.16617",
              fm / (double)n);
        for (i = 0; i < n; i++) x[i] = (llp_real)-2.903534;
        CHECK_OK(llp_landscape_eval(&ls, x, &fx, NULL));
        CHECK(fabs(fx / (double)n - -39.16617) <= 1e-4, "Styblinski-Tang f(-2.903534,...)/n = %.8f", fx / (double)n);
        {
            double other = bisect_cubic(2, -16, 2.5, 2, 3.5), fo;
            for (i = 0; i < n; i++) x[i] = (llp_real)other;
            fo = value(&ls, x);
            CHECK(other > 2.7 && other < 2.8 && fm < fo - 1, "Styblinski-Tang: other local minimum %.6f has f %.4f > %.4f",
                  other, fo, fm);
        }
        llp_landscape_free(&ls);
    }
}

/* Quartic sum x^4 - 2x^2 + 0.5x: the minimiser from llp_landscape_minimum
   solves 4x^3 - 4x + 0.5 = 0 (residual <= 1e-12), is near -1.057 (the
   documented value, 3 decimals), and is the global one: its value is below
   that of the other local minimum (root near 0.93 by bisection here) and
   below every point of a 1-D grid of step 1e-4 over [-2, 2] (|x| > 2 gives
   f > 8 - 1 > 0 > f_min). Value compared with the formula written here.
   Float build: the minimiser is the root rounded to float, |x - root| <=
   ulp(1.06) / 2 = 6e-8, times the slope 12x^2 - 4 = 9.4: the residual and
   the gradient there are <= 5.6e-7, checked to 1e-6; the value is a double
   sum rounded to float: FLT_EPSILON relative. */
static void test_quartic_minimum(void) {
    size_t n;
    for (n = 2; n <= 5; n += 3) {
        llp_landscape ls;
        llp_real x[MAXN], fm, g[MAXN], H[MAXN * MAXN];
        double t, f1, other, fo, gmin = HUGE_VAL;
        size_t i;
        int k;
        CHECK_OK(init_simple(&ls, LLP_LANDSCAPE_QUARTIC, n, 0));
        CHECK_OK(llp_landscape_minimum(&ls, x, &fm));
        t = x[0];
        for (i = 1; i < n; i++) CHECK(x[i] == x[0], "quartic minimiser has equal coordinates");
        CHECK(fabs(4 * t * t * t - 4 * t + 0.5) <= TOL(1e-12, 1e-6), "quartic: 4x^3 - 4x + 0.5 = %.3g at %.12f",
              4 * t * t * t - 4 * t + 0.5, t);
        CHECK(fabs(t - -1.057) <= 1e-3, "quartic minimiser %.6f near -1.057", t);
        f1 = t * t * t * t - 2 * t * t + 0.5 * t;
        CHECK_CLOSE(fm, n * f1, TOL(1e-12, FLT_EPSILON), "quartic minimum value = n f1(x*)");
        other = bisect_cubic(4, -4, 0.5, 0.5, 1.5);
        fo = other * other * other * other - 2 * other * other + 0.5 * other;
        CHECK(other > 0.9 && other < 0.95 && f1 < fo, "quartic: other local min %.6f has f1 %.6f > %.6f", other, fo, f1);
        for (k = -20000; k <= 20000; k++) {
            double s = k * 1e-4, fs = s * s * s * s - 2 * s * s + 0.5 * s;
            if (fs < gmin) gmin = fs;
        }
        CHECK(f1 <= gmin + 1e-15, "quartic f1(x*) = %.15g <= grid minimum %.15g", f1, gmin);
        CHECK_OK(llp_landscape_eval(&ls, x, &fm, g));
        CHECK(max_abs(g, n) <= TOL(1e-12, 1e-6), "quartic gradient at the minimum %.3g", max_abs(g, n));
        CHECK_OK(llp_landscape_hessian(&ls, x, H));
        CHECK(H[0] > 0, "quartic Hessian positive at the minimum");
        llp_landscape_free(&ls);
    }
}

/* sin(4x)cos(4y) + 2(x^2 + y^2): the minimiser from llp_landscape_minimum
   has zero gradient (<= 1e-10), a positive-definite Hessian (2x2 block
   [[d, o], [o, d]] with d = 4 - 16 sin4x cos4y, o = -16 cos4x sin4y derived
   here: d > |o|), and its value is below every point of an 801 x 801 grid on
   [-1, 1]^2 evaluated with the formula written here (outside the unit disc
   f >= -1 + 2 > 0 > f_min, so the grid covers the global minimum; grid
   points are never lower than the true minimum, 1e-12 allows rounding).
   For n = 4 the minimum is twice the pair minimum.
   Float build: the minimiser is rounded to float, half an ulp of |x| < 0.5
   (1.5e-8) times |H| <= 4 + 16 + 16 = 36: the gradient there is <= 5.4e-7,
   checked to 1e-6 (measured 2.1e-7); the value is a double sum rounded to
   float: FLT_EPSILON relative. */
static void test_sincos_minimum(void) {
    size_t n;
    double gmin = HUGE_VAL;
    int gi, gj;
    for (gi = 0; gi <= 800; gi++)
        for (gj = 0; gj <= 800; gj++) {
            double a = -1 + gi * 0.0025, b = -1 + gj * 0.0025, fv = sin(4 * a) * cos(4 * b) + 2 * (a * a + b * b);
            if (fv < gmin) gmin = fv;
        }
    for (n = 2; n <= 4; n += 2) {
        llp_landscape ls;
        llp_real x[MAXN], fm, g[MAXN], fx;
        double a, b, d, o, fpair;
        size_t i;
        CHECK_OK(init_simple(&ls, LLP_LANDSCAPE_SINCOS, n, 0));
        CHECK_OK(llp_landscape_minimum(&ls, x, &fm));
        CHECK_OK(llp_landscape_eval(&ls, x, &fx, g));
        CHECK(max_abs(g, n) <= TOL(1e-10, 1e-6), "sincos n=%lu: gradient at the minimum %.3g", (unsigned long)n,
              max_abs(g, n));
        CHECK_CLOSE(fm, fx, 1e-14, "sincos: reported minimum value = f(minimiser)");
        a = x[0];
        b = x[1];
        for (i = 2; i < n; i++) CHECK(x[i] == x[i % 2], "sincos: every pair at the same minimiser");
        d = 4 - 16 * sin(4 * a) * cos(4 * b);
        o = -16 * cos(4 * a) * sin(4 * b);
        CHECK(d > fabs(o), "sincos: Hessian positive definite (d %.4g, o %.4g)", d, o);
        fpair = sin(4 * a) * cos(4 * b) + 2 * (a * a + b * b);
        CHECK_CLOSE(fm, (double)(n / 2) * fpair, TOL(1e-12, FLT_EPSILON), "sincos minimum = (n/2) f_pair");
        CHECK(fpair <= gmin + 1e-12, "sincos: f_pair(x*) = %.15g <= grid minimum %.15g", fpair, gmin);
        CHECK(fpair < 0, "sincos: minimum below 0 (%.6g)", fpair);
        llp_landscape_free(&ls);
    }
}

/* llp_landscape_minimum on the quadratic returns 0 at 0; on the saddle it is
   LLP_ERR_UNSUPPORTED. llp_landscape_init rejects dimensions a function does
   not allow (skewed bowl n=3, sincos odd n, Rosenbrock n=1, quadratic
   cond 0.5, a rotated quadratic without rng, an unknown kind) with
   LLP_ERR_ARG and leaves *ls as it was. */
static void test_init_rejects(void) {
    llp_landscape ls, before;
    llp_landscape_desc d;
    llp_real x[MAXN], fm = 1;
    size_t i;
    CHECK_OK(init_simple(&ls, LLP_LANDSCAPE_SADDLE, 2, 0));
    CHECK(llp_landscape_minimum(&ls, x, &fm) == LLP_ERR_UNSUPPORTED, "saddle minimum: UNSUPPORTED");
    llp_landscape_free(&ls);
    CHECK_OK(init_simple(&ls, LLP_LANDSCAPE_QUADRATIC, 4, 0));
    for (i = 0; i < 4; i++) x[i] = 9;
    CHECK_OK(llp_landscape_minimum(&ls, x, &fm));
    CHECK(fm == 0 && max_abs(x, 4) == 0, "quadratic minimum 0 at 0");
    llp_landscape_free(&ls);

    memset(&ls, 0x3c, sizeof ls);
    before = ls;
#define REJECT(KIND, N, COND, ROT, RNGP, WHAT)                                                                 \
    do {                                                                                                       \
        llp_rng rng_;                                                                                          \
        llp_rng_seed(&rng_, 1);                                                                                \
        memset(&d, 0, sizeof d);                                                                               \
        d.kind = (KIND);                                                                                       \
        d.n = (N);                                                                                             \
        d.cond = (COND);                                                                                       \
        d.rotate = (ROT);                                                                                      \
        CHECK(llp_landscape_init(&ls, &d, (RNGP) ? &rng_ : NULL) == LLP_ERR_ARG, "%s: LLP_ERR_ARG", WHAT);      \
        CHECK(memcmp(&ls, &before, sizeof ls) == 0, "%s: landscape untouched", WHAT);                          \
    } while (0)
    REJECT(LLP_LANDSCAPE_SKEWED_BOWL, 3, 0, 0, 1, "skewed bowl n=3");
    REJECT(LLP_LANDSCAPE_SINCOS, 3, 0, 0, 1, "sincos n=3");
    REJECT(LLP_LANDSCAPE_SINCOS, 5, 0, 0, 1, "sincos n=5");
    REJECT(LLP_LANDSCAPE_ROSENBROCK, 1, 0, 0, 1, "rosenbrock n=1");
    REJECT(LLP_LANDSCAPE_SADDLE, 1, 0, 0, 1, "saddle n=1");
    REJECT(LLP_LANDSCAPE_QUADRATIC, 3, 0.5, 0, 1, "quadratic cond 0.5");
    REJECT(LLP_LANDSCAPE_QUADRATIC, 3, -2, 0, 1, "quadratic cond -2");
    REJECT(LLP_LANDSCAPE_QUADRATIC, 3, 10, 1, 0, "rotated quadratic without rng");
    REJECT((llp_landscape_kind)99, 2, 0, 0, 1, "unknown kind");
#undef REJECT
    /* the boundary values are accepted */
    memset(&d, 0, sizeof d);
    d.kind = LLP_LANDSCAPE_QUADRATIC;
    d.n = 3;
    d.cond = 1;
    CHECK_OK(llp_landscape_init(&ls, &d, NULL));
    llp_landscape_free(&ls);
    CHECK_OK(init_simple(&ls, LLP_LANDSCAPE_ROSENBROCK, 2, 0));
    llp_landscape_free(&ls);
    CHECK(strcmp(llp_landscape_name(LLP_LANDSCAPE_ROSENBROCK), "rosenbrock") == 0, "name of Rosenbrock");
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_derivatives_fd);
    LLP_RUN(test_closed_form_hessians);
    LLP_RUN(test_quadratic_spectrum);
    LLP_RUN(test_published_minima);
    LLP_RUN(test_quartic_minimum);
    LLP_RUN(test_sincos_minimum);
    LLP_RUN(test_init_rejects);
    return llp_test_summary();
}
