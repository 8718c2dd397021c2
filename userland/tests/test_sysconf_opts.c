/*
 * What <unistd.h> and <limits.h> promise, sysconf answers the same: every option the
 * headers name is offered at run time, every fixed limit is the header's value, and a
 * known name never gives EINVAL. Programs probe one or the other, so they must agree.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "testlib.h"

/* A header option that is defined must be > 0 at run time too. */
#define CHECK_OPTION(macro, name)                 \
	do {                                      \
		CHECK((macro) > 0);               \
		CHECK_EQ(sysconf(name), (macro)); \
	} while (0)

static void *on_own_stack(void *arg)
{
	int here;
	return (void *)(long)((char *)&here > (char *)arg); /* above the stack's base */
}

int main(void)
{
	CHECK_OPTION(_POSIX_VERSION, _SC_VERSION);
	CHECK_OPTION(_POSIX_THREADS, _SC_THREADS);
	CHECK_OPTION(_POSIX_THREAD_ATTR_STACKSIZE, _SC_THREAD_ATTR_STACKSIZE);
	CHECK_OPTION(_POSIX_THREAD_ATTR_STACKADDR, _SC_THREAD_ATTR_STACKADDR);
	CHECK_OPTION(_POSIX_THREAD_PROCESS_SHARED, _SC_THREAD_PROCESS_SHARED);
	CHECK_OPTION(_POSIX_FSYNC, _SC_FSYNC);
	CHECK_OPTION(_POSIX_SYNCHRONIZED_IO, _SC_SYNCHRONIZED_IO);
	CHECK_OPTION(_POSIX_SPAWN, _SC_SPAWN);
	CHECK_OPTION(_POSIX_TIMERS, _SC_TIMERS);
	CHECK_OPTION(_POSIX_SEMAPHORES, _SC_SEMAPHORES);
	CHECK_OPTION(_POSIX_MAPPED_FILES, _SC_MAPPED_FILES);
	CHECK_OPTION(_POSIX_MEMORY_PROTECTION, _SC_MEMORY_PROTECTION);
	CHECK_OPTION(_POSIX_SHARED_MEMORY_OBJECTS, _SC_SHARED_MEMORY_OBJECTS);
	CHECK_OPTION(_POSIX_MESSAGE_PASSING, _SC_MESSAGE_PASSING);
	CHECK_OPTION(_POSIX_JOB_CONTROL, _SC_JOB_CONTROL);
	CHECK_OPTION(_POSIX_CPUTIME, _SC_CPUTIME);
	CHECK_OPTION(_POSIX_THREAD_CPUTIME, _SC_THREAD_CPUTIME);

	CHECK_EQ(sysconf(_SC_IOV_MAX), IOV_MAX);
	CHECK_EQ(sysconf(_SC_LINE_MAX), LINE_MAX);
	CHECK(sysconf(_SC_HOST_NAME_MAX) >= 64); /* utsname's nodename, as on Linux */
	CHECK(sysconf(_SC_TIMER_MAX) >= _POSIX_TIMER_MAX);
	CHECK(sysconf(_SC_OPEN_MAX) >= _POSIX_OPEN_MAX);
	CHECK(sysconf(_SC_ARG_MAX) >= _POSIX_ARG_MAX);
	CHECK(sysconf(_SC_CHILD_MAX) >= _POSIX_CHILD_MAX);
	CHECK(sysconf(_SC_DELAYTIMER_MAX) >= _POSIX_DELAYTIMER_MAX);
	errno = 0;
	long streams = sysconf(_SC_STREAM_MAX); /* no fixed limit: -1, errno untouched */
	CHECK(streams == -1 || streams >= _POSIX_STREAM_MAX);
	CHECK_EQ(errno, 0);
	CHECK_EQ(sysconf(-1), -1);
	CHECK_EQ(errno, EINVAL);

	/* the option STACKADDR names: a thread on a stack the caller gives */
	size_t size = 64 * 1024;
	char *stack = malloc(size);
	pthread_attr_t a;
	pthread_t t;
	void *above = NULL;
	CHECK(stack != NULL);
	CHECK_EQ(pthread_attr_init(&a), 0);
	CHECK_EQ(pthread_attr_setstack(&a, stack, size), 0);
	CHECK_EQ(pthread_create(&t, &a, on_own_stack, stack), 0);
	CHECK_EQ(pthread_join(t, &above), 0);
	CHECK_EQ((long)above, 1);
	free(stack);
	return test_status();
}
