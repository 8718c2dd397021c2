/*
 * Setting a file's times: utimensat, futimens, utimes, futimes and utime, as FS_UTIMES
 * (by path) and FS_FUTIMES (on an open file) to the file server, which keeps the times
 * and checks the nanoseconds (docs/files.md). A null times array means now for both.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <utime.h>

#include "fd.h"
#include "fs.h"
#include "syscall.h"

#define US_PER_S  1000000L
#define NS_PER_US 1000L

/* The request's words from two timespecs (null: now, now). */
static void words(struct ipc_msg *m, const struct timespec t[2])
{
	for (int i = 0; i < 2; i++) {
		m->w[2 * i] = t ? (uint64_t)t[i].tv_sec : 0;
		m->w[2 * i + 1] = t ? (uint64_t)t[i].tv_nsec : (uint64_t)FS_UTIME_NOW;
	}
}

static int answer(int64_t r)
{
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return 0;
}

int fs_utimes_path(const char *path, const struct timespec *t)
{
	char abs[FS_PATH_MAX];
	struct ipc_msg m = { 0 };
	if (fd_abs_path(path, abs, sizeof(abs)) < 0)
		return -1;
	words(&m, t);
	m.tag = ipc_tag(FS_UTIMES, 4, (unsigned)strlen(abs) + 1, 0);
	m.sbuf = abs;
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	return answer(ipc_call(fd_fs_slot(), &m) ? -EIO : (int64_t)m.w[0]);
}

/* A pipe or the console keeps no times: as on Linux, setting them succeeds. */
int futimens(int fd, const struct timespec t[2])
{
	struct ipc_msg m = { 0 };
	struct fd_entry *e = fd_get(fd);
	if (!e)
		return -1;
	if (e->kind != FD_FILE)
		return 0;
	words(&m, t);
	return answer(fd_file_call(e->file, FS_FUTIMES, &m, 0));
}

/* Microseconds as nanoseconds: 0, or -1 with EINVAL for a tv_usec out of range. */
static int from_timeval(const struct timeval tv[2], struct timespec ts[2])
{
	for (int i = 0; i < 2; i++) {
		if (tv[i].tv_usec < 0 || tv[i].tv_usec >= US_PER_S) {
			errno = EINVAL;
			return -1;
		}
		ts[i].tv_sec = tv[i].tv_sec;
		ts[i].tv_nsec = (long)tv[i].tv_usec * NS_PER_US;
	}
	return 0;
}

int utimes(const char *path, const struct timeval tv[2])
{
	struct timespec ts[2];
	if (tv && from_timeval(tv, ts) < 0)
		return -1;
	return fs_utimes_path(path, tv ? ts : 0);
}

int futimes(int fd, const struct timeval tv[2])
{
	struct timespec ts[2];
	if (tv && from_timeval(tv, ts) < 0)
		return -1;
	return futimens(fd, tv ? ts : 0);
}

int utime(const char *path, const struct utimbuf *times)
{
	struct timespec ts[2] = { { 0, 0 }, { 0, 0 } };
	if (times) {
		ts[0].tv_sec = times->actime;
		ts[1].tv_sec = times->modtime;
	}
	return fs_utimes_path(path, times ? ts : 0);
}
