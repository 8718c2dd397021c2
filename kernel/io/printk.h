/* Kernel console output and fatal errors. */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

struct trapframe;

int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the message, then stop the machine with a failure status. */
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* An unexpected trap in the kernel: cause, stval, sepc and every register. */
void panic_trap(const struct trapframe *tf) __attribute__((noreturn));

#endif
