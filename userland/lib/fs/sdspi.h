/*
 * The SiFive SPI controller's registers (FU540/FU740 manuals, chapter "SPI") and the SD
 * card's SPI-mode protocol (SD Physical Layer Simplified Specification, chapter 7):
 * commands, response and token bits. One header for every bit layout the SD driver uses.
 */
#ifndef USER_FS_SDSPI_H
#define USER_FS_SDSPI_H

#define SIFIVE_SPI_COMPAT "sifive,spi0"

/* Controller registers (32-bit). */
#define SPI_SCKDIV  0x00
#define SPI_SCKMODE 0x04
#define SPI_CSID    0x10
#define SPI_CSDEF   0x14
#define SPI_CSMODE  0x18
#define SPI_FMT	    0x40
#define SPI_TXDATA  0x48
#define SPI_RXDATA  0x4c
#define SPI_FCTRL   0x60
#define SPI_IE	    0x70

#define SPI_CSMODE_AUTO	 0u
#define SPI_CSMODE_HOLD	 2u
#define SPI_CSMODE_OFF	 3u
#define SPI_FMT_LEN8	 (8u << 16) /* single lane, MSB first, 8-bit frames */
#define SPI_TXDATA_FULL	 (1u << 31)
#define SPI_RXDATA_EMPTY (1u << 31)
#define SPI_SCKDIV_MAX	 0xfffu

/* SD commands used in SPI mode. */
#define SD_GO_IDLE	    0
#define SD_SEND_IF_COND	    8
#define SD_SEND_CSD	    9
#define SD_SET_BLOCKLEN	    16
#define SD_READ_SINGLE	    17
#define SD_WRITE_SINGLE	    24
#define SD_APP_CMD	    55
#define SD_READ_OCR	    58
#define SD_CRC_ON_OFF	    59
#define SD_APP_SEND_OP_COND 41 /* after SD_APP_CMD */

#define SD_CMD_START   0x40u	  /* start bit 0, transmission bit 1 */
#define SD_CMD_END     0x01u	  /* end bit after the CRC7 */
#define SD_IF_COND_ARG 0x1aau	  /* 2.7-3.6 V, check pattern 0xaa */
#define SD_OCR_CCS     (1u << 30) /* card capacity status: block-addressed (SDHC/SDXC) */
#define SD_ACMD41_HCS  (1u << 30) /* host supports high capacity */

/* R1 bits. */
#define R1_IDLE	       0x01u
#define R1_ILLEGAL_CMD 0x04u
#define R1_CRC_ERROR   0x08u
#define R1_START_BIT   0x80u /* 0 in every response */

/* Data tokens and responses. */
#define SD_TOKEN_START	    0xfeu /* single-block read and write */
#define SD_DATA_RESP_MASK   0x1fu
#define SD_DATA_ACCEPTED    0x05u
#define SD_ERROR_TOKEN_MASK 0xf0u /* an error token is 0000xxxx */
#define SD_IDLE_BYTE	    0xffu

#define SD_BLOCK     512u
#define SD_CSD_BYTES 16u

#endif
