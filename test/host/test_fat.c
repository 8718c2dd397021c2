/*
 * Host tests of the block layer and FAT (userland/lib/fs), against images made by the real
 * tools: mkfs.fat builds FAT12, FAT16 and FAT32 volumes, mtools puts files in them, our code
 * reads and changes them in memory, then fsck.fat -n must find nothing to repair and mtype
 * must see our contents. Also: the sector cache's bound and write-back, MBR and GPT
 * partitions, and device errors arriving as -EIO. Usage: test_fat WORKDIR.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "check.h"
#include "userland/lib/fs/bcache.h"
#include "userland/lib/fs/fat.h"

static const char *work;

/* A disk in memory; reads at or past fail_from give -EIO (an injected device error). */
struct ramdisk {
	uint8_t *data;
	uint64_t sectors, fail_from;
	unsigned reads, writes, flushes;
};

static int rd_read(void *ctx, uint64_t lba, unsigned n, void *buf)
{
	struct ramdisk *d = ctx;
	if (n == 0 || n > BC_READAHEAD || lba + n > d->sectors)
		return -EINVAL;
	if (lba + n > d->fail_from)
		return -EIO;
	d->reads++;
	memcpy(buf, d->data + lba * BC_SECTOR, (size_t)n * BC_SECTOR);
	return 0;
}

static int rd_write(void *ctx, uint64_t lba, unsigned n, const void *buf)
{
	struct ramdisk *d = ctx;
	if (n == 0 || n > BC_READAHEAD || lba + n > d->sectors)
		return -EINVAL;
	if (lba + n > d->fail_from)
		return -EIO;
	d->writes++;
	memcpy(d->data + lba * BC_SECTOR, buf, (size_t)n * BC_SECTOR);
	return 0;
}

static int rd_flush(void *ctx)
{
	((struct ramdisk *)ctx)->flushes++;
	return 0;
}

struct mounted {
	struct ramdisk rd;
	struct bdev dev;
	struct bcache cache;
	void *mem;
	struct bvol vol;
	struct fat_vol fat;
};

static void load(struct mounted *m, const char *path, unsigned cache_entries)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	memset(m, 0, sizeof(*m));
	if (!f || stat(path, &st) != 0) {
		printf("cannot open %s\n", path);
		exit(1);
	}
	m->rd.sectors = (uint64_t)st.st_size / BC_SECTOR;
	m->rd.fail_from = UINT64_MAX;
	m->rd.data = malloc((size_t)st.st_size);
	if (fread(m->rd.data, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
		exit(1);
	fclose(f);
	m->dev = (struct bdev){ &m->rd, m->rd.sectors, 0, rd_read, rd_write, rd_flush };
	m->mem = malloc(bcache_mem_size(cache_entries));
	bcache_init(&m->cache, &m->dev, cache_entries, m->mem);
}

static void save(struct mounted *m, const char *path)
{
	FILE *f = fopen(path, "wb");
	fwrite(m->rd.data, BC_SECTOR, m->rd.sectors, f);
	fclose(f);
}

static void unload(struct mounted *m)
{
	free(m->rd.data);
	free(m->mem);
}

static int sh(const char *fmt, const char *a, const char *b)
{
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), fmt, a, b);
	return system(cmd);
}

/* mkfs.fat an image of the given FAT type and size, with a few files put there by mtools. */
static void make_image(const char *img, const char *mkfs_args)
{
	char src[512], cmd[4096];
	snprintf(src, sizeof(src), "%s/hello.txt", work);
	FILE *f = fopen(src, "w");
	fputs("hello from mtools\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "rm -f %s; mkfs.fat -C %s %s >/dev/null", img, img, mkfs_args);
	CHECK_EQ(system(cmd), 0);
	CHECK_EQ(sh("mcopy -i %s %s ::/hello.txt", img, src), 0);
	CHECK_EQ(sh("mcopy -i %s %s '::/A long file name.txt'", img, src), 0);
	CHECK_EQ(sh("mmd -i %s ::/sub%s", img, ""), 0);
	CHECK_EQ(sh("mcopy -i %s %s ::/sub/inner.txt", img, src), 0);
}

static int fsck_clean(const char *img)
{
	return sh("fsck.fat -n %s >/dev/null 2>&1%s", img, "");
}

static long read_all(struct fat_vol *v, const char *path, char *buf, size_t cap)
{
	struct fat_node n;
	int err = fat_walk(v, path, &n);
	if (err)
		return err;
	return fat_read(v, &n, 0, buf, cap);
}

static void reads_mtools_files(struct fat_vol *v)
{
	char buf[256] = { 0 };
	CHECK_EQ(read_all(v, "hello.txt", buf, sizeof(buf)), 18);
	CHECK(memcmp(buf, "hello from mtools\n", 18) == 0);
	CHECK_EQ(read_all(v, "/a LONG file name.TXT", buf, sizeof(buf)), 18);
	CHECK_EQ(read_all(v, "sub/inner.txt", buf, sizeof(buf)), 18);
	CHECK_EQ(read_all(v, "sub/../hello.txt", buf, sizeof(buf)), 18);
	CHECK_EQ(read_all(v, "nope.txt", buf, sizeof(buf)), -ENOENT);
	CHECK_EQ(read_all(v, "hello.txt/x", buf, sizeof(buf)), -ENOTDIR);
	CHECK_EQ(read_all(v, "sub", buf, sizeof(buf)), -EISDIR);
	struct fat_node root, n;
	struct fat_dirent de;
	uint32_t pos = 0;
	int seen_long = 0, count = 0;
	fat_root(v, &root);
	while (fat_readdir(v, &root, &pos, &de) == 1) {
		count++;
		seen_long |= strcmp(de.name, "A long file name.txt") == 0;
	}
	CHECK(seen_long);
	CHECK_EQ(count, 3);
	CHECK_EQ(fat_walk(v, "hello.txt", &n), 0);
	CHECK_EQ(fat_read(v, &n, 18, buf, 10), 0);
	CHECK_EQ(fat_read(v, &n, 6, buf, 4), 4);
	CHECK(memcmp(buf, "from", 4) == 0);
}

static void fill_pattern(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + seed + (i >> 9));
}

static void writes_files(struct fat_vol *v)
{
	static uint8_t big[70000], back[70000];
	struct fat_node root, n, d, x;
	fat_root(v, &root);
	fill_pattern(big, sizeof(big), 3);
	CHECK_EQ(fat_create(v, &root, "new.txt", 7, 0, &n), 0);
	CHECK_EQ(fat_create(v, &root, "NEW.TXT", 7, 0, &x), -EEXIST);
	CHECK_EQ(fat_write(v, &n, 0, big, 50000), 50000);
	CHECK_EQ(fat_write(v, &n, 50000, big + 50000, 20000), 20000); /* append */
	CHECK_EQ(fat_walk(v, "new.txt", &x), 0);
	CHECK_EQ(x.size, 70000);
	CHECK_EQ(fat_read(v, &x, 0, back, sizeof(back)), 70000);
	CHECK(memcmp(big, back, sizeof(big)) == 0);
	CHECK_EQ(fat_truncate(v, &x, 1000), 0);
	CHECK_EQ(fat_read(v, &x, 0, back, sizeof(back)), 1000);
	CHECK_EQ(fat_truncate(v, &x, 3000), 0); /* grows with zeros */
	CHECK_EQ(fat_read(v, &x, 0, back, sizeof(back)), 3000);
	CHECK(back[999] == big[999] && back[1000] == 0 && back[2999] == 0);
	CHECK_EQ(fat_write(v, &x, 5000, "tail", 4), 4); /* a gap reads as zeros */
	CHECK_EQ(fat_read(v, &x, 0, back, sizeof(back)), 5004);
	CHECK(back[4000] == 0 && memcmp(back + 5000, "tail", 4) == 0);

	/* directories: many long names force the directory to grow */
	CHECK_EQ(fat_create(v, &root, "dir one", 7, FAT_ATTR_DIR, &d), 0);
	for (int i = 0; i < 60; i++) {
		char name[64];
		int len = snprintf(name, sizeof(name), "a rather long file name number %d.text", i);
		CHECK_EQ(fat_create(v, &d, name, (unsigned)len, 0, &x), 0);
		CHECK_EQ(fat_write(v, &x, 0, name, (uint64_t)len), len);
	}
	CHECK_EQ(fat_walk(v, "dir one/a rather long file name number 59.text", &x), 0);
	CHECK_EQ(x.size, 38);
	CHECK_EQ(fat_unlink(v, &root, "dir one", 7, 1), -ENOTEMPTY);
	CHECK_EQ(fat_unlink(v, &root, "dir one", 7, 0), -EISDIR);
	CHECK_EQ(fat_unlink(v, &d, "a rather long file name number 7.text", 37, 0), 0);
	CHECK_EQ(fat_walk(v, "dir one/a rather long file name number 7.text", &x), -ENOENT);

	/* rename: within a directory, across, over an existing file, a directory */
	CHECK_EQ(fat_rename(v, &d, "a rather long file name number 8.text", 37, &root, "moved.txt",
			    9),
		 0);
	CHECK_EQ(fat_walk(v, "moved.txt", &x), 0);
	CHECK_EQ(x.size, 37);
	struct fat_node stale;
	CHECK_EQ(fat_walk(v, "moved.txt", &stale), 0);
	CHECK_EQ(fat_rename(v, &root, "moved.txt", 9, &root, "hello.txt", 9), 0);
	CHECK_EQ(fat_write(v, &stale, 0, "x", 1), -ESTALE); /* renamed: its old place is free */
	CHECK_EQ(fat_truncate(v, &stale, 0), -ESTALE);
	CHECK_EQ(fat_walk(v, "hello.txt", &x), 0);
	CHECK_EQ(x.size, 37);
	CHECK_EQ(fat_walk(v, "moved.txt", &x), -ENOENT);
	CHECK_EQ(fat_rename(v, &root, "hello.txt", 9, &root, "HELLO.txt", 9), 0); /* case only */
	CHECK_EQ(fat_create(v, &d, "deeper", 6, FAT_ATTR_DIR, &x), 0);
	CHECK_EQ(fat_rename(v, &root, "dir one", 7, &x, "loop", 4), -EINVAL);
	CHECK_EQ(fat_rename(v, &d, "deeper", 6, &root, "deeper", 6), 0);
	CHECK_EQ(fat_walk(v, "deeper/..", &x), 0);
	CHECK(x.is_root);
	CHECK_EQ(fat_walk(v, "deeper", &x), 0);
	CHECK_EQ(fat_create(v, &x, "f", 1, 0, &n), 0);
	CHECK_EQ(fat_rename(v, &root, "sub", 3, &root, "deeper", 6), -ENOTEMPTY);
	CHECK_EQ(fat_rename(v, &root, "new.txt", 7, &root, "deeper", 6), -EISDIR);
	CHECK_EQ(fat_unlink(v, &x, "f", 1, 0), 0);
	CHECK_EQ(fat_unlink(v, &root, "deeper", 6, 1), 0);

	/* names */
	char longname[300];
	memset(longname, 'x', sizeof(longname));
	CHECK_EQ(fat_create(v, &root, longname, 256, 0, &x), -ENAMETOOLONG);
	CHECK_EQ(fat_create(v, &root, longname, 255, 0, &x), 0);
	CHECK_EQ(fat_create(v, &root, "a:b", 3, 0, &x), -EINVAL);
	CHECK_EQ(fat_create(v, &root, "..", 2, 0, &x), -EINVAL);
	CHECK_EQ(fat_create(v, &root, "bad\xff", 4, 0, &x), -EINVAL);
	CHECK_EQ(fat_create(v, &root, "caf\xc3\xa9.txt", 9, 0, &x), 0);
	CHECK_EQ(fat_walk(v, "caf\xc3\xa9.txt", &x), 0);
	CHECK_EQ(fat_create(v, &root, "lower.md", 8, 0, &x), 0);
	CHECK_EQ(fat_sync(v), 0);
}

/* The files writes_files left, as mtools sees them. */
static void mtools_sees(const char *img)
{
	char cmd[4096], out[512];
	snprintf(cmd, sizeof(cmd), "mtype -i %s ::/HELLO.txt | wc -c; mdir -b -i %s ::/ | wc -l",
		 img, img);
	FILE *p = popen(cmd, "r");
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	pclose(p);
	CHECK(strncmp(out, "37\n", 3) == 0);
	snprintf(cmd, sizeof(cmd), "mdir -i %s ::/ | grep -q 'lower    md'", img);
	CHECK_EQ(system(cmd), 0);
}

/* The bytes free that mtools reports for img (mdir's "bytes free" line). */
static long long mtools_free(const char *img)
{
	char cmd[1024], out[256], digits[64];
	snprintf(cmd, sizeof(cmd), "mdir -i %s ::/ | grep 'bytes free'", img);
	FILE *p = popen(cmd, "r");
	size_t n = fread(out, 1, sizeof(out) - 1, p), k = 0;
	pclose(p);
	out[n] = 0;
	for (char *c = out; *c && strstr(c, "bytes") && k + 1 < sizeof(digits); c++)
		if (*c >= '0' && *c <= '9')
			digits[k++] = *c;
	digits[k] = 0;
	return k ? atoll(digits) : -1;
}

static void one_type(const char *label, const char *mkfs_args)
{
	char img[512];
	struct mounted m;
	snprintf(img, sizeof(img), "%s/%s.img", work, label);
	make_image(img, mkfs_args);
	load(&m, img, 64);
	CHECK_EQ(part_find(&m.cache, &m.vol), 0);
	CHECK_EQ(fat_mount(&m.fat, &m.vol), 0);
	printf("%s: FAT%d, %u clusters of %u bytes\n", label, m.fat.type, m.fat.clusters,
	       m.fat.cluster_bytes);
	reads_mtools_files(&m.fat);
	CHECK_EQ(fat_free_clusters(&m.fat) * (long long)m.fat.cluster_bytes, mtools_free(img));
	long before = fat_free_clusters(&m.fat);
	writes_files(&m.fat);
	long after = fat_free_clusters(&m.fat);
	CHECK(after > 0 && after < before);
	save(&m, img);
	unload(&m);
	CHECK_EQ(fsck_clean(img), 0);
	mtools_sees(img);
	CHECK_EQ(after * (long long)m.fat.cluster_bytes, mtools_free(img));
}

/* The cache holds at most its entries, and writes back what it evicts. */
static void cache_bounds(void)
{
	struct mounted m;
	int err = 0;
	char img[512];
	snprintf(img, sizeof(img), "%s/plain.img", work);
	CHECK_EQ(sh("rm -f %s; truncate -s 1M %s", img, img), 0);
	load(&m, img, 16);
	for (uint64_t s = 0; s < 64; s++) {
		uint8_t *p = bcache_get(&m.cache, s, &err);
		CHECK(p != 0);
		if (!p)
			break;
		p[0] = (uint8_t)(s + 1);
		bcache_dirty(&m.cache, s);
	}
	CHECK_EQ(m.rd.data[0], 1); /* evicted, so written back */
	CHECK_EQ(bcache_sync(&m.cache), 0);
	CHECK_EQ(m.rd.data[63 * BC_SECTOR], 64);
	CHECK(m.rd.flushes >= 1);
	CHECK(bcache_get(&m.cache, m.rd.sectors, &err) == 0 && err == -EIO);
	m.rd.fail_from = 100;
	CHECK(bcache_get(&m.cache, 200, &err) == 0 && err == -EIO);
	unload(&m);
}

static void put32le(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

/* An MBR with one entry of the given type, as a partitioning tool writes it. */
static void write_mbr(uint8_t *d, uint8_t type, uint32_t start, uint32_t count)
{
	uint8_t *e = d + 446;
	memset(d, 0, 512);
	e[4] = type;
	put32le(e + 8, start);
	put32le(e + 12, count);
	d[510] = 0x55;
	d[511] = 0xaa;
}

/* A protective MBR, a GPT header at sector 1 and one basic-data entry at sector 2. */
static void write_gpt(uint8_t *d, uint64_t first, uint64_t last)
{
	static const uint8_t basic[16] = { 0xa2, 0xa0, 0xd0, 0xeb, 0xe5, 0xb9, 0x33, 0x44,
					   0x87, 0xc0, 0x68, 0xb6, 0xb7, 0x26, 0x99, 0xc7 };
	uint8_t *h = d + 512, *e = d + 1024;
	write_mbr(d, 0xee, 1, 0xffffffffu);
	memset(h, 0, 1024);
	memcpy(e, basic, 16);
	put32le(e + 32, (uint32_t)first);
	put32le(e + 40, (uint32_t)last);
	memcpy(h, "EFI PART", 8);
	put32le(h + 8, 0x10000);
	put32le(h + 12, 92);
	put32le(h + 72, 2); /* entries at sector 2 */
	put32le(h + 80, 4); /* four of them (one sector) */
	put32le(h + 84, 128);
	put32le(h + 88, crc32_ieee(e, 512));
	put32le(h + 16, crc32_ieee(h, 92));
}

/* A FAT volume inside an MBR partition, then inside a GPT one, then a bad GPT. */
static void partitions(void)
{
	char img[512], cmd[4096];
	struct mounted m;
	snprintf(img, sizeof(img), "%s/part.img", work);
	snprintf(cmd, sizeof(cmd), "rm -f %s && mkfs.fat -C --offset 4096 %s 6144 >/dev/null", img,
		 img);
	CHECK_EQ(system(cmd), 0);
	load(&m, img, 32);
	write_mbr(m.rd.data, 0x0c, 4096, 12288);
	CHECK_EQ(part_find(&m.cache, &m.vol), 0);
	CHECK_EQ(m.vol.start, 4096);
	CHECK_EQ(fat_mount(&m.fat, &m.vol), 0);
	bcache_drop(&m.cache);
	write_gpt(m.rd.data, 4096, 4096 + 12287);
	CHECK_EQ(part_find(&m.cache, &m.vol), 0);
	CHECK_EQ(m.vol.start, 4096);
	CHECK_EQ(m.vol.sectors, 12288);
	CHECK_EQ(fat_mount(&m.fat, &m.vol), 0);
	bcache_drop(&m.cache);
	m.rd.data[512 + 40] ^= 1; /* the GPT header's CRC no longer matches */
	CHECK_EQ(part_find(&m.cache, &m.vol), -EINVAL);
	bcache_drop(&m.cache);
	write_mbr(m.rd.data, 0x0c, 4096, 1u << 30); /* past the disk's end */
	CHECK_EQ(part_find(&m.cache, &m.vol), -EINVAL);
	bcache_drop(&m.cache);
	write_mbr(m.rd.data, 0x83, 4096, 8192); /* not FAT */
	CHECK_EQ(part_find(&m.cache, &m.vol), -ENOENT);
	unload(&m);
}

/* Device errors reach the caller as -EIO; nothing crashes and the volume stays usable. */
static void io_errors(void)
{
	char img[512];
	struct mounted m;
	struct fat_node n, root;
	char buf[64];
	snprintf(img, sizeof(img), "%s/fat12.img", work);
	load(&m, img, 32);
	CHECK_EQ(part_find(&m.cache, &m.vol), 0);
	CHECK_EQ(fat_mount(&m.fat, &m.vol), 0);
	m.rd.fail_from = m.fat.data_start; /* data clusters now fail */
	CHECK_EQ(read_all(&m.fat, "sub/inner.txt", buf, sizeof(buf)), -EIO);
	fat_root(&m.fat, &root);
	CHECK_EQ(fat_walk(&m.fat, "lower.md", &n), 0); /* the root directory still reads */
	m.rd.fail_from = UINT64_MAX;
	CHECK_EQ(read_all(&m.fat, "sub/inner.txt", buf, sizeof(buf)), 18);
	/* a disk shorter than the volume says */
	m.rd.sectors = m.dev.sectors = m.fat.data_start + 2;
	bcache_drop(&m.cache);
	CHECK_EQ(part_find(&m.cache, &m.vol), 0);
	CHECK_EQ(fat_mount(&m.fat, &m.vol), -EINVAL);
	unload(&m);
}

/* A FAT12 root directory has a fixed number of entries, a volume a fixed number of
 * clusters: going past either is ENOSPC, and the volume stays clean. */
static void root_full(void)
{
	char img[512], cmd[4096];
	struct mounted m;
	struct fat_node root, n;
	int created = 0, err = 0;
	snprintf(img, sizeof(img), "%s/rootfull.img", work);
	snprintf(cmd, sizeof(cmd), "rm -f %s && mkfs.fat -C -r 64 %s 1024 >/dev/null", img, img);
	CHECK_EQ(system(cmd), 0);
	load(&m, img, 32);
	CHECK_EQ(part_find(&m.cache, &m.vol), 0);
	CHECK_EQ(fat_mount(&m.fat, &m.vol), 0);
	fat_root(&m.fat, &root);
	while (created < 100) {
		char name[16];
		int len = snprintf(name, sizeof(name), "F%d.TXT", created);
		err = fat_create(&m.fat, &root, name, (unsigned)len, 0, &n);
		if (err)
			break;
		created++;
	}
	CHECK_EQ(err, -ENOSPC);
	CHECK_EQ(created, 64);
	/* A full volume: a write stops where the space ends, the next one gets ENOSPC. */
	static uint8_t big[2 << 20];
	CHECK_EQ(fat_walk(&m.fat, "F0.TXT", &n), 0);
	long w = fat_write(&m.fat, &n, 0, big, sizeof(big));
	CHECK(w > 0 && w < (long)sizeof(big));
	CHECK_EQ(w % m.fat.cluster_bytes, 0);
	CHECK_EQ(fat_write(&m.fat, &n, (uint64_t)w, big, 1), -ENOSPC);
	CHECK_EQ(n.size, w);
	CHECK_EQ(fat_truncate(&m.fat, &n, 0), 0); /* and the space comes back */
	CHECK_EQ(fat_write(&m.fat, &n, 0, big, 4096), 4096);
	CHECK_EQ(fat_sync(&m.fat), 0);
	save(&m, img);
	unload(&m);
	CHECK_EQ(fsck_clean(img), 0);
}

/*
 * FAT dates against the host's gmtime: every field of the packed date and time, the way
 * back (to the two-second step), and the clamps at 1980 and 2107.
 */
static void dates(void)
{
	const int64_t first = 315532800, last = 4354819198; /* 1980-01-01, 2107-12-31 23:59:58 */
	uint16_t d, t;
	unsigned bad = 0;
	srand(7);
	for (int i = 0; i < 200000; i++) {
		int64_t s = first + (int64_t)(((uint64_t)rand() << 31 | (uint64_t)rand()) %
					      (uint64_t)(last - first + 2));
		time_t tt = (time_t)s;
		struct tm tm;
		gmtime_r(&tt, &tm);
		fat_time_pack(s, &d, &t);
		bad += (d >> 9) != (unsigned)(tm.tm_year - 80) ||
		       ((d >> 5) & 15) != (unsigned)(tm.tm_mon + 1) ||
		       (d & 31) != (unsigned)tm.tm_mday || (t >> 11) != (unsigned)tm.tm_hour ||
		       ((t >> 5) & 63) != (unsigned)tm.tm_min ||
		       (t & 31) != (unsigned)(tm.tm_sec / 2) || fat_time_unpack(d, t) != s - s % 2;
	}
	CHECK_EQ(bad, 0);
	fat_time_pack(0, &d, &t);
	CHECK_EQ(fat_time_unpack(d, t), first);
	fat_time_pack(-5000000000LL, &d, &t);
	CHECK_EQ(fat_time_unpack(d, t), first);
	fat_time_pack(last + 86400 * 400LL, &d, &t);
	CHECK_EQ(fat_time_unpack(d, t), last);
	fat_time_pack(951782400, &d, &t); /* 2000-02-29: a leap day of a century year */
	CHECK_EQ(d, 20 << 9 | 2 << 5 | 29);
	CHECK_EQ(fat_time_unpack(0, 0), first);		/* a date never set */
	CHECK_EQ(fat_time_unpack(0x21, 0xffff), first); /* hour 31 and the rest: read as 0 */
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		printf("usage: test_fat WORKDIR\n");
		return 2;
	}
	work = argv[1];
	setvbuf(stdout, 0, _IOLBF, 0);
	mkdir(work, 0755); /* it may exist already */
	one_type("fat12", "2048");
	one_type("fat16", "20480 -F 16");
	one_type("fat32", "40960 -F 32 -s 1");
	cache_bounds();
	partitions();
	io_errors();
	root_full();
	dates();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
