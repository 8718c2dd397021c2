/*
 * The ELF64 format as the kernel (loading init) and the user-space loader read it: one
 * definition for both. The loader's own limits and error names are in userland/lib/elf.h.
 */
#ifndef ABI_ELF_H
#define ABI_ELF_H

#include <stdint.h>

#define ELF_MAGIC      0x464c457fu /* "\x7fELF" little endian */
#define ELF_CLASS64    2
#define ELF_DATA_LE    1
#define ELF_ET_EXEC    2
#define ELF_ET_DYN     3
#define ELF_EM_RISCV   243
#define ELF_PT_LOAD    1
#define ELF_PT_DYNAMIC 2
#define ELF_DT_NULL    0
#define ELF_DT_RELA    7
#define ELF_DT_RELASZ  8
#define ELF_DT_RELAENT 9
#define ELF_R_NONE     0
#define ELF_R_RELATIVE 3 /* R_RISCV_RELATIVE: *where = base + addend */
#define ELF_PF_X       1
#define ELF_PF_W       2
#define ELF_PF_R       4

/* Types the loader does not apply and refuses by name (ELF_RELOC_TYPE, docs/loader.md). */
#define ELF_R_64	  2 /* R_RISCV_64: symbol + addend (a static PIE has no symbols) */
#define ELF_R_JUMP_SLOT	  5
#define ELF_R_TLS_TPREL64 11

struct elf64_ehdr {
	uint32_t magic;
	uint8_t class, data, version, osabi, pad[8];
	uint16_t type, machine;
	uint32_t version2;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#endif
