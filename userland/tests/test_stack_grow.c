/*
 * The main stack grows on demand (docs/userland.md, "Resource limits"): recursion through
 * 1 MiB of stack, a 200 KB local array, kernel copies into stack pages never touched
 * (a pipe read, an IPC receive), a fork child that sees and privately changes its
 * parent's stack, RLIMIT_STACK at 8 MiB by default, raised past it and lowered, kept by
 * exec, and a stack overflow that ends the process with SIGSEGV.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define KIB	    1024UL
#define MIB	    (1024UL * KIB)
#define FRAME_BYTES 1024
#define ARRAY_BYTES (200 * 1000)

static volatile uint64_t depth_limit = 1UL << 40; /* a depth no stack holds */

/* Not a tail call: each frame's array lives until the inner call returns. */
static __attribute__((noinline)) uint64_t deep(uint64_t n, uint64_t limit)
{
	volatile uint8_t frame[FRAME_BYTES];
	for (unsigned i = 0; i < sizeof(frame); i += 64)
		frame[i] = (uint8_t)(n + i);
	uint64_t below = n + 1 < limit ? deep(n + 1, limit) : 0;
	return below + frame[(n * 64) % sizeof(frame)];
}

/* What deep(0, depth) returns, worked out without a stack. */
static uint64_t deep_expected(uint64_t depth)
{
	uint64_t sum = 0;
	for (uint64_t n = 0; n < depth; n++)
		sum += (uint8_t)(n + (n * 64) % FRAME_BYTES);
	return sum;
}

/* 1 MiB of frames: more than the old fixed 64 KiB stack by far. */
static void recursion(void)
{
	uint64_t depth = MIB / FRAME_BYTES;
	CHECK_EQ(deep(0, depth), deep_expected(depth));
}

static __attribute__((noinline)) uint64_t big_array(void)
{
	volatile uint8_t a[ARRAY_BYTES];
	uint64_t sum = 0;
	for (size_t i = 0; i < sizeof(a); i++)
		a[i] = (uint8_t)(i * 7);
	for (size_t i = 0; i < sizeof(a); i++)
		sum += a[i];
	return sum;
}

static void local_array(void)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < ARRAY_BYTES; i++)
		sum += (uint8_t)(i * 7);
	CHECK_EQ(big_array(), sum);
}

/* The kernel writes into a stack page the process never touched: it is mapped for it. */
static __attribute__((noinline)) int read_deep(int fd)
{
	char buf[300 * KIB]; /* its low end is far below anything used so far */
	ssize_t n = read(fd, buf, 16);
	return n == 16 && memcmp(buf, "stack-pipe-bytes", 16) == 0;
}

static void kernel_copy(void)
{
	int fds[2];
	CHECK_EQ(pipe(fds), 0);
	CHECK_EQ(write(fds[1], "stack-pipe-bytes", 16), 16);
	CHECK(read_deep(fds[0]));
	close(fds[0]);
	close(fds[1]);
}

/* Reading a file (an IPC to the file server) into untouched stack pages. */
static __attribute__((noinline)) int file_read_deep(void)
{
	char buf[260 * KIB];
	FILE *f = fopen("/tmp/stack_grow_f", "w");
	if (!f || fputs("through the file server", f) < 0 || fclose(f) != 0)
		return 0;
	FILE *r = fopen("/tmp/stack_grow_f", "r");
	size_t n = r ? fread(buf, 1, 23, r) : 0;
	if (r)
		fclose(r);
	unlink("/tmp/stack_grow_f");
	return n == 23 && memcmp(buf, "through the file server", 23) == 0;
}

/* A fork child sees the parent's deep stack and changes only its own copy. */
static __attribute__((noinline)) void fork_inherits(void)
{
	volatile uint8_t a[512 * KIB];
	for (size_t i = 0; i < sizeof(a); i += 4096)
		a[i] = (uint8_t)(i >> 12);
	pid_t pid = fork();
	if (pid == 0) {
		for (size_t i = 0; i < sizeof(a); i += 4096)
			if (a[i] != (uint8_t)(i >> 12))
				_exit(1);
		for (size_t i = 0; i < sizeof(a); i += 4096)
			a[i] = 0xee;
		/* and it may grow further than its parent did */
		_exit(deep(0, 2 * MIB / FRAME_BYTES) == deep_expected(2 * MIB / FRAME_BYTES) ? 0
											     : 2);
	}
	int st = -1;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	int same = 1;
	for (size_t i = 0; i < sizeof(a); i += 4096)
		same &= a[i] == (uint8_t)(i >> 12);
	CHECK(same);
}

/* Run fn in a child and return its wait status. */
static int in_child(void (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		_exit(0);
	}
	int st = -1;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

static void overflow(void)
{
	deep(0, depth_limit);
}

static void on_segv(int sig)
{
	(void)sig;
	_exit(9); /* the handler cannot run on the overflowed stack: never reached */
}

/* A SIGSEGV handler without sigaltstack: there is no stack to run it on, so it dies. */
static void overflow_with_handler(void)
{
	signal(SIGSEGV, on_segv);
	deep(0, depth_limit);
}

static void overflow_small_limit(void)
{
	struct rlimit r = { 256 * KIB, RLIM_INFINITY };
	if (setrlimit(RLIMIT_STACK, &r) != 0)
		_exit(3);
	deep(0, depth_limit);
}

/* A limit raised past the default lets the stack use 10 MiB: past the default 8 MiB, and
 * still within what a 32 MiB machine (boot archive included) has free. */
static void raised_limit(void)
{
	struct rlimit r = { 32 * MIB, RLIM_INFINITY };
	uint64_t depth = 10 * MIB / FRAME_BYTES;
	if (setrlimit(RLIMIT_STACK, &r) != 0)
		_exit(3);
	_exit(deep(0, depth) == deep_expected(depth) ? 0 : 4);
}

static void limits(void)
{
	struct rlimit r;
	CHECK_EQ(getrlimit(RLIMIT_STACK, &r), 0);
	CHECK_EQ(r.rlim_cur, 8 * MIB);
	CHECK_EQ(r.rlim_max, RLIM_INFINITY);

	int st = in_child(overflow); /* the default limit: 8 MiB, then SIGSEGV */
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	st = in_child(overflow_with_handler);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	st = in_child(overflow_small_limit);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	st = in_child(raised_limit);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* exec keeps a lowered limit: the new image reports it, and dies past it. */
static void exec_keeps(const char *self)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit r = { 512 * KIB, RLIM_INFINITY };
		setrlimit(RLIMIT_STACK, &r);
		execl(self, self, "probe", (char *)0);
		_exit(5);
	}
	int st = -1;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
}

/* In the exec'd image: the limit came along, 256 KiB of stack fit, 1 MiB does not. */
static int probe(void)
{
	struct rlimit r;
	if (getrlimit(RLIMIT_STACK, &r) != 0 || r.rlim_cur != 512 * KIB)
		return 6;
	if (deep(0, 256 * KIB / FRAME_BYTES) != deep_expected(256 * KIB / FRAME_BYTES))
		return 7;
	deep(0, MIB / FRAME_BYTES);
	return 8; /* should not get here */
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "probe") == 0)
		return probe();
	recursion();
	local_array();
	kernel_copy();
	CHECK(file_read_deep());
	fork_inherits();
	limits();
	exec_keeps("/bin/test_stack_grow"); /* a path: argv[0] is a bare name */
	return test_status();
}
