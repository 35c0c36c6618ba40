/* Hygiene: LLPROBE_STATIC gives each TU a private copy; two TUs that both
   define the implementation link without duplicate symbols. */
#define LLPROBE_STATIC
#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"
#include <stdio.h>

double hygiene_static_b(void);

int main(void) {
    llp_real x[2] = {3, 4};
    int fails = 0;
    if (llp_nrm2(x, 2) != 5.0) fails++;
    if (hygiene_static_b() != 5.0) fails++;
    printf("%d checks, %d failed\n", 2, fails);
    return fails != 0;
}
