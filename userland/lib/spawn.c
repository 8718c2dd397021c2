/*
 * Starting programs (taskspawn.h): the task is made here, the loading is done by the loader
 * server over IPC (loader.h), or, for init starting the loader itself, by load.c here.
 */
#include "taskspawn.h"

#include <string.h>

#include "load.h"
#include "loader.h"
#include "syscall.h"

#define PAGE	   4096UL
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))

static struct archive opened;

/* The entries fit in the header's table pages, which fit in the archive: or E_FORMAT. */
static int archive_check(const struct archive_header *h, uint64_t mapped)
{
	if (h->magic != ARCHIVE_MAGIC || h->version != ARCHIVE_VERSION || h->table_pages == 0 ||
	    h->table_pages > mapped / PAGE)
		return E_FORMAT;
	uint64_t room = (h->table_pages * PAGE - sizeof(*h)) / sizeof(struct archive_entry);
	return h->count <= room ? 0 : E_FORMAT;
}

/* Map n pages of the archive at ARCHIVE_VA, read-only and private. */
static long archive_map(uint64_t pages)
{
	return SYSCALL(map, SLOT_SELF, SLOT_ARCHIVE, ARCHIVE_VA, 0, pages,
		       MAP_PROT_READ | MAP_KIND_COPY);
}

/* Map the archive's header page, then its table, then all of it (the size the table says). */
int archive_open(struct archive *a)
{
	if (!opened.base) {
		const struct archive_header *h = (const void *)ARCHIVE_VA;
		const struct archive_entry *e = (const void *)(h + 1);
		long err = archive_map(1);
		uint64_t table = err ? 0 : h->table_pages;
		if (!err && (h->magic != ARCHIVE_MAGIC || h->version != ARCHIVE_VERSION))
			err = E_FORMAT;
		SYSCALL(unmap, SLOT_SELF, ARCHIVE_VA, 1);
		if (!err && (table == 0 || table > ARCHIVE_TABLE_MAX))
			err = E_FORMAT;
		if (!err)
			err = archive_map(table);
		if (!err)
			err = archive_check(h, table * PAGE);
		uint64_t end = table * PAGE;
		for (uint32_t i = 0; !err && i < h->count; i++)
			if (PAGE_UP(e[i].offset + e[i].size) > end)
				end = PAGE_UP(e[i].offset + e[i].size);
		if (table)
			SYSCALL(unmap, SLOT_SELF, ARCHIVE_VA, table);
		if (!err)
			err = archive_map(end / PAGE);
		if (err)
			return (int)err;
		/* Make the scratch page's tables now: they stay, and leak checks see them once. */
		if (SYSCALL(map_anon, SLOT_SELF, SCRATCH_VA, 1, MAP_PROT_READ) == 0)
			SYSCALL(unmap, SLOT_SELF, SCRATCH_VA, 1);
		opened.base = (const uint8_t *)ARCHIVE_VA;
		opened.size = end;
	}
	*a = opened;
	return 0;
}

int archive_find(const struct archive *a, const char *name, uint64_t *offset, uint64_t *size)
{
	const struct archive_header *h = (const void *)a->base;
	const struct archive_entry *e = (const void *)(h + 1);
	for (uint32_t i = 0; i < h->count; i++) {
		if (strncmp(e[i].name, name, ARCHIVE_NAME) == 0 && e[i].offset % PAGE == 0 &&
		    e[i].offset <= a->size && e[i].size <= a->size - e[i].offset) {
			*offset = e[i].offset;
			*size = e[i].size;
			return 0;
		}
	}
	return E_NOENT;
}

/* Pack name, argv and envp NUL-separated, then the aux words: the length, or E_RANGE. */
static int pack_request(const struct spawn_req *req, char *buf, int *argc)
{
	unsigned len = 0, strings = 0;
	char *const name[] = { (char *)req->name, 0 };
	char *const *lists[] = { name, req->argv, req->envp };
	*argc = 0;
	for (int l = 0; l < 3; l++) {
		for (int i = 0; lists[l] && lists[l][i]; i++) {
			size_t n = strlen(lists[l][i]) + 1;
			if (n > IPC_BUF_MAX - len)
				return E_RANGE;
			memcpy(buf + len, lists[l][i], n);
			len += (unsigned)n;
			*argc += l == 1;
			if (++strings > SPAWN_ARGS_MAX + 1) /* the name and SPAWN_ARGS_MAX more */
				return E_RANGE;
		}
	}
	size_t aux = (size_t)req->naux * sizeof(uint64_t);
	if (aux > IPC_BUF_MAX - len)
		return E_RANGE;
	if (aux)
		memcpy(buf + len, req->aux, aux);
	return (int)(len + aux);
}

/* Give the loader the file in req->object: the session slot to load through, or error. */
static long stage(const struct spawn_req *req)
{
	long session = slot_alloc();
	struct ipc_msg m = { .tag = ipc_tag(LOADER_STAGE, 1, 0, 1), .cap = req->object };
	m.w[0] = req->object_size;
	m.rspec = ipc_recv_spec(0, (unsigned)session);
	long err = session < 0 ? E_RANGE : ipc_call(SLOT_LOADER, &m);
	if (!err)
		err = (long)m.w[0];
	if (!err && !(m.tag & IPC_TAG_CAP))
		err = E_DEAD;
	if (err) {
		slot_free(session);
		return err;
	}
	return session;
}

/* Ask the loader to load req into task: 0 or its error. */
static int load_remote(long task, const struct spawn_req *req, struct spawned *out)
{
	static char buf[IPC_BUF_MAX];
	int argc, len = pack_request(req, buf, &argc);
	long via = req->object ? stage(req) : SLOT_LOADER;
	if (len < 0 || via < 0)
		return len < 0 ? len : (int)via;
	struct ipc_msg m = { .tag = ipc_tag(LOADER_LOAD, 3, (unsigned)len, 1),
			     .sbuf = buf,
			     .cap = task };
	m.w[0] = (uint64_t)argc;
	m.w[1] = req->base;
	m.w[2] = (uint64_t)req->naux * sizeof(uint64_t);
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	long err = ipc_call(via, &m);
	if (via != SLOT_LOADER)
		slot_free(via);
	if (!err)
		err = (long)m.w[0];
	out->entry = m.w[1];
	out->sp = m.w[2];
	out->reloc_pages = (unsigned)m.w[3];
	return (int)err;
}

/* The loader's own work, in this task: only init uses it, to start the loader. */
static int load_local(long task, const struct spawn_req *req, struct spawned *out)
{
	struct load_image img;
	struct load_args a = { req->argv, req->envp, req->base, req->aux, req->naux };
	struct load_out o = { 0 };
	struct load_scratch scratch = { SCRATCH_VA, slot_alloc() };
	int err = scratch.slot < 0 ? E_RANGE : load_archive_image(req->name, &img);
	if (!err)
		err = load_image(task, &img, &a, &scratch, &o);
	slot_free(scratch.slot);
	out->entry = o.entry;
	out->sp = o.sp;
	out->reloc_pages = o.reloc_pages;
	return err;
}

/* A new task, supervised as req says, loaded by load(): 0 or an error (nothing left). */
static int create_and_load(const struct spawn_req *req, struct spawned *out, int local)
{
	struct memstat ms = { 0 };
	int err = (int)SYSCALL(memstat, SLOT_SELF, &ms);
	long task = err ? -1 : slot_alloc();
	if (err || task < 0)
		return err ? err : E_RANGE;
	uint64_t quota = req->quota ? req->quota : ms.task_quota_left;
	err = (int)SYSCALL(task_create, SLOT_SELF, task, quota, req->supervisor);
	if (!err)
		err = local ? load_local(task, req, out) : load_remote(task, req, out);
	if (err) {
		SYSCALL(task_kill, task);
		slot_free(task);
		return err;
	}
	out->task = task;
	return 0;
}

int spawn_create(const struct spawn_req *req, struct spawned *out)
{
	return create_and_load(req, out, 0);
}

int spawn_create_local(const struct spawn_req *req, struct spawned *out)
{
	return create_and_load(req, out, 1);
}

long spawn_start(const struct spawned *s)
{
	return SYSCALL(thread_create, s->task, -1, s->entry, s->sp, 0);
}

long spawn(const struct spawn_req *req)
{
	struct spawned s;
	int err = spawn_create(req, &s);
	if (err)
		return err;
	long tid = spawn_start(&s);
	if (tid < 0) {
		SYSCALL(task_kill, s.task);
		slot_free(s.task);
		return tid;
	}
	return s.task;
}
