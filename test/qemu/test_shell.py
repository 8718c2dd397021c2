"""A shell session driven through the UART: boot with no arguments (init starts sh), type
commands the way a person would, and check what comes back.

Each command is typed once, when the previous command's output first appears (the
harness's send_on), so the session runs in order: hello shell, meminfo, ps, a program
that does not exist, then poweroff, which must end QEMU with status 0. The shell prints
no "N passed, M failed" line, so the verdict is ours: a timeout or a panic still fails.
"""
import re

PROMPT = b"$ "
# (marker that appears once, text to type): the first marker is the shell's banner.
SESSION = [
    (b"sh: type help", b"hellp\x7fo shell\r"),  # a typo, rubbed out with DEL
    (b"hello shell\r\n", b"meminfo\r"),
    (b"cow: faults", b"ps\r"),
    (b"PID  PPID", b"nosuchprog\r"),
    (b"nosuchprog: not found", b"poweroff\r"),
]
EXPECT = [
    (re.compile(rb"^hello shell\r?$", re.M), "hello's output"),
    (re.compile(rb"^frames: total \d+, free \d+, shared \d+", re.M), "a meminfo free line"),
    (re.compile(rb"^cow: faults \d+, copies \d+, reuses \d+", re.M), "meminfo's cow line"),
    (re.compile(rb"^\s+1\s+0\s+run\r?$", re.M), "pid 1 in ps"),
    (re.compile(rb"^sh: nosuchprog: not found", re.M), "not found"),
]


def check(res, harness, status, timed_out):
    """Judge the session: our own checks, on top of the harness's timeout and panic."""
    out = res.output
    if harness.PANIC in out or timed_out:
        return res  # the harness's reason stands
    missing = [what for rx, what in EXPECT if not rx.search(out)]
    if missing:
        res.ok, res.reason = False, "missing: " + ", ".join(missing)
    elif status != 0:
        res.ok, res.reason = False, "QEMU exit status %s, expected 0" % status
    elif out.count(PROMPT) < len(SESSION):
        res.ok, res.reason = False, "only %d prompts" % out.count(PROMPT)
    else:
        res.ok, res.reason = True, ""
    return res


def run_seeing_status(harness, name, argv, timeout, send_on):
    """harness.run_qemu, and also QEMU's exit status and whether it timed out: the
    Result does not keep them, so harness.judge is watched for the length of the run."""
    seen = {"status": None, "timed_out": True}
    judge = harness.judge

    def watch(res, timed_out, timeout, status, expect_exit):
        seen.update(status=status, timed_out=timed_out)
        judge(res, timed_out, timeout, status, expect_exit)

    harness.judge = watch
    try:
        res = harness.run_qemu(name, argv, timeout, send_on=send_on)
    finally:
        harness.judge = judge
    return res, seen["status"], seen["timed_out"]


def session(harness, argv, timeout):
    res, status, timed_out = run_seeing_status(harness, "shell-session", argv, timeout,
                                               SESSION)
    return check(res, harness, status, timed_out)


def steps(B, harness, virt, TIMEOUT):
    yield lambda: session(harness, virt("128M", "dynamic", ""), TIMEOUT)
