/*
 * The shell's language, run as `sh -c SCRIPT` with standard output in a file: pipelines,
 * redirections, && and ||, $?, quoting and variables, pathname expansion (*, ?, [...]),
 * cd, background jobs and wait,
 * exit statuses (127 not found, 2 syntax error, exit N). Each script's whole output and
 * status are compared. The interactive side is test/qemu/test_shell.py.
 */
#define OUT_FILE "/tmp/test_shell_lang.out"

#include "shell_run.h"

int test_failures;

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
	expect("cat <<x", "sh: syntax error near '<'\n", 2, 1); /* no here-documents */
	return test_status();
}
