/*
 * Helpers for the in-guest tests: threads in the test's own task (with a join), helper
 * tasks running the test program itself in another role, each with its own supervisor
 * endpoint, and slots.
 */
#ifndef USER_TESTUTIL_H
#define USER_TESTUTIL_H

#include <stdint.h>

#include "taskspawn.h"
#include "syscall.h"

#define TU_NS_PER_MS 1000000UL

/* A new slot holding a fresh object (OBJ_ENDPOINT or OBJ_NOTIFY), or a negative error. */
long tu_obj(uint32_t type);

/*
 * Start fn(arg) in a new thread of this task. When fn returns the thread sets bit in the
 * join notification and exits with test_status(), so whichever thread ends last reports
 * the result. Call tu_join_init() once first. Returns the thread id or a negative error.
 */
int tu_join_init(void);
long tu_thread(void (*fn)(uint64_t), uint64_t arg, uint64_t bit);
/* Wait until every bit in mask has been set by an ending thread. */
void tu_join(uint64_t mask);

/* A helper task: this program again, with argv {self, role}. */
struct tu_helper {
	struct spawned s;
	long ep;  /* our endpoint, where the kernel reports the helper's exit and faults */
	long sup; /* the badged send copy given as its supervisor */
	int started;
};

/* Create (not start) the helper; quota 0: as much as ours. 0 or a negative error. */
int tu_helper_create(struct tu_helper *h, const char *self, const char *role, uint64_t quota);
/* Copy our slot into the helper's slot (before it starts). */
int tu_helper_put(struct tu_helper *h, long mine, long theirs, uint32_t rights);
long tu_helper_start(struct tu_helper *h);
/* Wait up to timeout_ms for the helper's kernel report (exit, fault): 0 or E_AGAIN. */
int tu_helper_wait(struct tu_helper *h, struct ipc_msg *m, unsigned timeout_ms);
/* Kill the helper and free its slots. */
void tu_helper_kill(struct tu_helper *h);

/*
 * A dense private region for the shared-page-table tests: TU_REGION_PAGES pages at a
 * 2 MiB-aligned address, alone in their level-0 table and dense enough for fork to share
 * it (docs/vm-cow.md). tu_region_map maps it and gives page i the value
 * tu_region_value(i, 1).
 */
#define TU_REGION	0x3000000000UL
#define TU_REGION_PAGES 128 /* twice the kernel's threshold for sharing a dirty table */
#define TU_PAGE		4096

static inline volatile uint64_t *tu_region_page(int i)
{
	return (volatile uint64_t *)(TU_REGION + (uint64_t)i * TU_PAGE);
}

static inline uint64_t tu_region_value(int i, uint64_t who)
{
	return who * 1000 + (uint64_t)i;
}

/* 0, or -1 if the region could not be mapped at TU_REGION. */
int tu_region_map(void);
/* Every page holds its first value, except page mine (-1: none), which holds who's. */
int tu_region_ok(int mine, uint64_t who);
/* The free frames one store of v to page i used (the memstat buffers are written first). */
long tu_region_store(int i, uint64_t v);

#endif
