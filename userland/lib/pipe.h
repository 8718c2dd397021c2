/*
 * The pipe protocol between the C library (pipe.c) and the fork server (pipesrv.c),
 * docs/userland.md. A pipe lives in the fork server: its ring, its counts of open ends
 * per process and its blocked readers and writers are the server's memory, which no
 * client can write. A client names a pipe by its id and is told apart by its SLOT_PROC
 * badge, so it can act only on the ends its own process holds.
 */
#ifndef USER_PIPE_H
#define USER_PIPE_H

#include <stdint.h>

#include "proc.h"

#define PIPE_RING	16384 /* bytes in flight */
#define PIPE_ATOMIC	512   /* writes up to this size go in whole (POSIX PIPE_BUF) */
#define PIPE_SYS_MAX	1024  /* pipes alive at once in the system: 5 frames each */
#define PIPE_PROC_MAX	64    /* pipes one process may hold an end of (cf. RLIMIT_NOFILE) */
#define PIPE_PROC_WAITS 8     /* threads of one process blocked on pipes at once */

enum pipe_end { PIPE_END_READ = 0, PIPE_END_WRITE = 1 };

/*
 * Requests, on SLOT_PROC (labels after proc.h's). Replies carry w0 >= 0 or -errno.
 *   PROC_PIPE:   -> w0 = pipe id; the caller holds one read and one write end.
 *   PIPE_READ:   w0 = id, w1 = at most this many bytes (<= IPC_BUF_MAX), w2 = PIPE_NB or 0;
 *                the receive buffer is the caller's (the kernel checks it is writable)
 *                -> w0 = bytes (0: end of file); up to PIPE_INLINE_MAX bytes come in w1..
 *                (the tag counts more than one word), more in the buffer. Blocks while
 *                the pipe is empty and has writers.
 *   PIPE_WRITE:  w0 = id, w1 = PIPE_NB or 0, the bytes in the buffer -> w0 = bytes taken.
 *                Up to PIPE_ATOMIC bytes are taken whole or not at all. A blocked writer
 *                is answered with 0 once room may have appeared: it sends them again.
 *                -EPIPE once no reader is left.
 *   PIPE_CLOSE:  w0 = id, w1 = enum pipe_end -> 0.
 *   PIPE_DUP:    w0 = id, w1 = enum pipe_end -> 0: the process holds one more of an end
 *                it holds (dup); each is closed on its own. -EBADF if it holds none.
 */
enum pipe_label { PIPE_READ = 16, PIPE_WRITE = 17, PIPE_CLOSE = 18, PIPE_DUP = 19 };
#define PIPE_ENDS_MAX	(1 << 20) /* ends of one kind one process may count */
#define PIPE_NB		1u	  /* O_NONBLOCK: EAGAIN instead of blocking */
/* A short read's bytes travel in registers: the kernel's fast path, no buffer copy. */
#define PIPE_INLINE_MAX (8 * (IPC_WORDS - 1))

/*
 * Pipe ends across exec. execve sends one 32-bit entry per pipe descriptor after the
 * strings: fd | end << 8 | pipe id << 16. The fork server checks them against the ends
 * the process holds and describes them on the new image's stack after envp as
 * (AUX_FD, fd | end << 8 | id << 16) pairs, which the C library reads before main.
 */
#define EXEC_FD(fd, end, id) ((uint32_t)(fd) | (uint32_t)(end) << 8 | (uint32_t)(id) << 16)
#define EXEC_FD_FD(e)	     ((e)&0xff)
#define EXEC_FD_END(e)	     (((e) >> 8) & 0xff)
#define EXEC_FD_ID(e)	     ((e) >> 16)
#define AUX_FD		     0x7002 /* value: EXEC_FD(fd, end, id) */

/* The fork server's side (pipesrv.c). idx is a process's table index. */
struct ipc_msg;
int64_t pipesrv_create(unsigned idx);
/* A read, write or close from process idx: 1 if answered in *answer, 0 if blocked. */
int pipesrv_request(unsigned idx, const struct ipc_msg *req, const void *data,
		    struct ipc_msg *answer);
/* At fork (before the child runs): the child's counts become a copy of the parent's. */
void pipesrv_fork(unsigned parent, unsigned child);
void pipesrv_release(unsigned idx);
/* A signal was delivered to idx: its blocked reads and writes end with -EINTR. */
void pipesrv_interrupt(unsigned idx);
/* exec: check list against idx's ends and describe it in aux (2 words a pair): words, or -errno. */
int pipesrv_exec_plan(unsigned idx, const uint32_t *list, unsigned n, uint64_t *aux, unsigned max);
/* The exec happened: idx's counts become the plan's, its old threads' waits are dropped. */
void pipesrv_exec_commit(unsigned idx);
void pipesrv_init(void);

#endif
