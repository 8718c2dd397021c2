/*
 * Named semaphores: sem_open, sem_close, sem_unlink (docs/userland.md). A named semaphore
 * is a page of POSIX shared memory, /dev/shm/sem.NAME, mapped shared: the sem_t at its
 * start works across processes like any in a shared page (semaphore.c), and the page
 * lives on after sem_unlink while anyone has it open. The process that creates it sets
 * the count, then `ready`; one that opens it meanwhile waits for `ready`.
 *
 * A process that opens one name twice gets the same address (POSIX); the table below
 * counts those opens, and sem_close unmaps the page at the last one. fork copies the
 * table with the mappings; exec ends them.
 */
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "syscall.h"

#define SEM_PREFIX   "/sem."
#define SEM_NAME_MAX 64	  /* with the prefix and its NUL: what a file server name holds */
#define SEM_OPEN_MAX 32	  /* named semaphores one process may have open (EMFILE past it) */
#define READY_TRIES  1000 /* 1 ms each: how long an opener waits for the creator */

struct named {
	sem_t sem; /* first: the address sem_open returns is the page's */
	volatile uint32_t ready;
};

static struct {
	char name[SEM_NAME_MAX]; /* the shared memory name; "" once unlinked */
	struct named *page;
	unsigned opens;
} open_sems[SEM_OPEN_MAX];

/* The shared memory name of semaphore name in out: 0, or -1 with errno set. */
static int shm_name(const char *name, char *out)
{
	if (!name) {
		errno = EINVAL;
		return -1;
	}
	name += name[0] == '/';
	if (!*name || strchr(name, '/')) {
		errno = EINVAL;
		return -1;
	}
	if (strlen(name) + sizeof(SEM_PREFIX) > SEM_NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(out, SEM_PREFIX);
	strcat(out, name);
	return 0;
}

static int find(const char *shm)
{
	for (int i = 0; i < SEM_OPEN_MAX; i++)
		if (open_sems[i].opens && strcmp(open_sems[i].name, shm) == 0)
			return i;
	return -1;
}

/* Wait, boundedly, for a creator that has made the object but not yet set it up. */
static int wait_until(int fd, struct named *p)
{
	const struct timespec ms = { 0, 1000000 };
	for (int i = 0; i < READY_TRIES; i++) {
		struct stat st;
		if (!p && fstat(fd, &st) == 0 && st.st_size >= (off_t)sizeof(*p))
			return 1;
		if (p && __atomic_load_n(&p->ready, __ATOMIC_ACQUIRE))
			return 1;
		nanosleep(&ms, 0);
	}
	errno = EAGAIN; /* its creator never finished (it died part-way) */
	return 0;
}

/* Create (0), or find it made by another (1); -1 with errno set. */
static int open_object(const char *shm, int oflag, mode_t mode, int *fd)
{
	if (oflag & O_CREAT) {
		*fd = shm_open(shm, O_RDWR | O_CREAT | O_EXCL, mode);
		if (*fd >= 0)
			return 0;
		if (errno != EEXIST || (oflag & O_EXCL))
			return -1;
	}
	*fd = shm_open(shm, O_RDWR, 0);
	return *fd < 0 ? -1 : 1;
}

/* Map the object fd names: the page, set up with value if we created it; or 0. */
static struct named *map_page(int fd, int created, unsigned value)
{
	if (created && ftruncate(fd, sizeof(struct named)) != 0)
		return 0;
	if (!created && !wait_until(fd, 0))
		return 0;
	struct named *p = mmap(0, sizeof(*p), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 0;
	if (created) {
		sem_init(&p->sem, 1, value);
		__atomic_store_n(&p->ready, 1, __ATOMIC_RELEASE);
	} else if (!wait_until(fd, p)) {
		munmap(p, sizeof(*p));
		return 0;
	}
	return p;
}

sem_t *sem_open(const char *name, int oflag, ...)
{
	char shm[SEM_NAME_MAX];
	mode_t mode = 0;
	unsigned value = 0;
	int fd, slot = -1;
	if (oflag & O_CREAT) {
		va_list ap;
		va_start(ap, oflag);
		mode = (mode_t)va_arg(ap, int);
		value = va_arg(ap, unsigned);
		va_end(ap);
	}
	if (shm_name(name, shm) < 0)
		return SEM_FAILED;
	if ((oflag & O_CREAT) && value > SEM_VALUE_MAX) {
		errno = EINVAL;
		return SEM_FAILED;
	}
	int i = find(shm);
	if (i >= 0 && !((oflag & O_CREAT) && (oflag & O_EXCL))) {
		open_sems[i].opens++; /* the same address for the same name (POSIX) */
		return &open_sems[i].page->sem;
	}
	for (int j = 0; j < SEM_OPEN_MAX && slot < 0; j++)
		if (!open_sems[j].opens)
			slot = j;
	if (slot < 0) {
		errno = EMFILE;
		return SEM_FAILED;
	}
	int made = open_object(shm, oflag, mode, &fd);
	if (made < 0)
		return SEM_FAILED;
	struct named *p = map_page(fd, made == 0, value);
	int err = errno;
	close(fd); /* the mapping keeps the object */
	if (!p) {
		if (made == 0)
			shm_unlink(shm); /* ours, half made: nobody else may find it so */
		errno = err;
		return SEM_FAILED;
	}
	strcpy(open_sems[slot].name, shm);
	open_sems[slot].page = p;
	open_sems[slot].opens = 1;
	return &p->sem;
}

int sem_close(sem_t *sem)
{
	for (int i = 0; i < SEM_OPEN_MAX; i++) {
		if (!open_sems[i].opens || &open_sems[i].page->sem != sem)
			continue;
		if (--open_sems[i].opens == 0) {
			munmap(open_sems[i].page, sizeof(struct named));
			open_sems[i].name[0] = 0;
		}
		return 0;
	}
	errno = EINVAL; /* not a semaphore sem_open gave us */
	return -1;
}

/* The name goes; the semaphore stays for those who have it open (a later sem_open of
 * the name makes a new one, even in this process). */
int sem_unlink(const char *name)
{
	char shm[SEM_NAME_MAX];
	if (shm_name(name, shm) < 0 || shm_unlink(shm) != 0)
		return -1;
	int i = find(shm);
	if (i >= 0)
		open_sems[i].name[0] = 0;
	return 0;
}
