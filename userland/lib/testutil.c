/* Test helpers: see testutil.h. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/mman.h>

#include "testlib.h"

#define TU_STACK   16384
#define TU_POLL_MS 5

struct tu_start {
	void (*fn)(uint64_t);
	uint64_t arg, bit;
};

static long join_slot = -1;

long tu_obj(uint32_t type)
{
	long slot = slot_alloc();
	if (slot < 0)
		return E_RANGE;
	long err = SYSCALL(obj_create, SLOT_SELF, type, slot, 0);
	if (err) {
		slot_free(slot);
		return err;
	}
	return slot;
}

int tu_join_init(void)
{
	join_slot = tu_obj(OBJ_NOTIFY);
	return join_slot < 0 ? (int)join_slot : 0;
}

void tu_thread_main(struct tu_start *st);
void tu_thread_main(struct tu_start *st)
{
	st->fn(st->arg);
	SYSCALL(notify_signal, join_slot, st->bit);
	for (;;)
		SYSCALL(exit, test_status(), 0, 0);
}

/* A new thread starts with only pc, sp and a0 set: load gp and tp as crt0 does. */
void tu_thread_entry(void);
__asm__(".text\n"
	".globl tu_thread_entry\n"
	"tu_thread_entry:\n"
	".option push\n"
	".option norelax\n"
	"	la gp, __global_pointer$\n"
	".option pop\n"
	"	la tp, __tls_first\n"
	"	tail tu_thread_main\n");

long tu_thread(void (*fn)(uint64_t), uint64_t arg, uint64_t bit)
{
	char *mem = malloc(TU_STACK + sizeof(struct tu_start));
	if (!mem)
		return E_NOMEM;
	struct tu_start *st = (struct tu_start *)(mem + TU_STACK);
	st->fn = fn;
	st->arg = arg;
	st->bit = bit;
	uint64_t sp = (uint64_t)(mem + TU_STACK) & ~15UL;
	/* The new thread owns mem from here on: its stack, for as long as the test runs. */
	// cppcheck-suppress memleak
	return SYSCALL(thread_create, SLOT_SELF, -1, (uint64_t)tu_thread_entry, sp, (uint64_t)st);
}

void tu_join(uint64_t mask)
{
	uint64_t seen = 0;
	while ((seen & mask) != mask) {
		long bits = 0;
		long err = syscall6_a1(SYS_notify_wait, join_slot, 0, 0, 0, &bits);
		if (err)
			return;
		seen |= (uint64_t)bits;
	}
}

int tu_helper_create(struct tu_helper *h, const char *self, const char *role, uint64_t quota)
{
	static uint64_t next_badge = 0x100;
	char *argv[] = { (char *)self, (char *)role, 0 };
	memset(h, 0, sizeof(*h));
	h->s.task = -1;
	h->ep = tu_obj(OBJ_ENDPOINT);
	h->sup = slot_alloc();
	if (h->ep < 0 || h->sup < 0)
		return E_RANGE;
	long err = SYSCALL(cap_mint, h->ep, h->sup, CAP_SEND, next_badge++);
	struct spawn_req req = { .name = self, .argv = argv, .supervisor = h->sup, .quota = quota };
	if (!err)
		err = spawn_create(&req, &h->s);
	if (err)
		h->s.task = -1;
	return (int)err;
}

int tu_helper_put(struct tu_helper *h, long mine, long theirs, uint32_t rights)
{
	return (int)SYSCALL(task_cap_put, h->s.task, mine, theirs, rights);
}

long tu_helper_start(struct tu_helper *h)
{
	long tid = spawn_start(&h->s);
	h->started = tid > 0;
	return tid;
}

int tu_helper_wait(struct tu_helper *h, struct ipc_msg *m, unsigned timeout_ms)
{
	for (unsigned waited = 0; waited <= timeout_ms; waited += TU_POLL_MS) {
		memset(m, 0, sizeof(*m));
		m->rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
		if (ipc(SYS_recv | SYS_NONBLOCK, h->ep, m) == 0)
			return 0;
		SYSCALL(sleep, TU_POLL_MS * TU_NS_PER_MS);
	}
	return E_AGAIN;
}

void tu_helper_kill(struct tu_helper *h)
{
	if (h->s.task > 0) {
		SYSCALL(task_kill, h->s.task);
		slot_free(h->s.task);
	}
	h->s.task = -1;
	if (h->sup > 0)
		slot_free(h->sup);
	if (h->ep > 0)
		slot_free(h->ep);
	h->sup = h->ep = -1;
}

int tu_region_map(void)
{
	void *r = mmap((void *)TU_REGION, TU_REGION_PAGES * TU_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (r != (void *)TU_REGION)
		return -1;
	for (int i = 0; i < TU_REGION_PAGES; i++)
		*tu_region_page(i) = tu_region_value(i, 1);
	return 0;
}

int tu_region_ok(int mine, uint64_t who)
{
	for (int i = 0; i < TU_REGION_PAGES; i++)
		if (*tu_region_page(i) != tu_region_value(i, i == mine ? who : 1))
			return 0;
	return 1;
}

long tu_region_store(int i, uint64_t v)
{
	struct memstat ms[2];
	ms[0].free_frames = ms[1].free_frames = 0; /* copy our stack page before measuring */
	memstat(&ms[0]);
	*tu_region_page(i) = v;
	memstat(&ms[1]);
	return (long)(ms[0].free_frames - ms[1].free_frames);
}
