/* Stopping the machine with a status the emulator or firmware can pass on. */
#ifndef KERNEL_POWER_H
#define KERNEL_POWER_H

#define EXIT_OK		  0
#define EXIT_TESTS_FAILED 1
#define EXIT_PANIC	  3

/* Power off: QEMU's finisher if present (exits with status), else SBI SRST, else halt. */
void machine_exit(int status) __attribute__((noreturn));

#endif
