/* Program loading from the boot archive: see spawn.h. */
#include "spawn.h"

#include <string.h>

#include "elf.h"
#include "syscall.h"

#define PAGE	   4096UL
#define PAGE_OF(x) ((x) & ~(PAGE - 1))
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))

static struct archive opened;

int archive_open(struct archive *a)
{
	if (!opened.base) {
		long err = SYSCALL(map, SLOT_SELF, SLOT_ARCHIVE, ARCHIVE_VA, 0, 1,
				   MAP_PROT_READ | MAP_KIND_COPY);
		if (err)
			return (int)err;
		const struct archive_header *h = (const void *)ARCHIVE_VA;
		const struct archive_entry *e = (const void *)(h + 1);
		uint64_t end = PAGE;
		if (h->magic != ARCHIVE_MAGIC || h->version != ARCHIVE_VERSION) {
			SYSCALL(unmap, SLOT_SELF, ARCHIVE_VA, 1);
			return E_FORMAT;
		}
		for (uint32_t i = 0; i < h->count && i < (PAGE - sizeof(*h)) / sizeof(*e); i++)
			if (PAGE_UP(e[i].offset + e[i].size) > end)
				end = PAGE_UP(e[i].offset + e[i].size);
		SYSCALL(unmap, SLOT_SELF, ARCHIVE_VA, 1);
		err = SYSCALL(map, SLOT_SELF, SLOT_ARCHIVE, ARCHIVE_VA, 0, end / PAGE,
			      MAP_PROT_READ | MAP_KIND_COPY);
		if (err)
			return (int)err;
		/* Make the scratch page's tables now: they stay, and leak checks see them once. */
		if (SYSCALL(map_anon, SLOT_SELF, SCRATCH_VA, 1, MAP_PROT_READ) == 0)
			SYSCALL(unmap, SLOT_SELF, SCRATCH_VA, 1);
		opened.base = (const uint8_t *)ARCHIVE_VA;
		opened.size = end;
	}
	*a = opened;
	return 0;
}

int archive_find(const struct archive *a, const char *name, uint64_t *offset, uint64_t *size)
{
	const struct archive_header *h = (const void *)a->base;
	const struct archive_entry *e = (const void *)(h + 1);
	for (uint32_t i = 0; i < h->count && i < (PAGE - sizeof(*h)) / sizeof(*e); i++) {
		if (strncmp(e[i].name, name, ARCHIVE_NAME) == 0 && e[i].offset % PAGE == 0 &&
		    e[i].offset <= a->size && e[i].size <= a->size - e[i].offset) {
			*offset = e[i].offset;
			*size = e[i].size;
			return 0;
		}
	}
	return E_NOENT;
}

static uint32_t seg_prot(uint32_t pf)
{
	return ((pf & ELF_PF_R) ? MAP_PROT_READ : 0) | ((pf & ELF_PF_W) ? MAP_PROT_WRITE : 0) |
	       ((pf & ELF_PF_X) ? MAP_PROT_EXEC : 0);
}

/*
 * Fill one private page for the child: a one-page memory object, filled through our own
 * mapping of it, then mapped write-copy into the child. Our slot goes at the end; the
 * child's mapping keeps the frame, and its first write will find it unshared.
 */
static int child_page(long task, uint64_t va, uint32_t prot, const void *src, size_t len, size_t at)
{
	long slot = slot_alloc();
	long err = slot < 0 ? E_RANGE : SYSCALL(obj_create, SLOT_SELF, OBJ_MEMORY, slot, 1);
	if (!err)
		err = SYSCALL(map, SLOT_SELF, slot, SCRATCH_VA, 0, 1,
			      MAP_PROT_READ | MAP_PROT_WRITE | MAP_KIND_SHARED);
	if (!err) {
		memcpy((char *)SCRATCH_VA + at, src, len);
		SYSCALL(unmap, SLOT_SELF, SCRATCH_VA, 1);
		err = SYSCALL(map, task, slot, va, 0, 1, prot | MAP_KIND_COPY);
	}
	slot_free(slot);
	return (int)err;
}

/* Pages of the file mapped as they are: [va, va + n pages) from file page fpage. */
static int file_pages(long task, uint64_t va, uint64_t fpage, uint64_t n, uint32_t prot)
{
	if (n == 0)
		return 0;
	return (int)SYSCALL(map, task, SLOT_ARCHIVE, va, fpage, n, prot | MAP_KIND_COPY);
}

static int load_segment(long task, const struct archive *a, uint64_t foff,
			const struct elf64_phdr *p, uint64_t base)
{
	uint32_t prot = seg_prot(p->flags);
	uint64_t va = base + PAGE_OF(p->vaddr), end = base + p->vaddr + p->memsz;
	uint64_t fstart = foff + PAGE_OF(p->offset), fend = base + p->vaddr + p->filesz;
	/* Whole pages of file data; without bss or W, the last partial page too. */
	int bss = p->memsz > p->filesz;
	uint64_t full = (p->flags & ELF_PF_W) || bss ? PAGE_OF(fend) : PAGE_UP(fend);
	if (full > end)
		full = PAGE_UP(end);
	int err = file_pages(task, va, fstart / PAGE, (full > va ? full - va : 0) / PAGE, prot);
	if (err || full >= end)
		return err;
	uint64_t next = full;
	if (fend > full) {
		/* Data ends inside this page and bss follows: copy, leaving the tail zero. */
		const uint8_t *src = a->base + fstart + (full - va);
		if ((err = child_page(task, full, prot, src, fend - full, 0)))
			return err;
		next = full + PAGE;
	}
	return next < end ? (int)SYSCALL(map_anon, task, next, (PAGE_UP(end) - next) / PAGE, prot)
			  : 0;
}

/* The top stack page: argc, argv[], NULL, envp NULL, then the strings. */
static int build_stack(long task, char *const *argv, uint64_t *sp)
{
	static char page[PAGE];
	uint64_t words[SPAWN_ARGS_MAX + 3], str = PAGE;
	int argc = 0;
	memset(page, 0, sizeof(page));
	for (; argv && argv[argc]; argc++) {
		size_t len = strlen(argv[argc]) + 1;
		if (argc == SPAWN_ARGS_MAX || len > str - sizeof(words))
			return E_RANGE;
		str -= len;
		memcpy(page + str, argv[argc], len);
		words[1 + argc] = USER_STACK_TOP - PAGE + str;
	}
	words[0] = argc;
	words[1 + argc] = 0;
	words[2 + argc] = 0;
	uint64_t at = (str - (argc + 3) * sizeof(uint64_t)) & ~15UL;
	memcpy(page + at, words, (argc + 3) * sizeof(uint64_t));
	*sp = USER_STACK_TOP - PAGE + at;
	long err = SYSCALL(map_anon, task, USER_STACK_TOP - USER_STACK_SIZE,
			   USER_STACK_SIZE / PAGE - 1, MAP_PROT_READ | MAP_PROT_WRITE);
	return err ? (int)err
		   : child_page(task, USER_STACK_TOP - PAGE, MAP_PROT_READ | MAP_PROT_WRITE, page,
				PAGE, 0);
}

static int load(long task, const struct archive *a, uint64_t foff, uint64_t fsize,
		const struct spawn_req *req, struct spawned *out)
{
	const struct elf64_ehdr *h = (const void *)(a->base + foff);
	int err = elf_check(h, fsize, req->base);
	if (err)
		return err;
	const struct elf64_phdr *ph = (const void *)((const char *)h + h->phoff);
	for (unsigned i = 0; i < h->phnum && !err; i++)
		if (ph[i].type == ELF_PT_LOAD)
			err = load_segment(task, a, foff, &ph[i], req->base);
	out->entry = req->base + h->entry;
	return err ? err : build_stack(task, req->argv, &out->sp);
}

int spawn_create(const struct spawn_req *req, struct spawned *out)
{
	struct archive a;
	uint64_t foff, fsize;
	struct memstat ms;
	int err = archive_open(&a);
	if (!err)
		err = archive_find(&a, req->name, &foff, &fsize);
	if (!err)
		err = (int)SYSCALL(memstat, SLOT_SELF, &ms);
	if (err)
		return err;
	long task = slot_alloc();
	if (task < 0)
		return E_RANGE;
	uint64_t quota = req->quota ? req->quota : ms.task_quota_left;
	err = (int)SYSCALL(task_create, SLOT_SELF, task, quota, req->supervisor);
	if (!err)
		err = load(task, &a, foff, fsize, req, out);
	if (err) {
		SYSCALL(task_kill, task);
		slot_free(task);
		return err;
	}
	out->task = task;
	return 0;
}

long spawn_start(const struct spawned *s)
{
	return SYSCALL(thread_create, s->task, -1, s->entry, s->sp, 0);
}

long spawn(const struct spawn_req *req)
{
	struct spawned s;
	int err = spawn_create(req, &s);
	if (err)
		return err;
	long tid = spawn_start(&s);
	if (tid < 0) {
		SYSCALL(task_kill, s.task);
		slot_free(s.task);
		return tid;
	}
	return s.task;
}
