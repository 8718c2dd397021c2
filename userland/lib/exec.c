/*
 * execve and execv: the fork server loads the program into a new task for this process
 * (same pid, parent and children) and kills this one. Only a failure returns. The path
 * is a pathname (POSIX): a name without a slash is relative to the working directory,
 * like any other, and only execvp and execlp search PATH. A path that is or leads to
 * "/bin/name" is a program of the boot archive (the fast path: the loader maps it from
 * the archive's frames); any other is a file, which the file server hands over as one
 * memory object (FS_EXEC) for the fork server to load.
 * Open pipe descriptors go along: their list follows the strings (fd_exec_list).
 * fexecve runs the file a descriptor is open on, by the path the file server gives it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd.h"
#include "fs.h"
#include "proc.h"
#include "pthread_impl.h"
#include "rlimit.h"
#include "taskspawn.h"
#include "syscall.h"

extern char **environ;

/* Append the strings of list to buf at *len: how many, or -1 if they do not fit. */
static int pack(char *buf, unsigned *len, char *const *list)
{
	int n = 0;
	for (; list && list[n]; n++) {
		size_t size = strlen(list[n]) + 1;
		if (size > IPC_BUF_MAX - *len)
			return -1;
		memcpy(buf + *len, list[n], size);
		*len += (unsigned)size;
	}
	return n;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

#define EXEC_SCRIPT_ARGS_MAX 256 /* a script's arguments, its interpreter's included */

/* POSIX's EACCES: only a regular file with an execute bit set can be run. */
static int may_execute(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	       (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH));
}

/*
 * A program named by a path outside /bin: the file server hands the file over as one
 * memory object in a fresh slot (its slot, or -1 with errno set).
 */
static long file_object(const char *path, uint64_t *size)
{
	int fd = open(path, O_RDONLY);
	if (fd >= 0 && !may_execute(fd)) {
		close(fd);
		errno = EACCES;
		return -1;
	}
	struct ofile *f = fd < 0 ? 0 : fd_file(fd);
	long slot = f ? slot_alloc() : -1;
	struct ipc_msg m = { .tag = ipc_tag(FS_EXEC, 0, 0, 0) };
	m.rspec = ipc_recv_spec(0, (unsigned)slot);
	int64_t r = slot < 0 ? -EMFILE : ipc_call((uint64_t)f->cap, &m) ? -EIO : (int64_t)m.w[0];
	if (fd >= 0)
		close(fd);
	if (fd < 0)
		return -1;
	if (r == 0 && !(m.tag & IPC_TAG_CAP))
		r = -EIO;
	if (r < 0) {
		slot_free(slot);
		errno = (int)-r;
		return -1;
	}
	*size = m.w[1];
	return slot;
}

/*
 * A script's first line, "#!interpreter [one argument]": 1 with them in line (split in
 * place), 0 if path does not start so (or cannot be read: execve finds out why).
 */
#define SCRIPT_LINE_MAX 128
static int script_line(const char *path, char *line, char **interp, char **arg)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = may_execute(fd) ? pread(fd, line, SCRIPT_LINE_MAX - 1, 0) : 0;
	close(fd);
	if (n < 3 || line[0] != '#' || line[1] != '!')
		return 0;
	line[n] = 0;
	char *end = strchr(line, '\n');
	if (!end)
		return 0; /* longer than we read: not something we can run */
	*end = 0;
	char *p = line + 2;
	p += strspn(p, " \t");
	*interp = p;
	p += strcspn(p, " \t");
	*arg = 0;
	if (*p) {
		*p++ = 0;
		p += strspn(p, " \t");
		if (*p)
			*arg = p; /* the rest of the line is one argument, as on Linux */
	}
	return **interp != 0;
}

/*
 * Run a "#!" script: its interpreter with the optional argument, then the script's path,
 * then the caller's arguments after argv[0]. The interpreter must be a program, not
 * another script (ENOEXEC).
 */
static int exec_script(const char *path, char *interp, char *arg, char *const argv[],
		       char *const envp[])
{
	char *args[EXEC_SCRIPT_ARGS_MAX + 4];
	int n = 0;
	args[n++] = interp;
	if (arg)
		args[n++] = arg;
	args[n++] = (char *)path;
	for (int i = 1; argv[0] && argv[i]; i++) {
		if (n >= EXEC_SCRIPT_ARGS_MAX) {
			errno = E2BIG;
			return -1;
		}
		args[n++] = argv[i];
	}
	args[n] = 0;
	char line[SCRIPT_LINE_MAX], *i2, *a2;
	if (script_line(interp, line, &i2, &a2)) {
		errno = ENOEXEC;
		return -1;
	}
	return execve(interp, args, envp);
}

/* Does path name a program of the archive (/bin/name)? */
static int in_archive(const char *path)
{
	return strncmp(path, "/bin/", 5) == 0 && path[5] && !strchr(path + 5, '/');
}

/* mqueue.c: exec closes message queues, and so takes back our notification requests. */
void mq_exec_forget(void) __attribute__((weak));

int execve(const char *path, char *const argv[], char *const envp[])
{
	static char buf[IPC_BUF_MAX];
	static char real[FS_PATH_MAX];
	/* A relative path into /bin ("true" there, "../bin/true"), or a symbolic link
	 * elsewhere to a /bin program, runs that program from the archive. */
	if (path && *path && !in_archive(path) && realpath(path, real) && in_archive(real))
		path = real;
	const char *name = path ? base_name(path) : "";
	char *const names[] = { (char *)name, 0 };
	unsigned len = 0;
	int argc = -1;
	if (!*name) {
		errno = ENOENT;
		return -1;
	}
	char line[SCRIPT_LINE_MAX], *interp, *arg;
	if (!in_archive(path) && script_line(path, line, &interp, &arg))
		return exec_script(path, interp, arg, argv, envp);
	uint32_t fds[FD_MAX];
	unsigned nfd = fd_exec_list(fds, FD_MAX), fdlen = nfd * (unsigned)sizeof(fds[0]);
	char env[FD_EXEC_ENV_MAX], cwd_env[FD_EXEC_CWD_MAX], mask_env[FD_EXEC_UMASK_MAX];
	char limit_env[RLIMIT_EXEC_ENV_MAX], sig_env[SIG_EXEC_ENV_MAX], *files[6];
	unsigned nextra = 0;
	if ((files[nextra] = (char *)fd_exec_files(env)))
		nextra++;
	if ((files[nextra] = (char *)fd_exec_cwd(cwd_env)))
		nextra++;
	if ((files[nextra] = (char *)fd_exec_umask(mask_env)))
		nextra++;
	if ((files[nextra] = (char *)rlimit_exec_env(limit_env, sizeof(limit_env))))
		nextra++;
	uint64_t blocked, ignored;
	if ((files[nextra] =
		     (char *)signals_exec_env(sig_env, sizeof(sig_env), &blocked, &ignored)))
		nextra++;
	files[nextra] = 0;
	int nenv = -1, nfiles = -1; /* the server takes SPAWN_ARGS_MAX strings in all */
	if (pack(buf, &len, names) < 0 || (argc = pack(buf, &len, argv)) < 0 ||
	    (nenv = pack(buf, &len, envp)) < 0 || (nfiles = pack(buf, &len, files)) < 0 ||
	    fdlen > IPC_BUF_MAX - len || 1 + argc + nenv + nfiles > SPAWN_ARGS_MAX) {
		errno = E2BIG;
		return -1;
	}
	memcpy(buf + len, fds, fdlen);
	len += fdlen;
	uint64_t size = 0;
	long obj = in_archive(path) ? 0 : file_object(path, &size);
	if (obj < 0)
		return -1;
	struct ipc_msg m = { .tag = ipc_tag(PROC_EXEC, 5, len, obj != 0), .sbuf = buf };
	m.w[0] = (uint64_t)argc;
	m.w[1] = fdlen;
	m.w[2] = size;
	m.w[3] = blocked; /* what the server does with a signal sent before the new image */
	m.w[4] = ignored; /* takes signals */
	m.cap = (uint64_t)obj;
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	if (mq_exec_forget) /* linked only by programs that use message queues */
		mq_exec_forget();
	long err = ipc_call(SLOT_PROC, &m);
	if (obj)
		slot_free(obj);
	int64_t r = err ? -EIO : (int64_t)m.w[0];
	errno = r < 0 ? (int)-r : EIO; /* a successful exec does not come back */
	return -1;
}

/*
 * POSIX fexecve: run the file open on fd. The file server names the file the
 * descriptor is open on (FS_GETPATH) and that path is exec'd, so a file removed since
 * it was opened cannot be (ENOENT). EBADF for no descriptor, EACCES for one that is no
 * file (a pipe, the console).
 */
int fexecve(int fd, char *const argv[], char *const envp[])
{
	static char path[FS_PATH_MAX];
	struct fd_entry *e = fd_get(fd);
	if (!e)
		return -1;
	if (e->kind != FD_FILE) {
		errno = EACCES;
		return -1;
	}
	struct ipc_msg m = { .rbuf = path,
			     .rspec = ipc_recv_spec(FS_PATH_MAX, IPC_RECV_SLOT_NONE) };
	int64_t r = fd_file_call(e->file, FS_GETPATH, &m, 0);
	if (r < 0 || r >= FS_PATH_MAX) {
		errno = r < 0 ? (int)-r : ENAMETOOLONG;
		return -1;
	}
	path[r] = 0;
	return execve(path, argv, envp);
}

int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}
