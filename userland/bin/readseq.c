/*
 * readseq FILE: open FILE once and read it to its end in 4 KiB read() calls, twice, and
 * print one @file_read_seq line per pass: what make bench's file_read_seq case measures
 * (docs/benchmark.md). Run first after boot on a file under /boot, the first pass (with
 * the open) is cold: the file server reads the file from the disk through its driver.
 * The second is warm: the file is in the file server's page cache while it is open. Under QEMU icount a cycle is one
 * guest instruction, of every task on the hart: this program, the file server, the
 * driver and the kernel.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#define CHUNK 4096

static uint64_t cycles(void)
{
	uint64_t c;
	__asm__ volatile("rdcycle %0" : "=r"(c));
	return c;
}

/* One pass over fd from its start: the bytes read, or -1 on an error. */
static long one_pass(int fd, uint64_t *spent)
{
	static char buf[CHUNK] __attribute__((aligned(8)));
	long total = 0, got;
	uint64_t t0 = cycles();
	if (lseek(fd, 0, SEEK_SET) != 0)
		return -1;
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		total += got;
	*spent += cycles() - t0;
	return got < 0 ? -1 : total;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: readseq FILE\n");
		return 2;
	}
	/* The open counts in the cold pass: that is when a /boot file is read from the disk. */
	uint64_t t0 = cycles();
	int fd = open(argv[1], O_RDONLY);
	uint64_t opened = cycles() - t0;
	for (int pass = 0; pass < 2 && fd >= 0; pass++) {
		uint64_t spent = pass ? 0 : opened;
		long total = one_pass(fd, &spent);
		if (total < 0)
			break;
		printf("@file_read_seq cache=%s bytes=%ld cycles=%lu per_kib=%lu\n",
		       pass ? "warm" : "cold", total, (unsigned long)spent,
		       (unsigned long)(total ? spent * 1024 / (uint64_t)total : 0));
		if (pass)
			return close(fd) == 0 ? 0 : 1;
	}
	perror(argv[1]);
	return 1;
}
