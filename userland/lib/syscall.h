/*
 * System-call stubs. The numbers and argument counts come from SYSCALLS() in
 * kernel/abi/syscall.h, the same list the kernel's dispatch table is built from:
 * SYSCALL(map_anon, SLOT_SELF, va, pages, prot) fails to compile if map_anon does not
 * take exactly four arguments.
 */
#ifndef USER_SYSCALL_H
#define USER_SYSCALL_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/error.h"
#include "kernel/abi/ipc.h"
#include "kernel/abi/syscall.h"

enum sys_nargs {
#define SYS_NARGS(n, name, args, what) SYS_NARGS_##name = args,
	SYSCALLS(SYS_NARGS)
#undef SYS_NARGS
};

static inline long syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	register long r0 __asm__("a0") = a0;
	register long r1 __asm__("a1") = a1;
	register long r2 __asm__("a2") = a2;
	register long r3 __asm__("a3") = a3;
	register long r4 __asm__("a4") = a4;
	register long r5 __asm__("a5") = a5;
	register long r7 __asm__("a7") = nr;
	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1)
			 : "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r7)
			 : "memory");
	return r0;
}

/* Like syscall6, and also the value the kernel leaves in a1. */
static inline long syscall6_a1(long nr, long a0, long a1, long a2, long a3, long *out1)
{
	register long r0 __asm__("a0") = a0;
	register long r1 __asm__("a1") = a1;
	register long r2 __asm__("a2") = a2;
	register long r3 __asm__("a3") = a3;
	register long r7 __asm__("a7") = nr;
	__asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r3), "r"(r7) : "memory");
	*out1 = r1;
	return r0;
}

#define SYS_COUNT_(...)				  SYS_COUNT__(__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)
#define SYS_COUNT__(_0, a, b, c, d, e, f, n, ...) n
#define SYS_PAD_(nr, a, b, c, d, e, f, ...) \
	syscall6(nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

/* SYSCALL(name, args...): checked against the list, then an ecall. */
#define SYSCALL(name, ...)                                                       \
	({                                                                       \
		_Static_assert(SYS_COUNT_(0, ##__VA_ARGS__) == SYS_NARGS_##name, \
			       "wrong argument count for " #name);               \
		SYS_PAD_(SYS_##name, ##__VA_ARGS__, 0, 0, 0, 0, 0, 0);           \
	})

/* The same call, but failing with E_AGAIN instead of blocking. */
#define SYSCALL_NB(name, ...)                                                         \
	({                                                                            \
		_Static_assert(SYS_COUNT_(0, ##__VA_ARGS__) == SYS_NARGS_##name,      \
			       "wrong argument count for " #name);                    \
		SYS_PAD_(SYS_##name | SYS_NONBLOCK, ##__VA_ARGS__, 0, 0, 0, 0, 0, 0); \
	})

/*
 * The same calls as functions, one for each entry of SYSCALLS(): long sys_<name>(long a0,
 * ...) with the list's argument count. Arguments are longs: cast pointers, or use SYSCALL().
 */
#define SYS_PARAMS_0 void
#define SYS_PARAMS_1 long a0
#define SYS_PARAMS_2 long a0, long a1
#define SYS_PARAMS_3 long a0, long a1, long a2
#define SYS_PARAMS_4 long a0, long a1, long a2, long a3
#define SYS_PARAMS_5 long a0, long a1, long a2, long a3, long a4
#define SYS_PARAMS_6 long a0, long a1, long a2, long a3, long a4, long a5
#define SYS_ARGS_0   0, 0, 0, 0, 0, 0
#define SYS_ARGS_1   a0, 0, 0, 0, 0, 0
#define SYS_ARGS_2   a0, a1, 0, 0, 0, 0
#define SYS_ARGS_3   a0, a1, a2, 0, 0, 0
#define SYS_ARGS_4   a0, a1, a2, a3, 0, 0
#define SYS_ARGS_5   a0, a1, a2, a3, a4, 0
#define SYS_ARGS_6   a0, a1, a2, a3, a4, a5
#define SYS_STUB(n, name, args, what)                         \
	static inline long sys_##name(SYS_PARAMS_##args)      \
	{                                                     \
		return syscall6(SYS_##name, SYS_ARGS_##args); \
	}
SYSCALLS(SYS_STUB)
#undef SYS_STUB

#define PAGE_BYTES 4096UL

/* A message, as the IPC calls move it (kernel/abi/ipc.h has the register layout). */
struct ipc_msg {
	uint64_t tag; /* ipc_tag(label, words, len, cap) */
	uint64_t w[IPC_WORDS];
	uint64_t badge;	  /* out: the sender's badge */
	const void *sbuf; /* in: bytes to send (tag's len) */
	void *rbuf;	  /* in: where received bytes go */
	uint64_t rspec;	  /* in: ipc_recv_spec(capacity, slot); out: unchanged */
	uint64_t cap;	  /* in: slot of a capability to send */
};

/*
 * One IPC system call (send, recv, call, reply, reply_recv, each maybe | SYS_NONBLOCK):
 * every message register loaded and stored in this one place. Inline, so that a caller
 * pays for no call and no frame, and the compiler passes what it already holds in
 * registers instead of loading it back from the message.
 */
static inline __attribute__((always_inline)) long ipc(long nr, uint64_t slot, struct ipc_msg *m)
{
	register uint64_t a0 __asm__("a0") = slot;
	register uint64_t a1 __asm__("a1") = m->tag;
	register uint64_t a2 __asm__("a2") = m->w[0];
	register uint64_t a3 __asm__("a3") = m->w[1];
	register uint64_t a4 __asm__("a4") = m->w[2];
	register uint64_t a5 __asm__("a5") = m->w[3];
	register uint64_t a6 __asm__("a6") = m->w[4];
	register uint64_t t3 __asm__("t3") = m->w[5];
	register uint64_t t4 __asm__("t4") = m->w[6];
	register uint64_t t5 __asm__("t5") = m->w[7];
	register uint64_t t0 __asm__("t0") = (uint64_t)m->sbuf;
	register uint64_t t1 __asm__("t1") = (uint64_t)m->rbuf;
	register uint64_t t2 __asm__("t2") = m->rspec;
	register uint64_t t6 __asm__("t6") = m->cap;
	register long a7 __asm__("a7") = nr;
	__asm__ volatile("ecall"
			 : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(a6),
			   "+r"(t3), "+r"(t4), "+r"(t5), "+r"(t6), "+r"(t0), "+r"(t1), "+r"(t2)
			 : "r"(a7)
			 : "memory");
	m->tag = a1;
	m->w[0] = a2;
	m->w[1] = a3;
	m->w[2] = a4;
	m->w[3] = a5;
	m->w[4] = a6;
	m->w[5] = t3;
	m->w[6] = t4;
	m->w[7] = t5;
	m->badge = t6;
	return (long)a0;
}

/*
 * For a server, at start (libc_glue.c): make every page of its data and bss its own now,
 * one store per page. A page still shared with the program's file would otherwise be
 * copied at its first store, in the middle of a request: a frame taken then, which under
 * memory pressure may not be there (and the server would die of it).
 */
void own_data_pages(void);
/* Map bytes of the stack below the caller now (servers: see libc_glue.c). */
void own_stack_pages(size_t bytes);
#define SERVER_STACK_OWNED (64 * 1024) /* what a server's main thread may use */

static inline long ipc_send(uint64_t slot, struct ipc_msg *m)
{
	return ipc(SYS_send, slot, m);
}
static inline long ipc_recv(uint64_t slot, struct ipc_msg *m)
{
	return ipc(SYS_recv, slot, m);
}
static inline long ipc_call(uint64_t slot, struct ipc_msg *m)
{
	return ipc(SYS_call, slot, m);
}
static inline long ipc_reply(struct ipc_msg *m)
{
	return ipc(SYS_reply, 0, m);
}
static inline long ipc_reply_recv(uint64_t slot, struct ipc_msg *m)
{
	return ipc(SYS_reply_recv, slot, m);
}

/* The same without blocking: E_AGAIN when the other side is not waiting. */
static inline long ipc_send_nb(uint64_t slot, struct ipc_msg *m)
{
	return ipc(SYS_send | SYS_NONBLOCK, slot, m);
}
static inline long ipc_recv_nb(uint64_t slot, struct ipc_msg *m)
{
	return ipc(SYS_recv | SYS_NONBLOCK, slot, m);
}
static inline long ipc_call_nb(uint64_t slot, struct ipc_msg *m)
{
	return ipc(SYS_call | SYS_NONBLOCK, slot, m);
}
static inline long ipc_reply_recv_nb(uint64_t slot, struct ipc_msg *m)
{
	return ipc(SYS_reply_recv | SYS_NONBLOCK, slot, m);
}

#endif
