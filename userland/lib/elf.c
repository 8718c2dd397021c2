/* ELF checks: every field the loader will trust is checked here first. */
#include "elf.h"

#include "kernel/abi/ipc.h"

#define PAGE	     4096UL
#define WORD	     8UL
#define R_TYPE(info) ((info)&0xffffffffu)

static int check_header(const struct elf64_ehdr *h, size_t size)
{
	if (size < sizeof(*h))
		return ELF_TRUNCATED;
	if (h->magic != ELF_MAGIC)
		return ELF_BAD_MAGIC;
	if (h->class != ELF_CLASS64)
		return ELF_BAD_CLASS;
	if (h->data != ELF_DATA_LE)
		return ELF_BAD_DATA;
	if (h->machine != ELF_EM_RISCV)
		return ELF_BAD_MACHINE;
	if (h->type != ELF_ET_EXEC && h->type != ELF_ET_DYN)
		return ELF_BAD_TYPE;
	if (h->phentsize != sizeof(struct elf64_phdr))
		return ELF_BAD_PHENTSIZE;
	if (h->phnum == 0 || h->phnum > ELF_MAX_PHDRS || h->phoff % WORD)
		return ELF_BAD_PHDRS;
	if (h->phoff >= size)
		return ELF_PHDRS_OUT_OF_FILE;
	if (h->phnum * sizeof(struct elf64_phdr) > size - h->phoff)
		return ELF_TRUNCATED;
	return ELF_OK;
}

static int check_segment(const struct elf64_phdr *p, size_t size, uint64_t base)
{
	if (p->filesz > p->memsz)
		return ELF_SEG_FILESZ;
	if (p->memsz > ELF_MAX_SEG || p->memsz == 0)
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

static const struct elf64_phdr *phdrs(const void *file)
{
	const struct elf64_ehdr *h = file;
	return (const void *)((const char *)file + h->phoff);
}

/* The loadable segment holding file data [va, va + len), or 0. */
static const struct elf64_phdr *seg_of(const void *file, uint64_t va, uint64_t len)
{
	const struct elf64_ehdr *h = file;
	const struct elf64_phdr *ph = phdrs(file);
	for (unsigned i = 0; i < h->phnum; i++)
		if (ph[i].type == ELF_PT_LOAD && va >= ph[i].vaddr && len <= ph[i].filesz &&
		    va - ph[i].vaddr <= ph[i].filesz - len)
			return &ph[i];
	return 0;
}

static int check_segments(const void *file, size_t size, uint64_t base)
{
	const struct elf64_ehdr *h = file;
	const struct elf64_phdr *ph = phdrs(file);
	int err, nload = 0, entry_ok = 0;
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
	if (!h->entry)
		return ELF_ENTRY_ZERO;
	return entry_ok ? ELF_OK : ELF_BAD_ENTRY;
}

/* The dynamic table's DT_RELA, DT_RELASZ, DT_RELAENT (0 if absent). */
static int read_dynamic(const void *file, const struct elf64_phdr *d, uint64_t v[3])
{
	const struct elf64_dyn *dyn = (const void *)((const char *)file + d->offset);
	uint64_t n = d->filesz / sizeof(*dyn);
	v[0] = v[1] = v[2] = 0;
	if (d->offset % WORD)
		return ELF_BAD_DYNAMIC;
	for (uint64_t i = 0; i < n && i < ELF_MAX_DYN; i++) {
		if (dyn[i].tag == ELF_DT_NULL)
			return ELF_OK;
		if (dyn[i].tag >= ELF_DT_RELA && dyn[i].tag <= ELF_DT_RELAENT)
			v[dyn[i].tag - ELF_DT_RELA] = dyn[i].val;
	}
	return ELF_BAD_DYNAMIC; /* no DT_NULL where the loader looks */
}

/*
 * Only R_RISCV_RELATIVE is applied (and R_RISCV_NONE skipped): a static PIE has no symbols
 * to bind, so anything else (R_RISCV_64 against a symbol, JUMP_SLOT, TLS_TPREL64...)
 * means a file built some other way, and guessing its meaning would load it wrong. Text
 * is never relocated, so that every instance maps the same text frames; read-only data
 * may be (its page is then private, built by the loader, still read-only).
 */
static int check_rela(const void *file, const struct elf64_rela *r)
{
	const struct elf64_phdr *s;
	if (R_TYPE(r->info) == ELF_R_NONE)
		return ELF_OK;
	if (R_TYPE(r->info) != ELF_R_RELATIVE)
		return ELF_RELOC_TYPE;
	if (r->offset % WORD || !(s = seg_of(file, r->offset, WORD)))
		return ELF_BAD_RELOC;
	return (s->flags & ELF_PF_X) ? ELF_TEXT_RELOC : ELF_OK;
}

int elf_relocs(const void *file, size_t size, struct elf_relocs *r)
{
	const struct elf64_ehdr *h = file;
	const struct elf64_phdr *ph = phdrs(file), *d = 0, *s;
	uint64_t v[3];
	r->rela = 0;
	r->count = 0;
	for (unsigned i = 0; i < h->phnum; i++)
		if (ph[i].type == ELF_PT_DYNAMIC)
			d = &ph[i];
	if (!d || h->type != ELF_ET_DYN)
		return ELF_OK;
	if (d->offset > size || d->filesz > size - d->offset)
		return ELF_BAD_DYNAMIC;
	int err = read_dynamic(file, d, v);
	if (err || v[1] == 0)
		return err;
	if (v[2] != sizeof(struct elf64_rela) || v[1] % v[2] || !(s = seg_of(file, v[0], v[1])) ||
	    (s->offset + (v[0] - s->vaddr)) % WORD)
		return ELF_BAD_DYNAMIC;
	r->rela = (const void *)((const char *)file + s->offset + (v[0] - s->vaddr));
	r->count = v[1] / v[2];
	for (uint64_t i = 0; i < r->count; i++)
		if ((err = check_rela(file, &r->rela[i])))
			return err;
	return ELF_OK;
}

int elf_check(const void *file, size_t size, uint64_t base)
{
	const struct elf64_ehdr *h = file;
	struct elf_relocs r;
	int err = check_header(h, size);
	if (err)
		return err;
	if (base % PAGE || (base && h->type != ELF_ET_DYN))
		return ELF_BAD_BASE;
	if ((err = check_segments(file, size, base)))
		return err;
	return elf_relocs(file, size, &r);
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
		return "not ELF64";
	case ELF_BAD_DATA:
		return "not little endian";
	case ELF_BAD_MACHINE:
		return "not RISC-V";
	case ELF_BAD_TYPE:
		return "not an executable";
	case ELF_BAD_PHENTSIZE:
		return "wrong program header size";
	case ELF_BAD_PHDRS:
		return "bad program header count";
	case ELF_PHDRS_OUT_OF_FILE:
		return "program headers outside the file";
	case ELF_SEG_OUT_OF_FILE:
		return "segment outside the file";
	case ELF_SEG_OVERLAP:
		return "segments overlap";
	case ELF_SEG_KERNEL:
		return "segment outside user space";
	case ELF_SEG_FILESZ:
		return "segment file size above memory size";
	case ELF_SEG_SIZE:
		return "absurd segment size";
	case ELF_BAD_ALIGN:
		return "segment misaligned";
	case ELF_ENTRY_ZERO:
		return "entry point 0";
	case ELF_BAD_ENTRY:
		return "entry point not in an executable segment";
	case ELF_NO_SEGMENTS:
		return "no loadable segment";
	case ELF_WX:
		return "segment writable and executable";
	case ELF_BAD_RELOC:
		return "bad relocation";
	case ELF_RELOC_TYPE:
		return "unsupported relocation type";
	case ELF_TEXT_RELOC:
		return "relocation in text";
	case ELF_BAD_DYNAMIC:
		return "bad dynamic section";
	case ELF_BAD_BASE:
		return "bad load base";
	default:
		return "unknown error";
	}
}
