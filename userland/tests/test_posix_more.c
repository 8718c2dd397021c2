/*
 * Smaller POSIX calls (docs/userland.md): pthread cleanup handlers (pop with and without
 * running, pthread_exit running the rest newest first), the one-user databases and the
 * id calls, chown's checks, getline/getdelim, dprintf, fgetpos/fsetpos, the stream
 * locks, the *at forms of link/symlink/mkfifo/mknod, and the pshared attributes.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define FILE_NAME "/tmp/pmore"

static char order[8];
static int norder;

static void note(void *c)
{
	order[norder++] = *(char *)c;
}

static void *cleanup_thread(void *arg)
{
	static char a = 'a', b = 'b', c = 'c';
	(void)arg;
	pthread_cleanup_push(note, &a);
	pthread_cleanup_push(note, &b);
	pthread_cleanup_push(note, &c);
	pthread_cleanup_pop(0); /* c: taken off, not run */
	pthread_exit(0);	/* runs b then a */
	pthread_cleanup_pop(1);
	pthread_cleanup_pop(1);
	return 0;
}

static void cleanup(void)
{
	static char x = 'x';
	pthread_t t;
	norder = 0;
	pthread_cleanup_push(note, &x);
	pthread_cleanup_pop(1);
	CHECK(norder == 1 && order[0] == 'x');
	norder = 0;
	CHECK_EQ(pthread_create(&t, 0, cleanup_thread, 0), 0);
	CHECK_EQ(pthread_join(t, 0), 0);
	CHECK(norder == 2 && order[0] == 'b' && order[1] == 'a');
}

static void users(void)
{
	struct passwd *pw = getpwnam("root"), pwbuf, *pr;
	struct group *gr = getgrgid(0), grbuf, *grr;
	char buf[256] __attribute__((aligned(8)));
	CHECK(pw && pw->pw_uid == 0 && strcmp(pw->pw_dir, "/") == 0);
	CHECK(getpwuid(0) == pw && getpwuid(1000) == 0 && getpwnam("nobody") == 0);
	CHECK(getpwuid_r(0, &pwbuf, buf, sizeof(buf), &pr) == 0 && pr == &pwbuf &&
	      strcmp(pr->pw_name, "root") == 0);
	CHECK(getpwuid_r(0, &pwbuf, buf, 4, &pr) == ERANGE && pr == 0);
	CHECK(getpwnam_r("x", &pwbuf, buf, sizeof(buf), &pr) == 0 && pr == 0);
	CHECK(gr && strcmp(gr->gr_name, "root") == 0 && gr->gr_mem[0] == 0);
	CHECK(getgrnam_r("root", &grbuf, buf, sizeof(buf), &grr) == 0 && grr && grr->gr_gid == 0);
	setpwent();
	CHECK(getpwent() == pw && getpwent() == 0);
	endpwent();
	CHECK(strcmp(getlogin(), "root") == 0);
	CHECK_EQ(getgroups(0, 0), 0);
	CHECK_EQ(setuid(0), 0);
	CHECK(setuid(1000) == -1 && errno == EINVAL);
	CHECK(seteuid(5) == -1 && errno == EINVAL);
	int fd = open(FILE_NAME, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK_EQ(chown(FILE_NAME, 0, 0), 0);
	CHECK_EQ(chown(FILE_NAME, (uid_t)-1, (gid_t)-1), 0);
	CHECK(chown(FILE_NAME, 1000, 0) == -1 && errno == EINVAL);
	CHECK(chown("/tmp/no_such_file", 0, 0) == -1 && errno == ENOENT);
	CHECK_EQ(fchown(fd, 0, 0), 0);
	CHECK(fchown(-1, 0, 0) == -1 && errno == EBADF);
	close(fd);
}

static void streams(void)
{
	int fd = open(FILE_NAME, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK_EQ(dprintf(fd, "one %d\ntwo\n%s", 1, "three"), 15);
	close(fd);
	FILE *f = fopen(FILE_NAME, "r");
	char *line = 0;
	size_t size = 0;
	CHECK(f != 0);
	CHECK_EQ(getline(&line, &size, f), 6);
	CHECK(strcmp(line, "one 1\n") == 0 && size >= 7);
	fpos_t pos;
	CHECK_EQ(fgetpos(f, &pos), 0);
	CHECK_EQ(getdelim(&line, &size, 'o', f), 3); /* "two" ends at its o */
	CHECK(strcmp(line, "two") == 0);
	CHECK_EQ(fsetpos(f, &pos), 0);
	CHECK_EQ(getline(&line, &size, f), 4);
	CHECK_EQ(getline(&line, &size, f), 5); /* the last line has no newline */
	CHECK(strcmp(line, "three") == 0);
	CHECK_EQ(getline(&line, &size, f), -1);
	flockfile(f);
	CHECK_EQ(ftrylockfile(f), 0); /* recursive: the same thread again */
	funlockfile(f);
	funlockfile(f);
	CHECK(getline(0, &size, f) == -1 && errno == EINVAL);
	free(line);
	fclose(f);
	unlink(FILE_NAME);
}

static void at_calls_and_attrs(void)
{
	int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
	CHECK(dir >= 0);
	struct stat st;
	CHECK(mkfifoat(dir, "pmore_fifo", 0644) == 0); /* a FIFO, relative to dir */
	CHECK(stat("/tmp/pmore_fifo", &st) == 0 && S_ISFIFO(st.st_mode));
	CHECK(unlinkat(dir, "pmore_fifo", 0) == 0);
	CHECK(symlinkat("pmore_x", dir, "pmore_link") == 0); /* relative to dir */
	char text[16] = { 0 };
	CHECK(readlinkat(dir, "pmore_link", text, sizeof(text)) == 7 &&
	      strcmp(text, "pmore_x") == 0);
	CHECK(fstatat(dir, "pmore_link", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode));
	CHECK(fstatat(dir, "pmore_link", &st, 0) == -1 && errno == ENOENT); /* names nothing */
	CHECK(unlinkat(dir, "pmore_link", 0) == 0);
	CHECK(linkat(dir, "no_such", dir, "x", 0) == -1 && errno == ENOENT);
	CHECK(linkat(dir, "x", dir, "y", 0x4000) == -1 && errno == EINVAL);
	close(dir);
	pthread_rwlockattr_t rw;
	pthread_barrierattr_t ba;
	int v = -1;
	CHECK_EQ(pthread_rwlockattr_init(&rw), 0);
	CHECK_EQ(pthread_rwlockattr_setpshared(&rw, PTHREAD_PROCESS_SHARED), 0);
	CHECK(pthread_rwlockattr_getpshared(&rw, &v) == 0 && v == PTHREAD_PROCESS_SHARED);
	CHECK_EQ(pthread_rwlockattr_setpshared(&rw, 7), EINVAL);
	CHECK_EQ(pthread_barrierattr_init(&ba), 0);
	CHECK_EQ(pthread_barrierattr_setpshared(&ba, PTHREAD_PROCESS_SHARED), 0);
	CHECK(pthread_barrierattr_getpshared(&ba, &v) == 0 && v == PTHREAD_PROCESS_SHARED);
	CHECK_EQ(pthread_setschedprio(pthread_self(), 0), 0);
	CHECK_EQ(pthread_setschedprio(pthread_self(), 5), EINVAL);
}

static void thin_calls(void)
{
	char buf[64];
	struct timespec q;
	int st = -1;
	CHECK(gethostname(buf, sizeof(buf)) == 0 && buf[0]);
	CHECK(gethostname(buf, 1) == -1 && errno == ENAMETOOLONG);
	CHECK(confstr(_CS_PATH, buf, sizeof(buf)) == 5 && strcmp(buf, "/bin") == 0);
	CHECK(confstr(_CS_PATH, buf, 3) == 5 && strcmp(buf, "/b") == 0);
	CHECK(confstr(12345, buf, sizeof(buf)) == 0 && errno == EINVAL);
	CHECK_EQ(nice(0), 0);
	CHECK_EQ(nice(5), 5);
	CHECK_EQ(getpriority(PRIO_PROCESS, 0), 5);
	CHECK_EQ(setpriority(PRIO_PROCESS, (id_t)getpid(), -3), 0);
	CHECK_EQ(getpriority(PRIO_PROCESS, 0), -3);
	CHECK(getpriority(PRIO_PROCESS, 99999) == -1 && errno == ESRCH);
	CHECK(getpriority(9, 0) == -1 && errno == EINVAL);
	setpriority(PRIO_PROCESS, 0, 0);
	CHECK(sched_rr_get_interval(0, &q) == 0 && q.tv_sec == 0 && q.tv_nsec > 0);
	if (isatty(1))
		CHECK(ttyname(1) && strcmp(ttyname(1), "/dev/console") == 0);
	CHECK(ttyname_r(-1, buf, sizeof(buf)) == EBADF);
	char tmpl[] = "/tmp/pmoreXXXXXX";
	struct stat sb;
	CHECK(mkdtemp(tmpl) == tmpl && stat(tmpl, &sb) == 0 && S_ISDIR(sb.st_mode));
	CHECK_EQ(rmdir(tmpl), 0);
	char bad[] = "/tmp/pmoreXX";
	CHECK(mkdtemp(bad) == 0 && errno == EINVAL);
	int fd = open(FILE_NAME, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK_EQ(posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL), 0);
	CHECK_EQ(posix_fadvise(fd, 0, 0, 99), EINVAL);
	CHECK_EQ(posix_fallocate(fd, 100, 900), 0);
	CHECK(fstat(fd, &sb) == 0 && sb.st_size == 1000);
	CHECK_EQ(posix_fallocate(fd, 0, 10), 0); /* never shrinks */
	CHECK(fstat(fd, &sb) == 0 && sb.st_size == 1000);
	CHECK_EQ(posix_fallocate(fd, 0, 0), EINVAL);
	close(fd);
	unlink(FILE_NAME);
	pid_t pid = vfork();
	if (pid == 0)
		_exit(setpgrp() == 0 && getpgrp() == getpid() ? 0 : 1);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	char *env[] = { "PMORE=yes", 0 };
	pid = fork();
	if (pid == 0) {
		execle("/bin/test_posix_more", "test_posix_more", "env", (char *)0, env);
		_exit(99);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) /* execle's image: was it given its environment? */
		return getenv("PMORE") && strcmp(getenv("PMORE"), "yes") == 0 ? 0 : 1;
	thin_calls();
	cleanup();
	users();
	streams();
	at_calls_and_attrs();
	return test_status();
}
