/*
 * What a pipe's processes and the fork server share (docs/userland.md). A pipe is made
 * by the fork server (PROC_PIPE), which keeps a capability to each of its objects, maps
 * its header, and so can close the ends of a process that died without closing them.
 *
 * The header counts open ends per process (by fork-server table index): a process
 * changes only its own counts, with one atomic add each; the number of readers or
 * writers is the sum. The fork server copies a parent's counts to its child at fork
 * (before the child runs), keeps them across exec, and clears a dead process's.
 */
#ifndef USER_PIPE_H
#define USER_PIPE_H

#include <stdint.h>

#include "proc.h"

#define PIPE_PAGES	5  /* the header page, then a 16 KiB ring */
#define PIPE_SERVER_MAX 32 /* pipes alive at once, in the whole system */

enum pipe_end { PIPE_END_READ = 0, PIPE_END_WRITE = 1 };

/* The shared header, at the start of the object. */
struct pipe_shared {
	uint64_t head;		   /* bytes ever written */
	uint64_t tail;		   /* bytes ever read */
	uint32_t rwait, wwait;	   /* threads waiting for data, for space */
	uint32_t rlock, wlock;	   /* one reader, one writer moves bytes at a time */
	int32_t ends[PROC_MAX][2]; /* open ends of each process, read and write */
};

/*
 * Pipe ends across exec. execve sends one 32-bit entry per pipe descriptor after the
 * strings: fd | end << 8 | pipe id << 16. The fork server puts each pipe's objects in
 * the new image's first free slots (memory, data, space: three per pipe, in order) and
 * describes them on its stack after envp as (key, value) pairs the C library reads.
 */
#define EXEC_FD(fd, end, id) ((uint32_t)(fd) | (uint32_t)(end) << 8 | (uint32_t)(id) << 16)
#define EXEC_FD_FD(e)	     ((e)&0xff)
#define EXEC_FD_END(e)	     (((e) >> 8) & 0xff)
#define EXEC_FD_ID(e)	     ((e) >> 16)
#define AUX_PIPE	     0x7001 /* value: pipe id | first slot << 16 */
#define AUX_FD		     0x7002 /* value: fd | end << 8 | index of its AUX_PIPE << 16 */

/* The fork server's side (pipesrv.c). idx is a process's table index. */
int64_t pipesrv_create(long task, unsigned idx, const uint64_t slots[3]);
void pipesrv_fork(unsigned parent, unsigned child);
void pipesrv_release(unsigned idx);
/* exec: check list against idx's ends and describe it in aux (2 words a pair): words, or -errno. */
int pipesrv_exec_plan(unsigned idx, const uint32_t *list, unsigned n, uint64_t *aux, unsigned max);
/* Put the planned pipes' capabilities in the new task; then make idx's counts the plan's. */
int pipesrv_exec_install(long task);
void pipesrv_exec_commit(unsigned idx);
void pipesrv_init(void);

#endif
