/*
 * ACLINT SSWI ("riscv,aclint-sswi"; QEMU virt with aclint=on). One 32-bit SETSSIP
 * register per hart, 4 bytes apart, in the order of the node's interrupts-extended
 * (dt.c gives each hart its index). Writing 1 sets that hart's sip.SSIP: the same
 * interrupt an SBI IPI raises, which the receiving hart clears in sip as before. A
 * read gives 0 and writing 0 does nothing, so nothing here ever reads.
 *
 * Why: an SBI IPI is an ecall into M-mode and an M-mode interrupt on the target (about
 * 3,000 instructions on QEMU, docs/benchmark.md); this is one store.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/aclint_sswi.h"
#include "drivers/mmio.h"
#include "kernel/abi/error.h"
#include "vm/vm.h"

#define SSWI_REG_BYTES 4u /* one SETSSIP register per hart */
#define SSWI_SET       1u /* written to a register: raise that hart's SSIP */

static volatile uint8_t *sswi_regs; /* NULL if absent */
static uint32_t sswi_count;	    /* registers the node's reg range holds */

int sswi_init(const struct dt_device *dev)
{
	void *regs;

	if (!dev || !dev->found)
		return E_NOENT;
	if (dev->size < SSWI_REG_BYTES)
		return E_FORMAT;
	regs = vm_ioremap(dev->base, dev->size);
	if (!regs)
		return E_NOMEM;
	sswi_count = (uint32_t)(dev->size / SSWI_REG_BYTES);
	sswi_regs = regs;
	return 0;
}

bool sswi_covers(int index)
{
	return sswi_regs && index >= 0 && (uint32_t)index < sswi_count;
}

void sswi_send(unsigned index)
{
	/* mmio_write32 fences first: whatever the target is woken for is in memory. */
	if (sswi_regs && index < sswi_count)
		mmio_write32(sswi_regs + index * SSWI_REG_BYTES, SSWI_SET);
}
