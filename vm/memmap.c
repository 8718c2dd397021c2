/* Sorted physical range sets: see memmap.h. */
#include "vm/memmap.h"

#include "kernel/abi/error.h"

void memmap_init(struct memmap *m)
{
	m->n = 0;
}

static void memmap_delete_at(struct memmap *m, int i)
{
	for (int j = i; j + 1 < m->n; j++)
		m->r[j] = m->r[j + 1];
	m->n--;
}

static int memmap_insert_at(struct memmap *m, int i, uint64_t base, uint64_t end)
{
	if (m->n == MEMMAP_MAX)
		return E_RANGE;
	for (int j = m->n; j > i; j--)
		m->r[j] = m->r[j - 1];
	m->r[i].base = base;
	m->r[i].end = end;
	m->n++;
	return 0;
}

int memmap_add(struct memmap *m, uint64_t base, uint64_t end)
{
	if (end <= base)
		return E_INVAL;
	int i = 0;
	while (i < m->n && m->r[i].end < base)
		i++;
	/* Absorb every range that overlaps or touches [base, end). */
	while (i < m->n && m->r[i].base <= end) {
		if (m->r[i].base < base)
			base = m->r[i].base;
		if (m->r[i].end > end)
			end = m->r[i].end;
		memmap_delete_at(m, i);
	}
	return memmap_insert_at(m, i, base, end);
}

int memmap_remove(struct memmap *m, uint64_t base, uint64_t end)
{
	if (end <= base)
		return 0;
	for (int i = 0; i < m->n; i++) {
		struct memrange *r = &m->r[i];
		if (r->end <= base || r->base >= end)
			continue;
		if (r->base < base && r->end > end) {
			/* A hole in the middle: split in two. */
			uint64_t tail = r->end;
			r->end = base;
			return memmap_insert_at(m, i + 1, end, tail);
		}
		if (r->base >= base && r->end <= end) {
			memmap_delete_at(m, i--);
			continue;
		}
		if (r->base < base)
			r->end = base;
		else
			r->base = end;
	}
	return 0;
}

uint64_t memmap_bytes(const struct memmap *m)
{
	uint64_t sum = 0;
	for (int i = 0; i < m->n; i++)
		sum += m->r[i].end - m->r[i].base;
	return sum;
}

int memmap_find(const struct memmap *m, uint64_t size, uint64_t align, uint64_t *out)
{
	for (int i = 0; i < m->n; i++) {
		uint64_t a = (m->r[i].base + align - 1) & ~(align - 1);
		if (a >= m->r[i].base && a + size > a && a + size <= m->r[i].end) {
			*out = a;
			return 0;
		}
	}
	return E_NOMEM;
}
