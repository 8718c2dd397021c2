/* /boot: a FAT volume in the file server's tree; see bootfs.h. */
#include "bootfs.h"

#include <errno.h>
#include <string.h>

#define BOOT_FILE_MODE 0755 /* FAT keeps no modes; like a vfat mount's default (umask 022) */
#define BOOT_NODES_MAX (FS_NODES / 2) /* the most nodes a mount takes: the rest stay for RAM */

/* The tree shows node c's times as its entry holds them. */
static void show_times(const struct bootfs *b, struct fst *t, int c)
{
	const struct fat_node *f = &b->fn[c];
	struct fs_times *tm = &t->n[c].times;
	tm->mtim = (struct fs_ts){ fat_time_unpack(f->wdate, f->wtime), 0 };
	tm->ctim = tm->mtim;
	tm->atim = (struct fs_ts){ fat_time_unpack(f->adate, 0), 0 };
}

/* Node c of t now names (fat node) f on the volume. */
static void attach(struct bootfs *b, struct fst *t, int c, const struct fat_node *f)
{
	b->on[c] = 1;
	b->fn[c] = *f;
	t->n[c].mode = BOOT_FILE_MODE;
	t->n[c].size = (f->attr & FAT_ATTR_DIR) ? 0 : f->size;
	show_times(b, t, c);
}

/* Is cluster the first cluster of dir or of a directory above it (a loop on the disk)? */
static int above(const struct bootfs *b, const struct fst *t, int dir, uint32_t cluster)
{
	for (int hops = 0; hops < FS_NODES; hops++, dir = t->n[dir].parent) {
		if (b->fn[dir].cluster == cluster)
			return 1;
		if (dir == b->root)
			return 0;
	}
	return 1;
}

/*
 * Every name of the volume as a node, directories breadth first (a queue of nodes, no
 * recursion). A name longer than the namespace takes (FS_NAME_MAX) is left out, and so is
 * everything past BOOT_NODES_MAX nodes, or once the table is full: the volume itself is
 * not touched, and the RAM file system keeps room. A directory that cannot be read to its
 * end (a damaged chain: EIO) shows what was read before the damage, and one that is its
 * own ancestor on a damaged disk is shown empty; the rest of the volume is still mounted.
 */
static void mirror(struct bootfs *b, struct fst *t)
{
	static int16_t queue[FS_NODES];
	static struct fat_dirent de;
	unsigned head = 0, tail = 0, added = 0;
	queue[tail++] = (int16_t)b->root;
	while (head < tail) {
		int dir = queue[head++];
		uint32_t pos = 0;
		int r;
		while ((r = fat_readdir(b->vol, &b->fn[dir], &pos, &de)) == 1) {
			int isdir = (de.node.attr & FAT_ATTR_DIR) != 0;
			int c = added < BOOT_NODES_MAX
					? fst_add(t, dir, de.name, (unsigned)strlen(de.name),
						  isdir ? FST_DIR : FST_FILE)
					: -ENOSPC;
			if (c == -ENOSPC)
				return;
			if (c < 0)
				continue; /* a name we cannot show */
			added++;
			attach(b, t, c, &de.node);
			if (isdir && tail < FS_NODES && !above(b, t, dir, de.node.cluster))
				queue[tail++] = (int16_t)c;
		}
	}
}

void bootfs_attach(struct bootfs *b, struct fst *t, int root, struct fat_vol *vol)
{
	memset(b->on, 0, sizeof(b->on));
	b->vol = vol;
	b->dirty = 0;
	b->root = root;
	b->on[root] = 1;
	fat_root(vol, &b->fn[root]);
	mirror(b, t);
}

int bootfs_has(const struct bootfs *b, int node)
{
	return b->root >= 0 && node >= 0 && b->on[node];
}

int bootfs_create(struct bootfs *b, struct fst *t, int parent, const char *name, unsigned len,
		  int dir)
{
	struct fat_node f;
	if (len == 0 || len > FS_NAME_MAX)
		return len ? -ENAMETOOLONG : -EINVAL;
	int err = fat_create(b->vol, &b->fn[parent], name, len, dir ? FAT_ATTR_DIR : 0, &f);
	if (err)
		return err;
	b->dirty = 1;
	int c = fst_add(t, parent, name, len, dir ? FST_DIR : FST_FILE);
	if (c < 0) { /* the table is full: take the new name off the volume again */
		fat_unlink(b->vol, &b->fn[parent], name, len, dir);
		return c;
	}
	attach(b, t, c, &f);
	return c;
}

int bootfs_unlink(struct bootfs *b, struct fst *t, int node, int dir_wanted)
{
	const struct fst_node *n = &t->n[node];
	if (node == b->root)
		return -EBUSY;
	if (dir_wanted && n->type != FST_DIR)
		return -ENOTDIR;
	if (!dir_wanted && n->type == FST_DIR)
		return -EPERM; /* as for the RAM file system */
	int err = fat_unlink(b->vol, &b->fn[n->parent], n->name, (unsigned)strlen(n->name),
			     dir_wanted);
	if (err)
		return err;
	b->dirty = 1;
	b->on[node] = 0; /* if still open, a file of the server's memory from now on */
	int named;
	return fst_unlink(t, node, dir_wanted, &named);
}

int bootfs_rename(struct bootfs *b, struct fst *t, int node, int dir, const char *name,
		  unsigned len, int *replaced)
{
	struct fst_node *n = &t->n[node];
	*replaced = -1;
	if (node == b->root)
		return -EBUSY;
	if (len == 0 || len > FS_NAME_MAX)
		return len ? -ENAMETOOLONG : -EINVAL;
	int err = fat_rename(b->vol, &b->fn[n->parent], n->name, (unsigned)strlen(n->name),
			     &b->fn[dir], name, len);
	if (err)
		return err;
	b->dirty = 1;
	err = fst_rename(t, node, dir, name, len, replaced);
	if (*replaced >= 0)
		b->on[*replaced] = 0; /* gone from the volume; kept in memory while open */
	struct fat_node f;
	/* The entry moved: its place is new (a directory's children keep theirs). */
	if (fat_lookup(b->vol, &b->fn[dir], name, len, &f) == 0)
		b->fn[node] = f;
	else
		b->on[node] = 0;
	return err;
}

long bootfs_read(struct bootfs *b, int node, uint64_t off, void *buf, uint64_t len)
{
	return fat_read(b->vol, &b->fn[node], off, buf, len);
}

long bootfs_write(struct bootfs *b, int node, uint64_t off, const void *buf, uint64_t len)
{
	long r = fat_write(b->vol, &b->fn[node], off, buf, len);
	if (r > 0)
		b->dirty = 1;
	return r;
}

int bootfs_truncate(struct bootfs *b, int node, uint64_t size)
{
	if (size > FAT_FILE_MAX)
		return -EFBIG;
	int err = fat_truncate(b->vol, &b->fn[node], size);
	b->dirty = 1;
	return err;
}

int bootfs_set_times(struct bootfs *b, struct fst *t, int node, const int64_t *atime,
		     const int64_t *mtime)
{
	if (!bootfs_has(b, node) || node == b->root)
		return 0;
	int r = fat_set_times(b->vol, &b->fn[node], atime, mtime);
	if (r > 0)
		b->dirty = 1;
	show_times(b, t, node);
	return r < 0 ? r : 0;
}

int bootfs_sync(struct bootfs *b)
{
	if (b->root < 0 || !b->dirty)
		return 0;
	int err = fat_sync(b->vol);
	if (!err)
		b->dirty = 0;
	return err;
}
