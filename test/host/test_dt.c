/*
 * Host tests for kernel/lib/dt.c. For every DTB named on the command line, dt_parse() is run
 * and its answers are compared with the same answers worked out independently through
 * libfdt (the "oracle" functions, o_*). Then malformed blobs made from that DTB must give
 * an error and never a crash (run under ASan/UBSan). A synthetic tree built with libfdt's
 * sequential writer covers corner cases the real boards do not have, and boards recognised
 * by file name get a few fixed answers from the board facts.
 *
 * Build: gcc -std=gnu11 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
 *        -Wall -Wextra -Werror -I. test/host/test_dt.c kernel/lib/dt.c -lfdt -o build/host/test_dt
 * Run:   build/host/test_dt a.dtb b.dtb ...   (last line: "N passed, M failed")
 */
#include <libfdt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/abi/error.h"
#include "kernel/lib/dt.h"

#define FDT_MAX_CELLS	 4 /* #...-cells beyond this: reg is not used (as in dt.c) */
#define ROOT_ADDR_CELLS	 2
#define ROOT_SIZE_CELLS	 1
#define INTC_CELLS	 1
#define IRQ_S_EXT	 9
#define IRQ_S_SOFT	 1
#define IO_WIDTH_DEFAULT 1
#define TOKEN_NOP	 0x4u
#define TOKEN_END_NODE	 0x2u
#define TOKEN_BOGUS	 0x12345678u
#define HDR_V17_SIZE	 40
#define FUZZ_ROUNDS	 400
#define DEEP_NESTING	 100
#define SHALLOW_NESTING	 8
#define SYNTH_SIZE	 16384
#define PATH_BUF	 512

static int total_pass, total_fail;
static int group_pass, group_fail;
static const char *cur_file = "";
static const char *cur_group = "";

/* ---- reporting ---- */

static void group_begin(const char *name)
{
	cur_group = name;
	group_pass = group_fail = 0;
}

static void group_end(void)
{
	printf("%-28s %-34s %3d checks, %d failed\n", cur_file, cur_group, group_pass + group_fail,
	       group_fail);
}

static bool check(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		group_pass++;
		total_pass++;
		return true;
	}
	group_fail++;
	total_fail++;
	printf("FAIL %s [%s]: ", cur_file, cur_group);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return false;
}

/* ---- libfdt oracle ---- */

/* strcpy cut to fit, as dt.c cuts long strings. */
static void cut_copy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static uint32_t o_cells(const void *fdt, int node, const char *name, uint32_t dflt)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	return p && len == (int)sizeof(*p) ? fdt32_ld(p) : dflt;
}

/* First string of a property, as a bounded C string in buf. */
static bool o_str(const void *fdt, int node, const char *name, char *buf, size_t size)
{
	int len;
	const char *p = fdt_getprop(fdt, node, name, &len);
	size_t n;

	if (!p)
		return false;
	n = strnlen(p, (size_t)len);
	if (n >= size)
		n = size - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return true;
}

static bool o_ok(const void *fdt, int node)
{
	char s[32];

	if (!o_str(fdt, node, "status", s, sizeof(s)))
		return true;
	return !strcmp(s, "okay") || !strcmp(s, "ok");
}

static uint64_t o_num(const fdt32_t *p, uint32_t n)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < n; i++)
		v = (v << 32) | fdt32_ld(p + i);
	return v;
}

static uint64_t o_freq(const void *fdt, int node, const char *name)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p)
		return 0;
	if (len == 8)
		return o_num(p, 2);
	return len == 4 ? fdt32_ld(p) : 0;
}

static bool o_reg(const void *fdt, int node, int parent, int idx, struct dt_range *r)
{
	uint32_t ac = o_cells(fdt, parent, "#address-cells", ROOT_ADDR_CELLS);
	uint32_t sc = o_cells(fdt, parent, "#size-cells", ROOT_SIZE_CELLS);
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, "reg", &len);

	if (!p || ac > FDT_MAX_CELLS || sc > FDT_MAX_CELLS || ac + sc == 0)
		return false;
	if ((size_t)(idx + 1) * (ac + sc) * 4 > (size_t)len)
		return false;
	p += (size_t)idx * (ac + sc);
	r->base = o_num(p, ac);
	r->size = o_num(p + ac, sc);
	return true;
}

static void o_add_regs(const void *fdt, int node, int parent, struct dt_range *tab, int *n, int max)
{
	struct dt_range r;

	for (int i = 0; *n < max && o_reg(fdt, node, parent, i, &r); i++)
		if (r.size)
			tab[(*n)++] = r;
}

static bool o_list_has(const char *p, int len, const char *want)
{
	for (int pos = 0; pos < len;) {
		size_t n = strnlen(p + pos, (size_t)(len - pos));

		if (n == strlen(want) && !memcmp(p + pos, want, n))
			return true;
		pos += (int)n + 1;
	}
	return false;
}

static void o_model(const void *fdt, struct dt_info *e)
{
	if (!o_str(fdt, 0, "model", e->model, sizeof(e->model)))
		o_str(fdt, 0, "compatible", e->model, sizeof(e->model));
}

static bool o_is_memory(const void *fdt, int node)
{
	char s[32];
	const char *name = fdt_get_name(fdt, node, NULL);

	if (o_str(fdt, node, "device_type", s, sizeof(s)))
		return !strcmp(s, "memory");
	return !strcmp(name, "memory") || !strncmp(name, "memory@", 7);
}

static void o_memory(const void *fdt, struct dt_info *e)
{
	int n;

	fdt_for_each_subnode(n, fdt, 0) if (o_is_memory(fdt, n) && o_ok(fdt, n))
		o_add_regs(fdt, n, 0, e->mem, &e->nmem, DT_MAX_MEM);
}

static void o_reserved(const void *fdt, struct dt_info *e)
{
	int n, rm, count = fdt_num_mem_rsv(fdt);

	for (int i = 0; i < count && e->nresv < DT_MAX_RESV; i++) {
		fdt_get_mem_rsv(fdt, i, &e->resv[e->nresv].base, &e->resv[e->nresv].size);
		e->nresv++;
	}
	rm = fdt_path_offset(fdt, "/reserved-memory");
	if (rm < 0)
		return;
	fdt_for_each_subnode(n, fdt, rm) if (o_ok(fdt, n))
		o_add_regs(fdt, n, rm, e->resv, &e->nresv, DT_MAX_RESV);
}

/* "_sstc" as a whole token after the base ISA; strsep keeps empty tokens, like dt.c. */
static bool o_isa_sstc(const char *isa)
{
	char *copy = strdup(isa), *rest = copy, *tok;
	bool found = false;

	strsep(&rest, "_");
	while ((tok = strsep(&rest, "_")) != NULL)
		if (!strcmp(tok, "sstc"))
			found = true;
	free(copy);
	return found;
}

static enum dt_hart_skip o_skip(const void *fdt, int node, struct dt_hart *h)
{
	char mmu[256];

	if (!o_str(fdt, node, "mmu-type", mmu, sizeof(mmu)))
		return DT_HART_NO_MMU;
	cut_copy(h->mmu_type, sizeof(h->mmu_type), mmu);
	if (!strstr(mmu, "sv39") && !strstr(mmu, "sv48") && !strstr(mmu, "sv57"))
		return DT_HART_BAD_MMU;
	return o_ok(fdt, node) ? DT_HART_OK : DT_HART_DISABLED;
}

static void o_hart(const void *fdt, int node, int cpus, struct dt_info *e)
{
	char isa[1024];
	struct dt_range r;
	struct dt_hart *h;
	int c;

	if (e->nharts >= DT_MAX_HARTS || !o_reg(fdt, node, cpus, 0, &r))
		return;
	h = &e->harts[e->nharts++];
	h->hartid = (uint32_t)r.base;
	h->plic_s_context = -1;
	h->sswi_index = -1;
	if (o_str(fdt, node, "riscv,isa", isa, sizeof(isa))) {
		cut_copy(h->isa, sizeof(h->isa), isa);
		h->has_sstc = o_isa_sstc(isa);
	}
	if (fdt_stringlist_search(fdt, node, "riscv,isa-extensions", "sstc") >= 0)
		h->has_sstc = true;
	h->skip = o_skip(fdt, node, h);
	fdt_for_each_subnode(c, fdt, node)
	{
		if (fdt_node_check_compatible(fdt, c, "riscv,cpu-intc") == 0) {
			h->intc_phandle = fdt_get_phandle(fdt, c);
			break;
		}
	}
}

static void o_cpus(const void *fdt, struct dt_info *e)
{
	char type[16];
	int cpus = fdt_path_offset(fdt, "/cpus"), n;

	if (cpus < 0)
		return;
	e->timebase_hz = o_freq(fdt, cpus, "timebase-frequency");
	fdt_for_each_subnode(n, fdt, cpus)
	{
		if (!o_str(fdt, n, "device_type", type, sizeof(type)) || strcmp(type, "cpu"))
			continue;
		if (!e->timebase_hz)
			e->timebase_hz = o_freq(fdt, n, "timebase-frequency");
		o_hart(fdt, n, cpus, e);
	}
}

static void o_compat(const char *p, int len, struct dt_device *d)
{
	int keep = 0;

	for (int pos = 0; pos < len;) {
		pos += (int)strnlen(p + pos, (size_t)(len - pos)) + 1;
		if (pos > DT_MAX_COMPAT)
			break;
		keep = pos;
	}
	memcpy(d->compat, p, (size_t)(keep < len ? keep : len));
	d->compat_len = (uint32_t)keep;
}

static void o_device(const void *fdt, int node, struct dt_device *d)
{
	char path[PATH_BUF];
	const char *compat;
	const fdt32_t *irq;
	struct dt_range r;
	int len;

	d->found = true;
	if (fdt_get_path(fdt, node, path, sizeof(path)) == 0)
		cut_copy(d->path, sizeof(d->path), path);
	compat = fdt_getprop(fdt, node, "compatible", &len);
	if (compat)
		o_compat(compat, len, d);
	if (o_reg(fdt, node, fdt_parent_offset(fdt, node), 0, &r)) {
		d->base = r.base;
		d->size = r.size;
	}
	irq = fdt_getprop(fdt, node, "interrupts", &len);
	if (irq && len >= 4)
		d->irq = fdt32_ld(irq);
	d->reg_shift = o_cells(fdt, node, "reg-shift", 0);
	d->reg_io_width = o_cells(fdt, node, "reg-io-width", IO_WIDTH_DEFAULT);
	d->clock_hz = (uint32_t)o_freq(fdt, node, "clock-frequency");
}

static void o_console(const void *fdt, struct dt_info *e)
{
	int chosen = fdt_path_offset(fdt, "/chosen"), len, node;
	const char *sp, *colon;
	size_t n;

	if (chosen < 0)
		return;
	o_str(fdt, chosen, "bootargs", e->bootargs, sizeof(e->bootargs));
	sp = fdt_getprop(fdt, chosen, "stdout-path", &len);
	if (!sp)
		return;
	n = strnlen(sp, (size_t)len);
	colon = memchr(sp, ':', n);
	if (colon)
		n = (size_t)(colon - sp);
	node = n ? fdt_path_offset_namelen(fdt, sp, (int)n) : -1;
	if (node >= 0)
		o_device(fdt, node, &e->console);
}

static bool o_is_plic(const char *p, int len)
{
	char s[256];

	for (int pos = 0; pos < len;) {
		size_t n = strnlen(p + pos, (size_t)(len - pos));

		snprintf(s, sizeof(s), "%.*s", (int)n, p + pos);
		if (strstr(s, "plic") && !strstr(s, "aplic"))
			return true;
		pos += (int)n + 1;
	}
	return false;
}

static void o_set_ctx(struct dt_info *e, uint32_t ph, int ctx)
{
	for (int i = 0; i < e->nharts; i++)
		if (e->harts[i].intc_phandle == ph && e->harts[i].plic_s_context < 0)
			e->harts[i].plic_s_context = ctx;
}

static void o_set_sswi(struct dt_info *e, uint32_t ph, int index)
{
	for (int i = 0; i < e->nharts; i++)
		if (e->harts[i].intc_phandle == ph && e->harts[i].sswi_index < 0)
			e->harts[i].sswi_index = index;
}

/* The n-th entry of interrupts-extended whose irq is irq goes to the hart of its intc. */
static void o_outputs(const void *fdt, int node, uint32_t irq, struct dt_info *e,
		      void (*set)(struct dt_info *, uint32_t, int))
{
	int len, index = 0;
	const fdt32_t *p = fdt_getprop(fdt, node, "interrupts-extended", &len);
	uint32_t ncells = p ? (uint32_t)len / 4 : 0, i = 0;

	while (i < ncells) {
		uint32_t ph = fdt32_ld(p + i), n;
		int intc = (ph == 0 || ph == ~0u) ? -1 : fdt_node_offset_by_phandle(fdt, ph);

		if (intc < 0)
			break;
		n = o_cells(fdt, intc, "#interrupt-cells", INTC_CELLS);
		if (n > FDT_MAX_CELLS || n > ncells - i - 1)
			break;
		if (n && fdt32_ld(p + i + 1) == irq)
			set(e, ph, index);
		i += 1 + n;
		index++;
	}
}

static void o_devices(const void *fdt, struct dt_info *e)
{
	int depth = 0, len;

	for (int n = fdt_next_node(fdt, 0, &depth); n >= 0 && depth > 0;
	     n = fdt_next_node(fdt, n, &depth)) {
		const char *c = fdt_getprop(fdt, n, "compatible", &len);

		if (!c || !o_ok(fdt, n))
			continue;
		if (!e->plic.found && o_is_plic(c, len)) {
			o_device(fdt, n, &e->plic);
			e->plic_ndev = o_cells(fdt, n, "riscv,ndev", 0);
			o_outputs(fdt, n, IRQ_S_EXT, e, o_set_ctx);
		}
		if (!e->sswi.found && o_list_has(c, len, "riscv,aclint-sswi")) {
			o_device(fdt, n, &e->sswi);
			o_outputs(fdt, n, IRQ_S_SOFT, e, o_set_sswi);
		}
		if (!e->finisher.found && o_list_has(c, len, "sifive,test0"))
			o_device(fdt, n, &e->finisher);
	}
}

/* Everything dt_parse() should say, worked out through libfdt; returns the expected rc. */
static int oracle(const void *fdt, struct dt_info *e)
{
	memset(e, 0, sizeof(*e));
	o_model(fdt, e);
	o_console(fdt, e);
	o_memory(fdt, e);
	o_reserved(fdt, e);
	o_cpus(fdt, e);
	o_devices(fdt, e);
	return e->nharts && e->nmem ? 0 : E_NOENT;
}

/* ---- comparing ---- */

static void cmp_ranges(const char *what, const struct dt_range *g, int ng, const struct dt_range *x,
		       int nx)
{
	check(ng == nx, "%s: %d ranges, libfdt says %d", what, ng, nx);
	for (int i = 0; i < ng && i < nx; i++)
		check(g[i].base == x[i].base && g[i].size == x[i].size,
		      "%s[%d]: %#llx+%#llx, libfdt says %#llx+%#llx", what, i,
		      (unsigned long long)g[i].base, (unsigned long long)g[i].size,
		      (unsigned long long)x[i].base, (unsigned long long)x[i].size);
}

static void cmp_hart(const struct dt_hart *g, const struct dt_hart *x)
{
	check(g->hartid == x->hartid, "hart id %u, libfdt says %u", g->hartid, x->hartid);
	check(g->skip == x->skip, "hart %u: %s, libfdt says %s", g->hartid, dt_skip_reason(g->skip),
	      dt_skip_reason(x->skip));
	check(g->has_sstc == x->has_sstc, "hart %u: sstc %d, libfdt says %d", g->hartid,
	      g->has_sstc, x->has_sstc);
	check(g->plic_s_context == x->plic_s_context, "hart %u: S context %d, libfdt says %d",
	      g->hartid, g->plic_s_context, x->plic_s_context);
	check(g->sswi_index == x->sswi_index, "hart %u: SSWI register %d, libfdt says %d",
	      g->hartid, g->sswi_index, x->sswi_index);
	check(g->intc_phandle == x->intc_phandle, "hart %u: intc phandle %u, libfdt says %u",
	      g->hartid, g->intc_phandle, x->intc_phandle);
	check(!strcmp(g->isa, x->isa), "hart %u: isa '%s', libfdt says '%s'", g->hartid, g->isa,
	      x->isa);
	check(!strcmp(g->mmu_type, x->mmu_type), "hart %u: mmu '%s', libfdt says '%s'", g->hartid,
	      g->mmu_type, x->mmu_type);
}

static void cmp_device(const char *what, const struct dt_device *g, const struct dt_device *x)
{
	check(g->found == x->found, "%s: found %d, libfdt says %d", what, g->found, x->found);
	check(!strcmp(g->path, x->path), "%s: path '%s', libfdt says '%s'", what, g->path, x->path);
	check(g->compat_len == x->compat_len && !memcmp(g->compat, x->compat, sizeof(g->compat)),
	      "%s: compatible list differs (%u vs %u bytes)", what, g->compat_len, x->compat_len);
	check(g->base == x->base && g->size == x->size,
	      "%s: reg %#llx+%#llx, libfdt says %#llx+%#llx", what, (unsigned long long)g->base,
	      (unsigned long long)g->size, (unsigned long long)x->base,
	      (unsigned long long)x->size);
	check(g->irq == x->irq, "%s: irq %u, libfdt says %u", what, g->irq, x->irq);
	check(g->reg_shift == x->reg_shift && g->reg_io_width == x->reg_io_width,
	      "%s: reg-shift/io-width %u/%u, libfdt says %u/%u", what, g->reg_shift,
	      g->reg_io_width, x->reg_shift, x->reg_io_width);
	check(g->clock_hz == x->clock_hz, "%s: clock %u, libfdt says %u", what, g->clock_hz,
	      x->clock_hz);
}

static void compare(const struct dt_info *g, const struct dt_info *x)
{
	check(!strcmp(g->model, x->model), "model '%s', libfdt says '%s'", g->model, x->model);
	check(!strcmp(g->bootargs, x->bootargs), "bootargs '%s', libfdt says '%s'", g->bootargs,
	      x->bootargs);
	check(g->timebase_hz == x->timebase_hz, "timebase %llu, libfdt says %llu",
	      (unsigned long long)g->timebase_hz, (unsigned long long)x->timebase_hz);
	cmp_ranges("memory", g->mem, g->nmem, x->mem, x->nmem);
	cmp_ranges("reserved", g->resv, g->nresv, x->resv, x->nresv);
	check(g->nharts == x->nharts, "%d harts, libfdt says %d", g->nharts, x->nharts);
	for (int i = 0; i < g->nharts && i < x->nharts; i++)
		cmp_hart(&g->harts[i], &x->harts[i]);
	cmp_device("console", &g->console, &x->console);
	cmp_device("plic", &g->plic, &x->plic);
	check(g->plic_ndev == x->plic_ndev, "plic ndev %u, libfdt says %u", g->plic_ndev,
	      x->plic_ndev);
	cmp_device("finisher", &g->finisher, &x->finisher);
	cmp_device("sswi", &g->sswi, &x->sswi);
}

/* dt_parse() on an exact-size heap copy, so ASan sees any read past the end. */
static int parse_copy(const void *src, size_t len, size_t maxlen, struct dt_info *out)
{
	void *buf = malloc(len ? len : 1);
	int rc;

	memcpy(buf, src, len);
	rc = dt_parse(buf, maxlen, out);
	free(buf);
	return rc;
}

static void test_against_libfdt(const void *fdt, size_t size, struct dt_info *got)
{
	struct dt_info *exp = malloc(sizeof(*exp));
	int want, rc;

	group_begin("libfdt comparison");
	rc = parse_copy(fdt, size, size, got);
	want = oracle(fdt, exp);
	check(rc == want, "dt_parse returned %d (%s), expected %d", rc, err_name(rc), want);
	check(dt_total_size(fdt) == fdt_totalsize(fdt), "dt_total_size %u, header says %u",
	      dt_total_size(fdt), fdt_totalsize(fdt));
	compare(got, exp);
	free(exp);
	group_end();
}

/* ---- fixed answers for known boards ---- */

static const struct dt_hart *hart(const struct dt_info *d, uint32_t id)
{
	const struct dt_hart *h = dt_find_hart(d, id);

	check(h != NULL, "hart %u missing", id);
	return h;
}

/* Hart 0 a monitor core without MMU, harts 1-4 usable with S context s_base + stride * h. */
static void expect_monitor_board(const struct dt_info *d, int s_base, int stride)
{
	const struct dt_hart *h = hart(d, 0);

	if (h)
		check(h->skip == DT_HART_NO_MMU, "hart 0: %s, want no MMU",
		      dt_skip_reason(h->skip));
	for (uint32_t id = 1; id <= 4; id++) {
		h = hart(d, id);
		if (!h)
			continue;
		check(h->skip == DT_HART_OK, "hart %u: %s, want usable", id,
		      dt_skip_reason(h->skip));
		check(h->plic_s_context == s_base + stride * (int)id, "hart %u: S context %d", id,
		      h->plic_s_context);
		check(!h->has_sstc, "hart %u: Sstc claimed", id);
	}
	check(d->plic.found && d->plic.base == 0x0c000000, "plic base %#llx",
	      (unsigned long long)d->plic.base);
	check(!d->finisher.found, "finisher found on a real board");
}

static void expect_console(const struct dt_info *d, uint64_t base, const char *compat, uint32_t irq)
{
	check(d->console.found, "no console");
	check(d->console.base == base, "console base %#llx, want %#llx",
	      (unsigned long long)d->console.base, (unsigned long long)base);
	check(dt_compat_has(d->console.compat, d->console.compat_len, compat),
	      "console not compatible with %s", compat);
	check(d->console.irq == irq, "console irq %u, want %u", d->console.irq, irq);
}

static void expect_vf2(const struct dt_info *d)
{
	expect_console(d, 0x10000000, "snps,dw-apb-uart", 32);
	check(d->console.reg_shift == 2 && d->console.reg_io_width == 4,
	      "console reg-shift %u reg-io-width %u", d->console.reg_shift,
	      d->console.reg_io_width);
	check(d->timebase_hz == 4000000, "timebase %llu", (unsigned long long)d->timebase_hz);
	check(d->nmem >= 1 && d->mem[0].base == 0x40000000, "memory not at 0x40000000");
	expect_monitor_board(d, 0, 2);
}

static void expect_sifive(const struct dt_info *d, uint32_t irq, int s_base, int stride)
{
	expect_console(d, 0x10010000, "sifive,uart0", irq);
	check(d->timebase_hz == 1000000, "timebase %llu", (unsigned long long)d->timebase_hz);
	check(d->nmem >= 1 && d->mem[0].base == 0x80000000, "memory not at 0x80000000");
	expect_monitor_board(d, s_base, stride);
}

/* QEMU virt; with aclint=on (a dump named so) it must have an ACLINT SSWI. */
static void expect_virt(const struct dt_info *d, bool aclint)
{
	expect_console(d, 0x10000000, "ns16550a", 10);
	check(d->finisher.found && d->finisher.base == 0x100000, "finisher at %#llx",
	      (unsigned long long)d->finisher.base);
	check(d->timebase_hz == 10000000, "timebase %llu", (unsigned long long)d->timebase_hz);
	check(d->nharts == 2, "%d harts", d->nharts);
	for (int i = 0; i < d->nharts; i++) {
		const struct dt_hart *h = &d->harts[i];

		check(h->skip == DT_HART_OK && h->has_sstc, "hart %u: %s sstc %d", h->hartid,
		      dt_skip_reason(h->skip), h->has_sstc);
		check(h->plic_s_context == 2 * (int)h->hartid + 1, "hart %u: S context %d",
		      h->hartid, h->plic_s_context);
		/* With aclint=on, register n of the SSWI is hart n's; without, there is none. */
		check(h->sswi_index == (d->sswi.found ? (int)h->hartid : -1),
		      "hart %u: SSWI register %d", h->hartid, h->sswi_index);
	}
	check(d->sswi.found == aclint && (!aclint || d->sswi.base == 0x2f00000),
	      "SSWI found %d at %#llx", d->sswi.found, (unsigned long long)d->sswi.base);
}

static void test_known_board(const char *path, const struct dt_info *d)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	group_begin("known-board answers");
	if (strstr(base, "jh7110") || strstr(base, "visionfive"))
		expect_vf2(d);
	else if (strstr(base, "unmatched"))
		expect_sifive(d, 39, 0, 2);
	else if (strstr(base, "unleashed"))
		expect_sifive(d, 4, 0, 2);
	else if (strstr(base, "sifive_u") || !strcmp(base, "su.dtb"))
		expect_sifive(d, 4, 0, 2);
	else if (strstr(base, "virt"))
		expect_virt(d, strstr(base, "aclint") != NULL);
	else {
		printf("%-28s %-34s (no fixed answers for this file)\n", cur_file, cur_group);
		return;
	}
	group_end();
}

/* ---- malformed blobs ---- */

static void wr32(uint8_t *b, size_t off, uint32_t v)
{
	b[off] = (uint8_t)(v >> 24);
	b[off + 1] = (uint8_t)(v >> 16);
	b[off + 2] = (uint8_t)(v >> 8);
	b[off + 3] = (uint8_t)v;
}

/* Parse a copy with one 32-bit word replaced; the result must be an error. */
static void expect_bad_word(const uint8_t *fdt, size_t size, size_t off, uint32_t v,
			    const char *what)
{
	uint8_t *m = malloc(size);
	struct dt_info out;
	int rc;

	memcpy(m, fdt, size);
	wr32(m, off, v);
	rc = parse_copy(m, size, size, &out);
	check(rc < 0, "%s (word %#zx = %#x): dt_parse returned %d", what, off, v, rc);
	free(m);
}

static void test_truncation(const uint8_t *fdt, size_t size)
{
	struct dt_info out;
	uint32_t blocks_end = fdt_off_dt_strings(fdt) + fdt_size_dt_strings(fdt);
	size_t step = size / 97 + 1;

	if (fdt_off_dt_struct(fdt) + fdt_size_dt_struct(fdt) > blocks_end)
		blocks_end = fdt_off_dt_struct(fdt) + fdt_size_dt_struct(fdt);
	group_begin("truncated blobs");
	for (size_t cut = 0; cut < size; cut += cut < 64 ? 1 : step) {
		uint8_t *m = malloc(cut ? cut : 1);
		int rc;

		check(parse_copy(fdt, cut, cut, &out) < 0, "cut at %zu accepted", cut);
		if (cut < HDR_V17_SIZE) {
			free(m);
			continue;
		}
		/* Also with the header claiming the shorter size. */
		memcpy(m, fdt, cut);
		wr32(m, 4, (uint32_t)cut);
		rc = parse_copy(m, cut, cut, &out);
		check(cut >= blocks_end ? rc <= 0 : rc < 0, "cut at %zu with totalsize patched: %d",
		      cut, rc);
		free(m);
	}
	group_end();
}

static void test_header(const uint8_t *fdt, size_t size)
{
	uint32_t total = (uint32_t)size, st = fdt_off_dt_struct(fdt);
	struct dt_info out;

	group_begin("bad headers");
	expect_bad_word(fdt, size, 0, 0xd00dfeee, "bad magic");
	expect_bad_word(fdt, size, 0, 0xedfe0dd0, "byte-swapped magic");
	expect_bad_word(fdt, size, 4, total + 1, "totalsize beyond buffer");
	expect_bad_word(fdt, size, 4, 8, "totalsize below header");
	expect_bad_word(fdt, size, 4, 0xffffffff, "huge totalsize");
	expect_bad_word(fdt, size, 8, total, "off_dt_struct at end");
	expect_bad_word(fdt, size, 8, total - 4, "off_dt_struct near end");
	expect_bad_word(fdt, size, 8, 0xfffffff0, "off_dt_struct wraps");
	expect_bad_word(fdt, size, 8, st + 1, "off_dt_struct unaligned");
	expect_bad_word(fdt, size, 8, 0, "off_dt_struct inside header");
	expect_bad_word(fdt, size, 12, total, "off_dt_strings at end");
	expect_bad_word(fdt, size, 12, 0xfffffff0, "off_dt_strings wraps");
	expect_bad_word(fdt, size, 16, total, "off_mem_rsvmap at end");
	expect_bad_word(fdt, size, 16, 0xfffffff8, "off_mem_rsvmap wraps");
	expect_bad_word(fdt, size, 20, 15, "version 15");
	expect_bad_word(fdt, size, 24, 18, "last_comp_version 18");
	expect_bad_word(fdt, size, 32, total, "size_dt_strings beyond");
	expect_bad_word(fdt, size, 32, 0xffffffff, "size_dt_strings wraps");
	expect_bad_word(fdt, size, 36, total, "size_dt_struct beyond");
	expect_bad_word(fdt, size, 36, 0xffffffff, "size_dt_struct wraps");
	expect_bad_word(fdt, size, 36, 4, "size_dt_struct tiny");
	check(parse_copy(fdt, size, size - 1, &out) == E_FORMAT, "maxlen below totalsize accepted");
	check(parse_copy(fdt, size, 0, &out) == E_FORMAT, "maxlen 0 accepted");
	check(dt_parse(NULL, size, &out) < 0, "NULL blob accepted");
	check(dt_parse(fdt, size, NULL) < 0, "NULL out accepted");
	group_end();
}

/* Version 16 has no size_dt_struct: the struct block then runs to the end of the blob. */
static void test_version16(const uint8_t *fdt, size_t size)
{
	uint8_t *m = malloc(size);
	struct dt_info *out = malloc(sizeof(*out)), *good = malloc(sizeof(*good));
	int rc, rc16;

	group_begin("version 16 header");
	rc = parse_copy(fdt, size, size, good);
	memcpy(m, fdt, size);
	wr32(m, 20, 16);
	wr32(m, 24, 16);
	rc16 = parse_copy(m, size, size, out);
	check(rc16 == rc, "v16 blob: %d, as v17: %d", rc16, rc);
	check(!memcmp(out, good, sizeof(*out)), "v16 blob read differently");
	free(good);
	free(m);
	free(out);
	group_end();
}

static void test_struct(const uint8_t *fdt, size_t size)
{
	uint32_t st = fdt_off_dt_struct(fdt), st_size = fdt_size_dt_struct(fdt);
	uint32_t str_size = fdt_size_dt_strings(fdt);
	int prop = fdt_first_property_offset(fdt, 0), child = fdt_first_subnode(fdt, 0);
	size_t p = st + (size_t)prop;

	group_begin("bad struct block");
	if (!check(prop >= 0 && child >= 0, "root has no property or no child")) {
		group_end();
		return;
	}
	expect_bad_word(fdt, size, p + 4, 0xffffffff, "property length 0xffffffff");
	expect_bad_word(fdt, size, p + 4, 0xfffffffc, "property length wraps");
	expect_bad_word(fdt, size, p + 4, st_size, "property length beyond block");
	expect_bad_word(fdt, size, p, TOKEN_BOGUS, "unknown token");
	expect_bad_word(fdt, size, p, 0, "zero token");
	expect_bad_word(fdt, size, p + 8, str_size, "string offset at end");
	expect_bad_word(fdt, size, p + 8, 0xffffffff, "string offset huge");
	expect_bad_word(fdt, size, st + st_size - 4, TOKEN_NOP, "FDT_END missing");
	expect_bad_word(fdt, size, st + st_size - 4, TOKEN_END_NODE, "extra END_NODE");
	expect_bad_word(fdt, size, st + st_size - 8, TOKEN_NOP, "root END_NODE missing");
	expect_bad_word(fdt, size, st, TOKEN_END_NODE, "starts with END_NODE");
	/* Cut the struct block inside a node name. */
	expect_bad_word(fdt, size, 36, (uint32_t)child + 6, "node name runs off the block");
	{
		struct dt_info out;
		uint8_t *m = malloc(size);

		/* The last string loses its NUL: an error if a property names it; never a crash. */
		memcpy(m, fdt, size);
		wr32(m, 32, str_size - 1);
		check(parse_copy(m, size, size, &out) <= 0, "short strings block gave > 0");
		free(m);
	}
	group_end();
}

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Random byte changes: any answer is fine as long as nothing crashes and tables stay bounded. */
static void test_fuzz(const uint8_t *fdt, size_t size)
{
	uint8_t *m = malloc(size);
	struct dt_info *out = malloc(sizeof(*out));
	uint32_t seed = 0x2545f491u ^ (uint32_t)size;
	int bad = 0;

	group_begin("random corruption");
	for (int round = 0; round < FUZZ_ROUNDS; round++) {
		int rc, flips = 1 + (int)(xorshift(&seed) % 4);

		memcpy(m, fdt, size);
		for (int i = 0; i < flips; i++)
			m[xorshift(&seed) % size] ^= (uint8_t)(1u << (xorshift(&seed) % 8));
		rc = parse_copy(m, size, size, out);
		if (rc > 0 || out->nmem > DT_MAX_MEM || out->nresv > DT_MAX_RESV ||
		    out->nharts > DT_MAX_HARTS || out->console.compat_len > DT_MAX_COMPAT)
			bad++;
	}
	check(bad == 0, "%d corrupted blobs gave out-of-range answers", bad);
	free(m);
	free(out);
	group_end();
}

static void test_malformed(const uint8_t *fdt, size_t size)
{
	test_truncation(fdt, size);
	test_header(fdt, size);
	test_version16(fdt, size);
	test_struct(fdt, size);
	test_fuzz(fdt, size);
}

/* ---- synthetic trees ---- */

#define SW(call)                                                                   \
	do {                                                                       \
		int sw_err_ = (call);                                              \
		if (sw_err_) {                                                     \
			fprintf(stderr, "%s: %s\n", #call, fdt_strerror(sw_err_)); \
			exit(2);                                                   \
		}                                                                  \
	} while (0)

static void sw_cells(void *b, uint32_t ac, uint32_t sc)
{
	SW(fdt_property_u32(b, "#address-cells", ac));
	SW(fdt_property_u32(b, "#size-cells", sc));
}

static void sw_intc(void *b, uint32_t phandle, const char *ph_name, int cells)
{
	SW(fdt_begin_node(b, "interrupt-controller"));
	SW(fdt_property_string(b, "compatible", "riscv,cpu-intc"));
	if (cells)
		SW(fdt_property_u32(b, "#interrupt-cells", (uint32_t)cells));
	SW(fdt_property_u32(b, ph_name, phandle));
	SW(fdt_end_node(b));
}

static void sw_cpu(void *b, uint32_t id, const char *mmu, const char *status, const char *isa)
{
	char name[32];

	snprintf(name, sizeof(name), "cpu@%x", id);
	SW(fdt_begin_node(b, name));
	SW(fdt_property_string(b, "device_type", "cpu"));
	SW(fdt_property_u32(b, "reg", id));
	if (mmu)
		SW(fdt_property_string(b, "mmu-type", mmu));
	if (status)
		SW(fdt_property_string(b, "status", status));
	SW(fdt_property_string(b, "riscv,isa", isa));
	/* cpu 0's intc has two-cell specifiers and a linux,phandle; the others the usual. */
	if (id == 0) {
		static const char ext[] = "i\0m\0a\0sstc";

		SW(fdt_property_u64(b, "timebase-frequency", 12345678));
		SW(fdt_property(b, "riscv,isa-extensions", ext, sizeof(ext)));
		sw_intc(b, 0x20, "linux,phandle", 2);
	} else {
		sw_intc(b, 0x20 + id, "phandle", 0);
	}
	SW(fdt_end_node(b));
}

static void sw_cpus(void *b)
{
	SW(fdt_begin_node(b, "cpus"));
	sw_cells(b, 1, 0);
	sw_cpu(b, 0, "riscv,sv57", NULL, "rv64imac");
	sw_cpu(b, 1, "riscv,sv32", "okay", "rv64gc_sstcx_zsstc");
	sw_cpu(b, 2, "riscv,sv39", "fail", "rv64gc_zicsr_sstc");
	sw_cpu(b, 3, "riscv,sv39", "ok", "rv64gc_sstc_zicsr");
	sw_cpu(b, 4, "riscv,none", NULL, "rv64gc");
	for (uint32_t id = 5; id < 20; id++)
		sw_cpu(b, id, "riscv,sv48", NULL, "rv64gc");
	SW(fdt_begin_node(b, "cpu-map"));
	SW(fdt_end_node(b));
	SW(fdt_end_node(b));
}

static void sw_memory(void *b)
{
	fdt32_t regs[20];

	/* No device_type: found by its name. */
	regs[0] = cpu_to_fdt32(0x80000000);
	regs[1] = cpu_to_fdt32(0x1000000);
	regs[2] = cpu_to_fdt32(0x90000000);
	regs[3] = cpu_to_fdt32(0); /* empty: skipped */
	SW(fdt_begin_node(b, "memory"));
	SW(fdt_property(b, "reg", regs, 4 * sizeof(fdt32_t)));
	SW(fdt_end_node(b));
	SW(fdt_begin_node(b, "memory@a0000000"));
	SW(fdt_property_string(b, "device_type", "memory"));
	SW(fdt_property_string(b, "status", "disabled"));
	SW(fdt_property(b, "reg", regs, 2 * sizeof(fdt32_t)));
	SW(fdt_end_node(b));
	SW(fdt_begin_node(b, "memory-controller@b0000000"));
	SW(fdt_property(b, "reg", regs, 2 * sizeof(fdt32_t)));
	SW(fdt_end_node(b));
	/* Ten ranges: the table keeps 8 in all. */
	for (int i = 0; i < 10; i++) {
		regs[2 * i] = cpu_to_fdt32(0xc0000000u + (uint32_t)i * 0x100000);
		regs[2 * i + 1] = cpu_to_fdt32(0x1000);
	}
	SW(fdt_begin_node(b, "ram@c0000000"));
	SW(fdt_property_string(b, "device_type", "memory"));
	SW(fdt_property(b, "reg", regs, sizeof(regs)));
	SW(fdt_end_node(b));
}

static void sw_reserved(void *b)
{
	SW(fdt_begin_node(b, "reserved-memory"));
	sw_cells(b, 1, 1);
	SW(fdt_begin_node(b, "fw@80000000"));
	SW(fdt_property_u64(b, "reg", 0x8000000000080000ull));
	SW(fdt_end_node(b));
	SW(fdt_begin_node(b, "pool"));
	SW(fdt_property_u32(b, "size", 0x100000));
	SW(fdt_end_node(b));
	SW(fdt_begin_node(b, "off@81000000"));
	SW(fdt_property_string(b, "status", "disabled"));
	SW(fdt_property_u64(b, "reg", 0x8100000000001000ull));
	SW(fdt_end_node(b));
	SW(fdt_end_node(b));
}

static void sw_plic(void *b, const char *name, const char *compat, const char *status)
{
	fdt32_t ie[] = {
		cpu_to_fdt32(0x20), cpu_to_fdt32(11), cpu_to_fdt32(0),	  cpu_to_fdt32(0x20),
		cpu_to_fdt32(9),    cpu_to_fdt32(0),  cpu_to_fdt32(0x21), cpu_to_fdt32(0xffffffff),
		cpu_to_fdt32(0x21), cpu_to_fdt32(9),  cpu_to_fdt32(0x23), cpu_to_fdt32(9),
		cpu_to_fdt32(0x23), cpu_to_fdt32(9),
	};

	SW(fdt_begin_node(b, name));
	SW(fdt_property_string(b, "compatible", compat));
	if (status)
		SW(fdt_property_string(b, "status", status));
	SW(fdt_property_u64(b, "reg", 0x0d00000004000000ull));
	SW(fdt_property_u32(b, "riscv,ndev", 77));
	SW(fdt_property(b, "interrupts-extended", ie, sizeof(ie)));
	SW(fdt_end_node(b));
}

static void sw_soc(void *b)
{
	static const char long_compat[] =
		"acme,finisher-with-a-rather-long-name-0\0acme,finisher-with-a-rather-long-name-1\0"
		"acme,finisher-with-a-rather-long-name-2\0sifive,test0";
	static const char uart_compat[] = "acme,uart\0ns16550a";
	fdt32_t irqs[] = { cpu_to_fdt32(5), cpu_to_fdt32(4) };

	SW(fdt_begin_node(b, "soc"));
	sw_cells(b, 1, 1);
	SW(fdt_property(b, "ranges", NULL, 0));
	SW(fdt_begin_node(b, "interrupt-controller@c000000"));
	SW(fdt_property_string(b, "compatible", "riscv,aplic"));
	SW(fdt_end_node(b));
	sw_plic(b, "plic@c800000", "acme,plic", "disabled");
	sw_plic(b, "interrupt-controller@d000000", "thead,c900-plic", NULL);
	SW(fdt_begin_node(b, "uart@1000"));
	SW(fdt_property(b, "compatible", uart_compat, sizeof(uart_compat)));
	SW(fdt_property_u64(b, "reg", 0x0000100000000100ull));
	SW(fdt_property(b, "interrupts", irqs, sizeof(irqs)));
	SW(fdt_property_u64(b, "clock-frequency", 50000000));
	SW(fdt_end_node(b));
	SW(fdt_begin_node(b, "test@100000"));
	SW(fdt_property(b, "compatible", long_compat, sizeof(long_compat)));
	SW(fdt_property_u64(b, "reg", 0x0010000000001000ull));
	SW(fdt_end_node(b));
	SW(fdt_end_node(b));
}

static void *build_synthetic(void)
{
	static const char compat[] = "acme,board\0acme,soc";
	void *b = calloc(1, SYNTH_SIZE);

	SW(fdt_create(b, SYNTH_SIZE));
	SW(fdt_add_reservemap_entry(b, 0x1000, 0x2000));
	SW(fdt_add_reservemap_entry(b, 0x9000, 0x1000));
	SW(fdt_finish_reservemap(b));
	SW(fdt_begin_node(b, ""));
	sw_cells(b, 1, 1);
	SW(fdt_property(b, "compatible", compat, sizeof(compat)));
	SW(fdt_begin_node(b, "aliases"));
	SW(fdt_property_string(b, "console", "/soc"));
	SW(fdt_end_node(b));
	SW(fdt_begin_node(b, "chosen"));
	SW(fdt_property_string(b, "bootargs", "quiet"));
	SW(fdt_property_string(b, "stdout-path", "console/uart:9600n8"));
	SW(fdt_end_node(b));
	sw_memory(b);
	sw_reserved(b);
	sw_cpus(b);
	sw_soc(b);
	SW(fdt_end_node(b));
	SW(fdt_finish(b));
	return b;
}

static void expect_synthetic_harts(const struct dt_info *d)
{
	static const struct {
		uint32_t id;
		enum dt_hart_skip skip;
		bool sstc;
		int ctx;
	} want[] = {
		{ 0, DT_HART_OK, true, 1 },	   { 1, DT_HART_BAD_MMU, false, 3 },
		{ 2, DT_HART_DISABLED, true, -1 }, { 3, DT_HART_OK, true, 4 },
		{ 4, DT_HART_BAD_MMU, false, -1 }, { 5, DT_HART_OK, false, -1 },
	};

	check(d->nharts == DT_MAX_HARTS, "%d harts kept, want %d", d->nharts, DT_MAX_HARTS);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct dt_hart *h = hart(d, want[i].id);

		if (!h)
			continue;
		check(h->skip == want[i].skip, "hart %u: %s", h->hartid, dt_skip_reason(h->skip));
		check(h->has_sstc == want[i].sstc, "hart %u: sstc %d", h->hartid, h->has_sstc);
		check(h->plic_s_context == want[i].ctx, "hart %u: S context %d, want %d", h->hartid,
		      h->plic_s_context, want[i].ctx);
	}
	check(dt_find_hart(d, 16) == NULL, "hart 16 kept past the table");
}

static void expect_synthetic(const struct dt_info *d)
{
	check(!strcmp(d->model, "acme,board"), "model '%s'", d->model);
	check(!strcmp(d->bootargs, "quiet"), "bootargs '%s'", d->bootargs);
	check(d->timebase_hz == 12345678, "timebase %llu", (unsigned long long)d->timebase_hz);
	check(d->nmem == DT_MAX_MEM && d->mem[0].base == 0x80000000 && d->mem[1].base == 0xc0000000,
	      "memory: %d ranges", d->nmem);
	check(d->nresv == 3 && d->resv[0].base == 0x1000 && d->resv[2].base == 0x80000000 &&
		      d->resv[2].size == 0x80000,
	      "reserved: %d ranges", d->nresv);
	check(d->console.found && !strcmp(d->console.path, "/soc/uart@1000"), "console path '%s'",
	      d->console.path);
	check(d->console.base == 0x1000 && d->console.irq == 5 && d->console.clock_hz == 50000000,
	      "console reg/irq/clock");
	check(d->plic.found && d->plic.base == 0x0d000000 && d->plic_ndev == 77,
	      "plic %#llx ndev %u", (unsigned long long)d->plic.base, d->plic_ndev);
	check(d->finisher.found && d->finisher.compat_len <= DT_MAX_COMPAT &&
		      !dt_compat_has(d->finisher.compat, d->finisher.compat_len, "sifive,test0") &&
		      dt_compat_has(d->finisher.compat, d->finisher.compat_len,
				    "acme,finisher-with-a-rather-long-name-2"),
	      "finisher compatible not cut at a whole string (%u bytes)", d->finisher.compat_len);
	expect_synthetic_harts(d);
}

static void build_nested(void *b, int depth)
{
	SW(fdt_create(b, SYNTH_SIZE));
	SW(fdt_finish_reservemap(b));
	SW(fdt_begin_node(b, ""));
	for (int i = 0; i < depth; i++)
		SW(fdt_begin_node(b, "n"));
	for (int i = 0; i < depth; i++)
		SW(fdt_end_node(b));
	SW(fdt_end_node(b));
	SW(fdt_finish(b));
}

static void test_nesting(void)
{
	void *b = calloc(1, SYNTH_SIZE);
	struct dt_info out;
	int rc;

	group_begin("nesting depth");
	build_nested(b, DEEP_NESTING);
	rc = parse_copy(b, fdt_totalsize(b), fdt_totalsize(b), &out);
	check(rc == E_FORMAT, "%d-deep tree: %d", DEEP_NESTING, rc);
	build_nested(b, SHALLOW_NESTING);
	rc = parse_copy(b, fdt_totalsize(b), fdt_totalsize(b), &out);
	check(rc == E_NOENT, "%d-deep tree without cpus: %d", SHALLOW_NESTING, rc);
	free(b);
	group_end();
}

static void test_helpers(void)
{
	static const char list[] = "a,b\0ns16550a\0x";

	group_begin("helpers");
	check(dt_compat_has(list, sizeof(list), "ns16550a"), "compat_has misses a middle string");
	check(dt_compat_has(list, sizeof(list) - 1, "x"), "compat_has misses an unterminated last");
	check(!dt_compat_has(list, sizeof(list), "ns16550"), "compat_has matches a prefix");
	check(!dt_compat_has(list, 2, "a,b"), "compat_has reads past len");
	check(!dt_compat_has(NULL, 0, "x"), "compat_has on NULL");
	check(strcmp(dt_skip_reason(DT_HART_NO_MMU), dt_skip_reason(DT_HART_OK)) != 0,
	      "skip reasons alike");
	check(dt_skip_reason((enum dt_hart_skip)99) != NULL, "no text for a bad code");
	check(dt_total_size("not a device tree at all, just text....") == 0,
	      "total_size of garbage");
	group_end();
}

static void test_synthetic(void)
{
	void *b = build_synthetic();
	size_t size = fdt_totalsize(b);
	struct dt_info *got = malloc(sizeof(*got));

	cur_file = "(synthetic)";
	test_against_libfdt(b, size, got);
	group_begin("fixed answers");
	expect_synthetic(got);
	group_end();
	test_malformed(b, size);
	test_nesting();
	test_helpers();
	free(got);
	free(b);
}

/* ---- files ---- */

static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (n <= 0 || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

/*
 * dt_find_device against libfdt: for every node with a compatible string, look its first
 * string up by the node's rank among the enabled nodes that carry it; past the last one
 * the answer is E_NOENT. Corrupted copies must give an error or a bounded answer.
 */
static void test_find_device(const uint8_t *fdt, size_t size)
{
	struct dt_device got, exp;
	int checked = 0;

	group_begin("dt_find_device");
	for (int node = fdt_next_node(fdt, -1, NULL); node >= 0;
	     node = fdt_next_node(fdt, node, NULL)) {
		const char *compat = fdt_getprop(fdt, node, "compatible", NULL);
		uint32_t rank = 0;

		if (!compat || !o_ok(fdt, node) || node == 0)
			continue;
		for (int n = fdt_node_offset_by_compatible(fdt, -1, compat); n >= 0 && n != node;
		     n = fdt_node_offset_by_compatible(fdt, n, compat))
			rank += o_ok(fdt, n) && n != 0;
		memset(&exp, 0, sizeof(exp));
		o_device(fdt, node, &exp);
		int rc = dt_find_device(fdt, size, compat, rank, &got);
		check(rc == 0, "%s #%u: rc %d", compat, rank, rc);
		if (rc == 0)
			cmp_device(compat, &got, &exp);
		checked++;
	}
	check(dt_find_device(fdt, size, "no-such,device", 0, &got) == E_NOENT && !got.found,
	      "an absent compatible is not E_NOENT");
	check(dt_find_device(fdt, size, "riscv,plic0", 1000, &got) == E_NOENT,
	      "an index past the last match is not E_NOENT");
	check(dt_find_device(NULL, size, "x", 0, &got) == E_INVAL, "NULL blob accepted");
	check(dt_find_device(fdt, 16, "riscv,plic0", 0, &got) < 0, "a 16-byte blob accepted");
	check(checked > 0, "no node with a compatible string");

	uint8_t *m = malloc(size);
	uint32_t seed = 0x9e3779b9u ^ (uint32_t)size;
	int bad = 0;
	for (int round = 0; round < FUZZ_ROUNDS; round++) {
		memcpy(m, fdt, size);
		m[xorshift(&seed) % size] ^= (uint8_t)(1u << (xorshift(&seed) % 8));
		int rc = dt_find_device(m, size, "ns16550a", 0, &got);
		if (rc > 0 || got.compat_len > DT_MAX_COMPAT || (rc != 0 && got.found))
			bad++;
	}
	check(bad == 0, "%d corrupted blobs gave out-of-range answers", bad);
	free(m);
	group_end();
}

static void test_file(const char *path)
{
	struct dt_info *got = malloc(sizeof(*got));
	size_t size = 0;
	uint8_t *fdt = read_file(path, &size);

	cur_file = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	group_begin("load");
	if (!check(fdt && fdt_check_header(fdt) == 0 && fdt_totalsize(fdt) <= size,
		   "%s: unreadable or not a DTB", path)) {
		group_end();
		free(fdt);
		free(got);
		return;
	}
	size = fdt_totalsize(fdt);
	test_against_libfdt(fdt, size, got);
	test_known_board(path, got);
	test_find_device(fdt, size);
	test_malformed(fdt, size);
	free(got);
	free(fdt);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		test_file(argv[i]);
	test_synthetic();
	printf("%d passed, %d failed\n", total_pass, total_fail);
	return total_fail ? 1 : 0;
}
