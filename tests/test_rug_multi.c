/* Input-space probes (llp_input_probe) and multi-start difficulty
   (llp_multistart).

   References, each computed here independently of the code under test:
   - Linear model (one dense layer, MSE on one output, weight decay 0.3 that
     must not enter): the per-sample loss is r^2, r = w.x + b - y, so the
     input gradient is 2 r w, ||g||_2 = 2|r| ||w||_2, ||g||_1 = 2|r| ||w||_1;
     FGSM moves r by eps ||w||_1 sign(r), so the increase is
     (|r| + eps ||w||_1)^2 - r^2 per sample. All closed forms in double from
     the stored reals: 1e-12 relative (the library sums in a different
     order); float 2e-5 (llp_real outputs of about 1e-7 relative error, and
     the increase is a difference of two such losses, some 10x smaller than
     them). PGD on a linear model ends on the same corner x + eps sign(g) as
     FGSM (its iterates keep the gradient's sign, and k steps of 2.5 eps / k
     overshoot the ball, so the clip puts every coordinate on x +- eps, the
     same reals FGSM forms), so its losses equal FGSM's bit for bit.
   - A trained tanh classifier: the FGSM point is rebuilt here from
     llp_mlp_input_grad over the whole set (times n) and its loss and
     accuracy taken by llp_mlp_loss_grad / llp_mlp_accuracy: 1e-12
     relative (float 1e-5); the accuracy is exact (same forward pass). The
     increase is >= 0 on average (FGSM ascends to first order), equals
     eps mean||g||_1 to first order: the remainder is the quadratic term
     (eps^2/2) s^T H_x s, so at eps = 1e-3 it is below 2% of the first-order
     term (measured 0.23% in both builds) and, in double, it shrinks by 4 +- 1 when eps
     halves (in float the loss difference is rounding-limited: skipped).
     PGD's mean increase is >= FGSM's at eps = 0.3: PGD is a local ascent
     inside the same ball whose first step points the same way, so on
     average it finds more, but per sample it is not guaranteed (a sample
     whose loss is concave along the FGSM corner can end lower): only the
     mean is checked, with 1e-12 slack.
   - A set of 300 samples probed in chunks of 256 gives the per-sample
     gradient norms of one unchunked llp_mlp_input_grad pass times n (1e-12,
     float 1e-5): catches a wrong per-chunk scaling.
   - Multi-start on the 1-D quartic x^4 - 2x^2 + 0.5x (a callback objective
     written here), inits uniform in [-2, 2], gradient descent: every run
     ends at a stationary point found here by bisection (1e-9, float 1e-4);
     the success rate is the fraction of runs with x < 0 (global basin)
     counted from the returned thetas; the barrier from the best to a
     local-basin run is f(x*) - (f(a) + f(b)) / 2 with x* the local maximum
     (root of 4x^3 - 4x + 0.5 in [0, 0.5]) minus at most the grid error
     |f''| (h/2)^2 / 2 <= h^2 / 2 (|f''| <= 4 near x*, h the grid step in
     x); runs in the global basin have barriers ~ 0 (1e-10, float 1e-5).
     evals equal the calls counted by the test's own callback.
   - MLP on spirals: two runs with the same seeds give the same bytes;
     restart 1 equals a hand-made run (init from seed + 1, trainer seed
     td.seed + 1) bit for bit; final losses equal llp_objective_loss at the
     returned thetas; evals equal a counting wrapper's tally and the closed
     form K * steps gradients, K (+ K val) + (K - 1) * points losses.
   - A huge learning rate: every restart diverges, reported (status, NaN
     losses, success 0), not an error; at lr 0.2 (stable at both minima,
     0.2 f'' < 2, but starts with |x| >~ 1.6 overshoot) some runs diverge
     and the rest still succeed iff x < 0, failures in the denominator. Bad arguments: LLP_ERR_ARG /
     LLP_ERR_SHAPE / LLP_ERR_EMPTY, result untouched. */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"
#include <stdlib.h>

/* ---- helpers --------------------------------------------------------------- */

static double rel_err(double a, double b) { return fabs(a - b) / (fabs(b) > 1e-300 ? fabs(b) : 1); }

/* A regression set of n samples with d features, targets ~ N(0, 1). */
static void make_regression(llp_data *dt, size_t n, size_t d, llp_rng *rng) {
    CHECK_OK(llp_data_alloc(dt, n, d, LLP_TASK_REGRESSION, 1));
    llp_rng_fill_normal(rng, dt->x, n * d);
    llp_rng_fill_normal(rng, dt->y, n);
}

/* A small tanh classifier trained briefly on standardised blobs. */
static void make_classifier(llp_mlp *m, llp_real **theta, llp_data *dt, size_t n, uint64_t seed) {
    llp_mlp_desc md;
    llp_rng rng;
    llp_mlp_objective mo;
    llp_objective f;
    llp_trainer tr;
    llp_train_desc td;
    llp_opt_desc od;
    memset(&md, 0, sizeof md);
    md.n_layers = 2, md.sizes[0] = 2, md.sizes[1] = 8, md.sizes[2] = 3;
    md.act = LLP_ACT_TANH, md.loss = LLP_LOSS_SOFTMAX_CE;
    llp_rng_seed(&rng, seed);
    CHECK_OK(llp_data_blobs(dt, n, 2, 3, 1.0, &rng));
    CHECK_OK(llp_data_standardize(dt, NULL, NULL));
    CHECK_OK(llp_mlp_init(m, &md));
    llp_mlp_randomize(m, m->theta, &rng);
    CHECK_OK(llp_mlp_objective_init(&mo, m, dt, 0));
    f = llp_mlp_objective_get(&mo);
    memset(&td, 0, sizeof td);
    memset(&od, 0, sizeof od);
    td.epochs = 60;
    od.kind = LLP_OPT_ADAM, od.lr = 0.03;
    CHECK_OK(llp_trainer_init(&tr, &td, &f, NULL, &od, m->theta));
    CHECK_OK(llp_trainer_run(&tr));
    llp_trainer_free(&tr);
    llp_mlp_objective_free(&mo);
    *theta = m->theta;
}

/* ---- input probes ------------------------------------------------------------ */

static void test_input_linear(void) {
    llp_mlp_desc md;
    llp_mlp m;
    llp_data dt;
    llp_rng rng;
    llp_input_probe_desc pd;
    llp_input_probe_result res;
    size_t idx[15], i, j, n = 25, d = 3;
    llp_real *xcopy, *ycopy;
    double w1 = 0, w2 = 0, ref_l2 = 0, ref_l1 = 0, ref_inc = 0, ref_loss = 0, eps = 0.07;
    llp_batch bt;
    memset(&md, 0, sizeof md);
    md.n_layers = 1, md.sizes[0] = (int)d, md.sizes[1] = 1;
    md.loss = LLP_LOSS_MSE, md.weight_decay = 0.3;
    CHECK_OK(llp_mlp_init(&m, &md));
    llp_rng_seed(&rng, 11);
    llp_rng_fill_normal(&rng, m.theta, m.n_params); /* w then b */
    make_regression(&dt, n, d, &rng);
    for (i = 0; i < 15; i++) idx[i] = (i * 7 + 3) % n; /* 15 distinct rows, shuffled order */
    bt = llp_batch_index(idx, 15);
    xcopy = (llp_real *)malloc(n * d * sizeof(llp_real));
    ycopy = (llp_real *)malloc(n * sizeof(llp_real));
    memcpy(xcopy, dt.x, n * d * sizeof(llp_real));
    memcpy(ycopy, dt.y, n * sizeof(llp_real));
    for (j = 0; j < d; j++) w1 += fabs((double)m.theta[j]), w2 += (double)m.theta[j] * m.theta[j];
    w2 = sqrt(w2);
    for (i = 0; i < 15; i++) {
        const llp_real *x = dt.x + idx[i] * d;
        double r = (double)m.theta[d] - (double)dt.y[idx[i]];
        for (j = 0; j < d; j++) r += (double)m.theta[j] * x[j];
        ref_loss += r * r / 15;
        ref_l2 += 2 * fabs(r) * w2 / 15;
        ref_l1 += 2 * fabs(r) * w1 / 15;
        ref_inc += ((fabs(r) + eps * w1) * (fabs(r) + eps * w1) - r * r) / 15;
    }
    memset(&pd, 0, sizeof pd);
    pd.eps = eps;
    CHECK_OK(llp_input_probe(&m, m.theta, &dt, &bt, &pd, &res));
    CHECK(res.samples == 15 && res.grad_l2.samples == 15, "15 samples probed");
    CHECK(rel_err(res.loss_clean, ref_loss) <= TOL(1e-12, 2e-5), "clean data loss = mean r^2, no decay (%.17g vs %.17g)",
          res.loss_clean, ref_loss);
    CHECK(rel_err(res.grad_l2.value, ref_l2) <= TOL(1e-12, 2e-5), "mean ||g||_2 = 2|r| ||w||_2 (%.17g vs %.17g)",
          res.grad_l2.value, ref_l2);
    CHECK(rel_err(res.grad_l1.value, ref_l1) <= TOL(1e-12, 2e-5), "mean ||g||_1 = 2|r| ||w||_1 (%.17g vs %.17g)",
          res.grad_l1.value, ref_l1);
    CHECK(rel_err(res.first_order, eps * ref_l1) <= TOL(1e-12, 2e-5), "first order = eps mean||g||_1");
    CHECK(rel_err(res.fgsm_increase.value, ref_inc) <= TOL(1e-10, 2e-5),
          "FGSM increase = (|r| + eps||w||_1)^2 - r^2 (%.17g vs %.17g)", res.fgsm_increase.value, ref_inc);
    CHECK(res.fgsm_increase.samples == 15 && res.fgsm_increase.se > 0, "increase is a 15-sample estimate");
    CHECK(res.loss_pgd == res.loss_fgsm && res.pgd_increase.value == res.fgsm_increase.value,
          "PGD ends on the FGSM corner of a linear model (%.17g vs %.17g)", res.loss_pgd, res.loss_fgsm);
    CHECK(rel_err(res.loss_fgsm - res.loss_clean, ref_inc) <= TOL(1e-10, 2e-5), "mean losses agree with the increase");
    CHECK(res.acc_clean != res.acc_clean && res.acc_fgsm != res.acc_fgsm && res.acc_pgd != res.acc_pgd &&
              res.fgsm_acc_drop.samples == 0 && res.pgd_acc_drop.samples == 0,
          "no accuracy for regression");
    CHECK(res.evals.grad == 5 && res.evals.loss == 3 && res.evals.hvp == 0, "evals: 1 + (k-1) = 5 input grads, 3 loss (%lu, %lu)",
          (unsigned long)res.evals.grad, (unsigned long)res.evals.loss);
    CHECK(res.pgd_steps == 5 && res.pgd_alpha == 2.5 * eps / 5 && res.eps == eps, "defaults k = 5, alpha = 2.5 eps / k");
    CHECK(memcmp(xcopy, dt.x, n * d * sizeof(llp_real)) == 0 && memcmp(ycopy, dt.y, n * sizeof(llp_real)) == 0,
          "caller's data untouched");
    /* no PGD */
    pd.no_pgd = 1;
    CHECK_OK(llp_input_probe(&m, m.theta, &dt, &bt, &pd, &res));
    CHECK(res.evals.grad == 1 && res.evals.loss == 2 && res.loss_pgd != res.loss_pgd && res.pgd_increase.samples == 0,
          "no_pgd: 1 grad, 2 losses, PGD fields NaN");
    /* the whole set with default eps: the closed form again */
    ref_inc = 0;
    for (i = 0; i < n; i++) {
        double r = (double)m.theta[d] - (double)dt.y[i];
        for (j = 0; j < d; j++) r += (double)m.theta[j] * dt.x[i * d + j];
        ref_inc += ((fabs(r) + 0.1 * w1) * (fabs(r) + 0.1 * w1) - r * r) / (double)n;
    }
    CHECK_OK(llp_input_probe(&m, m.theta, &dt, NULL, NULL, &res));
    CHECK(res.samples == n && res.eps == 0.1, "NULL batch and desc: all samples, eps 0.1");
    CHECK(rel_err(res.fgsm_increase.value, ref_inc) <= TOL(1e-10, 2e-5), "FGSM closed form, eps 0.1 (%.17g vs %.17g)",
          res.fgsm_increase.value, ref_inc);
    CHECK(memcmp(xcopy, dt.x, n * d * sizeof(llp_real)) == 0, "caller's data untouched");
    /* a range batch: rows 5..14 */
    ref_inc = 0;
    for (i = 5; i < 15; i++) {
        double r = (double)m.theta[d] - (double)dt.y[i];
        for (j = 0; j < d; j++) r += (double)m.theta[j] * dt.x[i * d + j];
        ref_inc += ((fabs(r) + 0.1 * w1) * (fabs(r) + 0.1 * w1) - r * r) / 10;
    }
    bt = llp_batch_range(5, 10);
    CHECK_OK(llp_input_probe(&m, m.theta, &dt, &bt, NULL, &res));
    CHECK(res.samples == 10 && rel_err(res.fgsm_increase.value, ref_inc) <= TOL(1e-10, 2e-5),
          "range batch 5..14: FGSM closed form (%.17g vs %.17g)", res.fgsm_increase.value, ref_inc);
    free(xcopy);
    free(ycopy);
    llp_data_free(&dt);
    llp_mlp_free(&m);
}

/* Mean FGSM loss and accuracy rebuilt by hand: x' = x + eps sign(n * dx). */
static void fgsm_by_hand(const llp_mlp *m, const llp_real *theta, const llp_data *dt, double eps, double *loss,
                         double *acc) {
    llp_mlp_work w;
    llp_data adv;
    llp_real *dx = (llp_real *)malloc(dt->n * dt->d * sizeof(llp_real)), l;
    size_t i, all[1000];
    for (i = 0; i < dt->n; i++) all[i] = i;
    CHECK_OK(llp_data_subset(dt, all, dt->n, &adv));
    CHECK_OK(llp_mlp_work_init(&w, m, dt->n));
    CHECK_OK(llp_mlp_input_grad(m, theta, dt, NULL, dx, &l, &w));
    for (i = 0; i < dt->n * dt->d; i++) {
        double g = (double)dx[i] * (double)dt->n;
        adv.x[i] = (llp_real)(dt->x[i] + (g > 0 ? (llp_real)eps : g < 0 ? -(llp_real)eps : 0));
    }
    CHECK_OK(llp_mlp_loss_grad(m, theta, &adv, NULL, &l, NULL, &w));
    *loss = l;
    CHECK_OK(llp_mlp_accuracy(m, theta, &adv, NULL, acc, &w));
    llp_mlp_work_free(&w);
    llp_data_free(&adv);
    free(dx);
}

static void test_input_classifier(void) {
    llp_mlp m;
    llp_real *theta;
    llp_data dt;
    llp_mlp_work w;
    llp_input_probe_desc pd;
    llp_input_probe_result res, r2, r3;
    double acc, hand_loss, hand_acc, err1, err2;
    llp_real l;
    make_classifier(&m, &theta, &dt, 90, 5);
    CHECK_OK(llp_mlp_work_init(&w, &m, 90));
    memset(&pd, 0, sizeof pd);
    pd.eps = 0.1;
    CHECK_OK(llp_input_probe(&m, theta, &dt, NULL, &pd, &res));
    CHECK_OK(llp_mlp_accuracy(&m, theta, &dt, NULL, &acc, &w));
    CHECK_OK(llp_mlp_loss_grad(&m, theta, &dt, NULL, &l, NULL, &w));
    CHECK(res.acc_clean == acc, "clean accuracy = llp_mlp_accuracy (%g vs %g)", res.acc_clean, acc);
    CHECK(acc > 0.8, "the classifier learned something (accuracy %g)", acc);
    CHECK(rel_err(res.loss_clean, l) <= TOL(1e-12, 1e-5), "clean loss = llp_mlp_loss_grad");
    fgsm_by_hand(&m, theta, &dt, 0.1, &hand_loss, &hand_acc);
    CHECK(rel_err(res.loss_fgsm, hand_loss) <= TOL(1e-12, 1e-5), "FGSM loss = hand-built attack (%.17g vs %.17g)",
          res.loss_fgsm, hand_loss);
    CHECK(res.acc_fgsm == hand_acc, "FGSM accuracy = hand-built attack (%g vs %g)", res.acc_fgsm, hand_acc);
    CHECK(fabs(res.fgsm_acc_drop.value - (res.acc_clean - res.acc_fgsm)) <= 1e-12 && res.fgsm_acc_drop.samples == 90,
          "accuracy drop = clean - FGSM accuracy");
    CHECK(res.fgsm_increase.value > 0, "FGSM raises the loss on average (%g)", res.fgsm_increase.value);
    CHECK(res.acc_fgsm <= res.acc_clean, "and does not raise the accuracy here");
    /* first order at small eps */
    pd.eps = 1e-3;
    CHECK_OK(llp_input_probe(&m, theta, &dt, NULL, &pd, &r2));
    err1 = fabs(r2.fgsm_increase.value - r2.first_order);
    CHECK(err1 <= 0.02 * r2.first_order, "increase = eps mean||g||_1 to first order (%.6g vs %.6g, remainder %.2g)",
          r2.fgsm_increase.value, r2.first_order, err1 / r2.first_order);
    if (!LLP_REAL_IS_FLOAT) {
        pd.eps = 5e-4;
        CHECK_OK(llp_input_probe(&m, theta, &dt, NULL, &pd, &r3));
        err2 = fabs(r3.fgsm_increase.value - r3.first_order);
        CHECK(err1 / err2 > 3 && err1 / err2 < 5, "the remainder is second order (ratio %.3g for eps / 2)", err1 / err2);
    }
    /* PGD vs FGSM at a larger radius */
    pd.eps = 0.3;
    CHECK_OK(llp_input_probe(&m, theta, &dt, NULL, &pd, &r2));
    CHECK(r2.pgd_increase.value >= r2.fgsm_increase.value - 1e-12, "PGD >= FGSM on average (%g vs %g)",
          r2.pgd_increase.value, r2.fgsm_increase.value);
    CHECK(r2.acc_pgd <= r2.acc_fgsm + 1e-12 || r2.pgd_increase.value > r2.fgsm_increase.value,
          "PGD accuracy (%g) vs FGSM (%g)", r2.acc_pgd, r2.acc_fgsm);
    CHECK(fabs(r2.pgd_acc_drop.value - (r2.acc_clean - r2.acc_pgd)) <= 1e-12, "PGD accuracy drop");
    /* weight decay changes nothing reported */
    m.weight_decay = 0.5;
    CHECK_OK(llp_input_probe(&m, theta, &dt, NULL, &pd, &r3));
    CHECK(r3.loss_clean == r2.loss_clean && r3.pgd_increase.value == r2.pgd_increase.value &&
              r3.grad_l1.value == r2.grad_l1.value,
          "weight decay does not enter the data losses or input gradients");
    m.weight_decay = 0;
    llp_mlp_work_free(&w);
    llp_data_free(&dt);
    llp_mlp_free(&m);
}

static void test_input_chunks(void) {
    llp_mlp m;
    llp_real *theta, *dx, l;
    llp_data dt;
    llp_mlp_work w;
    llp_input_probe_result res;
    double ref = 0, ref1 = 0;
    size_t i, n = 300;
    make_classifier(&m, &theta, &dt, n, 9);
    dx = (llp_real *)malloc(n * 2 * sizeof(llp_real));
    CHECK_OK(llp_mlp_work_init(&w, &m, n));
    CHECK_OK(llp_mlp_input_grad(&m, theta, &dt, NULL, dx, &l, &w));
    for (i = 0; i < n; i++) {
        double a = (double)dx[2 * i] * (double)n, b = (double)dx[2 * i + 1] * (double)n;
        ref += sqrt(a * a + b * b) / (double)n;
        ref1 += (fabs(a) + fabs(b)) / (double)n;
    }
    CHECK_OK(llp_input_probe(&m, theta, &dt, NULL, NULL, &res));
    CHECK(rel_err(res.grad_l2.value, ref) <= TOL(1e-12, 1e-5), "chunked (256 + 44) = one pass: ||g||_2 %.17g vs %.17g",
          res.grad_l2.value, ref);
    CHECK(rel_err(res.grad_l1.value, ref1) <= TOL(1e-12, 1e-5), "chunked ||g||_1 %.17g vs %.17g", res.grad_l1.value, ref1);
    CHECK(res.evals.grad == 5 && res.evals.loss == 3, "one pass counts once, however chunked");
    free(dx);
    llp_mlp_work_free(&w);
    llp_data_free(&dt);
    llp_mlp_free(&m);
}

static void test_input_args(void) {
    llp_mlp m, m3;
    llp_mlp_desc md;
    llp_real *theta;
    llp_data dt;
    llp_input_probe_desc pd;
    llp_input_probe_result res, before;
    llp_batch bt;
    size_t bad = 1000;
    make_classifier(&m, &theta, &dt, 30, 2);
    memset(&res, 0x5a, sizeof res);
    before = res;
    memset(&pd, 0, sizeof pd);
    CHECK(llp_input_probe(NULL, theta, &dt, NULL, NULL, &res) == LLP_ERR_ARG, "NULL model");
    CHECK(llp_input_probe(&m, NULL, &dt, NULL, NULL, &res) == LLP_ERR_ARG, "NULL theta");
    CHECK(llp_input_probe(&m, theta, NULL, NULL, NULL, &res) == LLP_ERR_ARG, "NULL data");
    CHECK(llp_input_probe(&m, theta, &dt, NULL, NULL, NULL) == LLP_ERR_ARG, "NULL result");
    pd.eps = -0.1;
    CHECK(llp_input_probe(&m, theta, &dt, NULL, &pd, &res) == LLP_ERR_ARG, "negative eps");
    pd.eps = NAN;
    CHECK(llp_input_probe(&m, theta, &dt, NULL, &pd, &res) == LLP_ERR_ARG, "NaN eps");
    pd.eps = 0.1, pd.pgd_alpha = -1;
    CHECK(llp_input_probe(&m, theta, &dt, NULL, &pd, &res) == LLP_ERR_ARG, "negative alpha");
    bt = llp_batch_range(20, 20);
    CHECK(llp_input_probe(&m, theta, &dt, &bt, NULL, &res) == LLP_ERR_ARG, "range past the data");
    bt = llp_batch_index(&bad, 1);
    CHECK(llp_input_probe(&m, theta, &dt, &bt, NULL, &res) == LLP_ERR_ARG, "index out of range");
    bt = llp_batch_index(&bad, 0);
    CHECK(llp_input_probe(&m, theta, &dt, &bt, NULL, &res) == LLP_ERR_EMPTY, "empty batch");
    memset(&md, 0, sizeof md);
    md.n_layers = 1, md.sizes[0] = 3, md.sizes[1] = 3;
    CHECK_OK(llp_mlp_init(&m3, &md));
    CHECK(llp_input_probe(&m3, m3.theta, &dt, NULL, NULL, &res) == LLP_ERR_SHAPE, "3 inputs vs 2 features: SHAPE");
    dt.x[3] = NAN;
    CHECK(llp_input_probe(&m, theta, &dt, NULL, NULL, &res) == LLP_ERR_NONFINITE, "NaN feature: NONFINITE");
    CHECK(memcmp(&res, &before, sizeof res) == 0, "result untouched on every error");
    llp_mlp_free(&m3);
    llp_data_free(&dt);
    llp_mlp_free(&m);
}

/* ---- multi-start ------------------------------------------------------------ */

typedef struct counted {
    const llp_objective *f; /* NULL: the quartic */
    size_t loss, grad;
} counted;

static double quartic(double x) { return x * x * x * x - 2 * x * x + 0.5 * x; }
static double quartic_d(double x) { return 4 * x * x * x - 4 * x + 0.5; }

static llp_result counted_lg(void *ctx, const llp_real *theta, const llp_batch *batch, llp_real *loss, llp_real *grad) {
    counted *c = (counted *)ctx;
    if (grad) c->grad++;
    else c->loss++;
    if (c->f) return c->f->loss_grad(c->f->ctx, theta, batch, loss, grad);
    {
        double x = theta[0];
        *loss = (llp_real)quartic(x);
        if (grad) grad[0] = (llp_real)quartic_d(x);
    }
    return LLP_OK;
}

static void uniform_init(void *ctx, llp_real *theta, llp_rng *rng) {
    (void)ctx;
    theta[0] = (llp_real)(-2 + 4 * llp_rng_uniform(rng));
}

/* The root of f' in [lo, hi] (a sign change) by bisection. */
static double bisect(double lo, double hi) {
    int i;
    double flo = quartic_d(lo);
    for (i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi), fm = quartic_d(mid);
        if ((fm > 0) == (flo > 0)) lo = mid, flo = fm;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}

static void test_multistart_quartic(void) {
    counted c;
    llp_objective f;
    llp_train_desc td;
    llp_opt_desc od;
    llp_multistart_desc msd;
    llp_multistart_result res;
    double xg = bisect(-2, -0.5), xl = bisect(0.5, 2), xm = bisect(0, 0.5), worst_stat = 0, best_x;
    size_t i, K = 12, n_global = 0, n_local = 0, local_ok = 1, global_ok = 1, succ_ok = 1;
    memset(&c, 0, sizeof c);
    f = llp_objective_from_callbacks(1, 0, counted_lg, NULL, &c);
    memset(&td, 0, sizeof td);
    memset(&od, 0, sizeof od);
    memset(&msd, 0, sizeof msd);
    td.epochs = 300; /* no samples: one full step per epoch */
    od.kind = LLP_OPT_SGD, od.lr = 0.05;
    msd.restarts = K, msd.seed = 3, msd.keep_thetas = 1;
    CHECK_OK(llp_multistart(&f, NULL, uniform_init, NULL, &td, &od, &msd, &res));
    CHECK(res.k == K && res.n == 1 && res.n_ok == K && res.n_failed == 0 && res.thetas, "K runs, all finished");
    best_x = res.thetas[res.best_index];
    for (i = 0; i < K; i++) {
        double x = res.thetas[i];
        double e = fabs(x - (x < 0 ? xg : xl));
        if (e > worst_stat) worst_stat = e;
        if (x < 0) n_global++;
        else n_local++;
        if ((res.success[i] != 0) != (x < 0)) succ_ok = 0;
        CHECK(res.status[i] == LLP_OK && res.steps[i] == 300 && res.stop[i] == LLP_STOP_DONE, "run %lu: 300 steps",
              (unsigned long)i);
        CHECK(res.final_loss[i] == (double)(llp_real)quartic(x), "run %lu: final loss = f(theta)", (unsigned long)i);
        CHECK(res.final_val[i] != res.final_val[i], "no validation: NaN");
        if (i == res.best_index) {
            CHECK(res.barrier_mean[i] != res.barrier_mean[i], "no barrier to itself");
        } else if (x > 0) {
            double lb = quartic(best_x), lc = quartic(x), ref = quartic(xm) - 0.5 * (lb + lc);
            double h = fabs(x - best_x) / 20, d = ref - res.barrier_mean[i];
            if (!(d >= -TOL(1e-12, 1e-5) && d <= h * h / 2)) local_ok = 0;
            if (llp_test_verbose) printf("  barrier %.6f, closed form %.6f, grid bound %.2g\n", res.barrier_mean[i], ref, h * h / 2);
        } else {
            if (!(fabs(res.barrier_mean[i]) <= TOL(1e-10, 1e-5) && fabs(res.barrier_linear[i]) <= TOL(1e-10, 1e-5)))
                global_ok = 0;
        }
    }
    CHECK(n_global > 0 && n_local > 0, "both basins reached (%lu global, %lu local)", (unsigned long)n_global,
          (unsigned long)n_local);
    CHECK(worst_stat <= TOL(1e-9, 1e-4), "every run at a minimum found by bisection (worst %.2g)", worst_stat);
    CHECK(best_x < 0 && res.best == (double)(llp_real)quartic(best_x), "best is in the global basin");
    CHECK(res.n_success == n_global && succ_ok, "success = landed at x < 0 (%lu vs %lu)", (unsigned long)res.n_success,
          (unsigned long)n_global);
    CHECK(fabs(res.success_rate.value - (double)n_global / (double)K) <= 1e-15 && res.success_rate.samples == K,
          "success rate = fraction in the global basin (%g)", res.success_rate.value);
    CHECK(local_ok, "barrier to a local-basin run = f(x*) - endpoint mean, to the grid tolerance");
    CHECK(global_ok, "barrier between two global-basin runs ~ 0");
    CHECK(fabs(res.worst - quartic(xl)) <= TOL(1e-12, 1e-5) && fabs(res.best - quartic(xg)) <= TOL(1e-12, 1e-5),
          "best and worst are the two minima's values");
    CHECK(res.barrier_mean_est.samples == K - 1 && res.barrier_mean_max >= res.barrier_mean_est.value &&
              res.barrier_linear_est.samples == K - 1,
          "K - 1 barriers, max >= mean");
    CHECK(fabs(res.delta - 0.05 * fabs(res.best)) <= 1e-15, "delta = 0.05 |best| by default");
    {
        double srt[12], med;
        size_t a, b2;
        memcpy(srt, res.final_loss, K * sizeof(double));
        for (a = 1; a < K; a++) /* insertion sort */
            for (b2 = a; b2 > 0 && srt[b2 - 1] > srt[b2]; b2--) {
                double tmp = srt[b2];
                srt[b2] = srt[b2 - 1], srt[b2 - 1] = tmp;
            }
        med = 0.5 * (srt[K / 2 - 1] + srt[K / 2]);
        CHECK(res.median == med && res.best == srt[0] && res.worst == srt[K - 1], "median of 12 = mean of the middle two");
    }
    CHECK(res.evals.grad == c.grad && res.evals.loss == c.loss && res.evals.hvp == 0,
          "evals = calls counted by the callback (%lu/%lu grad, %lu/%lu loss)", (unsigned long)res.evals.grad,
          (unsigned long)c.grad, (unsigned long)res.evals.loss, (unsigned long)c.loss);
    CHECK(c.grad == K * 300 && c.loss == K + (K - 1) * 21, "K * 300 gradients, K + (K - 1) 21 losses");
    llp_multistart_free(&res);
    CHECK(res.thetas == NULL && res.final_loss == NULL, "free zeroes the result");
}

/* Spirals, a 2-6-2 tanh network, mini-batch SGD. */
typedef struct spiral_setup {
    llp_data tr, va;
    llp_mlp m;
    llp_mlp_objective mo_tr, mo_va;
    llp_objective f_tr, f_va;
} spiral_setup;

static void spiral_init(spiral_setup *s) {
    llp_mlp_desc md;
    llp_rng rng;
    llp_rng_seed(&rng, 21);
    CHECK_OK(llp_data_spirals(&s->tr, 60, 1, 0.1, &rng));
    CHECK_OK(llp_data_spirals(&s->va, 40, 1, 0.1, &rng));
    memset(&md, 0, sizeof md);
    md.n_layers = 2, md.sizes[0] = 2, md.sizes[1] = 6, md.sizes[2] = 2;
    md.act = LLP_ACT_TANH, md.loss = LLP_LOSS_SOFTMAX_CE;
    CHECK_OK(llp_mlp_init(&s->m, &md));
    CHECK_OK(llp_mlp_objective_init(&s->mo_tr, &s->m, &s->tr, 0));
    CHECK_OK(llp_mlp_objective_init(&s->mo_va, &s->m, &s->va, 0));
    s->f_tr = llp_mlp_objective_get(&s->mo_tr);
    s->f_va = llp_mlp_objective_get(&s->mo_va);
}

static void spiral_free(spiral_setup *s) {
    llp_mlp_objective_free(&s->mo_tr);
    llp_mlp_objective_free(&s->mo_va);
    llp_mlp_free(&s->m);
    llp_data_free(&s->tr);
    llp_data_free(&s->va);
}

static void test_multistart_mlp(void) {
    spiral_setup s;
    counted ct, cv;
    llp_objective wt, wv;
    llp_train_desc td;
    llp_opt_desc od;
    llp_multistart_desc msd;
    llp_multistart_result a, b;
    llp_trainer tr;
    llp_rng rng;
    llp_real *th, l;
    size_t i, K = 4, n, steps = 20 * 3, fl_ok = 1, va_ok = 1, differ = 1;
    spiral_init(&s);
    n = s.m.n_params;
    memset(&ct, 0, sizeof ct);
    memset(&cv, 0, sizeof cv);
    ct.f = &s.f_tr, cv.f = &s.f_va;
    wt = llp_objective_from_callbacks(n, s.f_tr.n_samples, counted_lg, NULL, &ct);
    wv = llp_objective_from_callbacks(n, s.f_va.n_samples, counted_lg, NULL, &cv);
    memset(&td, 0, sizeof td);
    memset(&od, 0, sizeof od);
    memset(&msd, 0, sizeof msd);
    td.epochs = 20, td.batch_size = 20, td.seed = 100; /* 3 steps per epoch */
    od.kind = LLP_OPT_SGD, od.lr = 0.5;
    msd.restarts = K, msd.seed = 7, msd.keep_thetas = 1, msd.points = 11;
    CHECK_OK(llp_multistart(&wt, &wv, llp_multistart_mlp_init, &s.m, &td, &od, &msd, &a));
    CHECK(a.evals.grad == ct.grad + cv.grad && a.evals.loss == ct.loss + cv.loss,
          "evals = counted calls (%lu grad, %lu loss)", (unsigned long)a.evals.grad, (unsigned long)a.evals.loss);
    CHECK(cv.grad == 0 && ct.grad == K * steps, "K * steps gradients (%lu)", (unsigned long)ct.grad);
    /* rows once per epoch: one validation loss each; then K final train and val losses, (K-1) 11 slice points */
    CHECK(cv.loss == K * 20 + K && ct.loss == K + (K - 1) * 11, "losses: %lu val, %lu train", (unsigned long)cv.loss,
          (unsigned long)ct.loss);
    CHECK(a.n_ok == K && a.barrier_mean_est.samples == K - 1, "all finished, K - 1 barriers");
    for (i = 0; i < K; i++) {
        CHECK_OK(llp_objective_loss(&s.f_tr, a.thetas + i * n, NULL, &l));
        if (a.final_loss[i] != (double)l) fl_ok = 0;
        CHECK_OK(llp_objective_loss(&s.f_va, a.thetas + i * n, NULL, &l));
        if (a.final_val[i] != (double)l) va_ok = 0;
        if (i && memcmp(a.thetas + i * n, a.thetas, n * sizeof(llp_real)) == 0) differ = 0;
        CHECK(a.final_loss[i] >= a.best && a.final_loss[i] <= a.worst, "best <= loss <= worst");
    }
    CHECK(fl_ok && va_ok, "final losses = objective at the returned thetas");
    CHECK(differ, "the restarts differ");
    CHECK(a.median >= a.best && a.median <= a.worst, "best <= median <= worst");
    CHECK(a.barrier_mean_max == a.barrier_mean_max && a.barrier_linear_max >= 0, "barriers computed");
    /* same seeds: same bytes */
    ct.loss = ct.grad = cv.loss = cv.grad = 0;
    CHECK_OK(llp_multistart(&wt, &wv, llp_multistart_mlp_init, &s.m, &td, &od, &msd, &b));
    CHECK(memcmp(a.thetas, b.thetas, K * n * sizeof(llp_real)) == 0 &&
              memcmp(a.final_loss, b.final_loss, K * sizeof(double)) == 0 &&
              memcmp(a.final_val, b.final_val, K * sizeof(double)) == 0 &&
              memcmp(a.barrier_mean, b.barrier_mean, K * sizeof(double)) == 0 &&
              memcmp(a.barrier_linear, b.barrier_linear, K * sizeof(double)) == 0 &&
              memcmp(&a.evals, &b.evals, sizeof a.evals) == 0,
          "deterministic: same seeds, same bytes");
    /* restart 1 by hand: init from seed + 1, trainer seed td.seed + 1 */
    th = (llp_real *)malloc(n * sizeof(llp_real));
    llp_rng_seed(&rng, 7 + 1);
    llp_mlp_randomize(&s.m, th, &rng);
    td.seed = 101;
    CHECK_OK(llp_trainer_init(&tr, &td, &s.f_tr, &s.f_va, &od, th));
    CHECK_OK(llp_trainer_run(&tr));
    llp_trainer_free(&tr);
    CHECK(memcmp(th, a.thetas + n, n * sizeof(llp_real)) == 0, "restart 1 = a run from seed + 1, shuffling td.seed + 1");
    /* without keep_thetas / barriers */
    llp_multistart_free(&b);
    td.seed = 100;
    msd.keep_thetas = 0, msd.no_barriers = 1;
    CHECK_OK(llp_multistart(&s.f_tr, NULL, llp_multistart_mlp_init, &s.m, &td, &od, &msd, &b));
    CHECK(b.thetas == NULL && b.barrier_mean_max != b.barrier_mean_max && b.barrier_mean_est.samples == 0,
          "no thetas kept, no barriers");
    CHECK(memcmp(a.final_loss, b.final_loss, K * sizeof(double)) == 0, "the validation objective does not change training");
    CHECK(b.evals.grad == K * steps && b.evals.loss == K, "evals without val and barriers: K * steps + K");
    llp_multistart_free(&a);
    llp_multistart_free(&b);
    free(th);
    spiral_free(&s);
}

static void test_multistart_diverge(void) {
    counted c;
    llp_objective f;
    llp_train_desc td;
    llp_opt_desc od;
    llp_multistart_desc msd;
    llp_multistart_result res;
    size_t i, K = 5, ok = 1;
    memset(&c, 0, sizeof c);
    f = llp_objective_from_callbacks(1, 0, counted_lg, NULL, &c);
    memset(&td, 0, sizeof td);
    memset(&od, 0, sizeof od);
    memset(&msd, 0, sizeof msd);
    td.epochs = 50;
    od.kind = LLP_OPT_SGD, od.lr = 5; /* x = 2 -> -120 -> 7e6 -> ...: blows up */
    msd.restarts = K, msd.keep_thetas = 1;
    if (llp_multistart(&f, NULL, uniform_init, NULL, &td, &od, &msd, &res) != LLP_OK) {
        CHECK(0, "diverging runs are not an error");
        return;
    }
    for (i = 0; i < K; i++)
        if (!(res.status[i] == LLP_ERR_DIVERGED && res.stop[i] == LLP_STOP_DIVERGED && res.success[i] == 0 &&
              res.final_loss[i] != res.final_loss[i] && llp_all_finite(res.thetas + i, 1)))
            ok = 0;
    CHECK(ok, "every run diverged: status DIVERGED, NaN loss, not a success, finite restored theta");
    CHECK(res.n_failed == K && res.n_ok == 0 && res.n_success == 0 && res.best_index == K, "all failures");
    CHECK(res.success_rate.value == 0 && res.success_rate.samples == K, "success rate 0 over K");
    CHECK(res.best != res.best && res.median != res.median && res.barrier_mean_max != res.barrier_mean_max,
          "no best, median or barriers");
    CHECK(res.evals.grad == c.grad && res.evals.loss == c.loss, "evals exact for diverged runs too");
    llp_multistart_free(&res);
    /* a mixed case: at lr 0.2 gradient descent is stable at both minima (0.2 f'' = 1.88 and
       1.28 < 2) but a start with |x| >~ 1.6 overshoots (x = 2 -> -2.9 -> 14 -> ...) */
    od.lr = 0.2;
    td.epochs = 300;
    msd.restarts = 12, msd.seed = 3;
    if (llp_multistart(&f, NULL, uniform_init, NULL, &td, &od, &msd, &res) != LLP_OK) {
        CHECK(0, "a mix of diverging and finished runs is not an error");
        return;
    }
    ok = 1;
    for (i = 0; i < res.k; i++) {
        if (res.status[i] == LLP_OK) {
            if (!(res.final_loss[i] == res.final_loss[i]) || res.success[i] != (res.thetas[i] < 0)) ok = 0;
        } else if (!(res.status[i] == LLP_ERR_DIVERGED && !res.success[i] && res.barrier_mean[i] != res.barrier_mean[i])) {
            ok = 0;
        }
    }
    CHECK(res.n_ok > 0 && res.n_failed > 0, "some runs diverge, some converge (%lu, %lu)", (unsigned long)res.n_failed,
          (unsigned long)res.n_ok);
    CHECK(ok, "mixed: failed runs have no loss, success or barrier; finished ones succeed iff x < 0");
    CHECK(res.n_ok + res.n_failed == 12 && fabs(res.success_rate.value - (double)res.n_success / 12) <= 1e-15,
          "failures count in the success rate's denominator (%lu ok, %lu failed)", (unsigned long)res.n_ok,
          (unsigned long)res.n_failed);
    llp_multistart_free(&res);
}

static void test_multistart_args(void) {
    counted c;
    llp_objective f, g;
    llp_train_desc td;
    llp_opt_desc od;
    llp_multistart_desc msd;
    llp_multistart_result res, before;
    memset(&c, 0, sizeof c);
    f = llp_objective_from_callbacks(1, 0, counted_lg, NULL, &c);
    g = llp_objective_from_callbacks(2, 0, counted_lg, NULL, &c);
    memset(&td, 0, sizeof td);
    memset(&od, 0, sizeof od);
    memset(&msd, 0, sizeof msd);
    td.epochs = 2;
    od.lr = 0.01;
    msd.restarts = 2;
    memset(&res, 0x5a, sizeof res);
    before = res;
    CHECK(llp_multistart(NULL, NULL, uniform_init, NULL, &td, &od, &msd, &res) == LLP_ERR_ARG, "NULL train");
    CHECK(llp_multistart(&f, NULL, NULL, NULL, &td, &od, &msd, &res) == LLP_ERR_ARG, "NULL init");
    CHECK(llp_multistart(&f, NULL, uniform_init, NULL, NULL, &od, &msd, &res) == LLP_ERR_ARG, "NULL train desc");
    CHECK(llp_multistart(&f, NULL, uniform_init, NULL, &td, NULL, &msd, &res) == LLP_ERR_ARG, "NULL opt desc");
    CHECK(llp_multistart(&f, NULL, uniform_init, NULL, &td, &od, &msd, NULL) == LLP_ERR_ARG, "NULL result");
    CHECK(llp_multistart(&f, &g, uniform_init, NULL, &td, &od, &msd, &res) == LLP_ERR_SHAPE, "val of another n");
    msd.points = 1;
    CHECK(llp_multistart(&f, NULL, uniform_init, NULL, &td, &od, &msd, &res) == LLP_ERR_ARG, "one point");
    msd.points = 0, msd.delta_abs = -1;
    CHECK(llp_multistart(&f, NULL, uniform_init, NULL, &td, &od, &msd, &res) == LLP_ERR_ARG, "negative delta_abs");
    msd.delta_abs = 0, msd.delta_rel = NAN;
    CHECK(llp_multistart(&f, NULL, uniform_init, NULL, &td, &od, &msd, &res) == LLP_ERR_ARG, "NaN delta_rel");
    msd.delta_rel = 0;
    td.traj_path = "multi_traj.bin", td.traj_every = 1;
    CHECK(llp_multistart(&f, NULL, uniform_init, NULL, &td, &od, &msd, &res) == LLP_ERR_ARG, "a trajectory file");
    td.traj_path = NULL, td.traj_every = 0;
    od.lr = -1;
    CHECK(llp_multistart(&f, NULL, uniform_init, NULL, &td, &od, &msd, &res) == LLP_ERR_ARG, "the trainer's errors pass");
    CHECK(memcmp(&res, &before, sizeof res) == 0, "result untouched on every error");
    od.lr = 0.01;
    CHECK_OK(llp_multistart(&f, NULL, uniform_init, NULL, &td, &od, NULL, &res));
    CHECK(res.k == 10, "NULL desc: 10 restarts");
    llp_multistart_free(&res);
    llp_multistart_free(NULL);
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_input_linear);
    LLP_RUN(test_input_classifier);
    LLP_RUN(test_input_chunks);
    LLP_RUN(test_input_args);
    LLP_RUN(test_multistart_quartic);
    LLP_RUN(test_multistart_mlp);
    LLP_RUN(test_multistart_diverge);
    LLP_RUN(test_multistart_args);
    return llp_test_summary();
}
