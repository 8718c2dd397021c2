/* <sys/statvfs.h>: what a file system holds and has left (statvfs.c; docs/files.md,
 * "File systems"). ST_RDONLY and ST_NOSUID are the file server's FS_VFS_ flags. */
#ifndef USER_SYS_STATVFS_H
#define USER_SYS_STATVFS_H

#include <sys/types.h>

struct statvfs {
	unsigned long f_bsize;	 /* the block size the file system prefers */
	unsigned long f_frsize;	 /* the unit f_blocks, f_bfree and f_bavail count */
	fsblkcnt_t f_blocks;	 /* its size in f_frsize units */
	fsblkcnt_t f_bfree;	 /* free units */
	fsblkcnt_t f_bavail;	 /* free units a process may take (everyone is root: f_bfree) */
	fsfilcnt_t f_files;	 /* file serial numbers (nodes) */
	fsfilcnt_t f_ffree;	 /* free ones */
	fsfilcnt_t f_favail;	 /* free ones a process may take */
	unsigned long f_fsid;	 /* which file system */
	unsigned long f_flag;	 /* ST_ flags */
	unsigned long f_namemax; /* the longest name */
};

#define ST_RDONLY 1
#define ST_NOSUID 2

int statvfs(const char *__restrict path, struct statvfs *__restrict buf);
int fstatvfs(int fd, struct statvfs *buf);

#endif
