/*
 * FAT12, FAT16 and FAT32 with long file names, read-write, over a volume of the block
 * layer (bcache.h). The interface is vnode-like, for a file server to call: a node names a
 * file or directory by where its directory entry lies; lookup, read, write, truncate,
 * create, readdir, rename, unlink and sync act on nodes and names. Every call returns 0 (or
 * a byte count) or a negative errno; a corrupted volume gives -EIO (or -EINVAL at mount),
 * never a crash or an endless loop. docs/storage.md describes the limits.
 */
#ifndef USER_FS_FAT_H
#define USER_FS_FAT_H

#include <stdint.h>

#include "bcache.h"

#define FAT_NAME_MAX	255 /* bytes of UTF-8 in one name (and UTF-16 units in a long name) */
#define FAT_ATTR_RO	0x01
#define FAT_ATTR_HIDDEN 0x02
#define FAT_ATTR_SYSTEM 0x04
#define FAT_ATTR_LABEL	0x08
#define FAT_ATTR_DIR	0x10
#define FAT_ATTR_ARCH	0x20
#define FAT_ATTR_LFN	0x0f
#define FAT_FILE_MAX	0xffffffffu /* a file's size field is 32 bits */

/*
 * A file or directory. Its identity is (parent, index): the short entry's place in the
 * directory that holds it; the root has is_root set. rename and unlink invalidate nodes
 * of the names they move or remove: look them up again. A write through such a stale
 * node gets -ESTALE instead of changing the entry that now sits at that place.
 */
struct fat_node {
	uint32_t cluster; /* first cluster, 0: an empty file (or the FAT12/16 root) */
	uint32_t size;	  /* bytes; 0 for directories */
	uint8_t attr;
	uint8_t is_root;
	uint8_t lfn_count; /* long-name entries just before the short one */
	uint32_t parent;   /* first cluster of the holding directory (0: FAT12/16 root) */
	uint32_t index;	   /* the short entry's index in that directory */
	uint8_t sname[11]; /* its short name, checked before the entry is written (-ESTALE) */
	uint32_t hint_idx, hint_clu; /* the last cluster reached: walks resume from there */
	uint16_t wdate, wtime;	     /* the entry's last modification (FAT date and time) */
	uint16_t adate;		     /* its last access date */
};

struct fat_dirent {
	char name[FAT_NAME_MAX * 3 + 1]; /* UTF-8, NUL-terminated */
	struct fat_node node;
};

enum fat_type { FAT12 = 12, FAT16 = 16, FAT32 = 32 };

struct fat_vol {
	struct bvol bv;
	enum fat_type type;
	uint32_t spc; /* sectors per cluster */
	uint32_t cluster_bytes;
	uint32_t fat_start, fat_sectors, num_fats;
	uint32_t root_start, root_entries; /* FAT12/16: the fixed root directory */
	uint32_t data_start;
	uint32_t clusters;     /* data clusters: numbers 2 .. clusters + 1 */
	uint32_t root_cluster; /* FAT32 */
	uint32_t fsinfo_sec;   /* FAT32, 0: none */
	uint32_t free_count;   /* from FSInfo, 0xffffffff: unknown */
	uint32_t next_free;    /* where the search for a free cluster starts */
	int fsinfo_dirty;
	int free_counted; /* free_count was counted in the FAT (fat_free_clusters) */
	int64_t now; /* seconds since 1970 that changes are stamped with (the caller's clock) */
};

/*
 * FAT's dates and times: a date counts years from 1980 (to 2107), a time two-second
 * steps. They are local time on other systems; we have no time zone and keep UTC. Seconds
 * since 1970 as a date and time, clamped to what FAT can hold; and back (a field out of
 * range, as a date of 0, reads as its lowest value).
 */
void fat_time_pack(int64_t secs, uint16_t *date, uint16_t *time);
int64_t fat_time_unpack(uint16_t date, uint16_t time);

/* Does this sector look like a FAT boot sector (jump, sector size, a sane BPB)? */
int fat_bpb_plausible(const uint8_t *sector);
/* Check the boot sector and set up v: 0, -EINVAL (not FAT or inconsistent) or -EIO. */
int fat_mount(struct fat_vol *v, const struct bvol *bv);
void fat_root(const struct fat_vol *v, struct fat_node *out);

/* name (len bytes, no '/') in dir: 0 and *out, -ENOENT, -ENOTDIR, -ENAMETOOLONG, -EIO. */
int fat_lookup(struct fat_vol *v, const struct fat_node *dir, const char *name, unsigned len,
	       struct fat_node *out);
/* A '/'-separated path from the root (empty components are skipped). */
int fat_walk(struct fat_vol *v, const char *path, struct fat_node *out);

/* Up to len bytes from off: the count (0 at or past the end), -EISDIR or -EIO. */
long fat_read(struct fat_vol *v, struct fat_node *n, uint64_t off, void *buf, uint64_t len);
/* Write len bytes at off, growing the file (a gap reads as zeros): the count, -ENOSPC
 * (nothing written past what fits), -EFBIG (beyond 4 GiB - 1), -EISDIR, -ESTALE (the
 * node's name was renamed or removed) or -EIO. */
long fat_write(struct fat_vol *v, struct fat_node *n, uint64_t off, const void *buf, uint64_t len);
/* Set the size: shrinking frees clusters, growing adds zeros. Both (and fat_write) stamp
 * the entry's modification date and time with v->now. */
int fat_truncate(struct fat_vol *v, struct fat_node *n, uint64_t size);
/* Set n's access date and modification time (either may be NULL: left as it is), in
 * seconds since 1970 (utimensat, and the access date a read moves). 1 if the entry
 * changed, 0 if it already held them (or n is the root, which has no entry), -ESTALE,
 * -EIO. */
int fat_set_times(struct fat_vol *v, struct fat_node *n, const int64_t *atime,
		  const int64_t *mtime);

/* A new empty file, or directory with attr FAT_ATTR_DIR: -EEXIST, -EINVAL (bad name),
 * -ENAMETOOLONG, -ENOSPC, -ENOTDIR, -EIO. */
int fat_create(struct fat_vol *v, const struct fat_node *dir, const char *name, unsigned len,
	       uint8_t attr, struct fat_node *out);
/* The entry at or after *pos ("." and ".." are left out): 1 and *pos moved past it, 0 at
 * the end, or a negative errno. Start with *pos = 0. */
int fat_readdir(struct fat_vol *v, const struct fat_node *dir, uint32_t *pos,
		struct fat_dirent *out);
/* Remove a file (-EISDIR for a directory) or, with want_dir, an empty directory
 * (-ENOTDIR, -ENOTEMPTY). */
int fat_unlink(struct fat_vol *v, const struct fat_node *dir, const char *name, unsigned len,
	       int want_dir);
/* POSIX rename: replaces an existing target of the same kind (an empty directory for a
 * directory); -EINVAL for moving a directory below itself. */
int fat_rename(struct fat_vol *v, const struct fat_node *odir, const char *oname, unsigned olen,
	       const struct fat_node *ndir, const char *nname, unsigned nlen);
/* The free clusters (counted in the FAT once, then kept): the count or -EIO. */
long fat_free_clusters(struct fat_vol *v);
/* Write back FSInfo and every changed sector, then flush the device. */
int fat_sync(struct fat_vol *v);

#endif
