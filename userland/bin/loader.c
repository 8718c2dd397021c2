/*
 * The loader server: it holds the boot archive and loads ELF64 RISC-V programs into
 * tasks its clients create and name by capability (docs/loader.md). It holds only the
 * archive (CAP_READ | CAP_EXEC) and its endpoint; everything a request brings is checked
 * before use and dropped after it, so a client sending garbage gets an error, and this
 * server, which nothing supervises, never faults.
 *
 * With several harts it receives on one thread per hart, each pinned to its hart, and
 * the kernel gives a message to a receiver on the sender's hart first: spawns and execs
 * on different harts load at once. Each thread has its own buffer, receive slot and
 * windows (the scratch page, the object and staged-file windows); the threads share only
 * the staged-file sessions, under one lock.
 */
#include <pthread.h>
#include <string.h>

#include "load.h"
#include "loader.h"
#include "taskspawn.h"
#include "syscall.h"
#include "threads.h"

#define PAGE		4096UL
#define PAGE_UP(x)	(((x) + PAGE - 1) & ~(PAGE - 1))
#define OBJECT_PAGES	512		      /* the largest memory object the kernel makes */
#define WINDOW_BYTES	(OBJECT_PAGES * PAGE) /* one thread's object or staged window */
#define THREADS_MAX	8 /* server threads: one per hart, as many as the kernel runs */
#define LOAD_WORDS	3 /* argc, base, aux bytes (loader.h) */
#define STAGE_WORDS	1 /* file bytes */
#define TYPE_OF(info)	((info)&0xff)
#define RIGHTS_OF(info) ((uint64_t)(info) >> 8)

_Static_assert(LOADER_SESSIONS > THREADS_MAX, "a stage always finds a session not loading");

/* One server thread's own: nothing here is seen by another thread. */
struct server {
	char buf[IPC_BUF_MAX + 1]; /* one more: a terminating NUL always fits */
	struct ipc_msg answer;
	long recv_slot; /* where a request's capability lands (emptied after each) */
	struct load_scratch scratch;
	uint64_t object_va, staged_va; /* where a staged object is mapped, and copied to */
};

/*
 * A staged file: the memory object in our slot obj, the session capability we minted in
 * cap (the client's is its child), badged with a number never used before. badge 0: free.
 * loading: a thread loads from it, so no stage may end it.
 */
struct session {
	uint64_t badge, size;
	long obj, cap;
	int loading;
};

/*
 * Shared by the server threads under sessions_lock (taken only once a second thread
 * exists: one hart pays nothing): the sessions and their badge counter, and the slot
 * allocator (thread start-up only). The archive is opened before any thread runs and
 * only read after.
 */
static struct session sessions[LOADER_SESSIONS];
static uint64_t generation;
static pthread_mutex_t sessions_lock = PTHREAD_MUTEX_INITIALIZER;
static int threaded, archive_err;

static void sessions_enter(void)
{
	if (threaded)
		pthread_mutex_lock(&sessions_lock);
}

static void sessions_leave(void)
{
	if (threaded)
		pthread_mutex_unlock(&sessions_lock);
}

/* Is slot a capability of this type with these rights? */
static int cap_is(long slot, unsigned type, unsigned rights)
{
	long info = SYSCALL(cap_info, slot);
	return info >= 0 && TYPE_OF(info) == type && (RIGHTS_OF(info) & rights) == rights;
}

/* End s (under the lock): the client's session capability and our object go. */
static void end_session(struct session *s)
{
	if (!s->badge)
		return;
	SYSCALL(cap_revoke, s->cap); /* the client's copy goes too */
	SYSCALL(cap_delete, s->cap);
	SYSCALL(cap_delete, s->obj);
	s->badge = s->size = 0;
	s->loading = 0;
}

/* The session a request's badge names and no thread loads from (under the lock), or 0. */
static struct session *session_find(uint64_t badge)
{
	for (int i = 0; i < LOADER_SESSIONS; i++)
		if (sessions[i].badge == badge && !sessions[i].loading)
			return &sessions[i];
	return 0;
}

/*
 * A session for a new stage (under the lock): a free one, else the oldest not loading;
 * 0 if every one is being loaded (never: there are more sessions than threads).
 */
static struct session *session_take(void)
{
	struct session *pick = 0;
	for (int i = 0; i < LOADER_SESSIONS; i++) {
		struct session *s = &sessions[i];
		if (!s->badge)
			return s;
		if (!s->loading && (!pick || s->badge < pick->badge))
			pick = s;
	}
	if (pick)
		end_session(pick); /* more than LOADER_SESSIONS staged: the oldest is cut off */
	return pick;
}

/* The request's strings into list (NULL-terminated), at most max: how many. */
static int split(char *buf, unsigned len, char **list, int max)
{
	int n = 0;
	buf[len] = 0;
	for (unsigned at = 0; at < len && n < max; at += (unsigned)strlen(buf + at) + 1)
		list[n++] = buf + at;
	list[n] = 0;
	return n;
}

/*
 * The staged file, copied into our own pages: the client may still write the object,
 * and nothing we check may change under us. Its pages are mapped from the object.
 */
static int open_staged(const struct server *sv, const struct session *s, struct load_image *img)
{
	uint64_t pages = PAGE_UP(s->size) / PAGE;
	long err = SYSCALL(map, SLOT_SELF, s->obj, sv->object_va, 0, pages,
			   MAP_PROT_READ | MAP_KIND_COPY);
	if (err)
		return (int)err;
	err = SYSCALL(map_anon, SLOT_SELF, sv->staged_va, pages, MAP_PROT_READ | MAP_PROT_WRITE);
	if (!err)
		memcpy((void *)sv->staged_va, (const void *)sv->object_va, s->size);
	SYSCALL(unmap, SLOT_SELF, sv->object_va, pages);
	*img = (struct load_image){ s->obj, (const uint8_t *)sv->staged_va, 0, s->size };
	return (int)err;
}

/* Claim the session badge names for one load: it, or 0 (E_NOENT: ended or replaced). */
static struct session *session_claim(uint64_t badge)
{
	sessions_enter();
	struct session *s = session_find(badge);
	if (s)
		s->loading = 1;
	sessions_leave();
	return s;
}

/* Load the staged file of session s, then end it: a session serves one load. */
static int load_staged(struct server *sv, struct session *s, const struct load_args *a,
		       struct load_out *out)
{
	struct load_image img;
	int err = open_staged(sv, s, &img);
	if (!err)
		err = load_image(sv->recv_slot, &img, a, &sv->scratch, out);
	SYSCALL(unmap, SLOT_SELF, sv->staged_va, PAGE_UP(s->size) / PAGE);
	sessions_enter();
	end_session(s);
	sessions_leave();
	return err;
}

/* LOADER_LOAD: the task in recv_slot, the strings and aux in buf. */
static int do_load(struct server *sv, const struct ipc_msg *m, struct load_out *out)
{
	unsigned len = ipc_tag_len(m->tag), auxb = (unsigned)m->w[2];
	char *list[SPAWN_ARGS_MAX + 2];
	uint64_t aux[LOAD_AUX_MAX];
	if (!(m->tag & IPC_TAG_CAP) || !cap_is(sv->recv_slot, OBJ_TASK, CAP_CONTROL))
		return E_BADCAP;
	if (m->w[2] > len || auxb % (2 * sizeof(uint64_t)) || auxb > sizeof(aux))
		return E_INVAL;
	memcpy(aux, sv->buf + len - auxb, auxb);
	int n = split(sv->buf, len - auxb, list, SPAWN_ARGS_MAX + 1);
	if (n < 1 || m->w[0] >= (uint64_t)n)
		return n < 1 ? E_NOENT : E_INVAL;
	char *argv[SPAWN_ARGS_MAX + 1];
	memcpy(argv, list + 1, m->w[0] * sizeof(char *));
	argv[m->w[0]] = 0;
	struct load_args a = { argv, list + 1 + m->w[0], m->w[1], aux,
			       auxb / (unsigned)sizeof(uint64_t) };
	if (m->badge) {
		struct session *s = session_claim(m->badge);
		return s ? load_staged(sv, s, &a, out) : E_NOENT;
	}
	struct load_image img;
	int err = archive_err ? archive_err : load_archive_image(list[0], &img);
	return err ? err : load_image(sv->recv_slot, &img, &a, &sv->scratch, out);
}

/*
 * LOADER_STAGE: keep the object in recv_slot; answer with a fresh session capability.
 * The answer goes from here, under the lock: once the lock is free another stage may
 * end this session and reuse its slot. 1 if answered, else 0 with *err to answer.
 */
static int do_stage(struct server *sv, const struct ipc_msg *m, int *err)
{
	if (!(m->tag & IPC_TAG_CAP) || !cap_is(sv->recv_slot, OBJ_MEMORY, CAP_READ)) {
		*err = E_BADCAP;
		return 0;
	}
	if (m->w[0] == 0 || m->w[0] > OBJECT_PAGES * PAGE) {
		*err = E_RANGE;
		return 0;
	}
	sessions_enter();
	struct session *s = session_take();
	if (!s) {
		sessions_leave();
		*err = E_BUSY;
		return 0;
	}
	*err = (int)SYSCALL(cap_copy, sv->recv_slot, s->obj, CAP_ALL);
	if (!*err)
		*err = (int)SYSCALL(cap_mint, SLOT_LOADER_EP, s->cap, CAP_SEND | CAP_GRANT,
				    generation + 1);
	if (*err)
		SYSCALL(cap_delete, s->obj);
	else
		*s = (struct session){ ++generation, m->w[0], s->obj, s->cap, 0 };
	int answered = !*err;
	if (answered) {
		sv->answer.tag = ipc_tag(0, 4, 0, 1);
		sv->answer.cap = (uint64_t)s->cap;
		sv->answer.w[0] = 0;
		/* A plain send wants none: the session then stays until pushed out. */
		ipc_reply(&sv->answer);
	}
	sessions_leave();
	return answered;
}

/* One request: 1 if the answer is still to go (with the next receive), 0 if it went. */
static int serve(struct server *sv, const struct ipc_msg *m)
{
	struct load_out out = { 0 };
	int err = E_NOSYS, answered = 0;
	uint64_t label = ipc_tag_label(m->tag);
	unsigned words = ipc_tag_words(m->tag);
	/* Words a request did not send read as our last answer's: too few is E_INVAL. */
	if (label == LOADER_LOAD)
		err = words < LOAD_WORDS ? E_INVAL : do_load(sv, m, &out);
	else if (label == LOADER_STAGE && words < STAGE_WORDS)
		err = E_INVAL;
	else if (label == LOADER_STAGE)
		answered = do_stage(sv, m, &err);
	SYSCALL(cap_delete, sv->recv_slot); /* whatever came with the request */
	if (answered)
		return 0;
	sv->answer.tag = ipc_tag(0, 4, 0, 0);
	sv->answer.cap = 0;
	sv->answer.w[0] = (uint64_t)(int64_t)err;
	sv->answer.w[1] = out.entry;
	sv->answer.w[2] = out.sp;
	sv->answer.w[3] = out.reloc_pages;
	return 1;
}

/* Make the page tables of the places we map into now: they stay, so requests leak none. */
static void prepare(uint64_t va)
{
	if (SYSCALL(map_anon, SLOT_SELF, va, 1, MAP_PROT_READ) == 0)
		SYSCALL(unmap, SLOT_SELF, va, 1);
}

/*
 * Make the kernel give us slot's chunk of capability space now (a frame, the first time
 * a slot in it is used): then requests never grow us, and the suite's leak check never
 * sees it. The slot is left empty.
 */
static void reserve_slot(long slot)
{
	if (slot >= 0 && SYSCALL(cap_copy, SLOT_LOADER_EP, slot, CAP_SEND) == 0)
		SYSCALL(cap_delete, slot);
}

/* Thread index's slots and windows (index apart from every other thread's). */
static int server_init(struct server *sv, int index)
{
	sessions_enter(); /* the slot allocator is shared */
	sv->recv_slot = slot_alloc();
	sv->scratch = (struct load_scratch){ SCRATCH_VA + (uint64_t)index * PAGE, slot_alloc() };
	sessions_leave();
	reserve_slot(sv->recv_slot);
	reserve_slot(sv->scratch.slot);
	sv->object_va = OBJECT_VA + (uint64_t)index * WINDOW_BYTES;
	sv->staged_va = STAGED_VA + (uint64_t)index * WINDOW_BYTES;
	prepare(sv->scratch.va);
	prepare(sv->object_va);
	prepare(sv->staged_va);
	return sv->recv_slot < 0 || sv->scratch.slot < 0 ? -1 : 0;
}

/* One server thread's loop: receive, serve, answer with the next receive. */
static void serve_forever(void *index)
{
	struct server sv;
	int answering = 0;
	if (server_init(&sv, (int)(uintptr_t)index) != 0)
		return; /* no slots: the others serve */
	for (;;) {
		struct ipc_msg *m = &sv.answer;
		m->rbuf = sv.buf;
		m->rspec = ipc_recv_spec(IPC_BUF_MAX, (unsigned)sv.recv_slot);
		long err =
			answering ? ipc_reply_recv(SLOT_LOADER_EP, m) : ipc_recv(SLOT_LOADER_EP, m);
		answering = err == 0 && serve(&sv, m);
		if (err)
			SYSCALL(cap_delete, sv.recv_slot);
	}
}

/*
 * A server thread for each hart (up to THREADS_MAX), pinned to it, at our own priority
 * (init gives its servers SERVER_PRIO): 1 if every hart has one, and this thread may end.
 * A thread that cannot be made is left out, and this one serves on, on any hart.
 */
static int start_hart_servers(void)
{
	int harts = thread_harts(), made = 0;
	if (harts < 2 || harts > THREADS_MAX)
		return 0;
	threaded = 1;	  /* before any thread runs: from now on the sessions are locked */
	sessions_enter(); /* held while making them: thread_create takes slots too */
	for (int h = 0; h < harts; h++) {
		thread_t t;
		if (thread_create(&t, serve_forever, (void *)(uintptr_t)(h + 1)) != 0)
			break;
		thread_priority(t, SERVER_PRIO);
		made += thread_pin(t, h) == 0;
	}
	sessions_leave();
	return made == harts;
}

int main(void)
{
	struct archive a;
	own_data_pages();
	own_stack_pages(SERVER_STACK_OWNED);
	archive_err = archive_open(&a);
	if (archive_err)
		SYSCALL(debug_write, "loader: no boot archive\n", 24);
	for (int i = 0; i < LOADER_SESSIONS; i++) {
		sessions[i] = (struct session){ 0, 0, slot_alloc(), slot_alloc(), 0 };
		reserve_slot(sessions[i].obj);
		reserve_slot(sessions[i].cap);
	}
	if (start_hart_servers())
		for (;;)
			SYSCALL(exit, 0, 0, 0); /* the hart servers serve: this thread ends */
	serve_forever(0);
}
