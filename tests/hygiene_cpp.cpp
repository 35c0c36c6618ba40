// Hygiene: the implementation compiles as C++17 without warnings and links
// with a C translation unit that only saw the declarations.
#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"
#include <cstdio>
#include <cstring>

extern "C" double hygiene_other_dot(void);

int main() {
    int fails = 0;
    llp_rng rng;
    llp_rng_seed(&rng, 1);
    llp_landscape ls;
    llp_landscape_desc d = {};
    d.kind = LLP_LANDSCAPE_ROSENBROCK;
    d.n = 4;
    if (llp_landscape_init(&ls, &d, &rng) != LLP_OK) fails++;
    llp_real x[4] = {1, 1, 1, 1}, f = -1;
    llp_landscape_eval(&ls, x, &f, nullptr);
    if (f != 0) fails++;
    llp_landscape_free(&ls);
    if (hygiene_other_dot() != 14.0) fails++;
    if (std::strcmp(LLPROBE_VERSION_STRING, LLP_EXPECTED_VERSION) != 0) fails++;
    std::printf("%d checks, %d failed\n", 4, fails);
    return fails != 0;
}
