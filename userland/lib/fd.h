/*
 * File descriptors in the C library: a per-process table. 0, 1 and 2 are the console
 * (read: console_read on SLOT_CONSOLE; write: debug_write); 3 and up are pipe ends
 * (pipe.c). The table lives in private memory, so fork gives the child a copy (the fork
 * server counts the child's pipe ends); exec passes the pipe ends on. docs/userland.md.
 */
#ifndef USER_FD_H
#define USER_FD_H

#include <stddef.h>
#include <stdint.h>
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

/* Our pipe descriptors as exec entries for the fork server (pipe.h): how many. */
unsigned fd_exec_list(uint32_t *list, unsigned max);

/* pipe.c: the pipe-end operations the fd layer calls. */
ssize_t pipe_read(struct pipe *p, void *buf, size_t n);
ssize_t pipe_write(struct pipe *p, const void *buf, size_t n);
void pipe_close(struct pipe *p, int writer);
void pipe_drop_end(struct pipe *p, int writer); /* uncount it, wake the peers */
/* Our entry for pipe id, which exec handed over (the first call adds it), or 0. */
struct pipe *pipe_adopt(unsigned id);
unsigned pipe_id(const struct pipe *p);
void pipe_add_ref(struct pipe *p); /* one more descriptor of ours names it */
/* A new descriptor (dup) names an end: the fork server counts one more; 0 or -1 (errno). */
int pipe_count_end(struct pipe *p, int writer);

/* libc_glue.c: the console as fds 0-2. */
ssize_t console_fd_read(void *buf, size_t n);
ssize_t console_fd_write(const void *buf, size_t n);

#endif
