/*
 * tr [-d | -s] set1 [set2]: copy standard input to standard output, each byte of set1
 * changed to the byte at its place in set2 (set2's last byte repeats); -d deletes set1's
 * bytes; -s squeezes each run of one byte of the last set given into one. Sets take
 * ranges (a-z) and the escapes \n \t \\ \ooo. POSIX's tr, without -c and classes.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SET_MAX 256

/* Expand text into out (at most SET_MAX bytes): the count. */
static int expand(const char *s, unsigned char *out)
{
	int n = 0;
	while (*s && n < SET_MAX) {
		int c = (unsigned char)*s++;
		if (c == '\\' && *s) {
			c = (unsigned char)*s++;
			if (c == 'n')
				c = '\n';
			else if (c == 't')
				c = '\t';
			else if (c >= '0' && c <= '7') {
				int v = c - '0';
				for (int k = 0; k < 2 && *s >= '0' && *s <= '7'; k++)
					v = v * 8 + (*s++ - '0');
				c = v & 0xff;
			}
		}
		if (s[0] == '-' && s[1]) { /* a range c-d */
			int d = (unsigned char)s[1];
			s += 2;
			for (int x = c; x <= d && n < SET_MAX; x++)
				out[n++] = (unsigned char)x;
			continue;
		}
		out[n++] = (unsigned char)c;
	}
	return n;
}

int main(int argc, char **argv)
{
	int c, del = 0, squeeze = 0;
	while ((c = getopt(argc, argv, "ds")) != -1) {
		if (c == 'd')
			del = 1;
		else if (c == 's')
			squeeze = 1;
		else
			goto usage;
	}
	int nsets = argc - optind;
	if (nsets < 1 || nsets > 2 || (del && !squeeze && nsets != 1) ||
	    (!del && !squeeze && nsets != 2))
		goto usage;
	unsigned char s1[SET_MAX], s2[SET_MAX];
	int n1 = expand(argv[optind], s1), n2 = nsets > 1 ? expand(argv[optind + 1], s2) : 0;
	int map[SET_MAX], in1[SET_MAX] = { 0 }, sq[SET_MAX] = { 0 };
	for (int i = 0; i < SET_MAX; i++)
		map[i] = i;
	for (int i = 0; i < n1; i++) {
		in1[s1[i]] = 1;
		if (!del && n2)
			map[s1[i]] = s2[i < n2 ? i : n2 - 1];
	}
	/* -s squeezes the last set given (set2 when translating or with -d) */
	const unsigned char *last = nsets > 1 ? s2 : s1;
	for (int i = 0, n = nsets > 1 ? n2 : n1; i < n; i++)
		sq[last[i]] = 1;
	int prev = -1, ch;
	while ((ch = getchar()) != EOF) {
		if (del && in1[ch])
			continue;
		int out = map[ch];
		if (squeeze && sq[out] && out == prev)
			continue;
		putchar(out);
		prev = out;
	}
	return 0;
usage:
	fprintf(stderr, "usage: tr [-d | -s] set1 [set2]\n");
	return 1;
}
