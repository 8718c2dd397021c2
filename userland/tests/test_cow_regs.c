/*
 * A copy-on-write store fault keeps every register. With one hart the kernel resolves it
 * without saving s0-s11 (kernel/cpu/trapvec.S, store_fault), relying on C to keep them,
 * and loads back only the others: a slip there would hand the thread a kernel value.
 * Each register is loaded with its own pattern, the store faults (a copy while the child
 * lives, a reuse after it exits), and every register must read back as it was.
 */
#include <stdint.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define PAGE  4096
#define NREGS 22 /* s0-s11, a0-a7, t0-t1; t5 and t6 carry the addresses */

/*
 * Load in[0..NREGS) into the registers, store one byte at in[NREGS] (an address), store
 * the registers into out[].
 */
static void store_keeping(const uint64_t *in, uint64_t *out)
{
	__asm__ volatile("mv t5, %0\n mv t6, %1\n"
			 "ld s0, 0(t6)\n ld s1, 8(t6)\n ld s2, 16(t6)\n ld s3, 24(t6)\n"
			 "ld s4, 32(t6)\n ld s5, 40(t6)\n ld s6, 48(t6)\n ld s7, 56(t6)\n"
			 "ld s8, 64(t6)\n ld s9, 72(t6)\n ld s10, 80(t6)\n ld s11, 88(t6)\n"
			 "ld a0, 96(t6)\n ld a1, 104(t6)\n ld a2, 112(t6)\n ld a3, 120(t6)\n"
			 "ld a4, 128(t6)\n ld a5, 136(t6)\n ld a6, 144(t6)\n ld a7, 152(t6)\n"
			 "ld t0, 160(t6)\n ld t1, 168(t6)\n"
			 "ld t6, 176(t6)\n" /* the address, last */
			 "sb s0, 0(t6)\n"   /* the faulting store */
			 "sd s0, 0(t5)\n sd s1, 8(t5)\n sd s2, 16(t5)\n sd s3, 24(t5)\n"
			 "sd s4, 32(t5)\n sd s5, 40(t5)\n sd s6, 48(t5)\n sd s7, 56(t5)\n"
			 "sd s8, 64(t5)\n sd s9, 72(t5)\n sd s10, 80(t5)\n sd s11, 88(t5)\n"
			 "sd a0, 96(t5)\n sd a1, 104(t5)\n sd a2, 112(t5)\n sd a3, 120(t5)\n"
			 "sd a4, 128(t5)\n sd a5, 136(t5)\n sd a6, 144(t5)\n sd a7, 152(t5)\n"
			 "sd t0, 160(t5)\n sd t1, 168(t5)\n"
			 :
			 : "r"(out), "r"(in)
			 : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
			   "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "t0", "t1", "t5", "t6",
			   "memory");
}

/* One faulting store at page; 1 if every register came back and the byte is there. */
static int registers_kept(volatile char *page, uint64_t seed)
{
	uint64_t in[NREGS + 1], out[NREGS];
	for (int i = 0; i < NREGS; i++) {
		in[i] = seed * 0x9e3779b97f4a7c15ULL + (uint64_t)i * 0x0101010101010101ULL;
		out[i] = 0;
	}
	in[NREGS] = (uint64_t)(uintptr_t)page;
	store_keeping(in, out);
	int same = 1;
	for (int i = 0; i < NREGS; i++)
		if (out[i] != in[i]) {
			printf("  register %d: %lx, was %lx\n", i, (unsigned long)out[i],
			       (unsigned long)in[i]);
			same = 0;
		}
	return same && *page == (char)in[0];
}

int main(void)
{
	volatile char *pages =
		mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(pages != MAP_FAILED);
	if (pages == MAP_FAILED)
		return test_status();
	pages[0] = pages[PAGE] = 1;
	struct memstat a, b;
	int status = -1;
	int fds[2];
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) { /* holds the pages until the parent closes the pipe */
		char c;
		close(fds[1]);
		(void)read(fds[0], &c, 1);
		_exit(0);
	}
	CHECK(pid > 0);
	close(fds[0]);
	memstat(&a);
	CHECK(registers_kept(pages, 1)); /* the child holds the page: a copy */
	memstat(&b);
	CHECK_EQ(b.cow_copies - a.cow_copies, 1);
	close(fds[1]);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	memstat(&a);
	CHECK(registers_kept(pages + PAGE, 2)); /* the child is gone: a reuse */
	memstat(&b);
	CHECK_EQ(b.cow_reuses - a.cow_reuses, 1);
	return test_status();
}
