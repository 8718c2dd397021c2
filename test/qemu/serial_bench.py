"""The benchmark's serial path without a board: QEMU's UART becomes a pty, and the report
tool reads it through pyserial exactly as it would read /dev/ttyUSB0.

QEMU starts halted (-S) so that nothing is sent before the tool has opened the port
(pyserial drops what arrived earlier); the monitor's `cont` then starts the guest.
"""
import json
import os
import re
import select
import subprocess
import tempfile
import time

PTY = re.compile(rb"char device redirected to (/dev/pts/\d+)")


def read_until(stream, pattern, timeout):
    """Read a pipe until pattern matches; the match or None."""
    buf, end = b"", time.monotonic() + timeout
    while time.monotonic() < end:
        ready, _, _ = select.select([stream], [], [], 0.5)
        if ready:
            chunk = os.read(stream.fileno(), 4096)
            if not chunk:
                break
            buf += chunk
            m = pattern.search(buf)
            if m:
                return m
    return None


def run(harness, qemu_argv, py, timeout):
    res = harness.Result("bench-serial-pty")
    out = tempfile.mkdtemp(prefix="bench-serial-")
    # No -nographic: the UART goes to the pty and the monitor alone to stdio.
    argv = [a for a in qemu_argv if a != "-nographic"]
    qemu = subprocess.Popen(argv + ["-display", "none", "-serial", "pty", "-monitor", "stdio", "-S"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        m = read_until(qemu.stdout, PTY, 20)
        if not m:
            res.reason = "QEMU did not report its pty"
            return res
        tool = subprocess.Popen([py, "tools/forkbench_report.py", "--serial", m.group(1).decode(),
                                 "--baud", "115200", "--out", out, "--timeout", str(timeout)],
                                stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
        if not read_until(tool.stderr, re.compile(rb"waiting"), 20):
            res.reason = "the report tool never started listening"
            tool.kill()
            return res
        qemu.stdin.write(b"cont\n")
        qemu.stdin.flush()
        code = tool.wait(timeout=timeout)
        return judge(res, code, out)
    finally:
        qemu.kill()
        qemu.wait()


def judge(res, code, out):
    path = os.path.join(out, "forkbench.json")
    if code != 0 or not os.path.exists(path):
        res.reason = "report tool exited %d without a report" % code
        return res
    with open(path) as f:
        data = json.load(f)
    names = {r["test"] for r in data["results"]}
    want = {"fork_exit_wait", "cow_fault_copy", "cow_fault_reuse", "ipc_call"}
    if not want <= names:
        res.reason = "missing cases: %s" % sorted(want - names)
        return res
    res.ok = True
    res.passed = 1
    return res
