#!/usr/bin/python3
"""Wrap a FAT partition image in an MBR disk image: mkdisk.py disk.img part.vfat

The disk holds one primary partition, marked bootable, of type 0x0c (FAT32, LBA), starting
at sector 2048 (1 MiB), which is what U-Boot's distro boot and SD-card tools expect. No root,
no loop devices: the MBR is built here and the partition is copied in after it. The result
can be written whole to an SD card with dd.
"""
import hashlib
import os
import struct
import sys

SECTOR = 512
PART_START = 2048              # first sector of the partition: 1 MiB, the usual alignment
PART_TYPE_FAT32_LBA = 0x0C
BOOTABLE = 0x80
MBR_ENTRY_OFFSET = 446         # four 16-byte partition entries follow the boot code
DISK_ID_OFFSET = 440           # 32-bit disk signature (Linux PARTUUID prefix)
MBR_SIGNATURE = b"\x55\xaa"    # at bytes 510-511
# CHS geometry of the LBA era: 255 heads, 63 sectors a track, at most 1024 cylinders.
HEADS, SECTORS_PER_TRACK, MAX_CYLINDER = 255, 63, 1023
COPY_CHUNK = 1 << 20


def chs(lba):
    """The 3-byte CHS address of lba; addresses past the CHS limit saturate (LBA wins)."""
    cyl, rest = divmod(lba, HEADS * SECTORS_PER_TRACK)
    head, sector = divmod(rest, SECTORS_PER_TRACK)
    if cyl > MAX_CYLINDER:
        cyl, head, sector = MAX_CYLINDER, HEADS - 1, SECTORS_PER_TRACK - 1
    else:
        sector += 1  # CHS sectors count from 1
    return bytes([head, ((cyl >> 8) << 6) | sector, cyl & 0xFF])


def partition_entry(start, count):
    return struct.pack("<B3sB3sII", BOOTABLE, chs(start), PART_TYPE_FAT32_LBA,
                       chs(start + count - 1), start, count)


def mbr(disk_id, start, count):
    sector = bytearray(SECTOR)
    struct.pack_into("<I", sector, DISK_ID_OFFSET, disk_id)
    entry = partition_entry(start, count)
    sector[MBR_ENTRY_OFFSET:MBR_ENTRY_OFFSET + len(entry)] = entry
    sector[SECTOR - len(MBR_SIGNATURE):] = MBR_SIGNATURE
    return bytes(sector)


def disk_id_for(path):
    """A stable, non-zero disk signature, so the same inputs give the same disk."""
    digest = hashlib.sha256(os.path.basename(path).encode()).digest()
    return struct.unpack("<I", digest[:4])[0] or 1


def copy_sparse(src, dst):
    """Copy src into dst at its current position, seeking over all-zero chunks."""
    zero = bytes(COPY_CHUNK)
    while True:
        chunk = src.read(COPY_CHUNK)
        if not chunk:
            return
        if chunk == zero[:len(chunk)]:
            dst.seek(len(chunk), os.SEEK_CUR)
        else:
            dst.write(chunk)


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: mkdisk.py disk.img part.vfat")
    disk, part = argv[1], argv[2]
    part_bytes = os.path.getsize(part)
    if part_bytes == 0 or part_bytes % SECTOR:
        sys.exit("mkdisk.py: %s: size %d is not a whole number of sectors" % (part, part_bytes))
    count = part_bytes // SECTOR
    with open(part, "rb") as src, open(disk, "wb") as dst:
        dst.write(mbr(disk_id_for(disk), PART_START, count))
        dst.seek(PART_START * SECTOR)
        copy_sparse(src, dst)
        dst.truncate((PART_START + count) * SECTOR)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
