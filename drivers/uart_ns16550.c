/*
 * 16550-family UARTs: QEMU's "ns16550a" (byte registers) and the Synopsys DesignWare
 * APB UART of the VisionFive 2 (same registers at a 4-byte stride, 32-bit accesses,
 * plus a busy flag that guards LCR).
 *
 * Firmware has already set the baud rate; nothing here touches the divisor latch.
 * Transmit is polled; receive may be polled (getc) or interrupt-driven (rx_irq).
 */
#include <stdbool.h>
#include <stdint.h>

#include "drivers/mmio.h"
#include "drivers/uart.h"
#include "kernel/abi/error.h"

/* Register numbers: register n is at byte offset n << reg_shift. */
#define UART_RBR 0  /* read: receive buffer */
#define UART_THR 0  /* write: transmit holding */
#define UART_IER 1  /* interrupt enable */
#define UART_IIR 2  /* read: interrupt identification */
#define UART_FCR 2  /* write: FIFO control */
#define UART_LCR 3  /* line control */
#define UART_MCR 4  /* modem control */
#define UART_LSR 5  /* line status */
#define DW_USR	 31 /* DesignWare only: UART status, byte offset 0x7c at the 4-byte stride */

/* IER */
#define IER_ERBFI (1u << 0) /* received data available */

/* IIR */
#define IIR_ID_MASK	0x0fu /* interrupt id field */
#define IIR_BUSY_DETECT 0x07u /* DesignWare: LCR was written while busy */

/* FCR */
#define FCR_FIFO_EN   (1u << 0)
#define FCR_RX_RESET  (1u << 1)
#define FCR_TX_RESET  (1u << 2)
#define FCR_RX_TRIG_1 (0u << 6) /* receive interrupt after 1 byte */

/* LCR */
#define LCR_WLEN8 (3u << 0) /* 8 data bits */
#define LCR_DLAB  (1u << 7) /* divisor latch access; kept clear */
#define LCR_8N1	  LCR_WLEN8 /* 8 bits, no parity, 1 stop, no break, DLAB clear */

/* MCR */
#define MCR_DTR	 (1u << 0)
#define MCR_RTS	 (1u << 1)
#define MCR_OUT2 (1u << 3)
#define MCR_LOOP (1u << 4)

/* LSR */
#define LSR_DR	 (1u << 0) /* a received byte is waiting */
#define LSR_THRE (1u << 5) /* transmit holding register (FIFO) empty */
#define LSR_TEMT (1u << 6) /* transmitter completely idle */

/* DesignWare USR */
#define USR_BUSY (1u << 0)

#define UART_MAX_REG_SHIFT 4
/*
 * Bounds for the waits in init, in register reads. Each read is a bus round trip of
 * 100 ns or more on hardware, so 1 << 20 covers a full FIFO at 9600 baud; on an emulator
 * the conditions hold at once.
 */
#define UART_INIT_SPINS	   (1u << 20)
#define DW_LCR_TRIES	   4

/* The one register accessor: honours reg_shift and reg_io_width. */
static volatile uint8_t *reg_addr(const struct uart *u, unsigned reg)
{
	return u->regs + ((uintptr_t)reg << u->reg_shift);
}

static uint32_t reg_read(const struct uart *u, unsigned reg)
{
	if (u->reg_io_width == 4)
		return mmio_read32(reg_addr(u, reg));
	return mmio_read8(reg_addr(u, reg));
}

static void reg_write(const struct uart *u, unsigned reg, uint32_t v)
{
	if (u->reg_io_width == 4)
		mmio_write32(reg_addr(u, reg), v);
	else
		mmio_write8(reg_addr(u, reg), (uint8_t)v);
}

/* The caller maps the registers; reject layouts the accessor cannot serve. */
static int check_layout(const struct uart *u)
{
	if (!u->regs || u->reg_shift > UART_MAX_REG_SHIFT)
		return E_INVAL;
	if (u->reg_io_width == 1)
		return 0;
	/* 32-bit accesses need registers at least 4 bytes apart to stay aligned. */
	if (u->reg_io_width == 4 && u->reg_shift >= 2)
		return 0;
	return E_INVAL;
}

/* Let the bytes firmware queued drain; gives up quietly after UART_INIT_SPINS reads. */
static void wait_tx_idle(const struct uart *u)
{
	for (uint32_t i = 0; i < UART_INIT_SPINS; i++)
		if (reg_read(u, UART_LSR) & LSR_TEMT)
			return;
}

/* FIFOs on and emptied, receive interrupt (when enabled) after a single byte. */
static void setup_fifos(const struct uart *u)
{
	wait_tx_idle(u);
	reg_write(u, UART_FCR, FCR_FIFO_EN | FCR_RX_RESET | FCR_TX_RESET | FCR_RX_TRIG_1);
}

/*
 * On PC-style 16550s OUT2 gates the interrupt line to the interrupt controller; set it
 * once here so rx_irq only has to touch IER. Loopback off, the rest (DesignWare's
 * auto flow control bits) kept as firmware left them.
 */
static void setup_modem_control(const struct uart *u)
{
	uint32_t mcr = reg_read(u, UART_MCR);

	mcr |= MCR_DTR | MCR_RTS | MCR_OUT2;
	mcr &= ~MCR_LOOP;
	reg_write(u, UART_MCR, mcr);
}

static void uart16550_putc(struct uart *u, char c)
{
	while (!(reg_read(u, UART_LSR) & LSR_THRE))
		;
	reg_write(u, UART_THR, (uint8_t)c);
}

static int uart16550_getc(struct uart *u)
{
	if (!(reg_read(u, UART_LSR) & LSR_DR))
		return -1;
	return (int)(reg_read(u, UART_RBR) & 0xffu);
}

static void uart16550_rx_irq(struct uart *u, bool on)
{
	uint32_t ier = reg_read(u, UART_IER);

	if (on)
		ier |= IER_ERBFI;
	else
		ier &= ~IER_ERBFI;
	reg_write(u, UART_IER, ier);
}

/* ---- National Semiconductor 16550 (QEMU "ns16550a") ---- */

static int ns16550_init(struct uart *u)
{
	int err = check_layout(u);

	if (err)
		return err;
	reg_write(u, UART_IER, 0);
	if (reg_read(u, UART_LCR) != LCR_8N1)
		reg_write(u, UART_LCR, LCR_8N1);
	setup_fifos(u);
	setup_modem_control(u);
	return 0;
}

const struct uart_ops uart_ns16550_ops = {
	.name = "ns16550",
	.init = ns16550_init,
	.putc = uart16550_putc,
	.getc = uart16550_getc,
	.rx_irq = uart16550_rx_irq,
};

/* ---- Synopsys DesignWare APB UART ---- */

/* A busy-detect interrupt stays pending (and holds the irq line) until USR is read. */
static void dw_clear_busy_detect(const struct uart *u)
{
	if ((reg_read(u, UART_IIR) & IIR_ID_MASK) == IIR_BUSY_DETECT)
		(void)reg_read(u, DW_USR);
}

/*
 * Wait until LCR will accept a write: the UART is busy while it shifts a byte in or
 * out or holds received bytes, so let transmit finish and throw away pending input.
 * Only init uses this, before anyone reads the console.
 */
static void dw_wait_not_busy(const struct uart *u)
{
	wait_tx_idle(u);
	for (uint32_t i = 0; i < UART_INIT_SPINS; i++) {
		if (!(reg_read(u, DW_USR) & USR_BUSY))
			return;
		if (reg_read(u, UART_LSR) & LSR_DR)
			(void)reg_read(u, UART_RBR);
	}
}

/* Write LCR and check that it took: a write while busy is silently dropped. */
static int dw_write_lcr(const struct uart *u, uint32_t lcr)
{
	for (int i = 0; i < DW_LCR_TRIES; i++) {
		dw_wait_not_busy(u);
		reg_write(u, UART_LCR, lcr);
		if (reg_read(u, UART_LCR) == lcr)
			break;
	}
	dw_clear_busy_detect(u);
	return reg_read(u, UART_LCR) == lcr ? 0 : E_BUSY;
}

static int dw_apb_init(struct uart *u)
{
	int err = check_layout(u);

	if (err)
		return err;
	reg_write(u, UART_IER, 0);
	/* Firmware normally leaves 8N1 set; only then is LCR left alone entirely. */
	if (reg_read(u, UART_LCR) != LCR_8N1) {
		err = dw_write_lcr(u, LCR_8N1);
		if (err)
			return err;
	}
	setup_fifos(u);
	setup_modem_control(u);
	dw_clear_busy_detect(u);
	return 0;
}

static int dw_apb_getc(struct uart *u)
{
	dw_clear_busy_detect(u);
	return uart16550_getc(u);
}

static void dw_apb_rx_irq(struct uart *u, bool on)
{
	dw_clear_busy_detect(u);
	uart16550_rx_irq(u, on);
}

const struct uart_ops uart_dw_apb_ops = {
	.name = "dw-apb-uart",
	.init = dw_apb_init,
	.putc = uart16550_putc,
	.getc = dw_apb_getc,
	.rx_irq = dw_apb_rx_irq,
};
