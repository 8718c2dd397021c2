/*
 * fnmatch: POSIX pattern matching notation (XCU 2.13) for a string, in the C locale.
 * picolibc 1.8's took no character classes: "[[:digit:]]" matched nothing, so neither
 * did the shell's `case` or glob with one. This one is linked in front of it.
 *
 * '*' matches any string, '?' any character, '[...]' a bracket expression (a list,
 * ranges by byte value, "[:class:]", "[.c.]" and "[=c=]" of one character, '!' or '^'
 * to negate, ']' first as itself, a backslash escaping the next character); a '[' that
 * does not start a well-formed bracket expression is itself; a backslash escapes the
 * next character unless FNM_NOESCAPE, and one at the end matches nothing.
 * FNM_PATHNAME: '/' only by '/' in the pattern (the pattern and the string are matched
 * a component at a time). FNM_PERIOD: a period at the start (or after a '/' with
 * FNM_PATHNAME) only by a period in the pattern. And the extensions picolibc's header
 * names: FNM_CASEFOLD, and FNM_LEADING_DIR (what is left of the string may be a '/' and
 * anything).
 * Plain C with no state: the host tests build it too (test/host/test_fnmatch.c).
 */
#include <ctype.h>
#include <fnmatch.h>
#include <string.h>

#ifndef FNM_CASEFOLD
#define FNM_CASEFOLD 0
#endif
#ifndef FNM_LEADING_DIR
#define FNM_LEADING_DIR 0
#endif

#define NOT_BRACKET (-1) /* bracket(): the '[' is an ordinary character */

/* A span of the pattern or the string: [p, end). */
struct span {
	const char *p, *end;
};

static int fold(int c, int flags)
{
	return (flags & FNM_CASEFOLD) ? tolower(c) : c;
}

/* Is c in the class named by [name, name + len)? -1 for a name POSIX does not define. */
static int in_class(const char *name, size_t len, int c)
{
	static const struct {
		const char *name;
		int (*is)(int);
	} classes[] = { { "alnum", isalnum }, { "alpha", isalpha }, { "blank", isblank },
			{ "cntrl", iscntrl }, { "digit", isdigit }, { "graph", isgraph },
			{ "lower", islower }, { "print", isprint }, { "punct", ispunct },
			{ "space", isspace }, { "upper", isupper }, { "xdigit", isxdigit } };
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (strlen(classes[i].name) == len && memcmp(classes[i].name, name, len) == 0)
			return classes[i].is(c) != 0;
	return -1;
}

/*
 * One bracket element at *p (before end): a character (escaped or not), or "[.c.]" or
 * "[=c=]" of one character, into *c; 1 then, *p past it. 0 for "[:class:]", which
 * in_class takes (*p left on it), and -1 for what cannot be an element here.
 */
static int element(const char **p, const char *end, int *c, int flags)
{
	const char *q = *p;
	if (q[0] == '[' && q + 1 < end && (q[1] == '.' || q[1] == '=' || q[1] == ':')) {
		char delim = q[1];
		const char *close = q + 2;
		while (close + 1 < end && !(close[0] == delim && close[1] == ']'))
			close++;
		if (close + 1 >= end)
			return -1; /* never closed */
		if (delim == ':')
			return 0;
		if (close - (q + 2) != 1)
			return -1; /* a collating element of more than one character */
		*c = (unsigned char)q[2];
		*p = close + 2;
		return 1;
	}
	if (q[0] == '\\' && !(flags & FNM_NOESCAPE) && q + 1 < end)
		q++;
	*c = (unsigned char)*q;
	*p = q + 1;
	return 1;
}

/* A "[:name:]" at *p: whether c is in the class (-1: no such class), *p past it. */
static int class_at(const char **p, int c, int flags)
{
	const char *name = *p + 2, *close = strstr(name, ":]");
	*p = close + 2;
	int r = in_class(name, (size_t)(close - name), c);
	if (r == 0 && (flags & FNM_CASEFOLD))
		r = in_class(name, (size_t)(close - name), toupper(c)) == 1 ||
		    in_class(name, (size_t)(close - name), tolower(c)) == 1;
	return r;
}

/*
 * The bracket expression at pat->p ('[') against character c: 1 if it matches, 0 if not,
 * NOT_BRACKET if it is no bracket expression (unclosed, or a bad element); pat->p then
 * moves past it (past the '[' alone for NOT_BRACKET: the caller takes it literally).
 */
static int bracket(struct span *pat, int c, int flags)
{
	const char *p = pat->p + 1, *end = pat->end;
	int negate = p < end && (*p == '!' || *p == '^'), matched = 0, known = 1;
	p += negate;
	for (const char *first = p;; first = 0) {
		if (p >= end)
			return NOT_BRACKET;
		if (*p == ']' && !first)
			break;
		int lo, hi, kind = element(&p, end, &lo, flags);
		if (kind < 0)
			return NOT_BRACKET;
		if (kind == 0) {
			int r = class_at(&p, c, flags);
			known &= r >= 0;
			matched |= r == 1;
			continue;
		}
		hi = lo;
		if (p + 1 < end && *p == '-' && p[1] != ']') {
			p++;
			if (element(&p, end, &hi, flags) != 1)
				return NOT_BRACKET; /* a class cannot end a range */
		}
		matched |= (lo <= c && c <= hi) ||
			   ((flags & FNM_CASEFOLD) && ((lo <= toupper(c) && toupper(c) <= hi) ||
						       (lo <= tolower(c) && tolower(c) <= hi)));
	}
	pat->p = p + 1;
	return known && matched != negate;
}

/*
 * Pattern pat against the whole of str, no component boundary inside either when
 * FNM_PATHNAME (the caller splits them). period: a '.' at str's start must be matched by
 * a '.' in the pattern. A '*' that matched too little is taken back to match one more
 * character: the most recent '*' is enough, as every other token is one character wide.
 */
static int match(struct span pat, struct span str, int flags, int period)
{
	const char *start = str.p;
	struct span star_pat = { 0, 0 }, star_str = { 0, 0 };
	for (;;) {
		int leading = period && str.p == start && str.p < str.end && *str.p == '.';
		if (pat.p < pat.end && *pat.p == '*') {
			while (pat.p < pat.end && *pat.p == '*')
				pat.p++;
			if (leading)
				return FNM_NOMATCH;
			star_pat = pat;
			star_str = str;
			continue;
		}
		int ok = 0;
		if (pat.p >= pat.end) {
			ok = str.p == str.end;
			if (ok)
				return 0;
		} else if (str.p < str.end) {
			int c = (unsigned char)*str.p, r;
			if (*pat.p == '?') {
				ok = !leading;
				pat.p++;
			} else if (*pat.p == '[' && (r = bracket(&pat, c, flags)) != NOT_BRACKET) {
				ok = r == 1 && !leading;
			} else {
				if (*pat.p == '\\' && !(flags & FNM_NOESCAPE) && ++pat.p == pat.end)
					return FNM_NOMATCH; /* a backslash at the end (POSIX) */
				ok = fold((unsigned char)*pat.p, flags) == fold(c, flags);
				pat.p++;
			}
			if (ok) {
				str.p++;
				continue;
			}
		}
		if (!star_pat.p || star_str.p == str.end)
			return FNM_NOMATCH;
		star_str.p++; /* the last '*' takes one more character */
		pat = star_pat;
		str = star_str;
	}
}

/* The end of the component starting at p (a '/' or the end); *sep: the separator's length. */
static const char *component_end(const char *p, const char *end, int flags, int *sep)
{
	for (; p < end; p++) {
		if (*p == '/') {
			*sep = 1;
			return p;
		}
		if (*p == '\\' && !(flags & FNM_NOESCAPE) && p + 1 < end && p[1] == '/') {
			*sep = 2; /* an escaped slash still matches only a slash */
			return p;
		}
	}
	*sep = 0;
	return end;
}

/* FNM_PATHNAME: component by component, each with its own leading period. */
static int match_path(const char *pattern, const char *string, int flags)
{
	const char *pp = pattern, *pe = pattern + strlen(pattern);
	const char *sp = string, *se = string + strlen(string);
	for (;;) {
		int psep, ssep;
		const char *pc = component_end(pp, pe, flags, &psep);
		const char *sc = component_end(sp, se, FNM_NOESCAPE, &ssep);
		struct span pat = { pp, pc }, str = { sp, sc };
		if (match(pat, str, flags, (flags & FNM_PERIOD) != 0) != 0)
			return FNM_NOMATCH;
		if (!psep)
			return !ssep || (flags & FNM_LEADING_DIR) ? 0 : FNM_NOMATCH;
		if (!ssep)
			return FNM_NOMATCH;
		pp = pc + psep;
		sp = sc + ssep;
	}
}

int fnmatch(const char *pattern, const char *string, int flags)
{
	if (flags & FNM_PATHNAME)
		return match_path(pattern, string, flags);
	struct span pat = { pattern, pattern + strlen(pattern) };
	const char *end = string + strlen(string);
	int period = (flags & FNM_PERIOD) != 0;
	if (!(flags & FNM_LEADING_DIR))
		return match(pat, (struct span){ string, end }, flags, period);
	/* The pattern may match a start of the string that a '/' ends, or all of it. */
	for (const char *cut = string;; cut++) {
		if ((cut == end || *cut == '/') &&
		    match(pat, (struct span){ string, cut }, flags, period) == 0)
			return 0;
		if (cut == end)
			return FNM_NOMATCH;
	}
}
