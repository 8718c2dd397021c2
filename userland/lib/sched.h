/*
 * picolibc's <sched.h>, plus the scheduling policy calls (userland/lib/posix.c), which it
 * declares only when the Process Scheduling option is claimed. They exist, but the
 * option is not claimed: only SCHED_OTHER at priority 0 can be set (docs/userland.md).
 */
#ifndef USER_SCHED_H
#define USER_SCHED_H

#include_next <sched.h>

int sched_setparam(pid_t pid, const struct sched_param *param);
int sched_getparam(pid_t pid, struct sched_param *param);
int sched_setscheduler(pid_t pid, int policy, const struct sched_param *param);
int sched_getscheduler(pid_t pid);
int sched_get_priority_max(int policy);
int sched_get_priority_min(int policy);
struct timespec;
int sched_rr_get_interval(pid_t pid, struct timespec *interval); /* misc.c */
/* The index of the hart the caller runs on (a GNU extension, as in glibc; misc.c). */
int sched_getcpu(void);

#endif
