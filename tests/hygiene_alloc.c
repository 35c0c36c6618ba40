/* Hygiene: the allocator hooks (all three at once) are the only way the
   library allocates, and every allocation is released: a CSV load, an MLP
   with its objective, an HVP and a failed load leave the live count at 0. */
#include <stdio.h>
#include <stdlib.h>

static long live_blocks = 0, total_allocs = 0;
static void *counting_malloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (p) live_blocks++, total_allocs++;
    return p;
}
static void *counting_realloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (q && !p) live_blocks++, total_allocs++;
    return q;
}
static void counting_free(void *p) {
    if (p) live_blocks--;
    free(p);
}
#define LLP_MALLOC(n) counting_malloc(n)
#define LLP_REALLOC(p, n) counting_realloc(p, n)
#define LLP_FREE(p) counting_free(p)
#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"

int main(void) {
    llp_data data;
    llp_error err;
    llp_rng rng;
    llp_mlp mlp;
    llp_mlp_desc md;
    llp_mlp_objective mo;
    llp_objective f;
    llp_real loss, *v, *hv;
    int fails = 0, checks = 0;
    llp_rng_seed(&rng, 7);
    checks++;
    if (llp_data_spirals(&data, 64, 1.5, 0.05, &rng) != LLP_OK) fails++;
    memset(&md, 0, sizeof md);
    md.n_layers = 2;
    md.sizes[0] = 2;
    md.sizes[1] = 8;
    md.sizes[2] = 2;
    checks++;
    if (llp_mlp_init(&mlp, &md) != LLP_OK) fails++;
    llp_mlp_randomize(&mlp, mlp.theta, &rng);
    checks++;
    if (llp_mlp_objective_init(&mo, &mlp, &data, 16) != LLP_OK) fails++;
    f = llp_mlp_objective_get(&mo);
    v = (llp_real *)malloc(f.n * sizeof(llp_real));
    hv = (llp_real *)malloc(f.n * sizeof(llp_real));
    llp_rng_fill_normal(&rng, v, f.n);
    checks++;
    if (llp_objective_loss(&f, mlp.theta, NULL, &loss) != LLP_OK) fails++;
    checks++;
    if (llp_objective_hvp(&f, mlp.theta, v, NULL, hv) != LLP_OK) fails++;
    checks++;
    if (llp_data_load_csv(&data, "/nonexistent/file.csv", NULL, &err) != LLP_ERR_IO) fails++;
    free(v);
    free(hv);
    llp_mlp_objective_free(&mo);
    llp_mlp_free(&mlp);
    llp_data_free(&data);
    checks++;
    if (live_blocks != 0 || total_allocs < 4) {
        printf("FAIL live blocks %ld after freeing everything (%ld allocations)\n", live_blocks, total_allocs);
        fails++;
    }
    printf("%d checks, %d failed\n", checks, fails);
    return fails != 0;
}
