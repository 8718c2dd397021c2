/*
 * The descriptor table and the POSIX calls on it: read, write, close. Each call looks
 * the descriptor up and hands it to the console (libc_glue.c) or a pipe end (pipe.c).
 * The table is inherited across fork (it is private memory) and exec (the fork server
 * hands the pipes over; fd_inherit rebuilds the table in the new image).
 */
#include <errno.h>
#include <unistd.h>

#include "fd.h"
#include "pipe.h"
#include "spawn.h"

static struct fd_entry fds[FD_MAX] = {
	[STDIN_FILENO] = { FD_CONSOLE, 0 },
	[STDOUT_FILENO] = { FD_CONSOLE, 0 },
	[STDERR_FILENO] = { FD_CONSOLE, 0 },
};

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
	if (is_pipe(e))
		pipe_close(e->pipe, e->kind == FD_PIPE_WRITE);
	*e = (struct fd_entry){ FD_FREE, 0 };
	return 0;
}

unsigned fd_exec_list(uint32_t *list, unsigned max)
{
	unsigned n = 0;
	for (int fd = 0; fd < FD_MAX && n < max; fd++)
		if (is_pipe(&fds[fd]))
			list[n++] =
				EXEC_FD(fd, fds[fd].kind == FD_PIPE_WRITE, pipe_id(fds[fd].pipe));
	return n;
}

/* One AUX_FD pair: descriptor fd names an end of the pipe the fork server calls id. */
static void inherit_fd(uint64_t v)
{
	unsigned fd = EXEC_FD_FD(v), end = EXEC_FD_END(v);
	struct pipe *p = fd > STDERR_FILENO && fd < FD_MAX && fds[fd].kind == FD_FREE
				 ? pipe_adopt((unsigned)EXEC_FD_ID(v))
				 : 0;
	if (!p)
		return;
	fds[fd] = (struct fd_entry){ end == PIPE_END_WRITE ? FD_PIPE_WRITE : FD_PIPE_READ, p };
	pipe_add_ref(p);
}

/*
 * Before main, in an image that exec started: the (AUX_FD, value) pairs the fork server
 * put after envp name the pipe descriptors it handed over. The kernel starts init with
 * no such pairs: the first key that is not AUX_FD ends the list.
 */
__attribute__((constructor)) static void fd_inherit(void)
{
	extern char **environ;
	char **e = environ;
	while (e && *e)
		e++;
	for (const uint64_t *aux = e ? (const uint64_t *)(e + 1) : 0; aux && aux[0] == AUX_FD;
	     aux += 2)
		inherit_fd(aux[1]);
}
