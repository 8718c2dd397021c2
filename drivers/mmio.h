/*
 * Device register access for the drivers. Every access is volatile and sized exactly
 * as asked, and the fences keep all device accesses in program order with each other
 * and with ordinary memory:
 *
 *   before a device write: fence iorw,o  (everything earlier lands first, e.g. the
 *                                         LSR poll that said "room" before the THR write)
 *   before a device read:  fence o,i     (an earlier device write, e.g. PLIC complete or
 *                                         LCR, reaches the device before we ask it again)
 *   after a device read:   fence i,iorw  (nothing later runs ahead of the value it depends on)
 *
 * RVWMO alone promises none of this for I/O regions unless the platform's PMAs say the
 * region is strongly ordered, and we do not want to depend on that per board.
 */
#ifndef DRIVERS_MMIO_H
#define DRIVERS_MMIO_H

#include <stdint.h>

static inline void mmio_fence_before_write(void)
{
	__asm__ volatile("fence iorw, o" ::: "memory");
}

static inline void mmio_fence_before_read(void)
{
	__asm__ volatile("fence o, i" ::: "memory");
}

static inline void mmio_fence_after_read(void)
{
	__asm__ volatile("fence i, iorw" ::: "memory");
}

static inline uint8_t mmio_read8(const volatile void *addr)
{
	uint8_t v;

	mmio_fence_before_read();
	v = *(const volatile uint8_t *)addr;
	mmio_fence_after_read();
	return v;
}

static inline uint32_t mmio_read32(const volatile void *addr)
{
	uint32_t v;

	mmio_fence_before_read();
	v = *(const volatile uint32_t *)addr;
	mmio_fence_after_read();
	return v;
}

static inline void mmio_write8(volatile void *addr, uint8_t v)
{
	mmio_fence_before_write();
	*(volatile uint8_t *)addr = v;
}

static inline void mmio_write32(volatile void *addr, uint32_t v)
{
	mmio_fence_before_write();
	*(volatile uint32_t *)addr = v;
}

#endif
