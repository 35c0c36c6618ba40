/* llprobe.h — loss-landscape probes for small neural networks, in one C file.
   version 0.1.0                                           MIT licence, see the end

   A minimal autodiff MLP with exact gradients and exact Hessian-vector products,
   analytic test landscapes, user objectives, data loaders and model files, all
   behind one abstraction: an objective of a flat parameter vector theta.

   HOW TO USE
     In exactly one C or C++ file of your program:
         #define LLPROBE_IMPLEMENTATION
         #include "llprobe.h"
     Everywhere else include "llprobe.h" alone. Link with -lm.

   EXAMPLE (loss, gradient and a Rayleigh quotient of an MLP on the digits data)

     llp_data data; llp_error err;
     llp_csv_desc csv = {0};                 // header auto, last column = target
     if (llp_data_load_csv(&data, "data/digits.csv", &csv, &err) != LLP_OK) {
         fprintf(stderr, "%s:%ld:%ld: %s\n", err.file, err.line, err.column, err.message);
         return 1;
     }
     llp_mlp_desc md = {0};
     md.n_layers = 3; md.sizes[0] = 64; md.sizes[1] = 32; md.sizes[2] = 32; md.sizes[3] = 10;
     md.act = LLP_ACT_TANH; md.loss = LLP_LOSS_SOFTMAX_CE;
     llp_mlp mlp; llp_rng rng; llp_rng_seed(&rng, 42);
     llp_mlp_init(&mlp, &md); llp_mlp_randomize(&mlp, mlp.theta, &rng);
     llp_mlp_objective mo; llp_mlp_objective_init(&mo, &mlp, &data, 0);
     llp_objective f = llp_mlp_objective_get(&mo);
     // f.n parameters; llp_objective_loss_grad(&f, theta, &batch, &loss, grad) ...

   CONTENTS (declarations, then the implementation in the same order)
     1. version & configuration        7. model files
     2. core: results, rng, vectors    8. writers (gnuplot / CSV tables)
     3. data                           9. training: optimizers, schedules,
     4. objective & batches               trainer, range test, comparison
     5. analytic landscapes           10. Hessian and curvature tools,
                                          directions, slices, PCA, surfaces (10b),
                                          ruggedness metrics (10c), hyperparameter
                                          search, meta-model, probe-guided rate (10d)
     6. MLP & autodiff                11. implementation
                                      12. licence

   COMPILE-TIME OPTIONS (define before including, in every TU that includes it)
     LLPROBE_STATIC        all functions static (private copy per TU)
     LLPROBE_FLOAT         llp_real is float instead of double
   and, in the implementation TU only:
     LLP_MALLOC/LLP_REALLOC/LLP_FREE   allocator (define all three or none)
     LLP_ASSERT(x)                     internal invariant check (default assert)

   CONVENTIONS
     - Fallible functions return llp_result: LLP_OK (0) or a negative code;
       llp_result_string() describes it. Loaders also fill an llp_error record.
       On error the caller's objects are left as they were; nothing leaks.
     - The library never prints, exits or aborts on user input.
     - Randomness comes only from an llp_rng passed in. Same seed, same build,
       same bytes out.
     - Descriptor structs: zero-initialise, set what you need; a zero field
       means its documented default.
     - Shapes in comments: theta: (n), x: (B, d) row-major.
*/
#ifndef LLPROBE_H
#define LLPROBE_H

/* ==========================================================================
   1. VERSION & CONFIGURATION
   ========================================================================== */

#define LLPROBE_VERSION_MAJOR 0
#define LLPROBE_VERSION_MINOR 1
#define LLPROBE_VERSION_PATCH 0
#define LLPROBE_VERSION_STRING "0.1.0"

#include <stddef.h>
#include <stdint.h>

#ifdef LLPROBE_STATIC
#if defined(__GNUC__) || defined(__clang__)
#define LLPDEF static __attribute__((unused)) /* a TU may use only a few functions */
#else
#define LLPDEF static
#endif
#else
#ifdef __cplusplus
#define LLPDEF extern "C"
#else
#define LLPDEF extern
#endif
#endif

#ifdef LLPROBE_FLOAT
typedef float llp_real;
#define LLP_REAL_IS_FLOAT 1
#else
typedef double llp_real;
#define LLP_REAL_IS_FLOAT 0
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ==========================================================================
   2. CORE: RESULTS, ERROR RECORDS, RNG, VECTOR KERNELS
   ========================================================================== */

/* Result codes. 0 is success, every error is negative. */
typedef enum llp_result {
    LLP_OK = 0,
    LLP_ERR_NOMEM = -1,       /* an allocation failed */
    LLP_ERR_ARG = -2,         /* an argument is invalid (NULL, zero size, out of range) */
    LLP_ERR_SHAPE = -3,       /* shapes disagree (model vs data, vector lengths) */
    LLP_ERR_IO = -4,          /* a file could not be opened, read, written or renamed */
    LLP_ERR_PARSE = -5,       /* a field is not a number */
    LLP_ERR_RAGGED = -6,      /* a CSV row has a different number of fields */
    LLP_ERR_EMPTY = -7,       /* a file or data set has no data */
    LLP_ERR_NO_COLUMN = -8,   /* the requested target column does not exist */
    LLP_ERR_NONFINITE = -9,   /* NaN or Inf where a finite number is required */
    LLP_ERR_FORMAT = -10,     /* wrong magic number or impossible header values */
    LLP_ERR_TRUNCATED = -11,  /* a file ends before its declared contents */
    LLP_ERR_CHECKSUM = -12,   /* a checksum does not match: the file is corrupt */
    LLP_ERR_VERSION = -13,    /* a file of an unsupported format version */
    LLP_ERR_UNSUPPORTED = -14,/* the operation is not defined here (e.g. HVP of MAE) */
    LLP_ERR_LABEL = -15,      /* a class label is not a non-negative integer in range */
    LLP_ERR_DIVERGED = -16,   /* training diverged: NaN/Inf or the loss grew past its limit */
    LLP_ERR_STOPPED = -17     /* a callback asked to stop; partial results are kept where documented */
} llp_result;

/* Short English description of a result code. Never NULL. */
LLPDEF const char *llp_result_string(llp_result r);

/* Where and why a loader failed. line/column are 1-based; 0 means "not
   applicable" (e.g. a binary file uses column for the byte offset). */
typedef struct llp_error {
    char file[256];
    long line;
    long column;
    char message[256];
} llp_error;

/* Random number generator: xoshiro256** seeded through splitmix64.
   The state is the whole generator: copy it to fork a stream. */
typedef struct llp_rng {
    uint64_t s[4];
} llp_rng;

/* Seed from a 64-bit value (any value, 0 included). */
LLPDEF void llp_rng_seed(llp_rng *rng, uint64_t seed);
/* Next raw 64-bit output. */
LLPDEF uint64_t llp_rng_next(llp_rng *rng);
/* Uniform double in [0, 1) with 53 random bits. */
LLPDEF double llp_rng_uniform(llp_rng *rng);
/* Uniform integer in [0, n); unbiased (rejection). n = 0 returns 0. */
LLPDEF uint64_t llp_rng_below(llp_rng *rng, uint64_t n);
/* Standard normal by the Box–Muller transform (no cached spare: two uniforms
   per draw, so the stream position is a pure function of the call count). */
LLPDEF double llp_rng_normal(llp_rng *rng);
/* +1 or -1 with probability 1/2 each. */
LLPDEF double llp_rng_rademacher(llp_rng *rng);
/* perm: (n) out, a uniformly random permutation of 0..n-1 (Fisher–Yates). */
LLPDEF void llp_rng_permutation(llp_rng *rng, size_t *perm, size_t n);
/* Advance by 2^128 steps: gives a non-overlapping stream (xoshiro jump). */
LLPDEF void llp_rng_jump(llp_rng *rng);
/* x: (n) out, filled with N(0, 1) draws / Rademacher draws. */
LLPDEF void llp_rng_fill_normal(llp_rng *rng, llp_real *x, size_t n);
LLPDEF void llp_rng_fill_rademacher(llp_rng *rng, llp_real *x, size_t n);

/* Vector kernels on flat vectors of length n. Reductions accumulate in
   double in a fixed order, so results do not depend on anything but inputs. */
LLPDEF double llp_dot(const llp_real *x, const llp_real *y, size_t n);
LLPDEF double llp_nrm2(const llp_real *x, size_t n);   /* Euclidean norm, overflow-safe */
LLPDEF double llp_nrm1(const llp_real *x, size_t n);   /* sum of |x_i| */
LLPDEF double llp_nrminf(const llp_real *x, size_t n); /* max |x_i| */
LLPDEF void llp_axpy(llp_real a, const llp_real *x, llp_real *y, size_t n); /* y += a x */
LLPDEF void llp_axpby(llp_real a, const llp_real *x, llp_real b, llp_real *y, size_t n); /* y = a x + b y */
LLPDEF void llp_scale(llp_real a, llp_real *x, size_t n);                    /* x *= a */
LLPDEF void llp_copy(const llp_real *x, llp_real *y, size_t n);              /* y = x */
LLPDEF void llp_fill(llp_real a, llp_real *x, size_t n);                     /* x = a */
/* 1 when every x_i is finite, 0 otherwise. */
LLPDEF int llp_all_finite(const llp_real *x, size_t n);

/* ==========================================================================
   3. DATA
   ========================================================================== */

typedef enum llp_task {
    LLP_TASK_AUTO = 0,            /* loaders: detect (see llp_csv_desc) */
    LLP_TASK_CLASSIFICATION = 1,  /* labels in 0..n_classes-1 */
    LLP_TASK_REGRESSION = 2       /* real targets, k per sample */
} llp_task;

/* A data set: n samples of d features, with class labels or real targets.
   Owns its arrays (free with llp_data_free). */
typedef struct llp_data {
    size_t n, d;          /* samples, features */
    llp_real *x;          /* (n, d) row-major features */
    llp_task task;        /* CLASSIFICATION or REGRESSION */
    size_t n_classes;     /* classification: number of classes */
    int *labels;          /* classification: (n) labels, else NULL */
    size_t k;             /* regression: targets per sample */
    llp_real *y;          /* regression: (n, k) targets, else NULL */
} llp_data;

/* Allocate a zero-filled data set. For classification `classes_or_k` is the
   number of classes (>= 2), for regression the number of targets (>= 1).
   Returns LLP_ERR_ARG for n = 0, d = 0 or a bad count; `out` is untouched on error. */
LLPDEF llp_result llp_data_alloc(llp_data *out, size_t n, size_t d, llp_task task, size_t classes_or_k);
/* Free the arrays and zero the struct. Safe on a zeroed struct. */
LLPDEF void llp_data_free(llp_data *data);
/* dst = the rows idx[0..m-1] of src, in that order (a new allocation). */
LLPDEF llp_result llp_data_subset(const llp_data *src, const size_t *idx, size_t m, llp_data *dst);
/* Check that all features and regression targets are finite and labels in
   range. Fills err (row = line, column = 1-based feature) on failure. */
LLPDEF llp_result llp_data_validate(const llp_data *data, llp_error *err);

/* CSV loading options; zero means default for every field. */
typedef struct llp_csv_desc {
    int header;            /* 0 auto (first row has a non-numeric field), 1 yes, -1 no */
    int target_index;      /* 0 = last column (default); k > 0 = k-th column (1-based);
                              -k = k-th column from the end */
    const char *target_name; /* if set, the target column is the header field of this name */
    llp_task task;         /* AUTO: classification when every target is an integer in
                              [0, 1000), there are 2 to 100 distinct values, and at
                              least one value repeats; otherwise regression */
    char delimiter;        /* 0 = detect among ',', ';', '\t' from the first line */
} llp_csv_desc;

/* Load a CSV file: one sample per row, one column the target, the others
   features. Blank lines and lines starting with '#' are skipped. Fields may be
   surrounded by spaces. Errors name the file, line and column: LLP_ERR_IO,
   LLP_ERR_EMPTY, LLP_ERR_RAGGED, LLP_ERR_PARSE, LLP_ERR_NONFINITE,
   LLP_ERR_NO_COLUMN, LLP_ERR_LABEL. Allocates; `out` is untouched on error. */
LLPDEF llp_result llp_data_load_csv(llp_data *out, const char *path, const llp_csv_desc *desc, llp_error *err);

/* Load an IDX image file and its IDX label file (the MNIST family). Images of
   any dimensions become rows of d = product of dims; unsigned bytes are scaled
   to [0, 1]. Files compressed with gzip are decompressed on the fly (built-in
   inflate, no zlib). Errors: LLP_ERR_IO, LLP_ERR_FORMAT (wrong magic, type or
   dims), LLP_ERR_TRUNCATED, LLP_ERR_CHECKSUM (bad gzip), LLP_ERR_SHAPE (image
   and label counts differ). `max_samples` > 0 keeps only the first ones. */
LLPDEF llp_result llp_data_load_idx(llp_data *out, const char *images_path, const char *labels_path,
                                    size_t max_samples, llp_error *err);
/* The same from memory buffers (already decompressed or gzip). `name` is used
   in error records. */
LLPDEF llp_result llp_data_parse_idx(llp_data *out, const unsigned char *images, size_t images_len,
                                     const unsigned char *labels, size_t labels_len,
                                     size_t max_samples, const char *name, llp_error *err);

/* Standardise features to zero mean and unit variance with statistics taken
   from `data` itself. mean, std: (d) out, may be NULL. A constant feature gets
   std 1 (left centred, not divided). */
LLPDEF llp_result llp_data_standardize(llp_data *data, llp_real *mean, llp_real *std);
/* Apply given statistics (from a training set) to another set. */
LLPDEF llp_result llp_data_apply_standardization(llp_data *data, const llp_real *mean, const llp_real *std);
/* Shuffle the rows in place, deterministically from rng. */
LLPDEF llp_result llp_data_shuffle(llp_data *data, llp_rng *rng);
/* Split into train/validation/test after one random permutation. The sizes
   are round(n*frac_val), round(n*frac_test), the rest train. val and test may
   be NULL when their fraction is 0. Allocates copies; src is unchanged. */
LLPDEF llp_result llp_data_split(const llp_data *src, double frac_val, double frac_test, llp_rng *rng,
                                 llp_data *train, llp_data *val, llp_data *test);

/* Synthetic sets. All draw from rng and allocate `out`. */
/* Two interleaved spirals in 2-D, n samples (split evenly), 2 classes;
   turns: spiral turns (0 -> 1.5), noise: std of Gaussian jitter. */
LLPDEF llp_result llp_data_spirals(llp_data *out, size_t n, double turns, double noise, llp_rng *rng);
/* Two interleaving half-moons in 2-D, 2 classes. */
LLPDEF llp_result llp_data_moons(llp_data *out, size_t n, double noise, llp_rng *rng);
/* k isotropic Gaussian blobs in d dimensions, centres uniform in [-5, 5]^d,
   each of standard deviation `spread`; class = blob. */
LLPDEF llp_result llp_data_blobs(llp_data *out, size_t n, size_t d, size_t k, double spread, llp_rng *rng);
/* Noisy sine regression: x uniform in [-pi, pi], y = sin(x) + noise*N(0,1). */
LLPDEF llp_result llp_data_sine(llp_data *out, size_t n, double noise, llp_rng *rng);

/* ==========================================================================
   4. OBJECTIVE & BATCHES
   ========================================================================== */

typedef enum llp_batch_kind {
    LLP_BATCH_ALL = 0,    /* every sample */
    LLP_BATCH_RANGE = 1,  /* samples start .. start+count-1 */
    LLP_BATCH_INDEX = 2   /* samples index[0..count-1] */
} llp_batch_kind;

/* Which samples an evaluation uses. A NULL batch pointer means all. */
typedef struct llp_batch {
    llp_batch_kind kind;
    size_t start, count;
    const size_t *index;
} llp_batch;

LLPDEF llp_batch llp_batch_all(void);
LLPDEF llp_batch llp_batch_range(size_t start, size_t count);
LLPDEF llp_batch llp_batch_index(const size_t *index, size_t count);
/* Number of samples a batch selects out of n_samples (n_samples for ALL). */
LLPDEF size_t llp_batch_size(const llp_batch *batch, size_t n_samples);

/* Loss and (if grad != NULL) gradient at theta. loss: scalar out; grad: (n) out. */
typedef llp_result (*llp_loss_grad_fn)(void *ctx, const llp_real *theta, const llp_batch *batch,
                                       llp_real *loss, llp_real *grad);
/* Hessian-vector product hv = H(theta) v. v, hv: (n). */
typedef llp_result (*llp_hvp_fn)(void *ctx, const llp_real *theta, const llp_real *v,
                                 const llp_batch *batch, llp_real *hv);
/* k Hessian-vector products at once: V, HV: (k, n) row-major. */
typedef llp_result (*llp_hvp_block_fn)(void *ctx, const llp_real *theta, const llp_real *V, size_t k,
                                       const llp_batch *batch, llp_real *HV);

/* The one abstraction: a function of a flat parameter vector theta in R^n.
   - loss_grad is required; called with grad == NULL it must return the loss only.
   - hvp is optional; when NULL, llp_objective_hvp uses a central difference of
     gradients (llp_hvp_fd).
   - gnvp is optional: a Gauss–Newton (PSD curvature) product, when defined.
   - hvp_block is optional: k products sharing one primal pass (faster than k
     calls of hvp); llp_objective_hvp_block loops over hvp when it is NULL.
   - n_samples is 0 for an objective without samples (analytic landscapes):
     batches are then ignored. */
typedef struct llp_objective {
    size_t n;
    size_t n_samples;
    llp_loss_grad_fn loss_grad;
    llp_hvp_fn hvp;
    llp_hvp_fn gnvp;
    llp_hvp_block_fn hvp_block;
    void *ctx;
    const char *name;
    /* optional: classification accuracy in [0, 1] over a batch (the MLP
       objective on classification data has one); NULL when not defined */
    llp_result (*accuracy)(void *ctx, const llp_real *theta, const llp_batch *batch, double *acc);
} llp_objective;

/* An objective from user callbacks. hvp may be NULL. */
LLPDEF llp_objective llp_objective_from_callbacks(size_t n, size_t n_samples, llp_loss_grad_fn loss_grad,
                                                  llp_hvp_fn hvp, void *ctx);
/* Loss only. Cost: one loss evaluation. */
LLPDEF llp_result llp_objective_loss(const llp_objective *f, const llp_real *theta, const llp_batch *batch,
                                     llp_real *loss);
/* Loss and gradient. grad: (n) out. Cost: one gradient. */
LLPDEF llp_result llp_objective_loss_grad(const llp_objective *f, const llp_real *theta,
                                          const llp_batch *batch, llp_real *loss, llp_real *grad);
/* hv = H v, exact when the objective has an hvp, else llp_hvp_fd with an
   internal scratch of 3n reals (allocated per call; pass your own to
   llp_hvp_fd to avoid it). Cost: one HVP, or two gradients. */
LLPDEF llp_result llp_objective_hvp(const llp_objective *f, const llp_real *theta, const llp_real *v,
                                    const llp_batch *batch, llp_real *hv);
/* k products HV_j = H V_j (V, HV: (k, n) row-major): the objective's block
   HVP when it has one, else k calls of llp_objective_hvp. Cost: k HVPs (less
   with a block HVP). */
LLPDEF llp_result llp_objective_hvp_block(const llp_objective *f, const llp_real *theta, const llp_real *V, size_t k,
                                          const llp_batch *batch, llp_real *HV);
/* Central finite difference of gradients along v:
       hv = (g(theta + h v) - g(theta - h v)) / (2 h),
       h  = cbrt(eps) * (1 + ||theta||_2) / ||v||_2,
   eps the machine epsilon of llp_real. The perturbation h*||v|| is then a
   relative step of eps^(1/3) (about 6e-6 in double), which balances the O(h^2)
   truncation error against the O(eps/h) rounding error of the gradient
   difference; expect about 1e-7..1e-10 relative accuracy in double for smooth
   objectives. work: (3n) scratch or NULL (allocates). v = 0 gives hv = 0.
   Cost: two gradients. */
LLPDEF llp_result llp_hvp_fd(const llp_objective *f, const llp_real *theta, const llp_real *v,
                             const llp_batch *batch, llp_real *hv, llp_real *work);

/* ==========================================================================
   5. ANALYTIC LANDSCAPES
   ========================================================================== */

typedef enum llp_landscape_kind {
    LLP_LANDSCAPE_SADDLE = 1,        /* sum_{i<ceil(n/2)} x_i^2 - sum_{rest} x_i^2 ; n=2: x^2 - y^2 */
    LLP_LANDSCAPE_QUADRATIC,         /* 1/2 x^T Q diag(lambda) Q^T x, lambda_i log-spaced in [1, cond] */
    LLP_LANDSCAPE_SKEWED_BOWL,       /* x^2/2 + 10 y^2 + x y (n = 2 only) */
    LLP_LANDSCAPE_QUARTIC,           /* sum x_i^4 - 2 x_i^2 + 0.5 x_i */
    LLP_LANDSCAPE_SINCOS,            /* sum over pairs sin(4x)cos(4y) + 2(x^2+y^2) (n even) */
    LLP_LANDSCAPE_ROSENBROCK,        /* sum 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2 (n >= 2) */
    LLP_LANDSCAPE_RASTRIGIN,         /* A n + sum x_i^2 - A cos(2 pi x_i) */
    LLP_LANDSCAPE_ACKLEY,            /* -20 exp(-0.2 sqrt(mean x^2)) - exp(mean cos(2 pi x)) + 20 + e */
    LLP_LANDSCAPE_STYBLINSKI_TANG    /* 1/2 sum x_i^4 - 16 x_i^2 + 5 x_i */
} llp_landscape_kind;

typedef struct llp_landscape_desc {
    llp_landscape_kind kind;
    size_t n;             /* dimension; 0 -> 2 */
    double cond;          /* QUADRATIC: condition number (0 -> 100) */
    int rotate;           /* QUADRATIC: 1 = random orthogonal Q drawn from rng, 0 = axes */
    double amplitude;     /* RASTRIGIN: A (0 -> 10) */
} llp_landscape_desc;

/* A landscape with closed-form value, gradient and Hessian. */
typedef struct llp_landscape {
    llp_landscape_kind kind;
    size_t n;
    double cond, amplitude;
    llp_real *lambda;     /* QUADRATIC: (n) eigenvalues */
    llp_real *q;          /* QUADRATIC rotated: (n, n) orthogonal, column j = eigenvector j; NULL = identity */
    llp_real *work;       /* (n) scratch for the rotated products */
} llp_landscape;

/* Set up a landscape. rng is used only for a rotated quadratic (may be NULL
   otherwise). LLP_ERR_ARG for a dimension the function does not allow. */
LLPDEF llp_result llp_landscape_init(llp_landscape *ls, const llp_landscape_desc *desc, llp_rng *rng);
LLPDEF void llp_landscape_free(llp_landscape *ls);
/* The landscape as an objective (exact hvp; batches ignored). The objective
   points at ls, which must outlive it. Not thread-safe for a rotated quadratic
   (shared scratch). */
LLPDEF llp_objective llp_landscape_objective(llp_landscape *ls);
/* Value and (grad != NULL) gradient at x: (n). */
LLPDEF llp_result llp_landscape_eval(llp_landscape *ls, const llp_real *x, llp_real *f, llp_real *grad);
/* Closed-form Hessian at x. h: (n, n) out, row-major, symmetric. ACKLEY at
   x = 0 (where it is not differentiable) returns LLP_ERR_UNSUPPORTED. */
LLPDEF llp_result llp_landscape_hessian(llp_landscape *ls, const llp_real *x, llp_real *h);
/* A global minimiser and the minimum value (Styblinski–Tang: x_i = -2.903534,
   quartic: x_i = -1.057; both from the 1-D stationary equation, to double
   precision). SADDLE has no minimum: LLP_ERR_UNSUPPORTED. */
LLPDEF llp_result llp_landscape_minimum(const llp_landscape *ls, llp_real *x, llp_real *f);
/* Short name, e.g. "rosenbrock". */
LLPDEF const char *llp_landscape_name(llp_landscape_kind kind);

/* ==========================================================================
   6. MLP & AUTODIFF
   ========================================================================== */

#define LLP_MAX_LAYERS 16

typedef enum llp_act {
    LLP_ACT_DEFAULT = 0,   /* descriptor: tanh */
    LLP_ACT_IDENTITY,
    LLP_ACT_RELU,
    LLP_ACT_LEAKY_RELU,    /* max(x, slope x) */
    LLP_ACT_TANH,
    LLP_ACT_SIGMOID,
    LLP_ACT_SOFTPLUS,      /* log(1 + e^x) */
    LLP_ACT_GELU           /* x Phi(x), the exact (erf) form */
} llp_act;

typedef enum llp_loss {
    LLP_LOSS_DEFAULT = 0,  /* descriptor: softmax cross-entropy */
    LLP_LOSS_MSE,          /* mean over samples and outputs of (y - t)^2 */
    LLP_LOSS_MAE,          /* mean of |y - t|; value and gradient only (no curvature) */
    LLP_LOSS_SOFTMAX_CE,   /* mean over samples of -log softmax(y)_label */
    LLP_LOSS_BCE           /* mean over samples and outputs of binary cross-entropy on logits */
} llp_loss;

typedef enum llp_init {
    LLP_INIT_DEFAULT = 0,  /* He for relu/leaky relu/gelu hidden layers, Glorot otherwise */
    LLP_INIT_GLOROT,       /* W ~ N(0, 2/(fan_in + fan_out)) */
    LLP_INIT_HE            /* W ~ N(0, 2/fan_in) */
} llp_init;

/* Architecture. Zero fields mean their default. */
typedef struct llp_mlp_desc {
    int n_layers;                     /* dense layers, 1..LLP_MAX_LAYERS */
    int sizes[LLP_MAX_LAYERS + 1];    /* sizes[0] inputs, sizes[n_layers] outputs */
    llp_act act;                      /* hidden activation (DEFAULT: tanh); the last layer is linear */
    llp_act layer_act[LLP_MAX_LAYERS];/* per hidden layer override, DEFAULT = use act */
    llp_loss loss;                    /* DEFAULT: softmax cross-entropy */
    double weight_decay;              /* L2 coefficient lambda: adds lambda/2 * ||W||^2 over
                                         weights (biases excluded); 0 = none (a real value) */
    double leaky_slope;               /* LEAKY_RELU slope (0 -> 0.01) */
    llp_init init;                    /* initialisation rule */
    double init_scale;                /* multiplies the initial std (0 -> 1) */
} llp_mlp_desc;

/* An MLP: architecture plus one contiguous parameter vector theta. Layer l
   (0-based) has weights W_l: (sizes[l+1], sizes[l]) row-major, one row per
   output neuron, at theta + w_off[l], then bias b_l: (sizes[l+1]) at
   theta + b_off[l]. */
typedef struct llp_mlp {
    int n_layers;
    int sizes[LLP_MAX_LAYERS + 1];
    llp_act act[LLP_MAX_LAYERS];      /* resolved activation of each layer (last: IDENTITY) */
    llp_loss loss;
    double weight_decay, leaky_slope;
    llp_init init;
    double init_scale;
    size_t n_params;
    size_t w_off[LLP_MAX_LAYERS], b_off[LLP_MAX_LAYERS];
    int max_width;
    llp_real *theta;                  /* (n_params) owned, zero after init */
} llp_mlp;

/* Validate the descriptor and allocate theta (zeros). LLP_ERR_ARG names no
   file; err-free. `m` untouched on error. */
LLPDEF llp_result llp_mlp_init(llp_mlp *m, const llp_mlp_desc *desc);
LLPDEF void llp_mlp_free(llp_mlp *m);
/* Draw initial parameters into theta: (n_params): weights by the model's
   init rule times init_scale, biases 0. */
LLPDEF void llp_mlp_randomize(const llp_mlp *m, llp_real *theta, llp_rng *rng);
/* The descriptor that rebuilds m's architecture. */
LLPDEF llp_mlp_desc llp_mlp_get_desc(const llp_mlp *m);
/* Check that a data set fits the model: d == sizes[0], and the targets suit
   the loss (classes == outputs for cross-entropy, k == outputs for regression
   losses on real targets, ...). LLP_ERR_SHAPE otherwise, message in err. */
LLPDEF llp_result llp_mlp_check_data(const llp_mlp *m, const llp_data *data, llp_error *err);
/* Short names: "tanh", "mse", ... and their inverse (-1... returns DEFAULT on unknown). */
LLPDEF const char *llp_act_name(llp_act a);
LLPDEF const char *llp_loss_name(llp_loss l);

/* Workspace: every buffer a forward/backward/HVP pass needs for up to
   max_batch samples, in one allocation. Evaluations over more samples run in
   chunks of max_batch and sum exactly. Not shareable between threads. */
typedef struct llp_mlp_work {
    size_t max_batch;
    int n_layers;
    llp_real *z[LLP_MAX_LAYERS];     /* (B, sizes[l+1]) pre-activations */
    llp_real *a[LLP_MAX_LAYERS];     /* (B, sizes[l+1]) activations */
    llp_real *rz[LLP_MAX_LAYERS];    /* (B, max_vectors, sizes[l+1]) tangents of z */
    llp_real *ra[LLP_MAX_LAYERS];    /* (B, max_vectors, sizes[l+1]) tangents of a */
    size_t max_vectors;              /* tangents carried at once by the block HVP */
    llp_real *ga[LLP_MAX_LAYERS];    /* block HVP: (B, sizes[l+1]) primal dL/da per layer */
    llp_real *gz[LLP_MAX_LAYERS];    /* block HVP: (B, sizes[l+1]) primal dL/dz per layer */
    llp_real *g0, *g1, *r0, *r1;     /* (B, max_width[, max_vectors]) adjoint ping-pong buffers */
    llp_real *x;                     /* (B, sizes[0]) gathered inputs for index batches */
    llp_real *pack;                  /* packing scratch of the dense kernels */
    size_t *rows;                    /* (B) sample indices of the current chunk */
    void *block;
} llp_mlp_work;

/* Allocate a workspace for m and batches of up to max_batch samples (0 -> 256). */
LLPDEF llp_result llp_mlp_work_init(llp_mlp_work *w, const llp_mlp *m, size_t max_batch);
/* The same, sized for block HVPs carrying up to max_vectors tangents at once
   (0 -> 1). Tangent buffers grow by that factor. */
LLPDEF llp_result llp_mlp_work_init_block(llp_mlp_work *w, const llp_mlp *m, size_t max_batch, size_t max_vectors);
LLPDEF void llp_mlp_work_free(llp_mlp_work *w);

/* Network outputs (logits for the cross-entropy losses).
   x: (B, sizes[0]) in, out: (B, sizes[n_layers]) out. B <= w->max_batch. */
LLPDEF llp_result llp_mlp_forward(const llp_mlp *m, const llp_real *theta, const llp_real *x, size_t B,
                                  llp_real *out, llp_mlp_work *w);
/* Loss over a batch of data and, if grad != NULL, its gradient (n_params).
   The loss is the mean over the batch (plus the weight-decay term).
   Cost: one forward (and one backward) pass; allocates nothing. */
LLPDEF llp_result llp_mlp_loss_grad(const llp_mlp *m, const llp_real *theta, const llp_data *data,
                                    const llp_batch *batch, llp_real *loss, llp_real *grad, llp_mlp_work *w);
/* Exact Hessian-vector product hv = H v by forward-over-reverse (Pearlmutter's
   R-operator). v, hv: (n_params). loss (may be NULL) receives the loss.
   LLP_ERR_UNSUPPORTED for MAE. Cost: about 2-3 gradients; allocates nothing. */
LLPDEF llp_result llp_mlp_hvp(const llp_mlp *m, const llp_real *theta, const llp_real *v,
                              const llp_data *data, const llp_batch *batch, llp_real *hv,
                              llp_real *loss, llp_mlp_work *w);
/* Block HVP: HV_j = H V_j for k vectors sharing one primal pass. V, HV: (k,
   n_params) row-major, one vector per row. The forward pass, the loss
   gradient and the primal backward pass run once per chunk; the k tangents go
   through the layers together (w->max_vectors at a time), so the products that
   share W become one larger product. Results equal k calls of llp_mlp_hvp up
   to rounding. Cost: about 1 + 0.75 k HVPs' worth of products, fewer calls. */
LLPDEF llp_result llp_mlp_hvp_block(const llp_mlp *m, const llp_real *theta, const llp_real *V, size_t k,
                                    const llp_data *data, const llp_batch *batch, llp_real *HV, llp_real *loss,
                                    llp_mlp_work *w);
/* Block Gauss–Newton product, as llp_mlp_hvp_block. */
LLPDEF llp_result llp_mlp_gnvp_block(const llp_mlp *m, const llp_real *theta, const llp_real *V, size_t k,
                                     const llp_data *data, const llp_batch *batch, llp_real *GV, llp_mlp_work *w);
/* Gauss–Newton-vector product G v = J^T H_loss J v (+ weight decay): the HVP
   without the second-order terms of the network; positive semi-definite. */
LLPDEF llp_result llp_mlp_gnvp(const llp_mlp *m, const llp_real *theta, const llp_real *v,
                               const llp_data *data, const llp_batch *batch, llp_real *gv, llp_mlp_work *w);
/* Gradient of the batch loss with respect to the inputs. dx: (B, d) out, one
   row per batch sample in batch order (the weight-decay term does not depend
   on inputs). B <= w->max_batch. */
LLPDEF llp_result llp_mlp_input_grad(const llp_mlp *m, const llp_real *theta, const llp_data *data,
                                     const llp_batch *batch, llp_real *dx, llp_real *loss, llp_mlp_work *w);
/* Classification accuracy in [0, 1] over a batch (argmax of outputs; for BCE
   with one output, output > 0 means class 1). LLP_ERR_ARG for regression. */
LLPDEF llp_result llp_mlp_accuracy(const llp_mlp *m, const llp_real *theta, const llp_data *data,
                                   const llp_batch *batch, double *accuracy, llp_mlp_work *w);
/* Loss (and accuracy) at npts points of a plane, theta + a[i] d1 + b[i] d2,
   i < npts; a line when d2 and b are NULL. loss[i] is what llp_mlp_loss_grad
   returns at that point (batch mean plus weight decay), accuracy[i] (may be
   NULL; classification only) what llp_mlp_accuracy returns.
   The first layer is linear in theta: its pre-activations at a point are
   X W^T + a X D1^T + b X D2^T + bias, so the three products are computed
   once per chunk of the batch and each point pays only for the later layers
   (for a 784-256-256-10 network, a quarter of the products). The sums differ
   from a direct evaluation at the point by rounding only (about 1e-15
   relative). Allocates the point's later-layer parameters and 2 npts
   accumulators once per call (LLP_ERR_NOMEM). Cost: 2-3 first-layer
   products per chunk plus npts forward passes without the first product. */
LLPDEF llp_result llp_mlp_plane_loss(const llp_mlp *m, const llp_real *theta, const llp_real *d1, const llp_real *d2,
                                     const llp_data *data, const llp_batch *batch, const llp_real *a,
                                     const llp_real *b, size_t npts, llp_real *loss, double *accuracy,
                                     llp_mlp_work *w);

/* Teacher–student regression: inputs x ~ N(0, 1)^d (d = teacher's inputs),
   targets = teacher outputs at theta_t plus noise * N(0, 1). A student at
   least as wide as the teacher has a zero-loss global minimum (noise = 0). */
LLPDEF llp_result llp_data_teacher(llp_data *out, const llp_mlp *teacher, const llp_real *theta_t,
                                   size_t n, double noise, llp_rng *rng);

/* The MLP over a data set as an objective. Holds its own workspace. mlp and
   data must outlive it. */
typedef struct llp_mlp_objective {
    const llp_mlp *mlp;
    const llp_data *data;
    llp_mlp_work work;
} llp_mlp_objective;

/* Tangents an MLP objective's block HVP carries at once. */
#ifndef LLP_MLP_OBJECTIVE_BLOCK
#define LLP_MLP_OBJECTIVE_BLOCK 4
#endif

/* chunk: samples per pass (0 -> min(n, 1024)); larger batches run in chunks.
   LLP_ERR_SHAPE when the data does not fit the model. */
LLPDEF llp_result llp_mlp_objective_init(llp_mlp_objective *mo, const llp_mlp *mlp, const llp_data *data,
                                         size_t chunk);
LLPDEF void llp_mlp_objective_free(llp_mlp_objective *mo);
/* The objective (loss_grad, exact hvp, gnvp). Points at mo. */
LLPDEF llp_objective llp_mlp_objective_get(llp_mlp_objective *mo);

/* ==========================================================================
   7. MODEL FILES
   ========================================================================== */

/* Save architecture + theta. Format (all integers little-endian):
     "LLPMODEL" (8 bytes) | u32 version (1) | u32 n_layers | u32 sizes[n_layers+1]
     | u32 act[n_layers] | u32 loss | u32 init | f64 weight_decay | f64 leaky_slope
     | f64 init_scale | u64 n_params | f64 theta[n_params] | u64 FNV-1a-64 of all
     preceding bytes.
   theta is always stored as f64. Written to "<path>.tmp" then renamed: a
   crash never leaves a half-written model under `path`. */
LLPDEF llp_result llp_mlp_save(const llp_mlp *m, const llp_real *theta, const char *path, llp_error *err);
/* Load a model saved by llp_mlp_save into a new llp_mlp (theta filled).
   Errors: LLP_ERR_IO, LLP_ERR_FORMAT (magic, impossible shapes), LLP_ERR_VERSION,
   LLP_ERR_TRUNCATED, LLP_ERR_CHECKSUM. `m` untouched on error. */
LLPDEF llp_result llp_mlp_load(llp_mlp *m, const char *path, llp_error *err);

/* ==========================================================================
   8. WRITERS
   ========================================================================== */

/* Write a table as a gnuplot data file: comment lines "# <line>" for each
   line of `header` (may be NULL), a line "# col1 col2 ...", then rows of
   `cols` numbers ("%.17g", every NaN as "nan"); when `block` > 0 a blank line follows every
   `block` rows (gnuplot scan lines for surfaces). csv != 0 writes CSV
   instead: the column names as the first row, no comments. Atomic (temporary
   file + rename). data: (rows, cols). */
LLPDEF llp_result llp_write_table(const char *path, const char *header, const char *const *colnames,
                                  const double *data, size_t rows, size_t cols, size_t block, int csv,
                                  llp_error *err);

/* ==========================================================================
   9. TRAINING: OPTIMIZERS, SCHEDULES, GRADIENT-FREE BASELINES
   ========================================================================== */

/* Base optimizers. g is the (noised, clipped) gradient, wd the optimizer's
   weight decay, lr the scheduled rate at step t (1-based in the bias
   corrections); M marks the coordinates decay applies to (weight_mask).
     SGD       theta -= lr (g + wd M theta)
     MOMENTUM  heavy ball, PyTorch's form: u = beta u + (g + wd M theta);
               theta -= lr u. With a constant rate this is Polyak's
               theta' = theta - lr g + beta (theta - theta_prev); on a quadratic
               it converges iff 0 < lr lambda < 2 + 2 beta for every eigenvalue.
     NESTEROV  u = beta u + gd, gd = g + wd M theta; theta -= lr (gd + beta u):
               Sutskever's look-ahead written at the shifted point (PyTorch's
               nesterov=True), the gradient is that of the look-ahead iterate.
     RMSPROP   s = rho s + (1 - rho) gd^2; theta -= lr gd / (sqrt(s) + eps)
     ADAM      m = b1 m + (1 - b1) gd; v = b2 v + (1 - b2) gd^2;
               theta -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
     ADAMW     Adam on g alone, then decoupled decay: theta -= lr wd M theta
               (applied before the Adam step, as PyTorch's AdamW does). */
typedef enum llp_opt_kind {
    LLP_OPT_SGD = 0,
    LLP_OPT_MOMENTUM,
    LLP_OPT_NESTEROV,
    LLP_OPT_RMSPROP,
    LLP_OPT_ADAM,
    LLP_OPT_ADAMW
} llp_opt_kind;

/* Sharpness-aware minimisation on top of any base optimizer: at theta with
   gradient g (same batch),
     SAM   e = rho g / ||g||                      (Foret et al. 2021; rho 0 -> 0.05)
     ASAM  e = rho T^2 g / ||T g||, T = diag(|theta_i| + eta) on weight
           coordinates and 1 on the others (biases)  (Kwon et al. 2021;
           rho 0 -> 0.5, eta 0 -> 0.01)
   then the base optimizer steps from theta with the gradient taken at
   theta + e. One global norm over all coordinates; e = 0 when g = 0.
   Cost: two gradients per step. */
typedef enum llp_sam_kind { LLP_SAM_NONE = 0, LLP_SAM, LLP_SAM_ADAPTIVE } llp_sam_kind;

/* Learning-rate schedules, lr(t) for step t = 0, 1, ...:
     CONSTANT  lr
     STEP      lr gamma^floor(t' / step_size)      (gamma 0 -> 0.1)
     COSINE    min_lr + (lr - min_lr) (1 + cos(pi t' / total)) / 2, t' <= total,
               then min_lr
   where t' = t - warmup. During a linear warm-up (t < warmup) the rate is
   lr (t + 1) / warmup. */
typedef enum llp_sched_kind { LLP_SCHED_CONSTANT = 0, LLP_SCHED_STEP, LLP_SCHED_COSINE } llp_sched_kind;

typedef struct llp_schedule {
    llp_sched_kind kind;
    size_t warmup;       /* linear warm-up steps (0: none) */
    size_t step_size;    /* STEP: steps per decay (0 -> 1) */
    double gamma;        /* STEP: factor per decay (0 -> 0.1) */
    size_t total;        /* COSINE: steps of the cosine after warm-up (required) */
    double min_lr;       /* COSINE: final rate */
} llp_schedule;

/* The rate at step t for base rate lr. */
LLPDEF double llp_schedule_lr(const llp_schedule *s, double lr, uint64_t t);

/* An optimizer's settings. Zero fields mean their default. */
typedef struct llp_opt_desc {
    llp_opt_kind kind;
    double lr;             /* base learning rate (required, > 0) */
    double momentum;       /* MOMENTUM, NESTEROV: beta (0 -> 0.9; for none use SGD) */
    double beta1, beta2;   /* ADAM(W): 0 -> 0.9, 0.999. RMSPROP: beta2 is rho (0 -> 0.99) */
    double eps;            /* RMSPROP, ADAM(W): 0 -> 1e-8 */
    double weight_decay;   /* wd >= 0 (see llp_opt_kind) */
    const unsigned char *weight_mask; /* (n) 1 = weight, 0 = bias-like (no decay, T = 1 in
                                         ASAM); NULL: every coordinate is a weight. Not copied:
                                         must outlive the optimizer. llp_mlp_weight_mask fills one. */
    llp_sam_kind sam;
    double sam_rho;        /* 0 -> 0.05 (SAM), 0.5 (ASAM) */
    double asam_eta;       /* 0 -> 0.01 */
    double clip_norm;      /* > 0: the gradient is rescaled to this global norm when longer */
    double grad_noise;     /* >= 0: std. dev. of Gaussian noise added to every gradient coordinate */
    uint64_t noise_seed;   /* seed of the noise stream */
    llp_schedule schedule;
} llp_opt_desc;

/* An optimizer: settings with defaults resolved, step count, the noise
   stream, and pointers into caller-owned state (llp_opt_state_size reals).
   Everything that determines the next step is in this struct and the state
   array: saving both with the parameters (as llp_trainer_save does) and
   restoring them resumes a run exactly. The state's gradient and SAM
   buffers are scratch, overwritten by every step. */
typedef struct llp_opt {
    llp_opt_desc d;
    size_t n;
    uint64_t t;            /* steps taken */
    llp_rng rng;           /* gradient noise */
    llp_real *state;       /* caller's block */
    llp_real *m, *v;       /* moments / velocity (NULL when unused) */
    llp_real *g, *g2, *e;  /* gradient, gradient at the SAM point, theta backup (SAM) */
} llp_opt;

/* What one step did. */
typedef struct llp_opt_info {
    double loss;           /* loss at theta before the step (on the step's batch) */
    double grad_norm;      /* ||g|| of the raw gradient at theta, before noise and clipping */
    double lr;             /* the rate used */
    double step_norm;      /* ||theta_new - theta_old|| */
    int clipped;           /* 1 when the gradient was clipped */
    unsigned evals;        /* gradient evaluations spent (2 with SAM) */
} llp_opt_info;

/* Reals of caller-owned state an optimizer over n coordinates needs. */
LLPDEF size_t llp_opt_state_size(const llp_opt_desc *d, size_t n);
/* Set up o over n coordinates with `state` (at least llp_opt_state_size
   reals; zeroed here). LLP_ERR_ARG for a bad setting (lr <= 0, beta outside
   [0, 1), cosine without total, ...). o is untouched on error. */
LLPDEF llp_result llp_opt_init(llp_opt *o, const llp_opt_desc *d, size_t n, llp_real *state, size_t state_len);
/* One step on objective f over batch: gradient at theta (and at the SAM
   point), noise, clipping, then the base update of theta in place. On an
   error of f, or a NaN/Inf gradient (LLP_ERR_NONFINITE), theta and the
   optimizer are left exactly as they were. info may be NULL. */
LLPDEF llp_result llp_opt_step(llp_opt *o, const llp_objective *f, llp_real *theta, const llp_batch *batch,
                               llp_opt_info *info);
/* The base update with a gradient the caller computed (no SAM; noise and
   clipping applied to a copy, grad itself is not modified). */
LLPDEF llp_result llp_opt_apply(llp_opt *o, llp_real *theta, const llp_real *grad, llp_opt_info *info);
/* Short names: "sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw". */
LLPDEF const char *llp_opt_name(llp_opt_kind k);
/* Weight mask of an MLP's theta: 1 on weight matrices, 0 on biases. mask: (n_params). */
LLPDEF void llp_mlp_weight_mask(const llp_mlp *m, unsigned char *mask);

/* Simulated annealing over an objective (batches ignored: full objective).
   From theta, propose theta' = theta + step N(0, I); accept when
   L' <= L or with probability exp(-(L' - L) / T) (Metropolis); the
   temperature follows T_k = T0 alpha^k (GEOMETRIC), T0 / (1 + k) (FAST,
   Cauchy-like) or T0 / log(k + e) (LOG, Boltzmann); the best point seen is
   kept. On return theta holds the best point. */
typedef enum llp_anneal_sched { LLP_ANNEAL_GEOMETRIC = 0, LLP_ANNEAL_FAST, LLP_ANNEAL_LOG } llp_anneal_sched;

typedef struct llp_anneal_desc {
    size_t iters;          /* proposals (0 -> 1000) */
    double t0;             /* initial temperature (0 -> 1) */
    double alpha;          /* GEOMETRIC factor per proposal (0 -> 0.995) */
    llp_anneal_sched schedule;
    double step;           /* proposal standard deviation (0 -> 0.1) */
} llp_anneal_desc;

typedef struct llp_anneal_result {
    double best_loss;      /* loss at the returned theta */
    double final_loss;     /* loss at the chain's last state */
    size_t accepted;       /* accepted proposals */
    size_t evals;          /* loss evaluations */
} llp_anneal_result;

/* visit (may be NULL) is called after every proposal with the chain's
   current point and loss, and whether the proposal was accepted; a nonzero
   return stops the run. */
typedef int (*llp_anneal_visit_fn)(void *ctx, size_t k, const llp_real *theta, double loss, int accepted,
                                   double temperature);
LLPDEF llp_result llp_anneal(const llp_objective *f, llp_real *theta, const llp_anneal_desc *d, llp_rng *rng,
                             llp_anneal_visit_fn visit, void *ctx, llp_anneal_result *res);

/* Grid search over the box lo <= theta <= hi of a low-dimensional objective
   (n <= 8, at most 1e7 points): `points` values per axis, evenly spaced with
   both ends included; the loss of every grid point goes to values (may be
   NULL; (points^n), last coordinate fastest). best: (n) out, the first
   minimum in that order; *best_loss its loss. NaN losses are skipped. */
LLPDEF llp_result llp_grid_search(const llp_objective *f, const llp_real *lo, const llp_real *hi, size_t points,
                                  llp_real *best, double *best_loss, double *values);

/* ---- the training loop ---------------------------------------------------
   A trainer runs an optimizer over a training objective in epochs of
   shuffled mini-batches (or full-batch steps), records a monitor row every
   eval_every steps (or once per epoch), keeps a trajectory of theta
   snapshots, detects divergence, plateaus and stalled validation loss, and
   can be checkpointed and resumed: a resumed run continues exactly as the
   uninterrupted one would (same theta, same monitor, same files).

   One step: draw the next mini-batch (index batch from a permutation of the
   samples drawn from the trainer's rng at every epoch start; the last batch
   of an epoch may be smaller), llp_opt_step, then the divergence check on
   the step's loss (NaN/Inf, or above diverge_factor times the first step's
   loss): on divergence theta is set back to the last iterate whose loss
   passed and the run stops with LLP_ERR_DIVERGED. Then monitor row,
   trajectory snapshot, checkpoint and callbacks, in that order. */

/* Why a run stopped. */
typedef enum llp_stop {
    LLP_STOP_NONE = 0,     /* not stopped yet (more steps to run) */
    LLP_STOP_DONE,         /* all epochs ran */
    LLP_STOP_MAX_STEPS,    /* the step limit was reached */
    LLP_STOP_TARGET,       /* a monitor row's train loss reached target_loss */
    LLP_STOP_PLATEAU,      /* train loss flat over plateau_window rows (stop_on_plateau) */
    LLP_STOP_EARLY,        /* validation loss did not improve for `patience` rows */
    LLP_STOP_DIVERGED,     /* NaN/Inf or loss blow-up (LLP_ERR_DIVERGED) */
    LLP_STOP_CALLBACK      /* a callback asked to stop; llp_trainer_run continues the run */
} llp_stop;

/* One monitor row. NaN marks what is not available. */
typedef struct llp_monitor_row {
    uint64_t step;         /* optimizer steps taken */
    double epoch;          /* epochs done, fractional */
    double train_loss;     /* mean of the step losses since the previous row, or the full
                              training loss at theta (eval_full_train) */
    double val_loss;       /* validation objective at theta (full batch) */
    double train_acc;      /* with eval_full_train and an objective with accuracy */
    double val_acc;
    double grad_norm;      /* mean raw gradient norm over the steps since the previous row */
    double weight_norm;    /* ||theta|| */
    double lr;             /* rate of the last step */
    double step_norm;      /* ||theta change|| of the last step */
    double seconds;        /* wall time since the run started (not deterministic: kept
                              out of files unless asked for) */
} llp_monitor_row;

/* Trajectory of theta snapshots. In memory, at most `max` snapshots are
   kept: when full, every other one is dropped and the interval doubles, so
   the whole run stays covered evenly. */
typedef struct llp_traj {
    size_t n;              /* coordinates per snapshot */
    size_t count, max;     /* snapshots held, capacity */
    uint64_t every;        /* current interval in steps */
    uint64_t *steps;       /* (max) step of each snapshot */
    llp_real *theta;       /* (max, n) */
} llp_traj;

typedef struct llp_trainer llp_trainer;
/* Callbacks: nonzero return stops the run (LLP_STOP_CALLBACK). */
typedef int (*llp_step_fn)(void *ctx, const llp_trainer *tr, const llp_opt_info *info);
typedef int (*llp_epoch_fn)(void *ctx, const llp_trainer *tr, size_t epoch);
/* Called before every optimizer step (step = steps taken so far) with the
   step's batch and the iterate it starts from; it may change the optimizer's
   settings, e.g. its learning rate opt->d.lr (the probe-guided rate,
   llp_pgo_before_step, is one). Anything other than LLP_OK stops the run
   and is returned by llp_trainer_run. */
typedef llp_result (*llp_prestep_fn)(void *ctx, llp_opt *opt, const llp_objective *train, const llp_real *theta,
                                     const llp_batch *batch, uint64_t step);

typedef struct llp_train_desc {
    size_t epochs;         /* 0 -> 10 */
    size_t batch_size;     /* 0 or >= n_samples: full batch (one step per epoch); objectives
                              without samples always take full steps */
    uint64_t max_steps;    /* 0: no limit */
    uint64_t seed;         /* shuffling stream */
    uint64_t eval_every;   /* steps per monitor row; 0: one row per epoch */
    int eval_full_train;   /* rows carry the full training loss (and accuracy) at theta */
    int record_initial;    /* a monitor row at step 0, before training (the step-0 trajectory
                              snapshot is taken whenever traj_every is set) */
    int use_target;        /* 1: stop when a row's train loss <= target_loss */
    double target_loss;
    size_t plateau_window; /* rows (0: off); a plateau is a train-loss variance over the
                              window below plateau_tol * (mean^2 + 1e-300) */
    double plateau_tol;    /* 0 -> 1e-8 */
    int stop_on_plateau;
    double diverge_factor; /* loss > factor * first loss is divergence (0 -> 1e6; < 0: only NaN/Inf) */
    size_t patience;       /* rows without validation improvement (0: off); theta is then
                              set back to the best validation iterate */
    double min_delta;      /* improvement needed, absolute */
    uint64_t traj_every;   /* snapshot every k steps (0: off) */
    size_t traj_max;       /* in-memory bound (0 -> 1000) */
    const char *traj_path; /* stream snapshots to this file instead (llp_traj_load reads it) */
    const char *ckpt_path; /* checkpoint file, written atomically every ckpt_every steps */
    uint64_t ckpt_every;
    llp_step_fn on_step;
    llp_epoch_fn on_epoch;
    void *ctx;
    llp_prestep_fn before_step; /* NULL: none */
    void *before_ctx;
} llp_train_desc;

struct llp_trainer {
    llp_train_desc d;
    const llp_objective *train, *val;
    llp_opt opt;
    llp_real *theta;       /* the caller's parameters, updated in place */
    /* progress */
    uint64_t step;
    size_t epoch, pos;     /* epochs done; position in the current permutation */
    llp_rng rng;
    size_t *perm;          /* (n_samples) */
    double first_loss;
    int have_first;
    llp_stop stop;
    /* accumulators since the last row */
    double acc_loss, acc_gnorm;
    uint64_t acc_count;
    llp_opt_info last;
    /* early stopping */
    double best_val;
    size_t since_best;
    llp_real *best_theta;  /* (n) */
    llp_real *good;        /* (n) last iterate whose loss passed */
    llp_real *start;       /* (n) the current step's starting point */
    int plateau;           /* the last plateau_window rows are flat */
    /* records */
    llp_monitor_row *rows;
    size_t n_rows, cap_rows;
    llp_traj traj;
    uint64_t traj_written; /* snapshots streamed to traj_path */
    double t_start, t_offset;
    void *block;           /* everything allocated here */
};

/* Set up a trainer for theta (n = train->n, updated in place) with optimizer
   settings od (the optimizer state is allocated here). val may be NULL.
   Nothing runs yet. */
LLPDEF llp_result llp_trainer_init(llp_trainer *tr, const llp_train_desc *d, const llp_objective *train,
                                   const llp_objective *val, const llp_opt_desc *od, llp_real *theta);
/* Run until the run ends (see llp_stop in tr->stop) or a callback stops it
   (call again to continue). LLP_OK for every stop but divergence
   (LLP_ERR_DIVERGED, theta restored) and errors of the objective or files. */
LLPDEF llp_result llp_trainer_run(llp_trainer *tr);
/* Everything that determines the rest of the run, atomically to path:
   theta, optimizer state and step, rngs, permutation and position, early
   stopping and divergence references, monitor rows and the in-memory
   trajectory (a streamed one: its length). FNV-1a checksum at the end. */
LLPDEF llp_result llp_trainer_save(const llp_trainer *tr, const char *path, llp_error *err);
/* Restore a checkpoint into a trainer set up (llp_trainer_init) with the
   same objectives and settings: LLP_ERR_SHAPE/LLP_ERR_FORMAT when they
   differ, LLP_ERR_TRUNCATED/LLP_ERR_CHECKSUM for a damaged file; the
   trainer and theta are untouched on error. A streamed trajectory file is
   cut back to the checkpoint's length. */
LLPDEF llp_result llp_trainer_load(llp_trainer *tr, const char *path, llp_error *err);
LLPDEF void llp_trainer_free(llp_trainer *tr);
/* The monitor as a gnuplot table (columns step epoch train_loss val_loss
   train_acc val_acc grad_norm weight_norm lr step_norm [seconds]); with_time
   adds the wall-time column, which makes the file differ between runs. */
LLPDEF llp_result llp_trainer_write_monitor(const llp_trainer *tr, const char *path, const char *header,
                                            int with_time, llp_error *err);
LLPDEF const char *llp_stop_name(llp_stop s);

/* Read a trajectory streamed by a trainer (traj_path): out->theta,
   out->steps allocated (llp_traj_free). */
LLPDEF llp_result llp_traj_load(llp_traj *out, const char *path, llp_error *err);
LLPDEF void llp_traj_free(llp_traj *t);

/* ---- learning-rate range test and optimizer comparison ------------------ */

/* Learning-rate range test (Smith 2017): from theta0 (not modified), one
   optimizer step per rate while the rate grows exponentially from lr_min to
   lr_max over `steps` steps, on shuffled mini-batches. The step losses are
   smoothed by a bias-corrected exponential average,
       s_i = a_i / (1 - beta^(i+1)),  a_i = beta a_(i-1) + (1 - beta) L_i,
   and the sweep stops early when s_i > stop_factor * min(s) or a loss is
   NaN/Inf. Reported:
     suggested     the rate where s falls fastest: the most negative central
                   difference ds/dlog(lr), searched before the minimum of s;
     best          the rate at the minimum of s;
     max_stable    the largest rate, past the minimum of s, before s rises
                   above its starting value s_0 (beyond it the run ends worse
                   than where it began: the largest rate that still trains);
                   the last rate when s never does.
   Cost: `steps` optimizer steps (gradient evaluations, two with SAM). */
typedef struct llp_lr_find_desc {
    double lr_min;         /* 0 -> 1e-6 */
    double lr_max;         /* 0 -> 10 */
    size_t steps;          /* 0 -> 100 */
    double beta;           /* smoothing, 0 -> 0.9 */
    double stop_factor;    /* 0 -> 4 */
    size_t batch_size;     /* 0: full batch */
    uint64_t seed;         /* shuffling */
} llp_lr_find_desc;

typedef struct llp_lr_find_result {
    size_t n;              /* steps run */
    double *lr, *loss, *smooth; /* (n) each, one allocation (llp_lr_find_free) */
    double suggested, best, max_stable;
    int stopped_early;     /* the loss blew up before lr_max */
} llp_lr_find_result;

LLPDEF llp_result llp_lr_find(const llp_objective *f, const llp_real *theta0, const llp_opt_desc *od,
                              const llp_lr_find_desc *d, llp_lr_find_result *res);
/* Columns lr loss smooth, with the three rates in the header. */
LLPDEF llp_result llp_lr_find_write(const llp_lr_find_result *res, const char *path, const char *header,
                                    llp_error *err);
LLPDEF void llp_lr_find_free(llp_lr_find_result *res);

/* Optimizer comparison: the same training run (td, from the same theta0)
   with each of k optimizers. For each: its monitor rows, the final training
   loss, the first step at which a row's training loss is <= conv_loss (0
   when never: set td->eval_every small enough to see it), the wall time and
   how the run ended. A diverging optimizer is reported (stop = DIVERGED),
   not an error. */
typedef struct llp_compare_entry {
    char name[32];
    llp_result result;     /* LLP_OK or LLP_ERR_DIVERGED */
    llp_stop stop;
    double final_loss;     /* last row's training loss */
    double final_val;      /* last row's validation loss (NaN without one) */
    uint64_t steps_to_conv;/* 0: not reached */
    uint64_t steps;        /* steps run */
    double seconds;
    llp_monitor_row *rows; /* (n_rows) */
    size_t n_rows;
} llp_compare_entry;

typedef struct llp_compare_result {
    size_t k;
    llp_compare_entry *e;  /* (k) */
} llp_compare_result;

/* names: k labels (NULL: the optimizer's short name, "+sam"/"+asam" added). */
LLPDEF llp_result llp_compare_optimizers(const llp_objective *train, const llp_objective *val,
                                         const llp_real *theta0, const llp_opt_desc *opts, const char *const *names,
                                         size_t k, const llp_train_desc *td, double conv_loss,
                                         llp_compare_result *res);
/* Loss curves: one gnuplot data block per optimizer (blocks separated by two
   blank lines, so `index i` selects one; a "# name" line opens each), columns
   step epoch train_loss val_loss. */
LLPDEF llp_result llp_compare_write_curves(const llp_compare_result *res, const char *path, const char *header,
                                           llp_error *err);
/* The table: name final_loss final_val steps_to_conv steps stop [seconds]
   (with_time adds the wall time, which differs between runs). */
LLPDEF llp_result llp_compare_write_table(const llp_compare_result *res, const char *path, const char *header,
                                          int with_time, llp_error *err);
LLPDEF void llp_compare_free(llp_compare_result *res);

/* ==========================================================================
   10. HESSIAN AND CURVATURE TOOLS
   ========================================================================== */

/* Every tool here takes an objective, the point theta (never modified) and a
   batch policy, never reaches into a model, and reports what it spent in an
   llp_evals record. Products go through llp_objective_hvp(_block): exact when
   the objective has an hvp, else a central difference of two gradients
   (counted here as one HVP). Randomness comes only from the llp_rng passed
   in (probes, start vectors) and the policy's rng (fresh batches). Results that own memory
   are allocated by the tool and have a _free; on error the result struct and
   every caller buffer are left as they were.

   Dense spectra (llp_sym_eig, llp_hessian_full) are computed in double in
   both builds; iterative tools keep their vectors in llp_real and their
   reductions and small matrices in double. */

#define LLP_HAVE_HESSIAN 1

/* ---- batch semantics ----------------------------------------------------
   Which samples the products of a tool see:
     FULL    every sample, for every product: the Hessian of the full loss.
     FIXED   one probe batch (`batch`; NULL = all) for every product: the
             exact Hessian of that batch's loss, a deterministic operator.
     FRESH   a new mini-batch of `batch_size` samples for every product (one
             HVP, or one gradient pair of llp_hessian_probe), drawn from
             `rng` without replacement (selection sampling: sorted indices).
             The tool then sees a different matrix at every product: traces
             and densities estimate those of the expected (full-data)
             Hessian with the batch noise added to their spread; an iterative
             eigensolver sees no single operator, so take Lanczos and power
             results under FRESH as rough. Block products are issued one at a
             time under FRESH (each with its own batch).
   Objectives without samples (n_samples == 0, e.g. analytic landscapes)
   ignore batches: every policy evaluates the one function. */
typedef enum llp_batch_policy_kind {
    LLP_BATCH_POLICY_FULL = 0,
    LLP_BATCH_POLICY_FIXED = 1,
    LLP_BATCH_POLICY_FRESH = 2
} llp_batch_policy_kind;

typedef struct llp_batch_policy {
    llp_batch_policy_kind kind;
    const llp_batch *batch;   /* FIXED: the probe batch (NULL = all samples); must outlive the call */
    size_t batch_size;        /* FRESH: samples per product, 1..n_samples */
    llp_rng *rng;             /* FRESH: the stream batches are drawn from (required; may be the
                                 tool's own rng, the draws then interleave deterministically) */
} llp_batch_policy;

LLPDEF llp_batch_policy llp_batch_policy_full(void);
LLPDEF llp_batch_policy llp_batch_policy_fixed(const llp_batch *batch);
LLPDEF llp_batch_policy llp_batch_policy_fresh(size_t batch_size, llp_rng *rng);
/* One line describing the policy for n_samples samples, for file headers,
   e.g. "batch: full data (200 samples)", "batch: fixed probe batch, samples
   0..63 (64 of 200)", "batch: fresh mini-batch of 32 of 200 samples per
   product, drawn without replacement". NUL-terminated, truncated to len.
   LLP_ERR_ARG for a NULL buf, len 0 or an unknown kind. A NULL policy is FULL. */
LLPDEF llp_result llp_batch_policy_describe(const llp_batch_policy *p, size_t n_samples, char *buf, size_t len);

/* What a tool spent. hvp counts products: a block product of k vectors
   counts k. An objective without an hvp gets its products from the central
   difference of llp_objective_hvp, two gradients each: they are counted as
   such (grad += 2), not as HVPs. batches counts the mini-batches drawn
   under FRESH. */
typedef struct llp_evals {
    size_t loss;     /* loss-only evaluations */
    size_t grad;     /* gradient evaluations */
    size_t hvp;      /* Hessian-vector products */
    size_t batches;  /* fresh batches drawn */
} llp_evals;

/* ---- dense symmetric eigensolvers ---------------------------------------- */

/* All eigenvalues (ascending) and, when v != NULL, eigenvectors of a dense
   symmetric matrix. a: (n, n) row-major; only the lower triangle (i >= j) is
   read. w: (n) out, ascending. v: (n, n) out or NULL; column j (v[i*n + j])
   is the unit eigenvector of w[j]; signs are arbitrary. Method: Householder
   reduction to tridiagonal form (with the orthogonal factor accumulated),
   then implicit QL with Wilkinson shifts. Backward stable: expect
   ||A V - V diag(w)|| and ||V^T V - I|| of a few n eps ||A|| (eps of
   double). Works in a scratch copy (allocates n^2 + 4n doubles, 2 n^2 + 4n
   with vectors); w and v are written only on success, after a has been
   read, so v may be a itself. LLP_ERR_ARG for NULL a/w or n == 0,
   LLP_ERR_NONFINITE for NaN/Inf entries, LLP_ERR_NOMEM, LLP_ERR_DIVERGED if
   QL needs more than 60 sweeps for one eigenvalue (not seen in practice).
   Cost O(n^3): at n = 1000 about 2 s with vectors and 0.5 s without on one
   core. */
LLPDEF llp_result llp_sym_eig(const double *a, size_t n, double *w, double *v);

/* Eigenvalues (ascending) and, when z != NULL, eigenvectors of the symmetric
   tridiagonal matrix with diagonal d: (n) and off-diagonal e: (n - 1)
   (e[i] couples i and i + 1; e may be NULL when n == 1). z: (n, n) out,
   column j the eigenvector of w[j]. Golub–Welsch: for a Jacobi matrix the
   eigenvalues are Gauss quadrature nodes and the squared first components
   z[0*n + j]^2 the weights (for a unit-mass measure). Implicit QL with
   Wilkinson shifts; allocates 2n (+ n^2 with z) doubles; outputs written only
   on success; errors as llp_sym_eig. */
LLPDEF llp_result llp_tridiag_eig(const double *d, const double *e, size_t n, double *w, double *z);

/* ---- extreme eigenpairs: power iteration and Lanczos ---------------------- */

/* Eigenpairs from an iterative solver. Allocated by the tool; free with
   llp_eig_result_free.
     power iteration: k = n_largest pairs in the order found (the deflated
       iteration finds them by decreasing |lambda| when it converges);
     Lanczos: values[0 .. n_largest) the largest eigenvalues, descending, then
       values[n_largest .. k) the smallest, ascending. So values[0] is
       lambda_max and values[n_largest] lambda_min when both were asked for.
   residuals[i] is ||H v_i - lambda_i v_i|| (power: measured with the HVP the
   last iteration made; Lanczos: the Ritz estimate |beta_m s_mi|, equal to
   the true residual in exact arithmetic and, with full reorthogonalisation,
   close to it in floating point). For a unit v_i, H has an
   eigenvalue within residuals[i] of values[i] (and within residual^2 / gap
   when the rest of the spectrum is at least `gap` away). */
typedef struct llp_eig_result {
    size_t n;              /* dimension of theta */
    size_t k;              /* pairs held: n_largest + n_smallest */
    size_t n_largest, n_smallest;
    double *values;        /* (k) */
    double *residuals;     /* (k) */
    int *converged;        /* (k) 1 when the pair met the tolerance */
    llp_real *vectors;     /* (k, n) unit vectors, one per row; NULL unless asked for */
    size_t iters;          /* power: iterations over all pairs; Lanczos: Krylov dimension reached */
    size_t restarts;       /* Lanczos: invariant subspaces met and continued from a new vector */
    llp_evals evals;
    char batch[160];       /* llp_batch_policy_describe of the policy used */
} llp_eig_result;

LLPDEF void llp_eig_result_free(llp_eig_result *res);

/* Power iteration settings. Zero fields mean their default. */
typedef struct llp_power_desc {
    size_t k;              /* eigenpairs by deflation (0 -> 1), at most n */
    size_t max_iter;       /* iterations per pair (0 -> 200) */
    double tol;            /* stop when ||(I-P) H v - lambda v|| <= tol * scale (0 -> 1e-4), where
                              P projects on the pairs already found and scale = |lambda| of the
                              first pair (of this one for the first) */
    const llp_real *v0;    /* (n) start of the first pair; NULL: Gaussian from rng */
    int want_vectors;      /* 1: res->vectors holds the eigenvectors */
} llp_power_desc;

/* Power iteration for the largest-magnitude eigenvalue of the Hessian at
   theta, and by deflation the next k - 1: pair p iterates v <- (I-P) H v /
   ||.|| with v kept orthogonal to the p vectors already found (P their
   projector), lambda = v^T H v (Rayleigh quotient). It stops when the
   deflated residual meets tol (converged = 1) or after max_iter iterations.
   The reported residual is the undeflated ||H v - lambda v||, which also
   carries the error of the earlier vectors. A converged lambda is within
   tol * scale of an eigenvalue of the deflated operator (a guarantee, for
   the operator the products define); the rate is |lambda_2 / lambda_1| per
   iteration for the vector, its square for lambda.
   Caveats: when lambda and -lambda are both of the top magnitude (e.g. x^2 -
   y^2) the iterate oscillates and never converges: use llp_lanczos. Errors
   of the early pairs accumulate in the later ones (each is orthogonalised
   against approximate vectors).
   Cost: one HVP per iteration (res->iters in all). rng: required (start
   vectors). Allocates k + 2 vectors of n. LLP_ERR_ARG for NULL f/theta/res/
   rng, n == 0, k > n, tol < 0 or a zero v0; LLP_ERR_NONFINITE for a NaN/Inf
   product. */
LLPDEF llp_result llp_power_iteration(const llp_objective *f, const llp_real *theta, const llp_batch_policy *bp,
                                      const llp_power_desc *d, llp_rng *rng, llp_eig_result *res);

/* Lanczos settings. Zero fields mean their default. */
typedef struct llp_lanczos_desc {
    size_t k_largest;      /* largest eigenvalues wanted (algebraic) */
    size_t k_smallest;     /* smallest eigenvalues wanted (the most negative first); both 0 -> 1 and 1;
                              k_largest + k_smallest <= min(n, max_steps) */
    size_t max_steps;      /* Krylov dimension cap m (0 -> min(n, 100)), capped at n */
    double tol;            /* a Ritz pair has converged when |beta_m s_mi| <= tol * max|theta_i|
                              (0 -> 1e-8; 1e-4 when llp_real is float) */
    const llp_real *v0;    /* (n) start; NULL: Gaussian from rng */
    int want_vectors;      /* 1: res->vectors holds the Ritz vectors */
} llp_lanczos_desc;

/* Lanczos with full reorthogonalisation for the extreme eigenpairs at both
   ends of the spectrum of the Hessian at theta: q_1 = v0/||v0||, and per step
   j one product w = H q_j, alpha_j = q_j^T w, w -= alpha_j q_j + beta_j q_j-1,
   then w is orthogonalised against every q (Gram–Schmidt, twice),
   beta_j+1 = ||w||. After each step the tridiagonal T_j is diagonalised
   (implicit QL) and the run stops as soon as every wanted Ritz pair (the
   k_largest largest and the k_smallest smallest Ritz values) has its Ritz
   residual |beta_j+1 s_ji| within tol (s_ji the last component of the Ritz
   vector), or when m steps are done. No restarts in the ARPACK sense. When
   beta vanishes (an invariant subspace: its Ritz values are exact
   eigenvalues) the run continues from a new random vector orthogonal to the
   basis (res->restarts counts these) until such a block leaves the wanted
   values unchanged: one Krylov space holds each distinct eigenvalue once,
   so this is how exactly repeated eigenvalues (H = c I, few distinct
   values) get their multiplicity. Without a breakdown a repeated
   eigenvalue shows up once among the Ritz values: single-vector Lanczos
   does not resolve multiplicities. The smallest eigenvalue matters as much
   as the largest: a negative one is how a saddle is seen.
   Ritz values lie inside [lambda_min, lambda_max] and converge from inside;
   clustered eigenvalues at an end (gaps small relative to the spread) need
   up to n steps. With m = n the whole spectrum is found to rounding.
   Cost: one HVP per step (res->iters in all), plus O(m^2 n) for the
   reorthogonalisation and O(m^3) for the small eigenproblems. Allocates
   (m + 1) n reals for the basis. rng: required (start and restart vectors).
   Errors as llp_power_iteration (LLP_ERR_ARG also for k_largest +
   k_smallest > min(n, max_steps)). */
LLPDEF llp_result llp_lanczos(const llp_objective *f, const llp_real *theta, const llp_batch_policy *bp,
                              const llp_lanczos_desc *d, llp_rng *rng, llp_eig_result *res);

/* ---- trace estimation ---------------------------------------------------- */

typedef enum llp_probe_kind {
    LLP_PROBE_RADEMACHER = 0,  /* entries +1/-1: the smaller variance for a trace */
    LLP_PROBE_GAUSSIAN = 1     /* entries N(0, 1) */
} llp_probe_kind;

/* Hutchinson settings. Zero fields mean their default. */
typedef struct llp_trace_desc {
    size_t min_samples;    /* probes always used (0 -> 10); must be >= 2 */
    size_t max_samples;    /* probe cap (0 -> max(100, min_samples)), >= min_samples */
    double rel_tol;        /* > 0: stop (checked after each block, once min_samples are in)
                              when std_error <= rel_tol * |trace|; 0: use max_samples */
    size_t block;          /* probes per block product (0 -> 4) */
    llp_probe_kind probe;
} llp_trace_desc;

/* Hutch++ settings. Zero fields mean their default. */
typedef struct llp_hutchpp_desc {
    size_t matvecs;        /* product budget m (0 -> 60), >= 6: a sketch of m/3 columns, m/3
                              products for Q^T H Q and the remaining m - 2 (m/3) Hutchinson probes */
    size_t block;          /* vectors per block product (0 -> 4) */
} llp_hutchpp_desc;

typedef struct llp_trace_result {
    double trace;          /* the estimate */
    double std_error;      /* standard error of the stochastic part: s / sqrt(samples), s the
                              sample standard deviation of the probe values */
    size_t samples;        /* Hutchinson probes used */
    size_t sketch;         /* Hutch++: rank of the sketch basis Q (0 for Hutchinson) */
    llp_evals evals;
    char batch[160];
} llp_trace_result;

/* Hutchinson's estimator of tr(H): the mean of z^T H z over probes z
   (E[z z^T] = I). For Rademacher probes the variance of one sample is
   2 (||H||_F^2 - sum_i H_ii^2), for Gaussian ones 2 ||H||_F^2; std_error is
   the sample estimate of sqrt(variance / samples). At least min_samples
   probes are always used, so the error bar is never that of two samples.
   Cost: `samples` HVPs, in block products of `block`. rng: required.
   Allocates 2 block n reals. LLP_ERR_ARG for bad settings, LLP_ERR_NONFINITE
   for a NaN/Inf product. */
LLPDEF llp_result llp_hutchinson(const llp_objective *f, const llp_real *theta, const llp_batch_policy *bp,
                                 const llp_trace_desc *d, llp_rng *rng, llp_trace_result *res);

/* Hutch++ (Meyer, Musco, Musco, Woodruff 2021): with S a sketch of s = m/3
   Rademacher columns, Q = orth(H S) (modified Gram–Schmidt twice; columns
   that vanish, i.e. rank deficiency, are dropped), the estimate is
       tr(Q^T H Q) + (1/p) sum_j g_j^T (I - QQ^T) H (I - QQ^T) g_j
   over p = m - 2s Rademacher probes g_j. The first term is exact for the
   part of H that Q captures, so a spectrum dominated by a few large
   eigenvalues (common for network Hessians) costs far fewer products than
   Hutchinson for the same error; when rank(H) <= s the estimate is exact.
   std_error is that of the second term (the first is not random given Q).
   Cost: at most m HVPs (fewer when Q loses rank; counted in evals). rng:
   required. Allocates (s + 2 block) n reals. Errors as llp_hutchinson. */
LLPDEF llp_result llp_hutchpp(const llp_objective *f, const llp_real *theta, const llp_batch_policy *bp,
                              const llp_hutchpp_desc *d, llp_rng *rng, llp_trace_result *res);

/* ---- spectral density: stochastic Lanczos quadrature ---------------------- */

/* SLQ settings. Zero fields mean their default. */
typedef struct llp_slq_desc {
    size_t runs;           /* independent start vectors n_v (0 -> 10) */
    size_t steps;          /* Lanczos steps m per run (0 -> min(n, 50)), capped at n */
    llp_probe_kind probe;  /* start vector before normalisation: Rademacher or Gaussian */
} llp_slq_desc;

/* The quadrature: nodes (Ritz values) and weights (squared first components
   of the Ritz vectors, divided by runs, so all weights sum to 1). The
   discrete measure sum_i weights[i] delta(x - nodes[i]) estimates the
   spectral measure (1/n) sum_j delta(x - lambda_j). Allocated; llp_slq_free. */
typedef struct llp_slq_result {
    size_t n;              /* dimension */
    size_t runs, steps;    /* as run (steps requested; a run stops early at an invariant subspace) */
    size_t n_nodes;
    double *nodes;         /* (n_nodes) run by run, ascending within a run */
    double *weights;       /* (n_nodes) */
    llp_evals evals;
    char batch[160];
} llp_slq_result;

/* Stochastic Lanczos quadrature (Ubaru, Chen, Saad 2017; applied to network
   Hessians by Ghorbani, Krishnan, Xiao 2019): for each run a start vector v
   (normalised probe),
   m Lanczos steps with full reorthogonalisation, then the Gauss quadrature of
   the tridiagonal T (Golub–Welsch): nodes = eigenvalues of T, weights =
   squared first components of its eigenvectors. The quadrature gives
   v^T f(H) v exactly for polynomials f of degree <= 2m - 1, so n sum_i w_i
   theta_i equals the Hutchinson trace of the same probes (Rademacher). Cost: runs * m HVPs (fewer
   when a run stops early). rng: required. Allocates (m + 1) n reals for the
   basis. Errors as llp_hutchinson. */
LLPDEF llp_result llp_slq(const llp_objective *f, const llp_real *theta, const llp_batch_policy *bp,
                          const llp_slq_desc *d, llp_rng *rng, llp_slq_result *res);
LLPDEF void llp_slq_free(llp_slq_result *res);

/* Density settings. Zero fields mean their default. */
typedef struct llp_density_desc {
    double sigma;          /* Gaussian broadening: the standard deviation of the kernel, in the
                              eigenvalue's units (0 -> 0.01 * max(spread, max|node|) of the nodes,
                              1 when all nodes are 0); not a variance */
    size_t points;         /* grid points, >= 2 (0 -> 1000) */
    double lo, hi;         /* grid ends; both 0 -> [min node - 5 sigma, max node + 5 sigma] */
} llp_density_desc;

/* A density on an evenly spaced grid. Allocated; llp_density_free. */
typedef struct llp_density {
    size_t points;
    double *x, *y;         /* (points) each: grid and density */
    double sigma;          /* the standard deviation used */
    double mass;           /* trapezoidal integral of the broadened measure over the grid before
                              normalisation: 1 when the grid covers it, less when it cuts tails */
    size_t n, runs, steps; /* from the SLQ run */
    char batch[160];
} llp_density;

/* The SLQ measure broadened by Gaussians of standard deviation sigma,
       y(x) = sum_i w_i exp(-(x - theta_i)^2 / (2 sigma^2)) / (sigma sqrt(2 pi)),
   evaluated on the grid and divided by its trapezoidal integral, so that the
   trapezoidal integral of y over the grid is 1 (to rounding); `mass` keeps
   the integral before that. LLP_ERR_ARG for bad settings or a grid that
   misses the measure (mass not > 0). Allocates 2 points doubles. */
LLPDEF llp_result llp_slq_density(const llp_slq_result *s, const llp_density_desc *d, llp_density *out);
/* Write a density as a gnuplot table (columns lambda density): header lines
   from `header` (may be NULL), then the method, runs x steps, sigma (as a
   standard deviation), mass, and the batch semantics line. Atomic, via
   llp_write_table. */
LLPDEF llp_result llp_density_write(const llp_density *dens, const char *path, const char *header,
                                    llp_error *err);
LLPDEF void llp_density_free(llp_density *dens);

/* ---- the full Hessian ---------------------------------------------------- */

/* A dense Hessian. Allocated; llp_hessian_free. */
typedef struct llp_hessian {
    size_t n;
    double *h;             /* (n, n) row-major, symmetrised: (H + H^T) / 2 */
    double asym_max;       /* max_ij |H_ij - H_ji| before symmetrising */
    double asym_rel;       /* ||H - H^T||_F / ||H + H^T||_F before symmetrising (0 for H = 0) */
    llp_evals evals;
    char batch[160];
} llp_hessian;

/* The full Hessian at theta for small n: column j = H e_j from n products on
   unit vectors, `block` at a time through the block HVP (0 -> 8), then
   symmetrised. The asymmetry measures the products' error (rounding for an
   exact HVP; the finite-difference error otherwise, or a FRESH policy's
   batch-to-batch noise). Feed h to llp_sym_eig for the whole spectrum.
   Cost: n HVPs. Allocates n^2 doubles plus 2 block n reals; mind n^2 (a
   10^4-parameter model needs 800 MB). Errors: LLP_ERR_ARG, LLP_ERR_NOMEM,
   LLP_ERR_NONFINITE for a NaN/Inf product. */
LLPDEF llp_result llp_hessian_full(const llp_objective *f, const llp_real *theta, const llp_batch_policy *bp,
                                   size_t block, llp_hessian *out);
LLPDEF void llp_hessian_free(llp_hessian *h);

/* ---- numbers derived from a spectrum ------------------------------------ */

/* What the second-order test says about a critical point, with zero meaning
   |lambda| <= tol. Only meaningful where the gradient vanishes: check
   ||grad|| yourself. */
typedef enum llp_critical_kind {
    LLP_CRITICAL_DEGENERATE = 0, /* some eigenvalues zero and the others of one sign (or all
                                    zero): the second-order test cannot decide */
    LLP_CRITICAL_MINIMUM = 1,    /* every eigenvalue > tol */
    LLP_CRITICAL_MAXIMUM = 2,    /* every eigenvalue < -tol */
    LLP_CRITICAL_SADDLE = 3      /* some < -tol and some > tol (zero ones allowed) */
} llp_critical_kind;

typedef struct llp_spectrum_stats {
    double lambda_max, lambda_min;
    double trace;          /* sum of eigenvalues (SLQ: n sum_i w_i theta_i) */
    double tol;            /* the absolute zero threshold: rel_tol * max |lambda| */
    double neg_ratio;      /* fraction of eigenvalues < -tol (SLQ: weight of such nodes) */
    double zero_ratio;     /* fraction with |lambda| <= tol */
    double pos_ratio;      /* fraction > tol */
    double cond_pos;       /* largest / smallest eigenvalue > tol; NaN when none is */
    double lambda_k;       /* the k-th largest eigenvalue (SLQ: where the weight above reaches k/n) */
    double cond_k;         /* lambda_max / lambda_k; +inf when lambda_k <= tol; NaN for k = 0 */
    double cond_mean;      /* lambda_max / (trace / n); NaN when trace <= 0 */
    llp_critical_kind kind;
} llp_spectrum_stats;

/* Derived numbers from eigenvalues values: (count), in any order, with
   weights: (count) summing to 1 (an SLQ measure) or NULL (a full spectrum:
   each value has weight 1/count and n must equal count). n is the dimension
   (for the trace from weights and for cond_mean). Zero is |lambda| <= tol,
   tol = rel_tol * max |lambda| (rel_tol 0 -> 1e-6; relative because the
   Hessian's scale is arbitrary; set it above the products' relative error).
   The condition numbers: cond_pos is the classical one but explodes with
   the near-zero eigenvalues a network Hessian is full of; lambda_max /
   lambda_k and lambda_max / mean eigenvalue are the ones that stay meaningful
   there. Allocates 2 count doubles (a sorted copy). LLP_ERR_ARG for count 0,
   n 0, k > n, rel_tol < 0 or negative weights; LLP_ERR_NONFINITE for NaN. */
LLPDEF llp_result llp_hessian_stats(const double *values, const double *weights, size_t count, size_t n, size_t k,
                                    double rel_tol, llp_spectrum_stats *st);
/* The same from an SLQ quadrature. The extremes are the extreme Ritz values
   (inside the true ones, close when steps are enough), the ratios are
   weights of nodes, so rougher than from a full spectrum. */
LLPDEF llp_result llp_slq_stats(const llp_slq_result *s, size_t k, double rel_tol, llp_spectrum_stats *st);
/* "degenerate", "minimum", "maximum", "saddle". */
LLPDEF const char *llp_critical_name(llp_critical_kind c);

/* ---- per-layer curvature: a restricted objective ------------------------- */

/* The sub-objective over the coordinates [off, off + len) of a parent, the
   others fixed at a given theta: g(u) = L(theta with theta[off..] = u). Its
   gradient is the parent's gradient block, its Hessian the diagonal block
   H[off.., off..] of the parent's, computed by the parent's HVP on
   zero-padded vectors (len-dimensional tools on it cost parent-sized
   products). n_samples, batches, gnvp (when the parent has one, the matching
   block) and accuracy pass through. Every tool above works on it, so
   llp_lanczos / llp_hutchinson / llp_hessian_full of a layer are calls on
   the restricted objective. */
typedef struct llp_restricted {
    llp_objective parent;  /* a copy; the parent's ctx must outlive this */
    size_t off, len;
    size_t block;          /* vectors per parent block product */
    llp_real *full;        /* (n) theta with the block overwritten at each call */
    llp_real *vpad;        /* (block, n) zero-padded input vectors */
    llp_real *out;         /* (block, n) parent products / gradient */
} llp_restricted;

/* Scratch reals a restricted objective over a parent of n coordinates needs,
   for block products of up to `block` vectors at once (0 -> 4): n (1 + 2
   block); 0 on overflow. */
LLPDEF size_t llp_objective_restrict_work_size(size_t n, size_t block);
/* Set up r and the objective *out over [off, off + len) of parent at theta
   (copied into work: theta may change or go away afterwards); block: vectors
   per parent block product (0 -> 4). work: caller's
   scratch of at least llp_objective_restrict_work_size(parent->n, block)
   reals, used by every call of the objective, which is therefore not
   reentrant and not thread-safe; r and work must outlive *out. Allocates
   nothing. LLP_ERR_ARG for NULLs, len 0, a range past n, or a short work. */
LLPDEF llp_result llp_objective_restrict(llp_restricted *r, const llp_objective *parent, const llp_real *theta,
                                         size_t off, size_t len, size_t block, llp_real *work, size_t work_len,
                                         llp_objective *out);
/* The coordinates of MLP layer l (0-based): its weights then its bias,
   contiguous in theta. LLP_ERR_ARG for a layer out of range. */
LLPDEF llp_result llp_mlp_layer_range(const llp_mlp *m, int layer, size_t *off, size_t *len);

/* ---- gradient-difference curvature probe --------------------------------- */

typedef enum llp_direction_kind {
    LLP_DIRECTION_RANDOM = 0,  /* uniform on the unit sphere (a normalised Gaussian), new per probe */
    LLP_DIRECTION_GRADIENT = 1,/* the normalised gradient at theta (on the probe's batch) */
    LLP_DIRECTION_GIVEN = 2    /* desc->d, normalised */
} llp_direction_kind;

/* Probe settings. Zero fields mean their default. */
typedef struct llp_probe_desc {
    llp_direction_kind dir;
    size_t probes;         /* directions averaged (0 -> 10 for RANDOM, 1 otherwise) */
    double step;           /* finite-difference step eps along the unit d (0 -> sqrt(eps_mach) *
                              (1 + ||theta||), eps_mach that of llp_real) */
    const llp_real *d;     /* GIVEN: (n) direction, nonzero */
    int exact;             /* 1: also d^T H d and ||H d|| by one HVP per probe */
} llp_probe_desc;

typedef struct llp_probe_result {
    double gdiff;          /* mean over probes of ||g(theta + eps d) - g(theta)|| / eps  ~ ||H d|| */
    double gdiff_rms;      /* root mean square of the same (random d: ~ sqrt(tr(H^2) / n)) */
    double gdiff_se;       /* standard error of gdiff (0 for one probe) */
    double dir_fd;         /* mean of d^T (g(theta + eps d) - g(theta)) / eps  ~ d^T H d */
    double dir_exact;      /* mean of d^T H d by HVP (NaN unless exact) */
    double hd_exact;       /* mean of ||H d|| by HVP (NaN unless exact) */
    double step;           /* eps used */
    size_t probes;
    llp_evals evals;
    char batch[160];
} llp_probe_result;

/* The gradient-difference probe, as it is commonly written:
       curvature ~ ||grad L(theta + eps d) - grad L(theta)|| / eps,
   averaged over unit directions d (random, the gradient, or given), and
   beside it the directional curvature d^T H d, from the same difference
   projected on d and (exact = 1) by an HVP.
   Read the first number with care: it estimates ||H d||, the length of the
   Hessian's image of d, not the curvature along d. For a random unit d,
   E ||H d||^2 = tr(H^2) / n, so it measures the root-mean-square eigenvalue
   sqrt(tr(H^2) / n) (gdiff_rms^2 is an unbiased estimate of tr(H^2) / n),
   counting negative eigenvalues as positive ones; it is >= |d^T H d| always
   and equals it only when d is an eigenvector. The curvature along d is
   dir_fd (or, exactly, dir_exact); for random d its mean is tr(H) / n.
   The difference is one-sided (forward), as written: its error is O(eps)
   (third derivatives) plus O(eps_mach ||g|| / eps) (rounding); the default
   eps = sqrt(eps_mach) (1 + ||theta||) balances the two (for a unit d the
   perturbation is then a relative step of about 1.5e-8 in double, 3.5e-4 in
   float). Each pair of gradients uses the same batch: under FULL/FIXED the
   gradient at theta is computed once; under FRESH each probe draws a batch
   and evaluates both gradients on it.
   Cost: 1 + probes gradients (2 probes under FRESH), plus probes HVPs with
   exact. rng: required for RANDOM directions (may be NULL otherwise; FRESH
   batches come from the policy's rng). Allocates 4 vectors of n.
   LLP_ERR_ARG for bad settings or a zero gradient/direction,
   LLP_ERR_NONFINITE for NaN/Inf gradients or products. */
LLPDEF llp_result llp_hessian_probe(const llp_objective *f, const llp_real *theta, const llp_batch_policy *bp,
                                    const llp_probe_desc *d, llp_rng *rng, llp_probe_result *res);

/* ==========================================================================
   10b. DIRECTIONS FOR SLICES AND SURFACES
   ========================================================================== */

/* Direction vectors shaped like theta, for loss slices L(theta + a d1 + b d2).
   Scale matters: a plane spanned by raw Gaussian directions mixes layers of
   very different weight norms, and scale-invariant layers make the picture
   depend on an arbitrary parameter scale. Li et al. (2018) normalise per
   filter: for an MLP a filter is one neuron's incoming weight row, and the
   direction's row is rescaled to the norm of theta's row. */
typedef enum llp_dir_dist {
    LLP_DIR_GAUSSIAN = 0,   /* entries N(0, 1) */
    LLP_DIR_RADEMACHER = 1  /* entries +1 / -1 */
} llp_dir_dist;

typedef enum llp_dir_norm {
    LLP_DIR_NORM_FILTER = 0,   /* each weight row (one neuron's inputs) to the norm of theta's row */
    LLP_DIR_NORM_LAYER = 1,    /* each layer's weight matrix to the Frobenius norm of theta's */
    LLP_DIR_NORM_MODEL = 2,    /* the whole vector to ||theta|| */
    LLP_DIR_NORM_NONE = 3      /* left as drawn */
} llp_dir_norm;

/* Bias entries of a direction under FILTER and LAYER normalisation. */
typedef enum llp_dir_bias {
    LLP_DIR_BIAS_ZERO = 0,     /* set to 0 (the default, as in Li et al.'s code) */
    LLP_DIR_BIAS_NORMALIZE = 1 /* each layer's bias vector rescaled to the norm of theta's bias vector */
} llp_dir_bias;

/* Normalise d in place against theta. m: the MLP whose layout theta has
   (required for FILTER and LAYER; may be NULL for MODEL and NONE, then n is
   the length). A row or block of d whose theta counterpart is zero becomes
   zero (there is no scale to copy); a zero row of d stays zero. MODEL and
   NONE leave biases alone. LLP_ERR_ARG for NULLs or an unknown kind. */
LLPDEF llp_result llp_direction_normalize(const llp_mlp *m, const llp_real *theta, size_t n, llp_dir_norm norm,
                                          llp_dir_bias bias, llp_real *d);
/* A random direction: draw every entry from dist (rng), then normalise as
   above. d: (n) out. */
LLPDEF llp_result llp_direction_random(const llp_mlp *m, const llp_real *theta, size_t n, llp_dir_dist dist,
                                       llp_dir_norm norm, llp_dir_bias bias, llp_rng *rng, llp_real *d);
/* The descent direction -g/||g|| of objective f at theta over batch, scaled
   to ||theta|| (a model-normalised direction; unit length when theta = 0).
   LLP_ERR_NONFINITE for a NaN gradient, LLP_ERR_ARG for a zero gradient.
   Cost: one gradient. */
LLPDEF llp_result llp_direction_gradient(const llp_objective *f, const llp_real *theta, const llp_batch *batch,
                                         llp_real *d);
/* Gram–Schmidt of d2 against d1, after normalisation: d2 <- d2 - (d1.d2 /
   d1.d1) d1, then rescaled to the norm d2 had, so its overall scale stays
   that of the normalisation (the per-filter norms are no longer exact).
   *cos_before (may be NULL) gets the cosine between d1 and d2 before, the
   return value tells whether anything was left: LLP_ERR_ARG when d1 is zero
   or d2 is parallel to d1 (cosine 1 to rounding: no plane). */
LLPDEF llp_result llp_direction_orthogonalize(const llp_real *d1, llp_real *d2, size_t n, double *cos_before);

/* ---- 1-D slices and interpolations ----------------------------------------
   Loss along a line theta + alpha d (llp_slice_line) or along the segment
   between two parameter vectors, theta(t) = (1 - t) theta_a + t theta_b
   (llp_slice_interpolate; t = 0 and 1 are the endpoints, values outside
   extrapolate). Each point carries the training objective's loss and, when
   given, a validation objective's, and accuracies when the objectives have
   them (NaN otherwise). Full batches throughout. */
typedef struct llp_slice {
    size_t points;
    double *alpha;         /* (points) alpha or t, ascending */
    double *train_loss, *val_loss, *train_acc, *val_acc; /* (points) each, NaN when absent */
    size_t zero_index;     /* index of alpha = 0 (lines) or t = 0 (segments) */
    size_t evals;          /* loss evaluations (accuracy calls not counted) */
} llp_slice;

/* Interpolation barriers (the sup over the points with 0 <= t <= 1):
     barrier_mean    sup L(t) - (L(0) + L(1)) / 2
     barrier_linear  sup L(t) - ((1 - t) L(0) + t L(1))
   The first is the common "loss barrier" of mode connectivity; the second
   measures the bump above the straight line between the endpoint losses
   (0 for a convex path). Both from the training loss. */
typedef struct llp_barrier {
    double barrier_mean, barrier_linear;
    double t_mean, t_linear;   /* where the sups are attained */
    double loss_a, loss_b;
} llp_barrier;

/* points values of alpha evenly spaced over [a, b] (a < b, points >= 2),
   plus alpha = 0 inserted when it lies inside and is not a grid point.
   val may be NULL. d: (n) the direction (normalise it first). Allocates the
   slice (llp_slice_free). */
LLPDEF llp_result llp_slice_line(const llp_objective *train, const llp_objective *val, const llp_real *theta,
                                 const llp_real *d, double a, double b, size_t points, llp_slice *out);
/* The segment from theta_a to theta_b sampled at points values of t over
   [lo, hi] (lo <= 0, hi >= 1; e.g. -0.25 .. 1.25), with t = 0 and t = 1
   inserted when they are not grid points. barrier may be NULL. */
LLPDEF llp_result llp_slice_interpolate(const llp_objective *train, const llp_objective *val,
                                        const llp_real *theta_a, const llp_real *theta_b, double lo, double hi,
                                        size_t points, llp_slice *out, llp_barrier *barrier);
/* Table of alpha train_loss val_loss train_acc val_acc: gnuplot (header lines
   as comments first, may be NULL) or, with csv = 1, CSV (a column line, no
   comments). Atomic. */
LLPDEF llp_result llp_slice_write(const llp_slice *s, const char *path, const char *header, int csv,
                                  llp_error *err);
LLPDEF void llp_slice_free(llp_slice *s);

/* ---- directions from the Hessian and from trajectories -------------------- */

/* Hessian eigenvector directions at theta: the eigenvectors of the k_top
   largest eigenvalues (descending), then of the k_bottom smallest (ascending,
   the most negative first), by Lanczos (llp_lanczos with max_steps, 0 -> its
   default, and full reorthogonalisation). Each unit eigenvector is scaled to
   `scale` (0 -> ||theta||, or 1 when theta = 0), so that it sits on the
   scale of model-normalised random directions; filter normalisation is not
   applied, as it would stop it being an eigenvector. Its sign is fixed so
   that its largest-magnitude entry is positive (the solver's sign is
   arbitrary; a fixed rule keeps files reproducible). dirs: (k_top +
   k_bottom, n) out, one per row; lambda: (k_top + k_bottom) out, the
   eigenvalues (may be NULL); resid (may be NULL) the Ritz residual of each
   unit vector; evals (may be NULL) what was spent. rng: the start vector.
   Cost: up to max_steps HVPs. Errors as llp_lanczos. */
LLPDEF llp_result llp_direction_hessian(const llp_objective *f, const llp_real *theta, const llp_batch_policy *bp,
                                        size_t k_top, size_t k_bottom, size_t max_steps, double scale, llp_rng *rng,
                                        llp_real *dirs, double *lambda, double *resid, llp_evals *evals);

/* Principal directions of a trajectory theta_0 .. theta_{T-1} (Li et al.
   2018, section 7). The rows are m_i = theta_i - origin (origin: theta_final
   = the last snapshot when NULL, as in the paper) or, with centre = 1,
   m_i = theta_i - mean(theta) (what scikit-learn's PCA, called by the
   paper's code, computes). The components are the right singular vectors of
   the T x n matrix M, found from the T x T Gram matrix M M^T (llp_sym_eig in
   double; T of a few thousand at most), so the cost is O(T^2 n + T^3).
     explained[j] = s_j^2 / ||M||_F^2, the share of the trajectory's spread
                    (squared distance to the origin or mean) along component j;
     residual     = sqrt(1 - explained[0] - explained[1]), the relative
                    Frobenius norm of M off the plane of the first two
                    components (0: the trajectory lies in the plane);
     coords       (T, 2) least-squares coordinates of theta_i - theta_plane
                    along components 0 and 1, where theta_plane = origin (the
                    last snapshot when NULL; centring changes the components,
                    not the plane's anchor): the points to draw over a surface
                    computed around theta_plane along those components;
     offplane     (T) distance of each theta_i from that plane.
   residual measures M (centred or not), offplane the anchored plane.
   Components are unit vectors, orthonormal to rounding, each with its
   largest-magnitude entry positive. */
typedef struct llp_pca {
    size_t n;              /* coordinates */
    size_t rows;           /* snapshots T */
    size_t k;              /* components held (<= min(T, n), and <= the rank found) */
    llp_real *components;  /* (k, n) */
    double *sv;            /* (k) singular values of M, descending */
    double *explained;     /* (k) explained-variance ratios */
    double total;          /* ||M||_F^2 */
    double residual;
    double *coords;        /* (rows, 2) */
    double *offplane;      /* (rows) */
} llp_pca;

/* snapshots: (count, n) row-major (llp_traj's theta). k: components wanted
   (0 -> 2; at least 2 are computed for the plane). LLP_ERR_ARG for NULLs,
   count < 3, or a trajectory whose rows span fewer than two dimensions
   (nothing to draw a plane from). Allocates (llp_pca_free). */
LLPDEF llp_result llp_pca_trajectory(const llp_real *snapshots, size_t count, size_t n, const llp_real *origin,
                                     int centre, size_t k, llp_pca *out);
LLPDEF void llp_pca_free(llp_pca *p);

/* Least-squares coordinates of points in the plane origin + a d1 + b d2:
   (a, b) minimises ||p - origin - a d1 - b d2||, from the 2 x 2 normal
   equations in double (d1 and d2 need not be orthogonal or unit). points:
   (count, n); coords: (count, 2) out; dist: (count) out, the distance off
   the plane, or NULL. LLP_ERR_ARG for NULLs or d1, d2 (nearly) parallel
   (|cos| > 1 - 1e-12) or zero. */
LLPDEF llp_result llp_plane_project(const llp_real *origin, const llp_real *d1, const llp_real *d2, size_t n,
                                    const llp_real *points, size_t count, double *coords, double *dist);

/* The plane through three parameter vectors (e.g. three trained minima, as in
   Garipov et al. 2018): origin p0, d1 = p1 - p0 and d2 the part of p2 - p0
   orthogonal to d1, rescaled to ||d1|| so both axes share a scale. Then p0,
   p1, p2 sit at coords (0, 0), (1, 0) and (coords[4], coords[5]) (coords may
   be NULL). LLP_ERR_ARG when the points are (nearly) collinear: the angle
   between p1 - p0 and p2 - p0 below 1.4e-6 (|cos| > 1 - 1e-12, the bound of
   llp_plane_project), which float rounding alone stays under. */
LLPDEF llp_result llp_plane_from_points(const llp_real *p0, const llp_real *p1, const llp_real *p2, size_t n,
                                        llp_real *d1, llp_real *d2, double coords[6]);

/* ---- 2-D surfaces ----------------------------------------------------------
   L(theta + x d1 + y d2) on an nx x ny grid: training and (when given)
   validation loss and accuracy at each point, and on request the extreme
   Hessian eigenvalues of the training loss there. Full batches: every value
   is over the whole data set of its objective.

   With desc->path set the points are written as they are computed, to
   "<path>.part", one line per point ("x y train_loss val_loss train_acc
   val_acc [lambda_max lambda_min]", %.17g, NaN as "nan"), scan lines of
   constant y (y outer, x inner) separated by a blank line; when the grid is
   complete the file is renamed to path. A run that finds "<path>.part" (an
   interrupted run: killed, or stopped by the progress callback) reads the
   complete lines back, drops a torn last line, and continues with the next
   point: no point is lost or computed twice, and the finished file is byte
   for byte the one an uninterrupted run writes. A run that finds a complete
   file at path with the same header loads it instead of computing. The
   header carries a fingerprint of theta, d1, d2, the grid and the options;
   a .part file with another fingerprint is refused (LLP_ERR_FORMAT, nothing
   touched) rather than overwritten. The header also holds the training (and
   validation) loss at theta, so a file written with other data, another
   model or other loss code is not taken for this run's (this costs one
   loss evaluation per objective, counted in evals).

   For an MLP objective (llp_mlp_objective_get) the points of a scan line go
   through llp_mlp_plane_loss: the first layer's products are shared and no
   activations are stored for a backward pass. Other objectives are
   evaluated point by point (llp_objective_loss). */
typedef struct llp_surface_desc {
    double x_min, x_max, y_min, y_max; /* all four 0 -> [-1, 1] x [-1, 1] */
    size_t nx, ny;         /* points per axis (0 -> 51; at least 2) */
    int curvature;         /* 1: lambda_max and lambda_min of the training Hessian at every point by
                              Lanczos (curvature_steps HVPs a point: meant for small grids) */
    size_t curvature_steps;/* Krylov dimension per point (0 -> min(n, 20)) */
    uint64_t curvature_seed; /* start vector of point i from the seed curvature_seed + i */
    const char *path;      /* NULL: in memory only */
    const char *header;    /* caller's header lines (directions, normalisation, seed, data set) */
    /* called after each chunk of points (a scan line or a point); a nonzero
       return stops the run with LLP_ERR_STOPPED, keeping "<path>.part" */
    int (*progress)(void *ctx, size_t done, size_t total);
    void *progress_ctx;
} llp_surface_desc;

typedef struct llp_surface {
    size_t nx, ny;
    double *x, *y;         /* (nx), (ny) grid coordinates, ascending */
    /* (ny * nx): index j * nx + i is the point (x[i], y[j]); NaN when absent */
    double *train_loss, *val_loss, *train_acc, *val_acc;
    double *lambda_max, *lambda_min; /* NULL without curvature */
    size_t resumed;        /* points read back from an earlier run's file */
    size_t computed;       /* points computed by this call */
    llp_evals evals;       /* what this call spent (loss: loss evaluations, train and val) */
} llp_surface;

/* Compute the surface around theta (d1, d2: (n), normalise them first). val
   may be NULL. desc may be NULL (defaults, in memory). err (may be NULL)
   names the file and line of a bad .part file. Allocates (llp_surface_free).
   LLP_ERR_ARG / LLP_ERR_SHAPE for bad arguments, LLP_ERR_STOPPED when the
   progress callback stopped it, errors of the objectives and of I/O. */
LLPDEF llp_result llp_surface_compute(const llp_objective *train, const llp_objective *val, const llp_real *theta,
                                      const llp_real *d1, const llp_real *d2, const llp_surface_desc *desc,
                                      llp_surface *out, llp_error *err);
/* Write a surface: gnuplot (header lines as comments, a column line, blank
   lines between scan lines) or, with csv = 1, CSV (a column line, no
   comments or blank lines). Atomic. */
LLPDEF llp_result llp_surface_write(const llp_surface *s, const char *path, const char *header, int csv,
                                    llp_error *err);
LLPDEF void llp_surface_free(llp_surface *s);

/* ==========================================================================
   10c. RUGGEDNESS METRICS
   ========================================================================== */

/* "How rugged is my landscape?" has no single answer; these are the numbers
   the literature uses, one function each, each with its definition, cost and
   caveats. Estimates from random samples (directions, walks, batches) come
   with their standard error. */

/* A mean over independent samples: value, its standard error (sample
   standard deviation / sqrt(samples); NaN when samples < 2) and the count. */
typedef struct llp_estimate {
    double value;
    double se;
    size_t samples;
} llp_estimate;

/* The estimate of x: (count) values; NaN entries are skipped (not counted).
   count 0 or all NaN: value NaN, samples 0. */
LLPDEF llp_estimate llp_estimate_of(const double *x, size_t count);

/* ---- ruggedness of sampled slices and surfaces ------------------------------
   Four numbers read off a loss profile sampled on an even grid: a 1-D slice
   f_0 .. f_{n-1} (llp_slice_line) or a 2-D surface (llp_surface_compute,
   row-major, index j * nx + i = point (x_i, y_j)). They are pure functions of
   the array: no objective, no randomness, no allocation visible to the caller.

   roughness  mean_i |r_i - mean(r)| / std(f),  r = f - G_sigma f
       The arithmetic mean deviation "Ra" of the residual after a Gaussian
       filter, as surface metrology separates roughness from form (ISO 4287 /
       ISO 16610-21), divided by the profile's standard deviation (population
       sd) so that it is dimensionless. G_sigma: Gaussian of standard deviation
       sigma grid points, truncated at ceil(4 sigma) points, weights
       normalised to sum 1; separable (x, then y) on a surface. Ends: odd
       (point-symmetric) reflection, f(-k) = 2 f(0) - f(k) and
       f(n-1+k) = 2 f(n-1) - f(n-1-k) (repeated when the kernel is wider than
       the grid), so a linear profile (a plane) is reproduced exactly and
       has roughness 0 up to rounding. mean(r) is removed because the filter
       shifts a parabola by the constant sigma^2 f''/2, which is form, not
       roughness. The reflection does not reproduce curvature: within 4 sigma
       of an end a parabola's residual differs from that constant, so a
       parabola a x^2 + b x + c reads a small positive roughness, largest
       when b = 0 (x and x^2 are uncorrelated on a symmetric grid, so
       std(f) >= |a| std(x^2) while the residual is |a| times that of x^2):
       0.0022 for x^2 on 51 points with sigma = 2, 0.0003 on 101 points
       (more on small grids, where the ends' bands cover more of it).
       A sinusoid of period P grid points keeps about 1 - exp(-2 pi^2
       sigma^2 / P^2) of its amplitude in r: features much longer than sigma
       count as form. 0 for a constant profile.
   roughness_q  mean_i |f_i - q_i| / std(f),  q_i = p_i(x_i), p_i the
       least-squares quadratic through the 2h + 1 grid points nearest i
       (h = round(2 sigma) >= 2, so 9 points by default; the window is
       shifted inward near the ends and is the whole line when the line is
       shorter): a local-quadratic (Savitzky & Golay 1964) filter instead of
       the Gaussian. It reproduces every quadratic exactly, at the ends too,
       so a parabola reads 0 (to rounding) and a smooth profile whose
       curvature changes (a flat floor between steep walls) reads only what
       its third and fourth derivatives leave over 2h + 1 points, where the
       Gaussian roughness reads the change of sigma^2 f''/2 itself. It is
       the number to read when the question is "are there wiggles?" rather
       than "is it a parabola?". On a surface the filter is separable (rows,
       then columns), which reproduces every biquadratic sum a_kl x^k y^l,
       k, l <= 2. A sinusoid of period P grid points passes into the
       residual about as through the Gaussian with the same sigma.
   tv         normalised total variation  sum_i |f_{i+1} - f_i| / (max f - min f)
       (0 when the range is 0). A monotone profile gives 1, a unimodal one
       a value in [1, 2] (1 + the lower end's height over the minimum, as a
       share of the range); each further oscillation adds about twice its
       height over the range. Surface: the mean over all ny rows and nx
       columns of that line's sum |delta f|, each divided by the surface's
       global range.
   minima     the number of local minima whose prominence exceeds
       threshold = max(prominence_k * noise, prominence_rel * (max f - min f)).
       The prominence of a minimum is its 0-th order persistence (Edelsbrunner,
       Letscher & Zomorodian 2002): the points are visited in ascending order
       of value (ties by index) and merged into basins with a union-find, a
       point joining the basin(s) of its already visited neighbours (2 in 1-D,
       8 on a surface); a point with none founds a basin (it is a local
       minimum); when basins meet at a point of value v, all but the one with
       the lowest minimum die with prominence v - their minimum. The global
       minimum's prominence is max f - min f. In 1-D this is the topographic
       prominence of the minima (scipy.signal.peak_prominences of -f). Grid
       ends take part like any point: a profile that falls towards an end has
       a minimum there (the lowest grid point need not be a stationary point).
       A constant profile has one basin of prominence 0, so it counts 0 minima
       (no threshold is below 0); any non-constant profile counts at least 1
       (the global minimum's prominence is the range, above rel * range when
       rel < 1 and noise is small).
   convexity  the share of interior points where the profile curves upward:
       1-D  f_{i-1} - 2 f_i + f_{i+1} > tol,
       2-D  fxx > tol and fxx fyy - fxy^2 > tol^2 (central differences,
            fxy = (f_{i+1,j+1} - f_{i+1,j-1} - f_{i-1,j+1} + f_{i-1,j-1}) / 4:
            the discrete Hessian is positive definite; axis spacing does not
            matter, as diagonal rescaling keeps definiteness),
       tol = 1e-12 max |f|, so that rounding of a straight profile does not
       count. 0 for a constant or linear profile (n - 2 interior points; on a
       surface (nx - 2)(ny - 2)).

   Invariance: adding a constant to f, or multiplying it by c > 0 together
   with noise, leaves all four unchanged (tol follows max |f|; shifts by a
   constant of the size of the curvature * 1e12 are the exception).
   Caveats. The grid decides what is seen: roughness only sees features
   shorter than about sigma grid points, minima only the ones the grid
   resolves, and a slice only what lies within its radius. Noise of the
   evaluation (mini-batches, float rounding) adds roughness, tv, minima and
   randomly signed second differences: pass its standard deviation as noise
   (it sets the prominence threshold) and read convexity only when second
   differences are far above it. Loss scaling and shifting change nothing
   (see above); rescaling the parameters changes what a given radius covers.
   NaN/Inf in f: LLP_ERR_NONFINITE. */
typedef struct llp_profile_desc {
    double smooth;         /* sigma of the Gaussian filter in grid points (0 -> 2), >= 0 */
    double noise;          /* sd of one evaluation (0: deterministic), >= 0 */
    double prominence_k;   /* multiple of noise in the threshold (0 -> 3), >= 0 */
    double prominence_rel; /* share of the range in the threshold (0 -> 1e-3), in [0, 1) */
} llp_profile_desc;

typedef struct llp_profile_metrics {
    double roughness;      /* residual after smoothing over std(f) */
    double roughness_q;    /* residual after a local quadratic fit over std(f): 0 for any parabola */
    double tv;             /* normalised total variation */
    double convexity;      /* share of interior points with positive (definite) curvature */
    size_t minima;         /* local minima with prominence > threshold */
    double threshold;      /* the prominence threshold used, in the units of f */
} llp_profile_metrics;

/* The metrics of a 1-D profile f: (n), n >= 5 (even grid). d may be NULL
   (defaults). Cost O(n sigma + n log n); allocates O(n). LLP_ERR_ARG for
   NULLs, n < 5 or bad settings, LLP_ERR_NONFINITE for NaN/Inf in f,
   LLP_ERR_NOMEM. out is written only on success. */
LLPDEF llp_result llp_profile_metrics_1d(const double *f, size_t n, const llp_profile_desc *d,
                                         llp_profile_metrics *out);
/* The metrics of a surface f: (ny * nx), index j * nx + i, nx, ny >= 5
   (the layout of llp_surface's train_loss). As llp_profile_metrics_1d, with
   the separable filter, the row-and-column tv, 8-neighbour minima and the
   2-D convexity test described above. */
LLPDEF llp_result llp_profile_metrics_2d(const double *f, size_t nx, size_t ny, const llp_profile_desc *d,
                                         llp_profile_metrics *out);
/* Every local minimum (basin founder of the persistence above; 8-neighbour
   when nx > 1 and ny > 1; ny = 1 is a 1-D profile) with its prominence,
   sorted by prominence, largest first (ties: lower index first), so that
   the global minimum comes first. Non-strict minima on a plateau may appear
   with prominence 0. idx, prom: (cap) out, the first min(cap, count)
   minima (may be NULL when cap = 0); *count: all there are. Any nx, ny >= 1.
   LLP_ERR_ARG for NULLs or a zero size, LLP_ERR_NONFINITE, LLP_ERR_NOMEM. */
LLPDEF llp_result llp_profile_minima(const double *f, size_t nx, size_t ny, size_t *idx, double *prom, size_t cap,
                                     size_t *count);

/* Slices or planes through theta for llp_rugged_slices / llp_rugged_surfaces.
   Zero fields mean their default. */
typedef struct llp_rugged_slice_desc {
    size_t directions;     /* R random directions (0 -> 10); llp_rugged_surfaces: planes (0 -> 3) */
    size_t points;         /* points per slice, alpha evenly over [-radius, radius] (0 -> 51;
                              surfaces: per axis, 0 -> 21); >= 5. Odd counts put alpha = 0 on
                              the grid; for even ones llp_slice_line adds alpha = 0, which is
                              evaluated (and counted) but left out of the metrics */
    double radius;         /* 0 -> 1; > 0, in units of the direction's length */
    const llp_mlp *mlp;    /* the MLP whose layout theta has (needed for FILTER / LAYER) */
    llp_dir_norm norm;     /* FILTER (the default) and LAYER need mlp (LLP_ERR_ARG without);
                              MODEL scales to ||theta||; NONE here means UNIT length, so that
                              radius is an absolute distance in parameter space */
    llp_dir_bias bias;     /* FILTER / LAYER: biases of the direction (default zero) */
    llp_dir_dist dist;     /* Gaussian (default) or Rademacher entries */
    llp_profile_desc profile; /* settings of the metrics */
} llp_rugged_slice_desc;

typedef struct llp_rugged_slice_result {
    llp_estimate roughness, tv, minima, convexity; /* mean over the R slices (or planes) and its standard error */
    llp_estimate roughness_q; /* the local-quadratic roughness, likewise */
    llp_evals evals;       /* loss evaluations spent */
} llp_rugged_slice_result;

/* Ruggedness of R random 1-D slices L(theta + alpha d), alpha evenly over
   [-radius, radius] (Li, Xu, Taylor, Studer & Goldstein 2018 draw such
   slices with filter-normalised directions), each summarised by
   llp_profile_metrics_1d; the results are the mean and standard error of
   each metric over the slices (llp_estimate_of). Direction j is drawn by
   llp_direction_random(mlp, theta, n, dist, norm, bias, rng, d) in order
   j = 0 .. R-1 (with NONE then rescaled to unit length), and sampled by
   llp_slice_line(f, NULL, theta, d, -radius, radius, points): the training
   objective only, full batch. Defaults: R = 10, 51 points, radius 1, FILTER.
   Cost: R * points loss evaluations (R * (points + 1) for even points),
   counted in evals.loss; allocates n reals and O(R + points) doubles.
   Caveats: the radius must cover the features to be seen (an oscillation of
   period p along d needs radius >> p, and the grid step 2 radius / (points
   - 1) well below p); the numbers depend on the normalisation (FILTER,
   MODEL and unit directions put different distances under the same
   radius); mini-batch noise inflates roughness, tv and minima unless
   profile.noise is given. theta is not modified. LLP_ERR_ARG for NULLs, bad
   settings, FILTER/LAYER without mlp, or a zero direction (MODEL at
   theta = 0); LLP_ERR_NONFINITE when a loss is NaN/Inf; objective errors.
   out is written only on success. */
LLPDEF llp_result llp_rugged_slices(const llp_objective *f, const llp_real *theta, const llp_rugged_slice_desc *d,
                                    llp_rng *rng, llp_rugged_slice_result *out);
/* The same over R random planes L(theta + x d1 + y d2), x, y evenly over
   [-radius, radius] with points per axis (defaults: R = 3 planes, 21 x 21),
   summarised by llp_profile_metrics_2d. Plane j draws d1 then d2 as above
   (NONE: each rescaled to unit length), then d2 is Gram–Schmidt-ed against
   d1 (llp_direction_orthogonalize, which keeps d2's norm), and the plane is
   computed by llp_surface_compute in memory (training objective, full
   batch). Cost: R * points^2 loss evaluations. Needs n >= 2. Errors and
   caveats as llp_rugged_slices. */
LLPDEF llp_result llp_rugged_surfaces(const llp_objective *f, const llp_real *theta, const llp_rugged_slice_desc *d,
                                      llp_rng *rng, llp_rugged_slice_result *out);

/* ---- fitness-landscape analysis by random walks ---------------------------
   The measures of evolutionary-computation "fitness landscape analysis"
   (FLA), computed on the loss along random walks in parameter space. Two
   kinds of function:
     - sequence functions, pure, on an array f_0 .. f_{N-1} (N values, T = N - 1
       steps): autocorrelation and correlation length (Weinberger 1990),
       information content H, partial information content M and information
       stability eps* (Vassilev, Fogarty & Miller 2000), the first entropic
       measure FEM (Malan & Engelbrecht 2009);
     - walks over an objective: the simple random walk (isotropic steps of a
       fixed length) and the progressive random walk (Malan & Engelbrecht
       2014), and a driver, llp_rugged_fla, that runs both and returns every
       measure as a mean over independent walks with its standard error.
   Invariances: every measure is unchanged when a constant is added to the
   loss. Under a scaling of the loss by c > 0, rho(s), the correlation length,
   H, M and FEM are unchanged (up to rounding) because the threshold eps is
   always given relative to eps* (eps = eps_rel * eps*), never in loss units;
   eps* itself scales with c. None is invariant to a rescaling of the
   parameters: the step length sets what the walk sees. */

/* Sample autocorrelation of f: (n) at lag s (Box & Jenkins' estimator, the one
   used in FLA since Weinberger 1990):
       rho(s) = sum_{t=0}^{n-1-s} (f_t - m)(f_{t+s} - m) / sum_{t=0}^{n-1} (f_t - m)^2,
   m the mean of all n values (both sums over the same mean; the denominator
   runs over all n terms, so |rho(s)| <= 1 and, e.g., a linear ramp of n
   points has rho(1) = 1 - 3/n, an alternating +-1 sequence of even length
   -(n - 1)/n). rho(0) = 1. Reductions in double. Returns NaN for a NULL f,
   lag >= n, a constant sequence (zero variance: no correlation is defined)
   or NaN/Inf values. */
LLPDEF double llp_fla_autocorr(const double *f, size_t n, size_t lag);

/* Correlation length (Weinberger 1990; Stadler 1996): l = -1 / ln|rho1|,
   the lag over which an AR(1) process with lag-one correlation rho1 decays
   by e. 0 when rho1 = 0, +Inf when |rho1| = 1, NaN for NaN or |rho1| > 1.
   Under rho(s) = rho1^s (an AR(1) walk, "elementary landscapes") l is the
   distance, in steps, at which correlation falls to 1/e. */
LLPDEF double llp_fla_corr_len(double rho1);

/* Information stability (Vassilev, Fogarty & Miller 2000): the smallest eps
   for which every symbol is 0, i.e. eps* = max_t |f_{t+1} - f_t| over the
   n - 1 differences. In loss units (scales with the loss). NaN for NULL f,
   n < 2 or NaN/Inf values. */
LLPDEF double llp_fla_eps_star(const double *f, size_t n);

/* Information content and partial information content (Vassilev, Fogarty &
   Miller 2000) of f: (n), n >= 3, at the threshold eps = eps_rel * eps*.
   Symbols: for the T = n - 1 differences d_t = f_{t+1} - f_t,
       s_t = -1 if d_t < -eps,  1 if d_t > eps,  0 otherwise.
   H (out, may be NULL): the entropy of the ordered pairs of distinct
   consecutive symbols,
       H(eps) = - sum_{p != q} P[pq] log_6 P[pq],   (0 log 0 = 0)
   over the 6 pairs pq in {-1,0,1}^2 with p != q, P[pq] the fraction of the
   T - 1 consecutive symbol pairs (s_t, s_{t+1}) equal to pq (Vassilev writes
   the string length in the denominator; with T - 1, all 9 pair fractions sum
   to 1; the two differ by a factor T / (T - 1)). H lies in [0, 1]: it is
   high when the walk changes between rising, falling and flat often.
   M (out, may be NULL): the partial information content M(eps) = mu / T,
   mu the length of the string left after deleting the zeros and then every
   symbol equal to its predecessor (the longest alternating subsequence
   +-1 -+1 ...): the density of slope changes, in [0, 1]; M = 0 for a
   monotone or flat walk.
   eps_rel = 0 gives eps = 0 (H(0): every nonzero difference counts);
   eps_rel >= 1 gives all zeros and H = M = 0. Why relative: H(eps) and
   M(eps) at a fixed absolute eps change when the loss is scaled; at eps =
   eps_rel * eps* they do not.
   Cost O(n), no allocation. LLP_ERR_ARG for NULL f, n < 3, or eps_rel < 0 or
   NaN; LLP_ERR_NONFINITE for NaN/Inf values (outputs untouched on error). */
LLPDEF llp_result llp_fla_information(const double *f, size_t n, double eps_rel, double *H, double *M);

/* The first entropic measure of ruggedness (Malan & Engelbrecht 2009):
       FEM = max_{eps in E} H(eps),
       E = eps* * {0, 1/128, 1/64, 1/32, 1/16, 1/8, 1/4, 1/2, 1}
   (their scheme: 0, then eps* halved repeatedly; H(eps*) = 0). In [0, 1]:
   0 flat or monotone, values near 1 maximal ruggedness at some scale of
   loss change. Invariant to adding a constant and to scaling the loss by
   c > 0 (the grid is relative to eps*). Malan & Engelbrecht compute it on a
   progressive random walk (llp_fla_progressive_walk) with steps of 1% and
   10% of the domain (FEM_0.01: micro, FEM_0.1: macro ruggedness). NaN for
   NULL f, n < 3 or NaN/Inf values. Cost O(9 n). */
LLPDEF double llp_fla_fem(const double *f, size_t n);

/* Simple random walk (Weinberger 1990, in R^n): theta_0 = theta,
       theta_{t+1} = theta_t + step * u_t,   u_t uniform on the unit sphere
   (a normalised Gaussian vector, n normal draws from rng per step), and
   values[t] = loss(theta_t) for t = 0 .. steps (steps + 1 values, all on
   `batch`: NULL = all samples; a fixed batch keeps the walk on one
   deterministic function). The walk is unbounded; positions are kept in
   double and rounded to llp_real for each evaluation. path: ((steps + 1), n)
   out or NULL: the evaluated points, row t = theta_t. ev: out or NULL: what
   the call spent (loss = steps + 1). theta is not modified.
   What the step sets: rho(1) compares points `step` apart. On a function
   that varies on a length scale L, a step << L gives rho(1) ~ 1 on any
   landscape; a step >> L decorrelates even a smooth one. A random direction
   in R^n moves each coordinate by about step / sqrt(n): to look at a
   per-coordinate scale c use step = c sqrt(n). Along isotropic steps the
   sign of a smooth function's change is a fresh coin flip at every step,
   so H and M of a simple walk on a smooth function are not near 0 (they
   are for a progressive walk).
   Cost: steps + 1 loss evaluations; allocates 2 n doubles and n reals.
   LLP_ERR_ARG for NULL f/theta/rng/values, n == 0, steps == 0, step <= 0 or
   not finite; LLP_ERR_NONFINITE for a NaN/Inf loss; LLP_ERR_NOMEM. On error
   values/path/ev are left as they were. */
LLPDEF llp_result llp_fla_random_walk(const llp_objective *f, const llp_real *theta, double step, size_t steps,
                                      const llp_batch *batch, llp_rng *rng, double *values, llp_real *path,
                                      llp_evals *ev);

/* Progressive random walk (Malan & Engelbrecht 2014) in the box
   B = [theta_i - scale, theta_i + scale] for every coordinate i (width
   w = 2 scale, the same absolute half-width in every coordinate), steps
   bounded by delta = step_frac * w:
     start: a random "starting zone" bit s_i per coordinate; x_i = theta_i +
       scale - r_i if s_i = 1 else theta_i - scale + r_i, r_i uniform in
       [0, scale) (the half of the box on the zone's side); then one random
       coordinate j is put on its bound: x_j = theta_j + scale (s_j = 1) or
       theta_j - scale (s_j = 0). So the walk starts on the boundary.
     step: every coordinate moves by r uniform in [0, delta), towards the
       other side: x_i -= r if s_i = 1, x_i += r otherwise (the bias that
       makes the walk progress across the box); a coordinate that leaves the
       box is reflected (x_i = 2 hi - x_i past the upper bound, 2 lo - x_i
       past the lower) and its s_i flipped.
   values[t] = loss(x_t), t = 0 .. steps. path: ((steps + 1), n) out or NULL
   (rows are the points evaluated, inside B up to the rounding of llp_real).
   ev as llp_fla_random_walk. Draws from rng: n + 1 for the start (plus n for
   the zone bits), n per step.
   Caveats: the box must contain the region of interest (a box much larger
   than the basin of theta measures the walk's tour of the box); the box is
   in absolute parameter units, the same for every coordinate (parameters of
   very different magnitudes call for a reparameterisation first).
   Cost: steps + 1 loss evaluations; allocates n doubles, n bytes and n reals.
   LLP_ERR_ARG for NULL f/theta/rng/values, n == 0, steps == 0, scale <= 0 or
   not finite, step_frac not in (0, 1]; LLP_ERR_NONFINITE for a NaN/Inf loss;
   LLP_ERR_NOMEM. On error values/path/ev are left as they were. */
LLPDEF llp_result llp_fla_progressive_walk(const llp_objective *f, const llp_real *theta, double scale,
                                           double step_frac, size_t steps, const llp_batch *batch, llp_rng *rng,
                                           double *values, llp_real *path, llp_evals *ev);

/* Settings of llp_rugged_fla. Zero fields mean their default. */
typedef struct llp_fla_desc {
    size_t steps;          /* walk length T, steps per walk (0 -> 500); >= 2 */
    size_t walks;          /* independent walks of each kind (0 -> 5): estimates are means over walks */
    double step;           /* simple-walk step length (Euclidean) (0 -> 0.1 * scale * sqrt(n): an RMS move
                              of 0.1 scale per coordinate, the mean per-coordinate move of the 10% PRW) */
    double scale;          /* PRW box half-width per coordinate, around theta (0 -> 1) */
    double eps_rel;        /* threshold of H and M relative to eps* of each walk (0 -> 0.01); a tiny
                              value (1e-300) gives H(0) */
    const llp_batch *batch;/* NULL: all samples; else every evaluation uses this batch */
} llp_fla_desc;

/* Results of llp_rugged_fla: each an llp_estimate over the walks (mean,
   standard error across walks, walks counted). */
typedef struct llp_fla_result {
    llp_estimate rho1;         /* rho(1) of the simple walks */
    llp_estimate corr_len;     /* -1 / ln|rho(1)| per walk, then averaged (+Inf if a walk has |rho1| = 1) */
    llp_estimate info;         /* H(eps_rel * eps*) of the simple walks */
    llp_estimate partial_info; /* M(eps_rel * eps*) of the simple walks */
    llp_estimate eps_star;     /* eps* of the simple walks, in loss units */
    llp_estimate fem_small;    /* FEM_0.01: FEM of progressive walks with step_frac = 0.01 */
    llp_estimate fem_large;    /* FEM_0.1: FEM of progressive walks with step_frac = 0.1 */
    double step;               /* the simple-walk step used */
    double scale;              /* the PRW half-width used */
    double eps_rel;            /* the eps_rel used */
    llp_evals evals;           /* loss evaluations: 3 walks (steps + 1) */
} llp_fla_result;

/* Fitness-landscape analysis of the loss around theta: per walk w = 1..walks
   (in this order, all randomness from rng),
     1. a simple random walk from theta (llp_fla_random_walk, step d->step):
        rho(1) (llp_fla_autocorr), the correlation length l = -1/ln|rho(1)|
        (Weinberger 1990), H(eps) and M(eps) at eps = eps_rel * eps*
        (Vassilev et al. 2000) and eps*;
     2. a progressive random walk (Malan & Engelbrecht 2014) in the box
        theta +- scale with step_frac 0.01, its FEM (Malan & Engelbrecht
        2009): FEM_0.01;
     3. the same with step_frac 0.1: FEM_0.1.
   Every estimate is the mean over the walks with its standard error (NaN
   when walks = 1; a walk whose rho is undefined, a constant loss, is not
   counted). Reading them: rho(1) near 1 and a long l mean neighbouring
   losses (a step apart) are alike, smooth at that scale; H, M and FEM grow
   with the number of changes between rising and falling along the walk.
   Caveats: what they see is set by the step and the box (a step far below
   the landscape's ruggedness scale reads smooth on any landscape, see
   llp_fla_random_walk); the simple walk's H and M stay high (near their
   i.i.d.-sign values, H ~ 0.39, M ~ 0.5) even on smooth functions because
   its directions are independent, so they compare landscapes, they do not
   read 0 for smooth; on a mini-batch loss the batch noise adds ruggedness
   (use a fixed batch, or all samples, for a deterministic function; a
   different batch per evaluation is not offered); scaling the loss leaves
   all but eps* unchanged; a reparameterisation (theta -> a theta) changes
   all of them unless step and scale follow it.
   Cost: walks * 3 * (steps + 1) loss evaluations (no gradients); allocates
   steps + 1 doubles and 2 n doubles, n reals, n bytes (per walk function
   call). LLP_ERR_ARG for NULL f/theta/rng/out, n == 0, steps < 2 or
   negative/NaN settings; LLP_ERR_NONFINITE for a NaN/Inf loss;
   LLP_ERR_NOMEM. out is written only on success. */
LLPDEF llp_result llp_rugged_fla(const llp_objective *f, const llp_real *theta, const llp_fla_desc *d, llp_rng *rng,
                                 llp_fla_result *out);

/* ---- sharpness, flatness and basin width -----------------------------------
   How much the loss rises when theta is perturbed, by five definitions from
   the generalisation literature. All evaluate one objective on one batch
   (`batch`, NULL = all samples; ignored by objectives without samples), so
   each number is a deterministic function of theta, the batch and the rng.
   They work on a copy of theta (never modified) and report their exact cost
   in `evals` (loss = loss-only calls, grad = loss-and-gradient calls).

   What changes the numbers (a > 0 a loss scale, S a ReLU rescaling: layer l
   weights and bias times c > 0, layer l + 1 weights times 1/c, which leaves
   the network's function unchanged, so L(S x) = L(x) for every x; Dinh et
   al. 2017, "Sharp minima can generalize for deep nets", use it to make
   flat minima arbitrarily sharp):
                                      loss a L                ReLU rescaling S
     Keskar phi                       100 a D / (1 + a L0)     changes (the +1 in the box)
     random sharpness (plain)         times a                  changes
     random sharpness (adaptive)      times a                  invariant when eta = 0
     adaptive worst case              times a                  invariant when eta = 0
     PAC-Bayes sigma* (plain)         changes unless RELATIVE  changes
     PAC-Bayes sigma' (magnitude)     changes unless RELATIVE  invariant when eta = 0
     basin width                      changes unless RELATIVE  changes
     lambda_max (llp_lanczos)         times a                  changes
   (D = L_max - L0.) The adaptive invariance: T_theta = diag(|theta_i|) is
   mapped to T_{S theta} = S T_theta, so the perturbation set {T w} maps onto
   S {T w}, and L(S theta + S T w) = L(theta + T w) for every w; the gradient
   in w, T grad L(theta + T w), is also unchanged (grad L(S x) = S^-1 grad
   L(x) and diagonal matrices commute), so the ascent iterates and the
   random draws are the same for theta and S theta, not just the maxima. It
   holds to rounding (S theta is rounded), and breaks with eta > 0, with
   weight decay (||W||^2 is not invariant under S), and for activations that
   are not positively homogeneous (tanh, GELU: there L(S x) != L(x)).
   Leaky ReLU is homogeneous too.
   Batches: a fixed mini-batch measures the sharpness of that batch's loss,
   which is not the full-data one (a small batch's loss is rougher); compare
   numbers only on the same batch. */

/* How a loss-increase threshold Delta is read (PAC-Bayes, basin width). */
typedef enum llp_sharp_delta {
    LLP_SHARP_DELTA_ABSOLUTE = 0, /* Delta = delta (loss units) */
    LLP_SHARP_DELTA_RELATIVE = 1, /* Delta = delta * L(theta): invariant to loss scaling; needs L(theta) > 0 */
    LLP_SHARP_DELTA_KESKAR = 2    /* Delta = delta * (1 + L(theta)), Keskar's normalisation */
} llp_sharp_delta;

/* Result of a worst-case (ascent) sharpness. Every iterate is feasible, so
   loss_max is a lower bound of the true maximum over the set. */
typedef struct llp_sharp_max_result {
    double sharpness;      /* Keskar: phi; adaptive: loss_max - loss0 */
    double loss0;          /* L(theta) */
    double loss_max;       /* the largest L(theta + perturbation) seen */
    double radius;         /* Keskar: eps; adaptive: rho (as used) */
    size_t steps;          /* gradient steps done (= gradient evaluations) */
    int fixed_point;       /* 1: stopped early, a step left the iterate unchanged */
    llp_evals evals;
} llp_sharp_max_result;

/* Keskar sharpness settings. Zero fields mean their default. */
typedef struct llp_keskar_desc {
    double eps;            /* box half-width factor (0 -> 1e-3), > 0 */
    size_t steps;          /* ascent steps K (0 -> 20) */
    double step;           /* step per coordinate as a fraction of its half-width (0 -> 0.25), > 0 */
    int zero_start;        /* 1: start at z = 0 (rng may be NULL); 0: a uniform random point of the box */
} llp_keskar_desc;

/* Keskar et al. (2017, "On large-batch training for deep learning:
   generalization gap and sharp minima") epsilon-sharpness, full-space variant:
       phi = 100 (max_{z in C} L(theta + z) - L(theta)) / (1 + L(theta)),
       C = { z : |z_i| <= eps (|theta_i| + 1) }.
   (Keskar also use a random p-dimensional subspace C = {A y}; not done here:
   this is the full space.) The maximum is approximated by projected
   sign-gradient ascent (the l-infinity steepest ascent of PGD):
       z <- clip_C(z + step * eps (|theta| + 1) (.) sign(grad L(theta + z))),
   K steps from z0 = a uniform random point of C (default; from z = 0 at a
   critical point the gradient vanishes and nothing moves) or z0 = 0. The
   loss at every iterate is recorded and the largest is reported (all
   iterates lie in C). A step that changes no coordinate (every coordinate
   at its bound along its gradient sign, or a zero gradient) is a fixed
   point: the run stops there (fixed_point = 1). Keskar use L-BFGS-B on the
   box; sign ascent reaches a vertex, which is where a convex loss has its
   maximum, but it is a local method: on a non-convex loss it may end at a
   worse vertex than the best.
   Defaults: eps 1e-3, K 20, step 0.25 (a coordinate crosses the box in 8
   steps), random start.
   Cost: one loss at theta, `steps` (<= K) gradients, and one more loss at
   the last iterate unless the run stopped at a fixed point: at most K
   gradients and 2 losses (evals has the counts). rng: required unless zero_start
   (n uniforms). Allocates 3 vectors of n.
   Caveats: loss scaling a: the iterates do not change (only the gradient's
   sign is used), loss_max - loss0 scales by a, so phi = 100 a D / (1 + a L0)
   is not proportional to a except when L0 << 1/a. The +1 makes the box
   absolute for small weights, so phi changes under the ReLU rescaling (and
   under any reparametrisation). Meant for non-negative losses (1 + L0 > 0).
   LLP_ERR_ARG for NULLs, n 0, a bad batch or setting, no rng with a random
   start; LLP_ERR_NONFINITE for a NaN/Inf loss or gradient. */
LLPDEF llp_result llp_sharpness_keskar(const llp_objective *f, const llp_real *theta, const llp_batch *batch,
                                       const llp_keskar_desc *desc, llp_rng *rng, llp_sharp_max_result *res);

/* Random-direction sharpness settings. Zero fields mean their default. */
typedef struct llp_sharp_random_desc {
    double rho;            /* radius (0 -> plain: 0.05 ||theta||_2, 0.05 when theta = 0;
                              adaptive: 0.05 sqrt(n)), > 0 */
    size_t samples;        /* directions R (0 -> 20) */
    int adaptive;          /* 1: perturb by rho T d, T = diag(|theta_i| + eta) (average adaptive sharpness) */
    double eta;            /* adaptive: offset in T (0 = none), >= 0 */
    int gaussian;          /* 1: d ~ N(0, I / n) instead of uniform on the unit sphere */
} llp_sharp_random_desc;

typedef struct llp_sharp_random_result {
    llp_estimate sharpness;/* mean of L(theta + rho T d) - L(theta) over the R directions */
    double loss0;          /* L(theta) */
    double rho;            /* the radius used */
    llp_evals evals;
} llp_sharp_random_result;

/* Average (random-direction) sharpness:
       S = E_d [ L(theta + rho T d) ] - L(theta),
   d uniform on the unit sphere (a normalised Gaussian; with gaussian = 1,
   d ~ N(0, I/n), so that E d d^T = I/n in both cases), T = I (plain), or
   with adaptive = 1 T = diag(|theta_i| + eta), the average-case adaptive
   sharpness of Andriushchenko et al. (2023, "A modern look at the
   relationship between sharpness and generalization"; their
   delta ~ N(0, rho_A^2 diag(|theta|^2)) is ours with gaussian = 1 and
   rho = rho_A sqrt(n)). Estimated by the mean over R directions, with its
   standard error. At a minimum, for L ~ 1/2 x^T H x, S = rho^2 tr(T H T) /
   (2n) to second order.
   Defaults: R 20; rho plain 0.05 ||theta|| (each coordinate moves about 5%
   of the rms weight), adaptive 0.05 sqrt(n) (each coordinate moves about 5%
   of its own magnitude, since |d_i| ~ 1/sqrt(n)).
   Draws: direction k is n normals from llp_rng_fill_normal, k = 0..R-1.
   Cost: 1 + R loss evaluations. rng: required. Allocates 2 vectors of n.
   Caveats: scales by a under loss scaling a. Plain: changes under the ReLU
   rescaling (and any reparametrisation); adaptive with eta = 0: invariant
   (same draws give the same values, see above). With the default relative
   rho the plain number also follows ||theta|| (weight decay, training time).
   LLP_ERR_ARG for NULLs, n 0, a bad batch or setting, rho <= 0 resolved
   (theta = 0 in adaptive mode with eta = 0 gives T = 0 and S = 0: allowed);
   LLP_ERR_NONFINITE for a NaN/Inf loss. */
LLPDEF llp_result llp_sharpness_random(const llp_objective *f, const llp_real *theta, const llp_batch *batch,
                                       const llp_sharp_random_desc *desc, llp_rng *rng, llp_sharp_random_result *res);

/* Adaptive worst-case sharpness settings. Zero fields mean their default. */
typedef struct llp_sharp_adaptive_desc {
    double rho;            /* ball radius in w (0 -> 0.05), > 0 */
    double eta;            /* T = diag(|theta_i| + eta) (0 = none: rescaling-invariant), >= 0 */
    size_t steps;          /* ascent steps (0 -> 20) */
    double step;           /* step length as a fraction of rho (0 -> 1), > 0 */
    int zero_start;        /* 1: start at w = 0 (rng may be NULL); 0: w = rho d, d uniform on the unit sphere */
} llp_sharp_adaptive_desc;

/* Adaptive worst-case sharpness (Kwon et al. 2021, ASAM; Andriushchenko et
   al. 2023):
       S = max_{||w||_2 <= rho} L(theta + T w) - L(theta),  T = diag(|theta_i| + eta),
   i.e. perturbations delta with ||T^-1 delta||_2 <= rho: with eta = 0 no
   coordinate moves by more than rho |theta_i|. Approximated by projected
   normalised-gradient ascent in w: the gradient in w is g_w = T grad L(theta
   + T w), and
       w <- P(w + step rho g_w / ||g_w||),   P = projection on the ball,
   `steps` times from w0 = rho d (d uniform on the unit sphere; at a critical
   point w = 0 has no gradient) or w0 = 0, reporting the largest loss seen
   (every iterate is feasible). A zero g_w or a step that leaves w unchanged
   is a fixed point and stops the run. On a quadratic at its minimum the
   iteration is a shifted power iteration on T H T and the value tends to
   1/2 rho^2 lambda_max(T H T); with step 1 the error in the direction falls
   by (1 + lambda_2/lambda_1)/2 per step.
   Defaults: rho 0.05, eta 0, 20 steps of length rho, random start.
   Draws: w0 is n normals from llp_rng_fill_normal.
   Cost: one loss at theta, `steps` gradients, one more loss at the last
   iterate unless a fixed point stopped the run. rng: required unless
   zero_start. Allocates 4 vectors of n.
   Caveats: scales by a under loss scaling a (normalised steps: the iterates
   do not change). With eta = 0 exactly invariant under the ReLU rescaling
   (see above); eta > 0 (ASAM uses 0.01) breaks that for small weights, and
   coordinates with theta_i = 0 (e.g. zero biases) are then not perturbed at
   all. Like every ascent this is a lower bound of the maximum.
   Errors as llp_sharpness_keskar. */
LLPDEF llp_result llp_sharpness_adaptive(const llp_objective *f, const llp_real *theta, const llp_batch *batch,
                                         const llp_sharp_adaptive_desc *desc, llp_rng *rng,
                                         llp_sharp_max_result *res);

/* PAC-Bayes flatness settings. Zero fields mean their default. */
typedef struct llp_pacbayes_desc {
    double delta;          /* target deviation (0 -> 0.1), > 0 */
    llp_sharp_delta mode;  /* how delta is read (default ABSOLUTE) */
    size_t samples;        /* Monte-Carlo vectors M (0 -> 10) */
    double sigma_lo;       /* bracket (both 0 -> [1e-6, 10]); 0 < lo < hi */
    double sigma_hi;
    double tol;            /* stop when hi / lo <= 1 + tol (0 -> 1e-6) */
    int magnitude;         /* 1: magnitude-aware, u_i ~ N(0, sigma^2 (|theta_i| + eta)^2) (Jiang's sigma') */
    double eta;            /* magnitude-aware offset (0 = none), >= 0 */
} llp_pacbayes_desc;

typedef struct llp_pacbayes_result {
    double sigma;          /* sigma*: the lower end of the final bracket (deviation <= Delta there) */
    double sigma_lo, sigma_hi; /* the final bracket: deviation <= Delta at lo, > Delta at hi
                                  (censored: both equal the end of the search bracket reached) */
    double measure;        /* 1 / sigma^2, the flatness measure as commonly reported */
    double deviation;      /* E(sigma*), the Monte-Carlo mean loss increase at sigma* */
    double delta;          /* Delta used */
    double loss0;          /* L(theta) */
    int censored;          /* 0 bracketed; +1: deviation <= Delta already at the upper end (sigma =
                              sigma_hi given); -1: deviation > Delta at the lower end (sigma = sigma_lo) */
    size_t iterations;     /* bisection steps */
    llp_evals evals;
} llp_pacbayes_result;

/* PAC-Bayes flatness (Dziugaite & Roy 2017; as a generalisation measure in
   Jiang et al. 2019, "Fantastic generalization measures and where to find
   them", who search the largest sigma whose expected loss deviation stays
   below a target):
       sigma* = the largest sigma with E(sigma) <= Delta,
       E(sigma) = (1/M) sum_j L(theta + sigma s (.) u_j) - L(theta),
   u_j ~ N(0, I) (M vectors drawn once, as one llp_rng_fill_normal of M n
   normals, row j = u_j), s_i = 1 (plain) or |theta_i| + eta (magnitude-
   aware sigma'). The same u_j are used at every sigma (common random
   numbers), so E is a smooth function of sigma, monotone for a convex loss
   around a minimum. Search: E(sigma_hi) <= Delta ends it (censored +1),
   else E(sigma_lo) > Delta ends it (censored -1), else bisection on log
   sigma, mid = sqrt(lo hi), until hi / lo <= 1 + tol. Where E is not
   monotone the bisection finds one crossing in the bracket, not
   necessarily the largest. The bound's measure is 1/sigma*^2 (Jiang's
   "pacbayes.flatness"); both are reported.
   Delta: delta (0 -> 0.1) read by mode: ABSOLUTE delta, RELATIVE
   delta L(theta), KESKAR delta (1 + L(theta)).
   For L = 1/2 x^T H x at its minimum, E(sigma) = sigma^2 / (2M) sum_j u_j^T
   H u_j, whose expectation is sigma^2 tr(H) / 2, so sigma* ~ sqrt(2 Delta /
   tr H) (plain).
   Cost: 1 + M (1 + [not censored +1] (1 + iterations)) loss evaluations:
   at the defaults (bracket 1e-6..10, tol 1e-6) 24 iterations, about 270.
   rng: required. Allocates (M + 1) n reals.
   Caveats: with an ABSOLUTE (or KESKAR) Delta, sigma* changes under loss
   scaling (for a quadratic sigma* ~ 1/sqrt(a)); RELATIVE does not (the
   deviation and Delta both scale by a; same crossing). Plain sigma*
   changes under the ReLU rescaling; magnitude-aware sigma' with eta = 0 does
   not (s maps with S). With M small the estimate carries Monte-Carlo noise
   of relative size about sqrt(2 tr(H^2)) / (2 tr(H) sqrt(M)) near a minimum.
   LLP_ERR_ARG for NULLs, n 0, bad settings or batch, a resolved Delta <= 0
   (RELATIVE with L(theta) <= 0); LLP_ERR_NONFINITE for a NaN/Inf loss (an
   overflowing perturbed loss included: lower sigma_hi). */
LLPDEF llp_result llp_pacbayes_sigma(const llp_objective *f, const llp_real *theta, const llp_batch *batch,
                                     const llp_pacbayes_desc *desc, llp_rng *rng, llp_pacbayes_result *res);

/* Basin width settings. Zero fields mean their default. */
typedef struct llp_basin_desc {
    size_t directions;     /* random unit directions R (0 -> 10), each searched both ways; ignored with dirs */
    const llp_real *dirs;  /* (n_dirs, n) given directions (normalised here, nonzero), or NULL for random */
    size_t n_dirs;         /* rows of dirs */
    double delta;          /* threshold (0 -> 0.1), > 0 */
    llp_sharp_delta mode;  /* how delta is read (default ABSOLUTE) */
    double alpha0;         /* first distance (0 -> 1e-3 s), s = ||theta||_2, or 1 when theta = 0 */
    double alpha_max;      /* largest distance (0 -> 10 s), > alpha0 */
    double tol;            /* bisection until hi - lo <= tol hi (0 -> 1e-3), in (0, 1) */
} llp_basin_desc;

typedef struct llp_basin_result {
    llp_estimate width;    /* mean of alpha* over the 2R half-lines (censored ones count alpha_max) */
    size_t censored;       /* half-lines where the rise never reached Delta up to alpha_max */
    size_t half_lines;     /* 2R */
    double delta;          /* Delta used */
    double loss0;          /* L(theta) */
    double alpha0, alpha_max; /* as used */
    llp_evals evals;
} llp_basin_result;

/* Basin width along random lines: for unit directions d (uniform on the
   sphere, normalised Gaussians, or given) and both signs, the distance
       alpha* = min { alpha > 0 : L(theta + alpha d) - L(theta) >= Delta }
   located by doubling alpha = alpha0, 2 alpha0, ... (capped at alpha_max)
   until the rise reaches Delta, then bisection between the last distance
   below and the first at or above, until hi - lo <= tol hi; alpha* is the
   midpoint (relative error <= tol / 2). "First" is on the doubling grid: a
   bump narrower than the grid can be stepped over. A half-line that never
   reaches Delta up to alpha_max reports alpha_max and is counted in
   censored (so the mean is then a lower bound). For a quadratic 1/2 x^T H x
   at its minimum, alpha* = sqrt(2 Delta / d^T H d).
   Delta: delta (0 -> 0.1) read by mode, as llp_pacbayes_sigma. widths (may
   be NULL): (2R) out, [2k] along +d_k, [2k+1] along -d_k.
   Draws: direction k is n normals from llp_rng_fill_normal.
   Defaults: R 10, alpha0 1e-3 s, alpha_max 10 s, tol 1e-3.
   Cost: 1 + sum over half-lines of (doublings + bisections) loss
   evaluations; about 1 + 2R (log2(alpha* / alpha0) + log2(1/tol) + 2), ~400
   at the defaults. rng: required for random directions. Allocates 2
   vectors of n (plus 2R doubles).
   Caveats: in parameter units, so it changes under the ReLU rescaling and
   any reparametrisation; under loss scaling it is unchanged with RELATIVE
   Delta and changes otherwise (a quadratic's alpha* ~ 1/sqrt(a)). A +Inf
   loss counts as reached; a NaN loss is LLP_ERR_NONFINITE.
   LLP_ERR_ARG for NULLs, n 0, bad settings or batch, a zero given
   direction, a resolved Delta <= 0. */
LLPDEF llp_result llp_basin_width(const llp_objective *f, const llp_real *theta, const llp_batch *batch,
                                  const llp_basin_desc *desc, llp_rng *rng, double *widths, llp_basin_result *res);

/* ---- gradient statistics, curvature along the gradient, the Hessian panel,
   stable learning rates ------------------------------------------------------
   Five numbers-from-one-call tools built on the objective abstraction and the
   curvature tools above. The mini-batch tools (noise scale, batch statistics)
   need an objective with samples (n_samples > 0) whose loss is the MEAN over
   the batch (plus, possibly, a term that does not depend on the batch, such
   as weight decay: it cancels in the differences they take).

   Mini-batches here are drawn WITHOUT replacement by a partial Fisher–Yates
   shuffle, so a test can draw the same batches: an index array perm[0..N)
   (N = n_samples) starts as the identity at the start of each call and stays
   between draws; a batch of B samples is
       for i = 0 .. B-1: j = i + llp_rng_below(rng, N - i); swap(perm[i], perm[j])
   and then perm[0..B) in that order (a uniformly random B-subset, whatever
   perm held before). Successive batches are independent draws (they may
   share samples with each other). */

/* Gradient noise scale settings. Zero fields mean their default. */
typedef struct llp_grad_noise_desc {
    size_t b_small;        /* B_small (0 -> max(1, b_big / 8) when b_big is set, else
                              max(1, min(32, n_samples / 8))) */
    size_t b_big;          /* B_big (0 -> min(n_samples, 8 b_small)); b_small < b_big <= n_samples */
    size_t pairs;          /* independent (small, big) draws averaged (0 -> 20), >= 2 */
    int infinite_population; /* 1: the paper's formulas with 1/B (samples drawn from an infinite
                              population); 0: corrected for drawing without replacement from the
                              n_samples of the objective (the default; see llp_grad_noise_scale) */
} llp_grad_noise_desc;

typedef struct llp_grad_noise_result {
    double b_simple;       /* B_simple = mean(S) / mean(|G|^2): the ratio of the means; NaN when
                              mean |G|^2 <= 0 */
    double b_simple_se;    /* its standard error by the delta method (see below); NaN with b_simple */
    llp_estimate g2;       /* |G|^2 estimates, one per pair: mean, s.e., pairs */
    llp_estimate s;        /* S = tr(Sigma) estimates, one per pair */
    llp_estimate g2_small; /* the raw |G_small|^2 and |G_big|^2 of the pairs */
    llp_estimate g2_big;
    size_t b_small, b_big, pairs; /* as used */
    int fpc;               /* 1 when the finite-population correction was applied */
    llp_evals evals;
} llp_grad_noise_result;

/* The gradient noise scale of McCandlish, Kaplan, Amodei et al. (2018), "An
   empirical model of large-batch training", appendix A: the unbiased
   two-batch-size estimator.
   For a mini-batch gradient G_B (the gradient of the batch-mean loss over B
   samples) E |G_B|^2 = |G|^2 + tr(Sigma) u(B), with G the full-data gradient
   and Sigma the covariance of the per-sample gradients g_i. The paper
   samples from an infinite population: Sigma the per-sample covariance and
   u(B) = 1/B. Drawing B of the objective's N samples without replacement
   gives, exactly, u(B) = (N - B) / (B (N - 1)) with Sigma the population
   covariance (1/N) sum_i (g_i - G)(g_i - G)^T; that is the default here, so
   both estimates are unbiased for the N samples at hand (and B_big = N is
   allowed: u = 0, G_big = G). With u_s = u(B_small) > u_b = u(B_big), per
   pair (a B_big batch and the B_small batch made of its first B_small
   samples, so nested as in the paper's per-device/all-reduced pair):
       |G|^2_est = (u_s |G_big|^2 - u_b |G_small|^2) / (u_s - u_b)
       S_est     = (|G_small|^2 - |G_big|^2) / (u_s - u_b)
   which with u = 1/B (infinite_population = 1) are the paper's
   (B_big |G_big|^2 - B_small |G_small|^2) / (B_big - B_small) and
   (|G_small|^2 - |G_big|^2) / (1/B_small - 1/B_big). Under sampling without
   replacement the uncorrected pair is biased: E S_est = tr(Sigma) N/(N - 1),
   E |G|^2_est = |G|^2 - tr(Sigma)/(N - 1) (negligible for large N).
   Both are averaged over `pairs` independent draws and, as in the paper, the
   ratio is of the means: B_simple = mean(S_est) / mean(|G|^2_est). Its s.e.
   by the delta method over the pairs: with r = B_simple,
       se^2 = (var S - 2 r cov(S, G2) + r^2 var G2) / (pairs mean(G2)^2),
   sample (co)variances over the pairs (first order; the ratio's own bias is
   O(1/pairs)).
   Reading it: B_simple is the batch size above which larger batches stop
   paying off (the "critical batch size" under the simplifying assumption of
   a Hessian proportional to the identity; the paper's B_noise weights by H).
   Caveats: near a minimum |G|^2 -> 0 and B_simple explodes; the |G|^2
   estimate is a difference of noisy terms and can be negative (it is
   reported; b_simple is NaN then). Scaling the loss by a leaves B_simple
   unchanged (S and |G|^2 both scale by a^2); reparametrising theta does not.
   It is a property of theta: it changes along training.
   Cost: 2 pairs gradient evaluations (B_small + B_big samples' worth each
   pair); evals.batches counts the mini-batches evaluated (2 per pair).
   Allocates n reals, 4 pairs doubles and n_samples indices. LLP_ERR_ARG for NULLs, an
   objective without samples, b_small >= b_big, b_big > n_samples or pairs <
   2; LLP_ERR_NONFINITE for a NaN/Inf gradient. */
LLPDEF llp_result llp_grad_noise_scale(const llp_objective *f, const llp_real *theta, const llp_grad_noise_desc *d,
                                       llp_rng *rng, llp_grad_noise_result *res);

/* Batch-gradient statistics settings. Zero fields mean their default. */
typedef struct llp_grad_batch_desc {
    size_t batches;        /* M (0 -> 10), >= 2 */
    size_t batch_size;     /* B (0 -> min(32, n_samples)), <= n_samples */
} llp_grad_batch_desc;

typedef struct llp_grad_batch_result {
    llp_estimate norm;     /* ||g_j|| over the M batches: mean, s.e., M */
    double norm_var;       /* sample variance of ||g_j|| (divisor M - 1) */
    double norm_cv;        /* coefficient of variation sqrt(norm_var) / mean ||g_j|| */
    llp_estimate cosine;   /* mean of cos(g_j, g_k) over the M (M - 1) / 2 pairs j < k; se by the
                              jackknife over batches (NaN for M = 2); samples = M */
    double cos_min, cos_max; /* extremes over the pairs */
    size_t batches, batch_size;
    llp_evals evals;
} llp_grad_batch_result;

/* Spread of mini-batch gradients at theta: M independent batches of B
   samples (drawn as described at the top of this block), gradients g_j.
     norms    mean, variance and coefficient of variation of ||g_j||: how much
              the step length of SGD varies from batch to batch;
     cosines  c = mean over pairs j < k of g_j.g_k / (||g_j|| ||g_k||): near 1
              the batches agree on the direction, near 0 (or below) the step
              is dominated by noise; this is the "gradient confusion" of
              Sankararaman et al. (2020) and the "stiffness" of Fort et al.
              (2019) between batches. For independent batches E[g_j.g_k] =
              |G|^2, so cosines fall as tr(Sigma)/B grows against |G|^2 (cf.
              llp_grad_noise_scale).
   The pairs share batches, so they are not independent: the s.e. of c is
   the jackknife over the M batches, c_(i) the mean over the pairs without
   batch i (a U-statistic; its jackknife is the standard variance estimate):
       se^2 = (M - 1)/M sum_i (c_(i) - mean_i c_(i))^2.
   A zero batch gradient has no direction: cosine, cos_min, cos_max NaN.
   Caveats: scaling the loss leaves c and the CV unchanged (the norms
   scale); the numbers depend on B (larger batches: larger c, smaller CV) and
   on theta.
   Cost: M gradient evaluations of B samples. Allocates M n reals, M^2 + 2M
   doubles and n_samples indices. LLP_ERR_ARG for NULLs, an objective
   without samples, M < 2 or B > n_samples; LLP_ERR_NONFINITE for a NaN/Inf
   gradient. */
LLPDEF llp_result llp_grad_batch_stats(const llp_objective *f, const llp_real *theta, const llp_grad_batch_desc *d,
                                       llp_rng *rng, llp_grad_batch_result *res);

/* Curvature-along-the-gradient settings. Zero fields mean their default. */
typedef struct llp_grad_curvature_desc {
    const llp_batch *batch; /* gradient, HVP and probe over this batch (NULL: all samples) */
    double lambda_max;     /* > 0: also report ghg / lambda_max (0: not, NaN) */
    int fd_probe;          /* 1: also the finite-difference probe along the gradient
                              (llp_hessian_probe, LLP_DIRECTION_GRADIENT): 2 more gradients */
    double fd_step;        /* the probe's eps (0 -> llp_hessian_probe's default) */
} llp_grad_curvature_desc;

typedef struct llp_grad_curvature_result {
    double loss;           /* L(theta) on the batch */
    double grad_norm;      /* ||g|| */
    double ghg;            /* curvature along the gradient: g^T H g / g^T g = ghat^T H ghat */
    double eta_star;       /* 1 / ghg: the learning rate of the exact line search on the local
                              quadratic (+inf when ghg <= 0) */
    double step_star;      /* ||g|| / ghg: the distance travelled along -ghat (+inf when ghg <= 0) */
    double model_decrease; /* ||g||^2 / (2 ghg): the decrease the quadratic model predicts for the
                              step -eta_star g (+inf when ghg <= 0) */
    double hg_norm;        /* ||H ghat|| */
    double hg_cos;         /* ghg / ||H ghat||: cosine between ghat and H ghat (1: the gradient is
                              an eigenvector); NaN when H ghat = 0 */
    double rayleigh_ratio; /* ghg / lambda_max when desc->lambda_max > 0, else NaN */
    double fd_gdiff;       /* probe: ||g(theta + eps ghat) - g(theta)|| / eps ~ ||H ghat|| (NaN without) */
    double fd_dir;         /* probe: ghat^T (g(theta + eps ghat) - g(theta)) / eps ~ ghg (NaN without) */
    double fd_step;        /* probe: eps used (NaN without) */
    llp_evals evals;
} llp_grad_curvature_result;

/* Curvature of the loss along its gradient. With g the gradient on the batch
   and ghat = g / ||g||, one exact HVP gives ghat^T H ghat. Along -ghat the
   local quadratic model is
       m(t) = L - t ||g|| + (1/2) t^2 ghat^T H ghat,
   minimised (for ghat^T H ghat > 0) at t* = ||g|| / ghat^T H ghat, i.e. the
   step -eta* g with the learning rate eta* = 1 / ghat^T H ghat = g^T g / g^T
   H g, the exact line search of steepest descent on a quadratic (Cauchy's
   step; Nocedal & Wright 2006, section 3.3), and the model then drops by
   ||g||^2 / (2 ghat^T H ghat). On a quadratic loss the step lands exactly on
   the minimum of L along -g. Compare eta* with the rate in use: SGD at a
   rate above 2 eta* increases the model along the gradient. With lambda_max
   given, ghat^T H ghat / lambda_max in [lambda_min/lambda_max, 1] tells how
   much the gradient lies in the sharp directions (it does, late in training:
   Gur-Ari, Roberts, Dyer 2018). hg_cos = ghat^T H ghat / ||H ghat|| is 1
   exactly when the gradient is an eigenvector.
   The probe (fd_probe = 1) is llp_hessian_probe along the gradient: its
   ||g(theta + eps ghat) - g(theta)|| / eps estimates ||H ghat|| (hg_norm),
   NOT the curvature ghat^T H ghat (its projection fd_dir does); read
   llp_hessian_probe's comment.
   Caveats: loss scaling by a scales ghg by a and eta* by 1/a; the batch
   changes both g and H (on a mini-batch they are that batch's); H's sign is
   not assumed (ghg <= 0: the model has no minimum along -g and eta* is
   reported as +inf).
   Cost: 1 gradient + 1 HVP (an objective without an hvp: llp_objective_hvp's
   finite difference, 2 gradients, counted as one HVP), plus 2 gradients with
   the probe. Allocates 2 n reals. LLP_ERR_ARG for NULLs, a zero gradient (no
   direction), lambda_max < 0; LLP_ERR_NONFINITE for a NaN/Inf loss, gradient
   or product. */
LLPDEF llp_result llp_grad_curvature(const llp_objective *f, const llp_real *theta, const llp_grad_curvature_desc *d,
                                     llp_grad_curvature_result *res);

/* Hessian panel settings. Zero fields mean their default. */
typedef struct llp_hessian_panel_desc {
    size_t lanczos_steps;  /* Krylov dimension for lambda_max and lambda_min (0 -> 30; capped at n) */
    double lanczos_tol;    /* Lanczos tol (0 -> llp_lanczos's default) */
    size_t trace_probes;   /* Hutchinson probes, all used (0 -> 30), >= 2 */
    int no_slq;            /* 1: skip SLQ (neg_ratio and the condition numbers are NaN) */
    size_t slq_runs;       /* SLQ start vectors (0 -> 4) */
    size_t slq_steps;      /* SLQ Lanczos steps per run (0 -> 30; capped at n) */
    size_t k;              /* lambda_k / cond_k of llp_spectrum_stats (0 -> min(n, 10)) */
    double rel_tol;        /* zero threshold of llp_spectrum_stats (0 -> its 1e-6) */
    double eta;            /* > 0: a learning rate, for eta lambda_max (0: none, NaN) */
} llp_hessian_panel_desc;

typedef struct llp_hessian_panel_result {
    double lambda_max, lambda_min;   /* Lanczos extremes */
    double lambda_max_residual, lambda_min_residual; /* Ritz residuals (see llp_eig_result) */
    int converged;         /* both Lanczos pairs met the tolerance */
    double cond_extreme;   /* lambda_max / lambda_min when lambda_min > 0, else NaN */
    llp_estimate trace;    /* Hutchinson: mean of z^T H z, its s.e., probes */
    llp_spectrum_stats spectrum; /* llp_slq_stats of the SLQ measure (zeroed with no_slq) */
    double neg_ratio;      /* SLQ weight of eigenvalues < -tol (NaN with no_slq) */
    double cond_pos, cond_k, cond_mean; /* from spectrum (NaN with no_slq) */
    double eta;            /* desc->eta (NaN without) */
    double eta_lambda_max; /* eta * lambda_max: 2 is the stability edge of gradient descent on the
                              local quadratic (NaN without eta) */
    double lr_edge;        /* 2 / lambda_max (+inf when lambda_max <= 0) */
    llp_evals evals;       /* the sum of the three below */
    llp_evals lanczos_evals, trace_evals, slq_evals;
    char batch[160];       /* llp_batch_policy_describe of the policy */
} llp_hessian_panel_result;

/* The Hessian at theta in one call: llp_lanczos (k_largest = k_smallest = 1,
   full reorthogonalisation) for lambda_max and lambda_min, llp_hutchinson
   (Hutchinson 1989; exactly trace_probes Rademacher probes) for tr(H) with
   its s.e., and SLQ (llp_slq + llp_slq_stats; Ubaru, Chen, Saad 2017,
   Ghorbani, Krishnan, Xiao 2019) for the fraction of negative eigenvalues and
   the condition numbers cond_pos = largest / smallest positive, cond_k =
   lambda_max / lambda_k and cond_mean = lambda_max / (tr / n) (read
   llp_hessian_stats: the first explodes with near-zero eigenvalues, the
   others do not). With a learning rate eta: eta lambda_max. Gradient descent
   on the local quadratic diverges along the top eigenvector when eta
   lambda_max > 2 (lr_edge = 2 / lambda_max); full-batch training of networks
   tends to drive lambda_max up to 2 / eta and hover there (the "edge of
   stability", Cohen, Kaur, Li, Kolter, Talwalkar 2021). The tools run in
   that order, all under the policy bp (NULL: full batch) and all drawing
   from rng.
   Accuracy: lambda_max and lambda_min are Ritz values (inside the spectrum;
   exact to rounding when lanczos_steps >= n); the trace is unbiased with the
   s.e. reported; neg_ratio and the conditions from SLQ are rough (runs x
   steps nodes). Caveats: every number scales with the loss (a L: a H) and
   changes under reparametrisation (rescaling layers of a ReLU network
   changes lambda_max while the function stays); FRESH batches add batch
   noise (see llp_batch_policy).
   Cost: at most lanczos_steps + trace_probes + slq_runs slq_steps HVPs
   (defaults: 30 + 30 + 120), exactly evals.hvp. Allocates what the tools
   allocate. LLP_ERR_ARG for NULLs, trace_probes < 2, eta < 0 or bad
   settings of the tools; their errors otherwise. */
LLPDEF llp_result llp_hessian_panel(const llp_objective *f, const llp_real *theta, const llp_batch_policy *bp,
                                    const llp_hessian_panel_desc *d, llp_rng *rng, llp_hessian_panel_result *res);

/* Learning-rate stability settings. Zero fields mean their default. */
typedef struct llp_lr_stability_desc {
    llp_lr_find_desc find;   /* the range test (zero fields: llp_lr_find's defaults) */
    size_t lanczos_steps;    /* Krylov dimension for lambda_max (0 -> 30; capped at n) */
    const llp_batch_policy *policy; /* the Lanczos products (NULL: full batch) */
} llp_lr_stability_desc;

typedef struct llp_lr_stability_result {
    double lambda_max;       /* Lanczos, at theta */
    double lambda_max_residual;
    double lr_edge;          /* 2 / lambda_max (+inf when lambda_max <= 0) */
    double max_stable;       /* llp_lr_find: the largest rate that still trains */
    double suggested, best;  /* llp_lr_find's other two rates */
    double ratio;            /* max_stable / lr_edge */
    int stopped_early;       /* the range test blew up before lr_max */
    size_t steps;            /* range-test steps recorded */
    llp_evals evals;         /* Lanczos HVPs + every gradient of the range test */
} llp_lr_stability_result;

/* The largest stable learning rate two ways: the range test's max_stable
   (llp_lr_find, Smith 2017: one optimizer step per rate, the rate growing
   exponentially; read its definition: the largest rate, past the minimum of
   the smoothed loss, before the smoothed loss rises above its starting
   value) beside the local edge 2 / lambda_max of gradient descent on the
   quadratic model at theta (lambda_max by llp_lanczos), and their ratio.
   od: the optimizer of the range test (NULL: plain SGD; the rate is set by
   the sweep).
   How the two compare, for plain gradient descent on a quadratic: while
   every rate stays below 2 / lambda_max each eigencomponent shrinks, the
   loss never rises, and so the smoothed loss stays below its start: max_stable
   is at least the last grid rate below the edge (ratio >= 1/q, q =
   (lr_max/lr_min)^(1/(steps-1)) the grid factor). It is NOT close to the edge
   from above: by the time the sweep reaches 2 / lambda_max it has driven the
   loss down by many orders of magnitude (each rate near 1/lambda_i removes
   the i-th component), and above the edge the loss must regrow by that whole
   factor, at (lr lambda_max - 1)^2 per step, before the smoothed loss passes
   its start. Measured ratios: 6 to 8 on full-batch quadratics (cond 10, 100
   to 200 steps); 1.7 to 4 with mini-batches of 16 to 32 on noisy least
   squares, where the batch noise keeps the loss off zero. So read max_stable
   as "training still makes progress", an upper estimate of the stable rate,
   and lr_edge as the local bound. Heavy-ball momentum moves the edge to
   (2 + 2 beta) / lambda_max; adaptive optimizers (Adam, RMSprop) have no
   such edge.
   Caveats: the range test measures along a training path with a growing
   rate (the curvature it meets is not the one at theta, mini-batches add
   noise, the smoothing lags), 2 / lambda_max is local to theta; the grid
   limits max_stable's resolution. Loss scaling by a scales lr_edge by 1/a;
   max_stable follows only to the grid's resolution.
   Cost: at most lanczos_steps HVPs, plus the range test's gradient
   evaluations (one per step, two with SAM, one more for a step that hit a
   NaN), counted exactly in evals. rng: the Lanczos start vector (the range
   test shuffles with find.seed). LLP_ERR_ARG for NULLs or bad settings, the
   tools' errors otherwise (LLP_ERR_DIVERGED when the range test blew up
   within its first 3 steps). */
LLPDEF llp_result llp_lr_stability(const llp_objective *f, const llp_real *theta, const llp_opt_desc *od,
                                   const llp_lr_stability_desc *d, llp_rng *rng, llp_lr_stability_result *res);

/* ---- input-space probes: input gradients, FGSM and PGD ------------------- */

/* Input-probe settings. Zero fields mean their default. */
typedef struct llp_input_probe_desc {
    double eps;            /* radius of the L-infinity ball, in the units of the model's inputs
                              (0 -> 0.1); must be > 0 */
    size_t pgd_steps;      /* PGD iterations k (0 -> 5) */
    double pgd_alpha;      /* PGD step length (0 -> 2.5 eps / k, Madry et al.'s choice) */
    int no_pgd;            /* 1: skip PGD (its fields are NaN, nothing spent on it) */
} llp_input_probe_desc;

typedef struct llp_input_probe_result {
    size_t samples;        /* probe samples m (the batch's rows) */
    double eps, pgd_alpha; /* as used */
    size_t pgd_steps;      /* as used (0 with no_pgd) */
    /* per-sample input gradient g_i = grad_x l_i(x_i), over the m samples */
    llp_estimate grad_l2;  /* mean ||g_i||_2 */
    llp_estimate grad_l1;  /* mean ||g_i||_1 (dual norm of L-infinity) */
    double first_order;    /* eps * grad_l1.value: the first-order FGSM loss increase */
    /* mean per-sample losses (data loss: no weight decay, see below) */
    double loss_clean, loss_fgsm, loss_pgd;
    llp_estimate fgsm_increase;  /* mean over samples of l_i(x_i') - l_i(x_i), FGSM */
    llp_estimate pgd_increase;   /* the same for PGD's last iterate */
    /* classification only (NaN / empty estimates for regression) */
    double acc_clean, acc_fgsm, acc_pgd;   /* accuracy in [0, 1] */
    llp_estimate fgsm_acc_drop;  /* mean over samples of correct(x) - correct(x'), = acc_clean - acc_fgsm */
    llp_estimate pgd_acc_drop;
    llp_evals evals;       /* grad: input-gradient passes; loss: loss (forward) passes; one pass covers
                              all m samples, however it is chunked */
} llp_input_probe_result;

/* The loss landscape around the data in input space, as probed for
   adversarial robustness. For each selected sample (x_i, y_i) with loss
   l_i(x) (the model's per-sample loss, e.g. (1/k) sum (y - t)^2 for MSE,
   -log softmax for cross-entropy), the input gradient g_i = grad_x l_i(x_i)
   is llp_mlp_input_grad's row i times the batch size (that function returns
   the gradient of the batch MEAN). Reported over the m samples:
     grad_l2, grad_l1   mean ||g_i||_2 and ||g_i||_1. The L1 norm is the dual
                        of L-infinity: eps ||g_i||_1 is the first-order
                        increase of l_i over the L-infinity ball of radius eps.
     FGSM (Goodfellow, Shlens, Szegedy 2015): x_i' = x_i + eps sign(g_i)
                        (sign(0) = 0), the loss increase mean_i l_i(x_i') -
                        l_i(x_i) and, for classification, the accuracy drop.
     PGD (Madry, Makelov, Schmidt, Tsipras, Vladu 2018): from x^0 = x_i,
                        k steps x^(s+1) = P(x^s + alpha sign(grad_x l_i(x^s))),
                        P the projection (clipping) onto |x - x_i|_inf <= eps,
                        alpha = 2.5 eps / k; the increase and accuracy drop at
                        x^k (the last iterate, no random start, no restarts).
   The first PGD step uses the FGSM gradient. With alpha k > eps PGD can
   reach the corners of the ball; for a model linear in x (a linear model with
   MSE, or any loss monotone in one linear score) both attacks end at the same
   corner, x + eps sign(g). PGD is a local ascent: it usually beats FGSM but
   is not guaranteed to for every sample. Losses are per-sample data losses:
   weight decay (which does not depend on the inputs) is left out, so
   loss_clean is the model's loss minus lambda/2 ||W||^2.
   Defaults: eps 0.1, k 5, alpha 2.5 eps / k.
   Cost (evals): 1 + (k - 1) input-gradient passes (grad) and 3 forward
   passes (loss: clean, FGSM, PGD) over the m samples; without PGD 1 and 2.
   An input-gradient pass costs about one gradient evaluation.
   Caveats: eps is in the units of the inputs as the model sees them, so the
   numbers depend on the input scaling (standardise first, or compare models
   with the same preprocessing). The L-infinity ball is a choice (natural for
   pixels); the L2 ball gives the dual norm ||g||_2 (grad_l2) and the attack
   x + eps g / ||g||_2 instead. The attacked inputs are not clipped to a data
   range. Scaling the loss scales every loss number and gradient norm.
   batch: the rows of data probed (NULL = all), copied (llp_data_subset) so
   the caller's data is never touched. Allocates the copy, a workspace for
   min(m, 256) rows, 2 m d reals and 8 m doubles.
   LLP_ERR_ARG for NULLs, eps/alpha not finite and > 0, a bad batch;
   LLP_ERR_SHAPE when the data does not fit the model; LLP_ERR_EMPTY for an
   empty batch; LLP_ERR_NONFINITE / LLP_ERR_LABEL for bad data; LLP_ERR_NONFINITE
   for a NaN/Inf loss or input gradient. res is written only on success. */
LLPDEF llp_result llp_input_probe(const llp_mlp *m, const llp_real *theta, const llp_data *data,
                                  const llp_batch *batch, const llp_input_probe_desc *desc,
                                  llp_input_probe_result *res);

/* ---- multi-start difficulty ------------------------------------------------ */

/* Draw an initial theta: (n) out, from rng only. */
typedef void (*llp_multistart_init_fn)(void *ctx, llp_real *theta, llp_rng *rng);

/* The init of an MLP: llp_mlp_randomize(ctx, theta, rng), ctx = the
   (const llp_mlp *) whose theta layout the objective uses. */
LLPDEF void llp_multistart_mlp_init(void *ctx, llp_real *theta, llp_rng *rng);

/* Multi-start settings. Zero fields mean their default. */
typedef struct llp_multistart_desc {
    size_t restarts;       /* K (0 -> 10) */
    uint64_t seed;         /* restart r draws its init from llp_rng_seed(seed + r) */
    double delta_abs;      /* success tolerance, absolute part (0: none); >= 0 */
    double delta_rel;      /* relative part (0 -> 0.05; a negative value means 0) */
    size_t points;         /* interpolation points over t in [0, 1] (0 -> 21), >= 2 */
    int no_barriers;       /* 1: skip the interpolations */
    int keep_thetas;       /* 1: res->thetas holds the K final parameter vectors */
} llp_multistart_desc;

typedef struct llp_multistart_result {
    size_t k;              /* restarts K */
    size_t n;              /* parameters */
    /* per restart (K each) */
    double *final_loss;    /* full training loss at the final theta; NaN for a failed run */
    double *final_val;     /* validation loss there (NaN without val or for a failed run) */
    llp_result *status;    /* LLP_OK, LLP_ERR_DIVERGED (the trainer's), or LLP_ERR_NONFINITE
                              (the final loss is NaN/Inf) */
    llp_stop *stop;        /* how the trainer ended */
    uint64_t *steps;       /* optimizer steps taken */
    int *success;          /* 1: status OK and final_loss <= best + delta */
    double *barrier_mean;  /* barrier_mean / barrier_linear (llp_barrier) of the segment from the */
    double *barrier_linear;/* best restart's theta to this one's; NaN for the best, failed runs,
                              or with no_barriers */
    /* summaries over the restarts with status OK */
    size_t n_ok, n_failed, n_success;
    size_t best_index;     /* argmin of final_loss (K when no run is OK) */
    double best, median, worst; /* of final_loss (median: mean of the two middle values when even) */
    double delta;          /* delta_abs + delta_rel |best| as used */
    llp_estimate success_rate; /* mean of the K 0/1 success indicators: failures count as 0 */
    llp_estimate barrier_mean_est, barrier_linear_est; /* over the n_ok - 1 barriers */
    double barrier_mean_max, barrier_linear_max;       /* NaN when there are none */
    llp_real *thetas;      /* (K, n) final thetas (keep_thetas; failed runs: the trainer's restored
                              iterate), else NULL */
    llp_evals evals;
    void *block;
} llp_multistart_result;

/* Multi-start difficulty: "does my model struggle to find the global
   minimum?" answered directly. K restarts r = 0..K-1, each from its own
   initialisation init(init_ctx, theta, rng_r), rng_r = llp_rng_seed(seed + r),
   trained by llp_trainer_init/llp_trainer_run with the same settings td and
   od, except that restart r uses the shuffling seed td->seed + r and the
   gradient-noise seed od->noise_seed + r (independent runs: they differ in
   init and in batch order). Then, on the final thetas:
     final_loss[r]   the full-batch training loss (and final_val[r] the
                     validation loss when val is given);
     best/median/worst over the runs that finished (status LLP_OK);
     success         final_loss[r] <= best + delta, delta = delta_abs +
                     delta_rel |best| (defaults 0 and 0.05: within 5% of the
                     best loss found); success_rate = successes / K, with
                     its binomial standard error;
     barriers        llp_slice_interpolate from the best restart's theta to
                     each other finished one over `points` values of t in
                     [0, 1]: barrier_mean = sup L(t) - (L(0) + L(1)) / 2 and
                     barrier_linear = sup L(t) - ((1 - t) L(0) + t L(1))
                     (linear mode connectivity: Draxler et al. 2018, Garipov
                     et al. 2018, Frankle et al. 2020), their means (s.e.
                     over the n_ok - 1 pairs, which share the best endpoint,
                     so it is indicative only) and maxima.
   A diverged restart (LLP_ERR_DIVERGED from the trainer) and one whose final
   loss is NaN/Inf count as failures, are reported in status and are not
   errors. A run stopped by td's on_step/on_epoch callback counts as finished
   where it stopped. Reading: a success rate near 1 with barriers near 0
   means the restarts find equally good, linearly connected minima; a low
   success rate means many runs end clearly worse than the best. Caveats: the
   best is the best FOUND, not the global minimum; success depends on the
   training budget (an unconverged run counts as a failure: the rate mixes
   speed and landscape), on delta (with a best loss near 0 the relative part
   vanishes: set delta_abs), on the loss scale (delta_abs) and, for the
   barriers, on the network's permutation symmetry: two equivalent minima
   with permuted hidden units show a barrier that alignment would remove
   (Entezari et al. 2022).
   Cost: the K training runs (every training and validation evaluation the
   trainer makes, gradients with SAM counted twice by it), K full training
   losses (plus K validation losses), and (n_ok - 1) points interpolation
   losses; evals counts every objective call exactly (loss-only calls in
   loss, loss-and-gradient calls in grad; accuracy calls are not counted).
   Allocates K n reals for the final thetas (kept only with keep_thetas) and
   O(K) numbers.
   LLP_ERR_ARG for NULLs, n == 0, a bad setting (points == 1, delta_abs < 0
   or not finite, delta_rel not finite), or td with traj_path or ckpt_path
   (the K runs would overwrite one file); LLP_ERR_SHAPE when val->n !=
   train->n; any other error of the trainer or the objectives (including
   LLP_ERR_NONFINITE for a non-finite initial theta) is returned, with
   nothing written. Free with llp_multistart_free. */
LLPDEF llp_result llp_multistart(const llp_objective *train, const llp_objective *val, llp_multistart_init_fn init,
                                 void *init_ctx, const llp_train_desc *td, const llp_opt_desc *od,
                                 const llp_multistart_desc *desc, llp_multistart_result *res);
LLPDEF void llp_multistart_free(llp_multistart_result *res);

/* ---- the ruggedness report: every metric above in one call ------------------
   "Will my model struggle to find the minimum?" asked of every tool of this
   section at once, within a cost budget, written as an aligned text table
   and as JSON, with a plain-language reading. */

/* Panels of the report (bit flags of llp_report_desc.panel). */
enum {
    LLP_PANEL_SLICES = 1,      /* llp_rugged_slices */
    LLP_PANEL_SURFACES = 2,    /* llp_rugged_surfaces */
    LLP_PANEL_FLA = 4,         /* llp_rugged_fla */
    LLP_PANEL_SHARPNESS = 8,   /* Keskar, random (plain, adaptive), adaptive worst case, PAC-Bayes */
    LLP_PANEL_HESSIAN = 16,    /* llp_hessian_panel */
    LLP_PANEL_GRADIENTS = 32,  /* llp_grad_noise_scale, llp_grad_batch_stats, llp_grad_curvature */
    LLP_PANEL_LR = 64,         /* llp_lr_stability */
    LLP_PANEL_BASIN = 128,     /* llp_basin_width */
    LLP_PANEL_INPUT = 256,     /* llp_input_probe */
    LLP_PANEL_MULTISTART = 512,/* llp_multistart */
    LLP_PANEL_ALL = 1023
};
#define LLP_REPORT_PANELS 10

/* Report settings. Zero fields mean their default; NULL means all defaults. */
typedef struct llp_report_desc {
    unsigned panel;            /* 0 -> every panel the inputs allow, except MULTISTART */
    double budget;             /* cost cap in gradient evaluations (loss-only 1/2, HVP 2); 0 -> 20000 */
    double lr;                 /* the training learning rate: eta*lambda_max and the LR panel (0: NaN / skipped) */
    llp_opt_kind lr_kind;      /* the optimizer lr belongs to (0: SGD). For RMSPROP, ADAM, ADAMW the step
                                  is not lr times the gradient, so the reading does not judge
                                  eta*lambda_max against the edge 2 (the number is still reported) */
    size_t batch_size;         /* the training mini-batch size, compared with B_simple (0: not judged) */
    uint64_t seed;             /* every panel draws from its own stream seeded from this */
    const llp_mlp *mlp;        /* the MLP theta belongs to (FILTER directions, input probes) or NULL */
    const llp_data *data;      /* its training data (input probes) or NULL */
    /* multi-start: restarts trained with these (train, opt or init NULL -> MULTISTART skipped) */
    const llp_train_desc *train;
    const llp_opt_desc *opt;
    llp_multistart_init_fn init;
    void *init_ctx;
    size_t restarts;           /* 0 -> 10 */
    /* optional progress: called before each panel runs with its short name
       ("slices", "surfaces", "fla", "sharpness", "hessian", "gradients", "lr",
       "basin", "input", "multistart"), the compute spent so far and the
       planned total (the units of cost and planned below), and once at the
       end with panel NULL and the final cost. It cannot stop the report and
       changes nothing in it. */
    void (*progress)(void *ctx, const char *panel, double spent, double planned);
    void *progress_ctx;
} llp_report_desc;

typedef struct llp_report {
    unsigned requested;        /* panels asked for (resolved) */
    unsigned ran;              /* panels that ran */
    size_t n;                  /* parameters */
    uint64_t seed;
    double lr;                 /* as given (NaN when 0) */
    llp_opt_kind lr_kind;      /* as given */
    size_t batch_size;
    double budget;             /* the cap used */
    double planned;            /* the planned (upper-bound) cost of the panels that ran */
    double scale;              /* common factor applied to the sample counts (1: defaults) */
    double cost;               /* spent: grad + 0.5 loss + 2 hvp of evals */
    double panel_planned[LLP_REPORT_PANELS], panel_cost[LLP_REPORT_PANELS]; /* by bit index */
    /* the results (valid when the panel's bit is in ran) */
    size_t slice_points;
    llp_rugged_slice_result slices, surfaces;
    llp_fla_result fla;
    llp_sharp_max_result keskar, adaptive_max;
    llp_sharp_random_result sharp_plain, sharp_adaptive;
    llp_pacbayes_result pacbayes;
    llp_hessian_panel_result hessian;
    int have_noise, have_batch, have_curv;
    llp_grad_noise_result noise;
    llp_grad_batch_result batch;
    llp_grad_curvature_result curv;
    llp_lr_stability_result lrs;
    llp_basin_result basin;
    llp_input_probe_result input;
    llp_multistart_result multi;
    llp_evals evals;           /* everything spent: the sum of the results' evals */
    llp_evals counted;         /* what a counting wrapper of train/val saw (evals minus the input
                                  probes, which use the MLP directly; more than the parts only
                                  when a tool failed part-way, see notes) */
    char notes[2048];          /* one note per line: skipped panels, scaling, tolerated failures */
} llp_report;

/* The ruggedness report of train at theta: the panels of `panel`, each
   running the tool(s) of this section with the settings below, all within
   the budget (cost in gradient evaluations: a gradient 1, a loss-only
   evaluation 1/2, an HVP 2; n parameters, N training samples):

     panel       tool(s) and default settings                          planned cost (upper bound)
     SLICES      llp_rugged_slices: R = 10 directions, 51 points,      R 51 / 2        (255)
                 radius 1, FILTER with mlp, else unit directions
     SURFACES    llp_rugged_surfaces: 3 planes of 21 x 21 (n >= 2)     planes 441 / 2  (661.5)
     FLA         llp_rugged_fla: 3 walks of 200 steps, scale 1         walks 3 201 / 2 (904.5)
     SHARPNESS   Keskar (K = 20), random plain and adaptive (R = 20),  2 (K + 1) + (R + 1)
                 adaptive worst case (20 steps, rho 0.05, eta 0),      + (1 + 18 M) / 2 (153.5)
                 PAC-Bayes sigma* (M = 10, tol 1e-3, absolute 0.1)
     HESSIAN     llp_hessian_panel: Lanczos 30, 30 Hutchinson probes,  2 (min(30, n) + 30
                 SLQ 4 x 30; eta = lr                                  + 4 min(30, n)) (360)
     GRADIENTS   llp_grad_noise_scale (20 pairs) and llp_grad_batch_   2 pairs + M + 3 (53)
                 stats (M = 10, B = batch_size or 32) when N >= 16;
                 llp_grad_curvature (with the panel's lambda_max)
     LR          llp_lr_stability: range test of 100 steps (od = opt,  2 min(30, n) + (1 + SAM)
                 batch_size), Lanczos 30; needs lr > 0                 (steps + 1) (161)
     BASIN       llp_basin_width: R = 10 directions, delta 0.1         (1 + 52 R) / 2 (260.5)
     INPUT       llp_input_probe: eps 0.1, PGD 5 (needs mlp and data)  6.5 (not scaled)
     MULTISTART  llp_multistart: 10 restarts of train/opt, init        restarts (steps + epochs/2
                 (needs train, opt, init; never in the default set)    + 2) + 10.5 (restarts - 1)

   Every sample count (directions, planes, walks and steps, ascent steps,
   Monte-Carlo vectors, probes and Lanczos steps, pairs and batches, range-
   test steps, restarts) is multiplied by a common factor s in (0, 1], the
   largest (to 1e-9) for which the planned total fits the budget, with the
   minimums slices 3, planes 1, walks 2 / steps 50, ascent steps 5, random
   samples 4, PAC-Bayes M 2, Lanczos 10, probes 4, SLQ 1 x 10, pairs 4,
   batches 3, range test 20, basin directions 2, restarts 2 (grid points are
   never scaled: the references of the profile metrics depend on them). The
   plans are upper bounds except MULTISTART's, an estimate (the trainer's
   monitor evaluations vary), so the spent cost stays within the budget
   unless MULTISTART runs. s < 1 is said in the notes. A budget that even
   the minimums exceed: LLP_ERR_ARG.

   Skipped, with a note (not an error): INPUT without mlp and data, LR
   without lr, MULTISTART without train/opt/init, SURFACES when n < 2,
   the mini-batch tools of GRADIENTS without samples (N < 16); tolerated,
   with a note: a zero gradient (llp_grad_curvature), a range test that
   diverged at once. Randomness: panel k draws from llp_rng_seed(seed +
   0x9E3779B97F4A7C15 (k + 1)); with MULTISTART the restart seeds are
   d->seed + r. Same inputs and seed: the same report, bit for bit.
   Cost accounting: evals is the sum of the tools' evals; cost = grad +
   loss / 2 + 2 hvp; panel_cost per panel, measured by a counting wrapper.
   Caveats: every tool's caveats hold (read their comments); the report's
   text lists which numbers change under loss scaling and ReLU rescaling.
   LLP_ERR_ARG for NULLs, n == 0, val->n != n, unknown panel bits, budget
   < 0 or lr < 0 (or not finite), a budget below the minimum plan; any
   other error of a tool is returned with out untouched. Free with
   llp_report_free. */
LLPDEF llp_result llp_report_run(const llp_objective *train, const llp_objective *val, const llp_real *theta,
                                 const llp_report_desc *d, llp_report *out);
/* The report as an aligned text table (metric, value, standard error,
   unit / reference, cost of the tool in gradient evaluations), grouped
   by panel, then the notes, the reading and the invariance caveats.
   Deterministic bytes; atomic write. LLP_ERR_ARG for NULLs, LLP_ERR_IO. */
LLPDEF llp_result llp_report_write_text(const llp_report *r, const char *path, llp_error *err);
/* The report as one JSON object, keys in a fixed order: format, version,
   n, seed, lr, batch_size, budget, planned, scale, cost, requested, ran,
   evals, panels, metrics (panel, key, value, se, unit), notes, reading,
   invariance. Numbers %.17g, NaN/Inf as null. Atomic. */
LLPDEF llp_result llp_report_write_json(const llp_report *r, const char *path, llp_error *err);
/* The plain-language reading: rule-based sentences against reference points
   (eta lambda_max vs 2, |lambda_min| / lambda_max, slice minima and
   convexity vs a parabola's 1 and 1, roughness vs a sampled parabola's
   0.0022 at 51 points, batch size vs B_simple, multi-start success rate and
   barrier). Writes at most len - 1 characters and a NUL into buf (buf may
   be NULL when len is 0); returns the full length, as snprintf. */
LLPDEF size_t llp_report_reading(const llp_report *r, char *buf, size_t len);
/* One number of the report: the rows of its table, in the table's order
   (panel by panel, as in the JSON "metrics" array). The strings are static. */
typedef struct llp_report_metric {
    const char *panel;         /* "slices", "surfaces", "fla", "sharpness", "hessian", "gradients", "lr",
                                  "basin", "input", "multistart" */
    const char *key;           /* the JSON key, e.g. "slice_roughness", "lambda_max" */
    const char *label;         /* the text table's label */
    double value;              /* NaN when the tool could not tell */
    double se;                 /* its standard error, NaN when it has none */
    const char *unit;          /* unit, scale or reference point */
    int kind;                  /* LLP_METRIC_MEASURED, _SETTING (an input echoed: lr, fla_step,
                                  ms_restarts, pacbayes_censored and basin_censored are
                                  measured) or _DERIVED (a function of another row: eta_lambda_max,
                                  lr_edge, lr_edge_lr of lambda_max, eta_star = 1 / ghg) */
} llp_report_metric;
enum { LLP_METRIC_MEASURED = 0, LLP_METRIC_SETTING = 1, LLP_METRIC_DERIVED = 2 };
#define LLP_REPORT_MAX_METRICS 80
/* The report's numbers as a flat list, for programs that compare reports
   (sweeps, tables of many models). Writes min(count, cap) rows into rows
   (rows may be NULL when cap is 0) and returns the count, at most
   LLP_REPORT_MAX_METRICS. */
LLPDEF size_t llp_report_metrics(const llp_report *r, llp_report_metric *rows, size_t cap);
LLPDEF void llp_report_free(llp_report *r);

/* ==========================================================================
   10d. HYPERPARAMETER SEARCH, THE META-MODEL AND PROBE-GUIDED TRAINING
   ========================================================================== */

/* ---- the probe-guided learning rate ----------------------------------------
   One training run steered by the curvature it meets: every few steps a
   cheap probe estimates the sharpness the optimizer sees and the rate is set
   to a fixed fraction of the stability edge that sharpness implies. */

/* What the probe measures. */
typedef enum llp_pgo_probe {
    LLP_PGO_LAMBDA_MAX = 0, /* the top Hessian eigenvalue by warm-started power iteration */
    LLP_PGO_GHG             /* the curvature along the gradient, g^T H g / g^T g (cheaper, <= lambda_max) */
} llp_pgo_probe;

/* Probe-guided rate settings. Zero fields mean their default. */
typedef struct llp_pgo_desc {
    llp_pgo_probe probe;
    uint64_t every;        /* steps between probes (0 -> 10); the first probe is at step 0, or, for
                              the preconditioned kinds, at step `every` (see below) */
    size_t iters;          /* LAMBDA_MAX: power iterations per probe (0 -> 5), warm-started from the
                              last probe's vector; the first probe runs 4 times as many */
    double c;              /* the rate is c times the stability edge (0 -> 0.5), > 0 */
    double lr_min, lr_max; /* clip of the rate (0 -> 1e-3 and 10 times the optimizer's base rate,
                              the opt->d.lr seen at the first call) */
    size_t probe_batch;    /* samples of the fixed probe batch (0 -> min(N, 256)); objectives without
                              samples use their full loss */
    int raw;               /* 1: ADAM/ADAMW/RMSPROP use the raw lambda of H (the rule of SGD) instead of
                              the preconditioned one */
    double scale;          /* multiplies the rate (0 -> 1); e.g. set between probes from a meta-model's
                              score of the run */
    uint64_t seed;         /* the probe batch and the first power-iteration vector */
} llp_pgo_desc;

/* A probe-guided rate controller. The rate it sets after probe j is
     lr_j = clip(scale * c * edge(lambda_j), lr_min, lr_max)
   with the stability edge of the optimizer on a quadratic of top curvature
   lambda (the rate at which it stops converging, the optimizer's settings
   frozen):
     SGD         edge = 2 / lambda
     MOMENTUM    edge = (2 + 2 beta) / lambda                  (heavy ball, PyTorch's form)
     NESTEROV    edge = (2 + 2 beta) / ((1 + 2 beta) lambda)  (PyTorch's nesterov=True form: the
                 characteristic polynomial z^2 - (1 + beta)(1 - a) z + beta (1 - a), a = lr lambda,
                 has a root at -1 there)
     RMSPROP     edge = 2 / lambda_P
     ADAM/ADAMW  edge = (2 + 2 beta1) / ((1 - beta1) lambda_P)  (Cohen et al. 2022, "Adaptive gradient
                 methods at the edge of stability": with v frozen, Adam is heavy ball with step
                 lr (1 - beta1) and momentum beta1 on the preconditioned problem)
   where lambda_P is the top eigenvalue of P^-1 H, P = diag(sqrt(v_hat) + eps)
   the optimizer's current preconditioner (v_hat = v / (1 - beta2^t);
   RMSprop: sqrt(s) + eps), computed as that of the symmetric D H D,
   D = P^-1/2. With c = 0.5 and SGD this is lr = 1 / lambda, the step that
   minimises the loss along the top eigenvector of a quadratic.
   The preconditioner does not exist before the first step (v = 0), so the
   preconditioned kinds keep the base rate until step `every`.
   Probe: LAMBDA_MAX runs `iters` power iterations v <- M v / ||M v|| (M = H,
   or D H D), warm-started from the previous probe's vector, and takes the
   last Rayleigh quotient; a few warm iterations track lambda_max as it
   drifts (an underestimate when they have not converged, so the rate errs
   high: keep c below 1). GHG takes the gradient g on the probe batch and
   lambda = g^T M g / g^T g (M g with D applied to g in the preconditioned
   case), the curvature along the direction the step actually takes for
   SGD; it is at most lambda_max. Power iteration finds the eigenvalue of
   largest magnitude: when that one is negative, as many iterations more on
   M - lambda_dom I (spectrum >= 0) find the top one. When no positive
   curvature is found (lambda <= 0, or the shifted iterations did not
   converge), the rate is left as it was: a probe that cannot tell never
   raises it. The probes use one fixed batch (probe_batch samples drawn once by
   a seeded permutation), so successive estimates differ by the change of
   theta, not by batch noise.
   Use: llp_pgo_init, then either set a trainer's td.before_step =
   llp_pgo_before_step and td.before_ctx = &pgo, or call llp_pgo_before_step
   before each llp_opt_step of your own loop; it writes opt->d.lr, so any
   schedule of the optimizer multiplies the rate it sets.
   Cost: per probe, iters HVPs (the first 4 iters) or 1 gradient and 1 HVP,
   on probe_batch samples; counted in pgo->evals, and in pgo->sample_cost in
   gradient evaluations of one sample (HVP 2, gradient 1, times the batch's
   samples), the unit in which it compares with training steps of a given
   batch size. Caveats: a trajectory resumed from a checkpoint does not
   carry the warm-start vector, so it is not bit-identical to an unbroken
   run; the stability edges are those of a quadratic with the optimizer's
   state frozen, and mini-batch noise lowers the edge in practice. The clip
   often decides: on the digits MLP (examples/pgo_compare) the unclipped
   rate of momentum and Adam stayed above 10 times the base rate all run,
   so the controller acted as a constant rate of lr_max, and on diabetes
   momentum diverged with or without it. The default probes (5 HVPs on 256
   samples every 10 steps) cost about 8 gradients of a 32-sample batch per
   training step: raise every or lower probe_batch to make them cheap. */
typedef struct llp_pgo {
    llp_pgo_desc d;        /* settings with defaults resolved (lr_min/lr_max after the first call) */
    size_t n, n_samples;
    size_t *probe_idx;     /* (probe_batch) sample indices, or NULL for the full objective */
    size_t n_probe;        /* samples in the probe batch */
    llp_real *v, *w, *g, *t; /* warm-start vector, scratch, gradient or D, scratch */
    double base_lr;        /* opt->d.lr at the first call (NaN before) */
    double lambda;         /* the last estimate (NaN before the first probe) */
    double lr;             /* the last rate set (NaN before) */
    uint64_t probes;       /* probes made */
    llp_evals evals;
    double sample_cost;    /* see above */
    llp_rng rng;
} llp_pgo;

/* Prepare a controller for training `train` (its n and samples). d may be
   NULL (defaults). Allocates 4 n reals and the probe batch's indices.
   LLP_ERR_ARG for NULLs, n == 0, c < 0, lr_min > lr_max (both given), scale
   < 0 or a bad probe kind; LLP_ERR_NOMEM. Free with llp_pgo_free. */
LLPDEF llp_result llp_pgo_init(llp_pgo *p, const llp_pgo_desc *d, const llp_objective *train);
/* The llp_prestep_fn: ctx is the llp_pgo. Probes when step % every == 0
   (see the doc above) and sets opt->d.lr; between probes it leaves the rate
   as it is. LLP_ERR_SHAPE when the objective's n differs from the
   controller's; LLP_ERR_NONFINITE for a NaN/Inf probe (the rate is then
   left as it was); objective errors. */
LLPDEF llp_result llp_pgo_before_step(void *ctx, llp_opt *opt, const llp_objective *train, const llp_real *theta,
                                      const llp_batch *batch, uint64_t step);
/* The stability edge above for an optimizer with settings d and top
   curvature lambda (> 0; raw or preconditioned as the kind needs), with
   defaults resolved as llp_opt_init does. NaN for lambda <= 0 or NaN. */
LLPDEF double llp_pgo_edge(const llp_opt_desc *d, double lambda);
LLPDEF void llp_pgo_free(llp_pgo *p);

/* ---- rank statistics and the meta-model -------------------------------------
   A hyperparameter selector trains many configurations briefly ("snoops"
   them), measures cheap probe features, and wants to know which
   configurations will be best after full training. The meta-model learns
   that map from a plain feature matrix X (one row per configuration, one
   column per probe feature) to the outcome y of full training (a validation
   loss, lower is better) or to a promising/not 0/1 label, so that only the
   most promising few are trained in full. The rank statistics say how well
   predictions order configurations, which is what a selector needs: they
   are used by the cross-validation below, by the selector and the examples.

   Conventions of the rank statistics (llp_rank_*):
     - they are pure functions of the arrays; pairs (x_i, y_i) with a NaN in
       either entry are dropped; +-Inf are ordinary (extreme) values;
     - NaN when fewer than 2 pairs remain, when an argument is NULL or out of
       range, when the statistic is undefined (a constant variable), or when
       the O(n) scratch they allocate cannot be had (LLP_MALLOC failure);
     - ties are handled exactly as stated for each; the results do not
       depend on the order of the pairs (up to the rounding of the final
       sums). */

/* Spearman's rank correlation (Spearman 1904): Pearson's correlation of the
   ranks, ties given their average rank (mid-ranks, as
   scipy.stats.spearmanr):
       rho = sum (r_i - rbar)(s_i - sbar) / sqrt(sum (r_i - rbar)^2 sum (s_i - sbar)^2),
   r, s the average ranks (1-based) of x and y among the kept pairs. Without
   ties this is 1 - 6 sum d_i^2 / (m (m^2 - 1)), m kept pairs. +1 for any strictly
   increasing relation, -1 for a decreasing one; NaN when x or y is constant.
   Cost O(n log n) (merge sort); allocates O(n). Invariant to every strictly
   increasing transform of x or of y (log of a loss changes nothing). */
LLPDEF double llp_rank_spearman(const double *x, const double *y, size_t n);

/* Kendall's tau-b (Kendall 1945, "The treatment of ties in ranking
   problems"):
       tau_b = (C - D) / sqrt((n0 - n1)(n0 - n2)),
   over the m kept pairs: n0 = m (m - 1) / 2 pairs of pairs, C / D the
   concordant / discordant ones (sign(x_i - x_j) sign(y_i - y_j) = +1 / -1),
   n1 = sum over groups of tied x of t (t - 1) / 2, n2 the same for y. Pairs
   tied in x or y count in neither C nor D. Computed by Knight's (1966, "A
   computer method for calculating Kendall's tau with ungrouped data")
   O(n log n) algorithm: sort by (x, y), count the ties n1 and the joint ties
   n3, count the discordant pairs D as the exchanges a merge sort of the y
   sequence makes, count n2; then C - D = n0 - n1 - n2 + n3 - 2 D. Counts
   are exact integers (uint64). NaN when x or y is constant. Cost O(n log n);
   allocates O(n). */
LLPDEF double llp_rank_kendall(const double *x, const double *y, size_t n);

/* Top-k recall of a ranking (lower is better for both arrays, as for
   losses): with m kept pairs and k = max(1, ceil(frac m)) (the product is
   taken with a relative slack of 1e-9, so that 0.28 * 25, which is
   7.000000000000001 in double, gives 7, not 8),
       recall = |T_k(pred) intersect T_k(truth)| / k,
   T_k(v) the k indices with the smallest v. Ties at the k-th value are
   broken uniformly at random, independently for pred and truth, and the
   EXPECTED recall is returned (a deterministic number): with t the k-th
   smallest value of v, index i belongs to T_k(v) with probability p_i = 1
   when v_i < t, (k - #{v < t}) / #{v = t} when v_i = t, and 0 otherwise, so
       recall = sum_i p_i(pred) p_i(truth) / k.
   A constant pred (a model that predicts nothing) thus scores k / m, the
   chance level, not 1. 1 when the best k are found exactly; the chance
   level of a random ranking is k / m. frac must be in (0, 1] (else NaN).
   Cost O(n log n); allocates O(n). */
LLPDEF double llp_rank_topk_recall(const double *pred, const double *truth, size_t n, double frac);

/* ---- the meta-model ----------------------------------------------------------
   An ensemble of E small llprobe MLPs (llp_mlp, the library's engine), each
   trained by full-batch Adam (llp_opt_step on llp_mlp_objective_get) from
   its own random initialisation, predictions averaged (deep ensembles,
   Lakshminarayanan, Pritzel & Blundell 2017: averaging members from
   different seeds removes much of the variance a tiny data set gives one
   network). Learning the final performance from early or cheap measurements
   is the performance prediction of Baker, Gupta, Raskar & Naik (2017,
   "Accelerating neural architecture search using performance prediction")
   and of learning-curve extrapolation (Domhan, Springenberg & Hutter 2015).

   Preprocessing, all from the rows used in the fit (rows with a finite
   target):
     - features: x' = (x - mean_j) / sd_j, mean and population sd of column j
       over its finite entries. NaN and +-Inf entries (a diverged snoop gives
       them) are IMPUTED with the column mean, i.e. x' = 0, in training and
       in prediction alike. A column whose sd is <= 1e-12 max|x_j| (constant
       up to rounding) or that has fewer than 2 finite entries is IGNORED:
       its x' is 0 for every row, in prediction too (x_sd records 0).
       Standardised values are clipped to +-1e6, so that an extreme finite
       value cannot overflow a float llp_real (tanh saturates long before). This
       differs from llp_data_standardize (std 1, centred): a centred column
       that was constant in training would feed values its weights never saw
       at prediction time;
     - regression targets: t = (y - y_mean) / y_sd (population sd), the MSE
       loss on t; predictions are returned in y's units, y_mean + y_sd f. A
       constant target (sd <= 1e-12 max|y|) gives y_sd = 0: every
       prediction is y_mean;
     - classification: y must be 0 or 1 (LLP_ERR_LABEL otherwise); one
       logit output and the library's binary cross-entropy on logits
       (LLP_LOSS_BCE); a prediction is the ensemble mean of the members'
       sigmoid probabilities of class 1;
     - rows whose target is NaN or +-Inf are left out of the fit (n_dropped
       counts them); fewer than 2 rows left: LLP_ERR_EMPTY.
   Regularisation: L2 weight decay lambda/2 ||W||^2 on the weights (not the
   biases) inside the MLP loss (llp_mlp_desc.weight_decay; with Adam this is
   the coupled L2 of Adam, not AdamW). The default 1e-3 is mild, chosen on
   the synthetic task of the tests (6 features, target sin(z0) + z1^2/2 -
   z0 z2, 200 rows, 5-fold CV R^2): 0.925 without decay, 0.946 at 1e-3,
   0.918 at 1e-2, 0.62 at 1e-1. It does NOT stop the network from fitting
   noise: on a pure-noise target (120 rows) CV R^2 is -0.96 without decay,
   -1.4 at 1e-3, -0.05 at 1e-1; a negative CV R^2 is the sign to look for.
   The ensemble helps most on few rows: the same task on 40 rows gives CV
   R^2 0.34 (Spearman 0.51) for one member and 0.36 (0.53) for five, mean
   of 5 seeds; on 200 rows both give 0.945.
   Caveats: the model sees only what the features carry, and a few dozen
   rows support only a rough fit (above); check llp_meta_cv before
   trusting it. Heavy-tailed targets (losses spanning decades, diverged
   runs at 1e30) dominate the MSE and the standardisation: pass log(loss)
   (the rank statistics are unchanged by it) and give diverged runs a
   finite, bad value or NaN (dropped). The training of the meta-model is not
   the training of a candidate network: its evaluations belong to no
   selector's budget, but they are reported (steps, evals). */

typedef struct llp_meta_desc {
    size_t hidden;         /* units per hidden layer (0 -> 16) */
    int layers;            /* hidden layers (0 -> 1), 1 .. LLP_MAX_LAYERS - 1 */
    llp_act act;           /* hidden activation (DEFAULT: tanh) */
    double weight_decay;   /* L2 lambda of the MLP (0 -> 1e-3; < 0: none) */
    size_t steps;          /* full-batch Adam steps per member (0 -> 2000) */
    double lr;             /* Adam learning rate, constant (0 -> 1e-2), >= 0 */
    size_t ensemble;       /* members E (0 -> 5) */
    uint64_t seed;         /* member j's initial weights: the (j+1)-th llp_mlp_randomize from llp_rng_seed(seed) */
    llp_task task;         /* AUTO (0) or REGRESSION: regression; CLASSIFICATION: 0/1 labels */
} llp_meta_desc;

/* A fitted meta-model (free with llp_meta_free). */
typedef struct llp_meta_model {
    size_t d;              /* features */
    llp_task task;         /* REGRESSION or CLASSIFICATION */
    size_t members;        /* E */
    llp_mlp net;           /* the members' architecture (net.theta is not used) */
    llp_real *theta;       /* (members, net.n_params) row-major: member j's parameters */
    double *x_mean;        /* (d) column means over the fitted rows' finite entries */
    double *x_sd;          /* (d) column sds; 0: the column is ignored */
    double y_mean, y_sd;   /* regression target standardisation (classification: 0, 1) */
    size_t n_fit;          /* rows used (finite target) */
    size_t n_dropped;      /* rows left out (NaN/Inf target) */
    size_t steps;          /* Adam steps per member */
    double train_loss;     /* mean over the members of the final full-batch training loss
                              (standardised MSE or BCE, weight decay included) */
    llp_evals evals;       /* grad: members * steps (one full-batch gradient per step);
                              loss: members (the final training loss) */
    void *block;           /* the x_mean / x_sd allocation */
} llp_meta_model;

/* Fit the meta-model to X: (n, d) row-major features and y: (n) targets.
   desc may be NULL (defaults). Member j (j = 0 .. E-1) is initialised by
   llp_mlp_randomize (Glorot for tanh) with one rng seeded from desc->seed,
   members drawn in order, then trained by `steps` full-batch Adam steps
   (beta 0.9, 0.999, eps 1e-8, constant lr) on all the fitted rows. Same
   inputs and settings give the same bits.
   Cost: E * steps gradient evaluations over n_fit rows plus E loss
   evaluations; with the defaults 10000 gradients of a d-16-1 network,
   about 0.25 s for 200 rows (one core, -O2). Allocates the
   model and, during the fit, an llp_data copy of the standardised rows.
   Errors: LLP_ERR_ARG for NULL X / y / m, n < 2, d = 0, d or hidden beyond
   INT_MAX, bad settings (negative or NaN lr, layers outside 0 ..
   LLP_MAX_LAYERS - 1, an unknown task or activation); LLP_ERR_LABEL for a
   classification target that is finite but not 0 or 1; LLP_ERR_EMPTY when
   fewer than 2 rows have a finite target; LLP_ERR_NONFINITE when training
   produced a NaN/Inf loss or gradient (lower lr); LLP_ERR_NOMEM. m is
   written only on success. */
LLPDEF llp_result llp_meta_fit(const double *X, const double *y, size_t n, size_t d, const llp_meta_desc *desc,
                               llp_meta_model *m);
/* out: (n) predictions for X: (n, m->d) rows: regression, the target in y's
   units; classification, the probability of class 1. NaN/Inf features are
   imputed (x' = 0), so every prediction is finite. Cost: E forward passes
   per row; allocates O(n + members' work). LLP_ERR_ARG for NULLs, n = 0 or
   an unfitted model; out is written only on success. */
LLPDEF llp_result llp_meta_predict(const llp_meta_model *m, const double *X, size_t n, double *out);
/* Free and zero. Safe on a zeroed struct. */
LLPDEF void llp_meta_free(llp_meta_model *m);

/* ---- k-fold cross-validation of the meta-model ------------------------------ */
typedef struct llp_meta_cv_result {
    size_t n, folds;       /* rows, folds */
    double *pred;          /* (n) out-of-fold prediction of every row (finite) */
    size_t *fold;          /* (n) the fold of every row, 0 .. folds-1 */
    size_t n_scored;       /* rows with a finite target: the rows every metric uses */
    /* regression metrics of pred against y (classification: of the probability
       against the 0/1 label, so rmse^2 is the Brier score) */
    double r2;             /* 1 - SSE / SST, SST about the mean of the scored y (NaN when SST = 0);
                              0 for predicting the mean, negative when worse */
    double rmse, mae;
    double spearman;       /* llp_rank_spearman(pred, y) */
    double kendall;        /* llp_rank_kendall(pred, y) */
    size_t top_k;          /* k = max(1, ceil(top_frac n_scored)) */
    double top_frac;
    double top_recall;     /* regression: llp_rank_topk_recall(pred, y, top_frac); classification NaN */
    double top_precision;  /* classification: share of label 1 among the k rows of highest probability
                              (expected value under random tie-breaking); regression NaN */
    double accuracy;       /* classification: share of rows with (p > 0.5) == label; regression NaN */
    llp_estimate fold_r2;       /* R^2 within each fold: mean and s.e. over the folds */
    llp_estimate fold_spearman; /* Spearman within each fold, likewise (NaN folds skipped) */
    size_t steps;          /* Adam steps of all fits (folds * E * steps) */
    llp_evals evals;       /* of all fits: grad = steps, loss = folds * E */
    void *block;
} llp_meta_cv_result;

/* k-fold cross-validation (Stone 1974): the rows are permuted once by
   llp_rng_permutation(rng, ., n) and cut into `folds` contiguous blocks of
   the permutation, block f = positions floor(f n / folds) .. floor((f+1) n
   / folds) - 1 (sizes differ by at most 1); every row is predicted by the
   model llp_meta_fit fits on the rows of the other folds (same desc, hence
   the same member seeds in every fold). The metrics compare the
   out-of-fold predictions with y over the rows with a finite y (rows with
   a NaN/Inf y are still predicted, and left out of every fit and metric).
   Lower y is better (losses) for top_recall; in classification label 1 is
   "promising" and top_precision reads the highest probabilities.
   folds: 0 -> min(5, n), else 2 .. n. top_frac: 0 -> 0.1, in (0, 1].
   rng: required; advanced by one permutation of n.
   Cost: `folds` fits, i.e. folds * E * steps gradient evaluations over
   about (folds - 1) / folds of the rows each, plus n * E forward passes
   (about 1 s with the defaults on 200 rows, 5 folds). steps and evals
   count the fits; the prediction passes are not objective evaluations and
   are not counted.
   Caveats: the pooled R^2 mixes folds, the fold estimates show their
   spread; with few rows the numbers are noisy (s.e. of a Spearman rho on m
   rows is about 1/sqrt(m)). Errors: LLP_ERR_ARG for NULLs, n < 2, d = 0,
   folds = 1 or > n, top_frac outside (0, 1], bad desc settings; the errors
   of llp_meta_fit (LLP_ERR_EMPTY when a training part has fewer than 2
   finite targets). res is written only on success. */
LLPDEF llp_result llp_meta_cv(const double *X, const double *y, size_t n, size_t d, size_t folds,
                              const llp_meta_desc *desc, double top_frac, llp_rng *rng, llp_meta_cv_result *res);
/* Free and zero. Safe on a zeroed struct. */
LLPDEF void llp_meta_cv_free(llp_meta_cv_result *res);

/* ---- hyperparameter spaces, samplers and multi-fidelity schedules ----------
   The layer a hyperparameter search is built on: a space of hyperparameters
   (each a range or a list of choices), its decoding from the unit cube, three
   deterministic designs over it (grid, random, Latin hypercube), the mapping
   of one configuration onto the MLP, optimizer and trainer descriptors, a
   one-line text form, and the resource schedules of successive halving and
   Hyperband. Nothing here evaluates an objective: every function costs zero
   loss, gradient and HVP evaluations (so no result carries an llp_evals; the
   budget of a search is what its training runs spend, see the schedules).

   The unit cube. Every design is first a set of points u in [0, 1)^D (one
   coordinate per dimension of the space, in the space's dimension order)
   and then decoded, dimension by dimension, by llp_hp_decode:
     linear range     v = lo + u (hi - lo)
     log range        v = lo exp(u ln(hi / lo))    (= exp(ln lo + u (ln hi - ln lo)),
                                                    written so u = 1/2 gives the
                                                    geometric mean to a few ulps)
     integer, linear  v = floor(lo + u (hi - lo + 1)): each of the hi - lo + 1
                      integers is the image of an interval of u of length
                      1 / (hi - lo + 1), so a uniform u makes them equally likely
     integer, log     v = floor(lo exp(u ln((hi + 1) / lo))): the log-uniform law
                      on [lo, hi + 1) floored, so P(v = k) = ln((k+1)/k) / ln((hi+1)/lo)
                      (the integer analogue of a log axis: P(v = 1) = P(64 <= v <= 127))
     choices          v = choice[floor(u count)]
   each clamped to [lo, hi] (or the last choice), since rounding at u -> 1 may
   land one ulp or one integer beyond. So a uniform u gives the uniform (or
   log-uniform) law on every dimension, and every design below is a design
   over that law: grid, random search and a Latin hypercube of the same
   space sample the same distribution, which is what a comparison of search
   strategies at equal compute needs.

   Which descriptor field each key sets: see llp_hp_apply. */

/* The hyperparameters a space can vary. */
typedef enum llp_hp_key {
    LLP_HP_LR = 0,       /* opt->lr, > 0 (usually a log range) */
    LLP_HP_WEIGHT_DECAY, /* opt->weight_decay, >= 0 (log range, or choices with 0) */
    LLP_HP_MOMENTUM,     /* opt->momentum (MOMENTUM, NESTEROV) or opt->beta1 (ADAM, ADAMW), in [0, 1) */
    LLP_HP_BATCH_SIZE,   /* train->batch_size, integer >= 1 */
    LLP_HP_WIDTH,        /* every hidden layer's size, integer in [1, 2^24] */
    LLP_HP_DEPTH,        /* number of hidden layers, integer in [0, LLP_MAX_LAYERS - 1] */
    LLP_HP_INIT_SCALE,   /* mlp->init_scale, > 0 */
    LLP_HP_OPTIMIZER,    /* opt->kind: categorical, choices are llp_opt_kind values */
    LLP_HP_KEYS          /* number of keys */
} llp_hp_key;

typedef enum llp_hp_scale { LLP_HP_LINEAR = 0, LLP_HP_LOG = 1 } llp_hp_scale;

#define LLP_HP_MAX_CHOICES 16       /* choices of one categorical dimension */
#define LLP_HP_MAX_LEVELS (1 << 24) /* grid levels per dimension */

/* One dimension: a range [lo, hi] (linear or log, optionally integers) or,
   when n_choices > 0, an explicit list of values (categorical: optimizer
   kinds; or a fixed list such as batch sizes {16, 32, 64, 128}). Zero-
   initialise and set what you need. Rules (llp_hp_space_validate):
     - range: lo, hi finite, lo <= hi (lo == hi: a constant); LOG needs lo > 0;
       integer needs integral lo and hi with hi - lo < 2^53; BATCH_SIZE, WIDTH
       and DEPTH ranges must set `integer`; OPTIMIZER must use choices;
     - choices: 1..LLP_HP_MAX_CHOICES distinct values, and lo, hi, scale,
       integer left zero (a dimension is a range or a list, never both);
     - every value the dimension can produce lies in its key's domain (see
       llp_hp_key): for a range it is enough that lo and hi do. */
typedef struct llp_hp_dim {
    llp_hp_key key;
    llp_hp_scale scale; /* range: LINEAR or LOG */
    int integer;        /* range: nonzero = integers only */
    double lo, hi;      /* range: both ends included (integers) or reachable in the limit */
    size_t n_choices;   /* > 0: categorical, the value is one of choice[0..n_choices-1] */
    double choice[LLP_HP_MAX_CHOICES];
} llp_hp_dim;

/* A space: n_dims (1..LLP_HP_KEYS) dimensions, each key at most once. The
   dimension order is the order of unit-cube coordinates and of the grid. */
typedef struct llp_hp_space {
    size_t n_dims;
    llp_hp_dim dim[LLP_HP_KEYS];
} llp_hp_space;

/* A configuration: value[k] is meaningful when bit k of `set` is on (the
   space sets key k); the decoders write 0 into the other values. Keys that
   are not set keep the base descriptors' values in llp_hp_apply. */
typedef struct llp_hp_config {
    double value[LLP_HP_KEYS];
    unsigned set; /* bit k (1u << k): key k set */
} llp_hp_config;

/* Short names, also the tokens of llp_hp_format: "lr", "wd", "momentum",
   "batch", "width", "depth", "init", "opt"; "unknown" otherwise. */
LLPDEF const char *llp_hp_key_name(llp_hp_key k);

/* Check a space against the rules of llp_hp_dim. LLP_OK, or LLP_ERR_ARG with
   err->message (err may be NULL; it is cleared first) naming the dimension,
   its key and the rule broken — e.g. "dimension 1 (wd): log scale needs
   lo > 0 (lo = 0)". Every function taking a space runs this first. */
LLPDEF llp_result llp_hp_space_validate(const llp_hp_space *s, llp_error *err);

/* Check a configuration: no bits beyond LLP_HP_KEYS, every set value in its
   key's domain (integral where the key is an integer, a valid llp_opt_kind
   for OPTIMIZER). LLP_OK or LLP_ERR_ARG. A configuration with nothing set
   is valid (it applies the bases unchanged). */
LLPDEF llp_result llp_hp_config_validate(const llp_hp_config *c);

/* u: (s->n_dims) unit-cube coordinates, each in [0, 1), in dimension order ->
   *out (the decoding rules at the top of this section). LLP_ERR_ARG for a bad
   space or a u outside [0, 1) (NaN included); *out untouched on error. */
LLPDEF llp_result llp_hp_decode(const llp_hp_space *s, const double *u, llp_hp_config *out);

/* The inverse of llp_hp_decode, for features of a configuration (e.g. a
   meta-model's inputs): u: (s->n_dims) out, in [0, 1).
     linear    (v - lo) / (hi - lo)       (0.5 when lo == hi)
     log       ln(v / lo) / ln(hi / lo)   (0.5 when lo == hi)
     integer   the centre of v's interval of u: (v - lo + 1/2) / (hi - lo + 1),
               log: ln(sqrt(v (v + 1)) / lo) / ln((hi + 1) / lo)
     choices   (index + 1/2) / count
   (a u of 1, from v = hi on a continuous range, is written as 1 - 2^-53).
   decode(encode(c)) == c exactly for integer and categorical keys and to
   rounding (a few ulps) for continuous ones. LLP_ERR_ARG when c does not set
   exactly the space's keys, or a value is outside its dimension (not a
   listed choice, outside [lo, hi], not an integer); u untouched on error. */
LLPDEF llp_result llp_hp_encode(const llp_hp_space *s, const llp_hp_config *c, double *u);

/* Grid design: the Cartesian product of per-dimension levels.
     - a continuous range (lo < hi) gets `levels` points at the cell centres
       u = (i + 1/2) / levels, i = 0..levels-1, decoded: on a log axis they
       are geometric (ratio (hi/lo)^(1/levels), first lo (hi/lo)^(1/(2 levels)));
     - an integer range with hi - lo + 1 <= levels values gets every integer
       lo..hi; a larger one the decoded centres (distinct on a linear axis; on
       a log axis, near lo the centres are denser than the integers and the
       repeats are merged, so that dimension may get fewer than `levels`
       values);
     - a categorical dimension gets every choice in listed order, whatever
       `levels` is; a constant range (lo == hi) gets one value.
   Cell centres, not endpoints: each grid point then stands for an equal-
   probability cell of the law random search samples (the grid is the
   midpoint rule of that law, 1 level = its median), the points stay inside
   the half-open cube the decoders take, and a coarse log grid does not spend
   two of its few points on the extremes, which are the likeliest to diverge
   or underfit.
   Order: the LAST dimension varies fastest (row-major, as llp_grid_search):
   configuration t has level index i_d = (t / prod_{e > d} count_e) mod count_d.
   Output: out NULL: only *count (the product, overflow-checked) is written.
   Else out must hold cap >= *count configurations; cap too small gives
   LLP_ERR_ARG with nothing written (query first). levels in 1..LLP_HP_MAX_LEVELS
   (LLP_ERR_ARG otherwise, also for a product that overflows size_t).
   Allocates sum_d count_d doubles (LLP_ERR_NOMEM). Time: O(total) plus
   O(levels) per log-integer dimension. (A continuous range only a few ulps
   wide may decode two centres to the same double; they are kept, so the
   count never depends on rounding.) */
LLPDEF llp_result llp_hp_grid(const llp_hp_space *s, size_t levels, llp_hp_config *out, size_t cap, size_t *count);

/* Random design (Bergstra & Bengio 2012): n configurations, u iid uniform
   on [0, 1)^D, one llp_rng_uniform per coordinate in the order point 0
   dimension 0, point 0 dimension 1, ..., point 1 dimension 0, ...; so the
   first k points of a longer run with the same seed are the k-point run.
   out: (n). n >= 1. */
LLPDEF llp_result llp_hp_random(const llp_hp_space *s, size_t n, llp_rng *rng, llp_hp_config *out);

/* Latin hypercube on the unit cube (McKay, Beckman & Conover 1979): n points
   in `dims` dimensions, u: (n, dims) row-major out. Each dimension's [0, 1)
   is split into n strata [k/n, (k+1)/n) and holds exactly one point per
   stratum: u[j][d] = (pi_d(j) + x_jd) / n with pi_d an independent uniform
   random permutation of 0..n-1 per dimension and x_jd uniform on [0, 1)
   (jitter within the stratum). Every margin is thus a stratified sample:
   each one-dimensional mean has variance no larger than random sampling's
   for monotone functions, and a categorical dimension with c choices gets
   each choice floor(n/c) or ceil(n/c) times. Rounding never moves a point
   out of its stratum: floor(u n) == pi_d(j) and u < 1 are enforced by
   moving u a few ulps with nextafter (k + x may round to k + 1, and
   fl(fl(k/n) n) may be below k). Stream: for d = 0..dims-1,
   llp_rng_permutation(n) then n uniforms (j = 0..n-1). Allocates n size_t.
   n, dims >= 1. */
LLPDEF llp_result llp_hp_lhs_unit(size_t n, size_t dims, llp_rng *rng, double *u);

/* Latin hypercube over a space: llp_hp_lhs_unit(n, s->n_dims) decoded
   (same rng stream, so same bits as decoding llp_hp_lhs_unit's points).
   out: (n). Allocates n (dims + 1) words. */
LLPDEF llp_result llp_hp_lhs(const llp_hp_space *s, size_t n, llp_rng *rng, llp_hp_config *out);

/* Apply a configuration: copy the bases to the outputs, then set
     LR            opt->lr
     WEIGHT_DECAY  opt->weight_decay — the OPTIMIZER's decay (coupled L2 in
                   the gradient for SGD/MOMENTUM/NESTEROV/RMSPROP/ADAM,
                   decoupled lr wd theta for ADAMW), NOT the MLP's L2 term
                   mlp->weight_decay (kept as the base has it): the objective
                   then is the same function for every configuration, so
                   training and validation losses stay comparable between
                   configurations (with the MLP's term, wd would change the
                   loss being measured). Note the meaning of a given wd still
                   differs between ADAMW and the others.
     MOMENTUM      opt->momentum for MOMENTUM and NESTEROV, opt->beta1 for
                   ADAM and ADAMW, ignored for SGD and RMSPROP (this library's
                   RMSprop has no momentum); the kind is the one after
                   OPTIMIZER is applied. A value of 0 is written as DBL_MIN
                   (2.2e-308), because a 0 in llp_opt_desc means "default
                   0.9": the step then differs from exact zero momentum by at
                   most DBL_MIN |u|, below any rounding of a normal-range step.
     BATCH_SIZE    train->batch_size
     WIDTH, DEPTH  the hidden layers: inputs sizes[0] and outputs
                   sizes[base n_layers] kept from base_mlp; depth D (DEPTH, or
                   the base's hidden count n_layers - 1) hidden layers, each of
                   width W (WIDTH, or the base's first hidden width sizes[1]);
                   n_layers = D + 1, sizes beyond zeroed. layer_act overrides
                   of the first min(D, base hidden count) hidden layers are
                   kept, the others set to DEFAULT (the base's act). When
                   neither key is set the base architecture is copied as is
                   (unequal widths included); with D = 0 (a linear model) a
                   WIDTH is accepted and has nothing to set.
     INIT_SCALE    mlp->init_scale
     OPTIMIZER     opt->kind
   A (base, out) pair: out NULL skips that descriptor, and is LLP_ERR_ARG
   when c sets a key it owns (mlp: WIDTH, DEPTH, INIT_SCALE; opt: LR,
   WEIGHT_DECAY, MOMENTUM, OPTIMIZER; train: BATCH_SIZE). base_opt or
   base_train NULL means the all-zero (all-defaults) descriptor; base_mlp is
   required when mlp is requested (it gives the inputs and outputs) and must
   have n_layers in 1..LLP_MAX_LAYERS. An output may alias its base.
   LLP_ERR_ARG for an invalid c (llp_hp_config_validate), a depth > 0 with no
   width (WIDTH unset and a base without hidden layers), and the above;
   nothing is written on error. The outputs are not otherwise validated:
   llp_mlp_init / llp_opt_init / llp_trainer_init still check them. */
LLPDEF llp_result llp_hp_apply(const llp_hp_config *c, const llp_mlp_desc *base_mlp, const llp_opt_desc *base_opt,
                               const llp_train_desc *base_train, llp_mlp_desc *mlp, llp_opt_desc *opt,
                               llp_train_desc *train);

/* One deterministic line of the set keys in key order, separated by single
   spaces: "lr=0.001 wd=1e-05 momentum=0.9 batch=32 width=64 depth=2 init=1
   opt=adam". Continuous keys %.6g; integer keys (batch, width, depth) as
   integers (%.0f, so width=16777216 is not cut to 1.67772e+07); opt as
   llp_opt_name (a value that is no llp_opt_kind: %.6g). Bits beyond the keys
   are ignored; nothing set gives "". snprintf semantics: writes at most
   len - 1 characters and a NUL (buf may be NULL when len is 0), returns the
   full length. c NULL: "" and 0. */
LLPDEF size_t llp_hp_format(const llp_hp_config *c, char *buf, size_t len);

/* ---- successive halving and Hyperband (schedules only: no training) ------ */

#define LLP_HP_MAX_RUNGS 64    /* n < 2^64 and eta >= 2 give at most 64 rungs */
#define LLP_HP_MAX_BRACKETS 32 /* Hyperband: s_max <= 31 */

typedef struct llp_hp_rung {
    size_t n; /* configurations trained in this rung */
    double r; /* resource each is trained to (units of r and R: steps, epochs, ...) */
} llp_hp_rung;

typedef struct llp_hp_sh_schedule {
    size_t n_rungs;
    llp_hp_rung rung[LLP_HP_MAX_RUNGS];
    double total;        /* sum_i n_i r_i: every rung trains its survivors from scratch */
    double total_resume; /* sum_i n_i (r_i - r_{i-1}), r_{-1} = 0: survivors resume */
} llp_hp_sh_schedule;

/* Successive halving in the form Hyperband runs it (Li, Jamieson, DeSalvo,
   Rostamizadeh & Talwalkar 2018, Algorithm 1 inner loop; after Jamieson &
   Talwalkar 2016): start n configurations at resource r, keep the best
   1/eta at every rung, multiply the resource by eta:
       rung i:  n_i = floor(n eta^-i)   configurations at   r_i = r eta^i,
   for i = 0, 1, ... as long as n_i >= 1 AND r_i <= R (1 + 1e-9); the first
   rung breaking either condition and all after it are dropped. The slack
   1e-9 keeps a rung whose r eta^i equals R up to rounding (r = 0.1,
   R = 0.3, eta = 3: 0.1 * 3 is 0.30000000000000004 in double). The best configuration of the last rung is the
   selection; when no r eta^i hits R the last rung trains to less than R.
   n_i is exact integer division (eta is an integer, eta^i an exact size_t),
   r_i = r * eta^i in double.
   Budget: `total` (from scratch) is the figure of Li et al.'s analysis;
   `total_resume` is what a run spends when survivors continue from their
   rung-(i-1) state, which llp_trainer_save/llp_trainer_load make exact: the
   selector that resumes should count total_resume, and report total when
   comparing with published budgets. Converting resource to gradient
   evaluations (steps x 1, x 2 with SAM) is the caller's job.
   eta: 0 -> 3, else >= 2. n >= 1, 0 < r <= R, finite. LLP_ERR_ARG otherwise;
   *out untouched on error. */
LLPDEF llp_result llp_hp_successive_halving(size_t n, double r, double R, unsigned eta, llp_hp_sh_schedule *out);

typedef struct llp_hp_hyperband_schedule {
    size_t s_max;                                    /* floor(log_eta(R / r)), by integer powers */
    size_t n_brackets;                               /* s_max + 1 */
    llp_hp_sh_schedule bracket[LLP_HP_MAX_BRACKETS]; /* bracket[j]: s = s_max - j, s + 1 rungs */
    double total, total_resume;                      /* sums over the brackets */
} llp_hp_hyperband_schedule;

/* Hyperband (Li et al. 2018, Algorithm 1) with minimum resource r, maximum R:
     s_max = floor(log_eta(R / r)) = the largest s with r eta^s <= R (1 + 1e-9),
             found by multiplying integer powers (floor(log(243)/log(3)) is 4
             in double arithmetic, not 5; this gives 5);
     bracket s = s_max, ..., 0:  n = ceil((s_max + 1) eta^s / (s + 1)) (exact
             integer arithmetic), r_s = R eta^-s, and a successive-halving run
             with rungs i = 0..s: n_i = floor(n eta^-i), r_i = R eta^-(s-i)
             (= r_s eta^i, written so the last rung is R exactly).
   For R = 81, eta = 3 (r = 1) this is Table 1 of Li et al. Each bracket's
   totals are as in llp_hp_successive_halving; a bracket's from-scratch total
   is at most about (s_max + 1) R (the paper's B). s_max > 31, or a
   (s_max + 1) eta^s_max overflowing size_t, is LLP_ERR_ARG; arguments as
   llp_hp_successive_halving (no n). *out untouched on error. */
LLPDEF llp_result llp_hp_hyperband(double r, double R, unsigned eta, llp_hp_hyperband_schedule *out);

/* ---- the snoop: cheap probes after a few training steps ---------------------
   A hyperparameter search that must decide which configurations deserve full
   training can look at each one briefly: run k steps of its own training
   (the snoop; k a small fraction of the full budget), then measure a few
   cheap numbers at the iterate theta_k and, for reference, at the
   initialisation theta_0. llp_snoop does both for one configuration (an MLP,
   its initial theta_0, data, optimizer and batch settings) and returns a
   fixed vector of features, indexed by llp_snoop_feature, for a meta-model
   to rank configurations with, and the exact compute it spent.

   The k steps are ordinary training: they run llp_trainer_run (max_steps = k)
   with the configuration's optimizer and batch size, so a selector that keeps
   the configuration continues from theta_k (returned in a separate buffer,
   which may be theta_0 itself for an update in place) and counts the k steps
   as part of the configuration's training, not as overhead. The optimizer's
   state (momenta, Adam's moments and step count) and the trainer's shuffling
   position are not in theta_k: ckpt_path saves the whole trainer after the k
   steps (llp_trainer_save), and a trainer set up on the same objective with
   the same optimizer settings and batch_size resumes it exactly by
   llp_trainer_load: it continues as the uninterrupted run would, its
   max_steps and epochs counting the snoop's k steps (checked bit for bit in
   the test).

   The probes after the k steps share one probe batch of P samples, drawn
   once (see llp_snoop_desc) and fixed for every curvature probe, so they
   measure one deterministic function (FIXED policy of section 10). Loss and
   gradient at theta_0 are on the same batch. The gradient noise scale is the
   exception: it draws its own mini-batches from all N samples, since it
   measures the spread of per-sample gradients.

   Features (NaN where not available; costs are calls of the objective on
   the probe batch unless said otherwise; eta is the optimizer's base rate
   od->lr, the peak rate when a schedule warms up or decays):
     LOSS0        L_P(theta_0): probe-batch loss at the initialisation. Loss
                  units (scales with the loss). Cost: the gradient at theta_0
                  (1 gradient), shared with GRAD_NORM0 and SNIP.
     LOSSK        L_P(theta_k). Loss units. Cost: 1 gradient, shared with
                  GRAD_RATIO and ETA_GHG.
     REL_DROP     (L0 - Lk) / L0: dimensionless, invariant to loss scaling;
                  its scale depends on the loss's offset (cross-entropy starts
                  near ln C, MSE near the target variance). Free.
     LOG_RATIO    ln(Lk / L0): as REL_DROP, but resolves a drop by orders of
                  magnitude; -inf when Lk = 0. Free.
     GRAD_RATIO   ||g_k|| / ||g_0||, probe-batch gradients: dimensionless
                  (loss scale and a global unit of theta cancel); +inf or NaN
                  when g_0 = 0. Free.
     DIST_REL     ||theta_k - theta_0|| / ||theta_0||: how far the snoop moved,
                  relative to the weights; dimensionless; NaN when theta_0 =
                  0. Free.
     ETA_LMAX     eta * lambda, lambda the largest Hessian eigenvalue at
                  theta_k (llp_power_iteration, FIXED probe batch, a Gaussian
                  start vector, at most power_iters iterations). Power
                  iteration finds the eigenvalue of largest MAGNITUDE; when
                  that one is negative (res->lambda_dom < 0: a strongly
                  concave direction, common for the preconditioned operator
                  below, whose small-v coordinates are magnified), a second
                  run of at most power_iters iterations on H - lambda_dom I
                  (all eigenvalues shifted up, the top one now dominant) gives
                  lambda = its result + lambda_dom. Either way lambda is a
                  Rayleigh quotient, so a lower bound of lambda_max,
                  converging at rate (lambda_2/lambda_1)^2 per iteration (of
                  the shifted values for the second run). eta
                  lambda is dimensionless under the joint rescaling (loss a L,
                  rate eta / a) that leaves gradient descent unchanged: 2 is the
                  stability edge of gradient descent on the local quadratic.
                  For Adam/RMSprop it is of the raw rate, which is NOT the
                  step's scale (their step is about eta per coordinate): read
                  ETA_LMAX_PRE for them. H is the loss's Hessian: a model's
                  weight decay (in the loss) is in it, the optimizer's
                  (od->weight_decay, which adds up to wd to the curvature the
                  steps see) is not. Cost: <= power_iters HVPs, <= 2
                  power_iters when lambda_dom < 0.
     ETA_LMAX_PRE eta * lambda of the optimizer's preconditioned Hessian
                  P^(1/2) H P^(1/2) (same eigenvalues as P H), with P the
                  preconditioner frozen at theta_k: RMSprop diag(1 / (sqrt(s) +
                  eps)), Adam/AdamW diag(1 / (sqrt(v / (1 - beta2^t)) + eps))
                  from the optimizer state after the k steps (Cohen et al.
                  2022, "Adaptive gradient methods at the edge of stability":
                  the preconditioned sharpness). For SGD, momentum and
                  Nesterov P = I and this equals ETA_LMAX (no extra cost).
                  Invariant to loss scaling while eps << sqrt(v). Largest
                  algebraic eigenvalue, found as for ETA_LMAX (the stream of
                  ETA_LMAX continued). Cost: <= power_iters HVPs (2
                  power_iters with the shift) for the adaptive optimizers.
     EDGE_RATIO   ETA_LMAX_PRE / edge, the edge being where the optimizer
                  becomes unstable on a quadratic of that curvature (frozen
                  preconditioner, constant rate, no SAM/clipping/decay):
                  SGD, RMSprop 2; heavy ball 2 + 2 beta; Nesterov (PyTorch's
                  form) (2 + 2 beta) / (1 + 2 beta); Adam/AdamW (2 + 2 beta1) /
                  (1 - beta1) (Adam as heavy ball at rate eta (1 - beta1), its
                  bias corrections -> 1). > 1: the sharpest direction found is
                  unstable at eta. Dimensionless, comparable across optimizers.
                  res->edge holds the edge. Free given ETA_LMAX_PRE.
     ETA_GHG      eta * ghat^T H ghat, ghat = g_k / ||g_k|| (curvature along the
                  probe gradient; one HVP). As ETA_LMAX; > 2: a gradient step
                  of rate eta rises on the local quadratic along ghat.
                  NaN when g_k = 0. Cost: 1 HVP.
     GHG_LMAX     ghat^T H ghat / lambda: how much the gradient lies in the
                  sharpest direction (Gur-Ari, Roberts, Dyer 2018); <= 1 up to
                  the power iteration's error; NaN unless lambda > 0. Free.
     B_OVER_BSIMPLE  B / B_simple = B mean(|G|^2 est) / mean(S est), B the
                  training batch size (N for full batch), from
                  llp_grad_noise_scale at theta_k (McCandlish et al. 2018;
                  finite-population corrected, the tool's default batch
                  sizes, noise_pairs pairs). > 1: the batch is beyond the
                  critical batch size. Written as the ratio B |G|^2 / S so it
                  stays defined (and goes through 0, then negative, when the
                  |G|^2 estimate does: the gradient signal is not resolved)
                  where B_simple itself is NaN; NaN when mean S <= 0.
                  Dimensionless, invariant to loss scaling. Cost: 2
                  noise_pairs gradients of B_small and B_big samples.
     NOISE_RATIO  u(B) mean(S) / mean(|G|^2), u(B) = (N - B) / (B (N - 1)):
                  E||G_B - G||^2 / ||G||^2, the noise-to-signal ratio of the
                  training step's own gradient (0 for full-batch training,
                  where B / B_simple is not). NaN when mean |G|^2 <= 0. Free
                  given the noise scale.
     SHARP_REL    (E_d L_P(theta_k + rho d) - L_P(theta_k)) / L_P(theta_k), d
                  uniform on the unit sphere (llp_sharpness_random, plain,
                  sharp_samples directions), rho = sharp_rho or by default
                  0.05 ||theta_k|| (each coordinate moves about 5% of the rms
                  weight: scale-aware, so configurations with different weight
                  scales are compared at the same relative perturbation).
                  Invariant to loss scaling; changes under reparametrisations
                  of theta (e.g. the ReLU rescaling). Cost: 1 + sharp_samples
                  loss-only evaluations.
     ETA_FD       eta * mean_d ||g(theta_k + eps d) - g(theta_k)|| / eps over
                  fd_probes random unit d (llp_hessian_probe, default eps): the
                  finite-difference probe as commonly written. It estimates
                  ||H d||, i.e. the root-mean-square eigenvalue sqrt(tr(H^2) /
                  n) for random d, not the curvature along d (see
                  llp_hessian_probe). As ETA_LMAX for units. Cost: 1 +
                  fd_probes gradients.
     GRAD_NORM0   ||g_0||, probe batch at theta_0: the grad_norm zero-cost
                  proxy (Abdelfattah, Mehrotra, Dudziak, Lane 2021, "Zero-cost
                  proxies for lightweight NAS"; their code sums per-layer norms
                  of the weight gradients; here the one global norm over all
                  coordinates). Units of loss / theta. Free given LOSS0.
     SNIP         sum_i |theta_i dL/dtheta_i| at theta_0 on the probe batch (Lee,
                  Ajanthan, Torr 2019, "SNIP", summed as in Abdelfattah et
                  al.), over all coordinates (the library's initialisation
                  has zero biases, so this equals the weights-only sum there).
                  Loss units; invariant to per-coordinate rescaling of theta.
                  Free given LOSS0.
     SYNFLOW      the SynFlow score at theta_0 (Tanaka, Kunin, Yamins, Ganguli
                  2020): llp_snoop_synflow. Data- and loss-free; grows
                  geometrically with depth (product of layer norms). No
                  objective evaluation (O(n) arithmetic). NaN without a model.
     LOG_SYNFLOW  ln(SYNFLOW), computed in log space: finite where SYNFLOW
                  overflows to +inf (deep or large-weight networks); -inf when
                  the score is 0.

   Divergence: when the k steps diverge (the trainer's LLP_ERR_DIVERGED: a
   NaN/Inf loss or gradient, a non-finite update or the loss past
   diverge_factor times the first one), when the probe-batch loss at theta_k
   is NaN/Inf, or when already the loss or gradient at theta_0 is (then no
   step is run), the snoop still returns LLP_OK with res->diverged = 1: the
   theta_0 features (LOSS0, GRAD_NORM0, SNIP, SYNFLOW, LOG_SYNFLOW; LOSS0 as
   evaluated, possibly Inf/NaN, the gradient ones NaN when g_0 is not
   finite) are filled, every feature at theta_k is NaN, no probe at theta_k
   is run (it costs nothing), no checkpoint is written, and theta_k receives
   theta_0 unchanged (the configuration is "restored": nothing of the failed
   run is handed on). res->steps_done tells how many steps passed.

   Cost and its units. res->evals counts every call of the objective's
   callbacks: loss (loss-only), grad (loss and gradient), hvp (products; a
   block product of k vectors counts k). The counts are exact: every call
   goes through a counting wrapper (which offers no block HVP: a block
   product would be issued, and counted, vector by vector; none of the
   probes uses one). An objective without an hvp makes each
   product two gradient calls, and they are counted as such (not as one HVP,
   unlike section 10's tools). evals.batches counts the random mini-batches
   evaluated: the trainer's (one per attempted step when batch_size < N), the
   probe batch (1 when P < N) and the noise scale's (2 per pair).
   One call is not one unit of compute: a gradient on 32 samples costs about
   32/N of a full one. res->cost therefore also sums batch sizes per kind
   (samples_grad etc.) and reports two totals in the selector's unit
   (gradient = 1, HVP = 2, loss-only = 1/2):
       grad_equiv = grad + 2 hvp + loss / 2                      (calls)
       data_equiv = (samples_grad + 2 samples_hvp + samples_loss / 2) / N
   data_equiv, in full-data gradient evaluations (epochs of gradient work),
   is the fair unit when a selector compares snoops at batch 32 with
   full-batch probes or training at other batch sizes: the forward/backward
   work is proportional to the samples. grad_equiv is right only when every
   call has the same batch. For an objective without samples (N = 0) each
   call counts one "sample" and data_equiv = grad_equiv. train_cost is the k
   steps (training the configuration needs anyway), probe_cost the rest (the
   overhead of the snoop): cost = train_cost + probe_cost.

   Default cost (k = 50 steps of B samples, P = min(N, 256), 10 power
   iterations, 8 noise pairs, 8 sharpness samples, 4 FD probes, SGD or
   momentum): train 50 gradients of B; probes 1 + 1 + 1 + 4 = 7 gradients
   and <= 11 HVPs of P (21 when the shift is needed), 9 losses of P, 16
   gradients of B_small/B_big; an adaptive optimizer adds <= 10 (20) HVPs. */

/* The features, in the order of res->features. */
typedef enum llp_snoop_feature {
    LLP_SNOOP_LOSS0 = 0,
    LLP_SNOOP_LOSSK,
    LLP_SNOOP_REL_DROP,
    LLP_SNOOP_LOG_RATIO,
    LLP_SNOOP_GRAD_RATIO,
    LLP_SNOOP_DIST_REL,
    LLP_SNOOP_ETA_LMAX,
    LLP_SNOOP_ETA_LMAX_PRE,
    LLP_SNOOP_EDGE_RATIO,
    LLP_SNOOP_ETA_GHG,
    LLP_SNOOP_GHG_LMAX,
    LLP_SNOOP_B_OVER_BSIMPLE,
    LLP_SNOOP_NOISE_RATIO,
    LLP_SNOOP_SHARP_REL,
    LLP_SNOOP_ETA_FD,
    LLP_SNOOP_GRAD_NORM0,
    LLP_SNOOP_SNIP,
    LLP_SNOOP_SYNFLOW,
    LLP_SNOOP_LOG_SYNFLOW,
    LLP_SNOOP_N_FEATURES
} llp_snoop_feature;

/* Probes a snoop may leave out (their features NaN, their cost 0). */
#define LLP_SNOOP_SKIP_POWER 1u   /* both power iterations: ETA_LMAX, ETA_LMAX_PRE, EDGE_RATIO, GHG_LMAX */
#define LLP_SNOOP_SKIP_PRECOND 2u /* the preconditioned one only (adaptive optimizers) */
#define LLP_SNOOP_SKIP_GHG 4u     /* ETA_GHG, GHG_LMAX */
#define LLP_SNOOP_SKIP_NOISE 8u   /* B_OVER_BSIMPLE, NOISE_RATIO */
#define LLP_SNOOP_SKIP_SHARP 16u  /* SHARP_REL */
#define LLP_SNOOP_SKIP_FD 32u     /* ETA_FD */

/* Snoop settings. Zero fields mean their default; a NULL descriptor means
   all defaults. */
typedef struct llp_snoop_desc {
    size_t steps;          /* k optimizer steps (0 -> 50) */
    size_t probe_batch;    /* P (0 -> min(N, 256)), <= N; P = N (or N = 0): every sample
                              (batch ALL). P < N: the first P entries of
                              llp_rng_permutation(N) of the stream seeded by `seed` */
    size_t power_iters;    /* power iterations per eigenvalue (0 -> 10) */
    size_t noise_pairs;    /* gradient-noise-scale pairs (0 -> 8), >= 2 */
    size_t sharp_samples;  /* random-sharpness directions (0 -> 8) */
    double sharp_rho;      /* sharpness radius (0 -> 0.05 ||theta_k||, 0.05 when theta_k = 0), >= 0 */
    size_t fd_probes;      /* finite-difference probe directions (0 -> 4) */
    unsigned skip;         /* LLP_SNOOP_SKIP_* flags (other bits: LLP_ERR_ARG) */
    uint64_t seed;         /* every random draw of the probes (not the trainer's shuffling,
                              which is td->seed): stream j is the generator seeded by
                              `seed` and jumped j times (llp_rng_jump): 0 probe batch,
                              1 power iterations (the preconditioned one continues the
                              stream), 2 noise scale, 3 sharpness, 4 FD probe */
    const char *ckpt_path; /* non-NULL: the trainer after the k steps, llp_trainer_save'd here
                              (not when the snoop diverged) */
} llp_snoop_desc;

/* Compute of one snoop or of a part of it (see the block comment). */
typedef struct llp_snoop_cost {
    llp_evals evals;
    size_t samples_loss, samples_grad, samples_hvp; /* sum of batch sizes per kind of call */
    double grad_equiv;     /* grad + 2 hvp + loss / 2 */
    double data_equiv;     /* (samples_grad + 2 samples_hvp + samples_loss / 2) / N */
} llp_snoop_cost;

typedef struct llp_snoop_result {
    double features[LLP_SNOOP_N_FEATURES]; /* indexed by llp_snoop_feature; NaN: not available */
    int diverged;          /* 1: see "Divergence" above */
    size_t steps;          /* k as resolved */
    size_t steps_done;     /* optimizer steps completed (k unless the trainer diverged) */
    size_t probe_batch;    /* P as used */
    size_t batch_size;     /* B as used in B_OVER_BSIMPLE (N for full batch; 0 without samples) */
    double lr;             /* eta of the eta features: od->lr */
    double edge;           /* the stability edge of EDGE_RATIO for this optimizer */
    double lambda;         /* largest Hessian eigenvalue estimate at theta_k (power iteration) */
    double lambda_dom;     /* the dominant (largest-magnitude) one found first: lambda_dom < 0
                              made the shifted second run (see ETA_LMAX) */
    double lambda_residual;/* ||H v - lambda v|| of lambda's vector */
    double lambda_pre;     /* lambda of P^(1/2) H P^(1/2) (= lambda for SGD/momentum/Nesterov) */
    double ghg;            /* ghat^T H ghat at theta_k */
    double grad_norm0, grad_normk; /* probe-batch gradient norms at theta_0 and theta_k */
    double b_simple;       /* llp_grad_noise_scale's B_simple at theta_k (NaN when its |G|^2 <= 0) */
    double sharpness;      /* absolute random sharpness (loss units) */
    double sharp_rho;      /* the radius used */
    double fd_step;        /* the FD probe's eps */
    llp_evals evals;       /* = cost.evals: every objective call */
    llp_snoop_cost cost;   /* total */
    llp_snoop_cost train_cost; /* the k steps */
    llp_snoop_cost probe_cost; /* everything else */
} llp_snoop_result;

/* Snoop an MLP configuration: k optimizer steps from theta0 on data with
   optimizer od and batch settings td, then the probes of the block comment.
     m       the architecture (its own theta is not read; pass m->theta as
             theta0 to snoop the model's initialisation)
     theta0  (m->n_params) the initialisation, finite; read only
     data    the training data (it must fit m: LLP_ERR_SHAPE otherwise)
     od      optimizer (required; lr > 0)
     td      batch settings, may be NULL: batch_size (0 or >= N: full batch),
             seed (shuffling), diverge_factor (as the trainer's); every other
             field is ignored (no monitor, trajectory, callbacks or
             checkpoints of the trainer's own; epochs = k)
     sd      snoop settings, may be NULL
     theta_k (m->n_params) out, may be NULL, may be theta0 (in place): theta
             after the k steps, or theta0 when the snoop diverged
     res     out
   Randomness: the probes draw only from streams seeded by sd->seed, and the
   trainer only from td->seed, so a snoop is a pure function of its
   arguments (same seeds, same bits), whatever order a selector snoops its
   configurations in.
   Returns LLP_OK (also when the run diverged: res->diverged),
   LLP_ERR_ARG for NULLs, out-of-range settings (lr <= 0, P > N,
   noise_pairs == 1, sharp_rho < 0, ...), LLP_ERR_SHAPE when data does not fit
   m, LLP_ERR_NONFINITE for a non-finite theta0, LLP_ERR_NOMEM, LLP_ERR_IO
   when the checkpoint cannot be written, and errors of the objective. On
   every error theta_k, res and the checkpoint path are left as they were.
   Allocates the MLP objective's workspace, a trainer, and a few vectors of n. */
LLPDEF llp_result llp_snoop(const llp_mlp *m, const llp_real *theta0, const llp_data *data, const llp_opt_desc *od,
                            const llp_train_desc *td, const llp_snoop_desc *sd, llp_real *theta_k,
                            llp_snoop_result *res);

/* The same on any objective f (n = f->n). m (may be NULL) is used only for
   SYNFLOW / LOG_SYNFLOW (NaN without it; m->n_params must equal f->n:
   LLP_ERR_SHAPE). The mini-batch features need f->n_samples >= 2 (NaN
   otherwise); the curvature ones an HVP (f's, or llp_objective_hvp's finite
   difference); an HVP that is LLP_ERR_UNSUPPORTED (MLP with MAE) leaves its
   features NaN. f is called through a counting wrapper (same n, n_samples;
   no block HVP, gnvp or accuracy), which is also the trainer's objective, so
   ckpt_path's checkpoint loads into a trainer on f itself. */
LLPDEF llp_result llp_snoop_objective(const llp_objective *f, const llp_mlp *m, const llp_real *theta0,
                                      const llp_opt_desc *od, const llp_train_desc *td, const llp_snoop_desc *sd,
                                      llp_real *theta_k, llp_snoop_result *res);

/* Stable short name of feature i (0 <= i < LLP_SNOOP_N_FEATURES), for table
   headers and JSON keys: "loss0", "lossk", "rel_drop", "log_ratio",
   "grad_ratio", "dist_rel", "eta_lmax", "eta_lmax_pre", "edge_ratio",
   "eta_ghg", "ghg_lmax", "b_over_bsimple", "noise_ratio", "sharp_rel",
   "eta_fd", "grad_norm0", "snip", "synflow", "log_synflow"; "unknown"
   otherwise. */
LLPDEF const char *llp_snoop_feature_name(int i);

/* SynFlow (Tanaka, Kunin, Yamins, Ganguli 2020, "Pruning neural networks
   without any data by iteratively conserving synaptic flow"), as computed by
   the reference code (and Abdelfattah et al. 2021's zero-cost version):
   replace every parameter by its absolute value, remove the activations
   (the network becomes linear; for ReLU networks with positive parameters
   and inputs nothing changes), feed one input of all ones and take the sum
   of the outputs,
       R = 1^T a_L,  a_0 = 1,  a_{l+1} = |W_l| a_l + |b_l|,
   then score the weights: synflow = sum over the weights of all layers of
   |W_l[i,j]| dR/d|W_l[i,j]|, where dR/d|W_l[i,j]| = back_{l+1}[i] a_l[j]
   with back_L = 1, back_l = |W_l|^T back_{l+1} (R is multilinear in the
   layers), i.e. synflow = sum_l back_{l+1}^T |W_l| a_l. Biases enter the
   forward pass (|b_l| added at each layer, as the reference does) but are
   not scored (the reference scores the prunable weights only). With zero
   biases each layer's term equals R (Euler: R is homogeneous of degree 1 in
   each |W_l|), so synflow = L R for L layers. The score grows like the
   product of the layers' norms and overflows double for deep or large-weight
   networks; a_l and back_l are therefore kept as unit-max vectors times
   exp(log scale) (the bias term mixed in by a log-add), and the layer terms
   summed by log-sum-exp: *log_synflow is exact where *synflow is +inf.
   synflow = 0 (log -inf) when no path carries flow. Data-, loss- and
   activation-free: the same for tanh and ReLU networks of the same shape
   and weights. Cost: O(n_params) arithmetic in double, no objective
   evaluation; allocates sum(sizes) + 2 max_width doubles. Either output may
   be NULL. LLP_ERR_ARG for NULL m or theta, LLP_ERR_NONFINITE for a
   non-finite theta, LLP_ERR_NOMEM. */
LLPDEF llp_result llp_snoop_synflow(const llp_mlp *m, const llp_real *theta, double *synflow, double *log_synflow);

/* ---- the selector: hyperparameter search at a counted budget ---------------
   llp_select answers "which configuration of this space is best, and what
   did finding it cost?" with one of nine strategies run under the same
   total budget, so the strategies can be compared at equal compute:

     RANDOM     random search (Bergstra & Bengio 2012): configurations drawn
                by llp_hp_random, each trained in full, until the budget ends.
     GRID       grid search: llp_hp_grid with the most levels whose grid the
                budget affords in full trainings (at least 1 level), trained
                in a seeded random order (so that a budget cut mid-grid, and
                the anytime curve, do not favour the grid's first corner).
     SH         successive halving (Jamieson & Talwalkar 2016) with eta and
                minimum resource r: the largest n whose schedule
                (llp_hp_successive_halving(n, r, R, eta)) fits the remaining
                budget, survivors resume (total_resume); repeated with fresh
                configurations while a bracket that reaches R still fits.
     HYPERBAND  Hyperband (Li et al. 2018): the brackets of
                llp_hp_hyperband(r, R, eta), s = s_max .. 0, cycled with
                fresh configurations; a bracket that does not fit the
                remaining budget is skipped, the run ends when none fits.
     CURVE      the learning-curve baseline: `candidates` configurations are
                each snooped for k steps with every probe skipped; they are
                ranked by LOSSK, the probe-batch training loss after the k
                steps (lower first), and trained in full in that order.
     GRAD_NORM, SNIP, SYNFLOW
                zero-cost proxies: the candidates are ranked by the proxy at
                theta_0 (higher first, as in Abdelfattah et al. 2021):
                GRAD_NORM and SNIP from one gradient on the probe batch,
                SYNFLOW without any evaluation (llp_snoop_synflow); then
                trained in full in that order.
     META       probe features and a meta-model: every candidate is snooped
                (k steps, then the probes of llp_snoop); `warmup`
                candidates (the first ones, in candidate order, whose snoop
                did not diverge) are trained in full; then, one training at
                a time, the meta-model (llp_meta_fit with desc.meta) is
                refitted on every trained candidate's inputs -> its outcome,
                and the untrained candidate with the best prediction is
                trained next: sequential model-based selection whose model
                sees the probes (trial.predicted holds the prediction each
                such pick was made on). Inputs: asinh of the 19 snoop features
                (monotone; tames those spanning decades; NaN when a probe was
                skipped or the snoop diverged, imputed by the meta-model),
                and unless meta_no_config the configuration's unit-cube
                coordinates (llp_hp_encode). Target: ln(score) when every
                finite score so far is > 0, else the score; a diverged
                training gets the worst finite target seen. Candidates whose
                snoop diverged come last, in candidate order.
   The screening strategies (CURVE, the proxies, META) run in rounds: when
   every screened candidate has been trained and budget is left, the next
   `candidates` configurations of the stream are drawn, screened and
   trained (META keeps its rows and refits on all of them), so that they
   spend the budget as the other strategies do. The proxies are computed at
   theta_0, which a key such as LR, WEIGHT_DECAY, MOMENTUM or BATCH_SIZE
   does not change: over such a space they are the same for every candidate
   and the ranking falls back to the order drawn (screen_distinct = 1 in
   the result says so), i.e. random search less the screening cost. The
   snoop's k steps are the same for every candidate, whatever its batch
   size (5 % of the base configuration's full training by default).

   Every configuration is built the same way whatever the strategy, so a
   configuration trained to full resource by two strategies reaches the same
   score bit for bit: llp_hp_apply(config, desc.mlp, desc.opt, desc.train);
   theta_0 = llp_mlp_randomize from llp_rng_seed(desc.init_seed) (the same
   draw for every configuration of one architecture); training is
   llp_trainer_run on the training data with the configuration's optimizer
   and batch size, shuffling seed desc.train.seed, diverge_factor from
   desc.train, nothing else of desc.train (no monitor evaluations,
   callbacks, checkpoints or early stopping, no validation objective).

   Resource. R = desc.train.epochs (0 -> 10) epochs is full training. A
   resource r (epochs, may be fractional) is round(r S) optimizer steps with
   S = ceil(N / B) steps per epoch (1 for full batch), at least 1 step; the
   trainer resumes where it stopped, so a survivor of successive halving
   continues exactly as one uninterrupted run would.

   Score. After each training (and each rung), the configuration's score is
   the mean loss of its MLP over the validation data (the objective's loss:
   a model weight decay desc.mlp.weight_decay is included), or desc.score's
   value when set (e.g. MAE for a model trained with MSE). Lower is better.
   A training that diverges (LLP_ERR_DIVERGED) or ends with a non-finite
   score scores NaN and is ranked last; a diverged training is not
   evaluated. The result's best is the finite score of lowest value among
   trainings that reached R (ties: the earlier); partial resources (rungs
   below R, snoops) never become the best.

   Budget and its unit. Compute is counted in full-training-set gradient
   evaluations (an epoch of gradient work = 1), sample-weighted, the unit of
   llp_snoop_cost.data_equiv:
       cost = (samples_grad + 2 samples_hvp + samples_loss / 2) / N
   over every call of the training and validation objectives (an HVP costs
   two gradients, a loss-only evaluation half of one; a validation pass over
   N_val samples costs N_val / (2N)). A score callback is charged as one
   validation loss pass, N_val / (2N). Every strategy stops when its next
   step does not fit: before each training (or rung, or snoop) the selector
   computes the cost that step can at most spend (exact sample counts of
   the trainer's batches, SAM's second gradient included, plus the score)
   and skips or ends, as the strategy says, when it exceeds what remains.
   Hence spent <= budget always; what is counted is what was called (a
   diverged run counts the steps it took). The meta-model's own fits are
   not charged (they train a tiny network on a few rows; reported in
   meta_evals).
   The default budget is not chosen for you: desc.budget is required. The
   cost of one full training is about R epochs (2 R with SAM) plus the
   score; full_cost in the result holds it for the base configuration.

   Counting hook. desc.wrap, when set, is called once for every objective
   the selector builds (role 0: a configuration's training objective, 1:
   its validation objective) with the library's objective `inner`; it fills
   `outer` with the objective to use instead (e.g. a counting wrapper that
   forwards to inner; inner stays valid while outer is in use). A test
   counts every call this way and compares with the result's ledger.

   Cost of the selector itself: what it spends is the budget; memory is one
   trainer per live configuration (successive halving keeps a whole rung
   alive: n trainers of the architecture at rung 0), plus the candidates'
   features. Deterministic: the same desc and seeds give the same trials,
   bit for bit. */

typedef enum llp_select_method {
    LLP_SELECT_RANDOM = 0,
    LLP_SELECT_GRID,
    LLP_SELECT_SH,
    LLP_SELECT_HYPERBAND,
    LLP_SELECT_CURVE,
    LLP_SELECT_GRAD_NORM,
    LLP_SELECT_SNIP,
    LLP_SELECT_SYNFLOW,
    LLP_SELECT_META,
    LLP_SELECT_METHODS
} llp_select_method;

/* Short stable names: "random", "grid", "sh", "hyperband", "curve",
   "grad_norm", "snip", "synflow", "meta"; "unknown" otherwise. */
LLPDEF const char *llp_select_method_name(int method);

/* role: 0 training objective, 1 validation objective. Return LLP_OK after
   filling *outer; anything else aborts llp_select with that code. */
typedef llp_result (*llp_select_wrap_fn)(void *ctx, const llp_objective *inner, int role, llp_objective *outer);
/* The score of a trained configuration: *score, lower is better (NaN: failed). */
typedef llp_result (*llp_select_score_fn)(void *ctx, const llp_mlp *m, const llp_real *theta, const llp_data *val,
                                          double *score);

typedef struct llp_select_desc {
    llp_select_method method;
    double budget;              /* total compute, cost units above (> 0, finite): required */
    const llp_hp_space *space;  /* required */
    llp_mlp_desc mlp;           /* base model (sizes[0], sizes[n_layers] must fit the data) */
    llp_opt_desc opt;           /* base optimizer (lr > 0 unless the space sets LR) */
    llp_train_desc train;       /* epochs = R (0 -> 10), batch_size, seed, diverge_factor */
    const llp_data *train_data; /* required, N >= 2 */
    const llp_data *val_data;   /* required */
    uint64_t seed;              /* configurations, grid order, meta-model members */
    uint64_t init_seed;         /* theta_0 of every configuration */
    size_t candidates;          /* screening strategies: candidates drawn (llp_hp_random, the
                                   same stream as RANDOM: RANDOM's first configurations are
                                   the first candidates); 0 -> max(4, 2 floor(budget /
                                   full_cost)), for CURVE and META at most floor(budget / (3 b))
                                   with b the bound of one snoop of the base configuration (so
                                   screening takes about a third of the budget at most) */
    double min_resource;        /* SH, HYPERBAND: r in epochs (0 -> R / 27), 0 < r <= R */
    unsigned eta;               /* SH, HYPERBAND: 0 -> 3, else >= 2 */
    llp_snoop_desc snoop;       /* CURVE, META, GRAD_NORM, SNIP. Zero fields take the SELECTOR's
                                   defaults, lighter than llp_snoop's so that screening stays
                                   a fraction of a training: steps max(10, ceil(S R / 20)) (5%
                                   of full training), probe_batch min(N, 128), power_iters 5,
                                   noise_pairs 4, sharp_samples 4, fd_probes 2; seed 0 ->
                                   desc.seed + 1. ckpt_path is ignored. */
    size_t warmup;              /* META: candidates trained before the first fit (0 -> 3), >= 2 */
    llp_meta_desc meta;         /* META: the meta-model (zero: llp_meta_fit's defaults, seed
                                   0 -> desc.seed + 2) */
    int meta_no_config;         /* META: leave the configuration's coordinates out of the inputs */
    llp_select_wrap_fn wrap;    /* optional counting hook */
    void *wrap_ctx;
    llp_select_score_fn score;  /* optional score (default: validation loss) */
    void *score_ctx;
} llp_select_desc;

/* What a trial was. */
typedef enum llp_select_stage {
    LLP_SELECT_STAGE_SCREEN = 0, /* a snoop or a proxy at theta_0 (CURVE, proxies, META) */
    LLP_SELECT_STAGE_TRAIN = 1   /* training to `resource` (a rung below R, or R) */
} llp_select_stage;

/* One step of a search, in the order it ran. */
typedef struct llp_select_trial {
    llp_hp_config config;
    size_t candidate;       /* index of the configuration in the order it was drawn */
    llp_select_stage stage;
    int bracket, rung;      /* SH / HYPERBAND: bracket (0, 1, ... in run order) and rung; else -1 */
    double resource;        /* epochs trained to (screens: the snoop's k / S; proxies 0) */
    int full;               /* resource == R: this trial can be the best */
    double score;           /* training: the score (NaN: diverged or non-finite); screens: the
                               ranking value (LOSSK, the proxy, the meta-model's prediction
                               is not stored here: NaN for META screens) */
    int diverged;           /* training or snoop diverged */
    double cost;            /* compute of this trial */
    double cum_cost;        /* compute of the search after this trial */
    double best;            /* best full score after this trial (NaN: none yet): the regret curve */
    double predicted;       /* META trainings chosen by the model: its prediction of the score when
                               it picked this candidate (exp of the log target); NaN otherwise */
} llp_select_trial;

typedef struct llp_select_result {
    llp_select_method method;
    double budget;
    double spent;           /* total compute, <= budget */
    double screen_cost;     /* of which screening (snoops, proxies) */
    double full_cost;       /* one full training of the base configuration plus its score */
    double R;               /* full resource, epochs */
    size_t n_trials;
    llp_select_trial *trials;
    size_t n_configs;       /* configurations drawn (candidates, grid points, SH/HB samples) */
    size_t n_full;          /* trainings run to R (diverged ones included) */
    int have_best;          /* 0: no training reached R with a finite score */
    size_t best_trial;      /* index into trials */
    llp_hp_config best_config;
    double best_score;      /* NaN when !have_best */
    llp_mlp_desc best_mlp;  /* the best configuration's model */
    llp_real *best_theta;   /* (best_n) its trained parameters; NULL when !have_best */
    size_t best_n;
    /* the ledger, over the training and validation objectives */
    llp_evals evals;        /* calls: loss, grad, hvp (batches: 0) */
    size_t samples_loss, samples_grad, samples_hvp;
    llp_evals meta_evals;   /* META: the meta-model fits (not charged) */
    size_t meta_fits;
    int grid_levels;        /* GRID: levels used */
    size_t warmup;          /* META: as resolved */
    size_t snoop_steps;     /* k as resolved (screening strategies) */
    size_t screen_distinct; /* CURVE and the proxies: distinct finite ranking values among the
                               screened candidates; 1 means the ranking was the order drawn (a
                               proxy at theta_0 cannot see lr, decay, momentum or batch size);
                               0 for the other methods */
} llp_select_result;

/* Run the search of desc->method. res is written on LLP_OK only.
   Errors: LLP_ERR_ARG for NULL desc/res/space/data, a budget <= 0 or not
   finite, an invalid space (llp_hp_space_validate), a method out of range,
   min_resource outside (0, R], eta == 1, warmup == 1, a base the space's
   configurations cannot be applied to; LLP_ERR_SHAPE when the data do not
   fit the model; LLP_ERR_NOMEM; errors of the objectives, the wrap or
   score callbacks. A budget smaller than any step is not an error: the
   search spends nothing and has no best. */
LLPDEF llp_result llp_select(const llp_select_desc *desc, llp_select_result *res);
/* Free and zero. Safe on a zeroed struct. */
LLPDEF void llp_select_free(llp_select_result *res);
/* The compute of one full training of desc's base configuration (no key of
   the space applied) plus its score: the result's full_cost, without
   running a search, so budgets can be set in full trainings. desc->budget
   and desc->method are not read. Cost: builds the model and objectives, no
   evaluation. Errors as llp_select. */
LLPDEF llp_result llp_select_full_cost(const llp_select_desc *desc, double *cost);

#ifdef __cplusplus
}
#endif

#endif /* LLPROBE_H */

/* ==========================================================================
   11. IMPLEMENTATION
   ========================================================================== */
#ifdef LLPROBE_IMPLEMENTATION
#ifndef LLPROBE_IMPLEMENTATION_DONE
#define LLPROBE_IMPLEMENTATION_DONE

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <float.h>
#include <stdarg.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#if defined(LLP_MALLOC) && defined(LLP_FREE) && defined(LLP_REALLOC)
/* all three given */
#elif !defined(LLP_MALLOC) && !defined(LLP_FREE) && !defined(LLP_REALLOC)
#include <stdlib.h>
#define LLP_MALLOC(sz) malloc(sz)
#define LLP_REALLOC(p, sz) realloc(p, sz)
#define LLP_FREE(p) free(p)
#else
#error "llprobe: define all of LLP_MALLOC, LLP_REALLOC and LLP_FREE, or none"
#endif

#ifndef LLP_ASSERT
#include <assert.h>
#define LLP_ASSERT(x) assert(x)
#endif

#ifdef __cplusplus
#define LLP__RESTRICT __restrict
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L
#define LLP__RESTRICT restrict
#else
#define LLP__RESTRICT
#endif

#define LLP__PI 3.14159265358979323846
#define LLP__E 2.71828182845904523536

#ifdef __cplusplus
extern "C" {
#endif

/* ---- 11.2 core ---------------------------------------------------------- */

LLPDEF const char *llp_result_string(llp_result r) {
    switch (r) {
    case LLP_OK: return "ok";
    case LLP_ERR_NOMEM: return "out of memory";
    case LLP_ERR_ARG: return "invalid argument";
    case LLP_ERR_SHAPE: return "shape mismatch";
    case LLP_ERR_IO: return "input/output error";
    case LLP_ERR_PARSE: return "field is not a number";
    case LLP_ERR_RAGGED: return "row has the wrong number of fields";
    case LLP_ERR_EMPTY: return "no data";
    case LLP_ERR_NO_COLUMN: return "target column not found";
    case LLP_ERR_NONFINITE: return "NaN or Inf value";
    case LLP_ERR_FORMAT: return "wrong file format";
    case LLP_ERR_TRUNCATED: return "file is truncated";
    case LLP_ERR_CHECKSUM: return "checksum mismatch (corrupt data)";
    case LLP_ERR_VERSION: return "unsupported format version";
    case LLP_ERR_UNSUPPORTED: return "operation not supported";
    case LLP_ERR_LABEL: return "invalid class label";
    case LLP_ERR_DIVERGED: return "training diverged";
    case LLP_ERR_STOPPED: return "stopped by a callback";
    }
    return "unknown result code";
}

/* Fill an error record (err may be NULL). Returns r for tail calls. */
static llp_result llp__fail(llp_error *err, llp_result r, const char *file, long line, long column,
                            const char *fmt, ...);
static llp_result llp__fail(llp_error *err, llp_result r, const char *file, long line, long column,
                            const char *fmt, ...) {
    if (err) {
        va_list ap;
        size_t i = 0;
        if (file) {
            for (; file[i] && i + 1 < sizeof err->file; i++) err->file[i] = file[i];
        }
        err->file[i] = 0;
        err->line = line;
        err->column = column;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return r;
}

static void llp__clear_error(llp_error *err) {
    if (err) memset(err, 0, sizeof *err);
}

static uint64_t llp__splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

LLPDEF void llp_rng_seed(llp_rng *rng, uint64_t seed) {
    uint64_t x = seed;
    int i;
    for (i = 0; i < 4; i++) rng->s[i] = llp__splitmix64(&x);
}

static uint64_t llp__rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

LLPDEF uint64_t llp_rng_next(llp_rng *rng) {
    uint64_t *s = rng->s;
    uint64_t result = llp__rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = llp__rotl(s[3], 45);
    return result;
}

LLPDEF double llp_rng_uniform(llp_rng *rng) {
    return (double)(llp_rng_next(rng) >> 11) * (1.0 / 9007199254740992.0);
}

LLPDEF uint64_t llp_rng_below(llp_rng *rng, uint64_t n) {
    uint64_t x, limit;
    if (n == 0) return 0;
    /* reject the top partial copy of [0, n) so every residue is equally likely */
    limit = UINT64_MAX - (UINT64_MAX % n + 1) % n;
    do x = llp_rng_next(rng); while (x > limit);
    return x % n;
}

LLPDEF double llp_rng_normal(llp_rng *rng) {
    double u1 = 1.0 - llp_rng_uniform(rng); /* (0, 1]: log is finite */
    double u2 = llp_rng_uniform(rng);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * LLP__PI * u2);
}

LLPDEF double llp_rng_rademacher(llp_rng *rng) { return (llp_rng_next(rng) >> 63) ? 1.0 : -1.0; }

LLPDEF void llp_rng_permutation(llp_rng *rng, size_t *perm, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) perm[i] = i;
    for (i = n; i > 1; i--) {
        size_t j = (size_t)llp_rng_below(rng, (uint64_t)i);
        size_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
}

LLPDEF void llp_rng_jump(llp_rng *rng) {
    static const uint64_t jump[4] = {0x180ec6d33cfd0abaULL, 0xd5a61266f0c9392cULL, 0xa9582618e03fc9aaULL,
                                     0x39abdc4529b1661cULL};
    uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i, b;
    for (i = 0; i < 4; i++)
        for (b = 0; b < 64; b++) {
            if (jump[i] & ((uint64_t)1 << b)) {
                s0 ^= rng->s[0];
                s1 ^= rng->s[1];
                s2 ^= rng->s[2];
                s3 ^= rng->s[3];
            }
            llp_rng_next(rng);
        }
    rng->s[0] = s0;
    rng->s[1] = s1;
    rng->s[2] = s2;
    rng->s[3] = s3;
}

LLPDEF void llp_rng_fill_normal(llp_rng *rng, llp_real *x, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) x[i] = (llp_real)llp_rng_normal(rng);
}

LLPDEF void llp_rng_fill_rademacher(llp_rng *rng, llp_real *x, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) x[i] = (llp_real)llp_rng_rademacher(rng);
}

LLPDEF double llp_dot(const llp_real *x, const llp_real *y, size_t n) {
    /* four independent partial sums in a fixed order: faster, still deterministic */
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += (double)x[i] * y[i];
        s1 += (double)x[i + 1] * y[i + 1];
        s2 += (double)x[i + 2] * y[i + 2];
        s3 += (double)x[i + 3] * y[i + 3];
    }
    for (; i < n; i++) s0 += (double)x[i] * y[i];
    return (s0 + s1) + (s2 + s3);
}

LLPDEF double llp_nrm2(const llp_real *x, size_t n) {
    double m = llp_nrminf(x, n), s = 0;
    size_t i;
    if (m == 0 || !(m <= DBL_MAX)) return m;
    if (m > 1e150 || m < 1e-150) {
        for (i = 0; i < n; i++) {
            double t = x[i] / m;
            s += t * t;
        }
        return m * sqrt(s);
    }
    return sqrt(llp_dot(x, x, n));
}

LLPDEF double llp_nrm1(const llp_real *x, size_t n) {
    double s = 0;
    size_t i;
    for (i = 0; i < n; i++) s += fabs((double)x[i]);
    return s;
}

LLPDEF double llp_nrminf(const llp_real *x, size_t n) {
    double m = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        double a = fabs((double)x[i]);
        if (a > m || a != a) m = a;
        if (m != m) return m;
    }
    return m;
}

LLPDEF void llp_axpy(llp_real a, const llp_real *LLP__RESTRICT x, llp_real *LLP__RESTRICT y, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) y[i] += a * x[i];
}

LLPDEF void llp_axpby(llp_real a, const llp_real *LLP__RESTRICT x, llp_real b, llp_real *LLP__RESTRICT y,
                      size_t n) {
    size_t i;
    for (i = 0; i < n; i++) y[i] = a * x[i] + b * y[i];
}

LLPDEF void llp_scale(llp_real a, llp_real *x, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) x[i] *= a;
}

LLPDEF void llp_copy(const llp_real *x, llp_real *y, size_t n) {
    if (n && x != y) memmove(y, x, n * sizeof *x);
}

LLPDEF void llp_fill(llp_real a, llp_real *x, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) x[i] = a;
}

LLPDEF int llp_all_finite(const llp_real *x, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        if (!(x[i] - x[i] == 0)) return 0;
    return 1;
}

static int llp__isfinite(double x) { return x - x == 0; }

/* Overflow-checked a*b for allocation sizes. Returns 0 on overflow. */
static size_t llp__mul(size_t a, size_t b) {
    if (a && b > (size_t)-1 / a) return 0;
    return a * b;
}

/* ---- 11.3 data ---------------------------------------------------------- */

/* The gzip decoder (llp__gunzip) is defined further down; declared here. */
static int llp__gunzip(const unsigned char *src, size_t src_len, unsigned char **out, size_t *out_len);

LLPDEF llp_result llp_data_alloc(llp_data *out, size_t n, size_t d, llp_task task, size_t classes_or_k) {
    llp_data t;
    size_t nx;
    memset(&t, 0, sizeof t);
    if (!out || n == 0 || d == 0) return LLP_ERR_ARG;
    if (task == LLP_TASK_CLASSIFICATION) {
        if (classes_or_k < 2) return LLP_ERR_ARG;
    } else if (task == LLP_TASK_REGRESSION) {
        if (classes_or_k < 1) return LLP_ERR_ARG;
    } else {
        return LLP_ERR_ARG;
    }
    nx = llp__mul(n, d);
    if (!nx || !llp__mul(nx, sizeof(llp_real))) return LLP_ERR_NOMEM;
    t.n = n;
    t.d = d;
    t.task = task;
    t.x = (llp_real *)LLP_MALLOC(nx * sizeof(llp_real));
    if (task == LLP_TASK_CLASSIFICATION) {
        t.n_classes = classes_or_k;
        t.labels = (int *)LLP_MALLOC(n * sizeof(int));
        if (t.labels) memset(t.labels, 0, n * sizeof(int));
    } else {
        size_t ny = llp__mul(n, classes_or_k);
        t.k = classes_or_k;
        t.y = ny && llp__mul(ny, sizeof(llp_real)) ? (llp_real *)LLP_MALLOC(ny * sizeof(llp_real)) : NULL;
        if (t.y) llp_fill(0, t.y, ny);
    }
    if (!t.x || (!t.labels && !t.y)) {
        LLP_FREE(t.x);
        LLP_FREE(t.labels);
        LLP_FREE(t.y);
        return LLP_ERR_NOMEM;
    }
    llp_fill(0, t.x, nx);
    *out = t;
    return LLP_OK;
}

LLPDEF void llp_data_free(llp_data *data) {
    if (!data) return;
    LLP_FREE(data->x);
    LLP_FREE(data->labels);
    LLP_FREE(data->y);
    memset(data, 0, sizeof *data);
}

LLPDEF llp_result llp_data_subset(const llp_data *src, const size_t *idx, size_t m, llp_data *dst) {
    llp_data t;
    llp_result r;
    size_t i;
    if (!src || !dst || !src->x || (m && !idx)) return LLP_ERR_ARG;
    for (i = 0; i < m; i++)
        if (idx[i] >= src->n) return LLP_ERR_ARG;
    r = llp_data_alloc(&t, m, src->d, src->task,
                       src->task == LLP_TASK_CLASSIFICATION ? src->n_classes : src->k);
    if (r != LLP_OK) return r;
    for (i = 0; i < m; i++) {
        llp_copy(src->x + idx[i] * src->d, t.x + i * t.d, t.d);
        if (t.labels) t.labels[i] = src->labels[idx[i]];
        if (t.y) llp_copy(src->y + idx[i] * src->k, t.y + i * t.k, t.k);
    }
    *dst = t;
    return LLP_OK;
}

LLPDEF llp_result llp_data_validate(const llp_data *data, llp_error *err) {
    size_t i, j;
    llp__clear_error(err);
    if (!data || !data->x || data->n == 0 || data->d == 0)
        return llp__fail(err, LLP_ERR_EMPTY, NULL, 0, 0, "data set is empty");
    for (i = 0; i < data->n; i++)
        for (j = 0; j < data->d; j++)
            if (!llp__isfinite(data->x[i * data->d + j]))
                return llp__fail(err, LLP_ERR_NONFINITE, NULL, (long)i + 1, (long)j + 1,
                                 "feature %lu of sample %lu is not finite", (unsigned long)j + 1,
                                 (unsigned long)i + 1);
    if (data->task == LLP_TASK_CLASSIFICATION) {
        if (!data->labels) return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0, "classification data without labels");
        for (i = 0; i < data->n; i++)
            if (data->labels[i] < 0 || (size_t)data->labels[i] >= data->n_classes)
                return llp__fail(err, LLP_ERR_LABEL, NULL, (long)i + 1, 0, "label %d of sample %lu outside 0..%lu",
                                 data->labels[i], (unsigned long)i + 1, (unsigned long)data->n_classes - 1);
    } else if (data->task == LLP_TASK_REGRESSION) {
        if (!data->y) return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0, "regression data without targets");
        for (i = 0; i < data->n * data->k; i++)
            if (!llp__isfinite(data->y[i]))
                return llp__fail(err, LLP_ERR_NONFINITE, NULL, (long)(i / data->k) + 1, 0,
                                 "target of sample %lu is not finite", (unsigned long)(i / data->k) + 1);
    } else {
        return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0, "unknown task");
    }
    return LLP_OK;
}

/* Read a whole file. *buf is LLP_MALLOC'd (plus a NUL byte). */
static llp_result llp__read_file(const char *path, unsigned char **buf, size_t *len, llp_error *err) {
    FILE *f;
    unsigned char *b = NULL;
    size_t cap = 0, n = 0;
    *buf = NULL;
    *len = 0;
    if (!path) return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0, "no file name given");
    f = fopen(path, "rb");
    if (!f) return llp__fail(err, LLP_ERR_IO, path, 0, 0, "cannot open file for reading");
    for (;;) {
        size_t got;
        if (cap - n < 65536) {
            size_t ncap = cap ? cap * 2 : 65536 + 1;
            unsigned char *nb = (unsigned char *)LLP_REALLOC(b, ncap);
            if (!nb) {
                LLP_FREE(b);
                fclose(f);
                return llp__fail(err, LLP_ERR_NOMEM, path, 0, 0, "out of memory reading file");
            }
            b = nb;
            cap = ncap;
        }
        got = fread(b + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        LLP_FREE(b);
        fclose(f);
        return llp__fail(err, LLP_ERR_IO, path, 0, 0, "read error");
    }
    fclose(f);
    b[n] = 0;
    *buf = b;
    *len = n;
    return LLP_OK;
}

/* Map a gzip decoder code to a result and error record. */
static llp_result llp__gz_result(int rc, const char *path, llp_error *err) {
    if (rc == -1) return llp__fail(err, LLP_ERR_NOMEM, path, 0, 0, "out of memory decompressing");
    if (rc == -2) return llp__fail(err, LLP_ERR_TRUNCATED, path, 0, 0, "gzip stream is truncated");
    if (rc == -4) return llp__fail(err, LLP_ERR_CHECKSUM, path, 0, 0, "gzip CRC or length mismatch");
    return llp__fail(err, LLP_ERR_FORMAT, path, 0, 0, "corrupt gzip stream");
}

/* Read a file, decompressing it when it is gzip. NUL-terminated buffer. */
static llp_result llp__read_file_gz(const char *path, unsigned char **buf, size_t *len, llp_error *err) {
    unsigned char *raw, *out;
    size_t rawlen, outlen;
    int rc;
    llp_result r = llp__read_file(path, &raw, &rawlen, err);
    if (r != LLP_OK) return r;
    if (rawlen < 2 || raw[0] != 0x1f || raw[1] != 0x8b) {
        *buf = raw;
        *len = rawlen;
        return LLP_OK;
    }
    rc = llp__gunzip(raw, rawlen, &out, &outlen);
    LLP_FREE(raw);
    if (rc != 0) return llp__gz_result(rc, path, err);
    raw = (unsigned char *)LLP_REALLOC(out, outlen + 1);
    if (!raw) {
        LLP_FREE(out);
        return llp__fail(err, LLP_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    raw[outlen] = 0;
    *buf = raw;
    *len = outlen;
    return LLP_OK;
}

/* CSV field: [b, e) after trimming spaces. */
typedef struct llp__field {
    const char *b, *e;
} llp__field;

/* Split line [s, e) at delim into fields (grows *fields). Returns count or -1 on OOM. */
static long llp__split(const char *s, const char *e, char delim, llp__field **fields, size_t *cap) {
    size_t n = 0;
    const char *p = s;
    for (;;) {
        const char *q = p;
        llp__field f;
        while (q < e && *q != delim) q++;
        f.b = p;
        f.e = q;
        while (f.b < f.e && (*f.b == ' ' || *f.b == '\t' || *f.b == '"')) f.b++;
        while (f.e > f.b && (f.e[-1] == ' ' || f.e[-1] == '\t' || f.e[-1] == '"')) f.e--;
        if (n == *cap) {
            size_t nc = *cap ? *cap * 2 : 64;
            llp__field *nf = (llp__field *)LLP_REALLOC(*fields, nc * sizeof(llp__field));
            if (!nf) return -1;
            *fields = nf;
            *cap = nc;
        }
        (*fields)[n++] = f;
        if (q >= e) break;
        p = q + 1;
    }
    return (long)n;
}

/* Parse a whole field as a number. 0 ok, 1 not a number, 2 not finite. */
static int llp__parse_num(const llp__field *f, double *v) {
    char tmp[512]; /* longer fields are not numbers anyone writes */
    char *end;
    size_t len = (size_t)(f->e - f->b);
    if (len == 0 || len >= sizeof tmp) return 1;
    memcpy(tmp, f->b, len);
    tmp[len] = 0;
    *v = strtod(tmp, &end);
    if (end != tmp + len) return 1;
    if (!llp__isfinite(*v)) return 2;
    return 0;
}

static int llp__field_eq(const llp__field *f, const char *s) {
    size_t len = (size_t)(f->e - f->b);
    return strlen(s) == len && memcmp(f->b, s, len) == 0;
}

LLPDEF llp_result llp_data_load_csv(llp_data *out, const char *path, const llp_csv_desc *desc, llp_error *err) {
    llp_csv_desc dd;
    unsigned char *buf = NULL;
    size_t len = 0, fcap = 0, rows = 0, vcap = 0, ncols = 0, tcol = 0, i;
    llp__field *fields = NULL;
    double *vals = NULL;
    long *row_line = NULL; /* source line of each data row, for error records */
    const char *p, *end;
    long line = 0, first_line = 0;
    int have_header = 0, first = 1;
    char delim;
    llp_result r;
    llp_data t;
    llp_task task;

    llp__clear_error(err);
    if (!out) return llp__fail(err, LLP_ERR_ARG, path, 0, 0, "no output data set");
    if (desc) dd = *desc;
    else memset(&dd, 0, sizeof dd);
    r = llp__read_file_gz(path, &buf, &len, err);
    if (r != LLP_OK) return r;
    p = (const char *)buf;
    end = p + len;
    delim = dd.delimiter;
    while (p < end) {
        const char *ls = p, *le = p;
        long nf;
        while (le < end && *le != '\n') le++;
        p = le < end ? le + 1 : le;
        line++;
        if (le > ls && le[-1] == '\r') le--;
        {
            const char *q = ls;
            while (q < le && (*q == ' ' || *q == '\t')) q++;
            if (q == le || *q == '#') continue;
        }
        if (first && !delim) {
            size_t c[3] = {0, 0, 0};
            const char *q;
            for (q = ls; q < le; q++) c[0] += *q == ',', c[1] += *q == ';', c[2] += *q == '\t';
            delim = c[1] > c[0] && c[1] >= c[2] ? ';' : (c[2] > c[0] ? '\t' : ',');
        }
        nf = llp__split(ls, le, delim, &fields, &fcap);
        if (nf < 0) {
            r = llp__fail(err, LLP_ERR_NOMEM, path, line, 0, "out of memory");
            goto fail;
        }
        if (first) {
            long j;
            int nonnum = 0;
            first = 0;
            first_line = line;
            ncols = (size_t)nf;
            for (j = 0; j < nf; j++) {
                double v;
                if (llp__parse_num(&fields[j], &v) == 1) nonnum = 1;
            }
            have_header = dd.header > 0 || (dd.header == 0 && nonnum);
            if (ncols < 2) {
                r = llp__fail(err, LLP_ERR_NO_COLUMN, path, line, 0,
                              "need at least two columns (features and a target), found %lu", (unsigned long)ncols);
                goto fail;
            }
            if (dd.target_name) {
                if (!have_header) {
                    r = llp__fail(err, LLP_ERR_NO_COLUMN, path, line, 0,
                                  "target column '%s' requested but the file has no header", dd.target_name);
                    goto fail;
                }
                for (j = 0; j < nf && !llp__field_eq(&fields[j], dd.target_name); j++) {
                }
                if (j == nf) {
                    r = llp__fail(err, LLP_ERR_NO_COLUMN, path, line, 0, "no column named '%s' in the header",
                                  dd.target_name);
                    goto fail;
                }
                tcol = (size_t)j;
            } else if (dd.target_index == 0) {
                tcol = ncols - 1;
            } else if (dd.target_index > 0) {
                if ((size_t)dd.target_index > ncols) {
                    r = llp__fail(err, LLP_ERR_NO_COLUMN, path, line, 0, "target column %d but rows have %lu columns",
                                  dd.target_index, (unsigned long)ncols);
                    goto fail;
                }
                tcol = (size_t)dd.target_index - 1;
            } else {
                if ((size_t)(-(long)dd.target_index) > ncols) {
                    r = llp__fail(err, LLP_ERR_NO_COLUMN, path, line, 0, "target column %d but rows have %lu columns",
                                  dd.target_index, (unsigned long)ncols);
                    goto fail;
                }
                tcol = ncols - (size_t)(-(long)dd.target_index);
            }
            if (have_header) continue;
        }
        if ((size_t)nf != ncols) {
            r = llp__fail(err, LLP_ERR_RAGGED, path, line, (long)((size_t)nf < ncols ? nf : (long)ncols + 1),
                          "row has %ld fields, expected %lu (as on line %ld)", nf, (unsigned long)ncols, first_line);
            goto fail;
        }
        if (vcap - rows * ncols < ncols) {
            size_t nc = vcap ? vcap * 2 : ncols * 256;
            double *nv = (double *)LLP_REALLOC(vals, nc * sizeof(double));
            long *nl = nv ? (long *)LLP_REALLOC(row_line, (nc / ncols) * sizeof(long)) : NULL;
            if (nv) vals = nv;
            if (!nv || !nl) {
                r = llp__fail(err, LLP_ERR_NOMEM, path, line, 0, "out of memory");
                goto fail;
            }
            row_line = nl;
            vcap = nc;
        }
        row_line[rows] = line;
        for (i = 0; i < ncols; i++) {
            int rc = llp__parse_num(&fields[i], &vals[rows * ncols + i]);
            if (rc == 1) {
                int l = (int)(fields[i].e - fields[i].b);
                r = llp__fail(err, LLP_ERR_PARSE, path, line, (long)i + 1, "field '%.*s' is not a number",
                              l > 60 ? 60 : l, fields[i].b);
                goto fail;
            }
            if (rc == 2) {
                r = llp__fail(err, LLP_ERR_NONFINITE, path, line, (long)i + 1, "field is NaN or Inf");
                goto fail;
            }
        }
        rows++;
    }
    if (rows == 0) {
        r = llp__fail(err, LLP_ERR_EMPTY, path, line, 0, first ? "file has no rows" : "file has a header but no data rows");
        goto fail;
    }
    /* decide the task */
    task = dd.task;
    {
        int all_int = 1, repeat = 0;
        double mx = 0;
        size_t distinct = 0;
        unsigned char *seen = NULL;
        for (i = 0; i < rows; i++) {
            double v = vals[i * ncols + tcol];
            if (v != floor(v) || v < 0 || v >= 1000) all_int = 0;
            else if (v > mx) mx = v;
        }
        if (all_int) {
            seen = (unsigned char *)LLP_MALLOC(1000);
            if (!seen) {
                r = llp__fail(err, LLP_ERR_NOMEM, path, 0, 0, "out of memory");
                goto fail;
            }
            memset(seen, 0, 1000);
            for (i = 0; i < rows; i++) {
                int v = (int)vals[i * ncols + tcol];
                if (seen[v]) repeat = 1;
                else distinct++, seen[v] = 1;
            }
            LLP_FREE(seen);
        }
        if (task == LLP_TASK_AUTO)
            task = all_int && repeat && distinct >= 2 && distinct <= 100 ? LLP_TASK_CLASSIFICATION : LLP_TASK_REGRESSION;
        if (task == LLP_TASK_CLASSIFICATION) {
            for (i = 0; i < rows; i++) {
                double v = vals[i * ncols + tcol];
                if (v != floor(v) || v < 0 || v > 65535) {
                    r = llp__fail(err, LLP_ERR_LABEL, path, row_line[i], (long)tcol + 1,
                                  "class label %g is not an integer in 0..65535", v);
                    goto fail;
                }
                if (v > mx) mx = v;
            }
            if (mx < 1) {
                r = llp__fail(err, LLP_ERR_LABEL, path, 0, (long)tcol + 1, "classification needs at least two classes");
                goto fail;
            }
        } else if (task != LLP_TASK_REGRESSION) {
            r = llp__fail(err, LLP_ERR_ARG, path, 0, 0, "unknown task");
            goto fail;
        }
        r = llp_data_alloc(&t, rows, ncols - 1, task, task == LLP_TASK_CLASSIFICATION ? (size_t)mx + 1 : 1);
        if (r != LLP_OK) {
            llp__fail(err, r, path, 0, 0, "cannot allocate the data set");
            goto fail;
        }
    }
    for (i = 0; i < rows; i++) {
        size_t j, o = 0;
        for (j = 0; j < ncols; j++) {
            double v = vals[i * ncols + j];
            if (j == tcol) {
                if (t.labels) t.labels[i] = (int)v;
                else t.y[i] = (llp_real)v;
            } else {
                t.x[i * t.d + o++] = (llp_real)v;
            }
        }
    }
    LLP_FREE(vals);
    LLP_FREE(row_line);
    LLP_FREE(fields);
    LLP_FREE(buf);
    *out = t;
    return LLP_OK;
fail:
    LLP_FREE(vals);
    LLP_FREE(row_line);
    LLP_FREE(fields);
    LLP_FREE(buf);
    return r;
}

/* Big-endian u32 at p. */
static uint32_t llp__be32(const unsigned char *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/* Parse an IDX header: element size, dims, count of elements, data offset. */
static llp_result llp__idx_header(const unsigned char *b, size_t len, const char *name, int *type, size_t *dims,
                                  int *ndim, size_t *count, size_t *offset, llp_error *err) {
    int i, esize;
    size_t total = 1;
    if (len < 4) return llp__fail(err, LLP_ERR_TRUNCATED, name, 0, (long)len, "IDX header is truncated");
    if (b[0] != 0 || b[1] != 0)
        return llp__fail(err, LLP_ERR_FORMAT, name, 0, 1, "not an IDX file (magic %02x %02x, expected 00 00)", b[0], b[1]);
    *type = b[2];
    *ndim = b[3];
    switch (*type) {
    case 0x08: case 0x09: esize = 1; break;
    case 0x0B: esize = 2; break;
    case 0x0C: case 0x0D: esize = 4; break;
    case 0x0E: esize = 8; break;
    default: return llp__fail(err, LLP_ERR_FORMAT, name, 0, 3, "unknown IDX element type 0x%02x", *type);
    }
    if (*ndim < 1 || *ndim > 8) return llp__fail(err, LLP_ERR_FORMAT, name, 0, 4, "IDX file with %d dimensions", *ndim);
    if (len < 4 + 4 * (size_t)*ndim)
        return llp__fail(err, LLP_ERR_TRUNCATED, name, 0, (long)len, "IDX header is truncated");
    for (i = 0; i < *ndim; i++) {
        dims[i] = llp__be32(b + 4 + 4 * i);
        total = llp__mul(total, dims[i]);
        if (dims[i] == 0) return llp__fail(err, LLP_ERR_EMPTY, name, 0, 5 + 4 * i, "IDX dimension %d is zero", i);
        if (!total) return llp__fail(err, LLP_ERR_FORMAT, name, 0, 5 + 4 * i, "IDX dimensions overflow");
    }
    *offset = 4 + 4 * (size_t)*ndim;
    *count = total;
    if (!llp__mul(total, (size_t)esize) || (len - *offset) / (size_t)esize < total)
        return llp__fail(err, LLP_ERR_TRUNCATED, name, 0, (long)len,
                         "IDX payload is truncated: %lu bytes for %lu elements of %d bytes",
                         (unsigned long)(len - *offset), (unsigned long)total, esize);
    return LLP_OK;
}

/* Bytes per element of an IDX type code. */
static int llp__idx_esize(int type) { return type == 0x0B ? 2 : type == 0x0C || type == 0x0D ? 4 : type == 0x0E ? 8 : 1; }

/* Element i of an IDX payload as double. */
static double llp__idx_elem(const unsigned char *p, int type, size_t i) {
    switch (type) {
    case 0x08: return p[i];
    case 0x09: return (double)(signed char)p[i];
    case 0x0B: {
        unsigned v = ((unsigned)p[2 * i] << 8) | p[2 * i + 1];
        return (double)(int16_t)(uint16_t)v;
    }
    case 0x0C: return (double)(int32_t)llp__be32(p + 4 * i);
    case 0x0D: {
        uint32_t u = llp__be32(p + 4 * i);
        float f;
        memcpy(&f, &u, 4);
        return f;
    }
    default: {
        uint64_t u = ((uint64_t)llp__be32(p + 8 * i) << 32) | llp__be32(p + 8 * i + 4);
        double d;
        memcpy(&d, &u, 8);
        return d;
    }
    }
}

/* Parse decompressed IDX images + labels; errors name img_name / lab_name. */
static llp_result llp__parse_idx_raw(llp_data *out, const unsigned char *img, size_t ilen, const unsigned char *lab,
                                     size_t llen, size_t max_samples, const char *img_name, const char *lab_name,
                                     llp_error *err) {
    size_t idims[8], ldims[8], icount = 0, lcount = 0, ioff = 0, loff = 0, n, d, i, mx = 0;
    int itype = 0, ltype = 0, indim = 0, lndim = 0;
    llp_result r;
    llp_data t;
    r = llp__idx_header(img, ilen, img_name, &itype, idims, &indim, &icount, &ioff, err);
    if (r != LLP_OK) return r;
    r = llp__idx_header(lab, llen, lab_name, &ltype, ldims, &lndim, &lcount, &loff, err);
    if (r != LLP_OK) return r;
    if (lndim != 1)
        return llp__fail(err, LLP_ERR_FORMAT, lab_name, 0, 4, "label file has %d dimensions, expected 1", lndim);
    n = idims[0];
    d = icount / n;
    if (ldims[0] != n)
        return llp__fail(err, LLP_ERR_SHAPE, lab_name, 0, 0, "%lu labels for %lu images in %s", (unsigned long)ldims[0],
                         (unsigned long)n, img_name);
    if (max_samples && max_samples < n) n = max_samples;
    for (i = 0; i < n; i++) {
        double v = llp__idx_elem(lab + loff, ltype, i);
        if (v != floor(v) || v < 0 || v > 65535)
            return llp__fail(err, LLP_ERR_LABEL, lab_name, 0, (long)(loff + i * (size_t)llp__idx_esize(ltype)) + 1,
                             "label %lu is %g, not a class index in 0..65535", (unsigned long)i, v);
        if ((size_t)v > mx) mx = (size_t)v;
    }
    r = llp_data_alloc(&t, n, d, LLP_TASK_CLASSIFICATION, mx + 1 < 2 ? 2 : mx + 1);
    if (r != LLP_OK)
        return llp__fail(err, r, img_name, 0, 0, "cannot allocate a %lu x %lu data set", (unsigned long)n,
                         (unsigned long)d);
    for (i = 0; i < n * d; i++) {
        double v = llp__idx_elem(img + ioff, itype, i);
        if (itype == 0x08) v /= 255.0;
        if (!llp__isfinite(v)) {
            llp_data_free(&t);
            return llp__fail(err, LLP_ERR_NONFINITE, img_name, 0, 0, "image %lu has a NaN or Inf value",
                             (unsigned long)(i / d));
        }
        t.x[i] = (llp_real)v;
    }
    for (i = 0; i < n; i++) t.labels[i] = (int)llp__idx_elem(lab + loff, ltype, i);
    *out = t;
    return LLP_OK;
}

LLPDEF llp_result llp_data_parse_idx(llp_data *out, const unsigned char *images, size_t images_len,
                                     const unsigned char *labels, size_t labels_len, size_t max_samples,
                                     const char *name, llp_error *err) {
    unsigned char *img = NULL, *lab = NULL;
    size_t ilen = 0, llen = 0;
    int rc;
    llp_result r;
    llp__clear_error(err);
    if (!out || !images || !labels) return llp__fail(err, LLP_ERR_ARG, name, 0, 0, "missing buffer");
    rc = llp__gunzip(images, images_len, &img, &ilen);
    if (rc != 0) return llp__gz_result(rc, name, err);
    rc = llp__gunzip(labels, labels_len, &lab, &llen);
    if (rc != 0) {
        LLP_FREE(img);
        return llp__gz_result(rc, name, err);
    }
    r = llp__parse_idx_raw(out, img, ilen, lab, llen, max_samples, name, name, err);
    LLP_FREE(img);
    LLP_FREE(lab);
    return r;
}

LLPDEF llp_result llp_data_load_idx(llp_data *out, const char *images_path, const char *labels_path,
                                    size_t max_samples, llp_error *err) {
    unsigned char *ib = NULL, *lb = NULL;
    size_t il = 0, ll = 0;
    llp_result r;
    llp__clear_error(err);
    if (!out) return llp__fail(err, LLP_ERR_ARG, images_path, 0, 0, "no output data set");
    r = llp__read_file_gz(images_path, &ib, &il, err);
    if (r != LLP_OK) return r;
    r = llp__read_file_gz(labels_path, &lb, &ll, err);
    if (r == LLP_OK) r = llp__parse_idx_raw(out, ib, il, lb, ll, max_samples, images_path, labels_path, err);
    LLP_FREE(ib);
    LLP_FREE(lb);
    return r;
}

LLPDEF llp_result llp_data_standardize(llp_data *data, llp_real *mean, llp_real *std) {
    size_t i, j, n, d;
    llp_real *m, *s;
    llp_result r;
    if (!data || !data->x || data->n == 0 || data->d == 0) return LLP_ERR_ARG;
    n = data->n;
    d = data->d;
    m = (llp_real *)LLP_MALLOC(2 * d * sizeof(llp_real));
    if (!m) return LLP_ERR_NOMEM;
    s = m + d;
    {
        /* row-major passes (cache friendly); sums in double, fixed order */
        double *acc = (double *)LLP_MALLOC(2 * d * sizeof(double)), *var;
        unsigned char *constant = (unsigned char *)LLP_MALLOC(d);
        if (!acc || !constant) {
            LLP_FREE(acc);
            LLP_FREE(constant);
            LLP_FREE(m);
            return LLP_ERR_NOMEM;
        }
        var = acc + d;
        memset(constant, 1, d);
        for (j = 0; j < d; j++) acc[j] = var[j] = 0;
        for (i = 0; i < n; i++)
            for (j = 0; j < d; j++) {
                acc[j] += data->x[i * d + j];
                constant[j] &= data->x[i * d + j] == data->x[j];
            }
        for (j = 0; j < d; j++) acc[j] /= (double)n;
        for (i = 0; i < n; i++)
            for (j = 0; j < d; j++) {
                double t = data->x[i * d + j] - acc[j];
                var[j] += t * t;
            }
        for (j = 0; j < d; j++) {
            if (constant[j]) { /* exact: mean is the value, nothing to divide */
                m[j] = data->x[j];
                s[j] = 1;
            } else {
                double v = var[j] / (double)n;
                m[j] = (llp_real)acc[j];
                s[j] = v > 0 ? (llp_real)sqrt(v) : (llp_real)1;
            }
        }
        LLP_FREE(acc);
        LLP_FREE(constant);
    }
    r = llp_data_apply_standardization(data, m, s);
    if (mean) llp_copy(m, mean, d);
    if (std) llp_copy(s, std, d);
    LLP_FREE(m);
    return r;
}

LLPDEF llp_result llp_data_apply_standardization(llp_data *data, const llp_real *mean, const llp_real *std) {
    size_t i, j;
    if (!data || !data->x || !mean || !std) return LLP_ERR_ARG;
    for (j = 0; j < data->d; j++)
        if (!(std[j] > 0) || !llp__isfinite(mean[j]) || !llp__isfinite(std[j])) return LLP_ERR_ARG;
    for (i = 0; i < data->n; i++)
        for (j = 0; j < data->d; j++) data->x[i * data->d + j] = (data->x[i * data->d + j] - mean[j]) / std[j];
    return LLP_OK;
}

LLPDEF llp_result llp_data_shuffle(llp_data *data, llp_rng *rng) {
    size_t *perm;
    llp_data t;
    llp_result r;
    if (!data || !rng || !data->x) return LLP_ERR_ARG;
    perm = (size_t *)LLP_MALLOC(data->n * sizeof(size_t));
    if (!perm) return LLP_ERR_NOMEM;
    llp_rng_permutation(rng, perm, data->n);
    r = llp_data_subset(data, perm, data->n, &t);
    LLP_FREE(perm);
    if (r != LLP_OK) return r;
    llp_data_free(data);
    *data = t;
    return LLP_OK;
}

LLPDEF llp_result llp_data_split(const llp_data *src, double frac_val, double frac_test, llp_rng *rng,
                                 llp_data *train, llp_data *val, llp_data *test) {
    size_t *perm, nv, nt, ntr;
    llp_data a, b, c;
    llp_result r;
    memset(&b, 0, sizeof b);
    memset(&c, 0, sizeof c);
    if (!src || !rng || !train || !(frac_val >= 0) || !(frac_test >= 0) || frac_val + frac_test >= 1)
        return LLP_ERR_ARG;
    nv = (size_t)floor(frac_val * (double)src->n + 0.5);
    nt = (size_t)floor(frac_test * (double)src->n + 0.5);
    if ((nv && !val) || (nt && !test) || nv + nt >= src->n) return LLP_ERR_ARG;
    ntr = src->n - nv - nt;
    perm = (size_t *)LLP_MALLOC(src->n * sizeof(size_t));
    if (!perm) return LLP_ERR_NOMEM;
    llp_rng_permutation(rng, perm, src->n);
    r = llp_data_subset(src, perm, ntr, &a);
    if (r == LLP_OK && nv) {
        r = llp_data_subset(src, perm + ntr, nv, &b);
        if (r != LLP_OK) llp_data_free(&a);
    }
    if (r == LLP_OK && nt) {
        r = llp_data_subset(src, perm + ntr + nv, nt, &c);
        if (r != LLP_OK) llp_data_free(&a), llp_data_free(&b);
    }
    LLP_FREE(perm);
    if (r != LLP_OK) return r;
    *train = a;
    if (val) *val = b;
    if (test) *test = c;
    return LLP_OK;
}

LLPDEF llp_result llp_data_spirals(llp_data *out, size_t n, double turns, double noise, llp_rng *rng) {
    llp_data t;
    size_t i;
    llp_result r;
    if (!rng || n < 2 || !(noise >= 0)) return LLP_ERR_ARG;
    if (turns <= 0) turns = 1.5;
    r = llp_data_alloc(&t, n, 2, LLP_TASK_CLASSIFICATION, 2);
    if (r != LLP_OK) return r;
    for (i = 0; i < n; i++) {
        int cls = (int)(i % 2);
        double u = (double)(i / 2) / (double)((n + 1) / 2); /* radius fraction in [0, 1) */
        double ang = 2.0 * LLP__PI * turns * u + (cls ? LLP__PI : 0.0);
        double rad = 0.1 + u;
        t.x[2 * i] = (llp_real)(rad * cos(ang) + noise * llp_rng_normal(rng));
        t.x[2 * i + 1] = (llp_real)(rad * sin(ang) + noise * llp_rng_normal(rng));
        t.labels[i] = cls;
    }
    *out = t;
    return LLP_OK;
}

LLPDEF llp_result llp_data_moons(llp_data *out, size_t n, double noise, llp_rng *rng) {
    llp_data t;
    size_t i;
    llp_result r;
    if (!rng || n < 2 || !(noise >= 0)) return LLP_ERR_ARG;
    r = llp_data_alloc(&t, n, 2, LLP_TASK_CLASSIFICATION, 2);
    if (r != LLP_OK) return r;
    for (i = 0; i < n; i++) {
        int cls = (int)(i % 2);
        double a = LLP__PI * llp_rng_uniform(rng);
        double x = cls ? 1.0 - cos(a) : cos(a);
        double y = cls ? 0.5 - sin(a) : sin(a);
        t.x[2 * i] = (llp_real)(x + noise * llp_rng_normal(rng));
        t.x[2 * i + 1] = (llp_real)(y + noise * llp_rng_normal(rng));
        t.labels[i] = cls;
    }
    *out = t;
    return LLP_OK;
}

LLPDEF llp_result llp_data_blobs(llp_data *out, size_t n, size_t d, size_t k, double spread, llp_rng *rng) {
    llp_data t;
    llp_real *c;
    size_t i, j;
    llp_result r;
    if (!rng || n < k || d == 0 || k < 2 || !(spread >= 0)) return LLP_ERR_ARG;
    c = (llp_real *)LLP_MALLOC(k * d * sizeof(llp_real));
    if (!c) return LLP_ERR_NOMEM;
    r = llp_data_alloc(&t, n, d, LLP_TASK_CLASSIFICATION, k);
    if (r != LLP_OK) {
        LLP_FREE(c);
        return r;
    }
    for (i = 0; i < k * d; i++) c[i] = (llp_real)(10.0 * llp_rng_uniform(rng) - 5.0);
    for (i = 0; i < n; i++) {
        size_t cls = i % k;
        for (j = 0; j < d; j++) t.x[i * d + j] = (llp_real)(c[cls * d + j] + spread * llp_rng_normal(rng));
        t.labels[i] = (int)cls;
    }
    LLP_FREE(c);
    *out = t;
    return LLP_OK;
}

LLPDEF llp_result llp_data_sine(llp_data *out, size_t n, double noise, llp_rng *rng) {
    llp_data t;
    size_t i;
    llp_result r;
    if (!rng || !(noise >= 0)) return LLP_ERR_ARG;
    r = llp_data_alloc(&t, n, 1, LLP_TASK_REGRESSION, 1);
    if (r != LLP_OK) return r;
    for (i = 0; i < n; i++) {
        double x = LLP__PI * (2.0 * llp_rng_uniform(rng) - 1.0);
        t.x[i] = (llp_real)x;
        t.y[i] = (llp_real)(sin(x) + noise * llp_rng_normal(rng));
    }
    *out = t;
    return LLP_OK;
}

/* ---- 11.4 objective & batches ------------------------------------------ */

LLPDEF llp_batch llp_batch_all(void) {
    llp_batch b;
    memset(&b, 0, sizeof b);
    b.kind = LLP_BATCH_ALL;
    return b;
}

LLPDEF llp_batch llp_batch_range(size_t start, size_t count) {
    llp_batch b = llp_batch_all();
    b.kind = LLP_BATCH_RANGE;
    b.start = start;
    b.count = count;
    return b;
}

LLPDEF llp_batch llp_batch_index(const size_t *index, size_t count) {
    llp_batch b = llp_batch_all();
    b.kind = LLP_BATCH_INDEX;
    b.index = index;
    b.count = count;
    return b;
}

LLPDEF size_t llp_batch_size(const llp_batch *batch, size_t n_samples) {
    if (!batch || batch->kind == LLP_BATCH_ALL) return n_samples;
    return batch->count;
}

/* Check a batch against n samples. */
static llp_result llp__batch_check(const llp_batch *b, size_t n) {
    size_t i;
    if (!b || b->kind == LLP_BATCH_ALL) return n ? LLP_OK : LLP_ERR_EMPTY;
    if (b->count == 0) return LLP_ERR_EMPTY;
    if (b->kind == LLP_BATCH_RANGE) return b->start <= n && b->count <= n - b->start ? LLP_OK : LLP_ERR_ARG;
    if (b->kind != LLP_BATCH_INDEX || !b->index) return LLP_ERR_ARG;
    for (i = 0; i < b->count; i++)
        if (b->index[i] >= n) return LLP_ERR_ARG;
    return LLP_OK;
}

LLPDEF llp_objective llp_objective_from_callbacks(size_t n, size_t n_samples, llp_loss_grad_fn loss_grad,
                                                  llp_hvp_fn hvp, void *ctx) {
    llp_objective f;
    memset(&f, 0, sizeof f);
    f.n = n;
    f.n_samples = n_samples;
    f.loss_grad = loss_grad;
    f.hvp = hvp;
    f.ctx = ctx;
    f.name = "callbacks";
    return f;
}

LLPDEF llp_result llp_objective_loss(const llp_objective *f, const llp_real *theta, const llp_batch *batch,
                                     llp_real *loss) {
    if (!f || !f->loss_grad || !theta || !loss) return LLP_ERR_ARG;
    return f->loss_grad(f->ctx, theta, batch, loss, NULL);
}

LLPDEF llp_result llp_objective_loss_grad(const llp_objective *f, const llp_real *theta,
                                          const llp_batch *batch, llp_real *loss, llp_real *grad) {
    llp_real l;
    if (!f || !f->loss_grad || !theta) return LLP_ERR_ARG;
    return f->loss_grad(f->ctx, theta, batch, loss ? loss : &l, grad);
}

LLPDEF llp_result llp_hvp_fd(const llp_objective *f, const llp_real *theta, const llp_real *v,
                             const llp_batch *batch, llp_real *hv, llp_real *work) {
    llp_real *tp, *gp, *gm, l = 0, *own = NULL;
    double nv, nt, h, eps = LLP_REAL_IS_FLOAT ? (double)FLT_EPSILON : DBL_EPSILON;
    size_t i, n;
    llp_result r;
    if (!f || !f->loss_grad || !theta || !v || !hv) return LLP_ERR_ARG;
    n = f->n;
    if (n == 0) return LLP_OK;
    nv = llp_nrm2(v, n);
    if (nv == 0) {
        llp_fill(0, hv, n);
        return LLP_OK;
    }
    if (!llp__isfinite(nv)) return LLP_ERR_NONFINITE;
    if (!work) {
        own = (llp_real *)LLP_MALLOC(3 * n * sizeof(llp_real));
        if (!own) return LLP_ERR_NOMEM;
        work = own;
    }
    tp = work;
    gp = work + n;
    gm = work + 2 * n;
    nt = llp_nrm2(theta, n);
    h = cbrt(eps) * (1.0 + nt) / nv;
    for (i = 0; i < n; i++) tp[i] = (llp_real)(theta[i] + h * v[i]);
    r = f->loss_grad(f->ctx, tp, batch, &l, gp);
    if (r == LLP_OK) {
        for (i = 0; i < n; i++) tp[i] = (llp_real)(theta[i] - h * v[i]);
        r = f->loss_grad(f->ctx, tp, batch, &l, gm);
    }
    if (r == LLP_OK)
        for (i = 0; i < n; i++) hv[i] = (llp_real)(((double)gp[i] - gm[i]) / (2.0 * h));
    LLP_FREE(own);
    return r;
}

LLPDEF llp_result llp_objective_hvp(const llp_objective *f, const llp_real *theta, const llp_real *v,
                                    const llp_batch *batch, llp_real *hv) {
    if (!f || !theta || !v || !hv) return LLP_ERR_ARG;
    if (f->hvp) return f->hvp(f->ctx, theta, v, batch, hv);
    return llp_hvp_fd(f, theta, v, batch, hv, NULL);
}

LLPDEF llp_result llp_objective_hvp_block(const llp_objective *f, const llp_real *theta, const llp_real *V, size_t k,
                                          const llp_batch *batch, llp_real *HV) {
    size_t j;
    if (!f || !theta || (k && (!V || !HV))) return LLP_ERR_ARG;
    if (k == 0) return LLP_OK;
    if (f->hvp_block) return f->hvp_block(f->ctx, theta, V, k, batch, HV);
    for (j = 0; j < k; j++) {
        llp_result r = llp_objective_hvp(f, theta, V + j * f->n, batch, HV + j * f->n);
        if (r != LLP_OK) return r;
    }
    return LLP_OK;
}

/* ---- 11.5 analytic landscapes ------------------------------------------ */

LLPDEF const char *llp_landscape_name(llp_landscape_kind kind) {
    switch (kind) {
    case LLP_LANDSCAPE_SADDLE: return "saddle";
    case LLP_LANDSCAPE_QUADRATIC: return "quadratic";
    case LLP_LANDSCAPE_SKEWED_BOWL: return "skewed_bowl";
    case LLP_LANDSCAPE_QUARTIC: return "quartic";
    case LLP_LANDSCAPE_SINCOS: return "sincos";
    case LLP_LANDSCAPE_ROSENBROCK: return "rosenbrock";
    case LLP_LANDSCAPE_RASTRIGIN: return "rastrigin";
    case LLP_LANDSCAPE_ACKLEY: return "ackley";
    case LLP_LANDSCAPE_STYBLINSKI_TANG: return "styblinski_tang";
    }
    return "unknown";
}

LLPDEF llp_result llp_landscape_init(llp_landscape *ls, const llp_landscape_desc *desc, llp_rng *rng) {
    llp_landscape t;
    size_t n, i, j, k;
    if (!ls || !desc) return LLP_ERR_ARG;
    memset(&t, 0, sizeof t);
    n = desc->n ? desc->n : 2;
    t.kind = desc->kind;
    t.n = n;
    t.cond = desc->cond > 0 ? desc->cond : 100.0;
    t.amplitude = desc->amplitude != 0 ? desc->amplitude : 10.0;
    switch (desc->kind) {
    case LLP_LANDSCAPE_SADDLE: case LLP_LANDSCAPE_ROSENBROCK:
        if (n < 2) return LLP_ERR_ARG;
        break;
    case LLP_LANDSCAPE_SKEWED_BOWL:
        if (n != 2) return LLP_ERR_ARG;
        break;
    case LLP_LANDSCAPE_SINCOS:
        if (n % 2) return LLP_ERR_ARG;
        break;
    case LLP_LANDSCAPE_QUADRATIC:
        if (!(desc->cond >= 0) || (desc->cond > 0 && desc->cond < 1)) return LLP_ERR_ARG;
        if (desc->rotate && !rng) return LLP_ERR_ARG;
        break;
    case LLP_LANDSCAPE_QUARTIC: case LLP_LANDSCAPE_RASTRIGIN: case LLP_LANDSCAPE_ACKLEY:
    case LLP_LANDSCAPE_STYBLINSKI_TANG:
        break;
    default: return LLP_ERR_ARG;
    }
    if (desc->kind == LLP_LANDSCAPE_QUADRATIC) {
        size_t nn = llp__mul(n, n);
        if (!nn) return LLP_ERR_NOMEM;
        t.lambda = (llp_real *)LLP_MALLOC(2 * n * sizeof(llp_real));
        if (!t.lambda) return LLP_ERR_NOMEM;
        t.work = t.lambda + n;
        for (i = 0; i < n; i++) t.lambda[i] = (llp_real)(n > 1 ? pow(t.cond, (double)i / (double)(n - 1)) : 1.0);
        if (desc->rotate) {
            t.q = (llp_real *)LLP_MALLOC(nn * sizeof(llp_real));
            if (!t.q) {
                LLP_FREE(t.lambda);
                return LLP_ERR_NOMEM;
            }
            /* Q = orthonormalised Gaussian matrix (modified Gram–Schmidt, twice
               for numerical orthogonality); column j at q[i*n + j]. */
            llp_rng_fill_normal(rng, t.q, nn);
            for (j = 0; j < n; j++) {
                int pass;
                double nrm = 0;
                for (pass = 0; pass < 2; pass++)
                    for (k = 0; k < j; k++) {
                        double d = 0;
                        for (i = 0; i < n; i++) d += (double)t.q[i * n + j] * t.q[i * n + k];
                        for (i = 0; i < n; i++) t.q[i * n + j] -= (llp_real)(d * t.q[i * n + k]);
                    }
                for (i = 0; i < n; i++) nrm += (double)t.q[i * n + j] * t.q[i * n + j];
                nrm = sqrt(nrm);
                for (i = 0; i < n; i++) t.q[i * n + j] /= (llp_real)nrm;
            }
        }
    }
    *ls = t;
    return LLP_OK;
}

LLPDEF void llp_landscape_free(llp_landscape *ls) {
    if (!ls) return;
    LLP_FREE(ls->lambda);
    LLP_FREE(ls->q);
    memset(ls, 0, sizeof *ls);
}

/* y = Q^T x (transpose 0) or y = Q x (transpose 1 means apply Q). */
static void llp__qmul(const llp_landscape *ls, const llp_real *x, llp_real *y, int apply_q) {
    size_t i, j, n = ls->n;
    if (!ls->q) {
        llp_copy(x, y, n);
        return;
    }
    if (apply_q) {
        for (i = 0; i < n; i++) {
            double s = 0;
            for (j = 0; j < n; j++) s += (double)ls->q[i * n + j] * x[j];
            y[i] = (llp_real)s;
        }
    } else {
        for (j = 0; j < n; j++) y[j] = 0;
        for (i = 0; i < n; i++)
            for (j = 0; j < n; j++) y[j] += ls->q[i * n + j] * x[i];
    }
}

LLPDEF llp_result llp_landscape_eval(llp_landscape *ls, const llp_real *x, llp_real *fout, llp_real *g) {
    size_t i, n;
    double f = 0;
    if (!ls || !x || !fout) return LLP_ERR_ARG;
    n = ls->n;
    switch (ls->kind) {
    case LLP_LANDSCAPE_SADDLE: {
        size_t k = (n + 1) / 2;
        for (i = 0; i < n; i++) {
            double s = i < k ? 1.0 : -1.0;
            f += s * x[i] * x[i];
            if (g) g[i] = (llp_real)(2.0 * s * x[i]);
        }
        break;
    }
    case LLP_LANDSCAPE_QUADRATIC: {
        llp_real *y = ls->work;
        llp__qmul(ls, x, y, 0);
        for (i = 0; i < n; i++) {
            f += 0.5 * ls->lambda[i] * (double)y[i] * y[i];
            y[i] *= ls->lambda[i];
        }
        if (g) llp__qmul(ls, y, g, 1);
        break;
    }
    case LLP_LANDSCAPE_SKEWED_BOWL:
        f = 0.5 * x[0] * x[0] + 10.0 * x[1] * x[1] + (double)x[0] * x[1];
        if (g) {
            g[0] = x[0] + x[1];
            g[1] = 20 * x[1] + x[0];
        }
        break;
    case LLP_LANDSCAPE_QUARTIC:
        for (i = 0; i < n; i++) {
            double t = x[i];
            f += t * t * t * t - 2 * t * t + 0.5 * t;
            if (g) g[i] = (llp_real)(4 * t * t * t - 4 * t + 0.5);
        }
        break;
    case LLP_LANDSCAPE_SINCOS:
        for (i = 0; i < n; i += 2) {
            double a = x[i], b = x[i + 1];
            f += sin(4 * a) * cos(4 * b) + 2 * (a * a + b * b);
            if (g) {
                g[i] = (llp_real)(4 * cos(4 * a) * cos(4 * b) + 4 * a);
                g[i + 1] = (llp_real)(-4 * sin(4 * a) * sin(4 * b) + 4 * b);
            }
        }
        break;
    case LLP_LANDSCAPE_ROSENBROCK:
        if (g) llp_fill(0, g, n);
        for (i = 0; i + 1 < n; i++) {
            double a = x[i], b = x[i + 1], d = b - a * a;
            f += 100 * d * d + (1 - a) * (1 - a);
            if (g) {
                g[i] += (llp_real)(-400 * a * d - 2 * (1 - a));
                g[i + 1] += (llp_real)(200 * d);
            }
        }
        break;
    case LLP_LANDSCAPE_RASTRIGIN: {
        double A = ls->amplitude;
        f = A * (double)n;
        for (i = 0; i < n; i++) {
            double t = x[i];
            f += t * t - A * cos(2 * LLP__PI * t);
            if (g) g[i] = (llp_real)(2 * t + 2 * LLP__PI * A * sin(2 * LLP__PI * t));
        }
        break;
    }
    case LLP_LANDSCAPE_ACKLEY: {
        double s = 0, c = 0, r, e1, ec, dn = (double)n;
        for (i = 0; i < n; i++) {
            s += (double)x[i] * x[i];
            c += cos(2 * LLP__PI * x[i]);
        }
        r = sqrt(s / dn);
        e1 = exp(-0.2 * r);
        ec = exp(c / dn);
        f = -20 * e1 - ec + 20 + LLP__E;
        if (g)
            for (i = 0; i < n; i++)
                g[i] = (llp_real)((r > 0 ? 4 * e1 * x[i] / (dn * r) : 0.0) +
                                  (2 * LLP__PI / dn) * ec * sin(2 * LLP__PI * x[i]));
        break;
    }
    case LLP_LANDSCAPE_STYBLINSKI_TANG:
        for (i = 0; i < n; i++) {
            double t = x[i];
            f += 0.5 * (t * t * t * t - 16 * t * t + 5 * t);
            if (g) g[i] = (llp_real)(2 * t * t * t - 16 * t + 2.5);
        }
        break;
    default: return LLP_ERR_ARG;
    }
    *fout = (llp_real)f;
    return LLP_OK;
}

LLPDEF llp_result llp_landscape_hessian(llp_landscape *ls, const llp_real *x, llp_real *h) {
    size_t i, j, n;
    if (!ls || !x || !h) return LLP_ERR_ARG;
    n = ls->n;
    llp_fill(0, h, n * n);
    switch (ls->kind) {
    case LLP_LANDSCAPE_SADDLE:
        for (i = 0; i < n; i++) h[i * n + i] = i < (n + 1) / 2 ? 2 : -2;
        break;
    case LLP_LANDSCAPE_QUADRATIC:
        for (i = 0; i < n; i++)
            for (j = 0; j < n; j++) {
                size_t k;
                double s = 0;
                if (!ls->q) {
                    s = i == j ? ls->lambda[i] : 0;
                } else {
                    for (k = 0; k < n; k++) s += (double)ls->q[i * n + k] * ls->lambda[k] * ls->q[j * n + k];
                }
                h[i * n + j] = (llp_real)s;
            }
        break;
    case LLP_LANDSCAPE_SKEWED_BOWL:
        h[0] = 1;
        h[1] = 1;
        h[2] = 1;
        h[3] = 20;
        break;
    case LLP_LANDSCAPE_QUARTIC:
        for (i = 0; i < n; i++) h[i * n + i] = (llp_real)(12.0 * x[i] * x[i] - 4);
        break;
    case LLP_LANDSCAPE_SINCOS:
        for (i = 0; i < n; i += 2) {
            double a = x[i], b = x[i + 1];
            double d = -16 * sin(4 * a) * cos(4 * b) + 4, o = -16 * cos(4 * a) * sin(4 * b);
            h[i * n + i] = (llp_real)d;
            h[(i + 1) * n + i + 1] = (llp_real)d;
            h[i * n + i + 1] = (llp_real)o;
            h[(i + 1) * n + i] = (llp_real)o;
        }
        break;
    case LLP_LANDSCAPE_ROSENBROCK:
        for (i = 0; i + 1 < n; i++) {
            double a = x[i], b = x[i + 1];
            h[i * n + i] += (llp_real)(1200 * a * a - 400 * b + 2);
            h[i * n + i + 1] += (llp_real)(-400 * a);
            h[(i + 1) * n + i] += (llp_real)(-400 * a);
            h[(i + 1) * n + i + 1] += 200;
        }
        break;
    case LLP_LANDSCAPE_RASTRIGIN:
        for (i = 0; i < n; i++)
            h[i * n + i] = (llp_real)(2 + 4 * LLP__PI * LLP__PI * ls->amplitude * cos(2 * LLP__PI * x[i]));
        break;
    case LLP_LANDSCAPE_ACKLEY: {
        double s = 0, c = 0, r, e1, ec, dn = (double)n, A, Ap, w = 2 * LLP__PI;
        for (i = 0; i < n; i++) {
            s += (double)x[i] * x[i];
            c += cos(w * x[i]);
        }
        if (s == 0) return LLP_ERR_UNSUPPORTED;
        r = sqrt(s / dn);
        e1 = exp(-0.2 * r);
        ec = exp(c / dn);
        A = 4 * e1 / (dn * r);                              /* g1_i = A(r) x_i */
        Ap = (4 / dn) * e1 * (-0.2 / r - 1 / (r * r));      /* dA/dr */
        for (i = 0; i < n; i++)
            for (j = 0; j < n; j++) {
                double v = Ap * x[i] * x[j] / (dn * r) - (w / dn) * (w / dn) * ec * sin(w * x[i]) * sin(w * x[j]);
                if (i == j) v += A + (w * w / dn) * ec * cos(w * x[i]);
                h[i * n + j] = (llp_real)v;
            }
        break;
    }
    case LLP_LANDSCAPE_STYBLINSKI_TANG:
        for (i = 0; i < n; i++) h[i * n + i] = (llp_real)(6.0 * x[i] * x[i] - 16);
        break;
    default: return LLP_ERR_ARG;
    }
    return LLP_OK;
}

/* hv = H(x) v without forming H (O(n) except the rotated quadratic). */
static llp_result llp__landscape_hvp(void *ctx, const llp_real *x, const llp_real *v, const llp_batch *batch,
                                     llp_real *hv) {
    llp_landscape *ls = (llp_landscape *)ctx;
    size_t i, n = ls->n;
    (void)batch;
    switch (ls->kind) {
    case LLP_LANDSCAPE_SADDLE:
        for (i = 0; i < n; i++) hv[i] = (i < (n + 1) / 2 ? 2 : -2) * v[i];
        break;
    case LLP_LANDSCAPE_QUADRATIC: {
        llp_real *y = ls->work;
        llp__qmul(ls, v, y, 0);
        for (i = 0; i < n; i++) y[i] *= ls->lambda[i];
        llp__qmul(ls, y, hv, 1);
        break;
    }
    case LLP_LANDSCAPE_SKEWED_BOWL: {
        llp_real a = v[0] + v[1], b = v[0] + 20 * v[1];
        hv[0] = a;
        hv[1] = b;
        break;
    }
    case LLP_LANDSCAPE_QUARTIC:
        for (i = 0; i < n; i++) hv[i] = (llp_real)((12.0 * x[i] * x[i] - 4) * v[i]);
        break;
    case LLP_LANDSCAPE_SINCOS:
        for (i = 0; i < n; i += 2) {
            double a = x[i], b = x[i + 1];
            double d = -16 * sin(4 * a) * cos(4 * b) + 4, o = -16 * cos(4 * a) * sin(4 * b);
            llp_real p = v[i], q = v[i + 1];
            hv[i] = (llp_real)(d * p + o * q);
            hv[i + 1] = (llp_real)(o * p + d * q);
        }
        break;
    case LLP_LANDSCAPE_ROSENBROCK:
        llp_fill(0, hv, n);
        for (i = 0; i + 1 < n; i++) {
            double a = x[i], b = x[i + 1];
            hv[i] += (llp_real)((1200 * a * a - 400 * b + 2) * v[i] - 400 * a * v[i + 1]);
            hv[i + 1] += (llp_real)(-400 * a * v[i] + 200 * v[i + 1]);
        }
        break;
    case LLP_LANDSCAPE_RASTRIGIN:
        for (i = 0; i < n; i++)
            hv[i] = (llp_real)((2 + 4 * LLP__PI * LLP__PI * ls->amplitude * cos(2 * LLP__PI * x[i])) * v[i]);
        break;
    case LLP_LANDSCAPE_ACKLEY: {
        double s = 0, c = 0, r, e1, ec, dn = (double)n, A, Ap, w = 2 * LLP__PI, xv = 0, sv = 0;
        for (i = 0; i < n; i++) {
            s += (double)x[i] * x[i];
            c += cos(w * x[i]);
            xv += (double)x[i] * v[i];
            sv += sin(w * x[i]) * v[i];
        }
        if (s == 0) return LLP_ERR_UNSUPPORTED;
        r = sqrt(s / dn);
        e1 = exp(-0.2 * r);
        ec = exp(c / dn);
        A = 4 * e1 / (dn * r);
        Ap = (4 / dn) * e1 * (-0.2 / r - 1 / (r * r));
        for (i = 0; i < n; i++)
            hv[i] = (llp_real)(Ap * x[i] * xv / (dn * r) - (w / dn) * (w / dn) * ec * sin(w * x[i]) * sv +
                               (A + (w * w / dn) * ec * cos(w * x[i])) * v[i]);
        break;
    }
    case LLP_LANDSCAPE_STYBLINSKI_TANG:
        for (i = 0; i < n; i++) hv[i] = (llp_real)((6.0 * x[i] * x[i] - 16) * v[i]);
        break;
    default: return LLP_ERR_ARG;
    }
    return LLP_OK;
}

static llp_result llp__landscape_loss_grad(void *ctx, const llp_real *x, const llp_batch *batch, llp_real *loss,
                                           llp_real *grad) {
    (void)batch;
    return llp_landscape_eval((llp_landscape *)ctx, x, loss, grad);
}

LLPDEF llp_objective llp_landscape_objective(llp_landscape *ls) {
    llp_objective f;
    memset(&f, 0, sizeof f);
    f.n = ls ? ls->n : 0;
    f.loss_grad = llp__landscape_loss_grad;
    f.hvp = llp__landscape_hvp;
    f.ctx = ls;
    f.name = ls ? llp_landscape_name(ls->kind) : "landscape";
    return f;
}

/* Newton's method on a 1-D cubic stationary equation a3 x^3 + a1 x + a0 = 0. */
static double llp__newton_cubic(double a3, double a1, double a0, double x) {
    int it;
    for (it = 0; it < 100; it++) {
        double fx = a3 * x * x * x + a1 * x + a0, dx = 3 * a3 * x * x + a1, step = fx / dx;
        x -= step;
        if (fabs(step) < 1e-17 * (1 + fabs(x))) break;
    }
    return x;
}

LLPDEF llp_result llp_landscape_minimum(const llp_landscape *ls, llp_real *x, llp_real *f) {
    size_t i, n;
    llp_landscape tmp;
    llp_real fv;
    if (!ls || !x) return LLP_ERR_ARG;
    n = ls->n;
    switch (ls->kind) {
    case LLP_LANDSCAPE_SADDLE: return LLP_ERR_UNSUPPORTED;
    case LLP_LANDSCAPE_ROSENBROCK: llp_fill(1, x, n); break;
    case LLP_LANDSCAPE_QUARTIC: llp_fill((llp_real)llp__newton_cubic(4, -4, 0.5, -1.1), x, n); break;
    case LLP_LANDSCAPE_STYBLINSKI_TANG: llp_fill((llp_real)llp__newton_cubic(2, -16, 2.5, -2.9), x, n); break;
    case LLP_LANDSCAPE_SINCOS: {
        /* 2-D minimiser of one pair: grid scan over [-1, 1]^2 then Newton. */
        double bx = 0, by = 0, bf = 1e300, a, b;
        int it, gi, gj;
        for (gi = 0; gi <= 400; gi++)
            for (gj = 0; gj <= 400; gj++) {
                double v;
                a = -1 + gi * 0.005;
                b = -1 + gj * 0.005;
                v = sin(4 * a) * cos(4 * b) + 2 * (a * a + b * b);
                if (v < bf) bf = v, bx = a, by = b;
            }
        for (it = 0; it < 50; it++) {
            double ga = 4 * cos(4 * bx) * cos(4 * by) + 4 * bx, gb = -4 * sin(4 * bx) * sin(4 * by) + 4 * by;
            double d = -16 * sin(4 * bx) * cos(4 * by) + 4, o = -16 * cos(4 * bx) * sin(4 * by);
            double det = d * d - o * o;
            bx -= (d * ga - o * gb) / det;
            by -= (-o * ga + d * gb) / det;
        }
        for (i = 0; i < n; i += 2) {
            x[i] = (llp_real)bx;
            x[i + 1] = (llp_real)by;
        }
        break;
    }
    default: llp_fill(0, x, n); break;
    }
    if (f) {
        tmp = *ls; /* eval needs scratch; minimum is const, use a copy of the struct */
        if (ls->kind == LLP_LANDSCAPE_QUADRATIC) {
            *f = 0;
            return LLP_OK;
        }
        llp_landscape_eval(&tmp, x, &fv, NULL);
        *f = fv;
    }
    return LLP_OK;
}

/* ---- 11.6 MLP & autodiff ------------------------------------------------ */

/* Blocking of the dense kernels (see "dense kernels" below). */
#if LLP_REAL_IS_FLOAT
#define LLP__MR 6
#define LLP__NR 16
#else
#define LLP__MR 6
#define LLP__NR 8
#endif
#define LLP__KC 256
#define LLP__MC 96
#define LLP__NC 1024
/* reals of packing scratch a workspace needs (+ room to align to 64 bytes) */
#define LLP__PACK_REALS (LLP__MC * LLP__KC + LLP__KC * (LLP__NC + LLP__NR) + 64)

LLPDEF const char *llp_act_name(llp_act a) {
    switch (a) {
    case LLP_ACT_DEFAULT: return "default";
    case LLP_ACT_IDENTITY: return "identity";
    case LLP_ACT_RELU: return "relu";
    case LLP_ACT_LEAKY_RELU: return "leaky_relu";
    case LLP_ACT_TANH: return "tanh";
    case LLP_ACT_SIGMOID: return "sigmoid";
    case LLP_ACT_SOFTPLUS: return "softplus";
    case LLP_ACT_GELU: return "gelu";
    }
    return "unknown";
}

LLPDEF const char *llp_loss_name(llp_loss l) {
    switch (l) {
    case LLP_LOSS_DEFAULT: return "default";
    case LLP_LOSS_MSE: return "mse";
    case LLP_LOSS_MAE: return "mae";
    case LLP_LOSS_SOFTMAX_CE: return "softmax_ce";
    case LLP_LOSS_BCE: return "bce";
    }
    return "unknown";
}

LLPDEF llp_result llp_mlp_init(llp_mlp *m, const llp_mlp_desc *desc) {
    llp_mlp t;
    int l;
    size_t off = 0;
    if (!m || !desc) return LLP_ERR_ARG;
    if (desc->n_layers < 1 || desc->n_layers > LLP_MAX_LAYERS) return LLP_ERR_ARG;
    if (!(desc->weight_decay >= 0) || !llp__isfinite(desc->weight_decay)) return LLP_ERR_ARG;
    if (!(desc->init_scale >= 0) || !llp__isfinite(desc->init_scale)) return LLP_ERR_ARG;
    if (!llp__isfinite(desc->leaky_slope)) return LLP_ERR_ARG;
    if ((int)desc->act < 0 || (int)desc->act > (int)LLP_ACT_GELU) return LLP_ERR_ARG;
    if ((int)desc->loss < 0 || (int)desc->loss > (int)LLP_LOSS_BCE) return LLP_ERR_ARG;
    if ((int)desc->init < 0 || (int)desc->init > (int)LLP_INIT_HE) return LLP_ERR_ARG;
    memset(&t, 0, sizeof t);
    t.n_layers = desc->n_layers;
    t.loss = desc->loss ? desc->loss : LLP_LOSS_SOFTMAX_CE;
    t.weight_decay = desc->weight_decay;
    t.leaky_slope = desc->leaky_slope != 0 ? desc->leaky_slope : 0.01;
    t.init = desc->init;
    t.init_scale = desc->init_scale > 0 ? desc->init_scale : 1.0;
    for (l = 0; l <= t.n_layers; l++) {
        if (desc->sizes[l] < 1 || desc->sizes[l] > (1 << 24)) return LLP_ERR_ARG;
        t.sizes[l] = desc->sizes[l];
        if (t.sizes[l] > t.max_width) t.max_width = t.sizes[l];
    }
    for (l = 0; l < t.n_layers; l++) {
        size_t in = (size_t)t.sizes[l], out = (size_t)t.sizes[l + 1];
        llp_act a = desc->layer_act[l] ? desc->layer_act[l] : desc->act;
        if ((int)a < 0 || (int)a > (int)LLP_ACT_GELU) return LLP_ERR_ARG;
        t.act[l] = l == t.n_layers - 1 ? LLP_ACT_IDENTITY : (a ? a : LLP_ACT_TANH);
        t.w_off[l] = off;
        off += in * out;
        t.b_off[l] = off;
        off += out;
    }
    if (t.loss == LLP_LOSS_SOFTMAX_CE && t.sizes[t.n_layers] < 2) return LLP_ERR_ARG;
    t.n_params = off;
    t.theta = (llp_real *)LLP_MALLOC(off * sizeof(llp_real));
    if (!t.theta) return LLP_ERR_NOMEM;
    llp_fill(0, t.theta, off);
    *m = t;
    return LLP_OK;
}

LLPDEF void llp_mlp_free(llp_mlp *m) {
    if (!m) return;
    LLP_FREE(m->theta);
    memset(m, 0, sizeof *m);
}

LLPDEF llp_mlp_desc llp_mlp_get_desc(const llp_mlp *m) {
    llp_mlp_desc d;
    int l;
    memset(&d, 0, sizeof d);
    d.n_layers = m->n_layers;
    for (l = 0; l <= m->n_layers; l++) d.sizes[l] = m->sizes[l];
    d.act = m->n_layers > 1 ? m->act[0] : LLP_ACT_TANH;
    for (l = 0; l + 1 < m->n_layers; l++) d.layer_act[l] = m->act[l];
    d.loss = m->loss;
    d.weight_decay = m->weight_decay;
    d.leaky_slope = m->leaky_slope;
    d.init = m->init;
    d.init_scale = m->init_scale;
    return d;
}

LLPDEF void llp_mlp_randomize(const llp_mlp *m, llp_real *theta, llp_rng *rng) {
    int l, he;
    llp_act a0 = m->n_layers > 1 ? m->act[0] : LLP_ACT_IDENTITY;
    if (m->init == LLP_INIT_HE) he = 1;
    else if (m->init == LLP_INIT_GLOROT) he = 0;
    else he = a0 == LLP_ACT_RELU || a0 == LLP_ACT_LEAKY_RELU || a0 == LLP_ACT_GELU;
    for (l = 0; l < m->n_layers; l++) {
        size_t in = (size_t)m->sizes[l], out = (size_t)m->sizes[l + 1], i;
        double sd = m->init_scale * (he ? sqrt(2.0 / (double)in) : sqrt(2.0 / (double)(in + out)));
        for (i = 0; i < in * out; i++) theta[m->w_off[l] + i] = (llp_real)(sd * llp_rng_normal(rng));
        llp_fill(0, theta + m->b_off[l], out);
    }
}

LLPDEF llp_result llp_mlp_check_data(const llp_mlp *m, const llp_data *data, llp_error *err) {
    size_t k;
    llp__clear_error(err);
    if (!m || !data || !data->x) return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0, "no model or no data");
    k = (size_t)m->sizes[m->n_layers];
    if (data->d != (size_t)m->sizes[0])
        return llp__fail(err, LLP_ERR_SHAPE, NULL, 0, 0, "data has %lu features but the model takes %d inputs",
                         (unsigned long)data->d, m->sizes[0]);
    if (data->task == LLP_TASK_CLASSIFICATION) {
        if (m->loss == LLP_LOSS_SOFTMAX_CE && data->n_classes != k)
            return llp__fail(err, LLP_ERR_SHAPE, NULL, 0, 0, "data has %lu classes but the model has %lu outputs",
                             (unsigned long)data->n_classes, (unsigned long)k);
        if (m->loss != LLP_LOSS_SOFTMAX_CE && !(k == data->n_classes || (k == 1 && data->n_classes == 2)))
            return llp__fail(err, LLP_ERR_SHAPE, NULL, 0, 0,
                             "%s on %lu classes needs %lu outputs (one-hot) or 1 output (two classes), model has %lu",
                             llp_loss_name(m->loss), (unsigned long)data->n_classes,
                             (unsigned long)data->n_classes, (unsigned long)k);
    } else if (data->task == LLP_TASK_REGRESSION) {
        if (m->loss == LLP_LOSS_SOFTMAX_CE)
            return llp__fail(err, LLP_ERR_SHAPE, NULL, 0, 0, "softmax cross-entropy needs class labels");
        if (data->k != k)
            return llp__fail(err, LLP_ERR_SHAPE, NULL, 0, 0, "data has %lu targets per sample but the model has %lu outputs",
                             (unsigned long)data->k, (unsigned long)k);
    } else {
        return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0, "data has no task");
    }
    return LLP_OK;
}

LLPDEF llp_result llp_mlp_work_init_block(llp_mlp_work *w, const llp_mlp *m, size_t max_batch, size_t max_vectors) {
    llp_mlp_work t;
    size_t total = 0, B, K, off = 0, BW;
    int l;
    char *p;
    if (!w || !m || !m->n_layers) return LLP_ERR_ARG;
    memset(&t, 0, sizeof t);
    B = max_batch ? max_batch : 256;
    K = max_vectors ? max_vectors : 1;
    if (!llp__mul(B, K) || !llp__mul(B * K, (size_t)m->max_width)) return LLP_ERR_NOMEM;
    t.max_batch = B;
    t.max_vectors = K;
    t.n_layers = m->n_layers;
    BW = B * (size_t)m->max_width;
    for (l = 0; l < m->n_layers; l++) total += (2 + 2 * K + (K > 1 ? 2 : 0)) * B * (size_t)m->sizes[l + 1];
    total += 2 * BW + 2 * K * BW + B * (size_t)m->sizes[0] + LLP__PACK_REALS;
    if (!llp__mul(total, sizeof(llp_real)) || !llp__mul(B, sizeof(size_t))) return LLP_ERR_NOMEM;
    /* the row indices go first: size_t alignment must not depend on how
       many (possibly 4-byte) reals precede them */
    p = (char *)LLP_MALLOC(B * sizeof(size_t) + total * sizeof(llp_real));
    if (!p) return LLP_ERR_NOMEM;
    t.block = p;
    t.rows = (size_t *)(void *)p;
    p += B * sizeof(size_t);
#define LLP__TAKE(ptr, cnt) (ptr = (llp_real *)(void *)(p + off * sizeof(llp_real)), off += (cnt))
    for (l = 0; l < m->n_layers; l++) {
        size_t c = B * (size_t)m->sizes[l + 1];
        LLP__TAKE(t.z[l], c);
        LLP__TAKE(t.a[l], c);
        LLP__TAKE(t.rz[l], K * c);
        LLP__TAKE(t.ra[l], K * c);
        if (K > 1) {
            LLP__TAKE(t.ga[l], c);
            LLP__TAKE(t.gz[l], c);
        }
    }
    LLP__TAKE(t.g0, BW);
    LLP__TAKE(t.g1, BW);
    LLP__TAKE(t.r0, K * BW);
    LLP__TAKE(t.r1, K * BW);
    LLP__TAKE(t.x, B * (size_t)m->sizes[0]);
    LLP__TAKE(t.pack, LLP__PACK_REALS);
#undef LLP__TAKE
    *w = t;
    return LLP_OK;
}

LLPDEF llp_result llp_mlp_work_init(llp_mlp_work *w, const llp_mlp *m, size_t max_batch) {
    return llp_mlp_work_init_block(w, m, max_batch, 1);
}

LLPDEF void llp_mlp_work_free(llp_mlp_work *w) {
    if (!w) return;
    LLP_FREE(w->block);
    memset(w, 0, sizeof *w);
}

/* -- dense kernels ---------------------------------------------------------
   Every dense product is one general kernel, C(M,N) += A(M,K) B(K,N), where A
   and B are read through strides (so transposes cost nothing). It follows the
   classic blocked design: B is packed in KC x NC blocks into panels of NR
   columns, A in MC x KC blocks into panels of MR rows, and a register-tiled
   MR x NR micro-kernel multiplies one A panel by one B panel. Packing makes
   every micro-kernel read contiguous, aligned and cache-resident; the sums
   over k run in the same order for every element whatever the blocking of M
   and N, so results do not depend on how rows are split.
   The micro-kernel has two versions: portable C (GCC/Clang vector extensions
   where available, else scalar; SSE2 on baseline x86-64, NEON on aarch64),
   and, on x86-64 with GCC or Clang, an AVX2+FMA version chosen at run time
   when the CPU has it (define LLP_NO_SIMD_DISPATCH to always use the portable
   one). The two differ in rounding (FMA), so bytes agree within one build on
   one machine, as promised, not across CPUs. */


#if (defined(__x86_64__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(LLP_NO_SIMD_DISPATCH)
#define LLP__HAVE_AVX2_KERNEL 1
#include <immintrin.h>
#else
#define LLP__HAVE_AVX2_KERNEL 0
#endif

/* Add the MR x NR tile t (row stride NR) to C, m x n valid entries. */
static void llp__tile_add(llp_real *c, size_t ldc, const llp_real *t, size_t m, size_t n) {
    size_t i, j;
    for (i = 0; i < m; i++)
        for (j = 0; j < n; j++) c[i * ldc + j] += t[i * LLP__NR + j];
}

/* Portable micro-kernel: t(MR, NR) = sum_k ap[k][0..MR) (x) bp[k][0..NR). */
static void llp__ukernel_portable(size_t K, const llp_real *LLP__RESTRICT ap, const llp_real *LLP__RESTRICT bp,
                                  llp_real *c, size_t ldc, size_t m, size_t n) {
#if defined(__GNUC__) || defined(__clang__)
    typedef llp_real llp__v2 __attribute__((vector_size(16)));
#define LLP__VW ((int)(16 / sizeof(llp_real)))
    llp__v2 acc[LLP__MR][LLP__NR / LLP__VW];
    llp_real t[LLP__MR * LLP__NR];
    size_t k;
    int i, j;
    memset(acc, 0, sizeof acc);
    for (k = 0; k < K; k++) {
        llp__v2 b[LLP__NR / LLP__VW];
        for (j = 0; j < LLP__NR / LLP__VW; j++) memcpy(&b[j], bp + j * LLP__VW, sizeof b[j]);
        for (i = 0; i < LLP__MR; i++) {
            llp__v2 a;
            for (j = 0; j < LLP__VW; j++) a[j] = ap[i];
            for (j = 0; j < LLP__NR / LLP__VW; j++) acc[i][j] += a * b[j];
        }
        ap += LLP__MR;
        bp += LLP__NR;
    }
    for (i = 0; i < LLP__MR; i++)
        for (j = 0; j < LLP__NR / LLP__VW; j++) memcpy(t + i * LLP__NR + j * LLP__VW, &acc[i][j], sizeof acc[i][j]);
#undef LLP__VW
#else
    llp_real t[LLP__MR * LLP__NR];
    size_t k;
    int i, j;
    for (i = 0; i < LLP__MR * LLP__NR; i++) t[i] = 0;
    for (k = 0; k < K; k++) {
        for (i = 0; i < LLP__MR; i++)
            for (j = 0; j < LLP__NR; j++) t[i * LLP__NR + j] += ap[i] * bp[j];
        ap += LLP__MR;
        bp += LLP__NR;
    }
#endif
    llp__tile_add(c, ldc, t, m, n);
}

#if LLP__HAVE_AVX2_KERNEL
/* AVX2+FMA micro-kernel: 6 rows x 2 vectors, twelve accumulators in registers. */
#if LLP_REAL_IS_FLOAT
#define LLP__VT __m256
#define LLP__VZERO _mm256_setzero_ps
#define LLP__VLOAD _mm256_load_ps
#define LLP__VLOADU _mm256_loadu_ps
#define LLP__VSTOREU _mm256_storeu_ps
#define LLP__VADD _mm256_add_ps
#define LLP__VBCAST _mm256_broadcast_ss
#define LLP__VFMA _mm256_fmadd_ps
#else
#define LLP__VT __m256d
#define LLP__VZERO _mm256_setzero_pd
#define LLP__VLOAD _mm256_load_pd
#define LLP__VLOADU _mm256_loadu_pd
#define LLP__VSTOREU _mm256_storeu_pd
#define LLP__VADD _mm256_add_pd
#define LLP__VBCAST _mm256_broadcast_sd
#define LLP__VFMA _mm256_fmadd_pd
#endif
#define LLP__VN (LLP__NR / 2) /* reals per vector */
__attribute__((target("avx2,fma"))) static void llp__ukernel_avx2(size_t K, const llp_real *ap, const llp_real *bp,
                                                                   llp_real *c, size_t ldc, size_t m, size_t n) {
    LLP__VT c00 = LLP__VZERO(), c01 = LLP__VZERO(), c10 = LLP__VZERO(), c11 = LLP__VZERO();
    LLP__VT c20 = LLP__VZERO(), c21 = LLP__VZERO(), c30 = LLP__VZERO(), c31 = LLP__VZERO();
    LLP__VT c40 = LLP__VZERO(), c41 = LLP__VZERO(), c50 = LLP__VZERO(), c51 = LLP__VZERO();
    size_t k;
    for (k = 0; k < K; k++) {
        LLP__VT b0 = LLP__VLOAD(bp), b1 = LLP__VLOAD(bp + LLP__VN), a;
        a = LLP__VBCAST(ap + 0);
        c00 = LLP__VFMA(a, b0, c00);
        c01 = LLP__VFMA(a, b1, c01);
        a = LLP__VBCAST(ap + 1);
        c10 = LLP__VFMA(a, b0, c10);
        c11 = LLP__VFMA(a, b1, c11);
        a = LLP__VBCAST(ap + 2);
        c20 = LLP__VFMA(a, b0, c20);
        c21 = LLP__VFMA(a, b1, c21);
        a = LLP__VBCAST(ap + 3);
        c30 = LLP__VFMA(a, b0, c30);
        c31 = LLP__VFMA(a, b1, c31);
        a = LLP__VBCAST(ap + 4);
        c40 = LLP__VFMA(a, b0, c40);
        c41 = LLP__VFMA(a, b1, c41);
        a = LLP__VBCAST(ap + 5);
        c50 = LLP__VFMA(a, b0, c50);
        c51 = LLP__VFMA(a, b1, c51);
        ap += LLP__MR;
        bp += LLP__NR;
    }
    if (m == LLP__MR && n == LLP__NR) {
#define LLP__ROW(r, x0, x1)                                                                                   \
    LLP__VSTOREU(c + (r) * ldc, LLP__VADD(LLP__VLOADU(c + (r) * ldc), x0));                                   \
    LLP__VSTOREU(c + (r) * ldc + LLP__VN, LLP__VADD(LLP__VLOADU(c + (r) * ldc + LLP__VN), x1))
        LLP__ROW(0, c00, c01);
        LLP__ROW(1, c10, c11);
        LLP__ROW(2, c20, c21);
        LLP__ROW(3, c30, c31);
        LLP__ROW(4, c40, c41);
        LLP__ROW(5, c50, c51);
#undef LLP__ROW
    } else {
        llp_real t[LLP__MR * LLP__NR];
        LLP__VSTOREU(t + 0 * LLP__NR, c00);
        LLP__VSTOREU(t + 0 * LLP__NR + LLP__VN, c01);
        LLP__VSTOREU(t + 1 * LLP__NR, c10);
        LLP__VSTOREU(t + 1 * LLP__NR + LLP__VN, c11);
        LLP__VSTOREU(t + 2 * LLP__NR, c20);
        LLP__VSTOREU(t + 2 * LLP__NR + LLP__VN, c21);
        LLP__VSTOREU(t + 3 * LLP__NR, c30);
        LLP__VSTOREU(t + 3 * LLP__NR + LLP__VN, c31);
        LLP__VSTOREU(t + 4 * LLP__NR, c40);
        LLP__VSTOREU(t + 4 * LLP__NR + LLP__VN, c41);
        LLP__VSTOREU(t + 5 * LLP__NR, c50);
        LLP__VSTOREU(t + 5 * LLP__NR + LLP__VN, c51);
        llp__tile_add(c, ldc, t, m, n);
    }
}
#undef LLP__VT
#undef LLP__VZERO
#undef LLP__VLOAD
#undef LLP__VLOADU
#undef LLP__VSTOREU
#undef LLP__VADD
#undef LLP__VBCAST
#undef LLP__VFMA
#undef LLP__VN

/* 1 when this CPU runs the AVX2+FMA kernel. */
static int llp__cpu_has_avx2(void) {
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

/* 1 when the SIMD (AVX2+FMA) micro-kernel is in use on this machine. */
static int llp__simd_kernel(void) {
#if LLP__HAVE_AVX2_KERNEL
    return llp__cpu_has_avx2();
#else
    return 0;
#endif
}

#ifdef _OPENMP
#define LLP__OMP_FOR _Pragma("omp for schedule(static)")
#else
#define LLP__OMP_FOR
#endif

/* Pack panel t (NR columns) of B(pc.., jc..), kc x nc, zero-padded. */
static void llp__pack_b(llp_real *pb, const llp_real *b, size_t brs, size_t bcs, size_t pc, size_t jc, size_t kc,
                        size_t nc, size_t t) {
    size_t jr = t * LLP__NR, nn = nc - jr < LLP__NR ? nc - jr : LLP__NR, j, k;
    llp_real *dst = pb + t * kc * LLP__NR;
    if (bcs == 1 && nn == LLP__NR) {
        for (k = 0; k < kc; k++) memcpy(dst + k * LLP__NR, b + (pc + k) * brs + jc + jr, LLP__NR * sizeof(llp_real));
    } else if (brs == 1) {
        for (j = 0; j < nn; j++) {
            const llp_real *src = b + pc + (jc + jr + j) * bcs;
            for (k = 0; k < kc; k++) dst[k * LLP__NR + j] = src[k];
        }
        for (; j < LLP__NR; j++)
            for (k = 0; k < kc; k++) dst[k * LLP__NR + j] = 0;
    } else {
        for (k = 0; k < kc; k++) {
            const llp_real *src = b + (pc + k) * brs + (jc + jr) * bcs;
            for (j = 0; j < nn; j++) dst[k * LLP__NR + j] = src[j * bcs];
            for (; j < LLP__NR; j++) dst[k * LLP__NR + j] = 0;
        }
    }
}

/* Pack panel t (MR rows) of A(ic.., pc..), mc x kc, zero-padded. */
static void llp__pack_a(llp_real *pa, const llp_real *a, size_t ars, size_t acs, size_t ic, size_t pc, size_t mc,
                        size_t kc, size_t t) {
    size_t ir = t * LLP__MR, mm = mc - ir < LLP__MR ? mc - ir : LLP__MR, i, k;
    llp_real *dst = pa + t * kc * LLP__MR;
    if (ars == 1 && mm == LLP__MR) {
        for (k = 0; k < kc; k++) memcpy(dst + k * LLP__MR, a + ic + ir + (pc + k) * acs, LLP__MR * sizeof(llp_real));
    } else {
        for (i = 0; i < mm; i++) {
            const llp_real *src = a + (ic + ir + i) * ars + pc * acs;
            for (k = 0; k < kc; k++) dst[k * LLP__MR + i] = src[k * acs];
        }
        for (; i < LLP__MR; i++)
            for (k = 0; k < kc; k++) dst[k * LLP__MR + i] = 0;
    }
}

/* The blocked loops of llp__gemm. par: inside an OpenMP parallel region,
   whose threads share the panels of each block (0: plain loops, no OpenMP
   calls at all, so one-thread runs pay no threading overhead). */
static void llp__gemm_run(size_t M, size_t N, size_t K, const llp_real *a, size_t ars, size_t acs,
                          const llp_real *b, size_t brs, size_t bcs, llp_real *c, size_t ldc, llp_real *pa,
                          llp_real *pb, int simd, int par) {
    size_t jc, pc, ic;
    (void)simd;
    (void)par;
    for (jc = 0; jc < N; jc += LLP__NC) {
        size_t nc = N - jc < LLP__NC ? N - jc : LLP__NC;
        long npb = (long)((nc + LLP__NR - 1) / LLP__NR), t;
        for (pc = 0; pc < K; pc += LLP__KC) {
            size_t kc = K - pc < LLP__KC ? K - pc : LLP__KC;
            if (par) {
                LLP__OMP_FOR
                for (t = 0; t < npb; t++) llp__pack_b(pb, b, brs, bcs, pc, jc, kc, nc, (size_t)t);
            } else {
                for (t = 0; t < npb; t++) llp__pack_b(pb, b, brs, bcs, pc, jc, kc, nc, (size_t)t);
            }
            for (ic = 0; ic < M; ic += LLP__MC) {
                size_t mc = M - ic < LLP__MC ? M - ic : LLP__MC;
                long npa = (long)((mc + LLP__MR - 1) / LLP__MR);
#define LLP__GEMM_TILE(t)                                                                                    \
    do {                                                                                                     \
        size_t ip = (size_t)((t) % npa), jp = (size_t)((t) / npa);                                           \
        size_t ir = ip * LLP__MR, jr = jp * LLP__NR;                                                         \
        size_t mm = mc - ir < LLP__MR ? mc - ir : LLP__MR, nn = nc - jr < LLP__NR ? nc - jr : LLP__NR;       \
        const llp_real *ap = pa + ip * kc * LLP__MR, *bp = pb + jp * kc * LLP__NR;                           \
        llp_real *cc = c + (ic + ir) * ldc + jc + jr;                                                        \
        LLP__GEMM_UKERNEL(kc, ap, bp, cc, ldc, mm, nn);                                                      \
    } while (0)
#if LLP__HAVE_AVX2_KERNEL
#define LLP__GEMM_UKERNEL(kc, ap, bp, cc, ldc, mm, nn)                       \
    do {                                                                     \
        if (simd) llp__ukernel_avx2(kc, ap, bp, cc, ldc, mm, nn);            \
        else llp__ukernel_portable(kc, ap, bp, cc, ldc, mm, nn);             \
    } while (0)
#else
#define LLP__GEMM_UKERNEL(kc, ap, bp, cc, ldc, mm, nn) llp__ukernel_portable(kc, ap, bp, cc, ldc, mm, nn)
#endif
                if (par) {
                    LLP__OMP_FOR
                    for (t = 0; t < npa; t++) llp__pack_a(pa, a, ars, acs, ic, pc, mc, kc, (size_t)t);
                    LLP__OMP_FOR
                    for (t = 0; t < npa * npb; t++) LLP__GEMM_TILE(t);
                } else {
                    for (t = 0; t < npa; t++) llp__pack_a(pa, a, ars, acs, ic, pc, mc, kc, (size_t)t);
                    for (t = 0; t < npa * npb; t++) LLP__GEMM_TILE(t);
                }
#undef LLP__GEMM_TILE
#undef LLP__GEMM_UKERNEL
            }
        }
    }
}

/* C(M, N) += A(M, K) . B(K, N); A(i, k) = a[i*ars + k*acs], B(k, j) =
   b[k*brs + j*bcs], C row-major with row stride ldc. pack: LLP__PACK_REALS
   scratch. simd: use the AVX2 micro-kernel (from llp__simd_kernel()).
   Threads (OpenMP builds): the panels of a block are packed and multiplied
   in parallel; each entry of C is still produced by one micro-kernel call per
   KC block, in the same k order, so the result is bitwise the same for any
   number of threads. Small products, and runs limited to one thread, take
   the plain loops without entering a parallel region. */
static void llp__gemm(size_t M, size_t N, size_t K, const llp_real *a, size_t ars, size_t acs, const llp_real *b,
                      size_t brs, size_t bcs, llp_real *c, size_t ldc, llp_real *pack, int simd) {
    llp_real *pa, *pb;
    if (M == 0 || N == 0 || K == 0) return;
    pa = (llp_real *)(void *)(((uintptr_t)pack + 63) & ~(uintptr_t)63);
    pb = pa + LLP__MC * LLP__KC;
#ifdef _OPENMP
    if ((double)M * (double)N * (double)K > 1e6 && omp_get_max_threads() > 1) {
#pragma omp parallel
        llp__gemm_run(M, N, K, a, ars, acs, b, brs, bcs, c, ldc, pa, pb, simd, 1);
        return;
    }
#endif
    llp__gemm_run(M, N, K, a, ars, acs, b, brs, bcs, c, ldc, pa, pb, simd, 0);
}

/* y: (B, out) += x: (B, in) . w^T, w: (out, in). */
static void llp__gemm_nt(llp_real *y, const llp_real *x, const llp_real *w, size_t B, size_t in, size_t out,
                         llp_real *pack, int simd) {
    llp__gemm(B, out, in, x, in, 1, w, 1, in, y, out, pack, simd);
}

/* dx: (B, in) += dy: (B, out) . w, w: (out, in). */
static void llp__gemm_nn(llp_real *dx, const llp_real *dy, const llp_real *w, size_t B, size_t in, size_t out,
                         llp_real *pack, int simd) {
    llp__gemm(B, in, out, dy, out, 1, w, in, 1, dx, in, pack, simd);
}

/* dw: (out, in) += dy^T . x, dy: (B, out), x: (B, in). */
static void llp__gemm_tn(llp_real *dw, const llp_real *dy, const llp_real *x, size_t B, size_t in, size_t out,
                         llp_real *pack, int simd) {
    llp__gemm(out, in, B, dy, 1, out, x, in, 1, dw, in, pack, simd);
}

/* db: (out) += column sums of dy: (B, out). */
static void llp__colsum(llp_real *LLP__RESTRICT db, const llp_real *LLP__RESTRICT dy, size_t B, size_t out) {
    size_t b, o;
    for (b = 0; b < B; b++)
        for (o = 0; o < out; o++) db[o] += dy[b * out + o];
}

/* Where the dense kernels find their packing scratch and which micro-kernel to use. */
typedef struct llp__gemm_env {
    llp_real *pack;
    int simd;
} llp__gemm_env;

/* Dense layer forward: z: (B, out) = x . W^T + b. */
static void llp__dense_forward(llp_real *z, const llp_real *x, const llp_real *W, const llp_real *bias, size_t B,
                               size_t in, size_t out, const llp__gemm_env *ge) {
    size_t b;
    for (b = 0; b < B; b++) llp_copy(bias, z + b * out, out);
    llp__gemm_nt(z, x, W, B, in, out, ge->pack, ge->simd);
}

/* Dense layer backward: dW += dz^T x, db += sum dz, dx = dz W (dx may be NULL). */
static void llp__dense_backward(llp_real *dx, llp_real *dW, llp_real *db, const llp_real *dz, const llp_real *x,
                                const llp_real *W, size_t B, size_t in, size_t out, const llp__gemm_env *ge) {
    if (dW) {
        llp__gemm_tn(dW, dz, x, B, in, out, ge->pack, ge->simd);
        llp__colsum(db, dz, B, out);
    }
    if (dx) {
        llp_fill(0, dx, B * in);
        llp__gemm_nn(dx, dz, W, B, in, out, ge->pack, ge->simd);
    }
}

/* Dense layer tangent forward: rz = rx . W^T + x . V^T + c (rx NULL when the
   input has no tangent, as in the first layer). */
static void llp__dense_tangent_forward(llp_real *rz, const llp_real *rx, const llp_real *x, const llp_real *W,
                                       const llp_real *V, const llp_real *c, size_t B, size_t in, size_t out,
                                       const llp__gemm_env *ge) {
    llp__dense_forward(rz, x, V, c, B, in, out, ge);
    if (rx) llp__gemm_nt(rz, rx, W, B, in, out, ge->pack, ge->simd);
}

/* Dense layer tangent backward: R(dW) += rdz^T x + dz^T rx, R(db) += sum rdz,
   rdx = rdz W + dz V. dz/rx may be NULL (Gauss–Newton drops them; rx = 0 in
   the first layer). rdx NULL: not needed. */
static void llp__dense_tangent_backward(llp_real *rdx, llp_real *rdW, llp_real *rdb, const llp_real *rdz,
                                        const llp_real *dz, const llp_real *x, const llp_real *rx, const llp_real *W,
                                        const llp_real *V, size_t B, size_t in, size_t out, const llp__gemm_env *ge) {
    llp__gemm_tn(rdW, rdz, x, B, in, out, ge->pack, ge->simd);
    if (dz && rx) llp__gemm_tn(rdW, dz, rx, B, in, out, ge->pack, ge->simd);
    llp__colsum(rdb, rdz, B, out);
    if (rdx) {
        llp_fill(0, rdx, B * in);
        llp__gemm_nn(rdx, rdz, W, B, in, out, ge->pack, ge->simd);
        if (dz) llp__gemm_nn(rdx, dz, V, B, in, out, ge->pack, ge->simd);
    }
}

/* ---- fast element-wise math: exp, tanh, sigmoid, softplus, GELU -----------
   Array versions of the activation functions, written to be vectorised:
       llp__vexp, llp__vtanh, llp__vsigmoid, llp__vsoftplus, llp__vgelu  (y = f(x))
       llp__vgelu_d12  (d1 = Phi(z) + z phi(z), d2 = phi(z) (2 - z^2))
   x and y are arrays of n values; y may be x (in place). For gelu_d12, d1 or
   d2 may be z, but d1 and d2 must differ.

   Method (all approximations derived here with a Remez exchange in 60-digit
   arithmetic, mpmath; degrees are picked per precision by LLP_REAL_IS_FLOAT):
   - exp(x) = 2^k e^r: k = nearest integer to x/ln2 by the 1.5*2^p
     "shifter" (no float->int conversion), r = x - k ln2 with ln2 split in a
     hi part of 42 (float: 16) bits so k*hi and x - k*hi are exact
     (Cody & Waite); r is kept as rh + rl. e^r = 1 + r + r^2 q(r), q a
     minimax polynomial of degree 9 (float: 4) on |r| <= ln2/2, relative
     error 3.6e-18 (float 3.1e-9); 1 + rh is carried as an exact sum h + l
     so only the last addition rounds at full size. 2^k is built in the
     exponent field and applied as two factors 2^(k/2), so subnormal and
     overflowing results come out right with a single rounding. Inputs are
     clamped first (no integer overflow, exp(-inf) = 0, exp(+inf) = inf).
   - tanh(a), a = |x|: a < 1: tanh a = a - a^3 P(a^2)/Q(a^2), a minimax
     rational of degree 3/3 (float 1/2), relative error 5.6e-19 (float
     1.7e-10); a >= 1: 1 - 2e/(1 + e), e = exp(-2a). The sign is copied from x
     (tanh(-0) = -0); a is clamped to 20 (float 10), where tanh rounds to 1.
   - sigmoid(x) = (x < 0 ? e : 1) / (1 + e), e = exp(-|x|): relative
     accuracy into the subnormal range (sigmoid(-700) = 9.86e-305).
   - softplus(x) = max(x, 0) + log1p(exp(-|x|)). log1p(u), 0 <= u <= 1:
     1 + u = 2^K (1 + f), K = (u >= 1/2), f = u or (u - 1)/2 (exact),
     s = f / (2 + f), log(1 + f) = f - (f^2/2 - s (f^2/2 + s^2 g(s^2))),
     g minimax of degree 7 (float: 2) for s^2 <= 0.04 (relative 1.4e-19,
     float 2.8e-9).
   - GELU, a = |x|: Q(a) = erfc(a/sqrt2)/2 = exp(-a^2/2) G(a), G a minimax
     rational P/Q of degree 10/11 on [0, 40], relative error 9.8e-19,
     evaluated by Estrin's scheme (float: degree 4/5 on [0, 15], 6.3e-9,
     evaluated in double). a^2/2 is carried as hi + lo (a split into
     26 + 27 bits, float 12 + 12, so ah*ah is exact), so exp(-a^2/2) keeps
     full relative accuracy out to a = 38 instead of losing a^2 ulps.
     Phi = Q for x < 0, 1 - Q otherwise; gelu(x) = x Phi(x).
   - GELU derivatives: d1 = Phi(z) + z phi(z) has a zero at
     z0 = -0.7517915...; for z < 0 it is computed as
     exp(-a^2/2) (a - a0) S(a) / Q(a), where S is P(a) - a Q(a)/sqrt(2 pi)
     deflated by (a - a0) offline, so d1 keeps its relative accuracy even
     next to z0 (no cancellation). d2 = phi(z) (2 - z^2) with
     2 - z^2 = ((sqrt2_hi - a) + sqrt2_lo)(sqrt2 + a), accurate near +-sqrt2.
   - NaN in gives the same NaN out (passed through); inf/-inf give the
     limits (tanh +-1, sigmoid 1/0, softplus inf/0, gelu inf/-0, d1 1/-0,
     d2 -0).

   Measured accuracy (parts/test_fastmath.c: double against x86-64 long
   double libm, float against double libm, 5 input sets of up to 1e6 values
   each; "all floats": every one of the 2^32 float inputs). Max error in ulps
   of the exact value (subnormal results in subnormal ulps) and relative:
                 double                     float (test sets / all floats)
     exp         0.76 ulp, rel 1.1e-16      0.77 / 0.79 ulp
     tanh        1.23 ulp, rel 1.8e-16      1.26 / 1.39 ulp
     sigmoid     2.29 ulp, rel 3.2e-16      2.16 / 2.40 ulp
     softplus    1.43 ulp, rel 2.2e-16      1.51 / 1.58 ulp
     gelu        6.3 ulp,  rel 7.3e-16      2.80 / 2.98 ulp
     gelu d1     6.4 ulp,  rel 8.1e-16 (*)  2.14 / 2.55 ulp (*)
     gelu d2     4.2 ulp,  rel 5.4e-16      1.69 / 1.83 ulp
   (*) outside |z - z0| < 0.01; inside, relative 1.3e-15 (float 1.2e-7) and
   absolute 1.7e-18 (float 5e-10). Without FMA (plain x86-64) the rounding
   of the degree-10/11 rational (about 5 ulp of G) dominates the double
   GELU errors.

   Two paths, bit-identical results: with GCC >= 9 or Clang, blocks of one
   native vector register (16 bytes, or 32 with AVX: 2/4 doubles, 4/8
   floats) go through the vector extension, which gives SIMD code even at
   GCC -O2 (whose cost model does not vectorise these loops); the tail and
   other compilers use a branch-free scalar loop that GCC -O3 and Clang -O2
   auto-vectorise. Both are generated from the same macro text, so they do
   the same operations in the same order. Define LLP__NO_VECTOR_EXT to force
   the scalar path. With an FMA unit enabled (e.g. -march=x86-64-v3) Clang
   fuses a*b + c within expressions, identically in both paths; GCC is told
   not to fuse here (see the pragma below). Results of FMA builds differ from
   plain x86-64 builds, never between the two paths.

   Not for -ffast-math / -fassociative-math (the shifter rounding would be
   reassociated away) nor -ffinite-math-only (inf/NaN handling). Assumes
   IEEE binary64/binary32 arithmetic without excess precision
   (FLT_EVAL_METHOD 0: SSE2, NEON; not the x87 unit) in round-to-nearest.

   Needs <stddef.h>, <stdint.h>, <string.h> and llp_real / LLP_REAL_IS_FLOAT.
   No global or static mutable state.
   --------------------------------------------------------------------------- */

/* GCC, for this section only: (1) no-trapping-math: GCC keeps a branch around a
   select whose arm holds a floating-point operation that might trap, and then
   does not vectorise the scalar loop; nothing here relies on traps, and no
   result changes. (2) fp-contract=off: in GNU modes GCC fuses a*b + c across
   statements where an FMA unit is enabled, and its choices differ between the
   vector and the scalar code (a product shared by two uses), which would break
   their bit-identity. Clang contracts only within one expression, which is
   the same macro text in both paths, so it is left alone. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize("no-trapping-math", "fp-contract=off")
#endif

#if defined(__GNUC__) || defined(__clang__)
#define LLP__FM_INLINE static inline __attribute__((always_inline, unused))
#define LLP__FM_API static __attribute__((unused))
#elif defined(_MSC_VER)
#define LLP__FM_INLINE static __forceinline
#define LLP__FM_API static
#else
#define LLP__FM_INLINE static inline
#define LLP__FM_API static
#endif

#define LLP__FM_K(c) ((llp_real)(c))
#define LLP__FM_KD(c) ((double)(c))

#if LLP_REAL_IS_FLOAT
typedef uint32_t llp__fm_u;
#define LLP__FM_MANT 23
#define LLP__FM_BIAS 127u
#define LLP__FM_SIGN ((llp__fm_u)0x80000000u)
#define LLP__FM_SPLITMASK ((llp__fm_u)0xFFFFF000u)  /* keep 12 significant bits */
#define LLP__FM_SHIFT 12582912.0f                     /* 1.5 * 2^23 */
#define LLP__FM_SHIFT_BITS ((llp__fm_u)0x4B400000u)
#define LLP__FM_LOG2E 1.44269502f
#define LLP__FM_LN2HI 0.693145752f                    /* 16 bits */
#define LLP__FM_LN2LO 1.42860677e-06f
#define LLP__FM_LN2 0.693147182f
#define LLP__FM_LN2TAIL (-1.90465421e-09f)
#define LLP__FM_SQ2HI 1.4142135623730951 /* used in double */
#define LLP__FM_SQ2LO (-9.667293313452913e-17)
#define LLP__FM_INVSQRT2PI 0.3989422804014327
#define LLP__FM_EXP_LO (-104.0f)   /* exp(-104) < 2^-150: rounds to 0 */
#define LLP__FM_EXP_HI 89.0f       /* exp(89) > FLT_MAX */
#define LLP__FM_TANH_HI 10.0f      /* tanh(a) rounds to 1 for a > 9.02 */
#define LLP__FM_NEG_HI 104.0f      /* exp(-a) for sigmoid/softplus */
#define LLP__FM_GAUSS_HI 15.0f     /* gelu(-15) = -0 in float */
/* q(r) ~ (e^r - 1 - r) / r^2, |r| <= 0.34664: max |r^2 (g - q)| e^-r = 3.1e-9 */
#define LLP__FM_EXPQ(r, r2)                                                             \
    ((LLP__FM_K(0.49999994f) + (r) * LLP__FM_K(0.166665211f)) +                         \
     ((LLP__FM_K(0.041668389f) + (r) * LLP__FM_K(0.00836872403f)) + (r2) * LLP__FM_K(0.00138145848f)) * (r2))
/* g(z) ~ 2 (atanh(sqrt z)/sqrt z - 1)/z, z <= 0.04: max |z/2 (g - p)| = 2.8e-9 */
#define LLP__FM_LOGG(z) \
    (LLP__FM_K(0.666669488f) + (z) * (LLP__FM_K(0.399578243f) + (z) * LLP__FM_K(0.303605646f)))
/* tanh(a) = a - a^3 P(a^2)/Q(a^2) for a < 1: relative error 1.7e-10 */
#define LLP__FM_TANHP(z) (LLP__FM_K(0.333333313f) + (z) * LLP__FM_K(0.0146865696f))
#define LLP__FM_TANHQ(z) (LLP__FM_K(1.0f) + (z) * (LLP__FM_K(0.444059521f) + (z) * LLP__FM_K(0.0157197006f)))
/* G(a) = exp(a^2/2) erfc(a/sqrt2)/2 ~ P(a)/Q(a) on [0, 15]: rel. error 6.3e-9. For float
   the rational is evaluated in double (a is converted exactly), so its rounding
   errors do not add float ulps; only the final conversion rounds. */
#define LLP__FM_GP(a, a2, a4, a8)                                                            \
    (((LLP__FM_KD(0.5000000031505115) + (a) * LLP__FM_KD(0.439283289270233)) +               \
      (LLP__FM_KD(0.18396904549005766) + (a) * LLP__FM_KD(0.04088109977062695)) * (a2)) +    \
     LLP__FM_KD(0.004153226540474651) * (a4))
#define LLP__FM_GQ(a, a2, a4, a8)                                                            \
    (((LLP__FM_KD(1.0) + (a) * LLP__FM_KD(1.676451585575829)) +                              \
      (LLP__FM_KD(1.2055478692551962) + (a) * LLP__FM_KD(0.471408455010319)) * (a2)) +       \
     (LLP__FM_KD(0.10247983719032529) + (a) * LLP__FM_KD(0.010410483410223529)) * (a4))
/* P(a) - a Q(a)/sqrt(2 pi) = (a - a0) S(a) + (remainder dropped, 5.3e-9) */
#define LLP__FM_GS(a, a2, a4, a8)                                                            \
    (((LLP__FM_KD(-0.6650780063140243) + (a) * LLP__FM_KD(-0.9383173286907674)) +            \
      (LLP__FM_KD(-0.6031977493141434) + (a) * LLP__FM_KD(-0.21699477532353006)) * (a2)) +   \
     (LLP__FM_KD(-0.04400586696578791) + (a) * LLP__FM_KD(-0.004153181991755858)) * (a4))
#define LLP__FM_A0HI 0.7517915246935645
#define LLP__FM_A0LO (-1.4956759177009883e-17)
#else
typedef uint64_t llp__fm_u;
#define LLP__FM_MANT 52
#define LLP__FM_BIAS 1023u
#define LLP__FM_SIGN ((llp__fm_u)0x8000000000000000ull)
#define LLP__FM_SPLITMASK ((llp__fm_u)0xFFFFFFFFF8000000ull) /* keep 26 significant bits */
#define LLP__FM_SHIFT 6755399441055744.0                      /* 1.5 * 2^52 */
#define LLP__FM_SHIFT_BITS ((llp__fm_u)0x4338000000000000ull)
#define LLP__FM_LOG2E 1.4426950408889634
#define LLP__FM_LN2HI 0.6931471805598903 /* 42 bits */
#define LLP__FM_LN2LO 5.497923018708371e-14
#define LLP__FM_LN2 0.6931471805599453
#define LLP__FM_LN2TAIL 2.3190468138462996e-17
#define LLP__FM_SQ2HI 1.4142135623730951
#define LLP__FM_SQ2LO (-9.667293313452913e-17)
#define LLP__FM_INVSQRT2PI 0.3989422804014327
#define LLP__FM_EXP_LO (-746.0) /* exp(-746) < 2^-1075: rounds to 0 */
#define LLP__FM_EXP_HI 710.0    /* exp(710) > DBL_MAX */
#define LLP__FM_TANH_HI 20.0    /* tanh(a) rounds to 1 for a > 19.06 */
#define LLP__FM_NEG_HI 746.0
#define LLP__FM_GAUSS_HI 40.0 /* gelu(-40) = -0 */
/* q(r) ~ (e^r - 1 - r) / r^2, |r| <= 0.34657: max |r^2 (g - q)| e^-r = 3.6e-18
   (Estrin's scheme: a short dependency chain) */
#define LLP__FM_EXPQ(r, r2)                                                                         \
    (((LLP__FM_K(0.5000000000000011) + (r) * LLP__FM_K(0.16666666666666413)) +                      \
      (LLP__FM_K(0.041666666666530267) + (r) * LLP__FM_K(0.008333333333494336)) * (r2)) +           \
     (((LLP__FM_K(0.001388888894359828) + (r) * LLP__FM_K(0.00019841269506774777)) +                \
       (LLP__FM_K(2.4801493135553387e-05) + (r) * LLP__FM_K(2.755758626927904e-06)) * (r2)) +       \
      (LLP__FM_K(2.7630234153458957e-07) + (r) * LLP__FM_K(2.5000071774883874e-08)) * ((r2) * (r2))) * \
         ((r2) * (r2)))
/* g(z) ~ 2 (atanh(sqrt z)/sqrt z - 1)/z, z <= 0.04: max |z/2 (g - p)| = 1.4e-19 (Estrin) */
#define LLP__FM_LOGG(z)                                                                          \
    (((LLP__FM_K(0.666666666666666) + (z) * LLP__FM_K(0.4000000000005594)) +                     \
      (LLP__FM_K(0.28571428556007233) + (z) * LLP__FM_K(0.22222224276198324)) * ((z) * (z))) +   \
     ((LLP__FM_K(0.1818166708868719) + (z) * LLP__FM_K(0.15391072423431443)) +                   \
      (LLP__FM_K(0.13174261932977527) + (z) * LLP__FM_K(0.13838566288535692)) * ((z) * (z))) *   \
         (((z) * (z)) * ((z) * (z))))
/* tanh(a) = a - a^3 P(a^2)/Q(a^2) for a < 1: relative error 5.6e-19 */
#define LLP__FM_TANHP(z)                                                                         \
    (LLP__FM_K(0.33333333333333326) +                                                            \
     (z) * (LLP__FM_K(0.02140595554495878) +                                                     \
            (z) * (LLP__FM_K(0.00024310562623409306) + (z) * LLP__FM_K(1.7192742354457514e-08))))
#define LLP__FM_TANHQ(z)                                                                         \
    (LLP__FM_K(1.0) +                                                                            \
     (z) * (LLP__FM_K(0.46421786663487236) +                                                     \
            (z) * (LLP__FM_K(0.024511701627926267) + (z) * LLP__FM_K(0.000254114668242067))))
/* G(a) = exp(a^2/2) erfc(a/sqrt2)/2 ~ P(a)/Q(a) on [0, 40]: rel. error 9.8e-19 (Estrin's scheme) */
#define LLP__FM_GP(a, a2, a4, a8)                                                                          \
    ((((LLP__FM_KD(0.5) + (a) * LLP__FM_KD(0.8286169272839371)) +                                            \
       (LLP__FM_KD(0.6806901597814095) + (a) * LLP__FM_KD(0.3581798348394926)) * (a2)) +                     \
      ((LLP__FM_KD(0.13245591316675995) + (a) * LLP__FM_KD(0.03580726046859473)) +                           \
       (LLP__FM_KD(0.0071568840247444015) + (a) * LLP__FM_KD(0.0010456582823784265)) * (a2)) * (a4)) +       \
     ((LLP__FM_KD(0.00010729312427087364) + (a) * LLP__FM_KD(7.031412403479563e-06)) +                       \
      LLP__FM_KD(2.2628121096640978e-07) * (a2)) * (a8))
#define LLP__FM_GQ(a, a2, a4, a8)                                                                          \
    ((((LLP__FM_KD(1.0) + (a) * LLP__FM_KD(2.4551184153707397)) +                                            \
       (LLP__FM_KD(2.82028139812992) + (a) * LLP__FM_KD(2.0050209669487407)) * (a2)) +                       \
      ((LLP__FM_KD(0.9825134270711042) + (a) * LLP__FM_KD(0.3494251620700122)) +                             \
       (LLP__FM_KD(0.09234131814824377) + (a) * LLP__FM_KD(0.0182074574193502)) * (a2)) * (a4)) +            \
     ((LLP__FM_KD(0.0026387017535442338) + (a) * LLP__FM_KD(0.0002695111818493643)) +                        \
      (LLP__FM_KD(1.76251371411803e-05) + (a) * LLP__FM_KD(5.672028814260292e-07)) * (a2)) * (a8))
/* P(a) - a Q(a)/sqrt(2 pi) = (a - a0) S(a) + (remainder dropped, 2.0e-18) */
#define LLP__FM_GS(a, a2, a4, a8)                                                                          \
    ((((LLP__FM_KD(-0.6650779951314343) + (a) * LLP__FM_KD(-1.4561917846309422)) +                           \
       (LLP__FM_KD(-1.5395643168504383) + (a) * LLP__FM_KD(-1.0276980172943064)) * (a2)) +                   \
      ((LLP__FM_KD(-0.47921036859347044) + (a) * LLP__FM_KD(-0.16367766581493295)) +                         \
       (LLP__FM_KD(-0.04181222828581268) + (a) * LLP__FM_KD(-0.008006249516193912)) * (a2)) * (a4)) +        \
     ((LLP__FM_KD(-0.0011303905795208653) + (a) * LLP__FM_KD(-0.0001127071725112711)) +                      \
      (LLP__FM_KD(-7.2015287000923655e-06) + (a) * LLP__FM_KD(-2.262812109663635e-07)) * (a2)) * (a8))
#define LLP__FM_A0HI 0.7517915246935645
#define LLP__FM_A0LO (-1.4956759177009883e-17)
#endif

/* Scalar path helpers: select (a function, so both arms are always evaluated),
   and bit casts through memcpy. */
LLP__FM_INLINE llp_real llp__fm_ssel(int c, llp_real a, llp_real b) { return c ? a : b; }
#define LLP__FM_SSEL(c, a, b) llp__fm_ssel(c, a, b)
LLP__FM_INLINE llp__fm_u llp__fm_sbits(llp_real x) {
    llp__fm_u u;
    memcpy(&u, &x, sizeof u);
    return u;
}
LLP__FM_INLINE llp_real llp__fm_sreal(llp__fm_u u) {
    llp_real x;
    memcpy(&x, &u, sizeof x);
    return x;
}
#define LLP__FM_STOB(x) llp__fm_sbits(x)
#define LLP__FM_STOR(u) llp__fm_sreal(u)

/* The kernels, written once over a value type R (llp_real or a vector of
   them) and its bit type U; SEL(c, a, b) picks a where the comparison c
   holds, TOB/TOR reinterpret bits. Every helper takes and returns through
   pointers (32-byte vectors by value would change the ABI without AVX). */
#define LLP__FM_DEFINE(P, R, U, SEL, TOB, TOR, RD, TOD, TOF)                                                          \
    /* Reduction for exp(xh + xl), |xl| tiny: k (integer, as two's complement bits) and         \
       r = rh + rl = xh + xl - k ln2 (rh + rl exact up to the rounding of k*ln2lo). */                \
    LLP__FM_INLINE void P##red(const R *xh, const R *xl, U *kb, R *rh, R *rl) {                        \
        R t = *xh * LLP__FM_K(LLP__FM_LOG2E) + LLP__FM_K(LLP__FM_SHIFT);                                \
        R kn = t - LLP__FM_K(LLP__FM_SHIFT);                                                            \
        R rr = *xh - kn * LLP__FM_K(LLP__FM_LN2HI); /* exact */                                        \
        R d = *xl - kn * LLP__FM_K(LLP__FM_LN2LO);                                                      \
        *kb = TOB(t) - LLP__FM_SHIFT_BITS;                                                              \
        *rh = rr + d;                                                                                   \
        *rl = (rr - *rh) + d;                                                                           \
    }                                                                                                   \
    /* p = e^(rh + rl) for |rh| <= ln2/2: 1 + rh is carried as h + l (exact) so that                 \
       the final addition is the only full-size rounding. */                                            \
    LLP__FM_INLINE void P##expr(const R *prh, const R *prl, R *p) {                                     \
        R rh = *prh, r2 = rh * rh, h = LLP__FM_K(1) + rh, l = (LLP__FM_K(1) - h) + rh;                  \
        *p = h + ((l + *prl * (LLP__FM_K(1) + rh)) + r2 * LLP__FM_EXPQ(rh, r2));                            \
    }                                                                                                   \
    /* 2^k = s1 * s2 = 2^floor(k/2) 2^ceil(k/2), both normal for |k| <= 2044 (float 252). */         \
    LLP__FM_INLINE void P##scale2(const U *kb, R *s1, R *s2) {                                          \
        U k1 = (*kb + 2048u) >> 1;                                                                      \
        *s1 = TOR((k1 - (1024u - LLP__FM_BIAS)) << LLP__FM_MANT);                                       \
        *s2 = TOR((*kb - k1 + (1024u + LLP__FM_BIAS)) << LLP__FM_MANT);                                 \
    }                                                                                                   \
    /* e^-a for 0 <= a <= LLP__FM_NEG_HI (or NaN). */                                                  \
    LLP__FM_INLINE void P##expneg(const R *pa, R *pe) {                                                 \
        R x = -*pa, zero = TOR(TOB(x) ^ TOB(x)), rh, rl, p, s1, s2;                                     \
        U kb;                                                                                           \
        P##red(&x, &zero, &kb, &rh, &rl);                                                               \
        P##expr(&rh, &rl, &p);                                                                          \
        P##scale2(&kb, &s1, &s2);                                                                       \
        *pe = (p * s1) * s2;                                                                            \
    }                                                                                                   \
    /* log(1 + u) for 0 <= u <= 1 (or NaN). */                                                         \
    LLP__FM_INLINE void P##log1p01(const R *pu, R *py) {                                                \
        R u = *pu, zero = TOR(TOB(u) ^ TOB(u)), one = zero + LLP__FM_K(1);                             \
        R big = SEL(u >= LLP__FM_K(0.5), one, zero);                                                    \
        R f = SEL(u >= LLP__FM_K(0.5), (u - LLP__FM_K(1)) * LLP__FM_K(0.5), u);                          \
        R s = f / (LLP__FM_K(2) + f), z = s * s, hfsq = LLP__FM_K(0.5) * (f * f);                       \
        R rr = z * LLP__FM_LOGG(z);                                                                     \
        *py = big * LLP__FM_K(LLP__FM_LN2) +                                                            \
              (f - (hfsq - (s * (hfsq + rr) + big * LLP__FM_K(LLP__FM_LN2TAIL))));                      \
    }                                                                                                   \
    /* For a = min(|x|, GAUSS_HI): exp(-a^2/2) = ep * s2, with a^2/2 split exactly              \
       into hi + lo (ah has half the significant bits, so ah*ah is exact). */                        \
    LLP__FM_INLINE void P##gauss(const R *px, R *pa, R *ep, R *s2) {                                    \
        R a = TOR(TOB(*px) & ~LLP__FM_SIGN), zero = TOR(TOB(a) ^ TOB(a)), ah, al, xh, xl, rh, rl, p, s1; \
        U kb;                                                                                           \
        a = SEL(a > LLP__FM_K(LLP__FM_GAUSS_HI), zero + LLP__FM_K(LLP__FM_GAUSS_HI), a);                \
        ah = TOR(TOB(a) & LLP__FM_SPLITMASK);                                                           \
        al = a - ah;                                                                                    \
        xh = (ah * ah) * LLP__FM_K(-0.5);                                                               \
        xl = (al * (a + ah)) * LLP__FM_K(-0.5);                                                         \
        P##red(&xh, &xl, &kb, &rh, &rl);                                                                \
        P##expr(&rh, &rl, &p);                                                                          \
        P##scale2(&kb, &s1, s2);                                                                        \
        *ep = p * s1;                                                                                   \
        *pa = a;                                                                                        \
    }                                                                                                   \
    LLP__FM_INLINE void P##exp(const R *px, R *py) {                                                    \
        R x = *px, zero = TOR(TOB(x) ^ TOB(x)), rh, rl, p, s1, s2;                                      \
        U kb;                                                                                           \
        x = SEL(x < LLP__FM_K(LLP__FM_EXP_LO), zero + LLP__FM_K(LLP__FM_EXP_LO), x);                    \
        x = SEL(x > LLP__FM_K(LLP__FM_EXP_HI), zero + LLP__FM_K(LLP__FM_EXP_HI), x);                    \
        P##red(&x, &zero, &kb, &rh, &rl);                                                               \
        P##expr(&rh, &rl, &p);                                                                          \
        P##scale2(&kb, &s1, &s2);                                                                       \
        *py = SEL(x != x, x, (p * s1) * s2);                                                            \
    }                                                                                                   \
    LLP__FM_INLINE void P##tanh(const R *px, R *py) {                                                   \
        R x = *px, zero = TOR(TOB(x) ^ TOB(x)), one = zero + LLP__FM_K(1), a, z, m2a, rh, rl, p, e, t;  \
        U sgn = TOB(x) & LLP__FM_SIGN, kb;                                                              \
        a = TOR(TOB(x) & ~LLP__FM_SIGN);                                                                \
        a = SEL(a > LLP__FM_K(LLP__FM_TANH_HI), zero + LLP__FM_K(LLP__FM_TANH_HI), a);                  \
        z = a * a;                                                                                      \
        m2a = a * LLP__FM_K(-2);                                                                        \
        P##red(&m2a, &zero, &kb, &rh, &rl);                                                             \
        P##expr(&rh, &rl, &p);                                                                          \
        e = p * TOR((kb + LLP__FM_BIAS) << LLP__FM_MANT);                                               \
        /* a < 1: a - a^3 P/Q; else 1 - 2e/(1 + e): one division for both */                          \
        t = SEL(a < LLP__FM_K(1), a, one) -                                                             \
            SEL(a < LLP__FM_K(1), (a * z) * LLP__FM_TANHP(z), e + e) /                                  \
                SEL(a < LLP__FM_K(1), LLP__FM_TANHQ(z), LLP__FM_K(1) + e);                              \
        *py = SEL(x != x, x, TOR(TOB(t) | sgn));                                                        \
    }                                                                                                   \
    LLP__FM_INLINE void P##sigmoid(const R *px, R *py) {                                                \
        R x = *px, zero = TOR(TOB(x) ^ TOB(x)), a, e;                                                   \
        a = TOR(TOB(x) & ~LLP__FM_SIGN);                                                                \
        a = SEL(a > LLP__FM_K(LLP__FM_NEG_HI), zero + LLP__FM_K(LLP__FM_NEG_HI), a);                    \
        P##expneg(&a, &e);                                                                              \
        *py = SEL(x != x, x, SEL(x < LLP__FM_K(0), e, zero + LLP__FM_K(1)) / (LLP__FM_K(1) + e));       \
    }                                                                                                   \
    LLP__FM_INLINE void P##softplus(const R *px, R *py) {                                               \
        R x = *px, zero = TOR(TOB(x) ^ TOB(x)), a, e, l;                                                \
        a = TOR(TOB(x) & ~LLP__FM_SIGN);                                                                \
        a = SEL(a > LLP__FM_K(LLP__FM_NEG_HI), zero + LLP__FM_K(LLP__FM_NEG_HI), a);                    \
        P##expneg(&a, &e);                                                                              \
        P##log1p01(&e, &l);                                                                             \
        *py = SEL(x != x, x, SEL(x > LLP__FM_K(0), x, zero) + l);                                       \
    }                                                                                                   \
    LLP__FM_INLINE void P##gelu(const R *px, R *py) {                                                   \
        R x = *px, a, ep, s2, qs;                                                                       \
        RD ad, a2, a4, a8;                                                                              \
        P##gauss(&x, &a, &ep, &s2);                                                                     \
        ad = TOD(a), a2 = ad * ad, a4 = a2 * a2, a8 = a4 * a4;                                          \
        (void)a8;                                                                                       \
        qs = ep * TOF(LLP__FM_GP(ad, a2, a4, a8) / LLP__FM_GQ(ad, a2, a4, a8));                         \
        *py = SEL(x != x, x, SEL(x < LLP__FM_K(0), ((qs * -a) * s2), x * (LLP__FM_K(1) - qs * s2)));    \
    }                                                                                                   \
    LLP__FM_INLINE void P##gelu_d12(const R *pz, R *pd1, R *pd2) {                                      \
        R z = *pz, zero = TOR(TOB(z) ^ TOB(z)), a, ep, s2, ratio, phs, d1n, d1p;                        \
        RD ad, a2, a4, a8, neg, num, wd;                                                                \
        P##gauss(&z, &a, &ep, &s2);                                                                     \
        ad = TOD(a), a2 = ad * ad, a4 = a2 * a2, a8 = a4 * a4;                                          \
        (void)a8;                                                                                       \
        /* z < 0: d1 = e^(-a^2/2) (G(a) - a/sqrt(2 pi)) = e^(-a^2/2) (a - a0) S(a) / Q(a),            \
           a0 = 0.7517915... the zero of d1; else d1 = 1 - e^(-a^2/2) G(a) + a phi(a). */           \
        /* exact select in the double domain: one of the two products is 0 (a <= GAUSS_HI) */         \
        neg = TOD(SEL(z < LLP__FM_K(0), zero + LLP__FM_K(1), zero));                                    \
        num = neg * (((ad - LLP__FM_KD(LLP__FM_A0HI)) - LLP__FM_KD(LLP__FM_A0LO)) * LLP__FM_GS(ad, a2, a4, a8)) + \
              (LLP__FM_KD(1) - neg) * LLP__FM_GP(ad, a2, a4, a8);                                       \
        ratio = TOF(num / LLP__FM_GQ(ad, a2, a4, a8));                                                  \
        phs = ep * LLP__FM_K(LLP__FM_INVSQRT2PI);                                                       \
        d1n = (ep * ratio) * s2;                                                                        \
        d1p = (LLP__FM_K(1) - (ep * ratio) * s2) + a * (phs * s2);                                      \
        /* 2 - a^2 = (sqrt2 - a)(sqrt2 + a), accurate near a = sqrt2 */                                \
        wd = ((LLP__FM_KD(LLP__FM_SQ2HI) - ad) + LLP__FM_KD(LLP__FM_SQ2LO)) * (LLP__FM_KD(LLP__FM_SQ2HI) + ad); \
        *pd1 = SEL(z != z, z, SEL(z < LLP__FM_K(0), d1n, d1p));                                         \
        *pd2 = SEL(z != z, z, TOF(TOD(ep) * (LLP__FM_KD(LLP__FM_INVSQRT2PI) * wd)) * s2);               \
    }

/* Scalar instantiation (the tail, and the portable path). */
#define LLP__FM_STOD(x) ((double)(x))
#define LLP__FM_STOF(x) ((llp_real)(x))
LLP__FM_DEFINE(llp__fms_, llp_real, llp__fm_u, LLP__FM_SSEL, LLP__FM_STOB, LLP__FM_STOR, double, LLP__FM_STOD,
               LLP__FM_STOF)

/* Vector instantiation: GCC >= 9 or Clang (for __builtin_convertvector). Blocks
   are one native register: 32 bytes with AVX, else 16 (SSE2, NEON); wider
   vectors without the matching unit are split by the compiler, but their
   comparisons are scalarised, which is slow. */
#if (defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 9)) && !defined(LLP__NO_VECTOR_EXT)
#define LLP__FM_VEXT 1
#ifdef __AVX__
#define LLP__FM_VBYTES 32
#else
#define LLP__FM_VBYTES 16
#endif
typedef llp_real llp__fm_vr __attribute__((vector_size(LLP__FM_VBYTES)));
typedef llp__fm_u llp__fm_vu __attribute__((vector_size(LLP__FM_VBYTES)));
#define LLP__FM_VL (LLP__FM_VBYTES / sizeof(llp_real))
#define LLP__FM_VTOB(x) ((llp__fm_vu)(x))
#define LLP__FM_VTOR(u) ((llp__fm_vr)(u))
#define LLP__FM_VSEL(c, a, b) \
    ((llp__fm_vr)((((llp__fm_vu)(c)) & (llp__fm_vu)(a)) | (~((llp__fm_vu)(c)) & (llp__fm_vu)(b))))
#if LLP_REAL_IS_FLOAT
/* the floats of a block widen to doubles (twice the bytes) for the GELU rational */
typedef double llp__fm_vd __attribute__((vector_size(2 * LLP__FM_VBYTES)));
#define LLP__FM_VTOD(x) __builtin_convertvector(x, llp__fm_vd)
#define LLP__FM_VTOF(x) __builtin_convertvector(x, llp__fm_vr)
LLP__FM_DEFINE(llp__fmv_, llp__fm_vr, llp__fm_vu, LLP__FM_VSEL, LLP__FM_VTOB, LLP__FM_VTOR, llp__fm_vd, LLP__FM_VTOD,
               LLP__FM_VTOF)
#else
#define LLP__FM_VID(x) (x)
LLP__FM_DEFINE(llp__fmv_, llp__fm_vr, llp__fm_vu, LLP__FM_VSEL, LLP__FM_VTOB, LLP__FM_VTOR, llp__fm_vr, LLP__FM_VID,
               LLP__FM_VID)
#endif
#define LLP__FM_LOOP1(NAME)                                     \
    size_t i, nv = n - n % LLP__FM_VL;                          \
    for (i = 0; i < nv; i += LLP__FM_VL) {                      \
        llp__fm_vr va, vb;                                      \
        memcpy(&va, x + i, sizeof va);                          \
        llp__fmv_##NAME(&va, &vb);                              \
        memcpy(y + i, &vb, sizeof vb);                          \
    }                                                           \
    for (; i < n; i++) llp__fms_##NAME(x + i, y + i);
#else
#define LLP__FM_LOOP1(NAME) \
    size_t i;               \
    for (i = 0; i < n; i++) llp__fms_##NAME(x + i, y + i);
#endif

/* Wide instantiation: on x86-64 builds without AVX in the baseline (the
   usual -march=x86-64), the loops are compiled a second time for 32-byte AVX2
   registers and chosen at run time when the CPU has AVX2 (the check of the
   dense micro-kernel). No FMA is enabled there and contraction is off, so the
   wide loops perform the same IEEE operations as the 16-byte ones and the
   scalar tail: results are bit for bit those of the other paths (the fastmath
   test checks it), only twice as many lanes run per instruction. */
#if defined(LLP__FM_VEXT) && LLP__HAVE_AVX2_KERNEL && !defined(__AVX__)
#define LLP__FM_WIDE 1
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2")
#endif
typedef llp_real llp__fm_wr __attribute__((vector_size(32)));
typedef llp__fm_u llp__fm_wu __attribute__((vector_size(32)));
#define LLP__FM_WL (32 / sizeof(llp_real))
#define LLP__FM_WTOB(x) ((llp__fm_wu)(x))
#define LLP__FM_WTOR(u) ((llp__fm_wr)(u))
#define LLP__FM_WSEL(c, a, b) \
    ((llp__fm_wr)((((llp__fm_wu)(c)) & (llp__fm_wu)(a)) | (~((llp__fm_wu)(c)) & (llp__fm_wu)(b))))
#if LLP_REAL_IS_FLOAT
typedef double llp__fm_wd __attribute__((vector_size(64)));
#define LLP__FM_WTOD(x) __builtin_convertvector(x, llp__fm_wd)
#define LLP__FM_WTOF(x) __builtin_convertvector(x, llp__fm_wr)
LLP__FM_DEFINE(llp__fmw_, llp__fm_wr, llp__fm_wu, LLP__FM_WSEL, LLP__FM_WTOB, LLP__FM_WTOR, llp__fm_wd, LLP__FM_WTOD,
               LLP__FM_WTOF)
#else
LLP__FM_DEFINE(llp__fmw_, llp__fm_wr, llp__fm_wu, LLP__FM_WSEL, LLP__FM_WTOB, LLP__FM_WTOR, llp__fm_wr, LLP__FM_VID,
               LLP__FM_VID)
#endif
/* The wide loop over whole 32-byte blocks; returns how many values it did. */
#define LLP__FM_WLOOP(NAME)                                                        \
    static __attribute__((noinline, unused)) size_t llp__fmw_loop_##NAME(const llp_real *x, llp_real *y, size_t n) { \
        size_t i, nv = n - n % LLP__FM_WL;                                         \
        for (i = 0; i < nv; i += LLP__FM_WL) {                                     \
            llp__fm_wr va, vb;                                                     \
            memcpy(&va, x + i, sizeof va);                                         \
            llp__fmw_##NAME(&va, &vb);                                             \
            memcpy(y + i, &vb, sizeof vb);                                         \
        }                                                                          \
        return nv;                                                                 \
    }
LLP__FM_WLOOP(exp)
LLP__FM_WLOOP(tanh)
LLP__FM_WLOOP(sigmoid)
LLP__FM_WLOOP(softplus)
LLP__FM_WLOOP(gelu)
static __attribute__((noinline, unused)) size_t llp__fmw_loop_gelu_d12(const llp_real *z, llp_real *d1, llp_real *d2,
                                                                       size_t n) {
    size_t i, nv = n - n % LLP__FM_WL;
    for (i = 0; i < nv; i += LLP__FM_WL) {
        llp__fm_wr vz, v1, v2;
        memcpy(&vz, z + i, sizeof vz);
        llp__fmw_gelu_d12(&vz, &v1, &v2);
        memcpy(d1 + i, &v1, sizeof v1);
        memcpy(d2 + i, &v2, sizeof v2);
    }
    return nv;
}
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
/* Values done by the wide loop (0 when the CPU has no AVX2). */
#define LLP__FM_WIDE_PART(NAME, ...) (llp__cpu_has_avx2() ? llp__fmw_loop_##NAME(__VA_ARGS__) : 0)
#endif

#ifdef LLP__FM_WIDE
#define LLP__FM_LOOP(NAME)                                       \
    size_t done = LLP__FM_WIDE_PART(NAME, x, y, n);              \
    x += done, y += done, n -= done;                             \
    {                                                            \
        LLP__FM_LOOP1(NAME)                                      \
    }
#else
#define LLP__FM_LOOP(NAME) LLP__FM_LOOP1(NAME)
#endif

/* y = e^x. */
LLP__FM_API void llp__vexp(const llp_real *x, llp_real *y, size_t n) { LLP__FM_LOOP(exp) }
/* y = tanh(x). */
LLP__FM_API void llp__vtanh(const llp_real *x, llp_real *y, size_t n) { LLP__FM_LOOP(tanh) }
/* y = 1 / (1 + e^-x). */
LLP__FM_API void llp__vsigmoid(const llp_real *x, llp_real *y, size_t n) { LLP__FM_LOOP(sigmoid) }
/* y = log(1 + e^x). */
LLP__FM_API void llp__vsoftplus(const llp_real *x, llp_real *y, size_t n) { LLP__FM_LOOP(softplus) }
/* y = x Phi(x) (exact GELU). */
LLP__FM_API void llp__vgelu(const llp_real *x, llp_real *y, size_t n) { LLP__FM_LOOP(gelu) }
/* d1 = Phi(z) + z phi(z), d2 = phi(z) (2 - z^2): first and second derivative of the GELU. */
LLP__FM_API void llp__vgelu_d12(const llp_real *z, llp_real *d1, llp_real *d2, size_t n) {
    size_t i = 0;
#ifdef LLP__FM_WIDE
    i = LLP__FM_WIDE_PART(gelu_d12, z, d1, d2, n);
#endif
#ifdef LLP__FM_VEXT
    {
        size_t nv = i + (n - i) - (n - i) % LLP__FM_VL;
        for (; i < nv; i += LLP__FM_VL) {
            llp__fm_vr vz, v1, v2;
            memcpy(&vz, z + i, sizeof vz);
            llp__fmv_gelu_d12(&vz, &v1, &v2);
            memcpy(d1 + i, &v1, sizeof v1);
            memcpy(d2 + i, &v2, sizeof v2);
        }
    }
#endif
    for (; i < n; i++) llp__fms_gelu_d12(z + i, d1 + i, d2 + i);
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif

/* -- activation kernels (elementwise over n values) -- */

static double llp__sigmoid(double z) {
    if (z >= 0) return 1.0 / (1.0 + exp(-z));
    {
        double e = exp(z);
        return e / (1.0 + e);
    }
}

#define LLP__INV_SQRT2 0.70710678118654752440
#define LLP__INV_SQRT2PI 0.39894228040143267794

/* a = act(z). */
static void llp__act_forward(llp_act act, double slope, const llp_real *z, llp_real *a, size_t n) {
    size_t i;
    switch (act) {
    case LLP_ACT_RELU: for (i = 0; i < n; i++) a[i] = z[i] > 0 ? z[i] : 0; break;
    case LLP_ACT_LEAKY_RELU: for (i = 0; i < n; i++) a[i] = z[i] > 0 ? z[i] : (llp_real)(slope * z[i]); break;
    case LLP_ACT_TANH: llp__vtanh(z, a, n); break; /* <= 1.4 ulp, vectorised */
    case LLP_ACT_SIGMOID: llp__vsigmoid(z, a, n); break;   /* <= 2.4 ulp */
    case LLP_ACT_SOFTPLUS: llp__vsoftplus(z, a, n); break; /* <= 1.6 ulp */
    case LLP_ACT_GELU: llp__vgelu(z, a, n); break;         /* <= 1e-15 relative */
    default:
        if (a != z) llp_copy(z, a, n);
        break;
    }
}

/* First and second derivative of act at z (a = act(z)). */
static void llp__act_d12(llp_act act, double slope, double z, double a, double *d1, double *d2) {
    switch (act) {
    case LLP_ACT_RELU: *d1 = z > 0 ? 1 : 0, *d2 = 0; break;
    case LLP_ACT_LEAKY_RELU: *d1 = z > 0 ? 1 : slope, *d2 = 0; break;
    case LLP_ACT_TANH: *d1 = 1 - a * a, *d2 = -2 * a * (1 - a * a); break;
    case LLP_ACT_SIGMOID: *d1 = a * (1 - a), *d2 = a * (1 - a) * (1 - 2 * a); break;
    case LLP_ACT_SOFTPLUS: {
        double s = llp__sigmoid(z);
        *d1 = s, *d2 = s * (1 - s);
        break;
    }
    case LLP_ACT_GELU: {
        double phi = LLP__INV_SQRT2PI * exp(-0.5 * z * z), Phi = 0.5 * (1.0 + erf(z * LLP__INV_SQRT2));
        *d1 = Phi + z * phi, *d2 = phi * (2 - z * z);
        break;
    }
    default: *d1 = 1, *d2 = 0; break;
    }
}

/* Backward: g *= act'(z), in place (g holds dL/da on entry, dL/dz on exit). */
static void llp__act_backward(llp_act act, double slope, const llp_real *z, const llp_real *a, llp_real *g, size_t n) {
    size_t i;
    switch (act) {
    case LLP_ACT_IDENTITY: break;
    case LLP_ACT_RELU: for (i = 0; i < n; i++) g[i] = z[i] > 0 ? g[i] : 0; break;
    case LLP_ACT_TANH: for (i = 0; i < n; i++) g[i] *= 1 - a[i] * a[i]; break;
    case LLP_ACT_SIGMOID: for (i = 0; i < n; i++) g[i] *= a[i] * (1 - a[i]); break;
    default:
        for (i = 0; i < n; i++) {
            double d1, d2;
            llp__act_d12(act, slope, z[i], a[i], &d1, &d2);
            g[i] = (llp_real)(g[i] * d1);
        }
    }
}

/* Tangent forward: ra = act'(z) rz. */
static void llp__act_tangent_forward(llp_act act, double slope, const llp_real *z, const llp_real *a,
                                     const llp_real *rz, llp_real *ra, size_t n) {
    size_t i;
    if (act == LLP_ACT_IDENTITY) {
        llp_copy(rz, ra, n);
        return;
    }
    if (act == LLP_ACT_TANH) {
        for (i = 0; i < n; i++) ra[i] = (1 - a[i] * a[i]) * rz[i];
        return;
    }
    for (i = 0; i < n; i++) {
        double d1, d2;
        llp__act_d12(act, slope, z[i], a[i], &d1, &d2);
        ra[i] = (llp_real)(d1 * rz[i]);
    }
}

/* Tangent backward, in place: rg <- act'(z) rg + act''(z) rz g, then
   g <- act'(z) g. On entry g = dL/da and rg = R(dL/da); on exit both refer
   to z. g NULL: Gauss–Newton (no second-order term, rg <- act'(z) rg). */
static void llp__act_tangent_backward(llp_act act, double slope, const llp_real *z, const llp_real *a,
                                      const llp_real *rz, llp_real *g, llp_real *rg, size_t n) {
    size_t i;
    if (act == LLP_ACT_IDENTITY) return;
    if (act == LLP_ACT_TANH && g) {
        for (i = 0; i < n; i++) {
            llp_real d1 = 1 - a[i] * a[i], d2 = -2 * a[i] * d1;
            rg[i] = d1 * rg[i] + d2 * rz[i] * g[i];
            g[i] *= d1;
        }
        return;
    }
    for (i = 0; i < n; i++) {
        double d1, d2;
        llp__act_d12(act, slope, z[i], a[i], &d1, &d2);
        if (g) {
            rg[i] = (llp_real)(d1 * rg[i] + d2 * rz[i] * g[i]);
            g[i] = (llp_real)(d1 * g[i]);
        } else {
            rg[i] = (llp_real)(d1 * rg[i]);
        }
    }
}

/* -- losses on the network outputs y: (B, k) -- */

/* Target j of sample r, for the element-wise losses (MSE, MAE, BCE). */
static double llp__target(const llp_data *data, size_t r, size_t j, size_t k) {
    if (data->task == LLP_TASK_REGRESSION) return data->y[r * data->k + j];
    if (k == 1) return (double)data->labels[r];
    return data->labels[r] == (int)j ? 1.0 : 0.0;
}

/* Sum of per-sample losses times `scale`; dy (may be NULL) = d(that)/dy. */
static double llp__loss_forward_backward(llp_loss loss, const llp_data *data, const size_t *rows, size_t B,
                                         const llp_real *y, llp_real *dy, size_t k, double scale) {
    size_t b, j;
    double total = 0;
    for (b = 0; b < B; b++) {
        const llp_real *yb = y + b * k;
        llp_real *db = dy ? dy + b * k : NULL;
        size_t r = rows[b];
        if (loss == LLP_LOSS_SOFTMAX_CE) {
            double mx = yb[0], s = 0;
            int lab = data->labels[r];
            for (j = 1; j < k; j++)
                if (yb[j] > mx) mx = yb[j];
            if (db) { /* the exponentials once, kept in db */
                for (j = 0; j < k; j++) db[j] = (llp_real)(yb[j] - mx);
                llp__vexp(db, db, k);
                for (j = 0; j < k; j++) s += db[j];
            } else {
                for (j = 0; j < k; j++) s += exp(yb[j] - mx);
            }
            total += (mx + log(s) - yb[lab]) * scale;
            if (db) {
                double f = scale / s;
                for (j = 0; j < k; j++) db[j] = (llp_real)(db[j] * f);
                db[lab] -= (llp_real)scale;
            }
        } else {
            double s = scale / (double)k;
            for (j = 0; j < k; j++) {
                double t = llp__target(data, r, j, k), v = yb[j], d = v - t;
                if (loss == LLP_LOSS_MSE) {
                    total += d * d * s;
                    if (db) db[j] = (llp_real)(2 * d * s);
                } else if (loss == LLP_LOSS_MAE) {
                    total += fabs(d) * s;
                    if (db) db[j] = (llp_real)((d > 0 ? 1 : d < 0 ? -1 : 0) * s);
                } else { /* BCE on logits: softplus(v) - t v */
                    total += ((v > 0 ? v : 0) - t * v + log1p(exp(-fabs(v)))) * s;
                    if (db) db[j] = (llp_real)((llp__sigmoid(v) - t) * s);
                }
            }
        }
    }
    return total;
}

/* hr = (Hessian of the scaled loss w.r.t. y) . r, both (B, k). */
static void llp__loss_hessian(llp_loss loss, const size_t *rows, size_t B, const llp_real *y, const llp_real *r,
                              llp_real *hr, size_t k, double scale) {
    size_t b, j;
    (void)rows;
    for (b = 0; b < B; b++) {
        const llp_real *yb = y + b * k, *rb = r + b * k;
        llp_real *hb = hr + b * k;
        if (loss == LLP_LOSS_SOFTMAX_CE) {
            double mx = yb[0], s = 0, pr = 0;
            for (j = 1; j < k; j++)
                if (yb[j] > mx) mx = yb[j];
            for (j = 0; j < k; j++) s += exp(yb[j] - mx);
            for (j = 0; j < k; j++) pr += exp(yb[j] - mx) / s * rb[j];
            for (j = 0; j < k; j++) hb[j] = (llp_real)(exp(yb[j] - mx) / s * (rb[j] - pr) * scale);
        } else if (loss == LLP_LOSS_MSE) {
            for (j = 0; j < k; j++) hb[j] = (llp_real)(2 * scale / (double)k * rb[j]);
        } else { /* BCE */
            for (j = 0; j < k; j++) {
                double sg = llp__sigmoid(yb[j]);
                hb[j] = (llp_real)(sg * (1 - sg) * scale / (double)k * rb[j]);
            }
        }
    }
}

enum { LLP__PASS_LOSS, LLP__PASS_GRAD, LLP__PASS_HVP, LLP__PASS_GNVP, LLP__PASS_INPUT };

/* Check arguments shared by all MLP evaluations over data. */
static llp_result llp__mlp_check(const llp_mlp *m, const llp_real *theta, const llp_data *data, const llp_batch *batch,
                                 const llp_mlp_work *w) {
    if (!m || !theta || !data || !data->x || !w || !w->block) return LLP_ERR_ARG;
    if (w->n_layers != m->n_layers) return LLP_ERR_SHAPE;
    if (data->d != (size_t)m->sizes[0]) return LLP_ERR_SHAPE;
    if (data->task == LLP_TASK_CLASSIFICATION ? !data->labels : !data->y) return LLP_ERR_ARG;
    if (m->loss == LLP_LOSS_SOFTMAX_CE &&
        (data->task != LLP_TASK_CLASSIFICATION || data->n_classes != (size_t)m->sizes[m->n_layers]))
        return LLP_ERR_SHAPE;
    if (data->task == LLP_TASK_REGRESSION && data->k != (size_t)m->sizes[m->n_layers]) return LLP_ERR_SHAPE;
    return llp__batch_check(batch, data->n);
}

/* Rows of one chunk (done .. done+B-1 of the batch) into w->rows; returns
   the chunk's input matrix (B, d): a view into the data for contiguous
   batches, the gathered rows in w->x for index batches. */
static const llp_real *llp__chunk_inputs(const llp_data *data, const llp_batch *batch, size_t done, size_t B,
                                         llp_mlp_work *w) {
    size_t i, d = data->d;
    if (!batch || batch->kind != LLP_BATCH_INDEX) {
        size_t s = (batch && batch->kind == LLP_BATCH_RANGE ? batch->start : 0) + done;
        for (i = 0; i < B; i++) w->rows[i] = s + i;
        return data->x + s * d;
    }
    for (i = 0; i < B; i++) {
        w->rows[i] = batch->index[done + i];
        llp_copy(data->x + w->rows[i] * d, w->x + i * d, d);
    }
    return w->x;
}

/* LLP_ERR_LABEL when a label of the chunk cannot index the outputs. */
static llp_result llp__chunk_labels(const llp_mlp *m, const llp_data *data, const llp_mlp_work *w, size_t B) {
    size_t i, k = (size_t)m->sizes[m->n_layers], lim;
    if (data->task != LLP_TASK_CLASSIFICATION) return LLP_OK;
    lim = m->loss == LLP_LOSS_SOFTMAX_CE || k > 1 ? k : 2;
    for (i = 0; i < B; i++)
        if (data->labels[w->rows[i]] < 0 || (size_t)data->labels[w->rows[i]] >= lim) return LLP_ERR_LABEL;
    return LLP_OK;
}

/* The engine: one chunked pass over a batch. mode selects what is computed:
   LOSS (loss only), GRAD (loss, out = gradient), HVP (out = H v), GNVP
   (out = G v), INPUT (out = dL/dx rows). */
static llp_result llp__mlp_pass(const llp_mlp *m, const llp_real *theta, const llp_real *v, const llp_data *data,
                                const llp_batch *batch, int mode, llp_real *lossp, llp_real *out, llp_mlp_work *w) {
    size_t total, done, d, k, L;
    double loss = 0, scale;
    int l;
    int tangent = mode == LLP__PASS_HVP || mode == LLP__PASS_GNVP;
    llp__gemm_env ge;
    llp_result r = llp__mlp_check(m, theta, data, batch, w);
    if (r != LLP_OK) return r;
    ge.pack = w->pack;
    ge.simd = llp__simd_kernel();
    if (tangent && m->loss == LLP_LOSS_MAE) return LLP_ERR_UNSUPPORTED;
    if (tangent && !v) return LLP_ERR_ARG;
    total = llp_batch_size(batch, data->n);
    d = (size_t)m->sizes[0];
    L = (size_t)m->n_layers;
    k = (size_t)m->sizes[L];
    scale = 1.0 / (double)total;
    if (out) llp_fill(0, out, mode == LLP__PASS_INPUT ? total * d : m->n_params);
    for (done = 0; done < total; done += w->max_batch) {
        size_t B = total - done < w->max_batch ? total - done : w->max_batch;
        const llp_real *X;
        llp_real *A[LLP_MAX_LAYERS] = {0}, *RA[LLP_MAX_LAYERS] = {0}, *g, *gn, *rg, *rgn;
        /* rows of this chunk and its input matrix; labels index the outputs,
           so they are checked here, not only at objective init */
        X = llp__chunk_inputs(data, batch, done, B, w);
        r = llp__chunk_labels(m, data, w, B);
        if (r != LLP_OK) return r;
        /* forward (and tangent forward) */
        for (l = 0; l < (int)L; l++) {
            size_t in = (size_t)m->sizes[l], o = (size_t)m->sizes[l + 1];
            const llp_real *xin = l ? A[l - 1] : X;
            /* loss only: activations in place, nothing is kept for a backward pass */
            A[l] = m->act[l] == LLP_ACT_IDENTITY || mode == LLP__PASS_LOSS ? w->z[l] : w->a[l];
            llp__dense_forward(w->z[l], xin, theta + m->w_off[l], theta + m->b_off[l], B, in, o, &ge);
            llp__act_forward(m->act[l], m->leaky_slope, w->z[l], A[l], B * o);
            if (tangent) {
                RA[l] = m->act[l] == LLP_ACT_IDENTITY ? w->rz[l] : w->ra[l];
                llp__dense_tangent_forward(w->rz[l], l ? RA[l - 1] : NULL, xin, theta + m->w_off[l], v + m->w_off[l],
                                           v + m->b_off[l], B, in, o, &ge);
                llp__act_tangent_forward(m->act[l], m->leaky_slope, w->z[l], A[l], w->rz[l], RA[l], B * o);
            }
        }
        /* loss; g = dL/dy, rg = H_loss . Ry */
        g = w->g0;
        gn = w->g1;
        rg = w->r0;
        rgn = w->r1;
        if (mode == LLP__PASS_LOSS) {
            loss += llp__loss_forward_backward(m->loss, data, w->rows, B, A[L - 1], NULL, k, scale);
            continue;
        }
        loss += llp__loss_forward_backward(m->loss, data, w->rows, B, A[L - 1], g, k, scale);
        if (tangent) llp__loss_hessian(m->loss, w->rows, B, A[L - 1], RA[L - 1], rg, k, scale);
        /* backward (and tangent backward) */
        for (l = (int)L - 1; l >= 0; l--) {
            size_t in = (size_t)m->sizes[l], o = (size_t)m->sizes[l + 1];
            const llp_real *xin = l ? A[l - 1] : X;
            const llp_real *W = theta + m->w_off[l];
            int need_dx = l > 0 || mode == LLP__PASS_INPUT;
            llp_real *t;
            if (mode == LLP__PASS_GRAD || mode == LLP__PASS_INPUT) {
                llp__act_backward(m->act[l], m->leaky_slope, w->z[l], A[l], g, B * o);
                if (mode == LLP__PASS_GRAD)
                    llp__dense_backward(need_dx ? gn : NULL, out + m->w_off[l], out + m->b_off[l], g, xin, W, B, in, o, &ge);
                else
                    llp__dense_backward(l ? gn : out + done * d, NULL, NULL, g, xin, W, B, in, o, &ge);
            } else if (mode == LLP__PASS_HVP) {
                llp__act_tangent_backward(m->act[l], m->leaky_slope, w->z[l], A[l], w->rz[l], g, rg, B * o);
                llp__dense_tangent_backward(l ? rgn : NULL, out + m->w_off[l], out + m->b_off[l], rg, g, xin,
                                            l ? RA[l - 1] : NULL, W, v + m->w_off[l], B, in, o, &ge);
                if (l) llp__dense_backward(gn, NULL, NULL, g, xin, W, B, in, o, &ge);
            } else { /* GNVP */
                llp__act_tangent_backward(m->act[l], m->leaky_slope, w->z[l], A[l], NULL, NULL, rg, B * o);
                llp__dense_tangent_backward(l ? rgn : NULL, out + m->w_off[l], out + m->b_off[l], rg, NULL, xin,
                                            NULL, W, NULL, B, in, o, &ge);
            }
            t = g, g = gn, gn = t;
            t = rg, rg = rgn, rgn = t;
        }
    }
    /* weight decay lambda/2 ||W||^2 (in the loss of every mode; no input gradient) */
    if (m->weight_decay > 0) {
        double lam = m->weight_decay, s = 0;
        for (l = 0; l < (int)L; l++) {
            size_t cnt = (size_t)m->sizes[l] * (size_t)m->sizes[l + 1];
            const llp_real *W = theta + m->w_off[l];
            s += llp_dot(W, W, cnt);
            if (mode == LLP__PASS_GRAD) llp_axpy((llp_real)lam, W, out + m->w_off[l], cnt);
            if (tangent) llp_axpy((llp_real)lam, v + m->w_off[l], out + m->w_off[l], cnt);
        }
        loss += 0.5 * lam * s;
    }
    if (lossp) *lossp = (llp_real)loss;
    return LLP_OK;
}

/* Block tangent-backward through an activation: for every sample b and
   tangent j, rg <- act'(z) rg + act''(z) rz ga (gn: without the second term).
   z, a, ga: (B, out); rz, rg: (B, K, out). */
static void llp__act_tangent_backward_block(llp_act act, double slope, const llp_real *z, const llp_real *a,
                                            const llp_real *rz, const llp_real *ga, llp_real *rg, size_t B, size_t K,
                                            size_t out, int gn) {
    size_t b, j, o;
    if (act == LLP_ACT_IDENTITY) return;
    for (b = 0; b < B; b++)
        for (j = 0; j < K; j++) {
            const llp_real *zb = z + b * out, *ab = a + b * out, *rzb = rz + (b * K + j) * out;
            const llp_real *gb = gn ? zb : ga + b * out; /* gb is not read when gn */
            llp_real *rgb = rg + (b * K + j) * out;
            if (act == LLP_ACT_TANH) {
                for (o = 0; o < out; o++) {
                    llp_real d1 = 1 - ab[o] * ab[o], d2 = -2 * ab[o] * d1;
                    rgb[o] = gn ? d1 * rgb[o] : d1 * rgb[o] + d2 * rzb[o] * gb[o];
                }
            } else {
                for (o = 0; o < out; o++) {
                    double d1, d2;
                    llp__act_d12(act, slope, zb[o], ab[o], &d1, &d2);
                    rgb[o] = (llp_real)(gn ? d1 * rgb[o] : d1 * rgb[o] + d2 * rzb[o] * gb[o]);
                }
            }
        }
}

/* The block engine: HV_j = H V_j (gn: G V_j) for k vectors, one primal
   forward and backward per chunk, tangents carried w->max_vectors at a time
   with layout (B, K, width) so that products sharing W are one product. */
static llp_result llp__mlp_block_pass(const llp_mlp *m, const llp_real *theta, const llp_real *V, size_t kv,
                                      const llp_data *data, const llp_batch *batch, int gn, llp_real *HV,
                                      llp_real *lossp, llp_mlp_work *w) {
    size_t total, done, L, kout, n, j, j0;
    double loss = 0, scale;
    int l;
    llp__gemm_env ge;
    llp_result r = llp__mlp_check(m, theta, data, batch, w);
    if (r != LLP_OK) return r;
    if (m->loss == LLP_LOSS_MAE) return LLP_ERR_UNSUPPORTED;
    if (!V || !HV || kv == 0) return LLP_ERR_ARG;
    ge.pack = w->pack;
    ge.simd = llp__simd_kernel();
    n = m->n_params;
    total = llp_batch_size(batch, data->n);
    L = (size_t)m->n_layers;
    kout = (size_t)m->sizes[L];
    scale = 1.0 / (double)total;
    llp_fill(0, HV, kv * n);
    for (done = 0; done < total; done += w->max_batch) {
        size_t B = total - done < w->max_batch ? total - done : w->max_batch, b;
        const llp_real *X = llp__chunk_inputs(data, batch, done, B, w);
        llp_real *A[LLP_MAX_LAYERS] = {0}, *GA[LLP_MAX_LAYERS] = {0}, *GZ[LLP_MAX_LAYERS] = {0};
        llp_real *g = w->g0, *gnx = w->g1;
        r = llp__chunk_labels(m, data, w, B);
        if (r != LLP_OK) return r;
        /* primal forward */
        for (l = 0; l < (int)L; l++) {
            size_t in = (size_t)m->sizes[l], o = (size_t)m->sizes[l + 1];
            A[l] = m->act[l] == LLP_ACT_IDENTITY ? w->z[l] : w->a[l];
            llp__dense_forward(w->z[l], l ? A[l - 1] : X, theta + m->w_off[l], theta + m->b_off[l], B, in, o, &ge);
            llp__act_forward(m->act[l], m->leaky_slope, w->z[l], A[l], B * o);
        }
        /* loss and the primal backward pass, keeping dL/da and dL/dz of every layer */
        loss += llp__loss_forward_backward(m->loss, data, w->rows, B, A[L - 1], g, kout, scale);
        if (!gn) {
            for (l = (int)L - 1; l >= 0; l--) {
                size_t in = (size_t)m->sizes[l], o = (size_t)m->sizes[l + 1];
                GA[l] = w->ga[l];
                GZ[l] = w->gz[l];
                llp_copy(g, GA[l], B * o);
                llp_copy(g, GZ[l], B * o);
                llp__act_backward(m->act[l], m->leaky_slope, w->z[l], A[l], GZ[l], B * o);
                if (l) llp__dense_backward(gnx, NULL, NULL, GZ[l], A[l - 1], theta + m->w_off[l], B, in, o, &ge);
                {
                    llp_real *t = g;
                    g = gnx, gnx = t;
                }
            }
        }
        for (j0 = 0; j0 < kv; j0 += w->max_vectors) {
            size_t K = kv - j0 < w->max_vectors ? kv - j0 : w->max_vectors;
            llp_real *RA[LLP_MAX_LAYERS] = {0}, *rg = w->r0, *rgn = w->r1;
            /* tangent forward: rz_j = ra_j(l-1) W^T + x V_j^T + c_j */
            for (l = 0; l < (int)L; l++) {
                size_t in = (size_t)m->sizes[l], o = (size_t)m->sizes[l + 1];
                const llp_real *xin = l ? A[l - 1] : X;
                llp_real *rz = w->rz[l];
                RA[l] = m->act[l] == LLP_ACT_IDENTITY ? w->rz[l] : w->ra[l];
                for (b = 0; b < B; b++)
                    for (j = 0; j < K; j++) llp_copy(V + (j0 + j) * n + m->b_off[l], rz + (b * K + j) * o, o);
                for (j = 0; j < K; j++)
                    llp__gemm(B, o, in, xin, in, 1, V + (j0 + j) * n + m->w_off[l], 1, in, rz + j * o, K * o, ge.pack,
                              ge.simd);
                if (l) llp__gemm(B * K, o, in, RA[l - 1], in, 1, theta + m->w_off[l], 1, in, rz, o, ge.pack, ge.simd);
                if (RA[l] != rz)
                    for (b = 0; b < B; b++)
                        for (j = 0; j < K; j++)
                            llp__act_tangent_forward(m->act[l], m->leaky_slope, w->z[l] + b * o, A[l] + b * o,
                                                     rz + (b * K + j) * o, RA[l] + (b * K + j) * o, o);
            }
            /* output: rg = H_loss . Ry for every sample and tangent */
            for (b = 0; b < B; b++)
                for (j = 0; j < K; j++)
                    llp__loss_hessian(m->loss, w->rows + b, 1, A[L - 1] + b * kout, RA[L - 1] + (b * K + j) * kout,
                                      rg + (b * K + j) * kout, kout, scale);
            /* tangent backward */
            for (l = (int)L - 1; l >= 0; l--) {
                size_t in = (size_t)m->sizes[l], o = (size_t)m->sizes[l + 1];
                const llp_real *xin = l ? A[l - 1] : X, *W = theta + m->w_off[l];
                llp__act_tangent_backward_block(m->act[l], m->leaky_slope, w->z[l], A[l], w->rz[l], gn ? NULL : GA[l],
                                                rg, B, K, o, gn);
                for (j = 0; j < K; j++) {
                    llp_real *hv = HV + (j0 + j) * n;
                    /* R(dW_j) += rdz_j^T x (+ dz^T ra_j(l-1)); R(db_j) += sum_b rdz_j */
                    llp__gemm(o, in, B, rg + j * o, 1, K * o, xin, in, 1, hv + m->w_off[l], in, ge.pack, ge.simd);
                    if (!gn && l)
                        llp__gemm(o, in, B, GZ[l], 1, o, RA[l - 1] + j * in, K * in, 1, hv + m->w_off[l], in, ge.pack,
                                  ge.simd);
                    for (b = 0; b < B; b++) llp_axpy(1, rg + (b * K + j) * o, hv + m->b_off[l], o);
                }
                if (l) {
                    /* rdx_j = rdz_j W (+ dz V_j) */
                    llp_fill(0, rgn, B * K * in);
                    llp__gemm(B * K, in, o, rg, o, 1, W, in, 1, rgn, in, ge.pack, ge.simd);
                    if (!gn)
                        for (j = 0; j < K; j++)
                            llp__gemm(B, in, o, GZ[l], o, 1, V + (j0 + j) * n + m->w_off[l], in, 1, rgn + j * in, K * in,
                                      ge.pack, ge.simd);
                    {
                        llp_real *t = rg;
                        rg = rgn, rgn = t;
                    }
                }
            }
        }
    }
    if (m->weight_decay > 0) {
        double lam = m->weight_decay, s = 0;
        for (l = 0; l < (int)L; l++) {
            size_t cnt = (size_t)m->sizes[l] * (size_t)m->sizes[l + 1];
            s += llp_dot(theta + m->w_off[l], theta + m->w_off[l], cnt);
            for (j = 0; j < kv; j++) llp_axpy((llp_real)lam, V + j * n + m->w_off[l], HV + j * n + m->w_off[l], cnt);
        }
        loss += 0.5 * lam * s;
    }
    if (lossp) *lossp = (llp_real)loss;
    return LLP_OK;
}

LLPDEF llp_result llp_mlp_hvp_block(const llp_mlp *m, const llp_real *theta, const llp_real *V, size_t k,
                                    const llp_data *data, const llp_batch *batch, llp_real *HV, llp_real *loss,
                                    llp_mlp_work *w) {
    size_t j;
    if (!m || !w) return LLP_ERR_ARG;
    if (k == 1 || w->max_vectors <= 1) { /* no block workspace: one product at a time */
        for (j = 0; j < k; j++) {
            llp_result r = llp_mlp_hvp(m, theta, V + j * m->n_params, data, batch, HV + j * m->n_params, loss, w);
            if (r != LLP_OK) return r;
        }
        return k ? LLP_OK : LLP_ERR_ARG;
    }
    return llp__mlp_block_pass(m, theta, V, k, data, batch, 0, HV, loss, w);
}

LLPDEF llp_result llp_mlp_gnvp_block(const llp_mlp *m, const llp_real *theta, const llp_real *V, size_t k,
                                     const llp_data *data, const llp_batch *batch, llp_real *GV, llp_mlp_work *w) {
    size_t j;
    if (!m || !w) return LLP_ERR_ARG;
    if (k == 1 || w->max_vectors <= 1) {
        for (j = 0; j < k; j++) {
            llp_result r = llp_mlp_gnvp(m, theta, V + j * m->n_params, data, batch, GV + j * m->n_params, w);
            if (r != LLP_OK) return r;
        }
        return k ? LLP_OK : LLP_ERR_ARG;
    }
    return llp__mlp_block_pass(m, theta, V, k, data, batch, 1, GV, NULL, w);
}

LLPDEF llp_result llp_mlp_forward(const llp_mlp *m, const llp_real *theta, const llp_real *x, size_t B,
                                  llp_real *out, llp_mlp_work *w) {
    int l;
    const llp_real *cur;
    llp__gemm_env ge;
    if (!m || !theta || !x || !out || !w || !w->block) return LLP_ERR_ARG;
    if (B == 0 || B > w->max_batch || w->n_layers != m->n_layers) return LLP_ERR_SHAPE;
    ge.pack = w->pack;
    ge.simd = llp__simd_kernel();
    cur = x;
    for (l = 0; l < m->n_layers; l++) {
        size_t in = (size_t)m->sizes[l], o = (size_t)m->sizes[l + 1];
        llp__dense_forward(w->z[l], cur, theta + m->w_off[l], theta + m->b_off[l], B, in, o, &ge);
        llp__act_forward(m->act[l], m->leaky_slope, w->z[l], w->a[l], B * o);
        cur = w->a[l];
    }
    llp_copy(cur, out, B * (size_t)m->sizes[m->n_layers]);
    return LLP_OK;
}

LLPDEF llp_result llp_mlp_loss_grad(const llp_mlp *m, const llp_real *theta, const llp_data *data,
                                    const llp_batch *batch, llp_real *loss, llp_real *grad, llp_mlp_work *w) {
    llp_real l;
    return llp__mlp_pass(m, theta, NULL, data, batch, grad ? LLP__PASS_GRAD : LLP__PASS_LOSS, loss ? loss : &l, grad,
                         w);
}

LLPDEF llp_result llp_mlp_hvp(const llp_mlp *m, const llp_real *theta, const llp_real *v, const llp_data *data,
                              const llp_batch *batch, llp_real *hv, llp_real *loss, llp_mlp_work *w) {
    if (!hv) return LLP_ERR_ARG;
    return llp__mlp_pass(m, theta, v, data, batch, LLP__PASS_HVP, loss, hv, w);
}

LLPDEF llp_result llp_mlp_gnvp(const llp_mlp *m, const llp_real *theta, const llp_real *v, const llp_data *data,
                               const llp_batch *batch, llp_real *gv, llp_mlp_work *w) {
    if (!gv) return LLP_ERR_ARG;
    return llp__mlp_pass(m, theta, v, data, batch, LLP__PASS_GNVP, NULL, gv, w);
}

LLPDEF llp_result llp_mlp_input_grad(const llp_mlp *m, const llp_real *theta, const llp_data *data,
                                     const llp_batch *batch, llp_real *dx, llp_real *loss, llp_mlp_work *w) {
    if (!dx) return LLP_ERR_ARG;
    return llp__mlp_pass(m, theta, NULL, data, batch, LLP__PASS_INPUT, loss, dx, w);
}

/* Correct predictions among the B rows of outputs y (B, k): argmax (first
   maximum) against the label; one output: y > 0 means class 1. */
static size_t llp__count_correct(const llp_data *data, const size_t *rows, const llp_real *y, size_t B, size_t k) {
    size_t i, j, correct = 0;
    for (i = 0; i < B; i++) {
        int pred = 0;
        if (k == 1) {
            pred = y[i] > 0;
        } else {
            for (j = 1; j < k; j++)
                if (y[i * k + j] > y[i * k + (size_t)pred]) pred = (int)j;
        }
        correct += pred == data->labels[rows[i]];
    }
    return correct;
}

LLPDEF llp_result llp_mlp_accuracy(const llp_mlp *m, const llp_real *theta, const llp_data *data,
                                   const llp_batch *batch, double *accuracy, llp_mlp_work *w) {
    size_t total, done, k, correct = 0;
    llp_result r;
    llp__gemm_env ge;
    if (!accuracy) return LLP_ERR_ARG;
    if (data && data->task != LLP_TASK_CLASSIFICATION) return LLP_ERR_ARG;
    r = llp__mlp_check(m, theta, data, batch, w);
    if (r != LLP_OK) return r;
    ge.pack = w->pack;
    ge.simd = llp__simd_kernel();
    total = llp_batch_size(batch, data->n);
    k = (size_t)m->sizes[m->n_layers];
    for (done = 0; done < total; done += w->max_batch) {
        size_t B = total - done < w->max_batch ? total - done : w->max_batch;
        const llp_real *X, *cur;
        int l;
        X = llp__chunk_inputs(data, batch, done, B, w);
        cur = X;
        for (l = 0; l < m->n_layers; l++) {
            size_t in = (size_t)m->sizes[l], o = (size_t)m->sizes[l + 1];
            llp__dense_forward(w->z[l], cur, theta + m->w_off[l], theta + m->b_off[l], B, in, o, &ge);
            llp__act_forward(m->act[l], m->leaky_slope, w->z[l], w->a[l], B * o);
            cur = w->a[l];
        }
        correct += llp__count_correct(data, w->rows, cur, B, k);
    }
    *accuracy = (double)correct / (double)total;
    return LLP_OK;
}

LLPDEF llp_result llp_mlp_plane_loss(const llp_mlp *m, const llp_real *theta, const llp_real *d1, const llp_real *d2,
                                     const llp_data *data, const llp_batch *batch, const llp_real *a,
                                     const llp_real *b, size_t npts, llp_real *loss, double *accuracy,
                                     llp_mlp_work *w) {
    size_t total, done, k, L, h, in0, n, rest, p, i;
    double scale, *acc;
    size_t *correct;
    llp_real *tp;
    llp__gemm_env ge;
    llp_result r = llp__mlp_check(m, theta, data, batch, w);
    if (r != LLP_OK) return r;
    if (!d1 || !a || !loss || npts == 0 || (d2 != NULL) != (b != NULL)) return LLP_ERR_ARG;
    if (accuracy && data->task != LLP_TASK_CLASSIFICATION) return LLP_ERR_ARG;
    if (theta == d1 || theta == d2 || d1 == d2) return LLP_ERR_ARG;
    ge.pack = w->pack;
    ge.simd = llp__simd_kernel();
    n = m->n_params;
    L = (size_t)m->n_layers;
    k = (size_t)m->sizes[L];
    in0 = (size_t)m->sizes[0];
    h = (size_t)m->sizes[1];
    /* layer 0 occupies theta[w_off[0] .. b_off[0] + h); the later layers
       (rest values from there on) are formed per point */
    rest = n - (m->b_off[0] + h);
    total = llp_batch_size(batch, data->n);
    scale = 1.0 / (double)total;
    if (!llp__mul(npts, sizeof(double) + sizeof(size_t)) || !llp__mul(rest + h + 1, sizeof(llp_real)))
        return LLP_ERR_NOMEM;
    acc = (double *)LLP_MALLOC(npts * (sizeof(double) + sizeof(size_t)) + (rest + h + 1) * sizeof(llp_real));
    if (!acc) return LLP_ERR_NOMEM;
    correct = (size_t *)(void *)(acc + npts);
    tp = (llp_real *)(void *)(correct + npts);
    for (p = 0; p < npts; p++) acc[p] = 0, correct[p] = 0;
    for (done = 0; done < total; done += w->max_batch) {
        size_t B = total - done < w->max_batch ? total - done : w->max_batch;
        const llp_real *X = llp__chunk_inputs(data, batch, done, B, w);
        /* Z0 = X W^T, Z1 = X D1^T, Z2 = X D2^T (no bias) in buffers the loss
           pass does not touch */
        llp_real *Z0 = w->r0, *Z1 = w->rz[0], *Z2 = w->ra[0];
        r = llp__chunk_labels(m, data, w, B);
        if (r != LLP_OK) break;
        llp_fill(0, Z0, B * h);
        llp_fill(0, Z1, B * h);
        llp__gemm_nt(Z0, X, theta + m->w_off[0], B, in0, h, ge.pack, ge.simd);
        llp__gemm_nt(Z1, X, d1 + m->w_off[0], B, in0, h, ge.pack, ge.simd);
        if (d2) {
            llp_fill(0, Z2, B * h);
            llp__gemm_nt(Z2, X, d2 + m->w_off[0], B, in0, h, ge.pack, ge.simd);
        }
        for (p = 0; p < npts; p++) {
            llp_real ap = a[p], bp = d2 ? b[p] : 0;
            llp_real *c = tp + rest, *z = w->z[0];
            const llp_real *cur;
            size_t l, row;
            /* the point's first-layer bias and later-layer parameters */
            for (i = 0; i < h; i++)
                c[i] = theta[m->b_off[0] + i] + ap * d1[m->b_off[0] + i] + (d2 ? bp * d2[m->b_off[0] + i] : 0);
            for (i = 0; i < rest; i++) {
                size_t j = m->b_off[0] + h + i;
                tp[i] = theta[j] + ap * d1[j] + (d2 ? bp * d2[j] : 0);
            }
            /* first layer from the stored products */
            for (row = 0; row < B; row++) {
                const llp_real *z0 = Z0 + row * h, *z1 = Z1 + row * h, *z2 = Z2 + row * h;
                llp_real *zr = z + row * h;
                if (d2)
                    for (i = 0; i < h; i++) zr[i] = z0[i] + ap * z1[i] + bp * z2[i] + c[i];
                else
                    for (i = 0; i < h; i++) zr[i] = z0[i] + ap * z1[i] + c[i];
            }
            /* loss only: activations in place, nothing kept for a backward pass */
            llp__act_forward(m->act[0], m->leaky_slope, z, z, B * h);
            cur = z;
            for (l = 1; l < L; l++) {
                size_t inl = (size_t)m->sizes[l], o = (size_t)m->sizes[l + 1];
                size_t off = m->b_off[0] + h;
                llp__dense_forward(w->z[l], cur, tp + (m->w_off[l] - off), tp + (m->b_off[l] - off), B, inl, o, &ge);
                llp__act_forward(m->act[l], m->leaky_slope, w->z[l], w->z[l], B * o);
                cur = w->z[l];
            }
            acc[p] += llp__loss_forward_backward(m->loss, data, w->rows, B, cur, NULL, k, scale);
            if (accuracy) correct[p] += llp__count_correct(data, w->rows, cur, B, k);
        }
    }
    if (r == LLP_OK) {
        for (p = 0; p < npts; p++) {
            double s = acc[p];
            if (m->weight_decay > 0) {
                /* lambda/2 ||W||^2 at the point, layer by layer as the loss pass sums it */
                double ap = a[p], bp = d2 ? b[p] : 0, wd = 0;
                size_t l;
                for (l = 0; l < L; l++) {
                    size_t cnt = (size_t)m->sizes[l] * (size_t)m->sizes[l + 1], j;
                    double t = 0;
                    for (j = 0; j < cnt; j++) {
                        size_t q = m->w_off[l] + j;
                        double v = (double)(llp_real)(theta[q] + (llp_real)ap * d1[q] + (d2 ? (llp_real)bp * d2[q] : 0));
                        t += v * v;
                    }
                    wd += t;
                }
                s += 0.5 * m->weight_decay * wd;
            }
            loss[p] = (llp_real)s;
            if (accuracy) accuracy[p] = (double)correct[p] / (double)total;
        }
    }
    LLP_FREE(acc);
    return r;
}

LLPDEF llp_result llp_data_teacher(llp_data *out, const llp_mlp *teacher, const llp_real *theta_t, size_t n,
                                   double noise, llp_rng *rng) {
    llp_data t;
    llp_mlp_work w;
    size_t d, k, done, i;
    llp_result r;
    if (!out || !teacher || !theta_t || !rng || n == 0 || !(noise >= 0)) return LLP_ERR_ARG;
    d = (size_t)teacher->sizes[0];
    k = (size_t)teacher->sizes[teacher->n_layers];
    r = llp_data_alloc(&t, n, d, LLP_TASK_REGRESSION, k);
    if (r != LLP_OK) return r;
    r = llp_mlp_work_init(&w, teacher, 256);
    if (r != LLP_OK) {
        llp_data_free(&t);
        return r;
    }
    llp_rng_fill_normal(rng, t.x, n * d);
    for (done = 0; done < n; done += w.max_batch) {
        size_t B = n - done < w.max_batch ? n - done : w.max_batch;
        llp_mlp_forward(teacher, theta_t, t.x + done * d, B, t.y + done * k, &w);
    }
    if (noise > 0)
        for (i = 0; i < n * k; i++) t.y[i] += (llp_real)(noise * llp_rng_normal(rng));
    llp_mlp_work_free(&w);
    *out = t;
    return LLP_OK;
}

static llp_result llp__mlpobj_loss_grad(void *ctx, const llp_real *theta, const llp_batch *batch, llp_real *loss,
                                        llp_real *grad) {
    llp_mlp_objective *mo = (llp_mlp_objective *)ctx;
    return llp_mlp_loss_grad(mo->mlp, theta, mo->data, batch, loss, grad, &mo->work);
}

static llp_result llp__mlpobj_hvp(void *ctx, const llp_real *theta, const llp_real *v, const llp_batch *batch,
                                  llp_real *hv) {
    llp_mlp_objective *mo = (llp_mlp_objective *)ctx;
    return llp_mlp_hvp(mo->mlp, theta, v, mo->data, batch, hv, NULL, &mo->work);
}

static llp_result llp__mlpobj_hvp_block(void *ctx, const llp_real *theta, const llp_real *V, size_t k,
                                        const llp_batch *batch, llp_real *HV) {
    llp_mlp_objective *mo = (llp_mlp_objective *)ctx;
    return llp_mlp_hvp_block(mo->mlp, theta, V, k, mo->data, batch, HV, NULL, &mo->work);
}

static llp_result llp__mlpobj_gnvp(void *ctx, const llp_real *theta, const llp_real *v, const llp_batch *batch,
                                   llp_real *gv) {
    llp_mlp_objective *mo = (llp_mlp_objective *)ctx;
    return llp_mlp_gnvp(mo->mlp, theta, v, mo->data, batch, gv, &mo->work);
}

static llp_result llp__mlpobj_accuracy(void *ctx, const llp_real *theta, const llp_batch *batch, double *acc) {
    llp_mlp_objective *mo = (llp_mlp_objective *)ctx;
    return llp_mlp_accuracy(mo->mlp, theta, mo->data, batch, acc, &mo->work);
}

LLPDEF llp_result llp_mlp_objective_init(llp_mlp_objective *mo, const llp_mlp *mlp, const llp_data *data,
                                         size_t chunk) {
    llp_mlp_objective t;
    llp_result r;
    if (!mo || !mlp || !data) return LLP_ERR_ARG;
    r = llp_mlp_check_data(mlp, data, NULL);
    if (r != LLP_OK) return r;
    r = llp_data_validate(data, NULL);
    if (r != LLP_OK) return r;
    memset(&t, 0, sizeof t);
    t.mlp = mlp;
    t.data = data;
    r = llp_mlp_work_init_block(&t.work, mlp, chunk ? chunk : (data->n < 1024 ? data->n : 1024), LLP_MLP_OBJECTIVE_BLOCK);
    if (r != LLP_OK) return r;
    *mo = t;
    return LLP_OK;
}

LLPDEF void llp_mlp_objective_free(llp_mlp_objective *mo) {
    if (!mo) return;
    llp_mlp_work_free(&mo->work);
    memset(mo, 0, sizeof *mo);
}

LLPDEF llp_objective llp_mlp_objective_get(llp_mlp_objective *mo) {
    llp_objective f;
    memset(&f, 0, sizeof f);
    f.n = mo->mlp->n_params;
    f.n_samples = mo->data->n;
    f.loss_grad = llp__mlpobj_loss_grad;
    f.hvp = llp__mlpobj_hvp;   /* MAE: LLP_ERR_UNSUPPORTED, never a finite difference */
    f.gnvp = llp__mlpobj_gnvp;
    f.hvp_block = llp__mlpobj_hvp_block;
    if (mo->data->task == LLP_TASK_CLASSIFICATION) f.accuracy = llp__mlpobj_accuracy;
    f.ctx = mo;
    f.name = "mlp";
    return f;
}

/* ---- 11.7 model files --------------------------------------------------- */

#define LLP__MODEL_VERSION 1u

/* A growable byte buffer for serialisation. */
typedef struct llp__buf {
    unsigned char *p;
    size_t n, cap;
    int oom;
} llp__buf;

static void llp__put(llp__buf *b, const void *src, size_t n) {
    if (b->oom) return;
    if (b->cap - b->n < n) {
        size_t nc = b->cap ? b->cap : 1024;
        unsigned char *np;
        while (nc - b->n < n) nc *= 2;
        np = (unsigned char *)LLP_REALLOC(b->p, nc);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

static void llp__put_u32(llp__buf *b, uint32_t v) {
    unsigned char c[4];
    int i;
    for (i = 0; i < 4; i++) c[i] = (unsigned char)(v >> (8 * i));
    llp__put(b, c, 4);
}

static void llp__put_u64(llp__buf *b, uint64_t v) {
    unsigned char c[8];
    int i;
    for (i = 0; i < 8; i++) c[i] = (unsigned char)(v >> (8 * i));
    llp__put(b, c, 8);
}

static void llp__put_f64(llp__buf *b, double v) {
    uint64_t u;
    memcpy(&u, &v, 8);
    llp__put_u64(b, u);
}

static uint32_t llp__get_u32(const unsigned char *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t llp__get_u64(const unsigned char *p) {
    return (uint64_t)llp__get_u32(p) | ((uint64_t)llp__get_u32(p + 4) << 32);
}

static double llp__get_f64(const unsigned char *p) {
    uint64_t u = llp__get_u64(p);
    double v;
    memcpy(&v, &u, 8);
    return v;
}

/* FNV-1a, 64 bit. */
static uint64_t llp__fnv1a(const unsigned char *p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t i;
    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* Write bytes to path atomically: "<path>.tmp", flush, close, rename. */
static llp_result llp__write_atomic(const char *path, const unsigned char *p, size_t n, llp_error *err) {
    char tmp[4096];
    FILE *f;
    int bad;
    if (!path) return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0, "no file name given");
    if (strlen(path) + 5 > sizeof tmp) return llp__fail(err, LLP_ERR_ARG, path, 0, 0, "path too long");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    f = fopen(tmp, "wb");
    if (!f) return llp__fail(err, LLP_ERR_IO, path, 0, 0, "cannot create the temporary file %s for writing", tmp);
    bad = n && fwrite(p, 1, n, f) != n;
    bad |= fflush(f) != 0;
    bad |= fclose(f) != 0;
    if (bad) {
        remove(tmp);
        return llp__fail(err, LLP_ERR_IO, path, 0, 0, "writing %s failed (disk full?); the old file is untouched", tmp);
    }
    if (rename(tmp, path) != 0) {
        remove(tmp);
        return llp__fail(err, LLP_ERR_IO, path, 0, 0, "cannot rename the temporary file into place");
    }
    return LLP_OK;
}

LLPDEF llp_result llp_mlp_save(const llp_mlp *m, const llp_real *theta, const char *path, llp_error *err) {
    llp__buf b;
    size_t i;
    int l;
    llp_result r;
    llp__clear_error(err);
    if (!m || !theta || !path) return llp__fail(err, LLP_ERR_ARG, path, 0, 0, "no model, parameters or path");
    if (!llp_all_finite(theta, m->n_params))
        return llp__fail(err, LLP_ERR_NONFINITE, path, 0, 0, "parameters contain NaN or Inf; not saved");
    memset(&b, 0, sizeof b);
    llp__put(&b, "LLPMODEL", 8);
    llp__put_u32(&b, LLP__MODEL_VERSION);
    llp__put_u32(&b, (uint32_t)m->n_layers);
    for (l = 0; l <= m->n_layers; l++) llp__put_u32(&b, (uint32_t)m->sizes[l]);
    for (l = 0; l < m->n_layers; l++) llp__put_u32(&b, (uint32_t)m->act[l]);
    llp__put_u32(&b, (uint32_t)m->loss);
    llp__put_u32(&b, (uint32_t)m->init);
    llp__put_f64(&b, m->weight_decay);
    llp__put_f64(&b, m->leaky_slope);
    llp__put_f64(&b, m->init_scale);
    llp__put_u64(&b, (uint64_t)m->n_params);
    for (i = 0; i < m->n_params; i++) llp__put_f64(&b, (double)theta[i]);
    if (!b.oom) llp__put_u64(&b, llp__fnv1a(b.p, b.n));
    if (b.oom) {
        LLP_FREE(b.p);
        return llp__fail(err, LLP_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    r = llp__write_atomic(path, b.p, b.n, err);
    LLP_FREE(b.p);
    return r;
}

LLPDEF llp_result llp_mlp_load(llp_mlp *m, const char *path, llp_error *err) {
    unsigned char *p;
    size_t n, pos, need, i;
    uint32_t ver, nl;
    llp_mlp_desc d;
    llp_mlp t;
    llp_result r;
    int l;
    llp__clear_error(err);
    if (!m) return llp__fail(err, LLP_ERR_ARG, path, 0, 0, "no model");
    r = llp__read_file(path, &p, &n, err);
    if (r != LLP_OK) return r;
#define LLP__NEED(k)                                                                                          \
    do {                                                                                                      \
        if (n - pos < (size_t)(k)) {                                                                          \
            r = llp__fail(err, LLP_ERR_TRUNCATED, path, 0, (long)n, "model file is truncated (%lu bytes)",    \
                          (unsigned long)n);                                                                  \
            goto done;                                                                                        \
        }                                                                                                     \
    } while (0)
    pos = 0;
    if (n < 8 || memcmp(p, "LLPMODEL", 8) != 0) {
        r = n < 8 && memcmp(p, "LLPMODEL", n) == 0
                ? llp__fail(err, LLP_ERR_TRUNCATED, path, 0, (long)n, "model file is truncated")
                : llp__fail(err, LLP_ERR_FORMAT, path, 0, 1, "not an llprobe model file (bad magic)");
        goto done;
    }
    pos = 8;
    LLP__NEED(8);
    ver = llp__get_u32(p + pos);
    if (ver != LLP__MODEL_VERSION) {
        r = llp__fail(err, LLP_ERR_VERSION, path, 0, 9, "model file version %u, this build reads version %u", ver,
                      LLP__MODEL_VERSION);
        goto done;
    }
    nl = llp__get_u32(p + pos + 4);
    pos += 8;
    if (nl < 1 || nl > LLP_MAX_LAYERS) {
        r = llp__fail(err, LLP_ERR_FORMAT, path, 0, 13, "model file has %u layers (1..%d allowed)", nl, LLP_MAX_LAYERS);
        goto done;
    }
    memset(&d, 0, sizeof d);
    d.n_layers = (int)nl;
    need = 4 * (size_t)(nl + 1) + 4 * (size_t)nl + 8 + 24 + 8;
    LLP__NEED(need);
    for (l = 0; l <= (int)nl; l++, pos += 4) {
        uint32_t s = llp__get_u32(p + pos);
        if (s < 1 || s > (1u << 24)) {
            r = llp__fail(err, LLP_ERR_FORMAT, path, 0, (long)pos + 1, "layer size %u is impossible", s);
            goto done;
        }
        d.sizes[l] = (int)s;
    }
    for (l = 0; l < (int)nl; l++, pos += 4) {
        uint32_t a = llp__get_u32(p + pos);
        if (a < 1 || a > (uint32_t)LLP_ACT_GELU) {
            r = llp__fail(err, LLP_ERR_FORMAT, path, 0, (long)pos + 1, "unknown activation code %u", a);
            goto done;
        }
        if (l + 1 < (int)nl) d.layer_act[l] = (llp_act)a;
    }
    d.act = nl > 1 ? d.layer_act[0] : LLP_ACT_TANH;
    {
        uint32_t lo = llp__get_u32(p + pos), in = llp__get_u32(p + pos + 4);
        if (lo < 1 || lo > (uint32_t)LLP_LOSS_BCE || in > (uint32_t)LLP_INIT_HE) {
            r = llp__fail(err, LLP_ERR_FORMAT, path, 0, (long)pos + 1, "unknown loss or init code");
            goto done;
        }
        d.loss = (llp_loss)lo;
        d.init = (llp_init)in;
        pos += 8;
    }
    d.weight_decay = llp__get_f64(p + pos);
    d.leaky_slope = llp__get_f64(p + pos + 8);
    d.init_scale = llp__get_f64(p + pos + 16);
    pos += 24;
    {
        /* check the stored count against the architecture and the file length
           before allocating anything: a corrupt header must not allocate. */
        uint64_t want = 0, stored = llp__get_u64(p + pos);
        for (l = 0; l < (int)nl; l++) want += (uint64_t)d.sizes[l] * (uint64_t)d.sizes[l + 1] + (uint64_t)d.sizes[l + 1];
        if (stored != want) {
            r = llp__fail(err, LLP_ERR_FORMAT, path, 0, (long)pos + 1,
                          "parameter count %llu does not match the architecture (%llu)", (unsigned long long)stored,
                          (unsigned long long)want);
            goto done;
        }
        pos += 8;
        if ((uint64_t)((n - pos) / 8) < want + 1) {
            r = llp__fail(err, LLP_ERR_TRUNCATED, path, 0, (long)n,
                          "model file is truncated: %lu bytes, the architecture needs %llu", (unsigned long)n,
                          (unsigned long long)(pos + 8 * (want + 1)));
            goto done;
        }
        if (n != pos + 8 * (size_t)(want + 1)) {
            r = llp__fail(err, LLP_ERR_FORMAT, path, 0, (long)(pos + 8 * (want + 1)) + 1,
                          "unexpected bytes after the end of the model");
            goto done;
        }
        if (llp__get_u64(p + pos + 8 * want) != llp__fnv1a(p, pos + 8 * (size_t)want)) {
            r = llp__fail(err, LLP_ERR_CHECKSUM, path, 0, (long)(pos + 8 * want) + 1,
                          "model file checksum mismatch: the file is corrupt");
            goto done;
        }
    }
    r = llp_mlp_init(&t, &d);
    if (r != LLP_OK) {
        r = llp__fail(err, r == LLP_ERR_NOMEM ? r : LLP_ERR_FORMAT, path, 0, 13, "model header values are invalid");
        goto done;
    }
    for (i = 0; i < t.n_params; i++) t.theta[i] = (llp_real)llp__get_f64(p + pos + 8 * i);
    *m = t;
    r = LLP_OK;
#undef LLP__NEED
done:
    LLP_FREE(p);
    return r;
}

/* ---- 11.8 writers ------------------------------------------------------- */

/* Each line of text (may be NULL) as a gnuplot comment line "# <line>". */
static void llp__put_comment(llp__buf *b, const char *text) {
    const char *s = text;
    while (s && *s) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        llp__put(b, "# ", 2);
        llp__put(b, s, len);
        llp__put(b, "\n", 1);
        s += len + (e ? 1 : 0);
    }
}

LLPDEF llp_result llp_write_table(const char *path, const char *header, const char *const *colnames,
                                  const double *data, size_t rows, size_t cols, size_t block, int csv,
                                  llp_error *err) {
    llp__buf b;
    char num[64];
    size_t i, j;
    llp_result r;
    llp__clear_error(err);
    if (!path || (rows && !data) || cols == 0) return llp__fail(err, LLP_ERR_ARG, path, 0, 0, "bad table arguments");
    memset(&b, 0, sizeof b);
    if (!csv) llp__put_comment(&b, header);
    if (colnames) {
        if (!csv) llp__put(&b, "# ", 2);
        for (j = 0; j < cols; j++) {
            if (j) llp__put(&b, csv ? "," : " ", 1);
            llp__put(&b, colnames[j], strlen(colnames[j]));
        }
        llp__put(&b, "\n", 1);
    }
    for (i = 0; i < rows; i++) {
        for (j = 0; j < cols; j++) {
            double v = data[i * cols + j];
            int len = v != v ? snprintf(num, sizeof num, "nan") : snprintf(num, sizeof num, "%.17g", v);
            if (j) llp__put(&b, csv ? "," : " ", 1);
            llp__put(&b, num, (size_t)len);
        }
        llp__put(&b, "\n", 1);
        if (!csv && block && (i + 1) % block == 0 && i + 1 < rows) llp__put(&b, "\n", 1);
    }
    if (b.oom) {
        LLP_FREE(b.p);
        return llp__fail(err, LLP_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    r = llp__write_atomic(path, b.p, b.n, err);
    LLP_FREE(b.p);
    return r;
}

/* ---- 11.9 training: optimizers, schedules, gradient-free baselines ------- */

LLPDEF double llp_schedule_lr(const llp_schedule *s, double lr, uint64_t t) {
    uint64_t tp;
    if (!s) return lr;
    if (t < s->warmup) return lr * (double)(t + 1) / (double)s->warmup;
    tp = t - s->warmup;
    switch (s->kind) {
    case LLP_SCHED_STEP: {
        uint64_t size = s->step_size ? s->step_size : 1;
        return lr * pow(s->gamma > 0 ? s->gamma : 0.1, (double)(tp / size));
    }
    case LLP_SCHED_COSINE:
        if (!s->total || tp >= s->total) return s->min_lr;
        return s->min_lr + (lr - s->min_lr) * 0.5 * (1 + cos(LLP__PI * (double)tp / (double)s->total));
    default: return lr;
    }
}

LLPDEF const char *llp_opt_name(llp_opt_kind k) {
    switch (k) {
    case LLP_OPT_SGD: return "sgd";
    case LLP_OPT_MOMENTUM: return "momentum";
    case LLP_OPT_NESTEROV: return "nesterov";
    case LLP_OPT_RMSPROP: return "rmsprop";
    case LLP_OPT_ADAM: return "adam";
    case LLP_OPT_ADAMW: return "adamw";
    }
    return "unknown";
}

LLPDEF void llp_mlp_weight_mask(const llp_mlp *m, unsigned char *mask) {
    int l;
    if (!m || !mask) return;
    memset(mask, 0, m->n_params);
    for (l = 0; l < m->n_layers; l++)
        memset(mask + m->w_off[l], 1, (size_t)m->sizes[l] * (size_t)m->sizes[l + 1]);
}

/* Buffers of n reals: m (all but SGD), v (RMSprop: its s; Adam), g, and
   with SAM g2 and e. */
static size_t llp__opt_buffers(const llp_opt_desc *d) {
    size_t k = 1;                                        /* g */
    if (d->kind != LLP_OPT_SGD) k++;                     /* m / u / s */
    if (d->kind == LLP_OPT_ADAM || d->kind == LLP_OPT_ADAMW) k++; /* v */
    if (d->sam != LLP_SAM_NONE) k += 2;                  /* g2, e */
    return k;
}

LLPDEF size_t llp_opt_state_size(const llp_opt_desc *d, size_t n) {
    size_t k;
    if (!d) return 0;
    k = llp__opt_buffers(d);
    return llp__mul(k, n) ? k * n : 0;
}

LLPDEF llp_result llp_opt_init(llp_opt *o, const llp_opt_desc *d, size_t n, llp_real *state, size_t state_len) {
    llp_opt t;
    llp_real *p;
    if (!o || !d || n == 0 || !state) return LLP_ERR_ARG;
    if (!(d->lr > 0) || !llp__isfinite(d->lr)) return LLP_ERR_ARG;
    if ((unsigned)d->kind > (unsigned)LLP_OPT_ADAMW || (unsigned)d->sam > (unsigned)LLP_SAM_ADAPTIVE) return LLP_ERR_ARG;
    if (!(d->weight_decay >= 0) || !(d->clip_norm >= 0) || !(d->grad_noise >= 0) || !(d->sam_rho >= 0) ||
        !(d->asam_eta >= 0) || !(d->eps >= 0))
        return LLP_ERR_ARG;
    if (!llp__isfinite(d->weight_decay) || !llp__isfinite(d->clip_norm) || !llp__isfinite(d->grad_noise) ||
        !llp__isfinite(d->sam_rho) || !llp__isfinite(d->asam_eta) || !llp__isfinite(d->eps))
        return LLP_ERR_ARG;
    if (!(d->momentum >= 0 && d->momentum < 1) || !(d->beta1 >= 0 && d->beta1 < 1) ||
        !(d->beta2 >= 0 && d->beta2 < 1))
        return LLP_ERR_ARG;
    if (d->schedule.kind == LLP_SCHED_COSINE && !d->schedule.total) return LLP_ERR_ARG;
    if ((unsigned)d->schedule.kind > (unsigned)LLP_SCHED_COSINE || !(d->schedule.gamma >= 0)) return LLP_ERR_ARG;
    if (state_len < llp_opt_state_size(d, n) || llp_opt_state_size(d, n) == 0) return LLP_ERR_ARG;
    memset(&t, 0, sizeof t);
    t.d = *d;
    if (t.d.momentum == 0) t.d.momentum = 0.9;
    if (t.d.beta1 == 0) t.d.beta1 = 0.9;
    if (t.d.beta2 == 0) t.d.beta2 = t.d.kind == LLP_OPT_RMSPROP ? 0.99 : 0.999;
    if (t.d.eps == 0) t.d.eps = 1e-8;
    if (t.d.sam_rho == 0) t.d.sam_rho = t.d.sam == LLP_SAM_ADAPTIVE ? 0.5 : 0.05;
    if (t.d.asam_eta == 0) t.d.asam_eta = 0.01;
    t.n = n;
    t.state = state;
    llp_rng_seed(&t.rng, d->noise_seed);
    p = state;
    llp_fill(0, state, llp_opt_state_size(d, n));
    t.g = p, p += n;
    if (d->kind != LLP_OPT_SGD) t.m = p, p += n;
    if (d->kind == LLP_OPT_ADAM || d->kind == LLP_OPT_ADAMW) t.v = p, p += n;
    if (d->sam != LLP_SAM_NONE) t.g2 = p, p += n, t.e = p, p += n;
    *o = t;
    return LLP_OK;
}

/* D = P^-1/2 of an adaptive optimizer's current preconditioner into dv (n):
   Adam/AdamW P = diag(sqrt(v / (1 - beta2^t)) + eps), RMSprop P =
   diag(sqrt(s) + eps) (s is held in o->m). Returns 1 when written, 0 for a
   kind without one (SGD, momentum, Nesterov) or before the first step, -1
   when the bias correction is not positive. */
static int llp__opt_precond_half(const llp_opt *o, llp_real *dv) {
    const llp_real *s;
    double bc = 1;
    size_t i;
    if (o->t == 0) return 0;
    if (o->d.kind == LLP_OPT_ADAM || o->d.kind == LLP_OPT_ADAMW) {
        s = o->v;
        bc = 1 - pow(o->d.beta2, (double)o->t);
    } else if (o->d.kind == LLP_OPT_RMSPROP) {
        s = o->m;
    } else {
        return 0;
    }
    if (!s) return 0;
    if (!(bc > 0)) return -1;
    for (i = 0; i < o->n; i++) dv[i] = (llp_real)(1.0 / sqrt(sqrt((double)s[i] / bc) + o->d.eps));
    return 1;
}

/* Noise and clipping on o->g (in place); returns whether it was clipped. */
static int llp__opt_condition(llp_opt *o) {
    size_t i;
    if (o->d.grad_noise > 0)
        for (i = 0; i < o->n; i++) o->g[i] += (llp_real)(o->d.grad_noise * llp_rng_normal(&o->rng));
    if (o->d.clip_norm > 0) {
        double nr = llp_nrm2(o->g, o->n);
        if (nr > o->d.clip_norm) {
            llp_scale((llp_real)(o->d.clip_norm / nr), o->g, o->n);
            return 1;
        }
    }
    return 0;
}

/* The base update of theta with the conditioned gradient o->g; t is
   incremented first (Adam's bias correction uses t = 1 on the first step).
   One loop per kind, each free of branches so the compiler vectorises it. */
static void llp__opt_update(llp_opt *o, llp_real *LLP__RESTRICT theta, double lr, double *step_norm) {
    const llp_opt_desc *d = &o->d;
    const unsigned char *M = d->weight_mask;
    const llp_real *LLP__RESTRICT g = o->g;
    llp_real *LLP__RESTRICT m = o->m, *LLP__RESTRICT v = o->v;
    double wd = d->weight_decay, s2 = 0, beta = d->momentum, b1 = d->beta1, b2 = d->beta2, eps = d->eps;
    size_t i, n = o->n;
    double bc1 = 1, bc2 = 1;
    int adamw = d->kind == LLP_OPT_ADAMW;
    o->t++;
    if (d->kind == LLP_OPT_ADAM || adamw) {
        bc1 = 1 - pow(b1, (double)o->t);
        bc2 = 1 - pow(b2, (double)o->t);
    }
#define LLP__OPT_DEC(i) ((!M || M[i]) ? wd : 0.0)
#define LLP__OPT_MOVE(i, step)                        \
    do {                                              \
        llp_real nt_ = (llp_real)(theta[i] - (step)); \
        double dd_ = (double)nt_ - theta[i];          \
        s2 += dd_ * dd_;                              \
        theta[i] = nt_;                               \
    } while (0)
    switch (d->kind) {
    case LLP_OPT_SGD:
        for (i = 0; i < n; i++) LLP__OPT_MOVE(i, lr * (g[i] + LLP__OPT_DEC(i) * theta[i]));
        break;
    case LLP_OPT_MOMENTUM:
        for (i = 0; i < n; i++) {
            m[i] = (llp_real)(beta * m[i] + (g[i] + LLP__OPT_DEC(i) * theta[i]));
            LLP__OPT_MOVE(i, lr * (double)m[i]);
        }
        break;
    case LLP_OPT_NESTEROV:
        for (i = 0; i < n; i++) {
            double gd = g[i] + LLP__OPT_DEC(i) * theta[i];
            m[i] = (llp_real)(beta * m[i] + gd);
            LLP__OPT_MOVE(i, lr * (gd + beta * (double)m[i]));
        }
        break;
    case LLP_OPT_RMSPROP:
        for (i = 0; i < n; i++) {
            double gd = g[i] + LLP__OPT_DEC(i) * theta[i];
            m[i] = (llp_real)(b2 * m[i] + (1 - b2) * gd * gd);
            LLP__OPT_MOVE(i, lr * gd / (sqrt((double)m[i]) + eps));
        }
        break;
    default: /* ADAM, ADAMW */
        for (i = 0; i < n; i++) {
            double dec = LLP__OPT_DEC(i), gd = g[i] + (adamw ? 0.0 : dec * theta[i]);
            m[i] = (llp_real)(b1 * m[i] + (1 - b1) * gd);
            v[i] = (llp_real)(b2 * v[i] + (1 - b2) * gd * gd);
            /* AdamW: decoupled decay lr wd theta beside the Adam step */
            LLP__OPT_MOVE(i, (adamw ? lr * dec * theta[i] : 0.0) +
                                 lr * ((double)m[i] / bc1) / (sqrt((double)v[i] / bc2) + eps));
        }
        break;
    }
#undef LLP__OPT_DEC
#undef LLP__OPT_MOVE
    if (step_norm) *step_norm = sqrt(s2);
}

LLPDEF llp_result llp_opt_apply(llp_opt *o, llp_real *theta, const llp_real *grad, llp_opt_info *info) {
    llp_opt_info in;
    double lr;
    if (!o || !theta || !grad || !o->g) return LLP_ERR_ARG;
    if (!llp_all_finite(grad, o->n)) return LLP_ERR_NONFINITE;
    memset(&in, 0, sizeof in);
    llp_copy(grad, o->g, o->n);
    in.grad_norm = llp_nrm2(o->g, o->n);
    in.loss = NAN;
    in.clipped = llp__opt_condition(o);
    lr = llp_schedule_lr(&o->d.schedule, o->d.lr, o->t);
    in.lr = lr;
    llp__opt_update(o, theta, lr, &in.step_norm);
    if (info) *info = in;
    return LLP_OK;
}

LLPDEF llp_result llp_opt_step(llp_opt *o, const llp_objective *f, llp_real *theta, const llp_batch *batch,
                               llp_opt_info *info) {
    llp_opt_info in;
    llp_real loss;
    llp_result r;
    size_t i, n;
    double lr;
    if (!o || !f || !theta || !o->g) return LLP_ERR_ARG;
    if (f->n != o->n) return LLP_ERR_SHAPE;
    n = o->n;
    memset(&in, 0, sizeof in);
    r = llp_objective_loss_grad(f, theta, batch, &loss, o->g);
    if (r != LLP_OK) return r;
    in.evals = 1;
    in.loss = loss;
    if (!llp__isfinite(loss) || !llp_all_finite(o->g, n)) return LLP_ERR_NONFINITE;
    in.grad_norm = llp_nrm2(o->g, n);
    if (o->d.sam != LLP_SAM_NONE) {
        /* ascent step e from the raw gradient, gradient at theta + e */
        const unsigned char *M = o->d.weight_mask;
        double rho = o->d.sam_rho, eta = o->d.asam_eta, nrm;
        int adaptive = o->d.sam == LLP_SAM_ADAPTIVE;
        llp_copy(theta, o->e, n);
        if (adaptive) {
            double s = 0;
            for (i = 0; i < n; i++) {
                double tw = (!M || M[i]) ? fabs((double)theta[i]) + eta : 1, tg = tw * o->g[i];
                s += tg * tg;
            }
            nrm = sqrt(s);
        } else {
            nrm = in.grad_norm;
        }
        if (nrm > 0) {
            for (i = 0; i < n; i++) {
                double tw = adaptive && (!M || M[i]) ? fabs((double)o->e[i]) + eta : 1;
                theta[i] = (llp_real)(o->e[i] + rho * tw * tw * o->g[i] / nrm);
            }
        }
        r = llp_objective_loss_grad(f, theta, batch, NULL, o->g2);
        llp_copy(o->e, theta, n); /* theta back, bit for bit */
        if (r != LLP_OK) return r;
        in.evals = 2;
        if (!llp_all_finite(o->g2, n)) return LLP_ERR_NONFINITE;
        llp_copy(o->g2, o->g, n);
    }
    in.clipped = llp__opt_condition(o);
    lr = llp_schedule_lr(&o->d.schedule, o->d.lr, o->t);
    in.lr = lr;
    llp__opt_update(o, theta, lr, &in.step_norm);
    if (info) *info = in;
    return LLP_OK;
}

/* ---- gradient-free baselines ---- */

static double llp__anneal_temp(const llp_anneal_desc *d, double t0, double alpha, size_t k) {
    switch (d->schedule) {
    case LLP_ANNEAL_FAST: return t0 / (1.0 + (double)k);
    case LLP_ANNEAL_LOG: return t0 / log((double)k + LLP__E);
    default: return t0 * pow(alpha, (double)k);
    }
}

LLPDEF llp_result llp_anneal(const llp_objective *f, llp_real *theta, const llp_anneal_desc *d, llp_rng *rng,
                             llp_anneal_visit_fn visit, void *ctx, llp_anneal_result *res) {
    size_t iters, k, n, accepted = 0, evals = 0;
    double t0, alpha, step, cur, best;
    llp_real *buf, *cand, *bestx, l;
    llp_result r;
    if (!f || !theta || !d || !rng) return LLP_ERR_ARG;
    if (!(d->t0 >= 0) || !(d->alpha >= 0 && d->alpha < 1) || !(d->step >= 0) ||
        (unsigned)d->schedule > (unsigned)LLP_ANNEAL_LOG)
        return LLP_ERR_ARG;
    n = f->n;
    iters = d->iters ? d->iters : 1000;
    t0 = d->t0 > 0 ? d->t0 : 1;
    alpha = d->alpha > 0 ? d->alpha : 0.995;
    step = d->step > 0 ? d->step : 0.1;
    if (!llp__mul(2 * n, sizeof(llp_real))) return LLP_ERR_NOMEM;
    buf = (llp_real *)LLP_MALLOC(2 * n * sizeof(llp_real));
    if (!buf) return LLP_ERR_NOMEM;
    cand = buf, bestx = buf + n;
    r = llp_objective_loss(f, theta, NULL, &l);
    evals++;
    if (r == LLP_OK && !llp__isfinite(l)) r = LLP_ERR_NONFINITE;
    if (r != LLP_OK) {
        LLP_FREE(buf);
        return r;
    }
    cur = best = l;
    llp_copy(theta, bestx, n);
    for (k = 0; k < iters; k++) {
        double temp = llp__anneal_temp(d, t0, alpha, k), u;
        int acc;
        size_t i;
        for (i = 0; i < n; i++) cand[i] = (llp_real)(theta[i] + step * llp_rng_normal(rng));
        r = llp_objective_loss(f, cand, NULL, &l);
        evals++;
        if (r != LLP_OK) break;
        u = llp_rng_uniform(rng); /* drawn every step, so the stream does not depend on outcomes */
        acc = llp__isfinite(l) && (l <= cur || (temp > 0 && u < exp(-((double)l - cur) / temp)));
        if (acc) {
            llp_copy(cand, theta, n);
            cur = l;
            accepted++;
            if (cur < best) {
                best = cur;
                llp_copy(theta, bestx, n);
            }
        }
        if (visit && visit(ctx, k, theta, cur, acc, temp)) break;
    }
    if (res) {
        res->best_loss = best;
        res->final_loss = cur;
        res->accepted = accepted;
        res->evals = evals;
    }
    llp_copy(bestx, theta, n);
    LLP_FREE(buf);
    return r;
}

LLPDEF llp_result llp_grid_search(const llp_objective *f, const llp_real *lo, const llp_real *hi, size_t points,
                                  llp_real *best, double *best_loss, double *values) {
    size_t n, total = 1, p, i;
    size_t idx[8];
    llp_real x[8];
    double bl = NAN;
    int found = 0;
    if (!f || !lo || !hi || !best || !best_loss || points < 2) return LLP_ERR_ARG;
    n = f->n;
    if (n == 0 || n > 8) return LLP_ERR_ARG;
    for (i = 0; i < n; i++) {
        if (!(hi[i] >= lo[i]) || !llp__isfinite(lo[i]) || !llp__isfinite(hi[i])) return LLP_ERR_ARG;
        if ((double)total * (double)points > 1e7) return LLP_ERR_ARG;
        total *= points;
    }
    memset(idx, 0, sizeof idx);
    for (p = 0; p < total; p++) {
        llp_real l;
        llp_result r;
        for (i = 0; i < n; i++)
            x[i] = (llp_real)(lo[i] + (hi[i] - lo[i]) * (double)idx[i] / (double)(points - 1));
        r = llp_objective_loss(f, x, NULL, &l);
        if (r != LLP_OK) return r;
        if (values) values[p] = l;
        if (l == l && (!found || l < bl)) {
            bl = l;
            found = 1;
            llp_copy(x, best, n);
        }
        for (i = n; i-- > 0;) { /* last coordinate fastest */
            if (++idx[i] < points) break;
            idx[i] = 0;
        }
    }
    if (!found) return LLP_ERR_NONFINITE;
    *best_loss = bl;
    return LLP_OK;
}

/* ---- the training loop ---- */

LLPDEF const char *llp_stop_name(llp_stop s) {
    switch (s) {
    case LLP_STOP_NONE: return "running";
    case LLP_STOP_DONE: return "done";
    case LLP_STOP_MAX_STEPS: return "max-steps";
    case LLP_STOP_TARGET: return "target";
    case LLP_STOP_PLATEAU: return "plateau";
    case LLP_STOP_EARLY: return "early-stop";
    case LLP_STOP_DIVERGED: return "diverged";
    case LLP_STOP_CALLBACK: return "callback";
    }
    return "unknown";
}

/* Wall-clock seconds (C11 timespec_get), else processor time. */
static double llp__seconds(void) {
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L && defined(TIME_UTC) && !defined(__APPLE__)
    struct timespec ts;
    if (timespec_get(&ts, TIME_UTC) == TIME_UTC) return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
#endif
    return (double)clock() / (double)CLOCKS_PER_SEC;
}

#define LLP__TRAJ_MAGIC "LLPTRAJ"

LLPDEF void llp_traj_free(llp_traj *t) {
    if (!t) return;
    LLP_FREE(t->steps);
    LLP_FREE(t->theta);
    memset(t, 0, sizeof t[0]);
}

LLPDEF void llp_trainer_free(llp_trainer *tr) {
    if (!tr) return;
    LLP_FREE(tr->block);
    LLP_FREE(tr->rows);
    memset(tr, 0, sizeof *tr);
}

LLPDEF llp_result llp_trainer_init(llp_trainer *tr, const llp_train_desc *d, const llp_objective *train,
                                   const llp_objective *val, const llp_opt_desc *od, llp_real *theta) {
    llp_trainer t;
    size_t n, ns, sl, tmax, bytes, i;
    llp_result r;
    char *p;
    if (!tr || !d || !train || !od || !theta || !train->loss_grad) return LLP_ERR_ARG;
    n = train->n;
    if (n == 0) return LLP_ERR_ARG;
    if (val && (val->n != n || !val->loss_grad)) return LLP_ERR_SHAPE;
    if (d->traj_path && !d->traj_every) return LLP_ERR_ARG;
    if (d->ckpt_path && !d->ckpt_every) return LLP_ERR_ARG;
    if (!(d->plateau_tol >= 0) || !(d->min_delta >= 0) || d->diverge_factor != d->diverge_factor) return LLP_ERR_ARG;
    if (!llp_all_finite(theta, n)) return LLP_ERR_NONFINITE;
    memset(&t, 0, sizeof t);
    t.d = *d;
    if (!t.d.epochs) t.d.epochs = 10;
    if (!t.d.plateau_tol) t.d.plateau_tol = 1e-8;
    if (!t.d.diverge_factor) t.d.diverge_factor = 1e6;
    tmax = t.d.traj_every && !t.d.traj_path ? (t.d.traj_max ? t.d.traj_max : 1000) : 0;
    if (t.d.traj_every && tmax == 1) tmax = 2;
    ns = train->n_samples;
    sl = llp_opt_state_size(od, n);
    if (!sl) return LLP_ERR_ARG;
    /* one block: optimizer state, best and good theta, permutation, trajectory */
    if (!llp__mul(sl + 3 * n, sizeof(llp_real)) || (tmax && (!llp__mul(tmax, n) || !llp__mul(tmax * n, 2 * sizeof(llp_real)))) ||
        (ns && !llp__mul(ns, sizeof(size_t))))
        return LLP_ERR_NOMEM;
    bytes = ns * sizeof(size_t) + tmax * sizeof(uint64_t) + (sl + 3 * n + tmax * n) * sizeof(llp_real);
    p = (char *)LLP_MALLOC(bytes ? bytes : 1);
    if (!p) return LLP_ERR_NOMEM;
    t.block = p;
    t.perm = (size_t *)(void *)p;
    p += ns * sizeof(size_t);
    t.traj.steps = tmax ? (uint64_t *)(void *)p : NULL;
    p += tmax * sizeof(uint64_t);
    r = llp_opt_init(&t.opt, od, n, (llp_real *)(void *)p, sl);
    if (r != LLP_OK) {
        LLP_FREE(t.block);
        return r;
    }
    p += sl * sizeof(llp_real);
    t.best_theta = (llp_real *)(void *)p;
    t.good = t.best_theta + n;
    t.start = t.good + n;
    t.traj.theta = tmax ? t.start + n : NULL;
    t.traj.n = n;
    t.traj.max = tmax;
    t.traj.every = t.d.traj_every;
    t.train = train;
    t.val = val;
    t.theta = theta;
    llp_copy(theta, t.good, n);
    llp_copy(theta, t.best_theta, n);
    t.best_val = HUGE_VAL;
    for (i = 0; i < ns; i++) t.perm[i] = i;
    llp_rng_seed(&t.rng, d->seed);
    t.t_start = -1;
    *tr = t;
    return LLP_OK;
}

/* Samples per step, and whether steps are full-batch. */
static size_t llp__trainer_bs(const llp_trainer *tr) {
    size_t ns = tr->train->n_samples;
    if (!ns || !tr->d.batch_size || tr->d.batch_size >= ns) return 0;
    return tr->d.batch_size;
}

static double llp__trainer_epoch(const llp_trainer *tr) {
    size_t ns = tr->train->n_samples;
    return (double)tr->epoch + (ns && llp__trainer_bs(tr) ? (double)tr->pos / (double)ns : 0);
}

/* Append one snapshot of theta at the current step. */
static llp_result llp__trainer_snapshot(llp_trainer *tr) {
    llp_traj *tj = &tr->traj;
    size_t n = tj->n;
    if (tr->d.traj_path) {
        /* streamed: header on the first snapshot, then (u64 step, f64 theta[n]) records */
        FILE *f = fopen(tr->d.traj_path, tr->traj_written ? "ab" : "wb");
        llp__buf b;
        size_t i;
        int bad;
        if (!f) return LLP_ERR_IO;
        memset(&b, 0, sizeof b);
        if (!tr->traj_written) {
            llp__put(&b, LLP__TRAJ_MAGIC, 8);
            llp__put_u32(&b, 1);
            llp__put_u64(&b, (uint64_t)n);
        }
        llp__put_u64(&b, tr->step);
        for (i = 0; i < n; i++) llp__put_f64(&b, (double)tr->theta[i]);
        bad = b.oom || fwrite(b.p, 1, b.n, f) != b.n;
        bad |= fclose(f) != 0;
        LLP_FREE(b.p);
        if (bad) return LLP_ERR_IO;
        tr->traj_written++;
        return LLP_OK;
    }
    if (tj->count == tj->max) { /* thin: keep snapshots 0, 2, 4, ...; double the interval */
        size_t i, k = 0;
        for (i = 0; i < tj->count; i += 2, k++) {
            tj->steps[k] = tj->steps[i];
            if (k != i) llp_copy(tj->theta + i * n, tj->theta + k * n, n);
        }
        tj->count = k;
        tj->every *= 2;
        if (tr->step % tj->every) return LLP_OK; /* this step is no longer on the grid */
    }
    tj->steps[tj->count] = tr->step;
    llp_copy(tr->theta, tj->theta + tj->count * n, n);
    tj->count++;
    return LLP_OK;
}

/* Record a monitor row at the current theta; sets tr->stop for target,
   plateau and early stopping. */
static llp_result llp__trainer_row(llp_trainer *tr) {
    llp_monitor_row row;
    llp_result r;
    size_t n = tr->train->n;
    llp_real l;
    row.step = tr->step;
    row.epoch = llp__trainer_epoch(tr);
    row.train_loss = tr->acc_count ? tr->acc_loss / (double)tr->acc_count : NAN;
    row.grad_norm = tr->acc_count ? tr->acc_gnorm / (double)tr->acc_count : NAN;
    row.train_acc = row.val_loss = row.val_acc = NAN;
    if (tr->d.eval_full_train || !tr->acc_count) {
        r = llp_objective_loss(tr->train, tr->theta, NULL, &l);
        if (r != LLP_OK) return r;
        row.train_loss = l;
        if (tr->d.eval_full_train && tr->train->accuracy) {
            r = tr->train->accuracy(tr->train->ctx, tr->theta, NULL, &row.train_acc);
            if (r != LLP_OK) return r;
        }
    }
    if (tr->val) {
        r = llp_objective_loss(tr->val, tr->theta, NULL, &l);
        if (r != LLP_OK) return r;
        row.val_loss = l;
        if (tr->val->accuracy) {
            r = tr->val->accuracy(tr->val->ctx, tr->theta, NULL, &row.val_acc);
            if (r != LLP_OK) return r;
        }
    }
    row.weight_norm = llp_nrm2(tr->theta, n);
    row.lr = tr->acc_count ? tr->last.lr : llp_schedule_lr(&tr->opt.d.schedule, tr->opt.d.lr, tr->opt.t);
    row.step_norm = tr->acc_count ? tr->last.step_norm : 0;
    row.seconds = tr->t_offset + (tr->t_start >= 0 ? llp__seconds() - tr->t_start : 0);
    if (tr->n_rows == tr->cap_rows) {
        size_t nc = tr->cap_rows ? 2 * tr->cap_rows : 64;
        llp_monitor_row *nr;
        if (!llp__mul(nc, sizeof *nr)) return LLP_ERR_NOMEM;
        nr = (llp_monitor_row *)LLP_REALLOC(tr->rows, nc * sizeof *nr);
        if (!nr) return LLP_ERR_NOMEM;
        tr->rows = nr;
        tr->cap_rows = nc;
    }
    tr->rows[tr->n_rows++] = row;
    tr->acc_loss = tr->acc_gnorm = 0;
    tr->acc_count = 0;
    /* stopping rules on the new row */
    if (tr->d.use_target && row.train_loss <= tr->d.target_loss) tr->stop = LLP_STOP_TARGET;
    if (tr->val && tr->d.patience) {
        if (row.val_loss < tr->best_val - tr->d.min_delta) {
            tr->best_val = row.val_loss;
            tr->since_best = 0;
            llp_copy(tr->theta, tr->best_theta, n);
        } else if (++tr->since_best >= tr->d.patience && !tr->stop) {
            tr->stop = LLP_STOP_EARLY;
            llp_copy(tr->best_theta, tr->theta, n);
        }
    }
    if (tr->d.plateau_window >= 2 && tr->n_rows >= tr->d.plateau_window) {
        size_t w = tr->d.plateau_window, i;
        double mean = 0, var = 0;
        for (i = tr->n_rows - w; i < tr->n_rows; i++) mean += tr->rows[i].train_loss;
        mean /= (double)w;
        for (i = tr->n_rows - w; i < tr->n_rows; i++)
            var += (tr->rows[i].train_loss - mean) * (tr->rows[i].train_loss - mean);
        var /= (double)(w - 1);
        tr->plateau = var <= tr->d.plateau_tol * (mean * mean + 1e-300);
        if (tr->plateau && tr->d.stop_on_plateau && !tr->stop) tr->stop = LLP_STOP_PLATEAU;
    }
    return LLP_OK;
}

LLPDEF llp_result llp_trainer_run(llp_trainer *tr) {
    size_t ns, bs, n;
    llp_result r = LLP_OK;
    if (!tr || !tr->train || !tr->block) return LLP_ERR_ARG;
    n = tr->train->n;
    ns = tr->train->n_samples;
    bs = llp__trainer_bs(tr);
    if (tr->stop == LLP_STOP_CALLBACK) tr->stop = LLP_STOP_NONE; /* continue */
    if (tr->stop != LLP_STOP_NONE) return tr->stop == LLP_STOP_DIVERGED ? LLP_ERR_DIVERGED : LLP_OK;
    tr->t_start = llp__seconds();
    if (tr->step == 0 && tr->pos == 0 && tr->epoch == 0 && tr->n_rows == 0 && tr->traj.count == 0 &&
        !tr->traj_written) {
        if (tr->d.record_initial) {
            r = llp__trainer_row(tr);
            if (r == LLP_OK && tr->d.traj_every) r = llp__trainer_snapshot(tr);
            if (r != LLP_OK) goto out;
        } else if (tr->d.traj_every) {
            r = llp__trainer_snapshot(tr);
            if (r != LLP_OK) goto out;
        }
    }
    while (tr->stop == LLP_STOP_NONE) {
        llp_batch batch;
        llp_opt_info info;
        int end_of_epoch, row_due;
        if (tr->epoch >= tr->d.epochs || (tr->d.max_steps && tr->step >= tr->d.max_steps)) {
            /* the steps since the last row get a final one */
            if (tr->acc_count) {
                r = llp__trainer_row(tr);
                if (r != LLP_OK) break;
            }
            if (!tr->stop) tr->stop = tr->epoch >= tr->d.epochs ? LLP_STOP_DONE : LLP_STOP_MAX_STEPS;
            break;
        }
        if (bs) {
            size_t cnt;
            if (tr->pos == 0) { /* a new epoch: a new permutation */
                size_t i;
                for (i = 0; i < ns; i++) tr->perm[i] = i;
                llp_rng_permutation(&tr->rng, tr->perm, ns);
            }
            cnt = ns - tr->pos < bs ? ns - tr->pos : bs;
            batch = llp_batch_index(tr->perm + tr->pos, cnt);
            tr->pos += cnt;
            end_of_epoch = tr->pos >= ns;
        } else {
            batch = llp_batch_all();
            end_of_epoch = 1;
        }
        /* the step evaluates the loss at its starting point: when that loss
           passes, the start becomes the fallback ("good") iterate */
        llp_copy(tr->theta, tr->start, n);
        if (tr->d.before_step) {
            r = tr->d.before_step(tr->d.before_ctx, &tr->opt, tr->train, tr->theta, &batch, tr->step);
            if (r != LLP_OK) break;
        }
        r = llp_opt_step(&tr->opt, tr->train, tr->theta, &batch, &info);
        if (r == LLP_OK && tr->have_first && tr->d.diverge_factor > 0 &&
            info.loss - tr->first_loss > tr->d.diverge_factor * (fabs(tr->first_loss) > 1 ? fabs(tr->first_loss) : 1))
            r = LLP_ERR_NONFINITE; /* blown up: the start is bad */
        if (r == LLP_ERR_NONFINITE) {
            llp_copy(tr->good, tr->theta, n);
            tr->stop = LLP_STOP_DIVERGED;
            r = LLP_ERR_DIVERGED;
            break;
        }
        if (r != LLP_OK) break;
        llp_copy(tr->start, tr->good, n);
        if (!llp_all_finite(tr->theta, n)) { /* the update overflowed: back to its (good) start */
            llp_copy(tr->good, tr->theta, n);
            tr->stop = LLP_STOP_DIVERGED;
            r = LLP_ERR_DIVERGED;
            break;
        }
        if (!tr->have_first) {
            tr->first_loss = info.loss;
            tr->have_first = 1;
        }
        tr->step++;
        tr->last = info;
        tr->acc_loss += info.loss;
        tr->acc_gnorm += info.grad_norm;
        tr->acc_count++;
        if (end_of_epoch) {
            tr->epoch++;
            tr->pos = 0;
        }
        row_due = tr->d.eval_every ? tr->step % tr->d.eval_every == 0 : end_of_epoch;
        if (row_due) {
            r = llp__trainer_row(tr);
            if (r != LLP_OK) break;
        }
        if (tr->d.traj_every && tr->step % tr->traj.every == 0 && tr->stop != LLP_STOP_EARLY) {
            r = llp__trainer_snapshot(tr);
            if (r != LLP_OK) break;
        }
        if (tr->d.ckpt_path && tr->step % tr->d.ckpt_every == 0) {
            r = llp_trainer_save(tr, tr->d.ckpt_path, NULL);
            if (r != LLP_OK) break;
        }
        if (tr->d.on_step && tr->d.on_step(tr->d.ctx, tr, &info) && !tr->stop) tr->stop = LLP_STOP_CALLBACK;
        if (end_of_epoch && tr->d.on_epoch && tr->d.on_epoch(tr->d.ctx, tr, tr->epoch) && !tr->stop)
            tr->stop = LLP_STOP_CALLBACK;
    }
out:
    tr->t_offset += llp__seconds() - tr->t_start;
    tr->t_start = -1;
    return r;
}

/* Checkpoint layout (little-endian; reals as f64):
   "LLPCKPT\0" | u32 version 1 | u64 n | u64 n_samples | u32 opt kind | u32 sam
   | u64 batch_size | u64 state_len | u64 step | u64 epoch | u64 pos | u64 rng[4]
   | u64 perm[n_samples] | f64 first_loss | u32 have_first | u32 plateau
   | f64 acc_loss | f64 acc_gnorm | u64 acc_count | f64 last.loss, grad_norm, lr,
   step_norm | u32 last.clipped | u32 last.evals | f64 best_val | u64 since_best
   | u64 opt.t | u64 opt.rng[4] | f64 state[state_len] | f64 theta[n]
   | f64 best_theta[n] | f64 good[n] | u64 n_rows | n_rows x (u64 step, 10 f64)
   | u64 traj count | u64 traj every | count x (u64 step, f64 theta[n])
   | u64 traj_written | f64 seconds so far | u64 FNV-1a-64 of all preceding bytes */
#define LLP__CKPT_MAGIC "LLPCKPT"
#define LLP__CKPT_VERSION 1u

static void llp__put_reals(llp__buf *b, const llp_real *x, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) llp__put_f64(b, (double)x[i]);
}

LLPDEF llp_result llp_trainer_save(const llp_trainer *tr, const char *path, llp_error *err) {
    llp__buf b;
    size_t n, ns, sl, i;
    int k;
    llp_result r;
    llp__clear_error(err);
    if (!tr || !tr->block) return llp__fail(err, LLP_ERR_ARG, path, 0, 0, "no trainer");
    n = tr->train->n;
    ns = tr->train->n_samples;
    sl = llp_opt_state_size(&tr->opt.d, n);
    memset(&b, 0, sizeof b);
    llp__put(&b, LLP__CKPT_MAGIC, 8);
    llp__put_u32(&b, LLP__CKPT_VERSION);
    llp__put_u64(&b, n);
    llp__put_u64(&b, ns);
    llp__put_u32(&b, (uint32_t)tr->opt.d.kind);
    llp__put_u32(&b, (uint32_t)tr->opt.d.sam);
    llp__put_u64(&b, tr->d.batch_size);
    llp__put_u64(&b, sl);
    llp__put_u64(&b, tr->step);
    llp__put_u64(&b, tr->epoch);
    llp__put_u64(&b, tr->pos);
    for (k = 0; k < 4; k++) llp__put_u64(&b, tr->rng.s[k]);
    for (i = 0; i < ns; i++) llp__put_u64(&b, tr->perm[i]);
    llp__put_f64(&b, tr->first_loss);
    llp__put_u32(&b, (uint32_t)tr->have_first);
    llp__put_u32(&b, (uint32_t)tr->plateau);
    llp__put_f64(&b, tr->acc_loss);
    llp__put_f64(&b, tr->acc_gnorm);
    llp__put_u64(&b, tr->acc_count);
    llp__put_f64(&b, tr->last.loss);
    llp__put_f64(&b, tr->last.grad_norm);
    llp__put_f64(&b, tr->last.lr);
    llp__put_f64(&b, tr->last.step_norm);
    llp__put_u32(&b, (uint32_t)tr->last.clipped);
    llp__put_u32(&b, tr->last.evals);
    llp__put_f64(&b, tr->best_val);
    llp__put_u64(&b, tr->since_best);
    llp__put_u64(&b, tr->opt.t);
    for (k = 0; k < 4; k++) llp__put_u64(&b, tr->opt.rng.s[k]);
    llp__put_reals(&b, tr->opt.state, sl);
    llp__put_reals(&b, tr->theta, n);
    llp__put_reals(&b, tr->best_theta, n);
    llp__put_reals(&b, tr->good, n);
    llp__put_u64(&b, tr->n_rows);
    for (i = 0; i < tr->n_rows; i++) {
        const llp_monitor_row *w = tr->rows + i;
        llp__put_u64(&b, w->step);
        llp__put_f64(&b, w->epoch);
        llp__put_f64(&b, w->train_loss);
        llp__put_f64(&b, w->val_loss);
        llp__put_f64(&b, w->train_acc);
        llp__put_f64(&b, w->val_acc);
        llp__put_f64(&b, w->grad_norm);
        llp__put_f64(&b, w->weight_norm);
        llp__put_f64(&b, w->lr);
        llp__put_f64(&b, w->step_norm);
        llp__put_f64(&b, w->seconds);
    }
    llp__put_u64(&b, tr->traj.count);
    llp__put_u64(&b, tr->traj.every);
    for (i = 0; i < tr->traj.count; i++) {
        llp__put_u64(&b, tr->traj.steps[i]);
        llp__put_reals(&b, tr->traj.theta + i * n, n);
    }
    llp__put_u64(&b, tr->traj_written);
    llp__put_f64(&b, tr->t_offset + (tr->t_start >= 0 ? llp__seconds() - tr->t_start : 0));
    if (!b.oom) llp__put_u64(&b, llp__fnv1a(b.p, b.n));
    if (b.oom) {
        LLP_FREE(b.p);
        return llp__fail(err, LLP_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    r = llp__write_atomic(path, b.p, b.n, err);
    LLP_FREE(b.p);
    return r;
}

/* Reader over a loaded file: every get checks the remaining length. */
typedef struct llp__rd {
    const unsigned char *p;
    size_t n, pos;
    int short_;
} llp__rd;

static uint64_t llp__rd_u64(llp__rd *r) {
    if (r->n - r->pos < 8) {
        r->short_ = 1;
        r->pos = r->n;
        return 0;
    }
    r->pos += 8;
    return llp__get_u64(r->p + r->pos - 8);
}

static uint32_t llp__rd_u32(llp__rd *r) {
    if (r->n - r->pos < 4) {
        r->short_ = 1;
        r->pos = r->n;
        return 0;
    }
    r->pos += 4;
    return llp__get_u32(r->p + r->pos - 4);
}

static double llp__rd_f64(llp__rd *r) {
    uint64_t u = llp__rd_u64(r);
    double v;
    memcpy(&v, &u, 8);
    return v;
}

static void llp__rd_reals(llp__rd *r, llp_real *x, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) x[i] = (llp_real)llp__rd_f64(r);
}

/* Rewrite the first `len` bytes of a streamed trajectory file atomically
   (cutting what a crashed or continued run appended after the checkpoint). */
static llp_result llp__traj_cut(const char *path, size_t len, llp_error *err) {
    unsigned char *p;
    size_t n;
    llp_result r = llp__read_file(path, &p, &n, err);
    if (r != LLP_OK) return r;
    if (n < len) {
        LLP_FREE(p);
        return llp__fail(err, LLP_ERR_TRUNCATED, path, 0, (long)n,
                         "trajectory file is shorter (%lu bytes) than the checkpoint expects (%lu)",
                         (unsigned long)n, (unsigned long)len);
    }
    r = llp__write_atomic(path, p, len, err);
    LLP_FREE(p);
    return r;
}

LLPDEF llp_result llp_trainer_load(llp_trainer *tr, const char *path, llp_error *err) {
    unsigned char *p;
    size_t len, n, ns, sl, i, nrows, tcount;
    llp__rd rd;
    llp_result r;
    llp_trainer t;
    llp_monitor_row *rows = NULL;
    llp_real *scratch = NULL;
    uint64_t *tsteps = NULL;
    int k;
    llp__clear_error(err);
    if (!tr || !tr->block) return llp__fail(err, LLP_ERR_ARG, path, 0, 0, "trainer is not set up");
    r = llp__read_file(path, &p, &len, err);
    if (r != LLP_OK) return r;
    n = tr->train->n;
    ns = tr->train->n_samples;
    sl = llp_opt_state_size(&tr->opt.d, n);
    rd.p = p, rd.n = len, rd.pos = 0, rd.short_ = 0;
#define LLP__CK_FAIL(code, ...)                                   \
    do {                                                          \
        r = llp__fail(err, code, path, 0, (long)rd.pos, __VA_ARGS__); \
        goto fail;                                                \
    } while (0)
    if (len < 20 || memcmp(p, LLP__CKPT_MAGIC, 8) != 0) {
        if (len >= 8 && memcmp(p, LLP__CKPT_MAGIC, 8) == 0)
            LLP__CK_FAIL(LLP_ERR_TRUNCATED, "checkpoint is truncated (%lu bytes)", (unsigned long)len);
        LLP__CK_FAIL(LLP_ERR_FORMAT, "not an llprobe checkpoint (bad magic)");
    }
    if (llp__get_u64(p + len - 8) != llp__fnv1a(p, len - 8))
        LLP__CK_FAIL(LLP_ERR_CHECKSUM, "checkpoint checksum mismatch: the file is truncated or corrupt");
    rd.n = len - 8;
    rd.pos = 8;
    if (llp__rd_u32(&rd) != LLP__CKPT_VERSION) LLP__CK_FAIL(LLP_ERR_VERSION, "unsupported checkpoint version");
    if (llp__rd_u64(&rd) != n || llp__rd_u64(&rd) != ns)
        LLP__CK_FAIL(LLP_ERR_SHAPE, "checkpoint is for another problem (parameter or sample count differs)");
    if (llp__rd_u32(&rd) != (uint32_t)tr->opt.d.kind || llp__rd_u32(&rd) != (uint32_t)tr->opt.d.sam ||
        llp__rd_u64(&rd) != tr->d.batch_size || llp__rd_u64(&rd) != sl)
        LLP__CK_FAIL(LLP_ERR_FORMAT, "checkpoint was written with other optimizer or batch settings");
    /* decode into a copy; the trainer changes only when everything is read */
    t = *tr;
    scratch = (llp_real *)LLP_MALLOC((sl + 3 * n + (tr->traj.max ? tr->traj.max * n : 0) + 1) * sizeof(llp_real));
    tsteps = (uint64_t *)LLP_MALLOC((tr->traj.max + 1) * sizeof(uint64_t));
    if (!scratch || !tsteps) LLP__CK_FAIL(LLP_ERR_NOMEM, "out of memory");
    t.step = llp__rd_u64(&rd);
    t.epoch = (size_t)llp__rd_u64(&rd);
    t.pos = (size_t)llp__rd_u64(&rd);
    for (k = 0; k < 4; k++) t.rng.s[k] = llp__rd_u64(&rd);
    if (rd.n - rd.pos < ns * 8) LLP__CK_FAIL(LLP_ERR_FORMAT, "checkpoint lengths are inconsistent");
    {
        /* the permutation is read in place at the end; check it first */
        size_t at = rd.pos;
        for (i = 0; i < ns; i++)
            if (llp__get_u64(p + at + 8 * i) >= ns) LLP__CK_FAIL(LLP_ERR_FORMAT, "bad permutation in checkpoint");
        rd.pos += ns * 8;
    }
    {
        size_t perm_at = rd.pos - ns * 8;
        t.first_loss = llp__rd_f64(&rd);
        t.have_first = (int)llp__rd_u32(&rd);
        t.plateau = (int)llp__rd_u32(&rd);
        t.acc_loss = llp__rd_f64(&rd);
        t.acc_gnorm = llp__rd_f64(&rd);
        t.acc_count = llp__rd_u64(&rd);
        t.last.loss = llp__rd_f64(&rd);
        t.last.grad_norm = llp__rd_f64(&rd);
        t.last.lr = llp__rd_f64(&rd);
        t.last.step_norm = llp__rd_f64(&rd);
        t.last.clipped = (int)llp__rd_u32(&rd);
        t.last.evals = llp__rd_u32(&rd);
        t.best_val = llp__rd_f64(&rd);
        t.since_best = (size_t)llp__rd_u64(&rd);
        t.opt.t = llp__rd_u64(&rd);
        for (k = 0; k < 4; k++) t.opt.rng.s[k] = llp__rd_u64(&rd);
        if (rd.n - rd.pos < (sl + 3 * n) * 8) LLP__CK_FAIL(LLP_ERR_FORMAT, "checkpoint lengths are inconsistent");
        llp__rd_reals(&rd, scratch, sl + 3 * n);
        nrows = (size_t)llp__rd_u64(&rd);
        if (nrows > (rd.n - rd.pos) / 88) LLP__CK_FAIL(LLP_ERR_FORMAT, "checkpoint lengths are inconsistent");
        if (nrows) {
            rows = (llp_monitor_row *)LLP_MALLOC(nrows * sizeof *rows);
            if (!rows) LLP__CK_FAIL(LLP_ERR_NOMEM, "out of memory");
        }
        for (i = 0; i < nrows; i++) {
            llp_monitor_row *w = rows + i;
            w->step = llp__rd_u64(&rd);
            w->epoch = llp__rd_f64(&rd);
            w->train_loss = llp__rd_f64(&rd);
            w->val_loss = llp__rd_f64(&rd);
            w->train_acc = llp__rd_f64(&rd);
            w->val_acc = llp__rd_f64(&rd);
            w->grad_norm = llp__rd_f64(&rd);
            w->weight_norm = llp__rd_f64(&rd);
            w->lr = llp__rd_f64(&rd);
            w->step_norm = llp__rd_f64(&rd);
            w->seconds = llp__rd_f64(&rd);
        }
        tcount = (size_t)llp__rd_u64(&rd);
        t.traj.every = llp__rd_u64(&rd);
        if (tcount > tr->traj.max || (tcount && (rd.n - rd.pos) / (8 * (n + 1)) < tcount))
            LLP__CK_FAIL(LLP_ERR_FORMAT, "checkpoint trajectory does not fit these settings");
        for (i = 0; i < tcount; i++) {
            tsteps[i] = llp__rd_u64(&rd);
            llp__rd_reals(&rd, scratch + sl + 3 * n + i * n, n);
        }
        t.traj.count = tcount;
        t.traj_written = llp__rd_u64(&rd);
        t.t_offset = llp__rd_f64(&rd);
        if (rd.short_ || rd.pos != rd.n) LLP__CK_FAIL(LLP_ERR_FORMAT, "checkpoint lengths are inconsistent");
        if (t.epoch > t.d.epochs || t.pos > ns || (t.d.traj_every && !t.traj.every))
            LLP__CK_FAIL(LLP_ERR_FORMAT, "checkpoint progress values are impossible");
        if (t.d.traj_path) {
            r = llp__traj_cut(t.d.traj_path, t.traj_written ? 20 + (size_t)t.traj_written * 8 * (n + 1) : 0, err);
            if (r != LLP_OK) goto fail;
        }
        /* commit */
        for (i = 0; i < ns; i++) t.perm[i] = (size_t)llp__get_u64(p + perm_at + 8 * i);
    }
    llp_copy(scratch, t.opt.state, sl);
    llp_copy(scratch + sl, t.theta, n);
    llp_copy(scratch + sl + n, t.best_theta, n);
    llp_copy(scratch + sl + 2 * n, t.good, n);
    if (tcount) {
        llp_copy(scratch + sl + 3 * n, t.traj.theta, tcount * n);
        memcpy(t.traj.steps, tsteps, tcount * sizeof(uint64_t));
    }
    LLP_FREE(t.rows);
    t.rows = rows;
    t.n_rows = t.cap_rows = nrows;
    t.stop = LLP_STOP_NONE;
    t.t_start = -1;
    *tr = t;
    LLP_FREE(scratch);
    LLP_FREE(tsteps);
    LLP_FREE(p);
    return LLP_OK;
fail:
#undef LLP__CK_FAIL
    LLP_FREE(tsteps);
    LLP_FREE(rows);
    LLP_FREE(scratch);
    LLP_FREE(p);
    return r;
}

LLPDEF llp_result llp_trainer_write_monitor(const llp_trainer *tr, const char *path, const char *header,
                                            int with_time, llp_error *err) {
    static const char *const cols[] = {"step", "epoch", "train_loss", "val_loss", "train_acc", "val_acc",
                                       "grad_norm", "weight_norm", "lr", "step_norm", "seconds"};
    size_t nc = with_time ? 11 : 10, i;
    double *tab;
    llp_result r;
    llp__clear_error(err);
    if (!tr) return llp__fail(err, LLP_ERR_ARG, path, 0, 0, "no trainer");
    if (!llp__mul(tr->n_rows + 1, 11 * sizeof(double))) return llp__fail(err, LLP_ERR_NOMEM, path, 0, 0, "too many rows");
    tab = (double *)LLP_MALLOC((tr->n_rows + 1) * 11 * sizeof(double));
    if (!tab) return llp__fail(err, LLP_ERR_NOMEM, path, 0, 0, "out of memory");
    for (i = 0; i < tr->n_rows; i++) {
        const llp_monitor_row *w = tr->rows + i;
        double *o = tab + i * nc;
        o[0] = (double)w->step, o[1] = w->epoch, o[2] = w->train_loss, o[3] = w->val_loss, o[4] = w->train_acc;
        o[5] = w->val_acc, o[6] = w->grad_norm, o[7] = w->weight_norm, o[8] = w->lr, o[9] = w->step_norm;
        if (with_time) o[10] = w->seconds;
    }
    r = llp_write_table(path, header, cols, tab, tr->n_rows, nc, 0, 0, err);
    LLP_FREE(tab);
    return r;
}

LLPDEF llp_result llp_traj_load(llp_traj *out, const char *path, llp_error *err) {
    unsigned char *p;
    size_t len, n, count, i;
    llp_traj t;
    llp_result r;
    llp__clear_error(err);
    if (!out) return llp__fail(err, LLP_ERR_ARG, path, 0, 0, "no output");
    r = llp__read_file(path, &p, &len, err);
    if (r != LLP_OK) return r;
    if (len < 20 || memcmp(p, LLP__TRAJ_MAGIC, 8) != 0) {
        LLP_FREE(p);
        return llp__fail(err, LLP_ERR_FORMAT, path, 0, 0, "not an llprobe trajectory (bad magic)");
    }
    if (llp__get_u32(p + 8) != 1) {
        LLP_FREE(p);
        return llp__fail(err, LLP_ERR_VERSION, path, 0, 8, "unsupported trajectory version");
    }
    n = (size_t)llp__get_u64(p + 12);
    if (n == 0 || n > (len - 20) / 8) {
        LLP_FREE(p);
        return llp__fail(err, LLP_ERR_FORMAT, path, 0, 12, "impossible parameter count %lu", (unsigned long)n);
    }
    count = (len - 20) / (8 * (n + 1));
    if ((len - 20) % (8 * (n + 1))) {
        LLP_FREE(p);
        return llp__fail(err, LLP_ERR_TRUNCATED, path, 0, (long)len,
                         "trajectory ends inside a snapshot (%lu bytes)", (unsigned long)len);
    }
    memset(&t, 0, sizeof t);
    t.n = n;
    t.count = t.max = count;
    t.steps = (uint64_t *)LLP_MALLOC((count ? count : 1) * sizeof(uint64_t));
    t.theta = (llp_real *)LLP_MALLOC((count ? count * n : 1) * sizeof(llp_real));
    if (!t.steps || !t.theta) {
        llp_traj_free(&t);
        LLP_FREE(p);
        return llp__fail(err, LLP_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    for (i = 0; i < count; i++) {
        const unsigned char *q = p + 20 + i * 8 * (n + 1);
        size_t j;
        t.steps[i] = llp__get_u64(q);
        for (j = 0; j < n; j++) t.theta[i * n + j] = (llp_real)llp__get_f64(q + 8 + 8 * j);
    }
    t.every = count > 1 ? t.steps[1] - t.steps[0] : 0;
    LLP_FREE(p);
    *out = t;
    return LLP_OK;
}

/* ---- learning-rate range test and optimizer comparison ---- */

LLPDEF void llp_lr_find_free(llp_lr_find_result *res) {
    if (!res) return;
    LLP_FREE(res->lr);
    memset(res, 0, sizeof *res);
}

LLPDEF llp_result llp_lr_find(const llp_objective *f, const llp_real *theta0, const llp_opt_desc *od,
                              const llp_lr_find_desc *d, llp_lr_find_result *res) {
    llp_lr_find_desc dd;
    llp_lr_find_result t;
    llp_opt_desc o1;
    llp_opt opt;
    llp_rng rng;
    llp_real *state, *theta;
    size_t n, ns, sl, i, pos = 0, bs, *perm = NULL, imin;
    double avg = 0, best = HUGE_VAL, ratio;
    llp_result r = LLP_OK;
    if (!f || !theta0 || !od || !res) return LLP_ERR_ARG;
    if (d) dd = *d;
    else memset(&dd, 0, sizeof dd);
    if (!dd.lr_min) dd.lr_min = 1e-6;
    if (!dd.lr_max) dd.lr_max = 10;
    if (!dd.steps) dd.steps = 100;
    if (!dd.beta) dd.beta = 0.9;
    if (!dd.stop_factor) dd.stop_factor = 4;
    if (!(dd.lr_min > 0) || !(dd.lr_max > dd.lr_min) || dd.steps < 3 || !(dd.beta >= 0 && dd.beta < 1) ||
        !(dd.stop_factor > 1) || !llp__isfinite(dd.lr_max))
        return LLP_ERR_ARG;
    n = f->n;
    ns = f->n_samples;
    bs = ns && dd.batch_size && dd.batch_size < ns ? dd.batch_size : 0;
    o1 = *od;
    o1.lr = dd.lr_min;
    memset(&o1.schedule, 0, sizeof o1.schedule); /* the sweep sets the rate */
    sl = llp_opt_state_size(&o1, n);
    if (!sl || !llp__mul(sl + n, sizeof(llp_real)) || !llp__mul(dd.steps, 3 * sizeof(double))) return LLP_ERR_NOMEM;
    memset(&t, 0, sizeof t);
    t.lr = (double *)LLP_MALLOC(3 * dd.steps * sizeof(double));
    state = (llp_real *)LLP_MALLOC((sl + n) * sizeof(llp_real));
    if (bs) perm = (size_t *)LLP_MALLOC(ns * sizeof(size_t));
    if (!t.lr || !state || (bs && !perm)) {
        LLP_FREE(t.lr);
        LLP_FREE(state);
        LLP_FREE(perm);
        return LLP_ERR_NOMEM;
    }
    t.loss = t.lr + dd.steps;
    t.smooth = t.loss + dd.steps;
    theta = state + sl;
    llp_copy(theta0, theta, n);
    r = llp_opt_init(&opt, &o1, n, state, sl);
    llp_rng_seed(&rng, dd.seed);
    ratio = log(dd.lr_max / dd.lr_min);
    for (i = 0; r == LLP_OK && i < dd.steps; i++) {
        llp_batch b;
        llp_opt_info info;
        double lr = dd.lr_min * exp(ratio * (double)i / (double)(dd.steps - 1)), s;
        if (bs) {
            size_t cnt;
            if (pos == 0) llp_rng_permutation(&rng, perm, ns);
            cnt = ns - pos < bs ? ns - pos : bs;
            b = llp_batch_index(perm + pos, cnt);
            pos = pos + cnt >= ns ? 0 : pos + cnt;
        } else {
            b = llp_batch_all();
        }
        opt.d.lr = lr;
        r = llp_opt_step(&opt, f, theta, &b, &info);
        if (r == LLP_ERR_NONFINITE) { /* blown up: the sweep ends here */
            r = LLP_OK;
            t.stopped_early = 1;
            break;
        }
        if (r != LLP_OK) break;
        avg = dd.beta * avg + (1 - dd.beta) * info.loss;
        s = avg / (1 - pow(dd.beta, (double)(i + 1)));
        t.lr[t.n] = lr;
        t.loss[t.n] = info.loss;
        t.smooth[t.n] = s;
        t.n++;
        if (s < best) best = s;
        if (!llp__isfinite(s) || s > dd.stop_factor * best) {
            t.stopped_early = 1;
            break;
        }
        if (!llp_all_finite(theta, n)) {
            t.stopped_early = 1;
            break;
        }
    }
    LLP_FREE(state);
    LLP_FREE(perm);
    if (r == LLP_OK && t.n < 3) r = LLP_ERR_DIVERGED; /* nothing to read a rate from */
    if (r != LLP_OK) {
        llp_lr_find_free(&t);
        return r;
    }
    /* the three rates */
    imin = 0;
    for (i = 1; i < t.n; i++)
        if (t.smooth[i] < t.smooth[imin]) imin = i;
    t.best = t.lr[imin];
    {
        size_t is = 0, lim = imin > 1 ? imin : 1;
        double steepest = HUGE_VAL;
        for (i = 1; i < lim && i + 1 < t.n; i++) {
            double slope = (t.smooth[i + 1] - t.smooth[i - 1]) / (log(t.lr[i + 1]) - log(t.lr[i - 1]));
            if (slope < steepest) steepest = slope, is = i;
        }
        t.suggested = is ? t.lr[is] : t.lr[imin];
    }
    t.max_stable = t.lr[t.n - 1];
    for (i = imin + 1; i < t.n; i++)
        if (t.smooth[i] > t.smooth[0]) {
            t.max_stable = t.lr[i - 1];
            break;
        }
    *res = t;
    return LLP_OK;
}

LLPDEF llp_result llp_lr_find_write(const llp_lr_find_result *res, const char *path, const char *header,
                                    llp_error *err) {
    static const char *const cols[] = {"lr", "loss", "smooth"};
    char head[1024];
    double *tab;
    size_t i;
    llp_result r;
    llp__clear_error(err);
    if (!res || !res->n) return llp__fail(err, LLP_ERR_ARG, path, 0, 0, "no range-test result");
    tab = (double *)LLP_MALLOC(3 * res->n * sizeof(double));
    if (!tab) return llp__fail(err, LLP_ERR_NOMEM, path, 0, 0, "out of memory");
    for (i = 0; i < res->n; i++) tab[3 * i] = res->lr[i], tab[3 * i + 1] = res->loss[i], tab[3 * i + 2] = res->smooth[i];
    snprintf(head, sizeof head,
             "%s%slearning-rate range test: %lu steps%s\nsuggested %.6g (steepest descent of the smoothed loss)\n"
             "best %.6g (minimum of the smoothed loss)\nmax_stable %.6g (largest rate before the smoothed loss "
             "exceeds its start after the minimum)",
             header ? header : "", header ? "\n" : "", (unsigned long)res->n,
             res->stopped_early ? ", stopped early (loss blew up)" : "", res->suggested, res->best, res->max_stable);
    r = llp_write_table(path, head, cols, tab, res->n, 3, 0, 0, err);
    LLP_FREE(tab);
    return r;
}

LLPDEF void llp_compare_free(llp_compare_result *res) {
    size_t i;
    if (!res) return;
    for (i = 0; i < res->k && res->e; i++) LLP_FREE(res->e[i].rows);
    LLP_FREE(res->e);
    memset(res, 0, sizeof *res);
}

LLPDEF llp_result llp_compare_optimizers(const llp_objective *train, const llp_objective *val,
                                         const llp_real *theta0, const llp_opt_desc *opts, const char *const *names,
                                         size_t k, const llp_train_desc *td, double conv_loss,
                                         llp_compare_result *res) {
    llp_compare_result t;
    llp_real *theta;
    size_t i, n;
    llp_result r = LLP_OK;
    if (!train || !theta0 || !opts || !k || !td || !res) return LLP_ERR_ARG;
    n = train->n;
    memset(&t, 0, sizeof t);
    t.e = (llp_compare_entry *)LLP_MALLOC(k * sizeof *t.e);
    theta = (llp_real *)LLP_MALLOC(n * sizeof(llp_real));
    if (!t.e || !theta) {
        LLP_FREE(t.e);
        LLP_FREE(theta);
        return LLP_ERR_NOMEM;
    }
    memset(t.e, 0, k * sizeof *t.e);
    t.k = k;
    for (i = 0; i < k && r == LLP_OK; i++) {
        llp_compare_entry *e = t.e + i;
        llp_trainer tr;
        size_t j;
        double t0;
        if (names && names[i]) {
            snprintf(e->name, sizeof e->name, "%s", names[i]);
        } else {
            snprintf(e->name, sizeof e->name, "%s%s", llp_opt_name(opts[i].kind),
                     opts[i].sam == LLP_SAM ? "+sam" : opts[i].sam == LLP_SAM_ADAPTIVE ? "+asam" : "");
        }
        llp_copy(theta0, theta, n);
        r = llp_trainer_init(&tr, td, train, val, opts + i, theta);
        if (r != LLP_OK) break;
        t0 = llp__seconds();
        e->result = llp_trainer_run(&tr);
        e->seconds = llp__seconds() - t0;
        if (e->result != LLP_OK && e->result != LLP_ERR_DIVERGED) {
            r = e->result;
            llp_trainer_free(&tr);
            break;
        }
        e->stop = tr.stop;
        e->steps = tr.step;
        e->final_loss = tr.n_rows ? tr.rows[tr.n_rows - 1].train_loss : NAN;
        e->final_val = tr.n_rows ? tr.rows[tr.n_rows - 1].val_loss : NAN;
        for (j = 0; j < tr.n_rows; j++)
            if (tr.rows[j].train_loss <= conv_loss) {
                e->steps_to_conv = tr.rows[j].step;
                break;
            }
        e->rows = tr.rows; /* taken over */
        e->n_rows = tr.n_rows;
        tr.rows = NULL;
        llp_trainer_free(&tr);
    }
    LLP_FREE(theta);
    if (r != LLP_OK) {
        llp_compare_free(&t);
        return r;
    }
    *res = t;
    return LLP_OK;
}

LLPDEF llp_result llp_compare_write_curves(const llp_compare_result *res, const char *path, const char *header,
                                           llp_error *err) {
    llp__buf b;
    char line[256];
    size_t i, j;
    llp_result r;
    llp__clear_error(err);
    if (!res || !res->e) return llp__fail(err, LLP_ERR_ARG, path, 0, 0, "no comparison result");
    memset(&b, 0, sizeof b);
    llp__put_comment(&b, header);
    llp__put(&b, "# columns: step epoch train_loss val_loss; one block per optimizer (gnuplot: index i)\n", 86);
    for (i = 0; i < res->k; i++) {
        const llp_compare_entry *e = res->e + i;
        int len = snprintf(line, sizeof line, "%s# %s (%s)\n", i ? "\n\n" : "", e->name, llp_stop_name(e->stop));
        llp__put(&b, line, (size_t)len);
        for (j = 0; j < e->n_rows; j++) {
            const llp_monitor_row *w = e->rows + j;
            len = snprintf(line, sizeof line, "%llu %.17g %.17g %.17g\n", (unsigned long long)w->step, w->epoch,
                           w->train_loss, w->val_loss);
            llp__put(&b, line, (size_t)len);
        }
    }
    if (b.oom) {
        LLP_FREE(b.p);
        return llp__fail(err, LLP_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    r = llp__write_atomic(path, b.p, b.n, err);
    LLP_FREE(b.p);
    return r;
}

LLPDEF llp_result llp_compare_write_table(const llp_compare_result *res, const char *path, const char *header,
                                          int with_time, llp_error *err) {
    llp__buf b;
    char line[512];
    size_t i;
    int len;
    llp_result r;
    llp__clear_error(err);
    if (!res || !res->e) return llp__fail(err, LLP_ERR_ARG, path, 0, 0, "no comparison result");
    memset(&b, 0, sizeof b);
    llp__put_comment(&b, header);
    len = snprintf(line, sizeof line, "# name final_loss final_val steps_to_conv steps stop%s\n",
                   with_time ? " seconds" : "");
    llp__put(&b, line, (size_t)len);
    for (i = 0; i < res->k; i++) {
        const llp_compare_entry *e = res->e + i;
        len = snprintf(line, sizeof line, "%s %.17g %.17g %llu %llu %s", e->name, e->final_loss, e->final_val,
                       (unsigned long long)e->steps_to_conv, (unsigned long long)e->steps, llp_stop_name(e->stop));
        llp__put(&b, line, (size_t)len);
        if (with_time) {
            len = snprintf(line, sizeof line, " %.6f", e->seconds);
            llp__put(&b, line, (size_t)len);
        }
        llp__put(&b, "\n", 1);
    }
    if (b.oom) {
        LLP_FREE(b.p);
        return llp__fail(err, LLP_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    r = llp__write_atomic(path, b.p, b.n, err);
    LLP_FREE(b.p);
    return r;
}

/* ---- 11.10 Hessian and curvature tools ----------------------------------- */

static double llp__real_eps(void) { return LLP_REAL_IS_FLOAT ? (double)FLT_EPSILON : DBL_EPSILON; }

LLPDEF llp_batch_policy llp_batch_policy_full(void) {
    llp_batch_policy p;
    memset(&p, 0, sizeof p);
    p.kind = LLP_BATCH_POLICY_FULL;
    return p;
}

LLPDEF llp_batch_policy llp_batch_policy_fixed(const llp_batch *batch) {
    llp_batch_policy p = llp_batch_policy_full();
    p.kind = LLP_BATCH_POLICY_FIXED;
    p.batch = batch;
    return p;
}

LLPDEF llp_batch_policy llp_batch_policy_fresh(size_t batch_size, llp_rng *rng) {
    llp_batch_policy p = llp_batch_policy_full();
    p.kind = LLP_BATCH_POLICY_FRESH;
    p.batch_size = batch_size;
    p.rng = rng;
    return p;
}

LLPDEF llp_result llp_batch_policy_describe(const llp_batch_policy *p, size_t ns, char *buf, size_t len) {
    llp_batch_policy_kind k = p ? p->kind : LLP_BATCH_POLICY_FULL;
    unsigned long un = (unsigned long)ns;
    if (!buf || !len) return LLP_ERR_ARG;
    buf[0] = 0;
    if ((int)k < (int)LLP_BATCH_POLICY_FULL || (int)k > (int)LLP_BATCH_POLICY_FRESH) return LLP_ERR_ARG;
    if (ns == 0) {
        snprintf(buf, len, "batch: none (objective without samples: every product on the one function)");
        return LLP_OK;
    }
    if (k == LLP_BATCH_POLICY_FULL) {
        snprintf(buf, len, "batch: full data (%lu samples)", un);
    } else if (k == LLP_BATCH_POLICY_FIXED) {
        const llp_batch *b = p->batch;
        if (!b || b->kind == LLP_BATCH_ALL)
            snprintf(buf, len, "batch: fixed probe batch = full data (%lu samples)", un);
        else if (b->kind == LLP_BATCH_RANGE)
            snprintf(buf, len, "batch: fixed probe batch, samples %lu..%lu (%lu of %lu)", (unsigned long)b->start,
                     (unsigned long)(b->start + b->count - (b->count ? 1 : 0)), (unsigned long)b->count, un);
        else
            snprintf(buf, len, "batch: fixed probe batch of %lu listed samples (of %lu)", (unsigned long)b->count,
                     un);
    } else {
        snprintf(buf, len, "batch: fresh mini-batch of %lu of %lu samples per product, drawn without replacement",
                 (unsigned long)p->batch_size, un);
    }
    return LLP_OK;
}

/* The operator every tool applies: objective, point, batch policy, counts. */
typedef struct llp__curv {
    const llp_objective *f;
    const llp_real *theta;
    size_t n;
    llp_batch_policy_kind kind;
    const llp_batch *fixed; /* FIXED: NULL = all */
    size_t bs;              /* FRESH: batch size */
    llp_rng *rng;           /* FRESH: the batch stream */
    size_t *idx;            /* FRESH: (bs) */
    llp_batch cur;
    llp_evals ev;
    char text[160];
} llp__curv;

static void llp__curv_free(llp__curv *c) {
    LLP_FREE(c->idx);
    c->idx = NULL;
}

static llp_result llp__curv_init(llp__curv *c, const llp_objective *f, const llp_real *theta,
                                 const llp_batch_policy *bp) {
    size_t ns, bytes;
    memset(c, 0, sizeof *c);
    if (!f || !theta || !f->loss_grad || f->n == 0) return LLP_ERR_ARG;
    c->f = f;
    c->theta = theta;
    c->n = f->n;
    c->kind = bp ? bp->kind : LLP_BATCH_POLICY_FULL;
    if (llp_batch_policy_describe(bp, f->n_samples, c->text, sizeof c->text) != LLP_OK) return LLP_ERR_ARG;
    ns = f->n_samples;
    if (ns == 0) {
        c->kind = LLP_BATCH_POLICY_FULL; /* batches are ignored */
        return LLP_OK;
    }
    if (c->kind == LLP_BATCH_POLICY_FIXED) {
        c->fixed = bp->batch;
        if (c->fixed && llp__batch_check(c->fixed, ns) != LLP_OK) return LLP_ERR_ARG;
    } else if (c->kind == LLP_BATCH_POLICY_FRESH) {
        if (!bp->rng || bp->batch_size == 0 || bp->batch_size > ns) return LLP_ERR_ARG;
        c->bs = bp->batch_size;
        c->rng = bp->rng;
        bytes = llp__mul(c->bs, sizeof(size_t));
        if (!bytes) return LLP_ERR_NOMEM;
        c->idx = (size_t *)LLP_MALLOC(bytes);
        if (!c->idx) return LLP_ERR_NOMEM;
        c->cur = llp_batch_index(c->idx, c->bs);
    }
    return LLP_OK;
}

/* The batch of the next product: FRESH draws bs of n_samples without
   replacement by selection sampling (sorted indices, one draw per sample). */
static const llp_batch *llp__curv_batch(llp__curv *c) {
    if (c->kind == LLP_BATCH_POLICY_FIXED) return c->fixed;
    if (c->kind == LLP_BATCH_POLICY_FRESH) {
        size_t ns = c->f->n_samples, need = c->bs, i, t = 0;
        for (i = 0; i < ns && need; i++)
            if (llp_rng_below(c->rng, (uint64_t)(ns - i)) < (uint64_t)need) {
                c->idx[t++] = i;
                need--;
            }
        c->ev.batches++;
        return &c->cur;
    }
    return NULL;
}

/* Count k Hessian-vector products of f as what they cost: k HVPs when f has
   a product (hvp, or hvp_block for a block call), else 2k gradients (the
   central difference of llp_objective_hvp). */
static void llp__count_hvp(const llp_objective *f, llp_evals *ev, size_t k, int block) {
    if (f->hvp || (block && f->hvp_block)) ev->hvp += k;
    else ev->grad += 2 * k;
}

static llp_result llp__curv_hvp_on(llp__curv *c, const llp_batch *b, const llp_real *v, llp_real *hv) {
    llp_result r = llp_objective_hvp(c->f, c->theta, v, b, hv);
    llp__count_hvp(c->f, &c->ev, 1, 0);
    if (r != LLP_OK) return r;
    return llp_all_finite(hv, c->n) ? LLP_OK : LLP_ERR_NONFINITE;
}

static llp_result llp__curv_hvp(llp__curv *c, const llp_real *v, llp_real *hv) {
    return llp__curv_hvp_on(c, llp__curv_batch(c), v, hv);
}

/* k products; one block call except under FRESH (one batch per product). */
static llp_result llp__curv_block(llp__curv *c, const llp_real *V, size_t k, llp_real *HV) {
    llp_result r;
    size_t j;
    if (k == 0) return LLP_OK;
    if (c->kind == LLP_BATCH_POLICY_FRESH) {
        for (j = 0; j < k; j++) {
            r = llp__curv_hvp(c, V + j * c->n, HV + j * c->n);
            if (r != LLP_OK) return r;
        }
        return LLP_OK;
    }
    r = llp_objective_hvp_block(c->f, c->theta, V, k, llp__curv_batch(c), HV);
    llp__count_hvp(c->f, &c->ev, k, 1);
    if (r != LLP_OK) return r;
    return llp_all_finite(HV, k * c->n) ? LLP_OK : LLP_ERR_NONFINITE;
}

static llp_result llp__curv_grad(llp__curv *c, const llp_real *x, const llp_batch *b, llp_real *g) {
    llp_real l = 0;
    llp_result r = c->f->loss_grad(c->f->ctx, x, b, &l, g);
    c->ev.grad++;
    if (r != LLP_OK) return r;
    return llp_all_finite(g, c->n) ? LLP_OK : LLP_ERR_NONFINITE;
}

/* n reals, 0 on overflow. */
static llp_real *llp__alloc_reals(size_t count) {
    size_t bytes = llp__mul(count, sizeof(llp_real));
    return bytes ? (llp_real *)LLP_MALLOC(bytes) : NULL;
}

static double *llp__alloc_doubles(size_t count) {
    size_t bytes = llp__mul(count, sizeof(double));
    return bytes ? (double *)LLP_MALLOC(bytes) : NULL;
}

/* y -= (x . y) x for every row x of X (k, n), twice (Gram–Schmidt with
   reorthogonalisation; the rows of X are orthonormal). */
static void llp__orth_against(const llp_real *X, size_t k, llp_real *y, size_t n) {
    int pass;
    size_t i;
    for (pass = 0; pass < 2; pass++)
        for (i = 0; i < k; i++) llp_axpy((llp_real)-llp_dot(X + i * n, y, n), X + i * n, y, n);
}

static void llp__fill_probe(llp_rng *rng, llp_probe_kind kind, llp_real *x, size_t n) {
    if (kind == LLP_PROBE_GAUSSIAN)
        llp_rng_fill_normal(rng, x, n);
    else
        llp_rng_fill_rademacher(rng, x, n);
}

/* ---- symmetric tridiagonal QL -------------------------------------------- */

/* Implicit QL with Wilkinson shifts on the tridiagonal (d, e): d (n)
   diagonal, e[i] couples i and i+1 (e has n entries, e[n-1] is scratch).
   On return d holds the eigenvalues, ascending. zt: (n, zc) row-major, one
   row per eigenvalue; every rotation of the iteration is applied to its rows
   and the rows are permuted with d. Starting from the identity the rows
   become the eigenvectors; starting from Q^T (A = Q T Q^T) the eigenvectors
   of A; starting from one column of the identity (zc = 1), one component of
   every eigenvector. Rows are contiguous, so a rotation streams through
   memory. Returns 0, or -1 when an eigenvalue needs over 60 sweeps. */
static int llp__tql(double *d, double *e, size_t n, double *zt, size_t zc) {
    size_t l, m, i, k, j;
    if (n == 0) return 0;
    e[n - 1] = 0;
    for (l = 0; l < n; l++) {
        int sweeps = 0;
        for (;;) {
            double g, r, s, c, p, f, b;
            int underflow = 0;
            for (m = l; m + 1 < n; m++) {
                double dd = fabs(d[m]) + fabs(d[m + 1]);
                if (fabs(e[m]) <= DBL_EPSILON * dd) break;
            }
            if (m == l) break;
            if (++sweeps > 60) return -1;
            /* Wilkinson shift: the eigenvalue of the leading 2x2 block nearer d[l] */
            g = (d[l + 1] - d[l]) / (2.0 * e[l]);
            r = hypot(g, 1.0);
            g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
            s = 1;
            c = 1;
            p = 0;
            for (i = m; i-- > l;) {
                f = s * e[i];
                b = c * e[i];
                r = hypot(f, g);
                e[i + 1] = r;
                if (r == 0) { /* the rotation underflowed: split here and restart */
                    d[i + 1] -= p;
                    e[m] = 0;
                    underflow = 1;
                    break;
                }
                s = f / r;
                c = g / r;
                g = d[i + 1] - p;
                r = (d[i] - g) * s + 2.0 * c * b;
                p = s * r;
                d[i + 1] = g + p;
                g = c * r - b;
                if (zc) {
                    double *z0 = zt + i * zc, *z1 = z0 + zc;
                    for (k = 0; k < zc; k++) {
                        f = z1[k];
                        z1[k] = s * z0[k] + c * f;
                        z0[k] = c * z0[k] - s * f;
                    }
                }
            }
            if (underflow) continue;
            d[l] -= p;
            e[l] = g;
            e[m] = 0;
        }
    }
    /* ascending, rows of zt along (selection sort: n swaps at most) */
    for (i = 0; i + 1 < n; i++) {
        size_t mi = i;
        for (j = i + 1; j < n; j++)
            if (d[j] < d[mi]) mi = j;
        if (mi != i) {
            double t = d[i];
            d[i] = d[mi];
            d[mi] = t;
            for (k = 0; k < zc; k++) {
                t = zt[i * zc + k];
                zt[i * zc + k] = zt[mi * zc + k];
                zt[mi * zc + k] = t;
            }
        }
    }
    return 0;
}

LLPDEF llp_result llp_tridiag_eig(const double *d, const double *e, size_t n, double *w, double *z) {
    double *buf, *dd, *ee, *zz = NULL;
    size_t i, cnt;
    if (!d || !w || n == 0 || (n > 1 && !e)) return LLP_ERR_ARG;
    for (i = 0; i < n; i++)
        if (!llp__isfinite(d[i]) || (i + 1 < n && !llp__isfinite(e[i]))) return LLP_ERR_NONFINITE;
    cnt = 2 * n;
    if (z) {
        size_t nn = llp__mul(n, n);
        if (!nn || nn > (size_t)-1 - cnt) return LLP_ERR_NOMEM;
        cnt += nn;
    }
    buf = llp__alloc_doubles(cnt);
    if (!buf) return LLP_ERR_NOMEM;
    dd = buf;
    ee = buf + n;
    for (i = 0; i < n; i++) {
        dd[i] = d[i];
        ee[i] = i + 1 < n ? e[i] : 0;
    }
    if (z) {
        zz = buf + 2 * n;
        memset(zz, 0, n * n * sizeof(double));
        for (i = 0; i < n; i++) zz[i * n + i] = 1;
    }
    if (llp__tql(dd, ee, n, zz, z ? n : 0) != 0) {
        LLP_FREE(buf);
        return LLP_ERR_DIVERGED;
    }
    memcpy(w, dd, n * sizeof(double));
    if (z) { /* rows of zz are the eigenvectors; z wants them as columns */
        size_t j;
        for (i = 0; i < n; i++)
            for (j = 0; j < n; j++) z[i * n + j] = zz[j * n + i];
    }
    LLP_FREE(buf);
    return LLP_OK;
}

/* ---- dense symmetric eigensolver ----------------------------------------- */

/* Householder reduction of the symmetric a (n, n), both triangles filled, to
   tridiagonal (d, e): T = Q^T A Q with Q = P_0 P_1 ... P_{n-3}, P_k = I -
   beta_k v_k v_k^T acting on coordinates k+1..n-1. a is destroyed: row k
   right of the diagonal keeps v_k (the same numbers as column k below it,
   by symmetry, but contiguous). qt (n, n) receives Q^T when not NULL.
   bet, p: (n) scratch. */
static void llp__householder(double *a, size_t n, double *d, double *e, double *qt, double *bet, double *p) {
    size_t k, i, j;
    for (k = 0; k + 2 < n; k++) {
        size_t m = n - k - 1;
        double *x = a + k * n + k + 1; /* row k right of the diagonal: the column below it */
        double scale = 0, sigma = 0, x0, alpha, beta, kk;
        for (i = 0; i < m; i++) scale += fabs(x[i]);
        d[k] = a[k * n + k];
        bet[k] = 0;
        if (scale == 0) {
            e[k] = 0;
            continue;
        }
        for (i = 0; i < m; i++) x[i] /= scale;
        for (i = 1; i < m; i++) sigma += x[i] * x[i];
        x0 = x[0];
        if (sigma == 0) { /* already reduced: no reflection */
            e[k] = x0 * scale;
            continue;
        }
        alpha = sqrt(x0 * x0 + sigma);
        if (x0 > 0) alpha = -alpha;
        x[0] = x0 - alpha; /* v = x - alpha e1, P x = alpha e1 */
        beta = 2.0 / (x[0] * x[0] + sigma);
        bet[k] = beta;
        e[k] = alpha * scale;
        /* p = beta A22 v, K = beta/2 v^T p, w = p - K v, A22 -= v w^T + w v^T */
        kk = 0;
        for (i = 0; i < m; i++) {
            const double *row = a + (k + 1 + i) * n + k + 1;
            double s = 0;
            for (j = 0; j < m; j++) s += row[j] * x[j];
            p[i] = beta * s;
            kk += x[i] * p[i];
        }
        kk *= 0.5 * beta;
        for (i = 0; i < m; i++) p[i] -= kk * x[i];
        for (i = 0; i < m; i++) {
            double *row = a + (k + 1 + i) * n + k + 1, vi = x[i], wi = p[i];
            for (j = 0; j < m; j++) row[j] -= vi * p[j] + wi * x[j];
        }
    }
    if (n >= 2) {
        d[n - 2] = a[(n - 2) * n + (n - 2)];
        e[n - 2] = a[(n - 1) * n + (n - 2)];
        bet[n - 2] = 0;
    }
    d[n - 1] = a[(n - 1) * n + (n - 1)];
    e[n - 1] = 0;
    bet[n - 1] = 0;
    if (!qt) return;
    /* Q^T = P_{n-3} ... P_0, accumulated as M <- M P_k for k descending; M
       is the identity outside rows and columns k+2.. before the step, so
       only rows k+1.. change, each by a contiguous update. */
    memset(qt, 0, n * n * sizeof(double));
    for (i = 0; i < n; i++) qt[i * n + i] = 1;
    for (k = n >= 3 ? n - 2 : 0; k-- > 0;) {
        const double *v = a + k * n + k + 1;
        size_t m = n - k - 1;
        if (bet[k] == 0) continue;
        for (i = k + 1; i < n; i++) {
            double *row = qt + i * n + k + 1, s = 0;
            for (j = 0; j < m; j++) s += row[j] * v[j];
            s *= bet[k];
            for (j = 0; j < m; j++) row[j] -= s * v[j];
        }
    }
}

LLPDEF llp_result llp_sym_eig(const double *a, size_t n, double *w, double *v) {
    double *buf, *aa, *d, *e, *bet, *p, *q;
    size_t nn, i, j, cnt;
    if (!a || !w || n == 0) return LLP_ERR_ARG;
    nn = llp__mul(n, n);
    if (!nn) return LLP_ERR_NOMEM;
    for (i = 0; i < n; i++)
        for (j = 0; j <= i; j++)
            if (!llp__isfinite(a[i * n + j])) return LLP_ERR_NONFINITE;
    if (nn > ((size_t)-1) / 2 - 4 * n) return LLP_ERR_NOMEM;
    cnt = (v ? 2 * nn : nn) + 4 * n;
    buf = llp__alloc_doubles(cnt);
    if (!buf) return LLP_ERR_NOMEM;
    aa = buf;
    d = aa + nn;
    e = d + n;
    bet = e + n;
    p = bet + n;
    q = v ? p + n : NULL;
    for (i = 0; i < n; i++)
        for (j = 0; j <= i; j++) aa[i * n + j] = aa[j * n + i] = a[i * n + j];
    llp__householder(aa, n, d, e, q, bet, p);
    if (llp__tql(d, e, n, q, q ? n : 0) != 0) {
        LLP_FREE(buf);
        return LLP_ERR_DIVERGED;
    }
    memcpy(w, d, n * sizeof(double));
    if (v) /* rows of q are the eigenvectors; v wants them as columns */
        for (i = 0; i < n; i++)
            for (j = 0; j < n; j++) v[i * n + j] = q[j * n + i];
    LLP_FREE(buf);
    return LLP_OK;
}

/* ---- power iteration and Lanczos ------------------------------------------ */

LLPDEF void llp_eig_result_free(llp_eig_result *res) {
    if (!res) return;
    LLP_FREE(res->values);
    LLP_FREE(res->converged);
    LLP_FREE(res->vectors);
    memset(res, 0, sizeof *res);
}

/* values and residuals in one block, converged flags, vectors (optional). */
static llp_result llp__eig_alloc(llp_eig_result *t, size_t n, size_t k, int vectors) {
    memset(t, 0, sizeof *t);
    t->n = n;
    t->k = k;
    t->values = llp__alloc_doubles(2 * k);
    t->converged = (int *)LLP_MALLOC(k * sizeof(int));
    if (vectors) t->vectors = llp__alloc_reals(llp__mul(k, n));
    if (!t->values || !t->converged || (vectors && !t->vectors)) {
        llp_eig_result_free(t);
        return LLP_ERR_NOMEM;
    }
    t->residuals = t->values + k;
    return LLP_OK;
}

LLPDEF llp_result llp_power_iteration(const llp_objective *f, const llp_real *theta, const llp_batch_policy *bp,
                                      const llp_power_desc *desc, llp_rng *rng, llp_eig_result *res) {
    llp_power_desc d;
    llp__curv c;
    llp_eig_result t;
    llp_real *V = NULL, *v, *w;
    size_t n, p, it, i;
    double scale0 = 0;
    llp_result r;
    if (!res || !rng) return LLP_ERR_ARG;
    r = llp__curv_init(&c, f, theta, bp);
    if (r != LLP_OK) {
        llp__curv_free(&c);
        return r;
    }
    n = c.n;
    if (desc)
        d = *desc;
    else
        memset(&d, 0, sizeof d);
    if (!d.k) d.k = 1;
    if (!d.max_iter) d.max_iter = 200;
    if (d.tol == 0) d.tol = 1e-4;
    if (d.k > n || !(d.tol > 0) || !llp__isfinite(d.tol) || (d.v0 && !(llp_nrm2(d.v0, n) > 0))) {
        llp__curv_free(&c);
        return LLP_ERR_ARG;
    }
    r = llp__eig_alloc(&t, n, d.k, d.want_vectors);
    if (r == LLP_OK) {
        V = llp__alloc_reals(llp__mul(d.k + 2, n));
        if (!V) r = LLP_ERR_NOMEM;
    }
    if (r != LLP_OK) {
        llp_eig_result_free(&t);
        llp__curv_free(&c);
        return r;
    }
    t.n_largest = d.k;
    v = V + d.k * n;
    w = v + n;
    for (p = 0; p < d.k && r == LLP_OK; p++) {
        double lam = 0, res_full = 0, nv = 0, scale;
        int conv = 0, tries;
        for (tries = 0; tries < 8 && !(nv > 0); tries++) {
            if (p == 0 && d.v0 && tries == 0)
                llp_copy(d.v0, v, n);
            else
                llp_rng_fill_normal(rng, v, n);
            llp__orth_against(V, p, v, n);
            nv = llp_nrm2(v, n);
        }
        if (!(nv > 0)) {
            r = LLP_ERR_NONFINITE;
            break;
        }
        llp_scale((llp_real)(1.0 / nv), v, n);
        for (it = 0; it < d.max_iter; it++) {
            double res_d = 0, s2 = 0, nw;
            r = llp__curv_hvp(&c, v, w);
            t.iters++;
            if (r != LLP_OK) break;
            lam = llp_dot(v, w, n);
            for (i = 0; i < n; i++) {
                double q = (double)w[i] - lam * v[i];
                s2 += q * q;
            }
            res_full = sqrt(s2);
            /* the deflated operator (I - P) H (I - P) on v, which is orthogonal to V */
            llp__orth_against(V, p, w, n);
            s2 = 0;
            for (i = 0; i < n; i++) {
                double q = (double)w[i] - lam * v[i];
                s2 += q * q;
            }
            res_d = sqrt(s2);
            scale = p == 0 ? fabs(lam) : scale0;
            if (res_d <= d.tol * scale) {
                conv = 1;
                break;
            }
            if (it + 1 == d.max_iter) break; /* keep v: the residual is v's */
            nw = llp_nrm2(w, n);
            if (!(nw > 0)) break; /* unreachable: nw = 0 means res_d = 0 */
            for (i = 0; i < n; i++) v[i] = (llp_real)(w[i] / nw);
            llp__orth_against(V, p, v, n);
            nw = llp_nrm2(v, n);
            llp_scale((llp_real)(1.0 / nw), v, n);
        }
        if (r != LLP_OK) break;
        if (p == 0) scale0 = fabs(lam);
        t.values[p] = lam;
        t.residuals[p] = res_full;
        t.converged[p] = conv;
        llp_copy(v, V + p * n, n);
        if (t.vectors) llp_copy(v, t.vectors + p * n, n);
    }
    LLP_FREE(V);
    t.evals = c.ev;
    memcpy(t.batch, c.text, sizeof t.batch);
    llp__curv_free(&c);
    if (r != LLP_OK) {
        llp_eig_result_free(&t);
        return r;
    }
    *res = t;
    return LLP_OK;
}

/* One Lanczos step from q_j = Q row j (unit): w = H q_j - beta_j q_{j-1}
   - alpha_j q_j, orthogonalised twice against rows 0..j, into Q row j+1
   (not normalised). alpha_j gets the reorthogonalisation's correction. */
static llp_result llp__lanczos_step(llp__curv *c, llp_real *Q, size_t j, double beta_j, double *alpha,
                                    double *beta_next) {
    size_t n = c->n, i, pass;
    llp_real *q = Q + j * n, *w = Q + (j + 1) * n;
    double a;
    llp_result r = llp__curv_hvp(c, q, w);
    if (r != LLP_OK) return r;
    a = llp_dot(q, w, n);
    if (j > 0 && beta_j != 0) {
        const llp_real *qp = Q + (j - 1) * n;
        for (i = 0; i < n; i++) w[i] = (llp_real)((double)w[i] - a * q[i] - beta_j * qp[i]);
    } else {
        for (i = 0; i < n; i++) w[i] = (llp_real)((double)w[i] - a * q[i]);
    }
    for (pass = 0; pass < 2; pass++)
        for (i = 0; i <= j; i++) {
            double h = llp_dot(Q + i * n, w, n);
            llp_axpy((llp_real)-h, Q + i * n, w, n);
            if (i == j) a += h;
        }
    *alpha = a;
    *beta_next = llp_nrm2(w, n);
    return LLP_OK;
}

/* Eigen-decomposition of T_s (alpha[0..s), beta[1..s) couplings) into
   theta (s, ascending) and z: zr = s gives the eigenvectors as rows (z[j*s
   + i] is component i of the vector of theta[j]); zr = 1 gives one
   component of each, the last (lastrow = 1) or the first (lastrow = 0), in
   z[j]. e: (s) scratch. */
static int llp__ritz(const double *alpha, const double *beta, size_t s, double *theta, double *e, double *z, size_t zr,
                     int lastrow) {
    size_t i;
    for (i = 0; i < s; i++) {
        theta[i] = alpha[i];
        e[i] = i + 1 < s ? beta[i + 1] : 0;
    }
    memset(z, 0, zr * s * sizeof(double));
    if (zr == s)
        for (i = 0; i < s; i++) z[i * s + i] = 1;
    else
        z[lastrow ? s - 1 : 0] = 1;
    return llp__tql(theta, e, s, z, zr);
}

LLPDEF llp_result llp_lanczos(const llp_objective *f, const llp_real *theta, const llp_batch_policy *bp,
                              const llp_lanczos_desc *desc, llp_rng *rng, llp_eig_result *res) {
    llp_lanczos_desc d;
    llp__curv c;
    llp_eig_result t;
    llp_real *Q = NULL;
    double *sm = NULL, *alpha, *beta, *th, *e, *z, *prev, bnext = 0, tnorm = 0, nv;
    size_t n, m, want, j, steps = 0, i, q;
    llp_result r;
    int done, have_prev = 0;
    if (!res || !rng) return LLP_ERR_ARG;
    r = llp__curv_init(&c, f, theta, bp);
    if (r != LLP_OK) {
        llp__curv_free(&c);
        return r;
    }
    n = c.n;
    if (desc)
        d = *desc;
    else
        memset(&d, 0, sizeof d);
    if (!d.k_largest && !d.k_smallest) d.k_largest = d.k_smallest = 1;
    m = d.max_steps ? d.max_steps : 100;
    if (m > n) m = n;
    if (d.tol == 0) d.tol = LLP_REAL_IS_FLOAT ? 1e-4 : 1e-8;
    want = d.k_largest + d.k_smallest;
    if (want < d.k_largest || want > m || !(d.tol > 0) || !llp__isfinite(d.tol) ||
        (d.v0 && !(llp_nrm2(d.v0, n) > 0))) {
        llp__curv_free(&c);
        return LLP_ERR_ARG;
    }
    r = llp__eig_alloc(&t, n, want, d.want_vectors);
    if (r == LLP_OK) {
        Q = llp__alloc_reals(llp__mul(m + 1, n));
        /* alpha, beta (m + 1 each), theta, e, prev (m each), z (m * m) */
        if (m > ((size_t)-1) / sizeof(double) / (m + 6)) sm = NULL;
        else sm = llp__alloc_doubles(m * m + 5 * m + 2);
        if (!Q || !sm) r = LLP_ERR_NOMEM;
    }
    if (r != LLP_OK) {
        LLP_FREE(Q);
        LLP_FREE(sm);
        llp_eig_result_free(&t);
        llp__curv_free(&c);
        return r;
    }
    alpha = sm;
    beta = alpha + m + 1;
    th = beta + m + 1;
    e = th + m;
    prev = e + m;
    z = prev + m;
    beta[0] = 0;
    if (d.v0)
        llp_copy(d.v0, Q, n);
    else
        llp_rng_fill_normal(rng, Q, n);
    nv = llp_nrm2(Q, n);
    llp_scale((llp_real)(1.0 / nv), Q, n);
    for (j = 0;; j++) {
        double bj = j ? beta[j] : 0;
        int brk;
        r = llp__lanczos_step(&c, Q, j, bj, &alpha[j], &bnext);
        if (r != LLP_OK) break;
        steps = j + 1;
        {
            double rowsum = fabs(alpha[j]) + fabs(bj) + bnext;
            if (rowsum > tnorm) tnorm = rowsum;
        }
        if (steps == m) break;
        /* breakdown: the basis spans an invariant subspace (to rounding) */
        brk = bnext <= 100.0 * llp__real_eps() * sqrt((double)n) * tnorm;
        done = 0;
        if (steps >= want) {
            double scale;
            if (llp__ritz(alpha, beta, steps, th, e, z, 1, 1) != 0) {
                r = LLP_ERR_DIVERGED;
                break;
            }
            scale = fabs(th[0]) > fabs(th[steps - 1]) ? fabs(th[0]) : fabs(th[steps - 1]);
            if (!brk) {
                done = 1;
                for (i = 0; i < d.k_smallest && done; i++)
                    if (!(bnext * fabs(z[i]) <= d.tol * scale)) done = 0;
                for (i = 0; i < d.k_largest && done; i++)
                    if (!(bnext * fabs(z[steps - 1 - i]) <= d.tol * scale)) done = 0;
            } else {
                /* every Ritz pair is exact, but a single Krylov space holds each
                   distinct eigenvalue once: continue from a new vector until a
                   block leaves the wanted values unchanged (multiplicities) */
                done = have_prev;
                for (q = 0; q < want; q++) {
                    double v = th[q < d.k_largest ? steps - 1 - q : q - d.k_largest];
                    if (!(fabs(v - prev[q]) <= d.tol * scale)) done = 0;
                    prev[q] = v;
                }
                have_prev = 1;
            }
        }
        if (done) break;
        if (brk) {
            /* a random unit vector keeps a part of norm ~ sqrt((n - steps) / n)
               outside the basis; accept anything clearly above rounding,
               normalise, and orthogonalise once more */
            llp_real *qn = Q + (j + 1) * n;
            double keep = sqrt(llp__real_eps());
            int tries;
            nv = 0;
            for (tries = 0; tries < 8 && !(nv > keep); tries++) {
                llp_rng_fill_normal(rng, qn, n);
                nv = llp_nrm2(qn, n);
                llp_scale((llp_real)(1.0 / nv), qn, n);
                llp__orth_against(Q, j + 1, qn, n);
                nv = llp_nrm2(qn, n);
            }
            if (!(nv > keep)) break; /* not reached: steps < m <= n leaves room */
            llp_scale((llp_real)(1.0 / nv), qn, n);
            llp__orth_against(Q, j + 1, qn, n);
            llp_scale((llp_real)(1.0 / llp_nrm2(qn, n)), qn, n);
            beta[j + 1] = 0;
            t.restarts++;
        } else {
            llp_scale((llp_real)(1.0 / bnext), Q + (j + 1) * n, n);
            beta[j + 1] = bnext;
        }
    }
    if (r == LLP_OK && steps < want) r = LLP_ERR_DIVERGED; /* cannot happen: want <= m <= n */
    if (r == LLP_OK) {
        /* final Ritz pairs: the whole eigenvector matrix of T when vectors are wanted */
        size_t zr = d.want_vectors ? steps : 1;
        double scale;
        if (llp__ritz(alpha, beta, steps, th, e, z, zr, 1) != 0) r = LLP_ERR_DIVERGED;
        if (r == LLP_OK) {
            scale = fabs(th[0]) > fabs(th[steps - 1]) ? fabs(th[0]) : fabs(th[steps - 1]);
            t.n_largest = d.k_largest;
            t.n_smallest = d.k_smallest;
            for (q = 0; q < want; q++) {
                size_t col = q < d.k_largest ? steps - 1 - q : q - d.k_largest;
                double last = zr == 1 ? z[col] : z[col * steps + steps - 1];
                t.values[q] = th[col];
                t.residuals[q] = bnext * fabs(last);
                t.converged[q] = t.residuals[q] <= d.tol * scale;
                if (t.vectors) {
                    llp_real *y = t.vectors + q * n;
                    double ny;
                    llp_fill(0, y, n);
                    for (i = 0; i < steps; i++) llp_axpy((llp_real)z[col * steps + i], Q + i * n, y, n);
                    ny = llp_nrm2(y, n);
                    if (ny > 0) llp_scale((llp_real)(1.0 / ny), y, n);
                }
            }
        }
    }
    t.iters = steps;
    t.evals = c.ev;
    memcpy(t.batch, c.text, sizeof t.batch);
    LLP_FREE(Q);
    LLP_FREE(sm);
    llp__curv_free(&c);
    if (r != LLP_OK) {
        llp_eig_result_free(&t);
        return r;
    }
    *res = t;
    return LLP_OK;
}

/* ---- trace: Hutchinson and Hutch++ --------------------------------------- */

/* Running mean and sum of squared deviations (Welford). */
static void llp__welford(double x, size_t *cnt, double *mean, double *m2) {
    double delta = x - *mean;
    (*cnt)++;
    *mean += delta / (double)*cnt;
    *m2 += delta * (x - *mean);
}

LLPDEF llp_result llp_hutchinson(const llp_objective *f, const llp_real *theta, const llp_batch_policy *bp,
                                 const llp_trace_desc *desc, llp_rng *rng, llp_trace_result *res) {
    llp_trace_desc d;
    llp__curv c;
    llp_trace_result t;
    llp_real *Z = NULL, *HZ;
    size_t n, cnt = 0, j;
    double mean = 0, m2 = 0;
    llp_result r;
    if (!res || !rng) return LLP_ERR_ARG;
    r = llp__curv_init(&c, f, theta, bp);
    if (r != LLP_OK) {
        llp__curv_free(&c);
        return r;
    }
    n = c.n;
    if (desc)
        d = *desc;
    else
        memset(&d, 0, sizeof d);
    if (!d.min_samples) d.min_samples = 10;
    if (!d.max_samples) d.max_samples = d.min_samples > 100 ? d.min_samples : 100;
    if (!d.block) d.block = 4;
    if (d.min_samples < 2 || d.max_samples < d.min_samples || !(d.rel_tol >= 0) || !llp__isfinite(d.rel_tol) ||
        ((int)d.probe != LLP_PROBE_RADEMACHER && (int)d.probe != LLP_PROBE_GAUSSIAN)) {
        llp__curv_free(&c);
        return LLP_ERR_ARG;
    }
    if (d.block > d.max_samples) d.block = d.max_samples;
    Z = d.block < ((size_t)-1) / 4 ? llp__alloc_reals(llp__mul(2 * d.block, n)) : NULL;
    if (!Z) {
        LLP_FREE(Z);
        llp__curv_free(&c);
        return LLP_ERR_NOMEM;
    }
    HZ = Z + d.block * n;
    memset(&t, 0, sizeof t);
    while (cnt < d.max_samples) {
        size_t kb = d.max_samples - cnt < d.block ? d.max_samples - cnt : d.block;
        for (j = 0; j < kb; j++) llp__fill_probe(rng, d.probe, Z + j * n, n);
        r = llp__curv_block(&c, Z, kb, HZ);
        if (r != LLP_OK) break;
        for (j = 0; j < kb; j++) llp__welford(llp_dot(Z + j * n, HZ + j * n, n), &cnt, &mean, &m2);
        if (cnt >= d.min_samples && d.rel_tol > 0 &&
            sqrt(m2 / (double)(cnt - 1) / (double)cnt) <= d.rel_tol * fabs(mean))
            break;
    }
    LLP_FREE(Z);
    t.trace = mean;
    t.std_error = cnt > 1 ? sqrt(m2 / (double)(cnt - 1) / (double)cnt) : 0;
    t.samples = cnt;
    t.evals = c.ev;
    memcpy(t.batch, c.text, sizeof t.batch);
    llp__curv_free(&c);
    if (r != LLP_OK) return r;
    *res = t;
    return LLP_OK;
}

LLPDEF llp_result llp_hutchpp(const llp_objective *f, const llp_real *theta, const llp_batch_policy *bp,
                              const llp_hutchpp_desc *desc, llp_rng *rng, llp_trace_result *res) {
    llp_hutchpp_desc d;
    llp__curv c;
    llp_trace_result t;
    llp_real *Y = NULL, *B1, *B2;
    size_t n, s, p, j, i, rank = 0, cnt = 0, done, maxblk;
    double mean = 0, m2 = 0, t1 = 0, ymax = 0;
    llp_result r;
    if (!res || !rng) return LLP_ERR_ARG;
    r = llp__curv_init(&c, f, theta, bp);
    if (r != LLP_OK) {
        llp__curv_free(&c);
        return r;
    }
    n = c.n;
    if (desc)
        d = *desc;
    else
        memset(&d, 0, sizeof d);
    if (!d.matvecs) d.matvecs = 60;
    if (!d.block) d.block = 4;
    if (d.matvecs < 6) {
        llp__curv_free(&c);
        return LLP_ERR_ARG;
    }
    s = d.matvecs / 3;
    p = d.matvecs - 2 * s;
    maxblk = d.block > s ? s : d.block;
    if (maxblk > p) maxblk = p;
    if (maxblk < 1) maxblk = 1;
    Y = llp__alloc_reals(llp__mul(s + 2 * maxblk, n));
    if (!Y) {
        llp__curv_free(&c);
        return LLP_ERR_NOMEM;
    }
    B1 = Y + s * n;
    B2 = B1 + maxblk * n;
    memset(&t, 0, sizeof t);
    /* Y = H S */
    for (done = 0; done < s && r == LLP_OK; done += maxblk) {
        size_t kb = s - done < maxblk ? s - done : maxblk;
        for (j = 0; j < kb; j++) llp_rng_fill_rademacher(rng, B1 + j * n, n);
        r = llp__curv_block(&c, B1, kb, Y + done * n);
    }
    /* Q = orth(Y): Gram–Schmidt twice, dropping columns that vanish */
    if (r == LLP_OK) {
        double drop;
        for (j = 0; j < s; j++) {
            double nj = llp_nrm2(Y + j * n, n);
            if (nj > ymax) ymax = nj;
        }
        drop = 1e3 * llp__real_eps() * ymax;
        for (j = 0; j < s; j++) {
            llp_real *y = Y + j * n;
            double ny;
            if (rank != j) llp_copy(y, Y + rank * n, n);
            y = Y + rank * n;
            llp__orth_against(Y, rank, y, n);
            ny = llp_nrm2(y, n);
            if (ny > drop && ny > 0) {
                llp_scale((llp_real)(1.0 / ny), y, n);
                rank++;
            }
        }
    }
    /* tr(Q^T H Q) */
    for (done = 0; done < rank && r == LLP_OK; done += maxblk) {
        size_t kb = rank - done < maxblk ? rank - done : maxblk;
        r = llp__curv_block(&c, Y + done * n, kb, B2);
        if (r == LLP_OK)
            for (j = 0; j < kb; j++) t1 += llp_dot(Y + (done + j) * n, B2 + j * n, n);
    }
    /* Hutchinson on (I - QQ^T) H (I - QQ^T) */
    for (done = 0; done < p && r == LLP_OK; done += maxblk) {
        size_t kb = p - done < maxblk ? p - done : maxblk;
        for (j = 0; j < kb; j++) {
            llp_real *g = B1 + j * n;
            llp_rng_fill_rademacher(rng, g, n);
            for (i = 0; i < rank; i++) llp_axpy((llp_real)-llp_dot(Y + i * n, g, n), Y + i * n, g, n);
        }
        r = llp__curv_block(&c, B1, kb, B2);
        if (r == LLP_OK)
            for (j = 0; j < kb; j++) llp__welford(llp_dot(B1 + j * n, B2 + j * n, n), &cnt, &mean, &m2);
    }
    LLP_FREE(Y);
    t.trace = t1 + mean;
    t.std_error = cnt > 1 ? sqrt(m2 / (double)(cnt - 1) / (double)cnt) : 0;
    t.samples = cnt;
    t.sketch = rank;
    t.evals = c.ev;
    memcpy(t.batch, c.text, sizeof t.batch);
    llp__curv_free(&c);
    if (r != LLP_OK) return r;
    *res = t;
    return LLP_OK;
}

/* ---- stochastic Lanczos quadrature ----------------------------------------- */

LLPDEF void llp_slq_free(llp_slq_result *res) {
    if (!res) return;
    LLP_FREE(res->nodes);
    memset(res, 0, sizeof *res);
}

LLPDEF llp_result llp_slq(const llp_objective *f, const llp_real *theta, const llp_batch_policy *bp,
                          const llp_slq_desc *desc, llp_rng *rng, llp_slq_result *res) {
    llp_slq_desc d;
    llp__curv c;
    llp_slq_result t;
    llp_real *Q = NULL;
    double *sm = NULL, *alpha, *beta, *th, *e, *z, tnorm, bnext = 0;
    size_t n, m, run, j, i, total;
    llp_result r;
    if (!res || !rng) return LLP_ERR_ARG;
    r = llp__curv_init(&c, f, theta, bp);
    if (r != LLP_OK) {
        llp__curv_free(&c);
        return r;
    }
    n = c.n;
    if (desc)
        d = *desc;
    else
        memset(&d, 0, sizeof d);
    if (!d.runs) d.runs = 10;
    m = d.steps ? d.steps : 50;
    if (m > n) m = n;
    if ((int)d.probe != LLP_PROBE_RADEMACHER && (int)d.probe != LLP_PROBE_GAUSSIAN) {
        llp__curv_free(&c);
        return LLP_ERR_ARG;
    }
    memset(&t, 0, sizeof t);
    total = llp__mul(d.runs, m);
    if (total > ((size_t)-1) / 16) total = 0;
    Q = llp__alloc_reals(llp__mul(m + 1, n));
    sm = llp__alloc_doubles(5 * m + 2);
    t.nodes = total ? llp__alloc_doubles(2 * total) : NULL;
    if (!Q || !sm || !t.nodes) {
        LLP_FREE(Q);
        LLP_FREE(sm);
        LLP_FREE(t.nodes);
        llp__curv_free(&c);
        return LLP_ERR_NOMEM;
    }
    t.weights = t.nodes + total;
    t.n = n;
    t.runs = d.runs;
    t.steps = m;
    alpha = sm;
    beta = alpha + m + 1;
    th = beta + m + 1;
    e = th + m;
    z = e + m;
    for (run = 0; run < d.runs && r == LLP_OK; run++) {
        size_t steps = 0;
        double nv;
        llp__fill_probe(rng, d.probe, Q, n);
        nv = llp_nrm2(Q, n);
        if (!(nv > 0)) { /* a Gaussian draw of all zeros: not in this universe */
            r = LLP_ERR_NONFINITE;
            break;
        }
        llp_scale((llp_real)(1.0 / nv), Q, n);
        beta[0] = 0;
        tnorm = 0;
        for (j = 0; j < m; j++) {
            double bj = j ? beta[j] : 0, rowsum;
            r = llp__lanczos_step(&c, Q, j, bj, &alpha[j], &bnext);
            if (r != LLP_OK) break;
            steps = j + 1;
            rowsum = fabs(alpha[j]) + fabs(bj) + bnext;
            if (rowsum > tnorm) tnorm = rowsum;
            if (steps == m) break;
            /* an invariant subspace: the quadrature is exact for this start */
            if (bnext <= 100.0 * llp__real_eps() * sqrt((double)n) * tnorm) break;
            llp_scale((llp_real)(1.0 / bnext), Q + (j + 1) * n, n);
            beta[j + 1] = bnext;
        }
        if (r != LLP_OK) break;
        if (llp__ritz(alpha, beta, steps, th, e, z, 1, 0) != 0) {
            r = LLP_ERR_DIVERGED;
            break;
        }
        for (i = 0; i < steps; i++) {
            t.nodes[t.n_nodes] = th[i];
            t.weights[t.n_nodes] = z[i] * z[i] / (double)d.runs;
            t.n_nodes++;
        }
    }
    t.evals = c.ev;
    memcpy(t.batch, c.text, sizeof t.batch);
    LLP_FREE(Q);
    LLP_FREE(sm);
    llp__curv_free(&c);
    if (r != LLP_OK) {
        llp_slq_free(&t);
        return r;
    }
    *res = t;
    return LLP_OK;
}

LLPDEF void llp_density_free(llp_density *dens) {
    if (!dens) return;
    LLP_FREE(dens->x);
    memset(dens, 0, sizeof *dens);
}

LLPDEF llp_result llp_slq_density(const llp_slq_result *s, const llp_density_desc *desc, llp_density *out) {
    llp_density_desc d;
    llp_density t;
    double lo = HUGE_VAL, hi = -HUGE_VAL, amax = 0, mass = 0, h, norm;
    size_t i, j;
    if (!s || !out || !s->n_nodes || !s->nodes || !s->weights) return LLP_ERR_ARG;
    if (desc)
        d = *desc;
    else
        memset(&d, 0, sizeof d);
    for (j = 0; j < s->n_nodes; j++) {
        double x = s->nodes[j];
        if (!llp__isfinite(x) || !llp__isfinite(s->weights[j])) return LLP_ERR_NONFINITE;
        if (x < lo) lo = x;
        if (x > hi) hi = x;
        if (fabs(x) > amax) amax = fabs(x);
    }
    if (d.sigma == 0) {
        double sc = hi - lo > amax ? hi - lo : amax;
        d.sigma = sc > 0 ? 0.01 * sc : 1.0;
    }
    if (!d.points) d.points = 1000;
    if (d.lo == 0 && d.hi == 0) {
        d.lo = lo - 5 * d.sigma;
        d.hi = hi + 5 * d.sigma;
    }
    if (!(d.sigma > 0) || !llp__isfinite(d.sigma) || d.points < 2 || !(d.hi > d.lo) || !llp__isfinite(d.hi - d.lo))
        return LLP_ERR_ARG;
    memset(&t, 0, sizeof t);
    t.x = llp__alloc_doubles(llp__mul(2, d.points));
    if (!t.x) return LLP_ERR_NOMEM;
    t.y = t.x + d.points;
    t.points = d.points;
    t.sigma = d.sigma;
    h = (d.hi - d.lo) / (double)(d.points - 1);
    norm = 1.0 / (d.sigma * sqrt(2.0 * LLP__PI));
    for (i = 0; i < d.points; i++) {
        double x = i + 1 == d.points ? d.hi : d.lo + h * (double)i, y = 0;
        for (j = 0; j < s->n_nodes; j++) {
            double u = (x - s->nodes[j]) / d.sigma;
            if (u * u < 1400) y += s->weights[j] * exp(-0.5 * u * u);
        }
        t.x[i] = x;
        t.y[i] = y * norm;
    }
    for (i = 0; i + 1 < d.points; i++) mass += 0.5 * (t.y[i] + t.y[i + 1]) * (t.x[i + 1] - t.x[i]);
    if (!(mass > 0) || !llp__isfinite(mass)) {
        llp_density_free(&t);
        return LLP_ERR_ARG;
    }
    for (i = 0; i < d.points; i++) t.y[i] /= mass;
    t.mass = mass;
    t.n = s->n;
    t.runs = s->runs;
    t.steps = s->steps;
    memcpy(t.batch, s->batch, sizeof t.batch);
    t.batch[sizeof t.batch - 1] = 0;
    *out = t;
    return LLP_OK;
}

LLPDEF llp_result llp_density_write(const llp_density *dens, const char *path, const char *header,
                                    llp_error *err) {
    static const char *const cols[2] = {"lambda", "density"};
    char *hdr;
    double *data;
    size_t hl = header ? strlen(header) : 0, cap, len, i;
    llp_result r;
    llp__clear_error(err);
    if (!dens || !path || !dens->x || dens->points < 2)
        return llp__fail(err, LLP_ERR_ARG, path, 0, 0, "bad density arguments");
    cap = hl + 640;
    hdr = (char *)LLP_MALLOC(cap);
    data = llp__alloc_doubles(llp__mul(2, dens->points));
    if (!hdr || !data) {
        LLP_FREE(hdr);
        LLP_FREE(data);
        return llp__fail(err, LLP_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    len = 0;
    if (hl) {
        memcpy(hdr, header, hl);
        len = hl;
        if (hdr[len - 1] != '\n') hdr[len++] = '\n';
    }
    snprintf(hdr + len, cap - len,
             "spectral density of the Hessian by stochastic Lanczos quadrature: %lu runs x %lu steps, n = %lu\n"
             "Gaussian broadening: sigma = %.6g (standard deviation of the kernel, not a variance)\n"
             "normalised to unit trapezoidal integral on the grid; mass before normalisation %.6g\n"
             "%s",
             (unsigned long)dens->runs, (unsigned long)dens->steps, (unsigned long)dens->n, dens->sigma, dens->mass,
             dens->batch);
    for (i = 0; i < dens->points; i++) {
        data[2 * i] = dens->x[i];
        data[2 * i + 1] = dens->y[i];
    }
    r = llp_write_table(path, hdr, cols, data, dens->points, 2, 0, 0, err);
    LLP_FREE(hdr);
    LLP_FREE(data);
    return r;
}

/* ---- the full Hessian ------------------------------------------------------ */

LLPDEF void llp_hessian_free(llp_hessian *h) {
    if (!h) return;
    LLP_FREE(h->h);
    memset(h, 0, sizeof *h);
}

LLPDEF llp_result llp_hessian_full(const llp_objective *f, const llp_real *theta, const llp_batch_policy *bp,
                                   size_t block, llp_hessian *out) {
    llp__curv c;
    llp_hessian t;
    llp_real *E = NULL, *HE;
    size_t n, j0, j, i;
    double amax = 0, fd = 0, fs = 0;
    llp_result r;
    if (!out) return LLP_ERR_ARG;
    r = llp__curv_init(&c, f, theta, bp);
    if (r != LLP_OK) {
        llp__curv_free(&c);
        return r;
    }
    n = c.n;
    if (!block) block = 8;
    if (block > n) block = n;
    memset(&t, 0, sizeof t);
    t.n = n;
    t.h = llp__alloc_doubles(llp__mul(n, n));
    E = llp__alloc_reals(llp__mul(2 * block, n));
    if (!t.h || !E) {
        LLP_FREE(t.h);
        LLP_FREE(E);
        llp__curv_free(&c);
        return LLP_ERR_NOMEM;
    }
    HE = E + block * n;
    llp_fill(0, E, block * n);
    for (j0 = 0; j0 < n && r == LLP_OK; j0 += block) {
        size_t kb = n - j0 < block ? n - j0 : block;
        for (j = 0; j < kb; j++) E[j * n + j0 + j] = 1;
        r = llp__curv_block(&c, E, kb, HE);
        for (j = 0; j < kb; j++) E[j * n + j0 + j] = 0;
        if (r == LLP_OK)
            for (j = 0; j < kb; j++)
                for (i = 0; i < n; i++) t.h[i * n + j0 + j] = HE[j * n + i];
    }
    LLP_FREE(E);
    if (r == LLP_OK) {
        for (i = 0; i < n; i++)
            for (j = 0; j < i; j++) {
                double a = t.h[i * n + j], b = t.h[j * n + i], df = fabs(a - b);
                if (df > amax) amax = df;
                fd += 2 * df * df;
                fs += 2 * (a + b) * (a + b);
                t.h[i * n + j] = t.h[j * n + i] = 0.5 * (a + b);
            }
        for (i = 0; i < n; i++) fs += 4 * t.h[i * n + i] * t.h[i * n + i];
        t.asym_max = amax;
        t.asym_rel = fs > 0 ? sqrt(fd / fs) : 0;
    }
    t.evals = c.ev;
    memcpy(t.batch, c.text, sizeof t.batch);
    llp__curv_free(&c);
    if (r != LLP_OK) {
        llp_hessian_free(&t);
        return r;
    }
    *out = t;
    return LLP_OK;
}

/* ---- derived numbers ------------------------------------------------------- */

LLPDEF const char *llp_critical_name(llp_critical_kind k) {
    switch (k) {
    case LLP_CRITICAL_DEGENERATE: return "degenerate";
    case LLP_CRITICAL_MINIMUM: return "minimum";
    case LLP_CRITICAL_MAXIMUM: return "maximum";
    case LLP_CRITICAL_SADDLE: return "saddle";
    }
    return "unknown";
}

/* Heap sort of (v, w) pairs by v, ascending. */
static void llp__sift(double *v, double *w, size_t root, size_t end) {
    for (;;) {
        size_t ch = 2 * root + 1;
        double tv, tw;
        if (ch >= end) return;
        if (ch + 1 < end && v[ch + 1] > v[ch]) ch++;
        if (!(v[ch] > v[root])) return;
        tv = v[root];
        v[root] = v[ch];
        v[ch] = tv;
        tw = w[root];
        w[root] = w[ch];
        w[ch] = tw;
        root = ch;
    }
}

static void llp__sort_pairs(double *v, double *w, size_t n) {
    size_t i;
    for (i = n / 2; i-- > 0;) llp__sift(v, w, i, n);
    for (i = n; i-- > 1;) {
        double tv = v[0], tw = w[0];
        v[0] = v[i];
        v[i] = tv;
        w[0] = w[i];
        w[i] = tw;
        llp__sift(v, w, 0, i);
    }
}

LLPDEF llp_result llp_hessian_stats(const double *values, const double *weights, size_t count, size_t n, size_t k,
                                    double rel_tol, llp_spectrum_stats *st) {
    llp_spectrum_stats t;
    double *v, *w, amax = 0, tol, wsum = 0, cum, pmin = HUGE_VAL, pmax = -HUGE_VAL;
    size_t i, nneg = 0, npos = 0;
    if (!values || !st || count == 0 || n == 0 || k > n || !(rel_tol >= 0) || !llp__isfinite(rel_tol))
        return LLP_ERR_ARG;
    if (!weights && n != count) return LLP_ERR_ARG;
    for (i = 0; i < count; i++) {
        if (!llp__isfinite(values[i]) || (weights && !llp__isfinite(weights[i]))) return LLP_ERR_NONFINITE;
        if (weights && weights[i] < 0) return LLP_ERR_ARG;
    }
    if (rel_tol == 0) rel_tol = 1e-6;
    v = llp__alloc_doubles(llp__mul(2, count));
    if (!v) return LLP_ERR_NOMEM;
    w = v + count;
    for (i = 0; i < count; i++) {
        v[i] = values[i];
        w[i] = weights ? weights[i] : 1.0 / (double)count;
        wsum += w[i];
        if (fabs(v[i]) > amax) amax = fabs(v[i]);
    }
    if (!(wsum > 0)) {
        LLP_FREE(v);
        return LLP_ERR_ARG;
    }
    llp__sort_pairs(v, w, count);
    memset(&t, 0, sizeof t);
    tol = rel_tol * amax;
    t.tol = tol;
    t.lambda_min = v[0];
    t.lambda_max = v[count - 1];
    for (i = 0; i < count; i++) {
        double wi = w[i] / wsum;
        if (weights)
            t.trace += (double)n * wi * v[i];
        else
            t.trace += v[i];
        if (v[i] < -tol) {
            t.neg_ratio += wi;
            nneg++;
        } else if (v[i] > tol) {
            t.pos_ratio += wi;
            npos++;
            if (v[i] < pmin) pmin = v[i];
            if (v[i] > pmax) pmax = v[i];
        } else {
            t.zero_ratio += wi;
        }
    }
    if (!weights) { /* exact fractions for a full spectrum */
        t.neg_ratio = (double)nneg / (double)count;
        t.pos_ratio = (double)npos / (double)count;
        t.zero_ratio = (double)(count - nneg - npos) / (double)count;
    }
    t.cond_pos = npos ? pmax / pmin : NAN;
    t.lambda_k = NAN;
    t.cond_k = NAN;
    if (k > 0) {
        cum = 0;
        for (i = count; i-- > 0;) {
            cum += weights ? (double)n * w[i] / wsum : 1.0;
            if (cum >= (double)k * (1 - 1e-9) || i == 0) {
                t.lambda_k = v[i];
                break;
            }
        }
        t.cond_k = t.lambda_k > tol ? t.lambda_max / t.lambda_k : HUGE_VAL;
    }
    t.cond_mean = t.trace > 0 ? t.lambda_max / (t.trace / (double)n) : NAN;
    if (nneg && npos)
        t.kind = LLP_CRITICAL_SADDLE;
    else if (npos == count)
        t.kind = LLP_CRITICAL_MINIMUM;
    else if (nneg == count)
        t.kind = LLP_CRITICAL_MAXIMUM;
    else
        t.kind = LLP_CRITICAL_DEGENERATE;
    LLP_FREE(v);
    *st = t;
    return LLP_OK;
}

LLPDEF llp_result llp_slq_stats(const llp_slq_result *s, size_t k, double rel_tol, llp_spectrum_stats *st) {
    if (!s || !s->n_nodes) return LLP_ERR_ARG;
    return llp_hessian_stats(s->nodes, s->weights, s->n_nodes, s->n, k, rel_tol, st);
}

/* ---- restricted objective ---------------------------------------------------- */

static llp_result llp__restr_loss_grad(void *ctx, const llp_real *u, const llp_batch *batch, llp_real *loss,
                                       llp_real *grad) {
    llp_restricted *r = (llp_restricted *)ctx;
    llp_result res;
    llp_copy(u, r->full + r->off, r->len);
    res = r->parent.loss_grad(r->parent.ctx, r->full, batch, loss, grad ? r->out : NULL);
    if (res == LLP_OK && grad) llp_copy(r->out + r->off, grad, r->len);
    return res;
}

static llp_result llp__restr_products(llp_restricted *r, const llp_real *u, const llp_real *V, size_t k,
                                      const llp_batch *batch, llp_real *HV, int gn) {
    size_t n = r->parent.n, done, j;
    llp_result res = LLP_OK;
    llp_copy(u, r->full + r->off, r->len);
    for (done = 0; done < k && res == LLP_OK; done += r->block) {
        size_t kb = k - done < r->block ? k - done : r->block;
        for (j = 0; j < kb; j++) llp_copy(V + (done + j) * r->len, r->vpad + j * n + r->off, r->len);
        if (gn) {
            for (j = 0; j < kb && res == LLP_OK; j++)
                res = r->parent.gnvp(r->parent.ctx, r->full, r->vpad + j * n, batch, r->out + j * n);
        } else if (kb == 1) {
            res = llp_objective_hvp(&r->parent, r->full, r->vpad, batch, r->out);
        } else {
            res = llp_objective_hvp_block(&r->parent, r->full, r->vpad, kb, batch, r->out);
        }
        if (res == LLP_OK)
            for (j = 0; j < kb; j++) llp_copy(r->out + j * n + r->off, HV + (done + j) * r->len, r->len);
    }
    return res;
}

static llp_result llp__restr_hvp(void *ctx, const llp_real *u, const llp_real *v, const llp_batch *batch,
                                 llp_real *hv) {
    return llp__restr_products((llp_restricted *)ctx, u, v, 1, batch, hv, 0);
}

static llp_result llp__restr_hvp_block(void *ctx, const llp_real *u, const llp_real *V, size_t k,
                                       const llp_batch *batch, llp_real *HV) {
    return llp__restr_products((llp_restricted *)ctx, u, V, k, batch, HV, 0);
}

static llp_result llp__restr_gnvp(void *ctx, const llp_real *u, const llp_real *v, const llp_batch *batch,
                                  llp_real *gv) {
    return llp__restr_products((llp_restricted *)ctx, u, v, 1, batch, gv, 1);
}

static llp_result llp__restr_accuracy(void *ctx, const llp_real *u, const llp_batch *batch, double *acc) {
    llp_restricted *r = (llp_restricted *)ctx;
    llp_copy(u, r->full + r->off, r->len);
    return r->parent.accuracy(r->parent.ctx, r->full, batch, acc);
}

LLPDEF size_t llp_objective_restrict_work_size(size_t n, size_t block) {
    size_t b;
    if (!block) block = 4;
    if (block > ((size_t)-1 - 1) / 2) return 0;
    b = 1 + 2 * block;
    return llp__mul(n, b);
}

LLPDEF llp_result llp_objective_restrict(llp_restricted *r, const llp_objective *parent, const llp_real *theta,
                                         size_t off, size_t len, size_t block, llp_real *work, size_t work_len,
                                         llp_objective *out) {
    llp_restricted t;
    llp_objective o;
    size_t n, need;
    if (!r || !parent || !parent->loss_grad || !theta || !work || !out || len == 0) return LLP_ERR_ARG;
    n = parent->n;
    if (off > n || len > n - off) return LLP_ERR_ARG;
    if (!block) block = 4;
    need = llp_objective_restrict_work_size(n, block);
    if (!need || work_len < need) return LLP_ERR_ARG;
    memset(&t, 0, sizeof t);
    t.parent = *parent;
    t.off = off;
    t.len = len;
    t.block = block;
    t.full = work;
    t.vpad = work + n;
    t.out = t.vpad + block * n;
    llp_copy(theta, t.full, n);
    llp_fill(0, t.vpad, block * n);
    memset(&o, 0, sizeof o);
    o.n = len;
    o.n_samples = parent->n_samples;
    o.loss_grad = llp__restr_loss_grad;
    o.hvp = llp__restr_hvp;
    o.hvp_block = llp__restr_hvp_block;
    o.gnvp = parent->gnvp ? llp__restr_gnvp : NULL;
    o.accuracy = parent->accuracy ? llp__restr_accuracy : NULL;
    o.ctx = r;
    o.name = "restricted";
    *r = t;
    *out = o;
    return LLP_OK;
}

LLPDEF llp_result llp_mlp_layer_range(const llp_mlp *m, int layer, size_t *off, size_t *len) {
    size_t in, outn;
    if (!m || !off || !len || layer < 0 || layer >= m->n_layers) return LLP_ERR_ARG;
    in = (size_t)m->sizes[layer];
    outn = (size_t)m->sizes[layer + 1];
    if (m->b_off[layer] != m->w_off[layer] + in * outn) return LLP_ERR_ARG;
    *off = m->w_off[layer];
    *len = in * outn + outn;
    return LLP_OK;
}

/* ---- gradient-difference probe ------------------------------------------------ */

LLPDEF llp_result llp_hessian_probe(const llp_objective *f, const llp_real *theta, const llp_batch_policy *bp,
                                    const llp_probe_desc *desc, llp_rng *rng, llp_probe_result *res) {
    llp_probe_desc d;
    llp__curv c;
    llp_probe_result t;
    llp_real *g0 = NULL, *g1, *dir, *xp;
    const llp_batch *b = NULL;
    size_t n, p, i, cnt = 0;
    double mean = 0, m2 = 0, sq = 0, pd = 0, dx = 0, hx = 0, h;
    llp_result r;
    if (!res) return LLP_ERR_ARG;
    r = llp__curv_init(&c, f, theta, bp);
    if (r != LLP_OK) {
        llp__curv_free(&c);
        return r;
    }
    n = c.n;
    if (desc)
        d = *desc;
    else
        memset(&d, 0, sizeof d);
    if (!d.probes) d.probes = d.dir == LLP_DIRECTION_RANDOM ? 10 : 1;
    h = d.step != 0 ? d.step : sqrt(llp__real_eps()) * (1.0 + llp_nrm2(theta, n));
    if (((int)d.dir < 0 || (int)d.dir > (int)LLP_DIRECTION_GIVEN) || !(h > 0) || !llp__isfinite(h) ||
        (d.dir == LLP_DIRECTION_RANDOM && !rng) ||
        (d.dir == LLP_DIRECTION_GIVEN && (!d.d || !(llp_nrm2(d.d, n) > 0) || !llp__isfinite(llp_nrm2(d.d, n))))) {
        llp__curv_free(&c);
        return LLP_ERR_ARG;
    }
    g0 = llp__alloc_reals(llp__mul(4, n));
    if (!g0) {
        llp__curv_free(&c);
        return LLP_ERR_NOMEM;
    }
    g1 = g0 + n;
    dir = g1 + n;
    xp = dir + n;
    memset(&t, 0, sizeof t);
    if (c.kind != LLP_BATCH_POLICY_FRESH) {
        b = llp__curv_batch(&c);
        r = llp__curv_grad(&c, theta, b, g0);
    }
    for (p = 0; p < d.probes && r == LLP_OK; p++) {
        double nd, s2 = 0, proj = 0, gd;
        if (c.kind == LLP_BATCH_POLICY_FRESH) {
            b = llp__curv_batch(&c);
            r = llp__curv_grad(&c, theta, b, g0);
            if (r != LLP_OK) break;
        }
        if (d.dir == LLP_DIRECTION_RANDOM)
            llp_rng_fill_normal(rng, dir, n);
        else if (d.dir == LLP_DIRECTION_GRADIENT)
            llp_copy(g0, dir, n);
        else
            llp_copy(d.d, dir, n);
        nd = llp_nrm2(dir, n);
        if (!(nd > 0)) { /* a zero gradient has no direction */
            r = LLP_ERR_ARG;
            break;
        }
        llp_scale((llp_real)(1.0 / nd), dir, n);
        for (i = 0; i < n; i++) xp[i] = (llp_real)(theta[i] + h * dir[i]);
        r = llp__curv_grad(&c, xp, b, g1);
        if (r != LLP_OK) break;
        for (i = 0; i < n; i++) {
            double q = ((double)g1[i] - g0[i]) / h;
            s2 += q * q;
            proj += q * dir[i];
        }
        gd = sqrt(s2);
        llp__welford(gd, &cnt, &mean, &m2);
        sq += s2;
        pd += proj;
        if (d.exact) {
            r = llp__curv_hvp_on(&c, b, dir, xp);
            if (r != LLP_OK) break;
            dx += llp_dot(dir, xp, n);
            hx += llp_nrm2(xp, n);
        }
    }
    LLP_FREE(g0);
    if (r == LLP_OK) {
        double np = (double)d.probes;
        t.gdiff = mean;
        t.gdiff_rms = sqrt(sq / np);
        t.gdiff_se = cnt > 1 ? sqrt(m2 / (double)(cnt - 1) / (double)cnt) : 0;
        t.dir_fd = pd / np;
        t.dir_exact = d.exact ? dx / np : NAN;
        t.hd_exact = d.exact ? hx / np : NAN;
        t.step = h;
        t.probes = d.probes;
    }
    t.evals = c.ev;
    memcpy(t.batch, c.text, sizeof t.batch);
    llp__curv_free(&c);
    if (r != LLP_OK) return r;
    *res = t;
    return LLP_OK;
}

/* ---- 11.10b directions ---- */

/* Rescale x (cnt values) to norm `target` (0 when x or target is 0). */
static void llp__rescale(llp_real *x, size_t cnt, double target) {
    double nx = llp_nrm2(x, cnt);
    if (nx > 0 && target > 0) llp_scale((llp_real)(target / nx), x, cnt);
    else llp_fill(0, x, cnt);
}

LLPDEF llp_result llp_direction_normalize(const llp_mlp *m, const llp_real *theta, size_t n, llp_dir_norm norm,
                                          llp_dir_bias bias, llp_real *d) {
    int l;
    if (!theta || !d || (unsigned)norm > (unsigned)LLP_DIR_NORM_NONE || (unsigned)bias > (unsigned)LLP_DIR_BIAS_NORMALIZE)
        return LLP_ERR_ARG;
    if (norm == LLP_DIR_NORM_FILTER || norm == LLP_DIR_NORM_LAYER) {
        if (!m || n != m->n_params) return LLP_ERR_ARG;
    } else if (m && n != m->n_params) {
        return LLP_ERR_SHAPE;
    }
    if (n == 0) return LLP_ERR_ARG;
    switch (norm) {
    case LLP_DIR_NORM_MODEL: llp__rescale(d, n, llp_nrm2(theta, n)); break;
    case LLP_DIR_NORM_NONE: break;
    default:
        for (l = 0; l < m->n_layers; l++) {
            size_t in = (size_t)m->sizes[l], out = (size_t)m->sizes[l + 1], r;
            llp_real *dw = d + m->w_off[l], *db = d + m->b_off[l];
            const llp_real *tw = theta + m->w_off[l], *tb = theta + m->b_off[l];
            if (norm == LLP_DIR_NORM_FILTER)
                for (r = 0; r < out; r++) llp__rescale(dw + r * in, in, llp_nrm2(tw + r * in, in));
            else
                llp__rescale(dw, in * out, llp_nrm2(tw, in * out));
            if (bias == LLP_DIR_BIAS_ZERO) llp_fill(0, db, out);
            else llp__rescale(db, out, llp_nrm2(tb, out));
        }
        break;
    }
    return LLP_OK;
}

LLPDEF llp_result llp_direction_random(const llp_mlp *m, const llp_real *theta, size_t n, llp_dir_dist dist,
                                       llp_dir_norm norm, llp_dir_bias bias, llp_rng *rng, llp_real *d) {
    if (!rng || !d || !theta || n == 0 || (unsigned)dist > (unsigned)LLP_DIR_RADEMACHER) return LLP_ERR_ARG;
    if ((norm == LLP_DIR_NORM_FILTER || norm == LLP_DIR_NORM_LAYER) && (!m || n != m->n_params)) return LLP_ERR_ARG;
    if ((unsigned)norm > (unsigned)LLP_DIR_NORM_NONE || (unsigned)bias > (unsigned)LLP_DIR_BIAS_NORMALIZE)
        return LLP_ERR_ARG;
    if (dist == LLP_DIR_GAUSSIAN) llp_rng_fill_normal(rng, d, n);
    else llp_rng_fill_rademacher(rng, d, n);
    return llp_direction_normalize(m, theta, n, norm, bias, d);
}

LLPDEF llp_result llp_direction_gradient(const llp_objective *f, const llp_real *theta, const llp_batch *batch,
                                         llp_real *d) {
    llp_real loss;
    double gn, tn;
    llp_result r;
    if (!f || !theta || !d) return LLP_ERR_ARG;
    r = llp_objective_loss_grad(f, theta, batch, &loss, d);
    if (r != LLP_OK) return r;
    if (!llp_all_finite(d, f->n)) return LLP_ERR_NONFINITE;
    gn = llp_nrm2(d, f->n);
    if (!(gn > 0)) return LLP_ERR_ARG;
    tn = llp_nrm2(theta, f->n);
    llp_scale((llp_real)(-(tn > 0 ? tn : 1) / gn), d, f->n);
    return LLP_OK;
}

LLPDEF llp_result llp_direction_orthogonalize(const llp_real *d1, llp_real *d2, size_t n, double *cos_before) {
    double n1, n2, c, dot;
    size_t i;
    if (!d1 || !d2 || n == 0) return LLP_ERR_ARG;
    n1 = llp_nrm2(d1, n);
    n2 = llp_nrm2(d2, n);
    if (!(n1 > 0) || !(n2 > 0)) return LLP_ERR_ARG;
    dot = llp_dot(d1, d2, n);
    c = dot / (n1 * n2);
    if (cos_before) *cos_before = c;
    if (fabs(c) > 1 - 1e-12) return LLP_ERR_ARG;
    for (i = 0; i < n; i++) d2[i] = (llp_real)(d2[i] - dot / (n1 * n1) * d1[i]);
    /* once more against d1 (rounding of the first pass), then the old norm */
    dot = llp_dot(d1, d2, n);
    for (i = 0; i < n; i++) d2[i] = (llp_real)(d2[i] - dot / (n1 * n1) * d1[i]);
    llp__rescale(d2, n, n2);
    return LLP_OK;
}

/* ---- 11.10c slices ---- */

LLPDEF void llp_slice_free(llp_slice *s) {
    if (!s) return;
    LLP_FREE(s->alpha);
    memset(s, 0, sizeof *s);
}

/* The grid: points evenly over [a, b], plus each of the `extra` values
   (ascending) that lies inside and is not already a grid point. */
static double *llp__slice_grid(double a, double b, size_t points, const double *extra, size_t n_extra, size_t *count) {
    double *g;
    size_t i, k = 0, e = 0;
    if (!llp__mul(points + n_extra, 5 * sizeof(double))) return NULL;
    g = (double *)LLP_MALLOC((points + n_extra) * 5 * sizeof(double));
    if (!g) return NULL;
    for (i = 0; i < points; i++) {
        double x = a + (b - a) * (double)i / (double)(points - 1);
        if (i == points - 1) x = b;
        while (e < n_extra && extra[e] < x) {
            if (extra[e] > a && (k == 0 || extra[e] > g[k - 1])) g[k++] = extra[e];
            e++;
        }
        if (e < n_extra && extra[e] == x) e++;
        g[k++] = x;
    }
    *count = k;
    return g;
}

/* Evaluate the points of s at theta(alpha) = base + alpha dir (interp: base
   = theta_a, point = (1 - t) theta_a + t theta_b). */
static llp_result llp__slice_eval(const llp_objective *train, const llp_objective *val, const llp_real *p0,
                                  const llp_real *p1, int interp, llp_slice *s) {
    size_t n = train->n, i, j;
    llp_real *x = (llp_real *)LLP_MALLOC(n * sizeof(llp_real));
    llp_result r = LLP_OK;
    if (!x) return LLP_ERR_NOMEM;
    for (i = 0; i < s->points && r == LLP_OK; i++) {
        double t = s->alpha[i];
        llp_real l;
        if (interp)
            for (j = 0; j < n; j++) x[j] = (llp_real)((1 - t) * p0[j] + t * p1[j]);
        else
            for (j = 0; j < n; j++) x[j] = (llp_real)(p0[j] + t * p1[j]);
        s->train_loss[i] = s->val_loss[i] = s->train_acc[i] = s->val_acc[i] = NAN;
        r = llp_objective_loss(train, x, NULL, &l);
        if (r != LLP_OK) break;
        s->train_loss[i] = l;
        s->evals++;
        if (train->accuracy && (r = train->accuracy(train->ctx, x, NULL, &s->train_acc[i])) != LLP_OK) break;
        if (val) {
            if ((r = llp_objective_loss(val, x, NULL, &l)) != LLP_OK) break;
            s->val_loss[i] = l;
            s->evals++;
            if (val->accuracy && (r = val->accuracy(val->ctx, x, NULL, &s->val_acc[i])) != LLP_OK) break;
        }
    }
    LLP_FREE(x);
    return r;
}

static llp_result llp__slice_setup(double a, double b, size_t points, const double *extra, size_t n_extra,
                                   llp_slice *t) {
    size_t k;
    double *g;
    memset(t, 0, sizeof *t);
    g = llp__slice_grid(a, b, points, extra, n_extra, &k);
    if (!g) return LLP_ERR_NOMEM;
    t->points = k;
    t->alpha = g;
    t->train_loss = g + k;
    t->val_loss = g + 2 * k;
    t->train_acc = g + 3 * k;
    t->val_acc = g + 4 * k;
    for (k = 0; k < t->points; k++)
        if (g[k] == 0) t->zero_index = k;
    return LLP_OK;
}

LLPDEF llp_result llp_slice_line(const llp_objective *train, const llp_objective *val, const llp_real *theta,
                                 const llp_real *d, double a, double b, size_t points, llp_slice *out) {
    static const double zero = 0;
    llp_slice t;
    llp_result r;
    if (!train || !theta || !d || !out || points < 2 || !(a < b) || !llp__isfinite(a) || !llp__isfinite(b))
        return LLP_ERR_ARG;
    if (val && val->n != train->n) return LLP_ERR_SHAPE;
    r = llp__slice_setup(a, b, points, &zero, 1, &t);
    if (r != LLP_OK) return r;
    r = llp__slice_eval(train, val, theta, d, 0, &t);
    if (r != LLP_OK) {
        llp_slice_free(&t);
        return r;
    }
    *out = t;
    return LLP_OK;
}

LLPDEF llp_result llp_slice_interpolate(const llp_objective *train, const llp_objective *val,
                                        const llp_real *theta_a, const llp_real *theta_b, double lo, double hi,
                                        size_t points, llp_slice *out, llp_barrier *barrier) {
    static const double ends[2] = {0, 1};
    llp_slice t;
    llp_barrier br;
    llp_result r;
    size_t i, i0 = 0, i1 = 0;
    if (!train || !theta_a || !theta_b || !out || points < 2 || !(lo <= 0) || !(hi >= 1) || !llp__isfinite(lo) ||
        !llp__isfinite(hi))
        return LLP_ERR_ARG;
    if (val && val->n != train->n) return LLP_ERR_SHAPE;
    r = llp__slice_setup(lo, hi, points, ends, 2, &t);
    if (r != LLP_OK) return r;
    r = llp__slice_eval(train, val, theta_a, theta_b, 1, &t);
    if (r != LLP_OK) {
        llp_slice_free(&t);
        return r;
    }
    for (i = 0; i < t.points; i++) {
        if (t.alpha[i] == 0) i0 = i;
        if (t.alpha[i] == 1) i1 = i;
    }
    br.loss_a = t.train_loss[i0];
    br.loss_b = t.train_loss[i1];
    br.barrier_mean = br.barrier_linear = -HUGE_VAL;
    br.t_mean = br.t_linear = 0;
    for (i = i0; i <= i1; i++) {
        double s = t.alpha[i], bm = t.train_loss[i] - 0.5 * (br.loss_a + br.loss_b);
        double bl = t.train_loss[i] - ((1 - s) * br.loss_a + s * br.loss_b);
        if (bm > br.barrier_mean) br.barrier_mean = bm, br.t_mean = s;
        if (bl > br.barrier_linear) br.barrier_linear = bl, br.t_linear = s;
    }
    if (barrier) *barrier = br;
    *out = t;
    return LLP_OK;
}

LLPDEF llp_result llp_slice_write(const llp_slice *s, const char *path, const char *header, int csv,
                                  llp_error *err) {
    static const char *const cols[] = {"alpha", "train_loss", "val_loss", "train_acc", "val_acc"};
    double *tab;
    size_t i;
    llp_result r;
    llp__clear_error(err);
    if (!s || !s->alpha || !s->points) return llp__fail(err, LLP_ERR_ARG, path, 0, 0, "no slice");
    tab = (double *)LLP_MALLOC(5 * s->points * sizeof(double));
    if (!tab) return llp__fail(err, LLP_ERR_NOMEM, path, 0, 0, "out of memory");
    for (i = 0; i < s->points; i++) {
        tab[5 * i] = s->alpha[i], tab[5 * i + 1] = s->train_loss[i], tab[5 * i + 2] = s->val_loss[i];
        tab[5 * i + 3] = s->train_acc[i], tab[5 * i + 4] = s->val_acc[i];
    }
    r = llp_write_table(path, header, cols, tab, s->points, 5, 0, csv, err);
    LLP_FREE(tab);
    return r;
}

/* ---- 11.10d Hessian and trajectory directions, planes ---- */

/* Flip v so that its largest-magnitude entry (the first of equals) is positive. */
static void llp__fix_sign(llp_real *v, size_t n) {
    size_t i, im = 0;
    double best = -1;
    for (i = 0; i < n; i++)
        if (fabs((double)v[i]) > best) best = fabs((double)v[i]), im = i;
    if (v[im] < 0) llp_scale(-1, v, n);
}

LLPDEF llp_result llp_direction_hessian(const llp_objective *f, const llp_real *theta, const llp_batch_policy *bp,
                                        size_t k_top, size_t k_bottom, size_t max_steps, double scale, llp_rng *rng,
                                        llp_real *dirs, double *lambda, double *resid, llp_evals *evals) {
    llp_lanczos_desc ld;
    llp_eig_result er;
    size_t k = k_top + k_bottom, i, n;
    double s;
    llp_result r;
    if (!f || !theta || !dirs || !rng || k == 0 || k < k_top || !(scale >= 0) || !llp__isfinite(scale))
        return LLP_ERR_ARG;
    n = f->n;
    memset(&ld, 0, sizeof ld);
    memset(&er, 0, sizeof er);
    ld.k_largest = k_top;
    ld.k_smallest = k_bottom;
    ld.max_steps = max_steps;
    ld.want_vectors = 1;
    r = llp_lanczos(f, theta, bp, &ld, rng, &er);
    if (r != LLP_OK) return r;
    s = scale > 0 ? scale : llp_nrm2(theta, n);
    if (!(s > 0)) s = 1;
    for (i = 0; i < k; i++) {
        llp_real *d = dirs + i * n;
        llp_copy(er.vectors + i * n, d, n);
        llp__rescale(d, n, s);
        llp__fix_sign(d, n);
        if (lambda) lambda[i] = er.values[i];
        if (resid) resid[i] = er.residuals[i];
    }
    if (evals) *evals = er.evals;
    llp_eig_result_free(&er);
    return LLP_OK;
}

LLPDEF void llp_pca_free(llp_pca *p) {
    if (!p) return;
    LLP_FREE(p->components);
    LLP_FREE(p->sv);
    memset(p, 0, sizeof *p);
}

LLPDEF llp_result llp_plane_project(const llp_real *origin, const llp_real *d1, const llp_real *d2, size_t n,
                                    const llp_real *points, size_t count, double *coords, double *dist) {
    double g11, g12, g22, det;
    size_t i, t;
    if (!origin || !d1 || !d2 || n == 0 || (count && (!points || !coords))) return LLP_ERR_ARG;
    g11 = llp_dot(d1, d1, n);
    g12 = llp_dot(d1, d2, n);
    g22 = llp_dot(d2, d2, n);
    det = g11 * g22 - g12 * g12;
    if (!(g11 > 0) || !(g22 > 0) || !(det > 2e-12 * g11 * g22)) return LLP_ERR_ARG;
    for (i = 0; i < count; i++) {
        const llp_real *p = points + i * n;
        double b1 = 0, b2 = 0, a, b, r2 = 0;
        for (t = 0; t < n; t++) {
            double x = (double)p[t] - (double)origin[t];
            b1 += (double)d1[t] * x;
            b2 += (double)d2[t] * x;
        }
        a = (g22 * b1 - g12 * b2) / det;
        b = (g11 * b2 - g12 * b1) / det;
        coords[2 * i] = a;
        coords[2 * i + 1] = b;
        if (dist) {
            for (t = 0; t < n; t++) {
                double e = (double)p[t] - (double)origin[t] - a * (double)d1[t] - b * (double)d2[t];
                r2 += e * e;
            }
            dist[i] = sqrt(r2);
        }
    }
    return LLP_OK;
}

LLPDEF llp_result llp_plane_from_points(const llp_real *p0, const llp_real *p1, const llp_real *p2, size_t n,
                                        llp_real *d1, llp_real *d2, double coords[6]) {
    double n1, ne, c, c2, n2;
    size_t i;
    if (!p0 || !p1 || !p2 || !d1 || !d2 || n == 0) return LLP_ERR_ARG;
    for (i = 0; i < n; i++) {
        d1[i] = (llp_real)((double)p1[i] - (double)p0[i]);
        d2[i] = (llp_real)((double)p2[i] - (double)p0[i]);
    }
    n1 = llp_nrm2(d1, n);
    ne = llp_nrm2(d2, n);
    if (!(n1 > 0) || !(ne > 0)) return LLP_ERR_ARG;
    c = llp_dot(d1, d2, n) / (n1 * n1);
    for (i = 0; i < n; i++) d2[i] = (llp_real)(d2[i] - c * d1[i]);
    c2 = llp_dot(d1, d2, n) / (n1 * n1); /* a second pass for the rounding of the first */
    for (i = 0; i < n; i++) d2[i] = (llp_real)(d2[i] - c2 * d1[i]);
    n2 = llp_nrm2(d2, n);
    /* sin of the angle between d1 and p2 - p0; the bound is llp_plane_project's |cos| <= 1 - 1e-12 */
    if (!(n2 > 1.4142135623730951e-6 * ne)) return LLP_ERR_ARG;
    llp_scale((llp_real)(n1 / n2), d2, n);
    if (coords) {
        coords[0] = coords[1] = coords[3] = 0;
        coords[2] = 1;
        coords[4] = c + c2;
        coords[5] = n2 / n1;
    }
    return LLP_OK;
}

LLPDEF llp_result llp_pca_trajectory(const llp_real *S, size_t T, size_t n, const llp_real *origin, int centre,
                                     size_t k, llp_pca *out) {
    llp_pca p;
    double *mu = NULL, *G = NULL, *w = NULL, *V = NULL, *c = NULL, total = 0, off2 = 0;
    const llp_real *anchor;
    size_t i, j, t, q, rank = 0;
    llp_result r = LLP_OK;
    if (!S || !out || T < 3 || n < 2) return LLP_ERR_ARG;
    if (k < 2) k = 2;
    if (k > T) k = T;
    if (k > n) k = n;
    if (!llp__mul(T, T) || !llp__mul(T * T, 2 * sizeof(double))) return LLP_ERR_NOMEM;
    memset(&p, 0, sizeof p);
    anchor = origin ? origin : S + (T - 1) * n;
    mu = (double *)LLP_MALLOC(n * sizeof(double));
    G = (double *)LLP_MALLOC(2 * T * T * sizeof(double) + 2 * T * sizeof(double));
    c = (double *)LLP_MALLOC(n * sizeof(double));
    if (!mu || !G || !c) {
        r = LLP_ERR_NOMEM;
        goto done;
    }
    V = G + T * T;
    w = V + T * T;
    /* the rows' reference point */
    for (t = 0; t < n; t++) {
        if (centre) {
            double s = 0;
            for (i = 0; i < T; i++) s += (double)S[i * n + t];
            mu[t] = s / (double)T;
        } else {
            mu[t] = (double)anchor[t];
        }
    }
    /* Gram matrix of the rows (lower triangle), accumulated in double */
    for (i = 0; i < T; i++)
        for (j = 0; j <= i; j++) {
            const llp_real *a = S + i * n, *b = S + j * n;
            double s = 0;
            for (t = 0; t < n; t++) s += ((double)a[t] - mu[t]) * ((double)b[t] - mu[t]);
            G[i * T + j] = G[j * T + i] = s;
        }
    for (i = 0; i < T; i++) total += G[i * T + i];
    if (!llp__isfinite(total)) {
        r = LLP_ERR_NONFINITE;
        goto done;
    }
    r = llp_sym_eig(G, T, w, V);
    if (r != LLP_OK) goto done;
    /* components clearly above the rounding of the Gram matrix (about eps ||M||^2
       absolute in each eigenvalue): s^2 > 1e-12 ||M||^2, which also keeps the
       right vectors M^T u / s accurate to about eps ||M|| / s <= 1e-10 */
    while (rank < T && w[T - 1 - rank] > 1e-12 * total) rank++;
    if (!(total > 0) || rank < 2) {
        r = LLP_ERR_ARG;
        goto done;
    }
    if (k > rank) k = rank;
    p.n = n;
    p.rows = T;
    p.k = k;
    p.total = total;
    p.components = (llp_real *)LLP_MALLOC(llp__mul(k, n) * sizeof(llp_real));
    p.sv = (double *)LLP_MALLOC((2 * k + 3 * T) * sizeof(double));
    if (!p.components || !p.sv) {
        r = LLP_ERR_NOMEM;
        goto done;
    }
    p.explained = p.sv + k;
    p.coords = p.explained + k;
    p.offplane = p.coords + 2 * T;
    for (q = 0; q < k; q++) {
        size_t col = T - 1 - q;
        double s = sqrt(w[col]), nc;
        llp_real *v = p.components + q * n;
        p.sv[q] = s;
        p.explained[q] = w[col] / total;
        for (t = 0; t < n; t++) c[t] = 0;
        for (i = 0; i < T; i++) {
            double u = V[i * T + col] / s;
            const llp_real *a = S + i * n;
            for (t = 0; t < n; t++) c[t] += u * ((double)a[t] - mu[t]);
        }
        /* against the earlier components, twice (rounding of M^T u / s) */
        for (j = 0; j < 2; j++)
            for (i = 0; i < q; i++) {
                const llp_real *e = p.components + i * n;
                double dot = 0;
                for (t = 0; t < n; t++) dot += c[t] * (double)e[t];
                for (t = 0; t < n; t++) c[t] -= dot * (double)e[t];
            }
        nc = 0;
        for (t = 0; t < n; t++) nc += c[t] * c[t];
        nc = sqrt(nc);
        for (t = 0; t < n; t++) v[t] = (llp_real)(c[t] / nc);
        llp__fix_sign(v, n);
    }
    /* off-plane part of the rows as used, measured directly (not as 1 - e0 - e1,
       which would lose everything below sqrt(eps)) */
    for (i = 0; i < T; i++) {
        const llp_real *a = S + i * n, *e0 = p.components, *e1 = p.components + n;
        double x0 = 0, x1 = 0;
        for (t = 0; t < n; t++) {
            double x = (double)a[t] - mu[t];
            x0 += x * (double)e0[t];
            x1 += x * (double)e1[t];
        }
        for (t = 0; t < n; t++) {
            double e = (double)a[t] - mu[t] - x0 * (double)e0[t] - x1 * (double)e1[t];
            off2 += e * e;
        }
    }
    p.residual = sqrt(off2 / total);
    r = llp_plane_project(anchor, p.components, p.components + n, n, S, T, p.coords, p.offplane);
done:
    LLP_FREE(mu);
    LLP_FREE(G);
    LLP_FREE(c);
    if (r != LLP_OK) {
        llp_pca_free(&p);
        return r;
    }
    *out = p;
    return LLP_OK;
}

/* ---- 11.10e 2-D surfaces ---- */

static uint64_t llp__fnv1a_more(uint64_t h, const unsigned char *p, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

LLPDEF void llp_surface_free(llp_surface *s) {
    if (!s) return;
    LLP_FREE(s->x);
    memset(s, 0, sizeof *s);
}

/* %.17g, every NaN as "nan" (printf may write "-nan"). */
static void llp__put_num(llp__buf *b, double v) {
    char s[48];
    int len;
    if (v != v) {
        llp__put(b, "nan", 3);
        return;
    }
    len = snprintf(s, sizeof s, "%.17g", v);
    llp__put(b, s, (size_t)len);
}

static const char *const llp__surf_cols[8] = {"x", "y", "train_loss", "val_loss", "train_acc", "val_acc",
                                              "lambda_max", "lambda_min"};

/* One line of point p: x y and the values, separated by sep. */
static void llp__surf_line(llp__buf *b, const llp_surface *s, size_t p, char sep) {
    const double *v[6];
    size_t c, nv = s->lambda_max ? 6 : 4;
    v[0] = s->train_loss, v[1] = s->val_loss, v[2] = s->train_acc, v[3] = s->val_acc;
    v[4] = s->lambda_max, v[5] = s->lambda_min;
    llp__put_num(b, s->x[p % s->nx]);
    llp__put(b, &sep, 1);
    llp__put_num(b, s->y[p / s->nx]);
    for (c = 0; c < nv; c++) {
        llp__put(b, &sep, 1);
        llp__put_num(b, v[c][p]);
    }
    llp__put(b, "\n", 1);
}

static void llp__surf_columns(llp__buf *b, int curvature, int csv) {
    size_t c, nc = curvature ? 8 : 6;
    if (!csv) llp__put(b, "# ", 2);
    for (c = 0; c < nc; c++) {
        if (c) llp__put(b, csv ? "," : " ", 1);
        llp__put(b, llp__surf_cols[c], strlen(llp__surf_cols[c]));
    }
    llp__put(b, "\n", 1);
}

LLPDEF llp_result llp_surface_write(const llp_surface *s, const char *path, const char *header, int csv,
                                    llp_error *err) {
    llp__buf b;
    size_t p, N;
    llp_result r;
    llp__clear_error(err);
    if (!s || !s->x || !path) return llp__fail(err, LLP_ERR_ARG, path, 0, 0, "no surface or path");
    memset(&b, 0, sizeof b);
    if (!csv) llp__put_comment(&b, header);
    llp__surf_columns(&b, s->lambda_max != NULL, csv);
    N = s->nx * s->ny;
    for (p = 0; p < N; p++) {
        if (!csv && p && p % s->nx == 0) llp__put(&b, "\n", 1);
        llp__surf_line(&b, s, p, csv ? ',' : ' ');
    }
    if (b.oom) {
        LLP_FREE(b.p);
        return llp__fail(err, LLP_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    r = llp__write_atomic(path, b.p, b.n, err);
    LLP_FREE(b.p);
    return r;
}

/* Read the points of a surface file (header already matched, body from pos):
   returns the number of complete points and sets *end to the byte after the
   last one. A torn last line ends the scan; anything else that is not what
   this run would have written is LLP_ERR_FORMAT. */
static llp_result llp__surf_parse(const char *buf, size_t len, size_t pos, size_t line0, llp_surface *s,
                                  const char *file, size_t *points, size_t *end, llp_error *err) {
    size_t N = s->nx * s->ny, p = 0, line = line0, nv = s->lambda_max ? 6 : 4, c;
    double *v[6];
    llp__buf pre;
    llp_result r = LLP_OK;
    v[0] = s->train_loss, v[1] = s->val_loss, v[2] = s->train_acc, v[3] = s->val_acc;
    v[4] = s->lambda_max, v[5] = s->lambda_min;
    memset(&pre, 0, sizeof pre);
    *end = pos;
    while (p < N && pos < len) {
        const char *nl, *q;
        char *e;
        if (p && p % s->nx == 0) {
            if (buf[pos] != '\n') {
                r = llp__fail(err, LLP_ERR_FORMAT, file, (long)line, 1, "expected the blank line between scan lines");
                break;
            }
            pos++, line++;
            if (pos == len) break;
        }
        nl = (const char *)memchr(buf + pos, '\n', len - pos);
        if (!nl) break; /* torn last line: dropped */
        /* the coordinates must be this run's, written the same way */
        pre.n = 0;
        llp__put_num(&pre, s->x[p % s->nx]);
        llp__put(&pre, " ", 1);
        llp__put_num(&pre, s->y[p / s->nx]);
        llp__put(&pre, " ", 1);
        if (pre.oom) {
            r = llp__fail(err, LLP_ERR_NOMEM, file, 0, 0, "out of memory");
            break;
        }
        if ((size_t)(nl - (buf + pos)) < pre.n || memcmp(buf + pos, pre.p, pre.n) != 0) {
            r = llp__fail(err, LLP_ERR_FORMAT, file, (long)line, 1, "point %lu is not at this grid's coordinates",
                          (unsigned long)p);
            break;
        }
        q = buf + pos + pre.n;
        for (c = 0; c < nv; c++) {
            double x = strtod(q, &e);
            if (e == q || (c + 1 < nv ? *e != ' ' : e != nl)) {
                r = llp__fail(err, LLP_ERR_FORMAT, file, (long)line, (long)(q - (buf + pos)) + 1,
                              "expected %lu numbers after the coordinates", (unsigned long)nv);
                break;
            }
            v[c][p] = x;
            q = e + 1;
        }
        if (r != LLP_OK) break;
        pos = (size_t)(nl - buf) + 1;
        line++;
        p++;
        *end = pos;
    }
    if (r == LLP_OK && p == N && *end != len)
        r = llp__fail(err, LLP_ERR_FORMAT, file, (long)line, 1, "data after the last grid point");
    LLP_FREE(pre.p);
    *points = p;
    return r;
}

/* Evaluate points p0 .. p0 + cnt - 1 (one scan line at most) into s. */
static llp_result llp__surf_eval(const llp_objective *train, const llp_objective *val, const llp_real *theta,
                                 const llp_real *d1, const llp_real *d2, llp_surface *s, size_t p0, size_t cnt,
                                 const llp_surface_desc *dd, size_t steps, llp_real *pt, llp_real *ab,
                                 llp_real *lbuf) {
    size_t n = train->n, q, t;
    double yv = s->y[p0 / s->nx];
    llp_result r = LLP_OK;
    int pass;
    for (pass = 0; pass < 2; pass++) {
        const llp_objective *f = pass ? val : train;
        double *loss = pass ? s->val_loss : s->train_loss, *acc = pass ? s->val_acc : s->train_acc;
        if (!f) continue;
        if (f->loss_grad == llp__mlpobj_loss_grad) {
            llp_mlp_objective *mo = (llp_mlp_objective *)f->ctx;
            for (q = 0; q < cnt; q++) {
                ab[q] = (llp_real)s->x[(p0 + q) % s->nx];
                ab[cnt + q] = (llp_real)yv;
            }
            r = llp_mlp_plane_loss(mo->mlp, theta, d1, d2, mo->data, NULL, ab, ab + cnt, cnt, lbuf,
                                   f->accuracy ? acc + p0 : NULL, &mo->work);
            if (r != LLP_OK) return r;
            for (q = 0; q < cnt; q++) loss[p0 + q] = lbuf[q];
        } else {
            for (q = 0; q < cnt; q++) {
                double xv = s->x[(p0 + q) % s->nx];
                llp_real l;
                for (t = 0; t < n; t++) pt[t] = (llp_real)(theta[t] + xv * d1[t] + yv * d2[t]);
                if ((r = llp_objective_loss(f, pt, NULL, &l)) != LLP_OK) return r;
                loss[p0 + q] = l;
                if (f->accuracy && (r = f->accuracy(f->ctx, pt, NULL, &acc[p0 + q])) != LLP_OK) return r;
            }
        }
        s->evals.loss += cnt;
    }
    if (dd->curvature) {
        for (q = 0; q < cnt; q++) {
            double xv = s->x[(p0 + q) % s->nx];
            llp_lanczos_desc ld;
            llp_eig_result er;
            llp_rng rng;
            memset(&ld, 0, sizeof ld);
            ld.k_largest = ld.k_smallest = 1;
            ld.max_steps = steps;
            for (t = 0; t < n; t++) pt[t] = (llp_real)(theta[t] + xv * d1[t] + yv * d2[t]);
            llp_rng_seed(&rng, dd->curvature_seed + (uint64_t)(p0 + q));
            r = llp_lanczos(train, pt, NULL, &ld, &rng, &er);
            if (r == LLP_ERR_NONFINITE) { /* the loss blew up there: no curvature to report */
                s->lambda_max[p0 + q] = s->lambda_min[p0 + q] = NAN;
                r = LLP_OK;
                continue;
            }
            if (r != LLP_OK) return r;
            s->lambda_max[p0 + q] = er.values[0];
            s->lambda_min[p0 + q] = er.values[1];
            s->evals.hvp += er.evals.hvp;
            s->evals.grad += er.evals.grad;
            llp_eig_result_free(&er);
        }
    }
    return LLP_OK;
}

LLPDEF llp_result llp_surface_compute(const llp_objective *train, const llp_objective *val, const llp_real *theta,
                                      const llp_real *d1, const llp_real *d2, const llp_surface_desc *desc,
                                      llp_surface *out, llp_error *err) {
    llp_surface_desc dd;
    llp_surface s;
    llp__buf hb, lb;
    char part[4096], text[512];
    size_t n, N, nvals, steps = 0, i, p = 0, hlines = 0;
    double *block;
    llp_real *pt = NULL, *ab = NULL, *lbuf = NULL;
    unsigned char *old = NULL;
    size_t oldlen = 0;
    FILE *f = NULL;
    uint64_t fp;
    int have_part = 0;
    llp_result r = LLP_OK;
    llp__clear_error(err);
    memset(&s, 0, sizeof s);
    memset(&hb, 0, sizeof hb);
    memset(&lb, 0, sizeof lb);
    if (!train || !theta || !d1 || !d2 || !out || train->n == 0)
        return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0, "surface: missing objective, theta or direction");
    n = train->n;
    if (val && val->n != n)
        return llp__fail(err, LLP_ERR_SHAPE, NULL, 0, 0, "surface: validation objective has %lu parameters, not %lu",
                         (unsigned long)val->n, (unsigned long)n);
    if (desc) dd = *desc;
    else memset(&dd, 0, sizeof dd);
    if (dd.x_min == 0 && dd.x_max == 0 && dd.y_min == 0 && dd.y_max == 0)
        dd.x_min = dd.y_min = -1, dd.x_max = dd.y_max = 1;
    if (!dd.nx) dd.nx = 51;
    if (!dd.ny) dd.ny = 51;
    if (!(dd.x_min < dd.x_max) || !(dd.y_min < dd.y_max) || !llp__isfinite(dd.x_min) || !llp__isfinite(dd.x_max) ||
        !llp__isfinite(dd.y_min) || !llp__isfinite(dd.y_max) || dd.nx < 2 || dd.ny < 2)
        return llp__fail(err, LLP_ERR_ARG, dd.path, 0, 0, "surface: empty range or fewer than 2 points per axis");
    if (dd.path && strlen(dd.path) + 6 > sizeof part)
        return llp__fail(err, LLP_ERR_ARG, dd.path, 0, 0, "surface: path too long");
    if (dd.curvature) {
        steps = dd.curvature_steps ? dd.curvature_steps : 20;
        if (steps > n) steps = n;
        if (steps < 2) return llp__fail(err, LLP_ERR_ARG, dd.path, 0, 0, "surface: curvature needs 2 Lanczos steps");
    }
    N = llp__mul(dd.nx, dd.ny);
    nvals = dd.curvature ? 6 : 4;
    if (!N || !llp__mul(N, nvals + 1)) return llp__fail(err, LLP_ERR_NOMEM, dd.path, 0, 0, "surface too large");
    block = (double *)LLP_MALLOC((dd.nx + dd.ny + nvals * N) * sizeof(double));
    pt = (llp_real *)LLP_MALLOC((n + 3 * dd.nx) * sizeof(llp_real));
    if (!block || !pt) {
        LLP_FREE(block);
        LLP_FREE(pt);
        return llp__fail(err, LLP_ERR_NOMEM, dd.path, 0, 0, "out of memory");
    }
    ab = pt + n;
    lbuf = ab + 2 * dd.nx;
    s.nx = dd.nx, s.ny = dd.ny;
    s.x = block, s.y = block + dd.nx;
    s.train_loss = s.y + dd.ny, s.val_loss = s.train_loss + N, s.train_acc = s.val_loss + N;
    s.val_acc = s.train_acc + N;
    if (dd.curvature) s.lambda_max = s.val_acc + N, s.lambda_min = s.lambda_max + N;
    for (i = 0; i < dd.nx; i++)
        s.x[i] = i + 1 == dd.nx ? dd.x_max : dd.x_min + (dd.x_max - dd.x_min) * (double)i / (double)(dd.nx - 1);
    for (i = 0; i < dd.ny; i++)
        s.y[i] = i + 1 == dd.ny ? dd.y_max : dd.y_min + (dd.y_max - dd.y_min) * (double)i / (double)(dd.ny - 1);
    for (i = 0; i < nvals * N; i++) s.train_loss[i] = NAN;

    if (dd.path) {
        /* the header this run writes; a file with another header is another run's */
        llp__put_comment(&hb, dd.header);
        snprintf(text, sizeof text,
                 "surface: L(theta + x d1 + y d2), x in [%.17g, %.17g] (%lu points), y in [%.17g, %.17g] "
                 "(%lu points); scan lines of constant y, separated by blank lines",
                 dd.x_min, dd.x_max, (unsigned long)dd.nx, dd.y_min, dd.y_max, (unsigned long)dd.ny);
        llp__put_comment(&hb, text);
        if (train->n_samples)
            snprintf(text, sizeof text, "batch: full data, training loss over %lu samples%s",
                     (unsigned long)train->n_samples, val ? "" : "; no validation objective (its columns are nan)");
        else
            snprintf(text, sizeof text, "batch: none (the objective has no samples: an analytic function)%s",
                     val ? "" : "; no validation objective (its columns are nan)");
        llp__put_comment(&hb, text);
        if (val) {
            snprintf(text, sizeof text, "validation: full data, %lu samples", (unsigned long)val->n_samples);
            llp__put_comment(&hb, text);
        }
        if (dd.curvature) {
            snprintf(text, sizeof text,
                     "curvature: lambda_max and lambda_min of the training Hessian by Lanczos, %lu steps a point, "
                     "start vector of point i seeded with %llu + i",
                     (unsigned long)steps, (unsigned long long)dd.curvature_seed);
            llp__put_comment(&hb, text);
        }
        /* the losses at theta tie the file to the objectives (data, model, loss
           code), which the fingerprint of the vectors cannot see */
        {
            llp_real l0 = 0, l1 = 0;
            r = llp_objective_loss(train, theta, NULL, &l0);
            if (r == LLP_OK && val) r = llp_objective_loss(val, theta, NULL, &l1);
            if (r != LLP_OK) {
                llp__fail(err, r, dd.path, 0, 0, "surface: the loss at theta failed: %s", llp_result_string(r));
                goto done;
            }
            s.evals.loss += val ? 2 : 1;
            if (val)
                snprintf(text, sizeof text, "at theta: training loss %.17g, validation loss %.17g", (double)l0,
                         (double)l1);
            else
                snprintf(text, sizeof text, "at theta: training loss %.17g", (double)l0);
            llp__put_comment(&hb, text);
        }
        /* FNV-1a over theta, d1, d2, the width of llp_real and the header so far */
        fp = llp__fnv1a_more(0xcbf29ce484222325ULL, (const unsigned char *)theta, n * sizeof(llp_real));
        fp = llp__fnv1a_more(fp, (const unsigned char *)d1, n * sizeof(llp_real));
        fp = llp__fnv1a_more(fp, (const unsigned char *)d2, n * sizeof(llp_real));
        text[0] = (char)sizeof(llp_real);
        fp = llp__fnv1a_more(fp, (const unsigned char *)text, 1);
        fp = llp__fnv1a_more(fp, hb.p, hb.n);
        snprintf(text, sizeof text, "fingerprint: %016llx (theta, d1, d2, grid and options; resuming needs the same)",
                 (unsigned long long)fp);
        llp__put_comment(&hb, text);
        llp__surf_columns(&hb, dd.curvature, 0);
        if (hb.oom) {
            r = llp__fail(err, LLP_ERR_NOMEM, dd.path, 0, 0, "out of memory");
            goto done;
        }
        for (i = 0; i < hb.n; i++) hlines += hb.p[i] == '\n';
        snprintf(part, sizeof part, "%s.part", dd.path);
        f = fopen(part, "rb");
        if (f) {
            size_t end = 0;
            fclose(f);
            f = NULL;
            r = llp__read_file(part, &old, &oldlen, err);
            if (r != LLP_OK) goto done;
            if (oldlen < hb.n || memcmp(old, hb.p, hb.n) != 0) {
                size_t line = 1;
                for (i = 0; i < hb.n && i < oldlen && old[i] == hb.p[i]; i++) line += old[i] == '\n';
                r = llp__fail(err, LLP_ERR_FORMAT, part, (long)line, 0,
                              "holds a partial surface of other arguments (header differs at this line); delete "
                              "it to start over");
                goto done;
            }
            r = llp__surf_parse((const char *)old, oldlen, hb.n, hlines + 1, &s, part, &p, &end, err);
            if (r != LLP_OK) goto done;
            have_part = 1;
            if (end != oldlen) { /* a torn last line: keep what is whole */
                r = llp__write_atomic(part, old, end, err);
                if (r != LLP_OK) goto done;
            }
        } else {
            f = fopen(dd.path, "rb");
            if (f) { /* a finished file of the same run: load it */
                size_t end = 0, got = 0;
                fclose(f);
                f = NULL;
                if (llp__read_file(dd.path, &old, &oldlen, NULL) == LLP_OK && oldlen >= hb.n &&
                    memcmp(old, hb.p, hb.n) == 0 &&
                    llp__surf_parse((const char *)old, oldlen, hb.n, hlines + 1, &s, dd.path, &got, &end, NULL) ==
                        LLP_OK &&
                    got == N && end == oldlen) {
                    s.resumed = N;
                    goto done;
                }
                for (i = 0; i < nvals * N; i++) s.train_loss[i] = NAN;
            }
            r = llp__write_atomic(part, hb.p, hb.n, err);
            if (r != LLP_OK) goto done;
            have_part = 1;
        }
        s.resumed = p;
        if (p < N) {
            f = fopen(part, "ab");
            if (!f) {
                r = llp__fail(err, LLP_ERR_IO, part, 0, 0, "cannot open for appending");
                goto done;
            }
        }
    }

    while (p < N) {
        size_t cnt = train->loss_grad == llp__mlpobj_loss_grad ? dd.nx - p % dd.nx : 1, q;
        r = llp__surf_eval(train, val, theta, d1, d2, &s, p, cnt, &dd, steps, pt, ab, lbuf);
        if (r != LLP_OK) {
            llp__fail(err, r, dd.path, 0, 0, "surface: evaluating point %lu failed: %s", (unsigned long)p,
                      llp_result_string(r));
            goto done;
        }
        if (f) {
            lb.n = 0;
            for (q = p; q < p + cnt; q++) {
                if (q && q % dd.nx == 0) llp__put(&lb, "\n", 1);
                llp__surf_line(&lb, &s, q, ' ');
            }
            if (lb.oom || fwrite(lb.p, 1, lb.n, f) != lb.n || fflush(f) != 0) {
                r = llp__fail(err, LLP_ERR_IO, part, 0, 0, "writing points failed (disk full?)");
                goto done;
            }
        }
        p += cnt;
        s.computed += cnt;
        if (dd.progress && dd.progress(dd.progress_ctx, p, N) != 0 && p < N) {
            r = llp__fail(err, LLP_ERR_STOPPED, dd.path ? part : NULL, 0, 0,
                          "surface stopped by the progress callback after %lu of %lu points%s", (unsigned long)p,
                          (unsigned long)N, dd.path ? "; the file keeps them for a resumed run" : "");
            goto done;
        }
    }
    if (f) {
        int bad = fclose(f) != 0;
        f = NULL;
        if (bad) {
            r = llp__fail(err, LLP_ERR_IO, part, 0, 0, "closing failed (disk full?)");
            goto done;
        }
    }
    if (have_part && rename(part, dd.path) != 0)
        r = llp__fail(err, LLP_ERR_IO, dd.path, 0, 0, "cannot rename %s into place", part);
done:
    if (f) fclose(f);
    LLP_FREE(old);
    LLP_FREE(hb.p);
    LLP_FREE(lb.p);
    LLP_FREE(pt);
    if (r != LLP_OK) {
        llp_surface_free(&s);
        return r;
    }
    *out = s;
    return LLP_OK;
}


/* ---- 11.10f ruggedness metrics ---- */

LLPDEF llp_estimate llp_estimate_of(const double *x, size_t count) {
    llp_estimate e;
    double mean = 0, m2 = 0;
    size_t i, k = 0;
    for (i = 0; i < count; i++) {
        double d;
        if (x[i] != x[i]) continue;
        k++;
        d = x[i] - mean;
        mean += d / (double)k;
        m2 += d * (x[i] - mean);
    }
    e.samples = k;
    e.value = k ? mean : NAN;
    e.se = k >= 2 ? sqrt(m2 / (double)(k - 1) / (double)k) : NAN;
    return e;
}

/* a += b */
static void llp__evals_add(llp_evals *a, const llp_evals *b) {
    a->loss += b->loss;
    a->grad += b->grad;
    a->hvp += b->hvp;
    a->batches += b->batches;
}

/* An objective that counts the calls it forwards into one llp_evals (a
   block product of k vectors counts k HVPs; accuracy calls are not counted):
   how a tool that calls other tools reports exactly what it spent. */
typedef struct llp__counter {
    const llp_objective *f;
    llp_evals *ev;
} llp__counter;

static llp_result llp__counter_lg(void *ctx, const llp_real *theta, const llp_batch *batch, llp_real *loss,
                                      llp_real *grad) {
    llp__counter *c = (llp__counter *)ctx;
    if (grad) c->ev->grad++;
    else c->ev->loss++;
    return c->f->loss_grad(c->f->ctx, theta, batch, loss, grad);
}

static llp_result llp__counter_hvp(void *ctx, const llp_real *theta, const llp_real *v, const llp_batch *batch,
                                       llp_real *hv) {
    llp__counter *c = (llp__counter *)ctx;
    c->ev->hvp++;
    return c->f->hvp(c->f->ctx, theta, v, batch, hv);
}

static llp_result llp__counter_gnvp(void *ctx, const llp_real *theta, const llp_real *v, const llp_batch *batch,
                                        llp_real *hv) {
    llp__counter *c = (llp__counter *)ctx;
    c->ev->hvp++;
    return c->f->gnvp(c->f->ctx, theta, v, batch, hv);
}

static llp_result llp__counter_block(void *ctx, const llp_real *theta, const llp_real *V, size_t kv,
                                         const llp_batch *batch, llp_real *HV) {
    llp__counter *c = (llp__counter *)ctx;
    c->ev->hvp += kv;
    return c->f->hvp_block(c->f->ctx, theta, V, kv, batch, HV);
}

static llp_result llp__counter_acc(void *ctx, const llp_real *theta, const llp_batch *batch, double *acc) {
    llp__counter *c = (llp__counter *)ctx;
    return c->f->accuracy(c->f->ctx, theta, batch, acc);
}

static llp_objective llp__counted(const llp_objective *f, llp__counter *c, llp_evals *ev, int with_acc) {
    llp_objective o;
    c->f = f;
    c->ev = ev;
    memset(&o, 0, sizeof o);
    o.n = f->n;
    o.n_samples = f->n_samples;
    o.loss_grad = llp__counter_lg;
    o.hvp = f->hvp ? llp__counter_hvp : NULL;
    o.gnvp = f->gnvp ? llp__counter_gnvp : NULL;
    o.hvp_block = f->hvp_block ? llp__counter_block : NULL;
    o.accuracy = with_acc && f->accuracy ? llp__counter_acc : NULL;
    o.ctx = c;
    o.name = f->name;
    return o;
}


/* ---- profile ruggedness metrics ---- */

typedef struct llp__prof_set {
    double sigma, noise, k, rel;
} llp__prof_set;

static llp_result llp__prof_settings(const llp_profile_desc *d, llp__prof_set *s) {
    llp_profile_desc z;
    if (d) z = *d;
    else memset(&z, 0, sizeof z);
    if (!(z.smooth >= 0) || !(z.noise >= 0) || !(z.prominence_k >= 0) || !(z.prominence_rel >= 0) ||
        !(z.prominence_rel < 1) || !llp__isfinite(z.smooth) || !llp__isfinite(z.noise) ||
        !llp__isfinite(z.prominence_k) || z.smooth > 1e6)
        return LLP_ERR_ARG;
    s->sigma = z.smooth > 0 ? z.smooth : 2.0;
    s->noise = z.noise;
    s->k = z.prominence_k > 0 ? z.prominence_k : 3.0;
    s->rel = z.prominence_rel > 0 ? z.prominence_rel : 1e-3;
    return LLP_OK;
}

/* Value at index k (any integer) of the line src[0], src[st], ..., src[(n-1) st]
   extended by odd reflection at both ends (repeated for far indices). */
static double llp__prof_ext(const double *src, size_t n, size_t st, long k) {
    double acc = 0, sgn = 1;
    long last = (long)n - 1;
    for (;;) {
        if (k < 0) {
            acc += sgn * 2 * src[0];
            sgn = -sgn;
            k = -k;
        } else if (k > last) {
            acc += sgn * 2 * src[(size_t)last * st];
            sgn = -sgn;
            k = 2 * last - k;
        } else {
            return acc + sgn * src[(size_t)k * st];
        }
    }
}

/* dst (stride dst_st) = Gaussian-smoothed line src (stride st) of n points;
   w: (h + 1) normalised half-kernel weights. */
static void llp__prof_smooth_line(const double *src, size_t n, size_t st, const double *w, size_t h, double *dst,
                                  size_t dst_st) {
    size_t i, k;
    for (i = 0; i < n; i++) {
        double acc = w[0] * src[i * st];
        for (k = 1; k <= h; k++)
            acc += w[k] * (llp__prof_ext(src, n, st, (long)i - (long)k) + llp__prof_ext(src, n, st, (long)i + (long)k));
        dst[i * dst_st] = acc;
    }
}

/* Normalised half kernel: w[k] for k = 0..h, h = ceil(4 sigma); allocated. */
static double *llp__prof_kernel(double sigma, size_t *h_out) {
    size_t h = (size_t)ceil(4 * sigma), k;
    double *w, sum;
    if (h < 1) h = 1;
    w = (double *)LLP_MALLOC((h + 1) * sizeof(double));
    if (!w) return NULL;
    sum = 0;
    for (k = 0; k <= h; k++) {
        w[k] = exp(-0.5 * ((double)k / sigma) * ((double)k / sigma));
        sum += k ? 2 * w[k] : w[k];
    }
    for (k = 0; k <= h; k++) w[k] /= sum;
    *h_out = h;
    return w;
}

/* One entry of the persistence pass. */
typedef struct llp__prof_pt {
    double v;
    size_t i;
} llp__prof_pt;

static int llp__prof_cmp(const void *a, const void *b) {
    const llp__prof_pt *p = (const llp__prof_pt *)a, *q = (const llp__prof_pt *)b;
    if (p->v < q->v) return -1;
    if (p->v > q->v) return 1;
    return p->i < q->i ? -1 : p->i > q->i ? 1 : 0;
}

static size_t llp__prof_find(size_t *parent, size_t x) {
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

/* 0-th order persistence of the minima of f (nx x ny, 8-neighbour). Writes
   the founders (local minima) to fidx and their prominences to fprom (both
   N long, caller-allocated), *nf their count. Allocates O(N) scratch. */
static llp_result llp__prof_persist(const double *f, size_t nx, size_t ny, size_t *fidx, double *fprom, size_t *nf) {
    size_t N = nx * ny, q, cnt = 0;
    llp__prof_pt *ord;
    size_t *parent, *slot;
    unsigned char *seen;
    double fmin, fmax;
    ord = (llp__prof_pt *)LLP_MALLOC(N * sizeof(llp__prof_pt));
    parent = (size_t *)LLP_MALLOC(2 * N * sizeof(size_t));
    seen = (unsigned char *)LLP_MALLOC(N);
    if (!ord || !parent || !seen) {
        LLP_FREE(ord);
        LLP_FREE(parent);
        LLP_FREE(seen);
        return LLP_ERR_NOMEM;
    }
    slot = parent + N; /* root -> index of its founder in fidx / fprom */
    for (q = 0; q < N; q++) {
        ord[q].v = f[q];
        ord[q].i = q;
        seen[q] = 0;
    }
    qsort(ord, N, sizeof *ord, llp__prof_cmp);
    fmin = ord[0].v;
    fmax = ord[N - 1].v;
    for (q = 0; q < N; q++) {
        size_t p = ord[q].i, px = p % nx, py = p / nx, roots[8], nr = 0, r, win;
        int dx, dy;
        for (dy = -1; dy <= 1; dy++)
            for (dx = -1; dx <= 1; dx++) {
                size_t nb, root, t;
                int dup = 0;
                if ((dx == 0 && dy == 0) || (dx < 0 && px == 0) || (dy < 0 && py == 0) || (dx > 0 && px + 1 >= nx) ||
                    (dy > 0 && py + 1 >= ny))
                    continue;
                nb = (size_t)((long)(py) + dy) * nx + (size_t)((long)px + dx);
                if (!seen[nb]) continue;
                root = llp__prof_find(parent, nb);
                for (t = 0; t < nr; t++) dup |= roots[t] == root;
                if (!dup) roots[nr++] = root;
            }
        seen[p] = 1;
        if (nr == 0) { /* a local minimum founds a basin */
            parent[p] = p;
            slot[p] = cnt;
            fidx[cnt] = p;
            fprom[cnt] = NAN;
            cnt++;
            continue;
        }
        /* the basin with the lowest minimum (then the lowest index) survives */
        win = roots[0];
        for (r = 1; r < nr; r++) {
            size_t a = fidx[slot[roots[r]]], b = fidx[slot[win]];
            if (f[a] < f[b] || (f[a] == f[b] && a < b)) win = roots[r];
        }
        for (r = 0; r < nr; r++)
            if (roots[r] != win) {
                fprom[slot[roots[r]]] = ord[q].v - f[fidx[slot[roots[r]]]];
                parent[roots[r]] = win;
            }
        parent[p] = win;
    }
    for (q = 0; q < cnt; q++)
        if (fprom[q] != fprom[q]) fprom[q] = fmax - fmin; /* the survivor: the global minimum */
    *nf = cnt;
    LLP_FREE(ord);
    LLP_FREE(parent);
    LLP_FREE(seen);
    return LLP_OK;
}

/* Power-of-two scale s with max |f| * s in [0.5, 1) (1 when f is all zero):
   exact, and keeps ranges and squares from overflowing. */
static double llp__prof_scale(const double *f, size_t N) {
    double m = 0;
    size_t i;
    int e;
    for (i = 0; i < N; i++)
        if (fabs(f[i]) > m) m = fabs(f[i]);
    if (!(m > 0)) return 1;
    frexp(m, &e);
    return ldexp(1.0, -e);
}

/* Local quadratic fit (Savitzky-Golay, degree 2): dst[i ds] = the value at
   i of the least-squares quadratic through the 2h + 1 points of src (stride
   st) nearest i, the window shifted inward at the ends (h reduced to
   (n - 1) / 2 when the line is shorter). Coordinates are centred on i and
   scaled by 1/h, so the 3 x 3 normal equations stay well conditioned; they
   are solved by Cramer's rule for the constant term only. */
static void llp__prof_quad_line(const double *src, size_t n, size_t st, size_t h, double *dst, size_t ds) {
    size_t i, k, a;
    if (2 * h + 1 > n) h = (n - 1) / 2;
    for (i = 0; i < n; i++) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, t0 = 0, t1 = 0, t2 = 0, det, c;
        a = i < h ? 0 : i + h >= n ? n - 1 - 2 * h : i - h;
        for (k = a; k <= a + 2 * h; k++) {
            double x = ((double)k - (double)i) / (double)h, x2 = x * x, v = src[k * st];
            s0 += 1, s1 += x, s2 += x2, s3 += x2 * x, s4 += x2 * x2;
            t0 += v, t1 += v * x, t2 += v * x2;
        }
        /* [s0 s1 s2; s1 s2 s3; s2 s3 s4] (c0 c1 c2) = (t0 t1 t2): c0 by Cramer */
        det = s0 * (s2 * s4 - s3 * s3) - s1 * (s1 * s4 - s3 * s2) + s2 * (s1 * s3 - s2 * s2);
        c = t0 * (s2 * s4 - s3 * s3) - s1 * (t1 * s4 - s3 * t2) + s2 * (t1 * s3 - s2 * t2);
        dst[i * ds] = c / det;
    }
}

/* The metrics of f (nx x ny; ny == 1 is a profile). */
static llp_result llp__prof_metrics(const double *fin, size_t nx, size_t ny, const llp_profile_desc *d,
                                    llp_profile_metrics *out) {
    llp__prof_set st;
    llp_profile_metrics m;
    size_t N, i, j, h = 0, nf, cnt, tot;
    double *buf, *f, *g, *w, *fprom, s, fmin, fmax, range, mean, var, rmean, racc, tol, tv;
    size_t *fidx;
    llp_result r;
    if (!fin || !out) return LLP_ERR_ARG;
    r = llp__prof_settings(d, &st);
    if (r != LLP_OK) return r;
    N = llp__mul(nx, ny);
    if (!N || !llp__mul(N, 4 * sizeof(double))) return LLP_ERR_NOMEM;
    for (i = 0; i < N; i++)
        if (!llp__isfinite(fin[i])) return LLP_ERR_NONFINITE;
    w = llp__prof_kernel(st.sigma, &h);
    buf = (double *)LLP_MALLOC(4 * N * sizeof(double));
    fidx = (size_t *)LLP_MALLOC(N * sizeof(size_t));
    if (!w || !buf || !fidx) {
        LLP_FREE(w);
        LLP_FREE(buf);
        LLP_FREE(fidx);
        return LLP_ERR_NOMEM;
    }
    f = buf, g = buf + N, fprom = buf + 3 * N;
    s = llp__prof_scale(fin, N);
    for (i = 0; i < N; i++) f[i] = fin[i] * s;
    memset(&m, 0, sizeof m);
    fmin = fmax = f[0];
    mean = 0;
    for (i = 0; i < N; i++) {
        if (f[i] < fmin) fmin = f[i];
        if (f[i] > fmax) fmax = f[i];
        mean += f[i];
    }
    mean /= (double)N;
    range = fmax - fmin;
    var = 0;
    for (i = 0; i < N; i++) var += (f[i] - mean) * (f[i] - mean);
    var /= (double)N;

    /* roughness: g = G f (x pass into buf + 2N, then y pass into g) */
    if (ny == 1) {
        llp__prof_smooth_line(f, nx, 1, w, h, g, 1);
    } else {
        double *t = buf + 2 * N;
        for (j = 0; j < ny; j++) llp__prof_smooth_line(f + j * nx, nx, 1, w, h, t + j * nx, 1);
        for (i = 0; i < nx; i++) llp__prof_smooth_line(t + i, ny, nx, w, h, g + i, nx);
    }
    rmean = 0;
    for (i = 0; i < N; i++) rmean += f[i] - g[i];
    rmean /= (double)N;
    racc = 0;
    for (i = 0; i < N; i++) racc += fabs(f[i] - g[i] - rmean);
    m.roughness = var > 0 ? racc / (double)N / sqrt(var) : 0;

    /* local-quadratic roughness: g = Q f (x pass into buf + 2N, then y pass into g) */
    {
        size_t hq = (size_t)floor(2 * st.sigma + 0.5);
        if (hq < 2) hq = 2;
        if (ny == 1) {
            llp__prof_quad_line(f, nx, 1, hq, g, 1);
        } else {
            double *t = buf + 2 * N;
            for (j = 0; j < ny; j++) llp__prof_quad_line(f + j * nx, nx, 1, hq, t + j * nx, 1);
            for (i = 0; i < nx; i++) llp__prof_quad_line(t + i, ny, nx, hq, g + i, nx);
        }
        racc = 0;
        for (i = 0; i < N; i++) racc += fabs(f[i] - g[i]);
        m.roughness_q = var > 0 ? racc / (double)N / sqrt(var) : 0;
    }

    /* total variation: mean over rows (and columns) of sum |delta f| / range */
    tv = 0;
    if (range > 0) {
        double acc = 0;
        for (j = 0; j < ny; j++)
            for (i = 0; i + 1 < nx; i++) acc += fabs(f[j * nx + i + 1] - f[j * nx + i]);
        if (ny > 1)
            for (i = 0; i < nx; i++)
                for (j = 0; j + 1 < ny; j++) acc += fabs(f[(j + 1) * nx + i] - f[j * nx + i]);
        tv = acc / range / (double)(ny > 1 ? nx + ny : 1);
    }
    m.tv = tv;

    /* convexity: tol in the scaled units (max |f| * s in [0.5, 1) or 0) */
    tol = 1e-12 * (fabs(fmax) > fabs(fmin) ? fabs(fmax) : fabs(fmin));
    cnt = tot = 0;
    if (ny == 1) {
        for (i = 1; i + 1 < nx; i++, tot++) cnt += f[i - 1] - 2 * f[i] + f[i + 1] > tol;
    } else {
        for (j = 1; j + 1 < ny; j++)
            for (i = 1; i + 1 < nx; i++, tot++) {
                size_t p = j * nx + i;
                double fxx = f[p - 1] - 2 * f[p] + f[p + 1], fyy = f[p - nx] - 2 * f[p] + f[p + nx];
                double fxy = (f[p + nx + 1] - f[p - nx + 1] - f[p + nx - 1] + f[p - nx - 1]) / 4;
                cnt += fxx > tol && fxx * fyy - fxy * fxy > tol * tol;
            }
    }
    m.convexity = tot ? (double)cnt / (double)tot : 0;

    /* minima above the prominence threshold (in the caller's units) */
    m.threshold = st.k * st.noise;
    if (st.rel * (range / s) > m.threshold) m.threshold = st.rel * (range / s);
    r = llp__prof_persist(f, nx, ny, fidx, fprom, &nf);
    if (r == LLP_OK) {
        for (i = 0; i < nf; i++) m.minima += fprom[i] / s > m.threshold;
        *out = m;
    }
    LLP_FREE(w);
    LLP_FREE(buf);
    LLP_FREE(fidx);
    return r;
}

LLPDEF llp_result llp_profile_metrics_1d(const double *f, size_t n, const llp_profile_desc *d,
                                         llp_profile_metrics *out) {
    if (!f || !out || n < 5) return LLP_ERR_ARG;
    return llp__prof_metrics(f, n, 1, d, out);
}

LLPDEF llp_result llp_profile_metrics_2d(const double *f, size_t nx, size_t ny, const llp_profile_desc *d,
                                         llp_profile_metrics *out) {
    if (!f || !out || nx < 5 || ny < 5) return LLP_ERR_ARG;
    return llp__prof_metrics(f, nx, ny, d, out);
}

LLPDEF llp_result llp_profile_minima(const double *f, size_t nx, size_t ny, size_t *idx, double *prom, size_t cap,
                                     size_t *count) {
    size_t N, i, nf;
    size_t *fidx;
    double *fprom, *fs, s;
    llp__prof_pt *ord;
    llp_result r;
    if (!f || !count || nx == 0 || ny == 0 || (cap && (!idx || !prom))) return LLP_ERR_ARG;
    N = llp__mul(nx, ny);
    if (!N || !llp__mul(N, 2 * sizeof(double) + sizeof(size_t) + sizeof(llp__prof_pt))) return LLP_ERR_NOMEM;
    for (i = 0; i < N; i++)
        if (!llp__isfinite(f[i])) return LLP_ERR_NONFINITE;
    fidx = (size_t *)LLP_MALLOC(N * sizeof(size_t));
    fprom = (double *)LLP_MALLOC(2 * N * sizeof(double));
    ord = (llp__prof_pt *)LLP_MALLOC(N * sizeof(llp__prof_pt));
    if (!fidx || !fprom || !ord) {
        LLP_FREE(fidx);
        LLP_FREE(fprom);
        LLP_FREE(ord);
        return LLP_ERR_NOMEM;
    }
    fs = fprom + N;
    s = llp__prof_scale(f, N);
    for (i = 0; i < N; i++) fs[i] = f[i] * s;
    r = llp__prof_persist(fs, nx, ny, fidx, fprom, &nf);
    if (r == LLP_OK) {
        /* largest prominence first, ties by index: sort (-prom, index) */
        for (i = 0; i < nf; i++) ord[i].v = -fprom[i], ord[i].i = fidx[i];
        qsort(ord, nf, sizeof *ord, llp__prof_cmp);
        for (i = 0; i < nf && i < cap; i++) {
            idx[i] = ord[i].i;
            prom[i] = -ord[i].v / s;
        }
        *count = nf;
    }
    LLP_FREE(fidx);
    LLP_FREE(fprom);
    LLP_FREE(ord);
    return r;
}

/* ---- slice and surface drivers ---- */

static llp_result llp__prof_slice_desc(const llp_rugged_slice_desc *d, int planes, llp_rugged_slice_desc *dd) {
    llp__prof_set st;
    if (d) *dd = *d;
    else memset(dd, 0, sizeof *dd);
    if (!dd->directions) dd->directions = planes ? 3 : 10;
    if (!dd->points) dd->points = planes ? 21 : 51;
    if (dd->radius == 0) dd->radius = 1;
    if (dd->points < 5 || !(dd->radius > 0) || !llp__isfinite(dd->radius) ||
        (unsigned)dd->norm > (unsigned)LLP_DIR_NORM_NONE || (unsigned)dd->bias > (unsigned)LLP_DIR_BIAS_NORMALIZE ||
        (unsigned)dd->dist > (unsigned)LLP_DIR_RADEMACHER)
        return LLP_ERR_ARG;
    if ((dd->norm == LLP_DIR_NORM_FILTER || dd->norm == LLP_DIR_NORM_LAYER) && !dd->mlp) return LLP_ERR_ARG;
    if (planes && !llp__mul(dd->points, dd->points)) return LLP_ERR_NOMEM;
    return llp__prof_settings(&dd->profile, &st);
}

/* A random direction as the drivers draw it (NONE: unit length). */
static llp_result llp__prof_direction(const llp_rugged_slice_desc *dd, const llp_real *theta, size_t n, llp_rng *rng,
                                      llp_real *d) {
    double nrm;
    llp_result r = llp_direction_random(dd->mlp, theta, n, dd->dist, dd->norm, dd->bias, rng, d);
    if (r != LLP_OK) return r;
    nrm = llp_nrm2(d, n);
    if (!(nrm > 0)) return LLP_ERR_ARG; /* e.g. MODEL at theta = 0 */
    if (dd->norm == LLP_DIR_NORM_NONE) llp_scale((llp_real)(1.0 / nrm), d, n);
    return LLP_OK;
}

/* Slice / plane j's metrics into the (5, R) table the estimates are made from. */
static void llp__prof_store(double *vals, size_t R, size_t j, const llp_profile_metrics *pm) {
    vals[j] = pm->roughness;
    vals[R + j] = pm->tv;
    vals[2 * R + j] = (double)pm->minima;
    vals[3 * R + j] = pm->convexity;
    vals[4 * R + j] = pm->roughness_q;
}

static void llp__prof_collect(const double *vals, size_t R, llp_rugged_slice_result *res) {
    res->roughness = llp_estimate_of(vals, R);
    res->tv = llp_estimate_of(vals + R, R);
    res->minima = llp_estimate_of(vals + 2 * R, R);
    res->convexity = llp_estimate_of(vals + 3 * R, R);
    res->roughness_q = llp_estimate_of(vals + 4 * R, R);
}

LLPDEF llp_result llp_rugged_slices(const llp_objective *f, const llp_real *theta, const llp_rugged_slice_desc *d,
                                    llp_rng *rng, llp_rugged_slice_result *out) {
    llp_rugged_slice_desc dd;
    llp_rugged_slice_result res;
    llp_real *dir;
    double *vals;
    size_t n, R, j;
    llp_result r;
    if (!f || !theta || !rng || !out || f->n == 0) return LLP_ERR_ARG;
    r = llp__prof_slice_desc(d, 0, &dd);
    if (r != LLP_OK) return r;
    n = f->n;
    R = dd.directions;
    if (!llp__mul(R, 5 * sizeof(double))) return LLP_ERR_NOMEM;
    dir = (llp_real *)LLP_MALLOC(n * sizeof(llp_real));
    vals = (double *)LLP_MALLOC(5 * R * sizeof(double));
    if (!dir || !vals) {
        LLP_FREE(dir);
        LLP_FREE(vals);
        return LLP_ERR_NOMEM;
    }
    memset(&res, 0, sizeof res);
    for (j = 0; j < R && r == LLP_OK; j++) {
        llp_slice s;
        llp_profile_metrics pm;
        r = llp__prof_direction(&dd, theta, n, rng, dir);
        if (r != LLP_OK) break;
        r = llp_slice_line(f, NULL, theta, dir, -dd.radius, dd.radius, dd.points, &s);
        if (r != LLP_OK) break;
        res.evals.loss += s.evals;
        if (s.points > dd.points) { /* drop the inserted alpha = 0 (even grids) */
            size_t q;
            for (q = s.zero_index; q + 1 < s.points; q++) s.train_loss[q] = s.train_loss[q + 1];
        }
        r = llp_profile_metrics_1d(s.train_loss, dd.points, &dd.profile, &pm);
        llp_slice_free(&s);
        if (r != LLP_OK) break;
        llp__prof_store(vals, R, j, &pm);
    }
    if (r == LLP_OK) {
        llp__prof_collect(vals, R, &res);
        *out = res;
    }
    LLP_FREE(dir);
    LLP_FREE(vals);
    return r;
}

LLPDEF llp_result llp_rugged_surfaces(const llp_objective *f, const llp_real *theta, const llp_rugged_slice_desc *d,
                                      llp_rng *rng, llp_rugged_slice_result *out) {
    llp_rugged_slice_desc dd;
    llp_rugged_slice_result res;
    llp_surface_desc sd;
    llp_real *d1;
    double *vals;
    size_t n, R, j;
    llp_result r;
    if (!f || !theta || !rng || !out || f->n < 2) return LLP_ERR_ARG;
    r = llp__prof_slice_desc(d, 1, &dd);
    if (r != LLP_OK) return r;
    n = f->n;
    R = dd.directions;
    if (!llp__mul(R, 5 * sizeof(double)) || !llp__mul(n, 2 * sizeof(llp_real))) return LLP_ERR_NOMEM;
    d1 = (llp_real *)LLP_MALLOC(2 * n * sizeof(llp_real));
    vals = (double *)LLP_MALLOC(5 * R * sizeof(double));
    if (!d1 || !vals) {
        LLP_FREE(d1);
        LLP_FREE(vals);
        return LLP_ERR_NOMEM;
    }
    memset(&res, 0, sizeof res);
    memset(&sd, 0, sizeof sd);
    sd.x_min = sd.y_min = -dd.radius;
    sd.x_max = sd.y_max = dd.radius;
    sd.nx = sd.ny = dd.points;
    for (j = 0; j < R && r == LLP_OK; j++) {
        llp_surface s;
        llp_profile_metrics pm;
        llp_real *d2 = d1 + n;
        r = llp__prof_direction(&dd, theta, n, rng, d1);
        if (r == LLP_OK) r = llp__prof_direction(&dd, theta, n, rng, d2);
        if (r == LLP_OK) r = llp_direction_orthogonalize(d1, d2, n, NULL);
        if (r != LLP_OK) break;
        r = llp_surface_compute(f, NULL, theta, d1, d2, &sd, &s, NULL);
        if (r != LLP_OK) break;
        res.evals.loss += s.evals.loss;
        res.evals.grad += s.evals.grad;
        res.evals.hvp += s.evals.hvp;
        res.evals.batches += s.evals.batches;
        r = llp_profile_metrics_2d(s.train_loss, dd.points, dd.points, &dd.profile, &pm);
        llp_surface_free(&s);
        if (r != LLP_OK) break;
        llp__prof_store(vals, R, j, &pm);
    }
    if (r == LLP_OK) {
        llp__prof_collect(vals, R, &res);
        *out = res;
    }
    LLP_FREE(d1);
    LLP_FREE(vals);
    return r;
}

/* ---- fitness-landscape analysis (rug_fla) ---- */

LLPDEF double llp_fla_autocorr(const double *f, size_t n, size_t lag) {
    double m = 0, num = 0, den = 0;
    size_t t;
    if (!f || lag >= n) return NAN;
    for (t = 0; t < n; t++) {
        if (!llp__isfinite(f[t])) return NAN;
        m += f[t];
    }
    m /= (double)n;
    for (t = 0; t < n; t++) den += (f[t] - m) * (f[t] - m);
    if (!(den > 0)) return NAN;
    for (t = 0; t + lag < n; t++) num += (f[t] - m) * (f[t + lag] - m);
    return num / den;
}

LLPDEF double llp_fla_corr_len(double rho1) {
    double a = fabs(rho1);
    if (!(a <= 1)) return NAN;
    if (a == 1) return INFINITY;
    if (a == 0) return 0;
    return -1.0 / log(a);
}

LLPDEF double llp_fla_eps_star(const double *f, size_t n) {
    double e = 0;
    size_t t;
    if (!f || n < 2) return NAN;
    for (t = 0; t < n; t++)
        if (!llp__isfinite(f[t])) return NAN;
    for (t = 0; t + 1 < n; t++) {
        double d = fabs(f[t + 1] - f[t]);
        if (d > e) e = d;
    }
    return e;
}

/* The symbol of difference d at threshold eps: -1, 0, 1 -> 0, 1, 2. */
static int llp__fla_symbol(double d, double eps) {
    return d < -eps ? 0 : (d > eps ? 2 : 1);
}

/* H and M of f (n >= 3, all finite) at the absolute threshold eps. */
static void llp__fla_info_abs(const double *f, size_t n, double eps, double *H, double *M) {
    size_t cnt[9], t, pairs = n - 2, mu = 0;
    int prev = 0, last = 1; /* last: last nonzero symbol kept (1 = none yet) */
    double h = 0;
    for (t = 0; t < 9; t++) cnt[t] = 0;
    for (t = 0; t + 1 < n; t++) {
        int s = llp__fla_symbol(f[t + 1] - f[t], eps);
        if (t > 0) cnt[prev * 3 + s]++;
        if (s != 1 && s != last) {
            mu++;
            last = s;
        }
        prev = s;
    }
    for (t = 0; t < 9; t++) {
        double p;
        if (t / 3 == t % 3 || cnt[t] == 0) continue;
        p = (double)cnt[t] / (double)pairs;
        h -= p * log(p);
    }
    *H = h / log(6.0);
    *M = (double)mu / (double)(n - 1);
}

LLPDEF llp_result llp_fla_information(const double *f, size_t n, double eps_rel, double *H, double *M) {
    double es, h, m;
    size_t t;
    if (!f || n < 3 || !(eps_rel >= 0)) return LLP_ERR_ARG;
    for (t = 0; t < n; t++)
        if (!llp__isfinite(f[t])) return LLP_ERR_NONFINITE;
    es = llp_fla_eps_star(f, n);
    /* eps_rel >= 1 (or Inf): every |d| <= eps*, all symbols 0 */
    llp__fla_info_abs(f, n, eps_rel >= 1 ? es : eps_rel * es, &h, &m);
    if (H) *H = h;
    if (M) *M = m;
    return LLP_OK;
}

LLPDEF double llp_fla_fem(const double *f, size_t n) {
    double es, best = 0, h, m, rel = 1.0 / 128.0;
    size_t t;
    int k;
    if (!f || n < 3) return NAN;
    for (t = 0; t < n; t++)
        if (!llp__isfinite(f[t])) return NAN;
    es = llp_fla_eps_star(f, n);
    llp__fla_info_abs(f, n, 0.0, &best, &m);
    for (k = 0; k < 8; k++, rel *= 2) { /* eps* / 128 .. eps* / 1 */
        llp__fla_info_abs(f, n, k == 7 ? es : rel * es, &h, &m);
        if (h > best) best = h;
    }
    return best;
}

/* Evaluate the loss at x (double) rounded into p; store it in *v. */
static llp_result llp__fla_eval(const llp_objective *f, const double *x, llp_real *p, const llp_batch *batch,
                                double *v) {
    llp_real l = 0;
    size_t i;
    llp_result r;
    for (i = 0; i < f->n; i++) p[i] = (llp_real)x[i];
    r = llp_objective_loss(f, p, batch, &l);
    if (r != LLP_OK) return r;
    if (!llp__isfinite((double)l)) return LLP_ERR_NONFINITE;
    *v = (double)l;
    return LLP_OK;
}

LLPDEF llp_result llp_fla_random_walk(const llp_objective *f, const llp_real *theta, double step, size_t steps,
                                      const llp_batch *batch, llp_rng *rng, double *values, llp_real *path,
                                      llp_evals *ev) {
    double *x, *u, *vals;
    llp_real *p;
    size_t n, t, i, nv;
    llp_result r = LLP_OK;
    if (!f || !f->loss_grad || !theta || !rng || !values || f->n == 0 || steps == 0 || !(step > 0) ||
        !llp__isfinite(step))
        return LLP_ERR_ARG;
    n = f->n;
    nv = steps + 1;
    if (nv < steps || !llp__mul(nv, sizeof(double)) || !llp__mul(2 * n, sizeof(double)) || n > (size_t)-1 / 4 ||
        (path && !llp__mul(llp__mul(nv, n), sizeof(llp_real))))
        return LLP_ERR_NOMEM;
    x = (double *)LLP_MALLOC(2 * n * sizeof(double));
    p = (llp_real *)LLP_MALLOC(n * sizeof(llp_real));
    vals = (double *)LLP_MALLOC(nv * sizeof(double));
    if (!x || !p || !vals) {
        LLP_FREE(x);
        LLP_FREE(p);
        LLP_FREE(vals);
        return LLP_ERR_NOMEM;
    }
    u = x + n;
    for (i = 0; i < n; i++) x[i] = (double)theta[i];
    for (t = 0; t < nv && r == LLP_OK; t++) {
        if (t > 0) {
            double s = 0, c;
            do {
                s = 0;
                for (i = 0; i < n; i++) {
                    u[i] = llp_rng_normal(rng);
                    s += u[i] * u[i];
                }
            } while (!(s > 0));
            c = step / sqrt(s);
            for (i = 0; i < n; i++) x[i] += c * u[i];
        }
        r = llp__fla_eval(f, x, p, batch, &vals[t]);
        if (r == LLP_OK && path) llp_copy(p, path + t * n, n);
    }
    if (r == LLP_OK) {
        memcpy(values, vals, nv * sizeof(double));
        if (ev) {
            ev->loss = nv;
            ev->grad = ev->hvp = ev->batches = 0;
        }
    }
    LLP_FREE(x);
    LLP_FREE(p);
    LLP_FREE(vals);
    return r;
}

LLPDEF llp_result llp_fla_progressive_walk(const llp_objective *f, const llp_real *theta, double scale,
                                           double step_frac, size_t steps, const llp_batch *batch, llp_rng *rng,
                                           double *values, llp_real *path, llp_evals *ev) {
    double *x, *vals, delta;
    unsigned char *zone;
    llp_real *p;
    size_t n, t, i, nv, j;
    llp_result r = LLP_OK;
    if (!f || !f->loss_grad || !theta || !rng || !values || f->n == 0 || steps == 0 || !(scale > 0) ||
        !llp__isfinite(scale) || !(step_frac > 0 && step_frac <= 1))
        return LLP_ERR_ARG;
    n = f->n;
    nv = steps + 1;
    if (nv < steps || !llp__mul(nv, sizeof(double)) || !llp__mul(n, sizeof(double)) ||
        (path && !llp__mul(llp__mul(nv, n), sizeof(llp_real))))
        return LLP_ERR_NOMEM;
    x = (double *)LLP_MALLOC(n * sizeof(double));
    p = (llp_real *)LLP_MALLOC(n * sizeof(llp_real));
    vals = (double *)LLP_MALLOC(nv * sizeof(double));
    zone = (unsigned char *)LLP_MALLOC(n);
    if (!x || !p || !vals || !zone) {
        LLP_FREE(x);
        LLP_FREE(p);
        LLP_FREE(vals);
        LLP_FREE(zone);
        return LLP_ERR_NOMEM;
    }
    delta = step_frac * 2.0 * scale;
    /* starting zone and start point: each coordinate in the half of the box
       on its zone's side, then one coordinate on its bound */
    for (i = 0; i < n; i++) {
        double c = (double)theta[i], rr;
        zone[i] = (unsigned char)llp_rng_below(rng, 2);
        rr = llp_rng_uniform(rng) * scale;
        x[i] = zone[i] ? (c + scale) - rr : (c - scale) + rr;
    }
    j = (size_t)llp_rng_below(rng, (uint64_t)n);
    x[j] = zone[j] ? (double)theta[j] + scale : (double)theta[j] - scale;
    for (t = 0; t < nv && r == LLP_OK; t++) {
        if (t > 0)
            for (i = 0; i < n; i++) {
                double lo = (double)theta[i] - scale, hi = (double)theta[i] + scale;
                double rr = llp_rng_uniform(rng) * delta;
                x[i] += zone[i] ? -rr : rr;
                if (x[i] > hi) {
                    x[i] = hi - (x[i] - hi);
                    zone[i] = (unsigned char)!zone[i];
                } else if (x[i] < lo) {
                    x[i] = lo + (lo - x[i]);
                    zone[i] = (unsigned char)!zone[i];
                }
                /* rounding of the reflection (or of lo/hi) must not leave the box */
                if (x[i] > hi) x[i] = hi;
                if (x[i] < lo) x[i] = lo;
            }
        r = llp__fla_eval(f, x, p, batch, &vals[t]);
        if (r == LLP_OK && path) llp_copy(p, path + t * n, n);
    }
    if (r == LLP_OK) {
        memcpy(values, vals, nv * sizeof(double));
        if (ev) {
            ev->loss = nv;
            ev->grad = ev->hvp = ev->batches = 0;
        }
    }
    LLP_FREE(x);
    LLP_FREE(p);
    LLP_FREE(vals);
    LLP_FREE(zone);
    return r;
}

LLPDEF llp_result llp_rugged_fla(const llp_objective *f, const llp_real *theta, const llp_fla_desc *d, llp_rng *rng,
                                 llp_fla_result *out) {
    size_t steps, walks, nv, w;
    double step, scale, eps_rel;
    double *vals, *rec;
    llp_fla_result res;
    llp_result r = LLP_OK;
    llp_fla_desc dd;
    if (!f || !f->loss_grad || !theta || !rng || !out || f->n == 0) return LLP_ERR_ARG;
    if (d)
        dd = *d;
    else
        memset(&dd, 0, sizeof dd);
    if (!(dd.step >= 0) || !(dd.scale >= 0) || !(dd.eps_rel >= 0) || !llp__isfinite(dd.step) ||
        !llp__isfinite(dd.scale) || !llp__isfinite(dd.eps_rel))
        return LLP_ERR_ARG;
    steps = dd.steps ? dd.steps : 500;
    walks = dd.walks ? dd.walks : 5;
    scale = dd.scale > 0 ? dd.scale : 1.0;
    step = dd.step > 0 ? dd.step : 0.1 * scale * sqrt((double)f->n);
    eps_rel = dd.eps_rel > 0 ? dd.eps_rel : 0.01;
    if (steps < 2) return LLP_ERR_ARG;
    nv = steps + 1;
    if (nv < steps || !llp__mul(nv, sizeof(double)) || !llp__mul(walks, 7 * sizeof(double))) return LLP_ERR_NOMEM;
    vals = (double *)LLP_MALLOC(nv * sizeof(double));
    rec = (double *)LLP_MALLOC(7 * walks * sizeof(double));
    if (!vals || !rec) {
        LLP_FREE(vals);
        LLP_FREE(rec);
        return LLP_ERR_NOMEM;
    }
    memset(&res, 0, sizeof res);
    /* rec: 7 rows of `walks`: rho1, corr_len, H, M, eps*, FEM_0.01, FEM_0.1 */
    for (w = 0; w < walks && r == LLP_OK; w++) {
        double rho, h = NAN, m = NAN;
        r = llp_fla_random_walk(f, theta, step, steps, dd.batch, rng, vals, NULL, NULL);
        if (r != LLP_OK) break;
        res.evals.loss += nv;
        rho = llp_fla_autocorr(vals, nv, 1);
        rec[0 * walks + w] = rho;
        rec[1 * walks + w] = rho == rho ? llp_fla_corr_len(rho) : NAN;
        r = llp_fla_information(vals, nv, eps_rel, &h, &m);
        if (r != LLP_OK) break;
        rec[2 * walks + w] = h;
        rec[3 * walks + w] = m;
        rec[4 * walks + w] = llp_fla_eps_star(vals, nv);
        r = llp_fla_progressive_walk(f, theta, scale, 0.01, steps, dd.batch, rng, vals, NULL, NULL);
        if (r != LLP_OK) break;
        res.evals.loss += nv;
        rec[5 * walks + w] = llp_fla_fem(vals, nv);
        r = llp_fla_progressive_walk(f, theta, scale, 0.1, steps, dd.batch, rng, vals, NULL, NULL);
        if (r != LLP_OK) break;
        res.evals.loss += nv;
        rec[6 * walks + w] = llp_fla_fem(vals, nv);
    }
    if (r == LLP_OK) {
        res.rho1 = llp_estimate_of(rec + 0 * walks, walks);
        res.corr_len = llp_estimate_of(rec + 1 * walks, walks);
        res.info = llp_estimate_of(rec + 2 * walks, walks);
        res.partial_info = llp_estimate_of(rec + 3 * walks, walks);
        res.eps_star = llp_estimate_of(rec + 4 * walks, walks);
        res.fem_small = llp_estimate_of(rec + 5 * walks, walks);
        res.fem_large = llp_estimate_of(rec + 6 * walks, walks);
        res.step = step;
        res.scale = scale;
        res.eps_rel = eps_rel;
        *out = res;
    }
    LLP_FREE(vals);
    LLP_FREE(rec);
    return r;
}

/* ---- sharpness, flatness and basin width ---- */

static llp_result llp__sharp_check(const llp_objective *f, const llp_real *theta, const llp_batch *batch) {
    if (!f || !f->loss_grad || !theta || f->n == 0) return LLP_ERR_ARG;
    if (f->n_samples && batch && llp__batch_check(batch, f->n_samples) != LLP_OK) return LLP_ERR_ARG;
    return LLP_OK;
}

/* Loss only, counted; NaN/Inf -> LLP_ERR_NONFINITE unless allow_inf (then +Inf passes). */
static llp_result llp__sharp_loss(const llp_objective *f, const llp_real *x, const llp_batch *batch, llp_evals *ev,
                                  int allow_inf, double *out) {
    llp_real l = 0;
    llp_result r = f->loss_grad(f->ctx, x, batch, &l, NULL);
    ev->loss++;
    if (r != LLP_OK) return r;
    *out = (double)l;
    if (llp__isfinite(*out) || (allow_inf && *out > 0)) return LLP_OK;
    return LLP_ERR_NONFINITE;
}

/* Loss and gradient, counted; both must be finite. */
static llp_result llp__sharp_grad(const llp_objective *f, const llp_real *x, const llp_batch *batch, llp_evals *ev,
                                  double *out, llp_real *g) {
    llp_real l = 0;
    llp_result r = f->loss_grad(f->ctx, x, batch, &l, g);
    ev->grad++;
    if (r != LLP_OK) return r;
    *out = (double)l;
    return llp__isfinite(*out) && llp_all_finite(g, f->n) ? LLP_OK : LLP_ERR_NONFINITE;
}

/* Delta from the mode; 0 for an unknown mode (callers reject Delta <= 0). */
static double llp__sharp_delta(llp_sharp_delta mode, double delta, double loss0) {
    switch (mode) {
    case LLP_SHARP_DELTA_ABSOLUTE: return delta;
    case LLP_SHARP_DELTA_RELATIVE: return delta * loss0;
    case LLP_SHARP_DELTA_KESKAR: return delta * (1.0 + loss0);
    }
    return 0;
}

static int llp__sharp_pos(double x) { return x > 0 && llp__isfinite(x); }

LLPDEF llp_result llp_sharpness_keskar(const llp_objective *f, const llp_real *theta, const llp_batch *batch,
                                       const llp_keskar_desc *desc, llp_rng *rng, llp_sharp_max_result *res) {
    llp_keskar_desc d;
    llp_sharp_max_result t;
    llp_real *x, *z, *g;
    size_t n, i, k;
    double l0 = 0, best, lk = 0;
    int fixed = 0;
    llp_result r;
    if (!res) return LLP_ERR_ARG;
    r = llp__sharp_check(f, theta, batch);
    if (r != LLP_OK) return r;
    n = f->n;
    if (desc)
        d = *desc;
    else
        memset(&d, 0, sizeof d);
    if (d.eps == 0) d.eps = 1e-3;
    if (d.steps == 0) d.steps = 20;
    if (d.step == 0) d.step = 0.25;
    if (!llp__sharp_pos(d.eps) || !llp__sharp_pos(d.step) || (!d.zero_start && !rng)) return LLP_ERR_ARG;
    x = llp__alloc_reals(llp__mul(3, n));
    if (!x) return LLP_ERR_NOMEM;
    z = x + n;
    g = z + n;
    memset(&t, 0, sizeof t);
    r = llp__sharp_loss(f, theta, batch, &t.evals, 0, &l0);
    if (r == LLP_OK) {
        if (d.zero_start)
            llp_fill(0, z, n);
        else
            for (i = 0; i < n; i++) {
                double w = d.eps * (fabs((double)theta[i]) + 1.0);
                z[i] = (llp_real)(w * (2.0 * llp_rng_uniform(rng) - 1.0));
            }
    }
    best = -HUGE_VAL;
    for (k = 0; k < d.steps && r == LLP_OK; k++) {
        int changed = 0;
        for (i = 0; i < n; i++) x[i] = (llp_real)(theta[i] + z[i]);
        r = llp__sharp_grad(f, x, batch, &t.evals, &lk, g);
        if (r != LLP_OK) break;
        t.steps++;
        if (lk > best) best = lk;
        for (i = 0; i < n; i++) {
            double w = d.eps * (fabs((double)theta[i]) + 1.0), s = g[i] > 0 ? 1.0 : (g[i] < 0 ? -1.0 : 0.0);
            double zn = (double)z[i] + d.step * w * s;
            llp_real zr;
            if (zn > w) zn = w;
            if (zn < -w) zn = -w;
            zr = (llp_real)zn;
            if (zr != z[i]) changed = 1;
            z[i] = zr;
        }
        if (!changed) {
            fixed = 1;
            break;
        }
    }
    if (r == LLP_OK && !fixed) {
        for (i = 0; i < n; i++) x[i] = (llp_real)(theta[i] + z[i]);
        r = llp__sharp_loss(f, x, batch, &t.evals, 0, &lk);
        if (r == LLP_OK && lk > best) best = lk;
    }
    LLP_FREE(x);
    if (r != LLP_OK) return r;
    t.loss0 = l0;
    t.loss_max = best;
    t.radius = d.eps;
    t.fixed_point = fixed;
    t.sharpness = 100.0 * (best - l0) / (1.0 + l0);
    *res = t;
    return LLP_OK;
}

LLPDEF llp_result llp_sharpness_random(const llp_objective *f, const llp_real *theta, const llp_batch *batch,
                                       const llp_sharp_random_desc *desc, llp_rng *rng, llp_sharp_random_result *res) {
    llp_sharp_random_desc d;
    llp_sharp_random_result t;
    llp_real *x, *u;
    double *vals, l0 = 0, rho;
    size_t n, i, k;
    llp_result r;
    if (!res || !rng) return LLP_ERR_ARG;
    r = llp__sharp_check(f, theta, batch);
    if (r != LLP_OK) return r;
    n = f->n;
    if (desc)
        d = *desc;
    else
        memset(&d, 0, sizeof d);
    if (d.samples == 0) d.samples = 20;
    rho = d.rho;
    if (rho == 0) {
        if (d.adaptive)
            rho = 0.05 * sqrt((double)n);
        else {
            double nt = llp_nrm2(theta, n);
            rho = 0.05 * (nt > 0 ? nt : 1.0);
        }
    }
    if (!llp__sharp_pos(rho) || !(d.eta >= 0) || !llp__isfinite(d.eta)) return LLP_ERR_ARG;
    x = llp__alloc_reals(llp__mul(2, n));
    vals = llp__alloc_doubles(d.samples);
    if (!x || !vals) {
        LLP_FREE(x);
        LLP_FREE(vals);
        return LLP_ERR_NOMEM;
    }
    u = x + n;
    memset(&t, 0, sizeof t);
    r = llp__sharp_loss(f, theta, batch, &t.evals, 0, &l0);
    for (k = 0; k < d.samples && r == LLP_OK; k++) {
        double nu, scale, lk = 0;
        llp_rng_fill_normal(rng, u, n);
        if (d.gaussian) {
            scale = rho / sqrt((double)n);
        } else {
            nu = llp_nrm2(u, n);
            scale = nu > 0 ? rho / nu : 0; /* a zero draw (probability 0) perturbs nothing */
        }
        for (i = 0; i < n; i++) {
            double ti = d.adaptive ? fabs((double)theta[i]) + d.eta : 1.0;
            x[i] = (llp_real)(theta[i] + scale * ti * u[i]);
        }
        r = llp__sharp_loss(f, x, batch, &t.evals, 0, &lk);
        if (r == LLP_OK) vals[k] = lk - l0;
    }
    if (r == LLP_OK) {
        t.sharpness = llp_estimate_of(vals, d.samples);
        t.loss0 = l0;
        t.rho = rho;
    }
    LLP_FREE(x);
    LLP_FREE(vals);
    if (r != LLP_OK) return r;
    *res = t;
    return LLP_OK;
}

LLPDEF llp_result llp_sharpness_adaptive(const llp_objective *f, const llp_real *theta, const llp_batch *batch,
                                         const llp_sharp_adaptive_desc *desc, llp_rng *rng,
                                         llp_sharp_max_result *res) {
    llp_sharp_adaptive_desc d;
    llp_sharp_max_result t;
    llp_real *x, *w, *g, *wn;
    size_t n, i, k;
    double l0 = 0, best, lk = 0;
    int fixed = 0;
    llp_result r;
    if (!res) return LLP_ERR_ARG;
    r = llp__sharp_check(f, theta, batch);
    if (r != LLP_OK) return r;
    n = f->n;
    if (desc)
        d = *desc;
    else
        memset(&d, 0, sizeof d);
    if (d.rho == 0) d.rho = 0.05;
    if (d.steps == 0) d.steps = 20;
    if (d.step == 0) d.step = 1.0;
    if (!llp__sharp_pos(d.rho) || !llp__sharp_pos(d.step) || !(d.eta >= 0) || !llp__isfinite(d.eta) ||
        (!d.zero_start && !rng))
        return LLP_ERR_ARG;
    x = llp__alloc_reals(llp__mul(4, n));
    if (!x) return LLP_ERR_NOMEM;
    w = x + n;
    g = w + n;
    wn = g + n;
    memset(&t, 0, sizeof t);
    r = llp__sharp_loss(f, theta, batch, &t.evals, 0, &l0);
    if (r == LLP_OK) {
        if (d.zero_start)
            llp_fill(0, w, n);
        else {
            double nw;
            llp_rng_fill_normal(rng, w, n);
            nw = llp_nrm2(w, n);
            if (nw > 0) llp_scale((llp_real)(d.rho / nw), w, n);
        }
    }
    best = -HUGE_VAL;
    for (k = 0; k < d.steps && r == LLP_OK; k++) {
        double ng = 0, nn;
        int changed = 0;
        for (i = 0; i < n; i++) x[i] = (llp_real)(theta[i] + (fabs((double)theta[i]) + d.eta) * w[i]);
        r = llp__sharp_grad(f, x, batch, &t.evals, &lk, g);
        if (r != LLP_OK) break;
        t.steps++;
        if (lk > best) best = lk;
        for (i = 0; i < n; i++) g[i] = (llp_real)((fabs((double)theta[i]) + d.eta) * g[i]); /* g_w = T g */
        ng = llp_nrm2(g, n);
        if (!(ng > 0)) {
            fixed = 1;
            break;
        }
        for (i = 0; i < n; i++) wn[i] = (llp_real)(w[i] + d.step * d.rho * (g[i] / ng));
        nn = llp_nrm2(wn, n);
        if (nn > d.rho) llp_scale((llp_real)(d.rho / nn), wn, n);
        for (i = 0; i < n; i++)
            if (wn[i] != w[i]) changed = 1;
        llp_copy(wn, w, n);
        if (!changed) {
            fixed = 1;
            break;
        }
    }
    if (r == LLP_OK && !fixed) {
        for (i = 0; i < n; i++) x[i] = (llp_real)(theta[i] + (fabs((double)theta[i]) + d.eta) * w[i]);
        r = llp__sharp_loss(f, x, batch, &t.evals, 0, &lk);
        if (r == LLP_OK && lk > best) best = lk;
    }
    LLP_FREE(x);
    if (r != LLP_OK) return r;
    t.loss0 = l0;
    t.loss_max = best;
    t.radius = d.rho;
    t.fixed_point = fixed;
    t.sharpness = best - l0;
    *res = t;
    return LLP_OK;
}

/* E(sigma) = mean_j L(theta + sigma s u_j) - l0 over the M rows of u. */
static llp_result llp__sharp_pb_dev(const llp_objective *f, const llp_real *theta, const llp_batch *batch,
                                    const llp_real *u, size_t m, int magnitude, double eta, double sigma,
                                    double l0, llp_real *x, llp_evals *ev, double *out) {
    size_t n = f->n, i, j;
    double sum = 0, lj = 0;
    llp_result r;
    for (j = 0; j < m; j++) {
        const llp_real *uj = u + j * n;
        for (i = 0; i < n; i++) {
            double si = magnitude ? fabs((double)theta[i]) + eta : 1.0;
            x[i] = (llp_real)(theta[i] + sigma * si * uj[i]);
        }
        r = llp__sharp_loss(f, x, batch, ev, 0, &lj);
        if (r != LLP_OK) return r;
        sum += lj;
    }
    *out = sum / (double)m - l0;
    return LLP_OK;
}

LLPDEF llp_result llp_pacbayes_sigma(const llp_objective *f, const llp_real *theta, const llp_batch *batch,
                                     const llp_pacbayes_desc *desc, llp_rng *rng, llp_pacbayes_result *res) {
    llp_pacbayes_desc d;
    llp_pacbayes_result t;
    llp_real *x, *u;
    size_t n, m;
    double l0 = 0, delta = 0, lo, hi, elo = 0, ehi = 0, e = 0;
    llp_result r;
    if (!res || !rng) return LLP_ERR_ARG;
    r = llp__sharp_check(f, theta, batch);
    if (r != LLP_OK) return r;
    n = f->n;
    if (desc)
        d = *desc;
    else
        memset(&d, 0, sizeof d);
    if (d.delta == 0) d.delta = 0.1;
    if (d.samples == 0) d.samples = 10;
    if (d.sigma_lo == 0 && d.sigma_hi == 0) {
        d.sigma_lo = 1e-6;
        d.sigma_hi = 10;
    }
    if (d.tol == 0) d.tol = 1e-6;
    if (!llp__sharp_pos(d.delta) || (unsigned)d.mode > (unsigned)LLP_SHARP_DELTA_KESKAR ||
        !llp__sharp_pos(d.sigma_lo) || !llp__sharp_pos(d.sigma_hi) || !(d.sigma_lo < d.sigma_hi) ||
        !llp__sharp_pos(d.tol) || !(d.eta >= 0) || !llp__isfinite(d.eta))
        return LLP_ERR_ARG;
    m = d.samples;
    x = llp__alloc_reals(llp__mul(m + 1 > m ? m + 1 : 0, n));
    if (!x) return LLP_ERR_NOMEM;
    u = x + n;
    memset(&t, 0, sizeof t);
    r = llp__sharp_loss(f, theta, batch, &t.evals, 0, &l0);
    if (r == LLP_OK) {
        delta = llp__sharp_delta(d.mode, d.delta, l0);
        if (!llp__sharp_pos(delta)) r = LLP_ERR_ARG;
    }
    if (r == LLP_OK) {
        llp_rng_fill_normal(rng, u, m * n);
        lo = d.sigma_lo;
        hi = d.sigma_hi;
        r = llp__sharp_pb_dev(f, theta, batch, u, m, d.magnitude, d.eta, hi, l0, x, &t.evals, &ehi);
        if (r == LLP_OK && ehi <= delta) {
            t.censored = 1;
            lo = hi;
            e = ehi;
        } else if (r == LLP_OK) {
            r = llp__sharp_pb_dev(f, theta, batch, u, m, d.magnitude, d.eta, lo, l0, x, &t.evals, &elo);
            if (r == LLP_OK && elo > delta) {
                t.censored = -1;
                hi = lo;
                e = elo;
            } else {
                e = elo;
                while (r == LLP_OK && hi / lo > 1.0 + d.tol) {
                    double mid = sqrt(lo * hi), em = 0;
                    if (!(mid > lo && mid < hi)) break; /* the bracket cannot shrink further */
                    r = llp__sharp_pb_dev(f, theta, batch, u, m, d.magnitude, d.eta, mid, l0, x, &t.evals, &em);
                    if (r != LLP_OK) break;
                    t.iterations++;
                    if (em <= delta) {
                        lo = mid;
                        e = em;
                    } else {
                        hi = mid;
                    }
                }
            }
        }
        if (r == LLP_OK) {
            t.sigma = lo;
            t.sigma_lo = lo;
            t.sigma_hi = hi;
            t.measure = 1.0 / (lo * lo);
            t.deviation = e;
            t.delta = delta;
            t.loss0 = l0;
        }
    }
    LLP_FREE(x);
    if (r != LLP_OK) return r;
    *res = t;
    return LLP_OK;
}

/* alpha* along theta + alpha d (d unit) for the threshold delta; *cens = 1 when not reached. */
static llp_result llp__sharp_basin_line(const llp_objective *f, const llp_real *theta, const llp_batch *batch,
                                        const llp_real *dir, double sign, double l0, double delta, double a0,
                                        double amax, double tol, llp_real *x, llp_evals *ev, double *alpha,
                                        int *cens) {
    size_t n = f->n, i;
    double lo = 0, hi = 0, a = a0, l = 0;
    llp_result r;
    for (;;) {
        for (i = 0; i < n; i++) x[i] = (llp_real)(theta[i] + sign * a * dir[i]);
        r = llp__sharp_loss(f, x, batch, ev, 1, &l);
        if (r != LLP_OK) return r;
        if (l - l0 >= delta) {
            hi = a;
            break;
        }
        lo = a;
        if (a >= amax) {
            *alpha = amax;
            *cens = 1;
            return LLP_OK;
        }
        a = 2 * a < amax ? 2 * a : amax;
    }
    while (hi - lo > tol * hi) {
        double mid = 0.5 * (lo + hi);
        if (!(mid > lo && mid < hi)) break;
        for (i = 0; i < n; i++) x[i] = (llp_real)(theta[i] + sign * mid * dir[i]);
        r = llp__sharp_loss(f, x, batch, ev, 1, &l);
        if (r != LLP_OK) return r;
        if (l - l0 >= delta)
            hi = mid;
        else
            lo = mid;
    }
    *alpha = 0.5 * (lo + hi);
    *cens = 0;
    return LLP_OK;
}

LLPDEF llp_result llp_basin_width(const llp_objective *f, const llp_real *theta, const llp_batch *batch,
                                  const llp_basin_desc *desc, llp_rng *rng, double *widths, llp_basin_result *res) {
    llp_basin_desc d;
    llp_basin_result t;
    llp_real *x, *dir;
    double *al, l0 = 0, delta = 0, s;
    size_t n, i, k, nd, cens = 0;
    llp_result r;
    if (!res) return LLP_ERR_ARG;
    r = llp__sharp_check(f, theta, batch);
    if (r != LLP_OK) return r;
    n = f->n;
    if (desc)
        d = *desc;
    else
        memset(&d, 0, sizeof d);
    if (d.dirs) {
        if (d.n_dirs == 0) return LLP_ERR_ARG;
        nd = d.n_dirs;
        for (k = 0; k < nd; k++) {
            double nr = llp_nrm2(d.dirs + k * n, n);
            if (!llp__sharp_pos(nr)) return LLP_ERR_ARG;
        }
    } else {
        if (!rng) return LLP_ERR_ARG;
        nd = d.directions ? d.directions : 10;
    }
    s = llp_nrm2(theta, n);
    if (!(s > 0)) s = 1;
    if (d.delta == 0) d.delta = 0.1;
    if (d.alpha0 == 0) d.alpha0 = 1e-3 * s;
    if (d.alpha_max == 0) d.alpha_max = 10 * s;
    if (d.tol == 0) d.tol = 1e-3;
    if (!llp__sharp_pos(d.delta) || (unsigned)d.mode > (unsigned)LLP_SHARP_DELTA_KESKAR ||
        !llp__sharp_pos(d.alpha0) || !llp__sharp_pos(d.alpha_max) || !(d.alpha0 < d.alpha_max) ||
        !(d.tol > 0 && d.tol < 1))
        return LLP_ERR_ARG;
    x = llp__alloc_reals(llp__mul(2, n));
    al = llp__alloc_doubles(llp__mul(2, nd));
    if (!x || !al) {
        LLP_FREE(x);
        LLP_FREE(al);
        return LLP_ERR_NOMEM;
    }
    dir = x + n;
    memset(&t, 0, sizeof t);
    r = llp__sharp_loss(f, theta, batch, &t.evals, 0, &l0);
    if (r == LLP_OK) {
        delta = llp__sharp_delta(d.mode, d.delta, l0);
        if (!llp__sharp_pos(delta)) r = LLP_ERR_ARG;
    }
    for (k = 0; k < nd && r == LLP_OK; k++) {
        double nr;
        int c0 = 0, c1 = 0;
        if (d.dirs)
            llp_copy(d.dirs + k * n, dir, n);
        else
            llp_rng_fill_normal(rng, dir, n);
        nr = llp_nrm2(dir, n);
        if (nr > 0)
            for (i = 0; i < n; i++) dir[i] = (llp_real)(dir[i] / nr);
        r = llp__sharp_basin_line(f, theta, batch, dir, 1.0, l0, delta, d.alpha0, d.alpha_max, d.tol, x, &t.evals,
                                  &al[2 * k], &c0);
        if (r == LLP_OK)
            r = llp__sharp_basin_line(f, theta, batch, dir, -1.0, l0, delta, d.alpha0, d.alpha_max, d.tol, x,
                                      &t.evals, &al[2 * k + 1], &c1);
        cens += (size_t)(c0 + c1);
    }
    if (r == LLP_OK) {
        t.width = llp_estimate_of(al, 2 * nd);
        t.censored = cens;
        t.half_lines = 2 * nd;
        t.delta = delta;
        t.loss0 = l0;
        t.alpha0 = d.alpha0;
        t.alpha_max = d.alpha_max;
        if (widths) memcpy(widths, al, 2 * nd * sizeof(double));
    }
    LLP_FREE(x);
    LLP_FREE(al);
    if (r != LLP_OK) return r;
    *res = t;
    return LLP_OK;
}

/* ---- gradient statistics (llp__gstat_*) ---- */

/* One batch of b of ns samples: partial Fisher–Yates on perm (see the
   declarations); the batch is perm[0..b). */
static void llp__gstat_draw(llp_rng *rng, size_t *perm, size_t ns, size_t b) {
    size_t i;
    for (i = 0; i < b; i++) {
        size_t j = i + (size_t)llp_rng_below(rng, (uint64_t)(ns - i)), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}

static size_t *llp__gstat_perm(size_t ns) {
    size_t bytes = llp__mul(ns, sizeof(size_t)), i, *p;
    if (!bytes) return NULL;
    p = (size_t *)LLP_MALLOC(bytes);
    if (p)
        for (i = 0; i < ns; i++) p[i] = i;
    return p;
}

/* Gradient over the batch perm[0..b); g2 (may be NULL) gets |g|^2 (double). */
static llp_result llp__gstat_grad(const llp_objective *f, const llp_real *theta, const size_t *perm, size_t b,
                                  llp_real *g, double *g2, llp_evals *ev) {
    llp_batch bt = llp_batch_index(perm, b);
    llp_real loss = 0;
    llp_result r = llp_objective_loss_grad(f, theta, &bt, &loss, g);
    ev->grad++;
    ev->batches++;
    if (r != LLP_OK) return r;
    if (!llp_all_finite(g, f->n)) return LLP_ERR_NONFINITE;
    if (g2) {
        double nr = llp_nrm2(g, f->n);
        *g2 = nr * nr;
    }
    return LLP_OK;
}

LLPDEF llp_result llp_grad_noise_scale(const llp_objective *f, const llp_real *theta, const llp_grad_noise_desc *desc,
                                       llp_rng *rng, llp_grad_noise_result *res) {
    llp_grad_noise_desc d;
    llp_grad_noise_result t;
    size_t ns, n, p, *perm = NULL;
    llp_real *g = NULL;
    double *buf = NULL, *gs, *gb, *eg, *es, us, ub, N;
    llp_result r = LLP_OK;
    if (!f || !f->loss_grad || !theta || !rng || !res || f->n == 0 || f->n_samples == 0) return LLP_ERR_ARG;
    ns = f->n_samples;
    n = f->n;
    if (desc)
        d = *desc;
    else
        memset(&d, 0, sizeof d);
    if (!d.b_small) {
        if (d.b_big)
            d.b_small = d.b_big / 8 > 1 ? d.b_big / 8 : 1;
        else
            d.b_small = ns / 8 < 32 ? (ns / 8 > 1 ? ns / 8 : 1) : 32;
    }
    if (!d.b_big) d.b_big = d.b_small <= ns / 8 ? 8 * d.b_small : ns;
    if (!d.pairs) d.pairs = 20;
    if (d.b_small >= d.b_big || d.b_big > ns || d.pairs < 2 || d.infinite_population < 0 ||
        d.infinite_population > 1)
        return LLP_ERR_ARG;
    N = (double)ns;
    if (d.infinite_population) {
        us = 1.0 / (double)d.b_small;
        ub = 1.0 / (double)d.b_big;
    } else {
        us = (N - (double)d.b_small) / ((double)d.b_small * (N - 1));
        ub = (N - (double)d.b_big) / ((double)d.b_big * (N - 1));
    }
    perm = llp__gstat_perm(ns);
    g = llp__alloc_reals(n);
    buf = llp__alloc_doubles(llp__mul(4, d.pairs));
    if (!perm || !g || !buf) {
        LLP_FREE(perm);
        LLP_FREE(g);
        LLP_FREE(buf);
        return LLP_ERR_NOMEM;
    }
    gs = buf;
    gb = gs + d.pairs;
    eg = gb + d.pairs;
    es = eg + d.pairs;
    memset(&t, 0, sizeof t);
    for (p = 0; p < d.pairs && r == LLP_OK; p++) {
        llp__gstat_draw(rng, perm, ns, d.b_big);
        r = llp__gstat_grad(f, theta, perm, d.b_small, g, &gs[p], &t.evals);
        if (r == LLP_OK) r = llp__gstat_grad(f, theta, perm, d.b_big, g, &gb[p], &t.evals);
        if (r != LLP_OK) break;
        eg[p] = (us * gb[p] - ub * gs[p]) / (us - ub);
        es[p] = (gs[p] - gb[p]) / (us - ub);
    }
    if (r == LLP_OK) {
        double mg, ms, vg = 0, vs = 0, cv = 0, P = (double)d.pairs;
        t.g2 = llp_estimate_of(eg, d.pairs);
        t.s = llp_estimate_of(es, d.pairs);
        t.g2_small = llp_estimate_of(gs, d.pairs);
        t.g2_big = llp_estimate_of(gb, d.pairs);
        mg = t.g2.value;
        ms = t.s.value;
        for (p = 0; p < d.pairs; p++) {
            vg += (eg[p] - mg) * (eg[p] - mg);
            vs += (es[p] - ms) * (es[p] - ms);
            cv += (eg[p] - mg) * (es[p] - ms);
        }
        vg /= P - 1;
        vs /= P - 1;
        cv /= P - 1;
        if (mg > 0) {
            double rr = ms / mg, v = (vs - 2 * rr * cv + rr * rr * vg) / (P * mg * mg);
            t.b_simple = rr;
            t.b_simple_se = sqrt(v > 0 ? v : 0);
        } else {
            t.b_simple = NAN;
            t.b_simple_se = NAN;
        }
        t.b_small = d.b_small;
        t.b_big = d.b_big;
        t.pairs = d.pairs;
        t.fpc = !d.infinite_population;
    }
    LLP_FREE(perm);
    LLP_FREE(g);
    LLP_FREE(buf);
    if (r != LLP_OK) return r;
    *res = t;
    return LLP_OK;
}

LLPDEF llp_result llp_grad_batch_stats(const llp_objective *f, const llp_real *theta, const llp_grad_batch_desc *desc,
                                       llp_rng *rng, llp_grad_batch_result *res) {
    llp_grad_batch_desc d;
    llp_grad_batch_result t;
    size_t ns, n, M, j, k, *perm = NULL;
    llp_real *G = NULL;
    double *gram = NULL, *nrm, *loo;
    llp_result r = LLP_OK;
    if (!f || !f->loss_grad || !theta || !rng || !res || f->n == 0 || f->n_samples == 0) return LLP_ERR_ARG;
    ns = f->n_samples;
    n = f->n;
    if (desc)
        d = *desc;
    else
        memset(&d, 0, sizeof d);
    if (!d.batches) d.batches = 10;
    if (!d.batch_size) d.batch_size = ns < 32 ? ns : 32;
    M = d.batches;
    if (M < 2 || d.batch_size > ns || M > ((size_t)-1) / 16 / (M + 2)) return LLP_ERR_ARG;
    perm = llp__gstat_perm(ns);
    G = llp__alloc_reals(llp__mul(M, n));
    gram = llp__alloc_doubles(M * M + 2 * M);
    if (!perm || !G || !gram) {
        LLP_FREE(perm);
        LLP_FREE(G);
        LLP_FREE(gram);
        return LLP_ERR_NOMEM;
    }
    nrm = gram + M * M;
    loo = nrm + M;
    memset(&t, 0, sizeof t);
    for (j = 0; j < M && r == LLP_OK; j++) {
        llp__gstat_draw(rng, perm, ns, d.batch_size);
        r = llp__gstat_grad(f, theta, perm, d.batch_size, G + j * n, NULL, &t.evals);
        if (r == LLP_OK) nrm[j] = llp_nrm2(G + j * n, n);
    }
    if (r == LLP_OK) {
        double sum = 0, cmin = HUGE_VAL, cmax = -HUGE_VAL, npairs = (double)M * (double)(M - 1) / 2;
        int zero = 0;
        t.norm = llp_estimate_of(nrm, M);
        {
            double v = 0;
            for (j = 0; j < M; j++) v += (nrm[j] - t.norm.value) * (nrm[j] - t.norm.value);
            t.norm_var = v / (double)(M - 1);
        }
        t.norm_cv = t.norm.value > 0 ? sqrt(t.norm_var) / t.norm.value : NAN;
        for (j = 0; j < M; j++)
            if (!(nrm[j] > 0)) zero = 1;
        for (j = 0; j < M; j++) gram[j * M + j] = 0;
        for (j = 0; j < M && !zero; j++)
            for (k = j + 1; k < M; k++) {
                double c = llp_dot(G + j * n, G + k * n, n) / (nrm[j] * nrm[k]);
                gram[j * M + k] = gram[k * M + j] = c;
                sum += c;
                if (c < cmin) cmin = c;
                if (c > cmax) cmax = c;
            }
        if (zero) {
            t.cosine.value = t.cosine.se = NAN;
            t.cos_min = t.cos_max = NAN;
        } else {
            t.cosine.value = sum / npairs;
            t.cosine.se = NAN;
            t.cos_min = cmin;
            t.cos_max = cmax;
            if (M >= 3) { /* jackknife over batches: the mean over pairs without batch j */
                double rest = (double)(M - 1) * (double)(M - 2) / 2, lm = 0, v = 0;
                for (j = 0; j < M; j++) {
                    double row = 0;
                    for (k = 0; k < M; k++) row += gram[j * M + k];
                    loo[j] = (sum - row) / rest;
                    lm += loo[j];
                }
                lm /= (double)M;
                for (j = 0; j < M; j++) v += (loo[j] - lm) * (loo[j] - lm);
                t.cosine.se = sqrt(v * (double)(M - 1) / (double)M);
            }
        }
        t.cosine.samples = M;
        t.batches = M;
        t.batch_size = d.batch_size;
    }
    LLP_FREE(perm);
    LLP_FREE(G);
    LLP_FREE(gram);
    if (r != LLP_OK) return r;
    *res = t;
    return LLP_OK;
}

LLPDEF llp_result llp_grad_curvature(const llp_objective *f, const llp_real *theta, const llp_grad_curvature_desc *desc,
                                     llp_grad_curvature_result *res) {
    llp_grad_curvature_desc d;
    llp_grad_curvature_result t;
    llp_real *g = NULL, *hg, loss = 0;
    double gn, ghg;
    size_t n;
    llp_result r;
    if (!f || !f->loss_grad || !theta || !res || f->n == 0) return LLP_ERR_ARG;
    n = f->n;
    if (desc)
        d = *desc;
    else
        memset(&d, 0, sizeof d);
    if (!(d.lambda_max >= 0) || !llp__isfinite(d.lambda_max) || !(d.fd_step >= 0) || !llp__isfinite(d.fd_step) ||
        d.fd_probe < 0 || d.fd_probe > 1)
        return LLP_ERR_ARG;
    if (f->n_samples && d.batch && llp__batch_check(d.batch, f->n_samples) != LLP_OK) return LLP_ERR_ARG;
    g = llp__alloc_reals(llp__mul(2, n));
    if (!g) return LLP_ERR_NOMEM;
    hg = g + n;
    memset(&t, 0, sizeof t);
    r = llp_objective_loss_grad(f, theta, d.batch, &loss, g);
    t.evals.grad++;
    if (r == LLP_OK && (!llp__isfinite((double)loss) || !llp_all_finite(g, n))) r = LLP_ERR_NONFINITE;
    gn = r == LLP_OK ? llp_nrm2(g, n) : 0;
    if (r == LLP_OK && !(gn > 0)) r = LLP_ERR_ARG; /* no direction at a stationary point */
    if (r == LLP_OK) {
        llp_scale((llp_real)(1.0 / gn), g, n); /* ghat */
        r = llp_objective_hvp(f, theta, g, d.batch, hg);
        llp__count_hvp(f, &t.evals, 1, 0);
        if (r == LLP_OK && !llp_all_finite(hg, n)) r = LLP_ERR_NONFINITE;
    }
    if (r == LLP_OK) {
        /* ghat is unit to rounding; divide by its norm^2 anyway (the Rayleigh quotient) */
        double gg = llp_dot(g, g, n);
        ghg = llp_dot(g, hg, n) / gg;
        t.loss = loss;
        t.grad_norm = gn;
        t.ghg = ghg;
        t.hg_norm = llp_nrm2(hg, n) / sqrt(gg);
        t.hg_cos = t.hg_norm > 0 ? ghg / t.hg_norm : NAN;
        if (ghg > 0) {
            t.eta_star = 1.0 / ghg;
            t.step_star = gn / ghg;
            t.model_decrease = gn * gn / (2.0 * ghg);
        } else {
            t.eta_star = t.step_star = t.model_decrease = HUGE_VAL;
        }
        t.rayleigh_ratio = d.lambda_max > 0 ? ghg / d.lambda_max : NAN;
        t.fd_gdiff = t.fd_dir = t.fd_step = NAN;
    }
    LLP_FREE(g);
    if (r == LLP_OK && d.fd_probe) {
        llp_probe_desc pd;
        llp_probe_result pr;
        llp_batch_policy bp = llp_batch_policy_fixed(d.batch);
        memset(&pd, 0, sizeof pd);
        pd.dir = LLP_DIRECTION_GRADIENT;
        pd.probes = 1;
        pd.step = d.fd_step;
        r = llp_hessian_probe(f, theta, &bp, &pd, NULL, &pr);
        if (r == LLP_OK) {
            t.fd_gdiff = pr.gdiff;
            t.fd_dir = pr.dir_fd;
            t.fd_step = pr.step;
            t.evals.loss += pr.evals.loss;
            t.evals.grad += pr.evals.grad;
            t.evals.hvp += pr.evals.hvp;
            t.evals.batches += pr.evals.batches;
        }
    }
    if (r != LLP_OK) return r;
    *res = t;
    return LLP_OK;
}

LLPDEF llp_result llp_hessian_panel(const llp_objective *f, const llp_real *theta, const llp_batch_policy *bp,
                                    const llp_hessian_panel_desc *desc, llp_rng *rng, llp_hessian_panel_result *res) {
    llp_hessian_panel_desc d;
    llp_hessian_panel_result t;
    llp_lanczos_desc ld;
    llp_trace_desc td;
    llp_eig_result er;
    llp_trace_result tr;
    size_t n;
    llp_result r;
    if (!f || !f->loss_grad || !theta || !rng || !res || f->n == 0) return LLP_ERR_ARG;
    n = f->n;
    if (desc)
        d = *desc;
    else
        memset(&d, 0, sizeof d);
    if (!d.lanczos_steps) d.lanczos_steps = 30;
    if (!d.trace_probes) d.trace_probes = 30;
    if (!d.slq_runs) d.slq_runs = 4;
    if (!d.slq_steps) d.slq_steps = 30;
    if (!d.k) d.k = n < 10 ? n : 10;
    if (d.trace_probes < 2 || d.k > n || !(d.eta >= 0) || !llp__isfinite(d.eta) || !(d.rel_tol >= 0) ||
        d.no_slq < 0 || d.no_slq > 1 || !(d.lanczos_tol >= 0))
        return LLP_ERR_ARG;
    memset(&t, 0, sizeof t);
    /* extremes */
    memset(&ld, 0, sizeof ld);
    ld.max_steps = d.lanczos_steps;
    ld.tol = d.lanczos_tol;
    ld.k_largest = 1;
    ld.k_smallest = (d.lanczos_steps < n ? d.lanczos_steps : n) >= 2 ? 1 : 0; /* n = 1: one eigenvalue */
    r = llp_lanczos(f, theta, bp, &ld, rng, &er);
    if (r != LLP_OK) return r;
    t.lambda_max = er.values[0];
    t.lambda_max_residual = er.residuals[0];
    if (ld.k_smallest) {
        t.lambda_min = er.values[1];
        t.lambda_min_residual = er.residuals[1];
        t.converged = er.converged[0] && er.converged[1];
    } else {
        t.lambda_min = t.lambda_max;
        t.lambda_min_residual = t.lambda_max_residual;
        t.converged = er.converged[0];
    }
    t.lanczos_evals = er.evals;
    memcpy(t.batch, er.batch, sizeof t.batch);
    llp_eig_result_free(&er);
    t.cond_extreme = t.lambda_min > 0 ? t.lambda_max / t.lambda_min : NAN;
    /* trace */
    memset(&td, 0, sizeof td);
    td.min_samples = td.max_samples = d.trace_probes;
    r = llp_hutchinson(f, theta, bp, &td, rng, &tr);
    if (r != LLP_OK) return r;
    t.trace.value = tr.trace;
    t.trace.se = tr.std_error;
    t.trace.samples = tr.samples;
    t.trace_evals = tr.evals;
    /* density */
    t.neg_ratio = t.cond_pos = t.cond_k = t.cond_mean = NAN;
    if (!d.no_slq) {
        llp_slq_desc sd;
        llp_slq_result sr;
        memset(&sd, 0, sizeof sd);
        sd.runs = d.slq_runs;
        sd.steps = d.slq_steps;
        r = llp_slq(f, theta, bp, &sd, rng, &sr);
        if (r != LLP_OK) return r;
        t.slq_evals = sr.evals;
        r = llp_slq_stats(&sr, d.k, d.rel_tol, &t.spectrum);
        llp_slq_free(&sr);
        if (r != LLP_OK) return r;
        t.neg_ratio = t.spectrum.neg_ratio;
        t.cond_pos = t.spectrum.cond_pos;
        t.cond_k = t.spectrum.cond_k;
        t.cond_mean = t.spectrum.cond_mean;
    }
    t.eta = d.eta > 0 ? d.eta : NAN;
    t.eta_lambda_max = d.eta > 0 ? d.eta * t.lambda_max : NAN;
    t.lr_edge = t.lambda_max > 0 ? 2.0 / t.lambda_max : HUGE_VAL;
    llp__evals_add(&t.evals, &t.lanczos_evals);
    llp__evals_add(&t.evals, &t.trace_evals);
    llp__evals_add(&t.evals, &t.slq_evals);
    *res = t;
    return LLP_OK;
}

LLPDEF llp_result llp_lr_stability(const llp_objective *f, const llp_real *theta, const llp_opt_desc *od,
                                   const llp_lr_stability_desc *desc, llp_rng *rng, llp_lr_stability_result *res) {
    llp_lr_stability_desc d;
    llp_lr_stability_result t;
    llp_lanczos_desc ld;
    llp_eig_result er;
    llp_opt_desc sgd;
    llp__counter cnt;
    llp_objective cf;
    llp_lr_find_result fr;
    llp_result r;
    if (!f || !f->loss_grad || !theta || !rng || !res || f->n == 0) return LLP_ERR_ARG;
    if (desc)
        d = *desc;
    else
        memset(&d, 0, sizeof d);
    if (!d.lanczos_steps) d.lanczos_steps = 30;
    if (!od) {
        memset(&sgd, 0, sizeof sgd);
        sgd.kind = LLP_OPT_SGD;
        sgd.lr = 1; /* replaced by the sweep */
        od = &sgd;
    }
    memset(&t, 0, sizeof t);
    memset(&ld, 0, sizeof ld);
    ld.k_largest = 1;
    ld.max_steps = d.lanczos_steps;
    r = llp_lanczos(f, theta, d.policy, &ld, rng, &er);
    if (r != LLP_OK) return r;
    t.lambda_max = er.values[0];
    t.lambda_max_residual = er.residuals[0];
    t.evals = er.evals;
    llp_eig_result_free(&er);
    cf = llp__counted(f, &cnt, &t.evals, 0);
    r = llp_lr_find(&cf, theta, od, &d.find, &fr);
    if (r != LLP_OK) return r;
    t.lr_edge = t.lambda_max > 0 ? 2.0 / t.lambda_max : HUGE_VAL;
    t.max_stable = fr.max_stable;
    t.suggested = fr.suggested;
    t.best = fr.best;
    t.ratio = t.max_stable / t.lr_edge;
    t.stopped_early = fr.stopped_early;
    t.steps = fr.n;
    llp_lr_find_free(&fr);
    *res = t;
    return LLP_OK;
}

/* ---- input probes ---- */

/* The sign as llp_real, 0 for 0 (and for NaN, which the callers rule out). */
static llp_real llp__multi_sign(llp_real x) { return x > 0 ? (llp_real)1 : x < 0 ? (llp_real)-1 : (llp_real)0; }

/* Per-sample data losses and correctness (NaN for regression) of the m rows
   of sub at m's parameters, in chunks of w->max_batch. out: (max_batch, k). */
static llp_result llp__multi_forward(const llp_mlp *m, const llp_real *theta, const llp_data *sub, llp_mlp_work *w,
                                     llp_real *out, double *loss, double *corr) {
    size_t s, b, k = (size_t)m->sizes[m->n_layers], d = sub->d;
    for (s = 0; s < sub->n; s += w->max_batch) {
        size_t B = sub->n - s < w->max_batch ? sub->n - s : w->max_batch;
        llp_result r = llp_mlp_forward(m, theta, sub->x + s * d, B, out, w);
        if (r != LLP_OK) return r;
        for (b = 0; b < B; b++) {
            size_t row = s + b;
            loss[row] = llp__loss_forward_backward(m->loss, sub, &row, 1, out + b * k, NULL, k, 1.0);
            if (!llp__isfinite(loss[row])) return LLP_ERR_NONFINITE;
            corr[row] = sub->task == LLP_TASK_CLASSIFICATION ? (double)llp__count_correct(sub, &row, out + b * k, 1, k)
                                                             : NAN;
        }
    }
    return LLP_OK;
}

/* Per-sample input gradients of the m rows of sub: g (m, d) out. */
static llp_result llp__multi_input_grad(const llp_mlp *m, const llp_real *theta, const llp_data *sub, llp_mlp_work *w,
                                        llp_real *g) {
    size_t s, d = sub->d;
    for (s = 0; s < sub->n; s += w->max_batch) {
        size_t B = sub->n - s < w->max_batch ? sub->n - s : w->max_batch;
        llp_batch bt = llp_batch_range(s, B);
        llp_real l;
        /* the rows are gradients of the chunk's MEAN loss: times B per sample */
        llp_result r = llp_mlp_input_grad(m, theta, sub, &bt, g + s * d, &l, w);
        if (r != LLP_OK) return r;
        llp_scale((llp_real)B, g + s * d, B * d);
    }
    return llp_all_finite(g, sub->n * d) ? LLP_OK : LLP_ERR_NONFINITE;
}

/* x <- clip(x + step sign(g), x0 - e, x0 + e) elementwise; FGSM is step = e
   from x = x0, whose result is x0 + e or x0 - e, the same bits as the clip. */
static void llp__multi_ascend(llp_real *x, const llp_real *x0, const llp_real *g, size_t len, llp_real step,
                              llp_real e) {
    size_t i;
    for (i = 0; i < len; i++) {
        llp_real s = llp__multi_sign(g[i]), v;
        llp_real hi = x0[i] + e, lo = x0[i] - e;
        if (s == 0) continue;
        v = x[i] + step * s;
        if (v > hi) v = hi;
        if (v < lo) v = lo;
        x[i] = v;
    }
}

static double llp__multi_mean(const double *x, size_t n) {
    double s = 0;
    size_t i;
    for (i = 0; i < n; i++) s += x[i];
    return n ? s / (double)n : NAN;
}

LLPDEF llp_result llp_input_probe(const llp_mlp *m, const llp_real *theta, const llp_data *data,
                                  const llp_batch *batch, const llp_input_probe_desc *desc,
                                  llp_input_probe_result *res) {
    llp_input_probe_desc dd;
    llp_input_probe_result t;
    llp_mlp_work w;
    llp_data sub;
    llp_result r;
    size_t total, i, d, k, len, chunk, s;
    size_t *idx = NULL;
    llp_real *x0 = NULL, *g = NULL, *out = NULL;
    double *buf = NULL, *l0, *lf, *lp, *c0, *cf, *cp, *a, *b;
    llp_real e, step;
    int classif;
    if (!m || !theta || !data || !data->x || !res) return LLP_ERR_ARG;
    memset(&dd, 0, sizeof dd);
    if (desc) dd = *desc;
    if (dd.eps == 0) dd.eps = 0.1;
    if (dd.pgd_steps == 0) dd.pgd_steps = 5;
    if (dd.pgd_alpha == 0) dd.pgd_alpha = 2.5 * dd.eps / (double)dd.pgd_steps;
    if (!(dd.eps > 0) || !llp__isfinite(dd.eps) || !(dd.pgd_alpha > 0) || !llp__isfinite(dd.pgd_alpha))
        return LLP_ERR_ARG;
    r = llp_mlp_check_data(m, data, NULL);
    if (r != LLP_OK) return r;
    r = llp__batch_check(batch, data->n);
    if (r != LLP_OK) return r;
    total = llp_batch_size(batch, data->n);
    d = data->d;
    k = (size_t)m->sizes[m->n_layers];
    len = llp__mul(total, d);
    if (!len || !llp__mul(len, 2 * sizeof(llp_real)) || !llp__mul(total, 8 * sizeof(double)) ||
        !llp__mul(total, sizeof(size_t)))
        return LLP_ERR_NOMEM;
    /* the rows probed, copied: the attacks work on the copy's inputs */
    idx = (size_t *)LLP_MALLOC(total * sizeof(size_t));
    if (!idx) return LLP_ERR_NOMEM;
    for (i = 0; i < total; i++)
        idx[i] = !batch || batch->kind == LLP_BATCH_ALL ? i
                 : batch->kind == LLP_BATCH_RANGE      ? batch->start + i
                                                       : batch->index[i];
    r = llp_data_subset(data, idx, total, &sub);
    LLP_FREE(idx);
    if (r != LLP_OK) return r;
    r = llp_data_validate(&sub, NULL);
    if (r != LLP_OK) {
        llp_data_free(&sub);
        return r;
    }
    chunk = total < 256 ? total : 256;
    memset(&w, 0, sizeof w);
    r = llp_mlp_work_init(&w, m, chunk);
    if (r != LLP_OK) {
        llp_data_free(&sub);
        return r;
    }
    x0 = (llp_real *)LLP_MALLOC(2 * len * sizeof(llp_real));
    out = (llp_real *)LLP_MALLOC(llp__mul(chunk, k) * sizeof(llp_real));
    buf = (double *)LLP_MALLOC(8 * total * sizeof(double));
    if (!x0 || !out || !buf) {
        r = LLP_ERR_NOMEM;
        goto done;
    }
    g = x0 + len;
    l0 = buf, lf = buf + total, lp = buf + 2 * total;
    c0 = buf + 3 * total, cf = buf + 4 * total, cp = buf + 5 * total;
    a = buf + 6 * total, b = buf + 7 * total;
    classif = sub.task == LLP_TASK_CLASSIFICATION;
    memset(&t, 0, sizeof t);
    t.samples = total;
    t.eps = dd.eps;
    llp_copy(sub.x, x0, len);
    e = (llp_real)dd.eps;
    step = (llp_real)dd.pgd_alpha;
    /* clean losses, then the input gradient at x */
    r = llp__multi_forward(m, theta, &sub, &w, out, l0, c0);
    t.evals.loss++;
    if (r != LLP_OK) goto done;
    r = llp__multi_input_grad(m, theta, &sub, &w, g);
    t.evals.grad++;
    if (r != LLP_OK) goto done;
    for (i = 0; i < total; i++) {
        a[i] = llp_nrm2(g + i * d, d);
        b[i] = llp_nrm1(g + i * d, d);
    }
    t.grad_l2 = llp_estimate_of(a, total);
    t.grad_l1 = llp_estimate_of(b, total);
    t.first_order = dd.eps * t.grad_l1.value;
    t.loss_clean = llp__multi_mean(l0, total);
    /* FGSM */
    llp__multi_ascend(sub.x, x0, g, len, e, e);
    r = llp__multi_forward(m, theta, &sub, &w, out, lf, cf);
    t.evals.loss++;
    if (r != LLP_OK) goto done;
    t.loss_fgsm = llp__multi_mean(lf, total);
    for (i = 0; i < total; i++) a[i] = lf[i] - l0[i], b[i] = c0[i] - cf[i];
    t.fgsm_increase = llp_estimate_of(a, total);
    t.fgsm_acc_drop = llp_estimate_of(b, total);
    /* PGD: the first step reuses the gradient at x */
    t.pgd_alpha = dd.no_pgd ? NAN : dd.pgd_alpha;
    t.pgd_steps = dd.no_pgd ? 0 : dd.pgd_steps;
    t.loss_pgd = NAN;
    t.acc_pgd = NAN;
    t.pgd_increase = llp_estimate_of(NULL, 0);
    t.pgd_acc_drop = llp_estimate_of(NULL, 0);
    if (!dd.no_pgd) {
        llp_copy(x0, sub.x, len);
        llp__multi_ascend(sub.x, x0, g, len, step, e);
        for (s = 1; s < dd.pgd_steps; s++) {
            r = llp__multi_input_grad(m, theta, &sub, &w, g);
            t.evals.grad++;
            if (r != LLP_OK) goto done;
            llp__multi_ascend(sub.x, x0, g, len, step, e);
        }
        r = llp__multi_forward(m, theta, &sub, &w, out, lp, cp);
        t.evals.loss++;
        if (r != LLP_OK) goto done;
        t.loss_pgd = llp__multi_mean(lp, total);
        for (i = 0; i < total; i++) a[i] = lp[i] - l0[i], b[i] = c0[i] - cp[i];
        t.pgd_increase = llp_estimate_of(a, total);
        t.pgd_acc_drop = llp_estimate_of(b, total);
        if (classif) t.acc_pgd = llp__multi_mean(cp, total);
    }
    t.acc_clean = classif ? llp__multi_mean(c0, total) : NAN;
    t.acc_fgsm = classif ? llp__multi_mean(cf, total) : NAN;
    *res = t;
done:
    LLP_FREE(x0);
    LLP_FREE(out);
    LLP_FREE(buf);
    llp_mlp_work_free(&w);
    llp_data_free(&sub);
    return r;
}

/* ---- multi-start ---- */

LLPDEF void llp_multistart_mlp_init(void *ctx, llp_real *theta, llp_rng *rng) {
    if (ctx && theta && rng) llp_mlp_randomize((const llp_mlp *)ctx, theta, rng);
}

static int llp__multi_cmp(const void *pa, const void *pb) {
    double x = *(const double *)pa, y = *(const double *)pb;
    return x < y ? -1 : x > y ? 1 : 0;
}

LLPDEF void llp_multistart_free(llp_multistart_result *res) {
    if (!res) return;
    LLP_FREE(res->block);
    LLP_FREE(res->thetas);
    memset(res, 0, sizeof *res);
}

LLPDEF llp_result llp_multistart(const llp_objective *train, const llp_objective *val, llp_multistart_init_fn init,
                                 void *init_ctx, const llp_train_desc *td, const llp_opt_desc *od,
                                 const llp_multistart_desc *desc, llp_multistart_result *res) {
    llp_multistart_desc dd;
    llp_multistart_result t;
    llp__counter ct, cv, ci;
    llp_objective wt, wv, wi;
    size_t K, n, i, j, points, bytes;
    llp_real *thetas = NULL;
    double *sorted, *ind, drel, mx;
    char *p;
    llp_result r = LLP_OK;
    if (!train || !train->loss_grad || !init || !td || !od || !res) return LLP_ERR_ARG;
    n = train->n;
    if (n == 0) return LLP_ERR_ARG;
    if (val && (val->n != n || !val->loss_grad)) return LLP_ERR_SHAPE;
    if (td->traj_path || td->ckpt_path) return LLP_ERR_ARG;
    memset(&dd, 0, sizeof dd);
    if (desc) dd = *desc;
    K = dd.restarts ? dd.restarts : 10;
    points = dd.points ? dd.points : 21;
    if (points < 2 || !(dd.delta_abs >= 0) || !llp__isfinite(dd.delta_abs) || !llp__isfinite(dd.delta_rel))
        return LLP_ERR_ARG;
    drel = dd.delta_rel == 0 ? 0.05 : dd.delta_rel < 0 ? 0 : dd.delta_rel;
    /* result arrays in one block: 6 doubles (final_loss, final_val, barrier_mean,
       barrier_linear, sorted, indicators) + steps, status, stop, success per restart */
    bytes = 6 * sizeof(double) + sizeof(llp_result) + sizeof(llp_stop) + sizeof(uint64_t) + sizeof(int);
    if (!llp__mul(K, bytes) || !llp__mul(K, n) || !llp__mul(K * n, sizeof(llp_real))) return LLP_ERR_NOMEM;
    memset(&t, 0, sizeof t);
    t.block = LLP_MALLOC(K * bytes);
    thetas = (llp_real *)LLP_MALLOC(K * n * sizeof(llp_real));
    if (!t.block || !thetas) {
        LLP_FREE(t.block);
        LLP_FREE(thetas);
        return LLP_ERR_NOMEM;
    }
    p = (char *)t.block;
    t.final_loss = (double *)(void *)p;
    t.final_val = t.final_loss + K;
    t.barrier_mean = t.final_val + K;
    t.barrier_linear = t.barrier_mean + K;
    sorted = t.barrier_linear + K;
    ind = sorted + K;
    p += 6 * K * sizeof(double);
    t.steps = (uint64_t *)(void *)p;
    p += K * sizeof(uint64_t);
    t.status = (llp_result *)(void *)p;
    p += K * sizeof(llp_result);
    t.stop = (llp_stop *)(void *)p;
    p += K * sizeof(llp_stop);
    t.success = (int *)(void *)p;
    t.k = K;
    t.n = n;
    wt = llp__counted(train, &ct, &t.evals, 1);
    wi = llp__counted(train, &ci, &t.evals, 0); /* slices: no accuracy wanted */
    if (val) wv = llp__counted(val, &cv, &t.evals, 1);
    else memset(&wv, 0, sizeof wv);
    for (i = 0; i < K; i++) {
        llp_real *th = thetas + i * n, l;
        llp_trainer tr;
        llp_train_desc tdr = *td;
        llp_opt_desc odr = *od;
        llp_rng rng;
        llp_result rr;
        t.final_loss[i] = t.final_val[i] = t.barrier_mean[i] = t.barrier_linear[i] = NAN;
        t.success[i] = 0;
        llp_rng_seed(&rng, dd.seed + (uint64_t)i);
        init(init_ctx, th, &rng);
        tdr.seed = td->seed + (uint64_t)i;
        odr.noise_seed = od->noise_seed + (uint64_t)i;
        r = llp_trainer_init(&tr, &tdr, &wt, val ? &wv : NULL, &odr, th);
        if (r != LLP_OK) goto fail;
        rr = llp_trainer_run(&tr);
        t.steps[i] = tr.step;
        t.stop[i] = tr.stop;
        llp_trainer_free(&tr);
        if (rr == LLP_ERR_DIVERGED) {
            t.status[i] = LLP_ERR_DIVERGED;
            continue;
        }
        if (rr != LLP_OK) {
            r = rr;
            goto fail;
        }
        r = llp_objective_loss(&wt, th, NULL, &l);
        if (r != LLP_OK) goto fail;
        if (!llp__isfinite((double)l)) {
            t.status[i] = LLP_ERR_NONFINITE;
            continue;
        }
        t.status[i] = LLP_OK;
        t.final_loss[i] = (double)l;
        if (val) {
            r = llp_objective_loss(&wv, th, NULL, &l);
            if (r != LLP_OK) goto fail;
            t.final_val[i] = (double)l;
        }
    }
    /* summaries over the finished runs */
    t.best_index = K;
    for (i = 0; i < K; i++) {
        if (t.status[i] != LLP_OK) continue;
        sorted[t.n_ok++] = t.final_loss[i];
        if (t.best_index == K || t.final_loss[i] < t.final_loss[t.best_index]) t.best_index = i;
    }
    t.n_failed = K - t.n_ok;
    t.best = t.median = t.worst = t.delta = NAN;
    if (t.n_ok) {
        qsort(sorted, t.n_ok, sizeof(double), llp__multi_cmp);
        t.best = sorted[0];
        t.worst = sorted[t.n_ok - 1];
        t.median = t.n_ok % 2 ? sorted[t.n_ok / 2] : 0.5 * (sorted[t.n_ok / 2 - 1] + sorted[t.n_ok / 2]);
        t.delta = dd.delta_abs + drel * fabs(t.best);
    }
    for (i = 0; i < K; i++) {
        t.success[i] = t.status[i] == LLP_OK && t.final_loss[i] <= t.best + t.delta;
        t.n_success += (size_t)t.success[i];
        ind[i] = t.success[i];
    }
    t.success_rate = llp_estimate_of(ind, K);
    /* barriers from the best minimum to every other finished run */
    if (!dd.no_barriers && t.n_ok >= 2) {
        for (i = 0; i < K; i++) {
            llp_slice s;
            llp_barrier br;
            if (t.status[i] != LLP_OK || i == t.best_index) continue;
            r = llp_slice_interpolate(&wi, NULL, thetas + t.best_index * n, thetas + i * n, 0, 1, points, &s, &br);
            if (r != LLP_OK) goto fail;
            llp_slice_free(&s);
            t.barrier_mean[i] = br.barrier_mean;
            t.barrier_linear[i] = br.barrier_linear;
        }
    }
    t.barrier_mean_est = llp_estimate_of(t.barrier_mean, K);
    t.barrier_linear_est = llp_estimate_of(t.barrier_linear, K);
    t.barrier_mean_max = t.barrier_linear_max = NAN;
    for (j = 0; j < 2; j++) {
        const double *bv = j ? t.barrier_linear : t.barrier_mean;
        mx = NAN;
        for (i = 0; i < K; i++)
            if (bv[i] == bv[i] && !(bv[i] <= mx)) mx = bv[i];
        if (j) t.barrier_linear_max = mx;
        else t.barrier_mean_max = mx;
    }
    if (dd.keep_thetas) {
        t.thetas = thetas;
    } else {
        LLP_FREE(thetas);
        t.thetas = NULL;
    }
    *res = t;
    return LLP_OK;
fail:
    LLP_FREE(t.block);
    LLP_FREE(thetas);
    return r;
}

static const char *const llp__rep_names[LLP_REPORT_PANELS] = {"slices", "surfaces", "fla", "sharpness", "hessian",
                                                              "gradients", "lr", "basin", "input", "multistart"};
static const char *const llp__rep_titles[LLP_REPORT_PANELS] = {
    "Slices (random 1-D slices)",       "Surfaces (random 2-D planes)",
    "Fitness-landscape analysis (random walks)", "Sharpness and flatness",
    "Hessian",                          "Gradients",
    "Learning-rate stability",          "Basin width",
    "Input space (FGSM / PGD)",         "Multi-start"};

static double llp__rep_costof(const llp_evals *e) {
    return (double)e->grad + 0.5 * (double)e->loss + 2.0 * (double)e->hvp;
}

static void llp__rep_note(char *notes, const char *fmt, ...) {
    size_t k = strlen(notes);
    va_list ap;
    if (k + 2 >= 2048) return;
    va_start(ap, fmt);
    vsnprintf(notes + k, 2048 - k - 1, fmt, ap);
    va_end(ap);
    k = strlen(notes);
    if (k + 1 < 2048) notes[k] = '\n', notes[k + 1] = 0;
}

/* The settings of every panel at scale s. */
typedef struct llp__rep_plan {
    size_t sl_dirs, sf_planes, fla_walks, fla_steps, sh_steps, sh_samples, pb_m;
    size_t hp_lanczos, hp_probes, hp_runs, hp_steps, gn_pairs, gb_batches, lr_steps, lr_lanczos, basin_dirs, ms_k;
    double cost[LLP_REPORT_PANELS];
    double total;
} llp__rep_plan;

static size_t llp__rep_sc(size_t def, double s, size_t mn) {
    double v = floor((double)def * s + 1e-9);
    size_t k = v < 1 ? 0 : (size_t)v;
    return k < mn ? mn : k;
}

static void llp__rep_make_plan(llp__rep_plan *p, double s, unsigned panels, size_t n, int samples_ok,
                               const llp_report_desc *d, size_t n_samples) {
    size_t i;
    memset(p, 0, sizeof *p);
    p->sl_dirs = llp__rep_sc(10, s, 3);
    p->sf_planes = llp__rep_sc(3, s, 1);
    p->fla_walks = llp__rep_sc(3, s, 2);
    p->fla_steps = llp__rep_sc(200, s, 50);
    p->sh_steps = llp__rep_sc(20, s, 5);
    p->sh_samples = llp__rep_sc(20, s, 4);
    p->pb_m = llp__rep_sc(10, s, 2);
    p->hp_lanczos = llp__rep_sc(30, s, 10);
    p->hp_probes = llp__rep_sc(30, s, 4);
    p->hp_runs = llp__rep_sc(4, s, 1);
    p->hp_steps = llp__rep_sc(30, s, 10);
    p->gn_pairs = llp__rep_sc(20, s, 4);
    p->gb_batches = llp__rep_sc(10, s, 3);
    p->lr_steps = llp__rep_sc(100, s, 20);
    p->lr_lanczos = llp__rep_sc(30, s, 10);
    p->basin_dirs = llp__rep_sc(10, s, 2);
    p->ms_k = llp__rep_sc(d && d->restarts ? d->restarts : 10, s, 2);
    if (panels & LLP_PANEL_SLICES) p->cost[0] = 0.5 * (double)(p->sl_dirs * 51);
    if (panels & LLP_PANEL_SURFACES) p->cost[1] = 0.5 * (double)(p->sf_planes * 441);
    if (panels & LLP_PANEL_FLA) p->cost[2] = 0.5 * (double)(p->fla_walks * 3 * (p->fla_steps + 1));
    if (panels & LLP_PANEL_SHARPNESS)
        p->cost[3] = 2.0 * (double)(p->sh_steps + 1) + (double)(p->sh_samples + 1) + 0.5 * (double)(1 + 18 * p->pb_m);
    if (panels & LLP_PANEL_HESSIAN) {
        size_t a = p->hp_lanczos < n ? p->hp_lanczos : n, b = p->hp_steps < n ? p->hp_steps : n;
        p->cost[4] = 2.0 * (double)(a + p->hp_probes + p->hp_runs * b);
    }
    if (panels & LLP_PANEL_GRADIENTS) p->cost[5] = 3.0 + (samples_ok ? (double)(2 * p->gn_pairs + p->gb_batches) : 0.0);
    if (panels & LLP_PANEL_LR) {
        size_t a = p->lr_lanczos < n ? p->lr_lanczos : n;
        double sam = d && d->opt && d->opt->sam != LLP_SAM_NONE ? 2.0 : 1.0;
        p->cost[6] = 2.0 * (double)a + sam * (double)(p->lr_steps + 1);
    }
    if (panels & LLP_PANEL_BASIN) p->cost[7] = 0.5 * (double)(1 + 52 * p->basin_dirs);
    if (panels & LLP_PANEL_INPUT) p->cost[8] = 6.5;
    if ((panels & LLP_PANEL_MULTISTART) && d && d->train) {
        const llp_train_desc *td = d->train;
        double ep = (double)(td->epochs ? td->epochs : 10), per = 1.0, steps;
        if (n_samples > 0 && td->batch_size > 0 && td->batch_size < n_samples)
            per = ceil((double)n_samples / (double)td->batch_size);
        steps = ep * per;
        if (td->max_steps > 0 && (double)td->max_steps < steps) steps = (double)td->max_steps;
        if (d->opt && d->opt->sam != LLP_SAM_NONE) steps *= 2.0;
        p->cost[9] = (double)p->ms_k * (steps + 0.5 * ep + 2.0) + 10.5 * (double)(p->ms_k - 1);
    }
    for (i = 0; i < LLP_REPORT_PANELS; i++) p->total += p->cost[i];
}

static llp_rng llp__rep_rng(uint64_t seed, int k) {
    llp_rng r;
    llp_rng_seed(&r, seed + 0x9E3779B97F4A7C15ULL * (uint64_t)(k + 1));
    return r;
}

LLPDEF llp_result llp_report_run(const llp_objective *train, const llp_objective *val, const llp_real *theta,
                                 const llp_report_desc *d, llp_report *out) {
    llp_report_desc dd;
    llp_report *R;
    llp__rep_plan plan;
    llp__counter ctr, ctrv;
    llp_objective f, fv;
    llp_evals before;
    unsigned want, avail = 0;
    double s = 1.0;
    size_t i, ns;
    int samples_ok, k;
    llp_result r = LLP_OK;
    llp_rng rng;

    if (!train || !theta || !out || !train->loss_grad || train->n == 0) return LLP_ERR_ARG;
    if (val && (val->n != train->n || !val->loss_grad)) return LLP_ERR_ARG;
    if (d) dd = *d;
    else memset(&dd, 0, sizeof dd);
    if (dd.panel & ~(unsigned)LLP_PANEL_ALL) return LLP_ERR_ARG;
    if (!(dd.budget >= 0) || !llp__isfinite(dd.budget) || !(dd.lr >= 0) || !llp__isfinite(dd.lr)) return LLP_ERR_ARG;
    if (dd.budget == 0) dd.budget = 20000;
    ns = train->n_samples;
    samples_ok = ns >= 16;

    R = (llp_report *)LLP_MALLOC(sizeof *R);
    if (!R) return LLP_ERR_NOMEM;
    memset(R, 0, sizeof *R);
    R->n = train->n;
    R->seed = dd.seed;
    R->lr = dd.lr > 0 ? dd.lr : NAN;
    R->lr_kind = dd.lr_kind;
    R->batch_size = dd.batch_size;
    R->budget = dd.budget;

    if (dd.lr > 0) avail |= LLP_PANEL_LR;
    avail |= LLP_PANEL_SLICES | LLP_PANEL_FLA | LLP_PANEL_SHARPNESS | LLP_PANEL_HESSIAN | LLP_PANEL_GRADIENTS |
             LLP_PANEL_BASIN;
    if (train->n >= 2) avail |= LLP_PANEL_SURFACES;
    if (dd.mlp && dd.data) avail |= LLP_PANEL_INPUT;
    if (dd.train && dd.opt && dd.init) avail |= LLP_PANEL_MULTISTART;
    if (dd.mlp && dd.mlp->n_params != train->n) {
        LLP_FREE(R);
        return LLP_ERR_ARG;
    }
    want = dd.panel ? dd.panel : ((unsigned)LLP_PANEL_ALL & ~(unsigned)LLP_PANEL_MULTISTART);
    R->requested = want;
    if ((want & LLP_PANEL_SURFACES) && !(avail & LLP_PANEL_SURFACES))
        llp__rep_note(R->notes, "surfaces skipped: a plane needs n >= 2 parameters");
    if ((want & LLP_PANEL_LR) && !(avail & LLP_PANEL_LR))
        llp__rep_note(R->notes, "lr skipped: no learning rate given (desc.lr = 0)");
    if ((want & LLP_PANEL_INPUT) && !(avail & LLP_PANEL_INPUT))
        llp__rep_note(R->notes, "input skipped: the input probes need the MLP and its data (desc.mlp, desc.data)");
    if ((want & LLP_PANEL_MULTISTART) && !(avail & LLP_PANEL_MULTISTART))
        llp__rep_note(R->notes, "multistart skipped: needs desc.train, desc.opt and desc.init");
    want &= avail;
    if ((want & LLP_PANEL_GRADIENTS) && !samples_ok)
        llp__rep_note(R->notes, "gradients: noise scale and batch statistics skipped (the objective has %lu < 16 "
                                "samples); curvature along the gradient only", (unsigned long)ns);

    /* budget */
    llp__rep_make_plan(&plan, 1.0, want, train->n, samples_ok, &dd, ns);
    if (plan.total > dd.budget) {
        double lo = 0, hi = 1;
        llp__rep_make_plan(&plan, 0.0, want, train->n, samples_ok, &dd, ns);
        if (plan.total > dd.budget) {
            LLP_FREE(R);
            return LLP_ERR_ARG;
        }
        for (k = 0; k < 40; k++) {
            double mid = 0.5 * (lo + hi);
            llp__rep_make_plan(&plan, mid, want, train->n, samples_ok, &dd, ns);
            if (plan.total <= dd.budget) lo = mid;
            else hi = mid;
        }
        s = lo;
        llp__rep_make_plan(&plan, s, want, train->n, samples_ok, &dd, ns);
        llp__rep_note(R->notes, "budget: the default plan exceeds %.6g; every sample count scaled by %.4f "
                                "(with minimums), planned %.6g", dd.budget, s, plan.total);
    }
    R->scale = s;
    R->planned = plan.total;
    for (i = 0; i < LLP_REPORT_PANELS; i++) R->panel_planned[i] = plan.cost[i];

    memset(&fv, 0, sizeof fv);
    f = llp__counted(train, &ctr, &R->counted, 1);
    if (val) fv = llp__counted(val, &ctrv, &R->counted, 1);

    for (k = 0; k < LLP_REPORT_PANELS && r == LLP_OK; k++) {
        unsigned bit = 1u << k;
        if (!(want & bit)) continue;
        before = R->counted;
        rng = llp__rep_rng(dd.seed, k);
        if (dd.progress) dd.progress(dd.progress_ctx, llp__rep_names[k], llp__rep_costof(&R->counted), R->planned);
        switch (bit) {
        case LLP_PANEL_SLICES:
        case LLP_PANEL_SURFACES: {
            llp_rugged_slice_desc sd;
            memset(&sd, 0, sizeof sd);
            sd.points = bit == LLP_PANEL_SLICES ? 51 : 21;
            sd.directions = bit == LLP_PANEL_SLICES ? plan.sl_dirs : plan.sf_planes;
            sd.mlp = dd.mlp;
            sd.norm = dd.mlp ? LLP_DIR_NORM_FILTER : LLP_DIR_NORM_NONE;
            if (bit == LLP_PANEL_SLICES) {
                R->slice_points = 51;
                r = llp_rugged_slices(&f, theta, &sd, &rng, &R->slices);
                if (r == LLP_OK) llp__evals_add(&R->evals, &R->slices.evals);
            } else {
                r = llp_rugged_surfaces(&f, theta, &sd, &rng, &R->surfaces);
                if (r == LLP_OK) llp__evals_add(&R->evals, &R->surfaces.evals);
            }
            break;
        }
        case LLP_PANEL_FLA: {
            llp_fla_desc fd;
            memset(&fd, 0, sizeof fd);
            fd.walks = plan.fla_walks;
            fd.steps = plan.fla_steps;
            r = llp_rugged_fla(&f, theta, &fd, &rng, &R->fla);
            if (r == LLP_OK) llp__evals_add(&R->evals, &R->fla.evals);
            break;
        }
        case LLP_PANEL_SHARPNESS: {
            llp_keskar_desc kd;
            llp_sharp_random_desc rd;
            llp_sharp_adaptive_desc ad;
            llp_pacbayes_desc pd;
            memset(&kd, 0, sizeof kd);
            memset(&rd, 0, sizeof rd);
            memset(&ad, 0, sizeof ad);
            memset(&pd, 0, sizeof pd);
            kd.steps = plan.sh_steps;
            ad.steps = plan.sh_steps;
            rd.samples = plan.sh_samples;
            pd.samples = plan.pb_m;
            pd.tol = 1e-3;
            r = llp_sharpness_keskar(&f, theta, NULL, &kd, &rng, &R->keskar);
            if (r == LLP_OK) {
                llp__evals_add(&R->evals, &R->keskar.evals);
                r = llp_sharpness_random(&f, theta, NULL, &rd, &rng, &R->sharp_plain);
            }
            if (r == LLP_OK) {
                llp__evals_add(&R->evals, &R->sharp_plain.evals);
                rd.adaptive = 1;
                r = llp_sharpness_random(&f, theta, NULL, &rd, &rng, &R->sharp_adaptive);
            }
            if (r == LLP_OK) {
                llp__evals_add(&R->evals, &R->sharp_adaptive.evals);
                r = llp_sharpness_adaptive(&f, theta, NULL, &ad, &rng, &R->adaptive_max);
            }
            if (r == LLP_OK) {
                llp__evals_add(&R->evals, &R->adaptive_max.evals);
                r = llp_pacbayes_sigma(&f, theta, NULL, &pd, &rng, &R->pacbayes);
            }
            if (r == LLP_OK) llp__evals_add(&R->evals, &R->pacbayes.evals);
            break;
        }
        case LLP_PANEL_HESSIAN: {
            llp_hessian_panel_desc hd;
            memset(&hd, 0, sizeof hd);
            hd.lanczos_steps = plan.hp_lanczos;
            hd.trace_probes = plan.hp_probes;
            hd.slq_runs = plan.hp_runs;
            hd.slq_steps = plan.hp_steps;
            hd.eta = dd.lr;
            r = llp_hessian_panel(&f, theta, NULL, &hd, &rng, &R->hessian);
            if (r == LLP_OK) llp__evals_add(&R->evals, &R->hessian.evals);
            break;
        }
        case LLP_PANEL_GRADIENTS: {
            llp_grad_curvature_desc cd;
            if (samples_ok) {
                llp_grad_noise_desc gd;
                llp_grad_batch_desc bd;
                memset(&gd, 0, sizeof gd);
                memset(&bd, 0, sizeof bd);
                gd.pairs = plan.gn_pairs;
                bd.batches = plan.gb_batches;
                bd.batch_size = dd.batch_size > 0 && dd.batch_size <= ns ? dd.batch_size : 0;
                r = llp_grad_noise_scale(&f, theta, &gd, &rng, &R->noise);
                if (r == LLP_OK) {
                    R->have_noise = 1;
                    llp__evals_add(&R->evals, &R->noise.evals);
                    r = llp_grad_batch_stats(&f, theta, &bd, &rng, &R->batch);
                }
                if (r == LLP_OK) {
                    R->have_batch = 1;
                    llp__evals_add(&R->evals, &R->batch.evals);
                }
            }
            if (r != LLP_OK) break;
            memset(&cd, 0, sizeof cd);
            if ((R->ran & LLP_PANEL_HESSIAN) && R->hessian.lambda_max > 0) cd.lambda_max = R->hessian.lambda_max;
            r = llp_grad_curvature(&f, theta, &cd, &R->curv);
            if (r == LLP_OK) {
                R->have_curv = 1;
                llp__evals_add(&R->evals, &R->curv.evals);
            } else if (r == LLP_ERR_ARG) {
                r = LLP_OK; /* a zero gradient: no direction */
                llp__rep_note(R->notes, "gradients: the gradient is zero at theta; no curvature along it");
            }
            break;
        }
        case LLP_PANEL_LR: {
            llp_lr_stability_desc ld;
            memset(&ld, 0, sizeof ld);
            ld.find.steps = plan.lr_steps;
            ld.find.batch_size = dd.batch_size;
            ld.find.seed = dd.seed;
            ld.lanczos_steps = plan.lr_lanczos;
            r = llp_lr_stability(&f, theta, dd.opt, &ld, &rng, &R->lrs);
            if (r == LLP_OK) llp__evals_add(&R->evals, &R->lrs.evals);
            else if (r == LLP_ERR_DIVERGED) {
                r = LLP_OK;
                llp__rep_note(R->notes, "lr skipped: the range test diverged within its first steps");
                bit = 0;
            }
            break;
        }
        case LLP_PANEL_BASIN: {
            llp_basin_desc bd;
            memset(&bd, 0, sizeof bd);
            bd.directions = plan.basin_dirs;
            r = llp_basin_width(&f, theta, NULL, &bd, &rng, NULL, &R->basin);
            if (r == LLP_OK) llp__evals_add(&R->evals, &R->basin.evals);
            break;
        }
        case LLP_PANEL_INPUT:
            r = llp_input_probe(dd.mlp, theta, dd.data, NULL, NULL, &R->input);
            if (r == LLP_OK) llp__evals_add(&R->evals, &R->input.evals);
            break;
        case LLP_PANEL_MULTISTART: {
            llp_multistart_desc md;
            memset(&md, 0, sizeof md);
            md.restarts = plan.ms_k;
            md.seed = dd.seed;
            r = llp_multistart(&f, val ? &fv : NULL, dd.init, dd.init_ctx, dd.train, dd.opt, &md, &R->multi);
            if (r == LLP_OK) llp__evals_add(&R->evals, &R->multi.evals);
            break;
        }
        default: break;
        }
        if (r == LLP_OK && bit) {
            llp_evals dv;
            dv.loss = R->counted.loss - before.loss;
            dv.grad = R->counted.grad - before.grad;
            dv.hvp = R->counted.hvp - before.hvp;
            dv.batches = 0;
            R->ran |= bit;
            R->panel_cost[k] = llp__rep_costof(&dv);
            if (bit == LLP_PANEL_INPUT) R->panel_cost[k] = llp__rep_costof(&R->input.evals);
        }
    }
    if (r != LLP_OK) {
        if (R->ran & LLP_PANEL_MULTISTART) llp_multistart_free(&R->multi);
        LLP_FREE(R);
        return r;
    }
    R->cost = llp__rep_costof(&R->evals);
    if (dd.progress) dd.progress(dd.progress_ctx, NULL, llp__rep_costof(&R->counted), R->planned);
    {
        double pl = 0;
        for (i = 0; i < LLP_REPORT_PANELS; i++)
            if (R->ran & (1u << i)) pl += R->panel_planned[i];
        R->planned = pl;
    }
    if (R->counted.loss + R->input.evals.loss != R->evals.loss || R->counted.grad + R->input.evals.grad != R->evals.grad ||
        R->counted.hvp + R->input.evals.hvp != R->evals.hvp)
        llp__rep_note(R->notes, "accounting: a tolerated failure spent evaluations no result reports; cost counts "
                                "only the results");
    *out = *R;
    LLP_FREE(R);
    return LLP_OK;
}

LLPDEF void llp_report_free(llp_report *r) {
    if (!r) return;
    if (r->ran & LLP_PANEL_MULTISTART) llp_multistart_free(&r->multi);
    memset(r, 0, sizeof *r);
}

/* ---- the rows of the table ---- */
typedef struct llp__rep_row {
    int panel;             /* bit index */
    const char *key;       /* JSON key */
    const char *label;     /* text label */
    double value, se;      /* se NaN: none */
    const char *unit;      /* unit / scale / reference */
    double cost;           /* cost of the tool (first row of a tool), NaN otherwise */
} llp__rep_row;

#define LLP__REP_MAXROWS LLP_REPORT_MAX_METRICS

static void llp__rep_add(llp__rep_row *rows, size_t *m, int panel, const char *key, const char *label, double v,
                         double se, const char *unit, double cost) {
    if (*m >= LLP__REP_MAXROWS) return;
    rows[*m].panel = panel, rows[*m].key = key, rows[*m].label = label;
    rows[*m].value = v, rows[*m].se = se, rows[*m].unit = unit, rows[*m].cost = cost;
    (*m)++;
}

static double llp__rep_nan(void) { return NAN; }

static size_t llp__rep_rows(const llp_report *r, llp__rep_row *rows) {
    size_t m = 0;
    double nan = llp__rep_nan();
#define LLP__REP_E(p, key, label, est, unit, cost) \
    llp__rep_add(rows, &m, p, key, label, (est).value, (est).se, unit, cost)
#define LLP__REP_V(p, key, label, v, unit, cost) llp__rep_add(rows, &m, p, key, label, v, nan, unit, cost)
    if (r->ran & LLP_PANEL_SLICES) {
        const llp_rugged_slice_result *s = &r->slices;
        LLP__REP_E(0, "slice_roughness", "roughness", s->roughness, "ratio; parabola 0.0022 @51 pts",
                   llp__rep_costof(&s->evals));
        LLP__REP_E(0, "slice_roughness_q", "roughness (local quadratic)", s->roughness_q,
                   "ratio; any parabola 0", nan);
        LLP__REP_E(0, "slice_tv", "total variation", s->tv, "ratio; monotone 1, bowl 1..2", nan);
        LLP__REP_E(0, "slice_minima", "minima per slice", s->minima, "count; parabola 1", nan);
        LLP__REP_E(0, "slice_convexity", "convexity", s->convexity, "share; parabola 1", nan);
    }
    if (r->ran & LLP_PANEL_SURFACES) {
        const llp_rugged_slice_result *s = &r->surfaces;
        LLP__REP_E(1, "surface_roughness", "roughness", s->roughness, "ratio (21 x 21 grid)",
                   llp__rep_costof(&s->evals));
        LLP__REP_E(1, "surface_roughness_q", "roughness (local quadratic)", s->roughness_q,
                   "ratio; any paraboloid 0", nan);
        LLP__REP_E(1, "surface_tv", "total variation", s->tv, "ratio", nan);
        LLP__REP_E(1, "surface_minima", "minima per plane", s->minima, "count; paraboloid 1", nan);
        LLP__REP_E(1, "surface_convexity", "convexity", s->convexity, "share; paraboloid 1", nan);
    }
    if (r->ran & LLP_PANEL_FLA) {
        const llp_fla_result *a = &r->fla;
        LLP__REP_E(2, "fla_rho1", "autocorrelation rho(1)", a->rho1, "[-1, 1]; smooth ~1",
                   llp__rep_costof(&a->evals));
        LLP__REP_E(2, "fla_corr_len", "correlation length", a->corr_len, "walk steps", nan);
        LLP__REP_E(2, "fla_info", "information content H", a->info, "[0, 1]; iid signs ~0.39", nan);
        LLP__REP_E(2, "fla_partial_info", "partial information M", a->partial_info, "[0, 1]; iid signs ~0.5", nan);
        LLP__REP_E(2, "fla_eps_star", "information stability", a->eps_star, "loss units", nan);
        LLP__REP_E(2, "fla_fem_small", "FEM_0.01", a->fem_small, "[0, 1]; 0 smooth", nan);
        LLP__REP_E(2, "fla_fem_large", "FEM_0.1", a->fem_large, "[0, 1]; 0 smooth", nan);
        LLP__REP_V(2, "fla_step", "walk step", a->step, "parameter units", nan);
    }
    if (r->ran & LLP_PANEL_SHARPNESS) {
        LLP__REP_V(3, "loss", "loss at theta", r->keskar.loss0, "loss units", nan);
        LLP__REP_V(3, "keskar", "Keskar sharpness", r->keskar.sharpness, "percent, eps 1e-3",
                   llp__rep_costof(&r->keskar.evals));
        LLP__REP_E(3, "sharp_random", "random sharpness", r->sharp_plain.sharpness, "loss, rho 0.05 |theta|",
                   llp__rep_costof(&r->sharp_plain.evals));
        LLP__REP_E(3, "sharp_random_adaptive", "adaptive random sharpness", r->sharp_adaptive.sharpness,
                   "loss, rho 0.05 sqrt(n)", llp__rep_costof(&r->sharp_adaptive.evals));
        LLP__REP_V(3, "sharp_adaptive_max", "adaptive worst sharpness", r->adaptive_max.sharpness,
                   "loss, rho 0.05, eta 0", llp__rep_costof(&r->adaptive_max.evals));
        LLP__REP_V(3, "pacbayes_sigma", "PAC-Bayes sigma*", r->pacbayes.sigma, "parameter units, Delta 0.1",
                   llp__rep_costof(&r->pacbayes.evals));
        LLP__REP_V(3, "pacbayes_censored", "sigma* censored", (double)r->pacbayes.censored, "-1/0/+1", nan);
    }
    if (r->ran & LLP_PANEL_HESSIAN) {
        const llp_hessian_panel_result *h = &r->hessian;
        LLP__REP_V(4, "lambda_max", "lambda_max", h->lambda_max, "loss / param^2", llp__rep_costof(&h->evals));
        LLP__REP_V(4, "lambda_min", "lambda_min", h->lambda_min, "loss / param^2", nan);
        LLP__REP_V(4, "neg_over_max", "|lambda_min| / lambda_max",
                   h->lambda_min < 0 && h->lambda_max > 0 ? -h->lambda_min / h->lambda_max : 0.0,
                   "ratio; minimum 0", nan);
        LLP__REP_E(4, "trace", "trace (Hutchinson)", h->trace, "loss / param^2", nan);
        LLP__REP_V(4, "neg_ratio", "negative eigenvalue share", h->neg_ratio, "share (SLQ)", nan);
        LLP__REP_V(4, "cond_k", "cond_k", h->cond_k, "lambda_max / lambda_k (SLQ)", nan);
        LLP__REP_V(4, "eta_lambda_max", "eta * lambda_max", h->eta_lambda_max, "1; GD stability edge 2", nan);
        LLP__REP_V(4, "lr_edge", "2 / lambda_max", h->lr_edge, "learning rate", nan);
    }
    if (r->ran & LLP_PANEL_GRADIENTS) {
        if (r->have_noise) {
            LLP__REP_V(5, "b_simple", "noise scale B_simple", r->noise.b_simple, "samples (McCandlish 2018)",
                       llp__rep_costof(&r->noise.evals));
            rows[m - 1].se = r->noise.b_simple_se;
        }
        if (r->have_batch) {
            LLP__REP_E(5, "grad_cosine", "batch gradient cosine", r->batch.cosine, "[-1, 1]; 1 agreeing",
                       llp__rep_costof(&r->batch.evals));
            LLP__REP_V(5, "grad_norm_cv", "batch gradient norm CV", r->batch.norm_cv, "ratio", nan);
        }
        if (r->have_curv) {
            LLP__REP_V(5, "grad_norm", "gradient norm", r->curv.grad_norm, "loss / param",
                       llp__rep_costof(&r->curv.evals));
            LLP__REP_V(5, "ghg", "curvature along gradient", r->curv.ghg, "loss / param^2", nan);
            LLP__REP_V(5, "eta_star", "line-search rate 1/ghg", r->curv.eta_star, "learning rate", nan);
            LLP__REP_V(5, "rayleigh_ratio", "ghg / lambda_max", r->curv.rayleigh_ratio, "ratio; 1 sharpest", nan);
        }
    }
    if (r->ran & LLP_PANEL_LR) {
        LLP__REP_V(6, "lr", "learning rate", r->lr, "as given", nan);
        LLP__REP_V(6, "lr_max_stable", "range-test max stable", r->lrs.max_stable, "learning rate",
                   llp__rep_costof(&r->lrs.evals));
        LLP__REP_V(6, "lr_edge_lr", "2 / lambda_max", r->lrs.lr_edge, "learning rate", nan);
        LLP__REP_V(6, "lr_ratio", "max stable / edge", r->lrs.ratio, "ratio; GD quadratic 6..8", nan);
    }
    if (r->ran & LLP_PANEL_BASIN) {
        LLP__REP_E(7, "basin_width", "basin width", r->basin.width, "parameter units, Delta 0.1",
                   llp__rep_costof(&r->basin.evals));
        LLP__REP_V(7, "basin_censored", "censored half-lines", (double)r->basin.censored, "count", nan);
    }
    if (r->ran & LLP_PANEL_INPUT) {
        const llp_input_probe_result *p = &r->input;
        LLP__REP_E(8, "input_grad_l1", "input gradient L1", p->grad_l1, "loss / input unit",
                   llp__rep_costof(&p->evals));
        LLP__REP_E(8, "fgsm_increase", "FGSM loss increase", p->fgsm_increase, "loss, eps 0.1", nan);
        LLP__REP_E(8, "pgd_increase", "PGD loss increase", p->pgd_increase, "loss, eps 0.1", nan);
        LLP__REP_E(8, "fgsm_acc_drop", "FGSM accuracy drop", p->fgsm_acc_drop, "share", nan);
        LLP__REP_E(8, "pgd_acc_drop", "PGD accuracy drop", p->pgd_acc_drop, "share", nan);
    }
    if (r->ran & LLP_PANEL_MULTISTART) {
        const llp_multistart_result *q = &r->multi;
        LLP__REP_E(9, "ms_success_rate", "success rate", q->success_rate, "share within delta of best",
                   llp__rep_costof(&q->evals));
        LLP__REP_V(9, "ms_restarts", "restarts", (double)q->k, "count", nan);
        LLP__REP_V(9, "ms_best", "best final loss", q->best, "loss units", nan);
        LLP__REP_V(9, "ms_median", "median final loss", q->median, "loss units", nan);
        LLP__REP_V(9, "ms_worst", "worst final loss", q->worst, "loss units", nan);
        LLP__REP_E(9, "ms_barrier", "barrier (mean)", q->barrier_mean_est, "loss units; connected 0", nan);
        LLP__REP_V(9, "ms_barrier_max", "barrier (max)", q->barrier_mean_max, "loss units", nan);
    }
#undef LLP__REP_E
#undef LLP__REP_V
    return m;
}

static int llp__rep_kind(const char *key) {
    static const char *const settings[] = {"lr", "fla_step", "ms_restarts"};
    static const char *const derived[] = {"eta_lambda_max", "lr_edge", "lr_edge_lr", "eta_star"};
    size_t i;
    for (i = 0; i < sizeof settings / sizeof settings[0]; i++)
        if (strcmp(key, settings[i]) == 0) return LLP_METRIC_SETTING;
    for (i = 0; i < sizeof derived / sizeof derived[0]; i++)
        if (strcmp(key, derived[i]) == 0) return LLP_METRIC_DERIVED;
    return LLP_METRIC_MEASURED;
}

LLPDEF size_t llp_report_metrics(const llp_report *r, llp_report_metric *rows, size_t cap) {
    llp__rep_row all[LLP__REP_MAXROWS];
    size_t m, i;
    if (!r) return 0;
    m = llp__rep_rows(r, all);
    for (i = 0; i < m && i < cap && rows; i++) {
        rows[i].panel = llp__rep_names[all[i].panel];
        rows[i].key = all[i].key;
        rows[i].label = all[i].label;
        rows[i].value = all[i].value;
        rows[i].se = all[i].se;
        rows[i].unit = all[i].unit;
        rows[i].kind = llp__rep_kind(all[i].key);
    }
    return m;
}

static void llp__rep_printf(llp__buf *b, const char *fmt, ...) {
    char tmp[1024];
    va_list ap;
    int k;
    va_start(ap, fmt);
    k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0) return;
    if ((size_t)k >= sizeof tmp) k = (int)sizeof tmp - 1;
    llp__put(b, tmp, (size_t)k);
}

/* ---- the reading ---- */
static void llp__rep_read(const llp_report *r, llp__buf *b) {
    int signs = 0, judged = 0;
    if (r->ran & LLP_PANEL_HESSIAN) {
        const llp_hessian_panel_result *h = &r->hessian;
        double el = h->eta_lambda_max;
        if (!(r->lr > 0)) {
            llp__rep_printf(b, "eta*lambda_max cannot be judged: no learning rate was given (lambda_max = %.4g). ",
                            h->lambda_max);
        } else if (!llp__isfinite(el)) {
            llp__rep_printf(b, "eta*lambda_max cannot be judged: lambda_max is not finite. ");
        } else if (r->lr_kind == LLP_OPT_RMSPROP || r->lr_kind == LLP_OPT_ADAM || r->lr_kind == LLP_OPT_ADAMW) {
            llp__rep_printf(b, "eta*lambda_max = %.3g is of the raw rate of an adaptive optimizer (%s), whose step "
                               "is not eta times the gradient: it is not judged against the edge 2 of gradient "
                               "descent (the preconditioned sharpness of llp_snoop, ETA_LMAX_PRE, is the number for "
                               "that). ", el, llp_opt_name(r->lr_kind));
        } else if (el > 2) {
            llp__rep_printf(b, "eta*lambda_max = %.3g is HIGH: above 2, the stability edge of gradient descent on the "
                               "local quadratic, so at lr = %.3g plain GD is unstable along the sharpest direction "
                               "here (it would oscillate out of this region or hover at the edge of stability, Cohen "
                               "et al. 2021); a rate below 2/lambda_max = %.3g is needed to settle into this minimum. ",
                            el, r->lr, h->lr_edge);
            signs++, judged++;
        } else if (el >= 1) {
            llp__rep_printf(b, "eta*lambda_max = %.3g lies between 1 and 2: stable (below the edge 2) but the sharpest "
                               "direction overshoots and oscillates while it converges. ", el);
            judged++;
        } else {
            llp__rep_printf(b, "eta*lambda_max = %.3g is within the stable range (below 1, well under the edge 2 of "
                               "gradient descent): the learning rate is not too large for this curvature. ", el);
            judged++;
        }
        if (!llp__isfinite(h->lambda_max) || !llp__isfinite(h->lambda_min) || !(h->lambda_max > 0)) {
            llp__rep_printf(b, "The curvature sign cannot be judged (lambda_max = %.4g is not positive). ",
                            h->lambda_max);
        } else if (h->lambda_min < 0) {
            double q = -h->lambda_min / h->lambda_max;
            if (q > 1e-2) {
                llp__rep_printf(b, "lambda_min = %.3g < 0 with |lambda_min|/lambda_max = %.3g (above 0.01): theta is "
                                   "not a minimum but a saddle or a slope with negative curvature; training is still "
                                   "descending here. ", h->lambda_min, q);
                signs++;
            } else {
                llp__rep_printf(b, "lambda_min = %.3g is slightly negative (|lambda_min|/lambda_max = %.3g, below "
                                   "0.01): close to a minimum with flat directions, as trained networks usually are. ",
                                h->lambda_min, q);
            }
            judged++;
        } else {
            llp__rep_printf(b, "No negative curvature was found (lambda_min = %.3g >= 0): consistent with a "
                               "minimum. ", h->lambda_min);
            judged++;
        }
    }
    if (r->ran & LLP_PANEL_SLICES) {
        const llp_rugged_slice_result *s = &r->slices;
        double mn = s->minima.value, cv = s->convexity.value, ro = s->roughness.value;
        if (!llp__isfinite(mn) || !llp__isfinite(cv)) {
            llp__rep_printf(b, "The slices cannot be judged (their metrics are undefined). ");
        } else {
            if (mn <= 1.2 && cv >= 0.9)
                llp__rep_printf(b, "Along random slices the loss looks like one bowl: %.3g minima per slice and "
                                   "convexity %.3g, against 1 and 1 for a parabola. ", mn, cv);
            else if (mn > 1.5) {
                llp__rep_printf(b, "Along random slices there are %.3g minima per slice (a parabola has 1) and "
                                   "convexity %.3g (a parabola has 1): several basins within the radius, which a "
                                   "local optimiser can get caught in. ", mn, cv);
                signs++;
            } else
                llp__rep_printf(b, "Along random slices: %.3g minima per slice (a parabola has 1), convexity %.3g "
                                   "(a parabola has 1): mostly one basin, but not convex everywhere within the "
                                   "radius. ", mn, cv);
            judged++;
        }
        if (llp__isfinite(ro)) {
            if (ro <= 3 * 0.0022)
                llp__rep_printf(b, "Roughness %.3g is LOW: within 3 times the 0.0022 a sampled parabola reads at 51 "
                                   "points, so no small-scale bumps are seen. ", ro);
            else {
                double rq = s->roughness_q.value;
                llp__rep_printf(b, "Roughness %.3g is HIGH: %.3g times the 0.0022 a sampled parabola reads at 51 "
                                   "points: at the smoothing scale the slices are not plain bowls. ",
                                ro, ro / 0.0022);
                if (llp__isfinite(rq) && rq < 0.25 * ro) {
                    llp__rep_printf(b, "But the local-quadratic roughness is only %.3g (%.2g of it; 0 for any "
                                       "parabola): most of it is smooth curvature that changes along the slice "
                                       "(a flat floor between steep walls reads this way), not small-scale bumps. ",
                                    rq, rq / ro);
                } else {
                    if (llp__isfinite(rq))
                        llp__rep_printf(b, "The local-quadratic roughness %.3g (0 for any parabola) agrees: these "
                                           "are small-scale bumps, which can trap or slow small steps. ",
                                        rq);
                    signs++;
                }
            }
            judged++;
        }
    }
    if (r->ran & LLP_PANEL_GRADIENTS) {
        if (!r->have_noise) {
            llp__rep_printf(b, "The gradient noise scale was not measured (no mini-batches). ");
        } else if (!llp__isfinite(r->noise.b_simple)) {
            llp__rep_printf(b, "The gradient noise scale cannot be judged: the |G|^2 estimate is not positive "
                               "(typical close to a minimum, where the full gradient vanishes). ");
        } else if (r->batch_size == 0) {
            llp__rep_printf(b, "B_simple = %.3g samples; without the training batch size it cannot be compared. ",
                            r->noise.b_simple);
        } else {
            double bs = (double)r->batch_size, bn = r->noise.b_simple;
            if (bs < 0.1 * bn) {
                llp__rep_printf(b, "The batch size %lu is well below the gradient noise scale B_simple = %.3g "
                                   "(McCandlish et al. 2018): steps are noise-dominated; progress needs small rates "
                                   "or larger batches. ", (unsigned long)r->batch_size, bn);
                signs++;
            } else if (bs <= bn)
                llp__rep_printf(b, "The batch size %lu is comparable to B_simple = %.3g (McCandlish et al. 2018): "
                                   "noise and signal are balanced, near the efficient batch size. ",
                                (unsigned long)r->batch_size, bn);
            else
                llp__rep_printf(b, "The batch size %lu is above B_simple = %.3g (McCandlish et al. 2018): the "
                                   "gradient is signal-dominated; larger batches would bring little. ",
                                (unsigned long)r->batch_size, bn);
            judged++;
        }
    }
    if (r->ran & LLP_PANEL_LR) {
        /* The range test runs from theta: from a trained point any step raises
           the smoothed loss, so a small max_stable there is no verdict on
           training from scratch. Judge it only where it agrees in kind with
           the local edge 2 / lambda_max. */
        if (llp__isfinite(r->lrs.max_stable) && r->lr > r->lrs.max_stable && r->lr > r->lrs.lr_edge) {
            llp__rep_printf(b, "The learning rate %.3g is above both the range test's largest stable rate %.3g "
                               "(measured from this theta) and the local edge 2/lambda_max = %.3g: expect steps "
                               "from here to blow up. ",
                            r->lr, r->lrs.max_stable, r->lrs.lr_edge);
            signs++, judged++;
        } else if (llp__isfinite(r->lrs.max_stable) && r->lr > r->lrs.max_stable) {
            llp__rep_printf(b, "The range test run from this theta raised the loss at rates above %.3g, below the "
                               "learning rate %.3g, while the local edge 2/lambda_max = %.3g is not exceeded: from a "
                               "trained point any step raises the loss, so this is not judged. ",
                            r->lrs.max_stable, r->lr, r->lrs.lr_edge);
        } else if (llp__isfinite(r->lrs.max_stable)) {
            llp__rep_printf(b, "The learning rate %.3g is below the range test's largest stable rate %.3g. ", r->lr,
                            r->lrs.max_stable);
            judged++;
        }
    }
    if (r->ran & LLP_PANEL_MULTISTART) {
        const llp_multistart_result *q = &r->multi;
        double sr = q->success_rate.value, bar = q->barrier_mean_est.value;
        if (!llp__isfinite(sr)) {
            llp__rep_printf(b, "The multi-start success rate cannot be judged. ");
        } else {
            llp__rep_printf(b, "%lu of %lu restarts ended within %.3g of the best loss %.4g (success rate %.2f; 1 "
                               "means every run finds an equally good minimum). ", (unsigned long)q->n_success,
                            (unsigned long)q->k, q->delta, q->best, sr);
            if (sr < 0.5) signs++;
            judged++;
            if (llp__isfinite(bar)) {
                if (bar <= q->delta)
                    llp__rep_printf(b, "The mean barrier %.3g between their minima is within delta: they are linearly "
                                       "connected. ", bar);
                else
                    llp__rep_printf(b, "The mean barrier %.3g exceeds delta %.3g: the minima found are separated by "
                                       "ridges (partly permutation symmetry, Entezari et al. 2022). ", bar, q->delta);
            }
        }
    }
    if (r->ran & (LLP_PANEL_SHARPNESS | LLP_PANEL_FLA | LLP_PANEL_BASIN))
        llp__rep_printf(b, "Sharpness, basin width and the walk statistics have no absolute reference point: compare "
                           "them between models on the same loss and data, not against a threshold. ");
    if (judged == 0)
        llp__rep_printf(b, "Verdict: nothing here could be judged against a reference point.");
    else if (signs == 0)
        llp__rep_printf(b, "Verdict: none of the %d judged signs points to trouble finding the minimum.", judged);
    else
        llp__rep_printf(b, "Verdict: %d of %d judged signs point to trouble finding (or staying in) the minimum.",
                        signs, judged);
}

LLPDEF size_t llp_report_reading(const llp_report *r, char *buf, size_t len) {
    llp__buf b;
    size_t n;
    if (buf && len) buf[0] = 0;
    if (!r) return 0;
    memset(&b, 0, sizeof b);
    llp__rep_read(r, &b);
    if (b.oom) {
        LLP_FREE(b.p);
        return 0;
    }
    n = b.n;
    if (buf && len) {
        size_t c = n < len - 1 ? n : len - 1;
        if (c) memcpy(buf, b.p, c);
        buf[c] = 0;
    }
    LLP_FREE(b.p);
    return n;
}

static const char *const llp__rep_invariance =
    "Invariance (a > 0 scales the loss; S rescales a ReLU layer by c and the next by 1/c, the function unchanged):\n"
    "  loss scaled by a:  lambda_max, lambda_min, trace, ghg, eta*lambda_max, gradient norms, eps*, the random and\n"
    "    adaptive sharpness (times a), Keskar phi (100 a D / (1 + a L0)), lr edges (1/a), PAC-Bayes sigma* and basin\n"
    "    width (absolute Delta) change; roughness, tv, minima, convexity, rho(1), correlation length, H, M, FEM,\n"
    "    B_simple, gradient cosines and CV, |lambda_min|/lambda_max and the success rate do not.\n"
    "  ReLU rescaling S:  lambda_max, trace, Keskar phi, plain random sharpness, PAC-Bayes sigma*, basin width, the\n"
    "    walk statistics and the slices along unit or MODEL directions change; the adaptive sharpness with eta = 0\n"
    "    does not (FILTER-normalised slices largely follow S). Input-space numbers depend on the input scaling.\n";

static void llp__rep_num(char *s, size_t cap, double v) {
    if (v != v) snprintf(s, cap, "n/a");
    else if (!llp__isfinite(v)) snprintf(s, cap, v > 0 ? "inf" : "-inf");
    else snprintf(s, cap, "%.6g", v);
}

static llp_result llp__rep_finish(llp__buf *b, const char *path, llp_error *err) {
    llp_result r;
    if (b->oom) {
        LLP_FREE(b->p);
        return llp__fail(err, LLP_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    r = llp__write_atomic(path, b->p, b->n, err);
    LLP_FREE(b->p);
    return r;
}

LLPDEF llp_result llp_report_write_text(const llp_report *r, const char *path, llp_error *err) {
    llp__buf b;
    llp__rep_row rows[LLP__REP_MAXROWS];
    size_t m, i;
    int k;
    llp__clear_error(err);
    if (!r || !path) return llp__fail(err, LLP_ERR_ARG, path, 0, 0, "no report or path");
    memset(&b, 0, sizeof b);
    m = llp__rep_rows(r, rows);
    llp__rep_printf(&b, "llprobe ruggedness report\n");
    llp__rep_printf(&b, "parameters %lu, seed %llu, budget %.6g, planned %.6g, spent %.6g gradient evaluations "
                        "(loss %lu, grad %lu, hvp %lu), sample scale %.4g\n",
                    (unsigned long)r->n, (unsigned long long)r->seed, r->budget, r->planned, r->cost,
                    (unsigned long)r->evals.loss, (unsigned long)r->evals.grad, (unsigned long)r->evals.hvp, r->scale);
    for (k = 0; k < LLP_REPORT_PANELS; k++) {
        if (!(r->ran & (1u << k))) continue;
        llp__rep_printf(&b, "\n== %s (planned %.6g, spent %.6g)\n", llp__rep_titles[k], r->panel_planned[k],
                        r->panel_cost[k]);
        llp__rep_printf(&b, "  %-28s %14s %12s  %-32s %9s\n", "metric", "value", "+- s.e.", "unit / scale", "cost");
        for (i = 0; i < m; i++) {
            char v[40], se[40], c[40];
            if (rows[i].panel != k) continue;
            llp__rep_num(v, sizeof v, rows[i].value);
            if (rows[i].se == rows[i].se) llp__rep_num(se, sizeof se, rows[i].se);
            else se[0] = 0;
            if (rows[i].cost == rows[i].cost) llp__rep_num(c, sizeof c, rows[i].cost);
            else c[0] = 0;
            llp__rep_printf(&b, "  %-28s %14s %12s  %-32s %9s\n", rows[i].label, v, se, rows[i].unit, c);
        }
    }
    if (r->notes[0]) llp__rep_printf(&b, "\nNotes:\n%s", r->notes);
    llp__rep_printf(&b, "\nReading:\n");
    llp__rep_read(r, &b);
    llp__rep_printf(&b, "\n\n%s", llp__rep_invariance);
    return llp__rep_finish(&b, path, err);
}

static void llp__rep_jnum(llp__buf *b, double v) {
    if (!llp__isfinite(v)) llp__rep_printf(b, "null");
    else llp__rep_printf(b, "%.17g", v);
}

static void llp__rep_jstr(llp__buf *b, const char *s, size_t n) {
    size_t i;
    llp__put(b, "\"", 1);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char e[2];
            e[0] = '\\', e[1] = (char)c;
            llp__put(b, e, 2);
        } else if (c == '\n') llp__put(b, "\\n", 2);
        else if (c == '\t') llp__put(b, "\\t", 2);
        else if (c < 0x20) llp__rep_printf(b, "\\u%04x", (unsigned)c);
        else llp__put(b, &s[i], 1);
    }
    llp__put(b, "\"", 1);
}

static void llp__rep_jpanels(llp__buf *b, unsigned set) {
    int k, first = 1;
    llp__put(b, "[", 1);
    for (k = 0; k < LLP_REPORT_PANELS; k++) {
        if (!(set & (1u << k))) continue;
        if (!first) llp__put(b, ", ", 2);
        llp__rep_jstr(b, llp__rep_names[k], strlen(llp__rep_names[k]));
        first = 0;
    }
    llp__put(b, "]", 1);
}

LLPDEF llp_result llp_report_write_json(const llp_report *r, const char *path, llp_error *err) {
    llp__buf b, rd;
    llp__rep_row rows[LLP__REP_MAXROWS];
    size_t m, i, start;
    int k, first;
    llp__clear_error(err);
    if (!r || !path) return llp__fail(err, LLP_ERR_ARG, path, 0, 0, "no report or path");
    memset(&b, 0, sizeof b);
    memset(&rd, 0, sizeof rd);
    m = llp__rep_rows(r, rows);
    llp__rep_printf(&b, "{\n  \"format\": \"llprobe-report\",\n  \"version\": 1,\n  \"n\": %lu,\n  \"seed\": %llu,\n",
                    (unsigned long)r->n, (unsigned long long)r->seed);
    llp__rep_printf(&b, "  \"lr\": ");
    llp__rep_jnum(&b, r->lr);
    llp__rep_printf(&b, ",\n  \"batch_size\": %lu,\n  \"budget\": ", (unsigned long)r->batch_size);
    llp__rep_jnum(&b, r->budget);
    llp__rep_printf(&b, ",\n  \"planned\": ");
    llp__rep_jnum(&b, r->planned);
    llp__rep_printf(&b, ",\n  \"scale\": ");
    llp__rep_jnum(&b, r->scale);
    llp__rep_printf(&b, ",\n  \"cost\": ");
    llp__rep_jnum(&b, r->cost);
    llp__rep_printf(&b, ",\n  \"requested\": ");
    llp__rep_jpanels(&b, r->requested);
    llp__rep_printf(&b, ",\n  \"ran\": ");
    llp__rep_jpanels(&b, r->ran);
    llp__rep_printf(&b, ",\n  \"evals\": {\"loss\": %lu, \"grad\": %lu, \"hvp\": %lu, \"batches\": %lu},\n",
                    (unsigned long)r->evals.loss, (unsigned long)r->evals.grad, (unsigned long)r->evals.hvp,
                    (unsigned long)r->evals.batches);
    llp__rep_printf(&b, "  \"panels\": [");
    first = 1;
    for (k = 0; k < LLP_REPORT_PANELS; k++) {
        if (!(r->ran & (1u << k))) continue;
        llp__rep_printf(&b, "%s\n    {\"name\": \"%s\", \"planned\": ", first ? "" : ",", llp__rep_names[k]);
        llp__rep_jnum(&b, r->panel_planned[k]);
        llp__rep_printf(&b, ", \"cost\": ");
        llp__rep_jnum(&b, r->panel_cost[k]);
        llp__rep_printf(&b, "}");
        first = 0;
    }
    llp__rep_printf(&b, "\n  ],\n  \"metrics\": [");
    for (i = 0; i < m; i++) {
        llp__rep_printf(&b, "%s\n    {\"panel\": \"%s\", \"key\": \"%s\", \"value\": ", i ? "," : "",
                        llp__rep_names[rows[i].panel], rows[i].key);
        llp__rep_jnum(&b, rows[i].value);
        llp__rep_printf(&b, ", \"se\": ");
        llp__rep_jnum(&b, rows[i].se);
        llp__rep_printf(&b, ", \"unit\": ");
        llp__rep_jstr(&b, rows[i].unit, strlen(rows[i].unit));
        llp__rep_printf(&b, "}");
    }
    llp__rep_printf(&b, "\n  ],\n  \"notes\": [");
    first = 1;
    start = 0;
    for (i = 0; r->notes[i]; i++) {
        if (r->notes[i] != '\n') continue;
        if (!first) llp__put(&b, ", ", 2);
        llp__rep_jstr(&b, r->notes + start, i - start);
        first = 0;
        start = i + 1;
    }
    llp__rep_printf(&b, "],\n  \"reading\": ");
    llp__rep_read(r, &rd);
    if (rd.oom) b.oom = 1;
    else llp__rep_jstr(&b, rd.n ? (const char *)rd.p : "", rd.n);
    LLP_FREE(rd.p);
    llp__rep_printf(&b, ",\n  \"invariance\": ");
    llp__rep_jstr(&b, llp__rep_invariance, strlen(llp__rep_invariance));
    llp__rep_printf(&b, "\n}\n");
    return llp__rep_finish(&b, path, err);
}

/* ---- 11.10d the probe-guided learning rate (section 10d) ------------------ */

LLPDEF double llp_pgo_edge(const llp_opt_desc *d, double lambda) {
    double b;
    if (!d || !(lambda > 0)) return NAN;
    switch (d->kind) {
    case LLP_OPT_MOMENTUM:
        b = d->momentum > 0 ? d->momentum : 0.9;
        return (2 + 2 * b) / lambda;
    case LLP_OPT_NESTEROV:
        b = d->momentum > 0 ? d->momentum : 0.9;
        return (2 + 2 * b) / ((1 + 2 * b) * lambda);
    case LLP_OPT_ADAM:
    case LLP_OPT_ADAMW:
        b = d->beta1 > 0 ? d->beta1 : 0.9;
        return (2 + 2 * b) / ((1 - b) * lambda);
    default: return 2 / lambda;
    }
}

LLPDEF void llp_pgo_free(llp_pgo *p) {
    if (!p) return;
    LLP_FREE(p->probe_idx);
    LLP_FREE(p->v);
    memset(p, 0, sizeof *p);
}

LLPDEF llp_result llp_pgo_init(llp_pgo *p, const llp_pgo_desc *d, const llp_objective *train) {
    llp_pgo q;
    size_t i, N;
    if (!p || !train || train->n == 0) return LLP_ERR_ARG;
    memset(&q, 0, sizeof q);
    if (d) q.d = *d;
    if ((unsigned)q.d.probe > (unsigned)LLP_PGO_GHG || !(q.d.c >= 0) || !(q.d.scale >= 0) || !(q.d.lr_min >= 0) ||
        !(q.d.lr_max >= 0) || !llp__isfinite(q.d.c) || !llp__isfinite(q.d.scale) || !llp__isfinite(q.d.lr_max) ||
        (q.d.lr_min > 0 && q.d.lr_max > 0 && q.d.lr_min > q.d.lr_max))
        return LLP_ERR_ARG;
    if (!q.d.every) q.d.every = 10;
    if (!q.d.iters) q.d.iters = 5;
    if (q.d.c == 0) q.d.c = 0.5;
    if (q.d.scale == 0) q.d.scale = 1;
    q.n = train->n;
    N = train->n_samples;
    q.n_samples = N;
    if (!llp__mul(q.n, 4 * sizeof(llp_real))) return LLP_ERR_NOMEM;
    q.v = (llp_real *)LLP_MALLOC(4 * q.n * sizeof(llp_real));
    if (!q.v) return LLP_ERR_NOMEM;
    q.w = q.v + q.n, q.g = q.v + 2 * q.n, q.t = q.v + 3 * q.n;
    llp_rng_seed(&q.rng, q.d.seed);
    if (N) {
        size_t *perm = (size_t *)LLP_MALLOC(N * sizeof(size_t));
        if (!perm) {
            LLP_FREE(q.v);
            return LLP_ERR_NOMEM;
        }
        q.n_probe = q.d.probe_batch && q.d.probe_batch < N ? q.d.probe_batch : (N < 256 ? N : 256);
        q.d.probe_batch = q.n_probe;
        for (i = 0; i < N; i++) perm[i] = i;
        llp_rng_permutation(&q.rng, perm, N);
        q.probe_idx = perm; /* the first n_probe entries are the batch */
    }
    llp_rng_fill_normal(&q.rng, q.v, q.n);
    q.base_lr = q.lambda = q.lr = NAN;
    *p = q;
    return LLP_OK;
}

/* D = P^-1/2 of the optimizer's preconditioner (none with raw). */
static int llp__pgo_precond(const llp_pgo *p, const llp_opt *o, llp_real *dv) {
    return p->d.raw ? 0 : llp__opt_precond_half(o, dv);
}

/* out = M x, M = H or D H D (dv = D, pre = 1); x untouched. */
static llp_result llp__pgo_apply(llp_pgo *p, const llp_objective *f, const llp_real *theta, const llp_batch *b,
                                 const llp_real *dv, int pre, const llp_real *x, llp_real *out) {
    size_t i;
    llp_result r;
    if (pre) {
        for (i = 0; i < p->n; i++) p->t[i] = x[i] * dv[i];
        r = llp_objective_hvp(f, theta, p->t, b, out);
        if (r == LLP_OK)
            for (i = 0; i < p->n; i++) out[i] *= dv[i];
    } else {
        r = llp_objective_hvp(f, theta, x, b, out);
    }
    llp__count_hvp(f, &p->evals, 1, 0);
    p->sample_cost += 2.0 * (double)(p->n_probe ? p->n_probe : 1);
    return r;
}

/* iters power iterations on M - shift I from the unit p->v (left as the last
   unit iterate); *lambda the last Rayleigh quotient of M - shift I. */
static llp_result llp__pgo_power(llp_pgo *p, const llp_objective *f, const llp_real *theta, const llp_batch *b,
                                 const llp_real *dv, int pre, size_t iters, double shift, double *lambda) {
    size_t it;
    for (it = 0; it < iters; it++) {
        double nw;
        llp_result r = llp__pgo_apply(p, f, theta, b, dv, pre, p->v, p->w);
        if (r != LLP_OK) return r;
        if (shift != 0) llp_axpy((llp_real)-shift, p->v, p->w, p->n);
        if (!llp_all_finite(p->w, p->n)) return LLP_ERR_NONFINITE;
        *lambda = llp_dot(p->v, p->w, p->n); /* Rayleigh quotient of the unit v */
        nw = llp_nrm2(p->w, p->n);
        if (!(nw > 0)) break; /* (M - shift) v = 0: keep v */
        llp_copy(p->w, p->v, p->n);
        llp_scale((llp_real)(1.0 / nw), p->v, p->n);
    }
    return LLP_OK;
}

LLPDEF llp_result llp_pgo_before_step(void *ctx, llp_opt *opt, const llp_objective *train, const llp_real *theta,
                                      const llp_batch *batch, uint64_t step) {
    llp_pgo *p = (llp_pgo *)ctx;
    llp_batch b;
    llp_real *dv = NULL;
    double lambda = NAN, rate, edge;
    int pre, kind_pre;
    size_t iters;
    llp_result r = LLP_OK;
    (void)batch;
    if (!p || !opt || !train || !theta || !p->v) return LLP_ERR_ARG;
    if (train->n != p->n || opt->n != p->n) return LLP_ERR_SHAPE;
    if (p->base_lr != p->base_lr) { /* first call: the clip around the base rate */
        p->base_lr = opt->d.lr;
        if (p->d.lr_min == 0) p->d.lr_min = 1e-3 * p->base_lr;
        if (p->d.lr_max == 0) p->d.lr_max = 10 * p->base_lr;
        if (p->d.lr_min > p->d.lr_max) p->d.lr_min = p->d.lr_max;
    }
    if (step % p->d.every) return LLP_OK;
    kind_pre = !p->d.raw && (opt->d.kind == LLP_OPT_ADAM || opt->d.kind == LLP_OPT_ADAMW ||
                             opt->d.kind == LLP_OPT_RMSPROP);
    if (kind_pre && opt->t == 0) return LLP_OK; /* no preconditioner yet: keep the base rate */
    b = p->probe_idx ? llp_batch_index(p->probe_idx, p->n_probe) : llp_batch_all();
    /* D lives in g's slot for LAMBDA_MAX; GHG needs g, so it computes D into w after the gradient */
    if (p->d.probe == LLP_PGO_LAMBDA_MAX) {
        double nv;
        pre = kind_pre ? llp__pgo_precond(p, opt, p->g) : 0;
        if (pre < 0) return LLP_ERR_NONFINITE;
        dv = pre ? p->g : NULL;
        iters = p->probes ? p->d.iters : 4 * p->d.iters;
        nv = llp_nrm2(p->v, p->n);
        if (!(nv > 0) || !llp__isfinite(nv)) {
            llp_rng_fill_normal(&p->rng, p->v, p->n);
            nv = llp_nrm2(p->v, p->n);
        }
        llp_scale((llp_real)(1.0 / nv), p->v, p->n);
        r = llp__pgo_power(p, train, theta, &b, dv, pre, iters, 0, &lambda);
        if (r == LLP_OK && lambda < 0) {
            /* the dominant eigenvalue is negative: the top one is lambda + the dominant one of
               M - lambda I, whose spectrum is >= 0; from a fresh vector (v is near the
               eigenvector the shift sends to 0) */
            double dom = lambda, top = 0;
            llp_rng_fill_normal(&p->rng, p->v, p->n);
            llp_scale((llp_real)(1.0 / llp_nrm2(p->v, p->n)), p->v, p->n);
            r = llp__pgo_power(p, train, theta, &b, dv, pre, iters, dom, &top);
            lambda = top + dom;
        }
        if (r != LLP_OK) return r;
        p->evals.batches++;
    } else {
        double gg;
        llp_real loss;
        size_t i;
        r = llp_objective_loss_grad(train, theta, &b, &loss, p->g);
        p->evals.grad++;
        p->evals.batches++;
        p->sample_cost += (double)(p->n_probe ? p->n_probe : 1);
        if (r != LLP_OK) return r;
        if (!llp_all_finite(p->g, p->n)) return LLP_ERR_NONFINITE;
        pre = kind_pre ? llp__pgo_precond(p, opt, p->w) : 0;
        if (pre < 0) return LLP_ERR_NONFINITE;
        if (pre) /* in the coordinates y = P^1/2 theta the gradient is D g and the Hessian D H D */
            for (i = 0; i < p->n; i++) p->g[i] *= p->w[i];
        gg = llp_dot(p->g, p->g, p->n);
        if (gg > 0) {
            r = llp__pgo_apply(p, train, theta, &b, pre ? p->w : NULL, pre, p->g, p->v);
            if (r != LLP_OK) return r;
            if (!llp_all_finite(p->v, p->n)) return LLP_ERR_NONFINITE;
            lambda = llp_dot(p->g, p->v, p->n) / gg;
        } else {
            lambda = 0;
        }
    }
    p->probes++;
    p->lambda = lambda;
    edge = llp_pgo_edge(&opt->d, lambda);
    if (edge != edge) return LLP_OK; /* no positive curvature found: keep the rate */
    rate = p->d.scale * p->d.c * edge;
    if (rate < p->d.lr_min) rate = p->d.lr_min;
    if (rate > p->d.lr_max) rate = p->d.lr_max;
    opt->d.lr = rate;
    p->lr = rate;
    return LLP_OK;
}

/* ---- 11.10d the meta-model and rank statistics ---- */

/* Stable bottom-up merge sort of idx (n) by the key (k1[idx], then k2[idx]
   when k2 != NULL); tmp: (n) scratch. NaN-free keys. */
static void llp__meta_sort(size_t *idx, size_t *tmp, size_t n, const double *k1, const double *k2) {
    size_t w, lo;
    size_t *a = idx, *b = tmp, *t;
    for (w = 1; w < n; w *= 2) {
        for (lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, o = lo;
            while (i < mid && j < hi) {
                double ai = k1[a[i]], aj = k1[a[j]];
                int right = aj < ai || (aj == ai && k2 && k2[a[j]] < k2[a[i]]);
                b[o++] = right ? a[j++] : a[i++];
            }
            while (i < mid) b[o++] = a[i++];
            while (j < hi) b[o++] = a[j++];
        }
        t = a, a = b, b = t;
    }
    if (a != idx) memcpy(idx, a, n * sizeof *idx);
}

/* Sorts v (n) ascending, returns the number of pairs i < j with v_i > v_j
   (strict inversions: equal values are not counted). tmp: (n) scratch. */
static uint64_t llp__meta_inversions(double *v, double *tmp, size_t n) {
    size_t w, lo;
    double *a = v, *b = tmp, *t;
    uint64_t inv = 0;
    for (w = 1; w < n; w *= 2) {
        for (lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, o = lo;
            while (i < mid && j < hi) {
                if (a[j] < a[i]) {
                    inv += (uint64_t)(mid - i); /* a[j] is below every remaining left value */
                    b[o++] = a[j++];
                } else {
                    b[o++] = a[i++];
                }
            }
            while (i < mid) b[o++] = a[i++];
            while (j < hi) b[o++] = a[j++];
        }
        t = a, a = b, b = t;
    }
    if (a != v) memcpy(v, a, n * sizeof *v);
    return inv;
}

/* The pairs without NaN: a, b: (n) out; returns their count. */
static size_t llp__meta_pairs(const double *x, const double *y, size_t n, double *a, double *b) {
    size_t i, m = 0;
    for (i = 0; i < n; i++)
        if (x[i] == x[i] && y[i] == y[i]) a[m] = x[i], b[m] = y[i], m++;
    return m;
}

/* Average 1-based ranks of v (m) into r (m); idx, tmp: (m) scratch. */
static void llp__meta_ranks(const double *v, size_t m, double *r, size_t *idx, size_t *tmp) {
    size_t i, j, k;
    for (i = 0; i < m; i++) idx[i] = i;
    llp__meta_sort(idx, tmp, m, v, NULL);
    for (i = 0; i < m; i = j) {
        double avg;
        for (j = i + 1; j < m && v[idx[j]] == v[idx[i]]; j++) {}
        avg = 0.5 * (double)(i + j + 1); /* mean of i+1 .. j */
        for (k = i; k < j; k++) r[idx[k]] = avg;
    }
}

/* One allocation of 4 m doubles and 2 m size_t. */
static void *llp__meta_scratch(size_t m, double **d4, size_t **s2) {
    void *p;
    if (!llp__mul(m, 4 * sizeof(double) + 2 * sizeof(size_t))) return NULL;
    p = LLP_MALLOC(m * (4 * sizeof(double) + 2 * sizeof(size_t)));
    if (!p) return NULL;
    *d4 = (double *)p;
    *s2 = (size_t *)(void *)(*d4 + 4 * m);
    return p;
}

static double llp__meta_pearson(const double *a, const double *b, size_t m) {
    double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    size_t i;
    for (i = 0; i < m; i++) ma += a[i], mb += b[i];
    ma /= (double)m, mb /= (double)m;
    for (i = 0; i < m; i++) {
        double da = a[i] - ma, db = b[i] - mb;
        sab += da * db, saa += da * da, sbb += db * db;
    }
    if (!(saa > 0) || !(sbb > 0)) return NAN;
    return sab / sqrt(saa * sbb);
}

LLPDEF double llp_rank_spearman(const double *x, const double *y, size_t n) {
    double *d4, r;
    size_t *s2, m;
    void *blk;
    if (!x || !y || n < 2) return NAN;
    blk = llp__meta_scratch(n, &d4, &s2);
    if (!blk) return NAN;
    m = llp__meta_pairs(x, y, n, d4, d4 + n);
    if (m < 2) {
        LLP_FREE(blk);
        return NAN;
    }
    llp__meta_ranks(d4, m, d4 + 2 * n, s2, s2 + n);
    llp__meta_ranks(d4 + n, m, d4 + 3 * n, s2, s2 + n);
    r = llp__meta_pearson(d4 + 2 * n, d4 + 3 * n, m);
    LLP_FREE(blk);
    if (r > 1) r = 1;
    if (r < -1) r = -1;
    return r;
}

LLPDEF double llp_rank_kendall(const double *x, const double *y, size_t n) {
    double *d4, *a, *b, *ys, num, den;
    size_t *s2, *idx, m, i, j;
    uint64_t n0, n1 = 0, n2 = 0, n3 = 0, disc;
    void *blk;
    if (!x || !y || n < 2) return NAN;
    blk = llp__meta_scratch(n, &d4, &s2);
    if (!blk) return NAN;
    a = d4, b = d4 + n, ys = d4 + 2 * n, idx = s2;
    m = llp__meta_pairs(x, y, n, a, b);
    if (m < 2) {
        LLP_FREE(blk);
        return NAN;
    }
    for (i = 0; i < m; i++) idx[i] = i;
    llp__meta_sort(idx, s2 + n, m, a, b); /* by x, then y */
    for (i = 0; i < m; i = j) {           /* ties in x (n1) and in (x, y) jointly (n3) */
        size_t k, t;
        for (j = i + 1; j < m && a[idx[j]] == a[idx[i]]; j++) {}
        t = j - i;
        n1 += (uint64_t)t * (uint64_t)(t - 1) / 2;
        for (k = i; k < j;) {
            size_t l = k + 1;
            while (l < j && b[idx[l]] == b[idx[k]]) l++;
            n3 += (uint64_t)(l - k) * (uint64_t)(l - k - 1) / 2;
            k = l;
        }
    }
    for (i = 0; i < m; i++) ys[i] = b[idx[i]];
    disc = llp__meta_inversions(ys, d4 + 3 * n, m); /* ys now sorted */
    for (i = 0; i < m; i = j) {
        size_t t;
        for (j = i + 1; j < m && ys[j] == ys[i]; j++) {}
        t = j - i;
        n2 += (uint64_t)t * (uint64_t)(t - 1) / 2;
    }
    LLP_FREE(blk);
    n0 = (uint64_t)m * (uint64_t)(m - 1) / 2;
    if (n1 >= n0 || n2 >= n0) return NAN;
    /* C - D = (n0 - n1 - n2 + n3) - 2 D, in exact integers where possible */
    num = (double)(n0 - n1 - n2 + n3) - 2.0 * (double)disc;
    den = sqrt((double)(n0 - n1)) * sqrt((double)(n0 - n2));
    num /= den;
    if (num > 1) num = 1;
    if (num < -1) num = -1;
    return num;
}

/* k from frac and m (see llp_rank_topk_recall). */
static size_t llp__meta_topk(double frac, size_t m) {
    double v = ceil(frac * (double)m * (1 - 1e-9));
    size_t k = v < 1 ? 1 : (size_t)v;
    return k > m ? m : k;
}

/* p: (m) out, the probability that i is among the k smallest of v under
   uniformly random tie-breaking. idx, tmp: (m) scratch. */
static void llp__meta_topset(const double *v, size_t m, size_t k, double *p, size_t *idx, size_t *tmp) {
    size_t i, below = 0, eq = 0;
    double t;
    for (i = 0; i < m; i++) idx[i] = i;
    llp__meta_sort(idx, tmp, m, v, NULL);
    t = v[idx[k - 1]];
    for (i = 0; i < m; i++) {
        if (v[i] < t) below++;
        else if (v[i] == t) eq++;
    }
    for (i = 0; i < m; i++) p[i] = v[i] < t ? 1.0 : v[i] == t ? (double)(k - below) / (double)eq : 0.0;
}

LLPDEF double llp_rank_topk_recall(const double *pred, const double *truth, size_t n, double frac) {
    double *d4, s = 0;
    size_t *s2, m, k, i;
    void *blk;
    if (!pred || !truth || n < 2 || !(frac > 0 && frac <= 1)) return NAN;
    blk = llp__meta_scratch(n, &d4, &s2);
    if (!blk) return NAN;
    m = llp__meta_pairs(pred, truth, n, d4, d4 + n);
    if (m < 2) {
        LLP_FREE(blk);
        return NAN;
    }
    k = llp__meta_topk(frac, m);
    llp__meta_topset(d4, m, k, d4 + 2 * n, s2, s2 + n);
    llp__meta_topset(d4 + n, m, k, d4 + 3 * n, s2, s2 + n);
    for (i = 0; i < m; i++) s += d4[2 * n + i] * d4[3 * n + i];
    LLP_FREE(blk);
    return s / (double)k;
}

/* ---- meta-model ---- */

typedef struct llp__meta_set {
    size_t hidden, steps, ensemble;
    int layers;
    llp_act act;
    double wd, lr;
    uint64_t seed;
    llp_task task;
} llp__meta_set;

static llp_result llp__meta_resolve(const llp_meta_desc *desc, llp__meta_set *s) {
    llp_meta_desc d;
    if (desc) d = *desc;
    else memset(&d, 0, sizeof d);
    if (d.layers < 0 || d.layers > LLP_MAX_LAYERS - 1) return LLP_ERR_ARG;
    if ((unsigned)d.act > (unsigned)LLP_ACT_GELU) return LLP_ERR_ARG;
    if (d.task != LLP_TASK_AUTO && d.task != LLP_TASK_REGRESSION && d.task != LLP_TASK_CLASSIFICATION)
        return LLP_ERR_ARG;
    if (!(d.lr >= 0) || !llp__isfinite(d.lr) || d.weight_decay != d.weight_decay || !llp__isfinite(d.weight_decay))
        return LLP_ERR_ARG;
    s->hidden = d.hidden ? d.hidden : 16;
    s->layers = d.layers ? d.layers : 1;
    s->act = d.act ? d.act : LLP_ACT_TANH;
    s->wd = d.weight_decay == 0 ? 1e-3 : d.weight_decay < 0 ? 0.0 : d.weight_decay;
    s->steps = d.steps ? d.steps : 2000;
    s->lr = d.lr > 0 ? d.lr : 1e-2;
    s->ensemble = d.ensemble ? d.ensemble : 5;
    s->seed = d.seed;
    s->task = d.task == LLP_TASK_CLASSIFICATION ? LLP_TASK_CLASSIFICATION : LLP_TASK_REGRESSION;
    if (s->hidden > (size_t)2147483647) return LLP_ERR_ARG;
    return LLP_OK;
}

/* Standardised value of feature j: NaN/Inf and ignored columns give 0;
   clipped to +-1e6 (a finite but extreme value must not overflow llp_real). */
static double llp__meta_std(double v, double mean, double sd) {
    double z;
    if (!(sd > 0) || !llp__isfinite(v)) return 0.0;
    z = (v - mean) / sd;
    return z > 1e6 ? 1e6 : z < -1e6 ? -1e6 : z;
}

LLPDEF llp_result llp_meta_fit(const double *X, const double *y, size_t n, size_t d, const llp_meta_desc *desc,
                               llp_meta_model *m) {
    llp__meta_set s;
    llp_meta_model t;
    llp_mlp_desc md;
    llp_data data;
    llp_mlp_objective mo;
    llp_objective f;
    llp_opt_desc od;
    llp_opt opt;
    llp_rng rng;
    llp_real *state = NULL;
    size_t i, j, e, nf = 0, np, ssz, r;
    double ymax = 0, loss_sum = 0;
    llp_result res;
    int l;
    if (!X || !y || !m || n < 2 || d == 0 || d > (size_t)2147483647) return LLP_ERR_ARG;
    res = llp__meta_resolve(desc, &s);
    if (res != LLP_OK) return res;
    for (i = 0; i < n; i++) {
        if (!llp__isfinite(y[i])) continue;
        if (s.task == LLP_TASK_CLASSIFICATION && y[i] != 0 && y[i] != 1) return LLP_ERR_LABEL;
        nf++;
    }
    if (nf < 2) return LLP_ERR_EMPTY;
    memset(&t, 0, sizeof t);
    memset(&data, 0, sizeof data);
    memset(&mo, 0, sizeof mo);
    t.d = d, t.task = s.task, t.members = s.ensemble, t.steps = s.steps;
    t.n_fit = nf, t.n_dropped = n - nf;
    if (!llp__mul(d, 2 * sizeof(double))) return LLP_ERR_NOMEM;
    t.block = LLP_MALLOC(2 * d * sizeof(double));
    if (!t.block) return LLP_ERR_NOMEM;
    t.x_mean = (double *)t.block;
    t.x_sd = t.x_mean + d;
    /* feature statistics over the finite entries of the fitted rows */
    for (j = 0; j < d; j++) {
        double mean = 0, ss = 0, mx = 0;
        size_t c = 0;
        for (i = 0; i < n; i++) {
            double v = X[i * d + j];
            if (!llp__isfinite(y[i]) || !llp__isfinite(v)) continue;
            c++;
            mean += (v - mean) / (double)c;
            if (fabs(v) > mx) mx = fabs(v);
        }
        for (i = 0; i < n; i++) {
            double v = X[i * d + j];
            if (!llp__isfinite(y[i]) || !llp__isfinite(v)) continue;
            ss += (v - mean) * (v - mean);
        }
        t.x_mean[j] = c ? mean : 0.0;
        t.x_sd[j] = c >= 2 ? sqrt(ss / (double)c) : 0.0;
        if (!(t.x_sd[j] > 1e-12 * mx) || !llp__isfinite(t.x_sd[j])) t.x_sd[j] = 0.0;
    }
    /* target statistics */
    if (s.task == LLP_TASK_REGRESSION) {
        double mean = 0, ss = 0;
        size_t c = 0;
        for (i = 0; i < n; i++)
            if (llp__isfinite(y[i])) {
                c++;
                mean += (y[i] - mean) / (double)c;
                if (fabs(y[i]) > ymax) ymax = fabs(y[i]);
            }
        for (i = 0; i < n; i++)
            if (llp__isfinite(y[i])) ss += (y[i] - mean) * (y[i] - mean);
        t.y_mean = mean;
        t.y_sd = sqrt(ss / (double)c);
        if (!(t.y_sd > 1e-12 * ymax) || !llp__isfinite(t.y_sd)) t.y_sd = 0.0;
    } else {
        t.y_mean = 0.0, t.y_sd = 1.0;
    }
    /* the training set */
    res = llp_data_alloc(&data, nf, d, s.task, s.task == LLP_TASK_CLASSIFICATION ? 2 : 1);
    if (res != LLP_OK) goto fail;
    for (i = 0, r = 0; i < n; i++) {
        if (!llp__isfinite(y[i])) continue;
        for (j = 0; j < d; j++) data.x[r * d + j] = (llp_real)llp__meta_std(X[i * d + j], t.x_mean[j], t.x_sd[j]);
        if (s.task == LLP_TASK_CLASSIFICATION) data.labels[r] = y[i] == 1 ? 1 : 0;
        else data.y[r] = (llp_real)(t.y_sd > 0 ? (y[i] - t.y_mean) / t.y_sd : 0.0);
        r++;
    }
    /* the members' architecture */
    memset(&md, 0, sizeof md);
    md.n_layers = s.layers + 1;
    md.sizes[0] = (int)d;
    for (l = 1; l <= s.layers; l++) md.sizes[l] = (int)s.hidden;
    md.sizes[s.layers + 1] = 1;
    md.act = s.act;
    md.loss = s.task == LLP_TASK_CLASSIFICATION ? LLP_LOSS_BCE : LLP_LOSS_MSE;
    md.weight_decay = s.wd;
    res = llp_mlp_init(&t.net, &md);
    if (res != LLP_OK) goto fail;
    np = t.net.n_params;
    if (!llp__mul(np, s.ensemble) || !llp__mul(np * s.ensemble, sizeof(llp_real))) {
        res = LLP_ERR_NOMEM;
        goto fail;
    }
    t.theta = (llp_real *)LLP_MALLOC(np * s.ensemble * sizeof(llp_real));
    memset(&od, 0, sizeof od);
    od.kind = LLP_OPT_ADAM;
    od.lr = s.lr;
    ssz = llp_opt_state_size(&od, np);
    state = (llp_real *)LLP_MALLOC((ssz ? ssz : 1) * sizeof(llp_real));
    if (!t.theta || !state || !ssz) {
        res = LLP_ERR_NOMEM;
        goto fail;
    }
    res = llp_mlp_objective_init(&mo, &t.net, &data, 0);
    if (res != LLP_OK) goto fail;
    f = llp_mlp_objective_get(&mo);
    llp_rng_seed(&rng, s.seed);
    for (e = 0; e < s.ensemble; e++) {
        llp_real *th = t.theta + e * np, loss;
        size_t k;
        llp_mlp_randomize(&t.net, th, &rng);
        res = llp_opt_init(&opt, &od, np, state, ssz);
        if (res != LLP_OK) goto fail;
        for (k = 0; k < s.steps; k++) {
            res = llp_opt_step(&opt, &f, th, NULL, NULL);
            t.evals.grad++;
            if (res != LLP_OK) goto fail;
        }
        res = llp_objective_loss(&f, th, NULL, &loss);
        t.evals.loss++;
        if (res == LLP_OK && !llp__isfinite(loss)) res = LLP_ERR_NONFINITE;
        if (res != LLP_OK) goto fail;
        loss_sum += loss;
    }
    t.train_loss = loss_sum / (double)s.ensemble;
    llp_mlp_objective_free(&mo);
    llp_data_free(&data);
    LLP_FREE(state);
    *m = t;
    return LLP_OK;
fail:
    llp_mlp_objective_free(&mo);
    llp_data_free(&data);
    LLP_FREE(state);
    LLP_FREE(t.theta);
    llp_mlp_free(&t.net);
    LLP_FREE(t.block);
    return res;
}

LLPDEF llp_result llp_meta_predict(const llp_meta_model *m, const double *X, size_t n, double *out) {
    llp_mlp_work w;
    llp_real *xb = NULL, *ob = NULL;
    double *acc = NULL;
    size_t B, i0, i, j, e, d, np;
    llp_result res = LLP_OK;
    if (!m || !X || !out || n == 0 || !m->theta || !m->block || m->members == 0 || m->d == 0) return LLP_ERR_ARG;
    d = m->d;
    np = m->net.n_params;
    B = n < 256 ? n : 256;
    memset(&w, 0, sizeof w);
    if (!llp__mul(B, d) || !llp__mul(B * d, sizeof(llp_real)) || !llp__mul(n, sizeof(double))) return LLP_ERR_NOMEM;
    res = llp_mlp_work_init(&w, &m->net, B);
    if (res != LLP_OK) return res;
    xb = (llp_real *)LLP_MALLOC(B * d * sizeof(llp_real));
    ob = (llp_real *)LLP_MALLOC(B * sizeof(llp_real));
    acc = (double *)LLP_MALLOC(n * sizeof(double));
    if (!xb || !ob || !acc) {
        res = LLP_ERR_NOMEM;
        goto done;
    }
    for (i0 = 0; i0 < n; i0 += B) {
        size_t b = n - i0 < B ? n - i0 : B;
        for (i = 0; i < b; i++)
            for (j = 0; j < d; j++) xb[i * d + j] = (llp_real)llp__meta_std(X[(i0 + i) * d + j], m->x_mean[j], m->x_sd[j]);
        for (i = 0; i < b; i++) acc[i0 + i] = 0;
        for (e = 0; e < m->members; e++) {
            res = llp_mlp_forward(&m->net, m->theta + e * np, xb, b, ob, &w);
            if (res != LLP_OK) goto done;
            for (i = 0; i < b; i++) {
                double v = (double)ob[i];
                acc[i0 + i] += m->task == LLP_TASK_CLASSIFICATION ? 1.0 / (1.0 + exp(-v)) : v;
            }
        }
        for (i = 0; i < b; i++) {
            double v = acc[i0 + i] / (double)m->members;
            acc[i0 + i] = m->task == LLP_TASK_CLASSIFICATION ? v : m->y_mean + m->y_sd * v;
        }
    }
    memcpy(out, acc, n * sizeof(double));
done:
    llp_mlp_work_free(&w);
    LLP_FREE(xb);
    LLP_FREE(ob);
    LLP_FREE(acc);
    return res;
}

LLPDEF void llp_meta_free(llp_meta_model *m) {
    if (!m) return;
    LLP_FREE(m->theta);
    LLP_FREE(m->block);
    llp_mlp_free(&m->net);
    memset(m, 0, sizeof *m);
}

/* The regression metrics of p against y over the rows list (c rows). */
static void llp__meta_scores(const double *p, const double *y, const size_t *rows, size_t c, double *r2, double *rmse,
                             double *mae) {
    double mean = 0, sse = 0, sst = 0, sae = 0;
    size_t i;
    for (i = 0; i < c; i++) mean += y[rows[i]];
    mean /= (double)c;
    for (i = 0; i < c; i++) {
        double e = p[rows[i]] - y[rows[i]], dv = y[rows[i]] - mean;
        sse += e * e, sae += fabs(e), sst += dv * dv;
    }
    *r2 = sst > 0 ? 1 - sse / sst : NAN;
    *rmse = sqrt(sse / (double)c);
    *mae = sae / (double)c;
}

LLPDEF llp_result llp_meta_cv(const double *X, const double *y, size_t n, size_t d, size_t folds,
                              const llp_meta_desc *desc, double top_frac, llp_rng *rng, llp_meta_cv_result *res) {
    llp__meta_set s;
    llp_meta_cv_result t;
    llp_meta_model mm;
    llp_result r;
    size_t *perm = NULL, *rows = NULL, f, i, j, c;
    double *Xt = NULL, *yt = NULL, *ps = NULL, *ys = NULL, *fr2 = NULL, *frho = NULL;
    void *blk = NULL;
    if (!X || !y || !rng || !res || n < 2 || d == 0) return LLP_ERR_ARG;
    r = llp__meta_resolve(desc, &s);
    if (r != LLP_OK) return r;
    if (folds == 0) folds = n < 5 ? n : 5;
    if (folds < 2 || folds > n) return LLP_ERR_ARG;
    if (top_frac == 0) top_frac = 0.1;
    if (!(top_frac > 0 && top_frac <= 1)) return LLP_ERR_ARG;
    memset(&t, 0, sizeof t);
    t.n = n, t.folds = folds, t.top_frac = top_frac;
    /* one block: pred (n), fold (n) for the result; scratch separately */
    if (!llp__mul(n, d) || !llp__mul(n * d, sizeof(double)) || !llp__mul(n, sizeof(double) + sizeof(size_t)))
        return LLP_ERR_NOMEM;
    blk = LLP_MALLOC(n * (sizeof(double) + sizeof(size_t)));
    perm = (size_t *)LLP_MALLOC(2 * n * sizeof(size_t));
    Xt = (double *)LLP_MALLOC(n * d * sizeof(double));
    yt = (double *)LLP_MALLOC(4 * n * sizeof(double) + 2 * folds * sizeof(double));
    if (!blk || !perm || !Xt || !yt) {
        r = LLP_ERR_NOMEM;
        goto fail;
    }
    t.block = blk;
    t.pred = (double *)blk;
    t.fold = (size_t *)(void *)(t.pred + n);
    rows = perm + n;
    ps = yt + n, ys = yt + 2 * n, fr2 = yt + 4 * n, frho = fr2 + folds;
    llp_rng_permutation(rng, perm, n);
    for (f = 0; f < folds; f++)
        for (i = f * n / folds; i < (f + 1) * n / folds; i++) t.fold[perm[i]] = f;
    for (f = 0; f < folds; f++) {
        size_t ntr = 0, nte = 0;
        /* training rows in their original order; the fold's rows after them */
        for (i = 0; i < n; i++) {
            if (t.fold[i] == f) continue;
            memcpy(Xt + ntr * d, X + i * d, d * sizeof(double));
            yt[ntr++] = y[i];
        }
        r = llp_meta_fit(Xt, yt, ntr, d, desc, &mm);
        if (r != LLP_OK) goto fail;
        t.steps += mm.members * mm.steps;
        llp__evals_add(&t.evals, &mm.evals);
        for (i = 0; i < n; i++)
            if (t.fold[i] == f) memcpy(Xt + (nte++) * d, X + i * d, d * sizeof(double));
        r = llp_meta_predict(&mm, Xt, nte, ps);
        llp_meta_free(&mm);
        if (r != LLP_OK) goto fail;
        for (i = 0, j = 0; i < n; i++)
            if (t.fold[i] == f) t.pred[i] = ps[j++];
        /* the fold's own R^2 and Spearman over its finite targets */
        for (i = 0, c = 0; i < n; i++)
            if (t.fold[i] == f && llp__isfinite(y[i])) rows[c++] = i;
        fr2[f] = frho[f] = NAN;
        if (c >= 2) {
            double rm, ma;
            llp__meta_scores(t.pred, y, rows, c, &fr2[f], &rm, &ma);
            for (i = 0; i < c; i++) ps[i] = t.pred[rows[i]], ys[i] = y[rows[i]];
            frho[f] = llp_rank_spearman(ps, ys, c);
        }
    }
    /* pooled metrics over the scored rows */
    for (i = 0, c = 0; i < n; i++)
        if (llp__isfinite(y[i])) rows[c++] = i;
    t.n_scored = c;
    for (i = 0; i < c; i++) ps[i] = t.pred[rows[i]], ys[i] = y[rows[i]];
    llp__meta_scores(t.pred, y, rows, c, &t.r2, &t.rmse, &t.mae);
    t.spearman = llp_rank_spearman(ps, ys, c);
    t.kendall = llp_rank_kendall(ps, ys, c);
    t.top_k = llp__meta_topk(top_frac, c);
    t.fold_r2 = llp_estimate_of(fr2, folds);
    t.fold_spearman = llp_estimate_of(frho, folds);
    if (s.task == LLP_TASK_CLASSIFICATION) {
        size_t ok = 0;
        for (i = 0; i < c; i++) {
            ok += (ps[i] > 0.5) == (ys[i] == 1);
            ps[i] = -ps[i]; /* highest probability first */
        }
        t.accuracy = (double)ok / (double)c;
        t.top_recall = NAN;
        /* expected share of label 1 in the top k (ties broken at random) */
        {
            double *pk = yt + 3 * n, sum = 0;
            llp__meta_topset(ps, c, t.top_k, pk, perm, rows);
            for (i = 0; i < c; i++) sum += pk[i] * ys[i];
            t.top_precision = sum / (double)t.top_k;
        }
    } else {
        t.accuracy = NAN;
        t.top_precision = NAN;
        t.top_recall = llp_rank_topk_recall(ps, ys, c, top_frac);
    }
    LLP_FREE(perm);
    LLP_FREE(Xt);
    LLP_FREE(yt);
    *res = t;
    return LLP_OK;
fail:
    LLP_FREE(blk);
    LLP_FREE(perm);
    LLP_FREE(Xt);
    LLP_FREE(yt);
    return r;
}

LLPDEF void llp_meta_cv_free(llp_meta_cv_result *res) {
    if (!res) return;
    LLP_FREE(res->block);
    memset(res, 0, sizeof *res);
}

/* ---- 11.10d hyperparameter spaces, samplers, successive halving and Hyperband ---- */

#define LLP__HP_SLACK 1e-9
#define LLP__HP_INT_MAX 9007199254740992.0 /* 2^53: integers exact in double */
#define LLP__HP_BIT(k) (1u << (k))

static const char *const llp__hp_names[LLP_HP_KEYS] = {"lr",    "wd",    "momentum", "batch",
                                                       "width", "depth", "init",     "opt"};

LLPDEF const char *llp_hp_key_name(llp_hp_key k) {
    if ((unsigned)k >= (unsigned)LLP_HP_KEYS) return "unknown";
    return llp__hp_names[k];
}

static int llp__hp_is_int(double v) { return llp__isfinite(v) && floor(v) == v; }

static int llp__hp_int_key(int k) { return k == LLP_HP_BATCH_SIZE || k == LLP_HP_WIDTH || k == LLP_HP_DEPTH; }

/* NULL when v is in key k's domain, else why not. */
static const char *llp__hp_value_bad(int k, double v) {
    double bmax = LLP__HP_INT_MAX;
    if ((double)(size_t)-1 < bmax) bmax = (double)(size_t)-1;
    if (!llp__isfinite(v)) return "not finite";
    switch (k) {
    case LLP_HP_LR: return v > 0 ? NULL : "the learning rate must be > 0";
    case LLP_HP_WEIGHT_DECAY: return v >= 0 ? NULL : "weight decay must be >= 0";
    case LLP_HP_MOMENTUM: return v >= 0 && v < 1 ? NULL : "momentum must be in [0, 1)";
    case LLP_HP_BATCH_SIZE:
        return floor(v) == v && v >= 1 && v <= bmax ? NULL : "the batch size must be an integer >= 1";
    case LLP_HP_WIDTH:
        return floor(v) == v && v >= 1 && v <= (double)(1 << 24) ? NULL : "the width must be an integer in [1, 2^24]";
    case LLP_HP_DEPTH:
        return floor(v) == v && v >= 0 && v <= (double)(LLP_MAX_LAYERS - 1)
                   ? NULL
                   : "the depth must be an integer in [0, LLP_MAX_LAYERS - 1]";
    case LLP_HP_INIT_SCALE: return v > 0 ? NULL : "the initialisation scale must be > 0";
    case LLP_HP_OPTIMIZER:
        return floor(v) == v && v >= 0 && v <= (double)LLP_OPT_ADAMW ? NULL
                                                                     : "the optimizer must be an llp_opt_kind value";
    default: break;
    }
    return "unknown key";
}

LLPDEF llp_result llp_hp_space_validate(const llp_hp_space *s, llp_error *err) {
    unsigned seen = 0;
    size_t d, j, m;
    llp__clear_error(err);
    if (!s) return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0, "hp space: NULL");
    if (s->n_dims < 1 || s->n_dims > (size_t)LLP_HP_KEYS)
        return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0, "hp space: n_dims = %lu, outside 1..%d",
                         (unsigned long)s->n_dims, (int)LLP_HP_KEYS);
    for (d = 0; d < s->n_dims; d++) {
        const llp_hp_dim *x = &s->dim[d];
        unsigned long dl = (unsigned long)d;
        int k = (int)x->key;
        const char *nm, *bad;
        if (k < 0 || k >= (int)LLP_HP_KEYS)
            return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0, "dimension %lu: key %d is not an llp_hp_key", dl, k);
        nm = llp__hp_names[k];
        if (seen >> k & 1u)
            return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0,
                             "dimension %lu (%s): key already set by an earlier dimension", dl, nm);
        seen |= 1u << k;
        if (x->n_choices > LLP_HP_MAX_CHOICES)
            return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0, "dimension %lu (%s): %lu choices, at most %d", dl, nm,
                             (unsigned long)x->n_choices, LLP_HP_MAX_CHOICES);
        if (x->n_choices) {
            if (x->lo != 0 || x->hi != 0 || x->scale != LLP_HP_LINEAR || x->integer)
                return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0,
                                 "dimension %lu (%s): a list of choices leaves lo, hi, scale and integer zero", dl, nm);
            for (j = 0; j < x->n_choices; j++) {
                bad = llp__hp_value_bad(k, x->choice[j]);
                if (bad)
                    return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0, "dimension %lu (%s): choice %lu (%.6g): %s", dl, nm,
                                     (unsigned long)j, x->choice[j], bad);
                for (m = 0; m < j; m++)
                    if (x->choice[m] == x->choice[j])
                        return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0, "dimension %lu (%s): choice %.6g listed twice",
                                         dl, nm, x->choice[j]);
            }
            continue;
        }
        if (k == LLP_HP_OPTIMIZER)
            return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0,
                             "dimension %lu (%s): the optimizer is categorical: list llp_opt_kind values in choice", dl,
                             nm);
        if ((int)x->scale != (int)LLP_HP_LINEAR && (int)x->scale != (int)LLP_HP_LOG)
            return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0, "dimension %lu (%s): scale %d is neither LINEAR nor LOG", dl,
                             nm, (int)x->scale);
        if (!llp__isfinite(x->lo) || !llp__isfinite(x->hi))
            return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0, "dimension %lu (%s): lo and hi must be finite", dl, nm);
        if (!(x->lo <= x->hi))
            return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0, "dimension %lu (%s): lo %.6g > hi %.6g", dl, nm, x->lo,
                             x->hi);
        if (x->scale == LLP_HP_LOG && !(x->lo > 0))
            return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0, "dimension %lu (%s): log scale needs lo > 0 (lo = %.6g)", dl,
                             nm, x->lo);
        if (llp__hp_int_key(k) && !x->integer)
            return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0, "dimension %lu (%s): an integer key needs the integer flag",
                             dl, nm);
        if (x->integer && (!llp__hp_is_int(x->lo) || !llp__hp_is_int(x->hi) || !(x->hi - x->lo < LLP__HP_INT_MAX)))
            return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0,
                             "dimension %lu (%s): an integer range needs integral lo, hi with hi - lo < 2^53", dl, nm);
        bad = llp__hp_value_bad(k, x->lo);
        if (!bad) bad = llp__hp_value_bad(k, x->hi);
        if (bad)
            return llp__fail(err, LLP_ERR_ARG, NULL, 0, 0, "dimension %lu (%s): range [%.6g, %.6g]: %s", dl, nm, x->lo,
                             x->hi, bad);
    }
    return LLP_OK;
}

LLPDEF llp_result llp_hp_config_validate(const llp_hp_config *c) {
    int k;
    if (!c) return LLP_ERR_ARG;
    if (c->set >> LLP_HP_KEYS) return LLP_ERR_ARG;
    for (k = 0; k < (int)LLP_HP_KEYS; k++)
        if ((c->set >> k & 1u) && llp__hp_value_bad(k, c->value[k])) return LLP_ERR_ARG;
    return LLP_OK;
}

/* ln(hi / lo) for 0 < lo <= hi, to ~1 ulp when hi / lo is finite. */
static double llp__hp_log_ratio(double hi, double lo) {
    double q = hi / lo;
    return llp__isfinite(q) ? log(q) : log(hi) - log(lo);
}

/* lo exp(u ln(top / lo)), without overflow in the intermediate. */
static double llp__hp_log_point(double lo, double top, double u) {
    double q = top / lo;
    if (llp__isfinite(q)) return lo * exp(u * log(q));
    return exp(log(lo) + u * (log(top) - log(lo)));
}

static double llp__hp_clamp(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

/* One coordinate u in [0, 1) -> the dimension's value. */
static double llp__hp_decode_dim(const llp_hp_dim *x, double u) {
    double v;
    if (x->n_choices) {
        size_t i = (size_t)(u * (double)x->n_choices);
        if (i >= x->n_choices) i = x->n_choices - 1;
        return x->choice[i];
    }
    if (x->integer) {
        if (x->scale == LLP_HP_LOG)
            v = floor(llp__hp_log_point(x->lo, x->hi + 1, u));
        else
            v = floor(x->lo + u * (x->hi - x->lo + 1));
    } else if (x->scale == LLP_HP_LOG) {
        v = llp__hp_log_point(x->lo, x->hi, u);
    } else {
        v = x->lo + u * (x->hi - x->lo);
    }
    return llp__hp_clamp(v, x->lo, x->hi);
}

static void llp__hp_decode_point(const llp_hp_space *s, const double *u, llp_hp_config *out) {
    size_t d;
    memset(out, 0, sizeof *out);
    for (d = 0; d < s->n_dims; d++) {
        int k = (int)s->dim[d].key;
        out->value[k] = llp__hp_decode_dim(&s->dim[d], u[d]);
        out->set |= 1u << k;
    }
}

LLPDEF llp_result llp_hp_decode(const llp_hp_space *s, const double *u, llp_hp_config *out) {
    size_t d;
    llp_hp_config t;
    llp_result r;
    if (!s || !u || !out) return LLP_ERR_ARG;
    r = llp_hp_space_validate(s, NULL);
    if (r != LLP_OK) return r;
    for (d = 0; d < s->n_dims; d++)
        if (!(u[d] >= 0 && u[d] < 1)) return LLP_ERR_ARG;
    llp__hp_decode_point(s, u, &t);
    *out = t;
    return LLP_OK;
}

LLPDEF llp_result llp_hp_encode(const llp_hp_space *s, const llp_hp_config *c, double *u) {
    double t[LLP_HP_KEYS];
    unsigned keys = 0;
    size_t d, j;
    llp_result r;
    if (!s || !c || !u) return LLP_ERR_ARG;
    r = llp_hp_space_validate(s, NULL);
    if (r != LLP_OK) return r;
    for (d = 0; d < s->n_dims; d++)
        keys |= 1u << (int)s->dim[d].key;
    if (c->set != keys) return LLP_ERR_ARG;
    for (d = 0; d < s->n_dims; d++) {
        const llp_hp_dim *x = &s->dim[d];
        double v = c->value[(int)x->key], w;
        if (x->n_choices) {
            for (j = 0; j < x->n_choices && x->choice[j] != v; j++) {
            }
            if (j == x->n_choices) return LLP_ERR_ARG;
            w = ((double)j + 0.5) / (double)x->n_choices;
        } else {
            if (!(v >= x->lo && v <= x->hi)) return LLP_ERR_ARG;
            if (x->integer) {
                if (floor(v) != v) return LLP_ERR_ARG;
                if (x->scale == LLP_HP_LOG)
                    w = log(sqrt(v * (v + 1)) / x->lo) / llp__hp_log_ratio(x->hi + 1, x->lo);
                else
                    w = (v - x->lo + 0.5) / (x->hi - x->lo + 1);
            } else if (x->lo == x->hi) {
                w = 0.5;
            } else if (x->scale == LLP_HP_LOG) {
                w = log(v / x->lo) / llp__hp_log_ratio(x->hi, x->lo);
            } else {
                w = (v - x->lo) / (x->hi - x->lo);
            }
            if (!(w >= 0)) w = 0;
            if (w >= 1) w = 1.0 - 1.0 / 9007199254740992.0;
        }
        t[d] = w;
    }
    for (d = 0; d < s->n_dims; d++)
        u[d] = t[d];
    return LLP_OK;
}

/* The grid values of one dimension (written to vals when not NULL); returns
   their count. */
static size_t llp__hp_grid_dim(const llp_hp_dim *x, size_t levels, double *vals) {
    size_t i, c = 0;
    double prev = 0;
    if (x->n_choices) { /* every choice, in listed order */
        if (vals)
            for (i = 0; i < x->n_choices; i++)
                vals[i] = x->choice[i];
        return x->n_choices;
    }
    if (x->lo == x->hi) { /* a constant */
        if (vals) vals[0] = x->lo;
        return 1;
    }
    if (x->integer && x->hi - x->lo + 1 <= (double)levels) { /* every integer */
        size_t m = (size_t)(x->hi - x->lo + 1);
        if (vals)
            for (i = 0; i < m; i++)
                vals[i] = x->lo + (double)i;
        return m;
    }
    if (!x->integer || x->scale == LLP_HP_LINEAR) { /* the decoded cell centres */
        if (vals)
            for (i = 0; i < levels; i++)
                vals[i] = llp__hp_decode_dim(x, ((double)i + 0.5) / (double)levels);
        return levels;
    }
    /* a log-integer axis with more integers than levels: the decoded centres,
       repeats merged (decoding is monotone in u, so repeats are adjacent) */
    for (i = 0; i < levels; i++) {
        double v = llp__hp_decode_dim(x, ((double)i + 0.5) / (double)levels);
        if (c && v == prev) continue;
        if (vals) vals[c] = v;
        prev = v;
        c++;
    }
    return c;
}

LLPDEF llp_result llp_hp_grid(const llp_hp_space *s, size_t levels, llp_hp_config *out, size_t cap, size_t *count) {
    size_t cnt[LLP_HP_KEYS], off[LLP_HP_KEYS], total = 1, sum = 0, d, t;
    double *vals;
    unsigned keys = 0;
    llp_result r;
    if (!s || !count) return LLP_ERR_ARG;
    if (levels < 1 || levels > (size_t)LLP_HP_MAX_LEVELS) return LLP_ERR_ARG;
    r = llp_hp_space_validate(s, NULL);
    if (r != LLP_OK) return r;
    for (d = 0; d < s->n_dims; d++) {
        cnt[d] = llp__hp_grid_dim(&s->dim[d], levels, NULL);
        off[d] = sum;
        sum += cnt[d];
        total = llp__mul(total, cnt[d]);
        if (!total) return LLP_ERR_ARG; /* overflow (every count is >= 1) */
        keys |= 1u << (int)s->dim[d].key;
    }
    if (!out) {
        *count = total;
        return LLP_OK;
    }
    if (cap < total) return LLP_ERR_ARG;
    vals = (double *)LLP_MALLOC(sum * sizeof(double));
    if (!vals) return LLP_ERR_NOMEM;
    for (d = 0; d < s->n_dims; d++)
        llp__hp_grid_dim(&s->dim[d], levels, vals + off[d]);
    for (t = 0; t < total; t++) {
        llp_hp_config *c = &out[t];
        size_t q = t;
        memset(c, 0, sizeof *c);
        c->set = keys;
        for (d = s->n_dims; d-- > 0;) { /* last dimension fastest */
            c->value[(int)s->dim[d].key] = vals[off[d] + q % cnt[d]];
            q /= cnt[d];
        }
    }
    LLP_FREE(vals);
    *count = total;
    return LLP_OK;
}

LLPDEF llp_result llp_hp_random(const llp_hp_space *s, size_t n, llp_rng *rng, llp_hp_config *out) {
    size_t j, d;
    llp_result r;
    if (!s || !rng || !out || n < 1) return LLP_ERR_ARG;
    r = llp_hp_space_validate(s, NULL);
    if (r != LLP_OK) return r;
    for (j = 0; j < n; j++) {
        double u[LLP_HP_KEYS];
        for (d = 0; d < s->n_dims; d++)
            u[d] = llp_rng_uniform(rng);
        llp__hp_decode_point(s, u, &out[j]);
    }
    return LLP_OK;
}

/* (k + jitter) / n, moved by ulps so that floor(u n) == k and u < 1 hold in
   floating point (k + jitter may round up to k + 1). */
static double llp__hp_stratum(size_t k, size_t n, double jitter) {
    double N = (double)n, K = (double)k, u = (K + jitter) / N;
    int it;
    for (it = 0; it < 16 && u < 1 && floor(u * N) < K; it++)
        u = nextafter(u, 2.0);
    for (it = 0; it < 16 && u > 0 && (u >= 1 || floor(u * N) > K); it++)
        u = nextafter(u, -1.0);
    if (!(u < 1 && floor(u * N) == K)) u = (K + 0.5) / N; /* not reached for n < 2^50: a few ulps suffice */
    return u;
}

LLPDEF llp_result llp_hp_lhs_unit(size_t n, size_t dims, llp_rng *rng, double *u) {
    size_t *perm, bytes, j, d;
    if (!rng || !u || n < 1 || dims < 1) return LLP_ERR_ARG;
    if (!llp__mul(llp__mul(n, dims), sizeof(double))) return LLP_ERR_ARG; /* u's extent */
    bytes = llp__mul(n, sizeof(size_t));
    if (!bytes) return LLP_ERR_ARG;
    perm = (size_t *)LLP_MALLOC(bytes);
    if (!perm) return LLP_ERR_NOMEM;
    for (d = 0; d < dims; d++) {
        llp_rng_permutation(rng, perm, n);
        for (j = 0; j < n; j++)
            u[j * dims + d] = llp__hp_stratum(perm[j], n, llp_rng_uniform(rng));
    }
    LLP_FREE(perm);
    return LLP_OK;
}

LLPDEF llp_result llp_hp_lhs(const llp_hp_space *s, size_t n, llp_rng *rng, llp_hp_config *out) {
    size_t j, bytes;
    double *u;
    llp_result r;
    if (!s || !rng || !out || n < 1) return LLP_ERR_ARG;
    r = llp_hp_space_validate(s, NULL);
    if (r != LLP_OK) return r;
    bytes = llp__mul(llp__mul(n, s->n_dims), sizeof(double));
    if (!bytes) return LLP_ERR_ARG;
    u = (double *)LLP_MALLOC(bytes);
    if (!u) return LLP_ERR_NOMEM;
    r = llp_hp_lhs_unit(n, s->n_dims, rng, u);
    if (r == LLP_OK)
        for (j = 0; j < n; j++)
            llp__hp_decode_point(s, u + j * s->n_dims, &out[j]);
    LLP_FREE(u);
    return r;
}

LLPDEF llp_result llp_hp_apply(const llp_hp_config *c, const llp_mlp_desc *base_mlp, const llp_opt_desc *base_opt,
                               const llp_train_desc *base_train, llp_mlp_desc *mlp, llp_opt_desc *opt,
                               llp_train_desc *train) {
    const unsigned mlp_keys = LLP__HP_BIT(LLP_HP_WIDTH) | LLP__HP_BIT(LLP_HP_DEPTH) | LLP__HP_BIT(LLP_HP_INIT_SCALE);
    const unsigned opt_keys = LLP__HP_BIT(LLP_HP_LR) | LLP__HP_BIT(LLP_HP_WEIGHT_DECAY) | LLP__HP_BIT(LLP_HP_MOMENTUM) |
                              LLP__HP_BIT(LLP_HP_OPTIMIZER);
    const unsigned train_keys = LLP__HP_BIT(LLP_HP_BATCH_SIZE);
    llp_mlp_desc m;
    llp_opt_desc o;
    llp_train_desc t;
    unsigned set;
    llp_result r;
    if (!c) return LLP_ERR_ARG;
    r = llp_hp_config_validate(c);
    if (r != LLP_OK) return r;
    set = c->set;
    if ((!mlp && (set & mlp_keys)) || (!opt && (set & opt_keys)) || (!train && (set & train_keys))) return LLP_ERR_ARG;
    memset(&m, 0, sizeof m);
    memset(&o, 0, sizeof o);
    memset(&t, 0, sizeof t);
    if (mlp) {
        if (!base_mlp || base_mlp->n_layers < 1 || base_mlp->n_layers > LLP_MAX_LAYERS) return LLP_ERR_ARG;
        m = *base_mlp;
        if (set & (LLP__HP_BIT(LLP_HP_WIDTH) | LLP__HP_BIT(LLP_HP_DEPTH))) {
            int h0 = m.n_layers - 1, in = m.sizes[0], nout = m.sizes[m.n_layers], D, W, keep, l;
            D = (set & LLP__HP_BIT(LLP_HP_DEPTH)) ? (int)c->value[LLP_HP_DEPTH] : h0;
            W = (set & LLP__HP_BIT(LLP_HP_WIDTH)) ? (int)c->value[LLP_HP_WIDTH] : h0 >= 1 ? m.sizes[1] : 0;
            if (D >= 1 && W < 1) return LLP_ERR_ARG;
            keep = D < h0 ? D : h0;
            for (l = 0; l <= LLP_MAX_LAYERS; l++)
                m.sizes[l] = 0;
            m.sizes[0] = in;
            for (l = 1; l <= D; l++)
                m.sizes[l] = W;
            m.sizes[D + 1] = nout;
            for (l = keep; l < LLP_MAX_LAYERS; l++)
                m.layer_act[l] = LLP_ACT_DEFAULT;
            m.n_layers = D + 1;
        }
        if (set & LLP__HP_BIT(LLP_HP_INIT_SCALE)) m.init_scale = c->value[LLP_HP_INIT_SCALE];
    }
    if (opt) {
        if (base_opt) o = *base_opt;
        if (set & LLP__HP_BIT(LLP_HP_OPTIMIZER)) o.kind = (llp_opt_kind)(int)c->value[LLP_HP_OPTIMIZER];
        if (set & LLP__HP_BIT(LLP_HP_LR)) o.lr = c->value[LLP_HP_LR];
        if (set & LLP__HP_BIT(LLP_HP_WEIGHT_DECAY)) o.weight_decay = c->value[LLP_HP_WEIGHT_DECAY];
        if (set & LLP__HP_BIT(LLP_HP_MOMENTUM)) {
            double b = c->value[LLP_HP_MOMENTUM] > 0 ? c->value[LLP_HP_MOMENTUM] : DBL_MIN;
            if (o.kind == LLP_OPT_MOMENTUM || o.kind == LLP_OPT_NESTEROV)
                o.momentum = b;
            else if (o.kind == LLP_OPT_ADAM || o.kind == LLP_OPT_ADAMW)
                o.beta1 = b;
        }
    }
    if (train) {
        if (base_train) t = *base_train;
        if (set & LLP__HP_BIT(LLP_HP_BATCH_SIZE)) t.batch_size = (size_t)c->value[LLP_HP_BATCH_SIZE];
    }
    if (mlp) *mlp = m;
    if (opt) *opt = o;
    if (train) *train = t;
    return LLP_OK;
}

LLPDEF size_t llp_hp_format(const llp_hp_config *c, char *buf, size_t len) {
    char line[512];
    size_t n = 0, i;
    int k;
    line[0] = 0;
    if (c) {
        for (k = 0; k < (int)LLP_HP_KEYS; k++) {
            double v = c->value[k];
            int w;
            size_t room = sizeof line - n;
            if (!(c->set >> k & 1u)) continue;
            if (k == LLP_HP_OPTIMIZER && !llp__hp_value_bad(k, v))
                w = snprintf(line + n, room, "%s%s=%s", n ? " " : "", llp__hp_names[k],
                             llp_opt_name((llp_opt_kind)(int)v));
            else if (llp__hp_int_key(k) && llp__hp_is_int(v) && fabs(v) < 1e15)
                w = snprintf(line + n, room, "%s%s=%.0f", n ? " " : "", llp__hp_names[k], v);
            else
                w = snprintf(line + n, room, "%s%s=%.6g", n ? " " : "", llp__hp_names[k], v);
            if (w > 0) n += (size_t)w < room ? (size_t)w : room - 1;
        }
    }
    if (buf && len) {
        for (i = 0; i < n && i + 1 < len; i++)
            buf[i] = line[i];
        buf[i] = 0;
    }
    return n;
}

/* The rungs of one successive-halving run: r eta^i until n_i < 1 or r_i > R. */
static void llp__hp_sh_fill(size_t n, double r, double R, size_t eta, llp_hp_sh_schedule *t) {
    size_t i, p = 1;
    double prev = 0;
    memset(t, 0, sizeof *t);
    for (i = 0; i < LLP_HP_MAX_RUNGS; i++) {
        size_t ni = n / p;
        double ri = r * (double)p;
        if (ni < 1 || !(ri <= R * (1 + LLP__HP_SLACK))) break;
        t->rung[i].n = ni;
        t->rung[i].r = ri;
        t->total += (double)ni * ri;
        t->total_resume += (double)ni * (ri - prev);
        prev = ri;
        t->n_rungs = i + 1;
        if (p > (size_t)-1 / eta) break; /* eta^(i+1) > SIZE_MAX >= n: the next n_i is 0 */
        p *= eta;
    }
}

LLPDEF llp_result llp_hp_successive_halving(size_t n, double r, double R, unsigned eta, llp_hp_sh_schedule *out) {
    size_t e = eta ? (size_t)eta : 3;
    if (!out || n < 1 || e < 2) return LLP_ERR_ARG;
    if (!(r > 0) || !llp__isfinite(r) || !llp__isfinite(R) || !(R >= r)) return LLP_ERR_ARG;
    llp__hp_sh_fill(n, r, R, e, out); /* cannot fail past the checks */
    return LLP_OK;
}

LLPDEF llp_result llp_hp_hyperband(double r, double R, unsigned eta, llp_hp_hyperband_schedule *out) {
    size_t e = eta ? (size_t)eta : 3, pw[LLP_HP_MAX_BRACKETS], s_max = 0, j, i, top;
    if (!out || e < 2) return LLP_ERR_ARG;
    if (!(r > 0) || !llp__isfinite(r) || !llp__isfinite(R) || !(R >= r)) return LLP_ERR_ARG;
    /* s_max: the largest s with r eta^s <= R (1 + slack), by exact integer powers */
    pw[0] = 1;
    while (r * ((double)pw[s_max] * (double)e) <= R * (1 + LLP__HP_SLACK)) {
        if (s_max + 1 >= LLP_HP_MAX_BRACKETS || pw[s_max] > (size_t)-1 / e) return LLP_ERR_ARG;
        pw[s_max + 1] = pw[s_max] * e;
        s_max++;
    }
    /* (s_max + 1) eta^s_max + s_max, the largest numerator of a ceiling below, must fit */
    top = llp__mul(s_max + 1, pw[s_max]);
    if (!top || top > (size_t)-1 - s_max) return LLP_ERR_ARG;
    /* no failure past this point: write *out directly */
    memset(out, 0, sizeof *out);
    out->s_max = s_max;
    out->n_brackets = s_max + 1;
    for (j = 0; j <= s_max; j++) {
        size_t s = s_max - j, n = ((s_max + 1) * pw[s] + s) / (s + 1); /* ceil((s_max+1) eta^s / (s+1)) */
        llp_hp_sh_schedule *b = &out->bracket[j];
        double prev = 0;
        for (i = 0; i <= s; i++) {
            double ri = R / (double)pw[s - i]; /* r_s eta^i, with the last rung exactly R */
            b->rung[i].n = n / pw[i];
            b->rung[i].r = ri;
            b->total += (double)b->rung[i].n * ri;
            b->total_resume += (double)b->rung[i].n * (ri - prev);
            prev = ri;
        }
        b->n_rungs = s + 1;
        out->total += b->total;
        out->total_resume += b->total_resume;
    }
    return LLP_OK;
}

#undef LLP__HP_BIT
#undef LLP__HP_SLACK
#undef LLP__HP_INT_MAX

/* ---- 11.10d the snoop: probe features after a few steps ---- */

/* ---- the snoop (llp__snoop_*) ---- */

LLPDEF const char *llp_snoop_feature_name(int i) {
    static const char *const names[LLP_SNOOP_N_FEATURES] = {
        "loss0",    "lossk",          "rel_drop",    "log_ratio", "grad_ratio", "dist_rel", "eta_lmax",
        "eta_lmax_pre", "edge_ratio", "eta_ghg",     "ghg_lmax",  "b_over_bsimple", "noise_ratio",
        "sharp_rel", "eta_fd",        "grad_norm0",  "snip",      "synflow",    "log_synflow"};
    if (i < 0 || i >= (int)LLP_SNOOP_N_FEATURES) return "unknown";
    return names[i];
}

/* log(e^x + e^y), -inf when both are. */
static double llp__snoop_logadd(double x, double y) {
    double hi = x > y ? x : y, lo = x > y ? y : x;
    if (hi == -HUGE_VAL) return -HUGE_VAL;
    return hi + log1p(exp(lo - hi));
}

/* Scale v (cnt values >= 0) to unit max; returns log of the factor taken
   out (-inf when v is all zero, then v stays 0). */
static double llp__snoop_unitmax(double *v, size_t cnt) {
    double mx = 0;
    size_t i;
    for (i = 0; i < cnt; i++)
        if (v[i] > mx) mx = v[i];
    if (!(mx > 0)) return -HUGE_VAL;
    for (i = 0; i < cnt; i++) v[i] /= mx;
    return log(mx);
}

LLPDEF llp_result llp_snoop_synflow(const llp_mlp *m, const llp_real *theta, double *synflow, double *log_synflow) {
    int L, l;
    size_t tot = 0, off[LLP_MAX_LAYERS + 1], i, j, mw;
    double lf[LLP_MAX_LAYERS + 1], *buf, *bk, *nb, lb, lsum = -HUGE_VAL;
    if (!m || !theta || m->n_layers < 1 || m->n_layers > LLP_MAX_LAYERS) return LLP_ERR_ARG;
    L = m->n_layers;
    for (l = 0; l <= L; l++) {
        if (m->sizes[l] < 1) return LLP_ERR_ARG;
        off[l] = tot;
        tot += (size_t)m->sizes[l];
    }
    if (!llp_all_finite(theta, m->n_params)) return LLP_ERR_NONFINITE;
    mw = 0;
    for (l = 0; l <= L; l++)
        if ((size_t)m->sizes[l] > mw) mw = (size_t)m->sizes[l];
    buf = llp__alloc_doubles(tot + 2 * mw);
    if (!buf) return LLP_ERR_NOMEM;
    bk = buf + tot;
    nb = bk + mw;
    /* forward: a_l = exp(lf[l]) * buf[off[l] ..], unit max */
    for (i = 0; i < (size_t)m->sizes[0]; i++) buf[i] = 1;
    lf[0] = 0;
    for (l = 0; l < L; l++) {
        size_t in = (size_t)m->sizes[l], out = (size_t)m->sizes[l + 1];
        const llp_real *W = theta + m->w_off[l], *b = theta + m->b_off[l];
        const double *a = buf + off[l];
        double *z = buf + off[l + 1], mx = -HUGE_VAL;
        for (i = 0; i < out; i++) {
            double s = 0, lz;
            for (j = 0; j < in; j++) s += fabs((double)W[i * in + j]) * a[j];
            /* log(exp(lf) s + |b|): the bias mixed in at the layer's scale */
            lz = llp__snoop_logadd(s > 0 ? lf[l] + log(s) : -HUGE_VAL,
                                   b[i] != 0 ? log(fabs((double)b[i])) : -HUGE_VAL);
            z[i] = lz;
            if (lz > mx) mx = lz;
        }
        lf[l + 1] = mx;
        for (i = 0; i < out; i++) z[i] = mx == -HUGE_VAL ? 0 : exp(z[i] - mx);
    }
    /* backward: back_l = exp(lb) * bk, with the term of layer l on the way */
    for (i = 0; i < (size_t)m->sizes[L]; i++) bk[i] = 1;
    lb = 0;
    for (l = L - 1; l >= 0; l--) {
        size_t in = (size_t)m->sizes[l], out = (size_t)m->sizes[l + 1];
        const llp_real *W = theta + m->w_off[l];
        const double *a = buf + off[l];
        double t = 0, lnb;
        for (j = 0; j < in; j++) nb[j] = 0;
        for (i = 0; i < out; i++) {
            double row = 0, bi = bk[i];
            for (j = 0; j < in; j++) {
                double w = fabs((double)W[i * in + j]);
                row += w * a[j];
                nb[j] += w * bi;
            }
            t += bi * row;
        }
        /* term_l = back_{l+1}^T |W_l| a_l = exp(lb + lf[l]) t */
        if (t > 0 && lb != -HUGE_VAL && lf[l] != -HUGE_VAL) lsum = llp__snoop_logadd(lsum, lb + lf[l] + log(t));
        lnb = llp__snoop_unitmax(nb, in);
        lb = lnb == -HUGE_VAL || lb == -HUGE_VAL ? -HUGE_VAL : lb + lnb;
        for (j = 0; j < in; j++) bk[j] = nb[j];
    }
    LLP_FREE(buf);
    if (synflow) *synflow = lsum == -HUGE_VAL ? 0.0 : exp(lsum);
    if (log_synflow) *log_synflow = lsum;
    return LLP_OK;
}

/* The counting wrapper every call of a snoop goes through. */
typedef struct llp__snoop_cnt {
    const llp_objective *f;
    size_t loss, grad, hvp;
    size_t s_loss, s_grad, s_hvp;
} llp__snoop_cnt;

static size_t llp__snoop_bs(const llp__snoop_cnt *c, const llp_batch *b) {
    return c->f->n_samples ? llp_batch_size(b, c->f->n_samples) : 1;
}

static llp_result llp__snoop_cnt_lg(void *ctx, const llp_real *theta, const llp_batch *b, llp_real *loss,
                                    llp_real *grad) {
    llp__snoop_cnt *c = (llp__snoop_cnt *)ctx;
    if (grad) {
        c->grad++;
        c->s_grad += llp__snoop_bs(c, b);
    } else {
        c->loss++;
        c->s_loss += llp__snoop_bs(c, b);
    }
    return c->f->loss_grad(c->f->ctx, theta, b, loss, grad);
}

static llp_result llp__snoop_cnt_hvp(void *ctx, const llp_real *theta, const llp_real *v, const llp_batch *b,
                                     llp_real *hv) {
    llp__snoop_cnt *c = (llp__snoop_cnt *)ctx;
    c->hvp++;
    c->s_hvp += llp__snoop_bs(c, b);
    return c->f->hvp(c->f->ctx, theta, v, b, hv);
}

static void llp__snoop_cost(const llp__snoop_cnt *c, size_t batches, size_t ns, llp_snoop_cost *out) {
    memset(out, 0, sizeof *out);
    out->evals.loss = c->loss;
    out->evals.grad = c->grad;
    out->evals.hvp = c->hvp;
    out->evals.batches = batches;
    out->samples_loss = c->s_loss;
    out->samples_grad = c->s_grad;
    out->samples_hvp = c->s_hvp;
    out->grad_equiv = (double)c->grad + 2.0 * (double)c->hvp + 0.5 * (double)c->loss;
    out->data_equiv =
        ((double)c->s_grad + 2.0 * (double)c->s_hvp + 0.5 * (double)c->s_loss) / (double)(ns ? ns : 1);
}

/* d = a - b, field by field (b a snapshot taken earlier; d may be a or b). */
static void llp__snoop_cnt_sub(const llp__snoop_cnt *a, const llp__snoop_cnt *b, llp__snoop_cnt *d) {
    llp__snoop_cnt t = *a;
    t.loss -= b->loss, t.grad -= b->grad, t.hvp -= b->hvp;
    t.s_loss -= b->s_loss, t.s_grad -= b->s_grad, t.s_hvp -= b->s_hvp;
    *d = t;
}

/* The operator P^(1/2) H P^(1/2) - shift I as an objective (p: the diagonal
   of P^(1/2), NULL for P = I); products go through the counting wrapper. */
typedef struct llp__snoop_op {
    const llp_objective *f;
    const llp_real *p;
    double shift;
    llp_real *tmp;
} llp__snoop_op;

static llp_result llp__snoop_op_lg(void *ctx, const llp_real *theta, const llp_batch *b, llp_real *loss,
                                   llp_real *grad) {
    llp__snoop_op *c = (llp__snoop_op *)ctx; /* never called by the power iteration */
    return c->f->loss_grad(c->f->ctx, theta, b, loss, grad);
}

static llp_result llp__snoop_op_hvp(void *ctx, const llp_real *theta, const llp_real *v, const llp_batch *b,
                                    llp_real *hv) {
    llp__snoop_op *c = (llp__snoop_op *)ctx;
    size_t i, n = c->f->n;
    llp_result r;
    for (i = 0; i < n; i++) c->tmp[i] = c->p ? (llp_real)((double)c->p[i] * v[i]) : v[i];
    r = llp_objective_hvp(c->f, theta, c->tmp, b, hv);
    if (r != LLP_OK) return r;
    for (i = 0; i < n; i++) hv[i] = (llp_real)((c->p ? (double)c->p[i] * hv[i] : (double)hv[i]) - c->shift * v[i]);
    return LLP_OK;
}

/* The largest (algebraic) eigenvalue of P^(1/2) H P^(1/2) by power
   iteration: iters iterations from a Gaussian start; when the dominant
   eigenvalue mu found is negative, iters more on the operator shifted by mu
   (eigenvalues lambda_i - mu, the top one now dominant) and lambda = their
   result + mu. *dom gets mu, *resid the residual of the last run. */
static llp_result llp__snoop_top(const llp_objective *cf, const llp_real *theta, const llp_batch_policy *bp,
                                 size_t iters, const llp_real *p, llp_real *tmp, llp_rng *rng, double *lambda,
                                 double *dom, double *resid) {
    llp__snoop_op op;
    llp_objective of;
    llp_power_desc pd;
    llp_eig_result eg;
    llp_result r;
    int pass;
    op.f = cf;
    op.p = p;
    op.shift = 0;
    op.tmp = tmp;
    of = *cf;
    of.ctx = &op;
    of.loss_grad = llp__snoop_op_lg;
    of.hvp = llp__snoop_op_hvp;
    of.hvp_block = NULL;
    memset(&pd, 0, sizeof pd);
    pd.max_iter = iters;
    for (pass = 0; pass < 2; pass++) {
        r = llp_power_iteration(&of, theta, bp, &pd, rng, &eg);
        if (r != LLP_OK) {
            *lambda = *resid = NAN;
            return r;
        }
        *lambda = eg.values[0] + op.shift;
        *resid = eg.residuals[0];
        llp_eig_result_free(&eg);
        if (pass == 0) *dom = *lambda;
        if (!(*lambda < 0) || pass == 1) break;
        op.shift = *lambda;
    }
    return LLP_OK;
}

/* A probe's failure that leaves its features NaN instead of failing the snoop. */
static int llp__snoop_soft(llp_result r) { return r == LLP_ERR_NONFINITE || r == LLP_ERR_UNSUPPORTED; }

LLPDEF llp_result llp_snoop_objective(const llp_objective *f, const llp_mlp *m, const llp_real *theta0,
                                      const llp_opt_desc *od, const llp_train_desc *td, const llp_snoop_desc *sd,
                                      llp_real *theta_k, llp_snoop_result *res) {
    llp_snoop_desc d;
    llp_snoop_result t;
    llp_train_desc tdesc;
    llp_trainer tr;
    llp__snoop_cnt cnt, snap0, snap1, part, rest;
    llp_objective cf;
    llp_batch pb, *pbp = NULL;
    llp_rng streams[5];
    llp_real *buf = NULL, *th, *g0, *gk, *pv, *tmp, l0 = 0, lk = 0;
    size_t n, ns, P, B, i, *perm = NULL, train_batches = 0, probe_batches = 0;
    double eta, nan = NAN, *F;
    int have_tr = 0, diverged = 0, adaptive;
    llp_result r;

    /* ---- arguments ---- */
    if (!f || !f->loss_grad || !theta0 || !od || !res || f->n == 0) return LLP_ERR_ARG;
    n = f->n;
    ns = f->n_samples;
    if (m && m->n_params != n) return LLP_ERR_SHAPE;
    if (sd)
        d = *sd;
    else
        memset(&d, 0, sizeof d);
    if (!d.steps) d.steps = 50;
    if (!d.probe_batch) d.probe_batch = ns < 256 ? ns : 256;
    if (!d.power_iters) d.power_iters = 10;
    if (!d.noise_pairs) d.noise_pairs = 8;
    if (!d.sharp_samples) d.sharp_samples = 8;
    if (!d.fd_probes) d.fd_probes = 4;
    if ((ns && d.probe_batch > ns) || d.noise_pairs < 2 || !(d.sharp_rho >= 0) || !llp__isfinite(d.sharp_rho) ||
        d.skip > 63u)
        return LLP_ERR_ARG;
    if (!(od->lr > 0) || !llp__isfinite(od->lr) || !llp_opt_state_size(od, n)) return LLP_ERR_ARG;
    if (td && td->diverge_factor != td->diverge_factor) return LLP_ERR_ARG;
    if (!llp_all_finite(theta0, n)) return LLP_ERR_NONFINITE;
    P = ns ? d.probe_batch : 0;
    B = ns ? (td && td->batch_size && td->batch_size < ns ? td->batch_size : ns) : 0;
    eta = od->lr;
    adaptive = od->kind == LLP_OPT_RMSPROP || od->kind == LLP_OPT_ADAM || od->kind == LLP_OPT_ADAMW;

    /* ---- set-up ---- */
    buf = llp__alloc_reals(llp__mul(5, n));
    if (ns && P < ns) {
        perm = (size_t *)(llp__mul(ns, sizeof(size_t)) ? LLP_MALLOC(ns * sizeof(size_t)) : NULL);
        if (!perm) {
            LLP_FREE(buf);
            return LLP_ERR_NOMEM;
        }
    }
    if (!buf) {
        LLP_FREE(perm);
        return LLP_ERR_NOMEM;
    }
    th = buf;
    g0 = th + n;
    gk = g0 + n;
    pv = gk + n;
    tmp = pv + n;
    llp_copy(theta0, th, n);
    memset(&cnt, 0, sizeof cnt);
    cnt.f = f;
    cf = *f;
    cf.ctx = &cnt;
    cf.loss_grad = llp__snoop_cnt_lg;
    cf.hvp = f->hvp ? llp__snoop_cnt_hvp : NULL;
    cf.hvp_block = NULL; /* block products (none of the probes uses them) would loop over hvp */
    cf.gnvp = NULL;
    cf.accuracy = NULL;
    llp_rng_seed(&streams[0], d.seed);
    for (i = 1; i < 5; i++) {
        streams[i] = streams[i - 1];
        llp_rng_jump(&streams[i]);
    }
    if (perm) {
        llp_rng_permutation(&streams[0], perm, ns);
        pb = llp_batch_index(perm, P);
        pbp = &pb;
        probe_batches = 1;
    }
    memset(&t, 0, sizeof t);
    F = t.features;
    for (i = 0; i < (size_t)LLP_SNOOP_N_FEATURES; i++) F[i] = nan;
    t.steps = d.steps;
    t.probe_batch = P;
    t.batch_size = B;
    t.lr = eta;
    t.edge = t.lambda = t.lambda_dom = t.lambda_residual = t.lambda_pre = t.ghg = nan;
    t.grad_norm0 = t.grad_normk = t.b_simple = t.sharpness = t.sharp_rho = t.fd_step = nan;

    /* ---- the trainer (set up first: it checks the optimizer settings before any call) ---- */
    memset(&tdesc, 0, sizeof tdesc);
    tdesc.epochs = d.steps;
    tdesc.max_steps = d.steps;
    if (td) {
        tdesc.batch_size = td->batch_size;
        tdesc.seed = td->seed;
        tdesc.diverge_factor = td->diverge_factor;
    }
    r = llp_trainer_init(&tr, &tdesc, &cf, NULL, od, th);
    if (r != LLP_OK) goto fail;
    have_tr = 1;
    t.edge = llp_pgo_edge(&tr.opt.d, 1.0); /* the edge of eta lambda: that of the rate at lambda = 1 */
    /* ---- theta_0: zero-cost proxies ---- */
    if (m) {
        r = llp_snoop_synflow(m, theta0, &F[LLP_SNOOP_SYNFLOW], &F[LLP_SNOOP_LOG_SYNFLOW]);
        if (r != LLP_OK) goto fail;
    }
    r = llp_objective_loss_grad(&cf, theta0, pbp, &l0, g0);
    if (r == LLP_ERR_NONFINITE) {
        l0 = (llp_real)nan;
        diverged = 1;
    } else if (r != LLP_OK) {
        goto fail;
    }
    F[LLP_SNOOP_LOSS0] = l0;
    if (!llp__isfinite(l0)) diverged = 1;
    if (r == LLP_OK && llp_all_finite(g0, n)) {
        double s = 0;
        t.grad_norm0 = llp_nrm2(g0, n);
        for (i = 0; i < n; i++) s += fabs((double)theta0[i] * (double)g0[i]);
        F[LLP_SNOOP_GRAD_NORM0] = t.grad_norm0;
        F[LLP_SNOOP_SNIP] = s;
    } else {
        diverged = 1;
    }
    snap0 = cnt;

    /* ---- the k steps ---- */
    if (!diverged) {
        r = llp_trainer_run(&tr);
        if (r == LLP_ERR_DIVERGED) {
            diverged = 1;
            if (B < ns) train_batches = 1; /* the failed step drew its batch too */
        } else if (r != LLP_OK) {
            goto fail;
        }
        t.steps_done = (size_t)tr.step;
        if (B < ns) train_batches += (size_t)tr.step;
    }
    snap1 = cnt;

    /* ---- theta_k ---- */
    if (!diverged) {
        r = llp_objective_loss_grad(&cf, th, pbp, &lk, gk);
        if (r == LLP_ERR_NONFINITE || (r == LLP_OK && (!llp__isfinite(lk) || !llp_all_finite(gk, n))))
            diverged = 1;
        else if (r != LLP_OK)
            goto fail;
    }
    if (!diverged) {
        llp_batch_policy bp = llp_batch_policy_fixed(pbp);
        double nt0 = llp_nrm2(theta0, n), dist = 0;
        t.grad_normk = llp_nrm2(gk, n);
        F[LLP_SNOOP_LOSSK] = lk;
        F[LLP_SNOOP_REL_DROP] = ((double)l0 - lk) / l0;
        F[LLP_SNOOP_LOG_RATIO] = log((double)lk / l0);
        F[LLP_SNOOP_GRAD_RATIO] = t.grad_normk / t.grad_norm0;
        for (i = 0; i < n; i++) dist += ((double)th[i] - theta0[i]) * ((double)th[i] - theta0[i]);
        F[LLP_SNOOP_DIST_REL] = nt0 > 0 ? sqrt(dist) / nt0 : nan;
        /* the dominant eigenvalue, then that of the preconditioned operator */
        if (!(d.skip & LLP_SNOOP_SKIP_POWER)) {
            r = llp__snoop_top(&cf, th, &bp, d.power_iters, NULL, tmp, &streams[1], &t.lambda, &t.lambda_dom,
                               &t.lambda_residual);
            if (r != LLP_OK && !llp__snoop_soft(r)) goto fail;
            if (!adaptive) {
                t.lambda_pre = t.lambda;
            } else if (!(d.skip & LLP_SNOOP_SKIP_PRECOND)) {
                double dom, rs;
                if (llp__opt_precond_half(&tr.opt, pv) > 0) {
                    r = llp__snoop_top(&cf, th, &bp, d.power_iters, pv, tmp, &streams[1], &t.lambda_pre, &dom, &rs);
                    if (r != LLP_OK && !llp__snoop_soft(r)) goto fail;
                }
            }
        }
        /* curvature along the probe gradient */
        if (!(d.skip & LLP_SNOOP_SKIP_GHG) && t.grad_normk > 0) {
            for (i = 0; i < n; i++) pv[i] = (llp_real)(gk[i] / t.grad_normk);
            r = llp_objective_hvp(&cf, th, pv, pbp, tmp);
            if (r == LLP_OK && llp_all_finite(tmp, n))
                t.ghg = llp_dot(pv, tmp, n);
            else if (r != LLP_OK && !llp__snoop_soft(r))
                goto fail;
        }
        /* gradient noise scale over all N samples */
        if (!(d.skip & LLP_SNOOP_SKIP_NOISE) && ns >= 2) {
            llp_grad_noise_desc nd;
            llp_grad_noise_result gn;
            size_t before = cnt.grad;
            memset(&nd, 0, sizeof nd);
            nd.pairs = d.noise_pairs;
            r = llp_grad_noise_scale(&cf, th, &nd, &streams[2], &gn);
            probe_batches += cnt.grad - before; /* one gradient per batch drawn, failed or not */
            if (r == LLP_OK) {
                double mg = gn.g2.value, ms = gn.s.value, N = (double)ns, Bd = (double)B;
                double u = (N - Bd) / (Bd * (N - 1));
                t.b_simple = gn.b_simple;
                F[LLP_SNOOP_B_OVER_BSIMPLE] = ms > 0 ? Bd * mg / ms : nan;
                F[LLP_SNOOP_NOISE_RATIO] = mg > 0 ? u * ms / mg : nan;
            } else if (!llp__snoop_soft(r)) {
                goto fail;
            }
        }
        /* random-direction sharpness on the probe batch */
        if (!(d.skip & LLP_SNOOP_SKIP_SHARP)) {
            llp_sharp_random_desc sdsc;
            llp_sharp_random_result sr;
            memset(&sdsc, 0, sizeof sdsc);
            sdsc.rho = d.sharp_rho;
            sdsc.samples = d.sharp_samples;
            r = llp_sharpness_random(&cf, th, pbp, &sdsc, &streams[3], &sr);
            if (r == LLP_OK) {
                t.sharpness = sr.sharpness.value;
                t.sharp_rho = sr.rho;
                F[LLP_SNOOP_SHARP_REL] = sr.sharpness.value / sr.loss0;
            } else if (!llp__snoop_soft(r)) {
                goto fail;
            }
        }
        /* the finite-difference probe along random directions */
        if (!(d.skip & LLP_SNOOP_SKIP_FD)) {
            llp_probe_desc pdsc;
            llp_probe_result pr;
            memset(&pdsc, 0, sizeof pdsc);
            pdsc.dir = LLP_DIRECTION_RANDOM;
            pdsc.probes = d.fd_probes;
            r = llp_hessian_probe(&cf, th, &bp, &pdsc, &streams[4], &pr);
            if (r == LLP_OK) {
                F[LLP_SNOOP_ETA_FD] = eta * pr.gdiff;
                t.fd_step = pr.step;
            } else if (!llp__snoop_soft(r)) {
                goto fail;
            }
        }
        F[LLP_SNOOP_ETA_LMAX] = eta * t.lambda;
        F[LLP_SNOOP_ETA_LMAX_PRE] = eta * t.lambda_pre;
        F[LLP_SNOOP_EDGE_RATIO] = eta * t.lambda_pre / t.edge;
        F[LLP_SNOOP_ETA_GHG] = eta * t.ghg;
        F[LLP_SNOOP_GHG_LMAX] = t.lambda > 0 ? t.ghg / t.lambda : nan;
        if (d.ckpt_path) {
            r = llp_trainer_save(&tr, d.ckpt_path, NULL);
            if (r != LLP_OK) goto fail;
        }
    }
    r = LLP_OK;
    t.diverged = diverged;
    llp__snoop_cnt_sub(&snap1, &snap0, &part);
    llp__snoop_cost(&part, train_batches, ns, &t.train_cost);
    llp__snoop_cost(&cnt, train_batches + probe_batches, ns, &t.cost);
    llp__snoop_cnt_sub(&cnt, &part, &rest);
    llp__snoop_cost(&rest, probe_batches, ns, &t.probe_cost);
    t.evals = t.cost.evals;
    if (theta_k) llp_copy(diverged ? theta0 : th, theta_k, n);
    *res = t;
fail:
    if (have_tr) llp_trainer_free(&tr);
    LLP_FREE(buf);
    LLP_FREE(perm);
    return r;
}

LLPDEF llp_result llp_snoop(const llp_mlp *m, const llp_real *theta0, const llp_data *data, const llp_opt_desc *od,
                            const llp_train_desc *td, const llp_snoop_desc *sd, llp_real *theta_k,
                            llp_snoop_result *res) {
    llp_mlp_objective mo;
    llp_objective f;
    llp_result r;
    if (!m || !theta0 || !data || !od || !res) return LLP_ERR_ARG;
    r = llp_mlp_objective_init(&mo, m, data, 0);
    if (r != LLP_OK) return r;
    f = llp_mlp_objective_get(&mo);
    r = llp_snoop_objective(&f, m, theta0, od, td, sd, theta_k, res);
    llp_mlp_objective_free(&mo);
    return r;
}

/* ---- 11.10d the selector: hyperparameter search at a counted budget ---- */

LLPDEF const char *llp_select_method_name(int method) {
    static const char *const names[LLP_SELECT_METHODS] = {"random", "grid",      "sh",      "hyperband", "curve",
                                                          "grad_norm", "snip", "synflow", "meta"};
    return method >= 0 && method < (int)LLP_SELECT_METHODS ? names[method] : "unknown";
}

/* ---- the selector's state ---- */
struct llp__sel;

/* Counts every call of one objective into the selector's ledger. */
typedef struct llp__sel_cnt {
    const llp_objective *f;
    struct llp__sel *S;
} llp__sel_cnt;

/* One configuration being trained (heap-allocated: the objectives point into it). */
typedef struct llp__sel_run {
    llp_hp_config config;
    size_t candidate;
    llp_mlp m;
    llp_mlp_desc md;
    llp_opt_desc od;
    llp_train_desc td;
    llp_mlp_objective mo_tr, mo_va;
    llp_objective raw_tr, raw_va, usr_tr, usr_va, cnt_tr, cnt_va;
    llp__sel_cnt c_tr, c_va;
    llp_trainer tr;
    int have_m, have_mo_tr, have_mo_va, have_tr;
    size_t spe;       /* steps per epoch */
    size_t bs;        /* samples of a full step (N for full batch) */
    int gmult;        /* gradient calls per step (2 with SAM) */
    int diverged;
    double score;
} llp__sel_run;

typedef struct llp__sel {
    const llp_select_desc *d;
    size_t N, Nval;
    double R;
    llp_rng rng;                /* configurations */
    /* the ledger */
    size_t loss, grad, hvp, s_loss, s_grad, s_hvp;
    size_t n_cb_scores;         /* score-callback evaluations (charged N_val / (2N) each) */
    double budget;
    double screen_cost;
    /* trials */
    llp_select_trial *trials;
    size_t n_trials, cap_trials;
    size_t n_configs, n_full;
    int have_best;
    size_t best_trial;
    double best_score;
    llp_hp_config best_config;
    llp_mlp_desc best_mlp;
    llp_real *best_theta;
    size_t best_n;
    int bracket;                /* SH/HB bracket counter */
    size_t base_spe, base_bs;   /* the base configuration's steps per epoch and batch */
    llp_evals meta_evals;
    size_t meta_fits;
} llp__sel;

static llp_result llp__sel_cnt_lg(void *ctx, const llp_real *theta, const llp_batch *b, llp_real *loss,
                                  llp_real *grad) {
    llp__sel_cnt *c = (llp__sel_cnt *)ctx;
    size_t s = c->f->n_samples ? llp_batch_size(b, c->f->n_samples) : 1;
    if (grad) {
        c->S->grad++;
        c->S->s_grad += s;
    } else {
        c->S->loss++;
        c->S->s_loss += s;
    }
    return c->f->loss_grad(c->f->ctx, theta, b, loss, grad);
}

static llp_result llp__sel_cnt_hvp(void *ctx, const llp_real *theta, const llp_real *v, const llp_batch *b,
                                   llp_real *hv) {
    llp__sel_cnt *c = (llp__sel_cnt *)ctx;
    c->S->hvp++;
    c->S->s_hvp += c->f->n_samples ? llp_batch_size(b, c->f->n_samples) : 1;
    return c->f->hvp(c->f->ctx, theta, v, b, hv);
}

static llp_objective llp__sel_counted(llp__sel *S, const llp_objective *f, llp__sel_cnt *c) {
    llp_objective o;
    c->f = f;
    c->S = S;
    memset(&o, 0, sizeof o);
    o.n = f->n;
    o.n_samples = f->n_samples;
    o.loss_grad = llp__sel_cnt_lg;
    o.hvp = f->hvp ? llp__sel_cnt_hvp : NULL; /* no block/GN products: every product is counted one by one */
    o.ctx = c;
    o.name = f->name;
    return o;
}

static double llp__sel_spent(const llp__sel *S) {
    return ((double)S->s_grad + 2.0 * (double)S->s_hvp + 0.5 * (double)S->s_loss +
            0.5 * (double)S->n_cb_scores * (double)S->Nval) /
           (double)S->N;
}

static double llp__sel_score_cost(const llp__sel *S) { return 0.5 * (double)S->Nval / (double)S->N; }

static void llp__sel_run_free(llp__sel_run *u) {
    if (!u) return;
    if (u->have_tr) llp_trainer_free(&u->tr);
    if (u->have_mo_tr) llp_mlp_objective_free(&u->mo_tr);
    if (u->have_mo_va) llp_mlp_objective_free(&u->mo_va);
    if (u->have_m) llp_mlp_free(&u->m);
    LLP_FREE(u);
}

/* Build configuration c: model, theta_0, objectives (wrapped, counted), trainer. */
static llp_result llp__sel_run_open(llp__sel *S, const llp_hp_config *c, size_t candidate, llp__sel_run **out) {
    const llp_select_desc *d = S->d;
    llp__sel_run *u;
    llp_train_desc tdesc;
    llp_rng rng;
    llp_result r;
    *out = NULL;
    u = (llp__sel_run *)LLP_MALLOC(sizeof *u);
    if (!u) return LLP_ERR_NOMEM;
    memset(u, 0, sizeof *u);
    u->config = *c;
    u->candidate = candidate;
    u->score = NAN;
    r = llp_hp_apply(c, &d->mlp, &d->opt, &d->train, &u->md, &u->od, &u->td);
    if (r != LLP_OK) goto fail;
    r = llp_mlp_init(&u->m, &u->md);
    if (r != LLP_OK) goto fail;
    u->have_m = 1;
    llp_rng_seed(&rng, d->init_seed);
    llp_mlp_randomize(&u->m, u->m.theta, &rng);
    r = llp_mlp_objective_init(&u->mo_tr, &u->m, d->train_data, 0);
    if (r != LLP_OK) goto fail;
    u->have_mo_tr = 1;
    r = llp_mlp_objective_init(&u->mo_va, &u->m, d->val_data, 0);
    if (r != LLP_OK) goto fail;
    u->have_mo_va = 1;
    u->raw_tr = llp_mlp_objective_get(&u->mo_tr);
    u->raw_va = llp_mlp_objective_get(&u->mo_va);
    if (d->wrap) {
        memset(&u->usr_tr, 0, sizeof u->usr_tr);
        memset(&u->usr_va, 0, sizeof u->usr_va);
        r = d->wrap(d->wrap_ctx, &u->raw_tr, 0, &u->usr_tr);
        if (r != LLP_OK) goto fail;
        r = d->wrap(d->wrap_ctx, &u->raw_va, 1, &u->usr_va);
        if (r != LLP_OK) goto fail;
        if (!u->usr_tr.loss_grad || !u->usr_va.loss_grad || u->usr_tr.n != u->raw_tr.n ||
            u->usr_va.n != u->raw_va.n || u->usr_tr.n_samples != u->raw_tr.n_samples ||
            u->usr_va.n_samples != u->raw_va.n_samples) {
            r = LLP_ERR_ARG; /* the hook must keep n and n_samples and give a loss_grad */
            goto fail;
        }
    } else {
        u->usr_tr = u->raw_tr;
        u->usr_va = u->raw_va;
    }
    u->cnt_tr = llp__sel_counted(S, &u->usr_tr, &u->c_tr);
    u->cnt_va = llp__sel_counted(S, &u->usr_va, &u->c_va);
    memset(&tdesc, 0, sizeof tdesc);
    tdesc.epochs = (size_t)1 << 30; /* the resource is set by max_steps */
    tdesc.max_steps = 1;
    tdesc.batch_size = u->td.batch_size;
    tdesc.seed = u->td.seed;
    tdesc.diverge_factor = u->td.diverge_factor;
    u->td = tdesc;
    r = llp_trainer_init(&u->tr, &tdesc, &u->cnt_tr, NULL, &u->od, u->m.theta);
    if (r != LLP_OK) goto fail;
    u->have_tr = 1;
    if (tdesc.batch_size && tdesc.batch_size < S->N) {
        u->bs = tdesc.batch_size;
        u->spe = (S->N + u->bs - 1) / u->bs;
    } else {
        u->bs = S->N;
        u->spe = 1;
    }
    u->gmult = u->od.sam != LLP_SAM_NONE ? 2 : 1;
    *out = u;
    return LLP_OK;
fail:
    llp__sel_run_free(u);
    return r;
}

/* Steps of resource r epochs: round(r S), at least 1. */
static uint64_t llp__sel_steps(const llp__sel_run *u, double r) {
    double s = floor(r * (double)u->spe + 0.5);
    return s < 1 ? 1 : (uint64_t)s;
}

/* Samples the first s steps of a run draw (epochs of N, the last batch of an epoch partial). */
static double llp__sel_samples(const llp__sel *S, const llp__sel_run *u, uint64_t s) {
    return (double)(s / u->spe) * (double)S->N + (double)(s % u->spe) * (double)u->bs;
}

/* The most a training from the run's current step to resource r (and its score) can cost. */
static double llp__sel_train_bound(const llp__sel *S, const llp__sel_run *u, double r) {
    uint64_t s1 = llp__sel_steps(u, r), s0 = u->tr.step;
    double c = s1 > s0 ? (llp__sel_samples(S, u, s1) - llp__sel_samples(S, u, s0)) * u->gmult / (double)S->N : 0;
    return c + llp__sel_score_cost(S);
}

static int llp__sel_fits(const llp__sel *S, double cost) {
    return llp__sel_spent(S) + cost <= S->budget * (1 + 1e-12);
}

static llp_result llp__sel_push(llp__sel *S, const llp_select_trial *t) {
    if (S->n_trials == S->cap_trials) {
        size_t cap = S->cap_trials ? 2 * S->cap_trials : 64;
        llp_select_trial *nt;
        if (!llp__mul(cap, sizeof *nt)) return LLP_ERR_NOMEM;
        nt = (llp_select_trial *)LLP_MALLOC(cap * sizeof *nt);
        if (!nt) return LLP_ERR_NOMEM;
        if (S->n_trials) memcpy(nt, S->trials, S->n_trials * sizeof *nt);
        LLP_FREE(S->trials);
        S->trials = nt;
        S->cap_trials = cap;
    }
    S->trials[S->n_trials++] = *t;
    return LLP_OK;
}

/* Train run u to resource r epochs (resuming), score it, record the trial. */
static llp_result llp__sel_train(llp__sel *S, llp__sel_run *u, double r, int bracket, int rung) {
    const llp_select_desc *d = S->d;
    llp_select_trial t;
    double before = llp__sel_spent(S), score = NAN;
    llp_result res;
    int full = fabs(r - S->R) <= 1e-9 * S->R;
    memset(&t, 0, sizeof t);
    if (!u->diverged) {
        u->tr.d.max_steps = llp__sel_steps(u, r);
        if (u->tr.stop == LLP_STOP_MAX_STEPS) u->tr.stop = LLP_STOP_NONE;
        res = llp_trainer_run(&u->tr);
        if (res == LLP_ERR_DIVERGED) {
            u->diverged = 1;
        } else if (res != LLP_OK) {
            return res;
        }
    }
    if (!u->diverged) {
        if (d->score) {
            res = d->score(d->score_ctx, &u->m, u->m.theta, d->val_data, &score);
            if (res != LLP_OK) return res;
            S->n_cb_scores++;
        } else {
            llp_real l;
            res = llp_objective_loss(&u->cnt_va, u->m.theta, NULL, &l);
            if (res == LLP_ERR_NONFINITE) l = (llp_real)NAN;
            else if (res != LLP_OK) return res;
            score = (double)l;
        }
        if (!llp__isfinite(score)) score = NAN;
    }
    u->score = score;
    t.config = u->config;
    t.candidate = u->candidate;
    t.stage = LLP_SELECT_STAGE_TRAIN;
    t.bracket = bracket;
    t.rung = rung;
    t.resource = full ? S->R : r;
    t.full = full;
    t.score = score;
    t.diverged = u->diverged;
    t.cum_cost = llp__sel_spent(S);
    t.cost = t.cum_cost - before;
    if (full) {
        S->n_full++;
        if (score == score && (!S->have_best || score < S->best_score)) {
            llp_real *bt = (llp_real *)LLP_MALLOC((u->m.n_params ? u->m.n_params : 1) * sizeof(llp_real));
            if (!bt) return LLP_ERR_NOMEM;
            llp_copy(u->m.theta, bt, u->m.n_params);
            LLP_FREE(S->best_theta);
            S->best_theta = bt;
            S->best_n = u->m.n_params;
            S->best_mlp = u->md;
            S->best_config = u->config;
            S->best_score = score;
            S->best_trial = S->n_trials;
            S->have_best = 1;
        }
    }
    t.best = S->have_best ? S->best_score : NAN;
    t.predicted = NAN;
    return llp__sel_push(S, &t);
}

/* Record a screening trial (the compute since `before`). */
static llp_result llp__sel_screen_trial(llp__sel *S, const llp_hp_config *c, size_t candidate, double resource,
                                        double value, int diverged, double before) {
    llp_select_trial t;
    memset(&t, 0, sizeof t);
    t.config = *c;
    t.candidate = candidate;
    t.stage = LLP_SELECT_STAGE_SCREEN;
    t.bracket = t.rung = -1;
    t.resource = resource;
    t.score = value;
    t.diverged = diverged;
    t.cum_cost = llp__sel_spent(S);
    t.cost = t.cum_cost - before;
    S->screen_cost += t.cost;
    t.best = S->have_best ? S->best_score : NAN;
    t.predicted = NAN;
    return llp__sel_push(S, &t);
}

/* Open, train to R, score and free one configuration; *stop = 1 when it does not fit. */
static llp_result llp__sel_full(llp__sel *S, const llp_hp_config *c, size_t candidate, int *stop) {
    llp__sel_run *u;
    llp_result r = llp__sel_run_open(S, c, candidate, &u);
    *stop = 0;
    if (r != LLP_OK) return r;
    if (!llp__sel_fits(S, llp__sel_train_bound(S, u, S->R))) {
        *stop = 1;
        llp__sel_run_free(u);
        return LLP_OK;
    }
    r = llp__sel_train(S, u, S->R, -1, -1);
    llp__sel_run_free(u);
    return r;
}

static llp_result llp__sel_random(llp__sel *S) {
    for (;;) {
        llp_hp_config c;
        int stop;
        llp_result r = llp_hp_random(S->d->space, 1, &S->rng, &c);
        if (r != LLP_OK) return r;
        r = llp__sel_full(S, &c, S->n_configs, &stop);
        if (r != LLP_OK || stop) return r;
        S->n_configs++;
    }
}

static llp_result llp__sel_grid(llp__sel *S, double full_cost, int *levels_out) {
    const llp_hp_space *sp = S->d->space;
    size_t afford = (size_t)(S->budget / full_cost * (1 + 1e-12)), count = 0, best_count = 0, i, *perm = NULL;
    int L, best_L = 1;
    llp_hp_config *g = NULL;
    llp_result r;
    if (afford < 1) afford = 1;
    for (L = 1; L <= 4096; L++) {
        r = llp_hp_grid(sp, (size_t)L, NULL, 0, &count);
        if (r != LLP_OK) break;
        if (L == 1 || count <= afford) {
            if (L > 1 && count == best_count) continue; /* no continuous dimension: nothing grows */
            best_L = L;
            best_count = count;
        }
        if (count > afford) break;
    }
    *levels_out = best_L;
    r = llp_hp_grid(sp, (size_t)best_L, NULL, 0, &count);
    if (r != LLP_OK) return r;
    g = (llp_hp_config *)(llp__mul(count, sizeof *g) ? LLP_MALLOC(count * sizeof *g) : NULL);
    perm = (size_t *)(llp__mul(count, sizeof *perm) ? LLP_MALLOC(count * sizeof *perm) : NULL);
    if (!g || !perm) {
        LLP_FREE(g);
        LLP_FREE(perm);
        return LLP_ERR_NOMEM;
    }
    r = llp_hp_grid(sp, (size_t)best_L, g, count, &count);
    if (r == LLP_OK) {
        for (i = 0; i < count; i++) perm[i] = i;
        llp_rng_permutation(&S->rng, perm, count);
        S->n_configs = count;
        for (i = 0; i < count; i++) {
            int stop;
            r = llp__sel_full(S, &g[perm[i]], perm[i], &stop);
            if (r != LLP_OK || stop) break;
        }
    }
    LLP_FREE(g);
    LLP_FREE(perm);
    return r;
}

/* The compute of a successive-halving bracket, from its schedule, every
   trial priced with the base configuration's exact samples (its batching:
   round(r S) steps of the rung minus those of the rung before) times gmult,
   plus a score per trial. */
static double llp__sel_sh_cost(const llp__sel *S, const llp_hp_sh_schedule *sc, int gmult) {
    double c = 0, prev = 0;
    size_t i;
    llp__sel_run b; /* the base configuration's batching: steps per epoch and batch */
    memset(&b, 0, sizeof b);
    b.spe = S->base_spe;
    b.bs = S->base_bs;
    for (i = 0; i < sc->n_rungs; i++) {
        double s1 = llp__sel_samples(S, &b, llp__sel_steps(&b, sc->rung[i].r));
        c += (double)sc->rung[i].n * ((s1 - prev) * gmult / (double)S->N + llp__sel_score_cost(S));
        prev = s1;
    }
    return c;
}

static int llp__sel_cmp_score(const llp__sel_run *a, const llp__sel_run *b) {
    int na = !(a->score == a->score), nb = !(b->score == b->score);
    if (na != nb) return na - nb;
    if (!na && a->score != b->score) return a->score < b->score ? -1 : 1;
    return a->candidate < b->candidate ? -1 : a->candidate > b->candidate;
}

/* Run one successive-halving bracket of schedule sc on fresh configurations.
   The runs of a rung stay alive until the rung is ranked. */
static llp_result llp__sel_sh_bracket(llp__sel *S, const llp_hp_sh_schedule *sc) {
    size_t n = sc->rung[0].n, alive = 0, i, j, rung;
    llp__sel_run **runs;
    llp_result r = LLP_OK;
    int bracket = S->bracket++, stop = 0;
    runs = (llp__sel_run **)(llp__mul(n, sizeof *runs) ? LLP_MALLOC(n * sizeof *runs) : NULL);
    if (!runs) return LLP_ERR_NOMEM;
    for (i = 0; i < n; i++) runs[i] = NULL;
    for (i = 0; i < n; i++) {
        llp_hp_config c;
        r = llp_hp_random(S->d->space, 1, &S->rng, &c);
        if (r != LLP_OK) goto out;
        r = llp__sel_run_open(S, &c, S->n_configs++, &runs[i]);
        if (r != LLP_OK) goto out;
        alive++;
    }
    for (rung = 0; rung < sc->n_rungs && !stop; rung++) {
        size_t keep = sc->rung[rung].n;
        double rr = sc->rung[rung].r;
        if (rung > 0) {
            /* rank the previous rung (insertion sort: stable, rungs are small), keep the best */
            for (i = 1; i < alive; i++) {
                llp__sel_run *x = runs[i];
                for (j = i; j > 0 && llp__sel_cmp_score(x, runs[j - 1]) < 0; j--) runs[j] = runs[j - 1];
                runs[j] = x;
            }
            for (i = keep; i < alive; i++) {
                llp__sel_run_free(runs[i]);
                runs[i] = NULL;
            }
            alive = keep;
            /* continue in candidate order */
            for (i = 1; i < alive; i++) {
                llp__sel_run *x = runs[i];
                for (j = i; j > 0 && x->candidate < runs[j - 1]->candidate; j--) runs[j] = runs[j - 1];
                runs[j] = x;
            }
        }
        for (i = 0; i < alive; i++) {
            if (!llp__sel_fits(S, llp__sel_train_bound(S, runs[i], rr))) {
                stop = 1;
                break;
            }
            r = llp__sel_train(S, runs[i], rr, bracket, (int)rung);
            if (r != LLP_OK) goto out;
        }
    }
out:
    for (i = 0; i < n; i++) llp__sel_run_free(runs[i]);
    LLP_FREE(runs);
    return r;
}

static llp_result llp__sel_sh(llp__sel *S, double rmin, unsigned eta, int gmult) {
    for (;;) {
        llp_hp_sh_schedule sc, best;
        size_t lo = 0, hi, nr_full = 0;
        double rem = S->budget - llp__sel_spent(S), x;
        llp_result r;
        /* brackets reach R when n >= eta^(rungs-1); cost grows with n: find the largest n that fits */
        r = llp_hp_successive_halving(1, rmin, S->R, eta, &sc);
        if (r != LLP_OK) return r;
        /* the number of rungs when n is large enough */
        for (x = rmin; x <= S->R * (1 + 1e-9); x *= eta) nr_full++;
        hi = 1;
        for (;;) {
            r = llp_hp_successive_halving(hi, rmin, S->R, eta, &sc);
            if (r != LLP_OK) return r;
            if (llp__sel_sh_cost(S, &sc, gmult) > rem || hi > ((size_t)1 << 40)) break;
            lo = hi;
            hi *= 2;
        }
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            r = llp_hp_successive_halving(mid, rmin, S->R, eta, &sc);
            if (r != LLP_OK) return r;
            if (llp__sel_sh_cost(S, &sc, gmult) <= rem) lo = mid;
            else hi = mid;
        }
        if (lo == 0) return LLP_OK;
        r = llp_hp_successive_halving(lo, rmin, S->R, eta, &best);
        if (r != LLP_OK) return r;
        if (best.n_rungs < nr_full) return LLP_OK; /* no bracket that reaches R fits */
        r = llp__sel_sh_bracket(S, &best);
        if (r != LLP_OK) return r;
        if (S->budget - llp__sel_spent(S) >= rem) return LLP_OK; /* nothing spent: stop */
    }
}

static llp_result llp__sel_hyperband(llp__sel *S, double rmin, unsigned eta, int gmult) {
    llp_hp_hyperband_schedule hb;
    size_t j = 0, misses = 0;
    llp_result r = llp_hp_hyperband(rmin, S->R, eta, &hb);
    if (r != LLP_OK) return r;
    while (misses < hb.n_brackets) {
        const llp_hp_sh_schedule *sc = &hb.bracket[j];
        if (llp__sel_sh_cost(S, sc, gmult) <= S->budget - llp__sel_spent(S)) {
            double before = llp__sel_spent(S);
            r = llp__sel_sh_bracket(S, sc);
            if (r != LLP_OK) return r;
            misses = llp__sel_spent(S) > before ? 0 : misses + 1;
        } else {
            misses++;
        }
        j = (j + 1) % hb.n_brackets;
    }
    return LLP_OK;
}

/* ---- screening strategies ---- */

/* The snoop settings the selector uses (its lighter defaults). */
static llp_snoop_desc llp__sel_snoop_desc(const llp__sel *S, size_t k, int curve) {
    llp_snoop_desc sd = S->d->snoop;
    sd.steps = k;
    if (!sd.probe_batch) sd.probe_batch = S->N < 128 ? S->N : 128;
    if (!sd.power_iters) sd.power_iters = 5;
    if (!sd.noise_pairs) sd.noise_pairs = 4;
    if (!sd.sharp_samples) sd.sharp_samples = 4;
    if (!sd.fd_probes) sd.fd_probes = 2;
    if (!sd.seed) sd.seed = S->d->seed + 1;
    sd.ckpt_path = NULL;
    if (curve)
        sd.skip = LLP_SNOOP_SKIP_POWER | LLP_SNOOP_SKIP_PRECOND | LLP_SNOOP_SKIP_GHG | LLP_SNOOP_SKIP_NOISE |
                  LLP_SNOOP_SKIP_SHARP | LLP_SNOOP_SKIP_FD;
    return sd;
}

/* An upper bound of a snoop's compute (the go/no-go check before it runs). */
static double llp__sel_snoop_bound(const llp__sel *S, const llp__sel_run *u, const llp_snoop_desc *sd) {
    double P = (double)sd->probe_batch, N = (double)S->N, s;
    int adaptive = u->od.kind == LLP_OPT_RMSPROP || u->od.kind == LLP_OPT_ADAM || u->od.kind == LLP_OPT_ADAMW;
    s = llp__sel_samples(S, u, sd->steps) * u->gmult + 2 * P;
    if (!(sd->skip & LLP_SNOOP_SKIP_POWER))
        s += 2.0 * P * (2.0 * (double)sd->power_iters + 2.0) * (adaptive && !(sd->skip & LLP_SNOOP_SKIP_PRECOND) ? 2 : 1);
    if (!(sd->skip & LLP_SNOOP_SKIP_GHG)) s += 2.0 * P;
    if (!(sd->skip & LLP_SNOOP_SKIP_NOISE)) {
        double bs = S->N / 8 < 32 ? (double)(S->N / 8) : 32.0, bb;
        if (bs < 1) bs = 1;
        bb = 8 * bs < N ? 8 * bs : N;
        s += (double)sd->noise_pairs * (bs + bb);
    }
    if (!(sd->skip & LLP_SNOOP_SKIP_SHARP)) s += 0.5 * P * (1.0 + (double)sd->sharp_samples);
    if (!(sd->skip & LLP_SNOOP_SKIP_FD)) s += P * (1.0 + (double)sd->fd_probes);
    return s / N;
}

static double llp__sel_asinh(double x) {
    if (x != x) return x;
    if (fabs(x) > 1e150) return x > 0 ? HUGE_VAL : -HUGE_VAL; /* Inf stays Inf: imputed */
    return x < 0 ? -log(-x + sqrt(x * x + 1)) : log(x + sqrt(x * x + 1));
}

/* Train candidates in `order` (n of them) while they fit; *stop = 1 when one did not. */
static llp_result llp__sel_train_order(llp__sel *S, const llp_hp_config *cand, const size_t *order, size_t n,
                                       int *stop) {
    size_t i;
    *stop = 0;
    for (i = 0; i < n; i++) {
        llp_result r = llp__sel_full(S, &cand[order[i]], order[i], stop);
        if (r != LLP_OK || *stop) return r;
    }
    return LLP_OK;
}

/* The META state that lasts over the rounds: which candidates are trained,
   and the trial of each training (the meta-model's rows). */
typedef struct llp__sel_meta {
    int *trained;   /* (cap) */
    size_t *rows;   /* (cap) trial index of the k-th training */
    size_t nt;      /* trainings so far */
    double *Xf, *yf, *pred; /* (cap, dx), (cap), (cap) */
} llp__sel_meta;

/* Pick and train META candidates among the first nc (screened) ones until
   the budget stops (*stop = 1) or every screened candidate is trained. */
static llp_result llp__sel_meta_loop(llp__sel *S, llp__sel_meta *M, const llp_hp_config *cand, size_t nc,
                                     const double *X, size_t dx, const int *sdiv, size_t warmup, int *stop) {
    const llp_select_desc *d = S->d;
    llp_meta_desc md = d->meta;
    llp_result r = LLP_OK;
    if (!md.seed) md.seed = d->seed + 2;
    *stop = 0;
    for (;;) {
        size_t pick = nc, j;
        double predicted = NAN;
        int logt = 1;
        if (M->nt < warmup) {
            for (j = 0; j < nc && pick == nc; j++)
                if (!M->trained[j] && !sdiv[j]) pick = j;
        } else {
            /* refit on every trained candidate */
            size_t nf = 0, k;
            double worst = -HUGE_VAL;
            for (k = 0; k < M->nt; k++) {
                double s = S->trials[M->rows[k]].score;
                if (s == s && s <= 0) logt = 0;
            }
            for (k = 0; k < M->nt; k++) {
                double s = S->trials[M->rows[k]].score;
                M->yf[k] = s == s ? (logt ? log(s) : s) : NAN;
                if (M->yf[k] == M->yf[k] && M->yf[k] > worst) worst = M->yf[k];
                if (M->yf[k] == M->yf[k]) nf++;
            }
            for (k = 0; k < M->nt; k++) {
                if (M->yf[k] != M->yf[k]) M->yf[k] = worst; /* a diverged training: the worst outcome seen */
                memcpy(M->Xf + k * dx, X + S->trials[M->rows[k]].candidate * dx, dx * sizeof(double));
            }
            if (nf >= 2) {
                llp_meta_model mm;
                memset(&mm, 0, sizeof mm);
                r = llp_meta_fit(M->Xf, M->yf, M->nt, dx, &md, &mm);
                if (r == LLP_OK) {
                    S->meta_fits++;
                    S->meta_evals.grad += mm.evals.grad;
                    S->meta_evals.loss += mm.evals.loss;
                    r = llp_meta_predict(&mm, X, nc, M->pred);
                    llp_meta_free(&mm);
                    if (r != LLP_OK) return r;
                    for (j = 0; j < nc; j++)
                        if (!M->trained[j] && !sdiv[j] && (pick == nc || M->pred[j] < M->pred[pick])) pick = j;
                    if (pick < nc) predicted = logt ? exp(M->pred[pick]) : M->pred[pick];
                } else if (r != LLP_ERR_NONFINITE) {
                    return r;
                }
                r = LLP_OK;
            }
            if (pick == nc) /* no model (or no finite outcome yet): candidate order */
                for (j = 0; j < nc && pick == nc; j++)
                    if (!M->trained[j] && !sdiv[j]) pick = j;
        }
        if (pick == nc) /* the candidates whose snoop diverged come last */
            for (j = 0; j < nc && pick == nc; j++)
                if (!M->trained[j]) pick = j;
        if (pick == nc) return LLP_OK; /* every screened candidate is trained */
        r = llp__sel_full(S, &cand[pick], pick, stop);
        if (r != LLP_OK || *stop) return r;
        S->trials[S->n_trials - 1].predicted = predicted;
        M->trained[pick] = 1;
        M->rows[M->nt++] = S->n_trials - 1;
    }
}

/* Grow a buffer of `have` elements of `size` bytes to `want` (contents kept). */
static llp_result llp__sel_grow(void **p, size_t have, size_t want, size_t size) {
    void *q;
    if (!llp__mul(want, size)) return LLP_ERR_NOMEM;
    q = LLP_MALLOC(want * size);
    if (!q) return LLP_ERR_NOMEM;
    if (have && *p) memcpy(q, *p, have * size);
    LLP_FREE(*p);
    *p = q;
    return LLP_OK;
}

static llp_result llp__sel_screen(llp__sel *S, double full_cost, size_t *k_out, size_t *warm_out,
                                  size_t *distinct_out) {
    const llp_select_desc *d = S->d;
    llp_select_method meth = d->method;
    size_t nc = d->candidates, i, j, k, D = d->space->n_dims, dx = (size_t)LLP_SNOOP_N_FEATURES + D;
    size_t total = 0, cap = 0, nscreened = 0, *order = NULL, *perm = NULL, spe_base, bs_base;
    llp_hp_config *cand = NULL;
    double *val = NULL, *X = NULL;
    int *sdiv = NULL, stop = 0;
    llp_real *g = NULL;
    llp__sel_meta M;
    llp_result r = LLP_OK;
    memset(&M, 0, sizeof M);
    bs_base = d->train.batch_size && d->train.batch_size < S->N ? d->train.batch_size : S->N;
    spe_base = (S->N + bs_base - 1) / bs_base;
    k = d->snoop.steps ? d->snoop.steps : (size_t)ceil((double)spe_base * S->R / 20.0 - 1e-9);
    if (k < 10 && !d->snoop.steps) k = 10;
    if (!nc) {
        double a = floor(S->budget / full_cost * (1 + 1e-12)) * 2;
        if (meth == LLP_SELECT_CURVE || meth == LLP_SELECT_META) {
            /* screening takes at most about a third of the budget */
            llp__sel_run *u;
            llp_hp_config none;
            llp_snoop_desc sd = llp__sel_snoop_desc(S, k, meth == LLP_SELECT_CURVE);
            double b;
            memset(&none, 0, sizeof none);
            if (sd.probe_batch > S->N) sd.probe_batch = S->N;
            r = llp__sel_run_open(S, &none, 0, &u);
            if (r != LLP_OK) return r;
            b = floor(S->budget / (3.0 * llp__sel_snoop_bound(S, u, &sd)));
            llp__sel_run_free(u);
            if (b < a) a = b;
        }
        nc = a > 4 ? (size_t)a : 4;
    }
    *k_out = k;
    *warm_out = d->warmup ? d->warmup : 3;
    /* rounds: draw nc candidates, screen them, train them; when every
       screened candidate is trained and budget is left, draw the next nc */
    while (!stop) {
        size_t round0 = total, screened_round = 0;
        if (total + nc > cap) {
            size_t nb = total + nc;
            r = llp__sel_grow((void **)&cand, total, nb, sizeof *cand);
            if (r == LLP_OK) r = llp__sel_grow((void **)&val, total, nb, sizeof *val);
            if (r == LLP_OK) r = llp__sel_grow((void **)&order, 0, nb, sizeof *order);
            if (r == LLP_OK) r = llp__sel_grow((void **)&sdiv, total, nb, sizeof *sdiv);
            if (r == LLP_OK && meth == LLP_SELECT_META) {
                r = llp__sel_grow((void **)&X, total * dx, nb * dx, sizeof *X);
                if (r == LLP_OK) r = llp__sel_grow((void **)&M.trained, total, nb, sizeof *M.trained);
                if (r == LLP_OK) r = llp__sel_grow((void **)&M.rows, M.nt, nb, sizeof *M.rows);
                if (r == LLP_OK) r = llp__sel_grow((void **)&M.Xf, 0, nb * dx, sizeof *M.Xf);
                if (r == LLP_OK) r = llp__sel_grow((void **)&M.yf, 0, nb, sizeof *M.yf);
                if (r == LLP_OK) r = llp__sel_grow((void **)&M.pred, 0, nb, sizeof *M.pred);
            }
            if (r != LLP_OK) goto out;
            cap = nb;
        }
        r = llp_hp_random(d->space, nc, &S->rng, cand + total);
        if (r != LLP_OK) goto out;
        for (i = total; i < total + nc; i++) {
            val[i] = NAN;
            sdiv[i] = 0;
            if (M.trained) M.trained[i] = 0;
        }
        total += nc;
        S->n_configs = total;
        for (i = round0; i < total; i++) {
            llp__sel_run *u;
            llp_snoop_desc sd = llp__sel_snoop_desc(S, k, meth == LLP_SELECT_CURVE);
            double before = llp__sel_spent(S), resource = 0, v = NAN;
            int div = 0;
            r = llp__sel_run_open(S, &cand[i], i, &u);
            if (r != LLP_OK) goto out;
            if (sd.probe_batch > S->N) sd.probe_batch = S->N;
            if (meth == LLP_SELECT_CURVE || meth == LLP_SELECT_META) {
                llp_snoop_result sr;
                llp_train_desc tdn;
                if (!llp__sel_fits(S, llp__sel_snoop_bound(S, u, &sd))) {
                    llp__sel_run_free(u);
                    stop = 1;
                    break;
                }
                memset(&tdn, 0, sizeof tdn);
                tdn.batch_size = u->td.batch_size;
                tdn.seed = u->td.seed;
                tdn.diverge_factor = u->td.diverge_factor;
                r = llp_snoop_objective(&u->cnt_tr, &u->m, u->m.theta, &u->od, &tdn, &sd, NULL, &sr);
                if (r != LLP_OK) {
                    llp__sel_run_free(u);
                    goto out;
                }
                div = sr.diverged;
                resource = (double)sr.steps_done / (double)u->spe;
                if (meth == LLP_SELECT_CURVE) {
                    v = sr.features[LLP_SNOOP_LOSSK];
                } else {
                    double *row = X + i * dx;
                    for (j = 0; j < (size_t)LLP_SNOOP_N_FEATURES; j++) row[j] = llp__sel_asinh(sr.features[j]);
                    if (d->meta_no_config) {
                        for (j = 0; j < D; j++) row[LLP_SNOOP_N_FEATURES + j] = 0;
                    } else {
                        r = llp_hp_encode(d->space, &cand[i], row + LLP_SNOOP_N_FEATURES);
                        if (r != LLP_OK) {
                            llp__sel_run_free(u);
                            goto out;
                        }
                    }
                }
            } else if (meth == LLP_SELECT_SYNFLOW) {
                double lsf = NAN;
                r = llp_snoop_synflow(&u->m, u->m.theta, NULL, &lsf);
                if (r != LLP_OK) {
                    llp__sel_run_free(u);
                    goto out;
                }
                v = lsf;
            } else { /* GRAD_NORM, SNIP: one gradient on the probe batch at theta_0 */
                size_t n = u->m.n_params, P = sd.probe_batch, q;
                llp_batch pb = llp_batch_all();
                llp_real l;
                double acc = 0;
                if (!llp__sel_fits(S, (double)P / (double)S->N)) {
                    llp__sel_run_free(u);
                    stop = 1;
                    break;
                }
                g = (llp_real *)LLP_MALLOC((n ? n : 1) * sizeof(llp_real));
                if (!g) {
                    llp__sel_run_free(u);
                    r = LLP_ERR_NOMEM;
                    goto out;
                }
                if (P < S->N) {
                    llp_rng pr;
                    if (!perm) {
                        perm = (size_t *)(llp__mul(S->N, sizeof *perm) ? LLP_MALLOC(S->N * sizeof *perm) : NULL);
                        if (!perm) {
                            llp__sel_run_free(u);
                            r = LLP_ERR_NOMEM;
                            goto out;
                        }
                    }
                    llp_rng_seed(&pr, sd.seed);
                    llp_rng_permutation(&pr, perm, S->N);
                    pb = llp_batch_index(perm, P);
                }
                r = llp_objective_loss_grad(&u->cnt_tr, u->m.theta, &pb, &l, g);
                if (r == LLP_ERR_NONFINITE || (r == LLP_OK && !llp_all_finite(g, n))) {
                    v = NAN;
                    div = 1;
                    r = LLP_OK;
                } else if (r != LLP_OK) {
                    LLP_FREE(g);
                    g = NULL;
                    llp__sel_run_free(u);
                    goto out;
                } else if (meth == LLP_SELECT_GRAD_NORM) {
                    v = llp_nrm2(g, n);
                } else {
                    for (q = 0; q < n; q++) acc += fabs((double)u->m.theta[q] * (double)g[q]);
                    v = acc;
                }
                LLP_FREE(g);
                g = NULL;
            }
            llp__sel_run_free(u);
            val[i] = v;
            sdiv[i] = div;
            nscreened++;
            screened_round++;
            r = llp__sel_screen_trial(S, &cand[i], i, resource, meth == LLP_SELECT_META ? NAN : v, div, before);
            if (r != LLP_OK) goto out;
        }
        if (!screened_round) break;
        /* train the screened candidates */
        if (meth == LLP_SELECT_META) {
            int bstop = 0;
            r = llp__sel_meta_loop(S, &M, cand, round0 + screened_round, X, dx, sdiv, *warm_out, &bstop);
            if (r != LLP_OK) goto out;
            if (bstop) stop = 1;
            continue;
        }
        for (i = round0; i < round0 + screened_round; i++) {
            /* insertion sort: NaN last, then by value (CURVE ascending, proxies descending), then index */
            size_t x = i;
            for (j = i - round0; j > 0; j--) {
                size_t y = order[j - 1];
                double a = val[x], b = val[y];
                int an = !(a == a), bn = !(b == b), before;
                if (an != bn) before = bn;
                else if (!an && a != b) before = meth == LLP_SELECT_CURVE ? a < b : a > b;
                else before = x < y;
                if (!before) break;
                order[j] = y;
            }
            order[j] = x;
        }
        {
            int bstop = 0;
            r = llp__sel_train_order(S, cand, order, screened_round, &bstop);
            if (r != LLP_OK) goto out;
            if (bstop) stop = 1;
        }
    }
    /* distinct finite ranking values (1: the ranking was the order drawn) */
    if (meth != LLP_SELECT_META) {
        size_t nd = 0;
        for (i = 0; i < total; i++) {
            if (!(val[i] == val[i])) continue;
            for (j = 0; j < i; j++)
                if (val[j] == val[i]) break;
            if (j == i) nd++;
        }
        *distinct_out = nd;
    }
out:
    LLP_FREE(cand);
    LLP_FREE(val);
    LLP_FREE(order);
    LLP_FREE(sdiv);
    LLP_FREE(X);
    LLP_FREE(perm);
    LLP_FREE(g);
    LLP_FREE(M.trained);
    LLP_FREE(M.rows);
    LLP_FREE(M.Xf);
    LLP_FREE(M.yf);
    LLP_FREE(M.pred);
    return r;
}

/* Check desc and set up S; price the base configuration. */
static llp_result llp__sel_setup(const llp_select_desc *desc, llp__sel *S, double *full_cost, int *gmult) {
    llp__sel_run *base = NULL;
    llp_hp_config none;
    llp_result r;
    if (!desc || !desc->space || !desc->train_data || !desc->val_data) return LLP_ERR_ARG;
    if (desc->eta == 1 || desc->warmup == 1) return LLP_ERR_ARG;
    if (!(desc->min_resource >= 0) || !llp__isfinite(desc->min_resource)) return LLP_ERR_ARG;
    if (llp_hp_space_validate(desc->space, NULL) != LLP_OK) return LLP_ERR_ARG;
    if (desc->train_data->n < 2 || desc->val_data->n < 1) return LLP_ERR_ARG;
    memset(S, 0, sizeof *S);
    S->d = desc;
    S->N = desc->train_data->n;
    S->Nval = desc->val_data->n;
    S->R = (double)(desc->train.epochs ? desc->train.epochs : 10);
    S->budget = desc->budget;
    S->best_score = NAN;
    if ((desc->min_resource > 0 ? desc->min_resource : S->R / 27.0) > S->R * (1 + 1e-12)) return LLP_ERR_ARG;
    llp_rng_seed(&S->rng, desc->seed);
    /* the base configuration: checks the model fits the data, and prices a full training */
    memset(&none, 0, sizeof none);
    r = llp__sel_run_open(S, &none, 0, &base);
    if (r != LLP_OK) return r;
    *full_cost = llp__sel_train_bound(S, base, S->R);
    *gmult = base->gmult;
    S->base_spe = base->spe;
    S->base_bs = base->bs;
    llp__sel_run_free(base);
    return LLP_OK;
}

LLPDEF llp_result llp_select_full_cost(const llp_select_desc *desc, double *cost) {
    llp__sel S;
    double fc;
    int gm;
    llp_result r;
    if (!cost) return LLP_ERR_ARG;
    r = llp__sel_setup(desc, &S, &fc, &gm);
    if (r != LLP_OK) return r;
    *cost = fc;
    return LLP_OK;
}

LLPDEF llp_result llp_select(const llp_select_desc *desc, llp_select_result *res) {
    llp__sel S;
    llp_select_result t;
    double rmin, full_cost;
    unsigned eta;
    size_t k = 0, warm = 0, distinct = 0;
    int levels = 0, gmult;
    llp_result r;
    if (!desc || !res) return LLP_ERR_ARG;
    if ((unsigned)desc->method >= (unsigned)LLP_SELECT_METHODS) return LLP_ERR_ARG;
    if (!(desc->budget > 0) || !llp__isfinite(desc->budget)) return LLP_ERR_ARG;
    r = llp__sel_setup(desc, &S, &full_cost, &gmult);
    if (r != LLP_OK) return r;
    rmin = desc->min_resource > 0 ? desc->min_resource : S.R / 27.0;
    eta = desc->eta ? desc->eta : 3;
    switch (desc->method) {
    case LLP_SELECT_RANDOM: r = llp__sel_random(&S); break;
    case LLP_SELECT_GRID: r = llp__sel_grid(&S, full_cost, &levels); break;
    case LLP_SELECT_SH: r = llp__sel_sh(&S, rmin, eta, gmult); break;
    case LLP_SELECT_HYPERBAND: r = llp__sel_hyperband(&S, rmin, eta, gmult); break;
    default: r = llp__sel_screen(&S, full_cost, &k, &warm, &distinct); break;
    }
    if (r != LLP_OK) {
        LLP_FREE(S.trials);
        LLP_FREE(S.best_theta);
        return r;
    }
    memset(&t, 0, sizeof t);
    t.method = desc->method;
    t.budget = desc->budget;
    t.spent = llp__sel_spent(&S);
    t.screen_cost = S.screen_cost;
    t.full_cost = full_cost;
    t.R = S.R;
    t.n_trials = S.n_trials;
    t.trials = S.trials;
    t.n_configs = S.n_configs;
    t.n_full = S.n_full;
    t.have_best = S.have_best;
    t.best_trial = S.best_trial;
    t.best_config = S.best_config;
    t.best_score = S.have_best ? S.best_score : NAN;
    t.best_mlp = S.best_mlp;
    t.best_theta = S.best_theta;
    t.best_n = S.best_n;
    t.evals.loss = S.loss;
    t.evals.grad = S.grad;
    t.evals.hvp = S.hvp;
    t.samples_loss = S.s_loss;
    t.samples_grad = S.s_grad;
    t.samples_hvp = S.s_hvp;
    t.meta_evals = S.meta_evals;
    t.meta_fits = S.meta_fits;
    t.grid_levels = levels;
    t.warmup = desc->method == LLP_SELECT_META ? warm : 0;
    t.snoop_steps = desc->method == LLP_SELECT_CURVE || desc->method == LLP_SELECT_META ? k : 0;
    t.screen_distinct = distinct;
    *res = t;
    return LLP_OK;
}

LLPDEF void llp_select_free(llp_select_result *res) {
    if (!res) return;
    LLP_FREE(res->trials);
    LLP_FREE(res->best_theta);
    memset(res, 0, sizeof *res);
}

/* ---- 11.11 gzip decoder (RFC 1951 inflate, RFC 1952 gzip) --------------- */
/* ---- gzip / DEFLATE decoder -------------------------------------------------
   A small one-shot decoder written from RFC 1951 (DEFLATE) and RFC 1952 (gzip).

   What it does:
   - llp__gunzip() decodes a whole in-memory gzip file: one or more concatenated
     members, header flags FTEXT/FHCRC/FEXTRA/FNAME/FCOMMENT (the optional
     fields are skipped, the header CRC-16 is checked when FHCRC is set), and
     each member's CRC-32 and ISIZE trailer is verified. The output of all
     members is appended into one heap buffer. Input that does not start with
     the gzip magic 1f 8b is returned as an unchanged copy.
   - llp__inflate_raw() decodes one raw DEFLATE stream (stored, fixed-Huffman
     and dynamic-Huffman blocks), appending to a caller-owned buffer.
   - llp__crc32() is the gzip CRC-32 (reflected polynomial 0xEDB88320).

   Limits: whole-buffer only (no streaming), no zlib (RFC 1950) wrapper, only
   compression method 8. After the last member, trailing zero bytes (padding)
   are ignored; any other trailing bytes are reported as corrupt. A member's
   back-references may not reach into the output of earlier members. There is
   no output size cap: a decompression bomb is bounded only by memory (DEFLATE
   expands at most ~1032:1, so the caller can bound the input size instead).

   Hardening: the input is never read past src + src_len (bits beyond the end
   read as zero and are reported as truncation once consumed), every copy is
   checked against the output produced so far, the output grows geometrically
   with size_t overflow checks, and every loop is bounded by the input or
   output size. Huffman codes are decoded through a 2^10-entry lookup table,
   with a canonical-code walk only for codes longer than 10 bits.

   Needs <stddef.h>, <string.h> and LLP_MALLOC / LLP_REALLOC / LLP_FREE.
   No global or static mutable state.
   --------------------------------------------------------------------------- */

#define LLP__GZ_ENOMEM (-1)     /* out of memory or output size overflow */
#define LLP__GZ_ETRUNCATED (-2) /* input ends early */
#define LLP__GZ_ECORRUPT (-3)   /* malformed stream or unsupported method */
#define LLP__GZ_ECRC (-4)       /* CRC-32, ISIZE or header CRC-16 mismatch */

#define LLP__GZ_FAST_BITS 10
#define LLP__GZ_FAST_SIZE (1u << LLP__GZ_FAST_BITS)

/* One canonical Huffman code: lookup table for short codes, counts and
   sorted symbols for the long-code walk. */
typedef struct llp__huff {
    unsigned short fast[LLP__GZ_FAST_SIZE]; /* (symbol << 4) | length; 0 = not in table */
    unsigned short count[16];               /* number of codes of each bit length */
    unsigned short sym[288];                /* symbols sorted by (length, value) */
    unsigned maxlen;                        /* longest code length in use (0 = empty) */
} llp__huff;

/* Decoder state for one raw DEFLATE stream. */
typedef struct llp__inflate_state {
    const unsigned char *src;  /* compressed input */
    size_t len;                /* its length */
    size_t pos;                /* next byte to load; may exceed len (zero padding) */
    unsigned long long bits;   /* bit buffer, next bit in the lowest position */
    unsigned nbits;            /* number of bits held in bits */
    unsigned char *out;        /* output buffer */
    size_t out_len, out_cap;   /* bytes used / allocated in out */
    size_t win_start;          /* distances may not reach before this offset */
    int fixed_loaded;          /* lit/dist currently hold the fixed codes */
    llp__huff lit, dist;       /* literal/length and distance codes */
} llp__inflate_state;

/* Length code 257..285 base values and extra bits (RFC 1951 3.2.5). */
static const unsigned short llp__inf_len_base[29] = {
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
    35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const unsigned char llp__inf_len_extra[29] = {
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
    3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
/* Distance code 0..29 base values and extra bits (RFC 1951 3.2.5). */
static const unsigned short llp__inf_dist_base[30] = {
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
    257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const unsigned char llp__inf_dist_extra[30] = {
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
    7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
/* Order in which code-length code lengths are sent (RFC 1951 3.2.7). */
static const unsigned char llp__inf_cl_order[19] = {
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

/* CRC-32 as used by gzip; pass crc = 0 to start, the previous result to continue. */
static unsigned long llp__crc32(unsigned long crc, const unsigned char *p, size_t n) {
    unsigned long t[8][256]; /* slicing-by-8 tables, built on the stack (16 KB) */
    unsigned i, k;
    for (i = 0; i < 256; i++) {
        unsigned long c = i;
        for (k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0xEDB88320UL : c >> 1;
        t[0][i] = c;
    }
    for (k = 1; k < 8; k++) /* t[k][i]: CRC of byte i followed by k zero bytes */
        for (i = 0; i < 256; i++) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
    crc = (crc ^ 0xFFFFFFFFUL) & 0xFFFFFFFFUL;
    while (n >= 8) {
        crc ^= (unsigned long)p[0] | (unsigned long)p[1] << 8 | (unsigned long)p[2] << 16 |
               (unsigned long)p[3] << 24;
        crc = t[7][crc & 0xFF] ^ t[6][(crc >> 8) & 0xFF] ^ t[5][(crc >> 16) & 0xFF] ^
              t[4][crc >> 24] ^ t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
        p += 8;
        n -= 8;
    }
    while (n--) crc = t[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFUL;
}

/* Top up the bit buffer to at least 57 bits; bytes past the end read as zero. */
static void llp__inf_refill(llp__inflate_state *s) {
    if (s->pos < s->len && s->len - s->pos >= 8) {
        const unsigned char *p = s->src + s->pos;
        while (s->nbits <= 56) {
            s->bits |= (unsigned long long)*p++ << s->nbits;
            s->nbits += 8;
            s->pos++;
        }
        return;
    }
    while (s->nbits <= 56) {
        unsigned long long b = s->pos < s->len ? s->src[s->pos] : 0;
        s->bits |= b << s->nbits;
        s->nbits += 8;
        s->pos++;
    }
}

/* Nonzero when more bits were consumed than the input actually holds. */
static int llp__inf_overrun(const llp__inflate_state *s) {
    return s->pos > s->len && (s->pos - s->len) * 8 > s->nbits;
}

/* Map an error to ETRUNCATED when it was caused by reading past the end. */
static int llp__inf_fail(const llp__inflate_state *s, int err) {
    return llp__inf_overrun(s) ? LLP__GZ_ETRUNCATED : err;
}

/* Take n (0..32) bits from the stream, least significant bit first. */
static unsigned llp__inf_bits(llp__inflate_state *s, unsigned n) {
    unsigned v;
    if (s->nbits < n) llp__inf_refill(s);
    v = (unsigned)(s->bits & (((unsigned long long)1 << n) - 1));
    s->bits >>= n;
    s->nbits -= n;
    return v;
}

/* Build decoding tables from n code lengths (0 = unused); 0 ok, -1 invalid set.
   Incomplete sets are refused unless lax (then only empty or one 1-bit code). */
static int llp__huff_build(llp__huff *h, const unsigned char *lens, unsigned n, int lax) {
    unsigned short offs[16];
    unsigned i, l, k, code, total = 0;
    int left = 1;
    h->maxlen = 0;
    for (l = 0; l < 16; l++) h->count[l] = 0;
    for (i = 0; i < n; i++) h->count[lens[i]]++;
    h->count[0] = 0;
    for (l = 1; l < 16; l++) { /* Kraft check: over-subscribed sets are invalid */
        left = left * 2 - (int)h->count[l];
        if (left < 0) return -1;
        total += h->count[l];
        if (h->count[l]) h->maxlen = l;
    }
    /* incomplete sets: only an empty set or a single 1-bit code, and only when lax */
    if (left > 0 && !(lax && (total == 0 || (total == 1 && h->count[1] == 1)))) return -1;
    offs[1] = 0;
    for (l = 1; l < 15; l++) offs[l + 1] = (unsigned short)(offs[l] + h->count[l]);
    for (i = 0; i < n; i++)
        if (lens[i]) h->sym[offs[lens[i]]++] = (unsigned short)i;
    memset(h->fast, 0, sizeof h->fast);
    code = 0; /* canonical code of the k-th sorted symbol, MSB first */
    k = 0;
    for (l = 1; l <= LLP__GZ_FAST_BITS; l++) {
        for (i = 0; i < h->count[l]; i++, k++, code++) {
            unsigned rev = 0, b, f;
            for (b = 0; b < l; b++) rev |= ((code >> b) & 1u) << (l - 1 - b);
            for (f = rev; f < LLP__GZ_FAST_SIZE; f += 1u << l)
                h->fast[f] = (unsigned short)((h->sym[k] << 4) | l);
        }
        code <<= 1;
    }
    return 0;
}

/* Decode a code longer than the table by walking lengths 1..maxlen; -1 if
   invalid (only possible for the lax incomplete sets). Needs >= 15 buffered bits. */
static int llp__huff_slow(llp__inflate_state *s, const llp__huff *h) {
    int code = 0, first = 0, index = 0;
    unsigned l;
    for (l = 1; l <= h->maxlen; l++) {
        int cnt = h->count[l];
        code |= (int)((s->bits >> (l - 1)) & 1u);
        if (code - first < cnt) {
            s->bits >>= l;
            s->nbits -= l;
            return h->sym[index + code - first];
        }
        index += cnt;
        first = (first + cnt) << 1;
        code <<= 1;
    }
    s->bits >>= h->maxlen; /* invalid: consume the bits examined so that running */
    s->nbits -= h->maxlen; /* past the end of input is reported as truncation */
    return -1;
}

/* Decode one symbol (caller guarantees >= 15 buffered bits); -1 if invalid. */
static int llp__huff_decode(llp__inflate_state *s, const llp__huff *h) {
    unsigned e = h->fast[s->bits & (LLP__GZ_FAST_SIZE - 1)];
    if (e) {
        s->bits >>= e & 15u;
        s->nbits -= e & 15u;
        return (int)(e >> 4);
    }
    return llp__huff_slow(s, h);
}

/* Ensure room for need more output bytes, growing geometrically; 0 or ENOMEM. */
static int llp__inf_grow(llp__inflate_state *s, size_t need) {
    size_t cap = s->out_cap, want;
    unsigned char *p;
    if (need > (size_t)-1 - s->out_len) return LLP__GZ_ENOMEM;
    want = s->out_len + need;
    if (cap >= want) return 0;
    while (cap < want) {
        if (cap > (size_t)-1 / 2) { cap = want; break; }
        cap = cap ? cap * 2 : 4096;
    }
    p = s->out ? (unsigned char *)LLP_REALLOC(s->out, cap) : (unsigned char *)LLP_MALLOC(cap);
    if (!p) return LLP__GZ_ENOMEM;
    s->out = p;
    s->out_cap = cap;
    return 0;
}

/* Copy one stored (uncompressed) block to the output (RFC 1951 3.2.4). */
static int llp__inf_stored(llp__inflate_state *s) {
    size_t n, nc;
    s->bits >>= s->nbits & 7u; /* skip to the byte boundary */
    s->nbits -= s->nbits & 7u;
    s->pos -= s->nbits >> 3; /* hand whole buffered bytes back to the input */
    s->bits = 0;
    s->nbits = 0;
    if (s->pos > s->len || s->len - s->pos < 4) return LLP__GZ_ETRUNCATED;
    n = (size_t)s->src[s->pos] | (size_t)s->src[s->pos + 1] << 8;
    nc = (size_t)s->src[s->pos + 2] | (size_t)s->src[s->pos + 3] << 8;
    if (n != (~nc & 0xFFFFu)) return LLP__GZ_ECORRUPT;
    s->pos += 4;
    if (s->len - s->pos < n) return LLP__GZ_ETRUNCATED;
    if (s->out_cap - s->out_len < n && llp__inf_grow(s, n)) return LLP__GZ_ENOMEM;
    if (n) memcpy(s->out + s->out_len, s->src + s->pos, n);
    s->out_len += n;
    s->pos += n;
    return 0;
}

/* Load the fixed literal/length and distance codes (RFC 1951 3.2.6). */
static void llp__inf_fixed(llp__inflate_state *s) {
    unsigned char lens[288];
    unsigned i;
    if (s->fixed_loaded) return;
    for (i = 0; i < 144; i++) lens[i] = 8;
    for (; i < 256; i++) lens[i] = 9;
    for (; i < 280; i++) lens[i] = 7;
    for (; i < 288; i++) lens[i] = 8;
    llp__huff_build(&s->lit, lens, 288, 0); /* always a valid complete code */
    for (i = 0; i < 32; i++) lens[i] = 5;
    llp__huff_build(&s->dist, lens, 32, 0);
    s->fixed_loaded = 1;
}

/* Read a dynamic block's code definitions (RFC 1951 3.2.7); 0 or error. */
static int llp__inf_dynamic(llp__inflate_state *s) {
    unsigned char lens[286 + 30];
    unsigned hlit, hdist, hclen, i, n = 0;
    s->fixed_loaded = 0;
    hlit = llp__inf_bits(s, 5) + 257;
    hdist = llp__inf_bits(s, 5) + 1;
    hclen = llp__inf_bits(s, 4) + 4;
    if (hlit > 286 || hdist > 30) return llp__inf_fail(s, LLP__GZ_ECORRUPT);
    memset(lens, 0, sizeof lens);
    for (i = 0; i < hclen; i++) lens[llp__inf_cl_order[i]] = (unsigned char)llp__inf_bits(s, 3);
    if (llp__huff_build(&s->lit, lens, 19, 0)) return llp__inf_fail(s, LLP__GZ_ECORRUPT);
    while (n < hlit + hdist) { /* n grows every pass: bounded */
        int sym;
        unsigned rep, val;
        if (s->nbits < 32) llp__inf_refill(s);
        sym = llp__huff_decode(s, &s->lit);
        if (sym < 0) return llp__inf_fail(s, LLP__GZ_ECORRUPT);
        if (sym < 16) {
            lens[n++] = (unsigned char)sym;
            continue;
        }
        if (sym == 16) {
            if (n == 0) return llp__inf_fail(s, LLP__GZ_ECORRUPT);
            val = lens[n - 1];
            rep = 3 + llp__inf_bits(s, 2);
        } else if (sym == 17) {
            val = 0;
            rep = 3 + llp__inf_bits(s, 3);
        } else {
            val = 0;
            rep = 11 + llp__inf_bits(s, 7);
        }
        if (rep > hlit + hdist - n) return llp__inf_fail(s, LLP__GZ_ECORRUPT);
        while (rep--) lens[n++] = (unsigned char)val;
    }
    if (lens[256] == 0) return llp__inf_fail(s, LLP__GZ_ECORRUPT); /* no end-of-block code */
    if (llp__huff_build(&s->lit, lens, hlit, 1) || llp__huff_build(&s->dist, lens + hlit, hdist, 1))
        return llp__inf_fail(s, LLP__GZ_ECORRUPT);
    return llp__inf_overrun(s) ? LLP__GZ_ETRUNCATED : 0;
}

/* Decode the symbols of one Huffman block until end-of-block (RFC 1951 3.2.5).
   Hot loop: the bit buffer and output cursor live in locals and are written
   back to s before any helper call and on return. */
static int llp__inf_codes(llp__inflate_state *s) {
    unsigned long long bits = s->bits;
    unsigned nbits = s->nbits;
    size_t pos = s->pos, olen = s->out_len, ocap = s->out_cap;
    unsigned char *out = s->out;
    const unsigned char *src = s->src;
    const size_t srclen = s->len, wstart = s->win_start;
    const unsigned short *lfast = s->lit.fast, *dfast = s->dist.fast;
    int rc = 0;
    for (;;) {
        unsigned e, n;
        int sym;
        size_t len, dist;
        unsigned char *d;
        const unsigned char *from;
        /* one refill covers the longest symbol: 15 + 5 + 15 + 13 = 48 bits */
        if (nbits < 48) {
            if (pos < srclen && srclen - pos >= 8) {
                /* load 8 bytes, keep the whole ones that fit; bits above
                   nbits may then hold a copy of the next input byte, which
                   later loads OR in again unchanged */
                const unsigned char *q = src + pos;
                unsigned long long w = (unsigned long long)q[0] | (unsigned long long)q[1] << 8 |
                                       (unsigned long long)q[2] << 16 | (unsigned long long)q[3] << 24 |
                                       (unsigned long long)q[4] << 32 | (unsigned long long)q[5] << 40 |
                                       (unsigned long long)q[6] << 48 | (unsigned long long)q[7] << 56;
                bits |= w << nbits;
                pos += (63 - nbits) >> 3;
                nbits |= 56;
            } else {
                while (nbits <= 56) { /* near the end: bytes past it read as zero */
                    bits |= (unsigned long long)(pos < srclen ? src[pos] : 0) << nbits;
                    nbits += 8;
                    pos++;
                }
                if (pos > srclen && (pos - srclen) * 8 > nbits) { rc = LLP__GZ_ETRUNCATED; break; }
            }
        }
        if (ocap - olen < 258 + 8) { /* room for the longest match plus copy slack */
            s->out_len = olen;
            if (llp__inf_grow(s, 258 + 8)) { rc = LLP__GZ_ENOMEM; break; }
            out = s->out;
            ocap = s->out_cap;
        }
        e = lfast[bits & (LLP__GZ_FAST_SIZE - 1)];
        if (e) {
            n = e & 15u;
            bits >>= n;
            nbits -= n;
            sym = (int)(e >> 4);
        } else {
            s->bits = bits;
            s->nbits = nbits;
            sym = llp__huff_slow(s, &s->lit);
            bits = s->bits;
            nbits = s->nbits;
            if (sym < 0) { rc = LLP__GZ_ECORRUPT; break; }
        }
        if (sym < 256) {
            out[olen++] = (unsigned char)sym;
            continue;
        }
        if (sym == 256) break;
        sym -= 257;
        if (sym >= 29) { rc = LLP__GZ_ECORRUPT; break; }
        n = llp__inf_len_extra[sym];
        len = llp__inf_len_base[sym] + (size_t)(bits & (((unsigned long long)1 << n) - 1));
        bits >>= n;
        nbits -= n;
        e = dfast[bits & (LLP__GZ_FAST_SIZE - 1)];
        if (e) {
            n = e & 15u;
            bits >>= n;
            nbits -= n;
            sym = (int)(e >> 4);
        } else {
            s->bits = bits;
            s->nbits = nbits;
            sym = llp__huff_slow(s, &s->dist);
            bits = s->bits;
            nbits = s->nbits;
        }
        if (sym < 0 || sym >= 30) { rc = LLP__GZ_ECORRUPT; break; }
        n = llp__inf_dist_extra[sym];
        dist = llp__inf_dist_base[sym] + (size_t)(bits & (((unsigned long long)1 << n) - 1));
        bits >>= n;
        nbits -= n;
        if (dist > olen - wstart) { rc = LLP__GZ_ECORRUPT; break; }
        d = out + olen;
        from = d - dist;
        olen += len;
        if (dist >= 8) { /* 8-byte chunks may overrun by < 8 bytes: slack reserved above */
            const unsigned char *end = d + len;
            do {
                memcpy(d, from, 8);
                d += 8;
                from += 8;
            } while (d < end);
        } else if (dist == 1) {
            memset(d, *from, len);
        } else {
            while (len--) *d++ = *from++; /* overlapping copy repeats the pattern */
        }
    }
    s->bits = bits;
    s->nbits = nbits;
    s->pos = pos;
    s->out_len = olen;
    if (rc == LLP__GZ_ENOMEM) return rc;
    return llp__inf_overrun(s) ? LLP__GZ_ETRUNCATED : rc;
}

/* Inflate the raw DEFLATE stream in src, appending to *out (length *out_len,
   capacity *out_cap; *out may be NULL). *consumed receives the bytes of src
   used, rounded up to a whole byte. Returns 0 or an LLP__GZ_ error; the
   buffer always stays owned by the caller, even on error. */
static int llp__inflate_raw(const unsigned char *src, size_t src_len, size_t *consumed,
                            unsigned char **out, size_t *out_len, size_t *out_cap) {
    llp__inflate_state *s;
    int rc = 0, last = 0;
    s = (llp__inflate_state *)LLP_MALLOC(sizeof *s);
    *consumed = 0;
    if (!s) return LLP__GZ_ENOMEM;
    s->src = src;
    s->len = src_len;
    s->pos = 0;
    s->bits = 0;
    s->nbits = 0;
    s->out = *out;
    s->out_len = *out_len;
    s->out_cap = *out ? *out_cap : 0;
    s->win_start = *out_len;
    s->fixed_loaded = 0;
    while (!last && rc == 0) { /* every block uses >= 3 bits: bounded by the input */
        unsigned type;
        last = (int)llp__inf_bits(s, 1);
        type = llp__inf_bits(s, 2);
        if (llp__inf_overrun(s)) rc = LLP__GZ_ETRUNCATED;
        else if (type == 0) rc = llp__inf_stored(s);
        else if (type == 1) {
            llp__inf_fixed(s);
            rc = llp__inf_codes(s);
        } else if (type == 2) {
            rc = llp__inf_dynamic(s);
            if (rc == 0) rc = llp__inf_codes(s);
        } else rc = LLP__GZ_ECORRUPT;
    }
    if (rc == 0 && llp__inf_overrun(s)) rc = LLP__GZ_ETRUNCATED;
    if (rc == 0) *consumed = s->pos - (s->nbits >> 3); /* unused whole bytes go back */
    *out = s->out;
    *out_len = s->out_len;
    *out_cap = s->out_cap;
    LLP_FREE(s);
    return rc;
}

/* Read a little-endian 32-bit value. */
static unsigned long llp__gz_le32(const unsigned char *p) {
    return (unsigned long)p[0] | (unsigned long)p[1] << 8 | (unsigned long)p[2] << 16 |
           (unsigned long)p[3] << 24;
}

/* Decode one gzip member at src (RFC 1952 2.3), appending to *out; sets *used. */
static int llp__gz_member(const unsigned char *src, size_t len, size_t *used,
                          unsigned char **out, size_t *out_len, size_t *out_cap) {
    size_t p = 10, start = *out_len, n;
    unsigned flg;
    int rc;
    if (len < 10) return LLP__GZ_ETRUNCATED;
    if (src[0] != 0x1f || src[1] != 0x8b) return LLP__GZ_ECORRUPT;
    if (src[2] != 8) return LLP__GZ_ECORRUPT; /* only method 8 = deflate */
    flg = src[3];
    if (flg & 0xE0u) return LLP__GZ_ECORRUPT; /* reserved flag bits must be zero */
    if (flg & 4u) { /* FEXTRA: XLEN then XLEN bytes */
        if (len - p < 2) return LLP__GZ_ETRUNCATED;
        n = (size_t)src[p] | (size_t)src[p + 1] << 8;
        p += 2;
        if (len - p < n) return LLP__GZ_ETRUNCATED;
        p += n;
    }
    if (flg & 8u) { /* FNAME: zero-terminated */
        while (p < len && src[p]) p++;
        if (p >= len) return LLP__GZ_ETRUNCATED;
        p++;
    }
    if (flg & 16u) { /* FCOMMENT: zero-terminated */
        while (p < len && src[p]) p++;
        if (p >= len) return LLP__GZ_ETRUNCATED;
        p++;
    }
    if (flg & 2u) { /* FHCRC: low 16 bits of the CRC-32 of the header so far */
        if (len - p < 2) return LLP__GZ_ETRUNCATED;
        if ((llp__crc32(0, src, p) & 0xFFFFu) != ((unsigned long)src[p] | (unsigned long)src[p + 1] << 8))
            return LLP__GZ_ECRC;
        p += 2;
    }
    rc = llp__inflate_raw(src + p, len - p, &n, out, out_len, out_cap);
    if (rc) return rc;
    p += n;
    if (len - p < 8) return LLP__GZ_ETRUNCATED;
    if (llp__crc32(0, *out + start, *out_len - start) != llp__gz_le32(src + p)) return LLP__GZ_ECRC;
    if (((unsigned long)(*out_len - start) & 0xFFFFFFFFUL) != llp__gz_le32(src + p + 4))
        return LLP__GZ_ECRC;
    *used = p + 8;
    return 0;
}

/* Decompress a gzip file (all members) into a new LLP_MALLOC buffer; non-gzip
   input is copied unchanged. 0 on success, else LLP__GZ_* with *out = NULL. */
static int llp__gunzip(const unsigned char *src, size_t src_len, unsigned char **out, size_t *out_len) {
    unsigned char *buf;
    size_t cap, blen = 0, pos = 0, used;
    int rc = 0;
    *out = NULL;
    *out_len = 0;
    if (src_len < 2 || src[0] != 0x1f || src[1] != 0x8b) { /* not gzip: pass through */
        buf = (unsigned char *)LLP_MALLOC(src_len ? src_len : 1);
        if (!buf) return LLP__GZ_ENOMEM;
        if (src_len) memcpy(buf, src, src_len);
        *out = buf;
        *out_len = src_len;
        return 0;
    }
    /* initial size: the last ISIZE field as a hint, trusted only up to the
       maximum DEFLATE expansion (~1032:1), else 4x the input; +512 covers the
       decoder's copy slack so an exact hint never forces a final regrowth */
    cap = src_len < (size_t)-1 / 4 ? src_len * 4 : src_len;
    if (src_len >= 18) {
        unsigned long hint = llp__gz_le32(src + src_len - 4);
        if (src_len < ((size_t)-1 - 65536) / 1032 && hint < (unsigned long)((size_t)-1 - 512) &&
            (size_t)hint <= src_len * 1032 + 65536)
            cap = (size_t)hint + 512;
    }
    buf = (unsigned char *)LLP_MALLOC(cap);
    if (!buf) return LLP__GZ_ENOMEM;
    for (;;) { /* each member uses >= 18 bytes: bounded */
        rc = llp__gz_member(src + pos, src_len - pos, &used, &buf, &blen, &cap);
        if (rc) break;
        pos += used;
        if (pos == src_len) break;
        if (src[pos] == 0x1f && (src_len - pos == 1 || src[pos + 1] == 0x8b)) {
            if (src_len - pos == 1) { rc = LLP__GZ_ETRUNCATED; break; }
            continue; /* another member */
        }
        while (pos < src_len && src[pos] == 0) pos++; /* zero padding is ignored */
        if (pos != src_len) rc = LLP__GZ_ECORRUPT;
        break;
    }
    if (rc) {
        LLP_FREE(buf);
        return rc;
    }
    *out = buf;
    *out_len = blen;
    return 0;
}

#ifdef __cplusplus
}
#endif

#endif /* LLPROBE_IMPLEMENTATION_DONE */
#endif /* LLPROBE_IMPLEMENTATION */

/*
   ==========================================================================
   12. LICENCE

   MIT License

   Copyright (c) 2026 The llprobe authors

   Permission is hereby granted, free of charge, to any person obtaining a copy
   of this software and associated documentation files (the "Software"), to deal
   in the Software without restriction, including without limitation the rights
   to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
   copies of the Software, and to permit persons to whom the Software is
   furnished to do so, subject to the following conditions:

   The above copyright notice and this permission notice shall be included in
   all copies or substantial portions of the Software.

   THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
   IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
   FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
   AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
   LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
   OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
   SOFTWARE.
   ==========================================================================
*/
