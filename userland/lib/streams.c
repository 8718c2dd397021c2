/*
 * Every buffered stream fdopen makes (fopen's and popen's too) in one list, so that exit
 * and fflush(NULL) flush them all, as POSIX asks: picolibc 1.8 keeps no such list, and
 * its exit flushed nothing but the console streams (libc_glue.c), so a program that
 * wrote to a file with fprintf and then returned from main lost what was still in the
 * buffer. The link wraps fdopen, fclose, fflush and setenv (userland/build.mk): each
 * wrapper keeps the list or checks what picolibc 1.8 did not, then calls picolibc's own.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio-bufio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "fmtext.h"
#include "pthread_impl.h"

FILE *__real_fdopen(int fd, const char *mode);
int __real_fclose(FILE *f);
int __real_fflush(FILE *f);

struct stream {
	FILE *f;
	struct stream *next;
};

static struct stream *streams;
static pthread_mutex_t streams_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * POSIX fdopen: the stream's position is the descriptor's offset. picolibc 1.8's
 * buffered stream starts counting at 0, so ftell answered from 0 and its next seek
 * moved the descriptor there. A descriptor that cannot seek (a pipe) keeps 0.
 */
static void start_at_offset(FILE *f, int fd)
{
	int saved = errno;
	off_t at = lseek(fd, 0, SEEK_CUR);
	if (at > 0 && (f->flags & __SBUF))
		((struct __file_bufio *)f)->pos = at;
	errno = saved;
}

/*
 * The record is made first: with no memory for it, no stream either (ENOMEM). fopen
 * calls this with at_zero set: its descriptor is new, so asking the file server for the
 * offset would cost a round trip for nothing.
 */
FILE *streams_fdopen(int fd, const char *mode, int at_zero)
{
	struct stream *s = malloc(sizeof(*s));
	if (!s) {
		errno = ENOMEM;
		return 0;
	}
	FILE *f = __real_fdopen(fd, mode);
	if (!f) {
		free(s);
		return 0;
	}
	if (!at_zero)
		start_at_offset(f, fd);
	pthread_mutex_lock(&streams_lock);
	*s = (struct stream){ f, streams };
	streams = s;
	pthread_mutex_unlock(&streams_lock);
	return f;
}

FILE *__wrap_fdopen(int fd, const char *mode)
{
	return streams_fdopen(fd, mode, 0);
}

int __wrap_fclose(FILE *f)
{
	struct stream *gone = 0;
	pthread_mutex_lock(&streams_lock);
	for (struct stream **p = &streams; *p; p = &(*p)->next)
		if ((*p)->f == f) {
			gone = *p;
			*p = gone->next;
			break;
		}
	pthread_mutex_unlock(&streams_lock);
	free(gone);
	return __real_fclose(f);
}

/*
 * fork in a process with threads holds the list's lock across the copy (pthread.c), as
 * it does the C library's own: a child never finds it taken by a thread it does not have.
 */
void streams_fork(int phase)
{
	if (phase == FORK_PHASE_PREPARE)
		pthread_mutex_lock(&streams_lock);
	else
		pthread_mutex_unlock(&streams_lock);
}

/* Each stream in the list: EOF if any flush failed. */
static int flush_list(void)
{
	int r = 0;
	pthread_mutex_lock(&streams_lock);
	for (struct stream *s = streams; s; s = s->next)
		if (__real_fflush(s->f) == EOF)
			r = EOF;
	pthread_mutex_unlock(&streams_lock);
	return r;
}

int __wrap_fflush(FILE *f)
{
	/* A failed write sets the stream's error indicator (C11 7.21.5.2): picolibc's did not. */
	if (f) {
		int r = __real_fflush(f);
		if (r == EOF)
			f->flags |= __SERR;
		return r;
	}
	int r = flush_list();
	if (__real_fflush(stdout) == EOF || __real_fflush(stderr) == EOF)
		r = EOF;
	return r;
}

/*
 * exit runs this after the atexit handlers (picolibc's __libc_fini_array); _exit does
 * not. The console streams flush themselves then too (libc_glue.c); a program that made
 * no stream pays one test.
 */
__attribute__((destructor)) static void streams_at_exit(void)
{
	if (streams)
		flush_list();
}

/*
 * C11 7.21.7.10: after ungetc the position is one less than before it (for a binary
 * stream, which every POSIX stream is), until the character is read or the stream
 * positioned. picolibc 1.8's ftell asks the descriptor's position and forgets the
 * pushed-back byte, and its fseek from SEEK_CUR counts from there too.
 */
off_t __real_ftello(FILE *f);
long __real_ftell(FILE *f);
int __real_fseeko(FILE *f, off_t off, int whence);
int __real_fseek(FILE *f, long off, int whence);

static int pushed_back(const FILE *f)
{
	return f && f->unget != 0;
}

off_t __wrap_ftello(FILE *f)
{
	off_t at = __real_ftello(f);
	return at > 0 && pushed_back(f) ? at - 1 : at;
}

long __wrap_ftell(FILE *f)
{
	long at = __real_ftell(f);
	return at > 0 && pushed_back(f) ? at - 1 : at;
}

int __wrap_fseeko(FILE *f, off_t off, int whence)
{
	return __real_fseeko(f, whence == SEEK_CUR && pushed_back(f) ? off - 1 : off, whence);
}

int __wrap_fseek(FILE *f, long off, int whence)
{
	return __real_fseek(f, whence == SEEK_CUR && pushed_back(f) ? off - 1 : off, whence);
}

/*
 * C11 7.21.7 and POSIX: a stream used in a direction it was not opened for fails (EBADF)
 * and sets its error indicator, and so does any failed write, an unbuffered stream's
 * too. picolibc 1.8 returned EOF (or 0) and set neither. These wrap its entry points;
 * its formatted output and input come through vfprintf and vfscanf.
 */
int __real_fputc(int c, FILE *f);
int __real_fgetc(FILE *f);
int __real_fputs(const char *str, FILE *f);
char *__real_fgets(char *str, int n, FILE *f);
size_t __real_fwrite(const void *p, size_t size, size_t n, FILE *f);
size_t __real_fread(void *p, size_t size, size_t n, FILE *f);
int __real_vfprintf(FILE *f, const char *fmt, va_list ap);
int __real_vfscanf(FILE *f, const char *fmt, va_list ap);

/* Is f not open for need (__SRD or __SWR)? Then the call fails, as the standard says. */
static int wrong_way(FILE *f, unsigned need)
{
	if (!f || (f->flags & need))
		return 0;
	f->flags |= __SERR;
	errno = EBADF;
	return 1;
}

int __wrap_fputc(int c, FILE *f)
{
	if (wrong_way(f, __SWR))
		return EOF;
	int r = __real_fputc(c, f);
	if (r == EOF)
		f->flags |= __SERR; /* fputc returns EOF only for a write error */
	return r;
}

int __wrap_fgetc(FILE *f)
{
	return wrong_way(f, __SRD) ? EOF : __real_fgetc(f);
}

int __wrap_fputs(const char *str, FILE *f)
{
	return wrong_way(f, __SWR) ? EOF : __real_fputs(str, f);
}

char *__wrap_fgets(char *str, int n, FILE *f)
{
	return wrong_way(f, __SRD) ? NULL : __real_fgets(str, n, f);
}

size_t __wrap_fwrite(const void *p, size_t size, size_t n, FILE *f)
{
	return wrong_way(f, __SWR) ? 0 : __real_fwrite(p, size, n, f);
}

size_t __wrap_fread(void *p, size_t size, size_t n, FILE *f)
{
	return wrong_way(f, __SRD) ? 0 : __real_fread(p, size, n, f);
}

/* One conversion of fmtext_printf's, or one pass of fmtext_scanf's, through picolibc. */
static int print_one(void *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = __real_vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}

static int scan_all(void *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = __real_vfscanf(f, fmt, ap);
	va_end(ap);
	return r;
}

/* printf's %n and long doubles are ours (fmtext.c); the rest is picolibc's. */
int __wrap_vfprintf(FILE *f, const char *fmt, va_list ap)
{
	if (wrong_way(f, __SWR))
		return EOF;
	if (fmtext_printf_needed(fmt))
		return fmtext_printf(print_one, f, fmt, ap);
	return __real_vfprintf(f, fmt, ap);
}

int __wrap_vfscanf(FILE *f, const char *fmt, va_list ap)
{
	if (wrong_way(f, __SRD))
		return EOF;
	if (fmtext_scanf_needed(fmt))
		return fmtext_scanf(scan_all, f, fmt, ap);
	return __real_vfscanf(f, fmt, ap);
}

int __real_setenv(const char *name, const char *value, int overwrite);

/*
 * POSIX putenv: the caller's string itself becomes the environment's entry, so that
 * changing it changes the environment (picolibc 1.8 copied it). picolibc's setenv
 * writes a new value into the entry's string when it fits; into a string of the
 * caller's (a literal, perhaps) it must not, so setenv drops such an entry first
 * (put_strings remembers them; past PUT_MAX of them, setenv drops any entry it replaces,
 * which costs picolibc's copy of the old one). The environment's lock is picolibc's.
 */
#define PUT_MAX 32
static char *put_strings[PUT_MAX];
static unsigned put_count;
static char **put_array; /* the last environ we made, which we may free */

extern char **environ;
extern struct __lock __lock___libc_recursive_mutex;
void __retarget_lock_acquire_recursive(struct __lock *lock);
void __retarget_lock_release_recursive(struct __lock *lock);

/* The entry of environ named by the n bytes at name (n > 0): its index, or -1. */
static int env_find(const char *name, size_t n)
{
	for (int i = 0; environ && environ[i]; i++)
		if (strncmp(environ[i], name, n) == 0 && environ[i][n] == '=')
			return i;
	return -1;
}

/* Is s one of the caller's strings (from putenv), or might it be (the record overflowed)? */
static int put_string(const char *s)
{
	for (unsigned i = 0; i < put_count && i < PUT_MAX; i++)
		if (put_strings[i] == s)
			return 1;
	return put_count > PUT_MAX;
}

/* environ, one entry longer, ending in s: 0, or -1 (ENOMEM). */
static int env_append(char *s)
{
	int n = 0;
	while (environ && environ[n])
		n++;
	char **grown = malloc((size_t)(n + 2) * sizeof(*grown));
	if (!grown)
		return -1;
	for (int i = 0; i < n; i++)
		grown[i] = environ[i];
	grown[n] = s;
	grown[n + 1] = 0;
	if (environ == put_array)
		free(put_array); /* ours; picolibc's own array is left to it */
	environ = put_array = grown;
	return 0;
}

int putenv(char *string)
{
	const char *eq = string ? strchr(string, '=') : 0;
	if (!eq || eq == string) {
		errno = EINVAL; /* POSIX leaves a string without a name undefined */
		return -1;
	}
	int r = 0;
	__retarget_lock_acquire_recursive(&__lock___libc_recursive_mutex);
	int i = env_find(string, (size_t)(eq - string));
	if (i >= 0)
		environ[i] = string;
	else
		r = env_append(string);
	if (r == 0) {
		if (put_count < PUT_MAX)
			put_strings[put_count] = string;
		if (put_count <= PUT_MAX)
			put_count++;
	}
	__retarget_lock_release_recursive(&__lock___libc_recursive_mutex);
	if (r)
		errno = ENOMEM;
	return r;
}

/* POSIX: an empty name, or one with '=', is EINVAL (picolibc 1.8 took an empty one). */
int __wrap_setenv(const char *name, const char *value, int overwrite)
{
	if (!name || !*name || strchr(name, '=')) {
		errno = EINVAL;
		return -1;
	}
	if (!overwrite || !put_count)
		return __real_setenv(name, value, overwrite);
	__retarget_lock_acquire_recursive(&__lock___libc_recursive_mutex); /* recursive */
	int i = env_find(name, strlen(name));
	if (i >= 0 && put_string(environ[i]))
		unsetenv(name); /* the caller's string stays as it is */
	int r = __real_setenv(name, value, overwrite);
	__retarget_lock_release_recursive(&__lock___libc_recursive_mutex);
	return r;
}
