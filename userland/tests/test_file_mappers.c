/*
 * Ten processes mapping one 1 MiB file share its frames: one frame per page between
 * them (the page cache), not one per process. Each child maps the file (MAP_SHARED for
 * half, MAP_PRIVATE read-only for the rest), reads every page, reports through a pipe
 * and waits; with all ten holding their mappings, the frames taken since before the
 * first fork must stay well under what ten copies would take.
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

int test_failures;

#define MAPPERS	   10
#define FILE_BYTES (1024 * 1024)
#define PAGES	   (FILE_BYTES / 4096)
#define PER_CHILD  24 /* frames a forked child may take for itself: stack, tables, ... */

static char page[4096];

/* Map the file, touch every page, say so, and wait for the parent to kill us. */
static void mapper(int i, int ready)
{
	int fd = open("/tmp/ten", O_RDONLY);
	const volatile char *p =
		mmap(0, FILE_BYTES, PROT_READ, i % 2 ? MAP_PRIVATE : MAP_SHARED, fd, 0);
	char ok = p != MAP_FAILED;
	for (int j = 0; ok && j < PAGES; j++)
		ok = p[j * 4096] == (char)j;
	write(ready, &ok, 1);
	for (;;)
		sleep(1);
}

int main(void)
{
	int fds[2];
	pid_t pids[MAPPERS];
	struct memstat before, during;
	int fd = open("/tmp/ten", O_RDWR | O_CREAT | O_TRUNC, 0644);
	for (int j = 0; j < PAGES; j++) {
		memset(page, j, sizeof(page));
		CHECK_EQ(write(fd, page, sizeof(page)), 4096);
	}
	close(fd);
	CHECK_EQ(pipe(fds), 0);
	memstat(&before);
	for (int i = 0; i < MAPPERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			mapper(i, fds[1]);
	}
	for (int i = 0; i < MAPPERS; i++) {
		char ok = 0;
		CHECK_EQ(read(fds[0], &ok, 1), 1);
		CHECK(ok);
	}
	memstat(&during);
	long taken = (long)before.free_frames - (long)during.free_frames;
	printf("  ten mappers of %d pages took %ld frames\n", PAGES, taken);
	CHECK(taken < MAPPERS * PER_CHILD + PAGES / 4);
	for (int i = 0; i < MAPPERS; i++) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], 0, 0);
	}
	CHECK_EQ(unlink("/tmp/ten"), 0);
	return test_status();
}
