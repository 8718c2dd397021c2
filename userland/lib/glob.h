/*
 * POSIX pathname pattern expansion (userland/lib/glob.c). It stands in for picolibc's
 * <glob.h>, which is BSD's (no GLOB_NOMATCH, GLOB_ABORTED or GLOB_NOESCAPE, an int
 * count) and comes with no glob() at all. The values are glibc's, so code built for
 * either agrees.
 */
#ifndef USER_GLOB_H
#define USER_GLOB_H

#include <stddef.h>

typedef struct {
	size_t gl_pathc; /* paths matched */
	char **gl_pathv; /* gl_offs null pointers, the paths, then a null pointer */
	size_t gl_offs;	 /* null pointers to leave at the start (GLOB_DOOFFS) */
} glob_t;

#define GLOB_ERR      (1 << 0) /* stop at a directory that cannot be read */
#define GLOB_MARK     (1 << 1) /* a '/' after each directory */
#define GLOB_NOSORT   (1 << 2) /* the order the directories give */
#define GLOB_DOOFFS   (1 << 3) /* leave gl_offs null pointers first */
#define GLOB_NOCHECK  (1 << 4) /* no match: the pattern itself */
#define GLOB_APPEND   (1 << 5) /* add to what an earlier call found */
#define GLOB_NOESCAPE (1 << 6) /* a backslash is an ordinary character */

#define GLOB_NOSPACE 1 /* out of memory */
#define GLOB_ABORTED 2 /* a read error, and GLOB_ERR or errfunc said stop */
#define GLOB_NOMATCH 3 /* nothing matched, and no GLOB_NOCHECK */

int glob(const char *restrict pattern, int flags, int (*errfunc)(const char *path, int err),
	 glob_t *restrict g);
void globfree(glob_t *g);

#endif
