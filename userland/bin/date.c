/*
 * date [-u] [+format]: the time now (the real-time clock; this system keeps no time zone,
 * so local time is UTC, and -u changes nothing), as strftime's format, or POSIX's
 * default "%a %b %e %H:%M:%S %Z %Y".
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define OUT_MAX 512

int main(int argc, char **argv)
{
	const char *format = "%a %b %e %H:%M:%S %Z %Y";
	int c;
	while ((c = getopt(argc, argv, "u")) != -1)
		if (c != 'u')
			goto usage;
	if (optind < argc && argv[optind][0] == '+')
		format = argv[optind++] + 1;
	if (optind != argc)
		goto usage;
	char out[OUT_MAX];
	time_t now = time(0);
	struct tm *tm = gmtime(&now);
	size_t n = tm ? strftime(out, sizeof(out), format, tm) : 0;
	if (!tm || (n == 0 && *format)) {
		fprintf(stderr, "date: cannot format the time\n");
		return 1;
	}
	printf("%s\n", out);
	return 0;
usage:
	fprintf(stderr, "usage: date [-u] [+format]\n");
	return 1;
}
