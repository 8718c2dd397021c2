/*
 * An audit of the C library a program ported from Linux leans on, against C11 and
 * POSIX.1-2017: stdio on files and pipes (fopen's modes, counts, positioning, ungetc and
 * the indicators, lines, flushing and buffering, fdopen, freopen, tmpfile, remove), the
 * printf and scanf families, the stdlib and string calls (number conversion, sorting,
 * the environment, mkstemp, strings), clocks and calendar time, sysconf and confstr,
 * fnmatch's patterns.
 * Each CHECK asserts what the standard specifies (the comment names the rule), nothing
 * Linux- or glibc-only; what the standard leaves implementation-defined is not checked.
 * Files live under /tmp/psa_*.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define F1    "/tmp/psa_one"
#define F2    "/tmp/psa_two"
#define F3    "/tmp/psa_three"
#define FMISS "/tmp/psa_missing"
#define FX    "/tmp/psa_excl"

extern char **environ;

static char big[10000];
static char big_in[10000];

/* ---------------------------------------------------------------- helpers */

static void str_is(int line, const char *got, const char *want)
{
	if (!got || strcmp(got, want) != 0) {
		printf("  check failed: %s:%d: got \"%s\", want \"%s\"\n", __FILE__, line,
		       got ? got : "(null)", want);
		test_failures++;
	}
}
#define CHECK_STR(got, want) str_is(__LINE__, (got), (want))

/* vsnprintf of fmt gives want and returns its length (no format checking by the
 * compiler here, so flags it would warn about as redundant can be tried). */
static void fmt_is(int line, const char *want, const char *fmt, ...)
{
	char b[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	if (strcmp(b, want) != 0 || n != (int)strlen(want)) {
		printf("  check failed: %s:%d: \"%s\" gave \"%s\" (%d), want \"%s\"\n", __FILE__,
		       line, fmt, b, n, want);
		test_failures++;
	}
}
#define FMT(want, ...) fmt_is(__LINE__, want, __VA_ARGS__)

static void put_bytes(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK_EQ(write(fd, data, len), (long)len);
		close(fd);
	}
}

static long size_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Run fn in a child; its exit status (or -1). */
static int in_child(int (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn());
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* ---------------------------------------------------------------- stdio on files */

static void fopen_modes(void)
{
	char b[64];
	FILE *f;

	unlink(FMISS);
	/* POSIX fopen ERRORS: ENOENT, "a component of filename does not name an existing
	 * file" (r and r+ do not create) */
	errno = 0;
	// cppcheck-suppress leakReturnValNotUsed
	CHECK(fopen(FMISS, "r") == NULL);
	CHECK_EQ(errno, ENOENT);
	errno = 0;
	// cppcheck-suppress leakReturnValNotUsed
	CHECK(fopen(FMISS, "r+") == NULL);
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(access(FMISS, F_OK), -1);

	/* C11 7.21.5.3: "w" truncates to zero length or creates */
	put_file(F1, "hello world");
	f = fopen(F1, "w");
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ(size_of(F1), 0); /* truncated at the open */
		CHECK(fputs("new", f) >= 0);
		CHECK_EQ(fclose(f), 0);
	}
	CHECK_EQ(get_file(F1, b, sizeof(b)), 3);
	CHECK_STR(b, "new");

	/* C11 7.21.5.3p6: append mode forces every write to the then current end of
	 * file, "regardless of intervening calls to the fseek function" */
	put_file(F1, "abc");
	f = fopen(F1, "a");
	CHECK(f != NULL);
	if (f) {
		CHECK(fputs("de", f) >= 0);
		// cppcheck-suppress seekOnAppendedFile
		CHECK_EQ(fseek(f, 0, SEEK_SET), 0);
		CHECK(fputs("fg", f) >= 0);
		CHECK_EQ(fclose(f), 0);
	}
	get_file(F1, b, sizeof(b));
	CHECK_STR(b, "abcdefg");

	/* "a+": reading is positioned by fseek, writes still go to the end; C11 7.21.5.3p7:
	 * a positioning call between input and output */
	put_file(F1, "abc");
	f = fopen(F1, "a+");
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ(fseek(f, 0, SEEK_SET), 0);
		CHECK_EQ(getc(f), 'a');
		CHECK_EQ(fseek(f, 0, SEEK_CUR), 0);
		CHECK_EQ(fputc('Z', f), 'Z');
		CHECK_EQ(fclose(f), 0);
	}
	get_file(F1, b, sizeof(b));
	CHECK_STR(b, "abcZ");

	/* "r+": update without truncation; output after input needs a positioning call,
	 * which puts the write where reading stopped */
	put_file(F1, "abcdef");
	f = fopen(F1, "r+");
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ(size_of(F1), 6);
		CHECK_EQ(getc(f), 'a');
		CHECK_EQ(getc(f), 'b');
		CHECK_EQ(fseek(f, 0, SEEK_CUR), 0);
		CHECK_EQ(fputc('X', f), 'X');
		CHECK_EQ(fseek(f, 0, SEEK_CUR), 0);
		CHECK_EQ(getc(f), 'd');
		CHECK_EQ(fclose(f), 0);
	}
	get_file(F1, b, sizeof(b));
	CHECK_STR(b, "abXdef");

	/* "w+": truncate, then read back what was written after rewind */
	f = fopen(F1, "w+");
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ(size_of(F1), 0);
		CHECK(fputs("hello\n", f) >= 0);
		rewind(f);
		CHECK(fgets(b, sizeof(b), f) == b);
		CHECK_STR(b, "hello\n");
		CHECK_EQ(fclose(f), 0);
	}

	/* C11 7.21.5.3p5: 'x' fails if the file exists (POSIX: as O_EXCL, EEXIST), and
	 * then the file is left alone */
	put_file(FX, "keep");
	errno = 0;
	// cppcheck-suppress leakReturnValNotUsed
	CHECK(fopen(FX, "wx") == NULL);
	CHECK_EQ(errno, EEXIST);
	errno = 0;
	// cppcheck-suppress leakReturnValNotUsed
	CHECK(fopen(FX, "w+x") == NULL);
	CHECK_EQ(errno, EEXIST);
	CHECK_EQ(size_of(FX), 4);
	unlink(FX);
	f = fopen(FX, "wx");
	CHECK(f != NULL);
	if (f)
		CHECK_EQ(fclose(f), 0);
	CHECK_EQ(size_of(FX), 0);
	unlink(FX);
}

static void counts(void)
{
	char b[64];
	FILE *f = fopen(F2, "w+");
	CHECK(f != NULL);
	if (!f)
		return;
	/* C11 7.21.8.2: fwrite returns the number of elements written */
	CHECK_EQ(fwrite("abcdefghij", 2, 5, f), 5);
	/* C11 7.21.8: a size or count of zero returns zero and changes nothing */
	CHECK_EQ(fwrite("zz", 0, 2, f), 0);
	CHECK_EQ(fwrite("zz", 1, 0, f), 0);
	rewind(f);
	/* C11 7.21.8.1: fread returns the number of whole elements read, less than
	 * nmemb at end of file (10 bytes: two elements of 4) */
	CHECK_EQ(fread(b, 4, 3, f), 2);
	CHECK(memcmp(b, "abcdefgh", 8) == 0);
	CHECK(feof(f) != 0);
	CHECK(ferror(f) == 0);
	CHECK_EQ(fread(b, 1, 1, f), 0);
	CHECK_EQ(fread(b, 0, 5, f), 0);
	CHECK_EQ(fclose(f), 0);
	CHECK_EQ(size_of(F2), 10);

	/* C11 7.21.7.3: fputc writes c converted to unsigned char and returns it; fgetc
	 * returns the byte as unsigned char converted to int, so 0xff is not EOF */
	f = fopen(F2, "w+");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_EQ(fputc(0xff, f), 0xff);
	// cppcheck-suppress invalidFunctionArg
	CHECK_EQ(fputc(-1, f), 0xff);
	CHECK_EQ(putc('q', f), 'q');
	rewind(f);
	CHECK_EQ(getc(f), 0xff);
	CHECK_EQ(fgetc(f), 0xff);
	CHECK_EQ(getc(f), 'q');
	CHECK_EQ(getc(f), EOF);
	CHECK_EQ(fclose(f), 0);

	/* larger than any stream buffer, both ways, and a seek into the middle */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + i / 251);
	f = fopen(F2, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_EQ(fwrite(big, 1, 3333, f), 3333);
	CHECK_EQ(fwrite(big + 3333, 1, sizeof(big) - 3333, f), (long)sizeof(big) - 3333);
	CHECK_EQ(fclose(f), 0);
	CHECK_EQ(size_of(F2), (long)sizeof(big));
	f = fopen(F2, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_EQ(fread(big_in, 1, sizeof(big_in), f), (long)sizeof(big_in));
	CHECK(memcmp(big, big_in, sizeof(big)) == 0);
	CHECK_EQ(fseek(f, 7001, SEEK_SET), 0);
	CHECK_EQ(getc(f), (unsigned char)big[7001]);
	CHECK_EQ(ftell(f), 7002);
	CHECK_EQ(fclose(f), 0);
}

static void seeking(void)
{
	char b[32];
	fpos_t pos;
	FILE *f = fopen(F1, "w+");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(fputs("0123456789", f) >= 0);
	/* POSIX fseek: unwritten buffered data is written to the file first */
	CHECK_EQ(fseek(f, 3, SEEK_SET), 0);
	CHECK_EQ(size_of(F1), 10);
	CHECK_EQ(ftell(f), 3);
	CHECK_EQ(getc(f), '3');
	CHECK_EQ(ftell(f), 4);
	CHECK_EQ(fseek(f, 2, SEEK_CUR), 0);
	CHECK_EQ(ftell(f), 6);
	CHECK_EQ(getc(f), '6');
	CHECK_EQ(fseek(f, -1, SEEK_END), 0);
	CHECK_EQ(ftell(f), 9);
	CHECK_EQ(getc(f), '9');
	CHECK_EQ(getc(f), EOF);
	CHECK(feof(f) != 0);
	/* C11 7.21.9.2p5: a successful fseek clears the end-of-file indicator */
	CHECK_EQ(fseek(f, 0, SEEK_SET), 0);
	CHECK(feof(f) == 0);
	/* POSIX fseek ERRORS: EINVAL for a bad whence or a negative resulting position */
	errno = 0;
	// cppcheck-suppress invalidFunctionArg
	CHECK_EQ(fseek(f, 0, 42), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_FAILS(fseek(f, -20, SEEK_SET), EINVAL);
	/* C11 7.21.9.1/3: fsetpos returns to the position fgetpos stored */
	CHECK_EQ(fseek(f, 2, SEEK_SET), 0);
	CHECK_EQ(fgetpos(f, &pos), 0);
	CHECK_EQ(getc(f), '2');
	CHECK_EQ(getc(f), '3');
	CHECK_EQ(fsetpos(f, &pos), 0);
	CHECK_EQ(getc(f), '2');
	CHECK_EQ(ftell(f), 3);
	/* POSIX fseek: past the end, then a write: the gap reads as zero bytes */
	CHECK_EQ(fseek(f, 5, SEEK_END), 0);
	CHECK_EQ(ftell(f), 15);
	CHECK_EQ(fputc('x', f), 'x');
	CHECK_EQ(fflush(f), 0);
	CHECK_EQ(size_of(F1), 16);
	CHECK_EQ(fseek(f, 10, SEEK_SET), 0);
	CHECK_EQ(fread(b, 1, sizeof(b), f), 6);
	CHECK(memcmp(b, "\0\0\0\0\0x", 6) == 0);
	/* C11 7.21.9.5: rewind is fseek to 0 and clears the error indicator too */
	rewind(f);
	CHECK_EQ(ftell(f), 0);
	CHECK_EQ(getc(f), '0');
	CHECK_EQ(fclose(f), 0);

	/* ftell of a buffered input stream is the stream's position, not how far the
	 * buffer read ahead (C11 7.21.9.4) */
	f = fopen(F1, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_EQ(getc(f), '0');
	CHECK_EQ(ftell(f), 1);
	CHECK_EQ(fseeko(f, 4, SEEK_SET), 0);
	CHECK_EQ(ftello(f), 4);
	CHECK_EQ(fclose(f), 0);
}

static void ungetc_and_indicators(void)
{
	put_file(F3, "ab");
	FILE *f = fopen(F3, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_EQ(getc(f), 'a');
	/* C11 7.21.7.10: one pushed-back character is guaranteed; it is read next, and
	 * the position of a binary stream (every POSIX stream) goes back by one */
	CHECK_EQ(ungetc('Z', f), 'Z');
	CHECK_EQ(ftell(f), 0);
	CHECK_EQ(ftello(f), 0);
	fpos_t pos;
	CHECK_EQ(fgetpos(f, &pos), 0);
	CHECK_EQ(getc(f), 'Z');
	CHECK_EQ(ftell(f), 1);
	/* fseek from SEEK_CUR counts from that position, and drops the pushed-back byte */
	CHECK_EQ(ungetc('Z', f), 'Z');
	CHECK_EQ(fseek(f, 1, SEEK_CUR), 0);
	CHECK_EQ(ftell(f), 1);
	CHECK_EQ(getc(f), 'b');
	CHECK_EQ(fseek(f, -1, SEEK_CUR), 0);
	/* fsetpos goes back to where fgetpos was, before the pushed-back byte */
	CHECK_EQ(fsetpos(f, &pos), 0);
	CHECK_EQ(getc(f), 'a');
	CHECK_EQ(fseek(f, 1, SEEK_SET), 0);
	CHECK_EQ(getc(f), 'b');
	CHECK_EQ(getc(f), EOF);
	CHECK(feof(f) != 0);
	CHECK(ferror(f) == 0);
	/* "A successful call to the ungetc function clears the end-of-file indicator" */
	CHECK_EQ(ungetc('q', f), 'q');
	CHECK(feof(f) == 0);
	CHECK_EQ(getc(f), 'q');
	CHECK_EQ(getc(f), EOF);
	/* ungetc(EOF) fails and leaves the input unchanged */
	CHECK_EQ(ungetc(EOF, f), EOF);
	CHECK_EQ(getc(f), EOF);
	/* C11 7.21.10.1: clearerr clears both indicators */
	clearerr(f);
	CHECK(feof(f) == 0);
	/* C11 7.21.9.2: a successful fseek undoes ungetc */
	rewind(f);
	CHECK_EQ(ungetc('Y', f), 'Y');
	CHECK_EQ(fseek(f, 0, SEEK_SET), 0);
	CHECK_EQ(getc(f), 'a');
	/* the pushed-back value is converted to unsigned char */
	CHECK_EQ(ungetc(0xff, f), 0xff);
	CHECK_EQ(getc(f), 0xff);
	CHECK_EQ(getc(f), 'b');

	/* POSIX fputc: a stream whose descriptor is not open for writing fails (EBADF,
	 * at the latest when the buffer is flushed) and sets the error indicator */
	errno = 0;
	// cppcheck-suppress IOWithoutPositioning
	int failed = fputc('x', f) == EOF;
	CHECK_EQ(errno, EBADF);
	failed |= fflush(f) == EOF;
	CHECK(failed);
	CHECK(ferror(f) != 0);
	/* so do the string, block and formatted writes */
	clearerr(f);
	errno = 0;
	// cppcheck-suppress IOWithoutPositioning
	CHECK_EQ(fputs("x", f), EOF);
	CHECK(ferror(f) != 0 && errno == EBADF);
	clearerr(f);
	// cppcheck-suppress IOWithoutPositioning
	CHECK_EQ(fwrite("x", 1, 1, f), 0);
	CHECK(ferror(f) != 0);
	clearerr(f);
	// cppcheck-suppress IOWithoutPositioning
	CHECK(fprintf(f, "%d", 1) < 0);
	CHECK(ferror(f) != 0);
	/* C11 7.21.9.5: rewind clears the error indicator */
	rewind(f);
	CHECK(ferror(f) == 0);
	CHECK_EQ(fclose(f), 0);

	/* POSIX fgetc ERRORS: EBADF, not open for reading; C11: read error -> EOF, the
	 * error indicator set (not the end-of-file one) */
	f = fopen(F3, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	errno = 0;
	CHECK_EQ(getc(f), EOF);
	CHECK(feof(f) == 0);
	CHECK(ferror(f) != 0);
	CHECK_EQ(errno, EBADF);
	clearerr(f);
	char rb[8];
	// cppcheck-suppress IOWithoutPositioning
	CHECK(fgets(rb, sizeof(rb), f) == NULL);
	CHECK(ferror(f) != 0 && feof(f) == 0);
	clearerr(f);
	// cppcheck-suppress IOWithoutPositioning
	CHECK_EQ(fread(rb, 1, 1, f), 0);
	CHECK(ferror(f) != 0);
	clearerr(f);
	int got = 0;
	// cppcheck-suppress IOWithoutPositioning
	CHECK_EQ(fscanf(f, "%d", &got), EOF);
	CHECK(ferror(f) != 0);
	clearerr(f);
	CHECK(ferror(f) == 0);
	fclose(f);
}

static void lines(void)
{
	char b[64];
	put_file(F1, "first line\nsecond\nlast");
	FILE *f = fopen(F1, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	/* C11 7.21.7.2: fgets keeps the newline, reads at most n - 1 characters, and
	 * returns NULL only when end of file comes before any character */
	CHECK(fgets(b, sizeof(b), f) == b);
	CHECK_STR(b, "first line\n");
	CHECK(fgets(b, 4, f) == b);
	CHECK_STR(b, "sec");
	CHECK(fgets(b, sizeof(b), f) == b);
	CHECK_STR(b, "ond\n");
	CHECK(fgets(b, sizeof(b), f) == b);
	CHECK_STR(b, "last");
	CHECK(fgets(b, sizeof(b), f) == NULL);
	CHECK(feof(f) != 0);
	fclose(f);

	/* POSIX getline/getdelim: the count includes the delimiter, the buffer is NUL
	 * terminated and grown as needed (*n updated); -1 at end of file with the
	 * end-of-file indicator set */
	put_bytes(F1, "one\ntwo\n\nthree", 14);
	f = fopen(F1, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	char *line = NULL;
	size_t n = 0;
	CHECK_EQ(getline(&line, &n, f), 4);
	CHECK(line != NULL && n >= 5);
	CHECK_STR(line, "one\n");
	CHECK_EQ(getline(&line, &n, f), 4);
	CHECK_STR(line, "two\n");
	CHECK_EQ(getline(&line, &n, f), 1);
	CHECK_STR(line, "\n");
	CHECK_EQ(getline(&line, &n, f), 5);
	CHECK_STR(line, "three");
	CHECK_EQ(getline(&line, &n, f), -1);
	CHECK(feof(f) != 0);
	fclose(f);
	free(line);

	/* a small caller's buffer is grown; bytes after a NUL count */
	put_bytes(F1, "x\0yz\na:bc:", 10);
	f = fopen(F1, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	line = malloc(2);
	n = 2;
	CHECK_EQ(getline(&line, &n, f), 5);
	CHECK(n >= 6);
	CHECK(line && memcmp(line, "x\0yz\n", 6) == 0);
	CHECK_EQ(getdelim(&line, &n, ':', f), 2);
	CHECK_STR(line, "a:");
	CHECK_EQ(getdelim(&line, &n, ':', f), 3);
	CHECK_STR(line, "bc:");
	CHECK_EQ(getdelim(&line, &n, ':', f), -1);
	/* POSIX getline ERRORS: EINVAL, lineptr or n a null pointer */
	CHECK_FAILS(getline(NULL, &n, f), EINVAL);
	CHECK_FAILS(getline(&line, NULL, f), EINVAL);
	fclose(f);
	free(line);

	/* C11 7.21.7.4: fputs returns a nonnegative value; puts-like output with putc */
	f = fopen(F1, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(fputs("ab", f) >= 0);
	CHECK_EQ(putc('\n', f), '\n');
	CHECK(fputs("", f) >= 0);
	CHECK_EQ(fclose(f), 0);
	get_file(F1, b, sizeof(b));
	CHECK_STR(b, "ab\n");
}

static int child_exit_flushes(void)
{
	FILE *f = fopen(F3, "w");
	if (!f)
		return 2;
	fputs("from the child", f);
	exit(0); /* never fclose'd */
}

static void flushing(void)
{
	char b[300];
	FILE *f;

	/* POSIX fflush: for a seekable input stream, the descriptor's offset becomes the
	 * stream's position */
	put_file(F1, "abcdef");
	f = fopen(F1, "r");
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ(getc(f), 'a');
		CHECK_EQ(fflush(f), 0);
		CHECK_EQ(lseek(fileno(f), 0, SEEK_CUR), 1);
		CHECK_EQ(getc(f), 'b');
		CHECK_EQ(fclose(f), 0);
	}

	/* POSIX fclose: for a seekable input stream not at EOF, the offset of the open
	 * file description is set to the stream's position */
	int fd = open(F1, O_RDONLY);
	int fd2 = dup(fd);
	f = fdopen(fd, "r");
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ(getc(f), 'a');
		CHECK_EQ(getc(f), 'b');
		CHECK_EQ(fclose(f), 0);
		CHECK_EQ(lseek(fd2, 0, SEEK_CUR), 2);
	}
	close(fd2);

	/* C11 7.21.5.2 / POSIX fflush: unwritten data is written to the file */
	f = fopen(F1, "w");
	CHECK(f != NULL);
	if (f) {
		CHECK(fputs("xyz", f) >= 0);
		CHECK_EQ(fflush(f), 0);
		CHECK_EQ(size_of(F1), 3);
		CHECK_EQ(fclose(f), 0);
	}

	/* C11 7.21.5.1: fclose delivers unwritten buffered data */
	f = fopen(F1, "w");
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ(fprintf(f, "data %d", 42), 7);
		CHECK_EQ(fclose(f), 0);
	}
	get_file(F1, b, sizeof(b));
	CHECK_STR(b, "data 42");

	/* C11 7.22.4.4: exit flushes every open stream with unwritten data */
	unlink(F3);
	CHECK_EQ(in_child(child_exit_flushes), 0);
	get_file(F3, b, sizeof(b));
	CHECK_STR(b, "from the child");

	/* C11 7.21.5.6: setvbuf before any other operation returns zero; nonzero for an
	 * invalid mode. The data arrives whole in each mode. */
	static char vbuf[64];
	static const int modes[] = { _IOFBF, _IOLBF, _IONBF };
	for (int m = 0; m < 3; m++) {
		f = fopen(F1, "w");
		CHECK(f != NULL);
		if (!f)
			continue;
		CHECK_EQ(setvbuf(f, m == 1 ? vbuf : NULL, modes[m], sizeof(vbuf)), 0);
		for (int i = 0; i < 25; i++)
			CHECK(fputs("0123456789", f) >= 0);
		CHECK_EQ(fclose(f), 0);
		CHECK_EQ(get_file(F1, b, sizeof(b)), 250);
		CHECK(strncmp(b + 240, "0123456789", 10) == 0);
	}
	f = fopen(F1, "r");
	CHECK(f != NULL);
	if (f) {
		// cppcheck-suppress invalidFunctionArg
		CHECK(setvbuf(f, NULL, 12345, 16) != 0);
		fclose(f);
	}
}

static void descriptors(void)
{
	char b[64];
	FILE *f;

	/* POSIX fileno: the standard streams are 0, 1, 2; a stream's own descriptor */
	CHECK_EQ(fileno(stdin), STDIN_FILENO);
	CHECK_EQ(fileno(stdout), STDOUT_FILENO);
	CHECK_EQ(fileno(stderr), STDERR_FILENO);
	put_file(F1, "0123456789");
	f = fopen(F1, "r");
	CHECK(f != NULL);
	if (f) {
		int fd = fileno(f);
		CHECK(fd > STDERR_FILENO);
		CHECK(fcntl(fd, F_GETFD) >= 0);
		CHECK_EQ(fclose(f), 0);
		/* POSIX fclose: performs a close() of the descriptor */
		CHECK_FAILS(fcntl(fd, F_GETFD), EBADF);
	}

	/* POSIX fdopen: the stream starts at the descriptor's offset; "w" does not
	 * truncate */
	int fd = open(F1, O_RDWR);
	CHECK(fd >= 0);
	CHECK_EQ(lseek(fd, 4, SEEK_SET), 4);
	f = fdopen(fd, "r+");
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ(getc(f), '4');
		CHECK_EQ(ftell(f), 5);
		CHECK_EQ(fseek(f, 1, SEEK_CUR), 0);
		CHECK_EQ(getc(f), '6');
		CHECK_EQ(fseek(f, 0, SEEK_SET), 0);
		CHECK_EQ(getc(f), '0');
		CHECK_EQ(fclose(f), 0);
	}
	fd = open(F1, O_WRONLY);
	f = fdopen(fd, "w");
	CHECK(f != NULL);
	if (f)
		CHECK_EQ(fclose(f), 0);
	CHECK_EQ(size_of(F1), 10);

	/* fdopen on a pipe: the data goes through after fflush; POSIX ftell/fseek
	 * ERRORS: ESPIPE for a pipe; end of file once the writer is gone */
	int p[2];
	CHECK_EQ(pipe(p), 0);
	FILE *w = fdopen(p[1], "w");
	FILE *r = fdopen(p[0], "r");
	CHECK(w != NULL && r != NULL);
	if (!w || !r)
		return;
	CHECK_EQ(fprintf(w, "pipe %d\n", 7), 7);
	CHECK_EQ(fflush(w), 0);
	CHECK(fgets(b, sizeof(b), r) == b);
	CHECK_STR(b, "pipe 7\n");
	CHECK_FAILS(ftell(r), ESPIPE);
	CHECK_FAILS(fseek(r, 0, SEEK_SET), ESPIPE);
	CHECK(fputs("tail", w) >= 0);
	CHECK_EQ(fclose(w), 0); /* flushes "tail", closes the write end */
	CHECK(fgets(b, sizeof(b), r) == b);
	CHECK_STR(b, "tail");
	CHECK_EQ(getc(r), EOF);
	CHECK(feof(r) != 0);
	CHECK_EQ(fclose(r), 0);
}

/* C11 7.21.7.3 / POSIX fputc: a write error (here EPIPE, SIGPIPE ignored) returns EOF
 * and sets the error indicator; fflush and fclose report it too (7.21.5.2, 7.21.5.1) */
static void write_errors(void)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int p[2];
	CHECK_EQ(sigaction(SIGPIPE, &ign, &old), 0);
	CHECK_EQ(pipe(p), 0);
	close(p[0]);
	FILE *w = fdopen(p[1], "w");
	CHECK(w != NULL);
	if (w) {
		CHECK(fputs("lost", w) >= 0); /* buffered: nothing written yet */
		errno = 0;
		CHECK_EQ(fflush(w), EOF);
		CHECK_EQ(errno, EPIPE);
		CHECK(ferror(w) != 0);
		clearerr(w);
		CHECK_EQ(setvbuf(w, NULL, _IONBF, 0), 0);
		errno = 0;
		CHECK_EQ(fputc('x', w), EOF);
		CHECK_EQ(errno, EPIPE);
		CHECK(ferror(w) != 0);
		clearerr(w);
		CHECK_EQ(setvbuf(w, NULL, _IOFBF, 64), 0);
		CHECK(fputs("more", w) >= 0);
		CHECK_EQ(fclose(w), EOF);
	}
	sigaction(SIGPIPE, &old, NULL);
}

/*
 * In a child, so this process keeps its own: stdout and stderr reopened onto files
 * take what printf and fprintf write (flushed at exit), stdin onto a file gives it to
 * fgets and getchar; the stream keeps descriptor 1, 2 or 0.
 */
static void std_reopen(void)
{
	char b[64];
	int st = -1;
	put_file(F3, "in one\nin two\n");
	unlink(F1);
	unlink(F2);
	pid_t kid = fork();
	if (kid == 0) {
		int bad = 0;
		/* each failure ends the child at once: stdin left on the console would wait */
		if (freopen(F1, "w", stdout) != stdout || fileno(stdout) != STDOUT_FILENO)
			_exit(2);
		if (freopen(F2, "a", stderr) != stderr)
			_exit(3);
		if (freopen(F3, "r", stdin) != stdin || fileno(stdin) != STDIN_FILENO)
			_exit(4);
		char line[16] = "";
		bad |= fgets(line, sizeof(line), stdin) != line || strcmp(line, "in one\n") != 0;
		bad |= getchar() != 'i';
		printf("out %d\n", 1);
		fprintf(stderr, "err\n");
		fputs("out 2", stdout);
		/* a missing file: NULL, ENOENT */
		errno = 0;
		bad |= freopen(FMISS, "r", stdin) != NULL || errno != ENOENT;
		exit(bad);
	}
	CHECK(kid > 0);
	if (kid <= 0)
		return;
	CHECK_EQ(waitpid(kid, &st, 0), kid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(get_file(F1, b, sizeof(b)), 11);
	CHECK_STR(b, "out 1\nout 2");
	CHECK_EQ(get_file(F2, b, sizeof(b)), 4);
	CHECK_STR(b, "err\n");
}

static void reopen_and_temporaries(void)
{
	char b[64];

	/* C11 7.21.5.4: freopen opens the named file on the same stream and returns it */
	put_file(F1, "first");
	put_file(F2, "second");
	FILE *f = fopen(F1, "r");
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ(getc(f), 'f');
		// cppcheck-suppress leakReturnValNotUsed
		CHECK(freopen(F2, "r", f) == f);
		CHECK(fgets(b, sizeof(b), f) == b);
		CHECK_STR(b, "second");
		/* "The mode argument is used just as in the fopen function": 'x' refuses an
		 * existing file and leaves it alone */
		errno = 0;
		// cppcheck-suppress leakReturnValNotUsed
		CHECK(freopen(F2, "wx", f) == NULL);
		CHECK_EQ(errno, EEXIST);
		CHECK_EQ(get_file(F2, b, sizeof(b)), 6);
		CHECK_STR(b, "second");
		// cppcheck-suppress resourceLeak
		f = fopen(F2, "r");
	}
	/* 'x' on a name not there makes the file; freopen(NULL) keeps it, for another mode */
	unlink(F3);
	// cppcheck-suppress leakReturnValNotUsed
	if (f && freopen(F3, "wx", f) == f) {
		CHECK(fputs("made", f) >= 0);
		// cppcheck-suppress leakReturnValNotUsed
		CHECK(freopen(NULL, "a", f) == f);
		CHECK(fputs("+", f) >= 0);
		CHECK(fflush(f) == 0);
		CHECK_EQ(get_file(F3, b, sizeof(b)), 5);
		CHECK_STR(b, "made+");
		/* a descriptor opened for writing only cannot become a reading stream */
		errno = 0;
		// cppcheck-suppress leakReturnValNotUsed
		CHECK(freopen(NULL, "r", f) == NULL);
		CHECK_EQ(errno, EBADF);
		// cppcheck-suppress resourceLeak
		f = fopen(F2, "r");
	} else {
		CHECK(!"freopen(\"wx\") of a new name");
	}
	if (f) {
		/* a failed freopen returns NULL (POSIX: ENOENT) */
		unlink(FMISS);
		errno = 0;
		// cppcheck-suppress leakReturnValNotUsed
		CHECK(freopen(FMISS, "r", f) == NULL);
		CHECK_EQ(errno, ENOENT);
	}

	/* C11 7.21.5.4: "The primary use of the freopen function is to change the file
	 * associated with a standard text stream (stderr, stdin, or stdout)" */
	std_reopen();

	/* C11 7.21.4.3: tmpfile makes a binary file opened for update */
	f = tmpfile();
	CHECK(f != NULL);
	if (f) {
		CHECK(fputs("tmp", f) >= 0);
		rewind(f);
		CHECK(fgets(b, sizeof(b), f) == b);
		CHECK_STR(b, "tmp");
		CHECK_EQ(fclose(f), 0);
	}

	/* C11 7.21.4.4: tmpnam names no existing file */
	char *t = tmpnam(NULL);
	CHECK(t != NULL);
	if (t)
		CHECK_EQ(access(t, F_OK), -1);

	/* C11 7.21.4.1, POSIX remove: the name is gone; a missing one is ENOENT */
	put_file(F1, "x");
	CHECK_EQ(remove(F1), 0);
	CHECK_EQ(access(F1, F_OK), -1);
	CHECK_FAILS(remove(F1), ENOENT);
}

/* ---------------------------------------------------------------- printf, scanf */

static void printf_n_and_long_double(void);

static void printf_family(void)
{
	char b[64];
	volatile size_t five = 5, one = 1; /* not constants: no truncation warnings */

	/* C11 7.21.6.5: snprintf returns the length the full output would have had,
	 * writes at most n - 1 characters and a NUL; n == 0 writes nothing */
	memset(b, 'Z', sizeof(b));
	CHECK_EQ(snprintf(b, five, "%s", "hello world"), 11);
	CHECK_STR(b, "hell");
	CHECK_EQ(b[5], 'Z');
	CHECK_EQ(snprintf(NULL, 0, "%d", 12345), 5);
	b[0] = 'Z';
	CHECK_EQ(snprintf(b, 0, "abc"), 3);
	CHECK_EQ(b[0], 'Z');
	CHECK_EQ(snprintf(b, one, "abc"), 3);
	CHECK_EQ(b[0], 0);
	CHECK_EQ(sprintf(b, "%d-%s", 7, "x"), 3);
	CHECK_STR(b, "7-x");

	/* C11 7.21.6.1: length modifiers */
	FMT("42", "%zu", (size_t)42);
	FMT("18446744073709551615", "%zu", (size_t)-1);
	FMT("-9000000000", "%jd", (intmax_t)-9000000000LL);
	FMT("18446744073709551615", "%ju", UINTMAX_MAX);
	FMT("-9223372036854775808", "%lld", LLONG_MIN);
	FMT("9223372036854775807", "%lld", LLONG_MAX);
	FMT("18446744073709551615", "%llu", ULLONG_MAX);
	FMT("-9223372036854775808", "%ld", LONG_MIN);
	FMT("-2147483648", "%d", INT_MIN);
	FMT("4294967295", "%u", UINT_MAX);
	FMT("-5", "%td", (ptrdiff_t)-5);
	FMT("-5", "%hhd", -5);
	FMT("1", "%hhu", 257); /* converted to unsigned char before printing */
	FMT("1", "%hu", 65537);
	FMT("-3", "%hd", -3);
	/* flags */
	FMT("ff", "%x", 255);
	FMT("FF", "%X", 255);
	FMT("0xff", "%#x", 255);
	FMT("0XFF", "%#X", 255);
	FMT("0", "%#x", 0); /* "a nonzero result has 0x prefixed" */
	FMT("10", "%o", 8);
	FMT("010", "%#o", 8);
	FMT("0", "%#o", 0);
	FMT("+5", "%+d", 5);
	FMT("-5", "%+d", -5);
	FMT(" 5", "% d", 5);
	FMT("-5", "% d", -5);
	FMT("+5", "%+ d", 5); /* + overrides space */
	FMT("5    |", "%-5d|", 5);
	FMT("-0042", "%05d", -42);
	FMT("42   |", "%-05d|", 42); /* - overrides 0 */
	FMT("  007", "%05.3d", 7);   /* 0 ignored with a precision */
	FMT("", "%.0d", 0);	     /* zero with precision zero: no characters */
	FMT("abc", "%.3s", "abcdef");
	FMT("   ab", "%5s", "ab");
	FMT("ab   |", "%-5s|", "ab");
	FMT("A", "%c", 'A');
	FMT("    x", "%5c", 'x');
	FMT("%", "%%");
	FMT("   42", "%*d", 5, 42);
	FMT("42   |", "%*d|", -5, 42); /* a negative width is - and the width */
	FMT("ab", "%.*s", 2, "abc");
	FMT("7", "%.*d", -1, 7); /* a negative precision is as if omitted */
	/* POSIX: numbered arguments */
	FMT("b a", "%2$s %1$s", "a", "b");
	FMT("x-x", "%1$s-%1$s", "x");
	FMT("   42", "%1$*2$d", 42, 5);
	/* floating point: only what C11 fixes */
	FMT("1.234500e+03", "%e", 1234.5);
	FMT("1.234500E+03", "%E", 1234.5);
	FMT("0.000000e+00", "%e", 0.0);
	FMT("1.000000e-10", "%e", 1e-10);
	FMT("1.000000e+100", "%e", 1e100);
	FMT("1.23e+04", "%.2e", 12345.678);
	FMT("1.500000", "%f", 1.5);
	FMT("3.14", "%.2f", 3.14159);
	FMT("   3.142", "%8.3f", 3.14159);
	FMT("3.14    |", "%-8.2f|", 3.14159);
	FMT("+2.0", "%+.1f", 2.0);
	FMT("4", "%.0f", 3.7);
	FMT("3.", "%#.0f", 3.0);
	FMT("100000000000000000000.000000", "%f", 1e20);
	FMT("0.0001", "%g", 0.0001);
	FMT("1e-05", "%g", 0.00001);
	FMT("123456", "%g", 123456.0);
	FMT("1.23457e+06", "%g", 1234567.0);
	FMT("100", "%g", 100.0);
	FMT("1.5", "%g", 1.5);
	FMT("0", "%g", 0.0);
	FMT("3.14", "%.3g", 3.14159);
	FMT("1.00000", "%#g", 1.0);
	FMT("1E+06", "%G", 1e6);
	/* inf and nan: [-]inf or [-]infinity, [-]nan or [-]nan(chars) */
	snprintf(b, sizeof(b), "%f", (double)INFINITY);
	CHECK(strncmp(b, "inf", 3) == 0);
	snprintf(b, sizeof(b), "%F", -(double)INFINITY);
	CHECK(strncmp(b, "-INF", 4) == 0);
	snprintf(b, sizeof(b), "%e", (double)NAN);
	CHECK(strncmp(b, "nan", 3) == 0 || strncmp(b, "-nan", 4) == 0);
	/* %a: [-]0xh.hhhhp±d, exact when no precision is given */
	snprintf(b, sizeof(b), "%a", 0.1);
	CHECK(strncmp(b, "0x", 2) == 0 && strchr(b, 'p') != NULL);
	CHECK(strtod(b, NULL) == 0.1);
	snprintf(b, sizeof(b), "%a", -3.75);
	CHECK(strncmp(b, "-0x", 3) == 0);
	CHECK(strtod(b, NULL) == -3.75);
	snprintf(b, sizeof(b), "%A", 1.0);
	CHECK(strncmp(b, "0X", 2) == 0 && strstr(b, "P+") != NULL);
	/* %p: scanf's %p gives back the same pointer */
	int local = 0;
	void *back = NULL;
	CHECK(snprintf(b, sizeof(b), "%p", (void *)&local) > 0);
	CHECK_EQ(sscanf(b, "%p", &back), 1);
	CHECK(back == (void *)&local);

	/* fprintf returns the count written */
	FILE *f = fopen(F1, "w");
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ(fprintf(f, "%5d|%-3s|%c", 12, "a", 'z'), 11);
		CHECK_EQ(fclose(f), 0);
		get_file(F1, b, sizeof(b));
		CHECK_STR(b, "   12|a  |z");
	}
	printf_n_and_long_double();
}

/* C11 7.21.6.1: %n stores the count written so far (its length modifier says the type);
 * L takes a long double for a, e, f, g. (picolibc as built leaves both out: fmtext.c.) */
static void printf_n_and_long_double(void)
{
	char b[64];
	int n = -1;
	short hn = -1;
	long ln = -1;
	FMT("1.500000", "%Lf", 1.5L);
	FMT("  -2.250e+00|0.0001", "%12.3Le|%Lg", -2.25L, 1e-4L);
	FMT("3.25 7", "%2$Lg %1$d", 7, 3.25L); /* numbered arguments (XSI) with them */
	CHECK_EQ(snprintf(b, sizeof(b), "ab%ncd%hn%s%ln", &n, &hn, "xyz", &ln), 7);
	CHECK_STR(b, "abcdxyz");
	CHECK_EQ(n, 2);
	CHECK_EQ(hn, 4);
	CHECK_EQ(ln, 7);
	CHECK_EQ(snprintf(b, sizeof(b), "%*d%n", 6, 1, &n), 6); /* padding counts */
	CHECK_EQ(n, 6);
	long double ld = 0;
	CHECK_EQ(sscanf("6.5,x", "%Lf,%n", &ld, &n), 1);
	CHECK(ld == 6.5L);
	CHECK_EQ(n, 4);
	ld = -1;
	CHECK_EQ(sscanf("5 q", "%d %Lg", &n, &ld), 1); /* no match: the long double stays */
	CHECK(ld == -1);
}

static void scanf_family(void)
{
	int i = 0, j = 0, n = -1;
	unsigned u = 0;
	long l = 0;
	double d = 0;
	char s1[16] = "", s2[16] = "";
	signed char hh = 0;
	size_t z = 0;

	/* C11 7.21.6.2: the count of assigned items; %n assigns without counting */
	// cppcheck-suppress invalidscanf
	CHECK_EQ(sscanf("42 abc xyz9", "%d %s %[a-z]%n", &i, s1, s2, &n), 3);
	CHECK_EQ(i, 42);
	CHECK_STR(s1, "abc");
	CHECK_STR(s2, "xyz");
	CHECK_EQ(n, 10);
	/* EOF for an input failure before the first conversion */
	CHECK_EQ(sscanf("", "%d", &i), EOF);
	CHECK_EQ(sscanf("   ", "%d", &i), EOF);
	/* a matching failure: 0 */
	CHECK_EQ(sscanf("abc", "%d", &i), 0);
	/* a later input failure: what was assigned so far */
	CHECK_EQ(sscanf("1", "%d %d", &i, &j), 1);
	CHECK_EQ(i, 1);
	CHECK_EQ(sscanf("12 34", "%d%d", &i, &j), 2);
	CHECK_EQ(j, 34);
	CHECK_EQ(sscanf("0x1f", "%x", &u), 1);
	CHECK_EQ(u, 31);
	CHECK_EQ(sscanf("0x1f", "%i", &i), 1);
	CHECK_EQ(i, 31);
	CHECK_EQ(sscanf("010", "%i", &i), 1);
	CHECK_EQ(i, 8);
	CHECK_EQ(sscanf("-9223372036854775808", "%ld", &l), 1);
	CHECK(l == LONG_MIN);
	CHECK_EQ(sscanf("-12", "%hhd", &hh), 1);
	CHECK_EQ(hh, -12);
	CHECK_EQ(sscanf("77", "%zu", &z), 1);
	CHECK_EQ(z, 77);
	CHECK_EQ(sscanf("3.25e1", "%lf", &d), 1);
	CHECK(d == 32.5);
	CHECK_EQ(sscanf("hello world", "%5s", s1), 1);
	CHECK_STR(s1, "hell"
		      "o");
	CHECK_EQ(sscanf("hello", "%3s", s1), 1);
	CHECK_STR(s1, "hel");
	// cppcheck-suppress invalidscanf
	CHECK_EQ(sscanf("abc,def", "%[^,],%s", s1, s2), 2);
	CHECK_STR(s1, "abc");
	CHECK_STR(s2, "def");
	CHECK_EQ(sscanf("12 34", "%*d %d", &i), 1); /* suppressed: not counted */
	CHECK_EQ(i, 34);
	char c = 0;
	CHECK_EQ(sscanf(" x", "%c", &c), 1); /* %c does not skip white space */
	CHECK_EQ(c, ' ');
	CHECK_EQ(sscanf("100%", "%d%%", &i), 1);
	CHECK_EQ(sscanf("123456", "%3d%3d", &i, &j), 2);
	CHECK_EQ(i, 123);
	CHECK_EQ(j, 456);
	n = -1;
	CHECK_EQ(sscanf("abc", "%n", &n), 0);
	CHECK_EQ(n, 0);

	/* fscanf: EOF at end of input; the first character that does not match is left
	 * for the next read */
	put_file(F1, "10 20\n12abc");
	FILE *f = fopen(F1, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_EQ(fscanf(f, "%d %d", &i, &j), 2);
	CHECK_EQ(i + j, 30);
	CHECK_EQ(fscanf(f, "%d", &i), 1);
	CHECK_EQ(i, 12);
	CHECK_EQ(fgetc(f), 'a');
	// cppcheck-suppress invalidscanf
	CHECK_EQ(fscanf(f, "%s", s1), 1);
	CHECK_STR(s1, "bc");
	CHECK_EQ(fscanf(f, "%d", &i), EOF);
	CHECK(feof(f) != 0);
	fclose(f);
}

/* ---------------------------------------------------------------- stdlib, string */

static void numbers(void)
{
	char *end;
	const char *s;

	/* C11 7.22.1.4: base 0 takes a sign, 0x and leading 0; white space skipped */
	s = "  -0x1A";
	CHECK_EQ(strtol(s, &end, 0), -26);
	CHECK(end == s + 7);
	CHECK_EQ(strtol("0x1A", NULL, 16), 26);
	CHECK_EQ(strtol("0X1a", NULL, 16), 26);
	CHECK_EQ(strtol("1A", NULL, 16), 26);
	CHECK_EQ(strtol("010", NULL, 0), 8);
	CHECK_EQ(strtol("010", NULL, 10), 10);
	CHECK_EQ(strtol("zz", NULL, 36), 1295);
	s = "1012";
	CHECK_EQ(strtol(s, &end, 2), 5);
	CHECK(end == s + 3);
	s = "08";
	CHECK_EQ(strtol(s, &end, 0), 0); /* "0", then 8 is no octal digit */
	CHECK(end == s + 1);
	s = "0x";
	CHECK_EQ(strtol(s, &end, 16), 0); /* the subject is "0": end at 'x' */
	CHECK(end == s + 1);
	s = "  +12abc";
	CHECK_EQ(strtol(s, &end, 10), 12);
	CHECK(end == s + 5);
	/* no conversion: 0, and endptr is nptr */
	s = "  abc";
	CHECK_EQ(strtol(s, &end, 10), 0);
	CHECK(end == s);
	s = "-";
	CHECK_EQ(strtol(s, &end, 10), 0);
	CHECK(end == s);
	/* out of range: LONG_MAX / LONG_MIN and ERANGE; endptr past all the digits */
	s = "99999999999999999999";
	errno = 0;
	CHECK(strtol(s, &end, 10) == LONG_MAX);
	CHECK_EQ(errno, ERANGE);
	CHECK(end == s + 20);
	errno = 0;
	CHECK(strtol("-99999999999999999999", NULL, 0) == LONG_MIN);
	CHECK_EQ(errno, ERANGE);
	/* POSIX strtol: "shall not change the setting of errno if successful" */
	errno = 0;
	CHECK(strtol("-9223372036854775808", NULL, 10) == LONG_MIN);
	CHECK(strtol("9223372036854775807", NULL, 10) == LONG_MAX);
	CHECK_EQ(errno, 0);
	/* strtoul: a minus sign negates in the return type */
	errno = 0;
	CHECK(strtoul("-1", NULL, 10) == ULONG_MAX);
	CHECK(strtoul("  -0x1A", NULL, 0) == ULONG_MAX - 25);
	CHECK_EQ(errno, 0);
	CHECK(strtoul("0xffffffffffffffff", NULL, 16) == ULONG_MAX);
	errno = 0;
	CHECK(strtoul("18446744073709551616", NULL, 10) == ULONG_MAX);
	CHECK_EQ(errno, ERANGE);
	errno = 0;
	CHECK(strtoll("-9223372036854775809", NULL, 10) == LLONG_MIN);
	CHECK_EQ(errno, ERANGE);
	errno = 0;
	CHECK(strtoll("9223372036854775808", NULL, 0) == LLONG_MAX);
	CHECK_EQ(errno, ERANGE);
	CHECK(strtoull("18446744073709551615", NULL, 10) == ULLONG_MAX);
	/* C11 7.22.1.2: atoi is strtol's value in base 10 */
	CHECK_EQ(atoi("  42x"), 42);
	CHECK_EQ(atoi("-7"), -7);
	CHECK_EQ(atol("123456789012"), 123456789012L);
	CHECK(atoll("-123456789012") == -123456789012LL);

	/* C11 7.22.1.3: strtod */
	s = "1.5e3";
	CHECK(strtod(s, &end) == 1500.0);
	CHECK(end == s + 5);
	s = "  -0.25xyz";
	CHECK(strtod(s, &end) == -0.25);
	CHECK(end == s + 7);
	CHECK(strtod(".5", NULL) == 0.5);
	s = "1e";
	CHECK(strtod(s, &end) == 1.0);
	CHECK(end == s + 1);
	s = "0x1p4";
	CHECK(strtod(s, &end) == 16.0);
	CHECK(end == s + 5);
	CHECK(strtod("0x1.8p1", NULL) == 3.0);
	s = "-INFINITY";
	double v = strtod(s, &end);
	CHECK(isinf(v) && v < 0);
	CHECK(end == s + 9);
	CHECK(isinf(strtod("inf", NULL)));
	CHECK(isnan(strtod("nan", NULL)));
	errno = 0;
	CHECK(strtod("1e400", NULL) == HUGE_VAL);
	CHECK_EQ(errno, ERANGE);
	errno = 0;
	CHECK(strtod("-1e400", NULL) == -HUGE_VAL);
	CHECK_EQ(errno, ERANGE);
	s = "abc";
	CHECK(strtod(s, &end) == 0.0);
	CHECK(end == s);
	CHECK(strtof("1.5", NULL) == 1.5f);
	CHECK(atof("2.5") == 2.5);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void sorting_and_arithmetic(void)
{
	int v[] = { 5, 3, 9, 1, 7, 3, -2, 8 };
	size_t n = sizeof(v) / sizeof(v[0]);
	/* C11 7.22.5.2: ascending order by the comparison */
	qsort(v, n, sizeof(v[0]), cmp_int);
	for (size_t i = 1; i < n; i++)
		CHECK(v[i - 1] <= v[i]);
	CHECK_EQ(v[0], -2);
	CHECK_EQ(v[n - 1], 9);
	/* C11 7.22.5.1: bsearch finds a matching element or returns NULL */
	int key = 7;
	int *hit = bsearch(&key, v, n, sizeof(v[0]), cmp_int);
	CHECK(hit != NULL && *hit == 7);
	key = 4;
	CHECK(bsearch(&key, v, n, sizeof(v[0]), cmp_int) == NULL);
	qsort(v, 0, sizeof(v[0]), cmp_int); /* nothing to do */
	const char *w[] = { "pear", "apple", "fig", "banana" };
	qsort(w, 4, sizeof(w[0]), cmp_str);
	CHECK_STR(w[0], "apple");
	CHECK_STR(w[3], "pear");

	/* C11 7.22.6: abs and friends; division truncates toward zero */
	CHECK_EQ(abs(-5), 5);
	CHECK_EQ(labs(-LONG_MAX), LONG_MAX);
	CHECK(llabs(-5LL) == 5LL);
	div_t q = div(-7, 2);
	CHECK_EQ(q.quot, -3);
	CHECK_EQ(q.rem, -1);
	q = div(7, -2);
	CHECK_EQ(q.quot, -3);
	CHECK_EQ(q.rem, 1);
	ldiv_t lq = ldiv(-7L, 2L);
	CHECK_EQ(lq.quot, -3);
	CHECK_EQ(lq.rem, -1);
	lldiv_t llq = lldiv(100LL, 7LL);
	CHECK(llq.quot == 14 && llq.rem == 2);
}

static int in_environ(const char *entry)
{
	for (char **e = environ; e && *e; e++)
		if (strcmp(*e, entry) == 0)
			return 1;
	return 0;
}

static void environment(void)
{
	/* POSIX setenv: adds or (with overwrite) changes; environ shows it */
	unsetenv("PSA_VAR");
	CHECK(getenv("PSA_VAR") == NULL);
	CHECK_EQ(setenv("PSA_VAR", "one", 1), 0);
	CHECK_STR(getenv("PSA_VAR"), "one");
	CHECK_EQ(setenv("PSA_VAR", "two", 0), 0); /* exists, no overwrite: unchanged */
	CHECK_STR(getenv("PSA_VAR"), "one");
	CHECK_EQ(setenv("PSA_VAR", "two", 1), 0);
	CHECK_STR(getenv("PSA_VAR"), "two");
	CHECK(in_environ("PSA_VAR=two"));
	CHECK(!in_environ("PSA_VAR=one"));
	/* POSIX setenv ERRORS: EINVAL, an empty name or one containing '=' */
	CHECK_FAILS(setenv("PSA=X", "v", 1), EINVAL);
	CHECK_FAILS(setenv("", "v", 1), EINVAL);
	CHECK(getenv("PSA") == NULL);
	/* POSIX unsetenv: removes; a name not there is success; EINVAL as setenv */
	CHECK_EQ(unsetenv("PSA_VAR"), 0);
	CHECK(getenv("PSA_VAR") == NULL);
	CHECK(!in_environ("PSA_VAR=two"));
	CHECK_EQ(unsetenv("PSA_NEVER_SET"), 0);
	CHECK_FAILS(unsetenv("PSA=X"), EINVAL);
	CHECK_FAILS(unsetenv(""), EINVAL);
	/* POSIX putenv: "the string pointed to by string shall become part of the
	 * environment, so altering the string shall change the environment" */
	static char entry[] = "PSA_PUT=first";
	CHECK_EQ(putenv(entry), 0);
	CHECK_STR(getenv("PSA_PUT"), "first");
	entry[8] = 'F';
	CHECK_STR(getenv("PSA_PUT"), "First");
	CHECK(getenv("PSA_PUT") == entry + 8);
	/* putenv of the same name replaces the entry; setenv over a caller's string (a
	 * literal here) makes a new one and leaves the string alone */
	static char second[] = "PSA_PUT=second";
	CHECK_EQ(putenv(second), 0);
	CHECK_STR(getenv("PSA_PUT"), "second");
	CHECK_EQ(putenv("PSA_LIT=literal"), 0);
	CHECK_EQ(setenv("PSA_LIT", "x", 1), 0);
	CHECK_STR(getenv("PSA_LIT"), "x");
	CHECK_EQ(setenv("PSA_PUT", "third", 1), 0);
	CHECK_STR(getenv("PSA_PUT"), "third");
	CHECK_STR(second, "PSA_PUT=second");
	CHECK_FAILS(putenv("noequals"), EINVAL);
	CHECK_EQ(unsetenv("PSA_PUT"), 0);
	CHECK_EQ(unsetenv("PSA_LIT"), 0);
	CHECK(getenv("PSA_PUT") == NULL);
}

static int portable_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

static void temp_files(void)
{
	/* POSIX mkstemp: the X's are replaced with characters of the portable filename
	 * set, the file is made as by open(O_RDWR|O_CREAT|O_EXCL, S_IRUSR|S_IWUSR) */
	char t1[] = "/tmp/psa_mkXXXXXX", t2[] = "/tmp/psa_mkXXXXXX";
	int fd = mkstemp(t1);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ(strlen(t1), sizeof(t1) - 1);
	CHECK(strncmp(t1, "/tmp/psa_mk", 11) == 0);
	for (int i = 11; i < 17; i++)
		CHECK(portable_name_char(t1[i]));
	struct stat byfd, byname;
	CHECK_EQ(fstat(fd, &byfd), 0);
	CHECK_EQ(stat(t1, &byname), 0);
	CHECK(byfd.st_ino == byname.st_ino && byfd.st_dev == byname.st_dev);
	CHECK(S_ISREG(byfd.st_mode));
	CHECK_EQ(byfd.st_mode & 07777, 0600);
	CHECK_EQ(byfd.st_size, 0);
	char b[4] = "";
	CHECK_EQ(write(fd, "abc", 3), 3); /* open for reading and writing */
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(read(fd, b, 3), 3);
	CHECK(memcmp(b, "abc", 3) == 0);
	/* a second one from the same template does not duplicate an existing name */
	int fd2 = mkstemp(t2);
	CHECK(fd2 >= 0);
	CHECK(strcmp(t1, t2) != 0);
	close(fd);
	if (fd2 >= 0)
		close(fd2);
	CHECK_EQ(unlink(t1), 0);
	if (fd2 >= 0)
		CHECK_EQ(unlink(t2), 0);
	/* POSIX mkstemp ERRORS: EINVAL, the template does not end in "XXXXXX" */
	char bad[] = "/tmp/psa_mkXXXX";
	CHECK_FAILS(mkstemp(bad), EINVAL);
	char suffix[] = "/tmp/psa_mkXXXXXXsfx";
	CHECK_FAILS(mkstemp(suffix), EINVAL);
}

static void strings(void)
{
	volatile size_t two = 2, five = 5; /* not constants: no overread warnings */

	/* C11 7.24.6.2: strerror returns a pointer to a string, for any number */
	CHECK(strerror(EINVAL) != NULL && strerror(EINVAL)[0] != 0);
	CHECK(strerror(ENOENT) != NULL && strerror(ENOENT)[0] != 0);
	CHECK(strerror(EBADF) != NULL && strerror(EBADF)[0] != 0);
	CHECK(strerror(12345) != NULL);
	CHECK(strerror(0) != NULL);

	/* POSIX strdup, strndup (at most n bytes, always terminated) */
	const char *src = "hello";
	char *d = strdup(src);
	CHECK(d != NULL && d != src);
	CHECK_STR(d, "hello");
	free(d);
	d = strndup("abcdef", 3);
	CHECK_STR(d, "abc");
	free(d);
	d = strndup("ab", five);
	CHECK_STR(d, "ab");
	free(d);

	/* POSIX strtok_r: runs of delimiters are skipped, NULL at the end */
	char text[] = ",,a,b,,c,";
	char *save = NULL;
	CHECK_STR(strtok_r(text, ",", &save), "a");
	CHECK_STR(strtok_r(NULL, ",", &save), "b");
	CHECK_STR(strtok_r(NULL, ",", &save), "c");
	CHECK(strtok_r(NULL, ",", &save) == NULL);

	/* C11 7.24.2.2: memmove copies as through a temporary (both overlaps) */
	char m[] = "abcdefgh";
	memmove(m + 2, m, 5);
	CHECK_STR(m, "ababcdeh");
	char m2[] = "abcdefgh";
	memmove(m2, m2 + 2, 5);
	CHECK_STR(m2, "cdefgfgh");

	/* C11 7.24.2.4: strncpy pads with NULs to n, and does not terminate a longer
	 * source */
	char p[8];
	volatile size_t six = 6, three = 3;
	memset(p, 'Z', sizeof(p));
	strncpy(p, "ab", six);
	CHECK(memcmp(p, "ab\0\0\0\0ZZ", 8) == 0);
	memset(p, 'Z', sizeof(p));
	strncpy(p, "abcdefgh", three);
	CHECK(memcmp(p, "abcZZZZZ", 8) == 0);

	/* POSIX strcasecmp/strncasecmp: as if both were lower case (POSIX locale) */
	// cppcheck-suppress staticStringCompare
	CHECK_EQ(strcasecmp("Hello", "hELLO"), 0);
	// cppcheck-suppress staticStringCompare
	CHECK(strcasecmp("apple", "Banana") < 0);
	// cppcheck-suppress staticStringCompare
	CHECK(strcasecmp("Zeta", "alpha") > 0);
	// cppcheck-suppress staticStringCompare
	CHECK_EQ(strncasecmp("abcX", "ABCy", 3), 0);
	// cppcheck-suppress staticStringCompare
	CHECK(strncasecmp("abcX", "ABCy", 4) < 0);

	/* C11 7.24.4: comparisons are of unsigned char values */
	// cppcheck-suppress staticStringCompare
	CHECK(strcmp("\x80", "\x01") > 0);
	// cppcheck-suppress staticStringCompare
	CHECK(memcmp("\xff", "\x7f", 1) > 0);
	// cppcheck-suppress staticStringCompare
	CHECK(strncmp("abc", "abd", 2) == 0);
	/* C11 7.24.5: searching */
	const char *hay = "hello world";
	CHECK(strchr(hay, '\0') == hay + 11);
	CHECK(strchr(hay, 'o') == hay + 4);
	CHECK(strrchr(hay, 'o') == hay + 7);
	CHECK(strstr(hay, "") == hay);
	CHECK(strstr(hay, "wor") == hay + 6);
	CHECK(strstr(hay, "xyz") == NULL);
	CHECK_EQ(strspn(hay, "hel"), 4);
	CHECK_EQ(strcspn(hay, " "), 5);
	CHECK(strpbrk(hay, "wr") == hay + 6);
	CHECK(memchr(hay, 'w', 11) == hay + 6);
	CHECK(memchr(hay, 'w', 6) == NULL);
	CHECK_EQ(strnlen("abc", 2), 2); /* POSIX */
	CHECK_EQ(strnlen("abc", 10), 3);
	char cat[8] = "ab";
	strncat(cat, "xyz", two);
	CHECK_STR(cat, "abxy");
	char cp[8];
	CHECK(stpcpy(cp, "abc") == cp + 3); /* POSIX: the end of the copy */
	CHECK_STR(cp, "abc");
	CHECK(strcoll("a", "b") < 0); /* the C locale: as strcmp */
}

/* ---------------------------------------------------------------- time */

static void clocks(void)
{
	struct timespec ts, prev, res;

	/* POSIX time(): seconds since the Epoch, as CLOCK_REALTIME counts them */
	time_t t1 = time(NULL);
	CHECK_EQ(clock_gettime(CLOCK_REALTIME, &ts), 0);
	time_t t3 = 0, t2 = time(&t3);
	CHECK(t2 == t3);
	CHECK(t1 != (time_t)-1);
	CHECK(t1 <= ts.tv_sec && ts.tv_sec <= t2);
	CHECK(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000L);

	/* POSIX gettimeofday: the same clock in microseconds */
	struct timeval tv;
	t1 = time(NULL);
	CHECK_EQ(gettimeofday(&tv, NULL), 0);
	t2 = time(NULL);
	CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	CHECK(t1 <= tv.tv_sec && tv.tv_sec <= t2);

	/* POSIX CLOCK_MONOTONIC: never goes back */
	CHECK_EQ(clock_gettime(CLOCK_MONOTONIC, &prev), 0);
	int back = 0;
	for (int i = 0; i < 2000; i++) {
		CHECK_EQ(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
		if (ts.tv_sec < prev.tv_sec ||
		    (ts.tv_sec == prev.tv_sec && ts.tv_nsec < prev.tv_nsec))
			back++;
		prev = ts;
	}
	CHECK_EQ(back, 0);
	/* clock_getres: a positive resolution; an unknown clock is EINVAL */
	CHECK_EQ(clock_getres(CLOCK_REALTIME, &res), 0);
	CHECK(res.tv_sec > 0 || res.tv_nsec > 0);
	CHECK_EQ(clock_getres(CLOCK_MONOTONIC, &res), 0);
	CHECK(res.tv_sec > 0 || res.tv_nsec > 0);
	CHECK_FAILS(clock_gettime((clockid_t)12345, &ts), EINVAL);
	CHECK_FAILS(clock_getres((clockid_t)12345, &res), EINVAL);

	/* POSIX nanosleep ERRORS: EINVAL, tv_nsec below zero or at least 1000 million;
	 * clock_nanosleep returns the error instead */
	struct timespec bad = { 0, 1000000000L };
	CHECK_FAILS(nanosleep(&bad, NULL), EINVAL);
	bad.tv_nsec = -1;
	CHECK_FAILS(nanosleep(&bad, NULL), EINVAL);
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL), EINVAL);
	struct timespec ms = { 0, 1000000L };
	CHECK_EQ(nanosleep(&ms, NULL), 0);

	/* C11 7.27.2.1: clock() is not (clock_t)-1 when available, and processor time
	 * does not go back */
	clock_t c1 = clock();
	volatile unsigned long spin = 0;
	for (int i = 0; i < 200000; i++)
		spin += (unsigned long)i;
	clock_t c2 = clock();
	CHECK(c1 != (clock_t)-1);
	CHECK(c2 >= c1);

	/* C11 7.27.2.2: difftime */
	CHECK(difftime((time_t)10, (time_t)4) == 6.0);
	CHECK(difftime((time_t)4, (time_t)10) == -6.0);
}

static void tm_is(int line, const struct tm *tm, int year, int mon, int mday, int hour, int min,
		  int sec, int wday, int yday)
{
	if (tm->tm_year != year - 1900 || tm->tm_mon != mon - 1 || tm->tm_mday != mday ||
	    tm->tm_hour != hour || tm->tm_min != min || tm->tm_sec != sec || tm->tm_wday != wday ||
	    tm->tm_yday != yday) {
		printf("  check failed: %s:%d: tm %d-%02d-%02d %02d:%02d:%02d wday %d yday %d, "
		       "want %d-%02d-%02d %02d:%02d:%02d wday %d yday %d\n",
		       __FILE__, line, tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday, tm->tm_hour,
		       tm->tm_min, tm->tm_sec, tm->tm_wday, tm->tm_yday, year, mon, mday, hour, min,
		       sec, wday, yday);
		test_failures++;
	}
}
#define CHECK_TM(tm, ...) tm_is(__LINE__, (tm), __VA_ARGS__)

static void ftime_is(int line, const struct tm *tm, const char *fmt, const char *want)
{
	char b[64];
	size_t n = strftime(b, sizeof(b), fmt, tm);
	if (n != strlen(want) || strcmp(b, want) != 0) {
		printf("  check failed: %s:%d: strftime \"%s\" gave \"%s\" (%zu), want "
		       "\"%s\"\n",
		       __FILE__, line, fmt, n ? b : "", n, want);
		test_failures++;
	}
}
#define FTIME(tm, fmt, want) ftime_is(__LINE__, (tm), (fmt), (want))

#define T_2024_03_05 1709622489 /* 2024-03-05 07:08:09 UTC, a Tuesday */
#define T_2024_01_01 1704067200 /* 2024-01-01 00:00:00 UTC, a Monday */
#define T_2024_07_03 1720000000 /* 2024-07-03 09:46:40 UTC, a Wednesday */

static void calendar(void)
{
	struct tm tm, lt;
	time_t t;

	/* POSIX gmtime_r: the Epoch is 1970-01-01 00:00:00, a Thursday */
	t = 0;
	CHECK(gmtime_r(&t, &tm) == &tm);
	CHECK_TM(&tm, 1970, 1, 1, 0, 0, 0, 4, 0);
	t = 951782400; /* a leap day */
	gmtime_r(&t, &tm);
	CHECK_TM(&tm, 2000, 2, 29, 0, 0, 0, 2, 59);
	t = T_2024_03_05;
	gmtime_r(&t, &tm);
	CHECK_TM(&tm, 2024, 3, 5, 7, 8, 9, 2, 64);

	/* The default time zone, with TZ unset, is implementation-defined (POSIX 8.3):
	 * here it is UTC, docs/userland.md: "no time zone: local time is UTC" */
	unsetenv("TZ");
	tzset();
	t = T_2024_03_05;
	CHECK(localtime_r(&t, &lt) == &lt);
	CHECK_TM(&lt, 2024, 3, 5, 7, 8, 9, 2, 64);

	/* C11 7.27.2.3: mktime normalises the fields and sets tm_wday and tm_yday,
	 * ignoring their old values */
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 2023 - 1900;
	tm.tm_mon = 12; /* month 13 of 2023 */
	tm.tm_mday = 1;
	tm.tm_isdst = -1;
	tm.tm_wday = 99;
	tm.tm_yday = -5;
	t = mktime(&tm);
	CHECK(t == (time_t)T_2024_01_01); /* local time is UTC here (above) */
	CHECK_TM(&tm, 2024, 1, 1, 0, 0, 0, 1, 0);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 124;
	tm.tm_mon = 2;
	tm.tm_mday = 0; /* the day before March 1st */
	tm.tm_hour = 25;
	tm.tm_min = -1;
	tm.tm_sec = 70;
	tm.tm_isdst = -1;
	CHECK(mktime(&tm) != (time_t)-1);
	CHECK_TM(&tm, 2024, 3, 1, 1, 0, 10, 5, 60); /* Feb 29 00:00 + 25h - 1min + 70s */
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 124;
	tm.tm_mday = 32; /* January 32nd */
	tm.tm_isdst = -1;
	CHECK(mktime(&tm) != (time_t)-1);
	CHECK_TM(&tm, 2024, 2, 1, 0, 0, 0, 4, 31);
	/* mktime inverts localtime */
	t = T_2024_07_03;
	localtime_r(&t, &lt);
	CHECK(mktime(&lt) == t);

	/* POSIX 8.3 TZ: "std offset" is west of UTC; with a rule, daylight time */
	setenv("TZ", "EST5", 1);
	tzset();
	t = 0;
	localtime_r(&t, &lt);
	CHECK_TM(&lt, 1969, 12, 31, 19, 0, 0, 3, 364);
	CHECK(mktime(&lt) == 0);
	CHECK_STR(tzname[0], "EST");
	setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1);
	tzset();
	t = T_2024_07_03;
	localtime_r(&t, &lt);
	CHECK_TM(&lt, 2024, 7, 3, 5, 46, 40, 3, 184);
	CHECK(lt.tm_isdst > 0);
	t = T_2024_03_05;
	localtime_r(&t, &lt);
	CHECK_TM(&lt, 2024, 3, 5, 2, 8, 9, 2, 64);
	CHECK_EQ(lt.tm_isdst, 0);
	unsetenv("TZ");
	tzset();
	t = 0;
	localtime_r(&t, &lt);
	CHECK_TM(&lt, 1970, 1, 1, 0, 0, 0, 4, 0); /* back to the default, UTC */

	/* C11 7.27.3.5 strftime, in the C locale */
	t = T_2024_03_05;
	gmtime_r(&t, &tm);
	FTIME(&tm, "%Y-%m-%d %H:%M:%S", "2024-03-05 07:08:09");
	FTIME(&tm, "%j", "065");
	FTIME(&tm, "%a %A", "Tue Tuesday");
	FTIME(&tm, "%b %B %h", "Mar March Mar");
	FTIME(&tm, "%y %C %e %d", "24 20  5 05");
	FTIME(&tm, "%I %p", "07 AM");
	FTIME(&tm, "%u %w", "2 2");
	FTIME(&tm, "%D|%F|%T|%R", "03/05/24|2024-03-05|07:08:09|07:08");
	FTIME(&tm, "%U %W %V %G %g", "09 10 10 2024 24");
	FTIME(&tm, "%%%n%t", "%\n\t");
	FTIME(&tm, "%c", "Tue Mar  5 07:08:09 2024");
	FTIME(&tm, "%x %X", "03/05/24 07:08:09");
	FTIME(&tm, "%r", "07:08:09 AM");
	tm.tm_hour = 13;
	FTIME(&tm, "%I %p", "01 PM");
	tm.tm_hour = 0;
	FTIME(&tm, "%I %p", "12 AM");
	tm.tm_hour = 7;
	/* too small, counting the NUL: 0 */
	char b[16];
	CHECK_EQ(strftime(b, 5, "%Y-%m-%d", &tm), 0);
	CHECK_EQ(strftime(b, 10, "%Y-%m-%d", &tm), 0);
	CHECK_EQ(strftime(b, 11, "%Y-%m-%d", &tm), 10);
	CHECK_STR(b, "2024-03-05");
	const char *volatile empty = "";
	CHECK_EQ(strftime(b, sizeof(b), empty, &tm), 0);
	/* C11 7.27.3.1: asctime's exact form */
	CHECK_STR(asctime(&tm), "Tue Mar  5 07:08:09 2024\n");
}

/* ---------------------------------------------------------------- limits */

static void limits(void)
{
	long v;
	/* POSIX sysconf: the limits are at least the POSIX minimums */
	v = sysconf(_SC_PAGESIZE);
	CHECK(v > 0 && (v & (v - 1)) == 0);
#ifdef _SC_PAGE_SIZE
	CHECK_EQ(sysconf(_SC_PAGE_SIZE), v);
#endif
	CHECK(sysconf(_SC_CLK_TCK) > 0);
	CHECK(sysconf(_SC_OPEN_MAX) >= _POSIX_OPEN_MAX);
	CHECK(sysconf(_SC_NPROCESSORS_ONLN) >= 1);
	CHECK(sysconf(_SC_ARG_MAX) >= _POSIX_ARG_MAX);
	v = sysconf(_SC_CHILD_MAX);
	CHECK(v == -1 || v >= _POSIX_CHILD_MAX);
	v = sysconf(_SC_LINE_MAX);
	CHECK(v == -1 || v >= _POSIX2_LINE_MAX);
	/* POSIX.1-2008 <limits.h>: NGROUPS_MAX is at least _POSIX_NGROUPS_MAX, 8 */
	CHECK(sysconf(_SC_NGROUPS_MAX) >= 8);
	/* a limit with no fixed value is -1 with errno unchanged */
	errno = 0;
	v = sysconf(_SC_STREAM_MAX);
	CHECK(v >= _POSIX_STREAM_MAX || (v == -1 && errno == 0));
	CHECK_EQ(sysconf(_SC_VERSION), 200809L);
	/* an invalid name: -1, EINVAL */
	CHECK_FAILS(sysconf(-1), EINVAL);
	CHECK_FAILS(sysconf(100000), EINVAL);

	/* POSIX confstr: the size with the NUL; a short buffer gets len - 1 bytes and a
	 * NUL; an invalid name is 0 with EINVAL */
	char b[64];
	size_t need = confstr(_CS_PATH, NULL, 0);
	CHECK(need > 1);
	CHECK_EQ(confstr(_CS_PATH, b, sizeof(b)), need);
	CHECK_EQ(strlen(b), need - 1);
	b[1] = 'Z';
	CHECK_EQ(confstr(_CS_PATH, b, 2), need);
	CHECK_EQ(b[1], 0);
	errno = 0;
	CHECK_EQ(confstr(-1, b, sizeof(b)), 0);
	CHECK_EQ(errno, EINVAL);
}

/*
 * fnmatch (POSIX XCU 2.13): bracket expressions with character classes, alone, negated
 * and with other items, "[.c.]" and "[=c=]"; FNM_PATHNAME and FNM_PERIOD; a backslash
 * at the end matches nothing. picolibc's fnmatch knew no class: "[[:digit:]]" matched
 * nothing (and so did the shell's case and glob with one).
 */
static void patterns(void)
{
	CHECK_EQ(fnmatch("[[:digit:]]x", "5x", 0), 0);
	CHECK_EQ(fnmatch("[[:digit:]]x", "ax", 0), FNM_NOMATCH);
	CHECK_EQ(fnmatch("[![:space:]]", "q", 0), 0);
	CHECK_EQ(fnmatch("[![:space:]]", " ", 0), FNM_NOMATCH);
	CHECK_EQ(fnmatch("[[:upper:][:digit:]_]*", "_rest", 0), 0);
	CHECK_EQ(fnmatch("[[:alpha:]][[:alnum:]]*", "a1b2", 0), 0);
	CHECK_EQ(fnmatch("[[:xdigit:]]", "g", 0), FNM_NOMATCH);
	CHECK_EQ(fnmatch("[[.-.]a]", "-", 0), 0);
	CHECK_EQ(fnmatch("[[=e=]]", "e", 0), 0);
	CHECK_EQ(fnmatch("[!]a]", "]", 0), FNM_NOMATCH);
	CHECK_EQ(fnmatch("a/*", "a/b/c", FNM_PATHNAME), FNM_NOMATCH);
	CHECK_EQ(fnmatch("a/*/c", "a/b/c", FNM_PATHNAME), 0);
	CHECK_EQ(fnmatch("a[/]b", "a/b", FNM_PATHNAME), FNM_NOMATCH);
	CHECK_EQ(fnmatch("*", ".profile", FNM_PERIOD), FNM_NOMATCH);
	CHECK_EQ(fnmatch("[[:punct:]]*", ".profile", FNM_PERIOD), FNM_NOMATCH);
	CHECK_EQ(fnmatch(".*", ".profile", FNM_PERIOD), 0);
	CHECK_EQ(fnmatch("d/*", "d/.x", FNM_PATHNAME | FNM_PERIOD), FNM_NOMATCH);
	CHECK(fnmatch("ab\\", "ab\\", 0) != 0);
	CHECK_EQ(fnmatch("\\[", "[", 0), 0);
}

int main(void)
{
	fopen_modes();
	counts();
	seeking();
	ungetc_and_indicators();
	lines();
	flushing();
	descriptors();
	write_errors();
	reopen_and_temporaries();
	printf_family();
	scanf_family();
	numbers();
	sorting_and_arithmetic();
	environment();
	temp_files();
	strings();
	clocks();
	calendar();
	limits();
	patterns();
	unlink(F1);
	unlink(F2);
	unlink(F3);
	unlink(FX);
	return test_status();
}
