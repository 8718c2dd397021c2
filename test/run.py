#!/usr/bin/env python3
"""make test: every check, host and in-guest, with one closing line "N passed, M failed".

Steps run in order; each prints one PASS/FAIL line. A step that prints its own
"N passed, M failed" adds those counts; any other step counts as one test.
"""
import glob
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "qemu"))
import harness  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
import boards  # noqa: E402
import failalloc  # noqa: E402
import serial_bench  # noqa: E402
import test_shell  # noqa: E402
import test_storage  # noqa: E402

B = "build"
PY = "/usr/bin/python3"
OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic"
QEMU = "qemu-system-riscv64"
REF_DTB = os.environ.get("REFERENCE_DTB_DIR",
                         os.path.join(os.path.dirname(os.path.abspath(".")), "shared",
                                      "reference-dtb"))
TIMEOUT = 120  # seconds per boot: generous, a hang still ends
SUITE_TIMEOUT = 300  # the whole in-guest suite: over 2 minutes on sifive_u on a loaded host


def virt(mem, fw, args, smp=1, extra=(), machine="virt"):
    return [QEMU, "-M", machine, "-m", mem, "-smp", str(smp), "-nographic", "-bios",
            "%s/fw_%s.bin" % (OPENSBI, fw), "-kernel", B + "/Image", "-append", args, *extra]


def sifive_u(args, extra=()):
    """The HiFive Unleashed model: an E51 without MMU as hart 0, four U54s, no finisher."""
    return [QEMU, "-M", "sifive_u", "-smp", "5", "-m", "512M", "-nographic", "-no-reboot",
            "-bios", "%s/fw_jump.bin" % OPENSBI, "-kernel", B + "/Image", "-append", args,
            *extra]


def host_step(name, argv):
    res = harness.Result(name)
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    res.output = p.stdout
    with open(os.path.join(B, "test-logs", name + ".log"), "wb") as f:
        f.write(p.stdout)
    summary = harness.SUMMARY.findall(p.stdout)
    if summary:
        res.passed, res.failed = int(summary[-1][0]), int(summary[-1][1])
    res.ok = p.returncode == 0 and res.failed == 0
    if not res.ok:
        tail = p.stdout.decode(errors="replace").strip().splitlines()[-6:]
        res.reason = "exit %d: %s" % (p.returncode, " | ".join(tail))
    return res


def qemu_dumps():
    """QEMU's own generated trees, for the parser tests."""
    out = []
    for name, machine, opts in (("virt", "virt", ["-m", "128M", "-smp", "2"]),
                                ("virt-aclint", "virt,aclint=on", ["-m", "128M", "-smp", "2"]),
                                ("sifive_u", "sifive_u", ["-smp", "5"])):
        path = "%s/dtb/qemu-dump-%s.dtb" % (B, name)
        subprocess.run([QEMU, "-M", "%s,dumpdtb=%s" % (machine, path), *opts, "-nographic"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if os.path.exists(path):
            out.append(path)
    return out


def expect_panic(name, argv):
    """The harness must call a deliberate kernel fault a failure, and say it was a panic."""
    res = harness.run_qemu(name + "-inner", argv, TIMEOUT)
    outer = harness.Result(name)
    outer.ok = (not res.ok) and res.reason.startswith("kernel panic")
    outer.reason = "harness said %r" % str(res)
    return outer


def watchdog_fires():
    """A hart that holds the big kernel lock forever ("hang"): the others' watchdog must
    panic within its 10 s, naming the holder and every hart's state, instead of a hang."""
    res = harness.run_qemu("smp-watchdog-inner", virt("128M", "dynamic", "hang", smp=4),
                           TIMEOUT)
    outer = harness.Result("smp-watchdog")
    # Every hart by index; their hart ids depend on which one OpenSBI's lottery made the
    # boot hart (index 0), so only the indices are fixed.
    want = [b"watchdog: hart", b"big kernel lock: held by hart 0", b"hart 1 (id ",
            b"hart 2 (id ", b"hart 3 (id ", b"run queue: levels"]
    missing = [w.decode() for w in want if w not in res.output]
    outer.ok = res.reason.startswith("kernel panic") and not missing
    outer.reason = "harness said %r; missing %s" % (str(res), missing)
    return outer


def suite_with_banner(name, argv, banner):
    """The whole suite under argv, as step `name`: it must pass and print banner, or the
    configuration it is run for went untested."""
    res = harness.run_qemu(name + "-inner", argv, SUITE_TIMEOUT)
    outer = harness.Result(name)
    outer.ok = res.ok and banner in res.output
    outer.reason = "harness said %r; banner %s" % (
        str(res), "seen" if banner in res.output else "missing")
    outer.output, outer.passed, outer.failed = res.output, res.passed, res.failed
    return outer


def suite_aclint():
    """The whole suite at -smp 4 on virt with an ACLINT SSWI (aclint=on): every IPI (the
    lock's wake-ups, shootdowns, kicks, upcalls) is a store to the SSWI, not an SBI call.
    The banner must say so, or the SSWI path went untested."""
    return suite_with_banner("user-suite-smp4-aclint",
                             virt("128M", "dynamic", "test", smp=4, machine="virt,aclint=on"),
                             b"smp: 4 hart(s) running, IPIs by ACLINT SSWI")


def suite_narrow_asids():
    """The whole suite at -smp 2 with 3 of QEMU's 16 ASID bits (asid_bits=3): six ASIDs,
    so the shared one and a rollover every few forks (vm/asid.h), with the other hart
    catching up at its next switch. QEMU drops its whole TLB at every satp write, so this
    checks the bookkeeping, not the hardware's view; the banner must show the cap."""
    return suite_with_banner("user-suite-smp2-asid3",
                             virt("128M", "dynamic", "asid_bits=3 test", smp=2),
                             b"asid_bits=3: 3 of the hart's 16 ASID bits used")


def sswi_short():
    """An SSWI whose reg range holds fewer registers than its interrupts-extended names
    (QEMU's aclint=on tree at -smp 4, its reg cut to one register): the kernel must not
    use it, since an IPI to a hart past the range would be lost and leave that hart asleep,
    but send IPIs through SBI, and run work that needs them on four harts."""
    outer = harness.Result("smp-sswi-short")
    dump, dts, dtb = (B + "/dtb/sswi-short." + e for e in ("orig.dtb", "dts", "dtb"))
    os.makedirs(B + "/dtb", exist_ok=True)
    subprocess.run([QEMU, "-M", "virt,aclint=on,dumpdtb=" + dump, "-m", "128M", "-smp", "4",
                    "-nographic"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    src = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", dump],
                         capture_output=True, text=True).stdout
    whole = "reg = <0x00 0x2f00000 0x00 0x4000>;"
    if whole not in src:
        outer.reason = "no SSWI node as expected in QEMU's tree"
        return outer
    with open(dts, "w") as f:
        f.write(src.replace(whole, "reg = <0x00 0x2f00000 0x00 0x04>;"))
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, dts], check=False)
    res = harness.run_qemu("smp-sswi-short-inner",
                           virt("128M", "dynamic", "run test_smp_threads", smp=4,
                                machine="virt,aclint=on", extra=("-dtb", dtb)), TIMEOUT)
    want = [b"smp: 4 hart(s) running, IPIs by SBI", b"  4 harts; ", b"init exited with status 0"]
    missing = [w.decode() for w in want if w not in res.output]
    outer.ok = not missing and b"PANIC" not in res.output
    outer.reason = "harness said %r; missing %s" % (str(res), missing)
    outer.output = res.output
    return outer


def stale_hart_start():
    """OpenSBI 1.1 can start a hart at the previous start address with the previous
    argument (kernel/boot/entry.S): with "hsmstale" every other hart is started so, and
    all four must still come up and run the (small) torture test to its end."""
    res = harness.run_qemu("smp-stale-hart-start-inner",
                           virt("128M", "dynamic", "hsmstale run test_torture", smp=4), TIMEOUT)
    outer = harness.Result("smp-stale-hart-start")
    want = [b"smp: 4 hart(s) running", b"  4 harts, ", b"init exited with status 0"]
    missing = [w.decode() for w in want if w not in res.output]
    outer.ok = not missing and b"PANIC" not in res.output
    outer.reason = "harness said %r; missing %s" % (str(res), missing)
    return outer


# The torture test's full size (about 100,000 operations) at -smp 4 under icount, where
# the harts take turns on one host thread: each shift is another, repeatable interleaving
# (a failure replays with the same shift), and a 2-core host runs it in under 30 s. The
# suite runs it small on truly parallel harts (user-suite-smp4).
TORTURE_SHIFTS = (0, 1, 2)


def torture(shift):
    argv = virt("128M", "dynamic", "run test_torture full", smp=4,
                extra=["-icount", "shift=%d,sleep=off" % shift])
    return harness.run_qemu("torture-smp4-shift%d" % shift, argv, TIMEOUT)


def kdebug_virt(args, smp):
    argv = virt("128M", "dynamic", args, smp=smp)
    argv[argv.index(B + "/Image")] = B + "/kdebug/Image"
    return argv


def steps():
    dtbs = sorted(glob.glob(B + "/dtb/*.dtb")) + qemu_dumps()
    ref = sorted(glob.glob(os.path.join(REF_DTB, "*.dtb")))
    rx = [(b"@rx-ready", b"ping\r")]
    yield lambda: host_step("lint", ["tools/lint.sh"])
    yield lambda: host_step("host-units", [B + "/host/test_units"])
    yield lambda: host_step("host-as", [B + "/host/test_as"])
    yield lambda: host_step("host-dt", [B + "/host/test_dt", *dtbs, *ref])
    os.makedirs(B + "/fat-work", exist_ok=True)
    yield lambda: host_step("host-fat", [B + "/host/test_fat", B + "/fat-work"])
    yield lambda: host_step("fuzz-fat", [B + "/host/fuzz_fat", B + "/fat-work/fat12.img", "300"])
    yield lambda: host_step("host-fstree", [B + "/host/test_fstree"])
    yield lambda: host_step("host-fslock", [B + "/host/test_fslock"])
    yield lambda: host_step("host-bootfs", [B + "/host/test_bootfs", B + "/fat-work"])
    yield lambda: host_step("host-shparse", [B + "/host/test_shparse"])
    yield lambda: host_step("host-glob", [B + "/host/test_glob"])
    yield lambda: host_step("host-fnmatch", [B + "/host/test_fnmatch"])
    yield lambda: host_step("host-ldisc", [B + "/host/test_ldisc"])
    yield lambda: host_step("syscall-docs", [PY, "test/host/test_syscall_docs.py"])
    yield lambda: host_step("image-header", [PY, "test/host/test_image.py", B + "/Image"])
    yield lambda: harness.run_qemu("virt-128M-fw_jump", virt("128M", "jump", "ktest"), TIMEOUT,
                                   send_on=rx)
    yield lambda: harness.run_qemu("virt-32M-fw_dynamic", virt("32M", "dynamic", "ktest"),
                                   TIMEOUT, send_on=rx)
    yield lambda: harness.run_qemu("user-suite-128M", virt("128M", "dynamic", "test"),
                                   SUITE_TIMEOUT)
    yield lambda: harness.run_qemu("user-suite-32M", virt("32M", "dynamic", "test"),
                                   SUITE_TIMEOUT)
    # The whole suite on 2 (with narrow ASIDs), 4 and 8 harts (about 30, 40 and 70 s on a
    # 2-core host), and on sifive_u's four U54s beside the E51 the kernel leaves alone.
    yield suite_narrow_asids
    for smp in (4, 8):
        yield lambda smp=smp: harness.run_qemu("user-suite-smp%d" % smp,
                                               virt("128M", "dynamic", "test", smp=smp),
                                               SUITE_TIMEOUT)
    yield suite_aclint
    yield sswi_short
    yield lambda: harness.run_qemu("user-suite-sifive_u-smp5", sifive_u("test"), SUITE_TIMEOUT)
    for shift in TORTURE_SHIFTS:
        yield lambda shift=shift: torture(shift)
    yield watchdog_fires
    yield stale_hart_start
    # The debug kernel checks the lock order (kernel/cpu/lockorder.h) on every acquisition.
    yield lambda: harness.run_qemu("user-suite-smp4-kdebug", kdebug_virt("test", 4),
                                   SUITE_TIMEOUT)
    yield lambda: expect_panic("lock-order-inversion", kdebug_virt("lockorder", 2))
    yield lambda: failalloc.step()
    yield lambda: host_step("bench-report", [PY, "test/host/test_forkbench_report.py"])
    yield lambda: host_step("tbprof", [PY, "test/host/test_tbprof.py", B + "/kernel.elf"])
    yield lambda: host_step("bench-linux-format", [PY, "test/host/test_forkbench_linux.py",
                                                   B + "/linux/forkbench"])
    bench = virt("128M", "dynamic", "run forkbench icount=1 iters=20",
                 extra=["-icount", "shift=0,sleep=off"])
    yield lambda: serial_bench.run(harness, bench, PY, TIMEOUT)
    yield from test_shell.steps(B, harness, virt, TIMEOUT)
    yield from test_storage.steps(B, harness, virt, TIMEOUT, sifive_u)
    yield from boards.steps(B, harness, virt, TIMEOUT)
    yield lambda: expect_panic("deliberate-kernel-fault", virt("128M", "dynamic", "crash"))


def main():
    os.makedirs(os.path.join(B, "test-logs"), exist_ok=True)
    passed = failed = 0
    for step in steps():
        res = step()
        print(str(res) + ("" if not (res.passed or res.failed) else
                          "  (%d passed, %d failed)" % (res.passed, res.failed)), flush=True)
        if res.passed or res.failed:
            passed += res.passed
            failed += res.failed + (0 if res.ok or res.failed else 1)
        else:
            passed += res.ok
            failed += not res.ok
    print("logs in %s/test-logs/" % B)
    print("total: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
