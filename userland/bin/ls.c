/*
 * ls [-1aAdl] [file...]: list each directory's entries (sorted by name, one per line),
 * and each other file's name; "." without operands. -a shows names starting with '.',
 * -A those but "." and "..", -d lists a directory itself, not its entries, -l the long
 * form: type and permissions, links, owner and group (numbers), size, modification time
 * (UTC; the year instead of the time of day when not within the last six months) and
 * name. Files are listed before directories; with more than one operand each
 * directory is preceded by "name:". Exit status 1 if an operand could not be listed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PATH_MAX_   256
#define DATE_MAX    32
#define HALF_YEAR_S (182L * 24 * 3600)

static int opt_a, opt_A, opt_d, opt_l;

/* The 10-character mode string of ls -l: type, then rwx for user, group, others. */
static void mode_string(mode_t m, char *s)
{
	static const char rwx[] = "rwxrwxrwx";
	s[0] = S_ISDIR(m) ? 'd' : S_ISCHR(m) ? 'c' : S_ISLNK(m) ? 'l' : S_ISFIFO(m) ? 'p' : '-';
	for (int i = 0; i < 9; i++)
		s[i + 1] = m & (1u << (8 - i)) ? rwx[i] : '-';
	s[10] = 0;
}

/* Print one entry: name alone, or the long form from st (path: where it is, for a
 * symbolic link's "-> text"). */
static void show(const char *name, const char *path, const struct stat *st)
{
	char text[PATH_MAX_];
	ssize_t tl = -1;
	char mode[11], date[DATE_MAX];
	if (!opt_l) {
		printf("%s\n", name);
		return;
	}
	/* POSIX's two forms: the time of day within the last six months, else the year. */
	time_t t = st->st_mtime, now = time(0);
	struct tm *tm = gmtime(&t);
	const char *form = t <= now && now - t < HALF_YEAR_S ? "%b %e %H:%M" : "%b %e  %Y";
	if (!tm || !strftime(date, sizeof(date), form, tm))
		snprintf(date, sizeof(date), "?");
	mode_string(st->st_mode, mode);
	if (S_ISLNK(st->st_mode))
		tl = readlink(path, text, sizeof(text) - 1);
	printf("%s %2lu %u %u %8lld %s %s%s%.*s\n", mode, (unsigned long)st->st_nlink,
	       (unsigned)st->st_uid, (unsigned)st->st_gid, (long long)st->st_size, date, name,
	       tl >= 0 ? " -> " : "", tl >= 0 ? (int)tl : 0, text);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int hidden(const char *name)
{
	if (name[0] != '.' || opt_a)
		return 0;
	return !opt_A || strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/* Append a copy of name to *names (n entries, room for *cap): 0, or -1 without memory. */
static int add_name(char ***names, long *n, long *cap, const char *name)
{
	if (*n == *cap) {
		long c = *cap ? *cap * 2 : 32;
		char **p = realloc(*names, (size_t)c * sizeof(*p));
		if (!p)
			return -1;
		*names = p, *cap = c;
	}
	if (!((*names)[*n] = strdup(name)))
		return -1;
	(*n)++;
	return 0;
}

/*
 * Read the names in dir (malloc'd, sorted): how many, or -1. The file server lists no
 * "." and "..", which POSIX allows; -a shows them all the same, as users expect.
 */
static long read_names(const char *dir, char ***names)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	long n = 0, cap = 0;
	int dots = 0; /* bit 0: "." was listed, bit 1: ".." */
	*names = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		dots |= (strcmp(e->d_name, ".") == 0) | (strcmp(e->d_name, "..") == 0) << 1;
		if (!hidden(e->d_name) && add_name(names, &n, &cap, e->d_name) != 0)
			break;
	}
	closedir(d);
	if (opt_a && !(dots & 1))
		add_name(names, &n, &cap, ".");
	if (opt_a && !(dots & 2))
		add_name(names, &n, &cap, "..");
	qsort(*names, (size_t)n, sizeof(**names), by_name);
	return n;
}

/* List a directory's entries: 0, or 1 after printing why not. */
static int list_dir(const char *dir)
{
	char **names, path[PATH_MAX_];
	long n = read_names(dir, &names);
	int status = 0;
	if (n < 0) {
		fprintf(stderr, "ls: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	for (long i = 0; i < n; i++) {
		struct stat st;
		if (opt_l) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			if (lstat(path, &st) != 0) {
				fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
				status = 1;
				free(names[i]);
				continue;
			}
		}
		show(names[i], path, &st);
		free(names[i]);
	}
	free(names);
	return status;
}

/* Parse the options: the index of the first operand, or -1. */
static int options(int argc, char **argv)
{
	static const char flag_names[] = "aAdl";
	static int *const flag_vars[] = { &opt_a, &opt_A, &opt_d, &opt_l };
	int c;
	while ((c = getopt(argc, argv, "1aAdl")) != -1) {
		const char *f = strchr(flag_names, c);
		if (f)
			*flag_vars[f - flag_names] = 1;
		else if (c != '1')
			return -1;
	}
	return optind;
}

/* List the operands: files first, then each directory (with a heading if several). */
static int list_operands(char **ops, int n)
{
	int status = 0, shown = 0;
	struct stat st;
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < n; i++) {
			/* -l shows a symbolic link operand itself (POSIX, without -H or -L). */
			if ((opt_l ? lstat(ops[i], &st) : stat(ops[i], &st)) != 0) {
				if (pass == 0) {
					fprintf(stderr, "ls: %s: %s\n", ops[i], strerror(errno));
					status = 1;
				}
				continue;
			}
			int as_dir = S_ISDIR(st.st_mode) && !opt_d;
			if (as_dir != pass)
				continue;
			if (!as_dir) {
				show(ops[i], ops[i], &st);
				shown++;
				continue;
			}
			if (n > 1)
				printf("%s%s:\n", shown++ ? "\n" : "", ops[i]);
			status |= list_dir(ops[i]);
		}
	}
	return status;
}

int main(int argc, char **argv)
{
	static char *dot[] = { ".", 0 };
	int first = options(argc, argv);
	if (first < 0) {
		fprintf(stderr, "usage: ls [-1aAdl] [file...]\n");
		return 2;
	}
	if (first == argc)
		return list_operands(dot, 1);
	return list_operands(argv + first, argc - first);
}
