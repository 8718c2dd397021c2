/*
 * getopt, and the GNU getopt_long and getopt_long_only, as POSIX specifies getopt.
 * picolibc's version sets optopt to '?' for an unknown option, prints its message even
 * when opterr is 0, and permutes the arguments, so a program written elsewhere reads
 * its command line differently here. These replace it (the library is linked first),
 * and define every symbol its object does so the two never meet in one link.
 *
 * Scanning stops at the first operand, at "-" and after "--", as POSIX says; there is
 * no permutation. Setting optind to 0 (GNU) or back to 1 restarts a scan.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

char *optarg;
int optind = 1, opterr = 1, optopt;

static int cluster;	/* index of the next option character within argv[optind] */
static int cluster_arg; /* the optind cluster belongs to; another value restarts */

/* Diagnostics go to stderr unless opterr is 0 or optstring starts with ':'. */
static void complain(char *const argv[], const char *shortopts, const char *what, const char *name,
		     int c)
{
	if (!opterr || shortopts[0] == ':')
		return;
	if (name)
		fprintf(stderr, "%s: %s -- '%s'\n", argv[0], what, name);
	else
		fprintf(stderr, "%s: %s -- '%c'\n", argv[0], what, c);
}

/* Is argv[optind] the start of more options? Moves past a "--" that ends them. */
static int at_option(int argc, char *const argv[])
{
	if (optind == 0) {
		optind = 1;
		cluster = 0;
	}
	if (cluster_arg != optind)
		cluster = 0;
	if (cluster)
		return 1;
	if (optind >= argc || !argv[optind] || argv[optind][0] != '-' || !argv[optind][1])
		return 0;
	if (strcmp(argv[optind], "--") == 0) {
		optind++;
		return 0;
	}
	return 1;
}

/* Step past the character just taken from a cluster like "-abc". */
static void advance(char *const argv[])
{
	if (argv[optind][++cluster] == '\0') {
		optind++;
		cluster = 0;
	}
	cluster_arg = optind;
}

/* One short option from the current cluster. */
static int short_option(int argc, char *const argv[], const char *shortopts)
{
	if (!cluster)
		cluster = 1;
	cluster_arg = optind;
	int c = (unsigned char)argv[optind][cluster];
	const char *spec = shortopts[0] == '+' || shortopts[0] == '-' ? shortopts + 1 : shortopts;
	const char *hit = c != ':' ? strchr(spec, c) : NULL;
	optopt = c;
	if (!hit) {
		complain(argv, spec, "invalid option", NULL, c);
		advance(argv);
		return '?';
	}
	if (hit[1] != ':') {
		advance(argv);
		return c;
	}
	optarg = NULL;
	if (argv[optind][cluster + 1]) { /* "-ovalue" */
		optarg = &argv[optind][cluster + 1];
		optind++;
	} else if (hit[2] == ':') { /* optional argument: only when attached */
		optind++;
	} else if (optind + 1 < argc) { /* "-o value" */
		optarg = argv[optind + 1];
		optind += 2;
	} else {
		complain(argv, spec, "option requires an argument", NULL, c);
		optind++;
		cluster = 0;
		return spec[0] == ':' ? ':' : '?';
	}
	cluster = 0;
	cluster_arg = optind;
	return c;
}

int getopt(int argc, char *const argv[], const char *optstring)
{
	if (!at_option(argc, argv))
		return -1;
	return short_option(argc, argv, optstring);
}

/* The long option named by text (up to '=' or the end): exact, else one unique prefix. */
static int find_long(const char *text, const struct option *longopts, int *ambiguous)
{
	size_t n = strcspn(text, "=");
	int found = -1;
	*ambiguous = 0;
	for (int i = 0; longopts[i].name; i++) {
		if (strncmp(longopts[i].name, text, n) != 0)
			continue;
		if (strlen(longopts[i].name) == n)
			return i;
		if (found >= 0)
			*ambiguous = 1;
		found = i;
	}
	return *ambiguous ? -1 : found;
}

/* One long option at argv[optind] + skip ("--name" or, for _only, "-name"). */
static int long_option(int argc, char *const argv[], const char *shortopts,
		       const struct option *longopts, int *longind, int skip)
{
	char *text = argv[optind] + skip;
	int ambiguous;
	int i = find_long(text, longopts, &ambiguous);
	char *eq = strchr(text, '=');
	optind++;
	cluster = 0;
	optopt = 0;
	if (i < 0) {
		complain(argv, shortopts, ambiguous ? "ambiguous option" : "unrecognized option",
			 text, 0);
		return '?';
	}
	const struct option *o = &longopts[i];
	optopt = o->flag ? 0 : o->val;
	optarg = NULL;
	if (eq && o->has_arg == no_argument) {
		complain(argv, shortopts, "option takes no argument", o->name, 0);
		return '?';
	}
	if (eq) {
		optarg = eq + 1;
	} else if (o->has_arg == required_argument) {
		if (optind >= argc) {
			complain(argv, shortopts, "option requires an argument", o->name, 0);
			return shortopts[0] == ':' ? ':' : '?';
		}
		optarg = argv[optind++];
	}
	if (longind)
		*longind = i;
	if (o->flag) {
		*o->flag = o->val;
		return 0;
	}
	return o->val;
}

static int scan_long(int argc, char *const argv[], const char *shortopts,
		     const struct option *longopts, int *longind, int only)
{
	if (!at_option(argc, argv))
		return -1;
	const char *arg = argv[optind];
	if (!cluster && longopts && arg[1] == '-')
		return long_option(argc, argv, shortopts, longopts, longind, 2);
	if (!cluster && longopts && only) {
		int ambiguous;
		/* getopt_long_only: "-name" is long unless it is only a known short option */
		if (find_long(arg + 1, longopts, &ambiguous) >= 0 ||
		    (!arg[2] && !strchr(shortopts, arg[1])) || ambiguous)
			return long_option(argc, argv, shortopts, longopts, longind, 1);
	}
	return short_option(argc, argv, shortopts);
}

int getopt_long(int argc, char *const argv[], const char *shortopts, const struct option *longopts,
		int *longind)
{
	return scan_long(argc, argv, shortopts, longopts, longind, 0);
}

int getopt_long_only(int argc, char *const argv[], const char *shortopts,
		     const struct option *longopts, int *longind)
{
	return scan_long(argc, argv, shortopts, longopts, longind, 1);
}
