/*
 * glob (POSIX): the paths a pattern matches, component by component. A component with
 * no unquoted '*', '?' or '[' is taken as it is; one with them is matched by fnmatch
 * against the names its directory lists (a leading '.' only by a leading '.'). The names
 * of one directory are read in full before going deeper, so a deep pattern holds one
 * directory open at a time. Plain C over opendir/readdir/stat/fnmatch: the host tests
 * run it too (test/host/test_glob.c).
 */
#include "glob.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define GLOB_PATH_MAX 4096 /* the longest path built (PATH_MAX on the host) */

struct walk {
	int flags;
	int (*errfunc)(const char *, int);
	char **found; /* this call's matches, malloc'd */
	size_t n, cap;
	int err;      /* 0, GLOB_NOSPACE or GLOB_ABORTED: stop */
	char *path;   /* GLOB_PATH_MAX bytes: the path built so far */
	int want_dir; /* the pattern ends in '/': only directories match */
};

/* Does component c (n bytes) hold a wildcard that is not escaped? */
static int has_magic(const char *c, size_t n, int noescape)
{
	for (size_t i = 0; i < n; i++) {
		if (c[i] == '\\' && !noescape && i + 1 < n)
			i++;
		else if (c[i] == '*' || c[i] == '?' || c[i] == '[')
			return 1;
	}
	return 0;
}

/* Append a path to the matches (with '/' after a directory for GLOB_MARK). */
static void add(struct walk *w, const char *p, int is_dir)
{
	size_t len = strlen(p), mark = (w->flags & GLOB_MARK) && is_dir && len && p[len - 1] != '/';
	char *copy = malloc(len + mark + 1);
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 16;
		char **grown = copy ? realloc(w->found, cap * sizeof(*grown)) : 0;
		if (grown) {
			w->found = grown;
			w->cap = cap;
		}
	}
	if (!copy || w->n == w->cap) {
		free(copy);
		w->err = GLOB_NOSPACE;
		return;
	}
	memcpy(copy, p, len);
	if (mark)
		copy[len++] = '/';
	copy[len] = 0;
	w->found[w->n++] = copy;
}

/* The whole pattern is used up: path names a match if it exists. */
static void leaf(struct walk *w)
{
	struct stat st;
	const char *p = w->path[0] ? w->path : ".";
	if (stat(p, &st) != 0 || (w->want_dir && !S_ISDIR(st.st_mode)))
		return;
	add(w, w->path, S_ISDIR(st.st_mode));
}

/* A directory we could not read: the caller's errfunc, then GLOB_ERR, decide. */
static void unreadable(struct walk *w, const char *dir, int err)
{
	if (err == ENOENT || err == ENOTDIR)
		return; /* nothing there to match */
	if ((w->errfunc && w->errfunc(dir, err)) || (w->flags & GLOB_ERR))
		w->err = GLOB_ABORTED;
}

/* The names in directory dir that component pattern pat matches, malloc'd; or 0. */
static char **matching(struct walk *w, const char *dir, const char *pat, size_t *count)
{
	DIR *d = opendir(dir);
	char **names = 0;
	size_t n = 0, cap = 0;
	int flags = FNM_PERIOD | ((w->flags & GLOB_NOESCAPE) ? FNM_NOESCAPE : 0);
	struct dirent *e = 0;
	if (!d) {
		unreadable(w, dir, errno);
		return 0;
	}
	while (!w->err && (e = readdir(d)) != 0) {
		if (fnmatch(pat, e->d_name, flags) != 0)
			continue;
		if (n == cap) {
			char **grown = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof(*grown));
			if (!grown)
				break;
			names = grown;
		}
		if (!(names[n] = strdup(e->d_name)))
			break;
		n++;
	}
	if (e && !w->err) /* stopped early: out of memory */
		w->err = GLOB_NOSPACE;
	closedir(d);
	*count = n;
	return names;
}

static void expand(struct walk *w, size_t plen, const char *rest);

/* Put component c (n bytes) after the path: a '/' between, backslashes taken out unless
 * GLOB_NOESCAPE. 0, or -1 if the path would be too long. */
static int append(struct walk *w, size_t *plen, const char *c, size_t n, int unescape)
{
	size_t len = *plen;
	if (len && w->path[len - 1] != '/')
		w->path[len++] = '/';
	for (size_t i = 0; i < n; i++) {
		if (unescape && c[i] == '\\' && i + 1 < n)
			i++;
		if (len + 1 >= GLOB_PATH_MAX)
			return -1;
		w->path[len++] = c[i];
	}
	w->path[len] = 0;
	*plen = len;
	return 0;
}

/* Match the wildcard component c (n bytes) in the directory the path names so far. */
static void expand_magic(struct walk *w, size_t plen, const char *c, size_t n, const char *next)
{
	char *pat = malloc(n + 1);
	size_t count = 0;
	if (!pat) {
		w->err = GLOB_NOSPACE;
		return;
	}
	memcpy(pat, c, n);
	pat[n] = 0;
	char **names = matching(w, plen ? w->path : ".", pat, &count);
	free(pat);
	for (size_t i = 0; i < count; i++) {
		size_t len = plen;
		if (!w->err && append(w, &len, names[i], strlen(names[i]), 0) == 0)
			expand(w, len, next);
		w->path[plen] = 0;
		free(names[i]);
	}
	free(names);
}

/* Expand the rest of the pattern after the path's first plen bytes. */
static void expand(struct walk *w, size_t plen, const char *rest)
{
	while (*rest == '/') { /* the root, or repeated slashes: kept as one */
		if (plen == 0 || w->path[plen - 1] != '/') {
			if (plen + 1 >= GLOB_PATH_MAX)
				return;
			w->path[plen++] = '/';
			w->path[plen] = 0;
		}
		rest++;
	}
	if (!*rest) {
		leaf(w);
		return;
	}
	size_t n = strcspn(rest, "/");
	const char *next = rest + n;
	if (has_magic(rest, n, w->flags & GLOB_NOESCAPE)) {
		expand_magic(w, plen, rest, n, next);
		return;
	}
	size_t len = plen;
	if (append(w, &len, rest, n, !(w->flags & GLOB_NOESCAPE)) == 0)
		expand(w, len, next);
	w->path[plen] = 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add this call's matches to g (after what GLOB_APPEND keeps): 0 or GLOB_NOSPACE. */
static int publish(glob_t *g, int flags, char **found, size_t n)
{
	size_t offs = (flags & GLOB_DOOFFS) ? g->gl_offs : 0;
	size_t old = (flags & GLOB_APPEND) && g->gl_pathv ? g->gl_pathc : 0;
	char **v =
		realloc((flags & GLOB_APPEND) ? g->gl_pathv : 0, (offs + old + n + 1) * sizeof(*v));
	if (!v)
		return GLOB_NOSPACE;
	for (size_t i = 0; i < offs && !old; i++)
		v[i] = 0;
	if (n)
		memcpy(v + offs + old, found, n * sizeof(*v));
	v[offs + old + n] = 0;
	g->gl_pathv = v;
	g->gl_pathc = old + n;
	return 0;
}

int glob(const char *restrict pattern, int flags, int (*errfunc)(const char *path, int err),
	 glob_t *restrict g)
{
	struct walk w = { .flags = flags, .errfunc = errfunc };
	size_t plen = strlen(pattern);
	if (!(flags & GLOB_APPEND)) {
		g->gl_pathc = 0;
		g->gl_pathv = 0;
	}
	if (!(flags & GLOB_DOOFFS))
		g->gl_offs = 0;
	w.path = malloc(GLOB_PATH_MAX);
	if (!w.path)
		return GLOB_NOSPACE;
	w.path[0] = 0;
	w.want_dir = plen && pattern[plen - 1] == '/';
	if (plen)
		expand(&w, 0, pattern);
	free(w.path);
	if (!(flags & GLOB_NOSORT) && w.n > 1)
		qsort(w.found, w.n, sizeof(*w.found), by_name);
	if (w.n == 0 && !w.err && (flags & GLOB_NOCHECK))
		add(&w, pattern, 0);
	int err = publish(g, flags, w.found, w.err == GLOB_NOSPACE ? 0 : w.n);
	if (err || w.err == GLOB_NOSPACE)
		for (size_t i = 0; i < w.n; i++)
			free(w.found[i]);
	free(w.found);
	if (err || w.err)
		return err ? err : w.err;
	return w.n ? 0 : GLOB_NOMATCH;
}

void globfree(glob_t *g)
{
	if (!g->gl_pathv)
		return;
	for (size_t i = 0; i < g->gl_pathc; i++)
		free(g->gl_pathv[g->gl_offs + i]);
	free(g->gl_pathv);
	g->gl_pathv = 0;
	g->gl_pathc = 0;
}
