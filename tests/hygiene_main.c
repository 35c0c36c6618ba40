/* Hygiene, TU 1 of 2: the header is included once on its own (declarations
   only), then again with LLPROBE_IMPLEMENTATION — the order a user gets when
   another header of theirs already pulled llprobe.h in. The other TU sees the
   declarations only, so the link proves the functions are defined exactly once
   with external linkage. The version macros must equal the Meson project
   version. */
#include "llprobe.h"
#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"
#include <stdio.h>
#include <string.h>

double hygiene_other_dot(void);

int main(void) {
    char v[32];
    int fails = 0;
    snprintf(v, sizeof v, "%d.%d.%d", LLPROBE_VERSION_MAJOR, LLPROBE_VERSION_MINOR, LLPROBE_VERSION_PATCH);
    if (strcmp(v, LLPROBE_VERSION_STRING) != 0) {
        printf("FAIL version macros disagree: %s vs %s\n", v, LLPROBE_VERSION_STRING);
        fails++;
    }
    if (strcmp(LLPROBE_VERSION_STRING, LLP_EXPECTED_VERSION) != 0) {
        printf("FAIL header version %s, meson project version %s\n", LLPROBE_VERSION_STRING, LLP_EXPECTED_VERSION);
        fails++;
    }
    if (hygiene_other_dot() != 14.0) {
        printf("FAIL cross-TU call returned %g, expected 14\n", hygiene_other_dot());
        fails++;
    }
    if (strcmp(llp_result_string(LLP_ERR_TRUNCATED), "file is truncated") != 0) fails++;
    printf("%d checks, %d failed\n", 4, fails);
    return fails != 0;
}
