/*
 * mkfifo [-m mode] file...: make each FIFO (mode 0666 less the umask, or mode; docs/files.md,
 * "FIFOs"). Exit status 1 if one could not be made.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: mkfifo [-m mode] file...\n");
	return 1;
}

int main(int argc, char **argv)
{
	int c, status = 0;
	mode_t mode = 0666;
	char *end;
	while ((c = getopt(argc, argv, "m:")) != -1) {
		if (c != 'm')
			return usage();
		mode = (mode_t)strtoul(optarg, &end, 8);
		if (*end || !*optarg || mode > 07777)
			return usage();
	}
	if (optind == argc)
		return usage();
	for (int i = optind; i < argc; i++) {
		if (mkfifo(argv[i], mode) != 0) {
			fprintf(stderr, "mkfifo: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
	}
	return status;
}
