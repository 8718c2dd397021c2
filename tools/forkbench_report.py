#!/usr/bin/env python3
"""Report for the forkbench UART stream: JSON, CSV, a markdown table and a plot.

Reads the benchmark's output from a saved log, a serial port or stdin:
    forkbench_report.py --log run.log
    forkbench_report.py --serial /dev/ttyUSB0 --baud 115200
    qemu-system-riscv64 ... | forkbench_report.py --stdin --tee
and writes NAME.{json,csv,md,png} into --out (default build/bench, NAME forkbench).
Only lines starting with '@' matter; everything else is console noise.
A run must start with an '@forkbench v1' header and end with '@done'; anything
else (no header, another version, a truncated line, no @done) is an error:
one line on stderr, no output files, exit status 2.

    forkbench_report.py --compare A B [C ...]
puts several runs side by side (this kernel and Linux, or a board under each OS):
each is a JSON file this tool wrote or a raw log. It writes compare.{md,csv,png}:
one table (each case, each run, each run's ratio to the first) and one plot
(fork_exit_wait against touched memory, one line per run).
"""
import argparse
import csv
import io
import json
import os
import select
import sys
import time

VERSION = "v1"
CASES = ["fork_exit_wait", "fork_to_child", "fork_exec_wait", "spawn_wait",
         "cow_fault_copy", "cow_fault_reuse", "ipc_call", "fork_exit_wait_files",
         "file_read_4k", "file_write_4k", "mmap_file_fault", "file_cow_fault",
         "pipe_pingpong"]
HEADER_FIELDS = ["board", "harts", "isa", "timebase_hz", "icount"]
HEADER_INTS = ["harts", "timebase_hz", "icount"]
# Optional header fields: os (mukernel or linux), release (Linux's uname -r), counter
# (rdcycle, or clock_gettime where user mode may not read the cycle counter).
RESULT_FIELDS = ["test", "mode", "touched_kib", "iters", "unit",
                 "min", "median", "p99", "max", "mean"]
RESULT_INTS = ["touched_kib", "iters", "min", "median", "p99", "max", "mean"]
MEMORY_FIELDS = ["touched_kib", "mode", "free_before", "free_after_fork",
                 "free_after_touch"]
MEMORY_INTS = ["touched_kib", "free_before", "free_after_fork", "free_after_touch"]
SKIP_FIELDS = ["test", "mode", "reason"]  # and instead=<case,case> or "-"
THROUGHPUT_FIELDS = ["harts_busy", "forks", "ticks", "forks_per_s"]  # and test=
THROUGHPUT_INTS = THROUGHPUT_FIELDS
# Optional: thousandths of the busy harts' instructions retired under the kernel's big lock.
THROUGHPUT_OPTIONAL_INTS = ["lock_permille"]
MODES = {"result": ("cow", "eager", "-"), "memory": ("cow", "eager")}
UNITS = ("cycles", "instret", "ticks", "ns")
MISSING_DONE = "missing @done (truncated run?)"


class BenchError(Exception):
    """A problem with the input; the message is the one line the user sees."""


# --- parsing ------------------------------------------------------------------------

def fields(lineno, tokens, required, ints, what):
    """key=value tokens -> dict; every required key present, ints converted."""
    out = {}
    for tok in tokens:
        key, eq, value = tok.partition("=")
        if not eq or not key:
            raise BenchError("line %d: malformed field %r in %s line (truncated?)"
                             % (lineno, tok, what))
        if key in out:
            raise BenchError("line %d: field %r repeated in %s line" % (lineno, key, what))
        out[key] = value
    missing = [k for k in required if k not in out]
    if missing:
        raise BenchError("line %d: truncated %s line: missing %s"
                         % (lineno, what, ", ".join(missing)))
    for key in ints:
        out[key] = to_int(lineno, what, key, out[key])
    return out


def to_int(lineno, what, key, value):
    if not value.isdigit():
        raise BenchError("line %d: %s field %s=%r is not a non-negative integer (truncated?)"
                         % (lineno, what, key, value))
    return int(value)


def check_result(lineno, r):
    if r["mode"] not in MODES["result"]:
        raise BenchError("line %d: unknown mode %r" % (lineno, r["mode"]))
    if r["unit"] not in UNITS:
        raise BenchError("line %d: unknown unit %r" % (lineno, r["unit"]))
    if r["iters"] == 0:
        raise BenchError("line %d: iters=0" % lineno)
    if not r["min"] <= r["median"] <= r["p99"] <= r["max"] or \
            not r["min"] <= r["mean"] <= r["max"]:
        raise BenchError("line %d: inconsistent statistics (need min <= median <= p99 <= max"
                         " and min <= mean <= max)" % lineno)


class Run:
    """The state of one benchmark run, fed line by line."""

    def __init__(self, progress=None):
        self.meta = None
        self.results, self.memory, self.skipped, self.throughput = [], [], [], []
        self.done = False
        self.ignored = 0
        self.progress = progress or (lambda msg: None)

    def feed(self, lineno, line):
        line = line.replace("\x00", "").strip()
        if not line.startswith("@"):
            return
        tag, _, rest = line.partition(" ")
        handler = {"@forkbench": self.header, "@result": self.result,
                   "@memory": self.mem, "@skip": self.skip, "@throughput": self.tput,
                   "@done": self.finish}.get(tag)
        if handler is None:
            self.progress("line %d: ignoring unknown line %s" % (lineno, tag))
        elif self.meta is None and tag != "@forkbench":
            self.ignored += 1
        else:
            handler(lineno, rest.split())

    def header(self, lineno, tokens):
        if not tokens or tokens[0] != VERSION:
            raise BenchError("line %d: unknown version %r (this tool reads @forkbench %s)"
                             % (lineno, tokens[0] if tokens else "", VERSION))
        if self.meta is not None:
            self.progress("line %d: new header, restarting (dropping %d results)"
                          % (lineno, len(self.results)))
        meta = {"version": VERSION}
        meta.update(fields(lineno, tokens[1:], HEADER_FIELDS, HEADER_INTS, "@forkbench"))
        self.meta, self.results, self.memory, self.skipped, self.throughput = \
            meta, [], [], [], []
        self.progress("header: board=%s harts=%d isa=%s icount=%d"
                      % (meta["board"], meta["harts"], meta["isa"], meta["icount"]))

    def result(self, lineno, tokens):
        r = fields(lineno, tokens, RESULT_FIELDS, RESULT_INTS, "@result")
        check_result(lineno, r)
        key = (r["test"], r["mode"], r["touched_kib"])
        if any((o["test"], o["mode"], o["touched_kib"]) == key for o in self.results):
            raise BenchError("line %d: duplicate result %s mode=%s touched_kib=%d"
                             % ((lineno,) + key))
        self.results.append(r)
        self.progress("result %2d: %-16s %-5s %8s  median %s %s"
                      % (len(self.results), r["test"], r["mode"], size_label(r["touched_kib"]),
                         num(r["median"]), r["unit"]))

    def mem(self, lineno, tokens):
        m = fields(lineno, tokens, MEMORY_FIELDS, MEMORY_INTS, "@memory")
        if m["mode"] not in MODES["memory"]:
            raise BenchError("line %d: unknown mode %r in @memory line" % (lineno, m["mode"]))
        self.memory.append(m)

    def skip(self, lineno, tokens):
        """A case the system has no equivalent for, and what measures the nearest thing."""
        k = fields(lineno, tokens, SKIP_FIELDS, [], "@skip")
        k["instead"] = [] if k.get("instead", "-") == "-" else k["instead"].split(",")
        self.skipped.append(k)
        self.progress("skipped: %s %s (%s)" % (k["test"], k["mode"], k["reason"]))

    def tput(self, lineno, tokens):
        t = fields(lineno, tokens, THROUGHPUT_FIELDS, THROUGHPUT_INTS, "@throughput")
        for key in THROUGHPUT_OPTIONAL_INTS:
            if key in t:
                t[key] = to_int(lineno, "@throughput", key, t[key])
        t.setdefault("test", "fork_throughput")  # lines from before the test= field
        if t["harts_busy"] == 0:
            raise BenchError("line %d: harts_busy=0 in @throughput line" % lineno)
        self.throughput.append(t)

    def finish(self, lineno, tokens):
        if not self.results:
            raise BenchError("line %d: @done but no @result lines" % lineno)
        self.done = True
        self.progress("done: %d results, %d memory lines" % (len(self.results), len(self.memory)))

    def timed_out(self, timeout):
        if self.meta is None:
            raise BenchError("no '@forkbench %s' header line within --timeout %g s"
                             % (VERSION, timeout))
        raise BenchError("%s: no @done within --timeout %g s (%d results so far)"
                         % (MISSING_DONE, timeout, len(self.results)))

    def check_complete(self):
        if self.meta is None:
            extra = " (ignored %d @-lines before it)" % self.ignored if self.ignored else ""
            raise BenchError("no '@forkbench %s' header line found%s" % (VERSION, extra))
        if not self.done:
            raise BenchError("%s: got %d results, no @done line"
                             % (MISSING_DONE, len(self.results)))


# --- input --------------------------------------------------------------------------

def read_stream(read_chunk, run, tee=None, timeout=None, waiting=None):
    """Feed complete lines from read_chunk() into run until @done, EOF or timeout.

    read_chunk returns bytes, b"" at end of stream, or None when nothing came yet."""
    start = last_note = time.monotonic()
    buf, lineno = b"", 0
    while not run.done:
        chunk = read_chunk()
        now = time.monotonic()
        if chunk == b"":
            break
        if timeout is not None and now - start > timeout:
            run.timed_out(timeout)
        if chunk is None:
            if waiting and now - last_note >= 30:
                waiting("still waiting: %d lines, %d results after %d s"
                        % (lineno, len(run.results), now - start))
                last_note = now
            continue
        if tee:
            tee.write(chunk)
            tee.flush()
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for raw in lines:
            lineno += 1
            run.feed(lineno, raw.decode("utf-8", "replace"))
            if run.done:
                break
    if not run.done and buf:
        run.feed(lineno + 1, buf.decode("utf-8", "replace"))
    run.check_complete()


def log_source(path):
    try:
        with open(path, "rb") as f:
            data = [f.read(), b""]
    except OSError as e:
        raise BenchError("cannot read log %s: %s" % (path, e.strerror))
    return lambda: data.pop(0) if data else b""


def fd_source(fd):
    def read_chunk():
        ready, _, _ = select.select([fd], [], [], 0.2)
        return os.read(fd, 4096) if ready else None
    return read_chunk


def serial_source(port, baud):
    import serial
    try:
        ser = serial.Serial(port, baudrate=baud, timeout=0.2)
    except (serial.SerialException, OSError, ValueError) as e:
        raise BenchError("cannot open serial port %s: %s" % (port, e))

    def read_chunk():
        try:
            data = ser.read(ser.in_waiting or 1)
        except (serial.SerialException, OSError):
            return b""  # device gone (board unplugged, pty master closed)
        return data or None
    return read_chunk


def collect(args):
    quiet = args.log is not None
    say = (lambda msg: None) if quiet else (lambda msg: note(msg))
    run = Run(progress=say)
    tee = sys.stdout.buffer if args.tee else None
    if args.log is not None:
        read_stream(log_source(args.log), run, tee)
        return run
    if args.serial:
        source = serial_source(args.serial, args.baud)
        what = "%s at %d baud" % (args.serial, args.baud)
    else:
        source, what = fd_source(sys.stdin.fileno()), "stdin"
    say("waiting for the benchmark on %s (timeout %g s)" % (what, args.timeout))
    read_stream(source, run, tee, args.timeout, say)
    return run


def note(msg):
    sys.stderr.write("forkbench: %s\n" % msg)
    sys.stderr.flush()


# --- rendering ----------------------------------------------------------------------

def num(n):
    return "{:,}".format(n)


def size_label(kib):
    if kib >= 1024 and kib % 1024 == 0:
        return "%d MiB" % (kib // 1024)
    return "%d KiB" % kib if kib else "0"


def unit_text(meta, units):
    if meta["icount"]:
        return "guest instructions (QEMU -icount; counters: %s)" % ", ".join(sorted(units))
    names = {"cycles": "CPU cycles", "instret": "retired instructions",
             "ticks": "timer ticks at %s Hz" % num(meta["timebase_hz"]),
             "ns": "nanoseconds (clock_gettime)"}
    return ", ".join(names[u] for u in sorted(units))


def render_json(run):
    doc = {"meta": run.meta, "results": run.results, "memory": run.memory,
           "skipped": run.skipped, "throughput": run.throughput}
    return json.dumps(doc, indent=2) + "\n"


def render_csv(run):
    """One table: the results, then a row per @throughput and per @skip line, each kind
    filling its own columns (harts_busy..forks_per_s; skipped, instead)."""
    out = io.StringIO()
    extra = sorted({k for r in run.results for k in r} - set(RESULT_FIELDS))
    tput = THROUGHPUT_FIELDS if run.throughput else []
    tput = tput + [k for k in THROUGHPUT_OPTIONAL_INTS if any(k in t for t in run.throughput)]
    skip = ["skipped", "instead"] if run.skipped else []
    w = csv.DictWriter(out, fieldnames=RESULT_FIELDS + extra + tput + skip,
                       lineterminator="\n")
    w.writeheader()
    w.writerows(run.results)
    w.writerows(dict(t, mode="-") for t in run.throughput)
    w.writerows({"test": k["test"], "mode": k["mode"], "skipped": k["reason"],
                 "instead": ";".join(k["instead"])} for k in run.skipped)
    return out.getvalue()


def md_table(head, rows, text_cols=1):
    """Markdown table; the first text_cols columns left-aligned, the numbers right."""
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join("---" if i < text_cols else "---:" for i in range(len(head))) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def fork_medians(run):
    return fork_medians_of(run.results)


def fork_medians_of(results):
    """{touched_kib: {mode: result}} for fork_exit_wait."""
    table = {}
    for r in results:
        if r["test"] == "fork_exit_wait":
            table.setdefault(r["touched_kib"], {})[r["mode"]] = r
    return table


def ratio(cow, eager):
    if cow is None or eager is None or cow["median"] == 0:
        return "—"
    return "%.2fx" % (eager["median"] / cow["median"])


def md_results(run):
    rows = [(r["test"], r["mode"], size_label(r["touched_kib"]), num(r["iters"]), r["unit"],
             num(r["min"]), num(r["median"]), num(r["p99"]), num(r["max"]), num(r["mean"]))
            for r in run.results]
    return md_table(["test", "mode", "touched", "iters", "counter", "min", "median", "p99",
                     "max", "mean"], rows, text_cols=5)


def md_ratios(run):
    rows = []
    for kib, modes in sorted(fork_medians(run).items()):
        cow, eager = modes.get("cow"), modes.get("eager")
        rows.append((size_label(kib), num(cow["median"]) if cow else "—",
                     num(eager["median"]) if eager else "—", ratio(cow, eager)))
    return md_table(["touched", "COW median", "EAGER median", "EAGER/COW"], rows)


def md_memory(run):
    rows = [(size_label(m["touched_kib"]), m["mode"], num(m["free_before"]),
             num(m["free_before"] - m["free_after_fork"]),
             num(m["free_after_fork"] - m["free_after_touch"]))
            for m in run.memory]
    return md_table(["touched", "mode", "free before", "used by fork", "used by child's writes"],
                    rows, text_cols=2)


def md_throughput(run):
    locked = any("lock_permille" in t for t in run.throughput)
    rows = [(t["test"], t["harts_busy"], num(t["forks"]), num(t["ticks"]), num(t["forks_per_s"]),
             scaling(run.throughput, t)) + ((lock_share(t),) if locked else ())
            for t in run.throughput]
    return md_table(["case", "harts busy", "forks", "ticks", "forks/s", "against 1 busy"]
                    + (["under the big lock"] if locked else []), rows)


def scaling(lines, t):
    """t's forks per second over its case's with one busy hart in the same run, or a dash."""
    one = [u["forks_per_s"] for u in lines if u["test"] == t["test"] and u["harts_busy"] == 1]
    return "%.2fx" % (t["forks_per_s"] / one[0]) if one and one[0] else "—"


def lock_share(t):
    """lock_permille as a percentage, or a dash where the line has none."""
    v = t.get("lock_permille")
    return "—" if v is None else "%d.%d%%" % (v // 10, v % 10)


def md_skipped(run):
    rows = [(k["test"], k["mode"], k["reason"].replace("_", " "),
             ", ".join(k["instead"]) or "—") for k in run.skipped]
    return md_table(["case", "mode", "why", "measured instead"], rows, text_cols=4)


def system_text(meta):
    """'Linux 6.1.192' or 'mukernel', with the counter, for the heading line."""
    what = {"linux": "Linux", "mukernel": "this kernel"}.get(meta.get("os"), meta.get("os"))
    if what and meta.get("release"):
        what += " " + meta["release"]
    parts = [what] if what else []
    if meta.get("counter"):
        parts.append("counter `%s`" % meta["counter"])
    return " (%s)" % ", ".join(parts) if parts else ""


def render_md(run):
    meta = run.meta
    unit = unit_text(meta, {r["unit"] for r in run.results})
    out = ["# forkbench results", "",
           "Board `%s`, %d hart(s), ISA `%s`, timebase %s Hz, icount %s%s." % (
               meta["board"], meta["harts"], meta["isa"], num(meta["timebase_hz"]),
               "on" if meta["icount"] else "off", system_text(meta)),
           "", "**Unit: %s.**" % unit, "", "## All results", ""]
    out += md_results(run)
    out += ["", "## fork+exit+wait median by touched memory, COW against EAGER", "",
            "Median latency in %s." % short_unit(meta, {r["unit"] for r in run.results}), ""]
    out += md_ratios(run)
    if run.memory:
        out += ["", "## Memory (free frames)", ""] + md_memory(run)
    if run.throughput:
        out += ["", "## Fork throughput (real time; forks per second of guest time)", ""]
        out += md_throughput(run)
    if run.skipped:
        out += ["", "## Cases with no equivalent here", ""] + md_skipped(run)
    return "\n".join(out) + "\n"


def render_png(run):
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.ticker import NullLocator
    table = fork_medians(run)
    sizes = sorted(table)
    positive = [s for s in sizes if s > 0]
    zero_at = min(positive) / 4 if positive else 1.0  # where "0 KiB" sits on the log axis
    fig = Figure(figsize=(8, 5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    units = {r["unit"] for r in run.results if r["test"] == "fork_exit_wait"} or {"instret"}
    for mode, label, marker in (("cow", "COW", "o"), ("eager", "EAGER", "s")):
        plot_series(ax, table, mode, label, marker, zero_at)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks([s or zero_at for s in sizes])
    ax.set_xticklabels([size_label(s) for s in sizes])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("touched private memory (log scale)")
    ax.set_ylabel("median latency, %s (log scale)" % short_unit(run.meta, units))
    ax.set_title("fork+exit+wait latency vs touched memory\n%s, whiskers up to p99"
                 % run.meta["board"])
    ax.grid(True, which="major", alpha=0.3)
    if sizes:
        ax.legend()
    else:
        ax.text(0.5, 0.5, "no fork_exit_wait results", ha="center", transform=ax.transAxes)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def plot_series(ax, table, mode, label, marker, zero_at):
    pts = [(kib, modes[mode]) for kib, modes in sorted(table.items()) if mode in modes]
    if not pts:
        return
    xs = [kib or zero_at for kib, _ in pts]
    ys = [max(r["median"], 1) for _, r in pts]
    up = [max(r["p99"], 1) - y for (_, r), y in zip(pts, ys)]
    ax.errorbar(xs, ys, yerr=[[0] * len(ys), up], marker=marker, capsize=4, label=label)


def short_unit(meta, units):
    if meta["icount"]:
        return "guest instructions"
    return " / ".join(sorted(units))


def render_all(run, name="forkbench"):
    return {name + ".json": render_json(run).encode(),
            name + ".csv": render_csv(run).encode(),
            name + ".md": render_md(run).encode(),
            name + ".png": render_png(run)}


def write_all(out_dir, files):
    try:
        os.makedirs(out_dir, exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(out_dir, name), "wb") as f:
                f.write(data)
    except OSError as e:
        raise BenchError("cannot write %s: %s" % (e.filename or out_dir, e.strerror))


# --- comparison of several runs -----------------------------------------------------

def load_run(path):
    """A run for --compare: a JSON file this tool wrote, or a raw log."""
    if path.endswith(".json"):
        try:
            with open(path) as f:
                doc = json.load(f)
        except OSError as e:
            raise BenchError("cannot read %s: %s" % (path, e.strerror))
        except ValueError as e:
            raise BenchError("%s: not JSON (%s)" % (path, e))
        if not isinstance(doc, dict) or not isinstance(doc.get("meta"), dict) or \
                not isinstance(doc.get("results"), list):
            raise BenchError("%s: not a forkbench report (no meta or results)" % path)
        doc.setdefault("skipped", [])
        doc.setdefault("throughput", [])
        return doc
    run = Run()
    try:
        read_stream(log_source(path), run)
    except BenchError as e:
        raise BenchError("%s: %s" % (path, e))
    return json.loads(render_json(run))


def run_labels(paths, docs):
    """Each run's column title: the file's name, or for the default name the system."""
    labels = []
    for path, doc in zip(paths, docs):
        stem = os.path.splitext(os.path.basename(path))[0]
        if stem == "forkbench" and doc["meta"].get("os"):
            stem = {"mukernel": "this kernel"}.get(doc["meta"]["os"], doc["meta"]["os"])
        labels.append(stem)
    for i, label in enumerate(labels):
        if labels.count(label) > 1:
            labels[i] = "%s (%d)" % (label, i + 1)
    return labels


def case_key(r):
    return (r["test"], r["mode"], r["touched_kib"])


def case_rows(docs):
    """Every (test, mode, touched_kib) any run has, in the order they first appear."""
    keys = []
    for doc in docs:
        for r in doc["results"]:
            if case_key(r) not in keys:
                keys.append(case_key(r))
        for k in doc["skipped"]:
            if k["mode"] == "eager" and k["test"] == "fork_exit_wait":
                continue  # shown per size, below
            key = (k["test"], k["mode"], 0)
            if not any(x[:2] == key[:2] for x in keys):
                keys.append(key)
    return keys


def cell(doc, key):
    """(text, median or None) for one run's entry of one case."""
    for r in doc["results"]:
        if case_key(r) == key:
            return num(r["median"]), r["median"]
    for k in doc["skipped"]:
        if (k["test"], k["mode"]) == key[:2]:
            for alt in k["instead"]:
                for r in doc["results"]:
                    if r["test"] == alt:
                        return "%s (%s)" % (num(r["median"]), alt), r["median"]
            return "skipped (%s)" % k["reason"].replace("_", " "), None
    return "—", None


def compare_table(docs, labels):
    head = ["case", "mode", "touched"] + labels + ["%s / %s" % (l, labels[0]) for l in labels[1:]]
    rows, csv_rows = [], []
    for key in case_rows(docs):
        cells = [cell(doc, key) for doc in docs]
        base = cells[0][1]
        ratios = ["%.2fx" % (c[1] / base) if c[1] is not None and base else "—"
                  for c in cells[1:]]
        rows.append([key[0], key[1], size_label(key[2])] + [c[0] for c in cells] + ratios)
        csv_rows.append(dict(zip(["test", "mode", "touched_kib"], key),
                             **{l: ("" if c[1] is None else c[1]) for l, c in zip(labels, cells)}))
    return head, rows, csv_rows


def compare_throughput(docs, labels):
    keys = []
    for doc in docs:
        for t in doc["throughput"]:
            if (t["test"], t["harts_busy"]) not in keys:
                keys.append((t["test"], t["harts_busy"]))
    rows = []
    for test, busy in keys:
        vals = [next((num(t["forks_per_s"]) for t in doc["throughput"]
                      if (t["test"], t["harts_busy"]) == (test, busy)), "—") for doc in docs]
        rows.append([test, busy] + vals)
    return md_table(["case", "harts busy"] + labels, rows, text_cols=1) if rows else []


def describe_run(label, doc):
    meta = doc["meta"]
    units = {r["unit"] for r in doc["results"]}
    return "- **%s**: board `%s`, %s hart(s), icount %s%s; unit: %s." % (
        label, meta.get("board"), meta.get("harts"), "on" if meta.get("icount") else "off",
        system_text(meta), unit_text(meta, units) if units else "—")


def render_compare_md(docs, labels):
    head, rows, _ = compare_table(docs, labels)
    out = ["# forkbench: %s" % " against ".join(labels), ""]
    out += [describe_run(l, d) for l, d in zip(labels, docs)]
    out += ["", "Medians. A case a system has no equivalent for shows what it measured instead,"
            " in brackets, or why it was skipped; the ratio columns divide by the first run.",
            ""]
    out += md_table(head, rows, text_cols=3)
    tput = compare_throughput(docs, labels)
    if tput:
        out += ["", "## Fork throughput (forks per second, real time)", ""] + tput
    return "\n".join(out) + "\n"


def render_compare_csv(docs, labels):
    _, _, csv_rows = compare_table(docs, labels)
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=["test", "mode", "touched_kib"] + labels,
                       lineterminator="\n")
    w.writeheader()
    w.writerows(csv_rows)
    return out.getvalue()


def render_compare_png(docs, labels):
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.ticker import NullLocator
    fig = Figure(figsize=(8, 5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    tables = [fork_medians_of(doc["results"]) for doc in docs]
    sizes = sorted({k for t in tables for k in t})
    positive = [k for k in sizes if k > 0]
    zero_at = min(positive) / 4 if positive else 1.0
    for label, table in zip(labels, tables):
        plot_series(ax, table, "cow", label, "o", zero_at)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks([k or zero_at for k in sizes])
    ax.set_xticklabels([size_label(k) for k in sizes])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("touched private memory (log scale)")
    units = sorted({short_unit(d["meta"], {r["unit"] for r in d["results"]}) for d in docs})
    ax.set_ylabel("median latency, %s (log scale)" % " / ".join(units))
    ax.set_title("fork+exit+wait (COW) vs touched memory, whiskers up to p99")
    ax.grid(True, which="major", alpha=0.3)
    if sizes:
        ax.legend()
    else:
        ax.text(0.5, 0.5, "no fork_exit_wait results", ha="center", transform=ax.transAxes)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def compare(paths, name):
    docs = [load_run(p) for p in paths]
    labels = run_labels(paths, docs)
    return {name + ".md": render_compare_md(docs, labels).encode(),
            name + ".csv": render_compare_csv(docs, labels).encode(),
            name + ".png": render_compare_png(docs, labels)}


# --- main ---------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--log", metavar="FILE", help="a saved UART log")
    src.add_argument("--serial", metavar="DEV", help="a serial device, e.g. /dev/ttyUSB0")
    src.add_argument("--stdin", action="store_true", help="read the UART stream from stdin")
    src.add_argument("--compare", nargs="+", metavar="RUN",
                     help="put runs side by side: JSON files this tool wrote, or logs")
    p.add_argument("--baud", type=int, default=115200, help="serial speed (default 115200)")
    p.add_argument("--timeout", type=float, default=1800,
                   help="seconds to wait for @done on --serial/--stdin (default 1800)")
    p.add_argument("--tee", action="store_true", help="echo the raw stream to stdout")
    p.add_argument("--out", default="build/bench", help="output directory (default build/bench)")
    p.add_argument("--name", help="output file names: NAME.json and so on (default forkbench,"
                   " or compare with --compare); a board run's label")
    p.add_argument("--print", action="store_true", help="print the markdown report at the end")
    args = p.parse_args(argv)
    if args.name is None:
        args.name = "compare" if args.compare else "forkbench"
    if not args.name or "/" in args.name or args.name.startswith("."):
        p.error("--name must be a plain file name")
    if args.compare and len(args.compare) < 2:
        p.error("--compare needs two runs or more")
    return args


def main(argv=None):
    args = parse_args(argv)
    try:
        if args.compare:
            files = compare(args.compare, args.name)
        else:
            files = render_all(collect(args), args.name)
        write_all(args.out, files)
    except BenchError as e:
        sys.stderr.write("forkbench_report: error: %s\n" % e)
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("forkbench_report: interrupted, nothing written\n")
        return 130
    if args.print:
        sys.stdout.write(files[args.name + ".md"].decode())
        sys.stdout.flush()
    if args.log is None and not args.compare:
        note("wrote %s/%s.{json,csv,md,png}" % (args.out, args.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
