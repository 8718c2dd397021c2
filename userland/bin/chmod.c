/*
 * chmod mode file...: set each file's permission bits. mode is octal (644, 4755) or
 * symbolic, POSIX's [ugoa]*[+-=][rwxst]* clauses separated by commas (u+x, go-w, a=r).
 * With no who, the umask's bits are spared for + and -. Exit status 1 if a file's mode
 * could not be set. docs/files.md (modes are kept; everyone is root).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define WHO_ALL 07777

static int usage(void)
{
	fprintf(stderr, "usage: chmod mode file...\n");
	return 1;
}

/* The bits a who letter covers. */
static mode_t who_bits(char c)
{
	return c == 'u' ? 04700 : c == 'g' ? 02070 : c == 'o' ? 00007 : c == 'a' ? WHO_ALL : 0;
}

/* The bits a permission letter stands for, before who limits them. */
static mode_t perm_bits(char c)
{
	return c == 'r'	  ? 0444
	       : c == 'w' ? 0222
	       : c == 'x' ? 0111
	       : c == 's' ? 06000
	       : c == 't' ? 01000
			  : 0;
}

/* Apply symbolic mode text to old: the new mode, or -1 for a bad text. */
static long symbolic(const char *text, mode_t old, mode_t mask)
{
	mode_t mode = old & 07777;
	const char *p = text;
	for (;;) {
		mode_t who = 0;
		for (; who_bits(*p); p++)
			who |= who_bits(*p);
		if (*p != '+' && *p != '-' && *p != '=')
			return -1;
		while (*p == '+' || *p == '-' || *p == '=') {
			char op = *p++;
			mode_t perm = 0;
			for (; perm_bits(*p); p++)
				perm |= perm_bits(*p);
			mode_t in = who ? perm & who : perm & ~mask;
			if (op == '=')
				mode = (mode & ~(who ? who : WHO_ALL)) | in;
			else if (op == '+')
				mode |= in;
			else
				mode &= ~in;
		}
		if (*p == 0)
			return (long)mode;
		if (*p++ != ',')
			return -1;
	}
}

int main(int argc, char **argv)
{
	int i = 1, status = 0;
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (argc - i < 2)
		return usage();
	const char *text = argv[i++];
	char *end;
	long octal = strtol(text, &end, 8);
	int numeric = *text && !*end;
	if (numeric && (octal < 0 || octal > 07777))
		return usage();
	mode_t mask = umask(0);
	umask(mask);
	for (; i < argc; i++) {
		struct stat st;
		long mode = octal;
		if (!numeric) {
			if (stat(argv[i], &st) != 0) {
				fprintf(stderr, "chmod: %s: %s\n", argv[i], strerror(errno));
				status = 1;
				continue;
			}
			if ((mode = symbolic(text, st.st_mode, mask)) < 0) {
				fprintf(stderr, "chmod: %s: invalid mode\n", text);
				return 1;
			}
		}
		if (chmod(argv[i], (mode_t)mode) != 0) {
			fprintf(stderr, "chmod: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
	}
	return status;
}
