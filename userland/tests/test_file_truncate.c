/*
 * After a file shrinks, a page wholly past the end is gone from every mapping: a touch
 * gives SIGBUS (POSIX mmap), in the parent and in a child forked before the shrink,
 * shared or read-shared private; a page a private mapping already copied stays its own.
 * The frames go back; when the file grows again the pages come back as zeros through the
 * same mappings. The partial last page reads zeros past the end, and a mapping made past
 * the end from the start gives SIGBUS too. The kernel call underneath (memobj_resize) is
 * checked directly on an object of our own: its errors, its frames, its SIGBUS.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "testutil.h"

#define PAGE	 4096
#define MAP_VA	 0x3100000000UL /* where the raw object is mapped */
#define FILE_NAM "/tmp/trunc_test"

static sigjmp_buf jb;
static volatile int bus_seen;

/* How a child that touches addr (a store if write) ends: its signal, or 0 if it lived. */
static int touch_dies_of(volatile char *addr, int write)
{
	int st = -1;
	pid_t pid = fork();
	if (pid == 0) {
		if (write)
			*addr = 1;
		else
			(void)*addr;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
}

static void on_bus(int sig)
{
	bus_seen = sig;
	siglongjmp(jb, 1);
}

/* A load from addr in this process, with a SIGBUS handler: 1 if it raised SIGBUS. */
static int touch_here_bus(volatile char *addr)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_bus;
	sigaction(SIGBUS, &sa, &old);
	bus_seen = 0;
	if (sigsetjmp(jb, 1) == 0)
		(void)*addr;
	sigaction(SIGBUS, &old, 0);
	return bus_seen == SIGBUS;
}

static uint64_t free_frames(void)
{
	struct memstat m;
	memstat(&m);
	return m.free_frames;
}

/* A file of n pages, page i filled with 'a' + i. */
static int make_file(int n)
{
	char b[PAGE];
	int fd = open(FILE_NAM, O_RDWR | O_CREAT | O_TRUNC, 0600);
	for (int i = 0; fd >= 0 && i < n; i++) {
		memset(b, 'a' + i, PAGE);
		if (write(fd, b, PAGE) != PAGE)
			return -1;
	}
	return fd;
}

/* Shared in parent and a child forked before the shrink; private pages; the frames. */
static void shrink_under_mappings(void)
{
	int fd = make_file(4), go[2];
	CHECK(fd >= 0 && pipe(go) == 0);
	volatile char *s = mmap(0, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	volatile char *p = mmap(0, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(s != MAP_FAILED && p != MAP_FAILED);
	if (fd < 0 || s == MAP_FAILED || p == MAP_FAILED)
		return;
	CHECK_EQ(s[3 * PAGE], 'd');
	p[2 * PAGE] = 'P'; /* page 2 of the private mapping is its own from here */
	CHECK_EQ(p[3 * PAGE], 'd');
	pid_t early = fork();
	if (early == 0) { /* mapped it before the shrink, touches after it */
		char c;
		close(go[1]);
		if (read(go[0], &c, 1) != 1 || s[0] != 'a')
			_exit(2);
		(void)s[3 * PAGE];
		_exit(0); /* must not get here */
	}
	close(go[0]);
	uint64_t before = free_frames();
	CHECK_EQ(ftruncate(fd, PAGE), 0);
	/* Pages 1-3 went back from the file, the server and every mapper (shared and private). */
	CHECK((long)free_frames() - (long)before >= 3);
	CHECK_EQ(write(go[1], "x", 1), 1);
	int st = -1;
	CHECK(waitpid(early, &st, 0) == early && WIFSIGNALED(st));
	CHECK_EQ(WTERMSIG(st), SIGBUS);
	close(go[1]);
	CHECK_EQ(s[0], 'a'); /* the page that is left */
	CHECK_EQ(touch_dies_of(&s[3 * PAGE], 0), SIGBUS);
	CHECK_EQ(touch_dies_of(&s[PAGE], 1), SIGBUS);
	CHECK_EQ(touch_dies_of(&p[3 * PAGE], 0), SIGBUS); /* read-shared private page */
	CHECK_EQ(p[2 * PAGE], 'P');			  /* its own copy stays (as Linux) */
	CHECK(touch_here_bus(&s[3 * PAGE]));
	CHECK(touch_here_bus(&p[PAGE]));
	/* Grown again: the same mappings see zero pages, and stores reach the file. */
	CHECK_EQ(ftruncate(fd, 4 * PAGE), 0);
	CHECK_EQ(s[3 * PAGE], 0);
	CHECK_EQ(p[PAGE], 0);
	CHECK_EQ(touch_dies_of(&s[3 * PAGE], 1), 0);
	s[3 * PAGE + 5] = 'z';
	char c = 0;
	CHECK_EQ(pread(fd, &c, 1, 3 * PAGE + 5), 1);
	CHECK_EQ(c, 'z');
	CHECK_EQ(pread(fd, &c, 1, PAGE), 1);
	CHECK_EQ(c, 0);
	munmap((void *)s, 4 * PAGE);
	munmap((void *)p, 4 * PAGE);
	close(fd);
	unlink(FILE_NAM);
}

/* The partial last page reads zeros past the end; a mapping past the end is SIGBUS. */
static void partial_and_past_end(void)
{
	int fd = make_file(3);
	volatile char *s = mmap(0, 3 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(fd >= 0 && s != MAP_FAILED);
	if (fd < 0 || s == MAP_FAILED)
		return;
	CHECK_EQ(ftruncate(fd, PAGE + 100), 0);
	CHECK_EQ(s[PAGE + 99], 'b');
	CHECK_EQ(s[PAGE + 100], 0);
	CHECK_EQ(s[2 * PAGE - 1], 0);
	CHECK_EQ(touch_dies_of(&s[2 * PAGE], 0), SIGBUS);
	/* Mapped past the end from the start: 4 pages of a file of 1 page and 100 bytes. */
	volatile char *m = mmap(0, 4 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(m != MAP_FAILED);
	if (m != MAP_FAILED) {
		CHECK_EQ(m[PAGE + 99], 'b');
		CHECK_EQ(touch_dies_of(&m[2 * PAGE], 0), SIGBUS);
		CHECK_EQ(touch_dies_of(&m[3 * PAGE], 0), SIGBUS);
		munmap((void *)m, 4 * PAGE);
	}
	munmap((void *)s, 3 * PAGE);
	close(fd);
	unlink(FILE_NAM);
}

/* memobj_resize on an object of our own: checks first, frames back, SIGBUS, zeros again. */
static void raw_resize(void)
{
	long o = slot_alloc(), ro = slot_alloc();
	CHECK(o >= 0 && ro >= 0);
	CHECK_EQ(SYSCALL(obj_create, SLOT_SELF, OBJ_MEMORY, o, 4), 0);
	CHECK_EQ(SYSCALL(map, SLOT_SELF, o, MAP_VA, 0, 4,
			 MAP_PROT_READ | MAP_PROT_WRITE | MAP_KIND_SHARED),
		 0);
	volatile char *v = (volatile char *)MAP_VA;
	v[3 * PAGE] = 7;
	/* What a file's mapper holds: read, write, exec, grant, but not the owner's control. */
	CHECK_EQ(SYSCALL(cap_copy, o, ro, CAP_READ | CAP_WRITE | CAP_EXEC | CAP_GRANT), 0);
	CHECK_EQ(SYSCALL(memobj_resize, ro, 1), E_RIGHTS);
	CHECK_EQ(SYSCALL(memobj_resize, o, 5), E_RANGE);
	CHECK_EQ(SYSCALL(memobj_resize, SLOT_SELF, 1), E_TYPE);
	CHECK_EQ(v[3 * PAGE], 7); /* the refused calls changed nothing */
	uint64_t before = free_frames();
	CHECK_EQ(SYSCALL(memobj_resize, o, 1), 0);
	CHECK_EQ((long)free_frames() - (long)before, 3);
	CHECK_EQ(touch_dies_of(&v[3 * PAGE], 0), SIGBUS);
	CHECK_EQ(touch_dies_of(&v[PAGE], 1), SIGBUS);
	CHECK(touch_here_bus(&v[2 * PAGE]));
	CHECK_EQ(SYSCALL(memobj_resize, o, 4), 0);
	CHECK_EQ(v[3 * PAGE], 0);
	v[PAGE] = 9;
	CHECK_EQ(v[PAGE], 9);
	CHECK_EQ(SYSCALL(unmap, SLOT_SELF, MAP_VA, 4), 0);
	SYSCALL(cap_delete, ro);
	SYSCALL(cap_delete, o);
}

/* The stack grows on first touch: map the pages the tests use before counting frames. */
static __attribute__((noinline)) int touch_stack(void)
{
	volatile char buf[32 * 1024];
	for (unsigned i = 0; i < sizeof(buf); i += 2048)
		buf[i] = 1;
	return buf[0];
}

int main(void)
{
	/* Our data pages may be the file's until a first store (a refused call sets errno,
	 * a file call fills a table): make them ours before counting frames. */
	own_data_pages();
	touch_stack();
	uint64_t start = free_frames();
	raw_resize();
	shrink_under_mappings();
	partial_and_past_end();
	/* Everything above went back (the server's tables and slots it had already). */
	CHECK((long)start - (long)free_frames() <= 2);
	return test_status();
}
