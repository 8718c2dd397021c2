/*
 * Starting programs from the boot archive, in user space. spawn_create makes the task
 * (with its supervisor and quota) and asks the loader server (loader.h, bin/loader.c)
 * to load it: text and read-only data are mapped write-copy straight from the archive,
 * so every task running a program shares its text frames; initialised data is
 * write-copy too (shared until written); the page where data ends and bss begins is a
 * private copy; the rest of bss and the stack are fresh zeroed pages. docs/loader.md.
 */
#ifndef USER_TASKSPAWN_H
#define USER_TASKSPAWN_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/ipc.h"

#define ARCHIVE_VA	  0x3000000000UL /* where archive_open maps the archive */
#define SCRATCH_VA	  0x3100000000UL /* one page for building a child's pages */
#define ARCHIVE_TABLE_MAX 64 /* pages of archive table archive_open accepts (4,000 files) */
#define OBJECT_VA	  0x3200000000UL /* where the loader maps a memory object it loads from */
#define STAGED_VA	  0x3300000000UL /* where the loader copies such a file to check it */
#define SPAWN_ARGS_MAX	  256		 /* argv and envp strings together */
/*
 * The priority of the servers' threads (init's loader, file and fork servers), above
 * ordinary processes: a fault or exit message reaches the fork server at once, so under
 * memory pressure an out-of-memory task is killed, and its frames are free again, before
 * the other processes can fault too.
 */
#define SERVER_PRIO	  (THREAD_PRIO_DEFAULT + 1)

struct archive {
	const uint8_t *base;
	uint64_t size;
};

/* Map the boot archive (slot SLOT_ARCHIVE) read-only into this task, once. */
int archive_open(struct archive *a);
/* The file called name: 0, or E_NOENT. */
int archive_find(const struct archive *a, const char *name, uint64_t *offset, uint64_t *size);

/* A free capability slot of this task, or -1; and giving one back. */
long slot_alloc(void);
void slot_free(long slot);
/* Mark a slot that came filled (exec's pipe ends) as in use: slot, or -1 if out of range. */
long slot_reserve(long slot);

struct spawn_req {
	const char *name;     /* program in the archive */
	char *const *argv;    /* NULL-terminated; argv[0] should be the name */
	long supervisor;      /* endpoint slot told of its exit and faults, or -1 */
	uint64_t quota;	      /* bytes; 0: as much as ours */
	uint64_t base;	      /* load bias for a position-independent program, else 0 */
	char *const *envp;    /* NULL-terminated, or NULL: none */
	long object;	      /* a memory object slot holding the file instead, 0: the archive */
	uint64_t object_size; /* the file's bytes in that object */
	const uint64_t *aux;  /* (key, value) words for the stack after envp, or NULL */
	unsigned naux;	      /* how many words */
};

struct spawned {
	long task; /* our slot holding the new task */
	uint64_t entry, sp;
	unsigned reloc_pages; /* pages made private only because relocations write them */
};

/* Create the task and have the loader server load it, without starting it: 0 or a
 * negative error (enum err or enum elf_err). */
int spawn_create(const struct spawn_req *req, struct spawned *out);
/* The same, loading in this task (init starts the loader server so). */
int spawn_create_local(const struct spawn_req *req, struct spawned *out);
/* Start its first thread: thread id or a negative error. */
long spawn_start(const struct spawned *s);
/* Both: the task's slot, or a negative error (enum err or enum elf_err). */
long spawn(const struct spawn_req *req);

#endif
