/*
 * mkdir [-p] [-m mode] dir...: make each directory (mode 0777 less the umask, or mode).
 * -p also makes missing parents and is quiet when the directory exists. Exit status 1
 * if a directory could not be made.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_MAX_ 256

/* mkdir -p: each prefix of path in turn; an existing directory is fine. */
static int make_parents(const char *path, mode_t mode)
{
	char buf[PATH_MAX_];
	struct stat st;
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1;; p++) {
		if (*p && *p != '/')
			continue;
		char c = *p;
		*p = 0;
		if (mkdir(buf, mode) != 0 &&
		    (errno != EEXIST || stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))) {
			if (errno == EEXIST)
				errno = ENOTDIR;
			return -1;
		}
		*p = c;
		if (!c)
			return 0;
	}
}

int main(int argc, char **argv)
{
	int c, parents = 0, status = 0;
	mode_t mode = 0777;
	char *end;
	while ((c = getopt(argc, argv, "pm:")) != -1) {
		if (c == 'p') {
			parents = 1;
		} else if (c == 'm' &&
			   (mode = (mode_t)strtoul(optarg, &end, 8), !*end && *optarg)) {
			continue;
		} else {
			fprintf(stderr, "usage: mkdir [-p] [-m mode] dir...\n");
			return 1;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "usage: mkdir [-p] [-m mode] dir...\n");
		return 1;
	}
	for (int i = optind; i < argc; i++) {
		if ((parents ? make_parents(argv[i], mode) : mkdir(argv[i], mode)) != 0) {
			fprintf(stderr, "mkdir: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
	}
	return status;
}
