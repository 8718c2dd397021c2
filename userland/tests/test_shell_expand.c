/*
 * The shell's expansions and functions, run as `sh -c SCRIPT [arg0 args]` and `sh FILE
 * args` with standard output in a file: command substitution ($(...) and `...`, nested,
 * in quotes, its status), field splitting of unquoted expansions, positional parameters
 * ($1..$9, ${10}, $#, $@, "$@", $*, set --, shift, for without in), ${x:-y}, ${x:=y},
 * ${x+y}, ${x:?}, ${#x}, ${x%y} and kin, $((...)), functions (arguments, return, recursion, in a
 * pipeline, redefinition, unset -f), { } and ( ), the test and [ built-ins, $$ and $!,
 * export and unset (a variable not exported stays out of commands' environments),
 * pipeline statuses, and tilde expansion. Each script's whole output and status are compared.
 */
#define OUT_FILE "/tmp/test_shell_expand.out"

#include <stdlib.h>

#include "shell_run.h"

/* Run sh -c script arg0 a1 a2 with its output in OUT_FILE, compared with want and code. */
static void expect_args(const char *script, const char *a1, const char *a2, const char *want,
			int code)
{
	char out[OUT_MAX];
	int status = -1, fd = open(OUT_FILE, O_RDWR | O_CREAT | O_TRUNC, 0666);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execl("/bin/sh", "sh", "-c", script, "zero", a1, a2, (char *)0);
		_exit(126);
	}
	waitpid(pid, &status, 0);
	ssize_t len = pread(fd, out, OUT_MAX - 1, 0);
	out[len > 0 ? len : 0] = 0;
	close(fd);
	unlink(OUT_FILE);
	int ok = WIFEXITED(status) && WEXITSTATUS(status) == code && strcmp(out, want) == 0;
	CHECK(ok);
	if (!ok)
		printf("  script %s: status %#x, output [%s], wanted [%s] and exit %d\n", script,
		       status, out, want, code);
}

static void substitution(void)
{
	expect("echo [$(echo a b)] [`echo c`]", "[a b] [c]\n", 0, 0);
	expect("x=$(echo one; echo two); echo \"$x\"", "one\ntwo\n", 0, 0);
	expect("echo \"$(echo '  spaced  ')\"", "  spaced  \n", 0, 0);
	expect("for w in $(echo a b c); do echo $w; done", "a\nb\nc\n", 0, 0);
	expect("echo $(echo $(echo nested) inner)", "nested inner\n", 0, 0);
	expect("echo `echo \\`echo bq\\``", "bq\n", 0, 0);
	expect("echo $(echo ')' \"(\")", ") (\n", 0, 0);
	expect("x=$(false); echo $?; x=$(exit 3); echo $?", "1\n3\n", 0, 0);
	expect("echo $(cd /tmp; pwd) $(pwd)", "/tmp /\n", 0, 0);
	expect("n=$(echo a | wc -c); echo $n", "2\n", 0, 0);
	expect("echo $(printf-nosuch 2>/dev/null)x", "x\n", 0, 0);
	expect("cat <<E\n<$(echo here)>\nE", "<here>\n", 0, 0);
	expect("echo $(echo 'a", "sh: unterminated quote\n", 2, 1);
}

static void splitting(void)
{
	expect("x='a  b   c'; for w in $x; do echo \"[$w]\"; done", "[a]\n[b]\n[c]\n", 0, 0);
	expect("x='a  b'; echo \"$x\" $x", "a  b a b\n", 0, 0);
	expect("x=''; for w in $x \"$x\"; do echo \"[$w]\"; done", "[]\n", 0, 0);
	expect("IFS=:; x=a:b; for w in $x; do echo $w; done", "a\nb\n", 0, 0);
	expect("IFS=': '; x=':a::b : c:'; for w in $x; do echo \"[$w]\"; done",
	       "[]\n[a]\n[]\n[b]\n[c]\n", 0, 0);
	expect("mkdir -p /tmp/se && touch /tmp/se/f1 /tmp/se/f2; p='/tmp/se/f*'; echo $p \"$p\"; "
	       "rm -r /tmp/se",
	       "/tmp/se/f1 /tmp/se/f2 /tmp/se/f*\n", 0, 0);
}

static void parameters(void)
{
	expect_args("echo $0 $# [$1] [$2] [$3]", "a b", "c", "zero 2 [a b] [c] []\n", 0);
	expect_args("for a in \"$@\"; do echo \"<$a>\"; done", "a b", "c", "<a b>\n<c>\n", 0);
	expect_args("for a in $@; do echo \"<$a>\"; done", "a b", "c", "<a>\n<b>\n<c>\n", 0);
	expect_args("for a in \"$*\"; do echo \"<$a>\"; done", "a b", "c", "<a b c>\n", 0);
	expect_args("for a; do echo \"<$a>\"; done", "x", "y", "<x>\n<y>\n", 0);
	expect_args("shift; echo $# $1; shift; echo $#; shift; echo $?", "1", "2",
		    "1 2\n0\nsh: shift: 1: past the 0 parameters\n1\n", 0);
	expect("set -- p q r s t u v w x y z; echo $# $1 $9 ${10} ${11}; shift 10; echo $*",
	       "11 p x y z\nz\n", 0, 0);
	expect("set -- 'a b'; set -- \"$@\" c; echo $#; for x in \"$@\"; do echo $x; done",
	       "2\na b\nc\n", 0, 0);
	expect("set --; echo $#; for x in \"$@\"; do echo never; done; echo [\"$@\"]", "0\n[]\n", 0,
	       0);
	expect("echo $$ | grep -qx \"$$\" && sleep 0 & wait $!; echo $?", "0\n", 0, 0);
	expect("set -q", "sh: set: -q: unknown option\n", 2, 1);
}

static void parameter_expansion(void)
{
	expect("unset u; e=; v=x; echo ${u:-d} ${e:-d} [${e-d}] ${v:-d} ${#v} ${#u} ${#}",
	       "d d [] x 1 0 0\n", 0, 0);
	expect("unset u; echo ${u:=set} $u; e=; echo [${e=no}] ${e:=yes} $e",
	       "set set\n[] yes yes\n", 0, 0);
	expect("v=x; unset u; echo [${v+alt}] [${u+alt}] [${v:+\"a b\"}]", "[alt] [] [a b]\n", 0,
	       0);
	expect("unset u; echo ${u:?}; echo not-here", "sh: parameter null or not set\n", 1, 1);
	expect("echo ${v^x}", "sh: bad substitution\n", 1, 1);
	expect("f=/a/b.tar.gz; echo ${f##*/} ${f%.*} ${f%%.*} ${f#/*/} ${f%/*} ${f%x}",
	       "b.tar.gz /a/b.tar /a/b b.tar.gz /a /a/b.tar.gz\n", 0, 0);
	expect("d=/x; echo ${u:-$d/y} \"${u:-a  b}\"", "/x/y a  b\n", 0, 0);
}

static void arithmetic(void)
{
	expect("echo $((1 + 2 * 3)) $(( (1 + 2) * 3 )) $((7 / 2)) $((7 % 3)) $((-7 / 2))",
	       "7 9 3 1 -3\n", 0, 0);
	expect("i=0; while case $i in 3) false;; esac; do i=$((i + 1)); done; echo $i", "3\n", 0,
	       0);
	expect("n=5; echo $((n * n)) $(($n - 1)) $((n > 3)) $((n == 4)) $((n != 4 && 1))",
	       "25 4 1 0 1\n", 0, 0);
	/* An expansion error ends a shell that is not interactive (POSIX 2.8.1). */
	expect("echo $((1 / 0)); echo after", "sh: bad arithmetic expression\n", 1, 1);
	expect("echo ${v^x} || echo or; echo after", "sh: bad substitution\n", 1, 1);
	expect("(echo $((2 +)); echo no); echo \"sub $?\"",
	       "sh: bad arithmetic expression\nsub 1\n", 0, 1);
	expect("x=abc; echo $((x + 1))", "sh: bad arithmetic expression\n", 1, 1);
	expect("i=1; echo $((i += 2)) $((i *= 3)) $i $((j = 4)) $j $((0 && (k = 1))) [$k]",
	       "3 9 9 4 4 0 []\n", 0, 0);
	expect("n=3; while [ $((n -= 1)) -ge 0 ]; do echo $n; done", "2\n1\n0\n", 0, 0);
}

static void functions(void)
{
	expect("f() { echo \"f:$#:$1:$2\"; }; f a 'b c'; f", "f:2:a:b c\nf:0::\n", 0, 0);
	expect("f() { return 3; echo no; }; f; echo $?", "3\n", 0, 0);
	expect("f() { false; }; f; echo $?; g() { true; return; }; g; echo $?", "1\n0\n", 0, 0);
	expect("fact() { if case $1 in 0|1) true;; *) false;; esac; then echo 1; else "
	       "echo $(( $1 * $(fact $(( $1 - 1 ))) )); fi; }; fact 5",
	       "120\n", 0, 0);
	expect("down() { echo $1; case $1 in 0) ;; *) down $(($1 - 1));; esac; }; down 3",
	       "3\n2\n1\n0\n", 0, 0);
	expect("deep() { deep; }; deep; echo $?", "sh: deep: calls nested too deep\n1\n", 0, 1);
	expect("set -- outer; f() { echo $1; }; f inner; echo $1", "inner\nouter\n", 0, 0);
	expect("f() { echo piped; }; f | wc -l", "1\n", 0, 0);
	expect("f() { echo one; }; f() { echo two; }; f; unset -f f; f 2>&1",
	       "two\nsh: f: not found\n", 127, 0);
	expect("f()\n{\n  echo multi\n}\nf", "multi\n", 0, 0);
	expect("pwd() { echo mine; }; pwd", "mine\n", 0, 0);
	expect("f() { x=inside; }; f; echo $x", "inside\n", 0, 0);
	expect("f() { for i in 1 2 3; do return $i; done; }; f; echo $? $i", "1 1\n", 0, 0);
	expect("f() { while true; do return 0; done; }; f; echo $?", "0\n", 0, 0);
	expect("f() { until false; do while :; do return 5; done; done; }; f; echo $?", "5\n", 0,
	       0);
	expect("return", "sh: return: not in a function\n", 1, 1);
	expect("f() { echo in-f; }; f > /tmp/sf_out; cat /tmp/sf_out; rm /tmp/sf_out", "in-f\n", 0,
	       0);
}

static void groups(void)
{
	expect("{ echo a; echo b; } | wc -l", "2\n", 0, 0);
	expect("x=1; { x=2; }; echo $x; (x=3; echo in $x); echo $x", "2\nin 3\n2\n", 0, 0);
	expect("(cd /tmp; pwd); pwd", "/tmp\n/\n", 0, 0);
	expect("(exit 4); echo $?", "4\n", 0, 0);
	expect("{ echo g; } > /tmp/sg; cat /tmp/sg; rm /tmp/sg", "g\n", 0, 0);
}

static void test_builtin(void)
{
	expect("test a = a && echo 1; [ a != a ] || echo 2; [ -n '' ] || echo 3; [ -z '' ] && echo "
	       "4",
	       "1\n2\n3\n4\n", 0, 0);
	expect("[ 3 -lt 10 ] && [ 10 -ge 10 ] && [ -5 -ne 5 ] && ! [ 2 -gt 3 ] && echo ints",
	       "ints\n", 0, 0);
	expect("[ -d /tmp ] && [ -e /bin/sh ] && [ ! -f /tmp ] && [ ! -e /nosuch ] && echo files",
	       "files\n", 0, 0);
	expect("touch /tmp/te; [ -s /tmp/te ] || echo empty; echo x > /tmp/te; [ -s /tmp/te ] && "
	       "[ -f /tmp/te -a -r /tmp/te ] && echo full; rm /tmp/te",
	       "empty\nfull\n", 0, 0);
	expect("test; echo $?; test ''; echo $?; test x; echo $?; [ -n ]; echo $?; [ ]; echo $?",
	       "1\n1\n0\n0\n1\n", 0, 0);
	expect("[ \\( a = b -o 1 -eq 1 \\) -a ! x = y ] && echo group", "group\n", 0, 0);
	expect("[ 1 -eq x ]; echo $?", "sh: test: x: integer expected\n2\n", 0, 1);
	expect("[ a = a; echo $?", "sh: [: missing ]\n2\n", 0, 1);
	expect("test a b; echo $?", "sh: test: b: unexpected operand\n2\n", 0, 1);
	expect("i=0; while [ $i -lt 3 ]; do i=$((i + 1)); done; echo $i", "3\n", 0, 0);
}

static void read_builtin(void)
{
	expect("echo '  a b  c d  ' | { read x y rest; echo \"[$x][$y][$rest]\"; }",
	       "[a][b][c d]\n", 0, 0);
	expect("cat <<E | while read line; do echo \"<$line>\"; done\none\ntwo  words\nE",
	       "<one>\n<two  words>\n", 0, 0);
	expect("read a b <<E\nx\\ y z\nE\necho \"[$a][$b]\"", "[x y][z]\n", 0, 0);
	expect("read -r a <<'E'\nx\\ y\nE\necho \"[$a]\"", "[x\\ y]\n", 0, 0);
	expect("read a < /dev/null; echo $? \"[$a]\"", "1 []\n", 0, 0);
	expect("IFS=:; read a b c <<E\n1::3\nE\necho \"[$a][$b][$c]\"", "[1][][3]\n", 0, 0);
	expect("IFS=:; read a b <<E\n1:2:3\nE\necho \"$a\" \"$b\" $b", "1 2:3 2 3\n", 0, 0);
	expect("read 1x <<E\nv\nE", "sh: read: 1x: not a valid name\n", 2, 1);
}

static void eval_dot(void)
{
	expect("c='echo a; echo b'; eval $c; eval 'x=5'; echo $x; eval; echo $?", "a\nb\n5\n0\n", 0,
	       0);
	expect("v=hidden; n=v; eval echo \\$$n", "hidden\n", 0, 0);
	expect("eval 'echo |'; echo $?", "sh: syntax error at end of line\n2\n", 0, 1);
	expect("echo 'y=from-dot; f() { echo in-f $1; }' > /tmp/sd.sh; . /tmp/sd.sh; echo $y; f z; "
	       "rm /tmp/sd.sh",
	       "from-dot\nin-f z\n", 0, 0);
	expect(". /nosuch; echo not-here", "sh: .: /nosuch: not found\n", 127, 1);
	expect("echo '. /tmp/sr.sh' > /tmp/sr.sh; . /tmp/sr.sh; echo $?; rm /tmp/sr.sh",
	       "sh: eval and . nested too deep\n1\n", 0, 1);
}

static void set_options(void)
{
	expect("set -e; echo a; false; echo no", "a\n", 1, 0);
	expect("set -e; false || true; false && true; if false; then :; fi; while false; do :; "
	       "done; "
	       "! true; until true; do :; done; echo survived; false; echo no",
	       "survived\n", 1, 0);
	expect("set -e; f() { false; echo no; }; f; echo no2", "", 1, 0);
	expect("set -e; g() { false; return 0; }; if g; then echo in-condition; fi",
	       "in-condition\n", 0, 0);
	expect("set -e; (false); echo no", "", 1, 0);
	/* Before && or ||, or after !, -e is off in everything the pipeline runs (POSIX). */
	expect("set -e; f() { false; echo in-f; }; f || echo failed; ! f; f && echo ok; "
	       "{ false; echo grp; } || :; (false; echo sub) && :; echo end; f; echo no",
	       "in-f\nin-f\nin-f\nok\ngrp\nsub\nend\n", 1, 0);
	expect("set -e; x=$(exit 3); echo no", "", 3, 0);
	/* Assignments alone are made in turn, each seeing the ones before it. */
	expect("x=5; x=$((x * 2)) y=$x; echo $x $y", "10 10\n", 0, 0);
	expect("set -e; set +e; false; echo on", "on\n", 0, 0);
	/* The same options by their -o names; set -o and set +o alone list them. */
	expect("set -o noglob; echo /bi*; set +o noglob; echo /bi*; set -o; set -e +o xtrace a b; "
	       "set +o; echo $# $-; set +e; set -o nosuch; echo $?; set -o errexit; false; echo no",
	       "/bi*\n/bin\nerrexit     off\nnoglob      off\nnounset     off\nxtrace      off\n"
	       "set -o errexit\nset +o noglob\nset +o nounset\nset +o xtrace\n2 e\n"
	       "sh: set: nosuch: unknown option\n2\n",
	       1, 1);
	expect("set -o nounset; echo ${TSE_UNSET}; echo no", "sh: parameter null or not set\n", 1,
	       1);
	expect("echo [$-]; set -ef; echo [$-]; set +e; echo [$-]", "[]\n[ef]\n[f]\n", 0, 0);
	expect("set -x; echo hi; X=1; set +x; echo quiet",
	       "+ echo hi\nhi\n+ X=1\n+ set +x\nquiet\n", 0, 1);
	expect("set -f; echo /bi*; set +f; echo /bi*", "/bi*\n/bin\n", 0, 0);
	expect("set -e -- a b; echo $# $1 $-", "2 a e\n", 0, 0);
	expect("set -- x; set -e; echo $1", "x\n", 0, 0);
	expect("set -u; echo ${U-d} $# \"$@\" $-; echo $U; echo no",
	       "d 0 u\nsh: parameter null or not set\n", 1, 1);
	expect("set -u; set +u; echo [$U]", "[]\n", 0, 0);
}

static void misc(void)
{
	expect("export E1=v; sh -c 'echo $E1'; unset E1; sh -c 'echo [$E1]'", "v\n[]\n", 0, 0);
	expect("true | false; echo $?; false | true; echo $?; ! true | false; echo $?", "1\n0\n0\n",
	       0, 0);
	expect("echo 'echo script $# $1 $0' > /tmp/ss.sh; sh /tmp/ss.sh a b; rm /tmp/ss.sh",
	       "script 2 a /tmp/ss.sh\n", 0, 0);
	expect("sh -c 'echo $0 $1' me you", "me you\n", 0, 0);
	expect("echo $PATH $HOME", "/bin /\n", 0, 0);
	/* only exported variables reach a command's environment (POSIX) */
	expect("L=1; sh -c 'echo [$L]'; echo $L", "[]\n1\n", 0, 0);
	expect("L=1; L=2 sh -c 'echo [$L]'; sh -c 'echo [$L]'", "[2]\n[]\n", 0, 0);
	expect("L=1; export L; sh -c 'echo [$L]'; L=3; sh -c 'echo [$L]'", "[1]\n[3]\n", 0, 0);
	expect("L=1; export | grep -c L=; export L; export | grep -c L=", "0\n1\n", 0, 0);
	expect("for L in a; do :; done; read R <<EOF\nr\nEOF\nsh -c 'echo [$L$R]'", "[]\n", 0, 0);
	expect("L=1; unset L; export L=4; sh -c 'echo [$L]'", "[4]\n", 0, 0);
	/* Tilde expansion (POSIX 2.6.1): HOME, the user database (root's home is /), as if
	 * quoted; not when quoted, not inside a word; in an assignment after the '=' and
	 * after each unquoted ':'. */
	expect("HOME=/tmp/h; echo ~ ~/a '~' \\~ \"~\" a~ ~root ~root/x ~nosuchuser; V=~/b; echo $V",
	       "/tmp/h /tmp/h/a ~ ~ ~ a~ / //x ~nosuchuser\n/tmp/h/b\n", 0, 0);
	expect("HOME='/tmp/a b*'; for w in ~; do echo \"[$w]\"; done", "[/tmp/a b*]\n", 0, 0);
	expect("HOME=/tmp/h; P=~/bin:~/sbin:'~':/x; echo $P", "/tmp/h/bin:/tmp/h/sbin:~:/x\n", 0,
	       0);
}

int main(void)
{
	substitution();
	splitting();
	parameters();
	parameter_expansion();
	arithmetic();
	functions();
	groups();
	test_builtin();
	read_builtin();
	eval_dot();
	set_options();
	misc();
	return test_status();
}
