/*
 * The server side of the block protocol (blkproto.h): one loop over requests on
 * SLOT_BLK_EP, for any driver that fills in a struct bdev. Every request is checked here
 * (label, count, byte length, range, read-only) before the driver sees it, so a driver
 * only implements whole-sector transfers that are known to be in range.
 */
#include "blkserve.h"

#include <errno.h>
#include <string.h>

#include "blkproto.h"

static uint8_t own_buf[IPC_BUF_MAX] __attribute__((aligned(8)));
static uint8_t *msgbuf = own_buf; /* or the driver's DMA buffer: see blk_serve_in */

/* A read or write request's range, checked: 0 or a negative errno. */
static int check_range(const struct bdev *dev, const struct ipc_msg *m, unsigned bytes)
{
	uint64_t lba = m->w[0], count = m->w[1];
	if (count == 0 || count > BLK_MAX_SECTORS || bytes != count * BLK_SECTOR)
		return -EINVAL;
	if (lba >= dev->sectors || count > dev->sectors - lba)
		return -ERANGE;
	return 0;
}

static long do_read(const struct bdev *dev, const struct ipc_msg *m, unsigned *len)
{
	unsigned bytes = m->w[1] <= BLK_MAX_SECTORS ? (unsigned)m->w[1] * BLK_SECTOR : 0;
	int err = check_range(dev, m, bytes);
	if (!err)
		err = dev->read(dev->ctx, m->w[0], (unsigned)m->w[1], msgbuf);
	if (!err)
		*len = bytes;
	return err;
}

static long do_write(const struct bdev *dev, const struct ipc_msg *m)
{
	int err = check_range(dev, m, ipc_tag_len(m->tag));
	if (!err && dev->readonly)
		err = -EROFS;
	return err ? err : dev->write(dev->ctx, m->w[0], (unsigned)m->w[1], msgbuf);
}

/* Decode one request, act, and fill the answer's words; its byte count in *len. */
static long serve(const struct bdev *dev, const struct ipc_msg *m, uint64_t *w, unsigned *len)
{
	unsigned label = (unsigned)ipc_tag_label(m->tag);
	*len = 0;
	if (label < BLK_INFO || label > BLK_FLUSH)
		return -ENOSYS;
	if (!dev)
		return -ENODEV;
	switch (label) {
	case BLK_INFO:
		w[1] = dev->sectors;
		w[2] = BLK_SECTOR;
		w[3] = dev->readonly ? BLK_INFO_READONLY : 0;
		return 0;
	case BLK_READ:
		return do_read(dev, m, len);
	case BLK_WRITE:
		return do_write(dev, m);
	default:
		return dev->flush ? dev->flush(dev->ctx) : 0;
	}
}

void blk_serve_in(const struct bdev *dev, void *buf)
{
	msgbuf = buf;
	blk_serve(dev);
}

void blk_serve(const struct bdev *dev)
{
	struct ipc_msg m = { 0 };
	long err = 1; /* nothing received yet: nothing to answer */
	for (;;) {
		if (err == 0) {
			uint64_t w[IPC_WORDS] = { 0 };
			unsigned len;
			w[0] = (uint64_t)serve(dev, &m, w, &len);
			memcpy(m.w, w, sizeof(w));
			m.tag = ipc_tag(0, 4, len, 0);
			m.sbuf = msgbuf;
		}
		m.rbuf = msgbuf;
		m.rspec = ipc_recv_spec(IPC_BUF_MAX, IPC_RECV_SLOT_NONE);
		err = err == 0 ? ipc_reply_recv(SLOT_BLK_EP, &m) : ipc_recv(SLOT_BLK_EP, &m);
	}
}
