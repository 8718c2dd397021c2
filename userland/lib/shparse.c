/*
 * The shell's parser and word expansion (shparse.h has the grammar). Pure C with no
 * allocation and no system call, so the host tests run it under ASan and UBSan.
 * Parsing only finds where words, operators and redirections are and checks the
 * syntax; a word is expanded later, when its command runs, so `false; echo $?` sees
 * the status false left.
 */
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
static const char *const op_text[OP_COUNT] = { "||", "&&", ">>", "<<-", "<<", "<&", ">&", ";;",
					       "|",  "&",  ";",	 "<",	">",  "(",  ")" };

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

/* The end of the word starting at i (quotes and backslashes kept), or 0 on an open quote. */
static size_t word_end(const char *s, size_t i)
{
	while (s[i] && !is_blank(s[i]) && s[i] != '\n' && !is_op_char(s[i])) {
		char q = s[i];
		if (q == '\\') {
			i += s[i + 1] ? 2 : 1;
			continue;
		}
		i++;
		if (q != '\'' && q != '"')
			continue;
		while (s[i] && s[i] != q)
			i += (q == '"' && s[i] == '\\' && s[i + 1]) ? 2 : 1;
		if (!s[i])
			return 0;
		i++;
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

/* Read the token at p->pos into p->tok (without consuming it). */
static enum sh_status peek(struct parser *p)
{
	const char *s = p->line->text;
	while (is_blank(s[p->pos]))
		p->pos++;
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
	static const char *const closers[] = { "then", "elif", "else", "fi", "do", "done", "esac" };
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
		t->op == OP_DUP_OUT || t->op == OP_HEREDOC || t->op == OP_HEREDOC_STRIP);
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
		return SH_REDIR_OUT;
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
		fd = (op == OP_IN || op == OP_DUP_IN || kind == SH_REDIR_HEREDOC) ? 0 : 1;
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
	return is_kw(p, "if")	   ? SH_CMD_IF
	       : is_kw(p, "while") ? SH_CMD_WHILE
	       : is_kw(p, "until") ? SH_CMD_UNTIL
	       : is_kw(p, "for")   ? SH_CMD_FOR
	       : is_kw(p, "case")  ? SH_CMD_CASE
				   : SH_CMD_SIMPLE;
}

/* One command: compound, or simple (words and redirections, at least one of them). */
static enum sh_status parse_command(struct parser *p, uint8_t *index)
{
	struct sh_line *l = p->line;
	enum sh_status st = SH_OK;
	uint8_t k = compound_kind(p);
	if (k != SH_CMD_SIMPLE)
		return parse_compound(p, k, index);
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

/* Where expand writes: out, its capacity, and how much is used. */
struct outbuf {
	char *p;
	size_t cap, len;
	int full;
};

static void put(struct outbuf *o, const char *s, size_t n)
{
	if (o->full || n >= o->cap - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

/* Append n bytes of s; escaped (a pattern's quoted text): each wildcard or backslash
 * gets a backslash first, so glob takes it literally. */
static void put_text(struct outbuf *o, const char *s, size_t n, int escaped)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (escaped && (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\'))
			put(o, "\\", 1);
		put(o, &s[i], 1);
	}
}

/*
 * A $ at s[i] (i < end): append its value, return the index after it; -1 for a bad
 * ${...}. $NAME, ${NAME}, $?, $$, $!, $0-$9 and ${?}...; any other $ is itself.
 */
static long dollar(const char *s, size_t i, size_t end, sh_lookup_fn lookup, void *ctx,
		   struct outbuf *o, int escaped)
{
	size_t name = i + 1, n = 0, after;
	int braced = name < end && s[name] == '{';
	name += braced;
	if (name < end && (s[name] == '?' || s[name] == '$' || s[name] == '!' ||
			   (s[name] >= '0' && s[name] <= '9')))
		n = 1;
	else
		while (name + n < end && is_name_char(s[name + n]) &&
		       (n || is_name_start(s[name + n])))
			n++;
	after = name + n;
	if (braced) {
		if (!n || after >= end || s[after] != '}')
			return -1;
		after++;
	} else if (!n) {
		put(o, "$", 1);
		return (long)i + 1;
	}
	const char *v = lookup(ctx, s + name, n);
	if (v)
		put_text(o, v, strlen(v), escaped);
	return (long)after;
}

/* Inside "...": a backslash quotes only $, `, ", \ and a newline. */
static int dquote_escapable(char c)
{
	return c == '$' || c == '`' || c == '"' || c == '\\' || c == '\n';
}

/*
 * The walk of sh_expand and sh_pattern: quotes removed, $ replaced. For a pattern, the
 * text that quotes or a backslash protect goes escaped (unquoted $ values do not: POSIX
 * expands their wildcards too).
 */
static long walk(const struct sh_line *line, struct sh_word w, sh_lookup_fn lookup, void *ctx,
		 struct outbuf *o, int pattern, int *quoted)
{
	const char *s = line->text;
	size_t i = w.start, end = (size_t)w.start + w.len;
	char q = 0; /* the quote we are inside, or 0 */
	*quoted = 0;
	while (i < end) {
		char c = s[i];
		if (c == '$' && q != '\'') {
			long next = dollar(s, i, end, lookup, ctx, o, pattern && q);
			if (next < 0)
				return -SH_ERR_SUBST;
			i = (size_t)next;
		} else if (c == q) {
			q = 0, i++;
		} else if (!q && (c == '\'' || c == '"')) {
			q = c, *quoted = 1, i++;
		} else if (c == '\\' && i + 1 < end &&
			   (!q || (q == '"' && dquote_escapable(s[i + 1])))) {
			put_text(o, s + i + 1, 1, pattern);
			*quoted = 1, i += 2;
		} else {
			put_text(o, s + i, 1, pattern && q), i++;
		}
	}
	if (o->full)
		return -SH_ERR_LONG;
	o->p[o->len] = 0;
	return (long)o->len;
}

long sh_expand(const struct sh_line *line, struct sh_word w, sh_lookup_fn lookup, void *ctx,
	       char *out, size_t cap, int *quoted)
{
	struct outbuf o = { out, cap, 0, cap == 0 };
	return walk(line, w, lookup, ctx, &o, 0, quoted);
}

/* Does pattern p hold a wildcard no backslash protects? */
static int has_wildcard(const char *p)
{
	for (; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '*' || *p == '?' || *p == '[')
			return 1;
	}
	return 0;
}

long sh_pattern(const struct sh_line *line, struct sh_word w, sh_lookup_fn lookup, void *ctx,
		char *out, size_t cap)
{
	struct outbuf o = { out, cap, 0, cap == 0 };
	int quoted;
	long n = walk(line, w, lookup, ctx, &o, 1, &quoted);
	return n > 0 && !has_wildcard(out) ? 0 : n;
}

/*
 * A here-document's body: line by line (leading tabs dropped for <<-), and unless its
 * word was quoted, $ expanded and a backslash quoting $, `, \ and a newline.
 */
long sh_heredoc(const struct sh_line *line, const struct sh_redir *r, sh_lookup_fn lookup,
		void *ctx, char *out, size_t cap)
{
	struct outbuf o = { out, cap, 0, cap == 0 };
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
		if (expand && c == '$') {
			long next = dollar(s, i, end, lookup, ctx, &o, 0);
			if (next < 0)
				return -SH_ERR_SUBST;
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
	if (o.full)
		return -SH_ERR_LONG;
	o.p[o.len] = 0;
	return (long)o.len;
}
