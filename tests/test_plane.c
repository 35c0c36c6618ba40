/* The plane evaluator llp_mlp_plane_loss against the plain loss at each point.

   Reference: llp_mlp_loss_grad (grad = NULL) and llp_mlp_accuracy at the
   parameter vector theta + a d1 + b d2 formed explicitly. That path multiplies
   X by the formed first-layer weights; the plane evaluator instead combines
   the stored products X W^T, X D1^T, X D2^T. The two are algebraically equal
   and differ by rounding of sums of O(1) terms: tolerance 1e-12 relative on
   the loss (a wrong coefficient, a missing bias term or a stale chunk is
   O(1e-2) or more). Float build: the same sums in float, measured worst
   3e-7: 2e-5. Accuracy counts argmaxes; the data below has no near ties, so
   they must be equal.

   Covered: every activation, the four losses (MAE too: no curvature needed),
   one to three layers, weight decay, lines (d2 = NULL) and planes, ALL,
   RANGE and INDEX batches, chunks smaller than the batch (partial last
   chunk), a 51-point scan through a (-1, 1) grid, argument errors, and that
   theta, d1, d2 and the data are left untouched. */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"
#include <stdlib.h>

#define PLANE_TOL TOL(1e-12, 2e-5)

static void form_point(const llp_real *theta, const llp_real *d1, const llp_real *d2, double a, double b,
                       llp_real *out, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) out[i] = (llp_real)(theta[i] + (llp_real)a * d1[i] + (d2 ? (llp_real)b * d2[i] : 0));
}

static void check_case(llp_act act, llp_loss loss, int nl, const int *sizes, double wd, size_t chunk, int use_d2,
                       int batch_kind) {
    llp_rng rng;
    llp_data data;
    llp_mlp m;
    llp_mlp_desc d;
    llp_mlp_work w;
    llp_batch batch;
    llp_real *d1, *d2, *tp, *keep, *pl, pa[9], pb[9];
    double acc[9], worst = 0;
    size_t n, i, idx[23], npts = 9, N = 37;
    int l, cls;
    memset(&data, 0, sizeof data);
    memset(&d, 0, sizeof d);
    llp_rng_seed(&rng, 7000 + (uint64_t)act * 31 + (uint64_t)loss * 7 + (uint64_t)nl);
    d.n_layers = nl;
    for (l = 0; l <= nl; l++) d.sizes[l] = sizes[l];
    d.act = act;
    d.loss = loss;
    d.weight_decay = wd;
    CHECK_OK(llp_mlp_init(&m, &d));
    llp_mlp_randomize(&m, m.theta, &rng);
    n = m.n_params;
    cls = loss == LLP_LOSS_SOFTMAX_CE || loss == LLP_LOSS_BCE;
    if (loss == LLP_LOSS_SOFTMAX_CE) {
        CHECK_OK(llp_data_blobs(&data, N, (size_t)sizes[0], (size_t)sizes[nl], 1.5, &rng));
    } else if (loss == LLP_LOSS_BCE) {
        CHECK_OK(llp_data_alloc(&data, N, (size_t)sizes[0], LLP_TASK_CLASSIFICATION, 2));
        llp_rng_fill_normal(&rng, data.x, N * (size_t)sizes[0]);
        for (i = 0; i < N; i++) data.labels[i] = (int)(llp_rng_next(&rng) >> 63);
    } else {
        CHECK_OK(llp_data_alloc(&data, N, (size_t)sizes[0], LLP_TASK_REGRESSION, (size_t)sizes[nl]));
        llp_rng_fill_normal(&rng, data.x, N * (size_t)sizes[0]);
        llp_rng_fill_normal(&rng, data.y, N * (size_t)sizes[nl]);
    }
    CHECK_OK(llp_mlp_work_init(&w, &m, chunk));
    d1 = (llp_real *)malloc(5 * n * sizeof(llp_real));
    d2 = d1 + n, tp = d2 + n, keep = tp + n, pl = keep + n;
    llp_rng_fill_normal(&rng, d1, n);
    llp_rng_fill_normal(&rng, d2, n);
    llp_scale((llp_real)0.3, d1, n);
    llp_scale((llp_real)0.3, d2, n);
    for (i = 0; i < 23; i++) idx[i] = (size_t)llp_rng_below(&rng, N);
    batch = batch_kind == 0 ? llp_batch_all() : batch_kind == 1 ? llp_batch_range(5, 29) : llp_batch_index(idx, 23);
    for (i = 0; i < npts; i++) {
        pa[i] = (llp_real)(-1 + 0.25 * (double)i);
        pb[i] = (llp_real)(0.9 - 0.2 * (double)i);
    }
    pa[4] = 0, pb[4] = 0; /* theta itself */
    llp_copy(m.theta, keep, n);
    CHECK_OK(llp_mlp_plane_loss(&m, m.theta, d1, use_d2 ? d2 : NULL, &data, &batch, pa, use_d2 ? pb : NULL, npts,
                                pl, cls ? acc : NULL, &w));
    CHECK(memcmp(keep, m.theta, n * sizeof(llp_real)) == 0, "theta untouched");
    for (i = 0; i < npts; i++) {
        llp_real ref = 0;
        double ra = -1;
        form_point(m.theta, d1, use_d2 ? d2 : NULL, pa[i], pb[i], tp, n);
        CHECK_OK(llp_mlp_loss_grad(&m, tp, &data, &batch, &ref, NULL, &w));
        {
            double e = fabs((double)pl[i] - ref) / (fabs((double)ref) > 1e-300 ? fabs((double)ref) : 1);
            if (e > worst) worst = e;
        }
        if (cls) {
            CHECK_OK(llp_mlp_accuracy(&m, tp, &data, &batch, &ra, &w));
            CHECK(acc[i] == ra, "%s/%s point %zu: accuracy %.6f vs %.6f", llp_act_name(act), llp_loss_name(loss), i,
                  acc[i], ra);
        }
    }
    CHECK(worst <= PLANE_TOL, "%s/%s %d layers chunk %zu %s batch %d wd %g: worst relative loss error %.3g <= %.1e",
          llp_act_name(act), llp_loss_name(loss), nl, chunk, use_d2 ? "plane" : "line", batch_kind, wd, worst,
          PLANE_TOL);
    free(d1);
    llp_mlp_work_free(&w);
    llp_data_free(&data);
    llp_mlp_free(&m);
}

static void test_activations_and_losses(void) {
    static const int s3[] = {3, 6, 5, 4}, s3r[] = {3, 6, 5, 2}, s3b[] = {3, 6, 5, 1};
    int a;
    for (a = 0; a < 7; a++) {
        llp_act act = (llp_act)(a + 1);
        check_case(act, LLP_LOSS_SOFTMAX_CE, 3, s3, 0, 16, 1, 0);
        check_case(act, LLP_LOSS_MSE, 3, s3r, 1e-3, 16, 1, 2);
    }
    check_case(LLP_ACT_TANH, LLP_LOSS_MAE, 3, s3r, 0, 64, 1, 1);
    check_case(LLP_ACT_TANH, LLP_LOSS_BCE, 3, s3b, 0, 64, 1, 0);
}

static void test_shapes_batches_chunks(void) {
    static const int s1[] = {4, 3}, s2[] = {5, 8, 3}, s3[] = {3, 7, 7, 3};
    int bk, c2;
    for (bk = 0; bk < 3; bk++)
        for (c2 = 0; c2 < 2; c2++) {
            check_case(LLP_ACT_TANH, LLP_LOSS_SOFTMAX_CE, 1, s1, 0, 64, c2, bk);
            check_case(LLP_ACT_RELU, LLP_LOSS_SOFTMAX_CE, 2, s2, 1e-2, 7, c2, bk);
            check_case(LLP_ACT_GELU, LLP_LOSS_SOFTMAX_CE, 3, s3, 0, 5, c2, bk);
            check_case(LLP_ACT_TANH, LLP_LOSS_SOFTMAX_CE, 3, s3, 5e-3, 64, c2, bk);
        }
}

/* A 51 x 51 grid scan line by line equals 51 calls of 51 points, and the
   middle point of the grid is the loss at theta. */
static void test_grid_rows(void) {
    static const int s[] = {4, 12, 12, 3};
    llp_rng rng;
    llp_data data;
    llp_mlp m;
    llp_mlp_desc d;
    llp_mlp_work w;
    llp_real *d1, *d2, *ga, *gb, *all, row[51], l0;
    size_t n, i, j;
    int mismatch = 0;
    memset(&d, 0, sizeof d);
    llp_rng_seed(&rng, 99);
    d.n_layers = 3;
    for (i = 0; i < 4; i++) d.sizes[i] = s[i];
    d.act = LLP_ACT_TANH;
    d.loss = LLP_LOSS_SOFTMAX_CE;
    CHECK_OK(llp_mlp_init(&m, &d));
    llp_mlp_randomize(&m, m.theta, &rng);
    n = m.n_params;
    CHECK_OK(llp_data_blobs(&data, 200, 4, 3, 1.0, &rng));
    CHECK_OK(llp_mlp_work_init(&w, &m, 64));
    d1 = (llp_real *)malloc((2 * n + 3 * 2601) * sizeof(llp_real));
    d2 = d1 + n, ga = d2 + n, gb = ga + 2601, all = gb + 2601;
    llp_rng_fill_normal(&rng, d1, n);
    llp_rng_fill_normal(&rng, d2, n);
    for (j = 0; j < 51; j++)
        for (i = 0; i < 51; i++) {
            ga[j * 51 + i] = (llp_real)(-1 + 2 * (double)i / 50);
            gb[j * 51 + i] = (llp_real)(-1 + 2 * (double)j / 50);
        }
    CHECK_OK(llp_mlp_plane_loss(&m, m.theta, d1, d2, &data, NULL, ga, gb, 2601, all, NULL, &w));
    for (j = 0; j < 51; j++) {
        CHECK_OK(llp_mlp_plane_loss(&m, m.theta, d1, d2, &data, NULL, ga + j * 51, gb + j * 51, 51, row, NULL, &w));
        for (i = 0; i < 51; i++) mismatch += row[i] != all[j * 51 + i];
    }
    CHECK(mismatch == 0, "row-by-row scan equals the one-call grid bit for bit (%d differ)", mismatch);
    CHECK_OK(llp_mlp_loss_grad(&m, m.theta, &data, NULL, &l0, NULL, &w));
    CHECK_CLOSE(all[25 * 51 + 25], l0, PLANE_TOL, "grid centre = loss at theta");
    free(d1);
    llp_mlp_work_free(&w);
    llp_data_free(&data);
    llp_mlp_free(&m);
}

static void test_errors(void) {
    static const int s[] = {2, 4, 2};
    llp_rng rng;
    llp_data data, reg;
    llp_mlp m;
    llp_mlp_desc d;
    llp_mlp_work w;
    llp_real *d1, a[2] = {0, 1}, b[2] = {0, 1}, out[2] = {-7, -7};
    double acc[2];
    size_t n;
    memset(&d, 0, sizeof d);
    llp_rng_seed(&rng, 5);
    d.n_layers = 2;
    d.sizes[0] = 2, d.sizes[1] = 4, d.sizes[2] = 2;
    (void)s;
    d.act = LLP_ACT_TANH;
    d.loss = LLP_LOSS_SOFTMAX_CE;
    CHECK_OK(llp_mlp_init(&m, &d));
    llp_mlp_randomize(&m, m.theta, &rng);
    n = m.n_params;
    CHECK_OK(llp_data_blobs(&data, 20, 2, 2, 1.0, &rng));
    CHECK_OK(llp_data_alloc(&reg, 20, 2, LLP_TASK_REGRESSION, 2));
    CHECK_OK(llp_mlp_work_init(&w, &m, 8));
    d1 = (llp_real *)calloc(n, sizeof(llp_real));
    CHECK(llp_mlp_plane_loss(&m, m.theta, d1, NULL, &data, NULL, a, b, 2, out, NULL, &w) == LLP_ERR_ARG,
          "b without d2 -> ARG");
    CHECK(llp_mlp_plane_loss(&m, m.theta, d1, d1 + 0, &data, NULL, a, NULL, 2, out, NULL, &w) == LLP_ERR_ARG,
          "d2 without b -> ARG");
    CHECK(llp_mlp_plane_loss(&m, m.theta, d1, NULL, &data, NULL, a, NULL, 0, out, NULL, &w) == LLP_ERR_ARG,
          "no points -> ARG");
    CHECK(llp_mlp_plane_loss(&m, m.theta, m.theta, NULL, &data, NULL, a, NULL, 2, out, NULL, &w) == LLP_ERR_ARG,
          "d1 aliasing theta -> ARG");
    CHECK(llp_mlp_plane_loss(&m, m.theta, d1, NULL, &reg, NULL, a, NULL, 2, out, acc, &w) == LLP_ERR_SHAPE,
          "regression data on a softmax model -> SHAPE");
    data.labels[3] = 9;
    CHECK(llp_mlp_plane_loss(&m, m.theta, d1, NULL, &data, NULL, a, NULL, 2, out, acc, &w) == LLP_ERR_LABEL,
          "label out of range -> LABEL");
    CHECK(out[0] == -7 && out[1] == -7, "outputs untouched on error");
    data.labels[3] = 1;
    CHECK_OK(llp_mlp_plane_loss(&m, m.theta, d1, NULL, &data, NULL, a, NULL, 2, out, acc, &w));
    CHECK(out[0] == out[1], "a zero direction gives the same loss everywhere");
    free(d1);
    llp_mlp_work_free(&w);
    llp_data_free(&reg);
    llp_data_free(&data);
    llp_mlp_free(&m);
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_activations_and_losses);
    LLP_RUN(test_shapes_batches_chunks);
    LLP_RUN(test_grid_rows);
    LLP_RUN(test_errors);
    return llp_test_summary();
}
