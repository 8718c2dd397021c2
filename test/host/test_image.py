#!/usr/bin/env python3
"""The Image header check accepts the real kernel and rejects each kind of damage."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
import check_image  # noqa: E402


def mutate(data, off, fmt, value):
    b = bytearray(data)
    struct.pack_into(fmt, b, off, value)
    return bytes(b)


def main():
    data = open(sys.argv[1], "rb").read()
    cases = [
        ("real image", data, True),
        ("compressed code0", mutate(data, 0, "<H", 0xa001), False),
        ("text_offset 0", mutate(data, 0x08, "<Q", 0), False),
        ("image_size 0", mutate(data, 0x10, "<Q", 0), False),
        ("big endian flag", mutate(data, 0x18, "<Q", 1), False),
        ("bad magic2", mutate(data, 0x38, "<I", 0x12345678), False),
        ("truncated", data[:40], False),
    ]
    passed = failed = 0
    for name, img, want in cases:
        got = check_image.check(img) is None
        ok = got == want
        print("%-18s %s" % (name, "ok" if ok else "FAIL: check said %s" % check_image.check(img)))
        passed += ok
        failed += not ok
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
