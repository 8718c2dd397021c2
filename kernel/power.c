/* Power-off paths: see power.h. */
#include "kernel/power.h"

#include "drivers/finisher.h"
#include "kernel/printk.h"
#include "kernel/riscv.h"
#include "sbi/sbi.h"

void machine_exit(int status)
{
	irq_off();
	finisher_exit(status);
	sbi_shutdown(status != EXIT_OK);
	/* Boards whose firmware lacks SRST end here: say so, then stop for good. */
	printk("poweroff: firmware has no SBI SRST; halting (status %d)\n", status);
	for (;;)
		wfi();
}
