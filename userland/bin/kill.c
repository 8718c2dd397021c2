/*
 * kill [-s signal | -signal] pid... : send a signal (TERM by default; a name without
 * SIG, or a number) to each process, or a group for a negative pid (after --).
 * kill -l [status]: the signal names, or the one a status of 128 + n stands for.
 * Exit status 1 if one could not be sent. docs/signals.md.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATUS_SIGNALLED 128

static int usage(void)
{
	fprintf(stderr, "usage: kill [-s signal | -signal] pid... | kill -l [status]\n");
	return 2;
}

/* A signal's name without SIG, its number, or 0 (only whether the process exists). */
static int parse_signal(const char *w, int *sig)
{
	if (strcmp(w, "0") == 0) {
		*sig = 0;
		return 0;
	}
	return str2sig(w, sig);
}

static int list(int argc, char **argv)
{
	char name[SIG2STR_MAX];
	if (argc > 0) {
		int st = atoi(argv[0]);
		int sig = st > STATUS_SIGNALLED ? st - STATUS_SIGNALLED : st;
		if (sig2str(sig, name) != 0) {
			fprintf(stderr, "kill: %s: no such signal\n", argv[0]);
			return 1;
		}
		printf("%s\n", name);
		return 0;
	}
	for (int sig = 1; sig < NSIG; sig++)
		if (sig2str(sig, name) == 0)
			printf("%s%c", name, sig == NSIG - 1 ? '\n' : ' ');
	return 0;
}

int main(int argc, char **argv)
{
	int sig = SIGTERM, i = 1, status = 0;
	if (argc > 1 && strcmp(argv[1], "-l") == 0)
		return list(argc - 2, argv + 2);
	if (argc > 2 && strcmp(argv[1], "-s") == 0) {
		if (parse_signal(argv[2], &sig) != 0) {
			fprintf(stderr, "kill: %s: no such signal\n", argv[2]);
			return 1;
		}
		i = 3;
	} else if (argc > 1 && argv[1][0] == '-' && strcmp(argv[1], "--") != 0 &&
		   !isdigit((unsigned char)argv[1][1])) {
		if (parse_signal(argv[1] + 1, &sig) != 0) {
			fprintf(stderr, "kill: %s: no such signal\n", argv[1] + 1);
			return 1;
		}
		i = 2;
	} else if (argc > 1 && argv[1][0] == '-' && isdigit((unsigned char)argv[1][1])) {
		if (parse_signal(argv[1] + 1, &sig) != 0) { /* -9: a number */
			fprintf(stderr, "kill: %s: no such signal\n", argv[1] + 1);
			return 1;
		}
		i = 2;
	}
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (i >= argc)
		return usage();
	for (; i < argc; i++) {
		char *end;
		long pid = strtol(argv[i], &end, 10);
		if (!argv[i][0] || *end) {
			fprintf(stderr, "kill: %s: not a process id\n", argv[i]);
			status = 1;
			continue;
		}
		if (kill((pid_t)pid, sig) != 0) {
			fprintf(stderr, "kill: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
	}
	return status;
}
