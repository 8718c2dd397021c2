/* Shared state for in-guest tests. */
#include "testlib.h"

int test_failures;
