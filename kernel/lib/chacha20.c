/* ChaCha20's block function: see chacha20.h. */
#include "kernel/lib/chacha20.h"

/* "expand 32-byte k", the four constant words. */
static const uint32_t sigma[4] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };

static inline uint32_t rotl(uint32_t v, unsigned n)
{
	return (v << n) | (v >> (32 - n));
}

/* The quarter round on words a, b, c, d of x. */
static inline void quarter(uint32_t *x, int a, int b, int c, int d)
{
	x[a] += x[b], x[d] = rotl(x[d] ^ x[a], 16);
	x[c] += x[d], x[b] = rotl(x[b] ^ x[c], 12);
	x[a] += x[b], x[d] = rotl(x[d] ^ x[a], 8);
	x[c] += x[d], x[b] = rotl(x[b] ^ x[c], 7);
}

void chacha20_block(const uint32_t key[CHACHA20_KEY_WORDS], uint32_t counter,
		    const uint32_t nonce[CHACHA20_NONCE_WORDS], uint32_t out[CHACHA20_BLOCK_WORDS])
{
	uint32_t in[CHACHA20_BLOCK_WORDS];
	for (int i = 0; i < 4; i++)
		in[i] = sigma[i];
	for (int i = 0; i < CHACHA20_KEY_WORDS; i++)
		in[4 + i] = key[i];
	in[12] = counter;
	for (int i = 0; i < CHACHA20_NONCE_WORDS; i++)
		in[13 + i] = nonce[i];
	for (int i = 0; i < CHACHA20_BLOCK_WORDS; i++)
		out[i] = in[i];
	/* Ten double rounds: the columns, then the diagonals. */
	for (int r = 0; r < 10; r++) {
		quarter(out, 0, 4, 8, 12);
		quarter(out, 1, 5, 9, 13);
		quarter(out, 2, 6, 10, 14);
		quarter(out, 3, 7, 11, 15);
		quarter(out, 0, 5, 10, 15);
		quarter(out, 1, 6, 11, 12);
		quarter(out, 2, 7, 8, 13);
		quarter(out, 3, 4, 9, 14);
	}
	for (int i = 0; i < CHACHA20_BLOCK_WORDS; i++)
		out[i] += in[i];
}
