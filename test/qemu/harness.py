"""Boot the kernel under QEMU, read its UART, and judge the run.

A run fails, with a message that says which, on: a timeout, a kernel panic, a test line
that says FAIL, a missing or failing "N passed, M failed" summary, or an exit status
from QEMU other than the one expected. Input can be typed when a marker appears, the way
a person at the console would.
"""
import os
import re
import select
import signal
import subprocess
import time

SUMMARY = re.compile(rb"^(\d+) passed, (\d+) failed\s*$", re.M)
PANIC = b"PANIC"
FAIL_LINE = re.compile(rb"^test \S+\s+FAIL.*$", re.M)
TEST_LINE = re.compile(rb"^test \S+\s+(ok|FAIL).*$", re.M)
WHY_LINES = 4  # of a failing test's own output, carried into the reason


class Result:
    def __init__(self, name):
        self.name = name
        self.ok = False
        self.reason = ""
        self.passed = 0
        self.failed = 0
        self.output = b""

    def __str__(self):
        return "%s %s%s" % ("PASS" if self.ok else "FAIL", self.name,
                            "" if self.ok else ": " + self.reason)


def run_qemu(name, argv, timeout, send_on=(), expect_exit=0, log_dir="build/test-logs",
             ordered=False):
    """Run argv; send_on is a list of (marker bytes, text bytes) typed once when seen.
    ordered: type them strictly in turn, each when its marker appears in what came out
    after the previous one was typed (so one marker, such as a prompt, can serve all)."""
    res = Result(name)
    os.makedirs(log_dir, exist_ok=True)
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    pending = list(send_on)
    out = bytearray()
    since = 0  # ordered: where the search for the next marker starts
    deadline = time.monotonic() + timeout
    timed_out = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([proc.stdout], [], [], min(left, 0.5))
        if ready:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            out += chunk
            for item in list(pending[:1] if ordered else pending):
                if item[0] in out[since:]:
                    proc.stdin.write(item[1])
                    proc.stdin.flush()
                    pending.remove(item)
                    since = len(out) if ordered else 0
    if timed_out:
        os.killpg(proc.pid, signal.SIGKILL)
    status = proc.wait()
    res.output = bytes(out)
    with open(os.path.join(log_dir, name + ".log"), "wb") as f:
        f.write(res.output)
    judge(res, timed_out, timeout, status, expect_exit)
    return res


def failure_with_why(out, fail):
    """A FAIL line and the last lines its test printed (its failed checks), so that a
    failure seen only in someone else's run (CI's) still says what went wrong."""
    end = out.index(fail)
    start = 0
    for m in TEST_LINE.finditer(out, 0, end):
        start = m.end()
    own = [ln.strip() for ln in out[start:end].decode(errors="replace").splitlines()
           if ln.strip()]
    why = own[-WHY_LINES:]
    text = fail.decode(errors="replace").strip()
    return text + (" [" + " | ".join(why) + "]" if why else "")


def judge(res, timed_out, timeout, status, expect_exit):
    out = res.output
    summary = SUMMARY.findall(out)
    if summary:
        res.passed, res.failed = int(summary[-1][0]), int(summary[-1][1])
    fails = FAIL_LINE.findall(out)
    if PANIC in out:
        line = out[out.index(PANIC):].split(b"\n")[0].decode(errors="replace").strip()
        res.reason = "kernel panic: " + line
    elif timed_out:
        res.reason = "timeout after %ds (last output: %r)" % (timeout, out[-120:])
    elif fails:
        res.reason = "; ".join(failure_with_why(out, f) for f in fails)
    elif not summary:
        res.reason = "no 'N passed, M failed' line"
    elif res.failed:
        res.reason = "%d test(s) failed" % res.failed
    elif status != expect_exit:
        res.reason = "QEMU exit status %d, expected %d" % (status, expect_exit)
    else:
        res.ok = True
