/* Boot-time memory set-up: the frame pool and the kernel's own page table. */
#ifndef VM_KMEM_H
#define VM_KMEM_H

#include <stdint.h>

#include "kernel/lib/dt.h"

struct kmem_layout {
	uint64_t load_pa; /* where the image was loaded */
	uint64_t image_size;
	uint64_t dtb_pa;
	uint64_t dtb_size;
	uint64_t ram_bytes; /* all /memory */
	uint64_t usable_bytes;
};

/* Direct-map, with the boot table's 1 GiB pages, every gigabyte that [pa, pa+size) touches. */
void kmem_boot_map(uint64_t pa, uint64_t size);
/* The physical address of something in the kernel image. */
uint64_t kmem_image_pa(const void *va);
/* Build the frame pool from the device tree: 0 or an enum err. */
int kmem_init(const struct dt_info *info, struct kmem_layout *lay);
/* Build the kernel page table (W^X image, direct-mapped RAM) and switch to it. */
int kmem_paging_init(const struct dt_info *info, const struct kmem_layout *lay);

#endif
