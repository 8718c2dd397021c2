/*
 * Host unit tests for the kernel's pure logic: PTE helpers (gone entries too), the frame allocator and its
 * reference counts, fork's level-0 table helpers, the physical range set, and printk
 * formatting, and the ASID pool. Built with ASan and
 * UBSan; ends with "N passed, M failed".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/abi/error.h"
#include "kernel/lib/chacha20.h"
#include "kernel/lib/format.h"
#include "vm/asid.h"
#include "vm/frame.h"
#include "vm/memmap.h"
#include "vm/pt.h"
#include "vm/pte.h"
#include "test/host/check.h"

static void test_pte(void)
{
	pte_t e = pte_make(0x80201000UL, PTE_V | PTE_R | PTE_X);
	CHECK(pte_pa(e) == 0x80201000UL);
	CHECK(pte_leaf(e) && pte_valid(e));
	CHECK(!pte_leaf(pte_make(0x1000, PTE_V)));
	CHECK(pte_flags(e) == (PTE_V | PTE_R | PTE_X));
	CHECK(pte_pa(pte_make(0xfffffffffff000UL, PTE_V)) == 0xfffffffffff000UL);
	CHECK(pte_flags(pte_make(0x1000, PTE_V | PTE_COW | PTE_SHARED)) & PTE_COW);
	CHECK(PTE_COW == (1UL << 8) && PTE_SHARED == (1UL << 9));
	CHECK(pt_index(0xffffffff80200000UL, 2) == 510);
	CHECK(pt_index(0xffffffff80200000UL, 1) == 1);
	CHECK(pt_index(0xffffffc000000000UL, 2) == 256);
	CHECK(pt_level_size(0) == 4096 && pt_level_size(1) == (2UL << 20) &&
	      pt_level_size(2) == (1UL << 30));
	CHECK(va_canonical(0x3fffffffffUL) && va_canonical(0xffffffc000000000UL));
	CHECK(!va_canonical(0x4000000000UL) && !va_canonical(0x8000000000000000UL));
	CHECK(pte_perm_ok(PTE_R) && pte_perm_ok(PTE_R | PTE_W) && pte_perm_ok(PTE_R | PTE_X));
	CHECK(!pte_perm_ok(PTE_W) && !pte_perm_ok(PTE_R | PTE_W | PTE_X) &&
	      !pte_perm_ok(PTE_W | PTE_X));
}

#define POOL_BASE   0x80000000UL
#define POOL_FRAMES 64

/* Gone entries (memobj_resize): a leaf no user access passes, naming object and page. */
static void test_pte_gone(void)
{
	uint64_t user = PTE_V | PTE_U | PTE_A | PTE_D;
	pte_t rw = pte_make(0x80201000UL, user | PTE_R | PTE_W | PTE_SHARED);
	pte_t cow = pte_make(0x80202000UL, user | PTE_R | PTE_X | PTE_COW);
	pte_t g = pte_gone_make(PTE_GONE_ID_MASK, 511, rw), h = pte_gone_make(7, 3, cow);
	CHECK(pte_is_gone(g) && pte_is_gone(h) && !pte_is_gone(rw) && !pte_is_gone(cow));
	CHECK(pte_leaf(g) && !(g & (PTE_U | PTE_W | PTE_X)));
	CHECK(pte_gone_key(g) == (PTE_GONE_ID_MASK << PTE_GONE_PAGE_BITS | 511));
	CHECK(pte_gone_key(h) == (7UL << PTE_GONE_PAGE_BITS | 3));
	CHECK(pte_gone_flags(g) == pte_flags(rw) && pte_gone_flags(h) == pte_flags(cow));
	/* Above any RAM: a pool's frame_share and frame_drop pass it by. */
	CHECK(pte_pa(g) >= (1UL << 55) && pte_pa(h) >= (1UL << 55));
	CHECK(!pte_is_gone(0) && !pte_is_gone(pte_make(0x80201000UL, PTE_V | PTE_R)));
}

static void test_frames(void)
{
	struct frame_pool p;
	void *meta = malloc(frame_meta_bytes(POOL_FRAMES));
	uint64_t a, b, pa;

	frame_pool_init(&p, POOL_BASE, POOL_FRAMES, meta);
	CHECK(frame_alloc(&p, &a) == E_NOMEM); /* everything starts reserved */
	/* Release 16 frames, from a range that is not page aligned at either end. */
	CHECK(frame_pool_release(&p, POOL_BASE + 0x800, 17 * FRAME_SIZE) == 16);
	CHECK(frame_pool_release(&p, POOL_BASE, 4 * FRAME_SIZE) ==
	      1); /* only frame 0 was reserved */
	CHECK(p.nfree == 17 && p.nusable == 17);
	CHECK(frame_alloc(&p, &a) == 0 && frame_alloc(&p, &b) == 0 && a != b);
	CHECK(frame_count(&p, a) == 1 && p.nfree == 15);
	CHECK(frame_ref(&p, a) == 0 && frame_count(&p, a) == 2 && p.nshared == 1);
	CHECK(frame_unref(&p, a) == 1 && p.nshared == 0);
	CHECK(frame_unref(&p, a) == 0 && p.nfree == 16);
	CHECK(frame_unref(&p, a) == E_INVAL);			      /* double free */
	CHECK(frame_ref(&p, a) == E_INVAL);			      /* ref of a free frame */
	CHECK(frame_ref(&p, POOL_BASE + 40 * FRAME_SIZE) == E_INVAL); /* reserved */
	CHECK(frame_ref(&p, POOL_BASE + 0x10) == E_INVAL);	      /* unaligned */
	CHECK(frame_ref(&p, POOL_BASE - FRAME_SIZE) == E_INVAL);      /* outside */
	CHECK(frame_count(&p, POOL_BASE + POOL_FRAMES * FRAME_SIZE) == FRAME_RESERVED);
	/* Exhaust, fail cleanly, then give everything back. */
	uint64_t got[POOL_FRAMES];
	int n = 0;
	while (frame_alloc(&p, &pa) == 0)
		got[n++] = pa;
	CHECK(n == 16 && p.nfree == 0);
	for (int i = 0; i < n; i++)
		frame_unref(&p, got[i]);
	CHECK(frame_unref(&p, b) == 0 && p.nfree == 17);
	free(meta);
}

/*
 * The zeroed-frame stack: frames given back zeroed come out of frame_alloc_zero first
 * and out of frame_alloc last; the free count covers both stacks.
 */
static void test_zeroed_frames(void)
{
	struct frame_pool p;
	void *meta = malloc(frame_meta_bytes(POOL_FRAMES));
	uint64_t got[4], pa;

	frame_pool_init(&p, POOL_BASE, POOL_FRAMES, meta);
	CHECK(frame_alloc_zero(&p, &pa) == E_NOMEM);
	frame_pool_release(&p, POOL_BASE, 4 * FRAME_SIZE);
	for (int i = 0; i < 4; i++)
		CHECK(frame_alloc(&p, &got[i]) == 0);
	CHECK(frame_alloc(&p, &pa) == E_NOMEM && frame_alloc_zero(&p, &pa) == E_NOMEM);
	CHECK(frame_unref_zeroed(&p, got[0]) == 0 && frame_unref_zeroed(&p, got[1]) == 0);
	CHECK(frame_unref(&p, got[2]) == 0);
	CHECK(p.nfree == 3 && p.nzeroed == 2);
	CHECK(frame_unref_zeroed(&p, got[0]) == E_INVAL); /* double free */
	/* A shared frame given back zeroed is not freed while the other holder has it. */
	CHECK(frame_ref(&p, got[3]) == 0 && frame_unref_zeroed(&p, got[3]) == 1);
	CHECK(p.nzeroed == 2 && p.nshared == 0);
	/* frame_alloc takes the ordinary frame first; frame_alloc_zero the zeroed ones. */
	CHECK(frame_alloc(&p, &pa) == 0 && pa == got[2]);
	CHECK(frame_alloc_zero(&p, &pa) == 1 && pa == got[1]);
	CHECK(frame_unref(&p, pa) == 0); /* ordinary again: not known zero */
	CHECK(frame_alloc_zero(&p, &pa) == 1 && pa == got[0] && p.nzeroed == 0);
	CHECK(frame_alloc_zero(&p, &pa) == 0 && pa == got[1]); /* none zeroed left */
	CHECK(frame_unref_zeroed(&p, pa) == 0 && frame_alloc(&p, &pa) == 0 && pa == got[1]);
	CHECK(p.nfree == 0 && p.nzeroed == 0);
	free(meta);
}

/* The hold hook's list, when the test says this "hart" holds frames back. */
static uint64_t held_list;
static bool holding;
static uint64_t *test_hold(void)
{
	return holding ? &held_list : 0;
}

/*
 * Frames held back (several harts: freed before the fence that removes the last
 * translation of them): not handed out, not counted free, until frame_hold_end gives them
 * back, each to the stack it was freed for. A free by a hart that holds none (the hook
 * says NULL) goes back at once even while another holds.
 */
static void test_held_frames(void)
{
	struct frame_pool p;
	void *meta = malloc(frame_meta_bytes(POOL_FRAMES));
	uint64_t got[4], pa;

	frame_pool_init(&p, POOL_BASE, POOL_FRAMES, meta);
	frame_pool_release(&p, POOL_BASE, 4 * FRAME_SIZE);
	p.locking = true; /* frees go through frame_push_locked, which may hold them */
	p.hold = test_hold;
	for (int i = 0; i < 4; i++)
		CHECK(frame_alloc(&p, &got[i]) == 0);
	frame_hold_begin(&p);
	holding = true;
	CHECK(frame_unref(&p, got[0]) == 0 && frame_unref_zeroed(&p, got[1]) == 0);
	frame_drop(&p, got[2]);
	CHECK(frame_free_count(&p) == 0 && frame_alloc(&p, &pa) == E_NOMEM && held_list != 0);
	CHECK(frame_count(&p, got[0]) == 0 && frame_unref(&p, got[0]) == E_INVAL);
	holding = false; /* another hart's free meanwhile */
	CHECK(frame_unref(&p, got[3]) == 0 && frame_free_count(&p) == 1);
	CHECK(frame_hold_end(&p, &held_list) && held_list == 0 && p.holding == 0);
	CHECK(frame_free_count(&p) == 4 && p.nfree == 4 && p.nzeroed == 1);
	for (int i = 0; i < 3; i++)
		CHECK(*pt_groups(&p, got[i]) == 0); /* the links are gone */
	frame_hold_begin(&p);
	CHECK(!frame_hold_end(&p, &held_list) && frame_free_count(&p) == 4); /* held nothing */
	CHECK(frame_alloc_zero(&p, &pa) == 1 && pa == got[1]);
	/* Nobody holds: a free goes straight back (the hook is not asked). */
	holding = true;
	CHECK(frame_unref(&p, pa) == 0 && frame_free_count(&p) == 4 && held_list == 0);
	holding = false;
	free(meta);
}

/*
 * Several harts' caches: a free goes into the freeing hart's cache until it is full, then
 * to the pool; an allocation comes from the cache, each kind apart, else from the pool;
 * and one that finds its cache and the pool dry empties the other harts' caches rather
 * than fail.
 */
static void test_frame_caches(void)
{
	enum { N = 40 };
	struct frame_pool p;
	void *meta = malloc(frame_meta_bytes(N));
	uint64_t got[N], pa;

	frame_pool_init(&p, POOL_BASE, N, meta);
	frame_pool_release(&p, POOL_BASE, N * FRAME_SIZE);
	p.locking = true;
	frame_host_hart = 0;
	CHECK(frame_alloc(&p, &got[0]) == 0 && p.nfree == N - 1); /* the cache was empty */
	CHECK(frame_unref(&p, got[0]) == 0 && p.cache[0].kind[0].n == 1 && p.nfree == N - 1);
	CHECK(frame_free_count(&p) == N);
	CHECK(frame_alloc(&p, &pa) == 0 && pa == got[0] && p.cache[0].kind[0].n == 0);
	CHECK(frame_unref_zeroed(&p, pa) == 0 && p.cache[0].kind[1].n == 1);
	CHECK(frame_alloc(&p, &pa) == 0 && pa != got[0]); /* ordinary wanted: from the pool */
	CHECK(frame_unref(&p, pa) == 0 && p.cache[0].kind[0].n == 1);
	CHECK(frame_alloc_zero(&p, &pa) == 1 && pa == got[0]); /* the zeroed kind apart */
	CHECK(frame_unref(&p, pa) == 0 && p.cache[0].kind[0].n == 2);
	/* Hart 1 takes every frame: the last ones from hart 0's cache. */
	frame_host_hart = 1;
	int n = 0;
	while (n < N && frame_alloc(&p, &got[n]) == 0)
		n++;
	CHECK(n == N && frame_alloc(&p, &pa) == E_NOMEM && frame_free_count(&p) == 0);
	CHECK(p.cache[0].kind[0].n == 0 && p.cache[0].kind[1].n == 0);
	/* All back on hart 1: its cache fills, the rest goes to the pool. */
	for (int i = 0; i < N; i++)
		CHECK(frame_unref(&p, got[i]) == 0);
	CHECK(p.cache[1].kind[0].n == FRAME_CACHE_MAX && p.nfree == N - FRAME_CACHE_MAX);
	CHECK(frame_free_count(&p) == N);
	CHECK(frame_unref(&p, got[0]) == E_INVAL); /* a cached frame is free: no double free */
	frame_host_hart = 0;
	free(meta);
}

/* Group masks: the group of an entry from its address, the lowest group of a mask. */
static void test_groups(void)
{
	static pte_t t[PT_ENTRIES] __attribute__((aligned(4096)));
	int ok = 1;
	for (unsigned g = 0; g < 64; g++) {
		ok &= pt_lowest_group(1UL << g) == g;
		ok &= pt_lowest_group(~0UL << g) == g;
		ok &= pt_group_of(&t[g * PT_GROUP]) == g && pt_group_of(&t[g * PT_GROUP + 7]) == g;
	}
	CHECK(ok);
	CHECK(pt_lowest_group((1UL << 63) | (1UL << 40)) == 40);
}

/* Fork's table helpers: write-protect, count, copy with a reference per leaf. */
static void test_l0_tables(void)
{
	struct frame_pool p;
	void *meta = malloc(frame_meta_bytes(POOL_FRAMES));
	static pte_t t[PT_ENTRIES], c[PT_ENTRIES], d[PT_ENTRIES];
	uint64_t pa[3], groups;
	bool changed = false;

	frame_pool_init(&p, POOL_BASE, POOL_FRAMES, meta);
	frame_pool_release(&p, POOL_BASE, POOL_FRAMES * FRAME_SIZE);
	for (int i = 0; i < 3; i++)
		CHECK(frame_alloc(&p, &pa[i]) == 0);
	t[3] = pte_make(pa[0], PTE_V | PTE_R | PTE_W | PTE_U);		      /* private RW */
	t[100] = pte_make(pa[1], PTE_V | PTE_R | PTE_W | PTE_U | PTE_SHARED); /* shared RW */
	t[511] = pte_make(pa[2], PTE_V | PTE_R | PTE_X | PTE_U);	      /* text */

	/* Without protect, nothing changes. */
	CHECK(pt_l0_scan(t, ~0UL, false, &groups, &changed) == 3 && !changed);
	CHECK(t[3] & PTE_W);
	CHECK(groups == ((1UL << 0) | (1UL << 12) | (1UL << 63)));
	/* Protect: only the private writable page becomes COW. */
	/* Groups outside the mask are not looked at: a mask never says less than the table. */
	CHECK(pt_l0_scan(t, 1UL << 12, true, &groups, &changed) == 1 && !changed);
	CHECK(groups == (1UL << 12) && (t[3] & PTE_W));
	CHECK(pt_l0_scan(t, ~0UL, true, &groups, &changed) == 3 && changed);
	CHECK(!(t[3] & PTE_W) && (t[3] & PTE_COW) && pte_pa(t[3]) == pa[0]);
	CHECK((t[100] & PTE_W) && !(t[100] & PTE_COW));
	CHECK(t[511] == pte_make(pa[2], PTE_V | PTE_R | PTE_X | PTE_U));
	changed = false;
	CHECK(pt_l0_scan(t, ~0UL, true, &groups, &changed) == 3 && !changed); /* nothing left */

	/* Copies: same entries, one more reference on each frame. */
	pt_l0_copy_groups(c, t, groups, &p);
	pt_l0_copy(d, t, &p);
	CHECK(memcmp(c, t, sizeof(t)) == 0 && memcmp(d, t, sizeof(t)) == 0);
	for (int i = 0; i < 3; i++)
		CHECK(frame_count(&p, pa[i]) == 3);
	CHECK(p.nshared == 3);
	free(meta);
}

static void test_memmap(void)
{
	struct memmap m;
	uint64_t at;
	memmap_init(&m);
	CHECK(memmap_add(&m, 0x1000, 0x1000) == E_INVAL);
	CHECK(memmap_add(&m, 0x80000000, 0x88000000) == 0);
	CHECK(memmap_add(&m, 0x90000000, 0x91000000) == 0 && m.n == 2);
	CHECK(memmap_add(&m, 0x88000000, 0x90000000) == 0 && m.n == 1); /* joins both */
	CHECK(memmap_remove(&m, 0x80000000, 0x80080000) == 0 && m.r[0].base == 0x80080000);
	CHECK(memmap_remove(&m, 0x80200000, 0x80300000) == 0 && m.n == 2); /* a hole */
	CHECK(memmap_bytes(&m) == 0x11000000 - 0x80000 - 0x100000);
	CHECK(memmap_remove(&m, 0x70000000, 0xa0000000) == 0 && m.n == 0);
	CHECK(memmap_add(&m, 0x1000, 0x3000) == 0 && memmap_find(&m, 0x2000, 0x1000, &at) == 0 &&
	      at == 0x1000);
	CHECK(memmap_find(&m, 0x2000, 0x2000, &at) ==
	      E_NOMEM); /* aligned start leaves too little */
	memmap_init(&m);
	for (int i = 0; i < MEMMAP_MAX; i++)
		memmap_add(&m, (uint64_t)i * 0x10000, (uint64_t)i * 0x10000 + 0x1000);
	CHECK(m.n == MEMMAP_MAX && memmap_add(&m, 0x10000000, 0x10001000) == E_RANGE);
	CHECK(memmap_remove(&m, 0x10000 + 0x400, 0x10000 + 0x800) == E_RANGE); /* split overflows */
}

static void check_fmt(const char *want, const char *got)
{
	if (strcmp(want, got) != 0)
		printf("format: want \"%s\" got \"%s\"\n", want, got);
	CHECK(strcmp(want, got) == 0);
}

static void test_format(void)
{
	char b[80];
	ksnprintf(b, sizeof(b), "%d %i %u %x %X", -1, 42, 4000000000u, 0xabcu, 0xabcu);
	check_fmt("-1 42 4000000000 abc ABC", b);
	ksnprintf(b, sizeof(b), "%ld %lu %lx", (long)INT64_MIN, (unsigned long)UINT64_MAX,
		  0x1234567890abcdefUL);
	check_fmt("-9223372036854775808 18446744073709551615 1234567890abcdef", b);
	ksnprintf(b, sizeof(b), "[%5d][%-5d][%05d][%-4s][%3s][%c][%%]", 42, 42, -42, "ab", "abcd",
		  'z');
	check_fmt("[   42][42   ][-0042][ab  ][abcd][z][%]", b);
	ksnprintf(b, sizeof(b), "%p %s", (void *)0x80200000UL, (char *)NULL);
	check_fmt("0x0000000080200000 (null)", b);
	CHECK(ksnprintf(b, 4, "%s", "truncate") == 8 && strcmp(b, "tru") == 0);
	CHECK(ksnprintf(b, 1, "x") == 1 && b[0] == '\0');
}

/* Every ASID a pool of bits hands out before the shared one: distinct, none 0. */
static int asid_fill(struct asid_pool *p, unsigned bits, uint16_t *got)
{
	static uint8_t seen[1u << ASID_BITS_MAX];
	int n = 0, dup = 0;
	memset(seen, 0, sizeof(seen));
	asid_pool_init(p, bits);
	for (uint32_t a; (a = asid_take(p)) != p->shared; n++) {
		dup += a == 0 || seen[a]++;
		got[n] = a;
	}
	CHECK(dup == 0);
	return n;
}

static void test_asids(void)
{
	static struct asid_pool p;
	static uint16_t got[1u << ASID_BITS_MAX];
	/* 16 bits: 65,534 ASIDs (not 0, not the shared 65,535), then the shared one. */
	CHECK(asid_fill(&p, 16, got) == 65534);
	CHECK(asid_take(&p) == 65535 && asid_take(&p) == 65535);
	asid_give(&p, 300);
	asid_give(&p, 65535); /* the shared one is never free */
	/* 300 is free but dirty: a hart may cache it until every hart has flushed. */
	CHECK(asid_take(&p) == ASID_FLUSH_FIRST && asid_take(&p) == ASID_FLUSH_FIRST);
	asid_clean(&p);
	CHECK(asid_take(&p) == 300 && asid_take(&p) == 65535);
	/* Small and absent ASID fields: 4 bits give 1..14; none gives 0, shared by all. */
	CHECK(asid_fill(&p, 4, got) == 14 && got[0] == 1 && got[13] == 14);
	CHECK(asid_take(&p) == 15);
	CHECK(asid_fill(&p, 0, got) == 0 && asid_take(&p) == 0);
	asid_give(&p, 0);
	CHECK(asid_take(&p) == 0);
	/* A clean one goes before any dirty one, wherever the search starts. */
	asid_pool_init(&p, 4);
	uint32_t first = asid_take(&p), second = asid_take(&p);
	asid_give(&p, (uint16_t)first);
	CHECK(second == 2 && asid_take(&p) == 3);
	CHECK(asid_fill(&p, 7, got) == 126);
	/* Churn: a long-lived space keeps its ASID through 300,000 short-lived ones (a
	 * counter that wraps hands it out again after 65,535). */
	asid_pool_init(&p, 16);
	uint16_t kept = (uint16_t)asid_take(&p);
	int clash = 0, zero = 0;
	uint16_t live[3] = { (uint16_t)asid_take(&p), (uint16_t)asid_take(&p),
			     (uint16_t)asid_take(&p) };
	int flushes = 0;
	for (int i = 0; i < 300000; i++) {
		uint32_t a = asid_take(&p);
		if (a == ASID_FLUSH_FIRST) {
			asid_clean(&p);
			flushes++;
			a = asid_take(&p);
		}
		clash += a == kept || a == live[0] || a == live[1] || a == live[2];
		zero += a == 0 || a == p.shared;
		asid_give(&p, live[i % 3]);
		live[i % 3] = (uint16_t)a;
	}
	/* One flush of every hart per 65,530 or so new spaces, not one per space. */
	CHECK(clash == 0 && zero == 0 && flushes >= 4 && flushes <= 5);
}

/* RFC 8439's block function vector (section 2.3.2) and a counter step. */
static void test_chacha20(void)
{
	const uint32_t key[CHACHA20_KEY_WORDS] = { 0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c,
						   0x13121110, 0x17161514, 0x1b1a1918, 0x1f1e1d1c };
	const uint32_t nonce[CHACHA20_NONCE_WORDS] = { 0x09000000, 0x4a000000, 0x00000000 };
	const uint32_t want[CHACHA20_BLOCK_WORDS] = {
		0xe4e7f110, 0x15593bd1, 0x1fdd0f50, 0xc47120a3, 0xc7f4d1c7, 0x0368c033,
		0x9aaa2204, 0x4e6cd4c3, 0x466482d2, 0x09aa9f07, 0x05d7c214, 0xa2028bd9,
		0xd19c12b5, 0xb94e16de, 0xe883d0cb, 0x4e3c50a2
	};
	uint32_t out[CHACHA20_BLOCK_WORDS], next[CHACHA20_BLOCK_WORDS];
	chacha20_block(key, 1, nonce, out);
	CHECK(memcmp(out, want, sizeof(want)) == 0);
	chacha20_block(key, 2, nonce, next);
	CHECK(memcmp(out, next, sizeof(out)) != 0);
}

int main(void)
{
	test_pte();
	test_pte_gone();
	test_frames();
	test_zeroed_frames();
	test_held_frames();
	test_frame_caches();
	test_groups();
	test_l0_tables();
	test_memmap();
	test_format();
	test_asids();
	test_chacha20();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
