/*
 * The shell's parser and word expansion (shparse.h has the grammar). Pure C with no
 * allocation and no system call, so the host tests run it under ASan and UBSan.
 * Parsing only finds where words, operators and redirections are and checks the
 * syntax; a word is expanded later, when its command runs, so `false; echo $?` sees
 * the status false left.
 */
#include <string.h>

#include "shparse.h"

enum tok_kind { TOK_END, TOK_WORD, TOK_OP };

/* Operators, longest first so ">>" is not read as ">" ">". */
enum op_id {
	OP_OR,
	OP_AND,
	OP_APPEND,
	OP_DUP_IN,
	OP_DUP_OUT,
	OP_PIPE,
	OP_BG,
	OP_SEMI,
	OP_IN,
	OP_OUT,
	OP_COUNT
};
static const char *const op_text[OP_COUNT] = {
	"||", "&&", ">>", "<&", ">&", "|", "&", ";", "<", ">"
};

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
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_op_char(char c)
{
	return c == '|' || c == '&' || c == ';' || c == '<' || c == '>';
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
	while (s[i] && !is_blank(s[i]) && !is_op_char(s[i])) {
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
	struct token *t = &p->tok;
	*t = (struct token){ .start = p->pos, .io_number = -1 };
	if (!s[p->pos] || s[p->pos] == '#') {
		t->kind = TOK_END;
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

/* Consume the current token and read the next. */
static enum sh_status advance(struct parser *p)
{
	p->pos = p->tok.start + p->tok.len;
	return peek(p);
}

static enum sh_status syntax_error(struct parser *p)
{
	p->line->err_at = p->tok.start;
	return SH_ERR_SYNTAX;
}

static int is_redir_op(const struct token *t)
{
	return t->kind == TOK_OP && (t->op == OP_IN || t->op == OP_OUT || t->op == OP_APPEND ||
				     t->op == OP_DUP_IN || t->op == OP_DUP_OUT);
}

static struct sh_word word_of(const struct token *t)
{
	return (struct sh_word){ (uint16_t)t->start, (uint16_t)t->len };
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
	if (fd < 0)
		fd = (op == OP_IN || op == OP_DUP_IN) ? 0 : 1;
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
	uint8_t kind = op == OP_IN	 ? SH_REDIR_IN
		       : op == OP_OUT	 ? SH_REDIR_OUT
		       : op == OP_APPEND ? SH_REDIR_APPEND
					 : SH_REDIR_DUP;
	l->redirs[l->nredirs++] = (struct sh_redir){ (uint8_t)fd, kind, word_of(&p->tok) };
	return advance(p);
}

/* A word of the command: an assignment while only assignments came before it. */
static enum sh_status parse_word(struct parser *p, struct sh_cmd *c)
{
	struct sh_line *l = p->line;
	if (l->nwords >= SH_WORDS_MAX)
		return SH_ERR_LIMIT;
	l->words[l->nwords++] = word_of(&p->tok);
	if (c->nwords == c->nassign && sh_assignment(l, word_of(&p->tok)))
		c->nassign++;
	c->nwords++;
	return advance(p);
}

/* One simple command: words and redirections, at least one of them. */
static enum sh_status parse_command(struct parser *p)
{
	struct sh_line *l = p->line;
	enum sh_status st = SH_OK;
	if (l->ncmds >= SH_CMDS_MAX)
		return SH_ERR_LIMIT;
	struct sh_cmd *c = &l->cmds[l->ncmds++];
	*c = (struct sh_cmd){ (uint8_t)l->nwords, 0, 0, (uint8_t)l->nredirs, 0 };
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

static enum sh_status parse_pipeline(struct parser *p)
{
	struct sh_line *l = p->line;
	enum sh_status st;
	if (l->npipelines >= SH_PIPELINES_MAX)
		return SH_ERR_LIMIT;
	struct sh_pipeline *pl = &l->pipelines[l->npipelines++];
	*pl = (struct sh_pipeline){ (uint8_t)l->ncmds, 0, SH_OP_END };
	for (;;) {
		if ((st = parse_command(p)) != SH_OK)
			return st;
		pl->ncmds++;
		if (p->tok.kind != TOK_OP || p->tok.op != OP_PIPE)
			return SH_OK;
		if ((st = advance(p)) != SH_OK)
			return st;
	}
}

static enum sh_status parse_and_or(struct parser *p)
{
	enum sh_status st;
	for (;;) {
		if ((st = parse_pipeline(p)) != SH_OK)
			return st;
		if (p->tok.kind != TOK_OP || (p->tok.op != OP_AND && p->tok.op != OP_OR))
			return SH_OK;
		p->line->pipelines[p->line->npipelines - 1].op =
			p->tok.op == OP_AND ? SH_OP_AND : SH_OP_OR;
		if ((st = advance(p)) != SH_OK)
			return st;
	}
}

enum sh_status sh_parse(const char *text, struct sh_line *line)
{
	struct parser p = { line, 0, { 0 } };
	enum sh_status st;
	line->text = text;
	line->err_at = 0;
	line->nwords = line->nredirs = line->ncmds = line->npipelines = 0;
	if (strnlen(text, SH_TEXT_MAX + 1) > SH_TEXT_MAX)
		return SH_ERR_LIMIT; /* words are 16-bit offsets into the text */
	if ((st = peek(&p)) != SH_OK)
		return st;
	while (p.tok.kind != TOK_END) {
		if ((st = parse_and_or(&p)) != SH_OK)
			return st;
		if (p.tok.kind == TOK_END)
			break;
		if (p.tok.op != OP_SEMI && p.tok.op != OP_BG)
			return syntax_error(&p);
		line->pipelines[line->npipelines - 1].op = p.tok.op == OP_BG ? SH_OP_BG : SH_OP_END;
		if ((st = advance(&p)) != SH_OK)
			return st;
	}
	return SH_OK;
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
