/*
 * The loader server: it holds the boot archive and loads ELF64 RISC-V programs into
 * tasks its clients create and name by capability (docs/loader.md). It holds only the
 * archive (CAP_READ | CAP_EXEC) and its endpoint; everything a request brings is checked
 * before use and dropped after it, so a client sending garbage gets an error, and this
 * server, which nothing supervises, never faults.
 */
#include <string.h>

#include "load.h"
#include "loader.h"
#include "taskspawn.h"
#include "syscall.h"

#define PAGE		4096UL
#define PAGE_UP(x)	(((x) + PAGE - 1) & ~(PAGE - 1))
#define OBJECT_PAGES	512 /* the largest memory object the kernel makes */
#define LOAD_WORDS	3   /* argc, base, aux bytes (loader.h) */
#define STAGE_WORDS	1   /* file bytes */
#define TYPE_OF(info)	((info)&0xff)
#define RIGHTS_OF(info) ((uint64_t)(info) >> 8)

static char buf[IPC_BUF_MAX + 1]; /* one more: a terminating NUL always fits */
static struct ipc_msg answer;
static uint64_t session_badge, staged_size; /* 0: nothing staged */
/* Our slots: where a request's capability lands (emptied after each), the staged memory
 * object, and the session capability we minted (the client's is its child). */
static long recv_slot, session_obj, session_cap;

/* Is slot a capability of this type with these rights? */
static int cap_is(long slot, unsigned type, unsigned rights)
{
	long info = SYSCALL(cap_info, slot);
	return info >= 0 && TYPE_OF(info) == type && (RIGHTS_OF(info) & rights) == rights;
}

static void end_session(void)
{
	if (!session_badge)
		return;
	SYSCALL(cap_revoke, session_cap); /* the client's copy goes too */
	SYSCALL(cap_delete, session_cap);
	SYSCALL(cap_delete, session_obj);
	session_badge = staged_size = 0;
}

/* The request's strings into list (NULL-terminated), at most max: how many. */
static int split(unsigned len, char **list, int max)
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
static int open_staged(struct load_image *img)
{
	uint64_t pages = PAGE_UP(staged_size) / PAGE;
	long err = SYSCALL(map, SLOT_SELF, session_obj, OBJECT_VA, 0, pages,
			   MAP_PROT_READ | MAP_KIND_COPY);
	if (err)
		return (int)err;
	err = SYSCALL(map_anon, SLOT_SELF, STAGED_VA, pages, MAP_PROT_READ | MAP_PROT_WRITE);
	if (!err)
		memcpy((void *)STAGED_VA, (const void *)OBJECT_VA, staged_size);
	SYSCALL(unmap, SLOT_SELF, OBJECT_VA, pages);
	*img = (struct load_image){ session_obj, (const uint8_t *)STAGED_VA, 0, staged_size };
	return (int)err;
}

/* LOADER_LOAD: the task in recv_slot, the strings and aux in buf. */
static int do_load(const struct ipc_msg *m, struct load_out *out)
{
	unsigned len = ipc_tag_len(m->tag), auxb = (unsigned)m->w[2];
	char *list[SPAWN_ARGS_MAX + 2];
	uint64_t aux[LOAD_AUX_MAX];
	int staged = m->badge != 0;
	if (!(m->tag & IPC_TAG_CAP) || !cap_is(recv_slot, OBJ_TASK, CAP_CONTROL))
		return E_BADCAP;
	if (staged && (m->badge != session_badge || !session_badge))
		return E_NOENT; /* a session that ended, or was replaced */
	if (m->w[2] > len || auxb % (2 * sizeof(uint64_t)) || auxb > sizeof(aux))
		return E_INVAL;
	memcpy(aux, buf + len - auxb, auxb);
	int n = split(len - auxb, list, SPAWN_ARGS_MAX + 1);
	if (n < 1 || m->w[0] >= (uint64_t)n)
		return n < 1 ? E_NOENT : E_INVAL;
	char *argv[SPAWN_ARGS_MAX + 1];
	memcpy(argv, list + 1, m->w[0] * sizeof(char *));
	argv[m->w[0]] = 0;
	struct load_args a = { argv, list + 1 + m->w[0], m->w[1], aux,
			       auxb / (unsigned)sizeof(uint64_t) };
	struct load_image img;
	int err = staged ? open_staged(&img) : load_archive_image(list[0], &img);
	if (!err)
		err = load_image(recv_slot, &img, &a, out);
	if (staged) {
		SYSCALL(unmap, SLOT_SELF, STAGED_VA, PAGE_UP(staged_size) / PAGE);
		end_session();
	}
	return err;
}

/* LOADER_STAGE: keep the object in recv_slot; answer with a fresh session capability. */
static int do_stage(const struct ipc_msg *m)
{
	static uint64_t generation;
	if (!(m->tag & IPC_TAG_CAP) || !cap_is(recv_slot, OBJ_MEMORY, CAP_READ))
		return E_BADCAP;
	if (m->w[0] == 0 || m->w[0] > OBJECT_PAGES * PAGE)
		return E_RANGE;
	end_session(); /* one staged file at a time: the older session is cut off */
	int err = (int)SYSCALL(cap_copy, recv_slot, session_obj, CAP_ALL);
	if (!err)
		err = (int)SYSCALL(cap_mint, SLOT_LOADER_EP, session_cap, CAP_SEND | CAP_GRANT,
				   ++generation);
	if (err) {
		SYSCALL(cap_delete, session_obj);
		return err;
	}
	session_badge = generation;
	staged_size = m->w[0];
	return 0;
}

static void serve(const struct ipc_msg *m)
{
	struct load_out out = { 0 };
	int err = E_NOSYS;
	uint64_t label = ipc_tag_label(m->tag);
	unsigned words = ipc_tag_words(m->tag);
	/* Words a request did not send read as our last answer's: too few is E_INVAL. */
	if (label == LOADER_LOAD)
		err = words < LOAD_WORDS ? E_INVAL : do_load(m, &out);
	else if (label == LOADER_STAGE)
		err = words < STAGE_WORDS ? E_INVAL : do_stage(m);
	SYSCALL(cap_delete, recv_slot); /* whatever came with the request */
	int cap = label == LOADER_STAGE && !err;
	answer.tag = ipc_tag(0, 4, 0, cap);
	answer.cap = cap ? session_cap : 0;
	answer.w[0] = (uint64_t)(int64_t)err;
	answer.w[1] = out.entry;
	answer.w[2] = out.sp;
	answer.w[3] = out.reloc_pages;
}

/* Make the page tables of the places we map into now: they stay, so requests leak none. */
static void prepare(uint64_t va)
{
	if (SYSCALL(map_anon, SLOT_SELF, va, 1, MAP_PROT_READ) == 0)
		SYSCALL(unmap, SLOT_SELF, va, 1);
}

int main(void)
{
	struct archive a;
	int answering = 0;
	own_data_pages();
	if (archive_open(&a) != 0)
		SYSCALL(debug_write, "loader: no boot archive\n", 24);
	recv_slot = slot_alloc();
	session_obj = slot_alloc();
	session_cap = slot_alloc();
	prepare(OBJECT_VA);
	prepare(STAGED_VA);
	for (;;) {
		struct ipc_msg *m = &answer;
		m->rbuf = buf;
		m->rspec = ipc_recv_spec(IPC_BUF_MAX, recv_slot);
		long err =
			answering ? ipc_reply_recv(SLOT_LOADER_EP, m) : ipc_recv(SLOT_LOADER_EP, m);
		answering = err == 0;
		if (err == 0)
			serve(m);
		else
			SYSCALL(cap_delete, recv_slot);
	}
}
