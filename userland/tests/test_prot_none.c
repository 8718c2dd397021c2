/*
 * PROT_NONE (docs/syscalls.md, map_anon and protect): a page with no access faults on
 * every load and store with SIGSEGV/SEGV_ACCERR, the kernel's copies refuse it (EFAULT),
 * and its bytes come back with access. A forked child shares it copy-on-write: its
 * stores after mprotect never reach the parent. A shared mapping keeps sharing through
 * PROT_NONE. MAP_FIXED replaces what is mapped (POSIX), so a PROT_NONE reservation can
 * be filled in place; a bad MAP_FIXED request leaves the old mapping as it was. A shared
 * mapping made read-only gets write back, up to what it was mapped with.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define PAGE 4096

static sigjmp_buf back;
static volatile int got_code;
static void *volatile got_addr;

static void on_segv(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)context;
	got_code = info->si_code;
	got_addr = info->si_addr;
	siglongjmp(back, 1);
}

/* 1 if a load (or a store, if writing) at p faults with SEGV_ACCERR at p. */
static int denied(volatile char *p, int writing)
{
	got_code = 0;
	got_addr = 0;
	if (sigsetjmp(back, 1) == 0) {
		if (writing)
			*p = 1;
		else
			(void)*p;
		return 0;
	}
	return got_code == SEGV_ACCERR && got_addr == (void *)p;
}

static void none_and_back(void)
{
	char *p = mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	memset(p, 'a', 2 * PAGE);
	CHECK_EQ(mprotect(p, PAGE, PROT_NONE), 0);
	CHECK(denied(p + 10, 0));
	CHECK(denied(p + 10, 1));
	CHECK_EQ(p[PAGE], 'a'); /* the next page is untouched */
	/* The kernel refuses it too: a write from it, a read into it. */
	int fds[2];
	CHECK_EQ(pipe(fds), 0);
	CHECK_FAILS(write(fds[1], p, 8), EFAULT);
	CHECK_EQ(write(fds[1], "xy", 2), 2);
	CHECK_FAILS(read(fds[0], p, 2), EFAULT);
	close(fds[0]);
	close(fds[1]);
	CHECK_EQ(mprotect(p, PAGE, PROT_READ), 0);
	CHECK_EQ(p[10], 'a'); /* the bytes were kept */
	CHECK(denied(p + 10, 1));
	CHECK_EQ(mprotect(p, PAGE, PROT_READ | PROT_WRITE), 0);
	p[10] = 'b';
	CHECK_EQ(p[10], 'b');
	CHECK_EQ(munmap(p, 2 * PAGE), 0);
}

static void fresh_none(void)
{
	char *p = mmap(0, 3 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	CHECK(denied(p, 0));
	CHECK(denied(p + 2 * PAGE + 5, 1));
	CHECK_EQ(mprotect(p + PAGE, PAGE, PROT_READ | PROT_WRITE), 0);
	CHECK_EQ(p[PAGE + 7], 0); /* zeroed */
	p[PAGE + 7] = 3;
	CHECK(denied(p, 0));
	/* MAP_FIXED over the reservation: the new mapping replaces it. */
	char *q = mmap(p + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(q == p + 2 * PAGE);
	q[1] = 4;
	CHECK_EQ(q[1], 4);
	CHECK_EQ(p[PAGE + 7], 3);
	/* A bad MAP_FIXED request (an offset for anonymous memory) changes nothing. */
	errno = 0;
	CHECK(mmap(q, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, PAGE) ==
	      MAP_FAILED);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(q[1], 4);
	/* MAP_FIXED at an address past user space is POSIX's ENOMEM, not EINVAL. */
	errno = 0;
	CHECK(mmap((void *)(1UL << 50), PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		   -1, 0) == MAP_FAILED);
	CHECK_EQ(errno, ENOMEM);
	CHECK_EQ(munmap(p, 3 * PAGE), 0);
}

static void fork_none(void)
{
	char *p = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *s = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED && s != MAP_FAILED);
	p[0] = 'p';
	s[0] = 's';
	CHECK_EQ(mprotect(p, PAGE, PROT_NONE), 0);
	CHECK_EQ(mprotect(s, PAGE, PROT_NONE), 0);
	int st = -1;
	pid_t pid = fork();
	if (pid == 0) {
		int ok = denied(p, 0) && denied(s, 1);
		ok = ok && mprotect(p, PAGE, PROT_READ | PROT_WRITE) == 0 && p[0] == 'p';
		p[0] = 'c'; /* our copy only */
		ok = ok && mprotect(s, PAGE, PROT_READ | PROT_WRITE) == 0 && s[0] == 's';
		s[0] = 'S'; /* shared: the parent sees it */
		_exit(ok ? 0 : 1);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(mprotect(p, PAGE, PROT_READ), 0);
	CHECK_EQ(p[0], 'p');
	CHECK_EQ(mprotect(s, PAGE, PROT_READ), 0);
	CHECK_EQ(s[0], 'S');
	CHECK_EQ(munmap(p, PAGE), 0);
	CHECK_EQ(munmap(s, PAGE), 0);
}

/*
 * A shared mapping made read-only and writable again (POSIX: within what the object
 * allows): stores between fault, and the object sees the later ones. One mapped
 * read-only cannot be made writable (EACCES).
 */
static void shared_round_trip(void)
{
	char *s = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(s != MAP_FAILED);
	s[0] = 'x';
	CHECK_EQ(mprotect(s, PAGE, PROT_READ), 0);
	CHECK(denied(s + 1, 1));
	int fds[2];
	CHECK_EQ(pipe(fds), 0);
	CHECK_EQ(write(fds[1], "yz", 2), 2);
	errno = 0;
	CHECK_EQ(read(fds[0], s, 2), -1); /* the kernel may not write it either */
	CHECK_EQ(errno, EFAULT);
	CHECK_EQ(mprotect(s, PAGE, PROT_READ | PROT_WRITE), 0);
	CHECK_EQ(read(fds[0], s, 2), 2);
	CHECK(s[0] == 'y' && s[1] == 'z');
	close(fds[0]);
	close(fds[1]);
	int st = -1;
	pid_t pid = fork();
	if (pid == 0) {
		s[2] = 'c';
		_exit(0);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(s[2], 'c'); /* still shared */
	CHECK_EQ(munmap(s, PAGE), 0);

	int fd = open("/tmp/prot_none_ro", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(ftruncate(fd, PAGE), 0);
	close(fd);
	fd = open("/tmp/prot_none_ro", O_RDONLY);
	char *r = mmap(0, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(r != MAP_FAILED);
	CHECK_FAILS(mprotect(r, PAGE, PROT_READ | PROT_WRITE), EACCES);
	CHECK_EQ(mprotect(r, PAGE, PROT_NONE), 0);
	CHECK_EQ(mprotect(r, PAGE, PROT_READ), 0);
	CHECK_EQ(r[0], 0);
	CHECK_EQ(munmap(r, PAGE), 0);
	close(fd);
	unlink("/tmp/prot_none_ro");
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	sigemptyset(&sa.sa_mask);
	CHECK_EQ(sigaction(SIGSEGV, &sa, 0), 0);
	none_and_back();
	fresh_none();
	fork_none();
	shared_round_trip();
	return test_status();
}
