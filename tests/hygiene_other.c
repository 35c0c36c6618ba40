/* Hygiene, TU 2 of 2 (also linked into the C++ test): declarations only. */
#include "llprobe.h"

#ifdef __cplusplus
extern "C"
#endif
double hygiene_other_dot(void);

double hygiene_other_dot(void) {
    llp_real x[3] = {1, 2, 3};
    return llp_dot(x, x, 3);
}
