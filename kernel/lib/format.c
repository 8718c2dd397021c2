/* Kernel printf formatting: see format.h. */
#include "kernel/lib/format.h"

#include <stdbool.h>
#include <stdint.h>

struct spec {
	bool left, zero;
	bool wide; /* l, ll or z: a 64-bit argument */
	int width;
};

struct sink {
	format_out out;
	void *arg;
	int count;
};

static void put(struct sink *s, char c)
{
	s->out(c, s->arg);
	s->count++;
}

static void pad(struct sink *s, int n, char c)
{
	while (n-- > 0)
		put(s, c);
}

static void emit(struct sink *s, const struct spec *sp, const char *str, int len)
{
	if (!sp->left)
		pad(s, sp->width - len, sp->zero ? '0' : ' ');
	for (int i = 0; i < len; i++)
		put(s, str[i]);
	if (sp->left)
		pad(s, sp->width - len, ' ');
}

/* Digits of v in base into the end of buf[24]; returns the start. */
static char *digits(char *end, uint64_t v, unsigned base, bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	*--end = '\0';
	do {
		*--end = set[v % base];
		v /= base;
	} while (v);
	return end;
}

static void emit_number(struct sink *s, struct spec *sp, uint64_t v, unsigned base, bool neg,
			bool upper)
{
	char buf[24];
	char *d = digits(buf + sizeof(buf), v, base, upper);
	int len = (int)(buf + sizeof(buf) - 1 - d);

	if (neg) {
		/* The sign goes before zero padding, not after it. */
		if (sp->zero) {
			put(s, '-');
			sp->width--;
		} else {
			*--d = '-';
			len++;
		}
	}
	emit(s, sp, d, len);
}

static const char *parse_spec(const char *f, struct spec *sp)
{
	sp->left = sp->zero = false;
	sp->width = 0;
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	sp->wide = false;
	while (*f == 'l' || *f == 'z') {
		sp->wide = true;
		f++;
	}
	return f;
}

static uint64_t unsigned_arg(const struct spec *sp, va_list *ap)
{
	return sp->wide ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned int);
}

static void convert(struct sink *s, char c, struct spec *sp, va_list *ap)
{
	switch (c) {
	case 'd':
	case 'i': {
		int64_t v = sp->wide ? va_arg(*ap, int64_t) : va_arg(*ap, int);
		emit_number(s, sp, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, false);
		break;
	}
	case 'u':
		emit_number(s, sp, unsigned_arg(sp, ap), 10, false, false);
		break;
	case 'x':
	case 'X':
		emit_number(s, sp, unsigned_arg(sp, ap), 16, false, c == 'X');
		break;
	case 'p':
		put(s, '0');
		put(s, 'x');
		sp->zero = true;
		sp->width = 16;
		emit_number(s, sp, (uint64_t)va_arg(*ap, void *), 16, false, false);
		break;
	case 's': {
		const char *str = va_arg(*ap, const char *);
		int len = 0;
		if (!str)
			str = "(null)";
		while (str[len])
			len++;
		emit(s, sp, str, len);
		break;
	}
	case 'c': {
		char ch = (char)va_arg(*ap, int);
		emit(s, sp, &ch, 1);
		break;
	}
	default: /* %% and anything unknown print as themselves */
		put(s, c);
		break;
	}
}

int kvformat(format_out out, void *arg, const char *fmt, va_list ap)
{
	struct sink s = { out, arg, 0 };
	struct spec sp;
	va_list aq;

	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&s, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp);
		if (!*fmt)
			break;
		convert(&s, *fmt++, &sp, &aq);
	}
	va_end(aq);
	return s.count;
}

struct bufsink {
	char *buf;
	size_t n, at;
};

static void buf_out(char c, void *arg)
{
	struct bufsink *b = arg;
	if (b->at + 1 < b->n)
		b->buf[b->at] = c;
	b->at++;
}

int kvsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct bufsink b = { buf, n, 0 };
	int len = kvformat(buf_out, &b, fmt, ap);
	if (n)
		buf[b.at < n ? b.at : n - 1] = '\0';
	return len;
}

int ksnprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int len = kvsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return len;
}
