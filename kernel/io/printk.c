/* printk and panic. */
#include "kernel/io/printk.h"

#include <stdarg.h>

#include "kernel/cpu/hart.h"
#include "kernel/cpu/spinlock.h"
#include "kernel/cpu/trap.h"
#include "kernel/io/console.h"
#include "kernel/io/power.h"
#include "kernel/lib/format.h"

static struct spinlock print_lock = SPINLOCK_INIT(LOCK_PRINT);

void printk_force_unlock(void)
{
	__atomic_store_n(&print_lock.locked, 0, __ATOMIC_RELEASE);
}

static void printk_out(char c, void *arg)
{
	(void)arg;
	console_putc(c);
}

static int vprintk(const char *fmt, va_list ap)
{
	uint64_t s = spin_lock(&print_lock);
	int n = kvformat(printk_out, 0, fmt, ap);
	spin_unlock(&print_lock, s);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

void panic(const char *fmt, ...)
{
	va_list ap;
	irq_off();
	printk("\nPANIC on hart %lu: ", this_hart()->hartid);
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
	machine_exit(EXIT_PANIC);
}

void panic_trap(const struct trapframe *tf)
{
	static const char *const abi[32] = {
		"zero", "ra", "sp", "gp", "tp",	 "t0",	"t1", "t2", "s0", "s1", "a0",
		"a1",	"a2", "a3", "a4", "a5",	 "a6",	"a7", "s2", "s3", "s4", "s5",
		"s6",	"s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
	};
	irq_off();
	printk("\nPANIC: unexpected kernel trap: %s (scause 0x%lx)\n", trap_cause_name(tf->scause),
	       tf->scause);
	printk("  sepc %p  stval %p  sstatus %p\n", (void *)tf->sepc, (void *)tf->stval,
	       (void *)tf->sstatus);
	for (int i = 1; i < 32; i++)
		printk("  %-4s %p%s", abi[i], (void *)tf->x[i], (i % 4 == 3) ? "\n" : "");
	printk("\n");
	machine_exit(EXIT_PANIC);
}
