/* Directory streams (userland/lib/dir.c): what picolibc's <dirent.h> needs from the system. */
#ifndef USER_SYS_DIRENT_H
#define USER_SYS_DIRENT_H

#include <sys/types.h>

#define DT_UNKNOWN 0
#define DT_CHR	   2
#define DT_DIR	   4
#define DT_REG	   8

struct dirent {
	ino_t d_ino;
	unsigned char d_type;
	char d_name[64];
};

typedef struct dir_stream {
	int fd;
	unsigned next; /* the file server's cursor for the next entry (FS_READDIR) */
	struct dirent ent;
} DIR;

#endif
