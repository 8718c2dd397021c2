/*
 * cut -c list [file...] | cut -f list [-d delim] [-s] [file...]: write the chosen
 * characters (bytes), or fields (tab-separated, or by delim), of each line. A list is
 * numbers and ranges (1-3, 5, -2, 4-) separated by commas, counted from 1; -s drops the
 * lines with no delimiter. POSIX's cut, without -b's splitting and -n.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LIST_MAX 1024 /* positions past this are as the last one */

static unsigned char chosen[LIST_MAX + 2]; /* [n]: position n is written; [LIST_MAX+1]: and past */
static int by_field, only_delimited;
static char delim = '\t';

/* Parse list into chosen: 0, or -1 for a bad one. */
static int parse_list(const char *s)
{
	while (*s) {
		char *end;
		long lo = 1, hi;
		if (*s != '-') {
			lo = strtol(s, &end, 10);
			if (end == s || lo < 1)
				return -1;
			s = end;
		}
		hi = lo;
		if (*s == '-') {
			s++;
			hi = LIST_MAX + 1;
			if (*s >= '0' && *s <= '9') {
				hi = strtol(s, &end, 10);
				s = end;
			}
		}
		if (hi < lo)
			return -1;
		for (long i = lo; i <= hi && i <= LIST_MAX + 1; i++)
			chosen[i] = 1;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return 0;
}

static int picked(long n)
{
	return chosen[n > LIST_MAX ? LIST_MAX + 1 : n];
}

static void cut_line(const char *line, size_t len)
{
	if (!by_field) {
		for (size_t i = 0; i < len; i++)
			if (picked((long)i + 1))
				putchar(line[i]);
		putchar('\n');
		return;
	}
	if (!memchr(line, delim, len)) {
		if (!only_delimited)
			printf("%.*s\n", (int)len, line);
		return;
	}
	long field = 1;
	int first = 1;
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != delim)
			continue;
		if (picked(field)) {
			if (!first)
				putchar(delim);
			printf("%.*s", (int)(i - start), line + start);
			first = 0;
		}
		field++;
		start = i + 1;
	}
	putchar('\n');
}

static int usage(void)
{
	fprintf(stderr, "usage: cut -c list [file...] | cut -f list [-d delim] [-s] [file...]\n");
	return 1;
}

int main(int argc, char **argv)
{
	int c, lists = 0, status = 0;
	while ((c = getopt(argc, argv, "c:b:f:d:s")) != -1) {
		if (c == 'c' || c == 'b' || c == 'f') {
			by_field = c == 'f';
			lists++;
			if (parse_list(optarg) != 0) {
				fprintf(stderr, "cut: %s: bad list\n", optarg);
				return 1;
			}
		} else if (c == 'd' && strlen(optarg) == 1) {
			delim = optarg[0];
		} else if (c == 's') {
			only_delimited = 1;
		} else {
			return usage();
		}
	}
	if (lists != 1)
		return usage();
	char *line = 0;
	size_t size = 0;
	for (int i = optind; i < argc || i == optind; i++) {
		const char *name = i < argc ? argv[i] : "-";
		FILE *f = strcmp(name, "-") == 0 ? stdin : fopen(name, "r");
		if (!f) {
			fprintf(stderr, "cut: %s: %s\n", name, strerror(errno));
			status = 1;
			continue;
		}
		ssize_t n;
		while ((n = getline(&line, &size, f)) >= 0)
			cut_line(line, (size_t)n - (n > 0 && line[n - 1] == '\n'));
		if (f != stdin)
			fclose(f);
		if (i >= argc)
			break;
	}
	free(line);
	return status;
}
