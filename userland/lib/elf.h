/* ELF64 as the loader reads it, and the named errors for malformed files. */
#ifndef USER_ELF_H
#define USER_ELF_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/elf.h"

#define ELF_MAX_DYN   64	  /* entries of PT_DYNAMIC the loader reads */
#define ELF_MAX_SEG   (1UL << 30) /* larger than any program we could hold: absurd */
#define ELF_MAX_PHDRS 16

struct elf64_dyn {
	int64_t tag;
	uint64_t val;
};

struct elf64_rela {
	uint64_t offset, info;
	int64_t addend;
};

/* What is wrong with a file: each malformation has its own name. */
enum elf_err {
	ELF_OK = 0,
	ELF_TRUNCATED = -100, /* shorter than its headers say */
	ELF_BAD_MAGIC = -101,
	ELF_BAD_CLASS = -102,	/* not 64-bit little endian */
	ELF_BAD_MACHINE = -103, /* not RISC-V */
	ELF_BAD_TYPE = -104,	/* not an executable or a position-independent one */
	ELF_BAD_PHDRS = -105,	/* program header table size or place */
	ELF_SEG_OUT_OF_FILE = -106,
	ELF_SEG_OVERLAP = -107,
	ELF_SEG_KERNEL = -108, /* a segment outside user space */
	ELF_SEG_SIZE = -109,   /* filesz > memsz, or an absurd size */
	ELF_BAD_ALIGN = -110,  /* offset and address disagree within a page */
	ELF_BAD_ENTRY = -111,  /* zero, or not in an executable segment */
	ELF_NO_SEGMENTS = -112,
	ELF_WX = -113,		      /* a segment both writable and executable */
	ELF_BAD_RELOC = -114,	      /* a relocation misaligned, or outside the file data */
	ELF_BAD_DYNAMIC = -115,	      /* PT_DYNAMIC or its relocation table malformed */
	ELF_BAD_BASE = -116,	      /* a base for a fixed-address program, or unaligned */
	ELF_BAD_DATA = -117,	      /* big endian */
	ELF_BAD_PHENTSIZE = -118,     /* program header entries of the wrong size */
	ELF_PHDRS_OUT_OF_FILE = -119, /* the program header table starts past the end */
	ELF_SEG_FILESZ = -120,	      /* a segment's file size above its memory size */
	ELF_ENTRY_ZERO = -121,	      /* entry point 0 */
	ELF_RELOC_TYPE = -122,	      /* a relocation type the loader does not apply */
	ELF_TEXT_RELOC = -123,	      /* a relocation in an executable segment */
};

/* R_RISCV_RELATIVE relocations of a position-independent file, checked by elf_check:
 * each 8-byte aligned, in a non-executable segment's file data. */
struct elf_relocs {
	const struct elf64_rela *rela;
	uint64_t count;
};

/* Check everything the loader relies on; ELF_OK or an enum elf_err. base: load bias. */
int elf_check(const void *file, size_t size, uint64_t base);
const char *elf_strerror(int err);
/* Its checked relocation table (count 0 if none): ELF_OK or an enum elf_err. */
int elf_relocs(const void *file, size_t size, struct elf_relocs *r);

#endif
