/* The IPC system calls: every message register loaded and stored in one place. */
#include "syscall.h"

long ipc(long nr, uint64_t slot, struct ipc_msg *m)
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
