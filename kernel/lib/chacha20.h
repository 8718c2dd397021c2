/*
 * The ChaCha20 block function (RFC 8439, section 2.3): 20 rounds over a 512-bit state of
 * constants, a 256-bit key, a 32-bit block counter and a 96-bit nonce, giving 64 bytes
 * of key stream. Freestanding, so the host unit tests check it against the RFC's vectors.
 */
#ifndef LIB_CHACHA20_H
#define LIB_CHACHA20_H

#include <stdint.h>

#define CHACHA20_KEY_WORDS   8
#define CHACHA20_NONCE_WORDS 3
#define CHACHA20_BLOCK_WORDS 16 /* 64 bytes */

/* One block of key stream for key, counter and nonce, as little-endian words. */
void chacha20_block(const uint32_t key[CHACHA20_KEY_WORDS], uint32_t counter,
		    const uint32_t nonce[CHACHA20_NONCE_WORDS], uint32_t out[CHACHA20_BLOCK_WORDS]);

#endif
