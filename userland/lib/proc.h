/*
 * The fork server's protocol (docs/process.md). Every process holds, in SLOT_PROC, a
 * send capability to the server badged with its table entry; the server tells callers apart by
 * that badge. The kernel's own exit and fault messages arrive on the same endpoint,
 * badged the same way, because the server is every process's supervisor.
 */
#ifndef USER_PROC_H
#define USER_PROC_H

#include <stdint.h>
#include <sys/types.h>

#define SLOT_PROC   5 /* a process's own badged capability to the server (fork's a5) */
#define SLOT_SERVER 6 /* the fork server's own endpoint, in the server */
#define PROC_MAX    64
#define PID_INIT    1

/*
 * A process's badge: its entry in the server's table + 1 in the low PROC_BADGE_INDEX_BITS,
 * the entry's generation above (docs/process.md, "Who holds what").
 */
#define PROC_BADGE_INDEX_BITS 16
#define PROC_BADGE_INDEX_MASK ((1UL << PROC_BADGE_INDEX_BITS) - 1)

enum proc_label {
	PROC_FORK = 1,	 /* w0 = FORK_COW or FORK_EAGER -> w0 = pid (0 in the child) */
	PROC_WAIT = 2,	 /* w0 = pid or -1, w1 = options -> w0 = pid, w1 = status */
	PROC_GETPID = 3, /* -> w0 = pid, w1 = parent's pid */
	/* buffer = name \0 arg1 \0 ... [env \0 ...]; w0 = how many strings are arguments (the
	 * name included; 0: all), the rest is the environment -> w0 = pid */
	PROC_SPAWN = 4,
	/* w0 = pid, w1 = signal; sigqueue: w2 = PROC_KILL_QUEUE, w3 = the value -> w0 = 0;
	 * w2 = PROC_KILL_LIVE (signal 0, pid > 0): does it run (a zombie is -ESRCH) */
	PROC_KILL = 5,
	PROC_LIST = 6, /* w0 = index -> w0 = pid, w1 = ppid, w2 = state, w3 = status (or -1: end) */
	/* w0 = argc, w1 = fd list bytes, buffer = name, argv[0..argc), envp..., the fd list
	 * (pipe.h: the pipe ends to hand over) -> only -errno. With a capability: the program
	 * is that memory object (a file the file server gave, FS_EXEC), w2 = its bytes, and
	 * the name is only argv's. w3 = the blocked signals, w4 = the ignored ones: held or
	 * dropped until the new image sends PROC_SIGENTRY. */
	PROC_EXEC = 7,
	/* 8 was PROC_PIPE: pipes are the kernel's now (pipe.h) */
	/* w0 = PROC_TIME_GET, or PROC_TIME_SET with w1 = the new offset -> w0 = 0, w1 = the
	 * CLOCK_REALTIME offset from CLOCK_MONOTONIC in ns (timesrv.c) */
	PROC_TIME = 9,
	PROC_SETPGID = 10, /* w0 = pid (0: the caller), w1 = pgid (0: that pid) -> w0 = 0 */
	PROC_GETPGID = 11, /* w0 = pid (0: the caller) -> w0 = pgid, w1 = session id */
	PROC_SETSID = 12,  /* -> w0 = the new session id (the caller's pid) */
	/* w0 = where the C library takes signals (0: nowhere), w1 = SIGCHLD bits (sigsrv.h)
	 * -> w0 = 0 */
	PROC_SIGENTRY = 13,
	/* -> w0 = a pending signal (0: none), w1 = its sender, w2 = the signals left,
	 * w3 = 1 if sigqueue sent it, w4 = its value */
	PROC_SIGTAKE = 14,
	/* w0 = status: end the whole process now, every thread (never answered) */
	PROC_EXIT = 15,
	/* w0 = a stop signal the caller acts on: stop, unless a SIGCONT came since it was
	 * sent -> w0 = 0 once continued (docs/signals.md, "Stopping and continuing") */
	PROC_STOP = 16,
	/* -> w0 = the run time, in timebase ticks, of the caller's children (and theirs)
	 * it has waited for: POSIX's RUSAGE_CHILDREN, times()'s tms_cutime */
	PROC_TIMES = 17,
	/* w0 = PROC_FS_LOCK_KEY or 0 -> 0: SLOT_FS now holds a send capability to the file
	 * server; w1 = the process's record-lock key if asked for (fs.h) */
	PROC_FS = 20,
	/* The console's foreground process group (tcgetpgrp, tcsetpgrp): -> w0 = pgid */
	PROC_TCGETPGRP = 24,
	PROC_TCSETPGRP = 25, /* w0 = pgid, a group of the caller's session -> w0 = 0 */
	/* An interval timer (alarm, setitimer): w0 = ticks to its first signal (0: off), w1 =
	 * ticks between the next ones (0: one shot), w2 = enum proc_timer (absent: REAL) ->
	 * w0 = the ticks the old one had left (0: off), w1 = its interval. Kept across exec,
	 * none in a forked or spawned child. */
	PROC_ALARM = 26,
	PROC_ALARM_GET = 27, /* w0 = enum proc_timer (absent: REAL) -> w0, w1 as PROC_ALARM's */
	/* The server's own alarm thread: send every SIGALRM now due -> w0 = 0 (from another
	 * process it does the same, which is nothing a process may not ask) */
	PROC_ALARM_DUE = 28,
};

enum proc_time_op { PROC_TIME_GET = 0, PROC_TIME_SET = 1 };
/* PROC_ALARM's timers, as setitimer's: real time (SIGALRM), the process's run time
 * (SIGVTALRM; user and system time alike: the kernel counts them together), and its run
 * time (SIGPROF). */
enum proc_timer { PROC_TIMER_REAL = 0, PROC_TIMER_VIRTUAL = 1, PROC_TIMER_PROF = 2, PROC_TIMERS };
#define PROC_KILL_QUEUE	 1 /* PROC_KILL's w2: sigqueue, with a value */
#define PROC_KILL_LIVE	 2 /* PROC_KILL's w2: signal 0 asks whether it runs, not exists */
#define PROC_FS_LOCK_KEY 1 /* PROC_FS's w0: and my lock key (made now if I have none) */

/* Process states as PROC_LIST reports them. */
enum proc_state { PS_FREE = 0, PS_RUNNING = 1, PS_ZOMBIE = 2 };

/* Replies carry negative errno values in w0 on failure (ECHILD, EAGAIN, ENOMEM...). */
int64_t proc_request(uint64_t label, uint64_t w0, uint64_t w1, uint64_t *out1, const void *buf,
		     unsigned len);

/*
 * Has process pid ended (or never been)? A zombie has: unlike kill(pid, 0), which POSIX
 * answers 0 until the zombie is reaped. For locks that name their holder's pid.
 */
int proc_gone(pid_t pid);

#endif
