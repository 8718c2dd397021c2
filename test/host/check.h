/*
 * The host unit tests' checks: count a pass, or print the failed condition (and for
 * CHECK_EQ both values) and count a failure. Each test program prints "N passed, M failed" from these at the end
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
/* The same for two integers, printing both when they differ. */
#define CHECK_EQ(a, b)                                                                            \
	do {                                                                                      \
		long long a_ = (long long)(a), b_ = (long long)(b);                               \
		if (a_ == b_) {                                                                   \
			passed++;                                                                 \
		} else {                                                                          \
			failed++;                                                                 \
			printf("FAIL %s:%d: %s == %lld, want %lld\n", __FILE__, __LINE__, #a, a_, \
			       b_);                                                               \
		}                                                                                 \
	} while (0)

#endif
