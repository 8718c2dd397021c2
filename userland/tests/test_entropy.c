/*
 * getentropy, getrandom and arc4random over the kernel's generator (system call 56).
 * Where the boot had a seed (QEMU virt's /chosen/rng-seed): bytes come, differ from call
 * to call and between a parent and its forked child, and spread over every byte value;
 * the limits and a bad buffer are refused. Without a seed (QEMU's sifive_u has none)
 * every call gives ENOSYS and nothing else is checked.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "syscall.h"
#include "testlib.h"

#define SAMPLE	  4096
#define VALUES	  256
#define MOST_OF	  64  /* of SAMPLE bytes, one value more than 4x its share: broken */
#define DISTINCT  200 /* of 256 values, fewer seen in SAMPLE bytes: broken */
#define KEY_BYTES 16
#define UNMAPPED  ((void *)0x1000) /* the first user page is never mapped */

static void test_limits(void)
{
	char buf[GETENTROPY_MAX + 1];
	CHECK_FAILS(getentropy(buf, GETENTROPY_MAX + 1), EINVAL);
	CHECK_EQ(SYSCALL(entropy, buf, GETENTROPY_MAX + 1), E_INVAL);
	CHECK_EQ(getentropy(buf, 0), 0);
	CHECK_EQ(getentropy(buf, GETENTROPY_MAX), 0);
	CHECK_FAILS(getentropy(UNMAPPED, KEY_BYTES), EFAULT);
	CHECK_FAILS(getrandom(buf, 8, 0x80), EINVAL);
}

/* Two calls differ, and neither is all zeros. */
static void test_fresh(void)
{
	unsigned char a[KEY_BYTES], b[KEY_BYTES], zero[KEY_BYTES] = { 0 };
	CHECK_EQ(getentropy(a, sizeof(a)), 0);
	CHECK_EQ(getentropy(b, sizeof(b)), 0);
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	CHECK(memcmp(a, zero, sizeof(a)) != 0);
}

/* SAMPLE bytes through getrandom (more than one call's worth) cover the byte values. */
static void test_spread(void)
{
	static unsigned char buf[SAMPLE];
	unsigned count[VALUES] = { 0 }, distinct = 0, most = 0;
	CHECK_EQ(getrandom(buf, sizeof(buf), GRND_NONBLOCK), (ssize_t)sizeof(buf));
	for (int i = 0; i < SAMPLE; i++)
		count[buf[i]]++;
	for (int v = 0; v < VALUES; v++) {
		distinct += count[v] != 0;
		most = count[v] > most ? count[v] : most;
	}
	CHECK(distinct >= DISTINCT);
	CHECK(most <= MOST_OF);
}

/* A forked child's bytes are not its parent's: the generator is the kernel's. */
static void test_fork(void)
{
	unsigned char mine[KEY_BYTES], theirs[KEY_BYTES];
	int fds[2];
	CHECK_EQ(pipe(fds), 0);
	pid_t child = fork();
	if (child == 0) {
		unsigned char k[KEY_BYTES];
		_exit(getentropy(k, sizeof(k)) == 0 && write(fds[1], k, sizeof(k)) == sizeof(k)
			      ? 0
			      : 1);
	}
	CHECK_EQ(getentropy(mine, sizeof(mine)), 0);
	CHECK_EQ(read(fds[0], theirs, sizeof(theirs)), (ssize_t)sizeof(theirs));
	CHECK_EQ(waitpid(child, 0, 0), child);
	CHECK(memcmp(mine, theirs, sizeof(mine)) != 0);
	close(fds[0]);
	close(fds[1]);
}

/* picolibc's arc4random family takes its key from getentropy. */
static void test_arc4random(void)
{
	uint32_t a = arc4random(), b = arc4random(), c = arc4random();
	CHECK(a != b || b != c);
	for (int i = 0; i < 100; i++)
		CHECK(arc4random_uniform(10) < 10);
	unsigned char k[KEY_BYTES] = { 0 }, zero[KEY_BYTES] = { 0 };
	arc4random_buf(k, sizeof(k));
	CHECK(memcmp(k, zero, sizeof(k)) != 0);
}

int main(void)
{
	char probe[1];
	if (getentropy(probe, sizeof(probe)) != 0) {
		CHECK_EQ(errno, ENOSYS);
		CHECK_FAILS(getrandom(probe, sizeof(probe), 0), ENOSYS);
		printf("  no seed at boot: getentropy gives ENOSYS\n");
		return test_status();
	}
	test_limits();
	test_fresh();
	test_spread();
	test_fork();
	test_arc4random();
	return test_status();
}
