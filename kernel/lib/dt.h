/*
 * Device-tree reading: what the kernel learns about the machine from the flattened
 * device tree (DTB) the firmware hands it. Plain C with no kernel dependencies, so the
 * same file builds into the kernel, the host unit tests and tools/fdtinfo.
 *
 * dt_parse() checks the blob's header and bounds first and never reads outside
 * [fdt, fdt + totalsize); a malformed blob gives E_FORMAT, never a crash.
 */
#ifndef KERNEL_DT_H
#define KERNEL_DT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DT_MAX_MEM    8	  /* /memory ranges kept */
#define DT_MAX_RESV   16  /* reserved ranges kept: /memreserve/ + /reserved-memory */
#define DT_MAX_HARTS  16  /* /cpus/cpu@N nodes kept */
#define DT_MAX_COMPAT 128 /* bytes of a compatible string list */
#define DT_MAX_NAME   64

struct dt_range {
	uint64_t base;
	uint64_t size;
};

/* Why a hart cannot run the kernel; DT_HART_OK means it can. */
enum dt_hart_skip {
	DT_HART_OK = 0,
	DT_HART_NO_MMU,	     /* no mmu-type property (monitor cores: S7, E51) */
	DT_HART_BAD_MMU,     /* mmu-type present but without Sv39 ("riscv,none", sv32) */
	DT_HART_DISABLED,    /* status is not "okay" */
	DT_HART_NO_S_CONTEXT /* unused for now: kept so reports stay stable */
};

struct dt_hart {
	uint32_t hartid;       /* the cpu node's reg */
	uint32_t intc_phandle; /* phandle of its riscv,cpu-intc child, 0 if none */
	enum dt_hart_skip skip;
	bool has_sstc;	    /* "sstc" in riscv,isa or riscv,isa-extensions */
	int plic_s_context; /* PLIC context wired to this hart's S external irq, -1 if none */
	int sswi_index;	    /* its register in the ACLINT SSWI (its S software irq), -1 if none */
	char isa[DT_MAX_NAME];
	char mmu_type[24];
};

/* A device node: the first reg range plus the properties drivers need. */
struct dt_device {
	bool found;
	char path[DT_MAX_NAME];
	char compat[DT_MAX_COMPAT]; /* NUL-separated list, as in the blob */
	uint32_t compat_len;
	uint64_t base, size;
	uint32_t irq;	       /* first cell of "interrupts", 0 if none */
	uint32_t reg_shift;    /* "reg-shift", 0 if absent */
	uint32_t reg_io_width; /* "reg-io-width", 1 if absent */
	uint32_t clock_hz;     /* "clock-frequency", 0 if absent */
};

#define DT_MAX_RNG_SEED 64 /* bytes of /chosen/rng-seed kept; more are folded in by XOR */

struct dt_info {
	char model[DT_MAX_NAME];
	char bootargs[128]; /* /chosen/bootargs, "" if absent */
	/*
	 * /chosen/rng-seed (the firmware's or QEMU's random bytes), folded into
	 * DT_MAX_RNG_SEED bytes; rng_seed_len counts the property's bytes (0: absent).
	 */
	uint8_t rng_seed[DT_MAX_RNG_SEED];
	uint32_t rng_seed_len;
	uint64_t timebase_hz; /* /cpus timebase-frequency (or the first cpu's) */
	struct dt_range mem[DT_MAX_MEM];
	int nmem;
	struct dt_range resv[DT_MAX_RESV]; /* /memreserve/ entries and /reserved-memory children */
	int nresv;
	struct dt_hart harts[DT_MAX_HARTS];
	int nharts;
	struct dt_device
		console;       /* the node /chosen stdout-path names (options after ':' ignored) */
	struct dt_device plic; /* compatible riscv,plic0 / sifive,plic-1.0.0 / *,plic */
	uint32_t plic_ndev;    /* riscv,ndev */
	struct dt_device finisher; /* sifive,test0 (QEMU's exit device), if any */
	struct dt_device sswi;	   /* riscv,aclint-sswi: IPIs without the firmware, if any */
};

/*
 * Parse the blob at fdt, which may be at most maxlen bytes long. 0 or a negative enum err:
 * E_FORMAT for a malformed blob (out is then all zero), E_NOENT for a well-formed tree
 * without a cpu node or without memory (out holds whatever was found), E_INVAL for NULL.
 * Tables that fill up keep their first entries; that is not an error.
 */
int dt_parse(const void *fdt, size_t maxlen, struct dt_info *out);

/*
 * The index-th enabled node (document order, index 0 first) whose compatible list holds
 * the string compat, read like the devices dt_parse() finds. 0, E_NOENT if there are
 * fewer, E_FORMAT for a malformed blob, E_INVAL for NULL. out is zeroed first.
 */
int dt_find_device(const void *fdt, size_t maxlen, const char *compat, uint32_t index,
		   struct dt_device *out);

/* The blob's totalsize from its header, or 0 if the header is not a valid FDT header. */
uint32_t dt_total_size(const void *fdt);

/* True if the NUL-separated list compat (len bytes) contains the string want. */
bool dt_compat_has(const char *compat, uint32_t len, const char *want);

/* The hart with this id, or NULL. */
const struct dt_hart *dt_find_hart(const struct dt_info *info, uint32_t hartid);

/* A short reason text for a skip code. */
const char *dt_skip_reason(enum dt_hart_skip skip);

#endif
