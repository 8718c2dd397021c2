/*
 * picolibc's locking hooks (<sys/lock.h>, _RETARGETABLE_LOCKING): this build takes
 * __lock___libc_recursive_mutex around malloc, the environment, atexit and the time
 * zone, and a lock per FILE for the buffered streams of fdopen. Defining every symbol
 * of picolibc's own (empty) lock object here keeps that object out of the link; the
 * link names __lock___libc_recursive_mutex with -u (userland/build.mk) so this file is
 * taken from lib.a before libc.a is searched.
 *
 * The console streams (libc_glue.c) need no lock: each thread collects its own line.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/lock.h>

#include "pthread_impl.h"

struct __lock {
	pthread_mutex_t m;
};

struct __lock __lock___libc_recursive_mutex = { PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP };

static void lock_new(_LOCK_T *lock, int type)
{
	*lock = malloc(sizeof(**lock));
	if (*lock)
		(*lock)->m = (pthread_mutex_t){ .type = type };
}

void __retarget_lock_init(_LOCK_T *lock)
{
	lock_new(lock, PTHREAD_MUTEX_NORMAL);
}

void __retarget_lock_init_recursive(_LOCK_T *lock)
{
	lock_new(lock, PTHREAD_MUTEX_RECURSIVE);
}

void __retarget_lock_close(_LOCK_T lock)
{
	if (lock != &__lock___libc_recursive_mutex)
		free(lock);
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
	__retarget_lock_close(lock);
}

/* A lock that could not be made (no memory) is no lock: a single thread still works. */
void __retarget_lock_acquire(_LOCK_T lock)
{
	if (lock)
		pthread_mutex_lock(&lock->m);
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
	__retarget_lock_acquire(lock);
}

int __retarget_lock_try_acquire(_LOCK_T lock)
{
	return lock ? pthread_mutex_trylock(&lock->m) == 0 : 1;
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
	return __retarget_lock_try_acquire(lock);
}

void __retarget_lock_release(_LOCK_T lock)
{
	if (lock)
		pthread_mutex_unlock(&lock->m);
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
	__retarget_lock_release(lock);
}

/*
 * fork: hold the C library's lock across it, so the child's malloc is never caught
 * half-way by another thread of the parent. The child's only thread is the one that
 * took it (same record, same address), so it can release it.
 */
void libc_lock_fork(int phase)
{
	if (phase == FORK_PHASE_PREPARE)
		__retarget_lock_acquire_recursive(&__lock___libc_recursive_mutex);
	else
		__retarget_lock_release_recursive(&__lock___libc_recursive_mutex);
}
