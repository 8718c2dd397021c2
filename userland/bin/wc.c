/*
 * wc [-c|-m] [-lw] [file...]: count newlines, words (runs of non-blank characters) and
 * bytes of each file, or of standard input for "-" or no file, and print them in that
 * order (only the ones asked for; all three without options), then the name. With more
 * than one file, a "total" line follows. Characters are bytes (-m is -c). The format is
 * POSIX's "%d %d %d %s\n", with no padding.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CHUNK 4096

struct counts {
	unsigned long lines, words, bytes;
};

static int want_lines, want_words, want_bytes;

/* Count fd into c: 0, or 1 after printing why not. */
static int count(int fd, const char *name, struct counts *c)
{
	static char buf[CHUNK];
	int in_word = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "wc: %s: %s\n", name, strerror(errno));
			return 1;
		}
		c->bytes += (unsigned long)n;
		for (ssize_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)buf[i];
			c->lines += ch == '\n';
			if (isspace(ch))
				in_word = 0;
			else if (!in_word)
				in_word = 1, c->words++;
		}
	}
}

static void show(const struct counts *c, const char *name)
{
	const char *sep = "";
	if (want_lines)
		printf("%lu", c->lines), sep = " ";
	if (want_words)
		printf("%s%lu", sep, c->words), sep = " ";
	if (want_bytes)
		printf("%s%lu", sep, c->bytes);
	printf(name ? " %s\n" : "\n", name);
}

/* Parse the options: the index of the first operand, or -1 for a bad option. */
static int options(int argc, char **argv)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0)
			return i + 1;
		for (const char *o = argv[i] + 1; *o; o++) {
			if (*o == 'l')
				want_lines = 1;
			else if (*o == 'w')
				want_words = 1;
			else if (*o == 'c' || *o == 'm')
				want_bytes = 1;
			else
				return -1;
		}
	}
	if (!want_lines && !want_words && !want_bytes)
		want_lines = want_words = want_bytes = 1;
	return i;
}

int main(int argc, char **argv)
{
	struct counts total = { 0 };
	int status = 0, first = options(argc, argv);
	if (first < 0) {
		fprintf(stderr, "usage: wc [-c|-m] [-lw] [file...]\n");
		return 1;
	}
	if (first == argc) {
		struct counts c = { 0 };
		status = count(STDIN_FILENO, "stdin", &c);
		show(&c, 0);
		return status;
	}
	for (int i = first; i < argc; i++) {
		struct counts c = { 0 };
		int stdin_ = strcmp(argv[i], "-") == 0;
		int fd = stdin_ ? STDIN_FILENO : open(argv[i], O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		status |= count(fd, argv[i], &c);
		if (!stdin_)
			close(fd);
		show(&c, argv[i]);
		total.lines += c.lines, total.words += c.words, total.bytes += c.bytes;
	}
	if (argc - first > 1)
		show(&total, "total");
	return status;
}
