/*
 * mmap and mprotect refuse a protection with a bit they do not know (EINVAL, issue 12:
 * mprotect accepted it silently), and the mapping is left as it was.
 */
#include <errno.h>
#include <sys/mman.h>

#include "testlib.h"

#define PAGE	    4096
#define UNKNOWN_BIT 0x100

int main(void)
{
	errno = 0;
	CHECK(mmap(0, PAGE, PROT_READ | UNKNOWN_BIT, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
	      MAP_FAILED);
	CHECK_EQ(errno, EINVAL);
	volatile char *p =
		mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	p[0] = 1;
	CHECK_FAILS(mprotect((void *)p, PAGE, PROT_READ | UNKNOWN_BIT), EINVAL);
	errno = 0;
	CHECK_EQ(mprotect((void *)p, PAGE, PROT_READ | 0x10), -1); /* the ABI's shared-kind bit */
	CHECK_EQ(errno, EINVAL);
	p[0] = 2; /* still writable */
	CHECK_EQ(p[0], 2);
	CHECK_EQ(mprotect((void *)p, PAGE, PROT_READ), 0);
	CHECK_EQ(p[0], 2);
	CHECK_EQ(munmap((void *)p, PAGE), 0);
	return test_status();
}
