/*
 * <termios.h> for the console (termios.c; docs/userland.md, "The console"). picolibc's
 * own names a header it lacks. The bits and indices the kernel acts on are its
 * CON_ names (kernel/abi/console.h), one layout; the rest are POSIX's names with the
 * usual values, accepted and not kept (tcgetattr shows them clear).
 */
#ifndef USER_TERMIOS_H
#define USER_TERMIOS_H

#include <sys/types.h>

#include "kernel/abi/console.h"

typedef unsigned char cc_t;
typedef unsigned int speed_t;
typedef unsigned int tcflag_t;

#define NCCS CON_NCCS

struct termios {
	tcflag_t c_iflag, c_oflag, c_cflag, c_lflag;
	cc_t c_cc[NCCS];
	speed_t c_ispeed, c_ospeed;
};

/* c_cc */
#define VINTR		CON_VINTR
#define VQUIT		CON_VQUIT
#define VERASE		CON_VERASE
#define VKILL		CON_VKILL
#define VEOF		CON_VEOF
#define VTIME		CON_VTIME
#define VMIN		CON_VMIN
#define VSTART		CON_VSTART
#define VSTOP		CON_VSTOP
#define VSUSP		CON_VSUSP
#define VEOL		CON_VEOL
#define _POSIX_VDISABLE CON_CC_OFF

/* c_iflag */
#define IGNBRK 0000001
#define BRKINT 0000002
#define IGNPAR 0000004
#define PARMRK 0000010
#define INPCK  0000020
#define ISTRIP CON_ISTRIP
#define INLCR  CON_INLCR
#define IGNCR  CON_IGNCR
#define ICRNL  CON_ICRNL
#define IXON   0002000
#define IXANY  0004000
#define IXOFF  0010000

/* c_oflag */
#define OPOST  CON_OPOST
#define ONLCR  CON_ONLCR
#define OCRNL  0000010
#define ONOCR  0000020
#define ONLRET 0000040
#define OFILL  0000100
#define OFDEL  0000200
#define NLDLY  0000400
#define NL0    0000000
#define NL1    0000400
#define CRDLY  0003000
#define CR0    0000000
#define CR1    0001000
#define CR2    0002000
#define CR3    0003000
#define TABDLY 0014000
#define TAB0   0000000
#define TAB1   0004000
#define TAB2   0010000
#define TAB3   0014000
#define BSDLY  0020000
#define BS0    0000000
#define BS1    0020000
#define VTDLY  0040000
#define VT0    0000000
#define VT1    0040000
#define FFDLY  0100000
#define FF0    0000000
#define FF1    0100000

/* c_cflag (kept, never acted on: CON_CFLAGS) */
#define CSIZE  0000060
#define CS5    0000000
#define CS6    0000020
#define CS7    0000040
#define CS8    0000060
#define CSTOPB 0000100
#define CREAD  0000200
#define PARENB 0000400
#define PARODD 0001000
#define HUPCL  0002000
#define CLOCAL 0004000

/* c_lflag */
#define ISIG   CON_ISIG
#define ICANON CON_ICANON
#define ECHO   CON_ECHO
#define ECHOE  CON_ECHOE
#define ECHOK  CON_ECHOK
#define ECHONL CON_ECHONL
#define NOFLSH CON_NOFLSH
#define TOSTOP 0000400
#define IEXTEN 0100000

/* speeds */
#define B0	0000000
#define B50	0000001
#define B75	0000002
#define B110	0000003
#define B134	0000004
#define B150	0000005
#define B200	0000006
#define B300	0000007
#define B600	0000010
#define B1200	0000011
#define B1800	0000012
#define B2400	0000013
#define B4800	0000014
#define B9600	0000015
#define B19200	0000016
#define B38400	0000017
#define B57600	0010001
#define B115200 0010002
#define B230400 0010003

/* tcsetattr */
#define TCSANOW	  0
#define TCSADRAIN 1
#define TCSAFLUSH 2
/* tcflush */
#define TCIFLUSH  0
#define TCOFLUSH  1
#define TCIOFLUSH 2
/* tcflow */
#define TCOOFF	  0
#define TCOON	  1
#define TCIOFF	  2
#define TCION	  3

speed_t cfgetispeed(const struct termios *t);
speed_t cfgetospeed(const struct termios *t);
int cfsetispeed(struct termios *t, speed_t speed);
int cfsetospeed(struct termios *t, speed_t speed);
void cfmakeraw(struct termios *t);
int tcgetattr(int fd, struct termios *t);
int tcsetattr(int fd, int optional_actions, const struct termios *t);
int tcdrain(int fd);
int tcflow(int fd, int action);
int tcflush(int fd, int queue_selector);
int tcsendbreak(int fd, int duration);
pid_t tcgetsid(int fd);

#endif
