/* Kernel console output and fatal errors. */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

struct trapframe;

int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the message, then stop the machine with a failure status. */
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Let go of printk's lock whoever holds it: only a panic that found it held by its own
 * hart (the lock-order check) may, since the machine stops after it prints. */
void printk_force_unlock(void);
/* An unexpected trap in the kernel: cause, stval, sepc and every register. */
void panic_trap(const struct trapframe *tf) __attribute__((noreturn));

#endif
