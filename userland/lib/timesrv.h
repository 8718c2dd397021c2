/* The fork server's clock: the CLOCK_REALTIME offset (timesrv.c, PROC_TIME). */
#ifndef USER_TIMESRV_H
#define USER_TIMESRV_H

#include <stdint.h>

/* Read the RTC, if the device tree names one, for the starting offset. */
void timesrv_init(void);
/* A PROC_TIME request: 0 with the offset in *out, or -EINVAL for an unknown op. */
int64_t timesrv_request(uint64_t op, uint64_t offset, int64_t *out);

#endif
