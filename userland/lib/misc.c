/*
 * Small POSIX calls that are thin layers over others (docs/userland.md): execle, vfork,
 * setpgrp, gethostname, confstr, nice/getpriority/setpriority, sched_rr_get_interval,
 * sched_getcpu, ttyname, mkdtemp, posix_fadvise and posix_fallocate; ctermid, mkostemp,
 * and C11's at_quick_exit and quick_exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "fd.h"
#include "syscall.h"

#define EXECLE_ARGS_MAX 64
#define CONSOLE_NAME	"/dev/console"
#define CONTROLLING_TTY "/dev/tty"
#define NICE_MAX	19
#define NICE_MIN	(-20)
#define RR_QUANTUM_NS	10000000L /* the tick: a thread runs this long before another may */

extern char **environ;

int execle(const char *path, const char *arg0, ...)
{
	char *argv[EXECLE_ARGS_MAX + 1];
	va_list ap;
	int n = 0;
	va_start(ap, arg0);
	argv[n++] = (char *)arg0;
	while (argv[n - 1] && n <= EXECLE_ARGS_MAX)
		argv[n++] = va_arg(ap, char *);
	char *const *envp = argv[n - 1] ? 0 : va_arg(ap, char *const *);
	va_end(ap);
	if (argv[n - 1]) {
		errno = E2BIG;
		return -1;
	}
	return execve(path, argv, envp);
}

/* fork is copy-on-write already: vfork is fork (POSIX allows it). */
pid_t vfork(void)
{
	return fork();
}

int setpgrp(void)
{
	return setpgid(0, 0);
}

int gethostname(char *name, size_t len)
{
	struct utsname u;
	uname(&u);
	size_t n = strlen(u.nodename);
	if (n + 1 > len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(name, u.nodename, n + 1);
	return 0;
}

/* _CS_PATH: where the standard programs are. Returns the size a full answer needs. */
size_t confstr(int name, char *buf, size_t len)
{
	const char *v = name == _CS_PATH ? "/bin" : 0;
	if (!v) {
		errno = EINVAL;
		return 0;
	}
	size_t need = strlen(v) + 1;
	if (buf && len) {
		size_t n = need < len ? need : len;
		memcpy(buf, v, n - 1);
		buf[n - 1] = 0;
	}
	return need;
}

/*
 * The nice value: kept per process (fork copies it) and reported, but every thread here
 * runs at one priority, so it changes nothing (docs/userland.md). Root may lower it.
 */
static int nice_value;

static int clamp_nice(int v)
{
	return v > NICE_MAX ? NICE_MAX : v < NICE_MIN ? NICE_MIN : v;
}

int nice(int incr)
{
	nice_value = clamp_nice(nice_value + incr);
	return nice_value;
}

/* Only PRIO_PROCESS for ourselves (0 or our pid) is ours to answer. */
static int self(int which, id_t who)
{
	if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER) {
		errno = EINVAL;
		return 0;
	}
	if (which != PRIO_PROCESS || (who != 0 && (pid_t)who != getpid())) {
		errno = ESRCH;
		return 0;
	}
	return 1;
}

int getpriority(int which, id_t who)
{
	return self(which, who) ? nice_value : -1;
}

int setpriority(int which, id_t who, int value)
{
	if (!self(which, who))
		return -1;
	nice_value = clamp_nice(value);
	return 0;
}

int sched_rr_get_interval(pid_t pid, struct timespec *interval)
{
	if (pid < 0 || (pid && kill(pid, 0) != 0)) {
		errno = ESRCH;
		return -1;
	}
	interval->tv_sec = 0;
	interval->tv_nsec = RR_QUANTUM_NS;
	return 0;
}

/* sysinfo says which hart the call ran on; the thread may move right after, as on Linux. */
int sched_getcpu(void)
{
	struct sysinfo si = { 0 };
	if (SYSCALL(sysinfo, &si) != 0) {
		errno = ENOSYS;
		return -1;
	}
	return (int)si.hart;
}

int ttyname_r(int fd, char *buf, size_t len)
{
	struct fd_entry *e = fd_get(fd);
	if (!e)
		return EBADF;
	if (e->kind != FD_CONSOLE)
		return ENOTTY;
	if (len < sizeof(CONSOLE_NAME))
		return ERANGE;
	memcpy(buf, CONSOLE_NAME, sizeof(CONSOLE_NAME));
	return 0;
}

char *ttyname(int fd)
{
	static char name[sizeof(CONSOLE_NAME)];
	int err = ttyname_r(fd, name, sizeof(name));
	if (err) {
		errno = err;
		return 0;
	}
	return name;
}

/* POSIX: the controlling terminal's name, in s (L_ctermid bytes) or our own buffer. */
char *ctermid(char *s)
{
	static char own[L_ctermid];
	char *out = s ? s : own;
	memcpy(out, CONTROLLING_TTY, sizeof(CONTROLLING_TTY));
	return out;
}

/* The template's last six X's become letters until mkdir finds a new name. */
char *mkdtemp(char *template)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	size_t n = template ? strlen(template) : 0;
	if (n < 6 || strcmp(template + n - 6, "XXXXXX") != 0) {
		errno = EINVAL;
		return 0;
	}
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	unsigned long seed = (unsigned long)t.tv_nsec ^ ((unsigned long)getpid() << 16);
	for (int tries = 0; tries < 100; tries++) {
		for (int i = 0; i < 6; i++) {
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			template[n - 6 + i] = letters[(seed >> 33) % (sizeof(letters) - 1)];
		}
		if (mkdir(template, 0700) == 0)
			return template;
		if (errno != EEXIST)
			return 0;
	}
	errno = EEXIST;
	return 0;
}

/*
 * mkostemp (POSIX 2024): mkstemp with open flags added (O_APPEND, O_CLOEXEC...).
 * picolibc declares it and has mkostemps, the same with a suffix, but not it.
 */
int mkostemps(char *template, int suffixlen, int flags); /* <stdlib.h>: only for _GNU_SOURCE */

int mkostemp(char *template, int flags)
{
	return mkostemps(template, 0, flags);
}

#define QUICK_EXIT_MAX 32 /* C11's minimum number of at_quick_exit registrations */

static void (*quick_handlers[QUICK_EXIT_MAX])(void);
static int n_quick;

/* C11 (POSIX 2024) at_quick_exit: fn runs at quick_exit, the last registered first. */
int at_quick_exit(void (*fn)(void))
{
	int i = __atomic_fetch_add(&n_quick, 1, __ATOMIC_ACQ_REL);
	if (i >= QUICK_EXIT_MAX) {
		__atomic_fetch_sub(&n_quick, 1, __ATOMIC_ACQ_REL);
		return -1;
	}
	quick_handlers[i] = fn;
	return 0;
}

/* C11 quick_exit: the at_quick_exit handlers, then _Exit: no atexit handler, no flush. */
void quick_exit(int status)
{
	for (int i = __atomic_load_n(&n_quick, __ATOMIC_ACQUIRE); i > 0; i--)
		quick_handlers[i - 1]();
	_Exit(status);
}

/* Advice: nothing here is read ahead or paged, so any valid advice is taken and kept. */
int posix_fadvise(int fd, off_t off, off_t len, int advice)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return EBADF;
	if (S_ISFIFO(st.st_mode) || fd_get(fd)->kind != FD_FILE)
		return ESPIPE;
	if (off < 0 || len < 0 || advice < POSIX_FADV_NORMAL || advice > POSIX_FADV_NOREUSE)
		return EINVAL;
	return 0;
}

/* The file is made at least off + len long (zeros); it never shrinks. */
int posix_fallocate(int fd, off_t off, off_t len)
{
	struct stat st;
	struct fd_entry *e = fd_get(fd);
	if (!e)
		return EBADF;
	if (e->kind != FD_FILE)
		return ESPIPE;
	if (off < 0 || len <= 0)
		return EINVAL;
	if (fstat(fd, &st) != 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return ENODEV;
	if (off + len > st.st_size && ftruncate(fd, off + len) != 0)
		return errno == EINVAL ? EBADF : errno; /* not open for writing */
	return 0;
}
