/*
 * An IPC receive into a buffer the child shares copy-on-write with its parent changes
 * only the child's copy: the kernel breaks the share before it writes.
 */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "taskspawn.h"
#include "syscall.h"
#include "testlib.h"

static char buf[4096] __attribute__((aligned(4096)));

static int child(long ep)
{
	struct ipc_msg m = { .rbuf = buf, .rspec = ipc_recv_spec(sizeof(buf), IPC_RECV_SLOT_NONE) };
	if (ipc_recv(ep, &m) != 0)
		return 1;
	return memcmp(buf, "from the parent", 16) == 0 ? 0 : 2;
}

int main(void)
{
	long ep = slot_alloc();
	int st = -1;
	CHECK_EQ(SYSCALL(obj_create, SLOT_SELF, OBJ_ENDPOINT, ep, 0), 0);
	memset(buf, 'p', sizeof(buf));
	pid_t pid = fork(); /* the child inherits the endpoint capability */
	if (pid == 0)
		_exit(child(ep));
	CHECK(pid > 0);
	struct ipc_msg m = { .tag = ipc_tag(1, 0, 16, 0), .sbuf = "from the parent" };
	CHECK_EQ(ipc_send(ep, &m), 0);
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for (unsigned i = 0; i < sizeof(buf); i++)
		if (buf[i] != 'p') {
			CHECK_EQ(buf[i], 'p');
			break;
		}
	slot_free(ep);
	return test_status();
}
