/*
 * The stdio calls POSIX has and picolibc's does not (docs/userland.md): getline and
 * getdelim, dprintf and vdprintf, fgetpos and fsetpos, and the explicit stream locks
 * with the _unlocked character calls; and fgets, because picolibc 1.8's returns NULL
 * when the end of the file ends a line, losing a last line without its newline.
 * picolibc's streams take no lock of their own, so flockfile is one process-wide
 * recursive lock: it orders whole sequences of calls between threads that ask for it,
 * which is what POSIX promises it for.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define LINE_START 128 /* getdelim's first buffer */

ssize_t getdelim(char **line, size_t *size, int delim, FILE *f)
{
	size_t n = 0;
	int c;
	if (!line || !size || !f) {
		errno = EINVAL;
		return -1;
	}
	while ((c = getc(f)) != EOF) {
		if (n + 2 > *size || !*line) { /* room for c and the NUL */
			size_t grown = *size > LINE_START / 2 ? *size * 2 : LINE_START;
			char *more = realloc(*line, grown);
			if (!more) {
				errno = ENOMEM;
				return -1;
			}
			*line = more;
			*size = grown;
		}
		(*line)[n++] = (char)c;
		if (c == delim)
			break;
	}
	if (n == 0)
		return -1; /* end of file (or an error) before any byte */
	(*line)[n] = 0;
	return (ssize_t)n;
}

/* POSIX: NULL only when nothing was read; a line cut short by the end is still a line. */
char *fgets(char *restrict s, int size, FILE *restrict f)
{
	int n = 0, c = 0;
	if (size <= 0) {
		errno = EINVAL;
		return NULL;
	}
	while (n < size - 1 && c != '\n' && (c = getc(f)) != EOF)
		s[n++] = (char)c;
	if (n == 0 && size > 1)
		return NULL;
	s[n] = '\0';
	return s;
}

ssize_t getline(char **line, size_t *size, FILE *f)
{
	return getdelim(line, size, '\n', f);
}

int vdprintf(int fd, const char *fmt, va_list ap)
{
	char small[256];
	va_list again;
	va_copy(again, ap);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	char *text = small;
	if (n >= (int)sizeof(small) && !(text = malloc((size_t)n + 1))) {
		va_end(again);
		errno = ENOMEM;
		return -1;
	}
	if (text != small)
		vsnprintf(text, (size_t)n + 1, fmt, again);
	va_end(again);
	int done = 0;
	while (n > 0 && done < n) {
		ssize_t w = write(fd, text + done, (size_t)(n - done));
		if (w < 0 && errno != EINTR)
			break;
		done += w > 0 ? (int)w : 0;
	}
	if (text != small)
		free(text);
	return n < 0 || done < n ? -1 : n;
}

int dprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vdprintf(fd, fmt, ap);
	va_end(ap);
	return n;
}

int fgetpos(FILE *f, fpos_t *pos)
{
	off_t at = ftello(f);
	if (at < 0)
		return -1;
	*pos = at;
	return 0;
}

int fsetpos(FILE *f, fpos_t *pos)
{
	return fseeko(f, (off_t)*pos, SEEK_SET);
}

static pthread_mutex_t streams_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

void flockfile(FILE *f)
{
	(void)f;
	pthread_mutex_lock(&streams_lock);
}

int ftrylockfile(FILE *f)
{
	(void)f;
	return pthread_mutex_trylock(&streams_lock) == 0 ? 0 : -1;
}

void funlockfile(FILE *f)
{
	(void)f;
	pthread_mutex_unlock(&streams_lock);
}

int getc_unlocked(FILE *f)
{
	return getc(f);
}

int getchar_unlocked(void)
{
	return getchar();
}

int putc_unlocked(int c, FILE *f)
{
	return putc(c, f);
}

int putchar_unlocked(int c)
{
	return putchar(c);
}
