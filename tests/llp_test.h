/* llp_test.h — the tiny harness the llprobe tests share.

   Each test program calls its check functions from main() through LLP_RUN,
   uses the CHECK macros inside them, and returns llp_test_summary().
   A check prints one line only when it fails (and -v prints every check), so
   a passing run is quiet and a failing one names file, line and values. */
#ifndef LLP_TEST_H
#define LLP_TEST_H

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static int llp_test_checks = 0, llp_test_failed = 0, llp_test_verbose = 0, llp_test_skipped = 0;
static const char *llp_test_current = "";

/* ---- precision of the build --------------------------------------------
   The suite runs in both builds: double (the default) and float (meson
   -Dfloat=true, i.e. LLPROBE_FLOAT). Every tolerance that depends on the
   precision of llp_real is written TOL(double_tol, float_tol): the double
   value is the one the suite always had (never loosened), the float value is
   chosen for float and a comment next to it says why. Tolerances that are the
   same in both builds (exact identities, statistical bounds, bit-for-bit
   determinism) stay plain numbers. These macros expand where they are used,
   after llprobe.h has defined LLP_REAL_IS_FLOAT. */

/* Machine epsilon of llp_real: 2^-52 (double) or 2^-23 (float). */
#define LLP_TEST_EPS (LLP_REAL_IS_FLOAT ? (double)FLT_EPSILON : DBL_EPSILON)
/* The largest finite llp_real, and the smallest positive (denormal) one. */
#define LLP_TEST_REAL_MAX (LLP_REAL_IS_FLOAT ? (double)FLT_MAX : DBL_MAX)
#define LLP_TEST_REAL_TRUE_MIN (LLP_REAL_IS_FLOAT ? ldexp(1.0, -149) : ldexp(1.0, -1074))
/* TOL(d, f): d in the double build, f in the float build. */
#define TOL(double_tol, float_tol) (LLP_REAL_IS_FLOAT ? (float_tol) : (double_tol))
/* A double value rounded to llp_real (the value a float build actually holds). */
#define LLP_TEST_ROUND(x) ((double)(llp_real)(x))

/* SKIP_IN_FLOAT(why): in the float build, print why the rest of the calling
   check function means nothing there and return from it; nothing in the
   double build. Use it only where no float version of the check exists. */
#define SKIP_IN_FLOAT(why)                                                                    \
    do {                                                                                      \
        if (LLP_REAL_IS_FLOAT) {                                                              \
            llp_test_skipped++;                                                               \
            printf("  skip (float build): %s: %s\n", llp_test_current, why);                  \
            return;                                                                           \
        }                                                                                     \
    } while (0)

#define LLP_TEST_INIT(argc, argv)                                                             \
    do {                                                                                      \
        if ((argc) > 1 && strcmp((argv)[1], "-v") == 0) llp_test_verbose = 1;                 \
    } while (0)

#define LLP_RUN(fn)                                                                           \
    do {                                                                                      \
        int before_ = llp_test_failed;                                                        \
        llp_test_current = #fn;                                                               \
        fn();                                                                                 \
        printf("%-4s %s\n", llp_test_failed == before_ ? "ok" : "FAIL", #fn);                 \
    } while (0)

/* CHECK(cond, fmt, ...): a boolean identity; the message says what was checked. */
#define CHECK(cond, ...)                                                                      \
    do {                                                                                      \
        llp_test_checks++;                                                                    \
        if (!(cond)) {                                                                        \
            llp_test_failed++;                                                                \
            printf("  %s:%d: %s: check failed: %s: ", __FILE__, __LINE__, llp_test_current, #cond); \
            printf(__VA_ARGS__);                                                              \
            printf("\n");                                                                     \
        } else if (llp_test_verbose) {                                                        \
            printf("  pass: ");                                                               \
            printf(__VA_ARGS__);                                                              \
            printf("\n");                                                                     \
        }                                                                                     \
    } while (0)

/* |a - b| <= tol * max(1, |b|) : relative error for large values, absolute near 0. */
#define CHECK_CLOSE(a, b, tol, what)                                                          \
    do {                                                                                      \
        double a_ = (double)(a), b_ = (double)(b), t_ = (double)(tol);                        \
        double s_ = fabs(b_) > 1 ? fabs(b_) : 1;                                              \
        CHECK(fabs(a_ - b_) <= t_ * s_, "%s: got %.17g, expected %.17g (tol %.1e)", what, a_, b_, t_); \
    } while (0)

#define CHECK_OK(expr)                                                                        \
    do {                                                                                      \
        int r_ = (int)(expr);                                                                 \
        CHECK(r_ == 0, "%s returned %d", #expr, r_);                                          \
    } while (0)

static int llp_test_summary(void) {
    if (llp_test_skipped)
        printf("%d check groups skipped in the float build (see the notes above)\n", llp_test_skipped);
    printf("%d checks, %d failed\n", llp_test_checks, llp_test_failed);
    return llp_test_failed ? 1 : 0;
}

#endif
