/*
 * printf's %n and L conversions, scanf's L conversions: see fmtext.h. printf is done in
 * three steps, so that numbered arguments work with them: read every conversion and note
 * the type of each argument slot; take the arguments from the va_list in slot order
 * (the only order va_arg allows); then print the literal text and each conversion, one
 * at a time, through picolibc (emit), with '*' turned into numbers and L dropped.
 */
#include "fmtext.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#define MINI_MAX     64	    /* one conversion, rebuilt: flags, two numbers, length, conversion */
#define NUMBER_MAX   100000 /* a width or precision past this is taken as this */
#define SCAN_FMT_MAX 512

enum argtype {
	A_NONE = 0,
	A_INT,
	A_LONG,
	A_LLONG,
	A_INTMAX,
	A_SIZE,
	A_PTRDIFF,
	A_DOUBLE,
	A_LDOUBLE,
	A_PTR,
	A_WINT
};

union arg {
	long long i;
	intmax_t j;
	size_t z;
	ptrdiff_t t;
	double d;
	long double ld;
	void *p;
	wint_t w;
};

/* One printf conversion as read. Argument slots count from 1; 0: none. */
struct spec {
	const char *start, *end; /* the '%' and one past the conversion character */
	char flags[8];
	int width, prec;	 /* -1: none given (or given by an argument) */
	int width_arg, prec_arg; /* the slots of '*' */
	int value_arg;		 /* the slot of the value (none for %%) */
	char len[3];		 /* "", hh, h, l, ll, j, z, t or L */
	char conv;
};

/* How slots are named: not yet known, one after another, or numbered (%2$d). */
enum naming { NAMING_UNKNOWN, NAMING_SEQUENTIAL, NAMING_NUMBERED };

struct layout {
	enum naming naming;
	int next;			   /* the next sequential slot */
	int max;			   /* the highest slot named */
	uint8_t type[FMTEXT_ARGS_MAX + 1]; /* enum argtype of each slot */
};

static int digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Decimal digits at *p (none: 0), capped at NUMBER_MAX. */
static int number(const char **p)
{
	int n = 0;
	for (; digit(**p); (*p)++)
		n = n >= NUMBER_MAX ? NUMBER_MAX : n * 10 + (**p - '0');
	return n;
}

/* "n$" at *p: n, past it; else 0 and *p unchanged. */
static int numbered(const char **p)
{
	const char *q = *p;
	int n = number(&q);
	if (q == *p || *q != '$' || n == 0)
		return 0;
	*p = q + 1;
	return n;
}

/* A slot for an argument of type t, named n (0: the next one): its number, or 0 if the
 * format mixes the two namings or names too many. */
static int take_slot(struct layout *l, int n, enum argtype t)
{
	enum naming want = n ? NAMING_NUMBERED : NAMING_SEQUENTIAL;
	if (l->naming != NAMING_UNKNOWN && l->naming != want)
		return 0;
	l->naming = want;
	if (!n)
		n = l->next++;
	if (n > FMTEXT_ARGS_MAX)
		return 0;
	if (!l->type[n])
		l->type[n] = (uint8_t)t; /* named twice with two types: POSIX leaves it undefined */
	if (n > l->max)
		l->max = n;
	return n;
}

/* The length modifier at *p, copied into len, past it. */
static void length(const char **p, char len[3])
{
	const char *q = *p;
	if ((q[0] == 'h' && q[1] == 'h') || (q[0] == 'l' && q[1] == 'l'))
		q += 2;
	else if (*q && strchr("hljztL", *q))
		q++;
	memcpy(len, *p, (size_t)(q - *p));
	len[q - *p] = 0;
	*p = q;
}

/* The type of the integer a conversion with this length modifier takes. */
static enum argtype integer_type(const char *len)
{
	if (!strcmp(len, "l"))
		return A_LONG;
	if (!strcmp(len, "ll") || !strcmp(len, "L"))
		return A_LLONG;
	if (!strcmp(len, "j"))
		return A_INTMAX;
	if (!strcmp(len, "z"))
		return A_SIZE;
	if (!strcmp(len, "t"))
		return A_PTRDIFF;
	return A_INT; /* none, h, hh: promoted to int */
}

/* The type conversion s takes, A_NONE for %%, or -1 for a conversion there is not. */
static int value_type(const struct spec *s)
{
	if (s->conv && strchr("diouxX", s->conv))
		return (int)integer_type(s->len);
	if (s->conv && strchr("fFeEgGaA", s->conv))
		return strcmp(s->len, "L") ? A_DOUBLE : A_LDOUBLE;
	if (s->conv == 'c')
		return strcmp(s->len, "l") ? A_INT : A_WINT;
	if (s->conv == 'C')
		return A_WINT;
	if (s->conv && strchr("spnS", s->conv))
		return A_PTR;
	return s->conv == '%' ? A_NONE : -1;
}

/* '*' or '*n$' at *p, for a width or precision: its slot, or 0 with *bad set. */
static int star(const char **p, struct layout *l, int *bad)
{
	(*p)++;
	int slot = take_slot(l, numbered(p), A_INT);
	*bad |= slot == 0;
	return slot;
}

/* Read the conversion at p (its '%') into s and note its slots: past it, or NULL. */
static const char *read_spec(const char *p, struct spec *s, struct layout *l)
{
	int bad = 0, n;
	memset(s, 0, sizeof(*s));
	s->start = p++;
	s->width = s->prec = -1;
	n = numbered(&p);
	for (int i = 0; *p && strchr("-+ #0'", *p); p++)
		if (i < (int)sizeof(s->flags) - 1)
			s->flags[i++] = *p;
	if (*p == '*')
		s->width_arg = star(&p, l, &bad);
	else if (digit(*p))
		s->width = number(&p);
	if (*p == '.') {
		p++;
		if (*p == '*')
			s->prec_arg = star(&p, l, &bad);
		else
			s->prec = number(&p);
	}
	length(&p, s->len);
	s->conv = *p;
	if (!*p)
		return 0;
	s->end = ++p;
	int t = value_type(s);
	if (t < 0 || bad)
		return 0;
	if (t != A_NONE && (s->value_arg = take_slot(l, n, (enum argtype)t)) == 0)
		return 0;
	return p;
}

int fmtext_printf_needed(const char *fmt)
{
	for (const char *p = fmt; (p = strchr(p, '%')) != 0;) {
		for (p++; *p && strchr("0123456789$*.#-+ 'hljzt", *p); p++)
			;
		if (*p == 'L' || *p == 'n')
			return 1;
		if (*p)
			p++;
	}
	return 0;
}

/* Take every slot's argument, in slot order: 0, or -1 for a slot never named. */
static int take_args(const struct layout *l, va_list ap, union arg *args)
{
	for (int n = 1; n <= l->max; n++) {
		switch (l->type[n]) {
		case A_INT:
			args[n].i = va_arg(ap, int);
			break;
		case A_LONG:
			args[n].i = va_arg(ap, long);
			break;
		case A_LLONG:
			args[n].i = va_arg(ap, long long);
			break;
		case A_INTMAX:
			args[n].j = va_arg(ap, intmax_t);
			break;
		case A_SIZE:
			args[n].z = va_arg(ap, size_t);
			break;
		case A_PTRDIFF:
			args[n].t = va_arg(ap, ptrdiff_t);
			break;
		case A_DOUBLE:
			args[n].d = va_arg(ap, double);
			break;
		case A_LDOUBLE:
			args[n].ld = va_arg(ap, long double);
			break;
		case A_PTR:
			args[n].p = va_arg(ap, void *);
			break;
		case A_WINT:
			args[n].w = va_arg(ap, wint_t);
			break;
		default:
			return -1; /* a gap: the arguments after it cannot be found */
		}
	}
	return 0;
}

/* %n: the count so far, stored as the length modifier says. */
static void store_count(const struct spec *s, void *to, int done)
{
	const char *len = s->len;
	if (!strcmp(len, "hh"))
		*(signed char *)to = (signed char)done;
	else if (!strcmp(len, "h"))
		*(short *)to = (short)done;
	else if (!strcmp(len, "l"))
		*(long *)to = done;
	else if (!strcmp(len, "ll"))
		*(long long *)to = done;
	else if (!strcmp(len, "j"))
		*(intmax_t *)to = done;
	else if (!strcmp(len, "z"))
		*(size_t *)to = (size_t)done;
	else if (!strcmp(len, "t"))
		*(ptrdiff_t *)to = done;
	else
		*(int *)to = done;
}

/* s as a format of its own: numbers for '*' (a negative width is '-', a negative
 * precision none, as C says), no slot numbers, no L. */
static void mini_format(const struct spec *s, const union arg *args, char *out)
{
	int width = s->width_arg ? (int)args[s->width_arg].i : s->width;
	int prec = s->prec_arg ? (int)args[s->prec_arg].i : s->prec;
	int n = snprintf(out, MINI_MAX, "%%%s%s", s->flags, width < 0 && s->width_arg ? "-" : "");
	if (width != -1 && width != INT_MIN)
		n += snprintf(out + n, (size_t)(MINI_MAX - n), "%d", width < 0 ? -width : width);
	if (prec >= 0)
		n += snprintf(out + n, (size_t)(MINI_MAX - n), ".%d", prec);
	snprintf(out + n, (size_t)(MINI_MAX - n), "%s%c", strcmp(s->len, "L") ? s->len : "",
		 s->conv);
}

/* Print conversion s: the characters, or a negative number. */
static int emit_spec(fmtext_emit emit, void *ctx, const struct spec *s, const union arg *args)
{
	char mini[MINI_MAX];
	const union arg *a = &args[s->value_arg];
	if (s->conv == '%')
		return emit(ctx, "%%");
	mini_format(s, args, mini);
	switch (s->value_arg ? value_type(s) : A_NONE) {
	case A_INT:
		return emit(ctx, mini, (int)a->i);
	case A_LONG:
		return emit(ctx, mini, (long)a->i);
	case A_LLONG:
		return emit(ctx, mini, a->i);
	case A_INTMAX:
		return emit(ctx, mini, a->j);
	case A_SIZE:
		return emit(ctx, mini, a->z);
	case A_PTRDIFF:
		return emit(ctx, mini, a->t);
	case A_DOUBLE:
		return emit(ctx, mini, a->d);
	case A_LDOUBLE:
		return emit(ctx, mini, (double)a->ld);
	case A_PTR:
		return emit(ctx, mini, a->p);
	case A_WINT:
		return emit(ctx, mini, a->w);
	default:
		return -1;
	}
}

/* Add n printed characters to *done: 0, or -1 (emit failed, or the count passed INT_MAX). */
static int count(int *done, int n)
{
	if (n < 0)
		return -1;
	if (n > INT_MAX - *done) {
		errno = EOVERFLOW;
		return -1;
	}
	*done += n;
	return 0;
}

int fmtext_printf(fmtext_emit emit, void *ctx, const char *fmt, va_list ap)
{
	struct layout l = { .naming = NAMING_UNKNOWN, .next = 1 };
	union arg args[FMTEXT_ARGS_MAX + 1];
	struct spec s;
	const char *p, *q;
	int bad = 0;
	for (p = fmt; !bad && (q = strchr(p, '%')) != 0;) /* 1: every conversion's slots */
		bad = (p = read_spec(q, &s, &l)) == 0;
	if (bad || take_args(&l, ap, args) < 0) { /* 2: the arguments, in slot order */
		errno = EINVAL;
		return -1;
	}
	int done = 0;
	l = (struct layout){ .naming = NAMING_UNKNOWN, .next = 1 };
	for (p = fmt; (q = strchr(p, '%')) != 0; p = s.end) { /* 3: print */
		if (q > p && count(&done, emit(ctx, "%.*s", (int)(q - p), p)) < 0)
			return -1;
		read_spec(q, &s, &l); /* as in step 1: it cannot fail now */
		if (s.conv == 'n')
			store_count(&s, args[s.value_arg].p, done);
		else if (count(&done, emit_spec(emit, ctx, &s, args)) < 0)
			return -1;
	}
	if (*p && count(&done, emit(ctx, "%s", p)) < 0)
		return -1;
	return done;
}

/* ---- scanf ------------------------------------------------------------------------ */

/* Past a scanset's ']' (p is just past its '['): a ']' first, or after '^', is a member. */
static const char *scanset_end(const char *p)
{
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']')
		p++;
	return *p ? p + 1 : p;
}

static int is_float_conv(char c)
{
	return c && strchr("aAeEfFgG", c) != 0;
}

int fmtext_scanf_needed(const char *fmt)
{
	for (const char *p = fmt; (p = strchr(p, '%')) != 0;) {
		for (p++; *p && strchr("0123456789$*hljzt", *p); p++)
			;
		if (*p == 'L' && is_float_conv(p[1]))
			return 1;
		if (*p == '[')
			p = scanset_end(p + 1);
		else if (*p)
			p++;
	}
	return 0;
}

/* What one scanf conversion asks: its pointer goes to slot, a long double through tmp. */
struct scan_slot {
	void *to;	   /* the caller's pointer */
	long double *wide; /* the caller's long double, read into tmp: else NULL */
	int order;	   /* its place among the conversions that count (not %n), or -1 */
};

/*
 * Copy the conversion at p (its '%') to out, an L floating conversion as l; note its
 * pointer. Past it, or NULL (a numbered argument, or too many conversions).
 */
static const char *copy_scan_spec(const char *p, char *out, size_t *o, struct scan_slot *slots,
				  int *nslots, int *counted, va_list *ap)
{
	const char *from = p++;
	int assign = *p != '*';
	if (!assign)
		p++;
	while (digit(*p))
		p++;
	if (*p == '$')
		return 0;
	char len[3];
	length(&p, len);
	char conv = *p;
	int wide = !strcmp(len, "L") && is_float_conv(conv);
	const char *end = conv == '[' ? scanset_end(p + 1) : conv ? p + 1 : p;
	size_t n = (size_t)(end - from);
	if (*o + n >= SCAN_FMT_MAX)
		return 0;
	memcpy(out + *o, from, n);
	if (wide)
		out[*o + (size_t)(p - from) - 1] = 'l'; /* the L just before the conversion */
	*o += n;
	if (!assign || conv == '%' || !conv)
		return end;
	if (*nslots == FMTEXT_SCAN_MAX)
		return 0;
	struct scan_slot *sl = &slots[(*nslots)++];
	sl->to = va_arg(*ap, void *);
	sl->wide = wide ? (long double *)sl->to : 0;
	sl->order = conv == 'n' ? -1 : (*counted)++;
	return end;
}

_Static_assert(FMTEXT_SCAN_MAX == 32, "fmtext_scanf hands scan 32 pointers");

int fmtext_scanf(fmtext_scan scan, void *ctx, const char *fmt, va_list ap)
{
	char out[SCAN_FMT_MAX];
	struct scan_slot slots[FMTEXT_SCAN_MAX];
	double tmp[FMTEXT_SCAN_MAX];
	void *ptr[FMTEXT_SCAN_MAX] = { 0 };
	size_t o = 0;
	int nslots = 0, counted = 0;
	va_list aq;
	va_copy(aq, ap);
	const char *p = fmt, *q;
	while (p && (q = strchr(p, '%')) != 0) {
		size_t n = (size_t)(q - p);
		if (o + n >= SCAN_FMT_MAX) {
			p = 0;
			break;
		}
		memcpy(out + o, p, n);
		o += n;
		p = copy_scan_spec(q, out, &o, slots, &nslots, &counted, &aq);
	}
	va_end(aq);
	if (!p || o + strlen(p) >= SCAN_FMT_MAX) {
		errno = EINVAL;
		return -1;
	}
	strcpy(out + o, p);
	for (int i = 0; i < nslots; i++)
		ptr[i] = slots[i].wide ? (void *)&tmp[i] : slots[i].to;
	int r = scan(ctx, out, ptr[0], ptr[1], ptr[2], ptr[3], ptr[4], ptr[5], ptr[6], ptr[7],
		     ptr[8], ptr[9], ptr[10], ptr[11], ptr[12], ptr[13], ptr[14], ptr[15], ptr[16],
		     ptr[17], ptr[18], ptr[19], ptr[20], ptr[21], ptr[22], ptr[23], ptr[24],
		     ptr[25], ptr[26], ptr[27], ptr[28], ptr[29], ptr[30], ptr[31]);
	for (int i = 0; i < nslots; i++)
		if (slots[i].wide && r != EOF && slots[i].order < r)
			*slots[i].wide = tmp[i];
	return r;
}
