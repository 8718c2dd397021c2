/* System call dispatch (syscall.c). */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

struct thread;
struct trapframe;

/*
 * The one dispatcher: run the call in t's a7 with t's registers (results go back into
 * them) and return the frame to resume. ipc_fast_path() hands it every call it does not
 * finish itself.
 */
struct trapframe *syscall_dispatch(struct thread *t);

#endif
