/* The training loop (llp_trainer_*): real data, checkpoints, stopping rules,
   trajectories.

   - Real data: an MLP on the shipped digits data (80/20 split, standardised
     with the training statistics, Adam, mini-batches of 32) reaches >= 95%
     test accuracy; two spirals (full-batch Adam) reach >= 99% training
     accuracy. Fixed seeds, so each is one
     deterministic run; the margins are checked in the output (the runs reach
     about 97% and 100%).
   - Resume: a run stopped by a callback at step k, checkpointed, loaded into
     a fresh trainer and finished, gives the same theta, monitor file and
     trajectory bytes as the uninterrupted run (for SGD+momentum, Adam with
     SAM and gradient noise, mini-batches over an uneven last batch, and a
     streamed trajectory); so does calling llp_trainer_run again after a
     callback stop.
   - Divergence: gradient descent above the 2/lambda threshold on a quadratic
     stops with LLP_ERR_DIVERGED, theta is finite and equals an iterate whose
     loss passed (it is checked against the trainer's record of it); a NaN in
     the loss is caught the same way.
   - Early stopping restores the best validation iterate; the plateau rule
     fires on a converged quadratic and not during the descent; the in-memory
     trajectory thins itself to its bound and stays evenly spaced.
   - Checkpoint files: truncated, corrupted, other settings -> named errors,
     the trainer untouched. */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"
#include <stdlib.h>

static const char *src_root(void) {
    const char *r = getenv("LLP_SOURCE_ROOT");
    return r && *r ? r : "..";
}

static int files_equal(const char *a, const char *b) {
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int ok = fa && fb, ca, cb;
    while (ok) {
        ca = fgetc(fa), cb = fgetc(fb);
        if (ca != cb) ok = 0;
        if (ca == EOF || cb == EOF) break;
    }
    if (fa) fclose(fa);
    if (fb) fclose(fb);
    return ok;
}

/* ---- real data ---------------------------------------------------------- */

static void test_digits_accuracy(void) {
    char path[4096];
    llp_data all, tr, te;
    llp_csv_desc csv;
    llp_error err;
    llp_rng rng;
    llp_mlp m;
    llp_mlp_desc md;
    llp_mlp_objective mo_tr, mo_te;
    llp_objective f_tr, f_te;
    llp_train_desc td;
    llp_opt_desc od;
    llp_trainer t;
    llp_real mean[64], sd[64];
    double acc = 0;
    memset(&csv, 0, sizeof csv);
    snprintf(path, sizeof path, "%s/data/digits.csv", src_root());
    CHECK_OK(llp_data_load_csv(&all, path, &csv, &err));
    llp_rng_seed(&rng, 2024);
    CHECK_OK(llp_data_split(&all, 0, 0.2, &rng, &tr, NULL, &te));
    CHECK_OK(llp_data_standardize(&tr, mean, sd));
    CHECK_OK(llp_data_apply_standardization(&te, mean, sd));
    memset(&md, 0, sizeof md);
    md.n_layers = 2, md.sizes[0] = 64, md.sizes[1] = 64, md.sizes[2] = 10;
    md.act = LLP_ACT_TANH, md.loss = LLP_LOSS_SOFTMAX_CE;
    CHECK_OK(llp_mlp_init(&m, &md));
    llp_mlp_randomize(&m, m.theta, &rng);
    CHECK_OK(llp_mlp_objective_init(&mo_tr, &m, &tr, 0));
    CHECK_OK(llp_mlp_objective_init(&mo_te, &m, &te, 0));
    f_tr = llp_mlp_objective_get(&mo_tr);
    f_te = llp_mlp_objective_get(&mo_te);
    memset(&td, 0, sizeof td);
    td.epochs = 20, td.batch_size = 32, td.seed = 1;
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_ADAM, od.lr = 2e-3;
    CHECK_OK(llp_trainer_init(&t, &td, &f_tr, &f_te, &od, m.theta));
    CHECK_OK(llp_trainer_run(&t));
    CHECK(t.stop == LLP_STOP_DONE, "ran all epochs (%s)", llp_stop_name(t.stop));
    CHECK(t.n_rows == 20, "one monitor row per epoch (%lu)", (unsigned long)t.n_rows);
    CHECK_OK(llp_mlp_accuracy(&m, m.theta, &te, NULL, &acc, &mo_te.work));
    printf("  digits: test accuracy %.4f after %lu steps, train loss %.4f, test loss %.4f\n", acc,
           (unsigned long)t.step, t.rows[t.n_rows - 1].train_loss, t.rows[t.n_rows - 1].val_loss);
    CHECK(acc >= 0.95, "digits test accuracy %.4f >= 0.95", acc);
    CHECK(t.rows[t.n_rows - 1].val_acc == acc, "monitor's validation accuracy is the test accuracy");
    CHECK(t.rows[t.n_rows - 1].train_loss < t.rows[0].train_loss, "training loss went down");
    llp_trainer_free(&t);
    llp_mlp_objective_free(&mo_tr);
    llp_mlp_objective_free(&mo_te);
    llp_mlp_free(&m);
    llp_data_free(&all);
    llp_data_free(&tr);
    llp_data_free(&te);
}

static void test_spirals_accuracy(void) {
    llp_data d;
    llp_rng rng;
    llp_mlp m;
    llp_mlp_desc md;
    llp_mlp_objective mo;
    llp_objective f;
    llp_train_desc td;
    llp_opt_desc od;
    llp_trainer t;
    double acc = 0;
    llp_rng_seed(&rng, 7);
    CHECK_OK(llp_data_spirals(&d, 400, 1.5, 0.05, &rng));
    memset(&md, 0, sizeof md);
    md.n_layers = 3, md.sizes[0] = 2, md.sizes[1] = 32, md.sizes[2] = 32, md.sizes[3] = 2;
    md.act = LLP_ACT_TANH, md.loss = LLP_LOSS_SOFTMAX_CE;
    CHECK_OK(llp_mlp_init(&m, &md));
    llp_mlp_randomize(&m, m.theta, &rng);
    CHECK_OK(llp_mlp_objective_init(&mo, &m, &d, 0));
    f = llp_mlp_objective_get(&mo);
    memset(&td, 0, sizeof td);
    /* full-batch steps: on spirals the per-sample gradients nearly cancel
       (the batch gradient is small against their spread), so mini-batches
       of 40 make slow progress, while full-batch Adam separates the arms */
    td.epochs = 2000, td.batch_size = 0, td.eval_full_train = 1, td.eval_every = 500;
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_ADAM, od.lr = 1e-2;
    CHECK_OK(llp_trainer_init(&t, &td, &f, NULL, &od, m.theta));
    CHECK_OK(llp_trainer_run(&t));
    CHECK_OK(llp_mlp_accuracy(&m, m.theta, &d, NULL, &acc, &mo.work));
    printf("  spirals: train accuracy %.4f after %lu steps, loss %.5f\n", acc, (unsigned long)t.step,
           t.rows[t.n_rows - 1].train_loss);
    CHECK(acc >= 0.99, "spirals train accuracy %.4f >= 0.99", acc);
    CHECK(t.rows[t.n_rows - 1].train_acc == acc, "monitor's train accuracy matches llp_mlp_accuracy");
    llp_trainer_free(&t);
    llp_mlp_objective_free(&mo);
    llp_mlp_free(&m);
    llp_data_free(&d);
}

/* ---- resume ------------------------------------------------------------- */

typedef struct stop_at {
    uint64_t step;
} stop_at;

static int stop_cb(void *ctx, const llp_trainer *tr, const llp_opt_info *info) {
    (void)info;
    return tr->step == ((stop_at *)ctx)->step;
}

/* Train a small MLP on blobs: uninterrupted, then stopped at k + checkpoint +
   fresh trainer + load + finish; compare theta, monitor and trajectory. */
static void resume_case(llp_opt_kind kind, llp_sam_kind sam, double noise, size_t bs, int stream, uint64_t k) {
    llp_data d, v;
    llp_rng rng;
    llp_mlp m;
    llp_mlp_desc md;
    llp_mlp_objective mo, mv;
    llp_objective f, fv;
    llp_train_desc td;
    llp_opt_desc od;
    llp_trainer t;
    llp_real *theta0, *theta_a;
    stop_at sa;
    size_t n;
    char mon_a[64], mon_b[64], tj_a[64], tj_b[64], ck[64];
    int pass;
    llp_rng_seed(&rng, 11);
    CHECK_OK(llp_data_blobs(&d, 90, 3, 3, 1.2, &rng));
    CHECK_OK(llp_data_blobs(&v, 30, 3, 3, 1.2, &rng));
    memset(&md, 0, sizeof md);
    md.n_layers = 2, md.sizes[0] = 3, md.sizes[1] = 8, md.sizes[2] = 3;
    md.act = LLP_ACT_TANH, md.loss = LLP_LOSS_SOFTMAX_CE;
    CHECK_OK(llp_mlp_init(&m, &md));
    llp_mlp_randomize(&m, m.theta, &rng);
    n = m.n_params;
    theta0 = (llp_real *)malloc(2 * n * sizeof(llp_real));
    theta_a = theta0 + n;
    llp_copy(m.theta, theta0, n);
    CHECK_OK(llp_mlp_objective_init(&mo, &m, &d, 0));
    CHECK_OK(llp_mlp_objective_init(&mv, &m, &v, 0));
    f = llp_mlp_objective_get(&mo);
    fv = llp_mlp_objective_get(&mv);
    memset(&od, 0, sizeof od);
    od.kind = kind, od.lr = kind == LLP_OPT_ADAM ? 1e-2 : 5e-2, od.sam = sam, od.grad_noise = noise;
    od.noise_seed = 99;
    od.schedule.kind = LLP_SCHED_STEP, od.schedule.step_size = 25, od.schedule.warmup = 5;
    snprintf(mon_a, sizeof mon_a, "resume_mon_a.dat");
    snprintf(mon_b, sizeof mon_b, "resume_mon_b.dat");
    snprintf(tj_a, sizeof tj_a, "resume_traj_a.bin");
    snprintf(tj_b, sizeof tj_b, "resume_traj_b.bin");
    snprintf(ck, sizeof ck, "resume.ckpt");
    for (pass = 0; pass < 2; pass++) {
        llp_copy(theta0, m.theta, n);
        memset(&td, 0, sizeof td);
        td.epochs = 6, td.batch_size = bs, td.seed = 5, td.eval_every = 7, td.record_initial = 1;
        td.traj_every = 3, td.traj_max = 8, td.patience = 100;
        td.traj_path = stream ? (pass ? tj_b : tj_a) : NULL;
        if (pass) {
            sa.step = k;
            td.on_step = stop_cb, td.ctx = &sa;
        }
        CHECK_OK(llp_trainer_init(&t, &td, &f, &fv, &od, m.theta));
        CHECK_OK(llp_trainer_run(&t));
        if (pass) {
            llp_trainer t2;
            llp_error err;
            CHECK(t.stop == LLP_STOP_CALLBACK && t.step == k, "stopped by the callback at step %lu",
                  (unsigned long)t.step);
            CHECK_OK(llp_trainer_save(&t, ck, &err));
            /* the interrupted trainer runs on a little (as a crashed run would
               have written more trajectory) before being thrown away */
            sa.step = k + 4;
            CHECK_OK(llp_trainer_run(&t));
            llp_trainer_free(&t);
            /* a fresh trainer from scratch settings, theta garbage */
            llp_fill(7, m.theta, n);
            td.on_step = NULL;
            CHECK_OK(llp_trainer_init(&t2, &td, &f, &fv, &od, m.theta));
            CHECK(llp_trainer_load(&t2, ck, &err) == LLP_OK, "load: %s", err.message);
            CHECK(t2.step == k, "loaded at step %lu", (unsigned long)t2.step);
            CHECK_OK(llp_trainer_run(&t2));
            t = t2;
        } else {
            llp_copy(m.theta, theta_a, n);
        }
        CHECK(t.stop == LLP_STOP_DONE, "ran to the end (%s)", llp_stop_name(t.stop));
        CHECK_OK(llp_trainer_write_monitor(&t, pass ? mon_b : mon_a, "resume test", 0, NULL));
        if (!stream && pass) {
            /* compare the in-memory trajectory with a rerun's */
            llp_trainer r;
            llp_copy(theta0, m.theta, n);
            td.traj_path = NULL;
            CHECK_OK(llp_trainer_init(&r, &td, &f, &fv, &od, m.theta));
            CHECK_OK(llp_trainer_run(&r));
            CHECK(r.traj.count == t.traj.count && r.traj.every == t.traj.every &&
                      memcmp(r.traj.steps, t.traj.steps, r.traj.count * sizeof(uint64_t)) == 0 &&
                      memcmp(r.traj.theta, t.traj.theta, r.traj.count * n * sizeof(llp_real)) == 0,
                  "resumed in-memory trajectory = uninterrupted (%lu snapshots, every %lu)",
                  (unsigned long)t.traj.count, (unsigned long)t.traj.every);
            llp_trainer_free(&r);
        }
        llp_trainer_free(&t);
    }
    CHECK(memcmp(theta_a, m.theta, n * sizeof(llp_real)) == 0,
          "%s sam %d noise %g bs %lu: resumed theta = uninterrupted theta, bit for bit", llp_opt_name(kind), (int)sam,
          noise, (unsigned long)bs);
    CHECK(files_equal(mon_a, mon_b), "resumed monitor file = uninterrupted, byte for byte");
    if (stream) CHECK(files_equal(tj_a, tj_b), "streamed trajectory file = uninterrupted, byte for byte");
    remove(mon_a), remove(mon_b), remove(tj_a), remove(tj_b), remove(ck);
    free(theta0);
    llp_mlp_objective_free(&mo);
    llp_mlp_objective_free(&mv);
    llp_mlp_free(&m);
    llp_data_free(&d);
    llp_data_free(&v);
}

static void test_resume_identical(void) {
    resume_case(LLP_OPT_MOMENTUM, LLP_SAM_NONE, 0, 16, 0, 23);
    resume_case(LLP_OPT_ADAM, LLP_SAM, 0.01, 16, 1, 30);
    resume_case(LLP_OPT_NESTEROV, LLP_SAM_ADAPTIVE, 0, 0, 1, 3);
    resume_case(LLP_OPT_RMSPROP, LLP_SAM_NONE, 0.05, 7, 0, 41);
}

/* ---- divergence, plateau, early stopping, trajectory bound ------------- */

static void test_divergence(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f;
    llp_train_desc td;
    llp_opt_desc od;
    llp_trainer t;
    llp_real x[2] = {1, 1}, l;
    llp_result r;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = 2, ld.cond = 10; /* lambda 1 and 10 */
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    f = llp_landscape_objective(&ls);
    memset(&td, 0, sizeof td);
    td.epochs = 100000, td.diverge_factor = 1e3;
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_SGD, od.lr = 0.21; /* 2/lambda_max = 0.2: |1 - 2.1| = 1.1 per step */
    CHECK_OK(llp_trainer_init(&t, &td, &f, NULL, &od, x));
    r = llp_trainer_run(&t);
    CHECK(r == LLP_ERR_DIVERGED && t.stop == LLP_STOP_DIVERGED, "diverging GD returns LLP_ERR_DIVERGED (%d)", (int)r);
    CHECK(llp_all_finite(x, 2), "theta finite after divergence");
    CHECK_OK(llp_landscape_eval(&ls, x, &l, NULL));
    CHECK(l - t.first_loss <= 1e3 * (fabs(t.first_loss) > 1 ? fabs(t.first_loss) : 1),
          "restored theta's loss %.3g is within the divergence limit", (double)l);
    CHECK(memcmp(x, t.good, sizeof x) == 0, "restored theta is the last iterate that passed");
    CHECK(t.step > 10 && t.step < 200, "it took %lu steps", (unsigned long)t.step);
    CHECK(llp_trainer_run(&t) == LLP_ERR_DIVERGED, "running a diverged trainer again reports it again");
    llp_trainer_free(&t);
    /* below the threshold the same run converges */
    x[0] = x[1] = 1;
    od.lr = 0.19;
    td.epochs = 3000;
    CHECK_OK(llp_trainer_init(&t, &td, &f, NULL, &od, x));
    CHECK_OK(llp_trainer_run(&t));
    CHECK(fabs(x[0]) < 1e-8 && fabs(x[1]) < 1e-8, "GD at lr 0.19 converges (%.2g, %.2g)", (double)x[0], (double)x[1]);
    llp_trainer_free(&t);
    llp_landscape_free(&ls);
}

typedef struct nan_ctx {
    int calls, nan_after;
} nan_ctx;

static llp_result nan_loss_grad(void *ctx, const llp_real *th, const llp_batch *b, llp_real *loss, llp_real *g) {
    nan_ctx *c = (nan_ctx *)ctx;
    (void)b;
    c->calls++;
    *loss = (llp_real)(c->calls > c->nan_after ? NAN : 0.5 * (th[0] * th[0] + th[1] * th[1]));
    if (g) g[0] = th[0], g[1] = th[1];
    return LLP_OK;
}

static void test_nan_loss(void) {
    nan_ctx c = {0, 5};
    llp_objective f = llp_objective_from_callbacks(2, 0, nan_loss_grad, NULL, &c);
    llp_train_desc td;
    llp_opt_desc od;
    llp_trainer t;
    llp_real x[2] = {1, -2};
    memset(&td, 0, sizeof td);
    td.epochs = 100;
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_MOMENTUM, od.lr = 0.1;
    CHECK_OK(llp_trainer_init(&t, &td, &f, NULL, &od, x));
    CHECK(llp_trainer_run(&t) == LLP_ERR_DIVERGED, "NaN loss -> LLP_ERR_DIVERGED");
    CHECK(t.step == 5, "five good steps before the NaN (%lu)", (unsigned long)t.step);
    CHECK(llp_all_finite(x, 2) && memcmp(x, t.good, sizeof x) == 0, "theta set back to the last good iterate");
    /* the last good iterate is the start of step 5: x after 4 momentum steps */
    {
        double p0 = 1, p1 = -2, u0 = 0, u1 = 0;
        int s;
        for (s = 0; s < 4; s++) u0 = 0.9 * u0 + p0, u1 = 0.9 * u1 + p1, p0 -= 0.1 * u0, p1 -= 0.1 * u1;
        CHECK_CLOSE(x[0], p0, TOL(1e-12, 1e-6), "restored x"); /* float: 4 steps of float rounding */
        CHECK_CLOSE(x[1], p1, TOL(1e-12, 1e-6), "restored y");
    }
    llp_trainer_free(&t);
}

static void test_early_stopping_and_plateau(void) {
    llp_data d, v;
    llp_rng rng;
    llp_mlp m;
    llp_mlp_desc md;
    llp_mlp_objective mo, mv;
    llp_objective f, fv;
    llp_train_desc td;
    llp_opt_desc od;
    llp_trainer t;
    size_t i, best = 0;
    llp_real lv;
    /* tiny noisy training set, big model: validation loss turns up */
    llp_rng_seed(&rng, 21);
    CHECK_OK(llp_data_blobs(&d, 24, 4, 3, 3.0, &rng));
    CHECK_OK(llp_data_blobs(&v, 200, 4, 3, 3.0, &rng));
    memset(&md, 0, sizeof md);
    md.n_layers = 2, md.sizes[0] = 4, md.sizes[1] = 64, md.sizes[2] = 3;
    md.act = LLP_ACT_TANH, md.loss = LLP_LOSS_SOFTMAX_CE;
    CHECK_OK(llp_mlp_init(&m, &md));
    llp_mlp_randomize(&m, m.theta, &rng);
    CHECK_OK(llp_mlp_objective_init(&mo, &m, &d, 0));
    CHECK_OK(llp_mlp_objective_init(&mv, &m, &v, 0));
    f = llp_mlp_objective_get(&mo);
    fv = llp_mlp_objective_get(&mv);
    memset(&td, 0, sizeof td);
    td.epochs = 3000, td.eval_every = 10, td.patience = 20;
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_ADAM, od.lr = 1e-2;
    CHECK_OK(llp_trainer_init(&t, &td, &f, &fv, &od, m.theta));
    CHECK_OK(llp_trainer_run(&t));
    CHECK(t.stop == LLP_STOP_EARLY, "validation loss stalls: early stop (%s after %lu steps)", llp_stop_name(t.stop),
          (unsigned long)t.step);
    for (i = 1; i < t.n_rows; i++)
        if (t.rows[i].val_loss < t.rows[best].val_loss) best = i;
    CHECK(t.n_rows - 1 - best == 20, "stopped 20 rows after the best (%lu)", (unsigned long)(t.n_rows - 1 - best));
    CHECK_OK(llp_objective_loss(&fv, m.theta, NULL, &lv));
    CHECK(lv == t.rows[best].val_loss, "theta is the best validation iterate (%.6g vs %.6g)", (double)lv,
          t.rows[best].val_loss);
    llp_trainer_free(&t);
    llp_mlp_objective_free(&mo);
    llp_mlp_objective_free(&mv);
    llp_mlp_free(&m);
    llp_data_free(&d);
    llp_data_free(&v);
    {
        llp_landscape ls;
        llp_landscape_desc ld;
        llp_real x[2] = {2, -1};
        memset(&ld, 0, sizeof ld);
        ld.kind = LLP_LANDSCAPE_SKEWED_BOWL;
        CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
        f = llp_landscape_objective(&ls);
        memset(&td, 0, sizeof td);
        td.epochs = 100000, td.eval_every = 10, td.plateau_window = 5, td.plateau_tol = 1e-6, td.stop_on_plateau = 1;
        memset(&od, 0, sizeof od);
        od.kind = LLP_OPT_SGD, od.lr = 0.05;
        CHECK_OK(llp_trainer_init(&t, &td, &f, NULL, &od, x));
        CHECK_OK(llp_trainer_run(&t));
        CHECK(t.stop == LLP_STOP_PLATEAU && t.plateau, "plateau detected on the bowl (%s)", llp_stop_name(t.stop));
        CHECK(t.rows[t.n_rows - 1].train_loss < 1e-6, "at the minimum when it fired (%.3g)",
              t.rows[t.n_rows - 1].train_loss);
        CHECK(t.n_rows > 10, "not during the descent (%lu rows)", (unsigned long)t.n_rows);
        llp_trainer_free(&t);
        llp_landscape_free(&ls);
    }
}

static void test_trajectory_bound(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f;
    llp_train_desc td;
    llp_opt_desc od;
    llp_trainer t;
    llp_traj tj;
    llp_real x[2] = {2, -1};
    size_t i;
    int even = 1;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_SKEWED_BOWL;
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    f = llp_landscape_objective(&ls);
    memset(&td, 0, sizeof td);
    td.epochs = 1000, td.traj_every = 1, td.traj_max = 10;
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_SGD, od.lr = 0.01;
    CHECK_OK(llp_trainer_init(&t, &td, &f, NULL, &od, x));
    CHECK_OK(llp_trainer_run(&t));
    CHECK(t.traj.count <= 10 && t.traj.count >= 5, "bounded trajectory holds %lu <= 10", (unsigned long)t.traj.count);
    CHECK(t.traj.steps[0] == 0, "first snapshot is the start");
    for (i = 1; i < t.traj.count; i++) even &= t.traj.steps[i] - t.traj.steps[i - 1] == t.traj.every;
    CHECK(even && t.traj.every == 128, "snapshots evenly spaced every %lu steps", (unsigned long)t.traj.every);
    CHECK(t.traj.steps[t.traj.count - 1] + t.traj.every > 1000, "and cover the run to its end");
    llp_trainer_free(&t);
    /* streamed: every snapshot, read back */
    x[0] = 2, x[1] = -1;
    td.traj_path = "traj_stream.bin", td.traj_every = 100;
    CHECK_OK(llp_trainer_init(&t, &td, &f, NULL, &od, x));
    CHECK_OK(llp_trainer_run(&t));
    CHECK_OK(llp_traj_load(&tj, "traj_stream.bin", NULL));
    CHECK(tj.count == 11 && tj.n == 2 && tj.every == 100 && tj.steps[10] == 1000, "streamed trajectory read back");
    CHECK(tj.theta[20] == x[0] && tj.theta[21] == x[1], "last snapshot is the final theta");
    llp_traj_free(&tj);
    llp_trainer_free(&t);
    remove("traj_stream.bin");
    llp_landscape_free(&ls);
}

/* ---- damaged checkpoints ------------------------------------------------ */

static void test_bad_checkpoints(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f;
    llp_train_desc td;
    llp_opt_desc od;
    llp_trainer t, keep;
    llp_real x[2] = {2, -1}, xk[2];
    llp_error err;
    unsigned char *buf;
    long len;
    FILE *fp;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_SKEWED_BOWL;
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    f = llp_landscape_objective(&ls);
    memset(&td, 0, sizeof td);
    td.epochs = 50, td.eval_every = 5;
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_ADAM, od.lr = 0.05;
    CHECK_OK(llp_trainer_init(&t, &td, &f, NULL, &od, x));
    CHECK_OK(llp_trainer_run(&t));
    CHECK_OK(llp_trainer_save(&t, "good.ckpt", &err));
    fp = fopen("good.ckpt", "rb");
    fseek(fp, 0, SEEK_END);
    len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    buf = (unsigned char *)malloc((size_t)len);
    CHECK(fread(buf, 1, (size_t)len, fp) == (size_t)len, "read the checkpoint");
    fclose(fp);
    llp_copy(x, xk, 2);
    keep = t;
    /* truncated */
    fp = fopen("bad.ckpt", "wb");
    fwrite(buf, 1, (size_t)len / 2, fp);
    fclose(fp);
    CHECK(llp_trainer_load(&t, "bad.ckpt", &err) == LLP_ERR_CHECKSUM, "truncated checkpoint -> checksum error");
    CHECK(strstr(err.message, "truncated or corrupt") != NULL, "message names the problem: %s", err.message);
    fp = fopen("bad.ckpt", "wb");
    fwrite(buf, 1, 12, fp);
    fclose(fp);
    CHECK(llp_trainer_load(&t, "bad.ckpt", &err) == LLP_ERR_TRUNCATED, "12-byte checkpoint -> truncated");
    /* one flipped byte */
    buf[len / 2] ^= 0x10;
    fp = fopen("bad.ckpt", "wb");
    fwrite(buf, 1, (size_t)len, fp);
    fclose(fp);
    CHECK(llp_trainer_load(&t, "bad.ckpt", &err) == LLP_ERR_CHECKSUM, "corrupted checkpoint -> checksum error");
    buf[len / 2] ^= 0x10;
    buf[0] = 'X';
    fp = fopen("bad.ckpt", "wb");
    fwrite(buf, 1, (size_t)len, fp);
    fclose(fp);
    CHECK(llp_trainer_load(&t, "bad.ckpt", &err) == LLP_ERR_FORMAT, "wrong magic -> format error");
    CHECK(llp_trainer_load(&t, "no/such/file.ckpt", &err) == LLP_ERR_IO, "missing file -> IO error");
    CHECK(memcmp(x, xk, sizeof x) == 0 && t.step == keep.step && t.n_rows == keep.n_rows && t.rows == keep.rows,
          "trainer and theta untouched by failed loads");
    llp_trainer_free(&t);
    /* other settings */
    od.kind = LLP_OPT_SGD;
    CHECK_OK(llp_trainer_init(&t, &td, &f, NULL, &od, x));
    CHECK(llp_trainer_load(&t, "good.ckpt", &err) == LLP_ERR_FORMAT, "checkpoint of another optimizer -> format error");
    llp_trainer_free(&t);
    free(buf);
    remove("good.ckpt"), remove("bad.ckpt");
    llp_landscape_free(&ls);
}

/* ---- learning-rate range test and optimizer comparison ----------------- */

/* Full-batch gradient descent on a quadratic with lambda_max = 10 is stable
   iff lr < 2/lambda_max = 0.2: below that rate every step contracts every
   eigen-component, so the recorded step losses never increase; past it the
   loss grows and the sweep stops early. (max_stable comes later than 0.2:
   from a loss near 0, growth at |1 - lr lambda| per step takes a while to
   pass the starting loss.) Also suggested <= best <= max_stable, theta0 is
   not touched, and the same call gives the same bytes. */
static void test_lr_find(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f;
    llp_opt_desc od;
    llp_lr_find_desc d;
    llp_lr_find_result r1, r2;
    llp_real x[4] = {1, -1, 0.5, 2};
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = 4, ld.cond = 10;
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    f = llp_landscape_objective(&ls);
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_SGD, od.lr = 1;
    memset(&d, 0, sizeof d);
    d.lr_min = 1e-4, d.lr_max = 10, d.steps = 300;
    CHECK_OK(llp_lr_find(&f, x, &od, &d, &r1));
    printf("  lr_find on a quadratic, lambda_max 10: suggested %.4g best %.4g max_stable %.4g (%lu steps%s)\n",
           r1.suggested, r1.best, r1.max_stable, (unsigned long)r1.n, r1.stopped_early ? ", stopped early" : "");
    {
        size_t i, rises_below = 0, rises_above = 0;
        for (i = 1; i < r1.n; i++)
            if (r1.loss[i] > r1.loss[i - 1]) {
                if (r1.lr[i - 1] < 0.2) rises_below++;
                else rises_above++;
            }
        CHECK(rises_below == 0, "no loss increase at rates below 2/lambda_max (%lu)", (unsigned long)rises_below);
        CHECK(rises_above > 10, "the loss rises at rates above it (%lu steps)", (unsigned long)rises_above);
    }
    CHECK(r1.max_stable >= 0.2, "max_stable %.4g >= 2/lambda_max", r1.max_stable);
    CHECK(r1.suggested <= r1.best && r1.best <= r1.max_stable, "suggested <= best <= max_stable");
    CHECK(r1.stopped_early && r1.n < 300, "the sweep stopped when the loss blew up (%lu steps)", (unsigned long)r1.n);
    CHECK(x[0] == 1 && x[1] == -1 && x[2] == (llp_real)0.5 && x[3] == 2, "theta0 untouched");
    CHECK_OK(llp_lr_find(&f, x, &od, &d, &r2));
    CHECK(r1.n == r2.n && memcmp(r1.lr, r2.lr, 3 * r1.n * sizeof(double)) == 0, "repeatable bit for bit");
    CHECK_OK(llp_lr_find_write(&r1, "lr_find.dat", "quadratic", NULL));
    llp_lr_find_free(&r1);
    llp_lr_find_free(&r2);
    d.lr_max = d.lr_min;
    CHECK(llp_lr_find(&f, x, &od, &d, &r1) == LLP_ERR_ARG, "lr_max <= lr_min -> ARG");
    remove("lr_find.dat");
    llp_landscape_free(&ls);
}

/* On the skewed bowl (eigenvalues 0.4 and 20.6) from (2, -1): momentum
   reaches the tolerance in fewer steps than plain gradient descent at the
   same rate, an over-large rate diverges and is reported (not an error), and
   the files are the same bytes on a second run. */
static void test_compare(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f;
    llp_opt_desc o[4];
    llp_train_desc td;
    llp_compare_result r1, r2;
    llp_real x[2] = {2, -1};
    int i;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_SKEWED_BOWL;
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    f = llp_landscape_objective(&ls);
    memset(o, 0, sizeof o);
    o[0].kind = LLP_OPT_SGD, o[0].lr = 0.02;
    o[1].kind = LLP_OPT_MOMENTUM, o[1].lr = 0.02;
    o[2].kind = LLP_OPT_ADAM, o[2].lr = 0.05;
    o[3].kind = LLP_OPT_SGD, o[3].lr = 0.2; /* > 2/20.6 */
    memset(&td, 0, sizeof td);
    td.epochs = 5000, td.eval_every = 1, td.record_initial = 1;
    CHECK_OK(llp_compare_optimizers(&f, NULL, x, o, NULL, 4, &td, 1e-6, &r1));
    for (i = 0; i < 4; i++)
        printf("  %-9s final %.3g steps to 1e-6: %lu (%s)\n", r1.e[i].name, r1.e[i].final_loss,
               (unsigned long)r1.e[i].steps_to_conv, llp_stop_name(r1.e[i].stop));
    CHECK(r1.e[0].steps_to_conv > 0 && r1.e[1].steps_to_conv > 0 && r1.e[1].steps_to_conv < r1.e[0].steps_to_conv,
          "momentum converges in fewer steps than GD");
    CHECK(r1.e[3].result == LLP_ERR_DIVERGED && r1.e[3].stop == LLP_STOP_DIVERGED, "the large rate diverged");
    CHECK(strcmp(r1.e[2].name, "adam") == 0, "default names");
    CHECK(x[0] == 2 && x[1] == -1, "theta0 untouched");
    CHECK_OK(llp_compare_write_curves(&r1, "cmp_a.dat", "bowl", NULL));
    CHECK_OK(llp_compare_write_table(&r1, "cmp_ta.dat", "bowl", 0, NULL));
    CHECK_OK(llp_compare_optimizers(&f, NULL, x, o, NULL, 4, &td, 1e-6, &r2));
    CHECK_OK(llp_compare_write_curves(&r2, "cmp_b.dat", "bowl", NULL));
    CHECK_OK(llp_compare_write_table(&r2, "cmp_tb.dat", "bowl", 0, NULL));
    CHECK(files_equal("cmp_a.dat", "cmp_b.dat") && files_equal("cmp_ta.dat", "cmp_tb.dat"),
          "curves and table are the same bytes on a second run");
    llp_compare_free(&r1);
    llp_compare_free(&r2);
    remove("cmp_a.dat"), remove("cmp_b.dat"), remove("cmp_ta.dat"), remove("cmp_tb.dat");
    llp_landscape_free(&ls);
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    setvbuf(stdout, NULL, _IONBF, 0);
    LLP_RUN(test_digits_accuracy);
    LLP_RUN(test_spirals_accuracy);
    LLP_RUN(test_resume_identical);
    LLP_RUN(test_divergence);
    LLP_RUN(test_nan_loss);
    LLP_RUN(test_early_stopping_and_plateau);
    LLP_RUN(test_trajectory_bound);
    LLP_RUN(test_bad_checkpoints);
    LLP_RUN(test_lr_find);
    LLP_RUN(test_compare);
    return llp_test_summary();
}
