/*
 * Host unit tests for vm/as.c, the address spaces, built with ASan and UBSan and run as
 * they are in the kernel: the frame pool covers a buffer of this process ("physical"
 * addresses are the buffer's minus the direct map's base, so phys_to_virt lands in it),
 * the quota is a struct quota, and the TLB calls (vm/tlb.h) are counted instead of made.
 * Covers clone (COW and EAGER, in one go and in the steps several harts take), the store-fault steps (copy, reuse, a shared level-0
 * table), unmap and protect over shared tables, and out-of-memory rollback; every test
 * ends with the pool's free count back where it started. Ends with "N passed, M failed".
 */
#define _GNU_SOURCE /* pthread_tryjoin_np */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/abi/error.h"
#include "kernel/abi/fault.h"
#include "kernel/abi/ipc.h"
#include "vm/as.h"
#include "vm/frame.h"
#include "vm/pt.h"
#include "vm/tlb.h"
#include "vm/vm.h"
#include "test/host/check.h"

/* --- what the kernel provides around as.c ------------------------------------------ */

struct frame_pool kframes;
static unsigned page_flushes, all_flushes;
/*
 * Batches (tlb.h) must nest nowhere, close, and allocate no frame inside: the free count
 * may only grow between a begin, the page flushes inside and the end.
 */
static unsigned batches, batch_depth, batch_errors;
static uint64_t batch_free;

static void batch_check_no_alloc(void)
{
	if (batch_depth && kframes.nfree < batch_free)
		batch_errors++;
	batch_free = kframes.nfree;
}

void tlb_flush_page(struct as *as, uint64_t va)
{
	(void)as;
	(void)va;
	page_flushes++;
	batch_check_no_alloc();
}

void tlb_flush_all(struct as *as)
{
	(void)as;
	all_flushes++;
	batch_check_no_alloc();
}

void tlb_space_gone(struct as *as)
{
	tlb_flush_all(as);
}

void tlb_batch_begin(struct as *as)
{
	(void)as;
	batches++;
	if (batch_depth++)
		batch_errors++;
	batch_free = kframes.nfree;
}

void tlb_batch_end(struct as *as)
{
	(void)as;
	batch_check_no_alloc();
	if (batch_depth-- != 1)
		batch_errors++;
}

/* The kernel's may flush the space once at the batch's end instead: a page's flush here. */
void tlb_batch_page(struct as *as, uint64_t va)
{
	if (batch_depth != 1)
		batch_errors++;
	tlb_flush_page(as, va);
}

void tlb_flush_here(uint64_t va)
{
	(void)va;
}

void tlb_flush_kernel(uint64_t va)
{
	(void)va;
}

void tlb_new_asid(struct as *as)
{
	as->asid = 1;
}

/* The kernel's page_copy is RISC-V assembly (vm/page_copy.S). */
void page_copy(void *dst, const void *src)
{
	memcpy(dst, src, PAGE_SIZE);
}

/* --- the pool, a kernel root and address spaces -------------------------------------- */

#define POOL_FRAMES 1024
#define RW	    (MAP_PROT_READ | MAP_PROT_WRITE)
#define SPAN	    (2UL << 20)		/* what one level-0 table maps */
#define SPARSE	    0x10000000UL	/* a few pages: fork copies their table when hot */
#define DENSE	    (SPARSE + 4 * SPAN) /* a whole table full: fork shares it */
#define DENSE_PAGES 512

static void *ram, *meta;

/* A pool of n frames over fresh memory, every frame free, and a kernel root with one entry. */
static void pool_start(uint64_t n)
{
	ram = aligned_alloc(FRAME_SIZE, n * FRAME_SIZE);
	meta = malloc(frame_meta_bytes(n));
	memset(ram, 0xa5, n * FRAME_SIZE); /* frames hold garbage until someone clears them */
	frame_pool_init(&kframes, virt_to_phys(ram), n, meta);
	frame_pool_release(&kframes, virt_to_phys(ram), n * FRAME_SIZE);
	kernel_root = pt_alloc();
	kernel_root[300] = pte_make(0x80000000UL, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
	pt_mark(&kframes, virt_to_phys(kernel_root), &kernel_root[300]);
}

static void pool_end(void)
{
	kernel_root[300] = 0;
	*pt_groups(&kframes, virt_to_phys(kernel_root)) = 0;
	frame_unref_zeroed(&kframes, virt_to_phys(kernel_root));
	CHECK(kframes.nfree == kframes.nusable); /* nothing leaked */
	CHECK(kframes.nshared == 0);
	free(ram);
	free(meta);
}

struct space {
	struct as as;
	struct quota quota;
};

static int space_new(struct space *s, uint64_t limit)
{
	memset(s, 0, sizeof(*s));
	s->quota.limit = limit;
	return as_init(&s->as, &s->quota);
}

static void space_free(struct space *s)
{
	as_free_tables(&s->as);
	CHECK(s->quota.used == 0); /* every table and page refunded */
}

/* The leaf PTE for va, or 0. */
static pte_t pte_at(struct space *s, uint64_t va)
{
	pte_t *e = as_pte(&s->as, va);
	return e ? *e : 0;
}

/* The level-1 entry above va (its level-0 table), or 0. */
static pte_t l1_at(struct space *s, uint64_t va)
{
	pte_t r = s->as.root[pt_index(va, 2)];
	if (!pte_valid(r))
		return 0;
	return ((pte_t *)phys_to_virt(pte_pa(r)))[pt_index(va, 1)];
}

/* A store of v at va as user code makes it: a fault first if the page is not writable. */
static int store(struct space *s, uint64_t va, uint8_t v)
{
	pte_t e = pte_at(s, va);
	if (!(e & PTE_W)) {
		enum as_fault f = as_user_fault(&s->as, va, EXC_STORE_PAGE_FAULT);
		if (f != AS_FAULT_RESOLVED)
			return (int)f;
		e = pte_at(s, va);
	}
	*(uint8_t *)phys_to_virt(pte_pa(e) + (va & (PAGE_SIZE - 1))) = v;
	return 0;
}

static int load(struct space *s, uint64_t va)
{
	uint64_t pa;
	if (as_translate(&s->as, va, 0, &pa) != 0)
		return -1;
	return *(uint8_t *)phys_to_virt(pa);
}

/* A parent with 3 pages in one table and a whole table of 512, each page holding its number. */
static void parent_make(struct space *p)
{
	CHECK(space_new(p, 1UL << 30) == 0);
	CHECK(as_map_anon(&p->as, SPARSE, 3, RW) == 0);
	CHECK(as_map_anon(&p->as, DENSE, DENSE_PAGES, RW) == 0);
	for (unsigned i = 0; i < 3; i++)
		CHECK(store(p, SPARSE + i * PAGE_SIZE, (uint8_t)(10 + i)) == 0);
	for (unsigned i = 0; i < DENSE_PAGES; i++)
		store(p, DENSE + i * PAGE_SIZE, (uint8_t)i);
	CHECK(p->as.resident == 3 + DENSE_PAGES);
}

/* A parent made by parent_make and its COW child. */
static void family_make(struct space *p, struct space *c)
{
	parent_make(p);
	CHECK(space_new(c, 1UL << 30) == 0);
	CHECK(as_clone(&p->as, &c->as, FORK_COW, SPARSE) == 0);
}

/* --- the tests ------------------------------------------------------------------------ */

static void test_map_basics(void)
{
	struct space s;
	pool_start(POOL_FRAMES);
	uint64_t free0 = kframes.nfree;
	CHECK(space_new(&s, 1UL << 30) == 0);
	CHECK(s.as.root && s.as.root[300] == kernel_root[300]); /* the kernel half is shared */
	CHECK(as_map_anon(&s.as, SPARSE, 2, RW) == 0);
	CHECK(as_map_anon(&s.as, SPARSE + PAGE_SIZE, 1, RW) == E_BUSY);
	CHECK(as_map_anon(&s.as, SPARSE + 1, 1, RW) == E_INVAL);
	CHECK(as_map_anon(&s.as, SPARSE, 1, MAP_PROT_WRITE) == E_INVAL); /* W alone */
	CHECK(as_map_anon(&s.as, SPARSE, 1, MAP_PROT_WRITE | MAP_PROT_EXEC | MAP_PROT_READ) ==
	      E_INVAL);							   /* W^X */
	CHECK(load(&s, SPARSE) == 0 && load(&s, SPARSE + PAGE_SIZE) == 0); /* zeroed */
	CHECK(s.as.resident == 2);
	/* root, level-1 and level-0 tables, two pages */
	CHECK(s.quota.used == 5 * PAGE_SIZE && free0 - kframes.nfree == 5);
	CHECK(as_unmap(&s.as, SPARSE, 2) == 0);
	CHECK(!as_pte(&s.as, SPARSE) && s.as.resident == 0);
	/* the emptied level-0 table went too */
	CHECK(s.quota.used == 2 * PAGE_SIZE && !pte_valid(l1_at(&s, SPARSE)));
	/* and its level-1 group, empty now, is unmarked: fork and exit skip it */
	CHECK(*pt_groups(&kframes, pte_pa(s.as.root[pt_index(SPARSE, 2)])) == 0);
	space_free(&s);
	pool_end();
}

static void test_clone_cow(void)
{
	struct space p, c;
	pool_start(POOL_FRAMES);
	parent_make(&p);
	CHECK(space_new(&c, 1UL << 30) == 0);
	unsigned flushes = all_flushes;
	CHECK(as_clone(&p.as, &c.as, FORK_COW, SPARSE) == 0);
	CHECK(all_flushes > flushes); /* the parent lost W: its translations go */
	CHECK(c.as.resident == p.as.resident);
	/* Sparse table: copied; each page COW in both and its frame counted twice... */
	pte_t pe = pte_at(&p, SPARSE + PAGE_SIZE), ce = pte_at(&c, SPARSE + PAGE_SIZE);
	CHECK((pe & (PTE_W | PTE_COW)) == PTE_COW && pe == ce);
	CHECK(frame_count(&kframes, pte_pa(pe)) == 2);
	CHECK(pte_pa(l1_at(&p, SPARSE)) != pte_pa(l1_at(&c, SPARSE)));
	/* ...but the hot page: the child has its own copy, the parent writes its frame. */
	pe = pte_at(&p, SPARSE), ce = pte_at(&c, SPARSE);
	CHECK((pe & (PTE_W | PTE_COW)) == PTE_W && (ce & (PTE_W | PTE_COW)) == PTE_W);
	CHECK(pte_pa(pe) != pte_pa(ce) && frame_count(&kframes, pte_pa(pe)) == 1);
	CHECK(load(&c, SPARSE) == 10 && store(&c, SPARSE, 77) == 0 && load(&p, SPARSE) == 10);
	CHECK((l1_at(&p, SPARSE) & PTE_TABLE_DIRTY) && (l1_at(&c, SPARSE) & PTE_TABLE_DIRTY));
	/* Dense table: shared, one more reference on the table and none on its pages. */
	CHECK(pte_pa(l1_at(&p, DENSE)) == pte_pa(l1_at(&c, DENSE)));
	CHECK(frame_count(&kframes, pte_pa(l1_at(&p, DENSE))) == 2);
	CHECK(frame_count(&kframes, pte_pa(pte_at(&p, DENSE))) == 1);
	CHECK(pte_at(&c, DENSE + 7 * PAGE_SIZE) & PTE_COW);
	CHECK(load(&c, SPARSE + PAGE_SIZE) == 11 && load(&c, DENSE + 7 * PAGE_SIZE) == 7);
	/* The child is charged for every table (shared or not: root, level 1, two level 0)
	 * and every page. */
	CHECK(c.quota.used == (4 + 3 + DENSE_PAGES) * PAGE_SIZE);
	space_free(&c);
	CHECK(frame_count(&kframes, pte_pa(pte_at(&p, SPARSE))) == 1);
	CHECK(frame_count(&kframes, pte_pa(l1_at(&p, DENSE))) == 1);
	space_free(&p);
	pool_end();
}

/* The root entry above va (its level-1 table). */
static pte_t root_at(struct space *s, uint64_t va)
{
	return s->as.root[pt_index(va, 2)];
}

/*
 * A sparse dirty table away from the hot address is write-protected, and the level-1 table
 * above it, clean then, is shared whole; the first store below copies the level-1 table,
 * the level-0 table and then the page, and each task keeps its own values.
 */
static void test_clone_shares_cold(void)
{
	struct space p, c;
	pool_start(POOL_FRAMES);
	parent_make(&p);
	CHECK(space_new(&c, 1UL << 30) == 0);
	CHECK(as_clone(&p.as, &c.as, FORK_COW, AS_CLONE_NO_HOT) == 0);
	uint64_t table = pte_pa(l1_at(&p, SPARSE)), va = SPARSE + PAGE_SIZE;
	uint64_t old = pte_pa(pte_at(&p, va));
	uint64_t l1 = pte_pa(root_at(&p, SPARSE));
	CHECK(pte_pa(root_at(&c, SPARSE)) == l1 && frame_count(&kframes, l1) == 2);
	CHECK(!(root_at(&p, SPARSE) & PTE_TABLE_DIRTY) && !(root_at(&c, SPARSE) & PTE_TABLE_DIRTY));
	CHECK(pte_pa(l1_at(&c, SPARSE)) == table && frame_count(&kframes, table) == 1);
	CHECK(!(l1_at(&p, SPARSE) & PTE_TABLE_DIRTY) && frame_count(&kframes, old) == 1);
	CHECK((pte_at(&p, va) & (PTE_W | PTE_COW)) == PTE_COW && pte_at(&c, va) == pte_at(&p, va));
	CHECK(c.quota.used == (4 + 3 + DENSE_PAGES) * PAGE_SIZE && c.as.resident == p.as.resident);
	unsigned flushes = all_flushes;
	CHECK(store(&p, va, 55) == 0); /* the parent's tables' copies, then its page copy */
	CHECK(all_flushes > flushes && pte_pa(l1_at(&p, SPARSE)) != table);
	CHECK(pte_pa(root_at(&p, SPARSE)) != l1 && frame_count(&kframes, l1) == 1);
	CHECK(frame_count(&kframes, table) == 1 && frame_count(&kframes, old) == 1);
	CHECK(pte_pa(pte_at(&p, va)) != old && load(&p, va) == 55 && load(&c, va) == 11);
	struct cow_stats before = cow_stats;
	CHECK(store(&c, va, 66) == 0); /* the table is the child's alone now: reused in place */
	CHECK(cow_stats.reuses == before.reuses + 1 && pte_pa(pte_at(&c, va)) == old);
	CHECK(pte_pa(l1_at(&c, SPARSE)) == table && (l1_at(&c, SPARSE) & PTE_TABLE_DIRTY));
	CHECK(load(&c, va) == 66 && load(&p, va) == 55 && load(&p, SPARSE) == 10);
	CHECK(load(&c, SPARSE + 2 * PAGE_SIZE) == 12);
	space_free(&c);
	space_free(&p);
	pool_end();
}

static void test_clone_eager(void)
{
	struct space p, c;
	pool_start(POOL_FRAMES * 2);
	parent_make(&p);
	CHECK(space_new(&c, 1UL << 30) == 0);
	unsigned flushes = all_flushes;
	CHECK(as_clone(&p.as, &c.as, FORK_EAGER, AS_CLONE_NO_HOT) == 0);
	CHECK(all_flushes == flushes); /* the parent's tables are only read */
	pte_t pe = pte_at(&p, SPARSE), ce = pte_at(&c, SPARSE);
	CHECK((pe & PTE_W) && (ce & PTE_W) && !(ce & PTE_COW));
	CHECK(pte_pa(pe) != pte_pa(ce) && load(&c, SPARSE + 2 * PAGE_SIZE) == 12);
	CHECK(pte_pa(l1_at(&p, DENSE)) != pte_pa(l1_at(&c, DENSE)));
	CHECK(load(&c, DENSE + 300 * PAGE_SIZE) == (300 & 0xff));
	CHECK(store(&c, SPARSE, 99) == 0 && load(&p, SPARSE) == 10);
	space_free(&c);
	space_free(&p);
	pool_end();
}

/* A holder of the kernel lock that wants the parent's tree while a clone is under way. */
static void *settle_parent(void *arg)
{
	struct space *p = arg;
	as_settle(&p->as);
	return (void *)1;
}

/*
 * The clone in steps (several harts, kernel/core/fork.c): the walk flushes nothing but
 * says whether the parent lost W, makes the same child as as_clone, and while the marks
 * are set a look at the parent's tree waits for as_clone_end.
 */
static void test_clone_in_steps(void)
{
	struct space p, c, e;
	pool_start(POOL_FRAMES * 2);
	parent_make(&p);
	CHECK(space_new(&c, 1UL << 30) == 0 && space_new(&e, 1UL << 30) == 0);
	as_clone_begin(&p.as, &c.as);
	CHECK(p.as.cloning && c.as.cloning);
	pthread_t waiter;
	void *passed_settle = 0;
	CHECK(pthread_create(&waiter, 0, settle_parent, &p) == 0);
	unsigned flushes = all_flushes;
	bool wp = false;
	CHECK(as_clone_tree(&p.as, &c.as, FORK_COW, SPARSE, &wp) == 0);
	CHECK(wp && all_flushes == flushes); /* the caller flushes, once it has the lock */
	usleep(20000);			     /* time enough to get past a mark it should not */
	CHECK(pthread_tryjoin_np(waiter, &passed_settle) != 0 && !passed_settle);
	as_clone_end(&p.as, &c.as);
	CHECK(pthread_join(waiter, &passed_settle) == 0 && passed_settle == (void *)1);
	CHECK(!p.as.cloning && !c.as.cloning);
	pte_t pe = pte_at(&p, SPARSE + PAGE_SIZE), ce = pte_at(&c, SPARSE + PAGE_SIZE);
	CHECK((pe & (PTE_W | PTE_COW)) == PTE_COW && pe == ce && c.as.resident == p.as.resident);
	CHECK(load(&c, SPARSE) == 10 && store(&c, SPARSE, 77) == 0 && load(&p, SPARSE) == 10);
	/* An EAGER walk leaves the parent's pages as they were: nothing to flush. */
	as_clone_begin(&p.as, &e.as);
	CHECK(as_clone_tree(&p.as, &e.as, FORK_EAGER, AS_CLONE_NO_HOT, &wp) == 0 && !wp);
	as_clone_end(&p.as, &e.as);
	CHECK(load(&e, DENSE + 300 * PAGE_SIZE) == (300 & 0xff));
	space_free(&e);
	space_free(&c);
	space_free(&p);
	pool_end();
}

/* The store-fault steps in a copied (private) table: copy, then reuse. */
static void test_fault_copy_reuse(void)
{
	struct space p, c;
	pool_start(POOL_FRAMES);
	family_make(&p, &c);
	uint64_t va = SPARSE + PAGE_SIZE, old = pte_pa(pte_at(&p, va));
	struct cow_stats before = cow_stats;
	unsigned pf = page_flushes;
	CHECK(store(&c, va, 77) == 0); /* count 2: a copy */
	CHECK(cow_stats.copies == before.copies + 1 && page_flushes == pf + 1);
	CHECK(pte_pa(pte_at(&c, va)) != old && (pte_at(&c, va) & PTE_W));
	CHECK(!(pte_at(&c, va) & PTE_COW));
	CHECK(load(&c, va) == 77 && load(&p, va) == 11);
	CHECK(frame_count(&kframes, old) == 1);
	CHECK(store(&p, va, 55) == 0); /* count 1 now: reused in place */
	CHECK(cow_stats.reuses == before.reuses + 1 && pte_pa(pte_at(&p, va)) == old);
	CHECK(load(&p, va) == 55 && load(&c, va) == 77);
	/* A store to a read-only page that is not COW is a real fault, on a mapped page. */
	CHECK(as_protect(&p.as, SPARSE, 1, MAP_PROT_READ) == 0);
	CHECK(as_user_fault(&p.as, SPARSE, EXC_STORE_PAGE_FAULT) == AS_FAULT_DENIED);
	CHECK(as_user_fault(&p.as, SPARSE, EXC_INSN_PAGE_FAULT) == AS_FAULT_DENIED);
	CHECK(as_user_fault(&p.as, 0x7000, EXC_STORE_PAGE_FAULT) == AS_FAULT_REAL);
	CHECK(as_user_fault(&p.as, 0x7000, EXC_LOAD_PAGE_FAULT) == AS_FAULT_REAL);
	CHECK(as_user_fault(&p.as, SPARSE, EXC_ILLEGAL_INSN) == AS_FAULT_REAL);
	/* A load fault on a page that allows loads is stale: resolved. */
	CHECK(as_user_fault(&p.as, SPARSE, EXC_LOAD_PAGE_FAULT) == AS_FAULT_RESOLVED);
	space_free(&c);
	space_free(&p);
	pool_end();
}

/*
 * A copy-on-write fault in steps (several harts, kernel/cpu/trap.c): the copy is made
 * between begin and end, the old frame held meanwhile; it goes in only if the PTE is
 * still the one it was made of, and is thrown away (every frame back) otherwise.
 */
static void test_fault_in_steps(void)
{
	struct space p, c;
	pool_start(POOL_FRAMES);
	family_make(&p, &c);
	uint64_t va = SPARSE + PAGE_SIZE, old = pte_pa(pte_at(&p, va));
	uint64_t free_before = kframes.nfree;
	struct cow_stats before = cow_stats;
	struct cow_copy k;
	CHECK(as_user_fault_begin(&c.as, va, EXC_STORE_PAGE_FAULT, &k) == AS_FAULT_COPY);
	CHECK(k.held && frame_count(&kframes, old) == 3 && kframes.nfree == free_before - 1);
	as_cow_copy(&k);
	CHECK(as_cow_end(&c.as, &k) == AS_FAULT_RESOLVED);
	CHECK(pte_pa(pte_at(&c, va)) == k.new_pa && (pte_at(&c, va) & PTE_W));
	CHECK(frame_count(&kframes, old) == 1 && cow_stats.copies == before.copies + 1);
	CHECK(load(&c, va) == 11 && store(&c, va, 66) == 0 && load(&p, va) == 11);
	/* The parent's page changes under a pending copy: the copy goes, nothing leaks. */
	va = DENSE + 3 * PAGE_SIZE;
	CHECK(as_user_fault_begin(&p.as, va, EXC_STORE_PAGE_FAULT, &k) == AS_FAULT_COPY);
	uint64_t mid = kframes.nfree; /* the table is the parent's own now, and the copy is out */
	as_cow_copy(&k);
	CHECK(as_unmap(&p.as, va, 1) == 0);
	CHECK(as_cow_end(&p.as, &k) == AS_FAULT_RESOLVED && !pte_at(&p, va));
	CHECK(kframes.nfree == mid + 1 && cow_stats.copies == before.copies + 1);
	CHECK(frame_count(&kframes, pte_pa(pte_at(&c, va))) == 1 && load(&c, va) == 3);
	/* Another thread's store, then a fork, come between: the page is no longer the one
	 * copied, and its table is shared again (the end makes the parent its own copy).
	 * The copy goes and the store is retried: resolved, not out of memory. */
	struct space g;
	va = DENSE + 6 * PAGE_SIZE;
	CHECK(as_user_fault_begin(&p.as, va, EXC_STORE_PAGE_FAULT, &k) == AS_FAULT_COPY);
	as_cow_copy(&k);
	CHECK(store(&p, va + 1, 77) == 0);
	CHECK(space_new(&g, 1UL << 30) == 0);
	CHECK(as_clone(&p.as, &g.as, FORK_COW, SPARSE) == 0);
	CHECK(!(l1_at(&p, DENSE) & PTE_TABLE_DIRTY));
	mid = kframes.nfree;
	CHECK(as_cow_end(&p.as, &k) == AS_FAULT_RESOLVED);
	CHECK(kframes.nfree == mid && pte_pa(pte_at(&p, va)) != k.new_pa); /* copy out, table in */
	CHECK((l1_at(&p, DENSE) & PTE_TABLE_DIRTY) && (pte_at(&p, va) & PTE_COW));
	CHECK(load(&p, va + 1) == 77 && load(&g, va + 1) == 77 && load(&c, va + 1) == 0);
	space_free(&g);
	/* A thread killed meanwhile: dropped. Not a copy at all: as as_user_fault. */
	va = DENSE + 4 * PAGE_SIZE;
	CHECK(as_user_fault_begin(&c.as, va, EXC_STORE_PAGE_FAULT, &k) == AS_FAULT_COPY);
	mid = kframes.nfree;
	as_cow_drop(&k);
	CHECK(kframes.nfree == mid + 1 && (pte_at(&c, va) & PTE_COW));
	CHECK(frame_count(&kframes, pte_pa(pte_at(&c, va))) == 2);
	CHECK(as_user_fault_begin(&c.as, 0x7000, EXC_STORE_PAGE_FAULT, &k) == AS_FAULT_REAL);
	space_free(&c);
	space_free(&p);
	pool_end();
}

/* A store into a shared level-0 table: the table is unshared first, then the page copied. */
static void test_fault_shared_table(void)
{
	struct space p, c;
	pool_start(POOL_FRAMES);
	family_make(&p, &c);
	uint64_t va = DENSE + 5 * PAGE_SIZE, table = pte_pa(l1_at(&p, DENSE));
	uint64_t old = pte_pa(pte_at(&p, va)), used = c.quota.used;
	CHECK(store(&c, va, 200) == 0);
	CHECK(pte_pa(l1_at(&c, DENSE)) != table && (l1_at(&c, DENSE) & PTE_TABLE_DIRTY));
	CHECK(pte_pa(l1_at(&p, DENSE)) == table && frame_count(&kframes, table) == 1);
	CHECK(c.quota.used == used); /* the child paid for the table already */
	CHECK(pte_pa(pte_at(&c, va)) != old && load(&c, va) == 200 && load(&p, va) == 5);
	/* Every other page of the copy is still shared with the parent, COW. */
	CHECK(pte_at(&c, va + PAGE_SIZE) == pte_at(&p, va + PAGE_SIZE));
	CHECK(frame_count(&kframes, pte_pa(pte_at(&p, va + PAGE_SIZE))) == 2);
	/* The parent's table is its alone again: its store reuses the page it kept. */
	CHECK(store(&p, va, 9) == 0 && pte_pa(pte_at(&p, va)) == old && load(&c, va) == 200);
	CHECK(store(&p, va + PAGE_SIZE, 1) == 0 && load(&c, va + PAGE_SIZE) == 6);
	space_free(&c);
	space_free(&p);
	pool_end();
}

static void test_unmap_protect_shared(void)
{
	struct space p, c;
	pool_start(POOL_FRAMES);
	family_make(&p, &c);
	uint64_t table = pte_pa(l1_at(&p, DENSE)), used = c.quota.used;
	/* Unmapping a shared table's whole span only lets go of the table. */
	CHECK(as_unmap(&c.as, DENSE, DENSE_PAGES) == 0);
	CHECK(!pte_valid(l1_at(&c, DENSE)) && frame_count(&kframes, table) == 1);
	CHECK(c.as.resident == 3 && c.quota.used == used - (DENSE_PAGES + 1) * PAGE_SIZE);
	CHECK(load(&p, DENSE + 17 * PAGE_SIZE) == 17);
	space_free(&c);

	/* Part of a shared table: unshared first, so the other holder keeps every page. */
	CHECK(space_new(&c, 1UL << 30) == 0);
	CHECK(as_clone(&p.as, &c.as, FORK_COW, SPARSE) == 0);
	CHECK(pte_pa(l1_at(&c, DENSE)) == table);
	CHECK(as_unmap(&c.as, DENSE + 10 * PAGE_SIZE, 4) == 0);
	CHECK(pte_pa(l1_at(&c, DENSE)) != table && !as_pte(&c.as, DENSE + 12 * PAGE_SIZE));
	CHECK(load(&p, DENSE + 12 * PAGE_SIZE) == 12 && load(&c, DENSE + 14 * PAGE_SIZE) == 14);
	CHECK(c.as.resident == 3 + DENSE_PAGES - 4);
	space_free(&c);

	/* Protect: the shared table is unshared before an entry changes. */
	CHECK(space_new(&c, 1UL << 30) == 0);
	CHECK(as_clone(&p.as, &c.as, FORK_COW, SPARSE) == 0);
	CHECK(as_protect(&c.as, DENSE + 3 * PAGE_SIZE, 1, MAP_PROT_READ) == 0);
	CHECK(pte_pa(l1_at(&c, DENSE)) != table && pte_pa(l1_at(&p, DENSE)) == table);
	CHECK((pte_at(&c, DENSE + 3 * PAGE_SIZE) & (PTE_W | PTE_COW)) == 0);
	CHECK(pte_at(&p, DENSE + 3 * PAGE_SIZE) & PTE_COW); /* the parent's entry as it was */
	/* Writable again: the frame is still the parent's too, so it stays COW. */
	CHECK(as_protect(&c.as, DENSE + 3 * PAGE_SIZE, 1, RW) == 0);
	CHECK((pte_at(&c, DENSE + 3 * PAGE_SIZE) & (PTE_W | PTE_COW)) == PTE_COW);
	CHECK(as_protect(&c.as, 0x7000, 1, RW) == E_FAULT);
	space_free(&c);
	space_free(&p);
	pool_end();
}

/*
 * Unmap and protect of a range each change it in one batch (one fence per other hart,
 * tlb.h), and allocate inside none, even where a shared table must be unshared first.
 */
static void test_batches(void)
{
	struct space p, c;
	pool_start(POOL_FRAMES);
	family_make(&p, &c);
	unsigned b = batches, pf = page_flushes;
	CHECK(as_protect(&c.as, DENSE + 8 * PAGE_SIZE, 16, MAP_PROT_READ) == 0);
	CHECK(batches == b + 1 && page_flushes == pf + 16);
	CHECK(as_unmap(&c.as, DENSE + 4 * PAGE_SIZE, 32) == 0);
	CHECK(batches == b + 2 && page_flushes == pf + 16 + 32);
	CHECK(as_unmap(&p.as, SPARSE, 3) == 0 && batches == b + 3);
	CHECK(batch_depth == 0 && batch_errors == 0);
	space_free(&c);
	space_free(&p);
	pool_end();
}

/* Out of memory: nothing is left behind, and a failed store changes nothing. */
static void test_oom_rollback(void)
{
	struct space p, c;
	/* A clone that runs out of frames part-way: freeing the child gives all back. */
	pool_start(600);
	CHECK(space_new(&p, 1UL << 30) == 0);
	CHECK(as_map_anon(&p.as, SPARSE, 3, RW) == 0);
	/* One table of 100 pages, which a COW fork shares, and five of 40, which it copies. */
	for (unsigned r = 0; r < 6; r++)
		CHECK(as_map_anon(&p.as, DENSE + r * SPAN, r ? 40 : 100, RW) == 0);
	uint64_t free0 = kframes.nfree, shared0 = kframes.nshared;
	CHECK(space_new(&c, 1UL << 30) == 0);
	CHECK(as_clone(&p.as, &c.as, FORK_EAGER, AS_CLONE_NO_HOT) == E_NOMEM);
	space_free(&c);
	CHECK(kframes.nfree == free0 && kframes.nshared == shared0);

	/* A quota too small for the clone: E_QUOTA, and freeing refunds exactly. */
	CHECK(space_new(&c, 8 * PAGE_SIZE) == 0);
	CHECK(as_clone(&p.as, &c.as, FORK_COW, SPARSE) == E_QUOTA);
	space_free(&c);
	CHECK(kframes.nfree == free0);

	/* map_anon that runs out part-way maps nothing. */
	struct space q;
	CHECK(space_new(&q, 20 * PAGE_SIZE) == 0);
	CHECK(as_map_anon(&q.as, SPARSE, 30, RW) == E_QUOTA);
	CHECK(!as_pte(&q.as, SPARSE) && q.as.resident == 0);
	space_free(&q);
	CHECK(kframes.nfree == free0);

	/*
	 * A COW store with no frame left: AS_FAULT_NOMEM, the PTE as it was. The failed COW
	 * clone left the parent's tables clean, so the next fork shares them all but the one
	 * the parent writes now, which it copies (sparse, dirty and hot).
	 */
	uint64_t va = DENSE + SPAN;
	CHECK(store(&p, va, 3) == 0);
	CHECK(space_new(&c, 1UL << 30) == 0);
	CHECK(as_clone(&p.as, &c.as, FORK_COW, va) == 0);
	uint64_t pa, taken = 0, *held = malloc(kframes.nfree * sizeof(*held));
	while (frame_alloc(&kframes, &pa) == 0)
		held[taken++] = pa;
	/* (va itself, the hot page, is the child's own already) */
	pte_t before = pte_at(&c, va + PAGE_SIZE);
	CHECK(frame_count(&kframes, pte_pa(l1_at(&c, va))) == 1);
	CHECK(as_user_fault(&c.as, va + PAGE_SIZE, EXC_STORE_PAGE_FAULT) == AS_FAULT_NOMEM);
	CHECK(pte_at(&c, va + PAGE_SIZE) == before && frame_count(&kframes, pte_pa(before)) == 2);
	/* In a shared table, the table copy itself finds no frame: nothing changed either. */
	uint64_t table = pte_pa(l1_at(&c, DENSE));
	CHECK(as_user_fault(&c.as, DENSE, EXC_STORE_PAGE_FAULT) == AS_FAULT_NOMEM);
	CHECK(pte_pa(l1_at(&c, DENSE)) == table && frame_count(&kframes, table) == 2);
	while (taken)
		frame_unref(&kframes, held[--taken]);
	free(held);
	CHECK(store(&c, va, 1) == 0 && load(&p, va) == 3 && load(&c, va) == 1);
	space_free(&c);
	space_free(&p);
	pool_end();
}

/* as_rewrite_all's callback for the test: a leaf mapping frame `ctx` becomes gone. */
static bool gone_if_frame(pte_t *e, void *ctx)
{
	uint64_t pa = *(uint64_t *)ctx;
	if (!(*e & PTE_V) || pte_is_gone(*e) || pte_pa(*e) != pa) /* as memobj.c's revoke_leaf */
		return false;
	*e = pte_gone_make(5, 2, *e);
	frame_drop(&kframes, pa);
	return true;
}

/* And back: the gone entry naming object 5's page 2 maps frame `ctx` again. */
static bool back_if_gone(pte_t *e, void *ctx)
{
	if (!pte_is_gone(*e) || pte_gone_key(*e) != (5UL << PTE_GONE_PAGE_BITS | 2))
		return false;
	frame_share(&kframes, *(uint64_t *)ctx);
	*e = pte_make(*(uint64_t *)ctx, pte_gone_flags(*e));
	return true;
}

/*
 * A page taken back from every address space (memobj_resize): one rewrite reaches it in
 * a table parent and child share, faults on it are bus errors, unmap, protect and an EAGER
 * fork handle the entry without a frame, and the page comes back.
 */
static void test_rewrite_gone(void)
{
	struct space p, c, e;
	pool_start(POOL_FRAMES);
	family_make(&p, &c); /* the dense table is shared */
	uint64_t va = DENSE + 5 * PAGE_SIZE, pa = pte_pa(pte_at(&p, va));
	uint64_t res = c.as.resident, used = c.quota.used;
	CHECK(frame_count(&kframes, pa) == 1);
	frame_share(&kframes, pa); /* the object's own reference */
	unsigned flushes = all_flushes;
	CHECK(as_rewrite_all(gone_if_frame, &pa) == 1); /* one table, rewritten once */
	CHECK(all_flushes >= flushes + 2);		/* both address spaces flushed */
	CHECK(pte_is_gone(pte_at(&p, va)) && pte_is_gone(pte_at(&c, va)));
	CHECK(frame_count(&kframes, pa) == 1 && c.as.resident == res && c.quota.used == used);
	CHECK(as_user_fault(&c.as, va, EXC_LOAD_PAGE_FAULT) == AS_FAULT_GONE);
	CHECK(as_user_fault(&p.as, va, EXC_STORE_PAGE_FAULT) == AS_FAULT_GONE);
	CHECK(as_user_fault(&p.as, va + PAGE_SIZE, EXC_LOAD_PAGE_FAULT) == AS_FAULT_RESOLVED);
	uint64_t got;
	CHECK(as_translate(&c.as, va, 0, &got) == E_FAULT);
	CHECK(as_protect(&p.as, va, 1, RW) == 0 && pte_is_gone(pte_at(&p, va)));
	CHECK(as_rewrite_all(back_if_gone, &pa) == 2); /* p's own copy now, and c's table */
	CHECK(load(&p, va) == 5 && load(&c, va) == 5 && frame_count(&kframes, pa) == 3);
	CHECK(as_rewrite_all(gone_if_frame, &pa) == 2);
	CHECK(as_unmap(&c.as, va, 1) == 0 && pte_at(&c, va) == 0);
	CHECK(frame_count(&kframes, pa) == 1);
	frame_drop(&kframes, pa);
	space_free(&c);
	space_free(&p);
	/* An EAGER fork copies a gone entry as it is: there is no page to copy. */
	CHECK(space_new(&p, 1UL << 30) == 0 && as_map_anon(&p.as, SPARSE, 1, RW) == 0);
	pa = pte_pa(pte_at(&p, SPARSE));
	frame_share(&kframes, pa);
	CHECK(as_rewrite_all(gone_if_frame, &pa) == 1);
	CHECK(space_new(&e, 1UL << 30) == 0 &&
	      as_clone(&p.as, &e.as, FORK_EAGER, AS_CLONE_NO_HOT) == 0);
	CHECK(pte_is_gone(pte_at(&e, SPARSE)) && frame_count(&kframes, pa) == 1);
	frame_drop(&kframes, pa);
	space_free(&e);
	space_free(&p);
	pool_end();
}

/*
 * PROT_NONE: a no-access leaf keeps its frame and bytes; user faults on it are denied,
 * the kernel's copies refuse it, a COW fork shares it, protect gives access back (copy on
 * write where the frame is shared), and a gone entry made from it comes back without
 * access.
 */
static void test_noaccess(void)
{
	struct space p, c;
	const uint64_t fresh = SPARSE + 4 * PAGE_SIZE, two = SPARSE + PAGE_SIZE;
	uint64_t pa, got;
	pool_start(POOL_FRAMES);
	CHECK(space_new(&p, 1UL << 30) == 0 && as_map_anon(&p.as, SPARSE, 2, RW) == 0);
	CHECK(store(&p, SPARSE, 42) == 0);
	pa = pte_pa(pte_at(&p, SPARSE));
	CHECK(as_protect(&p.as, SPARSE, 1, 0) == 0);
	CHECK(pte_is_noaccess(pte_at(&p, SPARSE)) && pte_pa(pte_at(&p, SPARSE)) == pa);
	CHECK(!pte_is_gone(pte_at(&p, SPARSE)) && p.as.resident == 2);
	CHECK(as_user_fault(&p.as, SPARSE, EXC_LOAD_PAGE_FAULT) == AS_FAULT_DENIED);
	CHECK(as_user_fault(&p.as, SPARSE, EXC_STORE_PAGE_FAULT) == AS_FAULT_DENIED);
	CHECK(as_user_fault(&p.as, SPARSE, EXC_INSN_PAGE_FAULT) == AS_FAULT_DENIED);
	CHECK(as_translate(&p.as, SPARSE, 0, &got) == E_FAULT);
	CHECK(as_translate(&p.as, SPARSE, 1, &got) == E_FAULT);
	CHECK(space_new(&c, 1UL << 30) == 0 && as_clone(&p.as, &c.as, FORK_COW, SPARSE) == 0);
	CHECK(frame_count(&kframes, pa) == 2 && pte_is_noaccess(pte_at(&c, SPARSE)));
	CHECK(!(pte_at(&p, SPARSE) & PTE_W)); /* the fork write-protected it all the same */
	CHECK(as_user_fault(&c.as, SPARSE, EXC_STORE_PAGE_FAULT) == AS_FAULT_DENIED);
	CHECK(as_protect(&c.as, SPARSE, 1, RW) == 0 && (pte_at(&c, SPARSE) & PTE_COW));
	CHECK(load(&c, SPARSE) == 42 && store(&c, SPARSE, 7) == 0);
	CHECK(load(&c, SPARSE) == 7 && frame_count(&kframes, pa) == 1);
	CHECK(as_protect(&p.as, SPARSE, 1, MAP_PROT_READ) == 0 && load(&p, SPARSE) == 42);
	space_free(&c);
	/* Fresh no-access pages are zeroed frames like any. */
	CHECK(as_map_anon(&p.as, fresh, 1, 0) == 0 && pte_is_noaccess(pte_at(&p, fresh)));
	CHECK(as_protect(&p.as, fresh, 1, RW) == 0 && load(&p, fresh) == 0);
	CHECK(store(&p, fresh, 9) == 0 && load(&p, fresh) == 9);
	/* Gone (its object shrank) and back: still no access. */
	pa = pte_pa(pte_at(&p, two));
	CHECK(as_protect(&p.as, two, 1, 0) == 0);
	frame_share(&kframes, pa); /* the object's own reference */
	CHECK(as_rewrite_all(gone_if_frame, &pa) == 1 && pte_is_gone(pte_at(&p, two)));
	CHECK(as_rewrite_all(back_if_gone, &pa) == 1 && pte_is_noaccess(pte_at(&p, two)));
	CHECK(as_user_fault(&p.as, two, EXC_LOAD_PAGE_FAULT) == AS_FAULT_DENIED);
	CHECK(as_protect(&p.as, two, 1, RW) == 0 && load(&p, two) == 0);
	CHECK(as_unmap(&p.as, SPARSE, 5) == 0 && p.as.resident == 0);
	frame_drop(&kframes, pa);
	space_free(&p);
	pool_end();
}

/*
 * A shared leaf mapped writable (as memobj.c maps one) loses W to protect and gets it
 * back; meanwhile its MAYWRITE bit is no copy-on-write: a store is a denied fault and
 * the kernel's writes fail. One mapped read-only never gains W.
 */
static void test_shared_maywrite(void)
{
	struct space s;
	uint64_t pa, ro, got, copies = cow_stats.copies;
	const uint64_t shared = PTE_U | PTE_SHARED;
	pool_start(POOL_FRAMES);
	CHECK(space_new(&s, 1UL << 30) == 0);
	CHECK(frame_alloc(&kframes, &pa) == 0 && frame_alloc(&kframes, &ro) == 0);
	CHECK(as_map(&s.as, SPARSE, pa, shared | PTE_R | PTE_W | PTE_SHARED_MAYWRITE) == 0);
	CHECK(as_map(&s.as, SPARSE + PAGE_SIZE, ro, shared | PTE_R) == 0);
	CHECK(as_protect(&s.as, SPARSE, 1, MAP_PROT_READ) == 0);
	CHECK(!(pte_at(&s, SPARSE) & PTE_W) && (pte_at(&s, SPARSE) & PTE_SHARED_MAYWRITE));
	CHECK(as_user_fault(&s.as, SPARSE, EXC_STORE_PAGE_FAULT) == AS_FAULT_DENIED);
	CHECK(as_translate(&s.as, SPARSE, 1, &got) == E_FAULT);
	CHECK(cow_stats.copies == copies && frame_count(&kframes, pa) == 1);
	CHECK(as_protect(&s.as, SPARSE, 1, RW) == 0 && (pte_at(&s, SPARSE) & PTE_W));
	CHECK(store(&s, SPARSE, 6) == 0 && pte_pa(pte_at(&s, SPARSE)) == pa);
	CHECK(as_protect(&s.as, SPARSE, 1, RW | MAP_PROT_EXEC) == E_INVAL); /* W^X */
	CHECK(as_protect(&s.as, SPARSE + PAGE_SIZE, 1, RW) == E_RIGHTS);
	CHECK(as_protect(&s.as, SPARSE + PAGE_SIZE, 1, 0) == 0);
	CHECK(as_protect(&s.as, SPARSE + PAGE_SIZE, 1, RW) == E_RIGHTS);
	CHECK(as_unmap(&s.as, SPARSE, 2) == 0);
	space_free(&s);
	pool_end();
}

/*
 * The stack reserve: a store or a load on an unmapped page in it maps a zeroed page (a
 * kernel copy too); below it, or an instruction fetch, is a real fault; a fork child
 * inherits the reserve; no frame or quota: AS_FAULT_NOMEM, nothing changed.
 */
static void test_stack_reserve(void)
{
	struct space s, c;
	uint64_t top = USER_STACK_TOP, pa;
	pool_start(POOL_FRAMES);
	uint64_t free0 = kframes.nfree;
	CHECK(space_new(&s, 1UL << 30) == 0);
	CHECK(as_stack_reserve(&s.as, USER_STACK_MAX / PAGE_SIZE + 1) == E_INVAL);
	CHECK(as_stack_reserve(&s.as, 16) == 0);
	CHECK(store(&s, top - 1, 7) == 0 && load(&s, top - 1) == 7);
	CHECK(as_user_fault(&s.as, top - 16 * PAGE_SIZE, EXC_LOAD_PAGE_FAULT) == AS_FAULT_RESOLVED);
	CHECK(load(&s, top - 16 * PAGE_SIZE + 5) == 0);
	CHECK(as_user_fault(&s.as, top - 17 * PAGE_SIZE, EXC_STORE_PAGE_FAULT) == AS_FAULT_REAL);
	CHECK(as_user_fault(&s.as, top - 3 * PAGE_SIZE, EXC_INSN_PAGE_FAULT) == AS_FAULT_REAL);
	CHECK(as_user_fault(&s.as, top, EXC_STORE_PAGE_FAULT) == AS_FAULT_REAL);
	CHECK(as_translate(&s.as, top - 5 * PAGE_SIZE + 8, 1, &pa) == 0); /* a kernel copy */
	CHECK(as_translate(&s.as, top - 20 * PAGE_SIZE, 1, &pa) == E_FAULT);
	CHECK(s.as.resident == 3);
	CHECK(space_new(&c, 1UL << 30) == 0);
	CHECK(as_clone(&s.as, &c.as, FORK_COW, AS_CLONE_NO_HOT) == 0);
	CHECK(load(&c, top - 1) == 7 && store(&c, top - 9 * PAGE_SIZE, 1) == 0);
	CHECK(!as_pte(&s.as, top - 9 * PAGE_SIZE)); /* the child's page is its own */
	space_free(&c);
	/* A quota with no room for the page: NOMEM, nothing mapped. */
	CHECK(space_new(&c, 2 * PAGE_SIZE) == 0);
	CHECK(as_stack_reserve(&c.as, 4) == 0);
	CHECK(as_user_fault(&c.as, top - 1, EXC_STORE_PAGE_FAULT) == AS_FAULT_NOMEM);
	CHECK(!as_pte(&c.as, top - 1) && c.as.resident == 0);
	space_free(&c);
	space_free(&s);
	CHECK(kframes.nfree == free0);
	pool_end();
}

/*
 * Level-1 tables shared at fork (docs/vm-cow.md): one not written since the last fork is
 * shared whole by the next; a store into it by any holder copies it, then the level-0
 * table, then the page; munmap of a whole span or of one page in a holder, and protect,
 * leave the others intact; no frame for the copy changes nothing; quotas, resident counts
 * and frames come back exact.
 */
static void test_l1_shared(void)
{
	struct space p, c, d;
	const uint64_t va = DENSE + 7 * PAGE_SIZE;
	pool_start(POOL_FRAMES);
	parent_make(&p);
	uint64_t l1 = pte_pa(root_at(&p, DENSE)), free0 = kframes.nfree;
	CHECK(root_at(&p, DENSE) & PTE_TABLE_DIRTY); /* written since it was made */
	CHECK(space_new(&c, 1UL << 30) == 0);
	CHECK(as_clone(&p.as, &c.as, FORK_COW, AS_CLONE_NO_HOT) == 0);
	CHECK(pte_pa(root_at(&c, DENSE)) == l1); /* dirty: cleaned, then shared */
	CHECK(frame_count(&kframes, l1) == 2);
	CHECK(!(root_at(&p, DENSE) & PTE_TABLE_DIRTY) && !(root_at(&c, DENSE) & PTE_TABLE_DIRTY));
	space_free(&c);
	CHECK(kframes.nfree == free0);

	/* Clean now: the next fork takes one frame, the child's root, and shares the rest. */
	CHECK(space_new(&c, 1UL << 30) == 0 && space_new(&d, 1UL << 30) == 0);
	uint64_t roots = kframes.nfree;
	CHECK(as_clone(&p.as, &c.as, FORK_COW, AS_CLONE_NO_HOT) == 0);
	CHECK(as_clone(&p.as, &d.as, FORK_COW, AS_CLONE_NO_HOT) == 0);
	CHECK(kframes.nfree == roots && frame_count(&kframes, l1) == 3);
	CHECK(pte_pa(root_at(&c, DENSE)) == l1 && pte_pa(root_at(&d, DENSE)) == l1);
	CHECK(c.as.resident == p.as.resident && c.quota.used == p.quota.used);
	CHECK(d.as.tables == p.as.tables && d.quota.used == p.quota.used);
	CHECK(load(&c, va) == 7 && load(&d, SPARSE) == 10);

	/* A store by c: its own level-1 table, level-0 table and page, flushed first. */
	unsigned flushes = all_flushes;
	CHECK(store(&c, va, 99) == 0);
	CHECK(pte_pa(root_at(&c, DENSE)) != l1 && frame_count(&kframes, l1) == 2);
	CHECK(root_at(&c, DENSE) & PTE_TABLE_DIRTY);
	CHECK(all_flushes >= flushes + 2); /* after each table copy */
	CHECK(load(&c, va) == 99 && load(&p, va) == 7 && load(&d, va) == 7);
	CHECK(kframes.nfree == roots - 3 && c.quota.used == p.quota.used);

	/* d lets go of the whole dense span and protects a sparse page: p keeps both. */
	CHECK(as_unmap(&d.as, DENSE, DENSE_PAGES) == 0);
	CHECK(!as_pte(&d.as, va) && d.as.resident == 3 && load(&p, va) == 7);
	CHECK(as_protect(&d.as, SPARSE, 1, MAP_PROT_READ) == 0);
	CHECK((pte_at(&p, SPARSE) & PTE_COW) && !(pte_at(&d, SPARSE) & PTE_COW));
	CHECK(as_unmap(&d.as, SPARSE + PAGE_SIZE, 1) == 0 && load(&p, SPARSE + PAGE_SIZE) == 11);
	CHECK(pte_pa(root_at(&p, DENSE)) == l1 && frame_count(&kframes, l1) == 1);
	space_free(&d);
	space_free(&c);
	CHECK(kframes.nfree == free0);

	/* No frame for the level-1 copy: the store fails and nothing changes. */
	CHECK(space_new(&c, 1UL << 30) == 0);
	CHECK(as_clone(&p.as, &c.as, FORK_COW, AS_CLONE_NO_HOT) == 0);
	CHECK(frame_count(&kframes, l1) == 2);
	uint64_t pa, taken = 0, *held = malloc(kframes.nfree * sizeof(*held));
	while (frame_alloc(&kframes, &pa) == 0)
		held[taken++] = pa;
	pte_t before = pte_at(&p, va);
	CHECK(as_user_fault(&p.as, va, EXC_STORE_PAGE_FAULT) == AS_FAULT_NOMEM);
	CHECK(as_unmap(&p.as, DENSE, DENSE_PAGES) == E_NOMEM);
	CHECK(pte_pa(root_at(&p, DENSE)) == l1 && frame_count(&kframes, l1) == 2);
	CHECK(pte_at(&p, va) == before && pte_at(&c, va) == before);
	while (taken)
		frame_unref(&kframes, held[--taken]);
	free(held);
	/* The parent's own store copies the table this time; the child keeps the old one. */
	CHECK(store(&p, va, 55) == 0 && load(&p, va) == 55 && load(&c, va) == 7);
	CHECK(pte_pa(root_at(&c, DENSE)) == l1 && frame_count(&kframes, l1) == 1);

	space_free(&c);
	space_free(&p);
	pool_end();
}

/*
 * A clone that fails part-way while it shares level-1 tables: the child still charges
 * and refunds exactly what it holds (the clone counts the tables in its tree).
 */
static void test_l1_shared_oom(void)
{
	struct space p, c;
	pool_start(POOL_FRAMES);
	CHECK(space_new(&p, 1UL << 30) == 0);
	CHECK(as_map_anon(&p.as, SPARSE, 3, RW) == 0);		/* first GiB */
	CHECK(as_map_anon(&p.as, USER_MMAP_BASE, 40, RW) == 0); /* another GiB */
	CHECK(space_new(&c, 1UL << 30) == 0);
	CHECK(as_clone(&p.as, &c.as, FORK_COW, AS_CLONE_NO_HOT) == 0);
	space_free(&c);				  /* both level-1 tables clean now */
	CHECK(store(&p, USER_MMAP_BASE, 1) == 0); /* the second one dirty again */
	uint64_t l1 = pte_pa(root_at(&p, SPARSE));

	/* An EAGER fork of a task whose level-1 table is shared copies every private page. */
	struct space e;
	CHECK(space_new(&c, 1UL << 30) == 0 && space_new(&e, 1UL << 30) == 0);
	CHECK(as_clone(&p.as, &c.as, FORK_COW, AS_CLONE_NO_HOT) == 0);
	CHECK(pte_pa(root_at(&c, SPARSE)) == l1 && frame_count(&kframes, l1) == 2);
	CHECK(as_clone(&c.as, &e.as, FORK_EAGER, AS_CLONE_NO_HOT) == 0);
	CHECK(pte_pa(root_at(&e, SPARSE)) != l1 && load(&e, SPARSE + PAGE_SIZE) == 0);
	CHECK(pte_pa(pte_at(&e, SPARSE)) != pte_pa(pte_at(&c, SPARSE)));
	CHECK(e.as.resident == c.as.resident && e.as.tables == c.as.tables);
	space_free(&e);
	space_free(&c);

	CHECK(store(&p, USER_MMAP_BASE, 2) == 0); /* that fork cleaned it: dirty it again */
	uint64_t free0 = kframes.nfree, pa, taken = 0;
	uint64_t *held = malloc(kframes.nfree * sizeof(*held));
	CHECK(space_new(&c, 1UL << 30) == 0);
	while (frame_alloc(&kframes, &pa) == 0)
		held[taken++] =
			pa; /* the clean table is shared, the dirty hot one finds no frame */
	CHECK(as_clone(&p.as, &c.as, FORK_COW, USER_MMAP_BASE) == E_NOMEM);
	CHECK(pte_pa(root_at(&c, SPARSE)) == l1 && c.as.tables == 2); /* the shared pair */
	space_free(&c);
	while (taken)
		frame_unref(&kframes, held[--taken]);
	free(held);
	CHECK(kframes.nfree == free0);
	/* A quota that holds the shared tables only past its limit: E_QUOTA, refunded whole. */
	CHECK(space_new(&c, 3 * PAGE_SIZE) == 0);
	CHECK(as_clone(&p.as, &c.as, FORK_COW, AS_CLONE_NO_HOT) == E_QUOTA);
	space_free(&c);
	CHECK(kframes.nfree == free0);
	space_free(&p);
	pool_end();
}

/*
 * The hot page at fork: the child gets its own copy, and the parent keeps its frame
 * writable only when it is the last holder; with no frame for the copy, both stay
 * copy-on-write and the first store copies as usual.
 */
static void test_clone_hot_page(void)
{
	struct space p, c1, c2, c3;
	const uint64_t hot2 = SPARSE + PAGE_SIZE;
	pool_start(POOL_FRAMES);
	CHECK(space_new(&p, 1UL << 30) == 0 && as_map_anon(&p.as, SPARSE, 3, RW) == 0);
	for (unsigned i = 0; i < 3; i++)
		CHECK(store(&p, SPARSE + i * PAGE_SIZE, (uint8_t)(20 + i)) == 0);
	CHECK(space_new(&c1, 1UL << 30) == 0 && space_new(&c2, 1UL << 30) == 0);
	CHECK(as_clone(&p.as, &c1.as, FORK_COW, SPARSE) == 0);
	/* c1 still holds hot2's frame: c2 gets a copy, the parent stays copy-on-write. */
	CHECK(as_clone(&p.as, &c2.as, FORK_COW, hot2) == 0);
	uint64_t old = pte_pa(pte_at(&p, hot2));
	CHECK((pte_at(&p, hot2) & (PTE_W | PTE_COW)) == PTE_COW && frame_count(&kframes, old) == 2);
	CHECK((pte_at(&c2, hot2) & PTE_W) && pte_pa(pte_at(&c2, hot2)) != old);
	CHECK(pte_pa(pte_at(&c1, hot2)) == old && load(&c2, hot2) == 21);
	CHECK(store(&p, hot2, 5) == 0 && pte_pa(pte_at(&p, hot2)) != old); /* a copy */
	CHECK(load(&c1, hot2) == 21 && load(&c2, hot2) == 21 && load(&p, hot2) == 5);
	space_free(&c2);
	space_free(&c1);

	/* Two frames left, for the child's level-1 table and the hot table's copy. */
	CHECK(space_new(&c3, 1UL << 30) == 0);
	uint64_t pa, taken = 0, *held = malloc(kframes.nfree * sizeof(*held));
	while (kframes.nfree > 2 && frame_alloc(&kframes, &pa) == 0)
		held[taken++] = pa;
	CHECK(as_clone(&p.as, &c3.as, FORK_COW, SPARSE) == 0 && kframes.nfree == 0);
	CHECK((pte_at(&p, SPARSE) & (PTE_W | PTE_COW)) == PTE_COW);
	CHECK(pte_at(&c3, SPARSE) == pte_at(&p, SPARSE));
	while (taken)
		frame_unref(&kframes, held[--taken]);
	free(held);
	CHECK(store(&c3, SPARSE, 9) == 0 && load(&p, SPARSE) == 20 && load(&c3, SPARSE) == 9);
	space_free(&c3);
	space_free(&p);
	pool_end();
}

int main(void)
{
	test_map_basics();
	test_clone_cow();
	test_clone_hot_page();
	test_clone_shares_cold();
	test_clone_eager();
	test_clone_in_steps();
	test_fault_copy_reuse();
	test_fault_in_steps();
	test_fault_shared_table();
	test_unmap_protect_shared();
	test_batches();
	test_oom_rollback();
	test_rewrite_gone();
	test_noaccess();
	test_shared_maywrite();
	test_stack_reserve();
	test_l1_shared();
	test_l1_shared_oom();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
