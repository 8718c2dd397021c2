/*
 * The host unit tests' one check: count a pass, or print the failed condition and count
 * a failure. Each test program prints "N passed, M failed" from these at the end
 * (test/run.py reads that line).
 */
#ifndef TEST_HOST_CHECK_H
#define TEST_HOST_CHECK_H

#include <stdio.h>

static int passed, failed;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (cond) {                                                    \
			passed++;                                              \
		} else {                                                       \
			failed++;                                              \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                              \
	} while (0)

#endif
