/*
 * A hostile pipe holder cannot hurt anyone else's pipe. The child holds both ends of
 * pipe a (inherited at fork); it scribbles over all of its data and bss (the library's
 * pipe and descriptor tables among them), then sends the pipe protocol every garbage it
 * can think of through raw IPC: closes of every id, both ends, many times; reads and
 * writes of ids it holds and does not hold, with huge sizes and bad buffers; unknown
 * labels; and pipes made until it is refused. Afterwards the parent's pipes a and b move
 * bytes as before, a gives end of file once the parent closes its own write end (the
 * child could not take the parent's ends away), and the child's pipes are gone.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipe.h"
#include "syscall.h"
#include "testlib.h"

#define JUNK 0xa5

extern char __tls_base[], __bss_end[];

static long raw(uint64_t label, uint64_t w0, uint64_t w1, uint64_t w2, void *buf, unsigned len)
{
	struct ipc_msg m = { .tag = ipc_tag(label, 3, len, 0), .sbuf = buf, .rbuf = buf };
	m.w[0] = w0;
	m.w[1] = w1;
	m.w[2] = w2;
	m.rspec = ipc_recv_spec(buf ? len : 0, IPC_RECV_SLOT_NONE);
	long err = ipc_call(SLOT_PROC, &m);
	return err ? err : (long)m.w[0];
}

/* Only raw system calls from here on: the C library's state is junk. */
static void __attribute__((noinline)) attack(void)
{
	uint8_t buf[256];
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = JUNK;
	for (uint64_t id = 0; id < PIPE_SYS_MAX + 8; id++) {
		for (int k = 0; k < 3; k++) {
			raw(PIPE_CLOSE, id, PIPE_END_READ, 0, 0, 0);
			raw(PIPE_CLOSE, id, PIPE_END_WRITE, 0, 0, 0);
		}
		raw(PIPE_CLOSE, id, 7, 0, 0, 0);
		raw(PIPE_WRITE, id, PIPE_NB, 0, buf, sizeof(buf));
		raw(PIPE_READ, id, ~0UL, PIPE_NB, buf, sizeof(buf));
		raw(PIPE_READ, id, 64, PIPE_NB, (void *)16, 64); /* a bad buffer */
		raw(PIPE_WRITE, id, PIPE_NB, 0, (void *)16, 64);
	}
	raw(PIPE_READ, ~0UL, 1, 0, buf, 1);
	for (uint64_t label = PIPE_READ + 3; label < PIPE_READ + 40; label++)
		raw(label, ~0UL, ~0UL, ~0UL, buf, sizeof(buf));
	for (int i = 0; i < PIPE_PROC_MAX + 8; i++) /* refused at the limit */
		if (raw(PROC_PIPE, 0, 0, 0, 0, 0) < 0)
			SYSCALL(exit, 0); /* its pipes go at its death */
	SYSCALL(exit, 1);
}

static void hostile_child(void)
{
	/* Everything writable that the image has: tls, data, bss. */
	uintptr_t from = (uintptr_t)__tls_base, to = (uintptr_t)__bss_end;
	for (uintptr_t c = from; c < to; c++)
		*(char *)c = (char)JUNK;
	attack();
}

int main(void)
{
	int a[2], b[2], st = -1;
	char buf[8] = { 0 };
	struct memstat before, after;
	CHECK_EQ(pipe(a), 0);
	memstat(&before);
	pid_t pid = fork();
	if (pid == 0)
		hostile_child();
	CHECK_EQ(pipe(b), 0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0); /* it was refused, not stopped early */
	memstat(&after);
	CHECK_EQ(after.free_frames, before.free_frames - 5); /* just pipe b: 5 frames */
	CHECK_EQ(write(a[1], "ok", 2), 2);
	CHECK_EQ(read(a[0], buf, sizeof(buf)), 2);
	CHECK(memcmp(buf, "ok", 2) == 0);
	CHECK_EQ(write(b[1], "b!", 2), 2);
	CHECK_EQ(read(b[0], buf, sizeof(buf)), 2);
	CHECK(memcmp(buf, "b!", 2) == 0);
	close(a[1]);
	CHECK_EQ(read(a[0], buf, sizeof(buf)), 0); /* our write end was the last */
	close(a[0]);
	errno = 0;
	CHECK_EQ(write(b[1], buf, 0), 0);
	close(b[0]);
	signal(SIGPIPE, SIG_IGN); /* EPIPE, not death (test_sigpipe has the signal) */
	errno = 0;
	CHECK_EQ(write(b[1], "x", 1), -1);
	CHECK_EQ(errno, EPIPE);
	close(b[1]);
	return test_status();
}
