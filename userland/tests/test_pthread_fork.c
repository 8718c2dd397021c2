/*
 * fork in a threaded process: only the calling thread goes on in the child, pthread_atfork
 * handlers run in POSIX order (prepare in reverse order of registration, parent and child
 * in order), the C library's lock is usable in the child (malloc while another thread
 * of the parent was hammering it), and a mutex taken in prepare is released on both sides.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

static char order[32];
static int len;
static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int stop, spinning;

static void note(char c)
{
	order[len++] = c;
}
static void prep1(void)
{
	note('a');
}
static void prep2(void)
{
	note('b');
	pthread_mutex_lock(&state_lock);
}
static void parent1(void)
{
	note('c');
}
static void parent2(void)
{
	note('d');
	pthread_mutex_unlock(&state_lock);
}
static void child1(void)
{
	note('e');
}
static void child2(void)
{
	note('f');
	pthread_mutex_unlock(&state_lock);
}

/* Another thread that keeps malloc busy, so fork may come while it holds the lock. */
static void *churn(void *unused)
{
	(void)unused;
	spinning = 1;
	while (!stop) {
		void *p = malloc(100);
		free(p);
	}
	return 0;
}

static void *in_thread_fork(void *unused)
{
	(void)unused;
	pid_t pid = fork();
	if (pid == 0) {
		/* Only this thread exists here: malloc and the mutex must work. */
		void *p = malloc(1000);
		int ok = p != 0 && pthread_mutex_trylock(&state_lock) == 0;
		_exit(ok ? 0 : 3);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	return (void *)(long)(WIFEXITED(st) ? WEXITSTATUS(st) : 100);
}

int main(void)
{
	pthread_t t, f;
	CHECK_EQ(pthread_atfork(prep1, parent1, child1), 0);
	CHECK_EQ(pthread_atfork(prep2, parent2, child2), 0);
	CHECK_EQ(pthread_create(&t, 0, churn, 0), 0);
	while (!spinning)
		sched_yield();
	for (int round = 0; round < 10; round++) {
		len = 0;
		memset(order, 0, sizeof(order));
		pid_t pid = fork();
		if (pid == 0) {
			/* prepare b then a; child e then f */
			int ok = strcmp(order, "baef") == 0;
			void *p = malloc(5000);
			ok = ok && p && pthread_mutex_trylock(&state_lock) == 0;
			_exit(ok ? 0 : 1);
		}
		CHECK(pid > 0);
		CHECK(strcmp(order, "bacd") == 0);
		int st = -1;
		CHECK_EQ(waitpid(pid, &st, 0), pid);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		CHECK_EQ(pthread_mutex_trylock(&state_lock), 0); /* parent2 released it */
		pthread_mutex_unlock(&state_lock);
	}
	/* fork from a second thread: the child is that thread alone. */
	void *ret = (void *)1;
	CHECK_EQ(pthread_create(&f, 0, in_thread_fork, 0), 0);
	CHECK_EQ(pthread_join(f, &ret), 0);
	CHECK_EQ((long)ret, 0);
	stop = 1;
	CHECK_EQ(pthread_join(t, 0), 0);
	return test_status();
}
