/*
 * termios on the console (docs/userland.md, "The console"): the defaults, a round trip
 * through tcsetattr and tcgetattr that another process sees (one state for the one
 * device), bits the console does not keep, VMIN 0 reads that return at once or after
 * VTIME with nothing typed, cfmakeraw and the speeds, tcflush, tcdrain, tcflow,
 * tcsendbreak, and the errors: EBADF, ENOTTY on a pipe and a file, EINVAL. The mode is
 * put back at the end. Typed input (canonical editing, echo, ^D) is checked over the UART
 * by test/qemu/test_shell.py.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "testlib.h"

#define CH_DEL 0x7f

static void defaults(const struct termios *t)
{
	CHECK(t->c_lflag & ICANON);
	CHECK(t->c_lflag & ECHO);
	CHECK(t->c_lflag & ISIG);
	CHECK(t->c_iflag & ICRNL);
	CHECK((t->c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR));
	CHECK_EQ(t->c_cflag & CSIZE, CS8);
	CHECK_EQ(t->c_cc[VERASE], CH_DEL);
	CHECK_EQ(t->c_cc[VEOF], 4);
	CHECK_EQ(t->c_cc[VINTR], 3);
	CHECK_EQ(cfgetospeed(t), B115200);
	CHECK_EQ(cfgetispeed(t), B115200);
}

/* Set in one process, seen in another: the mode is the console's, not ours. */
static void shared(struct termios t)
{
	t.c_lflag &= ~(tcflag_t)(ECHO | ICANON);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	t.c_iflag |= IXON; /* not kept: the console has no flow control */
	CHECK_EQ(tcsetattr(0, TCSANOW, &t), 0);
	struct termios back;
	CHECK_EQ(tcgetattr(0, &back), 0);
	CHECK_EQ(back.c_lflag & (ECHO | ICANON), 0);
	CHECK_EQ(back.c_iflag & IXON, 0);
	CHECK_EQ(back.c_cc[VMIN], 0);
	pid_t c = fork();
	if (c == 0) {
		struct termios k;
		if (tcgetattr(0, &k) != 0 || (k.c_lflag & ICANON))
			_exit(1);
		k.c_lflag |= ECHONL;
		_exit(tcsetattr(0, TCSADRAIN, &k) == 0 ? 0 : 2);
	}
	int st = -1;
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	CHECK_EQ(tcgetattr(0, &back), 0);
	CHECK(back.c_lflag & ECHONL); /* what the child set */
}

/* Non-canonical reads with nothing typed: VMIN 0 returns 0, at once or after VTIME. */
static void timed_reads(struct termios t)
{
	char b[8];
	cfmakeraw(&t);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	CHECK_EQ(tcsetattr(0, TCSAFLUSH, &t), 0);
	CHECK_EQ(read(0, b, sizeof(b)), 0);
	t.c_cc[VTIME] = 1; /* a tenth of a second */
	CHECK_EQ(tcsetattr(0, TCSANOW, &t), 0);
	CHECK_EQ(read(0, b, sizeof(b)), 0);
	struct termios back;
	CHECK_EQ(tcgetattr(0, &back), 0);
	CHECK_EQ(back.c_lflag & (ICANON | ECHO | ISIG), 0);
	CHECK_EQ(back.c_oflag & OPOST, 0);
	CHECK_EQ(back.c_iflag & ICRNL, 0);
	CHECK_EQ(back.c_cc[VTIME], 1);
}

static void calls(void)
{
	struct termios t;
	CHECK_EQ(tcgetattr(0, &t), 0);
	CHECK_EQ(cfsetospeed(&t, B9600), 0);
	CHECK_EQ(cfgetospeed(&t), B9600);
	CHECK_EQ(cfsetispeed(&t, B38400), 0);
	CHECK_EQ(cfgetispeed(&t), B38400);
	CHECK_EQ(cfsetospeed(&t, 12345), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(tcflush(0, TCIFLUSH), 0);
	CHECK_EQ(tcflush(0, TCOFLUSH), 0);
	CHECK_EQ(tcflush(0, TCIOFLUSH), 0);
	CHECK_EQ(tcflush(0, 7), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(tcdrain(1), 0);
	CHECK_EQ(tcflow(1, TCOOFF), 0);
	CHECK_EQ(tcflow(1, TCOON), 0);
	CHECK_EQ(tcflow(1, 9), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(tcsendbreak(1, 0), 0);
	CHECK_EQ(tcsetattr(0, 3, &t), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK(tcgetsid(0) > 0);
}

static void not_terminals(void)
{
	struct termios t;
	int p[2];
	CHECK_EQ(pipe(p), 0);
	CHECK_FAILS(tcgetattr(p[0], &t), ENOTTY);
	CHECK_EQ(tcsetattr(p[1], TCSANOW, &t), -1);
	CHECK_EQ(errno, ENOTTY);
	CHECK_EQ(tcdrain(p[1]), -1);
	CHECK_EQ(errno, ENOTTY);
	CHECK_EQ(tcflush(p[0], TCIFLUSH), -1);
	CHECK_EQ(errno, ENOTTY);
	CHECK_EQ(tcflow(p[1], TCOON), -1);
	CHECK_EQ(errno, ENOTTY);
	CHECK_EQ(tcsendbreak(p[1], 0), -1);
	CHECK_EQ(errno, ENOTTY);
	close(p[0]);
	close(p[1]);
	int fd = open("/tmp/termios_f", O_CREAT | O_RDWR | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(tcgetattr(fd, &t), -1);
	CHECK_EQ(errno, ENOTTY);
	close(fd);
	unlink("/tmp/termios_f");
	CHECK_EQ(tcgetattr(fd, &t), -1); /* closed now */
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(tcsetattr(-1, TCSANOW, &t), -1);
	CHECK_EQ(errno, EBADF);
	fd = open("/dev/tty", O_RDWR); /* another name of the console */
	CHECK(fd >= 0);
	CHECK_EQ(tcgetattr(fd, &t), 0);
	close(fd);
}

int main(void)
{
	struct termios saved;
	if (tcgetattr(0, &saved) != 0) {
		printf("  no console on fd 0 (errno %d)\n", errno);
		return 1;
	}
	defaults(&saved);
	shared(saved);
	timed_reads(saved);
	calls();
	not_terminals();
	CHECK_EQ(tcsetattr(0, TCSANOW, &saved), 0);
	struct termios back;
	CHECK_EQ(tcgetattr(0, &back), 0);
	CHECK(memcmp(back.c_cc, saved.c_cc, sizeof(back.c_cc)) == 0 &&
	      back.c_lflag == saved.c_lflag);
	return test_status();
}
