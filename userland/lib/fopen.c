/*
 * fopen and remove, as C11 and POSIX give them. picolibc 1.8's fopen ignores the 'x'
 * flag, so fopen(path, "wx") truncated a file it should have refused (EEXIST), and it
 * has no 'e' (close on exec); its remove only unlinks, so a directory gave EPERM where
 * POSIX says remove is rmdir. fopen opens the descriptor here and hands it to
 * picolibc's fdopen, which builds the buffered stream.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

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
	FILE *f = fdopen(fd, plain);
	if (!f) {
		int err = errno;
		close(fd);
		errno = err;
	}
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
