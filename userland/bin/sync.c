/*
 * sync: every change to /boot onto its disk (the file server's FS_SYNC; docs/storage.md).
 * Status 1, and a line, if a change could not be written (it stays in memory).
 */
#include <stdio.h>
#include <string.h>

#include "fd.h"

int main(void)
{
	int err = fs_sync();
	if (err)
		fprintf(stderr, "sync: %s\n", strerror(-err));
	return err ? 1 : 0;
}
