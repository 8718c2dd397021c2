#!/usr/bin/env python3
"""The Linux build of forkbench (the same userland/bin/forkbench.c, built by make with
riscv64-linux-gnu-gcc -static) under qemu-riscv64, user mode: its output must be a
complete run the report tool accepts, with the Linux header and the named skip lines.
It checks the format only, never a timing.

Usage: test_forkbench_linux.py build/linux/forkbench   (run with /usr/bin/python3)"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "..", "..", "tools", "forkbench_report.py")
PYTHON = "/usr/bin/python3"
# Cases this kernel's forkbench reports (cow_fault_shootdown needs two harts, so it is
# left out): each must be a result or a skip line on Linux too, under the same name.
SHARED = ["fork_exit_wait", "fork_to_child", "fork_exec_wait", "spawn_wait",
          "cow_fault_copy", "cow_fault_reuse", "ipc_call"]
SKIPS = {("fork_exit_wait", "eager"): [],
         ("spawn_wait", "-"): ["posix_spawn_wait"],
         ("ipc_call", "-"): ["pipe_pingpong", "futex_roundtrip"]}
THROUGHPUT = ["fork_throughput", "fork_throughput_procs"]


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, ok, detail=""):
        print("%-60s %s" % (name, "ok" if ok else "FAIL" + (": " + detail if detail else "")))
        self.passed += bool(ok)
        self.failed += not ok


def run_bench(binary, extra, tmp, tag):
    """forkbench under qemu-riscv64, then the report tool on its log: (log, json or None)."""
    log = os.path.join(tmp, tag + ".log")
    with open(log, "wb") as f:
        p = subprocess.run(["qemu-riscv64", binary, "iters=20"] + extra, stdout=f,
                           stderr=subprocess.PIPE, timeout=600)
    out = os.path.join(tmp, tag)
    r = subprocess.run([PYTHON, TOOL, "--log", log, "--out", out, "--name", tag],
                       capture_output=True, text=True, timeout=120)
    path = os.path.join(out, tag + ".json")
    doc = json.load(open(path)) if r.returncode == 0 and os.path.isfile(path) else None
    return p.returncode, open(log, "rb").read().decode("utf-8", "replace"), r, doc


def check_header(c, tag, rc, report, doc, counter):
    """The run is complete and its header and units name the counter: True if checkable."""
    c.check("%s: forkbench exits 0" % tag, rc == 0, "rc=%d" % rc)
    c.check("%s: report tool accepts the run" % tag, doc is not None, report.stderr.strip())
    if doc is None:
        return False
    meta = doc["meta"]
    c.check("%s: header os=linux with the kernel release" % tag,
            meta.get("os") == "linux" and len(meta.get("release", "")) > 0, str(meta))
    c.check("%s: header counter=%s" % (tag, counter), meta.get("counter") == counter,
            str(meta.get("counter")))
    unit = {"rdcycle": "cycles", "clock_gettime": "ns"}[counter]
    units = {r["unit"] for r in doc["results"]}
    c.check("%s: every result in unit %s" % (tag, unit), units == {unit}, str(units))
    return True


def check_run(c, tag, rc, log, report, doc, counter):
    if not check_header(c, tag, rc, report, doc, counter):
        return
    done = {r["test"] for r in doc["results"]} | {k["test"] for k in doc["skipped"]}
    missing = [t for t in SHARED if t not in done]
    c.check("%s: every shared case reported or skipped by name" % tag, not missing,
            "missing %s" % missing)
    got = {(k["test"], k["mode"]): k["instead"] for k in doc["skipped"]}
    c.check("%s: skip lines for eager fork, spawn_wait and ipc_call" % tag, got == SKIPS,
            str(got))
    named = {r["test"] for r in doc["results"]}
    subs = [a for alts in SKIPS.values() for a in alts]
    c.check("%s: the named substitutes have results" % tag, all(a in named for a in subs),
            "results: %s" % sorted(named))
    c.check("%s: no eager figure and no ipc_call figure" % tag,
            not any(r["mode"] == "eager" or r["test"] in ("ipc_call", "spawn_wait")
                    for r in doc["results"]))
    tput = {(t["test"], t["harts_busy"]) for t in doc["throughput"]}
    c.check("%s: @throughput lines for threads and processes, 1 hart busy" % tag,
            all((t, 1) in tput for t in THROUGHPUT), str(sorted(tput)))
    c.check("%s: @memory lines for COW only" % tag,
            doc["memory"] and all(m["mode"] == "cow" for m in doc["memory"]))
    c.check("%s: log ends with @done" % tag, log.rstrip().endswith("@done"))


def main():
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    binary = sys.argv[1]
    c = Checks()
    with tempfile.TemporaryDirectory() as tmp:
        check_run(c, "rdcycle", *run_bench(binary, [], tmp, "rdcycle"), "rdcycle")
        # The fallback for kernels that forbid rdcycle in user mode, forced: one case.
        rc, _, report, doc = run_bench(binary, ["counter=clock_gettime", "only=cow_fault_reuse"],
                                       tmp, "clock")
        check_header(c, "clock_gettime", rc, report, doc, "clock_gettime")
        # Rounds that do not divide the forks: each phase still makes every fork it names.
        rc, log, _, _ = run_bench(binary, ["only=fork_throughput_procs", "forks=10",
                                           "rounds=3"], tmp, "rounds")
        procs = [dict(f.split("=", 1) for f in line.split()[1:]) for line in log.splitlines()
                 if line.startswith("@throughput test=fork_throughput_procs ")]
        c.check("rounds=3 forks=10: every phase reports 10 forks a busy hart",
                rc == 0 and procs and
                all(int(t["forks"]) == 10 * int(t["harts_busy"]) for t in procs), str(procs))
    print("%d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
