#!/usr/bin/env python3
"""Check that a kernel Image starts with a RISC-V Linux Image header U-Boot's booti accepts.

Usage: check_image.py Image    (exit 0 if valid; otherwise one line says what is wrong)
"""
import struct
import sys

HEADER = struct.Struct("<IIQQQIIQ8s4sI")  # 64 bytes, little endian
TEXT_OFFSET = 0x200000
MAGIC = b"RISCV\0\0\0"
MAGIC2 = b"RSC\x05"
VERSION = 0x2
OPCODE_LOW_BITS_32BIT = 0b11  # a 4-byte instruction; 2-byte (compressed) ones differ


def check(data):
    if len(data) < HEADER.size:
        return "shorter than the 64-byte header"
    (code0, _code1, text_offset, image_size, flags, version, _res1, _res2, magic, magic2,
     res3) = HEADER.unpack_from(data)
    if code0 & 0b11 != OPCODE_LOW_BITS_32BIT:
        return "code0 is a compressed instruction: the header fields would shift"
    if code0 & 0x7F != 0x6F:  # JAL opcode: code0 must jump over the header
        return "code0 is not a jump (0x%08x)" % code0
    if text_offset != TEXT_OFFSET:
        return "text_offset is 0x%x, not 0x%x" % (text_offset, TEXT_OFFSET)
    if image_size < len(data):
        return "image_size 0x%x is smaller than the file (0x%x)" % (image_size, len(data))
    if flags & 1:
        return "flags say big endian"
    if version != VERSION:
        return "version is 0x%x" % version
    if magic != MAGIC or magic2 != MAGIC2:
        return "bad magic %r / %r" % (magic, magic2)
    if res3 != 0:
        return "res3 (PE offset) is not 0"
    return None


def main():
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    err = check(data)
    if err:
        print("%s: bad Image header: %s" % (sys.argv[1], err), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
