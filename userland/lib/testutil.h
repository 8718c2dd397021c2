/*
 * Helpers for the in-guest tests: threads in the test's own task (with a join), helper
 * tasks running the test program itself in another role, each with its own supervisor
 * endpoint, and slots.
 */
#ifndef USER_TESTUTIL_H
#define USER_TESTUTIL_H

#include <stdint.h>

#include "spawn.h"
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

#endif
