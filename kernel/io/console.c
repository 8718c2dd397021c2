/* The kernel console: see console.h. */
#include "kernel/io/console.h"

#include "drivers/plic.h"
#include "drivers/uart.h"
#include "kernel/abi/error.h"
#include "kernel/core/ipc.h"
#include "kernel/core/object.h"
#include "kernel/core/sched.h"
#include "kernel/cpu/spinlock.h"
#include "kernel/lib/ldisc.h"
#include "sbi/sbi.h"
#include "vm/vm.h"

static struct {
	struct uart uart;
	bool have_uart;
	struct spinlock rx_lock; /* the line discipline: ring and mode */
	struct ldisc ld;
	struct thread *readers; /* threads blocked in console_read */
	/* console_intr: VINTR is not input but sets intr_bits in intr (0: none). */
	struct notify *intr;
	uint64_t intr_bits;
} con = { .rx_lock = SPINLOCK_INIT(LOCK_CONSOLE_RX) };

/* One byte to the device as it is: the line discipline's output. */
static void emit(char c)
{
	if (con.have_uart)
		con.uart.ops->putc(&con.uart, c);
	else
		sbi_console_putc(c);
}

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
	ldisc_init(&con.ld, emit);
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
		emit('\r');
	emit(c);
}

void console_write(const char *s, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		console_putc(s[i]);
}

void console_write_user(const char *s, unsigned long n)
{
	ldisc_output(&con.ld, s, n);
}

unsigned console_irq(void)
{
	return con.have_uart ? con.uart.irq : 0;
}

/* Wake the readers when something can be read (each runs its read again). */
static void wake_readers(void)
{
	struct thread *t;
	while (ldisc_readable(&con.ld) && (t = tq_pop(&con.readers)) != 0)
		sched_ready(t);
}

/*
 * Drain the UART through the line discipline (ldisc_input); when the ring is full, new
 * bytes are dropped. VINTR with ISIG and a console_intr binding is not input: it empties
 * the ring (unless NOFLSH: what was typed is thrown away, as a terminal's line is) and
 * sets the bound bits.
 */
void console_interrupt(void)
{
	uint64_t s = spin_lock(&con.rx_lock);
	bool intr = false;
	int c;
	while ((c = con.uart.ops->getc(&con.uart)) >= 0)
		intr |= ldisc_input(&con.ld, c, con.intr != 0);
	spin_unlock(&con.rx_lock, s);
	if (intr)
		notify_signal(con.intr, con.intr_bits);
	wake_readers();
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
	uint64_t s = spin_lock(&con.rx_lock);
	int c = ldisc_getc(&con.ld);
	spin_unlock(&con.rx_lock, s);
	return c;
}

long console_read(char *out, unsigned max)
{
	uint64_t s = spin_lock(&con.rx_lock);
	long n = ldisc_read(&con.ld, out, max);
	spin_unlock(&con.rx_lock, s);
	return n;
}

void console_mode_get(struct console_mode *m)
{
	uint64_t s = spin_lock(&con.rx_lock);
	*m = con.ld.mode;
	spin_unlock(&con.rx_lock, s);
}

int console_mode_check(const struct console_mode *m)
{
	return ldisc_check(m);
}

/* Apply checked settings; readers look again (turning ICANON off may free a line). */
void console_mode_set(const struct console_mode *m, bool flush)
{
	uint64_t s = spin_lock(&con.rx_lock);
	ldisc_set(&con.ld, m, flush);
	spin_unlock(&con.rx_lock, s);
	wake_readers();
}

int console_intr_bind(struct notify *n, uint64_t bits, uint8_t byte)
{
	if (con.intr)
		return E_BUSY;
	uint64_t s = spin_lock(&con.rx_lock);
	con.intr = n;
	con.intr_bits = bits;
	con.ld.mode.cc[CON_VINTR] = byte;
	spin_unlock(&con.rx_lock, s);
	return 0;
}

void console_notify_gone(struct notify *n)
{
	if (con.intr == n)
		con.intr = 0;
}
