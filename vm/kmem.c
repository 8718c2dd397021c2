/* Boot-time memory: see kmem.h and the map in vm.h. */
#include "vm/kmem.h"

#include "kernel/abi/error.h"
#include "kernel/cpu/riscv.h"
#include "kernel/io/printk.h"
#include "vm/frame.h"
#include "vm/memmap.h"
#include "vm/pt.h"
#include "vm/vm.h"

struct frame_pool kframes;

extern pte_t boot_root_pt[PT_ENTRIES];
extern char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];

static uint64_t load_pa_of_image;
uint64_t kmem_image_pa(const void *va)
{
	return (uint64_t)va - (uint64_t)__kernel_start + load_pa_of_image;
}

void kmem_boot_map(uint64_t pa, uint64_t size)
{
	uint64_t giga = pt_level_size(2);
	for (uint64_t g = pa & ~(giga - 1); g < pa + size; g += giga) {
		unsigned i = pt_index(DIRECT_MAP_BASE + g, 2);
		boot_root_pt[i] = pte_make(g, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | PTE_G);
	}
}

/* RAM minus everything that is not ours to hand out. */
static int kmem_usable(const struct dt_info *info, const struct kmem_layout *lay, struct memmap *m)
{
	int err = 0;
	memmap_init(m);
	for (int i = 0; i < info->nmem && !err; i++)
		err = memmap_add(m, info->mem[i].base, info->mem[i].base + info->mem[i].size);
	for (int i = 0; i < info->nresv && !err; i++)
		err = memmap_remove(m, info->resv[i].base, info->resv[i].base + info->resv[i].size);
	if (!err)
		err = memmap_remove(m, lay->load_pa, lay->load_pa + lay->image_size);
	if (!err)
		err = memmap_remove(m, lay->dtb_pa & ~(PAGE_SIZE - 1), lay->dtb_pa + lay->dtb_size);
	return err;
}

int kmem_init(const struct dt_info *info, struct kmem_layout *lay)
{
	static struct memmap usable;
	uint64_t lo = UINT64_MAX, hi = 0, meta;
	int err;

	load_pa_of_image = lay->load_pa;
	lay->ram_bytes = 0;
	for (int i = 0; i < info->nmem; i++) {
		kmem_boot_map(info->mem[i].base, info->mem[i].size);
		lo = info->mem[i].base < lo ? info->mem[i].base : lo;
		if (info->mem[i].base + info->mem[i].size > hi)
			hi = info->mem[i].base + info->mem[i].size;
		lay->ram_bytes += info->mem[i].size;
	}
	if ((err = kmem_usable(info, lay, &usable)) != 0)
		return err;
	if (hi <= lo)
		return E_NOENT;
	lo &= ~(FRAME_SIZE - 1);
	uint64_t nframes = (hi - lo) >> FRAME_SHIFT;
	if ((err = memmap_find(&usable, frame_meta_bytes(nframes), FRAME_SIZE, &meta)) != 0)
		return err;
	if ((err = memmap_remove(&usable, meta, meta + frame_meta_bytes(nframes))) != 0)
		return err;
	frame_pool_init(&kframes, lo, nframes, phys_to_virt(meta));
	for (int i = 0; i < usable.n; i++)
		frame_pool_release(&kframes, usable.r[i].base, usable.r[i].end - usable.r[i].base);
	lay->usable_bytes = kframes.nusable * FRAME_SIZE;
	return 0;
}

/* The image, section by section: text R-X, rodata R--, data and bss RW-. */
static int kmem_map_image(pte_t *root)
{
	static const struct {
		char *start, *end;
		uint64_t flags;
	} sect[] = {
		{ __kernel_start, __text_end, PTE_R | PTE_X | PTE_G },
		{ __text_end, __rodata_end, PTE_R | PTE_G },
		{ __rodata_end, __kernel_end, PTE_R | PTE_W | PTE_G },
	};
	for (unsigned i = 0; i < sizeof(sect) / sizeof(sect[0]); i++) {
		uint64_t va = (uint64_t)sect[i].start, size = (uint64_t)sect[i].end - va;
		int err = size ? pt_map(root, va, kmem_image_pa(sect[i].start), size, sect[i].flags)
			       : 0;
		if (err)
			return err;
	}
	return 0;
}

/* RAM read-write in the direct map, except firmware-reserved ranges. */
static int kmem_map_ram(const struct dt_info *info, pte_t *root)
{
	static struct memmap ram;
	int err = 0;
	memmap_init(&ram);
	for (int i = 0; i < info->nmem && !err; i++)
		err = memmap_add(&ram, info->mem[i].base, info->mem[i].base + info->mem[i].size);
	for (int i = 0; i < info->nresv && !err; i++)
		err = memmap_remove(&ram, info->resv[i].base & ~(PAGE_SIZE - 1),
				    (info->resv[i].base + info->resv[i].size + PAGE_SIZE - 1) &
					    ~(PAGE_SIZE - 1));
	for (int i = 0; i < ram.n && !err; i++)
		err = pt_map(root, DIRECT_MAP_BASE + ram.r[i].base, ram.r[i].base,
			     ram.r[i].end - ram.r[i].base, PTE_R | PTE_W | PTE_G);
	return err;
}

/* The device tree stays readable even if firmware put it outside /memory. */
static int kmem_map_dtb(pte_t *root, const struct kmem_layout *lay)
{
	uint64_t start = lay->dtb_pa & ~(PAGE_SIZE - 1);
	uint64_t end = (lay->dtb_pa + lay->dtb_size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	for (uint64_t pa = start; pa < end; pa += PAGE_SIZE) {
		if (pt_lookup(root, DIRECT_MAP_BASE + pa, 0))
			continue;
		int err = pt_map(root, DIRECT_MAP_BASE + pa, pa, PAGE_SIZE, PTE_R | PTE_G);
		if (err)
			return err;
	}
	return 0;
}

int kmem_paging_init(const struct dt_info *info, const struct kmem_layout *lay)
{
	pte_t *root = pt_alloc();
	int err;

	if (!root)
		return E_NOMEM;
	if ((err = kmem_map_image(root)) || (err = kmem_map_ram(info, root)) ||
	    (err = kmem_map_dtb(root, lay)))
		return err;
	kernel_root = root;
	/* Switching trees changes everything at once: the one place a full flush is right. */
	csr_write(satp, SATP_MODE_SV39 | (virt_to_phys(root) >> PAGE_SHIFT));
	sfence_vma_all();
	return 0;
}

void *vm_ioremap(uint64_t pa, uint64_t size)
{
	uint64_t start = pa & ~(PAGE_SIZE - 1);
	uint64_t end = (pa + size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	uint64_t flags = PTE_R | PTE_W | PTE_G;
	int err;

	if (!kernel_root || end <= start)
		return 0;
	/* Large pages where alignment allows; page by page where an earlier caller mapped some. */
	err = pt_map(kernel_root, DIRECT_MAP_BASE + start, start, end - start, flags);
	for (uint64_t p = start; err == E_BUSY && p < end; p += PAGE_SIZE) {
		if (pt_lookup(kernel_root, DIRECT_MAP_BASE + p, 0))
			continue;
		if (pt_map(kernel_root, DIRECT_MAP_BASE + p, p, PAGE_SIZE, flags))
			return 0;
	}
	return err && err != E_BUSY ? 0 : phys_to_virt(pa);
}
