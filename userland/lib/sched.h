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

/*
 * Linux's CPU affinity calls (affinity.c): a thread runs on one hart (a set of exactly
 * one online hart) or on any (every online hart); other sets are EINVAL. pid 0 or the
 * process's own pid names the calling thread. The set: harts by index, as sched_getcpu.
 */
#define CPU_SETSIZE 1024
typedef struct {
	unsigned long bits[CPU_SETSIZE / (8 * sizeof(unsigned long))];
} cpu_set_t;
#define CPU_BITS_	    (8 * sizeof(unsigned long))
#define CPU_ZERO(set)	    __builtin_memset((set), 0, sizeof(cpu_set_t))
#define CPU_SET(cpu, set)   cpu_set_op_((cpu), (set), 1)
#define CPU_CLR(cpu, set)   cpu_set_op_((cpu), (set), 0)
#define CPU_ISSET(cpu, set) cpu_isset_((cpu), (set))
#define CPU_COUNT(set)	    cpu_count_(set)
#define CPU_EQUAL(a, b)	    (__builtin_memcmp((a), (b), sizeof(cpu_set_t)) == 0)

static inline void cpu_set_op_(int cpu, cpu_set_t *set, int on)
{
	if (cpu < 0 || cpu >= CPU_SETSIZE)
		return;
	unsigned long bit = 1UL << ((unsigned)cpu % CPU_BITS_);
	if (on)
		set->bits[(unsigned)cpu / CPU_BITS_] |= bit;
	else
		set->bits[(unsigned)cpu / CPU_BITS_] &= ~bit;
}

static inline int cpu_isset_(int cpu, const cpu_set_t *set)
{
	return cpu >= 0 && cpu < CPU_SETSIZE &&
	       (set->bits[(unsigned)cpu / CPU_BITS_] >> ((unsigned)cpu % CPU_BITS_)) & 1;
}

static inline int cpu_count_(const cpu_set_t *set)
{
	int n = 0;
	for (unsigned i = 0; i < CPU_SETSIZE / CPU_BITS_; i++)
		n += __builtin_popcountl(set->bits[i]);
	return n;
}

int sched_setaffinity(pid_t pid, size_t cpusetsize, const cpu_set_t *mask);
int sched_getaffinity(pid_t pid, size_t cpusetsize, cpu_set_t *mask);

#endif
