/* The kernel console: see console.h. */
#include "kernel/io/console.h"

#include "drivers/plic.h"
#include "drivers/uart.h"
#include "kernel/abi/error.h"
#include "kernel/core/ipc.h"
#include "kernel/core/object.h"
#include "kernel/core/sched.h"
#include "kernel/cpu/spinlock.h"
#include "sbi/sbi.h"
#include "vm/vm.h"

#define RX_RING 256 /* a power of two: indices wrap by masking */

static struct {
	struct uart uart;
	bool have_uart;
	struct spinlock rx_lock;
	char rx[RX_RING];
	unsigned rx_head, rx_tail; /* head: next write, tail: next read */
	struct thread *readers;	   /* threads blocked in console_read */
	/* console_intr: the byte that is not input but sets intr_bits in intr (0: none). */
	struct notify *intr;
	uint64_t intr_bits;
	uint8_t intr_byte;
} con = { .rx_lock = SPINLOCK_INIT(LOCK_CONSOLE_RX) };

static struct uart *console_uart_setup(const struct dt_device *d, const struct uart_driver *drv)
{
	struct uart *u = &con.uart;
	u->regs = vm_ioremap(d->base, d->size ? d->size : PAGE_SIZE);
	if (!u->regs)
		return 0;
	u->reg_shift = d->reg_shift;
	u->reg_io_width = d->reg_io_width ? d->reg_io_width : 1;
	u->irq = d->irq;
	u->ops = drv->ops;
	return u->ops->init(u) == 0 ? u : 0;
}

void console_init(const struct dt_info *info)
{
	const struct dt_device *d = &info->console;
	if (!d->found)
		return;
	const struct uart_driver *drv = uart_match(d->compat, d->compat_len);
	if (drv && console_uart_setup(d, drv))
		con.have_uart = true;
}

void console_enable_rx(int plic_ctx)
{
	if (!con.have_uart || !con.uart.irq || plic_ctx < 0 || !plic_present())
		return;
	plic_enable(plic_ctx, con.uart.irq);
	con.uart.ops->rx_irq(&con.uart, true);
}

const char *console_driver_name(void)
{
	return con.have_uart ? con.uart.ops->name
			     : (sbi_has(SBI_HAS_DBCN) ? "sbi-dbcn" : "sbi-legacy");
}

void console_putc(char c)
{
	if (c == '\n')
		console_putc('\r');
	if (con.have_uart)
		con.uart.ops->putc(&con.uart, c);
	else
		sbi_console_putc(c);
}

void console_write(const char *s, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		console_putc(s[i]);
}

unsigned console_irq(void)
{
	return con.have_uart ? con.uart.irq : 0;
}

/*
 * Drain the UART into the ring; when the ring is full, new bytes are dropped. The bound
 * interrupt byte (console_intr) is not input: it empties the ring (what was typed
 * before it is thrown away, as a terminal's line is) and sets the bound bits.
 */
void console_interrupt(void)
{
	uint64_t s = spin_lock(&con.rx_lock);
	bool intr = false;
	int c;
	while ((c = con.uart.ops->getc(&con.uart)) >= 0) {
		if (con.intr && c == con.intr_byte) {
			con.rx_tail = con.rx_head;
			intr = true;
		} else if (con.rx_head - con.rx_tail < RX_RING) {
			con.rx[con.rx_head++ & (RX_RING - 1)] = (char)c;
		}
	}
	spin_unlock(&con.rx_lock, s);
	if (intr)
		notify_signal(con.intr, con.intr_bits);
	struct thread *t;
	while (con.rx_head != con.rx_tail && (t = tq_pop(&con.readers)) != 0)
		sched_ready(t);
}

void console_wait(struct thread *t)
{
	t->tf.sepc -= 4; /* back onto the ecall: the read runs again when woken */
	t->state = TS_BLOCKED_IO;
	tq_push(&con.readers, t);
}

void console_cancel(struct thread *t)
{
	if (t->state == TS_BLOCKED_IO)
		tq_remove(&con.readers, t);
}

int console_getc(void)
{
	int c = -1;
	uint64_t s = spin_lock(&con.rx_lock);
	if (con.rx_tail != con.rx_head)
		c = (unsigned char)con.rx[con.rx_tail++ & (RX_RING - 1)];
	spin_unlock(&con.rx_lock, s);
	return c;
}

int console_intr_bind(struct notify *n, uint64_t bits, uint8_t byte)
{
	if (con.intr)
		return E_BUSY;
	con.intr = n;
	con.intr_bits = bits;
	con.intr_byte = byte;
	return 0;
}

void console_notify_gone(struct notify *n)
{
	if (con.intr == n)
		con.intr = 0;
}
