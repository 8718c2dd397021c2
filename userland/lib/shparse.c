/*
 * The shell's parser, word expansion and arithmetic (shparse.h has the grammar). Pure C
 * with no allocation and no system call (a command substitution is the shell's
 * callback), so the host tests run it under ASan and UBSan. Parsing only finds where words, operators and redirections are and checks the
 * syntax; a word is expanded later, when its command runs, so `false; echo $?` sees
 * the status false left.
 */
#include <fnmatch.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shparse.h"

enum tok_kind { TOK_END, TOK_WORD, TOK_OP, TOK_NEWLINE };

/* Operators, longest first so ">>" is not read as ">" ">". */
enum op_id {
	OP_OR,
	OP_AND,
	OP_APPEND,
	OP_HEREDOC_STRIP,
	OP_HEREDOC,
	OP_DUP_IN,
	OP_DUP_OUT,
	OP_CLOBBER,
	OP_RDWR,
	OP_DSEMI,
	OP_PIPE,
	OP_BG,
	OP_SEMI,
	OP_IN,
	OP_OUT,
	OP_LPAREN,
	OP_RPAREN,
	OP_COUNT
};
static const char *const op_text[OP_COUNT] = { "||", "&&", ">>", "<<-", "<<", "<&",
					       ">&", ">|", "<>", ";;",	"|",  "&",
					       ";",  "<",  ">",	 "(",	")" };

#define HEREDOCS_MAX	 SH_REDIRS_MAX
#define HEREDOC_WORD_MAX 256 /* a here-document's word, quotes taken out */

struct token {
	enum tok_kind kind;
	enum op_id op;
	size_t start, len;
	int io_number; /* a word of digits right before < or >: its value, else -1 */
};

struct parser {
	struct sh_line *line;
	size_t pos;
	struct token tok; /* the current token, not yet consumed */
	unsigned depth;	  /* compound commands open: the end of the text means "more" */
	unsigned npending;
	uint8_t pending[HEREDOCS_MAX]; /* here-documents whose bodies the next lines hold */
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int is_op_char(char c)
{
	return c == '|' || c == '&' || c == ';' || c == '<' || c == '>' || c == '(' || c == ')';
}

static int is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

/* Does s[i] start $(...), ${...} or `...`? */
static int starts_construct(const char *s, size_t i)
{
	return s[i] == '`' || (s[i] == '$' && (s[i + 1] == '(' || s[i + 1] == '{'));
}

static size_t construct_end(const char *s, size_t i);

/* After the '"' at i: the index after its closing '"', or 0 if there is none. */
static size_t dquote_end(const char *s, size_t i)
{
	for (i++; s[i] != '"';) {
		if (!s[i])
			return 0;
		if (starts_construct(s, i)) {
			if (!(i = construct_end(s, i)))
				return 0;
		} else {
			i += s[i] == '\\' && s[i + 1] ? 2 : 1;
		}
	}
	return i + 1;
}

/* Is s[i] a word boundary: the start of the text (at from) or after a blank or operator? */
static int word_starts(const char *s, size_t from, size_t i)
{
	return i == from || is_blank(s[i - 1]) || strchr(";&|()\n", s[i - 1]);
}

/* Does the reserved word w stand at s[i], as a word of its own (from: the text's start)? */
static int reserved_at(const char *s, size_t from, size_t i, const char *w)
{
	size_t n = strlen(w);
	return word_starts(s, from, i) && strncmp(s + i, w, n) == 0 &&
	       (!s[i + n] || is_blank(s[i + n]) || strchr(";&|)\n", s[i + n]));
}

/*
 * Is s[i], a "case" word inside $(...) starting at from, where a command starts: after a
 * separator, or after a reserved word that a command follows? (Not "echo case".)
 */
static int case_starts(const char *s, size_t from, size_t i)
{
	static const char *const before[] = { "then", "do", "else", "{", "!", "&&", "||" };
	size_t j = i;
	while (j > from && is_blank(s[j - 1]))
		j--;
	if (j == from || strchr(";&|(\n", s[j - 1]))
		return 1;
	for (size_t k = 0; k < sizeof(before) / sizeof(before[0]); k++) {
		size_t n = strlen(before[k]);
		if (j - from >= n && strncmp(s + j - n, before[k], n) == 0 &&
		    word_starts(s, from, j - n))
			return 1;
	}
	return 0;
}

/*
 * The index after the $(...), ${...} or `...` at i (nested ones, quotes and backslashes
 * inside taken into account), or 0 if it does not close. An unclosed ${ is only its two
 * characters: expansion reports it (a bad substitution). Inside $(...) a case command's
 * patterns end with a ')' of their own, which does not close it (POSIX 2.6.3).
 */
static size_t construct_end(const char *s, size_t i)
{
	if (s[i] == '`') {
		for (i++; s[i] != '`'; i += s[i] == '\\' && s[i + 1] ? 2 : 1)
			if (!s[i])
				return 0;
		return i + 1;
	}
	char open = s[i + 1], close = open == '(' ? ')' : '}';
	size_t start = i, depth = 1, cases = 0, from = i + 2;
	for (i += 2; s[i]; i++) {
		char c = s[i];
		if (open == '(' && reserved_at(s, from, i, "case") && case_starts(s, from, i)) {
			cases++, i += 3;
		} else if (open == '(' && cases && reserved_at(s, from, i, "esac")) {
			cases--, i += 3;
		} else if (c == ')' && depth == 1 && cases) {
			continue;		       /* a case pattern's end */
		} else if (c == '\'' && open == '(') { /* literal inside $( ), not inside ${ } */
			while (s[++i] != '\'')
				if (!s[i])
					return 0;
		} else if (c == '"') {
			if (!(i = dquote_end(s, i)))
				return 0;
			i--;
		} else if (c == '\\' && s[i + 1]) {
			i++;
		} else if (starts_construct(s, i)) {
			size_t e = construct_end(s, i);
			if (!e)
				return 0;
			i = e - 1;
		} else if (c == open) {
			depth++;
		} else if (c == close && --depth == 0) {
			return i + 1;
		}
	}
	return open == '{' ? start + 2 : 0;
}

/* The end of the word starting at i (quotes and backslashes kept), or 0 on an open quote. */
static size_t word_end(const char *s, size_t i)
{
	while (s[i] && !is_blank(s[i]) && s[i] != '\n' && !is_op_char(s[i])) {
		if (starts_construct(s, i))
			i = construct_end(s, i);
		else if (s[i] == '"')
			i = dquote_end(s, i);
		else if (s[i] == '\'')
			i = strchr(s + i + 1, '\'') ? (size_t)(strchr(s + i + 1, '\'') - s) + 1 : 0;
		else
			i += s[i] == '\\' && s[i + 1] ? 2 : 1;
		if (!i)
			return 0;
	}
	return i;
}

/* The io_number of a word [start, end): its value if all digits and a < or > follows. */
static int io_number(const char *s, size_t start, size_t end)
{
	int v = 0;
	if (s[end] != '<' && s[end] != '>')
		return -1;
	for (size_t i = start; i < end; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v > SH_FD_MAX ? v : v * 10 + (s[i] - '0');
	}
	return v;
}

/* A backslash and a newline: a line continuation, removed wherever it is unquoted (POSIX). */
static int continuation(const char *s, size_t i)
{
	return s[i] == '\\' && s[i + 1] == '\n';
}

/* Does the word [start, end) end with a backslash that quotes nothing (the text ends)? */
static int ends_continued(const char *s, size_t start, size_t end)
{
	size_t n = 0;
	while (end > start + n && s[end - 1 - n] == '\\')
		n++;
	return !s[end] && n % 2 == 1;
}

/* Read the token at p->pos into p->tok (without consuming it). */
static enum sh_status peek(struct parser *p)
{
	const char *s = p->line->text;
	while (is_blank(s[p->pos]) || continuation(s, p->pos))
		p->pos += is_blank(s[p->pos]) ? 1 : 2;
	if (s[p->pos] == '#')
		while (s[p->pos] && s[p->pos] != '\n')
			p->pos++;
	struct token *t = &p->tok;
	*t = (struct token){ .start = p->pos, .io_number = -1 };
	if (!s[p->pos]) {
		t->kind = TOK_END;
		return SH_OK;
	}
	if (s[p->pos] == '\n') {
		*t = (struct token){ TOK_NEWLINE, OP_COUNT, p->pos, 1, -1 };
		return SH_OK;
	}
	for (int op = 0; op < OP_COUNT; op++) {
		size_t n = strlen(op_text[op]);
		if (strncmp(s + p->pos, op_text[op], n) == 0) {
			*t = (struct token){ TOK_OP, (enum op_id)op, p->pos, n, -1 };
			return SH_OK;
		}
	}
	size_t end = word_end(s, p->pos);
	if (!end) {
		p->line->err_at = p->pos;
		return SH_ERR_QUOTE;
	}
	if (ends_continued(s, p->pos, end))
		p->line->continued = 1;
	*t = (struct token){ TOK_WORD, OP_COUNT, p->pos, end - p->pos, io_number(s, p->pos, end) };
	return SH_OK;
}

/* A here-document's word with its quotes taken out, into out (max bytes): 1 if quoted. */
static int unquote(const char *s, struct sh_word w, char *out, size_t max)
{
	size_t n = 0;
	int quoted = 0;
	char q = 0;
	for (size_t i = w.start; i < (size_t)w.start + w.len && n + 1 < max; i++) {
		if (s[i] == q) {
			q = 0;
		} else if (!q && (s[i] == '\'' || s[i] == '"')) {
			q = s[i], quoted = 1;
		} else if (s[i] == '\\' && q != '\'' && i + 1 < (size_t)w.start + w.len) {
			out[n++] = s[++i], quoted = 1;
		} else {
			out[n++] = s[i];
		}
	}
	out[n] = 0;
	return quoted;
}

/* The body of here-document r from p->pos: the lines up to its word's, which it skips.
 * SH_ERR_MORE when the text ends first. */
static enum sh_status read_body(struct parser *p, struct sh_redir *r)
{
	const char *s = p->line->text;
	char word[HEREDOC_WORD_MAX];
	if (unquote(s, r->target, word, sizeof(word)))
		r->flags |= SH_HEREDOC_QUOTED;
	size_t wlen = strlen(word), start = p->pos;
	for (size_t at = start; s[at];) {
		size_t text = at, eol = at;
		if (r->flags & SH_HEREDOC_STRIP)
			while (s[text] == '\t')
				text++;
		while (s[eol] && s[eol] != '\n')
			eol++;
		if (eol - text == wlen && memcmp(s + text, word, wlen) == 0) {
			r->body = (struct sh_word){ (uint16_t)start, (uint16_t)(at - start) };
			p->pos = s[eol] ? eol + 1 : eol;
			return SH_OK;
		}
		at = s[eol] ? eol + 1 : eol;
	}
	return SH_ERR_MORE;
}

/* Consume the current token and read the next; after a newline, the bodies of the
 * here-documents the line before it opened. */
static enum sh_status advance(struct parser *p)
{
	int newline = p->tok.kind == TOK_NEWLINE;
	p->pos = p->tok.start + p->tok.len;
	for (unsigned i = 0; newline && i < p->npending; i++) {
		enum sh_status st = read_body(p, &p->line->redirs[p->pending[i]]);
		if (st != SH_OK)
			return st;
	}
	if (newline)
		p->npending = 0;
	return peek(p);
}

/* A syntax error at the current token; at the end of a text inside a compound command, or
 * with a here-document still to come, more text is wanted instead. */
static enum sh_status syntax_error(struct parser *p)
{
	p->line->err_at = p->tok.start;
	if (p->tok.kind == TOK_END && (p->depth > 0 || p->npending > 0))
		return SH_ERR_MORE;
	return SH_ERR_SYNTAX;
}

static int is_op(const struct parser *p, enum op_id op)
{
	return p->tok.kind == TOK_OP && p->tok.op == op;
}

/* Is the current token the reserved word kw (unquoted, alone)? */
static int is_kw(const struct parser *p, const char *kw)
{
	size_t n = strlen(kw);
	return p->tok.kind == TOK_WORD && p->tok.io_number < 0 && p->tok.len == n &&
	       memcmp(p->line->text + p->tok.start, kw, n) == 0;
}

/* Where a list ends: a reserved word that closes or continues a compound command, ;; or ). */
static int ends_list(const struct parser *p)
{
	static const char *const closers[] = { "then", "elif", "else", "fi",
					       "do",   "done", "esac", "}" };
	if (p->tok.kind == TOK_END || is_op(p, OP_DSEMI) || is_op(p, OP_RPAREN))
		return 1;
	for (size_t i = 0; i < sizeof(closers) / sizeof(closers[0]); i++)
		if (is_kw(p, closers[i]))
			return 1;
	return 0;
}

static enum sh_status skip_newlines(struct parser *p)
{
	enum sh_status st = SH_OK;
	while (st == SH_OK && p->tok.kind == TOK_NEWLINE)
		st = advance(p);
	return st;
}

/* Take the reserved word kw, or fail. */
static enum sh_status expect(struct parser *p, const char *kw)
{
	return is_kw(p, kw) ? advance(p) : syntax_error(p);
}

static int is_redir_op(const struct token *t)
{
	return t->kind == TOK_OP &&
	       (t->op == OP_IN || t->op == OP_OUT || t->op == OP_APPEND || t->op == OP_DUP_IN ||
		t->op == OP_CLOBBER || t->op == OP_RDWR || t->op == OP_DUP_OUT ||
		t->op == OP_HEREDOC || t->op == OP_HEREDOC_STRIP);
}

static struct sh_word word_of(const struct token *t)
{
	return (struct sh_word){ (uint16_t)t->start, (uint16_t)t->len };
}

static enum sh_status add_word(struct parser *p)
{
	struct sh_line *l = p->line;
	if (l->nwords >= SH_WORDS_MAX)
		return SH_ERR_LIMIT;
	l->words[l->nwords++] = word_of(&p->tok);
	return SH_OK;
}

static uint8_t redir_kind(enum op_id op)
{
	switch (op) {
	case OP_IN:
		return SH_REDIR_IN;
	case OP_OUT:
	case OP_CLOBBER: /* >| : there is no noclobber to override, so it is > */
		return SH_REDIR_OUT;
	case OP_RDWR:
		return SH_REDIR_RDWR;
	case OP_APPEND:
		return SH_REDIR_APPEND;
	case OP_HEREDOC:
	case OP_HEREDOC_STRIP:
		return SH_REDIR_HEREDOC;
	default:
		return SH_REDIR_DUP;
	}
}

/* A redirection at the current token (an io_number word or the operator itself). */
static enum sh_status parse_redir(struct parser *p)
{
	struct sh_line *l = p->line;
	int fd = p->tok.io_number;
	enum sh_status st;
	if (fd >= 0 && (st = advance(p)) != SH_OK)
		return st;
	enum op_id op = p->tok.op;
	uint8_t kind = redir_kind(op);
	if (fd < 0)
		fd = (op == OP_IN || op == OP_DUP_IN || op == OP_RDWR || kind == SH_REDIR_HEREDOC)
			     ? 0
			     : 1;
	if (fd > SH_FD_MAX) {
		l->err_at = p->tok.start;
		return SH_ERR_FD;
	}
	if ((st = advance(p)) != SH_OK)
		return st;
	if (p->tok.kind != TOK_WORD)
		return syntax_error(p);
	if (l->nredirs >= SH_REDIRS_MAX)
		return SH_ERR_LIMIT;
	uint8_t flags = op == OP_HEREDOC_STRIP ? SH_HEREDOC_STRIP : 0;
	l->redirs[l->nredirs] =
		(struct sh_redir){ (uint8_t)fd, kind, flags, word_of(&p->tok), { 0, 0 } };
	if (kind == SH_REDIR_HEREDOC)
		p->pending[p->npending++] = (uint8_t)l->nredirs;
	l->nredirs++;
	return advance(p);
}

/* A word of the command: an assignment while only assignments came before it. */
static enum sh_status parse_word(struct parser *p, struct sh_cmd *c)
{
	struct sh_line *l = p->line;
	enum sh_status st = add_word(p);
	if (st != SH_OK)
		return st;
	if (c->nwords == c->nassign && sh_assignment(l, word_of(&p->tok)))
		c->nassign++;
	c->nwords++;
	return advance(p);
}

static enum sh_status parse_list(struct parser *p, uint8_t *first);

/* A list that must hold a command (a condition, a body): its first pipeline. */
static enum sh_status parse_body(struct parser *p, uint8_t *first)
{
	enum sh_status st = parse_list(p, first);
	return st != SH_OK ? st : *first == SH_NONE ? syntax_error(p) : SH_OK;
}

/* A new command of kind k (the caller fills it): its index, or -1 at the limit. */
static int new_cmd(struct sh_line *l, uint8_t k)
{
	if (l->ncmds >= SH_CMDS_MAX)
		return -1;
	l->cmds[l->ncmds] = (struct sh_cmd){ .kind = k,
					     .first_word = (uint8_t)l->nwords,
					     .first_redir = (uint8_t)l->nredirs,
					     .list = { SH_NONE, SH_NONE, SH_NONE },
					     .next = SH_NONE };
	return (int)l->ncmds++;
}

/* After "if" or "elif": the condition, "then" and its list, and what follows, to "fi". */
static enum sh_status parse_if_rest(struct parser *p, int c)
{
	struct sh_line *l = p->line;
	enum sh_status st;
	if ((st = parse_body(p, &l->cmds[c].list[0])) != SH_OK ||
	    (st = expect(p, "then")) != SH_OK || (st = parse_body(p, &l->cmds[c].list[1])) != SH_OK)
		return st;
	if (is_kw(p, "else")) {
		if ((st = advance(p)) != SH_OK ||
		    (st = parse_body(p, &l->cmds[c].list[2])) != SH_OK)
			return st;
		return expect(p, "fi");
	}
	if (!is_kw(p, "elif"))
		return expect(p, "fi");
	/* elif: the else part is a pipeline of one if command */
	int inner = new_cmd(l, SH_CMD_IF);
	if (inner < 0 || l->npipelines >= SH_PIPELINES_MAX)
		return SH_ERR_LIMIT;
	l->pipelines[l->npipelines] =
		(struct sh_pipeline){ (uint8_t)inner, 1, SH_OP_END, SH_NONE, 0 };
	l->cmds[c].list[2] = (uint8_t)l->npipelines++;
	return (st = advance(p)) != SH_OK ? st : parse_if_rest(p, inner);
}

/* "do" list "done" into list[1] of command c. */
static enum sh_status parse_do(struct parser *p, int c)
{
	enum sh_status st = expect(p, "do");
	if (st == SH_OK)
		st = parse_body(p, &p->line->cmds[c].list[1]);
	return st == SH_OK ? expect(p, "done") : st;
}

static enum sh_status parse_for(struct parser *p, int c)
{
	struct sh_line *l = p->line;
	enum sh_status st;
	struct sh_word name = word_of(&p->tok);
	if (p->tok.kind != TOK_WORD || !is_name_start(l->text[name.start]))
		return syntax_error(p);
	for (size_t i = 0; i < name.len; i++)
		if (!is_name_char(l->text[name.start + i]))
			return syntax_error(p);
	if ((st = add_word(p)) != SH_OK || (st = advance(p)) != SH_OK ||
	    (st = skip_newlines(p)) != SH_OK)
		return st;
	l->cmds[c].nwords = 1;
	if (is_kw(p, "in")) {
		l->cmds[c].has_in = 1;
		if ((st = advance(p)) != SH_OK)
			return st;
		while (p->tok.kind == TOK_WORD) {
			if ((st = add_word(p)) != SH_OK || (st = advance(p)) != SH_OK)
				return st;
			l->cmds[c].nwords++;
		}
	}
	if (is_op(p, OP_SEMI) || p->tok.kind == TOK_NEWLINE) {
		if ((st = advance(p)) != SH_OK || (st = skip_newlines(p)) != SH_OK)
			return st;
	} else if (!is_kw(p, "do")) {
		return syntax_error(p);
	}
	return parse_do(p, c);
}

/* One case item: its patterns, ")" and its list (";;" after it is taken by the caller). */
static enum sh_status parse_item(struct parser *p, uint8_t *index)
{
	struct sh_line *l = p->line;
	enum sh_status st;
	if (l->nitems >= SH_ITEMS_MAX)
		return SH_ERR_LIMIT;
	struct sh_item *it = &l->items[l->nitems];
	*it = (struct sh_item){ (uint8_t)l->nwords, 0, SH_NONE, SH_NONE };
	*index = (uint8_t)l->nitems++;
	if (is_op(p, OP_LPAREN) && (st = advance(p)) != SH_OK)
		return st;
	for (;;) {
		if (p->tok.kind != TOK_WORD)
			return syntax_error(p);
		if ((st = add_word(p)) != SH_OK || (st = advance(p)) != SH_OK)
			return st;
		it->nwords++;
		if (!is_op(p, OP_PIPE))
			break;
		if ((st = advance(p)) != SH_OK)
			return st;
	}
	if (!is_op(p, OP_RPAREN))
		return syntax_error(p);
	if ((st = advance(p)) != SH_OK)
		return st;
	return parse_list(p, &it->list);
}

static enum sh_status parse_case(struct parser *p, int c)
{
	struct sh_line *l = p->line;
	enum sh_status st;
	uint8_t *link = &l->cmds[c].list[0];
	if (p->tok.kind != TOK_WORD)
		return syntax_error(p);
	if ((st = add_word(p)) != SH_OK || (st = advance(p)) != SH_OK ||
	    (st = skip_newlines(p)) != SH_OK || (st = expect(p, "in")) != SH_OK)
		return st;
	l->cmds[c].nwords = 1;
	for (;;) {
		if ((st = skip_newlines(p)) != SH_OK)
			return st;
		if (is_kw(p, "esac"))
			return advance(p);
		if ((st = parse_item(p, link)) != SH_OK)
			return st;
		link = &l->items[*link].next;
		if (is_op(p, OP_DSEMI)) {
			if ((st = advance(p)) != SH_OK)
				return st;
		} else if (!is_kw(p, "esac")) {
			return syntax_error(p);
		}
	}
}

/* A compound command at its reserved word (kind k), then its redirections. */
static enum sh_status parse_compound(struct parser *p, uint8_t k, uint8_t *index)
{
	struct sh_line *l = p->line;
	enum sh_status st;
	int c = new_cmd(l, k);
	if (c < 0)
		return SH_ERR_LIMIT;
	*index = (uint8_t)c;
	p->depth++;
	if ((st = advance(p)) != SH_OK)
		return st;
	switch (k) {
	case SH_CMD_IF:
		st = parse_if_rest(p, c);
		break;
	case SH_CMD_FOR:
		st = parse_for(p, c);
		break;
	case SH_CMD_CASE:
		st = parse_case(p, c);
		break;
	case SH_CMD_GROUP:
		if ((st = parse_body(p, &l->cmds[c].list[0])) == SH_OK)
			st = expect(p, "}");
		break;
	case SH_CMD_SUBSHELL:
		if ((st = parse_body(p, &l->cmds[c].list[0])) == SH_OK)
			st = is_op(p, OP_RPAREN) ? advance(p) : syntax_error(p);
		break;
	default: /* while, until */
		if ((st = parse_body(p, &l->cmds[c].list[0])) == SH_OK)
			st = parse_do(p, c);
	}
	if (st != SH_OK)
		return st;
	p->depth--;
	l->cmds[c].first_redir = (uint8_t)l->nredirs;
	while (st == SH_OK && (p->tok.io_number >= 0 || is_redir_op(&p->tok)))
		st = parse_redir(p);
	l->cmds[c].nredirs = (uint8_t)(l->nredirs - l->cmds[c].first_redir);
	return st;
}

/* The compound command the current token starts, or SH_CMD_SIMPLE. */
static uint8_t compound_kind(const struct parser *p)
{
	return is_kw(p, "if")	     ? SH_CMD_IF
	       : is_kw(p, "while")   ? SH_CMD_WHILE
	       : is_kw(p, "until")   ? SH_CMD_UNTIL
	       : is_kw(p, "for")     ? SH_CMD_FOR
	       : is_kw(p, "case")    ? SH_CMD_CASE
	       : is_kw(p, "{")	     ? SH_CMD_GROUP
	       : is_op(p, OP_LPAREN) ? SH_CMD_SUBSHELL
				     : SH_CMD_SIMPLE;
}

/* Is the current token a name followed by "()" (a function definition)? */
static int at_function(const struct parser *p)
{
	const char *s = p->line->text;
	size_t i = p->tok.start + p->tok.len;
	if (p->tok.kind != TOK_WORD || p->tok.io_number >= 0 || !is_name_start(s[p->tok.start]))
		return 0;
	for (size_t k = p->tok.start; k < i; k++)
		if (!is_name_char(s[k]))
			return 0;
	while (is_blank(s[i]))
		i++;
	if (s[i++] != '(')
		return 0;
	while (is_blank(s[i]))
		i++;
	return s[i] == ')';
}

/*
 * NAME() compound-command: the name and the compound's text in two words (the shell keeps
 * the text and parses it again at each call); the compound is parsed here too, for its
 * syntax.
 */
static enum sh_status parse_function(struct parser *p, uint8_t *index)
{
	struct sh_line *l = p->line;
	enum sh_status st;
	int c = new_cmd(l, SH_CMD_FUNC);
	if (c < 0)
		return SH_ERR_LIMIT;
	*index = (uint8_t)c;
	if ((st = add_word(p)) != SH_OK || (st = add_word(p)) != SH_OK)
		return st; /* the name, and room for the body's text */
	l->cmds[c].nwords = 2;
	if ((st = advance(p)) != SH_OK || (st = advance(p)) != SH_OK || (st = advance(p)) != SH_OK)
		return st; /* past "(" and ")" */
	p->depth++;
	if ((st = skip_newlines(p)) != SH_OK)
		return st;
	uint8_t k = compound_kind(p), body;
	size_t start = p->tok.start;
	if (k == SH_CMD_SIMPLE)
		return syntax_error(p);
	if ((st = parse_compound(p, k, &body)) != SH_OK)
		return st;
	p->depth--;
	size_t end = p->tok.start;
	while (end > start && (is_blank(l->text[end - 1]) || l->text[end - 1] == '\n'))
		end--;
	l->words[l->cmds[c].first_word + 1] =
		(struct sh_word){ (uint16_t)start, (uint16_t)(end - start) };
	return SH_OK;
}

/* One command: compound, or simple (words and redirections, at least one of them). */
static enum sh_status parse_command(struct parser *p, uint8_t *index)
{
	struct sh_line *l = p->line;
	enum sh_status st = SH_OK;
	uint8_t k = compound_kind(p);
	if (k != SH_CMD_SIMPLE)
		return parse_compound(p, k, index);
	if (at_function(p))
		return parse_function(p, index);
	if (ends_list(p) && p->tok.kind != TOK_END)
		return syntax_error(p); /* a reserved word where a command must be */
	int ci = new_cmd(l, SH_CMD_SIMPLE);
	if (ci < 0)
		return SH_ERR_LIMIT;
	*index = (uint8_t)ci;
	struct sh_cmd *c = &l->cmds[ci];
	for (;;) {
		if (p->tok.io_number >= 0 || is_redir_op(&p->tok))
			st = parse_redir(p);
		else if (p->tok.kind == TOK_WORD)
			st = parse_word(p, c);
		else
			break;
		if (st != SH_OK)
			return st;
	}
	c->nredirs = (uint8_t)(l->nredirs - c->first_redir);
	return c->nwords || c->nredirs ? SH_OK : syntax_error(p);
}

static enum sh_status parse_pipeline(struct parser *p, uint8_t *index)
{
	struct sh_line *l = p->line;
	enum sh_status st;
	if (l->npipelines >= SH_PIPELINES_MAX)
		return SH_ERR_LIMIT;
	*index = (uint8_t)l->npipelines;
	struct sh_pipeline *pl = &l->pipelines[l->npipelines++];
	*pl = (struct sh_pipeline){ (uint8_t)l->ncmds, 0, SH_OP_END, SH_NONE, 0 };
	uint8_t *link = &pl->first_cmd;
	if (is_kw(p, "!")) {
		pl->negate = 1;
		if ((st = advance(p)) != SH_OK)
			return st;
	}
	for (;;) {
		if ((st = parse_command(p, link)) != SH_OK)
			return st;
		link = &l->cmds[*link].next;
		pl->ncmds++;
		if (!is_op(p, OP_PIPE))
			return SH_OK;
		if ((st = advance(p)) != SH_OK || (st = skip_newlines(p)) != SH_OK)
			return st;
	}
}

/* Pipelines joined by && and ||, chained from *first; *last is the last one. */
static enum sh_status parse_and_or(struct parser *p, uint8_t *first, uint8_t *last)
{
	struct sh_line *l = p->line;
	enum sh_status st;
	uint8_t *link = first;
	for (;;) {
		if ((st = parse_pipeline(p, link)) != SH_OK)
			return st;
		*last = *link;
		link = &l->pipelines[*link].next;
		if (!is_op(p, OP_AND) && !is_op(p, OP_OR))
			return SH_OK;
		l->pipelines[*last].op = is_op(p, OP_AND) ? SH_OP_AND : SH_OP_OR;
		if ((st = advance(p)) != SH_OK || (st = skip_newlines(p)) != SH_OK)
			return st;
	}
}

/* A list: and-or lists ended by ';', '&' or a newline, up to what ends it (ends_list). */
static enum sh_status parse_list(struct parser *p, uint8_t *first)
{
	struct sh_line *l = p->line;
	enum sh_status st;
	uint8_t *link = first, last;
	*first = SH_NONE;
	for (;;) {
		if ((st = skip_newlines(p)) != SH_OK)
			return st;
		if (ends_list(p))
			return SH_OK;
		if ((st = parse_and_or(p, link, &last)) != SH_OK)
			return st;
		link = &l->pipelines[last].next;
		if (is_op(p, OP_SEMI) || is_op(p, OP_BG)) {
			l->pipelines[last].op = is_op(p, OP_BG) ? SH_OP_BG : SH_OP_END;
			if ((st = advance(p)) != SH_OK)
				return st;
		} else if (p->tok.kind != TOK_NEWLINE && !ends_list(p)) {
			return syntax_error(p);
		}
	}
}

enum sh_status sh_parse(const char *text, struct sh_line *line)
{
	struct parser p = { line, 0, { 0 }, 0, 0, { 0 } };
	enum sh_status st;
	line->text = text;
	line->err_at = 0;
	line->nwords = line->nredirs = line->ncmds = line->npipelines = line->nitems = 0;
	line->continued = 0;
	line->list = SH_NONE;
	if (strnlen(text, SH_TEXT_MAX + 1) > SH_TEXT_MAX)
		return SH_ERR_LIMIT; /* words are 16-bit offsets into the text */
	if ((st = peek(&p)) != SH_OK || (st = parse_list(&p, &line->list)) != SH_OK)
		return st;
	if (p.tok.kind != TOK_END)
		return syntax_error(&p);
	return p.npending ? SH_ERR_MORE : SH_OK;
}

const char *sh_strerror(enum sh_status s)
{
	switch (s) {
	case SH_OK:
		return "no error";
	case SH_ERR_QUOTE:
		return "unterminated quote";
	case SH_ERR_SYNTAX:
		return "syntax error";
	case SH_ERR_LIMIT:
		return "line too long (too many words, commands or redirections)";
	case SH_ERR_FD:
		return "bad file descriptor in redirection";
	case SH_ERR_SUBST:
		return "bad substitution";
	case SH_ERR_LONG:
		return "word too long";
	case SH_ERR_MORE:
		return "unexpected end of input";
	case SH_ERR_ARITH:
		return "bad arithmetic expression";
	case SH_ERR_UNSET:
		return "parameter null or not set";
	}
	return "unknown error";
}

size_t sh_assignment(const struct sh_line *line, struct sh_word w)
{
	const char *s = line->text + w.start;
	size_t n = 0;
	if (!w.len || !is_name_start(s[0]))
		return 0;
	while (n < w.len && is_name_char(s[n]))
		n++;
	return n < w.len && s[n] == '=' ? n : 0;
}

/* ---- expansion ------------------------------------------------------------------- */

#define MODE_PATTERN   1    /* text quotes protect is escaped for glob (sh_pattern, sh_fields) */
#define MODE_FIELDS    2    /* unquoted values are split into NUL-separated fields (sh_fields) */
#define VALUE_MAX      4096 /* a nested text: ${NAME=word}'s word, $((...)), `...` */
#define TILDE_NAME_MAX 256  /* the longest login name a "~name" looks up */
#define ARITH_DEPTH    64   /* parentheses and operators nested in $((...)) */
#define WALK_DEPTH     32   /* ${...}, $((...)) and `...` nested inside one another */
#define DEFAULT_IFS    " \t\n"

enum escape { ESC_NONE, ESC_BACKSLASH, ESC_ALL };

/*
 * Where expansion writes: out, its capacity, how much is used; in MODE_FIELDS the fields
 * made so far, whether the one being made is a field yet (it has text or quotes), and
 * whether a separator came since its last text.
 */
struct outbuf {
	char *p;
	size_t cap, len;
	int full, mode, nfields, real, brk;
};

/* One expansion: the shell's functions and where it writes. */
struct xp {
	const struct sh_env *env;
	struct outbuf *o;
};

static void field_end(struct outbuf *o)
{
	if (o->len >= o->cap) {
		o->full = 1;
		return;
	}
	o->p[o->len++] = 0;
	o->nfields++;
	o->real = 0;
}

/* A separator came, and now text: the field before it ends (if it is one). */
static void resolve_break(struct outbuf *o)
{
	if (o->brk && o->real)
		field_end(o);
	o->brk = 0;
}

static void put(struct outbuf *o, const char *s, size_t n)
{
	if (!n)
		return;
	resolve_break(o);
	if (o->full || n >= o->cap - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->real = 1;
}

/* Quotes make a field even when nothing is between them (""). */
static void mark_quoted(struct outbuf *o)
{
	resolve_break(o);
	o->real = 1;
}

/* Append n bytes of s, escaped for glob as esc says. */
static void put_text(struct outbuf *o, const char *s, size_t n, enum escape esc)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if ((esc == ESC_ALL &&
		     (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\')) ||
		    (esc == ESC_BACKSLASH && c == '\\'))
			put(o, "\\", 1);
		put(o, &s[i], 1);
	}
}

static const char *env_get(const struct sh_env *env, const char *name, size_t len)
{
	return env->lookup ? env->lookup(env->ctx, name, len) : 0;
}

/*
 * The value of an expansion: inside double quotes as it is (escaped for a pattern);
 * outside, in MODE_FIELDS, split at $IFS's characters (POSIX): runs of its white space
 * separate fields and are dropped at either end; each other character of it ends a
 * field, an empty one too ("a::b" is three fields), taking the white space around it.
 */
static void put_value(struct xp *x, const char *v, size_t n, int inq)
{
	struct outbuf *o = x->o;
	if (!(o->mode & MODE_FIELDS)) {
		put_text(o, v, n, inq && (o->mode & MODE_PATTERN) ? ESC_ALL : ESC_NONE);
		return;
	}
	if (inq) {
		put_text(o, v, n, ESC_ALL);
		return;
	}
	const char *ifs = env_get(x->env, "IFS", 3);
	ifs = ifs ? ifs : DEFAULT_IFS;
	for (size_t i = 0; i < n; i++) {
		if (!v[i] || !strchr(ifs, v[i])) {
			put_text(o, v + i, 1, ESC_BACKSLASH);
		} else if (is_blank(v[i]) || v[i] == '\n') {
			o->brk = 1;
		} else {
			field_end(o);
			o->brk = 0;
		}
	}
}

static long walk(struct xp *x, const char *s, size_t i, size_t end, char q, int *quoted);

/* Expand s[a, b) as plain text (quotes removed) into buf (VALUE_MAX): 0 or -SH_ERR_. */
static long expand_plain(const struct xp *x, const char *s, size_t a, size_t b, char *buf)
{
	struct outbuf t = { buf, VALUE_MAX, 0, 0, 0, 0, 0, 0 };
	struct xp inner = { x->env, &t };
	int quoted;
	long r = walk(&inner, s, a, b, 0, &quoted);
	if (r < 0)
		return r;
	if (t.full)
		return -SH_ERR_LONG;
	buf[t.len] = 0;
	return 0;
}

/* The positional parameters for $@ and $* (which), joined or as fields ("$@"). */
static void put_params(struct xp *x, char which, int inq)
{
	struct outbuf *o = x->o;
	const char *count = env_get(x->env, "#", 1), *ifs = env_get(x->env, "IFS", 3);
	long n = count ? strtol(count, 0, 10) : 0;
	char sep = which == '*' && inq ? (ifs ? ifs[0] : ' ') : ' ';
	for (long k = 1; k <= n; k++) {
		char name[24];
		int len = snprintf(name, sizeof(name), "%ld", k);
		const char *v = env_get(x->env, name, (size_t)len);
		if (k > 1 && (o->mode & MODE_FIELDS) && !inq)
			o->brk = 1;
		else if (k > 1 && (o->mode & MODE_FIELDS) && which == '@')
			field_end(o); /* "$@": one field each */
		else if (k > 1 && sep)
			put_text(o, &sep, 1, ESC_NONE);
		if (v)
			put_value(x, v, strlen(v), inq);
		if (inq)
			o->real = 1;
	}
}

/* Is s[i] a one-character special parameter? */
static int is_special(char c)
{
	return c && strchr("?$!#*@-", c);
}

/* The length of the parameter name at s[i] (before end): a special, digits or a name. */
static size_t param_len(const char *s, size_t i, size_t end, int braced)
{
	size_t n = 0;
	if (i >= end)
		return 0;
	if (is_special(s[i]))
		return 1;
	if (s[i] >= '0' && s[i] <= '9') {
		if (!braced)
			return 1; /* $10 is $1 then 0 */
		while (i + n < end && s[i + n] >= '0' && s[i + n] <= '9')
			n++;
		return n;
	}
	while (i + n < end && is_name_char(s[i + n]) && (n || is_name_start(s[i])))
		n++;
	return n;
}

/*
 * The value of parameter s[name, name+n) into the output (specials $@ and $* included):
 * 0, or -SH_ERR_UNSET for an unset one under set -u (env->nounset).
 */
static long put_param(struct xp *x, const char *s, size_t name, size_t n, int inq)
{
	if (n == 1 && (s[name] == '@' || s[name] == '*')) {
		put_params(x, s[name], inq);
		return 0;
	}
	const char *v = env_get(x->env, s + name, n);
	if (v)
		put_value(x, v, strlen(v), inq);
	return v || !x->env->nounset ? 0 : -SH_ERR_UNSET;
}

/* Expand s[a, b) as a pattern (quoted text escaped) into buf (VALUE_MAX): 0 or -SH_ERR_. */
static long expand_pattern(const struct xp *x, const char *s, size_t a, size_t b, char *buf)
{
	struct outbuf t = { buf, VALUE_MAX, 0, 0, MODE_PATTERN, 0, 0, 0 };
	struct xp inner = { x->env, &t };
	int quoted;
	long r = walk(&inner, s, a, b, 0, &quoted);
	if (r < 0)
		return r;
	if (t.full)
		return -SH_ERR_LONG;
	buf[t.len] = 0;
	return 0;
}

/*
 * ${NAME%word}, ${NAME%%word}: the value without the shortest (longest) end that the
 * pattern word matches; ${NAME#word}, ${NAME##word}: without such a start. op at s[at].
 */
static long trim(struct xp *x, const char *s, size_t at, size_t last, const char *v, int inq)
{
	char pat[VALUE_MAX], val[VALUE_MAX];
	int suffix = s[at] == '%', longest = s[at + 1] == s[at];
	size_t len = v ? strlen(v) : 0, keep = 0, from = 0;
	long r = expand_pattern(x, s, at + 1 + longest, last, pat);
	if (r < 0)
		return r;
	if (len >= sizeof(val))
		return -SH_ERR_LONG;
	memcpy(val, v ? v : "", len + 1);
	for (size_t k = 0; k <= len; k++) {
		size_t cut = suffix == longest ? k : len - k; /* where the end or start is cut */
		int match;
		if (suffix) {
			match = fnmatch(pat, val + cut, 0) == 0;
		} else {
			char c = val[cut];
			val[cut] = 0;
			match = fnmatch(pat, val, 0) == 0;
			val[cut] = c;
		}
		if (match) {
			keep = suffix ? cut : len - cut, from = suffix ? 0 : cut;
			break;
		}
		keep = len;
	}
	put_value(x, val + from, keep, inq);
	return 0;
}

/*
 * ${...} at s[i] (close: the index after its '}'): ${NAME}, ${#NAME}, ${NAME%word} and
 * its kin (trim), and
 * ${NAME[:]-word}, ${NAME[:]=word}, ${NAME[:]+word}, ${NAME[:]?word}.
 */
static long dollar_braced(struct xp *x, const char *s, size_t i, size_t close, int inq)
{
	size_t name = i + 2, last = close - 1; /* last: the '}' */
	int length = s[name] == '#' && name + 1 < last;
	name += length;
	size_t n = param_len(s, name, last, 1), at = name + n;
	if (!n)
		return -SH_ERR_SUBST;
	const char *v = env_get(x->env, s + name, n);
	if (length) {
		char num[24];
		if (at != last)
			return -SH_ERR_SUBST;
		if (!v && x->env->nounset)
			return -SH_ERR_UNSET;
		int len = snprintf(num, sizeof(num), "%zu", v ? strlen(v) : (size_t)0);
		put_value(x, num, (size_t)len, inq);
		return (long)close;
	}
	if (at == last) {
		long r = put_param(x, s, name, n, inq);
		return r < 0 ? r : (long)close;
	}
	if (s[at] == '%' || s[at] == '#') {
		if (!v && x->env->nounset)
			return -SH_ERR_UNSET;
		long r = trim(x, s, at, last, v, inq);
		return r < 0 ? r : (long)close;
	}
	int colon = s[at] == ':';
	char op = s[at + colon];
	if (!strchr("-=+?", op) || !op)
		return -SH_ERR_SUBST;
	size_t word = at + colon + 1;
	int use_word = colon ? (!v || !*v) : !v; /* unset, or (with ':') empty */
	if (op == '+')
		use_word = !use_word;
	if (!use_word) {
		if (op != '+')
			put_param(x, s, name, n, inq); /* set (or empty, without ':'): no error */
		return (long)close;
	}
	if (op == '?')
		return -SH_ERR_UNSET;
	if (op == '-' || op == '+') {
		int quoted;
		long r = walk(x, s, word, last, inq ? '"' : 0, &quoted);
		return r < 0 ? r : (long)close;
	}
	char buf[VALUE_MAX]; /* '=': the word, plain, is assigned and is the value */
	long r = expand_plain(x, s, word, last, buf);
	if (r < 0)
		return r;
	if (!is_name_start(s[name]) || !x->env->assign ||
	    x->env->assign(x->env->ctx, s + name, n, buf) != 0)
		return -SH_ERR_SUBST;
	put_value(x, buf, strlen(buf), inq);
	return (long)close;
}

/* $NAME, $digit or a special at s[i]: its value; a $ before nothing of these is itself. */
static long dollar(struct xp *x, const char *s, size_t i, size_t end, int inq)
{
	size_t n = param_len(s, i + 1, end, 0);
	if (!n) {
		put_text(x->o, "$", 1, ESC_NONE);
		return (long)i + 1;
	}
	long r = put_param(x, s, i + 1, n, inq);
	return r < 0 ? r : (long)(i + 1 + n);
}

/* The output of text (len bytes) run by the shell, as a value. */
static void put_command(struct xp *x, const char *text, size_t len, int inq)
{
	const char *v = x->env->command ? x->env->command(x->env->ctx, text, len) : 0;
	if (v)
		put_value(x, v, strlen(v), inq);
}

/* `...` at s[i]: the text between, a backslash before $, ` or \ (and " inside "...") gone. */
static long backquote(struct xp *x, const char *s, size_t i, size_t end, int inq)
{
	char buf[VALUE_MAX];
	size_t n = 0, j = i + 1;
	for (; j < end && s[j] != '`'; j++) {
		if (s[j] == '\\' && j + 1 < end &&
		    (s[j + 1] == '$' || s[j + 1] == '`' || s[j + 1] == '\\' ||
		     (inq && s[j + 1] == '"')))
			j++;
		if (n + 1 >= sizeof(buf))
			return -SH_ERR_LONG;
		buf[n++] = s[j];
	}
	if (j >= end) { /* no closing one (a here-document's text): a plain character */
		put_text(x->o, "`", 1, ESC_NONE);
		return (long)i + 1;
	}
	buf[n] = 0;
	put_command(x, buf, n, inq);
	return (long)j + 1;
}

/* $((expr)) with expr at s[a, b): expanded, evaluated, its decimal value. */
static long arith_subst(struct xp *x, const char *s, size_t a, size_t b, int inq)
{
	char buf[VALUE_MAX], num[24];
	long v, r = expand_plain(x, s, a, b, buf);
	if (r < 0 || (r = sh_arith(buf, x->env, &v)) < 0)
		return r;
	int len = snprintf(num, sizeof(num), "%ld", v);
	put_value(x, num, (size_t)len, inq);
	return 0;
}

/* Are the parentheses of s[a, b) balanced? */
static int balanced(const char *s, size_t a, size_t b)
{
	long depth = 0;
	for (size_t k = a; k < b && depth >= 0; k++)
		depth += s[k] == '(' ? 1 : s[k] == ')' ? -1 : 0;
	return depth == 0;
}

/* A $ or ` at s[i] (i < end), outside single quotes: its expansion; the index after it. */
static long expand_one(struct xp *x, const char *s, size_t i, size_t end, int inq)
{
	if (s[i] == '`')
		return backquote(x, s, i, end, inq);
	size_t e = s[i + 1] == '(' || s[i + 1] == '{' ? construct_end(s, i) : 0;
	if (s[i + 1] == '{')
		return e > i + 2 && e <= end ? dollar_braced(x, s, i, e, inq) : -SH_ERR_SUBST;
	if (s[i + 1] != '(')
		return dollar(x, s, i, end, inq);
	if (!e || e > end) { /* unclosed (a here-document's text): plain characters */
		put_text(x->o, "$", 1, ESC_NONE);
		return (long)i + 1;
	}
	if (s[i + 2] == '(' && s[e - 2] == ')' && e >= i + 5 && balanced(s, i + 3, e - 2)) {
		long r = arith_subst(x, s, i + 3, e - 2, inq);
		return r < 0 ? r : (long)e;
	}
	put_command(x, s + i + 2, e - 1 - (i + 2), inq);
	return (long)e;
}

/* Inside "...": a backslash quotes only $, `, ", \ and a newline. */
static int dquote_escapable(char c)
{
	return c == '$' || c == '`' || c == '"' || c == '\\' || c == '\n';
}

/*
 * The walk of s[i, end) starting inside quote q (0: none): quotes removed, $ and `
 * replaced. For a pattern, the text that quotes or a backslash protect goes escaped
 * (unquoted values do not: POSIX expands their wildcards too). 0, or -SH_ERR_.
 */
static long walk_text(struct xp *x, const char *s, size_t i, size_t end, char q, int *quoted);

/* The walk, with nesting bounded: each level of it may hold a VALUE_MAX buffer. */
static long walk(struct xp *x, const char *s, size_t i, size_t end, char q, int *quoted)
{
	static unsigned depth;
	*quoted = 0;
	if (depth >= WALK_DEPTH)
		return -SH_ERR_LONG;
	depth++;
	long r = walk_text(x, s, i, end, q, quoted);
	depth--;
	return r;
}

static long walk_text(struct xp *x, const char *s, size_t i, size_t end, char q, int *quoted)
{
	struct outbuf *o = x->o;
	enum escape quoted_esc = (o->mode & MODE_PATTERN) ? ESC_ALL : ESC_NONE;
	while (i < end) {
		char c = s[i];
		if (q != '\'' && continuation(s, i)) {
			i += 2; /* a line continuation: nothing */
		} else if ((c == '$' || c == '`') && q != '\'') {
			long next = expand_one(x, s, i, end, q == '"');
			if (next < 0)
				return next;
			i = (size_t)next;
		} else if (c == q) {
			q = 0, i++;
		} else if (!q && (c == '\'' || c == '"')) {
			q = c, *quoted = 1, i++;
			mark_quoted(o);
		} else if (c == '\\' && i + 1 < end &&
			   (!q || (q == '"' && dquote_escapable(s[i + 1])))) {
			put_text(o, s + i + 1, 1, quoted_esc);
			*quoted = 1, i += 2;
		} else {
			put_text(o, s + i, 1, q ? quoted_esc : ESC_NONE), i++;
		}
	}
	return 0;
}

/*
 * Tilde expansion (POSIX 2.6.1) at s[i]: a '~' and the characters up to the first '/' (in
 * an assignment, or ':'; or the end), none of them quoted or expanded, is $HOME for "~" and the user's home
 * directory for "~name"; the result is as if quoted (no field splitting, no pathname
 * expansion). Where to go on from: past the prefix, or i when there is nothing to
 * expand (no '~', quotes in the prefix, HOME unset, no such user: the text stays).
 */
static size_t tilde(struct xp *x, const char *s, size_t i, size_t end, int in_assignment,
		    int *quoted)
{
	size_t j = i + 1;
	if (i >= end || s[i] != '~')
		return i;
	while (j < end && s[j] != '/' && !(in_assignment && s[j] == ':')) {
		if (strchr("'\"\\$`", s[j]))
			return i;
		j++;
	}
	char name[TILDE_NAME_MAX];
	const char *home;
	if (j == i + 1) {
		home = env_get(x->env, "HOME", 4);
	} else if (j - i - 1 < sizeof(name)) {
		memcpy(name, s + i + 1, j - i - 1);
		name[j - i - 1] = 0;
		struct passwd *pw = getpwnam(name);
		home = pw ? pw->pw_dir : 0;
	} else {
		home = 0;
	}
	if (!home)
		return i;
	put_text(x->o, home, strlen(home), (x->o->mode & MODE_PATTERN) ? ESC_ALL : ESC_NONE);
	mark_quoted(x->o);
	*quoted = 1;
	return j;
}

/* The length of "NAME=" that starts an assignment word s[a, b), or 0. */
static size_t assignment_prefix(const char *s, size_t a, size_t b)
{
	size_t i = a;
	if (i >= b || !is_name_start(s[i]))
		return 0;
	while (i < b && is_name_char(s[i]))
		i++;
	return i < b && s[i] == '=' ? i + 1 - a : 0;
}

/* The end of a quoted or substituted part that starts at s[i] (a quote, '$' or '`'). */
static size_t skip_part(const char *s, size_t i, size_t end)
{
	char open = s[i];
	if (open == '\'' || open == '`' || open == '"') {
		for (i++; i < end && s[i] != open; i++)
			if (s[i] == '\\' && open != '\'' && i + 1 < end)
				i++;
		return i < end ? i + 1 : end;
	}
	if (open == '$' && i + 1 < end && (s[i + 1] == '(' || s[i + 1] == '{')) {
		int depth = 0;
		for (i++; i < end; i++) {
			if (s[i] == '\'' || s[i] == '"' || s[i] == '`') {
				i = skip_part(s, i, end) - 1;
				continue;
			}
			depth += s[i] == '(' || s[i] == '{';
			depth -= s[i] == ')' || s[i] == '}';
			if (depth == 0)
				return i + 1;
		}
		return end;
	}
	return i + 1;
}

/* The next ':' at s[i, end) outside quotes and substitutions, or end. */
static size_t next_colon(const char *s, size_t i, size_t end)
{
	while (i < end && s[i] != ':') {
		if (s[i] == '\\')
			i = i + 2 < end ? i + 2 : end;
		else
			i = skip_part(s, i, end);
	}
	return i;
}

/*
 * The walk of a whole word: a tilde-prefix at its start; in an assignment (POSIX), one
 * right after the '=' and one after each ':' outside quotes, so PATH=~/bin:~/sbin works.
 */
static long walk_word(struct xp *x, const char *s, size_t a, size_t b, int assignment, int *quoted)
{
	size_t name = assignment ? assignment_prefix(s, a, b) : 0;
	int tq = 0, q = 0;
	put_text(x->o, s + a, name, ESC_NONE);
	size_t from = tilde(x, s, a + name, b, name != 0, &tq);
	*quoted = 0;
	for (;;) {
		size_t colon = name ? next_colon(s, from, b) : b;
		long r = walk(x, s, from, colon, 0, &q);
		*quoted |= q | tq;
		if (r < 0 || colon >= b)
			return r;
		put_text(x->o, ":", 1, ESC_NONE);
		from = tilde(x, s, colon + 1, b, 1, &tq);
	}
}

/* A whole word in mode: its length (NUL-terminated), or -SH_ERR_. */
static long expand_word(const struct sh_line *line, struct sh_word w, const struct sh_env *env,
			struct outbuf *o, int *quoted)
{
	struct xp x = { env, o };
	long r = walk_word(&x, line->text, w.start, (size_t)w.start + w.len,
			   !(o->mode & MODE_PATTERN), quoted);
	if (r < 0)
		return r;
	if (o->full || o->len >= o->cap)
		return -SH_ERR_LONG;
	o->p[o->len] = 0;
	return (long)o->len;
}

long sh_expand(const struct sh_line *line, struct sh_word w, const struct sh_env *env, char *out,
	       size_t cap, int *quoted)
{
	struct outbuf o = { out, cap, 0, cap == 0, 0, 0, 0, 0 };
	return expand_word(line, w, env, &o, quoted);
}

int sh_has_wildcard(const char *p)
{
	for (; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '*' || *p == '?' || *p == '[')
			return 1;
	}
	return 0;
}

void sh_unescape(char *p)
{
	char *w = p;
	for (; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		*w++ = *p;
	}
	*w = 0;
}

long sh_pattern(const struct sh_line *line, struct sh_word w, const struct sh_env *env, char *out,
		size_t cap)
{
	struct outbuf o = { out, cap, 0, cap == 0, MODE_PATTERN, 0, 0, 0 };
	int quoted;
	long n = expand_word(line, w, env, &o, &quoted);
	return n > 0 && !sh_has_wildcard(out) ? 0 : n;
}

/* Is the word "$@" (or "${@}") alone? With no positional parameters it is no field. */
static int is_quoted_at(const struct sh_line *line, struct sh_word w)
{
	const char *s = line->text + w.start;
	return (w.len == 4 && memcmp(s, "\"$@\"", 4) == 0) ||
	       (w.len == 6 && memcmp(s, "\"${@}\"", 6) == 0);
}

long sh_fields(const struct sh_line *line, struct sh_word w, const struct sh_env *env, char *out,
	       size_t cap, int *nfields)
{
	struct outbuf o = { out, cap, 0, cap == 0, MODE_PATTERN | MODE_FIELDS, 0, 0, 0 };
	struct xp x = { env, &o };
	const char *count = env_get(env, "#", 1);
	int quoted;
	*nfields = 0;
	if (is_quoted_at(line, w) && (!count || strcmp(count, "0") == 0))
		return 0;
	long r = walk_word(&x, line->text, w.start, (size_t)w.start + w.len, 0, &quoted);
	if (r < 0)
		return r;
	if (o.real)
		field_end(&o);
	if (o.full)
		return -SH_ERR_LONG;
	*nfields = o.nfields;
	return (long)o.len;
}

/*
 * A here-document's body: line by line (leading tabs dropped for <<-), and unless its
 * word was quoted, $ and ` expanded and a backslash quoting $, `, \ and a newline.
 */
long sh_heredoc(const struct sh_line *line, const struct sh_redir *r, const struct sh_env *env,
		char *out, size_t cap)
{
	struct outbuf o = { out, cap, 0, cap == 0, 0, 0, 0, 0 };
	struct xp x = { env, &o };
	const char *s = line->text;
	size_t i = r->body.start, end = (size_t)r->body.start + r->body.len;
	int expand = !(r->flags & SH_HEREDOC_QUOTED), bol = 1;
	while (i < end) {
		char c = s[i];
		if (bol && (r->flags & SH_HEREDOC_STRIP) && c == '\t') {
			i++;
			continue;
		}
		bol = c == '\n';
		if (expand && (c == '$' || c == '`')) {
			long next = expand_one(&x, s, i, end, 1);
			if (next < 0)
				return next;
			i = (size_t)next;
		} else if (expand && c == '\\' && i + 1 < end &&
			   (s[i + 1] == '$' || s[i + 1] == '`' || s[i + 1] == '\\' ||
			    s[i + 1] == '\n')) {
			if (s[i + 1] != '\n')
				put(&o, s + i + 1, 1);
			i += 2;
		} else {
			put(&o, s + i, 1), i++;
		}
	}
	if (o.full || o.len >= o.cap)
		return -SH_ERR_LONG;
	o.p[o.len] = 0;
	return (long)o.len;
}

/* ---- arithmetic ------------------------------------------------------------------ */

struct arith {
	const char *s;
	size_t i;
	const struct sh_env *env;
	int err, depth;
	int skip; /* inside the side && || or ?: do not take: no assignment, no error */
};

/* Binary operators by precedence (C's): the longer spelling of each first. */
static const struct {
	const char *op;
	int prec;
} arith_ops[] = {
	{ "||", 1 }, { "&&", 2 }, { "==", 6 }, { "!=", 6 }, { "<=", 7 }, { ">=", 7 },
	{ "<<", 8 }, { ">>", 8 }, { "|", 3 },  { "^", 4 },  { "&", 5 },	 { "<", 7 },
	{ ">", 7 },  { "+", 9 },  { "-", 9 },  { "*", 10 }, { "/", 10 }, { "%", 10 },
};

static void arith_blanks(struct arith *a)
{
	while (is_blank(a->s[a->i]) || a->s[a->i] == '\n')
		a->i++;
}

static long arith_expr(struct arith *a);

/* A variable's value as an integer: unset or empty 0, anything but a number an error. */
static long arith_var(struct arith *a, size_t start, size_t len)
{
	const char *v = env_get(a->env, a->s + start, len);
	long n = 0;
	int used = 0;
	if (!v || !*v)
		return 0;
	if (sscanf(v, " %li %n", &n, &used) != 1 || v[used])
		a->err = 1;
	return n;
}

/* A number, a name, ( expr ), or a unary operator and its operand. */
static long arith_unary(struct arith *a)
{
	arith_blanks(a);
	char c = a->s[a->i];
	if (++a->depth > ARITH_DEPTH) {
		a->err = 1;
		return 0;
	}
	long v = 0;
	if (c == '+' || c == '-' || c == '!' || c == '~') {
		a->i++;
		long r = arith_unary(a);
		v = c == '+' ? r : c == '-' ? (long)(0UL - (unsigned long)r) : c == '!' ? !r : ~r;
	} else if (c == '(') {
		a->i++;
		v = arith_expr(a);
		arith_blanks(a);
		if (a->s[a->i] != ')')
			a->err = 1;
		else
			a->i++;
	} else if (c >= '0' && c <= '9') {
		int used = 0;
		unsigned long u = 0;
		if (sscanf(a->s + a->i, "%li%n", &v, &used) < 1 &&
		    sscanf(a->s + a->i, "%lx%n", &u, &used) < 1)
			a->err = 1;
		a->i += (size_t)used;
	} else if (is_name_start(c)) {
		size_t start = a->i;
		while (is_name_char(a->s[a->i]))
			a->i++;
		v = arith_var(a, start, a->i - start);
	} else {
		a->err = 1;
	}
	a->depth--;
	return v;
}

static long arith_apply(struct arith *a, const char *op, long l, long r)
{
	unsigned long ul = (unsigned long)l, ur = (unsigned long)r;
	switch (op[0]) {
	case '|':
		return op[1] ? (l || r) : l | r;
	case '&':
		return op[1] ? (l && r) : l & r;
	case '^':
		return l ^ r;
	case '=':
		return l == r;
	case '!':
		return l != r;
	case '<':
		return op[1] == '<' ? (long)(ul << (ur & 63)) : op[1] ? l <= r : l < r;
	case '>':
		return op[1] == '>' ? l >> (ur & 63) : op[1] ? l >= r : l > r;
	case '+':
		return (long)(ul + ur);
	case '-':
		return (long)(ul - ur);
	case '*':
		return (long)(ul * ur);
	default: /* / and %: division by zero is an error; LONG_MIN / -1 wraps */
		if (r == 0) {
			a->err = !a->skip;
			return 0;
		}
		if (r == -1)
			return op[0] == '/' ? (long)(0UL - ul) : 0;
		return op[0] == '/' ? l / r : l % r;
	}
}

/* The operator at the current place, if its precedence is at least min; else -1. */
static int arith_op(struct arith *a, int min)
{
	arith_blanks(a);
	for (size_t k = 0; k < sizeof(arith_ops) / sizeof(arith_ops[0]); k++) {
		size_t n = strlen(arith_ops[k].op);
		if (strncmp(a->s + a->i, arith_ops[k].op, n) == 0)
			return arith_ops[k].prec >= min ? (int)k : -1;
	}
	return -1;
}

/* Binary operators of precedence min and up, left to right (precedence climbing). */
static long arith_binary(struct arith *a, int min)
{
	long l = arith_unary(a);
	int k;
	while (!a->err && (k = arith_op(a, min)) >= 0) {
		a->i += strlen(arith_ops[k].op);
		if (++a->depth > ARITH_DEPTH) {
			a->err = 1;
			break;
		}
		const char *op = arith_ops[k].op;
		int skips =
			(op[0] == '&' && op[1] == '&' && !l) || (op[0] == '|' && op[1] == '|' && l);
		a->skip += skips;
		long r = arith_binary(a, arith_ops[k].prec + 1);
		a->skip -= skips;
		a->depth--;
		if (!a->err)
			l = arith_apply(a, arith_ops[k].op, l, r);
	}
	return l;
}

/* cond ? a : b, or a binary expression; only the branch taken has effects. */
static long arith_cond(struct arith *a)
{
	long c = arith_binary(a, 1);
	arith_blanks(a);
	if (a->err || a->s[a->i] != '?')
		return c;
	a->i++;
	a->skip += !c;
	long t = arith_expr(a);
	a->skip -= !c;
	arith_blanks(a);
	if (a->s[a->i] != ':') {
		a->err = 1;
		return 0;
	}
	a->i++;
	a->skip += !!c;
	long f = arith_cond(a);
	a->skip -= !!c;
	return c ? t : f;
}

/* The assignment operators, and the binary operator each applies first ("" for =). */
static const char *const assign_ops[][2] = {
	{ "<<=", "<<" }, { ">>=", ">>" }, { "*=", "*" }, { "/=", "/" },
	{ "%=", "%" },	 { "+=", "+" },	  { "-=", "-" }, { "&=", "&" },
	{ "^=", "^" },	 { "|=", "|" },	  { "=", "" },
};

/* NAME op= expr (right to left, the lowest precedence), or a conditional expression. */
static long arith_expr(struct arith *a)
{
	arith_blanks(a);
	size_t start = a->i, n = 0;
	while (is_name_char(a->s[start + n]) && (n || is_name_start(a->s[start])))
		n++;
	a->i += n;
	arith_blanks(a);
	for (size_t k = 0; n && k < sizeof(assign_ops) / sizeof(assign_ops[0]); k++) {
		size_t len = strlen(assign_ops[k][0]);
		if (strncmp(a->s + a->i, assign_ops[k][0], len) != 0 ||
		    (len == 1 && a->s[a->i + 1] == '='))
			continue; /* "==" is a comparison */
		a->i += len;
		if (++a->depth > ARITH_DEPTH) {
			a->err = 1;
			return 0;
		}
		long v = arith_expr(a);
		a->depth--;
		if (assign_ops[k][1][0] && !a->err)
			v = arith_apply(a, assign_ops[k][1], arith_var(a, start, n), v);
		if (!a->err && !a->skip) {
			char num[24];
			snprintf(num, sizeof(num), "%ld", v);
			if (!a->env->assign ||
			    a->env->assign(a->env->ctx, a->s + start, n, num) != 0)
				a->err = 1;
		}
		return v;
	}
	a->i = start;
	return arith_cond(a);
}

long sh_arith(const char *expr, const struct sh_env *env, long *value)
{
	struct arith a = { expr, 0, env, 0, 0, 0 };
	*value = arith_expr(&a);
	arith_blanks(&a);
	if (a.err || expr[a.i])
		return -SH_ERR_ARITH;
	return 0;
}
