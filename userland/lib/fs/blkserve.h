/* The block protocol's server loop, shared by every block driver (docs/storage.md). */
#ifndef USER_FS_BLKSERVE_H
#define USER_FS_BLKSERVE_H

#include "bcache.h"
#include "syscall.h"

/*
 * Serve the block protocol on SLOT_BLK_EP for dev, forever; with dev NULL (no device
 * found) every request is answered -ENODEV. The driver's read and write get ranges
 * already checked (1..BLK_MAX_SECTORS sectors inside the disk) and a buffer of their size.
 */
void blk_serve(const struct bdev *dev) __attribute__((noreturn));

#endif
