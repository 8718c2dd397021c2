/* picolibc's <sys/resource.h> (struct rusage, getrusage), plus the limits this system has
 * (userland/lib/posix.c). */
#ifndef USER_SYS_RESOURCE_H
#define USER_SYS_RESOURCE_H

#include_next <sys/resource.h>

typedef unsigned long rlim_t;
struct rlimit {
	rlim_t rlim_cur;
	rlim_t rlim_max;
};
#define RLIM_INFINITY (~0UL)
#define RLIMIT_NOFILE 7

int getrlimit(int resource, struct rlimit *r);
int setrlimit(int resource, const struct rlimit *r);

#endif
