/*
 * msync, mlock, munlock and posix_madvise of a range with a page that is not mapped fail
 * with ENOMEM (POSIX), as mprotect does; a mapped range, PROT_NONE pages included, and a
 * length of 0 succeed. The query that decides it changes nothing.
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "testlib.h"

#define PAGE 4096

int main(void)
{
	char *p = mmap(0, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	p[0] = 1;
	CHECK_EQ(msync(p, 4 * PAGE, MS_SYNC), 0);
	CHECK_EQ(mlock(p, 4 * PAGE), 0);
	CHECK_EQ(munlock(p + 1, 100), 0); /* not aligned: its page */
	CHECK_EQ(posix_madvise(p, 4 * PAGE, POSIX_MADV_WILLNEED), 0);
	CHECK_EQ(mprotect(p + 2 * PAGE, PAGE, PROT_NONE), 0);
	CHECK_EQ(msync(p, 4 * PAGE, MS_ASYNC), 0); /* PROT_NONE is still mapped */
	CHECK_EQ(munmap(p + PAGE, PAGE), 0);	   /* a hole */
	errno = 0;
	CHECK(msync(p, 4 * PAGE, MS_SYNC) == -1 && errno == ENOMEM);
	errno = 0;
	CHECK(mlock(p, 4 * PAGE) == -1 && errno == ENOMEM);
	errno = 0;
	CHECK(munlock(p + PAGE, 10) == -1 && errno == ENOMEM);
	CHECK_EQ(posix_madvise(p, 4 * PAGE, POSIX_MADV_NORMAL), ENOMEM);
	CHECK_EQ(posix_madvise(p, 4 * PAGE, 12345), EINVAL);
	CHECK_EQ(msync(p + PAGE, 0, MS_SYNC), 0);
	CHECK_EQ(msync(p, PAGE, MS_SYNC), 0); /* the mapped part alone */
	CHECK_EQ(p[0], 1);		      /* nothing changed */
	p[0] = 2;
	CHECK_EQ(p[0], 2);
	CHECK_EQ(mprotect(p + 2 * PAGE, PAGE, PROT_READ), 0);
	errno = 0;
	CHECK(msync((void *)(~0UL & ~(PAGE - 1UL)), PAGE, MS_SYNC) == -1 && errno == ENOMEM);
	munmap(p, 4 * PAGE);
	return test_status();
}
