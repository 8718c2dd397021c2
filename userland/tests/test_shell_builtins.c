/*
 * The shell's POSIX built-ins exec, command, umask, getopts, readonly, ulimit and type,
 * and cd and pwd with -L and -P, run as `sh -c SCRIPT`
 * with standard output (and for some standard error) in a file: exec replacing the
 * shell, exec's redirections staying on, exec of nothing found (127, the shell ends);
 * command -v and -V for programs, built-ins, functions and reserved words, command
 * running a program or built-in past a function of its name; umask in octal and
 * symbolic forms, -S; getopts over the positional parameters and given arguments,
 * grouped options, option arguments in the same and the next argument, --, a bad option
 * and a missing argument, loud and silent (':'), and OPTIND=1 starting again; readonly
 * variables refusing every way of being set or unset. Each
 * script's whole output and status are compared.
 */
#define OUT_FILE "/tmp/test_shell_builtins.out"

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
	exec_builtin();
	command_builtin();
	cd_options();
	umask_builtin();
	getopts_builtin();
	readonly_builtin();
	ulimit_and_type();
	return test_status();
}
