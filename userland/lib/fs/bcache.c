/*
 * The sector cache: n entries, found through a hash of the sector number, replaced least
 * recently used first, written back when replaced or on bcache_sync. A miss reads up to
 * BC_READAHEAD sectors in one device request, so a sequential read costs one request per
 * 4 KiB. A device error leaves the cache as it was and returns -EIO to the caller.
 */
#include "bcache.h"
#include "copy.h"

#include <errno.h>
#include <string.h>

#define NONE (-1)

size_t bcache_mem_size(unsigned n)
{
	return (size_t)n * (sizeof(struct bc_entry) + BC_SECTOR + sizeof(int32_t));
}

static unsigned bucket_of(const struct bcache *c, uint64_t lba)
{
	return (unsigned)((lba * 0x9e3779b97f4a7c15ull) >> 32) % c->n;
}

static void lru_unlink(struct bcache *c, int32_t i)
{
	struct bc_entry *e = &c->e[i];
	if (e->lru_prev != NONE)
		c->e[e->lru_prev].lru_next = e->lru_next;
	else
		c->lru_head = e->lru_next;
	if (e->lru_next != NONE)
		c->e[e->lru_next].lru_prev = e->lru_prev;
	else
		c->lru_tail = e->lru_prev;
}

static void lru_push_front(struct bcache *c, int32_t i)
{
	c->e[i].lru_prev = NONE;
	c->e[i].lru_next = c->lru_head;
	if (c->lru_head != NONE)
		c->e[c->lru_head].lru_prev = i;
	c->lru_head = i;
	if (c->lru_tail == NONE)
		c->lru_tail = i;
}

int bcache_init(struct bcache *c, struct bdev *dev, unsigned n, void *mem)
{
	if (n < 2 * BC_READAHEAD)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->dev = dev;
	c->n = n;
	c->e = mem;
	c->data = (uint8_t *)(c->e + n);
	c->bucket = (int32_t *)(c->data + (size_t)n * BC_SECTOR);
	c->lru_head = c->lru_tail = NONE;
	for (unsigned i = 0; i < n; i++) {
		c->e[i] = (struct bc_entry){ .hnext = NONE };
		c->bucket[i] = NONE;
		lru_push_front(c, (int32_t)i);
	}
	return 0;
}

static int32_t lookup(const struct bcache *c, uint64_t lba)
{
	for (int32_t i = c->bucket[bucket_of(c, lba)]; i != NONE; i = c->e[i].hnext)
		if (c->e[i].lba == lba)
			return i;
	return NONE;
}

static void hash_remove(struct bcache *c, int32_t i)
{
	int32_t *p = &c->bucket[bucket_of(c, c->e[i].lba)];
	while (*p != NONE && *p != i)
		p = &c->e[*p].hnext;
	if (*p == i)
		*p = c->e[i].hnext;
	c->e[i].valid = 0;
}

static uint8_t *sector_of(const struct bcache *c, int32_t i)
{
	return c->data + (size_t)i * BC_SECTOR;
}

/* Write entry i back if it changed: 0 or -EIO (it then stays dirty). */
static int write_back(struct bcache *c, int32_t i)
{
	if (!c->e[i].dirty)
		return 0;
	int err = c->dev->write(c->dev->ctx, c->e[i].lba, 1, sector_of(c, i));
	if (!err)
		c->e[i].dirty = 0;
	return err;
}

/* The least recently used entry, emptied (written back first): its index or an error. */
static int32_t evict(struct bcache *c, int *err)
{
	int32_t i = c->lru_tail;
	*err = write_back(c, i);
	if (*err)
		return NONE;
	if (c->e[i].valid)
		hash_remove(c, i);
	return i;
}

static void install(struct bcache *c, int32_t i, uint64_t lba, const uint8_t *src)
{
	fs_copy(sector_of(c, i), src, BC_SECTOR);
	c->e[i].lba = lba;
	c->e[i].valid = 1;
	c->e[i].dirty = 0;
	unsigned b = bucket_of(c, lba);
	c->e[i].hnext = c->bucket[b];
	c->bucket[b] = i;
	lru_unlink(c, i);
	lru_push_front(c, i);
}

/*
 * Read lba and up to BC_READAHEAD - 1 following sectors not yet cached; install them,
 * the wanted one last so it is the most recently used. Its entry or NONE.
 */
static int32_t fill(struct bcache *c, uint64_t lba, int *err)
{
	static uint8_t buf[BC_READAHEAD * BC_SECTOR] __attribute__((aligned(8)));
	unsigned count = 1;
	while (count < BC_READAHEAD && lba + count < c->dev->sectors &&
	       lookup(c, lba + count) == NONE)
		count++;
	*err = c->dev->read(c->dev->ctx, lba, count, buf);
	if (*err)
		return NONE;
	int32_t got = NONE;
	for (unsigned k = count; k-- > 0;) {
		int32_t i = evict(c, err);
		if (i == NONE)
			return got;
		install(c, i, lba + k, buf + (size_t)k * BC_SECTOR);
		got = i;
	}
	return got;
}

uint8_t *bcache_get(struct bcache *c, uint64_t lba, int *err)
{
	if (lba >= c->dev->sectors) {
		*err = -EIO; /* a volume pointing past the disk's end */
		return 0;
	}
	int32_t i = lookup(c, lba);
	if (i != NONE) {
		c->hits++;
		lru_unlink(c, i);
		lru_push_front(c, i);
		return sector_of(c, i);
	}
	c->misses++;
	i = fill(c, lba, err);
	return i == NONE || c->e[i].lba != lba ? 0 : sector_of(c, i);
}

void bcache_dirty(struct bcache *c, uint64_t lba)
{
	int32_t i = lookup(c, lba);
	if (i != NONE)
		c->e[i].dirty = 1;
}

int bcache_sync(struct bcache *c)
{
	int first = 0;
	for (unsigned i = 0; i < c->n; i++) {
		int err = write_back(c, (int32_t)i);
		if (err && !first)
			first = err;
	}
	int err = c->dev->flush ? c->dev->flush(c->dev->ctx) : 0;
	return first ? first : err;
}

int bcache_drop(struct bcache *c)
{
	int err = bcache_sync(c);
	for (unsigned i = 0; i < c->n; i++)
		if (c->e[i].valid && !c->e[i].dirty)
			hash_remove(c, (int32_t)i);
	return err;
}

uint8_t *bvol_get(const struct bvol *v, uint64_t sector, int *err)
{
	if (sector >= v->sectors) {
		*err = -EIO;
		return 0;
	}
	return bcache_get(v->c, v->start + sector, err);
}

void bvol_dirty(const struct bvol *v, uint64_t sector)
{
	if (sector < v->sectors)
		bcache_dirty(v->c, v->start + sector);
}
