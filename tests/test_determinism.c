/* test_determinism.c — same seed, same bytes; the table writer's format; and
   chunked evaluation that changes only rounding.

   References: a second run of the same pipeline (for byte identity), strtod
   (for the numbers the writer prints: they must parse back to the same
   bits), the format described in llprobe.h section 8 (for the layout of the
   text), and the single-chunk evaluation (for chunked ones).

   Temporary files are created in the working directory with the prefix
   "test_determinism_" and removed at the end. */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"

#include <float.h>
#include <stdlib.h>

/* ---- helpers ------------------------------------------------------------ */

static char *read_text(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *b = NULL;
    size_t cap = 0, n = 0, got;
    *len = 0;
    if (!f) return NULL;
    for (;;) {
        if (n + 1 >= cap) {
            char *nb = (char *)realloc(b, cap ? 2 * cap : 4096);
            if (!nb) {
                free(b);
                fclose(f);
                return NULL;
            }
            b = nb;
            cap = cap ? 2 * cap : 4096;
        }
        got = fread(b + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    fclose(f);
    b[n] = 0;
    *len = n;
    return b;
}

static int file_exists(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f) fclose(f);
    return f != NULL;
}

static uint64_t bits(double x) {
    uint64_t u;
    memcpy(&u, &x, 8);
    return u;
}

/* Split text into lines in place (the '\n' become NUL). Returns the count;
   a final line without '\n' counts too, and a final '\n' opens no new line. */
static size_t split_lines(char *text, size_t len, char **lines, size_t cap) {
    size_t n = 0, i;
    char *start = text;
    for (i = 0; i < len; i++)
        if (text[i] == '\n') {
            text[i] = 0;
            if (n < cap) lines[n] = start;
            n++;
            start = text + i + 1;
        }
    if (start < text + len) {
        if (n < cap) lines[n] = start;
        n++;
    }
    return n;
}

/* ---- the pipeline ------------------------------------------------------- */

/* seed -> spirals -> MLP init -> loss, gradient, HVP of a random vector ->
   table file. Returns 0 on any failure. */
static int pipeline(uint64_t seed, const char *path) {
    llp_rng rng;
    llp_data data;
    llp_mlp_desc md;
    llp_mlp m;
    llp_mlp_objective mo;
    llp_objective f;
    llp_real loss = 0, *g, *v, *hv;
    double *table;
    char header[256];
    static const char *const names[5] = {"i", "theta", "grad", "v", "hv"};
    size_t i, n;
    int ok = 1;
    llp_rng_seed(&rng, seed);
    if (llp_data_spirals(&data, 120, 1.5, 0.05, &rng) != LLP_OK) return 0;
    memset(&md, 0, sizeof md);
    md.n_layers = 3, md.sizes[0] = 2, md.sizes[1] = 8, md.sizes[2] = 8, md.sizes[3] = 2;
    md.act = LLP_ACT_TANH, md.loss = LLP_LOSS_SOFTMAX_CE, md.weight_decay = 1e-4;
    if (llp_mlp_init(&m, &md) != LLP_OK) {
        llp_data_free(&data);
        return 0;
    }
    llp_mlp_randomize(&m, m.theta, &rng);
    if (llp_mlp_objective_init(&mo, &m, &data, 0) != LLP_OK) {
        llp_mlp_free(&m), llp_data_free(&data);
        return 0;
    }
    f = llp_mlp_objective_get(&mo);
    n = f.n;
    g = (llp_real *)malloc(3 * n * sizeof(llp_real));
    table = (double *)malloc(5 * n * sizeof(double));
    if (!g || !table) ok = 0;
    if (ok) {
        v = g + n, hv = g + 2 * n;
        llp_rng_fill_normal(&rng, v, n);
        ok &= llp_objective_loss_grad(&f, m.theta, NULL, &loss, g) == LLP_OK;
        ok &= llp_objective_hvp(&f, m.theta, v, NULL, hv) == LLP_OK;
        for (i = 0; i < n; i++) {
            table[5 * i] = (double)i;
            table[5 * i + 1] = m.theta[i];
            table[5 * i + 2] = g[i];
            table[5 * i + 3] = v[i];
            table[5 * i + 4] = hv[i];
        }
        snprintf(header, sizeof header, "pipeline seed %llu\nloss %.17g", (unsigned long long)seed, (double)loss);
        ok &= llp_write_table(path, header, names, table, n, 5, 0, 0, NULL) == LLP_OK;
    }
    free(g), free(table);
    llp_mlp_objective_free(&mo);
    llp_mlp_free(&m);
    llp_data_free(&data);
    return ok;
}

/* Two runs of the whole pipeline with seed 42 write byte-identical files;
   seed 43 writes a different file (so the comparison can fail). */
static void test_same_seed_same_bytes(void) {
    const char *a = "test_determinism_a.dat", *b = "test_determinism_b.dat", *c = "test_determinism_c.dat";
    char *ta, *tb, *tc;
    size_t na, nb, nc;
    CHECK(pipeline(42, a) && pipeline(42, b) && pipeline(43, c), "three pipeline runs succeed");
    ta = read_text(a, &na);
    tb = read_text(b, &nb);
    tc = read_text(c, &nc);
    CHECK(ta && tb && tc && na > 1000, "outputs readable (%lu bytes)", (unsigned long)na);
    if (ta && tb && tc) {
        CHECK(na == nb && memcmp(ta, tb, na) == 0, "seed 42 twice: identical bytes");
        CHECK(na != nc || memcmp(ta, tc, na) != 0, "seeds 42 and 43: different bytes");
    }
    free(ta), free(tb), free(tc);
    remove(a), remove(b), remove(c);
}

/* ---- the table writer --------------------------------------------------- */

/* Gnuplot mode: each header line becomes "# <line>", then "# a b c", then
   rows of "%.17g" numbers separated by one space; with block = 2 a blank line
   follows rows 2 and 4 but not the last row (5 rows), and with 4 rows none
   follows row 4; every number parses back with strtod to the same bits
   (-0, the smallest denormal, DBL_MAX, 0.1, 1/3 among them); no ".tmp" is
   left behind. */
static void test_write_table_gnuplot(void) {
    const char *path = "test_determinism_table.dat";
    static const char *const names[3] = {"a", "b", "c"};
    double v[15];
    char *text, *lines[32], expect[64];
    size_t len, nl, i, j;
    llp_error err;
    int ok;
    v[0] = 0.1, v[1] = 1.0 / 3.0, v[2] = -0.0;
    v[3] = 5e-324, v[4] = DBL_MAX, v[5] = -DBL_MIN;
    v[6] = 123456789012345678.0, v[7] = -2.5, v[8] = 1e-300;
    v[9] = 3.141592653589793, v[10] = 0, v[11] = -1e22;
    v[12] = 7, v[13] = 2.0 / 3.0, v[14] = 6.02214076e23;
    CHECK_OK(llp_write_table(path, "line one\nline two", names, v, 5, 3, 2, 0, &err));
    CHECK(!file_exists("test_determinism_table.dat.tmp"), "no .tmp left after a write");
    text = read_text(path, &len);
    if (!text) {
        CHECK(0, "table written");
        return;
    }
    CHECK(len > 0 && text[len - 1] == '\n', "the file ends with a newline");
    nl = split_lines(text, len, lines, 32);
    CHECK(nl == 10, "2 header + 1 names + 5 rows + 2 blank = 10 lines, got %lu", (unsigned long)nl);
    if (nl == 10) {
        CHECK(strcmp(lines[0], "# line one") == 0, "line 1 '%s'", lines[0]);
        CHECK(strcmp(lines[1], "# line two") == 0, "line 2 '%s'", lines[1]);
        CHECK(strcmp(lines[2], "# a b c") == 0, "line 3 '%s'", lines[2]);
        CHECK(lines[5][0] == 0 && lines[8][0] == 0, "blank lines after rows 2 and 4");
        {
            static const size_t rowline[5] = {3, 4, 6, 7, 9};
            ok = 1;
            for (i = 0; i < 5; i++) {
                char *p = lines[rowline[i]], *e;
                for (j = 0; j < 3; j++) {
                    double x = strtod(p, &e);
                    ok &= e != p && bits(x) == bits(v[3 * i + j]);
                    snprintf(expect, sizeof expect, "%.17g", v[3 * i + j]);
                    ok &= strncmp(p, expect, strlen(expect)) == 0;
                    ok &= (j < 2 ? *e == ' ' : *e == 0);
                    p = e + (j < 2);
                }
            }
            CHECK(ok, "rows hold %%.17g numbers, one space apart, that parse back to the same bits");
        }
    }
    free(text);
    /* 4 rows, block 2: one blank line, after row 2 only */
    CHECK_OK(llp_write_table(path, NULL, names, v, 4, 3, 2, 0, &err));
    text = read_text(path, &len);
    if (text) {
        nl = split_lines(text, len, lines, 32);
        CHECK(nl == 6 && strcmp(lines[0], "# a b c") == 0 && lines[3][0] == 0 && lines[5][0] != 0,
              "no header, 4 rows, block 2: names, 2 rows, blank, 2 rows (%lu lines)", (unsigned long)nl);
        free(text);
    }
    /* block 0: no blank lines; no column names: no names line */
    CHECK_OK(llp_write_table(path, "only", NULL, v, 5, 3, 0, 0, &err));
    text = read_text(path, &len);
    if (text) {
        nl = split_lines(text, len, lines, 32);
        ok = nl == 6 && strcmp(lines[0], "# only") == 0;
        for (i = 1; i < nl && i < 32; i++) ok &= lines[i][0] != 0 && lines[i][0] != '#';
        CHECK(ok, "block 0 and no names: one comment line then 5 rows (%lu lines)", (unsigned long)nl);
        free(text);
    }
    remove(path);
}

/* CSV mode: the names as the first row joined by commas, no comment lines
   (the header is dropped), no blank lines even with block > 0, numbers
   comma-separated and bit-exact through strtod. */
static void test_write_table_csv(void) {
    const char *path = "test_determinism_table.csv";
    static const char *const names[2] = {"x", "loss"};
    double v[6] = {0.1, -1e-5, 1e300, 2.0 / 7.0, -0.0, 42};
    char *text, *lines[16];
    size_t len, nl, i;
    int ok = 1;
    CHECK_OK(llp_write_table(path, "a comment\nanother", names, v, 3, 2, 1, 1, NULL));
    CHECK(!file_exists("test_determinism_table.csv.tmp"), "no .tmp left after a CSV write");
    text = read_text(path, &len);
    if (!text) {
        CHECK(0, "csv written");
        return;
    }
    CHECK(strchr(text, '#') == NULL, "no '#' anywhere in CSV output");
    nl = split_lines(text, len, lines, 16);
    CHECK(nl == 4, "names + 3 rows = 4 lines, got %lu", (unsigned long)nl);
    if (nl == 4) {
        CHECK(strcmp(lines[0], "x,loss") == 0, "first row is the names: '%s'", lines[0]);
        for (i = 0; i < 3; i++) {
            char *e;
            double a = strtod(lines[i + 1], &e), b;
            ok &= *e == ',';
            b = strtod(e + 1, &e);
            ok &= *e == 0 && bits(a) == bits(v[2 * i]) && bits(b) == bits(v[2 * i + 1]);
        }
        CHECK(ok, "CSV rows: two comma-separated numbers, bit-exact");
    }
    free(text);
    remove(path);
}

/* Writer errors: a path in a directory that does not exist gives
   LLP_ERR_IO naming the path, and creates nothing; zero columns, NULL data
   with rows, and a NULL path give LLP_ERR_ARG; an existing file survives a
   failed write. */
static void test_write_table_errors(void) {
    const char *bad = "test_determinism_no_such_dir/t.dat", *path = "test_determinism_keep.dat";
    static const char *const names[1] = {"a"};
    double v[2] = {1, 2};
    llp_error err;
    llp_result r;
    char *before, *after;
    size_t nb, na;
    memset(&err, 0, sizeof err);
    r = llp_write_table(bad, NULL, names, v, 2, 1, 0, 0, &err);
    CHECK(r == LLP_ERR_IO, "unwritable path: %s", llp_result_string(r));
    CHECK(strncmp(err.file, bad, strlen(bad)) == 0, "unwritable path: error names '%s' (got '%s')", bad, err.file);
    CHECK(!file_exists(bad), "unwritable path: nothing created");
    CHECK(llp_write_table(path, NULL, names, v, 2, 0, 0, 0, &err) == LLP_ERR_ARG, "0 columns: ARG");
    CHECK(llp_write_table(path, NULL, names, NULL, 2, 1, 0, 0, &err) == LLP_ERR_ARG, "NULL data: ARG");
    CHECK(llp_write_table(NULL, NULL, names, v, 2, 1, 0, 0, &err) == LLP_ERR_ARG, "NULL path: ARG");
    CHECK(!file_exists(path), "rejected writes create no file");
    CHECK_OK(llp_write_table(path, "keep me", names, v, 2, 1, 0, 0, &err));
    before = read_text(path, &nb);
    CHECK(llp_write_table(path, NULL, names, v, 2, 0, 0, 0, &err) == LLP_ERR_ARG, "0 columns over a file: ARG");
    after = read_text(path, &na);
    CHECK(before && after && na == nb && memcmp(before, after, nb) == 0, "a rejected write keeps the old file");
    free(before), free(after);
    remove(path);
}

/* ---- chunked evaluation -------------------------------------------------- */

/* ||a - b||_inf <= tol * max(||b||_inf, tiny) */
static int close_vec(const llp_real *a, const llp_real *b, size_t n, double tol) {
    double d = 0, s = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        double e = fabs((double)a[i] - b[i]);
        if (e > d || e != e) d = e;
        if (fabs((double)b[i]) > s) s = fabs((double)b[i]);
    }
    return d <= tol * (s > 1e-300 ? s : 1e-300);
}

/* The MLP objective evaluated in chunks of 1, 3, 7, 64, 203 (= n), the
   default and 1000 samples gives the same loss, gradient, HVP and
   Gauss-Newton product as a single pass to 1e-12 relative (only the
   summation order differs), over all samples, a range batch and an index
   batch with repeats; two separate objectives with the same chunk size give
   bit-identical results. Two architectures: tanh + softmax CE with weight
   decay; relu/gelu + MSE on a regression set.
   Float: the vectors are float sums over up to 203 samples in another
   order: worst case ~203 eps/2 = 1.2e-5 of the largest entry, measured
   4.8e-7: 1e-5. The loss is summed in double but from float outputs and
   rounded to float (an ulp apart at a rounding boundary, more if a kernel
   rounds rows differently by position): 1e-6. The bit-identity of two
   objectives with the same chunk stays exact. */
static void test_chunk_sizes(void) {
    static const size_t chunks[7] = {1, 3, 7, 64, 203, 0, 1000};
    int arch;
    for (arch = 0; arch < 2; arch++) {
        llp_rng rng;
        llp_data data;
        llp_mlp_desc md;
        llp_mlp m;
        llp_mlp_objective ref, mo, mo2;
        llp_objective fr, f, f2;
        llp_real *buf, *g0, *h0, *n0, *g, *h, *gn, *v, l0, l;
        size_t n, idx[50], i, c;
        int b;
        const double lt = TOL(1e-12, 1e-6), vt = TOL(1e-12, 1e-5); /* float: see above */
        memset(&data, 0, sizeof data);
        llp_rng_seed(&rng, 2024 + (uint64_t)arch);
        memset(&md, 0, sizeof md);
        if (arch == 0) {
            if (llp_data_spirals(&data, 203, 1.5, 0.1, &rng) != LLP_OK) continue;
            md.n_layers = 3, md.sizes[0] = 2, md.sizes[1] = 10, md.sizes[2] = 7, md.sizes[3] = 2;
            md.act = LLP_ACT_TANH, md.loss = LLP_LOSS_SOFTMAX_CE, md.weight_decay = 1e-3;
        } else {
            llp_mlp_desc td;
            llp_mlp teacher;
            memset(&td, 0, sizeof td);
            td.n_layers = 2, td.sizes[0] = 4, td.sizes[1] = 6, td.sizes[2] = 3, td.loss = LLP_LOSS_MSE;
            if (llp_mlp_init(&teacher, &td) != LLP_OK) continue;
            llp_mlp_randomize(&teacher, teacher.theta, &rng);
            if (llp_data_teacher(&data, &teacher, teacher.theta, 203, 0.1, &rng) != LLP_OK) {
                llp_mlp_free(&teacher);
                continue;
            }
            llp_mlp_free(&teacher);
            md.n_layers = 3, md.sizes[0] = 4, md.sizes[1] = 9, md.sizes[2] = 5, md.sizes[3] = 3;
            md.act = LLP_ACT_RELU, md.layer_act[1] = LLP_ACT_GELU, md.loss = LLP_LOSS_MSE;
        }
        if (llp_mlp_init(&m, &md) != LLP_OK) {
            llp_data_free(&data);
            continue;
        }
        llp_mlp_randomize(&m, m.theta, &rng);
        for (i = 0; i < m.n_params; i++) m.theta[i] += (llp_real)(0.01 * llp_rng_normal(&rng)); /* non-zero biases */
        n = m.n_params;
        buf = (llp_real *)malloc(7 * n * sizeof(llp_real));
        if (!buf || llp_mlp_objective_init(&ref, &m, &data, 203) != LLP_OK) {
            CHECK(0, "arch %d: reference objective", arch);
            free(buf), llp_mlp_free(&m), llp_data_free(&data);
            continue;
        }
        g0 = buf, h0 = buf + n, n0 = buf + 2 * n, g = buf + 3 * n, h = buf + 4 * n, gn = buf + 5 * n, v = buf + 6 * n;
        llp_rng_fill_normal(&rng, v, n);
        for (i = 0; i < 50; i++) idx[i] = (size_t)llp_rng_below(&rng, 203); /* repeats likely */
        fr = llp_mlp_objective_get(&ref);
        for (b = 0; b < 3; b++) {
            llp_batch batch = b == 0 ? llp_batch_all() : b == 1 ? llp_batch_range(11, 150) : llp_batch_index(idx, 50);
            const char *bn = b == 0 ? "all" : b == 1 ? "range 11+150" : "index x50";
            CHECK_OK(llp_objective_loss_grad(&fr, m.theta, &batch, &l0, g0));
            CHECK_OK(llp_objective_hvp(&fr, m.theta, v, &batch, h0));
            CHECK_OK(fr.gnvp(fr.ctx, m.theta, v, &batch, n0));
            for (c = 0; c < 7; c++) {
                if (llp_mlp_objective_init(&mo, &m, &data, chunks[c]) != LLP_OK) {
                    CHECK(0, "objective with chunk %lu", (unsigned long)chunks[c]);
                    continue;
                }
                f = llp_mlp_objective_get(&mo);
                CHECK_OK(llp_objective_loss_grad(&f, m.theta, &batch, &l, g));
                CHECK_OK(llp_objective_hvp(&f, m.theta, v, &batch, h));
                CHECK_OK(f.gnvp(f.ctx, m.theta, v, &batch, gn));
                CHECK(fabs((double)l - l0) <= lt * fabs((double)l0),
                      "arch %d, %s, chunk %lu: loss %.17g vs single pass %.17g", arch, bn, (unsigned long)chunks[c],
                      (double)l, (double)l0);
                CHECK(close_vec(g, g0, n, vt), "arch %d, %s, chunk %lu: gradient equals single pass to %.0e", arch, bn,
                      (unsigned long)chunks[c], vt);
                CHECK(close_vec(h, h0, n, vt), "arch %d, %s, chunk %lu: HVP equals single pass to %.0e", arch, bn,
                      (unsigned long)chunks[c], vt);
                CHECK(close_vec(gn, n0, n, vt), "arch %d, %s, chunk %lu: GNVP equals single pass to %.0e", arch, bn,
                      (unsigned long)chunks[c], vt);
                if (chunks[c] == 7) {
                    /* a second, separate objective with the same chunk: identical bits */
                    llp_real l2, *g2 = (llp_real *)malloc(3 * n * sizeof(llp_real));
                    if (g2 && llp_mlp_objective_init(&mo2, &m, &data, 7) == LLP_OK) {
                        f2 = llp_mlp_objective_get(&mo2);
                        CHECK_OK(llp_objective_loss_grad(&f2, m.theta, &batch, &l2, g2));
                        CHECK_OK(llp_objective_hvp(&f2, m.theta, v, &batch, g2 + n));
                        CHECK_OK(f2.gnvp(f2.ctx, m.theta, v, &batch, g2 + 2 * n));
                        CHECK(bits(l2) == bits(l) && memcmp(g2, g, n * sizeof(llp_real)) == 0 &&
                                  memcmp(g2 + n, h, n * sizeof(llp_real)) == 0 &&
                                  memcmp(g2 + 2 * n, gn, n * sizeof(llp_real)) == 0,
                              "arch %d, %s: two objectives with chunk 7 give identical bits", arch, bn);
                        llp_mlp_objective_free(&mo2);
                    }
                    free(g2);
                }
                llp_mlp_objective_free(&mo);
            }
        }
        llp_mlp_objective_free(&ref);
        free(buf);
        llp_mlp_free(&m);
        llp_data_free(&data);
    }
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_same_seed_same_bytes);
    LLP_RUN(test_write_table_gnuplot);
    LLP_RUN(test_write_table_csv);
    LLP_RUN(test_write_table_errors);
    LLP_RUN(test_chunk_sizes);
    return llp_test_summary();
}
