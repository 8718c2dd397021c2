/*
 * The ELF loader's core: map a checked ELF64 RISC-V file into a task that exists and is
 * empty, and build its stack. The loader server (userland/bin/loader.c) uses it for
 * every program; init uses it once, to start the loader itself. docs/loader.md.
 */
#ifndef USER_LOAD_H
#define USER_LOAD_H

#include <stdint.h>

#define LOAD_AUX_MAX 128 /* aux words (key, value pairs) a stack takes */

/* The file being loaded: which memory object holds it, and where we see it. */
struct load_image {
	long slot;	     /* the archive or a client's memory object, in our slots */
	const uint8_t *file; /* the file, mapped or copied into our space */
	uint64_t fpage;	     /* the file's first page in the object */
	uint64_t size;
};

struct load_args {
	char *const *argv;   /* NULL-terminated */
	char *const *envp;   /* NULL-terminated, or NULL: none */
	uint64_t base;	     /* load bias for a position-independent program, else 0 */
	const uint64_t *aux; /* (key, value) pairs put after envp's NULL, or NULL */
	unsigned naux;	     /* words in aux, even */
};

/*
 * Where one load builds the child's private pages: a page of our address space to map
 * each through, and an empty slot of ours for its memory object. Each loader thread has
 * its own, so several loads run at once without sharing either (docs/loader.md).
 */
struct load_scratch {
	uint64_t va;
	long slot;
};

struct load_out {
	uint64_t entry, sp;
	unsigned reloc_pages; /* pages made private only because relocations write them */
};

/* The archive file called name as a load_image: 0 or E_NOENT (or the archive's error). */
int load_archive_image(const char *name, struct load_image *img);
/* Check img and map it into task (CAP_CONTROL): 0, an enum err or an enum elf_err. */
int load_image(long task, const struct load_image *img, const struct load_args *a,
	       const struct load_scratch *scratch, struct load_out *out);

#endif
