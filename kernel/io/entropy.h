/*
 * The kernel's random bytes (system call 56, entropy): a ChaCha20 generator keyed once at
 * boot from the device tree's /chosen/rng-seed (the firmware's random bytes; QEMU gives
 * 32 from the host), which rekeys itself after every request, so bytes handed out cannot
 * be worked back from a later key (docs/syscalls.md).
 */
#ifndef IO_ENTROPY_H
#define IO_ENTROPY_H

#include <stdint.h>

#define ENTROPY_MAX	 256 /* bytes per call (getentropy's GETENTROPY_MAX) */
#define ENTROPY_SEED_MIN 16  /* seed bytes the generator needs before it answers */

/* Key the generator from seed (seed_len bytes named by the tree; 0: none) and the clocks. */
void entropy_init(const uint8_t *seed, uint32_t folded_len, uint32_t seed_len);

/* Whether entropy answers: the tree gave at least ENTROPY_SEED_MIN seed bytes. */
int entropy_seeded(void);

struct task;
/* len random bytes to va in t: 0, E_INVAL (len > ENTROPY_MAX), E_NOSYS (no seed), E_FAULT,
 * E_NOMEM. */
long entropy_fill(struct task *t, uint64_t va, uint64_t len);

#endif
