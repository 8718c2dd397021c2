/*
 * echo [-n] [string...]: write the strings separated by single spaces, then a newline
 * (none with -n, as BSD and GNU echo do). No backslash escapes are interpreted.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	int i = 1, newline = 1;
	if (argc > 1 && strcmp(argv[1], "-n") == 0)
		newline = 0, i = 2;
	for (int first = i; i < argc; i++) {
		if (i > first)
			putchar(' ');
		fputs(argv[i], stdout);
	}
	if (newline)
		putchar('\n');
	return fflush(stdout) == 0 ? 0 : 1;
}
