/*
 * forkbench: fork latency, copy-on-write against eager copying, timed by the guest
 * itself with rdcycle (under QEMU icount, one cycle is one instruction). Each case runs
 * a warm-up, then N timed iterations, and prints one machine-readable line
 * (docs/benchmark.md has the format; tools/forkbench_report.py reads it).
 *
 * Arguments: icount=0|1 (told by make bench), iters=N (default 1000).
 */
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "threads.h"
#include "syscall.h"
#include "unistd_ext.h"

#define PAGE	  4096
#define WARMUP	  10
#define MAX_ITERS 1000
#define BIG_KIB	  8192 /* from here on, fewer iterations */

struct bench {
	int icount;
	int iters;
	const char *only; /* run just this case (for profiling), or NULL */
	char *mem;	  /* the touched private memory */
};

static uint64_t samples[MAX_ITERS];

static inline uint64_t cycles(void)
{
	uint64_t c;
	__asm__ volatile("rdcycle %0" : "=r"(c));
	return c;
}

static inline uint64_t ticks(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

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
	printf("@result test=%s mode=%s touched_kib=%u iters=%d unit=cycles min=%lu median=%lu "
	       "p99=%lu max=%lu mean=%lu\n",
	       name, mode, kib, n, (unsigned long)samples[0], (unsigned long)samples[n / 2],
	       (unsigned long)samples[(n * 99) / 100 >= n ? n - 1 : (n * 99) / 100],
	       (unsigned long)samples[n - 1], (unsigned long)(sum / n));
}

/* Write one byte per page so every page is private, resident and dirty. */
static void touch(char *mem, unsigned kib, char v)
{
	for (unsigned off = 0; off < kib * 1024; off += PAGE)
		mem[off] = v;
}

static uint64_t one_fork_exit_wait(int mode)
{
	int st;
	uint64_t t0 = cycles();
	pid_t p = forkx(mode);
	if (p == 0)
		_exit(0);
	waitpid(p, &st, 0);
	return p > 0 ? cycles() - t0 : 0;
}

static void fork_exit_wait(struct bench *b, int mode, unsigned kib)
{
	int n = kib >= BIG_KIB ? b->iters / 20 + 5 : b->iters;
	touch(b->mem, kib, 1);
	for (int i = 0; i < WARMUP; i++)
		one_fork_exit_wait(mode);
	for (int i = 0; i < n; i++)
		samples[i] = one_fork_exit_wait(mode);
	report("fork_exit_wait", mode == FORK_COW ? "cow" : "eager", kib, n);
}

/* Free frames before fork, after it, and after the child wrote every page. */
static void memory_line(struct bench *b, int mode, unsigned kib)
{
	struct memstat before, forked, touched;
	volatile uint64_t *flag =
		mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int st;
	touch(b->mem, kib, 1);
	*flag = 0;
	memstat(&before);
	pid_t p = forkx(mode);
	if (p == 0) {
		while (*flag == 0)
			SYSCALL(yield);
		touch(b->mem, kib, 2);
		*flag = 2;
		while (*flag == 2)
			SYSCALL(yield);
		_exit(0);
	}
	memstat(&forked);
	*flag = 1;
	while (*flag != 2)
		SYSCALL(yield);
	memstat(&touched);
	*flag = 3;
	waitpid(p, &st, 0);
	munmap((void *)flag, PAGE);
	printf("@memory touched_kib=%u mode=%s free_before=%lu free_after_fork=%lu "
	       "free_after_touch=%lu\n",
	       kib, mode == FORK_COW ? "cow" : "eager", (unsigned long)before.free_frames,
	       (unsigned long)forked.free_frames, (unsigned long)touched.free_frames);
}

/* From the parent's fork() call to the child's first instruction after it. */
static void fork_to_child(struct bench *b)
{
	volatile uint64_t *stamp =
		mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
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
	int n = b->iters / 10 + 5;
	for (int i = 0; i < WARMUP + n; i++) {
		int st;
		uint64_t t0 = cycles();
		pid_t p = fork();
		if (p == 0) {
			execv("true", argv);
			_exit(127);
		}
		waitpid(p, &st, 0);
		if (i >= WARMUP)
			samples[i - WARMUP] = cycles() - t0;
	}
	report("fork_exec_wait", "cow", 0, n);
}

static void spawn_wait(struct bench *b)
{
	static const char name[] = "true";
	int n = b->iters / 10 + 5;
	for (int i = 0; i < WARMUP + n; i++) {
		int st;
		uint64_t t0 = cycles();
		long pid = proc_request(PROC_SPAWN, 0, 0, 0, name, sizeof(name));
		if (pid > 0)
			waitpid((pid_t)pid, &st, 0);
		if (i >= WARMUP)
			samples[i - WARMUP] = cycles() - t0;
	}
	report("spawn_wait", "-", 0, n);
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
		while (!reuse) /* hold the other reference until killed */
			SYSCALL(sleep, 1000000000UL);
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
		kill(p, SIGKILL);
		waitpid(p, &st, 0);
	}
	munmap(pages, (size_t)(n + WARMUP) * PAGE);
	report(reuse ? "cow_fault_reuse" : "cow_fault_copy", "cow", 4, n);
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
		while (1)
			SYSCALL(sleep, 1000000000UL);
	for (int i = 0; i < n + WARMUP; i++) {
		volatile char *at = pages + (size_t)i * PAGE;
		uint64_t t0 = cycles();
		*at = 2;
		if (i >= WARMUP)
			samples[i - WARMUP] = cycles() - t0;
	}
	spinning = 0;
	thread_join(t);
	kill(p, SIGKILL);
	waitpid(p, &st, 0);
	munmap(pages, (size_t)(n + WARMUP) * PAGE);
	report("cow_fault_shootdown", "cow", 4, n);
}

static void fork_loop(void *arg)
{
	for (int i = 0; i < *(int *)arg; i++)
		one_fork_exit_wait(FORK_COW);
}

/*
 * Fork throughput with 1, 2 and 4 harts busy: that many threads, each pinned to its own
 * hart, fork+exit+wait in a loop. Forks per second of guest time (rdtime). Under icount
 * every hart's instructions share one clock, so only a run without icount shows harts
 * adding throughput.
 */
static void fork_throughput(struct bench *b)
{
	struct sysinfo si;
	int n = b->iters / 4 + 5;
	SYSCALL(sysinfo, &si);
	for (int w = 1; w <= 4 && w <= thread_harts(); w *= 2) {
		thread_t t[4];
		uint64_t t0 = ticks();
		for (int i = 0; i < w; i++)
			if (thread_create(&t[i], fork_loop, &n) == 0)
				thread_pin(t[i], i);
		for (int i = 0; i < w; i++)
			thread_join(t[i]);
		uint64_t dt = ticks() - t0;
		printf("@throughput harts_busy=%d forks=%d ticks=%lu forks_per_s=%lu\n", w, w * n,
		       (unsigned long)dt,
		       (unsigned long)(dt ? (uint64_t)w * n * si.timebase_hz / dt : 0));
	}
}

/* A null call and its reply: the fork server's getpid, straight through ipc(). */
static void ipc_call_case(struct bench *b)
{
	for (int i = 0; i < WARMUP + b->iters; i++) {
		struct ipc_msg m = { .tag = ipc_tag(PROC_GETPID, 0, 0, 0) };
		m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
		uint64_t t0 = cycles();
		ipc_call(SLOT_PROC, &m);
		if (i >= WARMUP)
			samples[i - WARMUP] = cycles() - t0;
	}
	report("ipc_call", "-", 0, b->iters);
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

/*
 * A 1-byte round trip between two processes over two pipes: the parent writes a byte
 * down one, the child echoes it back up the other, the parent reads it.
 */
static void pipe_pingpong(struct bench *b)
{
	int down[2], up[2], st;
	char c = 'x';
	if (pipe(down) || pipe(up))
		return;
	pid_t p = fork();
	if (p == 0) {
		close(down[1]);
		close(up[0]);
		while (read(down[0], &c, 1) == 1 && write(up[1], &c, 1) == 1)
			;
		_exit(0);
	}
	close(down[0]);
	close(up[1]);
	for (int i = 0; i < WARMUP + b->iters; i++) {
		uint64_t t0 = cycles();
		if (write(down[1], &c, 1) != 1 || read(up[0], &c, 1) != 1)
			break;
		if (i >= WARMUP)
			samples[i - WARMUP] = cycles() - t0;
	}
	close(down[1]); /* the child reads end of file and exits */
	close(up[0]);
	waitpid(p, &st, 0);
	report("pipe_pingpong", "-", 0, b->iters);
}

static int wanted(const struct bench *b, const char *name)
{
	return !b->only || strcmp(b->only, name) == 0;
}

static void header(const struct bench *b)
{
	struct sysinfo si;
	SYSCALL(sysinfo, &si);
	for (char *c = si.model; *c; c++)
		if (*c == ' ' || *c == ',')
			*c = *c == ' ' ? '_' : *c;
	printf("@forkbench v1 board=%s harts=%lu isa=%s timebase_hz=%lu icount=%d\n", si.model,
	       (unsigned long)si.harts, si.isa, (unsigned long)si.timebase_hz, b->icount);
}

static void parse_args(struct bench *b, int argc, char **argv)
{
	b->icount = 0;
	b->iters = MAX_ITERS;
	b->only = 0;
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "icount=", 7) == 0)
			b->icount = atoi(argv[i] + 7);
		else if (strncmp(argv[i], "iters=", 6) == 0)
			b->iters = atoi(argv[i] + 6);
		else if (strncmp(argv[i], "only=", 5) == 0)
			b->only = argv[i] + 5;
	}
	if (b->iters < 20 || b->iters > MAX_ITERS)
		b->iters = MAX_ITERS;
}

int main(int argc, char **argv)
{
	static const unsigned sizes[] = { 0, 16, 64, 1024, 8192, 32768 };
	struct bench b;
	struct memstat ms;
	parse_args(&b, argc, argv);
	header(&b);
	memstat(&ms);
	for (unsigned s = 0; wanted(&b, "fork_exit_wait") && s < sizeof(sizes) / sizeof(sizes[0]);
	     s++) {
		unsigned kib = sizes[s];
		/* Each size needs room for an eager copy as well: stop at what does not fit. */
		if ((uint64_t)kib * 1024 / PAGE * 2 + 1024 > ms.free_frames)
			break;
		b.mem = kib ? mmap(0, (size_t)kib * 1024, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
			    : 0;
		if (b.mem == MAP_FAILED)
			break;
		printf("forkbench: fork_exit_wait at %u KiB\n", kib);
		fork_exit_wait(&b, FORK_COW, kib);
		fork_exit_wait(&b, FORK_EAGER, kib);
		memory_line(&b, FORK_COW, kib);
		memory_line(&b, FORK_EAGER, kib);
		if (kib)
			munmap(b.mem, (size_t)kib * 1024);
	}
	printf("forkbench: the other cases\n");
	if (wanted(&b, "fork_to_child"))
		fork_to_child(&b);
	if (wanted(&b, "fork_exec_wait"))
		fork_exec_wait(&b);
	if (wanted(&b, "spawn_wait"))
		spawn_wait(&b);
	if (wanted(&b, "cow_fault_copy"))
		cow_faults(&b, 0);
	if (wanted(&b, "cow_fault_reuse"))
		cow_faults(&b, 1);
	if (wanted(&b, "ipc_call"))
		ipc_call_case(&b);
	if (wanted(&b, "mutex_uncontended"))
		mutex_uncontended(&b);
	if (wanted(&b, "mutex_handoff"))
		mutex_handoff(&b);
	if (wanted(&b, "signal_self"))
		signal_self(&b);
	if (wanted(&b, "fork_exit_wait_files"))
		fork_exit_wait_files(&b);
	if (wanted(&b, "file_read_4k"))
		file_io_4k(&b, 0);
	if (wanted(&b, "file_write_4k"))
		file_io_4k(&b, 1);
	if (wanted(&b, "mmap_file_fault"))
		file_map_touch(&b, 0);
	if (wanted(&b, "file_cow_fault"))
		file_map_touch(&b, 1);
	if (wanted(&b, "pipe_pingpong"))
		pipe_pingpong(&b);
	if (wanted(&b, "cow_fault_shootdown"))
		cow_fault_shootdown(&b);
	if (wanted(&b, "fork_throughput"))
		fork_throughput(&b);
	printf("@done\n");
	return 0;
}
