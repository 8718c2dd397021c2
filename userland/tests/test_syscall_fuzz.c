/*
 * System-call fuzzer: the kernel never panics, hangs or leaks because of what a user
 * program passes it, and every call returns 0, a value where it returns one, or one of
 * the error codes docs/syscalls.md lists for it.
 *
 * Two roles run as helper tasks under a memory quota, with our endpoint as supervisor:
 * - "targeted": every call, each argument (and IPC register) in turn given each bad value
 *   of its kind, the others valid: the call must fail with a documented code.
 * - "w<seed>": FUZZ_CALLS calls with random numbers (out-of-range ones and SYS_NONBLOCK
 *   too) and arguments drawn from interesting values, seeded by xorshift with the seed
 *   printed, so a failure can be replayed ("run test_syscall_fuzz w<seed> v" runs one
 *   directly and prints every call first). A second thread receives and answers, so
 *   messages, buffers and capabilities really move; a third calls the worker so that
 *   it can fork itself with random arguments.
 * Each reports its count of bad returns with a call on REPORT_SLOT, then we kill it. We
 * then check that the kernel still forks and passes messages, and that every frame the
 * helpers and their objects took has come back.
 *
 * The fuzzer keeps away from what legitimately ends or hangs a program, each named below
 * (SAFETY): exit, killing or deleting its own task, unmapping its own code and stack,
 * blocking with nobody to wake it, and tasks left alive with no capability to kill them.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "kernel/abi/console.h"
#include "kernel/abi/pipe.h"
#include "testlib.h"
#include "testutil.h"

/* The tables below name only the fields that matter; the rest are 0 on purpose. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define FUZZ_WORKERS	 8
#define FUZZ_CALLS	 3000
#define INJECT_EVERY	 5 /* debug kernels, role "i<seed>": this often an allocation fails */
#define FUZZ_SEED	 0x5eed0000u
#define WORKER_QUOTA	 (4 * 1024 * 1024UL)
#define VICTIM_QUOTA	 (256 * 1024UL)
#define HELPER_TIMEOUT	 30000 /* ms: a helper that has not reported by then hangs */
#define LABEL_REPORT	 0x4e90
#define REPORT_SLOT	 300 /* value() never generates it (SAFETY) */
#define SLOT_FORK_EP	 301 /* worker: where its forking thread calls it; not fuzzed */
#define SLOT_REPLAY_PROC 302 /* run directly: our fork-server capability, kept aside */
#define SLOT_RANGE	 41  /* the fuzzer's small slots: 0..40 */
#define SLOT_VICTIM	 9   /* a task we made for the helper to work on */
#define SLOT_EP		 10
#define SLOT_NT		 11
#define SLOT_MEM	 12
#define SLOT_TASK	 13		/* targeted: a task the helper made */
#define SLOT_THREAD	 14		/* targeted: a thread of its own, blocked */
#define SLOT_NT_BLOCK	 15		/* targeted: the notification that thread waits on */
#define SLOT_PIPE_R	 16		/* targeted: a pipe's read end */
#define SLOT_PIPE_W	 17		/* targeted: its write end */
#define SLOT_DST	 20		/* targeted: the destination slot for calls that fill one */
#define FUZZ_VA		 0x2400000000UL /* where the fuzzer may map and unmap its own pages */
#define FUZZ_PAGES	 16
#define UNMAPPED_VA	 0x2f00000000UL
#define KERNEL_VA	 0xffffffff80200000UL
#define MEM_PAGES	 2
#define MEMOBJ_MAX_PAGES 512 /* docs/syscalls.md, obj_create */
#define IRQ_SOURCE	 1
#define FUTEX_TICKS_MAX	 100000 /* 10 ms at QEMU's 10 MHz timebase */
#define NS_SLEEP_MAX	 100000
#define STACK_BUF	 256
#define FRAME_POLLS	 100
#define POLL_NS		 (10 * TU_NS_PER_MS)
#define RW		 (MAP_PROT_READ | MAP_PROT_WRITE)
#define E_BIT(e)	 (1u << -(e))
/* Stand-ins for addresses in the constant tables, resolved by addr() before a call. */
#define P_SCRATCH	 0xa000000000000001UL
#define P_COMPAT	 0xa000000000000002UL
#define P_STUB_EXIT	 0xa000000000000003UL

/*
 * Buffers the kernel may write: a pointer the fuzzer makes points into the first
 * SCRATCH_SPAN bytes, and the kernel writes at most IPC_BUF_MAX from there, so the slack
 * after keeps every write inside (no variable of ours lives there).
 */
#define SCRATCH_SPAN (3 * PAGE_BYTES)
static char scratch[SCRATCH_SPAN + IPC_BUF_MAX] __attribute__((aligned(PAGE_BYTES)));
static const char compat[] = "ns16550a";
static int bad_returns;
static pid_t replay_pid; /* run directly: our pid, for the fork server to end us */
static unsigned forks;	 /* worker: forks that made a child */

/* --- what each call may return (docs/syscalls.md, "Errors") --- */

#define E_SLOTS	 (E_BIT(E_BADCAP) | E_BIT(E_TYPE) | E_BIT(E_RIGHTS))
#define E_TASKS	 (E_SLOTS | E_BIT(E_DEAD))
#define E_DSTS	 (E_BIT(E_BADCAP) | E_BIT(E_QUOTA) | E_BIT(E_NOMEM) | E_BIT(E_BUSY))
#define E_MSG	 (E_BIT(E_RANGE) | E_BIT(E_FAULT) | E_BIT(E_BADCAP) | E_BIT(E_RIGHTS))
#define E_RECV	 (E_MSG | E_SLOTS | E_BIT(E_AGAIN) | E_BIT(E_DEAD) | E_BIT(E_NOMEM))
#define E_DEVCTL (E_SLOTS | E_BIT(E_RANGE) | E_BIT(E_NOSYS))
#define VALUE_OK (1u << 31) /* a non-negative value, not only 0 */

static const uint32_t allowed[SYS__COUNT] = {
	[SYS_debug_write] = E_BIT(E_RANGE) | E_BIT(E_FAULT) | VALUE_OK,
	[SYS_send] = E_RECV,
	[SYS_recv] = E_RECV,
	[SYS_call] = E_RECV,
	[SYS_reply] = E_MSG | E_BIT(E_DEAD),
	[SYS_reply_recv] = E_RECV,
	[SYS_reply_save] = E_DSTS,
	[SYS_cap_copy] = E_DSTS,
	[SYS_cap_mint] = E_DSTS | E_BIT(E_TYPE) | E_BIT(E_INVAL),
	[SYS_cap_delete] = E_BIT(E_BADCAP),
	[SYS_cap_revoke] = E_BIT(E_BADCAP),
	[SYS_cap_info] = E_BIT(E_BADCAP) | VALUE_OK,
	[SYS_obj_create] = E_TASKS | E_DSTS | E_BIT(E_RANGE),
	[SYS_notify_signal] = E_SLOTS,
	[SYS_notify_wait] = E_SLOTS | E_BIT(E_AGAIN) | E_BIT(E_DEAD),
	[SYS_task_create] = E_TASKS | E_DSTS,
	[SYS_task_cap_put] = E_TASKS | E_DSTS,
	[SYS_thread_create] = E_TASKS | E_DSTS | VALUE_OK,
	[SYS_task_kill] = E_TASKS,
	[SYS_map_anon] = E_TASKS | E_BIT(E_INVAL) | E_BIT(E_BUSY) | E_BIT(E_NOMEM) | E_BIT(E_QUOTA),
	[SYS_map] = E_TASKS | E_BIT(E_INVAL) | E_BIT(E_BUSY) | E_BIT(E_NOMEM) | E_BIT(E_QUOTA),
	[SYS_unmap] = E_TASKS | E_BIT(E_INVAL) | E_BIT(E_NOMEM),
	[SYS_protect] = E_TASKS | E_BIT(E_INVAL) | E_BIT(E_FAULT) | E_BIT(E_NOMEM),
	[SYS_memstat] = E_TASKS | E_BIT(E_FAULT) | E_BIT(E_NOMEM),
	[SYS_fork] = E_TASKS | E_DSTS | E_BIT(E_INVAL) | VALUE_OK,
	[SYS_irq_bind] = E_DEVCTL | E_BIT(E_INVAL) | E_BIT(E_BUSY),
	[SYS_console_read] = E_BIT(E_BADCAP) | E_BIT(E_TYPE) | E_BIT(E_FAULT) | E_BIT(E_AGAIN) |
			     E_BIT(E_NOMEM) | VALUE_OK,
	[SYS_poweroff] = E_BIT(E_BADCAP) | E_BIT(E_TYPE),
	[SYS_thread_ctl] = E_SLOTS | E_BIT(E_INVAL),
	[SYS_sysinfo] = E_BIT(E_FAULT) | E_BIT(E_NOMEM),
	[SYS_irq_ack] = E_DEVCTL | E_BIT(E_NOENT),
	[SYS_irq_unbind] = E_DEVCTL | E_BIT(E_NOENT),
	[SYS_device_get] = E_SLOTS | E_DSTS | E_BIT(E_RANGE) | E_BIT(E_FAULT) | E_BIT(E_INVAL) |
			   E_BIT(E_NOENT) | VALUE_OK,
	[SYS_failalloc] = E_BIT(E_NOSYS) | VALUE_OK,
	[SYS_dma_addr] = E_SLOTS | E_BIT(E_INVAL) | E_BIT(E_RANGE) | VALUE_OK,
	[SYS_futex_wait] = E_BIT(E_INVAL) | E_BIT(E_FAULT) | E_BIT(E_AGAIN) | E_BIT(E_TIMEOUT),
	[SYS_futex_wake] = E_BIT(E_INVAL) | E_BIT(E_FAULT) | VALUE_OK,
	[SYS_upcall] =
		E_TASKS | E_BIT(E_FAULT) | E_BIT(E_AGAIN), /* E_AGAIN: its last thread exits */
	[SYS_upcall_return] = E_BIT(E_FAULT),
	[SYS_memobj_resize] = E_SLOTS | E_BIT(E_INVAL) | E_BIT(E_RANGE) | E_BIT(E_NOMEM),
	[SYS_console_intr] = E_SLOTS | E_BIT(E_INVAL) | E_BIT(E_BUSY),
	[SYS_pipe_create] = E_TASKS | E_DSTS,
	[SYS_pipe_read] = E_SLOTS | E_BIT(E_FAULT) | E_BIT(E_AGAIN) | E_BIT(E_NOMEM) | VALUE_OK,
	[SYS_pipe_write] = E_SLOTS | E_BIT(E_FAULT) | E_BIT(E_AGAIN) | E_BIT(E_DEAD) |
			   E_BIT(E_NOMEM) | VALUE_OK,
	[SYS_task_cap_get] = E_TASKS | E_DSTS,
	[SYS_pipe_state] = E_SLOTS | VALUE_OK,
	[SYS_console_mode_get] = E_SLOTS | E_BIT(E_FAULT) | E_BIT(E_NOMEM),
	[SYS_console_mode_set] = E_SLOTS | E_BIT(E_FAULT) | E_BIT(E_INVAL),
	[SYS_upcall_stack] = E_BIT(E_INVAL),
	[SYS_cpu_time] = E_TASKS | E_BIT(E_INVAL) | VALUE_OK,
	[SYS_fifo_create] = E_TASKS | E_DSTS,
	[SYS_fifo_open] = E_SLOTS | E_DSTS | E_BIT(E_INVAL) | E_BIT(E_QUOTA),
	[SYS_pipe_nonblock] = E_SLOTS | E_BIT(E_INVAL),
	[SYS_entropy] = E_BIT(E_INVAL) | E_BIT(E_FAULT) | E_BIT(E_NOMEM) | E_BIT(E_NOSYS),
};

/* Is r something call nr may return? Out-of-range numbers get E_NOSYS only. */
static int injecting; /* "i<seed>": every INJECT_EVERY-th kernel allocation fails */

static int documented(uint64_t nr, long r)
{
	nr &= ~(uint64_t)SYS_NONBLOCK;
	if (nr >= SYS__COUNT)
		return r == E_NOSYS;
	if (r == 0 || (injecting && (r == E_NOMEM || r == E_QUOTA)))
		return 1;
	if (r > 0)
		return (allowed[nr] & VALUE_OK) != 0;
	return r > -E__COUNT && (allowed[nr] & E_BIT(r)) != 0;
}

/* One call with every register the kernel reads: a0..a5 and the IPC registers. */
struct regs {
	uint64_t nr, a[6], t0, t1, t2, t6;
};

static long issue(const struct regs *r)
{
	struct ipc_msg m = { .tag = r->a[1],
			     .sbuf = (const void *)r->t0,
			     .rbuf = (void *)r->t1,
			     .rspec = r->t2,
			     .cap = r->t6 };
	m.w[0] = r->a[2];
	m.w[1] = r->a[3];
	m.w[2] = r->a[4];
	m.w[3] = r->a[5];
	return ipc((long)r->nr, r->a[0], &m);
}

static int verbose; /* a third argument: print every call first (to replay a seed) */

static long checked(const struct regs *r)
{
	if (verbose)
		printf("  > %lx (%lx %lx %lx %lx %lx %lx t0 %lx t1 %lx t2 %lx t6 %lx)\n",
		       (unsigned long)r->nr, (unsigned long)r->a[0], (unsigned long)r->a[1],
		       (unsigned long)r->a[2], (unsigned long)r->a[3], (unsigned long)r->a[4],
		       (unsigned long)r->a[5], (unsigned long)r->t0, (unsigned long)r->t1,
		       (unsigned long)r->t2, (unsigned long)r->t6);
	long ret = issue(r);
	if (!documented(r->nr, ret)) {
		printf("  undocumented: call %lu (%lx %lx %lx %lx %lx %lx t0 %lx t1 %lx t2 %lx "
		       "t6 %lx) -> %ld\n",
		       (unsigned long)r->nr, (unsigned long)r->a[0], (unsigned long)r->a[1],
		       (unsigned long)r->a[2], (unsigned long)r->a[3], (unsigned long)r->a[4],
		       (unsigned long)r->a[5], (unsigned long)r->t0, (unsigned long)r->t1,
		       (unsigned long)r->t2, (unsigned long)r->t6, ret);
		bad_returns++;
	}
	return ret;
}

/*
 * Threads with no stack: one exits at once (a thread that is not its task's last just
 * ends), one waits on SLOT_NT_BLOCK, then exits.
 */
void stub_exit(void);
void stub_block(void);
__asm__(".text\n"
	".globl stub_exit\n"
	"stub_exit:\n"
	"	li a0, 0\n"
	"	li a1, 0\n" /* no done word */
	"	li a7, 2\n" /* SYS_exit */
	"	ecall\n"
	"	j stub_exit\n"
	".globl stub_block\n"
	"stub_block:\n"
	"	li a0, 15\n" /* SLOT_NT_BLOCK */
	"	li a7, 17\n" /* SYS_notify_wait */
	"	ecall\n"
	"	j stub_exit\n");
_Static_assert(SYS_exit == 2 && SYS_notify_wait == 17 && SLOT_NT_BLOCK == 15, "stub numbers");

/* Tell the parent how it went; it kills us after. */
static void report(void)
{
	struct ipc_msg m = { .tag = ipc_tag(LABEL_REPORT, 2, 0, 0) };
	m.w[0] = (uint64_t)(bad_returns + test_failures);
	m.w[1] = forks;
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	while (ipc_call(REPORT_SLOT, &m) != E_BADCAP)
		;
	/* Run directly: no parent to report to. Our other threads must end for exit to. */
	SYSCALL(notify_signal, SLOT_NT_BLOCK, 1);
	SYSCALL(sleep, POLL_NS);
	printf("  %lu bad returns\n", (unsigned long)m.w[0]);
	fflush(stdout);
	/* The receiving and forking threads never end: have the fork server end us. */
	struct ipc_msg k = { .tag = ipc_tag(PROC_KILL, 2, 0, 0),
			     .w = { (uint64_t)replay_pid, SIGKILL } };
	k.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	ipc_call(SLOT_REPLAY_PROC, &k);
	exit(m.w[0] != 0);
}

/* --- targeted: one bad argument at a time --- */

enum kind {
	K_FREE,	    /* any value is valid */
	K_SLOT,	    /* a capability of the right type and rights */
	K_TASKSLOT, /* as K_SLOT, for a task: SLOT_SELF is valid */
	K_DST,	    /* an empty slot of ours */
	K_DSTOPT,   /* the same, or -1 for none */
	K_PTR,	    /* readable memory */
	K_WPTR,	    /* writable memory */
	K_VA,	    /* a page-aligned user address */
	K_PAGES,    /* a page count (at least 1) */
	K_PROT,	    /* MAP_PROT_* */
	K_LEN,	    /* a byte count up to a limit */
	K_SKIP,	    /* not fuzzed here (SAFETY: a pc in our own task) */
};

#define BAD_MAX 12
#define ENDV	0xe0d0e0d0e0d0e0d0UL /* ends a list of values that may hold 0 */
static const uint64_t bad_values[][BAD_MAX] = {
	[K_SLOT] = { 41, 511, 512, 1UL << 32, -1UL, 0x8000000000000000UL, KERNEL_VA, 1, ENDV },
	[K_TASKSLOT] = { 41, 511, 512, 1UL << 32, -1UL, SLOT_EP, SLOT_NT, KERNEL_VA, ENDV },
	[K_DST] = { 0, SLOT_EP, 512, 1UL << 32, -1UL, 0x8000000000000000UL, ENDV },
	[K_DSTOPT] = { 0, SLOT_EP, 512, 1UL << 32, -2UL, 0x8000000000000000UL, ENDV },
	[K_PTR] = { 0, 8, KERNEL_VA, UNMAPPED_VA, USER_VA_MAX - 4, -8UL, 0xfff,
		    0x8000000000000000UL, ENDV },
	[K_WPTR] = { 0, 8, KERNEL_VA, UNMAPPED_VA, USER_VA_MAX - 4, -8UL, P_COMPAT,
		     0x8000000000000000UL, ENDV },
	[K_VA] = { 0, 8, KERNEL_VA, USER_VA_MAX, FUZZ_VA + 1, -PAGE_BYTES, 0x8000000000000000UL,
		   ENDV },
	[K_PAGES] = { 0, 1UL << 40, -1UL, 1UL << 26, ENDV },
	[K_PROT] = { MAP_PROT_WRITE, MAP_PROT_WRITE | MAP_PROT_EXEC, MAP_PROT_READ | 0x100, -1UL,
		     ENDV },
	[K_LEN] = { IPC_BUF_MAX + 1, -1UL, 1UL << 32, ENDV },
};
/* How many values a list holds: up to ENDV, or none if it is all zero. */
static unsigned list_len(const uint64_t *v)
{
	unsigned n = 0;
	if (v[0] == 0 && v[1] == 0)
		return 0;
	while (n < BAD_MAX && v[n] != ENDV)
		n++;
	return n;
}

struct target {
	uint64_t nr;
	struct regs base;
	uint8_t kind[6];
	uint64_t bad[6][BAD_MAX]; /* extra bad values for one position, 0-terminated */
};

/* Constant forms of ipc_tag(1, 1, 8, 0), ipc_tag(1, 1, 0, 1), ipc_recv_spec(64, NONE). */
#define TAG_BUF	 ((1UL << IPC_TAG_LABEL_SHIFT) | (8UL << IPC_TAG_LEN_SHIFT) | 1)
#define TAG_CAP	 ((1UL << IPC_TAG_LABEL_SHIFT) | IPC_TAG_CAP | 1)
#define SPEC_OK	 ((64UL << 16) | IPC_RECV_SLOT_NONE)
#define NB(call) ((uint64_t)SYS_##call | SYS_NONBLOCK)

/*
 * Each call with valid arguments (the success of some is undone by cleanup()), the kind
 * of each argument, and bad values beyond the kind's. IPC registers are fuzzed apart.
 */
static const struct target targets[] = {
	{ SYS_debug_write, { SYS_debug_write, { P_COMPAT, 1 } }, { K_PTR, K_LEN } },
	{ SYS_send, { NB(send), { SLOT_EP, TAG_BUF }, P_SCRATCH }, { K_SLOT } },
	{ SYS_recv, { NB(recv), { SLOT_EP }, 0, P_SCRATCH, SPEC_OK }, { K_SLOT } },
	{ SYS_call, { NB(call), { SLOT_EP, TAG_BUF }, P_SCRATCH, 0, SPEC_OK }, { K_SLOT } },
	{ SYS_reply_recv,
	  { NB(reply_recv), { SLOT_EP, TAG_BUF }, P_SCRATCH, 0, SPEC_OK },
	  { K_SLOT } },
	{ SYS_reply_save, { SYS_reply_save, { SLOT_DST } }, { K_DST } },
	{ SYS_cap_copy,
	  { SYS_cap_copy, { SLOT_EP, SLOT_DST, CAP_ALL } },
	  { K_SLOT, K_DST, K_FREE } },
	{ SYS_cap_mint,
	  { SYS_cap_mint, { SLOT_EP, SLOT_DST, CAP_ALL, 7 } },
	  { K_SLOT, K_DST, K_FREE, K_FREE },
	  { [3] = { 0, ENDV } } },
	{ SYS_cap_revoke, { SYS_cap_revoke, { SLOT_EP } }, { K_SLOT } },
	{ SYS_cap_info, { SYS_cap_info, { SLOT_EP } }, { K_SLOT } },
	{ SYS_obj_create,
	  { SYS_obj_create, { SLOT_SELF, OBJ_MEMORY, SLOT_DST, 1 } },
	  { K_TASKSLOT, K_FREE, K_DST, K_FREE },
	  { [1] = { OBJ_TASK, OBJ_THREAD, OBJ_REPLY, OBJ_IRQCTL, OBJ_MACHINE, 99, -1UL,
		    (1UL << 32) | OBJ_MEMORY, ENDV },
	    [3] = { MEMOBJ_MAX_PAGES + 1, -1UL, 1UL << 32, ENDV } } },
	{ SYS_notify_signal, { SYS_notify_signal, { SLOT_NT, 1 } }, { K_SLOT, K_FREE } },
	{ NB(notify_wait), { NB(notify_wait), { SLOT_NT } }, { K_SLOT } },
	{ SYS_task_create,
	  { SYS_task_create, { SLOT_SELF, SLOT_DST, VICTIM_QUOTA, SLOT_EP } },
	  { K_TASKSLOT, K_DST, K_FREE, K_FREE },
	  { [2] = { 0, -1UL, 1UL << 62, ENDV }, [3] = { SLOT_NT, 41, 512, -2UL, ENDV } } },
	{ SYS_task_cap_put,
	  { SYS_task_cap_put, { SLOT_TASK, SLOT_EP, SLOT_DST, CAP_ALL } },
	  { K_TASKSLOT, K_SLOT, K_FREE, K_FREE },
	  { [2] = { 0, 512, -1UL, 1UL << 32, ENDV } } },
	{ SYS_thread_create,
	  { SYS_thread_create, { SLOT_SELF, SLOT_DST, P_STUB_EXIT, 0, 0 } },
	  { K_TASKSLOT, K_DSTOPT, K_SKIP, K_FREE, K_FREE } },
	{ SYS_task_kill, { SYS_task_kill, { SLOT_TASK } }, { K_TASKSLOT }, { { SLOT_MEM, ENDV } } },
	{ SYS_memobj_resize,
	  { SYS_memobj_resize, { SLOT_MEM, MEM_PAGES } },
	  { K_SLOT, K_FREE },
	  { [1] = { MEM_PAGES + 1, -1UL, 1UL << 32, ENDV } } },
	{ SYS_map_anon,
	  { SYS_map_anon, { SLOT_SELF, FUZZ_VA, 1, RW } },
	  { K_TASKSLOT, K_VA, K_PAGES, K_PROT } },
	{ SYS_map,
	  { SYS_map, { SLOT_SELF, SLOT_MEM, FUZZ_VA, 0, MEM_PAGES, RW | MAP_KIND_SHARED } },
	  { K_TASKSLOT, K_SLOT, K_VA, K_FREE, K_PAGES, K_PROT },
	  { [3] = { MEM_PAGES, -1UL, 1UL << 40, ENDV },
	    [4] = { MEM_PAGES + 1, ENDV },
	    [5] = { MAP_PROT_READ, MAP_PROT_READ | MAP_KIND_SHARED | MAP_KIND_COPY,
		    MAP_PROT_WRITE | MAP_KIND_SHARED, ENDV } } },
	{ SYS_unmap,
	  { SYS_unmap, { SLOT_SELF, FUZZ_VA, 1 } },
	  { K_TASKSLOT, K_VA, K_FREE },
	  { [2] = { -1UL, 1UL << 40, ENDV } } },
	{ SYS_protect,
	  { SYS_protect, { SLOT_SELF, FUZZ_VA, 1, MAP_PROT_READ } },
	  { K_TASKSLOT, K_VA, K_FREE, K_PROT },
	  { [2] = { 2, -1UL, 1UL << 40, ENDV } } },
	{ SYS_memstat, { SYS_memstat, { SLOT_SELF, P_SCRATCH } }, { K_TASKSLOT, K_WPTR } },
	{ SYS_fork,
	  { SYS_fork, { SLOT_SELF, SLOT_DST, FORK_COW, -1UL, 0, -1UL } },
	  { K_TASKSLOT, K_DST, K_FREE, K_FREE, K_FREE, K_FREE },
	  { [2] = { 2, -1UL, ENDV },
	    [3] = { SLOT_NT, 41, 512, ENDV },
	    [4] = { 1, ENDV },
	    [5] = { SLOT_SELF, 512, ENDV } } },
	{ SYS_irq_bind,
	  { SYS_irq_bind, { SLOT_IRQCTL, IRQ_SOURCE, SLOT_NT, 1 } },
	  { K_SLOT, K_FREE, K_SLOT, K_FREE },
	  { [1] = { 0, 1UL << 32, 0xffff, -1UL, ENDV }, [3] = { 0, ENDV } } },
	{ NB(console_read),
	  { NB(console_read), { SLOT_CONSOLE, P_SCRATCH, 8 } },
	  { K_SLOT, K_WPTR, K_FREE },
	  { [2] = { -1UL, 1UL << 40, ENDV } } },
	{ SYS_console_intr,
	  { SYS_console_intr, { SLOT_CONSOLE, SLOT_NT, 1, 3 } },
	  { K_SLOT, K_SLOT, K_FREE, K_FREE },
	  { [2] = { 0, ENDV }, [3] = { 256, -1UL, ENDV } } },
	{ SYS_poweroff, { SYS_poweroff, { SLOT_MACHINE, 0 } }, { K_SLOT, K_FREE } },
	{ SYS_thread_ctl,
	  { SYS_thread_ctl, { SLOT_THREAD, THREAD_CTL_PRIORITY, THREAD_PRIO_DEFAULT } },
	  { K_SLOT, K_FREE, K_FREE },
	  { [1] = { 2, -1UL, 1UL << 32, ENDV },
	    [2] = { THREAD_PRIO_MAX + 1, -1UL, 1UL << 32, ENDV } } },
	{ SYS_sysinfo, { SYS_sysinfo, { P_SCRATCH } }, { K_WPTR } },
	{ SYS_irq_ack,
	  { SYS_irq_ack, { SLOT_IRQCTL, IRQ_SOURCE } },
	  { K_SLOT, K_FREE },
	  { [1] = { 0, 1UL << 32, 0xffff, -1UL, ENDV } } },
	{ SYS_irq_unbind,
	  { SYS_irq_unbind, { SLOT_IRQCTL, IRQ_SOURCE } },
	  { K_SLOT, K_FREE },
	  { [1] = { 0, 1UL << 32, 0xffff, -1UL, ENDV } } },
	{ SYS_device_get,
	  { SYS_device_get, { SLOT_IRQCTL, SLOT_DST, P_COMPAT, sizeof(compat) - 1, 0 } },
	  { K_SLOT, K_DST, K_PTR, K_FREE, K_FREE },
	  { [3] = { 0, 128, -1UL, ENDV }, [4] = { 1UL << 32, -1UL, ENDV } } },
	{ SYS_dma_addr,
	  { SYS_dma_addr, { SLOT_IRQCTL, SLOT_MEM, 0 } },
	  { K_SLOT, K_SLOT, K_FREE },
	  { [2] = { MEM_PAGES, -1UL, ENDV } } },
	{ SYS_pipe_create,
	  { SYS_pipe_create, { SLOT_SELF, SLOT_DST, SLOT_DST + 1 } },
	  { K_TASKSLOT, K_DST, K_DST },
	  { [2] = { SLOT_DST, ENDV } } },
	{ NB(pipe_read),
	  { NB(pipe_read), { SLOT_PIPE_R, P_SCRATCH, 8 } },
	  { K_SLOT, K_WPTR, K_FREE },
	  { [0] = { SLOT_PIPE_W, SLOT_EP, ENDV } } },
	{ NB(pipe_write),
	  { NB(pipe_write), { SLOT_PIPE_W, P_SCRATCH, 8 } },
	  { K_SLOT, K_PTR, K_FREE },
	  { [0] = { SLOT_PIPE_R, SLOT_EP, ENDV } } },
	{ SYS_task_cap_get,
	  { SYS_task_cap_get, { SLOT_TASK, SLOT_SELF, SLOT_DST, CAP_ALL } },
	  { K_TASKSLOT, K_FREE, K_DST, K_FREE },
	  { [1] = { 1, 512, -1UL, 1UL << 32, ENDV } } },
	{ SYS_pipe_state, { SYS_pipe_state, { SLOT_PIPE_R } }, { K_SLOT }, { { 0 } } },
	{ SYS_fifo_create, { SYS_fifo_create, { SLOT_SELF, SLOT_DST } }, { K_TASKSLOT, K_DST } },
	{ SYS_fifo_open,
	  { SYS_fifo_open, { SLOT_PIPE_R, FIFO_READ, SLOT_DST } },
	  { K_SLOT, K_FREE, K_DST },
	  { [1] = { 2, -1UL, ENDV } } },
	{ SYS_pipe_nonblock,
	  { SYS_pipe_nonblock, { SLOT_PIPE_R, 1 } },
	  { K_SLOT, K_FREE },
	  { [1] = { 2, -1UL, ENDV } } },
	{ SYS_entropy, { SYS_entropy, { P_SCRATCH, 16 } }, { K_WPTR, K_LEN } },
};

/* Values tried in K_FREE positions: anything documented may come back. */
static const uint64_t free_values[] = { 0,	   1,	      2,	   3,	    7,
					8,	   64,	      4096,	   -1UL,    1UL << 32,
					1UL << 63, KERNEL_VA, UNMAPPED_VA, FUZZ_VA, 0xfff };

/* Undo whatever a targeted call made: slots, our scratch pages, the task, the binding. */
static void cleanup(void)
{
	SYSCALL(task_kill, SLOT_TASK); /* also empties the slot */
	SYSCALL(task_create, SLOT_SELF, SLOT_TASK, VICTIM_QUOTA, -1);
	for (long s = SLOT_DST; s < SLOT_RANGE; s++) {
		if (SYSCALL(cap_info, s) == (OBJ_TASK | CAP_ALL << 8))
			SYSCALL(task_kill, s);
		SYSCALL(cap_delete, s);
	}
	SYSCALL(unmap, SLOT_SELF, FUZZ_VA, FUZZ_PAGES);
	SYSCALL(memobj_resize, SLOT_MEM, MEM_PAGES); /* whole again after a shrink */
	SYSCALL(irq_unbind, SLOT_IRQCTL, IRQ_SOURCE);
	/* Threads made by thread_create run stub_exit: let them end. */
	SYSCALL(yield);
}

static void setup_targeted(void)
{
	CHECK_EQ(SYSCALL(obj_create, SLOT_SELF, OBJ_ENDPOINT, SLOT_EP, 0), 0);
	CHECK_EQ(SYSCALL(obj_create, SLOT_SELF, OBJ_NOTIFY, SLOT_NT, 0), 0);
	CHECK_EQ(SYSCALL(obj_create, SLOT_SELF, OBJ_MEMORY, SLOT_MEM, MEM_PAGES), 0);
	CHECK_EQ(SYSCALL(obj_create, SLOT_SELF, OBJ_NOTIFY, SLOT_NT_BLOCK, 0), 0);
	CHECK_EQ(SYSCALL(pipe_create, SLOT_SELF, SLOT_PIPE_R, SLOT_PIPE_W), 0);
	CHECK(SYSCALL(thread_create, SLOT_SELF, SLOT_THREAD, (uint64_t)stub_block, 0, 0) > 0);
	memset(scratch, '.', sizeof(scratch));
	cleanup();
}

/* One targeted call; it must fail when must_fail. */
static uint64_t addr(uint64_t v)
{
	return v == P_SCRATCH	  ? (uint64_t)scratch
	       : v == P_COMPAT	  ? (uint64_t)compat
	       : v == P_STUB_EXIT ? (uint64_t)stub_exit
				  : v;
}

static void try_one(const struct target *tg, const struct regs *given, int must_fail)
{
	struct regs rr = *given, *r = &rr;
	for (int i = 0; i < 6; i++)
		r->a[i] = addr(r->a[i]);
	r->t0 = addr(r->t0);
	r->t1 = addr(r->t1);
	/* Protect needs a page to work on; the others get an empty window. */
	if (tg->nr == SYS_protect)
		SYSCALL(map_anon, SLOT_SELF, FUZZ_VA, 1, RW);
	long ret = checked(r);
	if (must_fail && ret >= 0) {
		printf("  call %lu accepted a bad argument (%lx %lx %lx %lx %lx %lx) -> %ld\n",
		       (unsigned long)tg->nr, (unsigned long)r->a[0], (unsigned long)r->a[1],
		       (unsigned long)r->a[2], (unsigned long)r->a[3], (unsigned long)r->a[4],
		       (unsigned long)r->a[5], ret);
		bad_returns++;
	}
	cleanup();
}

static const uint8_t nargs[SYS__COUNT] = {
#define SYS_NARGS_ENTRY(n, name, args, what) [n] = args,
	SYSCALLS(SYS_NARGS_ENTRY)
#undef SYS_NARGS_ENTRY
};

static void targeted_args(const struct target *tg)
{
	unsigned nfree = sizeof(free_values) / sizeof(free_values[0]);
	for (unsigned p = 0; p < nargs[tg->nr & ~(uint64_t)SYS_NONBLOCK]; p++) {
		enum kind k = tg->kind[p];
		struct regs r = tg->base;
		if (k == K_SKIP)
			continue;
		/* The kind's bad values, then the position's own: each must fail. */
		for (unsigned i = 0; k != K_FREE && i < list_len(bad_values[k]); i++) {
			r.a[p] = bad_values[k][i];
			try_one(tg, &r, 1);
		}
		for (unsigned i = 0; i < list_len(tg->bad[p]); i++) {
			r.a[p] = tg->bad[p][i];
			try_one(tg, &r, 1);
		}
		/* Free positions: every interesting value, any documented result. */
		for (unsigned i = 0; k == K_FREE && tg->nr != SYS_poweroff && i < nfree; i++) {
			r.a[p] = free_values[i];
			try_one(tg, &r, 0);
		}
	}
}

/* The IPC registers of each call that sends or receives, one bad value at a time. */
static void targeted_ipc(void)
{
	static const uint64_t nrs[] = { NB(send), NB(call), SYS_reply, NB(reply_recv), NB(recv) };
	static const uint64_t bad_ptr[] = { 0, 8, KERNEL_VA, UNMAPPED_VA, USER_VA_MAX - 4, -8UL };
	static const uint64_t bad_cap[] = { 41, 512, -1UL, SLOT_TASK };
	static const uint64_t bad_spec[] = { ((IPC_BUF_MAX + 1UL) << 16) | IPC_RECV_SLOT_NONE,
					     0xffffffff0000UL, -1UL };
	for (unsigned c = 0; c < sizeof(nrs) / sizeof(nrs[0]); c++) {
		struct regs base = {
			nrs[c], { SLOT_EP, TAG_BUF }, (uint64_t)scratch, (uint64_t)scratch, SPEC_OK
		};
		struct target tg = { nrs[c] & ~(uint64_t)SYS_NONBLOCK, base, { 0 } };
		int sends = (nrs[c] & ~(uint64_t)SYS_NONBLOCK) != SYS_recv;
		struct regs r = base;
		/* Every result here is an error: nobody receives on SLOT_EP, no call is pending. */
		r.a[1] = ipc_tag(1, 1, IPC_BUF_MAX + 1, 0);
		try_one(&tg, &r, 1);
		r.a[1] = -1UL;
		try_one(&tg, &r, 1);
		for (unsigned i = 0; sends && i < sizeof(bad_ptr) / sizeof(bad_ptr[0]); i++) {
			r = base;
			r.t0 = bad_ptr[i];
			try_one(&tg, &r, 1);
		}
		for (unsigned i = 0; sends && i < sizeof(bad_cap) / sizeof(bad_cap[0]); i++) {
			r = base;
			r.a[1] = TAG_CAP;
			r.t6 = bad_cap[i];
			try_one(&tg, &r, 1);
		}
		for (unsigned i = 0; i < sizeof(bad_spec) / sizeof(bad_spec[0]); i++) {
			r = base;
			r.t2 = bad_spec[i];
			try_one(&tg, &r, 1);
		}
		for (unsigned i = 0; i < sizeof(bad_ptr) / sizeof(bad_ptr[0]); i++) {
			r = base;
			r.t1 = bad_ptr[i];
			try_one(&tg, &r, 1);
		}
	}
}

/*
 * Regression: unmap and map_anon over all of user space walked it a page at a time
 * (64 Mi pages, about 10 s of QEMU holding the kernel lock for each pair); now they step
 * over missing page tables. Before the fix these rounds outlast HELPER_TIMEOUT.
 */
#define WHOLE_SPACE_ROUNDS 8

static void whole_space(void)
{
	uint64_t all = (USER_VA_MAX - USER_VA_MIN) / PAGE_BYTES;
	for (unsigned i = 0; i < WHOLE_SPACE_ROUNDS; i++) {
		CHECK_EQ(SYSCALL(unmap, SLOT_TASK, USER_VA_MIN, all), 0);
		long err = SYSCALL(map_anon, SLOT_TASK, USER_VA_MIN, all, RW);
		CHECK(err == E_QUOTA || err == E_NOMEM);
		CHECK_EQ(SYSCALL(protect, SLOT_TASK, USER_VA_MIN, all, RW), E_FAULT);
	}
}

static int targeted(void)
{
	setup_targeted();
	whole_space();
	for (unsigned i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		targeted_args(&targets[i]);
	targeted_ipc();
	/* Out-of-range numbers, with and without SYS_NONBLOCK. */
	static const uint64_t nrs[] = {
		SYS__COUNT, SYS__COUNT | SYS_NONBLOCK,	     0x200, 0x1000, -1UL,
		1UL << 32,  0x8000000000000000UL | SYS_yield
	};
	for (unsigned i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
		struct regs r = { nrs[i], { SLOT_EP } };
		CHECK_EQ(checked(&r), E_NOSYS);
	}
	/* Still alive and in order: our slots hold what they did. */
	CHECK_EQ(SYSCALL(cap_info, SLOT_EP) & 0xff, OBJ_ENDPOINT);
	CHECK_EQ(SYSCALL(cap_info, SLOT_SELF) & 0xff, OBJ_TASK);
	/*
	 * SAFETY (kernel limit, see the report): a task with no threads whose last outside
	 * capability goes lives on, held by its own SLOT_SELF, and its frames are lost. Our
	 * death would drop SLOT_TASK's so: kill it first.
	 */
	SYSCALL(task_kill, SLOT_TASK);
	report();
	return 0;
}

/* --- random workers --- */

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t below(uint64_t n)
{
	return next() % n;
}

static char *heap_buf, *stack_buf; /* scratch on the heap, and in worker()'s frame */

/* An interesting value: a slot, a size, an address good or bad, or noise. */
static uint64_t value(void)
{
	switch (below(16)) {
	case 0:
	case 1:
	case 2:
	case 3:
		return below(SLOT_RANGE);
	case 4:
		return below(8);
	case 5:
		return (uint64_t)scratch + below(SCRATCH_SPAN);
	case 6:
		return (uint64_t)scratch + PAGE_BYTES * below(3);
	case 7:
		return FUZZ_VA + PAGE_BYTES * below(FUZZ_PAGES) + (below(4) ? 0 : below(64));
	case 8:
		return 0xffffffff80000000UL + (next() & 0x7ffffff8UL);
	case 9:
		return (uint64_t)heap_buf + below(PAGE_BYTES);
	case 10: {
		static const uint64_t edges[] = {
			0,
			-1UL,
			512,
			511,
			1UL << 32,
			1UL << 63,
			USER_VA_MAX,
			USER_VA_MAX - PAGE_BYTES,
			USER_VA_MIN,
			UNMAPPED_VA,
			IPC_BUF_MAX,
			IPC_BUF_MAX + 1,
			(uint64_t)compat,
			0x7fffffffffffffffUL,
			MEMOBJ_MAX_PAGES,
			-2UL,
			(USER_VA_MAX - USER_VA_MIN) / PAGE_BYTES,
			1UL << 20,
		};
		return edges[below(sizeof(edges) / sizeof(edges[0]))];
	}
	case 11:
		return (uint64_t)stack_buf + below(STACK_BUF / 2);
	case 12: {
		/* SAFETY: never the slots the worker reports and forks through. */
		uint64_t v = below(PAGE_BYTES * 2);
		return v >= REPORT_SLOT && v <= SLOT_REPLAY_PROC ? v + 3 : v;
	}
	case 13:
		return ipc_tag(below(4), (unsigned)below(10), (unsigned)below(IPC_BUF_MAX + 2),
			       (int)below(2));
	case 14:
		return ipc_recv_spec((unsigned)below(IPC_BUF_MAX + 2),
				     below(2) ? (unsigned)below(SLOT_RANGE) : IPC_RECV_SLOT_NONE);
	default:
		return next();
	}
}

/* Tasks this worker made: killed before it reports, so none is left with no owner. */
#define OWNED_MAX 16
static uint64_t owned[OWNED_MAX];
static unsigned nowned;

static int is_owned(uint64_t slot)
{
	for (unsigned i = 0; i < nowned; i++)
		if (owned[i] == slot)
			return 1;
	return 0;
}

static int blocking(uint64_t nr)
{
	return nr == SYS_send || nr == SYS_recv || nr == SYS_call || nr == SYS_reply_recv ||
	       nr == SYS_notify_wait || nr == SYS_console_read || nr == SYS_pipe_read ||
	       nr == SYS_pipe_write;
}

static int task_call(uint64_t nr)
{
	return nr == SYS_map_anon || nr == SYS_map || nr == SYS_unmap || nr == SYS_protect;
}

/*
 * SAFETY: turn a random call into one that cannot end or hang this worker for reasons
 * that are not the kernel's fault. 0: skip it.
 */
static int make_safe(struct regs *r)
{
	uint64_t nr = r->nr & ~(uint64_t)SYS_NONBLOCK;
	if (nr == SYS_exit || nr == SYS_task_create)
		return 0; /* task_create goes through fuzz_task_create */
	/* SAFETY: in a debug kernel, arming would fail calls in ways their lists do not name. */
	if (nr == SYS_failalloc)
		return 0;
	/* Our own registers would jump anywhere: upcalls only to other tasks, no returns. */
	if ((nr == SYS_upcall && r->a[0] == SLOT_SELF) || nr == SYS_upcall_return)
		return 0;
	if (blocking(nr))
		r->nr |= SYS_NONBLOCK; /* nobody might ever wake us */
	if (nr == SYS_sleep)
		r->a[0] %= NS_SLEEP_MAX;
	if (nr == SYS_futex_wait) { /* a deadline soon: nobody would wake a matching word */
		uint64_t now;
		__asm__ volatile("rdtime %0" : "=r"(now));
		r->a[2] = now + r->a[2] % FUTEX_TICKS_MAX;
	}
	if (nr == SYS_debug_write && r->a[1] <= IPC_BUF_MAX)
		r->a[1] = 0; /* no random bytes on the console */
	/* No second capability to ourselves: only slot 0 names us, so the rules below hold. */
	if ((nr == SYS_cap_copy || nr == SYS_cap_mint) && r->a[0] == SLOT_SELF)
		r->a[0] = SLOT_EP;
	if ((nr == SYS_task_cap_put || nr == SYS_task_cap_get) && r->a[1] == SLOT_SELF)
		r->a[1] = SLOT_EP;
	/* The kernel writes at most IPC_BUF_MAX bytes where our pointers point (scratch). */
	if (nr == SYS_pipe_read)
		r->a[2] %= IPC_BUF_MAX + 1;
	if (r->t6 == SLOT_SELF)
		r->t6 = SLOT_EP;
	/* Nor deleting, killing or re-coding ourselves, or dropping a task we must kill. */
	if ((nr == SYS_cap_delete || nr == SYS_task_kill) && r->a[0] == SLOT_SELF)
		return 0;
	if (nr == SYS_cap_delete && is_owned(r->a[0]))
		return 0;
	if (nr == SYS_thread_create && r->a[0] == SLOT_SELF)
		r->a[2] = (uint64_t)stub_exit;
	/* Our own address space: only the scratch window, so code, data and stack stay. */
	if (task_call(nr) && r->a[0] == SLOT_SELF) {
		int va_arg = nr == SYS_map ? 2 : 1, n_arg = nr == SYS_map ? 4 : 2;
		r->a[va_arg] = FUZZ_VA + PAGE_BYTES * below(FUZZ_PAGES) + (below(8) ? 0 : 1);
		r->a[n_arg] %= FUZZ_PAGES + 1;
		if ((r->a[va_arg] - FUZZ_VA) / PAGE_BYTES + r->a[n_arg] > FUZZ_PAGES)
			r->a[n_arg] = 1;
	}
	return 1;
}

/* task_create into a slot we remember, so the task can be killed before we go. */
static void fuzz_task_create(void)
{
	if (nowned == OWNED_MAX)
		return;
	struct regs r = { SYS_task_create,
			  { below(4) ? SLOT_SELF : value(), value(), below(2) ? 65536 : value(),
			    value() } };
	if (below(2))
		r.a[3] = -1UL;
	if (r.a[1] == SLOT_SELF || r.a[1] >= SLOT_RANGE)
		r.a[1] = SLOT_RANGE - 1 - below(8);
	/* SAFETY: a later cap_delete of this slot would leave a task nobody can kill. */
	if (is_owned(r.a[1]) || checked(&r) != 0)
		return;
	owned[nowned++] = r.a[1];
}

/*
 * fork needs a call from a thread of the task being forked: this thread makes one, and
 * the worker answers 1. In the child, the same call returns 0 (fork's own answer): the
 * child's copy of this thread then ends, and with it the child.
 */
static void forking(uint64_t unused)
{
	(void)unused;
	for (;;) {
		struct ipc_msg m = { .tag = ipc_tag(3, 1, 0, 0) };
		m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
		if (ipc_call(SLOT_FORK_EP, &m) == 0 && m.w[0] == 0)
			for (;;)
				SYSCALL(exit, 0, 0, 0);
	}
}

/* Take the forking thread's call, fork with random arguments, and answer it. */
static void fuzz_fork(void)
{
	struct ipc_msg m = { 0 };
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	if (nowned == OWNED_MAX || ipc_recv_nb(SLOT_FORK_EP, &m) != 0)
		return;
	struct regs r = { SYS_fork,
			  { below(4) ? SLOT_SELF : value(), SLOT_RANGE - 1 - below(8), below(3),
			    below(2) ? -1UL : value(), below(2) ? 0 : value(),
			    below(2) ? -1UL : value() } };
	/* SAFETY: as for task_create, the child must be killed before we go. */
	if (!is_owned(r.a[1]) && checked(&r) > 0) {
		owned[nowned++] = r.a[1];
		forks++;
	}
	m.tag = ipc_tag(0, 1, 0, 0);
	m.w[0] = 1;
	ipc_reply(&m);
}

static void fuzz_one(void)
{
	struct regs r = { 0 };
	if (below(40) == 0) {
		fuzz_task_create();
		return;
	}
	if (below(40) == 0) {
		fuzz_fork();
		return;
	}
	r.nr = below(64) == 0 ? next() >> below(64) : below(SYS__COUNT);
	if (below(8) == 0)
		r.nr |= SYS_NONBLOCK;
	for (int i = 0; i < 6; i++)
		r.a[i] = value();
	r.t0 = value();
	r.t1 = value();
	r.t2 = value();
	r.t6 = value();
	if (make_safe(&r))
		checked(&r);
}

/*
 * The second thread: receives on a random slot, blocking, and answers what it gets, so
 * sends and calls (NONBLOCK for the main thread) find a receiver, and the answer goes
 * back (SAFETY: a caller left unanswered would hang the worker).
 */
static void receiver(uint64_t seed)
{
	uint64_t state = seed;
	for (;;) {
		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		struct ipc_msg m = { 0 };
		m.rbuf = scratch + PAGE_BYTES;
		m.rspec = ipc_recv_spec((unsigned)(state >> 20) % (IPC_BUF_MAX + 1),
					(state & 1) ? SLOT_RANGE - 10 + (unsigned)(state >> 8) % 10
						    : IPC_RECV_SLOT_NONE);
		long err = ipc_recv((state >> 32) % SLOT_RANGE, &m);
		if (err && err != E_FAULT && err != E_NOMEM) {
			SYSCALL(yield);
			continue;
		}
		m.tag = ipc_tag(2, (unsigned)(state >> 40) % 9, (unsigned)(state >> 44) % 128, 0);
		m.sbuf = scratch;
		if (ipc_reply(&m) != 0) {
			m.tag = 0;
			ipc_reply(&m); /* the first answer failed its checks: a plain one */
		}
	}
}

static int worker(uint32_t seed)
{
	char frame_buf[STACK_BUF + IPC_BUF_MAX];
	rng = seed | 1;
	heap_buf = malloc(PAGE_BYTES + IPC_BUF_MAX);
	stack_buf = frame_buf; /* the kernel may write all of it: nothing else lives there */
	memset(scratch, 0, sizeof(scratch));
	memset(frame_buf, 0, sizeof(frame_buf));
	/* Some objects to start from; the fuzzer makes and deletes more. */
	SYSCALL(obj_create, SLOT_SELF, OBJ_ENDPOINT, SLOT_EP, 0);
	SYSCALL(obj_create, SLOT_SELF, OBJ_NOTIFY, SLOT_NT, 0);
	SYSCALL(obj_create, SLOT_SELF, OBJ_MEMORY, SLOT_MEM, MEM_PAGES);
	CHECK(tu_join_init() == 0);
	CHECK(tu_thread(receiver, seed * 7 + 1, 1) > 0);
	CHECK_EQ(SYSCALL(obj_create, SLOT_SELF, OBJ_ENDPOINT, SLOT_FORK_EP, 0), 0);
	CHECK(tu_thread(forking, 0, 2) > 0);
	/* Armed once our own threads run: from here a failure hits the calls we fuzz. */
	if (injecting)
		SYSCALL(failalloc, INJECT_EVERY, INJECT_EVERY);
	for (unsigned i = 0; i < FUZZ_CALLS; i++)
		fuzz_one();
	for (unsigned i = 0; i < nowned; i++)
		SYSCALL(task_kill, owned[i]);
	report();
	return 0;
}

/* --- the parent --- */

static uint64_t total_forks;

/* Start role under quota with our victim task and boot slots; what it reported, or -1. */
static long run_helper(const char *self, const char *role, int *faulted)
{
	struct tu_helper h;
	struct ipc_msg m;
	long victim = slot_alloc(), sent = -1;
	*faulted = 0;
	CHECK_EQ(tu_helper_create(&h, self, role, WORKER_QUOTA), 0);
	CHECK_EQ(SYSCALL(task_create, SLOT_SELF, victim, VICTIM_QUOTA, -1), 0);
	CHECK_EQ(tu_helper_put(&h, victim, SLOT_VICTIM, CAP_ALL), 0);
	CHECK_EQ(tu_helper_put(&h, h.sup, REPORT_SLOT, CAP_SEND), 0);
	tu_helper_put(&h, SLOT_CONSOLE, SLOT_CONSOLE, CAP_ALL);
	tu_helper_put(&h, SLOT_IRQCTL, SLOT_IRQCTL, CAP_ALL);
	CHECK(tu_helper_start(&h) > 0);
	/* Kernel messages from its threads come first if they fault; the report ends it. */
	while (tu_helper_wait(&h, &m, HELPER_TIMEOUT) == 0) {
		uint64_t label = ipc_tag_label(m.tag);
		if (label == LABEL_REPORT) {
			sent = (long)m.w[0];
			total_forks += m.w[1];
			break;
		}
		printf("  %s: kernel message %lx (%lx %lx %lx)\n", role, (unsigned long)label,
		       (unsigned long)m.w[0], (unsigned long)m.w[1], (unsigned long)m.w[2]);
		*faulted = 1;
		break;
	}
	if (sent < 0 && !*faulted)
		printf("  %s: no report within %d ms\n", role, HELPER_TIMEOUT);
	tu_helper_kill(&h);
	/* Its report or fault was a call: drop our hold on the dead thread (E_DEAD here). */
	struct ipc_msg none = { 0 };
	ipc_reply(&none);
	SYSCALL(task_kill, victim);
	slot_free(victim);
	return sent;
}

/* The kernel still does its work: a fork, a wait, and a message both ways. */
static void still_up(void)
{
	int st = 0;
	pid_t c = fork();
	if (c == 0)
		_exit(7);
	CHECK(c > 0);
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 7);
	long ep = tu_obj(OBJ_ENDPOINT), n = tu_obj(OBJ_NOTIFY);
	CHECK(ep > 0 && n > 0);
	CHECK_EQ(SYSCALL(notify_signal, n, 5), 0);
	long bits = 0;
	CHECK_EQ(syscall6_a1(SYS_notify_wait, n, 0, 0, 0, &bits), 0);
	CHECK_EQ(bits, 5);
	struct ipc_msg m = { .tag = ipc_tag(1, 1, 0, 0) };
	CHECK_EQ(ipc_send_nb(ep, &m), E_AGAIN);
	slot_free(n);
	slot_free(ep);
}

static uint64_t free_frames(void)
{
	struct memstat ms;
	CHECK_EQ(SYSCALL(memstat, SLOT_SELF, &ms), 0);
	return ms.free_frames;
}

/* Free frames once they are back at want, or after a while: a tree another hart still
 * held is freed late. */
static uint64_t frames_settle(uint64_t want)
{
	uint64_t now = free_frames();
	for (unsigned i = 0; i < FRAME_POLLS && now != want; i++) {
		SYSCALL(sleep, POLL_NS);
		now = free_frames();
	}
	return now;
}

/*
 * make fuzz: workers from seed on, each checked like the suite's (docs/testing.md); with
 * inject (a debug kernel), each also fails every INJECT_EVERY-th kernel allocation.
 */
static int many(const char *self, uint32_t seed, unsigned workers, int inject)
{
	int faulted;
	char role[16];
	unsigned good = 0, bad = 0;
	CHECK_EQ(run_helper(self, "targeted", &faulted), 0); /* warms up our own side */
	/*
	 * printf reaches deeper into our stack than anything before it: its first call maps
	 * a stack page (the stack grows on demand), which every seed was then blamed for.
	 */
	printf("  %u workers, seeds from %x\n", workers, seed);
	uint64_t before = frames_settle(free_frames());
	for (unsigned w = 0; w < workers; w++) {
		snprintf(role, sizeof(role), "%c%x", inject ? 'i' : 'w', seed + w);
		printf("  syscall seed %s\n", role + 1);
		long r = run_helper(self, role, &faulted);
		if (inject)
			SYSCALL(failalloc, 0, 0);
		if ((faulted || r == 0) && frames_settle(before) == before) {
			good++;
			printf("  syscall calls %d\n", FUZZ_CALLS);
		} else {
			bad++;
			printf("  syscall FAILED seed %x: replay with run test_syscall_fuzz %s v\n",
			       seed + w, role);
		}
	}
	still_up();
	printf("%u passed, %u failed\n", good, bad + (unsigned)test_failures);
	return bad || test_failures;
}

int main(int argc, char **argv)
{
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "many") == 0)
		return many(argv[0], (uint32_t)strtoul(argv[2], 0, 16),
			    (unsigned)strtoul(argv[3], 0, 10), argc == 5);
	verbose = argc > 2;
	if (argc > 1) {
		/*
		 * SAFETY: run directly (to replay a seed) a helper would hold these: the power
		 * switch, and servers that may rightly never answer a random request.
		 */
		SYSCALL(cap_delete, SLOT_MACHINE);
		SYSCALL(cap_delete, SLOT_ARCHIVE);
		replay_pid = getpid();
		SYSCALL(cap_copy, SLOT_PROC, SLOT_REPLAY_PROC, CAP_SEND);
		SYSCALL(cap_delete, SLOT_PROC);
		SYSCALL(cap_delete, 7); /* SLOT_LOADER */
	}
	if (argc > 1 && strcmp(argv[1], "targeted") == 0)
		return targeted();
	injecting = argc > 1 && argv[1][0] == 'i';
	if (argc > 1 && (argv[1][0] == 'w' || injecting))
		return worker((uint32_t)strtoul(argv[1] + 1, 0, 16));
	int faulted;
	char role[16];
	/* A worker may set the console's mode (console_mode_set): it is put back after each. */
	struct console_mode mode;
	CHECK_EQ(SYSCALL(console_mode_get, SLOT_CONSOLE, &mode), 0);
	/* One round first: whatever our own side of it allocates stays for the rest. */
	CHECK_EQ(run_helper(argv[0], "targeted", &faulted), 0);
	CHECK(!faulted);
	snprintf(role, sizeof(role), "w%x", FUZZ_SEED);
	printf("  %d workers, %d calls each, seeds from %x\n", FUZZ_WORKERS, FUZZ_CALLS, FUZZ_SEED);
	uint64_t before = free_frames();
	CHECK_EQ(run_helper(argv[0], "targeted", &faulted), 0);
	CHECK(!faulted);
	for (unsigned w = 0; w < FUZZ_WORKERS; w++) {
		snprintf(role, sizeof(role), "w%x", FUZZ_SEED + w);
		printf("  worker seed %s\n", role + 1);
		long bad = run_helper(argv[0], role, &faulted);
		SYSCALL(console_mode_set, SLOT_CONSOLE, &mode, CON_SET_NOW);
		/* A worker that faulted ended by its own doing; one that reported must be clean. */
		CHECK(faulted || bad == 0);
		/* Everything it and its tasks held is back. */
		CHECK_EQ(frames_settle(before), before);
	}
	printf("  workers forked %lu children\n", (unsigned long)total_forks);
	still_up();
	return test_status();
}
