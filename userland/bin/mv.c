/*
 * mv [-f] source target, mv [-f] source... directory: rename each source to target, or
 * to a name of the same base in the directory. -f is accepted (mv never asks). Every
 * file is under the one file server, but a rename between /boot (the disk) and the rest
 * fails with EXDEV: mv does not copy across. /bin is read-only (EROFS). Exit status 1 if
 * any source could not be moved.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "into_target.h"

static int move(const char *src, const char *dst)
{
	if (rename(src, dst) == 0)
		return 0;
	fprintf(stderr, "mv: %s to %s: %s\n", src, dst, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	int c;
	while ((c = getopt(argc, argv, "fi")) != -1)
		if (c != 'f' && c != 'i')
			goto usage;
	if (argc - optind < 2)
		goto usage;
	return into_target("mv", argc, argv, optind, move);
usage:
	fprintf(stderr, "usage: mv [-f] source target, mv [-f] source... directory\n");
	return 1;
}
