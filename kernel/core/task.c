/* Tasks and threads: see task.h. */
#include "kernel/core/task.h"
#include "kernel/core/upcall.h"

#include <stddef.h>

#include "kernel/abi/error.h"
#include "kernel/abi/fault.h"
#include "kernel/core/futex.h"
#include "kernel/core/ipc.h"
#include "kernel/core/kalloc.h"
#include "kernel/core/sched.h"
#include "kernel/core/uaccess.h"
#include "kernel/cpu/hart.h"
#include "kernel/cpu/smp.h"
#include "kernel/io/console.h"
#include "kernel/io/power.h"
#include "kernel/io/printk.h"
#include "vm/as.h"

struct task *init_task;

/*
 * The owner's side of vm's interface (vm/as.h): an address space is a task's, which a
 * hart holds a reference on while the tree is in its satp (its quota is given to
 * as_init).
 */
static inline struct task *as_owner(struct as *as)
{
	return (struct task *)((char *)as - offsetof(struct task, as));
}

void as_release_last(struct as *as)
{
	kobj_put_last(&as_owner(as)->hdr);
}

static uint64_t next_thread_id = 1;

struct task *task_new(struct task *creator, uint64_t quota)
{
	struct task *t = kobj_alloc(OBJ_TASK, sizeof(*t), creator);
	if (!t)
		return 0;
	int err;
	t->quota.limit = quota;
	t->as.owner_refs = &t->hdr.refs; /* what a hart holds while it runs the space */
	struct cap *self = cap_slot(t, SLOT_SELF, &err);
	if (!self || as_init(&t->as, &t->quota) != 0) {
		t->dead = true; /* nothing to stop: only free what was made */
		cspace_clear(t);
		kobj_put(&t->hdr);
		return 0;
	}
	cap_install(self, &t->hdr, CAP_ALL, 0, 0);
	kobj_put(&t->hdr); /* the self capability holds the first reference */
	return t;
}

/* A new thread's fields (th zeroed, its registers aside), on task's list. */
static inline __attribute__((always_inline)) struct thread *thread_setup(struct thread *th,
									 struct task *task)
{
	th->task = task;
	kobj_get(&task->hdr);
	th->id = next_thread_id++;
	th->prio = THREAD_PRIO_DEFAULT;
	th->affinity = -1;
	/* It first goes where it is made (sched.c's place): a forked child then runs on its
	 * parent's hart once the parent waits, rather than kicking hart 0 or another. */
	th->last_hart = (uint16_t)this_hart()->index;
	/* The task's list holds the reference kobj_alloc returned. */
	th->task_next = task->threads;
	task->threads = th;
	return th;
}

struct thread *thread_make(struct task *task, struct task *payer)
{
	struct thread *th = kobj_alloc(OBJ_THREAD, sizeof(*th), payer);
	return th ? thread_setup(th, task) : 0;
}

/*
 * A fork's child thread: its registers are the caller's, copied at once
 * (ipc_answer_clone), so they need not be cleared first: the fields after them are.
 */
struct thread *thread_make_clone(struct task *task, struct task *payer)
{
	struct thread *th = kobj_alloc_from(OBJ_THREAD, sizeof(*th), payer,
					    offsetof(struct thread, tf) + sizeof(th->tf));
	return th ? thread_setup(th, task) : 0;
}

struct thread *thread_new(struct task *task, struct task *payer, uint64_t pc, uint64_t sp,
			  uint64_t arg, int affinity)
{
	struct thread *th = thread_make(task, payer);
	if (!th)
		return 0;
	th->tf.sepc = pc;
	th->tf.x[REG_SP] = sp;
	th->tf.x[REG_A0] = arg;
	th->affinity = affinity;
	sched_ready(th);
	return th;
}

static void unlink_thread(struct thread *th)
{
	struct thread **pp = &th->task->threads;
	while (*pp && *pp != th)
		pp = &(*pp)->task_next;
	if (*pp)
		*pp = th->task_next;
	th->task_next = 0;
}

/* Take th out of every queue and mark it dead; drop the task list's reference. */
static void thread_kill(struct thread *th)
{
	/* One hart keeps no reference for the thread it runs: forget it before it goes. */
	th->task->ended_ticks += th->run_ticks;
	if (!smp_on() && this_hart()->current == th)
		this_hart()->current = 0;
	sched_remove(th);
	sched_unsleep(th);
	console_cancel(th);
	ipc_cancel(th);
	upcall_forget(th);
	th->state = TS_DEAD;
	unlink_thread(th);
	kobj_put(&th->hdr);
}

void thread_destroy(struct thread *th)
{
	kobj_put(&th->task->hdr);
}

void task_kill(struct task *t)
{
	if (t->dead)
		return;
	t->dead = true;
	kobj_get(&t->hdr); /* deleting SLOT_SELF must not free t under our feet */
	while (t->threads)
		thread_kill(t->threads);
	cspace_clear(t);
	cap_delete(&t->supervisor);
	uint64_t parked = as_destroy(&t->as);
	if (parked)
		sched_let_go(parked);
	kobj_put(&t->hdr);
}

void task_destroy(struct task *t)
{
	task_kill(t);
}

static bool last_thread(struct thread *th)
{
	return th->task->threads == th && !th->task_next;
}

/*
 * A thread that is not the task's last ends, and its done word (if any) says so: the
 * store comes first, while the thread can still be told E_NOMEM, and the wake after, so a
 * joiner that returns finds the thread gone from the kernel, not still on its way out.
 * Nobody sees the word in between: its other threads' loads do, but anything they ask
 * of the kernel waits for the lock this holds. A word that cannot be written (E_FAULT)
 * is ignored: the thread ends all the same.
 */
static int thread_exit_one(struct thread *th, uint64_t done_va, uint32_t done_val)
{
	struct task *t = th->task;
	int err = done_va ? user_copy_out(t, done_va, &done_val, sizeof(done_val)) : E_FAULT;
	if (err == E_NOMEM)
		return err;
	ipc_drop_reply(th); /* a caller it never answered must not wait for it */
	thread_kill(th);
	if (!err)
		futex_wake(t, done_va, UINT64_MAX);
	return 0;
}

int thread_exit(struct thread *th, uint64_t status, uint64_t done_va, uint32_t done_val)
{
	struct task *t = th->task;
	/* The status, and the task's run time for its supervisor's accounts (cpu_time). */
	uint64_t words[2] = { status, t->ended_ticks + th->run_ticks };
	if (!last_thread(th))
		return thread_exit_one(th, done_va, done_val);
	ipc_drop_reply(th); /* a caller it never answered must not wait for its supervisor */
	t->exit_status = status;
	if (ipc_kernel_message(th, LABEL_EXIT, words, 2) == 0)
		return 0; /* the supervisor decides when the task goes */
	if (t == init_task) {
		printk("init exited with status %lu\n", status);
		machine_exit((int)status);
	}
	task_kill(t);
	return 0;
}

void thread_fault(struct thread *th, uint64_t label, uint64_t scause, uint64_t stval)
{
	uint64_t words[REPORT_WORDS] = { scause, stval, th->tf.sepc, th->id };
	if (ipc_fault_report(th, label, words) == 0)
		return;
	printk("task fault: thread %lu, %s at pc %p, address %p: task ended\n", th->id,
	       label == LABEL_OOM ? "out of memory" : trap_cause_name(scause & FAULT_CAUSE_MASK),
	       (void *)th->tf.sepc, (void *)stval);
	if (th->task == init_task)
		machine_exit(EXIT_PANIC);
	task_kill(th->task);
}
