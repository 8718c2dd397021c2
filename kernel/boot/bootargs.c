/* The kernel command line (/chosen bootargs): what to do once booted. */
#include <stdbool.h>

#include "kernel/boot/boot.h"
#include "kernel/cpu/lockorder.h"
#include "kernel/cpu/riscv.h"
#include "kernel/cpu/smp.h"
#include "kernel/cpu/trap.h"
#include "kernel/io/power.h"
#include "kernel/io/printk.h"
#include "kernel/lib/failalloc.h"
#include "kernel/selftest/selftest.h"

#define CRASH_VA 0x10UL /* the lower half maps nothing in the kernel */

/* True if word appears as a whole space-separated word in args. */
static bool has_word(const char *args, const char *word)
{
	for (const char *p = args; *p;) {
		while (*p == ' ')
			p++;
		const char *w = word;
		while (*w && *p == *w)
			p++, w++;
		if (!*w && (*p == ' ' || *p == '\0'))
			return true;
		while (*p && *p != ' ')
			p++;
	}
	return false;
}

uint64_t boot_number(const char *args, const char *prefix, uint64_t absent)
{
	for (const char *p = args; *p;) {
		while (*p == ' ')
			p++;
		const char *w = prefix;
		while (*w && *p == *w)
			p++, w++;
		uint64_t n = 0;
		while (!*w && *p >= '0' && *p <= '9')
			n = n * 10 + (uint64_t)(*p++ - '0');
		if (!*w && (*p == ' ' || *p == '\0'))
			return n;
		while (*p && *p != ' ')
			p++;
	}
	return absent;
}

/* failalloc=N (debug builds): the Nth allocation once init runs fails (not init's own making). */
static void arm_failalloc(const char *bootargs)
{
	uint64_t n = boot_number(bootargs, "failalloc=", 0);
	if (n && failalloc_arm(n, 0) == E_NOSYS)
		printk("failalloc=%lu ignored: not a debug build (make KDEBUG=1)\n", n);
}

/* "lockorder": the debug kernel's order check must stop an inversion (docs/testing.md). */
static void break_lock_order(void)
{
#ifdef KDEBUG
	printk("lockorder requested: the printk lock, then the console receive lock\n");
	lock_order_take(LOCK_PRINT);
	lock_order_take(LOCK_CONSOLE_RX);
#endif
	printk("lockorder ignored: not a debug build (make KDEBUG=1)\n");
}

void boot_run(const char *bootargs)
{
	if (has_word(bootargs, "crash")) {
		printk("crash requested: storing to an unmapped address\n");
		unsigned long va = CRASH_VA;
		__asm__ volatile("" : "+r"(va)); /* hide the constant from the compiler's checks */
		*(volatile unsigned long *)va = 0;
	}
	if (has_word(bootargs, "lockorder"))
		break_lock_order();
	if (has_word(bootargs, "ktest"))
		machine_exit(selftest_run() ? EXIT_TESTS_FAILED : EXIT_OK);
	irq_off();
	/* holds the lock from here */
	unsigned n = smp_start(has_word(bootargs, "hsmstale"));
	printk("smp: %u hart(s) running, IPIs by %s, %s\n", n, smp_ipi_way(),
	       smp_parallel() ? "at once" : "taking turns");
	if (has_word(bootargs, "hang") && smp_on()) {
		/* The SMP watchdog's test: the other harts wait for the lock until it fires. */
		printk("hang requested: holding the big kernel lock\n");
		for (;;)
			wfi();
	}
	init_start(bootargs);
	arm_failalloc(bootargs);
	struct trapframe *tf = trap_resume();
	bkl_unlock();
	user_return(tf);
}
