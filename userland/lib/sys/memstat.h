/* memstat(): frame and copy-on-write counters, system-wide and for this process. */
#ifndef USER_SYS_MEMSTAT_H
#define USER_SYS_MEMSTAT_H

#include "kernel/abi/ipc.h" /* struct memstat */

int memstat(struct memstat *ms);

#endif
