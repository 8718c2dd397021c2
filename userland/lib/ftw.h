/* POSIX <ftw.h> (userland/lib/dirwalk.c): walking a directory tree with nftw and ftw. */
#ifndef USER_FTW_H
#define USER_FTW_H

#include <sys/stat.h>

/* What the walk found: the type argument of the callback. */
#define FTW_F	1 /* a file */
#define FTW_D	2 /* a directory, before its entries (after them with FTW_DEPTH: FTW_DP) */
#define FTW_DNR 3 /* a directory that cannot be read */
#define FTW_DP	4 /* a directory, after its entries (FTW_DEPTH) */
#define FTW_NS	5 /* stat failed */
#define FTW_SL	6 /* a symbolic link (nftw with FTW_PHYS) */
#define FTW_SLN 7 /* a symbolic link to nothing (followed: without FTW_PHYS) */

/* nftw's flags. */
#define FTW_PHYS  1 /* do not follow symbolic links: report them (FTW_SL) */
#define FTW_MOUNT 2 /* stay on one file system */
#define FTW_DEPTH 4 /* a directory after its entries */
#define FTW_CHDIR 8 /* chdir into each directory before its entries */

struct FTW {
	int base;  /* where the last name starts in the path */
	int level; /* depth below the starting path, which is 0 */
};

int nftw(const char *path, int (*fn)(const char *, const struct stat *, int, struct FTW *),
	 int fd_limit, int flags);
int ftw(const char *path, int (*fn)(const char *, const struct stat *, int), int fd_limit);

#endif
