/* The ruggedness report (llp_report_run, llp_report_write_text/json,
   llp_report_reading).

   References, each independent of the code under test:
   - Accounting: the report's evals must equal the sum of the evals the
     individual results carry (added up here field by field), and also what
     a counting wrapper saw plus the input probes' passes; cost is recomputed
     here as grad + loss/2 + 2 hvp (exact in double: small integers and
     halves). The budget is asserted as spent cost <= budget (the plans are
     upper bounds; no tolerance).
   - JSON: a recursive-descent validator written here (RFC 8259 grammar:
     objects, arrays, strings with escapes, numbers, true/false/null) accepts
     the file; lambda_max is parsed back with strtod and must equal the
     struct's value exactly (%.17g round-trips a double).
   - Determinism: byte comparison of the files of two runs with one seed.
   - Quadratic landscape 1/2 sum lambda_i x_i^2, lambda log-spaced in [1,
     100] (axes): lambda_max = 100 exactly (Lanczos with >= n steps is exact
     to rounding: tol 1e-8 double, 1e-3 float), lambda_min = 1 > 0, so at lr
     0.05 eta lambda_max = 5 > 2 (the reading must cite the stability edge)
     and at lr 0.005 0.5 < 1 (the reading must say "within"). A line through
     a quadratic is a parabola: 1 minimum per slice, convexity 1, roughness
     at most 0.0022 (llp_rugged_slices' doc: the largest case b = 0, 51
     points); the reading must call the slices one bowl and the roughness LOW.
   - Skips and arguments: INPUT without an MLP is a note, not an error; bad
     arguments give LLP_ERR_ARG. */
#ifndef LLP_TEST_LINKED_IMPL /* meson links tests/llprobe_impl.c instead */
#define LLPROBE_IMPLEMENTATION
#endif
#include "llprobe.h"
#include "llp_test.h"

#include <stdlib.h>

/* ---- a small JSON validator ---- */
typedef struct jp {
    const char *s;
    size_t i, n;
    int depth;
} jp;

static void jws(jp *p) {
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\n' || p->s[p->i] == '\t' || p->s[p->i] == '\r'))
        p->i++;
}
static int jvalue(jp *p);
static int jstring(jp *p) {
    if (p->i >= p->n || p->s[p->i] != '"') return 0;
    p->i++;
    while (p->i < p->n) {
        unsigned char c = (unsigned char)p->s[p->i];
        if (c == '"') {
            p->i++;
            return 1;
        }
        if (c < 0x20) return 0;
        if (c == '\\') {
            char e;
            p->i++;
            if (p->i >= p->n) return 0;
            e = p->s[p->i];
            if (e == 'u') {
                int k;
                for (k = 1; k <= 4; k++) {
                    char h = p->i + (size_t)k < p->n ? p->s[p->i + (size_t)k] : 0;
                    if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F'))) return 0;
                }
                p->i += 4;
            } else if (!strchr("\"\\/bfnrt", e) || e == 0)
                return 0;
        }
        p->i++;
    }
    return 0;
}
static int jdigits(jp *p) {
    size_t s = p->i;
    while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9') p->i++;
    return p->i > s;
}
static int jnumber(jp *p) {
    if (p->i < p->n && p->s[p->i] == '-') p->i++;
    if (p->i < p->n && p->s[p->i] == '0') p->i++;
    else if (!jdigits(p)) return 0;
    if (p->i < p->n && p->s[p->i] == '.') {
        p->i++;
        if (!jdigits(p)) return 0;
    }
    if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
        p->i++;
        if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-')) p->i++;
        if (!jdigits(p)) return 0;
    }
    return 1;
}
static int jlit(jp *p, const char *w) {
    size_t k = strlen(w);
    if (p->i + k > p->n || strncmp(p->s + p->i, w, k) != 0) return 0;
    p->i += k;
    return 1;
}
static int jvalue(jp *p) {
    char c;
    jws(p);
    if (p->i >= p->n || ++p->depth > 64) return 0;
    c = p->s[p->i];
    if (c == '{') {
        p->i++;
        jws(p);
        if (p->i < p->n && p->s[p->i] == '}') {
            p->i++;
        } else {
            for (;;) {
                jws(p);
                if (!jstring(p)) return 0;
                jws(p);
                if (p->i >= p->n || p->s[p->i] != ':') return 0;
                p->i++;
                if (!jvalue(p)) return 0;
                jws(p);
                if (p->i < p->n && p->s[p->i] == ',') {
                    p->i++;
                    continue;
                }
                if (p->i < p->n && p->s[p->i] == '}') {
                    p->i++;
                    break;
                }
                return 0;
            }
        }
    } else if (c == '[') {
        p->i++;
        jws(p);
        if (p->i < p->n && p->s[p->i] == ']') {
            p->i++;
        } else {
            for (;;) {
                if (!jvalue(p)) return 0;
                jws(p);
                if (p->i < p->n && p->s[p->i] == ',') {
                    p->i++;
                    continue;
                }
                if (p->i < p->n && p->s[p->i] == ']') {
                    p->i++;
                    break;
                }
                return 0;
            }
        }
    } else if (c == '"') {
        if (!jstring(p)) return 0;
    } else if (c == 't') {
        if (!jlit(p, "true")) return 0;
    } else if (c == 'f') {
        if (!jlit(p, "false")) return 0;
    } else if (c == 'n') {
        if (!jlit(p, "null")) return 0;
    } else if (!jnumber(p))
        return 0;
    p->depth--;
    return 1;
}
static int json_valid(const char *s, size_t n) {
    jp p;
    p.s = s, p.i = 0, p.n = n, p.depth = 0;
    if (!jvalue(&p)) return 0;
    jws(&p);
    return p.i == n;
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *b;
    long n;
    *len = 0;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    b = (char *)malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) b[n] = 0, *len = (size_t)n;
    return b;
}

/* the number after "key": "<key>", "value": in the metrics list */
static double json_metric(const char *js, const char *key) {
    char pat[128];
    const char *q;
    snprintf(pat, sizeof pat, "\"key\": \"%s\", \"value\": ", key);
    q = strstr(js, pat);
    if (!q) return -12345.0;
    q += strlen(pat);
    if (strncmp(q, "null", 4) == 0) return NAN;
    return strtod(q, NULL);
}

/* the reading's roughness sentence "Roughness <x> is HIGH" (not LOW) */
static int roughness_high(const char *reading) {
    const char *q = strstr(reading, "Roughness ");
    if (!q) return 0;
    q += 10;
    q += strcspn(q, " ");
    return strncmp(q, " is HIGH", 8) == 0;
}

static void evals_add(llp_evals *a, const llp_evals *b) {
    a->loss += b->loss, a->grad += b->grad, a->hvp += b->hvp, a->batches += b->batches;
}

/* ---- the JSON validator itself ---- */
/* a log of llp_report_desc.progress calls */
typedef struct prog_log {
    int calls, monotone;
    char names[256];
    double first_spent, last_spent, planned;
} prog_log;

static void prog_cb(void *ctx, const char *panel, double spent, double planned) {
    prog_log *p = (prog_log *)ctx;
    size_t len = strlen(p->names);
    if (p->calls == 0) p->monotone = 1, p->first_spent = spent;
    else if (spent < p->last_spent) p->monotone = 0;
    p->calls++;
    p->last_spent = spent;
    p->planned = planned;
    snprintf(p->names + len, sizeof p->names - len, "%s,", panel ? panel : "(end)");
}

static void test_validator(void) {
    const char *good = "{\"a\": [1, -2.5e-3, 0, true, false, null, \"x\\\"\\\\\\n\\u00e9\"], \"b\": {}}";
    CHECK(json_valid(good, strlen(good)), "validator accepts a valid document");
    CHECK(!json_valid("{\"a\": nan}", 10), "validator rejects nan");
    CHECK(!json_valid("{\"a\": inf}", 10), "validator rejects inf");
    CHECK(!json_valid("{\"a\": 1,}", 9), "validator rejects a trailing comma");
    CHECK(!json_valid("{\"a\": \"\x01\"}", 10), "validator rejects a raw control character");
    CHECK(!json_valid("[01]", 4), "validator rejects a leading zero");
}

/* ---- a small classifier ---- */
typedef struct setup {
    llp_mlp m;
    llp_data dt;
    llp_mlp_objective mo;
    llp_objective f;
} setup;

static void make_setup(setup *s) {
    llp_mlp_desc md;
    llp_rng rng;
    llp_trainer tr;
    llp_train_desc td;
    llp_opt_desc od;
    memset(s, 0, sizeof *s);
    memset(&md, 0, sizeof md);
    md.n_layers = 2, md.sizes[0] = 4, md.sizes[1] = 8, md.sizes[2] = 3;
    md.act = LLP_ACT_TANH, md.loss = LLP_LOSS_SOFTMAX_CE;
    llp_rng_seed(&rng, 11);
    CHECK_OK(llp_data_blobs(&s->dt, 90, 4, 3, 1.0, &rng));
    CHECK_OK(llp_data_standardize(&s->dt, NULL, NULL));
    CHECK_OK(llp_mlp_init(&s->m, &md));
    llp_mlp_randomize(&s->m, s->m.theta, &rng);
    CHECK_OK(llp_mlp_objective_init(&s->mo, &s->m, &s->dt, 0));
    s->f = llp_mlp_objective_get(&s->mo);
    memset(&td, 0, sizeof td);
    memset(&od, 0, sizeof od);
    td.epochs = 20, td.batch_size = 16, td.seed = 3;
    od.kind = LLP_OPT_SGD, od.lr = 0.1;
    CHECK_OK(llp_trainer_init(&tr, &td, &s->f, NULL, &od, s->m.theta));
    CHECK_OK(llp_trainer_run(&tr));
    llp_trainer_free(&tr);
}

static void free_setup(setup *s) {
    llp_mlp_objective_free(&s->mo);
    llp_data_free(&s->dt);
    llp_mlp_free(&s->m);
}

static void mlp_desc(llp_report_desc *d, const setup *s, double budget, uint64_t seed) {
    memset(d, 0, sizeof *d);
    d->budget = budget, d->lr = 0.1, d->batch_size = 16, d->seed = seed;
    d->mlp = &s->m, d->data = &s->dt;
}

static void test_mlp_report(void) {
    setup s;
    llp_report_desc d;
    llp_report r, r2;
    llp_evals sum;
    char *txt, *js, *txt2, *js2;
    size_t nt, nj, nt2, nj2;
    double c, pc = 0;
    int k;
    make_setup(&s);
    mlp_desc(&d, &s, 3000, 7);
    CHECK_OK(llp_report_run(&s.f, NULL, s.m.theta, &d, &r));
    CHECK(r.requested == (LLP_PANEL_ALL & ~LLP_PANEL_MULTISTART), "default panels: all but multistart (%u)",
          r.requested);
    CHECK(r.ran == r.requested, "every requested panel ran (%u of %u)", r.ran, r.requested);
    CHECK(r.have_noise && r.have_batch && r.have_curv, "all three gradient tools ran");
    CHECK(r.cost <= d.budget, "spent %.6g <= budget %.6g", r.cost, d.budget);
    CHECK(r.planned <= d.budget && r.cost <= r.planned, "spent %.6g <= planned %.6g <= budget", r.cost, r.planned);
    memset(&sum, 0, sizeof sum);
    evals_add(&sum, &r.slices.evals), evals_add(&sum, &r.surfaces.evals), evals_add(&sum, &r.fla.evals);
    evals_add(&sum, &r.keskar.evals), evals_add(&sum, &r.sharp_plain.evals);
    evals_add(&sum, &r.sharp_adaptive.evals), evals_add(&sum, &r.adaptive_max.evals);
    evals_add(&sum, &r.pacbayes.evals), evals_add(&sum, &r.hessian.evals), evals_add(&sum, &r.noise.evals);
    evals_add(&sum, &r.batch.evals), evals_add(&sum, &r.curv.evals), evals_add(&sum, &r.lrs.evals);
    evals_add(&sum, &r.basin.evals), evals_add(&sum, &r.input.evals);
    CHECK(sum.loss == r.evals.loss && sum.grad == r.evals.grad && sum.hvp == r.evals.hvp &&
              sum.batches == r.evals.batches,
          "evals = sum of the parts (loss %lu/%lu grad %lu/%lu hvp %lu/%lu)", (unsigned long)r.evals.loss,
          (unsigned long)sum.loss, (unsigned long)r.evals.grad, (unsigned long)sum.grad, (unsigned long)r.evals.hvp,
          (unsigned long)sum.hvp);
    CHECK(r.counted.loss + r.input.evals.loss == r.evals.loss && r.counted.grad + r.input.evals.grad == r.evals.grad &&
              r.counted.hvp == r.evals.hvp,
          "the counting wrapper saw the same calls");
    c = (double)r.evals.grad + 0.5 * (double)r.evals.loss + 2.0 * (double)r.evals.hvp;
    CHECK(c == r.cost, "cost = grad + loss/2 + 2 hvp (%.6g vs %.6g)", r.cost, c);
    for (k = 0; k < LLP_REPORT_PANELS; k++) pc += r.panel_cost[k];
    CHECK(fabs(pc - r.cost) <= 1e-9 * r.cost, "panel costs add up to the cost (%.6g vs %.6g)", pc, r.cost);
    CHECK(r.scale == 1.0 && strstr(r.notes, "scaled") == NULL, "3000 fits the default plan: no scaling");
    CHECK(r.hessian.eta_lambda_max == 0.1 * r.hessian.lambda_max, "eta lambda_max with eta = lr");

    CHECK_OK(llp_report_write_text(&r, "rug_report_a.txt", NULL));
    CHECK_OK(llp_report_write_json(&r, "rug_report_a.json", NULL));
    txt = slurp("rug_report_a.txt", &nt);
    js = slurp("rug_report_a.json", &nj);
    CHECK(txt && js && nt > 0 && nj > 0, "both files written");
    if (txt && js) {
        double lm = json_metric(js, "lambda_max"), sr = json_metric(js, "slice_roughness");
        char reading[8192];
        size_t nr = llp_report_reading(&r, reading, sizeof reading);
        CHECK(json_valid(js, nj), "the JSON is valid");
        CHECK(lm == r.hessian.lambda_max, "lambda_max parsed back exactly (%.17g vs %.17g)", lm, r.hessian.lambda_max);
        CHECK(sr == r.slices.roughness.value, "slice roughness parsed back exactly");
        CHECK(json_metric(js, "b_simple") == r.noise.b_simple || (r.noise.b_simple != r.noise.b_simple &&
                                                                    json_metric(js, "b_simple") !=
                                                                        json_metric(js, "b_simple")),
              "B_simple parsed back");
        {
            /* the flat list = the JSON's metrics array, key for key and bit for bit */
            llp_report_metric rows[LLP_REPORT_MAX_METRICS];
            size_t nm = llp_report_metrics(&r, rows, LLP_REPORT_MAX_METRICS), q, same = 0, inorder = 1;
            const char *at = js;
            char pat[96];
            CHECK(nm > 30 && llp_report_metrics(&r, NULL, 0) == nm, "metric list: %lu rows, count without rows",
                  (unsigned long)nm);
            for (q = 0; q < nm; q++) {
                double jv = json_metric(js, rows[q].key);
                const char *hit;
                if (jv == rows[q].value || (jv != jv && rows[q].value != rows[q].value)) same++;
                snprintf(pat, sizeof pat, "\"key\": \"%s\"", rows[q].key);
                hit = strstr(at, pat);
                if (!hit) inorder = 0;
                else at = hit;
            }
            CHECK(same == nm, "every listed value equals the JSON's (%lu of %lu)", (unsigned long)same,
                  (unsigned long)nm);
            CHECK(inorder, "the list is in the JSON's order");
            for (q = 0; q < nm; q++)
                if (strcmp(rows[q].key, "lambda_max") == 0) break;
            CHECK(q < nm && rows[q].value == r.hessian.lambda_max && strcmp(rows[q].panel, "hessian") == 0,
                  "lambda_max row: panel hessian, the panel's value");
            CHECK(llp_report_metrics(&r, rows, 3) == nm, "a short cap still returns the full count");
            {
                size_t nset = 0, nder = 0;
                for (q = 0; q < nm; q++) {
                    nset += rows[q].kind == LLP_METRIC_SETTING;
                    nder += rows[q].kind == LLP_METRIC_DERIVED;
                    if (strcmp(rows[q].key, "lr") == 0 || strcmp(rows[q].key, "fla_step") == 0)
                        CHECK(rows[q].kind == LLP_METRIC_SETTING, "%s is a setting", rows[q].key);
                    if (strcmp(rows[q].key, "lr_edge") == 0 || strcmp(rows[q].key, "eta_star") == 0)
                        CHECK(rows[q].kind == LLP_METRIC_DERIVED, "%s is derived", rows[q].key);
                    if (strcmp(rows[q].key, "lambda_max") == 0 || strcmp(rows[q].key, "slice_roughness") == 0)
                        CHECK(rows[q].kind == LLP_METRIC_MEASURED, "%s is measured", rows[q].key);
                }
                CHECK(nset == 2 && nder == 4, "2 settings (lr, fla_step) and 4 derived rows (got %lu, %lu)",
                      (unsigned long)nset, (unsigned long)nder);
            }
        }
        CHECK(strstr(js, ": nan") == NULL && strstr(js, ": inf") == NULL && strstr(js, ": -inf") == NULL &&
                  strstr(js, "NaN") == NULL && strstr(js, "Infinity") == NULL,
              "no nan / inf tokens in the JSON");
        CHECK(strstr(js, "\"ran\": [\"slices\", \"surfaces\", \"fla\", \"sharpness\", \"hessian\", \"gradients\", "
                         "\"lr\", \"basin\", \"input\"]") != NULL,
              "ran listed in the JSON");
        CHECK(strstr(txt, "== Hessian") && strstr(txt, "lambda_max") && strstr(txt, "Reading:") &&
                  strstr(txt, "Invariance"),
              "text has the panel heading, the rows, the reading and the invariance caveats");
        CHECK(nr > 0 && nr < sizeof reading && strstr(txt, reading) != NULL, "the reading paragraph is in the text");
        CHECK(strstr(reading, "batch size 16") != NULL, "the reading compares the batch size with B_simple");
        CHECK((r.slices.roughness.value > 3 * 0.0022) == roughness_high(reading),
              "roughness %.3g judged HIGH exactly when above 3 x 0.0022", r.slices.roughness.value);
        {
            double ro = r.slices.roughness.value, rq = r.slices.roughness_q.value;
            int hi = ro > 3 * 0.0022, smooth = hi && rq < 0.25 * ro;
            CHECK((strstr(reading, "smooth curvature that changes") != NULL) == smooth &&
                      (strstr(reading, "small-scale bumps, which") != NULL) == (hi && !smooth),
                  "HIGH roughness (%.3g) told apart by the local-quadratic one (%.3g)", ro, rq);
            CHECK(json_metric(js, "slice_roughness_q") == rq && json_metric(js, "surface_roughness_q") ==
                      r.surfaces.roughness_q.value,
                  "local-quadratic roughness in the JSON");
        }
        CHECK((r.hessian.lambda_min < -0.01 * r.hessian.lambda_max) == (strstr(reading, "not a minimum") != NULL),
              "saddle sentence exactly when |lambda_min| / lambda_max > 0.01");
        {
            char small[10];
            size_t n2 = llp_report_reading(&r, small, sizeof small);
            CHECK(n2 == nr && strlen(small) == 9 && strncmp(small, reading, 9) == 0,
                  "reading truncates like snprintf and returns the full length");
        }
        if (llp_test_verbose) printf("---- text report ----\n%s---- end ----\n", txt);
    }

    /* the same seed: byte-identical files; another seed: a different JSON */
    CHECK_OK(llp_report_run(&s.f, NULL, s.m.theta, &d, &r2));
    CHECK_OK(llp_report_write_text(&r2, "rug_report_b.txt", NULL));
    CHECK_OK(llp_report_write_json(&r2, "rug_report_b.json", NULL));
    txt2 = slurp("rug_report_b.txt", &nt2);
    js2 = slurp("rug_report_b.json", &nj2);
    CHECK(txt && txt2 && nt == nt2 && memcmp(txt, txt2, nt) == 0, "same seed: byte-identical text");
    CHECK(js && js2 && nj == nj2 && memcmp(js, js2, nj) == 0, "same seed: byte-identical JSON");
    free(txt2), free(js2);
    llp_report_free(&r2);
    d.seed = 8;
    CHECK_OK(llp_report_run(&s.f, NULL, s.m.theta, &d, &r2));
    CHECK_OK(llp_report_write_json(&r2, "rug_report_b.json", NULL));
    js2 = slurp("rug_report_b.json", &nj2);
    {
        const char *m1 = js ? strstr(js, "\"metrics\"") : NULL, *m2 = js2 ? strstr(js2, "\"metrics\"") : NULL;
        CHECK(m1 && m2 && strcmp(m1, m2) != 0, "another seed: different metrics in the JSON");
        CHECK(js && js2 && json_metric(js, "slice_roughness") != json_metric(js2, "slice_roughness") &&
                  json_metric(js, "trace") != json_metric(js2, "trace"),
              "another seed: other slices and Hutchinson probes");
    }
    free(js2);
    llp_report_free(&r2);
    free(txt), free(js);
    llp_report_free(&r);
    if (!llp_test_verbose) remove("rug_report_a.txt"), remove("rug_report_a.json");
    remove("rug_report_b.txt"), remove("rug_report_b.json");
    free_setup(&s);
}

/* A budget below the default plan scales the sample counts down. */
static void test_budget_scaling(void) {
    setup s;
    llp_report_desc d;
    llp_report r;
    make_setup(&s);
    mlp_desc(&d, &s, 1200, 5);
    CHECK_OK(llp_report_run(&s.f, NULL, s.m.theta, &d, &r));
    CHECK(r.scale > 0 && r.scale < 1, "scaled by %.4g", r.scale);
    CHECK(strstr(r.notes, "scaled") != NULL, "the note says so");
    CHECK(r.planned <= 1200 && r.cost <= 1200, "planned %.6g, spent %.6g <= 1200", r.planned, r.cost);
    CHECK(r.ran == r.requested, "every panel still ran");
    CHECK(r.slices.roughness.samples < 10 && r.slices.roughness.samples >= 3, "fewer slices (%lu)",
          (unsigned long)r.slices.roughness.samples);
    llp_report_free(&r);
    d.budget = 50; /* below the minimum plan */
    CHECK(llp_report_run(&s.f, NULL, s.m.theta, &d, &r) == LLP_ERR_ARG, "a budget below the minimums: LLP_ERR_ARG");
    free_setup(&s);
}

/* Multi-start through the report (explicitly requested). */
static void test_multistart(void) {
    setup s;
    llp_report_desc d;
    llp_report r;
    llp_train_desc td;
    llp_opt_desc od;
    char reading[4096];
    make_setup(&s);
    mlp_desc(&d, &s, 3000, 9);
    memset(&td, 0, sizeof td);
    memset(&od, 0, sizeof od);
    td.epochs = 5, td.batch_size = 30;
    od.kind = LLP_OPT_ADAM, od.lr = 0.03;
    d.panel = LLP_PANEL_MULTISTART;
    d.train = &td, d.opt = &od, d.init = llp_multistart_mlp_init, d.init_ctx = &s.m, d.restarts = 3;
    CHECK_OK(llp_report_run(&s.f, NULL, s.m.theta, &d, &r));
    CHECK(r.ran == LLP_PANEL_MULTISTART && r.multi.k == 3, "multistart ran with 3 restarts");
    CHECK(r.evals.grad == r.multi.evals.grad && r.evals.loss == r.multi.evals.loss, "evals = the multistart's");
    CHECK(r.cost <= d.budget, "spent %.6g <= budget", r.cost);
    llp_report_reading(&r, reading, sizeof reading);
    CHECK(strstr(reading, "of 3 restarts ended within") != NULL, "the reading reports the success rate");
    llp_report_free(&r);
    d.init = NULL; /* no init: skipped with a note */
    CHECK_OK(llp_report_run(&s.f, NULL, s.m.theta, &d, &r));
    CHECK(r.ran == 0 && strstr(r.notes, "multistart skipped") != NULL, "no init: skipped with a note");
    llp_report_free(&r);
    free_setup(&s);
}

/* The quadratic with cond 100: eta lambda_max = 5 and 0.5. */
static void test_quadratic_reading(void) {
    llp_landscape ls;
    llp_landscape_desc ld;
    llp_objective f;
    llp_report_desc d;
    llp_report r;
    llp_real theta[10];
    llp_rng rng;
    char reading[8192];
    size_t i;
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = 10, ld.cond = 100;
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    f = llp_landscape_objective(&ls);
    llp_rng_seed(&rng, 4);
    for (i = 0; i < 10; i++) theta[i] = (llp_real)llp_rng_normal(&rng);
    memset(&d, 0, sizeof d);
    d.panel = LLP_PANEL_HESSIAN | LLP_PANEL_SLICES | LLP_PANEL_INPUT | LLP_PANEL_GRADIENTS;
    d.lr = 0.05, d.seed = 1, d.budget = 2000;
    CHECK_OK(llp_report_run(&f, NULL, theta, &d, &r));
    CHECK(r.ran == (LLP_PANEL_HESSIAN | LLP_PANEL_SLICES | LLP_PANEL_GRADIENTS), "INPUT skipped, the rest ran (%u)",
          r.ran);
    CHECK(strstr(r.notes, "input skipped") != NULL, "a note says INPUT was skipped");
    CHECK(strstr(r.notes, "noise scale and batch statistics skipped") != NULL, "no samples: a note");
    CHECK(fabs(r.hessian.lambda_max - 100) <= TOL(1e-8, 1e-3) * 100, "lambda_max = 100 (%.17g)", r.hessian.lambda_max);
    CHECK(fabs(r.hessian.lambda_min - 1) <= TOL(1e-8, 1e-3), "lambda_min = 1 (%.17g)", r.hessian.lambda_min);
    CHECK(fabs(r.hessian.eta_lambda_max - 5) <= TOL(1e-8, 1e-3) * 5, "eta lambda_max = 5");
    CHECK(r.slices.minima.value == 1 && r.slices.convexity.value == 1, "a line through a quadratic: 1 minimum, "
          "convexity 1 (%g, %g)", r.slices.minima.value, r.slices.convexity.value);
    CHECK(r.slices.roughness.value <= 0.0022, "roughness within the sampled-parabola bound (%.3g)",
          r.slices.roughness.value);
    llp_report_reading(&r, reading, sizeof reading);
    CHECK(strstr(reading, "stability edge") != NULL && strstr(reading, "HIGH") != NULL,
          "eta lambda_max = 5: the reading cites the stability edge");
    CHECK(strstr(reading, "No negative curvature") != NULL, "lambda_min > 0: consistent with a minimum");
    CHECK(strstr(reading, "one bowl") != NULL && strstr(reading, "is LOW") != NULL, "slices read as one smooth bowl");
    CHECK(strstr(reading, "1 of ") != NULL, "the verdict counts one sign");
    llp_report_free(&r);
    d.lr = 0.005;
    CHECK_OK(llp_report_run(&f, NULL, theta, &d, &r));
    llp_report_reading(&r, reading, sizeof reading);
    CHECK(strstr(reading, "within the stable range") != NULL && strstr(reading, "stability edge") == NULL,
          "eta lambda_max = 0.5: within the stable range");
    CHECK(strstr(reading, "none of the") != NULL, "no trouble signs");
    llp_report_free(&r);
    {
        /* the progress callback: once before each panel that runs, in panel order, then once with NULL;
           spent never decreases and ends at the report's cost; the report is the same with or without it */
        prog_log pl;
        llp_report r2;
        memset(&pl, 0, sizeof pl);
        d.progress = prog_cb, d.progress_ctx = &pl;
        CHECK_OK(llp_report_run(&f, NULL, theta, &d, &r2));
        d.progress = NULL, d.progress_ctx = NULL;
        CHECK(pl.calls == 4 && strcmp(pl.names, "slices,hessian,gradients,(end),") == 0,
              "progress: %d calls: %s", pl.calls, pl.names);
        CHECK(pl.monotone && fabs(pl.last_spent - r2.cost) <= 1e-9 * r2.cost && pl.first_spent == 0 &&
                  pl.planned == r2.planned,
              "progress: spent 0 .. %.6g (cost %.6g), planned %.6g (%.6g)", pl.last_spent, r2.cost, pl.planned,
              r2.planned);
        CHECK_OK(llp_report_run(&f, NULL, theta, &d, &r));
        CHECK(r2.hessian.lambda_max == r.hessian.lambda_max && r2.cost == r.cost &&
                  r2.slices.roughness.value == r.slices.roughness.value,
              "progress changes nothing");
        llp_report_free(&r);
        llp_report_free(&r2);
    }
    /* the rate of an adaptive optimizer is not judged against the edge 2 */
    d.lr = 0.05;
    d.lr_kind = LLP_OPT_ADAM;
    CHECK_OK(llp_report_run(&f, NULL, theta, &d, &r));
    llp_report_reading(&r, reading, sizeof reading);
    CHECK(strstr(reading, "adaptive optimizer (adam)") != NULL && strstr(reading, "HIGH") == NULL &&
              strstr(reading, "within the stable range") == NULL,
          "Adam at eta lambda_max = 5: not judged against the edge");
    CHECK(fabs(r.hessian.eta_lambda_max - 5) <= TOL(1e-8, 1e-3) * 5, "the number is still reported");
    llp_report_free(&r);
    d.lr_kind = LLP_OPT_SGD;
    d.lr = 0;
    d.panel = LLP_PANEL_HESSIAN | LLP_PANEL_LR;
    CHECK_OK(llp_report_run(&f, NULL, theta, &d, &r));
    llp_report_reading(&r, reading, sizeof reading);
    CHECK(r.ran == LLP_PANEL_HESSIAN && strstr(r.notes, "lr skipped") != NULL, "no lr: LR skipped with a note");
    CHECK(strstr(reading, "cannot be judged: no learning rate") != NULL, "no lr: said plainly");
    llp_report_free(&r);
    llp_landscape_free(&ls);
}

static void test_bad_args(void) {
    llp_landscape ls, ls3;
    llp_landscape_desc ld;
    llp_objective f, f3;
    llp_report_desc d;
    llp_report r;
    llp_real theta[4] = {1, 1, 1, 1};
    memset(&ld, 0, sizeof ld);
    ld.kind = LLP_LANDSCAPE_QUADRATIC, ld.n = 4, ld.cond = 10;
    CHECK_OK(llp_landscape_init(&ls, &ld, NULL));
    ld.n = 3;
    CHECK_OK(llp_landscape_init(&ls3, &ld, NULL));
    f = llp_landscape_objective(&ls);
    f3 = llp_landscape_objective(&ls3);
    memset(&d, 0, sizeof d);
    d.panel = LLP_PANEL_HESSIAN;
    memset(&r, 0x5a, sizeof r);
    CHECK(llp_report_run(NULL, NULL, theta, &d, &r) == LLP_ERR_ARG, "NULL objective");
    CHECK(llp_report_run(&f, NULL, NULL, &d, &r) == LLP_ERR_ARG, "NULL theta");
    CHECK(llp_report_run(&f, NULL, theta, &d, NULL) == LLP_ERR_ARG, "NULL out");
    CHECK(llp_report_run(&f, &f3, theta, &d, &r) == LLP_ERR_ARG, "val of another size");
    d.panel = 1024;
    CHECK(llp_report_run(&f, NULL, theta, &d, &r) == LLP_ERR_ARG, "unknown panel bit");
    d.panel = LLP_PANEL_HESSIAN, d.budget = -1;
    CHECK(llp_report_run(&f, NULL, theta, &d, &r) == LLP_ERR_ARG, "negative budget");
    d.budget = 0, d.lr = NAN;
    CHECK(llp_report_run(&f, NULL, theta, &d, &r) == LLP_ERR_ARG, "NaN lr");
    d.lr = -0.1;
    CHECK(llp_report_run(&f, NULL, theta, &d, &r) == LLP_ERR_ARG, "negative lr");
    {
        unsigned char pat[sizeof r];
        memset(pat, 0x5a, sizeof pat);
        CHECK(memcmp(&r, pat, sizeof r) == 0, "out untouched on error");
    }
    CHECK(llp_report_write_text(NULL, "x.txt", NULL) == LLP_ERR_ARG, "write_text NULL report");
    CHECK(llp_report_write_json(NULL, "x.json", NULL) == LLP_ERR_ARG, "write_json NULL report");
    d.lr = 0;
    CHECK_OK(llp_report_run(&f, NULL, theta, NULL, &r)); /* NULL desc: defaults (budget 20000), n = 4 */
    CHECK(r.ran == (LLP_PANEL_ALL & ~(LLP_PANEL_MULTISTART | LLP_PANEL_LR | LLP_PANEL_INPUT)),
          "NULL desc: all panels the inputs allow (%u)", r.ran);
    CHECK(llp_report_write_json(&r, NULL, NULL) == LLP_ERR_ARG, "write_json NULL path");
    llp_report_free(&r);
    llp_landscape_free(&ls);
    llp_landscape_free(&ls3);
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_validator);
    LLP_RUN(test_mlp_report);
    LLP_RUN(test_budget_scaling);
    LLP_RUN(test_multistart);
    LLP_RUN(test_quadratic_reading);
    LLP_RUN(test_bad_args);
    return llp_test_summary();
}
