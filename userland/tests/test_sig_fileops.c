/*
 * Signals never make a file request run twice or report a failure for what was done.
 * A child appends records with O_APPEND, creates files with O_EXCL and unlinks them,
 * while its parent keeps sending it SIGUSR1 (a handler without SA_RESTART). With
 * several harts a signal often arrives while the file server works on a request; the
 * request must then finish and answer (the upcall waits for it), not be cut short and
 * sent again: a second append would duplicate a record, a second O_EXCL open would fail
 * with EEXIST, a second unlink with ENOENT. None of these calls may fail with EINTR
 * (POSIX: a regular file's I/O is not interruptible).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define LOG	"/tmp/sigfile_log"
#define SCRATCH "/tmp/sigfile_x"
#define RECORDS 300
#define REC	16 /* bytes per record */

static volatile int handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

/* The work, with signals arriving: 0 if every call did exactly what it should. */
static int worker(void)
{
	int fd = open(LOG, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	if (fd < 0)
		return 10;
	for (int i = 0; i < RECORDS; i++) {
		char rec[32];
		snprintf(rec, sizeof(rec), "record %8d\n", i);
		if (write(fd, rec, REC) != REC)
			return 11;
		int x = open(SCRATCH, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (x < 0)
			return errno == EEXIST ? 12 : 13;
		if (close(x) != 0)
			return 14;
		if (unlink(SCRATCH) != 0)
			return errno == ENOENT ? 15 : 16;
	}
	return close(fd) == 0 ? 0 : 17;
}

/* The log holds each record once, in order. */
static int log_exact(void)
{
	struct stat st;
	if (stat(LOG, &st) != 0 || st.st_size != RECORDS * REC)
		return 0;
	FILE *f = fopen(LOG, "r");
	char line[64];
	int i = 0, ok = f != 0;
	while (ok && fgets(line, sizeof(line), f)) {
		char want[32];
		snprintf(want, sizeof(want), "record %8d\n", i++);
		ok = strcmp(line, want) == 0;
	}
	if (f)
		fclose(f);
	return ok && i == RECORDS;
}

int main(void)
{
	volatile int *done =
		mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(done != MAP_FAILED);
	if (done == MAP_FAILED)
		return test_status();
	*done = 0;
	/* The child inherits the handler: no signal can find it without one. */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1; /* no SA_RESTART */
	sigaction(SIGUSR1, &sa, 0);
	pid_t pid = fork();
	if (pid == 0) {
		int r = worker();
		*done = 1;
		_exit(r);
	}
	CHECK(pid > 0);
	long sent = 0;
	while (pid > 0 && !*done) {
		kill(pid, SIGUSR1);
		sent++;
		if (sent % 8 == 0)
			usleep(100);
	}
	int st = -1;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st));
	if (!WIFEXITED(st))
		printf("  the worker ended by signal %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : -1);
	CHECK_EQ(WEXITSTATUS(st), 0);
	CHECK(log_exact());
	CHECK_EQ(unlink(LOG), 0);
	printf("  %d records, %ld signals sent\n", RECORDS, sent);
	return test_status();
}
