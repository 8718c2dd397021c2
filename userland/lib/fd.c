/*
 * The descriptor table and the POSIX calls on it: read, write, close. Each call looks
 * the descriptor up and hands it to the console (libc_glue.c) or a pipe end (pipe.c).
 */
#include <errno.h>
#include <unistd.h>

#include "fd.h"

static struct fd_entry fds[FD_MAX] = {
	[STDIN_FILENO] = { FD_CONSOLE, 0 },
	[STDOUT_FILENO] = { FD_CONSOLE, 0 },
	[STDERR_FILENO] = { FD_CONSOLE, 0 },
};

static int pipe_fds; /* entries that are pipe ends: the fork and exit scans skip none */

static int is_pipe(const struct fd_entry *e)
{
	return e->kind == FD_PIPE_READ || e->kind == FD_PIPE_WRITE;
}

struct fd_entry *fd_get(int fd)
{
	if (fd < 0 || fd >= FD_MAX || fds[fd].kind == FD_FREE) {
		errno = EBADF;
		return 0;
	}
	return &fds[fd];
}

int fd_alloc(enum fd_kind kind, struct pipe *p)
{
	for (int fd = 0; fd < FD_MAX; fd++) {
		if (fds[fd].kind == FD_FREE) {
			fds[fd] = (struct fd_entry){ kind, p };
			pipe_fds += is_pipe(&fds[fd]);
			return fd;
		}
	}
	errno = EMFILE;
	return -1;
}

ssize_t read(int fd, void *buf, size_t n)
{
	struct fd_entry *e = fd_get(fd);
	if (!e)
		return -1;
	if (e->kind == FD_CONSOLE)
		return console_fd_read(buf, n);
	if (e->kind == FD_PIPE_READ)
		return pipe_read(e->pipe, buf, n);
	errno = EBADF; /* the write end of a pipe */
	return -1;
}

ssize_t write(int fd, const void *buf, size_t n)
{
	struct fd_entry *e = fd_get(fd);
	if (!e)
		return -1;
	if (e->kind == FD_CONSOLE)
		return console_fd_write(buf, n);
	if (e->kind == FD_PIPE_WRITE)
		return pipe_write(e->pipe, buf, n);
	errno = EBADF; /* the read end of a pipe */
	return -1;
}

int close(int fd)
{
	struct fd_entry *e = fd_get(fd);
	if (!e)
		return -1;
	if (is_pipe(e)) {
		pipe_close(e->pipe, e->kind == FD_PIPE_WRITE);
		pipe_fds--;
	}
	*e = (struct fd_entry){ FD_FREE, 0 };
	return 0;
}

static void count_ends(int delta)
{
	for (int fd = 0; pipe_fds && fd < FD_MAX; fd++)
		if (is_pipe(&fds[fd]))
			pipe_add_end(fds[fd].pipe, fds[fd].kind == FD_PIPE_WRITE, delta);
}

void fd_fork_prepare(void)
{
	count_ends(1);
}

void fd_fork_undo(void)
{
	count_ends(-1);
}

void fd_exec_prepare(void)
{
	for (int fd = 0; pipe_fds && fd < FD_MAX; fd++)
		if (is_pipe(&fds[fd]))
			pipe_drop_end(fds[fd].pipe, fds[fd].kind == FD_PIPE_WRITE);
}

void fd_exec_undo(void)
{
	count_ends(1);
}

void fd_close_all(void)
{
	for (int fd = 0; fd < FD_MAX; fd++)
		if (fds[fd].kind != FD_FREE)
			close(fd);
}
