/*
 * The shell's trap built-in (docs/userland.md, "The shell"): EXIT actions as the shell
 * ends (by the end of the text or by exit, whose status stands), signal actions run
 * between commands with $? kept, "" to ignore, "-" and a number to reset, the listing,
 * conditions by name or number, bad ones, and subshells that do not inherit an action.
 */
#define OUT_FILE "/tmp/test_shell_trap.out"

#include "shell_run.h"

int test_failures;

int main(void)
{
	expect("trap 'echo bye' EXIT; echo hi", "hi\nbye\n", 0, 0);
	expect("trap 'echo bye' 0; exit 3", "bye\n", 3, 0);
	expect("trap 'echo bye; exit 5' EXIT; true", "bye\n", 5, 0); /* exit in the action */
	expect("trap 'echo bye' EXIT; trap - EXIT; echo hi", "hi\n", 0, 0);
	/* A subshell's own EXIT trap runs as it ends ((...) and $(...)); the parent's does not
	 * run there. $$ in a subshell is the shell's pid, so a signal sent to it reaches the
	 * shell's trap (POSIX). */
	expect("trap 'echo parent' EXIT; (trap 'echo sub-exit' EXIT; echo in; exit 4); echo \"out "
	       "$?\"; "
	       "x=$(trap 'echo s2' EXIT; echo v); echo $x",
	       "in\nsub-exit\nout 4\nv s2\nparent\n", 0, 0);
	expect("trap 'echo got USR1' USR1; (kill -USR1 $$); echo after; echo $$ $(echo $$) | "
	       "(read a b; [ $a = $b ] && echo same)",
	       "got USR1\nafter\nsame\n", 0, 0);
	/* a signal to ourselves: the action runs after that command, $? as it was */
	expect("trap 'echo got USR1' USR1; kill -USR1 $$; echo after $?", "got USR1\nafter 0\n", 0,
	       0);
	expect("trap 'echo t; false' TERM; kill -s TERM $$; echo $?", "t\n0\n", 0, 0);
	expect("trap '' USR2; kill -USR2 $$; echo alive", "alive\n", 0, 0); /* ignored */
	expect("trap 'echo x' USR1; trap - USR1; trap; echo none", "none\n", 0, 0);
	expect("trap 'echo x' 30 31; trap 30; trap", "trap -- 'echo x' USR2\n", 0, 0);
	/* the listing: commands that set the traps again, quotes and all */
	expect("trap 'echo it'\"'\"'s' INT; trap '' HUP; trap",
	       "trap -- '' HUP\n"
	       "trap -- 'echo it'\\''s' INT\n",
	       0, 0);
	expect("trap 'echo x' NOSUCH; echo $?", "sh: trap: NOSUCH: bad condition\n1\n", 0, 1);
	expect("trap 'echo x' KILL", "sh: trap: KILL: cannot be caught\n", 1, 1);
	expect("trap 'echo x'", "usage: trap [action condition...]\n", 2, 1);
	expect("kill -l 143; kill -s NOSUCH $$", "TERM\nkill: NOSUCH: no such signal\n", 1, 1);
	expect("trap 'echo outer' EXIT; (echo inner); echo mid", "inner\nmid\nouter\n", 0, 0);
	remove(OUT_FILE);
	return test_status();
}
