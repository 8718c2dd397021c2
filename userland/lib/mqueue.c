/*
 * POSIX message queues (docs/userland.md, "Message queues"). A queue is a file of POSIX
 * shared memory, /dev/shm/mq.NAME, mapped shared by each process that opens it: a header
 * (a lock, the counts, the futex words senders and receivers sleep on, the notification)
 * and maxmsg slots. The slots in use form a list in the order receivers take them
 * (highest priority first, first in first out within one), the others a free list.
 *
 * Every process that maps a queue can write all of it, so nothing read from the page is
 * trusted: the sizes come from our own descriptor (checked against the file at open),
 * every index and length is checked before use, and a queue found inconsistent gives
 * EBADMSG, never a fault or a loop. The lock holds the holder's pid, so a process that
 * dies holding it does not stop the others: a waiter that finds the holder gone takes
 * the lock over.
 *
 * A descriptor is an index into a table in private memory: fork copies it (with the
 * shared mappings), exec drops it.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "futex.h"
#include "proc.h"
#include "pthread_impl.h"
#include "syscall.h"

#define MQ_PREFIX      "/mq."
#define MQ_NAME_MAX    64    /* with the prefix and its NUL: what a file server name holds */
#define MQ_MAXMSG_MAX  256   /* the most messages a queue may hold */
#define MQ_MSGSIZE_MAX 16384 /* the largest message a queue may take */
#define MQ_DEF_MAXMSG  10    /* mq_open without attributes (Linux's defaults) */
#define MQ_DEF_MSGSIZE 8192
#define MQ_MAGIC       0x6d717565u /* "mque": the creator finished setting the queue up */
#define MQ_NIL	       0xffffffffu /* the end of a slot list */
#define READY_TRIES    1000	   /* 1 ms each: how long an opener waits for the creator */
#define LOCK_CHECK_NS  10000000LL  /* how often a lock waiter looks whether the holder lives */
#define NS_PER_S       1000000000LL
#define SLOT_ALIGN     8

/* The shared page's header. Anyone mapping the queue may write any of it. */
struct mq_shared {
	uint32_t ready; /* MQ_MAGIC once set up */
	uint32_t lock;	/* 0, or the pid of the process holding it */
	uint32_t lock_waiters;
	uint32_t recv_seq, send_seq;	     /* one more at each send, each receive: futex words */
	uint32_t recv_waiting, send_waiting; /* threads asleep on them */
	uint32_t maxmsg, msgsize;	     /* as created (openers check them against the file) */
	uint32_t curmsgs;
	uint32_t head, free; /* the lists of slots: in use (in receive order), free */
	int32_t notify_pid;  /* 0: nobody asked (mq_notify) */
	int32_t notify_signo;
	uint32_t notify_kind;  /* SIGEV_SIGNAL, SIGEV_NONE or SIGEV_THREAD */
	uint32_t notify_token; /* SIGEV_THREAD: which request it is */
	uint32_t notify_fired; /* SIGEV_THREAD: the token of the last request that fired */
	uint32_t notify_seq;   /* one more at each firing and stop_helper: helpers wait on it */
	union sigval notify_value;
};

struct mq_slot {
	uint32_t next, prio, len, pad;
	char data[];
};

/*
 * A SIGEV_THREAD request: a thread of ours waits for it to fire and then calls the
 * function (it is the "new thread" POSIX asks for). Once `released` is set it touches
 * neither the queue nor this record again.
 */
struct notify_thread {
	pthread_t thread;
	int running; /* a helper was started and not yet let go */
	uint32_t token;
	volatile uint32_t cancel;   /* leave without calling */
	volatile uint32_t released; /* a futex word: the helper is done with the queue */
	void (*fn)(union sigval);
	union sigval value;
	struct mq_shared *q;
};

/* Our descriptors: one table per process. */
static struct mqd_entry {
	struct mq_shared *q; /* 0: a free entry */
	size_t bytes;	     /* the mapping's length */
	uint32_t maxmsg, msgsize, stride;
	int flags; /* O_ACCMODE bits and O_NONBLOCK */
	struct notify_thread helper;
} mqds[MQ_OPEN_MAX];

static pid_t my_pid; /* the lock's holder value; found again in a forked child */
static pthread_once_t pid_once = PTHREAD_ONCE_INIT;

static int fail(int err)
{
	errno = err;
	return -1;
}

/* In a forked child: our pid is new, and the parent's helper threads are not ours. */
static void pid_after_fork(void)
{
	my_pid = getpid();
	for (int i = 0; i < MQ_OPEN_MAX; i++)
		mqds[i].helper.running = 0;
}

static void pid_init(void)
{
	my_pid = getpid();
	pthread_atfork(0, 0, pid_after_fork);
}

static uint32_t stride_of(uint32_t msgsize)
{
	return (uint32_t)sizeof(struct mq_slot) + ((msgsize + SLOT_ALIGN - 1) & ~(SLOT_ALIGN - 1u));
}

static size_t bytes_of(uint32_t maxmsg, uint32_t msgsize)
{
	return sizeof(struct mq_shared) + (size_t)maxmsg * stride_of(msgsize);
}

static struct mq_slot *slot(const struct mqd_entry *d, uint32_t i)
{
	return (struct mq_slot *)((char *)(d->q + 1) + (size_t)i * d->stride);
}

/* Our entry for mqd, or 0 with errno EBADF. */
static struct mqd_entry *entry(mqd_t mqd)
{
	if (mqd < 0 || mqd >= MQ_OPEN_MAX || !mqds[mqd].q) {
		errno = EBADF;
		return 0;
	}
	return &mqds[mqd];
}

/* ---- the lock ------------------------------------------------------------------- */

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* Free the lock if its holder has died (it can no longer let it go), or if the word
 * holds no pid at all (a group or "every process" to kill: someone wrote garbage). */
static void lock_reclaim(struct mq_shared *q, uint32_t holder)
{
	int gone = (int32_t)holder <= 0 || proc_gone((pid_t)holder);
	if (holder != (uint32_t)my_pid && gone)
		__atomic_compare_exchange_n(&q->lock, &holder, 0, 0, __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED);
}

/*
 * Take the queue's lock. Held only for a few copies, so a waiter sleeps briefly and
 * looks whether the holder still lives each time it wakes.
 */
static void lock(struct mq_shared *q)
{
	int errno_saved = errno;
	for (;;) {
		uint32_t cur = 0;
		if (__atomic_compare_exchange_n(&q->lock, &cur, (uint32_t)my_pid, 0,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			break;
		struct timespec at;
		int64_t until = mono_ns() + LOCK_CHECK_NS;
		uint64_t ticks;
		at.tv_sec = until / NS_PER_S;
		at.tv_nsec = until % NS_PER_S;
		__atomic_add_fetch(&q->lock_waiters, 1, __ATOMIC_SEQ_CST);
		if (clock_deadline(CLOCK_MONOTONIC, &at, &ticks) == 0 &&
		    futex_wait(&q->lock, cur, ticks) == ETIMEDOUT)
			lock_reclaim(q, cur);
		__atomic_sub_fetch(&q->lock_waiters, 1, __ATOMIC_SEQ_CST);
	}
	errno = errno_saved;
}

static void unlock(struct mq_shared *q)
{
	__atomic_store_n(&q->lock, 0, __ATOMIC_RELEASE);
	if (__atomic_load_n(&q->lock_waiters, __ATOMIC_SEQ_CST))
		futex_wake(&q->lock, 1);
}

/* ---- the lists, checked --------------------------------------------------------- */

/* Take the first slot of *list: its index, or MQ_NIL when empty or damaged. */
static uint32_t list_pop(const struct mqd_entry *d, uint32_t *list)
{
	uint32_t i = *list;
	if (i >= d->maxmsg)
		return MQ_NIL;
	*list = slot(d, i)->next;
	return i;
}

/* Put slot i into the receive list after the last message of priority >= its own: 0, or
 * EBADMSG when the list is damaged (a loop or a bad index). */
static int list_insert(const struct mqd_entry *d, uint32_t i)
{
	struct mq_shared *q = d->q;
	uint32_t *link = &q->head;
	uint32_t prio = slot(d, i)->prio;
	for (uint32_t steps = 0; *link != MQ_NIL; steps++) {
		if (*link >= d->maxmsg || steps >= d->maxmsg)
			return EBADMSG;
		struct mq_slot *s = slot(d, *link);
		if (s->prio < prio)
			break;
		link = &s->next;
	}
	slot(d, i)->next = *link;
	*link = i;
	return 0;
}

/* ---- send and receive ----------------------------------------------------------- */

struct notice {
	pid_t pid;
	int signo;
	union sigval value;
	int wake_helpers; /* a SIGEV_THREAD request fired */
};

/*
 * One message in, under the lock: 0, EAGAIN when full, EBADMSG when damaged. A message
 * that makes the queue non-empty with no receiver waiting goes to the process that asked
 * for notification (its request is then used up).
 */
static int put(const struct mqd_entry *d, const char *msg, size_t len, unsigned prio,
	       struct notice *n)
{
	struct mq_shared *q = d->q;
	if (q->curmsgs >= d->maxmsg)
		return q->curmsgs == d->maxmsg ? EAGAIN : EBADMSG;
	uint32_t i = list_pop(d, &q->free);
	if (i == MQ_NIL)
		return EBADMSG;
	struct mq_slot *s = slot(d, i);
	s->prio = prio;
	s->len = (uint32_t)len;
	memcpy(s->data, msg, len);
	int err = list_insert(d, i);
	if (err)
		return err;
	if (q->curmsgs++ == 0 && q->notify_pid > 0 && q->recv_waiting == 0) {
		if (q->notify_kind == SIGEV_SIGNAL)
			*n = (struct notice){ q->notify_pid, q->notify_signo, q->notify_value, 0 };
		if (q->notify_kind == SIGEV_THREAD) {
			q->notify_fired = q->notify_token;
			__atomic_add_fetch(&q->notify_seq, 1, __ATOMIC_SEQ_CST);
			n->wake_helpers = 1;
		}
		q->notify_pid = 0;
	}
	q->recv_seq++;
	return 0;
}

/* The oldest message of the highest priority out, under the lock: its length, or
 * -EAGAIN when empty, -EBADMSG when damaged. */
static long take(const struct mqd_entry *d, char *msg, unsigned *prio)
{
	struct mq_shared *q = d->q;
	if (q->curmsgs == 0 || q->curmsgs > d->maxmsg)
		return q->curmsgs == 0 ? -EAGAIN : -EBADMSG;
	uint32_t i = list_pop(d, &q->head);
	if (i == MQ_NIL)
		return -EBADMSG;
	struct mq_slot *s = slot(d, i);
	uint32_t len = s->len;
	if (len > d->msgsize || s->prio >= MQ_PRIO_MAX)
		len = 0; /* a slot someone scribbled on: given back, reported damaged */
	memcpy(msg, s->data, len);
	if (prio)
		*prio = s->prio;
	s->next = q->free;
	q->free = i;
	q->curmsgs--;
	q->send_seq++;
	return len == s->len ? (long)len : -EBADMSG;
}

/* Sleep on *seq while it holds val, until deadline: 0, ETIMEDOUT or EINTR. */
static int sleep_on(uint32_t *seq, uint32_t *waiting, uint32_t val, uint64_t deadline)
{
	long r = SYSCALL(futex_wait, (uintptr_t)seq, val, deadline);
	__atomic_sub_fetch(waiting, 1, __ATOMIC_SEQ_CST);
	return r == E_TIMEOUT ? ETIMEDOUT : r == E_INTR ? EINTR : 0;
}

static int do_send(mqd_t mqd, const char *msg, size_t len, unsigned prio,
		   const struct timespec *abs)
{
	struct mqd_entry *d = entry(mqd);
	if (!d)
		return -1;
	if ((d->flags & O_ACCMODE) == O_RDONLY)
		return fail(EBADF);
	if (len > d->msgsize)
		return fail(EMSGSIZE);
	if (prio >= MQ_PRIO_MAX)
		return fail(EINVAL);
	uint64_t deadline = FUTEX_FOREVER;
	int timed = 0;
	for (;;) {
		struct notice n = { 0 };
		lock(d->q);
		int err = put(d, msg, len, prio, &n);
		uint32_t seq = d->q->send_seq;
		int wake = err == 0 && __atomic_load_n(&d->q->recv_waiting, __ATOMIC_SEQ_CST);
		if (err == EAGAIN && !(d->flags & O_NONBLOCK))
			__atomic_add_fetch(&d->q->send_waiting, 1, __ATOMIC_SEQ_CST);
		unlock(d->q);
		if (wake)
			futex_wake(&d->q->recv_seq, UINT32_MAX);
		if (n.pid > 0)
			sigqueue(n.pid, n.signo, n.value);
		if (n.wake_helpers)
			futex_wake(&d->q->notify_seq, UINT32_MAX);
		if (err != EAGAIN || (d->flags & O_NONBLOCK))
			return err ? fail(err) : 0;
		/* POSIX: the time is looked at only when the call would wait */
		if (abs && !timed++ && (err = clock_deadline(CLOCK_REALTIME, abs, &deadline))) {
			__atomic_sub_fetch(&d->q->send_waiting, 1, __ATOMIC_SEQ_CST);
			return fail(err);
		}
		if ((err = sleep_on(&d->q->send_seq, &d->q->send_waiting, seq, deadline)))
			return fail(err);
	}
}

static ssize_t do_receive(mqd_t mqd, char *msg, size_t len, unsigned *prio,
			  const struct timespec *abs)
{
	struct mqd_entry *d = entry(mqd);
	if (!d)
		return -1;
	if ((d->flags & O_ACCMODE) == O_WRONLY)
		return fail(EBADF);
	if (len < d->msgsize)
		return fail(EMSGSIZE);
	uint64_t deadline = FUTEX_FOREVER;
	int timed = 0;
	for (;;) {
		lock(d->q);
		long r = take(d, msg, prio);
		uint32_t seq = d->q->recv_seq;
		int wake = r >= 0 && __atomic_load_n(&d->q->send_waiting, __ATOMIC_SEQ_CST);
		if (r == -EAGAIN && !(d->flags & O_NONBLOCK))
			__atomic_add_fetch(&d->q->recv_waiting, 1, __ATOMIC_SEQ_CST);
		unlock(d->q);
		if (wake)
			futex_wake(&d->q->send_seq, UINT32_MAX);
		if (r != -EAGAIN || (d->flags & O_NONBLOCK))
			return r < 0 ? fail((int)-r) : r;
		int err = 0;
		if (abs && !timed++ && (err = clock_deadline(CLOCK_REALTIME, abs, &deadline))) {
			__atomic_sub_fetch(&d->q->recv_waiting, 1, __ATOMIC_SEQ_CST);
			return fail(err);
		}
		if ((err = sleep_on(&d->q->recv_seq, &d->q->recv_waiting, seq, deadline)))
			return fail(err);
	}
}

/*
 * The four are cancellation points: a cancel acts on the way in, or on the way out of a
 * wait it cut short (EINTR), never after a message moved.
 */
static long cancel_after(long r)
{
	if (r < 0 && errno == EINTR)
		cancel_point();
	return r;
}

int mq_send(mqd_t mqd, const char *msg, size_t len, unsigned prio)
{
	cancel_point();
	return (int)cancel_after(do_send(mqd, msg, len, prio, 0));
}

int mq_timedsend(mqd_t mqd, const char *msg, size_t len, unsigned prio,
		 const struct timespec *abs_timeout)
{
	if (!abs_timeout)
		return fail(EINVAL);
	cancel_point();
	return (int)cancel_after(do_send(mqd, msg, len, prio, abs_timeout));
}

ssize_t mq_receive(mqd_t mqd, char *msg, size_t len, unsigned *prio)
{
	cancel_point();
	return cancel_after(do_receive(mqd, msg, len, prio, 0));
}

ssize_t mq_timedreceive(mqd_t mqd, char *restrict msg, size_t len, unsigned *restrict prio,
			const struct timespec *restrict abs_timeout)
{
	if (!abs_timeout)
		return fail(EINVAL);
	cancel_point();
	return cancel_after(do_receive(mqd, msg, len, prio, abs_timeout));
}

/* ---- open, close, unlink -------------------------------------------------------- */

/* The shared memory name of queue name in out: 0, or an errno. */
static int shm_name(const char *name, char *out)
{
	if (!name || name[0] != '/' || !name[1] || strchr(name + 1, '/'))
		return EINVAL;
	if (strlen(name + 1) + sizeof(MQ_PREFIX) > MQ_NAME_MAX)
		return ENAMETOOLONG;
	strcpy(out, MQ_PREFIX);
	strcat(out, name + 1);
	return 0;
}

/* The attributes a new queue gets: 0, or EINVAL. */
static int new_sizes(const struct mq_attr *attr, uint32_t *maxmsg, uint32_t *msgsize)
{
	*maxmsg = MQ_DEF_MAXMSG;
	*msgsize = MQ_DEF_MSGSIZE;
	if (!attr)
		return 0;
	if (attr->mq_maxmsg <= 0 || attr->mq_maxmsg > MQ_MAXMSG_MAX || attr->mq_msgsize <= 0 ||
	    attr->mq_msgsize > MQ_MSGSIZE_MAX)
		return EINVAL;
	*maxmsg = (uint32_t)attr->mq_maxmsg;
	*msgsize = (uint32_t)attr->mq_msgsize;
	return 0;
}

/* A new queue in fd, mapped into d: 0 or an errno. The slots all start free. */
static int create(int fd, struct mqd_entry *d, uint32_t maxmsg, uint32_t msgsize)
{
	size_t bytes = bytes_of(maxmsg, msgsize);
	if (ftruncate(fd, (off_t)bytes) != 0)
		return errno == EFBIG ? ENOSPC : errno;
	void *p = mmap(0, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return errno;
	*d = (struct mqd_entry){ .q = p,
				 .bytes = bytes,
				 .maxmsg = maxmsg,
				 .msgsize = msgsize,
				 .stride = stride_of(msgsize) };
	struct mq_shared *q = d->q;
	q->maxmsg = maxmsg;
	q->msgsize = msgsize;
	q->head = MQ_NIL;
	q->free = MQ_NIL;
	for (uint32_t i = maxmsg; i-- > 0;) {
		slot(d, i)->next = q->free;
		q->free = i;
	}
	__atomic_store_n(&q->ready, MQ_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

/* An existing queue in fd, mapped into d once its creator is done: 0 or an errno
 * (EINVAL for a file that is no queue, or whose sizes do not match its length). */
static int attach(int fd, struct mqd_entry *d)
{
	const struct timespec ms = { 0, 1000000 };
	struct stat st;
	for (int i = 0;; i++) {
		if (fstat(fd, &st) != 0)
			return errno;
		if (st.st_size >= (off_t)sizeof(struct mq_shared))
			break;
		if (i == READY_TRIES)
			return EAGAIN; /* its creator never finished (it died part-way) */
		nanosleep(&ms, 0);
	}
	struct mq_shared *q =
		mmap(0, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (q == MAP_FAILED)
		return errno;
	for (int i = 0; __atomic_load_n(&q->ready, __ATOMIC_ACQUIRE) != MQ_MAGIC; i++) {
		if (i == READY_TRIES) {
			munmap(q, (size_t)st.st_size);
			return EAGAIN;
		}
		nanosleep(&ms, 0);
	}
	uint32_t maxmsg = q->maxmsg, msgsize = q->msgsize;
	if (maxmsg == 0 || maxmsg > MQ_MAXMSG_MAX || msgsize == 0 || msgsize > MQ_MSGSIZE_MAX ||
	    bytes_of(maxmsg, msgsize) != (size_t)st.st_size) {
		munmap(q, (size_t)st.st_size);
		return EINVAL;
	}
	*d = (struct mqd_entry){ .q = q,
				 .bytes = (size_t)st.st_size,
				 .maxmsg = maxmsg,
				 .msgsize = msgsize,
				 .stride = stride_of(msgsize) };
	return 0;
}

/* Make (O_CREAT, and not there) or open the file: 0 and *fd, *created; or an errno. */
static int open_file(const char *shm, int oflag, mode_t mode, int *fd, int *created)
{
	*created = 0;
	if (oflag & O_CREAT) {
		*fd = shm_open(shm, O_RDWR | O_CREAT | O_EXCL, mode);
		if (*fd >= 0) {
			*created = 1;
			return 0;
		}
		if (errno != EEXIST || (oflag & O_EXCL))
			return errno;
	}
	*fd = shm_open(shm, O_RDWR, 0);
	return *fd < 0 ? errno : 0;
}

mqd_t mq_open(const char *name, int oflag, ...)
{
	char shm[MQ_NAME_MAX];
	mode_t mode = 0;
	const struct mq_attr *attr = 0;
	uint32_t maxmsg, msgsize;
	int fd, created, mqd, err = shm_name(name, shm);
	if (oflag & O_CREAT) {
		va_list ap;
		va_start(ap, oflag);
		mode = (mode_t)va_arg(ap, int);
		attr = va_arg(ap, const struct mq_attr *);
		va_end(ap);
	}
	if (!err && (oflag & O_ACCMODE) == O_ACCMODE)
		err = EINVAL;
	for (mqd = 0; !err && mqd < MQ_OPEN_MAX && mqds[mqd].q; mqd++)
		;
	if (!err && mqd == MQ_OPEN_MAX)
		err = EMFILE;
	if (err)
		return fail(err);
	/* bad attributes matter only to a queue we would make: an existing one opens */
	int bad_attr = (oflag & O_CREAT) ? new_sizes(attr, &maxmsg, &msgsize) : 0;
	if (bad_attr && (oflag & O_EXCL))
		return fail(bad_attr);
	pthread_once(&pid_once, pid_init);
	if ((err = open_file(shm, bad_attr ? oflag & ~O_CREAT : oflag, mode, &fd, &created)))
		return fail(bad_attr && err == ENOENT ? bad_attr : err);
	struct mqd_entry d;
	err = created ? create(fd, &d, maxmsg, msgsize) : attach(fd, &d);
	close(fd);
	if (err) {
		if (created)
			shm_unlink(shm);
		return fail(err);
	}
	d.flags = oflag & (O_ACCMODE | O_NONBLOCK);
	mqds[mqd] = d;
	return mqd;
}

/* The helper thread of a SIGEV_THREAD request: waits for it to fire (or to be taken
 * back), lets go of the queue, then calls the function. */
static void *notify_helper(void *arg)
{
	struct notify_thread *h = arg;
	struct mq_shared *q = h->q;
	void (*fn)(union sigval) = h->fn;
	union sigval value = h->value;
	uint32_t token = h->token;
	int fire = 0;
	for (;;) {
		/* seq before cancel: stop_helper sets cancel before it moves seq on */
		uint32_t seq = __atomic_load_n(&q->notify_seq, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&h->cancel, __ATOMIC_SEQ_CST))
			break;
		if (__atomic_load_n(&q->notify_fired, __ATOMIC_ACQUIRE) == token) {
			fire = 1;
			break;
		}
		futex_wait(&q->notify_seq, seq, FUTEX_FOREVER);
	}
	__atomic_store_n(&h->released, 1, __ATOMIC_RELEASE);
	futex_wake(&h->released, 1);
	if (fire)
		fn(value);
	return 0;
}

/* Let go of d's helper thread: told to leave if it still waits; returns once it no
 * longer touches the queue (a function it is running goes on, detached). */
static void stop_helper(struct mqd_entry *d)
{
	struct notify_thread *h = &d->helper;
	if (!h->running)
		return;
	/*
	 * A wake alone was lost when the helper had looked at cancel but not yet slept:
	 * moving the word on makes that sleep return at once. Other processes' helpers
	 * wake for nothing and wait again.
	 */
	__atomic_store_n(&h->cancel, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&d->q->notify_seq, 1, __ATOMIC_SEQ_CST);
	futex_wake(&d->q->notify_seq, UINT32_MAX);
	while (!__atomic_load_n(&h->released, __ATOMIC_ACQUIRE))
		futex_wait(&h->released, 0, FUTEX_FOREVER);
	pthread_detach(h->thread);
	h->running = 0;
}

/* Start the helper of a SIGEV_THREAD request with token: 0 or an errno. */
static int start_helper(struct mqd_entry *d, const struct sigevent *ev, uint32_t token)
{
	struct notify_thread *h = &d->helper;
	stop_helper(d); /* an earlier request's, fired already */
	*h = (struct notify_thread){
		.token = token, .fn = ev->sigev_notify_function, .value = ev->sigev_value, .q = d->q
	};
	int err = pthread_create_quiet(&h->thread, 0, notify_helper, h);
	h->running = err == 0;
	return err ? EAGAIN : 0;
}

int mq_close(mqd_t mqd)
{
	struct mqd_entry *d = entry(mqd);
	if (!d)
		return -1;
	lock(d->q);
	if (d->q->notify_pid == my_pid)
		d->q->notify_pid = 0; /* POSIX: our notification request goes with it */
	unlock(d->q);
	stop_helper(d);
	munmap(d->q, d->bytes);
	d->q = 0;
	return 0;
}

/*
 * exec (exec.c) closes every queue: the mappings go with the old image; our notification
 * requests must go now, or the new image would get their signals. (If the exec fails,
 * they stay gone.)
 */
void mq_exec_forget(void)
{
	for (int i = 0; i < MQ_OPEN_MAX; i++) {
		struct mq_shared *q = mqds[i].q;
		if (!q || q->notify_pid != my_pid)
			continue;
		lock(q);
		if (q->notify_pid == my_pid)
			q->notify_pid = 0;
		unlock(q);
	}
}

/* The name goes at once; the queue lives while any process has it open (mapped). */
int mq_unlink(const char *name)
{
	char shm[MQ_NAME_MAX];
	int err = shm_name(name, shm);
	return err ? fail(err) : shm_unlink(shm);
}

/* ---- attributes and notification ------------------------------------------------ */

int mq_getattr(mqd_t mqd, struct mq_attr *attr)
{
	struct mqd_entry *d = entry(mqd);
	if (!d)
		return -1;
	lock(d->q);
	uint32_t cur = d->q->curmsgs;
	unlock(d->q);
	*attr = (struct mq_attr){ .mq_flags = d->flags & O_NONBLOCK,
				  .mq_maxmsg = d->maxmsg,
				  .mq_msgsize = d->msgsize,
				  .mq_curmsgs = cur <= d->maxmsg ? cur : d->maxmsg };
	return 0;
}

/* Only mq_flags' O_NONBLOCK changes; the sizes are the queue's for good. */
int mq_setattr(mqd_t mqd, const struct mq_attr *restrict attr, struct mq_attr *restrict old)
{
	struct mqd_entry *d = entry(mqd);
	if (!d)
		return -1;
	if (attr->mq_flags & ~(long)O_NONBLOCK)
		return fail(EINVAL);
	if (old && mq_getattr(mqd, old) != 0)
		return -1;
	d->flags = (d->flags & ~O_NONBLOCK) | (int)(attr->mq_flags & O_NONBLOCK);
	return 0;
}

/* Is ev a request mq_notify takes? */
static int notify_ok(const struct sigevent *ev)
{
	switch (ev->sigev_notify) {
	case SIGEV_NONE:
		return 1;
	case SIGEV_SIGNAL:
		return ev->sigev_signo > 0 && ev->sigev_signo < NSIG;
	case SIGEV_THREAD:
		return ev->sigev_notify_function != 0;
	default:
		return 0;
	}
}

/* Is the request on q another live process's? */
static int held_by_other(const struct mq_shared *q)
{
	pid_t p = q->notify_pid;
	if (p <= 0 || p == my_pid)
		return 0;
	return !proc_gone(p); /* a request of the dead (a zombie too) does not count */
}

/*
 * Ask for a signal (SIGEV_SIGNAL, sent with sigqueue), a call of a function in a new
 * thread (SIGEV_THREAD) or nothing (SIGEV_NONE) when a message comes to the empty queue
 * and no receiver waits; ev NULL takes our request back. One process at a time (EBUSY).
 */
int mq_notify(mqd_t mqd, const struct sigevent *ev)
{
	static uint32_t tokens;
	struct mqd_entry *d = entry(mqd);
	if (!d)
		return -1;
	if (ev && !notify_ok(ev))
		return fail(EINVAL);
	int err = 0, mine;
	uint32_t token = ((uint32_t)my_pid << 16) ^ ++tokens;
	lock(d->q);
	struct mq_shared *q = d->q;
	mine = q->notify_pid == my_pid;
	if (!ev) {
		if (mine)
			q->notify_pid = 0; /* another process's request stays */
	} else if (mine || held_by_other(q)) {
		err = EBUSY;
	} else {
		q->notify_kind = (uint32_t)ev->sigev_notify;
		q->notify_signo = ev->sigev_signo;
		q->notify_value = ev->sigev_value;
		q->notify_token = token;
		q->notify_pid = my_pid;
	}
	unlock(d->q);
	if (!ev && mine)
		stop_helper(d);
	if (!err && ev && ev->sigev_notify == SIGEV_THREAD && (err = start_helper(d, ev, token))) {
		lock(d->q);
		if (q->notify_pid == my_pid && q->notify_token == token)
			q->notify_pid = 0; /* no thread to call it: the request goes */
		unlock(d->q);
	}
	return err ? fail(err) : 0;
}
