/*
 * The console's line discipline (kernel/lib/ldisc.c) on the host, under ASan and UBSan:
 * canonical lines with ERASE, KILL, EOF and EOL, the echo and its rub-outs, CR and NL
 * mapping, VINTR, VMIN, the ring when full, mode changes, the checks on a mode, and
 * random bytes and modes against the ring's invariants.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel/abi/error.h"
#include "kernel/lib/ldisc.h"
#include "test/host/check.h"

#define ECHO_MAX    65536
#define RANDOM_RUNS 200000

static char echoed[ECHO_MAX];
static unsigned echo_len;

static void emit(char c)
{
	if (echo_len < ECHO_MAX)
		echoed[echo_len++] = c;
}

static struct ldisc ld;

static void fresh(void)
{
	ldisc_init(&ld, emit);
	echo_len = 0;
}

static int typed(const char *s, bool bound)
{
	int intr = 0;
	for (; *s; s++)
		intr += ldisc_input(&ld, (unsigned char)*s, bound);
	return intr;
}

/* One read of up to max bytes, as a string ("" for 0, "WAIT" for -1). */
static const char *read_str(unsigned max)
{
	static char out[LD_RING + 1];
	long n = ldisc_read(&ld, out, max);
	if (n < 0)
		return "WAIT";
	out[n] = 0;
	return out;
}

static bool echo_is(const char *want)
{
	bool same = echo_len == strlen(want) && memcmp(echoed, want, echo_len) == 0;
	echo_len = 0;
	return same;
}

static void canonical(void)
{
	fresh();
	typed("ab", 0);
	CHECK(strcmp(read_str(64), "WAIT") == 0); /* no whole line yet */
	CHECK(!ldisc_readable(&ld));
	typed("c\r", 0);	   /* ICRNL */
	CHECK(echo_is("abc\r\n")); /* echoed as typed, NL as CR NL */
	CHECK(strcmp(read_str(64), "abc\n") == 0);
	typed("xy\x7fz\n", 0); /* ERASE */
	CHECK(echo_is("xy\b \bz\r\n"));
	CHECK(strcmp(read_str(64), "xz\n") == 0);
	typed("gone\x15kept\n", 0); /* KILL */
	CHECK(echo_is("gone\b \b\b \b\b \b\b \bkept\r\n"));
	CHECK(strcmp(read_str(64), "kept\n") == 0);
	typed("\x7f\x15\n", 0); /* erasing nothing */
	CHECK(strcmp(read_str(64), "\n") == 0);
	typed("one\ntwo\n", 0); /* a read takes one line */
	CHECK(strcmp(read_str(64), "one\n") == 0);
	CHECK(strcmp(read_str(2), "tw") == 0); /* a short read, the rest stays */
	CHECK(strcmp(read_str(64), "o\n") == 0);
	echo_len = 0;
	typed("ab\x04", 0); /* EOF ends a line without a byte */
	CHECK(echo_is("ab"));
	CHECK(strcmp(read_str(64), "ab") == 0);
	CHECK(strcmp(read_str(64), "WAIT") == 0); /* and is gone with it */
	typed("\x04", 0);			  /* alone: the end of input, once */
	CHECK(strcmp(read_str(64), "") == 0);
	CHECK(strcmp(read_str(64), "WAIT") == 0);
	typed("cd\x04", 0);
	CHECK(strcmp(read_str(2), "cd") == 0); /* read exactly: its EOF goes too */
	CHECK(strcmp(read_str(64), "WAIT") == 0);
	ld.mode.cc[CON_VEOL] = ';';
	typed("a;b\n", 0);
	CHECK(strcmp(read_str(64), "a;") == 0);
	CHECK(strcmp(read_str(64), "b\n") == 0);
	ld.mode.cc[CON_VEOF] = CON_CC_OFF; /* disabled: ^D is a byte */
	typed("\x04\n", 0);
	CHECK(strcmp(read_str(64), "\x04\n") == 0);
}

static void flags(void)
{
	fresh();
	ld.mode.lflag &= ~(uint32_t)CON_ECHO;
	typed("q\x7fw\n", 0);
	CHECK(echo_is("")); /* no echo, no rub-out */
	ld.mode.lflag |= CON_ECHONL;
	typed("e\n", 0);
	CHECK(echo_is("\r\n"));
	CHECK(strcmp(read_str(64), "w\n") == 0);
	CHECK(strcmp(read_str(64), "e\n") == 0);
	ld.mode.iflag = CON_IGNCR;
	typed("a\rb\n", 0);
	CHECK(strcmp(read_str(64), "ab\n") == 0);
	ld.mode.iflag = CON_INLCR;
	typed("c\n\r", 0); /* NL in becomes CR; CR is neither */
	CHECK(strcmp(read_str(64), "WAIT") == 0);
	ld.mode.iflag = CON_ISTRIP | CON_ICRNL;
	typed("\xe1\r", 0);
	CHECK(strcmp(read_str(64), "c\r\ra\n") == 0);
	ld.mode.oflag = CON_OPOST; /* no ONLCR */
	echo_len = 0;
	ldisc_output(&ld, "x\n", 2);
	CHECK(echo_is("x\n"));
	ld.mode.oflag = CON_ONLCR; /* ONLCR needs OPOST */
	ldisc_output(&ld, "\n", 1);
	CHECK(echo_is("\n"));
}

static void interrupt(void)
{
	fresh();
	typed("ls\nhalf", 0);
	CHECK_EQ(typed("\x03", 0), 0); /* nobody bound: a byte like the others */
	CHECK_EQ(typed("\x03", 1), 1);
	CHECK(strcmp(read_str(64), "WAIT") == 0); /* the line and what was unread: dropped */
	typed("x", 0);
	ld.mode.lflag |= CON_NOFLSH;
	CHECK_EQ(typed("\x03", 1), 1);
	typed("\n", 0);
	CHECK(strcmp(read_str(64), "x\n") == 0);
	ld.mode.lflag &= ~(uint32_t)CON_ISIG;
	CHECK_EQ(typed("\x03\n", 1), 0);
	CHECK(strcmp(read_str(64), "\x03\n") == 0);
}

static void raw(void)
{
	struct console_mode m;
	fresh();
	typed("par", 0);
	m = ld.mode;
	m.lflag &= ~(uint32_t)CON_ICANON;
	CHECK_EQ(ldisc_check(&m), 0);
	ldisc_set(&ld, &m, false); /* the half line is readable now */
	CHECK(strcmp(read_str(64), "par") == 0);
	CHECK(strcmp(read_str(64), "WAIT") == 0);
	typed("\x7f", 0); /* no editing */
	CHECK(strcmp(read_str(64), "\x7f") == 0);
	m.cc[CON_VMIN] = 4;
	ldisc_set(&ld, &m, false);
	typed("abc", 0);
	CHECK(strcmp(read_str(64), "WAIT") == 0);
	CHECK(strcmp(read_str(2), "ab") == 0); /* min(VMIN, asked) */
	typed("def", 0);
	CHECK(strcmp(read_str(64), "cdef") == 0);
	m.cc[CON_VTIME] = 5; /* VTIME: the library times it; the kernel gives what is there */
	ldisc_set(&ld, &m, false);
	typed("g", 0);
	CHECK(strcmp(read_str(64), "g") == 0);
	typed("hij", 0);
	ldisc_set(&ld, 0, true); /* flush */
	CHECK(strcmp(read_str(64), "WAIT") == 0);
	m.lflag |= CON_ICANON;
	ldisc_set(&ld, &m, false);
	typed("k\x04", 0);
	m.lflag &= ~(uint32_t)CON_ICANON;
	ldisc_set(&ld, &m, false);
	CHECK(strcmp(read_str(64), "k\x04") == 0); /* an EOF typed before is its byte */
	ldisc_set(&ld, &m, true);
	CHECK_EQ(ldisc_getc(&ld), -1);
	typed("z", 0);
	CHECK_EQ(ldisc_getc(&ld), 'z');
}

static void full(void)
{
	fresh();
	for (unsigned i = 0; i < LD_RING + 10; i++)
		ldisc_input(&ld, 'a', false);
	CHECK(ldisc_readable(&ld)); /* a full ring counts as a line: no reader waits forever */
	unsigned total = 0;
	for (long n; (n = ldisc_read(&ld, (char[64]){ 0 }, 64)) > 0;)
		total += (unsigned)n;
	CHECK_EQ(total, LD_RING);
	typed("b\n", 0);
	CHECK(strcmp(read_str(64), "b\n") == 0);
}

static void checks(void)
{
	struct console_mode m;
	fresh();
	m = ld.mode;
	CHECK_EQ(ldisc_check(&m), 0);
	m.iflag |= 02000; /* IXON: not the console's */
	CHECK_EQ(ldisc_check(&m), E_INVAL);
	m = ld.mode;
	m.oflag |= 010;
	CHECK_EQ(ldisc_check(&m), E_INVAL);
	m = ld.mode;
	m.cflag |= 010000;
	CHECK_EQ(ldisc_check(&m), E_INVAL);
	m = ld.mode;
	m.lflag |= 0100000; /* IEXTEN */
	CHECK_EQ(ldisc_check(&m), E_INVAL);
}

/* Random bytes and modes: the ring's runs stay in order and in bounds, reads in size. */
static void random_runs(void)
{
	srand(7);
	fresh();
	for (unsigned i = 0; i < RANDOM_RUNS; i++) {
		int r = rand() % 100;
		if (r < 60) {
			ldisc_input(&ld, rand() % 256, rand() % 2);
		} else if (r < 90) {
			char out[64];
			unsigned max = 1 + (unsigned)rand() % 64;
			long n = ldisc_read(&ld, out, max);
			CHECK(n >= -1 && n <= (long)max);
		} else if (r < 99) {
			struct console_mode m = ld.mode;
			m.lflag = (uint32_t)rand() & CON_LFLAGS;
			m.iflag = (uint32_t)rand() & CON_IFLAGS;
			m.oflag = (uint32_t)rand() & CON_OFLAGS;
			m.cc[rand() % CON_NCCS] = (uint8_t)rand();
			ldisc_set(&ld, &m, rand() % 8 == 0);
		} else {
			ldisc_getc(&ld);
		}
		if (ld.line - ld.tail > ld.head - ld.tail || ld.head - ld.tail > LD_RING) {
			CHECK(0);
			break;
		}
		echo_len = 0;
	}
	CHECK(1);
}

int main(void)
{
	canonical();
	flags();
	interrupt();
	raw();
	full();
	checks();
	random_runs();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
