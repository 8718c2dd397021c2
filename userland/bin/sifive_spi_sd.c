/*
 * sifive_spi_sd: a user-level driver for an SD card in SPI mode behind a SiFive SPI
 * controller (sifive,spi0), the way the HiFive Unleashed and Unmatched attach their card
 * (an mmc-spi-slot child at chip select 0). It serves the block protocol through the
 * shared loop (fs/blkserve.c) on SLOT_BLK_EP.
 *
 * The registers come by capability (device_get). device_get returns a node's own
 * registers, so the mmc-spi-slot child cannot say which controller it sits on: the
 * driver tries each sifive,spi0 node in turn and keeps the argv[1]-th (default 0: the
 * first) where a card answers CMD0 as an idle SD card does. The FIFOs are polled byte by byte;
 * every wait has a time-out, after which the block's try fails, the card is initialised
 * again and the block tried anew; after BLOCK_TRIES failures the request fails with EIO.
 *
 * Cards: SDSC (byte addresses, CSD version 1) and SDHC/SDXC (block addresses, CSD version
 * 2). CRC: CMD0 and CMD8 always carry a valid CRC7, as SPI mode requires; every command
 * does, and CMD59 turns CRC checking on, so data blocks carry a CRC16 both ways and a read
 * block whose CRC16 is wrong is an EIO.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/blkproto.h"
#include "fs/blkserve.h"
#include "fs/sdspi.h"
#include "taskspawn.h"
#include "syscall.h"

#define REGS_VA		 0x3800000000UL
#define MAX_NODES	 8u
/*
 * The controller's input clock is in the device tree's clocks, which a user driver
 * cannot read; these divisors assume the FU540/FU740's 500 MHz peripheral clock:
 * f = 500 MHz / (2 * (div + 1)), about 400 kHz to initialise and 19 MHz after.
 */
#define SCKDIV_INIT	 624u
#define SCKDIV_FAST	 12u
#define INIT_CLOCKS	 10u /* bytes of 0xff with CS high: at least 74 clocks */
#define NCR_MAX		 16u /* bytes before a command's response */
#define GO_IDLE_TRIES	 10u
#define TIMEOUT_FIFO_NS	 100000000L  /* 100 ms for one byte */
#define TIMEOUT_INIT_NS	 1000000000L /* 1 s for ACMD41 to leave idle */
#define TIMEOUT_READ_NS	 100000000L  /* 100 ms for a read's data token */
#define TIMEOUT_WRITE_NS 500000000L  /* 500 ms for a write's busy */
#define BLOCK_TRIES	 3u	     /* tries of one block, the card initialised anew between */

struct sdcard {
	int sdhc; /* block-addressed */
	int crc;  /* CMD59 accepted: CRCs are checked */
	int needs_init;
	uint64_t sectors;
};

static struct sdcard card;

static volatile uint32_t *reg(unsigned off)
{
	return (volatile uint32_t *)(REGS_VA + off);
}

/* Nanoseconds since boot, from the time CSR and the timebase (for the time-outs). */
static long now_ns(void)
{
	static uint64_t hz;
	uint64_t t;
	if (!hz) {
		struct sysinfo si = { 0 };
		hz = SYSCALL(sysinfo, &si) == 0 && si.timebase_hz ? si.timebase_hz : 1;
	}
	__asm__ volatile("rdtime %0" : "=r"(t));
	return (long)(t / hz * 1000000000UL + t % hz * 1000000000UL / hz);
}

/* Exchange one byte: 0 and *in, or -EIO if the FIFOs do not move in time. */
static int xfer(uint8_t out, uint8_t *in)
{
	long deadline = now_ns() + TIMEOUT_FIFO_NS;
	while (*reg(SPI_TXDATA) & SPI_TXDATA_FULL)
		if (now_ns() > deadline)
			return -EIO;
	*reg(SPI_TXDATA) = out;
	for (;;) {
		uint32_t rx = *reg(SPI_RXDATA); /* one read: it pops the FIFO */
		if (!(rx & SPI_RXDATA_EMPTY)) {
			*in = (uint8_t)rx;
			return 0;
		}
		if (now_ns() > deadline)
			return -EIO;
	}
}

static int send_bytes(const uint8_t *p, unsigned n)
{
	uint8_t dummy;
	for (unsigned i = 0; i < n; i++) {
		int err = xfer(p[i], &dummy);
		if (err)
			return err;
	}
	return 0;
}

static int recv_bytes(uint8_t *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		int err = xfer(SD_IDLE_BYTE, &p[i]);
		if (err)
			return err;
	}
	return 0;
}

/* CRC7 of a command (polynomial x^7 + x^3 + 1), as the card checks it. */
static uint8_t crc7(const uint8_t *p, unsigned n)
{
	uint8_t crc = 0;
	for (unsigned i = 0; i < n; i++)
		for (int k = 7; k >= 0; k--) {
			unsigned in = ((p[i] >> k) & 1) ^ ((crc >> 6) & 1);
			crc = (uint8_t)((crc << 1) & 0x7f);
			if (in)
				crc ^= 0x09;
		}
	return crc;
}

/* CRC16-CCITT (polynomial 0x1021, initial 0) of a data block. */
static uint16_t crc16(const uint8_t *p, unsigned n)
{
	uint16_t crc = 0;
	for (unsigned i = 0; i < n; i++) {
		crc ^= (uint16_t)(p[i] << 8);
		for (int k = 0; k < 8; k++)
			crc = (uint16_t)((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
	}
	return crc;
}

static void select_card(void)
{
	*reg(SPI_CSMODE) = SPI_CSMODE_HOLD;
}

/* Deassert CS and give the card the 8 clocks it needs to release MISO. */
static void deselect_card(void)
{
	uint8_t dummy;
	*reg(SPI_CSMODE) = SPI_CSMODE_AUTO;
	xfer(SD_IDLE_BYTE, &dummy);
}

/* Send a command (CS held by the caller) and wait for its R1: R1, or -EIO. */
static int command(unsigned cmd, uint32_t arg)
{
	uint8_t frame[6] = {
		(uint8_t)(SD_CMD_START | cmd), (uint8_t)(arg >> 24), (uint8_t)(arg >> 16),
		(uint8_t)(arg >> 8),	       (uint8_t)arg,	     0
	};
	uint8_t r = SD_IDLE_BYTE;
	frame[5] = (uint8_t)(crc7(frame, 5) << 1 | SD_CMD_END);
	int err = xfer(SD_IDLE_BYTE, &r); /* one byte of gap before every command */
	if (!err)
		err = send_bytes(frame, sizeof(frame));
	for (unsigned i = 0; !err && i < NCR_MAX; i++) {
		err = xfer(SD_IDLE_BYTE, &r);
		if (!err && !(r & R1_START_BIT))
			return r;
	}
	return -EIO;
}

/*
 * An R1 with no error bit. The idle bit is let through after initialisation too: QEMU's
 * SPI-mode card keeps reporting it until a data command, where a real card has cleared it.
 */
static int r1_ok(int r)
{
	return r >= 0 && !(r & ~R1_IDLE);
}

/* A whole command outside a data transfer: select, command, extra response bytes, deselect. */
static int command_alone(unsigned cmd, uint32_t arg, uint8_t *extra, unsigned nextra)
{
	select_card();
	int r = command(cmd, arg);
	if (r >= 0 && nextra && recv_bytes(extra, nextra) != 0)
		r = -EIO;
	deselect_card();
	return r;
}

/* Wait for a data block's start token and read len bytes and their CRC16. */
static int read_block(uint8_t *buf, unsigned len)
{
	long deadline = now_ns() + TIMEOUT_READ_NS;
	uint8_t t = SD_IDLE_BYTE, c[2];
	/* The clock is read only while the card is still silent: a token that came while
	 * we were not running is taken, however late we look. */
	for (;;) {
		if (xfer(SD_IDLE_BYTE, &t) != 0)
			return -EIO;
		if (t == SD_TOKEN_START)
			break;
		if (t != SD_IDLE_BYTE && !(t & SD_ERROR_TOKEN_MASK))
			return -EIO; /* an error token */
		if (now_ns() > deadline)
			return -EIO;
	}
	if (recv_bytes(buf, len) != 0 || recv_bytes(c, 2) != 0)
		return -EIO;
	if (card.crc && (uint16_t)(c[0] << 8 | c[1]) != crc16(buf, len))
		return -EIO;
	return 0;
}

/* Put the card in idle state: CMD0 with CS held low, until R1 says idle. */
static int go_idle(void)
{
	uint8_t ff[INIT_CLOCKS];
	memset(ff, SD_IDLE_BYTE, sizeof(ff));
	*reg(SPI_CSMODE) = SPI_CSMODE_OFF; /* CS high while the card counts clocks */
	send_bytes(ff, sizeof(ff));
	for (unsigned i = 0; i < GO_IDLE_TRIES; i++)
		if (command_alone(SD_GO_IDLE, 0, 0, 0) == R1_IDLE)
			return 0;
	return -ENODEV;
}

/* CMD8 (version 2 cards only), then ACMD41 until the card leaves idle. */
static int leave_idle(int *v2)
{
	uint8_t r7[4];
	int r = command_alone(SD_SEND_IF_COND, SD_IF_COND_ARG, r7, sizeof(r7));
	if (r < 0)
		return r;
	*v2 = !(r & R1_ILLEGAL_CMD);
	if (*v2 && (r7[3] != (SD_IF_COND_ARG & 0xff) || (r7[2] & 0x0f) != 1))
		return -ENODEV; /* wrong echo, or the card does not take 3.3 V */
	card.crc = command_alone(SD_CRC_ON_OFF, 1, 0, 0) == R1_IDLE;
	long deadline = now_ns() + TIMEOUT_INIT_NS;
	do {
		r = command_alone(SD_APP_CMD, 0, 0, 0);
		if (r >= 0 && !(r & ~R1_IDLE))
			r = command_alone(SD_APP_SEND_OP_COND, *v2 ? SD_ACMD41_HCS : 0, 0, 0);
		if (r == 0)
			return 0;
	} while (now_ns() < deadline);
	return -EIO;
}

/* The capacity in 512-byte sectors, from the CSD (versions 1 and 2). */
static int read_capacity(void)
{
	uint8_t csd[SD_CSD_BYTES];
	select_card();
	int r = command(SD_SEND_CSD, 0);
	int err = r1_ok(r) ? read_block(csd, sizeof(csd)) : -EIO;
	deselect_card();
	if (err)
		return err;
	unsigned structure = csd[0] >> 6;
	if (structure == 1) {
		uint64_t c_size = (uint64_t)(csd[7] & 0x3f) << 16 | (uint64_t)csd[8] << 8 | csd[9];
		card.sectors = (c_size + 1) * 1024; /* (C_SIZE + 1) * 512 KiB */
		return 0;
	}
	if (structure != 0)
		return -ENODEV;
	unsigned read_bl_len = csd[5] & 0x0f;
	unsigned c_size = (unsigned)(csd[6] & 0x03) << 10 | (unsigned)csd[7] << 2 | csd[8] >> 6;
	unsigned mult = (unsigned)(csd[9] & 0x03) << 1 | csd[10] >> 7;
	if (read_bl_len < 9 || read_bl_len > 11)
		return -ENODEV;
	card.sectors = ((uint64_t)c_size + 1) << (mult + 2 + read_bl_len - 9);
	return 0;
}

/* The whole initialisation (SD spec figure 7-2): 0, -ENODEV (no card) or -EIO. */
static int card_init(void)
{
	uint8_t ocr[4];
	int v2 = 0;
	*reg(SPI_SCKDIV) = SCKDIV_INIT;
	int err = go_idle();
	if (!err)
		err = leave_idle(&v2);
	if (!err && !r1_ok(command_alone(SD_READ_OCR, 0, ocr, sizeof(ocr))))
		err = -EIO;
	if (err)
		return err;
	card.sdhc = v2 && (((uint32_t)ocr[0] << 24) & SD_OCR_CCS);
	if (!card.sdhc && !r1_ok(command_alone(SD_SET_BLOCKLEN, SD_BLOCK, 0, 0)))
		return -EIO;
	err = read_capacity();
	if (!err) {
		*reg(SPI_SCKDIV) = SCKDIV_FAST;
		card.needs_init = 0;
	}
	return err;
}

/* The controller set up for SD: polled, single lane, mode 0, chip select 0. */
static void controller_init(void)
{
	*reg(SPI_IE) = 0;
	*reg(SPI_FCTRL) = 0; /* no memory-mapped flash mode */
	*reg(SPI_SCKMODE) = 0;
	*reg(SPI_CSID) = 0;
	*reg(SPI_CSDEF) = 1;
	*reg(SPI_FMT) = SPI_FMT_LEN8;
}

/* Try each sifive,spi0 node for a card; keep the want-th one found: 0 or -ENODEV. */
static int find_card(unsigned want)
{
	long slot = slot_alloc();
	for (unsigned i = 0; i < MAX_NODES; i++) {
		long irq = SYSCALL(device_get, SLOT_IRQCTL, slot, (long)SIFIVE_SPI_COMPAT,
				   (long)strlen(SIFIVE_SPI_COMPAT), i);
		if (irq == E_NOENT)
			break;
		if (irq < 0)
			continue;
		if (SYSCALL(map, SLOT_SELF, slot, REGS_VA, 0, 1,
			    MAP_PROT_READ | MAP_PROT_WRITE | MAP_KIND_SHARED) == 0) {
			controller_init();
			if (card_init() == 0 && want-- == 0)
				return 0;
			SYSCALL(unmap, SLOT_SELF, REGS_VA, 1);
		}
		SYSCALL(cap_delete, slot);
	}
	return -ENODEV;
}

static uint32_t card_address(uint64_t lba)
{
	return (uint32_t)(card.sdhc ? lba : lba * SD_BLOCK);
}

/* Before a request: a card that timed out is initialised again. */
static int ready(void)
{
	return card.needs_init ? card_init() : 0;
}

static int read_one(uint64_t lba, uint8_t *buf)
{
	select_card();
	int r = command(SD_READ_SINGLE, card_address(lba));
	int err = r1_ok(r) ? read_block(buf, SD_BLOCK) : -EIO;
	deselect_card();
	return err;
}

/* Wait while the card holds MISO low (busy programming). */
static int wait_not_busy(void)
{
	long deadline = now_ns() + TIMEOUT_WRITE_NS;
	uint8_t b = 0;
	for (;;) {
		if (xfer(SD_IDLE_BYTE, &b) != 0)
			return -EIO;
		if (b == SD_IDLE_BYTE)
			return 0;
		if (now_ns() > deadline) /* only while still busy, as in read_block */
			return -EIO;
	}
}

static int write_one(uint64_t lba, const uint8_t *buf)
{
	uint16_t crc = crc16(buf, SD_BLOCK);
	uint8_t head[2] = { SD_IDLE_BYTE, SD_TOKEN_START },
		tail[2] = { (uint8_t)(crc >> 8), (uint8_t)crc };
	uint8_t resp = SD_IDLE_BYTE;
	select_card();
	int err = r1_ok(command(SD_WRITE_SINGLE, card_address(lba))) ? 0 : -EIO;
	if (!err)
		err = send_bytes(head, 2);
	if (!err)
		err = send_bytes(buf, SD_BLOCK);
	if (!err)
		err = send_bytes(tail, 2);
	for (unsigned i = 0; !err && resp == SD_IDLE_BYTE && i < NCR_MAX; i++)
		err = xfer(SD_IDLE_BYTE, &resp);
	if (!err && (resp & SD_DATA_RESP_MASK) != SD_DATA_ACCEPTED)
		err = -EIO;
	if (!err)
		err = wait_not_busy();
	deselect_card();
	return err;
}

/*
 * One block, read into into or written from from, tried up to BLOCK_TRIES times: a
 * failed try (a CRC error, a time-out while this driver was not running) leaves the
 * card in an unknown state, so it is initialised again before the next. Both may be
 * repeated: a block written twice holds the same data.
 */
static int with_tries(uint64_t lba, uint8_t *into, const uint8_t *from)
{
	int err = -EIO;
	for (unsigned t = 0; err && t < BLOCK_TRIES; t++) {
		err = ready();
		if (!err)
			err = into ? read_one(lba, into) : write_one(lba, from);
		card.needs_init |= err != 0;
	}
	return err;
}

/* The block operations blk_serve calls, with ranges it has checked already. */
static int sd_read(void *ctx, uint64_t lba, unsigned count, void *buf)
{
	(void)ctx;
	int err = 0;
	for (unsigned i = 0; !err && i < count; i++)
		err = with_tries(lba + i, (uint8_t *)buf + i * SD_BLOCK, 0);
	return err;
}

static int sd_write(void *ctx, uint64_t lba, unsigned count, const void *buf)
{
	(void)ctx;
	int err = 0;
	for (unsigned i = 0; !err && i < count; i++)
		err = with_tries(lba + i, 0, (const uint8_t *)buf + i * SD_BLOCK);
	return err;
}

int main(int argc, char **argv)
{
	static struct bdev bd;
	unsigned which = argc > 1 ? (unsigned)strtoul(argv[1], 0, 0) : 0;
	if (find_card(which) != 0)
		blk_serve(0);
	printf("sifive_spi_sd: %s card, %lu sectors, CRC %s\n", card.sdhc ? "SDHC/SDXC" : "SDSC",
	       (unsigned long)card.sectors, card.crc ? "on" : "off");
	bd = (struct bdev){ 0, card.sectors, 0, sd_read, sd_write, 0 };
	blk_serve(&bd);
}
