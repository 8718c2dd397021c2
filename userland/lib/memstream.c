/*
 * Streams over memory, as POSIX specifies them: fmemopen over a caller's buffer (or one
 * it allocates), and open_memstream, whose buffer grows and is handed to the caller.
 * picolibc 1.8 has no open_memstream, and its fmemopen stops a read at the first NUL
 * byte and reports the end of the data as an error, so both are here.
 *
 * Each is a picolibc "ext" stream: a put, a get, a seek and a close function over the
 * struct below. picolibc streams are unbuffered, so every byte passes through put/get.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEMSTREAM_START 64 /* open_memstream's first buffer */

struct mem_file {
	struct __file_ext ext; /* first: picolibc sees a FILE */
	char *buf;
	size_t size; /* bytes of data: reads end here */
	size_t cap;  /* bytes of buffer: writes end here (fmemopen) */
	size_t pos;
	int append;	 /* every write goes to the end of the data */
	int owned;	 /* fmemopen allocated buf: free it at close */
	char **user_buf; /* open_memstream: where the caller sees the buffer */
	size_t *user_size;
};

static struct mem_file *mem_of(FILE *f)
{
	return (struct mem_file *)f;
}

/* Keep a NUL after the data when there is room, as both calls promise. */
static void terminate(struct mem_file *m)
{
	if (m->size < m->cap)
		m->buf[m->size] = '\0';
}

static int fmem_put(char c, FILE *f)
{
	struct mem_file *m = mem_of(f);
	if (m->append)
		m->pos = m->size;
	if (m->pos >= m->cap) {
		errno = ENOSPC;
		return _FDEV_ERR;
	}
	m->buf[m->pos++] = c;
	if (m->pos > m->size) {
		m->size = m->pos;
		terminate(m);
	}
	return (unsigned char)c;
}

static int fmem_get(FILE *f)
{
	struct mem_file *m = mem_of(f);
	if (m->pos >= m->size)
		return _FDEV_EOF;
	return (unsigned char)m->buf[m->pos++];
}

static int mem_flush(FILE *f)
{
	(void)f;
	return 0;
}

/* A seek may go anywhere in the buffer (fmemopen) or past the data (open_memstream). */
static __off_t mem_seek(FILE *f, __off_t off, int whence)
{
	struct mem_file *m = mem_of(f);
	__off_t base = whence == SEEK_SET   ? 0
		       : whence == SEEK_CUR ? (__off_t)m->pos
		       : whence == SEEK_END ? (__off_t)m->size
					    : -1;
	if (base < 0 || off < -base || (!m->user_buf && (size_t)(base + off) > m->cap)) {
		errno = EINVAL;
		return -1;
	}
	m->pos = (size_t)(base + off);
	return (__off_t)m->pos;
}

static int fmem_close(FILE *f)
{
	struct mem_file *m = mem_of(f);
	if (m->owned)
		free(m->buf);
	free(m);
	return 0;
}

/* "r", "w", "a", each with an optional '+' and 'b': the stream flags, or 0 if bad. */
static int mode_flags(const char *mode, int *append)
{
	int plus = strchr(mode, '+') != NULL;
	*append = mode[0] == 'a';
	switch (mode[0]) {
	case 'r':
		return plus ? __SRD | __SWR : __SRD;
	case 'w':
	case 'a':
		return plus ? __SRD | __SWR : __SWR;
	default:
		return 0;
	}
}

FILE *fmemopen(void *restrict buf, size_t size, const char *restrict mode)
{
	int append;
	int flags = mode ? mode_flags(mode, &append) : 0;
	if (!flags || size == 0) {
		errno = EINVAL;
		return NULL;
	}
	struct mem_file *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL; /* errno is ENOMEM */
	m->owned = buf == NULL;
	if (m->owned && !(buf = calloc(1, size))) {
		free(m);
		return NULL;
	}
	m->ext = (struct __file_ext)FDEV_SETUP_EXT(fmem_put, fmem_get, mem_flush, fmem_close,
						   mem_seek, NULL, flags);
	m->buf = buf;
	m->cap = size;
	m->append = append;
	if (mode[0] == 'r')
		m->size = size;
	else if (append)
		m->size = m->owned ? 0 : strnlen(buf, size);
	if (mode[0] == 'w')
		m->buf[0] = '\0';
	m->pos = append ? m->size : 0;
	return (FILE *)m;
}

/* Show the caller the buffer and the data's length (up to the position). */
static void publish(struct mem_file *m)
{
	*m->user_buf = m->buf;
	*m->user_size = m->pos < m->size ? m->pos : m->size;
}

/* Make room for one byte at pos and the NUL after the data; zero any gap. */
static int grow(struct mem_file *m)
{
	size_t need = (m->pos > m->size ? m->pos : m->size) + 2;
	if (need <= m->cap)
		return 0;
	size_t cap = m->cap * 2 > need ? m->cap * 2 : need;
	char *more = realloc(m->buf, cap);
	if (!more) {
		errno = ENOMEM;
		return -1;
	}
	memset(more + m->cap, 0, cap - m->cap);
	m->buf = more;
	m->cap = cap;
	return 0;
}

static int dyn_put(char c, FILE *f)
{
	struct mem_file *m = mem_of(f);
	if (grow(m) != 0)
		return _FDEV_ERR;
	m->buf[m->pos++] = c;
	if (m->pos > m->size)
		m->size = m->pos;
	terminate(m);
	publish(m);
	return (unsigned char)c;
}

static int dyn_flush(FILE *f)
{
	publish(mem_of(f));
	return 0;
}

/* The buffer is the caller's now: only the stream goes. */
static int dyn_close(FILE *f)
{
	struct mem_file *m = mem_of(f);
	publish(m);
	free(m);
	return 0;
}

FILE *open_memstream(char **bufp, size_t *sizep)
{
	if (!bufp || !sizep) {
		errno = EINVAL;
		return NULL;
	}
	struct mem_file *m = calloc(1, sizeof(*m));
	char *buf = calloc(1, MEMSTREAM_START);
	if (!m || !buf) {
		free(m);
		free(buf);
		errno = ENOMEM;
		return NULL;
	}
	m->ext = (struct __file_ext)FDEV_SETUP_EXT(dyn_put, NULL, dyn_flush, dyn_close, mem_seek,
						   NULL, __SWR);
	m->buf = buf;
	m->cap = MEMSTREAM_START;
	m->user_buf = bufp;
	m->user_size = sizep;
	publish(m);
	return (FILE *)m;
}
