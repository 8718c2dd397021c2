/*
 * The kernel's one path into user memory. Every access goes through the task's page
 * table in software: the address must be a user page with the right permission, and a
 * write to a copy-on-write page breaks the share first, exactly as a user store would.
 * The data then moves through the direct map, so SUM is never needed and a bad
 * pointer is an E_FAULT, never a kernel fault.
 */
#ifndef KERNEL_UACCESS_H
#define KERNEL_UACCESS_H

#include <stddef.h>
#include <stdint.h>

struct task;

/* 0 if [va, va+len) is mapped for reading (or writing: writable or COW) in t. */
int user_check(struct task *t, uint64_t va, size_t len, int write);
int user_copy_in(struct task *t, void *dst, uint64_t va, size_t len);
int user_copy_out(struct task *t, uint64_t va, const void *src, size_t len);
/* From one task's memory to another's (IPC buffers). */
int user_copy_between(struct task *dt, uint64_t dva, struct task *st, uint64_t sva, size_t len);

#endif
