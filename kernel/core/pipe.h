/*
 * Pipes: a ring of PIPE_RING bytes and its ends, each an object a capability names and
 * each one open file description (POSIX): its O_NONBLOCK is the end's, so descriptors
 * that share it by dup, fork or exec see one flag. pipe_create makes two ends, inside
 * the pipe; each open of a named pipe makes an end of its own. An end's count is the
 * capabilities that name it (a descriptor's, a forked child's, an exec'd image's); the
 * pipe counts its live ends of each side: when the last write end goes, readers get end
 * of file once the ring is empty; when the last read end goes, writes fail with E_DEAD.
 * The ring lives until every end is gone (and a named pipe's own capability). A thread that must wait sleeps on its ecall in the pipe's one wait
 * queue and runs its call again when woken (docs/syscalls.md, pipe_read and pipe_write).
 */
#ifndef KERNEL_PIPE_H
#define KERNEL_PIPE_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/abi/pipe.h"
#include "kernel/core/object.h"
#include "vm/vm.h"

#define PIPE_PAGES (PIPE_RING / PAGE_SIZE)
_Static_assert(PIPE_RING % PAGE_SIZE == 0, "the ring is whole frames");

enum pipe_side { PIPE_READER = 0, PIPE_WRITER = 1 };

struct pipe;

/*
 * An end holds a reference on its pipe; at 0 it wakes the waiters and lets go. pipe()'s
 * two live inside the pipe (no allocation, no charge), a named pipe's are allocated.
 */
struct pipe_end {
	struct kobj hdr; /* OBJ_PIPE_READ or OBJ_PIPE_WRITE */
	struct pipe *pipe;
	uint8_t side;	  /* enum pipe_side */
	uint8_t nonblock; /* O_NONBLOCK: a call that would wait fails with E_AGAIN */
};

struct pipe {
	struct kobj hdr;	/* OBJ_PIPE: one reference per live end, one per capability */
	struct pipe_end end[2]; /* pipe()'s ends (enum pipe_side); a named pipe's are unused */
	uint32_t head, tail;	/* bytes ever written and read, modulo 2^32 */
	uint32_t ends[2];	/* live ends of each side */
	bool fifo;		/* a named pipe: its holder may open more ends */
	/* Readers of an empty pipe or writers of a full one: never both at once. */
	struct thread *waitq;
	char *ring[PIPE_PAGES];
};

/* A new pipe charged to payer, its ends installed in the empty slots rd and wr. */
int pipe_create(struct task *payer, struct cap *rd, struct cap *wr);
/*
 * Up to n bytes into t's buffer at va: how many (0: end of file), an error, or t is left
 * blocked on its ecall (not TS_RUNNING) to run the call again when woken.
 */
long pipe_read(struct thread *t, struct pipe_end *e, uint64_t va, uint64_t n, bool block);
/* Up to n bytes from va into the pipe, the same way (E_DEAD: no read end left). */
long pipe_write(struct thread *t, struct pipe_end *e, uint64_t va, uint64_t n, bool block);
/* A named pipe, both ends closed, its own capability (CAP_CONTROL) in the empty dst. */
int fifo_create(struct task *payer, struct cap *dst);
/* A new end of p's side, charged to payer, in the empty dst: 0, E_QUOTA or E_NOMEM. */
int fifo_open(struct task *payer, struct pipe *p, enum pipe_side side, struct cap *dst);
/* A named pipe's open ends and bytes held (PIPE_STATE_READERS, _WRITERS, _BYTES). */
long fifo_state(const struct pipe *p);
/* What e would do now, without waiting (PIPE_STATE_* in kernel/abi/pipe.h). */
long pipe_state(const struct pipe_end *e);
/* t, in TS_BLOCKED_PIPE, leaves the wait queue (a kill or an upcall). */
void pipe_unqueue(struct thread *t);

/* e's last capability went: true if e lives inside its pipe (nothing of its own to free). */
bool pipe_end_destroy(struct pipe_end *e);
void pipe_destroy(struct pipe *p);

#endif
