/*
 * Mounting a FAT volume from a disk in one call: the first block driver that finds a
 * device, a sector cache, the partition, the volume. For fatfs, and for a file server
 * that serves the volume at a path such as /boot (docs/storage.md).
 */
#ifndef USER_FS_FATMOUNT_H
#define USER_FS_FATMOUNT_H

#include "blkclient.h"
#include "fat.h"

struct fatmount {
	struct blk_client blk;
	struct bdev dev;
	struct bcache cache;
	void *cache_mem;
	struct fat_vol vol;
	const char *driver; /* the driver program that found the device */
};

/*
 * Start the drivers in turn (virtio_blk, then sifive_spi_sd) until one finds device
 * number which ("0": the first), then mount its FAT volume with a cache of cache_sectors
 * sectors: 0, or a negative errno (-ENODEV: no device; -ENOENT: no FAT partition;
 * -EINVAL: not a FAT volume; -ENOMEM; -EIO). On failure nothing is left running.
 */
int fatmount_start(struct fatmount *m, const char *which, unsigned cache_sectors);
/* Write back everything (fat_sync) and stop the driver: 0 or the sync's error. */
int fatmount_stop(struct fatmount *m);

#endif
