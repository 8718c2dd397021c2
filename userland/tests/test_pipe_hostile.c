/*
 * A hostile pipe holder cannot hurt anyone else's pipe. The child holds both ends of
 * pipes a and b (inherited at fork); it scribbles over all of its data and bss (the
 * library's pipe and descriptor tables among them), then calls the kernel's pipe calls
 * on every slot it has with every garbage it can think of: huge and zero sizes, bad
 * buffers, the wrong end, non-blocking (then takes back the junk it wrote); it deletes its
 * own capabilities to the ends, and it makes pipes until it is refused. Afterwards the parent's pipes move bytes as before,
 * a gives end of file once the parent closes its own write end (the child could not take
 * the parent's ends away), and every frame the child's pipes cost is back.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pipe.h"
#include "syscall.h"
#include "testlib.h"

#define JUNK	     0xa5
#define SETTLE_POLLS 200
#define POLL_NS	     (10 * 1000000L)
#define NEW_SLOT     100 /* the child's pipes go from here up */
#define BAD_BUF	     16	 /* an address nothing maps */
#define HUGE_BYTES   (~0UL)

extern char __tls_base[], __bss_end[];

/* Every pipe call on slot s, each non-blocking: none may stop the caller. */
static void pound(long s, uint8_t *buf, unsigned len)
{
	static const uint64_t sizes[] = { 0, 1, 64, PIPE_ATOMIC + 1, PIPE_RING, HUGE_BYTES };
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t n = sizes[i] < len ? sizes[i] : len;
		SYSCALL_NB(pipe_write, s, (uintptr_t)buf, n);
		SYSCALL_NB(pipe_read, s, (uintptr_t)buf, n);
		SYSCALL_NB(pipe_write, s, BAD_BUF, sizes[i]);
		SYSCALL_NB(pipe_read, s, BAD_BUF, sizes[i]);
	}
}

/* Take back what we wrote into a pipe we share: junk in it would be ours to read. */
static void drain(long s, uint8_t *buf, unsigned len)
{
	while (SYSCALL_NB(pipe_read, s, (uintptr_t)buf, len) > 0)
		;
}

/* Only raw system calls from here on: the C library's state is junk. */
static void __attribute__((noinline)) attack(void)
{
	uint8_t buf[256];
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = JUNK;
	for (long s = 0; s < NEW_SLOT; s++)
		pound(s, buf, sizeof(buf));
	for (long s = 0; s < NEW_SLOT; s++)
		drain(s, buf, sizeof(buf));
	for (long s = SLOT_FIRST_FREE; s < NEW_SLOT; s++)
		if ((SYSCALL(cap_info, s) & 0xff) == OBJ_PIPE_READ ||
		    (SYSCALL(cap_info, s) & 0xff) == OBJ_PIPE_WRITE)
			SYSCALL(cap_delete, s);
	for (long s = NEW_SLOT; s + 1 < CSPACE_SLOTS; s += 2) {
		if (SYSCALL(pipe_create, SLOT_SELF, s, s + 1) != 0)
			SYSCALL(exit, 0, 0, 0); /* refused; its pipes go at its death */
		pound(s, buf, sizeof(buf));
		pound(s + 1, buf, sizeof(buf));
	}
	SYSCALL(exit, 0, 0, 0); /* out of slots first */
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
	CHECK_EQ(pipe(b), 0);
	memstat(&before);
	pid_t pid = fork();
	if (pid == 0)
		hostile_child();
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0); /* it was not stopped early */
	/*
	 * With several harts the last of its task may still be going on another one. Its
	 * pipes' rings are frames: each one that stayed would show here.
	 */
	for (int i = 0; i < SETTLE_POLLS; i++) {
		memstat(&after);
		if (after.free_frames == before.free_frames)
			break;
		nanosleep(&(struct timespec){ 0, POLL_NS }, 0);
	}
	CHECK_EQ(after.free_frames, before.free_frames); /* its pipes are gone */
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
	CHECK_FAILS(write(b[1], "x", 1), EPIPE);
	close(b[1]);
	return test_status();
}
