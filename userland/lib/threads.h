/*
 * Threads in one process: enough for tests and benchmarks that need several harts.
 * Each thread has its own stack and its own thread-local block (so errno is per thread),
 * a capability of its own (for thread_pin) and a done word the kernel sets once it has
 * ended (exit's, docs/syscalls.md), which thread_join waits for.
 * fork() clones only the calling thread. Each is also a thread to <pthread.h>: it has
 * its own pthread_self(), so the C library's locks (malloc) work between them.
 */
#ifndef USER_THREADS_H
#define USER_THREADS_H

struct uthread;
typedef struct uthread *thread_t;

/* Start fn(arg) in a new thread: 0, or -1 with errno set. */
int thread_create(thread_t *t, void (*fn)(void *), void *arg);
/* Wait for it to return, then free what it used: 0 or -1. */
int thread_join(thread_t t);
/* Run it only on hart index hart (taken modulo the harts running): 0 or -1. */
int thread_pin(thread_t t, int hart);
/*
 * Run the calling thread only on hart index hart (modulo the harts running; -1: any),
 * moving it there at once: any thread, a process's first one too. 0 or -1.
 */
int thread_pin_self(int hart);
/* Run it at priority prio (0..THREAD_PRIO_MAX; a server's: SERVER_PRIO): 0 or -1. */
int thread_priority(thread_t t, int prio);
/* How many harts run the kernel. */
int thread_harts(void);

#endif
