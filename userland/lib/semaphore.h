/*
 * POSIX semaphores: unnamed (userland/lib/semaphore.c: a counter and futex_wait) and
 * named (semnamed.c: the same in a page of shared memory).
 */
#ifndef USER_SEMAPHORE_H
#define USER_SEMAPHORE_H

#include <stdint.h>
#include <time.h>

typedef struct {
	volatile uint32_t value;
	volatile uint32_t waiters; /* threads inside a wait: a post to none is free */
} sem_t;

#define SEM_VALUE_MAX 0x7fffffff
#define SEM_FAILED    ((sem_t *)0)

int sem_init(sem_t *s, int pshared, unsigned value);
int sem_destroy(sem_t *s);
int sem_wait(sem_t *s);
int sem_trywait(sem_t *s);
int sem_timedwait(sem_t *s, const struct timespec *abstime);
/* POSIX 2024: sem_timedwait on the clock abstime is on (CLOCK_REALTIME or CLOCK_MONOTONIC). */
int sem_clockwait(sem_t *s, clockid_t clock, const struct timespec *abstime);
int sem_post(sem_t *s);
int sem_getvalue(sem_t *s, int *value);
sem_t *sem_open(const char *name, int oflag, ...);
int sem_close(sem_t *s);
int sem_unlink(const char *name);

#endif
