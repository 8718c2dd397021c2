/* What boot learned, for the rest of the kernel and the self-tests. */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#include "kernel/dt.h"
#include "vm/kmem.h"

struct boot_info {
	struct dt_info dt;
	struct kmem_layout mem;
};

extern struct boot_info boot;

int boot_usable_harts(void);
/* Act on the kernel command line: "test" runs the self-tests, "crash" faults on purpose. */
void boot_run(const char *bootargs) __attribute__((noreturn));
/* The in-kernel self-test suite; returns the number of failures. */
int selftest_run(void);

#endif
