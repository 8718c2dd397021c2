/*
 * Console UARTs. Each driver is register code (uart_ns16550.c, uart_sifive.c) plus a
 * table of device-tree compatible strings (drivers.c). The kernel picks the driver whose
 * compatible matches the /chosen stdout-path node, and falls back to the SBI console.
 */
#ifndef DRIVERS_UART_H
#define DRIVERS_UART_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/lib/dt.h"

struct uart;

struct uart_ops {
	const char *name;			 /* shown in the boot banner */
	int (*init)(struct uart *u);		 /* 0 or enum err; firmware set the baud rate */
	void (*putc)(struct uart *u, char c);	 /* waits for room */
	int (*getc)(struct uart *u);		 /* a byte, or -1 if none waiting */
	void (*rx_irq)(struct uart *u, bool on); /* receive interrupt on/off */
};

struct uart {
	volatile uint8_t *regs; /* mapped registers (kernel virtual) */
	uint32_t reg_shift;	/* register n is at regs + (n << reg_shift) */
	uint32_t reg_io_width;	/* 1 or 4 byte accesses */
	uint32_t irq;		/* PLIC source */
	const struct uart_ops *ops;
};

struct uart_driver {
	const char *compatible;
	const struct uart_ops *ops;
};

/* The driver for a NUL-separated compatible list, or NULL. */
const struct uart_driver *uart_match(const char *compat, uint32_t len);

extern const struct uart_ops uart_ns16550_ops;
extern const struct uart_ops uart_dw_apb_ops;
extern const struct uart_ops uart_sifive_ops;

#endif
