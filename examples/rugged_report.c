/* rugged_report.c — the ruggedness report of a trained MLP on the shipped
   digits (classification) and diabetes (regression) data.

   For each data set: an 80/20 split (seeded), features standardised with the
   training statistics (diabetes: the target too, so the loss is in units of
   its variance), a tanh MLP (digits 64-32-10 with softmax cross-entropy,
   diabetes 10-32-1 with MSE) trained by Adam (lr 2e-3, mini-batches of 32;
   30 epochs on digits, 200 on diabetes), then llp_report_run with every
   panel the inputs allow (slices, surfaces, walks, sharpness, Hessian,
   gradients, learning rate, basin width, input-space probes; multi-start
   with 5 restarts of the same training) under the default budget of 20000
   gradient evaluations, on the training objective. Writes, per data set,
   report_<name>.txt (the table, the reading, the invariance caveats) and
   report_<name>.json, and prints the reading.

   usage: rugged_report [--seed N] [--out DIR] [--budget B] [--data-dir DIR]
   Same seed, same bytes in every output file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"
#define EXC_PROG "rugged_report"
#include "ex_common.h"

#ifndef DATA_DIR /* meson compiles in the absolute path; by hand, run from the repository root */
#define DATA_DIR "data"
#endif

static int run(const char *dir, const char *name, int hidden, int epochs, unsigned long seed, double budget,
               const char *outdir) {
    char path[4096], file[4096], reading[4096];
    llp_data all, tr, te;
    llp_error err;
    llp_mlp_desc md;
    llp_mlp mlp;
    llp_mlp_objective mo_tr, mo_te;
    llp_objective f_tr, f_te;
    llp_rng rng;
    llp_real mean[64], sd[64];
    llp_train_desc td;
    llp_opt_desc od;
    llp_trainer t;
    llp_report_desc rd;
    llp_report rep;
    llp_real *theta0;
    llp_result r;
    const char *what;
    int classify;

    snprintf(path, sizeof path, "%s/%s.csv", dir, name);
    if (exc_load_csv(&all, path, NULL)) return 2;
    if (all.d > 64) {
        fprintf(stderr, "rugged_report: %s has %lu features, more than expected\n", path, (unsigned long)all.d);
        return 2;
    }
    classify = all.task == LLP_TASK_CLASSIFICATION;
    llp_rng_seed(&rng, seed);
    if ((r = exc_split_standardize(&all, 0, 0.2, &rng, &tr, &te, mean, sd, &what)) != LLP_OK) return fail(what, r);
    if (!classify) exc_standardise_targets(&tr, &te);
    exc_mlp_desc(&md, (int)all.d, hidden, classify ? (int)all.n_classes : 1, LLP_ACT_TANH,
                 classify ? LLP_LOSS_SOFTMAX_CE : LLP_LOSS_MSE);
    if ((r = exc_mlp_setup(&md, &mlp, &tr, &te, &mo_tr, &mo_te, &f_tr, &f_te, &what)) != LLP_OK) return fail(what, r);
    llp_mlp_randomize(&mlp, mlp.theta, &rng);
    theta0 = (llp_real *)malloc(mlp.n_params * sizeof(llp_real));
    if (!theta0) return fail("malloc", LLP_ERR_NOMEM);
    memcpy(theta0, mlp.theta, mlp.n_params * sizeof(llp_real));

    memset(&td, 0, sizeof td);
    td.epochs = (size_t)epochs, td.batch_size = 32, td.seed = seed;
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_ADAM, od.lr = 2e-3;
    if ((r = llp_trainer_init(&t, &td, &f_tr, &f_te, &od, mlp.theta)) != LLP_OK) return fail("llp_trainer_init", r);
    if ((r = llp_trainer_run(&t)) != LLP_OK) return fail("llp_trainer_run", r);
    printf("== %s: %lu training / %lu validation samples, %d-%d-%d tanh MLP (%lu parameters), Adam 2e-3, %d epochs: "
           "validation loss %.4f\n",
           name, (unsigned long)tr.n, (unsigned long)te.n, md.sizes[0], hidden, md.sizes[2],
           (unsigned long)mlp.n_params, epochs, t.rows[t.n_rows - 1].val_loss);
    llp_trainer_free(&t);

    memset(&rd, 0, sizeof rd);
    rd.budget = budget, rd.lr = od.lr, rd.lr_kind = od.kind, rd.batch_size = td.batch_size, rd.seed = seed + 1;
    rd.mlp = &mlp, rd.data = &tr;
    td.epochs = (size_t)(epochs / 3 > 1 ? epochs / 3 : 1); /* restarts: a third of the budget each */
    rd.train = &td, rd.opt = &od, rd.init = llp_multistart_mlp_init, rd.init_ctx = &mlp, rd.restarts = 5;
    rd.panel = LLP_PANEL_ALL;
    r = llp_report_run(&f_tr, &f_te, mlp.theta, &rd, &rep);
    if (r != LLP_OK) return fail("llp_report_run", r);
    snprintf(file, sizeof file, "%s/report_%s.txt", outdir, name);
    if (llp_report_write_text(&rep, file, &err) != LLP_OK) return fail_err(&err);
    snprintf(file, sizeof file, "%s/report_%s.json", outdir, name);
    if (llp_report_write_json(&rep, file, &err) != LLP_OK) return fail_err(&err);
    llp_report_reading(&rep, reading, sizeof reading);
    printf("spent %.0f of %.0f gradient evaluations\n%s\n\n", rep.cost, rep.budget, reading);
    llp_report_free(&rep);
    free(theta0);
    llp_mlp_objective_free(&mo_tr);
    llp_mlp_objective_free(&mo_te);
    llp_mlp_free(&mlp);
    llp_data_free(&all);
    llp_data_free(&tr);
    llp_data_free(&te);
    return 0;
}

int main(int argc, char **argv) {
    const char *outdir = ".", *dir = NULL;
    char buf[4096];
    unsigned long seed = 42;
    double budget = 20000;
    int k, rc;
    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--seed") == 0 && k + 1 < argc) seed = strtoul(argv[++k], NULL, 10);
        else if (strcmp(argv[k], "--out") == 0 && k + 1 < argc) outdir = argv[++k];
        else if (strcmp(argv[k], "--budget") == 0 && k + 1 < argc) budget = strtod(argv[++k], NULL);
        else if (strcmp(argv[k], "--data-dir") == 0 && k + 1 < argc) dir = argv[++k];
        else {
            fprintf(stderr, "usage: rugged_report [--seed N] [--out DIR] [--budget B] [--data-dir DIR]\n");
            return 2;
        }
    }
    dir = exc_locate(dir, "data", DATA_DIR, buf, sizeof buf);
    rc = run(dir, "digits", 32, 30, seed, budget, outdir);
    if (rc == 0) rc = run(dir, "diabetes", 32, 200, seed, budget, outdir);
    return rc;
}
