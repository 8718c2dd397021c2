/*
 * The C library pieces a ported program reads its input with, where picolibc 1.8 differs
 * from POSIX: fgets at the end of a file without a final newline, fmemopen and
 * open_memstream, getopt/getopt_long (optopt, ':' handling, "--", no permutation), fopen's
 * 'x' and 'e' flags, remove of a directory, and setvbuf on stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

/* The last line of a file has no newline: fgets still returns it, NUL-terminated. */
static void last_line(void)
{
	int fd = open("/tmp/stdio_mem", O_CREAT | O_TRUNC | O_WRONLY, 0644);
	CHECK_EQ(write(fd, "one\nlast", 8), 8);
	close(fd);
	char buf[32];
	memset(buf, 'Z', sizeof(buf));
	FILE *f = fopen("/tmp/stdio_mem", "r");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(fgets(buf, sizeof(buf), f) == buf && strcmp(buf, "one\n") == 0);
	CHECK(fgets(buf, sizeof(buf), f) == buf && strcmp(buf, "last") == 0);
	CHECK(fgets(buf, sizeof(buf), f) == NULL && feof(f));
	fclose(f);
	unlink("/tmp/stdio_mem");
}

/* "wx" refuses an existing file and leaves it whole; "e" closes on exec; remove rmdirs. */
static void open_flags(void)
{
	FILE *f = fopen("/tmp/stdio_x", "w");
	CHECK(f != NULL);
	if (f) {
		fputs("keep", f);
		fclose(f);
	}
	errno = 0;
	FILE *refused = fopen("/tmp/stdio_x", "wx");
	CHECK(refused == NULL && errno == EEXIST);
	if (refused)
		fclose(refused);
	char buf[16] = { 0 };
	f = fopen("/tmp/stdio_x", "re");
	CHECK(f != NULL);
	if (f) {
		CHECK(fgets(buf, sizeof(buf), f) && strcmp(buf, "keep") == 0);
		CHECK(fcntl(fileno(f), F_GETFD) == FD_CLOEXEC);
		fclose(f);
	}
	refused = fopen("/tmp/stdio_x", "rw");
	CHECK(refused == NULL && errno == EINVAL);
	if (refused)
		fclose(refused);
	CHECK_EQ(remove("/tmp/stdio_x"), 0);
	f = fopen("/tmp/stdio_x", "w+x"); /* now it is new */
	CHECK(f != NULL);
	if (f)
		fclose(f);
	CHECK_EQ(remove("/tmp/stdio_x"), 0);
	CHECK_EQ(mkdir("/tmp/stdio_d", 0755), 0);
	CHECK_EQ(remove("/tmp/stdio_d"), 0);
	CHECK(access("/tmp/stdio_d", F_OK) == -1 && errno == ENOENT);
}

/* What the child's stdout sends down a pipe under a buffering mode. */
static void stdout_mode(int mode, char *got, size_t len)
{
	int p[2];
	memset(got, 0, len);
	CHECK_EQ(pipe(p), 0);
	pid_t kid = fork();
	if (kid == 0) {
		dup2(p[1], STDOUT_FILENO);
		setvbuf(stdout, NULL, mode, BUFSIZ);
		printf("ab"); /* unbuffered: in the pipe now, so a fork cannot copy it */
		if (mode == _IOFBF) {
			printf("\n");
			CHECK_EQ(write(p[1], "W", 1), 1); /* ahead of the line still held */
		} else if (fork() == 0) {
			_exit(0); /* exit flushes: a buffered "ab" would come twice */
		}
		wait(NULL);
		exit(0);
	}
	close(p[1]);
	CHECK_EQ(waitpid(kid, NULL, 0), kid);
	CHECK(read(p[0], got, len - 1) > 0);
	close(p[0]);
}

static void buffering(void)
{
	char got[32];
	stdout_mode(_IONBF, got, sizeof(got));
	CHECK(strcmp(got, "ab") == 0);
	stdout_mode(_IOFBF, got, sizeof(got));
	CHECK(strcmp(got, "Wab\n") == 0);
	errno = 0;
	// cppcheck-suppress invalidFunctionArg
	CHECK(setvbuf(stdout, NULL, 99, 0) != 0 &&
	      errno == EINVAL); /* the invalid mode is the point */
}

static void fmem(void)
{
	char mb[64] = "hello world\nline2", buf[80];
	FILE *f = fmemopen(mb, strlen(mb), "r");
	CHECK(f != NULL);
	if (f) {
		CHECK(fgets(buf, sizeof(buf), f) && strcmp(buf, "hello world\n") == 0);
		CHECK(fgets(buf, sizeof(buf), f) && strcmp(buf, "line2") == 0);
		CHECK(fgetc(f) == EOF && feof(f) && !ferror(f));
		fclose(f);
	}
	f = fmemopen(mb, 8, "w");
	CHECK(f != NULL);
	if (f) {
		CHECK(fputs("abc", f) >= 0 && fflush(f) == 0 && strcmp(mb, "abc") == 0);
		CHECK(fputs("defghijk", f) == EOF); /* past the 8-byte buffer */
		fclose(f);
	}
	strcpy(mb, "xy");
	f = fmemopen(mb, 16, "a+");
	CHECK(f && fputs("zz", f) >= 0 && fflush(f) == 0 && strcmp(mb, "xyzz") == 0);
	if (f) {
		rewind(f);
		CHECK(fgetc(f) == 'x');
		fclose(f);
	}
	int v = 0;
	f = fmemopen(NULL, 32, "w+"); /* the stream's own buffer */
	CHECK(f != NULL);
	if (f) {
		fprintf(f, "n=%d", 5);
		rewind(f);
		CHECK(fscanf(f, "n=%d", &v) == 1 && v == 5);
		fclose(f);
	}
	errno = 0;
	CHECK(fmemopen(mb, 0, "r") == NULL && errno == EINVAL);
	errno = 0;
	CHECK(fmemopen(mb, 4, "q") == NULL && errno == EINVAL);
}

static void memstream(void)
{
	char *mp = NULL;
	size_t ml = 99;
	FILE *f = open_memstream(&mp, &ml);
	CHECK(f != NULL);
	if (!f)
		return;
	fprintf(f, "x=%d", 42);
	fflush(f);
	CHECK(mp && ml == 4 && strcmp(mp, "x=42") == 0);
	for (int i = 0; i < 1000; i++)
		fputc('a' + i % 26, f);
	fflush(f);
	CHECK(ml == 1004 && mp[1004] == 0 && mp[4] == 'a');
	fseek(f, 2, SEEK_SET);
	fputc('Y', f);
	fflush(f);
	CHECK(ml == 3 && mp[2] == 'Y'); /* the size is the position */
	fseek(f, 0, SEEK_END);
	fclose(f);
	CHECK(ml == 1004 && strlen(mp) == 1004);
	free(mp);
}

static void short_options(void)
{
	char *av[] = { "p", "-a", "-bval", "-c", "-ab", "x", "y", "-a", NULL };
	int o, a = 0, b = 0, unknown = 0;
	optind = 1;
	opterr = 0;
	while ((o = getopt(8, av, "ab:")) != -1) {
		if (o == 'a')
			a++;
		else if (o == 'b')
			b += strcmp(optarg, "val") == 0 ? 1 : strcmp(optarg, "x") == 0 ? 10 : 100;
		else if (o == '?')
			unknown += optopt == 'c';
	}
	CHECK_EQ(a, 2);
	CHECK_EQ(b, 11);
	CHECK_EQ(unknown, 1);
	CHECK_EQ(optind, 6); /* stopped at the operand "y": no permutation */
	char *missing[] = { "p", "-b", NULL };
	optind = 1;
	CHECK(getopt(2, missing, ":b:") == ':' && optopt == 'b' && optind == 2);
	optind = 1;
	CHECK(getopt(2, missing, "b:") == '?' && optopt == 'b');
	char *dashes[] = { "p", "--", "-a", NULL };
	optind = 1;
	CHECK(getopt(3, dashes, "a") == -1 && optind == 2);
	char *dash[] = { "p", "-", NULL };
	optind = 1;
	CHECK(getopt(2, dash, "a") == -1 && optind == 1);
}

static void long_options(void)
{
	static const struct option lo[] = { { "verbose", no_argument, NULL, 'v' },
					    { "file", required_argument, NULL, 'f' },
					    { "level", optional_argument, NULL, 'l' },
					    { NULL, 0, NULL, 0 } };
	char *av[] = { "p",	  "--verbose", "--file=x", "--fil",   "y",
		       "--level", "--lev=3",   "-v",	   "--bogus", NULL };
	int got[16] = { 0 }, n = 0, o, idx = -1;
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(9, av, "vf:l::", lo, &idx)) != -1 && n < 16)
		got[n++] = o;
	CHECK_EQ(n, 7);
	CHECK(got[0] == 'v' && got[1] == 'f' && got[2] == 'f' && got[3] == 'l');
	CHECK(got[4] == 'l' && got[5] == 'v' && got[6] == '?');
	CHECK_EQ(optind, 9);
}

int main(void)
{
	last_line();
	open_flags();
	buffering();
	fmem();
	memstream();
	short_options();
	long_options();
	return test_status();
}
