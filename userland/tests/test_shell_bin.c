/*
 * The programs in /bin, run through `sh -c` (shell_run.h): ls, cp, mv, rm, mkdir, rmdir, mkfifo, ln,
 * chmod, basename, dirname, tee, uname, printf, tail, sort, uniq, cut, tr, seq, id, date,
 * touch, cat, echo, wc, head, grep, env, true, false, time and expr, each with its options and
 * its exit statuses, on files under /tmp/tb (removed at the end).
 */
#define OUT_FILE "/tmp/test_shell_bin.out"

#include "shell_run.h"

int test_failures;

#define WORDS "echo Alpha > /tmp/tb/f; echo beta >> /tmp/tb/f; echo gamma >> /tmp/tb/f"

static void files_and_dirs(void)
{
	expect("mkdir -p /tmp/tb/a/b && touch /tmp/tb/a/x && ls /tmp/tb/a", "b\nx\n", 0, 0);
	expect("mkdir /tmp/tb/a", "mkdir: /tmp/tb/a: File exists\n", 1, 1);
	expect("echo hello > /tmp/tb/f; cp /tmp/tb/f /tmp/tb/a; cat /tmp/tb/a/f", "hello\n", 0, 0);
	expect("mv /tmp/tb/f /tmp/tb/g && ls /tmp/tb && cat /tmp/tb/g", "a\ng\nhello\n", 0, 0);
	expect("cp /tmp/tb/g /tmp/tb/g", "cp: /tmp/tb/g and /tmp/tb/g are the same file\n", 1, 1);
	expect("cp /tmp/tb/nosuch /tmp/tb/h", "cp: /tmp/tb/nosuch: No such file or directory\n", 1,
	       1);
	expect("ls -a /tmp/tb/a", ".\n..\nb\nf\nx\n", 0, 0);
	expect("ls -d /tmp/tb/a /tmp/tb/g", "/tmp/tb/a\n/tmp/tb/g\n", 0, 0);
	expect("rmdir /tmp/tb/a", "rmdir: /tmp/tb/a: Directory not empty\n", 1, 1);
	expect("rm /tmp/tb/a", "rm: /tmp/tb/a: is a directory\n", 1, 1);
	expect("rm /tmp/tb/nosuch; echo $?; rm -f /tmp/tb/nosuch; echo $?",
	       "rm: /tmp/tb/nosuch: No such file or directory\n1\n0\n", 0, 1);
	expect("rmdir /tmp/tb/a/b && ls /tmp/tb/a", "f\nx\n", 0, 0);
	expect("touch -c /tmp/tb/none; ls /tmp/tb", "a\ng\n", 0, 0);
	expect("rm -r /tmp/tb/a && ls /tmp/tb", "g\n", 0, 0);
	expect("ls /tmp/tb/a", "ls: /tmp/tb/a: No such file or directory\n", 1, 1);
	/* A FIFO: the background writer's open waits for cat's, then cat reads to its EOF. */
	expect("mkfifo /tmp/tb/p; echo through > /tmp/tb/p & cat /tmp/tb/p; wait; rm /tmp/tb/p",
	       "through\n", 0, 0);
	expect("mkfifo /tmp/tb/g", "mkfifo: /tmp/tb/g: File exists\n", 1, 1);
	/* ln: a hard link, a symbolic one, -f over a name, into a directory, and a failure */
	expect("ln /tmp/tb/g /tmp/tb/h && cat /tmp/tb/h && rm /tmp/tb/h", "hello\n", 0, 0);
	expect("ln -s g /tmp/tb/s && cat /tmp/tb/s && ln -sf /tmp/tb/g /tmp/tb/s && cat /tmp/tb/s",
	       "hello\nhello\n", 0, 0);
	expect("mkdir /tmp/tb/d && ln /tmp/tb/g /tmp/tb/s /tmp/tb/d && ls /tmp/tb/d", "g\ns\n", 0,
	       0);
	expect("rm -r /tmp/tb/d /tmp/tb/s && ls /tmp/tb", "g\n", 0, 0);
	expect("ln /tmp/tb/g /tmp/tb/g", "ln: /tmp/tb/g: File exists\n", 1, 1);
}

/* chmod (octal and symbolic), basename, dirname, tee, uname. */
static void small_tools(void)
{
	expect("chmod 600 /tmp/tb/g; test -x /tmp/tb/g || echo no-x; chmod u+x,go+r /tmp/tb/g; "
	       "test -x /tmp/tb/g && echo x",
	       "no-x\nx\n", 0, 0);
	expect("chmod a-x /tmp/tb/g; test -x /tmp/tb/g || echo off; chmod 644 /tmp/tb/g", "off\n",
	       0, 0);
	expect("chmod zz /tmp/tb/g", "chmod: zz: invalid mode\n", 1, 1);
	expect("chmod 644 /tmp/tb/none", "chmod: /tmp/tb/none: No such file or directory\n", 1, 1);
	expect("basename /a/b/c.txt .txt; basename /; basename a/; basename .txt .txt",
	       "c\n/\na\n.txt\n", 0, 0);
	expect("dirname /a/b/; dirname a; dirname /; dirname //x; dirname a/b", "/a\n.\n/\n/\na\n",
	       0, 0);
	expect("echo hi | tee /tmp/tb/t1 /tmp/tb/t2; echo more | tee -a /tmp/tb/t1 >/dev/null; "
	       "cat /tmp/tb/t1 /tmp/tb/t2; rm /tmp/tb/t1 /tmp/tb/t2",
	       "hi\nhi\nmore\nhi\n", 0, 0);
	/* -a: the five fields in order (a field may hold spaces: the model name) */
	expect("test \"$(uname)\" = \"$(uname -s)\" && test \"$(uname -a)\" = "
	       "\"$(uname -s) $(uname -n) $(uname -r) $(uname -v) $(uname -m)\" && echo same",
	       "same\n", 0, 0);
	expect("printf 'a%sb\\n' x; printf '%s\\n' a b c; printf '%%|\\101|%d\\n' \"'A\"",
	       "axb\na\nb\nc\n%|A|65\n", 0, 0);
	expect("printf '%d %5.2f %x %o %c|%-4s|%3d|\\n' 42 3.14159 255 8 hello ab -7",
	       "42  3.14 ff 10 h|ab  | -7|\n", 0, 0);
	expect("printf '%b' 'x\\ty\\n' 'a\\cb'; printf 'not reached\\n' | wc -l", "x\ty\na1\n", 0,
	       0);
	expect("printf '%d\\n' abc; echo $?", "printf: abc: not a number\n0\n1\n", 0, 1);
	expect("printf '%s-%s\\n' only", "only-\n", 0, 0);
	expect("id; id -u; id -gn", "uid=0(root) gid=0(root) groups=0(root)\n0\nroot\n", 0, 0);
	expect("date +%Y | wc -c; date -u '+%H:%M' | cut -c 3; date +", "5\n:\n\n", 0, 0);
	expect("date now", "usage: date [-u] [+format]\n", 1, 1);
	expect("uname -x", "uname: invalid option -- 'x'\nusage: uname [-amnrsv]\n", 1, 1);
}

/* ls -l: the mode, the size and the name of a 6-byte file, fields as POSIX lists them. */
static void ls_long(void)
{
	char out[OUT_MAX], mode[16] = "", name[64] = "";
	long links = -1, size = -1;
	int st = sh_run("ls -l /tmp/tb/g", out, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(sscanf(out, "%15s %ld %*u %*u %ld %*s %*s %*s %63s", mode, &links, &size, name) == 4);
	CHECK(strncmp(mode, "-rw", 3) == 0 && links == 1 && size == 6);
	CHECK(strcmp(name, "/tmp/tb/g") == 0);
	/* a symbolic link: shown itself, with its text */
	st = sh_run("ln -s g /tmp/tb/s && ls -l /tmp/tb/s; rm /tmp/tb/s", out, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(out[0] == 'l' && strstr(out, " /tmp/tb/s -> g\n") != 0);
}

static void text_tools(void)
{
	expect(WORDS "; tail -n 2 /tmp/tb/f; tail -n +3 /tmp/tb/f; tail -c 3 /tmp/tb/f; "
		     "tail /tmp/tb/f | wc -l; tail -n 0 /tmp/tb/f",
	       "beta\ngamma\ngamma\nma\n3\n", 0, 0);
	expect("printf 'b\\na\\nc\\na\\n' | sort; printf 'b\\na\\n' | sort -r; "
	       "printf 'b\\na\\nb\\n' | sort -u; printf '10\\n9\\n100\\n' | sort -n",
	       "a\na\nb\nc\nb\na\na\nb\n9\n10\n100\n", 0, 0);
	expect("printf 'a\\na\\nb\\nc\\nc\\nc' | uniq -c; printf 'a\\na\\nb\\n' | uniq; "
	       "printf 'a\\na\\nb\\n' | uniq -d; printf 'a\\na\\nb\\n' | uniq -u",
	       "      2 a\n      1 b\n      3 c\na\nb\na\nb\n", 0, 0);
	expect("printf 'a:b:c\\nd:e\\nnone\\n' | cut -d : -f 1,3-; echo abcdef | cut -c 2-3,5-; "
	       "printf 'x:y\\nz\\n' | cut -s -d : -f 2",
	       "a:c\nd\nnone\nbcef\ny\n", 0, 0);
	expect("cut -f 0 /tmp/tb/f", "cut: 0: bad list\n", 1, 1);
	expect("echo hello | tr a-y b-z; echo 'a  b   c' | tr -s ' '; echo banana | tr -d an; "
	       "echo aabbcc | tr -s abc xyz",
	       "ifmmp\na b c\nb\nxyz\n", 0, 0);
	expect("seq 3; seq -s , 2 2 9; seq 3 -1 1", "1\n2\n3\n2,4,6,8\n3\n2\n1\n", 0, 0);
	expect("seq 1 0 5", "usage: seq [-s sep] [first [increment]] last\n", 1, 1);
	expect("tail -n x /tmp/tb/f", "usage: tail [-n number | -c number] [file]\n", 1, 1);
	expect(WORDS "; wc /tmp/tb/f; wc -l < /tmp/tb/f", "3 3 17 /tmp/tb/f\n3\n", 0, 0);
	expect("wc -cw /tmp/tb/f /tmp/tb/g", "3 17 /tmp/tb/f\n1 6 /tmp/tb/g\n4 23 total\n", 0, 0);
	expect("head -n 2 /tmp/tb/f; head -n 1 /tmp/tb/f /tmp/tb/g",
	       "Alpha\nbeta\n==> /tmp/tb/f <==\nAlpha\n\n==> /tmp/tb/g <==\nhello\n", 0, 0);
	expect("head -n x /tmp/tb/f", "usage: head [-n number] [file...]\n", 1, 1);
	expect("grep ph /tmp/tb/f; grep -i -n A /tmp/tb/f", "Alpha\n1:Alpha\n2:beta\n3:gamma\n", 0,
	       0);
	expect("grep -v -e beta -e gamma /tmp/tb/f; grep -c a /tmp/tb/f; grep -x bet /tmp/tb/f",
	       "Alpha\n3\n", 1, 0);
	expect("grep -l hello /tmp/tb/f /tmp/tb/g; grep hello /tmp/tb/f /tmp/tb/g",
	       "/tmp/tb/g\n/tmp/tb/g:hello\n", 0, 0);
	expect("grep -q beta /tmp/tb/f && echo found", "found\n", 0, 0);
	expect("grep a /tmp/tb/nosuch", "grep: /tmp/tb/nosuch: No such file or directory\n", 2, 1);
	expect("cat /tmp/tb/g - /tmp/tb/g < /tmp/tb/f", "hello\nAlpha\nbeta\ngamma\nhello\n", 0, 0);
	expect("echo -n a; echo b c", "ab c\n", 0, 0);
}

/* expr: arithmetic and precedence, comparisons (integers and strings), | and &, the ':'
 * match (length, or the \(...\) text), its exit statuses (1 null or 0, 2 bad). */
static void expr_utility(void)
{
	expect("expr 1 + 2 \\* 3; expr \\( 1 + 2 \\) \\* 3; expr -7 / 2; expr -7 % 3",
	       "7\n9\n-3\n-1\n", 0, 0);
	expect("expr 10 \\> 9; expr 10 \\> 9a; expr abc \\< abd; expr 3 = 03; expr a != a",
	       "1\n0\n1\n1\n0\n", 1, 0);
	expect("expr 0 \\| x; expr '' \\| 5; expr 3 \\& 0; expr 3 \\& 4", "x\n5\n0\n3\n", 0, 0);
	expect("expr /usr/lib/f.txt : '.*/\\(.*\\)'; expr abcdef : 'a.c'; expr abc : x",
	       "f.txt\n3\n0\n", 1, 0);
	expect("i=4; i=$(expr $i + 1); echo $i; expr 0; echo $?", "5\n0\n1\n", 0, 0);
	expect("expr 1 + a; echo $?; expr 5 / 0; echo $?; expr 1 +; echo $?",
	       "expr: non-integer argument\n2\nexpr: division by zero\n2\nexpr: syntax error: "
	       "missing operand\n2\n",
	       0, 1);
}

static void env_and_status(void)
{
	expect("env -i A=1 B='x y' env", "A=1\nB=x y\n", 0, 0);
	expect("env -i nosuch", "env: nosuch: not found\n", 127, 1);
	expect("true; echo $?; false; echo $?", "0\n1\n", 0, 0);
	expect("time false 2> /tmp/tb/t; echo $?; grep -c instructions /tmp/tb/t", "1\n1\n", 0, 0);
	expect("time nosuch 2> /dev/null", "", 127, 0);
	expect("rm -r /tmp/tb; ls -d /tmp/tb 2> /dev/null", "", 1, 0);
}

int main(void)
{
	files_and_dirs();
	ls_long();
	small_tools();
	text_tools();
	expr_utility();
	env_and_status();
	return test_status();
}
