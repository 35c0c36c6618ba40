/* Block HVPs: k products sharing one primal pass must equal k separate
   products. The reference (llp_mlp_hvp, itself checked against central
   differences in test_mlp_hvp) is a different code path: one tangent at a
   time, with its own forward and backward. The two sum the same terms in a
   different order, so they agree to rounding: 1e-12 relative in 2-norm (a
   wrong or missing term is O(1) relative). Float build: the same sums
   rounded in float, a few eps apart (measured worst 7e-8): 1e-6. */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"
#include <stdlib.h>

static double rel_err(const llp_real *a, const llp_real *b, size_t n) {
    double num = 0, den = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        num += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
        den += (double)b[i] * b[i];
    }
    return sqrt(num) / (sqrt(den) > 1e-300 ? sqrt(den) : 1e-300);
}

/* one architecture: every k in 1..7 with max_vectors 3 (groups 3+3+1), a
   chunk of 7 samples over 40 (partial last chunk), ALL and INDEX batches,
   HVP and Gauss–Newton, with weight decay. */
static void check_arch(llp_act act, llp_loss loss, int nl, const int *sizes, double wd) {
    llp_rng rng;
    llp_data data;
    llp_mlp m;
    llp_mlp_desc d;
    llp_mlp_work wb, w1;
    llp_real *V, *HB, *H1, lb = 0, l1 = 0;
    size_t n, k, j, idx[13];
    int l, pass, gn;
    double worst = 0;
    memset(&data, 0, sizeof data);
    llp_rng_seed(&rng, 100 + (uint64_t)act * 10 + (uint64_t)loss);
    memset(&d, 0, sizeof d);
    d.n_layers = nl;
    for (l = 0; l <= nl; l++) d.sizes[l] = sizes[l];
    d.act = act;
    d.loss = loss;
    d.weight_decay = wd;
    CHECK_OK(llp_mlp_init(&m, &d));
    llp_mlp_randomize(&m, m.theta, &rng);
    for (j = 0; j < m.n_params; j++) m.theta[j] += (llp_real)(0.2 * llp_rng_normal(&rng));
    if (loss == LLP_LOSS_SOFTMAX_CE)
        CHECK_OK(llp_data_blobs(&data, 40, (size_t)sizes[0], (size_t)sizes[nl], 1.5, &rng));
    else {
        CHECK_OK(llp_data_alloc(&data, 40, (size_t)sizes[0], LLP_TASK_REGRESSION, (size_t)sizes[nl]));
        llp_rng_fill_normal(&rng, data.x, 40 * (size_t)sizes[0]);
        for (j = 0; j < 40 * (size_t)sizes[nl]; j++)
            data.y[j] = (llp_real)(loss == LLP_LOSS_BCE ? llp_rng_uniform(&rng) : llp_rng_normal(&rng));
    }
    for (j = 0; j < 13; j++) idx[j] = (j * 7 + 3) % 40;
    CHECK_OK(llp_mlp_work_init_block(&wb, &m, 7, 3));
    CHECK_OK(llp_mlp_work_init(&w1, &m, 7));
    n = m.n_params;
    V = (llp_real *)malloc(7 * n * sizeof(llp_real));
    HB = (llp_real *)malloc(7 * n * sizeof(llp_real));
    H1 = (llp_real *)malloc(n * sizeof(llp_real));
    llp_rng_fill_normal(&rng, V, 7 * n);
    for (gn = 0; gn <= 1; gn++)
        for (pass = 0; pass < 2; pass++) {
            llp_batch ib = llp_batch_index(idx, 13), *bp = pass ? &ib : NULL;
            for (k = 1; k <= 7; k++) {
                llp_result r = gn ? llp_mlp_gnvp_block(&m, m.theta, V, k, &data, bp, HB, &wb)
                                  : llp_mlp_hvp_block(&m, m.theta, V, k, &data, bp, HB, &lb, &wb);
                CHECK(r == LLP_OK, "block product returned %d", (int)r);
                for (j = 0; j < k; j++) {
                    double e;
                    if (gn) llp_mlp_gnvp(&m, m.theta, V + j * n, &data, bp, H1, &w1);
                    else llp_mlp_hvp(&m, m.theta, V + j * n, &data, bp, H1, &l1, &w1);
                    e = rel_err(HB + j * n, H1, n);
                    if (e > worst) worst = e;
                }
                if (!gn) CHECK_CLOSE(lb, l1, 1e-13, "block HVP reports the same loss");
            }
        }
    CHECK(worst <= TOL(1e-12, 1e-6), "%s/%s, %d layers: block products equal single products (worst rel %.2e)",
          llp_act_name(act), llp_loss_name(loss), nl, worst);
    free(V);
    free(HB);
    free(H1);
    llp_mlp_work_free(&wb);
    llp_mlp_work_free(&w1);
    llp_mlp_free(&m);
    llp_data_free(&data);
}

static void test_block_equals_single(void) {
    static const int s3[4] = {5, 6, 4, 3}, s1[2] = {4, 3}, s4[5] = {3, 9, 5, 4, 2};
    static const llp_act acts[] = {LLP_ACT_IDENTITY, LLP_ACT_TANH, LLP_ACT_SIGMOID, LLP_ACT_SOFTPLUS, LLP_ACT_GELU,
                                   LLP_ACT_RELU, LLP_ACT_LEAKY_RELU};
    size_t a;
    for (a = 0; a < sizeof acts / sizeof acts[0]; a++) {
        check_arch(acts[a], LLP_LOSS_SOFTMAX_CE, 3, s3, 0.0);
        check_arch(acts[a], LLP_LOSS_MSE, 3, s3, 0.01);
    }
    check_arch(LLP_ACT_TANH, LLP_LOSS_BCE, 4, s4, 0.02);
    check_arch(LLP_ACT_TANH, LLP_LOSS_SOFTMAX_CE, 1, s1, 0.01);
}

/* The objective's block HVP (MLP: the block engine; landscapes and callbacks:
   a loop over hvp) gives the same products as its single HVP. MAE has no
   curvature: LLP_ERR_UNSUPPORTED, as for the single product. */
static void test_objective_block(void) {
    llp_rng rng;
    llp_data data;
    llp_mlp m;
    llp_mlp_desc d;
    llp_mlp_objective mo;
    llp_objective f;
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_real *V, *HB, *H1;
    size_t j, n;
    double worst = 0;
    llp_rng_seed(&rng, 9);
    CHECK_OK(llp_data_spirals(&data, 60, 1.5, 0.05, &rng));
    memset(&d, 0, sizeof d);
    d.n_layers = 3;
    d.sizes[0] = 2;
    d.sizes[1] = 8;
    d.sizes[2] = 8;
    d.sizes[3] = 2;
    CHECK_OK(llp_mlp_init(&m, &d));
    llp_mlp_randomize(&m, m.theta, &rng);
    CHECK_OK(llp_mlp_objective_init(&mo, &m, &data, 16));
    f = llp_mlp_objective_get(&mo);
    CHECK(f.hvp_block != NULL, "the MLP objective has a block HVP");
    n = f.n;
    V = (llp_real *)malloc(6 * n * sizeof(llp_real));
    HB = (llp_real *)malloc(6 * n * sizeof(llp_real));
    H1 = (llp_real *)malloc(n * sizeof(llp_real));
    llp_rng_fill_normal(&rng, V, 6 * n);
    CHECK_OK(llp_objective_hvp_block(&f, m.theta, V, 6, NULL, HB));
    for (j = 0; j < 6; j++) {
        double e;
        CHECK_OK(llp_objective_hvp(&f, m.theta, V + j * n, NULL, H1));
        e = rel_err(HB + j * n, H1, n);
        if (e > worst) worst = e;
    }
    CHECK(worst <= TOL(1e-12, 1e-6), "objective block HVP equals single HVPs (worst rel %.2e)", worst);
    CHECK(llp_objective_hvp_block(&f, m.theta, V, 0, NULL, HB) == LLP_OK, "k = 0 is a no-op");
    llp_mlp_objective_free(&mo);
    llp_mlp_free(&m);
    free(V);
    free(HB);
    free(H1);
    llp_data_free(&data);

    /* a landscape has no block HVP: the loop over hvp is used */
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_ROSENBROCK;
    ld.n = 5;
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    f = llp_landscape_objective(&ls);
    {
        llp_real x[5] = {0.3f, -0.2f, 1.1f, 0.7f, -0.5f}, Vl[10], HBl[10], Hs[5];
        llp_rng_fill_normal(&rng, Vl, 10);
        CHECK_OK(llp_objective_hvp_block(&f, x, Vl, 2, NULL, HBl));
        for (j = 0; j < 2; j++) {
            CHECK_OK(llp_objective_hvp(&f, x, Vl + 5 * j, NULL, Hs));
            CHECK(memcmp(Hs, HBl + 5 * j, sizeof Hs) == 0, "landscape block product %lu equals its single product",
                  (unsigned long)j);
        }
    }
    llp_landscape_free(&ls);
}

static void test_mae_block_unsupported(void) {
    llp_rng rng;
    llp_data data;
    llp_mlp m;
    llp_mlp_desc d;
    llp_mlp_work w;
    llp_real *V, *H;
    llp_rng_seed(&rng, 4);
    CHECK_OK(llp_data_sine(&data, 20, 0.1, &rng));
    memset(&d, 0, sizeof d);
    d.n_layers = 2;
    d.sizes[0] = 1;
    d.sizes[1] = 5;
    d.sizes[2] = 1;
    d.loss = LLP_LOSS_MAE;
    CHECK_OK(llp_mlp_init(&m, &d));
    CHECK_OK(llp_mlp_work_init_block(&w, &m, 8, 2));
    V = (llp_real *)calloc(3 * m.n_params, sizeof(llp_real));
    H = (llp_real *)calloc(3 * m.n_params, sizeof(llp_real));
    CHECK(llp_mlp_hvp_block(&m, m.theta, V, 3, &data, NULL, H, NULL, &w) == LLP_ERR_UNSUPPORTED,
          "MAE block HVP: LLP_ERR_UNSUPPORTED");
    free(V);
    free(H);
    llp_mlp_work_free(&w);
    llp_mlp_free(&m);
    llp_data_free(&data);
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_block_equals_single);
    LLP_RUN(test_objective_block);
    LLP_RUN(test_mae_block_unsupported);
    return llp_test_summary();
}
