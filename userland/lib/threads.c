/* Threads: see threads.h. */
#include "threads.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "futex.h"
#include "pthread_impl.h"
#include "taskspawn.h"
#include "syscall.h"

#define STACK_SIZE (64 * 1024)
#define DONE_BIT   1

struct uthread {
	char *tls; /* first: the entry stub loads tp from here */
	void (*fn)(void *);
	void *arg;
	long slot;	     /* our capability to the thread */
	uint32_t done;	     /* set by the kernel once the thread has ended */
	char *mem;	     /* stack, then the thread-local block */
	struct pthread self; /* its identity for pthread_self (owner of the C library's lock) */
};

extern char __tls_size[];

volatile int uthreads_live;

void uthread_main(struct uthread *t);
void uthread_main(struct uthread *t)
{
	pthread_cur = &t->self;
	t->fn(t->arg);
	__atomic_sub_fetch(&uthreads_live, 1, __ATOMIC_SEQ_CST);
	/* The kernel sets done once we are gone, so a join finds the thread ended. */
	for (;;)
		SYSCALL(exit, 0, (uintptr_t)&t->done, DONE_BIT);
}

/* A new thread starts with pc, sp and a0 (its struct uthread) only: gp and tp here. */
void uthread_entry(void);
__asm__(".text\n"
	".globl uthread_entry\n"
	"uthread_entry:\n"
	".option push\n"
	".option norelax\n"
	"	la gp, __global_pointer$\n"
	".option pop\n"
	"	ld tp, 0(a0)\n"
	"	tail uthread_main\n");

static void release(struct uthread *t)
{
	slot_free(t->slot);
	free(t->mem);
	free(t);
}

int thread_create(thread_t *out, void (*fn)(void *), void *arg)
{
	size_t tls = ((size_t)__tls_size + 15) & ~(size_t)15;
	struct uthread *t = calloc(1, sizeof(*t));
	if (!t || !(t->mem = malloc(STACK_SIZE + tls + 16))) {
		free(t);
		errno = ENOMEM;
		return -1;
	}
	t->fn = fn;
	t->arg = arg;
	pthread_threaded = 1; /* fork now takes the C library's lock (pthread.c) */
	__atomic_add_fetch(&uthreads_live, 1, __ATOMIC_SEQ_CST); /* before it can end */
	t->slot = slot_alloc();
	t->tls = (char *)(((uintptr_t)t->mem + STACK_SIZE + 15) & ~(uintptr_t)15);
	tls_block_init(t->tls, 0); /* malloc's memory */
	affinity_inherit(t->tls);
	long err = t->slot < 0 ? E_RANGE : 0;
	/* The stack ends where the thread-local block begins. */
	if (!err)
		err = SYSCALL(thread_create, SLOT_SELF, t->slot, uthread_entry,
			      ((uintptr_t)t->tls - 16) & ~(uintptr_t)15, t) < 0;
	if (err) {
		__atomic_sub_fetch(&uthreads_live, 1, __ATOMIC_SEQ_CST);
		release(t);
		errno = EAGAIN;
		return -1;
	}
	*out = t;
	return 0;
}

int thread_join(thread_t t)
{
	while (!(__atomic_load_n(&t->done, __ATOMIC_ACQUIRE) & DONE_BIT))
		futex_wait(&t->done, 0, FUTEX_FOREVER);
	release(t);
	return 0;
}

int thread_harts(void)
{
	struct sysinfo si = { 0 };
	return SYSCALL(sysinfo, &si) == 0 && si.harts ? (int)si.harts : 1;
}

int thread_pin(thread_t t, int hart)
{
	if (SYSCALL(thread_ctl, t->slot, THREAD_CTL_AFFINITY, hart % thread_harts()) != 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int thread_pin_self(int hart)
{
	int to = hart < 0 ? -1 : hart % thread_harts();
	if (SYSCALL(thread_ctl, 0, THREAD_CTL_SELF | THREAD_CTL_AFFINITY, to) != 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int thread_priority(thread_t t, int prio)
{
	if (SYSCALL(thread_ctl, t->slot, THREAD_CTL_PRIORITY, prio) != 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}
