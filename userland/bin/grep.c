/*
 * grep [-c|-l|-q] [-insvxF] [-e pattern]... [pattern] [file...]: print the lines of each
 * file (standard input for "-" or no file) that contain one of the patterns. Patterns
 * are fixed strings (as with -F; regular expressions are not implemented), and a pattern
 * with newlines is one pattern per line. -i ignores case, -v selects the lines that do
 * not match, -x only whole-line matches, -n prefixes line numbers, -c prints counts, -l
 * names of files with a match, -q prints nothing, -s is quiet about unreadable files.
 * With more than one file, lines are prefixed with the file name. POSIX exit status:
 * 0 if a line was selected, 1 if none, 2 on an error (unless -q found a line).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PATTERNS_MAX 64
#define CHUNK	     4096
#define STATUS_ERROR 2

static const char *patterns[PATTERNS_MAX];
static size_t npatterns;
static int opt_c, opt_i, opt_l, opt_n, opt_q, opt_s, opt_v, opt_x, show_names;

/* A line being read: the bytes, how many, and room for more. */
struct line_buf {
	char *p;
	size_t len, cap;
};

/* Does s (n bytes) equal p (m bytes), with case ignored under -i? */
static int same(const char *s, const char *p, size_t m)
{
	for (size_t i = 0; i < m; i++) {
		unsigned char a = (unsigned char)s[i], b = (unsigned char)p[i];
		if (a != b && (!opt_i || tolower(a) != tolower(b)))
			return 0;
	}
	return 1;
}

static int matches_one(const char *s, size_t n, const char *p)
{
	size_t m = strlen(p);
	if (opt_x)
		return m == n && same(s, p, m);
	for (size_t i = 0; i + m <= n; i++)
		if (same(s + i, p, m))
			return 1;
	return 0;
}

static int selected(const char *s, size_t n)
{
	int hit = 0;
	for (size_t i = 0; i < npatterns && !hit; i++)
		hit = matches_one(s, n, patterns[i]);
	return hit != opt_v;
}

/*
 * Handle one complete line (without its newline): print it if selected and wanted.
 * Returns 1 when the file is done (-l and -q need only one line).
 */
static int one_line(const char *name, const char *s, size_t n, unsigned long number,
		    unsigned long *count)
{
	if (!selected(s, n))
		return 0;
	(*count)++;
	if (opt_q || opt_l)
		return 1;
	if (opt_c)
		return 0;
	if (show_names)
		printf("%s:", name);
	if (opt_n)
		printf("%lu:", number);
	fwrite(s, 1, n, stdout);
	putchar('\n');
	return 0;
}

/* Append n bytes to the line: 0, or -1 without memory. */
static int append(struct line_buf *l, const char *s, size_t n)
{
	if (l->len + n > l->cap) {
		size_t cap = l->cap ? l->cap : CHUNK;
		while (cap < l->len + n)
			cap *= 2;
		char *p = realloc(l->p, cap);
		if (!p)
			return -1;
		l->p = p, l->cap = cap;
	}
	memcpy(l->p + l->len, s, n);
	l->len += n;
	return 0;
}

/* Search fd: how many lines were selected, or -1 after printing an error. */
static long search(int fd, const char *name)
{
	static char buf[CHUNK];
	static struct line_buf line;
	unsigned long number = 0, count = 0;
	int done = 0;
	line.len = 0;
	while (!done) {
		ssize_t n = read(fd, buf, sizeof(buf));
		size_t start = 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (!opt_s)
				fprintf(stderr, "grep: %s: %s\n", name, strerror(errno));
			return -1;
		}
		if (n == 0) { /* a last line without its newline still counts */
			if (line.len)
				one_line(name, line.p, line.len, ++number, &count);
			break;
		}
		for (size_t i = 0; i < (size_t)n && !done; i++) {
			if (buf[i] != '\n')
				continue;
			if (append(&line, buf + start, i - start) != 0)
				goto too_long;
			start = i + 1;
			done = one_line(name, line.p, line.len, ++number, &count);
			line.len = 0;
		}
		if (!done && append(&line, buf + start, (size_t)n - start) != 0)
			goto too_long;
	}
	return (long)count;
too_long:
	fprintf(stderr, "grep: %s: line too long\n", name);
	return -1;
}

/* Add the patterns in s (one per line): 0, or -1 when there are too many. */
static int add_patterns(char *s)
{
	for (char *nl; s; s = nl) {
		if ((nl = strchr(s, '\n')))
			*nl++ = 0;
		if (npatterns == PATTERNS_MAX)
			return -1;
		patterns[npatterns++] = s;
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: grep [-c|-l|-q] [-insvxF] [-e pattern]... [pattern] [file...]\n");
	return STATUS_ERROR;
}

/* The options: the index of the first operand, or -1. */
static int options(int argc, char **argv)
{
	static const char flag_names[] = "cilnqsvx";
	static int *const flag_vars[] = { &opt_c, &opt_i, &opt_l, &opt_n,
					  &opt_q, &opt_s, &opt_v, &opt_x };
	int c;
	while ((c = getopt(argc, argv, "cilnqsvxFe:")) != -1) {
		const char *f = strchr(flag_names, c);
		if (f)
			*flag_vars[f - flag_names] = 1;
		else if (c == 'e' && add_patterns(optarg) != 0)
			return -1;
		else if (c != 'e' && c != 'F')
			return -1;
	}
	if (!npatterns) {
		if (optind >= argc || add_patterns(argv[optind]) != 0)
			return -1;
		optind++;
	}
	return optind;
}

int main(int argc, char **argv)
{
	int first = options(argc, argv), found = 0, error = 0;
	if (first < 0)
		return usage();
	show_names = argc - first > 1;
	for (int i = first; i < argc || i == first; i++) {
		const char *name = i < argc ? argv[i] : "(standard input)";
		int stdin_ = i >= argc || strcmp(argv[i], "-") == 0;
		int fd = stdin_ ? STDIN_FILENO : open(argv[i], O_RDONLY);
		if (fd < 0) {
			if (!opt_s)
				fprintf(stderr, "grep: %s: %s\n", name, strerror(errno));
			error = 1;
			continue;
		}
		long n = search(fd, stdin_ ? "(standard input)" : name);
		if (!stdin_)
			close(fd);
		error |= n < 0;
		found |= n > 0;
		if (n > 0 && opt_q)
			return 0;
		if (opt_c && n >= 0)
			show_names ? printf("%s:%ld\n", name, n) : printf("%ld\n", n);
		if (opt_l && n > 0)
			printf("%s\n", stdin_ ? "(standard input)" : name);
	}
	return error ? STATUS_ERROR : found ? 0 : 1;
}
