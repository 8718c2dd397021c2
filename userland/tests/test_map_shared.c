/* MAP_SHARED|MAP_ANONYMOUS memory: writes are seen by parent and child alike. */
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define PAGE 4096

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
	return test_status();
}
