/*
 * Bad user pointers: the kernel refuses kernel, NULL, unmapped and half-mapped ranges
 * with E_FAULT, read-only memory as a destination with E_FAULT, and bad map_anon
 * addresses with E_INVAL. Nothing crashes.
 */
#include <string.h>

#include "testlib.h"
#include "testutil.h"

#define KERNEL_VA   0xffffffff80200000UL
#define UNMAPPED_VA 0x2f00000000UL
#define PROBE_VA    0x2e00000000UL
#define RW	    (MAP_PROT_READ | MAP_PROT_WRITE)

static void debug_write_faults(void)
{
	CHECK_EQ(SYSCALL(debug_write, KERNEL_VA, 8), E_FAULT);
	CHECK_EQ(SYSCALL(debug_write, 0, 8), E_FAULT);
	CHECK_EQ(SYSCALL(debug_write, 8, 8), E_FAULT);
	CHECK_EQ(SYSCALL(debug_write, UNMAPPED_VA, 8), E_FAULT);
	CHECK_EQ(SYSCALL(debug_write, USER_VA_MAX - 4, 8), E_FAULT);
	CHECK_EQ(SYSCALL(debug_write, -8L, 16), E_FAULT); /* wraps around */

	/* One mapped page, then nothing: a range across the end faults. */
	CHECK_EQ(SYSCALL(map_anon, SLOT_SELF, PROBE_VA, 1, RW), 0);
	char *p = (char *)PROBE_VA;
	static const char line[] = "  bad_pointers: the last bytes of a page\n";
	const unsigned n = sizeof(line) - 1;
	memset(p, '.', PAGE_BYTES);
	memcpy(p + PAGE_BYTES - n, line, n);
	CHECK_EQ(SYSCALL(debug_write, p + PAGE_BYTES - n, n), n);
	CHECK_EQ(SYSCALL(debug_write, p + PAGE_BYTES - 100, 200), E_FAULT);
	CHECK_EQ(SYSCALL(debug_write, p + PAGE_BYTES - 1, 2), E_FAULT);
	CHECK_EQ(SYSCALL(unmap, SLOT_SELF, PROBE_VA, 1), 0);
	CHECK_EQ(SYSCALL(debug_write, p + PAGE_BYTES - 2, 2), E_FAULT);
}

static void copy_out_faults(void)
{
	static const char literal[sizeof(struct memstat)] = "read-only";
	struct memstat ms;
	CHECK_EQ(SYSCALL(memstat, SLOT_SELF, literal), E_FAULT);
	CHECK(strcmp(literal, "read-only") == 0);
	CHECK_EQ(SYSCALL(memstat, SLOT_SELF, "a string literal, long enough for memstat"), E_FAULT);
	CHECK_EQ(SYSCALL(memstat, SLOT_SELF, (void *)copy_out_faults), E_FAULT); /* text */
	CHECK_EQ(SYSCALL(memstat, SLOT_SELF, KERNEL_VA), E_FAULT);
	CHECK_EQ(SYSCALL(memstat, SLOT_SELF, 0), E_FAULT);
	CHECK_EQ(SYSCALL(memstat, SLOT_SELF, UNMAPPED_VA), E_FAULT);
	CHECK_EQ(SYSCALL(sysinfo, KERNEL_VA), E_FAULT);
	CHECK_EQ(SYSCALL(memstat, SLOT_SELF, &ms), 0);
	CHECK(ms.total_frames > 0);
}

static void map_anon_invalid(void)
{
	CHECK_EQ(SYSCALL(map_anon, SLOT_SELF, KERNEL_VA, 1, RW), E_INVAL);
	CHECK_EQ(SYSCALL(map_anon, SLOT_SELF, PROBE_VA + 8, 1, RW), E_INVAL);
	CHECK_EQ(SYSCALL(map_anon, SLOT_SELF, 0, 1, RW), E_INVAL);
	CHECK_EQ(SYSCALL(map_anon, SLOT_SELF, USER_VA_MAX, 1, RW), E_INVAL);
	CHECK_EQ(SYSCALL(map_anon, SLOT_SELF, USER_VA_MAX - PAGE_BYTES, 2, RW), E_INVAL);
	CHECK_EQ(SYSCALL(map_anon, SLOT_SELF, PROBE_VA, 0, RW), E_INVAL);
	CHECK_EQ(SYSCALL(map_anon, SLOT_SELF, PROBE_VA, 1, MAP_PROT_WRITE), E_INVAL); /* W alone */
	CHECK_EQ(SYSCALL(map_anon, SLOT_SELF, PROBE_VA, 1UL << 40, RW), E_INVAL);
	/* None of them left a mapping behind. */
	CHECK_EQ(SYSCALL(debug_write, PROBE_VA, 1), E_FAULT);
}

int main(void)
{
	debug_write_faults();
	copy_out_faults();
	map_anon_invalid();
	return test_status();
}
