/*
 * The block protocol: what every block driver serves (docs/storage.md). A driver is a
 * loop over these requests on one endpoint; each request stands alone (no session, no
 * state a client leaves behind), so one client cannot change what another sees except
 * through the sectors themselves.
 *
 * Every answer's w0 is 0 or a negative errno (POSIX, <errno.h>): EINVAL for a malformed
 * request, ERANGE for sectors beyond the end, EROFS for a write to a read-only disk, EIO
 * when the device reported an error or timed out, ENODEV when the driver has no device.
 * The driver keeps running after any of them.
 */
#ifndef USER_FS_BLKPROTO_H
#define USER_FS_BLKPROTO_H

#define BLK_SECTOR	512u /* the only sector size the protocol speaks */
#define BLK_MAX_SECTORS 8u   /* per request: one IPC buffer (4096 bytes) */
#define SLOT_BLK_EP	6    /* in a driver: its endpoint (receive) */

enum blk_label {
	/* -> w0 = 0 or error, w1 = sectors, w2 = BLK_SECTOR, w3 = BLK_INFO_* flags */
	BLK_INFO = 1,
	/* w0 = first sector, w1 = count (1..BLK_MAX_SECTORS) -> w0, buffer = the sectors */
	BLK_READ = 2,
	/* w0 = first sector, w1 = count, buffer = count * BLK_SECTOR bytes -> w0 */
	BLK_WRITE = 3,
	/* -> w0: every write answered before this is on the medium */
	BLK_FLUSH = 4,
};

#define BLK_INFO_READONLY (1u << 0)

#endif
