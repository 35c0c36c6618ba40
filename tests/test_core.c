/* test_core.c — result codes, the random number generator and the vector kernels.

   The generator is checked bit for bit against reference values computed by an
   independent Python implementation of splitmix64 + xoshiro256** written from
   the published algorithms (Blackman & Vigna, prng.di.unimi.it); its jump is
   checked against the same state advanced by 2^128 steps through the GF(2)
   transition matrix raised to the power 2^128 by repeated squaring (which does
   not use the published jump polynomial at all). The script:

     M = 2**64 - 1
     def rotl(x, k): return ((x << k) | (x >> (64 - k))) & M
     def seed_state(seed):                     # splitmix64, four outputs
         x, s = seed, []
         for _ in range(4):
             x = (x + 0x9E3779B97F4A7C15) & M; z = x
             z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
             z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
             s.append(z ^ (z >> 31))
         return s
     def step(s):                              # xoshiro256**
         r = (rotl((s[1] * 5) & M, 7) * 9) & M; t = (s[1] << 17) & M
         s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
         s[3] = rotl(s[3], 45); return r
     # jump: columns T(e_j) of the 256x256 GF(2) matrix, squared 128 times,
     # applied to the packed state s0 | s1<<64 | s2<<128 | s3<<192 (and, as a
     # cross-check, the published JUMP polynomial: both agree).

   The statistical checks use fixed seeds and bounds of 5 standard errors or
   the 99.9% chi-square quantile, so a correct generator passes them with
   these seeds and a biased one (off by a few percent) fails. */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"

#include <float.h>
#include <stdlib.h>

/* ---- reference values (from the Python script above) ------------------- */

static const uint64_t ref_state_0[4] = {0xe220a8397b1dcdafULL, 0x6e789e6aa1b965f4ULL, 0x06c45d188009454fULL,
                                        0xf88bb8a8724c81ecULL};
static const uint64_t ref_out_0[5] = {0x99ec5f36cb75f2b4ULL, 0xbf6e1f784956452aULL, 0x1a5f849d4933e6e0ULL,
                                      0x6aa594f1262d2d2cULL, 0xbba5ad4a1f842e59ULL};
static const uint64_t ref_state_42[4] = {0xbdd732262feb6e95ULL, 0x28efe333b266f103ULL, 0x47526757130f9f52ULL,
                                         0x581ce1ff0e4ae394ULL};
static const uint64_t ref_out_42[5] = {0x15780b2e0c2ec716ULL, 0x6104d9866d113a7eULL, 0xae17533239e499a1ULL,
                                       0xecb8ad4703b360a1ULL, 0xfde6dc7fe2ec5e64ULL};
static const uint64_t ref_state_max[4] = {0xe4d971771b652c20ULL, 0xe99ff867dbf682c9ULL, 0x382ff84cb27281e9ULL,
                                          0x6d1db36ccba982d2ULL};
static const uint64_t ref_out_max[5] = {0x8f5520d52a7ead08ULL, 0xc476a018caa1802dULL, 0x81de31c0d260469eULL,
                                        0xbf658d7e065f3c2fULL, 0x913593fda1bca32aULL};
/* seed 42, after one jump (2^128 steps), and the first 5 outputs from there */
static const uint64_t ref_jump1_42[4] = {0x81746704fde896b5ULL, 0x645e944932dae0aeULL, 0xf4776829231c282cULL,
                                         0x2393f9798732dba1ULL};
static const uint64_t ref_jump1_out_42[5] = {0x50086ef83cbf4f4aULL, 0xba285ec21347d703ULL, 0x5ea1247b4dc6452aULL,
                                             0x03a5c66424702131ULL, 0x77369f9f12449a8bULL};
/* seed 42, after two jumps (2^129 steps) */
static const uint64_t ref_jump2_42[4] = {0xac1efbd1c1f9edb7ULL, 0xe3ef388185a3e19dULL, 0x8928517ea1524addULL,
                                         0x5f0e2c50350e976fULL};

/* ---- helpers ------------------------------------------------------------ */

static int is_nan(double x) { return x != x; }
static int is_finite(double x) { return x - x == 0; }

/* Chi-square statistic of observed counts against equal expected counts. */
static double chi_square_uniform(const long *count, int cells, long total) {
    double e = (double)total / cells, s = 0;
    int i;
    for (i = 0; i < cells; i++) s += ((double)count[i] - e) * ((double)count[i] - e) / e;
    return s;
}

/* ---- rng ---------------------------------------------------------------- */

/* The seeded state and the first five raw outputs equal the independent Python
   reference for seeds 0, 42 and 2^64-1 (seed 0 must give a usable nonzero
   state: splitmix64 takes care of that). */
static void test_rng_reference_outputs(void) {
    static const uint64_t seeds[3] = {0, 42, UINT64_MAX};
    const uint64_t *states[3] = {ref_state_0, ref_state_42, ref_state_max};
    const uint64_t *outs[3] = {ref_out_0, ref_out_42, ref_out_max};
    int k, i;
    for (k = 0; k < 3; k++) {
        llp_rng rng;
        llp_rng_seed(&rng, seeds[k]);
        for (i = 0; i < 4; i++)
            CHECK(rng.s[i] == states[k][i], "seed %d: state word %d = %016llx, expected %016llx", k, i,
                  (unsigned long long)rng.s[i], (unsigned long long)states[k][i]);
        for (i = 0; i < 5; i++) {
            uint64_t x = llp_rng_next(&rng);
            CHECK(x == outs[k][i], "seed %d: output %d = %016llx, expected %016llx", k, i, (unsigned long long)x,
                  (unsigned long long)outs[k][i]);
        }
    }
}

/* llp_rng_jump advances the state by exactly 2^128 steps: compared with the
   state the Python reference got from the 2^128-th power of the transition
   matrix (once and twice), and the stream after the jump continues with the
   reference outputs. The jumped stream is not the original one. */
static void test_rng_jump(void) {
    llp_rng a, b;
    int i;
    llp_rng_seed(&a, 42);
    llp_rng_jump(&a);
    for (i = 0; i < 4; i++)
        CHECK(a.s[i] == ref_jump1_42[i], "jump once: word %d = %016llx, expected %016llx", i,
              (unsigned long long)a.s[i], (unsigned long long)ref_jump1_42[i]);
    b = a;
    for (i = 0; i < 5; i++) {
        uint64_t x = llp_rng_next(&b);
        CHECK(x == ref_jump1_out_42[i], "output %d after jump = %016llx, expected %016llx", i,
              (unsigned long long)x, (unsigned long long)ref_jump1_out_42[i]);
        CHECK(x != ref_out_42[i], "jumped stream differs from the original at output %d", i);
    }
    llp_rng_jump(&a);
    for (i = 0; i < 4; i++)
        CHECK(a.s[i] == ref_jump2_42[i], "jump twice: word %d = %016llx, expected %016llx", i,
              (unsigned long long)a.s[i], (unsigned long long)ref_jump2_42[i]);
}

/* Copying the state forks the stream (the state is the whole generator), and
   reseeding restarts it: same seed, same outputs. */
static void test_rng_state_copy(void) {
    llp_rng a, b;
    int i, same = 1;
    llp_rng_seed(&a, 7);
    for (i = 0; i < 10; i++) llp_rng_next(&a);
    b = a;
    for (i = 0; i < 100; i++) same &= llp_rng_next(&a) == llp_rng_next(&b);
    CHECK(same, "a copied state produces the same 100 outputs");
    llp_rng_seed(&a, 7);
    llp_rng_seed(&b, 7);
    CHECK(memcmp(&a, &b, sizeof a) == 0, "seeding twice with 7 gives identical states");
    llp_rng_seed(&b, 8);
    CHECK(memcmp(&a, &b, sizeof a) != 0, "seeds 7 and 8 give different states");
}

/* llp_rng_uniform is (next >> 11) * 2^-53 (documented: 53 random bits, in
   [0, 1)): the first value equals that of the reference output, every value is
   a multiple of 2^-53 in [0, 1); over 1e5 draws the mean is 1/2 and the
   variance 1/12 within 5 standard errors (SE of the variance estimate uses
   Var((U-1/2)^2) = 1/80 - 1/144 = 1/180). */
static void test_rng_uniform(void) {
    const long N = 100000;
    llp_rng rng;
    long i, bad_range = 0, bad_grid = 0;
    double s = 0, s2 = 0, mean, var;
    llp_rng_seed(&rng, 42);
    {
        double u = llp_rng_uniform(&rng);
        double expect = (double)(ref_out_42[0] >> 11) / 9007199254740992.0;
        CHECK(u == expect, "first uniform %.17g equals reference output >> 11 times 2^-53 = %.17g", u, expect);
    }
    llp_rng_seed(&rng, 1234);
    for (i = 0; i < N; i++) {
        double u = llp_rng_uniform(&rng), scaled = u * 9007199254740992.0;
        if (!(u >= 0 && u < 1)) bad_range++;
        if (scaled != floor(scaled)) bad_grid++;
        s += u;
        s2 += (u - 0.5) * (u - 0.5);
    }
    mean = s / N;
    var = s2 / N;
    CHECK(bad_range == 0, "%ld of %ld uniforms outside [0, 1)", bad_range, N);
    CHECK(bad_grid == 0, "%ld of %ld uniforms not a multiple of 2^-53", bad_grid, N);
    CHECK(fabs(mean - 0.5) < 5 * sqrt(1.0 / 12 / N), "uniform mean %.6f vs 0.5 (5 SE = %.2e)", mean,
          5 * sqrt(1.0 / 12 / N));
    CHECK(fabs(var - 1.0 / 12) < 5 * sqrt(1.0 / 180 / N), "uniform variance %.6f vs 1/12 (5 SE = %.2e)", var,
          5 * sqrt(1.0 / 180 / N));
}

/* llp_rng_normal: 1e5 draws have mean 0 (SE 1/sqrt(N)), variance 1
   (Var(X^2) = 2) and fourth moment 3 (Var(X^4) = E X^8 - 9 = 105 - 9 = 96),
   each within 5 standard errors; every draw is finite. llp_rng_fill_normal
   gives the same numbers as repeated llp_rng_normal from the same state. */
static void test_rng_normal(void) {
    const long N = 100000;
    llp_rng rng, r2;
    long i, nonfinite = 0;
    double m1 = 0, m2 = 0, m4 = 0;
    llp_real buf[64];
    int same = 1;
    llp_rng_seed(&rng, 2024);
    for (i = 0; i < N; i++) {
        double z = llp_rng_normal(&rng);
        if (!is_finite(z)) nonfinite++;
        m1 += z;
        m2 += z * z;
        m4 += z * z * z * z;
    }
    m1 /= N;
    m2 /= N;
    m4 /= N;
    CHECK(nonfinite == 0, "%ld of %ld normal draws are NaN or Inf", nonfinite, N);
    CHECK(fabs(m1) < 5 / sqrt((double)N), "normal mean %.5f vs 0 (5 SE = %.2e)", m1, 5 / sqrt((double)N));
    CHECK(fabs(m2 - 1) < 5 * sqrt(2.0 / N), "normal second moment %.5f vs 1 (5 SE = %.2e)", m2, 5 * sqrt(2.0 / N));
    CHECK(fabs(m4 - 3) < 5 * sqrt(96.0 / N), "normal fourth moment %.5f vs 3 (5 SE = %.2e)", m4,
          5 * sqrt(96.0 / N));
    llp_rng_seed(&rng, 5);
    r2 = rng;
    llp_rng_fill_normal(&rng, buf, 64);
    for (i = 0; i < 64; i++) same &= buf[i] == (llp_real)llp_rng_normal(&r2);
    CHECK(same, "fill_normal equals 64 successive llp_rng_normal draws");
    CHECK(memcmp(&rng, &r2, sizeof rng) == 0, "fill_normal leaves the generator where 64 draws would");
}

/* llp_rng_rademacher and llp_rng_fill_rademacher give only +1 and -1, in
   counts balanced within 5 standard errors (sqrt(N)/2) over 1e5 draws. */
static void test_rng_rademacher(void) {
    const long N = 100000;
    llp_rng rng, r2;
    long i, plus = 0, other = 0;
    llp_real buf[100];
    int same = 1;
    llp_rng_seed(&rng, 99);
    for (i = 0; i < N; i++) {
        double r = llp_rng_rademacher(&rng);
        if (r == 1) plus++;
        else if (r != -1) other++;
    }
    CHECK(other == 0, "%ld rademacher draws were neither +1 nor -1", other);
    CHECK(fabs((double)plus - N / 2.0) < 5 * sqrt((double)N) / 2, "%ld of %ld draws were +1", plus, N);
    llp_rng_seed(&rng, 3);
    r2 = rng;
    llp_rng_fill_rademacher(&rng, buf, 100);
    for (i = 0; i < 100; i++) same &= buf[i] == (llp_real)llp_rng_rademacher(&r2);
    CHECK(same, "fill_rademacher equals 100 successive draws");
}

/* llp_rng_below(n) is in [0, n) and unbiased: for n = 7 the chi-square of
   1e5 draws (6 degrees of freedom) is below the 99.9% quantile 22.458. n = 0
   returns 0, n = 1 always 0, and a huge n = 2^63 + 1 (half the raw range
   rejected) stays in range with both halves hit. */
static void test_rng_below(void) {
    const long N = 100000;
    llp_rng rng;
    long count[7] = {0}, i, out_of_range = 0;
    uint64_t big = ((uint64_t)1 << 63) + 1;
    int hi = 0, lo = 0, ones = 1;
    double chi;
    llp_rng_seed(&rng, 77);
    for (i = 0; i < N; i++) {
        uint64_t v = llp_rng_below(&rng, 7);
        if (v >= 7) out_of_range++;
        else count[v]++;
    }
    chi = chi_square_uniform(count, 7, N);
    CHECK(out_of_range == 0, "%ld draws of below(7) out of range", out_of_range);
    CHECK(chi < 22.458, "chi-square of below(7) over 1e5 draws = %.3f (99.9%% quantile 22.458)", chi);
    CHECK(llp_rng_below(&rng, 0) == 0, "below(0) returns 0");
    for (i = 0; i < 100; i++) ones &= llp_rng_below(&rng, 1) == 0;
    CHECK(ones, "below(1) is always 0");
    for (i = 0; i < 1000; i++) {
        uint64_t v = llp_rng_below(&rng, big);
        if (v >= big) out_of_range++;
        if (v >= big / 2) hi = 1;
        else lo = 1;
    }
    CHECK(out_of_range == 0, "below(2^63 + 1) stays below n");
    CHECK(hi && lo, "below(2^63 + 1) reaches both halves of its range");
}

/* llp_rng_permutation gives each index 0..n-1 exactly once (n = 0, 1, 2, 50),
   and the six permutations of 3 elements appear equally often: chi-square of
   60000 draws (5 degrees of freedom) below the 99.9% quantile 20.515. */
static void test_rng_permutation(void) {
    const long N = 60000;
    llp_rng rng;
    size_t perm[50], sizes[4] = {0, 1, 2, 50};
    long count[6] = {0}, i;
    int k, bad = 0;
    double chi;
    llp_rng_seed(&rng, 31);
    for (k = 0; k < 4; k++) {
        size_t n = sizes[k], j;
        int seen[50] = {0}, ok = 1;
        for (j = 0; j < 50; j++) perm[j] = 999;
        llp_rng_permutation(&rng, perm, n);
        for (j = 0; j < n; j++) {
            if (perm[j] >= n || seen[perm[j]]) ok = 0;
            else seen[perm[j]] = 1;
        }
        for (j = n; j < 50; j++) ok &= perm[j] == 999;
        CHECK(ok, "permutation of %lu is a permutation and writes nothing past n", (unsigned long)n);
    }
    for (i = 0; i < N; i++) {
        int code;
        llp_rng_permutation(&rng, perm, 3);
        /* the 6 permutations of {0,1,2}, coded by (first, second) */
        code = (int)perm[0] * 2 + (perm[1] > (perm[0] == 0 ? 1u : 0u) ? 1 : 0);
        if (perm[0] + perm[1] + perm[2] != 3 || perm[0] == perm[1]) bad = 1;
        else count[code]++;
    }
    CHECK(!bad, "every 3-permutation is valid");
    for (k = 0; k < 6; k++) CHECK(count[k] > 0, "permutation %d of 3 appears (%ld times)", k, count[k]);
    chi = chi_square_uniform(count, 6, N);
    CHECK(chi < 20.515, "chi-square of the 6 permutations of 3 = %.3f (99.9%% quantile 20.515)", chi);
}

/* ---- vector kernels ----------------------------------------------------- */

/* llp_dot equals the plain loop for lengths 0..13 (every remainder of the
   4-way unrolled loop) with small integer and dyadic entries, whose products
   and sums are exact in any order; for random reals it agrees with a plain
   loop to n*eps relative to sum |x_i y_i|. */
static void test_dot(void) {
    llp_real x[1000], y[1000];
    llp_rng rng;
    size_t n, i;
    for (n = 0; n <= 13; n++) {
        double naive = 0;
        for (i = 0; i < n; i++) {
            x[i] = (llp_real)((double)i - 5.5);
            y[i] = (llp_real)(0.25 * (double)(3 * i % 7) - 1);
            naive += (double)x[i] * y[i];
        }
        CHECK(llp_dot(x, y, n) == naive, "dot of length %lu: %.17g vs %.17g", (unsigned long)n, llp_dot(x, y, n),
              naive);
    }
    llp_rng_seed(&rng, 4);
    llp_rng_fill_normal(&rng, x, 1000);
    llp_rng_fill_normal(&rng, y, 1000);
    {
        double naive = 0, absum = 0, got = llp_dot(x, y, 1000);
        for (i = 0; i < 1000; i++) naive += (double)x[i] * y[i], absum += fabs((double)x[i] * y[i]);
        CHECK(fabs(got - naive) <= 1000 * DBL_EPSILON * absum, "dot of 1000 normals %.17g vs loop %.17g", got,
              naive);
    }
}

/* llp_nrm2 is the Euclidean norm: exact on Pythagorean triples; equals the
   closed forms 5 B, 5 S, sqrt(1000) B and S sqrt(2) where the naive sum of
   squares in llp_real overflows to Inf or underflows to 0 (B = 1e200, S =
   1e-200 in double; in float B = 1e30, S = 1e-30, whose squares leave float's
   range); Inf gives Inf and NaN gives NaN; length 0 gives 0; random vectors
   agree with sqrt(loop). Float tolerances: 4 and 8 FLT_EPSILON, as in double
   with the epsilon of the type (the inputs are B and S rounded to float, half
   an ulp each, and the norm itself is accumulated in double). */
static void test_nrm2(void) {
    llp_real x[1000];
    llp_rng rng;
    size_t i;
    double naive;
    const double big = TOL(1e200, 1e30), small = TOL(1e-200, 1e-30);
    volatile llp_real sq; /* the naive sum of squares, rounded to llp_real */
    x[0] = 3, x[1] = 4;
    CHECK(llp_nrm2(x, 2) == 5, "|(3, 4)| = 5, got %.17g", llp_nrm2(x, 2));
    x[0] = 2, x[1] = 3, x[2] = 6;
    CHECK(llp_nrm2(x, 3) == 7, "|(2, 3, 6)| = 7, got %.17g", llp_nrm2(x, 3));
    CHECK(llp_nrm2(x, 0) == 0, "empty vector has norm 0");
    x[0] = (llp_real)TOL(3e200, 3e30), x[1] = (llp_real)TOL(4e200, 4e30);
    sq = x[0] * x[0] + x[1] * x[1];
    naive = sq;
    CHECK(!is_finite(naive), "premise: the naive sum of squares overflows");
    CHECK_CLOSE(llp_nrm2(x, 2), TOL(5e200, 5e30), 4 * LLP_TEST_EPS, "|(3 B, 4 B)|");
    x[0] = (llp_real)TOL(3e-200, 3e-30), x[1] = (llp_real)TOL(-4e-200, -4e-30);
    sq = x[0] * x[0] + x[1] * x[1];
    naive = sq;
    CHECK(naive == 0, "premise: the naive sum of squares underflows to 0");
    CHECK(fabs(llp_nrm2(x, 2) - TOL(5e-200, 5e-30)) <= 4 * LLP_TEST_EPS * TOL(5e-200, 5e-30),
          "|(3 S, -4 S)| = %.17g, expected %.17g", llp_nrm2(x, 2), TOL(5e-200, 5e-30));
    x[0] = (llp_real)small, x[1] = (llp_real)small;
    CHECK(fabs(llp_nrm2(x, 2) - small * sqrt(2.0)) <= 4 * LLP_TEST_EPS * small, "|(S, S)| = %.17g, expected %.17g",
          llp_nrm2(x, 2), small * sqrt(2.0));
    for (i = 0; i < 1000; i++) x[i] = (llp_real)((i % 2 ? -1 : 1) * big);
    CHECK_CLOSE(llp_nrm2(x, 1000) / big, sqrt(1000.0), 8 * LLP_TEST_EPS, "|1000 x (+-B)| / B");
    x[0] = (llp_real)big, x[1] = 1;
    CHECK(llp_nrm2(x, 2) == x[0], "|(B, 1)| = B exactly, got %.17g", llp_nrm2(x, 2));
    x[0] = 1, x[1] = HUGE_VAL, x[2] = 1;
    CHECK(llp_nrm2(x, 3) == HUGE_VAL, "a component Inf gives norm Inf, got %g", llp_nrm2(x, 3));
    x[1] = NAN;
    CHECK(is_nan(llp_nrm2(x, 3)), "a NaN component gives norm NaN, got %g", llp_nrm2(x, 3));
    llp_rng_seed(&rng, 8);
    llp_rng_fill_normal(&rng, x, 1000);
    naive = 0;
    for (i = 0; i < 1000; i++) naive += (double)x[i] * x[i];
    CHECK_CLOSE(llp_nrm2(x, 1000), sqrt(naive), 1e-14, "norm of 1000 normals vs sqrt of the loop");
}

/* llp_nrm1 is the sum of |x_i| and llp_nrminf the max |x_i| (exact on
   integers); nrminf of an empty vector is 0, and a NaN anywhere (first,
   middle, last) makes nrminf NaN, so bad values are not silently dropped. */
static void test_nrm1_nrminf(void) {
    llp_real x[9] = {1, -7, 3, 0, -2, 5, -6, 4, 2};
    size_t pos[3] = {0, 4, 8}, k;
    CHECK(llp_nrm1(x, 9) == 30, "nrm1 = 30, got %g", llp_nrm1(x, 9));
    CHECK(llp_nrminf(x, 9) == 7, "nrminf = 7, got %g", llp_nrminf(x, 9));
    CHECK(llp_nrm1(x, 0) == 0 && llp_nrminf(x, 0) == 0, "empty vector norms are 0");
    x[1] = -HUGE_VAL;
    CHECK(llp_nrminf(x, 9) == HUGE_VAL, "nrminf with -Inf is Inf");
    x[1] = -7;
    for (k = 0; k < 3; k++) {
        llp_real save = x[pos[k]];
        x[pos[k]] = NAN;
        CHECK(is_nan(llp_nrminf(x, 9)), "nrminf with NaN at %lu is NaN", (unsigned long)pos[k]);
        CHECK(is_nan(llp_nrm1(x, 9)), "nrm1 with NaN at %lu is NaN", (unsigned long)pos[k]);
        x[pos[k]] = save;
    }
}

/* axpy, axpby, scale and fill equal the plain element loops (dyadic values:
   every product and sum is exact, so the comparison is exact whatever the
   compiler does), and touch nothing past n. */
static void test_axpy_axpby_scale_fill(void) {
    llp_real x[12], y[12], e[12];
    size_t i, n = 11;
    int ok;
    for (i = 0; i < 12; i++) x[i] = (llp_real)((double)i * 0.5 - 2), y[i] = (llp_real)(3 - (double)i * 0.25);
    for (i = 0; i < 12; i++) e[i] = i < n ? (llp_real)(y[i] + 1.5 * x[i]) : y[i];
    llp_axpy((llp_real)1.5, x, y, n);
    ok = 1;
    for (i = 0; i < 12; i++) ok &= y[i] == e[i];
    CHECK(ok, "axpy: y += 1.5 x on 11 elements, the 12th untouched");
    for (i = 0; i < 12; i++) e[i] = i < n ? (llp_real)(-0.5 * x[i] + 2 * y[i]) : y[i];
    llp_axpby((llp_real)-0.5, x, (llp_real)2, y, n);
    ok = 1;
    for (i = 0; i < 12; i++) ok &= y[i] == e[i];
    CHECK(ok, "axpby: y = -0.5 x + 2 y");
    for (i = 0; i < 12; i++) e[i] = i < n ? (llp_real)(0.75 * y[i]) : y[i];
    llp_scale((llp_real)0.75, y, n);
    ok = 1;
    for (i = 0; i < 12; i++) ok &= y[i] == e[i];
    CHECK(ok, "scale: y *= 0.75");
    llp_scale(0, y, n);
    ok = 1;
    for (i = 0; i < n; i++) ok &= y[i] == 0;
    CHECK(ok, "scale by 0 zeroes finite values");
    llp_fill((llp_real)-3.25, y, n);
    ok = 1;
    for (i = 0; i < 12; i++) ok &= y[i] == (i < n ? -3.25 : e[11]);
    CHECK(ok, "fill writes -3.25 into the first 11 elements only");
    llp_axpy(2, x, y, 0);
    llp_fill(9, y, 0);
    CHECK(y[0] == -3.25, "length 0 leaves the vector alone");
}

/* llp_copy is y = x, and behaves like memmove when the ranges overlap in
   either direction (reference: a copy through a separate buffer). */
static void test_copy(void) {
    llp_real buf[16], ref[16], tmp[16];
    size_t i;
    int ok;
    for (i = 0; i < 16; i++) buf[i] = (llp_real)i + 100;
    llp_copy(buf, tmp, 16);
    ok = 1;
    for (i = 0; i < 16; i++) ok &= tmp[i] == buf[i];
    CHECK(ok, "copy of 16 disjoint elements");
    /* forward overlap: y = x + 3 */
    memcpy(ref, buf, sizeof buf);
    memcpy(tmp, buf, 10 * sizeof *buf);
    memcpy(ref + 3, tmp, 10 * sizeof *buf);
    llp_copy(buf, buf + 3, 10);
    CHECK(memcmp(buf, ref, sizeof buf) == 0, "copy onto an overlapping range further up equals memmove");
    /* backward overlap: y = x - 5 */
    for (i = 0; i < 16; i++) buf[i] = (llp_real)i * 2;
    memcpy(ref, buf, sizeof buf);
    memcpy(tmp, buf + 5, 11 * sizeof *buf);
    memcpy(ref, tmp, 11 * sizeof *buf);
    llp_copy(buf + 5, buf, 11);
    CHECK(memcmp(buf, ref, sizeof buf) == 0, "copy onto an overlapping range further down equals memmove");
    memcpy(ref, buf, sizeof buf);
    llp_copy(buf, buf, 16);
    llp_copy(buf + 1, buf + 2, 0);
    CHECK(memcmp(buf, ref, sizeof buf) == 0, "copy onto itself and copy of length 0 change nothing");
}

/* llp_all_finite is 1 exactly when no element is NaN or +-Inf (the largest
   finite llp_real, the smallest denormal and -0 are finite; the empty vector
   is finite), wherever the bad value sits. (DBL_MAX and 5e-324 in double,
   FLT_MAX and 2^-149 in float: the double extremes are Inf and 0 in float.) */
static void test_all_finite(void) {
    llp_real x[7] = {0, -0.0, 1, 0, 0, 3, 4};
    llp_real bad[3];
    size_t k, j;
    bad[0] = NAN;
    bad[1] = HUGE_VAL;
    bad[2] = -HUGE_VAL;
    x[4] = (llp_real)LLP_TEST_REAL_TRUE_MIN;
    CHECK(x[4] > 0 && x[4] / 2 == 0, "premise: the smallest denormal is %g", (double)x[4]);
    x[3] = (llp_real)LLP_TEST_REAL_MAX;
    CHECK(llp_all_finite(x, 7) == 1, "finite values (with the largest finite value, -0, a denormal) are finite");
    CHECK(llp_all_finite(x, 0) == 1, "the empty vector is finite");
    for (k = 0; k < 3; k++)
        for (j = 0; j < 7; j += 3) {
            llp_real save = x[j];
            x[j] = bad[k];
            CHECK(llp_all_finite(x, 7) == 0, "bad value %g at %lu detected", (double)bad[k], (unsigned long)j);
            CHECK(llp_all_finite(x, j) == 1, "bad value just past n is not looked at");
            x[j] = save;
        }
}

/* ---- result codes ------------------------------------------------------- */

/* Every result code from LLP_OK to LLP_ERR_STOPPED has its own non-empty
   description (pairwise distinct), and codes outside the enum (1, -18, -99)
   give "unknown result code". */
#define N_CODES 18
static void test_result_string(void) {
    const char *s[N_CODES];
    int i, j;
    for (i = 0; i < N_CODES; i++) {
        s[i] = llp_result_string((llp_result)-i);
        CHECK(s[i] != NULL && s[i][0] != 0, "code %d has a non-empty description", -i);
    }
    for (i = 0; i < N_CODES; i++)
        for (j = i + 1; j < N_CODES; j++)
            CHECK(s[i] && s[j] && strcmp(s[i], s[j]) != 0, "codes %d and %d have distinct descriptions", -i, -j);
    CHECK(strcmp(s[0], llp_result_string(LLP_OK)) == 0 &&
              strcmp(s[N_CODES - 1], llp_result_string(LLP_ERR_STOPPED)) == 0,
          "codes 0..-17 are LLP_OK..LLP_ERR_STOPPED");
    CHECK(strcmp(llp_result_string((llp_result)1), "unknown result code") == 0, "code 1 is unknown");
    CHECK(strcmp(llp_result_string((llp_result)-N_CODES), "unknown result code") == 0, "code -18 is unknown");
    CHECK(strcmp(llp_result_string((llp_result)-99), "unknown result code") == 0, "code -99 is unknown");
}

/* ---- estimates ------------------------------------------------------------ */

/* llp_estimate_of against the textbook two-pass formulas: mean, sample
   standard deviation (n - 1) over sqrt(n); NaN entries are skipped. */
static void test_estimate(void) {
    static const double x[6] = {2, 4, 4, 4, 5, 5};
    double y[4], mean = 0, ss = 0;
    llp_estimate e;
    int i;
    for (i = 0; i < 6; i++) mean += x[i] / 6;
    for (i = 0; i < 6; i++) ss += (x[i] - mean) * (x[i] - mean);
    e = llp_estimate_of(x, 6);
    CHECK(e.samples == 6, "six samples");
    CHECK_CLOSE(e.value, mean, 1e-15, "mean");
    CHECK_CLOSE(e.se, sqrt(ss / 5) / sqrt(6.0), 1e-15, "standard error");
    y[0] = 1, y[1] = NAN, y[2] = 3, y[3] = NAN;
    e = llp_estimate_of(y, 4);
    CHECK(e.samples == 2 && e.value == 2, "NaN skipped: mean of 1 and 3");
    CHECK_CLOSE(e.se, 1.0, 1e-15, "se of {1, 3} is sqrt(2)/sqrt(2)");
    e = llp_estimate_of(y, 1);
    CHECK(e.samples == 1 && e.value == 1 && e.se != e.se, "one sample: no standard error");
    e = llp_estimate_of(y + 1, 1);
    CHECK(e.samples == 0 && e.value != e.value, "no finite sample: NaN");
    e = llp_estimate_of(NULL, 0);
    CHECK(e.samples == 0 && e.value != e.value, "empty");
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_rng_reference_outputs);
    LLP_RUN(test_rng_jump);
    LLP_RUN(test_rng_state_copy);
    LLP_RUN(test_rng_uniform);
    LLP_RUN(test_rng_normal);
    LLP_RUN(test_rng_rademacher);
    LLP_RUN(test_rng_below);
    LLP_RUN(test_rng_permutation);
    LLP_RUN(test_dot);
    LLP_RUN(test_nrm2);
    LLP_RUN(test_nrm1_nrminf);
    LLP_RUN(test_axpy_axpby_scale_fill);
    LLP_RUN(test_copy);
    LLP_RUN(test_all_finite);
    LLP_RUN(test_result_string);
    LLP_RUN(test_estimate);
    return llp_test_summary();
}
