/*
 * The client side of the block protocol (blkproto.h): starting a driver task and a
 * struct bdev whose calls are IPC requests to it. Used by programs that mount a volume
 * through a driver (bin/fatfs.c); a file server would do the same.
 */
#include "blkclient.h"

#include <errno.h>
#include <string.h>

#include "taskspawn.h"

int blk_start(const char *driver, const char *which, struct blk_client *out)
{
	char *argv[] = { (char *)driver, (char *)which, 0 };
	struct spawn_req req = { .name = driver, .argv = argv, .supervisor = -1 };
	struct spawned s = { .task = -1 };
	memset(out, 0, sizeof(*out));
	if (SYSCALL(cap_info, SLOT_IRQCTL) != (OBJ_IRQCTL | CAP_ALL << 8))
		return -EPERM; /* no device control to hand the driver (a shell's child) */
	out->ep = slot_alloc();
	if (out->ep < 0)
		return -ENOMEM;
	int err = (int)SYSCALL(obj_create, SLOT_SELF, OBJ_ENDPOINT, out->ep, 0);
	if (!err)
		err = spawn_create(&req, &s);
	if (!err)
		err = (int)SYSCALL(task_cap_put, s.task, out->ep, SLOT_BLK_EP, CAP_ALL);
	if (!err)
		err = (int)SYSCALL(task_cap_put, s.task, SLOT_IRQCTL, SLOT_IRQCTL, CAP_ALL);
	if (!err && spawn_start(&s) <= 0)
		err = E_NOMEM;
	if (!err) {
		out->task = s.task;
		return 0;
	}
	if (s.task >= 0) { /* created, not started: nothing else holds it */
		SYSCALL(task_kill, s.task);
		SYSCALL(cap_delete, s.task);
		slot_free(s.task);
	}
	SYSCALL(cap_delete, out->ep);
	slot_free(out->ep);
	return err == E_NOENT ? -ENOENT : err == E_BADCAP || err == E_RIGHTS ? -EPERM : -ENOMEM;
}

void blk_stop(struct blk_client *c)
{
	SYSCALL(task_kill, c->task);
	SYSCALL(cap_delete, c->task);
	SYSCALL(cap_delete, c->ep);
	slot_free(c->task);
	slot_free(c->ep);
}

/* One request: words in, optional bytes out or in; the answer's w0. */
static int request(struct blk_client *c, unsigned label, uint64_t a, uint64_t b, const void *out,
		   unsigned out_len, void *in, unsigned in_cap, struct ipc_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->tag = ipc_tag(label, 2, out_len, 0);
	m->w[0] = a;
	m->w[1] = b;
	m->sbuf = out;
	m->rbuf = in;
	m->rspec = ipc_recv_spec(in_cap, IPC_RECV_SLOT_NONE);
	long err = ipc_call((uint64_t)c->ep, m);
	if (err)
		return -EIO; /* the driver is gone */
	return (int)(long)m->w[0];
}

static int bc_read(void *ctx, uint64_t lba, unsigned count, void *buf)
{
	struct ipc_msg m;
	unsigned len = count * BLK_SECTOR;
	int err = request(ctx, BLK_READ, lba, count, 0, 0, buf, len, &m);
	return err ? err : ipc_tag_len(m.tag) == len ? 0 : -EIO;
}

static int bc_write(void *ctx, uint64_t lba, unsigned count, const void *buf)
{
	struct ipc_msg m;
	return request(ctx, BLK_WRITE, lba, count, buf, count * BLK_SECTOR, 0, 0, &m);
}

static int bc_flush(void *ctx)
{
	struct ipc_msg m;
	return request(ctx, BLK_FLUSH, 0, 0, 0, 0, 0, 0, &m);
}

int blk_bdev(struct blk_client *c, struct bdev *dev)
{
	struct ipc_msg m;
	int err = request(c, BLK_INFO, 0, 0, 0, 0, 0, 0, &m);
	if (err)
		return err;
	if (m.w[2] != BLK_SECTOR)
		return -EINVAL;
	*dev = (struct bdev){ c,       m.w[1],	 (m.w[3] & BLK_INFO_READONLY) != 0,
			      bc_read, bc_write, bc_flush };
	return 0;
}
