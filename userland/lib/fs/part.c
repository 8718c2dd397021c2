/*
 * Partition tables: MBR (the four primary entries) and GPT (UEFI 2.x section 5.3: the
 * header at sector 1, its CRC32, the entry array). Everything read from the disk is
 * checked against the disk's size before it is used.
 */
#include <errno.h>
#include <string.h>

#include "bcache.h"
#include "fat.h"

#define MBR_SIG_OFF    510
#define MBR_TABLE_OFF  446
#define MBR_ENTRY_SIZE 16
#define MBR_ENTRIES    4
#define MBR_TYPE_OFF   4
#define MBR_START_OFF  8
#define MBR_COUNT_OFF  12
#define MBR_TYPE_GPT   0xee

#define GPT_SIG		    "EFI PART"
#define GPT_HDR_SIZE_OFF    12
#define GPT_HDR_CRC_OFF	    16
#define GPT_ENTRIES_LBA_OFF 72
#define GPT_NUM_ENTRIES_OFF 80
#define GPT_ENTRY_SIZE_OFF  84
#define GPT_HDR_MIN	    92
#define GPT_ENTRY_MIN	    128
#define GPT_MAX_ENTRIES	    1024
#define GPT_FIRST_OFF	    32
#define GPT_LAST_OFF	    40

/* EFI system partition and Microsoft basic data, as stored (mixed-endian GUIDs). */
static const uint8_t gpt_esp[16] = { 0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
				     0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b };
static const uint8_t gpt_basic[16] = { 0xa2, 0xa0, 0xd0, 0xeb, 0xe5, 0xb9, 0x33, 0x44,
				       0x87, 0xc0, 0x68, 0xb6, 0xb7, 0x26, 0x99, 0xc7 };

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* CRC-32 (IEEE 802.3, reflected), as GPT uses; crc starts at 0. */
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

static int mbr_type_is_fat(uint8_t t)
{
	return t == 0x01 || t == 0x04 || t == 0x06 || t == 0x0b || t == 0x0c || t == 0x0e ||
	       t == 0xef;
}

static int set_range(struct bcache *c, struct bvol *out, uint64_t start, uint64_t count)
{
	if (count == 0 || start >= c->dev->sectors || count > c->dev->sectors - start)
		return -EINVAL;
	*out = (struct bvol){ c, start, count };
	return 0;
}

/* The GPT header's CRC over its own size, with the CRC field taken as zero. */
static int gpt_header_ok(const uint8_t *h)
{
	uint32_t size = le32(h + GPT_HDR_SIZE_OFF);
	uint8_t copy[BC_SECTOR];
	if (memcmp(h, GPT_SIG, 8) != 0 || size < GPT_HDR_MIN || size > BC_SECTOR)
		return 0;
	memcpy(copy, h, size);
	memset(copy + GPT_HDR_CRC_OFF, 0, 4);
	return crc32_update(0, copy, size) == le32(h + GPT_HDR_CRC_OFF);
}

static int gpt_find(struct bcache *c, struct bvol *out)
{
	int err = 0;
	const uint8_t *h = bcache_get(c, 1, &err);
	if (!h)
		return err;
	if (!gpt_header_ok(h))
		return -EINVAL;
	uint64_t lba = le64(h + GPT_ENTRIES_LBA_OFF);
	uint32_t num = le32(h + GPT_NUM_ENTRIES_OFF), esize = le32(h + GPT_ENTRY_SIZE_OFF);
	if (esize < GPT_ENTRY_MIN || esize > BC_SECTOR || BC_SECTOR % esize ||
	    num > GPT_MAX_ENTRIES)
		return -EINVAL;
	for (uint32_t i = 0; i < num; i++) {
		const uint8_t *s = bcache_get(c, lba + (uint64_t)i * esize / BC_SECTOR, &err);
		if (!s)
			return err;
		const uint8_t *e = s + (uint64_t)i * esize % BC_SECTOR;
		if (memcmp(e, gpt_esp, 16) != 0 && memcmp(e, gpt_basic, 16) != 0)
			continue;
		uint64_t first = le64(e + GPT_FIRST_OFF), last = le64(e + GPT_LAST_OFF);
		if (last < first)
			return -EINVAL;
		return set_range(c, out, first, last - first + 1);
	}
	return -ENOENT;
}

int part_find(struct bcache *c, struct bvol *out)
{
	int err = 0;
	const uint8_t *s = bcache_get(c, 0, &err);
	if (!s)
		return err;
	if (fat_bpb_plausible(s))
		return set_range(c, out, 0, c->dev->sectors);
	if (s[MBR_SIG_OFF] != 0x55 || s[MBR_SIG_OFF + 1] != 0xaa)
		return -ENOENT;
	uint8_t table[MBR_ENTRIES * MBR_ENTRY_SIZE];
	memcpy(table, s + MBR_TABLE_OFF, sizeof(table)); /* s may be evicted below */
	for (int i = 0; i < MBR_ENTRIES; i++) {
		const uint8_t *e = table + i * MBR_ENTRY_SIZE;
		if (e[MBR_TYPE_OFF] == MBR_TYPE_GPT)
			return gpt_find(c, out);
		if (mbr_type_is_fat(e[MBR_TYPE_OFF]))
			return set_range(c, out, le32(e + MBR_START_OFF), le32(e + MBR_COUNT_OFF));
	}
	return -ENOENT;
}
