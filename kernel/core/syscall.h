/* System call dispatch (syscall.c). */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

struct thread;

/* Run the call in t's a7 with t's registers; results go back into them. */
void syscall_dispatch(struct thread *t);

#endif
