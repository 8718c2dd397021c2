/*
 * Every register across call and reply_recv, on the fast path and the general one. Both
 * threads load all 31 registers but sp with their own patterns before each ecall and
 * record all 31 after it. Only the message registers may change (a0 = 0, a1 = tag, the
 * 8 words, t6 = badge); every other register must come back exactly as it went in, so a
 * kernel value or the partner's value in any of them fails the test. The tags also check
 * that both paths deliver the same message: a tag that is not just a word count (stray
 * bits, more than 8 words) takes the general path and arrives cleaned up.
 */
#include "testlib.h"
#include "testutil.h"

#define ROUNDS	    200
#define NREGS	    32
#define REG_A0	    10
#define REG_A1	    11
#define REG_A7	    17
#define REG_T1	    6
#define REG_T2	    7
#define REG_T6	    31
#define STRAY_BIT   (1u << 8) /* reserved in the tag: dropped on delivery */
#define TOO_MANY    12	      /* words claimed: delivered as 8 */
#define CLIENT_SEED 0xc11e000000000000UL
#define SERVER_SEED 0x5e4e000000000000UL

static const int word_regs[IPC_WORDS] = { 12, 13, 14, 15, 16, 28, 29, 30 };

/*
 * regs_ecall(in, out): every register but sp from in[1..31] (in[2] is not used), ecall,
 * then every register but sp into out[1..31]. The caller's own ra, gp, tp and s0-s11
 * come back afterwards, as the C calling convention wants.
 */
void regs_ecall(const uint64_t *in, uint64_t *out);
__asm__(".text\n"
	".globl regs_ecall\n"
	"regs_ecall:\n"
	"	addi sp, sp, -144\n"
	"	sd ra, 0(sp)\n"
	"	sd gp, 8(sp)\n"
	"	sd tp, 16(sp)\n"
	"	sd s0, 24(sp)\n"
	"	sd s1, 32(sp)\n"
	"	sd s2, 40(sp)\n"
	"	sd s3, 48(sp)\n"
	"	sd s4, 56(sp)\n"
	"	sd s5, 64(sp)\n"
	"	sd s6, 72(sp)\n"
	"	sd s7, 80(sp)\n"
	"	sd s8, 88(sp)\n"
	"	sd s9, 96(sp)\n"
	"	sd s10, 104(sp)\n"
	"	sd s11, 112(sp)\n"
	"	sd a1, 120(sp)\n"
	"	ld x1, 8(a0)\n"
	"	.irp n, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, "
	"24, "
	"25, 26, 27, 28, 29, 30, 31\n"
	"	ld x\\n, \\n * 8(a0)\n"
	"	.endr\n"
	"	ld a0, 80(a0)\n"
	"	ecall\n"
	"	sd ra, 128(sp)\n"
	"	ld ra, 120(sp)\n"
	"	.irp n, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, "
	"23, "
	"24, 25, 26, 27, 28, 29, 30, 31\n"
	"	sd x\\n, \\n * 8(ra)\n"
	"	.endr\n"
	"	ld t0, 128(sp)\n"
	"	sd t0, 8(ra)\n"
	"	ld ra, 0(sp)\n"
	"	ld gp, 8(sp)\n"
	"	ld tp, 16(sp)\n"
	"	ld s0, 24(sp)\n"
	"	ld s1, 32(sp)\n"
	"	ld s2, 40(sp)\n"
	"	ld s3, 48(sp)\n"
	"	ld s4, 56(sp)\n"
	"	ld s5, 64(sp)\n"
	"	ld s6, 72(sp)\n"
	"	ld s7, 80(sp)\n"
	"	ld s8, 88(sp)\n"
	"	ld s9, 96(sp)\n"
	"	ld s10, 104(sp)\n"
	"	ld s11, 112(sp)\n"
	"	addi sp, sp, 144\n"
	"	ret\n");

static long ep;
/* Receive buffers nothing is sent to: they make each side's t1 and t2 its own. */
static uint8_t srv_buf[64], cli_buf[32];

static int is_message_reg(int r)
{
	if (r == REG_A0 || r == REG_A1 || r == REG_T6)
		return 1;
	for (int j = 0; j < IPC_WORDS; j++)
		if (word_regs[j] == r)
			return 1;
	return 0;
}

static void patterns(uint64_t *in, uint64_t seed, unsigned round)
{
	for (int r = 1; r < NREGS; r++)
		in[r] = seed | (uint64_t)round << 16 | (uint64_t)r;
}

/* Every register but the message ones (and sp) came back as it went in: the bad count. */
static int kept(const uint64_t *in, const uint64_t *out)
{
	int bad = 0;
	for (int r = 1; r < NREGS; r++)
		bad += r != 2 && !is_message_reg(r) && out[r] != in[r];
	return bad;
}

/* What round n's call carries: odd rounds take the general path (a tag with stray bits). */
static uint64_t call_tag(unsigned n)
{
	if (n % 4 == 1)
		return ipc_tag(n, 3, 0, 0) | STRAY_BIT;
	if (n % 4 == 3)
		return ipc_tag(n, TOO_MANY, 0, 0);
	return ipc_tag(n, IPC_WORDS, 0, 0);
}

static unsigned delivered_words(unsigned n)
{
	return n % 4 == 1 ? 3 : IPC_WORDS;
}

/* The server checks its own registers after each reply_recv, and answers with its own. */
static void server(uint64_t arg)
{
	uint64_t in[NREGS], out[NREGS];
	struct ipc_msg m = { 0 };
	int bad_regs = 0, bad_msgs = 0;
	(void)arg;
	m.rspec = ipc_recv_spec(0, IPC_RECV_SLOT_NONE);
	CHECK_EQ(ipc_recv(ep, &m), 0);
	uint64_t words[IPC_WORDS] = { 0 };
	for (int j = 0; j < IPC_WORDS; j++)
		words[j] = m.w[j];
	uint64_t tag = m.tag;
	for (unsigned n = 0; n < ROUNDS; n++) {
		unsigned w = delivered_words(n);
		int ok = tag == ipc_tag(n, w, 0, 0);
		for (unsigned j = 0; j < w; j++)
			ok = ok && words[j] == (CLIENT_SEED | (uint64_t)n << 16 | word_regs[j]);
		bad_msgs += !ok;
		patterns(in, SERVER_SEED, n);
		in[REG_A0] = (uint64_t)ep;
		in[REG_A1] = ipc_tag(n + 1000, IPC_WORDS, 0, 0);
		in[REG_A7] = n + 1 < ROUNDS ? SYS_reply_recv : SYS_reply;
		in[REG_T1] = (uint64_t)srv_buf;
		in[REG_T2] = ipc_recv_spec(sizeof(srv_buf), IPC_RECV_SLOT_NONE);
		regs_ecall(in, out);
		bad_regs += kept(in, out);
		if (n + 1 < ROUNDS) {
			CHECK_EQ(out[REG_A0], 0);
			tag = out[REG_A1];
			for (int j = 0; j < IPC_WORDS; j++)
				words[j] = out[word_regs[j]];
		}
	}
	CHECK_EQ(bad_msgs, 0);
	CHECK_EQ(bad_regs, 0);
}

static void client(void)
{
	uint64_t in[NREGS], out[NREGS];
	int bad_regs = 0, bad_msgs = 0;
	for (unsigned n = 0; n < ROUNDS; n++) {
		patterns(in, CLIENT_SEED, n);
		in[REG_A0] = (uint64_t)ep;
		in[REG_A1] = call_tag(n);
		in[REG_A7] = SYS_call;
		in[REG_T1] = (uint64_t)cli_buf;
		in[REG_T2] = ipc_recv_spec(sizeof(cli_buf), IPC_RECV_SLOT_NONE);
		regs_ecall(in, out);
		bad_regs += kept(in, out);
		int ok = out[REG_A0] == 0 && out[REG_A1] == ipc_tag(n + 1000, IPC_WORDS, 0, 0) &&
			 out[REG_T6] == 0;
		for (int j = 0; j < IPC_WORDS; j++)
			ok = ok &&
			     out[word_regs[j]] == (SERVER_SEED | (uint64_t)n << 16 | word_regs[j]);
		bad_msgs += !ok;
	}
	CHECK_EQ(bad_msgs, 0);
	CHECK_EQ(bad_regs, 0);
}

int main(void)
{
	ep = tu_obj(OBJ_ENDPOINT);
	CHECK(ep > 0);
	CHECK_EQ(tu_join_init(), 0);
	CHECK(tu_thread(server, 0, 1) > 0);
	client();
	tu_join(1);
	return test_status();
}
