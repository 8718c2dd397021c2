/* ELF checks: every field the loader will trust is checked here first. */
#include "elf.h"

#include "kernel/abi/ipc.h"

#define PAGE 4096UL

static int check_header(const struct elf64_ehdr *h, size_t size)
{
	if (size < sizeof(*h))
		return ELF_TRUNCATED;
	if (h->magic != ELF_MAGIC)
		return ELF_BAD_MAGIC;
	if (h->class != ELF_CLASS64 || h->data != ELF_DATA_LE)
		return ELF_BAD_CLASS;
	if (h->machine != ELF_EM_RISCV)
		return ELF_BAD_MACHINE;
	if (h->type != ELF_ET_EXEC && h->type != ELF_ET_DYN)
		return ELF_BAD_TYPE;
	if (h->phentsize != sizeof(struct elf64_phdr) || h->phnum == 0 || h->phnum > ELF_MAX_PHDRS)
		return ELF_BAD_PHDRS;
	if (h->phoff > size || h->phnum * sizeof(struct elf64_phdr) > size - h->phoff)
		return ELF_BAD_PHDRS;
	return ELF_OK;
}

static int check_segment(const struct elf64_phdr *p, size_t size, uint64_t base)
{
	if (p->filesz > p->memsz || p->memsz > ELF_MAX_SEG || p->memsz == 0)
		return ELF_SEG_SIZE;
	if (p->offset > size || p->filesz > size - p->offset)
		return ELF_SEG_OUT_OF_FILE;
	if (p->offset % PAGE != p->vaddr % PAGE)
		return ELF_BAD_ALIGN;
	uint64_t start = base + p->vaddr;
	if (start < base || start < USER_VA_MIN || start >= USER_VA_MAX ||
	    p->memsz > USER_VA_MAX - start)
		return ELF_SEG_KERNEL;
	if ((p->flags & ELF_PF_W) && (p->flags & ELF_PF_X))
		return ELF_WX;
	return ELF_OK;
}

/* Segments may not share a page: each page gets one segment's permissions. */
static int overlaps(const struct elf64_phdr *a, const struct elf64_phdr *b)
{
	uint64_t a0 = a->vaddr & ~(PAGE - 1), a1 = (a->vaddr + a->memsz + PAGE - 1) & ~(PAGE - 1);
	uint64_t b0 = b->vaddr & ~(PAGE - 1), b1 = (b->vaddr + b->memsz + PAGE - 1) & ~(PAGE - 1);
	return a0 < b1 && b0 < a1;
}

int elf_check(const void *file, size_t size, uint64_t base)
{
	const struct elf64_ehdr *h = file;
	int err = check_header(h, size), nload = 0, entry_ok = 0;
	if (err)
		return err;
	const struct elf64_phdr *ph = (const void *)((const char *)file + h->phoff);
	for (unsigned i = 0; i < h->phnum; i++) {
		if (ph[i].type != ELF_PT_LOAD)
			continue;
		if ((err = check_segment(&ph[i], size, base)))
			return err;
		for (unsigned j = 0; j < i; j++)
			if (ph[j].type == ELF_PT_LOAD && overlaps(&ph[i], &ph[j]))
				return ELF_SEG_OVERLAP;
		nload++;
		if ((ph[i].flags & ELF_PF_X) && h->entry >= ph[i].vaddr &&
		    h->entry - ph[i].vaddr < ph[i].memsz)
			entry_ok = 1;
	}
	if (!nload)
		return ELF_NO_SEGMENTS;
	return h->entry && entry_ok ? ELF_OK : ELF_BAD_ENTRY;
}

const char *elf_strerror(int err)
{
	switch (err) {
	case ELF_OK:
		return "ok";
	case ELF_TRUNCATED:
		return "truncated";
	case ELF_BAD_MAGIC:
		return "bad magic";
	case ELF_BAD_CLASS:
		return "not ELF64 little endian";
	case ELF_BAD_MACHINE:
		return "not RISC-V";
	case ELF_BAD_TYPE:
		return "not an executable";
	case ELF_BAD_PHDRS:
		return "bad program headers";
	case ELF_SEG_OUT_OF_FILE:
		return "segment outside the file";
	case ELF_SEG_OVERLAP:
		return "segments overlap";
	case ELF_SEG_KERNEL:
		return "segment outside user space";
	case ELF_SEG_SIZE:
		return "absurd segment size";
	case ELF_BAD_ALIGN:
		return "segment misaligned";
	case ELF_BAD_ENTRY:
		return "bad entry point";
	case ELF_NO_SEGMENTS:
		return "no loadable segment";
	case ELF_WX:
		return "segment writable and executable";
	default:
		return "unknown error";
	}
}
