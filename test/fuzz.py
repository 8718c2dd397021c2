#!/usr/bin/env python3
"""make fuzz SECONDS=... [SEED=hex]: the fuzzers, boot after boot, until the time is up.

Each boot runs one fuzzer over a batch of seeds, in turn: test_syscall_fuzz.c (random
system calls), test_proto_fuzz.c (random messages to the fork server and the loader), and
the system-call fuzzer again on the debug kernel (build/kdebug, make KDEBUG=1) with every
fifth kernel allocation failing (userland/tests/). The three take turns on one hart and on
SMP_HARTS, where the workers run at once and the kernel's several-hart paths (the lock,
clones and copies made without it, shootdowns) meet random calls. A boot that panics, hangs (no end
within TIMEOUT) or reports a leak or a bad answer stops the run, which prints the seed
and the command that replays it. At the end it prints how many calls and messages were made
(docs/testing.md).
"""
import argparse
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "qemu"))
import harness  # noqa: E402

OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic"
TIMEOUT = 600  # seconds per boot: a batch takes well under a minute
SMP_HARTS = 4  # every other round of the three batches
SYSCALL_WORKERS = 16  # 3,000 calls each
PROTO_WORKERS = 16
PROTO_CALLS = 5000
CALLS = re.compile(rb"^  (syscall|proto) calls (\d+)", re.M)
SEEDS = re.compile(rb"^  (syscall|proto) seed ([0-9a-f]+)", re.M)
FAILED = re.compile(rb"^  (syscall|proto) FAILED seed ([0-9a-f]+)", re.M)


def harts(n):
    """Boot n's harts: a round of the three batches on one, the next on SMP_HARTS."""
    return SMP_HARTS if (n // 3) % 2 else 1


def boot(cmd, image, smp):
    return ["qemu-system-riscv64", "-M", "virt", "-m", "128M", "-smp", str(smp), "-nographic",
            "-bios", OPENSBI + "/fw_dynamic.bin", "-kernel", image, "-append", cmd]


def batch(n, seed):
    """Boot n's kernel and command line, in turn: system calls, the servers, and system
    calls on the debug kernel with every fifth kernel allocation failing."""
    if n % 3 == 0:
        return "build/Image", "run test_syscall_fuzz many %x %d" % (seed, SYSCALL_WORKERS)
    if n % 3 == 1:
        return "build/Image", "run test_proto_fuzz many %x %d %d" % (seed, PROTO_WORKERS,
                                                                       PROTO_CALLS)
    return "build/kdebug/Image", "run test_syscall_fuzz many %x %d inject" % (
        seed, SYSCALL_WORKERS)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--seed", type=lambda s: int(s, 16), default=int(time.time()) & 0xffff)
    args = ap.parse_args()
    deadline = time.monotonic() + args.seconds
    totals = {b"syscall": 0, b"proto": 0}
    n = 0
    seed = args.seed << 12  # each boot takes the next block of seeds
    while time.monotonic() < deadline:
        image, cmd = batch(n, seed)
        smp = harts(n)
        res = harness.run_qemu("fuzz", boot(cmd, image, smp), TIMEOUT)
        for kind, calls in CALLS.findall(res.output):
            totals[kind] += int(calls)
        if not res.ok:
            # The first seed that failed; after a panic or hang, the one that was running.
            seeds = FAILED.findall(res.output)[:1] or SEEDS.findall(res.output)[-1:]
            last = seeds[0][1].decode() if seeds else "%x" % seed
            print("fuzz: %s" % res)
            print("fuzz: stopped at seed %s of boot '%s' on %s, %d hart(s) (log"
                  " build/test-logs/fuzz.log); replay the batch with make%s%s run CMD=\"%s\""
                  % (last, cmd, image, smp, " KDEBUG=1" if "kdebug" in image else "",
                     " SMP=%d" % smp if smp > 1 else "", cmd[4:]))
            break
        print("fuzz: boot %d ok (%s, %d hart(s)); %d system calls, %d server messages so far"
              % (n, cmd[4:], smp, totals[b"syscall"], totals[b"proto"]), flush=True)
        n += 1
        seed += 1 << 6
    else:
        print("fuzz: %d boots, %d system calls, %d server messages, no panic, hang or leak"
              % (n, totals[b"syscall"], totals[b"proto"]))
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
