/*
 * poll, ppoll, select and pselect (docs/userland.md). Readiness, descriptor by
 * descriptor: a pipe end asks the kernel (pipe_state: bytes there, room for PIPE_BUF,
 * the other side gone); the console reads one byte ahead without waiting, kept for the
 * next read; a regular file or directory is always ready, as POSIX says. When nothing is
 * ready the caller sleeps a millisecond and looks again, until its timeout: the kernel
 * has no wait on several objects at once, so a pipe or the console becomes ready to a
 * poller within about a millisecond. The sleep is a futex wait on this thread's count
 * of signal handlers run, so a handler that runs at any moment of the call ends it
 * with EINTR (POSIX: never restarted, whatever SA_RESTART says).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "fd.h"
#include "futex.h"
#include "kernel/abi/pipe.h"
#include "pthread_impl.h"
#include "syscall.h"

#define POLL_NAP_NS 1000000L /* how long a poller sleeps between looks */
#define NS_PER_MS   1000000L
#define NS_PER_S    1000000000L
#define SEC_FOREVER ((time_t)1 << 33) /* 272 years: a timeout this long waits for ever */

#define READ_EVENTS  (POLLIN | POLLRDNORM | POLLRDBAND | POLLPRI)
#define WRITE_EVENTS (POLLOUT | POLLWRNORM | POLLWRBAND)

/* The events a pipe end would report now (POLLHUP for a read end whose writers went). */
static short pipe_events(const struct fd_entry *e)
{
	long s = SYSCALL(pipe_state, pipe_slot(e->pipe));
	if (s < 0)
		return POLLNVAL;
	if (e->kind == FD_PIPE_READ)
		return (short)(((s & PIPE_STATE_READY) ? POLLIN | POLLRDNORM : 0) |
			       ((s & PIPE_STATE_PEER_GONE) ? POLLHUP : 0));
	if (s & PIPE_STATE_PEER_GONE)
		return POLLERR; /* a write would fail with EPIPE */
	return (s & PIPE_STATE_READY) ? POLLOUT | POLLWRNORM : 0;
}

/* What one descriptor reports for the events asked (POSIX: ERR, HUP, NVAL always). */
static short revents_of(int fd, short events)
{
	struct fd_entry *e = fd_get(fd);
	short ready;
	if (!e)
		return POLLNVAL;
	if (e->kind == FD_CONSOLE)
		ready = (short)((console_fd_ready() ? POLLIN | POLLRDNORM : 0) | POLLOUT |
				POLLWRNORM);
	else if (e->kind == FD_FILE)
		ready = POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
	else
		ready = pipe_events(e);
	return (short)(ready & (events | POLLERR | POLLHUP | POLLNVAL));
}

static int scan(struct pollfd *fds, nfds_t n)
{
	int count = 0;
	for (nfds_t i = 0; i < n; i++) {
		fds[i].revents = fds[i].fd < 0 ? 0 : revents_of(fds[i].fd, fds[i].events);
		count += fds[i].revents != 0;
	}
	return count;
}

/* The monotonic clock in nanoseconds. */
static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* Sleep up to ns, or until a handler runs on this thread: 1 if one did (since seen). */
static int nap(int64_t ns, uint32_t seen)
{
	volatile uint32_t *handled = signals_handled_word();
	int64_t until = now_ns() + ns;
	struct timespec at = { until / NS_PER_S, until % NS_PER_S };
	uint64_t ticks;
	if (*handled == seen && clock_deadline(CLOCK_MONOTONIC, &at, &ticks) == 0)
		futex_wait(handled, seen, ticks);
	return *handled != seen;
}

/*
 * Look, then nap and look again until something is ready or wait_ns (-1: forever) ends;
 * EINTR once a handler ran on this thread since its count was seen (ppoll and pselect
 * read it before they change the mask: a signal their mask unblocks, delivered as the
 * mask changes, is then not lost).
 */
static int poll_seen(struct pollfd *fds, nfds_t n, int64_t wait_ns, uint32_t seen)
{
	if (n > (nfds_t)sysconf(_SC_OPEN_MAX) && n > FD_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (*signals_handled_word() != seen) {
		errno = EINTR;
		return -1;
	}
	int64_t end = wait_ns < 0 ? 0 : now_ns() + wait_ns;
	for (int first = 1;; first = 0) {
		cancel_point(); /* poll, select and their p-forms are cancellation points */
		int count = scan(fds, n);
		if (count || wait_ns == 0)
			return count;
		int64_t left = wait_ns < 0 ? POLL_NAP_NS : end - now_ns();
		if (left <= 0)
			return 0;
		if (first) /* the other side may be about to run: let it, once */
			sched_yield();
		else if (nap(left < POLL_NAP_NS ? left : POLL_NAP_NS, seen)) {
			errno = EINTR;
			return -1;
		}
	}
}

static int poll_ns(struct pollfd *fds, nfds_t n, int64_t wait_ns)
{
	return poll_seen(fds, n, wait_ns, *signals_handled_word());
}

int poll(struct pollfd fds[], nfds_t n, int timeout)
{
	return poll_ns(fds, n, timeout < 0 ? -1 : (int64_t)timeout * NS_PER_MS);
}

/* A timeout as nanoseconds to wait (null, or one too long to count: -1, for ever): 0,
 * or -1 with EINVAL. */
static int timeout_ns(const struct timespec *t, int64_t *ns)
{
	if (t && (t->tv_sec < 0 || t->tv_nsec < 0 || t->tv_nsec >= NS_PER_S)) {
		errno = EINVAL;
		return -1;
	}
	*ns = !t || t->tv_sec >= SEC_FOREVER ? -1 : t->tv_sec * NS_PER_S + t->tv_nsec;
	return 0;
}

/*
 * The signal mask is swapped around the wait; a signal it unblocks that is delivered as
 * it changes (pending already, or arriving after) ends the wait with EINTR, as if the
 * two were one step (POSIX).
 */
int ppoll(struct pollfd fds[], nfds_t n, const struct timespec *timeout, const sigset_t *mask)
{
	sigset_t old;
	int64_t ns;
	uint32_t seen = *signals_handled_word();
	if (timeout_ns(timeout, &ns) < 0)
		return -1;
	if (mask)
		pthread_sigmask(SIG_SETMASK, mask, &old);
	int r = poll_seen(fds, n, ns, seen);
	int err = errno;
	if (mask)
		pthread_sigmask(SIG_SETMASK, &old, 0);
	errno = err;
	return r;
}

/* select over poll: the three sets in, the ready ones out; EBADF for a closed fd. */
static int select_ns(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, int64_t wait_ns, uint32_t seen)
{
	struct pollfd fds[FD_SETSIZE];
	nfds_t n = 0;
	if (nfds < 0 || nfds > FD_SETSIZE) {
		errno = EINVAL;
		return -1;
	}
	for (int fd = 0; fd < nfds; fd++) {
		short ev = (short)((rd && FD_ISSET(fd, rd) ? POLLIN : 0) |
				   (wr && FD_ISSET(fd, wr) ? POLLOUT : 0) |
				   (ex && FD_ISSET(fd, ex) ? POLLPRI : 0));
		if (!ev)
			continue;
		if (!fd_get(fd))
			return -1; /* EBADF */
		fds[n++] = (struct pollfd){ fd, ev, 0 };
	}
	int r = poll_seen(fds, n, wait_ns, seen);
	if (r < 0)
		return -1;
	int count = 0;
	for (nfds_t i = 0; i < n; i++) {
		int fd = fds[i].fd;
		short got = fds[i].revents;
		int readable = (fds[i].events & POLLIN) && (got & (POLLIN | POLLHUP | POLLERR));
		int writable = (fds[i].events & POLLOUT) && (got & (POLLOUT | POLLERR));
		int except = (fds[i].events & POLLPRI) && (got & POLLPRI);
		if (rd && !readable)
			FD_CLR(fd, rd);
		if (wr && !writable)
			FD_CLR(fd, wr);
		if (ex && !except)
			FD_CLR(fd, ex);
		count += readable + writable + except;
	}
	return count;
}

int select(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *timeout)
{
	if (timeout &&
	    (timeout->tv_sec < 0 || timeout->tv_usec < 0 || timeout->tv_usec >= 1000000)) {
		errno = EINVAL;
		return -1;
	}
	/* Counted in nanoseconds, which wrap past 292 years: longer is for ever. */
	int64_t ns = !timeout || timeout->tv_sec >= SEC_FOREVER
			     ? -1
			     : timeout->tv_sec * NS_PER_S + timeout->tv_usec * 1000L;
	return select_ns(nfds, rd, wr, ex, ns, *signals_handled_word());
}

int pselect(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, const struct timespec *timeout,
	    const sigset_t *mask)
{
	sigset_t old;
	int64_t ns;
	uint32_t seen = *signals_handled_word(); /* before the mask changes: as ppoll */
	if (timeout_ns(timeout, &ns) < 0)
		return -1;
	if (mask)
		pthread_sigmask(SIG_SETMASK, mask, &old);
	int r = select_ns(nfds, rd, wr, ex, ns, seen);
	int err = errno;
	if (mask)
		pthread_sigmask(SIG_SETMASK, &old, 0);
	errno = err;
	return r;
}
