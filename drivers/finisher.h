/*
 * QEMU's sifive_test device ("sifive,test0"): writing to it ends the emulator with an
 * exit status. On real boards it is absent and poweroff goes through SBI SRST.
 */
#ifndef DRIVERS_FINISHER_H
#define DRIVERS_FINISHER_H

#include <stdbool.h>

#include "kernel/lib/dt.h"

int finisher_init(const struct dt_device *dev); /* 0, or E_NOENT if not found */
bool finisher_present(void);
/* End the machine: status 0 means pass, anything else fail with that code. Returns only if absent. */
void finisher_exit(int status);

#endif
