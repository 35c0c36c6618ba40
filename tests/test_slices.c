/* 1-D slices and interpolations (llp_slice_line, llp_slice_interpolate).

   References computed here, independently of the slice code:
   - on the analytic quadratic (closed form via llp_landscape_eval at the
     formed point), every point of a line slice equals the loss at
     theta + alpha d to rounding (1e-13 relative; float 1e-5), alpha = 0 is a
     grid point even when the even grid misses it, and the grid is ascending;
   - along the segment between the quartic's two minima (1-D, x^4 - 2x^2 +
     0.5x: global at -1.0574, local at 0.9304), both barrier definitions
     equal the sup over the same grid computed by hand, and the barrier is
     attained near the local maximum x = 0.1284 (within one grid step);
   - an MLP's slice carries training and validation accuracies equal to
     llp_mlp_accuracy at the formed points;
   - bad arguments give LLP_ERR_ARG and write nothing. */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"
#include <stdlib.h>

static void test_line_quadratic(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f;
    llp_slice s;
    llp_rng rng;
    llp_real x[6], d[6], p[6], l;
    size_t i, j;
    double worst = 0;
    int asc = 1, has0 = 0;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = 6, ld.cond = 50, ld.rotate = 1;
    llp_rng_seed(&rng, 4);
    CHECK_OK(llp_landscape_init(&ls, &ld, &rng));
    f = llp_landscape_objective(&ls);
    llp_rng_fill_normal(&rng, x, 6);
    llp_rng_fill_normal(&rng, d, 6);
    CHECK_OK(llp_slice_line(&f, NULL, x, d, -0.7, 1.3, 10, &s)); /* step 2/9: 0 is not a grid point */
    CHECK(s.points == 11, "10 grid points plus alpha = 0 (%lu)", (unsigned long)s.points);
    for (i = 0; i < s.points; i++) {
        for (j = 0; j < 6; j++) p[j] = (llp_real)(x[j] + s.alpha[i] * d[j]);
        CHECK_OK(llp_landscape_eval(&ls, p, &l, NULL));
        if (fabs(s.train_loss[i] - l) / fabs((double)l) > worst) worst = fabs(s.train_loss[i] - l) / fabs((double)l);
        if (i && !(s.alpha[i] > s.alpha[i - 1])) asc = 0;
        if (s.alpha[i] == 0) has0 = 1;
        CHECK(s.val_loss[i] != s.val_loss[i] && s.train_acc[i] != s.train_acc[i], "absent columns are NaN");
    }
    CHECK(worst <= TOL(1e-13, 1e-5), "slice = loss at the formed point (worst %.2g)", worst);
    CHECK(asc && has0 && s.alpha[s.zero_index] == 0, "ascending, alpha = 0 included at zero_index");
    CHECK(s.alpha[0] == -0.7 && s.alpha[s.points - 1] == 1.3, "ends exact");
    CHECK(s.evals == s.points, "one evaluation per point");
    /* both writers, read back: every number exact (%.17g), NaN as "nan" */
    {
        int csv;
        for (csv = 0; csv < 2; csv++) {
            FILE *fp;
            char line[512];
            size_t rows = 0, comments = 0, bad = 0;
            CHECK_OK(llp_slice_write(&s, "slice_test.dat", "test\nsecond line", csv, NULL));
            fp = fopen("slice_test.dat", "r");
            CHECK(fp != NULL, "written");
            while (fp && fgets(line, sizeof line, fp)) {
                char *p = line, *e;
                int c;
                if (line[0] == '#') {
                    comments++;
                    continue;
                }
                if (line[0] == 'a') { /* the CSV column line */
                    bad += strcmp(line, "alpha,train_loss,val_loss,train_acc,val_acc\n") != 0;
                    continue;
                }
                for (c = 0; c < 5; c++) {
                    double v = strtod(p, &e), want = c == 0 ? s.alpha[rows] : c == 1 ? s.train_loss[rows] : NAN;
                    if (e == p || (want == want ? v != want : v == v)) bad++;
                    p = e + (c < 4);
                    if (c < 4 && e[0] != (csv ? ',' : ' ')) bad++;
                }
                rows++;
            }
            if (fp) fclose(fp);
            CHECK(rows == s.points && bad == 0, "%s: %lu rows read back exactly (%lu bad)", csv ? "CSV" : "gnuplot",
                  (unsigned long)rows, (unsigned long)bad);
            CHECK(comments == (csv ? 0u : 3u), "%s: %lu comment lines", csv ? "CSV" : "gnuplot",
                  (unsigned long)comments);
        }
    }
    remove("slice_test.dat");
    llp_slice_free(&s);
    CHECK(llp_slice_line(&f, NULL, x, d, 1, -1, 10, &s) == LLP_ERR_ARG, "b < a -> ARG");
    CHECK(llp_slice_line(&f, NULL, x, d, -1, 1, 1, &s) == LLP_ERR_ARG, "one point -> ARG");
    llp_landscape_free(&ls);
}

static void test_interpolation_barrier(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f;
    llp_slice s;
    llp_barrier b;
    llp_real a = (llp_real)-1.0574, c = (llp_real)0.9304, x, l;
    double la, lb, bm = -1e300, bl = -1e300, tm = 0;
    size_t i;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUARTIC, ld.n = 1;
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    f = llp_landscape_objective(&ls);
    CHECK_OK(llp_slice_interpolate(&f, NULL, &a, &c, -0.25, 1.25, 301, &s, &b));
    CHECK_OK(llp_landscape_eval(&ls, &a, &l, NULL));
    la = l;
    CHECK_OK(llp_landscape_eval(&ls, &c, &l, NULL));
    lb = l;
    CHECK(b.loss_a == la && b.loss_b == lb, "endpoint losses");
    for (i = 0; i < s.points; i++) {
        double t = s.alpha[i];
        if (t < 0 || t > 1) continue;
        x = (llp_real)((1 - t) * a + t * c);
        CHECK_OK(llp_landscape_eval(&ls, &x, &l, NULL));
        if (l - 0.5 * (la + lb) > bm) bm = l - 0.5 * (la + lb), tm = t;
        if (l - ((1 - t) * la + t * lb) > bl) bl = l - ((1 - t) * la + t * lb);
    }
    CHECK(b.barrier_mean == bm && b.t_mean == tm, "mean barrier %.6g = hand sup %.6g", b.barrier_mean, bm);
    CHECK(b.barrier_linear == bl, "linear barrier %.6g = hand sup %.6g", b.barrier_linear, bl);
    x = (llp_real)((1 - b.t_mean) * a + b.t_mean * c);
    CHECK(fabs(x - 0.1284) < 0.01, "barrier at the local maximum (x = %.4f)", (double)x);
    CHECK(b.barrier_mean > 0.5 && b.barrier_linear > b.barrier_mean - 1, "a real barrier (%.3f, %.3f)",
          b.barrier_mean, b.barrier_linear);
    llp_slice_free(&s);
    CHECK(llp_slice_interpolate(&f, NULL, &a, &c, 0.1, 1, 10, &s, &b) == LLP_ERR_ARG, "lo > 0 -> ARG");
    llp_landscape_free(&ls);
}

static void test_mlp_accuracy_columns(void) {
    llp_rng rng;
    llp_mlp m;
    llp_mlp_desc md;
    llp_data tr, va;
    llp_mlp_objective mt, mv;
    llp_objective ft, fv;
    llp_slice s;
    llp_real *d, *p;
    size_t i, j, n;
    int bad = 0;
    llp_rng_seed(&rng, 8);
    memset(&md, 0, sizeof md);
    md.n_layers = 2, md.sizes[0] = 3, md.sizes[1] = 6, md.sizes[2] = 3;
    CHECK_OK(llp_mlp_init(&m, &md));
    llp_mlp_randomize(&m, m.theta, &rng);
    n = m.n_params;
    CHECK_OK(llp_data_blobs(&tr, 60, 3, 3, 1.0, &rng));
    CHECK_OK(llp_data_blobs(&va, 30, 3, 3, 1.0, &rng));
    CHECK_OK(llp_mlp_objective_init(&mt, &m, &tr, 0));
    CHECK_OK(llp_mlp_objective_init(&mv, &m, &va, 0));
    ft = llp_mlp_objective_get(&mt);
    fv = llp_mlp_objective_get(&mv);
    d = (llp_real *)malloc(2 * n * sizeof(llp_real));
    p = d + n;
    CHECK_OK(llp_direction_random(&m, m.theta, n, LLP_DIR_GAUSSIAN, LLP_DIR_NORM_FILTER, LLP_DIR_BIAS_ZERO, &rng, d));
    CHECK_OK(llp_slice_line(&ft, &fv, m.theta, d, -1, 1, 21, &s));
    for (i = 0; i < s.points; i++) {
        double at, av;
        for (j = 0; j < n; j++) p[j] = (llp_real)(m.theta[j] + s.alpha[i] * d[j]);
        CHECK_OK(llp_mlp_accuracy(&m, p, &tr, NULL, &at, &mt.work));
        CHECK_OK(llp_mlp_accuracy(&m, p, &va, NULL, &av, &mv.work));
        bad += at != s.train_acc[i] || av != s.val_acc[i];
    }
    CHECK(bad == 0 && s.points == 21, "accuracy columns equal llp_mlp_accuracy (%d differ)", bad);
    llp_slice_free(&s);
    free(d);
    llp_mlp_objective_free(&mt);
    llp_mlp_objective_free(&mv);
    llp_data_free(&tr);
    llp_data_free(&va);
    llp_mlp_free(&m);
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_line_quadratic);
    LLP_RUN(test_interpolation_barrier);
    LLP_RUN(test_mlp_accuracy_columns);
    return llp_test_summary();
}
