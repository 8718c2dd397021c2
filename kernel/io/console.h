/*
 * The kernel console: the UART named by /chosen stdout-path when a driver matches,
 * otherwise the SBI console. Input arrives by interrupt into a ring buffer.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include "kernel/lib/dt.h"

struct thread;

/* Pick and start the UART driver; before this, output goes through SBI. */
void console_init(const struct dt_info *info);
/* Route UART receive interrupts to this hart's PLIC context. */
void console_enable_rx(int plic_ctx);
const char *console_driver_name(void);
void console_putc(char c);
void console_write(const char *s, unsigned long n);
/* A user program's output: through the console mode's OPOST and ONLCR. */
void console_write_user(const char *s, unsigned long n);
/* A byte a reader may take (in canonical mode, of a finished line), or -1 if none. */
int console_getc(void);
/*
 * What a console_read may take now, into out (at most max > 0 bytes): the count (0: an
 * end of file typed in canonical mode), or -1 when the caller must wait (no whole line
 * in canonical mode; fewer than VMIN bytes, or none, otherwise).
 */
long console_read(char *out, unsigned max);
/* The line discipline's settings (kernel/abi/console.h). */
struct console_mode;
void console_mode_get(struct console_mode *m);
/* 0, or E_INVAL for a bit the console does not know. */
int console_mode_check(const struct console_mode *m);
/* Apply checked settings (m may be NULL: only flush), dropping unread input first if
 * flush is set. */
void console_mode_set(const struct console_mode *m, bool flush);
/* The PLIC source of the console UART (0 if none): the interrupt path checks it. */
unsigned console_irq(void);
void console_interrupt(void);
/* Block t until input arrives; its console_read is then run again. */
void console_wait(struct thread *t);
/* Forget t if it waits for input (it is being killed). */
void console_cancel(struct thread *t);
/*
 * Bind byte to n: when it is typed it is not input; the ring is emptied and n gets bits.
 * E_BUSY if a notification is bound already (until it is destroyed).
 */
struct notify;
int console_intr_bind(struct notify *n, uint64_t bits, uint8_t byte);
/* A notification is being destroyed: drop the binding to it. */
void console_notify_gone(struct notify *n);

#endif
