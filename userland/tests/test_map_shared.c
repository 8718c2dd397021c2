/*
 * MAP_SHARED|MAP_ANONYMOUS memory: writes are seen by parent and child alike. The same
 * from a shared mapping of /dev/zero, and a private one of it is fresh zeroed memory.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define PAGE 4096

static void dev_zero(void)
{
	int fd = open("/dev/zero", O_RDWR);
	CHECK(fd >= 0);
	char *p = mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	volatile char *s = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	CHECK(p != MAP_FAILED && s != MAP_FAILED);
	if (p == MAP_FAILED || s == MAP_FAILED)
		return;
	CHECK(p[0] == 0 && p[PAGE + 5] == 0);
	p[PAGE + 5] = 1;
	pid_t c = fork();
	if (c == 0) {
		s[0] = 9;
		p[PAGE + 5] = 2; /* private: the parent keeps its 1 */
		_exit(0);
	}
	int st = -1;
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st));
	CHECK_EQ(s[0], 9);
	CHECK_EQ(p[PAGE + 5], 1);
	CHECK_EQ(munmap(p, 2 * PAGE), 0);
	CHECK_EQ(munmap((void *)s, PAGE), 0);
}

int main(void)
{
	volatile uint64_t *s =
		mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int st = -1;
	CHECK(s != MAP_FAILED);
	if (s == MAP_FAILED)
		return test_status();
	s[0] = 1;
	pid_t c = fork();
	if (c == 0) {
		int ok = s[0] == 1;
		s[1] = 0xc0ffee; /* the parent must see this */
		s[PAGE / 8] = 77;
		_exit(ok ? 0 : 1);
	}
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	CHECK_EQ(s[1], 0xc0ffee);
	CHECK_EQ(s[PAGE / 8], 77);
	CHECK_EQ(munmap((void *)s, 2 * PAGE), 0);
	dev_zero();
	return test_status();
}
