/*
 * Pipes as kernel objects (kernel/core/pipe.c, docs/syscalls.md pipe_create): the sizes
 * user space and the kernel share.
 */
#ifndef ABI_PIPE_H
#define ABI_PIPE_H

#define PIPE_RING   16384 /* bytes a pipe holds: four frames, charged to its creator */
#define PIPE_ATOMIC 512	  /* a write of up to this many bytes goes in whole (POSIX PIPE_BUF) */

/* pipe_state's answer: these bits, and the bytes the ring holds from PIPE_STATE_BYTES up. */
#define PIPE_STATE_READY     1 /* a read would not wait; a write of PIPE_ATOMIC would not */
#define PIPE_STATE_PEER_GONE 2 /* no end of the other kind is left */
#define PIPE_STATE_BYTES     8 /* shift */
/* pipe_state on a named pipe's own capability (fifo_create): which ends are open. */
#define PIPE_STATE_READERS   4	/* some capability names the read end */
#define PIPE_STATE_WRITERS   16 /* some capability names the write end */
/* pipe_state on an end: it is O_NONBLOCK (pipe_nonblock) */
#define PIPE_STATE_NONBLOCK  32

/* fifo_open's a1. */
#define FIFO_READ  0
#define FIFO_WRITE 1

#endif
