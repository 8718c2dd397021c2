/*
 * sh: the interactive shell on the console. It reads a line (echoing what is typed,
 * since the console does not), splits it at blanks and either runs a built-in or asks
 * the fork server to start the program from the boot archive as its child, waits for
 * it, and shows a non-zero exit status. docs/userland.md describes it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "syscall.h"

#define LINE_MAX_ 128 /* longer lines are cut */
#define ARGS_MAX  16
#define SPAWN_MAX 512 /* the fork server's spawn buffer */
#define PROMPT	  "$ "
#define CH_EOT	  0x04 /* ^D: end of input on an empty line */
#define CH_BS	  0x08
#define CH_DEL	  0x7f
#define CH_CR	  '\r'
#define CH_LF	  '\n'

static void echo(const char *s, size_t n)
{
	write(STDOUT_FILENO, s, n);
}

/* Take one typed character into line (len so far): the new length, or -1 at end. */
static int edit(char *line, int len, char c)
{
	if (c == CH_BS || c == CH_DEL) {
		if (len > 0)
			echo("\b \b", 3);
		return len > 0 ? len - 1 : 0;
	}
	if (c == CH_EOT && len == 0)
		return -1;
	if ((unsigned char)c < ' ' || len >= LINE_MAX_ - 1)
		return len; /* other control characters, and the cut part of a long line */
	echo(&c, 1);
	line[len] = c;
	return len + 1;
}

/* Read a line into line (NUL-terminated): 0, or -1 at the end of input. */
static int read_line(char *line)
{
	int len = 0;
	char c;
	fputs(PROMPT, stdout);
	fflush(stdout);
	for (;;) {
		if (read(STDIN_FILENO, &c, 1) != 1)
			return -1;
		if (c == CH_CR || c == CH_LF)
			break;
		len = edit(line, len, c);
		if (len < 0)
			return -1;
	}
	echo("\n", 1);
	line[len] = 0;
	return 0;
}

/* Split line at blanks into argv (NULL-terminated): the number of words. */
static int split(char *line, char **argv)
{
	int argc = 0;
	for (char *p = strtok(line, " \t"); p && argc < ARGS_MAX; p = strtok(0, " \t"))
		argv[argc++] = p;
	argv[argc] = 0;
	return argc;
}

static const char *const state_names[] = { "free", "run", "zombie" };

/* One PROC_LIST step: the pid, or -1 at the end; *next is where the next one starts. */
static long list_one(uint64_t index, uint64_t *w, uint64_t *next)
{
	struct ipc_msg m = { .tag = ipc_tag(PROC_LIST, 1, 0, 0) };
	m.w[0] = index;
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	if (ipc_call(SLOT_PROC, &m) != 0 || (int64_t)m.w[0] < 0)
		return -1;
	memcpy(w, m.w, 4 * sizeof(*w));
	*next = m.w[4];
	return (long)m.w[0];
}

static int cmd_ps(void)
{
	uint64_t w[4], next = 0;
	printf("  PID  PPID STATE\n");
	while (list_one(next, w, &next) >= 0) {
		const char *st = w[2] < 3 ? state_names[w[2]] : "?";
		printf("%5ld %5ld %s\n", (long)w[0], (long)w[1], st);
	}
	return 0;
}

static int cmd_meminfo(void)
{
	struct memstat ms;
	if (memstat(&ms) != 0) {
		printf("meminfo: memstat failed\n");
		return 1;
	}
	printf("frames: total %lu, free %lu, shared %lu (%lu KiB free)\n",
	       (unsigned long)ms.total_frames, (unsigned long)ms.free_frames,
	       (unsigned long)ms.shared_frames,
	       (unsigned long)(ms.free_frames * PAGE_BYTES / 1024));
	printf("cow: faults %lu, copies %lu, reuses %lu\n", (unsigned long)ms.cow_faults,
	       (unsigned long)ms.cow_copies, (unsigned long)ms.cow_reuses);
	return 0;
}

static int cmd_help(void)
{
	printf("built-ins: help, ps, meminfo, poweroff, exit [N]\n"
	       "anything else runs a program from the boot archive: prog args...\n");
	return 0;
}

/* The program's pid, or -errno: the fork server starts it as our child. */
static long spawn(char **argv)
{
	char buf[SPAWN_MAX];
	unsigned len = 0;
	for (char **a = argv; *a; a++) {
		size_t n = strlen(*a) + 1;
		if (len + n > sizeof(buf))
			return -E2BIG;
		memcpy(buf + len, *a, n);
		len += (unsigned)n;
	}
	return (long)proc_request(PROC_SPAWN, 0, 0, 0, buf, len);
}

static int run(char **argv)
{
	int status = 0;
	long pid = spawn(argv);
	if (pid == -ENOENT || pid == -ENOEXEC) {
		printf("sh: %s: %s\n", argv[0], pid == -ENOENT ? "not found" : "cannot run");
		return 127;
	}
	if (pid <= 0) {
		printf("sh: %s: cannot start (%s)\n", argv[0], strerror((int)-pid));
		return 126;
	}
	if (waitpid((pid_t)pid, &status, 0) != pid) {
		printf("sh: wait failed\n");
		return 126;
	}
	if (WIFSIGNALED(status)) {
		printf("[signal %d]\n", WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	if (WEXITSTATUS(status))
		printf("[exit %d]\n", WEXITSTATUS(status));
	return WEXITSTATUS(status);
}

/* One command line; sets *done for exit. Returns the command's status. */
static int execute(int argc, char **argv, int *done, int last)
{
	if (strcmp(argv[0], "exit") == 0) {
		*done = 1;
		return argc > 1 ? atoi(argv[1]) : last;
	}
	if (strcmp(argv[0], "poweroff") == 0) {
		fflush(stdout);
		SYSCALL(poweroff, SLOT_MACHINE, 0);
		printf("sh: poweroff: not allowed\n");
		return 1;
	}
	if (strcmp(argv[0], "ps") == 0)
		return cmd_ps();
	if (strcmp(argv[0], "meminfo") == 0)
		return cmd_meminfo();
	if (strcmp(argv[0], "help") == 0)
		return cmd_help();
	return run(argv);
}

int main(void)
{
	char line[LINE_MAX_], *argv[ARGS_MAX + 1];
	int done = 0, last = 0;
	printf("sh: type help for the built-ins\n");
	while (!done && read_line(line) == 0) {
		int argc = split(line, argv);
		if (argc > 0)
			last = execute(argc, argv, &done, last);
	}
	return last;
}
