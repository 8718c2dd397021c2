#!/usr/bin/env python3
"""Where guest instructions go: a flat profile from QEMU's execution trace.

Run QEMU with `-d in_asm,exec,nochain -D trace.log` (and -icount for a stable count), then
    tbprof.py trace.log build/kernel.elf [build/user/prog.elf ...]
It counts, for every translated block, how many times it ran times how many instructions
it holds, and sums that per function of the given ELF files (kernel and user programs).
"""
import bisect
import collections
import re
import subprocess
import sys

BLOCK = re.compile(r"^IN: ?(\S*)")
INSN = re.compile(r"^0x([0-9a-f]+):")
EXEC = re.compile(r"Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/")


def symbols(elf):
    out = subprocess.run(["riscv64-unknown-elf-nm", "-n", "--defined-only", elf],
                         capture_output=True, text=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def parse(path):
    sizes, runs = {}, collections.Counter()
    start, count = None, 0
    with open(path, errors="replace") as f:
        for line in f:
            m = INSN.match(line)
            if m:
                if start is None:
                    start = int(m.group(1), 16)
                count += 1
                continue
            if start is not None and not line.strip():
                sizes[start] = count
                start, count = None, 0
            e = EXEC.search(line)
            if e:
                runs[int(e.group(1), 16)] += 1
    return sizes, runs


def main():
    sizes, runs = parse(sys.argv[1])
    table = sorted(s for elf in sys.argv[2:] for s in symbols(elf))
    addrs = [a for a, _ in table]
    per = collections.Counter()
    for pc, n in runs.items():
        i = bisect.bisect_right(addrs, pc) - 1
        name = table[i][1] if i >= 0 else "?"
        per[name] += n * sizes.get(pc, 1)
    total = sum(per.values())
    for name, n in per.most_common(40):
        print("%10d %5.1f%%  %s" % (n, 100.0 * n / total, name))
    print("%10d total" % total)


if __name__ == "__main__":
    sys.exit(main())
