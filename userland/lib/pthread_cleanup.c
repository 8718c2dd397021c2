/*
 * pthread_cleanup_push and pthread_cleanup_pop (pthread.h's macros): each thread keeps a
 * chain of frames that live in the pushing function's own stack frame, newest first.
 */
#include <pthread.h>

#include "pthread_impl.h"

static __thread struct pthread_cleanup_frame *cleanup_top;

void pthread_cleanup_enter(struct pthread_cleanup_frame *f, void (*routine)(void *), void *arg)
{
	f->routine = routine;
	f->arg = arg;
	f->prev = cleanup_top;
	cleanup_top = f;
}

void pthread_cleanup_leave(struct pthread_cleanup_frame *f, int execute)
{
	cleanup_top = f->prev;
	if (execute)
		f->routine(f->arg);
}

/* pthread_exit: every handler still pushed runs, newest first, each taken off before. */
void pthread_cleanup_run(void)
{
	struct pthread_cleanup_frame *f;
	while ((f = cleanup_top) != 0) {
		cleanup_top = f->prev;
		f->routine(f->arg);
	}
}
