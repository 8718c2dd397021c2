#!/usr/bin/env python3
"""The kernel's hot path, for the linker: kernel/boot/hot.ld's text list.

    tools/hotlist.py build/Image build/kernel.elf > kernel/boot/hot.ld.new

Boots the image under icount with QEMU's execution trace (`-d in_asm,exec,nochain`),
running forkbench's fork_throughput_procs with SHORT and then LONG forks on one busy hart,
at -smp 1 and at -smp 2 (where the lock and the other multi-hart ways run). What a long
run executes beyond the short one is what fork+exit+wait itself runs, boot and set-up
subtracted. Every kernel function either runs at least once a fork goes in the list:
linked together at the start of the text, they share a few pages instead of fifteen, so
each address-space switch costs fewer translation refills (docs/benchmark.md, "Hot code
and data together"). The object files (build/k) say which input section holds each:
`.text.NAME` for C (built with -ffunction-sections), the file's `.text` for assembly.

    tools/hotlist.py --check build/kernel.elf kernel/boot/hot.ld

names the functions the list holds that the kernel no longer has (make lint runs it).
A C function's compiler-made clones (`.constprop.0`, `.part.0`) are matched with it.
"""
import collections
import glob
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tbprof  # noqa: E402

SHORT, LONG = 300, 600
HEADER = """/*
 * The kernel functions every fork+exit+wait runs, linked together at the start of the
 * text (kernel.ld), so that the hot path spans a few pages rather than fifteen: fewer
 * translation refills after each address-space switch (docs/benchmark.md, "Hot code and
 * data together"). Made by tools/hotlist.py from a trace; a function missing here only
 * costs speed, and one the kernel no longer has is reported by make lint.
 */
"""
KERNEL_BASE = 0xffffffff80000000
FIRMWARE = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"


def trace(image, harts, forks, log):
    args = ["qemu-system-riscv64", "-M", "virt,aclint=on", "-m", "128M", "-smp", str(harts),
            "-nographic", "-icount", "shift=0,sleep=off", "-bios", FIRMWARE,
            "-kernel", image, "-append",
            "run forkbench icount=1 only=fork_throughput_procs busy=1 forks=%d" % forks,
            "-d", "in_asm,exec,nochain", "-D", log]
    subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   timeout=900, check=True)


def kernel_counts(log, table):
    """Instructions each kernel function ran in the trace."""
    sizes, runs = tbprof.parse(log)
    addrs = [a for a, _ in table]
    per = collections.Counter()
    for pc, n in runs.items():
        if pc < KERNEL_BASE:
            continue
        i = tbprof.bisect.bisect_right(addrs, pc) - 1
        if i >= 0:
            per[table[i][1]] += n * sizes.get(pc, 1)
    return per


def input_sections(build):
    """Function name -> the linker input pattern that holds it."""
    where = {}
    for obj in sorted(glob.glob(os.path.join(build, "k", "**", "*.o"), recursive=True)):
        out = subprocess.run(["riscv64-unknown-elf-objdump", "-t", obj],
                             capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) < 5:
                continue
            section, name = parts[-3], parts[-1]
            if section == ".text.%s" % name:
                base = name.split(".")[0]
                where.setdefault(name, "*(.text.%s .text.%s.*)" % (base, base))
            elif section == ".text":
                where.setdefault(name, "*%s(.text)" % os.path.basename(obj))
    return where


def check(elf, listing):
    """The C functions listing names that elf does not define, by base name."""
    have = {name.split(".")[0] for _, name in tbprof.symbols(elf)}
    gone = []
    for line in open(listing):
        line = line.strip()
        if line.startswith("*(.text."):
            base = line[len("*(.text."):].split()[0].rstrip(")")
            if base not in have:
                gone.append(base)
    return gone


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--check":
        gone = check(sys.argv[2], sys.argv[3])
        for name in gone:
            print("%s names %s, which the kernel no longer has: drop the line, or make it "
                  "again (tools/hotlist.py)" % (sys.argv[3], name))
        sys.exit(1 if gone else 0)
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    image, elf = sys.argv[1], sys.argv[2]
    table = sorted(tbprof.symbols(elf))
    hot = set()
    with tempfile.TemporaryDirectory() as tmp:
        for harts in (1, 2):
            counts = []
            for forks in (SHORT, LONG):
                log = os.path.join(tmp, "trace.log")
                trace(image, harts, forks, log)
                counts.append(kernel_counts(log, table))
                os.remove(log)
            hot |= {name for name in counts[1]
                    if counts[1][name] - counts[0].get(name, 0) >= LONG - SHORT}
    where = input_sections(os.path.dirname(elf))
    lines = sorted({where[n] for n in hot if n in where})
    missing = [n for n in hot if n not in where]
    if missing:
        print("hotlist: no input section for %s" % " ".join(missing), file=sys.stderr)
    print(HEADER, end="")
    for line in lines:
        print("\t\t%s" % line)


if __name__ == "__main__":
    main()
