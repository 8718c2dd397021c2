/*
 * The ACLINT SSWI (RISC-V ACLINT specification, "Supervisor-level Software Interrupt
 * Device"): interprocessor interrupts that S-mode sends itself, without the firmware.
 */
#ifndef DRIVERS_ACLINT_SSWI_H
#define DRIVERS_ACLINT_SSWI_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/lib/dt.h"

/* Map the device dev (dt.h's sswi): 0, E_NOENT if there is none, E_FORMAT, E_NOMEM. */
int sswi_init(const struct dt_device *dev);
/* Was a device mapped, and does its reg range hold register index? */
bool sswi_covers(int index);
/* Raise the supervisor software interrupt of the hart wired to register index. */
void sswi_send(unsigned index);

#endif
