/* picolibc's <sys/resource.h> (struct rusage, getrusage), plus the resource limits
 * (userland/lib/rlimit.c). */
#ifndef USER_SYS_RESOURCE_H
#define USER_SYS_RESOURCE_H

#include_next <sys/resource.h>

typedef unsigned long rlim_t;
struct rlimit {
	rlim_t rlim_cur;
	rlim_t rlim_max;
};
#define RLIM_INFINITY  (~0UL)
#define RLIM_SAVED_MAX RLIM_INFINITY
#define RLIM_SAVED_CUR RLIM_INFINITY
/* The resources (userland/lib/rlimit.c says which are enforced). */
#define RLIMIT_CPU     0
#define RLIMIT_FSIZE   1
#define RLIMIT_DATA    2
#define RLIMIT_STACK   3
#define RLIMIT_CORE    4
#define RLIMIT_RSS     5
#define RLIMIT_NPROC   6
#define RLIMIT_NOFILE  7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS      9
#define RLIM_NLIMITS   10

int getrlimit(int resource, struct rlimit *r);
int setrlimit(int resource, const struct rlimit *r);

/* The nice value (userland/lib/misc.c): kept and reported, one priority for every thread. */
#define PRIO_PROCESS 0
#define PRIO_PGRP    1
#define PRIO_USER    2
int getpriority(int which, id_t who);
int setpriority(int which, id_t who, int value);

#endif
