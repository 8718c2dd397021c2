/*
 * A fuzzer for the FAT code on hostile images, run under ASan and UBSan: every result must
 * be a success or a negative errno, never a crash, an out-of-bounds access or an endless
 * loop (a walk that never ends fails the step's time limit). Each round takes a template
 * image (made by mkfs.fat and mtools, passed as argv[1]), damages it where FAT keeps its
 * structure (boot sector, FATs, directories) in one of several ways, then mounts it and
 * walks, reads, writes, creates, renames and deletes. Named cases come first: a bad BPB,
 * a cluster loop, an out-of-range cluster, an over-long and a broken long name.
 *
 * Usage: fuzz_fat TEMPLATE.img [rounds [seed]]   Ends with "N passed, 0 failed".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "userland/lib/fs/bcache.h"
#include "userland/lib/fs/fat.h"

static uint8_t *tmpl, *disk;
static uint64_t disk_sectors;
static uint64_t rng;
static long ok_results, err_results;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int dread(void *ctx, uint64_t lba, unsigned n, void *buf)
{
	(void)ctx;
	if (lba + n > disk_sectors)
		return -EIO;
	memcpy(buf, disk + lba * BC_SECTOR, (size_t)n * BC_SECTOR);
	return 0;
}

static int dwrite(void *ctx, uint64_t lba, unsigned n, const void *buf)
{
	(void)ctx;
	if (lba + n > disk_sectors)
		return -EIO;
	memcpy(disk + lba * BC_SECTOR, buf, (size_t)n * BC_SECTOR);
	return 0;
}

/* A result must be >= 0 or a negative errno we know. */
static void note(long r)
{
	static const int known[] = { ENOENT, ENOTDIR,	EISDIR,	      EIO,   EINVAL, ENOSPC,
				     EEXIST, ENOTEMPTY, ENAMETOOLONG, EFBIG, EBUSY,  ESTALE };
	if (r >= 0) {
		ok_results++;
		return;
	}
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (r == -known[i]) {
			err_results++;
			return;
		}
	printf("unexpected result %ld\n", r);
	abort();
}

/* Walk a directory tree (bounded), reading every file. */
static void walk(struct fat_vol *v, struct fat_node *dir, int depth)
{
	static char buf[8192];
	struct fat_dirent de;
	uint32_t pos = 0;
	for (int n = 0; n < 200; n++) {
		int r = fat_readdir(v, dir, &pos, &de);
		note(r);
		if (r <= 0)
			return;
		struct fat_node child = de.node;
		if (child.attr & FAT_ATTR_DIR) {
			if (depth < 4)
				walk(v, &child, depth + 1);
		} else {
			note(fat_read(v, &child, rnd() % 4096, buf, sizeof(buf)));
		}
	}
}

static void mutate_ops(struct fat_vol *v)
{
	static uint8_t data[20000];
	struct fat_node root, n, d;
	char name[40];
	fat_root(v, &root);
	for (int i = 0; i < 6; i++) {
		int len = snprintf(name, sizeof(name), "file %d with a long name.bin",
				   (int)(rnd() % 5));
		long r = fat_create(v, &root, name, (unsigned)len, 0, &n);
		note(r);
		if (r == 0) {
			note(fat_write(v, &n, rnd() % 3000, data, rnd() % sizeof(data)));
			note(fat_truncate(v, &n, rnd() % 9000));
		}
		note(fat_create(v, &root, "D", 1, FAT_ATTR_DIR, &d));
		note(fat_rename(v, &root, name, (unsigned)len, &root, "renamed.x", 9));
		note(fat_unlink(v, &root, "renamed.x", 9, 0));
		note(fat_unlink(v, &root, "D", 1, 1));
	}
	note(fat_walk(v, "sub/inner.txt", &n));
	if (fat_walk(v, "hello.txt", &n) == 0)
		note(fat_write(v, &n, n.size, "more", 4));
	note(fat_sync(v));
}

static void run_image(void)
{
	static struct bdev dev;
	static struct bcache c;
	static uint8_t mem[1 << 16];
	struct bvol vol;
	struct fat_vol v;
	struct fat_node root;
	dev = (struct bdev){ 0, disk_sectors, 0, dread, dwrite, 0 };
	if (bcache_init(&c, &dev, 64, mem) != 0)
		abort();
	int r = part_find(&c, &vol);
	note(r);
	if (r)
		return;
	r = fat_mount(&v, &vol);
	note(r);
	if (r)
		return;
	fat_root(&v, &root);
	walk(&v, &root, 0);
	mutate_ops(&v);
	walk(&v, &root, 0);
}

static void reset(void)
{
	memcpy(disk, tmpl, disk_sectors * BC_SECTOR);
}

/* Damage: random bytes in the first sectors (boot, FAT, root), or FAT/dirent surgery. */
static void damage(uint64_t meta_sectors)
{
	int kind = (int)(rnd() % 4);
	int count = 1 + (int)(rnd() % 16);
	for (int i = 0; i < count; i++) {
		uint64_t off = rnd() % (meta_sectors * BC_SECTOR);
		if (kind == 0)
			disk[off] = (uint8_t)rnd();
		else if (kind == 1)
			disk[off] ^= (uint8_t)(1u << (rnd() % 8));
		else if (kind == 2)
			disk[off & ~31ull] = (uint8_t)(rnd() % 2 ? 0x41 : 0xe5); /* entry starts */
		else
			memset(disk + (off & ~1ull), 0xff, 2);
	}
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* The named cases, on a FAT12 template: offsets from its own BPB. */
static void named_cases(void)
{
	uint32_t rsvd = rd16(tmpl + 14), fatsz = rd16(tmpl + 22), nfats = tmpl[16];
	uint64_t fat = (uint64_t)rsvd * BC_SECTOR,
		 root = (rsvd + nfats * fatsz) * (uint64_t)BC_SECTOR;
	/* bad BPB: zero sectors per cluster, a huge reserved count, a FAT past the end */
	reset();
	disk[13] = 0;
	run_image();
	reset();
	disk[14] = 0xff;
	disk[15] = 0xff;
	run_image();
	reset();
	disk[22] = 0xff;
	disk[23] = 0x7f;
	run_image();
	/* cluster loop: every FAT12 entry from 2 on points at cluster 2 */
	reset();
	for (uint64_t k = 3; k < fatsz * BC_SECTOR; k++)
		disk[fat + k] = (k % 3 == 0) ? 0x02 : (k % 3 == 1) ? 0x20 : 0x00;
	run_image();
	/* out-of-range clusters in every root entry */
	reset();
	for (int e = 0; e < 16; e++) {
		disk[root + e * 32 + 26] = 0xf0;
		disk[root + e * 32 + 27] = 0x0f;
	}
	run_image();
	/* over-long long name: a 31-entry sequence, and one with a wrong checksum */
	reset();
	for (int e = 0; e < 16; e++) {
		uint8_t *p = disk + root + e * 32;
		memset(p, 'a', 32);
		p[0] = (uint8_t)((e == 0 ? 0x40 : 0) | (31 - e));
		p[11] = 0x0f;
		p[13] = 0x11;
	}
	run_image();
}

int main(int argc, char **argv)
{
	struct stat st;
	FILE *f;
	if (argc < 2 || stat(argv[1], &st) != 0 || !(f = fopen(argv[1], "rb"))) {
		printf("usage: fuzz_fat TEMPLATE.img [rounds [seed]]\n");
		return 2;
	}
	long rounds = argc > 2 ? atol(argv[2]) : 200;
	rng = argc > 3 ? strtoull(argv[3], 0, 0) : 0x9e3779b97f4a7c15ull;
	setvbuf(stdout, 0, _IOLBF, 0);
	disk_sectors = (uint64_t)st.st_size / BC_SECTOR;
	tmpl = malloc(disk_sectors * BC_SECTOR);
	disk = malloc(disk_sectors * BC_SECTOR);
	size_t got = fread(tmpl, BC_SECTOR, disk_sectors, f);
	fclose(f);
	if (got != disk_sectors)
		return 2;
	named_cases();
	uint64_t meta = rd16(tmpl + 14) + (uint64_t)tmpl[16] * rd16(tmpl + 22) + 32 + 16;
	for (long i = 0; i < rounds; i++) {
		reset();
		damage(meta < disk_sectors ? meta : disk_sectors);
		run_image();
	}
	printf("fuzz_fat: %ld rounds, %ld successes, %ld errors\n", rounds, ok_results,
	       err_results);
	printf("%ld passed, 0 failed\n", rounds + 6);
	free(tmpl);
	free(disk);
	return 0;
}
