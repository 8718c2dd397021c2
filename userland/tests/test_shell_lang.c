/*
 * The shell's language, run as `sh -c SCRIPT` with standard output in a file: pipelines,
 * redirections, && and ||, $?, quoting and variables, pathname expansion (*, ?, [...]),
 * cd, background jobs and wait, if, while, until, for, case and here-documents,
 * exit statuses (127 not found, 2 syntax error, exit N), line continuations, and
 * NAME=value before a built-in. Each script's whole output and
 * status are compared. The interactive side is test/qemu/test_shell.py.
 * The POSIX built-ins exec, command, umask, getopts, readonly, ulimit and type, and cd
 * and pwd with -L and -P: exec replacing the shell, exec's redirections staying on, exec
 * of nothing found (127, the shell ends); command -v and -V, command past a function;
 * umask octal and symbolic, -S; getopts (grouped options, arguments in the same and the
 * next word, --, loud and silent errors, OPTIND=1); readonly refusing every way of being
 * set or unset; ulimit showing and setting limits; type.
 */
#define OUT_FILE "/tmp/test_shell_lang.out"

#include "shell_run.h"

int test_failures;

static void exec_builtin(void)
{
	expect("exec echo replaced; echo never", "replaced\n", 0, 0);
	expect("exec 3>&1 >/tmp/tsb_x; echo into; exec 1>&3 3>&-; cat /tmp/tsb_x; rm /tmp/tsb_x",
	       "into\n", 0, 0);
	expect("echo line >/tmp/tsb_in; exec 4</tmp/tsb_in; read l <&4; echo got $l; rm "
	       "/tmp/tsb_in",
	       "got line\n", 0, 0);
	expect("exec tsb_nosuch; echo never", "sh: exec: tsb_nosuch: not found\n", 127, 1);
	expect("(exec true); echo $?; (exec false); echo $?", "0\n1\n", 0, 0);
	expect("exec; echo still", "still\n", 0, 0);
}

static void command_builtin(void)
{
	expect("command -v echo; command -v cd; command -v if; f() { :; }; command -v f",
	       "/bin/echo\ncd\nif\nf\n", 0, 0);
	expect("command -v tsb_nosuch; echo $?", "1\n", 0, 0);
	expect("command -V cd; command -V echo", "cd is a shell builtin\necho is /bin/echo\n", 0,
	       0);
	expect("echo() { printf 'func\\n'; }; command echo real; echo x", "real\nfunc\n", 0, 0);
	expect("command tsb_nosuch; echo $?", "sh: tsb_nosuch: not found\n127\n", 0, 1);
	expect("command cd /tmp; pwd; command -p true; echo $?", "/tmp\n0\n", 0, 0);
}

/* cd and pwd take POSIX's -L and -P (the directory is the physical one either way). */
static void cd_options(void)
{
	expect("mkdir -p /tmp/tsb_r/d; ln -s /tmp/tsb_r /tmp/tsb_l; cd -P /tmp/tsb_l/d; pwd -P; "
	       "cd -L ..; pwd -L; cd -- /; pwd; cd -x /tmp; echo $?; rm /tmp/tsb_l; rm -r "
	       "/tmp/tsb_r",
	       "/tmp/tsb_r/d\n/tmp/tsb_r\n/\nsh: cd: -x: bad option\n2\n", 0, 1);
}

static void umask_builtin(void)
{
	expect("umask 027; umask; (umask)", "0027\n0027\n", 0, 0);
	expect("umask 022; umask -S", "u=rwx,g=rx,o=rx\n", 0, 0);
	expect("umask 077; umask g+rx,o=r; umask; umask a-w; umask", "0023\n0223\n", 0, 0);
	expect("umask 99; echo $?; umask u=rwz; echo $?",
	       "sh: umask: 99: bad mask\n1\nsh: umask: u=rwz: bad mask\n1\n", 0, 1);
}

static void getopts_builtin(void)
{
	expect("set -- -a -b val -cfoo x y; while getopts ab:c: o; do echo "
	       "\"$o${OPTARG:+=$OPTARG}\"; "
	       "done; shift $((OPTIND - 1)); echo \"$OPTIND:$*\"",
	       "a\nb=val\nc=foo\n5:x y\n", 0, 0);
	expect("set -- -ab -- -c; while getopts abc o; do echo $o; done; echo $OPTIND", "a\nb\n3\n",
	       0, 0);
	expect("getopts a o -z; echo \"$o $?\"", "sh: getopts: -z: unknown option\n? 0\n", 0, 1);
	expect("getopts :a: o -z; echo \"$o $OPTARG\"; OPTIND=1; getopts :a: o -a; echo \"$o "
	       "$OPTARG\"",
	       "? z\n: a\n", 0, 0);
	expect("getopts a o x; echo \"$? $o $OPTIND\"", "1 ? 1\n", 0, 0);
	expect("f() { while getopts x: o; do echo $o$OPTARG; done; }; f -x1 -x 2", "x1\nx2\n", 0,
	       0);
}

/* readonly: set and listed; a read-only variable cannot be set (by an assignment, which
 * ends the shell, for, read, export) nor unset; bad names. */
static void readonly_builtin(void)
{
	expect("readonly A=1 B; readonly; readonly -p | wc -l; A=2; echo never",
	       "readonly A='1'\nreadonly B\n2\nsh: A: readonly variable\n", 1, 1);
	expect("readonly A=\"it's\"; readonly", "readonly A='it'\\''s'\n", 0, 0);
	expect("readonly A=1; unset A; echo \"$? $A\"", "sh: unset: A: readonly variable\n1 1\n", 0,
	       1);
	expect("readonly A=1; A=2 true; echo never", "sh: A: readonly variable\n", 1, 1);
	expect("readonly A=1; for A in x; do :; done; echo \"for $?\"; read A <<E\nx\nE\n"
	       "echo \"read $? $A\"",
	       "sh: A: readonly variable\nfor 1\nsh: A: readonly variable\nread 2 1\n", 0, 1);
	expect("readonly 1x=2; echo $?; readonly A=1; export A=3; echo never",
	       "sh: readonly: 1x=2: not a valid name\n1\nsh: A: readonly variable\n", 1, 1);
}

/* ulimit: show (-f by default, -a all), set soft and hard or one of them, refuse a soft
 * limit above the hard one, bad options and numbers; a child inherits the limit. type. */
static void ulimit_and_type(void)
{
	expect("ulimit -n; ulimit -n 16; ulimit -n; ulimit -Hn; ulimit -a | grep -c files; "
	       "(ulimit -n 8; sh -c 'ulimit -n')",
	       "32\n16\n16\n1\n8\n", 0, 0);
	expect("ulimit; ulimit -f 100; ulimit -f; ulimit -Sf unlimited; echo $?; ulimit -Sf 10; "
	       "ulimit -f; ulimit -Hf",
	       "unlimited\n100\nsh: ulimit: Invalid argument\n1\n10\n100\n", 0, 1);
	expect("ulimit -x; echo $?; ulimit -n abc; echo $?",
	       "sh: ulimit: -x: unknown option\n2\nsh: ulimit: abc: bad limit\n1\n", 0, 1);
	expect("type cd echo if tsb_nosuch; echo $?",
	       "cd is a shell builtin\necho is /bin/echo\nif is a reserved word\n"
	       "sh: type: tsb_nosuch: not found\n1\n",
	       0, 1);
}

int main(void)
{
	expect("echo one two | wc -w", "2\n", 0, 0);
	expect("echo abc | cat | wc -c", "4\n", 0, 0);
	expect("nosuch 2>&1 | wc -l; echo $?", "1\n0\n", 0, 0);
	expect("false | true && true | false || echo last-fails", "last-fails\n", 0, 0);
	expect("cd /tmp && echo x > rel.txt && cat rel.txt | wc -c; rm rel.txt", "2\n", 0, 0);
	expect("false; echo $?", "1\n", 0, 0);
	expect("true && echo a || echo b; false && echo c || echo d", "a\nd\n", 0, 0);
	expect("false || false && echo no; echo $?", "1\n", 0, 0);
	expect("echo 'a  b' \"c  d\" e\\ f '$X'", "a  b c  d e f $X\n", 0, 0);
	expect("X=1; Y=\"$X 2\"; echo \"[$Y]\" ${X}x $UNSET.", "[1 2] 1x .\n", 0, 0);
	expect("X=1 env | grep -x X=1; echo ${X}.", "X=1\n.\n", 0, 0);
	expect("echo x > /tmp/t_sh; echo y >> /tmp/t_sh; cat < /tmp/t_sh; wc -l /tmp/t_sh",
	       "x\ny\n2 /tmp/t_sh\n", 0, 0);
	expect("echo z > /tmp/t_sh; cat /tmp/t_sh; rm /tmp/t_sh; cat /tmp/t_sh 2>/dev/null", "z\n",
	       1, 0);
	expect("echo a > /tmp/t_sh2; echo b >> /tmp/t_sh2; head -n 1 /tmp/t_sh2; rm /tmp/t_sh2",
	       "a\n", 0, 0);
	expect("nosuch 2>&1", "sh: nosuch: not found\n", 127, 0);
	expect("nosuch", "sh: nosuch: not found\n", 127, 1);
	expect("echo |", "sh: syntax error at end of line\n", 2, 1);
	expect("echo 'open", "sh: unterminated quote\n", 2, 1);
	expect("cd /tmp && pwd; cd / && pwd", "/tmp\n/\n", 0, 0);
	/* Pathname expansion: sorted, no dot files, quoted wildcards literal, no match kept. */
	expect("mkdir /tmp/g && cd /tmp/g && touch b.c a.c c.h .x.c && echo *.c; "
	       "echo '*.c' \"*\".c \\*.c; echo *.zz; echo [ab].? .*; echo /tmp/g/*.h; "
	       "P='*.h'; echo $P \"$P\"; rm *.c .x.c c.h && echo * && cd / && rmdir /tmp/g",
	       "a.c b.c\n*.c *.c *.c\n*.zz\na.c b.c .x.c\n/tmp/g/c.h\nc.h *.h\n*\n", 0, 0);
	expect("cd /nonexistent", "sh: cd: /nonexistent: No such file or directory\n", 1, 1);
	expect("echo bg & wait; echo fg", "bg\nfg\n", 0, 0);
	expect("false & wait $!; echo $?", "1\n", 0, 0);
	expect("exit 7; echo not", "", 7, 0);
	expect("exit 300", "", 300 & 0xff, 0);
	expect("exit x", "sh: exit: x: not a number\n", 2, 1);
	expect("echo out; echo err 2>/dev/null >&2", "out\n", 0, 0);
	expect("echo out 2>&1 >/dev/null", "", 0, 0);
	/* Compound commands */
	expect("if true; then echo y; else echo n; fi; if false; then echo y; fi; echo $?",
	       "y\n0\n", 0, 0);
	expect("if false; then echo 1; elif false; then echo 2; elif true; then echo 3; else "
	       "echo 4; fi",
	       "3\n", 0, 0);
	expect("if nosuch 2>/dev/null; then echo y; else echo n $?; fi", "n 127\n", 0, 0);
	expect("while false; do echo never; done; echo w$?; until true; do echo never; done",
	       "w0\n", 0, 0);
	expect("X=; while [ -n \"$X\" ]; do echo never; done; echo $?", "0\n", 0, 0);
	expect("for i in 1 'two  words' \"$HOME\"; do echo \"<$i>\"; done",
	       "<1>\n<two  words>\n</>\n", 0, 0);
	expect("for i in; do echo never; done; for f in /bin/tru*; do echo $f; done", "/bin/true\n",
	       0, 0);
	expect("for i in a b c; do echo $i; done | wc -l; for i in x\ndo\necho $i\ndone > "
	       "/tmp/t_f; "
	       "cat /tmp/t_f; rm /tmp/t_f",
	       "3\nx\n", 0, 0);
	expect("for w in apple b.c zed; do case $w in a*) echo A;; *.c|*.h) echo C;; *) echo "
	       "other;; esac; done",
	       "A\nC\nother\n", 0, 0);
	expect("for w in 7up x9 '' ; do case $w in [[:digit:]]*) echo D;; [![:digit:]]*) echo N;; "
	       "*) echo E;; esac; done",
	       "D\nN\nE\n", 0, 0);
	/* >| writes as > does (there is no noclobber); n<>file opens to read and write. */
	expect("echo a > /tmp/tsl_r; echo b >| /tmp/tsl_r; cat /tmp/tsl_r; exec 3<>/tmp/tsl_r; "
	       "read l <&3; echo \"[$l]\"; echo c >&3; exec 3>&-; cat /tmp/tsl_r; "
	       "cat <> /tmp/tsl_r; rm /tmp/tsl_r",
	       "b\n[b]\nb\nc\nb\nc\n", 0, 0);
	/* A case inside $(...): its patterns' ')' do not end the substitution. */
	expect("x=$(case y in y) echo matched;; esac); echo $x; echo \"$(case a in (b) :;; *) echo "
	       "star;; esac)\"; echo $(echo case) `case q in q) echo bq;; esac`",
	       "matched\nstar\ncase bq\n", 0, 0);
	/* Line continuation (POSIX 2.2.1): a backslash-newline is removed, unquoted and in
	 * double quotes, between words too; single quotes keep it; in a script file a line
	 * ending in one goes on in the next. */
	expect("echo a\\\nb; echo c \\\n d; echo \"x\\\ny\" 'p\\\nq'", "ab\nc d\nxy p\\\nq\n", 0,
	       0);
	expect("cat > /tmp/tsl_c <<'E'\necho one \\\n  two\nif true; then \\\n echo three; fi\nE\n"
	       "sh /tmp/tsl_c; rm /tmp/tsl_c",
	       "one two\nthree\n", 0, 0);
	/* A regular built-in's NAME=value holds only while it runs; a special one's stays. */
	expect("IFS=, read a b <<E\n1,2,3\nE\nread c d <<E\nx,y z\nE\necho \"$a/$b/$c/$d\"",
	       "1/2,3/x,y/z\n", 0, 0);
	expect("IFS= read -r line <<E\n  lead  \\t\nE\necho \"[$line]\"", "[  lead  \\t]\n", 0, 0);
	expect("X=1 cd /tmp; echo ${X-unset}; Y=2 :; echo $Y", "unset\n2\n", 0, 0);
	expect("case '*' in \\*) echo star;; esac; case x in y) echo y; esac; echo $?", "star\n0\n",
	       0, 0);
	expect("for i in 1 2 3; do if false; then :; else echo $i; fi; done", "1\n2\n3\n", 0, 0);
	expect("for i in 1 2; do exit 5; echo never; done; echo never", "", 5, 0);
	expect("for i in 1 2 3 4; do if [ x ] 2>/dev/null; then :; fi; case $i in 2) continue;; "
	       "4) break;; esac; echo $i; done; echo after",
	       "1\n3\nafter\n", 0, 0);
	expect("for i in a b; do for j in 1 2; do case $j in 2) continue 2;; esac; echo $i$j; "
	       "done; echo never; done; for i in x; do while true; do break 5; done; echo no; "
	       "done; "
	       "echo out",
	       "a1\nb1\nout\n", 0, 0);
	expect("break; continue; echo outside; break x", "outside\nsh: break: x: bad count\n", 1,
	       1);
	expect("! false && echo negated; ! true; echo $?; ! echo x | wc -l", "negated\n1\n1\n", 1,
	       0);
	expect("fi", "sh: syntax error near 'fi'\n", 2, 1);
	expect("if true; then echo x; fi fi", "sh: syntax error near 'fi'\n", 2, 1);
	expect("while true; do", "sh: unexpected end of input\n", 2, 1);
	expect("for 1 in a; do :; done", "sh: syntax error near '1'\n", 2, 1);
	/* Here-documents */
	expect("X=v; cat <<END\n$X and \\$X\n'q' \"d\"\nEND\necho after",
	       "v and $X\n'q' \"d\"\nafter\n", 0, 0);
	expect("cat <<'E' | wc -l\n$X\nE", "1\n", 0, 0);
	expect("cat <<\"E\"\n$HOME\nE", "$HOME\n", 0, 0);
	expect("cat <<-E\n\t\tindented\n\tE", "indented\n", 0, 0);
	expect("cat 3<<A 4<<B <&4\na\nA\nb\nB", "b\n", 0, 0);
	expect("for i in 1 2; do cat <<E\nline $i\nE\ndone", "line 1\nline 2\n", 0, 0);
	expect("if true; then cat; fi <<E\nto the if\nE", "to the if\n", 0, 0);
	expect("cat <<x", "sh: unexpected end of input\n", 2, 1);
	exec_builtin();
	command_builtin();
	cd_options();
	umask_builtin();
	getopts_builtin();
	readonly_builtin();
	ulimit_and_type();
	return test_status();
}
