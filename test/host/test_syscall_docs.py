#!/usr/bin/env python3
"""docs/syscalls.md agrees with the system-call list in kernel/abi/syscall.h.

Checks, one line each:
  - the `## N name` headings name the same calls, with the same numbers, in the same
    order as the X(n, name, args, "...") entries of SYSCALLS();
  - every call's section has the labels **Arguments**, **Returns**, **Errors**,
    **Faults** and **Notes**;
  - every E_ code in kernel/abi/error.h (except E__COUNT) is named in the document.
Ends with "N passed, M failed" and exits 1 if anything failed.

Usage: test_syscall_docs.py [repository root]   (default: two levels above this file)
"""
import os
import re
import sys

LABELS = ("Arguments", "Returns", "Errors", "Faults", "Notes")

X_RE = re.compile(r'^\s*X\(\s*(\d+)\s*,\s*(\w+)\s*,\s*(\d+)\s*,\s*"[^"]*"\s*\)', re.M)
HEADING_RE = re.compile(r"^## (\d+) (\w+)\s*$", re.M)
ERR_RE = re.compile(r"^\s*(E_\w+)\s*=", re.M)


def read(root, rel):
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        return f.read()


def parse_syscalls(text):
    return [(int(n), name) for n, name, _args in X_RE.findall(text)]


def parse_sections(doc):
    """[(number, name, section text)] for each `## N name` heading, in document order."""
    heads = list(HEADING_RE.finditer(doc))
    out = []
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(doc)
        # A section also ends at the next heading of level 1 or 2 that is not a call.
        rest = doc[m.end():end]
        stop = re.search(r"^#{1,2} ", rest, re.M)
        if stop:
            rest = rest[: stop.start()]
        out.append((int(m.group(1)), m.group(2), rest))
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(
        os.path.abspath(__file__)), "..", "..")
    calls = parse_syscalls(read(root, "kernel/abi/syscall.h"))
    doc = read(root, "docs/syscalls.md")
    errors = [e for e in ERR_RE.findall(read(root, "kernel/abi/error.h")) if e != "E__COUNT"]
    sections = parse_sections(doc)

    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print("%s: %s%s" % ("PASS" if ok else "FAIL", name, "" if ok or not detail else " (" + detail + ")"))

    check("syscall.h lists calls", len(calls) > 0, "no X(...) lines found")
    check("calls are numbered 0..N-1 in order",
          [n for n, _ in calls] == list(range(len(calls))), str([n for n, _ in calls]))

    heads = [(n, name) for n, name, _ in sections]
    missing = [c for c in calls if c not in heads]
    extra = [h for h in heads if h not in calls]
    check("every call has a `## N name` heading", not missing, "missing: %s" % missing)
    check("no heading names a call the list lacks", not extra, "extra: %s" % extra)
    check("headings are in the list's order", heads == calls,
          "first difference at %s" % next(
              (i for i, (a, b) in enumerate(zip(heads, calls)) if a != b),
              min(len(heads), len(calls))))

    for n, name, text in sections:
        absent = [l for l in LABELS if "**%s**" % l not in text]
        check("## %d %s has all five labels" % (n, name), not absent, "missing: %s" % absent)

    check("error.h lists codes", len(errors) > 0, "no E_ names found")
    for e in errors:
        check("%s is documented" % e, re.search(r"\b%s\b" % re.escape(e), doc) is not None)

    passed = sum(1 for r in results if r)
    failed = len(results) - passed
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
