/*
 * POSIX threads: creation, exit, join and detach, thread-specific keys, once and
 * fork handlers (pthread.h). Locks are in pthread_mutex.c, the rest in pthread_sync.c.
 *
 * A thread's memory is one mapping (mmap): its stack, then its thread-local block (so
 * errno is per thread). Every mmap leaves an unmapped page after it, so a stack that
 * overflows downwards faults on the gap above the mapping before it instead of
 * corrupting it. struct pthread is apart, so a joiner can read the result after the stack
 * is gone. A thread cannot free the stack it runs on, so its last step is one exit call,
 * registers only, and the kernel sets the done word and wakes the joiner once it is gone;
 * a joinable thread's memory is freed by pthread_join, a detached one's by the next
 * pthread_create or pthread_detach that finds it done.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "futex.h"
#include "pthread_impl.h"
#include "syscall.h"

extern char __tls_size[];

static struct pthread main_thread;
int pthread_threaded;
__thread struct pthread *pthread_cur;

/* Threads that ended detached, freed once done is set (list under threads_lock). */
static pthread_mutex_t threads_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pthread *reap_list;
/* Every live thread once a second one is made, the first included (threads_lock). */
static struct pthread *live_list;
static int main_ended; /* the first thread called pthread_exit (threads_lock) */

static void live_add_locked(struct pthread *t)
{
	for (struct pthread *q = live_list; q; q = q->live_next)
		if (q == t)
			return; /* a create that failed added its maker already */
	t->live_next = live_list;
	live_list = t;
}

static void live_remove_locked(struct pthread *t)
{
	for (struct pthread **pp = &live_list; *pp; pp = &(*pp)->live_next) {
		if (*pp == t) {
			*pp = t->live_next;
			return;
		}
	}
}

int pthread_each_other(void (*fn)(struct pthread *t, void *arg), void *arg)
{
	struct pthread *self = pthread_cur;
	if (pthread_mutex_trylock(&threads_lock) != 0)
		return -1;
	for (struct pthread *t = live_list; t; t = t->live_next)
		if (t != self &&
		    (t == &main_thread || __atomic_load_n(&t->started, __ATOMIC_SEQ_CST)))
			fn(t, arg);
	pthread_mutex_unlock(&threads_lock);
	return 0;
}

pthread_t pthread_self(void)
{
	struct pthread *t = pthread_cur;
	if (!t)
		t = pthread_cur = &main_thread; /* the first thread never went through create */
	return t;
}

int pthread_equal(pthread_t a, pthread_t b)
{
	return a == b;
}

/* Free a thread that has finished: its mapping and its record. */
static void release(struct pthread *t)
{
	if (t->mem_len)
		munmap(t->mem, t->mem_len);
	free(t);
}

/* Free every detached thread on the reap list that has finished. Caller holds threads_lock. */
static void reap_locked(void)
{
	for (struct pthread **pp = &reap_list; *pp;) {
		struct pthread *t = *pp;
		if (!__atomic_load_n(&t->done, __ATOMIC_ACQUIRE)) {
			pp = &t->reap_next;
			continue;
		}
		*pp = t->reap_next;
		release(t);
	}
}

/*
 * The end of every created thread: exit, and the kernel sets done and wakes a joiner once
 * the thread is gone (docs/syscalls.md, exit), so a join that returns finds it gone.
 * Registers only: once done is set the stack may be freed under us. The call comes back
 * only if setting done needed memory there was none of; it is tried again.
 */
static void __attribute__((noreturn)) finish(volatile uint32_t *done)
{
	register long a1 __asm__("a1") = (long)done;
	__asm__ volatile("fence rw, rw\n"
			 "1:	li a0, 0\n"
			 "	li a2, 1\n"
			 "	li a7, %1\n"
			 "	ecall\n" /* exit(0, done, 1): this thread only */
			 "	j 1b\n"
			 :
			 : "r"(a1), "i"(SYS_exit)
			 : "memory");
	__builtin_unreachable();
}

static void run_key_destructors(void);

void pthread_exit(void *ret)
{
	struct pthread *t = pthread_self();
	pthread_cleanup_run(); /* handlers still pushed, then the keys' destructors (POSIX) */
	run_key_destructors();
	pthread_robust_exit(t); /* after the handlers: they may still unlock */
	fflush(stderr);		/* this thread's unfinished lines (libc_glue.c), stdout's first */
	t->ret = ret;
	pthread_mutex_lock(&threads_lock);
	live_remove_locked(t);
	if (t == &main_thread)
		main_ended = 1;
	/* The first thread is on live_list only once it made a pthread (threads.h's may have
	 * come first), so it counts apart. */
	if (main_ended && !live_list && !__atomic_load_n(&uthreads_live, __ATOMIC_SEQ_CST)) {
		/* The last thread: POSIX ends the process as if by exit(0), atexit handlers,
		 * stream flushes and all, whichever thread it is. */
		pthread_mutex_unlock(&threads_lock);
		exit(0);
	}
	if (t == &main_thread) {
		pthread_mutex_unlock(&threads_lock);
		/* The process ends with its last thread; exit() is for the whole process. */
		for (;;)
			SYSCALL(exit, 0, 0, 0);
	}
	t->exiting = 1;
	if (t->detached) {
		t->reap_next = reap_list;
		reap_list = t;
	}
	pthread_mutex_unlock(&threads_lock);
	finish(&t->done);
}

void pthread_main(struct pthread *t);
void pthread_main(struct pthread *t)
{
	pthread_cur = t;
	signals_thread_start(t->sigmask);
	__atomic_store_n(&t->started, 1, __ATOMIC_SEQ_CST);
	signals_take_mailbox(); /* pthread_kill before it started: acted on under our mask */
	pthread_exit(t->fn(t->arg));
}

int pthread_started(struct pthread *t)
{
	return t->kernel_id == 0 || __atomic_load_n(&t->started, __ATOMIC_SEQ_CST);
}

/* A new thread starts with pc, sp and a0 (its struct pthread) only: gp and tp here. */
void pthread_entry(void);
__asm__(".text\n"
	".globl pthread_entry\n"
	"pthread_entry:\n"
	".option push\n"
	".option norelax\n"
	"	la gp, __global_pointer$\n"
	".option pop\n"
	"	ld tp, 0(a0)\n"
	"	tail pthread_main\n");

/* pthread_create, the new thread starting with signal mask mask. */
static int create_masked(pthread_t *out, const pthread_attr_t *a, void *(*fn)(void *), void *arg,
			 uint64_t mask)
{
	pthread_attr_t def;
	if (!a) {
		pthread_attr_init(&def);
		a = &def;
	}
	size_t tls = ((size_t)__tls_size + 15) & ~(size_t)15;
	size_t stack = (a->stacksize + 15) & ~(size_t)15;
	size_t len = (stack + tls + PAGE_BYTES - 1) & ~(size_t)(PAGE_BYTES - 1);
	if (a->stackaddr && a->stacksize < tls + PTHREAD_STACK_MIN)
		return EINVAL; /* the caller's stack must hold the thread-local block too */
	struct pthread *self = pthread_self(); /* the first thread's record, made now */
	pthread_mutex_lock(&threads_lock);
	reap_locked();
	if (!pthread_threaded) { /* the first thread made since start (or fork) */
		self->sigmask = signals_thread_mask();
		live_add_locked(self);
	}
	pthread_mutex_unlock(&threads_lock);
	struct pthread *t = calloc(1, sizeof(*t));
	void *mem = !t		   ? MAP_FAILED
		    : a->stackaddr ? a->stackaddr
				   : mmap(0, len, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		free(t);
		return EAGAIN;
	}
	t->mem = mem;
	t->mem_len = a->stackaddr ? 0 : len; /* 0: the caller's stack, not ours to unmap */
	if (a->stackaddr)
		len = a->stacksize;
	t->fn = fn;
	t->arg = arg;
	t->sigmask = mask;
	pthread_threaded = 1;
	t->detached = a->detachstate == PTHREAD_CREATE_DETACHED;
	/* The thread-local block at the top, 16-byte aligned; the stack ends below it. */
	t->tls = (char *)(((uintptr_t)t->mem + len - tls) & ~(uintptr_t)15);
	tls_block_init(t->tls, !a->stackaddr); /* our mmap's pages are zero; the caller's? */
	affinity_inherit(t->tls);
	/* The stack ends where the thread-local block begins. */
	long id = SYSCALL(thread_create, SLOT_SELF, -1, pthread_entry, (uintptr_t)t->tls - 16, t);
	if (id < 0) {
		release(t);
		return EAGAIN;
	}
	t->kernel_id = id; /* written before anyone can pthread_kill it: *out is set below */
	pthread_mutex_lock(&threads_lock);
	live_add_locked(t);
	pthread_mutex_unlock(&threads_lock);
	*out = t;
	return 0;
}

int pthread_create(pthread_t *out, const pthread_attr_t *a, void *(*fn)(void *), void *arg)
{
	return create_masked(out, a, fn, arg, signals_thread_mask()); /* its creator's, POSIX */
}

/*
 * A thread of the C library's own (the timer thread, message queue and SIGEV_THREAD
 * helpers) blocks every signal: a signal sent to the process is the program's, for one
 * of its threads, and a helper that took it would act on it by its default action (a
 * realtime signal every program thread blocked ended the process).
 */
int pthread_create_quiet(pthread_t *out, const pthread_attr_t *a, void *(*fn)(void *), void *arg)
{
	return create_masked(out, a, fn, arg, ~(uint64_t)1);
}

int pthread_join(pthread_t t, void **ret)
{
	if (t == pthread_self())
		return EDEADLK;
	if (!t || t->detached)
		return EINVAL;
	cancel_point();
	while (!__atomic_load_n(&t->done, __ATOMIC_ACQUIRE)) {
		futex_wait(&t->done, 0, FUTEX_FOREVER);
		cancel_point(); /* a cancel leaves t joinable (POSIX) */
	}
	if (ret)
		*ret = t->ret;
	release(t);
	return 0;
}

int pthread_detach(pthread_t t)
{
	if (!t || t == &main_thread)
		return EINVAL; /* the first thread's end is the process's */
	pthread_mutex_lock(&threads_lock);
	int err = t->detached ? EINVAL : 0;
	if (!err) {
		t->detached = 1;
		if (t->exiting) { /* it has ended already (or is ending): free it when done */
			t->reap_next = reap_list;
			reap_list = t;
		}
	}
	reap_locked();
	pthread_mutex_unlock(&threads_lock);
	return err;
}

/* --- once --- */

enum { ONCE_NEW, ONCE_RUNNING, ONCE_DONE };

int pthread_once(pthread_once_t *o, void (*fn)(void))
{
	if (__atomic_load_n(&o->state, __ATOMIC_ACQUIRE) == ONCE_DONE)
		return 0;
	uint32_t expect = ONCE_NEW;
	if (__atomic_compare_exchange_n(&o->state, &expect, ONCE_RUNNING, 0, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
		fn();
		__atomic_store_n(&o->state, ONCE_DONE, __ATOMIC_RELEASE);
		futex_wake(&o->state, UINT32_MAX);
		return 0;
	}
	while (__atomic_load_n(&o->state, __ATOMIC_ACQUIRE) == ONCE_RUNNING)
		futex_wait(&o->state, ONCE_RUNNING, FUTEX_FOREVER);
	return 0;
}

/*
 * --- keys: a global table of destructors, each thread's values in a block of its own ---
 * Both are allocated on first use, so a program that never uses keys carries no table
 * (a bigger data segment would cost every fork a page).
 */

struct key_slot {
	uint32_t gen; /* odd while the key exists; a value of another generation is stale */
	void (*destructor)(void *);
};
struct key_value {
	uint32_t gen;
	void *value;
};
static struct key_slot *keys;
static pthread_mutex_t keys_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread struct key_value *key_values;

int pthread_key_create(pthread_key_t *k, void (*destructor)(void *))
{
	int err = EAGAIN;
	pthread_mutex_lock(&keys_lock);
	if (!keys)
		keys = calloc(PTHREAD_KEYS_MAX, sizeof(*keys));
	for (unsigned i = 0; keys && i < PTHREAD_KEYS_MAX; i++) {
		if (keys[i].gen & 1)
			continue;
		keys[i].gen++;
		keys[i].destructor = destructor;
		*k = i;
		err = 0;
		break;
	}
	if (!keys)
		err = ENOMEM;
	pthread_mutex_unlock(&keys_lock);
	return err;
}

static int key_live(pthread_key_t k)
{
	return keys && k < PTHREAD_KEYS_MAX && (keys[k].gen & 1);
}

int pthread_key_delete(pthread_key_t k)
{
	int err = EINVAL;
	pthread_mutex_lock(&keys_lock);
	if (key_live(k)) {
		keys[k].gen++;
		keys[k].destructor = 0;
		err = 0;
	}
	pthread_mutex_unlock(&keys_lock);
	return err;
}

void *pthread_getspecific(pthread_key_t k)
{
	if (!key_values || !key_live(k) || key_values[k].gen != keys[k].gen)
		return 0;
	return key_values[k].value;
}

int pthread_setspecific(pthread_key_t k, const void *v)
{
	if (!key_live(k))
		return EINVAL;
	if (!key_values && !(key_values = calloc(PTHREAD_KEYS_MAX, sizeof(*key_values))))
		return ENOMEM;
	key_values[k].gen = keys[k].gen;
	key_values[k].value = (void *)v;
	return 0;
}

/* POSIX: call each non-NULL value's destructor, again while destructors set new values. */
static void run_key_destructors(void)
{
	for (int round = 0; key_values && round < PTHREAD_DESTRUCTOR_ITERATIONS; round++) {
		int ran = 0;
		for (unsigned i = 0; i < PTHREAD_KEYS_MAX; i++) {
			void *v = pthread_getspecific(i);
			void (*d)(void *) = keys[i].destructor;
			if (!v || !d)
				continue;
			key_values[i].value = 0;
			d(v);
			ran = 1;
		}
		if (!ran)
			break;
	}
	free(key_values);
	key_values = 0;
}

/* --- fork handlers: prepare in reverse order of registration, parent and child in order --- */

#define ATFORK_MAX 32
struct atfork {
	void (*prepare)(void), (*parent)(void), (*child)(void);
};
static struct atfork *atforks; /* on first use, like the key table */
unsigned pthread_atfork_count;
static pthread_mutex_t atfork_lock = PTHREAD_MUTEX_INITIALIZER;

int pthread_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void))
{
	int err = ENOMEM;
	pthread_mutex_lock(&atfork_lock);
	if (!atforks)
		atforks = calloc(ATFORK_MAX, sizeof(*atforks));
	if (atforks && pthread_atfork_count < ATFORK_MAX) {
		atforks[pthread_atfork_count++] = (struct atfork){ prepare, parent, child };
		err = 0;
	}
	pthread_mutex_unlock(&atfork_lock);
	return err;
}

void pthread_fork_prepare(void)
{
	pthread_mutex_lock(&atfork_lock);
	for (unsigned i = pthread_atfork_count; i-- > 0;)
		if (atforks[i].prepare)
			atforks[i].prepare();
	if (pthread_threaded) {
		streams_fork(FORK_PHASE_PREPARE);
		libc_lock_fork(FORK_PHASE_PREPARE);
	}
}

void pthread_fork_after(int in_child)
{
	if (pthread_threaded) {
		libc_lock_fork(in_child ? FORK_PHASE_CHILD : FORK_PHASE_PARENT);
		streams_fork(in_child ? FORK_PHASE_CHILD : FORK_PHASE_PARENT);
	}
	for (unsigned i = 0; i < pthread_atfork_count; i++) {
		void (*fn)(void) = in_child ? atforks[i].child : atforks[i].parent;
		if (fn)
			fn();
	}
	pthread_mutex_unlock(&atfork_lock);
	/* The child runs only the thread that forked (POSIX): its exit needs no fork server. */
	if (in_child && pthread_threaded) {
		pthread_threaded = 0;
		live_list = 0; /* the others are not in the child; pthread_create adds us again */
		uthreads_live = 0;
		main_ended = pthread_self() != &main_thread; /* the first is not in the child */
	}
}
