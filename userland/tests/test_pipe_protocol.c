/*
 * The pipe protocol as the fork server serves it (pipe.h), through raw IPC: PIPE_NB
 * turns a read of an empty pipe and a write to a full one into EAGAIN; a write of up to
 * PIPE_ATOMIC bytes goes in whole or not at all; PIPE_DUP counts one more end, so end of
 * file waits for both closes; a close or dup of an end the process does not hold is EBADF; a read answers up to PIPE_INLINE_MAX bytes in registers and more in the
 * buffer, and never more than the buffer's capacity.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "pipe.h"
#include "syscall.h"
#include "testlib.h"

#define BIG 4096

static uint8_t buf[BIG];

static long request(uint64_t label, uint64_t w0, uint64_t w1, uint64_t w2, const void *sbuf,
		    unsigned len, struct ipc_msg *m)
{
	*m = (struct ipc_msg){ .tag = ipc_tag(label, 3, len, 0), .sbuf = sbuf, .rbuf = buf };
	m->w[0] = w0;
	m->w[1] = w1;
	m->w[2] = w2;
	m->rspec = ipc_recv_spec(label == PIPE_READ ? BIG : 0, IPC_RECV_SLOT_NONE);
	long err = ipc_call(SLOT_PROC, m);
	return err ? err : (long)m->w[0];
}

int main(void)
{
	struct ipc_msg m;
	uint64_t ppid;
	long id = proc_request(PROC_PIPE, 0, 0, &ppid, 0, 0);
	CHECK(id >= 0);
	CHECK_EQ(request(PIPE_READ, id, 8, PIPE_NB, 0, 0, &m), -EAGAIN);
	/* Fill the ring: 16 KiB in 4 writes, then even one byte does not fit. */
	for (int i = 0; i < PIPE_RING / BIG; i++)
		CHECK_EQ(request(PIPE_WRITE, id, PIPE_NB, 0, buf, BIG, &m), BIG);
	CHECK_EQ(request(PIPE_WRITE, id, PIPE_NB, 0, buf, 1, &m), -EAGAIN);
	/* Make 100 bytes of room: a 200-byte write is refused whole, a 600-byte one split. */
	CHECK_EQ(request(PIPE_READ, id, 100, 0, 0, 0, &m), 100);
	CHECK_EQ(ipc_tag_len(m.tag), 100); /* more than fits in registers: the buffer */
	CHECK_EQ(request(PIPE_WRITE, id, PIPE_NB, 0, buf, 200, &m), -EAGAIN);
	CHECK_EQ(request(PIPE_WRITE, id, PIPE_NB, 0, buf, 600, &m), 100);
	/* Drain, then a short read comes back in the words. */
	long got = 0, r;
	while ((r = request(PIPE_READ, id, BIG, PIPE_NB, 0, 0, &m)) > 0)
		got += r;
	CHECK_EQ(r, -EAGAIN);
	CHECK_EQ(got, PIPE_RING);
	CHECK_EQ(request(PIPE_WRITE, id, 0, 0, "hello", 5, &m), 5);
	CHECK_EQ(request(PIPE_READ, id, BIG, 0, 0, 0, &m), 5);
	CHECK(ipc_tag_words(m.tag) > 1 && memcmp(&m.w[1], "hello", 5) == 0);
	/* dup: two write ends now; EOF only after both are closed. */
	CHECK_EQ(request(PIPE_DUP, id, PIPE_END_WRITE, 0, 0, 0, &m), 0);
	CHECK_EQ(request(PIPE_CLOSE, id, PIPE_END_WRITE, 0, 0, 0, &m), 0);
	CHECK_EQ(request(PIPE_READ, id, 8, PIPE_NB, 0, 0, &m), -EAGAIN); /* a writer is left */
	/* Ends: each closes once; a second close of the same end is EBADF. */
	CHECK_EQ(request(PIPE_CLOSE, id, PIPE_END_WRITE, 0, 0, 0, &m), 0);
	CHECK_EQ(request(PIPE_CLOSE, id, PIPE_END_WRITE, 0, 0, 0, &m), -EBADF);
	CHECK_EQ(request(PIPE_WRITE, id, 0, 0, "x", 1, &m), -EBADF);
	CHECK_EQ(request(PIPE_DUP, id, PIPE_END_WRITE, 0, 0, 0, &m), -EBADF); /* none held */
	CHECK_EQ(request(PIPE_READ, id, 8, 0, 0, 0, &m), 0);		      /* end of file */
	CHECK_EQ(request(PIPE_CLOSE, id, 2, 0, 0, 0, &m), -EBADF);
	CHECK_EQ(request(PIPE_CLOSE, id, PIPE_END_READ, 0, 0, 0, &m), 0);
	CHECK_EQ(request(PIPE_READ, id, 8, 0, 0, 0, &m), -EBADF); /* freed at the last close */
	return test_status();
}
