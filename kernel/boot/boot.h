/* What boot learned, for the rest of the kernel and the self-tests. */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#include "kernel/lib/dt.h"
#include "vm/kmem.h"

struct boot_info {
	struct dt_info dt;
	struct kmem_layout mem;
};

extern struct boot_info boot;

int boot_usable_harts(void);
/*
 * Act on the kernel command line: "ktest" runs the kernel self-tests, "crash" faults on
 * purpose, "hang" (several harts) keeps the big kernel lock so that the SMP watchdog
 * fires; otherwise init starts with the words of the command line as its arguments.
 */
void boot_run(const char *bootargs) __attribute__((noreturn));
/* The decimal number of a word "prefix<n>" of args (e.g. "failalloc="), or absent. */
uint64_t boot_number(const char *args, const char *prefix, uint64_t absent);
/* Load init from the boot archive with the command line as its arguments. */
void init_start(const char *cmdline);

#endif
