/*
 * POSIX record locks (docs/files.md, "Record locks"), between processes: conflicts
 * (EAGAIN) and F_GETLK's report with the holder's pid; ranges split and merged, to the
 * end of the file (l_len 0) and backwards (negative l_len); locks not inherited by fork;
 * all of a process's locks on a file dropped by a close of any descriptor of it (another
 * open, a dup); dropped at death by SIGKILL (and a process waiting for them gets them
 * with no other request to the server); kept across exec (and dropped by a close in
 * the new image); F_SETLKW waiting for an unlock, cut short by a signal (EINTR), and
 * EDEADLK for a two-process cycle; lockf; ENOLCK at the table's bound; the errors
 * (EBADF for a descriptor not open for the lock's type, EINVAL). A child that knows its
 * parent's old key (its memory is a copy) can neither drop nor use the parent's locks.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd.h"
#include "fs.h"
#include "syscall.h"
#include "testlib.h"

int test_failures;

#define PATH	  "/tmp/locks"
#define NS_PER_MS 1000000L
#define STEP_MS	  10
#define PATIENCE  300 /* signals sent before giving up on the child */

static int lk(int fd, int cmd, short type, long start, long len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	return fcntl(fd, cmd, &fl);
}

/* F_GETLK for a write lock over start, len: the lock found (l_type F_UNLCK if none). */
static struct flock probe(int fd, short type, long start, long len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	CHECK_EQ(fcntl(fd, F_GETLK, &fl), 0);
	return fl;
}

static void tell(int fd, char c)
{
	CHECK_EQ(write(fd, &c, 1), 1);
}

/* The next byte from fd, 0 at its end. A signal's handler does not cut the wait short. */
static char hear(int fd)
{
	char c = 0;
	ssize_t n;
	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? c : 0;
}

static int open_file(int flags)
{
	int fd = open(PATH, flags);
	CHECK(fd >= 0);
	return fd;
}

/* The child's status: 0 if it exited 0. */
static int reap(pid_t pid)
{
	int st = 0;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

/* A child runs fn(fd, to_parent, from_parent) and exits with its failures. */
static pid_t child(void (*fn)(int, int, int), int fd, int *to, int *from)
{
	int up[2], down[2];
	CHECK_EQ(pipe(up), 0);
	CHECK_EQ(pipe(down), 0);
	pid_t pid = fork();
	if (pid == 0) {
		test_failures = 0; /* the child's own */
		close(up[0]);
		close(down[1]);
		fn(fd, up[1], down[0]);
		_exit(test_failures ? 1 : 0);
	}
	close(up[1]);
	close(down[0]);
	*to = down[1];
	*from = up[0];
	return pid;
}

/* ---- conflicts, F_GETLK, ranges ---- */

static void conflicts_child(int fd, int up, int down)
{
	(void)down;
	errno = 0;
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 5, 1), -1); /* inside the parent's [0, 10) */
	CHECK(errno == EAGAIN || errno == EACCES);
	CHECK_EQ(lk(fd, F_SETLK, F_RDLCK, 9, 1), -1);
	struct flock fl = probe(fd, F_WRLCK, 0, 100);
	CHECK_EQ(fl.l_type, F_WRLCK);
	CHECK_EQ(fl.l_start, 0);
	CHECK_EQ(fl.l_len, 10);
	CHECK_EQ(fl.l_pid, getppid());
	CHECK_EQ(fl.l_whence, SEEK_SET);
	CHECK_EQ(lk(fd, F_SETLK, F_RDLCK, 10, 10), 0);	/* just after it */
	CHECK_EQ(lk(fd, F_SETLK, F_RDLCK, 2000, 0), 0); /* to the end and on */
	tell(up, 'r');
	CHECK_EQ(hear(down), 'c');
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 200, 5), -1); /* the parent's read lock */
	CHECK_EQ(probe(fd, F_WRLCK, 200, 1).l_type, F_RDLCK);
	CHECK_EQ(probe(fd, F_RDLCK, 200, 1).l_type, F_UNLCK); /* reads share */
	fl = probe(fd, F_WRLCK, 300, 0);		      /* [300, 310) backwards */
	CHECK_EQ(fl.l_type, F_WRLCK);
	CHECK_EQ(fl.l_start, 300);
	CHECK_EQ(fl.l_len, 10);
	fl = probe(fd, F_WRLCK, 1000, 0); /* the parent's [1000, 1500) */
	CHECK_EQ(fl.l_start, 1000);
	CHECK_EQ(fl.l_len, 500);
	tell(up, 'd');
}

static void conflicts(void)
{
	int fd = open_file(O_RDWR | O_CREAT | O_TRUNC), to, from;
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 10), 0);
	pid_t pid = child(conflicts_child, fd, &to, &from);
	CHECK_EQ(hear(from), 'r');
	struct flock fl = probe(fd, F_WRLCK, 15, 1);
	CHECK_EQ(fl.l_type, F_RDLCK);
	CHECK_EQ(fl.l_pid, pid);
	CHECK_EQ(fl.l_start, 10);
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 2500, 1), -1); /* the child's read lock to the end */
	CHECK_EQ(probe(fd, F_WRLCK, 5000, 1).l_len, 0);
	CHECK_EQ(lk(fd, F_SETLK, F_RDLCK, 200, 10), 0);
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 310, -10), 0); /* [300, 310) */
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 1000, 500), 0);
	CHECK_EQ(lk(fd, F_SETLK, F_RDLCK, 2100, 1), 0); /* reads share with its read lock */
	tell(to, 'c');
	CHECK_EQ(hear(from), 'd');
	CHECK_EQ(reap(pid), 0);
	/* Its locks went with it: everything from 2000 on is free again. */
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 2000, 0), 0);
	CHECK_EQ(lk(fd, F_SETLK, F_UNLCK, 0, 0), 0);
	close(fd);
	close(to);
	close(from);
}

/* ---- splitting and merging, seen from another process ---- */

static void split_child(int fd, int up, int down)
{
	(void)down;
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 45, 10), 0);	     /* in the hole */
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 30, 1), -1);	     /* before it */
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 70, 1), -1);	     /* after it */
	CHECK_EQ(probe(fd, F_WRLCK, 65, 1).l_type, F_RDLCK); /* downgraded part */
	struct flock fl = probe(fd, F_WRLCK, 0, 0);
	CHECK_EQ(fl.l_start, 0);
	CHECK_EQ(fl.l_len, 40); /* the merged [0, 40) */
	CHECK_EQ(lk(fd, F_SETLK, F_UNLCK, 45, 10), 0);
	tell(up, 'd');
}

static void split_merge(void)
{
	int fd = open_file(O_RDWR), to, from;
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 20), 0);
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 20, 80), 0); /* touches: one [0, 100) */
	CHECK_EQ(lk(fd, F_SETLK, F_UNLCK, 40, 20), 0); /* [0,40) and [60,100) */
	CHECK_EQ(lk(fd, F_SETLK, F_RDLCK, 60, 10), 0); /* [60,70) read, [70,100) write */
	pid_t pid = child(split_child, fd, &to, &from);
	CHECK_EQ(hear(from), 'd');
	CHECK_EQ(reap(pid), 0);
	CHECK_EQ(lk(fd, F_SETLK, F_UNLCK, 0, 0), 0);
	close(fd);
	close(to);
	close(from);
}

/* ---- what fork, close and death do ---- */

static unsigned parent_index; /* the parent's fork-server index, set before the fork */

/* A raw FS_LOCK release on fd's description in process idx's name with key: w0. */
static int64_t release_as(int fd, unsigned idx, uint64_t key)
{
	struct ipc_msg m = { .tag = ipc_tag(FS_LOCK, 7, 0, 0) };
	m.w[0] = FS_LK_RELEASE;
	m.w[5] = idx;
	m.w[6] = key;
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	return ipc_call((uint64_t)fd_file(fd)->cap, &m) ? -EIO : (int64_t)m.w[0];
}

static void not_inherited_child(int fd, int up, int down)
{
	(void)down;
	CHECK_EQ(probe(fd, F_WRLCK, 0, 1).l_pid, getppid()); /* the parent's, not ours */
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 1), -1);
	CHECK_EQ(fd_lock_release(fd_file(fd)), 0); /* we hold none there: nothing happens */
	/* Our memory holds the parent's key as it was; the server made a new one at fork. */
	CHECK_EQ(release_as(fd, parent_index, fd_lock_key(0)), -ESTALE);
	CHECK_EQ(release_as(fd, parent_index, fd_lock_key(1)), -ESTALE); /* ours */
	CHECK_EQ(release_as(fd, parent_index, 0), -ESTALE);
	CHECK_EQ(release_as(fd, PROC_MAX, 1), -EINVAL);
	tell(up, 'k');
}

static void not_inherited(void)
{
	int fd = open_file(O_RDWR), to, from;
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 10), 0);
	uint64_t old_key = fd_lock_key(0);
	parent_index = fd_proc_index();
	pid_t pid = child(not_inherited_child, fd, &to, &from);
	CHECK_EQ(hear(from), 'k');
	CHECK_EQ(reap(pid), 0);
	/* The key the child saw (ours before the fork) is refused in our name too. */
	CHECK_EQ(release_as(fd, fd_proc_index(), old_key), -ESTALE);
	CHECK(fd_lock_key(1) != old_key);
	struct ipc_msg m = { .tag = ipc_tag(FS_CLOSE, 2, 0, 0), .w = { fd_proc_index(), old_key } };
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	CHECK_EQ(ipc_call((uint64_t)fd_file(fd)->cap, &m), 0);
	CHECK_EQ((int64_t)m.w[0], -ESTALE); /* a close in our name with the old key: refused */
	/* Still ours: a child still meets it. */
	pid = fork();
	if (pid == 0)
		_exit(lk(fd, F_SETLK, F_WRLCK, 5, 1) == -1 && errno == EAGAIN ? 0 : 1);
	CHECK_EQ(reap(pid), 0);
	CHECK_EQ(lk(fd, F_SETLK, F_UNLCK, 0, 0), 0);
	close(fd);
	close(to);
	close(from);
}

/* Can another process take a write lock on [0, 1) now? */
static int free_for_others(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(PATH, O_RDWR);
		_exit(lk(fd, F_SETLK, F_WRLCK, 0, 1) == 0 ? 0 : 1);
	}
	return reap(pid) == 0;
}

static void close_any(void)
{
	int fd = open_file(O_RDWR);
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 0), 0);
	CHECK(!free_for_others());
	int other = open_file(O_RDONLY); /* another description of the same file */
	close(other);
	CHECK(free_for_others()); /* closing it dropped the locks taken through fd */
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 0), 0);
	int d = dup(fd);
	CHECK(!free_for_others());
	close(d); /* a dup: the description stays open, the locks go */
	CHECK(free_for_others());
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 0), 0);
	close(fd);
	CHECK(free_for_others());
}

static void death_child(int fd, int up, int down)
{
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 0), 0);
	tell(up, 'l');
	hear(down); /* until killed */
}

static void death(void)
{
	int fd = open_file(O_RDWR), to, from;
	pid_t pid = child(death_child, fd, &to, &from);
	CHECK_EQ(hear(from), 'l');
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 100, 1), -1);
	CHECK_EQ(kill(pid, SIGKILL), 0);
	CHECK_EQ(reap(pid), 100 + SIGKILL);
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 100, 1), 0); /* its locks died with it */
	CHECK_EQ(lk(fd, F_SETLK, F_UNLCK, 0, 0), 0);
	close(fd);
	close(to);
	close(from);
}

/* A wait for a lock whose holder is killed ends without any other request to the file
 * server (the fork server wakes its sweeper). */
static void death_wakes(void)
{
	int fd = open_file(O_RDWR), to, from, up[2];
	pid_t holder = child(death_child, fd, &to, &from);
	CHECK_EQ(hear(from), 'l');
	CHECK_EQ(pipe(up), 0);
	pid_t waiter = fork();
	if (waiter == 0) {
		tell(up[1], 'w');
		_exit(lk(fd, F_SETLKW, F_WRLCK, 0, 1) == 0 ? 0 : 1);
	}
	CHECK_EQ(hear(up[0]), 'w');
	CHECK_EQ(kill(holder, SIGKILL), 0);
	CHECK_EQ(reap(holder), 100 + SIGKILL);
	CHECK_EQ(reap(waiter), 0); /* got the lock (then died, dropping it) */
	CHECK(free_for_others());
	close(fd);
	close(to);
	close(from);
	close(up[0]);
	close(up[1]);
}

/* ---- waiting ---- */

static void wait_child(int fd, int up, int down)
{
	(void)down;
	tell(up, 'w');
	CHECK_EQ(lk(fd, F_SETLKW, F_WRLCK, 0, 10), 0); /* until the parent unlocks */
	tell(up, 'g');
	hear(down);
}

static void waiting(void)
{
	int fd = open_file(O_RDWR), to, from;
	CHECK_EQ(lk(fd, F_SETLK, F_RDLCK, 5, 1), 0);
	pid_t pid = child(wait_child, fd, &to, &from);
	CHECK_EQ(hear(from), 'w');
	CHECK_EQ(lk(fd, F_SETLK, F_UNLCK, 5, 1), 0);
	CHECK_EQ(hear(from), 'g');
	struct flock fl = probe(fd, F_RDLCK, 0, 1);
	CHECK_EQ(fl.l_type, F_WRLCK);
	CHECK_EQ(fl.l_pid, pid);
	tell(to, 'x');
	CHECK_EQ(reap(pid), 0);
	close(fd);
	close(to);
	close(from);
}

static volatile int usr1;

static void on_usr1(int sig)
{
	(void)sig;
	usr1++;
}

static void eintr_child(int fd, int up, int down)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, 0);
	tell(up, 'w');
	errno = 0;
	int r = lk(fd, F_SETLKW, F_WRLCK, 0, 1);
	CHECK_EQ(r, -1);
	CHECK_EQ(errno, EINTR);
	CHECK(usr1 > 0);
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 10, 1), 0);
	tell(up, 'i');
	hear(down); /* holding [10, 11) until the parent is done */
}

static volatile int alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/*
 * A wait cut short by a signal: EINTR, and the server forgets it. Were it kept, the
 * child would still count as waiting for our [0, 1), and our wait for its [10, 11) would
 * close a cycle: EDEADLK. It is a plain wait, which our own alarm ends.
 */
static void interrupted(void)
{
	int fd = open_file(O_RDWR), to, from;
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 1), 0);
	pid_t pid = child(eintr_child, fd, &to, &from);
	CHECK_EQ(hear(from), 'w');
	int flags = fcntl(from, F_GETFL);
	fcntl(from, F_SETFL, flags | O_NONBLOCK);
	char c = 0;
	for (int i = 0; i < PATIENCE && read(from, &c, 1) != 1; i++) {
		kill(pid, SIGUSR1); /* until its wait is cut short */
		SYSCALL(sleep, STEP_MS * NS_PER_MS);
	}
	CHECK_EQ(c, 'i');
	if (c != 'i')
		kill(pid, SIGKILL);
	struct sigaction sa = { 0 };
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, 0);
	alarm(1);
	errno = 0;
	CHECK_EQ(lk(fd, F_SETLKW, F_WRLCK, 10, 1), -1);
	CHECK_EQ(errno, EINTR); /* not EDEADLK */
	CHECK(alarms > 0);
	alarm(0);
	tell(to, 'q');
	CHECK_EQ(reap(pid), 0);
	CHECK_EQ(lk(fd, F_SETLK, F_UNLCK, 0, 0), 0);
	CHECK(free_for_others()); /* the waits given up took nothing */
	close(fd);
	close(to);
	close(from);
}

static void deadlock_child(int fd, int up, int down)
{
	(void)down;
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 1, 1), 0); /* B */
	tell(up, 'b');
	int r = lk(fd, F_SETLKW, F_WRLCK, 0, 1); /* A, held by the parent */
	_exit(r == 0 ? 0 : errno == EDEADLK ? 2 : 3);
}

static void deadlock(void)
{
	int fd = open_file(O_RDWR), to, from;
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 1), 0); /* A */
	pid_t pid = child(deadlock_child, fd, &to, &from);
	CHECK_EQ(hear(from), 'b');
	/* Whichever of us asks second closes the cycle and gets EDEADLK; the other waits
	 * until that one gives up its lock. */
	int r = lk(fd, F_SETLKW, F_WRLCK, 1, 1);
	int mine = r == -1 && errno == EDEADLK;
	CHECK(r == 0 || mine);
	if (mine)
		CHECK_EQ(lk(fd, F_SETLK, F_UNLCK, 0, 1), 0); /* the child gets A */
	int st = reap(pid);
	CHECK_EQ(st, mine ? 0 : 2); /* exactly one of us saw EDEADLK */
	CHECK_EQ(lk(fd, F_SETLK, F_UNLCK, 0, 0), 0);
	close(fd);
	close(to);
	close(from);
}

/* ---- exec, lockf, limits, errors ---- */

/* The new image: its lock is still there (the parent looks); a close of a dup in it
 * drops the lock. */
static int after_exec(int fd, int up, int down)
{
	tell(up, 'e');
	if (hear(down) != 'p')
		return 1;
	int d = dup(fd);
	close(d);
	tell(up, 'c');
	return 0;
}

static void exec_keeps(const char *self)
{
	int fd = open_file(O_RDWR), up[2], down[2];
	CHECK_EQ(pipe(up), 0);
	CHECK_EQ(pipe(down), 0);
	pid_t pid = fork();
	if (pid == 0) {
		char a[12], b[12], c[12];
		snprintf(a, sizeof(a), "%d", fd);
		snprintf(b, sizeof(b), "%d", up[1]);
		snprintf(c, sizeof(c), "%d", down[0]);
		char *argv[] = { (char *)self, "after_exec", a, b, c, 0 };
		close(up[0]);
		close(down[1]);
		if (lk(fd, F_SETLK, F_WRLCK, 0, 0) != 0)
			_exit(4);
		execv(self, argv);
		_exit(5);
	}
	close(up[1]);
	close(down[0]);
	CHECK_EQ(hear(up[0]), 'e');
	CHECK_EQ(probe(fd, F_WRLCK, 0, 1).l_pid, pid); /* the lock lived through exec */
	CHECK(!free_for_others());
	tell(down[1], 'p');
	CHECK_EQ(hear(up[0]), 'c');
	CHECK(free_for_others());
	CHECK_EQ(reap(pid), 0);
	close(up[0]);
	close(down[1]);
	close(fd);
}

static void lockf_calls(void)
{
	int fd = open_file(O_RDWR);
	CHECK_EQ(lseek(fd, 10, SEEK_SET), 10);
	CHECK_EQ(lockf(fd, F_TLOCK, 5), 0); /* [10, 15) */
	pid_t pid = fork();
	if (pid == 0) {
		int ok = lseek(fd, 12, SEEK_SET) == 12;
		errno = 0;
		ok &= lockf(fd, F_TEST, 1) == -1 && errno == EACCES;
		ok &= lockf(fd, F_TLOCK, 1) == -1 && (errno == EAGAIN || errno == EACCES);
		ok &= lseek(fd, 15, SEEK_SET) == 15 && lockf(fd, F_TEST, 0) == 0;
		ok &= lockf(fd, F_TLOCK, -1) == 0; /* [14, 15): the parent's */
		_exit(ok ? 1 : 2);
	}
	CHECK_EQ(reap(pid), 2);
	CHECK_EQ(lseek(fd, 10, SEEK_SET), 10);
	CHECK_EQ(lockf(fd, F_ULOCK, 5), 0);
	CHECK_EQ(lockf(fd, F_LOCK, 0), 0);
	CHECK_EQ(lockf(fd, 9, 0), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(lockf(fd, F_ULOCK, 0), 0);
	close(fd);
	CHECK(free_for_others());
}

static void limit(void)
{
	int fd = open_file(O_RDWR), n = 0;
	errno = 0;
	while (n < 1000 && lk(fd, F_SETLK, F_WRLCK, 2 * n, 1) == 0)
		n++; /* every other byte: nothing merges */
	CHECK_EQ(errno, ENOLCK);
	CHECK(n > 100 && n <= 256);
	CHECK_EQ(lk(fd, F_SETLK, F_UNLCK, 0, 0), 0);
	CHECK_EQ(lk(fd, F_SETLK, F_WRLCK, 2 * n, 1), 0); /* room again */
	close(fd);
}

static void errors(void)
{
	int ro = open_file(O_RDONLY), wo = open_file(O_WRONLY), p[2];
	CHECK_FAILS(lk(ro, F_SETLK, F_WRLCK, 0, 1), EBADF);
	CHECK_FAILS(lk(wo, F_SETLKW, F_RDLCK, 0, 1), EBADF);
	CHECK_EQ(lk(ro, F_SETLK, F_RDLCK, 0, 1), 0);
	CHECK_EQ(lk(wo, F_SETLK, F_WRLCK, 0, 1), 0); /* ours: an upgrade */
	CHECK_EQ(lk(ro, F_SETLK, F_UNLCK, 0, 1), 0);
	CHECK_FAILS(lk(42, F_SETLK, F_RDLCK, 0, 1), EBADF);
	CHECK_FAILS(lk(ro, F_SETLK, 7, 0, 1), EINVAL);
	CHECK_FAILS(lk(ro, F_SETLK, F_RDLCK, -5, 1), EINVAL);
	errno = 0;
	CHECK_EQ(lk(ro, F_SETLK, F_RDLCK, 2, -5), -1); /* would start before 0 */
	CHECK_EQ(errno, EINVAL);
	struct flock fl = { .l_type = F_RDLCK, .l_whence = 9 };
	CHECK_FAILS(fcntl(ro, F_SETLK, &fl), EINVAL);
	fl = (struct flock){ .l_type = F_UNLCK };
	CHECK_FAILS(fcntl(ro, F_GETLK, &fl), EINVAL);
	CHECK_EQ(pipe(p), 0);
	CHECK_FAILS(lk(p[0], F_SETLK, F_RDLCK, 0, 1), EINVAL);
	close(p[0]);
	close(p[1]);
	close(ro);
	close(wo);
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "after_exec") == 0)
		return after_exec(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	int fd = open(PATH, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	close(fd);
	conflicts();
	split_merge();
	not_inherited();
	close_any();
	death();
	death_wakes();
	waiting();
	interrupted();
	deadlock();
	exec_keeps("/bin/test_file_locks"); /* a path: argv[0] is a bare name */
	lockf_calls();
	limit();
	errors();
	unlink(PATH);
	return test_status();
}
