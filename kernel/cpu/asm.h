/* Constants shared by assembly and C. Keep in step with vm/pte.h and vm/vm.h (a C test checks). */
#ifndef KERNEL_ASM_H
#define KERNEL_ASM_H

#define PAGE_SHIFT	      12
#define PAGE_SIZE	      4096
#define GIGA_SHIFT	      30
#define GIGA_MASK	      0x3fffffff
#define GIGA_PTE_PPN_SHIFT    28 /* (gigabyte number << 30) >> 12 << 10 */
#define IMAGE_TEXT_OFFSET     0x200000
#define IMAGE_VERSION	      0x2
#define SATP_SV39	      (8 << 60)
#define KERNEL_VBASE_PT_INDEX 510 /* root index of 0xffffffff80000000 */
#define DIRECT_MAP_PT_INDEX   256 /* root index of 0xffffffc000000000 */
#define BOOT_STACK_SIZE	      16384
/* V=1 R=2 W=4 X=8 G=0x20 A=0x40 D=0x80 */
#define BOOT_PTE_RX	      0x4b
#define BOOT_PTE_RW	      0xe7
#define BOOT_PTE_RWX	      0xef

/* struct hart offsets (kernel/cpu/hart.h; checked by a static assert in trap.c). */
#define HART_KERNEL_SP	 8
#define HART_HARTID	 16
#define HART_PROBE_FIXUP 48
#define HART_SIZE	 216
#define HART_SLOTS	 8    /* MAX_HARTS */
#define E_FAULT_VALUE	 (-3) /* E_FAULT in kernel/abi/error.h */

/* scause values trapvec.S tells apart (enum exc_cause in kernel/abi/fault.h; trap.c checks). */
#define EXC_ECALL_U_VALUE	   8
#define EXC_STORE_PAGE_FAULT_VALUE 15

/* sstatus bits cleared on entry to user mode (kernel/cpu/riscv.h names them; trap.c checks). */
#define USER_SSTATUS_CLEAR 0x46102 /* SIE | SPP | FS | SUM: to U-mode, no FPU, no SUM */

#endif
