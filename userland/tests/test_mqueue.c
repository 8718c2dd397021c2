/*
 * POSIX message queues (docs/userland.md, "Message queues"): priorities (highest first,
 * FIFO within one), attributes, O_NONBLOCK, timed calls, every error, blocking between
 * processes, a queue that outlives its name, notification, and what another process can
 * do to a shared queue: a holder of its lock that dies, and one that scribbles on it.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define Q	     "/tq_main"
#define MSGSIZE	     64
#define MAXMSG	     4
#define OPEN_MAX     32
#define SHM_FILE     "/dev/shm/mq.tq_main"
#define CHURN_ROUNDS 200

static struct mq_attr attr = { .mq_maxmsg = MAXMSG, .mq_msgsize = MSGSIZE };

static mqd_t make(const char *name, int flags)
{
	mq_unlink(name);
	return mq_open(name, O_CREAT | O_EXCL | flags, 0600, &attr);
}

/* An absolute CLOCK_REALTIME time ms from now. */
static struct timespec in_ms(long ms)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_nsec += ms * 1000000L;
	t.tv_sec += t.tv_nsec / 1000000000L;
	t.tv_nsec %= 1000000000L;
	return t;
}

static int child_status(pid_t c)
{
	int st = -1;
	pid_t r;
	while ((r = waitpid(c, &st, 0)) < 0 && errno == EINTR) /* a notification came meanwhile */
		;
	if (r != c || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void priorities(void)
{
	mqd_t q = make(Q, O_RDWR);
	char buf[MSGSIZE];
	unsigned prio = 99;
	struct mq_attr a;
	CHECK(q >= 0);
	CHECK_EQ(mq_getattr(q, &a), 0);
	CHECK_EQ(a.mq_maxmsg, MAXMSG);
	CHECK_EQ(a.mq_msgsize, MSGSIZE);
	CHECK_EQ(a.mq_curmsgs, 0);
	CHECK_EQ(a.mq_flags, 0);
	CHECK_EQ(mq_send(q, "a", 1, 1), 0);
	CHECK_EQ(mq_send(q, "bb", 2, 5), 0);
	CHECK_EQ(mq_send(q, "c", 1, 1), 0);
	CHECK_EQ(mq_send(q, "dd", 2, 5), 0);
	CHECK_EQ(mq_getattr(q, &a), 0);
	CHECK_EQ(a.mq_curmsgs, 4);
	const char *order[] = { "bb", "dd", "a", "c" };
	const unsigned prios[] = { 5, 5, 1, 1 };
	for (int i = 0; i < 4; i++) {
		memset(buf, 0, sizeof(buf));
		CHECK_EQ(mq_receive(q, buf, sizeof(buf), &prio), (long)strlen(order[i]));
		CHECK(strcmp(buf, order[i]) == 0);
		CHECK_EQ(prio, prios[i]);
	}
	CHECK_EQ(mq_send(q, "", 0, MQ_PRIO_MAX - 1), 0); /* an empty message, the top priority */
	CHECK_EQ(mq_receive(q, buf, sizeof(buf), &prio), 0);
	CHECK_EQ(prio, MQ_PRIO_MAX - 1);
	CHECK_EQ(mq_close(q), 0);
	CHECK_EQ(mq_unlink(Q), 0);
}

static void open_errors(void)
{
	struct mq_attr bad = attr;
	char longname[80];
	CHECK_FAILS(mq_open("/tq_none", O_RDWR), ENOENT);
	mqd_t q = make(Q, O_RDWR);
	CHECK_EQ(mq_open(Q, O_CREAT | O_EXCL | O_RDWR, 0600, &attr), -1);
	CHECK_EQ(errno, EEXIST);
	mqd_t again = mq_open(Q, O_CREAT | O_RDONLY, 0600, 0); /* exists: its own sizes */
	struct mq_attr a;
	CHECK(again >= 0 && again != q);
	CHECK_EQ(mq_getattr(again, &a), 0);
	CHECK_EQ(a.mq_msgsize, MSGSIZE);
	mq_close(again);
	CHECK_EQ(mq_open("noslash", O_CREAT | O_RDWR, 0600, 0), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(mq_open("/a/b", O_CREAT | O_RDWR, 0600, 0), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(mq_open("/", O_CREAT | O_RDWR, 0600, 0), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(mq_open(0, O_RDWR), -1);
	CHECK_EQ(errno, EINVAL);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = 0;
	CHECK_EQ(mq_open(longname, O_CREAT | O_RDWR, 0600, 0), -1);
	CHECK_EQ(errno, ENAMETOOLONG);
	CHECK_EQ(mq_unlink(longname), -1);
	CHECK_EQ(errno, ENAMETOOLONG);
	bad.mq_maxmsg = 0;
	CHECK_EQ(mq_open("/tq_bad", O_CREAT | O_RDWR, 0600, &bad), -1);
	CHECK_EQ(errno, EINVAL);
	again = mq_open(Q, O_CREAT | O_RDWR, 0600, &bad); /* exists: the attributes do not matter */
	CHECK(again >= 0);
	mq_close(again);
	bad = attr;
	bad.mq_msgsize = -1;
	CHECK_EQ(mq_open("/tq_bad", O_CREAT | O_RDWR, 0600, &bad), -1);
	CHECK_EQ(errno, EINVAL);
	bad.mq_msgsize = 1L << 40;
	CHECK_EQ(mq_open("/tq_bad", O_CREAT | O_RDWR, 0600, &bad), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(mq_open(Q, O_ACCMODE), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(mq_unlink("/tq_bad"), -1); /* nothing was made by the failures */
	CHECK_EQ(errno, ENOENT);
	mq_close(q);
	mq_unlink(Q);
}

static void full_and_empty(void)
{
	mqd_t q = make(Q, O_RDWR);
	mqd_t nb = mq_open(Q, O_RDWR | O_NONBLOCK);
	mqd_t rd = mq_open(Q, O_RDONLY);
	mqd_t wr = mq_open(Q, O_WRONLY);
	char buf[MSGSIZE + 8];
	struct timespec past = { 1, 0 }, bad = { 0, 1000000000L }, soon = in_ms(30);
	CHECK(nb >= 0 && rd >= 0 && wr >= 0);
	CHECK_EQ(mq_receive(nb, buf, sizeof(buf), 0), -1);
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(mq_timedreceive(q, buf, sizeof(buf), 0, &soon), -1);
	CHECK_EQ(errno, ETIMEDOUT);
	CHECK_EQ(mq_timedreceive(q, buf, sizeof(buf), 0, &bad), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(mq_send(q, buf, MSGSIZE + 1, 0), -1);
	CHECK_EQ(errno, EMSGSIZE);
	CHECK_EQ(mq_send(q, buf, 1, MQ_PRIO_MAX), -1);
	CHECK_EQ(errno, EINVAL);
	for (int i = 0; i < MAXMSG; i++)
		CHECK_EQ(mq_send(wr, buf, MSGSIZE, (unsigned)i), 0);
	CHECK_EQ(mq_send(nb, buf, 1, 0), -1);
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(mq_timedsend(q, buf, 1, 0, &past), -1);
	CHECK_EQ(errno, ETIMEDOUT);
	CHECK_EQ(mq_timedsend(q, buf, 1, 0, &bad), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(mq_receive(rd, buf, MSGSIZE - 1, 0), -1);
	CHECK_EQ(errno, EMSGSIZE);
	CHECK_EQ(mq_send(rd, buf, 1, 0), -1); /* not open for writing */
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(mq_receive(wr, buf, sizeof(buf), 0), -1);
	CHECK_EQ(errno, EBADF);
	unsigned prio = 0;
	CHECK_EQ(mq_timedreceive(rd, buf, sizeof(buf), &prio, &past), MSGSIZE); /* no wait */
	CHECK_EQ(prio, MAXMSG - 1);

	struct mq_attr set = { .mq_flags = O_NONBLOCK }, old, now;
	CHECK_EQ(mq_setattr(q, &set, &old), 0);
	CHECK_EQ(old.mq_flags, 0);
	CHECK_EQ(old.mq_curmsgs, MAXMSG - 1);
	CHECK_EQ(mq_getattr(q, &now), 0);
	CHECK_EQ(now.mq_flags, O_NONBLOCK);
	CHECK_EQ(now.mq_maxmsg, MAXMSG); /* the sizes do not change */
	CHECK_EQ(mq_send(q, buf, 1, 0), 0);
	CHECK_EQ(mq_send(q, buf, 1, 0), -1);
	CHECK_EQ(errno, EAGAIN);
	set.mq_flags = 0x40000000;
	CHECK_EQ(mq_setattr(q, &set, 0), -1);
	CHECK_EQ(errno, EINVAL);

	mq_close(nb);
	mq_close(rd);
	mq_close(wr);
	CHECK_EQ(mq_close(q), 0);
	CHECK_EQ(mq_close(q), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(mq_send(q, buf, 1, 0), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(mq_getattr(-1, &now), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(mq_receive(1000, buf, sizeof(buf), 0), -1);
	CHECK_EQ(errno, EBADF);
	mq_unlink(Q);
	CHECK_EQ(mq_unlink(Q), -1);
	CHECK_EQ(errno, ENOENT);
}

/* A receiver and a sender that wait in another process, woken by this one. */
static void blocking(void)
{
	mqd_t q = make(Q, O_RDWR);
	char buf[MSGSIZE];
	pid_t c = fork();
	if (c == 0) {
		unsigned prio = 0;
		ssize_t n = mq_receive(q, buf, sizeof(buf), &prio); /* waits for the parent */
		_exit(n == 5 && memcmp(buf, "hello", 5) == 0 && prio == 7 ? 0 : 1);
	}
	struct timespec pause = { 0, 20000000 };
	nanosleep(&pause, 0);
	CHECK_EQ(mq_send(q, "hello", 5, 7), 0);
	CHECK_EQ(child_status(c), 0);

	for (int i = 0; i < MAXMSG; i++)
		CHECK_EQ(mq_send(q, "x", 1, 0), 0);
	c = fork();
	if (c == 0) /* the queue is full: this waits until the parent takes one */
		_exit(mq_send(q, "last", 4, 3) == 0 ? 0 : 1);
	nanosleep(&pause, 0);
	CHECK_EQ(mq_receive(q, buf, sizeof(buf), 0), 1);
	CHECK_EQ(child_status(c), 0);
	unsigned prio = 0;
	CHECK_EQ(mq_receive(q, buf, sizeof(buf), &prio), 4); /* the highest priority */
	CHECK_EQ(prio, 3);
	mq_close(q);
	mq_unlink(Q);
}

/* The name goes at unlink; the queue stays for those who have it open. */
static void outlives_name(void)
{
	mqd_t q = make(Q, O_RDWR);
	char buf[MSGSIZE];
	CHECK_EQ(mq_send(q, "kept", 4, 0), 0);
	CHECK_EQ(mq_unlink(Q), 0);
	CHECK_EQ(mq_open(Q, O_RDWR), -1);
	CHECK_EQ(errno, ENOENT);
	mqd_t fresh = mq_open(Q, O_CREAT | O_RDWR | O_NONBLOCK, 0600, &attr);
	CHECK(fresh >= 0);
	CHECK_EQ(mq_receive(fresh, buf, sizeof(buf), 0), -1); /* a new queue: empty */
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(mq_receive(q, buf, sizeof(buf), 0), 4); /* the old one still holds its message */
	CHECK(memcmp(buf, "kept", 4) == 0);
	mq_close(fresh);
	mq_close(q);
	mq_unlink(Q);
}

static volatile int notified_sig, notified_val;

static void on_usr1(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	notified_sig = sig;
	notified_val = si->si_value.sival_int;
}

static sem_t called;
static volatile int called_value, called_count;

static void on_message(union sigval v)
{
	called_value = v.sival_int;
	called_count++;
	sem_post(&called);
}

/* SIGEV_THREAD: the function runs in a new thread when another process sends; a request
 * taken back (mq_notify NULL) or closed calls nothing. */
static void thread_notification(mqd_t q)
{
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD, .sigev_notify_function = on_message };
	ev.sigev_value.sival_int = 777;
	char buf[MSGSIZE];
	sem_init(&called, 0, 0);
	CHECK_EQ(mq_notify(q, &ev), 0);
	CHECK_EQ(mq_notify(q, &ev), -1);
	CHECK_EQ(errno, EBUSY);
	pid_t c = fork();
	if (c == 0)
		_exit(mq_send(q, "t", 1, 0) == 0 ? 0 : 1);
	CHECK_EQ(child_status(c), 0);
	struct timespec limit = in_ms(10000);
	CHECK_EQ(sem_timedwait(&called, &limit), 0);
	CHECK_EQ(called_value, 777);
	CHECK_EQ(mq_receive(q, buf, sizeof(buf), 0), 1);
	CHECK_EQ(mq_notify(q, &ev), 0); /* used up: a new one */
	CHECK_EQ(mq_notify(q, 0), 0);	/* taken back: its thread is gone */
	CHECK_EQ(mq_send(q, "u", 1, 0), 0);
	CHECK_EQ(mq_receive(q, buf, sizeof(buf), 0), 1);
	CHECK_EQ(mq_notify(q, &ev), 0);
	mqd_t other = mq_open(Q, O_RDWR);
	CHECK_EQ(mq_close(q), 0); /* the request goes with the descriptor */
	CHECK_EQ(mq_send(other, "v", 1, 0), 0);
	CHECK_EQ(called_count, 1);
	CHECK_EQ(mq_notify(other, &ev), 0); /* free again */
	CHECK_EQ(mq_notify(other, 0), 0);
	CHECK_EQ(mq_receive(other, buf, sizeof(buf), 0), 1);
	mq_close(other);
}

/* A request made and taken back at once, many times: each time its helper thread is let
 * go, whatever point of its start it has reached (a lost wake-up hung here at -smp 8). */
static void notify_churn(mqd_t q)
{
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD, .sigev_notify_function = on_message };
	int ok = 0;
	for (int i = 0; i < CHURN_ROUNDS; i++)
		ok += mq_notify(q, &ev) == 0 && mq_notify(q, 0) == 0;
	CHECK_EQ(ok, CHURN_ROUNDS);
}

static void notification(void)
{
	struct sigaction sa = { 0 };
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, 0);
	mqd_t q = make(Q, O_RDWR);
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	ev.sigev_value.sival_int = 4242;
	char buf[MSGSIZE];
	CHECK_EQ(mq_notify(q, &ev), 0);
	CHECK_EQ(mq_notify(q, &ev), -1); /* one registration at a time */
	CHECK_EQ(errno, EBUSY);
	pid_t c = fork();
	if (c == 0) /* another process: the queue is taken */
		_exit(mq_notify(q, &ev) == -1 && errno == EBUSY ? 0 : 1);
	CHECK_EQ(child_status(c), 0);
	c = fork();
	if (c == 0)
		_exit(mq_send(q, "n", 1, 0) == 0 ? 0 : 1);
	CHECK_EQ(child_status(c), 0);
	for (int i = 0; i < 1000 && !notified_sig; i++) {
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, 0);
	}
	CHECK_EQ(notified_sig, SIGUSR1);
	CHECK_EQ(notified_val, 4242);
	CHECK_EQ(mq_notify(q, &ev), 0); /* the first was used up */
	CHECK_EQ(mq_notify(q, 0), 0);	/* and taken back */
	ev.sigev_notify = SIGEV_THREAD; /* without a function */
	CHECK_EQ(mq_notify(q, &ev), -1);
	CHECK_EQ(errno, EINVAL);
	ev.sigev_notify = 99;
	CHECK_EQ(mq_notify(q, &ev), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(mq_receive(q, buf, sizeof(buf), 0), 1);
	/* exec closes the queues, and so takes back a request: it is free while the new
	 * image still runs */
	ev.sigev_notify = SIGEV_SIGNAL;
	c = fork();
	if (c == 0) {
		if (mq_notify(q, &ev) != 0)
			_exit(1);
		execl("/bin/sleep", "sleep", "100", (char *)0);
		_exit(2);
	}
	int freed = 0;
	for (int i = 0; i < 10000 && !freed; i++) {
		struct timespec ms = { 0, 1000000 };
		freed = mq_notify(q, &ev) == 0;
		nanosleep(&ms, 0);
	}
	CHECK(freed);
	CHECK_EQ(kill(c, 0), 0); /* by the exec, not by the child's end */
	kill(c, SIGKILL);
	waitpid(c, 0, 0);
	CHECK_EQ(mq_notify(q, 0), 0);
	notify_churn(q);
	thread_notification(q); /* closes q */
	mq_unlink(Q);
	signal(SIGUSR1, SIG_DFL);
}

/*
 * Another process maps the queue's file itself: one that dies holding the lock does not
 * stop us, and one that scribbles on the queue makes it report EBADMSG, nothing worse.
 */
static void hostile(void)
{
	mqd_t q = make(Q, O_RDWR);
	char buf[MSGSIZE];
	CHECK_EQ(mq_send(q, "ok", 2, 1), 0);
	pid_t c = fork();
	if (c == 0) {
		int fd = open(SHM_FILE, O_RDWR);
		uint32_t *w = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (fd < 0 || w == MAP_FAILED)
			_exit(1);
		w[1] = (uint32_t)getpid(); /* the lock word: held, and we die */
		_exit(0);
	}
	CHECK_EQ(child_status(c), 0);
	CHECK_EQ(mq_receive(q, buf, sizeof(buf), 0), 2); /* the dead holder's lock is freed */
	c = fork();
	if (c == 0) { /* a lock word that names no process: "every process" */
		int fd = open(SHM_FILE, O_RDWR);
		uint32_t *w = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (fd < 0 || w == MAP_FAILED)
			_exit(1);
		w[1] = 0xffffffffu;
		_exit(0);
	}
	CHECK_EQ(child_status(c), 0);
	struct mq_attr held;
	CHECK_EQ(mq_getattr(q, &held), 0); /* taken back from a holder that is no process */
	CHECK_EQ(mq_send(q, "ok", 2, 1), 0);
	c = fork();
	if (c == 0) {
		int fd = open(SHM_FILE, O_RDWR);
		uint32_t *w = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (fd < 0 || w == MAP_FAILED)
			_exit(1);
		for (int i = 2; i < 1024; i++)
			w[i] = 0xdeadbeef ^ (uint32_t)(i * 2654435761u);
		w[1] = 0; /* the lock left free */
		_exit(0);
	}
	CHECK_EQ(child_status(c), 0);
	struct mq_attr a;
	CHECK_EQ(mq_getattr(q, &a), 0);
	CHECK(a.mq_curmsgs >= 0 && a.mq_curmsgs <= MAXMSG);
	CHECK_EQ(a.mq_msgsize, MSGSIZE); /* ours, not the page's */
	ssize_t r = mq_receive(q, buf, sizeof(buf), 0);
	CHECK(r == -1 && (errno == EBADMSG || errno == EAGAIN));
	r = mq_send(q, "x", 1, 0);
	CHECK(r == 0 || (r == -1 && (errno == EBADMSG || errno == EAGAIN)));
	CHECK_EQ(mq_close(q), 0);
	CHECK_EQ(mq_unlink(Q), 0);
}

static void limits(void)
{
	mqd_t q[OPEN_MAX];
	CHECK((q[0] = make(Q, O_RDWR)) >= 0);
	for (int i = 1; i < OPEN_MAX; i++)
		CHECK((q[i] = mq_open(Q, O_RDWR)) >= 0);
	CHECK_EQ(mq_open(Q, O_RDWR), -1);
	CHECK_EQ(errno, EMFILE);
	for (int i = 0; i < OPEN_MAX; i++)
		mq_close(q[i]);
	mq_unlink(Q);
	mqd_t d = mq_open(Q, O_CREAT | O_EXCL | O_RDWR, 0600, 0); /* the default sizes */
	struct mq_attr a;
	CHECK(d >= 0);
	CHECK_EQ(mq_getattr(d, &a), 0);
	CHECK(a.mq_maxmsg > 0 && a.mq_msgsize > 0);
	mq_close(d);
	mq_unlink(Q);
}

int main(void)
{
	priorities();
	open_errors();
	full_and_empty();
	blocking();
	outlives_name();
	notification();
	hostile();
	limits();
	return test_status();
}
