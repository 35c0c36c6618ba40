/* Tests for parts/fastmath.c (llp__vexp, llp__vtanh, llp__vsigmoid,
   llp__vsoftplus, llp__vgelu, llp__vgelu_d12).

   Build (double; add -DLLPROBE_FLOAT for float, -DLLP__NO_VECTOR_EXT for the
   scalar path only):
       gcc -std=c99 -O2 -Wall -Wextra -Wpedantic test_fastmath.c -o t -lm && ./t
   Also valid C++17 (g++ -std=c++17 -x c++). Arguments: "nobench" skips the
   timings, "bench" runs only them, "hash" prints only the output hash (and the
   number of vector/scalar differences), "quick" uses sets 10 times smaller.

   Reference: long double libm (x86-64: 64-bit significand) for double;
   double libm for float. For the GELU the reference evaluates erfcl at
   a/sqrt2 rounded to long double and corrects it to first order with the
   exact residual (fmal), and forms z^2 exactly (hi + lo), so the reference
   itself is good to ~1e-19 relative even at z = -38 where a naive
   erfcl(-z*M_SQRT1_2l) would be off by 1e-16.

   Error measures: "ulp" = |y - ref| / ulp(ref), ulp(v) = 2^(max(e, emin) - p + 1)
   (so subnormal results are measured in units of the smallest subnormal);
   "rel" = |y - ref| / |ref|, only where |ref| >= the smallest normal; both
   computed in the reference's precision. gelu d1 has a simple zero at
   z0 = -0.7517915246935645; within |z - z0| < 0.01 it is reported apart
   (absolute and relative error), as relative error loses its meaning at z0.

   Tolerances (pass criteria), over all sets:
     double: exp, tanh <= 2 ulp; sigmoid <= 2.5 ulp (three roundings of
             values in different binades: e, 1 + e and the quotient);
             softplus, gelu, gelu d1, d2: rel <= 1e-15 for normal results and
             <= 9 ulp everywhere (1e-15 is 4.5..9 ulp); gelu d1 next to its
             zero: absolute error <= 1e-16.
     float:  exp, tanh, softplus <= 2 ulp; sigmoid <= 2.5 ulp; gelu, d1, d2
             <= 4 ulp; d1 next to its zero: absolute <= 1e-8.

   Checks (each prints PASS/FAIL with its tolerance):
   - max ulp / rel error of each function on: (a) 1e6-point uniform grid on
     [-50, 50]; (b) log-spaced magnitudes 1e-300..1e3 (float 1e-45..1e3) of
     both signs; (c) 1e6 uniform random values over each function's
     meaningful range and 1e6 with log-uniform magnitude (own xoshiro256**
     generator, fixed seed); (d) special values (+-0, +-inf, NaN, extremes,
     overflow/underflow thresholds), and exact expectations for those;
   - vector path == scalar path, bit for bit (bulk calls vs. n = 1 calls,
     which always take the scalar path; misaligned and in-place calls). The
     printed output hash also lets builds be compared (e.g. with and without
     -DLLP__NO_VECTOR_EXT, -std=c99 and -std=gnu99);
   - gelu d1 against the central difference of llp__vgelu, d2 against the
     central difference of d1 (tolerance = truncation h^2 max|f'''|/6 plus
     rounding);
   - speed at n = 4096 against scalar libm and the header's current kernels.
   Exits 1 if any check failed. */
#define _POSIX_C_SOURCE 199309L
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <float.h>
#include <time.h>

#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"

#ifdef LLPROBE_FLOAT
typedef double ref_t;
#define R_MANT 24
#define R_EMIN (-126)
#define R_MIN FLT_MIN
#define R_MAX FLT_MAX
#define R_TRUE_MIN 1.40129846e-45f
#define PREC "float"
#else
typedef long double ref_t;
#define R_MANT 53
#define R_EMIN (-1022)
#define R_MIN DBL_MIN
#define R_MAX DBL_MAX
#define R_TRUE_MIN 4.9406564584124654e-324
#define PREC "double"
#endif


/* The test's own arithmetic (input grids, references) must not depend on the
   FP-contraction mode, so that output hashes compare across builds. */
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#ifdef LLP__FM_VEXT
#define PATHS "vector-extension + scalar tail"
#else
#define PATHS "scalar only"
#endif

static int n_pass, n_fail;

static void check(int ok, const char *what) {
    printf("%s %s\n", ok ? "PASS" : "FAIL", what);
    if (ok) n_pass++;
    else n_fail++;
}

/* ---- xoshiro256** with a splitmix64 seeder (fixed seed) ---- */
typedef struct {
    uint64_t s[4];
} rng_t;
static uint64_t splitmix(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static void rng_seed(rng_t *r, uint64_t seed) {
    int i;
    for (i = 0; i < 4; i++) r->s[i] = splitmix(&seed);
}
static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
static uint64_t rng_next(rng_t *r) {
    uint64_t *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3], s[2] ^= t, s[3] = rotl(s[3], 45);
    return res;
}
static double rng_unit(rng_t *r) { return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0); }

/* ---- references ---- */
#ifdef LLPROBE_FLOAT
static ref_t ref_exp(ref_t x) { return exp(x); }
static ref_t ref_tanh(ref_t x) { return tanh(x); }
static ref_t ref_sigmoid(ref_t x) {
    ref_t e;
    if (x >= 0) return 1 / (1 + exp(-x));
    e = exp(x);
    return e / (1 + e);
}
static ref_t ref_softplus(ref_t x) { return (x > 0 ? x : 0) + log1p(exp(-fabs(x))); }
static ref_t ref_Q(ref_t a) { return 0.5 * erfc(a * 0.70710678118654752440); } /* error ~1e-14, fine for float */
static ref_t ref_phi(ref_t z) { return 0.39894228040143267794 * exp(-0.5 * z * z); }
static ref_t ref_2mz2(ref_t z) { return 2 - z * z; }
#else
static ref_t ref_exp(ref_t x) { return expl(x); }
static ref_t ref_tanh(ref_t x) { return tanhl(x); }
static ref_t ref_sigmoid(ref_t x) {
    ref_t e;
    if (x >= 0) return 1 / (1 + expl(-x));
    e = expl(x);
    return e / (1 + e);
}
static ref_t ref_softplus(ref_t x) { return (x > 0 ? x : 0) + log1pl(expl(-fabsl(x))); }
/* Q(a) = erfc(a/sqrt2)/2 for a double a: t = a*c_hi rounded, dt = exact rest. */
static ref_t ref_Q(ref_t a) {
    const long double c_hi = 0.707106781186547524381894036516L, c_lo = 1.895032558893257079655062e-20L;
    long double t = a * c_hi, dt = fmal(a, c_hi, -t) + a * c_lo;
    return 0.5L * (erfcl(t) - 1.12837916709551257389615890312L * expl(-t * t) * dt);
}
static ref_t ref_phi(ref_t z) {
    long double zz = z * z, lo = fmal(z, z, -zz); /* z*z = zz + lo exactly */
    return 0.398942280401432677939946059934L * expl(-0.5L * zz) * (1 - 0.5L * lo);
}
static ref_t ref_2mz2(ref_t z) {
    long double zz = z * z, lo = fmal(z, z, -zz);
    return (2 - zz) - lo;
}
#endif
static ref_t ref_Phi(ref_t x) { return x < 0 ? ref_Q(-x) : 1 - ref_Q(x); }
static ref_t ref_gelu(ref_t x) {
    if (isinf(x)) return x > 0 ? x : 0;
    return x * ref_Phi(x);
}
static ref_t ref_d1(ref_t z) {
    if (isinf(z)) return z > 0 ? 1 : 0;
    return ref_Phi(z) + z * ref_phi(z);
}
static ref_t ref_d2(ref_t z) {
    if (isinf(z)) return 0;
    return ref_phi(z) * ref_2mz2(z);
}

/* ---- functions under test, uniform signature ---- */
static llp_real *g_scratch;
static size_t g_scratch_n;
static llp_real *scratch(size_t n) {
    if (n > g_scratch_n) {
        free(g_scratch);
        g_scratch = (llp_real *)malloc(n * sizeof *g_scratch);
        g_scratch_n = n;
    }
    return g_scratch;
}
static void f_d1(const llp_real *x, llp_real *y, size_t n) { llp__vgelu_d12(x, y, scratch(n), n); }
static void f_d2(const llp_real *x, llp_real *y, size_t n) { llp__vgelu_d12(x, scratch(n), y, n); }

typedef void (*arr_fn)(const llp_real *, llp_real *, size_t);
typedef struct {
    const char *name;
    arr_fn f;
    ref_t (*ref)(ref_t);
    double lo, hi;     /* meaningful range for the random set */
    double tol_ulp;    /* pass criterion in ulps (everywhere) */
    double tol_rel;    /* pass criterion, relative (normal results), 0 = use ulps only */
} fn_t;

#ifdef LLPROBE_FLOAT
static const fn_t fns[] = {
    {"exp", llp__vexp, ref_exp, -104, 89, 2, 0},
    {"tanh", llp__vtanh, ref_tanh, -10, 10, 2, 0},
    {"sigmoid", llp__vsigmoid, ref_sigmoid, -104, 20, 2.5, 0},
    {"softplus", llp__vsoftplus, ref_softplus, -104, 20, 2, 0},
    {"gelu", llp__vgelu, ref_gelu, -15, 6, 4, 0},
    {"gelu_d1", f_d1, ref_d1, -15, 6, 4, 0},
    {"gelu_d2", f_d2, ref_d2, -15, 6, 4, 0},
};
#define ROOT_ABS_TOL 1e-8
#else
static const fn_t fns[] = {
    {"exp", llp__vexp, ref_exp, -746, 710, 2, 0},
    {"tanh", llp__vtanh, ref_tanh, -20, 20, 2, 0},
    {"sigmoid", llp__vsigmoid, ref_sigmoid, -746, 40, 2.5, 0},
    {"softplus", llp__vsoftplus, ref_softplus, -746, 50, 9, 1e-15},
    {"gelu", llp__vgelu, ref_gelu, -40, 10, 9, 1e-15},
    {"gelu_d1", f_d1, ref_d1, -40, 10, 9, 1e-15},
    {"gelu_d2", f_d2, ref_d2, -40, 10, 9, 1e-15},
};
#define ROOT_ABS_TOL 1e-16
#endif
#define NFN (sizeof fns / sizeof fns[0])
#define D1_ROOT (-0.75179152469356445746)

/* ---- error accounting ---- */
typedef struct {
    double max_ulp, max_rel, max_abs_root, max_rel_root, x_ulp, x_rel;
    long bad; /* special-value mismatches (NaN/inf/sign) */
    double x_bad;
} stat_t;

static double ulp_of(ref_t v) {
    int e;
    if (v == 0) return R_TRUE_MIN;
    e = ilogb((double)v);
    if ((double)v == 0) e = R_EMIN - 1; /* a long double below the double range */
    if (e < R_EMIN) e = R_EMIN;
    return ldexp(1.0, e - (R_MANT - 1));
}

static void account(stat_t *st, const fn_t *fn, llp_real xin, llp_real y, ref_t ref) {
    double d, u, rel;
    ref_t dd;
    if (isnan(ref) || isnan(y)) {
        if (!(isnan(ref) && isnan(y))) st->bad++, st->x_bad = xin;
        return;
    }
    /* overflow: the exact value lies beyond the largest finite + half an ulp */
    if (isinf(ref) || fabs((double)ref) >= (double)R_MAX + 0.5 * ulp_of(R_MAX)) {
        if (!(isinf(y) && (y > 0) == (ref > 0))) st->bad++, st->x_bad = xin;
        return;
    }
    if (isinf(y)) {
        st->bad++, st->x_bad = xin;
        return;
    }
    /* the difference stays in ref_t: in double it could fall below the subnormal range */
    dd = (ref_t)y - ref;
    if (dd < 0) dd = -dd;
    d = (double)dd;
    if (fn->f == f_d1 && fabs((double)xin - D1_ROOT) < 0.01) {
        if (d > st->max_abs_root) st->max_abs_root = d;
        if (ref != 0 && (double)(dd / ref) * (ref < 0 ? -1 : 1) > st->max_rel_root)
            st->max_rel_root = (double)(dd / ref) * (ref < 0 ? -1 : 1);
        return;
    }
    u = (double)(dd / (ref_t)ulp_of(ref));
    if (u > st->max_ulp) st->max_ulp = u, st->x_ulp = xin;
    if (fabs((double)ref) >= R_MIN) {
        rel = (double)(dd / (ref < 0 ? -ref : ref));
        if (rel > st->max_rel) st->max_rel = rel, st->x_rel = xin;
    }
}

static void merge(stat_t *a, const stat_t *b) {
    if (b->max_ulp > a->max_ulp) a->max_ulp = b->max_ulp, a->x_ulp = b->x_ulp;
    if (b->max_rel > a->max_rel) a->max_rel = b->max_rel, a->x_rel = b->x_rel;
    if (b->max_abs_root > a->max_abs_root) a->max_abs_root = b->max_abs_root;
    if (b->max_rel_root > a->max_rel_root) a->max_rel_root = b->max_rel_root;
    if (b->bad) a->bad += b->bad, a->x_bad = b->x_bad;
}

static uint64_t g_hash = 0xcbf29ce484222325ull;
static void hash_bytes(const void *p, size_t n) {
    const unsigned char *c = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++) g_hash = (g_hash ^ c[i]) * 0x100000001b3ull;
}

static long g_mismatch; /* vector vs scalar path differences */
static int g_hash_only; /* outputs and their hash only, no reference */
static size_t g_div = 1; /* "quick": sets 10 times smaller */

/* Evaluate fn on x[0..n): bulk (vector path) and one at a time (scalar path);
   compare bits, hash, and account the errors. */
static void run_set(const fn_t *fn, const llp_real *x, size_t n, stat_t *st) {
    llp_real *y = (llp_real *)malloc(n * sizeof *y), *y1 = (llp_real *)malloc(n * sizeof *y1);
    size_t i;
    memset(st, 0, sizeof *st);
    fn->f(x, y, n);
    for (i = 0; i < n; i++) fn->f(x + i, y1 + i, 1);
    if (memcmp(y, y1, n * sizeof *y) != 0) {
        for (i = 0; i < n; i++)
            if (memcmp(y + i, y1 + i, sizeof *y) != 0) {
                if (g_mismatch < 5)
                    printf("  mismatch %s x=%.17g vec=%.17g scalar=%.17g\n", fn->name, (double)x[i], (double)y[i],
                           (double)y1[i]);
                g_mismatch++;
            }
    }
    hash_bytes(y, n * sizeof *y);
    if (!g_hash_only)
        for (i = 0; i < n; i++) account(st, fn, x[i], y[i], fn->ref((ref_t)x[i]));
    free(y);
    free(y1);
}

/* ---- input sets ---- */
enum { SET_GRID, SET_LOG, SET_UNI, SET_LOGU, SET_SPECIAL, NSETS };
static const char *set_names[NSETS] = {"grid[-50,50]", "log|x|", "random", "rand-log", "special"};

static size_t make_set(int set, const fn_t *fn, llp_real **px) {
    size_t n = 0, i;
    llp_real *x;
    rng_t rng;
    rng_seed(&rng, 0x5eed + (uint64_t)set * 1000 + (uint64_t)(fn - fns));
    switch (set) {
    case SET_GRID:
        n = 1000000 / g_div;
        x = (llp_real *)malloc(n * sizeof *x);
        for (i = 0; i < n; i++) x[i] = (llp_real)(-50.0 + 100.0 * (double)i / (double)(n - 1));
        break;
    case SET_LOG: {
        size_t m = 100000 / g_div;
        double lg_lo = LLP_REAL_IS_FLOAT ? -45 : -300, lg_hi = 3;
        n = 2 * m;
        x = (llp_real *)malloc(n * sizeof *x);
        for (i = 0; i < m; i++) {
            double v = pow(10.0, lg_lo + (lg_hi - lg_lo) * (double)i / (double)(m - 1));
            x[2 * i] = (llp_real)v, x[2 * i + 1] = (llp_real)-v;
        }
        break;
    }
    case SET_UNI:
        n = 1000000 / g_div;
        x = (llp_real *)malloc(n * sizeof *x);
        for (i = 0; i < n; i++) x[i] = (llp_real)(fn->lo + (fn->hi - fn->lo) * rng_unit(&rng));
        break;
    case SET_LOGU: {
        /* sign random, |x| log-uniform from the smallest subnormal to max(|lo|, hi) */
        double top = log2(fmax(-fn->lo, fn->hi)), bot = LLP_REAL_IS_FLOAT ? -149 : -1074;
        n = 1000000 / g_div;
        x = (llp_real *)malloc(n * sizeof *x);
        for (i = 0; i < n; i++) {
            double v = exp2(bot + (top - bot) * rng_unit(&rng));
            x[i] = (llp_real)((rng_next(&rng) & 1) ? -v : v);
        }
        break;
    }
    default: {
        static const double sp[] = {0.0, 1.0, 0.5, 2.0, 0.25, 0.55, 0.5493, 1e-5, 1e-10, 0.3, 10, 15, 19, 19.06, 20, 21,
                                    30, 37.5, 38, 38.5, 39, 40, 41, 50, 88.7, 89, 103.9, 104, 105, 700, 709.78, 709.79,
                                    710, 745.13, 745.14, 746, 747, 1e4, 1e300, 1.4142135623730951, 1.4142135623730950};
        size_t k, ns = sizeof sp / sizeof sp[0];
        n = 2 * ns + 12;
        x = (llp_real *)malloc(n * sizeof *x);
        for (k = 0; k < ns; k++) {
            double v = sp[k];
            if (LLP_REAL_IS_FLOAT && v > 3e38) v = 3e38;
            x[2 * k] = (llp_real)v, x[2 * k + 1] = (llp_real)-v;
        }
        k = 2 * ns;
        x[k++] = (llp_real)INFINITY, x[k++] = (llp_real)-INFINITY, x[k++] = (llp_real)NAN, x[k++] = (llp_real)-NAN;
        x[k++] = R_MIN, x[k++] = -R_MIN, x[k++] = R_TRUE_MIN, x[k++] = -R_TRUE_MIN;
        x[k++] = R_MAX, x[k++] = -R_MAX, x[k++] = (llp_real)D1_ROOT, x[k++] = (llp_real)-1e-30;
        break;
    }
    }
    *px = x;
    return n;
}

/* ---- exact special-value expectations ---- */
static int same(llp_real a, llp_real b) { /* equal incl. sign of zero, NaN == NaN */
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
    return a == b && !signbit(a) == !signbit(b);
}
static llp_real one(arr_fn f, llp_real x) {
    llp_real y;
    f(&x, &y, 1);
    return y;
}
static void specials(void) {
    const llp_real inf = (llp_real)INFINITY, nan_ = (llp_real)NAN, z = 0;
    char buf[200];
    int ok, k;
    /* both paths: evaluate each case in a block of 8 so the vector path runs */
    for (k = 0; k < 2; k++) {
        arr_fn ef = llp__vexp;
        llp_real v[8], y[8];
        int i, good = 1;
#define EXPECT(F, X, Y)                                                        \
    do {                                                                       \
        for (i = 0; i < 8; i++) v[i] = (X);                                    \
        if (k == 0) F(v, y, 8);                                                \
        else for (i = 0; i < 8; i++) y[i] = one(F, v[i]);                      \
        for (i = 0; i < 8; i++)                                                \
            if (!same(y[i], (Y))) {                                            \
                printf("  %s(%g) = %g, want %g\n", #F, (double)(X), (double)y[i], (double)(Y)); \
                good = 0;                                                      \
                break;                                                         \
            }                                                                  \
    } while (0)
        (void)ef;
        EXPECT(llp__vexp, z, 1);
        EXPECT(llp__vexp, -z, 1);
        EXPECT(llp__vexp, inf, inf);
        EXPECT(llp__vexp, -inf, 0);
        EXPECT(llp__vexp, nan_, nan_);
        EXPECT(llp__vexp, R_MAX, inf);
        EXPECT(llp__vexp, -R_MAX, 0);
        EXPECT(llp__vexp, (llp_real)(LLP_REAL_IS_FLOAT ? 88.73 : 709.79), inf);
        EXPECT(llp__vexp, (llp_real)(LLP_REAL_IS_FLOAT ? -103.98 : -745.14), 0);
        EXPECT(llp__vexp, (llp_real)(LLP_REAL_IS_FLOAT ? -103.27 : -745.13), R_TRUE_MIN);
        EXPECT(llp__vtanh, z, z);
        EXPECT(llp__vtanh, -z, -z);
        EXPECT(llp__vtanh, inf, 1);
        EXPECT(llp__vtanh, -inf, -1);
        EXPECT(llp__vtanh, R_MAX, 1);
        EXPECT(llp__vtanh, -R_MAX, -1);
        EXPECT(llp__vtanh, nan_, nan_);
        EXPECT(llp__vtanh, R_TRUE_MIN, R_TRUE_MIN);
        EXPECT(llp__vtanh, -R_MIN, -R_MIN);
        EXPECT(llp__vtanh, (llp_real)1e-30, (llp_real)1e-30);
        EXPECT(llp__vsigmoid, z, (llp_real)0.5);
        EXPECT(llp__vsigmoid, -z, (llp_real)0.5);
        EXPECT(llp__vsigmoid, inf, 1);
        EXPECT(llp__vsigmoid, -inf, 0);
        EXPECT(llp__vsigmoid, R_MAX, 1);
        EXPECT(llp__vsigmoid, -R_MAX, 0);
        EXPECT(llp__vsigmoid, nan_, nan_);
        EXPECT(llp__vsoftplus, inf, inf);
        EXPECT(llp__vsoftplus, -inf, 0);
        EXPECT(llp__vsoftplus, R_MAX, R_MAX);
        EXPECT(llp__vsoftplus, -R_MAX, 0);
        EXPECT(llp__vsoftplus, (llp_real)50, (llp_real)50);
        EXPECT(llp__vsoftplus, nan_, nan_);
        EXPECT(llp__vgelu, z, z);
        EXPECT(llp__vgelu, -z, -z);
        EXPECT(llp__vgelu, inf, inf);
        EXPECT(llp__vgelu, -inf, -z);
        EXPECT(llp__vgelu, R_MAX, R_MAX);
        EXPECT(llp__vgelu, -R_MAX, -z);
        EXPECT(llp__vgelu, nan_, nan_);
        EXPECT(f_d1, inf, 1);
        EXPECT(f_d1, -inf, -z);
        EXPECT(f_d1, nan_, nan_);
        EXPECT(f_d1, z, (llp_real)0.5);
        EXPECT(f_d2, inf, -z);
        EXPECT(f_d2, -inf, -z);
        EXPECT(f_d2, nan_, nan_);
#undef EXPECT
        sprintf(buf, "special values, %s path: exp/tanh/sigmoid/softplus/gelu/d12 at +-0, +-inf, NaN, +-max, "
                     "overflow/underflow edges (exact)", k ? "scalar" : "bulk");
        check(good, buf);
    }
    /* the brief's examples */
    {
        ref_t r1 = ref_sigmoid(-700), r2 = ref_softplus(-50);
        llp_real y1 = one(llp__vsigmoid, (llp_real)-700), y2 = one(llp__vsoftplus, (llp_real)-50);
        if (LLP_REAL_IS_FLOAT) {
            r1 = ref_sigmoid(-100), y1 = one(llp__vsigmoid, (llp_real)-100);
        }
        sprintf(buf, "sigmoid(%s) = %.6g (ref %.6g), softplus(-50) = %.6g (ref %.6g), rel err < 4 ulp",
                LLP_REAL_IS_FLOAT ? "-100" : "-700", (double)y1, (double)r1, (double)y2, (double)r2);
        ok = fabs((double)((ref_t)y1 - r1)) < 4 * ulp_of(r1) && fabs((double)((ref_t)y2 - r2)) < 4 * ulp_of(r2);
        check(ok, buf);
    }
}

/* ---- derivative checks ---- */
static void fd_checks(void) {
    size_t n = 20001, i;
    llp_real *z = (llp_real *)malloc(n * sizeof *z), *zp = (llp_real *)malloc(n * sizeof *z),
             *zm = (llp_real *)malloc(n * sizeof *z), *gp = (llp_real *)malloc(n * sizeof *z),
             *gm = (llp_real *)malloc(n * sizeof *z), *d1 = (llp_real *)malloc(n * sizeof *z),
             *d2 = (llp_real *)malloc(n * sizeof *z), *e1 = (llp_real *)malloc(n * sizeof *z),
             *e2 = (llp_real *)malloc(n * sizeof *z);
    double h0 = LLP_REAL_IS_FLOAT ? 1.0 / 128 : 1.0 / 65536;
    double max1 = 0, max2 = 0, tol1, tol2;
    char buf[200];
    for (i = 0; i < n; i++) {
        z[i] = (llp_real)(-10.0 + 20.0 * (double)i / (double)(n - 1));
        zp[i] = (llp_real)(z[i] + h0), zm[i] = (llp_real)(z[i] - h0); /* exact: h0 is a power of 2, |z| <= 10 */
    }
    llp__vgelu_d12(z, d1, d2, n);
    llp__vgelu(zp, gp, n);
    llp__vgelu(zm, gm, n);
    for (i = 0; i < n; i++) {
        double fd = ((double)gp[i] - (double)gm[i]) / (2 * h0), e = fabs(fd - (double)d1[i]);
        if (e > max1) max1 = e;
    }
    llp__vgelu_d12(zp, gp, e1, n);
    llp__vgelu_d12(zm, gm, e2, n);
    for (i = 0; i < n; i++) {
        double fd = ((double)gp[i] - (double)gm[i]) / (2 * h0), e = fabs(fd - (double)d2[i]);
        if (e > max2) max2 = e;
    }
    /* central difference: truncation h^2/6 max|f'''|: gelu''' = phi (z^3 - 4z), |.| <= 0.77;
       d1''' = phi (-z^4 + 7 z^2 - 4), |.| <= 1.6
       + rounding ~ 2 eps max|f| / (2h), max|f| = 10 (gelu) or 1.1 (d1) */
    tol1 = 0.15 * h0 * h0 + 2 * (LLP_REAL_IS_FLOAT ? FLT_EPSILON : DBL_EPSILON) * 10 / (2 * h0);
    tol2 = 0.3 * h0 * h0 + 2 * (LLP_REAL_IS_FLOAT ? FLT_EPSILON : DBL_EPSILON) * 1.1 / (2 * h0);
    sprintf(buf, "gelu d1 vs central difference of gelu on [-10,10], h=%g: max |diff| %.3g <= %.3g", h0, max1, tol1);
    check(max1 <= tol1, buf);
    sprintf(buf, "gelu d2 vs central difference of d1 on [-10,10], h=%g: max |diff| %.3g <= %.3g", h0, max2, tol2);
    check(max2 <= tol2, buf);
    free(z), free(zp), free(zm), free(gp), free(gm), free(d1), free(d2), free(e1), free(e2);
}

/* ---- aliasing / alignment ---- */
static void alias_checks(void) {
    size_t n = 1003, i, k;
    llp_real *x = (llp_real *)malloc((n + 1) * sizeof *x), *y = (llp_real *)malloc((n + 1) * sizeof *x),
             *w = (llp_real *)malloc((n + 1) * sizeof *x), *v = (llp_real *)malloc((n + 1) * sizeof *x);
    rng_t rng;
    int ok = 1;
    rng_seed(&rng, 77);
    for (i = 0; i <= n; i++) x[i] = (llp_real)(-8 + 16 * rng_unit(&rng));
    for (k = 0; k < NFN - 2; k++) {
        fns[k].f(x, y, n + 1);
        memcpy(w, x, (n + 1) * sizeof *x);
        fns[k].f(w + 1, w + 1, n); /* misaligned, in place */
        if (memcmp(w + 1, y + 1, n * sizeof *x) != 0) ok = 0;
    }
    /* d12 with d1 aliasing z, and with d2 aliasing z */
    llp__vgelu_d12(x, y, v, n);
    memcpy(w, x, n * sizeof *x);
    llp__vgelu_d12(w, w, scratch(n), n);
    if (memcmp(w, y, n * sizeof *x) != 0) ok = 0;
    memcpy(w, x, n * sizeof *x);
    llp__vgelu_d12(w, scratch(n), w, n);
    if (memcmp(w, v, n * sizeof *x) != 0) ok = 0;
    check(ok, "in-place and misaligned calls (n = 1003, offset 1) give the same bits as out-of-place");
    free(x), free(y), free(w), free(v);
}

/* ---- speed ---- */
static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
static volatile double g_sink;
#define BN 4096
static llp_real bx[BN], by[BN], bz[BN];

#ifdef LLPROBE_FLOAT
static void l_exp(const llp_real *x, llp_real *y, size_t n) { size_t i; for (i = 0; i < n; i++) y[i] = expf(x[i]); }
static void l_tanh(const llp_real *x, llp_real *y, size_t n) { size_t i; for (i = 0; i < n; i++) y[i] = tanhf(x[i]); }
static void l_sig(const llp_real *x, llp_real *y, size_t n) { size_t i; for (i = 0; i < n; i++) y[i] = 1 / (1 + expf(-x[i])); }
static void l_sp(const llp_real *x, llp_real *y, size_t n) { size_t i; for (i = 0; i < n; i++) y[i] = log1pf(expf(x[i])); }
static void l_gelu(const llp_real *x, llp_real *y, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1 + erff(x[i] * 0.707106781f));
}
static void l_d12(const llp_real *x, llp_real *y, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        float p = 0.398942280f * expf(-0.5f * x[i] * x[i]), P = 0.5f * (1 + erff(x[i] * 0.707106781f));
        y[i] = P + x[i] * p, bz[i] = p * (2 - x[i] * x[i]);
    }
}
#define LIBM "libm float (expf, tanhf, erff...)"
#else
static void l_exp(const llp_real *x, llp_real *y, size_t n) { size_t i; for (i = 0; i < n; i++) y[i] = exp(x[i]); }
static void l_tanh(const llp_real *x, llp_real *y, size_t n) { size_t i; for (i = 0; i < n; i++) y[i] = tanh(x[i]); }
static void l_sig(const llp_real *x, llp_real *y, size_t n) { size_t i; for (i = 0; i < n; i++) y[i] = 1 / (1 + exp(-x[i])); }
static void l_sp(const llp_real *x, llp_real *y, size_t n) { size_t i; for (i = 0; i < n; i++) y[i] = log1p(exp(x[i])); }
static void l_gelu(const llp_real *x, llp_real *y, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) y[i] = 0.5 * x[i] * (1 + erf(x[i] * 0.70710678118654752440));
}
static void l_d12(const llp_real *x, llp_real *y, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        double p = 0.39894228040143267794 * exp(-0.5 * x[i] * x[i]), P = 0.5 * (1 + erf(x[i] * 0.70710678118654752440));
        y[i] = P + x[i] * p, bz[i] = p * (2 - x[i] * x[i]);
    }
}
#define LIBM "libm double (exp, tanh, erf...)"
#endif
/* the current llprobe.h kernels (llp__act_forward / llp__act_d12): double libm
   per element, also for float; sigmoid branches on the sign */
static double h_sigmoid1(double z) {
    if (z >= 0) return 1.0 / (1.0 + exp(-z));
    {
        double e = exp(z);
        return e / (1.0 + e);
    }
}
static void h_exp(const llp_real *x, llp_real *y, size_t n) { size_t i; for (i = 0; i < n; i++) y[i] = (llp_real)exp(x[i]); }
static void h_tanh(const llp_real *x, llp_real *y, size_t n) { size_t i; for (i = 0; i < n; i++) y[i] = (llp_real)tanh(x[i]); }
static void h_sig(const llp_real *x, llp_real *y, size_t n) { size_t i; for (i = 0; i < n; i++) y[i] = (llp_real)h_sigmoid1(x[i]); }
static void h_sp(const llp_real *x, llp_real *y, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        double t = x[i];
        y[i] = (llp_real)((t > 0 ? t : 0) + log1p(exp(-fabs(t))));
    }
}
static void h_gelu(const llp_real *x, llp_real *y, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) y[i] = (llp_real)(0.5 * x[i] * (1.0 + erf(x[i] * 0.70710678118654752440)));
}
static void h_d12(const llp_real *x, llp_real *y, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        double z = x[i], phi = 0.39894228040143267794 * exp(-0.5 * z * z), Phi = 0.5 * (1.0 + erf(z * 0.70710678118654752440));
        y[i] = (llp_real)(Phi + z * phi), bz[i] = (llp_real)(phi * (2 - z * z));
    }
}
static void o_d12(const llp_real *x, llp_real *y, size_t n) { llp__vgelu_d12(x, y, bz, n); }

static double time_fn(arr_fn f) {
    double best = 1e30, t0, t;
    int rep, r, reps = 50;
    for (r = 0; r < 25; r++) { /* best of 25 short runs: robust to a busy machine */
        t0 = now();
        for (rep = 0; rep < reps; rep++) {
            f(bx, by, BN);
            bx[rep & (BN - 1)] += by[(rep * 7) & (BN - 1)] * (llp_real)0; /* keep the calls alive */
        }
        t = (now() - t0) / ((double)reps * BN) * 1e9;
        if (t < best) best = t;
    }
    g_sink += (double)by[BN / 2];
    return best;
}

static void bench(void) {
    static const struct {
        const char *name;
        arr_fn ours, libm, now;
    } b[] = {
        {"exp", llp__vexp, l_exp, h_exp},          {"tanh", llp__vtanh, l_tanh, h_tanh},
        {"sigmoid", llp__vsigmoid, l_sig, h_sig},  {"softplus", llp__vsoftplus, l_sp, h_sp},
        {"gelu", llp__vgelu, l_gelu, h_gelu},      {"gelu_d12", o_d12, l_d12, h_d12},
    };
    size_t k, i;
    rng_t rng;
    rng_seed(&rng, 4242);
    printf("\nspeed, ns per element, n = %d, x uniform in [-5, 5] (%s, %s path)\n", BN, PREC, PATHS);
    printf("  %-10s %9s %9s %9s %9s %9s\n", "function", "fastmath", "libm", "speedup", "llprobe.h", "speedup");
    for (k = 0; k < sizeof b / sizeof b[0]; k++) {
        double to, tl, th;
        for (i = 0; i < BN; i++) bx[i] = (llp_real)(-5 + 10 * rng_unit(&rng));
        to = time_fn(b[k].ours);
        tl = time_fn(b[k].libm);
        th = time_fn(b[k].now);
        printf("  %-10s %9.3f %9.3f %8.1fx %9.3f %8.1fx\n", b[k].name, to, tl, tl / to, th, th / to);
    }
    printf("  libm: %s, one call per element, formulas exp(x), tanh(x), 1/(1+exp(-x)),\n"
           "  log1p(exp(x)), 0.5x(1+erf(x/sqrt2)), d12 from exp and erf; llprobe.h: the header's\n"
           "  current kernels (double libm per element, sigmoid branching on the sign)\n", LIBM);
}

int main(int argc, char **argv) {
    int do_bench = 1, do_acc = 1, hash_only = 0, a;
    size_t k;
    int s;
    char buf[300];
    for (a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "nobench")) do_bench = 0;
        if (!strcmp(argv[a], "bench")) do_acc = 0;
        if (!strcmp(argv[a], "quick")) g_div = 10;
        if (!strcmp(argv[a], "hash")) hash_only = g_hash_only = 1, do_bench = 0;
    }
    if (do_acc) {
        stat_t tot[NFN];
        if (!hash_only) printf("fastmath tests, %s, %s path\n", PREC, PATHS);
        memset(tot, 0, sizeof tot);
        if (!hash_only)
            printf("\n%-9s %-13s %9s %9s  %-23s %-23s %s\n", "function", "set", "max ulp", "max rel", "at x (ulp)",
                   "at x (rel)", "notes");
        for (k = 0; k < NFN; k++) {
            for (s = 0; s < NSETS; s++) {
                llp_real *x;
                size_t n = make_set(s, &fns[k], &x);
                stat_t st;
                run_set(&fns[k], x, n, &st);
                merge(&tot[k], &st);
                if (!hash_only) {
                    printf("%-9s %-13s %9.3f %9.3g  %-23.17g %-23.17g", fns[k].name, set_names[s], st.max_ulp,
                           st.max_rel, st.x_ulp, st.x_rel);
                    if (st.max_abs_root > 0) printf(" |z-z0|<0.01: abs %.3g rel %.3g", st.max_abs_root, st.max_rel_root);
                    if (st.bad) printf(" %ld NaN/inf mismatches (x=%g)", st.bad, st.x_bad);
                    printf("\n");
                }
                free(x);
            }
        }
        if (hash_only) {
            printf("%016llx %ld\n", (unsigned long long)g_hash, g_mismatch);
            free(g_scratch);
            return g_mismatch != 0;
        }
        printf("\n");
        for (k = 0; k < NFN; k++) {
            const fn_t *f = &fns[k];
            int ok = tot[k].max_ulp <= f->tol_ulp && tot[k].bad == 0 && (f->tol_rel == 0 || tot[k].max_rel <= f->tol_rel);
            if (f->f == f_d1) ok = ok && tot[k].max_abs_root <= ROOT_ABS_TOL;
            if (f->tol_rel > 0)
                sprintf(buf, "%-8s all sets: max %.3f ulp (<= %g), max rel %.3g (<= %g)", f->name, tot[k].max_ulp,
                        f->tol_ulp, tot[k].max_rel, f->tol_rel);
            else
                sprintf(buf, "%-8s all sets: max %.3f ulp (<= %g), rel %.3g", f->name, tot[k].max_ulp, f->tol_ulp,
                        tot[k].max_rel);
            if (!strcmp(f->name, "gelu_d1"))
                sprintf(buf + strlen(buf), "; |z-z0|<0.01: abs %.3g (<= %g), rel %.3g", tot[k].max_abs_root,
                        ROOT_ABS_TOL, tot[k].max_rel_root);
            check(ok, buf);
        }
        sprintf(buf, "vector path == scalar path bit for bit on all %s inputs (%ld differences)", "test", g_mismatch);
        check(g_mismatch == 0, buf);
        specials();
        fd_checks();
        alias_checks();
        printf("output hash %016llx\n", (unsigned long long)g_hash);
    }
    if (do_bench) bench();
    free(g_scratch);
    if (do_acc) printf("\n%d passed, %d failed\n", n_pass, n_fail);
    return n_fail != 0;
}
