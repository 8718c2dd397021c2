/*
 * IPC round trips between two threads: 1000 calls with all 8 words carrying a pattern
 * the server checks and transforms; 4096-byte buffers both ways; and a buffer longer
 * than the receiver's capacity arrives cut to the capacity.
 */
#include <string.h>

#include "testlib.h"
#include "testutil.h"

#define WORD_CALLS 1000
#define BUF_CALLS  50
#define SHORT_CAP  100
#define FILL	   0xee

static long ep;
static uint8_t srv_in[IPC_BUF_MAX], srv_out[IPC_BUF_MAX];
static uint8_t cli_in[IPC_BUF_MAX], cli_out[IPC_BUF_MAX];

static uint64_t word(unsigned i, unsigned j)
{
	return 0x5a5a000000000000UL ^ ((uint64_t)i << 16) ^ ((uint64_t)j << 40) ^ (i * 7919UL + j);
}

static uint8_t byte(unsigned i, unsigned k, unsigned salt)
{
	return (uint8_t)(i * 31 + k * 7 + salt + (k >> 8));
}

static int buf_ok(const uint8_t *b, unsigned len, unsigned i, unsigned salt)
{
	for (unsigned k = 0; k < len; k++)
		if (b[k] != byte(i, k, salt))
			return 0;
	return 1;
}

static void fill(uint8_t *b, unsigned len, unsigned i, unsigned salt)
{
	for (unsigned k = 0; k < len; k++)
		b[k] = byte(i, k, salt);
}

/* Server: the order of the calls is fixed, so it knows what each one must carry. */
static void server(uint64_t arg)
{
	struct ipc_msg m = { 0 };
	(void)arg;
	m.rbuf = srv_in;
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	long err = ipc_recv(ep, &m);
	for (unsigned n = 0; n < WORD_CALLS + BUF_CALLS + 2; n++) {
		CHECK_EQ(err, 0);
		uint64_t tag = m.tag;
		if (n < WORD_CALLS) {
			int ok = ipc_tag_words(tag) == IPC_WORDS && ipc_tag_label(tag) == n;
			for (unsigned j = 0; j < IPC_WORDS; j++) {
				ok = ok && m.w[j] == word(n, j);
				m.w[j]++;
			}
			CHECK(ok);
			m.tag = ipc_tag(n + 1, IPC_WORDS, 0, 0);
		} else if (n < WORD_CALLS + BUF_CALLS) {
			unsigned i = n - WORD_CALLS;
			CHECK_EQ(ipc_tag_len(tag), IPC_BUF_MAX);
			CHECK(buf_ok(srv_in, IPC_BUF_MAX, i, 1));
			CHECK_EQ(m.w[0], i);
			fill(srv_out, IPC_BUF_MAX, i, 2);
			m.sbuf = srv_out;
			m.tag = ipc_tag(0, 1, IPC_BUF_MAX, 0);
			m.w[0] = i + 1;
		} else if (n == WORD_CALLS + BUF_CALLS) {
			/* Our capacity was SHORT_CAP: the rest of the buffer stays untouched. */
			CHECK_EQ(ipc_tag_len(tag), SHORT_CAP);
			CHECK(buf_ok(srv_in, SHORT_CAP, 99, 3));
			CHECK(srv_in[SHORT_CAP] == FILL && srv_in[IPC_BUF_MAX - 1] == FILL);
			fill(srv_out, IPC_BUF_MAX, 98, 4);
			m.tag = ipc_tag(0, 0, IPC_BUF_MAX, 0);
		} else {
			CHECK_EQ(m.w[0], 0xdeadUL);
			m.tag = ipc_tag(0, 0, 0, 0);
			ipc_reply(&m);
			break;
		}
		unsigned next = n + 1;
		unsigned cap = next < WORD_CALLS		? 0
			       : next < WORD_CALLS + BUF_CALLS	? IPC_BUF_MAX
			       : next == WORD_CALLS + BUF_CALLS ? SHORT_CAP
								: 0;
		if (next == WORD_CALLS + BUF_CALLS)
			memset(srv_in, FILL, sizeof(srv_in));
		m.rspec = ipc_recv_spec(cap, IPC_RECV_SLOT_NONE);
		err = ipc_reply_recv(ep, &m);
	}
}

static void word_calls(void)
{
	int bad = 0;
	for (unsigned i = 0; i < WORD_CALLS; i++) {
		struct ipc_msg m = { .tag = ipc_tag(i, IPC_WORDS, 0, 0) };
		for (unsigned j = 0; j < IPC_WORDS; j++)
			m.w[j] = word(i, j);
		m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
		long err = ipc_call(ep, &m);
		int ok = err == 0 && ipc_tag_label(m.tag) == i + 1 &&
			 ipc_tag_words(m.tag) == IPC_WORDS && m.badge == 0;
		for (unsigned j = 0; j < IPC_WORDS; j++)
			ok = ok && m.w[j] == word(i, j) + 1;
		bad += !ok;
	}
	CHECK_EQ(bad, 0);
}

static void buffer_calls(void)
{
	int bad = 0;
	for (unsigned i = 0; i < BUF_CALLS; i++) {
		struct ipc_msg m = { .tag = ipc_tag(0, 1, IPC_BUF_MAX, 0) };
		fill(cli_out, IPC_BUF_MAX, i, 1);
		memset(cli_in, 0, sizeof(cli_in));
		m.w[0] = i;
		m.sbuf = cli_out;
		m.rbuf = cli_in;
		m.rspec = ipc_recv_spec(IPC_BUF_MAX, IPC_RECV_SLOT_NONE);
		long err = ipc_call(ep, &m);
		bad += !(err == 0 && ipc_tag_len(m.tag) == IPC_BUF_MAX && m.w[0] == i + 1 &&
			 buf_ok(cli_in, IPC_BUF_MAX, i, 2));
	}
	CHECK_EQ(bad, 0);
}

static void short_calls(void)
{
	/* Our buffer is longer than the server's capacity, and its reply longer than ours. */
	struct ipc_msg m = { .tag = ipc_tag(0, 0, IPC_BUF_MAX, 0) };
	fill(cli_out, IPC_BUF_MAX, 99, 3);
	memset(cli_in, FILL, sizeof(cli_in));
	m.sbuf = cli_out;
	m.rbuf = cli_in;
	m.rspec = ipc_recv_spec(64, IPC_RECV_SLOT_NONE);
	CHECK_EQ(ipc_call(ep, &m), 0);
	CHECK_EQ(ipc_tag_len(m.tag), 64);
	CHECK(buf_ok(cli_in, 64, 98, 4));
	CHECK(cli_in[64] == FILL);

	struct ipc_msg q = { .tag = ipc_tag(0, 1, 0, 0), .w = { 0xdead } };
	q.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	CHECK_EQ(ipc_call(ep, &q), 0);
}

int main(void)
{
	ep = tu_obj(OBJ_ENDPOINT);
	CHECK(ep > 0);
	CHECK_EQ(tu_join_init(), 0);
	CHECK(tu_thread(server, 0, 1) > 0);
	word_calls();
	buffer_calls();
	short_calls();
	tu_join(1);
	return test_status();
}
