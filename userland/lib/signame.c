/*
 * Signal names (POSIX.1-2024 sig2str and str2sig): the names of <signal.h> without
 * "SIG", for the shell's trap and kill(1). One table, in signal number order; the
 * realtime signals are named from SIGRTMIN and SIGRTMAX. And psiginfo (POSIX 2008),
 * which picolibc lacks.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[NSIG] = {
	[SIGHUP] = "HUP",   [SIGINT] = "INT",	    [SIGQUIT] = "QUIT", [SIGILL] = "ILL",
	[SIGTRAP] = "TRAP", [SIGABRT] = "ABRT",	    [SIGEMT] = "EMT",	[SIGFPE] = "FPE",
	[SIGKILL] = "KILL", [SIGBUS] = "BUS",	    [SIGSEGV] = "SEGV", [SIGSYS] = "SYS",
	[SIGPIPE] = "PIPE", [SIGALRM] = "ALRM",	    [SIGTERM] = "TERM", [SIGURG] = "URG",
	[SIGSTOP] = "STOP", [SIGTSTP] = "TSTP",	    [SIGCONT] = "CONT", [SIGCHLD] = "CHLD",
	[SIGTTIN] = "TTIN", [SIGTTOU] = "TTOU",	    [SIGIO] = "IO",	[SIGXCPU] = "XCPU",
	[SIGXFSZ] = "XFSZ", [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF", [SIGWINCH] = "WINCH",
	[SIGLOST] = "LOST", [SIGUSR1] = "USR1",	    [SIGUSR2] = "USR2",
};

/* The realtime signals' halves: RTMIN+n names the lower, RTMAX-n the upper (POSIX). */
#define RT_LOWER_LAST (SIGRTMIN + (SIGRTMAX - SIGRTMIN) / 2)

/* "RTMIN", "RTMIN+n", "RTMAX-n" or "RTMAX" for realtime signal sig. */
static void rt_name(int sig, char *str)
{
	static const char digits[] = "0123456789";
	int n = sig <= RT_LOWER_LAST ? sig - SIGRTMIN : SIGRTMAX - sig;
	char *p = str;
	strcpy(p, sig <= RT_LOWER_LAST ? "RTMIN" : "RTMAX");
	p += 5;
	if (n) {
		*p++ = sig <= RT_LOWER_LAST ? '+' : '-';
		if (n >= 10)
			*p++ = digits[n / 10];
		*p++ = digits[n % 10];
	}
	*p = 0;
}

int sig2str(int sig, char *str)
{
	if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
		rt_name(sig, str);
		return 0;
	}
	if (sig <= 0 || sig >= NSIG || !names[sig])
		return -1;
	strcpy(str, names[sig]);
	return 0;
}

/* "RTMIN", "RTMIN+n", "RTMAX" or "RTMAX-n" (n in decimal, in range): 0 and *sig, or -1. */
static int rt_number(const char *str, int *sig)
{
	int lower = strncmp(str, "RTMIN", 5) == 0;
	if (!lower && strncmp(str, "RTMAX", 5) != 0)
		return -1;
	int base = lower ? SIGRTMIN : SIGRTMAX, n = 0;
	const char *p = str + 5;
	if (*p) {
		if (*p++ != (lower ? '+' : '-') || *p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9' && n <= SIGRTMAX - SIGRTMIN; p++)
			n = n * 10 + (*p - '0');
		if (*p || n > SIGRTMAX - SIGRTMIN)
			return -1;
	}
	*sig = lower ? base + n : base - n;
	return 0;
}

/* A name (no "SIG", as POSIX has it) or a decimal number of a signal: 0, or -1. */
int str2sig(const char *restrict str, int *restrict sig)
{
	char *end;
	long n = strtol(str, &end, 10);
	if (*str >= '0' && *str <= '9' && !*end) {
		if (n <= 0 || n >= NSIG)
			return -1;
		*sig = (int)n;
		return 0;
	}
	for (int i = 1; i < NSIG; i++) {
		if (names[i] && strcmp(names[i], str) == 0) {
			*sig = i;
			return 0;
		}
	}
	return rt_number(str, sig);
}

/* POSIX psiginfo: what psignal writes for the signal info describes. */
void psiginfo(const siginfo_t *info, const char *message)
{
	psignal(info->si_signo, message);
}
