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
/*
 * The same, with buf (IPC_BUF_MAX bytes, word-aligned) as the message buffer: a driver
 * that passes its DMA buffer gets a write's data there and sends a read's answer from
 * there, and then skips the copies when its read and write are handed that buffer.
 */
void blk_serve_in(const struct bdev *dev, void *buf) __attribute__((noreturn));

#endif
