/*
 * The system call list: the single source of truth. The kernel's dispatch table
 * (kernel/core/syscall.c) and the user-side stubs (userland/lib/syscall.h) are both expanded
 * from SYSCALLS(), and a test checks docs/syscalls.md against it.
 *
 * Calling convention: ecall with the number in a7 (optionally | SYS_NONBLOCK), arguments
 * in a0..a5. a0 returns 0 or a value, or a negative enum err (kernel/abi/error.h).
 * The IPC calls use more registers; see kernel/abi/ipc.h.
 *
 * X(number, name, argument count, "what it does")
 */
#ifndef ABI_SYSCALL_H
#define ABI_SYSCALL_H

#define SYSCALLS(X)                                                                                \
	X(0, debug_write, 2, "write bytes to the debug console (no capability)")                   \
	X(1, yield, 0, "give up the rest of the time slice (no capability)")                       \
	X(2, exit, 3, "end the calling thread; the last thread ends the task")                     \
	X(3, sleep, 1, "sleep for a number of nanoseconds (no capability)")                        \
	X(4, send, 2, "send a message on an endpoint, or reply through a reply cap")               \
	X(5, recv, 2, "receive a message on an endpoint")                                          \
	X(6, call, 2, "send, then wait for the answer on a fresh one-shot reply")                  \
	X(7, reply, 2, "answer the last call received")                                            \
	X(8, reply_recv, 2, "answer the last call, then receive on an endpoint")                   \
	X(9, reply_save, 1, "move the pending reply into a slot as a reply capability")            \
	X(10, cap_copy, 3, "copy a capability with equal or fewer rights")                         \
	X(11, cap_mint, 4, "copy an endpoint capability with fewer rights and a badge")            \
	X(12, cap_delete, 1, "empty a slot")                                                       \
	X(13, cap_revoke, 1, "delete every capability derived from this one")                      \
	X(14, cap_info, 1, "the type and rights of a slot")                                        \
	X(15, obj_create, 4, "create an endpoint, notification or memory object")                  \
	X(16, notify_signal, 2, "set bits in a notification")                                      \
	X(17, notify_wait, 1, "wait for, take and clear a notification's bits")                    \
	X(18, task_create, 4, "create a task with a memory quota and a supervisor")                \
	X(19, task_cap_put, 4, "copy a capability into another task's slot")                       \
	X(20, thread_create, 5, "start a thread in a task")                                        \
	X(21, task_kill, 1, "stop a task's threads and release its memory and slots")              \
	X(22, map_anon, 4, "map fresh zeroed private pages into a task")                           \
	X(23, map, 6, "map pages of a memory object, shared or write-copy")                        \
	X(24, unmap, 3, "remove mappings from a task")                                             \
	X(25, protect, 4, "change the protection of mapped pages")                                 \
	X(26, memstat, 2, "memory statistics, system-wide and for a task")                         \
	X(27, fork, 6, "clone the calling task, copy-on-write or eager")                           \
	X(28, irq_bind, 4, "deliver a device interrupt as notification bits")                      \
	X(29, console_read, 3, "read bytes typed on the console")                                  \
	X(30, poweroff, 2, "power the machine off with a status")                                  \
	X(31, thread_ctl, 3, "set a thread's priority or hart affinity")                           \
	X(32, sysinfo, 1, "machine facts: timebase, harts, model (no capability)")                 \
	X(33, irq_ack, 2, "unmask a bound device interrupt")                                       \
	X(34, irq_unbind, 2, "release a bound device interrupt")                                   \
	X(35, device_get, 5, "a device's registers and interrupt, by compatible")                  \
	X(36, failalloc, 2, "debug builds: make the nth kernel allocation from now fail")          \
	X(37, dma_addr, 3, "the physical address of a memory object's page, for DMA")              \
	X(38, futex_wait, 3, "sleep while a 32-bit word holds a value, until woken")               \
	X(39, futex_wake, 2, "wake threads sleeping on a 32-bit word")                             \
	X(40, upcall, 5, "divert a task's thread to a handler, its registers on its stack")        \
	X(41, upcall_return, 1, "resume the registers an upcall saved")                            \
	X(42, memobj_resize, 2, "shrink or grow a memory object under its mappings")               \
	X(43, console_intr, 4, "make a typed byte set notification bits instead of input")         \
	X(44, pipe_create, 3, "create a pipe: a read end and a write end in two slots")            \
	X(45, pipe_read, 3, "take bytes out of a pipe through its read end")                       \
	X(46, pipe_write, 3, "put bytes into a pipe through its write end")                        \
	X(47, task_cap_get, 4, "copy a capability out of another task's slot")                     \
	X(48, pipe_state, 1, "what a pipe end would do now: ready, peer gone, bytes held")         \
	X(49, console_mode_get, 2, "read the console's line discipline settings")                  \
	X(50, console_mode_set, 3, "set the console's line discipline settings, or flush input")   \
	X(51, upcall_stack, 1, "where upcalls write their frame when the stack cannot hold it")    \
	X(52, cpu_time, 2, "the run time of a task, or of one of its threads, in timebase ticks")  \
	X(53, fifo_create, 2, "create a named pipe: no end open, one capability to the pipe")      \
	X(54, fifo_open, 3, "a new capability to a named pipe's read or write end")                \
	X(55, pipe_nonblock, 2, "set or clear a pipe end's O_NONBLOCK, shared by all who hold it") \
	X(56, entropy, 2, "random bytes from the kernel's generator (no capability)")

#define SYS_NONBLOCK 0x100 /* or-ed into the number: fail with E_AGAIN instead of blocking */

enum sysno {
#define SYSNO_ENUM(n, name, args, what) SYS_##name = n,
	SYSCALLS(SYSNO_ENUM)
#undef SYSNO_ENUM
		SYS__COUNT
};

#endif
