/* Hyperparameter spaces, designs, apply/format, successive halving and
   Hyperband schedules (section 10d, the meta_hp part).

   References, all computed here independently of the code under test:
   - decoding by hand: a linear range at u = 0, 1/4, 1/2 (exact binary
     fractions: exact results); a log range at u = 1/2 is the geometric mean
     sqrt(lo hi) (1e-15 relative: the decoder's lo exp(u ln(hi/lo)) carries a
     few rounding errors of 1.1e-16 each, sqrt(lo*hi) one or two); at
     u = 1/4, 3/4 on [1, 16] it is 2 and 8 (same tolerance); integer and
     choice decodings on both sides of every cell boundary, and u -> 1 clamped
     (exact: integers);
   - an integer range [3, 7] over 100000 random draws: every value hit with
     probability 1/5, each count within 5 binomial standard deviations
     (sd = sqrt(N p (1 - p)) = 126.5); a log-integer range [1, 15]: counts
     within 5 sd of N ln((k+1)/k) / ln 16 (the floored log-uniform law); the
     draws come from a fixed seed, so the test is deterministic, and a
     correct sampler fails a 5-sd bound with probability < 1e-5 per count;
   - a 3-dimension grid (log lr x 2 optimizers x integer depth) written out
     by hand in row-major order, lr values 10^(-4 + 2 (i + 1/2)/3) computed
     with pow(10, .) rather than exp/log (1e-14 relative); a 7-level log grid
     geometric with ratio (1e6)^(1/7) (1e-13 relative); a linear integer
     range with more values than levels (hand: {1, 5, 8}); a log-integer
     one with repeats merged (hand: floor(21^((i+1/2)/10)) deduplicated);
   - Latin hypercube: for several N and dimensions, sorted floor(u N) is
     0..N-1 in every dimension (exact); for N = 4000 the within-stratum
     jitter has mean 1/2 and variance 1/12 (5 sd: sqrt(1/12/N), sqrt((1/80 -
     1/144)/N)), and two dimensions' u are uncorrelated (|rho| < 5/sqrt(N));
     the rounding edge: an all-zero xoshiro state outputs 0 forever, so the
     jitter is exactly 0 and u = k/N, where fl(fl(k/N) N) < k happens (k = 15,
     N = 22); and, white box, the stratum helper at jitter 1 - 2^-53 (k +
     jitter rounds to k + 1): u stays in stratum k within 1e-15 of the edge
     (a few ulps: the jitter is kept, not replaced by the centre);
   - random design: coordinates uncorrelated (|rho| < 5/sqrt(N), N = 1e5);
   - determinism: same seed, same bits; another seed, other bits;
   - apply on every key, field by field, against values written by hand
     and over 200 random configurations of a space with all eight keys;
     llp_mlp_init / llp_opt_init accept the outputs (parameter count by hand);
   - bad spaces, bad configurations and bad schedule arguments rejected with
     the outputs byte-for-byte unchanged;
   - format strings compared character by character;
   - Li et al. (2018) Table 1 (R = 81, eta = 3), every number, and its
     totals by hand (1902 from scratch, 1581 resumed); successive-halving
     schedules computed by hand in the comment of test_sh_hand; s_max at exact
     powers (243 = 3^5: naive floor(log/log) gives 4) and where r eta^i
     exceeds R by one rounding (0.1 * 3 > 0.3 in double); R = 100 (not a
     power of 3): rungs at R 3^-s (relative 1e-15: one division).
   Nothing here depends on llp_real: every number is a double, so the float
   build runs the same checks with the same tolerances (no TOL needed). */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"
#include <stdlib.h>

static llp_hp_dim range_dim(llp_hp_key k, llp_hp_scale sc, int integer, double lo, double hi) {
    llp_hp_dim d;
    memset(&d, 0, sizeof d);
    d.key = k, d.scale = sc, d.integer = integer, d.lo = lo, d.hi = hi;
    return d;
}

static llp_hp_dim choice_dim(llp_hp_key k, size_t n, const double *v) {
    llp_hp_dim d;
    size_t i;
    memset(&d, 0, sizeof d);
    d.key = k, d.n_choices = n;
    for (i = 0; i < n; i++)
        d.choice[i] = v[i];
    return d;
}

static llp_hp_space space_of(size_t n, const llp_hp_dim *dims) {
    llp_hp_space s;
    size_t i;
    memset(&s, 0, sizeof s);
    s.n_dims = n;
    for (i = 0; i < n; i++)
        s.dim[i] = dims[i];
    return s;
}

static double rel_err(double a, double b) { return fabs(a - b) / fabs(b); }

/* A space with every key: the one apply and determinism use. */
static llp_hp_space all_keys_space(void) {
    static const double opts[4] = {LLP_OPT_SGD, LLP_OPT_MOMENTUM, LLP_OPT_ADAM, LLP_OPT_ADAMW};
    static const double batches[4] = {16, 32, 64, 128};
    llp_hp_dim d[LLP_HP_KEYS];
    d[0] = range_dim(LLP_HP_LR, LLP_HP_LOG, 0, 1e-4, 1);
    d[1] = range_dim(LLP_HP_WEIGHT_DECAY, LLP_HP_LOG, 0, 1e-6, 1e-2);
    d[2] = range_dim(LLP_HP_MOMENTUM, LLP_HP_LINEAR, 0, 0, 0.99);
    d[3] = choice_dim(LLP_HP_BATCH_SIZE, 4, batches);
    d[4] = range_dim(LLP_HP_WIDTH, LLP_HP_LOG, 1, 4, 256);
    d[5] = range_dim(LLP_HP_DEPTH, LLP_HP_LINEAR, 1, 0, 4);
    d[6] = range_dim(LLP_HP_INIT_SCALE, LLP_HP_LOG, 0, 0.25, 4);
    d[7] = choice_dim(LLP_HP_OPTIMIZER, 4, opts);
    return space_of(LLP_HP_KEYS, d);
}

static void test_key_names(void) {
    static const char *const want[LLP_HP_KEYS] = {"lr", "wd", "momentum", "batch", "width", "depth", "init", "opt"};
    int k, bad = 0;
    for (k = 0; k < (int)LLP_HP_KEYS; k++)
        bad += strcmp(llp_hp_key_name((llp_hp_key)k), want[k]) != 0;
    CHECK(bad == 0, "key names lr wd momentum batch width depth init opt (%d wrong)", bad);
    CHECK(strcmp(llp_hp_key_name(LLP_HP_KEYS), "unknown") == 0 &&
              strcmp(llp_hp_key_name((llp_hp_key)-1), "unknown") == 0,
          "out-of-range keys are \"unknown\"");
}

static void test_decode_hand(void) {
    static const double batches[4] = {16, 32, 64, 128};
    const double below1 = 1.0 - 1.0 / 9007199254740992.0; /* largest double < 1 */
    llp_hp_dim d[5];
    llp_hp_space s;
    llp_hp_config c, keep;
    double u[5];
    size_t i;
    d[0] = range_dim(LLP_HP_INIT_SCALE, LLP_HP_LINEAR, 0, 2, 10);
    d[1] = range_dim(LLP_HP_LR, LLP_HP_LOG, 0, 1, 16);
    d[2] = range_dim(LLP_HP_DEPTH, LLP_HP_LINEAR, 1, 3, 7);
    d[3] = choice_dim(LLP_HP_BATCH_SIZE, 4, batches);
    d[4] = range_dim(LLP_HP_WIDTH, LLP_HP_LOG, 1, 1, 15);
    s = space_of(5, d);
    /* u = 0: the lower ends, 16 and 1 */
    for (i = 0; i < 5; i++)
        u[i] = 0;
    CHECK_OK(llp_hp_decode(&s, u, &c));
    CHECK(c.value[LLP_HP_INIT_SCALE] == 2 && c.value[LLP_HP_LR] == 1 && c.value[LLP_HP_DEPTH] == 3 &&
              c.value[LLP_HP_BATCH_SIZE] == 16 && c.value[LLP_HP_WIDTH] == 1,
          "u = 0 decodes to every lower end");
    CHECK(c.set == ((1u << LLP_HP_INIT_SCALE) | (1u << LLP_HP_LR) | (1u << LLP_HP_DEPTH) | (1u << LLP_HP_BATCH_SIZE) |
                    (1u << LLP_HP_WIDTH)),
          "set bits = the space's keys (%#x)", c.set);
    CHECK(c.value[LLP_HP_MOMENTUM] == 0 && c.value[LLP_HP_OPTIMIZER] == 0 && c.value[LLP_HP_WEIGHT_DECAY] == 0,
          "unset values are 0");
    /* u = 1/4: 2 + 8/4 = 4; 16^(1/4) = 2; floor(3 + 5/4) = 4; choice[1] = 32; floor(16^0.25) = 2 */
    for (i = 0; i < 5; i++)
        u[i] = 0.25;
    CHECK_OK(llp_hp_decode(&s, u, &c));
    CHECK(c.value[LLP_HP_INIT_SCALE] == 4, "linear u = 1/4: 4 (%.17g)", c.value[LLP_HP_INIT_SCALE]);
    CHECK(rel_err(c.value[LLP_HP_LR], 2) <= 1e-15, "log [1, 16] at u = 1/4: 2 (%.17g)", c.value[LLP_HP_LR]);
    CHECK(c.value[LLP_HP_DEPTH] == 4 && c.value[LLP_HP_BATCH_SIZE] == 32, "integer 4, choice 32");
    /* u = 1/2: 6; 4; floor(5.5) = 5; 64 */
    for (i = 0; i < 5; i++)
        u[i] = 0.5;
    CHECK_OK(llp_hp_decode(&s, u, &c));
    CHECK(c.value[LLP_HP_INIT_SCALE] == 6 && c.value[LLP_HP_DEPTH] == 5 && c.value[LLP_HP_BATCH_SIZE] == 64,
          "u = 1/2: 6, 5, 64");
    CHECK(rel_err(c.value[LLP_HP_LR], 4) <= 1e-15, "log [1, 16] at u = 1/2: 4 (%.17g)", c.value[LLP_HP_LR]);
    /* u = 3/4: log 8; choice[3] = 128; floor(3 + 3.75) = 6 */
    for (i = 0; i < 5; i++)
        u[i] = 0.75;
    CHECK_OK(llp_hp_decode(&s, u, &c));
    CHECK(rel_err(c.value[LLP_HP_LR], 8) <= 1e-15 && c.value[LLP_HP_BATCH_SIZE] == 128 && c.value[LLP_HP_DEPTH] == 6,
          "u = 3/4: 8, 128, 6");
    /* both sides of the integer boundary u = 1/5 (3 | 4) and of the choice
       boundaries u = 1/4, 3/4; the log-integer [1, 15]: floor(16^u) */
    u[0] = 0, u[1] = 0, u[2] = 0.19, u[3] = 0.2499, u[4] = 0.2;
    CHECK_OK(llp_hp_decode(&s, u, &c));
    CHECK(c.value[LLP_HP_DEPTH] == 3 && c.value[LLP_HP_BATCH_SIZE] == 16 && c.value[LLP_HP_WIDTH] == 1,
          "u just below boundaries: 3, 16; floor(16^0.2 = 1.74) = 1");
    u[2] = 0.21, u[3] = 0.7499, u[4] = 0.3;
    CHECK_OK(llp_hp_decode(&s, u, &c));
    CHECK(c.value[LLP_HP_DEPTH] == 4 && c.value[LLP_HP_BATCH_SIZE] == 64 && c.value[LLP_HP_WIDTH] == 2,
          "u just above / below: 4, 64; floor(16^0.3 = 2.30) = 2");
    u[4] = 0.6;
    CHECK_OK(llp_hp_decode(&s, u, &c));
    CHECK(c.value[LLP_HP_WIDTH] == 5, "floor(16^0.6 = 5.28) = 5 (%g)", c.value[LLP_HP_WIDTH]);
    u[4] = 0.9;
    CHECK_OK(llp_hp_decode(&s, u, &c));
    CHECK(c.value[LLP_HP_WIDTH] == 12, "floor(16^0.9 = 12.13) = 12 (%g)", c.value[LLP_HP_WIDTH]);
    /* u -> 1: the upper ends, never beyond (integer: 7 not 8; log-integer: 15 not 16) */
    for (i = 0; i < 5; i++)
        u[i] = below1;
    CHECK_OK(llp_hp_decode(&s, u, &c));
    CHECK(c.value[LLP_HP_INIT_SCALE] <= 10 && c.value[LLP_HP_INIT_SCALE] > 10 - 1e-14 && c.value[LLP_HP_LR] <= 16 &&
              c.value[LLP_HP_LR] > 16 - 1e-13,
          "u -> 1: just below or at hi (%.17g, %.17g)", c.value[LLP_HP_INIT_SCALE], c.value[LLP_HP_LR]);
    CHECK(c.value[LLP_HP_DEPTH] == 7 && c.value[LLP_HP_BATCH_SIZE] == 128 && c.value[LLP_HP_WIDTH] == 15,
          "u -> 1: 7, 128, 15 (%g %g %g)", c.value[LLP_HP_DEPTH], c.value[LLP_HP_BATCH_SIZE], c.value[LLP_HP_WIDTH]);
    /* geometric means on several log ranges */
    {
        static const double lohi[6][2] = {{1e-5, 1e-1}, {1e-4, 1}, {0.3, 7}, {1e-8, 10}, {2, 2048}, {3e-7, 0.02}};
        double worst = 0;
        for (i = 0; i < 6; i++) {
            llp_hp_dim g = range_dim(LLP_HP_LR, LLP_HP_LOG, 0, lohi[i][0], lohi[i][1]);
            llp_hp_space gs = space_of(1, &g);
            double h = 0.5, e;
            CHECK_OK(llp_hp_decode(&gs, &h, &c));
            e = rel_err(c.value[LLP_HP_LR], sqrt(lohi[i][0] * lohi[i][1]));
            if (e > worst) worst = e;
        }
        CHECK(worst <= 1e-15, "log midpoint = geometric mean (worst relative error %.2g)", worst);
    }
    /* u outside [0, 1): rejected, out untouched */
    {
        static const double bad_u[4] = {1.0, -1e-300, 1.5, 0};
        int b, unchanged = 1;
        memset(&keep, 0x5a, sizeof keep);
        for (b = 0; b < 5; b++) {
            for (i = 0; i < 5; i++)
                u[i] = 0.5;
            u[b % 5] = b < 4 ? bad_u[b] : NAN;
            if (b == 3) u[2] = 1.0;
            c = keep;
            CHECK(llp_hp_decode(&s, u, &c) == LLP_ERR_ARG, "u[%d] outside [0, 1) rejected", b);
            unchanged &= memcmp(&c, &keep, sizeof c) == 0;
        }
        CHECK(unchanged, "nothing written on a rejected u");
        CHECK(llp_hp_decode(NULL, u, &c) == LLP_ERR_ARG && llp_hp_decode(&s, NULL, &c) == LLP_ERR_ARG &&
                  llp_hp_decode(&s, u, NULL) == LLP_ERR_ARG,
              "NULL arguments rejected");
    }
}

static void test_integer_uniform(void) {
    const size_t N = 100000;
    llp_hp_dim d[2];
    llp_hp_space s;
    llp_hp_config *c = (llp_hp_config *)malloc(N * sizeof *c);
    llp_rng rng;
    size_t cnt[8], cntw[16], i, k, outside = 0;
    double worst = 0, worstw = 0;
    d[0] = range_dim(LLP_HP_DEPTH, LLP_HP_LINEAR, 1, 3, 7);
    d[1] = range_dim(LLP_HP_WIDTH, LLP_HP_LOG, 1, 1, 15);
    s = space_of(2, d);
    llp_rng_seed(&rng, 2024);
    CHECK_OK(llp_hp_random(&s, N, &rng, c));
    memset(cnt, 0, sizeof cnt);
    memset(cntw, 0, sizeof cntw);
    for (i = 0; i < N; i++) {
        double v = c[i].value[LLP_HP_DEPTH], w = c[i].value[LLP_HP_WIDTH];
        if (v < 3 || v > 7 || floor(v) != v || w < 1 || w > 15 || floor(w) != w)
            outside++;
        else
            cnt[(int)v]++, cntw[(int)w]++;
    }
    CHECK(outside == 0, "every draw an integer in range (%lu outside)", (unsigned long)outside);
    for (k = 3; k <= 7; k++) {
        double z = fabs((double)cnt[k] - 0.2 * (double)N) / sqrt((double)N * 0.2 * 0.8);
        if (z > worst) worst = z;
    }
    CHECK(worst < 5, "[3, 7]: every integer with probability 1/5 (worst |z| %.2f, counts %lu %lu %lu %lu %lu)", worst,
          (unsigned long)cnt[3], (unsigned long)cnt[4], (unsigned long)cnt[5], (unsigned long)cnt[6],
          (unsigned long)cnt[7]);
    for (k = 1; k <= 15; k++) {
        double p = log((double)(k + 1) / (double)k) / log(16.0);
        double z = fabs((double)cntw[k] - p * (double)N) / sqrt((double)N * p * (1 - p));
        if (z > worstw) worstw = z;
    }
    CHECK(worstw < 5, "log-integer [1, 15]: P(k) = ln((k+1)/k) / ln 16 (worst |z| %.2f)", worstw);
    /* the continuous laws: linear mean (lo + hi)/2, log: mean of ln v = (ln lo + ln hi)/2 */
    {
        llp_hp_dim e[2];
        llp_hp_space t;
        double m1 = 0, m2 = 0;
        e[0] = range_dim(LLP_HP_INIT_SCALE, LLP_HP_LINEAR, 0, 2, 10);
        e[1] = range_dim(LLP_HP_LR, LLP_HP_LOG, 0, 1e-5, 1e-1);
        t = space_of(2, e);
        CHECK_OK(llp_hp_random(&t, N, &rng, c));
        for (i = 0; i < N; i++)
            m1 += c[i].value[LLP_HP_INIT_SCALE], m2 += log(c[i].value[LLP_HP_LR]);
        m1 /= (double)N, m2 /= (double)N;
        CHECK(fabs(m1 - 6) < 5 * 8 / sqrt(12.0 * (double)N), "linear [2, 10]: mean 6 (%.4f)", m1);
        CHECK(fabs(m2 - log(1e-3)) < 5 * log(1e4) / sqrt(12.0 * (double)N),
              "log [1e-5, 1e-1]: mean ln = ln 1e-3 (%.4f)", m2);
        /* independent coordinates: correlation of v1 and ln v2 (both linear in their u) within 5 / sqrt(N) */
        {
            double c12 = 0, v1 = 0, v2 = 0, rho;
            for (i = 0; i < N; i++) {
                double a = c[i].value[LLP_HP_INIT_SCALE] - m1, b = log(c[i].value[LLP_HP_LR]) - m2;
                c12 += a * b, v1 += a * a, v2 += b * b;
            }
            rho = c12 / sqrt(v1 * v2);
            CHECK(fabs(rho) < 5 / sqrt((double)N), "random: dimensions uncorrelated (rho %.4f)", rho);
        }
    }
    free(c);
}

static void test_encode_roundtrip(void) {
    llp_hp_space s = all_keys_space();
    llp_hp_config c[300], back;
    llp_rng rng;
    double u[LLP_HP_KEYS], worst = 0;
    size_t i, k, exact_bad = 0, urange_bad = 0;
    llp_rng_seed(&rng, 5);
    CHECK_OK(llp_hp_random(&s, 300, &rng, c));
    for (i = 0; i < 300; i++) {
        CHECK_OK(llp_hp_encode(&s, &c[i], u));
        for (k = 0; k < LLP_HP_KEYS; k++)
            urange_bad += !(u[k] >= 0 && u[k] < 1);
        CHECK_OK(llp_hp_decode(&s, u, &back));
        for (k = 0; k < LLP_HP_KEYS; k++) {
            double a = back.value[k], b = c[i].value[k];
            if (k == LLP_HP_LR || k == LLP_HP_WEIGHT_DECAY || k == LLP_HP_MOMENTUM || k == LLP_HP_INIT_SCALE) {
                double e = fabs(a - b) / (fabs(b) > 1e-300 ? fabs(b) : 1);
                if (e > worst) worst = e;
            } else {
                exact_bad += a != b;
            }
        }
    }
    CHECK(urange_bad == 0, "encode gives u in [0, 1) (%lu outside)", (unsigned long)urange_bad);
    CHECK(exact_bad == 0, "decode(encode(c)) exact for integer and categorical keys (%lu differ)",
          (unsigned long)exact_bad);
    CHECK(worst <= 1e-13, "decode(encode(c)) to rounding for continuous keys (worst %.2g)", worst);
    /* hand: width (log-integer [4, 256]) 4 -> ln(sqrt(20)/4)/ln(257/4); batch 32 -> 3/8; opt ADAM -> 5/8 */
    back = c[0];
    back.value[LLP_HP_WIDTH] = 4, back.value[LLP_HP_BATCH_SIZE] = 32, back.value[LLP_HP_OPTIMIZER] = LLP_OPT_ADAM;
    back.value[LLP_HP_DEPTH] = 2;
    CHECK_OK(llp_hp_encode(&s, &back, u));
    CHECK(u[3] == 0.375 && u[7] == 0.625 && u[5] == 0.5, "choice and integer cell centres (%g %g %g)", u[3], u[7],
          u[5]);
    CHECK(rel_err(u[4], log(sqrt(20.0) / 4) / log(257.0 / 4)) <= 1e-14, "log-integer cell centre (%.17g)", u[4]);
    /* rejections: a value not in the space, missing key, NULL; u untouched */
    {
        double keep[LLP_HP_KEYS];
        memcpy(keep, u, sizeof keep);
        back.value[LLP_HP_BATCH_SIZE] = 48;
        CHECK(llp_hp_encode(&s, &back, u) == LLP_ERR_ARG, "48 is not a listed batch size");
        back.value[LLP_HP_BATCH_SIZE] = 32, back.value[LLP_HP_LR] = 2;
        CHECK(llp_hp_encode(&s, &back, u) == LLP_ERR_ARG, "lr 2 outside [1e-4, 1]");
        back.value[LLP_HP_LR] = 0.01, back.value[LLP_HP_DEPTH] = 1.5;
        CHECK(llp_hp_encode(&s, &back, u) == LLP_ERR_ARG, "depth 1.5 is not an integer");
        back.value[LLP_HP_DEPTH] = 1, back.set &= ~(1u << LLP_HP_LR);
        CHECK(llp_hp_encode(&s, &back, u) == LLP_ERR_ARG, "a key of the space unset");
        CHECK(memcmp(keep, u, sizeof keep) == 0, "u untouched on error");
    }
}

static void test_grid_hand(void) {
    static const double opts[2] = {LLP_OPT_SGD, LLP_OPT_ADAM};
    /* Written out by hand: lr levels at u = 1/6, 1/2, 5/6 of log [1e-4, 1e-2],
       i.e. 10^(-11/3) = 2.1544346900318837e-4, 1e-3, 10^(-7/3) = 4.6415888336127789e-3;
       opt {sgd = 0, adam = 4}; depth integer [1, 2] has 2 <= 3 values: {1, 2}.
       Last dimension fastest:
         t  lr  opt  depth      t  lr  opt  depth      t  lr  opt  depth
         0  l0  0    1          4  l1  0    1          8  l2  0    1
         1  l0  0    2          5  l1  0    2          9  l2  0    2
         2  l0  4    1          6  l1  4    1         10  l2  4    1
         3  l0  4    2          7  l1  4    2         11  l2  4    2 */
    static const int want_lr[12] = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2};
    static const double want_opt[12] = {0, 0, 4, 4, 0, 0, 4, 4, 0, 0, 4, 4};
    static const double want_depth[12] = {1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2};
    double lr[3];
    llp_hp_dim d[3];
    llp_hp_space s;
    llp_hp_config c[13], keep[13];
    size_t count = 0, t;
    double worst = 0;
    int bad = 0;
    lr[0] = pow(10.0, -11.0 / 3), lr[1] = 1e-3, lr[2] = pow(10.0, -7.0 / 3);
    d[0] = range_dim(LLP_HP_LR, LLP_HP_LOG, 0, 1e-4, 1e-2);
    d[1] = choice_dim(LLP_HP_OPTIMIZER, 2, opts);
    d[2] = range_dim(LLP_HP_DEPTH, LLP_HP_LINEAR, 1, 1, 2);
    s = space_of(3, d);
    CHECK_OK(llp_hp_grid(&s, 3, NULL, 0, &count));
    CHECK(count == 12, "count-only query: 3 x 2 x 2 = 12 (%lu)", (unsigned long)count);
    /* capacity 11 < 12: rejected, nothing written */
    memset(c, 0x77, sizeof c);
    memcpy(keep, c, sizeof c);
    count = 99;
    CHECK(llp_hp_grid(&s, 3, c, 11, &count) == LLP_ERR_ARG, "capacity 11 < 12 rejected");
    CHECK(memcmp(keep, c, sizeof c) == 0 && count == 99, "nothing written when the capacity is short");
    CHECK_OK(llp_hp_grid(&s, 3, c, 13, &count));
    CHECK(count == 12, "12 written");
    for (t = 0; t < 12; t++) {
        double e = rel_err(c[t].value[LLP_HP_LR], lr[want_lr[t]]);
        if (e > worst) worst = e;
        bad += c[t].value[LLP_HP_OPTIMIZER] != want_opt[t] || c[t].value[LLP_HP_DEPTH] != want_depth[t];
        bad += c[t].set != ((1u << LLP_HP_LR) | (1u << LLP_HP_OPTIMIZER) | (1u << LLP_HP_DEPTH));
    }
    CHECK(bad == 0, "row-major order and categorical / integer levels as written by hand (%d wrong)", bad);
    CHECK(worst <= 1e-14, "lr levels 10^(-4 + 2(i + 1/2)/3) (worst %.2g)", worst);
    CHECK(memcmp(&c[12], &keep[12], sizeof c[12]) == 0, "nothing written beyond count");
}

static void test_grid_levels(void) {
    llp_hp_dim d[4];
    llp_hp_space s;
    llp_hp_config c[16];
    size_t count, i;
    /* log axis: geometric, ratio (1e6)^(1/7), first lo (1e6)^(1/14) */
    {
        double ratio = pow(1e6, 1.0 / 7), worst = 0;
        d[0] = range_dim(LLP_HP_LR, LLP_HP_LOG, 0, 1e-6, 1);
        s = space_of(1, d);
        CHECK_OK(llp_hp_grid(&s, 7, c, 16, &count));
        CHECK(count == 7, "7 levels (%lu)", (unsigned long)count);
        for (i = 0; i + 1 < 7; i++) {
            double e = rel_err(c[i + 1].value[LLP_HP_LR] / c[i].value[LLP_HP_LR], ratio);
            if (e > worst) worst = e;
        }
        CHECK(worst <= 1e-13, "log grid geometric (worst ratio error %.2g)", worst);
        CHECK(rel_err(c[0].value[LLP_HP_LR], 1e-6 * pow(1e6, 1.0 / 14)) <= 1e-13, "first level at the cell centre");
        CHECK(rel_err(c[3].value[LLP_HP_LR], 1e-3) <= 1e-14, "middle level = geometric mean");
    }
    /* linear integer [0, 9] with 3 levels: floor(10 (i + 1/2) / 3) = 1, 5, 8 */
    d[0] = range_dim(LLP_HP_DEPTH, LLP_HP_LINEAR, 1, 0, 9);
    s = space_of(1, d);
    CHECK_OK(llp_hp_grid(&s, 3, c, 16, &count));
    CHECK(count == 3 && c[0].value[LLP_HP_DEPTH] == 1 && c[1].value[LLP_HP_DEPTH] == 5 && c[2].value[LLP_HP_DEPTH] == 8,
          "integer [0, 9] at 3 levels: 1 5 8");
    /* 10 and 12 levels: every integer once */
    {
        int ok = 1;
        CHECK_OK(llp_hp_grid(&s, 12, c, 16, &count));
        for (i = 0; i < count; i++)
            ok &= c[i].value[LLP_HP_DEPTH] == (double)i;
        CHECK(count == 10 && ok, "integer [0, 9] at 12 levels: 0..9 once (%lu)", (unsigned long)count);
        CHECK_OK(llp_hp_grid(&s, 10, c, 16, &count));
        for (i = 0; i < count; i++)
            ok &= c[i].value[LLP_HP_DEPTH] == (double)i;
        CHECK(count == 10 && ok, "integer [0, 9] at 10 levels: 0..9");
    }
    /* log-integer [1, 20] at 10 levels: floor(21^((i + 1/2)/10)) =
       1 1 2 2 3 5 7 9 13 18 -> repeats merged: 1 2 3 5 7 9 13 18 */
    {
        static const double want[8] = {1, 2, 3, 5, 7, 9, 13, 18};
        int ok = 1;
        d[0] = range_dim(LLP_HP_WIDTH, LLP_HP_LOG, 1, 1, 20);
        s = space_of(1, d);
        CHECK_OK(llp_hp_grid(&s, 10, c, 16, &count));
        for (i = 0; i < 8 && i < count; i++)
            ok &= c[i].value[LLP_HP_WIDTH] == want[i];
        CHECK(count == 8 && ok, "log-integer levels merged: 1 2 3 5 7 9 13 18 (%lu)", (unsigned long)count);
    }
    /* a constant range: one level; choices ignore levels */
    {
        static const double b[3] = {8, 16, 32};
        d[0] = range_dim(LLP_HP_INIT_SCALE, LLP_HP_LINEAR, 0, 1.5, 1.5);
        d[1] = choice_dim(LLP_HP_BATCH_SIZE, 3, b);
        s = space_of(2, d);
        CHECK_OK(llp_hp_grid(&s, 5, c, 16, &count));
        CHECK(count == 3 && c[0].value[LLP_HP_INIT_SCALE] == 1.5 && c[2].value[LLP_HP_BATCH_SIZE] == 32,
              "constant: 1 level; 3 choices at 5 levels: 3 (%lu)", (unsigned long)count);
    }
    /* overflow of the product: 4 continuous dimensions at 2^24 levels = 2^96 */
    {
        d[0] = range_dim(LLP_HP_LR, LLP_HP_LOG, 0, 1e-4, 1);
        d[1] = range_dim(LLP_HP_WEIGHT_DECAY, LLP_HP_LINEAR, 0, 0, 1);
        d[2] = range_dim(LLP_HP_MOMENTUM, LLP_HP_LINEAR, 0, 0, 0.9);
        d[3] = range_dim(LLP_HP_INIT_SCALE, LLP_HP_LINEAR, 0, 0.5, 2);
        s = space_of(4, d);
        count = 7;
        CHECK(llp_hp_grid(&s, (size_t)1 << 24, NULL, 0, &count) == LLP_ERR_ARG && count == 7,
              "a grid of 2^96 points: LLP_ERR_ARG, count untouched");
        CHECK_OK(llp_hp_grid(&s, 2, NULL, 0, &count));
        CHECK(count == 16, "2^4 = 16 (%lu)", (unsigned long)count);
        CHECK(llp_hp_grid(&s, 0, NULL, 0, &count) == LLP_ERR_ARG &&
                  llp_hp_grid(&s, ((size_t)1 << 24) + 1, NULL, 0, &count) == LLP_ERR_ARG &&
                  llp_hp_grid(&s, 2, NULL, 0, NULL) == LLP_ERR_ARG &&
                  llp_hp_grid(NULL, 2, NULL, 0, &count) == LLP_ERR_ARG,
              "levels 0, levels > 2^24, NULL count, NULL space rejected");
    }
}

static void test_lhs_strata(void) {
    static const size_t Ns[7] = {1, 2, 3, 7, 64, 257, 1000};
    static const size_t Ds[3] = {1, 3, 8};
    size_t a, b, j, dd, broken = 0, outside = 0;
    llp_rng rng;
    llp_rng_seed(&rng, 77);
    for (a = 0; a < 7; a++)
        for (b = 0; b < 3; b++) {
            size_t N = Ns[a], D = Ds[b];
            double *u = (double *)malloc(N * D * sizeof(double));
            unsigned char *hit = (unsigned char *)malloc(N);
            CHECK_OK(llp_hp_lhs_unit(N, D, &rng, u));
            for (dd = 0; dd < D; dd++) {
                memset(hit, 0, N);
                for (j = 0; j < N; j++) {
                    double v = u[j * D + dd], k = floor(v * (double)N);
                    if (!(v >= 0 && v < 1)) {
                        outside++;
                        continue;
                    }
                    if (k >= 0 && k < (double)N) hit[(size_t)k]++;
                }
                for (j = 0; j < N; j++)
                    broken += hit[j] != 1;
            }
            free(u);
            free(hit);
        }
    CHECK(outside == 0, "every u in [0, 1) (%lu outside)", (unsigned long)outside);
    CHECK(broken == 0, "one point per stratum in every dimension, N in {1..1000}, dims {1, 3, 8} (%lu strata wrong)",
          (unsigned long)broken);
    /* jitter exactly 0: an all-zero xoshiro state outputs 0 forever, so every
       u is k/N, and fl(fl(k/N) N) < k for e.g. k = 15, N = 22 (or 13, 23):
       floor(u N) must still be k */
    {
        static const size_t Z[6] = {22, 23, 26, 39, 43, 100};
        llp_rng zero;
        size_t bad0 = 0;
        memset(&zero, 0, sizeof zero);
        for (a = 0; a < 6; a++) {
            size_t N = Z[a];
            double u[100];
            unsigned char hit[100];
            CHECK_OK(llp_hp_lhs_unit(N, 1, &zero, u));
            memset(hit, 0, sizeof hit);
            for (j = 0; j < N; j++) {
                double k = floor(u[j] * (double)N);
                if (u[j] >= 0 && u[j] < 1 && k >= 0 && k < (double)N && fabs(u[j] - k / (double)N) <= 1e-15)
                    hit[(size_t)k]++;
            }
            for (j = 0; j < N; j++)
                bad0 += hit[j] != 1;
        }
        CHECK(bad0 == 0, "jitter 0: u = k/N (to 1e-15) stays in stratum k (%lu strata wrong)", (unsigned long)bad0);
    }
#ifndef LLP_TEST_LINKED_IMPL
    /* white box (the internal helper; needs the implementation in this TU):
       jitter 1 - 2^-53 makes k + jitter round to k + 1 for k >= 1 */
    {
        size_t N, k, bad1 = 0;
        for (N = 1; N <= 300; N++)
            for (k = 0; k < N; k++) {
                double v = llp__hp_stratum(k, N, 1.0 - 1.0 / 9007199254740992.0), w = llp__hp_stratum(k, N, 0);
                bad1 += !(v < 1 && floor(v * (double)N) == (double)k && w < 1 && floor(w * (double)N) == (double)k);
                /* moved by ulps only, not to the stratum's centre */
                bad1 += !(fabs(v - (double)(k + 1) / (double)N) <= 1e-15 && fabs(w - (double)k / (double)N) <= 1e-15);
            }
        CHECK(bad1 == 0,
              "jitter 0 and 1 - 2^-53, N <= 300: every u in its stratum, within 1e-15 of the edge (%lu wrong)",
              (unsigned long)bad1);
    }
#endif
    /* jitter uniform within strata, dimensions independent */
    {
        const size_t N = 4000;
        double *u = (double *)malloc(N * 2 * sizeof(double));
        double mf = 0, vf = 0, m0 = 0, m1 = 0, c01 = 0, v0 = 0, v1 = 0, rho;
        CHECK_OK(llp_hp_lhs_unit(N, 2, &rng, u));
        for (j = 0; j < N; j++) {
            double f = u[2 * j] * (double)N - floor(u[2 * j] * (double)N);
            mf += f, vf += (f - 0.5) * (f - 0.5);
            m0 += u[2 * j], m1 += u[2 * j + 1];
        }
        mf /= (double)N, vf /= (double)N, m0 /= (double)N, m1 /= (double)N;
        for (j = 0; j < N; j++) {
            c01 += (u[2 * j] - m0) * (u[2 * j + 1] - m1);
            v0 += (u[2 * j] - m0) * (u[2 * j] - m0), v1 += (u[2 * j + 1] - m1) * (u[2 * j + 1] - m1);
        }
        rho = c01 / sqrt(v0 * v1);
        CHECK(fabs(mf - 0.5) < 5 * sqrt(1.0 / 12 / (double)N), "jitter mean 1/2 (%.4f)", mf);
        CHECK(fabs(vf - 1.0 / 12) < 5 * sqrt((1.0 / 80 - 1.0 / 144) / (double)N), "jitter variance 1/12 (%.5f)", vf);
        CHECK(fabs(rho) < 5 / sqrt((double)N), "independent permutations per dimension (rho %.4f)", rho);
        free(u);
    }
    /* llp_hp_lhs = decode(llp_hp_lhs_unit) on the same stream; categorical balance */
    {
        llp_hp_space s = all_keys_space();
        const size_t N = 40;
        llp_hp_config c[40], e;
        double u[40 * LLP_HP_KEYS];
        llp_rng r1, r2;
        int same = 1, nopt[6] = {0, 0, 0, 0, 0, 0};
        llp_rng_seed(&r1, 31), llp_rng_seed(&r2, 31);
        CHECK_OK(llp_hp_lhs(&s, N, &r1, c));
        CHECK_OK(llp_hp_lhs_unit(N, LLP_HP_KEYS, &r2, u));
        for (j = 0; j < N; j++) {
            CHECK_OK(llp_hp_decode(&s, u + j * LLP_HP_KEYS, &e));
            same &= memcmp(e.value, c[j].value, sizeof e.value) == 0 && e.set == c[j].set;
            nopt[(int)c[j].value[LLP_HP_OPTIMIZER]]++;
        }
        CHECK(same, "llp_hp_lhs = decoded llp_hp_lhs_unit, bit for bit");
        CHECK(nopt[LLP_OPT_SGD] == 10 && nopt[LLP_OPT_MOMENTUM] == 10 && nopt[LLP_OPT_ADAM] == 10 &&
                  nopt[LLP_OPT_ADAMW] == 10,
              "40 LHS points over 4 optimizers: 10 each (%d %d %d %d)", nopt[0], nopt[1], nopt[4], nopt[5]);
    }
    {
        double u[4];
        llp_hp_space s = all_keys_space();
        llp_hp_config c[1];
        CHECK(llp_hp_lhs_unit(0, 2, &rng, u) == LLP_ERR_ARG && llp_hp_lhs_unit(2, 0, &rng, u) == LLP_ERR_ARG &&
                  llp_hp_lhs_unit(2, 2, NULL, u) == LLP_ERR_ARG && llp_hp_lhs_unit(2, 2, &rng, NULL) == LLP_ERR_ARG,
              "lhs_unit: zero sizes and NULLs rejected");
        CHECK(llp_hp_lhs(&s, 0, &rng, c) == LLP_ERR_ARG && llp_hp_random(&s, 0, &rng, c) == LLP_ERR_ARG &&
                  llp_hp_lhs(&s, 1, NULL, c) == LLP_ERR_ARG && llp_hp_random(&s, 1, &rng, NULL) == LLP_ERR_ARG,
              "lhs / random: n = 0 and NULLs rejected");
    }
}

static int configs_equal(const llp_hp_config *a, const llp_hp_config *b, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        if (memcmp(a[i].value, b[i].value, sizeof a[i].value) != 0 || a[i].set != b[i].set) return 0;
    return 1;
}

static void test_determinism(void) {
    llp_hp_space s = all_keys_space();
    llp_hp_config a[64], b[64], c[64], p[10];
    llp_rng r;
    llp_rng_seed(&r, 9);
    CHECK_OK(llp_hp_random(&s, 64, &r, a));
    llp_rng_seed(&r, 9);
    CHECK_OK(llp_hp_random(&s, 64, &r, b));
    llp_rng_seed(&r, 10);
    CHECK_OK(llp_hp_random(&s, 64, &r, c));
    CHECK(configs_equal(a, b, 64), "random: same seed, same bits");
    CHECK(!configs_equal(a, c, 64), "random: another seed, other configurations");
    llp_rng_seed(&r, 9);
    CHECK_OK(llp_hp_random(&s, 10, &r, p));
    CHECK(configs_equal(a, p, 10), "random: the first 10 of 64 = the 10-point run");
    llp_rng_seed(&r, 9);
    CHECK_OK(llp_hp_lhs(&s, 64, &r, a));
    llp_rng_seed(&r, 9);
    CHECK_OK(llp_hp_lhs(&s, 64, &r, b));
    llp_rng_seed(&r, 10);
    CHECK_OK(llp_hp_lhs(&s, 64, &r, c));
    CHECK(configs_equal(a, b, 64), "LHS: same seed, same bits");
    CHECK(!configs_equal(a, c, 64), "LHS: another seed, other configurations");
}

static llp_mlp_desc base_mlp_desc(void) {
    llp_mlp_desc m;
    memset(&m, 0, sizeof m);
    m.n_layers = 3, m.sizes[0] = 4, m.sizes[1] = 5, m.sizes[2] = 7, m.sizes[3] = 3;
    m.act = LLP_ACT_RELU, m.layer_act[0] = LLP_ACT_GELU, m.layer_act[1] = LLP_ACT_TANH;
    m.loss = LLP_LOSS_MSE, m.weight_decay = 0.01, m.init_scale = 0.5, m.init = LLP_INIT_HE;
    return m;
}

static llp_opt_desc base_opt_desc(void) {
    llp_opt_desc o;
    memset(&o, 0, sizeof o);
    o.kind = LLP_OPT_SGD, o.lr = 0.1, o.momentum = 0.8, o.beta1 = 0.85, o.weight_decay = 0.3, o.eps = 1e-7;
    o.clip_norm = 5;
    return o;
}

static llp_train_desc base_train_desc(void) {
    llp_train_desc t;
    memset(&t, 0, sizeof t);
    t.epochs = 7, t.batch_size = 11, t.seed = 99, t.eval_every = 3;
    return t;
}

static llp_hp_config full_config(double lr, double wd, double mom, double batch, double width, double depth,
                                 double init, double opt) {
    llp_hp_config c;
    memset(&c, 0, sizeof c);
    c.value[LLP_HP_LR] = lr, c.value[LLP_HP_WEIGHT_DECAY] = wd, c.value[LLP_HP_MOMENTUM] = mom;
    c.value[LLP_HP_BATCH_SIZE] = batch, c.value[LLP_HP_WIDTH] = width, c.value[LLP_HP_DEPTH] = depth;
    c.value[LLP_HP_INIT_SCALE] = init, c.value[LLP_HP_OPTIMIZER] = opt;
    c.set = (1u << LLP_HP_KEYS) - 1;
    return c;
}

static void test_apply_all_keys(void) {
    llp_mlp_desc bm = base_mlp_desc(), m;
    llp_opt_desc bo = base_opt_desc(), o;
    llp_train_desc bt = base_train_desc(), t;
    llp_hp_config c = full_config(0.003, 1e-4, 0.95, 64, 10, 4, 2, LLP_OPT_ADAM);
    int l, sizes_ok = 1;
    CHECK_OK(llp_hp_apply(&c, &bm, &bo, &bt, &m, &o, &t));
    /* the optimizer: kind, lr, the optimizer's wd, momentum -> beta1 for Adam */
    CHECK(o.kind == LLP_OPT_ADAM && o.lr == 0.003 && o.weight_decay == 1e-4, "opt kind, lr, weight_decay");
    CHECK(o.beta1 == 0.95 && o.momentum == 0.8, "Adam: momentum -> beta1, opt->momentum kept (%g %g)", o.beta1,
          o.momentum);
    CHECK(o.eps == 1e-7 && o.clip_norm == 5 && o.beta2 == 0, "other opt fields copied from the base");
    /* the trainer */
    CHECK(t.batch_size == 64 && t.epochs == 7 && t.seed == 99 && t.eval_every == 3, "batch size set, rest copied");
    /* the MLP: 4 -> 10 10 10 10 -> 3, activations of the first 2 hidden layers kept */
    CHECK(m.n_layers == 5, "depth 4: 5 layers (%d)", m.n_layers);
    for (l = 1; l <= 4; l++)
        sizes_ok &= m.sizes[l] == 10;
    for (l = 6; l <= LLP_MAX_LAYERS; l++)
        sizes_ok &= m.sizes[l] == 0;
    CHECK(sizes_ok && m.sizes[0] == 4 && m.sizes[5] == 3, "sizes 4 10 10 10 10 3, then zeros");
    CHECK(m.layer_act[0] == LLP_ACT_GELU && m.layer_act[1] == LLP_ACT_TANH && m.layer_act[2] == LLP_ACT_DEFAULT &&
              m.layer_act[3] == LLP_ACT_DEFAULT && m.act == LLP_ACT_RELU,
          "layer_act of the base's hidden layers kept, new ones DEFAULT");
    CHECK(m.init_scale == 2 && m.weight_decay == 0.01 && m.loss == LLP_LOSS_MSE && m.init == LLP_INIT_HE,
          "init_scale set; the MLP's L2 term (0.01) NOT touched by wd; loss, init copied");
    /* the outputs work: llp_mlp_init (parameters 4*10+10 + 3*(10*10+10) + 10*3+3 = 413) and llp_opt_init */
    {
        llp_mlp mlp;
        llp_opt op;
        llp_real state[8];
        CHECK_OK(llp_mlp_init(&mlp, &m));
        CHECK(mlp.n_params == 413, "413 parameters (%lu)", (unsigned long)mlp.n_params);
        llp_mlp_free(&mlp);
        CHECK(llp_opt_state_size(&o, 2) <= 8, "state fits");
        CHECK_OK(llp_opt_init(&op, &o, 2, state, 8));
        CHECK(op.d.beta1 == 0.95, "llp_opt_init keeps beta1 0.95");
    }
    /* momentum per optimizer kind */
    {
        static const int kinds[6] = {LLP_OPT_SGD,     LLP_OPT_MOMENTUM, LLP_OPT_NESTEROV,
                                     LLP_OPT_RMSPROP, LLP_OPT_ADAM,     LLP_OPT_ADAMW};
        int i, bad = 0;
        for (i = 0; i < 6; i++) {
            c.value[LLP_HP_OPTIMIZER] = kinds[i];
            CHECK_OK(llp_hp_apply(&c, &bm, &bo, &bt, &m, &o, &t));
            if (kinds[i] == LLP_OPT_MOMENTUM || kinds[i] == LLP_OPT_NESTEROV)
                bad += !(o.momentum == 0.95 && o.beta1 == 0.85);
            else if (kinds[i] == LLP_OPT_ADAM || kinds[i] == LLP_OPT_ADAMW)
                bad += !(o.momentum == 0.8 && o.beta1 == 0.95);
            else
                bad += !(o.momentum == 0.8 && o.beta1 == 0.85); /* SGD, RMSprop: ignored */
            bad += (int)o.kind != kinds[i];
        }
        CHECK(bad == 0, "momentum -> momentum (MOMENTUM, NESTEROV), beta1 (ADAM, ADAMW), ignored (SGD, RMSPROP)");
        /* momentum 0 is not the descriptor's default 0.9 */
        c.value[LLP_HP_OPTIMIZER] = LLP_OPT_MOMENTUM, c.value[LLP_HP_MOMENTUM] = 0;
        CHECK_OK(llp_hp_apply(&c, &bm, &bo, &bt, &m, &o, &t));
        {
            llp_opt op;
            llp_real state[8];
            CHECK(o.momentum > 0 && o.momentum <= DBL_MIN, "momentum 0 written as DBL_MIN (%g)", o.momentum);
            CHECK_OK(llp_opt_init(&op, &o, 2, state, 8));
            CHECK(op.d.momentum < 1e-300, "llp_opt_init does not turn it into 0.9 (%g)", op.d.momentum);
        }
    }
    /* the kind when OPTIMIZER is unset decides where momentum goes */
    {
        llp_hp_config k;
        memset(&k, 0, sizeof k);
        k.set = 1u << LLP_HP_MOMENTUM, k.value[LLP_HP_MOMENTUM] = 0.5;
        bo.kind = LLP_OPT_NESTEROV;
        CHECK_OK(llp_hp_apply(&k, NULL, &bo, NULL, NULL, &o, NULL));
        CHECK(o.momentum == 0.5 && o.kind == LLP_OPT_NESTEROV, "momentum with the base's kind (NESTEROV)");
        bo = base_opt_desc();
    }
    /* depth only: every hidden layer gets the base's first hidden width 5 */
    {
        llp_hp_config k;
        memset(&k, 0, sizeof k);
        k.set = 1u << LLP_HP_DEPTH, k.value[LLP_HP_DEPTH] = 2;
        CHECK_OK(llp_hp_apply(&k, &bm, NULL, NULL, &m, NULL, NULL));
        CHECK(m.n_layers == 3 && m.sizes[0] == 4 && m.sizes[1] == 5 && m.sizes[2] == 5 && m.sizes[3] == 3 &&
                  m.layer_act[0] == LLP_ACT_GELU && m.layer_act[1] == LLP_ACT_TANH,
              "depth 2 alone: 4 5 5 3 (base 4 5 7 3), activations kept");
        k.set = 1u << LLP_HP_WIDTH, k.value[LLP_HP_WIDTH] = 9;
        CHECK_OK(llp_hp_apply(&k, &bm, NULL, NULL, &m, NULL, NULL));
        CHECK(m.n_layers == 3 && m.sizes[1] == 9 && m.sizes[2] == 9 && m.sizes[3] == 3 && m.init_scale == 0.5,
              "width 9 alone: 4 9 9 3, init_scale kept");
        k.set = (1u << LLP_HP_DEPTH) | (1u << LLP_HP_WIDTH), k.value[LLP_HP_DEPTH] = 1;
        CHECK_OK(llp_hp_apply(&k, &bm, NULL, NULL, &m, NULL, NULL));
        CHECK(m.n_layers == 2 && m.sizes[1] == 9 && m.sizes[2] == 3 && m.sizes[3] == 0 &&
                  m.layer_act[0] == LLP_ACT_GELU && m.layer_act[1] == LLP_ACT_DEFAULT,
              "depth 1 width 9: 4 9 3; the dropped layer's activation cleared");
        k.value[LLP_HP_DEPTH] = 0;
        CHECK_OK(llp_hp_apply(&k, &bm, NULL, NULL, &m, NULL, NULL));
        CHECK(m.n_layers == 1 && m.sizes[0] == 4 && m.sizes[1] == 3 && m.layer_act[0] == LLP_ACT_DEFAULT,
              "depth 0: the linear model 4 -> 3");
        /* neither key: the base architecture as is (unequal widths) */
        k.set = 1u << LLP_HP_INIT_SCALE, k.value[LLP_HP_INIT_SCALE] = 3;
        CHECK_OK(llp_hp_apply(&k, &bm, NULL, NULL, &m, NULL, NULL));
        CHECK(m.n_layers == 3 && m.sizes[1] == 5 && m.sizes[2] == 7 && m.init_scale == 3, "base sizes 4 5 7 3 kept");
        /* in place: outputs aliasing the bases */
        {
            llp_mlp_desc am = bm;
            llp_opt_desc ao = bo;
            llp_train_desc at = bt;
            llp_hp_config f = full_config(0.02, 0, 0.9, 32, 6, 2, 1, LLP_OPT_MOMENTUM);
            CHECK_OK(llp_hp_apply(&f, &am, &ao, &at, &am, &ao, &at));
            CHECK(am.n_layers == 3 && am.sizes[1] == 6 && am.sizes[2] == 6 && am.sizes[3] == 3 && ao.lr == 0.02 &&
                      ao.momentum == 0.9 && ao.weight_decay == 0 && at.batch_size == 32,
                  "apply in place (outputs = bases)");
        }
    }
    /* 200 random configurations of the all-keys space: every field = the config */
    {
        llp_hp_space s = all_keys_space();
        llp_hp_config r[200];
        llp_rng rng;
        int i, bad = 0;
        llp_rng_seed(&rng, 3);
        CHECK_OK(llp_hp_random(&s, 200, &rng, r));
        for (i = 0; i < 200; i++) {
            const double *v = r[i].value;
            int kind = (int)v[LLP_HP_OPTIMIZER], D = (int)v[LLP_HP_DEPTH];
            double mom = v[LLP_HP_MOMENTUM] > 0 ? v[LLP_HP_MOMENTUM] : DBL_MIN;
            CHECK_OK(llp_hp_apply(&r[i], &bm, &bo, &bt, &m, &o, &t));
            bad += o.lr != v[LLP_HP_LR] || o.weight_decay != v[LLP_HP_WEIGHT_DECAY] || (int)o.kind != kind;
            bad += (kind == LLP_OPT_MOMENTUM)                        ? o.momentum != mom
                   : (kind == LLP_OPT_ADAM || kind == LLP_OPT_ADAMW) ? o.beta1 != mom
                                                                     : 0;
            bad += (double)t.batch_size != v[LLP_HP_BATCH_SIZE];
            bad +=
                m.n_layers != D + 1 || m.init_scale != v[LLP_HP_INIT_SCALE] || m.sizes[0] != 4 || m.sizes[D + 1] != 3;
            for (l = 1; l <= D; l++)
                bad += (double)m.sizes[l] != v[LLP_HP_WIDTH];
            bad += m.weight_decay != 0.01;
        }
        CHECK(bad == 0, "200 random configurations: every descriptor field = the configuration (%d wrong)", bad);
    }
}

static void test_apply_errors(void) {
    llp_mlp_desc bm = base_mlp_desc(), m, m0;
    llp_opt_desc bo = base_opt_desc(), o, o0;
    llp_train_desc bt = base_train_desc(), t, t0;
    llp_hp_config good = full_config(0.01, 1e-4, 0.9, 32, 8, 2, 1, LLP_OPT_ADAM), c;
    int i, fails = 0, touched = 0;
    /* each: key, bad value */
    static const struct {
        int key;
        double v;
    } bad[] = {{LLP_HP_DEPTH, 16},
               {LLP_HP_DEPTH, -1},
               {LLP_HP_DEPTH, 1.5},
               {LLP_HP_WIDTH, 0},
               {LLP_HP_WIDTH, 2.5},
               {LLP_HP_WIDTH, 16777217},
               {LLP_HP_BATCH_SIZE, 0},
               {LLP_HP_BATCH_SIZE, 1.5},
               {LLP_HP_LR, 0},
               {LLP_HP_LR, -1},
               {LLP_HP_LR, NAN},
               {LLP_HP_LR, INFINITY},
               {LLP_HP_WEIGHT_DECAY, -1e-9},
               {LLP_HP_MOMENTUM, 1},
               {LLP_HP_MOMENTUM, -0.1},
               {LLP_HP_INIT_SCALE, 0},
               {LLP_HP_INIT_SCALE, -1},
               {LLP_HP_OPTIMIZER, 6},
               {LLP_HP_OPTIMIZER, -1},
               {LLP_HP_OPTIMIZER, 1.5}};
    const int nbad = (int)(sizeof bad / sizeof bad[0]);
    memset(&m0, 0xAB, sizeof m0), memset(&o0, 0xAB, sizeof o0), memset(&t0, 0xAB, sizeof t0);
    for (i = 0; i < nbad; i++) {
        c = good;
        c.value[bad[i].key] = bad[i].v;
        m = m0, o = o0, t = t0;
        fails += llp_hp_apply(&c, &bm, &bo, &bt, &m, &o, &t) == LLP_ERR_ARG;
        fails += llp_hp_config_validate(&c) == LLP_ERR_ARG;
        touched += memcmp(&m, &m0, sizeof m) != 0 || memcmp(&o, &o0, sizeof o) != 0 || memcmp(&t, &t0, sizeof t) != 0;
    }
    CHECK(fails == 2 * nbad, "%d bad values rejected by apply and config_validate (%d of %d)", nbad, fails, 2 * nbad);
    CHECK(touched == 0, "nothing written on a rejected value (%d touched)", touched);
    CHECK_OK(llp_hp_config_validate(&good));
    /* structural errors */
    {
        llp_mlp_desc b1 = bm;
        int e = 0;
        m = m0, o = o0, t = t0;
        c = good, c.set |= 1u << LLP_HP_KEYS;
        e += llp_hp_apply(&c, &bm, &bo, &bt, &m, &o, &t) == LLP_ERR_ARG;
        e += llp_hp_apply(NULL, &bm, &bo, &bt, &m, &o, &t) == LLP_ERR_ARG;
        e += llp_hp_apply(&good, &bm, &bo, &bt, NULL, &o, &t) == LLP_ERR_ARG; /* width set, no mlp out */
        e += llp_hp_apply(&good, &bm, &bo, &bt, &m, NULL, &t) == LLP_ERR_ARG; /* lr set, no opt out */
        e += llp_hp_apply(&good, &bm, &bo, &bt, &m, &o, NULL) == LLP_ERR_ARG; /* batch set, no train out */
        e += llp_hp_apply(&good, NULL, &bo, &bt, &m, &o, &t) == LLP_ERR_ARG;  /* no base MLP */
        b1.n_layers = 0;
        e += llp_hp_apply(&good, &b1, &bo, &bt, &m, &o, &t) == LLP_ERR_ARG;
        b1.n_layers = LLP_MAX_LAYERS + 1;
        e += llp_hp_apply(&good, &b1, &bo, &bt, &m, &o, &t) == LLP_ERR_ARG;
        /* depth 2, width unset, base without hidden layers */
        b1.n_layers = 1, b1.sizes[1] = 3;
        c = good, c.set &= ~(1u << LLP_HP_WIDTH);
        e += llp_hp_apply(&c, &b1, &bo, &bt, &m, &o, &t) == LLP_ERR_ARG;
        CHECK(e == 9, "structural errors rejected (%d of 9)", e);
        CHECK(memcmp(&m, &m0, sizeof m) == 0 && memcmp(&o, &o0, sizeof o) == 0 && memcmp(&t, &t0, sizeof t) == 0,
              "nothing written");
        /* the same with width set works: depth 2 of width 8 */
        CHECK_OK(llp_hp_apply(&good, &b1, &bo, &bt, &m, &o, &t));
        CHECK(m.n_layers == 3 && m.sizes[1] == 8 && m.sizes[2] == 8 && m.sizes[3] == 3, "from a linear base: 4 8 8 3");
        /* NULL base_opt / base_train: all-zero descriptors */
        CHECK_OK(llp_hp_apply(&good, &bm, NULL, NULL, &m, &o, &t));
        CHECK(o.lr == 0.01 && o.eps == 0 && o.clip_norm == 0 && t.batch_size == 32 && t.epochs == 0,
              "NULL bases: the all-defaults descriptors");
        CHECK(llp_hp_config_validate(NULL) == LLP_ERR_ARG, "config_validate(NULL)");
    }
}

static void test_bad_spaces(void) {
    static const double opts[2] = {LLP_OPT_SGD, LLP_OPT_ADAM};
    llp_hp_space good, s;
    llp_hp_dim d[2];
    llp_error err;
    int i, rejected = 0, named = 0, n = 0, untouched = 1;
    llp_hp_config out[4], keep[4];
    size_t count;
    llp_rng rng;
    double u[2] = {0.5, 0.5};
    d[0] = range_dim(LLP_HP_LR, LLP_HP_LOG, 0, 1e-4, 1);
    d[1] = choice_dim(LLP_HP_OPTIMIZER, 2, opts);
    good = space_of(2, d);
    CHECK_OK(llp_hp_space_validate(&good, &err));
    CHECK(err.message[0] == 0, "no message on success");
    memset(keep, 0x3c, sizeof keep);
    llp_rng_seed(&rng, 1);
    for (i = 0; i < 30; i++) {
        llp_hp_dim *x = &s.dim[0], *y = &s.dim[1];
        const char *key = "lr";
        s = good;
        switch (i) {
        case 0: s.n_dims = 0, key = "n_dims"; break;
        case 1: s.n_dims = LLP_HP_KEYS + 1, key = "n_dims"; break;
        case 2: x->key = LLP_HP_KEYS, key = "key"; break;
        case 3: x->key = (llp_hp_key)-1, key = "key"; break;
        case 4: y->key = LLP_HP_LR, y->n_choices = 0, y->lo = 1e-3, y->hi = 1e-2; break; /* lr twice */
        case 5: y->n_choices = LLP_HP_MAX_CHOICES + 1, key = "opt"; break;
        case 6: y->lo = 1, key = "opt"; break; /* choices and a range */
        case 7: y->integer = 1, key = "opt"; break;
        case 8: y->choice[1] = LLP_OPT_SGD, key = "opt"; break; /* listed twice */
        case 9: y->choice[1] = 6, key = "opt"; break;           /* not an llp_opt_kind */
        case 10: y->choice[1] = 1.5, key = "opt"; break;
        case 11: *y = range_dim(LLP_HP_OPTIMIZER, LLP_HP_LINEAR, 1, 0, 5), key = "opt"; break;
        case 12: x->scale = (llp_hp_scale)2; break;
        case 13: x->lo = NAN; break;
        case 14: x->hi = INFINITY; break;
        case 15: x->lo = 2, x->hi = 1; break;
        case 16: *x = range_dim(LLP_HP_WEIGHT_DECAY, LLP_HP_LOG, 0, 0, 1e-2), key = "wd"; break;
        case 17: *x = range_dim(LLP_HP_WEIGHT_DECAY, LLP_HP_LINEAR, 0, -1, 1e-2), key = "wd"; break;
        case 18:
            *x = range_dim(LLP_HP_BATCH_SIZE, LLP_HP_LINEAR, 0, 16, 128), key = "batch";
            break; /* no integer flag */
        case 19: *x = range_dim(LLP_HP_BATCH_SIZE, LLP_HP_LINEAR, 1, 1.5, 128), key = "batch"; break;
        case 20: *x = range_dim(LLP_HP_MOMENTUM, LLP_HP_LINEAR, 0, 0, 1), key = "momentum"; break;
        case 21: *x = range_dim(LLP_HP_DEPTH, LLP_HP_LINEAR, 1, 0, 16), key = "depth"; break;
        case 22: *x = range_dim(LLP_HP_WIDTH, LLP_HP_LOG, 1, 0.5, 64), key = "width"; break;
        case 23: *x = range_dim(LLP_HP_WIDTH, LLP_HP_LINEAR, 1, 0, 64), key = "width"; break;
        case 24: *x = range_dim(LLP_HP_INIT_SCALE, LLP_HP_LINEAR, 0, 0, 2), key = "init"; break;
        case 25: *x = range_dim(LLP_HP_LR, LLP_HP_LINEAR, 0, 0, 1); break;
        case 26: *x = range_dim(LLP_HP_LR, LLP_HP_LOG, 0, -1, 1); break;
        case 27: *x = range_dim(LLP_HP_DEPTH, LLP_HP_LINEAR, 1, 0, 1e17), key = "depth"; break;
        case 28: y->n_choices = 1, y->choice[0] = -1, key = "opt"; break;
        case 29: *x = range_dim(LLP_HP_BATCH_SIZE, LLP_HP_LOG, 1, 0, 64), key = "batch"; break;
        }
        n++;
        rejected += llp_hp_space_validate(&s, &err) == LLP_ERR_ARG;
        if (strstr(err.message, key) != NULL)
            named++;
        else
            printf("  (message of case %d does not name \"%s\": %s)\n", i, key, err.message);
        /* every sampler refuses it too, writing nothing */
        memcpy(out, keep, sizeof out);
        count = 12345;
        rejected += llp_hp_grid(&s, 3, out, 4, &count) == LLP_ERR_ARG;
        rejected += llp_hp_random(&s, 4, &rng, out) == LLP_ERR_ARG;
        rejected += llp_hp_lhs(&s, 4, &rng, out) == LLP_ERR_ARG;
        rejected += llp_hp_decode(&s, u, out) == LLP_ERR_ARG;
        untouched &= memcmp(out, keep, sizeof out) == 0 && count == 12345;
    }
    CHECK(rejected == 5 * n, "%d bad spaces rejected by validate, grid, random, lhs, decode (%d of %d)", n, rejected,
          5 * n);
    CHECK(named == n, "every message names the key or field (%d of %d)", named, n);
    CHECK(untouched, "nothing written for a bad space");
    CHECK(llp_hp_space_validate(NULL, NULL) == LLP_ERR_ARG, "NULL space");
    /* valid edge cases */
    {
        static const double wd[3] = {0, 1e-5, 1e-4};
        llp_hp_dim e[3];
        e[0] = choice_dim(LLP_HP_WEIGHT_DECAY, 3, wd);
        e[1] = range_dim(LLP_HP_MOMENTUM, LLP_HP_LINEAR, 0, 0, 0.99);
        e[2] = range_dim(LLP_HP_INIT_SCALE, LLP_HP_LOG, 0, 2, 2);
        s = space_of(3, e);
        CHECK_OK(llp_hp_space_validate(&s, NULL));
    }
}

static void test_format(void) {
    char buf[256];
    size_t n;
    llp_hp_config c = full_config(0.001, 1e-5, 0.9, 32, 64, 2, 1, LLP_OPT_ADAM);
    const char *want = "lr=0.001 wd=1e-05 momentum=0.9 batch=32 width=64 depth=2 init=1 opt=adam";
    n = llp_hp_format(&c, buf, sizeof buf);
    CHECK(strcmp(buf, want) == 0, "full line: \"%s\"", buf);
    CHECK(n == strlen(want), "returns the length (%lu)", (unsigned long)n);
    /* truncation: snprintf semantics */
    memset(buf, 'x', sizeof buf);
    n = llp_hp_format(&c, buf, 10);
    CHECK(strcmp(buf, "lr=0.001 ") == 0 && n == strlen(want) && buf[10] == 'x',
          "len 10: 9 characters and a NUL (\"%s\")", buf);
    CHECK(llp_hp_format(&c, NULL, 0) == strlen(want), "NULL buffer, len 0: the full length");
    n = llp_hp_format(&c, buf, 1);
    CHECK(buf[0] == 0 && n == strlen(want), "len 1: empty string");
    /* a few keys, %.6g, big integers, non-kinds */
    memset(&c, 0, sizeof c);
    c.set = (1u << LLP_HP_LR) | (1u << LLP_HP_OPTIMIZER);
    c.value[LLP_HP_LR] = 3e-4, c.value[LLP_HP_OPTIMIZER] = LLP_OPT_SGD;
    llp_hp_format(&c, buf, sizeof buf);
    CHECK(strcmp(buf, "lr=0.0003 opt=sgd") == 0, "\"%s\"", buf);
    c.set = (1u << LLP_HP_LR) | (1u << LLP_HP_WIDTH) | (1u << LLP_HP_OPTIMIZER) | (1u << LLP_HP_MOMENTUM);
    c.value[LLP_HP_LR] = 0.123456789, c.value[LLP_HP_WIDTH] = 16777216, c.value[LLP_HP_OPTIMIZER] = 1.5;
    c.value[LLP_HP_MOMENTUM] = 0;
    llp_hp_format(&c, buf, sizeof buf);
    CHECK(strcmp(buf, "lr=0.123457 momentum=0 width=16777216 opt=1.5") == 0, "\"%s\"", buf);
    c.set = (1u << LLP_HP_OPTIMIZER) | (1u << LLP_HP_WEIGHT_DECAY), c.value[LLP_HP_OPTIMIZER] = LLP_OPT_ADAMW;
    c.value[LLP_HP_WEIGHT_DECAY] = 0;
    llp_hp_format(&c, buf, sizeof buf);
    CHECK(strcmp(buf, "wd=0 opt=adamw") == 0, "\"%s\"", buf);
    c.set = 0;
    memset(buf, 'x', 4);
    n = llp_hp_format(&c, buf, sizeof buf);
    CHECK(n == 0 && buf[0] == 0, "nothing set: \"\"");
    memset(buf, 'x', 4);
    CHECK(llp_hp_format(NULL, buf, sizeof buf) == 0 && buf[0] == 0, "NULL config: \"\"");
    c.set = 1u << LLP_HP_KEYS;
    CHECK(llp_hp_format(&c, buf, sizeof buf) == 0, "bits beyond the keys ignored");
}

/* Successive halving by hand.
   (a) n = 20, r = 1, R = 10, eta = 2: n_i = floor(20 / 2^i), r_i = 2^i:
       i = 0: (20, 1); i = 1: (10, 2); i = 2: (5, 4); i = 3: (2, 8);
       i = 4: n = floor(20/16) = 1 >= 1 but r = 16 > 10: stop (resource).
       total = 20*1 + 10*2 + 5*4 + 2*8 = 20 + 20 + 20 + 16 = 76;
       resume = 20*1 + 10*(2-1) + 5*(4-2) + 2*(8-4) = 20 + 10 + 10 + 8 = 48.
   (b) n = 10, r = 0.5, R = 100, eta = 4: i = 0: (10, 0.5); i = 1: (2, 2);
       i = 2: floor(10/16) = 0: stop (configurations).
       total = 5 + 4 = 9; resume = 5 + 2*1.5 = 8.
   (c) n = 9, r = 1, R = 9, eta = 0 (-> 3): (9, 1), (3, 3), (1, 9);
       total = 27, resume = 9 + 3*2 + 1*6 = 21. */
static void test_sh_hand(void) {
    llp_hp_sh_schedule s;
    CHECK_OK(llp_hp_successive_halving(20, 1, 10, 2, &s));
    CHECK(s.n_rungs == 4 && s.rung[0].n == 20 && s.rung[0].r == 1 && s.rung[1].n == 10 && s.rung[1].r == 2 &&
              s.rung[2].n == 5 && s.rung[2].r == 4 && s.rung[3].n == 2 && s.rung[3].r == 8,
          "(a) rungs (20,1) (10,2) (5,4) (2,8), stopped by R (%lu rungs)", (unsigned long)s.n_rungs);
    CHECK(s.total == 76 && s.total_resume == 48, "(a) totals 76 / 48 (%g %g)", s.total, s.total_resume);
    CHECK_OK(llp_hp_successive_halving(10, 0.5, 100, 4, &s));
    CHECK(s.n_rungs == 2 && s.rung[0].n == 10 && s.rung[0].r == 0.5 && s.rung[1].n == 2 && s.rung[1].r == 2,
          "(b) rungs (10,0.5) (2,2), stopped by n (%lu rungs)", (unsigned long)s.n_rungs);
    CHECK(s.total == 9 && s.total_resume == 8, "(b) totals 9 / 8 (%g %g)", s.total, s.total_resume);
    CHECK_OK(llp_hp_successive_halving(9, 1, 9, 0, &s));
    CHECK(s.n_rungs == 3 && s.rung[2].n == 1 && s.rung[2].r == 9 && s.total == 27 && s.total_resume == 21,
          "(c) eta 0 -> 3: (9,1) (3,3) (1,9), 27 / 21");
    /* R reached only up to rounding: r = 0.1, R = 8.1, eta = 3 -> 5 rungs, the last at ~8.1 */
    CHECK_OK(llp_hp_successive_halving(81, 0.1, 8.1, 3, &s));
    CHECK(s.n_rungs == 5 && s.rung[4].n == 1 && fabs(s.rung[4].r - 8.1) < 1e-14, "0.1 * 3^4 = 8.1 kept (%lu rungs)",
          (unsigned long)s.n_rungs);
    /* 0.1 * 3 = 0.30000000000000004 > 0.3 in double: the slack keeps the rung */
    CHECK_OK(llp_hp_successive_halving(3, 0.1, 0.3, 3, &s));
    CHECK(s.n_rungs == 2 && s.rung[1].n == 1 && fabs(s.rung[1].r - 0.3) < 1e-16,
          "r = 0.1, R = 0.3: 2 rungs although 0.1 * 3 > 0.3 in double (%lu)", (unsigned long)s.n_rungs);
    /* the most rungs: n = SIZE_MAX, eta = 2 -> 64 rungs on a 64-bit size_t, no overflow */
    if (sizeof(size_t) == 8) {
        CHECK_OK(llp_hp_successive_halving((size_t)-1, 1, 1e30, 2, &s));
        CHECK(s.n_rungs == 64 && s.rung[63].n == 1 && s.rung[0].n == (size_t)-1,
              "SIZE_MAX configurations: 64 rungs (%lu)", (unsigned long)s.n_rungs);
    }
}

static void test_hyperband_table1(void) {
    /* Li et al. (2018), Table 1: R = 81, eta = 3 */
    static const size_t want_n[5][5] = {
        {81, 27, 9, 3, 1}, {34, 11, 3, 1, 0}, {15, 5, 1, 0, 0}, {8, 2, 0, 0, 0}, {5, 0, 0, 0, 0}};
    static const double want_r[5][5] = {
        {1, 3, 9, 27, 81}, {3, 9, 27, 81, 0}, {9, 27, 81, 0, 0}, {27, 81, 0, 0, 0}, {81, 0, 0, 0, 0}};
    /* totals by hand: from scratch 405 + 363 + 351 + 378 + 405 = 1902;
       resumed 297 + 276 + 279 + 324 + 405 = 1581 */
    static const double want_total[5] = {405, 363, 351, 378, 405}, want_resume[5] = {297, 276, 279, 324, 405};
    llp_hp_hyperband_schedule *h = (llp_hp_hyperband_schedule *)malloc(sizeof *h);
    llp_hp_sh_schedule sh;
    size_t j, i;
    int bad = 0, bad_tot = 0, bad_sh = 0;
    CHECK_OK(llp_hp_hyperband(1, 81, 3, h));
    CHECK(h->s_max == 4 && h->n_brackets == 5, "s_max = 4, 5 brackets (%lu)", (unsigned long)h->s_max);
    for (j = 0; j < 5; j++) {
        const llp_hp_sh_schedule *b = &h->bracket[j];
        size_t s = 4 - j;
        if (b->n_rungs != s + 1) bad++;
        for (i = 0; i <= s && i < b->n_rungs; i++) {
            if (b->rung[i].n != want_n[j][i] || b->rung[i].r != want_r[j][i]) {
                bad++;
                printf("  bracket s=%lu rung %lu: (%lu, %g), table (%lu, %g)\n", (unsigned long)s, (unsigned long)i,
                       (unsigned long)b->rung[i].n, b->rung[i].r, (unsigned long)want_n[j][i], want_r[j][i]);
            }
        }
        bad_tot += b->total != want_total[j] || b->total_resume != want_resume[j];
        /* each bracket is the successive-halving run from its first rung */
        CHECK_OK(llp_hp_successive_halving(b->rung[0].n, b->rung[0].r, 81, 3, &sh));
        bad_sh += sh.n_rungs != b->n_rungs;
        for (i = 0; i < sh.n_rungs && i < b->n_rungs; i++)
            bad_sh += sh.rung[i].n != b->rung[i].n || sh.rung[i].r != b->rung[i].r;
    }
    CHECK(bad == 0, "Table 1 of Li et al. (2018), every (n_i, r_i) exact (%d wrong)", bad);
    CHECK(bad_tot == 0 && h->total == 1902 && h->total_resume == 1581, "totals 1902 from scratch, 1581 resumed (%g %g)",
          h->total, h->total_resume);
    CHECK(bad_sh == 0, "each bracket = llp_hp_successive_halving(n, r_s, R, eta)");
    /* eta 0 -> 3 gives the same table */
    {
        llp_hp_hyperband_schedule *g = (llp_hp_hyperband_schedule *)malloc(sizeof *g);
        CHECK_OK(llp_hp_hyperband(1, 81, 0, g));
        CHECK(g->s_max == 4 && g->bracket[1].rung[0].n == 34 && g->total == 1902, "eta 0 -> 3");
        free(g);
    }
    free(h);
}

static void test_hyperband_smax(void) {
    llp_hp_hyperband_schedule *h = (llp_hp_hyperband_schedule *)malloc(sizeof *h), *keep;
    keep = (llp_hp_hyperband_schedule *)malloc(sizeof *keep);
    /* exact powers: r eta^s == R must count */
    CHECK_OK(llp_hp_hyperband(1, 243, 3, h));
    CHECK(h->s_max == 5, "R/r = 243 = 3^5: s_max 5 (%lu; floor(log(243)/log(3)) = %g)", (unsigned long)h->s_max,
          floor(log(243.0) / log(3.0)));
    CHECK(h->bracket[0].rung[0].n == 243 && h->bracket[0].rung[5].r == 243 && h->bracket[5].rung[0].n == 6 &&
              h->bracket[5].n_rungs == 1,
          "s = 5: 243 at r = 1 ... 1 at 243; s = 0: ceil(6/1) = 6 at R");
    CHECK_OK(llp_hp_hyperband(1, 242.9, 3, h));
    CHECK(h->s_max == 4, "R/r = 242.9: s_max 4 (%lu)", (unsigned long)h->s_max);
    CHECK_OK(llp_hp_hyperband(0.1, 8.1, 3, h));
    CHECK(h->s_max == 4 && h->bracket[0].rung[4].r == 8.1 && fabs(h->bracket[0].rung[0].r - 0.1) < 1e-16,
          "r = 0.1, R = 8.1: s_max 4, last rung exactly R");
    CHECK_OK(llp_hp_hyperband(2, 64, 2, h));
    CHECK(h->s_max == 5 && h->bracket[1].rung[0].n == 20 && h->bracket[1].rung[0].r == 4 &&
              h->bracket[1].rung[4].n == 1,
          "R/r = 32 = 2^5, eta 2: s_max 5; s = 4: n = ceil(6 * 16 / 5) = 20 at r = 64/16 = 4, last floor(20/16) = 1");
    CHECK_OK(llp_hp_hyperband(0.1, 0.3, 3, h));
    CHECK(h->s_max == 1 && h->bracket[0].rung[1].r == 0.3, "r = 0.1, R = 0.3: s_max 1 (%lu)", (unsigned long)h->s_max);
    /* R = 100, r = 1: s_max = 4 (81 <= 100 < 243); r_s = R eta^-s = 100/81, 100/27, ..., not r eta^(s_max - s) */
    CHECK_OK(llp_hp_hyperband(1, 100, 3, h));
    CHECK(h->s_max == 4 && rel_err(h->bracket[0].rung[0].r, 100.0 / 81) <= 1e-15 &&
              rel_err(h->bracket[1].rung[0].r, 100.0 / 27) <= 1e-15 && h->bracket[0].rung[4].r == 100 &&
              h->bracket[4].rung[0].r == 100 && h->bracket[1].rung[0].n == 34,
          "R = 100: rungs at 100/81, ..., 100 (%.17g)", h->bracket[0].rung[0].r);
    CHECK_OK(llp_hp_hyperband(5, 5, 3, h));
    CHECK(h->s_max == 0 && h->n_brackets == 1 && h->bracket[0].rung[0].n == 1 && h->bracket[0].rung[0].r == 5,
          "R = r: one bracket of one configuration at R");
    /* errors, *out untouched */
    {
        int e = 0;
        memset(h, 0x42, sizeof *h);
        memcpy(keep, h, sizeof *h);
        e += llp_hp_hyperband(0, 81, 3, h) == LLP_ERR_ARG;
        e += llp_hp_hyperband(NAN, 81, 3, h) == LLP_ERR_ARG;
        e += llp_hp_hyperband(2, 1, 3, h) == LLP_ERR_ARG;
        e += llp_hp_hyperband(1, INFINITY, 3, h) == LLP_ERR_ARG;
        e += llp_hp_hyperband(1, 81, 1, h) == LLP_ERR_ARG;
        e += llp_hp_hyperband(1, 81, 3, NULL) == LLP_ERR_ARG;
        e += llp_hp_hyperband(1, 1099511627776.0, 2, h) == LLP_ERR_ARG; /* 2^40: 41 brackets */
        CHECK(e == 7, "hyperband: bad arguments rejected (%d of 7)", e);
        CHECK(memcmp(h, keep, sizeof *h) == 0, "hyperband: nothing written on error");
    }
    {
        llp_hp_sh_schedule s, k;
        int e = 0;
        memset(&s, 0x42, sizeof s);
        k = s;
        e += llp_hp_successive_halving(0, 1, 81, 3, &s) == LLP_ERR_ARG;
        e += llp_hp_successive_halving(9, 0, 81, 3, &s) == LLP_ERR_ARG;
        e += llp_hp_successive_halving(9, -1, 81, 3, &s) == LLP_ERR_ARG;
        e += llp_hp_successive_halving(9, 2, 1, 3, &s) == LLP_ERR_ARG;
        e += llp_hp_successive_halving(9, 1, NAN, 3, &s) == LLP_ERR_ARG;
        e += llp_hp_successive_halving(9, 1, 81, 1, &s) == LLP_ERR_ARG;
        e += llp_hp_successive_halving(9, 1, 81, 3, NULL) == LLP_ERR_ARG;
        CHECK(e == 7, "successive halving: bad arguments rejected (%d of 7)", e);
        CHECK(memcmp(&s, &k, sizeof s) == 0, "successive halving: nothing written on error");
    }
    free(h);
    free(keep);
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_key_names);
    LLP_RUN(test_decode_hand);
    LLP_RUN(test_integer_uniform);
    LLP_RUN(test_encode_roundtrip);
    LLP_RUN(test_grid_hand);
    LLP_RUN(test_grid_levels);
    LLP_RUN(test_lhs_strata);
    LLP_RUN(test_determinism);
    LLP_RUN(test_apply_all_keys);
    LLP_RUN(test_apply_errors);
    LLP_RUN(test_bad_spaces);
    LLP_RUN(test_format);
    LLP_RUN(test_sh_hand);
    LLP_RUN(test_hyperband_table1);
    LLP_RUN(test_hyperband_smax);
    return llp_test_summary();
}
