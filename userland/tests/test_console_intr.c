/*
 * console_intr (docs/syscalls.md 43), the kernel half of Ctrl-C: every bad argument gets
 * its error and changes nothing; one binding at a time (E_BUSY), which ends when its
 * notification is destroyed, so it can be bound again. tcgetpgrp/tcsetpgrp, the fork
 * server half: ENOTTY off the console, EINVAL for a negative group, EPERM for a group
 * that does not exist; the foreground group is the one set last. (The shell session
 * over the UART types ^C itself: test/qemu/test_shell.py.)
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "syscall.h"
#include "testlib.h"
#include "testutil.h"

#define INTR_BYTE 0x03
#define BIT	  1

static void bad_arguments(long note)
{
	long ep = tu_obj(OBJ_ENDPOINT);
	CHECK_EQ(SYSCALL(console_intr, 4000, note, BIT, INTR_BYTE), E_BADCAP);
	CHECK_EQ(SYSCALL(console_intr, SLOT_SELF, note, BIT, INTR_BYTE), E_TYPE);
	CHECK_EQ(SYSCALL(console_intr, SLOT_CONSOLE, ep, BIT, INTR_BYTE), E_TYPE);
	CHECK_EQ(SYSCALL(console_intr, SLOT_CONSOLE, 4000, BIT, INTR_BYTE), E_BADCAP);
	CHECK_EQ(SYSCALL(console_intr, SLOT_CONSOLE, note, 0, INTR_BYTE), E_INVAL);
	CHECK_EQ(SYSCALL(console_intr, SLOT_CONSOLE, note, BIT, 256), E_INVAL);
	SYSCALL(cap_delete, ep);
}

static void one_binding(void)
{
	long a = tu_obj(OBJ_NOTIFY), b = tu_obj(OBJ_NOTIFY);
	CHECK(a >= 0 && b >= 0);
	bad_arguments(a);
	CHECK_EQ(SYSCALL(console_intr, SLOT_CONSOLE, a, BIT, INTR_BYTE), 0);
	CHECK_EQ(SYSCALL(console_intr, SLOT_CONSOLE, b, BIT, INTR_BYTE), E_BUSY);
	CHECK_EQ(SYSCALL(cap_delete, a), 0); /* the last capability: the binding goes too */
	CHECK_EQ(SYSCALL(console_intr, SLOT_CONSOLE, b, BIT, INTR_BYTE), 0);
	CHECK_EQ(SYSCALL(cap_delete, b), 0);
}

static void foreground_group(void)
{
	int null = open("/dev/null", O_RDONLY);
	pid_t me = getpid(), was = tcgetpgrp(STDIN_FILENO);
	CHECK(was > 0);
	CHECK_FAILS(tcgetpgrp(null), ENOTTY);
	CHECK_EQ(tcsetpgrp(null, was), -1);
	CHECK_EQ(errno, ENOTTY);
	CHECK_EQ(tcsetpgrp(STDIN_FILENO, -5), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(tcsetpgrp(STDIN_FILENO, 999999), -1); /* no such group */
	CHECK_EQ(errno, EPERM);
	CHECK_EQ(tcgetpgrp(STDIN_FILENO), was);
	CHECK_EQ(setpgid(0, 0), 0);
	CHECK_EQ(tcsetpgrp(STDIN_FILENO, me), 0);
	CHECK_EQ(tcgetpgrp(STDIN_FILENO), me);
	CHECK_EQ(tcsetpgrp(STDIN_FILENO, was), 0); /* as it was for the tests after us */
	CHECK_EQ(tcgetpgrp(STDIN_FILENO), was);
	close(null);
}

int main(void)
{
	one_binding();
	foreground_group();
	return test_status();
}
