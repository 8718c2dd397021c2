/*
 * Device control: a user-level driver for QEMU virt's Goldfish RTC. The test gets the
 * device's registers and interrupt from the kernel by compatible string, maps them
 * shared, binds the interrupt to a notification and takes two alarm interrupts (the
 * second proves that irq_ack unmasked the line). Deleting the notification releases the
 * binding. On a board without that RTC only the argument checks run, and they run
 * everywhere: every refusal must come with its named error.
 */
#include <string.h>

#include "testlib.h"
#include "testutil.h"

#define RTC_COMPAT "google,goldfish-rtc"
#define RTC_VA	   0x3000000000UL

/* Goldfish RTC registers (32-bit), as QEMU models them. */
#define RTC_TIME_LOW	    0x00 /* reading it latches TIME_HIGH */
#define RTC_TIME_HIGH	    0x04
#define RTC_ALARM_LOW	    0x08 /* writing it arms the alarm */
#define RTC_ALARM_HIGH	    0x0c
#define RTC_IRQ_ENABLED	    0x10
#define RTC_CLEAR_INTERRUPT 0x1c

#define ALARM_DELAY_NS 2000000 /* 2 ms */
#define RTC_BIT	       (1UL << 5)
#define NO_SUCH_IRQ    100000
#define WAIT_POLLS     2000 /* of 1 ms each: a lost interrupt fails the test, not hangs it */
#define POLL_NS	       1000000

static volatile uint32_t *rtc_reg(unsigned off)
{
	return (volatile uint32_t *)(RTC_VA + off);
}

static uint64_t rtc_now(void)
{
	uint32_t lo = *rtc_reg(RTC_TIME_LOW);
	return ((uint64_t)*rtc_reg(RTC_TIME_HIGH) << 32) | lo;
}

static void rtc_alarm_soon(void)
{
	uint64_t when = rtc_now() + ALARM_DELAY_NS;
	*rtc_reg(RTC_IRQ_ENABLED) = 1;
	*rtc_reg(RTC_ALARM_HIGH) = (uint32_t)(when >> 32);
	*rtc_reg(RTC_ALARM_LOW) = (uint32_t)when;
}

static long device_get(long dst, const char *compat, unsigned index)
{
	return SYSCALL(device_get, SLOT_IRQCTL, dst, (long)compat, (long)strlen(compat), index);
}

/* Refusals that need no device: wrong capabilities, bad numbers, bad strings. */
static void argument_checks(long notif)
{
	long dst = slot_alloc();
	CHECK_EQ(SYSCALL(irq_bind, slot_alloc(), 1, notif, RTC_BIT), E_BADCAP);
	CHECK_EQ(SYSCALL(irq_bind, SLOT_CONSOLE, 1, notif, RTC_BIT), E_TYPE);
	CHECK_EQ(SYSCALL(irq_bind, SLOT_IRQCTL, 1, SLOT_CONSOLE, RTC_BIT), E_TYPE);
	CHECK_EQ(SYSCALL(irq_bind, SLOT_IRQCTL, 0, notif, RTC_BIT), E_RANGE);
	CHECK_EQ(SYSCALL(irq_bind, SLOT_IRQCTL, NO_SUCH_IRQ, notif, RTC_BIT), E_RANGE);
	CHECK_EQ(SYSCALL(irq_bind, SLOT_IRQCTL, 1, notif, 0), E_INVAL);
	CHECK_EQ(SYSCALL(irq_ack, SLOT_IRQCTL, 1), E_NOENT);
	CHECK_EQ(SYSCALL(irq_unbind, SLOT_IRQCTL, 1), E_NOENT);
	CHECK_EQ(device_get(dst, "no-such,device", 0), E_NOENT);
	CHECK_EQ(SYSCALL(device_get, SLOT_IRQCTL, dst, (long)"x", 0, 0), E_RANGE);
	CHECK_EQ(SYSCALL(device_get, SLOT_IRQCTL, dst, (long)"x", 1 << 20, 0), E_RANGE);
	CHECK_EQ(SYSCALL(device_get, SLOT_IRQCTL, dst, 0x10, 4, 0), E_FAULT);
	CHECK_EQ(SYSCALL(device_get, SLOT_IRQCTL, dst, (long)"a\0b", 3, 0), E_INVAL);
	CHECK_EQ(SYSCALL(device_get, SLOT_CONSOLE, dst, (long)"x", 1, 0), E_TYPE);
	/* The kernel's own devices are never given away. */
	long plic = device_get(dst, "riscv,plic0", 0);
	if (plic == E_NOENT)
		plic = device_get(dst, "sifive,plic-1.0.0", 0);
	CHECK_EQ(plic, E_BUSY);
	CHECK_EQ(SYSCALL(cap_info, dst), E_BADCAP); /* nothing was installed */
}

/* The notification's bits once some arrive, or 0 after WAIT_POLLS polls. */
static long wait_bits(long notif)
{
	long bits = 0;
	for (int i = 0; i < WAIT_POLLS; i++) {
		if (syscall6_a1(SYS_notify_wait | SYS_NONBLOCK, notif, 0, 0, 0, &bits) == 0)
			return bits;
		SYSCALL(sleep, POLL_NS);
	}
	return 0;
}

/* Wait for the RTC's interrupt, then service the device and unmask the line. */
static void take_alarm(long notif, long irq)
{
	rtc_alarm_soon();
	CHECK_EQ(wait_bits(notif) & RTC_BIT, RTC_BIT);
	*rtc_reg(RTC_CLEAR_INTERRUPT) = 1;
	CHECK_EQ(SYSCALL(irq_ack, SLOT_IRQCTL, irq), 0);
}

static void rtc_driver(long dev, long irq, long notif)
{
	uint32_t rw = MAP_PROT_READ | MAP_PROT_WRITE;
	CHECK(irq > 0);
	CHECK_EQ(SYSCALL(map, SLOT_SELF, dev, RTC_VA, 0, 1, rw | MAP_KIND_COPY), E_INVAL);
	CHECK_EQ(SYSCALL(map, SLOT_SELF, dev, RTC_VA, 0, 1,
			 MAP_PROT_READ | MAP_PROT_EXEC | MAP_KIND_SHARED),
		 E_INVAL);
	CHECK_EQ(SYSCALL(map, SLOT_SELF, dev, RTC_VA, 0, 1, rw | MAP_KIND_SHARED), 0);
	uint64_t t0 = rtc_now(), t1 = rtc_now();
	CHECK(t0 != 0 && t1 >= t0);
	/* The kernel never copies through device registers: a clean error, no panic. */
	CHECK_EQ(SYSCALL(debug_write, RTC_VA, 8), E_FAULT);

	CHECK_EQ(SYSCALL(irq_bind, SLOT_IRQCTL, irq, notif, RTC_BIT), 0);
	CHECK_EQ(SYSCALL(irq_bind, SLOT_IRQCTL, irq, notif, RTC_BIT), E_BUSY);
	take_alarm(notif, irq);
	take_alarm(notif, irq); /* only arrives if the ack unmasked the line */

	/* A driver that goes away: its notification's last capability deleted. */
	CHECK_EQ(SYSCALL(cap_delete, notif), 0);
	long again = tu_obj(OBJ_NOTIFY);
	CHECK_EQ(SYSCALL(irq_bind, SLOT_IRQCTL, irq, again, RTC_BIT), 0);
	CHECK_EQ(SYSCALL(irq_unbind, SLOT_IRQCTL, irq), 0);
	CHECK_EQ(SYSCALL(irq_unbind, SLOT_IRQCTL, irq), E_NOENT);
	CHECK_EQ(SYSCALL(unmap, SLOT_SELF, RTC_VA, 1), 0);
	CHECK_EQ(SYSCALL(cap_delete, again), 0);
	CHECK_EQ(SYSCALL(cap_delete, dev), 0);
}

int main(void)
{
	long notif = tu_obj(OBJ_NOTIFY), dev = slot_alloc();
	argument_checks(notif);
	long irq = device_get(dev, RTC_COMPAT, 0);
	if (irq == E_NOENT)
		printf("  no %s here: interrupt delivery not exercised\n", RTC_COMPAT);
	else
		rtc_driver(dev, irq, notif);
	return test_status();
}
