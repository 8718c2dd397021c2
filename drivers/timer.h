/*
 * The supervisor timer: Sstc's stimecmp when the boot hart's ISA string lists Sstc,
 * otherwise SBI TIME. Either way the tick comes as a supervisor timer interrupt.
 */
#ifndef DRIVERS_TIMER_H
#define DRIVERS_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define TICK_HZ 100

void timer_init(uint64_t timebase_hz, bool sstc);
/* Arm this hart's first tick and enable the timer interrupt. */
void timer_start(void);
void timer_interrupt(void);
/* A due tick this hart cannot take yet: make wfi sleep on (true if so); then take it. */
bool timer_snooze(void);
void timer_unsnooze(void);
const char *timer_source(void);
uint64_t timer_timebase(void);

#endif
