/*
 * The block driver and dma_addr. dma_addr's refusals come with their named errors, and
 * it gives page-aligned, distinct addresses for an anonymous object's pages. The
 * virtio_blk driver, started as a task of its own, answers every request: with no disk
 * (the usual test boot) each one gets ENODEV; with a disk (test/qemu/test_storage.py
 * attaches a scratch image) malformed requests get EINVAL or ERANGE, a sector written at
 * the disk's end reads back, and the driver keeps serving after each refusal. When the
 * file server has the disk at /boot, a second driver would reset the device under the
 * server's, so then only dma_addr is checked.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/blkclient.h"
#include "testlib.h"
#include "testutil.h"

#define PAGE	      4096
#define VIRTIO_COMPAT "virtio,mmio"

static long dma(long devctl, long obj, long page)
{
	return SYSCALL(dma_addr, devctl, obj, page);
}

static void dma_addr_checks(void)
{
	long obj = slot_alloc(), ro = slot_alloc(), dev = slot_alloc();
	CHECK_EQ(SYSCALL(obj_create, SLOT_SELF, OBJ_MEMORY, obj, 2), 0);
	CHECK_EQ(dma(slot_alloc(), obj, 0), E_BADCAP);
	CHECK_EQ(dma(SLOT_CONSOLE, obj, 0), E_TYPE);
	CHECK_EQ(dma(SLOT_IRQCTL, slot_alloc(), 0), E_BADCAP);
	CHECK_EQ(dma(SLOT_IRQCTL, SLOT_CONSOLE, 0), E_TYPE);
	CHECK_EQ(SYSCALL(cap_copy, obj, ro, CAP_READ), 0);
	CHECK_EQ(dma(SLOT_IRQCTL, ro, 0), E_RIGHTS);
	CHECK_EQ(dma(SLOT_IRQCTL, obj, 2), E_RANGE);
	CHECK_EQ(dma(SLOT_IRQCTL, obj, -1), E_RANGE);
	long a = dma(SLOT_IRQCTL, obj, 0), b = dma(SLOT_IRQCTL, obj, 1);
	CHECK(a > 0 && b > 0 && a != b);
	CHECK_EQ(a % PAGE, 0);
	CHECK_EQ(b % PAGE, 0);
	if (SYSCALL(device_get, SLOT_IRQCTL, dev, (long)VIRTIO_COMPAT, (long)strlen(VIRTIO_COMPAT),
		    0) >= 0) {
		CHECK_EQ(dma(SLOT_IRQCTL, dev, 0), E_INVAL); /* registers, not RAM */
		SYSCALL(cap_delete, dev);
	}
	SYSCALL(cap_delete, ro);
	SYSCALL(cap_delete, obj);
}

/* One raw request: the answer's w0, and the reply's byte count in *len. */
static long req(struct blk_client *c, unsigned label, uint64_t lba, uint64_t count, const void *out,
		unsigned out_len, void *in, unsigned *len)
{
	struct ipc_msg m = { 0 };
	m.tag = ipc_tag(label, 2, out_len, 0);
	m.w[0] = lba;
	m.w[1] = count;
	m.sbuf = out;
	m.rbuf = in;
	m.rspec = ipc_recv_spec(in ? IPC_BUF_MAX : 0, IPC_RECV_SLOT_NONE);
	long err = ipc_call((uint64_t)c->ep, &m);
	if (err)
		return err;
	if (len)
		*len = ipc_tag_len(m.tag);
	return (long)m.w[0];
}

static void no_disk(struct blk_client *c)
{
	static uint8_t buf[IPC_BUF_MAX];
	CHECK_EQ(req(c, BLK_READ, 0, 1, 0, 0, buf, 0), -ENODEV);
	CHECK_EQ(req(c, BLK_WRITE, 0, 1, buf, BLK_SECTOR, 0, 0), -ENODEV);
	CHECK_EQ(req(c, BLK_FLUSH, 0, 0, 0, 0, 0, 0), -ENODEV);
	CHECK_EQ(req(c, 99, 0, 0, 0, 0, 0, 0), -ENOSYS);
}

static void with_disk(struct blk_client *c, uint64_t sectors)
{
	static uint8_t out[IPC_BUF_MAX], in[IPC_BUF_MAX];
	unsigned len = 0;
	CHECK(sectors >= 16);
	CHECK_EQ(req(c, BLK_READ, 0, 0, 0, 0, in, 0), -EINVAL);
	CHECK_EQ(req(c, BLK_READ, 0, BLK_MAX_SECTORS + 1, 0, 0, in, 0), -EINVAL);
	CHECK_EQ(req(c, BLK_READ, sectors, 1, 0, 0, in, 0), -ERANGE);
	CHECK_EQ(req(c, BLK_READ, sectors - 1, 2, 0, 0, in, 0), -ERANGE);
	CHECK_EQ(req(c, BLK_READ, UINT64_MAX, 1, 0, 0, in, 0), -ERANGE);
	CHECK_EQ(req(c, BLK_WRITE, 0, 2, out, BLK_SECTOR, 0, 0), -EINVAL); /* bytes != count */
	CHECK_EQ(req(c, 99, 0, 0, 0, 0, 0, 0), -ENOSYS);
	for (unsigned i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 13 + 7);
	CHECK_EQ(req(c, BLK_WRITE, sectors - 8, 8, out, 8 * BLK_SECTOR, 0, 0), 0);
	CHECK_EQ(req(c, BLK_FLUSH, 0, 0, 0, 0, 0, 0), 0);
	CHECK_EQ(req(c, BLK_READ, sectors - 8, 8, 0, 0, in, &len), 0);
	CHECK_EQ(len, 8 * BLK_SECTOR);
	CHECK(memcmp(in, out, 8 * BLK_SECTOR) == 0);
	CHECK_EQ(req(c, BLK_READ, sectors - 1, 1, 0, 0, in, &len), 0);
	CHECK(memcmp(in, out + 7 * BLK_SECTOR, BLK_SECTOR) == 0);
}

int main(void)
{
	struct blk_client c;
	struct bdev dev;
	struct stat boot;
	dma_addr_checks();
	if (stat("/boot", &boot) == 0) {
		printf("  the disk is the file server's (/boot): dma_addr only\n");
		return test_status();
	}
	CHECK_EQ(blk_start("virtio_blk", "0", &c), 0);
	int err = blk_bdev(&c, &dev);
	if (err == -ENODEV) {
		printf("  no virtio block device: refusals only\n");
		no_disk(&c);
	} else {
		CHECK_EQ(err, 0);
		with_disk(&c, dev.sectors);
	}
	blk_stop(&c);
	return test_status();
}
