/*
 * The POSIX process calls, as requests to the fork server (lib/proc.h): fork, forkx,
 * wait, waitpid, getpid, getppid, kill; _exit is the exit system call (libc_glue.c),
 * which the kernel reports to the server. fork passes descriptors on (fd.c).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd.h"
#include "proc.h"
#include "pthread_impl.h"
#include "syscall.h"

int64_t proc_request(uint64_t label, uint64_t w0, uint64_t w1, uint64_t *out1, const void *buf,
		     unsigned len)
{
	struct ipc_msg m = { .tag = ipc_tag(label, 2, len, 0), .sbuf = buf };
	m.w[0] = w0;
	m.w[1] = w1;
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	long err = ipc_call(SLOT_PROC, &m);
	if (err) /* E_INTR: a signal handler ran while we waited (wait(), docs/signals.md) */
		return err == E_BADCAP ? -ENOSYS : err == E_INTR ? -EINTR : -EIO;
	if (out1)
		*out1 = m.w[1];
	return (int64_t)m.w[0];
}

int proc_gone(pid_t pid)
{
	struct ipc_msg m = { .tag = ipc_tag(PROC_KILL, 3, 0, 0) };
	m.w[0] = (uint64_t)(int64_t)pid;
	m.w[1] = 0;
	m.w[2] = PROC_KILL_LIVE;
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	return pid > 0 && ipc_call(SLOT_PROC, &m) == 0 && (int64_t)m.w[0] == -ESRCH;
}

/* A negative reply is -errno: set errno and return -1. */
static int64_t result(int64_t r)
{
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/*
 * The child inherits every descriptor: the fork server counts its pipe ends before it
 * runs, so a reader never sees EOF while the child still holds a writer.
 */
static pid_t fork_request(int mode)
{
	return (pid_t)result(proc_request(PROC_FORK, (uint64_t)mode, 0, 0, 0, 0));
}

/*
 * pthread_atfork handlers and the C library's lock around the request (pthread.c); a
 * child of a process that takes signals turns its interval timer off (signal.c).
 */
static pid_t __attribute__((noinline)) fork_hooked(int mode)
{
	/* Without threads or handlers the locks guard nothing, and each store to them after
	 * the fork would copy a page, in the parent and in the child. */
	int hooks = pthread_threaded || pthread_atfork_count;
	if (hooks)
		pthread_fork_prepare();
	int sig = signals_registered;
	if (sig)
		signals_fork_begin();
	pid_t pid = fork_request(mode);
	int err = errno;
	if (sig)
		signals_fork_end(pid == 0);
	if (hooks)
		pthread_fork_after(pid == 0);
	errno = err;
	return pid;
}

/* Only a process with threads, fork handlers or signal handlers pays for them. */
pid_t forkx(int mode)
{
	if (pthread_threaded || pthread_atfork_count || signals_registered)
		return fork_hooked(mode);
	return fork_request(mode);
}

pid_t fork(void)
{
	return forkx(FORK_COW);
}

/*
 * PROC_WAIT with waitpid's and waitid's options (WEXITED for ends: the server knows
 * them all). A call cut short by a signal handler on this thread fails with E_INTR
 * (-EINTR, or it runs again with SA_RESTART: signal.c). An answer of -EINTR from the
 * server instead means the signal went to another of our threads (it ends every wait
 * of the process it holds, docs/signals.md): this thread waits again.
 */
static pid_t wait_request(pid_t pid, int *status, int options)
{
	struct ipc_msg m;
	long err;
	do {
		m = (struct ipc_msg){ .tag = ipc_tag(PROC_WAIT, 2, 0, 0) };
		m.w[0] = (uint64_t)(int64_t)pid;
		m.w[1] = (uint64_t)(unsigned)options;
		m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
		err = ipc_call(SLOT_PROC, &m);
	} while (err == 0 && (int64_t)m.w[0] == -EINTR);
	if (err)
		return (pid_t)result(err == E_BADCAP ? -ENOSYS : err == E_INTR ? -EINTR : -EIO);
	if ((int64_t)m.w[0] > 0 && status)
		*status = (int)m.w[1];
	return (pid_t)result((int64_t)m.w[0]);
}

/* POSIX's waitpid options: anything else is EINVAL. A cancellation point, as are wait
 * and waitid: on the way in, and when a cancel cut the wait (EINTR). */
pid_t waitpid(pid_t pid, int *status, int options)
{
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED)) {
		errno = EINVAL;
		return -1;
	}
	cancel_point();
	pid_t r = wait_request(pid, status, options | WEXITED);
	if (r < 0)
		cancel_point();
	return r;
}

/* waitid's siginfo_t for a wait() status st of child pid. */
static void waitid_info(siginfo_t *info, pid_t pid, int st)
{
	info->si_signo = SIGCHLD;
	info->si_pid = pid;
	if (WIFEXITED(st))
		info->si_code = CLD_EXITED, info->si_status = WEXITSTATUS(st);
	else if (WIFSTOPPED(st))
		info->si_code = CLD_STOPPED, info->si_status = WSTOPSIG(st);
	else if (WIFCONTINUED(st))
		info->si_code = CLD_CONTINUED, info->si_status = SIGCONT;
	else
		info->si_code = CLD_KILLED, info->si_status = WTERMSIG(st);
}

/* waitid: WEXITED, WSTOPPED and WCONTINUED in any mix; WNOWAIT leaves what it reports
 * (a zombie, a stop, a continue) for a later wait. */
int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
	const int known = WNOHANG | WEXITED | WSTOPPED | WCONTINUED | WNOWAIT;
	pid_t want = -1, r;
	int st = 0;
	if (!info || (options & ~known) || !(options & (WEXITED | WSTOPPED | WCONTINUED)) ||
	    (idtype != P_ALL && idtype != P_PID && idtype != P_PGID) ||
	    (idtype == P_PID && (pid_t)id <= 0) || (idtype == P_PGID && (pid_t)id < 0)) {
		errno = EINVAL;
		return -1;
	}
	if (idtype == P_PID)
		want = (pid_t)id;
	else if (idtype == P_PGID)
		want = id ? -(pid_t)id : 0; /* 0: our own group */
	memset(info, 0, sizeof(*info));
	cancel_point();
	if ((r = wait_request(want, &st, options)) < 0)
		cancel_point();
	if (r <= 0)
		return r; /* -1 with errno, or 0: WNOHANG and nothing yet (info is zero) */
	waitid_info(info, r, st);
	return 0;
}

pid_t wait(int *status)
{
	return waitpid(-1, status, 0);
}

pid_t getpid(void)
{
	return (pid_t)result(proc_request(PROC_GETPID, 0, 0, 0, 0, 0));
}

pid_t getppid(void)
{
	uint64_t ppid = 0;
	if (result(proc_request(PROC_GETPID, 0, 0, &ppid, 0, 0)) < 0)
		return -1;
	return (pid_t)ppid;
}

int kill(pid_t pid, int sig)
{
	int self = signals_kill_self(pid, sig);
	if (self > 0)
		return 0;
	int blocked = signals_blocked_here(sig) || self < 0;
	int64_t r = proc_request(PROC_KILL, (uint64_t)(int64_t)pid, (uint64_t)sig, 0, 0, 0);
	/* We may be one of the group, or the target with sig blocked: with no other thread
	 * to take it, ours (or pending, for sigpending and sigwait) before we return. With
	 * threads, the one the server diverts takes it. */
	if (r == 0 && (pid <= 0 || blocked) && sig != 0 && !pthread_threaded)
		signals_take_now();
	return (int)result(r);
}

/* Process groups and sessions: the fork server keeps them (docs/process.md). */
int setpgid(pid_t pid, pid_t pgid)
{
	return (int)result(proc_request(PROC_SETPGID, (uint64_t)(int64_t)pid,
					(uint64_t)(int64_t)pgid, 0, 0, 0));
}

pid_t getpgid(pid_t pid)
{
	return (pid_t)result(proc_request(PROC_GETPGID, (uint64_t)(int64_t)pid, 0, 0, 0, 0));
}

pid_t getpgrp(void)
{
	return getpgid(0);
}

/* The console's foreground process group, kept by the fork server (one console). */
pid_t tcgetpgrp(int fd)
{
	if (!isatty(fd))
		return -1; /* ENOTTY */
	return (pid_t)result(proc_request(PROC_TCGETPGRP, 0, 0, 0, 0, 0));
}

int tcsetpgrp(int fd, pid_t pgrp)
{
	if (!isatty(fd))
		return -1; /* ENOTTY */
	return (int)result(proc_request(PROC_TCSETPGRP, (uint64_t)(int64_t)pgrp, 0, 0, 0, 0));
}

pid_t getsid(pid_t pid)
{
	uint64_t sid = 0;
	if (result(proc_request(PROC_GETPGID, (uint64_t)(int64_t)pid, 0, &sid, 0, 0)) < 0)
		return -1;
	return (pid_t)sid;
}

pid_t setsid(void)
{
	return (pid_t)result(proc_request(PROC_SETSID, 0, 0, 0, 0, 0));
}
