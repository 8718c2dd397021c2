/*
 * System call dispatch. The table is expanded from SYSCALLS() in kernel/abi/syscall.h,
 * so a call in the list without a handler here does not compile. Every handler checks
 * all of its arguments (slot, type, rights, ranges) before it changes anything.
 * A handler's return value goes to a0, except KEEP_REGS: the handler (or whoever wakes
 * the thread later) has set the registers itself.
 */
#include "drivers/timer.h"
#include "kernel/abi/console.h"
#include "kernel/abi/error.h"
#include "kernel/abi/syscall.h"
#include "kernel/boot/boot.h"
#include "kernel/core/fork.h"
#include "kernel/core/futex.h"
#include "kernel/core/ipc.h"
#include "kernel/core/irq.h"
#include "kernel/core/kalloc.h"
#include "kernel/core/memobj.h"
#include "kernel/core/pipe.h"
#include "kernel/core/sched.h"
#include "kernel/core/syscall.h"
#include "kernel/core/task.h"
#include "kernel/abi/upcall.h"
#include "kernel/core/upcall.h"
#include "kernel/core/uaccess.h"
#include "kernel/cpu/hart.h"
#include "kernel/cpu/riscv.h"
#include "kernel/cpu/smp.h"
#include "kernel/io/console.h"
#include "kernel/io/entropy.h"
#include "kernel/io/power.h"
#include "kernel/io/printk.h"
#include "kernel/lib/failalloc.h"
#include "vm/as.h"
#include "vm/frame.h"
#include "vm/vm.h"

#define KEEP	  ((long)0x4b454550) /* not an error, and no call returns it as a value */
#define ARG(t, n) ((t)->tf.x[REG_A0 + (n)])

#define SYS_DECLARE(n, name, args, what) static long sys_##name(struct thread *t);
SYSCALLS(SYS_DECLARE)
#undef SYS_DECLARE

static long (*const table[SYS__COUNT])(struct thread *) = {
#define SYS_ENTRY(n, name, args, what) [n] = sys_##name,
	SYSCALLS(SYS_ENTRY)
#undef SYS_ENTRY
};

/* Blocking unless the number carried SYS_NONBLOCK. */
static bool may_block(struct thread *t)
{
	return (t->tf.x[REG_A7] & SYS_NONBLOCK) == 0;
}

struct trapframe *syscall_dispatch(struct thread *t)
{
	uint64_t nr = t->tf.x[REG_A7] & ~(uint64_t)SYS_NONBLOCK;
	long ret = nr < SYS__COUNT ? table[nr](t) : E_NOSYS;
	if (ret != KEEP)
		t->tf.x[REG_A0] = (uint64_t)ret;
	return trap_resume(); /* the caller, or whoever runs next if it blocked or died */
}

/* A live task named by argument n, with CONTROL, and its slot in *slot. */
static struct task *task_slot_arg(struct thread *t, int n, struct cap **slot, int *err)
{
	struct cap *c = cap_get(t->task, ARG(t, n), OBJ_TASK, CAP_CONTROL, err);
	struct task *task = c ? (struct task *)c->obj : 0;
	if (task && task->dead) {
		*err = E_DEAD; /* a killed task takes no more work */
		return 0;
	}
	*slot = c;
	return task;
}

static struct task *task_arg(struct thread *t, int n, int *err)
{
	struct cap *slot;
	return task_slot_arg(t, n, &slot, err);
}

/* An empty slot in the caller's space, or NULL with *err set. */
static struct cap *empty_slot(struct thread *t, uint64_t slot, int *err)
{
	struct cap *c = cap_slot(t->task, slot, err);
	if (c && c->obj)
		*err = E_BUSY;
	return c && !c->obj ? c : 0;
}

static long sys_debug_write(struct thread *t)
{
	char buf[128];
	uint64_t va = ARG(t, 0), len = ARG(t, 1), done = 0;
	if (len > IPC_BUF_MAX)
		return E_RANGE;
	while (done < len) {
		uint64_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		int err = user_copy_in(t->task, buf, va + done, n);
		if (err)
			return err;
		console_write_user(buf, n);
		done += n;
	}
	return (long)len;
}

static long sys_yield(struct thread *t)
{
	(void)t;
	sched_yield();
	return 0;
}

static long sys_exit(struct thread *t)
{
	int err = thread_exit(t, ARG(t, 0), ARG(t, 1), (uint32_t)ARG(t, 2));
	return err ? err : KEEP;
}

#define NS_PER_S 1000000000UL

static long sys_sleep(struct thread *t)
{
	uint64_t ns = ARG(t, 0), hz = timer_timebase();
	/* Split to avoid overflow: whole seconds, then the rest. */
	uint64_t ticks = (ns / NS_PER_S) * hz + (ns % NS_PER_S) * hz / NS_PER_S;
	sched_sleep_until(t, rdtime() + ticks);
	return KEEP;
}

static void copy_str(char *dst, const char *src, unsigned n)
{
	unsigned i = 0;
	for (; i + 1 < n && src[i]; i++)
		dst[i] = src[i];
	dst[i] = 0;
}

static long sys_sysinfo(struct thread *t)
{
	struct sysinfo si = { .timebase_hz = timer_timebase(),
			      .harts = harts_online,
			      .page_size = PAGE_SIZE,
			      .hart = this_hart()->index,
			      .lock_instret = smp_lock_instret(),
			      .parallel = smp_parallel() };
	const struct dt_hart *me = dt_find_hart(&boot.dt, this_hart()->hartid);
	copy_str(si.model, boot.dt.model, sizeof(si.model));
	copy_str(si.isa, me ? me->isa : "", sizeof(si.isa));
	return user_copy_out(t->task, ARG(t, 0), &si, sizeof(si));
}

static long sys_entropy(struct thread *t)
{
	return entropy_fill(t->task, ARG(t, 0), ARG(t, 1));
}

static long do_send(struct thread *t, bool call)
{
	int err = 0;
	struct cap *c = cap_lookup(t->task, ARG(t, 0));
	if (!call && c && c->obj && c->obj->type == OBJ_REPLY) {
		long r = ipc_check_send(t);
		return r ? r : ipc_reply_cap(t, c);
	}
	c = cap_get(t->task, ARG(t, 0), OBJ_ENDPOINT, CAP_SEND, &err);
	if (!c)
		return err;
	if ((err = ipc_check_send(t)) || (call && (err = ipc_check_call_recv(t))))
		return err;
	err = ipc_send(t, (struct endpoint *)c->obj, c->badge, call, may_block(t));
	return err ? err : KEEP;
}

static long sys_send(struct thread *t)
{
	return do_send(t, false);
}

static long sys_call(struct thread *t)
{
	return do_send(t, true);
}

static long do_recv(struct thread *t)
{
	int err = 0;
	struct cap *c = cap_get(t->task, ARG(t, 0), OBJ_ENDPOINT, CAP_RECV, &err);
	if (!c)
		return err;
	if ((err = ipc_check_recv(t)))
		return err;
	err = ipc_recv(t, (struct endpoint *)c->obj, may_block(t));
	return err ? err : KEEP;
}

static long sys_recv(struct thread *t)
{
	return do_recv(t);
}

static long sys_reply(struct thread *t)
{
	long err = ipc_check_send(t);
	return err ? err : ipc_reply(t);
}

static long sys_reply_recv(struct thread *t)
{
	int err = 0;
	if (!cap_get(t->task, ARG(t, 0), OBJ_ENDPOINT, CAP_RECV, &err))
		return err;
	if ((err = ipc_check_send(t)) || (err = ipc_check_recv(t)))
		return err;
	ipc_reply(t); /* a caller that went away does not stop the receive */
	return do_recv(t);
}

static long sys_reply_save(struct thread *t)
{
	int err = 0;
	struct cap *dst = empty_slot(t, ARG(t, 0), &err);
	return dst ? ipc_reply_save(t, dst) : err;
}

static long sys_cap_copy(struct thread *t)
{
	int err = 0;
	struct cap *src = cap_get(t->task, ARG(t, 0), OBJ_NONE, 0, &err);
	struct cap *dst = src ? empty_slot(t, ARG(t, 1), &err) : 0;
	if (!dst)
		return err;
	cap_install(dst, src->obj, src->rights & (uint32_t)ARG(t, 2), src->badge, src);
	return 0;
}

static long sys_cap_mint(struct thread *t)
{
	int err = 0;
	struct cap *src = cap_get(t->task, ARG(t, 0), OBJ_NONE, 0, &err);
	struct cap *dst = src ? empty_slot(t, ARG(t, 1), &err) : 0;
	if (!dst)
		return err;
	if (src->obj->type != OBJ_ENDPOINT && src->obj->type != OBJ_NOTIFY)
		return E_TYPE;
	if (src->badge || ARG(t, 3) == 0)
		return E_INVAL; /* badges are set once, and 0 means "no badge" */
	cap_install(dst, src->obj, src->rights & (uint32_t)ARG(t, 2), ARG(t, 3), src);
	return 0;
}

static long sys_cap_delete(struct thread *t)
{
	struct cap *c = cap_lookup(t->task, ARG(t, 0));
	if (ARG(t, 0) >= CSPACE_SLOTS)
		return E_BADCAP;
	if (c)
		cap_delete(c);
	return 0;
}

static long sys_cap_revoke(struct thread *t)
{
	int err = 0;
	struct cap *c = cap_get(t->task, ARG(t, 0), OBJ_NONE, 0, &err);
	if (!c)
		return err;
	cap_revoke(c);
	return 0;
}

static long sys_cap_info(struct thread *t)
{
	int err = 0;
	struct cap *c = cap_get(t->task, ARG(t, 0), OBJ_NONE, 0, &err);
	if (!c)
		return err;
	t->tf.x[REG_A1] = c->badge;
	return (long)(c->obj->type | (c->rights << 8));
}

static struct kobj *create(struct task *payer, uint64_t type, uint64_t arg, int *err)
{
	struct kobj *o = 0;
	*err = E_QUOTA;
	if (type == OBJ_ENDPOINT)
		o = kobj_alloc(OBJ_ENDPOINT, sizeof(struct endpoint), payer);
	else if (type == OBJ_NOTIFY)
		o = kobj_alloc(OBJ_NOTIFY, sizeof(struct notify), payer);
	else if (type == OBJ_MEMORY)
		o = (struct kobj *)memobj_new_anon(payer, arg, err);
	else
		*err = E_TYPE;
	return o;
}

static long sys_obj_create(struct thread *t)
{
	int err = 0;
	struct task *payer = task_arg(t, 0, &err);
	struct cap *dst = payer ? empty_slot(t, ARG(t, 2), &err) : 0;
	if (!dst)
		return err;
	struct kobj *o = create(payer, ARG(t, 1), ARG(t, 3), &err);
	if (!o)
		return err;
	cap_install(dst, o, CAP_ALL, 0, 0);
	kobj_put(o);
	return 0;
}

static long sys_notify_signal(struct thread *t)
{
	int err = 0;
	struct cap *c = cap_get(t->task, ARG(t, 0), OBJ_NOTIFY, CAP_SEND, &err);
	if (!c)
		return err;
	return notify_signal((struct notify *)c->obj, ARG(t, 1) | c->badge);
}

static long sys_notify_wait(struct thread *t)
{
	int err = 0;
	struct cap *c = cap_get(t->task, ARG(t, 0), OBJ_NOTIFY, CAP_RECV, &err);
	if (!c)
		return err;
	err = notify_wait(t, (struct notify *)c->obj, may_block(t));
	return err ? err : (t->state == TS_RUNNING ? 0 : KEEP);
}

/* The supervisor argument: an endpoint cap with SEND, or -1 for none. */
static struct cap *supervisor_arg(struct thread *t, uint64_t slot, int *err)
{
	static struct cap none;
	if (slot == (uint64_t)-1)
		return &none;
	return cap_get(t->task, slot, OBJ_ENDPOINT, CAP_SEND, err);
}

static long sys_task_create(struct thread *t)
{
	int err = 0;
	struct task *creator = task_arg(t, 0, &err);
	struct cap *dst = creator ? empty_slot(t, ARG(t, 1), &err) : 0;
	struct cap *sup = dst ? supervisor_arg(t, ARG(t, 3), &err) : 0;
	if (!sup)
		return err;
	if (ARG(t, 2) > creator->quota.limit)
		return E_QUOTA;
	struct task *child = task_new(creator, ARG(t, 2));
	if (!child)
		return E_NOMEM;
	if (sup->obj)
		cap_install(&child->supervisor, sup->obj, CAP_SEND, sup->badge, sup);
	/* Not derived from the child's own slot: the child must not be able to revoke it. */
	cap_install(dst, &child->hdr, CAP_ALL, 0, 0);
	return 0;
}

static long sys_task_cap_put(struct thread *t)
{
	int err = 0;
	struct task *target = task_arg(t, 0, &err);
	struct cap *src = target ? cap_get(t->task, ARG(t, 1), OBJ_NONE, 0, &err) : 0;
	struct cap *dst = src ? cap_slot(target, ARG(t, 2), &err) : 0;
	if (!dst)
		return err;
	if (dst->obj)
		return E_BUSY;
	cap_install(dst, src->obj, src->rights & (uint32_t)ARG(t, 3), src->badge, src);
	return 0;
}

/* The mirror of task_cap_put: a copy of a slot of the target in an empty slot of ours. */
static long sys_task_cap_get(struct thread *t)
{
	int err = 0;
	struct task *source = task_arg(t, 0, &err);
	struct cap *src = source ? cap_get(source, ARG(t, 1), OBJ_NONE, 0, &err) : 0;
	struct cap *dst = src ? empty_slot(t, ARG(t, 2), &err) : 0;
	if (!dst)
		return err;
	cap_install(dst, src->obj, src->rights & (uint32_t)ARG(t, 3), src->badge, src);
	return 0;
}

static long sys_thread_create(struct thread *t)
{
	int err = 0;
	struct task *target = task_arg(t, 0, &err);
	struct cap *dst = 0;
	if (!target)
		return err;
	if (ARG(t, 1) != (uint64_t)-1 && !(dst = empty_slot(t, ARG(t, 1), &err)))
		return err;
	if (target->dead)
		return E_DEAD;
	/* A thread of the caller's own task runs where the caller may (Linux's threads keep
	 * their creator's affinity mask); one made in another task runs anywhere. */
	int affinity = target == t->task ? t->affinity : -1;
	struct thread *th = thread_new(target, t->task, ARG(t, 2), ARG(t, 3), ARG(t, 4), affinity);
	if (!th)
		return E_QUOTA;
	if (dst)
		cap_install(dst, &th->hdr, CAP_ALL, 0, 0);
	return (long)th->id;
}

/*
 * The slot goes too: deleting it is all a dead task's capability is still good for, and
 * a supervisor reaping an exited task saves a call. A caller that killed its own task
 * is gone, and its slots with it.
 */
static long sys_task_kill(struct thread *t)
{
	int err = 0;
	struct cap *slot;
	struct task *target = task_slot_arg(t, 0, &slot, &err);
	if (!target)
		return err;
	task_kill(target);
	if (t->state == TS_DEAD)
		return KEEP;
	/* A pending reply to one of its threads has nobody to answer: its hold (the dead
	 * thread's memory) goes now, not at the caller's next receive. How a supervisor ends
	 * a task that called it to exit. */
	if (t->reply_to && t->reply_to->task == target)
		ipc_drop_reply(t);
	cap_delete(slot);
	return 0;
}

/* map_anon with MAP_KIND_STACK: the reserve ends at USER_STACK_TOP and is read-write. */
static long map_stack(struct as *as, uint64_t va, uint64_t npages, uint64_t prot)
{
	if (prot != (MAP_PROT_READ | MAP_PROT_WRITE | MAP_KIND_STACK) ||
	    npages > USER_STACK_MAX / PAGE_SIZE || va != USER_STACK_TOP - npages * PAGE_SIZE)
		return E_INVAL;
	return as_stack_reserve(as, npages);
}

static long sys_map_anon(struct thread *t)
{
	int err = 0;
	struct task *target = task_arg(t, 0, &err);
	if (!target)
		return err;
	if (ARG(t, 3) & MAP_KIND_STACK)
		return map_stack(&target->as, ARG(t, 1), ARG(t, 2), ARG(t, 3));
	return as_map_anon(&target->as, ARG(t, 1), ARG(t, 2), (uint32_t)ARG(t, 3));
}

static long sys_map(struct thread *t)
{
	int err = 0;
	struct task *target = task_arg(t, 0, &err);
	struct cap *m = target ? cap_get(t->task, ARG(t, 1), OBJ_MEMORY, 0, &err) : 0;
	if (!m)
		return err;
	return memobj_map(target, (struct memobj *)m->obj, m->rights, ARG(t, 2), ARG(t, 3),
			  ARG(t, 4), (uint32_t)ARG(t, 5));
}

static long sys_unmap(struct thread *t)
{
	int err = 0;
	struct task *target = task_arg(t, 0, &err);
	return target ? as_unmap(&target->as, ARG(t, 1), ARG(t, 2)) : err;
}

static long sys_protect(struct thread *t)
{
	int err = 0;
	struct task *target = task_arg(t, 0, &err);
	return target ? as_protect(&target->as, ARG(t, 1), ARG(t, 2), (uint32_t)ARG(t, 3)) : err;
}

static long sys_memstat(struct thread *t)
{
	int err = 0;
	struct task *target = task_arg(t, 0, &err);
	if (!target)
		return err;
	/* Frames of a teardown still on their way back count as free (vm/tlb.c). */
	frame_pool_settle(&kframes);
	struct memstat ms = {
		.total_frames = kframes.nusable,
		.free_frames = frame_free_count(&kframes),
		.shared_frames = kframes.nshared,
		.cow_faults = cow_stats.copies + cow_stats.reuses + cow_stats.no_frame,
		.cow_copies = cow_stats.copies,
		.cow_reuses = cow_stats.reuses,
		.task_resident = target->as.resident,
		.task_quota_left = target->quota.limit - target->quota.used,
		.kernel_objects = kalloc_live(),
		.kernel_slab_frames = kalloc_slab_frames(),
		.tlb_fences = smp_fences_sent(),
	};
	return user_copy_out(t->task, ARG(t, 1), &ms, sizeof(ms));
}

/*
 * The child's slot for a second copy of its supervisor capability: FORK_NO_SLOT, or a
 * slot below CSPACE_SLOTS other than the child's own SLOT_SELF; only with a supervisor.
 */
static int sup_slot_arg(uint64_t slot, const struct cap *sup)
{
	if (slot == FORK_NO_SLOT)
		return 0;
	if (!sup->obj)
		return E_INVAL;
	if (slot >= CSPACE_SLOTS)
		return E_BADCAP;
	return slot == SLOT_SELF ? E_BUSY : 0;
}

/*
 * fork's checks, all before anything is made (fork.c does the work): the parent, the
 * server's empty slot, the supervisor, the parent's thread waiting on the server's
 * pending reply, the mode, the badge and the child's slot for the supervisor's copy.
 * With several harts fork.c runs them again after its clone without the lock.
 */
static inline __attribute__((always_inline)) int fork_args(struct thread *t, struct fork_req *r)
{
	int err = 0;
	r->server = t->task; /* every field is set on the way to 0: no zeroing first */
	r->badge = ARG(t, 4);
	r->sup_slot = ARG(t, 5);
	uint64_t mode = ARG(t, 2);
	r->parent = task_arg(t, 0, &err);
	r->dst = r->parent ? empty_slot(t, ARG(t, 1), &err) : 0;
	r->sup = r->dst ? supervisor_arg(t, ARG(t, 3), &err) : 0;
	r->caller = r->sup ? ipc_waiting_caller(t, r->parent) : 0;
	if (!r->sup)
		return err;
	if (!r->caller || (mode != FORK_COW && mode != FORK_EAGER))
		return E_INVAL;
	if (r->badge && (!r->sup->obj || r->sup->badge))
		return E_INVAL; /* badges are set once */
	if ((err = sup_slot_arg(r->sup_slot, r->sup)) != 0)
		return err;
	r->mode = (int)mode;
	return 0;
}

static long sys_fork(struct thread *t)
{
	struct fork_req r;
	int err = fork_args(t, &r);
	if (err)
		return err;
	if (!smp_on())
		return fork_task(&r);
	long ret = fork_task_apart(t, &r, fork_args);
	/* Killed while the clone was made, and let go of by its hart: t may be gone. */
	return this_hart()->current == t ? ret : KEEP;
}

/* The device-control capability (OBJ_IRQCTL with CONTROL) in argument 0: 0 or why not. */
static int devctl_arg(struct thread *t)
{
	int err = 0;
	return cap_get(t->task, ARG(t, 0), OBJ_IRQCTL, CAP_CONTROL, &err) ? 0 : err;
}

static long sys_irq_bind(struct thread *t)
{
	int err = devctl_arg(t);
	struct cap *n = err ? 0 : cap_get(t->task, ARG(t, 2), OBJ_NOTIFY, CAP_SEND, &err);
	if (!n)
		return err;
	if (ARG(t, 1) > UINT32_MAX)
		return E_RANGE;
	/* The badge is or-ed in as notify_signal does, so a minted capability can tag lines. */
	return irq_bind((uint32_t)ARG(t, 1), (struct notify *)n->obj, ARG(t, 3) | n->badge);
}

/* irq_ack and irq_unbind: device control in a0, a bound source in a1. */
static long on_bound_line(struct thread *t, int (*op)(uint32_t irq))
{
	int err = devctl_arg(t);
	if (err)
		return err;
	return ARG(t, 1) > UINT32_MAX ? E_RANGE : op((uint32_t)ARG(t, 1));
}

static long sys_irq_ack(struct thread *t)
{
	return on_bound_line(t, irq_ack);
}

static long sys_irq_unbind(struct thread *t)
{
	return on_bound_line(t, irq_unbind);
}

/* The compatible string of device_get from user memory: 0, E_RANGE, E_FAULT or E_INVAL. */
static int compat_arg(struct thread *t, char *buf, uint64_t size)
{
	uint64_t len = ARG(t, 3);
	if (len == 0 || len >= size)
		return E_RANGE;
	int err = user_copy_in(t->task, buf, ARG(t, 2), len);
	if (err)
		return err;
	buf[len] = '\0';
	for (uint64_t i = 0; i < len; i++)
		if (buf[i] == '\0')
			return E_INVAL; /* one string, no list */
	return 0;
}

static long sys_device_get(struct thread *t)
{
	char compat[DT_MAX_COMPAT];
	struct dt_device d;
	int err = devctl_arg(t);
	struct cap *dst = err ? 0 : empty_slot(t, ARG(t, 1), &err);
	if (!dst || (err = compat_arg(t, compat, sizeof(compat))) != 0)
		return err;
	if (ARG(t, 4) > UINT32_MAX)
		return E_RANGE;
	err = dt_find_device(phys_to_virt(boot.mem.dtb_pa), boot.mem.dtb_size, compat,
			     (uint32_t)ARG(t, 4), &d);
	struct memobj *m = err ? 0 : memobj_new_device(t->task, d.base, d.size, &err);
	if (!m)
		return err;
	cap_install(dst, &m->hdr, CAP_READ | CAP_WRITE | CAP_GRANT, 0, 0);
	kobj_put(&m->hdr);
	return d.irq;
}

/*
 * dma_addr: a driver programs a device with physical addresses, so it may ask where one
 * page of its own anonymous memory object lies. Device-control authority is needed, as
 * any bus master can reach all of RAM anyway; device and boot-image objects are refused.
 */
static long sys_dma_addr(struct thread *t)
{
	int err = devctl_arg(t);
	struct cap *c =
		err ? 0 : cap_get(t->task, ARG(t, 1), OBJ_MEMORY, CAP_READ | CAP_WRITE, &err);
	if (!c)
		return err;
	struct memobj *m = (struct memobj *)c->obj;
	if (!m->pages || m->device)
		return E_INVAL;
	if (ARG(t, 2) >= m->size)
		return E_RANGE; /* past the object, or a page it gave back (memobj_resize) */
	return (long)memobj_page(m, ARG(t, 2));
}

/* memobj_resize: the owner of an object (a file server) moves its end under every mapping. */
static long sys_memobj_resize(struct thread *t)
{
	int err = 0;
	struct cap *c = cap_get(t->task, ARG(t, 0), OBJ_MEMORY, 0, &err);
	return c ? memobj_resize((struct memobj *)c->obj, c->rights, ARG(t, 1)) : err;
}

static long sys_console_read(struct thread *t)
{
	int err = 0;
	char buf[64];
	if (!cap_get(t->task, ARG(t, 0), OBJ_CONSOLE, 0, &err))
		return err;
	if (ARG(t, 2) == 0)
		return 0;
	if ((err = user_check(t->task, ARG(t, 1), ARG(t, 2), 1)))
		return err;
	long n = console_read(buf, ARG(t, 2) < sizeof(buf) ? (unsigned)ARG(t, 2) : sizeof(buf));
	if (n < 0)
		return may_block(t) ? (console_wait(t), KEEP) : E_AGAIN;
	err = user_copy_out(t->task, ARG(t, 1), buf, (uint64_t)n);
	return err ? err : n;
}

/* console_mode_get: the line discipline's settings, copied out to a1. */
static long sys_console_mode_get(struct thread *t)
{
	int err = 0;
	struct console_mode m;
	if (!cap_get(t->task, ARG(t, 0), OBJ_CONSOLE, 0, &err))
		return err;
	console_mode_get(&m);
	return user_copy_out(t->task, ARG(t, 1), &m, sizeof(m));
}

/* console_mode_set: a2 says what (enum console_set); new settings from a1, checked whole
 * before anything changes. */
static long sys_console_mode_set(struct thread *t)
{
	int err = 0;
	struct console_mode m;
	if (!cap_get(t->task, ARG(t, 0), OBJ_CONSOLE, 0, &err))
		return err;
	if (ARG(t, 2) == CON_SET_FLUSH_ONLY) {
		console_mode_set(0, true);
		return 0;
	}
	if (ARG(t, 2) != CON_SET_NOW && ARG(t, 2) != CON_SET_FLUSH)
		return E_INVAL;
	if ((err = user_copy_in(t->task, &m, ARG(t, 1), sizeof(m))) ||
	    (err = console_mode_check(&m)))
		return err;
	console_mode_set(&m, ARG(t, 2) == CON_SET_FLUSH);
	return 0;
}

/*
 * console_intr: the byte a3, typed on the console, is no longer input but sets a2 in the
 * notification a1. Everything is checked before the binding changes; it ends only with
 * the notification, so no other console holder can take it away.
 */
static long sys_console_intr(struct thread *t)
{
	int err = 0;
	if (!cap_get(t->task, ARG(t, 0), OBJ_CONSOLE, 0, &err))
		return err;
	struct cap *n = cap_get(t->task, ARG(t, 1), OBJ_NOTIFY, CAP_SEND, &err);
	if (!n)
		return err;
	if (ARG(t, 3) > UINT8_MAX || ARG(t, 2) == 0)
		return E_INVAL;
	return console_intr_bind((struct notify *)n->obj, ARG(t, 2) | n->badge, (uint8_t)ARG(t, 3));
}

static long sys_poweroff(struct thread *t)
{
	int err = 0;
	if (!cap_get(t->task, ARG(t, 0), OBJ_MACHINE, 0, &err))
		return err;
	machine_exit((int)ARG(t, 1));
}

/*
 * The thread a thread_ctl names: the thread slot a0 with CAP_CONTROL, or with
 * THREAD_CTL_SELF in the operation the caller itself, which needs no capability
 * (whatever it may do to itself it could do to a thread it made): a thread capability
 * comes only from thread_create, so this is how a task's first thread sets its own.
 */
static struct thread *thread_ctl_target(struct thread *t, int *err)
{
	if (ARG(t, 1) & THREAD_CTL_SELF)
		return t;
	struct cap *c = cap_get(t->task, ARG(t, 0), OBJ_THREAD, CAP_CONTROL, err);
	return c ? (struct thread *)c->obj : 0;
}

static long sys_thread_ctl(struct thread *t)
{
	int err = 0;
	struct thread *th = thread_ctl_target(t, &err);
	if (!th)
		return err;
	uint64_t op = ARG(t, 1) & ~(uint64_t)THREAD_CTL_SELF;
	if (op == THREAD_CTL_PRIORITY && ARG(t, 2) <= THREAD_PRIO_MAX) {
		bool ready = th->state == TS_READY;
		sched_remove(th);
		th->prio = (uint32_t)ARG(t, 2);
		if (ready)
			sched_ready(th);
		return 0;
	}
	/* A hart that does not run the kernel would leave the thread waiting forever. */
	if (op == THREAD_CTL_AFFINITY && ((int64_t)ARG(t, 2) == -1 || ARG(t, 2) < harts_online)) {
		sched_set_affinity(th, (int)ARG(t, 2));
		/* The caller pinned elsewhere moves now, not at this hart's next tick. */
		if (th == t && th->affinity >= 0 && (unsigned)th->affinity != this_hart()->index)
			sched_yield();
		return 0;
	}
	return E_INVAL;
}

/* Debug builds only (make KDEBUG=1); E_NOSYS otherwise. See kernel/lib/failalloc.h. */
static long sys_failalloc(struct thread *t)
{
	return failalloc_arm(ARG(t, 0), ARG(t, 1));
}

static long sys_futex_wait(struct thread *t)
{
	int err = futex_wait(t, ARG(t, 0), (uint32_t)ARG(t, 1), ARG(t, 2));
	return err ? err : KEEP;
}

static long sys_futex_wake(struct thread *t)
{
	return futex_wake(t->task, ARG(t, 0), ARG(t, 1));
}

static long sys_upcall(struct thread *t)
{
	int err = 0;
	struct task *task = task_arg(t, 0, &err);
	if (!task)
		return err;
	err = upcall_send(t, task, ARG(t, 4), ARG(t, 1), ARG(t, 2), ARG(t, 3));
	/* The caller itself diverted: its registers are the handler's now. Or it waits
	 * until another hart's thread has taken it, and 0 is in its a0 already. */
	return err == UPCALL_SELF || err == UPCALL_WAITS ? KEEP : err;
}

static long sys_upcall_return(struct thread *t)
{
	int err = upcall_return(t, ARG(t, 0));
	return err ? err : KEEP;
}

static long sys_upcall_stack(struct thread *t)
{
	return upcall_set_stack(t, ARG(t, 0));
}

/* A task's run time: its threads' that ended and its live ones' (tid 0), or one thread's. */
static long sys_cpu_time(struct thread *t)
{
	int err = 0;
	struct task *task = task_arg(t, 0, &err);
	if (!task)
		return err;
	uint64_t tid = ARG(t, 1), ticks = tid ? 0 : task->ended_ticks;
	bool found = tid == 0;
	if (tid == CPU_TIME_CALLER && task == t->task)
		tid = t->id;
	for (struct thread *th = task->threads; th; th = th->task_next) {
		/* Listed newest first: the oldest is the last. */
		bool oldest = tid == CPU_TIME_OLDEST && !th->task_next;
		if (tid == 0 || th->id == tid || oldest) {
			ticks += th->run_ticks;
			found = true;
		}
	}
	return found ? (long)(ticks & (uint64_t)INT64_MAX) : E_INVAL;
}

static long sys_pipe_create(struct thread *t)
{
	int err = 0;
	struct task *payer = task_arg(t, 0, &err);
	struct cap *rd = payer ? empty_slot(t, ARG(t, 1), &err) : 0;
	struct cap *wr = rd ? empty_slot(t, ARG(t, 2), &err) : 0;
	if (!wr)
		return err;
	return rd == wr ? E_BUSY : pipe_create(payer, rd, wr);
}

static long sys_fifo_create(struct thread *t)
{
	int err = 0;
	struct task *payer = task_arg(t, 0, &err);
	struct cap *dst = payer ? empty_slot(t, ARG(t, 1), &err) : 0;
	return dst ? fifo_create(payer, dst) : err;
}

static long sys_fifo_open(struct thread *t)
{
	int err = 0;
	struct cap *c = cap_get(t->task, ARG(t, 0), OBJ_PIPE, CAP_CONTROL, &err);
	if (!c)
		return err;
	uint64_t side = ARG(t, 1);
	if (side != FIFO_READ && side != FIFO_WRITE)
		return E_INVAL;
	struct cap *dst = empty_slot(t, ARG(t, 2), &err);
	if (!dst)
		return err;
	return fifo_open(t->task, (struct pipe *)c->obj,
			 side == FIFO_READ ? PIPE_READER : PIPE_WRITER, dst);
}

/*
 * The pipe end of its type in argument 0 with right, or NULL with *err set. The good case
 * is tested inline (half of every pipe round trip); cap_get then names the error.
 */
static struct pipe_end *pipe_end_arg(struct thread *t, uint32_t type, uint32_t right, int *err)
{
	struct cap *c = cap_lookup(t->task, ARG(t, 0));
	if (c && c->obj && c->obj->type == type && (c->rights & right))
		return (struct pipe_end *)c->obj;
	cap_get(t->task, ARG(t, 0), type, right, err);
	return 0;
}

/* A blocked pipe call runs again when woken: its registers stay as they are. */
static long pipe_result(struct thread *t, long r)
{
	return t->state == TS_RUNNING ? r : KEEP;
}

static long sys_pipe_read(struct thread *t)
{
	int err = 0;
	struct pipe_end *e = pipe_end_arg(t, OBJ_PIPE_READ, CAP_READ, &err);
	if (!e)
		return err;
	return pipe_result(t, pipe_read(t, e, ARG(t, 1), ARG(t, 2), may_block(t)));
}

/* Either end in argument 0, with the right its kind needs: a read end CAP_READ, a write
 * end CAP_WRITE; or NULL with *err. */
static struct pipe_end *either_end(const struct cap *c, int *err)
{
	uint32_t type = c->obj->type;
	if (type != OBJ_PIPE_READ && type != OBJ_PIPE_WRITE)
		*err = E_TYPE;
	else if (!(c->rights & (type == OBJ_PIPE_READ ? CAP_READ : CAP_WRITE)))
		*err = E_RIGHTS;
	else
		return (struct pipe_end *)c->obj;
	return 0;
}

static long sys_pipe_state(struct thread *t)
{
	int err = 0;
	struct cap *c = cap_lookup(t->task, ARG(t, 0));
	if (!c || !c->obj)
		return E_BADCAP;
	if (c->obj->type == OBJ_PIPE) /* a named pipe's own capability: its open ends */
		return c->rights & CAP_CONTROL ? fifo_state((const struct pipe *)c->obj) : E_RIGHTS;
	struct pipe_end *e = either_end(c, &err);
	return e ? pipe_state(e) : err;
}

/* An end's O_NONBLOCK is its open file description's: every holder sees the change. */
static long sys_pipe_nonblock(struct thread *t)
{
	int err = 0;
	struct cap *c = cap_lookup(t->task, ARG(t, 0));
	if (!c || !c->obj)
		return E_BADCAP;
	struct pipe_end *e = either_end(c, &err);
	if (!e)
		return err;
	if (ARG(t, 1) > 1)
		return E_INVAL;
	e->nonblock = (uint8_t)ARG(t, 1);
	return 0;
}

static long sys_pipe_write(struct thread *t)
{
	int err = 0;
	struct pipe_end *e = pipe_end_arg(t, OBJ_PIPE_WRITE, CAP_WRITE, &err);
	if (!e)
		return err;
	return pipe_result(t, pipe_write(t, e, ARG(t, 1), ARG(t, 2), may_block(t)));
}
