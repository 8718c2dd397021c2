/*
 * Linux's getrandom (entropy.c): the kernel's random bytes, as getentropy gives them, for
 * any length. The flags are accepted and change nothing: the generator never blocks and
 * has one pool.
 */
#ifndef USER_SYS_RANDOM_H
#define USER_SYS_RANDOM_H

#include <stddef.h>
#include <sys/types.h>

#define GRND_NONBLOCK 0x1
#define GRND_RANDOM   0x2
#define GRND_INSECURE 0x4

ssize_t getrandom(void *buf, size_t buflen, unsigned int flags);

#endif
