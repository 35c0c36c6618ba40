/* test_model_file.c — llp_mlp_save / llp_mlp_load: round trips, the documented
   byte layout, corrupt and truncated files, and atomic saves.

   The layout reference is the format comment in llprobe.h section 7, decoded
   here byte by byte with a separate FNV-1a-64 written from its published
   constants (offset basis 0xcbf29ce484222325, prime 0x100000001b3). Corrupt
   files are made from good ones by cutting, flipping or appending bytes.

   The allocator hooks are routed through a counter that refuses any single
   request above 64 MB and records the largest request: loading a damaged
   1 kB model must not need more than a few hundred kB, whatever its header
   claims.

   Temporary files are created in the working directory with the prefix
   "test_model_file_" and removed at the end. */
#include <stdlib.h>
#include <string.h>

static size_t alloc_cap = (size_t)64 << 20; /* refuse single requests above this */
static size_t alloc_max = 0;                /* largest request seen since reset */
static void *capped_malloc(size_t n) {
    if (n > alloc_max) alloc_max = n;
    return n > alloc_cap ? NULL : malloc(n);
}
static void *capped_realloc(void *p, size_t n) {
    if (n > alloc_max) alloc_max = n;
    return n > alloc_cap ? NULL : realloc(p, n);
}
#define LLP_MALLOC(sz) capped_malloc(sz)
#define LLP_REALLOC(p, sz) capped_realloc(p, sz)
#define LLP_FREE(p) free(p)

#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"
#include "llp_test.h"

/* ---- helpers ------------------------------------------------------------ */

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

static unsigned char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    unsigned char *b = NULL;
    size_t cap = 0, n = 0, got;
    *len = 0;
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

static int file_exists(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f) fclose(f);
    return f != NULL;
}

static uint32_t rd32(const unsigned char *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static uint64_t rd64(const unsigned char *p) { return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32); }
static void wr32(unsigned char *p, uint32_t v) {
    int i;
    for (i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static void wr64(unsigned char *p, uint64_t v) {
    int i;
    for (i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static uint64_t bits(double x) {
    uint64_t u;
    memcpy(&u, &x, 8);
    return u;
}

/* FNV-1a 64 from its published definition. */
static uint64_t fnv1a64(const unsigned char *p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

/* Rewrite the trailing checksum so that a deliberately edited file passes it. */
static void fix_checksum(unsigned char *b, size_t n) { wr64(b + n - 8, fnv1a64(b, n - 8)); }

static void sentinel(llp_mlp *m) { memset(m, 0xA5, sizeof *m); }
static int is_sentinel(const llp_mlp *m) {
    llp_mlp s;
    sentinel(&s);
    return memcmp(m, &s, sizeof s) == 0;
}

/* Every architecture field and every parameter bit equal. */
static int same_model(const llp_mlp *a, const llp_mlp *b) {
    return a->n_layers == b->n_layers && memcmp(a->sizes, b->sizes, sizeof a->sizes) == 0 &&
           memcmp(a->act, b->act, sizeof a->act) == 0 && a->loss == b->loss &&
           bits(a->weight_decay) == bits(b->weight_decay) && bits(a->leaky_slope) == bits(b->leaky_slope) &&
           a->init == b->init && bits(a->init_scale) == bits(b->init_scale) && a->n_params == b->n_params &&
           memcmp(a->w_off, b->w_off, sizeof a->w_off) == 0 && memcmp(a->b_off, b->b_off, sizeof a->b_off) == 0 &&
           a->max_width == b->max_width && a->theta && b->theta &&
           memcmp(a->theta, b->theta, a->n_params * sizeof(llp_real)) == 0;
}

/* Expected file size from the documented layout. */
static size_t layout_size(const llp_mlp *m) {
    size_t L = (size_t)m->n_layers;
    return 8 + 4 + 4 + 4 * (L + 1) + 4 * L + 4 + 4 + 24 + 8 + 8 * m->n_params + 8;
}

/* A family of architectures: 1 layer; 4 layers with weight decay, He init and
   init scale; every activation; every loss; per-layer activations. */
#define N_ARCH 12
static llp_mlp_desc arch(int k) {
    llp_mlp_desc d;
    memset(&d, 0, sizeof d);
    switch (k) {
    case 0: /* one dense layer, all defaults */
        d.n_layers = 1, d.sizes[0] = 4, d.sizes[1] = 3;
        break;
    case 1: /* four layers, every scalar field set */
        d.n_layers = 4, d.sizes[0] = 5, d.sizes[1] = 7, d.sizes[2] = 6, d.sizes[3] = 4, d.sizes[4] = 2;
        d.act = LLP_ACT_RELU, d.loss = LLP_LOSS_MSE, d.weight_decay = 1e-3, d.init = LLP_INIT_HE;
        d.init_scale = 0.5;
        break;
    case 9: /* per-layer activations */
        d.n_layers = 4, d.sizes[0] = 3, d.sizes[1] = 4, d.sizes[2] = 4, d.sizes[3] = 4, d.sizes[4] = 2;
        d.act = LLP_ACT_TANH, d.layer_act[0] = LLP_ACT_GELU, d.layer_act[1] = LLP_ACT_SIGMOID;
        d.layer_act[2] = LLP_ACT_LEAKY_RELU, d.leaky_slope = 0.2, d.loss = LLP_LOSS_SOFTMAX_CE;
        d.weight_decay = 0.25, d.init = LLP_INIT_GLOROT, d.init_scale = 3;
        break;
    case 10: /* BCE with one output */
        d.n_layers = 2, d.sizes[0] = 2, d.sizes[1] = 3, d.sizes[2] = 1, d.act = LLP_ACT_SOFTPLUS;
        d.loss = LLP_LOSS_BCE;
        break;
    case 11: /* MAE, wide */
        d.n_layers = 2, d.sizes[0] = 20, d.sizes[1] = 30, d.sizes[2] = 3, d.act = LLP_ACT_IDENTITY;
        d.loss = LLP_LOSS_MAE, d.weight_decay = 5e-5;
        break;
    default: { /* 2..8: each activation, losses cycling */
        static const llp_loss losses[4] = {LLP_LOSS_MSE, LLP_LOSS_MAE, LLP_LOSS_SOFTMAX_CE, LLP_LOSS_BCE};
        d.n_layers = 2, d.sizes[0] = 3, d.sizes[1] = 4, d.sizes[2] = 2;
        d.act = (llp_act)(k - 1); /* IDENTITY .. GELU */
        d.loss = losses[k % 4];
        if (d.act == LLP_ACT_LEAKY_RELU) d.leaky_slope = 0.05;
        break;
    }
    }
    return d;
}

/* Build model k with random parameters, plus a few awkward values: the
   smallest denormal, minus the largest finite value, 1/3 and -0 of llp_real
   (5e-324 and -DBL_MAX in double; 2^-149 and -FLT_MAX in float, where the
   double extremes would be 0 and -Inf). The file stores f64, which holds
   every float exactly, so the float round trip is bit-exact as well. */
static int make_model(int k, llp_mlp *m) {
    llp_mlp_desc d = arch(k);
    llp_rng rng;
    if (llp_mlp_init(m, &d) != LLP_OK) return 0;
    llp_rng_seed(&rng, 1000 + (uint64_t)k);
    llp_mlp_randomize(m, m->theta, &rng);
    m->theta[m->n_params - 1] = (llp_real)-0.0;
    if (m->n_params > 3) {
        m->theta[0] = (llp_real)LLP_TEST_REAL_TRUE_MIN; /* denormal */
        m->theta[1] = (llp_real)-LLP_TEST_REAL_MAX;
        m->theta[2] = (llp_real)(1.0 / 3.0);
    }
    return 1;
}

/* ---- tests -------------------------------------------------------------- */

/* Save then load gives the same architecture (every field, resolved
   defaults included) and bit-identical parameters (denormal, -DBL_MAX, -0
   among them; their float counterparts in the float build) for 12 architectures: 1 and 4 layers, every activation,
   every loss, per-layer activations, weight decay, init rule and init scale. */
static void test_round_trip(void) {
    const char *path = "test_model_file_rt.llpm";
    int k;
    for (k = 0; k < N_ARCH; k++) {
        llp_mlp m, back;
        llp_error err;
        llp_result r;
        if (!make_model(k, &m)) {
            CHECK(0, "architecture %d initialises", k);
            continue;
        }
        r = llp_mlp_save(&m, m.theta, path, &err);
        CHECK(r == LLP_OK, "architecture %d saves: %s (%s)", k, llp_result_string(r), err.message);
        sentinel(&back);
        r = llp_mlp_load(&back, path, &err);
        CHECK(r == LLP_OK, "architecture %d loads: %s (%s)", k, llp_result_string(r), err.message);
        if (r == LLP_OK) {
            CHECK(same_model(&m, &back), "architecture %d: loaded model equals the saved one bit for bit", k);
            llp_mlp_free(&back);
        }
        llp_mlp_free(&m);
    }
    remove(path);
}

/* The file is exactly the documented layout: "LLPMODEL", u32 version 1,
   u32 n_layers, u32 sizes[L+1], u32 act[L], u32 loss, u32 init, f64
   weight_decay, leaky_slope, init_scale, u64 n_params, f64 theta[n], u64
   FNV-1a-64 of everything before it, all little-endian; size
   8+4+4+4(L+1)+4L+4+4+24+8+8n+8. */
static void test_layout(void) {
    const char *path = "test_model_file_layout.llpm";
    int k;
    for (k = 0; k < N_ARCH; k += 3) {
        llp_mlp m;
        unsigned char *b;
        size_t n, p, i;
        int l, ok = 1;
        if (!make_model(k, &m)) continue;
        CHECK_OK(llp_mlp_save(&m, m.theta, path, NULL));
        b = read_all(path, &n);
        CHECK(b != NULL, "saved file readable");
        if (!b) {
            llp_mlp_free(&m);
            continue;
        }
        CHECK(n == layout_size(&m), "arch %d: file has %lu bytes, layout says %lu", k, (unsigned long)n,
              (unsigned long)layout_size(&m));
        if (n != layout_size(&m)) {
            free(b);
            llp_mlp_free(&m);
            continue;
        }
        CHECK(memcmp(b, "LLPMODEL", 8) == 0, "arch %d: magic LLPMODEL", k);
        CHECK(rd32(b + 8) == 1, "arch %d: version field %u, expected 1", k, rd32(b + 8));
        CHECK(rd32(b + 12) == (uint32_t)m.n_layers, "arch %d: n_layers field", k);
        p = 16;
        for (l = 0; l <= m.n_layers; l++, p += 4) ok &= rd32(b + p) == (uint32_t)m.sizes[l];
        CHECK(ok, "arch %d: sizes", k);
        ok = 1;
        for (l = 0; l < m.n_layers; l++, p += 4) ok &= rd32(b + p) == (uint32_t)m.act[l];
        CHECK(ok, "arch %d: activation codes (last layer identity = %u)", k, (unsigned)LLP_ACT_IDENTITY);
        CHECK(rd32(b + p) == (uint32_t)m.loss && rd32(b + p + 4) == (uint32_t)m.init, "arch %d: loss and init", k);
        p += 8;
        CHECK(rd64(b + p) == bits(m.weight_decay) && rd64(b + p + 8) == bits(m.leaky_slope) &&
                  rd64(b + p + 16) == bits(m.init_scale),
              "arch %d: weight decay, leaky slope, init scale as f64 bits", k);
        p += 24;
        CHECK(rd64(b + p) == (uint64_t)m.n_params, "arch %d: n_params", k);
        p += 8;
        ok = 1;
        for (i = 0; i < m.n_params; i++, p += 8) ok &= rd64(b + p) == bits((double)m.theta[i]);
        CHECK(ok, "arch %d: theta as little-endian f64", k);
        CHECK(p + 8 == n && rd64(b + p) == fnv1a64(b, p), "arch %d: trailing FNV-1a-64 of all preceding bytes", k);
        free(b);
        llp_mlp_free(&m);
    }
    remove(path);
}

/* Every cut of a saved file (lengths 0 .. size-1) fails: TRUNCATED once the
   cut keeps the magic (a prefix of "LLPMODEL" may also say FORMAT), never OK,
   the error names the file, and the sentinel-filled destination is unchanged.
   Two architectures (1 layer; 4 layers). */
static void test_truncation(void) {
    const char *path = "test_model_file_full.llpm", *cut = "test_model_file_cut.llpm";
    int k;
    for (k = 0; k < 2; k++) {
        llp_mlp m, t;
        llp_error err;
        unsigned char *b;
        size_t n, len;
        int bad = 0;
        if (!make_model(k, &m)) continue;
        CHECK_OK(llp_mlp_save(&m, m.theta, path, NULL));
        b = read_all(path, &n);
        if (!b) {
            llp_mlp_free(&m);
            continue;
        }
        for (len = 0; len < n; len++) {
            llp_result r;
            write_file(cut, b, len);
            sentinel(&t);
            memset(&err, 0, sizeof err);
            r = llp_mlp_load(&t, cut, &err);
            if (!(r == LLP_ERR_TRUNCATED || (len < 8 && r == LLP_ERR_FORMAT)) || !is_sentinel(&t) ||
                strcmp(err.file, cut) != 0) {
                if (bad < 3)
                    CHECK(0, "arch %d cut to %lu of %lu bytes: %s, file '%s', output %s", k, (unsigned long)len,
                          (unsigned long)n, llp_result_string(r), err.file, is_sentinel(&t) ? "untouched" : "CHANGED");
                bad++;
            }
            if (r == LLP_OK) llp_mlp_free(&t);
        }
        CHECK(bad == 0, "arch %d: %d of %lu cuts misreported", k, bad, (unsigned long)n);
        free(b);
        llp_mlp_free(&m);
    }
    remove(path);
    remove(cut);
}

/* Single-byte damage never loads: in the magic -> FORMAT; in the version ->
   VERSION; elsewhere in the header -> FORMAT, CHECKSUM or TRUNCATED (a
   changed layer count or size can make the file shorter than its header
   declares); in the parameters or the checksum -> CHECKSUM. Header bytes are
   flipped with three masks (0x01, 0x80, 0xFF), later bytes with 0x01 (FNV-1a
   changes under any single-byte change there); the destination stays
   untouched, and no load asks the allocator for more than 1 MB (the files
   are about 1 kB: a loader must not trust header sizes before checking them
   against the file length). */
static void test_byte_flips(void) {
    const char *path = "test_model_file_flip.llpm";
    static const unsigned char masks[3] = {0x01, 0x80, 0xFF};
    int k;
    for (k = 0; k < 2; k++) {
        llp_mlp m, t;
        unsigned char *b, *c;
        size_t n, pos, header_end;
        int bad = 0, bad_alloc = 0, mk;
        size_t worst_alloc = 0, worst_pos = 0;
        if (!make_model(k, &m)) continue;
        CHECK_OK(llp_mlp_save(&m, m.theta, path, NULL));
        b = read_all(path, &n);
        c = (unsigned char *)malloc(n ? n : 1);
        if (!b || !c || n != layout_size(&m)) {
            CHECK(0, "arch %d: saved file readable with the layout size", k);
            free(b), free(c), llp_mlp_free(&m);
            continue;
        }
        header_end = n - 8 - 8 * m.n_params; /* first byte of theta */
        for (pos = 0; pos < n; pos++)
            for (mk = 0; mk < (pos < header_end ? 3 : 1); mk++) { /* one mask suffices past the header */
                llp_result r;
                llp_error err;
                int ok;
                memcpy(c, b, n);
                c[pos] ^= masks[mk];
                write_file(path, c, n);
                sentinel(&t);
                alloc_max = 0;
                r = llp_mlp_load(&t, path, &err);
                if (pos < 8) ok = r == LLP_ERR_FORMAT;
                else if (pos < 12) ok = r == LLP_ERR_VERSION;
                else if (pos < header_end) ok = r == LLP_ERR_FORMAT || r == LLP_ERR_CHECKSUM || r == LLP_ERR_TRUNCATED;
                else ok = r == LLP_ERR_CHECKSUM;
                ok &= is_sentinel(&t);
                if (alloc_max > worst_alloc) worst_alloc = alloc_max, worst_pos = pos;
                if (alloc_max > ((size_t)1 << 20)) bad_alloc++;
                if (!ok) {
                    if (bad < 5)
                        CHECK(0, "arch %d: byte %lu ^ 0x%02x (%s): %s (%s)", k, (unsigned long)pos, masks[mk],
                              pos < 8 ? "magic" : pos < 12 ? "version" : pos < header_end ? "header" : "payload",
                              llp_result_string(r), err.message);
                    bad++;
                }
                if (r == LLP_OK) llp_mlp_free(&t);
            }
        CHECK(bad == 0, "arch %d: %d flips misreported", k, bad);
        CHECK(bad_alloc == 0,
              "arch %d: %d damaged loads asked for more than 1 MB (worst %lu bytes, flip at byte %lu of %lu)", k,
              bad_alloc, (unsigned long)worst_alloc, (unsigned long)worst_pos, (unsigned long)n);
        free(b), free(c);
        llp_mlp_free(&m);
    }
    remove(path);
}

/* Crafted files with a correct checksum: wrong magic -> FORMAT; version 2 ->
   VERSION (also with the checksum left stale); unknown activation, loss or
   init code, zero layers, a zero layer size, and an n_params that does not
   match the sizes -> FORMAT; a header declaring ~10^8 parameters in a 1 kB
   file -> TRUNCATED without allocating for them; trailing bytes after the
   checksum -> an error; a CSV file -> FORMAT. The destination stays
   untouched each time. */
static void test_crafted(void) {
    const char *path = "test_model_file_crafted.llpm";
    llp_mlp m, t;
    unsigned char *b, *c;
    size_t n, p_act, p_loss, p_np;
    llp_result r;
    llp_error err;
    if (!make_model(1, &m)) return; /* 4 layers: sizes at 16.., act at 36.. */
    CHECK_OK(llp_mlp_save(&m, m.theta, path, NULL));
    b = read_all(path, &n);
    c = (unsigned char *)malloc(n + 16);
    if (!b || !c || n != layout_size(&m)) {
        CHECK(0, "saved file readable");
        free(b), free(c), llp_mlp_free(&m);
        return;
    }
    p_act = 16 + 4 * 5;
    p_loss = p_act + 4 * 4;
    p_np = p_loss + 8 + 24;
#define CRAFT_CASE(what, edit, len, expect_ok)                                                          \
    do {                                                                                                \
        memcpy(c, b, n);                                                                                \
        edit;                                                                                           \
        write_file(path, c, len);                                                                       \
        sentinel(&t);                                                                                   \
        alloc_max = 0;                                                                                  \
        memset(&err, 0, sizeof err);                                                                    \
        r = llp_mlp_load(&t, path, &err);                                                               \
        CHECK(expect_ok, "%s: %s (%s)", what, llp_result_string(r), err.message);                       \
        CHECK(is_sentinel(&t), "%s: destination untouched", what);                                      \
        CHECK(r == LLP_OK || strcmp(err.file, path) == 0, "%s: error names the file ('%s')", what, err.file); \
        if (r == LLP_OK) llp_mlp_free(&t);                                                              \
    } while (0)
    CRAFT_CASE("magic LLPMODEX", (c[7] = 'X', fix_checksum(c, n)), n, r == LLP_ERR_FORMAT);
    CRAFT_CASE("magic in lower case", (memcpy(c, "llpmodel", 8), fix_checksum(c, n)), n, r == LLP_ERR_FORMAT);
    CRAFT_CASE("version 2, stale checksum", wr32(c + 8, 2), n, r == LLP_ERR_VERSION);
    CRAFT_CASE("version 2, valid checksum", (wr32(c + 8, 2), fix_checksum(c, n)), n, r == LLP_ERR_VERSION);
    CRAFT_CASE("version 0", (wr32(c + 8, 0), fix_checksum(c, n)), n, r == LLP_ERR_VERSION);
    CRAFT_CASE("activation code 0", (wr32(c + p_act, 0), fix_checksum(c, n)), n, r == LLP_ERR_FORMAT);
    CRAFT_CASE("activation code 99", (wr32(c + p_act + 4, 99), fix_checksum(c, n)), n, r == LLP_ERR_FORMAT);
    CRAFT_CASE("loss code 9", (wr32(c + p_loss, 9), fix_checksum(c, n)), n, r == LLP_ERR_FORMAT);
    CRAFT_CASE("init code 7", (wr32(c + p_loss + 4, 7), fix_checksum(c, n)), n, r == LLP_ERR_FORMAT);
    CRAFT_CASE("zero layers", (wr32(c + 12, 0), fix_checksum(c, n)), n, r == LLP_ERR_FORMAT);
    CRAFT_CASE("17 layers", (wr32(c + 12, 17), fix_checksum(c, n)), n, r == LLP_ERR_FORMAT || r == LLP_ERR_TRUNCATED);
    CRAFT_CASE("layer size 0", (wr32(c + 20, 0), fix_checksum(c, n)), n, r == LLP_ERR_FORMAT);
    CRAFT_CASE("n_params off by one", (wr64(c + p_np, (uint64_t)m.n_params + 1), fix_checksum(c, n)), n,
               r == LLP_ERR_FORMAT || r == LLP_ERR_TRUNCATED);
    CRAFT_CASE("negative weight decay", (wr64(c + p_loss + 8, bits(-1.0)), fix_checksum(c, n)), n,
               r == LLP_ERR_FORMAT);
    CRAFT_CASE("NaN init scale", (wr64(c + p_loss + 24, bits(NAN)), fix_checksum(c, n)), n, r == LLP_ERR_FORMAT);
    /* sizes 5, 2^24, 6, 4, 2 with the matching parameter count: ~1.2e8 parameters declared */
    {
        uint64_t big = (uint64_t)5 * (1u << 24) + (1u << 24) + (uint64_t)(1u << 24) * 6 + 6 + 6 * 4 + 4 + 4 * 2 + 2;
        CRAFT_CASE("10^8 parameters declared in a 1 kB file", (wr32(c + 20, 1u << 24), wr64(c + p_np, big)), n,
                   r == LLP_ERR_TRUNCATED);
        CHECK(alloc_max <= ((size_t)1 << 20), "10^8 parameters declared: largest allocation %lu bytes (<= 1 MB)",
              (unsigned long)alloc_max);
    }
    CRAFT_CASE("one trailing byte", c[n] = 0, n + 1, r != LLP_OK);
    CRAFT_CASE("a second checksum appended", memcpy(c + n, c + n - 8, 8), n + 8, r != LLP_OK);
    CRAFT_CASE("a CSV file", memcpy(c, "a,b,c\n1,2,3\n", 12), 12, r == LLP_ERR_FORMAT);
#undef CRAFT_CASE
    free(b), free(c);
    llp_mlp_free(&m);
    remove(path);
}

/* Saves are atomic: after a successful save no "<path>.tmp" remains; saving
   into a directory that does not exist gives LLP_ERR_IO naming the path and
   creates nothing; saving a small model over a large one replaces the file
   completely (its size is the small layout size and it loads as the small
   model); a theta with NaN or Inf gives LLP_ERR_NONFINITE and leaves the old
   file byte-identical with no temporary file. Loading a missing file gives
   LLP_ERR_IO with err.file naming it and the destination untouched. */
static void test_atomic_and_io(void) {
    const char *path = "test_model_file_atomic.llpm", *tmp = "test_model_file_atomic.llpm.tmp";
    const char *nodir = "test_model_file_no_such_dir/model.llpm";
    const char *missing = "test_model_file_missing.llpm";
    llp_mlp big, small, t;
    llp_error err;
    llp_result r;
    unsigned char *before, *after;
    size_t nb, na;
    if (!make_model(1, &big) || !make_model(0, &small)) return;
    remove(path), remove(tmp), remove(missing);
    CHECK_OK(llp_mlp_save(&big, big.theta, path, &err));
    CHECK(file_exists(path) && !file_exists(tmp), "after a save the model exists and no .tmp is left");
    CHECK_OK(llp_mlp_save(&small, small.theta, path, &err));
    before = read_all(path, &nb);
    CHECK(before && nb == layout_size(&small), "saving over a bigger model: %lu bytes, the small layout is %lu",
          (unsigned long)nb, (unsigned long)layout_size(&small));
    sentinel(&t);
    r = llp_mlp_load(&t, path, &err);
    CHECK(r == LLP_OK && same_model(&t, &small), "the replaced file loads as the small model (%s)",
          llp_result_string(r));
    if (r == LLP_OK) llp_mlp_free(&t);
    big.theta[3] = (llp_real)NAN;
    memset(&err, 0, sizeof err);
    r = llp_mlp_save(&big, big.theta, path, &err);
    CHECK(r == LLP_ERR_NONFINITE, "saving a NaN parameter: %s", llp_result_string(r));
    CHECK(strcmp(err.file, path) == 0, "NaN save: error names the path ('%s')", err.file);
    big.theta[3] = (llp_real)-HUGE_VAL;
    r = llp_mlp_save(&big, big.theta, path, &err);
    CHECK(r == LLP_ERR_NONFINITE, "saving an -Inf parameter: %s", llp_result_string(r));
    after = read_all(path, &na);
    CHECK(before && after && na == nb && memcmp(before, after, nb) == 0, "failed saves leave the old file intact");
    CHECK(!file_exists(tmp), "failed saves leave no .tmp");
    free(before), free(after);
    memset(&err, 0, sizeof err);
    r = llp_mlp_save(&small, small.theta, nodir, &err);
    CHECK(r == LLP_ERR_IO, "saving into a missing directory: %s", llp_result_string(r));
    CHECK(strncmp(err.file, nodir, strlen(nodir)) == 0, "missing directory: error names '%s' (got '%s')", nodir,
          err.file);
    CHECK(!file_exists(nodir), "missing directory: no file created");
    sentinel(&t);
    memset(&err, 0, sizeof err);
    r = llp_mlp_load(&t, missing, &err);
    CHECK(r == LLP_ERR_IO, "loading a missing file: %s", llp_result_string(r));
    CHECK(strcmp(err.file, missing) == 0, "missing file: error names it ('%s')", err.file);
    CHECK(is_sentinel(&t), "missing file: destination untouched");
    llp_mlp_free(&big), llp_mlp_free(&small);
    remove(path), remove(tmp);
}

int main(int argc, char **argv) {
    LLP_TEST_INIT(argc, argv);
    LLP_RUN(test_round_trip);
    LLP_RUN(test_layout);
    LLP_RUN(test_truncation);
    LLP_RUN(test_byte_flips);
    LLP_RUN(test_crafted);
    LLP_RUN(test_atomic_and_io);
    return llp_test_summary();
}
