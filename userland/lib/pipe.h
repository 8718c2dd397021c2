/*
 * Pipes in the C library (pipe.c): a pipe is a kernel object (kernel/abi/pipe.h,
 * docs/syscalls.md pipe_create), and a descriptor names one of our capabilities to one
 * of its ends. Reads and writes are the kernel's pipe_read and pipe_write on it; a close
 * deletes it once no descriptor of ours names it. fork copies the capabilities into the
 * same slots; exec hands them to the new image through the fork server (below).
 */
#ifndef USER_PIPE_H
#define USER_PIPE_H

#include <stdint.h>

#include "kernel/abi/pipe.h"

enum pipe_end { PIPE_END_READ = 0, PIPE_END_WRITE = 1 };

/*
 * Pipe ends across exec. execve sends one 32-bit entry per pipe descriptor after the
 * strings: fd | end << 8 | the slot of our capability << 16. The fork server copies each
 * capability that is an end of that kind into the same slot of the new image and
 * describes it on the new stack after envp as an (AUX_FD, entry) pair, which the C
 * library reads before main (fd.c).
 */
#define EXEC_FD(fd, end, slot) ((uint32_t)(fd) | (uint32_t)(end) << 8 | (uint32_t)(slot) << 16)
#define EXEC_FD_FD(e)	       ((e)&0xff)
#define EXEC_FD_END(e)	       (((e) >> 8) & 0xff)
#define EXEC_FD_SLOT(e)	       ((e) >> 16)
#define AUX_FD		       0x7002 /* value: EXEC_FD(fd, end, slot) */

#endif
