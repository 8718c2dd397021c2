/*
 * id [-u | -g | -G] [-n]: the user and group ids (every process runs as root, uid 0:
 * docs/files.md), with names; -u, -g or -G alone print only the number (-n: the name).
 */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

static const char *user_name(uid_t u)
{
	struct passwd *p = getpwuid(u);
	return p ? p->pw_name : "?";
}

static const char *group_name(gid_t g)
{
	struct group *gr = getgrgid(g);
	return gr ? gr->gr_name : "?";
}

int main(int argc, char **argv)
{
	int c, only = 0, names = 0;
	while ((c = getopt(argc, argv, "ugGn")) != -1) {
		if (c == 'n')
			names = 1;
		else if (c == 'u' || c == 'g' || c == 'G')
			only = c;
		else
			goto usage;
	}
	if (optind != argc || (names && !only))
		goto usage;
	uid_t u = geteuid();
	gid_t g = getegid();
	if (only == 'u')
		names ? printf("%s\n", user_name(u)) : printf("%u\n", (unsigned)u);
	else if (only)
		names ? printf("%s\n", group_name(g)) : printf("%u\n", (unsigned)g);
	else
		printf("uid=%u(%s) gid=%u(%s) groups=%u(%s)\n", (unsigned)u, user_name(u),
		       (unsigned)g, group_name(g), (unsigned)g, group_name(g));
	return 0;
usage:
	fprintf(stderr, "usage: id [-u | -g | -G] [-n]\n");
	return 1;
}
