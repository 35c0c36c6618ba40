/* hp_map.c — the coarse map of promising regions: a 2-D slice of a
   hyperparameter space (learning rate x weight decay, both log scale) seen
   three ways: by a cheap probe measured after a short snoop, by a
   meta-model's prediction of the final validation loss from all the snoop's
   features, and by the true final validation loss of full training.

   Design (settings fixed before any correlation was looked at):
     - data: data/digits.csv, one 80/20 split seeded by --seed into training
       and validation samples, standardised with the training statistics;
       model 64-32-10 tanh MLP, softmax cross-entropy, Glorot initialisation
       drawn once (same theta_0 for every configuration: only the
       hyperparameters differ);
     - optimizer: heavy-ball momentum 0.9 (SGD + momentum, so the optimizer's
       coupled L2 weight decay matters), mini-batches of 32, the same
       shuffling seed for every configuration;
     - space: lr log-uniform on [1e-3, 1], weight decay log-uniform on
       [1e-6, 1e-1], llp_hp_grid with 9 levels per axis (81 cell centres;
       weight decay varies fastest); llp_hp_apply puts the decay into the
       optimizer, so every configuration is scored on the same loss;
     - full training (the truth): 10 epochs (450 steps), then the validation
       loss (mean cross-entropy over the validation split). A run that the
       trainer stops as diverged (NaN/Inf, or loss above 1e6 times the first)
       or that ends with a non-finite validation loss counts as DIVERGED: its
       outcome is NaN (left out of every fit and rank statistic, as the API
       does), its cell is blank in the figure and marked with an x;
     - snoop: k = max(10, ceil(5% of the full steps)) = 23 steps from the
       same theta_0 with the same optimizer, batch and shuffling (so the
       snoop's steps are the first k steps of the full run), then all 19
       features of llp_snoop. The probe settings are lighter than the
       defaults because the defaults (256-sample probe batch, 10 power
       iterations, 8 noise pairs, 8 sharpness and 4 FD directions) cost
       about 7 epochs of gradient work per configuration, close to the
       10-epoch truth: here probe batch 128, 5 power iterations, 4 noise
       pairs, 4 sharpness directions, 2 FD directions (probe seed --seed + 1);
     - probe panel: EDGE_RATIO (eta lambda_max / the heavy-ball stability
       edge 2 + 2 beta), chosen because it is the probe that speaks to the
       learning-rate axis directly;
     - meta-model: llp_meta_cv with its defaults (5-member ensemble of
       d-16-1 tanh MLPs, 2000 full-batch Adam steps) and 5 folds, member
       seed --seed, fold permutation from --seed + 2. Inputs: the 19 features,
       each mapped by asinh (monotone, so each feature's own rank statistics
       are unchanged; it tames features that span decades, such as the
       eta * curvature ones). Target: ln(validation loss) (the rank
       statistics are unchanged by the log; the MSE fit is not dominated by
       the few huge losses of the near-diverged runs); its out-of-fold
       predictions are the "predicted" panel, shown as exp(prediction);
     - rank statistics against ln(true validation loss): Spearman, Kendall
       tau-b and top-10% recall of the meta-model's out-of-fold predictions,
       of every single feature alone, and of LOSSK (the loss after the k
       steps: the learning-curve baseline). A feature's direction (higher or
       lower is better) is taken from the sign of its Spearman rho, which
       favours the single features slightly (the choice is in-sample);
       features that are the same for every configuration (those at
       theta_0) have no ranking (NaN). Single features drop the rows where
       they are NaN (a diverged snoop), the meta-model imputes them;
     - cost, in data_equiv (full-training-set gradient evaluations, i.e.
       epochs of gradient work: the fair unit across batch sizes): the
       snoops' total (their k training steps and their probes separately)
       against the full trainings' (samples of the steps actually run / N;
       the final validation evaluations are not counted in either).

   usage: hp_map [--seed N] [--out DIR] [--quick] [--epochs E] [path/to/digits.csv]
     --quick: a 4 x 4 grid and 1 epoch (the snoop then has 10 steps), a test.
   Outputs in DIR (default "."):
     hp_map.dat        lr wd edge_ratio pred_val_loss true_val_loss diverged
                       lossk, one row per configuration, a blank line after
                       every lr (gnuplot scan lines);
     hp_map_rank.dat   predictor, Spearman, Kendall, top-10% recall, pairs;
     hp_map_marks.dat  the best true configuration and the meta-model's top
                       choice (plots/hp_map.gp draws hp_map.png from these);
   and a Markdown table of the rank statistics and the costs on stdout.
   Same seed, same bytes in every output file.
   Run time at the default settings: about 2 s on a busy 2-core machine
   (-O2; the 81 full trainings are 36,450 steps of a 2,410-parameter
   network); --quick about 0.4 s. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"
#define EXC_PROG "hp_map"
#include "ex_common.h"

#ifndef DIGITS_CSV /* meson compiles in the absolute path; by hand, run from the repository root */
#define DIGITS_CSV "data/digits.csv"
#endif
#define BATCH 32
#define MOMENTUM 0.9
#define LR_LO 1e-3
#define LR_HI 1.0
#define WD_LO 1e-6
#define WD_HI 1e-1
#define SNOOP_FRAC 0.05
#define SNOOP_MIN 10
#define FOLDS 5
#define TOP_FRAC 0.1
#define NF LLP_SNOOP_N_FEATURES
#define PANEL_FEATURE LLP_SNOOP_EDGE_RATIO

static int usage(const char *why) {
    fprintf(stderr, "hp_map: %s (usage: hp_map [--seed N] [--out DIR] [--quick] [--epochs E] [digits.csv])\n", why);
    return 2;
}

/* One row of the rank table. */
typedef struct rank_row {
    char name[48];
    double spearman, kendall, recall;
    size_t pairs;
} rank_row;

static void print_num(double v) {
    if (isnan(v)) printf(" — |");
    else printf(" %+.3f |", v);
}

int main(int argc, char **argv) {
    const char *path = NULL, *outdir = ".", *base, *what;
    char buf[4096], file[4096], tmp[4200], header[4096];
    unsigned long seed = 42, epochs = 0, ul;
    int quick = 0, k;
    llp_data all, tr, va;
    llp_error err;
    llp_mlp_desc md;
    llp_mlp mlp;
    llp_mlp_objective mo_tr, mo_va;
    llp_objective f_tr, f_va;
    llp_opt_desc base_od;
    llp_train_desc base_td;
    llp_snoop_desc sd;
    llp_hp_space space;
    llp_hp_config *cfg = NULL;
    llp_meta_desc meta;
    llp_meta_cv_result cv;
    llp_rng rng, rng_cv;
    llp_real mean[64], sdv[64];
    llp_real *theta0, *theta;
    double *X, *F, *y, *truth, *tab, *fpred;
    unsigned char *div;
    size_t levels, n_cfg, n, i, j, steps_per_epoch, full_steps, k_steps, n_div = 0, n_snoop_div = 0;
    size_t best_true = 0, best_pred = 0, n_rank = 0;
    double cost_snoop = 0, cost_snoop_train = 0, cost_snoop_probe = 0, cost_full = 0;
    rank_row ranks[NF + 1];
    llp_result r;
    FILE *fp;

    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--seed") == 0) {
            if (k + 1 >= argc || !exc_parse_ulong(argv[++k], 0xffffffffUL, &ul)) return usage("--seed needs an integer");
            seed = ul;
        } else if (strcmp(argv[k], "--out") == 0) {
            if (k + 1 >= argc || !*argv[k + 1]) return usage("--out needs a directory");
            outdir = argv[++k];
        } else if (strcmp(argv[k], "--epochs") == 0) {
            if (k + 1 >= argc || !exc_parse_ulong(argv[++k], 1000, &ul) || ul == 0)
                return usage("--epochs needs an integer in 1..1000");
            epochs = ul;
        } else if (strcmp(argv[k], "--quick") == 0) quick = 1;
        else if (argv[k][0] != '-' && !path) path = argv[k];
        else {
            snprintf(buf, sizeof buf, "unknown argument '%.200s'", argv[k]);
            return usage(buf);
        }
    }
    levels = quick ? 4 : 9;
    if (!epochs) epochs = quick ? 1 : 10;
    path = exc_locate(path, "data/digits.csv", DIGITS_CSV, buf, sizeof buf);
    base = exc_basename(path);

    /* ---- data and model ---- */
    if (exc_load_digits(&all, path)) return 2;
    llp_rng_seed(&rng, seed);
    if ((r = exc_split_standardize(&all, 0.2, 0, &rng, &tr, &va, mean, sdv, &what)) != LLP_OK) return fail(what, r);
    exc_mlp_desc(&md, 64, 32, 10, LLP_ACT_TANH, LLP_LOSS_SOFTMAX_CE);
    if ((r = exc_mlp_setup(&md, &mlp, &tr, &va, &mo_tr, &mo_va, &f_tr, &f_va, &what)) != LLP_OK) return fail(what, r);
    n = mlp.n_params;
    theta0 = (llp_real *)malloc(n * sizeof *theta0);
    theta = (llp_real *)malloc(n * sizeof *theta);
    if (!theta0 || !theta) return fail("allocating parameter vectors", LLP_ERR_NOMEM);
    llp_mlp_randomize(&mlp, theta0, &rng);

    steps_per_epoch = (tr.n + BATCH - 1) / BATCH;
    full_steps = epochs * steps_per_epoch;
    k_steps = (size_t)ceil(SNOOP_FRAC * (double)full_steps - 1e-9);
    if (k_steps < SNOOP_MIN) k_steps = SNOOP_MIN;
    if (k_steps > full_steps) k_steps = full_steps;

    /* ---- the space and its grid ---- */
    memset(&space, 0, sizeof space);
    space.n_dims = 2;
    space.dim[0].key = LLP_HP_LR, space.dim[0].scale = LLP_HP_LOG, space.dim[0].lo = LR_LO, space.dim[0].hi = LR_HI;
    space.dim[1].key = LLP_HP_WEIGHT_DECAY, space.dim[1].scale = LLP_HP_LOG;
    space.dim[1].lo = WD_LO, space.dim[1].hi = WD_HI;
    if (llp_hp_space_validate(&space, &err) != LLP_OK) return fail_err(&err);
    if ((r = llp_hp_grid(&space, levels, NULL, 0, &n_cfg)) != LLP_OK) return fail("llp_hp_grid", r);
    cfg = (llp_hp_config *)malloc(n_cfg * sizeof *cfg);
    F = (double *)malloc(n_cfg * NF * sizeof *F);
    X = (double *)malloc(n_cfg * NF * sizeof *X);
    y = (double *)malloc(n_cfg * sizeof *y);
    truth = (double *)malloc(n_cfg * sizeof *truth);
    fpred = (double *)malloc(n_cfg * sizeof *fpred);
    tab = (double *)malloc(n_cfg * 7 * sizeof *tab);
    div = (unsigned char *)calloc(n_cfg, 1);
    if (!cfg || !F || !X || !y || !truth || !fpred || !tab || !div) return fail("allocating", LLP_ERR_NOMEM);
    if ((r = llp_hp_grid(&space, levels, cfg, n_cfg, &n_cfg)) != LLP_OK) return fail("llp_hp_grid", r);

    memset(&base_od, 0, sizeof base_od);
    base_od.kind = LLP_OPT_MOMENTUM, base_od.momentum = MOMENTUM, base_od.lr = 0.01;
    memset(&base_td, 0, sizeof base_td);
    base_td.epochs = epochs, base_td.batch_size = BATCH, base_td.seed = seed;
    memset(&sd, 0, sizeof sd);
    sd.steps = k_steps, sd.probe_batch = 128, sd.power_iters = 5, sd.noise_pairs = 4, sd.sharp_samples = 4;
    sd.fd_probes = 2, sd.seed = seed + 1;

    printf("hp_map: %s, %lu training / %lu validation samples, 64-32-10 tanh MLP (%lu parameters), momentum %g, "
           "batch %d\n"
           "grid %lu x %lu (lr %g..%g, wd %g..%g, log), full training %lu epochs = %lu steps, snoop k = %lu steps, "
           "seed %lu\n\n",
           base, (unsigned long)tr.n, (unsigned long)va.n, (unsigned long)n, MOMENTUM, BATCH, (unsigned long)levels,
           (unsigned long)levels, LR_LO, LR_HI, WD_LO, WD_HI, epochs, (unsigned long)full_steps,
           (unsigned long)k_steps, seed);
    fflush(stdout);

    /* ---- snoop and train every configuration ---- */
    for (i = 0; i < n_cfg; i++) {
        llp_opt_desc od;
        llp_train_desc td;
        llp_snoop_result sr;
        llp_trainer t;
        llp_real vl;
        size_t samples;
        if ((r = llp_hp_apply(&cfg[i], NULL, &base_od, &base_td, NULL, &od, &td)) != LLP_OK)
            return fail("llp_hp_apply", r);
        if ((r = llp_snoop(&mlp, theta0, &tr, &od, &td, &sd, NULL, &sr)) != LLP_OK) return fail("llp_snoop", r);
        for (j = 0; j < NF; j++) {
            F[i * NF + j] = sr.features[j];
            X[i * NF + j] = asinh(sr.features[j]);
        }
        n_snoop_div += sr.diverged != 0;
        cost_snoop += sr.cost.data_equiv;
        cost_snoop_train += sr.train_cost.data_equiv;
        cost_snoop_probe += sr.probe_cost.data_equiv;

        memcpy(theta, theta0, n * sizeof *theta);
        if ((r = llp_trainer_init(&t, &td, &f_tr, NULL, &od, theta)) != LLP_OK) return fail("llp_trainer_init", r);
        r = llp_trainer_run(&t);
        if (r != LLP_OK && r != LLP_ERR_DIVERGED) return fail("llp_trainer_run", r);
        samples = (size_t)(t.step / steps_per_epoch) * tr.n + (size_t)(t.step % steps_per_epoch) * BATCH;
        cost_full += (double)samples / (double)tr.n;
        if (r == LLP_ERR_DIVERGED) div[i] = 1;
        llp_trainer_free(&t);
        if (!div[i]) {
            if ((r = llp_objective_loss(&f_va, theta, NULL, &vl)) != LLP_OK) return fail("validation loss", r);
            if (!isfinite((double)vl) || vl <= 0) div[i] = 1;
        }
        truth[i] = div[i] ? NAN : (double)vl;
        y[i] = div[i] ? NAN : log((double)vl);
        n_div += div[i];
    }

    /* ---- the meta-model, out of fold ---- */
    memset(&meta, 0, sizeof meta);
    meta.seed = seed;
    llp_rng_seed(&rng_cv, seed + 2);
    if ((r = llp_meta_cv(X, y, n_cfg, NF, FOLDS, &meta, TOP_FRAC, &rng_cv, &cv)) != LLP_OK)
        return fail("llp_meta_cv", r);
    snprintf(ranks[n_rank].name, sizeof ranks[0].name, "meta-model (out-of-fold)");
    ranks[n_rank].spearman = cv.spearman, ranks[n_rank].kendall = cv.kendall, ranks[n_rank].recall = cv.top_recall;
    ranks[n_rank].pairs = cv.n_scored;
    n_rank++;
    for (j = 0; j < NF; j++) {
        double rho, dir;
        size_t m = 0;
        for (i = 0; i < n_cfg; i++) {
            fpred[i] = F[i * NF + j];
            m += !isnan(fpred[i]) && !isnan(y[i]);
        }
        rho = llp_rank_spearman(fpred, y, n_cfg);
        snprintf(ranks[n_rank].name, sizeof ranks[0].name, "%s%s", llp_snoop_feature_name((int)j),
                 j == LLP_SNOOP_LOSSK ? " (learning-curve baseline)" : "");
        ranks[n_rank].spearman = rho;
        ranks[n_rank].kendall = llp_rank_kendall(fpred, y, n_cfg);
        ranks[n_rank].pairs = m;
        if (isnan(rho)) ranks[n_rank].recall = NAN;
        else {
            dir = rho >= 0 ? 1.0 : -1.0;
            for (i = 0; i < n_cfg; i++) fpred[i] *= dir;
            ranks[n_rank].recall = llp_rank_topk_recall(fpred, y, n_cfg, TOP_FRAC);
        }
        n_rank++;
    }

    /* best true configuration and the meta-model's top choice (over every
       configuration: a selector sees the diverged ones too) */
    {
        int have = 0;
        for (i = 0; i < n_cfg; i++) {
            if (!isnan(truth[i]) && (!have || truth[i] < truth[best_true])) best_true = i, have = 1;
            if (cv.pred[i] < cv.pred[best_pred]) best_pred = i;
        }
        if (!have) {
            fprintf(stderr, "hp_map: every configuration diverged\n");
            return 2;
        }
    }

    /* ---- files ---- */
    for (i = 0; i < n_cfg; i++) {
        double *row = tab + i * 7;
        row[0] = cfg[i].value[LLP_HP_LR];
        row[1] = cfg[i].value[LLP_HP_WEIGHT_DECAY];
        row[2] = F[i * NF + PANEL_FEATURE];
        row[3] = exp(cv.pred[i]);
        row[4] = truth[i];
        row[5] = div[i];
        row[6] = F[i * NF + LLP_SNOOP_LOSSK];
    }
    {
        static const char *const cols[] = {"lr", "wd", "edge_ratio", "pred_val_loss", "true_val_loss", "diverged",
                                           "lossk"};
        snprintf(file, sizeof file, "%s/hp_map.dat", outdir);
        snprintf(header, sizeof header,
                 "hp_map: learning rate x weight decay grid (%lu x %lu cell centres, log scale; lr %g..%g, wd %g..%g), "
                 "seed %lu\n"
                 "model: 64-32-10 tanh MLP, softmax cross-entropy, one Glorot initialisation for all; momentum %g, "
                 "batch %d, optimizer weight decay; full training %lu epochs (%lu steps)\n"
                 "data: %.200s, split 80/20 with seed %lu (%lu training, %lu validation samples), standardised\n"
                 "edge_ratio: snoop feature after k = %lu steps (eta lambda_max / (2 + 2 beta)); pred_val_loss: "
                 "exp of the meta-model's %d-fold out-of-fold prediction of ln(validation loss) from the %d snoop "
                 "features; true_val_loss: validation loss after full training (nan: diverged, diverged = 1); "
                 "lossk: probe-batch loss after the k snoop steps\n"
                 "a blank line after every lr (scan lines; wd varies fastest)",
                 (unsigned long)levels, (unsigned long)levels, LR_LO, LR_HI, WD_LO, WD_HI, seed, MOMENTUM, BATCH,
                 epochs, (unsigned long)full_steps, base, seed, (unsigned long)tr.n, (unsigned long)va.n,
                 (unsigned long)k_steps, FOLDS, NF);
        if (llp_write_table(file, header, cols, tab, n_cfg, 7, levels, 0, &err) != LLP_OK) return fail_err(&err);
    }
    {
        static const char *const cols[] = {"which", "lr", "wd", "true_val_loss", "pred_val_loss"};
        double mk[2][5];
        mk[0][0] = 0, mk[1][0] = 1;
        for (k = 0; k < 2; k++) {
            size_t c = k ? best_pred : best_true;
            mk[k][1] = tab[c * 7], mk[k][2] = tab[c * 7 + 1], mk[k][3] = truth[c], mk[k][4] = exp(cv.pred[c]);
        }
        snprintf(file, sizeof file, "%s/hp_map_marks.dat", outdir);
        snprintf(header, sizeof header,
                 "hp_map: marked configurations, seed %lu; which = 0: the best true validation loss, which = 1: the "
                 "meta-model's top choice (lowest out-of-fold prediction)",
                 seed);
        if (llp_write_table(file, header, cols, &mk[0][0], 2, 5, 0, 0, &err) != LLP_OK) return fail_err(&err);
    }
    snprintf(file, sizeof file, "%s/hp_map_rank.dat", outdir);
    snprintf(tmp, sizeof tmp, "%s.tmp", file);
    if (!(fp = fopen(tmp, "w"))) {
        fprintf(stderr, "hp_map: cannot write %s\n", tmp);
        return 2;
    }
    fprintf(fp,
            "# hp_map: rank statistics against ln(true validation loss) over the %lu non-diverged of %lu "
            "configurations, seed %lu\n"
            "# single features: direction from the sign of Spearman (in-sample); recall: top-%.0f%% recall "
            "(chance k/m); nan: constant feature\n"
            "# predictor spearman kendall top_recall pairs\n",
            (unsigned long)(n_cfg - n_div), (unsigned long)n_cfg, seed, 100 * TOP_FRAC);
    for (i = 0; i < n_rank; i++) {
        char name[48];
        size_t c;
        snprintf(name, sizeof name, "%s", i == 0 ? "meta_model" : llp_snoop_feature_name((int)i - 1));
        for (c = 0; name[c]; c++)
            if (name[c] == ' ') name[c] = '_';
        fprintf(fp, "%s %.17g %.17g %.17g %lu\n", name, ranks[i].spearman, ranks[i].kendall, ranks[i].recall,
                (unsigned long)ranks[i].pairs);
    }
    if (fclose(fp) != 0 || rename(tmp, file) != 0) {
        fprintf(stderr, "hp_map: cannot write %s\n", file);
        return 2;
    }

    /* ---- the Markdown tables ---- */
    printf("Rank statistics against the true validation loss after %lu epochs (%lu of %lu configurations "
           "diverged and are left out; %lu snoops diverged). Spearman and Kendall are signed (a single feature "
           "may rank in either direction); top-10%% recall counts the best %lu configurations found, chance "
           "%.2f.\n\n",
           epochs, (unsigned long)n_div, (unsigned long)n_cfg, (unsigned long)n_snoop_div, (unsigned long)cv.top_k,
           (double)cv.top_k / (double)cv.n_scored);
    printf("| predictor | Spearman | Kendall | top-10%% recall | pairs |\n|---|---:|---:|---:|---:|\n");
    for (i = 0; i < n_rank; i++) {
        printf("| %s |", ranks[i].name);
        print_num(ranks[i].spearman);
        print_num(ranks[i].kendall);
        if (isnan(ranks[i].recall)) printf(" — |");
        else printf(" %.2f |", ranks[i].recall);
        printf(" %lu |\n", (unsigned long)ranks[i].pairs);
    }
    {
        double best_abs = 0;
        size_t bi = 0;
        for (i = 1; i < n_rank; i++)
            if (!isnan(ranks[i].spearman) && fabs(ranks[i].spearman) > best_abs) best_abs = fabs(ranks[i].spearman), bi = i;
        printf("\nmeta-model: pooled out-of-fold R^2 %.3f, Spearman within folds %.3f +- %.3f (s.e.); best single "
               "feature by |Spearman|: %s (%.3f) vs the meta-model's %.3f.\n",
               cv.r2, cv.fold_spearman.value, cv.fold_spearman.se, bi ? ranks[bi].name : "none", best_abs,
               cv.spearman);
    }
    printf("best true configuration: lr %.4g, wd %.4g, validation loss %.4f; meta-model's top choice: lr %.4g, "
           "wd %.4g, true validation loss %s%.4f (predicted %.4f).\n\n",
           cfg[best_true].value[LLP_HP_LR], cfg[best_true].value[LLP_HP_WEIGHT_DECAY], truth[best_true],
           cfg[best_pred].value[LLP_HP_LR], cfg[best_pred].value[LLP_HP_WEIGHT_DECAY],
           div[best_pred] ? "(diverged) " : "", truth[best_pred], exp(cv.pred[best_pred]));
    printf("Compute in data_equiv (gradient work in full passes over the %lu training samples; HVP = 2 gradients, "
           "loss = 1/2), summed over the %lu configurations:\n\n",
           (unsigned long)tr.n, (unsigned long)n_cfg);
    printf("| part | total | per configuration | share of full training |\n|---|---:|---:|---:|\n");
    printf("| snoop: %lu training steps | %.2f | %.3f | %.1f%% |\n", (unsigned long)k_steps, cost_snoop_train,
           cost_snoop_train / (double)n_cfg, 100 * cost_snoop_train / cost_full);
    printf("| snoop: probes | %.2f | %.3f | %.1f%% |\n", cost_snoop_probe, cost_snoop_probe / (double)n_cfg,
           100 * cost_snoop_probe / cost_full);
    printf("| snoop total (the map) | %.2f | %.3f | %.1f%% |\n", cost_snoop, cost_snoop / (double)n_cfg,
           100 * cost_snoop / cost_full);
    printf("| full training (the truth) | %.2f | %.3f | 100%% |\n\n", cost_full, cost_full / (double)n_cfg);
    printf("The map (all snoops) costs %.1f%% of the truth, i.e. %s of %.1f; the LOSSK baseline alone (the k "
           "steps and one probe-batch loss) costs about %.1f%% of it. The meta-model's own fits (%lu Adam steps "
           "of a tiny network) are not counted.\n",
           100 * cost_snoop / cost_full, cost_snoop < cost_full ? "cheaper by a factor" : "more expensive by a factor",
           cost_snoop < cost_full ? cost_full / cost_snoop : cost_snoop / cost_full, 100 * cost_snoop_train / cost_full,
           (unsigned long)cv.steps);
    printf("files: %s/hp_map.dat, hp_map_rank.dat, hp_map_marks.dat\n", outdir);

    llp_meta_cv_free(&cv);
    free(cfg), free(F), free(X), free(y), free(truth), free(fpred), free(tab), free(div);
    free(theta0), free(theta);
    llp_mlp_objective_free(&mo_tr);
    llp_mlp_objective_free(&mo_va);
    llp_mlp_free(&mlp);
    llp_data_free(&tr);
    llp_data_free(&va);
    llp_data_free(&all);
    return 0;
}
