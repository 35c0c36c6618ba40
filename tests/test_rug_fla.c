/* Fitness-landscape analysis by random walks (rug_fla: llp_fla_*, llp_rugged_fla).

   References, all independent of the code under test:
   - hand values: rho(1) of an alternating +-1 sequence of even length N is
     -(N-1)/N and rho(2) (N-2)/N; of a ramp 0..N-1 it is 1 - 3/N (closed form
     of the sample autocorrelation with the all-N denominator); l = -1/ln|rho|.
     A 9-point sequence with a hand-counted symbol-pair table gives H(0),
     H(eps* / 2), M(0), M(eps* / 2) and eps* = 3 exactly (tolerance 1e-15: a few
     logs). FEM is checked against a brute-force max over the 9-point eps grid
     of a reference H written here from the definition.
   - AR(1) x_{t+1} = phi x_t + e_t, T = 20000, phi = 0.3, 0.9: rho(1) within
     3 standard errors sqrt((1 - phi^2)/T) of phi (Bartlett), l within the
     same band mapped through dl/drho = 1/(rho ln^2 rho).
   - i.i.d. sequences, T = 20000: white noise has |rho(1)| < 4/sqrt(T); a
     random walk with i.i.d. increments has i.i.d. +-1 symbols, so P[1,-1] =
     P[-1,1] = 1/4, H(0) = -2 (1/4) log_6(1/4) = 0.3869 and M = 1/2; white
     noise itself has P[up, down] = P[down, up] = 1/3 (the middle of three
     i.i.d. values is the extreme with probability 2/3), H(0) = 0.4089, M =
     2/3. Tolerances: 5 sqrt(2) times the delta-method binomial s.e.
     (|dH/dp| sqrt(p(1-p)/N); the sqrt(2) covers the dependence of overlapping
     pairs), 5 s.e. for M.
   - walk mechanics: every simple step has length `step` (1e-12 relative;
     float 1e-5: positions rounded to float), values = loss at the returned
     points exactly, the PRW stays in its box and starts on its boundary, a
     1-D PRW replayed by hand from the documented rng draws (reflections
     included) matches to 1e-15 (float: 1e-6, positions rounded), evals equal
     the calls a counting wrapper sees, same seed -> same bits, theta
     untouched.
   - invariances: f -> 3.7 f + b leaves rho(1) (1e-12; float 1e-4: the
     wrapper rounds 3.7 loss + b to float) and H, M, FEM unchanged (exactly:
     symbols flip only for a difference within rounding of the threshold).
   - validation on Rastrigin (statistical, fixed seeds): A in {0, .5, 1, 2, 4,
     6, 8, 10} (A = 0 is passed as 1e-300: llp_landscape_init reads 0 as its
     default 10), n in {2, 10, 50}, 10 seeds; start theta uniform in
     [-1, 1]^n; simple-walk step 0.25 sqrt(n) (an RMS move of a quarter of
     the cosine period, 1, per coordinate), T = 300 steps, 25 walks, H at
     eps = 0 (eps_rel 1e-300), PRW box theta +- 5.12 (the usual Rastrigin
     domain, shifted by theta). Spearman (average ranks) of each measure
     with A, pooled over seeds (80 pairs per n), must be >= 0.9 for 1 - rho(1),
     -l, H, M, FEM_0.01 and FEM_0.1. Seen with these seeds (double and
     float alike): n = 2: .974 .960 .963 .961 .909 .981; n = 10: .963 .955
     .961 .962 .957 .981; n = 50: .938 .936 .973 .971 .987 .985. The margins
     are thin for FEM_0.01 at n = 2 (its 1% PRW steps in 2-D mix the signs of
     two independent coordinate moves, an entropy source present at A = 0),
     for rho(1) at n = 50, and H's whole range is small: 0.387 (independent
     signs of a smooth walk) to 0.409 (i.i.d. values). Longer walks raise H
     and lower rho's Spearman (the walk drifts up the x^2 bowl and its trend
     swamps the cosines); T = 300 with 25 walks is the compromise.
   - ruggedness != conditioning: rotated quadratics n = 10, cond 1 .. 1e4,
     10 seeds. The quadratic has one length scale, the distance to its
     minimum; with the walk scaled to it (step 0.005 ||theta||, PRW
     half-width 0.1 ||theta||) every measure has |Spearman| <= 0.5 with cond
     (seen: .03 .16 .22 .25 .33 .13). With the Rastrigin walk above (step
     0.25 sqrt(n) from [-1,1]^n, a long tour up the bowl) they do not: seen
     1 - rho .91, -l .84, H .72, M .72, FEM_0.01 .92, FEM_0.1 -.51 -- the
     series is then a sum of squared random walks, one per eigen-direction,
     and a large cond leaves few effective directions (rougher sums); FEM on
     a PRW also sees the rotation (independent per-coordinate steps project
     onto one stiff direction with random sign). What does hold there, and
     is asserted: every quadratic reads smoother (1 - rho(1) smaller) than
     Rastrigin with A = 4 at n = 10.
   - Rosenbrock n = 2 and 10 with the same local scaling (start 1 + U[-1,1]^n,
     step 0.005 ||theta - 1||): its 1 - rho(1) is within 0.02 of the
     quadratics' mean. */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"
#include <stdlib.h>

/* ---- helpers ------------------------------------------------------------- */

/* Reference H and M from the definition, at an absolute eps. */
static void ref_info(const double *f, size_t n, double eps, double *H, double *M) {
    int sym[64];
    size_t t, T = n - 1, cnt[3][3], mu = 0;
    int last = 0;
    double h = 0;
    memset(cnt, 0, sizeof cnt);
    for (t = 0; t < T; t++) {
        double d = f[t + 1] - f[t];
        sym[t] = d > eps ? 1 : (d < -eps ? -1 : 0);
    }
    for (t = 0; t + 1 < T; t++) cnt[sym[t] + 1][sym[t + 1] + 1]++;
    {
        int p, q;
        for (p = 0; p < 3; p++)
            for (q = 0; q < 3; q++)
                if (p != q && cnt[p][q]) {
                    double pr = (double)cnt[p][q] / (double)(T - 1);
                    h -= pr * log(pr) / log(6.0);
                }
    }
    for (t = 0; t < T; t++)
        if (sym[t] != 0 && sym[t] != last) {
            mu++;
            last = sym[t];
        }
    *H = h;
    *M = (double)mu / (double)T;
}

static void ranks(const double *x, size_t n, double *r) {
    size_t i, j;
    for (i = 0; i < n; i++) {
        double lt = 0, eq = 0;
        for (j = 0; j < n; j++) {
            if (x[j] < x[i]) lt++;
            else if (x[j] == x[i]) eq++;
        }
        r[i] = lt + (eq + 1) / 2; /* average rank of a tie group (1-based) */
    }
}

/* Spearman's rho with average ranks: Pearson correlation of the ranks. */
static double spearman(const double *x, const double *y, size_t n) {
    double rx[128], ry[128], mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
    size_t i;
    if (n > 128) return NAN;
    ranks(x, n, rx);
    ranks(y, n, ry);
    for (i = 0; i < n; i++) mx += rx[i], my += ry[i];
    mx /= (double)n, my /= (double)n;
    for (i = 0; i < n; i++) {
        sxy += (rx[i] - mx) * (ry[i] - my);
        sxx += (rx[i] - mx) * (rx[i] - mx);
        syy += (ry[i] - my) * (ry[i] - my);
    }
    return sxy / sqrt(sxx * syy);
}

/* An objective a * loss + b around a parent, counting its calls. */
typedef struct {
    llp_objective parent;
    double a, b;
    size_t calls;
    int nan_after; /* > 0: return NaN from this call on */
} wrap_ctx;

static llp_result wrap_loss(void *ctx, const llp_real *theta, const llp_batch *batch, llp_real *loss,
                            llp_real *grad) {
    wrap_ctx *w = (wrap_ctx *)ctx;
    llp_real l;
    llp_result r;
    (void)grad;
    w->calls++;
    r = llp_objective_loss(&w->parent, theta, batch, &l);
    if (r != LLP_OK) return r;
    *loss = (llp_real)(w->a * (double)l + w->b);
    if (w->nan_after && w->calls >= (size_t)w->nan_after) *loss = (llp_real)NAN;
    return LLP_OK;
}

static llp_objective wrap(wrap_ctx *w, const llp_objective *parent, double a, double b) {
    w->parent = *parent;
    w->a = a, w->b = b, w->calls = 0, w->nan_after = 0;
    return llp_objective_from_callbacks(parent->n, parent->n_samples, wrap_loss, NULL, w);
}

/* ---- sequence functions -------------------------------------------------- */

static void test_autocorr_hand(void) {
    double alt[8], ramp[10], c[5] = {2, 2, 2, 2, 2};
    size_t i;
    for (i = 0; i < 8; i++) alt[i] = (i % 2) ? -1 : 1;
    for (i = 0; i < 10; i++) ramp[i] = (double)i;
    CHECK_CLOSE(llp_fla_autocorr(alt, 8, 1), -7.0 / 8.0, 1e-15, "alternating rho(1) = -(N-1)/N");
    CHECK_CLOSE(llp_fla_autocorr(alt, 8, 2), 6.0 / 8.0, 1e-15, "alternating rho(2) = (N-2)/N");
    CHECK_CLOSE(llp_fla_autocorr(ramp, 10, 1), 1 - 3.0 / 10.0, 1e-15, "ramp rho(1) = 1 - 3/N");
    CHECK(llp_fla_autocorr(ramp, 10, 0) == 1, "rho(0) = 1");
    CHECK(llp_fla_autocorr(c, 5, 1) != llp_fla_autocorr(c, 5, 1), "constant: NaN");
    CHECK(llp_fla_autocorr(ramp, 10, 10) != llp_fla_autocorr(ramp, 10, 10), "lag >= n: NaN");
    CHECK_CLOSE(llp_fla_corr_len(0.7), -1 / log(0.7), 1e-15, "l(0.7)");
    CHECK_CLOSE(llp_fla_corr_len(-0.7), -1 / log(0.7), 1e-15, "l uses |rho|");
    CHECK(llp_fla_corr_len(0) == 0 && llp_fla_corr_len(1) == INFINITY && llp_fla_corr_len(-1) == INFINITY,
          "l(0) = 0, l(+-1) = Inf");
    CHECK(llp_fla_corr_len(1.5) != llp_fla_corr_len(1.5), "l(|rho| > 1) = NaN");
}

static void test_information_hand(void) {
    /* differences 1 2 -1 0 3 -1 0.5 -1.5; eps* = 3 */
    double f[9] = {0, 1, 3, 2, 2, 5, 4, 4.5, 3}, H = -1, M = -1, h = 0, m = 0, fem = 0, rel;
    double bad[4] = {0, 1, NAN, 2};
    int k;
    CHECK(llp_fla_eps_star(f, 9) == 3, "eps* = max |diff| = 3");
    /* eps = 0: symbols 1 1 -1 0 1 -1 1 -1; 7 pairs: (1,-1) x3, (-1,0), (0,1),
       (-1,1), (1,1) (same symbol, not counted); alternating string 1 -1 1 -1 1 -1 */
    CHECK_OK(llp_fla_information(f, 9, 0, &H, &M));
    CHECK_CLOSE(H, -(3.0 / 7 * log(3.0 / 7) + 3 * (1.0 / 7) * log(1.0 / 7)) / log(6.0), 1e-15, "H(0) by hand");
    CHECK_CLOSE(M, 6.0 / 8.0, 1e-15, "M(0) = 6/8");
    /* eps = 1.5: symbols 0 1 0 0 1 0 0 0 (-1.5 is not < -1.5): (0,1) x2, (1,0) x2 */
    CHECK_OK(llp_fla_information(f, 9, 0.5, &H, &M));
    CHECK_CLOSE(H, -(2 * (2.0 / 7) * log(2.0 / 7)) / log(6.0), 1e-15, "H(eps* / 2) by hand");
    CHECK_CLOSE(M, 1.0 / 8.0, 1e-15, "M(eps* / 2) = 1/8");
    CHECK_OK(llp_fla_information(f, 9, 1, &H, &M));
    CHECK(H == 0 && M == 0, "eps = eps*: all symbols 0");
    /* FEM: brute force over the grid {0, eps* / 128, ..., eps* / 2, eps*} */
    for (k = -1, rel = 1.0 / 128; k < 8; k++) {
        ref_info(f, 9, k < 0 ? 0 : rel * 3, &h, &m);
        if (h > fem) fem = h;
        if (k >= 0) rel *= 2;
    }
    CHECK_CLOSE(llp_fla_fem(f, 9), fem, 1e-15, "FEM = max over the eps grid");
    { /* a sequence whose tiny steps make H(0) the maximum: eps = 0 must be on the grid */
        double d2[8] = {1, -0.001, 0.001, -0.001, 0.001, -0.001, 0.001, -0.001}, f2[9], h0, h128;
        f2[0] = 0;
        for (k = 0; k < 8; k++) f2[k + 1] = f2[k] + d2[k];
        ref_info(f2, 9, 0, &h0, &m);
        ref_info(f2, 9, 1.0 / 128, &h128, &m);
        fem = h0;
        for (k = 0, rel = 1.0 / 128; k < 8; k++, rel *= 2) {
            ref_info(f2, 9, rel * llp_fla_eps_star(f2, 9), &h, &m);
            if (h > fem) fem = h;
        }
        CHECK(h0 > h128 && fem == h0, "reference: H(0) %.4f is the max (H(eps* / 128) %.4f)", h0, h128);
        CHECK_CLOSE(llp_fla_fem(f2, 9), fem, 1e-15, "FEM includes eps = 0");
    }
    H = M = 7;
    CHECK(llp_fla_information(f, 2, 0, &H, &M) == LLP_ERR_ARG, "n < 3 -> ARG");
    CHECK(llp_fla_information(f, 9, -0.1, &H, &M) == LLP_ERR_ARG, "eps_rel < 0 -> ARG");
    CHECK(llp_fla_information(f, 9, NAN, &H, &M) == LLP_ERR_ARG, "eps_rel NaN -> ARG");
    CHECK(llp_fla_information(NULL, 9, 0, &H, &M) == LLP_ERR_ARG, "NULL -> ARG");
    CHECK(llp_fla_information(bad, 4, 0, &H, &M) == LLP_ERR_NONFINITE, "NaN value -> NONFINITE");
    CHECK(H == 7 && M == 7, "outputs untouched on error");
    CHECK(llp_fla_fem(bad, 4) != llp_fla_fem(bad, 4) && llp_fla_eps_star(bad, 4) != llp_fla_eps_star(bad, 4),
          "FEM, eps* of NaN values: NaN");
}

static void test_random_sequences(void) {
    static double x[20001];
    const size_t N = 20001; /* T = 20000 steps */
    double phis[2] = {0.3, 0.9}, rho, H = -1, M = -1, se, p, tolH, tolM;
    llp_rng rng;
    size_t t;
    int k;
    llp_rng_seed(&rng, 77);
    for (k = 0; k < 2; k++) {
        double phi = phis[k], l0 = -1 / log(phi);
        x[0] = llp_rng_normal(&rng) / sqrt(1 - phi * phi); /* stationary start */
        for (t = 1; t < N; t++) x[t] = phi * x[t - 1] + llp_rng_normal(&rng);
        rho = llp_fla_autocorr(x, N, 1);
        se = sqrt((1 - phi * phi) / (double)(N - 1));
        CHECK(fabs(rho - phi) <= 3 * se, "AR(1) phi %.1f: rho(1) %.4f within 3 s.e. (%.4f)", phi, rho, se);
        CHECK(fabs(llp_fla_corr_len(rho) - l0) <= 3 * se / (phi * log(phi) * log(phi)) * 1.2,
              "AR(1) phi %.1f: l %.4f vs %.4f", phi, llp_fla_corr_len(rho), l0);
    }
    /* white noise */
    for (t = 0; t < N; t++) x[t] = llp_rng_normal(&rng);
    rho = llp_fla_autocorr(x, N, 1);
    CHECK(fabs(rho) < 4 / sqrt((double)N), "white noise rho(1) = %.4f", rho);
    CHECK_OK(llp_fla_information(x, N, 0, &H, &M));
    p = 1.0 / 3;
    tolH = 5 * sqrt(2.0) * fabs(log(p) + 1) / log(6.0) * sqrt(p * (1 - p) / (double)(N - 2));
    tolM = 5 * sqrt(2.0 / 3 * (1 - 2.0 / 3) / (double)(N - 1));
    CHECK(fabs(H - (-2 * p * log(p) / log(6.0))) <= tolH, "white noise H(0) %.4f vs 0.4089 (tol %.4f)", H, tolH);
    CHECK(fabs(M - 2.0 / 3) <= tolM, "white noise M(0) %.4f vs 2/3 (tol %.4f)", M, tolM);
    /* random walk: i.i.d. increments, i.i.d. +-1 symbols */
    x[0] = 0;
    for (t = 1; t < N; t++) x[t] = x[t - 1] + llp_rng_normal(&rng);
    CHECK_OK(llp_fla_information(x, N, 0, &H, &M));
    p = 0.25;
    tolH = 5 * sqrt(2.0) * fabs(log(p) + 1) / log(6.0) * sqrt(p * (1 - p) / (double)(N - 2));
    tolM = 5 * sqrt(0.25 / (double)(N - 1));
    CHECK(fabs(H - (-2 * p * log(p) / log(6.0))) <= tolH, "i.i.d. signs H(0) %.4f vs 0.3869 (tol %.4f)", H, tolH);
    CHECK(fabs(M - 0.5) <= tolM, "i.i.d. signs M(0) %.4f vs 1/2 (tol %.4f)", M, tolM);
}

static void test_sequence_invariance(void) {
    double f[400], g[400], h1 = 0, m1 = 0, h2 = -1, m2 = -1, rel[3] = {1e-300, 0.01, 0.2};
    llp_rng rng;
    size_t t;
    int k;
    llp_rng_seed(&rng, 5);
    f[0] = 0;
    for (t = 1; t < 400; t++) f[t] = 0.6 * f[t - 1] + sin(0.3 * (double)t) + llp_rng_normal(&rng);
    for (t = 0; t < 400; t++) g[t] = 3.7 * f[t] + 2.5;
    CHECK_CLOSE(llp_fla_autocorr(g, 400, 1), llp_fla_autocorr(f, 400, 1), 1e-12, "rho(1) under 3.7 f + 2.5");
    CHECK_CLOSE(llp_fla_corr_len(llp_fla_autocorr(g, 400, 1)), llp_fla_corr_len(llp_fla_autocorr(f, 400, 1)), 1e-12,
                "l under 3.7 f + 2.5");
    for (k = 0; k < 3; k++) {
        CHECK_OK(llp_fla_information(f, 400, rel[k], &h1, &m1));
        CHECK_OK(llp_fla_information(g, 400, rel[k], &h2, &m2));
        CHECK(h1 == h2 && m1 == m2, "H, M at eps_rel %g under 3.7 f + 2.5: %.17g %.17g / %.17g %.17g", rel[k], h1,
              h2, m1, m2);
    }
    CHECK(llp_fla_fem(f, 400) == llp_fla_fem(g, 400), "FEM under 3.7 f + 2.5");
    CHECK_CLOSE(llp_fla_eps_star(g, 400), 3.7 * llp_fla_eps_star(f, 400), 1e-12, "eps* scales with the loss");
}

/* ---- walks ---------------------------------------------------------------- */

static void test_random_walk_mechanics(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f0, f;
    wrap_ctx w;
    llp_rng rng;
    llp_real th[5], th0[5], path[51 * 5], path2[51 * 5], l;
    double vals[51], vals2[51], worst = 0, worstv = 0, keep[51];
    llp_evals ev;
    size_t t, i;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_RASTRIGIN, ld.n = 5, ld.amplitude = 3;
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    f0 = llp_landscape_objective(&ls);
    f = wrap(&w, &f0, 1, 0);
    llp_rng_seed(&rng, 11);
    for (i = 0; i < 5; i++) th[i] = th0[i] = (llp_real)(llp_rng_uniform(&rng) - 0.5);
    memset(&ev, 0, sizeof ev);
    llp_rng_seed(&rng, 3);
    CHECK_OK(llp_fla_random_walk(&f, th, 0.3, 50, NULL, &rng, vals, path, &ev));
    CHECK(ev.loss == 51 && ev.grad == 0 && ev.hvp == 0 && w.calls == 51, "evals: 51 losses (%lu, calls %lu)",
          (unsigned long)ev.loss, (unsigned long)w.calls);
    CHECK(memcmp(th, th0, sizeof th) == 0, "theta untouched");
    CHECK(memcmp(path, th, sizeof th) == 0, "the walk starts at theta");
    for (t = 0; t <= 50; t++) {
        double s = 0;
        if (t > 0) {
            for (i = 0; i < 5; i++) {
                double d = (double)path[t * 5 + i] - (double)path[(t - 1) * 5 + i];
                s += d * d;
            }
            if (fabs(sqrt(s) - 0.3) / 0.3 > worst) worst = fabs(sqrt(s) - 0.3) / 0.3;
        }
        CHECK_OK(llp_landscape_eval(&ls, path + t * 5, &l, NULL));
        if (fabs(vals[t] - (double)l) > worstv) worstv = fabs(vals[t] - (double)l);
    }
    CHECK(worst <= TOL(1e-12, 1e-5), "every step has length 0.3 (worst relative error %.2g)", worst);
    CHECK(worstv == 0, "values are the losses at the path points (worst %.2g)", worstv);
    llp_rng_seed(&rng, 3);
    CHECK_OK(llp_fla_random_walk(&f, th, 0.3, 50, NULL, &rng, vals2, path2, NULL));
    CHECK(memcmp(vals, vals2, sizeof vals) == 0 && memcmp(path, path2, sizeof path) == 0, "same seed, same bits");
    /* errors leave outputs as they were */
    memcpy(keep, vals, sizeof keep);
    CHECK(llp_fla_random_walk(&f, th, 0, 50, NULL, &rng, vals, NULL, NULL) == LLP_ERR_ARG, "step 0 -> ARG");
    CHECK(llp_fla_random_walk(&f, th, 0.3, 0, NULL, &rng, vals, NULL, NULL) == LLP_ERR_ARG, "0 steps -> ARG");
    CHECK(llp_fla_random_walk(&f, th, 0.3, 50, NULL, NULL, vals, NULL, NULL) == LLP_ERR_ARG, "NULL rng -> ARG");
    w.calls = 0, w.nan_after = 20;
    ev.loss = 999;
    CHECK(llp_fla_random_walk(&f, th, 0.3, 50, NULL, &rng, vals, NULL, &ev) == LLP_ERR_NONFINITE, "NaN loss");
    CHECK(memcmp(keep, vals, sizeof keep) == 0 && ev.loss == 999, "values and evals untouched on error");
    llp_landscape_free(&ls);
}

static void test_progressive_walk_mechanics(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f0, f;
    wrap_ctx w;
    llp_rng rng, rep;
    llp_real th[3] = {(llp_real)0.3, (llp_real)-1.2, 2}, th0[3], path[401 * 3], path2[401 * 3];
    llp_real th1 = (llp_real)0.25, p1[301];
    double vals[401], vals2[401], v1[301], out = 0, x, delta, worst = 0;
    llp_evals ev;
    size_t t, i;
    int onb = 0, zone, refl = 0;
    memcpy(th0, th, sizeof th);
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_RASTRIGIN, ld.n = 3, ld.amplitude = 2;
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    f0 = llp_landscape_objective(&ls);
    f = wrap(&w, &f0, 1, 0);
    llp_rng_seed(&rng, 21);
    CHECK_OK(llp_fla_progressive_walk(&f, th, 0.5, 0.3, 400, NULL, &rng, vals, path, &ev));
    CHECK(ev.loss == 401 && w.calls == 401 && ev.grad == 0, "evals: 401 losses");
    CHECK(memcmp(th, th0, sizeof th) == 0, "theta untouched");
    for (t = 0; t <= 400; t++)
        for (i = 0; i < 3; i++) {
            double lo = (double)th[i] - 0.5, hi = (double)th[i] + 0.5, v = path[t * 3 + i];
            double e = v < lo ? lo - v : (v > hi ? v - hi : 0);
            if (e > out) out = e;
        }
    CHECK(out <= TOL(0, 1e-6), "the PRW stays in its box (worst excess %.2g)", out);
    for (i = 0; i < 3; i++)
        if ((double)path[i] == (double)(llp_real)((double)th[i] - 0.5) ||
            (double)path[i] == (double)(llp_real)((double)th[i] + 0.5))
            onb = 1;
    CHECK(onb, "the PRW starts on the boundary");
    llp_rng_seed(&rng, 21);
    CHECK_OK(llp_fla_progressive_walk(&f, th, 0.5, 0.3, 400, NULL, &rng, vals2, path2, NULL));
    CHECK(memcmp(vals, vals2, sizeof vals) == 0 && memcmp(path, path2, sizeof path) == 0, "same seed, same bits");
    CHECK(llp_fla_progressive_walk(&f, th, 0.5, 0, 400, NULL, &rng, vals, NULL, NULL) == LLP_ERR_ARG,
          "step_frac 0 -> ARG");
    CHECK(llp_fla_progressive_walk(&f, th, 0.5, 1.5, 400, NULL, &rng, vals, NULL, NULL) == LLP_ERR_ARG,
          "step_frac > 1 -> ARG");
    CHECK(llp_fla_progressive_walk(&f, th, -1, 0.1, 400, NULL, &rng, vals, NULL, NULL) == LLP_ERR_ARG,
          "scale < 0 -> ARG");
    llp_landscape_free(&ls);

    /* 1-D by hand: box [0.25 - 1, 0.25 + 1], delta = 0.35 * 2; replay the
       documented draws: zone bit, start offset, the boundary coordinate, then
       one uniform per step */
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_RASTRIGIN, ld.n = 1, ld.amplitude = 1;
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    f0 = llp_landscape_objective(&ls);
    llp_rng_seed(&rng, 8);
    rep = rng;
    CHECK_OK(llp_fla_progressive_walk(&f0, &th1, 1, 0.35, 300, NULL, &rng, v1, p1, NULL));
    delta = 0.35 * 2;
    zone = (int)llp_rng_below(&rep, 2);
    (void)llp_rng_uniform(&rep);
    (void)llp_rng_below(&rep, 1);
    x = zone ? 0.25 + 1 : 0.25 - 1;
    for (t = 0; t <= 300; t++) {
        if (t > 0) {
            x += (zone ? -1 : 1) * llp_rng_uniform(&rep) * delta;
            if (x > 1.25) x = 1.25 - (x - 1.25), zone = !zone, refl++;
            else if (x < -0.75) x = -0.75 + (-0.75 - x), zone = !zone, refl++;
        }
        if (fabs(x - (double)p1[t]) > worst) worst = fabs(x - (double)p1[t]);
    }
    CHECK(worst <= TOL(1e-15, 1e-6), "1-D PRW = the walk replayed by hand (worst %.2g)", worst);
    CHECK(refl >= 10, "the replayed walk reflects (%d times)", refl);
    llp_landscape_free(&ls);
}

static void test_driver(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f0, f, g;
    wrap_ctx w, w2;
    llp_rng rng;
    llp_real th[5], th0[5];
    llp_fla_desc d;
    llp_fla_result r1, r2, r3;
    size_t i;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_RASTRIGIN, ld.n = 5, ld.amplitude = 4;
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    f0 = llp_landscape_objective(&ls);
    f = wrap(&w, &f0, 1, 0);
    g = wrap(&w2, &f0, 3.7, -40.5);
    llp_rng_seed(&rng, 1);
    for (i = 0; i < 5; i++) th[i] = th0[i] = (llp_real)(2 * llp_rng_uniform(&rng) - 1);
    memset(&d, 0, sizeof d);
    d.steps = 120, d.walks = 4, d.step = 0.25 * sqrt(5.0), d.scale = 5.12, d.eps_rel = 0.05;
    llp_rng_seed(&rng, 2);
    CHECK_OK(llp_rugged_fla(&f, th, &d, &rng, &r1));
    CHECK(r1.evals.loss == 4 * 3 * 121 && w.calls == r1.evals.loss && r1.evals.grad == 0 && r1.evals.hvp == 0,
          "evals = walks * 3 * (steps + 1) = calls (%lu, %lu)", (unsigned long)r1.evals.loss, (unsigned long)w.calls);
    CHECK(r1.rho1.samples == 4 && r1.fem_large.samples == 4 && r1.info.se == r1.info.se, "4 walks, s.e. defined");
    CHECK(memcmp(th, th0, sizeof th) == 0, "theta untouched");
    llp_rng_seed(&rng, 2);
    CHECK_OK(llp_rugged_fla(&f, th, &d, &rng, &r2));
    CHECK(memcmp(&r1, &r2, sizeof r1) == 0, "same seed, same bits");
    llp_rng_seed(&rng, 2);
    CHECK_OK(llp_rugged_fla(&g, th, &d, &rng, &r3));
    CHECK_CLOSE(r3.rho1.value, r1.rho1.value, TOL(1e-12, 1e-4), "rho(1) under 3.7 L - 40.5");
    CHECK_CLOSE(r3.corr_len.value, r1.corr_len.value, TOL(1e-10, 1e-3), "l under 3.7 L - 40.5");
    CHECK(r3.info.value == r1.info.value && r3.partial_info.value == r1.partial_info.value,
          "H, M under 3.7 L - 40.5: %.17g %.17g, %.17g %.17g", r3.info.value, r1.info.value, r3.partial_info.value,
          r1.partial_info.value);
    CHECK(r3.fem_small.value == r1.fem_small.value && r3.fem_large.value == r1.fem_large.value,
          "FEM under 3.7 L - 40.5: %.17g %.17g, %.17g %.17g", r3.fem_small.value, r1.fem_small.value,
          r3.fem_large.value, r1.fem_large.value);
    CHECK_CLOSE(r3.eps_star.value, 3.7 * r1.eps_star.value, TOL(1e-12, 1e-5), "eps* scales");
    /* defaults */
    w.calls = 0;
    CHECK_OK(llp_rugged_fla(&f, th, NULL, &rng, &r1));
    CHECK(r1.evals.loss == 5 * 3 * 501 && r1.rho1.samples == 5, "defaults: 5 walks of 500 steps");
    CHECK(r1.step == 0.1 * sqrt(5.0) && r1.scale == 1 && r1.eps_rel == 0.01, "default step/scale/eps_rel");
    /* errors */
    memcpy(&r2, &r1, sizeof r1);
    d.steps = 1;
    CHECK(llp_rugged_fla(&f, th, &d, &rng, &r1) == LLP_ERR_ARG, "steps 1 -> ARG");
    d.steps = 50, d.step = -1;
    CHECK(llp_rugged_fla(&f, th, &d, &rng, &r1) == LLP_ERR_ARG, "negative step -> ARG");
    d.step = 0, d.eps_rel = NAN;
    CHECK(llp_rugged_fla(&f, th, &d, &rng, &r1) == LLP_ERR_ARG, "NaN eps_rel -> ARG");
    d.eps_rel = 0;
    w.calls = 0, w.nan_after = 70;
    CHECK(llp_rugged_fla(&f, th, &d, &rng, &r1) == LLP_ERR_NONFINITE, "NaN loss -> NONFINITE");
    CHECK(memcmp(&r1, &r2, sizeof r1) == 0, "out untouched on error");
    CHECK(llp_rugged_fla(&f, th, &d, NULL, &r1) == LLP_ERR_ARG, "NULL rng -> ARG");
    llp_landscape_free(&ls);
}

/* ---- validation ------------------------------------------------------------ */

/* The measures of one run: 1 - rho(1), -l, H, M, FEM_0.01, FEM_0.1. */
static void measures(const llp_fla_result *r, double *m) {
    m[0] = 1 - r->rho1.value;
    m[1] = -r->corr_len.value;
    m[2] = r->info.value;
    m[3] = r->partial_info.value;
    m[4] = r->fem_small.value;
    m[5] = r->fem_large.value;
}
static const char *measure_name[6] = {"1 - rho(1)", "-l", "H(0)", "M(0)", "FEM_0.01", "FEM_0.1"};
static double rastrigin_a4_n10 = NAN; /* mean 1 - rho(1) of Rastrigin A = 4, n = 10 */

static void test_rastrigin_validation(void) {
    double As[8] = {0, 0.5, 1, 2, 4, 6, 8, 10};
    size_t dims[3] = {2, 10, 50}, di, ai, s, k, cnt;
    for (di = 0; di < 3; di++) {
        size_t n = dims[di];
        double X[80], Mv[6][80], m[6], a4 = 0;
        cnt = 0;
        for (ai = 0; ai < 8; ai++)
            for (s = 0; s < 10; s++) {
                llp_landscape ls;
                llp_landscape_desc ld;
                llp_rng rng;
                llp_real th[50];
                llp_fla_desc d;
                llp_fla_result res;
                llp_objective f;
                memset(&ld, 0, sizeof ld);
                llp_rng_seed(&rng, 1000 * s + 17 * ai + n);
                ld.kind = LLP_LANDSCAPE_RASTRIGIN, ld.n = n;
                ld.amplitude = As[ai] == 0 ? 1e-300 : As[ai]; /* 0 would mean the default 10 */
                CHECK_OK(llp_landscape_init(&ls, &ld, &rng));
                f = llp_landscape_objective(&ls);
                for (k = 0; k < n; k++) th[k] = (llp_real)(2 * llp_rng_uniform(&rng) - 1);
                memset(&d, 0, sizeof d);
                d.steps = 300, d.walks = 25, d.step = 0.25 * sqrt((double)n), d.scale = 5.12, d.eps_rel = 1e-300;
                CHECK_OK(llp_rugged_fla(&f, th, &d, &rng, &res));
                measures(&res, m);
                X[cnt] = As[ai];
                for (k = 0; k < 6; k++) Mv[k][cnt] = m[k];
                if (As[ai] == 4) a4 += m[0] / 10;
                cnt++;
                llp_landscape_free(&ls);
            }
        if (n == 10) rastrigin_a4_n10 = a4;
        for (k = 0; k < 6; k++) {
            double sp = spearman(X, Mv[k], cnt);
            CHECK(sp >= 0.9, "Rastrigin n = %lu: Spearman(A, %s) = %.3f", (unsigned long)n, measure_name[k], sp);
        }
    }
}

/* n = 10 rotated quadratics, cond 1..1e4, 10 seeds. local = 1: walk scaled
   to ||theta|| (the distance to the minimum); 0: the Rastrigin walk. Fills
   mean 1 - rho(1) per cond and the Spearman of each measure. */
static void quadratic_runs(int local, double *mean_r, double *sp) {
    double conds[5] = {1, 10, 100, 1e3, 1e4}, X[50], Mv[6][50], m[6];
    size_t ci, s, k, cnt = 0;
    for (ci = 0; ci < 5; ci++) {
        mean_r[ci] = 0;
        for (s = 0; s < 10; s++) {
            llp_landscape ls;
            llp_landscape_desc ld;
            llp_rng rng;
            llp_real th[10];
            llp_fla_desc d;
            llp_fla_result res;
            llp_objective f;
            double nt = 0;
            memset(&ld, 0, sizeof ld);
            llp_rng_seed(&rng, 1000 * s + 17 * ci + 10);
            ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = 10, ld.cond = conds[ci], ld.rotate = 1;
            CHECK_OK(llp_landscape_init(&ls, &ld, &rng));
            f = llp_landscape_objective(&ls);
            for (k = 0; k < 10; k++) {
                th[k] = (llp_real)(2 * llp_rng_uniform(&rng) - 1);
                nt += (double)th[k] * th[k];
            }
            nt = sqrt(nt);
            memset(&d, 0, sizeof d);
            d.steps = 300, d.walks = 25, d.eps_rel = 1e-300;
            d.step = local ? 0.005 * nt : 0.25 * sqrt(10.0);
            d.scale = local ? 0.1 * nt : 5.12;
            CHECK_OK(llp_rugged_fla(&f, th, &d, &rng, &res));
            measures(&res, m);
            X[cnt] = conds[ci];
            for (k = 0; k < 6; k++) Mv[k][cnt] = m[k];
            mean_r[ci] += m[0] / 10;
            cnt++;
            llp_landscape_free(&ls);
        }
    }
    for (k = 0; k < 6; k++) sp[k] = spearman(X, Mv[k], cnt);
}

static double quad_local_mean = NAN;

static void test_conditioning(void) {
    double mr[5], sp[6], worst = 0;
    size_t k;
    quadratic_runs(1, mr, sp);
    quad_local_mean = (mr[0] + mr[1] + mr[2] + mr[3] + mr[4]) / 5;
    for (k = 0; k < 6; k++)
        CHECK(fabs(sp[k]) <= 0.5, "quadratic, walk scaled to ||theta||: |Spearman(cond, %s)| = %.3f",
              measure_name[k], fabs(sp[k]));
    quadratic_runs(0, mr, sp);
    for (k = 0; k < 5; k++)
        if (mr[k] > worst) worst = mr[k];
    if (llp_test_verbose)
        printf("  Rastrigin walk on quadratics: Spearman %.3f %.3f %.3f %.3f %.3f %.3f (not asserted)\n", sp[0],
               sp[1], sp[2], sp[3], sp[4], sp[5]);
    CHECK(worst < rastrigin_a4_n10, "Rastrigin walk: every quadratic (max mean 1 - rho %.4f) smoother than "
                                    "Rastrigin A = 4, n = 10 (%.4f)", worst, rastrigin_a4_n10);
}

static void test_rosenbrock(void) {
    size_t dims[2] = {2, 10}, di, k, s;
    for (di = 0; di < 2; di++) {
        size_t n = dims[di];
        double mean = 0;
        for (s = 0; s < 5; s++) {
            llp_landscape ls;
            llp_landscape_desc ld;
            llp_rng rng;
            llp_real th[10];
            llp_fla_desc d;
            llp_fla_result res;
            llp_objective f;
            double nt = 0;
            memset(&ld, 0, sizeof ld);
            llp_rng_seed(&rng, 31 + s + 100 * n);
            ld.kind = LLP_LANDSCAPE_ROSENBROCK, ld.n = n;
            CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
            f = llp_landscape_objective(&ls);
            for (k = 0; k < n; k++) {
                double u = 2 * llp_rng_uniform(&rng) - 1;
                th[k] = (llp_real)(1 + u);
                nt += u * u;
            }
            memset(&d, 0, sizeof d);
            d.steps = 300, d.walks = 25, d.eps_rel = 1e-300, d.step = 0.005 * sqrt(nt), d.scale = 0.1 * sqrt(nt);
            CHECK_OK(llp_rugged_fla(&f, th, &d, &rng, &res));
            mean += (1 - res.rho1.value) / 5;
            llp_landscape_free(&ls);
        }
        CHECK(fabs(mean - quad_local_mean) <= 0.02, "Rosenbrock n = %lu: 1 - rho(1) %.4f vs quadratics %.4f",
              (unsigned long)n, mean, quad_local_mean);
    }
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_autocorr_hand);
    LLP_RUN(test_information_hand);
    LLP_RUN(test_random_sequences);
    LLP_RUN(test_sequence_invariance);
    LLP_RUN(test_random_walk_mechanics);
    LLP_RUN(test_progressive_walk_mechanics);
    LLP_RUN(test_driver);
    LLP_RUN(test_rastrigin_validation);
    LLP_RUN(test_conditioning);
    LLP_RUN(test_rosenbrock);
    return llp_test_summary();
}
