/*
 * In-kernel self-tests, run by "test" on the kernel command line. Each test returns
 * NULL on success or a message saying what went wrong; the suite checks that the free
 * frame count comes back to where it started, and ends with "N passed, M failed".
 */
#include <stddef.h>

#include "drivers/timer.h"
#include "kernel/abi/error.h"
#include "kernel/boot/boot.h"
#include "kernel/cpu/hart.h"
#include "kernel/cpu/riscv.h"
#include "kernel/cpu/trap.h"
#include "kernel/io/console.h"
#include "kernel/io/printk.h"
#include "kernel/lib/format.h"
#include "kernel/selftest/selftest.h"
#include "sbi/sbi.h"
#include "vm/frame.h"
#include "vm/pt.h"
#include "vm/vm.h"

#define SCRATCH_VA    0xffffffff00000000UL /* an unused kernel slot for mapping tests */
#define RX_WAIT_TICKS (30 * TICK_HZ)	   /* the harness types within seconds; be generous */

static char why[160];

#define CHECK(cond, ...)                                          \
	do {                                                      \
		if (!(cond)) {                                    \
			ksnprintf(why, sizeof(why), __VA_ARGS__); \
			return why;                               \
		}                                                 \
	} while (0)

static const char *test_devicetree(void)
{
	const struct dt_info *dt = &boot.dt;
	CHECK(dt->nmem > 0, "no /memory");
	CHECK(dt->timebase_hz > 0, "no timebase-frequency");
	CHECK(boot_usable_harts() > 0, "no usable hart");
	const struct dt_hart *me = dt_find_hart(dt, this_hart()->hartid);
	CHECK(me && me->skip == DT_HART_OK, "boot hart %lu not usable", this_hart()->hartid);
	CHECK(dt->console.found, "no stdout-path console");
	return NULL;
}

static const char *test_sbi(void)
{
	CHECK((sbi_spec_version() >> 24) >= 1 || (sbi_spec_version() & 0xffffff) >= 2,
	      "SBI spec older than 0.2");
	CHECK(sbi_has(SBI_HAS_TIME), "no TIME extension");
	struct sbiret r = sbi_call(0x0bad0bad, 0, 0, 0, 0, 0);
	CHECK(r.error == SBI_ERR_NOT_SUPPORTED, "unknown extension gave %ld", r.error);
	return NULL;
}

static const char *test_format(void)
{
	char b[64];
	ksnprintf(b, sizeof(b), "%d|%u|%x|%s|%5d|%-3s|%05d", -42, 7u, 0xbeefu, "ok", 12, "a", -3);
	for (const char *e = "-42|7|beef|ok|   12|a  |-0003", *p = b; *e || *p; e++, p++)
		CHECK(*e == *p, "got \"%s\"", b);
	ksnprintf(b, sizeof(b), "%lx %ld", 0xffffffffffffffffUL, (long)INT64_MIN);
	for (const char *e = "ffffffffffffffff -9223372036854775808", *p = b; *e || *p; e++, p++)
		CHECK(*e == *p, "got \"%s\"", b);
	return NULL;
}

static const char *test_frames(void)
{
	uint64_t free0 = frame_free_count(&kframes), a, b;
	CHECK(frame_alloc(&kframes, &a) == 0 && frame_alloc(&kframes, &b) == 0, "alloc failed");
	CHECK(a != b && frame_count(&kframes, a) == 1, "bad first count");
	CHECK(frame_ref(&kframes, a) == 0 && frame_count(&kframes, a) == 2, "ref did not count");
	CHECK(frame_unref(&kframes, a) == 1, "unref to 1");
	CHECK(frame_unref(&kframes, a) == 0 && frame_unref(&kframes, b) == 0, "unref to 0");
	CHECK(frame_unref(&kframes, a) == E_INVAL, "double free accepted");
	CHECK(frame_ref(&kframes, boot.mem.load_pa) == E_INVAL, "kernel image frame is refcounted");
	CHECK(frame_free_count(&kframes) == free0, "free count %lu, expected %lu",
	      frame_free_count(&kframes), free0);
	return NULL;
}

/* Take every free frame, see E_NOMEM, give them all back: the pool survives exhaustion. */
static const char *test_frames_exhaust(void)
{
	uint64_t n = frame_free_count(&kframes), pa, chain = 0, got = 0;
	/* Chain the taken frames through their own first word: no other memory is left. */
	while (frame_alloc(&kframes, &pa) == 0) {
		*(uint64_t *)phys_to_virt(pa) = chain;
		chain = pa;
		got++;
	}
	int err = frame_alloc(&kframes, &pa);
	while (chain) {
		uint64_t next = *(uint64_t *)phys_to_virt(chain);
		frame_unref(&kframes, chain);
		chain = next;
	}
	CHECK(got == n, "took %lu of %lu", got, n);
	CHECK(err == E_NOMEM, "empty pool gave %s", err_name(err));
	CHECK(frame_free_count(&kframes) == n, "%lu free after, expected %lu",
	      frame_free_count(&kframes), n);
	return NULL;
}

static const char *test_map_alias(void)
{
	uint64_t pa, v = 0;
	CHECK(frame_alloc(&kframes, &pa) == 0, "alloc");
	volatile uint64_t *direct = phys_to_virt(pa);
	direct[0] = 0x5eed5eed12345678UL;
	CHECK(pt_map(kernel_root, SCRATCH_VA, pa, PAGE_SIZE, PTE_R | PTE_W | PTE_G) == 0, "map");
	CHECK(pt_map(kernel_root, SCRATCH_VA, pa, PAGE_SIZE, PTE_R | PTE_G) == E_BUSY,
	      "double map");
	CHECK(probe_load(SCRATCH_VA, &v) == 0 && v == 0x5eed5eed12345678UL, "alias read %lx", v);
	pte_t old = pt_unmap_page(kernel_root, SCRATCH_VA);
	CHECK(pte_pa(old) == pa, "unmap returned the wrong frame");
	CHECK(probe_load(SCRATCH_VA, &v) == E_FAULT, "unmapped page still readable");
	CHECK(pt_map(kernel_root, SCRATCH_VA, pa, PAGE_SIZE, PTE_W) == E_INVAL, "W without R");
	CHECK(pt_map(kernel_root, SCRATCH_VA, pa, PAGE_SIZE, PTE_R | PTE_W | PTE_X) == E_INVAL,
	      "W+X");
	frame_unref(&kframes, pa);
	return NULL;
}

/* Every leaf of the kernel table: A and D set, never U, never W with X; text not writable. */
static const char *check_leaf(uint64_t va, pte_t e)
{
	extern char __kernel_start[], __text_end[];
	CHECK((e & (PTE_A | PTE_D)) == (PTE_A | PTE_D), "A/D clear at %p", (void *)va);
	CHECK(!(e & PTE_U), "user bit on kernel page %p", (void *)va);
	CHECK(!((e & PTE_W) && (e & PTE_X)), "W+X at %p", (void *)va);
	if (va >= (uint64_t)__kernel_start && va < (uint64_t)__text_end)
		CHECK((e & PTE_X) && !(e & PTE_W), "kernel text at %p not R-X", (void *)va);
	return NULL;
}

static const char *walk_table(pte_t *t, int level, uint64_t va_base)
{
	for (int i = 0; i < PT_ENTRIES; i++) {
		uint64_t va = va_base + ((uint64_t)i << (PT_PAGE_SHIFT + PT_INDEX_BITS * level));
		if (level == PT_LEVELS - 1 && i >= PT_ENTRIES / 2)
			va |= ~((1UL << SV39_VA_BITS) - 1); /* sign-extend the upper half */
		if (!pte_valid(t[i]))
			continue;
		const char *r = pte_leaf(t[i])
					? check_leaf(va, t[i])
					: walk_table(phys_to_virt(pte_pa(t[i])), level - 1, va);
		if (r)
			return r;
	}
	return NULL;
}

static const char *test_kernel_wx(void)
{
	int level;
	extern char __kernel_start[];
	pte_t *e = pt_lookup(kernel_root, (uint64_t)__kernel_start, &level);
	CHECK(e && level == 0, "kernel text not mapped with 4 KiB pages");
	return walk_table(kernel_root, PT_LEVELS - 1, 0);
}

static const char *test_timer_ticks(void)
{
	uint64_t t0 = this_hart()->ticks, start = rdtime();
	uint64_t limit = 10 * timer_timebase(); /* ten seconds of guest time at most */
	while (this_hart()->ticks < t0 + 3 && rdtime() - start < limit)
		wfi();
	CHECK(this_hart()->ticks >= t0 + 3, "no timer ticks (%s)", timer_source());
	return NULL;
}

/* The harness types "ping" when it sees the marker; it must arrive by interrupt. */
static const char *test_uart_rx(void)
{
	char line[16];
	unsigned n = 0;
	uint64_t t0 = this_hart()->ticks;
	CHECK(console_irq() != 0 && this_hart()->plic_ctx >= 0, "no interrupt-driven console");
	printk("@rx-ready\n");
	while (n < sizeof(line) - 1 && this_hart()->ticks - t0 < RX_WAIT_TICKS) {
		int c = console_getc();
		if (c < 0) {
			wfi();
			continue;
		}
		if (c == '\r' || c == '\n')
			break;
		line[n++] = (char)c;
	}
	line[n] = 0;
	CHECK(n == 4 && line[0] == 'p' && line[1] == 'i' && line[2] == 'n' && line[3] == 'g',
	      "received \"%s\"", line);
	return NULL;
}

static const struct {
	const char *name;
	const char *(*fn)(void);
} tests[] = {
	{ "devicetree", test_devicetree },
	{ "sbi", test_sbi },
	{ "format", test_format },
	{ "frames", test_frames },
	{ "frames_exhaust", test_frames_exhaust },
	{ "map_alias", test_map_alias },
	{ "kernel_wx", test_kernel_wx },
	{ "timer_ticks", test_timer_ticks },
	{ "uart_rx", test_uart_rx },
};

int selftest_run(void)
{
	int passed = 0, failed = 0;
	/* The mapping test leaves its page tables behind on purpose; make them first. */
	pt_walk(kernel_root, SCRATCH_VA, 0, 1);
	uint64_t free0 = frame_free_count(&kframes);

	printk("selftest: %d tests, %lu free frames\n", (int)(sizeof(tests) / sizeof(tests[0])),
	       free0);
	for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		const char *r = tests[i].fn();
		printk("test %-16s %s%s\n", tests[i].name, r ? "FAIL: " : "ok", r ? r : "");
		r ? failed++ : passed++;
	}
	if (frame_free_count(&kframes) != free0) {
		printk("test %-16s FAIL: %lu free frames, expected %lu\n", "frame_leak",
		       frame_free_count(&kframes), free0);
		failed++;
	} else {
		printk("test %-16s ok\n", "frame_leak");
		passed++;
	}
	printk("%d passed, %d failed\n", passed, failed);
	return failed;
}
