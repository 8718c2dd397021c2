/*
 * getentropy (POSIX.1-2024) and getrandom (Linux): random bytes from the kernel's
 * generator (system call 56, docs/syscalls.md), keyed at boot from the firmware's seed.
 * picolibc's arc4random family draws its key from getentropy, so it works through this.
 */
#include <errno.h>
#include <limits.h>
#include <sys/random.h>
#include <unistd.h>

#include "syscall.h"

/* The kernel's answer as errno: no seed at boot is ENOSYS, as for a missing call. */
static int entropy_errno(long err)
{
	switch (err) {
	case E_NOSYS:
		return ENOSYS;
	case E_FAULT:
		return EFAULT;
	case E_NOMEM:
		return ENOMEM;
	default:
		return EIO;
	}
}

int getentropy(void *buf, size_t len)
{
	if (len > GETENTROPY_MAX) {
		errno = EINVAL;
		return -1;
	}
	long err = SYSCALL(entropy, buf, len);
	if (err) {
		errno = entropy_errno(err);
		return -1;
	}
	return 0;
}

ssize_t getrandom(void *buf, size_t buflen, unsigned int flags)
{
	if (flags & ~(unsigned)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) {
		errno = EINVAL;
		return -1;
	}
	/* At most SSIZE_MAX, like Linux's own limit on one answer. */
	size_t want = buflen > SSIZE_MAX ? SSIZE_MAX : buflen, done = 0;
	while (done < want) {
		size_t n = want - done > GETENTROPY_MAX ? GETENTROPY_MAX : want - done;
		long err = SYSCALL(entropy, (char *)buf + done, n);
		if (err) {
			if (done)
				return (ssize_t)done; /* what was had so far, as a short read */
			errno = entropy_errno(err);
			return -1;
		}
		done += n;
	}
	return (ssize_t)done;
}
