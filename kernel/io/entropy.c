/* The kernel's random bytes: see entropy.h. */
#include "kernel/io/entropy.h"

#include <stdbool.h>

#include "kernel/abi/error.h"
#include "kernel/core/uaccess.h"
#include "kernel/cpu/riscv.h"
#include "kernel/lib/chacha20.h"

static uint32_t key[CHACHA20_KEY_WORDS];
static const uint32_t nonce[CHACHA20_NONCE_WORDS]; /* the key changes after every request */
static bool seeded;

/* Stores the compiler may not drop: key material is cleared after use. */
static void wipe(void *p, uint64_t n)
{
	volatile uint8_t *b = p;
	while (n--)
		*b++ = 0;
}

void entropy_init(const uint8_t *seed, uint32_t folded_len, uint32_t seed_len)
{
	uint32_t k0[CHACHA20_KEY_WORDS] = { 0 }, block[CHACHA20_BLOCK_WORDS];
	for (uint32_t i = 0; i < folded_len; i++)
		((uint8_t *)k0)[i % sizeof(k0)] ^= seed[i];
	/* The clocks add a little to a seed, and keep two boots from one seed apart. */
	uint64_t t = rdtime(), c = rdcycle();
	const uint32_t n[CHACHA20_NONCE_WORDS] = { (uint32_t)t, (uint32_t)(t >> 32), (uint32_t)c };
	chacha20_block(k0, 0, n, block);
	for (int i = 0; i < CHACHA20_KEY_WORDS; i++)
		key[i] = block[i];
	wipe(k0, sizeof(k0));
	wipe(block, sizeof(block));
	seeded = seed_len >= ENTROPY_SEED_MIN;
}

int entropy_seeded(void)
{
	return seeded;
}

long entropy_fill(struct task *t, uint64_t va, uint64_t len)
{
	uint32_t out[ENTROPY_MAX / 4], block[CHACHA20_BLOCK_WORDS];
	if (len > ENTROPY_MAX)
		return E_INVAL;
	if (!seeded)
		return E_NOSYS;
	if (len == 0)
		return 0;
	/* Blocks 1.. are the answer, block 0 the next key: fast key erasure. */
	for (uint32_t b = 0; b * sizeof(block) < len; b++) {
		chacha20_block(key, b + 1, nonce, block);
		for (int i = 0; i < CHACHA20_BLOCK_WORDS; i++)
			out[b * CHACHA20_BLOCK_WORDS + i] = block[i];
	}
	chacha20_block(key, 0, nonce, block);
	for (int i = 0; i < CHACHA20_KEY_WORDS; i++)
		key[i] = block[i];
	long err = user_copy_out(t, va, out, len);
	wipe(out, sizeof(out));
	wipe(block, sizeof(block));
	return err;
}
