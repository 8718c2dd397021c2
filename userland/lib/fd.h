/*
 * File descriptors in the C library: one per-process table for the console, pipe ends
 * and files. 0, 1 and 2 start as the console (read: console_read on SLOT_CONSOLE; write:
 * debug_write). A file descriptor names an open file (struct ofile): our capability to
 * the file server's open file description (fs.h), shared by the descriptors dup made.
 * The table lives in private memory, so fork gives the child a copy; the kernel copies
 * the capabilities, pipe ends included, into the same slots, and the fork server counts
 * the child's open files. exec passes the pipe ends on. docs/userland.md, docs/files.md.
 */
#ifndef USER_FD_H
#define USER_FD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define FD_MAX 32

enum fd_kind { FD_FREE = 0, FD_CONSOLE, FD_PIPE_READ, FD_PIPE_WRITE, FD_FILE };

struct pipe;

/* An open file of this process: the capability and how many of our descriptors name it. */
struct ofile {
	long cap;	       /* 0: free */
	int refs;	       /* descriptors naming it */
	int kind;	       /* enum fs_kind */
	int flags;	       /* O_ flags given to open */
	uint64_t badge, token; /* the description's, for keeping it across exec */
};

struct fd_entry {
	enum fd_kind kind;
	struct pipe *pipe;  /* for the pipe kinds */
	struct ofile *file; /* for FD_FILE */
	int cloexec;	    /* FD_CLOEXEC */
};

/* RLIMIT_NOFILE: descriptors from this number up are not handed out (<= FD_MAX). */
extern int fd_open_max;

/* The entry for fd, or 0 (errno = EBADF) if it is not open. */
struct fd_entry *fd_get(int fd);
/* The lowest free fd, now holding kind and p; or -1 (errno = EMFILE). */
int fd_alloc(enum fd_kind kind, struct pipe *p);

/*
 * Before exec: the file descriptors described in one environment string
 * (FD_EXEC_ENV=fd.badge.token,...), built in env, that the new image's fd_inherit turns
 * back into descriptors: env, or 0 if there are none. A description named only by
 * close-on-exec descriptors comes as FD_EXEC_DROP.badge.token: the new image closes it,
 * so a failed exec leaves every descriptor open (POSIX).
 */
#define FD_EXEC_DROP	0xfffu
#define FD_EXEC_PREFIX	"MUKERNEL_" /* every name exec hands over starts so */
#define FD_EXEC_ENV	"MUKERNEL_FDS="
#define FD_EXEC_ENV_MAX (sizeof(FD_EXEC_ENV) + FD_MAX * 3 * 17)
const char *fd_exec_files(char *env); /* env: FD_EXEC_ENV_MAX bytes */
/* The working directory for the new image (FD_EXEC_CWD=path), built in env; 0 for "/". */
#define FD_EXEC_CWD	"MUKERNEL_CWD="
#define FD_EXEC_CWD_MAX (sizeof(FD_EXEC_CWD) + FS_PATH_MAX)
const char *fd_exec_cwd(char *env); /* env: FD_EXEC_CWD_MAX bytes */
/* The file mode creation mask for the new image (FD_EXEC_UMASK=octal), built in env; 0
 * for the default 022. */
#define FD_EXEC_UMASK	  "MUKERNEL_UMASK="
#define FD_EXEC_UMASK_MAX (sizeof(FD_EXEC_UMASK) + 4)
const char *fd_exec_umask(char *env); /* env: FD_EXEC_UMASK_MAX bytes */
/* Take the environment string that starts with prefix out of environ: its value, or 0. */
const char *fd_take_env(const char *prefix);
/* A lower-case hex number at *s, which then moves past it and one separator after it. */
uint64_t fd_get_hex(const char **s);
/* The file mode creation mask (umask): open and mkdir clear these bits of a new mode. */
mode_t fd_umask(void);

/* Our pipe descriptors as exec entries for the fork server (pipe.h's EXEC_FD): how many. */
unsigned fd_exec_list(uint32_t *list, unsigned max);

/* The absolute form of path against the working directory: 0 or -1 (errno set). */
int fd_abs_path(const char *path, char *out, unsigned max);
/* SLOT_FS, once the fork server has given it (on first use). */
long fd_fs_slot(void);
/* Our index at the fork server (the badge of our SLOT_PROC, less one). */
unsigned fd_proc_index(void);

/* The open file fd names, or 0 (errno = EBADF, or EINVAL: not a file). */
struct ofile *fd_file(int fd);
/* A shared writable mapping of f keeps it open as a descriptor does, until munmap. */
void fd_file_hold(struct ofile *f);
void fd_file_drop(struct ofile *f);
struct ipc_msg;
/* One request on an open file's capability: the reply's w0 (>= 0 or -errno), words in m. */
int64_t fd_file_call(struct ofile *f, uint64_t label, struct ipc_msg *m, unsigned len);
/* Record locks (filelock.c). fcntl's F_GETLK, F_SETLK, F_SETLKW: 0 or -1 (errno). */
struct flock;
int fd_lock(int fd, int cmd, struct flock *fl);
/* Our lock key (fresh: ask the fork server again; it changed at a fork). */
uint64_t fd_lock_key(int fresh);
/* A descriptor of f's file closed while others remain: our locks on it go. 0 or -errno. */
int fd_lock_release(struct ofile *f);
extern int fd_may_lock; /* we (this image, or the one before exec) may hold locks */
/* utimensat's request (filetimes.c): path's access and modification times (null: now). */
int fs_utimes_path(const char *path, const struct timespec *t);
/* chdir's last step: abs names a directory. */
void fd_set_cwd(const char *abs);
/* sync, with the file server's answer: 0, or -EIO when a change to /boot could not be
 * written (it stays in memory, to be tried again). */
int fs_sync(void);

/* pipe.c: the pipe-end operations the fd layer calls. */
ssize_t pipe_read(struct pipe *p, void *buf, size_t n);
ssize_t pipe_write(struct pipe *p, const void *buf, size_t n);
/* One descriptor fewer names p: the last deletes our capability to the end. */
void pipe_close(struct pipe *p);
void pipe_add_ref(struct pipe *p); /* one more descriptor of ours names it (dup) */
/* Our entry for the end whose capability is in slot (exec handed it over), or 0. */
struct pipe *pipe_adopt(long slot, int writer);
long pipe_slot(const struct pipe *p);
/* O_NONBLOCK of the end (the kernel's: every descriptor in any process that shares the
 * end sees it, as POSIX has it for an open file description): 0, or -1 with errno. */
int pipe_set_nonblock(struct pipe *p, int on);
int pipe_nonblock(const struct pipe *p);
/* An end of a FIFO opened by name: its inode number and permission bits then (fstat). */
void pipe_set_fifo(struct pipe *p, uint32_t ino, unsigned perm);
uint32_t pipe_fifo(const struct pipe *p, unsigned *perm); /* 0: a pipe() end */

/* libc_glue.c: the console as fds 0-2. */
ssize_t console_fd_read(void *buf, size_t n);
/* Would a console read not wait? (It may read one byte ahead, which read then gives.) */
int console_fd_ready(void);
ssize_t console_fd_write(const void *buf, size_t n);
/* termios.c: a non-canonical console read with VTIME (or VMIN 0), timed here. */
ssize_t console_timed_read(char *buf, size_t n, unsigned vmin, unsigned vtime);

#endif
