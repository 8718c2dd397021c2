/*
 * The kernel's view of memory. The virtual memory map (Sv39, 39-bit addresses):
 *
 *   0x0000000000000000 - 0x0000003fffffffff  user space (256 GiB), per task
 *   0xffffffc000000000 - 0xffffffff7fffffff  direct map: PA p is at DIRECT_MAP_BASE + p
 *                                            (RAM read-write, never executable;
 *                                             the few devices the kernel uses, same rule)
 *   0xffffffff80000000 - 0xffffffffffffffff  the kernel image, W^X per section
 *
 * The kernel image is linked at KERNEL_VBASE + 0x200000 whatever the board: booti and
 * OpenSBI put it 0x200000 above a 1 GiB-aligned RAM base, and boot maps it there.
 */
#ifndef VM_VM_H
#define VM_VM_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE	4096UL
#define PAGE_SHIFT	12
#define DIRECT_MAP_BASE 0xffffffc000000000UL
#define KERNEL_VBASE	0xffffffff80000000UL

static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(pa + DIRECT_MAP_BASE);
}
static inline uint64_t virt_to_phys(const void *va)
{
	return (uint64_t)va - DIRECT_MAP_BASE;
}

/*
 * Zero the frame at pa, sixteen doublewords a round: 18 instructions per 128 bytes, 576
 * a page, where one store a round took 1,536 (a spawn zeroes about 18 pages).
 */
static inline void page_zero(uint64_t pa)
{
	uint64_t *w = phys_to_virt(pa), *end = w + PAGE_SIZE / sizeof(uint64_t);
	for (; w < end; w += 16) {
		w[0] = w[1] = w[2] = w[3] = w[4] = w[5] = w[6] = w[7] = 0;
		w[8] = w[9] = w[10] = w[11] = w[12] = w[13] = w[14] = w[15] = 0;
	}
}

/*
 * Copy the 4 KiB page at src to dst (both kernel addresses, page-aligned): 1,039
 * instructions, in assembly (vm/page_copy.S) because C spent about 120 more on its loop
 * and saved registers. The host tests supply their own.
 */
void page_copy(void *dst, const void *src);

/* Map [pa, pa+size) device registers into the kernel, uncached is the platform's job. */
void *vm_ioremap(uint64_t pa, uint64_t size);

#endif
