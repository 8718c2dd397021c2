/*
 * QEMU's sifive_test device ("sifive,test0"). One 32-bit register at the base: the low
 * 16 bits say what to do, the high 16 bits carry the exit code for a failure.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/finisher.h"
#include "drivers/mmio.h"
#include "kernel/abi/error.h"
#include "kernel/cpu/riscv.h"
#include "vm/vm.h"

#define FINISHER_REG	      0x0u
#define FINISHER_REG_SIZE     4u
#define FINISHER_FAIL	      0x3333u /* exit with the code in bits 31:16 */
#define FINISHER_PASS	      0x5555u /* exit with status 0 */
#define FINISHER_CODE_SHIFT   16
#define FINISHER_CODE_MASK    0xffffu
#define HOST_STATUS_MASK      0xffu /* a host shell sees the exit code mod 256 */
#define FINISHER_FAIL_DEFAULT 1u

static volatile uint8_t *finisher_regs; /* NULL if absent */

int finisher_init(const struct dt_device *dev)
{
	void *regs;

	if (!dev || !dev->found)
		return E_NOENT;
	if (dev->size < FINISHER_REG + FINISHER_REG_SIZE)
		return E_FORMAT;
	regs = vm_ioremap(dev->base, dev->size);
	if (!regs)
		return E_NOMEM;
	finisher_regs = regs;
	return 0;
}

bool finisher_present(void)
{
	return finisher_regs != NULL;
}

/*
 * The value that reports status. A failure whose code would read as 0 on the host
 * (0x10000, 256, ...) is sent as 1, so a failing run can never look like a pass.
 */
static uint32_t finisher_value(int status)
{
	uint32_t code = (uint32_t)status & FINISHER_CODE_MASK;

	if (status == 0)
		return FINISHER_PASS;
	if ((code & HOST_STATUS_MASK) == 0)
		code = FINISHER_FAIL_DEFAULT;
	return (code << FINISHER_CODE_SHIFT) | FINISHER_FAIL;
}

void finisher_exit(int status)
{
	if (!finisher_regs)
		return;
	mmio_write32(finisher_regs + FINISHER_REG, finisher_value(status));
	/* The emulator stops at its own pace; never run on past this call. */
	for (;;)
		wfi();
}
