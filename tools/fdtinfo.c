/*
 * fdtinfo: show what the kernel would make of a device tree blob, using the kernel's own
 * reader (kernel/lib/dt.c): model, RAM, reserved ranges, harts, console and its driver, PLIC,
 * timer.
 *
 * Build: gcc -std=gnu11 -O2 -Wall -Wextra -Werror -I. tools/fdtinfo.c kernel/lib/dt.c -o build/host/fdtinfo
 * Use:   fdtinfo file.dtb    (exit 1 if the file is unreadable, malformed, or unbootable)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/abi/error.h"
#include "kernel/lib/dt.h"

#define MAX_PIECES	(DT_MAX_MEM + DT_MAX_RESV + 1) /* each reserved range splits at most one piece */
#define KIB		1024ull
#define MIB		(1024ull * KIB)
#define GIB		(1024ull * MIB)
#define FALLBACK_DRIVER "sbi-console (fallback)"

/* ---- console driver choice: mirrors the kernel's drivers ---- */

static const char *driver_for_string(const char *s)
{
	if (!strcmp(s, "ns16550a") || !strcmp(s, "ns16550"))
		return "ns16550";
	if (!strcmp(s, "snps,dw-apb-uart"))
		return "dw-apb-uart";
	if (!strcmp(s, "sifive,uart0"))
		return "sifive-uart";
	return NULL;
}

/* The node's strings are tried in order, most specific first, as the kernel does. */
static const char *driver_for(const struct dt_device *d)
{
	for (uint32_t pos = 0; pos < d->compat_len;) {
		const char *s = d->compat + pos;
		const char *drv = driver_for_string(s);

		if (drv)
			return drv;
		pos += (uint32_t)strnlen(s, d->compat_len - pos) + 1;
	}
	return FALLBACK_DRIVER;
}

/* ---- printing helpers ---- */

static void print_size(uint64_t size)
{
	if (size >= GIB && size % GIB == 0)
		printf("%llu GiB", (unsigned long long)(size / GIB));
	else if (size >= MIB && size % MIB == 0)
		printf("%llu MiB", (unsigned long long)(size / MIB));
	else if (size >= MIB)
		printf("%.2f MiB", (double)size / MIB);
	else if (size >= KIB && size % KIB == 0)
		printf("%llu KiB", (unsigned long long)(size / KIB));
	else
		printf("%llu bytes", (unsigned long long)size);
}

static void print_range(const struct dt_range *r)
{
	printf("  %#014llx-%#014llx  ", (unsigned long long)r->base,
	       (unsigned long long)(r->base + r->size - 1));
	print_size(r->size);
	putchar('\n');
}

static void print_ranges(const char *title, const struct dt_range *r, int n)
{
	printf("%s:%s\n", title, n ? "" : " none");
	for (int i = 0; i < n; i++)
		print_range(&r[i]);
}

static void print_compat(const struct dt_device *d)
{
	for (uint32_t pos = 0; pos < d->compat_len;) {
		const char *s = d->compat + pos;

		printf(" \"%s\"", s);
		pos += (uint32_t)strnlen(s, d->compat_len - pos) + 1;
	}
	putchar('\n');
}

/* ---- usable RAM: memory minus reserved ---- */

/* End of a range, exclusive, saturating instead of wrapping at 2^64. */
static uint64_t range_end(const struct dt_range *r)
{
	return r->base + r->size < r->base ? UINT64_MAX : r->base + r->size;
}

/* Remove cut from every piece; a piece it falls inside splits in two. */
static int subtract(struct dt_range *p, int n, const struct dt_range *cut)
{
	uint64_t cs = cut->base, ce = range_end(cut);
	int out = n;

	for (int i = 0; i < n; i++) {
		uint64_t s = p[i].base, e = range_end(&p[i]);

		if (ce <= s || cs >= e)
			continue;
		p[i].size = cs > s ? cs - s : 0;
		if (ce < e && out < MAX_PIECES) {
			p[out].base = ce;
			p[out++].size = e - ce;
		}
	}
	return out;
}

static int cmp_range(const void *a, const void *b)
{
	const struct dt_range *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

static void print_usable(const struct dt_info *d)
{
	struct dt_range p[MAX_PIECES];
	int n = d->nmem, shown = 0;

	memcpy(p, d->mem, sizeof(d->mem[0]) * (size_t)n);
	for (int i = 0; i < d->nresv; i++)
		n = subtract(p, n, &d->resv[i]);
	qsort(p, (size_t)n, sizeof(p[0]), cmp_range);
	printf("usable RAM (memory minus reserved):\n");
	for (int i = 0; i < n; i++) {
		if (p[i].size) {
			print_range(&p[i]);
			shown++;
		}
	}
	if (!shown)
		printf("  none\n");
}

/* ---- sections ---- */

static void print_harts(const struct dt_info *d)
{
	printf("harts: %d%s\n", d->nharts,
	       d->nharts == DT_MAX_HARTS ? " (table full: more ignored)" : "");
	for (int i = 0; i < d->nharts; i++) {
		const struct dt_hart *h = &d->harts[i];

		printf("  hart %-3u %-28s mmu %-12s isa %s%s\n", h->hartid,
		       h->skip ? dt_skip_reason(h->skip) : "usable",
		       h->mmu_type[0] ? h->mmu_type : "-", h->isa[0] ? h->isa : "-",
		       h->has_sstc ? " [sstc]" : "");
	}
}

static void print_device_regs(const struct dt_device *c)
{
	printf("  base     %#llx size %#llx irq %u\n", (unsigned long long)c->base,
	       (unsigned long long)c->size, c->irq);
}

static void print_console(const struct dt_info *d)
{
	const struct dt_device *c = &d->console;

	if (!c->found) {
		printf("console: no usable /chosen stdout-path; driver %s\n", FALLBACK_DRIVER);
		return;
	}
	printf("console: %s\n", c->path);
	print_device_regs(c);
	printf("  reg-shift %u reg-io-width %u clock %u Hz\n", c->reg_shift, c->reg_io_width,
	       c->clock_hz);
	printf("  compatible");
	print_compat(c);
	printf("  driver   %s\n", driver_for(c));
}

static void print_plic(const struct dt_info *d)
{
	if (!d->plic.found) {
		printf("plic: none (no device interrupts)\n");
		return;
	}
	printf("plic: %s base %#llx size %#llx ndev %u\n", d->plic.path,
	       (unsigned long long)d->plic.base, (unsigned long long)d->plic.size, d->plic_ndev);
	for (int i = 0; i < d->nharts; i++) {
		const struct dt_hart *h = &d->harts[i];

		if (h->skip != DT_HART_OK)
			continue;
		if (h->plic_s_context >= 0)
			printf("  hart %-3u S-mode context %d\n", h->hartid, h->plic_s_context);
		else
			printf("  hart %-3u no S-mode context\n", h->hartid);
	}
}

/* Sstc only if every usable hart has it: the kernel runs one timer scheme everywhere. */
static void print_timer(const struct dt_info *d)
{
	int usable = 0, sstc = 0;

	for (int i = 0; i < d->nharts; i++) {
		if (d->harts[i].skip == DT_HART_OK) {
			usable++;
			sstc += d->harts[i].has_sstc;
		}
	}
	printf("timebase: %llu Hz\n", (unsigned long long)d->timebase_hz);
	printf("timer: %s\n",
	       usable && sstc == usable ? "Sstc (stimecmp)" : "SBI TIME (set_timer)");
}

static void print_info(const struct dt_info *d)
{
	printf("model: %s\n", d->model[0] ? d->model : "(none)");
	printf("bootargs: %s\n", d->bootargs[0] ? d->bootargs : "(none)");
	print_ranges("memory", d->mem, d->nmem);
	print_ranges("reserved (/memreserve/ and /reserved-memory)", d->resv, d->nresv);
	print_usable(d);
	print_harts(d);
	print_console(d);
	print_plic(d);
	print_timer(d);
	if (d->finisher.found)
		printf("finisher: %s base %#llx\n", d->finisher.path,
		       (unsigned long long)d->finisher.base);
	else
		printf("finisher: none (poweroff through SBI)\n");
}

static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc(n ? (size_t)n : 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*size = (size_t)n;
	}
	fclose(f);
	return buf;
}

/* Parse and print; the exit status: 0, or 1 if malformed or the kernel could not boot. */
static int show(const char *path, const void *fdt, size_t size, struct dt_info *d)
{
	int rc = dt_parse(fdt, size, d);

	if (rc == E_FORMAT || rc == E_INVAL) {
		fprintf(stderr, "fdtinfo: %s: not a valid device tree blob (%s)\n", path,
			err_name(rc));
		return 1;
	}
	printf("file: %s (%zu bytes, totalsize %u)\n", path, size, dt_total_size(fdt));
	print_info(d);
	if (rc) {
		printf("warning: the kernel would stop here: %s (no memory or no cpu nodes)\n",
		       err_name(rc));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct dt_info *d;
	size_t size = 0;
	void *fdt;
	int status;

	if (argc != 2) {
		fprintf(stderr, "usage: %s file.dtb\n", argv[0]);
		return 2;
	}
	fdt = read_file(argv[1], &size);
	if (!fdt) {
		fprintf(stderr, "fdtinfo: %s: cannot read file\n", argv[1]);
		return 1;
	}
	d = malloc(sizeof(*d));
	status = d ? show(argv[1], fdt, size, d) : 1;
	free(d);
	free(fdt);
	return status;
}
