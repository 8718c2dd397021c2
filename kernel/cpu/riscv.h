/* RISC-V supervisor-mode CSRs, bits and causes: every number the kernel uses, named once. */
#ifndef KERNEL_RISCV_H
#define KERNEL_RISCV_H

#include <stdint.h>

#include "kernel/abi/fault.h"

/* sstatus */
#define SSTATUS_SIE  (1UL << 1)	 /* interrupts enabled in S-mode */
#define SSTATUS_SPIE (1UL << 5)	 /* SIE before the trap */
#define SSTATUS_SPP  (1UL << 8)	 /* trap came from S-mode (else U-mode) */
#define SSTATUS_FS   (3UL << 13) /* FPU state; kernel keeps it Off */
#define SSTATUS_SUM  (1UL << 18) /* S-mode may touch U pages: only in copy-in/out */
#define SSTATUS_MXR  (1UL << 19)

/* sie / sip */
#define IRQ_S_SOFT  1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT   9
#define SIE_SSIE    (1UL << IRQ_S_SOFT)
#define SIE_STIE    (1UL << IRQ_S_TIMER)
#define SIE_SEIE    (1UL << IRQ_S_EXT)

/* scause: bit 63 set for interrupts */
#define SCAUSE_INTR (1UL << 63)
/* The exception codes are the ABI's too (fault messages): kernel/abi/fault.h. */

/* satp */
#define SATP_MODE_SV39	(8UL << 60)
#define SATP_ASID_SHIFT 44
#define SATP_ASID_MASK	0xffffUL
#define SATP_PPN_MASK	((1UL << SATP_ASID_SHIFT) - 1)

/* scounteren: let user mode read the counters */
#define COUNTEREN_CY (1U << 0)
#define COUNTEREN_TM (1U << 1)
#define COUNTEREN_IR (1U << 2)

#define CSR_STIMECMP 0x14d /* Sstc */

#define csr_read(csr)                                           \
	({                                                      \
		uint64_t v__;                                   \
		__asm__ volatile("csrr %0, " #csr : "=r"(v__)); \
		v__;                                            \
	})
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" ::"rK"((uint64_t)(val)) : "memory")
#define csr_set(csr, val)   __asm__ volatile("csrs " #csr ", %0" ::"rK"((uint64_t)(val)) : "memory")
#define csr_clear(csr, val) __asm__ volatile("csrc " #csr ", %0" ::"rK"((uint64_t)(val)) : "memory")

static inline void sfence_vma_addr(uint64_t va)
{
	__asm__ volatile("sfence.vma %0, zero" ::"r"(va) : "memory");
}
static inline void sfence_vma_all(void)
{
	__asm__ volatile("sfence.vma" ::: "memory");
}
static inline void wfi(void)
{
	__asm__ volatile("wfi");
}
static inline uint64_t rdtime(void)
{
	return csr_read(time);
}
static inline uint64_t rdcycle(void)
{
	return csr_read(cycle);
}
static inline uint64_t rdinstret(void)
{
	return csr_read(instret);
}
static inline void irq_on(void)
{
	csr_set(sstatus, SSTATUS_SIE);
}
static inline void irq_off(void)
{
	csr_clear(sstatus, SSTATUS_SIE);
}

#endif
