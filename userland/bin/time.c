/*
 * time utility [argument...]: run the utility, then write on standard error how long it
 * took: wall time, and the instructions retired and cycles counted by this hart's
 * counters (rdinstret, rdcycle) while it ran. The counters are the hart's, not the
 * process's: they include the servers and the kernel working for the utility, and
 * anything else that ran on this hart meanwhile (with one hart, that is the whole
 * machine). Under QEMU -icount one cycle is one instruction. POSIX exit statuses: the
 * utility's own, 127 if it was not found, 126 if it could not run, 1 for time's errors.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "syscall.h"

#define STATUS_NOT_FOUND 127
#define STATUS_NO_EXEC	 126
#define STATUS_SIGNAL	 128
#define US_PER_S	 1000000ULL

struct sample {
	uint64_t instret, cycle, ticks; /* ticks: rdtime, at the timebase frequency */
};

static struct sample now(void)
{
	struct sample s;
	__asm__ volatile("rdinstret %0" : "=r"(s.instret));
	__asm__ volatile("rdcycle %0" : "=r"(s.cycle));
	__asm__ volatile("rdtime %0" : "=r"(s.ticks));
	return s;
}

/* In the child: become the utility. Only a failure returns, with its exit status. */
static int run(char **argv)
{
	execvp(argv[0], argv);
	int e = errno;
	fprintf(stderr, "time: %s: %s\n", argv[0], e == ENOENT ? "not found" : strerror(e));
	fflush(stderr);
	return e == ENOENT ? STATUS_NOT_FOUND : STATUS_NO_EXEC;
}

int main(int argc, char **argv)
{
	int status, first = argc > 1 && strcmp(argv[1], "--") == 0 ? 2 : 1;
	if (first >= argc) {
		fprintf(stderr, "usage: time utility [argument...]\n");
		return 1;
	}
	fflush(stdout);
	struct sample a = now();
	pid_t pid = fork();
	if (pid == 0)
		_exit(run(argv + first));
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		fprintf(stderr, "time: %s\n", strerror(errno));
		return 1;
	}
	struct sample b = now();
	struct sysinfo si = { 0 };
	if (SYSCALL(sysinfo, &si) != 0 || !si.timebase_hz)
		si.timebase_hz = 1;
	uint64_t ticks = b.ticks - a.ticks;
	uint64_t us = ticks / si.timebase_hz * US_PER_S +
		      ticks % si.timebase_hz * US_PER_S / si.timebase_hz;
	fprintf(stderr, "time: real %lu.%06lu s, %lu instructions, %lu cycles\n",
		(unsigned long)(us / US_PER_S), (unsigned long)(us % US_PER_S),
		(unsigned long)(b.instret - a.instret), (unsigned long)(b.cycle - a.cycle));
	if (WIFSIGNALED(status))
		return STATUS_SIGNAL + WTERMSIG(status);
	return WEXITSTATUS(status);
}
