/*
 * Host unit tests for the shell's parser and word expansion (userland/lib/shparse.c):
 * pipelines, and-or lists, redirections, assignments, quoting, $ expansion, glob
 * patterns (sh_pattern), the syntax errors and the limits. Built with ASan and UBSan; ends with "N passed, M failed".
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "userland/lib/shparse.h"

static struct sh_line L;
static char assigned[64]; /* SET's value, once assigned */
static const char *ifs;	  /* $IFS, or unset */

/* The variables the tests expand: a few names and the special parameters. */
static const char *lookup(void *ctx, const char *name, size_t len)
{
	static const char *const vars[][2] = {
		{ "HOME", "/home/u" }, { "X", "a b" },
		{ "EMPTY", "" },       { "?", "3" },
		{ "$", "7" },	       { "!", "9" },
		{ "A_1", "v" },	       { "0", "sh" },
		{ "STAR", "*.c" },     { "#", "3" },
		{ "1", "p one" },      { "2", "" },
		{ "3", "*x" },	       { "N", "7" },
		{ "TEN", "0x0a" },     { "COLONS", ":a::b : c:" },
	};
	(void)ctx;
	if (len == 3 && memcmp(name, "SET", 3) == 0 && assigned[0])
		return assigned;
	if (len == 3 && memcmp(name, "IFS", 3) == 0)
		return ifs;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (strlen(vars[i][0]) == len && memcmp(vars[i][0], name, len) == 0)
			return vars[i][1];
	return 0;
}

/* ${SET=word}, ${SET:=word}: the one variable the tests assign. */
static int assign(void *ctx, const char *name, size_t len, const char *value)
{
	(void)ctx;
	if (len != 3 || memcmp(name, "SET", 3) != 0)
		return -1;
	snprintf(assigned, sizeof(assigned), "%s", value);
	return 0;
}

/* $(text) and `text`: "<text>", so the tests see what would have run; "" for "none". */
static const char *command(void *ctx, const char *text, size_t len)
{
	static char out[128];
	(void)ctx;
	if (len == 4 && memcmp(text, "none", 4) == 0)
		return "";
	snprintf(out, sizeof(out), "<%.*s>", (int)len, text);
	return out;
}

static const struct sh_env env = { lookup, assign, command, 0, 0 };
static struct sh_env nounset_env = { lookup, assign, command, 0, 0 };

/* Word i of the line, expanded (a static buffer), or "<err N>". */
static const char *word(unsigned i)
{
	static char buf[256];
	int quoted;
	long n = sh_expand(&L, L.words[i], &env, buf, sizeof(buf), &quoted);
	if (n < 0)
		snprintf(buf, sizeof(buf), "<err %ld>", -n);
	return buf;
}

/* Expand a whole line's first word: parse "text" and return word 0. */
static const char *exp1(const char *text)
{
	if (sh_parse(text, &L) != SH_OK || L.nwords < 1)
		return "<parse>";
	return word(0);
}

static void test_simple(void)
{
	CHECK(sh_parse("", &L) == SH_OK && L.npipelines == 0);
	CHECK(sh_parse("   \t ", &L) == SH_OK && L.npipelines == 0);
	CHECK(sh_parse("# only a comment", &L) == SH_OK && L.npipelines == 0);
	CHECK(sh_parse("echo  hi   there # not this", &L) == SH_OK);
	CHECK(L.npipelines == 1 && L.ncmds == 1 && L.nwords == 3);
	CHECK(L.cmds[0].nwords == 3 && L.cmds[0].nassign == 0 && L.cmds[0].nredirs == 0);
	CHECK(strcmp(word(0), "echo") == 0 && strcmp(word(2), "there") == 0);
	CHECK(L.pipelines[0].op == SH_OP_END);
	/* a # inside a word is not a comment */
	CHECK(sh_parse("echo a#b", &L) == SH_OK && L.nwords == 2 && strcmp(word(1), "a#b") == 0);
}

static void test_pipelines_and_lists(void)
{
	CHECK(sh_parse("a | b|c", &L) == SH_OK);
	CHECK(L.npipelines == 1 && L.pipelines[0].ncmds == 3 && L.ncmds == 3);
	CHECK(L.cmds[1].first_word == 1 && L.cmds[2].first_word == 2);
	CHECK(sh_parse("a && b || c; d & e &", &L) == SH_OK);
	CHECK(L.npipelines == 5);
	CHECK(L.pipelines[0].op == SH_OP_AND && L.pipelines[1].op == SH_OP_OR);
	CHECK(L.pipelines[2].op == SH_OP_END && L.pipelines[3].op == SH_OP_BG);
	CHECK(L.pipelines[4].op == SH_OP_BG);
	CHECK(sh_parse("a;", &L) == SH_OK && L.npipelines == 1);
	CHECK(sh_parse("a|b&&c|d", &L) == SH_OK && L.npipelines == 2);
	CHECK(L.pipelines[0].ncmds == 2 && L.pipelines[1].first_cmd == 2);
}

static void test_redirections(void)
{
	CHECK(sh_parse("sort <in >out 2>err >>log 2>&1", &L) == SH_OK);
	CHECK(L.ncmds == 1 && L.cmds[0].nwords == 1 && L.cmds[0].nredirs == 5);
	CHECK(L.redirs[0].fd == 0 && L.redirs[0].kind == SH_REDIR_IN);
	CHECK(L.redirs[1].fd == 1 && L.redirs[1].kind == SH_REDIR_OUT);
	CHECK(L.redirs[2].fd == 2 && L.redirs[2].kind == SH_REDIR_OUT);
	CHECK(L.redirs[3].fd == 1 && L.redirs[3].kind == SH_REDIR_APPEND);
	CHECK(L.redirs[4].fd == 2 && L.redirs[4].kind == SH_REDIR_DUP);
	/* >| is >, <> opens to read and write (on 0 by default) */
	CHECK(sh_parse("cat <>f 3<>g >|h 2>|i", &L) == SH_OK && L.nredirs == 4 && L.nwords == 1);
	CHECK(L.redirs[0].fd == 0 && L.redirs[0].kind == SH_REDIR_RDWR);
	CHECK(L.redirs[1].fd == 3 && L.redirs[1].kind == SH_REDIR_RDWR);
	CHECK(L.redirs[2].fd == 1 && L.redirs[2].kind == SH_REDIR_OUT);
	CHECK(L.redirs[3].fd == 2 && L.redirs[3].kind == SH_REDIR_OUT);
	CHECK(sh_parse("sort <in >out 2>err >>log 2>&1", &L) == SH_OK);
	char buf[32];
	int q;
	CHECK(sh_expand(&L, L.redirs[2].target, &env, buf, sizeof(buf), &q) == 3 &&
	      strcmp(buf, "err") == 0);
	CHECK(sh_expand(&L, L.redirs[4].target, &env, buf, sizeof(buf), &q) == 1 &&
	      strcmp(buf, "1") == 0);
	/* a digit word not touching the operator is an argument */
	CHECK(sh_parse("echo 2 >f", &L) == SH_OK && L.cmds[0].nwords == 2 && L.redirs[0].fd == 1);
	CHECK(sh_parse("echo a2>f", &L) == SH_OK && L.cmds[0].nwords == 2 && L.redirs[0].fd == 1);
	/* a redirection alone is a command; so is one before the name */
	CHECK(sh_parse(">f", &L) == SH_OK && L.ncmds == 1 && L.cmds[0].nwords == 0);
	CHECK(sh_parse("<in cat", &L) == SH_OK && L.cmds[0].nwords == 1 && L.nredirs == 1);
	CHECK(sh_parse("echo x 10>f", &L) == SH_ERR_FD);
	CHECK(sh_parse("echo x 99999999999999999999>f", &L) == SH_ERR_FD);
	CHECK(sh_parse("echo x 9>f", &L) == SH_OK && L.redirs[0].fd == 9);
	CHECK(sh_parse("echo \"2\">f", &L) == SH_OK && L.cmds[0].nwords == 2);
}

static void test_assignments(void)
{
	CHECK(sh_parse("A=1 B_2=x cmd C=3", &L) == SH_OK);
	CHECK(L.cmds[0].nassign == 2 && L.cmds[0].nwords == 4);
	CHECK(sh_assignment(&L, L.words[0]) == 1 && sh_assignment(&L, L.words[1]) == 3);
	CHECK(sh_assignment(&L, L.words[2]) == 0);
	CHECK(sh_parse("X=", &L) == SH_OK && L.cmds[0].nassign == 1 && L.cmds[0].nwords == 1);
	CHECK(sh_parse("1X=a", &L) == SH_OK && L.cmds[0].nassign == 0);
	CHECK(sh_parse("\"X\"=a", &L) == SH_OK && L.cmds[0].nassign == 0);
	CHECK(sh_parse("=a", &L) == SH_OK && L.cmds[0].nassign == 0);
	CHECK(sh_parse("X='a b' y", &L) == SH_OK && L.cmds[0].nassign == 1);
	CHECK(strcmp(word(0), "X=a b") == 0);
}

static void test_quotes(void)
{
	CHECK(strcmp(exp1("'a b'"), "a b") == 0);
	CHECK(strcmp(exp1("\"a b\""), "a b") == 0);
	CHECK(strcmp(exp1("a\"b c\"d'e f'g"), "ab cde fg") == 0);
	CHECK(strcmp(exp1("'a|b;c&&d>e'"), "a|b;c&&d>e") == 0);
	CHECK(sh_parse("echo 'a|b' c", &L) == SH_OK && L.ncmds == 1 && L.nwords == 3);
	CHECK(strcmp(exp1("a\\ b"), "a b") == 0);
	CHECK(strcmp(exp1("a\\|b"), "a|b") == 0);
	CHECK(strcmp(exp1("'$HOME'"), "$HOME") == 0);
	CHECK(strcmp(exp1("\"$HOME\""), "/home/u") == 0);
	CHECK(strcmp(exp1("\"\\$HOME \\\" \\\\ \\a\""), "$HOME \" \\ \\a") == 0);
	CHECK(strcmp(exp1("'\\'"), "\\") == 0);
	CHECK(strcmp(exp1("\"it's\""), "it's") == 0);
	CHECK(strcmp(exp1("'say \"hi\"'"), "say \"hi\"") == 0);
	CHECK(sh_parse("echo 'open", &L) == SH_ERR_QUOTE && L.err_at == 5);
	CHECK(sh_parse("echo \"open\\\"", &L) == SH_ERR_QUOTE);
	CHECK(sh_parse("echo ok; echo \"a'b", &L) == SH_ERR_QUOTE);
	/* an empty quoted word is a word; an unset unquoted variable is none */
	int q;
	char buf[8];
	CHECK(sh_parse("'' $UNSET \"\"", &L) == SH_OK && L.nwords == 3);
	CHECK(sh_expand(&L, L.words[0], &env, buf, sizeof(buf), &q) == 0 && q == 1);
	CHECK(sh_expand(&L, L.words[1], &env, buf, sizeof(buf), &q) == 0 && q == 0);
	CHECK(sh_expand(&L, L.words[2], &env, buf, sizeof(buf), &q) == 0 && q == 1);
	/* a trailing backslash stays */
	CHECK(strcmp(exp1("a\\"), "a\\") == 0);
}

static void test_variables(void)
{
	CHECK(strcmp(exp1("$HOME/x"), "/home/u/x") == 0);
	CHECK(strcmp(exp1("${HOME}x"), "/home/ux") == 0);
	CHECK(strcmp(exp1("$HOMEx"), "") == 0);
	CHECK(strcmp(exp1("$?$$$!"), "379") == 0);
	CHECK(strcmp(exp1("${?}"), "3") == 0);
	CHECK(strcmp(exp1("$0"), "sh") == 0);
	CHECK(strcmp(exp1("$A_1-"), "v-") == 0);
	CHECK(strcmp(exp1("$X"), "a b") == 0); /* no field splitting */
	CHECK(strcmp(exp1("a$"), "a$") == 0);
	CHECK(strcmp(exp1("$-x"), "x") == 0); /* $- (no options set), then x */
	CHECK(strcmp(exp1("\"$\""), "$") == 0);
	CHECK(strcmp(exp1("$EMPTY."), ".") == 0);
	CHECK(strcmp(exp1("${HOME"), "<err 5>") == 0);
	CHECK(strcmp(exp1("${}"), "<err 5>") == 0);
	CHECK(strcmp(exp1("${A-b}"), "b") == 0);
	/* an expanded value is not parsed again */
	CHECK(sh_parse("echo $X", &L) == SH_OK && L.nwords == 2);
}

/* A line's first word as a glob pattern: "<none>" without a wildcard, "<err N>". */
static const char *pat1(const char *text)
{
	static char buf[256];
	if (sh_parse(text, &L) != SH_OK || L.nwords < 1)
		return "<parse>";
	long n = sh_pattern(&L, L.words[0], &env, buf, sizeof(buf));
	if (n < 0)
		snprintf(buf, sizeof(buf), "<err %ld>", -n);
	return n == 0 ? "<none>" : buf;
}

static void test_patterns(void)
{
	CHECK(strcmp(pat1("*.c"), "*.c") == 0);
	CHECK(strcmp(pat1("a?[bc]"), "a?[bc]") == 0);
	CHECK(strcmp(pat1("plain"), "<none>") == 0);
	CHECK(strcmp(pat1("'*.c'"), "<none>") == 0); /* quoted: no wildcard */
	CHECK(strcmp(pat1("\\*.c"), "<none>") == 0); /* escaped */
	CHECK(strcmp(pat1("'a*'*"), "a\\**") == 0);  /* the quoted star escaped */
	CHECK(strcmp(pat1("\"[x]\"?"), "\\[x\\]?") == 0);
	CHECK(strcmp(pat1("$STAR"), "*.c") == 0);	 /* an unquoted value's star counts */
	CHECK(strcmp(pat1("\"$STAR\""), "<none>") == 0); /* a quoted one does not */
	CHECK(strcmp(pat1("$HOME/*"), "/home/u/*") == 0);
	CHECK(strcmp(pat1("a\\\\b*"), "a\\\\b*") == 0); /* an escaped backslash stays one */
	CHECK(strcmp(pat1("${HOME"), "<err 5>") == 0);
}

/* A line's first word as fields, joined by '|' ("<err N>"; "<no field>" for none). */
static const char *fields1(const char *text)
{
	static char buf[256], out[300];
	int n;
	if (sh_parse(text, &L) != SH_OK || L.nwords < 1)
		return "<parse>";
	long len = sh_fields(&L, L.words[0], &env, buf, sizeof(buf), &n);
	if (len < 0) {
		snprintf(out, sizeof(out), "<err %ld>", -len);
		return out;
	}
	if (n == 0)
		return "<no field>";
	size_t at = 0;
	out[0] = 0;
	for (int i = 0, off = 0; i < n; i++) {
		at += (size_t)snprintf(out + at, sizeof(out) - at, "%s%s", i ? "|" : "", buf + off);
		off += (int)strlen(buf + off) + 1;
	}
	return out;
}

static void test_parameters(void)
{
	assigned[0] = 0;
	CHECK(strcmp(exp1("$#:$1:$2:${1}"), "3:p one::p one") == 0);
	CHECK(strcmp(exp1("\"$*\""), "p one  *x") == 0);
	CHECK(strcmp(exp1("$10"), "p one0") == 0); /* $1, then 0 */
	CHECK(strcmp(exp1("${#HOME}.${#UNSET}.${#}"), "7.0.3") == 0);
	CHECK(strcmp(exp1("${UNSET-d}.${EMPTY-d}.${EMPTY:-d}.${HOME:-d}"), "d..d./home/u") == 0);
	CHECK(strcmp(exp1("${HOME+s}.${EMPTY+s}.${EMPTY:+s}.${UNSET+s}"), "s.s..") == 0);
	CHECK(strcmp(exp1("${UNSET:-$HOME/x}"), "/home/u/x") == 0);
	CHECK(strcmp(exp1("${UNSET:-'a b'}"), "a b") == 0);
	CHECK(strcmp(exp1("${UNSET?}"), "<err 9>") == 0);
	CHECK(strcmp(exp1("${EMPTY:?msg}"), "<err 9>") == 0);
	CHECK(strcmp(exp1("${HOME?x}"), "/home/u") == 0);
	CHECK(strcmp(exp1("${SET:=v1}.$SET.${SET:=v2}"), "v1.v1.v1") == 0);
	CHECK(strcmp(exp1("${1:=x}"), "p one") == 0);
	CHECK(strcmp(exp1("${2:=x}"), "<err 5>") == 0); /* a positional parameter: no */
	CHECK(strcmp(exp1("${HOME%/*}.${HOME%%/*}.${HOME#*/}.${HOME##*/}"), "/home..home/u.u") ==
	      0);
	CHECK(strcmp(exp1("${HOME%x}.${HOME#x}.${UNSET%x}.${HOME%}"), "/home/u./home/u../home/u") ==
	      0);
	CHECK(strcmp(exp1("${STAR%.c}.${STAR%'*'.c}.${STAR#\\*}"), "*...c") == 0);
	CHECK(strcmp(exp1("${HOME%\"/u\"}${HOME#/home}"), "/home/u") == 0);
	CHECK(strcmp(exp1("${HOME^x}"), "<err 5>") == 0);
	nounset_env.nounset = 1; /* set -u */
	CHECK(sh_parse("$UNSET ${UNSET} ${#UNSET} ${UNSET%x} $5 ${UNSET-d}${UNSET:+x} \"$@\" $HOME",
		       &L) == SH_OK);
	int q;
	char b[64];
	for (int i = 0; i < 5; i++)
		CHECK(sh_expand(&L, L.words[i], &nounset_env, b, sizeof(b), &q) == -SH_ERR_UNSET);
	for (int i = 5; i < 8; i++)
		CHECK(sh_expand(&L, L.words[i], &nounset_env, b, sizeof(b), &q) >= 0);
	CHECK(strcmp(exp1("${A b}"), "<err 5>") == 0);
	/* fields: split values, "$@", quotes, wildcards kept for glob */
	CHECK(strcmp(fields1("$X"), "a|b") == 0);
	ifs = ": ";
	CHECK(strcmp(fields1("$COLONS"), "|a||b|c") == 0); /* ":a::b : c:" */
	ifs = 0;
	CHECK(strcmp(fields1("$COLONS"), ":a::b|:|c:") == 0);
	CHECK(strcmp(fields1("\"$X\""), "a b") == 0);
	CHECK(strcmp(fields1("x$X\"\""), "xa|b") == 0);
	CHECK(strcmp(fields1("\"$@\""), "p one||\\*x") == 0); /* quoted: escaped */
	CHECK(strcmp(fields1("$@"), "p|one|*x") == 0);
	CHECK(strcmp(fields1("\"<$@>\""), "<p one||\\*x>") == 0);
	CHECK(strcmp(fields1("$UNSET"), "<no field>") == 0);
	CHECK(strcmp(fields1("''"), "") == 0);
	CHECK(strcmp(fields1("'*'$STAR"), "\\**.c") == 0);
	CHECK(strcmp(fields1("$(none)"), "<no field>") == 0);
	CHECK(strcmp(fields1("$(a  b)"), "<a|b>") == 0);
	CHECK(strcmp(fields1("\"$(a  b)\""), "<a  b>") == 0);
	char buf[32] = "a\\*b\\\\c";
	sh_unescape(buf);
	CHECK(strcmp(buf, "a*b\\c") == 0 && sh_has_wildcard("x*") && !sh_has_wildcard("x\\*"));
}

static void test_substitution(void)
{
	CHECK(sh_parse("echo $(a; b | c) `d e` z", &L) == SH_OK && L.nwords == 4);
	CHECK(strcmp(exp1("$(echo a; echo b)"), "<echo a; echo b>") == 0);
	CHECK(strcmp(exp1("x$(a $(b) c)y"), "x<a $(b) c>y") ==
	      0); /* the inner one is the shell's */
	CHECK(strcmp(exp1("\"$(a \")\" b)\""), "<a \")\" b>") == 0);
	CHECK(strcmp(exp1("$(a ')' b)"), "<a ')' b>") == 0);
	CHECK(strcmp(exp1("`a \\`b\\` \\$c`"), "<a `b` $c>") == 0);
	CHECK(strcmp(exp1("'$(a)'"), "$(a)") == 0);
	CHECK(sh_parse("echo $(a", &L) == SH_ERR_QUOTE);
	CHECK(sh_parse("echo `a", &L) == SH_ERR_QUOTE);
	CHECK(sh_parse("echo \"$(a\"", &L) == SH_ERR_QUOTE);
	/* arithmetic */
	CHECK(strcmp(exp1("$((1 + 2 * 3))"), "7") == 0);
	CHECK(strcmp(exp1("$(( (1 + 2) * 3 ))"), "9") == 0);
	CHECK(strcmp(exp1("$((N * 2 - $N))"), "7") == 0);
	CHECK(strcmp(exp1("$((TEN + 010 + 0x10))"), "34") == 0);
	CHECK(strcmp(exp1("$((-7 / 2)).$((-7 % 2)).$((7 % -2))"), "-3.-1.1") == 0);
	CHECK(strcmp(exp1("$((1 < 2)).$((2 <= 1)).$((3 == 3)).$((3 != 3)).$((!0))"), "1.0.1.0.1") ==
	      0);
	CHECK(strcmp(exp1("$((1 && 0 || 2)).$((6 & 3 | 8 ^ 1)).$((1 << 4 >> 2)).$((~0))"),
		     "1.11.4.-1") == 0);
	CHECK(strcmp(exp1("$((UNSET + EMPTY + 1))"), "1") == 0);
	CHECK(strcmp(exp1("$((0 ? 5 : N > 3 ? 6 : 7))"), "6") == 0);
	CHECK(strcmp(exp1("$((1 / 0))"), "<err 8>") == 0);
	CHECK(strcmp(exp1("$((5 % 0))"), "<err 8>") == 0);
	CHECK(strcmp(exp1("$((1 +))"), "<err 8>") == 0);
	CHECK(strcmp(exp1("$((HOME))"), "<err 8>") == 0); /* not a number */
	CHECK(strcmp(exp1("$((9223372036854775807 + 1))"), "-9223372036854775808") == 0);
	CHECK(strcmp(exp1("$((-9223372036854775807 - 1)) $(((-9223372036854775807 - 1) / -1))"),
		     "-9223372036854775808") == 0);
	long v;
	char deep[400];
	memset(deep, '(', 200);
	memset(deep + 200, ')', 199);
	deep[399] = 0;
	CHECK(sh_arith(deep, &env, &v) == -SH_ERR_ARITH); /* too deep, and unbalanced */
	CHECK(sh_arith("2 * (3 + 4)", &env, &v) == 0 && v == 14);
	assigned[0] = 0;
	CHECK(sh_arith("SET = 5", &env, &v) == 0 && v == 5 && strcmp(assigned, "5") == 0);
	CHECK(sh_arith("SET += 2 * 3", &env, &v) == 0 && v == 11 && strcmp(assigned, "11") == 0);
	CHECK(sh_arith("SET <<= 1", &env, &v) == 0 && v == 22);
	CHECK(sh_arith("(SET %= 5) + SET", &env, &v) == 0 && v == 4); /* 22 % 5, then 2 */
	CHECK(sh_arith("SET == 2", &env, &v) == 0 && v == 1);
	CHECK(sh_arith("0 && (SET = 1)", &env, &v) == 0 && v == 0 && strcmp(assigned, "2") == 0);
	CHECK(sh_arith("1 || 1 / 0", &env, &v) == 0 && v == 1); /* not taken: no error */
	CHECK(sh_arith("0 ? 1 / 0 : 4", &env, &v) == 0 && v == 4);
	CHECK(sh_arith("1 ? SET : (SET = 9)", &env, &v) == 0 && v == 2 &&
	      strcmp(assigned, "2") == 0);
	CHECK(sh_arith("N = 3", &env, &v) == -SH_ERR_ARITH); /* the shell refused it */
	CHECK(sh_arith("SET /= 0", &env, &v) == -SH_ERR_ARITH && strcmp(assigned, "2") == 0);
	char nest[512] = "";
	for (int i = 0; i < 40; i++)
		strcat(nest, "${U:-");
	strcat(nest, "x");
	for (int i = 0; i < 40; i++)
		strcat(nest, "}");
	CHECK(strcmp(exp1(nest), "<err 6>") == 0); /* nested too deep: refused, no crash */
	CHECK(strcmp(exp1("${U:-${U:-${U:-deep}}}"), "deep") == 0);
}

static void test_functions_groups(void)
{
	CHECK(sh_parse("f() { echo a; }; f", &L) == SH_OK);
	CHECK(L.cmds[0].kind == SH_CMD_FUNC && L.cmds[0].nwords == 2);
	struct sh_word body = L.words[L.cmds[0].first_word + 1];
	CHECK(body.len == 11 && memcmp(L.text + body.start, "{ echo a; }", 11) == 0);
	CHECK(sh_parse("f ()\n{\n echo a\n}\n", &L) == SH_OK && L.cmds[0].kind == SH_CMD_FUNC);
	CHECK(sh_parse("f() { echo a", &L) == SH_ERR_MORE);
	CHECK(sh_parse("f() echo a", &L) == SH_ERR_SYNTAX);
	CHECK(sh_parse("f() if true; then :; fi", &L) == SH_OK);
	CHECK(sh_parse("{ a; b; } > f", &L) == SH_OK && L.cmds[0].kind == SH_CMD_GROUP &&
	      L.cmds[0].nredirs == 1);
	CHECK(sh_parse("(a; b) | c", &L) == SH_OK && L.cmds[0].kind == SH_CMD_SUBSHELL &&
	      L.pipelines[0].ncmds == 2);
	CHECK(sh_parse("{ a; } }", &L) == SH_ERR_SYNTAX);
	CHECK(sh_parse("}", &L) == SH_ERR_SYNTAX);
	CHECK(sh_parse("( a", &L) == SH_ERR_MORE);
	CHECK(sh_parse("echo { }", &L) == SH_OK && L.nwords == 3);
}

static void test_errors(void)
{
	const char *bad[] = { "|",    "a |",	"a | | b", "&& a", "a &&",     "a || ;",
			      ";",    "a ;;",	"a & &",   "a >",  "a > |",    "a < ;",
			      "a 2>", "a >>&b", "a|;",	   "&",	   "a && && b" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum sh_status st = sh_parse(bad[i], &L);
		CHECK(st == SH_ERR_SYNTAX);
		if (st != SH_ERR_SYNTAX)
			printf("  line %s: status %d\n", bad[i], st);
	}
	CHECK(sh_parse("a | | b", &L) == SH_ERR_SYNTAX && L.err_at == 4);
	CHECK(sh_parse("a &&", &L) == SH_ERR_SYNTAX && L.err_at == 4);
	for (int s = SH_OK; s <= SH_ERR_UNSET; s++)
		CHECK(sh_strerror((enum sh_status)s)[0] != 0);
}

static void test_limits(void)
{
	static char text[4096];
	size_t n = 0;
	for (int i = 0; i < SH_WORDS_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "w ");
	CHECK(sh_parse(text, &L) == SH_OK && L.nwords == SH_WORDS_MAX);
	snprintf(text + n, sizeof(text) - n, "w");
	CHECK(sh_parse(text, &L) == SH_ERR_LIMIT);
	n = 0;
	for (int i = 0; i <= SH_CMDS_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "a|");
	snprintf(text + n, sizeof(text) - n, "a");
	CHECK(sh_parse(text, &L) == SH_ERR_LIMIT);
	n = 0;
	for (int i = 0; i <= SH_REDIRS_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, ">f ");
	CHECK(sh_parse(text, &L) == SH_ERR_LIMIT);
	n = 0;
	for (int i = 0; i <= SH_PIPELINES_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "a;");
	CHECK(sh_parse(text, &L) == SH_ERR_LIMIT);
	/* a line longer than the 16-bit offsets can name is refused, one that fits is not */
	char *huge = malloc(SH_TEXT_MAX + 2);
	memset(huge, 'a', SH_TEXT_MAX + 1);
	huge[SH_TEXT_MAX + 1] = 0;
	CHECK(sh_parse(huge, &L) == SH_ERR_LIMIT);
	huge[SH_TEXT_MAX] = 0;
	CHECK(sh_parse(huge, &L) == SH_OK && L.nwords == 1 && L.words[0].len == SH_TEXT_MAX);
	free(huge);
	/* an expansion that does not fit fails cleanly, and so does a zero-size buffer */
	char small[4];
	int q;
	CHECK(sh_parse("$HOME", &L) == SH_OK);
	CHECK(sh_expand(&L, L.words[0], &env, small, sizeof(small), &q) == -SH_ERR_LONG);
	CHECK(sh_expand(&L, L.words[0], &env, small, 0, &q) == -SH_ERR_LONG);
	CHECK(sh_parse("abc", &L) == SH_OK);
	CHECK(sh_expand(&L, L.words[0], &env, small, sizeof(small), &q) == 3);
}

/* The text of word i of the line as typed (for checking where a word came from). */
static int word_is(unsigned i, const char *want)
{
	return i < L.nwords && L.words[i].len == strlen(want) &&
	       memcmp(L.text + L.words[i].start, want, L.words[i].len) == 0;
}

static void test_compound(void)
{
	/* if with elif and else: the else part of the first is a pipeline of one if */
	CHECK(sh_parse("if a; then b; elif c\nthen d; else e; fi > out", &L) == SH_OK);
	CHECK(L.list == 0 && L.pipelines[0].ncmds == 1 && L.pipelines[0].next == SH_NONE);
	const struct sh_cmd *c = &L.cmds[L.pipelines[0].first_cmd];
	CHECK(c->kind == SH_CMD_IF && c->nredirs == 1);
	CHECK(L.redirs[c->first_redir].kind == SH_REDIR_OUT);
	CHECK(word_is(L.cmds[L.pipelines[c->list[0]].first_cmd].first_word, "a"));
	CHECK(word_is(L.cmds[L.pipelines[c->list[1]].first_cmd].first_word, "b"));
	const struct sh_cmd *elif = &L.cmds[L.pipelines[c->list[2]].first_cmd];
	CHECK(elif->kind == SH_CMD_IF && elif->list[2] != SH_NONE);
	CHECK(word_is(L.cmds[L.pipelines[elif->list[2]].first_cmd].first_word, "e"));
	/* a list over lines, a compound command in a pipeline, then another list entry */
	CHECK(sh_parse("while x\ndo\n  y; z &\ndone | w; v", &L) == SH_OK);
	CHECK(L.pipelines[L.list].ncmds == 2);
	c = &L.cmds[L.pipelines[L.list].first_cmd];
	CHECK(c->kind == SH_CMD_WHILE && c->next != SH_NONE);
	CHECK(word_is(L.cmds[c->next].first_word, "w"));
	const struct sh_pipeline *body = &L.pipelines[c->list[1]];
	CHECK(body->op == SH_OP_END && body->next != SH_NONE &&
	      L.pipelines[body->next].op == SH_OP_BG);
	CHECK(word_is(L.cmds[L.pipelines[L.pipelines[L.list].next].first_cmd].first_word, "v"));
	CHECK(sh_parse("until a; do b; done", &L) == SH_OK && L.cmds[0].kind == SH_CMD_UNTIL);
	/* for, with and without "in" */
	CHECK(sh_parse("for i in 1 2 'x y'; do echo $i; done", &L) == SH_OK);
	CHECK(L.cmds[0].kind == SH_CMD_FOR && L.cmds[0].has_in && L.cmds[0].nwords == 4);
	CHECK(word_is(L.cmds[0].first_word, "i") && word_is(L.cmds[0].first_word + 3, "'x y'"));
	CHECK(sh_parse("for i\ndo :; done", &L) == SH_OK && !L.cmds[0].has_in);
	CHECK(sh_parse("for i in; do :; done", &L) == SH_OK && L.cmds[0].nwords == 1);
	/* case: items with alternatives, an empty item, the last without ;; */
	CHECK(sh_parse("case $x in\n a|b) one;;\n (c*) ;;\n *) two\nesac", &L) == SH_OK);
	c = &L.cmds[0];
	CHECK(c->kind == SH_CMD_CASE && word_is(c->first_word, "$x"));
	const struct sh_item *it = &L.items[c->list[0]];
	CHECK(it->nwords == 2 && word_is(it->first_word + 1, "b") && it->list != SH_NONE);
	it = &L.items[it->next];
	CHECK(it->nwords == 1 && word_is(it->first_word, "c*") && it->list == SH_NONE);
	it = &L.items[it->next];
	CHECK(word_is(it->first_word, "*") && it->next == SH_NONE);
	/* reserved words only where a command starts */
	CHECK(sh_parse("echo if then fi done", &L) == SH_OK && L.nwords == 5);
	CHECK(sh_parse("'if' x", &L) == SH_OK && L.cmds[0].kind == SH_CMD_SIMPLE);
	/* errors, and a text that needs more lines */
	CHECK(sh_parse("if a; then b", &L) == SH_ERR_MORE);
	CHECK(sh_parse("while a\ndo", &L) == SH_ERR_MORE);
	CHECK(sh_parse("for i in a b", &L) == SH_ERR_MORE);
	CHECK(sh_parse("case x in", &L) == SH_ERR_MORE);
	CHECK(sh_parse("if a; then b; fi; fi", &L) == SH_ERR_SYNTAX);
	CHECK(sh_parse("then", &L) == SH_ERR_SYNTAX);
	CHECK(sh_parse("if; then b; fi", &L) == SH_ERR_SYNTAX);
	CHECK(sh_parse("if a; then; fi", &L) == SH_ERR_SYNTAX);
	CHECK(sh_parse("while a; done", &L) == SH_ERR_SYNTAX);
	CHECK(sh_parse("for 1x in a; do b; done", &L) == SH_ERR_SYNTAX);
	CHECK(sh_parse("case x in a) b;; esac x", &L) == SH_ERR_SYNTAX);
	CHECK(sh_parse("if a; then b; fi x", &L) == SH_ERR_SYNTAX);
	CHECK(sh_parse("a )", &L) == SH_ERR_SYNTAX);
	CHECK(sh_parse("a &&", &L) == SH_ERR_SYNTAX); /* at the top: no more lines wanted */
	CHECK(sh_parse("if a &&\nb; then c; fi", &L) == SH_OK);
	CHECK(sh_parse("! a | b && ! c", &L) == SH_OK && L.pipelines[0].negate);
	CHECK(L.pipelines[0].ncmds == 2 && L.pipelines[1].negate);
	CHECK(sh_parse("a !", &L) == SH_OK && !L.pipelines[0].negate && L.nwords == 2);
	CHECK(sh_parse("!", &L) == SH_ERR_SYNTAX);
}

/* The body of here-document i of the line, expanded (a static buffer), or "<err N>". */
static const char *body(unsigned i)
{
	static char buf[256];
	long n = sh_heredoc(&L, &L.redirs[i], &env, buf, sizeof(buf));
	if (n < 0)
		snprintf(buf, sizeof(buf), "<err %ld>", -n);
	return buf;
}

static void test_heredocs(void)
{
	CHECK(sh_parse("cat <<END\nhi $HOME \\$X\n'q'\nEND", &L) == SH_OK);
	CHECK(L.nredirs == 1 && L.redirs[0].kind == SH_REDIR_HEREDOC && L.redirs[0].fd == 0);
	CHECK(strcmp(body(0), "hi /home/u $X\n'q'\n") == 0);
	CHECK(sh_parse("cat <<'END' 3<<-E2; echo after\n$HOME\nEND\n\t\tx\n\tE2\necho last", &L) ==
	      SH_OK);
	CHECK(L.nredirs == 2 && L.redirs[1].fd == 3);
	CHECK(strcmp(body(0), "$HOME\n") == 0); /* a quoted word: as it is */
	CHECK(strcmp(body(1), "x\n") == 0);	/* <<-: the tabs go */
	CHECK(L.npipelines == 3 && word_is(L.cmds[2].first_word, "echo"));
	CHECK(word_is(L.cmds[2].first_word + 1, "last"));
	CHECK(sh_parse("cat <<E\nline\\\ncontinued\nE\n", &L) == SH_OK);
	CHECK(strcmp(body(0), "linecontinued\n") == 0);
	CHECK(sh_parse("cat <<E\nE", &L) == SH_OK && strcmp(body(0), "") == 0);
	CHECK(sh_parse("cat <<E", &L) == SH_ERR_MORE);
	CHECK(sh_parse("cat <<E\nno end yet", &L) == SH_ERR_MORE);
	CHECK(sh_parse("cat <<", &L) == SH_ERR_SYNTAX);
	CHECK(sh_parse("cat <<E\n${\nE", &L) == SH_OK && strcmp(body(0), "<err 5>") == 0);
	CHECK(sh_parse("if a; then cat <<E; fi\nin\nE\n", &L) == SH_OK);
	CHECK(strcmp(body(0), "in\n") == 0);
	char small[4];
	CHECK(sh_parse("cat <<E\nlonger\nE", &L) == SH_OK);
	CHECK(sh_heredoc(&L, &L.redirs[0], &env, small, sizeof(small)) == -SH_ERR_LONG);
}

/* Random bytes never crash the parser, and every word it returns lies in the text. */
static void test_garbage(void)
{
	static const char alphabet[] = "ab $'\"\\|&;<>{}?#=12\t\n()`:-+*@%";
	char text[64], out[128];
	unsigned seed = 12345;
	int bad = 0;
	for (int round = 0; round < 40000; round++) {
		size_t len = (seed = seed * 1103515245 + 12345) % (sizeof(text) - 1);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245 + 12345;
			text[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		text[len] = 0;
		if (sh_parse(text, &L) != SH_OK)
			continue;
		for (unsigned r = 0; r < L.nredirs; r++)
			(void)sh_heredoc(&L, &L.redirs[r], &env, out, sizeof(out));
		for (unsigned w = 0; w < L.nwords; w++) {
			int q;
			bad += L.words[w].start + L.words[w].len > len;
			(void)sh_expand(&L, L.words[w], &env, out, sizeof(out), &q);
			(void)sh_fields(&L, L.words[w], &env, out, sizeof(out), &q);
			(void)sh_pattern(&L, L.words[w], &env, out, sizeof(out));
		}
	}
	CHECK(bad == 0);
	/* arithmetic on random expressions: an answer or an error, nothing undefined */
	static const char ops[] = "0129+-*/%()<>=!&|^~?: NX";
	for (int round = 0; round < 40000; round++) {
		long v;
		size_t len = (seed = seed * 1103515245 + 12345) % 24;
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245 + 12345;
			text[i] = ops[(seed >> 16) % (sizeof(ops) - 1)];
		}
		text[len] = 0;
		(void)sh_arith(text, &env, &v);
	}
}

/* Tilde expansion: "~" and "~/x" from HOME, "~name" from the user database, as if quoted
 * (no splitting, no pattern), untouched when quoted, unknown, or not at the start; in an
 * assignment after the '=' and after each unquoted ':'. */
static void test_tilde(void)
{
	struct passwd *pw = getpwnam("root");
	char want[300];
	if (pw) /* now: a later lookup overwrites what pw points to */
		snprintf(want, sizeof(want), "%s/x", pw->pw_dir);
	CHECK(strcmp(exp1("~"), "/home/u") == 0);
	CHECK(strcmp(exp1("~/x/y"), "/home/u/x/y") == 0);
	CHECK(strcmp(exp1("'~'/x"), "~/x") == 0);
	CHECK(strcmp(exp1("\\~"), "~") == 0);
	CHECK(strcmp(exp1("\"~\""), "~") == 0);
	CHECK(strcmp(exp1("~'u'"), "~u") == 0);
	CHECK(strcmp(exp1("a~"), "a~") == 0);
	CHECK(strcmp(exp1("~no_such_user_zz/x"), "~no_such_user_zz/x") == 0);
	CHECK(strcmp(exp1("V=~/bin"), "V=/home/u/bin") == 0);
	CHECK(strcmp(exp1("V=a~"), "V=a~") == 0);
	CHECK(strcmp(exp1("V=~/a:~/b:c~:~"), "V=/home/u/a:/home/u/b:c~:/home/u") == 0);
	CHECK(strcmp(exp1("V='a:~':\"~\":~"), "V=a:~:~:/home/u") == 0);
	CHECK(strcmp(exp1("V=$(echo a:~):~"), "V=<echo a:~>:/home/u") == 0);
	CHECK(strcmp(exp1("V=${X:-b}:~x_no_such_user:~"), "V=a b:~x_no_such_user:/home/u") == 0);
	CHECK(strcmp(exp1("x:~"), "x:~") == 0);
	if (pw)
		CHECK(strcmp(exp1("~root/x"), want) == 0);
	CHECK(strcmp(pat1("~/*"), "/home/u/*") == 0);
	CHECK(strcmp(fields1("~/*"), "/home/u/*") == 0);
}

/* Line continuations: removed unquoted and in double quotes, kept in single quotes; a
 * text ending in a backslash that quotes nothing is marked continued. */
static void test_continuation(void)
{
	CHECK(strcmp(exp1("a\\\nb"), "ab") == 0);
	CHECK(strcmp(exp1("\"a\\\nb\""), "ab") == 0);
	CHECK(strcmp(exp1("'a\\\nb'"), "a\\\nb") == 0);
	CHECK(sh_parse("echo a \\\n b", &L) == SH_OK && L.nwords == 3);
	CHECK(sh_parse("echo a \\", &L) == SH_OK && L.continued == 1);
	CHECK(sh_parse("echo a\\", &L) == SH_OK && L.continued == 1);
	CHECK(sh_parse("echo a\\\\", &L) == SH_OK && L.continued == 0);
	CHECK(sh_parse("echo 'a\\'", &L) == SH_OK && L.continued == 0);
	CHECK(sh_parse("echo a", &L) == SH_OK && L.continued == 0);
}

/* A case inside $(...): its patterns' ')' do not close the substitution. */
static void test_case_in_substitution(void)
{
	CHECK(strcmp(exp1("$(case y in y) echo m;; esac)x"), "<case y in y) echo m;; esac>x") == 0);
	CHECK(strcmp(exp1("$(case y in (y) echo m;; (*) (echo n);; esac)"),
		     "<case y in (y) echo m;; (*) (echo n);; esac>") == 0);
	CHECK(strcmp(exp1("$(if :; then case a in a) :;; esac; fi)"),
		     "<if :; then case a in a) :;; esac; fi>") == 0);
	CHECK(strcmp(exp1("$(echo case)y"), "<echo case>y") == 0);
	CHECK(strcmp(exp1("$(echo esac)"), "<echo esac>") == 0);
	CHECK(strcmp(exp1("$(x=1; case $x in 1) echo one;; esac) $(echo b)"),
		     "<x=1; case $x in 1) echo one;; esac>") == 0);
}

int main(void)
{
	test_simple();
	test_pipelines_and_lists();
	test_redirections();
	test_assignments();
	test_quotes();
	test_variables();
	test_patterns();
	test_errors();
	test_limits();
	test_compound();
	test_heredocs();
	test_garbage();
	test_parameters();
	test_tilde();
	test_continuation();
	test_case_in_substitution();
	test_substitution();
	test_functions_groups();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
