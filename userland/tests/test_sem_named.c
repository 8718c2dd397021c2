/*
 * Named semaphores (sem_open, sem_close, sem_unlink): POSIX's errors, one address for
 * one name in a process, a post in one process waking a wait in another, and a name
 * unlinked while open (the old semaphore goes on, a new sem_open makes a new one); a
 * creator that died before the semaphore was ready (its page made, never marked ready):
 * openers fail with EAGAIN after their wait, and sem_unlink clears the name.
 */
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

static void errors(void)
{
	errno = 0;
	CHECK(sem_open("/tsn_none", 0) == SEM_FAILED && errno == ENOENT);
	CHECK(sem_open("", O_CREAT, 0600, 1) == SEM_FAILED && errno == EINVAL);
	CHECK(sem_open("/a/b", O_CREAT, 0600, 1) == SEM_FAILED && errno == EINVAL);
	CHECK(sem_open("/tsn", O_CREAT, 0600, (unsigned)SEM_VALUE_MAX + 1) == SEM_FAILED &&
	      errno == EINVAL);
	CHECK(sem_open("/tsn_a_name_much_longer_than_any_file_name_here_can_ever_be_ok", O_CREAT,
		       0600, 1) == SEM_FAILED &&
	      errno == ENAMETOOLONG);
	sem_t *s = sem_open("/tsn", O_CREAT | O_EXCL, 0600, 2);
	CHECK(s != SEM_FAILED);
	CHECK(sem_open("/tsn", O_CREAT | O_EXCL, 0600, 2) == SEM_FAILED && errno == EEXIST);
	sem_t *again = sem_open("tsn", 0); /* the same name without its slash */
	CHECK(again == s);
	int v = -1;
	CHECK(sem_getvalue(s, &v) == 0 && v == 2);
	CHECK_EQ(sem_close(again), 0);
	CHECK_EQ(sem_trywait(s), 0); /* still open once */
	CHECK_EQ(sem_close(s), 0);
	CHECK(sem_close(s) == -1 && errno == EINVAL);
	CHECK_EQ(sem_unlink("/tsn"), 0);
	CHECK(sem_unlink("/tsn") == -1 && errno == ENOENT);
}

static void between_processes(void)
{
	sem_t *go = sem_open("/tsn_go", O_CREAT | O_EXCL, 0600, 0);
	CHECK(go != SEM_FAILED);
	int st = -1;
	pid_t pid = fork();
	if (pid == 0) {
		sem_t *mine = sem_open("/tsn_go", 0); /* opened again by name in the child */
		_exit(mine == go && sem_post(mine) == 0 && sem_close(mine) == 0 ? 0 : 1);
	}
	CHECK_EQ(sem_wait(go), 0); /* only the child's post ends this */
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* Unlinked while open: it keeps working; the name now makes a new one. */
	CHECK_EQ(sem_unlink("/tsn_go"), 0);
	CHECK_EQ(sem_post(go), 0);
	sem_t *fresh = sem_open("/tsn_go", O_CREAT, 0600, 5);
	CHECK(fresh != SEM_FAILED && fresh != go);
	int v = -1;
	CHECK(sem_getvalue(fresh, &v) == 0 && v == 5);
	CHECK(sem_getvalue(go, &v) == 0 && v == 1);
	CHECK_EQ(sem_close(go), 0);
	CHECK_EQ(sem_close(fresh), 0);
	CHECK_EQ(sem_unlink("/tsn_go"), 0);
}

/* A child makes the semaphore's shared page as sem_open's creator does, then dies. */
static void dead_creator(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = shm_open("/sem.tsn_dead", O_RDWR | O_CREAT | O_EXCL, 0600);
		_exit(fd >= 0 && ftruncate(fd, 4096) == 0 ? 0 : 1);
	}
	int st = -1;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	errno = 0;
	CHECK(sem_open("/tsn_dead", 0) == SEM_FAILED);
	CHECK_EQ(errno, EAGAIN);
	errno = 0;
	CHECK(sem_open("/tsn_dead", O_CREAT, 0600, 1) == SEM_FAILED);
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(sem_unlink("/tsn_dead"), 0);
	sem_t *s = sem_open("/tsn_dead", O_CREAT | O_EXCL, 0600, 1);
	CHECK(s != SEM_FAILED);
	int v = -1;
	CHECK(sem_getvalue(s, &v) == 0 && v == 1);
	CHECK_EQ(sem_close(s), 0);
	CHECK_EQ(sem_unlink("/tsn_dead"), 0);
}

int main(void)
{
	errors();
	between_processes();
	dead_creator();
	return test_status();
}
