/*
 * posix_spawn and posix_spawnp (docs/userland.md): fork, then in the child the
 * attributes and the file actions in order, then exec. A pipe that closes on exec
 * carries a failure back: the parent reads nothing when the exec worked, or the
 * child's errno, which posix_spawn returns after reaping the child (POSIX lets it fail
 * so, with no child left behind).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum action_kind { ACT_OPEN, ACT_CLOSE, ACT_DUP2, ACT_CHDIR, ACT_FCHDIR };

struct posix_spawn_action {
	enum action_kind kind;
	int fd, newfd, oflag;
	mode_t mode;
	char *path; /* our copy (open, chdir) */
};

#define SPAWN_FLAGS_KNOWN                                                                \
	(POSIX_SPAWN_RESETIDS | POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |          \
	 POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSCHEDPARAM | POSIX_SPAWN_SETSCHEDULER | \
	 POSIX_SPAWN_SETSID)

/* --- file actions --- */

int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)
{
	*fa = (posix_spawn_file_actions_t){ 0, 0, 0 };
	return 0;
}

int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
	for (int i = 0; i < fa->count; i++)
		free(fa->actions[i].path);
	free(fa->actions);
	*fa = (posix_spawn_file_actions_t){ 0, 0, 0 };
	return 0;
}

/* Append a; path (may be 0) is copied. 0, EBADF for a descriptor that cannot be, ENOMEM. */
static int add(posix_spawn_file_actions_t *fa, struct posix_spawn_action a, const char *path)
{
	if (a.fd < 0 || a.newfd < 0 || a.fd >= sysconf(_SC_OPEN_MAX) ||
	    a.newfd >= sysconf(_SC_OPEN_MAX))
		return EBADF;
	if (fa->count == fa->room) {
		int room = fa->room ? 2 * fa->room : 4;
		struct posix_spawn_action *more = realloc(fa->actions, (size_t)room * sizeof(a));
		if (!more)
			return ENOMEM;
		fa->actions = more;
		fa->room = room;
	}
	a.path = 0;
	if (path && !(a.path = strdup(path)))
		return ENOMEM;
	fa->actions[fa->count++] = a;
	return 0;
}

int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *fa, int fd, const char *path,
				     int oflag, mode_t mode)
{
	return add(fa, (struct posix_spawn_action){ ACT_OPEN, fd, 0, oflag, mode, 0 }, path);
}

int posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *fa, int fd)
{
	return add(fa, (struct posix_spawn_action){ ACT_CLOSE, fd, 0, 0, 0, 0 }, 0);
}

int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa, int fd, int newfd)
{
	return add(fa, (struct posix_spawn_action){ ACT_DUP2, fd, newfd, 0, 0, 0 }, 0);
}

int posix_spawn_file_actions_addchdir(posix_spawn_file_actions_t *fa, const char *path)
{
	return add(fa, (struct posix_spawn_action){ ACT_CHDIR, 0, 0, 0, 0, 0 }, path);
}

int posix_spawn_file_actions_addfchdir(posix_spawn_file_actions_t *fa, int fd)
{
	return add(fa, (struct posix_spawn_action){ ACT_FCHDIR, fd, 0, 0, 0, 0 }, 0);
}

/* --- attributes --- */

int posix_spawnattr_init(posix_spawnattr_t *a)
{
	memset(a, 0, sizeof(*a));
	a->policy = SCHED_OTHER;
	return 0;
}

int posix_spawnattr_destroy(posix_spawnattr_t *a)
{
	(void)a;
	return 0;
}

int posix_spawnattr_getflags(const posix_spawnattr_t *a, short *flags)
{
	*flags = a->flags;
	return 0;
}

int posix_spawnattr_setflags(posix_spawnattr_t *a, short flags)
{
	if (flags & ~SPAWN_FLAGS_KNOWN)
		return EINVAL;
	a->flags = flags;
	return 0;
}

int posix_spawnattr_getpgroup(const posix_spawnattr_t *a, pid_t *pgroup)
{
	*pgroup = a->pgroup;
	return 0;
}

int posix_spawnattr_setpgroup(posix_spawnattr_t *a, pid_t pgroup)
{
	a->pgroup = pgroup;
	return 0;
}

int posix_spawnattr_getsigdefault(const posix_spawnattr_t *a, sigset_t *set)
{
	*set = a->sigdefault;
	return 0;
}

int posix_spawnattr_setsigdefault(posix_spawnattr_t *a, const sigset_t *set)
{
	a->sigdefault = *set;
	return 0;
}

int posix_spawnattr_getsigmask(const posix_spawnattr_t *a, sigset_t *set)
{
	*set = a->sigmask;
	return 0;
}

int posix_spawnattr_setsigmask(posix_spawnattr_t *a, const sigset_t *set)
{
	a->sigmask = *set;
	return 0;
}

int posix_spawnattr_getschedpolicy(const posix_spawnattr_t *a, int *policy)
{
	*policy = a->policy;
	return 0;
}

int posix_spawnattr_setschedpolicy(posix_spawnattr_t *a, int policy)
{
	a->policy = policy;
	return 0;
}

int posix_spawnattr_getschedparam(const posix_spawnattr_t *a, struct sched_param *p)
{
	*p = a->param;
	return 0;
}

int posix_spawnattr_setschedparam(posix_spawnattr_t *a, const struct sched_param *p)
{
	a->param = *p;
	return 0;
}

/* --- the spawn --- */

/* The attributes, in the child: 0 or -1 with errno set. */
static int apply_attr(const posix_spawnattr_t *a)
{
	if (!a)
		return 0;
	if ((a->flags & POSIX_SPAWN_SETSID) && setsid() < 0)
		return -1;
	if ((a->flags & POSIX_SPAWN_SETPGROUP) && setpgid(0, a->pgroup) != 0)
		return -1;
	if ((a->flags & POSIX_SPAWN_SETSCHEDULER) &&
	    sched_setscheduler(0, a->policy, &a->param) != 0)
		return -1;
	if ((a->flags & (POSIX_SPAWN_SETSCHEDPARAM | POSIX_SPAWN_SETSCHEDULER)) ==
		    POSIX_SPAWN_SETSCHEDPARAM &&
	    sched_setparam(0, &a->param) != 0)
		return -1;
	for (int sig = 1; (a->flags & POSIX_SPAWN_SETSIGDEF) && sig < NSIG; sig++)
		if (sigismember(&a->sigdefault, sig) == 1 && sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	/* POSIX_SPAWN_RESETIDS: every process is root here, so there is nothing to reset. */
	return 0;
}

/* One file action, in the child: 0 or -1 with errno set. */
static int apply_action(const struct posix_spawn_action *a)
{
	int fd;
	switch (a->kind) {
	case ACT_OPEN:
		if ((fd = open(a->path, a->oflag, a->mode)) < 0)
			return -1;
		if (fd != a->fd && (dup2(fd, a->fd) < 0 || close(fd) != 0))
			return -1;
		return 0;
	case ACT_CLOSE:
		return close(a->fd) != 0 && errno != EBADF
			       ? -1
			       : 0; /* closing a closed one is no error */
	case ACT_DUP2:
		if (a->fd == a->newfd) /* POSIX: the descriptor stays open across the exec */
			return fcntl(a->fd, F_SETFD, 0) < 0 ? -1 : 0;
		return dup2(a->fd, a->newfd) < 0 ? -1 : 0;
	case ACT_CHDIR:
		return chdir(a->path);
	case ACT_FCHDIR:
		return fchdir(a->fd);
	}
	errno = EINVAL;
	return -1;
}

/* The child's side: set everything up and exec; on failure tell the parent and die. */
static void child(int report, const char *path, const posix_spawn_file_actions_t *fa,
		  const posix_spawnattr_t *attr, char *const argv[], char *const envp[], int search)
{
	int err = 0;
	if (apply_attr(attr) != 0)
		err = errno;
	for (int i = 0; !err && fa && i < fa->count; i++)
		if (apply_action(&fa->actions[i]) != 0)
			err = errno;
	if (!err) {
		if (attr && (attr->flags & POSIX_SPAWN_SETSIGMASK))
			sigprocmask(SIG_SETMASK, &attr->sigmask, 0);
		if (search)
			execvpe(path, argv, envp);
		else
			execve(path, argv, envp);
		err = errno;
	}
	while (write(report, &err, sizeof(err)) < 0 && errno == EINTR)
		;
	_exit(127);
}

static int spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
		 const posix_spawnattr_t *attr, char *const argv[], char *const envp[], int search)
{
	int report[2], err = 0, st;
	extern char **environ;
	if (pipe2(report, O_CLOEXEC) != 0)
		return errno;
	pid_t c = fork();
	if (c < 0) {
		err = errno;
		close(report[0]);
		close(report[1]);
		return err;
	}
	if (c == 0) {
		close(report[0]);
		child(report[1], path, fa, attr, argv, envp ? envp : environ, search);
	}
	close(report[1]);
	ssize_t n;
	while ((n = read(report[0], &err, sizeof(err))) < 0 && errno == EINTR)
		;
	close(report[0]);
	if (n == (ssize_t)sizeof(err)) { /* it never ran: reap it, and say why */
		while (waitpid(c, &st, 0) < 0 && errno == EINTR)
			;
		return err;
	}
	if (pid)
		*pid = c;
	return 0;
}

int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions,
		const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return spawn(pid, path, actions, attr, argv, envp, 0);
}

int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *actions,
		 const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return spawn(pid, file, actions, attr, argv, envp, 1);
}
