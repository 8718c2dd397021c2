/* A bitmap of this task's free capability slots (SLOT_FIRST_FREE and up). */
#include "taskspawn.h"
#include "syscall.h"

#define WORD_BITS 64

static uint64_t used[CSPACE_SLOTS / WORD_BITS];

long slot_alloc(void)
{
	for (long s = SLOT_FIRST_FREE; s < CSPACE_SLOTS; s++) {
		if (!(used[s / WORD_BITS] & (1UL << (s % WORD_BITS)))) {
			used[s / WORD_BITS] |= 1UL << (s % WORD_BITS);
			return s;
		}
	}
	return -1;
}

void slot_free(long s)
{
	if (s >= SLOT_FIRST_FREE && s < CSPACE_SLOTS) {
		SYSCALL(cap_delete, s);
		used[s / WORD_BITS] &= ~(1UL << (s % WORD_BITS));
	}
}

long slot_reserve(long s)
{
	if (s < SLOT_FIRST_FREE || s >= CSPACE_SLOTS)
		return -1;
	used[s / WORD_BITS] |= 1UL << (s % WORD_BITS);
	return s;
}
