/* Directions for slices (llp_direction_*), checked against their definitions
   computed here independently on the MLP's row layout:
   - FILTER: every weight row (one neuron's inputs) of the direction has the
     norm of theta's row, and points where the drawn row pointed (cosine 1);
     biases are zero, or (NORMALIZE) each layer's bias vector has the norm of
     theta's;
   - LAYER: each weight matrix has theta's Frobenius norm; MODEL: ||d|| =
     ||theta||; NONE: the draw itself;
   - Rademacher draws are +-1 before normalisation; the same seed gives the
     same bits;
   - the gradient direction is -g/||g|| scaled to ||theta|| (g from the
     objective);
   - Gram–Schmidt leaves d2 orthogonal to d1 (|cos| < 1e-12), with its norm
     kept, and reports the cosine before.
   Norms are sums of O(1) squares: 1e-12 relative (float build 1e-5). */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"
#include <stdlib.h>

#define DIR_TOL TOL(1e-12, 1e-5)

static double nrm(const llp_real *x, size_t n) {
    double s = 0;
    size_t i;
    for (i = 0; i < n; i++) s += (double)x[i] * x[i];
    return sqrt(s);
}

static double dotp(const llp_real *x, const llp_real *y, size_t n) {
    double s = 0;
    size_t i;
    for (i = 0; i < n; i++) s += (double)x[i] * y[i];
    return s;
}

static void make_mlp(llp_mlp *m, llp_rng *rng) {
    llp_mlp_desc d;
    memset(&d, 0, sizeof d);
    d.n_layers = 3, d.sizes[0] = 5, d.sizes[1] = 7, d.sizes[2] = 4, d.sizes[3] = 3;
    CHECK_OK(llp_mlp_init(m, &d));
    llp_mlp_randomize(m, m->theta, rng);
    {
        size_t i;
        for (i = 0; i < m->n_params; i++) m->theta[i] += (llp_real)(0.1 * llp_rng_normal(rng)); /* nonzero biases */
    }
}

static void test_filter_layer_model(void) {
    llp_rng rng, r2;
    llp_mlp m;
    llp_real *d, *raw;
    size_t n;
    int l, kind, bias;
    llp_rng_seed(&rng, 3);
    make_mlp(&m, &rng);
    n = m.n_params;
    d = (llp_real *)malloc(2 * n * sizeof(llp_real));
    raw = d + n;
    for (kind = 0; kind < 4; kind++)
        for (bias = 0; bias < 2; bias++) {
            double worst = 0, worst_cos = 0;
            llp_rng_seed(&r2, 77);
            CHECK_OK(llp_direction_random(&m, m.theta, n, LLP_DIR_GAUSSIAN, (llp_dir_norm)kind, (llp_dir_bias)bias, &r2,
                                          d));
            llp_rng_seed(&r2, 77);
            llp_rng_fill_normal(&r2, raw, n); /* the same draw, unnormalised */
            if (kind == LLP_DIR_NORM_MODEL) {
                worst = fabs(nrm(d, n) - nrm(m.theta, n)) / nrm(m.theta, n);
                worst_cos = 1 - dotp(d, raw, n) / (nrm(d, n) * nrm(raw, n));
            } else if (kind == LLP_DIR_NORM_NONE) {
                CHECK(memcmp(d, raw, n * sizeof(llp_real)) == 0, "NONE leaves the draw");
            } else {
                for (l = 0; l < m.n_layers; l++) {
                    size_t in = (size_t)m.sizes[l], out = (size_t)m.sizes[l + 1], r;
                    const llp_real *dw = d + m.w_off[l], *tw = m.theta + m.w_off[l], *rw = raw + m.w_off[l];
                    const llp_real *db = d + m.b_off[l], *tb = m.theta + m.b_off[l];
                    if (kind == LLP_DIR_NORM_FILTER) {
                        for (r = 0; r < out; r++) {
                            double e = fabs(nrm(dw + r * in, in) - nrm(tw + r * in, in)) / nrm(tw + r * in, in);
                            double c = 1 - dotp(dw + r * in, rw + r * in, in) /
                                               (nrm(dw + r * in, in) * nrm(rw + r * in, in));
                            if (e > worst) worst = e;
                            if (fabs(c) > worst_cos) worst_cos = fabs(c);
                        }
                    } else {
                        double e = fabs(nrm(dw, in * out) - nrm(tw, in * out)) / nrm(tw, in * out);
                        if (e > worst) worst = e;
                    }
                    if (bias == LLP_DIR_BIAS_ZERO) {
                        CHECK(nrm(db, out) == 0, "layer %d: biases zeroed", l);
                    } else {
                        double e = fabs(nrm(db, out) - nrm(tb, out)) / nrm(tb, out);
                        if (e > worst) worst = e;
                    }
                }
            }
            CHECK(worst <= DIR_TOL, "norm kind %d bias %d: worst relative norm error %.2g", kind, bias, worst);
            CHECK(worst_cos <= DIR_TOL, "norm kind %d: direction kept (1 - cos = %.2g)", kind, worst_cos);
        }
    /* Rademacher before normalisation, and determinism */
    llp_rng_seed(&r2, 9);
    CHECK_OK(llp_direction_random(&m, m.theta, n, LLP_DIR_RADEMACHER, LLP_DIR_NORM_NONE, LLP_DIR_BIAS_ZERO, &r2, d));
    {
        size_t i, bad = 0;
        for (i = 0; i < n; i++) bad += d[i] != 1 && d[i] != -1;
        CHECK(bad == 0, "Rademacher entries are +-1 (%lu not)", (unsigned long)bad);
    }
    llp_rng_seed(&r2, 9);
    CHECK_OK(llp_direction_random(&m, m.theta, n, LLP_DIR_RADEMACHER, LLP_DIR_NORM_NONE, LLP_DIR_BIAS_ZERO, &r2, raw));
    CHECK(memcmp(d, raw, n * sizeof(llp_real)) == 0, "same seed, same bits");
    /* a zero row of theta gives a zero row of d */
    llp_fill(0, m.theta + m.w_off[1], (size_t)m.sizes[1]);
    CHECK_OK(llp_direction_random(&m, m.theta, n, LLP_DIR_GAUSSIAN, LLP_DIR_NORM_FILTER, LLP_DIR_BIAS_ZERO, &r2, d));
    CHECK(nrm(d + m.w_off[1], (size_t)m.sizes[1]) == 0, "zero theta row -> zero direction row");
    /* errors */
    CHECK(llp_direction_random(NULL, m.theta, n, LLP_DIR_GAUSSIAN, LLP_DIR_NORM_FILTER, LLP_DIR_BIAS_ZERO, &r2, d) ==
              LLP_ERR_ARG,
          "FILTER without the model -> ARG");
    CHECK(llp_direction_normalize(&m, m.theta, n - 1, LLP_DIR_NORM_LAYER, LLP_DIR_BIAS_ZERO, d) == LLP_ERR_ARG,
          "wrong length -> ARG");
    CHECK(llp_direction_normalize(NULL, m.theta, n, (llp_dir_norm)9, LLP_DIR_BIAS_ZERO, d) == LLP_ERR_ARG,
          "unknown kind -> ARG");
    free(d);
    llp_mlp_free(&m);
}

static void test_gradient_and_gram_schmidt(void) {
    llp_rng rng;
    llp_mlp m;
    llp_data data;
    llp_mlp_objective mo;
    llp_objective f;
    llp_real *d, *g, *d2, loss;
    double c, c0;
    size_t n, i;
    llp_rng_seed(&rng, 5);
    make_mlp(&m, &rng);
    n = m.n_params;
    CHECK_OK(llp_data_blobs(&data, 40, 5, 3, 1.0, &rng));
    CHECK_OK(llp_mlp_objective_init(&mo, &m, &data, 0));
    f = llp_mlp_objective_get(&mo);
    d = (llp_real *)malloc(3 * n * sizeof(llp_real));
    g = d + n, d2 = g + n;
    CHECK_OK(llp_direction_gradient(&f, m.theta, NULL, d));
    CHECK_OK(llp_objective_loss_grad(&f, m.theta, NULL, &loss, g));
    c = dotp(d, g, n) / (nrm(d, n) * nrm(g, n));
    CHECK_CLOSE(c, -1, DIR_TOL, "gradient direction is -g");
    CHECK_CLOSE(nrm(d, n), nrm(m.theta, n), DIR_TOL, "and has ||theta||");
    /* Gram–Schmidt */
    for (i = 0; i < n; i++) d2[i] = (llp_real)(0.6 * d[i] + llp_rng_normal(&rng));
    c0 = dotp(d, d2, n) / (nrm(d, n) * nrm(d2, n));
    {
        double n2 = nrm(d2, n), cb = 0;
        CHECK_OK(llp_direction_orthogonalize(d, d2, n, &cb));
        CHECK_CLOSE(cb, c0, DIR_TOL, "cosine before reported");
        CHECK(fabs(dotp(d, d2, n)) / (nrm(d, n) * nrm(d2, n)) < TOL(1e-12, 1e-6), "orthogonal after");
        CHECK_CLOSE(nrm(d2, n), n2, DIR_TOL, "norm kept");
    }
    llp_copy(d, d2, n);
    CHECK(llp_direction_orthogonalize(d, d2, n, &c) == LLP_ERR_ARG && fabs(c - 1) < 1e-12,
          "parallel directions: no plane (ARG), cosine 1 reported");
    free(d);
    llp_mlp_objective_free(&mo);
    llp_data_free(&data);
    llp_mlp_free(&m);
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_filter_layer_model);
    LLP_RUN(test_gradient_and_gram_schmidt);
    return llp_test_summary();
}
