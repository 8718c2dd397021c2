/*
 * Position-independent programs loaded away from their link address have their
 * relocations applied, run correctly, and cost only the pages their relocations write.
 *
 * For pie_hello (no C library) and pie_libc (printf, malloc, errno in two threads,
 * strftime, whose names table is read-only data with pointers), the
 * expected cost is worked out here from the file's own relocation records: the distinct
 * pages they write, less the page where file data ends and bss follows (private anyway).
 * Each program runs at its link address and 1 GiB away and must exit 0; away, the loader
 * must report exactly that many relocated pages and take exactly that many frames more.
 *
 * Sharing: pie_libc is put in a memory object of ours (whose frames have a count, unlike
 * the archive's), and two instances are loaded from it at two other bases. The first
 * makes exactly its file-mapped pages shared (memstat's shared_frames: text, rodata and
 * unrelocated data, not a relocated page); the second shares the same frames (no new
 * shared frame, no frame more than the first), then both run correctly.
 *
 * Refusals: copies of pie_hello with a relocation record of another type (ELF_RELOC_TYPE),
 * misplaced (ELF_BAD_RELOC) or in text (ELF_TEXT_RELOC) are refused by name; the good
 * copy then loads and runs.
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/memstat.h>

#include "elf.h"
#include "taskspawn.h"
#include "syscall.h"
#include "testlib.h"

#define PAGE	     4096UL
#define PAGE_OF(x)   ((x) & ~(PAGE - 1))
#define OTHER_BASE   0x40000000UL   /* 1 GiB from where they were linked */
#define THIRD_BASE   0x80000000UL   /* 2 GiB */
#define IMAGE_VA     0x2800000000UL /* our view of the object while we fill it */
#define WAIT_POLLS   10000	    /* 1 ms each: a guard against a hang, not a timing */
#define TO_TEXT	     1		    /* not an offset: put the relocation at the entry point */
#define MIN_TEXT     2		    /* pie_libc has at least this many text pages (the C library) */
#define R_TYPE(info) ((info)&0xffffffffu)

/* What the file's headers and relocation records say a load away from home costs. */
struct expect {
	unsigned reloc_only; /* pages private only because relocations write them */
	unsigned mapped;     /* file pages mapped from the file, shared */
	unsigned text;	     /* of those, executable */
	unsigned relocated;  /* distinct pages relocations write */
	unsigned readonly;   /* of those, in a read-only segment */
};

struct run {
	unsigned reloc_pages;
	uint64_t frames; /* free frames the loaded, not yet started, program took */
	long status;	 /* its exit status, or -1 */
};

static int page_has_reloc(const struct elf_relocs *rel, uint64_t pv)
{
	for (uint64_t i = 0; i < rel->count; i++)
		if (R_TYPE(rel->rela[i].info) == ELF_R_RELATIVE &&
		    PAGE_OF(rel->rela[i].offset) == pv)
			return 1;
	return 0;
}

/* Walk each segment's file pages as the relocation records and headers classify them. */
static void expect_of(const uint8_t *file, size_t size, struct expect *e)
{
	const struct elf64_ehdr *h = (const void *)file;
	const struct elf64_phdr *ph = (const void *)(file + h->phoff);
	struct elf_relocs rel;
	memset(e, 0, sizeof(*e));
	CHECK_EQ(elf_relocs(file, size, &rel), ELF_OK);
	for (unsigned i = 0; i < h->phnum; i++) {
		const struct elf64_phdr *p = &ph[i];
		if (p->type != ELF_PT_LOAD)
			continue;
		uint64_t fend = p->vaddr + p->filesz;
		int tail_private = (p->flags & ELF_PF_W) || p->memsz > p->filesz;
		for (uint64_t pv = PAGE_OF(p->vaddr); pv < fend; pv += PAGE) {
			int boundary = fend - pv < PAGE && tail_private,
			    reloc = page_has_reloc(&rel, pv);
			e->relocated += reloc;
			e->readonly += reloc && !(p->flags & ELF_PF_W);
			e->reloc_only += reloc && !boundary;
			e->mapped += !reloc && !boundary;
			e->text += !reloc && !boundary && (p->flags & ELF_PF_X);
		}
	}
}

static const uint8_t *archive_file(const char *name, uint64_t *size)
{
	struct archive a;
	uint64_t off = 0;
	if (archive_open(&a) || archive_find(&a, name, &off, size))
		return 0;
	return a.base + off;
}

static long wait_exit(long ep)
{
	for (int i = 0; i < WAIT_POLLS; i++) {
		struct ipc_msg m = { .rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE) };
		if (ipc(SYS_recv | SYS_NONBLOCK, ep, &m) == 0)
			return ipc_tag_label(m.tag) == LABEL_EXIT ? (long)m.w[0] : -1;
		usleep(1000);
	}
	return -1;
}

/* A loaded, not yet started instance, with the endpoint its supervisor messages reach. */
struct instance {
	struct spawned s;
	long ep, sup;
	int err;
};

/* Load name (from obj if not 0) at base: 0 or the loader's error (no task left then). */
static int load(struct instance *in, const char *name, uint64_t base, long obj, uint64_t size)
{
	static char *argv[2];
	argv[0] = (char *)name;
	in->ep = slot_alloc();
	in->sup = slot_alloc();
	struct spawn_req req = { .name = name,
				 .argv = argv,
				 .supervisor = in->sup,
				 .base = base,
				 .object = obj,
				 .object_size = size };
	CHECK_EQ(SYSCALL(obj_create, SLOT_SELF, OBJ_ENDPOINT, in->ep, 0), 0);
	CHECK_EQ(SYSCALL(cap_mint, in->ep, in->sup, CAP_SEND, 1), 0);
	in->err = spawn_create(&req, &in->s);
	return in->err;
}

/* Start it (if it loaded), wait for its exit status, and release it: status or -1. */
static long finish(struct instance *in)
{
	long status = -1;
	if (!in->err) {
		CHECK(spawn_start(&in->s) > 0);
		status = wait_exit(in->ep);
		SYSCALL(task_kill, in->s.task);
		slot_free(in->s.task);
	}
	slot_free(in->sup);
	slot_free(in->ep);
	return status;
}

static void run_at(const char *name, uint64_t base, struct run *r)
{
	struct instance in;
	struct memstat a, b;
	memstat(&a);
	CHECK_EQ(load(&in, name, base, 0, 0), 0);
	memstat(&b);
	r->reloc_pages = in.s.reloc_pages;
	/* Kernel slab frames come and go with what else is live (a thread more in a server
	 * moves where a slab fills): not the load's cost. */
	r->frames = a.free_frames - b.free_frames - (b.kernel_slab_frames - a.kernel_slab_frames);
	r->status = finish(&in);
}

/* Home and away from the archive: correct at both, away costs what the records say. */
static void moved(const char *name, unsigned min_readonly)
{
	struct run home, away;
	struct expect e;
	uint64_t size = 0;
	const uint8_t *file = archive_file(name, &size);
	CHECK(file != 0);
	if (!file)
		return;
	expect_of(file, size, &e);
	run_at(name, 0,
	       &home); /* a first load makes what stays (slots, slabs): measure the second */
	run_at(name, 0, &home);
	run_at(name, OTHER_BASE, &away);
	printf("  %s: %u pages relocated (%u read-only, %u only for that); at its link address "
	       "%lu frames, %u relocated pages; 1 GiB away %lu frames, %u relocated pages\n",
	       name, e.relocated, e.readonly, e.reloc_only, (unsigned long)home.frames,
	       home.reloc_pages, (unsigned long)away.frames, away.reloc_pages);
	CHECK_EQ(home.status, 0);
	CHECK_EQ(away.status, 0);
	CHECK(e.reloc_only >= 1); /* each has a page holding only pointers */
	CHECK(e.readonly >= min_readonly);
	CHECK_EQ(home.reloc_pages, 0);
	CHECK_EQ(away.reloc_pages, e.reloc_only);
	/* Moving it costs the relocated pages and page tables for the new place, no more. */
	CHECK_EQ(away.frames, home.frames + e.reloc_only);
}

static uint64_t shared_frames(void)
{
	struct memstat m = { 0 };
	memstat(&m);
	return m.shared_frames;
}

/* Free frames, the kernel's slab frames counted as free: they come and go with where
 * a slab fills (a thread of a server freed sooner or later), not with what a load costs. */
static uint64_t free_frames(void)
{
	struct memstat m = { 0 };
	memstat(&m);
	return m.free_frames + m.kernel_slab_frames;
}

/* Two instances of pie_libc from one memory object, at two bases: the same text frames. */
static void shared_text(void)
{
	struct instance one, two;
	struct expect e;
	uint64_t size = 0;
	const uint8_t *file = archive_file("pie_libc", &size);
	CHECK(file != 0);
	if (!file)
		return;
	expect_of(file, size, &e);
	uint64_t pages = (size + PAGE - 1) / PAGE;
	long obj = slot_alloc();
	CHECK_EQ(SYSCALL(obj_create, SLOT_SELF, OBJ_MEMORY, obj, pages), 0);
	CHECK_EQ(SYSCALL(map, SLOT_SELF, obj, IMAGE_VA, 0, pages,
			 MAP_PROT_READ | MAP_PROT_WRITE | MAP_KIND_SHARED),
		 0);
	memcpy((void *)IMAGE_VA, file, size);
	SYSCALL(unmap, SLOT_SELF, IMAGE_VA, pages); /* only the object holds its frames now */
	uint64_t s0 = shared_frames(), f0 = free_frames();
	CHECK_EQ(load(&one, "pie_libc", OTHER_BASE, obj, size), 0);
	uint64_t s1 = shared_frames(), f1 = free_frames();
	CHECK_EQ(load(&two, "pie_libc", THIRD_BASE, obj, size), 0);
	uint64_t s2 = shared_frames(), f2 = free_frames();
	printf("  pie_libc from an object: %u file pages mapped (%u text), %u relocated only; "
	       "shared frames +%lu, +%lu; frames %lu, %lu\n",
	       e.mapped, e.text, e.reloc_only, (unsigned long)(s1 - s0), (unsigned long)(s2 - s1),
	       (unsigned long)(f0 - f1), (unsigned long)(f1 - f2));
	CHECK(e.text >= MIN_TEXT);
	CHECK_EQ(one.s.reloc_pages, e.reloc_only);
	CHECK_EQ(two.s.reloc_pages, e.reloc_only);
	CHECK_EQ(s1 - s0, e.mapped); /* each file page it maps is the object's frame */
	CHECK_EQ(s2, s1);	     /* the second maps the same frames again */
	CHECK_EQ(f1 - f2, f0 - f1);  /* and pays the same: no text copy */
	CHECK_EQ(finish(&one), 0);
	CHECK_EQ(finish(&two), 0);
	slot_free(obj); /* the object goes: its frames were shared with the two only */
	CHECK_EQ(shared_frames(), s0);
}

/* The first relocation record of the file in our view of an object. */
static struct elf64_rela *first_rela(uint8_t *file, uint64_t size)
{
	struct elf_relocs rel;
	if (elf_relocs(file, size, &rel) || rel.count == 0)
		return 0;
	return (struct elf64_rela *)((uintptr_t)rel.rela);
}

/* Relocation records the loader must refuse, each with its own name, through the loader. */
static void bad_relocs(void)
{
	static const struct {
		const char *what;
		uint64_t type, offset_add;
		int want;
	} bad[] = {
		{ "R_RISCV_64", ELF_R_64, 0, ELF_RELOC_TYPE },
		{ "R_RISCV_JUMP_SLOT", ELF_R_JUMP_SLOT, 0, ELF_RELOC_TYPE },
		{ "R_RISCV_TLS_TPREL64", ELF_R_TLS_TPREL64, 0, ELF_RELOC_TYPE },
		{ "misaligned", ELF_R_RELATIVE, 4, ELF_BAD_RELOC },
		{ "outside the file data", ELF_R_RELATIVE, OTHER_BASE, ELF_BAD_RELOC },
		{ "in text", ELF_R_RELATIVE, TO_TEXT, ELF_TEXT_RELOC },
	};
	uint64_t size = 0;
	const uint8_t *file = archive_file("pie_hello", &size);
	CHECK(file != 0);
	if (!file)
		return;
	uint64_t pages = (size + PAGE - 1) / PAGE;
	uint8_t *view = (uint8_t *)IMAGE_VA;
	long obj = slot_alloc();
	CHECK_EQ(SYSCALL(obj_create, SLOT_SELF, OBJ_MEMORY, obj, pages), 0);
	CHECK_EQ(SYSCALL(map, SLOT_SELF, obj, IMAGE_VA, 0, pages,
			 MAP_PROT_READ | MAP_PROT_WRITE | MAP_KIND_SHARED),
		 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct instance in;
		memcpy(view, file, size);
		struct elf64_rela *r = first_rela(view, size);
		CHECK(r != 0);
		if (!r)
			break;
		r->info = bad[i].type;
		if (bad[i].offset_add == TO_TEXT)
			r->offset = ((const struct elf64_ehdr *)view)->entry & ~(uint64_t)7;
		else
			r->offset += bad[i].offset_add;
		int err = load(&in, "pie_hello", OTHER_BASE, obj, size);
		printf("  relocation %-22s %d %s\n", bad[i].what, err, elf_strerror(err));
		CHECK_EQ(err, bad[i].want);
		finish(&in);
	}
	memcpy(view, file, size); /* the good file still loads and runs from the object */
	struct instance in;
	CHECK_EQ(load(&in, "pie_hello", OTHER_BASE, obj, size), 0);
	CHECK_EQ(finish(&in), 0);
	SYSCALL(unmap, SLOT_SELF, IMAGE_VA, pages);
	slot_free(obj);
}

int main(void)
{
	moved("pie_hello", 0);
	moved("pie_libc", 1); /* strftime's names */
	shared_text();
	bad_relocs();
	return test_status();
}
