/*
 * picolibc's <limits.h>, corrected for this system, with what POSIX requires of it and
 * picolibc leaves out: the minimum values (_POSIX_*_MAX and friends), which programs
 * size buffers and check sysconf against, and SSIZE_MAX.
 *
 * picolibc's BSD defaults for OPEN_MAX, ARG_MAX and CHILD_MAX are not this system's
 * numbers, and the first two can change at run time (setrlimit, the exec message), so
 * they are left undefined as POSIX allows: sysconf gives the real ones.
 */
#ifndef USER_LIMITS_H
#define USER_LIMITS_H

#include_next <limits.h>

#undef OPEN_MAX
#undef ARG_MAX
#undef CHILD_MAX

/*
 * Every file system's name and path limits (docs/files.md), as pathconf gives them:
 * FS_NAME_MAX and FS_PATH_MAX (fs.h; posix.c checks). picolibc's 255 and 1024 promised
 * names and paths the file server refuses with ENAMETOOLONG.
 */
#undef NAME_MAX
#undef PATH_MAX
#define NAME_MAX 59
#define PATH_MAX 256

/* Symbolic links one path lookup follows before ELOOP (FST_SYMLOOP_MAX, fstree.h). */
#define SYMLOOP_MAX 8

/* The realtime signals (SIGRTMIN..SIGRTMAX), and the instances of them that may wait for
 * one process at once (sigsrv.c; sigqueue then fails with EAGAIN). */
#define RTSIG_MAX    16
#define SIGQUEUE_MAX 32

#ifndef SSIZE_MAX
#define SSIZE_MAX LONG_MAX

/* The most getentropy gives in one call (POSIX.1-2024): the kernel's ENTROPY_MAX. */
#define GETENTROPY_MAX 256
#endif

/* POSIX.1-2008 <limits.h>, "Minimum Values": the least any conforming system offers. */
#define _POSIX_AIO_LISTIO_MAX		    2
#define _POSIX_AIO_MAX			    1
#define _POSIX_ARG_MAX			    4096
#define _POSIX_CHILD_MAX		    25
#define _POSIX_DELAYTIMER_MAX		    32
#define _POSIX_HOST_NAME_MAX		    255
#define _POSIX_LINK_MAX			    8
#define _POSIX_LOGIN_NAME_MAX		    9
#define _POSIX_MAX_CANON		    255
#define _POSIX_MAX_INPUT		    255
#define _POSIX_MQ_OPEN_MAX		    8
#define _POSIX_MQ_PRIO_MAX		    32
#define _POSIX_NAME_MAX			    14
#define _POSIX_NGROUPS_MAX		    8
#define _POSIX_OPEN_MAX			    20
#define _POSIX_PATH_MAX			    256
#define _POSIX_PIPE_BUF			    512
#define _POSIX_RE_DUP_MAX		    255
#define _POSIX_RTSIG_MAX		    8
#define _POSIX_SEM_NSEMS_MAX		    256
#define _POSIX_SEM_VALUE_MAX		    32767
#define _POSIX_SIGQUEUE_MAX		    32
#define _POSIX_SSIZE_MAX		    32767
#define _POSIX_STREAM_MAX		    8
#define _POSIX_SYMLINK_MAX		    255
#define _POSIX_SYMLOOP_MAX		    8
#define _POSIX_THREAD_DESTRUCTOR_ITERATIONS 4
#define _POSIX_THREAD_KEYS_MAX		    128
#define _POSIX_THREAD_THREADS_MAX	    64
#define _POSIX_TIMER_MAX		    32
#define _POSIX_TTY_NAME_MAX		    9
#define _POSIX_TZNAME_MAX		    6
#define _POSIX_CLOCKRES_MIN		    20000000
#define _POSIX2_BC_BASE_MAX		    99
#define _POSIX2_BC_DIM_MAX		    2048
#define _POSIX2_BC_SCALE_MAX		    99
#define _POSIX2_BC_STRING_MAX		    1000
#define _POSIX2_CHARCLASS_NAME_MAX	    14
#define _POSIX2_COLL_WEIGHTS_MAX	    2
#define _POSIX2_EXPR_NEST_MAX		    32
#define _POSIX2_LINE_MAX		    2048
#define _XOPEN_IOV_MAX			    16
#define _XOPEN_NAME_MAX			    255
#define _XOPEN_PATH_MAX			    1024

#endif
