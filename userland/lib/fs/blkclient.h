/* Starting a block driver task and talking to it (blkproto.h) as a struct bdev. */
#ifndef USER_FS_BLKCLIENT_H
#define USER_FS_BLKCLIENT_H

#include "bcache.h"
#include "blkproto.h"
#include "syscall.h"

struct blk_client {
	long task; /* our slot holding the driver task */
	long ep;   /* the driver's endpoint */
};

/*
 * Start the driver program (e.g. "virtio_blk") for device number which ("0"): 0 or -errno
 * (-EPERM without device control in SLOT_IRQCTL, -ENOENT if there is no such program).
 */
int blk_start(const char *driver, const char *which, struct blk_client *out);
/* Kill the driver and free the slots. */
void blk_stop(struct blk_client *c);
/* Ask the driver for the disk's size and fill in a bdev that calls it: 0 or -errno
 * (-ENODEV: the driver found no device). */
int blk_bdev(struct blk_client *c, struct bdev *dev);

#endif
