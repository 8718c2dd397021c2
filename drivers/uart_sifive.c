/*
 * The SiFive UART ("sifive,uart0": FU540, FU740, QEMU sifive_u). Fixed 32-bit registers;
 * reg_shift and reg_io_width do not apply. Firmware has set the divisor; it stays.
 */
#include <stdbool.h>
#include <stdint.h>

#include "drivers/mmio.h"
#include "drivers/uart.h"
#include "kernel/abi/error.h"

/* Register byte offsets */
#define SIFIVE_TXDATA 0x00
#define SIFIVE_RXDATA 0x04
#define SIFIVE_TXCTRL 0x08
#define SIFIVE_RXCTRL 0x0c
#define SIFIVE_IE     0x10 /* interrupt enable */
#define SIFIVE_IP     0x14 /* interrupt pending (read only; unused) */
#define SIFIVE_DIV    0x18 /* baud divisor (firmware's; never written) */

/* txdata / rxdata */
#define TXDATA_FULL  (1u << 31) /* transmit FIFO full: a write now would be dropped */
#define RXDATA_EMPTY (1u << 31) /* nothing received; the data bits are meaningless */
#define RXDATA_BYTE  0xffu

/* txctrl / rxctrl */
#define TXCTRL_TXEN	  (1u << 0)
#define RXCTRL_RXEN	  (1u << 0)
#define RXCTRL_RXCNT_MASK (7u << 16) /* watermark: rxwm pends while the FIFO holds more */

/* ie / ip */
#define IE_RXWM (1u << 1) /* receive FIFO above the watermark */

static volatile uint8_t *sifive_reg(const struct uart *u, uint32_t off)
{
	return u->regs + off;
}

static uint32_t sifive_read(const struct uart *u, uint32_t off)
{
	return mmio_read32(sifive_reg(u, off));
}

static void sifive_write(const struct uart *u, uint32_t off, uint32_t v)
{
	mmio_write32(sifive_reg(u, off), v);
}

/*
 * Transmit and receive on, interrupts off, receive watermark 0 so that rxwm pends as
 * soon as one byte is waiting. The other txctrl/rxctrl fields stay as firmware set them.
 */
static int sifive_init(struct uart *u)
{
	uint32_t rxctrl;

	if (!u->regs)
		return E_INVAL;
	sifive_write(u, SIFIVE_IE, 0);
	sifive_write(u, SIFIVE_TXCTRL, sifive_read(u, SIFIVE_TXCTRL) | TXCTRL_TXEN);
	rxctrl = sifive_read(u, SIFIVE_RXCTRL);
	rxctrl &= ~RXCTRL_RXCNT_MASK;
	sifive_write(u, SIFIVE_RXCTRL, rxctrl | RXCTRL_RXEN);
	return 0;
}

static void sifive_putc(struct uart *u, char c)
{
	while (sifive_read(u, SIFIVE_TXDATA) & TXDATA_FULL)
		;
	sifive_write(u, SIFIVE_TXDATA, (uint8_t)c);
}

/* Reading rxdata pops the FIFO, so it is read exactly once per call. */
static int sifive_getc(struct uart *u)
{
	uint32_t v = sifive_read(u, SIFIVE_RXDATA);

	if (v & RXDATA_EMPTY)
		return -1;
	return (int)(v & RXDATA_BYTE);
}

static void sifive_rx_irq(struct uart *u, bool on)
{
	uint32_t ie = sifive_read(u, SIFIVE_IE);

	if (on)
		ie |= IE_RXWM;
	else
		ie &= ~IE_RXWM;
	sifive_write(u, SIFIVE_IE, ie);
}

const struct uart_ops uart_sifive_ops = {
	.name = "sifive-uart",
	.init = sifive_init,
	.putc = sifive_putc,
	.getc = sifive_getc,
	.rx_irq = sifive_rx_irq,
};
