/*
 * Device-tree compatible strings for the drivers: which register code serves which node.
 * The register code lives beside this file (uart_*.c, plic.c, finisher.c).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/plic.h"
#include "drivers/uart.h"
#include "kernel/lib/dt.h"

/*
 * First match wins, so more specific entries come first: a DesignWare UART may also
 * list "ns16550a", and the generic driver would miss its busy-detect handling.
 */
static const struct uart_driver uart_drivers[] = {
	{ "snps,dw-apb-uart", &uart_dw_apb_ops },
	{ "ns16550a", &uart_ns16550_ops },
	{ "ns16550", &uart_ns16550_ops },
	{ "sifive,uart0", &uart_sifive_ops },
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

const struct uart_driver *uart_match(const char *compat, uint32_t len)
{
	if (!compat || len == 0)
		return NULL;
	for (size_t i = 0; i < ARRAY_LEN(uart_drivers); i++)
		if (dt_compat_has(compat, len, uart_drivers[i].compatible))
			return &uart_drivers[i];
	return NULL;
}

static const char *const plic_names[] = {
	"riscv,plic0",
	"sifive,plic-1.0.0",
};

#define PLIC_SUFFIX	",plic0"
#define PLIC_SUFFIX_LEN (sizeof(PLIC_SUFFIX) - 1)

/* Length of the entry at s, stopping at a NUL or after max bytes. */
static uint32_t entry_len(const char *s, uint32_t max)
{
	uint32_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

static bool ends_with_plic0(const char *s, uint32_t n)
{
	if (n <= PLIC_SUFFIX_LEN)
		return false;
	for (uint32_t i = 0; i < PLIC_SUFFIX_LEN; i++)
		if (s[n - PLIC_SUFFIX_LEN + i] != PLIC_SUFFIX[i])
			return false;
	return true;
}

/* "<vendor>,plic0" names a PLIC whatever the vendor. The list may lack a final NUL. */
static bool any_entry_ends_with_plic0(const char *compat, uint32_t len)
{
	uint32_t off = 0;

	while (off < len) {
		uint32_t n = entry_len(compat + off, len - off);

		if (ends_with_plic0(compat + off, n))
			return true;
		off += n + 1;
	}
	return false;
}

bool plic_compatible(const char *compat, uint32_t len)
{
	if (!compat || len == 0)
		return false;
	for (size_t i = 0; i < ARRAY_LEN(plic_names); i++)
		if (dt_compat_has(compat, len, plic_names[i]))
			return true;
	return any_entry_ends_with_plic0(compat, len);
}
