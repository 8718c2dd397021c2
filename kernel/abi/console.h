/*
 * The console's line discipline settings (kernel/io/console.c; docs/syscalls.md
 * console_mode_get, console_mode_set): what the kernel does with typed bytes before a
 * reader gets them, and with the bytes user programs write. One state for the one
 * device, so every holder of the console sees what the last setter chose. The bit and
 * index values are POSIX <termios.h>'s (the C library's termios.h names them so).
 */
#ifndef ABI_CONSOLE_H
#define ABI_CONSOLE_H

#include <stdint.h>

/* c_iflag bits the kernel acts on */
#define CON_ISTRIP 0000040 /* strip the eighth bit */
#define CON_INLCR  0000100 /* NL in becomes CR */
#define CON_IGNCR  0000200 /* CR in is dropped */
#define CON_ICRNL  0000400 /* CR in becomes NL (unless IGNCR) */
#define CON_IFLAGS (CON_ISTRIP | CON_INLCR | CON_IGNCR | CON_ICRNL)

/* c_oflag bits: what a user program's output goes through (debug_write) */
#define CON_OPOST  0000001 /* process output at all */
#define CON_ONLCR  0000004 /* NL out becomes CR NL */
#define CON_OFLAGS (CON_OPOST | CON_ONLCR)

/* c_cflag: kept as given within these bits (CSIZE, CSTOPB, CREAD, PARENB, PARODD,
 * HUPCL, CLOCAL), never acted on: the firmware set the UART up */
#define CON_CFLAGS 0007760

/* c_lflag bits */
#define CON_ISIG   0000001 /* the VINTR byte sets the console_intr binding's bits */
#define CON_ICANON 0000002 /* lines: ERASE, KILL, EOF; a read gets a whole line */
#define CON_ECHO   0000010 /* typed bytes are written back */
#define CON_ECHOE  0000020 /* ERASE rubs the character out on the screen */
#define CON_ECHOK  0000040 /* KILL rubs the line out on the screen */
#define CON_ECHONL 0000100 /* NL is echoed even without ECHO */
#define CON_NOFLSH 0000200 /* VINTR keeps what was typed */
#define CON_LFLAGS \
	(CON_ISIG | CON_ICANON | CON_ECHO | CON_ECHOE | CON_ECHOK | CON_ECHONL | CON_NOFLSH)

/* c_cc indices: the kernel acts on VINTR, VERASE, VKILL, VEOF, VMIN, VEOL; it keeps the
 * others as given (VQUIT, VSTART, VSTOP, VSUSP: a start value only) */
#define CON_VINTR  0
#define CON_VQUIT  1
#define CON_VERASE 2
#define CON_VKILL  3
#define CON_VEOF   4
#define CON_VTIME  5 /* kept for the C library, which times reads (termios.c) */
#define CON_VMIN   6
#define CON_VSTART 8
#define CON_VSTOP  9
#define CON_VSUSP  10
#define CON_VEOL   11
#define CON_NCCS   32
#define CON_CC_OFF 0 /* a special character set to this is disabled (_POSIX_VDISABLE) */

struct console_mode {
	uint32_t iflag, oflag, cflag, lflag; /* cflag: kept, never acted on */
	uint8_t cc[CON_NCCS];
};

/* console_mode_set's a2 */
enum console_set {
	CON_SET_NOW = 0,	/* apply (output is never held back, so also TCSADRAIN) */
	CON_SET_FLUSH = 1,	/* drop unread input, then apply (TCSAFLUSH) */
	CON_SET_FLUSH_ONLY = 2, /* drop unread input; a1 is not read (tcflush) */
};

#endif
