/*
 * The console's line discipline (docs/userland.md, "The console"): typed bytes through
 * the console mode (kernel/abi/console.h) into a ring a reader takes lines or bytes
 * from, the echo, and the output mapping. Plain C with no lock, device or scheduler, so
 * the host tests run it under ASan and UBSan (test/host/test_ldisc.c); kernel/io/console.c
 * holds the lock around every call and wakes the readers.
 */
#ifndef KERNEL_LDISC_H
#define KERNEL_LDISC_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/abi/console.h"

#define LD_RING 256 /* ring entries, a power of two: indices wrap by masking */

/*
 * The ring holds three runs: [tail, line) may be read, [line, head) is the line being
 * typed in canonical mode (empty otherwise), the rest is free.
 */
struct ldisc {
	uint16_t rx[LD_RING];
	unsigned head, line, tail;
	struct console_mode mode;
	void (*emit)(char c); /* one byte to the device, as it is (the echo, output) */
};

/* The usual start of a terminal: lines with echo, CR in as NL, NL out as CR NL. */
void ldisc_init(struct ldisc *l, void (*emit)(char c));
/* Bytes a program writes (and the echo): NL as CR NL under OPOST and ONLCR. */
void ldisc_output(struct ldisc *l, const char *s, unsigned long n);
/* One typed byte. True if it was VINTR under ISIG and intr_bound: not input then, and
 * unless NOFLSH what was typed is dropped. */
bool ldisc_input(struct ldisc *l, int c, bool intr_bound);
/* Is there something a reader could take (a finished line, or raw bytes)? */
bool ldisc_readable(const struct ldisc *l);
/* One byte a reader may take, or -1. */
int ldisc_getc(struct ldisc *l);
/*
 * What a read of up to max (> 0) bytes takes now, into out: the count (0: VEOF at the
 * start of a line in canonical mode), or -1 when the reader must wait (no finished line;
 * fewer than min(VMIN, max) bytes with VTIME 0; no byte).
 */
long ldisc_read(struct ldisc *l, char *out, unsigned max);
/* 0, or E_INVAL for a flag bit the console does not know. */
int ldisc_check(const struct console_mode *m);
/* Apply checked settings (m may be NULL), dropping unread input first if flush is set. */
void ldisc_set(struct ldisc *l, const struct console_mode *m, bool flush);

#endif
