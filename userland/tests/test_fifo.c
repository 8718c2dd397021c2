/*
 * FIFOs (mkfifo, docs/files.md "FIFOs"): made in the RAM file system and seen by stat as
 * S_IFIFO; EEXIST, EROFS, ENOENT, mknod's EPERM for a device. open follows POSIX: a
 * reader waits for a writer and a writer for a reader (across fork, either first);
 * O_NONBLOCK gives a reader its end at once and a writer ENXIO; O_RDWR is EINVAL. The
 * bytes flow as through a pipe; end of file once the last writer closes, EPIPE once the
 * last reader has. A name unlinked while open keeps working. A signal cuts a waiting
 * open short with EINTR, and the given-up open does not count as a reader. Every frame
 * comes back once the FIFOs are gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "syscall.h"
#include "testlib.h"

#define NS_PER_MS 1000000L
#define LATE_MS	  50
#define F1	  "/tmp/fifo1"
#define F2	  "/tmp/fifo2"
#define MSG	  "through the fifo"

static void nap(long ms)
{
	SYSCALL(sleep, ms * NS_PER_MS);
}

static int child_ok(pid_t pid)
{
	int status = -1;
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void making(void)
{
	struct stat st;
	CHECK_EQ(mkfifo(F1, 0640), 0);
	CHECK_EQ(stat(F1, &st), 0);
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_EQ(st.st_size, 0);
	CHECK_EQ(mkfifo(F1, 0640), -1);
	CHECK_EQ(errno, EEXIST);
	CHECK_EQ(mkfifo("/bin/fifo", 0640), -1);
	CHECK_EQ(errno, EROFS);
	CHECK_EQ(mkfifo("/tmp/none/fifo", 0640), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(mknod("/tmp/dev", S_IFCHR | 0600, 0), -1);
	CHECK_EQ(errno, EPERM);
	CHECK_EQ(mknod(F2, S_IFIFO | 0600, 0), 0);
	CHECK_EQ(stat(F2, &st), 0);
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_EQ(unlink(F2), 0);
}

/* O_NONBLOCK: a reader at once, a writer only with a reader; bytes, EOF and EPIPE. */
static void nonblocking(void)
{
	char buf[32];
	struct stat st;
	CHECK_EQ(open(F1, O_RDWR), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(open(F1, O_WRONLY | O_NONBLOCK), -1);
	CHECK_EQ(errno, ENXIO);
	int r = open(F1, O_RDONLY | O_NONBLOCK);
	CHECK(r >= 0);
	CHECK_EQ(read(r, buf, sizeof(buf)), 0); /* no writer: end of file */
	CHECK_EQ(fstat(r, &st), 0);
	CHECK(S_ISFIFO(st.st_mode));
	/* POSIX fstat: the FIFO's own inode, as stat of its name gives it */
	struct stat named;
	CHECK_EQ(stat(F1, &named), 0);
	CHECK(st.st_ino == named.st_ino && st.st_dev == named.st_dev && st.st_ino != 0);
	CHECK_EQ(st.st_mode, named.st_mode);
	int w = open(F1, O_WRONLY | O_NONBLOCK);
	CHECK(w >= 0);
	CHECK_EQ(fstat(w, &st), 0);
	CHECK(st.st_ino == named.st_ino && S_ISFIFO(st.st_mode));
	int d = dup(w);
	CHECK(d >= 0 && fstat(d, &st) == 0 && st.st_ino == named.st_ino);
	close(d);
	/* a pipe() end is no file's */
	int pp[2];
	CHECK_EQ(pipe(pp), 0);
	CHECK(fstat(pp[0], &st) == 0 && S_ISFIFO(st.st_mode) && st.st_ino != named.st_ino);
	close(pp[0]);
	close(pp[1]);
	CHECK_EQ(read(r, buf, sizeof(buf)), -1); /* a writer, nothing written yet */
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(write(w, "abc", 3), 3);
	CHECK_EQ(read(r, buf, sizeof(buf)), 3);
	CHECK(memcmp(buf, "abc", 3) == 0);
	CHECK_EQ(close(w), 0);
	CHECK_EQ(read(r, buf, sizeof(buf)), 0);
	w = open(F1, O_WRONLY | O_NONBLOCK); /* the reader is still there */
	CHECK(w >= 0);
	CHECK_EQ(close(r), 0);
	signal(SIGPIPE, SIG_IGN);
	CHECK_EQ(write(w, "x", 1), -1);
	CHECK_EQ(errno, EPIPE);
	signal(SIGPIPE, SIG_DFL);
	CHECK_EQ(close(w), 0);
}

/* The child opens its side (writer or reader) first, the parent later, or the other way. */
static void rendezvous(int child_writes, int child_late)
{
	char buf[64];
	pid_t pid = fork();
	if (pid == 0) {
		if (child_late)
			nap(LATE_MS);
		int fd = open(F1, child_writes ? O_WRONLY : O_RDONLY);
		if (fd < 0)
			_exit(1);
		if (child_writes)
			_exit(write(fd, MSG, sizeof(MSG)) == sizeof(MSG) ? 0 : 2);
		ssize_t n = read(fd, buf, sizeof(buf));
		_exit(n == sizeof(MSG) && memcmp(buf, MSG, sizeof(MSG)) == 0 ? 0 : 3);
	}
	CHECK(pid > 0);
	if (!child_late)
		nap(LATE_MS);
	int fd = open(F1, child_writes ? O_RDONLY : O_WRONLY);
	CHECK(fd >= 0);
	if (child_writes) {
		size_t got = 0;
		ssize_t n;
		while ((n = read(fd, buf + got, sizeof(buf) - got)) > 0)
			got += (size_t)n;
		CHECK_EQ(n, 0); /* the writer's exit closed the last write end */
		CHECK_EQ(got, sizeof(MSG));
		CHECK(memcmp(buf, MSG, sizeof(MSG)) == 0);
	} else {
		CHECK_EQ(write(fd, MSG, sizeof(MSG)), (ssize_t)sizeof(MSG));
	}
	CHECK(child_ok(pid));
	close(fd);
}

/* Unlinked while both ends are open: the bytes still flow, and the name is gone. */
static void unlinked_while_open(void)
{
	char buf[8];
	struct stat st;
	CHECK_EQ(mkfifo(F2, 0600), 0);
	int r = open(F2, O_RDONLY | O_NONBLOCK);
	int w = open(F2, O_WRONLY);
	CHECK(r >= 0 && w >= 0);
	CHECK_EQ(unlink(F2), 0);
	CHECK_EQ(stat(F2, &st), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(write(w, "ok", 2), 2);
	CHECK_EQ(read(r, buf, sizeof(buf)), 2);
	close(w);
	CHECK_EQ(read(r, buf, sizeof(buf)), 0);
	close(r);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A reader waiting in open is cut short by a signal; it then counts for nothing. */
static void interrupted_open(void)
{
	struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART */
	sigaction(SIGALRM, &sa, 0);
	alarm(1);
	CHECK_EQ(open(F1, O_RDONLY), -1);
	CHECK_EQ(errno, EINTR);
	CHECK_EQ(open(F1, O_WRONLY | O_NONBLOCK), -1);
	CHECK_EQ(errno, ENXIO);
	signal(SIGALRM, SIG_DFL);
}

static void round_once(void)
{
	making();
	nonblocking();
	rendezvous(1, 0);
	rendezvous(1, 1);
	rendezvous(0, 0);
	rendezvous(0, 1);
	unlinked_while_open();
	interrupted_open();
	CHECK_EQ(unlink(F1), 0);
}

int main(void)
{
	struct memstat before, after;
	round_once(); /* warms up what a first round leaves (the servers' slots and tables) */
	memstat(&before);
	round_once();
	memstat(&after);
	CHECK_EQ(after.free_frames, before.free_frames);
	return test_status();
}
