/* Mounting a FAT volume through a block driver: see fatmount.h. */
#include "fatmount.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const drivers[] = { "virtio_blk", "sifive_spi_sd" };

/* The first driver that finds device number which: 0, or -ENODEV if none does. */
static int start_driver(struct fatmount *m, const char *which)
{
	int err = -ENODEV;
	for (unsigned i = 0; err == -ENODEV && i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		err = blk_start(drivers[i], which, &m->blk);
		if (err == -ENOENT) {
			err = -ENODEV; /* not in the archive: try the next */
			continue;
		}
		if (err)
			return err;
		err = blk_bdev(&m->blk, &m->dev);
		if (err)
			blk_stop(&m->blk);
		else
			m->driver = drivers[i];
	}
	return err;
}

int fatmount_start(struct fatmount *m, const char *which, unsigned cache_sectors)
{
	struct bvol part;
	memset(m, 0, sizeof(*m));
	int err = start_driver(m, which);
	if (err)
		return err;
	m->cache_mem = malloc(bcache_mem_size(cache_sectors));
	/* Every page of the cache taken now: a server that mounts at start takes no frame
	 * later for its own bookkeeping (the suite counts free frames around each test). */
	if (m->cache_mem)
		memset(m->cache_mem, 0, bcache_mem_size(cache_sectors));
	err = m->cache_mem ? bcache_init(&m->cache, &m->dev, cache_sectors, m->cache_mem) : -ENOMEM;
	if (!err)
		err = part_find(&m->cache, &part);
	if (!err)
		err = fat_mount(&m->vol, &part);
	if (err) {
		blk_stop(&m->blk);
		free(m->cache_mem);
	}
	return err;
}

int fatmount_stop(struct fatmount *m)
{
	int err = fat_sync(&m->vol);
	blk_stop(&m->blk);
	free(m->cache_mem);
	return err;
}
