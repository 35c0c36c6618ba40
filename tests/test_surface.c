/* 2-D surfaces (llp_surface_compute, llp_surface_write), Hessian-eigenvector
   directions (llp_direction_hessian), trajectory PCA (llp_pca_trajectory) and
   the plane helpers (llp_plane_project, llp_plane_from_points).

   References computed here, independently of the code under test:
   - quadratic: f(theta + x d1 + y d2) = f + x g.d1 + y g.d2 + x^2/2 d1'Ad1 +
     x y d1'Ad2 + y^2/2 d2'Ad2 with A from llp_landscape_hessian and every
     product summed here in double. The only differences are the rounding of
     the formed point and of the landscape's sums: relative 1e-12 (float 1e-5:
     a point rounded to float moves f by about 2 eps cond^(1/2) = 1e-6);
   - curvature: lambda_max/min of the quadratic are the extreme eigenvalues
     of A (llp_sym_eig), and Lanczos with n = 6 steps is exact: 1e-8 relative
     (float 1e-4: Lanczos' float tolerance). For the sincos landscape (n = 2,
     f = sin 4x cos 4y + 2 (x^2 + y^2)) the 2x2 Hessian is derived by hand,
     f_xx = f_yy = 4 - 16 sin 4x cos 4y, f_xy = -16 cos 4x sin 4y, checked
     against central differences of f itself (1e-5: h = 1e-4 gives a
     truncation error h^2 f''''/12 of about 2e-7), and its eigenvalues are
     (a + c)/2 +- sqrt(((a - c)/2)^2 + b^2); the grid holds y = 0, where the
     Hessian is a multiple of I (a Lanczos breakdown). 1e-8 (float 1e-4);
   - MLP: every point of the surface (the llp_mlp_plane_loss fast path, and
     the generic path through an objective that wraps the MLP objective's
     callbacks) equals llp_objective_loss at the explicitly formed point to
     1e-12 relative (the header promises about 1e-15; float 1e-5, a few
     float roundings of O(1) sums), accuracies equal llp_mlp_accuracy there
     exactly (counts of argmaxes). A 3-layer net with weight decay and
     directions with nonzero bias entries, so every part of the fast path
     (stored first-layer products, bias, later layers, decay) is exercised;
   - resuming: a run stopped by its progress callback (after a whole scan line
     on the fast path, after one point on the generic path: asked to stop at
     35 of 11 x 9 points, the fast path stops at 44) or killed by SIGKILL in
     a child process, its .part file torn in the middle of the last line (so
     exactly one point, the last, is recomputed), finishes with a file byte
     for byte equal to an uninterrupted run's, values in memory bitwise equal (%.17g round-trips), no point
     evaluated twice (evals), and a complete file is loaded instead of
     recomputed (a run with a file spends one loss per objective on its
     header, as documented). The header's losses at theta equal
     llp_objective_loss there exactly (%.17g). A .part file of other
     arguments (another d2, another grid, or other training data of the same
     size) is refused at the line where its header first differs from the
     header a run with those arguments writes (found here by comparing the
     two files), and a garbage number is refused at its line (counted here);
   - writers: the files are parsed back here (layout, blank lines between scan
     lines, %.17g numbers exact); the body of a resumable file equals
     llp_surface_write's;
   - PCA: a trajectory theta* + a_i u + b_i v lies in a plane: the components
     span u and v (projection norms 1e-10), reconstruct every snapshot
     (1e-10 relative), explain everything; the reference is M^T M (n x n,
     formed here) by llp_sym_eig: two largest eigenvalues / trace equal the
     explained ratios (1e-10: both in double from the same data), eigenvector
     |cos| 1 - 1e-10 (float 1e-6, components stored as float). Adding
     eps_i w with w orthogonal to u, v AND the vector eps orthogonal to a and
     b (so M^T M is block diagonal: otherwise the plane tilts by O(eps) and
     the residual is that of eps projected off a and b, not sqrt(sum eps^2)),
     |eps| ~ 1e-3: residual = sqrt(sum eps^2 / ||M||_F^2) to 1e-8 relative
     (float 1e-3: float rounding of the snapshots, 1e-6 absolute per row,
     against eps of 1e-3), offplane_i = |eps_i|, the third component is w,
     and its explained ratio is sum eps^2 / ||M||^2 to 1e-13 absolute (a
     Gram eigenvalue is exact to about eps ||M||^2, not relatively). Rows
     on a line must be refused (LLP_ERR_ARG): small integers (exactly rank
     1 in both builds), and theta* + a_i u rounded to double (double build
     only: rounded to float the rows are 1e-15 off the line, a real second
     dimension);
   - planes: points built from known coordinates (and offsets orthogonalised
     here) come back with them; 1e-12 relative (float 1e-5). Collinear
     points are refused both when exactly collinear (small integers) and
     when collinear to the rounding of llp_real (p2 = p0 + 2.5 (p1 - p0)
     rounded): the documented "(nearly) collinear", and what
     llp_plane_project and llp_direction_orthogonalize refuse
     (|cos| > 1 - 1e-12);
   - Hessian directions: the full Hessian (llp_hessian_full) by llp_sym_eig;
     eigenvalues 1e-8 relative (float 1e-3), 1 - |cos| <= 1e-8 (float 1e-3),
     norms 1e-12 (float 1e-5).
   Every file is written in the current directory and removed at the end. */
#define _POSIX_C_SOURCE 200112L
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"
#include <stdlib.h>
#if defined(__unix__) || defined(__APPLE__)
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#define HAVE_FORK 1
#else
#define HAVE_FORK 0
#endif

#define SURF_TOL TOL(1e-12, 1e-5)
/* A run with a file evaluates the training and validation loss at theta once
   for its header (documented: one loss per objective, counted in evals). */
#define HEADER_LOSSES 2

/* ---- helpers ------------------------------------------------------------ */

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

static double reldiff(double a, double b) { return fabs(a - b) / (fabs(b) > 1e-300 ? fabs(b) : 1); }

/* equal, NaN equal to NaN */
static int same(double a, double b) { return a == b || (a != a && b != b); }

/* index of the largest-magnitude entry (the first of equals) */
static size_t argmax_abs(const llp_real *v, size_t n) {
    size_t i, im = 0;
    for (i = 1; i < n; i++)
        if (fabs((double)v[i]) > fabs((double)v[im])) im = i;
    return im;
}

/* the whole file, NUL-terminated; NULL when it cannot be read */
static unsigned char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    unsigned char *p;
    long n;
    *len = 0;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    p = (unsigned char *)malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    if (!p) return NULL;
    p[n] = 0;
    *len = (size_t)n;
    return p;
}

static int spit(const char *path, const unsigned char *p, size_t n) {
    FILE *f = fopen(path, "wb");
    int bad;
    if (!f) return -1;
    bad = n && fwrite(p, 1, n, f) != n;
    bad |= fclose(f) != 0;
    return bad ? -1 : 0;
}

static int exists(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    fclose(f);
    return 1;
}

static int files_equal(const char *a, const char *b) {
    size_t la = 0, lb = 0;
    unsigned char *pa = slurp(a, &la), *pb = slurp(b, &lb);
    int eq = pa && pb && la == lb && memcmp(pa, pb, la) == 0;
    free(pa);
    free(pb);
    return eq;
}

static const char *const surf_files[] = {"surf_a.dat", "surf_b.dat", "surf_c.dat", "surf_d.dat", "surf_e.dat",
                                         "surf_f.dat", "surf_g.dat", "surf_h.dat", "surf_k.dat", "surf_t.dat",
                                         "surf_w.dat", "surf_w.csv", "surf_bad.dat"};

/* remove everything this program may have written */
static void cleanup_files(void) {
    static const char *const suffix[] = {"", ".part", ".tmp", ".part.tmp"};
    char name[64];
    size_t i, j;
    for (i = 0; i < sizeof surf_files / sizeof surf_files[0]; i++)
        for (j = 0; j < 4; j++) {
            snprintf(name, sizeof name, "%s%s", surf_files[i], suffix[j]);
            remove(name);
        }
}

/* complete data lines (not comments, not blank) */
static size_t count_points(const unsigned char *p, size_t len) {
    size_t i, start = 0, k = 0;
    for (i = 0; i < len; i++)
        if (p[i] == '\n') {
            if (i > start && p[start] != '#') k++;
            start = i + 1;
        }
    return k;
}

/* Cut the last `cut` bytes off a file; *last: length of its last line
   (with the newline), so the caller can tell the cut falls inside it. */
static int tear(const char *path, size_t cut, size_t *last) {
    size_t len = 0, i;
    unsigned char *p = slurp(path, &len);
    int r;
    *last = 0;
    if (!p || len < cut + 2) {
        free(p);
        return -1;
    }
    for (i = len - 1; i > 0 && p[i - 1] != '\n'; i--) {
    }
    *last = len - i;
    r = spit(path, p, len - cut);
    free(p);
    return r;
}

/* Same grid and bitwise the same values (NaN = NaN). */
static int surfaces_equal(const llp_surface *a, const llp_surface *b) {
    size_t i, N;
    if (!a->x || !b->x || a->nx != b->nx || a->ny != b->ny) return 0;
    N = a->nx * a->ny;
    for (i = 0; i < a->nx; i++)
        if (a->x[i] != b->x[i]) return 0;
    for (i = 0; i < a->ny; i++)
        if (a->y[i] != b->y[i]) return 0;
    if ((a->lambda_max == NULL) != (b->lambda_max == NULL)) return 0;
    for (i = 0; i < N; i++) {
        if (!same(a->train_loss[i], b->train_loss[i]) || !same(a->val_loss[i], b->val_loss[i]) ||
            !same(a->train_acc[i], b->train_acc[i]) || !same(a->val_acc[i], b->val_acc[i]))
            return 0;
        if (a->lambda_max && (!same(a->lambda_max[i], b->lambda_max[i]) || !same(a->lambda_min[i], b->lambda_min[i])))
            return 0;
    }
    return 1;
}

/* A progress callback that stops (or, with die, kills the process) once
   done >= stop_at. */
typedef struct stop_ctx {
    size_t stop_at;    /* 0: never */
    size_t stopped_at; /* done when it stopped */
    size_t calls;
    size_t last_done;
    int die;
} stop_ctx;

static int stop_progress(void *ctx, size_t done, size_t total) {
    stop_ctx *s = (stop_ctx *)ctx;
    (void)total;
    s->calls++;
    s->last_done = done;
    if (s->stop_at && done >= s->stop_at) {
        if (!s->stopped_at) s->stopped_at = done;
#if HAVE_FORK
        if (s->die) raise(SIGKILL);
#endif
        return 1;
    }
    return 0;
}

/* ---- an MLP on blobs, its objectives and wrappers ------------------------ */

/* The wrappers forward to the MLP objective's callbacks: the surface cannot
   recognise them, so it takes the generic point-by-point path. */
static llp_result wrap_loss_grad(void *ctx, const llp_real *theta, const llp_batch *batch, llp_real *loss,
                                 llp_real *grad) {
    const llp_objective *in = (const llp_objective *)ctx;
    return in->loss_grad(in->ctx, theta, batch, loss, grad);
}

static llp_result wrap_accuracy(void *ctx, const llp_real *theta, const llp_batch *batch, double *acc) {
    const llp_objective *in = (const llp_objective *)ctx;
    return in->accuracy(in->ctx, theta, batch, acc);
}

typedef struct mlp_fix {
    llp_mlp m;
    llp_data tr, va;
    llp_mlp_objective mt, mv;
    llp_objective ft, fv; /* MLP objectives: the fast path */
    llp_objective gt, gv; /* wrappers: the generic path */
    llp_real *d1, *d2, *pt;
    size_t n;
} mlp_fix;

static void mlp_fix_init(mlp_fix *F, uint64_t seed) {
    llp_rng rng;
    llp_mlp_desc md;
    size_t i;
    memset(F, 0, sizeof *F);
    llp_rng_seed(&rng, seed);
    memset(&md, 0, sizeof md);
    md.n_layers = 3, md.sizes[0] = 5, md.sizes[1] = 7, md.sizes[2] = 6, md.sizes[3] = 3;
    md.act = LLP_ACT_TANH, md.loss = LLP_LOSS_SOFTMAX_CE, md.weight_decay = 1e-3;
    CHECK_OK(llp_mlp_init(&F->m, &md));
    F->n = F->m.n_params;
    llp_mlp_randomize(&F->m, F->m.theta, &rng);
    for (i = 0; i < F->n; i++) F->m.theta[i] += (llp_real)(0.1 * llp_rng_normal(&rng)); /* nonzero biases */
    CHECK_OK(llp_data_blobs(&F->tr, 80, 5, 3, 2.5, &rng));
    CHECK_OK(llp_data_blobs(&F->va, 40, 5, 3, 2.5, &rng));
    CHECK_OK(llp_mlp_objective_init(&F->mt, &F->m, &F->tr, 0));
    CHECK_OK(llp_mlp_objective_init(&F->mv, &F->m, &F->va, 0));
    F->ft = llp_mlp_objective_get(&F->mt);
    F->fv = llp_mlp_objective_get(&F->mv);
    F->gt = llp_objective_from_callbacks(F->n, F->ft.n_samples, wrap_loss_grad, NULL, &F->ft);
    F->gt.accuracy = wrap_accuracy;
    F->gv = llp_objective_from_callbacks(F->n, F->fv.n_samples, wrap_loss_grad, NULL, &F->fv);
    F->gv.accuracy = wrap_accuracy;
    F->d1 = (llp_real *)malloc(3 * F->n * sizeof(llp_real));
    F->d2 = F->d1 + F->n, F->pt = F->d2 + F->n;
    CHECK_OK(llp_direction_random(&F->m, F->m.theta, F->n, LLP_DIR_GAUSSIAN, LLP_DIR_NORM_FILTER,
                                  LLP_DIR_BIAS_NORMALIZE, &rng, F->d1));
    CHECK_OK(llp_direction_random(&F->m, F->m.theta, F->n, LLP_DIR_GAUSSIAN, LLP_DIR_NORM_FILTER,
                                  LLP_DIR_BIAS_NORMALIZE, &rng, F->d2));
}

static void mlp_fix_free(mlp_fix *F) {
    free(F->d1);
    llp_mlp_objective_free(&F->mt);
    llp_mlp_objective_free(&F->mv);
    llp_data_free(&F->tr);
    llp_data_free(&F->va);
    llp_mlp_free(&F->m);
}

/* theta + x d1 + y d2, formed in double and rounded once */
static void form_point(const llp_real *theta, const llp_real *d1, const llp_real *d2, double x, double y, size_t n,
                       llp_real *p) {
    size_t t;
    for (t = 0; t < n; t++) p[t] = (llp_real)((double)theta[t] + x * (double)d1[t] + y * (double)d2[t]);
}

/* ---- 1. the quadratic's closed form -------------------------------------- */

static void test_quadratic_closed_form(void) {
    enum { N = 6 };
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f;
    llp_surface_desc sd;
    llp_surface s, s0;
    llp_rng rng;
    llp_real th[N], d1[N], d2[N], A[N * N], l0 = 0;
    double Ath[N], Ad1[N], Ad2[N], f0 = 0, g1 = 0, g2 = 0, q11 = 0, q12 = 0, q22 = 0, worst = 0, worst_x = 0;
    size_t i, j, k;
    int asc = 1, nan_cols = 1, asc0 = 1;
    memset(&ld, 0, sizeof ld);
    memset(&s, 0, sizeof s);
    memset(&s0, 0, sizeof s0);
    ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = N, ld.cond = 50, ld.rotate = 1;
    llp_rng_seed(&rng, 101);
    CHECK_OK(llp_landscape_init(&ls, &ld, &rng));
    f = llp_landscape_objective(&ls);
    llp_rng_fill_normal(&rng, th, N);
    llp_rng_fill_normal(&rng, d1, N);
    llp_rng_fill_normal(&rng, d2, N);
    CHECK_OK(llp_landscape_hessian(&ls, th, A));
    for (i = 0; i < N; i++) {
        Ath[i] = Ad1[i] = Ad2[i] = 0;
        for (k = 0; k < N; k++) {
            Ath[i] += (double)A[i * N + k] * th[k];
            Ad1[i] += (double)A[i * N + k] * d1[k];
            Ad2[i] += (double)A[i * N + k] * d2[k];
        }
    }
    for (i = 0; i < N; i++) {
        f0 += 0.5 * th[i] * Ath[i];
        g1 += Ath[i] * d1[i], g2 += Ath[i] * d2[i];
        q11 += d1[i] * Ad1[i], q12 += d1[i] * Ad2[i], q22 += d2[i] * Ad2[i];
    }
    memset(&sd, 0, sizeof sd);
    sd.nx = 7, sd.ny = 5, sd.x_min = -1.5, sd.x_max = 0.5, sd.y_min = -1, sd.y_max = 2;
    CHECK_OK(llp_surface_compute(&f, NULL, th, d1, d2, &sd, &s, NULL));
    if (s.x) {
        CHECK(s.nx == 7 && s.ny == 5, "grid 7 x 5 (%lu x %lu)", (unsigned long)s.nx, (unsigned long)s.ny);
        for (j = 0; j < s.ny; j++)
            for (i = 0; i < s.nx; i++) {
                double x = s.x[i], y = s.y[j];
                double ref = f0 + x * g1 + y * g2 + 0.5 * x * x * q11 + x * y * q12 + 0.5 * y * y * q22;
                size_t p = j * s.nx + i;
                if (reldiff(s.train_loss[p], ref) > worst) worst = reldiff(s.train_loss[p], ref);
                if (!(s.val_loss[p] != s.val_loss[p] && s.train_acc[p] != s.train_acc[p] &&
                      s.val_acc[p] != s.val_acc[p]))
                    nan_cols = 0;
            }
        for (i = 0; i < s.nx; i++) {
            if (i && !(s.x[i] > s.x[i - 1])) asc = 0;
            if (fabs(s.x[i] - (-1.5 + 2.0 * (double)i / 6)) > worst_x) worst_x = fabs(s.x[i] - (-1.5 + 2.0 * (double)i / 6));
        }
        for (j = 1; j < s.ny; j++)
            if (!(s.y[j] > s.y[j - 1])) asc = 0;
        CHECK(worst <= SURF_TOL, "every point = the closed form (worst relative %.2g)", worst);
        CHECK(asc && worst_x <= 1e-15, "coordinates ascending and evenly spaced (worst %.2g)", worst_x);
        CHECK(s.x[0] == -1.5 && s.x[6] == 0.5 && s.y[0] == -1 && s.y[4] == 2, "endpoints exact");
        CHECK(nan_cols, "no validation objective, no accuracy: those columns are NaN");
        CHECK(s.lambda_max == NULL && s.lambda_min == NULL, "no curvature columns without curvature");
        CHECK(s.computed == 35 && s.resumed == 0 && s.evals.loss == 35 && s.evals.hvp == 0,
              "one training loss a point (computed %lu, evals %lu)", (unsigned long)s.computed,
              (unsigned long)s.evals.loss);
    }
    llp_surface_free(&s);
    /* defaults: desc NULL */
    CHECK_OK(llp_surface_compute(&f, NULL, th, d1, d2, NULL, &s0, NULL));
    CHECK_OK(llp_objective_loss(&f, th, NULL, &l0));
    if (s0.x) {
        CHECK(s0.nx == 51 && s0.ny == 51, "default grid 51 x 51 (%lu x %lu)", (unsigned long)s0.nx,
              (unsigned long)s0.ny);
        for (i = 1; i < s0.nx; i++)
            if (!(s0.x[i] > s0.x[i - 1]) || !(s0.y[i] > s0.y[i - 1])) asc0 = 0;
        CHECK(asc0 && s0.x[0] == -1 && s0.x[50] == 1 && s0.y[0] == -1 && s0.y[50] == 1, "default range [-1, 1]^2");
        CHECK(s0.x[25] == 0 && s0.y[25] == 0, "x[25] = y[25] = 0 exactly (%.3g, %.3g)", s0.x[25], s0.y[25]);
        CHECK(s0.train_loss[25 * 51 + 25] == (double)l0, "the centre is the loss at theta itself");
    }
    llp_surface_free(&s0);
    llp_landscape_free(&ls);
}

/* ---- 2. the curvature map ------------------------------------------------- */

static double sincos_f(double x, double y) { return sin(4 * x) * cos(4 * y) + 2 * (x * x + y * y); }

static void test_curvature(void) {
    enum { N = 6 };
    llp_landscape ls, sc;
    llp_landscape_desc ld;
    llp_objective f, g;
    llp_surface_desc sd;
    llp_surface s, s2, t;
    llp_rng rng;
    llp_real th[N], d1[N], d2[N], A[N * N], z[2] = {0, 0}, e1[2] = {1, 0}, e2[2] = {0, 1};
    double Ad[N * N], w[N], worst_hi = 0, worst_lo = 0, worst_fd = 0, worst_l = 0, worst_f = 0;
    size_t i, j;
    memset(&ld, 0, sizeof ld);
    memset(&s, 0, sizeof s);
    memset(&s2, 0, sizeof s2);
    memset(&t, 0, sizeof t);
    ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = N, ld.cond = 50, ld.rotate = 1;
    llp_rng_seed(&rng, 202);
    CHECK_OK(llp_landscape_init(&ls, &ld, &rng));
    f = llp_landscape_objective(&ls);
    llp_rng_fill_normal(&rng, th, N);
    llp_rng_fill_normal(&rng, d1, N);
    llp_rng_fill_normal(&rng, d2, N);
    CHECK_OK(llp_landscape_hessian(&ls, th, A));
    for (i = 0; i < N * N; i++) Ad[i] = A[i];
    CHECK_OK(llp_sym_eig(Ad, N, w, NULL));
    memset(&sd, 0, sizeof sd);
    sd.nx = 4, sd.ny = 3, sd.curvature = 1, sd.curvature_steps = N, sd.curvature_seed = 9;
    CHECK_OK(llp_surface_compute(&f, NULL, th, d1, d2, &sd, &s, NULL));
    if (s.x && s.lambda_max && s.lambda_min) {
        for (i = 0; i < 12; i++) {
            if (reldiff(s.lambda_max[i], w[N - 1]) > worst_hi) worst_hi = reldiff(s.lambda_max[i], w[N - 1]);
            if (reldiff(s.lambda_min[i], w[0]) > worst_lo) worst_lo = reldiff(s.lambda_min[i], w[0]);
        }
        CHECK(worst_hi <= TOL(1e-8, 1e-4), "quadratic: lambda_max = %.6g everywhere (worst relative %.2g)", w[N - 1],
              worst_hi);
        CHECK(worst_lo <= TOL(1e-8, 1e-4), "quadratic: lambda_min = %.6g everywhere (worst relative %.2g)", w[0],
              worst_lo);
        CHECK(s.evals.hvp > 0 && s.evals.hvp <= 12 * N, "at most %d HVPs a point (%lu in all)", N,
              (unsigned long)s.evals.hvp);
        CHECK_OK(llp_surface_compute(&f, NULL, th, d1, d2, &sd, &s2, NULL));
        CHECK(surfaces_equal(&s, &s2), "seeded start vectors: the same curvature map twice");
    } else {
        CHECK(0, "curvature columns allocated");
    }
    llp_surface_free(&s);
    llp_surface_free(&s2);
    llp_landscape_free(&ls);

    /* sincos, n = 2, against the hand-derived Hessian */
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_SINCOS, ld.n = 2;
    CHECK_OK(llp_landscape_init(&sc, &ld, NULL));
    g = llp_landscape_objective(&sc);
    memset(&sd, 0, sizeof sd);
    sd.nx = 9, sd.ny = 9, sd.curvature = 1, sd.curvature_seed = 4;
    CHECK_OK(llp_surface_compute(&g, NULL, z, e1, e2, &sd, &t, NULL));
    if (t.x && t.lambda_max) {
        for (j = 0; j < 9; j++)
            for (i = 0; i < 9; i++) {
                double x = t.x[i], y = t.y[j], h = 1e-4;
                double a = 4 - 16 * sin(4 * x) * cos(4 * y), b = -16 * cos(4 * x) * sin(4 * y), c = a;
                double m = 0.5 * (a + c), r = sqrt(0.25 * (a - c) * (a - c) + b * b);
                double fxx = (sincos_f(x + h, y) - 2 * sincos_f(x, y) + sincos_f(x - h, y)) / (h * h);
                double fyy = (sincos_f(x, y + h) - 2 * sincos_f(x, y) + sincos_f(x, y - h)) / (h * h);
                double fxy = (sincos_f(x + h, y + h) - sincos_f(x + h, y - h) - sincos_f(x - h, y + h) +
                              sincos_f(x - h, y - h)) /
                             (4 * h * h);
                double e_hi = fabs(t.lambda_max[j * 9 + i] - (m + r)) / (1 + fabs(m + r));
                double e_lo = fabs(t.lambda_min[j * 9 + i] - (m - r)) / (1 + fabs(m - r));
                double e_f = fabs(t.train_loss[j * 9 + i] - sincos_f(x, y)) / (1 + fabs(sincos_f(x, y)));
                if (fabs(fxx - a) > worst_fd) worst_fd = fabs(fxx - a);
                if (fabs(fyy - c) > worst_fd) worst_fd = fabs(fyy - c);
                if (fabs(fxy - b) > worst_fd) worst_fd = fabs(fxy - b);
                if (e_hi > worst_l) worst_l = e_hi;
                if (e_lo > worst_l) worst_l = e_lo;
                if (e_f > worst_f) worst_f = e_f;
            }
        CHECK(worst_fd <= 1e-5, "the hand-derived Hessian = central differences of f (worst %.2g)", worst_fd);
        CHECK(t.y[4] == 0, "y = 0 (H = a I there) is a grid point");
        CHECK(worst_l <= TOL(1e-8, 1e-4), "sincos: lambda_max/min = eigenvalues of the closed-form Hessian (worst %.2g)",
              worst_l);
        CHECK(worst_f <= SURF_TOL, "sincos: the loss = sin 4x cos 4y + 2 (x^2 + y^2) (worst %.2g)", worst_f);
    } else {
        CHECK(0, "sincos curvature surface computed");
    }
    llp_surface_free(&t);
    llp_landscape_free(&sc);
}

/* ---- 3. MLP fast path = the loss at the formed point = generic path -------- */

static void test_mlp_fast_path(void) {
    mlp_fix F;
    llp_surface_desc sd;
    llp_surface s, g;
    size_t i, j;
    double worst = 0, worst_g = 0, worst_fg = 0;
    int bad_acc = 0, bad_gacc = 0;
    memset(&s, 0, sizeof s);
    memset(&g, 0, sizeof g);
    mlp_fix_init(&F, 31);
    memset(&sd, 0, sizeof sd);
    sd.nx = 6, sd.ny = 4, sd.x_min = -1, sd.x_max = 1.2, sd.y_min = -0.7, sd.y_max = 0.9;
    CHECK_OK(llp_surface_compute(&F.ft, &F.fv, F.m.theta, F.d1, F.d2, &sd, &s, NULL));
    CHECK_OK(llp_surface_compute(&F.gt, &F.gv, F.m.theta, F.d1, F.d2, &sd, &g, NULL));
    if (s.x && g.x) {
        for (j = 0; j < sd.ny; j++)
            for (i = 0; i < sd.nx; i++) {
                size_t p = j * sd.nx + i;
                llp_real lt = 0, lv = 0;
                double at = -1, av = -1;
                form_point(F.m.theta, F.d1, F.d2, s.x[i], s.y[j], F.n, F.pt);
                CHECK_OK(llp_objective_loss(&F.ft, F.pt, NULL, &lt));
                CHECK_OK(llp_objective_loss(&F.fv, F.pt, NULL, &lv));
                CHECK_OK(llp_mlp_accuracy(&F.m, F.pt, &F.tr, NULL, &at, &F.mt.work));
                CHECK_OK(llp_mlp_accuracy(&F.m, F.pt, &F.va, NULL, &av, &F.mv.work));
                if (reldiff(s.train_loss[p], lt) > worst) worst = reldiff(s.train_loss[p], lt);
                if (reldiff(s.val_loss[p], lv) > worst) worst = reldiff(s.val_loss[p], lv);
                if (reldiff(g.train_loss[p], lt) > worst_g) worst_g = reldiff(g.train_loss[p], lt);
                if (reldiff(g.val_loss[p], lv) > worst_g) worst_g = reldiff(g.val_loss[p], lv);
                if (reldiff(s.train_loss[p], g.train_loss[p]) > worst_fg)
                    worst_fg = reldiff(s.train_loss[p], g.train_loss[p]);
                if (reldiff(s.val_loss[p], g.val_loss[p]) > worst_fg) worst_fg = reldiff(s.val_loss[p], g.val_loss[p]);
                bad_acc += s.train_acc[p] != at || s.val_acc[p] != av;
                bad_gacc += g.train_acc[p] != at || g.val_acc[p] != av;
            }
        CHECK(worst <= SURF_TOL, "fast path = llp_objective_loss at the formed point (worst relative %.2g)", worst);
        CHECK(bad_acc == 0, "fast path accuracies = llp_mlp_accuracy there (%d points differ)", bad_acc);
        CHECK(worst_g <= SURF_TOL, "generic path = llp_objective_loss at the formed point (worst relative %.2g)",
              worst_g);
        CHECK(bad_gacc == 0, "generic path accuracies = llp_mlp_accuracy there (%d points differ)", bad_gacc);
        CHECK(worst_fg <= SURF_TOL, "fast and generic surfaces agree (worst relative %.2g)", worst_fg);
        CHECK(s.evals.loss == 48 && g.evals.loss == 48 && s.computed == 24 && g.computed == 24,
              "train + val: two losses a point (%lu, %lu)", (unsigned long)s.evals.loss, (unsigned long)g.evals.loss);
        CHECK(s.lambda_max == NULL, "no curvature asked");
    }
    llp_surface_free(&s);
    llp_surface_free(&g);
    mlp_fix_free(&F);
}

/* ---- 4. resumable grid ------------------------------------------------------ */

static void resume_desc(llp_surface_desc *sd, const char *path, stop_ctx *sc) {
    memset(sd, 0, sizeof *sd);
    sd->nx = 11, sd->ny = 9, sd->x_min = -1, sd->x_max = 1, sd->y_min = -0.8, sd->y_max = 1.2;
    sd->path = path;
    sd->header = "surface test\nmlp 5-7-6-3 on blobs";
    if (sc) sd->progress = stop_progress, sd->progress_ctx = sc;
}

/* 1-based line of the first byte where two files differ */
static long first_diff_line(const unsigned char *a, size_t la, const unsigned char *b, size_t lb) {
    size_t i;
    long line = 1;
    for (i = 0; i < la && i < lb && a[i] == b[i]; i++) line += a[i] == '\n';
    return line;
}

/* the part of a gnuplot file after its column line */
static const unsigned char *body_of(const unsigned char *p, size_t len, size_t *blen) {
    const char *c = strstr((const char *)p, "# x y train_loss");
    const char *nl = c ? strchr(c, '\n') : NULL;
    *blen = 0;
    if (!nl) return NULL;
    *blen = len - (size_t)((const unsigned char *)nl + 1 - p);
    return (const unsigned char *)nl + 1;
}

static void test_resume(void) {
    mlp_fix F;
    llp_surface_desc sd;
    llp_surface sa, sb, sg, sh, sk, sf, st, sx;
    llp_error err;
    stop_ctx sc;
    llp_result r;
    unsigned char *buf = NULL, *buf2 = NULL;
    size_t len = 0, len2 = 0, last = 0;
    const llp_real *th;
    memset(&sa, 0, sizeof sa), memset(&sb, 0, sizeof sb), memset(&sg, 0, sizeof sg), memset(&sh, 0, sizeof sh);
    memset(&sk, 0, sizeof sk), memset(&sf, 0, sizeof sf), memset(&st, 0, sizeof st), memset(&sx, 0, sizeof sx);
    cleanup_files();
    mlp_fix_init(&F, 41);
    th = F.m.theta;

    /* uninterrupted */
    resume_desc(&sd, "surf_a.dat", NULL);
    CHECK_OK(llp_surface_compute(&F.ft, &F.fv, th, F.d1, F.d2, &sd, &sa, &err));
    CHECK(sa.computed == 99 && sa.resumed == 0 && sa.evals.loss == 198 + HEADER_LOSSES,
          "uninterrupted: 99 points, 2 x 99 losses + the header's (%lu)", (unsigned long)sa.evals.loss);
    CHECK(exists("surf_a.dat") && !exists("surf_a.dat.part"), "finished file renamed into place");
    buf = slurp("surf_a.dat", &len);
    CHECK(buf && count_points(buf, len) == 99, "99 data lines");
    if (buf) {
        static const char key[] = "\n# at theta: training loss ";
        const char *at = strstr((const char *)buf, key);
        llp_real l0 = 0, l1 = 0;
        double h0 = -1, h1 = -1;
        char *e = NULL;
        CHECK_OK(llp_objective_loss(&F.ft, th, NULL, &l0));
        CHECK_OK(llp_objective_loss(&F.fv, th, NULL, &l1));
        if (at) {
            h0 = strtod(at + strlen(key), &e);
            if (e && strncmp(e, ", validation loss ", 18) == 0) h1 = strtod(e + 18, NULL);
        }
        CHECK(at && h0 == (double)l0 && h1 == (double)l1, "header: the losses at theta (%.17g %.17g vs %.17g %.17g)",
              h0, h1, (double)l0, (double)l1);
    }
    /* its body is what llp_surface_write writes */
    CHECK_OK(llp_surface_write(&sa, "surf_w.dat", sd.header, 0, NULL));
    buf2 = slurp("surf_w.dat", &len2);
    if (buf && buf2) {
        size_t b1 = 0, b2 = 0;
        const unsigned char *p1 = body_of(buf, len, &b1), *p2 = body_of(buf2, len2, &b2);
        CHECK(p1 && p2 && b1 == b2 && memcmp(p1, p2, b1) == 0, "the resumable file's body = llp_surface_write's");
        CHECK(strncmp((const char *)buf, "# surface test\n# mlp 5-7-6-3 on blobs\n", 38) == 0,
              "the caller's header lines come first");
    }
    free(buf), free(buf2), buf = buf2 = NULL;
    remove("surf_w.dat");

    /* (a) stopped by the progress callback; the fast path reports per scan line */
    memset(&sc, 0, sizeof sc);
    sc.stop_at = 35;
    resume_desc(&sd, "surf_b.dat", &sc);
    memset(&err, 0, sizeof err);
    r = llp_surface_compute(&F.ft, &F.fv, th, F.d1, F.d2, &sd, &sb, &err);
    CHECK(r == LLP_ERR_STOPPED, "stopped: %d", (int)r);
    CHECK(sc.stopped_at == 44 && sc.calls == 4, "fast path: progress after each scan line (stopped at %lu, %lu calls)",
          (unsigned long)sc.stopped_at, (unsigned long)sc.calls);
    CHECK(exists("surf_b.dat.part") && !exists("surf_b.dat"), ".part kept, no finished file");
    buf = slurp("surf_b.dat.part", &len);
    CHECK(buf && count_points(buf, len) == sc.stopped_at, ".part holds the %lu points done",
          (unsigned long)sc.stopped_at);
    free(buf), buf = NULL;
    /* (b) torn: the last 40 bytes cut, inside the last line */
    CHECK(tear("surf_b.dat.part", 40, &last) == 0 && last > 41, "torn in the middle of the last line (%lu bytes)",
          (unsigned long)last);
    /* (c) resumed */
    sd.progress = NULL;
    r = llp_surface_compute(&F.ft, &F.fv, th, F.d1, F.d2, &sd, &sb, &err);
    CHECK(r == LLP_OK, "resumed: %d (%s)", (int)r, err.message);
    if (r == LLP_OK) {
        CHECK(sb.resumed + sb.computed == 99 && sb.resumed < sc.stopped_at && sb.resumed == sc.stopped_at - 1,
              "the torn point is recomputed (resumed %lu, computed %lu)", (unsigned long)sb.resumed,
              (unsigned long)sb.computed);
        CHECK(sb.evals.loss == 2 * sb.computed + HEADER_LOSSES, "nothing evaluated twice (%lu losses for %lu points)",
              (unsigned long)sb.evals.loss, (unsigned long)sb.computed);
        CHECK(surfaces_equal(&sa, &sb), "resumed values = uninterrupted values, bitwise");
    }
    CHECK(files_equal("surf_b.dat", "surf_a.dat"), "resumed file = uninterrupted file, byte for byte");
    CHECK(!exists("surf_b.dat.part"), "no .part left");

    /* (d) the generic path, one point at a time */
    resume_desc(&sd, "surf_g.dat", NULL);
    CHECK_OK(llp_surface_compute(&F.gt, &F.gv, th, F.d1, F.d2, &sd, &sg, NULL));
    memset(&sc, 0, sizeof sc);
    sc.stop_at = 17;
    resume_desc(&sd, "surf_h.dat", &sc);
    r = llp_surface_compute(&F.gt, &F.gv, th, F.d1, F.d2, &sd, &sh, &err);
    CHECK(r == LLP_ERR_STOPPED && sc.stopped_at == 17 && sc.calls == 17,
          "generic path: progress after each point (stopped at %lu)", (unsigned long)sc.stopped_at);
    buf = slurp("surf_h.dat.part", &len);
    CHECK(buf && count_points(buf, len) == 17, ".part holds 17 points");
    free(buf), buf = NULL;
    CHECK(tear("surf_h.dat.part", 40, &last) == 0 && last > 41, "torn in the middle of the last line");
    sd.progress = NULL;
    r = llp_surface_compute(&F.gt, &F.gv, th, F.d1, F.d2, &sd, &sh, &err);
    CHECK(r == LLP_OK, "generic resumed: %d (%s)", (int)r, err.message);
    if (r == LLP_OK && sg.x) {
        CHECK(sh.resumed == 16 && sh.computed == 83 && sh.evals.loss == 166 + HEADER_LOSSES,
              "generic: 16 resumed, 83 computed, 166 + 2 losses (%lu, %lu, %lu)", (unsigned long)sh.resumed,
              (unsigned long)sh.computed, (unsigned long)sh.evals.loss);
        CHECK(surfaces_equal(&sg, &sh), "generic: resumed values = uninterrupted values");
    }
    CHECK(files_equal("surf_h.dat", "surf_g.dat") && !exists("surf_h.dat.part"),
          "generic: resumed file = uninterrupted file, byte for byte");

#if HAVE_FORK
    /* (e) a real kill */
    {
        pid_t pid;
        int status = 0;
        fflush(stdout);
        fflush(stderr);
        pid = fork();
        if (pid == 0) {
            stop_ctx kc;
            llp_surface_desc kd;
            llp_surface ks;
            memset(&kc, 0, sizeof kc);
            kc.stop_at = 44, kc.die = 1;
            resume_desc(&kd, "surf_k.dat", &kc);
            llp_surface_compute(&F.ft, &F.fv, th, F.d1, F.d2, &kd, &ks, NULL);
            _exit(3); /* not reached when the kill works */
        }
        CHECK(pid > 0, "fork");
        if (pid > 0) {
            CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
            CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the child died of SIGKILL (status %d)", status);
            CHECK(exists("surf_k.dat.part") && !exists("surf_k.dat"), "killed: .part kept, no finished file");
            resume_desc(&sd, "surf_k.dat", NULL);
            r = llp_surface_compute(&F.ft, &F.fv, th, F.d1, F.d2, &sd, &sk, &err);
            CHECK(r == LLP_OK, "resumed after the kill: %d (%s)", (int)r, err.message);
            if (r == LLP_OK) {
                CHECK(sk.resumed == 44 && sk.computed == 55 && sk.evals.loss == 110 + HEADER_LOSSES,
                      "after the kill: 44 resumed, 55 computed, 110 + 2 losses (%lu, %lu, %lu)",
                      (unsigned long)sk.resumed, (unsigned long)sk.computed, (unsigned long)sk.evals.loss);
                CHECK(surfaces_equal(&sa, &sk), "after the kill: values = uninterrupted");
            }
            CHECK(files_equal("surf_k.dat", "surf_a.dat") && !exists("surf_k.dat.part"),
                  "after the kill: file = uninterrupted file, byte for byte");
        }
    }
#endif

    /* a .part that ends with the blank line of a scan line not yet written */
    memset(&sc, 0, sizeof sc);
    sc.stop_at = 33;
    resume_desc(&sd, "surf_t.dat", &sc);
    r = llp_surface_compute(&F.ft, &F.fv, th, F.d1, F.d2, &sd, &st, &err);
    CHECK(r == LLP_ERR_STOPPED && sc.stopped_at == 33, "stopped after three scan lines");
    buf = slurp("surf_t.dat.part", &len);
    if (buf) {
        unsigned char *p2 = (unsigned char *)malloc(len + 1);
        memcpy(p2, buf, len);
        p2[len] = '\n';
        CHECK(spit("surf_t.dat.part", p2, len + 1) == 0, "rewrite");
        free(p2);
    }
    free(buf), buf = NULL;
    sd.progress = NULL;
    r = llp_surface_compute(&F.ft, &F.fv, th, F.d1, F.d2, &sd, &st, &err);
    CHECK(r == LLP_OK && st.resumed == 33 && st.computed == 66, "dangling blank line: resumed %lu, computed %lu (%d)",
          (unsigned long)st.resumed, (unsigned long)st.computed, (int)r);
    CHECK(files_equal("surf_t.dat", "surf_a.dat"), "dangling blank line: file = uninterrupted file");

    /* (f) a complete file of the same run is loaded */
    buf = slurp("surf_a.dat", &len);
    resume_desc(&sd, "surf_a.dat", NULL);
    r = llp_surface_compute(&F.ft, &F.fv, th, F.d1, F.d2, &sd, &sf, &err);
    CHECK(r == LLP_OK && sf.computed == 0 && sf.resumed == 99 && sf.evals.loss == HEADER_LOSSES,
          "complete file loaded: computed %lu, resumed %lu, only the header's losses (%lu) (%d)",
          (unsigned long)sf.computed, (unsigned long)sf.resumed, (unsigned long)sf.evals.loss, (int)r);
    CHECK(surfaces_equal(&sa, &sf), "loaded values = computed values");
    buf2 = slurp("surf_a.dat", &len2);
    CHECK(buf && buf2 && len == len2 && memcmp(buf, buf2, len) == 0 && !exists("surf_a.dat.part"),
          "the loaded file is unchanged");
    free(buf), free(buf2), buf = buf2 = NULL;
    /* ... but a complete file of another grid is recomputed and replaced */
    buf = slurp("surf_a.dat", &len);
    if (buf) CHECK(spit("surf_f.dat", buf, len) == 0, "copy");
    free(buf), buf = NULL;
    resume_desc(&sd, "surf_f.dat", NULL);
    sd.nx = 10;
    r = llp_surface_compute(&F.ft, &F.fv, th, F.d1, F.d2, &sd, &sx, &err);
    CHECK(r == LLP_OK && sx.computed == 90 && sx.resumed == 0, "another grid's file: recomputed (%lu, %d)",
          (unsigned long)sx.computed, (int)r);
    llp_surface_free(&sx);
    buf = slurp("surf_f.dat", &len);
    CHECK(buf && count_points(buf, len) == 90, "and replaced");
    free(buf), buf = NULL;

    /* refusals: a stale .part of other arguments */
    memset(&sc, 0, sizeof sc);
    sc.stop_at = 20;
    resume_desc(&sd, "surf_c.dat", &sc);
    r = llp_surface_compute(&F.ft, &F.fv, th, F.d1, F.d2, &sd, &sx, &err);
    llp_surface_free(&sx);
    CHECK(r == LLP_ERR_STOPPED, "stale .part made");
    buf = slurp("surf_c.dat.part", &len);
    {
        static const char *const vname[3] = {"other d2", "other grid", "other training data"};
        llp_real *d2b = (llp_real *)malloc(F.n * sizeof(llp_real));
        size_t *idx = (size_t *)malloc(F.tr.n * sizeof(size_t)), k;
        llp_data tr2;
        llp_mlp_objective mo2;
        llp_objective f2, ftr;
        int variant;
        memset(&tr2, 0, sizeof tr2);
        memset(&mo2, 0, sizeof mo2);
        for (k = 0; k < F.tr.n; k++) idx[k] = k;
        CHECK_OK(llp_data_subset(&F.tr, idx, F.tr.n, &tr2)); /* same size, one feature changed */
        tr2.x[7] = (llp_real)(tr2.x[7] + 0.5);
        CHECK_OK(llp_mlp_objective_init(&mo2, &F.m, &tr2, 0));
        f2 = llp_mlp_objective_get(&mo2);
        llp_copy(F.d2, d2b, F.n);
        d2b[3] = (llp_real)(d2b[3] * 1.5 + 0.25);
        for (variant = 0; variant < 3; variant++) {
            /* the header a run of the other arguments writes: stop one at once */
            stop_ctx s1;
            long want = -1;
            memset(&s1, 0, sizeof s1);
            s1.stop_at = 1;
            resume_desc(&sd, "surf_e.dat", &s1);
            if (variant == 1) sd.nx = 12;
            ftr = variant == 2 ? f2 : F.ft;
            remove("surf_e.dat.part");
            r = llp_surface_compute(&ftr, &F.fv, th, F.d1, variant == 0 ? d2b : F.d2, &sd, &sx, NULL);
            llp_surface_free(&sx);
            CHECK(r == LLP_ERR_STOPPED, "reference header written");
            buf2 = slurp("surf_e.dat.part", &len2);
            if (buf && buf2) want = first_diff_line(buf, len, buf2, len2);
            free(buf2), buf2 = NULL;
            resume_desc(&sd, "surf_c.dat", NULL);
            if (variant == 1) sd.nx = 12;
            memset(&err, 0, sizeof err);
            r = llp_surface_compute(&ftr, &F.fv, th, F.d1, variant == 0 ? d2b : F.d2, &sd, &sx, &err);
            llp_surface_free(&sx);
            CHECK(r == LLP_ERR_FORMAT, "%s: stale .part refused (%d)", vname[variant], (int)r);
            CHECK(err.line == want && want > 2 && err.message[0] && strstr(err.file, "surf_c.dat.part"),
                  "%s: error names the .part file and line %ld (got %s:%ld: %s)", vname[variant], want, err.file,
                  err.line, err.message);
            buf2 = slurp("surf_c.dat.part", &len2);
            CHECK(buf && buf2 && len == len2 && memcmp(buf, buf2, len) == 0 && !exists("surf_c.dat"),
                  "%s: the .part file is untouched, nothing written", vname[variant]);
            free(buf2), buf2 = NULL;
        }
        free(d2b);
        free(idx);
        llp_mlp_objective_free(&mo2);
        llp_data_free(&tr2);
    }
    free(buf), buf = NULL;

    /* refusals: a garbage number inside the .part file */
    memset(&sc, 0, sizeof sc);
    sc.stop_at = 30;
    resume_desc(&sd, "surf_d.dat", &sc);
    r = llp_surface_compute(&F.ft, &F.fv, th, F.d1, F.d2, &sd, &sx, &err);
    llp_surface_free(&sx);
    CHECK(r == LLP_ERR_STOPPED && sc.stopped_at == 33, "33 points in surf_d.dat.part");
    buf = slurp("surf_d.dat.part", &len);
    if (buf) {
        /* point 14 (second scan line): its third field (train_loss) becomes 1.5x */
        size_t pos = 0, pts = 0, start = 0, f3 = 0, f3e = 0, k;
        long line = 1, at = -1;
        while (pos < len) {
            size_t e = pos;
            while (e < len && buf[e] != '\n') e++;
            if (e > pos && buf[pos] != '#') {
                if (pts == 14) {
                    start = pos, at = line;
                    break;
                }
                pts++;
            }
            pos = e + 1, line++;
        }
        for (k = start, f3 = 0; k < len && f3 < 2; k++)
            if (buf[k] == ' ') f3++;
        f3 = k;
        for (f3e = f3; f3e < len && buf[f3e] != ' ' && buf[f3e] != '\n'; f3e++) {
        }
        CHECK(at > 0 && f3e > f3, "found the line of point 14 (line %ld)", at);
        if (at > 0) {
            unsigned char *p2 = (unsigned char *)malloc(len + 8);
            size_t n2 = 0;
            memcpy(p2, buf, f3), n2 = f3;
            memcpy(p2 + n2, "1.5x", 4), n2 += 4;
            memcpy(p2 + n2, buf + f3e, len - f3e), n2 += len - f3e;
            CHECK(spit("surf_d.dat.part", p2, n2) == 0, "write garbage");
            sd.progress = NULL;
            memset(&err, 0, sizeof err);
            r = llp_surface_compute(&F.ft, &F.fv, th, F.d1, F.d2, &sd, &sx, &err);
            llp_surface_free(&sx);
            CHECK(r == LLP_ERR_FORMAT && err.line == at, "garbage number refused at line %ld (got %d, line %ld: %s)", at,
                  (int)r, err.line, err.message);
            buf2 = slurp("surf_d.dat.part", &len2);
            CHECK(buf2 && len2 == n2 && memcmp(buf2, p2, n2) == 0 && !exists("surf_d.dat"),
                  "the bad .part file is untouched, nothing written");
            free(buf2), buf2 = NULL;
            free(p2);
        }
    }
    free(buf), buf = NULL;

    llp_surface_free(&sa), llp_surface_free(&sb), llp_surface_free(&sg), llp_surface_free(&sh);
    llp_surface_free(&sk), llp_surface_free(&sf), llp_surface_free(&st), llp_surface_free(&sx);
    mlp_fix_free(&F);
    cleanup_files();
}

/* ---- 5. writers ----------------------------------------------------------------- */

/* Parse a gnuplot surface file back and compare with s: the header lines, the
   column line, ny - 1 blank lines exactly between scan lines, nx ny points. */
static void check_gnuplot_file(const char *path, const llp_surface *s, const char *prefix, const char *what) {
    size_t len = 0, pos = 0, blanks = 0, pts = 0, ncol = s->lambda_max ? 8 : 6, N = s->nx * s->ny;
    size_t bad_hdr = 0, bad_line = 0, bad_val = 0, bad_blank = 0;
    int cols_seen = 0;
    char cols[160];
    unsigned char *buf = slurp(path, &len);
    snprintf(cols, sizeof cols, "# x y train_loss val_loss train_acc val_acc%s",
             s->lambda_max ? " lambda_max lambda_min" : "");
    CHECK(buf != NULL, "%s: written", what);
    if (!buf) return;
    CHECK(strncmp((const char *)buf, prefix, strlen(prefix)) == 0, "%s: starts with the header lines", what);
    CHECK(len > 0 && buf[len - 1] == '\n', "%s: ends with a newline", what);
    while (pos < len) {
        char line[1024], *q, *e;
        size_t ll = 0;
        while (pos + ll < len && buf[pos + ll] != '\n') ll++;
        if (ll >= sizeof line) {
            bad_line++;
            pos += ll + 1;
            continue;
        }
        memcpy(line, buf + pos, ll);
        line[ll] = 0;
        pos += ll + 1;
        if (!cols_seen) {
            if (strncmp(line, "# ", 2) != 0) bad_hdr++;
            if (strcmp(line, cols) == 0) cols_seen = 1;
        } else if (ll == 0) {
            blanks++;
            if (pts == 0 || pts % s->nx != 0) bad_blank++;
        } else {
            double v[8];
            size_t c;
            if (line[0] == '#' || pts >= N || blanks != pts / s->nx) {
                bad_line++;
                continue;
            }
            q = line;
            for (c = 0; c < ncol; c++) {
                v[c] = strtod(q, &e);
                if (e == q || (c + 1 < ncol ? *e != ' ' : *e != 0)) break;
                q = e + 1;
            }
            if (c < ncol) {
                bad_line++;
                continue;
            }
            if (v[0] != s->x[pts % s->nx] || v[1] != s->y[pts / s->nx] || !same(v[2], s->train_loss[pts]) ||
                !same(v[3], s->val_loss[pts]) || !same(v[4], s->train_acc[pts]) || !same(v[5], s->val_acc[pts]) ||
                (ncol == 8 && (!same(v[6], s->lambda_max[pts]) || !same(v[7], s->lambda_min[pts]))))
                bad_val++;
            pts++;
        }
    }
    CHECK(cols_seen && bad_hdr == 0, "%s: '# ' header lines, then the column line", what);
    CHECK(blanks == s->ny - 1 && bad_blank == 0, "%s: %lu blank lines, between scan lines (%lu misplaced)", what,
          (unsigned long)blanks, (unsigned long)bad_blank);
    CHECK(pts == N && bad_line == 0, "%s: %lu points of %lu numbers (%lu bad lines)", what, (unsigned long)pts,
          (unsigned long)ncol, (unsigned long)bad_line);
    CHECK(bad_val == 0, "%s: numbers read back exactly (%lu points differ)", what, (unsigned long)bad_val);
    free(buf);
}

static void check_csv_file(const char *path, const llp_surface *s, const char *what) {
    size_t len = 0, pos = 0, pts = 0, ncol = s->lambda_max ? 8 : 6, N = s->nx * s->ny;
    size_t bad_line = 0, bad_val = 0, lines = 0;
    int first_ok = 0;
    char cols[160];
    unsigned char *buf = slurp(path, &len);
    snprintf(cols, sizeof cols, "x,y,train_loss,val_loss,train_acc,val_acc%s",
             s->lambda_max ? ",lambda_max,lambda_min" : "");
    CHECK(buf != NULL, "%s: written", what);
    if (!buf) return;
    CHECK(memchr(buf, '#', len) == NULL, "%s: no comment lines", what);
    while (pos < len) {
        char line[1024], *q, *e;
        double v[8];
        size_t ll = 0, c;
        while (pos + ll < len && buf[pos + ll] != '\n') ll++;
        if (ll >= sizeof line) {
            bad_line++;
            pos += ll + 1;
            continue;
        }
        memcpy(line, buf + pos, ll);
        line[ll] = 0;
        pos += ll + 1;
        if (lines++ == 0) {
            first_ok = strcmp(line, cols) == 0;
            continue;
        }
        if (ll == 0 || pts >= N) {
            bad_line++;
            continue;
        }
        q = line;
        for (c = 0; c < ncol; c++) {
            v[c] = strtod(q, &e);
            if (e == q || (c + 1 < ncol ? *e != ',' : *e != 0)) break;
            q = e + 1;
        }
        if (c < ncol) {
            bad_line++;
            continue;
        }
        if (v[0] != s->x[pts % s->nx] || v[1] != s->y[pts / s->nx] || !same(v[2], s->train_loss[pts]) ||
            !same(v[3], s->val_loss[pts]) || !same(v[4], s->train_acc[pts]) || !same(v[5], s->val_acc[pts]) ||
            (ncol == 8 && (!same(v[6], s->lambda_max[pts]) || !same(v[7], s->lambda_min[pts]))))
            bad_val++;
        pts++;
    }
    CHECK(first_ok, "%s: first line is the column line", what);
    CHECK(pts == N && bad_line == 0, "%s: %lu points of %lu fields, no blank lines (%lu bad lines)", what,
          (unsigned long)pts, (unsigned long)ncol, (unsigned long)bad_line);
    CHECK(bad_val == 0, "%s: numbers read back exactly (%lu points differ)", what, (unsigned long)bad_val);
    free(buf);
}

static void test_writers(void) {
    mlp_fix F;
    llp_surface_desc sd;
    llp_surface s, c;
    llp_landscape sc;
    llp_landscape_desc ld;
    llp_objective g;
    llp_real z[2] = {0, 0}, e1[2] = {1, 0}, e2[2] = {0, 1};
    memset(&s, 0, sizeof s);
    memset(&c, 0, sizeof c);
    cleanup_files();
    mlp_fix_init(&F, 51);
    memset(&sd, 0, sizeof sd);
    sd.nx = 5, sd.ny = 4;
    CHECK_OK(llp_surface_compute(&F.ft, &F.fv, F.m.theta, F.d1, F.d2, &sd, &s, NULL));
    if (s.x) {
        CHECK_OK(llp_surface_write(&s, "surf_w.dat", "writer test\nsecond line", 0, NULL));
        check_gnuplot_file("surf_w.dat", &s, "# writer test\n# second line\n# x y train_loss", "gnuplot");
        CHECK_OK(llp_surface_write(&s, "surf_w.csv", "writer test", 1, NULL));
        check_csv_file("surf_w.csv", &s, "csv");
    }
    /* with curvature (and NaN validation columns): 8 columns */
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_SINCOS, ld.n = 2;
    CHECK_OK(llp_landscape_init(&sc, &ld, NULL));
    g = llp_landscape_objective(&sc);
    memset(&sd, 0, sizeof sd);
    sd.nx = 4, sd.ny = 3, sd.curvature = 1;
    CHECK_OK(llp_surface_compute(&g, NULL, z, e1, e2, &sd, &c, NULL));
    if (c.x) {
        CHECK_OK(llp_surface_write(&c, "surf_w.dat", NULL, 0, NULL));
        check_gnuplot_file("surf_w.dat", &c, "# x y train_loss", "gnuplot, curvature");
        CHECK_OK(llp_surface_write(&c, "surf_w.csv", NULL, 1, NULL));
        check_csv_file("surf_w.csv", &c, "csv, curvature");
    }
    CHECK(llp_surface_write(NULL, "surf_w.dat", NULL, 0, NULL) == LLP_ERR_ARG, "no surface -> ARG");
    CHECK(llp_surface_write(&c, NULL, NULL, 0, NULL) == LLP_ERR_ARG, "no path -> ARG");
    llp_surface_free(&s);
    llp_surface_free(&c);
    llp_landscape_free(&sc);
    mlp_fix_free(&F);
    cleanup_files();
}

/* ---- 6. bad arguments ------------------------------------------------------------ */

static void test_bad_arguments(void) {
    enum { N = 6 };
    llp_landscape ls, l4;
    llp_landscape_desc ld;
    llp_objective f, f4;
    llp_surface_desc sd, b;
    llp_surface s;
    llp_error err;
    llp_rng rng;
    llp_real th[N], d1[N], d2[N];
    int k;
    memset(&ld, 0, sizeof ld);
    memset(&s, 0, sizeof s);
    ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = N, ld.cond = 10;
    llp_rng_seed(&rng, 6);
    CHECK_OK(llp_landscape_init(&ls, &ld, &rng));
    ld.n = 4;
    CHECK_OK(llp_landscape_init(&l4, &ld, &rng));
    f = llp_landscape_objective(&ls);
    f4 = llp_landscape_objective(&l4);
    llp_rng_fill_normal(&rng, th, N);
    llp_rng_fill_normal(&rng, d1, N);
    llp_rng_fill_normal(&rng, d2, N);
    cleanup_files();
    memset(&sd, 0, sizeof sd);
    sd.nx = 5, sd.ny = 5, sd.path = "surf_bad.dat";
    CHECK(llp_surface_compute(NULL, NULL, th, d1, d2, &sd, &s, &err) == LLP_ERR_ARG && err.message[0],
          "no training objective -> ARG, message set");
    CHECK(llp_surface_compute(&f, NULL, NULL, d1, d2, &sd, &s, NULL) == LLP_ERR_ARG, "no theta -> ARG");
    CHECK(llp_surface_compute(&f, NULL, th, NULL, d2, &sd, &s, NULL) == LLP_ERR_ARG, "no d1 -> ARG");
    CHECK(llp_surface_compute(&f, NULL, th, d1, NULL, &sd, &s, NULL) == LLP_ERR_ARG, "no d2 -> ARG");
    CHECK(llp_surface_compute(&f, NULL, th, d1, d2, &sd, NULL, NULL) == LLP_ERR_ARG, "no out -> ARG");
    CHECK(llp_surface_compute(&f, &f4, th, d1, d2, &sd, &s, NULL) == LLP_ERR_SHAPE, "val of another n -> SHAPE");
    for (k = 0; k < 8; k++) {
        b = sd;
        b.x_min = -1, b.x_max = 1, b.y_min = -1, b.y_max = 1;
        switch (k) {
        case 0: b.nx = 1; break;
        case 1: b.ny = 1; break;
        case 2: b.x_min = b.x_max = 0.5; break;
        case 3: b.x_min = 1, b.x_max = -1; break;
        case 4: b.y_min = 2; break;
        case 5: b.x_min = NAN; break;
        case 6: b.y_max = INFINITY; break;
        default: b.x_min = b.x_max = 0; break; /* only x's range zero: not the default, empty */
        }
        CHECK(llp_surface_compute(&f, NULL, th, d1, d2, &b, &s, NULL) == LLP_ERR_ARG, "bad grid %d -> ARG", k);
    }
    CHECK(!exists("surf_bad.dat") && !exists("surf_bad.dat.part") && !exists("surf_bad.dat.part.tmp"),
          "nothing written");
    llp_landscape_free(&ls);
    llp_landscape_free(&l4);
    cleanup_files();
}

/* ---- 7. PCA of a trajectory ------------------------------------------------------- */

#define PN 40
#define PT 25

/* Reference: M (rows S_i - mean, or S_i - S_{T-1}) and M^T M (n x n) formed
   here, llp_sym_eig. lam: (n) descending; vec: the top two eigenvectors
   (2, n); off2 = ||M - M V2 V2^T||_F^2 with those two. */
static void pca_reference(const llp_real *S, int centre, double *lam, double *vec, double *trace, double *off2) {
    static double M[PT * PN], G[PN * PN], W[PN], V[PN * PN];
    double mu[PN];
    size_t i, j, t;
    for (t = 0; t < PN; t++) {
        double s = 0;
        for (i = 0; i < PT; i++) s += (double)S[i * PN + t];
        mu[t] = centre ? s / PT : (double)S[(PT - 1) * PN + t];
    }
    for (i = 0; i < PT; i++)
        for (t = 0; t < PN; t++) M[i * PN + t] = (double)S[i * PN + t] - mu[t];
    for (j = 0; j < PN; j++)
        for (t = 0; t < PN; t++) {
            double s = 0;
            for (i = 0; i < PT; i++) s += M[i * PN + j] * M[i * PN + t];
            G[j * PN + t] = s;
        }
    *trace = 0;
    for (j = 0; j < PN; j++) *trace += G[j * PN + j];
    CHECK_OK(llp_sym_eig(G, PN, W, V));
    for (j = 0; j < PN; j++) lam[j] = W[PN - 1 - j];
    for (t = 0; t < PN; t++) vec[t] = V[t * PN + PN - 1], vec[PN + t] = V[t * PN + PN - 2];
    *off2 = 0;
    for (i = 0; i < PT; i++) {
        double x0 = 0, x1 = 0;
        for (t = 0; t < PN; t++) x0 += M[i * PN + t] * vec[t], x1 += M[i * PN + t] * vec[PN + t];
        for (t = 0; t < PN; t++) {
            double e = M[i * PN + t] - x0 * vec[t] - x1 * vec[PN + t];
            *off2 += e * e;
        }
    }
}

/* the PCA against the reference of the same rows */
static void check_pca_reference(const llp_pca *p, const llp_real *S, int centre, const char *what) {
    double lam[PN], vec[2 * PN], tr = 0, off2 = 0, ref_res, worst_cos = 0;
    size_t q, t;
    pca_reference(S, centre, lam, vec, &tr, &off2);
    ref_res = sqrt(off2 / tr);
    CHECK_CLOSE(p->total, tr, 1e-12, "||M||_F^2 = trace M^T M");
    CHECK(fabs(p->explained[0] - lam[0] / tr) <= 1e-10 && fabs(p->explained[1] - lam[1] / tr) <= 1e-10,
          "%s: explained = top eigenvalues of M^T M / trace (%.15g %.15g vs %.15g %.15g)", what, p->explained[0],
          p->explained[1], lam[0] / tr, lam[1] / tr);
    CHECK(fabs(p->residual - ref_res) <= TOL(1e-8, 1e-3) * ref_res + TOL(1e-12, 1e-5),
          "%s: residual %.10g = reference %.10g", what, p->residual, ref_res);
    for (q = 0; q < 2; q++) {
        double c = 0, nv = 0;
        for (t = 0; t < PN; t++) c += (double)p->components[q * PN + t] * vec[q * PN + t], nv += vec[q * PN + t] * vec[q * PN + t];
        c = fabs(c) / sqrt(nv);
        if (1 - c > worst_cos) worst_cos = 1 - c;
    }
    CHECK(worst_cos <= TOL(1e-10, 1e-6), "%s: components = eigenvectors of M^T M (1 - |cos| = %.2g)", what, worst_cos);
}

/* The sizes reach llp_pca_trajectory through a volatile read: with T and n
   compile-time constants, gcc 12 -O3 clones it (IPA-CP) and then reports a
   false -Waggressive-loop-optimizations in the inlined llp_dot, which
   -Werror turns into a build failure of the release configuration. */
static volatile size_t pca_dims[2] = {PT, PN};

static void test_pca_trajectory(void) {
    const size_t T = pca_dims[0], n = pca_dims[1];
    llp_rng rng;
    static llp_real S[PT * PN], S2[PT * PN], S1[PT * PN];
    llp_real ts[PN], u[PN], v[PN], w[PN];
    double a[PT], b[PT], e[PT], q1[PT], q2[PT], wd[PN], sumsq = 0, total = 0;
    llp_pca p, p2, p3;
    size_t i, t, q;
    int pass;
    memset(&p, 0, sizeof p);
    memset(&p2, 0, sizeof p2);
    memset(&p3, 0, sizeof p3);
    llp_rng_seed(&rng, 71);
    llp_rng_fill_normal(&rng, ts, PN);
    llp_rng_fill_normal(&rng, u, PN);
    for (t = 0; t < PN; t++) v[t] = (llp_real)(0.6 * u[t] + llp_rng_normal(&rng)); /* not orthogonal to u */
    for (i = 0; i < PT; i++) {
        a[i] = i + 1 < PT ? 2 * llp_rng_normal(&rng) : 0;
        b[i] = i + 1 < PT ? llp_rng_normal(&rng) : 0;
        for (t = 0; t < PN; t++) S[i * PN + t] = (llp_real)(ts[t] + a[i] * u[t] + b[i] * v[t]);
    }
    CHECK_OK(llp_pca_trajectory(S, T, n, NULL, 0, 0, &p));
    if (p.components) {
        const llp_real *c0 = p.components, *c1 = p.components + PN;
        double worst_rec = 0, worst_off = 0, pu, pv;
        CHECK(p.k >= 2 && p.n == PN && p.rows == PT, "k = %lu components of %lu coordinates", (unsigned long)p.k,
              (unsigned long)p.n);
        CHECK(fabs(nrm(c0, PN) - 1) <= TOL(1e-12, 1e-5) && fabs(nrm(c1, PN) - 1) <= TOL(1e-12, 1e-5) &&
                  fabs(dotp(c0, c1, PN)) <= TOL(1e-12, 1e-5),
              "components orthonormal (%.2g %.2g %.2g)", nrm(c0, PN) - 1, nrm(c1, PN) - 1, dotp(c0, c1, PN));
        CHECK(fabs(p.explained[0] + p.explained[1] - 1) <= 1e-12, "the plane explains everything (%.17g)",
              p.explained[0] + p.explained[1]);
        CHECK(p.residual <= TOL(1e-10, 1e-4), "residual %.3g", p.residual);
        CHECK(p.explained[0] >= p.explained[1] && p.sv[0] >= p.sv[1], "descending");
        for (q = 0; q < p.k; q++) {
            size_t im = argmax_abs(p.components + q * PN, PN);
            CHECK(p.components[q * PN + im] > 0, "component %lu: largest-magnitude entry positive", (unsigned long)q);
        }
        for (i = 0; i < PT; i++) {
            double err2 = 0;
            for (t = 0; t < PN; t++) {
                double r = (double)S[(PT - 1) * PN + t] + p.coords[2 * i] * c0[t] + p.coords[2 * i + 1] * c1[t] -
                           (double)S[i * PN + t];
                err2 += r * r;
            }
            if (sqrt(err2) / nrm(S + i * PN, PN) > worst_rec) worst_rec = sqrt(err2) / nrm(S + i * PN, PN);
            if (p.offplane[i] / (1 + nrm(S + i * PN, PN)) > worst_off) worst_off = p.offplane[i] / (1 + nrm(S + i * PN, PN));
        }
        CHECK(worst_rec <= TOL(1e-10, 1e-5), "theta_final + coords . components = theta_i (worst relative %.2g)",
              worst_rec);
        CHECK(worst_off <= TOL(1e-10, 1e-5), "every snapshot on the plane (worst offplane %.2g)", worst_off);
        pu = sqrt(dotp(u, c0, PN) * dotp(u, c0, PN) + dotp(u, c1, PN) * dotp(u, c1, PN));
        pv = sqrt(dotp(v, c0, PN) * dotp(v, c0, PN) + dotp(v, c1, PN) * dotp(v, c1, PN));
        CHECK(reldiff(pu, nrm(u, PN)) <= TOL(1e-10, 1e-5) && reldiff(pv, nrm(v, PN)) <= TOL(1e-10, 1e-5),
              "u and v lie in the components' span (%.2g, %.2g)", reldiff(pu, nrm(u, PN)), reldiff(pv, nrm(v, PN)));
        check_pca_reference(&p, S, 0, "plane");
        /* origin = the last snapshot given explicitly: the same */
        CHECK_OK(llp_pca_trajectory(S, T, n, S + (PT - 1) * PN, 0, 0, &p2));
        CHECK(p2.components && memcmp(p2.components, p.components, 2 * PN * sizeof(llp_real)) == 0 &&
                  memcmp(p2.coords, p.coords, 2 * PT * sizeof(double)) == 0,
              "origin = last snapshot given explicitly: the same result");
        llp_pca_free(&p2);
    }
    llp_pca_free(&p);

    /* centred rows (the mean) on the same plane: the plane's anchor stays theta_final */
    CHECK_OK(llp_pca_trajectory(S, T, n, NULL, 1, 0, &p));
    if (p.components) {
        double worst_rec = 0;
        for (i = 0; i < PT; i++) {
            double err2 = 0;
            for (t = 0; t < PN; t++) {
                double r = (double)S[(PT - 1) * PN + t] + p.coords[2 * i] * p.components[t] +
                           p.coords[2 * i + 1] * p.components[PN + t] - (double)S[i * PN + t];
                err2 += r * r;
            }
            if (sqrt(err2) / nrm(S + i * PN, PN) > worst_rec) worst_rec = sqrt(err2) / nrm(S + i * PN, PN);
        }
        CHECK(worst_rec <= TOL(1e-10, 1e-5), "centred: reconstruction around theta_final (worst %.2g)", worst_rec);
        check_pca_reference(&p, S, 1, "centred plane");
    }
    llp_pca_free(&p);

    /* off-plane noise eps_i w: w orthogonal to u, v; eps orthogonal to a, b */
    llp_rng_fill_normal(&rng, w, PN);
    for (t = 0; t < PN; t++) wd[t] = w[t];
    for (pass = 0; pass < 2; pass++) {
        double uu = dotp(u, u, PN), uv = dotp(u, v, PN), s = 0, vv = 0, vperp[PN];
        for (t = 0; t < PN; t++) vperp[t] = v[t] - uv / uu * u[t];
        for (t = 0; t < PN; t++) s += wd[t] * u[t];
        for (t = 0; t < PN; t++) wd[t] -= s / uu * u[t];
        s = 0;
        for (t = 0; t < PN; t++) s += wd[t] * vperp[t], vv += vperp[t] * vperp[t];
        for (t = 0; t < PN; t++) wd[t] -= s / vv * vperp[t];
    }
    {
        double nw = 0, na = 0, ab = 0, nb = 0;
        for (t = 0; t < PN; t++) nw += wd[t] * wd[t];
        for (t = 0; t < PN; t++) w[t] = (llp_real)(wd[t] / sqrt(nw));
        for (i = 0; i < PT; i++) na += a[i] * a[i];
        for (i = 0; i < PT; i++) q1[i] = a[i] / sqrt(na), ab += q1[i] * b[i];
        for (i = 0; i < PT; i++) q2[i] = b[i] - ab * q1[i], nb += q2[i] * q2[i];
        for (i = 0; i < PT; i++) q2[i] /= sqrt(nb);
        for (i = 0; i < PT; i++) e[i] = i + 1 < PT ? 1e-3 * llp_rng_normal(&rng) : 0;
        for (pass = 0; pass < 2; pass++) {
            double s1 = 0, s2 = 0;
            for (i = 0; i < PT; i++) s1 += e[i] * q1[i], s2 += e[i] * q2[i];
            for (i = 0; i < PT; i++) e[i] -= s1 * q1[i] + s2 * q2[i];
        }
    }
    for (i = 0; i < PT; i++) {
        sumsq += e[i] * e[i];
        for (t = 0; t < PN; t++) S2[i * PN + t] = (llp_real)(ts[t] + a[i] * u[t] + b[i] * v[t] + e[i] * w[t]);
    }
    for (i = 0; i < PT; i++)
        for (t = 0; t < PN; t++) {
            double d = (double)S2[i * PN + t] - (double)S2[(PT - 1) * PN + t];
            total += d * d;
        }
    CHECK_OK(llp_pca_trajectory(S2, T, n, NULL, 0, 3, &p));
    if (p.components) {
        const llp_real *c0 = p.components, *c1 = p.components + PN;
        double want = sqrt(sumsq / total), pu, worst_off = 0;
        CHECK(reldiff(p.residual, want) <= TOL(1e-8, 1e-3), "noise: residual %.10g = sqrt(sum eps^2 / ||M||^2) = %.10g",
              p.residual, want);
        pu = sqrt(dotp(u, c0, PN) * dotp(u, c0, PN) + dotp(u, c1, PN) * dotp(u, c1, PN));
        CHECK(reldiff(pu, nrm(u, PN)) <= TOL(1e-10, 1e-5), "noise: the plane is still span(u, v) (%.2g)",
              reldiff(pu, nrm(u, PN)));
        for (i = 0; i < PT; i++)
            if (fabs(p.offplane[i] - fabs(e[i])) > worst_off) worst_off = fabs(p.offplane[i] - fabs(e[i]));
        CHECK(worst_off <= TOL(1e-10, 1e-5), "noise: offplane_i = |eps_i| (worst %.2g)", worst_off);
        CHECK(p.k == 3 && 1 - fabs(dotp(p.components + 2 * PN, w, PN)) <= TOL(1e-8, 1e-4),
              "noise: the third component is w (k %lu)", (unsigned long)p.k);
        /* an eigenvalue of the Gram matrix is exact to about eps ||M||_F^2: absolute 1e-13 */
        if (p.k == 3)
            CHECK(fabs(p.explained[2] - sumsq / total) <= TOL(1e-13, 1e-3 * sumsq / total),
                  "noise: explained[2] %.12g = sum eps^2 / ||M||^2 = %.12g", p.explained[2], sumsq / total);
        check_pca_reference(&p, S2, 0, "noise");
    }
    llp_pca_free(&p);
    CHECK_OK(llp_pca_trajectory(S2, T, n, NULL, 1, 0, &p3));
    if (p3.components) check_pca_reference(&p3, S2, 1, "noise, centred");
    llp_pca_free(&p3);

    /* errors */
    CHECK(llp_pca_trajectory(S, 2, n, NULL, 0, 0, &p) == LLP_ERR_ARG, "T = 2 -> ARG");
    CHECK(llp_pca_trajectory(NULL, T, n, NULL, 0, 0, &p) == LLP_ERR_ARG, "NULL -> ARG");
    /* points on a line: exactly (small integers, the same rows in both
       builds), and theta* + a_i u rounded to double (off the line by 1e-16
       relative: s_2^2 / ||M||^2 ~ 1e-32, far below any rank threshold; in
       float the rounding puts the rows 1e-15 off the line, a real second
       dimension, so that case is for the double build only) */
    for (pass = 0; pass < 2; pass++) {
        llp_result r;
        if (pass == 1 && LLP_REAL_IS_FLOAT) break;
        for (i = 0; i < PT; i++)
            for (t = 0; t < PN; t++)
                S1[i * PN + t] = pass ? (llp_real)(ts[t] + a[i] * u[t])
                                      : (llp_real)((int)(4 * ts[t]) + (int)(3 * a[i]) * (int)(3 * u[t] + 0.5));
        r = llp_pca_trajectory(S1, T, n, NULL, 0, 0, &p);
        CHECK(r == LLP_ERR_ARG, "rank 1 (points on a line%s) -> ARG (got %d, k %lu, explained %.3g %.3g)",
              pass ? ", to rounding" : ", exactly", (int)r, (unsigned long)(r == LLP_OK ? p.k : 0),
              r == LLP_OK ? p.explained[0] : 0.0, r == LLP_OK ? p.explained[1] : 0.0);
        if (r == LLP_OK) llp_pca_free(&p);
    }
    for (i = 0; i < PT; i++)
        for (t = 0; t < PN; t++) S1[i * PN + t] = ts[t];
    CHECK(llp_pca_trajectory(S1, T, n, NULL, 0, 0, &p) == LLP_ERR_ARG, "no spread -> ARG");
}

/* ---- 8. plane projection ------------------------------------------------------------ */

static void test_plane_project(void) {
    enum { N = 30 };
    llp_rng rng;
    llp_real o[N], d1[N], d2[N], pts[2 * N], d3[N], z[N];
    double e[N], q1[N], q2[N], coords[4], dist[2], n1 = 0, n2 = 0, ne = 0, c12 = 0, A = 0.7, B = -1.3;
    size_t t;
    int pass;
    llp_rng_seed(&rng, 81);
    llp_rng_fill_normal(&rng, o, N);
    llp_rng_fill_normal(&rng, d1, N);
    for (t = 0; t < N; t++) d2[t] = (llp_real)(0.5 * d1[t] + llp_rng_normal(&rng));
    /* an offset orthogonal to both, by Gram–Schmidt here */
    for (t = 0; t < N; t++) n1 += (double)d1[t] * d1[t];
    for (t = 0; t < N; t++) q1[t] = d1[t] / sqrt(n1), c12 += q1[t] * d2[t];
    for (t = 0; t < N; t++) q2[t] = d2[t] - c12 * q1[t], n2 += q2[t] * q2[t];
    for (t = 0; t < N; t++) q2[t] /= sqrt(n2), e[t] = llp_rng_normal(&rng);
    for (pass = 0; pass < 2; pass++) {
        double s1 = 0, s2 = 0;
        for (t = 0; t < N; t++) s1 += e[t] * q1[t], s2 += e[t] * q2[t];
        for (t = 0; t < N; t++) e[t] -= s1 * q1[t] + s2 * q2[t];
    }
    for (t = 0; t < N; t++) ne += e[t] * e[t];
    for (t = 0; t < N; t++) {
        pts[t] = (llp_real)(o[t] + A * d1[t] + B * d2[t]);
        pts[N + t] = (llp_real)(o[t] + A * d1[t] + B * d2[t] + 0.8 * e[t] / sqrt(ne));
    }
    CHECK_OK(llp_plane_project(o, d1, d2, N, pts, 2, coords, dist));
    CHECK_CLOSE(coords[0], A, SURF_TOL, "a of a point in the plane");
    CHECK_CLOSE(coords[1], B, SURF_TOL, "b of a point in the plane");
    CHECK(dist[0] <= SURF_TOL * (1 + nrm(pts, N)), "in the plane: distance %.2g", dist[0]);
    CHECK_CLOSE(coords[2], A, SURF_TOL, "a with an orthogonal offset");
    CHECK_CLOSE(coords[3], B, SURF_TOL, "b with an orthogonal offset");
    CHECK_CLOSE(dist[1], 0.8, SURF_TOL, "distance = ||offset||");
    CHECK_OK(llp_plane_project(o, d1, d2, N, pts, 2, coords, NULL));
    for (t = 0; t < N; t++) d3[t] = (llp_real)(3 * d1[t]), z[t] = 0;
    CHECK(llp_plane_project(o, d1, d3, N, pts, 2, coords, dist) == LLP_ERR_ARG, "d2 = 3 d1 -> ARG");
    CHECK(llp_plane_project(o, z, d2, N, pts, 2, coords, dist) == LLP_ERR_ARG, "d1 = 0 -> ARG");
    CHECK(llp_plane_project(o, d1, d2, N, NULL, 2, coords, dist) == LLP_ERR_ARG, "no points -> ARG");
}

/* ---- 9. the plane through three points ------------------------------------------------ */

static void test_plane_from_points(void) {
    enum { N = 30 };
    llp_rng rng;
    llp_real p0[N], p1[N], p2[N], d1[N], d2[N];
    double coords[6] = {-1, -1, -1, -1, -1, -1}, rec2 = 0;
    size_t t, bad = 0;
    llp_rng_seed(&rng, 91);
    llp_rng_fill_normal(&rng, p0, N);
    llp_rng_fill_normal(&rng, p1, N);
    llp_rng_fill_normal(&rng, p2, N);
    CHECK_OK(llp_plane_from_points(p0, p1, p2, N, d1, d2, coords));
    for (t = 0; t < N; t++) bad += d1[t] != (llp_real)((double)p1[t] - (double)p0[t]);
    CHECK(bad == 0, "d1 = p1 - p0 (%lu entries differ)", (unsigned long)bad);
    CHECK(fabs(dotp(d1, d2, N)) / (nrm(d1, N) * nrm(d2, N)) < TOL(1e-12, 1e-6), "d2 orthogonal to d1 (cos %.2g)",
          dotp(d1, d2, N) / (nrm(d1, N) * nrm(d2, N)));
    CHECK(reldiff(nrm(d2, N), nrm(d1, N)) <= TOL(1e-12, 1e-6), "||d2|| = ||d1||");
    CHECK(coords[0] == 0 && coords[1] == 0 && coords[2] == 1 && coords[3] == 0, "p0 at (0, 0), p1 at (1, 0)");
    for (t = 0; t < N; t++) {
        double r = p0[t] + coords[4] * d1[t] + coords[5] * d2[t] - p2[t];
        rec2 += r * r;
    }
    CHECK(sqrt(rec2) <= SURF_TOL * nrm(p2, N), "p0 + c4 d1 + c5 d2 = p2 (error %.2g)", sqrt(rec2));
    CHECK(coords[5] > 0, "p2 on the positive d2 side");
    CHECK_OK(llp_plane_from_points(p0, p1, p2, N, d1, d2, NULL));
    /* collinear: exactly (small integers, representable in float), and to
       the rounding of the build's llp_real */
    for (t = 0; t < N; t++) {
        p0[t] = (llp_real)(int)(4 * llp_rng_normal(&rng));
        p1[t] = (llp_real)(p0[t] + (int)(3 * llp_rng_normal(&rng)));
        p2[t] = (llp_real)(p0[t] + 2 * (p1[t] - p0[t]));
    }
    p1[0] = p0[0] + 1; /* not all equal */
    p2[0] = p0[0] + 2;
    CHECK(llp_plane_from_points(p0, p1, p2, N, d1, d2, coords) == LLP_ERR_ARG, "exactly collinear -> ARG");
    llp_rng_fill_normal(&rng, p0, N);
    llp_rng_fill_normal(&rng, p1, N);
    for (t = 0; t < N; t++) p2[t] = (llp_real)(p0[t] + 2.5 * ((double)p1[t] - p0[t]));
    CHECK(llp_plane_from_points(p0, p1, p2, N, d1, d2, coords) == LLP_ERR_ARG, "collinear to rounding -> ARG");
    CHECK(llp_plane_from_points(p0, p0, p2, N, d1, d2, coords) == LLP_ERR_ARG, "p1 = p0 -> ARG");
}

/* ---- 10. Hessian eigenvector directions ------------------------------------------------- */

static void test_hessian_directions(void) {
    llp_rng rng, r1;
    llp_mlp m;
    llp_mlp_desc md;
    llp_data data;
    llp_mlp_objective mo;
    llp_objective f;
    llp_hessian H;
    llp_evals ev;
    double *w = NULL, *V = NULL, lam[3] = {0, 0, 0}, lam2[3] = {0, 0, 0}, res[3] = {0, 0, 0}, nt;
    llp_real *dirs = NULL, *dirs2 = NULL;
    size_t n, i, q, col[3];
    memset(&H, 0, sizeof H);
    memset(&ev, 0, sizeof ev);
    llp_rng_seed(&rng, 111);
    memset(&md, 0, sizeof md);
    md.n_layers = 2, md.sizes[0] = 3, md.sizes[1] = 4, md.sizes[2] = 2;
    CHECK_OK(llp_mlp_init(&m, &md));
    n = m.n_params;
    llp_mlp_randomize(&m, m.theta, &rng);
    for (i = 0; i < n; i++) m.theta[i] += (llp_real)(0.3 * llp_rng_normal(&rng));
    CHECK_OK(llp_data_blobs(&data, 40, 3, 2, 1.5, &rng));
    CHECK_OK(llp_mlp_objective_init(&mo, &m, &data, 0));
    f = llp_mlp_objective_get(&mo);
    CHECK(n == 26, "3-4-2: 26 parameters");
    CHECK_OK(llp_hessian_full(&f, m.theta, NULL, 0, &H));
    w = (double *)malloc((n + n * n) * sizeof(double));
    V = w + n;
    dirs = (llp_real *)malloc(6 * n * sizeof(llp_real));
    dirs2 = dirs + 3 * n;
    CHECK_OK(llp_sym_eig(H.h, n, w, V));
    col[0] = n - 1, col[1] = n - 2, col[2] = 0;
    nt = nrm(m.theta, n);
    llp_rng_seed(&r1, 5);
    CHECK_OK(llp_direction_hessian(&f, m.theta, NULL, 2, 1, n, 0, &r1, dirs, lam, res, &ev));
    for (q = 0; q < 3; q++) {
        const llp_real *d = dirs + q * n;
        double c = 0, gap = q == 0 ? w[n - 1] - w[n - 2] : q == 1 ? w[n - 2] - w[n - 3] : w[1] - w[0];
        for (i = 0; i < n; i++) c += (double)d[i] * V[i * n + col[q]];
        c = fabs(c) / nrm(d, n);
        CHECK_CLOSE(lam[q], w[col[q]], TOL(1e-8, 1e-3), q == 0 ? "largest eigenvalue" : q == 1 ? "second largest" : "smallest");
        CHECK(reldiff(nrm(d, n), nt) <= TOL(1e-12, 1e-5), "direction %lu has norm ||theta|| (%.2g)", (unsigned long)q,
              reldiff(nrm(d, n), nt));
        CHECK(1 - c <= TOL(1e-8, 1e-3), "direction %lu = the eigenvector (1 - |cos| = %.2g, gap %.3g)",
              (unsigned long)q, 1 - c, gap);
        CHECK(d[argmax_abs(d, n)] > 0, "direction %lu: largest-magnitude entry positive", (unsigned long)q);
    }
    CHECK(ev.hvp > 0 && ev.hvp <= n, "at most max_steps = n HVPs (%lu)", (unsigned long)ev.hvp);
    llp_rng_seed(&r1, 5);
    CHECK_OK(llp_direction_hessian(&f, m.theta, NULL, 2, 1, n, 0, &r1, dirs2, lam2, NULL, NULL));
    CHECK(memcmp(dirs, dirs2, 3 * n * sizeof(llp_real)) == 0 && memcmp(lam, lam2, sizeof lam) == 0,
          "same seed, same bytes");
    llp_rng_seed(&r1, 5);
    CHECK_OK(llp_direction_hessian(&f, m.theta, NULL, 2, 1, n, 2.5, &r1, dirs2, NULL, NULL, NULL));
    for (q = 0; q < 3; q++) {
        CHECK(reldiff(nrm(dirs2 + q * n, n), 2.5) <= TOL(1e-12, 1e-5), "scale 2.5: norm %.17g",
              nrm(dirs2 + q * n, n));
        CHECK(dotp(dirs2 + q * n, dirs + q * n, n) > 0, "scale 2.5: the same direction and sign");
    }
    CHECK(llp_direction_hessian(&f, m.theta, NULL, 0, 0, n, 0, &r1, dirs2, NULL, NULL, NULL) == LLP_ERR_ARG,
          "no direction asked -> ARG");
    CHECK(llp_direction_hessian(&f, m.theta, NULL, 1, 1, n, -1, &r1, dirs2, NULL, NULL, NULL) == LLP_ERR_ARG,
          "negative scale -> ARG");
    free(w);
    free(dirs);
    llp_hessian_free(&H);
    llp_mlp_objective_free(&mo);
    llp_data_free(&data);
    llp_mlp_free(&m);
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_quadratic_closed_form);
    LLP_RUN(test_curvature);
    LLP_RUN(test_mlp_fast_path);
    LLP_RUN(test_resume);
    LLP_RUN(test_writers);
    LLP_RUN(test_bad_arguments);
    LLP_RUN(test_pca_trajectory);
    LLP_RUN(test_plane_project);
    LLP_RUN(test_plane_from_points);
    LLP_RUN(test_hessian_directions);
    cleanup_files();
    return llp_test_summary();
}
