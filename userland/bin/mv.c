/*
 * mv [-f] source target, mv [-f] source... directory: rename each source to target, or
 * to a name of the same base in the directory. -f is accepted (mv never asks). Every
 * file is under the one file server, so a rename never crosses file systems; /bin is
 * read-only (EROFS). Exit status 1 if any source could not be moved.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_MAX_ 256

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash && slash[1] ? slash + 1 : path;
}

static int move(const char *src, const char *dst)
{
	if (rename(src, dst) == 0)
		return 0;
	fprintf(stderr, "mv: %s to %s: %s\n", src, dst, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	int c, status = 0;
	char path[PATH_MAX_];
	while ((c = getopt(argc, argv, "fi")) != -1)
		if (c != 'f' && c != 'i')
			goto usage;
	int n = argc - optind;
	if (n < 2)
		goto usage;
	const char *target = argv[argc - 1];
	if (!is_dir(target)) {
		if (n > 2) {
			fprintf(stderr, "mv: %s: not a directory\n", target);
			return 1;
		}
		return move(argv[optind], target);
	}
	for (int i = optind; i < argc - 1; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", target, base_name(argv[i])) >=
		    (int)sizeof(path)) {
			fprintf(stderr, "mv: %s: name too long\n", argv[i]);
			status = 1;
			continue;
		}
		status |= move(argv[i], path);
	}
	return status;
usage:
	fprintf(stderr, "usage: mv [-f] source target, mv [-f] source... directory\n");
	return 1;
}
