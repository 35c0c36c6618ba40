/* landscape_slices.c — 1-D views of the loss landscape of an MLP trained on
   the digits data: random filter-normalised directions, linear
   interpolations, and the extreme Hessian eigenvectors.

   Loads data/digits.csv, splits it 80/20 (seeded) into training and
   validation samples, standardises with the training statistics and trains
   a 64-32-10 tanh MLP with softmax cross-entropy (Glorot initialisation,
   Adam 2e-3, 30 epochs of mini-batches of 32) from theta_init to theta*.
   Every loss below is over the full training or validation split.
     - R = 10 Gaussian random directions, filter-normalised (each neuron's
       incoming weight row rescaled to the norm of theta*'s row, biases
       zeroed: Li et al. 2018), and the loss along theta* + alpha d for alpha
       in [-1, 1] (41 points); per alpha, the mean, standard deviation, min
       and max over the R directions of the training and validation loss and
       the mean accuracies -> landscape_random_1d.dat;
     - the straight line from theta_init to theta* (t in [-0.25, 1.25], 61
       points) -> landscape_interp_init.dat, and between theta* and the
       minimum theta*_B of a second run (seed + 1: another initialisation
       and another mini-batch order, the same split)
       -> landscape_interp_seeds.dat; the barrier heights of both (the sup
       over 0 <= t <= 1 of L(t) - (L(0) + L(1))/2 and of L(t) minus the
       straight line between the end losses) -> landscape_barriers.dat;
     - the eigenvectors of the largest and the smallest eigenvalue of the
       training Hessian at theta* (Lanczos, 60 steps), scaled to the mean
       norm of the R random directions, and the loss along them and along
       the first 3 random directions, alpha in [-0.5, 0.5] (101 points: the
       valley along the top eigenvector is narrow)
       -> landscape_hessian_dirs.dat, and the eigenvalues and norms
       -> landscape_hessian_eigs.dat.
   plots/landscape_random_1d.gp, landscape_interpolation.gp and
   landscape_hessian_dirs.gp draw them.

   usage: landscape_slices [--seed N] [--out DIR] [path/to/digits.csv]
   Same seed, same bytes in every output file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"
#define EXC_PROG "landscape_slices"
#include "ex_common.h"

#ifndef DIGITS_CSV /* meson compiles in the absolute path; by hand, run from the repository root */
#define DIGITS_CSV "data/digits.csv"
#endif
#define R_DIRS 10      /* random directions of figure 1 */
#define N_ALPHA 41     /* points of a line slice over [-1, 1] */
#define N_T 61         /* points of an interpolation over [-0.25, 1.25] */
#define N_SHOWN 3      /* random directions drawn next to the Hessian ones */
#define H_ALPHA 0.5    /* Hessian-direction slices: alpha in [-H_ALPHA, H_ALPHA] */
#define N_H 101        /* ... at N_H points (the top direction's valley is narrow) */
#define EPOCHS 30
#define BATCH 32
#define LR 2e-3

/* Train theta in place: Adam, EPOCHS epochs of mini-batches of BATCH,
   mini-batch order from `seed`. Prints one line. */
static llp_result train(const llp_objective *f_tr, const llp_objective *f_va, llp_real *theta, uint64_t seed,
                        const char *name) {
    llp_train_desc td;
    llp_opt_desc od;
    llp_trainer t;
    llp_result r;
    memset(&td, 0, sizeof td);
    td.epochs = EPOCHS, td.batch_size = BATCH, td.seed = seed;
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_ADAM, od.lr = LR;
    if ((r = llp_trainer_init(&t, &td, f_tr, f_va, &od, theta)) != LLP_OK) return r;
    r = llp_trainer_run(&t);
    if (r == LLP_OK)
        printf("%-9s Adam %g, %d epochs of mini-batches of %d (%lu steps): validation loss %.4f, accuracy %.4f\n",
               name, LR, EPOCHS, BATCH, (unsigned long)t.step, t.rows[t.n_rows - 1].val_loss,
               t.rows[t.n_rows - 1].val_acc);
    llp_trainer_free(&t);
    return r;
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
    llp_rng rng, rng_b, rng_d;
    llp_real mean[64], sd[64];
    llp_real *theta, *theta_init, *theta_b, *dirs, *hdirs;
    llp_slice rs[R_DIRS];
    double dnorm = 0, lam[2], res[2];
    size_t n, i;
    llp_result r;
    int k;

    if (exc_parse_seed_out(argc, argv, "usage: landscape_slices [--seed N] [--out DIR] [path/to/digits.csv]", &seed,
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
    theta_init = (llp_real *)malloc(n * sizeof *theta_init);
    theta_b = (llp_real *)malloc(n * sizeof *theta_b);
    dirs = (llp_real *)malloc(R_DIRS * n * sizeof *dirs);
    hdirs = (llp_real *)malloc(2 * n * sizeof *hdirs);
    if (!theta_init || !theta_b || !dirs || !hdirs) return fail("allocating parameter vectors", LLP_ERR_NOMEM);
    printf("data      %s: %lu training, %lu validation samples; model 64-32-10 tanh, %lu parameters\n", path,
           (unsigned long)tr.n, (unsigned long)va.n, (unsigned long)n);

    /* run A: initialisation from the split's rng, mini-batch order from seed;
       run B: both from seed + 1 */
    llp_mlp_randomize(&mlp, theta, &rng);
    memcpy(theta_init, theta, n * sizeof *theta);
    if ((r = train(&f_tr, &f_va, theta, seed, "run A")) != LLP_OK) return fail("training run A", r);
    llp_rng_seed(&rng_b, seed + 1);
    llp_mlp_randomize(&mlp, theta_b, &rng_b);
    if ((r = train(&f_tr, &f_va, theta_b, seed + 1, "run B")) != LLP_OK) return fail("training run B", r);

    snprintf(common, sizeof common,
             "model: 64-32-10 tanh MLP, softmax cross-entropy, %lu parameters, Glorot initialisation; trained by "
             "Adam (lr %g) for %d epochs of shuffled mini-batches of %d\n"
             "data: %.200s (%lu samples, 64 pixels, 10 classes), split 80/20 with seed %lu into %lu training and %lu "
             "validation samples, standardised with the training statistics\n"
             "batch: full data (every loss and accuracy is over the whole training or validation split)",
             (unsigned long)n, LR, EPOCHS, BATCH, base, (unsigned long)all.n, seed, (unsigned long)tr.n,
             (unsigned long)va.n);

    /* ---- figure 1: R random filter-normalised directions ---- */
    llp_rng_seed(&rng_d, seed + 100);
    for (k = 0; k < R_DIRS; k++) {
        llp_real *d = dirs + (size_t)k * n;
        if ((r = llp_direction_random(&mlp, theta, n, LLP_DIR_GAUSSIAN, LLP_DIR_NORM_FILTER, LLP_DIR_BIAS_ZERO,
                                      &rng_d, d)) != LLP_OK)
            return fail("llp_direction_random", r);
        dnorm += llp_nrm2(d, n) / R_DIRS;
        if ((r = llp_slice_line(&f_tr, &f_va, theta, d, -1, 1, N_ALPHA, &rs[k])) != LLP_OK)
            return fail("llp_slice_line", r);
    }
    {
        static const char *const cols[] = {"alpha",      "train_mean", "train_std", "train_min", "train_max",
                                           "val_mean",   "val_std",    "val_min",   "val_max",   "train_acc_mean",
                                           "val_acc_mean"};
        double tab[N_ALPHA][11];
        for (i = 0; i < N_ALPHA; i++) {
            int c;
            tab[i][0] = rs[0].alpha[i];
            for (c = 0; c < 2; c++) {
                double s = 0, s2 = 0, lo = HUGE_VAL, hi = -HUGE_VAL, acc = 0;
                for (k = 0; k < R_DIRS; k++) {
                    double v = c ? rs[k].val_loss[i] : rs[k].train_loss[i];
                    s += v;
                    lo = v < lo ? v : lo;
                    hi = v > hi ? v : hi;
                    acc += c ? rs[k].val_acc[i] : rs[k].train_acc[i];
                }
                s /= R_DIRS;
                for (k = 0; k < R_DIRS; k++) {
                    double v = (c ? rs[k].val_loss[i] : rs[k].train_loss[i]) - s;
                    s2 += v * v;
                }
                tab[i][1 + 4 * c] = s;
                tab[i][2 + 4 * c] = sqrt(s2 / (R_DIRS - 1));
                tab[i][3 + 4 * c] = lo;
                tab[i][4 + 4 * c] = hi;
                tab[i][9 + c] = acc / R_DIRS;
            }
        }
        snprintf(file, sizeof file, "%s/landscape_random_1d.dat", outdir);
        snprintf(header, sizeof header,
                 "landscape_slices: loss along theta* + alpha d over R = %d random directions d around the trained "
                 "minimum theta*, seed %lu (directions drawn from seed %lu)\n"
                 "directions: Gaussian, filter-normalised (each neuron's incoming weight row rescaled to the norm of "
                 "theta*'s row; biases zeroed), ||d|| = %.6g (= the norm of theta*'s weights)\n%s\n"
                 "columns: over the R directions, mean, sample standard deviation, min and max of the training and "
                 "validation loss (mean softmax cross-entropy), and the mean accuracies",
                 R_DIRS, seed, seed + 100, dnorm, common);
        if (llp_write_table(file, header, cols, &tab[0][0], N_ALPHA, 11, 0, 0, &err) != LLP_OK)
            return fail_err(&err);
        printf("random    R = %d filter-normalised directions, ||d|| %.3f: at alpha = +-1 training loss %.3f / "
               "%.3f (mean), validation %.3f / %.3f\n",
               R_DIRS, dnorm, tab[0][1], tab[N_ALPHA - 1][1], tab[0][5], tab[N_ALPHA - 1][5]);
    }

    /* ---- figure 4: interpolations ---- */
    {
        static const char *const cols[] = {"path", "barrier_mean", "t_mean", "barrier_linear", "t_linear",
                                           "loss_a", "loss_b", "distance"};
        const llp_real *ends[2][2];
        static const char *const what[2] = {"theta_init (t = 0) to theta* (t = 1)",
                                            "theta* of run A (t = 0) to theta*_B of run B (t = 1)"};
        static const char *const names[2] = {"init", "seeds"};
        double tab[2][8];
        int p;
        ends[0][0] = theta_init, ends[0][1] = theta;
        ends[1][0] = theta, ends[1][1] = theta_b;
        for (p = 0; p < 2; p++) {
            llp_slice s;
            llp_barrier b;
            double dist = 0;
            for (i = 0; i < n; i++) dist += ((double)ends[p][1][i] - ends[p][0][i]) * ((double)ends[p][1][i] - ends[p][0][i]);
            dist = sqrt(dist);
            if ((r = llp_slice_interpolate(&f_tr, &f_va, ends[p][0], ends[p][1], -0.25, 1.25, N_T, &s, &b)) != LLP_OK)
                return fail("llp_slice_interpolate", r);
            snprintf(file, sizeof file, "%s/landscape_interp_%s.dat", outdir, names[p]);
            snprintf(header, sizeof header,
                     "landscape_slices: loss along the straight line theta(t) = (1 - t) theta_a + t theta_b from %s, "
                     "t in [-0.25, 1.25]; seed %lu (run A: initialisation and mini-batch order from seed %lu, "
                     "run B: from seed %lu)\n"
                     "||theta_b - theta_a|| = %.6g; training-loss barriers: sup_t L(t) - (L(0) + L(1))/2 = %.6g at "
                     "t = %g, sup_t L(t) - ((1 - t) L(0) + t L(1)) = %.6g at t = %g\n%s",
                     what[p], seed, seed, seed + 1, dist, b.barrier_mean, b.t_mean, b.barrier_linear, b.t_linear,
                     common);
            if (llp_slice_write(&s, file, header, 0, &err) != LLP_OK) return fail_err(&err);
            tab[p][0] = p, tab[p][1] = b.barrier_mean, tab[p][2] = b.t_mean, tab[p][3] = b.barrier_linear;
            tab[p][4] = b.t_linear, tab[p][5] = b.loss_a, tab[p][6] = b.loss_b, tab[p][7] = dist;
            printf("interp    %-5s ||b - a|| %7.3f  loss %.4f -> %.4f  barrier (mean) %.4f at t = %.3f, "
                   "(linear) %.4f at t = %.3f\n",
                   names[p], dist, b.loss_a, b.loss_b, b.barrier_mean, b.t_mean, b.barrier_linear, b.t_linear);
            llp_slice_free(&s);
        }
        snprintf(file, sizeof file, "%s/landscape_barriers.dat", outdir);
        snprintf(header, sizeof header,
                 "landscape_slices: barrier heights of the training loss along two straight paths, seed %lu\n"
                 "path 0: theta_init to theta* (run A); path 1: theta* (run A, seed %lu) to theta*_B (run B, seed "
                 "%lu)\n"
                 "barrier_mean = sup_{0<=t<=1} L(t) - (L(0) + L(1))/2 (at t_mean); barrier_linear = sup_{0<=t<=1} "
                 "L(t) - ((1 - t) L(0) + t L(1)) (at t_linear); loss_a = L(0), loss_b = L(1); distance = "
                 "||theta_b - theta_a||; grid: %d points over t in [-0.25, 1.25]\n%s",
                 seed, seed, seed + 1, N_T, common);
        if (llp_write_table(file, header, cols, &tab[0][0], 2, 8, 0, 0, &err) != LLP_OK) return fail_err(&err);
    }

    /* ---- figure 5: Hessian eigenvector directions next to random ones ---- */
    {
        static const char *const cols[] = {"alpha",       "top_train",     "top_val",       "bottom_train",
                                           "bottom_val",  "random1_train", "random1_val",   "random2_train",
                                           "random2_val", "random3_train", "random3_val"};
        static const char *const ecols[] = {"lambda_max", "lambda_min", "resid_max", "resid_min", "norm"};
        llp_batch_policy bp = llp_batch_policy_full();
        llp_rng rng_h;
        llp_evals ev;
        llp_slice hs[2 + N_SHOWN];
        double tab[N_H][11], etab[5];
        int c;
        llp_rng_seed(&rng_h, seed + 200);
        if ((r = llp_direction_hessian(&f_tr, theta, &bp, 1, 1, 60, dnorm, &rng_h, hdirs, lam, res, &ev)) != LLP_OK)
            return fail("llp_direction_hessian", r);
        for (c = 0; c < 2 + N_SHOWN; c++)
            if ((r = llp_slice_line(&f_tr, &f_va, theta, c < 2 ? hdirs + (size_t)c * n : dirs + (size_t)(c - 2) * n,
                                    -H_ALPHA, H_ALPHA, N_H, &hs[c])) != LLP_OK)
                return fail("llp_slice_line", r);
        for (i = 0; i < N_H; i++) {
            tab[i][0] = hs[0].alpha[i];
            for (c = 0; c < 2 + N_SHOWN; c++)
                tab[i][1 + 2 * c] = hs[c].train_loss[i], tab[i][2 + 2 * c] = hs[c].val_loss[i];
        }
        snprintf(file, sizeof file, "%s/landscape_hessian_dirs.dat", outdir);
        snprintf(header, sizeof header,
                 "landscape_slices: loss along theta* + alpha d, alpha in [-%g, %g] (%d points); seed %lu\n"
                 "directions: top and bottom: the eigenvectors of lambda_max = %.6g and lambda_min = %.6g of the "
                 "training Hessian at theta* (Lanczos, 60 steps, start vector from seed %lu, full training batch), "
                 "scaled to ||d|| = %.6g, the mean norm of the R = %d filter-normalised random directions (no "
                 "filter normalisation: it would stop them being eigenvectors); random1..3: the first %d of those "
                 "random directions (Gaussian, filter-normalised, biases zeroed, drawn from seed %lu)\n%s\n"
                 "columns: training and validation loss (mean softmax cross-entropy) along each direction",
                 H_ALPHA, H_ALPHA, N_H, seed, lam[0], lam[1], seed + 200, dnorm, R_DIRS, N_SHOWN, seed + 100, common);
        if (llp_write_table(file, header, cols, &tab[0][0], N_H, 11, 0, 0, &err) != LLP_OK) return fail_err(&err);
        etab[0] = lam[0], etab[1] = lam[1], etab[2] = res[0], etab[3] = res[1], etab[4] = dnorm;
        snprintf(file, sizeof file, "%s/landscape_hessian_eigs.dat", outdir);
        snprintf(header, sizeof header,
                 "landscape_slices: the extreme eigenvalues of the training Hessian at theta* (Lanczos with full "
                 "reorthogonalisation, 60 steps, start vector from seed %lu), the Ritz residuals of the unit "
                 "eigenvectors and the norm the directions were scaled to (the mean norm of the R = %d "
                 "filter-normalised random directions); seed %lu\n%s",
                 seed + 200, R_DIRS, seed, common);
        if (llp_write_table(file, header, ecols, etab, 1, 5, 0, 0, &err) != LLP_OK) return fail_err(&err);
        printf("hessian   lambda_max %.4f (residual %.2g), lambda_min %.4f (residual %.2g), %lu HVPs; at alpha = "
               "+-%g training loss %.3f / %.3f (top), %.3f / %.3f (bottom)\n",
               lam[0], res[0], lam[1], res[1], (unsigned long)ev.hvp, H_ALPHA, tab[0][1], tab[N_H - 1][1], tab[0][3],
               tab[N_H - 1][3]);
        for (c = 0; c < 2 + N_SHOWN; c++) llp_slice_free(&hs[c]);
    }

    for (k = 0; k < R_DIRS; k++) llp_slice_free(&rs[k]);
    free(theta_init);
    free(theta_b);
    free(dirs);
    free(hdirs);
    llp_mlp_objective_free(&mo_tr);
    llp_mlp_objective_free(&mo_va);
    llp_mlp_free(&mlp);
    llp_data_free(&all);
    llp_data_free(&tr);
    llp_data_free(&va);
    return 0;
}
