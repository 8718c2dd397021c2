/*
 * What cp and mv share: POSIX's two forms, "source target" and "source... directory".
 * Each source goes to the directory under its own last name.
 */
#ifndef USER_BIN_INTO_TARGET_H
#define USER_BIN_INTO_TARGET_H

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define INTO_PATH_MAX 256

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

/*
 * op(source, destination) for argv[first..argc-2] into argv[argc-1] (at least two
 * operands): the exit status, 1 if any failed. prog names the program in messages.
 */
static int into_target(const char *prog, int argc, char **argv, int first,
		       int (*op)(const char *src, const char *dst))
{
	const char *target = argv[argc - 1];
	char path[INTO_PATH_MAX];
	int status = 0;
	if (!is_dir(target)) {
		if (argc - first > 2) {
			fprintf(stderr, "%s: %s: not a directory\n", prog, target);
			return 1;
		}
		return op(argv[first], target);
	}
	for (int i = first; i < argc - 1; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", target, base_name(argv[i])) >=
		    (int)sizeof(path)) {
			fprintf(stderr, "%s: %s: name too long\n", prog, argv[i]);
			status = 1;
			continue;
		}
		status |= op(argv[i], path);
	}
	return status;
}

#endif
