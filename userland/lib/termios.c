/*
 * termios for the console: the settings live in the kernel's console (console_mode_get,
 * console_mode_set; kernel/abi/console.h), one state for the one device, so every
 * process that shares it sees the same. The kernel does the line discipline as bytes
 * are typed (canonical lines, echo, ERASE, KILL, EOF, CR and NL, VINTR) and VMIN; this
 * file turns struct termios into that and back, checks descriptors (EBADF, ENOTTY),
 * and times VTIME reads. docs/userland.md, "The console".
 */
#include <errno.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "fd.h"
#include "pthread_impl.h"
#include "syscall.h"

#define CONSOLE_SPEED B115200	  /* what tcgetattr reports: the firmware sets the UART */
#define VTIME_NS      100000000LL /* VTIME counts tenths of a second */
#define NAP_NS	      1000000L	  /* how often a timed read looks again */
#define NS_PER_S      1000000000LL

/* 0 if fd is the console; else -1 with errno EBADF (not open) or ENOTTY. */
static int console_fd(int fd)
{
	struct fd_entry *e = fd_get(fd);
	if (!e)
		return -1;
	if (e->kind != FD_CONSOLE) {
		errno = ENOTTY;
		return -1;
	}
	return 0;
}

/* A console call's kernel error as errno: no console capability is "not a terminal". */
static int fail(long err)
{
	errno = err == E_BADCAP || err == E_TYPE ? ENOTTY : err == E_FAULT ? EFAULT : EINVAL;
	return -1;
}

int tcgetattr(int fd, struct termios *t)
{
	struct console_mode m;
	if (console_fd(fd) < 0)
		return -1;
	long err = SYSCALL(console_mode_get, SLOT_CONSOLE, &m);
	if (err)
		return fail(err);
	memset(t, 0, sizeof(*t));
	t->c_iflag = m.iflag;
	t->c_oflag = m.oflag;
	t->c_cflag = m.cflag;
	t->c_lflag = m.lflag;
	memcpy(t->c_cc, m.cc, sizeof(m.cc));
	t->c_ispeed = t->c_ospeed = CONSOLE_SPEED;
	return 0;
}

/*
 * The kernel keeps the bits it knows; others are dropped (POSIX: tcsetattr succeeds if
 * it could make any of the changes), and so are speeds.
 */
int tcsetattr(int fd, int optional_actions, const struct termios *t)
{
	if (console_fd(fd) < 0)
		return -1;
	if (optional_actions != TCSANOW && optional_actions != TCSADRAIN &&
	    optional_actions != TCSAFLUSH) {
		errno = EINVAL;
		return -1;
	}
	struct console_mode m = {
		.iflag = t->c_iflag & CON_IFLAGS,
		.oflag = t->c_oflag & CON_OFLAGS,
		.cflag = t->c_cflag & CON_CFLAGS,
		.lflag = t->c_lflag & CON_LFLAGS,
	};
	memcpy(m.cc, t->c_cc, sizeof(m.cc));
	long err = SYSCALL(console_mode_set, SLOT_CONSOLE, &m,
			   optional_actions == TCSAFLUSH ? CON_SET_FLUSH : CON_SET_NOW);
	return err ? fail(err) : 0;
}

/* Output goes out as it is written (the kernel waits for the UART): nothing to drain. */
int tcdrain(int fd)
{
	cancel_point(); /* POSIX names it a cancellation point; it never waits here */
	return console_fd(fd);
}

/* Nothing is ever queued for output; unread input can be dropped. */
int tcflush(int fd, int queue_selector)
{
	if (console_fd(fd) < 0)
		return -1;
	if (queue_selector == TCOFLUSH)
		return 0;
	if (queue_selector != TCIFLUSH && queue_selector != TCIOFLUSH) {
		errno = EINVAL;
		return -1;
	}
	long err = SYSCALL(console_mode_set, SLOT_CONSOLE, 0, CON_SET_FLUSH_ONLY);
	return err ? fail(err) : 0;
}

/*
 * TCIOFF and TCION send the STOP and START characters to the other end; TCOOFF and TCOON
 * are taken but do not hold output back (it is written synchronously).
 */
int tcflow(int fd, int action)
{
	struct termios t;
	if (tcgetattr(fd, &t) < 0)
		return -1;
	if (action < TCOOFF || action > TCION) {
		errno = EINVAL;
		return -1;
	}
	cc_t c = t.c_cc[action == TCIOFF ? VSTOP : VSTART];
	if ((action == TCIOFF || action == TCION) && c != _POSIX_VDISABLE)
		SYSCALL(debug_write, &c, 1);
	return 0;
}

/* The UART drivers send no break: the call is checked and does nothing. */
int tcsendbreak(int fd, int duration)
{
	(void)duration;
	return console_fd(fd);
}

/* The console's session: the one its foreground group belongs to. */
pid_t tcgetsid(int fd)
{
	pid_t pg = tcgetpgrp(fd);
	return pg < 0 ? -1 : getsid(pg);
}

static int speed_ok(speed_t s)
{
	return s <= B38400 || (s >= B57600 && s <= B230400);
}

speed_t cfgetispeed(const struct termios *t)
{
	return t->c_ispeed;
}

speed_t cfgetospeed(const struct termios *t)
{
	return t->c_ospeed;
}

int cfsetispeed(struct termios *t, speed_t speed)
{
	if (!speed_ok(speed)) {
		errno = EINVAL;
		return -1;
	}
	t->c_ispeed = speed;
	return 0;
}

int cfsetospeed(struct termios *t, speed_t speed)
{
	if (!speed_ok(speed)) {
		errno = EINVAL;
		return -1;
	}
	t->c_ospeed = speed;
	return 0;
}

/* Bytes as they come, one at a time, nothing done to them in or out. */
void cfmakeraw(struct termios *t)
{
	t->c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t->c_oflag &= ~(tcflag_t)OPOST;
	t->c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t->c_cflag = (t->c_cflag & ~(tcflag_t)(CSIZE | PARENB)) | CS8;
	t->c_cc[VMIN] = 1;
	t->c_cc[VTIME] = 0;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* What console_read gives now without waiting: a count, 0 for nothing yet, or -1. */
static ssize_t take(char *buf, size_t n)
{
	long got = SYSCALL_NB(console_read, SLOT_CONSOLE, buf, n);
	if (got == E_AGAIN)
		return 0;
	if (got < 0) {
		errno = got == E_FAULT ? EFAULT : EIO;
		return -1;
	}
	return got;
}

/*
 * A non-canonical read with VTIME: VMIN 0, up to VTIME for the first byte; VMIN > 0,
 * the first byte waits (blocking), then VTIME between bytes until VMIN are in. The
 * kernel never times a console read, so this looks again every millisecond; a handler
 * that runs meanwhile ends the read (EINTR, or what came so far).
 */
ssize_t console_timed_read(char *buf, size_t n, unsigned vmin, unsigned vtime)
{
	size_t got = 0, want = vmin < n ? vmin : n;
	if (vmin > 0) {
		long r = SYSCALL(console_read, SLOT_CONSOLE, buf, 1);
		if (r <= 0) {
			errno = r == E_INTR ? EINTR : r == E_FAULT ? EFAULT : EIO;
			return r == 0 ? 0 : -1;
		}
		got = 1;
	}
	int64_t deadline = now_ns() + (int64_t)vtime * VTIME_NS;
	while (got < n && (vmin == 0 ? got == 0 : got < want)) {
		ssize_t r = take(buf + got, n - got);
		if (r < 0)
			return got ? (ssize_t)got : -1;
		if (r > 0) {
			got += (size_t)r;
			deadline = now_ns() + (int64_t)vtime * VTIME_NS; /* an inter-byte timer */
			continue;
		}
		if (now_ns() >= deadline)
			break;
		struct timespec nap = { 0, NAP_NS };
		if (nanosleep(&nap, 0) < 0 && errno == EINTR)
			return got ? (ssize_t)got : -1;
	}
	return (ssize_t)got;
}
