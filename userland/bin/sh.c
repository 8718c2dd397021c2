/*
 * sh: the shell. It reads a line (the console's canonical mode edits and echoes it, in
 * the mode the shell puts back before each prompt), and more lines while a compound
 * command or here-document is open; parses the text (shparse.c: lists, pipelines,
 * and-or lists, if/while/until/for/case, redirections and here-documents, quoting), and
 * runs each command: a built-in, a function or a compound command in the shell itself,
 * anything else in a child it forks, which sets up its descriptors and execs the program
 * found through $PATH. Expansion (shparse.c) calls back for variables, assignments and
 * command substitutions, which run in a child writing into a pipe. `sh -c 'text' [arg0
 * args]` runs one text, `sh FILE [args]` a script, and so does `sh` when standard input
 * is not the console. docs/userland.md ("The shell") describes the language.
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/memstat.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "proc.h"
#include "shparse.h"
#include "taskspawn.h"
#include "syscall.h"
#include "threads.h"

#define LINE_MAX_	 1024  /* longer lines are cut */
#define TEXT_MAX	 16384 /* the lines of one compound command or here-document */
#define HEREDOC_MAX	 16384 /* one here-document's body, expanded */
#define ARGS_STORE	 4096  /* one command's expanded words */
#define JOBS_MAX	 16    /* background jobs the shell tracks for reporting */
#define SAVE_FD_MIN	 10    /* where a built-in's redirected descriptors are kept */
#define NAME_MAX_	 64    /* the longest variable name the shell looks up */
#define PATH_MAX_	 256
#define CMD_NAME_MAX	 32    /* a command name as its error lines show it */
#define SUBST_MAX	 16384 /* the output of one command substitution (more is dropped) */
#define FUNCS_MAX	 64    /* functions defined at once */
#define FUNC_DEPTH_MAX	 200   /* function calls nested, and eval and . texts */
#define PROMPT		 "$ "
#define PROMPT2		 "> " /* for the next line of a command not yet complete */
#define DEFAULT_PATH	 "/bin"
#define STATUS_NOT_FOUND 127  /* POSIX: the command was not found */
#define STATUS_NO_EXEC	 126  /* POSIX: found but could not run */
#define STATUS_SYNTAX	 2    /* a syntax error, as other shells report it */
#define STATUS_SIGNAL	 128  /* + the signal number */
#define CH_EOT		 0x04 /* ^D: end of input on an empty line */
#define CH_INTR		 0x03 /* ^C: SIGINT to the foreground job (the kernel takes it) */
#define INTR_BIT	 1
#define CH_BS		 0x08
#define CH_DEL		 0x7f
#define CH_CR		 '\r'
#define CH_LF		 '\n'

static struct sh_line parsed_top; /* the text being run, or a function's body (call_function) */
static struct sh_line *parsed = &parsed_top;
static int last_status;		 /* $? */
static pid_t main_pid;		 /* $$: the shell's own pid, which its subshells keep */
static pid_t last_bg;		 /* $! (0: none yet) */
static int exiting;		 /* the exit built-in ran */
static volatile int interrupted; /* ^C: the lists and loops running stop */
static int loop_depth;		 /* loops running around the command now */
static int skip_loops;		 /* break, continue: loops to leave (the last one goes on) */
static int skip_continue;	 /* continue: the outermost of them goes on to its next round */
static int interactive;		 /* reading typed lines: prompt and echo */
static pid_t jobs[JOBS_MAX];	 /* background jobs not yet reported */
static int job_control;		 /* each job in its own process group, the console's foreground */
static long intr_note = -1;	 /* the notification ^C sets */
static struct termios tty;	 /* the console mode lines are read in (interactive) */
static const char *arg0 = "sh";	 /* $0: the shell, script, or sh -c's first operand */
static int npos;		 /* $#: the positional parameters $1... in pos (our copies) */
static char **pos;
static int subst_status = -1; /* the last command substitution's status, -1: none ran */
static int func_depth;	      /* function calls running */
static int text_depth;	      /* eval and . texts running */
static int opt_errexit;	      /* set -e: a command that fails ends the shell */
static int opt_xtrace;	      /* set -x: each command is written to stderr before it runs */
static int opt_noglob;	      /* set -f: no pathname expansion */
static int cond_depth;	      /* conditions of if, while, until running: -e does not act */
static struct sh_env shenv;   /* what expansion asks of us (below); set -u is its nounset */
static int returning;	      /* the return built-in ran: the function's lists stop */
static int return_status;

/* A function: its name and the text of its compound command, parsed at each call. */
struct func {
	char *name, *body;
};
static struct func funcs[FUNCS_MAX];

/* A command's words after expansion: argv for exec, and its NAME=value prefixes. */
struct command {
	int argc, nassign;
	char *argv[SH_WORDS_MAX + 1];
	char *assign[SH_WORDS_MAX];
	size_t used;
	char store[ARGS_STORE];
};

static void echo(const char *s, size_t n)
{
	if (interactive)
		write(STDOUT_FILENO, s, n);
}

/* ---- reading lines ---------------------------------------------------------------- */

/*
 * Take one character into line (len so far): the new length, or -1 at end. The console
 * edited and echoed a typed line already (canonical mode); a file's control characters
 * are dropped here, and a backspace in it takes one back.
 */
static int edit(char *line, int len, char c)
{
	if (c == CH_BS || c == CH_DEL)
		return len > 0 ? len - 1 : 0;
	if (c == CH_EOT && len == 0)
		return -1;
	if ((unsigned char)c < ' ' && c != '\t')
		return len; /* other control characters */
	if (len >= LINE_MAX_ - 1)
		return len; /* the cut part of a long line */
	line[len] = c;
	return len + 1;
}

/*
 * Read a line from fd into line (NUL-terminated), after prompt: 0, -1 at the end of
 * input, 1 when ^C dropped it. A byte per read, so what is typed after the line stays
 * for the command that runs next.
 */
static int read_line(int fd, char *line, const char *prompt)
{
	int len = 0, got = 0;
	char c;
	if (interactive) {
		tcsetattr(STDIN_FILENO, TCSANOW, &tty); /* whatever the last command left */
		fputs(prompt, stdout);
		fflush(stdout);
	}
	for (;;) {
		if (read(fd, &c, 1) != 1) {
			if (errno == EINTR && job_control) {
				echo("\n", 1); /* ^C at the prompt: the line is dropped */
				return 1;
			}
			if (!got)
				return -1;
			break; /* the last line of a script without its newline */
		}
		got = 1;
		if (c == CH_CR || c == CH_LF)
			break;
		len = edit(line, len, c);
		if (len < 0)
			return -1;
	}
	line[len] = 0;
	return 0;
}

/* ---- expansion -------------------------------------------------------------------- */

/* The value of $name for sh_expand: the special parameters, else the environment. */
/* $$ (POSIX): the pid of the shell that was started (main sets it), also in its
 * subshells, which are only forks of it. */
static pid_t shell_pid(void)
{
	return main_pid ? main_pid : getpid();
}

static const char *lookup(void *ctx, const char *name, size_t len)
{
	static char num[24], key[NAME_MAX_];
	(void)ctx;
	if (len == 1 && (name[0] == '?' || name[0] == '$' || name[0] == '!')) {
		long v = name[0] == '?'	  ? last_status
			 : name[0] == '$' ? (long)shell_pid()
					  : last_bg;
		if (name[0] == '!' && !last_bg)
			return 0;
		snprintf(num, sizeof(num), "%ld", v);
		return num;
	}
	if (len == 1 && name[0] == '#') {
		snprintf(num, sizeof(num), "%d", npos);
		return num;
	}
	if (len == 1 && name[0] == '-') { /* the options set */
		snprintf(num, sizeof(num), "%s%s%s%s", opt_errexit ? "e" : "",
			 opt_noglob ? "f" : "", shenv.nounset ? "u" : "", opt_xtrace ? "x" : "");
		return num;
	}
	if (name[0] >= '0' && name[0] <= '9') { /* $0, and the positional parameters */
		long k = 0;
		for (size_t i = 0; i < len && k <= npos; i++)
			k = k * 10 + (name[i] - '0');
		return k == 0 ? arg0 : k <= npos ? pos[k - 1] : 0;
	}
	if (len >= sizeof(key))
		return 0;
	memcpy(key, name, len);
	key[len] = 0;
	return getenv(key);
}

/*
 * An expansion failed: say why. Any expansion error (${NAME?} of an unset NAME, a bad
 * $((...)) or substitution, a word too long) also ends a shell that is not interactive,
 * with status 1 (POSIX 2.8.1).
 */
static void expansion_error(long err)
{
	fprintf(stderr, "sh: %s\n", sh_strerror((enum sh_status)(-err)));
	if (!interactive) {
		exiting = 1;
		last_status = 1;
	}
}

/*
 * Shell variables live in the environment, so lookups are getenv; the ones not exported
 * are also listed here, and a child drops them before exec (POSIX: only exported
 * variables reach a command's environment). A variable the shell was started with is
 * exported; one it creates is not, until `export`.
 */
static char **unexported;
static int n_unexported, cap_unexported;

static int find_unexported(const char *name)
{
	for (int i = 0; i < n_unexported; i++)
		if (strcmp(unexported[i], name) == 0)
			return i;
	return -1;
}

static void mark_exported(const char *name)
{
	int i = find_unexported(name);
	if (i < 0)
		return;
	free(unexported[i]);
	unexported[i] = unexported[--n_unexported];
}

/* The names readonly made read-only (POSIX: for the rest of the shell's life). */
static char **readonly_names;
static int n_readonly, cap_readonly;

static int is_readonly(const char *name)
{
	for (int i = 0; i < n_readonly; i++)
		if (strcmp(readonly_names[i], name) == 0)
			return 1;
	return 0;
}

/* Make name read-only: 0, or -1 (no memory). */
static int make_readonly(const char *name)
{
	if (is_readonly(name))
		return 0;
	if (n_readonly == cap_readonly) {
		int cap = cap_readonly ? 2 * cap_readonly : 16;
		char **more = realloc(readonly_names, (size_t)cap * sizeof(*more));
		if (!more)
			return -1;
		readonly_names = more;
		cap_readonly = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return -1;
	readonly_names[n_readonly++] = copy;
	return 0;
}

/* Why name could not be set: read-only, or errno's reason. */
static void var_error(const char *name)
{
	if (is_readonly(name))
		fprintf(stderr, "sh: %s: readonly variable\n", name);
	else
		fprintf(stderr, "sh: %s: cannot set (%s)\n", name, strerror(errno));
}

/*
 * Set name to value; a name new to the shell stays out of children's environments. A
 * read-only one is not changed: -1 with EPERM (var_error says so).
 */
static int set_var(const char *name, const char *value)
{
	if (is_readonly(name)) {
		errno = EPERM;
		return -1;
	}
	if (!getenv(name) && find_unexported(name) < 0) {
		if (n_unexported == cap_unexported) {
			int cap = cap_unexported ? 2 * cap_unexported : 16;
			char **more = realloc(unexported, (size_t)cap * sizeof(*more));
			if (!more)
				return -1;
			unexported = more;
			cap_unexported = cap;
		}
		char *copy = strdup(name);
		if (!copy)
			return -1;
		unexported[n_unexported++] = copy;
	}
	return setenv(name, value, 1);
}

/* In a child about to exec: what is not exported goes. */
static void drop_unexported(void)
{
	for (int i = 0; i < n_unexported; i++)
		unsetenv(unexported[i]);
}

/* ${NAME=word}: set the variable (name is len bytes). */
static int assign_var(void *ctx, const char *name, size_t len, const char *value)
{
	char key[NAME_MAX_];
	(void)ctx;
	if (len >= sizeof(key))
		return -1;
	memcpy(key, name, len);
	key[len] = 0;
	return set_var(key, value);
}

static void run_line(const char *text);
static int run_text(char *text);
static void on_sigint(int sig);
static void traps_in_child(void);
static int assign(char *nv);
static void run_traps(void);
static int run_exit_trap(int status);

/* Read what the child writes to fd into out (cap bytes, the rest read and dropped). */
static size_t read_all(int fd, char *out, size_t cap)
{
	static char spill[512];
	size_t n = 0;
	for (;;) {
		char *at = n < cap ? out + n : spill;
		size_t room = n < cap ? cap - n : sizeof(spill);
		ssize_t r = read(fd, at, room);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return n < cap ? n : cap;
		n += (size_t)r;
	}
}

/*
 * $(text) and `text`: run text in a child (a subshell: its variables, functions and
 * directory are its own) with standard output into a pipe; its output, trailing newlines
 * removed; subst_status is its status. 0 if it could not start.
 */
static const char *command_output(void *ctx, const char *text, size_t len)
{
	static char out[SUBST_MAX];
	int fds[2], status = 0;
	(void)ctx;
	fflush(stdout);
	fflush(stderr);
	if (pipe(fds) != 0) {
		fprintf(stderr, "sh: pipe: %s\n", strerror(errno));
		return 0;
	}
	pid_t pid = fork();
	if (pid == 0) {
		char *copy = malloc(len + 1);
		traps_in_child();
		close(fds[0]);
		if (fds[1] != STDOUT_FILENO) {
			dup2(fds[1], STDOUT_FILENO);
			close(fds[1]);
		}
		interactive = job_control = 0;
		if (!copy)
			_exit(STATUS_NO_EXEC);
		memcpy(copy, text, len);
		copy[len] = 0;
		run_line(copy);
		last_status = run_exit_trap(last_status); /* a trap the substitution set */
		fflush(stdout);
		_exit(last_status);
	}
	close(fds[1]);
	if (pid < 0) {
		fprintf(stderr, "sh: fork: %s\n", strerror(errno));
		close(fds[0]);
		return 0;
	}
	size_t n = read_all(fds[0], out, sizeof(out) - 1);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	subst_status = WIFEXITED(status) ? WEXITSTATUS(status) : STATUS_SIGNAL + WTERMSIG(status);
	while (n && out[n - 1] == '\n')
		n--;
	out[n] = 0;
	return out;
}

static struct sh_env shenv = { lookup, assign_var, command_output, 0, 0 }; /* set -u */

/* Expand word w into cmd's store: the string, or 0 (*none set when it expands to no word). */
static char *expand_word(struct command *cmd, struct sh_word w, int *none)
{
	int quoted;
	char *out = cmd->store + cmd->used;
	long n = sh_expand(parsed, w, &shenv, out, sizeof(cmd->store) - cmd->used, &quoted);
	*none = 0;
	if (n < 0) {
		expansion_error(n);
		return 0;
	}
	if (n == 0 && !quoted) {
		*none = 1;
		return 0;
	}
	cmd->used += (size_t)n + 1;
	return out;
}

/* Add s to cmd's arguments (copied into its store): 0, or -1 after printing why. */
static int add_arg(struct command *cmd, const char *s)
{
	size_t len = strlen(s) + 1;
	if (cmd->argc >= SH_WORDS_MAX || len > sizeof(cmd->store) - cmd->used) {
		fprintf(stderr, "sh: too many arguments\n");
		return -1;
	}
	cmd->argv[cmd->argc++] = memcpy(cmd->store + cmd->used, s, len);
	cmd->used += len;
	return 0;
}

/* A field with a wildcard: the paths it matches, sorted; none match: itself (POSIX). */
static int add_matches(struct command *cmd, char *pat)
{
	glob_t g;
	int r = glob(pat, 0, 0, &g);
	if (r != 0) {
		if (r != GLOB_NOMATCH)
			fprintf(stderr, "sh: %s: cannot expand\n", pat);
		sh_unescape(pat);
		return r == GLOB_NOMATCH ? add_arg(cmd, pat) : -1;
	}
	for (size_t i = 0; i < g.gl_pathc && r == 0; i++)
		r = add_arg(cmd, g.gl_pathv[i]);
	globfree(&g);
	return r;
}

/*
 * Word w as arguments: its fields (unquoted expansions split, "$@" one per parameter),
 * each with a wildcard nothing quotes replaced by the paths it matches. 0, or -1 after
 * printing why.
 */
static int add_args(struct command *cmd, struct sh_word w)
{
	static char fields[ARGS_STORE];
	int n;
	long len = sh_fields(parsed, w, &shenv, fields, sizeof(fields), &n);
	if (len < 0) {
		expansion_error(len);
		return -1;
	}
	for (int i = 0, at = 0; i < n; i++) {
		char *f = fields + at;
		at += (int)strlen(f) + 1;
		if (sh_has_wildcard(f) && !opt_noglob) {
			if (add_matches(cmd, f) != 0)
				return -1;
		} else {
			sh_unescape(f);
			if (add_arg(cmd, f) != 0)
				return -1;
		}
	}
	return 0;
}

/* set -x: the command as it will run, on standard error: "+ NAME=value... arg...". */
static void trace(const struct command *cmd)
{
	if (!opt_xtrace || (!cmd->argc && !cmd->nassign))
		return;
	fputs("+", stderr);
	for (int i = 0; i < cmd->nassign; i++)
		fprintf(stderr, " %s", cmd->assign[i]);
	for (int i = 0; i < cmd->argc; i++)
		fprintf(stderr, " %s", cmd->argv[i]);
	fputs("\n", stderr);
	fflush(stderr);
}

/* Expand the words of c into cmd: 0, or -1 after printing why. */
static int expand_command(const struct sh_cmd *c, struct command *cmd)
{
	cmd->argc = cmd->nassign = 0;
	cmd->used = 0;
	for (unsigned i = 0; i < c->nwords; i++) {
		int none;
		struct sh_word w = parsed->words[c->first_word + i];
		if (i >= c->nassign) {
			if (add_args(cmd, w) < 0)
				return -1;
			continue;
		}
		char *s = expand_word(cmd, w, &none);
		if (!s)
			return -1; /* an assignment always has its "NAME=" */
		cmd->assign[cmd->nassign++] = s;
		/* With no command name, each is made before the next is expanded, so
		 * "x=$((x*2)) y=$x" gives y the new x, as in other shells. */
		if (c->nassign == c->nwords && assign(s) != 0)
			return -1;
	}
	cmd->argv[cmd->argc] = 0;
	trace(cmd);
	return 0;
}

/*
 * NAME=value into the environment (name and value split at the first '='). Assigning to
 * a read-only variable ends a shell that is not interactive (POSIX 2.8.1), status 1.
 */
static int assign(char *nv)
{
	char *eq = strchr(nv, '=');
	*eq = 0;
	int r = set_var(nv, eq + 1);
	if (r != 0) {
		var_error(nv);
		if (is_readonly(nv) && !interactive) {
			exiting = 1;
			last_status = 1;
		}
	}
	*eq = '=';
	return r;
}

/* ---- redirections ----------------------------------------------------------------- */

/* The descriptor n<&m or n>&m names (m is digits, or "-": close): m, -2 for "-", or -1. */
static int dup_source(const char *s)
{
	if (strcmp(s, "-") == 0)
		return -2;
	if (!s[0] || s[1] || s[0] < '0' || s[0] > '9')
		return -1;
	return s[0] - '0';
}

/*
 * A here-document's body, expanded, in a file of its own that only the descriptor names
 * (made in /tmp and unlinked at once): the descriptor, or -1 after printing why.
 */
static int heredoc_fd(const struct sh_redir *r)
{
	static char body[HEREDOC_MAX];
	static unsigned made;
	char path[PATH_MAX_];
	long n = sh_heredoc(parsed, r, &shenv, body, sizeof(body));
	if (n < 0) {
		fprintf(stderr, "sh: here-document: %s\n", sh_strerror((enum sh_status)(-n)));
		return -1;
	}
	snprintf(path, sizeof(path), "/tmp/.sh-here-%d-%u", (int)getpid(), made++);
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, body, (size_t)n) != n || lseek(fd, 0, SEEK_SET) != 0) {
		fprintf(stderr, "sh: here-document: %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(path);
		return -1;
	}
	unlink(path);
	return fd;
}

/* Make descriptor r->fd what the redirection says: 0, or -1 after printing why. */
static int redirect(const struct sh_redir *r)
{
	static const int flags[] = {
		[SH_REDIR_IN] = O_RDONLY,
		[SH_REDIR_OUT] = O_WRONLY | O_CREAT | O_TRUNC,
		[SH_REDIR_APPEND] = O_WRONLY | O_CREAT | O_APPEND,
		[SH_REDIR_RDWR] = O_RDWR | O_CREAT,
	};
	char target[PATH_MAX_];
	int quoted, fd;
	if (r->kind == SH_REDIR_HEREDOC) {
		fd = heredoc_fd(r);
		if (fd < 0)
			return -1;
		int ok = fd == r->fd || dup2(fd, r->fd) == r->fd;
		if (fd != r->fd)
			close(fd);
		else
			fcntl(fd, F_SETFD, 0); /* it is the command's now */
		return ok ? 0 : -1;
	}
	long n = sh_expand(parsed, r->target, &shenv, target, sizeof(target), &quoted);
	if (n < 0 || (n == 0 && !quoted)) {
		fprintf(stderr, "sh: %s\n",
			n < 0 ? sh_strerror((enum sh_status)(-n)) : "ambiguous redirect");
		return -1;
	}
	if (r->kind == SH_REDIR_DUP) {
		fd = dup_source(target);
		if (fd == -2)
			return close(r->fd), 0;
		if (fd < 0 || dup2(fd, r->fd) < 0) {
			fprintf(stderr, "sh: %s: bad file descriptor\n", target);
			return -1;
		}
		return 0;
	}
	fd = open(target, flags[r->kind], 0666);
	if (fd < 0) {
		fprintf(stderr, "sh: %s: %s\n", target, strerror(errno));
		return -1;
	}
	if (fd != r->fd) {
		int ok = dup2(fd, r->fd) == r->fd;
		close(fd);
		if (!ok) {
			fprintf(stderr, "sh: %s: %s\n", target, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int redirect_all(const struct sh_cmd *c)
{
	for (unsigned i = 0; i < c->nredirs; i++)
		if (redirect(&parsed->redirs[c->first_redir + i]) != 0)
			return -1;
	return 0;
}

/*
 * A built-in runs in the shell, so its redirections must be undone after it: keep a
 * copy of each descriptor they change (saved[fd]: -1 if it was closed, -2 untouched).
 * Returns 0, or -1 (after printing why) if a copy could not be made.
 */
static int save_fds(const struct sh_cmd *c, int *saved)
{
	for (int fd = 0; fd <= SH_FD_MAX; fd++)
		saved[fd] = -2;
	for (unsigned i = 0; i < c->nredirs; i++) {
		int fd = parsed->redirs[c->first_redir + i].fd;
		if (saved[fd] != -2)
			continue;
		saved[fd] = fcntl(fd, F_DUPFD, SAVE_FD_MIN);
		if (saved[fd] >= 0) {
			fcntl(saved[fd], F_SETFD, FD_CLOEXEC);
		} else if (errno != EBADF) {
			fprintf(stderr, "sh: cannot keep descriptor %d: %s\n", fd, strerror(errno));
			saved[fd] = -2;
			return -1;
		}
	}
	return 0;
}

static void restore_fds(const int *saved)
{
	fflush(stdout);
	fflush(stderr);
	for (int fd = 0; fd <= SH_FD_MAX; fd++) {
		if (saved[fd] == -2)
			continue;
		if (saved[fd] < 0) {
			close(fd);
			continue;
		}
		dup2(saved[fd], fd);
		close(saved[fd]);
	}
}

/* ---- built-ins -------------------------------------------------------------------- */

static const char *const state_names[] = { "free", "run", "zombie" };

/* One PROC_LIST step: the pid, or -1 at the end; *next is where the next one starts. */
static long list_one(uint64_t index, uint64_t *w, uint64_t *next)
{
	struct ipc_msg m = { .tag = ipc_tag(PROC_LIST, 1, 0, 0) };
	m.w[0] = index;
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	if (ipc_call(SLOT_PROC, &m) != 0 || (int64_t)m.w[0] < 0)
		return -1;
	memcpy(w, m.w, 4 * sizeof(*w));
	*next = m.w[4];
	return (long)m.w[0];
}

static int cmd_ps(int argc, char **argv)
{
	uint64_t w[4], next = 0;
	(void)argc, (void)argv;
	printf("  PID  PPID STATE\n");
	while (list_one(next, w, &next) >= 0) {
		const char *st = w[2] < 3 ? state_names[w[2]] : "?";
		printf("%5ld %5ld %s\n", (long)w[0], (long)w[1], st);
	}
	return 0;
}

static int cmd_meminfo(int argc, char **argv)
{
	struct memstat ms;
	(void)argc, (void)argv;
	if (memstat(&ms) != 0) {
		fprintf(stderr, "meminfo: memstat failed\n");
		return 1;
	}
	printf("frames: total %lu, free %lu, shared %lu (%lu KiB free)\n",
	       (unsigned long)ms.total_frames, (unsigned long)ms.free_frames,
	       (unsigned long)ms.shared_frames,
	       (unsigned long)(ms.free_frames * PAGE_BYTES / 1024));
	printf("cow: faults %lu, copies %lu, reuses %lu\n", (unsigned long)ms.cow_faults,
	       (unsigned long)ms.cow_copies, (unsigned long)ms.cow_reuses);
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	(void)argc, (void)argv;
	printf("built-ins: cd [dir], pwd, export [NAME[=value]]..., unset NAME..., wait [pid]...,\n"
	       "  exit [N], help, ps, meminfo, poweroff, :, set [-efux] [-o name] [--] [arg...],\n"
	       "  shift [n], return [n], "
	       "read [-r] NAME..., test EXPR, [ EXPR ], eval [arg...], . file,\n"
	       "  trap, exec [cmd...], command [-pvV] name..., umask [-S] [mask],\n"
	       "  getopts optstring name [arg...], readonly, ulimit, type\n"
	       "programs: ls in /bin; syntax: a | b, a && b, a || b, a; b, a &,\n"
	       "  <file, >file, >>file, 2>file, 2>&1, <<END, 'quotes', \"$VAR\", $?, NAME=value "
	       "cmd,\n"
	       "  if/then/elif/else/fi, while/until/do/done, for NAME in ...; do ...; done, "
	       "case/esac,\n"
	       "  { list; }, ( list ), name() { ...; }, $(cmd), `cmd`, $((1 + 2)), ${x:-y},\n"
	       "  $1 $# \"$@\", set -- args, shift, return\n");
	return 0;
}

static int cmd_poweroff(int argc, char **argv)
{
	(void)argc, (void)argv;
	fflush(stdout);
	sync(); /* /boot's changes to the disk before the power goes */
	SYSCALL(poweroff, SLOT_MACHINE, 0);
	fprintf(stderr, "sh: poweroff: not allowed\n");
	return 1;
}

/* exit [N]: end the shell with N (0-255), or the last command's status. */
static int cmd_exit(int argc, char **argv)
{
	char *end;
	exiting = 1;
	if (argc < 2)
		return last_status;
	long n = strtol(argv[1], &end, 10);
	if (!argv[1][0] || *end) {
		fprintf(stderr, "sh: exit: %s: not a number\n", argv[1]);
		return STATUS_SYNTAX;
	}
	return (int)(n & 0xff);
}

/* cd [dir]: $HOME (or /) without an argument, $OLDPWD for "-"; keeps PWD and OLDPWD. */
/*
 * cd's and pwd's -L and -P (POSIX). The working directory is always the physical one
 * here (getcwd gives no symbolic links, and PWD is set from it), so both are taken and
 * change nothing. The index of the first operand, or -1 (said why) for another option.
 */
static int dir_options(const char *who, int argc, char **argv)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0)
			return i + 1;
		if (strspn(argv[i] + 1, "LP") != strlen(argv[i] + 1)) {
			fprintf(stderr, "sh: %s: %s: bad option\n", who, argv[i]);
			return -1;
		}
	}
	return i;
}

static int cmd_cd(int argc, char **argv)
{
	char old[PATH_MAX_], now[PATH_MAX_] = "";
	int i = dir_options("cd", argc, argv);
	if (i < 0)
		return STATUS_SYNTAX;
	const char *dir = i < argc ? argv[i] : getenv("HOME");
	if (!dir || !*dir)
		dir = "/";
	if (strcmp(dir, "-") == 0 && !(dir = getenv("OLDPWD"))) {
		fprintf(stderr, "sh: cd: OLDPWD not set\n");
		return 1;
	}
	if (!getcwd(old, sizeof(old)))
		old[0] = 0;
	if (chdir(dir) != 0) {
		fprintf(stderr, "sh: cd: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	if (old[0])
		setenv("OLDPWD", old, 1);
	if (getcwd(now, sizeof(now)))
		setenv("PWD", now, 1);
	if (i < argc && strcmp(argv[i], "-") == 0)
		printf("%s\n", now);
	return 0;
}

static int cmd_pwd(int argc, char **argv)
{
	char dir[PATH_MAX_];
	if (dir_options("pwd", argc, argv) < 0)
		return STATUS_SYNTAX;
	if (!getcwd(dir, sizeof(dir))) {
		fprintf(stderr, "sh: pwd: %s\n", strerror(errno));
		return 1;
	}
	printf("%s\n", dir);
	return 0;
}

static int valid_name(const char *s, size_t n)
{
	if (!n || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* Is the environment string e (NAME=value) a variable the shell has not exported? */
static int unexported_entry(const char *e)
{
	for (int i = 0; i < n_unexported; i++) {
		size_t n = strlen(unexported[i]);
		if (strncmp(e, unexported[i], n) == 0 && e[n] == '=')
			return 1;
	}
	return 0;
}

/* export [NAME[=value]]...: the names reach every command run after. */
static int cmd_export(int argc, char **argv)
{
	extern char **environ;
	int status = 0;
	if (argc == 1)
		for (char **e = environ; e && *e; e++)
			if (!unexported_entry(*e))
				printf("export %s\n", *e);
	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		size_t n = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
		if (!valid_name(argv[i], n)) {
			fprintf(stderr, "sh: export: %s: not a valid name\n", argv[i]);
			status = 1;
		} else if (eq) {
			status |= assign(argv[i]) != 0;
			*eq = 0;
			mark_exported(argv[i]);
			*eq = '=';
		} else if (!getenv(argv[i])) {
			status |= setenv(argv[i], "", 1) != 0;
		} else {
			mark_exported(argv[i]);
		}
	}
	return status;
}

/* break [n], continue [n]: leave n loops (all there are, if fewer), or go on with the next
 * round of the nth. Outside a loop nothing happens. */
static int loop_control(int argc, char **argv, int go_on)
{
	long n = 1;
	if (argc > 1) {
		char *end;
		n = strtol(argv[1], &end, 10);
		if (!argv[1][0] || *end || n < 1) {
			fprintf(stderr, "sh: %s: %s: bad count\n", argv[0], argv[1]);
			return 1;
		}
	}
	if (loop_depth) {
		skip_loops = n > loop_depth ? loop_depth : (int)n;
		skip_continue = go_on;
	}
	return 0;
}

static int cmd_break(int argc, char **argv)
{
	return loop_control(argc, argv, 0);
}

static int cmd_continue(int argc, char **argv)
{
	return loop_control(argc, argv, 1);
}

/* ":": nothing, successfully (a loop's "while :"). */
static int cmd_colon(int argc, char **argv)
{
	(void)argc, (void)argv;
	return 0;
}

static struct func *find_function(const char *name)
{
	for (int i = 0; i < FUNCS_MAX; i++)
		if (funcs[i].name && strcmp(funcs[i].name, name) == 0)
			return &funcs[i];
	return 0;
}

static void forget_function(struct func *f)
{
	free(f->name);
	free(f->body);
	f->name = f->body = 0;
}

/* unset [-fv] NAME...: variables (-v, the default) or functions (-f). */
static int cmd_unset(int argc, char **argv)
{
	int i = 1, funcs_only = 0, status = 0;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "-v") == 0) {
			funcs_only = argv[i][1] == 'f';
		} else {
			fprintf(stderr, "sh: unset: %s: bad option\n", argv[i]);
			return STATUS_SYNTAX;
		}
	}
	for (; i < argc; i++) {
		struct func *f = find_function(argv[i]);
		if (funcs_only && f)
			forget_function(f);
		else if (!funcs_only && is_readonly(argv[i])) {
			fprintf(stderr, "sh: unset: %s: readonly variable\n", argv[i]);
			status = 1;
		} else if (!funcs_only) {
			unsetenv(argv[i]);
			mark_exported(argv[i]); /* forgotten: a later one starts unexported */
		}
	}
	return status;
}

/*
 * readonly [-p] [NAME[=value]]... (a special built-in): set and make read-only; a
 * read-only variable can then be neither set nor unset. Without names (or with -p) the
 * read-only variables are listed as commands that would make them again.
 */
static int cmd_readonly(int argc, char **argv)
{
	int i = 1 + (argc > 1 && strcmp(argv[1], "-p") == 0), status = 0;
	if (i >= argc) {
		for (int k = 0; k < n_readonly; k++) {
			const char *v = getenv(readonly_names[k]);
			printf("readonly %s", readonly_names[k]);
			if (v) {
				printf("='");
				for (; *v; v++) /* a quote in the value: end, escaped, open again */
					if (*v == '\'')
						fputs("'\\''", stdout);
					else
						putchar(*v);
				printf("'");
			}
			printf("\n");
		}
		return 0;
	}
	for (; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		size_t n = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
		if (!valid_name(argv[i], n)) {
			fprintf(stderr, "sh: readonly: %s: not a valid name\n", argv[i]);
			status = 1;
			continue;
		}
		if (eq && assign(argv[i]) != 0) {
			status = 1;
			continue;
		}
		if (eq)
			*eq = 0;
		if (make_readonly(argv[i]) != 0) {
			fprintf(stderr, "sh: readonly: %s\n", strerror(ENOMEM));
			status = 1;
		}
		if (eq)
			*eq = '=';
	}
	return status;
}

/* The positional parameters become args[0..n) (copied): 0, or -1 with the old ones kept. */
static int set_params(int n, char *const *args)
{
	char **v = calloc((size_t)n + 1, sizeof(*v));
	for (int i = 0; v && i < n; i++) {
		if (!(v[i] = strdup(args[i]))) {
			while (i-- > 0)
				free(v[i]);
			free(v);
			v = 0;
		}
	}
	if (!v) {
		fprintf(stderr, "sh: %s\n", strerror(ENOMEM));
		return -1;
	}
	for (int i = 0; i < npos; i++)
		free(pos[i]);
	free(pos);
	pos = v;
	npos = n;
	return 0;
}

/* The -o names of the options there are (POSIX), and their letters. */
static const struct {
	const char *name;
	char letter;
} long_options[] = { { "errexit", 'e' }, { "noglob", 'f' }, { "nounset", 'u' }, { "xtrace", 'x' } };

/* The flag behind option letter c, or 0. */
static int *option_flag(char c)
{
	return c == 'u'	  ? &shenv.nounset
	       : c == 'e' ? &opt_errexit
	       : c == 'x' ? &opt_xtrace
	       : c == 'f' ? &opt_noglob
			  : 0;
}

/* set -o alone: each option, on or off; set +o alone: the commands that set them so. */
static void list_options(int as_commands)
{
	for (size_t k = 0; k < sizeof(long_options) / sizeof(long_options[0]); k++) {
		int on = *option_flag(long_options[k].letter);
		if (as_commands)
			printf("set %co %s\n", on ? '-' : '+', long_options[k].name);
		else
			printf("%-12s%s\n", long_options[k].name, on ? "on" : "off");
	}
}

/* set -o name or +o name: 0, or STATUS_SYNTAX for a name there is no option for. */
static int set_long_option(const char *name, int on)
{
	for (size_t k = 0; k < sizeof(long_options) / sizeof(long_options[0]); k++) {
		if (strcmp(long_options[k].name, name) == 0) {
			*option_flag(long_options[k].letter) = on;
			return 0;
		}
	}
	fprintf(stderr, "sh: set: %s: unknown option\n", name);
	return STATUS_SYNTAX;
}

/*
 * set [-efux] [+efux] [-o name] [+o name] [--] [arg...]: options on (-) or off (+), by
 * letter or by name (set -o and set +o alone list them); the operands after them
 * become $1... (after "--", none too); without any operand, the variables are listed.
 */
static int cmd_set(int argc, char **argv)
{
	extern char **environ;
	int i = 1;
	if (argc == 1) {
		for (char **e = environ; e && *e; e++)
			printf("%s\n", *e);
		return 0;
	}
	for (; i < argc && (argv[i][0] == '-' || argv[i][0] == '+') && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		for (const char *o = argv[i] + 1; *o; o++) {
			if (*o == 'o') { /* -o name, +o name; alone, a listing */
				if (i + 1 >= argc) {
					list_options(argv[i][0] == '+');
					return 0;
				}
				int on = argv[i][0] == '-';
				if (set_long_option(argv[++i], on) != 0)
					return STATUS_SYNTAX;
				break;
			}
			int *opt = option_flag(*o);
			if (!opt) {
				fprintf(stderr, "sh: set: -%c: unknown option\n", *o);
				return STATUS_SYNTAX;
			}
			*opt = argv[i][0] == '-';
		}
	}
	if (i == argc && strcmp(argv[i - 1], "--") != 0)
		return 0; /* only options: the parameters stay */
	return set_params(argc - i, argv + i) == 0 ? 0 : 1;
}

/* shift [n]: $n+1... become $1...; n past $# is an error (status 1, nothing moves). */
static int cmd_shift(int argc, char **argv)
{
	char *end;
	long n = argc > 1 ? strtol(argv[1], &end, 10) : 1;
	if (argc > 1 && (!argv[1][0] || *end || n < 0)) {
		fprintf(stderr, "sh: shift: %s: bad count\n", argv[1]);
		return STATUS_SYNTAX;
	}
	if (n > npos) {
		fprintf(stderr, "sh: shift: %ld: past the %d parameters\n", n, npos);
		return 1;
	}
	for (long i = 0; i < n; i++)
		free(pos[i]);
	memmove(pos, pos + n, (size_t)(npos - n + 1) * sizeof(*pos));
	npos -= (int)n;
	return 0;
}

/* ---- read ----------------------------------------------------------------------------- */

/*
 * One line of standard input into line (cap bytes), a byte per read so that what follows
 * stays for the next reader. Without raw, a backslash quotes the next byte (kept, marked
 * in quoted[]) and a backslash-newline joins lines. 1 at end of input before any byte.
 */
static int read_input_line(char *line, char *quoted, size_t cap, int raw, size_t *len)
{
	int got = 0, escaped = 0;
	char c;
	*len = 0;
	for (;;) {
		ssize_t r = read(STDIN_FILENO, &c, 1);
		if (r < 0 && errno == EINTR && !interrupted)
			continue;
		if (r != 1)
			return !got;
		got = 1;
		int was_escaped = escaped;
		escaped = 0;
		if (was_escaped && c == '\n')
			continue; /* a backslash-newline joins the lines */
		if (!was_escaped && !raw && c == '\\') {
			escaped = 1;
			continue;
		}
		if (!was_escaped && c == '\n')
			return 0;
		if (*len + 1 < cap) {
			quoted[*len] = (char)was_escaped;
			line[(*len)++] = c;
		}
	}
}

/* Is c one of $IFS's characters (space, tab and newline when IFS is unset)? */
static int is_ifs(char c)
{
	const char *ifs = getenv("IFS");
	return c && strchr(ifs ? ifs : " \t\n", c);
}

/* Is c one of $IFS's white space characters? */
static int is_ifs_space(char c)
{
	return (c == ' ' || c == '\t' || c == '\n') && is_ifs(c);
}

/* Past the IFS white space at line[at] (only unquoted characters separate). */
static size_t skip_ifs_space(const char *line, const char *quoted, size_t at, size_t len)
{
	while (at < len && !quoted[at] && is_ifs_space(line[at]))
		at++;
	return at;
}

/*
 * read [-r] NAME...: a line of standard input split at $IFS into the names in turn (as
 * field splitting does: white space runs, or one other IFS character with the white
 * space around it, separate), the last one taking the rest (its leading and trailing IFS
 * white space removed). 0, or 1 at end of input (the names are still set from what was
 * read).
 */
static int cmd_read(int argc, char **argv)
{
	static char line[LINE_MAX_ * 4], quoted[LINE_MAX_ * 4];
	int i = 1, raw = 0, status = 0;
	size_t len, at = 0;
	if (i < argc && strcmp(argv[i], "-r") == 0)
		raw = 1, i++;
	if (i >= argc) {
		fprintf(stderr, "sh: read: a variable name is needed\n");
		return STATUS_SYNTAX;
	}
	for (int k = i; k < argc; k++) {
		if (!valid_name(argv[k], strlen(argv[k]))) {
			fprintf(stderr, "sh: read: %s: not a valid name\n", argv[k]);
			return STATUS_SYNTAX;
		}
	}
	fflush(stdout);
	if (read_input_line(line, quoted, sizeof(line), raw, &len) != 0)
		status = 1;
	line[len] = 0;
	for (; i < argc; i++) {
		at = skip_ifs_space(line, quoted, at, len);
		size_t start = at, end;
		if (i == argc - 1) {
			end = len;
			while (end > start && !quoted[end - 1] && is_ifs_space(line[end - 1]))
				end--;
			at = len;
		} else {
			while (at < len && (quoted[at] || !is_ifs(line[at])))
				at++;
			end = at;
			at = skip_ifs_space(line, quoted, at, len);
			if (at < len && !quoted[at] && is_ifs(line[at])) /* one other separator */
				at = skip_ifs_space(line, quoted, at + 1, len);
		}
		char saved = line[end];
		line[end] = 0;
		if (set_var(argv[i], line + start) != 0) {
			var_error(argv[i]);
			status = 2;
		}
		line[end] = saved;
	}
	return status;
}

/* ---- test and [ -------------------------------------------------------------------- */

/* One evaluation of test's operands: the words, where it is, and whether it went wrong. */
struct test_eval {
	char **arg;
	int n, i, err;
};

static int test_is(const struct test_eval *t, int at, const char *s)
{
	return at < t->n && strcmp(t->arg[at], s) == 0;
}

static int test_binary_op(const char *s)
{
	static const char *const ops[] = { "=", "!=", "-eq", "-ne", "-gt", "-ge", "-lt", "-le" };
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(ops[i], s) == 0)
			return 1;
	return 0;
}

/* A decimal integer operand, or an error (status 2). */
static long test_int(struct test_eval *t, const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno) {
		fprintf(stderr, "sh: test: %s: integer expected\n", s);
		t->err = 1;
	}
	return v;
}

static int test_binary(struct test_eval *t, const char *a, const char *op, const char *b)
{
	if (op[0] != '-')
		return (strcmp(a, b) == 0) == (op[0] == '=');
	long x = test_int(t, a), y = test_int(t, b);
	switch (op[1] == 'e'   ? 'e'
		: op[1] == 'n' ? 'n'
		: op[1] == 'g' ? (op[2] == 't' ? 'g' : 'G')
			       : (op[2] == 't' ? 'l' : 'L')) {
	case 'e':
		return x == y;
	case 'n':
		return x != y;
	case 'g':
		return x > y;
	case 'G':
		return x >= y;
	case 'l':
		return x < y;
	default:
		return x <= y;
	}
}

/* -X path (or string, fd): 1, 0, or -1 when X is no unary operator. */
static int test_unary(const char *op, const char *s)
{
	struct stat st;
	if (op[0] != '-' || !op[1] || op[2])
		return -1;
	switch (op[1]) {
	case 'n':
		return s[0] != 0;
	case 'z':
		return s[0] == 0;
	case 't':
		return isatty(atoi(s));
	case 'r':
		return access(s, R_OK) == 0;
	case 'w':
		return access(s, W_OK) == 0;
	case 'x':
		return access(s, X_OK) == 0;
	case 'h':
	case 'L':
		return lstat(s, &st) == 0 && S_ISLNK(st.st_mode);
	}
	if (!strchr("ebcdfgpsSu", op[1]))
		return -1;
	if (stat(s, &st) != 0)
		return 0;
	switch (op[1]) {
	case 'b':
		return S_ISBLK(st.st_mode);
	case 'c':
		return S_ISCHR(st.st_mode);
	case 'd':
		return S_ISDIR(st.st_mode);
	case 'f':
		return S_ISREG(st.st_mode);
	case 'g':
		return (st.st_mode & S_ISGID) != 0;
	case 'p':
		return S_ISFIFO(st.st_mode);
	case 's':
		return st.st_size > 0;
	case 'S':
		return S_ISSOCK(st.st_mode);
	case 'u':
		return (st.st_mode & S_ISUID) != 0;
	default: /* e */
		return 1;
	}
}

static int test_or(struct test_eval *t);

/* ( expr ), a binary or unary test, or a string (true if not empty). */
static int test_primary(struct test_eval *t)
{
	if (t->i >= t->n) {
		fprintf(stderr, "sh: test: argument expected\n");
		t->err = 1;
		return 0;
	}
	char **a = t->arg + t->i;
	if (t->i + 2 < t->n && test_binary_op(a[1])) {
		t->i += 3;
		return test_binary(t, a[0], a[1], a[2]);
	}
	if (test_is(t, t->i, "(") && t->i + 1 < t->n) {
		t->i++;
		int v = test_or(t);
		if (!test_is(t, t->i, ")")) {
			fprintf(stderr, "sh: test: ')' expected\n");
			t->err = 1;
		}
		t->i++;
		return v;
	}
	if (t->i + 1 < t->n) {
		int v = test_unary(a[0], a[1]);
		if (v >= 0) {
			t->i += 2;
			return v;
		}
	}
	t->i++;
	return a[0][0] != 0;
}

static int test_not(struct test_eval *t)
{
	if (test_is(t, t->i, "!") && t->i + 1 < t->n) {
		t->i++;
		return !test_not(t);
	}
	return test_primary(t);
}

static int test_and(struct test_eval *t)
{
	int v = test_not(t);
	while (!t->err && test_is(t, t->i, "-a")) {
		t->i++;
		v = test_not(t) && v;
	}
	return v;
}

static int test_or(struct test_eval *t)
{
	int v = test_and(t);
	while (!t->err && test_is(t, t->i, "-o")) {
		t->i++;
		v = test_and(t) || v;
	}
	return v;
}

/*
 * test expr, [ expr ]: 0 true, 1 false, 2 an error. Strings (-n, -z, =, !=), integers
 * (-eq, -ne, -gt, -ge, -lt, -le), files (-e, -f, -d, -s, -r, -w, -x, -h, -L, -p, -S, -b,
 * -c, -u, -g), -t fd, !, -a, -o and ( ). No operand is false, one is true if not empty.
 */
static int cmd_test(int argc, char **argv)
{
	struct test_eval t = { argv + 1, argc - 1, 0, 0 };
	if (strcmp(argv[0], "[") == 0) {
		if (argc < 2 || strcmp(argv[argc - 1], "]") != 0) {
			fprintf(stderr, "sh: [: missing ]\n");
			return 2;
		}
		t.n--;
	}
	if (t.n == 0)
		return 1;
	int v = test_or(&t);
	if (!t.err && t.i < t.n) {
		fprintf(stderr, "sh: test: %s: unexpected operand\n", t.arg[t.i]);
		t.err = 1;
	}
	return t.err ? 2 : !v;
}

/* eval [arg...]: the operands joined by spaces, run as shell text here. */
static int cmd_eval(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *text = malloc(len);
	if (!text) {
		fprintf(stderr, "sh: eval: %s\n", strerror(ENOMEM));
		return 1;
	}
	text[0] = 0;
	for (int i = 1; i < argc; i++) {
		strcat(text, argv[i]);
		if (i < argc - 1)
			strcat(text, " ");
	}
	int status = run_text(text);
	free(text);
	return status;
}

/* Where . finds file: as it is with a '/', else the first readable one in $PATH. */
static int dot_path(const char *file, char *path, size_t size)
{
	const char *d = getenv("PATH");
	if (strchr(file, '/'))
		return snprintf(path, size, "%s", file) < (int)size ? 0 : -1;
	for (d = d ? d : DEFAULT_PATH; d;) {
		const char *colon = strchr(d, ':');
		int n = colon ? (int)(colon - d) : (int)strlen(d);
		if (snprintf(path, size, "%.*s/%s", n, n ? d : ".", file) < (int)size &&
		    access(path, R_OK) == 0)
			return 0;
		d = colon ? colon + 1 : 0;
	}
	return -1;
}

/* . file: its commands run in this shell (its whole text at once, up to SH_TEXT_MAX). */
static int cmd_dot(int argc, char **argv)
{
	char path[PATH_MAX_];
	struct stat st;
	if (argc < 2) {
		fprintf(stderr, "sh: .: a file name is needed\n");
		return STATUS_SYNTAX;
	}
	int fd = dot_path(argv[1], path, sizeof(path)) == 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	size_t size = fd >= 0 && fstat(fd, &st) == 0 && st.st_size <= SH_TEXT_MAX
			      ? (size_t)st.st_size
			      : SH_TEXT_MAX;
	char *text = fd >= 0 ? malloc(size + 1) : 0;
	size_t n = text ? read_all(fd, text, size) : 0;
	if (fd >= 0)
		close(fd);
	if (!text) {
		fprintf(stderr, "sh: .: %s: %s\n", argv[1],
			fd < 0 ? "not found" : strerror(ENOMEM));
		if (!interactive)
			exiting = 1; /* POSIX: a special built-in's error ends a script */
		return fd < 0 ? STATUS_NOT_FOUND : 1;
	}
	text[n] = 0;
	int status = run_text(text);
	free(text);
	return status;
}

/* return [n]: leave the function running with n, or the last command's status. */
static int cmd_return(int argc, char **argv)
{
	char *end;
	if (!func_depth) {
		fprintf(stderr, "sh: return: not in a function\n");
		return 1;
	}
	long n = argc > 1 ? strtol(argv[1], &end, 10) : last_status;
	if (argc > 1 && (!argv[1][0] || *end)) {
		fprintf(stderr, "sh: return: %s: not a number\n", argv[1]);
		n = STATUS_SYNTAX;
	}
	returning = 1;
	return_status = (int)(n & 0xff);
	return return_status;
}

/* The status $? shows for a wait status, telling how a command died when it did. */
static int exit_code(const char *name, int status)
{
	if (WIFSIGNALED(status)) {
		/* Not for SIGPIPE (a pipeline's writer ends so when its reader is done) nor
		 * SIGINT (^C: the person typing knows): a new line only, as shells do. */
		if (WTERMSIG(status) == SIGINT) {
			echo("\n", 1);
			interrupted = 1; /* and the loop or list it ran in stops */
		} else if (WTERMSIG(status) != SIGPIPE)
			fprintf(stderr, "sh: %s: killed by signal %d (%s)\n", name,
				WTERMSIG(status), strsignal(WTERMSIG(status)));
		return STATUS_SIGNAL + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}

/* Forget a background job (it was waited for). */
static void job_done(pid_t pid)
{
	for (int i = 0; i < JOBS_MAX; i++)
		if (jobs[i] == pid)
			jobs[i] = 0;
}

/* wait [pid]...: the last one's status (127 if it is not our child); all jobs without one. */
static int cmd_wait(int argc, char **argv)
{
	int status = 0, r = 0;
	pid_t pid;
	if (argc == 1) {
		while ((pid = waitpid(-1, &status, 0)) > 0)
			job_done(pid);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		pid = (pid_t)atoi(argv[i]);
		if (pid <= 0 || waitpid(pid, &status, 0) != pid) {
			r = STATUS_NOT_FOUND;
			continue;
		}
		job_done(pid);
		r = exit_code(argv[i], status);
	}
	return r;
}

/* ---- trap --------------------------------------------------------------------------- */

static char *traps[NSIG];		/* a condition's action; NULL: the default */
static volatile uint64_t traps_pending; /* signals caught, their actions not yet run */
static int in_trap;			/* an action runs: a signal then waits for it */

static void on_trapped(int sig)
{
	__atomic_or_fetch(&traps_pending, 1ULL << sig, __ATOMIC_SEQ_CST);
}

/* A condition's number: EXIT or 0, or a signal's name without SIG or its number
 * (str2sig); -1 for none. */
static int trap_condition(const char *w)
{
	int sig;
	if (strcmp(w, "0") == 0 || strcmp(w, "EXIT") == 0)
		return 0;
	return str2sig(w, &sig) == 0 ? sig : -1;
}

/* What the shell itself does with sig when no trap is set. */
static void trap_default(int sig)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = sig == SIGINT && job_control ? on_sigint : SIG_DFL;
	sigaction(sig, &sa, 0);
}

/* Set condition sig's action: NULL the default, "" ignored, else a command text. */
static int trap_set(int sig, const char *action)
{
	char *copy = action ? strdup(action) : 0;
	if (action && !copy)
		return -1;
	free(traps[sig]);
	traps[sig] = copy;
	if (sig == 0)
		return 0;
	if (!action) {
		trap_default(sig);
		return 0;
	}
	struct sigaction sa = { 0 };
	sa.sa_handler = *action ? on_trapped : SIG_IGN;
	sa.sa_flags = SA_RESTART; /* a command the shell waits for finishes first (POSIX) */
	return sigaction(sig, &sa, 0);
}

/*
 * A child that goes on as a shell (a subshell, a pipeline's part, a substitution) or
 * execs: caught conditions go back to the default, ignored ones stay ignored (POSIX).
 */
static void traps_in_child(void)
{
	for (int sig = 0; sig < NSIG; sig++)
		if (traps[sig] && *traps[sig])
			trap_set(sig, 0);
	traps_pending = 0;
}

/* Run the actions of the signals caught since the last look, $? kept (POSIX). */
static void run_traps(void)
{
	while (traps_pending && !in_trap) {
		int sig = __builtin_ctzll(traps_pending);
		__atomic_and_fetch(&traps_pending, ~(1ULL << sig), __ATOMIC_SEQ_CST);
		char *text = traps[sig] && *traps[sig] ? strdup(traps[sig]) : 0;
		if (!text)
			continue;
		int status = last_status;
		in_trap = 1;
		run_text(text);
		in_trap = 0;
		free(text);
		if (!exiting)
			last_status = status;
	}
}

/* The EXIT condition's action, once, as the shell ends: the status it ends with. */
static int run_exit_trap(int status)
{
	char *text = traps[0];
	if (!text || !*text || in_trap)
		return status;
	traps[0] = 0;
	last_status = status;
	exiting = 0;
	in_trap = 1;
	run_text(text);
	in_trap = 0;
	free(text);
	fflush(stdout);
	return exiting ? last_status : status; /* an exit in the action decides */
}

static void trap_list(void)
{
	for (int sig = 0; sig < NSIG; sig++) {
		if (!traps[sig])
			continue;
		printf("trap -- '");
		for (const char *c = traps[sig]; *c; c++)
			fputs(*c == '\'' ? "'\\''" : (char[]){ *c, 0 }, stdout);
		char name[SIG2STR_MAX] = "EXIT";
		if (sig)
			sig2str(sig, name);
		printf("' %s\n", name);
	}
}

/*
 * trap [action condition...]: run action (a command text) when a condition comes: EXIT
 * as the shell ends, a signal when it is caught, between commands. "-" (or a first
 * operand that is a number) resets the conditions to the default, "" ignores them.
 * Without operands: the traps set, as commands that would set them again.
 */
static int cmd_trap(int argc, char **argv)
{
	int status = 0, first = 1;
	if (argc > 1 && strcmp(argv[1], "--") == 0)
		first = 2;
	if (argc <= first) {
		trap_list();
		return 0;
	}
	/* "-", or a first condition that is a number: the conditions go back to the default */
	const char *a = argv[first];
	int numeric = *a && strspn(a, "0123456789") == strlen(a);
	int reset = numeric || strcmp(a, "-") == 0;
	const char *action = reset ? 0 : a;
	if (argc == first + 1 && !numeric) {
		fprintf(stderr, "usage: trap [action condition...]\n");
		return STATUS_SYNTAX;
	}
	for (int i = numeric ? first : first + 1; i < argc; i++) {
		int sig = trap_condition(argv[i]);
		if (sig < 0 || sig == SIGKILL || sig == SIGSTOP) {
			fprintf(stderr, "sh: trap: %s: %s\n", argv[i],
				sig < 0 ? "bad condition" : "cannot be caught");
			status = 1;
			continue;
		}
		if (trap_set(sig, action) != 0) {
			fprintf(stderr, "sh: trap: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
	}
	return status;
}

/* ---- exec, command, umask, getopts ------------------------------------------------ */

struct builtin {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static int keep_redirections; /* set by `exec` alone: run_here leaves its redirections on */
static const struct builtin *table_builtin(const char *name);

/*
 * exec [command [arg...]] (a special built-in): with no command its redirections stay
 * in effect for the shell (run_here sees keep_redirections); with one, the shell
 * becomes it (the descriptors kept for undoing are close-on-exec and vanish). A command
 * that cannot run ends a shell that is not interactive: 127 not found, 126 else.
 */
static int cmd_exec(int argc, char **argv)
{
	if (argc < 2) {
		keep_redirections = 1;
		return 0;
	}
	fflush(stdout);
	fflush(stderr);
	drop_unexported();
	execvp(argv[1], argv + 1);
	int e = errno;
	fprintf(stderr, "sh: exec: %s: %s\n", argv[1], e == ENOENT ? "not found" : strerror(e));
	if (!interactive)
		exiting = 1;
	return e == ENOENT ? STATUS_NOT_FOUND : STATUS_NO_EXEC;
}

/* The words the shell's grammar reserves (command -v names them as they are). */
static int is_reserved(const char *w)
{
	static const char *const words[] = { "if",   "then", "else", "elif",  "fi",    "do",
					     "done", "case", "esac", "while", "until", "for",
					     "{",    "}",    "!",    "in" };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(words[i], w) == 0)
			return 1;
	return 0;
}

/* name through $PATH (or the standard path, for -p) into out: 1 if an executable file. */
static int path_search(const char *name, int standard, char *out, size_t n)
{
	const char *dirs = standard ? 0 : getenv("PATH");
	struct stat st;
	if (strchr(name, '/')) {
		snprintf(out, n, "%s", name);
		return stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0;
	}
	for (const char *d = dirs ? dirs : "/bin"; d;) {
		const char *colon = strchr(d, ':');
		int len = colon ? (int)(colon - d) : (int)strlen(d);
		snprintf(out, n, "%.*s/%s", len, len ? d : ".", name);
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0)
			return 1;
		d = colon ? colon + 1 : 0;
	}
	return 0;
}

/* command -v or -V name (and type, who): say what the shell would run; 0, or 1 if nothing. */
static int describe(const char *who, const char *name, int verbose, int standard)
{
	char path[PATH_MAX_];
	const char *what = is_reserved(name)				     ? "a reserved word"
			   : find_function(name)			     ? "a function"
			   : table_builtin(name)			     ? "a shell builtin"
			   : path_search(name, standard, path, sizeof(path)) ? path
									     : 0;
	if (!what) {
		if (verbose)
			fprintf(stderr, "sh: %s: %s: not found\n", who, name);
		return 1;
	}
	if (!verbose)
		printf("%s\n", what == path ? path : name);
	else if (what == path)
		printf("%s is %s\n", name, path);
	else
		printf("%s is %s\n", name, what);
	return 0;
}

/*
 * command [-p] [-v|-V] name [arg...]: -v and -V say what name is; otherwise run it, a
 * built-in or a program but never a function of that name (POSIX), -p with the
 * standard path.
 */
static int cmd_command(int argc, char **argv)
{
	int i = 1, verbose = -1, standard = 0;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		for (const char *o = argv[i] + 1; *o; o++) {
			if (*o == 'v' || *o == 'V') {
				verbose = *o == 'V';
			} else if (*o == 'p') {
				standard = 1;
			} else {
				fprintf(stderr, "sh: command: -%c: unknown option\n", *o);
				return STATUS_SYNTAX;
			}
		}
	}
	if (i >= argc)
		return 0;
	if (verbose >= 0)
		return describe("command", argv[i], verbose, standard);
	const struct builtin *b = table_builtin(argv[i]);
	if (b)
		return b->fn(argc - i, argv + i);
	char path[PATH_MAX_];
	if (!path_search(argv[i], standard, path, sizeof(path))) {
		fprintf(stderr, "sh: %s: not found\n", argv[i]);
		return STATUS_NOT_FOUND;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		traps_in_child();
		drop_unexported();
		execv(path, argv + i);
		fprintf(stderr, "sh: %s: %s\n", argv[i], strerror(errno));
		_exit(STATUS_NO_EXEC);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		fprintf(stderr, "sh: command: %s\n", strerror(errno));
		return STATUS_NO_EXEC;
	}
	return exit_code(argv[i], status);
}

#define UMASK_BITS 0777

/* A symbolic mode for umask (POSIX chmod's, [ugoa]*[+-=][rwx]*, comma-separated) applied
 * to the permissions the mask lets through, old: the new mask, or -1. */
static int symbolic_umask(const char *s, mode_t old)
{
	mode_t allowed = ~old & UMASK_BITS;
	while (*s) {
		mode_t who = 0, perm = 0;
		for (; strchr("ugoa", *s) && *s; s++)
			who |= *s == 'u' ? 0700 : *s == 'g' ? 0070 : *s == 'o' ? 0007 : 0777;
		who = who ? who : 0777;
		char op = *s++;
		if (op != '+' && op != '-' && op != '=')
			return -1;
		for (; *s && *s != ','; s++) {
			if (!strchr("rwx", *s))
				return -1;
			perm |= *s == 'r' ? 0444 : *s == 'w' ? 0222 : 0111;
		}
		perm &= who;
		allowed = op == '+'   ? allowed | perm
			  : op == '-' ? allowed & ~perm
				      : (allowed & ~who) | perm;
		if (*s == ',')
			s++;
	}
	return (int)(~allowed & UMASK_BITS);
}

/* umask [-S] [mask]: show the mask (octal, or -S symbolic: what it lets through) or set it. */
static int cmd_umask(int argc, char **argv)
{
	int symbolic = argc > 1 && strcmp(argv[1], "-S") == 0, i = 1 + symbolic;
	mode_t old = umask(0);
	umask(old);
	if (i >= argc) {
		if (!symbolic) {
			printf("%04o\n", (unsigned)old);
			return 0;
		}
		mode_t a = ~old & UMASK_BITS;
		char out[3][4];
		for (int k = 0; k < 3; k++) {
			int sh = 6 - 3 * k, n = 0;
			if (a >> sh & 4)
				out[k][n++] = 'r';
			if (a >> sh & 2)
				out[k][n++] = 'w';
			if (a >> sh & 1)
				out[k][n++] = 'x';
			out[k][n] = 0;
		}
		printf("u=%s,g=%s,o=%s\n", out[0], out[1], out[2]);
		return 0;
	}
	char *end;
	long v = strtol(argv[i], &end, 8);
	int mask = argv[i][0] >= '0' && argv[i][0] <= '7'
			   ? (*end || v < 0 || v > UMASK_BITS ? -1 : (int)v)
			   : symbolic_umask(argv[i], old);
	if (mask < 0) {
		fprintf(stderr, "sh: umask: %s: bad mask\n", argv[i]);
		return 1;
	}
	umask((mode_t)mask);
	return 0;
}

/* type name... (XSI): what each name is, as command -V says it; status 1 if one is nothing. */
static int cmd_type(int argc, char **argv)
{
	int status = 0;
	for (int i = 1; i < argc; i++)
		status |= describe("type", argv[i], 1, 0);
	return status;
}

/* ulimit's limits: its option, the resource, the unit the number counts, and a label. */
static const struct {
	char opt;
	int resource;
	rlim_t unit;
	const char *label;
} ulimits[] = {
	{ 'c', RLIMIT_CORE, 512, "core file size (blocks)" },
	{ 'd', RLIMIT_DATA, 1024, "data size (kbytes)" },
	{ 'f', RLIMIT_FSIZE, 512, "file size (blocks)" },
	{ 'n', RLIMIT_NOFILE, 1, "open files" },
	{ 's', RLIMIT_STACK, 1024, "stack size (kbytes)" },
	{ 't', RLIMIT_CPU, 1, "cpu time (seconds)" },
	{ 'v', RLIMIT_AS, 1024, "address space (kbytes)" },
};
#define ULIMITS (sizeof(ulimits) / sizeof(ulimits[0]))

/* Print limit k, the hard one or the soft one, in its unit ("unlimited" for none). */
static void show_limit(size_t k, int hard, int labelled)
{
	struct rlimit r = { 0, 0 };
	getrlimit(ulimits[k].resource, &r);
	rlim_t v = hard ? r.rlim_max : r.rlim_cur;
	if (labelled)
		printf("%-26s(-%c) ", ulimits[k].label, ulimits[k].opt);
	if (v == RLIM_INFINITY)
		printf("unlimited\n");
	else
		printf("%llu\n", (unsigned long long)(v / ulimits[k].unit));
}

/*
 * ulimit [-H|-S] [-a | -c|-d|-f|-n|-s|-t|-v] [limit] (POSIX): show a limit (-f, file size
 * in 512-byte blocks, by default; the soft one unless -H), all of them (-a), or set it,
 * to a number in its unit or "unlimited": the soft one with -S, the hard one with -H,
 * both without either.
 */
static int cmd_ulimit(int argc, char **argv)
{
	int hard = 0, soft = 0, all = 0, i = 1;
	size_t k = 2; /* -f */
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		for (const char *o = argv[i] + 1; *o; o++) {
			size_t j = 0;
			while (j < ULIMITS && ulimits[j].opt != *o)
				j++;
			if (*o == 'H' || *o == 'S' || *o == 'a') {
				hard |= *o == 'H', soft |= *o == 'S', all |= *o == 'a';
			} else if (j < ULIMITS) {
				k = j;
			} else {
				fprintf(stderr, "sh: ulimit: -%c: unknown option\n", *o);
				return STATUS_SYNTAX;
			}
		}
	}
	if (all) {
		for (size_t j = 0; j < ULIMITS; j++)
			show_limit(j, hard, 1);
		return 0;
	}
	if (i >= argc) {
		show_limit(k, hard, 0);
		return 0;
	}
	char *end;
	unsigned long long n = strtoull(argv[i], &end, 10);
	int unlimited = strcmp(argv[i], "unlimited") == 0;
	if (!unlimited &&
	    (!argv[i][0] || *end || argv[i][0] == '-' || n > RLIM_INFINITY / ulimits[k].unit)) {
		fprintf(stderr, "sh: ulimit: %s: bad limit\n", argv[i]);
		return 1;
	}
	struct rlimit r;
	rlim_t v = unlimited ? RLIM_INFINITY : (rlim_t)n * ulimits[k].unit;
	if (getrlimit(ulimits[k].resource, &r) != 0)
		return 1;
	if (hard || !soft)
		r.rlim_max = v;
	if (soft || !hard)
		r.rlim_cur = v;
	if (setrlimit(ulimits[k].resource, &r) != 0) {
		fprintf(stderr, "sh: ulimit: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

#define GETOPTS_ARGS_MAX 256 /* the positional parameters getopts looks through */

static int getopts_pos = 1, getopts_at; /* the character of argument OPTIND getopts_at is at */

/* The positional parameters into args (GETOPTS_ARGS_MAX at most): how many. */
static int positional(char **args)
{
	const char *count = lookup(0, "#", 1);
	int n = count ? atoi(count) : 0;
	n = n > GETOPTS_ARGS_MAX ? GETOPTS_ARGS_MAX : n;
	for (int k = 0; k < n; k++) {
		char key[16];
		snprintf(key, sizeof(key), "%d", k + 1);
		const char *v = lookup(0, key, strlen(key));
		args[k] = (char *)(v ? v : "");
	}
	return n;
}

/* getopts is done: name is "?", OPTIND the first operand's index; status 1. */
static int getopts_end(const char *name, int optind_v)
{
	char num[16];
	snprintf(num, sizeof(num), "%d", optind_v);
	set_var("OPTIND", num);
	set_var(name, "?");
	unsetenv("OPTARG");
	getopts_pos = 1;
	getopts_at = optind_v;
	return 1;
}

/*
 * getopts optstring name [arg...] (POSIX): the next option of the positional parameters
 * (or the args) into name, its argument into OPTARG, the index of the next argument in
 * OPTIND; status 1 at the end (name is "?"). A bad option or a missing argument: name is
 * "?" and a message, or, with optstring starting with ':', name is "?" or ":" and OPTARG
 * the option, silently. Setting OPTIND (to 1) starts again.
 */
static int cmd_getopts(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "sh: getopts: usage: getopts optstring name [arg...]\n");
		return STATUS_SYNTAX;
	}
	const char *spec = argv[1], *name = argv[2], *ind = getenv("OPTIND");
	char *params[GETOPTS_ARGS_MAX], **args = argv + 3, num[16], opt[2] = { 0, 0 };
	int silent = spec[0] == ':', at = ind ? atoi(ind) : 1;
	int nargs = argc > 3 ? argc - 3 : positional(args = params);
	at = at < 1 ? 1 : at;
	if (at != getopts_at)
		getopts_pos = 1; /* OPTIND was set (or this is the first call) */
	const char *arg = at <= nargs ? args[at - 1] : 0;
	if (getopts_pos == 1 && (!arg || arg[0] != '-' || !arg[1]))
		return getopts_end(name, at);
	if (getopts_pos == 1 && strcmp(arg, "--") == 0)
		return getopts_end(name, at + 1);
	opt[0] = arg[getopts_pos++];
	if (!arg[getopts_pos]) { /* the last option of this argument: go on to the next */
		at++;
		getopts_pos = 1;
	}
	const char *found = opt[0] != ':' ? strchr(spec + silent, opt[0]) : 0;
	unsetenv("OPTARG");
	if (!found) {
		set_var(name, "?");
		if (silent)
			set_var("OPTARG", opt);
		else
			fprintf(stderr, "sh: getopts: -%c: unknown option\n", opt[0]);
	} else if (found[1] != ':') {
		set_var(name, opt);
	} else if (getopts_pos > 1 || at <= nargs) { /* "-ovalue", or "-o value" */
		set_var("OPTARG", getopts_pos > 1 ? arg + getopts_pos : args[at - 1]);
		set_var(name, opt);
		at++;
		getopts_pos = 1;
	} else {
		set_var(name, silent ? ":" : "?");
		if (silent)
			set_var("OPTARG", opt);
		else
			fprintf(stderr, "sh: getopts: -%c: argument expected\n", opt[0]);
	}
	snprintf(num, sizeof(num), "%d", at);
	set_var("OPTIND", num);
	getopts_at = at;
	return 0;
}

static const struct builtin builtins[] = {
	{ "cd", cmd_cd },
	{ "pwd", cmd_pwd },
	{ "export", cmd_export },
	{ "unset", cmd_unset },
	{ "wait", cmd_wait },
	{ "exit", cmd_exit },
	{ "help", cmd_help },
	{ "ps", cmd_ps },
	{ "meminfo", cmd_meminfo },
	{ "poweroff", cmd_poweroff },
	{ ":", cmd_colon },
	{ "break", cmd_break },
	{ "continue", cmd_continue },
	{ "set", cmd_set },
	{ "shift", cmd_shift },
	{ "return", cmd_return },
	{ "test", cmd_test },
	{ "read", cmd_read },
	{ "eval", cmd_eval },
	{ ".", cmd_dot },
	{ "trap", cmd_trap },
	{ "[", cmd_test },
	{ "exec", cmd_exec },
	{ "command", cmd_command },
	{ "umask", cmd_umask },
	{ "getopts", cmd_getopts },
	{ "readonly", cmd_readonly },
	{ "type", cmd_type },
	{ "ulimit", cmd_ulimit },
};

/* The built-in called name, whatever functions there are. */
static const struct builtin *table_builtin(const char *name)
{
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strcmp(builtins[i].name, name) == 0)
			return &builtins[i];
	return 0;
}

/* The special built-ins POSIX finds before functions (the others come after them). */
static int is_special_builtin(const char *name)
{
	static const char *const special[] = { "break", "continue", "exit",  "export",	"return",
					       "set",	"shift",    "unset", ":",	"eval",
					       ".",	"trap",	    "exec",  "readonly" };
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (strcmp(special[i], name) == 0)
			return 1;
	return 0;
}

static const struct builtin *find_builtin(const char *name)
{
	if (!is_special_builtin(name) && find_function(name))
		return 0; /* a function of that name comes first */
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strcmp(builtins[i].name, name) == 0)
			return &builtins[i];
	return 0;
}

static int run_builtin(const struct builtin *b, struct command *cmd)
{
	int status = b->fn(cmd->argc, cmd->argv);
	fflush(stdout);
	fflush(stderr);
	return status;
}

/* ---- running programs ------------------------------------------------------------- */

static int run_compound(const struct sh_cmd *c);
static int call_function(const struct func *f, int argc, char **argv);

/*
 * In a child: set up the command's descriptors and environment, then exec it (or run
 * the built-in, or the compound command). Never returns. POSIX exit statuses: 127 not
 * found, 126 not runnable.
 */
static void child(const struct sh_cmd *c, struct command *cmd)
{
	if (redirect_all(c) != 0)
		_exit(1);
	if (c->kind != SH_CMD_SIMPLE) {
		interactive = job_control = 0; /* a subshell: its jobs are not the console's */
		int status = run_exit_trap(run_compound(c)); /* a trap it set itself (POSIX) */
		fflush(stdout);
		fflush(stderr);
		_exit(status);
	}
	for (int i = 0; i < cmd->nassign; i++) {
		assign(cmd->assign[i]);
		char *eq = strchr(cmd->assign[i], '='); /* NAME=value cmd: exported to cmd */
		*eq = 0;
		mark_exported(cmd->assign[i]);
		*eq = '=';
	}
	if (cmd->argc == 0)
		_exit(0);
	const struct builtin *b = find_builtin(cmd->argv[0]);
	const struct func *f = b ? 0 : find_function(cmd->argv[0]);
	if (b)
		_exit(run_builtin(b, cmd));
	if (f) {
		int status = call_function(f, cmd->argc, cmd->argv);
		fflush(stdout);
		fflush(stderr);
		_exit(status);
	}
	drop_unexported();
	execvp(cmd->argv[0], cmd->argv);
	int e = errno;
	if (e == ENOENT)
		fprintf(stderr, "sh: %s: not found\n", cmd->argv[0]);
	else
		fprintf(stderr, "sh: %s: %s\n", cmd->argv[0], strerror(e));
	fflush(stderr);
	_exit(e == ENOENT ? STATUS_NOT_FOUND : STATUS_NO_EXEC);
}

/* A variable a regular built-in's NAME=value prefix changes for the while: its old value. */
struct kept_var {
	char *name, *old; /* old: 0 if it was unset */
};

/* Set cmd's assignments, keeping what they replace in keep: how many, or -1. */
static int push_vars(struct command *cmd, struct kept_var *keep)
{
	int n = 0;
	for (; n < cmd->nassign; n++) {
		char *nv = cmd->assign[n], *eq = strchr(nv, '=');
		keep[n].name = strndup(nv, (size_t)(eq - nv));
		const char *old = keep[n].name ? getenv(keep[n].name) : 0;
		keep[n].old = old ? strdup(old) : 0;
		if (!keep[n].name || (old && !keep[n].old) || assign(nv) != 0) {
			free(keep[n].name);
			free(keep[n].old);
			break;
		}
	}
	return n;
}

/* Put back the n variables push_vars changed, newest first (a name twice ends as it was). */
static void pop_vars(struct kept_var *keep, int n)
{
	while (n-- > 0) {
		if (keep[n].old) {
			set_var(keep[n].name, keep[n].old);
		} else {
			unsetenv(keep[n].name);
			mark_exported(keep[n].name); /* forgotten, as unset does */
		}
		free(keep[n].name);
		free(keep[n].old);
	}
}

/*
 * A command alone, in the shell: assignments, a built-in, a function (its assignments
 * stay set, as for a special built-in), or only redirections (the status of the last
 * command substitution, if one ran). A regular built-in's assignments hold only while it
 * runs (POSIX 2.9.1: IFS= read -r line).
 */
static int run_here(const struct sh_cmd *c, struct command *cmd, const struct builtin *b,
		    const struct func *f)
{
	int saved[SH_FD_MAX + 1], status = 1, kept = 0;
	struct kept_var keep[SH_WORDS_MAX];
	if (b && !is_special_builtin(b->name)) {
		if ((kept = push_vars(cmd, keep)) < cmd->nassign) {
			pop_vars(keep, kept);
			return 1;
		}
	} else {
		for (int i = 0; i < cmd->nassign; i++)
			if (assign(cmd->assign[i]) != 0)
				return 1;
	}
	fflush(stdout);
	keep_redirections = 0;
	if (save_fds(c, saved) == 0 && redirect_all(c) == 0)
		status = b   ? run_builtin(b, cmd)
			 : f ? call_function(f, cmd->argc, cmd->argv)
			     : (subst_status >= 0 ? subst_status : 0);
	if (keep_redirections) /* exec alone: the shell keeps them; drop the copies */
		for (int fd = 0; fd <= SH_FD_MAX; fd++)
			saved[fd] = saved[fd] >= 0 ? (close(saved[fd]), -2) : -2;
	keep_redirections = 0;
	restore_fds(saved);
	pop_vars(keep, kept);
	return status;
}

/* Wait for the pipeline's children (pids[0..n)): the last one's status, as $? shows it. */
static int wait_all(const pid_t *pids, char (*names)[CMD_NAME_MAX], int n)
{
	int status = 0, result = 0;
	for (int i = 0; i < n; i++) {
		if (pids[i] <= 0) {
			result = i == n - 1 ? 1 : result; /* it did not start */
			continue;
		}
		if (waitpid(pids[i], &status, 0) != pids[i]) {
			fprintf(stderr, "sh: wait: %s\n", strerror(errno));
			status = STATUS_NO_EXEC << 8;
		}
		int code = exit_code(names[i], status);
		if (i == n - 1)
			result = code;
	}
	if (job_control)
		tcsetpgrp(STDIN_FILENO, getpid()); /* the shell is the foreground again */
	return result;
}

/*
 * With job control, a foreground job's processes form a group of their own (led by its
 * first, or *job 0: this one), which becomes the console's foreground so ^C reaches
 * them and not the shell. Both sides set it, so it holds whichever runs first.
 */
static void to_foreground(pid_t pid, pid_t *job)
{
	if (!job_control)
		return;
	if (*job == 0)
		*job = pid;
	if (setpgid(pid, *job) != 0 && setpgid(pid, pid) == 0)
		*job = pid; /* the earlier stages ended already: this one leads the job now */
	tcsetpgrp(STDIN_FILENO, *job);
}

/* Start command i of a pipeline in a child reading in and writing out: its pid or -1. */
static pid_t start(const struct sh_cmd *c, struct command *cmd, int in, int out, int other,
		   pid_t *job)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid > 0)
		to_foreground(pid, job);
	if (pid != 0)
		return pid;
	traps_in_child();
	if (job_control) {
		to_foreground(getpid(), job);
		signal(SIGINT, SIG_DFL); /* the shell's own handler is not the command's */
	}
	if (other >= 0)
		close(other); /* the read end of our own output pipe */
	if (in != STDIN_FILENO) {
		dup2(in, STDIN_FILENO);
		close(in);
	}
	if (out != STDOUT_FILENO) {
		dup2(out, STDOUT_FILENO);
		close(out);
	}
	child(c, cmd);
	return -1; /* not reached */
}

static struct command cmd_buf; /* large: one at a time, expanded just before it starts */

/* Start command c of a pipeline reading in, writing out (other: our pipe's read end). */
static pid_t start_one(const struct sh_cmd *c, int in, int out, int other, char *name, int expanded,
		       pid_t *job)
{
	snprintf(name, CMD_NAME_MAX, "?");
	if (c->kind == SH_CMD_SIMPLE && !expanded && expand_command(c, &cmd_buf) != 0)
		return -1;
	if (c->kind == SH_CMD_SIMPLE && cmd_buf.argc)
		snprintf(name, CMD_NAME_MAX, "%s", cmd_buf.argv[0]);
	pid_t pid = start(c, &cmd_buf, in, out, other, job);
	if (pid < 0)
		fprintf(stderr, "sh: fork: %s\n", strerror(errno));
	return pid;
}

/* ( list ) alone: in a child, whose changes (variables, directory) are its own. */
static int run_subshell(const struct sh_cmd *c)
{
	char name[CMD_NAME_MAX];
	pid_t job = 0;
	pid_t pid = start_one(c, STDIN_FILENO, STDOUT_FILENO, -1, name, 1, &job);
	return wait_all(&pid, &name, 1);
}

/* A compound command alone: here, with its redirections undone afterwards. */
static int run_compound_here(const struct sh_cmd *c)
{
	int saved[SH_FD_MAX + 1], status = 1;
	if (c->kind == SH_CMD_SUBSHELL)
		return run_subshell(c);
	fflush(stdout);
	if (save_fds(c, saved) == 0 && redirect_all(c) == 0)
		status = run_compound(c);
	restore_fds(saved);
	return status;
}

/* A command alone: run here if it is a built-in, compound or has no name, else in a child. */
/*
 * Does a NAME=value before a program name a read-only variable? Then say so, and end a
 * shell that is not interactive, as assign() does (the child would only have failed).
 */
static int readonly_assignment(const struct command *cmd)
{
	for (int i = 0; i < cmd->nassign; i++) {
		const char *nv = cmd->assign[i];
		char name[NAME_MAX_];
		size_t n = (size_t)(strchr(nv, '=') - nv);
		snprintf(name, sizeof(name), "%.*s", (int)n, nv);
		if (is_readonly(name)) {
			var_error(name);
			if (!interactive) {
				exiting = 1;
				last_status = 1;
			}
			return 1;
		}
	}
	return 0;
}

static int run_single(const struct sh_cmd *c)
{
	char name[CMD_NAME_MAX];
	if (c->kind != SH_CMD_SIMPLE)
		return run_compound_here(c);
	subst_status = -1;
	if (expand_command(c, &cmd_buf) != 0)
		return 1;
	const struct builtin *b = cmd_buf.argc ? find_builtin(cmd_buf.argv[0]) : 0;
	const struct func *f = cmd_buf.argc && !b ? find_function(cmd_buf.argv[0]) : 0;
	if (cmd_buf.argc == 0 || b || f)
		return run_here(c, &cmd_buf, b, f);
	if (readonly_assignment(&cmd_buf))
		return 1;
	pid_t job = 0;
	pid_t pid = start_one(c, STDIN_FILENO, STDOUT_FILENO, -1, name, 1, &job);
	return wait_all(&pid, &name, 1);
}

/*
 * Run pipeline k: its status. Each command but the last writes into a new pipe that the
 * next one reads; the shell closes its copies of the ends as soon as the child has them,
 * so the reader sees end-of-file when the writer exits.
 */
static int run_pipeline_cmds(unsigned k)
{
	const struct sh_pipeline *pl = &parsed->pipelines[k];
	pid_t pids[SH_CMDS_MAX];
	char names[SH_CMDS_MAX][CMD_NAME_MAX];
	int in = STDIN_FILENO, n = pl->ncmds;
	pid_t job = 0;
	unsigned ci = pl->first_cmd;
	if (n == 1)
		return run_single(&parsed->cmds[ci]);
	for (int i = 0; i < n; i++, ci = parsed->cmds[ci].next) {
		int fds[2] = { -1, STDOUT_FILENO };
		pids[i] = -1;
		if (i < n - 1 && pipe(fds) != 0) {
			fprintf(stderr, "sh: pipe: %s\n", strerror(errno));
			n = i; /* run no more of it; wait for what started */
			break;
		}
		pids[i] = start_one(&parsed->cmds[ci], in, fds[1], fds[0], names[i], 0, &job);
		if (in != STDIN_FILENO)
			close(in);
		if (fds[1] != STDOUT_FILENO)
			close(fds[1]);
		in = fds[0] >= 0 ? fds[0] : STDIN_FILENO;
	}
	if (in != STDIN_FILENO)
		close(in);
	int status = wait_all(pids, names, n);
	return n == pl->ncmds ? status : 1;
}

/* Pipeline k, its status turned over by a leading '!'. */
static int run_pipeline(unsigned k)
{
	int status = run_pipeline_cmds(k);
	return parsed->pipelines[k].negate ? !status : status;
}

/* Should the lists running stop: exit, ^C, break, continue or return? */
static int stopping(void)
{
	return exiting || interrupted || skip_loops || returning;
}

/*
 * set -e: the shell ends when pipeline k failed, unless it was a condition (of if, while,
 * until), a pipeline a && or || follows, or one turned over by '!' (POSIX).
 */
static void errexit_check(unsigned k, int status)
{
	const struct sh_pipeline *pl = &parsed->pipelines[k];
	if (opt_errexit && status != 0 && !cond_depth && pl->op != SH_OP_AND &&
	    pl->op != SH_OP_OR && !pl->negate)
		exiting = 1;
}

/*
 * Pipeline k of an and-or list. One that a && or || follows, or that '!' turns over, is
 * exempt from set -e, and so is everything it runs: a function, a compound command or a
 * subshell in it (POSIX: "f || echo failed" runs all of f whatever fails inside).
 */
static int run_pipeline_exempt(unsigned k)
{
	const struct sh_pipeline *pl = &parsed->pipelines[k];
	int exempt = pl->op == SH_OP_AND || pl->op == SH_OP_OR || pl->negate;
	cond_depth += exempt;
	int status = run_pipeline(k);
	cond_depth -= exempt;
	return status;
}

/* The pipelines from k joined by && and ||: the status of the last that ran. */
static int run_and_or(unsigned k)
{
	int status = run_pipeline_exempt(k);
	unsigned ran = k; /* the last pipeline that ran */
	last_status = status;
	for (int op;
	     !stopping() && ((op = parsed->pipelines[k].op) == SH_OP_AND || op == SH_OP_OR);) {
		k = parsed->pipelines[k].next;
		if ((op == SH_OP_AND && status != 0) || (op == SH_OP_OR && status == 0))
			continue;
		last_status = status = run_pipeline_exempt(k);
		ran = k;
	}
	errexit_check(ran, status);
	return status;
}

/* An and-or list ending in '&': a child runs it while we go on; $! is its pid. */
static void run_background(unsigned first)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "sh: fork: %s\n", strerror(errno));
		last_status = 1;
		return;
	}
	if (job_control)
		setpgid(pid > 0 ? pid : 0, 0); /* a group of its own, never the foreground */
	if (pid == 0) {
		traps_in_child();
		job_control = 0;
		signal(SIGINT, SIG_DFL);
		/* POSIX, without job control: a background list reads /dev/null, not the terminal. */
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0 && null != STDIN_FILENO) {
			dup2(null, STDIN_FILENO);
			close(null);
		}
		interactive = 0;
		int status = run_and_or(first);
		fflush(stdout);
		_exit(status);
	}
	last_bg = pid;
	last_status = 0;
	for (int i = 0; i < JOBS_MAX; i++) {
		if (!jobs[i]) {
			jobs[i] = pid;
			break;
		}
	}
	if (interactive)
		printf("[%d]\n", (int)pid);
}

/* Before a prompt: say which background jobs have ended (and reap them). */
static void report_jobs(void)
{
	for (int i = 0; i < JOBS_MAX; i++) {
		int status;
		if (!jobs[i] || waitpid(jobs[i], &status, WNOHANG) != jobs[i])
			continue;
		if (WIFSIGNALED(status))
			printf("[%d] killed by signal %d\n", (int)jobs[i], WTERMSIG(status));
		else if (WEXITSTATUS(status))
			printf("[%d] done, exit %d\n", (int)jobs[i], WEXITSTATUS(status));
		else
			printf("[%d] done\n", (int)jobs[i]);
		jobs[i] = 0;
	}
}

/* Print a parse error as one line: the operator or word where it was found, or the reason. */
static void parse_error(enum sh_status st, const char *text)
{
	if (st != SH_ERR_SYNTAX) {
		fprintf(stderr, "sh: %s\n", sh_strerror(st));
		return;
	}
	const char *at = text + parsed->err_at;
	int n = 0;
	while (n < 2 && at[n] && strchr("|&;<>()", at[n]))
		n++;
	if (!n) /* no operator: the word (a reserved word out of place) */
		while (at[n] && !strchr(" \t\r\n|&;<>()", at[n]))
			n++;
	if (n && at[0])
		fprintf(stderr, "sh: syntax error near '%.*s'\n", n, at);
	else
		fprintf(stderr, "sh: syntax error at end of line\n");
}

/* Run a list from pipeline k: each and-or list in turn, in the background after '&'. */
static int run_list(unsigned k)
{
	while (k != SH_NONE && !stopping()) {
		unsigned last = k;
		while (parsed->pipelines[last].op == SH_OP_AND ||
		       parsed->pipelines[last].op == SH_OP_OR)
			last = parsed->pipelines[last].next;
		if (parsed->pipelines[last].op == SH_OP_BG)
			run_background(k);
		else
			run_and_or(k);
		run_traps();
		k = parsed->pipelines[last].next;
	}
	return last_status;
}

/* The condition of an if, while or until: its failures do not end a set -e shell. */
static int run_condition(unsigned k)
{
	cond_depth++;
	int status = run_list(k);
	cond_depth--;
	return status;
}

/* After a loop's condition or body: 1 to go on, 0 to leave it (break, exit, return, ^C). */
static int loop_goes_on(void)
{
	if (exiting || interrupted || returning)
		return 0;
	if (!skip_loops)
		return 1;
	if (skip_continue && skip_loops == 1) {
		skip_loops = 0; /* this is the loop continue names: its next round */
		return 1;
	}
	skip_loops--;
	return 0;
}

/* for NAME in words: each word (expanded, with pathname expansion) in NAME, then the body. */
static int run_for(const struct sh_cmd *c)
{
	struct command *words = malloc(sizeof(*words));
	char name[NAME_MAX_];
	int status = 0;
	const struct sh_word *w = &parsed->words[c->first_word];
	if (!words || w->len >= sizeof(name)) {
		free(words);
		fprintf(stderr, "sh: for: %s\n", words ? "name too long" : strerror(ENOMEM));
		return 1;
	}
	memcpy(name, parsed->text + w->start, w->len);
	name[w->len] = 0;
	words->argc = words->nassign = 0;
	words->used = 0;
	for (unsigned i = 1; i < c->nwords; i++) {
		if (add_args(words, parsed->words[c->first_word + i]) < 0) {
			free(words);
			return 1;
		}
	}
	for (int i = 0; !c->has_in && i < npos; i++) { /* for NAME; do: "$@" */
		if (add_arg(words, pos[i]) < 0) {
			free(words);
			return 1;
		}
	}
	loop_depth++;
	for (int i = 0; i < words->argc; i++) {
		if (set_var(name, words->argv[i]) != 0) {
			var_error(name);
			status = 1;
			break;
		}
		status = run_list(c->list[1]);
		if (!loop_goes_on())
			break;
	}
	loop_depth--;
	free(words);
	return status;
}

/* NAME() compound: keep the compound's text under NAME (replacing what was there). */
static int define_function(const struct sh_cmd *c)
{
	struct sh_word name = parsed->words[c->first_word], body = parsed->words[c->first_word + 1];
	struct func *f = 0;
	for (int i = 0; i < FUNCS_MAX && !f; i++)
		if (funcs[i].name && strlen(funcs[i].name) == name.len &&
		    memcmp(funcs[i].name, parsed->text + name.start, name.len) == 0)
			f = &funcs[i];
	for (int i = 0; i < FUNCS_MAX && !f; i++)
		if (!funcs[i].name)
			f = &funcs[i];
	char *n = strndup(parsed->text + name.start, name.len);
	char *b = strndup(parsed->text + body.start, body.len);
	if (!f || !n || !b) {
		fprintf(stderr, "sh: %.*s: %s\n", (int)name.len, parsed->text + name.start,
			f ? strerror(ENOMEM) : "too many functions");
		free(n);
		free(b);
		return 1;
	}
	forget_function(f);
	f->name = n, f->body = b;
	return 0;
}

/* Does case pattern w match s? (A pattern without wildcards compares as a string.) */
static int case_match(struct sh_word w, const char *s)
{
	static char pat[ARGS_STORE];
	int quoted;
	long n = sh_pattern(parsed, w, &shenv, pat, sizeof(pat));
	if (n == 0)
		n = sh_expand(parsed, w, &shenv, pat, sizeof(pat), &quoted);
	else if (n > 0)
		return fnmatch(pat, s, 0) == 0;
	if (n < 0) {
		expansion_error(n);
		return 0;
	}
	return strcmp(pat, s) == 0;
}

/* case word in ...: the list of the first item with a pattern that matches; 0 if none. */
static int run_case(const struct sh_cmd *c)
{
	static char subject[ARGS_STORE];
	int quoted;
	long n = sh_expand(parsed, parsed->words[c->first_word], &shenv, subject, sizeof(subject),
			   &quoted);
	if (n < 0) {
		expansion_error(n);
		return 1;
	}
	for (unsigned i = c->list[0]; i != SH_NONE; i = parsed->items[i].next) {
		const struct sh_item *it = &parsed->items[i];
		for (unsigned p = 0; p < it->nwords; p++)
			if (case_match(parsed->words[it->first_word + p], subject))
				return it->list == SH_NONE ? 0 : run_list(it->list);
	}
	return 0;
}

/* if, while, until, for, case: the status of the last command run in it (0 if none). */
static int run_compound(const struct sh_cmd *c)
{
	int status = 0;
	switch (c->kind) {
	case SH_CMD_IF:
		if (run_condition(c->list[0]) == 0 && !stopping())
			return run_list(c->list[1]);
		return c->list[2] != SH_NONE && !stopping() ? run_list(c->list[2]) : 0;
	case SH_CMD_WHILE:
	case SH_CMD_UNTIL:
		loop_depth++;
		for (;;) {
			int cond = run_condition(c->list[0]);
			if (!loop_goes_on() || (cond == 0) != (c->kind == SH_CMD_WHILE))
				break;
			status = run_list(c->list[1]);
			if (!loop_goes_on())
				break;
		}
		loop_depth--;
		return status;
	case SH_CMD_FOR:
		return run_for(c);
	case SH_CMD_CASE:
		return run_case(c);
	case SH_CMD_GROUP:
	case SH_CMD_SUBSHELL: /* in the child start() made */
		return run_list(c->list[0]);
	case SH_CMD_FUNC:
		return define_function(c);
	default:
		return 1;
	}
}

/*
 * Run text (eval's, a . file's) here: parsed into a line of its own, which becomes the one
 * being run until it ends. Its status, or 2 for a syntax error.
 */
static int run_text(char *text)
{
	struct sh_line *outer = parsed, *line = 0;
	int deep = text_depth >= FUNC_DEPTH_MAX;
	if (deep || !(line = malloc(sizeof(*line)))) {
		fprintf(stderr, "sh: %s\n", deep ? "eval and . nested too deep" : strerror(ENOMEM));
		return 1;
	}
	text_depth++;
	enum sh_status st = sh_parse(text, line);
	int status = STATUS_SYNTAX;
	if (st != SH_OK) {
		parsed = line; /* parse_error reads where the error is */
		parse_error(st, text);
	} else {
		parsed = line;
		status = line->list == SH_NONE ? 0 : run_list(line->list);
	}
	parsed = outer;
	text_depth--;
	free(line);
	return status;
}

/*
 * Call function f with argv[1..argc) as its positional parameters: its body's text is
 * parsed again into a line of its own, which becomes the one being run until it ends.
 * Its status: return's, or the last command's.
 */
static int call_function(const struct func *f, int argc, char **argv)
{
	struct sh_line *outer = parsed, *line = malloc(sizeof(*line));
	char *text = strdup(f->body), **outer_pos = pos; /* the body may be redefined inside */
	int outer_npos = npos, outer_loops = loop_depth, status = 1;
	if (!line || !text || func_depth >= FUNC_DEPTH_MAX) {
		fprintf(stderr, "sh: %s: %s\n", argv[0],
			line && text ? "calls nested too deep" : strerror(ENOMEM));
		free(line);
		free(text);
		return 1;
	}
	pos = 0, npos = 0;
	if (set_params(argc - 1, argv + 1) == 0 && sh_parse(text, line) == SH_OK) {
		parsed = line;
		func_depth++;
		loop_depth = 0; /* break and continue do not reach the caller's loops */
		status = run_list(line->list);
		if (returning)
			status = return_status;
		returning = 0;
		func_depth--;
		loop_depth = outer_loops;
		parsed = outer;
	}
	set_params(0, 0);
	free(pos);
	pos = outer_pos, npos = outer_npos;
	free(line);
	free(text);
	return status;
}

/* Run a text sh_parse took (st its result); $? is the status of its last command. */
static void run_parsed(enum sh_status st, const char *text)
{
	if (st != SH_OK) {
		parse_error(st, text);
		last_status = STATUS_SYNTAX;
		return;
	}
	interrupted = 0;
	skip_loops = loop_depth = 0;
	last_status = run_list(parsed->list);
	fflush(stdout);
}

/* Parse and run one whole text (sh -c). */
static void run_line(const char *text)
{
	run_parsed(sh_parse(text, parsed), text);
}

/* ---- Ctrl-C ----------------------------------------------------------------------- */

static void on_sigint(int sig)
{
	(void)sig; /* to end a read of the line with EINTR, and what runs */
	interrupted = 1;
}

/*
 * The ^C thread. The kernel sets our notification when ^C is typed (console_intr: it is
 * then not input, and what was typed before it is dropped); we send SIGINT to the
 * console's foreground group, which the fork server keeps: the running job, or the
 * shell itself at the prompt.
 */
static void intr_loop(void *arg)
{
	(void)arg;
	for (;;) {
		long err = SYSCALL(notify_wait, intr_note);
		if (err == E_INTR)
			continue;
		if (err < 0)
			return;
		pid_t pg = tcgetpgrp(STDIN_FILENO);
		if (pg > PID_INIT)
			kill(-pg, SIGINT);
	}
}

/*
 * An interactive shell leads a process group of its own, the console's foreground, and
 * catches SIGINT (without SA_RESTART). ^C is bound here unless a shell further out has it.
 */
static void job_control_start(void)
{
	struct sigaction sa = { 0 };
	thread_t t;
	if (setpgid(0, 0) != 0 || tcsetpgrp(STDIN_FILENO, getpid()) != 0)
		return;
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, 0);
	job_control = 1;
	intr_note = slot_alloc();
	if (intr_note < 0 || SYSCALL(obj_create, SLOT_SELF, OBJ_NOTIFY, intr_note, 0) != 0 ||
	    SYSCALL(console_intr, SLOT_CONSOLE, intr_note, INTR_BIT, CH_INTR) != 0 ||
	    thread_create(&t, intr_loop, 0) != 0)
		SYSCALL(cap_delete, intr_note); /* no ^C here: also unbinds it */
}

/* The environment a shell starts with when it was given none. */
static void default_env(void)
{
	char dir[PATH_MAX_];
	if (!getenv("PATH"))
		setenv("PATH", DEFAULT_PATH, 1);
	if (!getenv("HOME"))
		setenv("HOME", "/", 1);
	if (getcwd(dir, sizeof(dir)))
		setenv("PWD", dir, 1);
}

static int usage(void)
{
	fprintf(stderr, "usage: sh [-c command [arg0 [arg...]] | file [arg...]]\n");
	return STATUS_SYNTAX;
}

/* $0 and the positional parameters from the operands: args[0] is $0 (none: keep "sh"). */
static int start_params(int n, char **args)
{
	if (n > 0)
		arg0 = args[0];
	return n > 1 ? set_params(n - 1, args + 1) : 0;
}

int main(int argc, char **argv)
{
	static char line[LINE_MAX_];
	int fd = STDIN_FILENO;
	main_pid = getpid();
	default_env();
	if (argc > 1 && strcmp(argv[1], "-c") == 0) {
		if (argc < 3 || start_params(argc - 3, argv + 3) != 0)
			return usage();
		run_line(argv[2]);
		return run_exit_trap(last_status);
	}
	if (argc > 1 && (fd = open(argv[1], O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "sh: %s: %s\n", argv[1], strerror(errno));
		return STATUS_NOT_FOUND;
	}
	if (argc > 1 && start_params(argc - 1, argv + 1) != 0)
		return STATUS_NO_EXEC;
	interactive = argc == 1 && tcgetattr(STDIN_FILENO, &tty) == 0;
	if (interactive) {
		/* lines, edited and echoed by the console, CR typed as NL, ^C a signal */
		tty.c_lflag |= ICANON | ECHO | ECHOE | ECHOK | ISIG;
		tty.c_iflag |= ICRNL;
		tty.c_oflag |= OPOST | ONLCR;
		printf("sh: type help for the built-ins\n");
		job_control_start();
	}
	static char text[TEXT_MAX];
	size_t len = 0;
	int r;
	while (!exiting && (r = read_line(fd, line, len ? PROMPT2 : PROMPT)) >= 0) {
		size_t n = strlen(line);
		if (r == 1 || len + n + 2 > sizeof(text)) { /* ^C, or more than a text holds */
			if (r == 0)
				fprintf(stderr, "sh: %s\n", sh_strerror(SH_ERR_LIMIT));
			len = 0;
			continue;
		}
		if (len)
			text[len++] = '\n';
		memcpy(text + len, line, n + 1);
		len += n;
		enum sh_status st = sh_parse(text, parsed);
		if (st == SH_ERR_MORE || (st == SH_OK && parsed->continued))
			continue; /* a compound command, here-document or continued line goes on */
		run_parsed(st, text);
		len = 0;
		if (interactive)
			report_jobs();
	}
	if (len && !exiting) /* the input ended inside a command */
		run_line(text);
	run_traps();
	return run_exit_trap(last_status);
}
