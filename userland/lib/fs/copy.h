/*
 * Copying sectors. picolibc's memcpy, as built for us, moves one byte per loop (six
 * instructions a byte), which made a cached 4 KiB read cost 27,000 instructions; the
 * storage code copies whole words when both ends are word-aligned, as sectors are.
 */
#ifndef USER_FS_COPY_H
#define USER_FS_COPY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint64_t __attribute__((may_alias)) fs_word;

static inline void fs_copy(void *dst, const void *src, size_t n)
{
	if ((((uintptr_t)dst | (uintptr_t)src | n) & (sizeof(fs_word) - 1)) == 0) {
		fs_word *d = dst;
		const fs_word *s = src;
		for (size_t i = 0; i < n / sizeof(fs_word); i++)
			d[i] = s[i];
		return;
	}
	memcpy(dst, src, n);
}

#endif
