/* Threads (OpenMP builds only): every evaluation gives bitwise the same
   result with 1 and 2 threads. The dense products split panels of C between
   threads, never the k sums, so this is an exact identity, not a tolerance.
   The network is big enough (512 x 784 x 64 products) for the kernels to go
   parallel; the test also checks that 2 threads were actually available. */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"
#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

typedef struct outputs {
    llp_real loss_only, loss, *grad, *hv, *gv, *hb, *dx;
} outputs;

static void evaluate(const llp_mlp *m, const llp_data *data, llp_mlp_work *w, const llp_real *V, outputs *o) {
    size_t idx[300], i;
    llp_batch b;
    for (i = 0; i < 300; i++) idx[i] = (i * 37 + 5) % data->n;
    b = llp_batch_index(idx, 300);
    CHECK_OK(llp_mlp_loss_grad(m, m->theta, data, NULL, &o->loss_only, NULL, w));
    CHECK_OK(llp_mlp_loss_grad(m, m->theta, data, &b, &o->loss, o->grad, w));
    CHECK_OK(llp_mlp_hvp(m, m->theta, V, data, NULL, o->hv, NULL, w));
    CHECK_OK(llp_mlp_gnvp(m, m->theta, V, data, &b, o->gv, w));
    CHECK_OK(llp_mlp_hvp_block(m, m->theta, V, 3, data, NULL, o->hb, NULL, w));
    CHECK_OK(llp_mlp_input_grad(m, m->theta, data, &b, o->dx, NULL, w));
}

static void test_one_vs_two_threads(void) {
#ifdef _OPENMP
    llp_rng rng;
    llp_data data;
    llp_mlp m;
    llp_mlp_desc d;
    llp_mlp_work w;
    llp_real *V;
    outputs o[2];
    size_t n;
    int t;
    llp_rng_seed(&rng, 77);
    CHECK_OK(llp_data_blobs(&data, 700, 784, 10, 2.0, &rng));
    memset(&d, 0, sizeof d);
    d.n_layers = 3;
    d.sizes[0] = 784;
    d.sizes[1] = 64;
    d.sizes[2] = 48;
    d.sizes[3] = 10;
    d.weight_decay = 1e-3;
    CHECK_OK(llp_mlp_init(&m, &d));
    llp_mlp_randomize(&m, m.theta, &rng);
    CHECK_OK(llp_mlp_work_init_block(&w, &m, 512, 3));
    n = m.n_params;
    V = (llp_real *)malloc(3 * n * sizeof(llp_real));
    llp_rng_fill_normal(&rng, V, 3 * n);
    for (t = 0; t < 2; t++) {
        o[t].grad = (llp_real *)malloc(n * sizeof(llp_real));
        o[t].hv = (llp_real *)malloc(n * sizeof(llp_real));
        o[t].gv = (llp_real *)malloc(n * sizeof(llp_real));
        o[t].hb = (llp_real *)malloc(3 * n * sizeof(llp_real));
        o[t].dx = (llp_real *)malloc(300 * 784 * sizeof(llp_real));
        omp_set_num_threads(t + 1);
        CHECK(omp_get_max_threads() == t + 1, "omp_set_num_threads(%d) took effect", t + 1);
        evaluate(&m, &data, &w, V, &o[t]);
    }
    CHECK(memcmp(&o[0].loss_only, &o[1].loss_only, sizeof(llp_real)) == 0, "loss only: same bits");
    CHECK(memcmp(&o[0].loss, &o[1].loss, sizeof(llp_real)) == 0, "loss: same bits");
    CHECK(memcmp(o[0].grad, o[1].grad, n * sizeof(llp_real)) == 0, "gradient: same bits with 1 and 2 threads");
    CHECK(memcmp(o[0].hv, o[1].hv, n * sizeof(llp_real)) == 0, "HVP: same bits with 1 and 2 threads");
    CHECK(memcmp(o[0].gv, o[1].gv, n * sizeof(llp_real)) == 0, "Gauss-Newton product: same bits");
    CHECK(memcmp(o[0].hb, o[1].hb, 3 * n * sizeof(llp_real)) == 0, "block HVP: same bits");
    CHECK(memcmp(o[0].dx, o[1].dx, 300 * 784 * sizeof(llp_real)) == 0, "input gradient: same bits");
    for (t = 0; t < 2; t++) {
        free(o[t].grad);
        free(o[t].hv);
        free(o[t].gv);
        free(o[t].hb);
        free(o[t].dx);
    }
    free(V);
    llp_mlp_work_free(&w);
    llp_mlp_free(&m);
    llp_data_free(&data);
#else
    CHECK(0, "test_threads is registered only for OpenMP builds, yet _OPENMP is not defined");
#endif
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_one_vs_two_threads);
    return llp_test_summary();
}
