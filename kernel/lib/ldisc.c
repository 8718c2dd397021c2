/* The console's line discipline: see ldisc.h. */
#include "kernel/lib/ldisc.h"

#include "kernel/abi/error.h"

#define LD_EOF		 0x100 /* or-ed into a ring entry: VEOF typed in canonical mode, not data */
#define CH_CR		 '\r'
#define CH_NL		 '\n'
#define CH_BS		 '\b'
#define CH_SP		 ' '
#define CH_ETX		 0x03 /* ^C */
#define CH_FS		 0x1c /* ^\ */
#define CH_NAK		 0x15 /* ^U */
#define CH_EOT		 0x04 /* ^D */
#define CH_DC1		 0x11 /* ^Q */
#define CH_DC3		 0x13 /* ^S */
#define CH_SUB		 0x1a /* ^Z */
#define CH_DEL		 0x7f
#define ASCII_MASK	 0x7f
#define BYTE_MASK	 0xff
#define CS8_CREAD_CLOCAL (0000060 | 0000200 | 0004000)

void ldisc_init(struct ldisc *l, void (*emit)(char c))
{
	*l = (struct ldisc){
		.emit = emit,
		.mode = {
			.iflag = CON_ICRNL,
			.oflag = CON_OPOST | CON_ONLCR,
			.cflag = CS8_CREAD_CLOCAL,
			.lflag = CON_ISIG | CON_ICANON | CON_ECHO | CON_ECHOE | CON_ECHOK,
			.cc = { [CON_VINTR] = CH_ETX, [CON_VQUIT] = CH_FS, [CON_VERASE] = CH_DEL,
				[CON_VKILL] = CH_NAK, [CON_VEOF] = CH_EOT, [CON_VMIN] = 1,
				[CON_VSTART] = CH_DC1, [CON_VSTOP] = CH_DC3, [CON_VSUSP] = CH_SUB },
		},
	};
}

static void out_byte(struct ldisc *l, char c)
{
	const uint32_t crnl = CON_OPOST | CON_ONLCR;
	if (c == CH_NL && (l->mode.oflag & crnl) == crnl)
		l->emit(CH_CR);
	l->emit(c);
}

void ldisc_output(struct ldisc *l, const char *s, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		out_byte(l, s[i]);
}

static unsigned used(const struct ldisc *l)
{
	return l->head - l->tail;
}

static uint16_t at(const struct ldisc *l, unsigned i)
{
	return l->rx[i & (LD_RING - 1)];
}

/* Put one entry at the head: false when the ring is full (the entry is dropped). */
static bool put(struct ldisc *l, uint16_t v)
{
	if (used(l) >= LD_RING)
		return false;
	l->rx[l->head++ & (LD_RING - 1)] = v;
	return true;
}

static bool lflag(const struct ldisc *l, uint32_t bit)
{
	return (l->mode.lflag & bit) != 0;
}

/* Is c the special character at index i (and that one not disabled)? */
static bool is_cc(const struct ldisc *l, int c, unsigned i)
{
	return l->mode.cc[i] != CON_CC_OFF && c == l->mode.cc[i];
}

/* A typed byte after the input flags: -1 when IGNCR drops it. */
static int in_map(const struct ldisc *l, int c)
{
	uint32_t f = l->mode.iflag;
	c &= (f & CON_ISTRIP) ? ASCII_MASK : BYTE_MASK;
	if (c == CH_CR)
		return (f & CON_IGNCR) ? -1 : (f & CON_ICRNL) ? CH_NL : c;
	if (c == CH_NL && (f & CON_INLCR))
		return CH_CR;
	return c;
}

/* ECHOE's and ECHOK's way to take n characters off the screen. */
static void rub_out(struct ldisc *l, unsigned n)
{
	static const char rubout[] = { CH_BS, CH_SP, CH_BS };
	for (unsigned i = 0; i < n; i++)
		ldisc_output(l, rubout, sizeof(rubout));
}

/* Canonical editing: ERASE and KILL take back what the line holds. True if c was one. */
static bool canon_edit(struct ldisc *l, int c)
{
	bool kill = is_cc(l, c, CON_VKILL);
	if (!kill && !is_cc(l, c, CON_VERASE))
		return false;
	unsigned gone = l->head - l->line;
	if (!kill && gone > 1)
		gone = 1;
	l->head -= gone;
	if (lflag(l, CON_ECHO) && lflag(l, kill ? CON_ECHOK : CON_ECHOE))
		rub_out(l, gone);
	return true;
}

bool ldisc_input(struct ldisc *l, int c, bool intr_bound)
{
	if ((c = in_map(l, c)) < 0)
		return false;
	if (lflag(l, CON_ISIG) && intr_bound && is_cc(l, c, CON_VINTR)) {
		if (!lflag(l, CON_NOFLSH))
			l->tail = l->line = l->head;
		return true;
	}
	bool canon = lflag(l, CON_ICANON);
	if (canon && canon_edit(l, c))
		return false;
	bool eof = canon && is_cc(l, c, CON_VEOF);
	bool ends = eof || c == CH_NL || (canon && is_cc(l, c, CON_VEOL));
	bool kept = put(l, (uint16_t)(eof ? LD_EOF | c : c));
	if (kept && !eof && (lflag(l, CON_ECHO) || (c == CH_NL && lflag(l, CON_ECHONL))))
		out_byte(l, (char)c);
	/* a line ends, raw input is there at once, and a full ring can be read (no hang) */
	if (!canon || ends || used(l) >= LD_RING)
		l->line = l->head;
	return false;
}

bool ldisc_readable(const struct ldisc *l)
{
	return l->line != l->tail;
}

int ldisc_getc(struct ldisc *l)
{
	if (l->tail == l->line)
		return -1;
	return at(l, l->tail++) & BYTE_MASK;
}

/* Canonical: up to one line (its NL or EOL included); a VEOF entry ends it and is taken
 * with it, or, first, alone: 0 bytes, the end of input. */
static long read_line(struct ldisc *l, char *out, unsigned max)
{
	unsigned n = 0;
	while (n < max && l->tail != l->line) {
		uint16_t v = at(l, l->tail++);
		if (v & LD_EOF)
			return n;
		out[n++] = (char)v;
		if (v == CH_NL || is_cc(l, v, CON_VEOL))
			return n;
	}
	if (l->tail != l->line && (at(l, l->tail) & LD_EOF))
		l->tail++; /* the line filled the read exactly: its VEOF goes with it */
	return n;
}

long ldisc_read(struct ldisc *l, char *out, unsigned max)
{
	unsigned ready = l->line - l->tail;
	if (lflag(l, CON_ICANON))
		return ready ? read_line(l, out, max) : -1;
	/* VMIN without VTIME: wait for that many (the C library times VTIME reads) */
	unsigned vmin = l->mode.cc[CON_VMIN];
	unsigned want = l->mode.cc[CON_VTIME] == 0 && vmin > 1 ? vmin : 1;
	if (ready < (want < max ? want : max))
		return -1;
	unsigned n = 0;
	for (; n < max && l->tail != l->line; n++)
		out[n] = (char)(at(l, l->tail++) & BYTE_MASK); /* a VEOF from before is its byte */
	return n;
}

int ldisc_check(const struct console_mode *m)
{
	if ((m->iflag & ~CON_IFLAGS) || (m->oflag & ~CON_OFLAGS) || (m->cflag & ~CON_CFLAGS) ||
	    (m->lflag & ~CON_LFLAGS))
		return E_INVAL;
	return 0;
}

void ldisc_set(struct ldisc *l, const struct console_mode *m, bool flush)
{
	if (flush)
		l->tail = l->line = l->head;
	if (m) {
		l->mode = *m;
		if (!lflag(l, CON_ICANON))
			l->line = l->head; /* the half-typed line is readable now */
	}
}
