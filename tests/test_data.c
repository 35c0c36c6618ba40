/* test_data.c — data loading (CSV, IDX, gzip), standardisation, shuffles and
   splits, validation, synthetic sets and the teacher set.

   References are independent of the loader: the shipped CSVs are re-read by a
   tiny strtod-based reader in this file and spot-checked against numbers
   copied from the file text; IDX files are built byte by byte here; the gzip
   fixtures were made by the gzip command (`gzip -n -9`) from the plain IDX
   fixtures next to them; Fashion-MNIST figures (first labels, class counts,
   pixel sum of the first 1000 test images) were computed with Python's gzip
   module. Every bad input is checked for its specific result code, the error
   record (file, and for CSV the 1-based line and field number), and for an
   output that is byte-for-byte unchanged.

   Temporary files are created in the working directory with the prefix
   "test_data_" and removed at the end.

   Float build (LLPROBE_FLOAT): the loaders store (llp_real)strtod(text), so a
   decimal like 5.1 is compared, still exactly, with the reference rounded to
   llp_real (LLP_TEST_ROUND; the identity in double). Statistics and
   synthetic sets computed in double and stored in float get a tolerance of
   float's rounding, stated at each test. */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"

#include <stdlib.h>

/* ---- helpers ------------------------------------------------------------ */

static const char *source_root(void) {
    const char *r = getenv("LLP_SOURCE_ROOT");
    return r && *r ? r : "..";
}

static void root_path(char *out, size_t cap, const char *rel) { snprintf(out, cap, "%s/%s", source_root(), rel); }

/* Write a whole file. The old file is removed first: on ext4, truncating a
   file and rewriting it forces a writeback on close, which made thousands of
   rewrites take seconds. */
static int write_file(const char *name, const void *p, size_t n) {
    FILE *f;
    int ok;
    remove(name);
    f = fopen(name, "wb");
    if (!f) return 0;
    ok = fwrite(p, 1, n, f) == n;
    ok &= fclose(f) == 0;
    return ok;
}

static int write_text(const char *name, const char *text) { return write_file(name, text, strlen(text)); }

/* Whole file into a malloc'd buffer; NULL when it cannot be read. */
static unsigned char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    unsigned char *b = NULL;
    size_t cap = 0, n = 0, got;
    if (!f) return NULL;
    for (;;) {
        if (n == cap) {
            unsigned char *nb = (unsigned char *)realloc(b, cap ? 2 * cap : 4096);
            if (!nb) {
                free(b);
                fclose(f);
                return NULL;
            }
            b = nb;
            cap = cap ? 2 * cap : 4096;
        }
        got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    fclose(f);
    *len = n;
    return b;
}

#define ZERO(v) memset(&(v), 0, sizeof(v))

static void sentinel(llp_data *d) { memset(d, 0xA5, sizeof *d); }
static int is_sentinel(const llp_data *d) {
    llp_data s;
    sentinel(&s);
    return memcmp(d, &s, sizeof s) == 0;
}

static int same_data(const llp_data *a, const llp_data *b) {
    if (a->n != b->n || a->d != b->d || a->task != b->task) return 0;
    if (memcmp(a->x, b->x, a->n * a->d * sizeof(llp_real)) != 0) return 0;
    if (a->task == LLP_TASK_CLASSIFICATION)
        return a->n_classes == b->n_classes && a->labels && b->labels &&
               memcmp(a->labels, b->labels, a->n * sizeof(int)) == 0;
    return a->k == b->k && a->y && b->y && memcmp(a->y, b->y, a->n * a->k * sizeof(llp_real)) == 0;
}

/* Deep copy through the public API (subset of all rows). */
static llp_result copy_data(const llp_data *src, llp_data *dst) {
    size_t *idx = (size_t *)malloc(src->n * sizeof(size_t)), i;
    llp_result r;
    if (!idx) return LLP_ERR_NOMEM;
    for (i = 0; i < src->n; i++) idx[i] = i;
    r = llp_data_subset(src, idx, src->n, dst);
    free(idx);
    return r;
}

static const char *BAD_CSV = "test_data_bad.csv";

/* Load `text` as a CSV file and expect failure `code` at (line, column);
   column < 0 means "any column", line < 0 "any line". The output must stay as
   the sentinel left it, and the error record must name the file. */
static void csv_error_case(const char *what, const char *text, const llp_csv_desc *desc, llp_result code,
                           long line, long column) {
    llp_data d;
    llp_error err;
    llp_result r;
    if (!write_text(BAD_CSV, text)) {
        CHECK(0, "%s: cannot write %s", what, BAD_CSV);
        return;
    }
    sentinel(&d);
    memset(&err, 0, sizeof err);
    r = llp_data_load_csv(&d, BAD_CSV, desc, &err);
    CHECK(r == code, "%s: result %d (%s), expected %d (%s)", what, (int)r, llp_result_string(r), (int)code,
          llp_result_string(code));
    CHECK(strcmp(err.file, BAD_CSV) == 0, "%s: error names the file ('%s')", what, err.file);
    if (line >= 0) CHECK(err.line == line, "%s: error line %ld, expected %ld (%s)", what, err.line, line, err.message);
    if (column >= 0)
        CHECK(err.column == column, "%s: error column %ld, expected %ld (%s)", what, err.column, column, err.message);
    CHECK(err.message[0] != 0, "%s: error has a message", what);
    CHECK(is_sentinel(&d), "%s: output data set untouched", what);
    if (r == LLP_OK) llp_data_free(&d);
    remove(BAD_CSV);
}

/* A plain reader for the shipped files: skip the header line, then strtod
   comma-separated numbers. Returns the number of rows (0 on any surprise). */
static size_t read_plain_csv(const char *path, size_t cols, double **out) {
    FILE *f = fopen(path, "r");
    char line[8192];
    size_t rows = 0, cap = 0;
    double *v = NULL;
    *out = NULL;
    if (!f) return 0;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return 0;
    }
    while (fgets(line, sizeof line, f)) {
        char *p = line, *e;
        size_t j;
        if (rows == cap) {
            double *nv = (double *)realloc(v, (cap ? 2 * cap : 256) * cols * sizeof(double));
            if (!nv) break;
            v = nv;
            cap = cap ? 2 * cap : 256;
        }
        for (j = 0; j < cols; j++) {
            v[rows * cols + j] = strtod(p, &e);
            if (e == p || (*e != (j + 1 < cols ? ',' : '\n'))) {
                free(v);
                fclose(f);
                return 0;
            }
            p = e + 1;
        }
        rows++;
    }
    fclose(f);
    *out = v;
    return rows;
}

/* ---- CSV: shipped data sets --------------------------------------------- */

typedef struct shipped {
    const char *file;
    size_t n, d;
    llp_task task;
    size_t classes;
    int counts[10];
    double row0[14]; /* first data row as written in the file (features then target) */
} shipped;

/* The four shipped CSVs load with the default descriptor as documented in
   data/README.md: digits 1797x64 with 10 classes, iris 150x4 and wine 178x13
   with 3 classes, diabetes 442x10 auto-detected as regression (k = 1). Every
   feature and target equals an independent strtod re-read of the file, the
   class counts equal the README's, and the first row equals the numbers
   copied by hand from the file text. (Float: references rounded to float,
   see the top; still exact comparisons.) */
static void test_csv_shipped(void) {
    static const shipped sets[4] = {
        {"digits.csv", 1797, 64, LLP_TASK_CLASSIFICATION, 10, {178, 182, 177, 183, 181, 182, 181, 179, 174, 180},
         {0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15}},
        {"iris.csv", 150, 4, LLP_TASK_CLASSIFICATION, 3, {50, 50, 50}, {5.1, 3.5, 1.4, 0.2, 0}},
        {"wine.csv", 178, 13, LLP_TASK_CLASSIFICATION, 3, {59, 71, 48},
         {14.23, 1.71, 2.43, 15.6, 127, 2.8, 3.06, 0.28, 2.29, 5.64, 1.04, 3.92, 1065, 0}},
        {"diabetes.csv", 442, 10, LLP_TASK_REGRESSION, 0, {0},
         {59, 2, 32.1, 101.0, 157, 93.2, 38.0, 4.0, 4.8598, 87, 151}},
    };
    int s;
    for (s = 0; s < 4; s++) {
        const shipped *e = &sets[s];
        char rel[256], path[2048];
        llp_data d;
        llp_error err;
        llp_result r;
        double *ref = NULL;
        size_t rows, i, j, cols = e->d + 1, bad = 0, nspot = e->d + 1 < 14 ? e->d + 1 : 14;
        snprintf(rel, sizeof rel, "data/%s", e->file);
        root_path(path, sizeof path, rel);
        r = llp_data_load_csv(&d, path, NULL, &err);
        CHECK(r == LLP_OK, "%s loads: %s (%s:%ld:%ld %s)", e->file, llp_result_string(r), err.file, err.line,
              err.column, err.message);
        if (r != LLP_OK) continue;
        CHECK(d.n == e->n && d.d == e->d, "%s is %lux%lu, expected %lux%lu", e->file, (unsigned long)d.n,
              (unsigned long)d.d, (unsigned long)e->n, (unsigned long)e->d);
        CHECK(d.task == e->task, "%s task %d, expected %d", e->file, (int)d.task, (int)e->task);
        if (e->task == LLP_TASK_CLASSIFICATION) {
            int cnt[10] = {0}, inrange = 1;
            CHECK(d.n_classes == e->classes && d.labels && !d.y, "%s has %lu classes, expected %lu", e->file,
                  (unsigned long)d.n_classes, (unsigned long)e->classes);
            for (i = 0; i < d.n && d.labels; i++) {
                if (d.labels[i] < 0 || d.labels[i] >= (int)e->classes) inrange = 0;
                else cnt[d.labels[i]]++;
            }
            CHECK(inrange, "%s labels in 0..%lu", e->file, (unsigned long)e->classes - 1);
            for (j = 0; j < e->classes; j++)
                CHECK(cnt[j] == e->counts[j], "%s class %lu has %d samples, expected %d", e->file, (unsigned long)j,
                      cnt[j], e->counts[j]);
        } else {
            CHECK(d.k == 1 && d.y && !d.labels, "%s: one real target per sample", e->file);
        }
        /* first row, from the file text */
        for (j = 0; j < nspot; j++) {
            double got = j < d.d ? (double)d.x[j]
                                 : (d.labels ? (double)d.labels[0] : (double)d.y[0]);
            CHECK(got == LLP_TEST_ROUND(e->row0[j]), "%s row 1 column %lu = %.17g, file says %.17g", e->file,
                  (unsigned long)j + 1, got, e->row0[j]);
        }
        /* every value, against the plain reader */
        rows = read_plain_csv(path, cols, &ref);
        CHECK(rows == e->n, "plain reader finds %lu rows in %s", (unsigned long)rows, e->file);
        for (i = 0; i < rows && i < d.n; i++) {
            for (j = 0; j < d.d; j++) bad += (double)d.x[i * d.d + j] != LLP_TEST_ROUND(ref[i * cols + j]);
            if (d.labels) bad += (double)d.labels[i] != ref[i * cols + d.d];
            else
                bad += (double)d.y[i] != LLP_TEST_ROUND(ref[i * cols + d.d]);
        }
        CHECK(bad == 0, "%s: %lu values differ from the plain reader", e->file, (unsigned long)bad);
        free(ref);
        llp_data_free(&d);
    }
}

/* Target chosen by index (1-based from the front, negative from the end) and
   by header name, on iris: index -1, 5 and the name "species" equal the
   default; index 1, -5 and the name "sepal_length" make the first column the
   target (real values, so regression by auto-detection) with the other four
   columns as features in file order. A name wins over an index. (Float:
   the decimals are compared with their float roundings, exactly.) */
static void test_csv_target_selection(void) {
    char path[2048];
    llp_data def, d;
    llp_csv_desc c;
    llp_error err;
    int k;
    ZERO(def), ZERO(d);
    root_path(path, sizeof path, "data/iris.csv");
    if (llp_data_load_csv(&def, path, NULL, &err) != LLP_OK) {
        CHECK(0, "iris loads with defaults");
        return;
    }
    for (k = 0; k < 4; k++) {
        memset(&c, 0, sizeof c);
        if (k == 0) c.target_index = -1;
        if (k == 1) c.target_index = 5;
        if (k == 2) c.target_name = "species";
        if (k == 3) c.target_name = "species", c.target_index = 2;
        CHECK_OK(llp_data_load_csv(&d, path, &c, &err));
        CHECK(d.x && same_data(&d, &def), "variant %d of 'last column' equals the default load", k);
        llp_data_free(&d);
    }
    for (k = 0; k < 3; k++) {
        memset(&c, 0, sizeof c);
        if (k == 0) c.target_index = 1;
        if (k == 1) c.target_index = -5;
        if (k == 2) c.target_name = "sepal_length";
        CHECK_OK(llp_data_load_csv(&d, path, &c, &err));
        if (!d.x) continue;
        CHECK(d.n == 150 && d.d == 4 && d.task == LLP_TASK_REGRESSION && d.k == 1,
              "variant %d: 150x4 regression on sepal_length", k);
        CHECK(d.y && d.y[0] == (llp_real)5.1 && d.y[1] == (llp_real)4.9, "variant %d: targets 5.1, 4.9 from the file",
              k);
        CHECK(d.x[0] == 3.5 && d.x[1] == (llp_real)1.4 && d.x[2] == (llp_real)0.2 && d.x[3] == 0,
              "variant %d: features of row 1 are 3.5 1.4 0.2 0", k);
        CHECK(d.x[4] == 3.0 && d.x[7] == 0, "variant %d: row 2 starts 3.0 and ends with species 0", k);
        llp_data_free(&d);
    }
    memset(&c, 0, sizeof c);
    c.target_name = "petal_width";
    CHECK_OK(llp_data_load_csv(&d, path, &c, &err));
    if (d.x) {
        CHECK(d.y && d.y[0] == (llp_real)0.2 && d.x[0] == (llp_real)5.1 && d.x[2] == (llp_real)1.4 && d.x[3] == 0,
              "target 'petal_width' (column 4): y = 0.2, features 5.1 3.5 1.4 0");
        llp_data_free(&d);
    }
    llp_data_free(&def);
}

/* The same 4x2 table with labels 0 1 0 1 written in many dialects loads to the
   same data: header detected or forced, ',' ';' and tab delimiters detected,
   CRLF line ends, blank lines and '#' comments (also indented) skipped, spaces
   around fields, no newline at the end of the file. (Float: the table's
   values rounded to float, exactly.) */
static void test_csv_dialects(void) {
    static const double X[8] = {1.5, -2, 3, 4.25, -5, 6, 0.007, 8};
    static const int Y[4] = {0, 1, 0, 1};
    static const struct {
        const char *name;
        const char *text;
        int header;
    } v[] = {
        {"plain", "x1,x2,y\n1.5,-2,0\n3,4.25,1\n-5,6,0\n0.007,8,1\n", 0},
        {"semicolon", "x1;x2;y\n1.5;-2;0\n3;4.25;1\n-5;6;0\n0.007;8;1\n", 0},
        {"tab", "x1\tx2\ty\n1.5\t-2\t0\n3\t4.25\t1\n-5\t6\t0\n0.007\t8\t1\n", 0},
        {"crlf", "x1,x2,y\r\n1.5,-2,0\r\n3,4.25,1\r\n-5,6,0\r\n0.007,8,1\r\n", 0},
        {"comments", "# made by hand\n\nx1,x2,y\n   # indented comment\n1.5,-2,0\n\n3,4.25,1\n  \t \n-5,6,0\n#1,2,3\n"
                     "0.007,8,1",
         0},
        {"spaces", "  x1 , x2 ,y \n 1.5 , -2 , 0\n3 ,4.25, 1 \n  -5,6  ,0\n0.007 , 8,1\n", 0},
        {"no header", "1.5,-2,0\n3,4.25,1\n-5,6,0\n0.007,8,1\n", 0},
        {"no header forced", "1.5,-2,0\n3,4.25,1\n-5,6,0\n0.007,8,1\n", -1},
        {"numeric header forced", "10,20,30\n1.5,-2,0\n3,4.25,1\n-5,6,0\n0.007,8,1\n", 1},
        {"exponents", "x1,x2,y\n1.5e0,-2,0\n3,425e-2,1\n-.5e1,+6,0\n7E-3,8.000,1\n", 0},
    };
    size_t k, i;
    for (k = 0; k < sizeof v / sizeof v[0]; k++) {
        const char *name = "test_data_dialect.csv";
        llp_data d;
        llp_csv_desc c;
        llp_error err;
        llp_result r;
        int ok = 1;
        memset(&c, 0, sizeof c);
        c.header = v[k].header;
        write_text(name, v[k].text);
        r = llp_data_load_csv(&d, name, &c, &err);
        CHECK(r == LLP_OK, "%s: loads (%s at %ld:%ld: %s)", v[k].name, llp_result_string(r), err.line, err.column,
              err.message);
        if (r == LLP_OK) {
            CHECK(d.n == 4 && d.d == 2 && d.task == LLP_TASK_CLASSIFICATION && d.n_classes == 2,
                  "%s: 4x2, 2 classes (got %lux%lu)", v[k].name, (unsigned long)d.n, (unsigned long)d.d);
            for (i = 0; d.n == 4 && d.d == 2 && i < 8; i++) ok &= d.x[i] == (llp_real)X[i];
            for (i = 0; d.n == 4 && i < 4; i++) ok &= d.labels[i] == Y[i];
            CHECK(ok, "%s: values equal the table", v[k].name);
            llp_data_free(&d);
        }
        remove(name);
    }
    /* header forced on a headerless file drops the first row */
    {
        const char *name = "test_data_dialect.csv";
        llp_data d;
        llp_csv_desc c;
        ZERO(d);
        memset(&c, 0, sizeof c);
        c.header = 1;
        write_text(name, "1.5,-2,0\n3,4.25,1\n-5,6,0\n0.007,8,1\n");
        CHECK_OK(llp_data_load_csv(&d, name, &c, NULL));
        if (d.x) {
            CHECK(d.n == 3 && d.x[0] == 3 && d.labels[2] == 1, "header = 1 treats the first row as names");
            llp_data_free(&d);
        }
        remove(name);
    }
}

/* Task detection and forcing: integer targets that repeat load as classes
   (n_classes = max + 1); forcing REGRESSION keeps them as real targets;
   distinct integers, targets >= 1000, negative integers and reals are
   regression; forcing CLASSIFICATION on valid integer labels works. */
static void test_csv_task(void) {
    const char *name = "test_data_task.csv";
    llp_data d;
    llp_csv_desc c;
    ZERO(d);
    memset(&c, 0, sizeof c);
    write_text(name, "a,t\n1,0\n2,3\n3,0\n4,3\n");
    CHECK_OK(llp_data_load_csv(&d, name, &c, NULL));
    if (d.x) {
        CHECK(d.task == LLP_TASK_CLASSIFICATION && d.n_classes == 4 && d.labels[1] == 3,
              "repeating integers 0/3 load as 4 classes");
        llp_data_free(&d);
    }
    c.task = LLP_TASK_REGRESSION;
    CHECK_OK(llp_data_load_csv(&d, name, &c, NULL));
    if (d.x) {
        CHECK(d.task == LLP_TASK_REGRESSION && d.k == 1 && !d.labels && d.y[0] == 0 && d.y[1] == 3 && d.y[3] == 3,
              "forced regression keeps the integer targets as reals");
        llp_data_free(&d);
    }
    c.task = LLP_TASK_AUTO;
    {
        static const char *reg[4] = {"a,t\n1,0\n2,1\n3,2\n4,3\n", "a,t\n1,1000\n2,1000\n3,5\n",
                                     "a,t\n1,-1\n2,-1\n3,0\n", "a,t\n1,0.5\n2,0.5\n3,1\n"};
        int k;
        for (k = 0; k < 4; k++) {
            write_text(name, reg[k]);
            CHECK_OK(llp_data_load_csv(&d, name, &c, NULL));
            if (d.x) {
                CHECK(d.task == LLP_TASK_REGRESSION, "target set %d (distinct / >= 1000 / negative / real) is regression",
                      k);
                llp_data_free(&d);
            }
        }
    }
    c.task = LLP_TASK_CLASSIFICATION;
    write_text(name, "a,t\n1,0\n2,1\n3,2\n4,5\n");
    CHECK_OK(llp_data_load_csv(&d, name, &c, NULL));
    if (d.x) {
        CHECK(d.task == LLP_TASK_CLASSIFICATION && d.n_classes == 6 && d.labels[3] == 5,
              "forced classification on distinct labels 0 1 2 5: 6 classes");
        llp_data_free(&d);
    }
    remove(name);
}

/* Bad CSV files: each gives its own code, the file name, the 1-based line of
   the offending row (counting header, blank and comment lines) and the
   1-based field number, and leaves the output untouched. */
static void test_csv_errors(void) {
    llp_csv_desc c;
    memset(&c, 0, sizeof c);
    {
        llp_data d;
        llp_error err;
        llp_result r;
        const char *missing = "test_data_does_not_exist.csv";
        remove(missing);
        sentinel(&d);
        r = llp_data_load_csv(&d, missing, NULL, &err);
        CHECK(r == LLP_ERR_IO, "missing file: %s", llp_result_string(r));
        CHECK(strcmp(err.file, missing) == 0, "missing file: error names it ('%s')", err.file);
        CHECK(is_sentinel(&d), "missing file: output untouched");
    }
    csv_error_case("empty file", "", &c, LLP_ERR_EMPTY, -1, -1);
    csv_error_case("only comments", "# nothing\n\n   \n# here\n", &c, LLP_ERR_EMPTY, -1, -1);
    csv_error_case("header only", "a,b,c\n", &c, LLP_ERR_EMPTY, -1, -1);
    csv_error_case("header only, comments after", "a,b,c\n# no rows\n\n", &c, LLP_ERR_EMPTY, -1, -1);
    csv_error_case("short row", "a,b,c\n1,2,0\n3,4\n5,6,1\n", &c, LLP_ERR_RAGGED, 3, -1);
    csv_error_case("long row", "a,b,c\n1,2,0\n3,4,1\n5,6,1,7\n", &c, LLP_ERR_RAGGED, 4, 4);
    csv_error_case("short row after comments", "# c\na,b,c\n\n1,2,0\n# c\n3,4\n", &c, LLP_ERR_RAGGED, 6, -1);
    csv_error_case("short row, CRLF", "a,b,c\r\n1,2,0\r\n3\r\n", &c, LLP_ERR_RAGGED, 3, -1);
    csv_error_case("word in a field", "a,b,c\n1,2,0\n3,x7,1\n", &c, LLP_ERR_PARSE, 3, 2);
    csv_error_case("number with junk", "a,b,c\n1,2,0\n3,4,1\n1.5abc,6,0\n", &c, LLP_ERR_PARSE, 4, 1);
    csv_error_case("empty field", "a,b,c\n1,2,0\n3,,1\n", &c, LLP_ERR_PARSE, 3, 2);
    csv_error_case("bad target field", "a,b,c\n\n# c\n1,2,zero\n", &c, LLP_ERR_PARSE, 4, 3);
    csv_error_case("comma decimal in ';' file", "a;b;c\n1;2;0\n1,5;2;1\n", &c, LLP_ERR_PARSE, 3, 1);
    csv_error_case("nan", "a,b,c\n1,2,0\n3,nan,1\n", &c, LLP_ERR_NONFINITE, 3, 2);
    csv_error_case("NaN target", "a,b,c\n1,2,0\n3,4,NaN\n", &c, LLP_ERR_NONFINITE, 3, 3);
    csv_error_case("inf", "a,b,c\n1,2,0\n3,4,1\ninf,6,0\n", &c, LLP_ERR_NONFINITE, 4, 1);
    csv_error_case("-Infinity", "a,b,c\n1,2,0\n3,-Infinity,1\n", &c, LLP_ERR_NONFINITE, 3, 2);
    csv_error_case("overflowing 1e999", "a,b,c\n1,2,0\n3,1e999,1\n", &c, LLP_ERR_NONFINITE, 3, 2);
    csv_error_case("nan in a headerless first row", "nan,1,0\n2,3,1\n", &c, LLP_ERR_NONFINITE, 1, 1);
    csv_error_case("single column", "y\n1\n2\n1\n", &c, LLP_ERR_NO_COLUMN, 1, -1);
    csv_error_case("single headerless column", "1\n2\n1\n", &c, LLP_ERR_NO_COLUMN, 1, -1);
    c.header = -1;
    csv_error_case("header = -1 on a named header", "a,b,c\n1,2,0\n", &c, LLP_ERR_PARSE, 1, 1);
    c.header = 0;
    c.target_name = "label";
    csv_error_case("target name not in header", "a,b,c\n1,2,0\n3,4,1\n", &c, LLP_ERR_NO_COLUMN, 1, -1);
    csv_error_case("target name, no header", "1,2,0\n3,4,1\n", &c, LLP_ERR_NO_COLUMN, 1, -1);
    c.target_name = NULL;
    c.target_index = 4;
    csv_error_case("target index 4 of 3", "a,b,c\n1,2,0\n3,4,1\n", &c, LLP_ERR_NO_COLUMN, 1, -1);
    c.target_index = -4;
    csv_error_case("target index -4 of 3", "a,b,c\n1,2,0\n3,4,1\n", &c, LLP_ERR_NO_COLUMN, 1, -1);
    c.target_index = 0;
    c.task = LLP_TASK_CLASSIFICATION;
    csv_error_case("label 2.5", "a,b,c\n1,2,0\n3,4,1\n5,6,2.5\n", &c, LLP_ERR_LABEL, 4, 3);
    csv_error_case("label 2.5 after comments", "# c\na,b,c\n\n1,2,0\n# c\n5,6,2.5\n3,4,1\n", &c, LLP_ERR_LABEL, 6, 3);
    c.target_index = 1;
    csv_error_case("label -1 in column 1", "y,a,b\n0,1,2\n-1,3,4\n1,5,6\n", &c, LLP_ERR_LABEL, 3, 1);
    c.target_index = 0;
    csv_error_case("label 70000", "a,b\n1,0\n2,70000\n", &c, LLP_ERR_LABEL, 3, 2);
}

/* ---- IDX ---------------------------------------------------------------- */

/* Build an IDX file: 00 00 type ndim, big-endian u32 dims, payload. */
static size_t make_idx(unsigned char *buf, int type, int ndim, const uint32_t *dims, const void *payload,
                       size_t payload_len) {
    size_t p = 0;
    int i;
    buf[p++] = 0;
    buf[p++] = 0;
    buf[p++] = (unsigned char)type;
    buf[p++] = (unsigned char)ndim;
    for (i = 0; i < ndim; i++) {
        buf[p++] = (unsigned char)(dims[i] >> 24);
        buf[p++] = (unsigned char)(dims[i] >> 16);
        buf[p++] = (unsigned char)(dims[i] >> 8);
        buf[p++] = (unsigned char)dims[i];
    }
    memcpy(buf + p, payload, payload_len);
    return p + payload_len;
}

/* 5 images of 3x2 pixels with 0 and 255 among them, labels 2 0 1 2 1. */
#define IDX_N 5
#define IDX_D 6
static unsigned char idx_px[IDX_N * IDX_D];
static const unsigned char idx_lab[IDX_N] = {2, 0, 1, 2, 1};
static unsigned char idx_img[64], idx_lbl[64], idx_lbl32[64];
static size_t idx_img_len, idx_lbl_len, idx_lbl32_len;

static void idx_build(void) {
    uint32_t di[3] = {IDX_N, 3, 2}, dl[1] = {IDX_N};
    unsigned char l32[4 * IDX_N];
    int i;
    for (i = 0; i < IDX_N * IDX_D; i++) idx_px[i] = (unsigned char)((i * 41 + 7) % 256);
    idx_px[0] = 255;
    idx_px[1] = 0;
    for (i = 0; i < IDX_N; i++) {
        l32[4 * i] = l32[4 * i + 1] = l32[4 * i + 2] = 0;
        l32[4 * i + 3] = idx_lab[i];
    }
    idx_img_len = make_idx(idx_img, 0x08, 3, di, idx_px, sizeof idx_px);
    idx_lbl_len = make_idx(idx_lbl, 0x08, 1, dl, idx_lab, sizeof idx_lab);
    idx_lbl32_len = make_idx(idx_lbl32, 0x0C, 1, dl, l32, sizeof l32);
}

/* Parse the in-memory IDX pair and compare with the bytes it was made from:
   pixels are byte/255 (so 0 -> 0 and 255 -> 1), labels as written, classes =
   max label + 1; max_samples keeps the first rows (and n_classes follows the
   labels kept); int32 labels (type 0x0C) give the same data. */
static void test_idx_parse(void) {
    llp_data d, d32;
    llp_error err;
    size_t i;
    int ok = 1;
    ZERO(d), ZERO(d32);
    idx_build();
    CHECK_OK(llp_data_parse_idx(&d, idx_img, idx_img_len, idx_lbl, idx_lbl_len, 0, "mem", &err));
    if (!d.x) return;
    CHECK(d.n == IDX_N && d.d == IDX_D && d.task == LLP_TASK_CLASSIFICATION && d.n_classes == 3,
          "5 images of 6 pixels, 3 classes (got %lux%lu, %lu)", (unsigned long)d.n, (unsigned long)d.d,
          (unsigned long)d.n_classes);
    for (i = 0; i < IDX_N * IDX_D; i++) ok &= d.x[i] == (llp_real)(idx_px[i] / 255.0) && d.x[i] >= 0 && d.x[i] <= 1;
    CHECK(ok, "pixels are byte / 255 in [0, 1]");
    CHECK(d.x[0] == 1 && d.x[1] == 0, "255 -> 1 and 0 -> 0");
    ok = 1;
    for (i = 0; i < IDX_N; i++) ok &= d.labels[i] == idx_lab[i];
    CHECK(ok, "labels as written");
    CHECK_OK(llp_data_parse_idx(&d32, idx_img, idx_img_len, idx_lbl32, idx_lbl32_len, 0, "mem", &err));
    if (d32.x) {
        CHECK(same_data(&d, &d32), "int32 labels give the same data set");
        llp_data_free(&d32);
    }
    CHECK_OK(llp_data_parse_idx(&d32, idx_img, idx_img_len, idx_lbl, idx_lbl_len, 3, "mem", &err));
    if (d32.x) {
        CHECK(d32.n == 3 && d32.d == IDX_D && memcmp(d32.x, d.x, 3 * IDX_D * sizeof(llp_real)) == 0 &&
                  memcmp(d32.labels, d.labels, 3 * sizeof(int)) == 0,
              "max_samples = 3 keeps the first 3 samples");
        llp_data_free(&d32);
    }
    CHECK_OK(llp_data_parse_idx(&d32, idx_img, idx_img_len, idx_lbl, idx_lbl_len, 100, "mem", &err));
    if (d32.x) {
        CHECK(same_data(&d, &d32), "max_samples above n keeps all");
        llp_data_free(&d32);
    }
    CHECK_OK(llp_data_parse_idx(&d32, idx_img, idx_img_len, idx_lbl, idx_lbl_len, 2, "mem", &err));
    if (d32.x) {
        CHECK(d32.n == 2 && d32.n_classes == 3, "2 samples with labels 2, 0: 3 classes");
        llp_data_free(&d32);
    }
    llp_data_free(&d);
}

/* One failing in-memory IDX parse: code, error names `name`, output untouched. */
static void idx_error_case(const char *what, const unsigned char *img, size_t ilen, const unsigned char *lab,
                           size_t llen, llp_result code, long column) {
    llp_data d;
    llp_error err;
    llp_result r;
    sentinel(&d);
    memset(&err, 0, sizeof err);
    r = llp_data_parse_idx(&d, img, ilen, lab, llen, 0, "mem.idx", &err);
    CHECK(r == code, "%s: %s, expected %s", what, llp_result_string(r), llp_result_string(code));
    CHECK(strcmp(err.file, "mem.idx") == 0, "%s: error names the buffer ('%s')", what, err.file);
    if (column >= 0)
        CHECK(err.column == column, "%s: error column (byte offset) %ld, expected %ld (%s)", what, err.column, column,
              err.message);
    CHECK(is_sentinel(&d), "%s: output untouched", what);
    if (r == LLP_OK) llp_data_free(&d);
}

/* Bad IDX buffers: wrong magic, unknown element type, no dimensions -> FORMAT;
   a label file with 2 dimensions -> FORMAT; every truncation of the header
   and of the payload of either buffer -> TRUNCATED; a zero count -> EMPTY;
   image and label counts that differ -> SHAPE; int32 labels 70000 or -1 ->
   LABEL with the column at the 1-based byte offset of the bad label (the
   llp_error convention for binary files). */
static void test_idx_errors(void) {
    unsigned char img[64], lab[64];
    size_t len;
    uint32_t dl4[1] = {4}, dl[1] = {IDX_N}, di0[3] = {0, 3, 2}, dl2[2] = {IDX_N, 1};
    int bad_img = 0, bad_lab = 0;
    idx_build();
    memcpy(img, idx_img, idx_img_len);
    img[0] = 1;
    idx_error_case("image magic 01 00", img, idx_img_len, idx_lbl, idx_lbl_len, LLP_ERR_FORMAT, -1);
    memcpy(img, idx_img, idx_img_len);
    img[1] = 8;
    idx_error_case("image magic 00 08", img, idx_img_len, idx_lbl, idx_lbl_len, LLP_ERR_FORMAT, -1);
    memcpy(lab, idx_lbl, idx_lbl_len);
    lab[0] = 0x1f;
    idx_error_case("label magic 1f 00", idx_img, idx_img_len, lab, idx_lbl_len, LLP_ERR_FORMAT, -1);
    memcpy(img, idx_img, idx_img_len);
    img[2] = 0x07;
    idx_error_case("image type 0x07", img, idx_img_len, idx_lbl, idx_lbl_len, LLP_ERR_FORMAT, 3);
    img[2] = 0x0A;
    idx_error_case("image type 0x0A", img, idx_img_len, idx_lbl, idx_lbl_len, LLP_ERR_FORMAT, 3);
    memcpy(lab, idx_lbl, idx_lbl_len);
    lab[2] = 0xFF;
    idx_error_case("label type 0xFF", idx_img, idx_img_len, lab, idx_lbl_len, LLP_ERR_FORMAT, 3);
    memcpy(img, idx_img, idx_img_len);
    img[3] = 0;
    idx_error_case("image with 0 dimensions", img, idx_img_len, idx_lbl, idx_lbl_len, LLP_ERR_FORMAT, -1);
    len = make_idx(lab, 0x08, 2, dl2, idx_lab, IDX_N);
    idx_error_case("label file with 2 dimensions", idx_img, idx_img_len, lab, len, LLP_ERR_FORMAT, -1);
    len = make_idx(img, 0x08, 3, di0, idx_px, 0);
    idx_error_case("zero images", img, len, idx_lbl, idx_lbl_len, LLP_ERR_EMPTY, -1);
    len = make_idx(lab, 0x08, 1, dl4, idx_lab, 4);
    idx_error_case("5 images, 4 labels", idx_img, idx_img_len, lab, len, LLP_ERR_SHAPE, -1);
    /* every truncation, header and payload, of either buffer */
    for (len = 0; len < idx_img_len; len++) {
        llp_data d;
        llp_error err;
        llp_result r;
        sentinel(&d);
        r = llp_data_parse_idx(&d, idx_img, len, idx_lbl, idx_lbl_len, 0, "mem.idx", &err);
        if (r != LLP_ERR_TRUNCATED || !is_sentinel(&d) || strcmp(err.file, "mem.idx") != 0) {
            if (!bad_img) CHECK(0, "images cut to %lu bytes: %s", (unsigned long)len, llp_result_string(r));
            bad_img++;
        }
        if (r == LLP_OK) llp_data_free(&d);
    }
    CHECK(bad_img == 0, "%d of %lu image truncations not TRUNCATED (or output touched)", bad_img,
          (unsigned long)idx_img_len);
    for (len = 0; len < idx_lbl_len; len++) {
        llp_data d;
        llp_error err;
        llp_result r;
        sentinel(&d);
        r = llp_data_parse_idx(&d, idx_img, idx_img_len, idx_lbl, len, 0, "mem.idx", &err);
        if (r != LLP_ERR_TRUNCATED || !is_sentinel(&d) || strcmp(err.file, "mem.idx") != 0) {
            if (!bad_lab) CHECK(0, "labels cut to %lu bytes: %s", (unsigned long)len, llp_result_string(r));
            bad_lab++;
        }
        if (r == LLP_OK) llp_data_free(&d);
    }
    CHECK(bad_lab == 0, "%d of %lu label truncations not TRUNCATED (or output touched)", bad_lab,
          (unsigned long)idx_lbl_len);
    {
        unsigned char l32[4 * IDX_N];
        int i;
        for (i = 0; i < IDX_N; i++) l32[4 * i] = l32[4 * i + 1] = l32[4 * i + 2] = 0, l32[4 * i + 3] = idx_lab[i];
        /* label 3 = 70000 = 0x00011170 */
        l32[12] = 0x00, l32[13] = 0x01, l32[14] = 0x11, l32[15] = 0x70;
        len = make_idx(lab, 0x0C, 1, dl, l32, sizeof l32);
        idx_error_case("int32 label 70000", idx_img, idx_img_len, lab, len, LLP_ERR_LABEL, 8 + 4 * 3 + 1);
        l32[12] = l32[13] = l32[14] = 0, l32[15] = 1;
        l32[4] = l32[5] = l32[6] = l32[7] = 0xFF; /* label 1 = -1 */
        len = make_idx(lab, 0x0C, 1, dl, l32, sizeof l32);
        idx_error_case("int32 label -1", idx_img, idx_img_len, lab, len, LLP_ERR_LABEL, 8 + 4 * 1 + 1);
    }
}

/* One failing IDX file load: code, the error names `file`, output untouched. */
static void idx_file_error_case(const char *what, const char *images, const char *labels, llp_result code,
                                const char *file) {
    llp_data d;
    llp_error err;
    llp_result r;
    sentinel(&d);
    memset(&err, 0, sizeof err);
    r = llp_data_load_idx(&d, images, labels, 0, &err);
    CHECK(r == code, "%s: %s, expected %s", what, llp_result_string(r), llp_result_string(code));
    if (file) CHECK(strcmp(err.file, file) == 0, "%s: error names '%s' (got '%s')", what, file, err.file);
    CHECK(is_sentinel(&d), "%s: output untouched", what);
    if (r == LLP_OK) llp_data_free(&d);
}

/* The same IDX pair from files loads like the buffers; errors name the file
   at fault: a missing image or label file (IO), bad magic or a truncated
   payload in one of them (FORMAT, TRUNCATED), and an out-of-range label in
   the label file (LABEL, which belongs to the label file). */
static void test_idx_files(void) {
    const char *fi = "test_data_images.idx", *fl = "test_data_labels.idx", *fb = "test_data_bad.idx";
    const char *missing = "test_data_missing.idx";
    llp_data a, b;
    unsigned char buf[64];
    ZERO(a), ZERO(b);
    idx_build();
    write_file(fi, idx_img, idx_img_len);
    write_file(fl, idx_lbl, idx_lbl_len);
    remove(missing);
    CHECK_OK(llp_data_load_idx(&a, fi, fl, 0, NULL));
    CHECK_OK(llp_data_parse_idx(&b, idx_img, idx_img_len, idx_lbl, idx_lbl_len, 0, "mem", NULL));
    if (a.x && b.x) CHECK(same_data(&a, &b), "file load equals the buffer parse");
    if (a.x) llp_data_free(&a);
    if (b.x) llp_data_free(&b);
    CHECK_OK(llp_data_load_idx(&a, fi, fl, 2, NULL));
    if (a.x) {
        CHECK(a.n == 2, "max_samples = 2 from files");
        llp_data_free(&a);
    }
    idx_file_error_case("missing image file", missing, fl, LLP_ERR_IO, missing);
    idx_file_error_case("missing label file", fi, missing, LLP_ERR_IO, missing);
    memcpy(buf, idx_lbl, idx_lbl_len);
    buf[0] = 9;
    write_file(fb, buf, idx_lbl_len);
    idx_file_error_case("bad magic in the label file", fi, fb, LLP_ERR_FORMAT, fb);
    idx_file_error_case("bad magic in the image file", fb, fl, LLP_ERR_FORMAT, fb);
    write_file(fb, idx_img, idx_img_len - 1);
    idx_file_error_case("truncated image file", fb, fl, LLP_ERR_TRUNCATED, fb);
    write_file(fb, idx_lbl, idx_lbl_len - 1);
    idx_file_error_case("truncated label file", fi, fb, LLP_ERR_TRUNCATED, fb);
    write_file(fb, idx_lbl, 6);
    idx_file_error_case("label file cut in its header", fi, fb, LLP_ERR_TRUNCATED, fb);
    {
        uint32_t dl[1] = {IDX_N};
        unsigned char l32[4 * IDX_N];
        size_t len;
        memset(l32, 0, sizeof l32);
        l32[7] = 1;
        l32[9] = 0x01; /* label 2 = 65536 */
        len = make_idx(buf, 0x0C, 1, dl, l32, sizeof l32);
        write_file(fb, buf, len);
        idx_file_error_case("label 65536 in the label file", fi, fb, LLP_ERR_LABEL, fb);
    }
    {
        uint32_t dl[1] = {IDX_N + 1};
        unsigned char l6[IDX_N + 1] = {0, 1, 0, 1, 0, 1};
        size_t len = make_idx(buf, 0x08, 1, dl, l6, sizeof l6);
        write_file(fb, buf, len);
        idx_file_error_case("5 images, 6 labels", fi, fb, LLP_ERR_SHAPE, NULL);
    }
    remove(fi);
    remove(fl);
    remove(fb);
}

/* ---- gzip --------------------------------------------------------------- */

/* The tiny fixtures: 10 images of 4x4, pixel (i, j) = (37 i + 17 j) mod 256
   except image 0 pixels 0, 1 = 255, 0; labels (3 i + 1) mod 10. */
static int tiny_pixel(int i, int j) {
    if (i == 0 && j == 0) return 255;
    if (i == 0 && j == 1) return 0;
    return (i * 37 + j * 17) % 256;
}

/* gzip-compressed IDX files decode to exactly the plain ones: the tiny
   fixtures (plain and .gz, made by `gzip -n -9`) give byte-identical data
   sets, equal to the pattern they were generated from, from files and from
   memory, also with one file compressed and the other not, and with optional
   gzip header fields (FNAME, FCOMMENT, FEXTRA, FHCRC) added. Damage is caught:
   the first half of the .gz file -> TRUNCATED (naming that file), every
   shorter cut -> TRUNCATED, a flipped CRC-32 or length byte -> CHECKSUM, any
   flipped byte of the deflate data -> an error (CHECKSUM, FORMAT or
   TRUNCATED) unless the data decoded is still the original, never a crash
   and never a half-filled output; compression method other than 8 ->
   FORMAT. Fashion-MNIST's test files, when installed, load 1000 samples of
   784 pixels in [0, 1] whose labels and pixel sum match Python's gzip. */
static void test_idx_gzip(void) {
    char pi[2048], pl[2048], gi[2048], gl[2048];
    const char *half = "test_data_half.gz";
    llp_data plain, gz, t;
    llp_error err;
    llp_result r;
    unsigned char *gzi = NULL, *gzl = NULL, *rawl = NULL;
    size_t gzi_len = 0, gzl_len = 0, rawl_len = 0, i;
    root_path(pi, sizeof pi, "tests/fixtures/tiny-images-idx3-ubyte");
    root_path(pl, sizeof pl, "tests/fixtures/tiny-labels-idx1-ubyte");
    root_path(gi, sizeof gi, "tests/fixtures/tiny-images-idx3-ubyte.gz");
    root_path(gl, sizeof gl, "tests/fixtures/tiny-labels-idx1-ubyte.gz");
    memset(&plain, 0, sizeof plain);
    memset(&gz, 0, sizeof gz);
    r = llp_data_load_idx(&plain, pi, pl, 0, &err);
    CHECK(r == LLP_OK, "plain tiny fixtures load: %s (%s: %s)", llp_result_string(r), err.file, err.message);
    if (r == LLP_OK) {
        int ok = 1, j;
        CHECK(plain.n == 10 && plain.d == 16 && plain.n_classes == 10, "tiny: 10 images of 16 pixels, 10 classes");
        for (i = 0; i < 10 && plain.n == 10 && plain.d == 16; i++) {
            for (j = 0; j < 16; j++) ok &= plain.x[i * 16 + (size_t)j] == (llp_real)(tiny_pixel((int)i, j) / 255.0);
            ok &= plain.labels[i] == (int)((3 * i + 1) % 10);
        }
        CHECK(ok, "tiny: pixels and labels equal the generating pattern");
    }
    r = llp_data_load_idx(&gz, gi, gl, 0, &err);
    CHECK(r == LLP_OK, "gzip tiny fixtures load: %s (%s: %s)", llp_result_string(r), err.file, err.message);
    if (r == LLP_OK && plain.x) CHECK(same_data(&plain, &gz), "gzip files decode to the plain data set");
    if (gz.x) llp_data_free(&gz);
    r = llp_data_load_idx(&gz, gi, pl, 0, &err);
    CHECK(r == LLP_OK && plain.x && same_data(&plain, &gz), "compressed images + plain labels: same data (%s)",
          llp_result_string(r));
    if (r == LLP_OK) llp_data_free(&gz);
    r = llp_data_load_idx(&gz, pi, gl, 3, &err);
    CHECK(r == LLP_OK && gz.n == 3 && plain.x && memcmp(gz.x, plain.x, 3 * 16 * sizeof(llp_real)) == 0,
          "plain images + compressed labels, max_samples 3 (%s)", llp_result_string(r));
    if (r == LLP_OK) llp_data_free(&gz);

    gzi = read_all(gi, &gzi_len);
    gzl = read_all(gl, &gzl_len);
    rawl = read_all(pl, &rawl_len);
    CHECK(gzi && gzl && rawl && gzi_len > 20 && gzl_len > 20, "fixtures readable");
    if (!gzi || !gzl || !rawl || gzi_len <= 20 || gzl_len <= 20) goto out;
    r = llp_data_parse_idx(&gz, gzi, gzi_len, gzl, gzl_len, 0, "mem.gz", &err);
    CHECK(r == LLP_OK && plain.x && same_data(&plain, &gz), "gzip buffers parse to the plain data set (%s)",
          llp_result_string(r));
    if (r == LLP_OK) llp_data_free(&gz);

    /* optional header fields: FEXTRA (2 + 3 bytes), FNAME, FCOMMENT, FHCRC (2 bytes, not checked here
       against a real CRC-16: RFC 1952 makes checking optional, so we write the right value) */
    {
        static const unsigned char extra[] = {3, 0, 'a', 'b', 'c'};
        static const char *fname = "tiny-images-idx3-ubyte", *fcomment = "made for llprobe tests";
        size_t cap = gzi_len + 128, p = 0;
        unsigned char *b = (unsigned char *)malloc(cap);
        if (b) {
            uint32_t crc = 0xFFFFFFFFu;
            size_t k;
            int bit;
            memcpy(b, gzi, 10);
            b[3] = 0x04 | 0x08 | 0x10 | 0x02; /* FEXTRA FNAME FCOMMENT FHCRC */
            p = 10;
            memcpy(b + p, extra, sizeof extra), p += sizeof extra;
            memcpy(b + p, fname, strlen(fname) + 1), p += strlen(fname) + 1;
            memcpy(b + p, fcomment, strlen(fcomment) + 1), p += strlen(fcomment) + 1;
            for (k = 0; k < p; k++) { /* CRC-32 of the header so far; FHCRC is its low 16 bits */
                crc ^= b[k];
                for (bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
            }
            crc ^= 0xFFFFFFFFu;
            b[p++] = (unsigned char)crc;
            b[p++] = (unsigned char)(crc >> 8);
            memcpy(b + p, gzi + 10, gzi_len - 10), p += gzi_len - 10;
            r = llp_data_parse_idx(&gz, b, p, rawl, rawl_len, 0, "mem.gz", &err);
            CHECK(r == LLP_OK && plain.x && same_data(&plain, &gz),
                  "gzip with FEXTRA, FNAME, FCOMMENT and FHCRC decodes the same (%s)", llp_result_string(r));
            if (r == LLP_OK) llp_data_free(&gz);
            free(b);
        }
    }

    /* the first half of the .gz file */
    write_file(half, gzi, gzi_len / 2);
    sentinel(&t);
    memset(&err, 0, sizeof err);
    r = llp_data_load_idx(&t, half, pl, 0, &err);
    CHECK(r == LLP_ERR_TRUNCATED, "first half of the image .gz: %s", llp_result_string(r));
    CHECK(strcmp(err.file, half) == 0, "truncated .gz: error names '%s' (got '%s')", half, err.file);
    CHECK(is_sentinel(&t), "truncated .gz: output untouched");
    write_file(half, gzl, gzl_len / 2);
    sentinel(&t);
    r = llp_data_load_idx(&t, pi, half, 0, &err);
    CHECK(r == LLP_ERR_TRUNCATED && strcmp(err.file, half) == 0 && is_sentinel(&t),
          "first half of the label .gz: %s naming '%s'", llp_result_string(r), err.file);
    remove(half);

    /* every cut of the compressed image buffer (the gzip magic kept) */
    {
        int bad = 0;
        size_t len;
        for (len = 2; len < gzi_len; len++) {
            sentinel(&t);
            r = llp_data_parse_idx(&t, gzi, len, rawl, rawl_len, 0, "mem.gz", &err);
            if (r != LLP_ERR_TRUNCATED || !is_sentinel(&t)) {
                if (!bad) CHECK(0, "gzip cut to %lu of %lu bytes: %s", (unsigned long)len, (unsigned long)gzi_len,
                                llp_result_string(r));
                bad++;
            }
            if (r == LLP_OK) llp_data_free(&t);
        }
        CHECK(bad == 0, "%d cuts of the .gz not reported as TRUNCATED", bad);
    }

    /* flipped bytes */
    {
        unsigned char *b = (unsigned char *)malloc(gzi_len);
        size_t pos;
        int bad = 0;
        if (b) {
            for (pos = gzi_len - 8; pos < gzi_len; pos++) { /* CRC-32 and ISIZE */
                memcpy(b, gzi, gzi_len);
                b[pos] ^= 0x01;
                sentinel(&t);
                r = llp_data_parse_idx(&t, b, gzi_len, rawl, rawl_len, 0, "mem.gz", &err);
                CHECK(r == LLP_ERR_CHECKSUM && is_sentinel(&t), "trailer byte %lu flipped: %s", (unsigned long)pos,
                      llp_result_string(r));
                if (r == LLP_OK) llp_data_free(&t);
            }
            memcpy(b, gzi, gzi_len);
            b[2] = 7; /* CM: only 8 (deflate) exists */
            sentinel(&t);
            r = llp_data_parse_idx(&t, b, gzi_len, rawl, rawl_len, 0, "mem.gz", &err);
            CHECK(r == LLP_ERR_FORMAT && is_sentinel(&t), "compression method 7: %s", llp_result_string(r));
            if (r == LLP_OK) llp_data_free(&t);
            for (pos = 10; pos < gzi_len - 8; pos++) {
                int mask;
                for (mask = 0; mask < 3; mask++) {
                    memcpy(b, gzi, gzi_len);
                    b[pos] ^= (unsigned char)(mask == 0 ? 0xFF : mask == 1 ? 0x01 : 0x80);
                    sentinel(&t);
                    r = llp_data_parse_idx(&t, b, gzi_len, rawl, rawl_len, 0, "mem.gz", &err);
                    if (r == LLP_OK) {
                        /* acceptable only if the decoded data is still the original */
                        if (!plain.x || !same_data(&t, &plain)) {
                            if (!bad) CHECK(0, "deflate byte %lu ^ mask %d: OK with wrong data", (unsigned long)pos, mask);
                            bad++;
                        }
                        llp_data_free(&t);
                    } else if ((r != LLP_ERR_CHECKSUM && r != LLP_ERR_FORMAT && r != LLP_ERR_TRUNCATED) ||
                               !is_sentinel(&t)) {
                        if (!bad) CHECK(0, "deflate byte %lu ^ mask %d: %s", (unsigned long)pos, mask,
                                        llp_result_string(r));
                        bad++;
                    }
                }
            }
            CHECK(bad == 0, "%d flipped deflate bytes not caught", bad);
            free(b);
        }
    }

    /* Fashion-MNIST, when installed (CI installs dataset-fashion-mnist) */
    {
        const char *fi = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
        const char *fl = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";
        FILE *f1 = fopen(fi, "rb"), *f2 = fopen(fl, "rb");
        if (f1) fclose(f1);
        if (f2) fclose(f2);
        if (!f1 || !f2) {
            printf("  note: %s not installed; Fashion-MNIST check skipped\n", f1 ? fl : fi);
        } else {
            static const int first[10] = {9, 2, 1, 1, 6, 1, 4, 6, 5, 7};
            static const int counts[10] = {107, 105, 111, 93, 115, 87, 97, 95, 95, 95};
            r = llp_data_load_idx(&t, fi, fl, 1000, &err);
            CHECK(r == LLP_OK, "Fashion-MNIST t10k loads: %s (%s: %s)", llp_result_string(r), err.file, err.message);
            if (r == LLP_OK) {
                int cnt[10] = {0}, ok = 1, inrange = 1;
                long long sum = 0;
                CHECK(t.n == 1000 && t.d == 784 && t.n_classes == 10, "1000 x 784, 10 classes (got %lux%lu, %lu)",
                      (unsigned long)t.n, (unsigned long)t.d, (unsigned long)t.n_classes);
                for (i = 0; i < 10 && i < t.n; i++) ok &= t.labels[i] == first[i];
                CHECK(ok, "first labels 9 2 1 1 6 1 4 6 5 7");
                for (i = 0; i < t.n && t.n_classes == 10; i++)
                    if (t.labels[i] >= 0 && t.labels[i] < 10) cnt[t.labels[i]]++;
                for (i = 0; i < 10; i++) CHECK(cnt[i] == counts[i], "class %lu: %d of 1000", (unsigned long)i, cnt[i]);
                for (i = 0; i < t.n * t.d; i++) {
                    if (!(t.x[i] >= 0 && t.x[i] <= 1)) inrange = 0;
                    sum += (long long)floor(t.x[i] * 255.0 + 0.5);
                }
                CHECK(inrange, "pixels in [0, 1]");
                CHECK(sum == 58034149LL, "sum of the 784000 pixel bytes = %lld, Python says 58034149", sum);
                llp_data_free(&t);
            }
        }
    }
out:
    free(gzi);
    free(gzl);
    free(rawl);
    if (plain.x) llp_data_free(&plain);
}

/* ---- standardisation ---------------------------------------------------- */

/* After llp_data_standardize every non-constant column has mean 0 and
   population std 1 (to 1e-12), and the returned mean/std equal two-pass
   statistics computed here; constant columns (0.1 and 3, where the computed
   mean may differ from the value by rounding) keep finite values ~0 and
   report std exactly 1. apply_standardization on another set equals
   (x - mean) / std computed here, and rejects std <= 0 or non-finite stats
   with LLP_ERR_ARG leaving the data unchanged.
   Float: the returned mean and std are double statistics rounded to float
   (half an ulp: FLT_EPSILON relative). The standardised column then is off
   by that rounding of the mean, |mean| / std eps/2 (~3e-7 for column 0,
   mean 106, std 20), plus the rounding of each value: its mean and
   population std are checked to 1e-6 (measured 1.7e-7 and 3.5e-8). */
static void test_standardize(void) {
    const size_t n = 50, d = 4;
    llp_data a, b, ref;
    llp_real mean[4], sd[4], bad_sd[4];
    llp_rng rng;
    size_t i, j;
    llp_rng_seed(&rng, 11);
    if (llp_data_alloc(&a, n, d, LLP_TASK_REGRESSION, 1) != LLP_OK) return;
    for (i = 0; i < n; i++) {
        a.x[i * d + 0] = (llp_real)(100 + 20 * llp_rng_normal(&rng));
        a.x[i * d + 1] = (llp_real)0.1;
        a.x[i * d + 2] = (llp_real)(1e-3 * llp_rng_uniform(&rng));
        a.x[i * d + 3] = 3;
    }
    copy_data(&a, &ref);
    CHECK_OK(llp_data_standardize(&a, mean, sd));
    for (j = 0; j < d; j++) {
        double m = 0, v = 0, om = 0, ov = 0;
        for (i = 0; i < n; i++) om += ref.x[i * d + j];
        om /= (double)n;
        for (i = 0; i < n; i++) ov += (ref.x[i * d + j] - om) * (ref.x[i * d + j] - om);
        ov = sqrt(ov / (double)n);
        for (i = 0; i < n; i++) m += a.x[i * d + j];
        m /= (double)n;
        for (i = 0; i < n; i++) v += (a.x[i * d + j] - m) * (a.x[i * d + j] - m);
        v = sqrt(v / (double)n);
        CHECK_CLOSE(mean[j], om, TOL(1e-12, FLT_EPSILON), "returned mean");
        if (j == 1 || j == 3) {
            int fin = 1;
            for (i = 0; i < n; i++) fin &= fabs(a.x[i * d + j]) <= 1e-12;
            CHECK(sd[j] == 1, "constant column %lu reports std 1 (got %.17g)", (unsigned long)j, (double)sd[j]);
            CHECK(fin, "constant column %lu stays finite and centred (x[0] = %.17g)", (unsigned long)j,
                  (double)a.x[j]);
        } else {
            CHECK_CLOSE(sd[j], ov, TOL(1e-12, FLT_EPSILON), "returned std");
            CHECK(fabs(m) < TOL(1e-12, 1e-6), "column %lu mean after = %.3g", (unsigned long)j, m);
            CHECK(fabs(v - 1) < TOL(1e-12, 1e-6), "column %lu population std after = %.17g", (unsigned long)j, v);
        }
    }
    /* apply to another set */
    if (llp_data_alloc(&b, 7, d, LLP_TASK_REGRESSION, 1) == LLP_OK) {
        llp_data bcopy;
        int ok = 1;
        for (i = 0; i < 7 * d; i++) b.x[i] = (llp_real)(50 * llp_rng_normal(&rng));
        copy_data(&b, &bcopy);
        memcpy(bad_sd, sd, sizeof sd);
        bad_sd[2] = 0;
        CHECK(llp_data_apply_standardization(&b, mean, bad_sd) == LLP_ERR_ARG, "std 0 rejected");
        bad_sd[2] = -1;
        CHECK(llp_data_apply_standardization(&b, mean, bad_sd) == LLP_ERR_ARG, "negative std rejected");
        bad_sd[2] = (llp_real)NAN;
        CHECK(llp_data_apply_standardization(&b, mean, bad_sd) == LLP_ERR_ARG, "NaN std rejected");
        CHECK(same_data(&b, &bcopy), "rejected statistics leave the data unchanged");
        CHECK_OK(llp_data_apply_standardization(&b, mean, sd));
        for (i = 0; i < 7; i++)
            for (j = 0; j < d; j++) ok &= b.x[i * d + j] == (bcopy.x[i * d + j] - mean[j]) / sd[j];
        CHECK(ok, "apply_standardization is (x - mean) / std elementwise");
        llp_data_free(&bcopy);
        llp_data_free(&b);
    }
    {
        llp_data empty;
        memset(&empty, 0, sizeof empty);
        CHECK(llp_data_standardize(&empty, NULL, NULL) == LLP_ERR_ARG, "standardize of an empty set: ARG");
    }
    llp_data_free(&ref);
    llp_data_free(&a);
}

/* ---- shuffle, split, subset -------------------------------------------- */

/* n rows whose first feature is the row id, second a function of it, label id
   mod 3: a row can be traced after any permutation. */
static void make_traceable(llp_data *d, size_t n) {
    size_t i;
    llp_data_alloc(d, n, 2, LLP_TASK_CLASSIFICATION, 3);
    for (i = 0; i < n; i++) {
        d->x[2 * i] = (llp_real)i;
        d->x[2 * i + 1] = (llp_real)(0.5 + 2.0 * (double)i);
        d->labels[i] = (int)(i % 3);
    }
}

/* Mark the rows of part in seen[]; 0 if a row is broken (features or label not
   belonging together) or seen twice. */
static int trace_rows(const llp_data *part, int *seen, size_t n) {
    size_t i;
    for (i = 0; i < part->n; i++) {
        double id = part->x[2 * i];
        size_t k = (size_t)id;
        if (id < 0 || id >= (double)n || id != floor(id) || seen[k]) return 0;
        if (part->x[2 * i + 1] != (llp_real)(0.5 + 2.0 * id) || part->labels[i] != (int)(k % 3)) return 0;
        seen[k] = 1;
    }
    return 1;
}

/* llp_data_shuffle permutes whole rows (features with their label or
   target), is a pure function of the seed (same seed -> identical bytes,
   different seed -> different order), and actually moves rows. */
static void test_shuffle(void) {
    const size_t n = 100;
    llp_data a, b, c;
    llp_rng r1, r2, r3;
    int seen[100] = {0}, all = 1;
    size_t i, moved = 0;
    make_traceable(&a, n);
    make_traceable(&b, n);
    make_traceable(&c, n);
    llp_rng_seed(&r1, 5);
    llp_rng_seed(&r2, 5);
    llp_rng_seed(&r3, 6);
    CHECK_OK(llp_data_shuffle(&a, &r1));
    CHECK_OK(llp_data_shuffle(&b, &r2));
    CHECK_OK(llp_data_shuffle(&c, &r3));
    CHECK(same_data(&a, &b), "same seed, same shuffle (bytes)");
    CHECK(!same_data(&a, &c), "different seed, different shuffle");
    CHECK(a.n == n && trace_rows(&a, seen, n), "shuffled rows are whole original rows, each once");
    for (i = 0; i < n; i++) all &= seen[i], moved += a.x[2 * i] != (llp_real)i;
    CHECK(all, "every original row is present");
    CHECK(moved > n / 2, "the shuffle moved %lu of %lu rows", (unsigned long)moved, (unsigned long)n);
    llp_data_free(&a);
    llp_data_free(&b);
    llp_data_free(&c);
    /* regression targets travel with their rows */
    {
        llp_data s;
        llp_rng rng;
        int ok = 1;
        llp_rng_seed(&rng, 1);
        if (llp_data_alloc(&s, 30, 1, LLP_TASK_REGRESSION, 2) == LLP_OK) {
            for (i = 0; i < 30; i++) s.x[i] = (llp_real)i, s.y[2 * i] = (llp_real)(10 * i), s.y[2 * i + 1] = -(llp_real)i;
            CHECK_OK(llp_data_shuffle(&s, &rng));
            for (i = 0; i < 30; i++) ok &= s.y[2 * i] == 10 * s.x[i] && s.y[2 * i + 1] == -s.x[i];
            CHECK(ok, "regression targets (k = 2) stay with their rows");
            llp_data_free(&s);
        }
    }
}

/* llp_data_split: sizes round(n*frac_val), round(n*frac_test), rest train
   (101 rows, 0.2 / 0.15 -> 66 / 20 / 15; 10 rows, 0.25 / 0 -> 7 / 3 with
   2.5 rounded up); every original row appears in exactly one part, intact;
   same seed -> identical bytes; src unchanged. Bad fractions (negative, NaN,
   sum >= 1) and a missing val/test output for a non-zero fraction give
   LLP_ERR_ARG with the outputs and the generator untouched. */
static void test_split(void) {
    const size_t n = 101;
    llp_data src, srccopy, tr, va, te, tr2, va2, te2;
    llp_rng r1, r2;
    int seen[101] = {0}, all = 1;
    size_t i;
    ZERO(tr), ZERO(va), ZERO(te), ZERO(tr2), ZERO(va2), ZERO(te2);
    make_traceable(&src, n);
    copy_data(&src, &srccopy);
    llp_rng_seed(&r1, 9);
    llp_rng_seed(&r2, 9);
    CHECK_OK(llp_data_split(&src, 0.2, 0.15, &r1, &tr, &va, &te));
    CHECK_OK(llp_data_split(&src, 0.2, 0.15, &r2, &tr2, &va2, &te2));
    if (!tr.x || !va.x || !te.x) return;
    CHECK(tr.n == 66 && va.n == 20 && te.n == 15, "sizes %lu/%lu/%lu, expected 66/20/15", (unsigned long)tr.n,
          (unsigned long)va.n, (unsigned long)te.n);
    CHECK(trace_rows(&tr, seen, n) && trace_rows(&va, seen, n) && trace_rows(&te, seen, n),
          "train, val and test hold intact rows, none twice");
    for (i = 0; i < n; i++) all &= seen[i];
    CHECK(all, "every row lands in one part");
    CHECK(same_data(&tr, &tr2) && same_data(&va, &va2) && same_data(&te, &te2), "same seed, same split (bytes)");
    CHECK(same_data(&src, &srccopy), "the source is unchanged");
    CHECK(tr.n_classes == 3 && va.n_classes == 3 && te.n_classes == 3, "parts keep n_classes");
    llp_data_free(&tr), llp_data_free(&va), llp_data_free(&te);
    llp_data_free(&tr2), llp_data_free(&va2), llp_data_free(&te2);
    {
        llp_data ten;
        make_traceable(&ten, 10);
        CHECK_OK(llp_data_split(&ten, 0.25, 0, &r1, &tr, &va, NULL));
        if (tr.x && va.x) {
            CHECK(tr.n == 7 && va.n == 3, "10 rows, 0.25 val: 7/3 (round(2.5) = 3), got %lu/%lu", (unsigned long)tr.n,
                  (unsigned long)va.n);
            llp_data_free(&tr), llp_data_free(&va);
        }
        CHECK_OK(llp_data_split(&ten, 0, 0, &r1, &tr, NULL, NULL));
        if (tr.x) {
            int s2[10] = {0};
            CHECK(tr.n == 10 && trace_rows(&tr, s2, 10), "fractions 0: train is a permutation of all rows");
            llp_data_free(&tr);
        }
        llp_data_free(&ten);
    }
    {
        static const double bad[][2] = {{-0.1, 0.2}, {0.2, -0.01}, {0.5, 0.5}, {0.7, 0.4}, {1.0, 0}, {0, 1.5}};
        size_t k;
        for (k = 0; k < sizeof bad / sizeof bad[0] + 2; k++) {
            llp_data s1, s2, s3;
            llp_rng before;
            llp_result r;
            double fv = k < 6 ? bad[k][0] : (k == 6 ? NAN : 0.3), ft = k < 6 ? bad[k][1] : 0.1;
            sentinel(&s1), sentinel(&s2), sentinel(&s3);
            before = r1;
            if (k == 7) r = llp_data_split(&src, fv, ft, &r1, &s1, NULL, &s3); /* val missing */
            else r = llp_data_split(&src, fv, ft, &r1, &s1, &s2, &s3);
            CHECK(r == LLP_ERR_ARG, "fractions %g / %g%s: %s", fv, ft, k == 7 ? " (val NULL)" : "",
                  llp_result_string(r));
            CHECK(is_sentinel(&s1) && is_sentinel(&s2) && is_sentinel(&s3), "fractions %g / %g: outputs untouched",
                  fv, ft);
            CHECK(memcmp(&before, &r1, sizeof before) == 0, "fractions %g / %g: generator not advanced", fv, ft);
            if (r == LLP_OK) llp_data_free(&s1), llp_data_free(&s2), llp_data_free(&s3);
        }
    }
    llp_data_free(&srccopy);
    llp_data_free(&src);
}

/* llp_data_subset copies the listed rows in order (repeats allowed); an
   index past the end gives LLP_ERR_ARG with the destination untouched. */
static void test_subset(void) {
    llp_data src, dst;
    size_t idx[4] = {4, 0, 4, 9}, badidx[3] = {1, 10, 2};
    int ok = 1;
    size_t i;
    ZERO(dst);
    make_traceable(&src, 10);
    CHECK_OK(llp_data_subset(&src, idx, 4, &dst));
    if (dst.x) {
        for (i = 0; i < 4; i++) ok &= dst.x[2 * i] == (llp_real)idx[i] && dst.labels[i] == (int)(idx[i] % 3);
        CHECK(dst.n == 4 && ok, "subset {4, 0, 4, 9} copies those rows in order");
        llp_data_free(&dst);
    }
    sentinel(&dst);
    CHECK(llp_data_subset(&src, badidx, 3, &dst) == LLP_ERR_ARG, "index 10 of 10 rows: ARG");
    CHECK(is_sentinel(&dst), "failed subset leaves the destination untouched");
    badidx[1] = (size_t)-1;
    CHECK(llp_data_subset(&src, badidx, 3, &dst) == LLP_ERR_ARG && is_sentinel(&dst), "index SIZE_MAX: ARG");
    llp_data_free(&src);
}

/* llp_data_validate reports the first NaN/Inf feature at line = sample,
   column = feature (1-based), a label outside 0..n_classes-1 (too large or
   negative) at its sample, and a non-finite regression target; valid data is
   OK. */
static void test_validate(void) {
    llp_data d, r;
    llp_error err;
    make_traceable(&d, 10);
    CHECK(llp_data_validate(&d, &err) == LLP_OK, "traceable data is valid");
    d.x[2 * 6 + 1] = (llp_real)NAN; /* sample 7, feature 2 */
    d.x[2 * 8 + 0] = (llp_real)HUGE_VAL;
    CHECK(llp_data_validate(&d, &err) == LLP_ERR_NONFINITE, "NaN feature found");
    CHECK(err.line == 7 && err.column == 2, "NaN reported at sample 7 feature 2 (got %ld, %ld)", err.line, err.column);
    d.x[2 * 6 + 1] = 1;
    CHECK(llp_data_validate(&d, &err) == LLP_ERR_NONFINITE && err.line == 9 && err.column == 1,
          "Inf at sample 9 feature 1 (got %ld, %ld)", err.line, err.column);
    d.x[2 * 8] = 1;
    d.labels[4] = 3;
    CHECK(llp_data_validate(&d, &err) == LLP_ERR_LABEL && err.line == 5, "label 3 of 3 classes at sample 5 (line %ld)",
          err.line);
    d.labels[4] = -1;
    CHECK(llp_data_validate(&d, &err) == LLP_ERR_LABEL && err.line == 5, "label -1 at sample 5 (line %ld)", err.line);
    llp_data_free(&d);
    if (llp_data_alloc(&r, 4, 1, LLP_TASK_REGRESSION, 1) == LLP_OK) {
        CHECK(llp_data_validate(&r, &err) == LLP_OK, "zero regression data is valid");
        r.y[2] = (llp_real)-HUGE_VAL;
        CHECK(llp_data_validate(&r, &err) == LLP_ERR_NONFINITE && err.line == 3, "-Inf target at sample 3 (line %ld)",
              err.line);
        llp_data_free(&r);
    }
}

/* ---- synthetic sets ----------------------------------------------------- */

static int all_finite_data(const llp_data *d) { return llp_all_finite(d->x, d->n * d->d); }

/* Two spirals: n x 2, two classes alternating (balanced: 100/100, and 101/100
   for n = 201), finite, deterministic by seed. Without noise the geometry is
   the documented one: each class-1 point is its class-0 partner rotated by pi
   (x -> -x) and radii lie in [0.1, 1.1). */
static void test_spirals(void) {
    llp_data a, b, c;
    llp_rng r1, r2, r3;
    size_t i, cnt[2] = {0, 0};
    int ok = 1;
    ZERO(a), ZERO(b), ZERO(c);
    llp_rng_seed(&r1, 3), llp_rng_seed(&r2, 3), llp_rng_seed(&r3, 4);
    CHECK_OK(llp_data_spirals(&a, 201, 1.5, 0.1, &r1));
    CHECK_OK(llp_data_spirals(&b, 201, 1.5, 0.1, &r2));
    CHECK_OK(llp_data_spirals(&c, 201, 1.5, 0.1, &r3));
    if (!a.x || !b.x || !c.x) return;
    CHECK(a.n == 201 && a.d == 2 && a.task == LLP_TASK_CLASSIFICATION && a.n_classes == 2, "201 x 2, 2 classes");
    for (i = 0; i < a.n; i++) {
        if (a.labels[i] < 0 || a.labels[i] > 1) ok = 0;
        else cnt[a.labels[i]]++;
    }
    CHECK(ok && cnt[0] == 101 && cnt[1] == 100, "labels in {0, 1}, counts %lu/%lu", (unsigned long)cnt[0],
          (unsigned long)cnt[1]);
    CHECK(all_finite_data(&a), "finite");
    CHECK(same_data(&a, &b), "same seed, same bytes");
    CHECK(!same_data(&a, &c), "different seed, different points");
    llp_data_free(&a), llp_data_free(&b), llp_data_free(&c);
    CHECK_OK(llp_data_spirals(&a, 200, 0, 0, &r1));
    if (a.x) {
        ok = 1;
        for (i = 0; i + 1 < a.n; i += 2) {
            double r0 = hypot(a.x[2 * i], a.x[2 * i + 1]);
            ok &= fabs(a.x[2 * i] + a.x[2 * i + 2]) < 1e-12 && fabs(a.x[2 * i + 1] + a.x[2 * i + 3]) < 1e-12;
            ok &= r0 >= 0.1 - 1e-12 && r0 < 1.1;
        }
        CHECK(ok, "noise 0: class-1 point = -(class-0 partner), radius in [0.1, 1.1)");
        llp_data_free(&a);
    }
    sentinel(&a);
    CHECK(llp_data_spirals(&a, 1, 1, 0, &r1) == LLP_ERR_ARG && is_sentinel(&a), "n = 1: ARG, output untouched");
    CHECK(llp_data_spirals(&a, 10, 1, -1, &r1) == LLP_ERR_ARG && is_sentinel(&a), "negative noise: ARG");
}

/* Moons: n x 2, two balanced classes, deterministic; without noise class 0
   lies on the upper unit half-circle and class 1 on the lower half-circle of
   radius 1 around (1, 0.5) (the usual two-moons definition).
   Float: x and y are rounded to float, half an ulp of |x| <= 2 (1.2e-7)
   each, times the gradient 2 r = 2 of the circle equation: <= 3.4e-7,
   checked to 5e-7 (measured 9.2e-8). */
static void test_moons(void) {
    llp_data a, b;
    llp_rng r1, r2;
    size_t i, cnt[2] = {0, 0};
    int ok = 1;
    ZERO(a), ZERO(b);
    llp_rng_seed(&r1, 12), llp_rng_seed(&r2, 12);
    CHECK_OK(llp_data_moons(&a, 300, 0, &r1));
    CHECK_OK(llp_data_moons(&b, 300, 0, &r2));
    if (!a.x || !b.x) return;
    CHECK(a.n == 300 && a.d == 2 && a.n_classes == 2, "300 x 2, 2 classes");
    for (i = 0; i < a.n; i++) {
        double x = a.x[2 * i], y = a.x[2 * i + 1];
        if (a.labels[i] == 0) {
            ok &= fabs(x * x + y * y - 1) < TOL(1e-12, 5e-7) && y >= -1e-15;
            cnt[0]++;
        } else if (a.labels[i] == 1) {
            ok &= fabs((x - 1) * (x - 1) + (y - 0.5) * (y - 0.5) - 1) < TOL(1e-12, 5e-7) && y <= 0.5 + 1e-15;
            cnt[1]++;
        } else {
            ok = 0;
        }
    }
    CHECK(ok, "noise 0: points on their half-circles");
    CHECK(cnt[0] == 150 && cnt[1] == 150, "balanced: %lu/%lu", (unsigned long)cnt[0], (unsigned long)cnt[1]);
    CHECK(same_data(&a, &b), "same seed, same bytes");
    llp_data_free(&a), llp_data_free(&b);
    CHECK_OK(llp_data_moons(&a, 300, 0.1, &r1));
    if (a.x) {
        CHECK(all_finite_data(&a), "noisy moons are finite");
        llp_data_free(&a);
    }
}

/* Blobs: n x d, k balanced classes, finite, deterministic. Spread 0 puts every
   sample of a class on one point inside [-5, 5]^d (distinct per class);
   spread 1 gives a within-class sample std near 1 (0.8..1.2 over 225
   deviations per class). n < k, k < 2 and d = 0 are rejected. */
static void test_blobs(void) {
    llp_data a, b;
    llp_rng r1, r2;
    size_t i, j, cnt[4] = {0, 0, 0, 0};
    int same_point = 1, inside = 1, ok = 1;
    ZERO(a), ZERO(b);
    llp_rng_seed(&r1, 21), llp_rng_seed(&r2, 21);
    CHECK_OK(llp_data_blobs(&a, 300, 3, 4, 0, &r1));
    CHECK_OK(llp_data_blobs(&b, 300, 3, 4, 0, &r2));
    if (!a.x || !b.x) return;
    CHECK(a.n == 300 && a.d == 3 && a.n_classes == 4, "300 x 3, 4 classes");
    CHECK(same_data(&a, &b), "same seed, same bytes");
    for (i = 0; i < a.n; i++) {
        int c = a.labels[i];
        if (c < 0 || c > 3) {
            ok = 0;
            continue;
        }
        cnt[c]++;
        for (j = 0; j < 3; j++) {
            same_point &= a.x[i * 3 + j] == a.x[(size_t)c * 3 + j]; /* rows 0..3 hold classes 0..3 */
            inside &= a.x[i * 3 + j] >= -5 && a.x[i * 3 + j] <= 5;
        }
    }
    CHECK(ok && cnt[0] == 75 && cnt[1] == 75 && cnt[2] == 75 && cnt[3] == 75, "75 samples per class");
    CHECK(a.labels[0] == 0 && a.labels[1] == 1 && a.labels[2] == 2 && a.labels[3] == 3 && same_point,
          "spread 0: every sample of a class sits on one point");
    CHECK(inside, "centres inside [-5, 5]^3");
    CHECK(memcmp(a.x, a.x + 3, 3 * sizeof(llp_real)) != 0, "classes 0 and 1 have different centres");
    llp_data_free(&a), llp_data_free(&b);
    CHECK_OK(llp_data_blobs(&a, 300, 3, 4, 1, &r1));
    if (a.x) {
        int c;
        CHECK(all_finite_data(&a), "spread 1: finite");
        for (c = 0; c < 4; c++) {
            double m[3] = {0, 0, 0}, v = 0;
            size_t cntc = 0;
            for (i = 0; i < a.n; i++)
                if (a.labels[i] == c) {
                    for (j = 0; j < 3; j++) m[j] += a.x[i * 3 + j];
                    cntc++;
                }
            for (j = 0; j < 3; j++) m[j] /= (double)cntc;
            for (i = 0; i < a.n; i++)
                if (a.labels[i] == c)
                    for (j = 0; j < 3; j++) v += (a.x[i * 3 + j] - m[j]) * (a.x[i * 3 + j] - m[j]);
            v = sqrt(v / (double)(3 * cntc - 3));
            CHECK(v > 0.8 && v < 1.2, "class %d within-class std %.3f ~ 1", c, v);
        }
        llp_data_free(&a);
    }
    sentinel(&a);
    CHECK(llp_data_blobs(&a, 3, 2, 4, 1, &r1) == LLP_ERR_ARG && is_sentinel(&a), "n < k: ARG");
    CHECK(llp_data_blobs(&a, 30, 2, 1, 1, &r1) == LLP_ERR_ARG && is_sentinel(&a), "k = 1: ARG");
    CHECK(llp_data_blobs(&a, 30, 0, 3, 1, &r1) == LLP_ERR_ARG && is_sentinel(&a), "d = 0: ARG");
}

/* Sine: n x 1 regression with k = 1, x in [-pi, pi]; noise 0 gives y = sin(x)
   (to 1e-15); noise 0.1 gives residuals with std 0.1 within 5 standard errors
   (SE of a std estimate ~ sigma / sqrt(2 n)); deterministic by seed.
   Float: x and y = sin(x) are each rounded to float, so |y - sin(x_float)|
   <= ulp(y) / 2 + ulp(pi) / 2 = 1.5e-7: 2e-7 (measured 1.19e-7); the bound
   on |x| is pi rounded to float (which is above pi). */
static void test_sine(void) {
    llp_data a, b;
    llp_rng r1, r2;
    size_t i;
    int ok = 1;
    double s = 0;
    ZERO(a), ZERO(b);
    llp_rng_seed(&r1, 8), llp_rng_seed(&r2, 8);
    CHECK_OK(llp_data_sine(&a, 500, 0, &r1));
    CHECK_OK(llp_data_sine(&b, 500, 0, &r2));
    if (!a.x || !b.x) return;
    CHECK(a.n == 500 && a.d == 1 && a.task == LLP_TASK_REGRESSION && a.k == 1, "500 x 1 regression");
    for (i = 0; i < a.n; i++)
        ok &= fabs(a.y[i] - sin(a.x[i])) <= TOL(1e-15, 2e-7) && fabs(a.x[i]) <= LLP_TEST_ROUND(3.14159265358979324);
    CHECK(ok, "noise 0: y = sin(x), x in [-pi, pi]");
    CHECK(same_data(&a, &b), "same seed, same bytes");
    llp_data_free(&a), llp_data_free(&b);
    CHECK_OK(llp_data_sine(&a, 2000, 0.1, &r1));
    if (a.x) {
        for (i = 0; i < a.n; i++) s += (a.y[i] - sin(a.x[i])) * (a.y[i] - sin(a.x[i]));
        s = sqrt(s / (double)a.n);
        CHECK(fabs(s - 0.1) < 5 * 0.1 / sqrt(2.0 * 2000), "noise 0.1: residual std %.4f", s);
        llp_data_free(&a);
    }
    sentinel(&a);
    CHECK(llp_data_sine(&a, 10, -0.5, &r1) == LLP_ERR_ARG && is_sentinel(&a), "negative noise: ARG");
}

/* llp_data_teacher with noise 0: targets are exactly llp_mlp_forward of the
   teacher on the drawn inputs (same chunking: one pass of 100 rows); the
   inputs look standard normal (mean within 5 SE, variance within 5 SE);
   with noise 0.5 the residuals have std 0.5 within 5 SE, and the inputs are
   the same as without noise (noise is drawn after the inputs). */
static void test_teacher(void) {
    llp_mlp_desc md;
    llp_mlp m;
    llp_mlp_work w;
    llp_data a, b;
    llp_rng rng, r1, r2;
    llp_real out[100 * 2];
    size_t i;
    double mean = 0, var = 0, res = 0;
    ZERO(a), ZERO(b);
    memset(&md, 0, sizeof md);
    md.n_layers = 2;
    md.sizes[0] = 3, md.sizes[1] = 5, md.sizes[2] = 2;
    md.act = LLP_ACT_TANH;
    md.loss = LLP_LOSS_MSE;
    if (llp_mlp_init(&m, &md) != LLP_OK) {
        CHECK(0, "teacher MLP init");
        return;
    }
    llp_rng_seed(&rng, 17);
    llp_mlp_randomize(&m, m.theta, &rng);
    for (i = 0; i < m.n_params; i++) m.theta[i] += (llp_real)(0.1 * (double)i / (double)m.n_params); /* non-zero biases */
    llp_rng_seed(&r1, 100), llp_rng_seed(&r2, 100);
    CHECK_OK(llp_data_teacher(&a, &m, m.theta, 100, 0, &r1));
    CHECK_OK(llp_data_teacher(&b, &m, m.theta, 100, 0.5, &r2));
    if (!a.x || !b.x || llp_mlp_work_init(&w, &m, 100) != LLP_OK) return;
    CHECK(a.n == 100 && a.d == 3 && a.task == LLP_TASK_REGRESSION && a.k == 2, "100 x 3 with 2 targets");
    CHECK_OK(llp_mlp_forward(&m, m.theta, a.x, 100, out, &w));
    CHECK(memcmp(out, a.y, sizeof out) == 0, "noise 0: targets are the teacher's outputs, bit for bit");
    CHECK(memcmp(a.x, b.x, 300 * sizeof(llp_real)) == 0, "noise does not change the inputs");
    for (i = 0; i < 300; i++) mean += a.x[i];
    mean /= 300;
    for (i = 0; i < 300; i++) var += (a.x[i] - mean) * (a.x[i] - mean);
    var /= 300;
    CHECK(fabs(mean) < 5 / sqrt(300.0) && fabs(var - 1) < 5 * sqrt(2 / 300.0), "inputs ~ N(0,1): mean %.3f var %.3f",
          mean, var);
    for (i = 0; i < 200; i++) res += (b.y[i] - a.y[i]) * (b.y[i] - a.y[i]);
    res = sqrt(res / 200);
    CHECK(fabs(res - 0.5) < 5 * 0.5 / sqrt(400.0), "noise 0.5: residual std %.3f", res);
    llp_mlp_work_free(&w);
    llp_data_free(&a), llp_data_free(&b);
    llp_mlp_free(&m);
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_csv_shipped);
    LLP_RUN(test_csv_target_selection);
    LLP_RUN(test_csv_dialects);
    LLP_RUN(test_csv_task);
    LLP_RUN(test_csv_errors);
    LLP_RUN(test_idx_parse);
    LLP_RUN(test_idx_errors);
    LLP_RUN(test_idx_files);
    LLP_RUN(test_idx_gzip);
    LLP_RUN(test_standardize);
    LLP_RUN(test_shuffle);
    LLP_RUN(test_split);
    LLP_RUN(test_subset);
    LLP_RUN(test_validate);
    LLP_RUN(test_spirals);
    LLP_RUN(test_moons);
    LLP_RUN(test_blobs);
    LLP_RUN(test_sine);
    LLP_RUN(test_teacher);
    return llp_test_summary();
}
