/*
 * The fork server's clock (PROC_TIME, docs/process.md): it holds the one CLOCK_REALTIME
 * offset every process reads, so clock_settime in one process is seen by all.
 *
 * At start the offset comes from the RTC the device tree names (device_get by compatible
 * string, through the device control capability the server holds): Goldfish on QEMU
 * virt, whose two 32-bit registers count nanoseconds since 1970. A board without one
 * starts at 0: CLOCK_REALTIME is then 1970 plus the time since boot.
 */
#include <errno.h>
#include <string.h>

#include "fs.h"
#include "proc.h"
#include "taskspawn.h"
#include "syscall.h"
#include "timesrv.h"

#define RTC_COMPAT    "google,goldfish-rtc"
#define RTC_TIME_LOW  0x00 /* reading it latches TIME_HIGH */
#define RTC_TIME_HIGH 0x04
#define RTC_VA	      0x3000000000UL /* a window the server maps nothing else at */
#define NS_PER_S      1000000000ULL

static int64_t realtime_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */

static uint64_t mono_ns(void)
{
	struct sysinfo si = { 0 };
	uint64_t t, hz;
	__asm__ volatile("rdtime %0" : "=r"(t));
	hz = SYSCALL(sysinfo, &si) == 0 && si.timebase_hz ? si.timebase_hz : 1;
	return t / hz * NS_PER_S + t % hz * NS_PER_S / hz;
}

/* The RTC's nanoseconds since 1970, or 0 if there is none we can read. */
static uint64_t rtc_read(void)
{
	uint64_t ns = 0;
	long mem = slot_alloc();
	if (mem < 0)
		return 0;
	long irq = SYSCALL(device_get, SLOT_IRQCTL, mem, (long)RTC_COMPAT, (long)strlen(RTC_COMPAT),
			   0);
	if (irq >= 0 &&
	    SYSCALL(map, SLOT_SELF, mem, RTC_VA, 0, 1, MAP_PROT_READ | MAP_KIND_SHARED) == 0) {
		volatile uint32_t *regs = (volatile uint32_t *)RTC_VA;
		uint32_t lo = regs[RTC_TIME_LOW / 4];
		ns = (uint64_t)regs[RTC_TIME_HIGH / 4] << 32 | lo;
		SYSCALL(unmap, SLOT_SELF, RTC_VA, 1);
	}
	slot_free(mem); /* deletes the device's capability too */
	return ns;
}

void timesrv_init(void)
{
	uint64_t rtc = rtc_read();
	if (rtc)
		realtime_offset_ns = (int64_t)(rtc - mono_ns());
	fsholders_clock(realtime_offset_ns);
}

int64_t timesrv_request(uint64_t op, uint64_t offset, int64_t *out)
{
	if (op == PROC_TIME_SET) {
		realtime_offset_ns = (int64_t)offset;
		fsholders_clock(realtime_offset_ns); /* file times follow clock_settime */
	} else if (op != PROC_TIME_GET)
		return -EINVAL;
	*out = realtime_offset_ns;
	return 0;
}
