/*
 * /boot's logic on the host (userland/lib/fs/bootfs.c over fat.c and fstree.c), under
 * ASan and UBSan: a FAT16 image made by mkfs.fat and mtools is attached to a tree; the
 * tree must show its names (not a name too long for the namespace), and creates, writes,
 * renames and removals made through bootfs must agree in the tree and, after a sync, on
 * the image as mtools and fsck.fat -n see it. Then hostile volumes: a directory that
 * loops back to the root, and more names than a mount may take. Ends with
 * "N passed, M failed". Usage: test_bootfs WORKDIR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "fs/bootfs.h"

static const char *work;

#define CACHE	  256
#define LONG_NAME "a name of more than sixty bytes, longer than the namespace takes.txt"

/* The disk in memory. */
static uint8_t *disk;
static uint64_t sectors;

static int rd_read(void *ctx, uint64_t lba, unsigned n, void *buf)
{
	(void)ctx;
	if (lba + n > sectors)
		return -EIO;
	memcpy(buf, disk + lba * BC_SECTOR, (size_t)n * BC_SECTOR);
	return 0;
}

static int rd_write(void *ctx, uint64_t lba, unsigned n, const void *buf)
{
	(void)ctx;
	if (lba + n > sectors)
		return -EIO;
	memcpy(disk + lba * BC_SECTOR, buf, (size_t)n * BC_SECTOR);
	return 0;
}

static int rd_flush(void *ctx)
{
	(void)ctx;
	return 0;
}

static struct bdev dev;
static struct bcache cache;
static void *cache_mem;
static struct fat_vol vol;
static struct fst tree;
static struct bootfs boot;

static int run(const char *cmd)
{
	return system(cmd);
}

/* Load img, mount it and attach it at /boot: the /boot node. */
static int attach(const char *img)
{
	struct stat st;
	struct bvol whole;
	FILE *f = fopen(img, "rb");
	if (!f || stat(img, &st) != 0)
		exit(1);
	sectors = (uint64_t)st.st_size / BC_SECTOR;
	free(disk);
	disk = malloc((size_t)st.st_size);
	if (fread(disk, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
		exit(1);
	fclose(f);
	dev = (struct bdev){ 0, sectors, 0, rd_read, rd_write, rd_flush };
	bcache_init(&cache, &dev, CACHE, cache_mem);
	whole = (struct bvol){ &cache, 0, sectors };
	CHECK_EQ(fat_mount(&vol, &whole), 0);
	fst_init(&tree);
	int root = fst_add(&tree, FST_ROOT, "boot", 4, FST_DIR);
	bootfs_attach(&boot, &tree, root, &vol);
	return root;
}

static void save(const char *img)
{
	FILE *f = fopen(img, "wb");
	fwrite(disk, BC_SECTOR, sectors, f);
	fclose(f);
}

static int node_of(const char *path)
{
	int node;
	return fst_walk(&tree, path, &node, 0, 0) == 0 ? node : -1;
}

/* mtype of a file on img equals want. */
static int mtype_is(const char *img, const char *name, const char *want)
{
	char cmd[512], got[256] = { 0 };
	snprintf(cmd, sizeof(cmd), "mtype -i %s ::/%s", img, name);
	FILE *p = popen(cmd, "r");
	size_t n = p ? fread(got, 1, sizeof(got) - 1, p) : 0;
	if (p)
		pclose(p);
	return n == strlen(want) && memcmp(got, want, n) == 0;
}

static void names_and_changes(void)
{
	char img[256], cmd[1024];
	snprintf(img, sizeof(img), "%s/bootfs.img", work);
	snprintf(cmd, sizeof(cmd),
		 "cd %s && rm -f bootfs.img && mkfs.fat -C bootfs.img 4096 >/dev/null && "
		 "printf 'hi\\n' > hi.txt && printf 'x' > '" LONG_NAME "' && "
		 "mcopy -i bootfs.img hi.txt '" LONG_NAME "' :: && mmd -i bootfs.img ::/sub && "
		 "mcopy -i bootfs.img hi.txt ::/sub/in.txt",
		 work);
	CHECK_EQ(run(cmd), 0);
	int root = attach(img);
	CHECK(root > 0 && bootfs_has(&boot, root));
	int hi = node_of("/boot/hi.txt"), sub = node_of("/boot/sub");
	CHECK(hi > 0 && bootfs_has(&boot, hi));
	CHECK_EQ(tree.n[hi].size, 3);
	CHECK(sub > 0 && tree.n[sub].type == FST_DIR);
	CHECK(node_of("/boot/sub/in.txt") > 0);
	CHECK(node_of("/boot/" LONG_NAME) < 0); /* too long for the namespace: not shown */
	CHECK(!bootfs_has(&boot, FST_ROOT));

	/* Create, write, rename (then write through the same node), mkdir, unlink. */
	int n = bootfs_create(&boot, &tree, root, "new.txt", 7, 0);
	CHECK(n > 0 && bootfs_has(&boot, n));
	CHECK_EQ(bootfs_write(&boot, n, 0, "guest\n", 6), 6);
	CHECK_EQ(bootfs_create(&boot, &tree, root, "NEW.TXT", 7, 0), -EEXIST);
	CHECK_EQ(bootfs_create(&boot, &tree, root, "bad.", 4, 0), -EINVAL);
	int d = bootfs_create(&boot, &tree, root, "dir", 3, 1);
	CHECK(d > 0 && tree.n[d].type == FST_DIR);
	int replaced;
	CHECK_EQ(bootfs_rename(&boot, &tree, n, d, "moved.txt", 9, &replaced), 0);
	CHECK_EQ(replaced, -1);
	CHECK_EQ(node_of("/boot/dir/moved.txt"), n);
	CHECK_EQ(bootfs_write(&boot, n, 6, "more\n", 5), 5); /* not ESTALE: the node follows */
	/* Rename onto an existing file replaces it: the old node leaves the volume. */
	CHECK_EQ(bootfs_rename(&boot, &tree, hi, d, "moved.txt", 9, &replaced), 0);
	CHECK_EQ(replaced, n);
	CHECK(!bootfs_has(&boot, n));
	CHECK_EQ(bootfs_rename(&boot, &tree, hi, root, "hi.txt", 6, &replaced), 0);
	CHECK_EQ(bootfs_rename(&boot, &tree, root, d, "x", 1, &replaced), -EBUSY);
	CHECK_EQ(bootfs_unlink(&boot, &tree, sub, 1), -ENOTEMPTY);
	CHECK_EQ(bootfs_unlink(&boot, &tree, sub, 0), -EPERM);
	CHECK_EQ(bootfs_unlink(&boot, &tree, node_of("/boot/sub/in.txt"), 0), 0);
	CHECK_EQ(bootfs_unlink(&boot, &tree, sub, 1), 0);
	CHECK(node_of("/boot/sub") < 0);
	CHECK_EQ(bootfs_unlink(&boot, &tree, root, 1), -EBUSY);
	int a = bootfs_create(&boot, &tree, d, "a.txt", 5, 0);
	CHECK_EQ(bootfs_write(&boot, a, 0, "0123456789", 10), 10);
	CHECK_EQ(bootfs_truncate(&boot, a, 4), 0);
	CHECK_EQ(bootfs_sync(&boot), 0);
	CHECK_EQ(boot.dirty, 0);
	save(img);
	CHECK(mtype_is(img, "hi.txt", "hi\n"));
	CHECK(mtype_is(img, "dir/a.txt", "0123"));
	snprintf(cmd, sizeof(cmd), "mtype -i %s ::/new.txt >/dev/null 2>&1", img);
	CHECK(run(cmd) != 0); /* moved away, then replaced */
	snprintf(cmd, sizeof(cmd), "mdir -i %s ::/sub >/dev/null 2>&1", img);
	CHECK(run(cmd) != 0);
	snprintf(cmd, sizeof(cmd), "fsck.fat -n %s >/dev/null", img);
	CHECK_EQ(run(cmd), 0);
}

/* bin/ points back at the root, and 300 more files than a mount may show. */
static void hostile(void)
{
	char img[256], cmd[1024];
	snprintf(img, sizeof(img), "%s/bootfs-many.img", work);
	snprintf(cmd, sizeof(cmd),
		 "cd %s && rm -f bootfs-many.img && mkfs.fat -C bootfs-many.img 4096 >/dev/null && "
		 "mmd -i bootfs-many.img ::/BIN ::/many && printf x > x && for i in $(seq 300); do "
		 "mcopy -i bootfs-many.img x ::/many/f$i; done",
		 work);
	CHECK_EQ(run(cmd), 0);
	attach(img);
	unsigned count = 0;
	for (int i = 0; i < FS_NODES; i++)
		count += tree.n[i].type != FST_FREE && bootfs_has(&boot, i);
	CHECK(count <= FS_NODES / 2 + 1); /* the mount point and at most half the table */
	CHECK(count >= 100);
	/* BIN's entry now names the root (cluster 0 on FAT16): a loop, shown empty. */
	uint8_t *e = memmem(disk, sectors * BC_SECTOR, "BIN        \x10", 12);
	CHECK(e != 0);
	if (!e)
		return;
	e[26] = e[27] = 0;
	save(img);
	attach(img);
	int bin = node_of("/boot/BIN");
	CHECK(bin > 0);
	CHECK(bin > 0 && fst_child(&tree, bin, 0) < 0);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		printf("usage: test_bootfs WORKDIR\n");
		return 2;
	}
	setvbuf(stdout, 0, _IONBF, 0);
	work = argv[1];
	mkdir(work, 0755);
	cache_mem = malloc(bcache_mem_size(CACHE));
	names_and_changes();
	hostile();
	free(disk);
	free(cache_mem);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
