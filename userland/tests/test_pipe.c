/*
 * A pipe moves 1 MiB intact between parent and child, with the writer and the reader
 * using different chunk sizes (tiny, odd, page-sized, larger than the ring), in both
 * directions. Every byte carries a pattern of its position, so a lost, repeated or
 * reordered byte shows. A round with a tiny chunk moves 64 KiB (still four times the
 * ring): each read or write is a system call, and 150,000 of them would take much of
 * the suite's time on four harts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define TOTAL_MAX   (1024 * 1024)
#define TOTAL_SMALL (64 * 1024) /* for a round with a chunk below SMALL */
#define SMALL	    64
#define BUF_MAX	    (64 * 1024)

struct sizes {
	size_t write, read;
};

static size_t total; /* bytes in this round */

static const struct sizes rounds[] = {
	{ 4096, 4096 }, { 1000, 7 }, { 7, 1000 }, { 65536, 3000 }, { 12345, 65536 },
};

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 131 + (i >> 9));
}

static uint8_t buf[BUF_MAX];

/* Write total bytes of the pattern in chunks: 0, or 1 on a short or failed write. */
static int send_all(int fd, size_t chunk)
{
	for (size_t pos = 0; pos < total;) {
		size_t n = total - pos < chunk ? total - pos : chunk;
		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(pos + i);
		if (write(fd, buf, n) != (ssize_t)n)
			return 1;
		pos += n;
	}
	return 0;
}

/* Read until EOF, checking the pattern: 0, or which check failed. */
static int receive_all(int fd, size_t chunk)
{
	size_t pos = 0;
	for (;;) {
		ssize_t n = read(fd, buf, chunk);
		if (n < 0)
			return 2;
		if (n == 0)
			return pos == total ? 0 : 3;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != pattern(pos + (size_t)i))
				return 4;
		pos += (size_t)n;
	}
}

/* One round: the child writes (to_parent) or reads; the parent does the other. */
static void round_trip(const struct sizes *s, int to_parent)
{
	int fds[2], status = -1;
	total = s->write < SMALL || s->read < SMALL ? TOTAL_SMALL : TOTAL_MAX;
	CHECK_EQ(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[to_parent ? 0 : 1]);
		_exit(to_parent ? send_all(fds[1], s->write) : receive_all(fds[0], s->read));
	}
	CHECK(pid > 0);
	close(fds[to_parent ? 1 : 0]);
	if (to_parent)
		CHECK_EQ(receive_all(fds[0], s->read), 0);
	else
		CHECK_EQ(send_all(fds[1], s->write), 0);
	close(fds[to_parent ? 0 : 1]);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		printf("  round write %zu read %zu to_parent %d: status %#x\n", s->write, s->read,
		       to_parent, status);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(rounds) / sizeof(rounds[0]); i++)
		round_trip(&rounds[i], (int)(i & 1));
	round_trip(&rounds[0], 1);
	return test_status();
}
