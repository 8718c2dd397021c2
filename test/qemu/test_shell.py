"""A shell session driven through the UART: boot with no arguments (init starts sh), type
commands the way a person would, and check what comes back.

Each line is typed when the shell's next prompt appears (the harness's ordered send_on),
so the session runs in order: programs and built-ins, a command that does not exist and
$?, cd and pwd, redirections (>, >>, <, 2>), a three-stage pipeline, && and ||,
quoting and variables, a background job and wait, time, a syntax error, Ctrl-C on a
running job (the job dies of SIGINT, $? is 130, the shell goes on) and at the prompt
(the line typed so far is dropped), the console's line editing for a program reading it
(KILL, ERASE, EOF), a for loop and a function typed over two lines, and poweroff,
which must end QEMU with status 0. The shell prints no "N passed, M failed" line, so
the verdict is ours: a timeout or a panic still fails.
"""
import re

PROMPT = b"$ "
# Typed in turn, each after the next prompt (or, for a pair, after its marker, as is).
# None of them contains PROMPT. ^C is typed once the job says it runs: its own "sleeping"
# (typed as sleep""ing, so the echo of the line does not match) comes after the shell made
# it the foreground job.
CTRL_C = b"\x03"
SESSION = [
    b"hellp\x7fo shell",  # a typo, rubbed out with DEL
    b"meminfo",
    b"ps",
    b"nosuchprog",
    b"echo status=$?",
    b"cd /tmp && pwd",
    b"echo 'one two' \"three  four\" > words.txt; echo five >> words.txt",
    b"cat words.txt | grep -F two | wc -w",
    b"wc -l < words.txt",
    b"ls -l",
    b"false || echo or-ran; true && echo and-ran; false && echo never-ran",
    b"X='a b'; echo \"[$X]\" '[$X]' \\$X",
    b"nosuch 2> err.txt; echo err=$?; cat err.txt",
    b"sleep 1 & wait $!; echo bg=$?",
    b"time true",
    b"sh -c 'echo sleep\"\"ing; sleep 100'",
    (b"sleeping", CTRL_C),
    b"echo int=$?",
    (PROMPT, b"echo dropped-line" + CTRL_C),  # no Enter: ^C ends the line
    b"echo after-intr",
    b"echo 'unterminated",
    b"cd /nonexistent",
    # The console's canonical mode for a program reading it: ^U (KILL) drops "abc", DEL
    # (ERASE) the z; ^D ends "ab" without a newline, then alone it is the end of input.
    b"head -n 1\rabc\x15xyz\x7fw",
    b"wc -c\rab\x04cd\r\x04",
    # A compound command over two lines: the second after the "> " prompt.
    b"for i in a b",
    (b"> ", b"do echo item-$i; done\r"),
    # A function typed over two lines, with a command substitution and arithmetic.
    b"greet() {",
    (b"> ", b"echo \"hi $1 $(echo the\"\"re) $((6 * 7))\"; }\r"),
    b"greet you",
    b"poweroff",
]
LINE = rb"\r?$"
EXPECT = [
    (rb"^hello shell" + LINE, "hello's output"),
    (rb"^frames: total \d+, free \d+, shared \d+", "a meminfo free line"),
    (rb"^cow: faults \d+, copies \d+, reuses \d+", "meminfo's cow line"),
    (rb"^\s+1\s+0\s+run" + LINE, "pid 1 in ps"),
    (rb"^sh: nosuchprog: not found" + LINE, "not found, on one line"),
    (rb"^status=127" + LINE, "$? of a command not found"),
    (rb"^/tmp" + LINE, "pwd after cd"),
    (rb"^4" + LINE, "cat | grep | wc -w over a file written with > and >>"),
    (rb"^2" + LINE, "wc -l < file"),
    (rb"^-rw\S*\s+\d+\s+\d+\s+\d+\s+25 .*words\.txt" + LINE, "ls -l: the 25-byte file"),
    (rb"^or-ran" + LINE, "||"),
    (rb"^and-ran" + LINE, "&&"),
    (rb"^\[a b\] \[\$X\] \$X" + LINE, "quoting and $VAR"),
    (rb"^err=127\r?\nsh: nosuch: not found" + LINE, "2> kept the message for cat"),
    (rb"^bg=0" + LINE, "& and wait $!"),
    (rb"^int=130" + LINE, "^C ended the job with SIGINT (128+2)"),
    (rb"^after-intr" + LINE, "the shell runs on after ^C at the prompt"),
    (rb"^time: real \d+\.\d{6} s, \d+ instructions, \d+ cycles" + LINE, "time's line"),
    (rb"^sh: unterminated quote" + LINE, "a syntax error, on one line"),
    (rb"^sh: cd: /nonexistent: No such file or directory" + LINE, "cd's error"),
    (rb"^xyw" + LINE, "KILL and ERASE in the console's canonical mode"),
    (rb"^5" + LINE, "^D ends a line, then alone the input (wc -c counted ab, cd and NL)"),
    (rb"^item-a" + LINE + rb"\n^item-b" + LINE, "a for loop typed over two lines"),
    (rb"^hi you there 42" + LINE, "a function typed over two lines, $(...) and $((...))"),
]
UNEXPECTED = [
    (rb"^never-ran", "&& ran after a failure"),
    (rb"^dropped-line", "^C at the prompt ran the line typed before it"),
    (rb"killed by signal 2", "a message for ^C"),
]


def check(res, harness, status, timed_out):
    """Judge the session: our own checks, on top of the harness's timeout and panic."""
    out = res.output
    if harness.PANIC in out or timed_out:
        return res  # the harness's reason stands
    missing = [what for rx, what in EXPECT if not re.search(rx, out, re.M)]
    extra = [what for rx, what in UNEXPECTED if re.search(rx, out, re.M)]
    if missing or extra:
        res.ok, res.reason = False, "; ".join(
            (["missing: " + ", ".join(missing)] if missing else []) +
            (["unexpected: " + ", ".join(extra)] if extra else []))
    elif status != 0:
        res.ok, res.reason = False, "QEMU exit status %s, expected 0" % status
    elif out.count(PROMPT) < sum(isinstance(x, bytes) for x in SESSION):
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
        res = harness.run_qemu(name, argv, timeout, send_on=send_on, ordered=True)
    finally:
        harness.judge = judge
    return res, seen["status"], seen["timed_out"]


def session(harness, argv, timeout, name="shell-session"):
    send_on = [x if isinstance(x, tuple) else (PROMPT, x + b"\r") for x in SESSION]
    res, status, timed_out = run_seeing_status(harness, name, argv, timeout, send_on)
    return check(res, harness, status, timed_out)


def steps(B, harness, virt, TIMEOUT):
    yield lambda: session(harness, virt("128M", "dynamic", ""), TIMEOUT)
    # Ctrl-C and the job groups again with four harts (the issue asks for both).
    yield lambda: session(harness, virt("128M", "dynamic", "", smp=4), TIMEOUT,
                          "shell-session-smp4")
