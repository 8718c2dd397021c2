/*
 * The shell's command language, as pure C the host tests build too (test/host/
 * test_shparse.c): sh_parse splits a text (one line, or several: a compound command or
 * a here-document spans lines) into lists of and-or lists of pipelines of commands,
 * simple or compound, with their redirections, and checks the syntax; sh_expand turns
 * one word into its value (quotes removed, parameters, $(command), `command` and
 * $((arithmetic)) replaced) when the command runs, sh_fields into its fields (split,
 * ready for pathname expansion). No allocation: a parsed text is one struct that points
 * into the text. docs/userland.md ("The shell") describes the language.
 *
 *   text     := list            ('#' to the end of its line: a comment)
 *   list     := { and_or (';' | '&' | NL) } [ and_or ]     (empty lines anywhere)
 *   and_or   := pipeline { ('&&' | '||') {NL} pipeline }
 *   pipeline := [ '!' ] command { '|' {NL} command }
 *   command  := simple | compound { redirection } | NAME '(' ')' {NL} compound
 *   simple   := { NAME=value } { word | redirection }      (at least one of them)
 *   compound := 'if' list 'then' list { 'elif' list 'then' list } [ 'else' list ] 'fi'
 *             | ('while' | 'until') list 'do' list 'done'
 *             | 'for' NAME [ {NL} 'in' { word } ] (';' | NL) {NL} 'do' list 'done'
 *             | 'case' word {NL} 'in' {NL} { item } 'esac'
 *             | '{' list '}' | '(' list ')'
 *   item     := [ '(' ] word { '|' word } ')' list [ ';;' {NL} ]
 *   redirection := [digits] ('<' | '>' | '>>' | '<&' | '>&' | '<<' | '<<-') word
 *
 * A word may hold $(...), `...`, $((...)) and ${...}, with blanks and operators inside.
 * The reserved words count only where a command starts (and 'in', 'do' where the
 * grammar wants them). A here-document's body is the lines after the one its '<<' is
 * on, up to a line that is its word (quotes removed); '<<-' strips leading tabs.
 */
#ifndef USER_SHPARSE_H
#define USER_SHPARSE_H

#include <stddef.h>
#include <stdint.h>

#define SH_WORDS_MAX	 250 /* words in one text, all commands together */
#define SH_REDIRS_MAX	 32
#define SH_CMDS_MAX	 64
#define SH_PIPELINES_MAX 64
#define SH_ITEMS_MAX	 32	    /* case items */
#define SH_NONE		 0xff	    /* no pipeline, command or item: the end of a chain */
#define SH_FD_MAX	 9	    /* the highest descriptor a redirection may name */
#define SH_TEXT_MAX	 UINT16_MAX /* the longest line, in bytes */

/* What follows a pipeline: how the next one runs. */
enum sh_op {
	SH_OP_END, /* ';' or the end of the line: run the next one after this */
	SH_OP_BG,  /* '&': this and-or list runs in the background */
	SH_OP_AND, /* '&&': the next runs if this one succeeded */
	SH_OP_OR,  /* '||': the next runs if this one failed */
};

enum sh_redir_kind {
	SH_REDIR_IN,	  /* n<file, n is 0 by default */
	SH_REDIR_OUT,	  /* n>file, n is 1 by default: create or truncate */
	SH_REDIR_APPEND,  /* n>>file: create, or write at the end */
	SH_REDIR_DUP,	  /* n<&m and n>&m: n becomes a copy of m ("-" closes n) */
	SH_REDIR_HEREDOC, /* n<<word, n<<-word: n reads the body (sh_heredoc) */
	SH_REDIR_RDWR	  /* n<>file, n is 0 by default: open to read and write, created */
};

/* A here-document's flags. */
#define SH_HEREDOC_STRIP  1 /* <<-: leading tabs are not part of its lines */
#define SH_HEREDOC_QUOTED 2 /* its word had quotes: the body is taken as it is */

/* What a command is. */
enum sh_cmd_kind {
	SH_CMD_SIMPLE,
	SH_CMD_IF,
	SH_CMD_WHILE,
	SH_CMD_UNTIL,
	SH_CMD_FOR,
	SH_CMD_CASE,
	SH_CMD_GROUP,	 /* { list; }: list[0], run in the shell */
	SH_CMD_SUBSHELL, /* ( list ): list[0], run in a child */
	SH_CMD_FUNC,	 /* NAME() compound: words NAME, then the compound's text */
};

enum sh_status {
	SH_OK = 0,
	SH_ERR_QUOTE,  /* a ' or " without its closing one */
	SH_ERR_SYNTAX, /* an operator where a command or word must be (err_at says where) */
	SH_ERR_LIMIT,  /* more words, commands or redirections than the limits above */
	SH_ERR_FD,     /* a redirection names a descriptor above SH_FD_MAX */
	SH_ERR_SUBST,  /* ${ without its } or with a bad name */
	SH_ERR_LONG,   /* an expanded word does not fit the buffer */
	SH_ERR_MORE,   /* the text ends inside a compound command or before a here-document's
			* end: the shell reads another line and parses again */
	SH_ERR_ARITH,  /* $((...)) that is no expression, or divides by zero */
	SH_ERR_UNSET,  /* ${NAME?word} or ${NAME:?word} of an unset (or null) NAME */
};

/* A word as typed: a slice of the line, quotes and $ still in it. */
struct sh_word {
	uint16_t start, len;
};

struct sh_redir {
	uint8_t fd, kind, flags; /* flags: SH_HEREDOC_ */
	struct sh_word target;	 /* a here-document: its word */
	struct sh_word body;	 /* a here-document: its lines, each with its newline */
};

/*
 * A command. Simple: nassign leading NAME=value words, then argv. if: list[0] the
 * condition, list[1] then, list[2] else (an elif is an else holding one if), SH_NONE when
 * absent. while, until: list[0] the condition, list[1] the body. for: first_word the
 * name, then nwords - 1 words (has_in: there was an "in"), list[1] the body. case:
 * first_word the word, list[0] the first item. { } and ( ): list[0]. A function
 * definition: first_word its name, the next word the compound command's text (kept by
 * the shell, parsed again at each call). A compound command's redirections apply to all
 * of it.
 */
struct sh_cmd {
	uint8_t kind;			     /* enum sh_cmd_kind */
	uint8_t first_word, nassign, nwords; /* the words, as above */
	uint8_t first_redir, nredirs;
	uint8_t list[3]; /* the first pipeline of each list, or SH_NONE */
	uint8_t has_in;	 /* for */
	uint8_t next;	 /* the next command of its pipeline, or SH_NONE */
};

/* A case item: patterns (words, nwords of them), the list run on a match. */
struct sh_item {
	uint8_t first_word, nwords, list, next; /* next: the next item, or SH_NONE */
};

/* A pipeline: its commands (a chain from first_cmd, ncmds long) and what follows it. */
struct sh_pipeline {
	uint8_t first_cmd, ncmds, op; /* op: what follows it (enum sh_op) */
	uint8_t next;		      /* the next pipeline of its list, or SH_NONE */
	uint8_t negate;		      /* "! pipeline": its status is turned over */
};

struct sh_line {
	const char *text;
	size_t err_at; /* for an error: the offset in text where it was found */
	unsigned nwords, nredirs, ncmds, npipelines, nitems;
	uint8_t list; /* the first pipeline of the text's own list, or SH_NONE */
	/* The text ends with a backslash that quotes nothing: a reader with more lines
	 * takes the next one too (a line continuation); at the end of input it stays. */
	uint8_t continued;
	struct sh_word words[SH_WORDS_MAX];
	struct sh_redir redirs[SH_REDIRS_MAX];
	struct sh_cmd cmds[SH_CMDS_MAX];
	struct sh_pipeline pipelines[SH_PIPELINES_MAX];
	struct sh_item items[SH_ITEMS_MAX];
};

/* Parse text (NUL-terminated; it must outlive line): SH_OK or the error. */
enum sh_status sh_parse(const char *text, struct sh_line *line);

/* One line of text for an error of sh_parse or sh_expand, without the "sh: ". */
const char *sh_strerror(enum sh_status s);

/*
 * The value of a variable for expansion: name is not NUL-terminated (len bytes; "?",
 * "$", "!", "#" and "*" for the special ones, digits for the positional parameters).
 * Returns the value, or 0 if it is unset.
 */
typedef const char *(*sh_lookup_fn)(void *ctx, const char *name, size_t len);

/* What expansion asks of the shell. A null function: nothing is assigned or run. */
struct sh_env {
	sh_lookup_fn lookup;
	/* ${NAME=word}, ${NAME:=word}: set NAME (len bytes) to value; 0, or -1 */
	int (*assign)(void *ctx, const char *name, size_t len, const char *value);
	/* $(text) and `text`: the text's standard output, trailing newlines removed; 0 if it
	 * could not run. The string lives until the next call. */
	const char *(*command)(void *ctx, const char *text, size_t len);
	void *ctx;
	int nounset; /* set -u: expanding an unset parameter is an error (SH_ERR_UNSET) */
};

/*
 * Expand word w of line into out (cap bytes, NUL-terminated): the length, or -SH_ERR_*.
 * *quoted is set when the word had quotes, so an empty result is still a word ("")
 * rather than no word at all ($UNSET). The value of an expansion is not split or
 * expanded again.
 */
long sh_expand(const struct sh_line *line, struct sh_word w, const struct sh_env *env, char *out,
	       size_t cap, int *quoted);

/*
 * Word w as a command's arguments: its fields into out (cap bytes), each NUL-terminated,
 * in the form sh_pattern gives (text that quotes protect escaped); *nfields their count
 * (0: no word at all). The values of unquoted expansions are split at the characters
 * of $IFS (space, tab and newline when it is unset); "$@" gives one field per
 * positional parameter. Returns the bytes used, or -SH_ERR_*. sh_unescape makes a
 * field that holds no wildcard (sh_has_wildcard) plain text again.
 */
long sh_fields(const struct sh_line *line, struct sh_word w, const struct sh_env *env, char *out,
	       size_t cap, int *nfields);
/* Does pattern p hold a wildcard that no backslash protects? */
int sh_has_wildcard(const char *p);
/* Take the escaping backslashes out of p, in place. */
void sh_unescape(char *p);

/*
 * Word w as a glob pattern for pathname expansion, into out (cap bytes): what sh_expand
 * gives, with the text that quotes or a backslash protect escaped for glob. Its length
 * if it holds a wildcard nothing protects (then the shell expands it), 0 if it holds
 * none, or -SH_ERR_*.
 */
long sh_pattern(const struct sh_line *line, struct sh_word w, const struct sh_env *env, char *out,
		size_t cap);

/*
 * The body of here-document r into out (cap bytes, NUL-terminated): its length, or
 * -SH_ERR_*. Without SH_HEREDOC_QUOTED, $ expands and a backslash quotes $, `, \ and a
 * newline (which it removes); with SH_HEREDOC_STRIP, each line's leading tabs go.
 */
long sh_heredoc(const struct sh_line *line, const struct sh_redir *r, const struct sh_env *env,
		char *out, size_t cap);

/*
 * The value of the arithmetic expression expr (NUL-terminated, already expanded; names
 * are variables, their values decimal integers, unset or empty 0): 0 and *value, or
 * -SH_ERR_ARITH. Integers, ( ), unary + - ! ~, * / %, + -, << >>, < <= > >=, == !=, &,
 * ^, |, &&, ||, ?: and the assignments = *= /= %= += -= <<= >>= &= ^= |= (C's
 * precedence; only the side of && || ?: that is taken assigns or divides).
 */
long sh_arith(const char *expr, const struct sh_env *env, long *value);

/* Is w a NAME=value assignment (an unquoted valid name, then '=')? The name's length. */
size_t sh_assignment(const struct sh_line *line, struct sh_word w);

#endif
