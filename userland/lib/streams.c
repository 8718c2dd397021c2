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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The record is made first: with no memory for it, no stream either (ENOMEM). */
FILE *__wrap_fdopen(int fd, const char *mode)
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
	pthread_mutex_lock(&streams_lock);
	*s = (struct stream){ f, streams };
	streams = s;
	pthread_mutex_unlock(&streams_lock);
	return f;
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

int __real_setenv(const char *name, const char *value, int overwrite);

/* POSIX: an empty name, or one with '=', is EINVAL (picolibc 1.8 took an empty one). */
int __wrap_setenv(const char *name, const char *value, int overwrite)
{
	if (!name || !*name || strchr(name, '=')) {
		errno = EINVAL;
		return -1;
	}
	return __real_setenv(name, value, overwrite);
}
