/*
 * wordexp and wordfree (POSIX; picolibc declares them in <wordexp.h> but has neither).
 * The expansions are the shell's, so the shell does them: /bin/sh -c runs
 *   eval "printf '%s\0' x WORDS"
 * with WORDS as its $1, and the words come back through a pipe, each ended by a NUL
 * (the "x" makes the output start the same way whatever WORDS expand to, and is dropped).
 * So tilde, parameter, command and arithmetic expansion, field splitting on IFS,
 * pathname expansion and quote removal are the shell's own (docs/userland.md, "The
 * shell"). Before that the words are checked here, where the shell would run something
 * else: an unquoted | & ; < > ( ) { } or newline is WRDE_BADCHAR, and with WRDE_NOCMD a
 * command substitution, $(...) or `...`, is WRDE_CMDSUB. WRDE_UNDEF runs the shell with
 * set -u, whose failure is WRDE_BADVAL; any other failure of the shell is WRDE_SYNTAX.
 * Its error messages go to /dev/null unless WRDE_SHOWERR.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wordexp.h>

#define SHELL_PATH    "/bin/sh"
#define SCRIPT_PLAIN  "eval \"printf '%s\\\\0' x $1\""
#define SCRIPT_UNDEF  "set -u; eval \"printf '%s\\\\0' x $1\""
#define EXIT_NO_SHELL 127 /* the child's status when the shell will not run */
#define EXIT_UNSET    1	  /* the shell's status for an unset variable under set -u */
#define READ_CHUNK    256

/* The character after a '$' at s: does it start a command substitution (not "$((")? */
static int starts_cmdsub(const char *s)
{
	return s[0] == '(' && s[1] != '(';
}

/*
 * Check words as the shell will read them, outside quotes and outside $(...), ${...}
 * and `...`, whose insides the shell takes care of: 0, WRDE_BADCHAR or WRDE_CMDSUB.
 */
static int check_words(const char *s, int flags)
{
	int single = 0, dbl = 0, nest = 0, back = 0;
	for (; *s; s++) {
		char c = *s;
		if (single) {
			single = c != '\'';
			continue;
		}
		if (c == '\\' && s[1]) {
			s++;
			continue;
		}
		if (c == '`') {
			if ((flags & WRDE_NOCMD) && !back)
				return WRDE_CMDSUB;
			back = !back;
			continue;
		}
		if (c == '$' && (s[1] == '(' || s[1] == '{')) {
			if ((flags & WRDE_NOCMD) && starts_cmdsub(s + 1))
				return WRDE_CMDSUB;
			nest++;
			s++;
			continue;
		}
		if (nest && (c == '(' || c == '{')) {
			nest++; /* a subshell or a group inside a substitution */
			continue;
		}
		if (nest && (c == ')' || c == '}')) {
			nest--;
			continue;
		}
		if (c == '"') {
			dbl = !dbl;
			continue;
		}
		if (dbl || nest || back)
			continue;
		if (c == '\'') {
			single = 1;
			continue;
		}
		if (strchr("|&;<>(){}\n", c))
			return WRDE_BADCHAR;
	}
	return 0;
}

/* Run the shell on words: its output (malloc'd, *len bytes) and its wait status. */
static char *run_shell(const char *words, int flags, size_t *len, int *status)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		return 0;
	pid_t pid = fork();
	if (pid == 0) {
		int quiet = (flags & WRDE_SHOWERR) ? -1 : open("/dev/null", O_WRONLY);
		dup2(p[1], STDOUT_FILENO);
		if (quiet >= 0)
			dup2(quiet, STDERR_FILENO);
		execl(SHELL_PATH, "sh", "-c", (flags & WRDE_UNDEF) ? SCRIPT_UNDEF : SCRIPT_PLAIN,
		      "sh", words, (char *)0);
		_exit(EXIT_NO_SHELL);
	}
	close(p[1]);
	char *out = calloc(1, READ_CHUNK);
	size_t cap = READ_CHUNK;
	ssize_t n = 0;
	int whole = pid > 0 && out;
	*len = 0;
	while (whole) {
		if (*len == cap) {
			char *bigger = realloc(out, cap *= 2);
			if (!bigger) {
				whole = 0;
				break;
			}
			out = bigger;
		}
		if ((n = read(p[0], out + *len, cap - *len)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	close(p[0]); /* a shell still writing gets SIGPIPE: the wait below ends */
	*status = -1;
	while (pid > 0 && waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	if (!whole || n < 0) { /* no child, no memory or a failed read: nothing to give */
		free(out);
		return 0;
	}
	return out;
}

/* Append the NUL-ended words of out[0, len) after the first to we: 0 or WRDE_NOSPACE. */
static int take_words(wordexp_t *we, const char *out, size_t len, int flags)
{
	size_t offs = (flags & WRDE_DOOFFS) ? we->we_offs : 0, count = 0, have = we->we_wordc;
	const char *first_end = memchr(out, 0, len);
	const char *p = first_end ? first_end + 1 : out + len, *end = out + len;
	for (const char *q = p; q < end; q += strlen(q) + 1)
		count++;
	char **v = realloc(we->we_wordv, (offs + have + count + 1) * sizeof(char *));
	if (!v)
		return WRDE_NOSPACE;
	we->we_wordv = v;
	for (size_t i = 0; i < offs && !have; i++)
		v[i] = 0;
	for (; p < end; p += strlen(p) + 1) {
		if (!(v[offs + have] = strdup(p))) {
			v[offs + have] = 0;
			we->we_wordc = have;
			return WRDE_NOSPACE;
		}
		have++;
	}
	v[offs + have] = 0;
	we->we_wordc = have;
	return 0;
}

int wordexp(const char *restrict words, wordexp_t *restrict we, int flags)
{
	int err = check_words(words, flags), status;
	if (err)
		return err;
	if (flags & WRDE_REUSE)
		wordfree(we);
	if (!(flags & WRDE_APPEND)) {
		we->we_wordc = 0;
		we->we_wordv = 0;
	}
	if (!(flags & WRDE_DOOFFS))
		we->we_offs = 0; /* so wordfree finds the words whatever the caller left there */
	size_t len;
	char *out = run_shell(words, flags, &len, &status);
	if (!out)
		return WRDE_NOSPACE;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(out);
		return (flags & WRDE_UNDEF) && WIFEXITED(status) &&
				       WEXITSTATUS(status) == EXIT_UNSET
			       ? WRDE_BADVAL
			       : WRDE_SYNTAX;
	}
	err = take_words(we, out, len, flags);
	free(out);
	return err;
}

void wordfree(wordexp_t *we)
{
	if (!we || !we->we_wordv)
		return;
	for (size_t i = 0; i < we->we_wordc; i++)
		free(we->we_wordv[we->we_offs + i]);
	free(we->we_wordv);
	we->we_wordv = 0;
	we->we_wordc = 0;
}
