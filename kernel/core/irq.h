/*
 * Device control for user-level drivers: their interrupts and their registers.
 *
 * Interrupts. A task holding the device-control capability
 * binds a PLIC source to a notification: when the source fires, the kernel masks it and
 * sets the binding's bits; the driver services its device and acknowledges, which
 * unmasks it. The kernel's own sources (the console UART) cannot be bound.
 */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/core/object.h"

/* Bind source irq to n (bits set on each interrupt), taken on this hart's PLIC context. */
int irq_bind(uint32_t irq, struct notify *n, uint64_t bits);
/* Unmask a bound source once its device has been serviced. */
int irq_ack(uint32_t irq);
int irq_unbind(uint32_t irq);
/* From the interrupt path: a claimed source that is not the kernel's. */
void irq_deliver(int ctx, uint32_t irq);
/* A notification is being destroyed: drop every binding to it. */
void irq_notify_gone(struct notify *n);

/*
 * Registers. May the device registers at [base, base + size) be handed to user space?
 * 0; E_INVAL if base is not page-aligned or size is 0 (a page holding the start of them
 * may hold another device's); E_RANGE if the pages touch RAM or are more than a memory
 * object holds; E_BUSY if they touch a device the kernel drives (console UART, PLIC, exit
 * device).
 */
int device_range_check(uint64_t base, uint64_t size);

#endif
