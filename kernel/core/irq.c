/* Device control: interrupts delivered as notification bits, and device registers. */
#include "kernel/core/irq.h"

#include "drivers/plic.h"
#include "kernel/abi/error.h"
#include "kernel/boot/boot.h"
#include "kernel/core/ipc.h"
#include "kernel/core/memobj.h"
#include "kernel/cpu/hart.h"
#include "kernel/io/console.h"
#include "vm/vm.h"

#define DEVICE_MAX_BYTES (MEMOBJ_MAX_PAGES * PAGE_SIZE) /* the largest register window given */

/*
 * One line per PLIC source. The binding does not keep the notification alive: when the
 * last capability to it goes, notify_destroy unbinds (irq_notify_gone), so a driver that
 * dies releases its interrupts with nothing else to clean up.
 */
struct irq_line {
	struct notify *n; /* NULL: unbound */
	uint64_t bits;
	int ctx;     /* the PLIC context it is enabled on */
	bool masked; /* fired and not yet acknowledged */
};

static struct irq_line lines[PLIC_MAX_SOURCES + 1];
static unsigned nbound; /* lets notify_destroy skip the scan when nothing is bound */

/* E_NOSYS without a PLIC or a context on this hart, E_RANGE for a source that does not exist. */
static int check_source(uint32_t irq)
{
	if (!plic_present() || this_hart()->plic_ctx < 0)
		return E_NOSYS;
	if (irq == 0 || irq > plic_sources())
		return E_RANGE;
	return 0;
}

int irq_bind(uint32_t irq, struct notify *n, uint64_t bits)
{
	int err = check_source(irq);
	if (err)
		return err;
	if (bits == 0)
		return E_INVAL;
	if (irq == console_irq() || lines[irq].n)
		return E_BUSY;
	lines[irq] = (struct irq_line){ .n = n, .bits = bits, .ctx = this_hart()->plic_ctx };
	nbound++;
	plic_enable(lines[irq].ctx, irq);
	return 0;
}

/* The line bound to irq, or NULL with *err set. */
static struct irq_line *bound_line(uint32_t irq, int *err)
{
	*err = check_source(irq);
	if (!*err && !lines[irq].n)
		*err = E_NOENT;
	return *err ? 0 : &lines[irq];
}

int irq_ack(uint32_t irq)
{
	int err;
	struct irq_line *l = bound_line(irq, &err);
	if (!l)
		return err;
	if (l->masked) {
		l->masked = false;
		plic_enable(l->ctx, irq);
	}
	return 0;
}

static void unbind(uint32_t irq)
{
	plic_disable(lines[irq].ctx, irq);
	lines[irq] = (struct irq_line){ 0 };
	nbound--;
}

int irq_unbind(uint32_t irq)
{
	int err;
	if (!bound_line(irq, &err))
		return err;
	unbind(irq);
	return 0;
}

/*
 * Mask before the claim is completed: a level-triggered device keeps its line raised
 * until the driver services it, and would otherwise interrupt again at once. A source
 * nobody has bound (firmware left it enabled) is silenced on this context.
 */
void irq_deliver(int ctx, uint32_t irq)
{
	struct irq_line *l = irq <= PLIC_MAX_SOURCES ? &lines[irq] : 0;
	plic_disable(ctx, irq);
	if (!l || !l->n)
		return;
	l->masked = true;
	notify_signal(l->n, l->bits);
}

void irq_notify_gone(struct notify *n)
{
	for (uint32_t irq = 1; nbound && irq <= PLIC_MAX_SOURCES; irq++)
		if (lines[irq].n == n)
			unbind(irq);
}

static bool overlaps(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return a < b + bn && b < a + an;
}

static bool kernel_device(const struct dt_device *d, uint64_t base, uint64_t size)
{
	return d->found && overlaps(base, size, d->base, d->size);
}

int device_range_check(uint64_t base, uint64_t size)
{
	const struct dt_info *dt = &boot.dt;
	uint64_t span = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if ((base & (PAGE_SIZE - 1)) || size == 0 || span < size || base + span < base)
		return E_INVAL;
	for (int i = 0; i < dt->nmem; i++)
		if (overlaps(base, span, dt->mem[i].base, dt->mem[i].size))
			return E_RANGE;
	if (kernel_device(&dt->console, base, span) || kernel_device(&dt->plic, base, span) ||
	    kernel_device(&dt->finisher, base, span))
		return E_BUSY;
	return span > DEVICE_MAX_BYTES ? E_RANGE : 0;
}
