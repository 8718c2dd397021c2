/*
 * The RISC-V platform-level interrupt controller. Contexts come from the device
 * tree (dt_hart.plic_s_context); nothing here assumes a numbering.
 */
#ifndef DRIVERS_PLIC_H
#define DRIVERS_PLIC_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/lib/dt.h"

#define PLIC_MAX_SOURCES 1023u /* highest source id the register layout has room for */

/* Map the PLIC described by dev; 0 or enum err. */
int plic_init(const struct dt_device *dev, uint32_t ndev);
/* Let context ctx take interrupts of any priority above 0. */
void plic_context_init(int ctx);
/* Route source irq to context ctx with priority 1. */
void plic_enable(int ctx, uint32_t irq);
void plic_disable(int ctx, uint32_t irq);
/* The highest pending source for ctx, 0 if none; the caller must complete it. */
uint32_t plic_claim(int ctx);
void plic_complete(int ctx, uint32_t irq);
/* True if plic_init succeeded. */
int plic_present(void);
/* Source ids run 1..plic_sources() (riscv,ndev); 0 without a PLIC. */
uint32_t plic_sources(void);

bool plic_compatible(const char *compat, uint32_t len);

#endif
