/*
 * Starting the first task. The kernel loads only init, from the boot archive built into
 * the image, and hands it the archive as a memory object plus the boot-time authorities
 * (docs/ipc-caps.md). Everything else is started from user space.
 *
 * init's ELF is read defensively (it is built by us, but a bad archive must not crash
 * the kernel): each ELF_PT_LOAD page is copied into a fresh frame, bss zeroed.
 */
#include "kernel/abi/elf.h"
#include "kernel/abi/error.h"
#include "kernel/abi/ipc.h"
#include "kernel/boot/boot.h"
#include "kernel/core/memobj.h"
#include "kernel/core/task.h"
#include "kernel/core/uaccess.h"
#include "kernel/io/printk.h"
#include "vm/as.h"
#include "vm/frame.h"
#include "vm/vm.h"

#define INIT_PROG "init"

extern char __bootarchive_start[], __bootarchive_end[];

static struct kobj console_obj = { .type = OBJ_CONSOLE, .refs = 1 };
static struct kobj irqctl_obj = { .type = OBJ_IRQCTL, .refs = 1 };
static struct kobj machine_obj = { .type = OBJ_MACHINE, .refs = 1 };

static bool name_is(const char *a, const char *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (a[i] != b[i])
			return false;
		if (!a[i])
			return true;
	}
	return false;
}

/* The file called name in the archive, or NULL. */
static const uint8_t *archive_file(const char *name, uint64_t *size)
{
	const uint8_t *ar = (const uint8_t *)__bootarchive_start;
	uint64_t len = (uint64_t)__bootarchive_end - (uint64_t)__bootarchive_start;
	const struct archive_header *h = (const void *)ar;
	if (len < sizeof(*h) || h->magic != ARCHIVE_MAGIC || h->version != ARCHIVE_VERSION ||
	    h->count > (len - sizeof(*h)) / sizeof(struct archive_entry))
		return 0;
	const struct archive_entry *e = (const void *)(h + 1);
	for (uint32_t i = 0; i < h->count; i++) {
		if (name_is(e[i].name, name, ARCHIVE_NAME) && e[i].offset <= len &&
		    e[i].size <= len - e[i].offset) {
			*size = e[i].size;
			return ar + e[i].offset;
		}
	}
	return 0;
}

static uint32_t seg_prot(uint32_t pf)
{
	return ((pf & ELF_PF_R) ? MAP_PROT_READ : 0) | ((pf & ELF_PF_W) ? MAP_PROT_WRITE : 0) |
	       ((pf & ELF_PF_X) ? MAP_PROT_EXEC : 0);
}

/* One segment, page by page, into fresh frames. */
static int load_segment(struct task *t, const uint8_t *file, uint64_t size,
			const struct elf64_phdr *ph)
{
	uint64_t flags = as_prot_flags(seg_prot(ph->flags));
	if (!flags || ph->filesz > ph->memsz || ph->offset > size ||
	    ph->filesz > size - ph->offset || ph->vaddr < USER_VA_MIN ||
	    ph->memsz > USER_VA_MAX - ph->vaddr)
		return E_FORMAT;
	uint64_t start = ph->vaddr & ~(PAGE_SIZE - 1), end = ph->vaddr + ph->memsz;
	for (uint64_t va = start; va < end; va += PAGE_SIZE) {
		uint64_t pa;
		if (frame_alloc(&kframes, &pa) != 0)
			return E_NOMEM;
		uint8_t *page = phys_to_virt(pa);
		for (uint64_t i = 0; i < PAGE_SIZE; i++) {
			uint64_t at = va + i; /* the file byte for this address, if any */
			bool in_file = at >= ph->vaddr && at - ph->vaddr < ph->filesz;
			page[i] = in_file ? file[ph->offset + (at - ph->vaddr)] : 0;
		}
		int err = as_map(&t->as, va, pa, flags);
		if (err)
			return err;
	}
	return 0;
}

static int load_elf(struct task *t, const uint8_t *file, uint64_t size, uint64_t *entry)
{
	const struct elf64_ehdr *h = (const void *)file;
	if (size < sizeof(*h) || h->magic != ELF_MAGIC || h->class != ELF_CLASS64 ||
	    h->machine != ELF_EM_RISCV || h->phentsize != sizeof(struct elf64_phdr) ||
	    h->phoff > size || h->phnum > (size - h->phoff) / sizeof(struct elf64_phdr) ||
	    h->entry == 0)
		return E_FORMAT;
	const struct elf64_phdr *ph = (const void *)(file + h->phoff);
	for (unsigned i = 0; i < h->phnum; i++) {
		int err = ph[i].type == ELF_PT_LOAD ? load_segment(t, file, size, &ph[i]) : 0;
		if (err)
			return err;
	}
	*entry = h->entry;
	return 0;
}

#define INIT_MAX_ARGS 16

/* Split the kernel command line into argv[1..]; argv[0] is the program name. */
static int split_args(char *buf, const char *cmdline, char **argv)
{
	int argc = 0;
	argv[argc++] = INIT_PROG;
	for (unsigned i = 0; cmdline[i] && argc < INIT_MAX_ARGS;) {
		while (cmdline[i] == ' ')
			i++;
		if (!cmdline[i])
			break;
		argv[argc++] = &buf[i];
		while (cmdline[i] && cmdline[i] != ' ') {
			buf[i] = cmdline[i];
			i++;
		}
		buf[i] = 0;
	}
	return argc;
}

/*
 * The stack reserve (demand-zero: the copies below map its top page, and nothing is mapped
 * below the reserve) and, at its top, the usual block:
 * argc, argv pointers, NULL, an empty envp (NULL), then the strings themselves.
 */
static int init_stack(struct task *t, const char *cmdline, uint64_t *sp)
{
	static char buf[sizeof(boot.dt.bootargs) + sizeof(INIT_PROG)];
	static char *argv[INIT_MAX_ARGS];
	uint64_t words[INIT_MAX_ARGS + 3];
	int argc = split_args(buf, cmdline, argv), err;
	uint64_t str = USER_STACK_TOP;

	err = as_stack_reserve(&t->as, USER_STACK_DEFAULT / PAGE_SIZE);
	words[0] = argc;
	for (int i = 0; i < argc && !err; i++) {
		unsigned len = 0;
		while (argv[i][len])
			len++;
		str -= len + 1;
		err = user_copy_out(t, str, argv[i], len + 1);
		words[1 + i] = str;
	}
	words[1 + argc] = 0; /* end of argv */
	words[2 + argc] = 0; /* envp: empty */
	*sp = (str - (argc + 3) * sizeof(uint64_t)) & ~15UL;
	return err ? err : user_copy_out(t, *sp, words, (argc + 3) * sizeof(uint64_t));
}

static void give_boot_caps(struct task *t)
{
	uint64_t ar_pa = kmem_image_pa(__bootarchive_start);
	uint64_t pages = ((uint64_t)__bootarchive_end - (uint64_t)__bootarchive_start) / PAGE_SIZE;
	struct memobj *ar = memobj_new_phys(ar_pa, pages);
	if (!ar)
		panic("no memory for the boot archive object");
	int err; /* slots 0..7 share the chunk SLOT_SELF made: these cannot fail */
	cap_install(cap_slot(t, SLOT_ARCHIVE, &err), &ar->hdr, CAP_READ | CAP_EXEC | CAP_GRANT, 0,
		    0);
	kobj_put(&ar->hdr);
	cap_install(cap_slot(t, SLOT_CONSOLE, &err), &console_obj, CAP_ALL, 0, 0);
	cap_install(cap_slot(t, SLOT_IRQCTL, &err), &irqctl_obj, CAP_ALL, 0, 0);
	cap_install(cap_slot(t, SLOT_MACHINE, &err), &machine_obj, CAP_ALL, 0, 0);
}

void init_start(const char *cmdline)
{
	uint64_t size, entry, sp;
	const uint8_t *file = archive_file(INIT_PROG, &size);
	int err;

	if (!file)
		panic("boot archive has no \"%s\"", INIT_PROG);
	init_task = task_new(0, kframes.nusable * PAGE_SIZE);
	if (!init_task)
		panic("no memory for init");
	if ((err = load_elf(init_task, file, size, &entry)) ||
	    (err = init_stack(init_task, cmdline, &sp)))
		panic("loading init failed: %s", err_name(err));
	give_boot_caps(init_task);
	if (!thread_new(init_task, 0, entry, sp, 0, -1))
		panic("no memory for init's thread");
}
