/*
 * Eight instances of bigtext (72 KiB of text) share its text frames: each costs what the
 * small program idle costs (tables, data, stack), not a frame more for its larger text.
 * The text frames themselves are the boot archive's: they were paid once, at boot, so
 * even the first instance adds no text frame (the stack's 16 pages dominate the cost).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "elf.h"
#include "proc.h"
#include "taskspawn.h"
#include "testlib.h"

#define INSTANCES  8
#define SETTLE_US  50000
#define STEADY_US  10000 /* then until two readings this far apart agree */
#define STEADY_MAX 100
#define MIN_EXTRA  16 /* bigtext has at least this many more text pages than idle */
#define SLACK	   1  /* a page table more or less */
#define PAGE	   4096UL

static long free_frames(void)
{
	struct memstat m = { 0 };
	memstat(&m);
	return (long)m.free_frames;
}

static long text_pages(const char *name)
{
	struct archive a;
	uint64_t off = 0, size = 0;
	long pages = 0;
	if (archive_open(&a) || archive_find(&a, name, &off, &size))
		return -1;
	const struct elf64_ehdr *h = (const void *)(a.base + off);
	const struct elf64_phdr *ph = (const void *)(a.base + off + h->phoff);
	for (unsigned i = 0; i < h->phnum; i++)
		if (ph[i].type == ELF_PT_LOAD && (ph[i].flags & ELF_PF_X))
			pages += (long)((ph[i].vaddr % PAGE + ph[i].memsz + PAGE - 1) / PAGE);
	return pages;
}

/* Spawn name (no arguments) and let it settle: its pid; *cost: the frames it took. */
static long spawn_measured(const char *name, long *cost)
{
	long before = free_frames();
	long pid = (long)proc_request(PROC_SPAWN, 0, 0, 0, name, (unsigned)strlen(name) + 1);
	usleep(SETTLE_US);
	/* On a loaded host the new process may still be starting on another hart. */
	long now = free_frames(), prev = now + 1;
	for (int i = 0; i < STEADY_MAX && now != prev; i++) {
		usleep(STEADY_US);
		prev = now;
		now = free_frames();
	}
	*cost = before - now;
	return pid;
}

static void end(long pid)
{
	int st = 0;
	CHECK_EQ(kill((pid_t)pid, SIGKILL), 0);
	CHECK_EQ(waitpid((pid_t)pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

int main(void)
{
	long pid[INSTANCES], cost[INSTANCES], idle_cost = 0;
	long big = text_pages("bigtext"), small = text_pages("idle");
	CHECK(big - small >= MIN_EXTRA);
	end(spawn_measured("idle", &idle_cost)); /* warm up the server's slots */
	long start = free_frames();
	end(spawn_measured("idle", &idle_cost));
	for (int i = 0; i < INSTANCES; i++)
		pid[i] = spawn_measured("bigtext", &cost[i]);
	printf("  text pages: bigtext %ld, idle %ld; frames: idle %ld, bigtext", big, small,
	       idle_cost);
	for (int i = 0; i < INSTANCES; i++)
		printf(" %ld", cost[i]);
	printf("\n");
	for (int i = 0; i < INSTANCES; i++) {
		CHECK(pid[i] > 0);
		CHECK(cost[i] <= idle_cost + SLACK);
		CHECK(cost[i] <= cost[0] + SLACK);
	}
	for (int i = 0; i < INSTANCES; i++)
		if (pid[i] > 0)
			end(pid[i]);
	CHECK_EQ(free_frames(), start);
	return test_status();
}
