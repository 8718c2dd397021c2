/*
 * seq [-s sep] [first [increment]] last: the integers from first (1) by increment (1) up
 * to last (or down, for a negative increment), each followed by sep (a newline) but the
 * last, which a newline ends.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int number(const char *s, long *v)
{
	char *end;
	*v = strtol(s, &end, 10);
	return *s && !*end ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *sep = "\n";
	int c;
	long first = 1, step = 1, last;
	while ((c = getopt(argc, argv, "s:")) != -1) {
		if (c != 's')
			goto usage;
		sep = optarg;
	}
	int n = argc - optind;
	char **a = argv + optind;
	if (n < 1 || n > 3 || number(a[n - 1], &last) != 0 || (n > 1 && number(a[0], &first)) ||
	    (n == 3 && number(a[1], &step)) || step == 0)
		goto usage;
	int any = 0;
	for (long v = first; step > 0 ? v <= last : v >= last; v += step) {
		printf("%s%ld", any ? sep : "", v);
		any = 1;
		if (step > 0 ? v > LONG_MAX - step : v < LONG_MIN - step)
			break; /* the next would overflow */
	}
	if (any)
		putchar('\n');
	return 0;
usage:
	fprintf(stderr, "usage: seq [-s sep] [first [increment]] last\n");
	return 1;
}
