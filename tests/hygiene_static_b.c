/* Hygiene: second TU with its own static implementation. */
#define LLPROBE_STATIC
#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"

double hygiene_static_b(void);

double hygiene_static_b(void) {
    llp_real x[2] = {3, 4};
    return llp_nrm2(x, 2);
}
