/*
 * The loader's core (load.h): each PT_LOAD segment mapped page by page into the target
 * task, the stack built, nothing started. Every field used was checked by elf_check.
 */
#include "load.h"

#include <string.h>

#include "elf.h"
#include "taskspawn.h"
#include "syscall.h"

#define PAGE		 4096UL
#define PAGE_OF(x)	 ((x) & ~(PAGE - 1))
#define PAGE_UP(x)	 (((x) + PAGE - 1) & ~(PAGE - 1))
#define LOAD_STACK_WORDS (SPAWN_ARGS_MAX + 3 + LOAD_AUX_MAX + 2)
/* The stack's top pages that take the arguments: a full message of strings
 * (IPC_BUF_MAX) and the words that point at them need two. */
#define ARGS_PAGES	 2
#define ARGS_BASE	 (USER_STACK_TOP - ARGS_PAGES * PAGE)

static uint32_t seg_prot(uint32_t pf)
{
	return ((pf & ELF_PF_R) ? MAP_PROT_READ : 0) | ((pf & ELF_PF_W) ? MAP_PROT_WRITE : 0) |
	       ((pf & ELF_PF_X) ? MAP_PROT_EXEC : 0);
}

/*
 * Open one private page for the child: a one-page memory object (the child pays for it)
 * in our scratch slot, mapped at our scratch page for us to fill. The kernel made it
 * zero, so only what differs from zero is written (a byte-wise memset and a staging copy
 * cost a spawn 40,000). 0 or an error.
 */
static int child_page_open(long task, const struct load_scratch *s)
{
	long err = SYSCALL(obj_create, task, OBJ_MEMORY, s->slot, 1);
	if (!err)
		err = SYSCALL(map, SLOT_SELF, s->slot, s->va, 0, 1,
			      MAP_PROT_READ | MAP_PROT_WRITE | MAP_KIND_SHARED);
	if (err)
		SYSCALL(cap_delete, s->slot);
	return (int)err;
}

/*
 * Map the filled page write-copy into the child at va. Our capability goes: the child's
 * mapping keeps the frame, and its first write will find it unshared.
 */
static int child_page_close(long task, const struct load_scratch *s, uint64_t va, uint32_t prot)
{
	SYSCALL(unmap, SLOT_SELF, s->va, 1);
	long err = SYSCALL(map, task, s->slot, va, 0, 1, prot | MAP_KIND_COPY);
	SYSCALL(cap_delete, s->slot);
	return (int)err;
}

/* Copy n bytes by doublewords where both ends allow it (the C library's copy goes by bytes). */
static void copy_fast(void *dst, const void *src, size_t n)
{
	uint64_t *d = dst;
	const uint64_t *s = src;
	if (((uintptr_t)dst | (uintptr_t)src) % sizeof(uint64_t) == 0)
		for (; n >= sizeof(uint64_t); n -= sizeof(uint64_t))
			*d++ = *s++;
	memcpy(d, s, n);
}

/* One load: the task, the bias, the relocations and a run of file pages not yet mapped. */
struct loader {
	long task;
	const struct load_image *img;
	const struct load_scratch *scratch;
	uint64_t base;
	struct elf_relocs rel;
	unsigned reloc_pages;
	uint64_t run_va, run_fpage, run_n; /* link address, object page, pages */
	uint32_t run_prot;
};

/* Map the pending run of file pages write-copy, as they are in the object. */
static int flush_run(struct loader *l)
{
	if (l->run_n == 0)
		return 0;
	long err = SYSCALL(map, l->task, l->img->slot, l->base + l->run_va, l->run_fpage, l->run_n,
			   l->run_prot | MAP_KIND_COPY);
	l->run_n = 0;
	return (int)err;
}

static int add_run(struct loader *l, uint64_t va, uint64_t fpage, uint32_t prot)
{
	if (l->run_n && (l->run_va + l->run_n * PAGE != va || l->run_prot != prot ||
			 l->run_fpage + l->run_n != fpage)) {
		int err = flush_run(l);
		if (err)
			return err;
	}
	if (l->run_n == 0) {
		l->run_va = va;
		l->run_fpage = fpage;
		l->run_prot = prot;
	}
	l->run_n++;
	return 0;
}

static int is_relative(const struct elf64_rela *r)
{
	return (r->info & 0xffffffffu) == ELF_R_RELATIVE;
}

/* Does a relocation write the page at link address pv? Never at the link address itself. */
static int page_relocated(const struct loader *l, uint64_t pv)
{
	for (uint64_t i = 0; l->base && i < l->rel.count; i++)
		if (is_relative(&l->rel.rela[i]) && PAGE_OF(l->rel.rela[i].offset) == pv)
			return 1;
	return 0;
}

/* A page of its own for the child: len bytes of the file from foff, relocated, zero after. */
static int private_page(struct loader *l, uint64_t pv, uint64_t foff, uint64_t len, uint32_t prot)
{
	char *page = (char *)l->scratch->va;
	int err = child_page_open(l->task, l->scratch);
	if (err)
		return err;
	copy_fast(page, l->img->file + foff, len);
	for (uint64_t i = 0; l->base && i < l->rel.count; i++) {
		const struct elf64_rela *r = &l->rel.rela[i];
		if (is_relative(r) && PAGE_OF(r->offset) == pv) {
			uint64_t v = l->base + (uint64_t)r->addend;
			memcpy(page + (r->offset - pv), &v, sizeof(v));
		}
	}
	return child_page_close(l->task, l->scratch, l->base + pv, prot);
}

/*
 * One PT_LOAD segment, page by page: file pages are mapped write-copy from the object
 * (shared until written); a page that relocations write, or where file data ends and
 * writable data or bss follows, is a private copy; the rest of bss is fresh zero pages.
 */
static int load_segment(struct loader *l, const struct elf64_phdr *p)
{
	uint32_t prot = seg_prot(p->flags);
	uint64_t first = PAGE_OF(p->vaddr), fend = p->vaddr + p->filesz;
	uint64_t end = PAGE_UP(p->vaddr + p->memsz), pv = first;
	int tail_private = (p->flags & ELF_PF_W) || p->memsz > p->filesz, err = 0;
	for (; pv < end && pv < fend && !err; pv += PAGE) {
		uint64_t foff = PAGE_OF(p->offset) + (pv - first);
		int partial = fend - pv < PAGE && tail_private, reloc = page_relocated(l, pv);
		if (!partial && !reloc) {
			err = add_run(l, pv, l->img->fpage + foff / PAGE, prot);
			continue;
		}
		l->reloc_pages += reloc && !partial;
		err = flush_run(l);
		if (!err)
			err = private_page(l, pv, foff, partial ? fend - pv : PAGE, prot);
	}
	if (!err)
		err = flush_run(l);
	if (!err && pv < end)
		err = (int)SYSCALL(map_anon, l->task, l->base + pv, (end - pv) / PAGE, prot);
	return err;
}

static size_t count_strings(char *const *list)
{
	size_t n = 0;
	while (list && list[n])
		n++;
	return n;
}

/* Put the strings of list at the top of area (below *str), their addresses in words;
 * room bytes under them stay free for the words. */
static int put_strings(char *area, uint64_t *str, char *const *list, uint64_t *words, int *n,
		       size_t room)
{
	for (int i = 0; list && list[i]; i++, (*n)++) {
		size_t len = strlen(list[i]) + 1;
		if (*n >= SPAWN_ARGS_MAX || *str < room || len > *str - room)
			return E_RANGE; /* exec's E2BIG */
		*str -= len;
		memcpy(area + *str, list[i], len);
		words[*n] = ARGS_BASE + *str;
	}
	return 0;
}

/* Fill the child's stack page at va from area + off (the bytes below off stay zero). */
static int put_stack_page(long task, const struct load_scratch *s, uint64_t va, const char *area,
			  uint64_t off)
{
	int err = child_page_open(task, s);
	if (err)
		return err;
	copy_fast((char *)s->va + off, area + off, PAGE - off);
	return child_page_close(task, s, va, MAP_PROT_READ | MAP_PROT_WRITE);
}

/*
 * The top of the stack: argc, argv[], NULL, envp[], NULL, aux pairs, 0, 0, the strings,
 * in the top ARGS_PAGES pages (a message of strings and the words that point at them fill
 * more than one). The rest of the stack is the kernel's demand-zero reserve
 * (RLIMIT_STACK's default; the C library sets another limit at start), so only the
 * pages the arguments use are made here.
 */
static int build_stack(long task, const struct load_args *a, const struct load_scratch *s,
		       uint64_t *sp)
{
	/* On our stack: each loader thread builds its own (copy_fast goes by words). */
	char area[ARGS_PAGES * PAGE] __attribute__((aligned(16)));
	uint64_t words[LOAD_STACK_WORDS], strs[SPAWN_ARGS_MAX], str = sizeof(area);
	int argc = 0, n = 0;
	unsigned naux = a->aux ? a->naux & ~1u : 0;
	if (naux > LOAD_AUX_MAX)
		return E_RANGE;
	/* room for the words under the strings, 16-byte aligned */
	size_t room = (count_strings(a->argv) + count_strings(a->envp) + 3 + naux + 2) *
			      sizeof(uint64_t) +
		      16;
	int err = put_strings(area, &str, a->argv, strs, &n, room);
	argc = n;
	if (!err)
		err = put_strings(area, &str, a->envp, strs, &n, room);
	if (err)
		return err;
	unsigned total = (unsigned)n + 3 + naux + 2; /* argc, two NULLs, aux, its end pair */
	words[0] = (uint64_t)argc;
	memcpy(words + 1, strs, (size_t)argc * sizeof(uint64_t));
	words[1 + argc] = 0;
	memcpy(words + 2 + argc, strs + argc, (size_t)(n - argc) * sizeof(uint64_t));
	words[2 + n] = 0;
	if (naux)
		memcpy(words + 3 + n, a->aux, naux * sizeof(uint64_t));
	words[3 + n + naux] = words[4 + n + naux] = 0;
	uint64_t at = (str - total * sizeof(uint64_t)) & ~15UL;
	uint64_t used = at + total * sizeof(uint64_t);
	memcpy(area + at, words, total * sizeof(uint64_t));
	memset(area + used, 0, str - used); /* the alignment gap: nothing of an earlier load */
	*sp = ARGS_BASE + at;
	err = (int)SYSCALL(map_anon, task, USER_STACK_TOP - USER_STACK_DEFAULT,
			   USER_STACK_DEFAULT / PAGE,
			   MAP_PROT_READ | MAP_PROT_WRITE | MAP_KIND_STACK);
	for (uint64_t page = at / PAGE; !err && page < ARGS_PAGES; page++) {
		uint64_t off = page == at / PAGE ? at % PAGE : 0;
		err = put_stack_page(task, s, ARGS_BASE + page * PAGE, area + page * PAGE, off);
	}
	return err;
}

int load_image(long task, const struct load_image *img, const struct load_args *a,
	       const struct load_scratch *scratch, struct load_out *out)
{
	const struct elf64_ehdr *h = (const void *)img->file;
	struct loader l = { .task = task, .img = img, .scratch = scratch, .base = a->base };
	int err = elf_check(h, img->size, a->base);
	if (!err)
		err = elf_relocs(h, img->size, &l.rel);
	if (err)
		return err;
	const struct elf64_phdr *ph = (const void *)((const char *)h + h->phoff);
	for (unsigned i = 0; i < h->phnum && !err; i++)
		if (ph[i].type == ELF_PT_LOAD)
			err = load_segment(&l, &ph[i]);
	out->entry = a->base + h->entry;
	out->reloc_pages = l.reloc_pages;
	return err ? err : build_stack(task, a, scratch, &out->sp);
}

int load_archive_image(const char *name, struct load_image *img)
{
	struct archive a;
	uint64_t foff = 0, fsize = 0;
	int err = archive_open(&a);
	if (!err)
		err = archive_find(&a, name, &foff, &fsize);
	*img = (struct load_image){ SLOT_ARCHIVE, a.base + foff, foff / PAGE, fsize };
	return err;
}
