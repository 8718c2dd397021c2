/* Power-off paths: see power.h. */
#include "kernel/io/power.h"

#include "drivers/finisher.h"
#include "kernel/cpu/riscv.h"
#include "kernel/io/printk.h"
#include "sbi/sbi.h"

/*
 * SRST with no shutdown (QEMU sifive_u, boards whose firmware can only reset the SoC): a cold
 * reboot still ends the run, and QEMU's -no-reboot turns it into an exit, though the status
 * is lost. Say so first, so the console records the status. Returns if the reboot fails too.
 */
static void try_cold_reboot(int status)
{
	if (!sbi_has(SBI_HAS_SRST))
		return;
	printk("poweroff: SBI SRST cannot shut down; cold reboot instead (status %d)\n", status);
	sbi_call(SBI_EXT_SRST, SBI_SRST_RESET, SBI_SRST_COLD_REBOOT,
		 status == EXIT_OK ? SBI_SRST_REASON_NONE : SBI_SRST_REASON_FAILURE, 0, 0);
}

void machine_exit(int status)
{
	irq_off();
	finisher_exit(status);
	sbi_shutdown(status != EXIT_OK);
	try_cold_reboot(status);
	/* Firmware without SRST, or whose SRST can do neither, ends here: say so and stop. */
	printk("poweroff: firmware has no SBI SRST; halting (status %d)\n", status);
	for (;;)
		wfi();
}
