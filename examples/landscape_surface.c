/* landscape_surface.c — 2-D views of the loss landscape of an MLP trained on
   the digits data: a plane of two random filter-normalised directions, and
   the plane of the training trajectory's principal components.

   Loads data/digits.csv, splits it 80/20 (seeded) into training and
   validation samples, standardises with the training statistics and trains
   a 64-32-10 tanh MLP with softmax cross-entropy (Glorot initialisation,
   Adam 2e-3, 30 epochs of mini-batches of 32: 1350 steps) from theta_init
   to theta*, keeping a snapshot of theta every 15 steps (91 snapshots,
   initialisation and theta* included). Every loss below is over the full
   training or validation split.
     - Two Gaussian random directions, filter-normalised (each neuron's
       incoming weight row rescaled to the norm of theta*'s row, biases
       zeroed: Li et al. 2018), the second made orthogonal to the first by
       Gram–Schmidt (and rescaled to its norm; the cosine before is
       printed), and the training and validation loss and accuracy at
       theta* + alpha d1 + beta d2 on a 51 x 51 grid over [-1, 1]^2
       -> landscape_surface.dat (resumable: an interrupted run continues
       from landscape_surface.dat.part);
     - PCA of the trajectory (rows theta_i - theta*, not centred, as in Li
       et al.), and the loss on a 41 x 41 grid in the plane theta* + a e1 +
       b e2 of the two unit components, over the box of the trajectory's
       coordinates plus a margin of 15% of the larger span
       -> landscape_pca_surface.dat (resumable too); the snapshots'
       coordinates in that plane, their distance off it and their losses
       -> landscape_pca_path.dat; the explained variance, the off-plane
       residual and the grid -> landscape_pca_summary.dat.
   plots/landscape_contour.gp, landscape_surface3d.gp and landscape_pca.gp
   draw them.

   usage: landscape_surface [--seed N] [--out DIR] [path/to/digits.csv]
   Same seed, same bytes in every output file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"
#define EXC_PROG "landscape_surface"
#include "ex_common.h"

#ifndef DIGITS_CSV /* meson compiles in the absolute path; by hand, run from the repository root */
#define DIGITS_CSV "data/digits.csv"
#endif
#define EPOCHS 30
#define BATCH 32
#define LR 2e-3
#define TRAJ_EVERY 15  /* steps between snapshots */
#define GRID 51        /* random-plane surface: GRID x GRID over [-1, 1]^2 */
#define PCA_GRID 41    /* PCA-plane surface */
#define MARGIN 0.15    /* PCA box margin, a fraction of the larger span of the trajectory */

/* The grid point with the smallest training loss. */
static size_t argmin(const llp_surface *s) {
    size_t i, best = 0;
    for (i = 1; i < s->nx * s->ny; i++)
        if (s->train_loss[i] < s->train_loss[best]) best = i;
    return best;
}

int main(int argc, char **argv) {
    const char *path = NULL, *outdir = ".", *base, *what;
    char buf[4096], file[4096], header[4096], common[1024];
    unsigned long seed = 42;
    llp_data all, tr, va;
    llp_error err;
    llp_mlp_desc md;
    llp_mlp mlp;
    llp_mlp_objective mo_tr, mo_va;
    llp_objective f_tr, f_va;
    llp_rng rng, rng_d;
    llp_real mean[64], sd[64];
    llp_real *theta, *d1, *d2;
    llp_trainer t;
    size_t n, i;
    llp_result r;

    if (exc_parse_seed_out(argc, argv, "usage: landscape_surface [--seed N] [--out DIR] [path/to/digits.csv]", &seed,
                           &outdir, &path))
        return 2;
    path = exc_locate(path, "data/digits.csv", DIGITS_CSV, buf, sizeof buf);
    /* the file name alone goes into the headers: the same bytes wherever the data lives */
    base = exc_basename(path);

    if (exc_load_digits(&all, path)) return 2;
    llp_rng_seed(&rng, seed);
    if ((r = exc_split_standardize(&all, 0.2, 0, &rng, &tr, &va, mean, sd, &what)) != LLP_OK) return fail(what, r);
    exc_mlp_desc(&md, 64, 32, 10, LLP_ACT_TANH, LLP_LOSS_SOFTMAX_CE);
    if ((r = exc_mlp_setup(&md, &mlp, &tr, &va, &mo_tr, &mo_va, &f_tr, &f_va, &what)) != LLP_OK) return fail(what, r);
    n = mlp.n_params;
    theta = mlp.theta;
    d1 = (llp_real *)malloc(n * sizeof *d1);
    d2 = (llp_real *)malloc(n * sizeof *d2);
    if (!d1 || !d2) return fail("allocating directions", LLP_ERR_NOMEM);
    printf("data      %s: %lu training, %lu validation samples; model 64-32-10 tanh, %lu parameters\n", path,
           (unsigned long)tr.n, (unsigned long)va.n, (unsigned long)n);

    /* training, with the trajectory kept in memory (no thinning: traj_max
       is above the number of snapshots) */
    llp_mlp_randomize(&mlp, theta, &rng);
    {
        llp_train_desc td;
        llp_opt_desc od;
        memset(&td, 0, sizeof td);
        td.epochs = EPOCHS, td.batch_size = BATCH, td.seed = seed;
        td.traj_every = TRAJ_EVERY, td.traj_max = 1000;
        memset(&od, 0, sizeof od);
        od.kind = LLP_OPT_ADAM, od.lr = LR;
        if ((r = llp_trainer_init(&t, &td, &f_tr, &f_va, &od, theta)) != LLP_OK) return fail("llp_trainer_init", r);
        if ((r = llp_trainer_run(&t)) != LLP_OK) return fail("llp_trainer_run", r);
        printf("trained   Adam %g, %d epochs of mini-batches of %d (%lu steps): validation loss %.4f, accuracy "
               "%.4f; %lu snapshots (every %d steps)\n",
               LR, EPOCHS, BATCH, (unsigned long)t.step, t.rows[t.n_rows - 1].val_loss, t.rows[t.n_rows - 1].val_acc,
               (unsigned long)t.traj.count, TRAJ_EVERY);
    }
    snprintf(common, sizeof common,
             "model: 64-32-10 tanh MLP, softmax cross-entropy, %lu parameters, Glorot initialisation; trained by "
             "Adam (lr %g) for %d epochs of shuffled mini-batches of %d (%lu steps) to theta*\n"
             "data: %.200s (%lu samples, 64 pixels, 10 classes), split 80/20 with seed %lu into %lu training and "
             "%lu validation samples, standardised with the training statistics",
             (unsigned long)n, LR, EPOCHS, BATCH, (unsigned long)t.step, base, (unsigned long)all.n, seed,
             (unsigned long)tr.n, (unsigned long)va.n);

    /* ---- figure 2: the plane of two random filter-normalised directions ---- */
    {
        llp_surface_desc sd_;
        llp_surface s;
        double cosb;
        size_t b;
        llp_rng_seed(&rng_d, seed + 100);
        if ((r = llp_direction_random(&mlp, theta, n, LLP_DIR_GAUSSIAN, LLP_DIR_NORM_FILTER, LLP_DIR_BIAS_ZERO,
                                      &rng_d, d1)) != LLP_OK ||
            (r = llp_direction_random(&mlp, theta, n, LLP_DIR_GAUSSIAN, LLP_DIR_NORM_FILTER, LLP_DIR_BIAS_ZERO,
                                      &rng_d, d2)) != LLP_OK)
            return fail("llp_direction_random", r);
        if ((r = llp_direction_orthogonalize(d1, d2, n, &cosb)) != LLP_OK)
            return fail("llp_direction_orthogonalize", r);
        printf("plane     two filter-normalised random directions, ||d1|| %.3f, ||d2|| %.3f; cosine before "
               "Gram-Schmidt %+.4f\n",
               llp_nrm2(d1, n), llp_nrm2(d2, n), cosb);
        snprintf(file, sizeof file, "%s/landscape_surface.dat", outdir);
        snprintf(header, sizeof header,
                 "landscape_surface: training and validation loss (mean softmax cross-entropy) and accuracy at "
                 "theta* + x d1 + y d2 around the trained minimum theta*; seed %lu\n"
                 "directions: d1, d2 Gaussian (drawn from seed %lu), filter-normalised (each neuron's incoming "
                 "weight row rescaled to the norm of theta*'s row; biases zeroed), then d2 made orthogonal to d1 by "
                 "Gram-Schmidt and rescaled to its norm (cosine before %.6f); ||d1|| = %.6g, ||d2|| = %.6g\n%s",
                 seed, seed + 100, cosb, llp_nrm2(d1, n), llp_nrm2(d2, n), common);
        memset(&sd_, 0, sizeof sd_);
        sd_.x_min = sd_.y_min = -1, sd_.x_max = sd_.y_max = 1;
        sd_.nx = sd_.ny = GRID;
        sd_.path = file;
        sd_.header = header;
        if ((r = llp_surface_compute(&f_tr, &f_va, theta, d1, d2, &sd_, &s, &err)) != LLP_OK) return fail_err(&err);
        b = argmin(&s);
        printf("surface   %d x %d over [-1, 1]^2 (%lu points resumed, %lu computed): training loss %.4f at the "
               "centre, min %.4f at (%g, %g), max %.4f\n",
               GRID, GRID, (unsigned long)s.resumed, (unsigned long)s.computed, s.train_loss[(GRID * GRID) / 2],
               s.train_loss[b], s.x[b % s.nx], s.y[b / s.nx], s.train_loss[0] > s.train_loss[GRID * GRID - 1]
                                                                   ? s.train_loss[0]
                                                                   : s.train_loss[GRID * GRID - 1]);
        llp_surface_free(&s);
    }

    /* ---- figure 3: the plane of the trajectory's principal components ---- */
    {
        llp_pca pca;
        llp_surface_desc sd_;
        llp_surface s;
        size_t T = t.traj.count;
        double x0 = HUGE_VAL, x1 = -HUGE_VAL, y0 = HUGE_VAL, y1 = -HUGE_VAL, m, *tab;
        llp_real *x;
        static const char *const pcols[] = {"step", "pc1", "pc2", "offplane", "train_loss", "val_loss"};
        static const char *const scols[] = {"explained1", "explained2", "residual", "snapshots", "x_min", "x_max",
                                            "y_min", "y_max"};
        double stab[8];
        if ((r = llp_pca_trajectory(t.traj.theta, T, n, theta, 0, 2, &pca)) != LLP_OK)
            return fail("llp_pca_trajectory", r);
        for (i = 0; i < T; i++) {
            double a = pca.coords[2 * i], b = pca.coords[2 * i + 1];
            x0 = a < x0 ? a : x0, x1 = a > x1 ? a : x1;
            y0 = b < y0 ? b : y0, y1 = b > y1 ? b : y1;
        }
        m = MARGIN * (x1 - x0 > y1 - y0 ? x1 - x0 : y1 - y0);
        x0 -= m, x1 += m, y0 -= m, y1 += m;
        printf("pca       %lu snapshots: explained variance %.2f%% + %.2f%%, off-plane residual %.3f; box "
               "[%.2f, %.2f] x [%.2f, %.2f]\n",
               (unsigned long)T, 100 * pca.explained[0], 100 * pca.explained[1], pca.residual, x0, x1, y0, y1);

        snprintf(file, sizeof file, "%s/landscape_pca_surface.dat", outdir);
        snprintf(header, sizeof header,
                 "landscape_surface: training and validation loss (mean softmax cross-entropy) and accuracy at "
                 "theta* + x e1 + y e2; seed %lu\n"
                 "directions: e1, e2 the first two principal components (unit vectors, not normalised per filter) "
                 "of the training trajectory (%lu snapshots every %d steps, rows theta_i - theta*, not centred); "
                 "explained variance %.6f and %.6f, off-plane residual %.6f; the grid covers the trajectory's "
                 "coordinates with a margin of %g of the larger span\n%s",
                 seed, (unsigned long)T, TRAJ_EVERY, pca.explained[0], pca.explained[1], pca.residual, MARGIN,
                 common);
        memset(&sd_, 0, sizeof sd_);
        sd_.x_min = x0, sd_.x_max = x1, sd_.y_min = y0, sd_.y_max = y1;
        sd_.nx = sd_.ny = PCA_GRID;
        sd_.path = file;
        sd_.header = header;
        if ((r = llp_surface_compute(&f_tr, &f_va, theta, pca.components, pca.components + n, &sd_, &s, &err)) !=
            LLP_OK)
            return fail_err(&err);
        printf("pca plane %d x %d (%lu points resumed, %lu computed): training loss %.4f .. %.4f\n", PCA_GRID,
               PCA_GRID, (unsigned long)s.resumed, (unsigned long)s.computed, s.train_loss[argmin(&s)],
               s.train_loss[0]);
        llp_surface_free(&s);

        /* the path: coordinates, distance off the plane, losses at each snapshot */
        tab = (double *)malloc(T * 6 * sizeof *tab);
        if (!tab) return fail("allocating the path table", LLP_ERR_NOMEM);
        for (i = 0; i < T; i++) {
            llp_real l;
            x = t.traj.theta + i * n;
            tab[6 * i] = (double)t.traj.steps[i];
            tab[6 * i + 1] = pca.coords[2 * i], tab[6 * i + 2] = pca.coords[2 * i + 1];
            tab[6 * i + 3] = pca.offplane[i];
            if ((r = llp_objective_loss(&f_tr, x, NULL, &l)) != LLP_OK) return fail("training loss", r);
            tab[6 * i + 4] = l;
            if ((r = llp_objective_loss(&f_va, x, NULL, &l)) != LLP_OK) return fail("validation loss", r);
            tab[6 * i + 5] = l;
        }
        snprintf(file, sizeof file, "%s/landscape_pca_path.dat", outdir);
        snprintf(header, sizeof header,
                 "landscape_surface: the training trajectory (%lu snapshots of theta, every %d steps, from the "
                 "initialisation to theta*) in the plane theta* + x e1 + y e2 of its first two principal "
                 "components (rows theta_i - theta*, not centred); seed %lu\n"
                 "pc1, pc2: least-squares coordinates along the unit components; offplane: distance of theta_i "
                 "from the plane; train_loss, val_loss: the loss at theta_i itself (batch: full data)\n%s",
                 (unsigned long)T, TRAJ_EVERY, seed, common);
        if (llp_write_table(file, header, pcols, tab, T, 6, 0, 0, &err) != LLP_OK) return fail_err(&err);
        printf("path      start (%.2f, %.2f) off-plane %.3f, training loss %.3f -> %.4f\n", tab[1], tab[2], tab[3],
               tab[4], tab[6 * (T - 1) + 4]);
        free(tab);

        stab[0] = pca.explained[0], stab[1] = pca.explained[1], stab[2] = pca.residual, stab[3] = (double)T;
        stab[4] = x0, stab[5] = x1, stab[6] = y0, stab[7] = y1;
        snprintf(file, sizeof file, "%s/landscape_pca_summary.dat", outdir);
        snprintf(header, sizeof header,
                 "landscape_surface: PCA of the training trajectory (%lu snapshots every %d steps, rows theta_i - "
                 "theta*, not centred); seed %lu\n"
                 "explained1, explained2: shares of sum_i ||theta_i - theta*||^2 along the two components; "
                 "residual: relative norm off their plane; x_min .. y_max: the surface's grid "
                 "(landscape_pca_surface.dat)\nbatch: full data (the surface's losses are over the whole training or "
                 "validation split)\n%s",
                 (unsigned long)T, TRAJ_EVERY, seed, common);
        if (llp_write_table(file, header, scols, stab, 1, 8, 0, 0, &err) != LLP_OK) return fail_err(&err);
        llp_pca_free(&pca);
    }

    llp_trainer_free(&t);
    free(d1);
    free(d2);
    llp_mlp_objective_free(&mo_tr);
    llp_mlp_objective_free(&mo_va);
    llp_mlp_free(&mlp);
    llp_data_free(&all);
    llp_data_free(&tr);
    llp_data_free(&va);
    return 0;
}
