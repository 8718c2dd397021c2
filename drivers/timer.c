/* The tick: see timer.h. */
#include "drivers/timer.h"

#include "kernel/cpu/hart.h"
#include "kernel/cpu/riscv.h"
#include "sbi/sbi.h"

static struct {
	uint64_t timebase_hz;
	uint64_t period; /* timebase ticks between interrupts */
	bool sstc;
} timer;

void timer_init(uint64_t timebase_hz, bool sstc)
{
	timer.timebase_hz = timebase_hz;
	timer.period = timebase_hz / TICK_HZ;
	if (timer.period == 0)
		timer.period = 1;
	timer.sstc = sstc;
}

static void timer_arm(uint64_t when)
{
	if (timer.sstc)
		__asm__ volatile("csrw %0, %1" ::"i"(CSR_STIMECMP), "r"(when));
	else
		sbi_set_timer(when);
}

void timer_start(void)
{
	struct hart *h = this_hart();
	h->next_tick = rdtime() + timer.period;
	timer_arm(h->next_tick);
	csr_set(sie, SIE_STIE);
}

void timer_interrupt(void)
{
	struct hart *h = this_hart();
	uint64_t now = rdtime();

	h->ticks++;
	/* Skip missed periods rather than firing a burst of late ticks. */
	do
		h->next_tick += timer.period;
	while (h->next_tick <= now);
	timer_arm(h->next_tick);
}

/*
 * The tick is due (pending) on a hart that waits in the kernel with interrupts off, for
 * the big kernel lock or for shootdown acknowledgements: a pending interrupt ends every
 * wfi at once, so the wait spun until it ended (under QEMU's round robin, in the time
 * the other harts needed to end it). Arm the timer a period on instead: the wait sleeps
 * and still wakes each period to look at the watchdog. True if it was snoozed.
 */
bool timer_snooze(void)
{
	if (!(csr_read(sip) & SIE_STIE))
		return false;
	timer_arm(rdtime() + timer.period);
	return true;
}

/* After a snooze: the tick that was due comes back, taken once interrupts are on. */
void timer_unsnooze(void)
{
	timer_arm(this_hart()->next_tick);
}

const char *timer_source(void)
{
	return timer.sstc ? "sstc" : "sbi-time";
}

uint64_t timer_timebase(void)
{
	return timer.timebase_hz;
}
