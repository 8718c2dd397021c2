/*
 * Calls into the SBI firmware (OpenSBI) below us. Every call returns the SBI 1.0 pair
 * {error, value}; extensions are probed once at boot, and callers ask sbi_has().
 */
#ifndef SBI_SBI_H
#define SBI_SBI_H

#include <stdbool.h>
#include <stdint.h>

/* Extension ids. */
#define SBI_EXT_LEGACY_SET_TIMER 0x00
#define SBI_EXT_LEGACY_PUTCHAR	 0x01
#define SBI_EXT_LEGACY_GETCHAR	 0x02
#define SBI_EXT_BASE		 0x10
#define SBI_EXT_TIME		 0x54494d45 /* "TIME" */
#define SBI_EXT_IPI		 0x735049   /* "sPI" */
#define SBI_EXT_RFENCE		 0x52464e43 /* "RFNC" */
#define SBI_EXT_HSM		 0x48534d   /* "HSM" */
#define SBI_EXT_SRST		 0x53525354 /* "SRST" */
#define SBI_EXT_DBCN		 0x4442434e /* "DBCN" */

/* BASE functions. */
enum sbi_base_fid {
	SBI_BASE_SPEC_VERSION = 0,
	SBI_BASE_IMPL_ID = 1,
	SBI_BASE_IMPL_VERSION = 2,
	SBI_BASE_PROBE_EXT = 3,
};

#define SBI_TIME_SET_TIMER	   0
#define SBI_IPI_SEND		   0
#define SBI_RFENCE_SFENCE_VMA	   1
#define SBI_RFENCE_SFENCE_VMA_ASID 2
/* An RFENCE range of this size covers the whole address space. */
#define SBI_RFENCE_ALL		   (~0UL)
#define SBI_HSM_HART_START	   0
#define SBI_HSM_HART_STATUS	   2
#define SBI_SRST_RESET		   0
#define SBI_DBCN_WRITE_BYTE	   2

#define SBI_SRST_SHUTDOWN	0
#define SBI_SRST_COLD_REBOOT	1
#define SBI_SRST_REASON_NONE	0
#define SBI_SRST_REASON_FAILURE 1

#define SBI_SUCCESS	      0
#define SBI_ERR_NOT_SUPPORTED (-2)

/* The probed extensions, one bit each. */
enum sbi_feature {
	SBI_HAS_TIME = 1 << 0,
	SBI_HAS_IPI = 1 << 1,
	SBI_HAS_RFENCE = 1 << 2,
	SBI_HAS_HSM = 1 << 3,
	SBI_HAS_SRST = 1 << 4,
	SBI_HAS_DBCN = 1 << 5,
};

struct sbiret {
	long error;
	long value;
};

struct sbiret sbi_call(unsigned long ext, unsigned long fid, unsigned long a0, unsigned long a1,
		       unsigned long a2, unsigned long a3);

/* Probe BASE and every extension we use; safe to call before the console exists. */
void sbi_init(void);
bool sbi_has(enum sbi_feature f);
/* Spec version as (major << 24 | minor), implementation id and version. */
unsigned long sbi_spec_version(void);
unsigned long sbi_impl_id(void);
unsigned long sbi_impl_version(void);
const char *sbi_impl_name(void);
/* A readable list of the probed extensions, e.g. "TIME IPI RFENCE HSM SRST". */
void sbi_describe(char *buf, unsigned long len);

void sbi_console_putc(char c); /* DBCN, else the legacy call */
/* Start a stopped hart at physical address start with a1 = opaque (HSM). */
long sbi_hart_start(unsigned long hartid, unsigned long start, unsigned long opaque);
/* A supervisor software interrupt to the harts in mask (bit n = hart id n). */
void sbi_send_ipi(unsigned long mask);
/*
 * RFENCE: the harts in mask run sfence.vma over [start, start + size) (SBI_RFENCE_ALL:
 * everything), for every ASID or for asid alone. The specification promises only that the
 * request was sent; OpenSBI returns once every target hart has executed it, and the
 * kernel's shootdown relies on that (docs/vm-cow.md). Returns the SBI error.
 */
long sbi_remote_sfence_vma(unsigned long mask, unsigned long start, unsigned long size);
long sbi_remote_sfence_vma_asid(unsigned long mask, unsigned long start, unsigned long size,
				unsigned long asid);

void sbi_set_timer(uint64_t when);
/* Shut the machine down; returns only if the firmware cannot. */
void sbi_shutdown(bool failure);

#endif
