/*
 * picolibc's <sys/wait.h>, plus what POSIX has and it lacks: waitid (userland/lib/
 * process.c) with its id types and options, WCONTINUED, WIFCONTINUED and WCOREDUMP.
 * A stopped child's status is (signal << 8) | 0x7f (picolibc's WIFSTOPPED, WSTOPSIG), a
 * continued one's 0xffff. No core is ever dumped.
 */
#ifndef USER_SYS_WAIT_H
#define USER_SYS_WAIT_H

#include_next <sys/wait.h>

#include <signal.h>

#define WSTOPPED	WUNTRACED
#define WEXITED		4
#define WCONTINUED	8
#define WNOWAIT		0x1000000
#define WIFCONTINUED(w) ((w) == 0xffff)
#define WCOREDUMP(w)	0

typedef enum { P_ALL, P_PID, P_PGID } idtype_t;

int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options);

#endif
