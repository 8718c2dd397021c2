/*
 * getrlimit and setrlimit (docs/userland.md, "Resource limits"): every POSIX resource
 * answers; RLIMIT_FSIZE cuts a write short, then fails it with EFBIG and SIGXFSZ (which
 * kills by default); RLIMIT_DATA stops sbrk and RLIMIT_AS stops mmap with ENOMEM; fork
 * and exec keep the limits. Also mmap's ENOMEM for a length past user space and
 * munmap's EINVAL for length 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define FILE_NAME "/tmp/rlimit_f"

static volatile int xfsz;

static void on_xfsz(int sig)
{
	(void)sig;
	xfsz++;
}

static void every_resource(void)
{
	struct rlimit r;
	static const int all[] = { RLIMIT_CPU,	   RLIMIT_FSIZE,  RLIMIT_DATA, RLIMIT_STACK,
				   RLIMIT_CORE,	   RLIMIT_NOFILE, RLIMIT_AS,   RLIMIT_NPROC,
				   RLIMIT_MEMLOCK, RLIMIT_RSS };
	for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		CHECK_EQ(getrlimit(all[i], &r), 0);
		CHECK(r.rlim_cur <= r.rlim_max);
	}
	CHECK(getrlimit(RLIMIT_STACK, &r) == 0 && r.rlim_cur == 8 * 1024 * 1024);
	CHECK_EQ(r.rlim_max, RLIM_INFINITY);
	CHECK(getrlimit(RLIMIT_CORE, &r) == 0 && r.rlim_cur == 0);
	CHECK(getrlimit(RLIMIT_AS, &r) == 0 && r.rlim_cur == RLIM_INFINITY);
	errno = 0;
	CHECK(getrlimit(RLIM_NLIMITS, &r) == -1 && errno == EINVAL);
	CHECK(getrlimit(-1, &r) == -1 && errno == EINVAL);
	r.rlim_cur = 10, r.rlim_max = 5;
	CHECK(setrlimit(RLIMIT_CPU, &r) == -1 && errno == EINVAL);
	r.rlim_cur = 10, r.rlim_max = 1000;
	CHECK(setrlimit(RLIMIT_NOFILE, &r) == -1 && errno == EPERM);
	r.rlim_cur = r.rlim_max = 1UL << 30; /* the stack may grow that far (test_stack_grow) */
	CHECK_EQ(setrlimit(RLIMIT_STACK, &r), 0);
	r.rlim_cur = 8 * 1024 * 1024, r.rlim_max = RLIM_INFINITY;
	CHECK_EQ(setrlimit(RLIMIT_STACK, &r), 0);
	r.rlim_cur = 100, r.rlim_max = RLIM_INFINITY; /* kept, though not enforced */
	CHECK_EQ(setrlimit(RLIMIT_CPU, &r), 0);
	CHECK(getrlimit(RLIMIT_CPU, &r) == 0 && r.rlim_cur == 100);
}

static void file_size(void)
{
	struct rlimit r = { 1000, RLIM_INFINITY };
	char buf[600];
	memset(buf, 'f', sizeof(buf));
	signal(SIGXFSZ, on_xfsz);
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &r), 0);
	int fd = open(FILE_NAME, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, buf, 600), 600);
	CHECK_EQ(write(fd, buf, 600), 400); /* cut at the limit */
	CHECK_FAILS(write(fd, buf, 1), EFBIG);
	CHECK_EQ(xfsz, 1);
	CHECK(pwrite(fd, buf, 10, 2000) == -1 && errno == EFBIG);
	CHECK_EQ(pwrite(fd, buf, 10, 10), 10); /* inside: fine */
	CHECK(ftruncate(fd, 1001) == -1 && errno == EFBIG);
	CHECK_EQ(ftruncate(fd, 1000), 0);
	CHECK_EQ(xfsz, 3);
	close(fd);
	fd = open(FILE_NAME, O_WRONLY | O_APPEND);
	CHECK(write(fd, buf, 1) == -1 && errno == EFBIG); /* appending: at the end */
	close(fd);
	/* Without a handler SIGXFSZ ends the process. */
	signal(SIGXFSZ, SIG_DFL);
	int st = -1;
	pid_t pid = fork();
	if (pid == 0) {
		int f = open(FILE_NAME, O_WRONLY);
		lseek(f, 1000, SEEK_SET);
		write(f, buf, 1);
		_exit(0);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGXFSZ);
	r.rlim_cur = RLIM_INFINITY;
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &r), 0);
	unlink(FILE_NAME);
}

static void memory(void)
{
	struct rlimit r, keep_as;
	/* RLIMIT_DATA: the break may not grow 1 MiB past where the data started. */
	r.rlim_cur = 1 << 20, r.rlim_max = RLIM_INFINITY;
	CHECK_EQ(setrlimit(RLIMIT_DATA, &r), 0);
	errno = 0;
	CHECK(sbrk(2 << 20) == (void *)-1 && errno == ENOMEM);
	r.rlim_cur = RLIM_INFINITY;
	CHECK_EQ(setrlimit(RLIMIT_DATA, &r), 0);
	/* RLIMIT_AS: room for 64 KiB more than we have mapped now. */
	struct memstat ms;
	CHECK_EQ(memstat(&ms), 0);
	CHECK_EQ(getrlimit(RLIMIT_AS, &keep_as), 0);
	r.rlim_cur = ms.task_resident * 4096 + 64 * 1024, r.rlim_max = RLIM_INFINITY;
	CHECK_EQ(setrlimit(RLIMIT_AS, &r), 0);
	errno = 0;
	CHECK(mmap(0, 1 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED);
	CHECK_EQ(errno, ENOMEM);
	void *small = mmap(0, 16 * 1024, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(small != MAP_FAILED);
	CHECK_EQ(setrlimit(RLIMIT_AS, &keep_as), 0);
	munmap(small, 16 * 1024);
	/* Lengths no address space holds; length 0. */
	errno = 0;
	CHECK(mmap(0, ~(size_t)0 & ~4095UL, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
	      MAP_FAILED);
	CHECK_EQ(errno, ENOMEM);
	CHECK(mmap(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED &&
	      errno == EINVAL);
	CHECK(munmap(small, 0) == -1 && errno == EINVAL);
}

/* fork and exec keep the limits (POSIX). */
static void inherited(void)
{
	struct rlimit r = { 12345, 54321 }, n = { 20, 30 };
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &r), 0);
	CHECK_EQ(setrlimit(RLIMIT_NOFILE, &n), 0);
	int st = -1;
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit got;
		_exit(getrlimit(RLIMIT_FSIZE, &got) == 0 && got.rlim_cur == 12345 ? 0 : 1);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pid = fork();
	if (pid == 0) {
		execl("/bin/test_rlimit", "test_rlimit", "report", (char *)0);
		_exit(99);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	r.rlim_cur = r.rlim_max = RLIM_INFINITY;
	n.rlim_cur = n.rlim_max = 32;
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &r), 0);
	CHECK_EQ(setrlimit(RLIMIT_NOFILE, &n), 0);
}

/* The exec'd image: 0 if it was handed what inherited() set. */
static int report(void)
{
	struct rlimit f, n;
	if (getrlimit(RLIMIT_FSIZE, &f) || getrlimit(RLIMIT_NOFILE, &n))
		return 1;
	if (f.rlim_cur != 12345 || f.rlim_max != 54321 || n.rlim_cur != 20 || n.rlim_max != 30)
		return 2;
	return getenv("MUKERNEL_RLIMIT") ? 3 : 0; /* taken out of the environment */
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "report") == 0)
		return report();
	every_resource();
	file_size();
	memory();
	inherited();
	return test_status();
}
