/*
 * expr operand... (POSIX): evaluate the expression the operands spell and print its
 * value. From the loosest binding: a | b (a unless it is null or 0, else b), a & b (a if
 * neither is null or 0, else 0), the comparisons = != < <= > >= (as integers when both
 * are, else as strings; 1 or 0), + and -, * / and % (integers), and a : re (the basic
 * regular expression re matched at the start of a: with a \(...\) the text it matched,
 * else how many characters matched), with ( ) for grouping. Integers are decimal with an
 * optional '-' and must fit 64 bits. Exit status: 0 for a value neither null nor 0, 1
 * for one that is, 2 for a bad expression (or division by zero), 3 for another error.
 */
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_TRUE  0
#define EXIT_FALSE 1
#define EXIT_BAD   2
#define EXIT_ERROR 3
#define NUM_MAX	   24 /* "-9223372036854775808" and its NUL, with room */
#define SUBEXPS	   2  /* the whole match and the first \(...\) */

/* A value: a string, which may hold an integer. Strings are operands or malloc'd. */
struct val {
	const char *s;
};

static char **tok;
static int ntok, pos;

static void die(int status, const char *what)
{
	fprintf(stderr, "expr: %s\n", what);
	exit(status);
}

/* Is s an integer (optional '-', then digits) that fits a long long? Then its value. */
static int integer(const char *s, long long *v)
{
	const char *d = s + (*s == '-');
	if (!*d || strspn(d, "0123456789") != strlen(d))
		return 0;
	errno = 0;
	*v = strtoll(s, 0, 10);
	return errno == 0;
}

static struct val number(long long v)
{
	char *s = malloc(NUM_MAX);
	if (!s)
		die(EXIT_ERROR, "out of memory");
	snprintf(s, NUM_MAX, "%lld", v);
	return (struct val){ s };
}

/* A copy of the len bytes at p, as a value. */
static struct val text(const char *p, size_t len)
{
	char *s = malloc(len + 1);
	if (!s)
		die(EXIT_ERROR, "out of memory");
	memcpy(s, p, len);
	s[len] = 0;
	return (struct val){ s };
}

/* Null or 0 (what | and & and the exit status take as false). */
static int is_false(struct val v)
{
	long long n;
	return !*v.s || (integer(v.s, &n) && n == 0);
}

static int next_is(const char *op)
{
	return pos < ntok && strcmp(tok[pos], op) == 0;
}

static struct val expr_or(void);

static struct val primary(void)
{
	if (pos >= ntok)
		die(EXIT_BAD, "syntax error: missing operand");
	if (next_is("(") && pos + 1 < ntok) {
		pos++;
		struct val v = expr_or();
		if (!next_is(")"))
			die(EXIT_BAD, "syntax error: missing ')'");
		pos++;
		return v;
	}
	return (struct val){ tok[pos++] };
}

/* a : re, the BRE anchored at a's start. */
static struct val match(struct val a, const char *re)
{
	size_t n = strlen(re);
	char *anchored = malloc(n + 2);
	regex_t rx;
	regmatch_t m[SUBEXPS];
	if (!anchored)
		die(EXIT_ERROR, "out of memory");
	snprintf(anchored, n + 2, "%s%s", re[0] == '^' ? "" : "^", re);
	if (regcomp(&rx, anchored, 0) != 0)
		die(EXIT_BAD, "bad regular expression");
	int hit = regexec(&rx, a.s, SUBEXPS, m, 0) == 0;
	struct val v;
	if (rx.re_nsub > 0 && hit && m[1].rm_so >= 0)
		v = text(a.s + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so));
	else if (rx.re_nsub > 0)
		v = text("", 0);
	else
		v = number(hit ? m[0].rm_eo - m[0].rm_so : 0);
	regfree(&rx);
	free(anchored);
	return v;
}

static struct val expr_match(void)
{
	struct val v = primary();
	while (next_is(":")) {
		pos++;
		v = match(v, primary().s);
	}
	return v;
}

/* Both operands as integers, or a bad expression. */
static void integers(struct val a, struct val b, long long *x, long long *y)
{
	if (!integer(a.s, x) || !integer(b.s, y))
		die(EXIT_BAD, "non-integer argument");
}

static struct val expr_mul(void)
{
	struct val v = expr_match();
	while (next_is("*") || next_is("/") || next_is("%")) {
		char op = tok[pos++][0];
		long long x, y, r;
		integers(v, expr_match(), &x, &y);
		if (op != '*' && y == 0)
			die(EXIT_BAD, "division by zero");
		if (op != '*' && x == LLONG_MIN && y == -1)
			die(EXIT_ERROR, "integer overflow");
		if (op == '*' && __builtin_mul_overflow(x, y, &r))
			die(EXIT_ERROR, "integer overflow");
		v = number(op == '*' ? r : op == '/' ? x / y : x % y);
	}
	return v;
}

static struct val expr_add(void)
{
	struct val v = expr_mul();
	while (next_is("+") || next_is("-")) {
		char op = tok[pos++][0];
		long long x, y, r;
		integers(v, expr_mul(), &x, &y);
		if (op == '+' ? __builtin_add_overflow(x, y, &r) : __builtin_sub_overflow(x, y, &r))
			die(EXIT_ERROR, "integer overflow");
		v = number(r);
	}
	return v;
}

/* The comparison operator at pos: its index in ops, or -1. */
static int comparison(void)
{
	static const char *const ops[] = { "=", "!=", "<", "<=", ">", ">=" };
	for (int i = 0; i < (int)(sizeof(ops) / sizeof(ops[0])); i++)
		if (next_is(ops[i]))
			return i;
	return -1;
}

static struct val expr_cmp(void)
{
	struct val v = expr_add();
	for (int op; (op = comparison()) >= 0;) {
		pos++;
		struct val b = expr_add();
		long long x, y;
		int c = integer(v.s, &x) && integer(b.s, &y) ? (x > y) - (x < y)
							     : strcoll(v.s, b.s);
		int r = op == 0	  ? c == 0
			: op == 1 ? c != 0
			: op == 2 ? c < 0
			: op == 3 ? c <= 0
			: op == 4 ? c > 0
				  : c >= 0;
		v = number(r);
	}
	return v;
}

static struct val expr_and(void)
{
	struct val v = expr_cmp();
	while (next_is("&")) {
		pos++;
		struct val b = expr_cmp();
		v = is_false(v) || is_false(b) ? number(0) : v;
	}
	return v;
}

static struct val expr_or(void)
{
	struct val v = expr_and();
	while (next_is("|")) {
		pos++;
		struct val b = expr_and();
		v = is_false(v) ? b : v;
	}
	return v;
}

int main(int argc, char **argv)
{
	tok = argv + 1;
	ntok = argc - 1;
	if (ntok > 0 && strcmp(tok[0], "--") == 0) {
		tok++;
		ntok--;
	}
	struct val v = expr_or();
	if (pos < ntok)
		die(EXIT_BAD, "syntax error");
	printf("%s\n", v.s);
	return is_false(v) ? EXIT_FALSE : EXIT_TRUE;
}
