/*
 * FAT12/16/32 (Microsoft's FAT specification, 2005) with long names (VFAT). Layout of
 * a volume:
 *
 *   | reserved (boot sector, FSInfo) | FAT copies | FAT12/16 root dir | data clusters 2.. |
 *
 * Everything the disk says is checked before use: the BPB at mount, every FAT value when
 * followed (0, 1, bad and out-of-range clusters are -EIO), every walk is bounded by the
 * number of clusters (loops end as -EIO), every long name by its sequence and checksum.
 */
#include "fat.h"
#include "copy.h"

#include <errno.h>
#include <string.h>

#define DIRENT_SIZE	 32u
#define DIR_MAX_ENTRIES	 65536u /* the specification's limit for one directory */
#define LFN_CHARS	 13u
#define LFN_MAX_ENTRIES	 20u
#define LFN_LAST	 0x40u
#define DIRENT_FREE	 0xe5u
#define DIRENT_END	 0x00u
#define DIRENT_KANJI_E5	 0x05u
#define NTRES_LOWER_BASE 0x08u
#define NTRES_LOWER_EXT	 0x10u
#define FSINFO_LEAD	 0x41615252u
#define FSINFO_STRUC	 0x61417272u
#define FSINFO_FREE_OFF	 488
#define FSINFO_NEXT_OFF	 492
#define FSINFO_UNKNOWN	 0xffffffffu
#define FAT_YEAR0	 1980
#define FAT_YEARS	 128 /* a date's 7-bit year: 1980 .. 2107 */
#define SECS_PER_DAY	 86400
#define DAYS_1970_1980	 3652 /* 1970-01-01 to 1980-01-01 */
#define SHORT_TAIL_MAX	 999999u

/* Directory entry fields. */
#define DE_NAME	   0
#define DE_ATTR	   11
#define DE_NTRES   12
#define DE_CTENTH  13
#define DE_CTIME   14
#define DE_CDATE   16
#define DE_ADATE   18
#define DE_CLUS_HI 20
#define DE_WTIME   22
#define DE_WDATE   24
#define DE_CLUS_LO 26
#define DE_SIZE	   28
/* Long-name entry fields. */
#define LFN_ORD	   0
#define LFN_NAME1  1
#define LFN_CSUM   13
#define LFN_NAME2  14
#define LFN_NAME3  28

/* BPB fields. */
#define BPB_BYTES_PER_SEC 11
#define BPB_SEC_PER_CLUS  13
#define BPB_RSVD_SECS	  14
#define BPB_NUM_FATS	  16
#define BPB_ROOT_ENTS	  17
#define BPB_TOT_SEC16	  19
#define BPB_MEDIA	  21
#define BPB_FAT_SZ16	  22
#define BPB_TOT_SEC32	  32
#define BPB_FAT_SZ32	  36
#define BPB_ROOT_CLUS	  44
#define BPB_FSINFO	  48

#define FAT12_MAX_CLUSTERS 4084u
#define FAT16_MAX_CLUSTERS 65524u
#define FAT32_MAX_CLUSTERS 0x0ffffff5u

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

/* ---- dates ---- */

static int leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(unsigned y, unsigned m)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return days[m] + (m == 1 && leap(y));
}

void fat_time_pack(int64_t secs, uint16_t *date, uint16_t *time)
{
	int64_t lo = (int64_t)DAYS_1970_1980 * SECS_PER_DAY;
	int64_t days = (secs < lo ? lo : secs) / SECS_PER_DAY - DAYS_1970_1980;
	int64_t rest = secs < lo ? 0 : secs % SECS_PER_DAY;
	unsigned y = 0, m = 0;
	while (y < FAT_YEARS && days >= 365 + leap(FAT_YEAR0 + y))
		days -= 365 + leap(FAT_YEAR0 + y++);
	if (y == FAT_YEARS) { /* past 2107: the last moment FAT holds */
		*date = (uint16_t)((FAT_YEARS - 1) << 9 | 12 << 5 | 31);
		*time = (uint16_t)(23 << 11 | 59 << 5 | 29);
		return;
	}
	while (days >= month_days(FAT_YEAR0 + y, m))
		days -= month_days(FAT_YEAR0 + y, m++);
	*date = (uint16_t)(y << 9 | (m + 1) << 5 | (unsigned)(days + 1));
	*time = (uint16_t)((rest / 3600) << 11 | (rest / 60 % 60) << 5 | (rest % 60) / 2);
}

int64_t fat_time_unpack(uint16_t date, uint16_t time)
{
	unsigned y = date >> 9, m = (date >> 5) & 15, d = date & 31;
	unsigned h = time >> 11, min = (time >> 5) & 63, s2 = time & 31;
	int64_t days = DAYS_1970_1980;
	m = m >= 1 && m <= 12 ? m - 1 : 0;
	for (unsigned k = 0; k < y; k++)
		days += 365 + leap(FAT_YEAR0 + k);
	for (unsigned k = 0; k < m; k++)
		days += month_days(FAT_YEAR0 + y, k);
	days += d ? d - 1 : 0;
	return days * SECS_PER_DAY + (h < 24 ? h : 0) * 3600 + (min < 60 ? min : 0) * 60 +
	       (s2 < 30 ? s2 : 0) * 2;
}

/* A new entry's dates and times: created, written and read now. */
static void stamp_new(const struct fat_vol *v, uint8_t *e)
{
	uint16_t date, time;
	fat_time_pack(v->now, &date, &time);
	e[DE_CTENTH] = 0;
	put16(e + DE_CTIME, time);
	put16(e + DE_CDATE, date);
	put16(e + DE_ADATE, date);
	put16(e + DE_WTIME, time);
	put16(e + DE_WDATE, date);
}

/* ---- mount ---- */

int fat_bpb_plausible(const uint8_t *s)
{
	uint8_t spc = s[BPB_SEC_PER_CLUS];
	return (s[0] == 0xeb || s[0] == 0xe9) && le16(s + BPB_BYTES_PER_SEC) == BC_SECTOR &&
	       spc != 0 && (spc & (spc - 1)) == 0 && le16(s + BPB_RSVD_SECS) != 0 &&
	       s[BPB_NUM_FATS] != 0 && s[BPB_MEDIA] >= 0xf0;
}

/* The fields every FAT has, checked against the volume's size. */
static int mount_geometry(struct fat_vol *v, const uint8_t *s)
{
	uint32_t total =
		le16(s + BPB_TOT_SEC16) ? le16(s + BPB_TOT_SEC16) : le32(s + BPB_TOT_SEC32);
	uint32_t fatsz = le16(s + BPB_FAT_SZ16) ? le16(s + BPB_FAT_SZ16) : le32(s + BPB_FAT_SZ32);
	uint64_t root_secs, meta;
	v->spc = s[BPB_SEC_PER_CLUS];
	v->cluster_bytes = v->spc * BC_SECTOR;
	v->fat_start = le16(s + BPB_RSVD_SECS);
	v->num_fats = s[BPB_NUM_FATS];
	v->fat_sectors = fatsz;
	v->root_entries = le16(s + BPB_ROOT_ENTS);
	root_secs = ((uint64_t)v->root_entries * DIRENT_SIZE + BC_SECTOR - 1) / BC_SECTOR;
	meta = v->fat_start + (uint64_t)v->num_fats * fatsz + root_secs;
	if (fatsz == 0 || total > v->bv.sectors || meta >= total)
		return -EINVAL;
	v->root_start = v->fat_start + v->num_fats * fatsz;
	v->data_start = (uint32_t)meta;
	v->clusters = (uint32_t)((total - meta) / v->spc);
	if (v->clusters == 0)
		return -EINVAL;
	v->type = v->clusters <= FAT12_MAX_CLUSTERS   ? FAT12
		  : v->clusters <= FAT16_MAX_CLUSTERS ? FAT16
						      : FAT32;
	return 0;
}

/* Does the FAT hold an entry for every cluster? */
static int fat_big_enough(const struct fat_vol *v)
{
	uint64_t entries = v->clusters + 2ull;
	uint64_t bytes = v->type == FAT12 ? (entries * 3 + 1) / 2 : entries * (v->type / 8);
	return bytes <= (uint64_t)v->fat_sectors * BC_SECTOR;
}

static int mount_fat32(struct fat_vol *v, const uint8_t *s)
{
	int err = 0;
	v->root_cluster = le32(s + BPB_ROOT_CLUS);
	v->fsinfo_sec = le16(s + BPB_FSINFO);
	if (v->root_entries != 0 || v->clusters > FAT32_MAX_CLUSTERS || v->root_cluster < 2 ||
	    v->root_cluster > v->clusters + 1)
		return -EINVAL;
	if (v->fsinfo_sec == 0 || v->fsinfo_sec >= v->fat_start) {
		v->fsinfo_sec = 0;
		return 0;
	}
	const uint8_t *f = bvol_get(&v->bv, v->fsinfo_sec, &err);
	if (!f)
		return err;
	if (le32(f) != FSINFO_LEAD || le32(f + 484) != FSINFO_STRUC) {
		v->fsinfo_sec = 0;
		return 0;
	}
	v->free_count = le32(f + FSINFO_FREE_OFF);
	if (v->free_count > v->clusters)
		v->free_count = FSINFO_UNKNOWN;
	uint32_t next = le32(f + FSINFO_NEXT_OFF);
	if (next >= 2 && next <= v->clusters + 1)
		v->next_free = next;
	return 0;
}

int fat_mount(struct fat_vol *v, const struct bvol *bv)
{
	int err = 0;
	memset(v, 0, sizeof(*v));
	v->bv = *bv;
	v->free_count = FSINFO_UNKNOWN;
	v->next_free = 2;
	const uint8_t *s = bvol_get(&v->bv, 0, &err);
	if (!s)
		return err;
	if (!fat_bpb_plausible(s) || s[510] != 0x55 || s[511] != 0xaa)
		return -EINVAL;
	uint8_t boot[BC_SECTOR];
	memcpy(boot, s, sizeof(boot)); /* the cache may reuse s's entry below */
	err = mount_geometry(v, boot);
	if (!err && !fat_big_enough(v))
		err = -EINVAL;
	if (!err && v->type == FAT32)
		err = mount_fat32(v, boot);
	else if (!err && (v->root_entries == 0 || le16(boot + BPB_FAT_SZ16) == 0))
		err = -EINVAL;
	return err;
}

void fat_root(const struct fat_vol *v, struct fat_node *out)
{
	memset(out, 0, sizeof(*out));
	out->is_root = 1;
	out->attr = FAT_ATTR_DIR;
	out->cluster = v->type == FAT32 ? v->root_cluster : 0;
}

/* ---- the FAT ---- */

static uint32_t eoc_min(const struct fat_vol *v)
{
	return v->type == FAT12 ? 0xff8u : v->type == FAT16 ? 0xfff8u : 0x0ffffff8u;
}

static uint32_t eoc_mark(const struct fat_vol *v)
{
	return v->type == FAT12 ? 0xfffu : v->type == FAT16 ? 0xffffu : 0x0fffffffu;
}

static int cluster_ok(const struct fat_vol *v, uint32_t c)
{
	return c >= 2 && c <= v->clusters + 1;
}

/* Byte offset of cluster c's entry in the FAT. */
static uint64_t fat_offset(const struct fat_vol *v, uint32_t c)
{
	return v->type == FAT12 ? c + c / 2 : (uint64_t)c * (v->type / 8);
}

/* One byte of the first FAT (copy index k), for FAT12 entries that straddle sectors. */
static uint8_t *fat_byte(struct fat_vol *v, unsigned k, uint64_t off, int *err)
{
	uint64_t sec = v->fat_start + (uint64_t)k * v->fat_sectors + off / BC_SECTOR;
	uint8_t *s = bvol_get(&v->bv, sec, err);
	return s ? s + off % BC_SECTOR : 0;
}

static int fat_get(struct fat_vol *v, uint32_t c, uint32_t *val)
{
	int err = 0;
	uint64_t off = fat_offset(v, c);
	uint8_t *p = fat_byte(v, 0, off, &err);
	if (!p)
		return err;
	if (v->type == FAT32) {
		*val = le32(p) & 0x0fffffffu;
	} else if (v->type == FAT16) {
		*val = le16(p);
	} else {
		uint32_t lo = *p;
		uint8_t *q = fat_byte(v, 0, off + 1, &err);
		if (!q)
			return err;
		uint32_t w = lo | (uint32_t)*q << 8;
		*val = (c & 1) ? w >> 4 : w & 0xfff;
	}
	return 0;
}

/* Set cluster c's entry in every FAT copy. */
static int fat_set(struct fat_vol *v, uint32_t c, uint32_t val)
{
	int err = 0;
	uint64_t off = fat_offset(v, c);
	for (unsigned k = 0; k < v->num_fats; k++) {
		uint64_t base = v->fat_start + (uint64_t)k * v->fat_sectors;
		uint8_t *p = fat_byte(v, k, off, &err);
		if (!p)
			return err;
		if (v->type == FAT32) {
			put32(p, (le32(p) & 0xf0000000u) | (val & 0x0fffffffu));
		} else if (v->type == FAT16) {
			put16(p, val);
		} else {
			*p = (c & 1) ? (uint8_t)((*p & 0x0f) | (val << 4)) : (uint8_t)val;
			bvol_dirty(&v->bv, base + off / BC_SECTOR);
			p = fat_byte(v, k, off + 1, &err);
			if (!p)
				return err;
			*p = (c & 1) ? (uint8_t)(val >> 4)
				     : (uint8_t)((*p & 0xf0) | ((val >> 8) & 0x0f));
			bvol_dirty(&v->bv, base + (off + 1) / BC_SECTOR);
			continue;
		}
		bvol_dirty(&v->bv, base + off / BC_SECTOR);
	}
	return 0;
}

/* The cluster after c: 0 and *next (0 at the chain's end), or -EIO for a broken chain. */
static int fat_next(struct fat_vol *v, uint32_t c, uint32_t *next)
{
	uint32_t val;
	int err = fat_get(v, c, &val);
	if (err)
		return err;
	if (val >= eoc_min(v)) {
		*next = 0;
		return 0;
	}
	if (!cluster_ok(v, val))
		return -EIO; /* free, reserved, bad or out of range inside a chain */
	*next = val;
	return 0;
}

/*
 * The idx-th cluster of the chain starting at first: 0 and *out, 1 if the chain is
 * shorter, or -EIO. Resumes from the node's hint when it can.
 */
static int chain_at(struct fat_vol *v, struct fat_node *n, uint32_t first, uint32_t idx,
		    uint32_t *out)
{
	uint32_t c = first, at = 0;
	if (!cluster_ok(v, first))
		return first == 0 ? 1 : -EIO;
	if (n && n->hint_clu && n->hint_idx <= idx) {
		c = n->hint_clu;
		at = n->hint_idx;
	}
	while (at < idx) {
		if (idx - at > v->clusters)
			return -EIO; /* longer than the volume: a loop */
		uint32_t prev = c;
		int err = fat_next(v, c, &c);
		if (err)
			return err;
		if (c == 0) {
			if (n) {
				n->hint_idx = at;
				n->hint_clu = prev;
			}
			return 1;
		}
		at++;
	}
	if (n) {
		n->hint_idx = idx;
		n->hint_clu = c;
	}
	*out = c;
	return 0;
}

static void fsinfo_adjust(struct fat_vol *v, int delta)
{
	if (v->free_count != FSINFO_UNKNOWN)
		v->free_count = (uint32_t)((int64_t)v->free_count + delta);
	v->fsinfo_dirty = 1;
}

/*
 * Free clusters, counted in the FAT itself the first time (FSInfo's count is only a hint,
 * and FAT12/16 have none), then kept by every allocation and release (fsinfo_adjust).
 * The count also becomes what fat_sync writes to FSInfo.
 */
long fat_free_clusters(struct fat_vol *v)
{
	if (v->free_counted)
		return v->free_count;
	uint32_t n = 0;
	for (uint32_t c = 2; c <= v->clusters + 1; c++) {
		uint32_t val;
		int err = fat_get(v, c, &val);
		if (err)
			return err;
		n += val == 0;
	}
	if (v->fsinfo_sec && n != v->free_count)
		v->fsinfo_dirty = 1;
	v->free_count = n;
	v->free_counted = 1;
	return n;
}

/* A free cluster, marked end-of-chain: 0 and *out, -ENOSPC or -EIO. */
static int cluster_alloc(struct fat_vol *v, uint32_t *out)
{
	uint32_t c = v->next_free;
	for (uint32_t tried = 0; tried < v->clusters; tried++, c++) {
		if (!cluster_ok(v, c))
			c = 2;
		uint32_t val;
		int err = fat_get(v, c, &val);
		if (err)
			return err;
		if (val != 0)
			continue;
		err = fat_set(v, c, eoc_mark(v));
		if (err)
			return err;
		v->next_free = c + 1;
		fsinfo_adjust(v, -1);
		*out = c;
		return 0;
	}
	return -ENOSPC;
}

/* Free the chain from c on. A loop or a broken link stops it with -EIO. */
static int chain_free(struct fat_vol *v, uint32_t c)
{
	for (uint32_t steps = 0; c != 0; steps++) {
		uint32_t next;
		if (!cluster_ok(v, c) || steps > v->clusters)
			return -EIO;
		int err = fat_next(v, c, &next);
		if (!err)
			err = fat_set(v, c, 0);
		if (err)
			return err;
		fsinfo_adjust(v, 1);
		c = next;
	}
	return 0;
}

static uint64_t cluster_sector(const struct fat_vol *v, uint32_t c)
{
	return v->data_start + (uint64_t)(c - 2) * v->spc;
}

static int cluster_zero(struct fat_vol *v, uint32_t c)
{
	int err = 0;
	for (uint32_t k = 0; k < v->spc; k++) {
		uint8_t *s = bvol_get(&v->bv, cluster_sector(v, c) + k, &err);
		if (!s)
			return err;
		memset(s, 0, BC_SECTOR);
		bvol_dirty(&v->bv, cluster_sector(v, c) + k);
	}
	return 0;
}

/* ---- directories as arrays of entries ---- */

/* A directory, for entry access: its first cluster, or the FAT12/16 root region. */
struct dir {
	struct fat_node n;
	int fixed; /* the FAT12/16 root */
};

static void dir_of(const struct fat_vol *v, const struct fat_node *dn, struct dir *d)
{
	memset(d, 0, sizeof(*d));
	d->n = *dn;
	d->fixed = v->type != FAT32 && dn->cluster == 0;
	d->n.hint_clu = d->n.hint_idx = 0;
}

/* The sector holding entry i: 0 and *sec, 1 past the end, or -EIO. */
static int dir_sector(struct fat_vol *v, struct dir *d, uint32_t i, uint64_t *sec)
{
	uint32_t per_sec = BC_SECTOR / DIRENT_SIZE;
	if (d->fixed) {
		if (i >= v->root_entries)
			return 1;
		*sec = v->root_start + i / per_sec;
		return 0;
	}
	if (i >= DIR_MAX_ENTRIES)
		return 1;
	uint32_t per_clu = v->cluster_bytes / DIRENT_SIZE, c;
	int r = chain_at(v, &d->n, d->n.cluster, i / per_clu, &c);
	if (r)
		return r;
	*sec = cluster_sector(v, c) + (i % per_clu) / per_sec;
	return 0;
}

/* Entry i's 32 bytes (in the cache: use before the next access): 0, 1 past end, -EIO. */
static int dir_entry(struct fat_vol *v, struct dir *d, uint32_t i, uint8_t **e, uint64_t *secp)
{
	uint64_t sec;
	int err = 0, r = dir_sector(v, d, i, &sec);
	if (r)
		return r;
	uint8_t *s = bvol_get(&v->bv, sec, &err);
	if (!s)
		return err;
	*e = s + (i % (BC_SECTOR / DIRENT_SIZE)) * DIRENT_SIZE;
	if (secp)
		*secp = sec;
	return 0;
}

static uint32_t entry_cluster(const struct fat_vol *v, const uint8_t *e)
{
	uint32_t hi = v->type == FAT32 ? le16(e + DE_CLUS_HI) : 0;
	return hi << 16 | le16(e + DE_CLUS_LO);
}

static void set_entry_cluster(uint8_t *e, uint32_t c)
{
	put16(e + DE_CLUS_HI, c >> 16);
	put16(e + DE_CLUS_LO, c);
}

/* ---- names ---- */

static uint8_t lfn_checksum(const uint8_t *short_name)
{
	uint8_t sum = 0;
	for (int i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + short_name[i]);
	return sum;
}

static int ascii_upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* The short name as text: "BASE.EXT", lower-cased where NTRES says so. */
static void short_to_text(const uint8_t *e, char *out)
{
	int n = 0, lb = e[DE_NTRES] & NTRES_LOWER_BASE, le = e[DE_NTRES] & NTRES_LOWER_EXT;
	for (int i = 0; i < 8 && e[i] != ' '; i++) {
		int c = (i == 0 && e[0] == DIRENT_KANJI_E5) ? 0xe5 : e[i];
		out[n++] = (char)(c >= 0x80 ? '?' : lb ? ascii_lower(c) : c);
	}
	if (e[8] != ' ')
		out[n++] = '.';
	for (int i = 8; i < 11 && e[i] != ' '; i++)
		out[n++] = (char)(e[i] >= 0x80 ? '?' : le ? ascii_lower(e[i]) : e[i]);
	out[n] = 0;
}

/* UTF-16 units to UTF-8 (BMP only): bytes written, or -1 if it does not fit or is bad. */
static int utf16_to_utf8(const uint16_t *u, unsigned n, char *out, unsigned cap)
{
	unsigned o = 0;
	for (unsigned i = 0; i < n; i++) {
		uint16_t c = u[i];
		if (c == 0 || (c >= 0xd800 && c <= 0xdfff) || c == '/')
			return -1;
		unsigned need = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
		if (o + need >= cap)
			return -1;
		if (need == 1) {
			out[o++] = (char)c;
		} else if (need == 2) {
			out[o++] = (char)(0xc0 | c >> 6);
			out[o++] = (char)(0x80 | (c & 0x3f));
		} else {
			out[o++] = (char)(0xe0 | c >> 12);
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (c & 0x3f));
		}
	}
	out[o] = 0;
	return (int)o;
}

/* UTF-8 to UTF-16 (BMP only): units, -EINVAL for bad text, -ENAMETOOLONG. */
static int utf8_to_utf16(const char *s, unsigned len, uint16_t *u)
{
	unsigned n = 0;
	for (unsigned i = 0; i < len;) {
		uint8_t b = (uint8_t)s[i];
		uint32_t c;
		unsigned more = b < 0x80 ? 0 : (b & 0xe0) == 0xc0 ? 1 : (b & 0xf0) == 0xe0 ? 2 : 9;
		if (more == 9 || i + more >= len + (more ? 0 : 1))
			return -EINVAL;
		c = more == 0 ? b : more == 1 ? (b & 0x1fu) : (b & 0x0fu);
		for (unsigned k = 1; k <= more; k++) {
			if (((uint8_t)s[i + k] & 0xc0) != 0x80)
				return -EINVAL;
			c = c << 6 | ((uint8_t)s[i + k] & 0x3f);
		}
		if ((more == 1 && c < 0x80) || (more == 2 && c < 0x800) ||
		    (c >= 0xd800 && c <= 0xdfff))
			return -EINVAL; /* over-long forms and surrogates */
		if (n == FAT_NAME_MAX)
			return -ENAMETOOLONG;
		u[n++] = (uint16_t)c;
		i += more + 1;
	}
	return (int)n;
}

/* Is this name acceptable for a new entry? 0, -EINVAL or -ENAMETOOLONG. */
static int name_check(const char *name, unsigned len)
{
	static const char bad[] = "\"*/:<>?\\|";
	if (len == 0)
		return -ENOENT;
	if (len > FAT_NAME_MAX)
		return -ENAMETOOLONG;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return -EINVAL;
	if (name[len - 1] == '.' || name[len - 1] == ' ')
		return -EINVAL; /* FAT drops trailing dots and spaces: the name would change */
	for (unsigned i = 0; i < len; i++)
		if ((uint8_t)name[i] < 0x20 || memchr(bad, name[i], sizeof(bad) - 1))
			return -EINVAL;
	return 0;
}

static int names_equal(const char *a, unsigned alen, const char *b)
{
	unsigned i = 0;
	for (; i < alen && b[i]; i++)
		if (ascii_upper((uint8_t)a[i]) != ascii_upper((uint8_t)b[i]))
			return 0;
	return i == alen && b[i] == 0;
}

/* Long-name assembly while scanning a directory. */
struct lfn_state {
	uint16_t units[LFN_MAX_ENTRIES * LFN_CHARS];
	int expect; /* the next ordinal expected, 0: none in progress */
	int count;
	uint8_t csum;
	uint32_t first; /* entry index of the first long entry */
};

static void lfn_take(struct lfn_state *l, const uint8_t *e, uint32_t i)
{
	unsigned ord = e[LFN_ORD] & 0x1f;
	if (e[LFN_ORD] & LFN_LAST) {
		if (ord == 0 || ord > LFN_MAX_ENTRIES) {
			l->expect = 0;
			return;
		}
		l->expect = (int)ord;
		l->count = (int)ord;
		l->csum = e[LFN_CSUM];
		l->first = i;
		for (unsigned k = 0; k < ord * LFN_CHARS; k++)
			l->units[k] = 0xffff;
	} else if (l->expect == 0 || (int)ord != l->expect || e[LFN_CSUM] != l->csum) {
		l->expect = 0;
		return;
	}
	uint16_t *u = l->units + (ord - 1) * LFN_CHARS;
	for (int k = 0; k < 5; k++)
		u[k] = le16(e + LFN_NAME1 + 2 * k);
	for (int k = 0; k < 6; k++)
		u[5 + k] = le16(e + LFN_NAME2 + 2 * k);
	for (int k = 0; k < 2; k++)
		u[11 + k] = le16(e + LFN_NAME3 + 2 * k);
	l->expect = (int)ord - 1; /* 0 after the entry holding the first characters */
	if (l->expect == 0)
		l->expect = -1; /* complete: the short entry comes next */
}

/* The finished long name for short entry e, as UTF-8 in out; 0 if there is none. */
static int lfn_name(struct lfn_state *l, const uint8_t *e, char *out, unsigned cap)
{
	if (l->expect != -1 || lfn_checksum(e) != l->csum)
		return 0;
	unsigned n = 0, max = (unsigned)l->count * LFN_CHARS;
	while (n < max && l->units[n] != 0 && l->units[n] != 0xffff)
		n++;
	if (n == 0 || n > FAT_NAME_MAX)
		return 0;
	return utf16_to_utf8(l->units, n, out, cap) > 0;
}

/*
 * Scan dir from entry *pos for the next live entry: 1 with its name, node and *pos past
 * it; 0 at the end; or -EIO. "." and ".." and volume labels are skipped.
 */
static int dir_next(struct fat_vol *v, struct dir *d, uint32_t *pos, struct fat_dirent *out)
{
	static struct lfn_state l;
	l.expect = 0;
	for (uint32_t i = *pos;; i++) {
		uint8_t *e;
		int r = dir_entry(v, d, i, &e, 0);
		if (r)
			return r < 0 ? r : 0;
		if (e[0] == DIRENT_END)
			return 0;
		if (e[0] == DIRENT_FREE) {
			l.expect = 0;
			continue;
		}
		if ((e[DE_ATTR] & 0x3f) == FAT_ATTR_LFN) {
			lfn_take(&l, e, i);
			continue;
		}
		if ((e[DE_ATTR] & FAT_ATTR_LABEL) || e[0] == '.') {
			l.expect = 0;
			continue;
		}
		int has_lfn = lfn_name(&l, e, out->name, sizeof(out->name));
		if (!has_lfn)
			short_to_text(e, out->name);
		struct fat_node *n = &out->node;
		memset(n, 0, sizeof(*n));
		n->attr = e[DE_ATTR];
		n->cluster = entry_cluster(v, e);
		n->size = (n->attr & FAT_ATTR_DIR) ? 0 : le32(e + DE_SIZE);
		n->parent = d->n.cluster;
		n->index = i;
		n->lfn_count = has_lfn ? (uint8_t)(i - l.first) : 0;
		memcpy(n->sname, e, sizeof(n->sname));
		n->wdate = le16(e + DE_WDATE);
		n->wtime = le16(e + DE_WTIME);
		n->adate = le16(e + DE_ADATE);
		l.expect = 0;
		*pos = i + 1;
		return 1;
	}
}

/*
 * The short entry of node n: a pointer into the cache and its sector, or an error.
 * -ESTALE if the entry no longer holds n's short name: the file was renamed or removed
 * since the node was looked up, and its old place must not be written.
 */
static int node_entry(struct fat_vol *v, const struct fat_node *n, uint8_t **e, uint64_t *sec)
{
	struct fat_node pn = { .cluster = n->parent };
	struct dir d;
	dir_of(v, &pn, &d);
	int r = dir_entry(v, &d, n->index, e, sec);
	if (r)
		return r > 0 ? -EIO : r;
	return memcmp(*e, n->sname, sizeof(n->sname)) == 0 ? 0 : -ESTALE;
}

static int is_dir(const struct fat_node *n)
{
	return n->is_root || (n->attr & FAT_ATTR_DIR);
}

/* The cluster a ".." entry names, resolved: the root is 0 on FAT12/16 and on FAT32. */
static void dotdot_node(struct fat_vol *v, uint32_t c, struct fat_node *out)
{
	if (c == 0 || (v->type == FAT32 && c == v->root_cluster)) {
		fat_root(v, out);
		return;
	}
	memset(out, 0, sizeof(*out));
	out->attr = FAT_ATTR_DIR;
	out->cluster = c;
	out->index = UINT32_MAX; /* its own entry is unknown: never needed for a directory */
}

/* The parent of a directory (other than the root), from its ".." entry. */
static int dir_parent(struct fat_vol *v, const struct fat_node *dn, struct fat_node *out)
{
	struct dir d;
	uint8_t *e;
	dir_of(v, dn, &d);
	int r = dir_entry(v, &d, 1, &e, 0);
	if (r)
		return r < 0 ? r : -EIO;
	if (e[0] != '.' || e[1] != '.')
		return -EIO;
	dotdot_node(v, entry_cluster(v, e), out);
	return 0;
}

int fat_lookup(struct fat_vol *v, const struct fat_node *dir, const char *name, unsigned len,
	       struct fat_node *out)
{
	static struct fat_dirent de;
	struct dir d;
	uint32_t pos = 0;
	if (!is_dir(dir))
		return -ENOTDIR;
	if (len > FAT_NAME_MAX)
		return -ENAMETOOLONG;
	if (len == 1 && name[0] == '.') {
		*out = *dir;
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		if (dir->is_root) {
			*out = *dir;
			return 0;
		}
		return dir_parent(v, dir, out);
	}
	dir_of(v, dir, &d);
	for (;;) {
		int r = dir_next(v, &d, &pos, &de);
		if (r <= 0)
			return r < 0 ? r : -ENOENT;
		if (names_equal(name, len, de.name)) {
			*out = de.node;
			return 0;
		}
	}
}

int fat_walk(struct fat_vol *v, const char *path, struct fat_node *out)
{
	struct fat_node cur;
	fat_root(v, &cur);
	while (*path) {
		const char *end = path;
		while (*end && *end != '/')
			end++;
		if (end > path) {
			int err = fat_lookup(v, &cur, path, (unsigned)(end - path), &cur);
			if (err)
				return err;
		}
		path = *end ? end + 1 : end;
	}
	*out = cur;
	return 0;
}

int fat_readdir(struct fat_vol *v, const struct fat_node *dir, uint32_t *pos,
		struct fat_dirent *out)
{
	struct dir d;
	if (!is_dir(dir))
		return -ENOTDIR;
	dir_of(v, dir, &d);
	return dir_next(v, &d, pos, out);
}

/* ---- file data ---- */

long fat_read(struct fat_vol *v, struct fat_node *n, uint64_t off, void *buf, uint64_t len)
{
	uint8_t *dst = buf;
	uint64_t done = 0;
	if (is_dir(n))
		return -EISDIR;
	if (off >= n->size)
		return 0;
	if (len > n->size - off)
		len = n->size - off;
	while (done < len) {
		uint64_t pos = off + done;
		uint32_t c;
		int err = 0, r = chain_at(v, n, n->cluster, (uint32_t)(pos / v->cluster_bytes), &c);
		if (r)
			return done ? (long)done : r < 0 ? r : -EIO; /* shorter than its size */
		uint64_t in_clu = pos % v->cluster_bytes;
		uint64_t sec = cluster_sector(v, c) + in_clu / BC_SECTOR;
		const uint8_t *s = bvol_get(&v->bv, sec, &err);
		if (!s)
			return done ? (long)done : err;
		uint64_t k = BC_SECTOR - pos % BC_SECTOR;
		if (k > len - done)
			k = len - done;
		fs_copy(dst + done, s + pos % BC_SECTOR, k);
		done += k;
	}
	return (long)done;
}

/* Write the node's first cluster and size into its directory entry, stamped as changed
 * now. */
static int node_store(struct fat_vol *v, struct fat_node *n)
{
	uint8_t *e;
	uint64_t sec;
	if (n->is_root || n->index == UINT32_MAX)
		return 0;
	int err = node_entry(v, n, &e, &sec);
	if (err)
		return err;
	set_entry_cluster(e, n->cluster);
	put32(e + DE_SIZE, is_dir(n) ? 0 : n->size);
	fat_time_pack(v->now, &n->wdate, &n->wtime);
	put16(e + DE_WTIME, n->wtime);
	put16(e + DE_WDATE, n->wdate);
	e[DE_ATTR] |= is_dir(n) ? 0 : FAT_ATTR_ARCH;
	bvol_dirty(&v->bv, sec);
	return 0;
}

/*
 * The idx-th cluster of n, appending clusters (zeroed if zero is set) while the chain is
 * shorter. chain_at leaves its hint on the last cluster when it runs off the end.
 */
static int cluster_for_write(struct fat_vol *v, struct fat_node *n, uint32_t idx, int zero,
			     uint32_t *out)
{
	for (uint32_t added = 0; added <= v->clusters; added++) {
		int r = chain_at(v, n, n->cluster, idx, out);
		if (r <= 0)
			return r;
		uint32_t last = n->cluster ? n->hint_clu : 0, fresh;
		int err = cluster_alloc(v, &fresh);
		if (!err && zero)
			err = cluster_zero(v, fresh);
		if (!err && last)
			err = fat_set(v, last, fresh);
		if (err)
			return err;
		if (!n->cluster)
			n->cluster = fresh;
	}
	return -EIO;
}

/* Copy len bytes (zeros if src is NULL) to off, which is at most the size. */
static long write_span(struct fat_vol *v, struct fat_node *n, uint64_t off, const uint8_t *src,
		       uint64_t len)
{
	uint64_t done = 0;
	long err = 0;
	while (done < len) {
		uint64_t pos = off + done;
		uint32_t c;
		err = cluster_for_write(v, n, (uint32_t)(pos / v->cluster_bytes), 0, &c);
		if (err)
			break;
		uint64_t sec = cluster_sector(v, c) + (pos % v->cluster_bytes) / BC_SECTOR;
		int e2 = 0;
		uint8_t *s = bvol_get(&v->bv, sec, &e2);
		if (!s) {
			err = e2;
			break;
		}
		uint64_t k = BC_SECTOR - pos % BC_SECTOR;
		if (k > len - done)
			k = len - done;
		if (src)
			fs_copy(s + pos % BC_SECTOR, src + done, k);
		else
			memset(s + pos % BC_SECTOR, 0, k);
		bvol_dirty(&v->bv, sec);
		done += k;
		if (pos + k > n->size)
			n->size = (uint32_t)(pos + k);
	}
	int e3 = node_store(v, n);
	if (done)
		return (long)done;
	return err ? err : e3;
}

/* Is n's entry still its own (not renamed or removed since the lookup)? 0 or -ESTALE. */
static int node_current(struct fat_vol *v, const struct fat_node *n)
{
	uint8_t *e;
	uint64_t sec;
	return n->is_root || n->index == UINT32_MAX ? 0 : node_entry(v, n, &e, &sec);
}

long fat_write(struct fat_vol *v, struct fat_node *n, uint64_t off, const void *buf, uint64_t len)
{
	if (is_dir(n))
		return -EISDIR;
	int err = node_current(v, n);
	if (err)
		return err;
	if (len == 0)
		return 0;
	if (off > FAT_FILE_MAX || len > FAT_FILE_MAX - off)
		return -EFBIG;
	if (off > n->size) {
		long z = write_span(v, n, n->size, 0, off - n->size);
		if (z < 0)
			return z;
		if (n->size < off)
			return -ENOSPC;
	}
	return write_span(v, n, off, buf, len);
}

int fat_truncate(struct fat_vol *v, struct fat_node *n, uint64_t size)
{
	if (is_dir(n))
		return -EISDIR;
	int stale = node_current(v, n);
	if (stale)
		return stale;
	if (size > FAT_FILE_MAX)
		return -EFBIG;
	if (size > n->size) {
		long z = write_span(v, n, n->size, 0, size - n->size);
		return z < 0 ? (int)z : n->size == size ? 0 : -ENOSPC;
	}
	uint32_t keep = (uint32_t)((size + v->cluster_bytes - 1) / v->cluster_bytes);
	int err = 0;
	if (n->cluster && keep == 0) {
		err = chain_free(v, n->cluster);
		n->cluster = 0;
	} else if (n->cluster) {
		uint32_t last, rest;
		err = chain_at(v, n, n->cluster, keep - 1, &last);
		err = err > 0 ? -EIO : err;
		if (!err)
			err = fat_next(v, last, &rest);
		if (!err && rest) {
			err = fat_set(v, last, eoc_mark(v));
			if (!err)
				err = chain_free(v, rest);
		}
	}
	n->hint_clu = 0;
	n->size = (uint32_t)size;
	int e2 = node_store(v, n);
	return err ? err : e2;
}

int fat_set_times(struct fat_vol *v, struct fat_node *n, const int64_t *atime, const int64_t *mtime)
{
	uint8_t *e;
	uint64_t sec;
	uint16_t adate = n->adate, wdate = n->wdate, wtime = n->wtime, unused;
	if (n->is_root || n->index == UINT32_MAX)
		return 0;
	int err = node_entry(v, n, &e, &sec);
	if (err)
		return err;
	if (atime)
		fat_time_pack(*atime, &adate, &unused);
	if (mtime)
		fat_time_pack(*mtime, &wdate, &wtime);
	if (adate == le16(e + DE_ADATE) && wdate == le16(e + DE_WDATE) &&
	    wtime == le16(e + DE_WTIME))
		return 0; /* a read the same day: the disk is not written */
	n->adate = adate;
	n->wdate = wdate;
	n->wtime = wtime;
	put16(e + DE_ADATE, adate);
	put16(e + DE_WTIME, wtime);
	put16(e + DE_WDATE, wdate);
	bvol_dirty(&v->bv, sec);
	return 1;
}

/* ---- creating and removing entries ---- */

static int short_char_ok(int c)
{
	static const char extra[] = "$%'-_@~`!(){}^#&";
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c && strchr(extra, c));
}

/* Does the name fit 8.3 exactly (each part one case)? Fills the 11 bytes and NTRES. */
static int exact_short(const char *name, unsigned len, uint8_t *sn, uint8_t *ntres)
{
	const char *dot = memchr(name, '.', len);
	unsigned blen = dot ? (unsigned)(dot - name) : len, elen = dot ? len - blen - 1 : 0;
	int lower[2] = { 0, 0 }, upper[2] = { 0, 0 };
	if (blen == 0 || blen > 8 || elen > 3 || (dot && elen == 0) ||
	    (dot && memchr(dot + 1, '.', elen)))
		return 0;
	memset(sn, ' ', 11);
	for (unsigned i = 0; i < len; i++) {
		if (dot && name + i == dot)
			continue;
		int part = dot && name + i > dot, c = (uint8_t)name[i];
		lower[part] |= c >= 'a' && c <= 'z';
		upper[part] |= c >= 'A' && c <= 'Z';
		if (!short_char_ok(ascii_upper(c)))
			return 0;
		sn[part ? 8 + (unsigned)(name + i - dot - 1) : i] = (uint8_t)ascii_upper(c);
	}
	if ((lower[0] && upper[0]) || (lower[1] && upper[1]))
		return 0;
	*ntres = (uint8_t)((lower[0] ? NTRES_LOWER_BASE : 0) | (lower[1] ? NTRES_LOWER_EXT : 0));
	if (sn[0] == DIRENT_FREE)
		sn[0] = DIRENT_KANJI_E5;
	return 1;
}

/* Is there a short entry named sn in dir? 1, 0, or an error. */
static int short_exists(struct fat_vol *v, const struct fat_node *dn, const uint8_t *sn)
{
	struct dir d;
	dir_of(v, dn, &d);
	for (uint32_t i = 0;; i++) {
		uint8_t *e;
		int r = dir_entry(v, &d, i, &e, 0);
		if (r)
			return r < 0 ? r : 0;
		if (e[0] == DIRENT_END)
			return 0;
		if (e[0] != DIRENT_FREE && (e[DE_ATTR] & 0x3f) != FAT_ATTR_LFN &&
		    memcmp(e, sn, 11) == 0)
			return 1;
	}
}

/* A short alias "BASIS~N.EXT" for a long name, unique in dir. */
static int make_alias(struct fat_vol *v, const struct fat_node *dn, const char *name, unsigned len,
		      uint8_t *sn)
{
	const char *dot = 0;
	unsigned b = 0;
	for (unsigned i = 0; i < len; i++)
		if (name[i] == '.')
			dot = name + i;
	memset(sn, ' ', 11);
	for (unsigned i = 0; i < len && name + i != dot && b < 6; i++) {
		int c = ascii_upper((uint8_t)name[i]);
		if (c == ' ' || c == '.')
			continue;
		sn[b++] = (uint8_t)(short_char_ok(c) ? c : '_');
	}
	if (b == 0)
		sn[b++] = '_';
	for (unsigned i = 0, x = 8; dot && dot + 1 + i < name + len && x < 11; i++) {
		int c = ascii_upper((uint8_t)dot[1 + i]);
		if (c != ' ')
			sn[x++] = (uint8_t)(short_char_ok(c) ? c : '_');
	}
	for (uint32_t tail = 1; tail <= SHORT_TAIL_MAX; tail++) {
		char num[8];
		int digits = 0;
		for (uint32_t t = tail; t; t /= 10)
			num[digits++] = (char)('0' + t % 10);
		unsigned at = b + (unsigned)digits + 1 > 8 ? 8u - (unsigned)digits - 1 : b;
		memset(sn + at, ' ', 8 - at);
		sn[at] = '~';
		for (int k = 0; k < digits; k++)
			sn[at + 1 + (unsigned)k] = (uint8_t)num[digits - 1 - k];
		int r = short_exists(v, dn, sn);
		if (r <= 0)
			return r;
	}
	return -EEXIST;
}

/* Find count consecutive free entries in dir (growing it if needed): the first index. */
static int dir_slots(struct fat_vol *v, struct fat_node *dn, unsigned count, uint32_t *first)
{
	struct dir d;
	uint32_t run = 0;
	dir_of(v, dn, &d);
	for (uint32_t i = 0; i < DIR_MAX_ENTRIES; i++) {
		uint8_t *e;
		int r = dir_entry(v, &d, i, &e, 0);
		if (r < 0)
			return r;
		if (r > 0) {
			uint32_t c;
			if (d.fixed)
				return -ENOSPC;
			/* past the last cluster: add a zeroed one, and look again */
			r = cluster_for_write(v, &d.n, i / (v->cluster_bytes / DIRENT_SIZE), 1, &c);
			if (r)
				return r;
			d.n.hint_clu = 0;
			i--;
			continue;
		}
		run = (e[0] == DIRENT_FREE || e[0] == DIRENT_END) ? run + 1 : 0;
		if (run == count) {
			*first = i + 1 - count;
			return 0;
		}
	}
	return -ENOSPC;
}

/* Write the long-name entries for units and the short entry at first.. in dir. */
static int write_entries(struct fat_vol *v, const struct fat_node *dn, uint32_t first,
			 const uint16_t *units, unsigned nunits, unsigned nlfn, const uint8_t *sn,
			 const uint8_t *short_tmpl)
{
	struct dir d;
	uint8_t sum = lfn_checksum(sn);
	dir_of(v, dn, &d);
	for (unsigned k = 0; k <= nlfn; k++) {
		uint8_t *e;
		uint64_t sec;
		int r = dir_entry(v, &d, first + k, &e, &sec);
		if (r)
			return r < 0 ? r : -EIO;
		if (k == nlfn) {
			memcpy(e, short_tmpl, DIRENT_SIZE);
			memcpy(e, sn, 11);
		} else {
			unsigned ord = nlfn - k, base = (ord - 1) * LFN_CHARS;
			memset(e, 0, DIRENT_SIZE);
			e[LFN_ORD] = (uint8_t)(ord | (k == 0 ? LFN_LAST : 0));
			e[DE_ATTR] = FAT_ATTR_LFN;
			e[LFN_CSUM] = sum;
			for (unsigned j = 0; j < LFN_CHARS; j++) {
				unsigned at = base + j;
				uint16_t u = at < nunits ? units[at] : at == nunits ? 0 : 0xffff;
				unsigned off = j < 5	? LFN_NAME1 + 2 * j
					       : j < 11 ? LFN_NAME2 + 2 * (j - 5)
							: LFN_NAME3 + 2 * (j - 11);
				put16(e + off, u);
			}
		}
		bvol_dirty(&v->bv, sec);
	}
	return 0;
}

/*
 * Add an entry called name to dir, with the short entry's other fields from tmpl (32
 * bytes). out gets the new node. The name must not exist yet.
 */
static int add_entry(struct fat_vol *v, const struct fat_node *dir, const char *name, unsigned len,
		     const uint8_t *tmpl, struct fat_node *out)
{
	static uint16_t units[FAT_NAME_MAX];
	uint8_t sn[11], ntres = 0, entry[DIRENT_SIZE];
	unsigned nlfn = 0;
	int nunits = utf8_to_utf16(name, len, units);
	if (nunits < 0)
		return nunits;
	int err = 0;
	if (!exact_short(name, len, sn, &ntres)) {
		err = make_alias(v, dir, name, len, sn);
		nlfn = ((unsigned)nunits + LFN_CHARS - 1) / LFN_CHARS;
	} else if (short_exists(v, dir, sn) == 1) {
		err = -EEXIST;
	}
	memcpy(entry, tmpl, sizeof(entry));
	entry[DE_NTRES] = ntres;
	struct fat_node dn = *dir;
	uint32_t first = 0;
	if (!err)
		err = dir_slots(v, &dn, nlfn + 1, &first);
	if (!err)
		err = write_entries(v, &dn, first, units, (unsigned)nunits, nlfn, sn, entry);
	if (err)
		return err;
	memset(out, 0, sizeof(*out));
	out->attr = entry[DE_ATTR];
	out->cluster = entry_cluster(v, entry);
	out->size = (out->attr & FAT_ATTR_DIR) ? 0 : le32(entry + DE_SIZE);
	out->parent = dir->cluster;
	out->index = first + nlfn;
	out->lfn_count = (uint8_t)nlfn;
	memcpy(out->sname, sn, sizeof(out->sname));
	out->wdate = le16(entry + DE_WDATE);
	out->wtime = le16(entry + DE_WTIME);
	out->adate = le16(entry + DE_ADATE);
	return 0;
}

/* Mark node n's entries (long ones and the short one) free. */
static int remove_entries(struct fat_vol *v, const struct fat_node *n)
{
	struct fat_node pn = { .cluster = n->parent };
	struct dir d;
	dir_of(v, &pn, &d);
	for (uint32_t i = n->index - n->lfn_count; i <= n->index; i++) {
		uint8_t *e;
		uint64_t sec;
		int r = dir_entry(v, &d, i, &e, &sec);
		if (r)
			return r < 0 ? r : -EIO;
		e[0] = DIRENT_FREE;
		bvol_dirty(&v->bv, sec);
	}
	return 0;
}

/* A fresh directory's first cluster with "." and "..". */
static int dir_init(struct fat_vol *v, uint32_t c, uint32_t parent)
{
	int err = cluster_zero(v, c);
	uint8_t *s = err ? 0 : bvol_get(&v->bv, cluster_sector(v, c), &err);
	if (!s)
		return err;
	for (int k = 0; k < 2; k++) {
		uint8_t *e = s + k * DIRENT_SIZE;
		memset(e, ' ', 11);
		e[0] = '.';
		if (k)
			e[1] = '.';
		e[DE_ATTR] = FAT_ATTR_DIR;
		stamp_new(v, e);
		set_entry_cluster(e, k ? parent : c);
	}
	bvol_dirty(&v->bv, cluster_sector(v, c));
	return 0;
}

/* The cluster a ".." entry stores for a directory whose parent is dir. */
static uint32_t dotdot_value(const struct fat_vol *v, const struct fat_node *dir)
{
	return dir->is_root || (v->type == FAT32 && dir->cluster == v->root_cluster) ? 0
										     : dir->cluster;
}

int fat_create(struct fat_vol *v, const struct fat_node *dir, const char *name, unsigned len,
	       uint8_t attr, struct fat_node *out)
{
	uint8_t tmpl[DIRENT_SIZE] = { 0 };
	struct fat_node old;
	uint32_t c = 0;
	if (!is_dir(dir))
		return -ENOTDIR;
	int err = name_check(name, len);
	if (err)
		return err;
	err = fat_lookup(v, dir, name, len, &old);
	if (err != -ENOENT)
		return err ? err : -EEXIST;
	attr &= FAT_ATTR_DIR | FAT_ATTR_RO | FAT_ATTR_HIDDEN | FAT_ATTR_SYSTEM;
	if (attr & FAT_ATTR_DIR) {
		err = cluster_alloc(v, &c);
		if (!err)
			err = dir_init(v, c, dotdot_value(v, dir));
		if (err)
			return err;
	} else {
		attr |= FAT_ATTR_ARCH;
	}
	tmpl[DE_ATTR] = attr;
	stamp_new(v, tmpl);
	set_entry_cluster(tmpl, c);
	err = add_entry(v, dir, name, len, tmpl, out);
	if (err && c)
		chain_free(v, c);
	return err;
}

/* Does directory n hold anything but "." and ".."? 1, 0 or an error. */
static int dir_nonempty(struct fat_vol *v, const struct fat_node *n)
{
	static struct fat_dirent de;
	struct dir d;
	uint32_t pos = 0;
	dir_of(v, n, &d);
	return dir_next(v, &d, &pos, &de);
}

int fat_unlink(struct fat_vol *v, const struct fat_node *dir, const char *name, unsigned len,
	       int want_dir)
{
	struct fat_node n;
	int err = fat_lookup(v, dir, name, len, &n);
	if (err)
		return err;
	if (n.is_root || (len <= 2 && name[0] == '.' && (len == 1 || name[1] == '.')))
		return -EBUSY;
	if (!want_dir && is_dir(&n))
		return -EISDIR;
	if (want_dir && !is_dir(&n))
		return -ENOTDIR;
	if (want_dir) {
		err = dir_nonempty(v, &n);
		if (err)
			return err < 0 ? err : -ENOTEMPTY;
	}
	err = remove_entries(v, &n);
	if (!err && n.cluster)
		err = chain_free(v, n.cluster);
	return err;
}

/* Is directory anc the same as d or above it? Walks d's ".." entries up to the root. */
static int is_ancestor(struct fat_vol *v, uint32_t anc, const struct fat_node *d)
{
	struct fat_node cur = *d;
	for (uint32_t steps = 0; steps <= v->clusters; steps++) {
		if (cur.cluster == anc)
			return 1;
		if (cur.is_root)
			return 0;
		int err = dir_parent(v, &cur, &cur);
		if (err)
			return err;
	}
	return -EIO;
}

/* After moving directory n under ndir, point its ".." there. */
static int fix_dotdot(struct fat_vol *v, const struct fat_node *n, const struct fat_node *ndir)
{
	struct dir d;
	uint8_t *e;
	uint64_t sec;
	dir_of(v, n, &d);
	int r = dir_entry(v, &d, 1, &e, &sec);
	if (r)
		return r < 0 ? r : -EIO;
	set_entry_cluster(e, dotdot_value(v, ndir));
	bvol_dirty(&v->bv, sec);
	return 0;
}

/* rename's checks on an existing target: 0 if it may be replaced, else why not. */
static int target_check(struct fat_vol *v, const struct fat_node *src, const struct fat_node *dst)
{
	if (is_dir(src) && !is_dir(dst))
		return -ENOTDIR;
	if (!is_dir(src) && is_dir(dst))
		return -EISDIR;
	if (is_dir(dst)) {
		int r = dir_nonempty(v, dst);
		if (r)
			return r < 0 ? r : -ENOTEMPTY;
	}
	return 0;
}

int fat_rename(struct fat_vol *v, const struct fat_node *odir, const char *oname, unsigned olen,
	       const struct fat_node *ndir, const char *nname, unsigned nlen)
{
	struct fat_node src, dst, added;
	uint8_t tmpl[DIRENT_SIZE], *e;
	uint64_t sec;
	if (!is_dir(ndir))
		return -ENOTDIR;
	int err = fat_lookup(v, odir, oname, olen, &src);
	if (!err)
		err = name_check(nname, nlen);
	if (err)
		return err;
	if (src.is_root || src.index == UINT32_MAX)
		return -EBUSY;
	if (is_dir(&src)) {
		int r = is_ancestor(v, src.cluster, ndir);
		if (r)
			return r < 0 ? r : -EINVAL;
	}
	err = fat_lookup(v, ndir, nname, nlen, &dst);
	int same_entry = !err && dst.parent == src.parent && dst.index == src.index;
	if (same_entry) {
		if (nlen == olen && memcmp(oname, nname, olen) == 0)
			return 0; /* the same name: nothing to do */
				  /* the same file under another case: take the entry out first */
	} else if (!err) {
		err = target_check(v, &src, &dst);
		if (!err)
			err = fat_unlink(v, ndir, nname, nlen, is_dir(&dst));
		if (err)
			return err;
	} else if (err != -ENOENT) {
		return err;
	}
	err = node_entry(v, &src, &e, &sec);
	if (err)
		return err;
	memcpy(tmpl, e, sizeof(tmpl));
	/*
	 * The new entry first, then the old one goes: a failure leaves the file where it was.
	 * Only a change of case in place must free the old entry first (its short name).
	 */
	if (same_entry)
		err = remove_entries(v, &src);
	if (!err)
		err = add_entry(v, ndir, nname, nlen, tmpl, &added);
	if (!err && !same_entry)
		err = remove_entries(v, &src);
	if (err)
		return err;
	if (is_dir(&src) && src.parent != ndir->cluster)
		err = fix_dotdot(v, &added, ndir);
	return err;
}

static int fsinfo_store(struct fat_vol *v)
{
	int err = 0;
	if (!v->fsinfo_sec || !v->fsinfo_dirty)
		return 0;
	uint8_t *f = bvol_get(&v->bv, v->fsinfo_sec, &err);
	if (!f)
		return err;
	put32(f + FSINFO_FREE_OFF, v->free_count);
	put32(f + FSINFO_NEXT_OFF, v->next_free);
	bvol_dirty(&v->bv, v->fsinfo_sec);
	v->fsinfo_dirty = 0;
	return 0;
}

int fat_sync(struct fat_vol *v)
{
	int err = fsinfo_store(v);
	int e2 = bcache_sync(v->bv.c);
	return err ? err : e2;
}
