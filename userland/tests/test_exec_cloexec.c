/*
 * Close-on-exec files and exec (POSIX exec: "If the exec function fails, ... the
 * calling process image shall remain": every descriptor, FD_CLOEXEC or not, stays
 * open). A failed exec of a missing file, of a name the archive does not have, of a
 * directory or of a file without an execute bit leaves a close-on-exec file open and
 * usable; a successful one closes it (its record locks go with it, POSIX fcntl), while
 * a descriptor without the flag keeps its lock across exec. docs/files.md, "Across exec".
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define F_LOCKED "/tmp/tec_locked"
#define F_KEPT	 "/tmp/tec_kept"
#define F_PLAIN	 "/tmp/tec_plain"
#define D_DIR	 "/tmp/tec_dir"

/* The fd is open, close-on-exec, and its file takes a write at its offset. */
static void still_open(int fd, const char *what)
{
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	if (fcntl(fd, F_GETFD) != FD_CLOEXEC)
		printf("  after %s\n", what);
	CHECK_EQ(write(fd, "x", 1), 1);
}

static void failed_execs(void)
{
	char *argv[] = { "x", 0 };
	int fd = open(F_PLAIN, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	CHECK(fd >= 0);
	unlink("/tmp/tec_missing");
	CHECK_FAILS(execv("/tmp/tec_missing", argv), ENOENT);
	still_open(fd, "a missing file");
	CHECK_FAILS(execv("tec_no_such_program", argv), ENOENT);
	still_open(fd, "a name the archive lacks");
	CHECK(mkdir(D_DIR, 0755) == 0 || errno == EEXIST);
	CHECK_FAILS(execv(D_DIR, argv), EACCES);
	still_open(fd, "a directory");
	put_file(F_KEPT, "not a program\n");
	chmod(F_KEPT, 0644);
	CHECK_FAILS(execv(F_KEPT, argv), EACCES);
	still_open(fd, "a file without an execute bit");
	/* what was written through it is there: the same open file all along */
	char b[16];
	CHECK_EQ(get_file(F_PLAIN, b, sizeof(b)), 4);
	close(fd);
	rmdir(D_DIR);
}

/* Is a write lock on path's first byte held (by another process)? Its pid, or 0. */
static pid_t lock_holder(const char *path)
{
	int fd = open(path, O_RDWR);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
	if (fd < 0 || fcntl(fd, F_GETLK, &fl) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return fl.l_type == F_UNLCK ? 0 : fl.l_pid;
}

/* A child locks both files, one through a close-on-exec descriptor, then execs an image
 * that says it runs and waits: only the other lock is still held then. */
static void exec_closes(void)
{
	int p[2], st = -1;
	char c = 0;
	put_file(F_LOCKED, "data");
	put_file(F_KEPT, "data");
	CHECK_EQ(pipe(p), 0);
	pid_t kid = fork();
	if (kid == 0) {
		struct flock fl = {
			.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1
		};
		int gone = open(F_LOCKED, O_RDWR | O_CLOEXEC);
		int kept = open(F_KEPT, O_RDWR);
		if (gone < 0 || kept < 0 || fcntl(gone, F_SETLK, &fl) != 0 ||
		    fcntl(kept, F_SETLK, &fl) != 0)
			_exit(2);
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		/* ourselves again, as the sleeper below: one process, gone when killed (a
		 * shell's sleep lived on for seconds and handed its frames back during the
		 * tests after this one) */
		execl("/bin/test_exec_cloexec", "test_exec_cloexec", "sleeper", (char *)0);
		_exit(3);
	}
	close(p[1]);
	CHECK_EQ(read(p[0], &c, 1), 1); /* the new image's main has run */
	CHECK_EQ(c, 'r');
	CHECK_EQ(lock_holder(F_LOCKED), 0);
	CHECK_EQ(lock_holder(F_KEPT), kid);
	kill(kid, SIGKILL);
	CHECK_EQ(waitpid(kid, &st, 0), kid);
	close(p[0]);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "sleeper") == 0) {
		/* exec_closes' new image: says it runs (main comes after fd_inherit), waits */
		CHECK_EQ(write(STDOUT_FILENO, "r", 1), 1);
		for (;;)
			pause();
	}
	failed_execs();
	exec_closes();
	unlink(F_LOCKED);
	unlink(F_KEPT);
	unlink(F_PLAIN);
	return test_status();
}
