/*
 * ln [-s] [-f] target name, or ln [-s] [-f] target... dir: make a hard link (-s: a
 * symbolic link) to each target; into dir, under the target's last name. -f removes a
 * name in the way first. Exit status 1 if a link could not be made. docs/files.md,
 * "Links" and "Symbolic links".
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NAME_BYTES 256

static int symbolic, force;

static int usage(void)
{
	fprintf(stderr, "usage: ln [-s] [-f] target name | ln [-s] [-f] target... dir\n");
	return 1;
}

/* The last name of path (libgen's basename: trailing slashes ignored) under dir. */
static int under(const char *dir, const char *path, char *out)
{
	char copy[NAME_BYTES];
	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return -1;
	int len = snprintf(out, NAME_BYTES, "%s/%s", dir, basename(copy));
	return len > 0 && len < NAME_BYTES ? 0 : -1;
}

static int make(const char *target, const char *name)
{
	if (force && unlink(name) != 0 && errno != ENOENT) {
		fprintf(stderr, "ln: %s: %s\n", name, strerror(errno));
		return 1;
	}
	if ((symbolic ? symlink(target, name) : link(target, name)) != 0) {
		fprintf(stderr, "ln: %s: %s\n", name, strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int c, status = 0;
	struct stat st;
	char name[NAME_BYTES];
	while ((c = getopt(argc, argv, "sf")) != -1) {
		if (c == 's')
			symbolic = 1;
		else if (c == 'f')
			force = 1;
		else
			return usage();
	}
	int n = argc - optind;
	if (n < 2)
		return usage();
	const char *last = argv[argc - 1];
	int into = stat(last, &st) == 0 && S_ISDIR(st.st_mode);
	if (n > 2 && !into) {
		fprintf(stderr, "ln: %s: %s\n", last, strerror(ENOTDIR));
		return 1;
	}
	if (!into)
		return make(argv[optind], last);
	for (int i = optind; i < argc - 1; i++) {
		if (under(last, argv[i], name) != 0) {
			fprintf(stderr, "ln: %s: %s\n", argv[i], strerror(ENAMETOOLONG));
			status = 1;
			continue;
		}
		status |= make(argv[i], name);
	}
	return status;
}
