/*
 * picolibc's <setjmp.h>, plus sigsetjmp and siglongjmp (its configuration leaves them
 * out): the buffer keeps the signal mask when asked, and siglongjmp puts it back
 * (signal.c). sigsetjmp must be a macro, so setjmp runs in the caller's frame.
 */
#ifndef USER_SETJMP_H
#define USER_SETJMP_H

#include_next <setjmp.h>

#include <signal.h>

typedef struct {
	jmp_buf env;
	int save_mask;
	sigset_t mask;
} sigjmp_buf[1];

#define sigsetjmp(b, save)        \
	((b)->save_mask = (save), \
	 (b)->save_mask ? pthread_sigmask(SIG_SETMASK, 0, &(b)->mask) : 0, setjmp((b)->env))

void siglongjmp(sigjmp_buf b, int val) __attribute__((noreturn));

#endif
