/*
 * Malformed ELF files, each made from a good one (true, from the archive) in a memory
 * object and handed to the loader server (spawn_create with req.object stages it there):
 * every one is refused with its own named error, and the good file still loads and runs
 * afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf.h"
#include "taskspawn.h"
#include "syscall.h"
#include "testlib.h"

#define PAGE	    4096UL
#define IMAGE_VA    0x2800000000UL
#define KERNEL_VA   0xffffffff80000000UL
#define ABSURD	    (1UL << 40)
#define TINY	    32
#define BAD_BASE    0x100000UL
#define EM_X86_64   62
#define ET_REL	    1
#define PT_PHDR	    6
#define ELFCLASS32  1
#define ELFDATA2MSB 2

struct image {
	uint8_t *bytes; /* our shared mapping of the object */
	size_t size;
	uint64_t base;
};

static struct elf64_ehdr *eh(struct image *im)
{
	return (struct elf64_ehdr *)im->bytes;
}
static struct elf64_phdr *ph(struct image *im, int i)
{
	return (struct elf64_phdr *)(im->bytes + eh(im)->phoff) + i;
}

static void bad_magic(struct image *im)
{
	eh(im)->magic ^= 1;
}
static void class32(struct image *im)
{
	eh(im)->class = ELFCLASS32;
}
static void big_endian(struct image *im)
{
	eh(im)->data = ELFDATA2MSB;
}
static void x86(struct image *im)
{
	eh(im)->machine = EM_X86_64;
}
static void relocatable(struct image *im)
{
	eh(im)->type = ET_REL;
}
static void phentsize(struct image *im)
{
	eh(im)->phentsize = 32;
}
static void phnum0(struct image *im)
{
	eh(im)->phnum = 0;
}
static void phoff_past(struct image *im)
{
	eh(im)->phoff = im->size + PAGE;
}
static void phdrs_cut(struct image *im)
{
	im->size = eh(im)->phoff + sizeof(struct elf64_phdr);
}
static void truncated(struct image *im)
{
	im->size = TINY;
}
static void seg_out(struct image *im)
{
	ph(im, 1)->offset += (im->size + PAGE) & ~(PAGE - 1);
}
static void filesz_big(struct image *im)
{
	ph(im, 2)->filesz = ph(im, 2)->memsz + 8;
}
static void memsz_absurd(struct image *im)
{
	ph(im, 2)->memsz = ABSURD;
}
static void overlap(struct image *im)
{
	ph(im, 1)->vaddr = ph(im, 0)->vaddr;
}
static void kernel(struct image *im)
{
	ph(im, 2)->vaddr = KERNEL_VA + ph(im, 2)->vaddr % PAGE;
}
static void misaligned(struct image *im)
{
	ph(im, 1)->vaddr += 8;
}
static void entry0(struct image *im)
{
	eh(im)->entry = 0;
}
static void entry_data(struct image *im)
{
	eh(im)->entry = ph(im, 1)->vaddr;
}
static void wx(struct image *im)
{
	ph(im, 2)->flags |= ELF_PF_X;
}
static void base_fixed(struct image *im)
{
	im->base = BAD_BASE;
}
static void no_load(struct image *im)
{
	for (int i = 0; i < eh(im)->phnum; i++)
		ph(im, i)->type = PT_PHDR;
}

struct mutation {
	const char *what;
	void (*make)(struct image *);
	int want;
};

static const struct mutation corpus[] = {
	{ "bad magic", bad_magic, ELF_BAD_MAGIC },
	{ "32-bit class", class32, ELF_BAD_CLASS },
	{ "big endian", big_endian, ELF_BAD_DATA },
	{ "wrong machine", x86, ELF_BAD_MACHINE },
	{ "ET_REL", relocatable, ELF_BAD_TYPE },
	{ "phentsize", phentsize, ELF_BAD_PHENTSIZE },
	{ "phnum 0", phnum0, ELF_BAD_PHDRS },
	{ "phoff past the end", phoff_past, ELF_PHDRS_OUT_OF_FILE },
	{ "program headers cut", phdrs_cut, ELF_TRUNCATED },
	{ "truncated file", truncated, ELF_TRUNCATED },
	{ "segment out of file", seg_out, ELF_SEG_OUT_OF_FILE },
	{ "filesz > memsz", filesz_big, ELF_SEG_FILESZ },
	{ "absurd memsz", memsz_absurd, ELF_SEG_SIZE },
	{ "overlapping segments", overlap, ELF_SEG_OVERLAP },
	{ "segment in kernel space", kernel, ELF_SEG_KERNEL },
	{ "vaddr/offset misaligned", misaligned, ELF_BAD_ALIGN },
	{ "entry 0", entry0, ELF_ENTRY_ZERO },
	{ "entry not executable", entry_data, ELF_BAD_ENTRY },
	{ "W+X segment", wx, ELF_WX },
	{ "no PT_LOAD", no_load, ELF_NO_SEGMENTS },
	{ "base for a fixed program", base_fixed, ELF_BAD_BASE },
};

/* Load the object's file with the real loader; run it if it loads: error or exit status. */
static int try_load(long obj, const struct image *im, int run)
{
	char *argv[] = { "corpus", 0 };
	long ep = slot_alloc(), sup = slot_alloc();
	struct spawned s;
	struct spawn_req req = { .name = "corpus",
				 .argv = argv,
				 .supervisor = sup,
				 .base = im->base,
				 .object = obj,
				 .object_size = im->size };
	struct ipc_msg m = { .rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE) };
	int err = (int)SYSCALL(obj_create, SLOT_SELF, OBJ_ENDPOINT, ep, 0);
	if (!err)
		err = (int)SYSCALL(cap_mint, ep, sup, CAP_SEND, 1);
	if (!err)
		err = spawn_create(&req, &s);
	if (!err && run && spawn_start(&s) >= 0 && ipc_recv(ep, &m) == 0)
		err = ipc_tag_label(m.tag) == LABEL_EXIT ? (int)m.w[0] : -1;
	if (!err || s.task > 0) {
		SYSCALL(task_kill, s.task);
		slot_free(s.task);
	}
	slot_free(sup);
	slot_free(ep);
	return err;
}

int main(void)
{
	struct archive a;
	uint64_t off = 0, size = 0;
	CHECK_EQ(archive_open(&a), 0);
	CHECK_EQ(archive_find(&a, "true", &off, &size), 0);
	uint64_t pages = (size + PAGE - 1) / PAGE;
	long obj = slot_alloc();
	CHECK_EQ(SYSCALL(obj_create, SLOT_SELF, OBJ_MEMORY, obj, pages), 0);
	CHECK_EQ(SYSCALL(map, SLOT_SELF, obj, IMAGE_VA, 0, pages,
			 MAP_PROT_READ | MAP_PROT_WRITE | MAP_KIND_SHARED),
		 0);
	struct image good = { (uint8_t *)IMAGE_VA, size, 0 };
	memcpy(good.bytes, a.base + off, size);
	CHECK_EQ(try_load(obj, &good, 1), 0);
	for (size_t i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
		struct image im = good;
		memcpy(im.bytes, a.base + off, size);
		corpus[i].make(&im);
		int err = try_load(obj, &im, 0);
		printf("  %-26s %d %s\n", corpus[i].what, err, elf_strerror(err));
		CHECK_EQ(err, corpus[i].want);
	}
	memcpy(good.bytes, a.base + off, size);
	CHECK_EQ(try_load(obj, &good, 1), 0); /* the loader and the system still work */
	SYSCALL(unmap, SLOT_SELF, IMAGE_VA, pages);
	slot_free(obj);
	return test_status();
}
