/*
 * execve and execv: the fork server loads the program into a new task for this process
 * (same pid, parent and children) and kills this one. Only a failure returns. The path
 * names a program of the boot archive: "/bin/name" and "name" are the same program.
 * Open pipe descriptors go along: their list follows the strings (fd_exec_list).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "fd.h"
#include "proc.h"
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

int execve(const char *path, char *const argv[], char *const envp[])
{
	static char buf[IPC_BUF_MAX];
	const char *name = path ? base_name(path) : "";
	char *const names[] = { (char *)name, 0 };
	unsigned len = 0;
	int argc = -1;
	if (!*name) {
		errno = ENOENT;
		return -1;
	}
	uint32_t fds[FD_MAX];
	unsigned nfd = fd_exec_list(fds, FD_MAX), fdlen = nfd * (unsigned)sizeof(fds[0]);
	if (pack(buf, &len, names) < 0 || (argc = pack(buf, &len, argv)) < 0 ||
	    pack(buf, &len, envp) < 0 || fdlen > IPC_BUF_MAX - len) {
		errno = E2BIG;
		return -1;
	}
	memcpy(buf + len, fds, fdlen);
	len += fdlen;
	int64_t r = proc_request(PROC_EXEC, (uint64_t)argc, fdlen, 0, buf, len);
	errno = r < 0 ? (int)-r : EIO; /* a successful exec does not come back */
	return -1;
}

int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}
