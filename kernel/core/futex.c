/*
 * Wait on an address: see futex.h. A waiter sleeps on the scheduler's sleeper list (so a
 * deadline, a kill and a wake all find it in one place) with its key in the thread. The
 * key is what makes a waiter and a waker meet:
 *
 *   - a word in a private page is named by (task, virtual address). A private page can
 *     change frames under a waiter (a fork makes it copy-on-write, the next store copies
 *     it), so its physical address would let a wake miss;
 *   - a word in a shared mapping (PTE_SHARED, MAP_KIND_SHARED) is named by its physical
 *     address, the one thing every task mapping it agrees on. A shared page never changes
 *     frames while it is mapped.
 *
 * Every call runs under the kernel lock, so "the word still holds val, then sleep" is one
 * step against any wake: a waker stores first and wakes after, so it either changed the
 * word before the check (the waiter gets E_AGAIN) or finds the waiter asleep.
 */
#include "kernel/core/futex.h"

#include "kernel/abi/error.h"
#include "kernel/core/object.h"
#include "kernel/core/sched.h"
#include "kernel/core/uaccess.h"
#include "kernel/cpu/riscv.h"
#include "vm/as.h"
#include "vm/frame.h"
#include "vm/vm.h"

#define FUTEX_WORD 4 /* bytes: the word is a 32-bit integer, naturally aligned */

struct futex_key {
	struct task *task; /* NULL: addr is physical */
	uint64_t addr;
};

/* The key for the word at va in t, and its physical address; 0, E_INVAL or E_FAULT. */
static int key_of(struct task *t, uint64_t va, struct futex_key *k, uint64_t *pa)
{
	if (va & (FUTEX_WORD - 1))
		return E_INVAL;
	/* Mapped (a stack page first touched here is mapped now), user, readable: one PTE
	 * then gives the frame and the kind. Only RAM is in the kernel's direct map, as
	 * as_translate's rule says: a word in device memory is no futex. */
	pte_t *e = user_check(t, va, FUTEX_WORD, 0) ? 0 : as_pte(&t->as, va & ~(PAGE_SIZE - 1));
	if (!e || !frame_in_pool(&kframes, pte_pa(*e)))
		return E_FAULT;
	*pa = pte_pa(*e) + (va & (PAGE_SIZE - 1));
	bool shared = (*e & PTE_SHARED) != 0;
	k->task = shared ? 0 : t;
	k->addr = shared ? *pa : va;
	return 0;
}

int futex_wait(struct thread *t, uint64_t va, uint32_t val, uint64_t deadline)
{
	struct futex_key k;
	uint64_t pa;
	int err = key_of(t->task, va, &k, &pa);
	if (err)
		return err;
	if (*(volatile uint32_t *)phys_to_virt(pa) != val)
		return E_AGAIN;
	if (deadline <= rdtime())
		return E_TIMEOUT;
	sched_sleep_until(t, deadline);
	t->futex_task = k.task;
	t->futex_addr = k.addr;
	return 0;
}

/* The oldest sleeper waiting on k, or NULL. */
static struct thread *first_waiter(const struct futex_key *k)
{
	struct thread *head = sched_sleepers(), *it = head;
	if (!it)
		return 0;
	do {
		if (it->futex_addr == k->addr && it->futex_task == k->task)
			return it;
		it = it->next;
	} while (it != head);
	return 0;
}

long futex_wake(struct task *task, uint64_t va, uint64_t n)
{
	struct futex_key k;
	uint64_t pa;
	int err = key_of(task, va, &k, &pa);
	if (err)
		return err;
	long woken = 0;
	for (struct thread *w; (uint64_t)woken < n && (w = first_waiter(&k)) != 0; woken++) {
		sched_unsleep(w); /* also clears its key */
		w->tf.x[REG_A0] = 0;
		sched_ready(w);
	}
	return woken;
}
