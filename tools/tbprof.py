#!/usr/bin/env python3
"""Where guest instructions go: a flat profile from QEMU's execution trace.

Run QEMU with `-d in_asm,exec,nochain -D trace.log` (and -icount for a stable count), then
    tbprof.py trace.log build/kernel.elf [build/user/prog.elf ...]
It counts, for every translated block, how many times it ran times how many instructions
it holds, and sums that per function of the given ELF files (kernel and user programs).

With --fills (and `mmu` added to -d), it also counts QEMU's translation fills
(`riscv_cpu_tlb_fill` lines) per function: each is charged to the block that ran last
before it (a fill made while translating a block goes to the block before). Every satp
write and sfence.vma empties QEMU's translation cache for that hart, so the fills show
what a kernel entry pays after a switch (docs/benchmark.md, "Twenty-sixth session").

User programs are all linked at the same addresses: give the ELF of one program at a
time, or its functions will be confused with another's.
"""
import bisect
import collections
import re
import subprocess
import sys

BLOCK = re.compile(r"^IN: ?(\S*)")
INSN = re.compile(r"^0x([0-9a-f]+):")
EXEC = re.compile(r"Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/")
FILL = re.compile(r"^riscv_cpu_tlb_fill ad [0-9a-f]+ ")


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
    """Block sizes by start address and runs per block (tools/hotlist.py uses it too)."""
    sizes, runs, _ = parse_all(path)
    return sizes, runs


def parse_all(path):
    """Block sizes by start address, runs per block, and fills per block that preceded."""
    sizes, runs, fills = {}, collections.Counter(), collections.Counter()
    start, count, last = None, 0, None
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
                last = int(e.group(1), 16)
                runs[last] += 1
            elif FILL.match(line):
                fills[last] += 1
    return sizes, runs, fills


def per_function(table, counts):
    addrs = [a for a, _ in table]
    per = collections.Counter()
    for pc, n in counts.items():
        i = bisect.bisect_right(addrs, pc) - 1 if pc is not None else -1
        per[table[i][1] if i >= 0 else "?"] += n
    return per


def show(per, what):
    total = sum(per.values())
    for name, n in per.most_common(40):
        print("%10d %5.1f%%  %s" % (n, 100.0 * n / total if total else 0.0, name))
    print("%10d total %s" % (total, what))


def main():
    args = sys.argv[1:]
    want_fills = "--fills" in args
    args = [a for a in args if a != "--fills"]
    if len(args) < 2:
        print("usage: tbprof.py [--fills] trace.log ELF [ELF ...]", file=sys.stderr)
        return 2
    sizes, runs, fills = parse_all(args[0])
    table = sorted(s for elf in args[1:] for s in symbols(elf))
    show(per_function(table, {pc: n * sizes.get(pc, 1) for pc, n in runs.items()}),
         "instructions")
    if want_fills:
        show(per_function(table, fills), "translation fills")
    return 0


if __name__ == "__main__":
    sys.exit(main())
