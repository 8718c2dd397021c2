#!/usr/bin/env python3
"""Pack user programs into the boot archive the kernel carries.

Usage: mkarchive.py -o archive.bin name=path [name=path ...]

Format (kernel/abi/ipc.h): a header {magic "MKAR", version 2, count, table_pages}, then
count entries {name[48], offset, size}, all little endian. The header and the entries fill
the first table_pages pages; every file starts on a 4096-byte boundary after them, so its
pages can be mapped straight from the archive. There is no limit on the number of files.
"""
import argparse
import struct
import sys

MAGIC = b"MKAR"
VERSION = 2
PAGE = 4096
NAME_MAX = 48
HEADER = struct.Struct("<4sIII")
ENTRY = struct.Struct("<%dsQQ" % NAME_MAX)


def align(n):
    return (n + PAGE - 1) // PAGE * PAGE


def pack(files):
    table_pages = align(HEADER.size + ENTRY.size * len(files)) // PAGE
    table = HEADER.pack(MAGIC, VERSION, len(files), table_pages)
    body = b""
    offset = table_pages * PAGE
    for name, data in files:
        raw = name.encode()
        if not raw or len(raw) >= NAME_MAX or b"/" in raw or b"\0" in raw:
            raise ValueError("bad program name %r" % name)
        table += ENTRY.pack(raw, offset, len(data))
        padded = data.ljust(align(len(data)), b"\0")
        body += padded
        offset += len(padded)
    return table.ljust(table_pages * PAGE, b"\0") + body


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", required=True)
    ap.add_argument("files", nargs="*", metavar="name=path")
    args = ap.parse_args()
    files, seen = [], set()
    for spec in args.files:
        name, eq, path = spec.partition("=")
        if not eq or not path:
            print("mkarchive: %r is not name=path" % spec, file=sys.stderr)
            return 1
        if name in seen:
            print("mkarchive: %s given twice" % name, file=sys.stderr)
            return 1
        seen.add(name)
        try:
            with open(path, "rb") as f:
                files.append((name, f.read()))
        except OSError as e:
            print("mkarchive: %s: %s" % (path, e.strerror), file=sys.stderr)
            return 1
    try:
        out = pack(files)
    except ValueError as e:
        print("mkarchive: %s" % e, file=sys.stderr)
        return 1
    with open(args.o, "wb") as f:
        f.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
