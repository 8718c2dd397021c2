/* Object lifetime and quotas: see object.h. */
#include "kernel/core/object.h"

#include "kernel/abi/error.h"
#include "kernel/core/kalloc.h"
#include "kernel/core/pipe.h"
#include "kernel/io/printk.h"

int quota_take(struct task *t, uint64_t bytes)
{
	if (!t)
		return 0; /* boot-time objects are the kernel's own */
	return quota_charge(&t->quota, bytes);
}

void quota_give(struct task *t, uint64_t bytes)
{
	if (t)
		quota_refund(&t->quota, bytes);
}

/* kobj_alloc and kobj_alloc_from, each with its own zeroing inlined (from is constant). */
static inline __attribute__((always_inline)) void *kobj_make(uint32_t type, uint32_t size,
							     struct task *payer, uint32_t from)
{
	uint32_t charge = (uint32_t)kalloc_charge(size);
	if (quota_take(payer, charge) != 0)
		return NULL;
	struct kobj *o = from ? kzalloc_from(size, from) : kzalloc(size);
	if (!o) {
		quota_give(payer, charge);
		return NULL;
	}
	o->type = type;
	o->refs = 1;
	o->charge = charge;
	o->payer = payer;
	if (payer)
		kobj_get(&payer->hdr);
	return o;
}

void *kobj_alloc(uint32_t type, uint32_t size, struct task *payer)
{
	return kobj_make(type, size, payer, 0);
}

void *kobj_alloc_from(uint32_t type, uint32_t size, struct task *payer, uint32_t from)
{
	return kobj_make(type, size, payer, from);
}

static void kobj_destroy(struct kobj *o)
{
	switch (o->type) {
	case OBJ_TASK:
		task_destroy((struct task *)o);
		break;
	case OBJ_THREAD:
		thread_destroy((struct thread *)o);
		break;
	case OBJ_ENDPOINT:
		endpoint_destroy((struct endpoint *)o);
		break;
	case OBJ_REPLY:
		reply_destroy((struct reply *)o);
		break;
	case OBJ_NOTIFY:
		notify_destroy((struct notify *)o);
		break;
	case OBJ_MEMORY:
		memobj_destroy((struct memobj *)o);
		break;
	case OBJ_PIPE:
		pipe_destroy((struct pipe *)o);
		break;
	case OBJ_PIPE_READ:
	case OBJ_PIPE_WRITE: /* pipe()'s are inside their pipe: nothing of their own to free */
		if (pipe_end_destroy((struct pipe_end *)o))
			return;
		break;
	default: /* the boot-time authorities are static and never reach zero */
		return;
	}
	struct task *payer = o->payer;
	quota_give(payer, o->charge);
	kfree(o, o->charge);
	if (payer)
		kobj_put(&payer->hdr);
}

void kobj_put_last(struct kobj *o)
{
	if (o->refs == 0)
		panic("kobj_put: object %p of type %u has no references", (void *)o, o->type);
	o->refs = 0;
	kobj_destroy(o);
}
