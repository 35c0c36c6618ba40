/* ex_common.h — the setup shared by the example programs (not part of llprobe).

   Several examples repeat the same steps: parse --seed/--out and a data path,
   find the data (a path given on the command line, else $LLP_SOURCE_ROOT/data/…,
   else the path compiled in with -DDIGITS_CSV / -DDATA_DIR), load a CSV, split
   it with llp_data_split and standardise the held-out part with the training
   statistics, build an MLP and its two objectives, and report errors. This
   header holds those steps once. It uses only the public API of llprobe.h and
   is included after it:

       #define LLPROBE_IMPLEMENTATION
       #include "llprobe.h"
       #define EXC_PROG "my_example"   (the prefix of error messages)
       #include "ex_common.h"

   Every function is `static` and marked unused (EXC_UNUSED), so a program that
   needs only some of them compiles without warnings. All are C99, no VLAs.

   Errors (print one line on stderr, return 2, the examples' exit status):
     fail(what, r)        "EXC_PROG: what: <llp_result_string(r)>"
     fail_err(err)        "file:line:column: message" of an llp_error
   Arguments and data:
     exc_parse_ulong(s, max, &v)      strict unsigned decimal in 0..max (1 = ok)
     exc_parse_seed_out(argc, argv, usage, &seed, &outdir, &path)
                                      [--seed N] [--out DIR] [path]; anything
                                      else prints `usage` and returns 2
     exc_locate(given, rel, compiled, buf, len)
                                      given, else $LLP_SOURCE_ROOT/rel, else compiled
     exc_basename(path)               the file name after the last '/'
     exc_load_csv(d, path, prefix)    llp_data_load_csv; on error the llp_error
                                      line, prefixed with "prefix: " unless NULL
     exc_load_digits(d, path)         exc_load_csv(…, NULL) and a check for 64 features
     exc_split_standardize(all, frac_val, frac_test, rng, tr, held, mean, sd, &what)
                                      llp_data_split into tr and held (validation
                                      when frac_val > 0, else test), then
                                      standardise tr and apply its statistics to held
     exc_standardise_targets(tr, held)
                                      regression targets to zero mean, unit sd
                                      (the training split's statistics)
   Models:
     exc_mlp_desc(md, d_in, hidden, d_out, act, loss)
                                      a one-hidden-layer MLP description
     exc_mlp_setup(md, mlp, tr, va, mo_tr, mo_va, f_tr, f_va, &what)
                                      llp_mlp_init and the training/held-out objectives
   The functions returning llp_result set *what to the llprobe call that failed,
   so each program keeps its own wording of the error. */
#ifndef EX_COMMON_H
#define EX_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <math.h>

#ifndef EXC_PROG
#error "define EXC_PROG (the program name used in error messages) before including ex_common.h"
#endif

#if defined(__GNUC__) || defined(__clang__)
#define EXC_UNUSED __attribute__((unused))
#else
#define EXC_UNUSED
#endif

EXC_UNUSED static int fail(const char *what, llp_result r) {
    fprintf(stderr, "%s: %s: %s\n", EXC_PROG, what, llp_result_string(r));
    return 2;
}

EXC_UNUSED static int fail_err(const llp_error *err) {
    fprintf(stderr, "%s:%ld:%ld: %s\n", err->file, err->line, err->column, err->message);
    return 2;
}

EXC_UNUSED static int exc_parse_ulong(const char *s, unsigned long max, unsigned long *out) {
    char *end;
    unsigned long v;
    if (!s || !*s || *s == '-' || *s == '+') return 0;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || *end || v > max) return 0;
    *out = v;
    return 1;
}

/* [--seed N] [--out DIR] [path] (lenient: strtoul). */
EXC_UNUSED static int exc_parse_seed_out(int argc, char **argv, const char *usage, unsigned long *seed,
                                         const char **outdir, const char **path) {
    int k;
    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--seed") == 0 && k + 1 < argc) *seed = strtoul(argv[++k], NULL, 10);
        else if (strcmp(argv[k], "--out") == 0 && k + 1 < argc) *outdir = argv[++k];
        else if (argv[k][0] != '-') *path = argv[k];
        else {
            fprintf(stderr, "%s\n", usage);
            return 2;
        }
    }
    return 0;
}

EXC_UNUSED static const char *exc_locate(const char *given, const char *rel, const char *compiled, char *buf,
                                         size_t len) {
    const char *root = getenv("LLP_SOURCE_ROOT");
    if (given) return given;
    if (root && *root) {
        snprintf(buf, len, "%s/%s", root, rel);
        return buf;
    }
    return compiled;
}

EXC_UNUSED static const char *exc_basename(const char *path) {
    return strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
}

EXC_UNUSED static int exc_load_csv(llp_data *d, const char *path, const char *prefix) {
    llp_csv_desc csv;
    llp_error err;
    memset(&csv, 0, sizeof csv);
    if (llp_data_load_csv(d, path, &csv, &err) != LLP_OK) {
        if (prefix) fprintf(stderr, "%s: ", prefix);
        return fail_err(&err);
    }
    return 0;
}

EXC_UNUSED static int exc_load_digits(llp_data *d, const char *path) {
    if (exc_load_csv(d, path, NULL)) return 2;
    if (d->d != 64) {
        fprintf(stderr, "%s: %s has %lu features, expected the 64 pixels of the digits data\n", EXC_PROG, path,
                (unsigned long)d->d);
        return 2;
    }
    return 0;
}

/* mean, sd: room for all->d values. */
EXC_UNUSED static llp_result exc_split_standardize(const llp_data *all, double frac_val, double frac_test,
                                                   llp_rng *rng, llp_data *tr, llp_data *held, llp_real *mean,
                                                   llp_real *sd, const char **what) {
    llp_result r;
    *what = "llp_data_split";
    if ((r = llp_data_split(all, frac_val, frac_test, rng, tr, frac_val > 0 ? held : NULL,
                            frac_val > 0 ? NULL : held)) != LLP_OK)
        return r;
    *what = "llp_data_standardize";
    if ((r = llp_data_standardize(tr, mean, sd)) != LLP_OK) return r;
    *what = "llp_data_apply_standardization";
    return llp_data_apply_standardization(held, mean, sd);
}

EXC_UNUSED static void exc_standardise_targets(llp_data *tr, llp_data *held) {
    double m = 0, v = 0, sd;
    size_t i;
    for (i = 0; i < tr->n; i++) m += tr->y[i] / (double)tr->n;
    for (i = 0; i < tr->n; i++) v += (tr->y[i] - m) * (tr->y[i] - m) / (double)(tr->n - 1);
    sd = sqrt(v) > 0 ? sqrt(v) : 1;
    for (i = 0; i < tr->n; i++) tr->y[i] = (llp_real)((tr->y[i] - m) / sd);
    for (i = 0; i < held->n; i++) held->y[i] = (llp_real)((held->y[i] - m) / sd);
}

EXC_UNUSED static void exc_mlp_desc(llp_mlp_desc *md, int d_in, int hidden, int d_out, llp_act act, llp_loss loss) {
    memset(md, 0, sizeof *md);
    md->n_layers = 2;
    md->sizes[0] = d_in, md->sizes[1] = hidden, md->sizes[2] = d_out;
    md->act = act;
    md->loss = loss;
}

/* llp_mlp_init(mlp, md), then the objectives of tr and va (chunk 0). */
EXC_UNUSED static llp_result exc_mlp_setup(const llp_mlp_desc *md, llp_mlp *mlp, const llp_data *tr,
                                           const llp_data *va, llp_mlp_objective *mo_tr, llp_mlp_objective *mo_va,
                                           llp_objective *f_tr, llp_objective *f_va, const char **what) {
    llp_result r;
    *what = "llp_mlp_init";
    if ((r = llp_mlp_init(mlp, md)) != LLP_OK) return r;
    *what = "llp_mlp_objective_init";
    if ((r = llp_mlp_objective_init(mo_tr, mlp, tr, 0)) != LLP_OK ||
        (r = llp_mlp_objective_init(mo_va, mlp, va, 0)) != LLP_OK)
        return r;
    *f_tr = llp_mlp_objective_get(mo_tr);
    *f_va = llp_mlp_objective_get(mo_va);
    return LLP_OK;
}

#endif /* EX_COMMON_H */
