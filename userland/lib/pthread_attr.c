/*
 * Thread attributes and scheduling parameters. There is one scheduling policy for POSIX
 * threads (SCHED_OTHER, priority 0; the kernel's priorities are for servers), every
 * thread has system scope, and the stack guard is always the one unmapped page mmap
 * leaves after each range: these calls check and keep their values so portable programs
 * run, and refuse what cannot be had with ENOTSUP.
 */
#include <errno.h>
#include <pthread.h>

#include "pthread_impl.h"

int pthread_attr_init(pthread_attr_t *a)
{
	*a = (pthread_attr_t){ .stacksize = PTHREAD_STACK_DEFAULT,
			       .detachstate = PTHREAD_CREATE_JOINABLE,
			       .guardsize = PTHREAD_STACK_MIN,
			       .inheritsched = PTHREAD_INHERIT_SCHED,
			       .schedpolicy = SCHED_OTHER };
	return 0;
}

int pthread_attr_destroy(pthread_attr_t *a)
{
	(void)a;
	return 0;
}

int pthread_attr_setstacksize(pthread_attr_t *a, size_t size)
{
	if (size < PTHREAD_STACK_MIN)
		return EINVAL;
	a->stacksize = size;
	return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *a, size_t *size)
{
	*size = a->stacksize;
	return 0;
}

/* The caller's stack: the thread-local block goes at its top, the stack below. */
int pthread_attr_setstack(pthread_attr_t *a, void *addr, size_t size)
{
	if (size < PTHREAD_STACK_MIN || !addr)
		return EINVAL;
	a->stackaddr = addr;
	a->stacksize = size;
	return 0;
}

int pthread_attr_getstack(const pthread_attr_t *a, void **addr, size_t *size)
{
	*addr = a->stackaddr;
	*size = a->stacksize;
	return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *a, int state)
{
	if (state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED)
		return EINVAL;
	a->detachstate = state;
	return 0;
}

int pthread_attr_getdetachstate(const pthread_attr_t *a, int *state)
{
	*state = a->detachstate;
	return 0;
}

int pthread_attr_setguardsize(pthread_attr_t *a, size_t size)
{
	a->guardsize = size;
	return 0;
}

int pthread_attr_getguardsize(const pthread_attr_t *a, size_t *size)
{
	*size = a->guardsize;
	return 0;
}

int pthread_attr_setscope(pthread_attr_t *a, int scope)
{
	(void)a;
	if (scope == PTHREAD_SCOPE_PROCESS)
		return ENOTSUP;
	return scope == PTHREAD_SCOPE_SYSTEM ? 0 : EINVAL;
}

int pthread_attr_getscope(const pthread_attr_t *a, int *scope)
{
	(void)a;
	*scope = PTHREAD_SCOPE_SYSTEM;
	return 0;
}

int pthread_attr_setinheritsched(pthread_attr_t *a, int inherit)
{
	if (inherit != PTHREAD_INHERIT_SCHED && inherit != PTHREAD_EXPLICIT_SCHED)
		return EINVAL;
	a->inheritsched = inherit;
	return 0;
}

int pthread_attr_getinheritsched(const pthread_attr_t *a, int *inherit)
{
	*inherit = a->inheritsched;
	return 0;
}

/* SCHED_OTHER only; the real-time policies are known but not offered. */
static int policy_ok(int policy)
{
	if (policy == SCHED_FIFO || policy == SCHED_RR)
		return ENOTSUP;
	return policy == SCHED_OTHER ? 0 : EINVAL;
}

int pthread_attr_setschedpolicy(pthread_attr_t *a, int policy)
{
	int err = policy_ok(policy);
	if (!err)
		a->schedpolicy = policy;
	return err;
}

int pthread_attr_getschedpolicy(const pthread_attr_t *a, int *policy)
{
	*policy = a->schedpolicy;
	return 0;
}

int pthread_attr_setschedparam(pthread_attr_t *a, const struct sched_param *p)
{
	if (p->sched_priority != 0)
		return EINVAL;
	a->schedparam = *p;
	return 0;
}

int pthread_attr_getschedparam(const pthread_attr_t *a, struct sched_param *p)
{
	*p = a->schedparam;
	return 0;
}

int pthread_setschedparam(pthread_t t, int policy, const struct sched_param *p)
{
	(void)t;
	int err = policy_ok(policy);
	return err ? err : p->sched_priority != 0 ? EINVAL : 0;
}

/* One priority (0) for every thread: another is EINVAL, as for pthread_setschedparam. */
int pthread_setschedprio(pthread_t t, int prio)
{
	(void)t;
	return prio != 0 ? EINVAL : 0;
}

int pthread_getschedparam(pthread_t t, int *policy, struct sched_param *p)
{
	(void)t;
	*policy = SCHED_OTHER;
	p->sched_priority = 0;
	return 0;
}

static int concurrency;

int pthread_setconcurrency(int level)
{
	if (level < 0)
		return EINVAL;
	concurrency = level;
	return 0;
}

int pthread_getconcurrency(void)
{
	return concurrency;
}
