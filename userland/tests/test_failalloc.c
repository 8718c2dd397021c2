/*
 * Fault injection sweep (debug kernels, make KDEBUG=1; docs/testing.md). For each
 * workload (fork, exec, spawn, a COW fault, an IPC carrying a capability, mmap and a
 * memory object, pipe creation, thread creation) and each n up to the number of kernel
 * allocations the workload makes, a fresh process arms the kernel to fail its nth
 * allocation and runs the workload once. Every run must end cleanly (the workload
 * succeeded, or saw ENOMEM), or the process must die of its out-of-memory signal
 * (SIGKILL); the fork server and the loader must still answer; and once the process is
 * reaped, the free frames and the kernel's allocation count must be what they were.
 *
 * Roles: no argument: a sampled sweep (every n on an ordinary kernel answers E_NOSYS and
 * the test checks just that); "full": every n; "trial WORKLOAD N": one armed run.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "taskspawn.h"
#include "syscall.h"
#include "testlib.h"
#include "testutil.h"
#include "threads.h"
#include "unistd_ext.h"

/* A trial's exit status: the workload finished, or saw a clean out-of-memory error. */
#define TRIAL_DONE   0
#define TRIAL_NOMEM  1
#define TRIAL_WRONG  2 /* an error other than ENOMEM, or a wrong result */
#define SAMPLE_EVERY 5 /* the sampled sweep tries n = 1, 6, 11, ... */
#define SETTLE_MS    2000
#define POLL_MS	     10
#define NS_PER_MS    1000000L
#define CHILD_NAP_MS 5
#define FAR_SLOT     (CSPACE_SLOTS - 3) /* in a capability-space chunk nothing else uses */
#define MAP_PAGES    4
#define MEM_VA	     0x3400000000UL /* where the memory-object workload maps its object */

static long arm(uint64_t n)
{
	return SYSCALL(failalloc, n, 0);
}

/* ENOMEM is the clean failure; anything else is wrong. */
static int outcome(int failed)
{
	if (!failed)
		return TRIAL_DONE;
	return errno == ENOMEM ? TRIAL_NOMEM : TRIAL_WRONG;
}

/* POSIX names EAGAIN, too, for a thread or process the system lacks the resources for. */
static int outcome_create(int failed)
{
	return failed && errno == EAGAIN ? TRIAL_NOMEM : outcome(failed);
}

/* A child's status folded into a trial result: an OOM kill counts as a clean failure. */
static int child_outcome(pid_t pid)
{
	int st = 0;
	if (waitpid(pid, &st, 0) != pid)
		return outcome(1); /* the server could not park our wait: ENOMEM */
	if (WIFSIGNALED(st))
		return WTERMSIG(st) == SIGKILL ? TRIAL_NOMEM : TRIAL_WRONG;
	return WEXITSTATUS(st) <= TRIAL_NOMEM ? WEXITSTATUS(st) : TRIAL_WRONG;
}

static int w_fork(uint64_t n)
{
	arm(n);
	pid_t pid = fork();
	if (pid == 0)
		_exit(TRIAL_DONE);
	return pid < 0 ? outcome_create(1) : child_outcome(pid);
}

static int w_exec(uint64_t n)
{
	arm(n);
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "true", 0 };
		execv("/bin/true", argv);
		_exit(outcome(1));
	}
	return pid < 0 ? outcome_create(1) : child_outcome(pid);
}

/* The child is still running when we wait: the fork server parks our wait (reply_save). */
static int w_wait(uint64_t n)
{
	arm(n);
	pid_t pid = fork();
	if (pid == 0) {
		SYSCALL(sleep, CHILD_NAP_MS * NS_PER_MS);
		_exit(TRIAL_DONE);
	}
	return pid < 0 ? outcome_create(1) : child_outcome(pid);
}

/* fork with a dense region (its page tables shared, docs/vm-cow.md), or copying all. */
static int fork_region(uint64_t n, int mode)
{
	if (tu_region_map() != 0)
		return TRIAL_WRONG;
	arm(n);
	pid_t pid = forkx(mode);
	if (pid == 0)
		_exit(tu_region_ok(-1, 1) ? TRIAL_DONE : TRIAL_WRONG);
	return pid < 0 ? outcome_create(1) : child_outcome(pid);
}

static int w_fork_tables(uint64_t n)
{
	return fork_region(n, FORK_COW);
}

static int w_fork_eager(uint64_t n)
{
	return fork_region(n, FORK_EAGER);
}

/* A store into a page whose page table is still shared: the table, then the page. */
static int w_cow_table(uint64_t n)
{
	if (tu_region_map() != 0)
		return TRIAL_WRONG;
	pid_t pid = fork();
	if (pid == 0) {
		arm(n);
		*tu_region_page(3) = tu_region_value(3, 2);
		_exit(tu_region_ok(3, 2) ? TRIAL_DONE : TRIAL_WRONG);
	}
	int r = pid < 0 ? TRIAL_WRONG : child_outcome(pid);
	return r == TRIAL_DONE && !tu_region_ok(-1, 1) ? TRIAL_WRONG : r;
}

static int w_spawn(uint64_t n)
{
	static const char req[] = "true";
	arm(n);
	int64_t pid = proc_request(PROC_SPAWN, 0, 0, 0, req, sizeof(req));
	if (pid < 0)
		return pid == -ENOMEM ? TRIAL_NOMEM : TRIAL_WRONG;
	return child_outcome((pid_t)pid);
}

/* The child runs first after fork (docs/process.md): it stores into a page it shares. */
static volatile uint64_t cow_page[512] __attribute__((aligned(4096)));

static int w_cow(uint64_t n)
{
	cow_page[0] = 1;
	pid_t pid = fork();
	if (pid == 0) {
		arm(n);
		cow_page[0] = 2;
		_exit(cow_page[0] == 2 ? TRIAL_DONE : TRIAL_WRONG);
	}
	int r = pid < 0 ? TRIAL_WRONG : child_outcome(pid);
	return r == TRIAL_DONE && cow_page[0] != 1 ? TRIAL_WRONG : r;
}

/* IPC: a thread receives a notification capability into FAR_SLOT and answers. */
static long ipc_ep, ipc_note;

static void ipc_server(void *arg)
{
	struct ipc_msg m = { 0 };
	(void)arg;
	m.rspec = ipc_recv_spec(0, FAR_SLOT);
	if (ipc_recv((uint64_t)ipc_ep, &m) != 0)
		return;
	int got = (m.tag & IPC_TAG_CAP) != 0;
	m.tag = ipc_tag(0, 1, 0, 0);
	m.w[0] = got && SYSCALL(cap_info, FAR_SLOT) == (OBJ_NOTIFY | CAP_ALL << 8);
	ipc_reply(&m);
}

static int w_ipc(uint64_t n)
{
	thread_t th;
	ipc_ep = slot_alloc();
	ipc_note = slot_alloc();
	if (SYSCALL(obj_create, SLOT_SELF, OBJ_ENDPOINT, ipc_ep, 0) ||
	    SYSCALL(obj_create, SLOT_SELF, OBJ_NOTIFY, ipc_note, 0) ||
	    thread_create(&th, ipc_server, 0))
		return TRIAL_WRONG;
	struct ipc_msg m = { .tag = ipc_tag(0, 1, 0, 1), .w = { 7 } };
	m.cap = (uint64_t)ipc_note;
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	arm(n);
	long err = ipc_call((uint64_t)ipc_ep, &m);
	thread_join(th);
	/*
	 * A capability the kernel has no room to install is dropped and the receiver sees the
	 * cap bit clear (docs/ipc-caps.md): the server answers 0 then.
	 */
	if (err == 0 && m.w[0] == 0)
		return TRIAL_NOMEM;
	return err == 0 ? TRIAL_DONE : TRIAL_WRONG;
}

static int touch(volatile char *p, unsigned pages)
{
	for (unsigned i = 0; i < pages; i++)
		p[i * 4096] = (char)i;
	return 0;
}

static int w_mmap(uint64_t n)
{
	long obj = slot_alloc();
	arm(n);
	char *p = mmap(0, MAP_PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	if (p == MAP_FAILED)
		return outcome(1);
	touch(p, MAP_PAGES);
	munmap(p, MAP_PAGES * 4096);
	long err = SYSCALL(obj_create, SLOT_SELF, OBJ_MEMORY, obj, MAP_PAGES);
	if (!err)
		err = SYSCALL(map, SLOT_SELF, obj, MEM_VA, 0, MAP_PAGES,
			      MAP_KIND_SHARED | MAP_PROT_READ | MAP_PROT_WRITE);
	if (!err)
		touch((volatile char *)MEM_VA, MAP_PAGES);
	SYSCALL(unmap, SLOT_SELF, MEM_VA, MAP_PAGES);
	slot_free(obj);
	if (err == E_NOMEM || err == E_QUOTA)
		return TRIAL_NOMEM;
	return err == 0 ? TRIAL_DONE : TRIAL_WRONG;
}

static int w_pipe(uint64_t n)
{
	int fd[2];
	char c = 0;
	arm(n);
	if (pipe(fd) != 0)
		return outcome(1);
	int ok = write(fd[1], "x", 1) == 1 && read(fd[0], &c, 1) == 1 && c == 'x';
	close(fd[0]);
	close(fd[1]);
	return ok ? TRIAL_DONE : TRIAL_WRONG;
}

static void thread_fn(void *arg)
{
	*(volatile int *)arg = 1;
}

static int w_thread(uint64_t n)
{
	thread_t th;
	volatile int ran = 0;
	arm(n);
	if (thread_create(&th, thread_fn, (void *)&ran) != 0)
		return outcome_create(1);
	if (thread_join(th) != 0)
		return TRIAL_WRONG;
	return ran ? TRIAL_DONE : TRIAL_WRONG;
}

static const struct workload {
	const char *name;
	int (*run)(uint64_t n);
} workloads[] = {
	{ "fork", w_fork },
	{ "wait", w_wait },
	{ "fork_tables", w_fork_tables },
	{ "fork_eager", w_fork_eager },
	{ "exec", w_exec },
	{ "spawn", w_spawn },
	{ "cow", w_cow },
	{ "cow_table", w_cow_table },
	{ "ipc", w_ipc },
	{ "mmap", w_mmap },
	{ "pipe", w_pipe },
	{ "thread", w_thread },
};
#define NWORKLOADS (sizeof(workloads) / sizeof(workloads[0]))

/* The index of the workload called name, or NWORKLOADS. */
static unsigned workload(const char *name)
{
	unsigned w = 0;
	while (w < NWORKLOADS && strcmp(name, workloads[w].name) != 0)
		w++;
	return w;
}

/* Run one trial in a fresh process (spawned, so it shares no page with us). */
static int trial(unsigned w, uint64_t n, int *status)
{
	char req[96];
	int len = snprintf(req, sizeof(req), "test_failalloc%ctrial%c%s%c%lu", 0, 0,
			   workloads[w].name, 0, (unsigned long)n);
	int64_t pid = proc_request(PROC_SPAWN, 0, 0, 0, req, (unsigned)len + 1);
	if (pid < 0)
		return -1;
	return waitpid((pid_t)pid, status, 0) == pid ? 0 : -1;
}

static struct memstat now(void)
{
	struct memstat m = { 0 };
	memstat(&m);
	return m;
}

/* The counts come back (an orphan may still be ending): 1, or 0 after SETTLE_MS. */
static int settled(const struct memstat *before, struct memstat *after)
{
	for (int ms = 0; ms < SETTLE_MS; ms += POLL_MS) {
		*after = now();
		if (after->free_frames == before->free_frames &&
		    after->kernel_objects == before->kernel_objects)
			return 1;
		SYSCALL(sleep, POLL_MS * NS_PER_MS);
	}
	return 0;
}

static unsigned runs_good, runs_bad, runs_failed; /* failed: a clean ENOMEM or OOM kill */

/* One armed run, judged: 1 if it passed. *count gets the allocations it made. */
static int judge(unsigned w, uint64_t n, uint64_t *count)
{
	struct memstat before = now(), after;
	int st = -1;
	int r = trial(w, n, &st);
	long made = arm(0);
	*count = made > 0 ? (uint64_t)made : 0;
	int clean = r == 0 && ((WIFEXITED(st) && WEXITSTATUS(st) <= TRIAL_NOMEM) ||
			       (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL));
	runs_failed += clean && !(WIFEXITED(st) && WEXITSTATUS(st) == TRIAL_DONE);
	int alive = getpid() > 0 && getppid() > 0;
	int same = settled(&before, &after);
	if (!clean || !alive || !same)
		printf("  %s n=%lu: status %#x%s, frames %ld, objects %ld\n", workloads[w].name,
		       (unsigned long)n, st, alive ? "" : ", fork server gone",
		       (long)(after.free_frames - before.free_frames),
		       (long)(after.kernel_objects - before.kernel_objects));
	return clean && alive && same;
}

static void sweep(unsigned w, unsigned stride)
{
	uint64_t total, made;
	judge(w, 0, &total); /* warms up what a first run leaves behind (slots, caches) */
	CHECK(judge(w, 0, &total));
	unsigned tried = 0, bad = 0, failed = runs_failed;
	for (uint64_t n = 1; n <= total; n += stride, tried++)
		bad += !judge(w, n, &made);
	failed = runs_failed - failed;
	printf("  %-11s %3lu allocations, %3u runs, %3u saw the failure, %u bad\n",
	       workloads[w].name, (unsigned long)total, tried, failed, bad);
	CHECK(failed > 0); /* the injection reached the workload */
	runs_good += tried - bad;
	runs_bad += bad;
	CHECK(total > 0);
	CHECK_EQ(bad, 0);
}

/* A wrong trial says what it saw (errno of the last failing call). */
static int report(int r, char **argv)
{
	if (r == TRIAL_WRONG)
		printf("  trial %s %s: wrong result, errno %d\n", argv[2], argv[3], errno);
	return r;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "trial") == 0) {
		unsigned w = workload(argv[2]);
		return w < NWORKLOADS ? report(workloads[w].run(strtoull(argv[3], 0, 10)), argv)
				      : TRIAL_WRONG;
	}
	if (arm(0) == E_NOSYS) {
		printf("  not a debug kernel (make KDEBUG=1): failalloc answers E_NOSYS\n");
		return test_status();
	}
	struct sysinfo si;
	if (SYSCALL(sysinfo, &si) == 0 && si.harts > 1) {
		/* The count is the kernel's, over every hart: work another hart does meanwhile
		 * (a deferred reap, a server) would take the failure a workload was meant to
		 * see. The sweep runs on one hart (make test's failalloc step, test-full). */
		printf("  %lu harts: the sweep needs one (failalloc counts every hart's)\n",
		       (unsigned long)si.harts);
		return test_status();
	}
	unsigned stride = argc > 1 && strcmp(argv[1], "full") == 0 ? 1 : SAMPLE_EVERY;
	for (unsigned w = 0; w < NWORKLOADS; w++)
		sweep(w, stride);
	/* The servers still work: a program loads and runs. */
	uint64_t made;
	CHECK(judge(workload("exec"), 0, &made));
	printf("%u passed, %u failed\n", runs_good, runs_bad + (unsigned)test_failures);
	return test_status();
}
