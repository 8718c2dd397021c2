/*
 * virtio over MMIO: the register block (virtio 1.0 section 4.2.2, and the legacy layout of
 * section 4.2.4), the status and feature bits, the split virtqueue and the block device's
 * request format (section 5.2). One header for every bit layout the block driver uses.
 */
#ifndef USER_FS_VIRTIO_H
#define USER_FS_VIRTIO_H

#include <stdint.h>

#define VIRTIO_MMIO_COMPAT    "virtio,mmio"
#define VIRTIO_MAGIC	      0x74726976u /* "virt" */
#define VIRTIO_VERSION_LEGACY 1u
#define VIRTIO_VERSION_MODERN 2u
#define VIRTIO_DEV_BLOCK      2u

/* Register offsets (32-bit registers). */
#define VIRTIO_MMIO_MAGIC	     0x000
#define VIRTIO_MMIO_VERSION	     0x004
#define VIRTIO_MMIO_DEVICE_ID	     0x008
#define VIRTIO_MMIO_DEV_FEATURES     0x010
#define VIRTIO_MMIO_DEV_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRV_FEATURES     0x020
#define VIRTIO_MMIO_DRV_FEATURES_SEL 0x024
#define VIRTIO_MMIO_GUEST_PAGE_SIZE  0x028 /* legacy only */
#define VIRTIO_MMIO_QUEUE_SEL	     0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX    0x034
#define VIRTIO_MMIO_QUEUE_NUM	     0x038
#define VIRTIO_MMIO_QUEUE_ALIGN	     0x03c /* legacy only */
#define VIRTIO_MMIO_QUEUE_PFN	     0x040 /* legacy only */
#define VIRTIO_MMIO_QUEUE_READY	     0x044 /* modern only */
#define VIRTIO_MMIO_QUEUE_NOTIFY     0x050
#define VIRTIO_MMIO_INT_STATUS	     0x060
#define VIRTIO_MMIO_INT_ACK	     0x064
#define VIRTIO_MMIO_STATUS	     0x070
#define VIRTIO_MMIO_QUEUE_DESC_LO    0x080 /* modern only, as are the five below */
#define VIRTIO_MMIO_QUEUE_DESC_HI    0x084
#define VIRTIO_MMIO_QUEUE_AVAIL_LO   0x090
#define VIRTIO_MMIO_QUEUE_AVAIL_HI   0x094
#define VIRTIO_MMIO_QUEUE_USED_LO    0x0a0
#define VIRTIO_MMIO_QUEUE_USED_HI    0x0a4
#define VIRTIO_MMIO_CONFIG	     0x100 /* device-specific configuration */

/* Device status bits. */
#define VIRTIO_STATUS_ACK	  1u
#define VIRTIO_STATUS_DRIVER	  2u
#define VIRTIO_STATUS_DRIVER_OK	  4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_FAILED	  128u

/* Feature bits, by number. */
#define VIRTIO_BLK_F_RO	   5
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_F_VERSION_1 32

/* The block device's configuration: capacity in 512-byte sectors first. */
#define VIRTIO_BLK_CFG_CAPACITY 0x00

/* The split virtqueue. */
#define VIRTQ_DESC_F_NEXT  1u
#define VIRTQ_DESC_F_WRITE 2u /* the device writes this buffer */

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail_hdr {
	uint16_t flags;
	uint16_t idx;
	/* uint16_t ring[num]; uint16_t used_event; */
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used_hdr {
	uint16_t flags;
	uint16_t idx;
	/* struct virtq_used_elem ring[num]; uint16_t avail_event; */
};

/* A block request: this header, the data, then one status byte the device writes. */
#define VIRTIO_BLK_T_IN	   0u
#define VIRTIO_BLK_T_OUT   1u
#define VIRTIO_BLK_T_FLUSH 4u
#define VIRTIO_BLK_S_OK	   0u

struct virtio_blk_req {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

#endif
