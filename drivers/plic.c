/*
 * The RISC-V PLIC. Register layout (byte offsets from the base):
 *
 *   0x000000 + 4 * irq                   priority of source irq (0 = never interrupts)
 *   0x002000 + 0x80 * ctx + 4 * (irq/32) enable bits of context ctx, bit irq % 32
 *   0x200000 + 0x1000 * ctx              priority threshold of context ctx
 *   0x200004 + 0x1000 * ctx              claim (read) / complete (write) of context ctx
 *
 * Source ids run 1..riscv,ndev; id 0 means "no interrupt". Contexts are whatever the
 * device tree says (dt_hart.plic_s_context) and always come in as arguments. Requests
 * with an id or context outside what the device tree described are ignored.
 *
 * The enable words are read-modify-write: callers serialise plic_enable/plic_disable
 * for one context (today: only its own hart touches it).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/mmio.h"
#include "drivers/plic.h"
#include "kernel/abi/error.h"
#include "vm/vm.h"

#define PLIC_PRIORITY_BASE   0x000000u
#define PLIC_PRIORITY_STRIDE 4u
#define PLIC_ENABLE_BASE     0x002000u
#define PLIC_ENABLE_STRIDE   0x80u /* per context */
#define PLIC_CONTEXT_BASE    0x200000u
#define PLIC_CONTEXT_STRIDE  0x1000u /* per context */
#define PLIC_CTX_THRESHOLD   0x0u    /* within a context's block */
#define PLIC_CTX_CLAIM	     0x4u    /* claim on read, complete on write */
#define PLIC_CTX_REGS_END    0x8u

#define PLIC_MAX_CONTEXTS  15872 /* contexts the layout has room for */
#define PLIC_IRQS_PER_WORD 32u

#define PLIC_PRIORITY_OFF  0u
#define PLIC_PRIORITY_ON   1u
#define PLIC_THRESHOLD_ALL 0u /* take every priority above 0 */

static volatile uint8_t *plic_regs; /* NULL until plic_init succeeds */
static uint64_t plic_size;
static uint32_t plic_ndev;

static uint64_t context_off(int ctx)
{
	return PLIC_CONTEXT_BASE + (uint64_t)ctx * PLIC_CONTEXT_STRIDE;
}

static uint64_t enable_off(int ctx, uint32_t irq)
{
	return PLIC_ENABLE_BASE + (uint64_t)ctx * PLIC_ENABLE_STRIDE +
	       (irq / PLIC_IRQS_PER_WORD) * 4u;
}

static volatile void *reg(uint64_t off)
{
	return plic_regs + off;
}

/* A context is usable if its registers lie inside what the device tree mapped. */
static bool ctx_ok(int ctx)
{
	if (!plic_regs || ctx < 0 || ctx >= PLIC_MAX_CONTEXTS)
		return false;
	return context_off(ctx) + PLIC_CTX_REGS_END <= plic_size;
}

static bool irq_ok(uint32_t irq)
{
	return irq >= 1 && irq <= plic_ndev;
}

static void set_priority(uint32_t irq, uint32_t prio)
{
	mmio_write32(reg(PLIC_PRIORITY_BASE + irq * PLIC_PRIORITY_STRIDE), prio);
}

/* Start from silence: no source may interrupt until plic_enable gives it a priority. */
static void clear_priorities(void)
{
	for (uint32_t irq = 1; irq <= plic_ndev; irq++)
		set_priority(irq, PLIC_PRIORITY_OFF);
}

int plic_init(const struct dt_device *dev, uint32_t ndev)
{
	void *regs;

	if (!dev || !dev->found)
		return E_NOENT;
	/* Too small to hold even context 0's registers: the device tree is wrong. */
	if (dev->size < context_off(0) + PLIC_CTX_REGS_END || ndev == 0)
		return E_FORMAT;
	if (ndev > PLIC_MAX_SOURCES)
		return E_RANGE;
	regs = vm_ioremap(dev->base, dev->size);
	if (!regs)
		return E_NOMEM;
	plic_size = dev->size;
	plic_ndev = ndev;
	plic_regs = regs;
	clear_priorities();
	return 0;
}

int plic_present(void)
{
	return plic_regs != NULL;
}

uint32_t plic_sources(void)
{
	return plic_regs ? plic_ndev : 0;
}

/* Threshold 0, and no sources enabled until plic_enable: firmware may have left some. */
void plic_context_init(int ctx)
{
	if (!ctx_ok(ctx))
		return;
	for (uint32_t irq = 0; irq <= plic_ndev; irq += PLIC_IRQS_PER_WORD)
		mmio_write32(reg(enable_off(ctx, irq)), 0);
	mmio_write32(reg(context_off(ctx) + PLIC_CTX_THRESHOLD), PLIC_THRESHOLD_ALL);
}

static void set_enable(int ctx, uint32_t irq, bool on)
{
	volatile void *word = reg(enable_off(ctx, irq));
	uint32_t bit = 1u << (irq % PLIC_IRQS_PER_WORD);
	uint32_t v = mmio_read32(word);

	mmio_write32(word, on ? (v | bit) : (v & ~bit));
}

void plic_enable(int ctx, uint32_t irq)
{
	if (!ctx_ok(ctx) || !irq_ok(irq))
		return;
	set_priority(irq, PLIC_PRIORITY_ON);
	set_enable(ctx, irq, true);
}

/* Only this context stops taking irq; the priority stays for any other context. */
void plic_disable(int ctx, uint32_t irq)
{
	if (!ctx_ok(ctx) || !irq_ok(irq))
		return;
	set_enable(ctx, irq, false);
}

uint32_t plic_claim(int ctx)
{
	if (!ctx_ok(ctx))
		return 0;
	return mmio_read32(reg(context_off(ctx) + PLIC_CTX_CLAIM));
}

void plic_complete(int ctx, uint32_t irq)
{
	if (!ctx_ok(ctx) || !irq_ok(irq))
		return;
	mmio_write32(reg(context_off(ctx) + PLIC_CTX_CLAIM), irq);
}
