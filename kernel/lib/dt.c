/*
 * Device-tree (FDT) reader; see dt.h for what it extracts.
 *
 * Rules this file keeps, because the kernel calls it before it has relocated or set up
 * anything: no libc, no writable static data, no tables of pointers (their absolute
 * addresses would need relocating), only locals and the caller's dt_info. Multi-byte
 * values are read a byte at a time, big-endian, so the blob may sit at any alignment.
 *
 * Every read of the struct block goes through dt_tok_read(), which checks bounds, so even
 * a tree that slipped past dt_check_struct() could not make us read outside the blob.
 */
#include "kernel/lib/dt.h"

#include "kernel/abi/error.h"

/* Header fields: 32-bit big-endian words at these byte offsets. */
#define FDT_MAGIC	      0xd00dfeedu
#define FDT_HDR_MAGIC	      0u
#define FDT_HDR_TOTALSIZE     4u
#define FDT_HDR_OFF_STRUCT    8u
#define FDT_HDR_OFF_STRINGS   12u
#define FDT_HDR_OFF_RSVMAP    16u
#define FDT_HDR_VERSION	      20u
#define FDT_HDR_LAST_COMP     24u
#define FDT_HDR_SIZE_STRINGS  32u
#define FDT_HDR_SIZE_STRUCT   36u /* only from version 17 on */
#define FDT_HDR_V16_SIZE      36u
#define FDT_HDR_V17_SIZE      40u
#define FDT_FIRST_VERSION     16u /* oldest layout read: it has size_dt_strings */
#define FDT_V17		      17u
#define FDT_LAST_COMP_VERSION 17u /* a blob needing a newer reader is refused */

/* Struct block tokens. */
#define FDT_BEGIN_NODE 0x1u
#define FDT_END_NODE   0x2u
#define FDT_PROP       0x3u
#define FDT_NOP	       0x4u
#define FDT_END	       0x9u

#define FDT_CELL      4u  /* bytes per cell and token alignment */
#define FDT_PROP_HDR  8u  /* len and nameoff words after FDT_PROP */
#define FDT_RSV_ENTRY 16u /* /memreserve/ entry: 64-bit address, 64-bit size */

#define DT_MAX_DEPTH	    32 /* nesting accepted; real trees use under 10 */
#define DT_MAX_CELLS	    4  /* #address-cells/#size-cells beyond this are not used */
#define DT_ROOT_ADDR_CELLS  2  /* defaults when a parent has no #...-cells */
#define DT_ROOT_SIZE_CELLS  1
#define DT_INTR_CELLS	    1 /* #interrupt-cells assumed for a cpu intc without one */
#define DT_IRQ_S_EXT	    9 /* supervisor external interrupt, as a cpu-intc irq */
#define DT_IRQ_S_SOFT	    1 /* supervisor software interrupt (an IPI), as a cpu-intc irq */
#define DT_PHANDLE_NONE	    0u
#define DT_PHANDLE_BAD	    0xffffffffu
#define DT_DEFAULT_IO_WIDTH 1
#define DT_REASON_LEN	    24 /* longest dt_skip_reason() text plus NUL */

/* The blob after its header has been checked. */
struct dt_blob {
	const uint8_t *fdt;
	uint32_t total;
	const uint8_t *st; /* struct block */
	uint32_t st_size;
	const char *str; /* strings block */
	uint32_t str_size;
	uint32_t rsv_off;
};

/* A property value: len bytes at p, all inside the blob. */
struct dt_val {
	const uint8_t *p;
	uint32_t len;
};

/* One struct-block token. */
struct dt_tok {
	uint32_t kind;
	uint32_t next;	  /* offset of the token after it */
	const char *name; /* node or property name, NUL-terminated inside the blob */
	struct dt_val val;
};

/* A node and its ancestors: stack[0] is the root, stack[depth - 1] the node. */
struct dt_walk {
	uint32_t off; /* next token to read */
	int depth;
	bool root_seen;
	uint32_t stack[DT_MAX_DEPTH];
};

struct dt_cells {
	uint32_t addr, size;
};

/* ---- bytes and strings ---- */

static uint32_t dt_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t dt_be64(const uint8_t *p)
{
	return (uint64_t)dt_be32(p) << 32 | dt_be32(p + FDT_CELL);
}

static uint32_t dt_align4(uint32_t x)
{
	return (x + FDT_CELL - 1) & ~(FDT_CELL - 1);
}

static uint32_t dt_strnlen(const char *s, uint32_t max)
{
	uint32_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

/* Our own literals only: never used on blob data, which may lack a NUL. */
static uint32_t dt_strlen(const char *s)
{
	uint32_t n = 0;

	while (s[n])
		n++;
	return n;
}

static bool dt_mem_eq(const char *a, const char *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* s[0..n) equals the literal want. */
static bool dt_span_is(const char *s, uint32_t n, const char *want)
{
	return n == dt_strlen(want) && dt_mem_eq(s, want, n);
}

/* s[0..n) contains the literal want. */
static bool dt_span_has(const char *s, uint32_t n, const char *want)
{
	uint32_t w = dt_strlen(want);

	for (uint32_t i = 0; i + w <= n; i++)
		if (dt_mem_eq(s + i, want, w))
			return true;
	return false;
}

/* Copy the value's first string, cut to fit, always NUL-terminated. */
static void dt_copy_str(char *dst, uint32_t size, struct dt_val v)
{
	uint32_t n = dt_strnlen((const char *)v.p, v.len);

	if (n >= size)
		n = size - 1;
	for (uint32_t i = 0; i < n; i++)
		dst[i] = (char)v.p[i];
	dst[n] = '\0';
}

/*
 * Zero the caller's struct byte by byte. The volatile store keeps the compiler from
 * turning the loop into a memset() call, which the kernel may not have.
 */
static void dt_zero(void *p, size_t n)
{
	volatile uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = 0;
}

/* Step through a NUL-separated string list; the last string may lack its NUL. */
static bool dt_list_next(struct dt_val v, uint32_t *pos, const char **s, uint32_t *n)
{
	if (*pos >= v.len)
		return false;
	*s = (const char *)v.p + *pos;
	*n = dt_strnlen(*s, v.len - *pos);
	*pos += *n + 1;
	return true;
}

static bool dt_val_is(struct dt_val v, const char *want)
{
	return dt_span_is((const char *)v.p, dt_strnlen((const char *)v.p, v.len), want);
}

static bool dt_list_has(struct dt_val v, const char *want)
{
	uint32_t pos = 0, n;
	const char *s;

	while (dt_list_next(v, &pos, &s, &n))
		if (dt_span_is(s, n, want))
			return true;
	return false;
}

/* ---- header ---- */

static uint32_t dt_hdr(const uint8_t *fdt, uint32_t field)
{
	return dt_be32(fdt + field);
}

/* Magic and versions only; the caller has at least FDT_HDR_V17_SIZE bytes. */
static bool dt_hdr_ok(const uint8_t *fdt)
{
	uint32_t version = dt_hdr(fdt, FDT_HDR_VERSION);
	uint32_t hsize = version >= FDT_V17 ? FDT_HDR_V17_SIZE : FDT_HDR_V16_SIZE;

	return dt_hdr(fdt, FDT_HDR_MAGIC) == FDT_MAGIC && version >= FDT_FIRST_VERSION &&
	       dt_hdr(fdt, FDT_HDR_LAST_COMP) <= FDT_LAST_COMP_VERSION &&
	       dt_hdr(fdt, FDT_HDR_TOTALSIZE) >= hsize;
}

uint32_t dt_total_size(const void *fdt)
{
	if (!fdt || !dt_hdr_ok(fdt))
		return 0;
	return dt_hdr(fdt, FDT_HDR_TOTALSIZE);
}

/* [off, off + size) lies within [lo, total). */
static bool dt_block_ok(uint32_t off, uint32_t size, uint32_t lo, uint32_t total)
{
	return off >= lo && off <= total && size <= total - off;
}

/* The /memreserve/ list must end (an entry with size 0) inside the blob. */
static int dt_check_rsvmap(const struct dt_blob *b)
{
	uint32_t off = b->rsv_off;

	while (off <= b->total && b->total - off >= FDT_RSV_ENTRY) {
		if (dt_be64(b->fdt + off + sizeof(uint64_t)) == 0)
			return 0;
		off += FDT_RSV_ENTRY;
	}
	return E_FORMAT;
}

static int dt_blob_open(const uint8_t *fdt, size_t maxlen, struct dt_blob *b)
{
	uint32_t version, hsize, st_off, str_off;

	if (maxlen < FDT_HDR_V17_SIZE || !dt_hdr_ok(fdt))
		return E_FORMAT;
	b->fdt = fdt;
	b->total = dt_hdr(fdt, FDT_HDR_TOTALSIZE);
	if (b->total > maxlen)
		return E_FORMAT;
	version = dt_hdr(fdt, FDT_HDR_VERSION);
	hsize = version >= FDT_V17 ? FDT_HDR_V17_SIZE : FDT_HDR_V16_SIZE;
	st_off = dt_hdr(fdt, FDT_HDR_OFF_STRUCT);
	str_off = dt_hdr(fdt, FDT_HDR_OFF_STRINGS);
	b->rsv_off = dt_hdr(fdt, FDT_HDR_OFF_RSVMAP);
	b->str_size = dt_hdr(fdt, FDT_HDR_SIZE_STRINGS);
	/* Version 16 has no struct size: the block may run to the end of the blob. */
	b->st_size = version >= FDT_V17 ? dt_hdr(fdt, FDT_HDR_SIZE_STRUCT)
					: (st_off <= b->total ? b->total - st_off : 0);
	if (!dt_block_ok(st_off, b->st_size, hsize, b->total) || st_off % FDT_CELL ||
	    !dt_block_ok(str_off, b->str_size, hsize, b->total) ||
	    !dt_block_ok(b->rsv_off, 0, hsize, b->total))
		return E_FORMAT;
	b->st = fdt + st_off;
	b->str = (const char *)fdt + str_off;
	return dt_check_rsvmap(b);
}

/* ---- tokens ---- */

static int dt_tok_node(const struct dt_blob *b, uint32_t off, uint32_t room, struct dt_tok *t)
{
	uint32_t n;

	t->name = (const char *)b->st + off + FDT_CELL;
	n = dt_strnlen(t->name, room);
	if (n == room)
		return E_FORMAT; /* name runs off the block */
	t->next = dt_align4(off + FDT_CELL + n + 1);
	return 0;
}

static int dt_tok_prop(const struct dt_blob *b, uint32_t off, uint32_t room, struct dt_tok *t)
{
	const uint8_t *p = b->st + off + FDT_CELL;
	uint32_t nameoff;

	if (room < FDT_PROP_HDR)
		return E_FORMAT;
	t->val.len = dt_be32(p);
	nameoff = dt_be32(p + FDT_CELL);
	if (t->val.len > room - FDT_PROP_HDR || nameoff >= b->str_size)
		return E_FORMAT;
	t->name = b->str + nameoff;
	if (dt_strnlen(t->name, b->str_size - nameoff) == b->str_size - nameoff)
		return E_FORMAT; /* name runs off the strings block */
	t->val.p = p + FDT_PROP_HDR;
	t->next = dt_align4(off + FDT_CELL + FDT_PROP_HDR + t->val.len);
	return 0;
}

/* Decode the token at struct offset off; E_FORMAT if it is unknown or overruns. */
static int dt_tok_read(const struct dt_blob *b, uint32_t off, struct dt_tok *t)
{
	uint32_t room;

	if (off > b->st_size || b->st_size - off < FDT_CELL)
		return E_FORMAT;
	room = b->st_size - off - FDT_CELL;
	t->kind = dt_be32(b->st + off);
	t->next = off + FDT_CELL;
	if (t->kind == FDT_BEGIN_NODE)
		return dt_tok_node(b, off, room, t);
	if (t->kind == FDT_PROP)
		return dt_tok_prop(b, off, room, t);
	if (t->kind == FDT_END_NODE || t->kind == FDT_NOP || t->kind == FDT_END)
		return 0;
	return E_FORMAT;
}

/* ---- walking the whole tree in document order ---- */

static void dt_walk_init(struct dt_walk *w)
{
	w->off = 0;
	w->depth = 0;
	w->root_seen = false;
}

static int dt_walk_enter(struct dt_walk *w, uint32_t at, uint32_t *node)
{
	if (w->depth == 0 && w->root_seen)
		return E_FORMAT; /* a second root */
	if (w->depth >= DT_MAX_DEPTH)
		return E_FORMAT;
	w->stack[w->depth++] = at;
	w->root_seen = true;
	*node = at;
	return 1;
}

/* Next node: 1 with *node set (w->stack holds its ancestry), 0 at FDT_END, or E_FORMAT. */
static int dt_walk_next(const struct dt_blob *b, struct dt_walk *w, uint32_t *node)
{
	struct dt_tok t;

	for (;;) {
		uint32_t at = w->off;
		int err = dt_tok_read(b, at, &t);

		if (err)
			return err;
		w->off = t.next;
		if (t.kind == FDT_BEGIN_NODE)
			return dt_walk_enter(w, at, node);
		if (t.kind == FDT_END)
			return w->depth == 0 && w->root_seen ? 0 : E_FORMAT;
		if (t.kind != FDT_NOP && w->depth == 0)
			return E_FORMAT; /* a property or END_NODE outside the root */
		if (t.kind == FDT_END_NODE)
			w->depth--;
	}
}

/* The whole struct block: every token, name and length, balanced nodes, one root. */
static int dt_check_struct(const struct dt_blob *b)
{
	struct dt_walk w;
	uint32_t node;
	int r;

	dt_walk_init(&w);
	while ((r = dt_walk_next(b, &w, &node)) > 0)
		;
	return r;
}

/* ---- nodes and properties ---- */

/* The NUL-terminated blob string name equals s[0..n). */
static bool dt_name_is(const char *name, const char *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (name[i] != s[i] || !name[i])
			return false;
	return !name[n];
}

/* Properties come before child nodes, so the search stops at the first child. */
static bool dt_prop_span(const struct dt_blob *b, uint32_t node, const char *name, uint32_t n,
			 struct dt_val *v)
{
	struct dt_tok t;
	uint32_t off;

	if (dt_tok_read(b, node, &t) || t.kind != FDT_BEGIN_NODE)
		return false;
	for (off = t.next; dt_tok_read(b, off, &t) == 0; off = t.next) {
		if (t.kind == FDT_NOP)
			continue;
		if (t.kind != FDT_PROP)
			return false;
		if (dt_name_is(t.name, name, n)) {
			*v = t.val;
			return true;
		}
	}
	return false;
}

static bool dt_prop(const struct dt_blob *b, uint32_t node, const char *name, struct dt_val *v)
{
	return dt_prop_span(b, node, name, dt_strlen(name), v);
}

/* A one-cell property, dflt if absent or not exactly one cell. */
static uint32_t dt_prop_u32(const struct dt_blob *b, uint32_t node, const char *name, uint32_t dflt)
{
	struct dt_val v;

	if (!dt_prop(b, node, name, &v) || v.len != FDT_CELL)
		return dflt;
	return dt_be32(v.p);
}

/* A frequency-style number: one or two cells. 0 if absent or another size. */
static uint64_t dt_prop_num(const struct dt_blob *b, uint32_t node, const char *name)
{
	struct dt_val v;

	if (!dt_prop(b, node, name, &v))
		return 0;
	if (v.len == 2 * FDT_CELL)
		return dt_be64(v.p);
	return v.len == FDT_CELL ? dt_be32(v.p) : 0;
}

static const char *dt_node_name(const struct dt_blob *b, uint32_t node)
{
	struct dt_tok t;

	if (dt_tok_read(b, node, &t) || t.kind != FDT_BEGIN_NODE)
		return "";
	return t.name;
}

/* Absent status means okay. */
static bool dt_node_ok(const struct dt_blob *b, uint32_t node)
{
	struct dt_val v;

	return !dt_prop(b, node, "status", &v) || dt_val_is(v, "okay") || dt_val_is(v, "ok");
}

/* The offset just past node's FDT_END_NODE, or 0 (never a valid answer) on error. */
static uint32_t dt_node_skip(const struct dt_blob *b, uint32_t node)
{
	struct dt_tok t;
	uint32_t off = node;
	int depth = 0;

	do {
		if (dt_tok_read(b, off, &t) || t.kind == FDT_END)
			return 0;
		if (t.kind == FDT_BEGIN_NODE)
			depth++;
		else if (t.kind == FDT_END_NODE)
			depth--;
		off = t.next;
	} while (depth > 0);
	return off;
}

/* The first node starting at or after off before its parent ends. */
static bool dt_node_from(const struct dt_blob *b, uint32_t off, uint32_t *node)
{
	struct dt_tok t;

	for (; dt_tok_read(b, off, &t) == 0; off = t.next) {
		if (t.kind == FDT_BEGIN_NODE) {
			*node = off;
			return true;
		}
		if (t.kind != FDT_PROP && t.kind != FDT_NOP)
			return false;
	}
	return false;
}

static bool dt_first_child(const struct dt_blob *b, uint32_t node, uint32_t *child)
{
	struct dt_tok t;

	if (dt_tok_read(b, node, &t) || t.kind != FDT_BEGIN_NODE)
		return false;
	return dt_node_from(b, t.next, child);
}

static bool dt_next_sibling(const struct dt_blob *b, uint32_t node, uint32_t *next)
{
	uint32_t off = dt_node_skip(b, node);

	return off && dt_node_from(b, off, next);
}

static bool dt_root(const struct dt_blob *b, uint32_t *root)
{
	return dt_node_from(b, 0, root);
}

/* A path component matches "name@unit" exactly, or "name" alone if it has no '@'. */
static bool dt_name_match(const char *name, const char *comp, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (name[i] != comp[i] || !name[i])
			return false;
	if (!name[n])
		return true;
	return name[n] == '@' && !dt_span_has(comp, n, "@");
}

static bool dt_find_child(const struct dt_blob *b, uint32_t node, const char *comp, uint32_t n,
			  uint32_t *child)
{
	uint32_t c;
	bool ok;

	for (ok = dt_first_child(b, node, &c); ok; ok = dt_next_sibling(b, c, &c)) {
		if (dt_name_match(dt_node_name(b, c), comp, n)) {
			*child = c;
			return true;
		}
	}
	return false;
}

/* Follow '/'-separated components of s[0..len) down from w's deepest node. */
static bool dt_descend(const struct dt_blob *b, struct dt_walk *w, const char *s, uint32_t len)
{
	uint32_t i = 0, n;

	while (i < len) {
		if (s[i] == '/') {
			i++;
			continue;
		}
		for (n = 0; i + n < len && s[i + n] != '/'; n++)
			;
		if (w->depth >= DT_MAX_DEPTH ||
		    !dt_find_child(b, w->stack[w->depth - 1], s + i, n, &w->stack[w->depth]))
			return false;
		w->depth++;
		i += n;
	}
	return true;
}

/* Look up an absolute path; w->stack then holds the node and its ancestors. */
static bool dt_lookup(const struct dt_blob *b, const char *path, uint32_t len, struct dt_walk *w)
{
	dt_walk_init(w);
	if (!dt_root(b, &w->stack[0]))
		return false;
	w->depth = 1;
	return len && path[0] == '/' && dt_descend(b, w, path, len);
}

static bool dt_lookup_node(const struct dt_blob *b, const char *path, uint32_t *node)
{
	struct dt_walk w;

	if (!dt_lookup(b, path, dt_strlen(path), &w))
		return false;
	*node = w.stack[w.depth - 1];
	return true;
}

/* Write the path of w's deepest node, cut to fit. */
static void dt_path_text(const struct dt_blob *b, const struct dt_walk *w, char *buf, uint32_t size)
{
	uint32_t n = 0;

	for (int d = 1; d < w->depth; d++) {
		const char *name = dt_node_name(b, w->stack[d]);

		if (n + 1 < size)
			buf[n++] = '/';
		while (*name && n + 1 < size)
			buf[n++] = *name++;
	}
	if (n == 0 && size > 1)
		buf[n++] = '/';
	buf[n] = '\0';
}

/* ---- cells and reg ---- */

static struct dt_cells dt_cells_of(const struct dt_blob *b, uint32_t node)
{
	struct dt_cells c;

	c.addr = dt_prop_u32(b, node, "#address-cells", DT_ROOT_ADDR_CELLS);
	c.size = dt_prop_u32(b, node, "#size-cells", DT_ROOT_SIZE_CELLS);
	return c;
}

/* Cells beyond the last two carry bits past 64 and are shifted out. */
static uint64_t dt_read_cells(const uint8_t *p, uint32_t n)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < n; i++)
		v = v << 32 | dt_be32(p + i * FDT_CELL);
	return v;
}

/* Entry i of a reg value laid out with the parent's cells c. */
static bool dt_reg_entry(struct dt_val reg, struct dt_cells c, uint32_t i, struct dt_range *r)
{
	uint32_t stride = (c.addr + c.size) * FDT_CELL;

	if (c.addr > DT_MAX_CELLS || c.size > DT_MAX_CELLS || stride == 0 || i >= reg.len / stride)
		return false;
	r->base = dt_read_cells(reg.p + i * stride, c.addr);
	r->size = dt_read_cells(reg.p + i * stride + c.addr * FDT_CELL, c.size);
	return true;
}

/* Append every non-empty reg range of node to tab, keeping at most max. */
static void dt_add_regs(const struct dt_blob *b, uint32_t node, struct dt_cells c,
			struct dt_range *tab, int *n, int max)
{
	struct dt_val reg;
	struct dt_range r;

	if (!dt_prop(b, node, "reg", &reg))
		return;
	for (uint32_t i = 0; *n < max && dt_reg_entry(reg, c, i, &r); i++)
		if (r.size)
			tab[(*n)++] = r;
}

/* ---- root, chosen, memory ---- */

static void dt_read_model(const struct dt_blob *b, uint32_t root, struct dt_info *out)
{
	struct dt_val v;

	if (dt_prop(b, root, "model", &v) || dt_prop(b, root, "compatible", &v))
		dt_copy_str(out->model, sizeof(out->model), v);
}

static bool dt_is_memory(const struct dt_blob *b, uint32_t node)
{
	struct dt_val v;

	if (dt_prop(b, node, "device_type", &v))
		return dt_val_is(v, "memory");
	return dt_name_match(dt_node_name(b, node), "memory", dt_strlen("memory"));
}

/* Memory nodes are children of the root. */
static void dt_read_memory(const struct dt_blob *b, uint32_t root, struct dt_info *out)
{
	struct dt_cells c = dt_cells_of(b, root);
	uint32_t n;
	bool ok;

	for (ok = dt_first_child(b, root, &n); ok; ok = dt_next_sibling(b, n, &n))
		if (dt_is_memory(b, n) && dt_node_ok(b, n))
			dt_add_regs(b, n, c, out->mem, &out->nmem, DT_MAX_MEM);
}

static void dt_read_memreserve(const struct dt_blob *b, struct dt_info *out)
{
	/* dt_check_rsvmap() has seen the terminating entry inside the blob. */
	for (uint32_t off = b->rsv_off; out->nresv < DT_MAX_RESV; off += FDT_RSV_ENTRY) {
		struct dt_range r;

		r.base = dt_be64(b->fdt + off);
		r.size = dt_be64(b->fdt + off + sizeof(uint64_t));
		if (r.size == 0)
			break;
		out->resv[out->nresv++] = r;
	}
}

/* /reserved-memory children with a reg (dynamic "size"-only ones have no address yet). */
static void dt_read_reserved(const struct dt_blob *b, struct dt_info *out)
{
	struct dt_cells c;
	uint32_t rm, n;
	bool ok;

	dt_read_memreserve(b, out);
	if (!dt_lookup_node(b, "/reserved-memory", &rm))
		return;
	c = dt_cells_of(b, rm);
	for (ok = dt_first_child(b, rm, &n); ok; ok = dt_next_sibling(b, n, &n))
		if (dt_node_ok(b, n))
			dt_add_regs(b, n, c, out->resv, &out->nresv, DT_MAX_RESV);
}

/* ---- devices ---- */

/* Keep whole strings only, so the copy stays a valid list. */
static void dt_copy_compat(struct dt_device *d, struct dt_val v)
{
	uint32_t pos = 0, keep = 0, n;
	const char *s;

	/* pos is one past each string's NUL, or past where a missing last NUL would be. */
	while (dt_list_next(v, &pos, &s, &n) && pos <= sizeof(d->compat))
		keep = pos;
	for (uint32_t i = 0; i < keep; i++)
		d->compat[i] = i < v.len ? (char)v.p[i] : '\0';
	d->compat_len = keep;
}

/*
 * Fill d from w's deepest node. reg is read with the direct parent's cell sizes only:
 * no "ranges" translation, which is right for the boards we run on (their buses map 1:1
 * with an empty "ranges") but would be wrong behind a bus that remaps addresses.
 */
static void dt_device_at(const struct dt_blob *b, const struct dt_walk *w, struct dt_device *d)
{
	uint32_t node = w->stack[w->depth - 1];
	struct dt_val v;
	struct dt_range r;

	d->found = true;
	dt_path_text(b, w, d->path, sizeof(d->path));
	if (dt_prop(b, node, "compatible", &v))
		dt_copy_compat(d, v);
	if (w->depth >= 2 && dt_prop(b, node, "reg", &v) &&
	    dt_reg_entry(v, dt_cells_of(b, w->stack[w->depth - 2]), 0, &r)) {
		d->base = r.base;
		d->size = r.size;
	}
	if (dt_prop(b, node, "interrupts", &v) && v.len >= FDT_CELL)
		d->irq = dt_be32(v.p);
	d->reg_shift = dt_prop_u32(b, node, "reg-shift", 0);
	d->reg_io_width = dt_prop_u32(b, node, "reg-io-width", DT_DEFAULT_IO_WIDTH);
	d->clock_hz = (uint32_t)dt_prop_num(b, node, "clock-frequency");
}

/* "serial0/sub": the alias names the first component, the rest goes on from there. */
static bool dt_lookup_alias(const struct dt_blob *b, const char *s, uint32_t len, struct dt_walk *w)
{
	struct dt_val alias;
	uint32_t aliases, n;

	for (n = 0; n < len && s[n] != '/'; n++)
		;
	if (!n || !dt_lookup_node(b, "/aliases", &aliases) ||
	    !dt_prop_span(b, aliases, s, n, &alias))
		return false;
	return dt_lookup(b, (const char *)alias.p, dt_strnlen((const char *)alias.p, alias.len),
			 w) &&
	       dt_descend(b, w, s + n, len - n);
}

/* stdout-path: a path or an alias, either possibly followed by ":options". */
static void dt_read_console(const struct dt_blob *b, uint32_t chosen, struct dt_info *out)
{
	struct dt_walk w;
	struct dt_val v;
	const char *s;
	uint32_t len;

	if (!dt_prop(b, chosen, "stdout-path", &v))
		return;
	s = (const char *)v.p;
	for (len = 0; len < v.len && s[len] && s[len] != ':'; len++)
		;
	if (len == 0)
		return;
	if (s[0] == '/' ? dt_lookup(b, s, len, &w) : dt_lookup_alias(b, s, len, &w))
		dt_device_at(b, &w, &out->console);
}

/* ---- harts ---- */

/* "_sstc" as a whole '_'-separated token after the base ("rv64imac_zicsr_sstc"). */
static bool dt_isa_has_sstc(struct dt_val v)
{
	const char *s = (const char *)v.p;
	uint32_t len = dt_strnlen(s, v.len), i = 0, n;

	while (i < len && s[i] != '_')
		i++;
	while (i < len) {
		i++; /* the '_' */
		for (n = 0; i + n < len && s[i + n] != '_'; n++)
			;
		if (dt_span_is(s + i, n, "sstc"))
			return true;
		i += n;
	}
	return false;
}

/* Sv48 and Sv57 harts also implement Sv39, which is all the kernel uses. */
static bool dt_mmu_usable(struct dt_val v)
{
	const char *s = (const char *)v.p;
	uint32_t n = dt_strnlen(s, v.len);

	return dt_span_has(s, n, "sv39") || dt_span_has(s, n, "sv48") || dt_span_has(s, n, "sv57");
}

/* No MMU is checked first: monitor cores are usually also disabled, and that is the reason. */
static enum dt_hart_skip dt_hart_skip_of(const struct dt_blob *b, uint32_t cpu, struct dt_hart *h)
{
	struct dt_val v;

	if (!dt_prop(b, cpu, "mmu-type", &v))
		return DT_HART_NO_MMU;
	dt_copy_str(h->mmu_type, sizeof(h->mmu_type), v);
	if (!dt_mmu_usable(v))
		return DT_HART_BAD_MMU;
	return dt_node_ok(b, cpu) ? DT_HART_OK : DT_HART_DISABLED;
}

static uint32_t dt_phandle_of(const struct dt_blob *b, uint32_t node)
{
	uint32_t ph = dt_prop_u32(b, node, "phandle", DT_PHANDLE_NONE);

	return ph ? ph : dt_prop_u32(b, node, "linux,phandle", DT_PHANDLE_NONE);
}

static uint32_t dt_cpu_intc(const struct dt_blob *b, uint32_t cpu)
{
	struct dt_val v;
	uint32_t c;
	bool ok;

	for (ok = dt_first_child(b, cpu, &c); ok; ok = dt_next_sibling(b, c, &c))
		if (dt_prop(b, c, "compatible", &v) && dt_list_has(v, "riscv,cpu-intc"))
			return dt_phandle_of(b, c);
	return DT_PHANDLE_NONE;
}

/* A cpu node without a readable reg has no hart id and is left out. */
static void dt_read_hart(const struct dt_blob *b, uint32_t cpu, struct dt_cells c,
			 struct dt_info *out)
{
	struct dt_hart *h;
	struct dt_range r;
	struct dt_val v;

	if (out->nharts >= DT_MAX_HARTS || !dt_prop(b, cpu, "reg", &v) ||
	    !dt_reg_entry(v, c, 0, &r))
		return;
	h = &out->harts[out->nharts++];
	h->hartid = (uint32_t)r.base;
	h->plic_s_context = -1;
	h->sswi_index = -1;
	if (dt_prop(b, cpu, "riscv,isa", &v)) {
		dt_copy_str(h->isa, sizeof(h->isa), v);
		h->has_sstc = dt_isa_has_sstc(v);
	}
	if (dt_prop(b, cpu, "riscv,isa-extensions", &v) && dt_list_has(v, "sstc"))
		h->has_sstc = true;
	h->skip = dt_hart_skip_of(b, cpu, h);
	h->intc_phandle = dt_cpu_intc(b, cpu);
}

static void dt_read_cpus(const struct dt_blob *b, struct dt_info *out)
{
	struct dt_cells c;
	struct dt_val v;
	uint32_t cpus, n;
	bool ok;

	if (!dt_lookup_node(b, "/cpus", &cpus))
		return;
	c = dt_cells_of(b, cpus);
	out->timebase_hz = dt_prop_num(b, cpus, "timebase-frequency");
	for (ok = dt_first_child(b, cpus, &n); ok; ok = dt_next_sibling(b, n, &n)) {
		if (!dt_prop(b, n, "device_type", &v) || !dt_val_is(v, "cpu"))
			continue; /* cpu-map and the like */
		if (!out->timebase_hz)
			out->timebase_hz = dt_prop_num(b, n, "timebase-frequency");
		dt_read_hart(b, n, c, out);
	}
}

/* ---- PLIC and other devices ---- */

/* Any "...plic..." string, except the AIA "riscv,aplic", which has other registers. */
static bool dt_is_plic(struct dt_val v)
{
	uint32_t pos = 0, n;
	const char *s;

	while (dt_list_next(v, &pos, &s, &n))
		if (dt_span_has(s, n, "plic") && !dt_span_has(s, n, "aplic"))
			return true;
	return false;
}

static bool dt_find_phandle(const struct dt_blob *b, uint32_t ph, uint32_t *node)
{
	struct dt_walk w;
	uint32_t n;

	if (ph == DT_PHANDLE_NONE || ph == DT_PHANDLE_BAD)
		return false;
	dt_walk_init(&w);
	while (dt_walk_next(b, &w, &n) > 0) {
		if (dt_phandle_of(b, n) == ph) {
			*node = n;
			return true;
		}
	}
	return false;
}

static void dt_set_s_context(struct dt_info *out, uint32_t intc, int ctx)
{
	for (int i = 0; i < out->nharts; i++)
		if (out->harts[i].intc_phandle == intc && out->harts[i].plic_s_context < 0)
			out->harts[i].plic_s_context = ctx;
}

static void dt_set_sswi_index(struct dt_info *out, uint32_t intc, int index)
{
	for (int i = 0; i < out->nharts; i++)
		if (out->harts[i].intc_phandle == intc && out->harts[i].sswi_index < 0)
			out->harts[i].sswi_index = index;
}

/*
 * interrupts-extended lists one (intc phandle, irq...) entry per output of a device (a
 * PLIC context, an SSWI register), in output order: set(out, phandle, n) for the n-th
 * entry whose irq is irq. An entry's length depends on the intc's #interrupt-cells, so
 * an unknown phandle ends the list: nothing after it can be placed.
 */
static void dt_irq_outputs(const struct dt_blob *b, uint32_t node, uint32_t irq,
			   struct dt_info *out, void (*set)(struct dt_info *, uint32_t, int))
{
	struct dt_val v;
	uint32_t ncells, i = 0, intc, n;
	int index = 0;

	if (!dt_prop(b, node, "interrupts-extended", &v))
		return;
	ncells = v.len / FDT_CELL;
	while (i < ncells) {
		uint32_t ph = dt_be32(v.p + i * FDT_CELL);

		if (!dt_find_phandle(b, ph, &intc))
			return;
		n = dt_prop_u32(b, intc, "#interrupt-cells", DT_INTR_CELLS);
		if (n > DT_MAX_CELLS || n > ncells - i - 1)
			return;
		if (n && dt_be32(v.p + (i + 1) * FDT_CELL) == irq)
			set(out, ph, index);
		i += 1 + n;
		index++;
	}
}

/* One pass over every node for the devices found by compatible: the first enabled one wins. */
static void dt_read_devices(const struct dt_blob *b, struct dt_info *out)
{
	struct dt_walk w;
	struct dt_val v;
	uint32_t node;

	dt_walk_init(&w);
	while (dt_walk_next(b, &w, &node) > 0) {
		if (w.depth < 2 || !dt_prop(b, node, "compatible", &v) || !dt_node_ok(b, node))
			continue;
		if (!out->plic.found && dt_is_plic(v)) {
			dt_device_at(b, &w, &out->plic);
			out->plic_ndev = dt_prop_u32(b, node, "riscv,ndev", 0);
			dt_irq_outputs(b, node, DT_IRQ_S_EXT, out, dt_set_s_context);
		}
		if (!out->sswi.found && dt_list_has(v, "riscv,aclint-sswi")) {
			dt_device_at(b, &w, &out->sswi);
			dt_irq_outputs(b, node, DT_IRQ_S_SOFT, out, dt_set_sswi_index);
		}
		if (!out->finisher.found && dt_list_has(v, "sifive,test0"))
			dt_device_at(b, &w, &out->finisher);
	}
}

static void dt_read_chosen(const struct dt_blob *b, struct dt_info *out)
{
	struct dt_val v;
	uint32_t chosen;

	if (!dt_lookup_node(b, "/chosen", &chosen))
		return;
	if (dt_prop(b, chosen, "bootargs", &v))
		dt_copy_str(out->bootargs, sizeof(out->bootargs), v);
	if (dt_prop(b, chosen, "rng-seed", &v)) {
		/* Every byte counts: a longer seed is folded in, not cut. */
		for (uint32_t i = 0; i < v.len; i++)
			out->rng_seed[i % DT_MAX_RNG_SEED] ^= v.p[i];
		out->rng_seed_len = v.len;
	}
	dt_read_console(b, chosen, out);
}

/* ---- interface ---- */

/* Every entry point: zero the answer, then check the whole blob before reading it. */
static int dt_open_checked(const void *fdt, size_t maxlen, void *out, size_t size,
			   struct dt_blob *b)
{
	int err;

	if (!out)
		return E_INVAL;
	dt_zero(out, size);
	if (!fdt)
		return E_INVAL;
	err = dt_blob_open(fdt, maxlen, b);
	return err ? err : dt_check_struct(b);
}

int dt_parse(const void *fdt, size_t maxlen, struct dt_info *out)
{
	struct dt_blob b;
	uint32_t root;
	int err = dt_open_checked(fdt, maxlen, out, sizeof(*out), &b);

	if (err)
		return err;
	if (!dt_root(&b, &root))
		return E_FORMAT;
	dt_read_model(&b, root, out);
	dt_read_chosen(&b, out);
	dt_read_memory(&b, root, out);
	dt_read_reserved(&b, out);
	dt_read_cpus(&b, out); /* before the PLIC: its contexts are matched to harts */
	dt_read_devices(&b, out);
	return out->nharts && out->nmem ? 0 : E_NOENT;
}

int dt_find_device(const void *fdt, size_t maxlen, const char *compat, uint32_t index,
		   struct dt_device *out)
{
	struct dt_blob b;
	struct dt_walk w;
	struct dt_val v;
	uint32_t node;
	int err = dt_open_checked(compat ? fdt : 0, maxlen, out, sizeof(*out), &b);

	if (err)
		return err;
	dt_walk_init(&w);
	while ((err = dt_walk_next(&b, &w, &node)) > 0) {
		if (w.depth < 2 || !dt_prop(&b, node, "compatible", &v) || !dt_node_ok(&b, node) ||
		    !dt_list_has(v, compat))
			continue;
		if (index-- == 0) {
			dt_device_at(&b, &w, out);
			return 0;
		}
	}
	return err < 0 ? err : E_NOENT;
}

bool dt_compat_has(const char *compat, uint32_t len, const char *want)
{
	struct dt_val v;

	if (!compat || !want)
		return false;
	v.p = (const uint8_t *)compat;
	v.len = len;
	return dt_list_has(v, want);
}

const struct dt_hart *dt_find_hart(const struct dt_info *info, uint32_t hartid)
{
	for (int i = 0; i < info->nharts; i++)
		if (info->harts[i].hartid == hartid)
			return &info->harts[i];
	return NULL;
}

/*
 * Fixed-width rows of one array, not an array of pointers (nor an if chain, which the
 * compiler turns into one): pointers in a table would need relocating.
 */
const char *dt_skip_reason(enum dt_hart_skip skip)
{
	static const char reasons[][DT_REASON_LEN] = {
		[DT_HART_OK] = "usable",
		[DT_HART_NO_MMU] = "no MMU (monitor core)",
		[DT_HART_BAD_MMU] = "MMU without Sv39",
		[DT_HART_DISABLED] = "disabled",
		[DT_HART_NO_S_CONTEXT] = "no PLIC S-mode context",
		[DT_HART_NO_S_CONTEXT + 1] = "unknown reason",
	};
	uint32_t k = (uint32_t)skip;

	if (k > DT_HART_NO_S_CONTEXT)
		k = DT_HART_NO_S_CONTEXT + 1;
	return reasons[k];
}
