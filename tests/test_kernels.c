/* Dense kernels: the blocked, packed product C += A.B against a naive triple
   loop, for the portable micro-kernel and (where the CPU has it) the AVX2+FMA
   one, over shapes that hit every edge of the blocking (1, MR-1, MR, MR+1,
   MC+1, KC+1, NC+1 ...) and every stride pattern the MLP uses.

   Tolerance: each entry is a sum of K products; in double the rounding error
   of any summation order is below K * eps * sum_k |a_ik b_kj|, so we compare
   |C - C_ref| <= 4 K eps sum|a||b| (+ the same bound on the reference's own
   rounding) entrywise. A wrong index or a missed tile is an O(1) error. */
#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"
#include "llp_test.h"
#include <stdlib.h>

static void check_gemm(size_t M, size_t N, size_t K, int pattern, int simd, llp_rng *rng, llp_real *pack) {
    /* pattern 0: C += A B^T-like (forward, B read by columns: brs = 1)
       pattern 1: C += A B (row-major B: bcs = 1)
       pattern 2: C += A^T B (A read by columns: ars = 1) */
    llp_real *a = (llp_real *)malloc(M * K * sizeof(llp_real));
    llp_real *b = (llp_real *)malloc(K * N * sizeof(llp_real));
    llp_real *c = (llp_real *)malloc(M * N * sizeof(llp_real));
    double *ref = (double *)malloc(M * N * sizeof(double)), *bound = (double *)malloc(M * N * sizeof(double));
    size_t ars, acs, brs, bcs, i, j, k, bad = 0;
    double eps = LLP_REAL_IS_FLOAT ? 1.2e-7 : 2.3e-16, worst = 0;
    llp_rng_fill_normal(rng, a, M * K);
    llp_rng_fill_normal(rng, b, K * N);
    llp_rng_fill_normal(rng, c, M * N);
    if (pattern == 0) ars = K, acs = 1, brs = 1, bcs = K;
    else if (pattern == 1) ars = K, acs = 1, brs = N, bcs = 1;
    else ars = 1, acs = M, brs = N, bcs = 1;
    for (i = 0; i < M; i++)
        for (j = 0; j < N; j++) {
            double s = c[i * N + j], m = fabs((double)c[i * N + j]);
            for (k = 0; k < K; k++) {
                double p = (double)a[i * ars + k * acs] * b[k * brs + j * bcs];
                s += p;
                m += fabs(p);
            }
            ref[i * N + j] = s;
            bound[i * N + j] = 8.0 * (double)(K + 1) * eps * m + 1e-300;
        }
    llp__gemm(M, N, K, a, ars, acs, b, brs, bcs, c, N, pack, simd);
    for (i = 0; i < M * N; i++) {
        double e = fabs(c[i] - ref[i]) / bound[i];
        if (e > worst) worst = e;
        if (!(e <= 1)) bad++;
    }
    CHECK(bad == 0, "gemm M=%lu N=%lu K=%lu pattern %d simd %d: %lu entries outside the rounding bound (worst %.2f of it)",
          (unsigned long)M, (unsigned long)N, (unsigned long)K, pattern, simd, (unsigned long)bad, worst);
    free(a);
    free(b);
    free(c);
    free(ref);
    free(bound);
}

static void test_gemm_shapes(void) {
    static const size_t ms[] = {1, 5, 6, 7, 13, 97, 200};
    static const size_t ns[] = {1, 7, 8, 9, 17, 33};
    static const size_t ks[] = {1, 2, 16, 257};
    llp_real *pack = (llp_real *)malloc(LLP__PACK_REALS * sizeof(llp_real));
    llp_rng rng;
    size_t a, b, c;
    int p, simd;
    llp_rng_seed(&rng, 11);
    for (simd = 0; simd <= llp__simd_kernel(); simd++)
        for (p = 0; p < 3; p++)
            for (a = 0; a < sizeof ms / sizeof ms[0]; a++)
                for (b = 0; b < sizeof ns / sizeof ns[0]; b++)
                    for (c = 0; c < sizeof ks / sizeof ks[0]; c++) check_gemm(ms[a], ns[b], ks[c], p, simd, &rng, pack);
    /* wider than one NC block of columns and taller than one MC block */
    for (simd = 0; simd <= llp__simd_kernel(); simd++)
        for (p = 0; p < 3; p++) check_gemm(101, LLP__NC + 3, 20, p, simd, &rng, pack);
    free(pack);
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_gemm_shapes);
    return llp_test_summary();
}
