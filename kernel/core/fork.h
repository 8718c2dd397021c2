/* fork: cloning a task for a user-level server (docs/syscalls.md "27 fork"). */
#ifndef KERNEL_FORK_H
#define KERNEL_FORK_H

#include "kernel/core/object.h"

/* "No slot" for fork_req.sup_slot: the child gets no second copy of the supervisor cap. */
#define FORK_NO_SLOT ((uint64_t)-1)

/* A fork call, decoded and checked by sys_fork; fork_task acts on it. */
struct fork_req {
	struct task *server;   /* the caller: pays for the task object and the thread */
	struct task *parent;   /* the task cloned */
	struct thread *caller; /* the parent's thread waiting for the server's answer */
	struct cap *dst;       /* the server's empty slot for the child */
	struct cap *sup;       /* an endpoint cap with SEND, or an empty cap: no supervisor */
	uint64_t badge;	       /* for the child's copies of sup; 0 keeps sup's own */
	uint64_t sup_slot;     /* the child's slot for a second copy of sup, or FORK_NO_SLOT */
	int mode;	       /* FORK_COW or FORK_EAGER */
};

/*
 * Make the child: address space, slots, supervisor and the one thread, whose copy of the
 * caller's call is answered with zeros; the child goes into the server's slot dst. The id
 * of that thread, or E_NOMEM / E_QUOTA with the child freed again.
 */
long fork_task(const struct fork_req *r);

/* Decode and check a fork call's arguments into r: 0, or why not (syscall.c's). */
typedef int fork_args_fn(struct thread *self, struct fork_req *r);

/*
 * fork_task with several harts: the address space is cloned without the big lock, then
 * the call (self's) is checked again with args. If self was killed meanwhile its hart may
 * have let go of it: the caller must look (this_hart()->current) before touching it.
 */
long fork_task_apart(struct thread *self, struct fork_req *r, fork_args_fn *args);

#endif
