/* Ruggedness of sampled profiles and surfaces (llp_profile_metrics_1d/_2d,
   llp_profile_minima) and the slice/plane drivers (llp_rugged_slices,
   llp_rugged_surfaces).

   References, all computed here independently of the code under test:
   - hand-computed profiles: a constant (roughness 0, tv 0, 0 minima: its one
     basin has prominence 0, convexity 0); a line (roughness 0 to rounding,
     1e-12, because the odd reflection reproduces it; tv = 1 exactly up to
     rounding; one minimum, at the low end; convexity 0); a parabola
     (x - 0.2)^2 on 51 points of [-1, 1] (tv = 1 + 0.64 / 1.44 in closed form,
     one minimum, convexity 1, roughness equal to a brute-force reference
     implementation written here (explicitly reflected array, 1e-12) and
     below that of x^2 on the same grid, 0.00223: the reflection does not
     reproduce curvature within 4 sigma of the ends, and x^2 is the worst
     parabola, see the doc comment);
   - -cos(2 pi x) + 0.1 x^2 on [-2.5, 2.5]: the minima are near the integers
     -2 .. 2 and both ends are maxima (f' = -0.5 at the left end, +0.5 at the
     right), so 5 minima, counted by hand;
   - a hand-made array with one minimum of prominence exactly 0.5 (range 5):
     the count flips between threshold 0.49 and 0.51 set through noise and
     through rel; the prominences of another hand-made array computed by hand
     (7, 4, 3.5, 2.5), and those of random arrays against a brute-force O(n^2)
     prominence (nearest strictly lower point on each side, highest point on
     the way) and, in 2-D, against a brute-force flood fill (the lowest level
     at which a minimum's flooded region reaches a lower point); exact
     (the values compared are differences of the same doubles);
   - 2-D: a paraboloid (1 minimum, convexity 1, tv from closed form: every
     row and column of a paraboloid is a parabola; roughness equal to the
     separable reference, r(x, y) = r_g(x) + r_h(y), 1e-12: 0.036 on this
     21 x 17 grid, where the ends' 8-point bands cover most of the grid);
     x^2 + y^2 + c xy: convexity 1 for c = 1 (PD), 0 for c = 3 (indefinite); sin x sin y on
     [pi/2, 7pi/2]^2 (extrema on grid points 0, 10, 20, 30 of 31): 8 minima of
     value -1 where sin x = -sin y = +-1, 2 of them interior, each with
     prominence 1 (the saddles on the zero lines) except the global one (2);
   - drivers on the quadratic: the metrics of each slice recomputed here from
     llp_slice_line / llp_surface_compute with the same rng sequence (equal to
     the last bit), evals = R * points (R * (points + 1) for an even grid,
     where alpha = 0 is inserted), R * points^2 for planes;
   - Rastrigin validation, Spearman rank correlation (average ranks for ties,
     written here) between the amplitude A and each metric, pooled over 10
     seeds, must be >= 0.9 (convexity <= -0.9). The seed draws theta uniform in
     [-2, 2]^n, then the directions (unit length, Gaussian). A = 0 cannot be
     asked through llp_landscape_desc (0 means the default 10), so the
     landscape is built with A = 1 and its amplitude field is then set.
     1-D: 10 slices of 401 points over radius 25 for every n. Two
     requirements set the radius: (a) the slice must cover several periods of
     the cosines along a unit direction, whose components are ~ 1/sqrt(n), so
     periods are ~ sqrt(n) (7 at n = 50): radius >= 3 sqrt(n) = 21; (b) minima
     exist where the cosines' slope along alpha (~ 2 pi A / sqrt 2 = 4.4 A)
     beats the bowl's slope 2 |alpha|, i.e. |alpha| < ~2.2 A = 22 at A = 10:
     a shorter slice lets the count saturate at large A (radius 3 sqrt 2 at
     n = 2 gave rho 0.89 for minima). 401 points give a step 0.125, 8 points
     per period of the fastest cosine (|d_i| <= 1). The convexity share tends
     to 1/2 + O(1/A) (the cosines' curvature, ~ 4 pi^2 A d_i^2, dwarfs the
     bowl's 2 once A > 1/2), so it needs many points to rank A = 6, 8, 10:
     with 201 points rho was -0.89 at n = 2.
     2-D: radius 3 sqrt(n) (3 periods each side); the PD share tends to
     1/4 + O(1/A), so at n = 2 (where a plane is the whole space) 4 planes of
     101 x 101 points; n = 10: 4 planes of 61 x 61; n = 50: 2 planes of
     41 x 41 (cheaper there; the bowl keeps more of the plane convex).
     Measured rho (double build) are printed with -v; the weakest were about
     0.917 (1-D tv, n = 50) and -0.91 (2-D convexity, n = 2).
   - quadratic n = 10, rotate, cond 1 .. 1e4, 10 seeds, theta ~ N(0, I),
     10 unit slices of 51 points over radius 1: minima exactly 1 and
     convexity exactly 1 on every slice; roughness below that of x^2 on the
     same grid (any parabola a x^2 + b x + c has residual |a| times that of
     x^2 and std >= |a| std(x^2), see the doc comment) plus 1e-4 in float
     (rounding of losses stored as float, ~1e-7 relative); |Spearman| with
     cond <= 0.5 for every metric (a constant metric has rho 0 by definition
     here: it carries no information). Roughness and tv do correlate weakly
     (about -0.45): with a large cond the slice's vertex tends to lie farther
     out (a ratio dominated by the top eigenvalue), so more slices are
     monotone; the bound holds regardless.
   - Rosenbrock n = 2 and 10 at theta uniform in [-2, 2]^n, 10 unit slices of
     51 points over radius 0.25 (a local view, where a quartic is nearly its
     quadratic): roughness below the same x^2 bound, tv <= 2, at most 2
     minima per slice on average (a quartic has at most two), and where the
     exact Hessian at theta is positive definite (5 of the 10 points at
     n = 2, none at n = 10), convexity 1 and one minimum. Elsewhere the
     Hessian is indefinite and slices along negative curvature are concave
     (convexity 0, two edge minima): a true reading, not roughness; so
     Rosenbrock does not meet the quadratics' "minima 1, convexity 1".
   - invariance: f + 1000 and 3.7 f (noise scaled too) give the same minima
     and convexity exactly and roughness, tv to 1e-9 relative; 8 f gives
     bit-identical metrics (a power of two scales exactly).
   - bad arguments: NULLs, n < 5, NaN/Inf, negative settings, FILTER without
     an MLP, MODEL at theta = 0; theta is unchanged after the drivers.
   The profile functions work in double, so their tolerances do not depend on
   the build; the drivers read losses stored as llp_real. */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"

#define M_PI_TEST 3.14159265358979323846
#include <stdlib.h>

/* ---- references ---------------------------------------------------------- */

/* Residual r = f - G f with an explicitly reflected array (needs
   ceil(4 sigma) <= n - 1), written to r: (n). */
static void ref_residual(const double *f, size_t n, double sigma, double *r) {
    long h = (long)ceil(4 * sigma), k, i, N = (long)n;
    double *e = (double *)malloc((n + 2 * (size_t)h) * sizeof(double)), *w = (double *)malloc((size_t)(2 * h + 1) * sizeof(double));
    double ws = 0;
    for (k = -h; k < N + h; k++) e[k + h] = k < 0 ? 2 * f[0] - f[-k] : k >= N ? 2 * f[N - 1] - f[2 * (N - 1) - k] : f[k];
    for (k = -h; k <= h; k++) ws += w[k + h] = exp(-(double)(k * k) / (2 * sigma * sigma));
    for (i = 0; i < N; i++) {
        double g = 0;
        for (k = -h; k <= h; k++) g += w[k + h] / ws * e[i + k + h];
        r[i] = f[i] - g;
    }
    free(e), free(w);
}

/* mean |r - mean r| / std(f) over N values. */
static double ref_ratio(const double *f, const double *r, size_t N) {
    double mean = 0, var = 0, rm = 0, acc = 0;
    size_t i;
    for (i = 0; i < N; i++) rm += r[i], mean += f[i];
    rm /= (double)N, mean /= (double)N;
    for (i = 0; i < N; i++) acc += fabs(r[i] - rm), var += (f[i] - mean) * (f[i] - mean);
    return var > 0 ? acc / (double)N / sqrt(var / (double)N) : 0;
}

static double ref_roughness(const double *f, size_t n, double sigma) {
    double *r = (double *)malloc(n * sizeof(double)), v;
    ref_residual(f, n, sigma, r);
    v = ref_ratio(f, r, n);
    free(r);
    return v;
}

/* Local-quadratic reference: at each i, the least-squares quadratic through
   the 2h + 1 points nearest i (window clamped inside [0, n), the whole line
   when shorter), by Gaussian elimination with partial pivoting on the normal
   equations in the window's own coordinates (k - lo) / (2h) in [0, 1] (the
   code under test centres on i), evaluated at i. Written to
   q (stride qs) from f (stride fs). */
static void ref_quad_line(const double *f, size_t n, size_t fs, size_t h, double *q, size_t qs) {
    size_t i, k, r, c, p;
    if (2 * h + 1 > n) h = (n - 1) / 2;
    for (i = 0; i < n; i++) {
        size_t lo = i < h ? 0 : (i + h >= n ? n - 1 - 2 * h : i - h);
        double A[3][4] = {{0}}, t, xi = ((double)i - (double)lo) / (double)(2 * h), coef[3];
        for (k = lo; k <= lo + 2 * h; k++) {
            double x = ((double)k - (double)lo) / (double)(2 * h), pw[3];
            pw[0] = 1, pw[1] = x, pw[2] = x * x;
            for (r = 0; r < 3; r++) {
                for (c = 0; c < 3; c++) A[r][c] += pw[r] * pw[c];
                A[r][3] += pw[r] * f[k * fs];
            }
        }
        for (c = 0; c < 3; c++) {
            p = c;
            for (r = c + 1; r < 3; r++)
                if (fabs(A[r][c]) > fabs(A[p][c])) p = r;
            for (r = 0; r < 4; r++) t = A[c][r], A[c][r] = A[p][r], A[p][r] = t;
            for (r = c + 1; r < 3; r++) {
                double m = A[r][c] / A[c][c];
                for (p = c; p < 4; p++) A[r][p] -= m * A[c][p];
            }
        }
        for (c = 3; c-- > 0;) {
            t = A[c][3];
            for (r = c + 1; r < 3; r++) t -= A[c][r] * coef[r];
            coef[c] = t / A[c][c];
        }
        q[i * qs] = coef[0] + coef[1] * xi + coef[2] * xi * xi;
    }
}

/* mean |f - Q f| / std(f) with the reference filter (separable on a surface). */
static double ref_roughness_q(const double *f, size_t nx, size_t ny, size_t h) {
    size_t N = nx * ny, i, j;
    double *t = (double *)malloc(N * sizeof(double)), *q = (double *)malloc(N * sizeof(double));
    double mean = 0, var = 0, acc = 0;
    for (j = 0; j < ny; j++) ref_quad_line(f + j * nx, nx, 1, h, t + j * nx, 1);
    if (ny > 1) {
        for (i = 0; i < nx; i++) ref_quad_line(t + i, ny, nx, h, q + i, nx);
    } else {
        memcpy(q, t, N * sizeof(double));
    }
    for (i = 0; i < N; i++) mean += f[i] / (double)N;
    for (i = 0; i < N; i++) var += (f[i] - mean) * (f[i] - mean) / (double)N, acc += fabs(f[i] - q[i]);
    free(t), free(q);
    return var > 0 ? acc / (double)N / sqrt(var) : 0;
}

/* Prominence of the strict local minimum i of a 1-D array (distinct values):
   on each side the highest point before the first strictly lower one. */
static double ref_prominence_1d(const double *f, size_t n, size_t i) {
    double best = INFINITY, mx = -INFINITY, lo = f[0], hi = f[0];
    long j;
    size_t k;
    for (k = 0; k < n; k++) lo = f[k] < lo ? f[k] : lo, hi = f[k] > hi ? f[k] : hi;
    for (j = (long)i - 1, mx = f[i]; j >= 0; j--) {
        if (f[j] < f[i]) { best = mx; break; }
        if (f[j] > mx) mx = f[j];
    }
    for (k = i + 1, mx = f[i]; k < n; k++) {
        if (f[k] < f[i]) { best = mx < best ? mx : best; break; }
        if (f[k] > mx) mx = f[k];
    }
    return best == INFINITY ? hi - lo : best - f[i];
}

/* 2-D (8-neighbour) prominence of the strict minimum p by flood fill: the
   lowest level t (a value of f) at which {f <= t} connects p to a lower point. */
static double ref_prominence_2d(const double *f, size_t nx, size_t ny, size_t p) {
    size_t N = nx * ny, q, top, *stack = (size_t *)malloc(N * sizeof(size_t));
    unsigned char *seen = (unsigned char *)malloc(N);
    double lo = f[0], hi = f[0], best = INFINITY;
    for (q = 0; q < N; q++) lo = f[q] < lo ? f[q] : lo, hi = f[q] > hi ? f[q] : hi;
    for (q = 0; q < N; q++) {
        double t = f[q];
        int found = 0;
        if (t < f[p] || t >= best) continue;
        memset(seen, 0, N);
        top = 0, stack[top++] = p, seen[p] = 1;
        while (top && !found) {
            size_t c = stack[--top], cx = c % nx, cy = c / nx;
            int dx, dy;
            if (f[c] < f[p]) found = 1;
            for (dy = -1; dy <= 1; dy++)
                for (dx = -1; dx <= 1; dx++) {
                    long x = (long)cx + dx, y = (long)cy + dy;
                    size_t m;
                    if (x < 0 || y < 0 || x >= (long)nx || y >= (long)ny) continue;
                    m = (size_t)y * nx + (size_t)x;
                    if (!seen[m] && f[m] <= t) seen[m] = 1, stack[top++] = m;
                }
        }
        if (found) best = t;
    }
    free(stack), free(seen);
    return best == INFINITY ? hi - lo : best - f[p];
}

/* Spearman's rho with average ranks for ties; 0 when either side is constant. */
static void ranks_of(const double *x, size_t n, double *r) {
    size_t i, j;
    for (i = 0; i < n; i++) {
        double lt = 0, eq = 0;
        for (j = 0; j < n; j++) lt += x[j] < x[i], eq += x[j] == x[i];
        r[i] = lt + (eq + 1) / 2;
    }
}
static double spearman(const double *x, const double *y, size_t n) {
    double *rx = (double *)malloc(2 * n * sizeof(double)), *ry = rx + n, mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
    size_t i;
    ranks_of(x, n, rx), ranks_of(y, n, ry);
    for (i = 0; i < n; i++) mx += rx[i], my += ry[i];
    mx /= (double)n, my /= (double)n;
    for (i = 0; i < n; i++)
        sxy += (rx[i] - mx) * (ry[i] - my), sxx += (rx[i] - mx) * (rx[i] - mx), syy += (ry[i] - my) * (ry[i] - my);
    free(rx);
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : 0;
}

/* Roughness of x^2 on `points` even points (the worst parabola). */
static double parabola_bound(size_t points) {
    double *f = (double *)malloc(points * sizeof(double)), b;
    size_t i;
    for (i = 0; i < points; i++) {
        double x = -1 + 2.0 * (double)i / (double)(points - 1);
        f[i] = x * x;
    }
    b = ref_roughness(f, points, 2);
    free(f);
    return b;
}

/* ---- 1-D profiles ---------------------------------------------------------- */

static void test_hand_profiles(void) {
    double f[201], g[201];
    llp_profile_metrics m;
    size_t i, n = 51;
    for (i = 0; i < n; i++) f[i] = 2.5;
    CHECK_OK(llp_profile_metrics_1d(f, n, NULL, &m));
    CHECK(m.roughness == 0 && m.tv == 0 && m.minima == 0 && m.convexity == 0 && m.threshold == 0,
          "constant: roughness %g tv %g minima %lu convexity %g", m.roughness, m.tv, (unsigned long)m.minima, m.convexity);
    for (i = 0; i < n; i++) f[i] = 3 * (-1 + 2.0 * (double)i / 50) - 1;
    CHECK_OK(llp_profile_metrics_1d(f, n, NULL, &m));
    CHECK(m.roughness <= 1e-12, "line: roughness %.3g (odd reflection reproduces lines)", m.roughness);
    CHECK_CLOSE(m.tv, 1, 1e-12, "line: tv");
    CHECK(m.minima == 1 && m.convexity == 0, "line: one minimum (the low end), convexity %g", m.convexity);
    CHECK_CLOSE(m.threshold, 1e-3 * 6, 1e-12, "threshold = rel * range");
    for (i = 0; i < n; i++) {
        double x = -1 + 2.0 * (double)i / 50;
        f[i] = (x - 0.2) * (x - 0.2);
    }
    CHECK_OK(llp_profile_metrics_1d(f, n, NULL, &m));
    CHECK_CLOSE(m.tv, 1 + 0.64 / 1.44, 1e-12, "parabola: tv closed form");
    CHECK(m.minima == 1 && m.convexity == 1, "parabola: minima %lu convexity %g", (unsigned long)m.minima, m.convexity);
    CHECK_CLOSE(m.roughness, ref_roughness(f, n, 2), 1e-12, "parabola: roughness = reference");
    CHECK(m.roughness > 0 && m.roughness <= parabola_bound(51), "parabola: 0 < roughness %.4g <= x^2's %.4g",
          m.roughness, parabola_bound(51));
    CHECK(parabola_bound(51) < 0.003 && parabola_bound(101) < 0.0004, "x^2 bound %.5f (51), %.5f (101)",
          parabola_bound(51), parabola_bound(101));
    /* -cos(2 pi x) + 0.1 x^2 on [-2.5, 2.5], 201 points: 5 minima by hand */
    for (i = 0; i < 201; i++) {
        double x = -2.5 + 5.0 * (double)i / 200;
        f[i] = -cos(2 * M_PI_TEST * x) + 0.1 * x * x;
    }
    CHECK_OK(llp_profile_metrics_1d(f, 201, NULL, &m));
    CHECK(m.minima == 5, "-cos(2 pi x) + 0.1 x^2: %lu minima (5 by hand)", (unsigned long)m.minima);
    CHECK(m.convexity > 0.3 && m.convexity < 0.7, "half the points curve up (%g)", m.convexity);
    /* roughness against the reference on a random profile and other sigmas */
    {
        llp_rng rng;
        llp_profile_desc pd;
        double s;
        llp_rng_seed(&rng, 11);
        for (i = 0; i < 101; i++) g[i] = llp_rng_normal(&rng) + 0.05 * (double)i;
        for (s = 0.7; s < 12; s *= 2.3) {
            memset(&pd, 0, sizeof pd);
            pd.smooth = s;
            CHECK_OK(llp_profile_metrics_1d(g, 101, &pd, &m));
            CHECK_CLOSE(m.roughness, ref_roughness(g, 101, s), 1e-12, "random profile: roughness = reference");
        }
        /* a kernel wider than the grid (repeated reflection) still reproduces a line */
        for (i = 0; i < 5; i++) g[i] = 2 * (double)i - 3;
        pd.smooth = 5;
        CHECK_OK(llp_profile_metrics_1d(g, 5, &pd, &m));
        CHECK(m.roughness <= 1e-12, "5-point line, sigma 5: roughness %.3g", m.roughness);
    }
}

static void test_threshold_and_prominence(void) {
    static const double a[13] = {5, 4, 3, 2, 1, 0, 1, 2, 3, 2.5, 3, 4, 5};
    static const double b[10] = {3, 1, 4, 1.5, 5, 0, 2, 6, 2.5, 7};
    static const size_t bi[4] = {5, 1, 8, 3};
    static const double bp[4] = {7, 4, 3.5, 2.5};
    llp_profile_desc pd;
    llp_profile_metrics m;
    size_t idx[64], cnt, i, trial;
    double prom[64], f[64];
    llp_rng rng;
    int ok;
    memset(&pd, 0, sizeof pd);
    pd.noise = 0.49 / 3;
    CHECK_OK(llp_profile_metrics_1d(a, 13, &pd, &m));
    CHECK(m.minima == 2 && fabs(m.threshold - 0.49) < 1e-15, "prominence 0.5 > 3 * noise = 0.49: 2 minima (%lu)",
          (unsigned long)m.minima);
    pd.noise = 0.51 / 3;
    CHECK_OK(llp_profile_metrics_1d(a, 13, &pd, &m));
    CHECK(m.minima == 1, "prominence 0.5 < 0.51: 1 minimum (%lu)", (unsigned long)m.minima);
    pd.noise = 0, pd.prominence_rel = 0.099;
    CHECK_OK(llp_profile_metrics_1d(a, 13, &pd, &m));
    CHECK(m.minima == 2, "rel 0.099 * range 5 < 0.5: 2 minima (%lu)", (unsigned long)m.minima);
    pd.prominence_rel = 0.101;
    CHECK_OK(llp_profile_metrics_1d(a, 13, &pd, &m));
    CHECK(m.minima == 1, "rel 0.101 * range 5 > 0.5: 1 minimum (%lu)", (unsigned long)m.minima);
    pd.prominence_rel = 0, pd.noise = 0.2, pd.prominence_k = 2.4;
    CHECK_OK(llp_profile_metrics_1d(a, 13, &pd, &m));
    CHECK(m.minima == 2 && fabs(m.threshold - 0.48) < 1e-15, "k = 2.4: threshold 0.48, 2 minima");
    /* hand-computed prominences, largest first */
    CHECK_OK(llp_profile_minima(b, 10, 1, idx, prom, 64, &cnt));
    ok = cnt == 4;
    for (i = 0; ok && i < 4; i++) ok = idx[i] == bi[i] && prom[i] == bp[i];
    CHECK(ok, "hand array: minima (5:7, 1:4, 8:3.5, 3:2.5), got %lu", (unsigned long)cnt);
    CHECK_OK(llp_profile_minima(b, 10, 1, idx, prom, 2, &cnt));
    CHECK(cnt == 4 && idx[0] == 5 && idx[1] == 1, "cap 2: the two most prominent, count 4");
    CHECK_OK(llp_profile_minima(b, 10, 1, NULL, NULL, 0, &cnt));
    CHECK(cnt == 4, "cap 0: count only");
    /* random arrays against the brute force */
    llp_rng_seed(&rng, 5);
    ok = 1;
    for (trial = 0; trial < 20; trial++) {
        size_t n = 5 + trial * 2, nmin = 0, k;
        for (i = 0; i < n; i++) f[i] = llp_rng_normal(&rng);
        CHECK_OK(llp_profile_minima(f, n, 1, idx, prom, 64, &cnt));
        for (i = 0; i < n; i++) {
            int is_min = (i == 0 || f[i - 1] > f[i]) && (i + 1 == n || f[i + 1] > f[i]);
            if (!is_min) continue;
            nmin++;
            for (k = 0; k < cnt && idx[k] != i; k++) {}
            if (k == cnt || prom[k] != ref_prominence_1d(f, n, i)) ok = 0;
        }
        if (nmin != cnt) ok = 0;
        for (k = 1; k < cnt; k++)
            if (prom[k] > prom[k - 1]) ok = 0;
    }
    CHECK(ok, "20 random arrays: every strict minimum found, prominence = brute force, sorted");
}

/* ---- 2-D -------------------------------------------------------------------- */

static void test_surfaces_2d(void) {
    size_t nx = 21, ny = 17, i, j, cnt, idx[64], inner;
    double *f = (double *)malloc(31 * 31 * sizeof(double)), prom[64], tvr;
    llp_profile_metrics m;
    llp_rng rng;
    int ok;
    /* paraboloid (x - 0.1)^2 + 2 (y + 0.2)^2, x in [-1, 1] (21), y in [-1, 1] (17) */
    for (j = 0; j < ny; j++)
        for (i = 0; i < nx; i++) {
            double x = -1 + 2.0 * (double)i / 20, y = -1 + 2.0 * (double)j / 16;
            f[j * nx + i] = (x - 0.1) * (x - 0.1) + 2 * (y + 0.2) * (y + 0.2);
        }
    CHECK_OK(llp_profile_metrics_2d(f, nx, ny, NULL, &m));
    CHECK(m.minima == 1 && m.convexity == 1, "paraboloid: minima %lu convexity %g", (unsigned long)m.minima, m.convexity);
    /* tv: rows are (x - 0.1)^2 + c: sum |d| = 1.21 + 0.81 (x = 0.1 on the grid); columns:
       2 (y + 0.2)^2: y = -0.2 is not on the 17-point grid (step 0.125): sum |d| = 2 (0.64 - m) + 2 (1.44 - m)
       with m = 2 * 0.05^2 (nearest grid y = -0.25); global range = 1.21 + 2 * 1.44 - 0 - m' */
    {
        double mrow = 0.0, mcol = 2 * 0.05 * 0.05, range = 1.21 + 2 * 1.44 - (0 + mcol);
        tvr = ((double)ny * (1.21 + 0.81 - 2 * mrow) + (double)nx * (2 * 0.64 + 2 * 1.44 - 2 * mcol)) / range /
              (double)(nx + ny);
    }
    CHECK_CLOSE(m.tv, tvr, 1e-12, "paraboloid: tv from the closed form");
    { /* separable: the residual of g(x) + h(y) is r_g(x) + r_h(y) */
        double gx[21], hy[17], rg[21], rh[17], *r = (double *)malloc(nx * ny * sizeof(double));
        for (i = 0; i < nx; i++) gx[i] = f[i] - f[0];
        for (j = 0; j < ny; j++) hy[j] = f[j * nx] - f[0];
        ref_residual(gx, nx, 2, rg);
        ref_residual(hy, ny, 2, rh);
        for (j = 0; j < ny; j++)
            for (i = 0; i < nx; i++) r[j * nx + i] = rg[i] + rh[j];
        CHECK_CLOSE(m.roughness, ref_ratio(f, r, nx * ny), 1e-12, "paraboloid: roughness = separable reference");
        free(r);
    }
    /* x^2 + y^2 + c x y: Hessian [2 c; c 2], PD for c = 1, indefinite for c = 3 (the cross term matters) */
    for (j = 0; j < 2; j++) {
        double cxy = j ? 3 : 1;
        size_t a, b;
        for (b = 0; b < 11; b++)
            for (a = 0; a < 11; a++) {
                double x = -1 + 0.2 * (double)a, y = -1 + 0.2 * (double)b;
                f[b * 11 + a] = x * x + y * y + cxy * x * y;
            }
        CHECK_OK(llp_profile_metrics_2d(f, 11, 11, NULL, &m));
        CHECK(m.convexity == (j ? 0.0 : 1.0), "x^2 + y^2 + %g xy: convexity %g", cxy, m.convexity);
    }
    /* sin x sin y on [pi/2, 7 pi/2]^2, 31 x 31 */
    for (j = 0; j < 31; j++)
        for (i = 0; i < 31; i++)
            f[j * 31 + i] = sin(M_PI_TEST / 2 + M_PI_TEST * (double)i / 10) * sin(M_PI_TEST / 2 + M_PI_TEST * (double)j / 10);
    CHECK_OK(llp_profile_metrics_2d(f, 31, 31, NULL, &m));
    CHECK(m.minima == 8, "sin x sin y: 8 minima (%lu)", (unsigned long)m.minima);
    CHECK_OK(llp_profile_minima(f, 31, 31, idx, prom, 64, &cnt));
    inner = 0, ok = cnt == 8 && fabs(prom[0] - 2) < 1e-12;
    for (i = 0; i < cnt && i < 64; i++) {
        size_t x = idx[i] % 31, y = idx[i] / 31;
        ok = ok && x % 10 == 0 && y % 10 == 0 && fabs(f[idx[i]] + 1) < 1e-12 && (i == 0 || fabs(prom[i] - 1) < 1e-12);
        inner += x > 0 && x < 30 && y > 0 && y < 30;
    }
    CHECK(ok && inner == 2, "sin x sin y: minima at the grid extrema, prominences 2, 1, ..; %lu interior (2)",
          (unsigned long)inner);
    /* random grids against the flood fill */
    llp_rng_seed(&rng, 9);
    ok = 1;
    for (j = 0; j < 6; j++) {
        size_t gx = 5 + j, gy = 9 - j, N = gx * gy, q, k, nmin = 0;
        for (q = 0; q < N; q++) f[q] = llp_rng_normal(&rng);
        CHECK_OK(llp_profile_minima(f, gx, gy, idx, prom, 64, &cnt));
        for (q = 0; q < N; q++) {
            size_t x = q % gx, y = q / gx;
            int dx, dy, is_min = 1;
            for (dy = -1; dy <= 1; dy++)
                for (dx = -1; dx <= 1; dx++) {
                    long a = (long)x + dx, b = (long)y + dy;
                    if ((dx || dy) && a >= 0 && b >= 0 && a < (long)gx && b < (long)gy && f[(size_t)b * gx + (size_t)a] <= f[q])
                        is_min = 0;
                }
            if (!is_min) continue;
            nmin++;
            for (k = 0; k < cnt && idx[k] != q; k++) {}
            if (k == cnt || prom[k] != ref_prominence_2d(f, gx, gy, q)) ok = 0;
        }
        if (nmin != cnt) ok = 0;
    }
    CHECK(ok, "random grids: every strict minimum found, prominence = flood fill");
    free(f);
}

/* ---- invariance and bad arguments ---------------------------------------- */

/* The local-quadratic roughness: exact on quadratics (1-D, every grid size
   and window, ends included) and biquadratics (2-D), equal to an
   independent least-squares reference, and it tells smooth curvature that
   changes along the profile from wiggles where the Gaussian one cannot. */
static void test_local_quadratic(void) {
    static const size_t ns[8] = {5, 6, 7, 9, 10, 21, 51, 101};
    static const double sig[4] = {0.5, 1, 2, 5};
    double f[121], g[121];
    llp_profile_desc pd;
    llp_profile_metrics m, mg;
    llp_rng rng;
    size_t a, b, i, j, worst_n = 0;
    double worst = 0;
    llp_rng_seed(&rng, 77);
    memset(&pd, 0, sizeof pd);
    for (a = 0; a < 8; a++)
        for (b = 0; b < 4; b++) {
            double c2 = 1e3 * llp_rng_normal(&rng), c1 = 1e3 * llp_rng_normal(&rng), c0 = 1e3 * llp_rng_normal(&rng);
            for (i = 0; i < ns[a]; i++) {
                double x = -1 + 2 * (double)i / (double)(ns[a] - 1);
                f[i] = c2 * x * x + c1 * x + c0;
            }
            pd.smooth = sig[b];
            CHECK_OK(llp_profile_metrics_1d(f, ns[a], &pd, &m));
            if (m.roughness_q > worst) worst = m.roughness_q, worst_n = ns[a];
        }
    CHECK(worst <= 1e-12, "random quadratics, n 5..101, sigma 0.5..5: roughness_q <= 1e-12 (worst %.3g at n = %lu)",
          worst, (unsigned long)worst_n);
    /* = the reference on random profiles, windows inside and wider than the line */
    for (a = 0; a < 8; a++)
        for (b = 0; b < 4; b++) {
            size_t h;
            for (i = 0; i < ns[a]; i++) f[i] = llp_rng_normal(&rng) + 0.1 * (double)i;
            pd.smooth = sig[b];
            h = (size_t)floor(2 * sig[b] + 0.5);
            if (h < 2) h = 2;
            CHECK_OK(llp_profile_metrics_1d(f, ns[a], &pd, &m));
            {
                double ref = ref_roughness_q(f, ns[a], 1, h);
                CHECK(fabs(m.roughness_q - ref) <= 1e-10 * ref, "random profile n %lu sigma %g: roughness_q %.15g = "
                      "least-squares reference %.15g", (unsigned long)ns[a], sig[b], m.roughness_q, ref);
            }
        }
    /* 2-D: a biquadratic is reproduced; a random surface = the separable reference */
    pd.smooth = 0;
    for (j = 0; j < 11; j++)
        for (i = 0; i < 9; i++) {
            double x = (double)i - 4, y = (double)j - 5;
            f[j * 9 + i] = 3 * x * x - 2 * x * y + 0.5 * y * y + 0.25 * x * x * y * y - x * y * y + 7 * x - y + 11;
            g[j * 9 + i] = llp_rng_normal(&rng);
        }
    CHECK_OK(llp_profile_metrics_2d(f, 9, 11, &pd, &m));
    CHECK(m.roughness_q <= 1e-12 && m.roughness > 1e-4,
          "biquadratic 9 x 11: roughness_q %.3g (0), Gaussian roughness %.3g (> 0)", m.roughness_q, m.roughness);
    CHECK_OK(llp_profile_metrics_2d(g, 9, 11, &pd, &m));
    CHECK_CLOSE(m.roughness_q, ref_roughness_q(g, 9, 11, 4), 1e-10, "random 9 x 11 surface: = separable reference");
    /* smooth, changing curvature vs wiggles on 51 points over [-1, 1] */
    for (a = 0; a < 4; a++) {
        for (i = 0; i < 51; i++) {
            double x = -1 + 2 * (double)i / 50;
            f[i] = a == 0 ? x * x * x * x : a == 1 ? cosh(5 * x) : a == 2 ? x * x + 0.01 * sin(40 * x)
                                                                          : x * x + 0.1 * sin(40 * x);
        }
        CHECK_OK(llp_profile_metrics_1d(f, 51, NULL, &m));
        if (a < 2)
            CHECK(m.roughness > 3 * 0.0022 && m.roughness_q < m.roughness / 4,
                  "%s: Gaussian roughness %.4g reads HIGH, the local-quadratic one %.4g < 1/4 of it",
                  a ? "cosh 5x" : "x^4", m.roughness, m.roughness_q);
        else
            CHECK(m.roughness_q > m.roughness / 2 && m.roughness_q > 0.02,
                  "x^2 + %g sin 40x: roughness_q %.4g keeps the wiggles (Gaussian %.4g)", a == 2 ? 0.01 : 0.1,
                  m.roughness_q, m.roughness);
    }
    /* invariance: + constant, * c */
    for (i = 0; i < 51; i++) f[i] = sin(0.7 * (double)i) + 0.01 * (double)(i * i), g[i] = 5.5 * f[i] - 300;
    CHECK_OK(llp_profile_metrics_1d(f, 51, NULL, &m));
    CHECK_OK(llp_profile_metrics_1d(g, 51, NULL, &mg));
    CHECK_CLOSE(mg.roughness_q, m.roughness_q, 1e-9, "5.5 f - 300: same roughness_q");
}

static void test_invariance(void) {
    double f[121], g[121], s[121];
    llp_profile_desc pd, pc;
    llp_profile_metrics m0, m1, m2, m3;
    llp_rng rng;
    size_t i;
    int d2;
    llp_rng_seed(&rng, 21);
    for (i = 0; i < 121; i++) f[i] = sin(0.37 * (double)i) + 0.3 * llp_rng_normal(&rng) + 1e-3 * (double)(i * i);
    memset(&pd, 0, sizeof pd);
    pd.noise = 0.05;
    for (d2 = 0; d2 < 2; d2++) {
        for (i = 0; i < 121; i++) g[i] = f[i] + 1000, s[i] = 3.7 * f[i];
        if (d2) {
            CHECK_OK(llp_profile_metrics_2d(f, 11, 11, &pd, &m0));
            CHECK_OK(llp_profile_metrics_2d(g, 11, 11, &pd, &m1));
        } else {
            CHECK_OK(llp_profile_metrics_1d(f, 121, &pd, &m0));
            CHECK_OK(llp_profile_metrics_1d(g, 121, &pd, &m1));
        }
        pc = pd, pc.noise = 3.7 * pd.noise;
        if (d2) CHECK_OK(llp_profile_metrics_2d(s, 11, 11, &pc, &m2));
        else CHECK_OK(llp_profile_metrics_1d(s, 121, &pc, &m2));
        for (i = 0; i < 121; i++) s[i] = 8 * f[i];
        pc.noise = 8 * pd.noise;
        if (d2) CHECK_OK(llp_profile_metrics_2d(s, 11, 11, &pc, &m3));
        else CHECK_OK(llp_profile_metrics_1d(s, 121, &pc, &m3));
        CHECK(m0.minima > 1 && m0.convexity > 0 && m0.convexity < 1, "%s test profile is rugged (%lu minima)",
              d2 ? "2-D" : "1-D", (unsigned long)m0.minima);
        CHECK(m1.minima == m0.minima && m1.convexity == m0.convexity && m2.minima == m0.minima &&
                  m2.convexity == m0.convexity,
              "%s: + 1000 and * 3.7: same minima and convexity", d2 ? "2-D" : "1-D");
        CHECK_CLOSE(m1.roughness, m0.roughness, 1e-9, "+ 1000: roughness");
        CHECK_CLOSE(m1.tv, m0.tv, 1e-9, "+ 1000: tv");
        CHECK_CLOSE(m2.roughness, m0.roughness, 1e-12, "* 3.7: roughness");
        CHECK_CLOSE(m2.tv, m0.tv, 1e-12, "* 3.7: tv");
        CHECK(m3.roughness == m0.roughness && m3.tv == m0.tv && m3.minima == m0.minima &&
                  m3.convexity == m0.convexity && m3.threshold == 8 * m0.threshold,
              "* 8: bit-identical metrics, threshold * 8");
    }
}

static void test_bad_arguments(void) {
    double f[30];
    llp_profile_metrics m, keep;
    llp_profile_desc pd;
    size_t i, cnt = 77, idx[4];
    double prom[4];
    for (i = 0; i < 30; i++) f[i] = (double)(i % 7);
    memset(&keep, 0x5a, sizeof keep);
    m = keep;
    CHECK(llp_profile_metrics_1d(f, 4, NULL, &m) == LLP_ERR_ARG, "n = 4 -> ARG");
    CHECK(llp_profile_metrics_1d(NULL, 10, NULL, &m) == LLP_ERR_ARG, "NULL f -> ARG");
    CHECK(llp_profile_metrics_1d(f, 10, NULL, NULL) == LLP_ERR_ARG, "NULL out -> ARG");
    CHECK(llp_profile_metrics_2d(f, 5, 4, NULL, &m) == LLP_ERR_ARG, "ny = 4 -> ARG");
    memset(&pd, 0, sizeof pd);
    pd.smooth = -1;
    CHECK(llp_profile_metrics_1d(f, 10, &pd, &m) == LLP_ERR_ARG, "negative sigma -> ARG");
    pd.smooth = 0, pd.noise = -1;
    CHECK(llp_profile_metrics_1d(f, 10, &pd, &m) == LLP_ERR_ARG, "negative noise -> ARG");
    pd.noise = 0, pd.prominence_rel = 1;
    CHECK(llp_profile_metrics_1d(f, 10, &pd, &m) == LLP_ERR_ARG, "rel = 1 -> ARG");
    f[3] = NAN;
    CHECK(llp_profile_metrics_1d(f, 10, NULL, &m) == LLP_ERR_NONFINITE, "NaN -> NONFINITE");
    CHECK(llp_profile_metrics_2d(f, 5, 5, NULL, &m) == LLP_ERR_NONFINITE, "NaN in a surface -> NONFINITE");
    CHECK(llp_profile_minima(f, 10, 1, idx, prom, 4, &cnt) == LLP_ERR_NONFINITE && cnt == 77, "NaN minima -> NONFINITE");
    f[3] = INFINITY;
    CHECK(llp_profile_metrics_1d(f, 10, NULL, &m) == LLP_ERR_NONFINITE, "Inf -> NONFINITE");
    CHECK(memcmp(&m, &keep, sizeof m) == 0, "out untouched on errors");
    f[3] = 1;
    CHECK(llp_profile_minima(f, 0, 1, idx, prom, 4, &cnt) == LLP_ERR_ARG, "minima: zero size -> ARG");
    CHECK(llp_profile_minima(f, 10, 1, NULL, prom, 4, &cnt) == LLP_ERR_ARG, "minima: NULL idx with cap -> ARG");
    CHECK(llp_profile_minima(f, 10, 1, idx, prom, 4, NULL) == LLP_ERR_ARG, "minima: NULL count -> ARG");
}

/* ---- drivers ------------------------------------------------------------------ */

static void make_quadratic(llp_landscape *ls, size_t n, double cond, llp_rng *rng) {
    llp_landscape_desc ld;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = n, ld.cond = cond, ld.rotate = 1;
    CHECK_OK(llp_landscape_init(ls, &ld, rng));
}

static void test_drivers_quadratic(void) {
    llp_landscape ls;
    llp_objective f;
    llp_rng rng, r2;
    llp_real th[10], th0[10], d[20];
    llp_rugged_slice_desc sd;
    llp_rugged_slice_result res, keep;
    llp_profile_metrics pm;
    double rv[10], tv[10], mv[10], cv[10];
    size_t i, j, even;
    int same;
    llp_rng_seed(&rng, 3);
    make_quadratic(&ls, 10, 100, &rng);
    f = llp_landscape_objective(&ls);
    for (i = 0; i < 10; i++) th[i] = th0[i] = (llp_real)llp_rng_normal(&rng);
    for (even = 0; even < 2; even++) {
        size_t pts = even ? 40 : 51;
        memset(&sd, 0, sizeof sd);
        sd.norm = LLP_DIR_NORM_NONE, sd.points = pts, sd.directions = 7, sd.radius = 1.5;
        r2 = rng;
        CHECK_OK(llp_rugged_slices(&f, th, &sd, &rng, &res));
        for (j = 0; j < 7; j++) { /* the same sequence by hand */
            llp_slice s;
            double buf[64];
            size_t q, k = 0;
            memset(&s, 0, sizeof s);
            CHECK_OK(llp_direction_random(NULL, th, 10, LLP_DIR_GAUSSIAN, LLP_DIR_NORM_NONE, LLP_DIR_BIAS_ZERO, &r2, d));
            llp_scale((llp_real)(1 / llp_nrm2(d, 10)), d, 10);
            CHECK_OK(llp_slice_line(&f, NULL, th, d, -1.5, 1.5, pts, &s));
            for (q = 0; q < s.points; q++)
                if (!(even && q == s.zero_index)) buf[k++] = s.train_loss[q];
            CHECK_OK(llp_profile_metrics_1d(buf, k, NULL, &pm));
            rv[j] = pm.roughness, tv[j] = pm.tv, mv[j] = (double)pm.minima, cv[j] = pm.convexity;
            llp_slice_free(&s);
        }
        same = llp_estimate_of(rv, 7).value == res.roughness.value && llp_estimate_of(tv, 7).value == res.tv.value &&
               llp_estimate_of(mv, 7).value == res.minima.value && llp_estimate_of(cv, 7).value == res.convexity.value &&
               llp_estimate_of(rv, 7).se == res.roughness.se && res.tv.samples == 7;
        CHECK(same, "%s grid: slice metrics = those recomputed from llp_slice_line", even ? "even" : "odd");
        CHECK(res.evals.loss == 7 * (pts + even) && res.evals.grad == 0 && res.evals.hvp == 0,
              "evals %lu = R * points%s", (unsigned long)res.evals.loss, even ? " + R (alpha = 0 inserted)" : "");
        CHECK(res.minima.value == 1 && res.convexity.value == 1 && res.tv.value >= 1 && res.tv.value <= 2 &&
                  res.roughness.value <= parabola_bound(pts) + TOL(1e-12, 1e-4),
              "quadratic slices read smooth: minima %g convexity %g tv %g roughness %g", res.minima.value,
              res.convexity.value, res.tv.value, res.roughness.value);
    }
    /* planes */
    memset(&sd, 0, sizeof sd);
    sd.norm = LLP_DIR_NORM_NONE, sd.points = 15, sd.directions = 2, sd.radius = 1.5;
    r2 = rng;
    CHECK_OK(llp_rugged_surfaces(&f, th, &sd, &rng, &res));
    for (j = 0; j < 2; j++) {
        llp_surface s;
        llp_surface_desc sdd;
        memset(&s, 0, sizeof s);
        memset(&sdd, 0, sizeof sdd);
        sdd.x_min = sdd.y_min = -1.5, sdd.x_max = sdd.y_max = 1.5, sdd.nx = sdd.ny = 15;
        for (i = 0; i < 2; i++) {
            CHECK_OK(llp_direction_random(NULL, th, 10, LLP_DIR_GAUSSIAN, LLP_DIR_NORM_NONE, LLP_DIR_BIAS_ZERO, &r2, d + 10 * i));
            llp_scale((llp_real)(1 / llp_nrm2(d + 10 * i, 10)), d + 10 * i, 10);
        }
        CHECK_OK(llp_direction_orthogonalize(d, d + 10, 10, NULL));
        CHECK_OK(llp_surface_compute(&f, NULL, th, d, d + 10, &sdd, &s, NULL));
        CHECK_OK(llp_profile_metrics_2d(s.train_loss, 15, 15, NULL, &pm));
        rv[j] = pm.roughness, tv[j] = pm.tv, mv[j] = (double)pm.minima, cv[j] = pm.convexity;
        llp_surface_free(&s);
    }
    CHECK(llp_estimate_of(rv, 2).value == res.roughness.value && llp_estimate_of(tv, 2).value == res.tv.value &&
              llp_estimate_of(mv, 2).value == res.minima.value && llp_estimate_of(cv, 2).value == res.convexity.value,
          "plane metrics = those recomputed from llp_surface_compute");
    CHECK(res.evals.loss == 2 * 15 * 15, "planes: evals %lu = R * points^2", (unsigned long)res.evals.loss);
    CHECK(res.minima.value == 1 && res.convexity.value == 1, "quadratic planes: minima %g convexity %g",
          res.minima.value, res.convexity.value);
    /* defaults: 3 planes of 21 x 21, 10 slices of 51 */
    memset(&sd, 0, sizeof sd);
    sd.norm = LLP_DIR_NORM_MODEL;
    CHECK_OK(llp_rugged_surfaces(&f, th, &sd, &rng, &res));
    CHECK(res.evals.loss == 3 * 21 * 21 && res.minima.samples == 3, "default planes: 3 x 21 x 21");
    CHECK_OK(llp_rugged_slices(&f, th, &sd, &rng, &res));
    CHECK(res.evals.loss == 10 * 51 && res.minima.samples == 10, "default slices: 10 x 51");
    /* errors */
    memset(&keep, 0x5a, sizeof keep);
    res = keep;
    memset(&sd, 0, sizeof sd); /* FILTER without mlp */
    CHECK(llp_rugged_slices(&f, th, &sd, &rng, &res) == LLP_ERR_ARG, "FILTER without mlp -> ARG");
    sd.norm = LLP_DIR_NORM_NONE, sd.points = 4;
    CHECK(llp_rugged_slices(&f, th, &sd, &rng, &res) == LLP_ERR_ARG, "4 points -> ARG");
    sd.points = 0, sd.radius = -1;
    CHECK(llp_rugged_surfaces(&f, th, &sd, &rng, &res) == LLP_ERR_ARG, "negative radius -> ARG");
    sd.radius = 0, sd.profile.smooth = -2;
    CHECK(llp_rugged_slices(&f, th, &sd, &rng, &res) == LLP_ERR_ARG, "bad profile settings -> ARG");
    sd.profile.smooth = 0;
    CHECK(llp_rugged_slices(&f, th, &sd, NULL, &res) == LLP_ERR_ARG, "NULL rng -> ARG");
    CHECK(llp_rugged_slices(NULL, th, &sd, &rng, &res) == LLP_ERR_ARG, "NULL objective -> ARG");
    sd.norm = LLP_DIR_NORM_MODEL;
    {
        llp_real z[10] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        CHECK(llp_rugged_slices(&f, z, &sd, &rng, &res) == LLP_ERR_ARG, "MODEL at theta = 0 -> ARG (zero direction)");
    }
    CHECK(memcmp(&res, &keep, sizeof res) == 0, "result untouched on errors");
    same = 1;
    for (i = 0; i < 10; i++) same = same && th[i] == th0[i];
    CHECK(same, "theta unchanged");
    llp_landscape_free(&ls);
}

static void test_drivers_mlp(void) {
    llp_rng rng;
    llp_mlp m;
    llp_mlp_desc md;
    llp_data data;
    llp_mlp_objective mo;
    llp_objective f;
    llp_rugged_slice_desc sd;
    llp_rugged_slice_result res;
    llp_rng_seed(&rng, 8);
    memset(&md, 0, sizeof md);
    md.n_layers = 2, md.sizes[0] = 2, md.sizes[1] = 8, md.sizes[2] = 2;
    CHECK_OK(llp_mlp_init(&m, &md));
    llp_mlp_randomize(&m, m.theta, &rng);
    CHECK_OK(llp_data_spirals(&data, 60, 1.0, 0.1, &rng));
    CHECK_OK(llp_mlp_objective_init(&mo, &m, &data, 0));
    f = llp_mlp_objective_get(&mo);
    memset(&sd, 0, sizeof sd);
    sd.mlp = &m, sd.directions = 3, sd.points = 11;
    CHECK_OK(llp_rugged_slices(&f, m.theta, &sd, &rng, &res));
    CHECK(res.evals.loss == 33 && res.tv.value >= 1 && res.minima.value >= 1, "MLP, FILTER: 3 x 11 evals, tv %g",
          res.tv.value);
    sd.points = 7, sd.directions = 1, sd.norm = LLP_DIR_NORM_LAYER, sd.bias = LLP_DIR_BIAS_NORMALIZE;
    CHECK_OK(llp_rugged_surfaces(&f, m.theta, &sd, &rng, &res));
    CHECK(res.evals.loss == 49 && res.minima.samples == 1, "MLP plane, LAYER: 49 evals");
    llp_mlp_objective_free(&mo);
    llp_data_free(&data);
    llp_mlp_free(&m);
}

/* ---- validation ---------------------------------------------------------------- */

static void rastrigin_sweep(int planes) {
    static const double amp[8] = {0, 0.5, 1, 2, 4, 6, 8, 10};
    static const size_t dims[3] = {2, 10, 50};
    double xa[80], mt[5][80];
    size_t di, ai, s, c, i;
    for (di = 0; di < 3; di++) {
        size_t n = dims[di];
        double rho[5];
        c = 0;
        for (ai = 0; ai < 8; ai++)
            for (s = 0; s < 10; s++) {
                llp_landscape ls;
                llp_landscape_desc ld;
                llp_objective f;
                llp_rng rng;
                llp_real th[50];
                llp_rugged_slice_desc sd;
                llp_rugged_slice_result res;
                memset(&ld, 0, sizeof ld);
                ld.kind = LLP_LANDSCAPE_RASTRIGIN, ld.n = n, ld.amplitude = 1;
                CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
                ls.amplitude = amp[ai]; /* the descriptor reads 0 as "default 10" */
                f = llp_landscape_objective(&ls);
                llp_rng_seed(&rng, 1000 + s);
                for (i = 0; i < n; i++) th[i] = (llp_real)(4 * llp_rng_uniform(&rng) - 2);
                memset(&sd, 0, sizeof sd);
                sd.norm = LLP_DIR_NORM_NONE;
                if (!planes) {
                    sd.radius = 25, sd.points = 401, sd.directions = 10;
                    CHECK_OK(llp_rugged_slices(&f, th, &sd, &rng, &res));
                } else {
                    sd.radius = 3 * sqrt((double)n);
                    sd.points = n == 2 ? 101 : n == 10 ? 61 : 41;
                    sd.directions = n == 50 ? 2 : 4;
                    CHECK_OK(llp_rugged_surfaces(&f, th, &sd, &rng, &res));
                }
                xa[c] = amp[ai];
                mt[0][c] = res.roughness.value, mt[1][c] = res.tv.value;
                mt[2][c] = res.minima.value, mt[3][c] = res.convexity.value;
                mt[4][c] = res.roughness_q.value;
                c++;
                llp_landscape_free(&ls);
            }
        for (i = 0; i < 5; i++) rho[i] = spearman(xa, mt[i], c);
        CHECK(rho[0] >= 0.9 && rho[1] >= 0.9 && rho[2] >= 0.9 && rho[3] <= -0.9 && rho[4] >= 0.9,
              "Rastrigin %s n = %lu: Spearman rho with A: roughness %.3f tv %.3f minima %.3f convexity %.3f "
              "roughness_q %.3f",
              planes ? "planes" : "slices", (unsigned long)n, rho[0], rho[1], rho[2], rho[3], rho[4]);
    }
}

static void test_rastrigin_slices(void) { rastrigin_sweep(0); }
static void test_rastrigin_planes(void) { rastrigin_sweep(1); }

static void test_conditioning(void) {
    static const double conds[5] = {1, 10, 100, 1e3, 1e4};
    double xc[50], mt[4][50], bound = parabola_bound(51) + TOL(1e-12, 1e-4), worst = 0, worst_q = 0;
    size_t ci, s, c = 0, i;
    int all_one = 1;
    for (ci = 0; ci < 5; ci++)
        for (s = 0; s < 10; s++) {
            llp_landscape ls;
            llp_objective f;
            llp_rng rng;
            llp_real th[10];
            llp_rugged_slice_desc sd;
            llp_rugged_slice_result res;
            llp_rng_seed(&rng, 500 + s);
            make_quadratic(&ls, 10, conds[ci], &rng);
            f = llp_landscape_objective(&ls);
            for (i = 0; i < 10; i++) th[i] = (llp_real)llp_rng_normal(&rng);
            memset(&sd, 0, sizeof sd);
            sd.norm = LLP_DIR_NORM_NONE;
            CHECK_OK(llp_rugged_slices(&f, th, &sd, &rng, &res));
            xc[c] = conds[ci];
            mt[0][c] = res.roughness.value, mt[1][c] = res.tv.value;
            mt[2][c] = res.minima.value, mt[3][c] = res.convexity.value;
            if (res.minima.value != 1 || res.convexity.value != 1 || res.minima.se != 0) all_one = 0;
            if (res.roughness.value > worst) worst = res.roughness.value;
            if (res.roughness_q.value > worst_q) worst_q = res.roughness_q.value;
            c++;
            llp_landscape_free(&ls);
        }
    CHECK(all_one, "quadratics, cond 1 .. 1e4: every slice has 1 minimum and convexity 1");
    CHECK(worst_q <= TOL(1e-10, 1e-4), "quadratics: local-quadratic roughness %.3g (0 up to rounding)", worst_q);
    CHECK(worst <= bound, "quadratics: roughness %.5f <= x^2's %.5f", worst, bound);
    for (i = 0; i < 4; i++) {
        double r = spearman(xc, mt[i], c);
        CHECK(fabs(r) <= 0.5, "metric %lu carries no conditioning information: |rho| = %.3f <= 0.5", (unsigned long)i,
              fabs(r));
    }
}

static void test_rosenbrock(void) {
    size_t k, s, i;
    double bound = parabola_bound(51) + TOL(1e-12, 1e-4);
    for (k = 0; k < 2; k++) {
        size_t n = k ? 10 : 2, pd_points = 0;
        double worst = 0, tvmax = 0, minmax = 0;
        int pd_ok = 1;
        for (s = 0; s < 10; s++) {
            llp_landscape ls;
            llp_landscape_desc ld;
            llp_objective f;
            llp_rng rng;
            llp_real th[10], h[100];
            double hd[100], w[10];
            llp_rugged_slice_desc sd;
            llp_rugged_slice_result res;
            memset(&ld, 0, sizeof ld);
            ld.kind = LLP_LANDSCAPE_ROSENBROCK, ld.n = n;
            CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
            f = llp_landscape_objective(&ls);
            llp_rng_seed(&rng, 700 + s);
            for (i = 0; i < n; i++) th[i] = (llp_real)(4 * llp_rng_uniform(&rng) - 2);
            memset(&sd, 0, sizeof sd);
            sd.norm = LLP_DIR_NORM_NONE, sd.radius = 0.25;
            CHECK_OK(llp_rugged_slices(&f, th, &sd, &rng, &res));
            if (res.roughness.value > worst) worst = res.roughness.value;
            if (res.tv.value > tvmax) tvmax = res.tv.value;
            if (res.minima.value > minmax) minmax = res.minima.value;
            CHECK_OK(llp_landscape_hessian(&ls, th, h));
            for (i = 0; i < n * n; i++) hd[i] = h[i];
            CHECK_OK(llp_sym_eig(hd, n, w, NULL));
            if (w[0] > 0) {
                pd_points++;
                if (res.convexity.value != 1 || res.minima.value != 1) pd_ok = 0;
            }
            llp_landscape_free(&ls);
        }
        CHECK(worst <= bound && tvmax <= 2 && minmax <= 2,
              "Rosenbrock n = %lu: roughness %.5f <= %.5f, tv <= %.3f, minima <= %.2f", (unsigned long)n, worst, bound,
              tvmax, minmax);
        /* in [-2, 2]^10 no drawn point has a PD Hessian (each of 9 coupled terms would need it) */
        CHECK(pd_ok && (n == 10 || pd_points > 0),
              "Rosenbrock n = %lu: at the %lu points with a PD Hessian convexity 1, 1 minimum",
              (unsigned long)n, (unsigned long)pd_points);
    }
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_hand_profiles);
    LLP_RUN(test_threshold_and_prominence);
    LLP_RUN(test_surfaces_2d);
    LLP_RUN(test_local_quadratic);
    LLP_RUN(test_invariance);
    LLP_RUN(test_bad_arguments);
    LLP_RUN(test_drivers_quadratic);
    LLP_RUN(test_drivers_mlp);
    LLP_RUN(test_rastrigin_slices);
    LLP_RUN(test_rastrigin_planes);
    LLP_RUN(test_conditioning);
    LLP_RUN(test_rosenbrock);
    return llp_test_summary();
}
