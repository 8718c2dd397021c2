/*
 * fork, performed: the one home of the clone that the fork server asks for. sys_fork
 * (syscall.c) decodes and checks the call; each part of the clone is an operation of the
 * part that owns it: the address space (vm/as.c), the capability space (cap.c) and the
 * answer to the cloned call (ipc.c). The kernel knows nothing of the server's
 * conventions: the slot for the child's badged capability is an argument.
 */
#include "kernel/core/fork.h"

#include "kernel/abi/error.h"
#include "kernel/abi/syscall.h"
#include "kernel/core/ipc.h"
#include "kernel/core/sched.h"
#include "kernel/core/task.h"
#include "kernel/cpu/hart.h"
#include "kernel/cpu/lockorder.h"
#include "kernel/cpu/smp.h"
#include "vm/frame.h"
#include "vm/tlb.h"
#include "vm/as.h"

/*
 * The child's supervisor, and the copy of it in sup_slot unless there is none: copies of
 * the endpoint cap sup (CAP_SEND only), with badge, or with sup's own badge when it is 0.
 */
static inline __attribute__((always_inline)) int fork_supervise(struct task *child,
								const struct fork_req *r)
{
	int err;
	struct cap *copy = 0;
	if (r->sup_slot != FORK_NO_SLOT && !(copy = cap_slot(child, r->sup_slot, &err)))
		return err;
	uint64_t badge = r->badge ? r->badge : r->sup->badge;
	cap_install(&child->supervisor, r->sup->obj, CAP_SEND, badge, r->sup);
	if (copy)
		cap_install(copy, r->sup->obj, CAP_SEND, badge, r->sup);
	return 0;
}

/* The child's limit is its parent's, but never more than the server's own. */
static uint64_t child_quota(const struct fork_req *r)
{
	uint64_t p = r->parent->quota.limit, s = r->server->quota.limit;
	return p < s ? p : s;
}

/*
 * The rest of a fork once the child has its tree (err 0) or failed to get it: its slots,
 * supervisor and thread, whose copy of the call is answered at once so it starts as soon
 * as it is scheduled. The server's own pending reply still answers the parent. A failure
 * part-way kills and frees the child.
 */
static inline __attribute__((always_inline)) long fork_finish(const struct fork_req *r,
							      struct task *child, int err)
{
	struct thread *th = 0;
	if (err || (err = cspace_copy(r->parent, child, r->sup_slot)) != 0 ||
	    (r->sup->obj && (err = fork_supervise(child, r)) != 0) ||
	    !(th = thread_make_clone(child, r->server))) {
		task_kill(child); /* its own slot held the last reference: this frees it */
		return err ? err : E_NOMEM;
	}
	ipc_answer_clone(th, r->caller);
	/* The child's thread runs where the caller's may (Linux's fork keeps the affinity
	 * mask): a process pinned to a hart forks there, its children too. */
	th->affinity = r->caller->affinity;
	cap_install(r->dst, &child->hdr, CAP_ALL, 0, 0);
	sched_ready(th);
	return (long)th->id;
}

/* The stack pointer of the parent's calling thread: both tasks store there first. */
static uint64_t hot_address(const struct fork_req *r)
{
	return r->caller->tf.x[REG_SP];
}

long fork_task(const struct fork_req *r)
{
	struct task *child = task_new(r->server, child_quota(r));
	if (!child)
		return E_NOMEM;
	return fork_finish(r, child, as_clone(&r->parent->as, &child->as, r->mode, hot_address(r)));
}

/*
 * The clone without the big lock: the walk of the parent's tables (and a copy of every
 * page, for EAGER) holds up no other hart. Both spaces are marked first, so anything that
 * would read or change either tree waits for the walk (as_settle); the parent and its
 * thread are held, so neither is freed meanwhile. Returns with the lock held again and
 * *wp set if the parent's translations must be flushed.
 */
static int clone_unlocked(const struct fork_req *r, struct task *child, bool *wp)
{
	uint64_t hot = hot_address(r);
	as_clone_begin(&r->parent->as, &child->as);
	lock_order_take(LOCK_AS);
	bkl_unlock_smp();
	int err = as_clone_tree(&r->parent->as, &child->as, r->mode, hot, wp);
	as_clone_end(&r->parent->as, &child->as);
	lock_order_drop(LOCK_AS);
	bkl_lock_smp();
	return err;
}

/*
 * Several harts: fork_task with the clone made without the lock. Anything may have
 * happened meanwhile, so the call is decoded again (args) and must still name the same
 * parent and thread: if the server's thread was killed, or the parent or its call went,
 * the child goes and the error says why. A clone that found the frame pool empty is made
 * again under the lock, where frames on their way back can be waited for.
 */
long fork_task_apart(struct thread *self, struct fork_req *r, fork_args_fn *args)
{
	struct task *child = task_new(r->server, child_quota(r));
	if (!child)
		return E_NOMEM;
	struct task *parent = r->parent;
	struct thread *caller = r->caller;
	bool wp = false;
	kobj_get(&parent->hdr);
	kobj_get(&caller->hdr);
	int err = clone_unlocked(r, child, &wp);
	if (wp && !parent->dead)
		tlb_flush_all(&parent->as);
	int again = sched_still_running(self) ? args(self, r) : E_DEAD;
	if (!again && (r->parent != parent || r->caller != caller))
		again = E_DEAD;
	kobj_put(&caller->hdr);
	kobj_put(&parent->hdr);
	if (again) {
		task_kill(child);
		return again;
	}
	if (err == E_NOMEM && frame_pool_settle(&kframes)) {
		task_kill(child);
		return fork_task(r);
	}
	return fork_finish(r, child, err);
}
