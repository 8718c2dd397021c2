/*
 * The fork server's protocol (docs/process.md). Every process holds, in SLOT_PROC, a
 * send capability to the server badged with its pid; the server tells callers apart by
 * that badge. The kernel's own exit and fault messages arrive on the same endpoint,
 * badged the same way, because the server is every process's supervisor.
 */
#ifndef USER_PROC_H
#define USER_PROC_H

#include <stdint.h>

#define SLOT_SERVER 6 /* the fork server's own endpoint, in the server */
#define PROC_MAX    64
#define PID_INIT    1

enum proc_label {
	PROC_FORK = 1,	 /* w0 = FORK_COW or FORK_EAGER -> w0 = pid (0 in the child) */
	PROC_WAIT = 2,	 /* w0 = pid or -1, w1 = options -> w0 = pid, w1 = status */
	PROC_GETPID = 3, /* -> w0 = pid, w1 = parent's pid */
	PROC_SPAWN = 4,	 /* buffer = name \0 arg1 \0 ... -> w0 = pid */
	PROC_KILL = 5,	 /* w0 = pid, w1 = signal -> w0 = 0 */
	PROC_LIST = 6, /* w0 = index -> w0 = pid, w1 = ppid, w2 = state, w3 = status (or -1: end) */
	/* w0 = argc, w1 = fd list bytes, buffer = name, argv[0..argc), envp..., the fd list
	 * (pipe.h) -> only -errno */
	PROC_EXEC = 7,
	PROC_PIPE = 8, /* -> w0 = pipe id; reads, writes and closes: pipe.h */
};

/* Process states as PROC_LIST reports them. */
enum proc_state { PS_FREE = 0, PS_RUNNING = 1, PS_ZOMBIE = 2 };

/* Replies carry negative errno values in w0 on failure (ECHILD, EAGAIN, ENOMEM...). */
int64_t proc_request(uint64_t label, uint64_t w0, uint64_t w1, uint64_t *out1, const void *buf,
		     unsigned len);

#endif
