/*
 * The file server's protocol (docs/files.md). Every process holds, in SLOT_FS, an
 * unbadged send capability to the server: requests on it name a file by absolute path
 * (open, stat, unlink, mkdir, rmdir, rename, truncate). A successful open answers with a
 * capability badged with the open file description it made: reads, writes, seeks and the
 * rest go on that one, so the kernel, not a field a client could fake, tells the server
 * which open file a request is about. The offset lives with the description in the
 * server, so a forked child, whose capability is a copy, shares it.
 *
 * Replies: w0 = a value >= 0, or a negative errno.
 */
#ifndef USER_FS_H
#define USER_FS_H

#include <stdint.h>

#include "proc.h"

#define SLOT_FS		6 /* a process's send capability to the file server */
#define SLOT_FS_EP	6 /* the server's own endpoint, in the server */
#define FORKSRV_SLOT_FS 5 /* the fork server's copy, which it gives every process */

#define FS_PATH_MAX   256  /* bytes of an absolute path, with its NUL */
#define FS_NAME_MAX   59   /* bytes of one name */
#define FS_NODES      512  /* files, directories and devices at once */
#define FS_OFD_MAX    256  /* open file descriptions at once */
#define FS_FILE_PAGES 4096 /* the largest file: 16 MiB */
#define FS_IO_MAX     4096 /* bytes one read or write message moves */
#define FS_EXEC_PAGES 512  /* the largest program exec takes from a file: 2 MiB */

/* The page the server shares with the fork server: who holds each open description. */
#define FS_HOLDERS_VA	0x3600000000UL /* where both map it  */
#define FS_HOLDER_WORDS (FS_OFD_MAX / 64)
struct fs_holders {
	uint32_t dirty; /* the fork server cleared a dead process's row: sweep */
	uint32_t pad;
	uint64_t bits[PROC_MAX][FS_HOLDER_WORDS]; /* [process index] one bit per description */
	/* CLOCK_REALTIME - CLOCK_MONOTONIC in ns, as the fork server keeps it (timesrv.c):
	 * the file server stamps files with the same clock time() reads. */
	int64_t realtime_offset_ns;
	/* Record locks (docs/files.md): who a lock request comes from. The fork server gives
	 * a process its key (PROC_FS's w1) and the file server takes a request only with the
	 * key of the process it names; the key changes at every fork of a process that has
	 * one (the child knows the old one) and is gone at death. */
	uint64_t lock_key[PROC_MAX];
	uint32_t lock_gen[PROC_MAX]; /* one more at each death: older locks are the dead's */
	uint32_t lock_pid[PROC_MAX]; /* the pid F_GETLK reports for a lock of this process */
};

/* The fork server's side of realtime_offset_ns (timesrv.c calls it at every change). */
void fsholders_clock(int64_t offset_ns);
/* Process idx's lock key, made if it has none; pid is its pid (PROC_FS). */
uint64_t fsholders_key(unsigned idx, uint32_t pid);

/* A file time: seconds and nanoseconds since 1970 (struct timespec's fields). */
struct fs_ts {
	int64_t sec;
	int64_t nsec;
};
/* FS_STAT's and FS_FSTAT's answer buffer: the last access, data change and status change. */
struct fs_times {
	struct fs_ts atim, mtim, ctim;
};
/* FS_UTIMES' nsec words that are not a time (<sys/stat.h>'s UTIME_NOW, UTIME_OMIT). */
#define FS_UTIME_NOW  ((1L << 30) - 1L)
#define FS_UTIME_OMIT ((1L << 30) - 2L)

/* The fork server's side (fsholders.c). idx is a process's table index. */
void fsholders_fork(unsigned parent, unsigned child);
void fsholders_release(unsigned idx);

/* What an open file is: the client picks its read and write path from this. */
enum fs_kind {
	FS_KIND_FILE = 1,
	FS_KIND_DIR = 2,
	FS_KIND_CONSOLE = 3,
	FS_KIND_DEV = 4,
	FS_KIND_FIFO = 5, /* the capability is a pipe end, not a description */
};

enum fs_label {
	/* On SLOT_FS. buffer = the path with its NUL. */
	/* w0 = O_ flags, w1 = mode, w2 = our process index -> w1 = kind, cap, w2 = the
	 * description's token (a secret for FS_REOPEN), w3 = its badge */
	FS_OPEN = 1,
	/* -> w1 = mode, w2 = size, w3 = inode, w4 = links, w5 = read-only; the answer's
	 * buffer = struct fs_times */
	FS_STAT = 2,
	FS_UNLINK = 3,	 /* -> 0 */
	FS_MKDIR = 4,	 /* w1 = mode -> 0 */
	FS_RMDIR = 5,	 /* -> 0 */
	FS_RENAME = 6,	 /* buffer = old path \0 new path \0 -> 0 */
	FS_TRUNCATE = 7, /* w0 = length -> 0 */
	/* Not a path: w0 = a description's badge, w1 = its token, w2 = our process index ->
	 * cap (a new capability to that description). exec's way to keep open files. */
	FS_REOPEN = 8,
	FS_SYNC = 9,   /* -> 0: every change to a disk (/boot) is on the disk */
	FS_CHMOD = 10, /* w1 = mode (07777 bits) -> 0 */
	/* w0, w1 = the access time's sec, nsec; w2, w3 = the modification time's (nsec may be
	 * FS_UTIME_NOW or FS_UTIME_OMIT) -> 0 */
	FS_UTIMES = 11,
	/* -> 0. Nothing but the sweep every request starts with: the server's own thread
	 * sends it when the fork server wakes it (a process that held locks died). */
	FS_SWEEP = 12,
	/* -> 0; the answer's buffer = struct fs_statvfs of the file system holding path */
	FS_STATVFS = 13,
	FS_MKFIFO = 14, /* w1 = mode -> 0 */
	FS_LINK = 15,	/* buffer = existing path \0 new path \0 -> 0 */
	/* On a description's capability. */
	FS_READ = 16,	   /* w0 = bytes (<= FS_IO_MAX), w1 = offset or -1 (the description's) */
	FS_WRITE = 17,	   /* buffer = bytes, w0 = offset or -1 -> w0 = bytes written */
	FS_SEEK = 18,	   /* w0 = offset, w1 = whence -> w0 = the new offset */
	FS_FTRUNCATE = 19, /* w0 = length -> 0 */
	FS_FSTAT = 20,	   /* -> as FS_STAT */
	FS_READDIR = 21,   /* w0 = cursor -> w0 = 1, buffer = name (0: the end), w1 = inode,
			    * w2 = mode, w3 = the next cursor */
	FS_CLOSE = 22,	   /* w0 = our process index, w1 = our lock key (or 0) -> 0 */
	FS_GETFL = 23,	   /* -> w0 = O_ flags */
	FS_SETFL = 24,	   /* w0 = O_APPEND | O_NONBLOCK, either or none -> 0 */
	FS_MAP = 25,	 /* w0 = file page, w1 = 1 for write -> cap, w1 = first page, w2 = pages */
	FS_FSYNC = 26,	 /* -> 0 */
	FS_EXEC = 27,	 /* -> cap = the file in one memory object (read-only), w1 = bytes */
	FS_FCHMOD = 28,	 /* w0 = mode (07777 bits) -> 0 */
	FS_GETPATH = 29, /* -> w0 = length, buffer = the node's absolute path now */
	FS_FUTIMES = 30, /* as FS_UTIMES */
	/* w0 = enum fs_lock_cmd, w1 = F_RDLCK/F_WRLCK/F_UNLCK, w2 = whence, w3 = start,
	 * w4 = length, w5 = our process index, w6 = our lock key -> 0; FS_LK_GET: w1 = the
	 * blocking lock's type or F_UNLCK, w2 = its start, w3 = its length, w4 = its pid */
	FS_LOCK = 31,
	FS_FSTATVFS = 32, /* -> as FS_STATVFS, for the description's file */
	/* Symbolic links (path requests, SLOT_FS). */
	FS_SYMLINK = 33,  /* buffer = target \0 path \0 -> 0 */
	FS_READLINK = 34, /* buffer = path -> w0 = length, buffer = the link's text */
	FS_LSTAT = 35,	  /* buffer = path -> as FS_STAT, of a last-named link itself */
};

/*
 * FS_STATVFS's answer: one file system (docs/files.md, "File systems"). Blocks count
 * frsize bytes; fsid names the file system; flag holds FS_VFS_ flags (<sys/statvfs.h>'s
 * ST_RDONLY and ST_NOSUID have the same values).
 */
struct fs_statvfs {
	uint64_t bsize, frsize, blocks, bfree, bavail, files, ffree, favail, fsid, flag, namemax;
};
#define FS_VFS_RDONLY 1 /* nothing under it can be written or made */
#define FS_VFS_NOSUID 2 /* set-user-ID bits do nothing (there is only root) */
enum fs_fsid { FS_FSID_RAM = 1, FS_FSID_BIN = 2, FS_FSID_DEV = 3, FS_FSID_BOOT = 4 };

/* FS_LOCK's commands: F_GETLK, F_SETLK, F_SETLKW, "a descriptor of this file was
 * closed" (close of a dup: every lock of ours on the file goes), and "forget my F_SETLKW
 * with these words" (a signal ended it with EINTR). */
enum fs_lock_cmd {
	FS_LK_GET = 0,
	FS_LK_SET = 1,
	FS_LK_WAIT = 2,
	FS_LK_RELEASE = 3,
	FS_LK_CANCEL = 4
};
#define FS_LOCK_WAITERS 32 /* F_SETLKW requests waiting at once (ENOLCK past it) */

/* A description's badge: its index and a generation, so a stale capability is refused. */
#define FS_BADGE(i, gen)  ((uint64_t)(i) + 1 + ((uint64_t)(gen) << 16))
#define FS_BADGE_INDEX(b) ((b)&0xffff)
#define FS_BADGE_GEN(b)	  ((b) >> 16)

/*
 * A value nobody can work out from the earlier ones (the file server's tokens, the fork
 * server's lock keys): a splitmix64 step of *state, mixed with the time shifted by mix.
 */
static inline uint64_t fs_unguessable(uint64_t *state, unsigned mix)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	uint64_t z = (*state += 0x9e3779b97f4a7c15UL ^ (t << mix));
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
	return z ^ (z >> 31);
}

#endif
