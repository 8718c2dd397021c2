/*
 * uname [-amnrsv]: the system's names (uname(2)): -s the system (the default), -n the
 * node, -r the release, -v the version, -m the machine; -a all of them, in that order.
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct utsname u;
	int c, want = 0;
	enum { S = 1, N = 2, R = 4, V = 8, M = 16 };
	while ((c = getopt(argc, argv, "amnrsv")) != -1) {
		const char *f = strchr("snrvm", c);
		if (c == 'a')
			want = S | N | R | V | M;
		else if (f)
			want |= 1 << (f - "snrvm");
		else {
			fprintf(stderr, "usage: uname [-amnrsv]\n");
			return 1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: uname [-amnrsv]\n");
		return 1;
	}
	if (uname(&u) != 0) {
		perror("uname");
		return 1;
	}
	const char *field[] = { u.sysname, u.nodename, u.release, u.version, u.machine };
	int first = 1;
	for (int i = 0; i < 5; i++) {
		if ((want ? want : S) & (1 << i)) {
			printf("%s%s", first ? "" : " ", field[i]);
			first = 0;
		}
	}
	printf("\n");
	return 0;
}
