#!/usr/bin/env python3
"""forkbench_report.py: a good log gives four files, a damaged one gives exit 2 and no
files, and the --serial path (pyserial on a pseudo-terminal) matches the --log path.
A Linux run (skip lines, throughput lines) is carried into every file, and --compare
puts the two recorded runs side by side.

Run with /usr/bin/python3 (Debian's, which has pyserial and matplotlib)."""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import tty

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "..", "..", "tools", "forkbench_report.py")
SAMPLE = os.path.join(HERE, "forkbench-sample.log")
# make bench-linux's output, iters=20: skip lines, named substitutes, @throughput lines
LINUX_SAMPLE = os.path.join(HERE, "forkbench-linux-sample.log")
PYTHON = "/usr/bin/python3"
OUTPUTS = ["forkbench.json", "forkbench.csv", "forkbench.md", "forkbench.png"]


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, ok, detail=""):
        print("%-52s %s" % (name, "ok" if ok else "FAIL" + (": " + detail if detail else "")))
        self.passed += bool(ok)
        self.failed += not ok


def run_tool(args, timeout=60):
    return subprocess.run([PYTHON, TOOL] + args, capture_output=True, text=True,
                          timeout=timeout)


def sample_lines():
    with open(SAMPLE, "rb") as f:
        return f.read().split(b"\n")


def results_in(lines):
    return [ln.decode().strip() for ln in lines if ln.startswith(b"@result")]


def expected_ratio(lines, kib):
    med = {}
    for ln in results_in(lines):
        f = dict(t.split("=", 1) for t in ln.split()[1:])
        if f["test"] == "fork_exit_wait" and f["touched_kib"] == str(kib):
            med[f["mode"]] = int(f["median"])
    return "%.2fx" % (med["eager"] / med["cow"])


def check_good(c, tmp):
    out = os.path.join(tmp, "good")
    p = run_tool(["--log", SAMPLE, "--out", out, "--print"])
    c.check("sample log: exit 0", p.returncode == 0, p.stderr.strip())
    for name in OUTPUTS:
        path = os.path.join(out, name)
        c.check("sample log: writes %s" % name, os.path.isfile(path) and os.path.getsize(path) > 0)
    if p.returncode != 0:
        return None
    doc = json.load(open(os.path.join(out, "forkbench.json")))
    check_json(c, doc)
    md = open(os.path.join(out, "forkbench.md")).read()
    lines = sample_lines()
    for kib in (64, 8192):
        r = expected_ratio(lines, kib)
        c.check("md: EAGER/COW ratio %s at %d KiB" % (r, kib), r in md)
    c.check("md: states the unit (guest instructions)", "guest instructions" in md)
    c.check("--print: markdown table on stdout", "| fork_exit_wait |" in p.stdout)
    csv_rows = open(os.path.join(out, "forkbench.csv")).read().splitlines()
    c.check("csv: header plus one row per result",
            csv_rows[0].startswith("test,mode,touched_kib") and
            len(csv_rows) == 1 + len(results_in(lines)))
    c.check("png: is a PNG", open(os.path.join(out, "forkbench.png"), "rb").read(8)
            == b"\x89PNG\r\n\x1a\n")
    return doc


def check_json(c, doc):
    meta = doc.get("meta", {})
    c.check("json: meta has the header fields",
            meta.get("board") == "riscv-virtio,qemu" and meta.get("harts") == 1 and
            meta.get("timebase_hz") == 10000000 and meta.get("icount") == 1 and
            meta.get("isa", "").startswith("rv64"))
    want = results_in(sample_lines())
    got = doc.get("results", [])
    c.check("json: one result per @result line (%d)" % len(want), len(got) == len(want))
    same = all("@result " + " ".join("%s=%s" % kv for kv in r.items()) == w
               for r, w in zip(got, want))
    c.check("json: every result with all fields, in order", same)
    ints = all(isinstance(r[k], int) for r in got
               for k in ("touched_kib", "iters", "min", "median", "p99", "max", "mean"))
    c.check("json: numbers are ints", ints)
    tests = {r["test"] for r in got}
    c.check("json: all seven cases", len(tests) == 7)
    c.check("json: memory lines", len(doc.get("memory", [])) == 10)


def broken_variants():
    lines = sample_lines()
    header = [i for i, ln in enumerate(lines) if ln.startswith(b"@forkbench")][0]
    first_result = [i for i, ln in enumerate(lines) if ln.startswith(b"@result")][3]
    no_done = [ln for ln in lines if not ln.startswith(b"@done")]
    truncated = list(lines)
    truncated[first_result] = lines[first_result][:lines[first_result].index(b" p99=")]
    chopped_digits = list(lines)
    chopped_digits[first_result] = lines[first_result].replace(b" max=", b"forkbench: x max=")
    v2 = list(lines)
    v2[header] = lines[header].replace(b"@forkbench v1", b"@forkbench v2")
    no_header = lines[:header] + lines[header + 1:]
    return [("missing @done", no_done, "missing @done (truncated run?)"),
            ("truncated result line", truncated, "line %d" % (first_result + 1)),
            ("garbled result line", chopped_digits, "line %d" % (first_result + 1)),
            ("unknown version", v2, "unknown version"),
            ("no header", no_header, "header")]


def check_broken(c, tmp):
    for name, lines, needle in broken_variants():
        log = os.path.join(tmp, name.replace(" ", "_") + ".log")
        with open(log, "wb") as f:
            f.write(b"\n".join(lines))
        out = os.path.join(tmp, "out_" + name.replace(" ", "_"))
        p = run_tool(["--log", log, "--out", out])
        err = p.stderr.strip()
        c.check("%s: exit 2" % name, p.returncode == 2, "rc=%d %s" % (p.returncode, err))
        c.check("%s: one-line error mentioning %r" % (name, needle),
                needle in err and len(err.splitlines()) == 1, err)
        c.check("%s: no output files" % name, not os.path.exists(out))


def feed_pty(master, data, chunk=97, delay=0.005):
    for i in range(0, len(data), chunk):
        os.write(master, data[i:i + chunk])
        time.sleep(delay)


def check_serial(c, tmp, want):
    master, slave = os.openpty()
    tty.setraw(slave)
    data = open(SAMPLE, "rb").read()
    out = os.path.join(tmp, "serial")
    writer = threading.Thread(target=feed_pty, args=(master, data), daemon=True)
    proc = subprocess.Popen([PYTHON, TOOL, "--serial", os.ttyname(slave), "--baud", "115200",
                             "--timeout", "30", "--out", out],
                            stderr=subprocess.PIPE, text=True)
    try:
        # pyserial flushes the input when it opens the port: write only once it is open
        first = proc.stderr.readline()
        writer.start()
        _, rest = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        if writer.ident:  # started
            writer.join(timeout=5)
        os.close(master)
        os.close(slave)
    err = first + rest
    c.check("serial (pty): exit 0", proc.returncode == 0, err.strip())
    c.check("serial (pty): progress on stderr", "waiting" in first and "result" in rest)
    path = os.path.join(out, "forkbench.json")
    got = json.load(open(path)) if os.path.isfile(path) else None
    c.check("serial (pty): same JSON as from the log", want is not None and got == want)
    c.check("serial (pty): all four files",
            all(os.path.isfile(os.path.join(out, n)) for n in OUTPUTS))


def check_stdin(c, tmp, want):
    out = os.path.join(tmp, "stdin")
    with open(SAMPLE, "rb") as f:
        p = subprocess.run([PYTHON, TOOL, "--stdin", "--tee", "--out", out], stdin=f,
                           capture_output=True, timeout=60)
    c.check("stdin --tee: exit 0", p.returncode == 0, p.stderr.decode().strip())
    c.check("stdin --tee: echoes the stream", b"@forkbench v1" in p.stdout)
    path = os.path.join(out, "forkbench.json")
    got = json.load(open(path)) if os.path.isfile(path) else None
    c.check("stdin: same JSON as from the log", want is not None and got == want)


def parse_log(path):
    """{(test, mode, touched_kib): median} and the @skip lines' fields, read directly."""
    med, skips = {}, []
    for ln in open(path, "rb").read().decode().splitlines():
        f = dict(t.split("=", 1) for t in ln.split()[1:] if "=" in t)
        if ln.startswith("@result"):
            med[(f["test"], f["mode"], int(f["touched_kib"]))] = int(f["median"])
        elif ln.startswith("@skip"):
            skips.append(f)
    return med, skips


def check_linux(c, tmp):
    out = os.path.join(tmp, "linux")
    p = run_tool(["--log", LINUX_SAMPLE, "--out", out, "--name", "linux"])
    c.check("linux log: exit 0", p.returncode == 0, p.stderr.strip())
    c.check("linux log: --name linux writes linux.{json,csv,md,png}",
            all(os.path.isfile(os.path.join(out, "linux." + e))
                for e in ("json", "csv", "md", "png")))
    if p.returncode != 0:
        return None
    doc = json.load(open(os.path.join(out, "linux.json")))
    _, skips = parse_log(LINUX_SAMPLE)
    c.check("linux json: header os, release, counter",
            doc["meta"].get("os") == "linux" and doc["meta"].get("release") and
            doc["meta"].get("counter") in ("rdcycle", "clock_gettime"))
    c.check("linux json: one skipped entry per @skip line (%d)" % len(skips),
            len(doc["skipped"]) == len(skips) and len(skips) >= 3)
    ipc = [k for k in doc["skipped"] if k["test"] == "ipc_call"]
    c.check("linux json: ipc_call skipped, pipe and futex round trips instead",
            ipc and ipc[0]["instead"] == ["pipe_pingpong", "futex_roundtrip"], str(ipc))
    tput = {(t["test"], t["harts_busy"]) for t in doc["throughput"]}
    c.check("linux json: @throughput lines of both cases",
            ("fork_throughput", 1) in tput and ("fork_throughput_procs", 1) in tput,
            str(tput))
    md = open(os.path.join(out, "linux.md")).read()
    c.check("linux md: skipped cases with the reason",
            "| ipc_call | - | no kernel ipc | pipe_pingpong, futex_roundtrip |" in md)
    c.check("linux md: throughput table", "| fork_throughput_procs | 1 |" in md)
    rows = open(os.path.join(out, "linux.csv")).read().splitlines()
    c.check("linux csv: a row per result, throughput and skip line",
            len(rows) == 1 + len(doc["results"]) + len(doc["throughput"]) + len(skips))
    c.check("linux csv: skip rows carry reason and substitutes",
            any(r.startswith("ipc_call,-,") and "no_kernel_ipc,pipe_pingpong;futex_roundtrip"
                in r for r in rows))
    return out


def compare_rows(md):
    """The comparison table's body rows (the first table), split into cells."""
    table = md.split("| case | mode | touched |", 1)[-1].split("\n\n", 1)[0]
    return [[x.strip() for x in ln.strip().strip("|").split("|")]
            for ln in table.splitlines()[2:] if ln.startswith("|")]


def check_compare(c, tmp, good_json, linux_out):
    out = os.path.join(tmp, "cmp")
    p = run_tool(["--compare", SAMPLE, LINUX_SAMPLE, "--out", out, "--print"])
    c.check("compare: exit 0", p.returncode == 0, p.stderr.strip())
    c.check("compare: writes compare.{md,csv,png}",
            all(os.path.isfile(os.path.join(out, "compare." + e)) for e in ("md", "csv", "png")))
    if p.returncode != 0:
        return
    md = open(os.path.join(out, "compare.md")).read()
    c.check("compare: --print shows the table", "| case | mode | touched |" in p.stdout)
    rows = compare_rows(md)
    mk, _ = parse_log(SAMPLE)
    lx, _ = parse_log(LINUX_SAMPLE)
    want = "%.2fx" % (lx[("fork_exit_wait", "cow", 64)] / mk[("fork_exit_wait", "cow", 64)])
    row64 = [r for r in rows if r[:3] == ["fork_exit_wait", "cow", "64 KiB"]]
    c.check("compare: fork_exit_wait 64 KiB, both medians and ratio %s" % want,
            row64 and row64[0][3:] == ["{:,}".format(mk[("fork_exit_wait", "cow", 64)]),
                                       "{:,}".format(lx[("fork_exit_wait", "cow", 64)]), want],
            str(row64))
    eager = [r for r in rows if r[:2] == ["fork_exit_wait", "eager"]]
    c.check("compare: every EAGER row says Linux skipped it",
            eager and all(r[4] == "skipped (no eager fork)" and r[5] == "—" for r in eager),
            str(eager[:1]))
    ipc = [r for r in rows if r[0] == "ipc_call"]
    c.check("compare: ipc_call shows Linux's pipe round trip instead",
            ipc and ipc[0][4] == "{:,} (pipe_pingpong)".format(lx[("pipe_pingpong", "-", 0)]),
            str(ipc))
    only = [r for r in rows if r[0] == "futex_roundtrip"]
    c.check("compare: a case only Linux has gets a row, — for this kernel",
            only and only[0][3] == "—", str(only))
    c.check("compare: png is a PNG", open(os.path.join(out, "compare.png"), "rb").read(8)
            == b"\x89PNG\r\n\x1a\n")
    csv_rows = open(os.path.join(out, "compare.csv")).read().splitlines()
    c.check("compare csv: a row per table row", len(csv_rows) == 1 + len(rows))
    if good_json and linux_out:
        out2 = os.path.join(tmp, "cmp-json")
        q = run_tool(["--compare", os.path.join(good_json, "forkbench.json"),
                      os.path.join(linux_out, "linux.json"), "--out", out2])
        md2 = open(os.path.join(out2, "compare.md")).read() if q.returncode == 0 else ""
        c.check("compare: JSON reports give the same table as the logs",
                compare_rows(md2) == rows, q.stderr.strip())


def check_compare_errors(c, tmp):
    lines = sample_lines()
    bad = os.path.join(tmp, "cut.log")
    with open(bad, "wb") as f:
        f.write(b"\n".join(ln for ln in lines if not ln.startswith(b"@done")))
    out = os.path.join(tmp, "cmp-bad")
    p = run_tool(["--compare", SAMPLE, bad, "--out", out])
    err = p.stderr.strip()
    c.check("compare, a truncated run: exit 2, one line naming it, no files",
            p.returncode == 2 and "cut.log" in err and len(err.splitlines()) == 1 and
            not os.path.exists(out), err)
    p = run_tool(["--compare", SAMPLE, "--out", out])
    c.check("compare, one run only: exit 2", p.returncode == 2 and not os.path.exists(out))


def check_old_throughput(c, tmp):
    """A @throughput line without test= (older forkbench) is fork_throughput; a bad one fails."""
    lines = sample_lines()
    done = [i for i, ln in enumerate(lines) if ln.startswith(b"@done")][0]
    old = lines[:done] + [b"@throughput harts_busy=1 forks=10 ticks=100 forks_per_s=100000"] + \
        lines[done:]
    log = os.path.join(tmp, "old-tput.log")
    with open(log, "wb") as f:
        f.write(b"\n".join(old))
    out = os.path.join(tmp, "old-tput")
    p = run_tool(["--log", log, "--out", out])
    doc = json.load(open(os.path.join(out, "forkbench.json"))) if p.returncode == 0 else {}
    c.check("throughput without test=: taken as fork_throughput",
            doc.get("throughput") == [{"harts_busy": 1, "forks": 10, "ticks": 100,
                                       "forks_per_s": 100000, "test": "fork_throughput"}],
            p.stderr.strip())
    cut = lines[:done] + [b"@throughput test=fork_throughput harts_busy=1 forks=10 tic"] + \
        lines[done:]
    with open(log, "wb") as f:
        f.write(b"\n".join(cut))
    p = run_tool(["--log", log, "--out", os.path.join(tmp, "cut-tput")])
    c.check("truncated @throughput line: exit 2", p.returncode == 2, p.stderr.strip())


def check_lock_share(c, tmp):
    """lock_permille, where a line has it, is carried into the JSON, CSV and Markdown; a
    line without it shows a dash; a bad value fails."""
    lines = sample_lines()
    done = [i for i, ln in enumerate(lines) if ln.startswith(b"@done")][0]
    extra = [b"@throughput test=fork_throughput_procs harts_busy=1 forks=10 ticks=100 "
             b"forks_per_s=100000 lock_permille=724",
             b"@throughput test=fork_throughput_procs harts_busy=2 forks=20 ticks=100 "
             b"forks_per_s=162000 lock_permille=600",
             b"@throughput test=fork_throughput harts_busy=1 forks=10 ticks=100 "
             b"forks_per_s=100000"]
    log = os.path.join(tmp, "lock.log")
    with open(log, "wb") as f:
        f.write(b"\n".join(lines[:done] + extra + lines[done:]))
    out = os.path.join(tmp, "lock")
    p = run_tool(["--log", log, "--out", out])
    ok = p.returncode == 0
    doc = json.load(open(os.path.join(out, "forkbench.json"))) if ok else {"throughput": []}
    mine = [t for t in doc["throughput"] if t.get("lock_permille") == 724]
    c.check("lock_permille: an integer in the JSON", len(mine) == 1, p.stderr.strip())
    md = open(os.path.join(out, "forkbench.md")).read() if ok else ""
    c.check("lock_permille: a percentage in the Markdown, a dash without it",
            "| 72.4% |" in md and "| — |" in md, md[-400:])
    c.check("throughput: two busy harts against one as a ratio in the Markdown",
            "| 162,000 | 1.62x | 60.0% |" in md and "| 100,000 | 1.00x | 72.4% |" in md,
            md[-600:])
    csv_text = open(os.path.join(out, "forkbench.csv")).read() if ok else ""
    c.check("lock_permille: a CSV column", "lock_permille" in csv_text.splitlines()[0]
            if csv_text else False)
    with open(log, "wb") as f:
        f.write(b"\n".join(lines[:done] + [extra[0].replace(b"=724", b"=7x")] + lines[done:]))
    p = run_tool(["--log", log, "--out", os.path.join(tmp, "lock-bad")])
    c.check("lock_permille not a number: exit 2", p.returncode == 2, p.stderr.strip())


def main():
    c = Checks()
    with tempfile.TemporaryDirectory() as tmp:
        want = check_good(c, tmp)
        check_broken(c, tmp)
        check_serial(c, tmp, want)
        check_stdin(c, tmp, want)
        linux_out = check_linux(c, tmp)
        check_compare(c, tmp, os.path.join(tmp, "good") if want else None, linux_out)
        check_compare_errors(c, tmp)
        check_old_throughput(c, tmp)
        check_lock_share(c, tmp)
    print("%d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
