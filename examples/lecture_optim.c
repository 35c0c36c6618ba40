/* lecture_optim.c — seven lecture figures on optimisation over analytic loss
   landscapes. Trains no network: every loss here is a closed-form function of
   one or two coordinates, so each run can be drawn over the contours of the
   whole landscape.

     1. lecture_saddle       x^2 - y^2: gradient descent started close to the
                             saddle's attracting axis, with and without
                             gradient noise
     2. lecture_conditioning 1/2 x'Q diag(1, k) Q'x for k = 1, 10, 100:
                             gradient descent at lr = 1.8 / lambda_max
     3. lecture_momentum     the same quadratic with k = 100: gradient descent
                             and heavy-ball momentum at lr = 1 / lambda_max
     4. lecture_quartic      x^4 - 2x^2 + 0.5x: three learning rates, three
                             outcomes (local minimum, global minimum, divergence)
     5. lecture_race         x^2/2 + 10y^2 + xy: GD, momentum, RMSprop, Adam
     6. lecture_sincos       sin(4x)cos(4y) + 2(x^2+y^2): gradient descent,
                             simulated annealing and a grid search
     7. lecture_flat_sharp   a 1-D loss with a sharp and a flat minimum, and the
                             same loss shifted a little as a "test" loss

   Each figure gets gnuplot data files lecture_<figure>_*.dat (a '#' header
   names the landscape, the settings, the seed and the columns); the scripts
   plots/lecture_<figure>.gp draw them. A summary of every run goes to stdout.

   usage: lecture_optim [--seed N] [--out DIR]
   The seed draws the quadratics' rotation, the gradient noise and the
   annealing proposals. Same seed, same bytes in every .dat file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"

#define GRID 101       /* contour grids: 101 x 101 points, both ends included */
#define HEADER 2048

static const char *outdir = ".";
static unsigned long seed = 42;

static int fail(const char *what, llp_result r) {
    fprintf(stderr, "lecture_optim: %s: %s\n", what, llp_result_string(r));
    return 2;
}

static int fail_err(const llp_error *err) {
    fprintf(stderr, "lecture_optim: %s: %s\n", err->file, err->message);
    return 2;
}

/* ---- tables: rows of doubles, grown as a run goes ---- */

typedef struct table {
    double *v;
    size_t rows, cols, cap;
} table;

static void table_init(table *t, size_t cols) {
    t->v = NULL;
    t->rows = t->cap = 0;
    t->cols = cols;
}

static int table_add(table *t, const double *row) {
    if (t->rows == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        double *v = (double *)realloc(t->v, cap * t->cols * sizeof *v);
        if (!v) return fail("realloc", LLP_ERR_NOMEM);
        t->v = v;
        t->cap = cap;
    }
    memcpy(t->v + t->rows * t->cols, row, t->cols * sizeof *row);
    t->rows++;
    return 0;
}

static void table_free(table *t) {
    free(t->v);
    t->v = NULL;
    t->rows = t->cap = 0;
}

/* outdir/name as a gnuplot table, the header closed by the seed line;
   block > 0: a blank line every block rows. */
static int save(const char *name, const char *header, const char *const *cols, const table *t, size_t block) {
    char path[4096], full[HEADER + 64];
    llp_error err;
    snprintf(path, sizeof path, "%s/%s", outdir, name);
    snprintf(full, sizeof full, "%s\nlecture_optim --seed %lu", header, seed);
    if (llp_write_table(path, full, cols, t->v, t->rows, t->cols, block, 0, &err) != LLP_OK)
        return fail_err(&err);
    printf("  wrote %s (%lu rows)\n", path, (unsigned long)t->rows);
    return 0;
}

/* ---- contour grids ---- */

/* The loss of a 2-D objective on GRID x GRID points of [lo, hi] (llp_grid_search,
   which also returns the best grid point), written as x y loss with a blank
   line after every scan line of constant x. */
static int write_grid(const char *name, const char *what, const llp_objective *f, double x_lo, double x_hi,
                      double y_lo, double y_hi, llp_real *best, double *best_loss) {
    char header[HEADER];
    llp_real lo[2], hi[2], bx[2];
    double bl, *values, row[3];
    static const char *const cols[3] = {"x", "y", "loss"};
    table t;
    size_t i, j;
    llp_result r;
    int status;
    lo[0] = (llp_real)x_lo, lo[1] = (llp_real)y_lo;
    hi[0] = (llp_real)x_hi, hi[1] = (llp_real)y_hi;
    values = (double *)malloc(GRID * GRID * sizeof *values);
    if (!values) return fail("malloc", LLP_ERR_NOMEM);
    if ((r = llp_grid_search(f, lo, hi, GRID, bx, &bl, values)) != LLP_OK) {
        free(values);
        return fail("llp_grid_search", r);
    }
    table_init(&t, 3);
    for (i = 0, status = 0; i < GRID && !status; i++)
        for (j = 0; j < GRID && !status; j++) {
            /* the coordinates exactly as llp_grid_search forms them */
            row[0] = (llp_real)(lo[0] + (hi[0] - lo[0]) * (double)i / (double)(GRID - 1));
            row[1] = (llp_real)(lo[1] + (hi[1] - lo[1]) * (double)j / (double)(GRID - 1));
            row[2] = values[i * GRID + j];
            status = table_add(&t, row);
        }
    free(values);
    if (!status) {
        snprintf(header, sizeof header,
                 "%s\n"
                 "grid: %d x %d points of [%g, %g] x [%g, %g] (llp_grid_search), one scan line per x\n"
                 "best grid point: (%.6g, %.6g), loss %.6g",
                 what, GRID, GRID, x_lo, x_hi, y_lo, y_hi, (double)bx[0], (double)bx[1], bl);
        status = save(name, header, cols, &t, GRID);
    }
    table_free(&t);
    if (best) best[0] = bx[0], best[1] = bx[1];
    if (best_loss) *best_loss = bl;
    return status;
}

/* ---- optimizer runs ---- */

static const char *opt_settings(const llp_opt_desc *d, char *buf, size_t size) {
    int k = 0;
    switch (d->kind) {
    case LLP_OPT_MOMENTUM: case LLP_OPT_NESTEROV:
        k = snprintf(buf, size, "%s lr=%g beta=%g", llp_opt_name(d->kind), d->lr, d->momentum);
        break;
    case LLP_OPT_RMSPROP:
        k = snprintf(buf, size, "%s lr=%g rho=%g eps=%g", llp_opt_name(d->kind), d->lr, d->beta2, d->eps);
        break;
    case LLP_OPT_ADAM: case LLP_OPT_ADAMW:
        k = snprintf(buf, size, "%s lr=%g beta1=%g beta2=%g eps=%g", llp_opt_name(d->kind), d->lr, d->beta1,
                     d->beta2, d->eps);
        break;
    default: k = snprintf(buf, size, "%s lr=%g (plain gradient descent)", llp_opt_name(d->kind), d->lr); break;
    }
    if (d->grad_noise > 0 && k > 0 && (size_t)k < size)
        snprintf(buf + k, size - (size_t)k, ", gradient noise N(0, %g^2) per coordinate, noise_seed=%lu",
                 d->grad_noise, (unsigned long)d->noise_seed);
    return buf;
}

typedef struct run {
    size_t steps;          /* steps taken */
    long left_at;          /* first iterate outside the plotted box, -1: none */
    long nonfinite_at;     /* step whose gradient was NaN/Inf (llp_opt_step refused it), -1: none */
    llp_real x[2];         /* last iterate with a finite loss */
    double loss;           /* its loss */
} run;

/* Full-batch steps of optimizer od on f (n = 1 or 2) from x0 for at most
   `steps` steps or until a step is refused as non-finite. Rows step, x[, y],
   loss[, loss - fmin] go to traj for step 0 and every iterate up to and
   including the first one outside [lo, hi] (then recording stops; the run
   goes on). fmin NaN: no excess column. */
static int run_opt(const llp_objective *f, const llp_opt_desc *od, const llp_real *x0, size_t steps,
                   const double *lo, const double *hi, double fmin, table *traj, run *out) {
    size_t n = f->n, len = llp_opt_state_size(od, n), i, k;
    llp_real *state, x[2], l;
    llp_opt opt;
    llp_result r;
    int recording = 1, status = 0;
    double row[5];
    if (n < 1 || n > 2 || !len) return fail("run_opt", LLP_ERR_ARG);
    llp_copy(x0, out->x, n);
    out->loss = NAN;
    state = (llp_real *)malloc(len * sizeof *state);
    if (!state) return fail("malloc", LLP_ERR_NOMEM);
    if ((r = llp_opt_init(&opt, od, n, state, len)) != LLP_OK) {
        free(state);
        return fail("llp_opt_init", r);
    }
    llp_copy(x0, x, n);
    out->left_at = out->nonfinite_at = -1;
    out->steps = 0;
    for (k = 0;; k++) {
        int inside = 1;
        if ((r = llp_objective_loss(f, x, NULL, &l)) != LLP_OK) {
            status = fail("llp_objective_loss", r);
            break;
        }
        for (i = 0; i < n; i++)
            if (!(x[i] >= lo[i] && x[i] <= hi[i])) inside = 0;
        if (!inside && out->left_at < 0) out->left_at = (long)k;
        if (recording && isfinite((double)l)) {
            size_t c = 0;
            row[c++] = (double)k;
            for (i = 0; i < n; i++) row[c++] = x[i];
            row[c++] = l;
            if (!isnan(fmin)) row[c++] = (double)l - fmin;
            if ((status = table_add(traj, row)) != 0) break;
        }
        if (!inside || !isfinite((double)l)) recording = 0;
        if (isfinite((double)l)) {
            llp_copy(x, out->x, n);
            out->loss = l;
        }
        if (k == steps) break;
        r = llp_opt_step(&opt, f, x, NULL, NULL);
        if (r == LLP_ERR_NONFINITE) { /* x is left as it was */
            out->nonfinite_at = (long)k + 1;
            break;
        }
        if (r != LLP_OK) {
            status = fail("llp_opt_step", r);
            break;
        }
        out->steps = k + 1;
    }
    free(state);
    return status;
}

/* A trajectory file: the landscape line, the optimizer, the start, the run's
   outcome and the column names. */
static int save_run(const char *name, const char *what, const llp_opt_desc *od, const llp_real *x0, size_t n,
                    size_t steps, const char *outcome, const table *traj) {
    static const char *const cols1[4] = {"step", "x", "loss", "loss_minus_min"};
    static const char *const cols2[5] = {"step", "x", "y", "loss", "loss_minus_min"};
    char header[HEADER], settings[512], start[64];
    if (n == 1)
        snprintf(start, sizeof start, "x0 = %g", (double)x0[0]);
    else
        snprintf(start, sizeof start, "(x0, y0) = (%g, %g)", (double)x0[0], (double)x0[1]);
    snprintf(header, sizeof header,
             "%s\n"
             "optimizer: %s, full-batch steps (llp_opt_step)\n"
             "start %s, at most %lu steps, seed %lu\n"
             "outcome: %s\n"
             "one row per iterate; rows stop after the first iterate outside the plotted box",
             what, opt_settings(od, settings, sizeof settings), start, (unsigned long)steps, seed, outcome);
    return save(name, header, n == 1 ? cols1 : cols2, traj, 0);
}

/* ---- 1. saddle ---------------------------------------------------------- */

static int fig_saddle(void) {
    llp_landscape ls;
    llp_landscape_desc d = {0};
    llp_objective f;
    llp_opt_desc od[2];
    const char *names[2] = {"lecture_saddle_gd.dat", "lecture_saddle_noise.dat"};
    /* x is the attracting direction of x^2 - y^2, y the repelling one: start
       one unit out on the x axis, a hair (1e-6) off it */
    llp_real x0[2] = {(llp_real)1.0, (llp_real)1e-6};
    double lo[2] = {-2, -2}, hi[2] = {2, 2};
    const size_t steps = 200;
    char what[256], outcome[256];
    int k, status = 0;
    llp_result r;

    printf("1. saddle x^2 - y^2\n");
    d.kind = LLP_LANDSCAPE_SADDLE;
    d.n = 2;
    if ((r = llp_landscape_init(&ls, &d, NULL)) != LLP_OK) return fail("llp_landscape_init", r);
    f = llp_landscape_objective(&ls);
    status = write_grid("lecture_saddle_grid.dat", "landscape: saddle x^2 - y^2 (LLP_LANDSCAPE_SADDLE, n = 2)", &f,
                        lo[0], hi[0], lo[1], hi[1], NULL, NULL);
    memset(od, 0, sizeof od);
    od[0].kind = od[1].kind = LLP_OPT_SGD;
    od[0].lr = od[1].lr = 0.05;
    od[1].grad_noise = 0.1;
    od[1].noise_seed = seed;
    for (k = 0; k < 2 && !status; k++) {
        table t;
        run ru;
        table_init(&t, 4);
        status = run_opt(&f, &od[k], x0, steps, lo, hi, NAN, &t, &ru);
        if (!status) {
            if (ru.left_at >= 0)
                snprintf(outcome, sizeof outcome, "left the saddle: outside [-2, 2]^2 at step %ld", ru.left_at);
            else
                snprintf(outcome, sizeof outcome, "still near the saddle after %lu steps: (%.3g, %.3g), loss %.3g",
                         (unsigned long)ru.steps, (double)ru.x[0], (double)ru.x[1], ru.loss);
            printf("  %-40s %s\n", k ? "gradient descent + noise:" : "gradient descent:", outcome);
            snprintf(what, sizeof what, "landscape: saddle x^2 - y^2 (LLP_LANDSCAPE_SADDLE, n = 2), %s",
                     k ? "gradient descent with gradient noise" : "gradient descent, no noise");
            status = save_run(names[k], what, &od[k], x0, 2, steps, outcome, &t);
        }
        table_free(&t);
    }
    llp_landscape_free(&ls);
    return status;
}

/* ---- 2. conditioning and 3. momentum: rotated quadratics ---------------- */

/* A rotated 2-D quadratic 1/2 x'Q diag(1, cond) Q'x, Q drawn from the seed
   (the same Q for every condition number), and the point Q z. */
static int quadratic(llp_landscape *ls, double cond, const llp_real *z, llp_real *x) {
    llp_landscape_desc d = {0};
    llp_rng rng;
    llp_result r;
    size_t i, j;
    d.kind = LLP_LANDSCAPE_QUADRATIC;
    d.n = 2;
    d.cond = cond;
    d.rotate = 1;
    llp_rng_seed(&rng, seed);
    if ((r = llp_landscape_init(ls, &d, &rng)) != LLP_OK) return fail("llp_landscape_init", r);
    for (i = 0; i < 2; i++) { /* column j of q is eigenvector j (eigenvalue lambda[j]) */
        double s = 0;
        for (j = 0; j < 2; j++) s += (double)ls->q[i * 2 + j] * z[j];
        x[i] = (llp_real)s;
    }
    return 0;
}

static int fig_conditioning(void) {
    static const double conds[3] = {1, 10, 100};
    /* the start in eigen-coordinates: 1.6 along the flat direction, 0.6
       along the steep one; the same point for every condition number */
    const llp_real z0[2] = {(llp_real)-1.6, (llp_real)0.6};
    double lo[2] = {-2, -2}, hi[2] = {2, 2};
    const size_t steps = 150;
    int k, status = 0;
    printf("2. ill-conditioned quadratic, gradient descent at lr = 1.8 / lambda_max\n");
    for (k = 0; k < 3 && !status; k++) {
        llp_landscape ls;
        llp_objective f;
        llp_opt_desc od;
        llp_real x0[2];
        char name[64], what[512], outcome[256];
        table t;
        run ru;
        if ((status = quadratic(&ls, conds[k], z0, x0)) != 0) break;
        f = llp_landscape_objective(&ls);
        snprintf(what, sizeof what,
                 "landscape: quadratic 1/2 x'Q diag(%g, %g) Q'x (LLP_LANDSCAPE_QUADRATIC, n = 2, cond %g, "
                 "rotate = 1, Q from seed %lu: eigenvectors (%.6f, %.6f) and (%.6f, %.6f)), minimum 0 at 0",
                 (double)ls.lambda[0], (double)ls.lambda[1], conds[k], seed, (double)ls.q[0], (double)ls.q[2],
                 (double)ls.q[1], (double)ls.q[3]);
        snprintf(name, sizeof name, "lecture_conditioning_k%g_grid.dat", conds[k]);
        status = write_grid(name, what, &f, lo[0], hi[0], lo[1], hi[1], NULL, NULL);
        memset(&od, 0, sizeof od);
        od.kind = LLP_OPT_SGD;
        od.lr = 1.8 / (double)ls.lambda[1];
        table_init(&t, 5);
        if (!status) status = run_opt(&f, &od, x0, steps, lo, hi, 0.0, &t, &ru);
        if (!status) {
            snprintf(outcome, sizeof outcome,
                     "loss %.3g after %lu steps (start %.3g); slowest contraction per step |1 - lr lambda| = %.4f",
                     ru.loss, (unsigned long)ru.steps, t.v[3],
                     fmax(fabs(1 - od.lr * (double)ls.lambda[0]), fabs(1 - od.lr * (double)ls.lambda[1])));
            printf("  cond %-5g lr %-8g %s\n", conds[k], od.lr, outcome);
            snprintf(name, sizeof name, "lecture_conditioning_k%g_gd.dat", conds[k]);
            status = save_run(name, what, &od, x0, 2, steps, outcome, &t);
        }
        table_free(&t);
        llp_landscape_free(&ls);
    }
    return status;
}

static int fig_momentum(void) {
    const llp_real z0[2] = {(llp_real)-1.6, (llp_real)0.6};
    const char *names[2] = {"lecture_momentum_gd.dat", "lecture_momentum_heavyball.dat"};
    double lo[2] = {-2, -2}, hi[2] = {2, 2};
    const double cond = 100;
    const size_t steps = 200;
    llp_landscape ls;
    llp_objective f;
    llp_opt_desc od[2];
    llp_real x0[2];
    char what[512], outcome[256];
    int k, status;
    printf("3. momentum vs gradient descent, quadratic with condition number %g\n", cond);
    if ((status = quadratic(&ls, cond, z0, x0)) != 0) return status;
    f = llp_landscape_objective(&ls);
    snprintf(what, sizeof what,
             "landscape: quadratic 1/2 x'Q diag(%g, %g) Q'x (LLP_LANDSCAPE_QUADRATIC, n = 2, cond %g, rotate = 1, "
             "Q from seed %lu: eigenvectors (%.6f, %.6f) and (%.6f, %.6f)), minimum 0 at 0",
             (double)ls.lambda[0], (double)ls.lambda[1], cond, seed, (double)ls.q[0], (double)ls.q[2],
             (double)ls.q[1], (double)ls.q[3]);
    status = write_grid("lecture_momentum_grid.dat", what, &f, lo[0], hi[0], lo[1], hi[1], NULL, NULL);
    memset(od, 0, sizeof od);
    od[0].kind = LLP_OPT_SGD;
    od[1].kind = LLP_OPT_MOMENTUM;
    od[0].lr = od[1].lr = 1 / (double)ls.lambda[1];
    od[1].momentum = 0.9;
    for (k = 0; k < 2 && !status; k++) {
        table t;
        run ru;
        table_init(&t, 5);
        status = run_opt(&f, &od[k], x0, steps, lo, hi, 0.0, &t, &ru);
        if (!status) {
            snprintf(outcome, sizeof outcome, "loss %.3g after %lu steps (start %.3g)", ru.loss,
                     (unsigned long)ru.steps, t.v[3]);
            printf("  %-10s %s\n", llp_opt_name(od[k].kind), outcome);
            status = save_run(names[k], what, &od[k], x0, 2, steps, outcome, &t);
        }
        table_free(&t);
    }
    llp_landscape_free(&ls);
    return status;
}

/* ---- 4. quartic: three learning rates ----------------------------------- */

/* The local minimiser of x^4 - 2x^2 + 0.5x right of its maximum: Newton on
   4x^3 - 4x + 0.5 = 0 from 1 (the library gives only the global one). */
static double quartic_local_min(void) {
    double x = 1;
    int it;
    for (it = 0; it < 50; it++) x -= (4 * x * x * x - 4 * x + 0.5) / (12 * x * x - 4);
    return x;
}

static int fig_quartic(void) {
    static const double rates[3] = {0.05, 0.2, 0.5};
    static const char *const cols[2] = {"x", "loss"};
    static const char *const run_cols[7] = {"lr", "outcome", "x_last", "loss_last", "steps", "left_at",
                                            "nonfinite_at"};
    llp_landscape ls;
    llp_landscape_desc d = {0};
    llp_objective f;
    const llp_real x0[1] = {(llp_real)1.5};
    double lo[1] = {-2}, hi[1] = {2}, row[2], row7[7], xl, fl;
    const size_t steps = 100;
    llp_real xg[1], fg, xv[1], fv;
    char what[512], header[HEADER];
    table t, runs;
    size_t i;
    int k, status = 0;
    llp_result r;

    printf("4. quartic x^4 - 2x^2 + 0.5x, gradient descent from x0 = %g\n", (double)x0[0]);
    d.kind = LLP_LANDSCAPE_QUARTIC;
    d.n = 1;
    if ((r = llp_landscape_init(&ls, &d, NULL)) != LLP_OK) return fail("llp_landscape_init", r);
    f = llp_landscape_objective(&ls);
    if ((r = llp_landscape_minimum(&ls, xg, &fg)) != LLP_OK) {
        llp_landscape_free(&ls);
        return fail("llp_landscape_minimum", r);
    }
    xl = quartic_local_min();
    xv[0] = (llp_real)xl;
    if ((r = llp_landscape_eval(&ls, xv, &fv, NULL)) != LLP_OK) {
        llp_landscape_free(&ls);
        return fail("llp_landscape_eval", r);
    }
    fl = fv;
    snprintf(what, sizeof what,
             "landscape: quartic x^4 - 2x^2 + 0.5x (LLP_LANDSCAPE_QUARTIC, n = 1)\n"
             "global minimum %.6f at x = %.6f (llp_landscape_minimum), local minimum %.6f at x = %.6f",
             (double)fg, (double)xg[0], fl, xl);

    /* the curve itself, 401 points on [-2, 2] */
    table_init(&t, 2);
    for (i = 0; i <= 400 && !status; i++) {
        xv[0] = (llp_real)(-2 + 4 * (double)i / 400);
        if ((r = llp_landscape_eval(&ls, xv, &fv, NULL)) != LLP_OK) {
            status = fail("llp_landscape_eval", r);
            break;
        }
        row[0] = xv[0];
        row[1] = fv;
        status = table_add(&t, row);
    }
    if (!status) {
        snprintf(header, sizeof header, "%s\ncurve: 401 points on [-2, 2]", what);
        status = save("lecture_quartic_curve.dat", header, cols, &t, 0);
    }
    table_free(&t);

    table_init(&runs, 7);
    for (k = 0; k < 3 && !status; k++) {
        llp_opt_desc od;
        run ru;
        char name[64], outcome[256];
        double code = 3;
        memset(&od, 0, sizeof od);
        od.kind = LLP_OPT_SGD;
        od.lr = rates[k];
        table_init(&t, 4);
        status = run_opt(&f, &od, x0, steps, lo, hi, (double)fg, &t, &ru);
        if (!status) {
            if (ru.nonfinite_at >= 0 || ru.left_at >= 0) {
                int m = 0;
                code = 2;
                m = snprintf(outcome, sizeof outcome, "diverged");
                if (ru.left_at >= 0)
                    m += snprintf(outcome + m, sizeof outcome - (size_t)m, ": left [-2, 2] at step %ld", ru.left_at);
                if (ru.nonfinite_at >= 0)
                    snprintf(outcome + m, sizeof outcome - (size_t)m,
                             ", gradient not finite at step %ld (llp_opt_step: LLP_ERR_NONFINITE), last "
                             "iterate with a finite loss x = %.3g",
                             ru.nonfinite_at, (double)ru.x[0]);
            } else if (fabs((double)ru.x[0] - (double)xg[0]) < 1e-3) {
                code = 1;
                snprintf(outcome, sizeof outcome, "global minimum: x = %.6f, loss %.6f after %lu steps",
                         (double)ru.x[0], ru.loss, (unsigned long)ru.steps);
            } else if (fabs((double)ru.x[0] - xl) < 1e-3) {
                code = 0;
                snprintf(outcome, sizeof outcome, "local minimum: x = %.6f, loss %.6f after %lu steps",
                         (double)ru.x[0], ru.loss, (unsigned long)ru.steps);
            } else {
                code = 3;
                snprintf(outcome, sizeof outcome, "not settled: x = %.6f, loss %.6f after %lu steps",
                         (double)ru.x[0], ru.loss, (unsigned long)ru.steps);
            }
            printf("  lr %-5g %s\n", rates[k], outcome);
            snprintf(name, sizeof name, "lecture_quartic_lr%g.dat", rates[k]);
            status = save_run(name, what, &od, x0, 1, steps, outcome, &t);
        }
        if (!status) {
            row7[0] = rates[k], row7[1] = code, row7[2] = ru.x[0], row7[3] = ru.loss;
            row7[4] = (double)ru.steps, row7[5] = (double)ru.left_at, row7[6] = (double)ru.nonfinite_at;
            status = table_add(&runs, row7);
        }
        table_free(&t);
    }
    if (!status) {
        snprintf(header, sizeof header,
                 "%s\n"
                 "gradient descent (sgd) from x0 = %g, at most %lu steps, one row per learning rate\n"
                 "outcome: 0 = local minimum, 1 = global minimum, 2 = diverged, 3 = not settled (within 1e-3)\n"
                 "x_last, loss_last: the last iterate whose loss is finite; left_at: first step outside [-2, 2] (-1: never);\n"
                 "nonfinite_at: the step llp_opt_step refused with LLP_ERR_NONFINITE (-1: never)",
                 what, (double)x0[0], (unsigned long)steps);
        status = save("lecture_quartic_runs.dat", header, run_cols, &runs, 0);
    }
    table_free(&runs);
    llp_landscape_free(&ls);
    return status;
}

/* ---- 5. optimizer race on the skewed bowl ------------------------------- */

static int fig_race(void) {
    const char *names[4] = {"lecture_race_gd.dat", "lecture_race_momentum.dat", "lecture_race_rmsprop.dat",
                            "lecture_race_adam.dat"};
    const llp_real x0[2] = {(llp_real)-3.5, (llp_real)1.0};
    double lo[2] = {-4, -1.5}, hi[2] = {4, 1.5};
    const size_t steps = 100;
    llp_landscape ls;
    llp_landscape_desc d = {0};
    llp_objective f;
    llp_opt_desc od[4];
    const char *what = "landscape: skewed bowl x^2/2 + 10y^2 + xy (LLP_LANDSCAPE_SKEWED_BOWL), minimum 0 at 0, "
                       "Hessian eigenvalues 0.947 and 20.05";
    char outcome[256];
    int k, status;
    llp_result r;

    printf("5. optimizer race on the skewed bowl x^2/2 + 10y^2 + xy\n");
    d.kind = LLP_LANDSCAPE_SKEWED_BOWL;
    d.n = 2;
    if ((r = llp_landscape_init(&ls, &d, NULL)) != LLP_OK) return fail("llp_landscape_init", r);
    f = llp_landscape_objective(&ls);
    status = write_grid("lecture_race_grid.dat", what, &f, lo[0], hi[0], lo[1], hi[1], NULL, NULL);
    memset(od, 0, sizeof od);
    od[0].kind = LLP_OPT_SGD;
    od[0].lr = 0.05;
    od[1].kind = LLP_OPT_MOMENTUM;
    od[1].lr = 0.05;
    od[1].momentum = 0.8;
    od[2].kind = LLP_OPT_RMSPROP;
    od[2].lr = 0.05;
    od[2].beta2 = 0.99;
    od[2].eps = 1e-8;
    od[3].kind = LLP_OPT_ADAM;
    od[3].lr = 0.1;
    od[3].beta1 = 0.9;
    od[3].beta2 = 0.999;
    od[3].eps = 1e-8;
    for (k = 0; k < 4 && !status; k++) {
        table t;
        run ru;
        table_init(&t, 5);
        status = run_opt(&f, &od[k], x0, steps, lo, hi, 0.0, &t, &ru);
        if (!status) {
            snprintf(outcome, sizeof outcome, "loss %.3g after %lu steps, at (%.3g, %.3g)", ru.loss,
                     (unsigned long)ru.steps, (double)ru.x[0], (double)ru.x[1]);
            printf("  %-10s lr %-5g %s\n", llp_opt_name(od[k].kind), od[k].lr, outcome);
            status = save_run(names[k], what, &od[k], x0, 2, steps, outcome, &t);
        }
        table_free(&t);
    }
    llp_landscape_free(&ls);
    return status;
}

/* ---- 6. sin cos bowl: gradient descent, annealing, grid search ---------- */

typedef struct anneal_rec {
    table *t;
    int status;
} anneal_rec;

/* the annealing chain's accepted moves: step x y loss temperature */
static int anneal_visit(void *ctx, size_t k, const llp_real *theta, double loss, int accepted, double temperature) {
    anneal_rec *a = (anneal_rec *)ctx;
    double row[5];
    if (!accepted) return 0;
    row[0] = (double)(k + 1);
    row[1] = theta[0];
    row[2] = theta[1];
    row[3] = loss;
    row[4] = temperature;
    a->status = table_add(a->t, row);
    return a->status != 0;
}

static int fig_sincos(void) {
    static const char *const sa_cols[5] = {"proposal", "x", "y", "loss", "temperature"};
    static const char *const best_cols[4] = {"x", "y", "loss", "which"};
    const llp_real x0[2] = {(llp_real)1.2, (llp_real)1.2};
    double lo[2] = {-1.5, -1.5}, hi[2] = {1.5, 1.5}, grid_loss, row[5];
    const size_t steps = 200;
    llp_landscape ls;
    llp_landscape_desc d = {0};
    llp_objective f;
    llp_opt_desc od;
    llp_anneal_desc ad;
    llp_anneal_result ar;
    llp_rng rng;
    llp_real grid_best[2], sa_x[2], xm[2], fm;
    const char *what = "landscape: sin(4x)cos(4y) + 2(x^2 + y^2) (LLP_LANDSCAPE_SINCOS, n = 2)";
    char header[HEADER], outcome[256];
    anneal_rec rec;
    table t;
    run ru;
    int status;
    llp_result r;

    printf("6. sin(4x)cos(4y) + 2(x^2 + y^2): gradient descent, simulated annealing, grid search\n");
    d.kind = LLP_LANDSCAPE_SINCOS;
    d.n = 2;
    if ((r = llp_landscape_init(&ls, &d, NULL)) != LLP_OK) return fail("llp_landscape_init", r);
    f = llp_landscape_objective(&ls);
    if ((r = llp_landscape_minimum(&ls, xm, &fm)) != LLP_OK) {
        llp_landscape_free(&ls);
        return fail("llp_landscape_minimum", r);
    }
    status = write_grid("lecture_sincos_grid.dat", what, &f, lo[0], hi[0], lo[1], hi[1], grid_best, &grid_loss);
    if (!status)
        printf("  grid search %dx%d: best (%.4f, %.4f), loss %.6f; exact minimum (%.4f, %.4f), loss %.6f\n", GRID,
               GRID, (double)grid_best[0], (double)grid_best[1], grid_loss, (double)xm[0], (double)xm[1], (double)fm);

    /* gradient descent */
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_SGD;
    od.lr = 0.02;
    table_init(&t, 5);
    if (!status) status = run_opt(&f, &od, x0, steps, lo, hi, (double)fm, &t, &ru);
    if (!status) {
        snprintf(outcome, sizeof outcome, "stopped at (%.4f, %.4f), loss %.6f after %lu steps (global minimum %.6f)",
                 (double)ru.x[0], (double)ru.x[1], ru.loss, (unsigned long)ru.steps, (double)fm);
        printf("  gradient descent: %s\n", outcome);
        status = save_run("lecture_sincos_gd.dat", what, &od, x0, 2, steps, outcome, &t);
    }
    table_free(&t);

    /* simulated annealing from the same start; the first row is the start */
    memset(&ad, 0, sizeof ad);
    ad.iters = 3000;
    ad.t0 = 1.0;
    ad.alpha = 0.998;
    ad.schedule = LLP_ANNEAL_GEOMETRIC;
    ad.step = 0.1;
    table_init(&t, 5);
    row[0] = 0, row[1] = x0[0], row[2] = x0[1], row[4] = ad.t0;
    if (!status) {
        llp_real l0;
        if ((r = llp_objective_loss(&f, x0, NULL, &l0)) != LLP_OK) status = fail("llp_objective_loss", r);
        row[3] = l0;
    }
    if (!status) status = table_add(&t, row);
    if (!status) {
        llp_rng_seed(&rng, seed);
        llp_copy(x0, sa_x, 2);
        rec.t = &t;
        rec.status = 0;
        r = llp_anneal(&f, sa_x, &ad, &rng, anneal_visit, &rec, &ar);
        if (rec.status)
            status = rec.status;
        else if (r != LLP_OK)
            status = fail("llp_anneal", r);
    }
    if (!status) {
        snprintf(header, sizeof header,
                 "%s\n"
                 "simulated annealing (llp_anneal): %lu proposals x' = x + %g N(0, I), Metropolis acceptance,\n"
                 "geometric temperature T_k = %g * %g^k, rng seed %lu; start (%g, %g)\n"
                 "accepted %lu of %lu; best (%.4f, %.4f) loss %.6f, final loss %.6f\n"
                 "one row per accepted move (the chain's new point), the start first",
                 what, (unsigned long)ad.iters, ad.step, ad.t0, ad.alpha, seed, (double)x0[0], (double)x0[1],
                 (unsigned long)ar.accepted, (unsigned long)ad.iters, (double)sa_x[0], (double)sa_x[1],
                 ar.best_loss, ar.final_loss);
        printf("  simulated annealing: %lu of %lu accepted, best (%.4f, %.4f), loss %.6f\n",
               (unsigned long)ar.accepted, (unsigned long)ad.iters, (double)sa_x[0], (double)sa_x[1], ar.best_loss);
        status = save("lecture_sincos_anneal.dat", header, sa_cols, &t, 0);
    }
    table_free(&t);

    /* the marked points: 0 grid-search optimum, 1 annealing best, 2 exact minimum */
    table_init(&t, 4);
    row[0] = grid_best[0], row[1] = grid_best[1], row[2] = grid_loss, row[3] = 0;
    if (!status) status = table_add(&t, row);
    row[0] = sa_x[0], row[1] = sa_x[1], row[2] = ar.best_loss, row[3] = 1;
    if (!status) status = table_add(&t, row);
    row[0] = xm[0], row[1] = xm[1], row[2] = fm, row[3] = 2;
    if (!status) status = table_add(&t, row);
    if (!status) {
        snprintf(header, sizeof header,
                 "%s\n"
                 "which: 0 = best of the %dx%d grid search on [-1.5, 1.5]^2 (llp_grid_search),\n"
                 "       1 = best point of the simulated annealing run (seed %lu),\n"
                 "       2 = exact minimum (llp_landscape_minimum)",
                 what, GRID, GRID, seed);
        status = save("lecture_sincos_best.dat", header, best_cols, &t, 0);
    }
    table_free(&t);
    llp_landscape_free(&ls);
    return status;
}

/* ---- 7. flat and sharp minima ------------------------------------------- */

/* Two Gaussian wells, a narrow deep one and a wide slightly shallower one:
       L(x) = -A_s exp(-(x - c_s)^2 / (2 s_s^2)) - A_f exp(-(x - c_f)^2 / (2 s_f^2))
   evaluated at x - shift: shift 0 is the training loss, a small shift the
   "test" loss (the same landscape, moved as a new sample moves it). */
#define SHARP_C (-1.2)
#define SHARP_W 0.15
#define SHARP_A 1.0
#define FLAT_C 1.2
#define FLAT_W 0.6
#define FLAT_A 0.9
#define TEST_SHIFT 0.2

typedef struct wells {
    double shift;
} wells;

static llp_result wells_loss_grad(void *ctx, const llp_real *theta, const llp_batch *batch, llp_real *loss,
                                  llp_real *grad) {
    const wells *w = (const wells *)ctx;
    double x = (double)theta[0] - w->shift, us = (x - SHARP_C) / SHARP_W, uf = (x - FLAT_C) / FLAT_W;
    double es = SHARP_A * exp(-0.5 * us * us), ef = FLAT_A * exp(-0.5 * uf * uf);
    (void)batch;
    *loss = (llp_real)(-es - ef);
    if (grad) grad[0] = (llp_real)(es * us / SHARP_W + ef * uf / FLAT_W);
    return LLP_OK;
}

static int fig_flat_sharp(void) {
    static const char *const curve_cols[3] = {"x", "train_loss", "test_loss"};
    static const char *const min_cols[6] = {"x_star", "train_loss", "test_loss", "gap", "curvature", "which"};
    wells wt = {0.0}, wv = {TEST_SHIFT};
    llp_objective ft, fv;
    llp_opt_desc od;
    table t;
    char header[HEADER], what[1024];
    double row[6];
    size_t i;
    int k, status = 0;
    llp_result r;

    printf("7. flat vs sharp minimum (two Gaussian wells), test loss = training loss shifted by %g\n", TEST_SHIFT);
    ft = llp_objective_from_callbacks(1, 0, wells_loss_grad, NULL, &wt);
    fv = llp_objective_from_callbacks(1, 0, wells_loss_grad, NULL, &wv);
    snprintf(what, sizeof what,
             "training loss L(x) = -%g exp(-(x - (%g))^2 / (2 * %g^2)) - %g exp(-(x - %g)^2 / (2 * %g^2)) "
             "(llp_objective_from_callbacks)\n"
             "test loss L(x - %g): the training loss shifted by %g",
             SHARP_A, SHARP_C, SHARP_W, FLAT_A, FLAT_C, FLAT_W, TEST_SHIFT, TEST_SHIFT);

    table_init(&t, 3);
    for (i = 0; i <= 600 && !status; i++) {
        llp_real x[1], lt, lv;
        x[0] = (llp_real)(-3 + 6 * (double)i / 600);
        if ((r = llp_objective_loss(&ft, x, NULL, &lt)) != LLP_OK || (r = llp_objective_loss(&fv, x, NULL, &lv)) != LLP_OK) {
            status = fail("llp_objective_loss", r);
            break;
        }
        row[0] = x[0], row[1] = lt, row[2] = lv;
        status = table_add(&t, row);
    }
    if (!status) {
        snprintf(header, sizeof header, "%s\ncurve: 601 points on [-3, 3]", what);
        status = save("lecture_flat_sharp_curve.dat", header, curve_cols, &t, 0);
    }
    table_free(&t);

    /* each training minimum by gradient descent from beside its well; lr
       below 2 / (the sharp well's curvature A_s / s_s^2 = 44.4) */
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_SGD;
    od.lr = 0.02;
    table_init(&t, 6);
    for (k = 0; k < 2 && !status; k++) {
        llp_real x[1], state[1], lt, lv, one[1] = {1}, h[1];
        llp_opt opt;
        llp_opt_info info;
        size_t it;
        x[0] = (llp_real)(k == 0 ? SHARP_C + 0.1 : FLAT_C + 0.5);
        if ((r = llp_opt_init(&opt, &od, 1, state, 1)) != LLP_OK) {
            status = fail("llp_opt_init", r);
            break;
        }
        for (it = 0; it < 100000; it++) {
            if ((r = llp_opt_step(&opt, &ft, x, NULL, &info)) != LLP_OK) break;
            if (info.step_norm < 1e-13) break;
        }
        if (r != LLP_OK) {
            status = fail("llp_opt_step", r);
            break;
        }
        if ((r = llp_objective_loss(&ft, x, NULL, &lt)) != LLP_OK || (r = llp_objective_loss(&fv, x, NULL, &lv)) != LLP_OK ||
            (r = llp_objective_hvp(&ft, x, one, NULL, h)) != LLP_OK) {
            status = fail("llp_objective_loss/hvp", r);
            break;
        }
        row[0] = x[0], row[1] = lt, row[2] = lv, row[3] = (double)lv - (double)lt, row[4] = h[0], row[5] = k;
        printf("  %s minimum x* = %.6f (%lu steps): train %.4f, test %.4f, gap %.4f, curvature L''(x*) = %.2f\n",
               k == 0 ? "sharp" : "flat ", (double)x[0], (unsigned long)(it + 1), (double)lt, (double)lv, row[3],
               (double)h[0]);
        status = table_add(&t, row);
    }
    if (!status) {
        snprintf(header, sizeof header,
                 "%s\n"
                 "the two training minima, found by gradient descent (sgd lr=%g, until a step is below 1e-13);\n"
                 "gap = test_loss - train_loss at x_star; curvature = L''(x_star) (llp_objective_hvp, finite "
                 "differences of gradients); which: 0 = sharp, 1 = flat",
                 what, od.lr);
        status = save("lecture_flat_sharp_minima.dat", header, min_cols, &t, 0);
    }
    table_free(&t);
    return status;
}

int main(int argc, char **argv) {
    int k, status = 0;
    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--seed") == 0 && k + 1 < argc) seed = strtoul(argv[++k], NULL, 10);
        else if (strcmp(argv[k], "--out") == 0 && k + 1 < argc) outdir = argv[++k];
        else {
            fprintf(stderr, "usage: lecture_optim [--seed N] [--out DIR]\n");
            return 2;
        }
    }
    printf("lecture figures, seed %lu, data in %s\n", seed, outdir);
    if (!status) status = fig_saddle();
    if (!status) status = fig_conditioning();
    if (!status) status = fig_momentum();
    if (!status) status = fig_quartic();
    if (!status) status = fig_race();
    if (!status) status = fig_sincos();
    if (!status) status = fig_flat_sharp();
    return status;
}
