/*
 * forkbench's portability layer: everything the benchmark needs that differs between
 * this kernel and Linux, so that forkbench.c is one source for both (`make bench` builds
 * it with picolibc for this kernel, `make bench-linux` and the qemu-user test with
 * riscv64-linux-gnu-gcc -static for Linux; docs/benchmark.md).
 *
 * What a case may use from here:
 *   cycles()                  the per-operation counter (rdcycle, or clock_gettime in ns
 *                             where user mode may not read it); counter_unit() its unit,
 *                             counter_name() how it is read (header counter=)
 *   real_ticks(), real_hz()   real (guest) time, for the throughput lines
 *   port_fork(mode)           fork, FORK_COW or (where port_has_eager) FORK_EAGER
 *   port_free_pages()         free physical pages, system-wide
 *   port_yield(), port_park() give up the hart; wait until killed
 *   port_harts(), port_run_pinned()  harts running; run a function on one of them
 *   port_pin_self()           pin the calling thread to a hart (-1: any)
 *   port_lock_counts()        instructions this hart retired, and of them those under the
 *                             kernel's big lock, where port_has_lock_counts
 *   port_spawn_true()         start the `true` program without fork (through the loader
 *                             server where port_has_loader, else posix_spawn), or -1
 *   port_call_prepare(), port_null_call()  one kernel IPC call and reply (the message
 *                             set up first, untimed), where port_has_ipc_call
 *   port_futex_wait/wake()    where port_has_futex
 *   thread_create/join/pin, thread_harts   this kernel's threads API (threads.h);
 *                             on Linux the same names over pthreads
 */
#ifndef FORKBENCH_PORT_H
#define FORKBENCH_PORT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define PORT_PAGE     4096
#define PORT_SIGKILL  9
#define PORT_TRUE_MAX 128

/* The program fork_exec_wait and the spawn case start; true=<path> changes it. */
static char port_true_path[PORT_TRUE_MAX];
/* counter=clock_gettime: time with the clock even where rdcycle works (Linux). */
static int port_force_clock;

#ifdef __linux__
/* ------------------------------------------------------------------------------------ */
/* Linux (static, glibc): counters probed at start, pthreads for threads.               */
/* ------------------------------------------------------------------------------------ */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PORT_OS		  "linux"
#define FORK_COW	  0
#define FORK_EAGER	  1
#define PORT_DEFAULT_TRUE "/bin/true"

static const int port_has_eager = 0;
static const int port_has_loader = 0; /* spawn through a loader server */
static const int port_has_ipc_call = 0;
static const int port_has_futex = 1;
static const int port_has_lock_counts = 0; /* Linux has no one lock to count */
/* rdcycle when user mode may read it (scounteren.CY), else clock_gettime in ns. */
static int port_rdcycle_ok;

extern char **environ;

static inline uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t cycles(void)
{
	uint64_t c;
	if (!port_rdcycle_ok)
		return mono_ns();
	__asm__ volatile("rdcycle %0" : "=r"(c));
	return c;
}

static const char *counter_name(void)
{
	return port_rdcycle_ok ? "rdcycle" : "clock_gettime";
}

static const char *counter_unit(void)
{
	return port_rdcycle_ok ? "cycles" : "ns";
}

static inline uint64_t real_ticks(void)
{
	return mono_ns();
}

static inline uint64_t real_hz(void)
{
	return 1000000000u;
}

static sigjmp_buf probe_env;

static void probe_trap(int sig)
{
	(void)sig;
	siglongjmp(probe_env, 1);
}

/* Does rdcycle work in user mode? A kernel that forbids it raises SIGILL. */
static void probe_rdcycle(void)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = probe_trap;
	sigaction(SIGILL, &sa, &old);
	port_rdcycle_ok = 0;
	if (sigsetjmp(probe_env, 1) == 0) {
		uint64_t c;
		__asm__ volatile("rdcycle %0" : "=r"(c));
		port_rdcycle_ok = 1;
	}
	sigaction(SIGILL, &old, 0);
}

/* As /init of the bench-linux initramfs, mount what the header reads; /tmp for files. */
static void port_init(void)
{
	setvbuf(stdout, 0, _IOLBF, 0);
	if (getpid() == 1) {
		mkdir("/proc", 0555);
		mkdir("/sys", 0555);
		mkdir("/tmp", 01777);
		mount("proc", "/proc", "proc", 0, 0);
		mount("sysfs", "/sys", "sysfs", 0, 0);
	}
	if (!port_force_clock)
		probe_rdcycle();
	if (!port_true_path[0])
		strcpy(port_true_path, PORT_DEFAULT_TRUE);
}

/* As /init, power the machine off (returning would panic the kernel). */
static void port_finish(void)
{
	fflush(stdout);
	if (getpid() == 1) {
		sync();
		reboot(RB_POWER_OFF);
	}
}

/* First line of path, or "unknown"; spaces become '_' (header values are one token). */
static void read_token(const char *path, const char *key, char *out, size_t len)
{
	char line[256];
	FILE *f = fopen(path, "r");
	snprintf(out, len, "unknown");
	while (f && fgets(line, sizeof(line), f)) {
		char *v = line;
		if (key) {
			if (strncmp(line, key, strlen(key)) != 0 || !(v = strchr(line, ':')))
				continue;
			for (v++; *v == ' ' || *v == '\t'; v++)
				;
		}
		size_t n = strnlen(v, len - 1);
		memcpy(out, v, n);
		out[n] = 0;
		break;
	}
	if (f)
		fclose(f);
	for (char *c = out; *c; c++)
		if (*c == '\n' || *c == '\0')
			*c = 0;
		else if (*c == ' ' || *c == '\t')
			*c = '_';
}

static int port_harts(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

static void port_header(int icount)
{
	char model[64], isa[64], mmu[16];
	struct utsname u;
	uname(&u);
	read_token("/sys/firmware/devicetree/base/model", 0, model, sizeof(model));
	read_token("/proc/cpuinfo", "isa", isa, sizeof(isa));
	read_token("/proc/cpuinfo", "mmu", mmu, sizeof(mmu));
	at("@forkbench v1 board=%s harts=%d isa=%s timebase_hz=%lu icount=%d os=%s "
	   "release=%s mmu=%s counter=%s\n",
	   model, port_harts(), isa, (unsigned long)real_hz(), icount, PORT_OS, u.release, mmu,
	   counter_name());
}

static pid_t port_fork(int mode)
{
	(void)mode; /* port_has_eager is 0: always FORK_COW */
	return fork();
}

static uint64_t port_free_pages(void)
{
	struct sysinfo si;
	if (sysinfo(&si) != 0)
		return 0;
	return (uint64_t)si.freeram * si.mem_unit / PORT_PAGE;
}

static void port_yield(void)
{
	sched_yield();
}

static void port_park(void)
{
	for (;;)
		pause();
}

static int port_pin_self(int hart)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(hart % port_harts(), &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* Run fn(arg) in this process on hart `hart` only. */
static int port_run_pinned(int hart, void (*fn)(void *), void *arg)
{
	if (port_pin_self(hart) != 0)
		return -1;
	fn(arg);
	return 0;
}

static void port_lock_counts(uint64_t *retired, uint64_t *locked)
{
	*retired = *locked = 0;
}

/* posix_spawn of the `true` program: Linux's nearest thing to a spawn without fork. */
static pid_t port_spawn_true(void)
{
	char *const argv[] = { "true", 0 };
	pid_t pid;
	return posix_spawn(&pid, port_true_path, 0, 0, argv, environ) == 0 ? pid : -1;
}

struct port_call {
	int unused;
};

static void port_call_prepare(struct port_call *c)
{
	(void)c;
}

static void port_null_call(struct port_call *c)
{
	(void)c;
}

static void port_futex_wait(volatile uint32_t *word, uint32_t val)
{
	syscall(SYS_futex, word, FUTEX_WAIT, val, 0, 0, 0);
}

static void port_futex_wake(volatile uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE, 1, 0, 0, 0);
}

/* This kernel's thread API (threads.h) over pthreads. */
typedef pthread_t thread_t;

struct port_thread_start {
	void (*fn)(void *);
	void *arg;
};

static void *port_thread_main(void *p)
{
	struct port_thread_start s = *(struct port_thread_start *)p;
	free(p);
	s.fn(s.arg);
	return 0;
}

static int thread_create(thread_t *t, void (*fn)(void *), void *arg)
{
	struct port_thread_start *s = malloc(sizeof(*s));
	if (!s)
		return -1;
	s->fn = fn;
	s->arg = arg;
	if (pthread_create(t, 0, port_thread_main, s) != 0) {
		free(s);
		return -1;
	}
	return 0;
}

static int thread_join(thread_t t)
{
	return pthread_join(t, 0) == 0 ? 0 : -1;
}

static int thread_pin(thread_t t, int hart)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(hart % port_harts(), &set);
	return pthread_setaffinity_np(t, sizeof(set), &set) == 0 ? 0 : -1;
}

static int thread_harts(void)
{
	return port_harts();
}

#else
/* ------------------------------------------------------------------------------------ */
/* This kernel: rdcycle (the kernel sets scounteren), system calls and servers.         */
/* ------------------------------------------------------------------------------------ */
#include <sys/memstat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "syscall.h"
#include "threads.h"
#include "unistd_ext.h"

#define PORT_OS		  "mukernel"
#define PORT_DEFAULT_TRUE "true"

static const int port_has_eager = 1;
static const int port_has_loader = 1;
static const int port_has_ipc_call = 1;
static const int port_has_futex = 0;
static const int port_has_lock_counts = 1;

static inline uint64_t cycles(void)
{
	uint64_t c;
	__asm__ volatile("rdcycle %0" : "=r"(c));
	return c;
}

static const char *counter_name(void)
{
	return "rdcycle";
}

static const char *counter_unit(void)
{
	return "cycles";
}

static inline uint64_t real_ticks(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

static uint64_t real_hz(void)
{
	struct sysinfo si;
	return SYSCALL(sysinfo, &si) == 0 ? si.timebase_hz : 1;
}

/* The spawn request carries the name with its NUL: measured once, outside the timing. */
static size_t port_true_size;

static void port_init(void)
{
	if (!port_true_path[0])
		strcpy(port_true_path, PORT_DEFAULT_TRUE);
	port_true_size = strlen(port_true_path) + 1;
}

static void port_finish(void)
{
}

static int port_harts(void)
{
	return thread_harts();
}

static void port_header(int icount)
{
	struct sysinfo si;
	SYSCALL(sysinfo, &si);
	for (char *c = si.model; *c; c++)
		if (*c == ' ')
			*c = '_';
	at("@forkbench v1 board=%s harts=%lu isa=%s timebase_hz=%lu icount=%d os=%s "
	   "counter=%s\n",
	   si.model, (unsigned long)si.harts, si.isa, (unsigned long)si.timebase_hz, icount,
	   PORT_OS, counter_name());
}

static pid_t port_fork(int mode)
{
	return forkx(mode);
}

static uint64_t port_free_pages(void)
{
	struct memstat ms;
	return memstat(&ms) == 0 ? ms.free_frames : 0;
}

static void port_yield(void)
{
	SYSCALL(yield);
}

static void port_park(void)
{
	for (;;)
		SYSCALL(sleep, 1000000000UL);
}

/* Pin the calling thread to hart (-1: any). */
static int port_pin_self(int hart)
{
	return thread_pin_self(hart);
}

/*
 * Run fn(arg) in this process on hart `hart` only, in its own thread, as Linux's port
 * does: a helper thread would make every fork a threaded process's (the C library's
 * locks held across it, a page copied for each on both sides).
 */
static int port_run_pinned(int hart, void (*fn)(void *), void *arg)
{
	if (port_pin_self(hart) != 0)
		return -1;
	fn(arg);
	return 0;
}

/* Read together, on the hart the caller is pinned to: sysinfo's lock_instret is that hart's. */
static void port_lock_counts(uint64_t *retired, uint64_t *locked)
{
	struct sysinfo si = { 0 };
	SYSCALL(sysinfo, &si);
	__asm__ volatile("rdinstret %0" : "=r"(*retired));
	*locked = si.lock_instret;
}

/* The fork server starts the program from the boot archive (the loader server loads it). */
static pid_t port_spawn_true(void)
{
	long pid = proc_request(PROC_SPAWN, 0, 0, 0, port_true_path, port_true_size);
	return pid > 0 ? (pid_t)pid : -1;
}

/* A null call and its reply: the fork server's getpid, straight through ipc(). */
struct port_call {
	struct ipc_msg m;
};

static void port_call_prepare(struct port_call *c)
{
	c->m = (struct ipc_msg){ .tag = ipc_tag(PROC_GETPID, 0, 0, 0) };
	c->m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
}

static void port_null_call(struct port_call *c)
{
	ipc_call(SLOT_PROC, &c->m);
}

static void port_futex_wait(volatile uint32_t *word, uint32_t val)
{
	(void)word;
	(void)val;
}

static void port_futex_wake(volatile uint32_t *word)
{
	(void)word;
}
#endif

#endif
