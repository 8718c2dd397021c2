/*
 * Signal names (POSIX.1-2024 sig2str and str2sig): the names of <signal.h> without
 * "SIG", for the shell's trap and kill(1). One table, in signal number order.
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

int sig2str(int sig, char *str)
{
	if (sig <= 0 || sig >= NSIG || !names[sig])
		return -1;
	strcpy(str, names[sig]);
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
	return -1;
}
