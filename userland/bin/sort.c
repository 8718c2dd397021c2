/*
 * sort [-nru] [file...]: the lines of the files (or standard input, also for "-"), in
 * order: bytewise, or by leading number with -n (lines that are no number count as 0,
 * ties bytewise); -r reverses, -u keeps the first of each run of equal lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int opt_n, opt_r, opt_u;

static int compare(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int r = 0;
	if (opt_n) {
		double dx = strtod(x, 0), dy = strtod(y, 0);
		r = dx < dy ? -1 : dx > dy;
	}
	if (!r)
		r = strcmp(x, y);
	return opt_r ? -r : r;
}

/* Append every line of f to *lines: 0, or -1 without memory. */
static int read_lines(FILE *f, char ***lines, size_t *n, size_t *cap)
{
	char *line = 0;
	size_t size = 0;
	ssize_t len;
	while ((len = getline(&line, &size, f)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = 0;
		if (*n == *cap) {
			char **l = realloc(*lines, (*cap = *cap ? *cap * 2 : 64) * sizeof(*l));
			if (!l)
				return -1;
			*lines = l;
		}
		(*lines)[(*n)++] = strdup(line);
		if (!(*lines)[*n - 1])
			return -1;
	}
	free(line);
	return 0;
}

int main(int argc, char **argv)
{
	int c;
	char **lines = 0;
	size_t n = 0, cap = 0;
	while ((c = getopt(argc, argv, "nru")) != -1) {
		if (c == 'n')
			opt_n = 1;
		else if (c == 'r')
			opt_r = 1;
		else if (c == 'u')
			opt_u = 1;
		else {
			fprintf(stderr, "usage: sort [-nru] [file...]\n");
			return 2;
		}
	}
	for (int i = optind; i < argc || i == optind; i++) {
		const char *name = i < argc ? argv[i] : "-";
		FILE *f = strcmp(name, "-") == 0 ? stdin : fopen(name, "r");
		if (!f) {
			fprintf(stderr, "sort: %s: %s\n", name, strerror(errno));
			return 2;
		}
		if (read_lines(f, &lines, &n, &cap) != 0) {
			fprintf(stderr, "sort: %s\n", strerror(ENOMEM));
			return 2;
		}
		if (f != stdin)
			fclose(f);
		if (i >= argc)
			break;
	}
	if (n > 1)
		qsort(lines, n, sizeof(*lines), compare);
	for (size_t i = 0; i < n; i++)
		if (!opt_u || i == 0 || compare(&lines[i - 1], &lines[i]) != 0)
			printf("%s\n", lines[i]);
	return 0;
}
