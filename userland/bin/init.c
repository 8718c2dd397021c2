/*
 * init: the first task. It starts the loader server (loading it itself, the one load
 * not done by the loader), then the fork server through it, registers itself there as pid 1,
 * then runs the in-guest test suite ("test" on the kernel command line), the program
 * named after "run", or, with neither, the shell; it exits with that status.
 *
 * The suite runs every program in the boot archive whose name starts with "test_", each
 * as its own process, with a time limit and a free-frame check around the whole suite,
 * and powers off with the result.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd.h"
#include "fs.h"
#include "loader.h"
#include "proc.h"
#include "taskspawn.h"
#include "syscall.h"

#define TEST_PREFIX	  "test_"
#define TEST_TIMEOUT_S	  120
#define POLLS_PER_S	  20
#define LEAK_SETTLE_POLLS (2 * POLLS_PER_S) /* 2 s for the last frames to come home */
#define NS_PER_S	  1000000000L
/* Start a server's first thread at SERVER_PRIO; its pid-like id, or a negative error. */
static long start_server(const struct spawned *s)
{
	long th = slot_alloc();
	long id = SYSCALL(thread_create, s->task, th, s->entry, s->sp, 0);
	if (id > 0)
		SYSCALL(thread_ctl, th, THREAD_CTL_PRIORITY, SERVER_PRIO);
	SYSCALL(cap_delete, th);
	slot_free(th);
	return id;
}

/*
 * Start the loader server with the archive (read and execute: all it needs) and its
 * endpoint; we keep a send capability in SLOT_LOADER. We load it ourselves: nothing
 * else can yet.
 */
static int start_loader(void)
{
	char *argv[] = { "loader", 0 };
	long ep = slot_alloc();
	struct spawned s;
	struct spawn_req req = { .name = "loader", .argv = argv, .supervisor = -1 };
	int err = (int)SYSCALL(obj_create, SLOT_SELF, OBJ_ENDPOINT, ep, 0);
	if (!err)
		err = spawn_create_local(&req, &s);
	if (!err)
		err = (int)SYSCALL(task_cap_put, s.task, ep, SLOT_LOADER_EP, CAP_ALL);
	if (!err)
		err = (int)SYSCALL(task_cap_put, s.task, SLOT_ARCHIVE, SLOT_ARCHIVE,
				   CAP_READ | CAP_EXEC);
	if (!err)
		err = (int)SYSCALL(cap_copy, ep, SLOT_LOADER, CAP_SEND);
	if (!err && start_server(&s) < 0)
		err = E_NOMEM;
	slot_free(ep); /* the loader's copy and ours stay */
	return err;
}

/*
 * Start the file server (through the loader) with its endpoint and the archive (read and
 * execute, and grant: it hands /bin's pages to the clients that map them); we keep a send
 * capability in SLOT_FS. The holders page it shares with the fork server is made here
 * and mapped into both (start_forksrv maps the fork server's). It also gets device
 * control and the loader, to start the block driver of the disk it mounts at /boot,
 * unless noboot leaves the disk to fatfs.
 */
static int start_fs(long holders, struct spawned *s, int noboot)
{
	char *argv[] = { "fs", noboot ? "noboot" : 0, 0 };
	long ep = slot_alloc();
	/*
	 * Its quota is the machine's memory, not what init has left (spawn's default): a
	 * quota counts every page a task maps, and init and the server both map the boot
	 * archive's files, about 2,500 pages, so at 32 MiB what was left held barely 1 MiB of
	 * file data. The server's own budget (docs/files.md, "Memory and errors") is the limit.
	 */
	struct memstat ms = { 0 };
	SYSCALL(memstat, SLOT_SELF, &ms);
	struct spawn_req req = { .name = "fs",
				 .argv = argv,
				 .supervisor = -1,
				 .quota = ms.total_frames * (uint64_t)sysconf(_SC_PAGESIZE) };
	int err = (int)SYSCALL(obj_create, SLOT_SELF, OBJ_ENDPOINT, ep, 0);
	if (!err)
		err = (int)SYSCALL(obj_create, SLOT_SELF, OBJ_MEMORY, holders, 1);
	if (!err)
		err = spawn_create(&req, s);
	if (!err)
		err = (int)SYSCALL(task_cap_put, s->task, ep, SLOT_FS_EP, CAP_ALL);
	if (!err)
		err = (int)SYSCALL(task_cap_put, s->task, SLOT_ARCHIVE, SLOT_ARCHIVE,
				   CAP_READ | CAP_EXEC | CAP_GRANT);
	if (!err)
		err = (int)SYSCALL(map, s->task, holders, FS_HOLDERS_VA, 0, 1,
				   MAP_PROT_READ | MAP_PROT_WRITE | MAP_KIND_SHARED);
	if (!err)
		err = (int)SYSCALL(task_cap_put, s->task, SLOT_IRQCTL, SLOT_IRQCTL, CAP_ALL);
	if (!err) /* to load that driver */
		err = (int)SYSCALL(task_cap_put, s->task, SLOT_LOADER, SLOT_LOADER, CAP_SEND);
	if (!err)
		err = (int)SYSCALL(cap_copy, ep, SLOT_FS, CAP_SEND);
	if (!err && start_server(s) < 0)
		err = E_NOMEM;
	slot_free(ep);
	return err;
}

/* Start the fork server (through the loader) with its endpoint, the archive and the
 * loader; we get pid 1's capability. */
static int start_forksrv(long holders)
{
	char *argv[] = { "forksrv", 0 };
	long ep = slot_alloc();
	struct spawned s;
	struct spawn_req req = { .name = "forksrv", .argv = argv, .supervisor = -1 };
	int err = (int)SYSCALL(obj_create, SLOT_SELF, OBJ_ENDPOINT, ep, 0);
	if (!err)
		err = spawn_create(&req, &s);
	if (!err)
		err = (int)SYSCALL(task_cap_put, s.task, SLOT_LOADER, SLOT_LOADER, CAP_SEND);
	if (!err)
		err = (int)SYSCALL(task_cap_put, s.task, ep, SLOT_SERVER, CAP_ALL);
	if (!err)
		err = (int)SYSCALL(task_cap_put, s.task, SLOT_ARCHIVE, SLOT_ARCHIVE,
				   CAP_READ | CAP_EXEC | CAP_GRANT);
	if (!err)
		err = (int)SYSCALL(task_cap_put, s.task, SLOT_CONSOLE, SLOT_CONSOLE, CAP_ALL);
	if (!err)
		err = (int)SYSCALL(task_cap_put, s.task, SLOT_MACHINE, SLOT_MACHINE, CAP_ALL);
	if (!err)
		err = (int)SYSCALL(task_cap_put, s.task, SLOT_IRQCTL, SLOT_IRQCTL, CAP_ALL);
	if (!err)
		err = (int)SYSCALL(task_cap_put, s.task, SLOT_FS, FORKSRV_SLOT_FS, CAP_SEND);
	if (!err)
		err = (int)SYSCALL(map, s.task, holders, FS_HOLDERS_VA, 0, 1,
				   MAP_PROT_READ | MAP_PROT_WRITE | MAP_KIND_SHARED);
	if (!err)
		err = (int)SYSCALL(cap_mint, ep, SLOT_PROC, CAP_SEND, PID_INIT);
	if (!err && start_server(&s) < 0)
		err = E_NOMEM;
	return err;
}

/*
 * The environment every program init starts gets (the shell passes it on): where the
 * programs are, as confstr(_CS_PATH) says, root's home, and the directory it starts in.
 */
static char *const child_env[] = { "PATH=/bin", "HOME=/", "PWD=/", 0 };

/* Put the strings of list after *len bytes of buf: how many, or -1 if they do not fit. */
static int pack_strings(char *buf, size_t size, unsigned *len, char *const *list)
{
	int count = 0;
	for (; list[count]; count++) {
		size_t n = strlen(list[count]) + 1;
		if (*len + n > size)
			return -1;
		memcpy(buf + *len, list[count], n);
		*len += (unsigned)n;
	}
	return count;
}

/* Ask the fork server to start a program as our child, with child_env: its pid or -errno. */
static long spawn_child(const char *name, char *const *args)
{
	char buf[512];
	unsigned len = 0;
	int argc = pack_strings(buf, sizeof(buf), &len, args);
	if (argc < 0 || pack_strings(buf, sizeof(buf), &len, child_env) < 0)
		return -E2BIG;
	(void)name;
	return (long)proc_request(PROC_SPAWN, (uint64_t)argc, 0, 0, buf, len);
}

/* Wait for pid, killing it after the time limit: its wait() status, or -1. */
static int wait_limited(pid_t pid, int *status)
{
	for (long polls = 0; polls < TEST_TIMEOUT_S * POLLS_PER_S; polls++) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0)
			return -1;
		SYSCALL(sleep, NS_PER_S / POLLS_PER_S);
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return 1;
}

static int run_test(const char *name)
{
	char *argv[] = { (char *)name, 0 };
	int status = 0;
	long pid = spawn_child(name, argv);
	int r = pid > 0 ? wait_limited((pid_t)pid, &status) : -1;
	int ok = r == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (pid <= 0)
		printf("test %-24s FAIL: cannot start (%ld)\n", name, pid);
	else if (r > 0)
		printf("test %-24s FAIL: timeout after %d s\n", name, TEST_TIMEOUT_S);
	else if (!ok && WIFSIGNALED(status))
		printf("test %-24s FAIL: killed by signal %d\n", name, WTERMSIG(status));
	else if (!ok)
		printf("test %-24s FAIL: exit status %d\n", name, WEXITSTATUS(status));
	else
		printf("test %-24s ok\n", name);
	return ok;
}

/*
 * The free frames the suite must come back to, once they hold still: at -smp 8 the count
 * was once read while two frames of boot's own work were still on their way home from
 * another hart, and the whole suite then ended with two "too many".
 */
static void memstat_quiet(struct memstat *ms)
{
	struct memstat now;
	SYSCALL(memstat, SLOT_SELF, ms);
	for (int i = 0; i < LEAK_SETTLE_POLLS; i++) {
		SYSCALL(sleep, NS_PER_S / POLLS_PER_S);
		SYSCALL(memstat, SLOT_SELF, &now);
		if (now.free_frames == ms->free_frames)
			return;
		*ms = now;
	}
}

static int run_suite(const struct archive *a)
{
	const struct archive_header *h = (const void *)a->base;
	const struct archive_entry *e = (const void *)(h + 1);
	struct memstat before, after;
	int passed = 0, failed = 0;
	memstat_quiet(&before);
	for (uint32_t i = 0; i < h->count; i++)
		if (strncmp(e[i].name, TEST_PREFIX, strlen(TEST_PREFIX)) == 0)
			run_test(e[i].name) ? passed++ : failed++;
	/* The last test's frames may still be on their way back from another hart. */
	SYSCALL(memstat, SLOT_SELF, &after);
	for (int i = 0; i < LEAK_SETTLE_POLLS && after.free_frames != before.free_frames; i++) {
		SYSCALL(sleep, NS_PER_S / POLLS_PER_S);
		SYSCALL(memstat, SLOT_SELF, &after);
	}
	if (after.free_frames != before.free_frames) {
		printf("test %-24s FAIL: %lu free frames after, %lu before\n", "frame_leak",
		       (unsigned long)after.free_frames, (unsigned long)before.free_frames);
		failed++;
	} else {
		printf("test %-24s ok\n", "frame_leak");
		passed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

/* "run prog args...": run one program and exit with its status. */
static int run_one(int argc, char **argv)
{
	int status = 0;
	if (argc < 1)
		return 2;
	long pid = spawn_child(argv[0], argv);
	if (pid <= 0) {
		printf("init: cannot run %s (%ld)\n", argv[0], pid);
		return 127;
	}
	waitpid((pid_t)pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Words before "run" or "test" are init's own options: is this one of them? */
static int has_option(int argc, char **argv, const char *opt)
{
	for (int i = 1; i < argc && strcmp(argv[i], "run") != 0 && strcmp(argv[i], "test") != 0;
	     i++)
		if (strcmp(argv[i], opt) == 0)
			return 1;
	return 0;
}

/* What init runs: the suite, one program, or the shell; its exit status. */
static int run_all(struct archive *a, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "test") == 0)
			return run_suite(a);
		if (strcmp(argv[i], "run") == 0)
			return run_one(argc - i - 1, argv + i + 1);
	}
	char *shell[] = { "sh", 0 };
	return run_one(1, shell);
}

int main(int argc, char **argv)
{
	struct archive a;
	struct spawned fs;
	long holders = slot_alloc();
	int noboot = has_option(argc, argv, "noboot");
	/* getpid is the first round trip: once it answers, the server is up and settled. */
	if (archive_open(&a) != 0 || start_loader() != 0 || start_fs(holders, &fs, noboot) != 0 ||
	    start_forksrv(holders) != 0 || getpid() != PID_INIT) {
		printf("init: cannot start the loader, the file server and the fork server\n");
		return 1;
	}
	slot_free(holders); /* the page stays while the two servers map it */
	/* One round trip: the file server has made all it keeps before the suite counts frames. */
	struct stat root;
	if (stat("/", &root) != 0) {
		printf("init: the file server does not answer\n");
		return 1;
	}
	int status = run_all(&a, argc, argv);
	/* Our exit powers the machine off: /boot's changes go to the disk first. A failed
	 * write stays in the server's memory, so one more try may still get it out. */
	int err = fs_sync();
	if (err && (err = fs_sync()) != 0)
		printf("init: sync: %s: changes to /boot may be lost\n", strerror(-err));
	return status;
}
