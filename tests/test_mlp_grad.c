/* test_mlp_grad.c — the MLP's loss and gradient against independent references.

   References used here, none of which share code with the library:
   - a plain forward pass written from the documented layout (W_l row-major
     (out, in), then b_l; hidden layers apply the activation, the last layer is
     linear) and the documented loss definitions, evaluated sample by sample;
   - central differences of the library's loss (grad = NULL) for gradients;
   - closed forms worked out by hand (tiny tanh net, zero network).
   Every random draw comes from llp_rng with a fixed seed.

   Float build (LLPROBE_FLOAT): the library computes in float (eps = 1.2e-7)
   while the references here still compute in double from the same float
   inputs, so every "same value, different arithmetic" tolerance becomes a
   small multiple of float's rounding, and the central differences use a
   larger step (see each test). Identities that are exact in any precision
   (NULL batch = ALL, offsets, accuracies) stay exact. */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"

#include <stdlib.h>

/* ---------------------------------------------------------------- helpers */

#define N_ACTS 7
static const llp_act all_acts[N_ACTS] = {LLP_ACT_IDENTITY, LLP_ACT_RELU,     LLP_ACT_LEAKY_RELU, LLP_ACT_TANH,
                                         LLP_ACT_SIGMOID,  LLP_ACT_SOFTPLUS, LLP_ACT_GELU};

/* How the targets of a test case are made. */
enum target_kind {
    T_REG_NORMAL,  /* regression, targets ~ N(0, 1) */
    T_REG_UNIT,    /* regression, targets uniform in [0, 1] (BCE with soft targets) */
    T_CLASS_MULTI, /* 3 classes: labels for softmax CE, one-hot for MSE/MAE/BCE */
    T_CLASS_BINARY /* 2 classes and a single output (BCE / MSE on t = label) */
};

/* ||a - b|| / max(||b||, tiny). */
static double rel_err(const llp_real *a, const llp_real *b, size_t n) {
    double num = 0, den = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        double d = (double)a[i] - (double)b[i];
        num += d * d;
        den += (double)b[i] * (double)b[i];
    }
    den = sqrt(den);
    return sqrt(num) / (den > 1e-300 ? den : 1e-300);
}

/* The reference network: its own copy of the architecture and its own offsets. */
typedef struct ref_net {
    int n_layers;
    int sizes[LLP_MAX_LAYERS + 1];
    llp_act act[LLP_MAX_LAYERS]; /* hidden layers only */
    double slope;
    llp_loss loss;
    double wd;
    size_t w_off[LLP_MAX_LAYERS], b_off[LLP_MAX_LAYERS], n_params;
} ref_net;

static void ref_layout(ref_net *r) {
    size_t off = 0;
    int l;
    for (l = 0; l < r->n_layers; l++) {
        r->w_off[l] = off;
        off += (size_t)r->sizes[l] * (size_t)r->sizes[l + 1];
        r->b_off[l] = off;
        off += (size_t)r->sizes[l + 1];
    }
    r->n_params = off;
}

static double ref_act(llp_act a, double slope, double z) {
    switch (a) {
    case LLP_ACT_RELU: return z > 0 ? z : 0.0;
    case LLP_ACT_LEAKY_RELU: return z > 0 ? z : slope * z;
    case LLP_ACT_TANH: return tanh(z);
    case LLP_ACT_SIGMOID: return 1.0 / (1.0 + exp(-z));
    case LLP_ACT_SOFTPLUS: return log(1.0 + exp(z)); /* |z| < 30 here: no overflow */
    case LLP_ACT_GELU: return 0.5 * z * (1.0 + erf(z / sqrt(2.0)));
    default: return z;
    }
}

static int act_has_kink(llp_act a) { return a == LLP_ACT_RELU || a == LLP_ACT_LEAKY_RELU; }

#define REF_MAXW 64
/* One sample: y = net(x); zs (may be NULL) receives the hidden pre-activations. */
static void ref_forward(const ref_net *r, const llp_real *theta, const llp_real *x, double *zs, double *y) {
    double cur[REF_MAXW], nxt[REF_MAXW];
    int l, i, o;
    size_t zi = 0;
    for (i = 0; i < r->sizes[0]; i++) cur[i] = x[i];
    for (l = 0; l < r->n_layers; l++) {
        int in = r->sizes[l], out = r->sizes[l + 1];
        const llp_real *W = theta + r->w_off[l], *b = theta + r->b_off[l];
        for (o = 0; o < out; o++) {
            double z = b[o];
            for (i = 0; i < in; i++) z += (double)W[o * in + i] * cur[i];
            if (l < r->n_layers - 1) {
                if (zs) zs[zi++] = z;
                nxt[o] = ref_act(r->act[l], r->slope, z);
            } else {
                nxt[o] = z;
            }
        }
        for (o = 0; o < out; o++) cur[o] = nxt[o];
    }
    for (o = 0; o < r->sizes[r->n_layers]; o++) y[o] = cur[o];
}

/* Target j of sample s as the documentation defines it. */
static double ref_target(const llp_data *d, size_t s, int j, int k) {
    if (d->task == LLP_TASK_REGRESSION) return d->y[s * d->k + (size_t)j];
    if (k == 1) return (double)d->labels[s];
    return d->labels[s] == j ? 1.0 : 0.0;
}

/* Mean loss over rows[0..B-1] plus wd/2 ||W||^2, from the definitions in the header. */
static double ref_loss(const ref_net *r, const llp_real *theta, const llp_data *d, const size_t *rows, size_t B) {
    int k = r->sizes[r->n_layers], j, l;
    double total = 0, w2 = 0, y[REF_MAXW];
    size_t b, i;
    for (b = 0; b < B; b++) {
        size_t s = rows[b];
        double per = 0;
        ref_forward(r, theta, d->x + s * d->d, NULL, y);
        if (r->loss == LLP_LOSS_SOFTMAX_CE) {
            double se = 0;
            for (j = 0; j < k; j++) se += exp(y[j]);
            per = log(se) - y[d->labels[s]];
        } else {
            for (j = 0; j < k; j++) {
                double t = ref_target(d, s, j, k), e = y[j] - t;
                if (r->loss == LLP_LOSS_MSE) per += e * e;
                else if (r->loss == LLP_LOSS_MAE) per += fabs(e);
                else per += t * log(1.0 + exp(-y[j])) + (1.0 - t) * log(1.0 + exp(y[j]));
            }
            per /= (double)k;
        }
        total += per;
    }
    total /= (double)B;
    for (l = 0; l < r->n_layers; l++)
        for (i = 0; i < (size_t)r->sizes[l] * (size_t)r->sizes[l + 1]; i++)
            w2 += (double)theta[r->w_off[l] + i] * theta[r->w_off[l] + i];
    return total + 0.5 * r->wd * w2;
}

/* Sign pattern of everything at which the loss has a kink: hidden relu/leaky
   pre-activations and, for MAE, the residuals. Returns how many entries. */
static size_t kink_signs(const ref_net *r, const llp_real *theta, const llp_data *d, const size_t *rows, size_t B,
                         unsigned char *sig, double *margin) {
    double zs[4 * REF_MAXW], y[REF_MAXW];
    size_t b, n = 0;
    int l, o, k = r->sizes[r->n_layers];
    double mg = HUGE_VAL;
    for (b = 0; b < B; b++) {
        size_t zi = 0;
        ref_forward(r, theta, d->x + rows[b] * d->d, zs, y);
        for (l = 0; l < r->n_layers - 1; l++)
            for (o = 0; o < r->sizes[l + 1]; o++, zi++)
                if (act_has_kink(r->act[l])) {
                    sig[n++] = zs[zi] > 0;
                    if (fabs(zs[zi]) < mg) mg = fabs(zs[zi]);
                }
        if (r->loss == LLP_LOSS_MAE)
            for (o = 0; o < k; o++) {
                double e = y[o] - ref_target(d, rows[b], o, k);
                sig[n++] = e > 0;
                if (fabs(e) < mg) mg = fabs(e);
            }
    }
    if (margin) *margin = mg;
    return n;
}

/* A test case: data, model (5-6-4-k unless told otherwise), workspace, theta. */
typedef struct tcase {
    llp_data data;
    llp_mlp m;
    llp_mlp_work w;
    llp_real *theta;
    ref_net ref;
    size_t *all_rows;
} tcase;

static int make_data(llp_data *d, int target, size_t n, size_t dim, size_t k, llp_rng *rng) {
    size_t i;
    if (target == T_REG_NORMAL || target == T_REG_UNIT) {
        if (llp_data_alloc(d, n, dim, LLP_TASK_REGRESSION, k) != LLP_OK) return 0;
        llp_rng_fill_normal(rng, d->x, n * dim);
        for (i = 0; i < n * k; i++)
            d->y[i] = target == T_REG_NORMAL ? (llp_real)llp_rng_normal(rng) : (llp_real)llp_rng_uniform(rng);
    } else {
        if (llp_data_blobs(d, n, dim, target == T_CLASS_BINARY ? 2 : k, 1.0, rng) != LLP_OK) return 0;
        for (i = 0; i < n * dim; i++) d->x[i] *= (llp_real)0.3; /* inputs of order 1 */
    }
    return 1;
}

/* Build a case. acts: hidden activations (one per hidden layer). */
static int setup_case(tcase *c, const int *sizes, int n_layers, const llp_act *acts, llp_loss loss, int target,
                      double wd, size_t n, size_t max_batch, uint64_t seed) {
    llp_mlp_desc md;
    llp_rng rng;
    size_t i;
    int l, k = sizes[n_layers];
    memset(c, 0, sizeof *c);
    llp_rng_seed(&rng, seed);
    if (!make_data(&c->data, target, n, (size_t)sizes[0], (size_t)k, &rng)) return 0;
    memset(&md, 0, sizeof md);
    md.n_layers = n_layers;
    for (l = 0; l <= n_layers; l++) md.sizes[l] = sizes[l];
    for (l = 0; l + 1 < n_layers; l++) md.layer_act[l] = acts[l];
    md.act = acts[0];
    md.loss = loss;
    md.weight_decay = wd;
    md.leaky_slope = 0.1;
    if (llp_mlp_init(&c->m, &md) != LLP_OK) return 0;
    if (llp_mlp_work_init(&c->w, &c->m, max_batch) != LLP_OK) return 0;
    c->theta = (llp_real *)malloc(c->m.n_params * sizeof(llp_real));
    c->all_rows = (size_t *)malloc(n * sizeof(size_t));
    for (i = 0; i < n; i++) c->all_rows[i] = i;
    c->ref.n_layers = n_layers;
    for (l = 0; l <= n_layers; l++) c->ref.sizes[l] = sizes[l];
    for (l = 0; l + 1 < n_layers; l++) c->ref.act[l] = acts[l];
    c->ref.slope = 0.1;
    c->ref.loss = loss;
    c->ref.wd = wd;
    ref_layout(&c->ref);
    return 1;
}

/* theta = the model's initialisation plus N(0, 0.1^2) on every entry (biases too). */
static void draw_theta(tcase *c, uint64_t seed) {
    llp_rng rng;
    size_t i;
    llp_rng_seed(&rng, seed);
    llp_mlp_randomize(&c->m, c->theta, &rng);
    for (i = 0; i < c->m.n_params; i++) c->theta[i] += (llp_real)(0.1 * llp_rng_normal(&rng));
}

static void free_case(tcase *c) {
    free(c->theta);
    free(c->all_rows);
    llp_mlp_work_free(&c->w);
    llp_mlp_free(&c->m);
    llp_data_free(&c->data);
}

static int case_has_kinks(const tcase *c) {
    int l;
    if (c->ref.loss == LLP_LOSS_MAE) return 1;
    for (l = 0; l + 1 < c->ref.n_layers; l++)
        if (act_has_kink(c->ref.act[l])) return 1;
    return 0;
}

/* Number of parameters j whose step theta +- h e_j flips a kink sign. */
static size_t count_kink_crossings(tcase *c, double h) {
    size_t j, bad = 0, cnt;
    unsigned char *s0, *s1;
    size_t cap = c->data.n * (4 * REF_MAXW + REF_MAXW);
    s0 = (unsigned char *)malloc(cap);
    s1 = (unsigned char *)malloc(cap);
    cnt = kink_signs(&c->ref, c->theta, &c->data, c->all_rows, c->data.n, s0, NULL);
    for (j = 0; j < c->m.n_params && cnt; j++) {
        llp_real keep = c->theta[j];
        int sgn;
        for (sgn = -1; sgn <= 1; sgn += 2) {
            c->theta[j] = (llp_real)(keep + sgn * h);
            kink_signs(&c->ref, c->theta, &c->data, c->all_rows, c->data.n, s1, NULL);
            if (memcmp(s0, s1, cnt) != 0) {
                bad++;
                break;
            }
        }
        c->theta[j] = keep;
    }
    free(s0);
    free(s1);
    return bad;
}

static const char *target_name(int t) {
    switch (t) {
    case T_REG_NORMAL: return "regression N(0,1)";
    case T_REG_UNIT: return "regression U[0,1]";
    case T_CLASS_MULTI: return "3 classes";
    default: return "2 classes, 1 output";
    }
}

/* Every loss with every kind of target it accepts. */
typedef struct combo {
    llp_loss loss;
    int target;
} combo;
#define N_COMBOS 8
static const combo all_combos[N_COMBOS] = {
    {LLP_LOSS_MSE, T_REG_NORMAL},        {LLP_LOSS_MSE, T_CLASS_MULTI},   {LLP_LOSS_MAE, T_REG_NORMAL},
    {LLP_LOSS_MAE, T_CLASS_BINARY},      {LLP_LOSS_SOFTMAX_CE, T_CLASS_MULTI}, {LLP_LOSS_BCE, T_CLASS_MULTI},
    {LLP_LOSS_BCE, T_REG_UNIT},          {LLP_LOSS_BCE, T_CLASS_BINARY}};

/* Sizes 5-6-4-k: three dense layers, so every hidden activation appears twice. */
static void combo_sizes(const combo *cb, int *sizes) {
    sizes[0] = 5;
    sizes[1] = 6;
    sizes[2] = 4;
    sizes[3] = cb->target == T_CLASS_BINARY ? 1 : 3;
}

/* ------------------------------------------------------------------ tests */

/* The documented layout (W_l (out, in) row-major, then b_l, layer after
   layer) gives n_params and the offsets, and llp_mlp_forward equals a plain
   per-sample forward pass for every activation (incl. per-layer overrides).
   Tolerance 1e-13 relative: both sum at most 6 products of O(1) numbers and
   apply the same elementary functions, so they agree to a few ulps; a wrong
   activation or a transposed weight is an O(1) difference.
   Float: three layers of float sums of <= 7 terms and float activations,
   ~20 roundings of eps/2 at most; measured worst 5.1e-7 (gelu): 5e-6. */
static void test_forward_matches_reference(void) {
    int a, l;
    for (a = 0; a <= N_ACTS; a++) {
        tcase c;
        int sizes[4] = {5, 6, 4, 3};
        llp_act acts[2];
        size_t s, j;
        llp_real out[24 * 3];
        double y[3], worst = 0;
        if (a < N_ACTS) acts[0] = acts[1] = all_acts[a];
        else acts[0] = LLP_ACT_LEAKY_RELU, acts[1] = LLP_ACT_GELU; /* per-layer override */
        if (!setup_case(&c, sizes, 3, acts, LLP_LOSS_MSE, T_REG_NORMAL, 0, 24, 32, 100 + (uint64_t)a)) {
            CHECK(0, "setup failed");
            return;
        }
        draw_theta(&c, 7 + (uint64_t)a);
        CHECK(c.m.n_params == c.ref.n_params, "n_params %lu, documented layout gives %lu",
              (unsigned long)c.m.n_params, (unsigned long)c.ref.n_params);
        for (l = 0; l < 3; l++)
            CHECK(c.m.w_off[l] == c.ref.w_off[l] && c.m.b_off[l] == c.ref.b_off[l], "layer %d offsets", l);
        CHECK(c.m.act[2] == LLP_ACT_IDENTITY, "the last layer is linear");
        CHECK_OK(llp_mlp_forward(&c.m, c.theta, c.data.x, 24, out, &c.w));
        for (s = 0; s < 24; s++) {
            ref_forward(&c.ref, c.theta, c.data.x + s * 5, NULL, y);
            for (j = 0; j < 3; j++) {
                double e = fabs(out[s * 3 + j] - y[j]) / (fabs(y[j]) > 1 ? fabs(y[j]) : 1);
                if (e > worst) worst = e;
            }
        }
        CHECK(worst <= TOL(1e-13, 5e-6), "forward, act %s/%s: max rel error %.3g", llp_act_name(acts[0]),
              llp_act_name(acts[1]), worst);
        free_case(&c);
    }
}

/* A 2-3-2 tanh net with hand-set weights: out = W2 tanh(W1 x + b1) + b2,
   written out term by term. Tolerance 1e-14 relative: a handful of roundings.
   Float: the weights and inputs (0.1, 0.2, ...) are themselves rounded to
   float and ~10 float roundings follow (~6e-7 at most; measured 1e-7): 1e-6. */
static void test_forward_tiny_closed_form(void) {
    llp_mlp_desc md;
    llp_mlp m;
    llp_mlp_work w;
    /* W1 rows (one per hidden unit), b1, W2 rows, b2 */
    const double W1[3][2] = {{0.5, -1.0}, {0.25, 0.75}, {-1.5, 0.2}}, b1[3] = {0.1, -0.2, 0.3};
    const double W2[2][3] = {{1.0, -2.0, 0.5}, {-0.3, 0.4, 1.2}}, b2[2] = {0.05, -0.15};
    const double X[2][2] = {{1.0, 2.0}, {-0.5, 0.3}};
    llp_real theta[17], x[4], out[4];
    int i, j, s;
    memset(&md, 0, sizeof md);
    md.n_layers = 2;
    md.sizes[0] = 2;
    md.sizes[1] = 3;
    md.sizes[2] = 2;
    md.act = LLP_ACT_TANH;
    md.loss = LLP_LOSS_MSE;
    CHECK_OK(llp_mlp_init(&m, &md));
    CHECK(m.n_params == 17, "2-3-2 has 6+3+6+2 = 17 parameters, got %lu", (unsigned long)m.n_params);
    for (i = 0; i < 3; i++)
        for (j = 0; j < 2; j++) theta[i * 2 + j] = W1[i][j];
    for (i = 0; i < 3; i++) theta[6 + i] = b1[i];
    for (i = 0; i < 2; i++)
        for (j = 0; j < 3; j++) theta[9 + i * 3 + j] = W2[i][j];
    for (i = 0; i < 2; i++) theta[15 + i] = b2[i];
    for (s = 0; s < 2; s++)
        for (j = 0; j < 2; j++) x[s * 2 + j] = X[s][j];
    CHECK_OK(llp_mlp_work_init(&w, &m, 2));
    CHECK_OK(llp_mlp_forward(&m, theta, x, 2, out, &w));
    for (s = 0; s < 2; s++) {
        double h0 = tanh(0.5 * X[s][0] - 1.0 * X[s][1] + 0.1);
        double h1 = tanh(0.25 * X[s][0] + 0.75 * X[s][1] - 0.2);
        double h2 = tanh(-1.5 * X[s][0] + 0.2 * X[s][1] + 0.3);
        double o0 = 1.0 * h0 - 2.0 * h1 + 0.5 * h2 + 0.05;
        double o1 = -0.3 * h0 + 0.4 * h1 + 1.2 * h2 - 0.15;
        CHECK_CLOSE(out[s * 2 + 0], o0, TOL(1e-14, 1e-6), "output 0");
        CHECK_CLOSE(out[s * 2 + 1], o1, TOL(1e-14, 1e-6), "output 1");
    }
    llp_mlp_work_free(&w);
    llp_mlp_free(&m);
}

/* For every activation x loss x target kind: the loss from llp_mlp_loss_grad
   (with and without a gradient) equals the loss computed from the header's
   definitions (mean over samples and outputs; BCE as
   t log(1+e^-y) + (1-t) log(1+e^y); plus wd/2 ||W||^2 over weights only).
   Tolerance 1e-12 relative: sums of ~100 O(1) terms in double; a wrong
   normalisation or a missing term is O(1e-2) or more.
   Float: the forward pass runs in float (the loss is then summed in double
   and rounded to float), so the loss is good to a few eps; measured worst
   5.3e-8 relative: 1e-6. */
static void test_loss_matches_definition(void) {
    int a, ci;
    for (a = 0; a < N_ACTS; a++)
        for (ci = 0; ci < N_COMBOS; ci++) {
            tcase c;
            int sizes[4];
            llp_act acts[2];
            double wd = (a + ci) % 2 ? 0.05 : 0.0, ref;
            llp_real l0 = 0, l1 = 0, *g;
            acts[0] = acts[1] = all_acts[a];
            combo_sizes(&all_combos[ci], sizes);
            if (!setup_case(&c, sizes, 3, acts, all_combos[ci].loss, all_combos[ci].target, wd, 24, 32,
                            1000 + (uint64_t)(a * 16 + ci))) {
                CHECK(0, "setup failed");
                return;
            }
            draw_theta(&c, 2000 + (uint64_t)(a * 16 + ci));
            g = (llp_real *)malloc(c.m.n_params * sizeof(llp_real));
            CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, NULL, &l0, NULL, &c.w));
            CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, NULL, &l1, g, &c.w));
            ref = ref_loss(&c.ref, c.theta, &c.data, c.all_rows, c.data.n);
            CHECK(fabs(l0 - ref) <= TOL(1e-12, 1e-6) * fabs(ref), "%s/%s/%s wd=%g: loss %.17g, definition %.17g",
                  llp_act_name(all_acts[a]), llp_loss_name(all_combos[ci].loss), target_name(all_combos[ci].target), wd,
                  (double)l0, ref);
            CHECK(fabs(l1 - ref) <= TOL(1e-12, 1e-6) * fabs(ref), "%s/%s: loss with gradient %.17g, definition %.17g",
                  llp_act_name(all_acts[a]), llp_loss_name(all_combos[ci].loss), (double)l1, ref);
            free(g);
            free_case(&c);
        }
}

/* For every activation x loss x target kind (weight decay on in half the
   cases): grad from llp_mlp_loss_grad equals the central difference
   (L(theta + h e_j) - L(theta - h e_j)) / 2h of llp_mlp_loss_grad(grad = NULL)
   for every parameter j, with h = 1e-5.
   Tolerance 1e-6 relative (vector norm): truncation O(h^2 L''') ~ 1e-10 and
   rounding O(eps L / h) ~ 1e-11 on O(1) losses and O(0.1..1) gradients, so
   the expected error is ~1e-9, while any wrong term is O(1).
   Kinks (relu, leaky relu, MAE): a kink inside [theta_j - h, theta_j + h]
   would break the difference. The test recomputes every relu pre-activation
   and MAE residual with the reference forward pass at theta +- h e_j and
   requires that no sign flips for any j (it draws theta again, with the next
   seed, until that holds; it must hold within 30 draws).
   Float: the loss carries ~eps L = 1e-7..4e-7 of rounding from the float
   forward pass, so the difference's rounding error eps L / h would be ~3e-2
   with h = 1e-5. The float step is h = 2^-8 = 3.9e-3 (about eps^(1/3), which
   balances that against the O(h^2) truncation; a power of two, so theta +- h
   is exact in float): measured worst 4e-4 relative, tolerance 5e-3 (a wrong
   term is still O(1)). With this step the kink search needs at most 9 of its
   30 draws. */
static void test_grad_fd_all(void) {
    const double h = TOL(1e-5, 1.0 / 256);
    int a, ci;
    for (a = 0; a < N_ACTS; a++)
        for (ci = 0; ci < N_COMBOS; ci++) {
            tcase c;
            int sizes[4], attempt;
            llp_act acts[2];
            double wd = (a + ci) % 2 ? 0.0 : 0.03, err;
            llp_real loss, *g, *fd;
            size_t j, n;
            acts[0] = acts[1] = all_acts[a];
            combo_sizes(&all_combos[ci], sizes);
            if (!setup_case(&c, sizes, 3, acts, all_combos[ci].loss, all_combos[ci].target, wd, 20, 32,
                            3000 + (uint64_t)(a * 16 + ci))) {
                CHECK(0, "setup failed");
                return;
            }
            n = c.m.n_params;
            for (attempt = 0; attempt < 30; attempt++) {
                draw_theta(&c, 4000 + (uint64_t)(a * 1000 + ci * 40 + attempt));
                if (!case_has_kinks(&c) || count_kink_crossings(&c, h) == 0) break;
            }
            CHECK(attempt < 30, "%s/%s: no theta without kink crossings in 30 draws", llp_act_name(all_acts[a]),
                  llp_loss_name(all_combos[ci].loss));
            if (case_has_kinks(&c)) /* control: the detector does see kinks when the step is large */
                CHECK(count_kink_crossings(&c, 1.0) > 0, "%s/%s: kink detector finds crossings for h = 1",
                      llp_act_name(all_acts[a]), llp_loss_name(all_combos[ci].loss));
            g = (llp_real *)malloc(n * sizeof(llp_real));
            fd = (llp_real *)malloc(n * sizeof(llp_real));
            CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, NULL, &loss, g, &c.w));
            for (j = 0; j < n; j++) {
                llp_real keep = c.theta[j], lp = 0, lm = 0;
                c.theta[j] = (llp_real)(keep + h);
                llp_mlp_loss_grad(&c.m, c.theta, &c.data, NULL, &lp, NULL, &c.w);
                c.theta[j] = (llp_real)(keep - h);
                llp_mlp_loss_grad(&c.m, c.theta, &c.data, NULL, &lm, NULL, &c.w);
                c.theta[j] = keep;
                fd[j] = (llp_real)(((double)lp - lm) / (2 * h));
            }
            err = rel_err(g, fd, n);
            CHECK(err < TOL(1e-6, 5e-3), "%s/%s/%s wd=%g: gradient vs central difference, rel error %.3g (|g| %.3g)",
                  llp_act_name(all_acts[a]), llp_loss_name(all_combos[ci].loss), target_name(all_combos[ci].target), wd,
                  err, llp_nrm2(fd, n));
            free(g);
            free(fd);
            free_case(&c);
        }
}

/* Weight decay lambda/2 ||W||^2 adds exactly lambda W_l to the weight
   entries of the gradient and nothing to the biases, and lambda/2 ||W||^2 to
   the loss (the identity g(lambda) - g(0) = lambda [W; 0]).
   Tolerance 1e-12 relative to |g|: the data terms are computed identically
   in both models, only the final addition rounds.
   Float: that addition and lambda W itself round in float (lambda = 0.37 is
   rounded too): ~1.5 eps |g| at most, measured 3e-8 |g|: 2 FLT_EPSILON |g|.
   The losses are float-rounded (|L| <= 4) and ||W||^2 sums 66 float
   squares: measured 3.7e-8 relative, checked to 1e-6. */
static void test_grad_weight_decay_term(void) {
    const double lam = 0.37;
    int sizes[4] = {5, 6, 4, 3}, l;
    llp_act acts[2] = {LLP_ACT_TANH, LLP_ACT_SOFTPLUS};
    tcase c0, c1;
    llp_real *g0, *g1, L0 = 0, L1 = 0;
    size_t i, n;
    double worst = 0, scale, w2 = 0;
    if (!setup_case(&c0, sizes, 3, acts, LLP_LOSS_SOFTMAX_CE, T_CLASS_MULTI, 0.0, 30, 32, 11) ||
        !setup_case(&c1, sizes, 3, acts, LLP_LOSS_SOFTMAX_CE, T_CLASS_MULTI, lam, 30, 32, 11)) {
        CHECK(0, "setup failed");
        return;
    }
    n = c0.m.n_params;
    draw_theta(&c0, 12);
    llp_copy(c0.theta, c1.theta, n);
    g0 = (llp_real *)malloc(n * sizeof(llp_real));
    g1 = (llp_real *)malloc(n * sizeof(llp_real));
    CHECK_OK(llp_mlp_loss_grad(&c0.m, c0.theta, &c0.data, NULL, &L0, g0, &c0.w));
    CHECK_OK(llp_mlp_loss_grad(&c1.m, c1.theta, &c1.data, NULL, &L1, g1, &c1.w));
    scale = llp_nrminf(g1, n);
    for (l = 0; l < 3; l++) {
        size_t nw = (size_t)sizes[l] * (size_t)sizes[l + 1], nb = (size_t)sizes[l + 1];
        for (i = 0; i < nw; i++) {
            size_t p = c0.ref.w_off[l] + i;
            double e = fabs((g1[p] - g0[p]) - lam * c0.theta[p]);
            if (e > worst) worst = e;
            w2 += (double)c0.theta[p] * c0.theta[p];
        }
        for (i = 0; i < nb; i++) {
            size_t p = c0.ref.b_off[l] + i;
            double e = fabs(g1[p] - g0[p]);
            if (e > worst) worst = e;
        }
    }
    CHECK(worst <= TOL(1e-12, 2 * FLT_EPSILON) * scale, "g(lambda) - g(0) - lambda [W; 0]: max error %.3g (|g| %.3g)",
          worst, scale);
    CHECK_CLOSE(L1 - L0, 0.5 * lam * w2, TOL(1e-12, 1e-6), "L(lambda) - L(0) = lambda/2 ||W||^2");
    free(g0);
    free(g1);
    free_case(&c0);
    free_case(&c1);
}

/* Batches: (a) the loss and gradient over ALL equal the mean-weighted
   combination (n1 L1 + n2 L2)/n of two RANGE halves (the weight-decay term,
   present in both halves, has weights summing to 1); (b) an INDEX batch
   equals the RANGE batch with the same samples, in order and permuted;
   (c) a workspace of max_batch 7 (chunks 7+7+...+1 over 50 samples) equals a
   single chunk, for ALL, RANGE and INDEX batches.
   Tolerance 1e-12 relative: only the summation order differs.
   Float: the sums over 20..50 samples are float sums in another order, a
   few eps of the summands (measured worst 1.3e-7 for the gradient, 2.7e-8
   for the loss): 2e-6 (bt_ below). */
static void test_batches(void) {
    static const combo cbs[3] = {{LLP_LOSS_SOFTMAX_CE, T_CLASS_MULTI}, {LLP_LOSS_MSE, T_REG_NORMAL},
                                 {LLP_LOSS_BCE, T_CLASS_BINARY}};
    int ci;
    for (ci = 0; ci < 3; ci++) {
        tcase c;
        llp_mlp_work w7;
        int sizes[4];
        llp_act acts[2] = {LLP_ACT_GELU, LLP_ACT_TANH};
        llp_real La = 0, L1 = 0, L2 = 0, Lc = 0, *ga, *g1, *g2, *gc, *comb;
        size_t i, n, idx[20], perm[20];
        llp_batch ball = llp_batch_all(), b1 = llp_batch_range(0, 20), b2 = llp_batch_range(20, 30),
                  br = llp_batch_range(13, 20), bi, bp;
        llp_rng rng;
        const double bt_ = TOL(1e-12, 2e-6); /* float: see above */
        combo_sizes(&cbs[ci], sizes);
        if (!setup_case(&c, sizes, 3, acts, cbs[ci].loss, cbs[ci].target, 0.02, 50, 64, 77 + (uint64_t)ci)) {
            CHECK(0, "setup failed");
            return;
        }
        CHECK_OK(llp_mlp_work_init(&w7, &c.m, 7));
        draw_theta(&c, 78 + (uint64_t)ci);
        n = c.m.n_params;
        ga = (llp_real *)malloc(n * sizeof(llp_real));
        g1 = (llp_real *)malloc(n * sizeof(llp_real));
        g2 = (llp_real *)malloc(n * sizeof(llp_real));
        gc = (llp_real *)malloc(n * sizeof(llp_real));
        comb = (llp_real *)malloc(n * sizeof(llp_real));
        CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, &ball, &La, ga, &c.w));
        CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, &b1, &L1, g1, &c.w));
        CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, &b2, &L2, g2, &c.w));
        for (i = 0; i < n; i++) comb[i] = (llp_real)((20.0 * g1[i] + 30.0 * g2[i]) / 50.0);
        CHECK_CLOSE(La, (20.0 * L1 + 30.0 * L2) / 50.0, bt_, "loss(ALL) = (20 L[0,20) + 30 L[20,50)) / 50");
        CHECK(rel_err(ga, comb, n) < bt_, "%s: grad(ALL) vs weighted halves: rel %.3g", llp_loss_name(cbs[ci].loss),
              rel_err(ga, comb, n));
        /* the NULL batch is ALL */
        CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, NULL, &Lc, gc, &c.w));
        CHECK(Lc == La && rel_err(gc, ga, n) == 0, "NULL batch gives the same as LLP_BATCH_ALL");
        /* INDEX == RANGE, in order and permuted */
        for (i = 0; i < 20; i++) idx[i] = 13 + i;
        llp_rng_seed(&rng, 5);
        llp_rng_permutation(&rng, perm, 20);
        for (i = 0; i < 20; i++) perm[i] = 13 + perm[i];
        bi = llp_batch_index(idx, 20);
        bp = llp_batch_index(perm, 20);
        CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, &br, &L1, g1, &c.w));
        CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, &bi, &L2, g2, &c.w));
        CHECK_CLOSE(L2, L1, bt_, "loss(INDEX 13..32) = loss(RANGE 13, 20)");
        CHECK(rel_err(g2, g1, n) < bt_, "grad(INDEX) = grad(RANGE): rel %.3g", rel_err(g2, g1, n));
        CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, &bp, &L2, g2, &c.w));
        CHECK_CLOSE(L2, L1, bt_, "loss(permuted INDEX) = loss(RANGE)");
        CHECK(rel_err(g2, g1, n) < bt_, "grad(permuted INDEX) = grad(RANGE): rel %.3g", rel_err(g2, g1, n));
        /* chunks of 7 == one chunk */
        CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, &ball, &Lc, gc, &w7));
        CHECK_CLOSE(Lc, La, bt_, "loss(ALL) in chunks of 7 = one chunk");
        CHECK(rel_err(gc, ga, n) < bt_, "grad(ALL) chunks of 7: rel %.3g", rel_err(gc, ga, n));
        CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, &br, &Lc, gc, &w7));
        CHECK_CLOSE(Lc, L1, bt_, "loss(RANGE) in chunks of 7");
        CHECK(rel_err(gc, g1, n) < bt_, "grad(RANGE) chunks of 7: rel %.3g", rel_err(gc, g1, n));
        CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, &bp, &Lc, gc, &w7));
        CHECK_CLOSE(Lc, L1, bt_, "loss(permuted INDEX) in chunks of 7");
        CHECK(rel_err(gc, g1, n) < bt_, "grad(permuted INDEX) chunks of 7: rel %.3g", rel_err(gc, g1, n));
        /* loss only, chunked */
        CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, &ball, &Lc, NULL, &w7));
        CHECK_CLOSE(Lc, La, bt_, "loss only, chunks of 7");
        free(ga);
        free(g1);
        free(g2);
        free(gc);
        free(comb);
        llp_mlp_work_free(&w7);
        free_case(&c);
    }
}

/* llp_mlp_input_grad: row b of dx is dL/dx for batch sample b (batch order),
   checked against central differences of the batch loss in each input
   feature, h = 1e-5 (tolerance 1e-6 relative, same error budget as the
   parameter gradient). Done for an INDEX batch in scrambled order, with
   weight decay on (it does not depend on x), and in chunks of 3. The loss it
   reports equals llp_mlp_loss_grad's loss for the same batch (1e-12).
   Float: the step and the error budget of test_grad_fd_all: h = 2^-8,
   measured worst 6.8e-4, tolerance 5e-3; chunks of 3 vs one chunk and the
   loss differ only in float summation order: 2e-6 as in test_batches. */
static void test_input_grad_fd(void) {
    static const combo cbs[3] = {{LLP_LOSS_SOFTMAX_CE, T_CLASS_MULTI}, {LLP_LOSS_MSE, T_REG_NORMAL},
                                 {LLP_LOSS_BCE, T_CLASS_BINARY}};
    static const llp_act acts_for[3][2] = {{LLP_ACT_TANH, LLP_ACT_TANH},
                                           {LLP_ACT_GELU, LLP_ACT_SIGMOID},
                                           {LLP_ACT_SOFTPLUS, LLP_ACT_TANH}};
    const double h = TOL(1e-5, 1.0 / 256);
    int ci;
    for (ci = 0; ci < 3; ci++) {
        tcase c;
        llp_mlp_work w3;
        int sizes[4];
        size_t rows[8] = {17, 3, 9, 0, 25, 11, 4, 29}, b, j, d = 5;
        llp_batch bt = llp_batch_index(rows, 8);
        llp_real dx[8 * 5], dx3[8 * 5], fd[8 * 5], loss = 0, loss3 = 0, lref = 0;
        combo_sizes(&cbs[ci], sizes);
        if (!setup_case(&c, sizes, 3, acts_for[ci], cbs[ci].loss, cbs[ci].target, 0.05, 30, 16,
                        500 + (uint64_t)ci)) {
            CHECK(0, "setup failed");
            return;
        }
        draw_theta(&c, 600 + (uint64_t)ci);
        CHECK_OK(llp_mlp_input_grad(&c.m, c.theta, &c.data, &bt, dx, &loss, &c.w));
        for (b = 0; b < 8; b++)
            for (j = 0; j < d; j++) {
                llp_real *xp = c.data.x + rows[b] * d + j, keep = *xp, lp = 0, lm = 0;
                *xp = (llp_real)(keep + h);
                llp_mlp_loss_grad(&c.m, c.theta, &c.data, &bt, &lp, NULL, &c.w);
                *xp = (llp_real)(keep - h);
                llp_mlp_loss_grad(&c.m, c.theta, &c.data, &bt, &lm, NULL, &c.w);
                *xp = keep;
                fd[b * d + j] = (llp_real)(((double)lp - lm) / (2 * h));
            }
        CHECK(rel_err(dx, fd, 8 * d) < TOL(1e-6, 5e-3), "%s: input gradient vs central difference: rel %.3g",
              llp_loss_name(cbs[ci].loss), rel_err(dx, fd, 8 * d));
        CHECK_OK(llp_mlp_work_init(&w3, &c.m, 3));
        CHECK_OK(llp_mlp_input_grad(&c.m, c.theta, &c.data, &bt, dx3, &loss3, &w3));
        CHECK(rel_err(dx3, dx, 8 * d) < TOL(1e-12, 2e-6), "input gradient in chunks of 3 = one chunk: rel %.3g",
              rel_err(dx3, dx, 8 * d));
        CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, &bt, &lref, NULL, &c.w));
        CHECK_CLOSE(loss, lref, TOL(1e-12, 2e-6), "loss reported by llp_mlp_input_grad = llp_mlp_loss_grad's loss");
        llp_mlp_work_free(&w3);
        free_case(&c);
    }
}

/* Known values: (a) softmax CE of the all-zero network is log(n_classes)
   (every logit 0, softmax uniform), exactly up to rounding: 1e-12;
   (b) MSE of the all-zero network on regression targets is the mean of t^2
   over samples and outputs, computed here directly: 1e-12;
   (c) BCE of the zero network is log 2 whatever the targets in [0, 1].
   Float: the loss is returned as a float, so these are to a few ulps of a
   value below 2: 4 FLT_EPSILON (measured worst 3e-8). */
static void test_known_values(void) {
    int classes;
    for (classes = 2; classes <= 5; classes++) {
        tcase c;
        int sizes[4] = {4, 5, 3, 0};
        llp_act acts[2] = {LLP_ACT_TANH, LLP_ACT_RELU};
        llp_real L = 0;
        sizes[3] = classes;
        if (!setup_case(&c, sizes, 3, acts, LLP_LOSS_SOFTMAX_CE, T_CLASS_MULTI, 0.1, 20, 32, 40 + (uint64_t)classes)) {
            CHECK(0, "setup failed");
            return;
        }
        llp_fill(0, c.theta, c.m.n_params);
        CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, NULL, &L, NULL, &c.w));
        CHECK(fabs(L - log((double)classes)) <= TOL(1e-12, 4 * FLT_EPSILON),
              "softmax CE of zero net, %d classes: %.17g vs log %d = %.17g", classes, (double)L, classes,
              log((double)classes));
        free_case(&c);
    }
    {
        tcase c;
        int sizes[3] = {3, 4, 2};
        llp_act acts[1] = {LLP_ACT_SIGMOID};
        llp_real L = 0;
        double t2 = 0;
        size_t i;
        if (!setup_case(&c, sizes, 2, acts, LLP_LOSS_MSE, T_REG_NORMAL, 0.0, 15, 32, 99)) {
            CHECK(0, "setup failed");
            return;
        }
        llp_fill(0, c.theta, c.m.n_params);
        for (i = 0; i < 15 * 2; i++) t2 += (double)c.data.y[i] * c.data.y[i];
        t2 /= 30.0;
        CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, NULL, &L, NULL, &c.w));
        CHECK_CLOSE(L, t2, TOL(1e-12, 4 * FLT_EPSILON), "MSE of the zero network = mean t^2");
        free_case(&c);
    }
    {
        tcase c;
        int sizes[3] = {3, 4, 2};
        llp_act acts[1] = {LLP_ACT_GELU};
        llp_real L = 0;
        if (!setup_case(&c, sizes, 2, acts, LLP_LOSS_BCE, T_REG_UNIT, 0.0, 15, 32, 98)) {
            CHECK(0, "setup failed");
            return;
        }
        llp_fill(0, c.theta, c.m.n_params);
        CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, NULL, &L, NULL, &c.w));
        CHECK_CLOSE(L, log(2.0), TOL(1e-12, 4 * FLT_EPSILON), "BCE of the zero network = log 2");
        free_case(&c);
    }
}

/* llp_mlp_accuracy on hand-built cases where the answer is counted by hand:
   a linear 2->3 model with outputs (x0, x1, -x0-x1) on five points labelled
   so that exactly 3 are right (0.6), batches of them (0.5, 1.0); a 2->1 BCE
   model with output x0 - x1, where output > 0 means class 1 (so 0 means
   class 0): 2 of 4 right. Exact comparisons (ratios of small integers). */
static void test_accuracy_hand(void) {
    llp_mlp_desc md;
    llp_mlp m;
    llp_mlp_work w;
    llp_data d;
    double acc = -1;
    const double pts[5][2] = {{2, 0}, {0, 2}, {-1, -1}, {3, 1}, {1, 3}};
    const int labels[5] = {0, 1, 2, 1, 0}; /* predictions 0,1,2,0,1: right, right, right, wrong, wrong */
    size_t i, idx[2] = {0, 3};
    llp_batch b;
    memset(&md, 0, sizeof md);
    md.n_layers = 1;
    md.sizes[0] = 2;
    md.sizes[1] = 3;
    md.loss = LLP_LOSS_SOFTMAX_CE;
    CHECK_OK(llp_mlp_init(&m, &md));
    CHECK_OK(llp_mlp_work_init(&w, &m, 2)); /* chunks of 2 over 5 samples */
    llp_fill(0, m.theta, m.n_params);
    m.theta[0] = 1;  /* W row 0 = (1, 0) */
    m.theta[3] = 1;  /* W row 1 = (0, 1) */
    m.theta[4] = -1; /* W row 2 = (-1, -1) */
    m.theta[5] = -1;
    CHECK_OK(llp_data_alloc(&d, 5, 2, LLP_TASK_CLASSIFICATION, 3));
    for (i = 0; i < 5; i++) {
        d.x[2 * i] = pts[i][0];
        d.x[2 * i + 1] = pts[i][1];
        d.labels[i] = labels[i];
    }
    CHECK_OK(llp_mlp_accuracy(&m, m.theta, &d, NULL, &acc, &w));
    CHECK(acc == 0.6, "accuracy over all five: %g, expected 3/5", acc);
    b = llp_batch_index(idx, 2);
    CHECK_OK(llp_mlp_accuracy(&m, m.theta, &d, &b, &acc, &w));
    CHECK(acc == 0.5, "accuracy over samples {0, 3}: %g, expected 1/2", acc);
    b = llp_batch_range(0, 3);
    CHECK_OK(llp_mlp_accuracy(&m, m.theta, &d, &b, &acc, &w));
    CHECK(acc == 1.0, "accuracy over samples 0..2: %g, expected 1", acc);
    llp_data_free(&d);
    llp_mlp_work_free(&w);
    llp_mlp_free(&m);

    md.sizes[1] = 1;
    md.loss = LLP_LOSS_BCE;
    CHECK_OK(llp_mlp_init(&m, &md));
    CHECK_OK(llp_mlp_work_init(&w, &m, 8));
    m.theta[0] = 1;
    m.theta[1] = -1;
    m.theta[2] = 0;
    CHECK_OK(llp_data_alloc(&d, 4, 2, LLP_TASK_CLASSIFICATION, 2));
    {
        const double bp[4][2] = {{2, 0}, {0, 2}, {1, 1}, {3, 1}};
        const int bl[4] = {1, 0, 1, 0}; /* outputs 2, -2, 0, 2 -> predictions 1, 0, 0, 1 */
        for (i = 0; i < 4; i++) {
            d.x[2 * i] = bp[i][0];
            d.x[2 * i + 1] = bp[i][1];
            d.labels[i] = bl[i];
        }
    }
    CHECK_OK(llp_mlp_accuracy(&m, m.theta, &d, NULL, &acc, &w));
    CHECK(acc == 0.5, "BCE single-output accuracy: %g, expected 2/4", acc);
    llp_data_free(&d);

    /* regression data has no accuracy */
    CHECK_OK(llp_data_alloc(&d, 4, 2, LLP_TASK_REGRESSION, 1));
    CHECK(llp_mlp_accuracy(&m, m.theta, &d, NULL, &acc, &w) == LLP_ERR_ARG, "accuracy on regression data: LLP_ERR_ARG");
    llp_data_free(&d);
    llp_mlp_work_free(&w);
    llp_mlp_free(&m);
}

/* Bad input gets a clear error and leaves the caller's objects as they were:
   wrong feature count -> LLP_ERR_SHAPE (loss_grad, objective_init,
   check_data with a message); wrong class count / target count -> SHAPE;
   batches reaching past the data -> LLP_ERR_ARG; llp_mlp_init with
   n_layers 0 or 17, or a zero size -> LLP_ERR_ARG with *m unchanged. */
static void test_bad_input(void) {
    tcase c;
    int sizes[4] = {5, 6, 4, 3};
    llp_act acts[2] = {LLP_ACT_TANH, LLP_ACT_TANH};
    llp_data bad;
    llp_rng rng;
    llp_error err;
    llp_mlp_objective mo, mo_before;
    llp_real loss = 0, *g;
    llp_batch b;
    size_t idx[3] = {1, 50, 2};
    if (!setup_case(&c, sizes, 3, acts, LLP_LOSS_SOFTMAX_CE, T_CLASS_MULTI, 0, 50, 64, 3)) {
        CHECK(0, "setup failed");
        return;
    }
    draw_theta(&c, 4);
    g = (llp_real *)malloc(c.m.n_params * sizeof(llp_real));
    llp_rng_seed(&rng, 8);

    /* 4 features for a 5-input model */
    CHECK_OK(llp_data_blobs(&bad, 20, 4, 3, 1.0, &rng));
    CHECK(llp_mlp_loss_grad(&c.m, c.theta, &bad, NULL, &loss, g, &c.w) == LLP_ERR_SHAPE,
          "loss_grad with 4 features for 5 inputs: LLP_ERR_SHAPE");
    memset(&mo, 0x5a, sizeof mo);
    mo_before = mo;
    CHECK(llp_mlp_objective_init(&mo, &c.m, &bad, 0) == LLP_ERR_SHAPE, "objective_init, wrong features: LLP_ERR_SHAPE");
    CHECK(memcmp(&mo, &mo_before, sizeof mo) == 0, "objective untouched on error");
    memset(&err, 0, sizeof err);
    CHECK(llp_mlp_check_data(&c.m, &bad, &err) == LLP_ERR_SHAPE, "check_data, wrong features: LLP_ERR_SHAPE");
    CHECK(err.message[0] != 0, "check_data fills the error message (got '%s')", err.message);
    llp_data_free(&bad);

    /* a label outside 0..k-1 reaching a direct call (no objective init to
       validate it) is reported, never used as an index */
    CHECK_OK(llp_data_blobs(&bad, 20, 5, 3, 1.0, &rng));
    bad.labels[7] = 3;
    CHECK(llp_mlp_loss_grad(&c.m, c.theta, &bad, NULL, &loss, g, &c.w) == LLP_ERR_LABEL,
          "loss_grad with label 3 for 3 outputs: LLP_ERR_LABEL");
    bad.labels[7] = -1;
    CHECK(llp_mlp_hvp(&c.m, c.theta, c.theta, &bad, NULL, g, NULL, &c.w) == LLP_ERR_LABEL,
          "hvp with label -1: LLP_ERR_LABEL");
    llp_data_free(&bad);

    /* 4 classes for 3 softmax outputs */
    CHECK_OK(llp_data_blobs(&bad, 20, 5, 4, 1.0, &rng));
    CHECK(llp_mlp_check_data(&c.m, &bad, &err) == LLP_ERR_SHAPE, "check_data, 4 classes for 3 outputs: SHAPE");
    CHECK(llp_mlp_loss_grad(&c.m, c.theta, &bad, NULL, &loss, g, &c.w) == LLP_ERR_SHAPE,
          "loss_grad, 4 classes for 3 outputs: SHAPE");
    llp_data_free(&bad);

    /* softmax CE on regression targets; and the right data passes */
    CHECK_OK(llp_data_alloc(&bad, 10, 5, LLP_TASK_REGRESSION, 3));
    CHECK(llp_mlp_check_data(&c.m, &bad, &err) == LLP_ERR_SHAPE, "softmax CE on regression data: SHAPE");
    llp_data_free(&bad);
    CHECK_OK(llp_mlp_check_data(&c.m, &c.data, &err));

    /* batches beyond the data */
    b = llp_batch_range(45, 10);
    CHECK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, &b, &loss, g, &c.w) == LLP_ERR_ARG, "RANGE(45, 10) of 50: ARG");
    b = llp_batch_range(51, 1);
    CHECK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, &b, &loss, NULL, &c.w) == LLP_ERR_ARG, "RANGE(51, 1) of 50: ARG");
    b = llp_batch_index(idx, 3);
    CHECK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, &b, &loss, g, &c.w) == LLP_ERR_ARG, "INDEX with 50 of 50: ARG");
    CHECK(llp_mlp_input_grad(&c.m, c.theta, &c.data, &b, g, &loss, &c.w) == LLP_ERR_ARG, "input_grad, bad index: ARG");
    b = llp_batch_range(40, 10);
    CHECK_OK(llp_mlp_loss_grad(&c.m, c.theta, &c.data, &b, &loss, g, &c.w)); /* the last valid range */

    /* regression targets of the wrong count */
    {
        tcase r;
        llp_act a1[2] = {LLP_ACT_RELU, LLP_ACT_RELU};
        if (setup_case(&r, sizes, 3, a1, LLP_LOSS_MSE, T_REG_NORMAL, 0, 10, 16, 9)) {
            draw_theta(&r, 10);
            CHECK_OK(llp_data_alloc(&bad, 10, 5, LLP_TASK_REGRESSION, 2));
            CHECK(llp_mlp_check_data(&r.m, &bad, &err) == LLP_ERR_SHAPE, "2 targets for 3 outputs: SHAPE");
            CHECK(llp_mlp_loss_grad(&r.m, r.theta, &bad, NULL, &loss, NULL, &r.w) == LLP_ERR_SHAPE,
                  "loss_grad, 2 targets for 3 outputs: SHAPE");
            llp_data_free(&bad);
        }
        free_case(&r);
    }

    /* llp_mlp_init rejects impossible architectures and leaves *m alone */
    {
        llp_mlp m, before;
        llp_mlp_desc md;
        memset(&m, 0xa5, sizeof m);
        before = m;
        memset(&md, 0, sizeof md);
        md.n_layers = 0;
        md.sizes[0] = 3;
        md.sizes[1] = 2;
        CHECK(llp_mlp_init(&m, &md) == LLP_ERR_ARG, "n_layers 0: LLP_ERR_ARG");
        CHECK(memcmp(&m, &before, sizeof m) == 0, "m untouched after n_layers 0");
        md.n_layers = LLP_MAX_LAYERS + 1;
        CHECK(llp_mlp_init(&m, &md) == LLP_ERR_ARG, "n_layers 17: LLP_ERR_ARG");
        CHECK(memcmp(&m, &before, sizeof m) == 0, "m untouched after n_layers 17");
        md.n_layers = 2;
        md.sizes[0] = 3;
        md.sizes[1] = 0;
        md.sizes[2] = 2;
        CHECK(llp_mlp_init(&m, &md) == LLP_ERR_ARG, "hidden size 0: LLP_ERR_ARG");
        CHECK(memcmp(&m, &before, sizeof m) == 0, "m untouched after a zero size");
        md.sizes[1] = 4;
        md.sizes[2] = 0;
        CHECK(llp_mlp_init(&m, &md) == LLP_ERR_ARG, "output size 0: LLP_ERR_ARG");
        CHECK(memcmp(&m, &before, sizeof m) == 0, "m untouched after output size 0");
        md.sizes[2] = 2;
        CHECK_OK(llp_mlp_init(&m, &md));
        llp_mlp_free(&m);
    }
    free(g);
    free_case(&c);
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_forward_matches_reference);
    LLP_RUN(test_forward_tiny_closed_form);
    LLP_RUN(test_loss_matches_definition);
    LLP_RUN(test_grad_fd_all);
    LLP_RUN(test_grad_weight_decay_term);
    LLP_RUN(test_batches);
    LLP_RUN(test_input_grad_fd);
    LLP_RUN(test_known_values);
    LLP_RUN(test_accuracy_hand);
    LLP_RUN(test_bad_input);
    return llp_test_summary();
}
