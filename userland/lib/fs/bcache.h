/*
 * The block layer: a block device (any driver's read/write/flush of whole 512-byte
 * sectors), a bounded write-back sector cache in front of it, and volumes (a range of
 * sectors: a partition, or the whole disk). Plain C: it builds for the guest and for the
 * host tests. Errors are negative errno values; a device error is -EIO. docs/storage.md.
 */
#ifndef USER_FS_BCACHE_H
#define USER_FS_BCACHE_H

#include <stddef.h>
#include <stdint.h>

#define BC_SECTOR    512u
#define BC_READAHEAD 8u /* sectors read at once on a miss (one driver request) */

struct bdev {
	void *ctx;
	uint64_t sectors;
	int readonly;
	/* count is 1..BC_READAHEAD; each returns 0 or a negative errno */
	int (*read)(void *ctx, uint64_t lba, unsigned count, void *buf);
	int (*write)(void *ctx, uint64_t lba, unsigned count, const void *buf);
	int (*flush)(void *ctx);
};

struct bc_entry {
	uint64_t lba;
	int32_t hnext;		    /* next entry in the same hash bucket, -1: none */
	int32_t lru_prev, lru_next; /* most recently used first */
	uint8_t valid, dirty;
};

struct bcache {
	struct bdev *dev;
	unsigned n;	    /* entries */
	struct bc_entry *e; /* n of them */
	uint8_t *data;	    /* n sectors */
	int32_t *bucket;    /* n buckets of hash chains */
	int32_t lru_head, lru_tail;
	uint64_t hits, misses; /* statistics, for the benchmark */
};

/* Bytes of memory bcache_init needs for n entries. */
size_t bcache_mem_size(unsigned n);
/* A cache of n (>= 2 * BC_READAHEAD) sectors over dev, in mem (bcache_mem_size(n) bytes). */
int bcache_init(struct bcache *c, struct bdev *dev, unsigned n, void *mem);
/* The cached sector lba (reading it in on a miss): its 512 bytes, or NULL with *err set. */
uint8_t *bcache_get(struct bcache *c, uint64_t lba, int *err);
/* Mark lba (which bcache_get just returned) as changed: it is written back later. */
void bcache_dirty(struct bcache *c, uint64_t lba);
/* Write back every changed sector, then flush the device: 0 or the first error. */
int bcache_sync(struct bcache *c);
/* Forget every clean sector (a cold cache for the benchmark); dirty ones are written first. */
int bcache_drop(struct bcache *c);

/* A range of sectors on a cached device: a partition or the whole disk. */
struct bvol {
	struct bcache *c;
	uint64_t start, sectors;
};

uint8_t *bvol_get(const struct bvol *v, uint64_t sector, int *err);
void bvol_dirty(const struct bvol *v, uint64_t sector);

/*
 * Partitions. part_find returns the first partition that may hold FAT: an MBR entry of a
 * FAT type (0x01, 0x04, 0x06, 0x0b, 0x0c, 0x0e, 0xef), or a GPT entry of the basic-data
 * or EFI-system type; with neither table, sector 0 holding a FAT boot sector means the
 * whole disk is one volume. -ENOENT if nothing fits, -EINVAL for a table that points
 * outside the disk or fails its checks (GPT header CRC, sizes).
 */
int part_find(struct bcache *c, struct bvol *out);

#endif
