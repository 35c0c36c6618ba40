/* The implementation, compiled once per build configuration and linked by the
   test programs that use only the public API (they are built with
   -DLLP_TEST_LINKED_IMPL). Each test source still compiles on its own:
   cc -I. tests/test_core.c -lm defines the implementation in the test. */
#define LLPROBE_IMPLEMENTATION
#include "llprobe.h"
