/* Checked copies to and from user memory: see uaccess.h. */
#include "kernel/core/uaccess.h"

#include "kernel/abi/error.h"
#include "kernel/abi/ipc.h"
#include "kernel/core/object.h"
#include "vm/as.h"
#include "vm/vm.h"

static void copy_bytes(void *dst, const void *src, size_t n)
{
	char *d = dst;
	const char *s = src;
	if ((((uint64_t)d | (uint64_t)s | n) & 7) == 0) {
		for (size_t i = 0; i < n; i += 8)
			*(uint64_t *)(d + i) = *(const uint64_t *)(s + i);
		return;
	}
	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}

static int range_ok(uint64_t va, size_t len)
{
	return va >= USER_VA_MIN && va < USER_VA_MAX && len <= USER_VA_MAX - va;
}

int user_check(struct task *t, uint64_t va, size_t len, int write)
{
	if (!range_ok(va, len))
		return E_FAULT;
	for (uint64_t p = va & ~(PAGE_SIZE - 1); p < va + len; p += PAGE_SIZE) {
		pte_t *e = as_pte(&t->as, p);
		if (!e && as_stack_fault(&t->as, p) == 0)
			e = as_pte(&t->as, p); /* a stack page not touched yet: mapped now */
		if (!e || !(*e & PTE_U) || !(*e & PTE_R))
			return E_FAULT;
		/* Writable, or copy-on-write (on a shared leaf the bit is MAYWRITE: no). */
		if (write && !(*e & PTE_W) && (*e & (PTE_COW | PTE_SHARED)) != PTE_COW)
			return E_FAULT;
	}
	return 0;
}

/* Bytes left in the page that holds va. */
static size_t page_left(uint64_t va)
{
	return PAGE_SIZE - (va & (PAGE_SIZE - 1));
}

/* The one loop: page by page through the task's table, breaking COW for writes. */
static int user_copy(struct task *t, uint64_t va, char *kbuf, size_t len, int write)
{
	if (!range_ok(va, len))
		return E_FAULT;
	while (len) {
		uint64_t pa;
		size_t n = len < page_left(va) ? len : page_left(va);
		int err = as_translate(&t->as, va, write, &pa);
		if (err)
			return err;
		if (write)
			copy_bytes(phys_to_virt(pa), kbuf, n);
		else
			copy_bytes(kbuf, phys_to_virt(pa), n);
		kbuf += n;
		va += n;
		len -= n;
	}
	return 0;
}

int user_copy_in(struct task *t, void *dst, uint64_t va, size_t len)
{
	return user_copy(t, va, dst, len, 0);
}

int user_copy_out(struct task *t, uint64_t va, const void *src, size_t len)
{
	/* The kernel buffer is only read on this path; the cast serves the shared loop. */
	return user_copy(t, va, (char *)src, len, 1);
}

int user_copy_between(struct task *dt, uint64_t dva, struct task *st, uint64_t sva, size_t len)
{
	if (!range_ok(dva, len) || !range_ok(sva, len))
		return E_FAULT;
	while (len) {
		uint64_t dpa, spa;
		size_t n = len;
		n = n < page_left(dva) ? n : page_left(dva);
		n = n < page_left(sva) ? n : page_left(sva);
		int err = as_translate(&st->as, sva, 0, &spa);
		if (!err)
			err = as_translate(&dt->as, dva, 1, &dpa);
		if (err)
			return err;
		copy_bytes(phys_to_virt(dpa), phys_to_virt(spa), n);
		dva += n;
		sva += n;
		len -= n;
	}
	return 0;
}
