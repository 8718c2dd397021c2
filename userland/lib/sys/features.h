/*
 * picolibc's <sys/features.h>, plus the POSIX options this system offers, so that
 * <unistd.h> names them and <time.h>, <sched.h> declare what goes with them
 * (CLOCK_MONOTONIC, clock_gettime, sched_yield): threads and their locks
 * (pthread.h), clocks and timed waits (time.c), semaphores (semaphore.h), message
 * queues (mqueue.h), fsync and posix_spawn; sysconf (sysconf.c) answers the same.
 */
#ifndef USER_SYS_FEATURES_H
#define USER_SYS_FEATURES_H

#include_next <sys/features.h>

/* picolibc names a POSIX version only for Cygwin and RTEMS */
#undef _POSIX_VERSION
#define _POSIX_VERSION		     200809L
#define _POSIX_THREADS		     200809L
#define _POSIX_THREAD_ATTR_STACKSIZE 200809L
#define _POSIX_THREAD_ATTR_STACKADDR 200809L
#define _POSIX_THREAD_PROCESS_SHARED 200809L
#define _POSIX_FSYNC		     200809L
#define _POSIX_SPAWN		     200809L
#undef _POSIX_JOB_CONTROL
#define _POSIX_JOB_CONTROL	     200809L /* stop and continue, groups, sessions */
#define _POSIX_THREAD_SAFE_FUNCTIONS 200809L
#define _POSIX_READER_WRITER_LOCKS   200809L
#define _POSIX_SPIN_LOCKS	     200809L
#define _POSIX_BARRIERS		     200809L
#define _POSIX_TIMEOUTS		     200809L
#define _POSIX_TIMERS		     200809L
#define _POSIX_MONOTONIC_CLOCK	     200809L
#define _POSIX_CLOCK_SELECTION	     200809L
#define _POSIX_SEMAPHORES	     200809L
#define _POSIX_MESSAGE_PASSING	     200809L
#undef _POSIX_CPUTIME
#undef _POSIX_THREAD_CPUTIME
#define _POSIX_CPUTIME	      200809L /* the kernel counts run time (time.c) */
#define _POSIX_THREAD_CPUTIME 200809L
#undef _POSIX_REALTIME_SIGNALS
#define _POSIX_REALTIME_SIGNALS 200809L /* SIGRTMIN..SIGRTMAX queue (sigsrv.c) */

#endif
