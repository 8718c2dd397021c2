/*
 * Pipes as kernel objects (kernel/core/pipe.c, docs/syscalls.md pipe_create): the sizes
 * user space and the kernel share.
 */
#ifndef ABI_PIPE_H
#define ABI_PIPE_H

#define PIPE_RING   16384 /* bytes a pipe holds: four frames, charged to its creator */
#define PIPE_ATOMIC 512	  /* a write of up to this many bytes goes in whole (POSIX PIPE_BUF) */

#endif
