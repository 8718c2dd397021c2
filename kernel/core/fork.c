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
#include "vm/as.h"

/*
 * The child's supervisor, and the copy of it in sup_slot unless there is none: copies of
 * the endpoint cap sup (CAP_SEND only), with badge, or with sup's own badge when it is 0.
 */
static int fork_supervise(struct task *child, const struct fork_req *r)
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
 * Clone the parent (COW or eager), its slots and the calling thread, whose call is
 * answered at once so it starts as soon as it is scheduled. The server's own pending
 * reply still answers the parent. A failure part-way kills and frees the child.
 */
long fork_task(const struct fork_req *r)
{
	int err;
	struct task *child = task_new(r->server, child_quota(r));
	if (!child)
		return E_NOMEM;
	struct thread *th = 0;
	uint64_t sp = r->caller->tf.x[REG_SP]; /* both tasks store there first */
	if ((err = as_clone(&r->parent->as, &child->as, r->mode, sp)) != 0 ||
	    (err = cspace_copy(r->parent, child, r->sup_slot)) != 0 ||
	    (r->sup->obj && (err = fork_supervise(child, r)) != 0) ||
	    !(th = thread_make(child, r->server))) {
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
