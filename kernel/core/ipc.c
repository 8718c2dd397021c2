/*
 * Synchronous IPC. A message lives in the sender's saved registers until a receiver
 * takes it; the kernel copies the tag, up to 8 words, an optional buffer (through the
 * one checked user-copy path) and an optional capability straight into the receiver.
 * A call leaves the caller blocked on a one-shot reply held by the receiver.
 */
#include "kernel/core/ipc.h"

#include "kernel/abi/error.h"
#include "kernel/abi/syscall.h"
#include "kernel/core/irq.h"
#include "kernel/core/pipe.h"
#include "kernel/core/sched.h"
#include "kernel/core/syscall.h"
#include "kernel/core/upcall.h"
#include "kernel/cpu/trap.h"
#include "kernel/core/uaccess.h"
#include "kernel/io/console.h"

static const int msg_regs[IPC_WORDS] = { REG_A2, REG_A3, REG_A4, REG_A5,
					 REG_A6, REG_T3, REG_T4, REG_T5 };

/* The registers a fault report borrows, in report_regs' order: its tag, words, spec. */
static const int report_borrows[REPORT_REGS] = { REG_A1, REG_A2, REG_A3, REG_A4, REG_A5, REG_T2 };
_Static_assert(REPORT_WORDS == 4, "a fault report's words are a2-a5, msg_regs 0-3");

void ipc_report_restore(struct thread *t)
{
	for (unsigned i = 0; i < REPORT_REGS; i++)
		t->tf.x[report_borrows[i]] = t->report_regs[i];
	t->in_report = false;
}

/* A lost fault report puts nothing in a0: the instruction runs again, as it trapped. */
/*
 * A call of t's has ended (answered or failed): an upcall that waited for that (upcall.c)
 * diverts it now, with the call's result in the frame. Never on the fast path: a caller
 * with an upcall waiting takes the general one.
 */
static void call_ended(struct thread *t)
{
	t->reply_parked = false;
	if (t->upcall_pending)
		upcall_apply_pending(t);
}

void ipc_fail(struct thread *t, int err)
{
	if (t->in_report)
		ipc_report_restore(t);
	else
		t->tf.x[REG_A0] = (uint64_t)(int64_t)err;
	call_ended(t);
	sched_ready(t);
}

int ipc_check_send(struct thread *t)
{
	uint64_t tag = t->tf.x[REG_A1];
	int err = 0;
	if (ipc_tag_len(tag) > IPC_BUF_MAX)
		return E_RANGE;
	if (ipc_tag_len(tag))
		err = user_check(t->task, t->tf.x[REG_T0], ipc_tag_len(tag), 0);
	if (!err && (tag & IPC_TAG_CAP))
		cap_get(t->task, t->tf.x[REG_T6], OBJ_NONE, CAP_GRANT, &err);
	return err;
}

/*
 * The receive buffer is checked when bytes arrive, not here: a server receives far more
 * often than it is sent a buffer, and a bad buffer then fails both sides with E_FAULT.
 */
int ipc_check_recv(struct thread *t)
{
	return ipc_recv_capacity(t->tf.x[REG_T2]) > IPC_BUF_MAX ? E_RANGE : 0;
}

/*
 * A caller's receive buffer is checked when it calls: a server that answers into a bad
 * buffer is told 0 and cannot know the bytes were lost (a pipe read must fail with
 * E_FAULT before the server takes bytes out of the pipe).
 */
int ipc_check_call_recv(struct thread *t)
{
	unsigned cap = ipc_recv_capacity(t->tf.x[REG_T2]);
	if (cap > IPC_BUF_MAX)
		return E_RANGE;
	return cap ? user_check(t->task, t->tf.x[REG_T1], cap, 1) : 0;
}

/* The capability half of a transfer: 1 if one was installed in the receiver. */
static int transfer_cap(struct thread *from, struct thread *to, uint64_t tag)
{
	int err = 0;
	unsigned slot = ipc_recv_slot(to->tf.x[REG_T2]);
	if (!(tag & IPC_TAG_CAP) || slot == IPC_RECV_SLOT_NONE)
		return 0;
	struct cap *src = cap_get(from->task, from->tf.x[REG_T6], OBJ_NONE, CAP_GRANT, &err);
	struct cap *dst = cap_slot(to->task, slot, &err);
	if (!src || !dst || dst->obj)
		return 0;
	cap_install(dst, src->obj, src->rights, src->badge, src);
	return 1;
}

/*
 * Copy the message from one thread to another. The receiver's t2 says how large its
 * buffer is and where a capability may go; a longer buffer is cut short.
 */
static int transfer(struct thread *from, struct thread *to, uint64_t badge)
{
	uint64_t tag = from->tf.x[REG_A1];
	unsigned words = ipc_tag_words(tag), len = ipc_tag_len(tag);
	unsigned cap = ipc_recv_capacity(to->tf.x[REG_T2]);
	int status = 0;

	for (unsigned i = 0; i < words; i++)
		to->tf.x[msg_regs[i]] = from->tf.x[msg_regs[i]];
	if (len > cap)
		len = cap;
	if (len)
		status = user_copy_between(to->task, to->tf.x[REG_T1], from->task,
					   from->tf.x[REG_T0], len);
	int got_cap = transfer_cap(from, to, tag);
	to->tf.x[REG_A1] = ipc_tag(ipc_tag_label(tag), words, status ? 0 : len, got_cap);
	to->tf.x[REG_T6] = badge;
	to->tf.x[REG_A0] = (uint64_t)(int64_t)status;
	return status;
}

/* A reply (generation gen) that will never come: wake its caller if it still waits. */
static void abandon(struct thread *caller, uint32_t gen)
{
	if (ipc_awaits(caller, gen))
		ipc_fail(caller, E_DEAD);
	kobj_put(&caller->hdr);
}

/* After a call is delivered: the caller waits on the receiver's one-shot reply. */
static void arm_reply(struct thread *caller, struct thread *server)
{
	/* An unanswered earlier call is abandoned: its caller must not hang. (The test
	 * first: nearly always there is none, and the call would cost a frame.) */
	if (server->reply_to)
		ipc_drop_reply(server);
	caller->state = TS_BLOCKED_REPLY;
	kobj_get(&caller->hdr);
	server->reply_to = caller;
	server->reply_to_gen = caller->reply_gen;
}

/* The sender's side once a receiver has the message (status: how the copy went). */
static void sender_done(struct thread *sender, struct thread *receiver, int status)
{
	if (sender->ipc_call && status == 0) {
		arm_reply(sender, receiver);
	} else {
		sender->tf.x[REG_A0] = (uint64_t)(int64_t)status;
		if (sender->state != TS_RUNNING)
			sched_ready(sender);
	}
}

int ipc_send(struct thread *t, struct endpoint *ep, uint64_t badge, bool call, bool block)
{
	struct thread *r = tq_pop_nearest(&ep->recvq);
	t->ipc_call = call;
	if (r) {
		int status = transfer(t, r, badge);
		sched_ready(r);
		sender_done(t, r, status);
		return 0;
	}
	if (!block)
		return E_AGAIN;
	t->ipc_badge = badge;
	t->state = TS_BLOCKED_SEND;
	t->wait_obj = ep;
	tq_push(&ep->sendq, t);
	return 0;
}

int ipc_recv(struct thread *t, struct endpoint *ep, bool block)
{
	struct thread *s = tq_pop(&ep->sendq);
	if (s) {
		s->wait_obj = 0;
		sender_done(s, t, transfer(s, t, s->ipc_badge));
		return 0;
	}
	if (!block)
		return E_AGAIN;
	t->state = TS_BLOCKED_RECV;
	t->wait_obj = ep;
	tq_push(&ep->recvq, t);
	return 0;
}

/* Answer caller (generation gen) with t's message; E_DEAD if it stopped waiting. */
static int answer(struct thread *t, struct thread *caller, uint32_t gen)
{
	if (!ipc_awaits(caller, gen))
		return E_DEAD;
	/* The caller's own a1 says what it can take: a reply fills the same registers. An
	 * answered fault report carries nothing back: the thread resumes as it trapped. */
	if (caller->in_report)
		ipc_report_restore(caller);
	else
		transfer(t, caller, 0);
	caller->reply_gen++;
	call_ended(caller);
	sched_ready(caller);
	return 0;
}

/*
 * The answer registers of a copied call: status 0, a words-only tag of IPC_WORDS words,
 * every word 0, no badge (kernel/abi/ipc.h).
 */
static void answer_zero(struct trapframe *tf)
{
	tf->x[REG_A0] = 0;
	tf->x[REG_A1] = ipc_tag(0, IPC_WORDS, 0, 0);
	tf->x[REG_A2] = tf->x[REG_A3] = tf->x[REG_A4] = tf->x[REG_A5] = 0;
	tf->x[REG_A6] = tf->x[REG_T3] = tf->x[REG_T4] = tf->x[REG_T5] = 0;
	tf->x[REG_T6] = 0;
}

#define FRAME_WORDS (sizeof(struct trapframe) / sizeof(uint64_t))
_Static_assert(FRAME_WORDS % 12 == 0, "ipc_answer_clone copies twelve words a round");

/*
 * Twelve words a round, three rounds: fewer instructions than the compiler's four-word
 * loop for a structure copy, on the path of every fork.
 */
void ipc_answer_clone(struct thread *clone, const struct thread *caller)
{
	uint64_t *d = (uint64_t *)&clone->tf;
	const uint64_t *s = (const uint64_t *)&caller->tf, *end = s + FRAME_WORDS;
	for (; s < end; s += 12, d += 12) {
		uint64_t w0 = s[0], w1 = s[1], w2 = s[2], w3 = s[3], w4 = s[4], w5 = s[5];
		uint64_t w6 = s[6], w7 = s[7], w8 = s[8], w9 = s[9], w10 = s[10], w11 = s[11];
		d[0] = w0, d[1] = w1, d[2] = w2, d[3] = w3, d[4] = w4, d[5] = w5;
		d[6] = w6, d[7] = w7, d[8] = w8, d[9] = w9, d[10] = w10, d[11] = w11;
	}
	answer_zero(&clone->tf);
}

int ipc_reply(struct thread *t)
{
	struct thread *caller = t->reply_to;
	if (!caller)
		return E_BADCAP;
	t->reply_to = 0;
	int err = answer(t, caller, t->reply_to_gen);
	kobj_put(&caller->hdr);
	return err;
}

int ipc_reply_save(struct thread *t, struct cap *dst)
{
	if (!t->reply_to)
		return E_BADCAP;
	if (dst->obj)
		return E_BUSY;
	struct reply *r = kobj_alloc(OBJ_REPLY, sizeof(*r), t->task);
	if (!r)
		return E_QUOTA;
	r->caller = t->reply_to; /* the thread's reference moves to the object */
	r->gen = t->reply_to_gen;
	upcall_parked(r->caller); /* a signal may now cut its wait short */
	t->reply_to = 0;
	cap_install(dst, &r->hdr, CAP_SEND, 0, 0);
	kobj_put(&r->hdr); /* the slot holds the only reference */
	return 0;
}

int ipc_reply_cap(struct thread *t, struct cap *c)
{
	struct reply *r = (struct reply *)c->obj;
	struct thread *caller = r->caller;
	if (!caller)
		return E_DEAD;
	r->caller = 0;
	int err = answer(t, caller, r->gen);
	kobj_put(&caller->hdr);
	cap_delete(c); /* one shot */
	return err;
}

void reply_destroy(struct reply *r)
{
	if (r->caller)
		abandon(r->caller, r->gen);
	r->caller = 0;
}

void endpoint_destroy(struct endpoint *ep)
{
	struct thread *t;
	while ((t = tq_pop(&ep->sendq)) != 0)
		ipc_fail(t, E_DEAD);
	while ((t = tq_pop(&ep->recvq)) != 0)
		ipc_fail(t, E_DEAD);
}

bool ipc_unqueue(struct thread *t)
{
	if (t->state == TS_BLOCKED_SEND)
		tq_remove(&((struct endpoint *)t->wait_obj)->sendq, t);
	else if (t->state == TS_BLOCKED_RECV)
		tq_remove(&((struct endpoint *)t->wait_obj)->recvq, t);
	else if (t->state == TS_BLOCKED_NOTIFY)
		tq_remove(&((struct notify *)t->wait_obj)->waitq, t);
	else if (t->state == TS_BLOCKED_PIPE)
		pipe_unqueue(t);
	else
		return false;
	return true;
}

void ipc_cancel(struct thread *t)
{
	ipc_unqueue(t);
	t->wait_obj = 0;
	ipc_drop_reply(t);
}

void ipc_drop_reply(struct thread *t)
{
	struct thread *caller = t->reply_to;
	if (!caller)
		return;
	t->reply_to = 0;
	abandon(caller, t->reply_to_gen);
}

int notify_signal(struct notify *n, uint64_t bits)
{
	struct thread *w = tq_pop(&n->waitq);
	if (!w) {
		n->bits |= bits;
		return 0;
	}
	w->tf.x[REG_A0] = 0;
	w->tf.x[REG_A1] = n->bits | bits;
	n->bits = 0;
	sched_ready(w);
	return 0;
}

int notify_wait(struct thread *t, struct notify *n, bool block)
{
	if (n->bits) {
		t->tf.x[REG_A1] = n->bits;
		n->bits = 0;
		return 0;
	}
	if (!block)
		return E_AGAIN;
	t->state = TS_BLOCKED_NOTIFY;
	t->wait_obj = n;
	tq_push(&n->waitq, t);
	return 0;
}

void notify_destroy(struct notify *n)
{
	struct thread *t;
	irq_notify_gone(n);
	console_notify_gone(n);
	while ((t = tq_pop(&n->waitq)) != 0)
		ipc_fail(t, E_DEAD);
}

/*
 * A message the kernel writes on t's behalf: t's registers carry it, t blocks as its
 * sender, and the supervisor receives it like any other (the badge names the task).
 */
int ipc_kernel_message(struct thread *t, uint64_t label, const uint64_t *words, unsigned n)
{
	struct task *task = t->task;
	if (!task->supervisor.obj)
		return E_BADCAP;
	t->tf.x[REG_A1] = ipc_tag(label, n, 0, 0);
	for (unsigned i = 0; i < n && i < IPC_WORDS; i++)
		t->tf.x[msg_regs[i]] = words[i];
	t->tf.x[REG_T2] = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	/* A call: the thread waits for its supervisor, which answers or kills the task. */
	struct endpoint *ep = (struct endpoint *)task->supervisor.obj;
	struct thread *r = tq_pop_nearest(&ep->recvq);
	t->state = TS_BLOCKED_SEND;
	t->ipc_call = true;
	t->ipc_badge = task->supervisor.badge;
	if (r) {
		transfer(t, r, t->ipc_badge);
		sched_ready(r);
		arm_reply(t, r);
		return 0;
	}
	t->wait_obj = ep;
	tq_push(&ep->sendq, t);
	return 0;
}

/*
 * A fault report is a kernel message that keeps what it overwrites: whether the
 * supervisor answers it, loses it or diverts the thread (upcall.c), the thread runs on
 * with the registers it trapped with, so a handler that returns finds them intact.
 */
int ipc_fault_report(struct thread *t, uint64_t label, const uint64_t *words)
{
	if (!t->task->supervisor.obj)
		return E_BADCAP;
	for (unsigned i = 0; i < REPORT_REGS; i++)
		t->report_regs[i] = t->tf.x[report_borrows[i]];
	t->in_report = true;
	return ipc_kernel_message(t, label, words, REPORT_WORDS);
}

/*
 * The fast paths: a call that finds its server waiting, and a reply_recv that answers
 * a waiting caller while nobody else is queued. Both move only the register words (no
 * buffer, no capability) and switch straight to the partner, without the run queue.
 * Anything else returns NULL and takes the general path, which gives the same result.
 * Every test comes before the first change, as in the general path.
 */

/* The endpoint in t's slot a0 if t's capability there has right, else NULL. */
static inline __attribute__((always_inline)) struct endpoint *
fast_endpoint(struct thread *t, uint32_t right, uint64_t *badge)
{
	struct cap *c = cap_lookup(t->task, t->tf.x[REG_A0]);
	if (!c || !c->obj || c->obj->type != OBJ_ENDPOINT || !(c->rights & right))
		return 0;
	*badge = c->badge;
	return (struct endpoint *)c->obj;
}

/*
 * Only words travel: the tag's low half is nothing but a count of at most IPC_WORDS words
 * (no buffer, no capability, no stray bits), and t2 is a valid receive spec. Such a tag is
 * already what the general path would deliver, so it is passed on as it is.
 */
static bool words_only(struct thread *t)
{
	return (uint32_t)t->tf.x[REG_A1] <= IPC_WORDS &&
	       ipc_recv_capacity(t->tf.x[REG_T2]) <= IPC_BUF_MAX;
}

/* What transfer() does for a words_only() message. */
static void copy_words(struct thread *from, struct thread *to, uint64_t badge)
{
	/* All eight: cheaper than deciding how many; unused ones are don't-cares. */
	to->tf.x[REG_A2] = from->tf.x[REG_A2];
	to->tf.x[REG_A3] = from->tf.x[REG_A3];
	to->tf.x[REG_A4] = from->tf.x[REG_A4];
	to->tf.x[REG_A5] = from->tf.x[REG_A5];
	to->tf.x[REG_A6] = from->tf.x[REG_A6];
	to->tf.x[REG_T3] = from->tf.x[REG_T3];
	to->tf.x[REG_T4] = from->tf.x[REG_T4];
	to->tf.x[REG_T5] = from->tf.x[REG_T5];
	to->tf.x[REG_A1] = from->tf.x[REG_A1];
	to->tf.x[REG_T6] = badge;
	to->tf.x[REG_A0] = 0;
}

/* A direct switch runs the partner on this hart: only if its affinity allows that. */
static bool may_run_here(const struct thread *t)
{
	return t->affinity < 0 || t->affinity == (int)this_hart()->index;
}

static struct thread *fast_call(struct thread *t, uint64_t *badge)
{
	struct endpoint *ep = fast_endpoint(t, CAP_SEND, badge);
	struct thread *r = ep ? ep->recvq : 0;
	if (!r || !words_only(t))
		return 0;
	if (!may_run_here(r) && !(r = sched_nearest(r)))
		return 0; /* every receiver is pinned to another hart */
	if (ipc_recv_capacity(t->tf.x[REG_T2]) && ipc_check_call_recv(t))
		return 0; /* the general path gives the error */
	tq_remove(&ep->recvq, r);
	r->wait_obj = 0;
	arm_reply(t, r);
	return r;
}

static struct thread *fast_reply_recv(struct thread *t)
{
	uint64_t badge;
	struct endpoint *ep = fast_endpoint(t, CAP_RECV, &badge);
	struct thread *caller = t->reply_to;
	if (!ep || ep->sendq || !caller || !ipc_awaits(caller, t->reply_to_gen) || !words_only(t) ||
	    !may_run_here(caller) || caller->in_report || caller->upcall_pending)
		return 0;
	t->reply_to = 0;
	caller->reply_gen++;
	kobj_put(&caller->hdr); /* the task's list still holds it: it cannot go here */
	t->state = TS_BLOCKED_RECV;
	t->wait_obj = ep;
	tq_push(&ep->recvq, t);
	return caller;
}

/*
 * Run to, which receives from's words. With one hart the words go from from's frame
 * straight into the registers (ipc_return, trapvec.S). With several, the lock is let go
 * on the way out and from may then be killed from another hart and freed: the words are
 * copied into to's frame first, under the lock.
 */
static inline __attribute__((always_inline)) struct trapframe *
fast_switch(struct thread *from, struct thread *to, uint64_t badge)
{
	if (smp_on()) {
		copy_words(from, to, badge);
		return sched_switch_to(to);
	}
	sched_enter(this_hart(), to);
	return ipc_return(&to->tf, &from->tf, badge);
}

/* A call or reply_recv: switched straight to the partner, or the general path. */
struct trapframe *ipc_fast_call(struct thread *t)
{
	uint64_t badge;
	struct thread *to = fast_call(t, &badge);
	return to ? fast_switch(t, to, badge) : syscall_dispatch(t);
}

/*
 * A reply_recv whose answer has IPC_TAG_QUEUE and otherwise only words, with no sender
 * queued: how the fork server answers a fork. The caller is queued like any woken thread
 * (sched_ready), t waits for its next request, and the hart runs whoever is next (the
 * new child). The same result as the general path (answer, then do_recv, then the pick)
 * without its generality; anything else goes there. Apart from the fast path, which it
 * costs nothing: only a reply_recv the fast path refused comes here (one test sends
 * any other on to the general path).
 */
static __attribute__((noinline)) struct trapframe *queued_reply_recv(struct thread *t)
{
	uint64_t badge, tag = t->tf.x[REG_A1];
	if (!(tag & IPC_TAG_QUEUE) || ((uint32_t)tag & ~IPC_TAG_QUEUE) > IPC_WORDS)
		return syscall_dispatch(t); /* first, and alone: every refusal of the fast path */
	struct endpoint *ep = fast_endpoint(t, CAP_RECV, &badge);
	struct thread *caller = t->reply_to;
	if (ipc_recv_capacity(t->tf.x[REG_T2]) > IPC_BUF_MAX || !ep || ep->sendq || !caller ||
	    !ipc_awaits(caller, t->reply_to_gen) || caller->in_report || caller->upcall_pending)
		return syscall_dispatch(t);
	t->reply_to = 0;
	copy_words(t, caller, 0);
	caller->tf.x[REG_A1] &= ~(uint64_t)IPC_TAG_QUEUE; /* a received tag never has it */
	caller->reply_gen++;
	caller->reply_parked = false;
	sched_ready(caller);
	kobj_put(&caller->hdr); /* the task's list still holds it: it cannot go here */
	t->state = TS_BLOCKED_RECV;
	t->wait_obj = ep;
	tq_push(&ep->recvq, t);
	return sched_next();
}

struct trapframe *ipc_fast_reply_recv(struct thread *t)
{
	struct thread *to = fast_reply_recv(t);
	return to ? fast_switch(t, to, 0) : queued_reply_recv(t);
}
