/* llp_test.h — the tiny harness the llprobe tests share.

   Each test program calls its check functions from main() through LLP_RUN,
   uses the CHECK macros inside them, and returns llp_test_summary().
   A check prints one line only when it fails (and -v prints every check), so
   a passing run is quiet and a failing one names file, line and values. */
#ifndef LLP_TEST_H
#define LLP_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int llp_test_checks = 0, llp_test_failed = 0, llp_test_verbose = 0;
static const char *llp_test_current = "";

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
    printf("%d checks, %d failed\n", llp_test_checks, llp_test_failed);
    return llp_test_failed ? 1 : 0;
}

#endif
