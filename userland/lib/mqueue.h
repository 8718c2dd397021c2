/*
 * <mqueue.h>: POSIX message queues (mqueue.c; docs/userland.md, "Message queues"). A
 * queue is a file of POSIX shared memory, /dev/shm/mq.NAME, that every opener maps.
 */
#ifndef USER_MQUEUE_H
#define USER_MQUEUE_H

#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <time.h>

typedef int mqd_t;

struct mq_attr {
	long mq_flags;	 /* O_NONBLOCK or 0 */
	long mq_maxmsg;	 /* messages the queue holds */
	long mq_msgsize; /* the largest message, in bytes */
	long mq_curmsgs; /* messages in it now */
};

#define MQ_PRIO_MAX 32768 /* priorities are 0 .. MQ_PRIO_MAX - 1 */
#define MQ_OPEN_MAX 32	  /* queues one process may have open at once (EMFILE past it) */

mqd_t mq_open(const char *name, int oflag, ...);
int mq_close(mqd_t mqd);
int mq_unlink(const char *name);
int mq_send(mqd_t mqd, const char *msg, size_t len, unsigned prio);
int mq_timedsend(mqd_t mqd, const char *msg, size_t len, unsigned prio,
		 const struct timespec *abs_timeout);
ssize_t mq_receive(mqd_t mqd, char *msg, size_t len, unsigned *prio);
ssize_t mq_timedreceive(mqd_t mqd, char *__restrict msg, size_t len, unsigned *__restrict prio,
			const struct timespec *__restrict abs_timeout);
int mq_getattr(mqd_t mqd, struct mq_attr *attr);
int mq_setattr(mqd_t mqd, const struct mq_attr *__restrict attr, struct mq_attr *__restrict old);
int mq_notify(mqd_t mqd, const struct sigevent *ev);

#endif
