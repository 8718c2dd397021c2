/*
 * dirname string: string less its last component and the slashes before it ("." when
 * there is no directory part, "/" for the root). POSIX.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: dirname string\n");
		return 1;
	}
	const char *s = argv[1];
	size_t n = strlen(s);
	while (n > 1 && s[n - 1] == '/') /* trailing slashes */
		n--;
	while (n > 0 && s[n - 1] != '/') /* the last component */
		n--;
	if (n == 0) {
		printf("%s\n", s[0] == '/' ? "/" : ".");
		return 0;
	}
	while (n > 1 && s[n - 1] == '/') /* the slashes before it */
		n--;
	printf("%.*s\n", (int)n, s);
	return 0;
}
