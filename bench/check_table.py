#!/usr/bin/python3
"""Checks that a bench/run.sh results.md is well formed: every workload section has a table
whose header names the columns, whose rows have as many cells as the header, and which has
an mvc row and a floor row; with --require-mvc the mvc row must give a number for stored %.

usage: check_table.py RESULTS_MD [--require-mvc]     exit 0 when well formed, 1 otherwise
"""
import re
import sys

HEADER = ["method", "stored", "% of raw", "last added", "write MB/s", "read MB/s", "peak RSS MiB", "notes"]


def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def check(text, require_mvc):
    errors, tables = [], 0
    sections = re.split(r"^## ", text, flags=re.M)[1:]
    if not sections:
        return ["no workload section (## ...) found"]
    for sec in sections:
        name = sec.splitlines()[0]
        rows = [l for l in sec.splitlines() if l.startswith("|")]
        if len(rows) < 3 or cells(rows[0]) != HEADER or not set(rows[1]) <= set("|-: "):
            errors.append(f"{name}: missing or malformed table header")
            continue
        tables += 1
        body = {cells(r)[0]: cells(r) for r in rows[2:]}
        for method, c in body.items():
            if len(c) != len(HEADER):
                errors.append(f"{name}: row '{method}' has {len(c)} cells, header has {len(HEADER)}")
        for need in ("mvc", "zstd -3", "floor"):
            if need not in body:
                errors.append(f"{name}: no '{need}' row")
        mvc = body.get("mvc")
        if mvc and len(mvc) == len(HEADER):
            pct = mvc[2]
            if require_mvc and not re.fullmatch(r"\d+(\.\d+)?", pct):
                errors.append(f"{name}: mvc row has no number for % of raw ('{pct}'; note: {mvc[-1]})")
            elif not require_mvc and not re.fullmatch(r"\d+(\.\d+)?|n/a", pct):
                errors.append(f"{name}: mvc row % of raw is neither a number nor n/a ('{pct}')")
            if require_mvc and "NOT BYTE-EXACT" in mvc[-1]:
                errors.append(f"{name}: mvc checkout was not byte-exact ({mvc[-1]})")
    return errors


def main(argv):
    if not argv:
        sys.exit(__doc__)
    text = open(argv[0]).read()
    errors = check(text, "--require-mvc" in argv[1:])
    for e in errors:
        print(f"check_table: {argv[0]}: {e}", file=sys.stderr)
    if errors:
        sys.exit(1)
    print(f"check_table: {argv[0]}: ok")


if __name__ == "__main__":
    main(sys.argv[1:])
