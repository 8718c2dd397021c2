#!/usr/bin/env python3
"""The fault-injection sweep on the debug kernel (make KDEBUG=1, build/kdebug/Image).

make test runs the sampled sweep (every fifth allocation of each workload) through
step(); make test-full runs this file with --full: every allocation. One boot runs
userland/tests/test_failalloc.c, which prints "N passed, M failed" over its runs.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "qemu"))
import harness  # noqa: E402

IMAGE = "build/kdebug/Image"
OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic"
TIMEOUT = 600  # seconds: the full sweep is a few hundred runs


def argv(full):
    cmd = "run test_failalloc" + (" full" if full else "")
    return ["qemu-system-riscv64", "-M", "virt", "-m", "128M", "-smp", "1", "-nographic",
            "-bios", OPENSBI + "/fw_dynamic.bin", "-kernel", IMAGE, "-append", cmd]


def step(full=False):
    name = "failalloc-" + ("full" if full else "sampled")
    return harness.run_qemu(name, argv(full), TIMEOUT)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--full", action="store_true", help="every allocation, not a sample")
    res = step(ap.parse_args().full)
    print(str(res) + "  (%d passed, %d failed)" % (res.passed, res.failed))
    return 0 if res.ok else 1


if __name__ == "__main__":
    sys.exit(main())
