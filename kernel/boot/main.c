/*
 * kmain: the boot hart arrives here from entry.S with the MMU on (boot table), on the
 * boot stack, with interrupts off. The order matters: SBI and the early console first,
 * so every later failure can be printed; the device tree before memory; memory before
 * the real page table; the page table before any device is mapped.
 */
#include "drivers/aclint_sswi.h"
#include "drivers/finisher.h"
#include "drivers/plic.h"
#include "drivers/timer.h"
#include "kernel/abi/error.h"
#include "kernel/boot/boot.h"
#include "kernel/cpu/hart.h"
#include "kernel/cpu/riscv.h"
#include "kernel/io/console.h"
#include "kernel/io/entropy.h"
#include "kernel/io/power.h"
#include "kernel/io/printk.h"
#include "kernel/lib/dt.h"
#include "sbi/sbi.h"
#include "vm/as.h"
#include "vm/asid.h"
#include "vm/frame.h"
#include "vm/kmem.h"
#include "vm/vm.h"

extern char __kernel_start[], __kernel_end[], boot_stack_top[];

struct hart harts[MAX_HARTS];
struct boot_info boot;

/* Harts the device tree lets the kernel run on (the others are named in the banner). */
int boot_usable_harts(void)
{
	int n = 0;
	for (int i = 0; i < boot.dt.nharts; i++)
		n += boot.dt.harts[i].skip == DT_HART_OK;
	return n;
}

static void hart_setup(uint64_t hartid)
{
	struct hart *h = &harts[0];
	h->self = h;
	h->hartid = hartid;
	h->index = 0;
	h->plic_ctx = -1;
	/* The kernel runs on one stack per hart: every trap from user mode starts afresh. */
	h->kernel_sp = (uint64_t)boot_stack_top;
	__asm__ volatile("mv tp, %0" ::"r"(h));
}

static void parse_device_tree(uint64_t dtb_pa)
{
	const void *fdt = phys_to_virt(dtb_pa);
	uint32_t size = dt_total_size(fdt);
	int err;

	if (size == 0)
		panic("no valid device tree at %p", (void *)dtb_pa);
	kmem_boot_map(dtb_pa, size);
	if ((err = dt_parse(fdt, size, &boot.dt)) != 0)
		panic("device tree at %p rejected: %s", (void *)dtb_pa, err_name(err));
	boot.mem.dtb_pa = dtb_pa;
	boot.mem.dtb_size = size;
}

static void memory_setup(uint64_t load_pa)
{
	int err;
	boot.mem.load_pa = load_pa;
	boot.mem.image_size = (uint64_t)__kernel_end - (uint64_t)__kernel_start;
	if ((err = kmem_init(&boot.dt, &boot.mem)) != 0)
		panic("memory set-up failed: %s", err_name(err));
	if ((err = kmem_paging_init(&boot.dt, &boot.mem)) != 0)
		panic("kernel page table failed: %s", err_name(err));
	/* asid_bits=N uses at most N (docs/boot.md): the narrow harts' paths, on QEMU. */
	as_probe_asids((unsigned)boot_number(boot.dt.bootargs, "asid_bits=", ASID_BITS_MAX));
}

static void devices_setup(uint64_t hartid)
{
	const struct dt_hart *me = dt_find_hart(&boot.dt, hartid);
	console_init(&boot.dt);
	finisher_init(&boot.dt.finisher);
	this_hart()->sswi = me ? me->sswi_index : -1;
	sswi_init(&boot.dt.sswi); /* absent: IPIs go through SBI */
	if (boot.dt.plic.found && plic_init(&boot.dt.plic, boot.dt.plic_ndev) == 0 && me &&
	    me->plic_s_context >= 0) {
		this_hart()->plic_ctx = me->plic_s_context;
		plic_context_init(me->plic_s_context);
		console_enable_rx(me->plic_s_context);
		csr_set(sie, SIE_SEIE);
	}
	timer_init(boot.dt.timebase_hz, me && me->has_sstc);
	/* User mode may read cycle, time and instret: benchmarks time themselves. */
	csr_write(scounteren, COUNTEREN_CY | COUNTEREN_TM | COUNTEREN_IR);
}

static void banner(uint64_t hartid)
{
	char ext[64];
	unsigned long v = sbi_impl_version(), spec = sbi_spec_version();
	sbi_describe(ext, sizeof(ext));
	printk("\nmukernel: booting on %s\n", boot.dt.model);
	printk("  RAM %lu MiB (%lu MiB usable), kernel at %p, %lu KiB\n", boot.mem.ram_bytes >> 20,
	       boot.mem.usable_bytes >> 20, (void *)boot.mem.load_pa, boot.mem.image_size >> 10);
	printk("  boot hart %lu, %d hart(s) usable of %d, harts running: 1\n", hartid,
	       boot_usable_harts(), boot.dt.nharts);
	printk("  SBI %lu.%lu, %s %lu.%lu, extensions: %s\n", (spec >> 24) & 0x7f, spec & 0xffffff,
	       sbi_impl_name(), v >> 16, v & 0xffff, ext);
	printk("  console %s, timer %s at %lu Hz, PLIC context %d\n", console_driver_name(),
	       timer_source(), boot.dt.timebase_hz, this_hart()->plic_ctx);
	printk("  random bytes: %s\n",
	       entropy_seeded() ? "keyed from /chosen/rng-seed"
				: "none (no /chosen/rng-seed): getentropy gives ENOSYS");
}

/* Key the random generator from the tree's seed, then forget the seed's copy. */
static void entropy_setup(void)
{
	struct dt_info *dt = &boot.dt;
	uint32_t folded = dt->rng_seed_len < DT_MAX_RNG_SEED ? dt->rng_seed_len : DT_MAX_RNG_SEED;
	entropy_init(dt->rng_seed, folded, dt->rng_seed_len);
	for (unsigned i = 0; i < DT_MAX_RNG_SEED; i++)
		((volatile uint8_t *)dt->rng_seed)[i] = 0;
}

void kmain(uint64_t hartid, uint64_t dtb_pa, uint64_t load_pa)
{
	hart_setup(hartid);
	sbi_init();
	parse_device_tree(dtb_pa);
	entropy_setup();
	memory_setup(load_pa);
	devices_setup(hartid);
	banner(hartid);
	timer_start();
	irq_on();
	boot_run(boot.dt.bootargs);
}
