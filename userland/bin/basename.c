/*
 * basename string [suffix]: the last component of string (trailing slashes dropped; "/"
 * for slashes alone), less suffix when it ends so and is not all of it. POSIX.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: basename string [suffix]\n");
		return 1;
	}
	const char *s = argv[1];
	size_t n = strlen(s);
	while (n > 1 && s[n - 1] == '/')
		n--;
	size_t start = n;
	while (start > 0 && s[start - 1] != '/')
		start--;
	if (n == 1 && s[0] == '/')
		start = 0;
	size_t len = n - start;
	if (argc == 3) {
		size_t sl = strlen(argv[2]);
		if (sl < len && strncmp(s + n - sl, argv[2], sl) == 0)
			len -= sl;
	}
	printf("%.*s\n", (int)len, s + start);
	return 0;
}
