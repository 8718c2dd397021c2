/*
 * File descriptors in the C library: a per-process table. 0, 1 and 2 are the console
 * (read: console_read on SLOT_CONSOLE; write: debug_write); 3 and up are pipe ends
 * (pipe.c). The table lives in private memory, so fork gives the child a copy; the libc
 * fork wrapper counts the child's pipe ends first (fd_fork_prepare). docs/userland.md.
 */
#ifndef USER_FD_H
#define USER_FD_H

#include <stddef.h>
#include <sys/types.h>

#define FD_MAX 32

enum fd_kind { FD_FREE = 0, FD_CONSOLE, FD_PIPE_READ, FD_PIPE_WRITE };

struct pipe;

struct fd_entry {
	enum fd_kind kind;
	struct pipe *pipe; /* for the pipe kinds */
};

/* The entry for fd, or 0 (errno = EBADF) if it is not open. */
struct fd_entry *fd_get(int fd);
/* The lowest free fd, now holding kind and p; or -1 (errno = EMFILE). */
int fd_alloc(enum fd_kind kind, struct pipe *p);

/* Count every open pipe end once more, for a child about to be forked; and undo that. */
void fd_fork_prepare(void);
void fd_fork_undo(void);
/* Close every descriptor (from _exit). */
void fd_close_all(void);
/*
 * Around an exec, which replaces this task and carries no pipe over: uncount our pipe
 * ends first (their peers may see EOF or EPIPE), and count them again if exec failed.
 */
void fd_exec_prepare(void);
void fd_exec_undo(void);

/* pipe.c: the pipe-end operations the fd layer calls. */
ssize_t pipe_read(struct pipe *p, void *buf, size_t n);
ssize_t pipe_write(struct pipe *p, const void *buf, size_t n);
void pipe_close(struct pipe *p, int writer);
void pipe_drop_end(struct pipe *p, int writer);		  /* uncount it, wake the peers */
void pipe_add_end(struct pipe *p, int writer, int delta); /* shared count += delta */

/* libc_glue.c: the console as fds 0-2. */
ssize_t console_fd_read(void *buf, size_t n);
ssize_t console_fd_write(const void *buf, size_t n);

#endif
