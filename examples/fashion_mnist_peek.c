/* fashion_mnist_peek.c — a first look at Fashion-MNIST, straight from Debian's files.

   Loads the training set (the gzip IDX files of `apt-get install
   dataset-fashion-mnist`; llprobe decompresses them itself), prints its shape
   and class counts, then the loss, gradient norm and a Rayleigh quotient
   v'Hv/v'v (exact HVP, random Gaussian v) of a 784-64-10 tanh MLP at its
   random initialisation, on the first 1000 samples.

   usage: fashion_mnist_peek [--seed N] [IMAGES.gz LABELS.gz]
   The whole training set is 60000 x 784 doubles: about 380 MB of memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"

#define FASHION_DIR "/usr/share/datasets/fashion-mnist/"
#define BATCH 1000

static int fail(const char *what, llp_result r) {
    fprintf(stderr, "fashion_mnist_peek: %s: %s\n", what, llp_result_string(r));
    return 2;
}

int main(int argc, char **argv) {
    const char *images = FASHION_DIR "train-images-idx3-ubyte.gz";
    const char *labels = FASHION_DIR "train-labels-idx1-ubyte.gz";
    static const char *const names[10] = {"T-shirt/top", "trouser", "pullover", "dress", "coat",
                                          "sandal",      "shirt",   "sneaker",  "bag",   "ankle boot"};
    unsigned long seed = 42;
    size_t counts[256] = {0}, n, i;
    llp_data data;
    llp_error err;
    llp_mlp_desc md = {0};
    llp_mlp mlp;
    llp_mlp_objective mo;
    llp_objective f;
    llp_batch batch;
    llp_rng rng;
    llp_real *g, *v, *hv, loss;
    llp_result r;
    int k, npos = 0;

    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--seed") == 0 && k + 1 < argc) {
            seed = strtoul(argv[++k], NULL, 10);
        } else if (argv[k][0] != '-' && npos < 2) {
            if (npos++ == 0) images = argv[k];
            else labels = argv[k];
        } else {
            fprintf(stderr, "usage: fashion_mnist_peek [--seed N] [IMAGES.gz LABELS.gz]\n");
            return 2;
        }
    }

    /* the data: pixels scaled to [0, 1] by the loader, then standardised */
    if ((r = llp_data_load_idx(&data, images, labels, 0, &err)) != LLP_OK) {
        fprintf(stderr, "%s:%ld:%ld: %s\n", err.file, err.line, err.column, err.message);
        if (r == LLP_ERR_IO) fprintf(stderr, "(apt-get install dataset-fashion-mnist, or pass the two file paths)\n");
        return 2;
    }
    if ((r = llp_data_standardize(&data, NULL, NULL)) != LLP_OK) return fail("llp_data_standardize", r);
    printf("data        %s\n            %s\n", images, labels);
    printf("            n = %lu samples, d = %lu features, %lu classes\n", (unsigned long)data.n,
           (unsigned long)data.d, (unsigned long)data.n_classes);
    for (i = 0; i < data.n; i++) counts[data.labels[i] & 255]++;
    for (i = 0; i < data.n_classes && i < 256; i++)
        printf("            class %lu %-12s %6lu\n", (unsigned long)i, data.n_classes == 10 ? names[i] : "",
               (unsigned long)counts[i]);

    /* the model: 784-64-10, tanh, softmax cross-entropy, default (Glorot) init */
    md.n_layers = 2;
    md.sizes[0] = (int)data.d;
    md.sizes[1] = 64;
    md.sizes[2] = (int)data.n_classes;
    md.act = LLP_ACT_TANH;
    md.loss = LLP_LOSS_SOFTMAX_CE;
    if ((r = llp_mlp_init(&mlp, &md)) != LLP_OK) return fail("llp_mlp_init", r);
    llp_rng_seed(&rng, seed);
    llp_mlp_randomize(&mlp, mlp.theta, &rng);
    if ((r = llp_mlp_objective_init(&mo, &mlp, &data, BATCH)) != LLP_OK) return fail("llp_mlp_objective_init", r);
    f = llp_mlp_objective_get(&mo);
    n = f.n;
    printf("model       %d-%d-%d tanh, softmax cross-entropy, seed %lu, %lu parameters\n", md.sizes[0], md.sizes[1],
           md.sizes[2], seed, (unsigned long)n);

    /* loss, gradient and curvature on the first BATCH samples */
    g = (llp_real *)malloc(3 * n * sizeof *g);
    if (!g) return fail("malloc", LLP_ERR_NOMEM);
    v = g + n;
    hv = v + n;
    batch = llp_batch_range(0, data.n < BATCH ? data.n : BATCH);
    if ((r = llp_objective_loss_grad(&f, mlp.theta, &batch, &loss, g)) != LLP_OK) return fail("gradient", r);
    llp_rng_fill_normal(&rng, v, n);
    if ((r = llp_objective_hvp(&f, mlp.theta, v, &batch, hv)) != LLP_OK) return fail("hvp", r);
    printf("batch       samples 0..%lu\n", (unsigned long)batch.count - 1);
    printf("loss        %.6f\n", (double)loss);
    printf("||grad||    %.6f\n", llp_nrm2(g, n));
    printf("v'Hv/v'v    %.6f   (v random Gaussian)\n", llp_dot(v, hv, n) / llp_dot(v, v, n));

    free(g);
    llp_mlp_objective_free(&mo);
    llp_mlp_free(&mlp);
    llp_data_free(&data);
    return 0;
}
