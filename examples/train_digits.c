/* train_digits.c — training on the digits data: the learning-rate range
   test, an optimizer comparison from one initialisation, and one monitored
   run with a trajectory.

   Loads data/digits.csv, splits it 70/15/15 (train/validation/test, seeded),
   standardises all three with the training statistics, and builds a
   64-32-32-10 tanh MLP with softmax cross-entropy. Then:

   1. learning-rate range test for SGD and for Adam (mini-batches of 32,
      rates 1e-5 .. 10 over 200 steps) -> train_lr_find_sgd.dat,
      train_lr_find_adam.dat (columns lr loss smooth; the suggested, best
      and largest stable rates in the header);
   2. optimizer comparison: SGD, momentum, Nesterov, RMSprop, Adam, AdamW,
      SAM (on momentum) and ASAM (on momentum), each for 15 epochs from the
      same theta, a monitor row every 10 steps -> train_compare_curves.dat
      (one block per optimizer), train_compare_table.dat (final losses and
      steps until the training loss first fell below 0.1); the wall times
      are printed, not written (they differ between runs);
   3. Adam with early stopping on the validation loss (patience 5 epochs),
      a monitor row per epoch and a trajectory snapshot every 10 steps ->
      train_monitor.dat, train_trajectory.bin (read it with llp_traj_load);
      test accuracy printed.

   plots/train_lr_find.gp, plots/train_compare.gp and plots/train_monitor.gp
   draw them.

   usage: train_digits [--seed N] [--out DIR] [path/to/digits.csv]
   Same seed, same bytes in every output file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"

#ifndef DIGITS_CSV /* meson compiles in the absolute path; by hand, run from the repository root */
#define DIGITS_CSV "data/digits.csv"
#endif

static int fail(const char *what, llp_result r) {
    fprintf(stderr, "train_digits: %s: %s\n", what, llp_result_string(r));
    return 2;
}

static int fail_err(const llp_error *err) {
    fprintf(stderr, "%s:%ld:%ld: %s\n", err->file, err->line, err->column, err->message);
    return 2;
}

int main(int argc, char **argv) {
    const char *path = NULL, *outdir = ".", *root = getenv("LLP_SOURCE_ROOT");
    char buf[4096], file[4096], header[1024];
    unsigned long seed = 42;
    llp_data all, tr, va, te;
    llp_csv_desc csv;
    llp_error err;
    llp_mlp_desc md;
    llp_mlp mlp;
    llp_mlp_objective mo_tr, mo_va, mo_te;
    llp_objective f_tr, f_va;
    llp_rng rng;
    llp_real *theta0, mean[64], sd[64];
    llp_result r;
    int k;
    size_t i;

    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--seed") == 0 && k + 1 < argc) seed = strtoul(argv[++k], NULL, 10);
        else if (strcmp(argv[k], "--out") == 0 && k + 1 < argc) outdir = argv[++k];
        else if (argv[k][0] != '-') path = argv[k];
        else {
            fprintf(stderr, "usage: train_digits [--seed N] [--out DIR] [path/to/digits.csv]\n");
            return 2;
        }
    }
    if (!path && root && *root) {
        snprintf(buf, sizeof buf, "%s/data/digits.csv", root);
        path = buf;
    }
    if (!path) path = DIGITS_CSV;

    memset(&csv, 0, sizeof csv);
    if (llp_data_load_csv(&all, path, &csv, &err) != LLP_OK) return fail_err(&err);
    if (all.d != 64) {
        fprintf(stderr, "train_digits: %s has %lu features, expected the 64 pixels of the digits data\n", path,
                (unsigned long)all.d);
        return 2;
    }
    llp_rng_seed(&rng, seed);
    if ((r = llp_data_split(&all, 0.15, 0.15, &rng, &tr, &va, &te)) != LLP_OK) return fail("llp_data_split", r);
    if ((r = llp_data_standardize(&tr, mean, sd)) != LLP_OK) return fail("llp_data_standardize", r);
    if ((r = llp_data_apply_standardization(&va, mean, sd)) != LLP_OK ||
        (r = llp_data_apply_standardization(&te, mean, sd)) != LLP_OK)
        return fail("llp_data_apply_standardization", r);
    printf("data        %s: %lu train, %lu validation, %lu test samples (seed %lu)\n", path, (unsigned long)tr.n,
           (unsigned long)va.n, (unsigned long)te.n, seed);

    memset(&md, 0, sizeof md);
    md.n_layers = 3;
    md.sizes[0] = 64, md.sizes[1] = 32, md.sizes[2] = 32, md.sizes[3] = 10;
    md.act = LLP_ACT_TANH;
    md.loss = LLP_LOSS_SOFTMAX_CE;
    if ((r = llp_mlp_init(&mlp, &md)) != LLP_OK) return fail("llp_mlp_init", r);
    llp_mlp_randomize(&mlp, mlp.theta, &rng);
    if ((r = llp_mlp_objective_init(&mo_tr, &mlp, &tr, 0)) != LLP_OK ||
        (r = llp_mlp_objective_init(&mo_va, &mlp, &va, 0)) != LLP_OK ||
        (r = llp_mlp_objective_init(&mo_te, &mlp, &te, 0)) != LLP_OK)
        return fail("llp_mlp_objective_init", r);
    f_tr = llp_mlp_objective_get(&mo_tr);
    f_va = llp_mlp_objective_get(&mo_va);
    theta0 = (llp_real *)malloc(mlp.n_params * sizeof *theta0);
    if (!theta0) return fail("allocation", LLP_ERR_NOMEM);
    llp_copy(mlp.theta, theta0, mlp.n_params);
    printf("model       64-32-32-10 tanh, softmax cross-entropy, %lu parameters\n", (unsigned long)mlp.n_params);

    /* 1. learning-rate range tests */
    {
        static const llp_opt_kind kinds[2] = {LLP_OPT_SGD, LLP_OPT_ADAM};
        static const char *const names[2] = {"sgd", "adam"};
        llp_lr_find_desc ld;
        memset(&ld, 0, sizeof ld);
        ld.lr_min = 1e-5, ld.lr_max = 10, ld.steps = 200, ld.batch_size = 32, ld.seed = seed;
        for (k = 0; k < 2; k++) {
            llp_opt_desc od;
            llp_lr_find_result res;
            memset(&od, 0, sizeof od);
            od.kind = kinds[k], od.lr = 1;
            if ((r = llp_lr_find(&f_tr, theta0, &od, &ld, &res)) != LLP_OK) return fail("llp_lr_find", r);
            snprintf(file, sizeof file, "%s/train_lr_find_%s.dat", outdir, names[k]);
            snprintf(header, sizeof header,
                     "train_digits: learning-rate range test, optimizer %s, digits train split (%lu samples), "
                     "mini-batches of 32, seed %lu\nrates %g .. %g exponentially over %lu steps, smoothing 0.9, "
                     "stop at 4x the best smoothed loss",
                     names[k], (unsigned long)tr.n, seed, ld.lr_min, ld.lr_max, (unsigned long)ld.steps);
            if (llp_lr_find_write(&res, file, header, &err) != LLP_OK) return fail_err(&err);
            printf("lr range    %-5s suggested %.3g, best %.3g, largest stable %.3g (%lu steps%s)\n", names[k],
                   res.suggested, res.best, res.max_stable, (unsigned long)res.n,
                   res.stopped_early ? ", stopped when the loss blew up" : "");
            llp_lr_find_free(&res);
        }
    }

    /* 2. optimizer comparison from theta0 */
    {
        enum { K = 8 };
        llp_opt_desc o[K];
        llp_train_desc td;
        llp_compare_result cr;
        unsigned char *mask = (unsigned char *)malloc(mlp.n_params);
        if (!mask) return fail("allocation", LLP_ERR_NOMEM);
        llp_mlp_weight_mask(&mlp, mask);
        memset(o, 0, sizeof o);
        o[0].kind = LLP_OPT_SGD, o[0].lr = 0.1;
        o[1].kind = LLP_OPT_MOMENTUM, o[1].lr = 0.02;
        o[2].kind = LLP_OPT_NESTEROV, o[2].lr = 0.02;
        o[3].kind = LLP_OPT_RMSPROP, o[3].lr = 1e-3;
        o[4].kind = LLP_OPT_ADAM, o[4].lr = 2e-3;
        o[5].kind = LLP_OPT_ADAMW, o[5].lr = 2e-3, o[5].weight_decay = 1e-2, o[5].weight_mask = mask;
        o[6].kind = LLP_OPT_MOMENTUM, o[6].lr = 0.02, o[6].sam = LLP_SAM;
        o[7].kind = LLP_OPT_MOMENTUM, o[7].lr = 0.02, o[7].sam = LLP_SAM_ADAPTIVE, o[7].weight_mask = mask;
        memset(&td, 0, sizeof td);
        td.epochs = 15, td.batch_size = 32, td.seed = seed, td.eval_every = 10, td.record_initial = 1;
        if ((r = llp_compare_optimizers(&f_tr, &f_va, theta0, o, NULL, K, &td, 0.1, &cr)) != LLP_OK)
            return fail("llp_compare_optimizers", r);
        snprintf(header, sizeof header,
                 "train_digits: optimizer comparison, 64-32-32-10 tanh MLP from one initialisation (seed %lu)\n"
                 "15 epochs, mini-batches of 32; rates: sgd 0.1, momentum/nesterov 0.02 (beta 0.9), rmsprop 1e-3, "
                 "adam/adamw 2e-3 (adamw wd 1e-2), sam rho 0.05 and asam rho 0.5 on momentum 0.02\n"
                 "train_loss: mean of the step losses since the previous row; val_loss: validation split",
                 seed);
        snprintf(file, sizeof file, "%s/train_compare_curves.dat", outdir);
        if (llp_compare_write_curves(&cr, file, header, &err) != LLP_OK) return fail_err(&err);
        snprintf(file, sizeof file, "%s/train_compare_table.dat", outdir);
        if (llp_compare_write_table(&cr, file, "steps_to_conv: first row with train_loss <= 0.1 (0: never)", 0,
                                    &err) != LLP_OK)
            return fail_err(&err);
        printf("\n%-14s %11s %11s %14s %8s\n", "optimizer", "train loss", "val loss", "steps to 0.1", "seconds");
        for (i = 0; i < cr.k; i++)
            printf("%-14s %11.4g %11.4g %14lu %8.3f\n", cr.e[i].name, cr.e[i].final_loss, cr.e[i].final_val,
                   (unsigned long)cr.e[i].steps_to_conv, cr.e[i].seconds);
        llp_compare_free(&cr);
        free(mask);
    }

    /* 3. a monitored run with early stopping and a trajectory */
    {
        llp_train_desc td;
        llp_opt_desc od;
        llp_trainer t;
        double acc = 0;
        char traj[4096];
        memset(&td, 0, sizeof td);
        snprintf(traj, sizeof traj, "%s/train_trajectory.bin", outdir);
        td.epochs = 60, td.batch_size = 32, td.seed = seed, td.eval_full_train = 1, td.record_initial = 1;
        td.patience = 5, td.traj_every = 10, td.traj_path = traj;
        memset(&od, 0, sizeof od);
        od.kind = LLP_OPT_ADAM, od.lr = 2e-3;
        llp_copy(theta0, mlp.theta, mlp.n_params);
        if ((r = llp_trainer_init(&t, &td, &f_tr, &f_va, &od, mlp.theta)) != LLP_OK) return fail("llp_trainer_init", r);
        if ((r = llp_trainer_run(&t)) != LLP_OK) return fail("llp_trainer_run", r);
        snprintf(file, sizeof file, "%s/train_monitor.dat", outdir);
        snprintf(header, sizeof header,
                 "train_digits: Adam 2e-3, mini-batches of 32, early stopping on the validation loss (patience 5 "
                 "epochs), seed %lu\nstopped: %s after %lu steps; theta = the best validation iterate",
                 seed, llp_stop_name(t.stop), (unsigned long)t.step);
        if (llp_trainer_write_monitor(&t, file, header, 0, &err) != LLP_OK) return fail_err(&err);
        if ((r = llp_mlp_accuracy(&mlp, mlp.theta, &te, NULL, &acc, &mo_te.work)) != LLP_OK)
            return fail("llp_mlp_accuracy", r);
        printf("\nmonitored   Adam: %s after %lu steps (%lu epochs), %lu trajectory snapshots\n", llp_stop_name(t.stop),
               (unsigned long)t.step, (unsigned long)t.epoch, (unsigned long)t.traj_written);
        printf("            test accuracy %.4f (%lu samples)\n", acc, (unsigned long)te.n);
        llp_trainer_free(&t);
    }

    free(theta0);
    llp_mlp_objective_free(&mo_tr);
    llp_mlp_objective_free(&mo_va);
    llp_mlp_objective_free(&mo_te);
    llp_mlp_free(&mlp);
    llp_data_free(&all);
    llp_data_free(&tr);
    llp_data_free(&va);
    llp_data_free(&te);
    return 0;
}
