/* Shared state and helpers for in-guest tests. */
#include "testlib.h"

#include <fcntl.h>
#include <string.h>
#include <sys/memstat.h>
#include <time.h>
#include <unistd.h>

int test_failures;

void ms_sleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, 0);
}

void put_file(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK_EQ(write(fd, text, strlen(text)), (long)strlen(text));
		close(fd);
	}
}

long get_file(const char *path, char *out, unsigned long max)
{
	int fd = open(path, O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, out, max - 1);
	if (fd >= 0)
		close(fd);
	out[n < 0 ? 0 : n] = 0;
	return n;
}

void memstat_settled(struct memstat *ms)
{
	struct memstat now;
	memstat(ms);
	for (int i = 0, still = 0; i < 200 && still < 3; i++) {
		ms_sleep(10);
		memstat(&now);
		still = now.free_frames == ms->free_frames ? still + 1 : 0;
		*ms = now;
	}
}
