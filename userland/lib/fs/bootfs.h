/*
 * /boot: a FAT volume on a disk, shown in the file server's namespace (docs/files.md,
 * docs/storage.md). At mount every directory and file of the volume whose name fits the
 * namespace becomes a node of the server's tree (fstree.h) under the /boot node; from then
 * on every change of a name (create, mkdir, unlink, rmdir, rename) is made on the volume
 * first and then in the tree, so the two agree. The bytes of an open file live in the
 * server's page cache like any other file's (fs.c loads them); writes go through to the
 * volume's sector cache at once, and a sync writes that to the disk.
 */
#ifndef USER_FS_BOOTFS_H
#define USER_FS_BOOTFS_H

#include "fat.h"
#include "fstree.h"

/* Plain C with no system call: the host test (test/host/test_bootfs.c) runs it too. The
 * file server mounts the volume (fatmount_start) and hands it to bootfs_attach. */
struct bootfs {
	struct fat_vol *vol;	      /* the mounted volume */
	int root;		      /* the /boot node, -1 while nothing is mounted */
	uint8_t on[FS_NODES];	      /* 1: the node is a name on the volume */
	struct fat_node fn[FS_NODES]; /* where on the volume (valid while on[] is 1) */
	int dirty;		      /* the volume changed since the last sync */
};

/* Show the mounted volume vol under the directory node root of t: its names become
 * nodes (as many as fit; a damaged directory shows what could be read). */
void bootfs_attach(struct bootfs *b, struct fst *t, int root, struct fat_vol *vol);
/* Is node a name on the mounted volume (the /boot node included)? */
int bootfs_has(const struct bootfs *b, int node);
/* A new file (or, with dir set, directory) called name in directory node parent, on the
 * volume and in the tree: its node, or -errno. */
int bootfs_create(struct bootfs *b, struct fst *t, int parent, const char *name, unsigned len,
		  int dir);
/* Remove node (a file; rmdir: an empty directory) from the volume and the tree: 0 or
 * -errno. A node still open stays in the tree, no longer on the volume. */
int bootfs_unlink(struct bootfs *b, struct fst *t, int node, int dir_wanted);
/* Rename node to name in directory dir, both on the volume: 0 or -errno, and *replaced
 * as fst_rename gives it. */
int bootfs_rename(struct bootfs *b, struct fst *t, int node, int dir, const char *name,
		  unsigned len, int *replaced);
/* A file's bytes: fat_read, fat_write and fat_truncate on node's place. */
long bootfs_read(struct bootfs *b, int node, uint64_t off, void *buf, uint64_t len);
long bootfs_write(struct bootfs *b, int node, uint64_t off, const void *buf, uint64_t len);
int bootfs_truncate(struct bootfs *b, int node, uint64_t size);
/* Store node's access time and modification time (either may be NULL) in its entry and
 * show in the tree what FAT kept of them (days and two-second steps; st_ctim is the
 * modification time, as FAT keeps no other; the write and truncate above stamp the
 * entry with the volume's `now`: call this after them too). The /boot node itself has
 * no entry: its times stay the tree's. 0 or -errno. */
int bootfs_set_times(struct bootfs *b, struct fst *t, int node, const int64_t *atime,
		     const int64_t *mtime);
/* Everything changed on the disk (fat_sync), if anything changed: 0 or -EIO. */
int bootfs_sync(struct bootfs *b);

#endif
