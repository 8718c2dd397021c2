/*
 * Why a thread faulted: the RISC-V exception codes (scause), and one of the kernel's own
 * (FAULT_PAGE_GONE), as the kernel's fault
 * message carries them in w0 (LABEL_FAULT, LABEL_OOM in ipc.h; docs/ipc-caps.md). The
 * kernel's trap switch and a supervisor that maps causes to signals use the same names.
 */
#ifndef ABI_FAULT_H
#define ABI_FAULT_H

enum exc_cause {
	EXC_INSN_MISALIGNED = 0,
	EXC_INSN_ACCESS = 1,
	EXC_ILLEGAL_INSN = 2,
	EXC_BREAKPOINT = 3,
	EXC_LOAD_MISALIGNED = 4,
	EXC_LOAD_ACCESS = 5,
	EXC_STORE_MISALIGNED = 6,
	EXC_STORE_ACCESS = 7,
	EXC_ECALL_U = 8, /* a system call: never a fault message */
	EXC_ECALL_S = 9, /* the kernel's own SBI calls: never a fault message */
	EXC_INSN_PAGE_FAULT = 12,
	EXC_LOAD_PAGE_FAULT = 13,
	EXC_STORE_PAGE_FAULT = 15,
	/*
	 * Not an scause (the RISC-V codes stop below 64): a load, store or fetch touched a
	 * page its memory object no longer holds, because the object shrank (memobj_resize;
	 * a file truncated under a mapping). POSIX calls that a bus error.
	 */
	FAULT_PAGE_GONE = 64,
};

/*
 * A flag or'ed into a fault report's cause word, never part of a cause: the page is
 * mapped, but its protection forbids this access (POSIX's SEGV_ACCERR; clear for an
 * address nothing is mapped at, SEGV_MAPERR). FAULT_CAUSE_MASK keeps only the cause.
 */
#define FAULT_DENIED	 0x100
#define FAULT_CAUSE_MASK 0xff

#endif
