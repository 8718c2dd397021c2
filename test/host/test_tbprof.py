#!/usr/bin/env python3
"""tbprof.py on a made-up trace: instructions are runs times block size, fills go to the
block that ran last, a run without --fills prints none, and parse() keeps the two values
tools/hotlist.py takes. Takes the kernel ELF whose
symbols name the blocks (build/kernel.elf)."""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "..", "..", "tools", "tbprof.py")


def two_functions(elf):
    """Two text symbols that start at different addresses, from nm."""
    out = subprocess.run(["riscv64-unknown-elf-nm", "-n", "--defined-only", elf],
                         capture_output=True, text=True, check=True).stdout
    seen, picked = set(), []
    for line in out.splitlines():
        addr, kind, name = (line.split() + ["", "", ""])[:3]
        if kind in "tT" and kind and addr not in seen and not name.startswith("__"):
            seen.add(addr)
            picked.append((int(addr, 16), name))
    return picked[10], picked[20]


def trace(a, b):
    """Block a (2 instructions) runs twice with one fill, block b (1) once with two."""
    def block(pc, n):
        return "IN: \n" + "".join("0x%016x:  00000013          nop\n" % (pc + 4 * i)
                                  for i in range(n)) + "\n"

    def run(pc):
        return "Trace 0: 0x7f0000 [00000000/%016x/00000000/ff020000] \n" % pc

    fill = "riscv_cpu_tlb_fill ad ffffffc080001000 rw 0 mmu_idx 1\n" \
           "riscv_cpu_tlb_fill address=ffffffc080001000 ret 0 physical 80001000 prot 3\n"
    return (block(a, 2) + run(a) + fill + run(a) + block(b, 1) + run(b) + fill + fill)


def counts(text, section):
    """{function: count} from the table that ends with 'total <section>'."""
    out, rows = {}, []
    for line in text.splitlines():
        m = re.match(r"\s*(\d+)\s+[\d.]+%\s+(\S+)$", line)
        if m:
            rows.append((m.group(2), int(m.group(1))))
        elif line.strip().endswith("total " + section):
            out = dict(rows)
            break
        elif "total" in line:
            rows = []
    return out


def main():
    elf = sys.argv[1]
    (a, fa), (b, fb) = two_functions(elf)
    passed = failed = 0

    def check(name, ok, detail=""):
        nonlocal passed, failed
        print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))
        passed, failed = passed + ok, failed + (not ok)

    with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
        f.write(trace(a, b))
        path = f.name
    try:
        out = subprocess.run([sys.executable, TOOL, "--fills", path, elf],
                             capture_output=True, text=True).stdout
        ins, fills = counts(out, "instructions"), counts(out, "translation fills")
        check("instructions of a block: runs x size", ins.get(fa) == 4, out)
        check("instructions of another block", ins.get(fb) == 1, out)
        check("a fill goes to the block that ran last", fills.get(fa) == 1, out)
        check("two fills after the other block", fills.get(fb) == 2, out)
        plain = subprocess.run([sys.executable, TOOL, path, elf],
                               capture_output=True, text=True).stdout
        check("no fills table without --fills", "translation fills" not in plain, plain)
        # tools/hotlist.py imports parse and takes two values from it.
        sys.path.insert(0, os.path.dirname(TOOL))
        import tbprof  # noqa: E402
        sizes, runs = tbprof.parse(path)
        check("parse: sizes and runs, as hotlist.py takes them",
              sizes.get(a) == 2 and runs.get(a) == 2 and runs.get(b) == 1, repr(runs))
        bad = subprocess.run([sys.executable, TOOL, path], capture_output=True, text=True)
        check("no ELF: usage and exit 2", bad.returncode == 2, bad.stderr)
    finally:
        os.unlink(path)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
