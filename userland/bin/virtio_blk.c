/*
 * virtio_blk: a user-level driver for a virtio block device on virtio-mmio, legacy
 * (version 1, QEMU 7.2's default) or modern (version 2, virtio 1.0). It serves the block
 * protocol (fs/blkproto.h, docs/storage.md) on the endpoint in SLOT_BLK_EP, through the
 * shared server loop (fs/blkserve.c), which checks every request before it comes here.
 *
 * argv[1], if given, is which virtio block device to drive (0 = the first). The device is
 * found through the device tree: every "virtio,mmio" node in turn (device_get's index),
 * keeping those whose DeviceID register says block; no slot is hard-coded. The registers
 * and interrupt come by capability (device_get, irq_bind), the DMA page's physical address
 * from dma_addr. One request is in flight at a time: the server answers each before
 * taking the next, so a request's buffer is never shared between two clients.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/blkproto.h"
#include "fs/blkserve.h"
#include "fs/copy.h"
#include "fs/virtio.h"
#include "taskspawn.h"
#include "syscall.h"

#define REGS_VA	  0x3800000000UL /* the device's register page */
#define DMA_VA	  0x3900000000UL /* queue page, then the data page */
#define DMA_PAGES 2
#define QNUM	  8u  /* descriptors; a request takes three */
#define QALIGN	  64u /* legacy used-ring alignment, which we choose (QueueAlign) */
#define MAX_NODES 64u /* virtio,mmio nodes looked at */
#define IRQ_BIT	  1u
#define TIMEOUT_S 5 /* a request the device has not finished by then: EIO */

/* The queue page: descriptors, available ring, used ring, then the request header and status. */
#define OFF_DESC  0u
#define OFF_AVAIL (OFF_DESC + QNUM * sizeof(struct virtq_desc))
#define AVAIL_END (OFF_AVAIL + sizeof(struct virtq_avail_hdr) + QNUM * 2u + 2u)
#define OFF_USED  ((AVAIL_END + QALIGN - 1) & ~(QALIGN - 1))
#define USED_END \
	(OFF_USED + sizeof(struct virtq_used_hdr) + QNUM * sizeof(struct virtq_used_elem) + 2u)
#define OFF_REQ	   512u
#define OFF_STATUS (OFF_REQ + sizeof(struct virtio_blk_req))
_Static_assert(USED_END <= OFF_REQ, "the rings overlap the request header");

struct vblk {
	int legacy, readonly, broken;
	uint64_t sectors;
	uint64_t queue_pa, data_pa;
	long irq, notif;
	uint16_t avail_idx, used_seen;
};

static struct vblk dev;

static volatile uint32_t *reg(unsigned off)
{
	return (volatile uint32_t *)(REGS_VA + off);
}

static void io_fence(void)
{
	__asm__ volatile("fence iorw, iorw" ::: "memory");
}

static uint8_t *qpage(unsigned off)
{
	return (uint8_t *)DMA_VA + off;
}

static uint8_t *data_page(void)
{
	return (uint8_t *)DMA_VA + PAGE_BYTES;
}

/* Is the node mapped at REGS_VA a virtio block device we can drive? */
static int is_block_device(void)
{
	uint32_t version = *reg(VIRTIO_MMIO_VERSION);
	return *reg(VIRTIO_MMIO_MAGIC) == VIRTIO_MAGIC &&
	       (version == VIRTIO_VERSION_LEGACY || version == VIRTIO_VERSION_MODERN) &&
	       *reg(VIRTIO_MMIO_DEVICE_ID) == VIRTIO_DEV_BLOCK;
}

/*
 * Walk the virtio,mmio nodes; map the want-th block device's registers at REGS_VA and
 * return its interrupt, or a negative error. Other nodes' capabilities are dropped.
 */
static long find_device(unsigned want)
{
	long slot = slot_alloc();
	for (unsigned i = 0; i < MAX_NODES; i++) {
		long irq = SYSCALL(device_get, SLOT_IRQCTL, slot, (long)VIRTIO_MMIO_COMPAT,
				   (long)strlen(VIRTIO_MMIO_COMPAT), i);
		if (irq == E_NOENT)
			break;
		if (irq < 0)
			continue; /* a node we may not have: look at the next */
		if (SYSCALL(map, SLOT_SELF, slot, REGS_VA, 0, 1,
			    MAP_PROT_READ | MAP_PROT_WRITE | MAP_KIND_SHARED) == 0) {
			if (is_block_device() && want-- == 0)
				return irq; /* the slot stays: the mapping outlives it anyway */
			SYSCALL(unmap, SLOT_SELF, REGS_VA, 1);
		}
		SYSCALL(cap_delete, slot);
	}
	return -ENODEV;
}

/* The DMA pages: a memory object of our own, mapped, with each page's physical address. */
static int dma_setup(void)
{
	long obj = slot_alloc();
	long pa0, pa1;
	if (SYSCALL(obj_create, SLOT_SELF, OBJ_MEMORY, obj, DMA_PAGES) != 0 ||
	    SYSCALL(map, SLOT_SELF, obj, DMA_VA, 0, DMA_PAGES,
		    MAP_PROT_READ | MAP_PROT_WRITE | MAP_KIND_SHARED) != 0)
		return -ENOMEM;
	pa0 = SYSCALL(dma_addr, SLOT_IRQCTL, obj, 0);
	pa1 = SYSCALL(dma_addr, SLOT_IRQCTL, obj, 1);
	if (pa0 < 0 || pa1 < 0)
		return -EIO;
	dev.queue_pa = (uint64_t)pa0;
	dev.data_pa = (uint64_t)pa1;
	return 0;
}

static uint64_t features(unsigned word)
{
	*reg(VIRTIO_MMIO_DEV_FEATURES_SEL) = word;
	io_fence();
	return *reg(VIRTIO_MMIO_DEV_FEATURES);
}

static void set_features(unsigned word, uint32_t bits)
{
	*reg(VIRTIO_MMIO_DRV_FEATURES_SEL) = word;
	io_fence();
	*reg(VIRTIO_MMIO_DRV_FEATURES) = bits;
}

/* Feature negotiation: we take read-only, flush and (modern) VERSION_1, nothing else. */
static int negotiate(void)
{
	uint64_t have = features(0) | features(1) << 32;
	uint64_t want = have & ((1UL << VIRTIO_BLK_F_RO) | (1UL << VIRTIO_BLK_F_FLUSH));
	if (!dev.legacy) {
		if (!(have & (1UL << VIRTIO_F_VERSION_1)))
			return -ENODEV;
		want |= 1UL << VIRTIO_F_VERSION_1;
	}
	set_features(0, (uint32_t)want);
	set_features(1, (uint32_t)(want >> 32));
	dev.readonly = (want >> VIRTIO_BLK_F_RO) & 1;
	if (dev.legacy)
		return 0;
	*reg(VIRTIO_MMIO_STATUS) |= VIRTIO_STATUS_FEATURES_OK;
	io_fence();
	return (*reg(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK) ? 0 : -ENODEV;
}

/* Queue 0 in the queue page, told to the device the legacy or the modern way. */
static int queue_setup(void)
{
	*reg(VIRTIO_MMIO_QUEUE_SEL) = 0;
	io_fence();
	uint32_t max = *reg(VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (max < QNUM)
		return -ENODEV;
	*reg(VIRTIO_MMIO_QUEUE_NUM) = QNUM;
	if (dev.legacy) {
		*reg(VIRTIO_MMIO_GUEST_PAGE_SIZE) = PAGE_BYTES;
		*reg(VIRTIO_MMIO_QUEUE_ALIGN) = QALIGN;
		*reg(VIRTIO_MMIO_QUEUE_PFN) = (uint32_t)(dev.queue_pa / PAGE_BYTES);
		return 0;
	}
	uint64_t desc = dev.queue_pa + OFF_DESC, avail = dev.queue_pa + OFF_AVAIL,
		 used = dev.queue_pa + OFF_USED;
	*reg(VIRTIO_MMIO_QUEUE_DESC_LO) = (uint32_t)desc;
	*reg(VIRTIO_MMIO_QUEUE_DESC_HI) = (uint32_t)(desc >> 32);
	*reg(VIRTIO_MMIO_QUEUE_AVAIL_LO) = (uint32_t)avail;
	*reg(VIRTIO_MMIO_QUEUE_AVAIL_HI) = (uint32_t)(avail >> 32);
	*reg(VIRTIO_MMIO_QUEUE_USED_LO) = (uint32_t)used;
	*reg(VIRTIO_MMIO_QUEUE_USED_HI) = (uint32_t)(used >> 32);
	io_fence();
	*reg(VIRTIO_MMIO_QUEUE_READY) = 1;
	return 0;
}

/* The device's capacity: two 32-bit reads of the 64-bit field, stable across a re-read. */
static uint64_t capacity(void)
{
	volatile uint32_t *cfg = reg(VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_CAPACITY);
	uint32_t hi, lo;
	do {
		hi = cfg[1];
		lo = cfg[0];
	} while (hi != cfg[1]);
	return (uint64_t)hi << 32 | lo;
}

/* Reset and bring the device up (virtio 1.0 section 3.1.1): 0 or a negative errno. */
static int device_init(unsigned which)
{
	long irq = find_device(which);
	if (irq < 0)
		return (int)irq;
	dev.legacy = *reg(VIRTIO_MMIO_VERSION) == VIRTIO_VERSION_LEGACY;
	int err = dma_setup();
	if (err)
		return err;
	*reg(VIRTIO_MMIO_STATUS) = 0;
	io_fence();
	*reg(VIRTIO_MMIO_STATUS) = VIRTIO_STATUS_ACK;
	*reg(VIRTIO_MMIO_STATUS) |= VIRTIO_STATUS_DRIVER;
	err = negotiate();
	if (!err)
		err = queue_setup();
	if (err) {
		*reg(VIRTIO_MMIO_STATUS) |= VIRTIO_STATUS_FAILED;
		return err;
	}
	dev.sectors = capacity();
	dev.notif = slot_alloc();
	dev.irq = irq;
	if (SYSCALL(obj_create, SLOT_SELF, OBJ_NOTIFY, dev.notif, 0) != 0 ||
	    (irq > 0 && SYSCALL(irq_bind, SLOT_IRQCTL, irq, dev.notif, IRQ_BIT) != 0))
		dev.irq = 0; /* no interrupt: the used ring is polled all the same */
	io_fence();
	*reg(VIRTIO_MMIO_STATUS) |= VIRTIO_STATUS_DRIVER_OK;
	printf("virtio_blk: %s interface, %lu sectors%s, irq %ld\n",
	       dev.legacy ? "legacy" : "virtio 1.0", (unsigned long)dev.sectors,
	       dev.readonly ? " read-only" : "", dev.irq);
	return 0;
}

static struct virtq_desc *desc(unsigned i)
{
	return (struct virtq_desc *)qpage(OFF_DESC) + i;
}

static volatile uint16_t *avail_ring(unsigned i)
{
	return (volatile uint16_t *)(qpage(OFF_AVAIL) + sizeof(struct virtq_avail_hdr)) + i;
}

/* Take the device's interrupt, if one is pending: clear it in the device, then unmask. */
static void take_interrupt(void)
{
	long bits = 0;
	if (!dev.irq || syscall6_a1(SYS_notify_wait | SYS_NONBLOCK, dev.notif, 0, 0, 0, &bits) != 0)
		return;
	*reg(VIRTIO_MMIO_INT_ACK) = *reg(VIRTIO_MMIO_INT_STATUS);
	io_fence();
	SYSCALL(irq_ack, SLOT_IRQCTL, dev.irq);
}

/* The time CSR, in timebase ticks, and that many per second (sysinfo, once). */
static uint64_t ticks(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

static uint64_t ticks_per_s(void)
{
	static uint64_t hz;
	if (!hz) {
		struct sysinfo si = { 0 };
		hz = SYSCALL(sysinfo, &si) == 0 && si.timebase_hz ? si.timebase_hz : 1;
	}
	return hz;
}

/*
 * Wait until the device has used our request; -EIO after TIMEOUT_S. The driver yields
 * between looks instead of sleeping: a sleep lets QEMU's -icount sleep=off warp the clock
 * to the wake-up while the host is still doing the I/O, so the benchmark's figures would
 * count idle time, and a time-out could pass in no real time at all.
 */
static int wait_used(void)
{
	volatile struct virtq_used_hdr *used = (volatile struct virtq_used_hdr *)qpage(OFF_USED);
	uint64_t deadline = ticks() + TIMEOUT_S * ticks_per_s();
	for (;;) {
		io_fence();
		if (used->idx != dev.used_seen) {
			dev.used_seen = used->idx;
			take_interrupt();
			return 0;
		}
		if (ticks() > deadline)
			break;
		take_interrupt();
		SYSCALL(yield);
	}
	dev.broken = 1; /* the device still owns the buffers: never hand them out again */
	return -EIO;
}

/*
 * One request: header, optional data (len bytes of the data page), status byte, as one
 * descriptor chain. Returns 0, or -EIO if the device failed or did not answer.
 */
static int submit(uint32_t type, uint64_t sector, uint32_t len)
{
	struct virtio_blk_req *req = (struct virtio_blk_req *)qpage(OFF_REQ);
	volatile uint8_t *status = qpage(OFF_STATUS);
	unsigned n = 0;
	*req = (struct virtio_blk_req){ .type = type, .sector = sector };
	*status = 0xff;
	*desc(n) =
		(struct virtq_desc){ dev.queue_pa + OFF_REQ, sizeof(*req), VIRTQ_DESC_F_NEXT, 1 };
	if (len) {
		uint16_t dir = type == VIRTIO_BLK_T_IN ? VIRTQ_DESC_F_WRITE : 0;
		*desc(++n) = (struct virtq_desc){ dev.data_pa, len, dir | VIRTQ_DESC_F_NEXT, 2 };
	}
	desc(n)->next = (uint16_t)(n + 1);
	*desc(++n) = (struct virtq_desc){ dev.queue_pa + OFF_STATUS, 1, VIRTQ_DESC_F_WRITE, 0 };
	*avail_ring(dev.avail_idx % QNUM) = 0;
	io_fence();
	((volatile struct virtq_avail_hdr *)qpage(OFF_AVAIL))->idx = ++dev.avail_idx;
	io_fence();
	*reg(VIRTIO_MMIO_QUEUE_NOTIFY) = 0;
	int err = wait_used();
	io_fence();
	return err ? err : *status == VIRTIO_BLK_S_OK ? 0 : -EIO;
}

static int device_usable(void)
{
	return dev.broken ? -EIO : 0;
}

/* The block operations blk_serve calls, with ranges it has checked already. */
static int vb_read(void *ctx, uint64_t lba, unsigned count, void *buf)
{
	(void)ctx;
	int err = device_usable();
	if (!err)
		err = submit(VIRTIO_BLK_T_IN, lba, count * BLK_SECTOR);
	if (!err && buf != data_page())
		fs_copy(buf, data_page(), count * BLK_SECTOR);
	return err;
}

static int vb_write(void *ctx, uint64_t lba, unsigned count, const void *buf)
{
	(void)ctx;
	int err = device_usable();
	if (err)
		return err;
	if (buf != data_page())
		fs_copy(data_page(), buf, count * BLK_SECTOR);
	return submit(VIRTIO_BLK_T_OUT, lba, count * BLK_SECTOR);
}

static int vb_flush(void *ctx)
{
	(void)ctx;
	int err = device_usable();
	return err ? err : submit(VIRTIO_BLK_T_FLUSH, 0, 0);
}

int main(int argc, char **argv)
{
	static struct bdev bd;
	unsigned which = argc > 1 ? (unsigned)strtoul(argv[1], 0, 0) : 0;
	if (device_init(which) != 0)
		blk_serve(0); /* without a device every request is answered ENODEV */
	bd = (struct bdev){ 0, dev.sectors, dev.readonly, vb_read, vb_write, vb_flush };
	blk_serve_in(&bd,
		     data_page()); /* requests arrive in, and answers leave from, the DMA page */
}
