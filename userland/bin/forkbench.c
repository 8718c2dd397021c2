/*
 * forkbench: fork latency, copy-on-write against eager copying, timed by the guest
 * itself with rdcycle (under QEMU icount, one cycle is one instruction). Each case runs
 * a warm-up, then N timed iterations, and prints one machine-readable line
 * (docs/benchmark.md has the format; tools/forkbench_report.py reads it).
 *
 * One source for this kernel and for Linux: what differs lives in forkbench_port.h.
 * A case with no equivalent on the system it runs on prints an @skip line instead.
 * To add a case: write `static void my_case(struct bench *b)` and add it to `cases`.
 *
 * Arguments: icount=0|1 (told by make bench), iters=N (default 1000), only=<case>,
 * forks=N (each throughput worker's count; default iters/4 + 5 with icount=1, else
 * 3000), rounds=N (fork_throughput_procs's interleaved rounds; default 1 with icount=1,
 * else 10), true=<program> (what fork_exec_wait and the spawn case start),
 * counter=clock_gettime (Linux: time with the clock even where user mode may read rdcycle).
 */
#define _GNU_SOURCE /* Linux: CPU affinity */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* log=PATH: every @ line also goes there, appended (on a board, /boot/forkbench.log). */
static int at_log = -1;

/* One @ line: to standard output, and to the log if there is one. */
static void at(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void at(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= (int)sizeof(line))
		n = (int)sizeof(line) - 1;
	fputs(line, stdout);
	if (at_log >= 0 && write(at_log, line, (size_t)n) != n)
		at_log = -1; /* the disk is full or gone: standard output still has it all */
}

#include "forkbench_port.h"

#define PAGE	  PORT_PAGE
#define WARMUP	  10
#define MAX_ITERS 1000
#define BIG_KIB	  8192	  /* from here on, fewer iterations */
#define MAX_PROCS 64	  /* fork_throughput_procs: at most this many workers */
#define MAX_FORKS 1000000 /* forks=: at most this many per worker */

struct bench {
	int icount;
	int iters;
	int forks;	  /* forks=: each throughput worker's forks, or 0 for iters/4 + 5 */
	int busy;	  /* busy=: the throughput cases run only this many busy harts, or 0 */
	int rounds;	  /* rounds=: fork_throughput_procs's interleaved rounds, or 0 */
	const char *only; /* run just this case (for profiling), or NULL */
	const char *log;  /* log=: the file the @ lines are appended to, or NULL */
	char *mem;	  /* the touched private memory */
};

static uint64_t samples[MAX_ITERS];

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *name, const char *mode, unsigned kib, int n)
{
	uint64_t sum = 0;
	qsort(samples, n, sizeof(samples[0]), cmp_u64);
	for (int i = 0; i < n; i++)
		sum += samples[i];
	at("@result test=%s mode=%s touched_kib=%u iters=%d unit=%s min=%lu median=%lu "
	   "p99=%lu max=%lu mean=%lu\n",
	   name, mode, kib, n, counter_unit(), (unsigned long)samples[0],
	   (unsigned long)samples[n / 2],
	   (unsigned long)samples[(n * 99) / 100 >= n ? n - 1 : (n * 99) / 100],
	   (unsigned long)samples[n - 1], (unsigned long)(sum / n));
}

/*
 * A case this system has no equivalent for: say so instead of printing a figure.
 * `instead` names the cases that measure the nearest thing here (comma-separated), or "-".
 */
static void skip(const char *name, const char *mode, const char *reason, const char *instead)
{
	at("@skip test=%s mode=%s reason=%s instead=%s\n", name, mode, reason, instead);
}

/* Write one byte per page so every page is private, resident and dirty. */
static void touch(char *mem, unsigned kib, char v)
{
	for (unsigned off = 0; off < kib * 1024; off += PAGE)
		mem[off] = v;
}

static void *shared_page(void)
{
	void *p = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		printf("forkbench: no shared page\n");
		exit(1);
	}
	return p;
}

static uint64_t one_fork_exit_wait(int mode)
{
	int st;
	uint64_t t0 = cycles();
	pid_t p = port_fork(mode);
	if (p == 0)
		_exit(0);
	waitpid(p, &st, 0);
	return p > 0 ? cycles() - t0 : 0;
}

static const char *mode_name(int mode)
{
	return mode == FORK_EAGER ? "eager" : "cow";
}

/* Not inlined: the timed loop keeps its registers (no spills inside the measurement). */
static __attribute__((noinline)) void fork_exit_wait(struct bench *b, int mode, unsigned kib)
{
	int n = kib >= BIG_KIB ? b->iters / 20 + 5 : b->iters;
	touch(b->mem, kib, 1);
	for (int i = 0; i < WARMUP; i++)
		one_fork_exit_wait(mode);
	for (int i = 0; i < n; i++)
		samples[i] = one_fork_exit_wait(mode);
	report("fork_exit_wait", mode_name(mode), kib, n);
}

/* Free pages before fork, after it, and after the child wrote every page. */
static void memory_line(struct bench *b, int mode, unsigned kib)
{
	volatile uint64_t *flag = shared_page();
	uint64_t before, forked, touched;
	int st;
	touch(b->mem, kib, 1);
	*flag = 0;
	before = port_free_pages();
	pid_t p = port_fork(mode);
	if (p == 0) {
		while (*flag == 0)
			port_yield();
		touch(b->mem, kib, 2);
		*flag = 2;
		while (*flag == 2)
			port_yield();
		_exit(0);
	}
	forked = port_free_pages();
	*flag = 1;
	while (*flag != 2)
		port_yield();
	touched = port_free_pages();
	*flag = 3;
	waitpid(p, &st, 0);
	munmap((void *)flag, PAGE);
	at("@memory touched_kib=%u mode=%s free_before=%lu free_after_fork=%lu "
	   "free_after_touch=%lu\n",
	   kib, mode_name(mode), (unsigned long)before, (unsigned long)forked,
	   (unsigned long)touched);
}

/* fork_exit_wait and the memory lines for each size, COW and (where there is one) EAGER. */
static void fork_exit_wait_sizes(struct bench *b)
{
	static const unsigned sizes[] = { 0, 16, 64, 1024, 8192, 32768 };
	static const int modes[] = { FORK_COW, FORK_EAGER };
	int nmodes = port_has_eager ? 2 : 1;
	uint64_t free_pages = port_free_pages();
	if (!port_has_eager)
		skip("fork_exit_wait", "eager", "no_eager_fork", "-");
	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		unsigned kib = sizes[s];
		/* Each size needs room for an eager copy as well: stop at what does not fit. */
		if ((uint64_t)kib * 1024 / PAGE * 2 + 1024 > free_pages)
			break;
		b->mem = kib ? mmap(0, (size_t)kib * 1024, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
			     : 0;
		if (b->mem == MAP_FAILED)
			break;
		printf("forkbench: fork_exit_wait at %u KiB\n", kib);
		for (int m = 0; m < nmodes; m++)
			fork_exit_wait(b, modes[m], kib);
		for (int m = 0; m < nmodes; m++)
			memory_line(b, modes[m], kib);
		if (kib)
			munmap(b->mem, (size_t)kib * 1024);
	}
}

/* From the parent's fork() call to the child's first instruction after it. */
static void fork_to_child(struct bench *b)
{
	volatile uint64_t *stamp = shared_page();
	for (int i = 0; i < WARMUP + b->iters; i++) {
		int st;
		uint64_t t0 = cycles();
		pid_t p = fork();
		if (p == 0) {
			*stamp = cycles();
			_exit(0);
		}
		waitpid(p, &st, 0);
		if (i >= WARMUP)
			samples[i - WARMUP] = *stamp - t0;
	}
	munmap((void *)stamp, PAGE);
	report("fork_to_child", "cow", 0, b->iters);
}

/* fork, then exec a program that exits at once; the parent waits. */
static void fork_exec_wait(struct bench *b)
{
	static char *const argv[] = { "true", 0 };
	char path[PORT_TRUE_MAX + sizeof("/bin/")];
	int n = b->iters / 10 + 5;
	/* execv takes a path (POSIX), where the spawn request may take a bare name. */
	snprintf(path, sizeof(path), "%s%s", strchr(port_true_path, '/') ? "" : "/bin/",
		 port_true_path);
	for (int i = 0; i < WARMUP + n; i++) {
		int st;
		uint64_t t0 = cycles();
		pid_t p = fork();
		if (p == 0) {
			execv(path, argv);
			_exit(127);
		}
		waitpid(p, &st, 0);
		if (i >= WARMUP)
			samples[i - WARMUP] = cycles() - t0;
	}
	report("fork_exec_wait", "cow", 0, n);
}

/* Start `true` without fork and wait: through the loader server here, posix_spawn on Linux. */
static void spawn_wait(struct bench *b)
{
	const char *name = port_has_loader ? "spawn_wait" : "posix_spawn_wait";
	int n = b->iters / 10 + 5;
	if (!port_has_loader)
		skip("spawn_wait", "-", "no_loader_server", "posix_spawn_wait");
	for (int i = 0; i < WARMUP + n; i++) {
		int st;
		uint64_t t0 = cycles();
		pid_t pid = port_spawn_true();
		if (pid > 0)
			waitpid(pid, &st, 0);
		if (i >= WARMUP)
			samples[i - WARMUP] = cycles() - t0;
	}
	report(name, "-", 0, n);
}

/* One store into each of n COW pages; the child holds the other reference, or is gone. */
static void cow_faults(struct bench *b, int reuse)
{
	int n = b->iters, st;
	char *pages = mmap(0, (size_t)(n + WARMUP) * PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	touch(pages, (n + WARMUP) * (PAGE / 1024), 1);
	pid_t p = fork();
	if (p == 0) {
		if (!reuse) /* hold the other reference until killed */
			port_park();
		_exit(0);
	}
	if (reuse)
		waitpid(p, &st, 0);
	for (int i = 0; i < n + WARMUP; i++) {
		volatile char *at = pages + (size_t)i * PAGE;
		uint64_t t0 = cycles();
		*at = 2;
		if (i >= WARMUP)
			samples[i - WARMUP] = cycles() - t0;
	}
	if (!reuse) {
		kill(p, PORT_SIGKILL);
		waitpid(p, &st, 0);
	}
	munmap(pages, (size_t)(n + WARMUP) * PAGE);
	report(reuse ? "cow_fault_reuse" : "cow_fault_copy", "cow", 4, n);
}

static void cow_fault_copy(struct bench *b)
{
	cow_faults(b, 0);
}

static void cow_fault_reuse(struct bench *b)
{
	cow_faults(b, 1);
}

/* A null call to the fork server and its reply. Linux has no kernel IPC call. */
static void ipc_call_case(struct bench *b)
{
	if (!port_has_ipc_call) {
		skip("ipc_call", "-", "no_kernel_ipc", "pipe_pingpong,futex_roundtrip");
		return;
	}
	for (int i = 0; i < WARMUP + b->iters; i++) {
		struct port_call c;
		port_call_prepare(&c);
		uint64_t t0 = cycles();
		port_null_call(&c);
		if (i >= WARMUP)
			samples[i - WARMUP] = cycles() - t0;
	}
	report("ipc_call", "-", 0, b->iters);
}

/*
 * A 1-byte round trip between two processes over two pipes: the parent writes a byte down
 * one, the child echoes it back up the other. Here the pipes are kernel objects; on Linux
 * it is the ipc_call analogue.
 */
static void pipe_pingpong(struct bench *b)
{
	int there[2], back[2], st;
	char c = 0;
	if (pipe(there) != 0 || pipe(back) != 0)
		return;
	pid_t p = fork();
	if (p == 0) {
		close(there[1]); /* so that the parent's close ends the loop */
		close(back[0]);
		while (read(there[0], &c, 1) == 1 && write(back[1], &c, 1) == 1)
			;
		_exit(0);
	}
	close(there[0]);
	close(back[1]);
	for (int i = 0; i < WARMUP + b->iters; i++) {
		uint64_t t0 = cycles();
		if (write(there[1], &c, 1) != 1 || read(back[0], &c, 1) != 1)
			break;
		if (i >= WARMUP)
			samples[i - WARMUP] = cycles() - t0;
	}
	close(there[1]);
	waitpid(p, &st, 0);
	close(back[0]);
	report("pipe_pingpong", "-", 0, b->iters);
}

/* The other analogue: two processes hand a turn back and forth through a shared futex word. */
static void futex_roundtrip(struct bench *b)
{
	volatile uint32_t *turn;
	int st, n = WARMUP + b->iters;
	if (!port_has_futex || port_has_ipc_call)
		return;
	turn = shared_page();
	*turn = 0;
	pid_t p = fork();
	if (p == 0) {
		for (int i = 0; i < n; i++) {
			while (*turn != 1)
				port_futex_wait(turn, 0);
			*turn = 0;
			port_futex_wake(turn);
		}
		_exit(0);
	}
	for (int i = 0; i < n; i++) {
		uint64_t t0 = cycles();
		*turn = 1;
		port_futex_wake(turn);
		while (*turn != 0)
			port_futex_wait(turn, 1);
		if (i >= WARMUP)
			samples[i - WARMUP] = cycles() - t0;
	}
	waitpid(p, &st, 0);
	munmap((void *)turn, PAGE);
	report("futex_roundtrip", "-", 0, b->iters);
}

static volatile int spinning;

static void spin(void *unused)
{
	(void)unused;
	while (spinning)
		;
}

/*
 * The cost of a shootdown: copying COW faults while another thread of the same process
 * runs on another hart, so every fault must wait for that hart to flush. Only with
 * several harts; compare with cow_fault_copy.
 */
static void cow_fault_shootdown(struct bench *b)
{
	thread_t t;
	int n = b->iters, st;
	if (thread_harts() < 2)
		return;
	char *pages = mmap(0, (size_t)(n + WARMUP) * PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	touch(pages, (n + WARMUP) * (PAGE / 1024), 1);
	spinning = 1;
	thread_create(&t, spin, 0);
	thread_pin(t, 1);
	pid_t p = fork();
	if (p == 0)
		port_park();
	for (int i = 0; i < n + WARMUP; i++) {
		volatile char *at = pages + (size_t)i * PAGE;
		uint64_t t0 = cycles();
		*at = 2;
		if (i >= WARMUP)
			samples[i - WARMUP] = cycles() - t0;
	}
	spinning = 0;
	thread_join(t);
	kill(p, PORT_SIGKILL);
	waitpid(p, &st, 0);
	munmap(pages, (size_t)(n + WARMUP) * PAGE);
	report("cow_fault_shootdown", "cow", 4, n);
}

static void fork_loop(void *arg)
{
	for (int i = 0; i < *(int *)arg; i++)
		one_fork_exit_wait(FORK_COW);
}

static void throughput_line(const char *name, int busy, int forks, uint64_t dt)
{
	at("@throughput test=%s harts_busy=%d forks=%d ticks=%lu forks_per_s=%lu\n", name, busy,
	   forks, (unsigned long)dt, (unsigned long)(dt ? (uint64_t)forks * real_hz() / dt : 0));
}

/*
 * Forks per worker in a throughput case: forks=, else iters/4 + 5 under icount (where the
 * count repeats exactly), else REAL_TIME_FORKS: a real-time run wants far more than iters
 * allows (255 forks take a few tens of milliseconds, where a busy host's noise decides).
 */
#define REAL_TIME_FORKS 3000
static int worker_forks(const struct bench *b)
{
	if (b->forks)
		return b->forks;
	return b->icount ? b->iters / 4 + 5 : REAL_TIME_FORKS;
}

/* The busy-hart counts the throughput cases try: 1, 2, 4 and all harts, as far as there are. */
static int next_busy(int w)
{
	int harts = port_harts();
	if (w >= harts)
		return 0;
	return w * 2 <= 4 && w * 2 <= harts ? w * 2 : harts;
}

/* The phase after w busy harts (0: the first) this run wants: every one, unless busy= names one. */
static int next_phase(const struct bench *b, int w)
{
	do
		w = w ? next_busy(w) : 1;
	while (w && b->busy && w != b->busy);
	return w;
}

/*
 * busy= must name a phase this machine runs: one that names none (say 3 on four harts)
 * is reported and dropped, so that every phase runs rather than none, quietly.
 */
static void check_busy(struct bench *b)
{
	if (b->busy && !next_phase(b, 0)) {
		printf("forkbench: busy=%d is no phase here (1, 2, 4 or all %d harts): every "
		       "phase runs\n",
		       b->busy, port_harts());
		b->busy = 0;
	}
}

/*
 * Fork throughput of threads: w threads of one process, each pinned to its own hart,
 * fork+exit+wait in a loop. They share an address space, so this also measures the
 * shootdowns and locks that sharing costs. Forks per second of guest time. Under icount
 * every hart's instructions share one clock, so only a run without icount shows harts
 * adding throughput.
 */
static void fork_throughput(struct bench *b)
{
	int n = worker_forks(b);
	for (int w = next_phase(b, 0); w; w = next_phase(b, w)) {
		thread_t t[MAX_PROCS];
		int started = 0;
		uint64_t t0 = real_ticks();
		for (int i = 0; i < w && i < MAX_PROCS; i++)
			if (thread_create(&t[started], fork_loop, &n) == 0)
				thread_pin(t[started++], i);
		for (int i = 0; i < started; i++)
			thread_join(t[i]);
		throughput_line("fork_throughput", w, started * n, real_ticks() - t0);
	}
}

static void procs_worker(void *arg)
{
	for (int i = 0; i < *(int *)arg; i++)
		one_fork_exit_wait(FORK_COW);
}

/*
 * Each of the first w harts' counts (port_lock_counts), read by going there: a hart's
 * instret is its own. The workers are left alone: a mapping or a pipe to report through
 * would make each of their forks dearer.
 */
struct lock_counts {
	uint64_t retired, locked;
};

static void lock_counts_read(int w, struct lock_counts *c)
{
	for (int i = 0; port_has_lock_counts && i < w && i < MAX_PROCS; i++) {
		port_pin_self(i);
		port_lock_counts(&c[i].retired, &c[i].locked);
	}
	if (port_has_lock_counts)
		port_pin_self(-1);
}

/*
 * One phase of fork_throughput_procs summed over its rounds: forks, ticks, and the busy
 * harts' instructions retired and retired holding the kernel's big lock.
 */
struct procs_phase {
	int busy, forks;
	uint64_t dt, retired, locked;
};

/*
 * The @throughput line, with lock_permille where the port counts it: of the instructions
 * the busy harts retired meanwhile, the thousandths retired holding the kernel's big
 * lock, the serial share that bounds what more harts can add (Amdahl).
 */
static void procs_line(const struct procs_phase *p)
{
	if (!p->retired) {
		throughput_line("fork_throughput_procs", p->busy, p->forks, p->dt);
		return;
	}
	at("@throughput test=fork_throughput_procs harts_busy=%d forks=%d ticks=%lu "
	   "forks_per_s=%lu lock_permille=%lu\n",
	   p->busy, p->forks, (unsigned long)p->dt,
	   (unsigned long)(p->dt ? (uint64_t)p->forks * real_hz() / p->dt : 0),
	   (unsigned long)(p->locked * 1000 / p->retired));
}

/* w workers, n fork+exit+wait each, one pinned to each of the first w harts; into p. */
static void procs_run(struct procs_phase *p, int w, int n)
{
	struct lock_counts before[MAX_PROCS], after[MAX_PROCS];
	pid_t pid[MAX_PROCS];
	int started = 0, st;
	lock_counts_read(w, before);
	uint64_t t0 = real_ticks();
	for (int i = 0; i < w && i < MAX_PROCS; i++) {
		pid[started] = fork();
		if (pid[started] == 0)
			_exit(port_run_pinned(i, procs_worker, &n) == 0 ? 0 : 1);
		started += pid[started] > 0;
	}
	for (int i = 0; i < started; i++)
		waitpid(pid[i], &st, 0);
	p->dt += real_ticks() - t0;
	lock_counts_read(started, after);
	p->busy = started;
	p->forks += started * n;
	for (int i = 0; port_has_lock_counts && i < started; i++) {
		p->retired += after[i].retired - before[i].retired;
		p->locked += after[i].locked - before[i].locked;
	}
}

/*
 * Rounds a real-time run splits the case into (rounds=; 1 under icount, where nothing
 * drifts): each round runs every phase once with its share of the forks, and a phase's
 * figures are its sums over the rounds. A host whose speed drifts (a shared machine, a
 * CPU changing its clock) then slows every phase alike, rather than whichever ran while
 * it was slow, so the ratio between phases, the scaling figure, stays the kernel's.
 */
#define REAL_TIME_ROUNDS 10
static int procs_rounds(const struct bench *b, int forks)
{
	int r = b->rounds ? b->rounds : b->icount ? 1 : REAL_TIME_ROUNDS;
	return r > forks ? forks : r;
}

/*
 * Fork throughput of processes: w independent processes, each pinned to its own hart,
 * fork+exit+wait in a loop. Nothing is shared between them, so what limits scaling is the
 * kernel itself (its locks and servers). Timed, like fork_throughput, from before the
 * first worker starts to the last one's exit, in real (guest) time.
 */
static void fork_throughput_procs(struct bench *b)
{
	struct procs_phase phase[8] = { 0 };
	int n = worker_forks(b), rounds = procs_rounds(b, n), phases = 0;
	for (int r = 0; r < rounds; r++) {
		/* This round's share: the remainder goes to the first rounds. */
		int share = n / rounds + (r < n % rounds), i = 0;
		for (int w = next_phase(b, 0); w && i < 8; w = next_phase(b, w))
			procs_run(&phase[i++], w, share);
		phases = i;
	}
	for (int i = 0; i < phases; i++)
		procs_line(&phase[i]);
}

/* pthread_mutex_lock and unlock of a free mutex: no system call (docs/userland.md). */
static void mutex_uncontended(struct bench *b)
{
	static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	for (int i = 0; i < WARMUP + b->iters; i++) {
		uint64_t t0 = cycles();
		pthread_mutex_lock(&m);
		pthread_mutex_unlock(&m);
		if (i >= WARMUP)
			samples[i - WARMUP] = cycles() - t0;
	}
	report("mutex_uncontended", "-", 0, b->iters);
}

/* Two threads pass a turn back and forth through a mutex and a condition variable. */
static pthread_mutex_t handoff_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t handoff_cv = PTHREAD_COND_INITIALIZER;
static int handoff_turn, handoff_rounds;

static void *handoff_peer(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&handoff_lock);
	for (int i = 0; i < handoff_rounds; i++) {
		while (handoff_turn != 1)
			pthread_cond_wait(&handoff_cv, &handoff_lock);
		handoff_turn = 0;
		pthread_cond_signal(&handoff_cv);
	}
	pthread_mutex_unlock(&handoff_lock);
	return 0;
}

static void mutex_handoff(struct bench *b)
{
	pthread_t t;
	handoff_rounds = WARMUP + b->iters;
	if (pthread_create(&t, 0, handoff_peer, 0) != 0)
		return;
	pthread_mutex_lock(&handoff_lock);
	for (int i = 0; i < handoff_rounds; i++) {
		uint64_t t0 = cycles();
		handoff_turn = 1;
		pthread_cond_signal(&handoff_cv);
		while (handoff_turn != 0)
			pthread_cond_wait(&handoff_cv, &handoff_lock);
		if (i >= WARMUP)
			samples[i - WARMUP] = cycles() - t0;
	}
	pthread_mutex_unlock(&handoff_lock);
	pthread_join(t, 0);
	report("mutex_handoff", "-", 0, b->iters);
}

/* kill(getpid(), SIGUSR1) into a handler and back (docs/signals.md). */
static volatile int signal_hits;

static void signal_self_handler(int sig)
{
	(void)sig;
	signal_hits++;
}

static void signal_self(struct bench *b)
{
	pid_t me = getpid();
	signal(SIGUSR1, signal_self_handler);
	for (int i = 0; i < WARMUP + b->iters; i++) {
		uint64_t t0 = cycles();
		kill(me, SIGUSR1);
		if (i >= WARMUP)
			samples[i - WARMUP] = cycles() - t0;
	}
	signal(SIGUSR1, SIG_DFL);
	if (signal_hits == WARMUP + b->iters)
		report("signal_self", "-", 0, b->iters);
}

/*
 * fork+exit+wait at 16 KiB while the process holds three open files and a pipe: the
 * descriptor table and the open files must not slow fork down (the kernel copies the
 * capabilities with the other slots; the fork server copies one row of the file server's
 * holders page).
 */
static void fork_exit_wait_files(struct bench *b)
{
	int fds[3], p[2];
	char *mem = mmap(0, 16 * 1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	const char *names[] = { "/tmp/bf0", "/tmp/bf1", "/tmp/bf2" };
	for (int i = 0; i < 3; i++)
		fds[i] = open(names[i], O_RDWR | O_CREAT | O_TRUNC, 0644);
	pipe(p);
	b->mem = mem;
	touch(mem, 16, 1);
	for (int i = 0; i < WARMUP; i++)
		one_fork_exit_wait(FORK_COW);
	for (int i = 0; i < b->iters; i++)
		samples[i] = one_fork_exit_wait(FORK_COW);
	report("fork_exit_wait_files", "cow", 16, b->iters);
	for (int i = 0; i < 3; i++) {
		close(fds[i]);
		unlink(names[i]);
	}
	close(p[0]);
	close(p[1]);
	munmap(mem, 16 * 1024);
}

/* One pread or pwrite of 4 KiB from a file in the page cache: instructions per call. */
static void file_io_4k(struct bench *b, int writing)
{
	/* Not static: every resident page of ours makes each fork_exit_wait fork dearer. */
	char *page = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open("/tmp/bio", O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(fd, page, PAGE);
	for (int i = 0; i < WARMUP + b->iters; i++) {
		uint64_t t0 = cycles();
		if (writing)
			pwrite(fd, page, PAGE, 0);
		else
			pread(fd, page, PAGE, 0);
		if (i >= WARMUP)
			samples[i - WARMUP] = cycles() - t0;
	}
	close(fd);
	unlink("/tmp/bio");
	munmap(page, PAGE);
	report(writing ? "file_write_4k" : "file_read_4k", "-", 4, b->iters);
}

/*
 * The first touch of each page of a file mapping: a load from a MAP_SHARED mapping
 * (cached page), or a store to a MAP_PRIVATE one (the write-copy fault copies it).
 */
static void file_map_touch(struct bench *b, int cow)
{
	int n = b->iters + WARMUP;
	int fd = open("/tmp/bmap", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ftruncate(fd, (off_t)n * PAGE); /* in the cache: zero-filled pages */
	char *m = mmap(0, (size_t)n * PAGE, cow ? PROT_READ | PROT_WRITE : PROT_READ,
		       cow ? MAP_PRIVATE : MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		close(fd);
		return;
	}
	for (int i = 0; i < n; i++) {
		volatile char *at = m + (size_t)i * PAGE;
		uint64_t t0 = cycles();
		if (cow)
			*at = 1;
		else
			(void)*at;
		if (i >= WARMUP)
			samples[i - WARMUP] = cycles() - t0;
	}
	munmap(m, (size_t)n * PAGE);
	close(fd);
	unlink("/tmp/bmap");
	report(cow ? "file_cow_fault" : "mmap_file_fault", cow ? "cow" : "-", 4, b->iters);
}

static void file_read_4k(struct bench *b)
{
	file_io_4k(b, 0);
}

static void file_write_4k(struct bench *b)
{
	file_io_4k(b, 1);
}

static void mmap_file_fault(struct bench *b)
{
	file_map_touch(b, 0);
}

static void file_cow_fault(struct bench *b)
{
	file_map_touch(b, 1);
}

/*
 * The cases in the order they run; `only=<name>` picks one. A case marked ALONE leaves
 * state behind in the process (threads, signal handlers) that would change what the later
 * cases measure (a threaded process's fork takes the C library's locks, and the stores
 * to them after the fork cost copy-on-write faults): it runs in a child of its own.
 */
#define SHARED 0
#define ALONE  1
static const struct bench_case {
	const char *name;
	void (*run)(struct bench *b);
	int alone;
} cases[] = {
	{ "fork_exit_wait", fork_exit_wait_sizes, SHARED },
	{ "fork_to_child", fork_to_child, SHARED },
	{ "fork_exec_wait", fork_exec_wait, SHARED },
	{ "spawn_wait", spawn_wait, SHARED },
	{ "cow_fault_copy", cow_fault_copy, SHARED },
	{ "cow_fault_reuse", cow_fault_reuse, SHARED },
	{ "ipc_call", ipc_call_case, SHARED },
	{ "pipe_pingpong", pipe_pingpong, SHARED },
	{ "futex_roundtrip", futex_roundtrip, SHARED },
	{ "mutex_uncontended", mutex_uncontended, SHARED },
	{ "mutex_handoff", mutex_handoff, ALONE },
	{ "signal_self", signal_self, ALONE },
	{ "fork_exit_wait_files", fork_exit_wait_files, SHARED },
	{ "file_read_4k", file_read_4k, SHARED },
	{ "file_write_4k", file_write_4k, SHARED },
	{ "mmap_file_fault", mmap_file_fault, SHARED },
	{ "file_cow_fault", file_cow_fault, SHARED },
	{ "cow_fault_shootdown", cow_fault_shootdown, ALONE },
	{ "fork_throughput", fork_throughput, ALONE },
	{ "fork_throughput_procs", fork_throughput_procs, SHARED },
};

static void run_case(const struct bench_case *c, struct bench *b)
{
	int st;
	if (!c->alone) {
		c->run(b);
		return;
	}
	fflush(stdout); /* or the child would print our buffered lines again */
	pid_t p = fork();
	if (p == 0) {
		c->run(b);
		fflush(stdout);
		_exit(0);
	}
	if (p > 0)
		waitpid(p, &st, 0);
	else
		c->run(b); /* no child: measured here, as before */
}

static void parse_args(struct bench *b, int argc, char **argv)
{
	b->icount = 0;
	b->iters = MAX_ITERS;
	b->forks = 0;
	b->only = 0;
	b->log = 0;
	b->busy = 0;
	b->rounds = 0;
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "icount=", 7) == 0)
			b->icount = atoi(argv[i] + 7);
		else if (strncmp(argv[i], "iters=", 6) == 0)
			b->iters = atoi(argv[i] + 6);
		else if (strncmp(argv[i], "forks=", 6) == 0)
			b->forks = atoi(argv[i] + 6);
		else if (strncmp(argv[i], "busy=", 5) == 0)
			b->busy = atoi(argv[i] + 5);
		else if (strncmp(argv[i], "rounds=", 7) == 0)
			b->rounds = atoi(argv[i] + 7);
		else if (strncmp(argv[i], "only=", 5) == 0)
			b->only = argv[i] + 5;
		else if (strncmp(argv[i], "log=", 4) == 0)
			b->log = argv[i] + 4;
		else if (strncmp(argv[i], "true=", 5) == 0)
			snprintf(port_true_path, sizeof(port_true_path), "%s", argv[i] + 5);
		else if (strcmp(argv[i], "counter=clock_gettime") == 0)
			port_force_clock = 1;
	}
	if (b->iters < 20 || b->iters > MAX_ITERS)
		b->iters = MAX_ITERS;
	if (b->forks < 0 || b->forks > MAX_FORKS)
		b->forks = 0;
	if (b->rounds < 0 || b->rounds > MAX_FORKS)
		b->rounds = 0;
}

int main(int argc, char **argv)
{
	struct bench b;
	parse_args(&b, argc, argv);
	if (b.log && (at_log = open(b.log, O_WRONLY | O_CREAT | O_APPEND, 0644)) < 0)
		printf("forkbench: cannot open %s: %s\n", b.log, strerror(errno));
	port_init();
	port_header(b.icount);
	check_busy(&b);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (b.only && strcmp(b.only, cases[i].name) != 0)
			continue;
		if (i == 1)
			printf("forkbench: the other cases\n");
		run_case(&cases[i], &b);
	}
	at("@done\n");
	if (at_log >= 0)
		close(at_log); /* on /boot: the close puts it on the disk */
	port_finish();
	return 0;
}
