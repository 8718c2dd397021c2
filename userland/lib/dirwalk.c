/*
 * Directory streams beyond readdir, and tree walks (docs/userland.md): telldir and
 * seekdir (a stream's position is the file server's cursor for its next entry),
 * readdir_r, scandir with alphasort, and nftw and ftw. The walk holds one stream per
 * level open at most, so fd_limit never needs to close and reopen one: a deeper tree
 * than the descriptor table allows gives EMFILE.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"

long telldir(DIR *d)
{
	return (long)d->next;
}

void seekdir(DIR *d, long pos)
{
	if (pos >= 0)
		d->next = (unsigned)pos;
}

int readdir_r(DIR *d, struct dirent *entry, struct dirent **result)
{
	int saved = errno;
	errno = 0;
	struct dirent *e = readdir(d);
	if (!e) {
		*result = 0;
		int err = errno;
		errno = saved;
		return err;
	}
	*entry = *e;
	*result = entry;
	errno = saved;
	return 0;
}

int alphasort(const struct dirent **a, const struct dirent **b)
{
	return strcoll((*a)->d_name, (*b)->d_name);
}

static int (*scandir_cmp)(const struct dirent **, const struct dirent **);

static int qsort_cmp(const void *a, const void *b)
{
	return scandir_cmp((const struct dirent **)a, (const struct dirent **)b);
}

/* The entries filter keeps (all if null), sorted by cmp (none if null), in a new array. */
int scandir(const char *path, struct dirent ***list, int (*filter)(const struct dirent *),
	    int (*cmp)(const struct dirent **, const struct dirent **))
{
	DIR *d = opendir(path);
	struct dirent **v = 0, *e;
	size_t n = 0, room = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)) != 0) {
		if (filter && !filter(e))
			continue;
		if (n == room) {
			room = room ? 2 * room : 16;
			struct dirent **more = realloc(v, room * sizeof(*v));
			if (!more)
				goto fail;
			v = more;
		}
		if (!(v[n] = malloc(sizeof(*e))))
			goto fail;
		*v[n++] = *e;
	}
	closedir(d);
	if (cmp && n > 1) {
		scandir_cmp = cmp;
		qsort(v, n, sizeof(*v), qsort_cmp);
	}
	*list = v;
	return (int)n;
fail:
	while (n)
		free(v[--n]);
	free(v);
	closedir(d);
	errno = ENOMEM;
	return -1;
}

struct walk {
	int (*fn)(const char *, const struct stat *, int, struct FTW *);
	int flags;
	char path[FS_PATH_MAX];
};

/* One name (path's length len) at depth level: the callback's value, or 0 to go on. */
static int walk_one(struct walk *w, size_t len, int level)
{
	struct stat st;
	struct FTW f = { 0, level };
	const char *slash = strrchr(w->path, '/');
	f.base = slash && slash[1] ? (int)(slash - w->path + 1) : 0;
	/* FTW_PHYS: a symbolic link is reported (FTW_SL), not followed; else followed, and
	 * one that names nothing is FTW_SLN. */
	int phys = w->flags & FTW_PHYS;
	if ((phys ? lstat(w->path, &st) : stat(w->path, &st)) != 0) {
		int dangling = !phys && lstat(w->path, &st) == 0 && S_ISLNK(st.st_mode);
		return w->fn(w->path, &st, dangling ? FTW_SLN : FTW_NS, &f);
	}
	if (S_ISLNK(st.st_mode))
		return w->fn(w->path, &st, FTW_SL, &f);
	if (!S_ISDIR(st.st_mode))
		return w->fn(w->path, &st, FTW_F, &f);
	DIR *d = opendir(w->path);
	if (!d)
		return errno == EMFILE ? -1 : w->fn(w->path, &st, FTW_DNR, &f);
	int r = (w->flags & FTW_DEPTH) ? 0 : w->fn(w->path, &st, FTW_D, &f);
	struct dirent *e;
	while (!r && (e = readdir(d)) != 0) {
		size_t n = strlen(e->d_name);
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		size_t sep = len && w->path[len - 1] != '/';
		if (len + sep + n + 1 > sizeof(w->path)) {
			errno = ENAMETOOLONG;
			r = -1;
			break;
		}
		if (sep)
			w->path[len] = '/';
		memcpy(w->path + len + sep, e->d_name, n + 1);
		r = walk_one(w, len + sep + n, level + 1);
		w->path[len] = 0;
	}
	closedir(d);
	if (!r && (w->flags & FTW_DEPTH))
		r = w->fn(w->path, &st, FTW_DP, &f);
	return r;
}

int nftw(const char *path, int (*fn)(const char *, const struct stat *, int, struct FTW *),
	 int fd_limit, int flags)
{
	size_t len = path ? strlen(path) : 0;
	if (fd_limit < 1 || !path) {
		errno = EINVAL;
		return -1;
	}
	if (!len) {
		errno = ENOENT;
		return -1;
	}
	if (len >= FS_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	struct walk *w = malloc(sizeof(*w)); /* the path is big: not on a thread's stack */
	if (!w) {
		errno = ENOMEM;
		return -1;
	}
	w->fn = fn;
	w->flags = flags;
	memcpy(w->path, path, len + 1);
	int r = walk_one(w, len, 0);
	free(w);
	return r;
}

/* ftw's callback has no struct FTW: nftw calls it through this, one walk at a time. */
static int (*ftw_fn)(const char *, const struct stat *, int);

static int ftw_adapter(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)f;
	return ftw_fn(path, st, type);
}

int ftw(const char *path, int (*fn)(const char *, const struct stat *, int), int fd_limit)
{
	ftw_fn = fn;
	return nftw(path, ftw_adapter, fd_limit, 0); /* ftw follows symbolic links */
}
