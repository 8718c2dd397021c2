/* The in-kernel self-tests (the "ktest" command-line word). */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

/* Run every self-test, printing one line each; returns the number of failures. */
int selftest_run(void);

#endif
