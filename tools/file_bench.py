#!/usr/bin/env python3
"""make bench's file_read_seq case: 1 MiB read from /boot on virtio-blk.

Builds build/bench/file-disk.img (mkfs.fat, a 1 MiB file put there by mcopy) and boots
QEMU virt with it under -icount shift=0,sleep=off, twice per run:

- `run readseq /boot/big.bin`: the case itself. A program reads the file with open/read
  in 4 KiB calls, twice. The first pass is cold (the file server reads the file from
  the disk: the file server, FAT, the block cache, the driver, IPC, the kernel, and the
  wait for the host's I/O), the second warm (the file server's page cache).
- `noboot run fatfs readbench big.bin`: the level below, without the file server: fatfs
  reads the volume itself, with its sector cache emptied, then again warm.

Each prints @file_read_seq lines: guest instructions per KiB. The tool keeps the
smallest cold figure over --runs boots (the wait for the host varies from run to run;
the warm one repeats exactly). Prints a table and writes file_read_seq.json in --out.

Usage: file_bench.py --image build/Image --out build/bench [--runs 3]
"""
import argparse
import json
import os
import re
import subprocess
import sys

QEMU = "qemu-system-riscv64"
OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
FILE_BYTES = 1 << 20
LINE = re.compile(rb"^@file_read_seq cache=(cold|warm) bytes=(\d+) cycles=(\d+) per_kib=(\d+)",
                  re.M)


def make_disk(out):
    disk, data = os.path.join(out, "file-disk.img"), os.path.join(out, "big.bin")
    with open(data, "wb") as f:
        f.write(bytes((i * 7 + (i >> 12)) & 0xff for i in range(FILE_BYTES)))
    if os.path.exists(disk):
        os.remove(disk)
    for argv in (["mkfs.fat", "-C", disk, "8192"], ["mcopy", "-i", disk, data, "::/big.bin"]):
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return disk


# What each level boots: through /boot (the case), and fatfs on the volume alone.
LEVELS = (("file_read_seq", "run readseq /boot/big.bin"),
          ("fatfs_read_seq", "noboot run fatfs readbench big.bin"))


def one_run(image, disk, cmdline):
    argv = [QEMU, "-M", "virt", "-m", "128M", "-smp", "1", "-nographic",
            "-icount", "shift=0,sleep=off", "-bios", OPENSBI, "-kernel", image,
            "-drive", "file=%s,if=none,format=raw,id=hd0" % disk,
            "-device", "virtio-blk-device,drive=hd0",
            "-append", cmdline]
    out = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, timeout=300).stdout
    got = {m.group(1).decode(): (int(m.group(2)), int(m.group(3)), int(m.group(4)))
           for m in LINE.finditer(out)}
    if set(got) != {"cold", "warm"} or any(b != FILE_BYTES for b, _, _ in got.values()):
        sys.exit("file_bench: no complete @file_read_seq output:\n" +
                 out[-600:].decode(errors="replace"))
    return got


def summary(runs):
    return {"runs": len(runs),
            "cold": min(r["cold"][2] for r in runs), "cold_max": max(r["cold"][2] for r in runs),
            "warm": min(r["warm"][2] for r in runs), "warm_max": max(r["warm"][2] for r in runs)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--image", default="build/Image")
    ap.add_argument("--out", default="build/bench")
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    disk = make_disk(a.out)
    levels = {name: summary([one_run(a.image, disk, cmdline) for _ in range(max(1, a.runs))])
              for name, cmdline in LEVELS}
    result = {"test": "file_read_seq", "bytes": FILE_BYTES, "unit": "instructions per KiB",
              **levels["file_read_seq"], "fatfs": levels["fatfs_read_seq"]}
    with open(os.path.join(a.out, "file_read_seq.json"), "w") as f:
        json.dump(result, f, indent=2)
    print("| case | cache | instructions per KiB (min of %d runs) | max |" % max(1, a.runs))
    print("|---|---|---|---|")
    for name, _ in LEVELS:
        for cache in ("cold", "warm"):
            print("| %s 1 MiB | %s | %d | %d |" % (name, cache, levels[name][cache],
                                                  levels[name][cache + "_max"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
