/*
 * rm [-fRr] file...: remove each file. A directory needs -R (or -r), which removes
 * everything under it first. -f: a file that does not exist is no error and no message.
 * "." and ".." are refused. Exit status 1 if anything could not be removed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_MAX_ 256

static int opt_f, opt_r;

static int fail(const char *path, int err)
{
	if (opt_f && err == ENOENT)
		return 0;
	fprintf(stderr, "rm: %s: %s\n", path, strerror(err));
	return 1;
}

static int remove_path(const char *path);

/* The names in dir but . and .. (malloc'd): how many, or -1. Read before removing any. */
static long read_names(const char *dir, char ***names)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	long n = 0, cap = 0;
	*names = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n == cap) {
			char **p = realloc(*names, (size_t)(cap = cap ? cap * 2 : 32) * sizeof(*p));
			if (!p)
				break;
			*names = p;
		}
		if (!((*names)[n] = strdup(e->d_name)))
			break;
		n++;
	}
	closedir(d);
	return n;
}

/* Remove what the directory holds, then the directory: 0, or 1. */
static int remove_tree(const char *dir)
{
	char path[PATH_MAX_], **names;
	int status = 0;
	long n = read_names(dir, &names);
	if (n < 0)
		return fail(dir, errno);
	for (long i = 0; i < n; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= (int)sizeof(path))
			status |= fail(path, ENAMETOOLONG);
		else
			status |= remove_path(path);
		free(names[i]);
	}
	free(names);
	if (rmdir(dir) != 0)
		status |= fail(dir, errno);
	return status;
}

static int remove_path(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return fail(path, errno);
	if (!S_ISDIR(st.st_mode))
		return unlink(path) == 0 ? 0 : fail(path, errno);
	if (!opt_r) {
		fprintf(stderr, "rm: %s: is a directory\n", path);
		return 1;
	}
	return remove_tree(path);
}

/* Is the last component of path "." or ".."? */
static int dot_or_dotdot(const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	return strcmp(base, ".") == 0 || strcmp(base, "..") == 0;
}

int main(int argc, char **argv)
{
	int c, status = 0;
	while ((c = getopt(argc, argv, "fiRr")) != -1) {
		if (c == 'f')
			opt_f = 1;
		else if (c == 'R' || c == 'r')
			opt_r = 1;
		else if (c != 'i') {
			fprintf(stderr, "usage: rm [-fRr] file...\n");
			return 1;
		}
	}
	if (optind == argc && !opt_f) {
		fprintf(stderr, "usage: rm [-fRr] file...\n");
		return 1;
	}
	for (int i = optind; i < argc; i++) {
		if (dot_or_dotdot(argv[i])) {
			fprintf(stderr, "rm: %s: refusing to remove '.' or '..'\n", argv[i]);
			status = 1;
			continue;
		}
		status |= remove_path(argv[i]);
	}
	return status;
}
