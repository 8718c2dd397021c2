/* Calls this system adds to <unistd.h>: fork with a chosen mode. */
#ifndef USER_UNISTD_EXT_H
#define USER_UNISTD_EXT_H

#include <sys/types.h>

#include "kernel/abi/ipc.h" /* FORK_COW, FORK_EAGER */

/* fork(), copy-on-write (FORK_COW) or copying everything at once (FORK_EAGER). */
pid_t forkx(int mode);

#endif
