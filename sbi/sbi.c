/* SBI calls: see sbi.h. */
#include "sbi/sbi.h"

#include "kernel/cpu/riscv.h"

static struct {
	unsigned long spec, impl_id, impl_version;
	unsigned features;
} sbi;

/* Five arguments: only RFENCE's address-space fence needs the fifth (a4 = ASID). */
static struct sbiret sbi_call5(unsigned long ext, unsigned long fid, unsigned long a0,
			       unsigned long a1, unsigned long a2, unsigned long a3,
			       unsigned long a4)
{
	register unsigned long r0 __asm__("a0") = a0;
	register unsigned long r1 __asm__("a1") = a1;
	register unsigned long r2 __asm__("a2") = a2;
	register unsigned long r3 __asm__("a3") = a3;
	register unsigned long r4 __asm__("a4") = a4;
	register unsigned long r6 __asm__("a6") = fid;
	register unsigned long r7 __asm__("a7") = ext;
	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1)
			 : "r"(r2), "r"(r3), "r"(r4), "r"(r6), "r"(r7)
			 : "memory");
	return (struct sbiret){ .error = (long)r0, .value = (long)r1 };
}

struct sbiret sbi_call(unsigned long ext, unsigned long fid, unsigned long a0, unsigned long a1,
		       unsigned long a2, unsigned long a3)
{
	return sbi_call5(ext, fid, a0, a1, a2, a3, 0);
}

static bool sbi_probe(unsigned long ext)
{
	struct sbiret r = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, ext, 0, 0, 0);
	return r.error == SBI_SUCCESS && r.value != 0;
}

void sbi_init(void)
{
	static const struct {
		unsigned long ext;
		enum sbi_feature bit;
	} probes[] = {
		{ SBI_EXT_TIME, SBI_HAS_TIME },	    { SBI_EXT_IPI, SBI_HAS_IPI },
		{ SBI_EXT_RFENCE, SBI_HAS_RFENCE }, { SBI_EXT_HSM, SBI_HAS_HSM },
		{ SBI_EXT_SRST, SBI_HAS_SRST },	    { SBI_EXT_DBCN, SBI_HAS_DBCN },
	};

	sbi.spec = sbi_call(SBI_EXT_BASE, SBI_BASE_SPEC_VERSION, 0, 0, 0, 0).value;
	sbi.impl_id = sbi_call(SBI_EXT_BASE, SBI_BASE_IMPL_ID, 0, 0, 0, 0).value;
	sbi.impl_version = sbi_call(SBI_EXT_BASE, SBI_BASE_IMPL_VERSION, 0, 0, 0, 0).value;
	sbi.features = 0;
	for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		if (sbi_probe(probes[i].ext))
			sbi.features |= probes[i].bit;
}

bool sbi_has(enum sbi_feature f)
{
	return (sbi.features & f) != 0;
}

unsigned long sbi_spec_version(void)
{
	return sbi.spec;
}

unsigned long sbi_impl_id(void)
{
	return sbi.impl_id;
}

unsigned long sbi_impl_version(void)
{
	return sbi.impl_version;
}

const char *sbi_impl_name(void)
{
	/* Implementation ids from the SBI specification's table. */
	static const char *const names[] = { "BBL",	"OpenSBI", "Xvisor", "KVM",
					     "RustSBI", "Diosix",  "Coffer" };
	return sbi.impl_id < sizeof(names) / sizeof(names[0]) ? names[sbi.impl_id] : "unknown";
}

void sbi_describe(char *buf, unsigned long len)
{
	static const char *const names[] = { "TIME", "IPI", "RFENCE", "HSM", "SRST", "DBCN" };
	unsigned long at = 0;

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(sbi.features & (1U << i)))
			continue;
		for (const char *s = names[i]; *s && at + 2 < len; s++)
			buf[at++] = *s;
		if (at + 2 < len)
			buf[at++] = ' ';
	}
	if (at > 0)
		at--;
	if (len)
		buf[at] = '\0';
}

void sbi_console_putc(char c)
{
	if (sbi.features & SBI_HAS_DBCN)
		sbi_call(SBI_EXT_DBCN, SBI_DBCN_WRITE_BYTE, (unsigned char)c, 0, 0, 0);
	else
		sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (unsigned char)c, 0, 0, 0);
}

void sbi_set_timer(uint64_t when)
{
	if (sbi.features & SBI_HAS_TIME)
		sbi_call(SBI_EXT_TIME, SBI_TIME_SET_TIMER, when, 0, 0, 0);
	else
		sbi_call(SBI_EXT_LEGACY_SET_TIMER, 0, when, 0, 0, 0);
}

void sbi_shutdown(bool failure)
{
	if (sbi.features & SBI_HAS_SRST)
		sbi_call(SBI_EXT_SRST, SBI_SRST_RESET, SBI_SRST_SHUTDOWN,
			 failure ? SBI_SRST_REASON_FAILURE : SBI_SRST_REASON_NONE, 0, 0);
}

long sbi_hart_start(unsigned long hartid, unsigned long start, unsigned long opaque)
{
	return sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, hartid, start, opaque, 0).error;
}

void sbi_send_ipi(unsigned long mask)
{
	if (sbi.features & SBI_HAS_IPI)
		sbi_call(SBI_EXT_IPI, SBI_IPI_SEND, mask, 0, 0, 0);
}

long sbi_remote_sfence_vma(unsigned long mask, unsigned long start, unsigned long size)
{
	return sbi_call(SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA, mask, 0, start, size).error;
}

long sbi_remote_sfence_vma_asid(unsigned long mask, unsigned long start, unsigned long size,
				unsigned long asid)
{
	return sbi_call5(SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA_ASID, mask, 0, start, size, asid)
		.error;
}
