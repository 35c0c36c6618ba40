/* Hygiene: with LLPROBE_FLOAT the scalar type is float and everything still
   compiles cleanly and works: the MLP gradient agrees with a double-precision
   central difference of the float loss to 1e-2 relative (float carries ~7
   digits; a central difference with h = 1e-2 loses about half of them, so
   1e-2 is what float can promise, and a wrong term is O(1)). */
#define LLPROBE_FLOAT
#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    llp_rng rng;
    llp_data data;
    llp_mlp mlp;
    llp_mlp_desc md;
    llp_mlp_objective mo;
    llp_objective f;
    llp_real loss, *g;
    size_t i;
    int fails = 0, checks = 0;
    double worst = 0;
    if (sizeof(llp_real) != sizeof(float)) fails++;
    llp_rng_seed(&rng, 3);
    llp_data_moons(&data, 64, 0.1, &rng);
    memset(&md, 0, sizeof md);
    md.n_layers = 2;
    md.sizes[0] = 2;
    md.sizes[1] = 6;
    md.sizes[2] = 2;
    llp_mlp_init(&mlp, &md);
    llp_mlp_randomize(&mlp, mlp.theta, &rng);
    llp_mlp_objective_init(&mo, &mlp, &data, 0);
    f = llp_mlp_objective_get(&mo);
    g = (llp_real *)malloc(f.n * sizeof *g);
    llp_objective_loss_grad(&f, mlp.theta, NULL, &loss, g);
    for (i = 0; i < f.n; i++) {
        llp_real keep = mlp.theta[i], lp, lm;
        double fd;
        mlp.theta[i] = keep + 1e-2f;
        llp_objective_loss(&f, mlp.theta, NULL, &lp);
        mlp.theta[i] = keep - 1e-2f;
        llp_objective_loss(&f, mlp.theta, NULL, &lm);
        mlp.theta[i] = keep;
        fd = ((double)lp - lm) / 2e-2;
        if (fabs(fd - g[i]) > worst) worst = fabs(fd - g[i]);
    }
    checks++;
    if (!(worst <= 1e-2 * llp_nrminf(g, f.n))) {
        printf("FAIL float gradient vs central difference: max error %g, max |g| %g\n", worst, llp_nrminf(g, f.n));
        fails++;
    }
    free(g);
    llp_mlp_objective_free(&mo);
    llp_mlp_free(&mlp);
    llp_data_free(&data);
    printf("%d checks, %d failed\n", checks + 1, fails);
    return fails != 0;
}
