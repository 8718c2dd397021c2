/*
 * uniq [-c | -d | -u] [input [output]]: copy input (standard input by default) to
 * output, each run of equal adjacent lines as one; -c prefixes the run's length, -d
 * writes only lines that repeated, -u only those that did not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int opt_c, opt_d, opt_u;

static void emit(FILE *out, const char *line, long count)
{
	if ((opt_d && count < 2) || (opt_u && count > 1))
		return;
	if (opt_c)
		fprintf(out, "%7ld %s", count, line);
	else
		fputs(line, out);
}

int main(int argc, char **argv)
{
	int c;
	while ((c = getopt(argc, argv, "cdu")) != -1) {
		if (c == 'c')
			opt_c = 1;
		else if (c == 'd')
			opt_d = 1;
		else if (c == 'u')
			opt_u = 1;
		else {
			fprintf(stderr, "usage: uniq [-c | -d | -u] [input [output]]\n");
			return 1;
		}
	}
	const char *iname = optind < argc ? argv[optind] : "-";
	FILE *in = strcmp(iname, "-") == 0 ? stdin : fopen(iname, "r");
	FILE *out = optind + 1 < argc ? fopen(argv[optind + 1], "w") : stdout;
	if (!in || !out) {
		fprintf(stderr, "uniq: %s: %s\n", !in ? iname : argv[optind + 1], strerror(errno));
		return 1;
	}
	char *prev = 0, *line = 0;
	size_t psize = 0, size = 0;
	long count = 0;
	ssize_t len;
	while ((len = getline(&line, &size, in)) >= 0) {
		if (len > 0 && line[len - 1] != '\n') { /* a last line without one: as with one */
			char *l = realloc(line, (size_t)len + 2);
			if (!l)
				break;
			line = l, size = (size_t)len + 2;
			line[len] = '\n', line[len + 1] = 0;
		}
		if (prev && strcmp(prev, line) == 0) {
			count++;
			continue;
		}
		if (prev)
			emit(out, prev, count);
		char *t = prev;
		size_t ts = psize;
		prev = line, psize = size;
		line = t, size = ts;
		count = 1;
	}
	if (prev)
		emit(out, prev, count);
	free(prev);
	free(line);
	return fclose(out) == 0 ? 0 : 1;
}
