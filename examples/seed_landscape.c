/* seed_landscape.c — the analytic landscape f(x, y) = sin(4x) cos(4y) +
   2(x^2 + y^2) as a surface, and where it is locally non-convex.

   The landscape (LLP_LANDSCAPE_SINCOS, n = 2) is an objective with exact
   gradient and Hessian-vector products; llp_surface_compute evaluates it at
   theta + x e1 + y e2 with theta = 0 and the unit vectors e1, e2, so the
   surface is f itself:
     - f on a 101 x 101 grid over [-1.5, 1.5]^2 -> seed_landscape.dat;
     - the extreme Hessian eigenvalues lambda_max, lambda_min at every point
       of a 41 x 41 grid over the same square (Lanczos with 2 steps, exact
       in two dimensions) -> seed_curvature.dat. lambda_min < 0 marks where
       f is locally non-convex.
   Both files are resumable (an interrupted run continues from the .part
   file). The global minimum, found by llp_landscape_minimum, is printed.
   plots/seed_landscape.gp (colour map and 3-D surface side by side) and
   plots/seed_curvature.gp draw them.

   usage: seed_landscape [--seed N] [--out DIR]
   The landscape has no randomness: --seed is accepted (for the same command
   line as the other examples) and unused. Same bytes in every run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"

#define RANGE 1.5
#define GRID 101
#define CURV_GRID 41

static int fail(const char *what, llp_result r) {
    fprintf(stderr, "seed_landscape: %s: %s\n", what, llp_result_string(r));
    return 2;
}

static int fail_err(const llp_error *err) {
    fprintf(stderr, "%s:%ld:%ld: %s\n", err->file, err->line, err->column, err->message);
    return 2;
}

int main(int argc, char **argv) {
    static const llp_real origin[2] = {0, 0}, e1[2] = {1, 0}, e2[2] = {0, 1};
    const char *outdir = ".";
    char file[4096], header[1024];
    llp_landscape_desc ld;
    llp_landscape ls;
    llp_objective f;
    llp_surface_desc sd;
    llp_surface s;
    llp_error err;
    llp_real xm[2], fm;
    llp_result r;
    size_t i, neg = 0, best = 0;
    double lmin = 0, lmax = 0;
    int k;

    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--seed") == 0 && k + 1 < argc) ++k; /* accepted, unused */
        else if (strcmp(argv[k], "--out") == 0 && k + 1 < argc) outdir = argv[++k];
        else {
            fprintf(stderr, "usage: seed_landscape [--seed N] [--out DIR]   (the landscape is deterministic: the "
                            "seed is accepted and unused)\n");
            return 2;
        }
    }
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_SINCOS;
    ld.n = 2;
    if ((r = llp_landscape_init(&ls, &ld, NULL)) != LLP_OK) return fail("llp_landscape_init", r);
    f = llp_landscape_objective(&ls);
    if ((r = llp_landscape_minimum(&ls, xm, &fm)) != LLP_OK) return fail("llp_landscape_minimum", r);
    printf("landscape f(x, y) = sin(4x) cos(4y) + 2(x^2 + y^2): global minimum f(%.6f, %.6f) = %.6f\n", xm[0], xm[1],
           fm);

    /* the surface */
    memset(&sd, 0, sizeof sd);
    sd.x_min = sd.y_min = -RANGE, sd.x_max = sd.y_max = RANGE;
    sd.nx = sd.ny = GRID;
    snprintf(file, sizeof file, "%s/seed_landscape.dat", outdir);
    snprintf(header, sizeof header,
             "seed_landscape: f(x, y) = sin(4x) cos(4y) + 2(x^2 + y^2) (LLP_LANDSCAPE_SINCOS, n = 2), as the surface "
             "f(theta + x d1 + y d2) with theta = 0, d1 = e1 = (1, 0), d2 = e2 = (0, 1) (unit vectors, no "
             "normalisation)\n"
             "no data set, no randomness (seed unused): train_loss is f; val_loss and the accuracies are nan; "
             "global minimum f(%.9f, %.9f) = %.9f",
             xm[0], xm[1], fm);
    sd.path = file;
    sd.header = header;
    if ((r = llp_surface_compute(&f, NULL, origin, e1, e2, &sd, &s, &err)) != LLP_OK) return fail_err(&err);
    for (i = 1; i < s.nx * s.ny; i++)
        if (s.train_loss[i] < s.train_loss[best]) best = i;
    printf("surface   %d x %d over [-%g, %g]^2 (%lu points resumed, %lu computed): grid minimum f(%.3f, %.3f) = "
           "%.4f\n",
           GRID, GRID, RANGE, RANGE, (unsigned long)s.resumed, (unsigned long)s.computed, s.x[best % s.nx],
           s.y[best / s.nx], s.train_loss[best]);
    llp_surface_free(&s);

    /* the curvature map */
    memset(&sd, 0, sizeof sd);
    sd.x_min = sd.y_min = -RANGE, sd.x_max = sd.y_max = RANGE;
    sd.nx = sd.ny = CURV_GRID;
    sd.curvature = 1;
    sd.curvature_steps = 2;
    snprintf(file, sizeof file, "%s/seed_curvature.dat", outdir);
    snprintf(header, sizeof header,
             "seed_landscape: f(x, y) = sin(4x) cos(4y) + 2(x^2 + y^2) (LLP_LANDSCAPE_SINCOS, n = 2) and the extreme "
             "eigenvalues of its 2 x 2 Hessian, on the plane theta = 0, d1 = e1 = (1, 0), d2 = e2 = (0, 1) (unit "
             "vectors, no normalisation)\n"
             "no data set, no randomness (seed unused); lambda_min < 0: f is locally non-convex there");
    sd.path = file;
    sd.header = header;
    if ((r = llp_surface_compute(&f, NULL, origin, e1, e2, &sd, &s, &err)) != LLP_OK) return fail_err(&err);
    for (i = 0; i < s.nx * s.ny; i++) {
        neg += s.lambda_min[i] < 0;
        if (i == 0 || s.lambda_min[i] < lmin) lmin = s.lambda_min[i];
        if (i == 0 || s.lambda_max[i] > lmax) lmax = s.lambda_max[i];
    }
    printf("curvature %d x %d (%lu HVPs): lambda_min < 0 at %lu of %lu points (%.1f%%); lambda in [%.3f, %.3f]\n",
           CURV_GRID, CURV_GRID, (unsigned long)s.evals.hvp, (unsigned long)neg, (unsigned long)(s.nx * s.ny),
           100.0 * (double)neg / (double)(s.nx * s.ny), lmin, lmax);
    llp_surface_free(&s);
    llp_landscape_free(&ls);
    return 0;
}
