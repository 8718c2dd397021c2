/*
 * Server-protocol fuzzer: random messages to the fork server (SLOT_PROC) and the loader
 * (SLOT_LOADER), as any process may send them. Labels known and unknown, random words,
 * buffers of random length holding garbage or strings the servers look for, capabilities
 * attached or not; calls mostly, plain non-blocking sends too. Every message must be
 * answered (a hang ends the boot), the servers must still work afterwards, and once the
 * worker is reaped every frame and kernel object it cost must be back.
 *
 * Roles: no argument: WORKERS workers of CALLS messages (part of make test); "many SEED N
 * CALLS": N workers from seed SEED (hex) for make fuzz (docs/testing.md); "w SEED CALLS": one
 * worker, run directly to replay a seed ("v" after it prints every message first).
 *
 * SAFETY, what the fuzzer leaves out because it would rightly end or hang the worker:
 * the kernel's own labels (exit, fault: the server takes them as the sender's death),
 * killing itself or its parent (also through a process group), PROC_EXIT, an exec that
 * could succeed, spawning a program that never ends, a blocking wait, and setting the
 * clock (which every later test would see).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loader.h"
#include "proc.h"
#include "taskspawn.h"
#include "syscall.h"
#include "testlib.h"

#define WORKERS	      4
#define CALLS	      400
#define SEED	      0x9e0f0000u
#define VICTIM_QUOTA  (1024 * 1024UL)
#define EMPTY_SLOT    250 /* a slot we never fill */
#define LABEL_MAX     12  /* random labels mostly below this, a few anywhere */
#define SETTLE_POLLS  200
#define POLL_NS	      (10 * 1000000L)
#define EXIT_BAD_CALL 3

/* The servers a process can reach. The file server joins this table when it lands. */
static const struct server {
	const char *name;
	long slot;
} servers[] = {
	{ "forksrv", SLOT_PROC },
	{ "loader", SLOT_LOADER },
};
#define NSERVERS (sizeof(servers) / sizeof(servers[0]))

static uint64_t rng;
static int verbose;
static char buf[IPC_BUF_MAX];
static long victim = -1, own_ep = -1, own_note = -1, own_mem = -1, recv_slot = -1;

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

/* Words the servers branch on, and a few that overflow their checks. */
static uint64_t word(void)
{
	static const uint64_t interesting[] = {
		0,    1,    2,	  3,	     7,		64,	   100,
		4096, -1UL, -2UL, 1UL << 31, 1UL << 32, 1UL << 63, 0x7fffffffffffffffUL
	};
	return below(3) ? interesting[below(sizeof(interesting) / sizeof(interesting[0]))] : next();
}

/* Names the servers look up: harmless programs, missing ones, and an unterminated one. */
static unsigned fill_buffer(void)
{
	static const char *const names[] = { "true", "!missing", "", "true\xff" };
	unsigned len = (unsigned)(below(4) ? below(96) : below(IPC_BUF_MAX + 1));
	for (unsigned i = 0; i < len; i++)
		buf[i] = (char)(below(4) ? 'a' + below(3) : (char)next());
	if (below(2)) {
		const char *n = names[below(sizeof(names) / sizeof(names[0]))];
		size_t nl = strlen(n) + 1;
		if (nl <= len)
			memcpy(buf, n, nl);
	}
	return len;
}

/* A capability to attach: ours to give (never our own task), or a slot that is empty. */
static long attach(void)
{
	const long caps[] = { victim, own_ep, own_note, own_mem, SLOT_PROC, EMPTY_SLOT, -1 };
	return caps[below(sizeof(caps) / sizeof(caps[0]))];
}

/* SAFETY: returns 0 for a message that would rightly end or hang us (see the top). */
static int make_safe(const struct server *s, uint64_t *label, struct ipc_msg *m, unsigned len)
{
	if (*label == LABEL_EXIT || *label == LABEL_FAULT || *label == LABEL_OOM)
		return 0;
	if (s->slot != SLOT_PROC)
		return 1;
	if (*label == PROC_WAIT)
		m->w[1] |= WNOHANG;
	/* Not at us, our parent or a whole group (pid 0 or below: ours may be among them). */
	if (*label == PROC_KILL && ((int64_t)m->w[0] <= 0 || m->w[0] == (uint64_t)getpid() ||
				    m->w[0] == (uint64_t)getppid()))
		return 0;
	/* Ending us, or a signal entry at a random address (our children's SIGCHLD would
	 * jump there), or moving everyone's wall clock: none of these is the server's bug. */
	if (*label == PROC_EXIT || *label == PROC_SIGENTRY ||
	    (*label == PROC_TIME && m->w[0] == PROC_TIME_SET))
		return 0;
	/* An alarm would end us later with SIGALRM: set one that is off (the answer stays
	 * checked). */
	if (*label == PROC_ALARM)
		m->w[0] = 0;
	/* exec: only a name no program has; spawn: only programs that end by themselves. */
	if (*label == PROC_EXEC && len > 0)
		buf[0] = '!';
	if (*label == PROC_SPAWN && len > 0 && strcmp(buf, "true"))
		buf[0] = '!';
	return 1;
}

/* Reap whatever children ended; a forked child of ours exits at once. */
static void reap(int block)
{
	while (waitpid(-1, 0, block ? 0 : WNOHANG) > 0)
		;
}

static void one_message(void)
{
	const struct server *s = &servers[below(NSERVERS)];
	uint64_t label = below(16) ? below(LABEL_MAX) : next() & 0xffff;
	unsigned len = fill_buffer();
	long cap = below(3) ? -1 : attach();
	struct ipc_msg m = { .sbuf = buf, .rbuf = 0 };
	for (int i = 0; i < 4; i++)
		m.w[i] = word();
	if (!make_safe(s, &label, &m, len))
		return;
	m.tag = ipc_tag(label, (unsigned)below(5), len, cap >= 0);
	m.cap = (uint64_t)(cap >= 0 ? cap : 0);
	m.rspec = ipc_recv_spec(0, below(2) ? (unsigned)recv_slot : IPC_RECV_SLOT_NONE);
	if (verbose)
		printf("  > %s label %lx len %u cap %ld w %lx %lx %lx %lx\n", s->name,
		       (unsigned long)label, len, cap, (unsigned long)m.w[0], (unsigned long)m.w[1],
		       (unsigned long)m.w[2], (unsigned long)m.w[3]);
	long err = below(8) ? ipc_call(s->slot, &m) : ipc_send_nb(s->slot, &m);
	if (verbose)
		printf("  < %ld w0 %lx\n", err, (unsigned long)m.w[0]);
	/* A forked copy of us: the answer 0 to PROC_FORK. */
	if (s->slot == SLOT_PROC && label == PROC_FORK && err == 0 && m.w[0] == 0)
		_exit(0);
	SYSCALL(cap_delete, recv_slot); /* whatever arrived */
	if (s->slot == SLOT_PROC && label == PROC_FORK)
		reap(1);
}

static int worker(uint64_t seed, unsigned calls)
{
	rng = seed | 1;
	victim = slot_alloc();
	own_ep = slot_alloc();
	own_note = slot_alloc();
	own_mem = slot_alloc();
	recv_slot = slot_alloc();
	if (SYSCALL(task_create, SLOT_SELF, victim, VICTIM_QUOTA, -1) ||
	    SYSCALL(obj_create, SLOT_SELF, OBJ_ENDPOINT, own_ep, 0) ||
	    SYSCALL(obj_create, SLOT_SELF, OBJ_NOTIFY, own_note, 0) ||
	    SYSCALL(obj_create, SLOT_SELF, OBJ_MEMORY, own_mem, 2))
		return EXIT_BAD_CALL;
	for (unsigned i = 0; i < calls; i++) {
		one_message();
		if (i % 32 == 0)
			reap(0);
	}
	SYSCALL(task_kill, victim);
	reap(1);
	return 0;
}

static uint64_t count(int which)
{
	struct memstat ms = { 0 };
	memstat(&ms);
	return which ? ms.kernel_objects : ms.free_frames;
}

/* Frames and objects back where they were (a spawned child may still be ending). */
static int settled(uint64_t frames, uint64_t objects)
{
	for (int i = 0; i < SETTLE_POLLS; i++) {
		if (count(0) == frames && count(1) == objects)
			return 1;
		SYSCALL(sleep, POLL_NS);
	}
	printf("  leak: %ld frames, %ld kernel objects\n", (long)(frames - count(0)),
	       (long)(count(1) - objects));
	return 0;
}

/*
 * The loader keeps up to LOADER_SESSIONS staged files, each until a load through its
 * session uses it or newer stages push it out (docs/loader.md), so a worker's staged
 * object may outlive the worker. Before each count we stage a page of our own that many
 * times (every older session is cut off) and load through each of ours (into a task kept
 * for this, from a file that is no ELF): the loader then holds nothing of anyone's.
 */
static long drain_obj = -1, drain_task = -1;

static void end_loader_sessions(void)
{
	long sess[LOADER_SESSIONS];
	if (drain_obj < 0) {
		drain_obj = slot_alloc();
		drain_task = slot_alloc();
		SYSCALL(obj_create, SLOT_SELF, OBJ_MEMORY, drain_obj, 1);
		SYSCALL(task_create, SLOT_SELF, drain_task, VICTIM_QUOTA, -1);
	}
	for (int i = 0; i < LOADER_SESSIONS; i++) {
		struct ipc_msg m = { .tag = ipc_tag(LOADER_STAGE, 1, 0, 1),
				     .cap = (uint64_t)drain_obj };
		sess[i] = slot_alloc();
		m.w[0] = 1;
		m.rspec = ipc_recv_spec(0, (unsigned)sess[i]);
		ipc_call(SLOT_LOADER, &m);
	}
	for (int i = 0; i < LOADER_SESSIONS; i++) {
		static const char name[] = "x";
		struct ipc_msg l = { .tag = ipc_tag(LOADER_LOAD, 3, sizeof(name), 1),
				     .sbuf = name,
				     .cap = (uint64_t)drain_task };
		l.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
		ipc_call((uint64_t)sess[i], &l); /* E_BADCAP if the stage failed: no session */
		slot_free(sess[i]);
	}
}

/* Our own kept objects go last, so the suite's frame count comes back too. */
static void drop_drain(void)
{
	if (drain_obj >= 0) {
		SYSCALL(task_kill, drain_task);
		slot_free(drain_task);
		slot_free(drain_obj);
	}
}

/* One worker as a child process; 1 if it ended well and left nothing behind. */
static int run_worker(uint64_t seed, unsigned calls)
{
	end_loader_sessions();
	uint64_t frames = count(0), objects = count(1);
	pid_t pid = fork();
	if (pid == 0)
		_exit(worker(seed, calls));
	int st = -1;
	int ok = pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
	if (!ok)
		printf("  proto seed %lx: worker status %#x\n", (unsigned long)seed, st);
	/* The servers still work: a program starts and ends. */
	pid_t t = fork();
	if (t == 0) {
		char *argv[] = { "true", 0 };
		execv("/bin/true", argv);
		_exit(EXIT_BAD_CALL);
	}
	ok &= t > 0 && waitpid(t, &st, 0) == t && WIFEXITED(st) && WEXITSTATUS(st) == 0;
	end_loader_sessions();
	return settled(frames, objects) && ok;
}

static int many(uint64_t seed, unsigned workers, unsigned calls)
{
	unsigned good = 0, bad = 0;
	run_worker(seed ^ 0xffff, calls); /* warms up what a first run leaves (slots) */
	for (unsigned w = 0; w < workers; w++) {
		printf("  proto seed %lx\n", (unsigned long)(seed + w));
		if (run_worker(seed + w, calls)) {
			good++;
			printf("  proto calls %u\n", calls);
		} else {
			bad++;
			printf("  proto FAILED seed %lx: replay with run test_proto_fuzz w %lx %u "
			       "v\n",
			       (unsigned long)(seed + w), (unsigned long)(seed + w), calls);
		}
	}
	drop_drain();
	test_failures += (int)bad;
	printf("%u passed, %u failed\n", good, bad);
	return test_status();
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "w") == 0) {
		verbose = argc > 4;
		return worker(strtoull(argv[2], 0, 16), (unsigned)strtoul(argv[3], 0, 10));
	}
	if (argc == 5 && strcmp(argv[1], "many") == 0)
		return many(strtoull(argv[2], 0, 16), (unsigned)strtoul(argv[3], 0, 10),
			    (unsigned)strtoul(argv[4], 0, 10));
	unsigned good = 0;
	run_worker(SEED ^ 0xffff, CALLS);
	for (unsigned w = 0; w < WORKERS; w++)
		good += run_worker(SEED + w, CALLS);
	CHECK_EQ(good, WORKERS);
	drop_drain();
	return test_status();
}
