/*
 * What a forked child's capability space holds: its SLOT_PROC is a send-only endpoint
 * capability of its own (getpid and getppid work through it), a slot the parent holds is
 * copied with its rights, and every other slot is empty, also one the parent emptied
 * before the fork and also when the child's slot chunk reuses a frame full of old bytes.
 * A child that exits at once is reaped with its status, and nothing is left behind.
 */
#include <stdint.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "testlib.h"
#include "testutil.h"

#define PAGE	    4096
#define DIRTY_PAGES 64 /* freed full of 0xa5 just before the fork */
#define ROUNDS	    20
#define CHUNK_SLOTS 64 /* the first chunk: every slot a small process uses */

static long kept, dropped;
static uint64_t used[CHUNK_SLOTS / 64]; /* the parent's slots in use at the fork */

static int in_use(long s)
{
	return (used[s / 64] >> (s % 64)) & 1;
}

/*
 * Leave free frames behind that are anything but zero, the last one freed on top of the
 * pool (the next frame the kernel takes). One more page stays mapped so that the page
 * table of the range is not freed after them; the caller unmaps it later.
 */
static char *dirty_free_frames(void)
{
	char *p = mmap(0, (DIRTY_PAGES + 1) * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return 0;
	memset(p, 0xa5, (DIRTY_PAGES + 1) * PAGE);
	munmap(p, DIRTY_PAGES * PAGE);
	return p + DIRTY_PAGES * PAGE;
}

static int child_checks(pid_t parent)
{
	long info = SYSCALL(cap_info, SLOT_PROC);
	CHECK_EQ(info & 0xff, OBJ_ENDPOINT);
	CHECK_EQ(info >> 8, CAP_SEND);
	CHECK_EQ(getppid(), parent);
	CHECK(getpid() > parent);
	CHECK_EQ(SYSCALL(cap_info, kept) & 0xff, OBJ_NOTIFY);
	CHECK_EQ(SYSCALL(cap_info, dropped), E_BADCAP);
	for (long s = SLOT_FIRST_FREE; s < CHUNK_SLOTS; s++)
		if (!in_use(s))
			CHECK_EQ(SYSCALL(cap_info, s), E_BADCAP);
	return test_status();
}

int main(void)
{
	pid_t me = getpid();
	struct memstat a, b;
	int st = -1;
	kept = tu_obj(OBJ_NOTIFY);
	dropped = tu_obj(OBJ_NOTIFY);
	CHECK(kept > 0 && dropped > 0);
	slot_free(dropped);
	for (long s = 0; s < CHUNK_SLOTS; s++)
		if (SYSCALL(cap_info, s) >= 0)
			used[s / 64] |= 1UL << (s % 64);
	CHECK(in_use(kept) && !in_use(dropped));

	char *rest = dirty_free_frames();
	pid_t c = fork();
	if (c == 0)
		_exit(child_checks(me));
	CHECK(c > 0);
	CHECK_EQ(waitpid(c, &st, 0), c);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (rest)
		munmap(rest, PAGE);

	/* Children that exit at once: each is reaped with its status and leaves nothing. */
	c = fork();
	if (c == 0)
		_exit(0);
	CHECK_EQ(waitpid(c, &st, 0), c); /* a first round: the server's tables are warm */
	memstat(&a);
	for (int i = 0; i < ROUNDS; i++) {
		c = fork();
		if (c == 0)
			_exit(i);
		/* On one hart the child has run first and is a zombie already; else wait. */
		pid_t r = waitpid(c, &st, WNOHANG);
		CHECK(r == c || r == 0);
		if (r == 0)
			CHECK_EQ(waitpid(c, &st, 0), c);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == i);
	}
	memstat(&b);
	CHECK_EQ(b.free_frames, a.free_frames);
	CHECK_EQ(waitpid(-1, &st, WNOHANG), -1); /* no child left */
	slot_free(kept);
	return test_status();
}
