/*
 * fopen, freopen and remove, as C11 and POSIX give them. picolibc 1.8's fopen ignores
 * the 'x' flag, so fopen(path, "wx") truncated a file it should have refused (EEXIST),
 * and it has no 'e' (close on exec); its remove only unlinks, so a directory gave EPERM
 * where POSIX says remove is rmdir. fopen opens the descriptor here and hands it to
 * picolibc's fdopen, which builds the buffered stream. freopen wraps picolibc's
 * (userland/build.mk), which could not reopen the standard streams (not its buffered
 * kind: libc_glue.c) and ignored 'x' and 'e' as fopen did.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

FILE *streams_fdopen(int fd, const char *mode, int at_zero); /* streams.c */

#define MODE_MAX 8 /* "r+b" and friends: what fdopen is passed */

/*
 * Mode to open flags, and the mode fdopen understands in plain: "r", "w" or "a", then
 * any of '+', 'b', 'x' (O_EXCL), 'e' (O_CLOEXEC). -1 for anything else.
 */
static int mode_flags(const char *mode, char plain[MODE_MAX])
{
	int acc, flags, n = 0, plus = 0;
	switch (mode[0]) {
	case 'r':
		flags = 0;
		break;
	case 'w':
		flags = O_CREAT | O_TRUNC;
		break;
	case 'a':
		flags = O_CREAT | O_APPEND;
		break;
	default:
		return -1;
	}
	plain[n++] = mode[0];
	for (const char *m = mode + 1; *m; m++) {
		if (*m == '+' && !plus)
			plus = 1;
		else if (*m == 'x' && mode[0] != 'r')
			flags |= O_EXCL;
		else if (*m == 'e')
			flags |= O_CLOEXEC;
		else if (*m != 'b')
			return -1;
	}
	if (plus)
		plain[n++] = '+';
	plain[n] = '\0';
	acc = plus ? O_RDWR : mode[0] == 'r' ? O_RDONLY : O_WRONLY;
	return flags | acc;
}

FILE *fopen(const char *restrict path, const char *restrict mode)
{
	char plain[MODE_MAX];
	int flags = mode ? mode_flags(mode, plain) : -1;
	if (flags < 0) {
		errno = EINVAL;
		return NULL;
	}
	int fd = open(path, flags, 0666);
	if (fd < 0)
		return NULL;
	FILE *f = streams_fdopen(fd, plain, !(flags & O_APPEND));
	if (!f) {
		int err = errno;
		close(fd);
		errno = err;
	}
	return f;
}

FILE *__real_freopen(const char *path, const char *mode, FILE *f);

/* freopen(NULL, mode, f): the same descriptor, if its access allows mode (else EBADF). */
static FILE *reopen_same(int fd, int flags, FILE *f)
{
	int now = fcntl(fd, F_GETFL);
	int want = flags & O_ACCMODE, has = now & O_ACCMODE;
	if (now < 0)
		return NULL;
	if (has != O_RDWR && want != has) {
		errno = EBADF;
		return NULL;
	}
	if (fcntl(fd, F_SETFL, (now & ~O_APPEND) | (flags & O_APPEND)) < 0)
		return NULL;
	return f;
}

/*
 * stdin, stdout and stderr read and write their descriptor (0, 1, 2) whenever it is not
 * the console (libc_glue.c), so reopening one is POSIX's steps on that descriptor: close
 * it, open the file, and give the file that number.
 */
static FILE *reopen_std(const char *path, int flags, FILE *f)
{
	int std = fileno(f);
	if (!path)
		return reopen_same(std, flags, f);
	close(std);
	int fd = open(path, flags, 0666);
	if (fd < 0)
		return NULL;
	if (fd != std) {
		int ok = dup2(fd, std) == std;
		int err = errno;
		close(fd);
		if (!ok) {
			errno = err;
			return NULL;
		}
		if (flags & O_CLOEXEC) /* dup2 made it without */
			fcntl(std, F_SETFD, FD_CLOEXEC);
	}
	return f;
}

/*
 * C11 7.21.5.4 and POSIX freopen: flush, then open path (or, with no path, keep the
 * descriptor and change the mode) on the same stream, indicators cleared. 'x' is
 * O_EXCL: an existing file is refused (EEXIST) and left as it was.
 */
FILE *__wrap_freopen(const char *restrict path, const char *restrict mode, FILE *restrict f)
{
	char plain[MODE_MAX];
	int flags = mode ? mode_flags(mode, plain) : -1;
	if (flags < 0) {
		errno = EINVAL;
		return NULL;
	}
	fflush(f);
	clearerr(f);
	f->unget = 0;
	if (f == stdin || f == stdout || f == stderr)
		return reopen_std(path, flags, f);
	if (!path) {
		if (!reopen_same(fileno(f), flags, f))
			return NULL;
		int acc = flags & O_ACCMODE;
		f->flags = (uint8_t)((f->flags & ~(__SRD | __SWR)) | (acc != O_WRONLY ? __SRD : 0) |
				     (acc != O_RDONLY ? __SWR : 0));
		return f;
	}
	if (flags & O_EXCL) {
		int fd = open(path, flags, 0666); /* made here, empty, or refused */
		if (fd < 0)
			return NULL;
		close(fd);
	}
	if (!__real_freopen(path, plain, f))
		return NULL;
	if (flags & O_CLOEXEC)
		fcntl(fileno(f), F_SETFD, FD_CLOEXEC);
	return f;
}

/* POSIX: unlink for a file, rmdir for a directory. */
int remove(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return -1;
	return S_ISDIR(st.st_mode) ? rmdir(path) : unlink(path);
}
