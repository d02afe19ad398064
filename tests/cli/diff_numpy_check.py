#!/usr/bin/env python3
"""Independent check of `mvc diff --json` against numpy (tests/cli/diff_test.cc).

usage: diff_numpy_check.py DIFF_JSON FILE_A FILE_B [--html PAGE] [--partial]

Reads both safetensors files with numpy (its own parser, not mvc's), recomputes every
per-tensor metric in float64 (pairs where either value is NaN/Inf are left out of the
norms; "changed" compares bits), regroups the layers and checks the summary, all to
1e-9 relative. --partial: the diff was filtered, so not every tensor is listed.
--html: also checks the page is well-formed HTML with one class="l2" bar per layer and
no external resources. Exit 0 when everything matches; otherwise prints what differs.
"""
import html.parser
import json
import math
import struct
import sys

import numpy as np

RTOL = 1e-9
errors = []


def close(x, y):
    if x is None or y is None:
        return x is y
    if x == y:
        return True
    return abs(x - y) <= RTOL * max(abs(x), abs(y))


def check(what, got, want):
    if not close(got, want):
        errors.append(f"{what}: mvc {got!r}, numpy {want!r}")


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    base = 8 + n
    return {name: (e["dtype"], tuple(e["shape"]), data[base + e["data_offsets"][0]:base + e["data_offsets"][1]])
            for name, e in header.items()}


def e4m3_table():
    # Built from the bit fields (bias 7, no infinities, S.1111.111 = NaN).
    t = np.empty(256, dtype=np.float64)
    for v in range(256):
        s = -1.0 if v & 0x80 else 1.0
        e, m = (v >> 3) & 0xF, v & 7
        if e == 15 and m == 7:
            t[v] = np.nan
        elif e == 0:
            t[v] = s * (m / 8.0) * 2.0 ** -6
        else:
            t[v] = s * (1 + m / 8.0) * 2.0 ** (e - 7)
    return t


BITS = {"F64": np.uint64, "F32": np.uint32, "F16": np.uint16, "BF16": np.uint16, "F8_E4M3": np.uint8,
        "F8_E5M2": np.uint8, "I64": np.uint64, "I32": np.uint32, "I16": np.uint16, "I8": np.uint8, "U8": np.uint8,
        "BOOL": np.uint8}


def values(dtype, raw):
    if dtype == "F64":
        return np.frombuffer(raw, "<f8").astype(np.float64)
    if dtype == "F32":
        return np.frombuffer(raw, "<f4").astype(np.float64)
    if dtype == "F16":
        return np.frombuffer(raw, "<f2").astype(np.float64)
    if dtype == "BF16":
        return (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view("<f4").astype(np.float64)
    if dtype == "F8_E5M2":  # the high byte of an IEEE half
        return (np.frombuffer(raw, np.uint8).astype(np.uint16) << 8).view("<f2").astype(np.float64)
    if dtype == "F8_E4M3":
        return e4m3_table()[np.frombuffer(raw, np.uint8)]
    if dtype == "BOOL":
        return (np.frombuffer(raw, np.uint8) != 0).astype(np.float64)
    ints = {"I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1", "U8": "u1"}
    return np.frombuffer(raw, ints[dtype]).astype(np.float64)


def rel_l2(sd, sa):
    if sa > 0:
        return math.sqrt(sd / sa)
    return 0.0 if sd == 0 else None  # mvc writes null for +inf


def tensor_metrics(dtype, ra, rb):
    bits_a = np.frombuffer(ra, BITS[dtype])
    bits_b = np.frombuffer(rb, BITS[dtype])
    a, b = values(dtype, ra), values(dtype, rb)
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok], b[ok]
    d = b - a
    m = {"elements_changed": int(np.count_nonzero(bits_a != bits_b)), "nonfinite": int(np.count_nonzero(~ok)),
         "sum_sq_a": float(np.dot(a, a)), "sum_sq_b": float(np.dot(b, b)), "sum_sq_delta": float(np.dot(d, d)),
         "dot": float(np.dot(a, b)), "max_abs_delta": float(np.max(np.abs(d))) if d.size else 0.0}
    m["rel_l2"] = rel_l2(m["sum_sq_delta"], m["sum_sq_a"])
    if m["sum_sq_a"] > 0 and m["sum_sq_b"] > 0:
        m["cosine"] = max(-1.0, min(1.0, m["dot"] / (math.sqrt(m["sum_sq_a"]) * math.sqrt(m["sum_sq_b"]))))
    else:
        m["cosine"] = 1.0 if m["sum_sq_a"] == 0 and m["sum_sq_b"] == 0 else 0.0
    n = bits_a.size
    m["changed_fraction"] = m["elements_changed"] / n if n else 0.0
    return m


class PageChecker(html.parser.HTMLParser):
    VOID = {"meta", "br", "img", "hr", "input", "link", "rect", "path", "line", "circle"}

    def __init__(self):
        super().__init__()
        self.stack, self.l2_bars, self.frac_bars, self.problems = [], 0, 0, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("src", "href"):
            if key in a:
                self.problems.append(f"external resource <{tag} {key}={a[key]!r}>")
        if tag in ("script", "link", "iframe", "img"):
            self.problems.append(f"<{tag}> in a self-contained page")
        if tag == "rect":
            self.l2_bars += a.get("class") == "l2"
            self.frac_bars += a.get("class") == "frac"
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in self.VOID and tag not in self.stack:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> does not close <{self.stack[-1] if self.stack else 'nothing'}>")
            return
        self.stack.pop()


def main(argv):
    args = [x for x in argv[1:] if not x.startswith("--")]
    partial = "--partial" in argv
    page = argv[argv.index("--html") + 1] if "--html" in argv else None
    if page in args:
        args.remove(page)
    diff_path, file_a, file_b = args
    with open(diff_path) as f:
        diff = json.load(f)
    ta, tb = read_safetensors(file_a), read_safetensors(file_b)

    listed = set()
    layers = {}
    for t in diff["tensors"]:
        name = t["name"]
        listed.add(name)
        a, b = ta.get(name), tb.get(name)
        if a is None and b is None:
            errors.append(f"{name}: in neither file")
            continue
        if b is None:
            want = "removed"
        elif a is None:
            want = "added"
        elif a[0] != b[0]:
            want = "dtype_changed"
        elif a[1] != b[1]:
            want = "shape_changed"
        else:
            want = "unchanged" if a[2] == b[2] else "changed"
        if t["status"] != want:
            errors.append(f"{name}: status {t['status']}, want {want}")
            continue
        lay = layers.setdefault(t["layer"], {"tensors": 0, "tensors_changed": 0, "tensors_structural": 0,
                                             "elements": 0, "elements_changed": 0, "sum_sq_a": 0.0,
                                             "sum_sq_delta": 0.0, "max_abs_delta": 0.0, "delta_bytes": 0})
        lay["tensors"] += 1
        lay["delta_bytes"] += t["delta_bytes"]
        lay["tensors_changed"] += want != "unchanged"
        lay["tensors_structural"] += want not in ("unchanged", "changed")
        src = b if b is not None else a
        check(f"{name}: bytes", t["bytes"], len(src[2]))
        if want == "unchanged":
            n = len(b[2]) // np.dtype(BITS[b[0]]).itemsize
            lay["elements"] += n
            for k, v in (("rel_l2", 0.0), ("max_abs_delta", 0.0), ("changed_fraction", 0.0), ("cosine", 1.0),
                         ("delta_bytes", 0), ("elements_changed", 0)):
                check(f"{name}: {k}", t[k], v)
        elif want == "changed":
            m = tensor_metrics(a[0], a[2], b[2])
            for k, v in m.items():
                check(f"{name}: {k}", t[k], v)
            if t["delta_bytes"] <= 0:
                errors.append(f"{name}: changed but delta_bytes {t['delta_bytes']}")
            lay["elements"] += t["elements"]
            lay["elements_changed"] += m["elements_changed"]
            lay["sum_sq_a"] += m["sum_sq_a"]
            lay["sum_sq_delta"] += m["sum_sq_delta"]
            lay["max_abs_delta"] = max(lay["max_abs_delta"], m["max_abs_delta"])
        elif want == "removed":
            check(f"{name}: delta_bytes", t["delta_bytes"], 0)
        elif t["delta_bytes"] <= 0 and len(b[2]) > 0:
            errors.append(f"{name}: {want} but costs nothing")
    if not partial:
        for name in set(ta) | set(tb):
            if name not in listed:
                errors.append(f"{name}: not listed")

    # Layers: same groups, same aggregates, most changed first.
    got_layers = {l["name"]: l for l in diff["layers"]}
    if set(got_layers) != set(layers):
        errors.append(f"layers differ: {sorted(set(got_layers) ^ set(layers))}")
    for name, want in layers.items():
        got = got_layers.get(name)
        if got is None:
            continue
        want["rel_l2"] = rel_l2(want["sum_sq_delta"], want["sum_sq_a"])
        want["changed_fraction"] = want["elements_changed"] / want["elements"] if want["elements"] else 0.0
        for k, v in want.items():
            check(f"layer {name}: {k}", got[k], v)

    def key(l):
        r = math.inf if l["rel_l2"] is None else l["rel_l2"]
        return (l["tensors_structural"] == 0, -r, -l["changed_fraction"], l["name"])

    if [l["name"] for l in diff["layers"]] != [l["name"] for l in sorted(diff["layers"], key=key)]:
        errors.append("layers are not sorted most changed first")

    s = diff["summary"]
    changed = [t for t in diff["tensors"] if t["status"] == "changed" and t["rel_l2"] is not None]
    check("summary tensors", s["tensors"], len(diff["tensors"]))
    check("summary tensors_changed", s["tensors_changed"], sum(t["status"] != "unchanged" for t in diff["tensors"]))
    check("summary mean_rel_l2", s["mean_rel_l2"], sum(t["rel_l2"] for t in changed) / len(changed) if changed else 0.0)
    check("summary delta_bytes", s["delta_bytes"], sum(t["delta_bytes"] for t in diff["tensors"]))

    if page:
        p = PageChecker()
        with open(page, encoding="utf-8") as f:
            text = f.read()
        if not text.startswith("<!DOCTYPE html>"):
            errors.append("page: no doctype")
        p.feed(text)
        p.close()
        errors.extend("page: " + x for x in p.problems)
        if p.stack:
            errors.append(f"page: unclosed {p.stack}")
        if p.l2_bars != len(diff["layers"]) or p.frac_bars != len(diff["layers"]):
            errors.append(f"page: {p.l2_bars} l2 and {p.frac_bars} frac bars for {len(diff['layers'])} layers")

    for e in errors[:50]:
        print(e)
    if errors:
        print(f"{len(errors)} mismatches")
        return 1
    print(f"ok: {len(diff['tensors'])} tensors, {len(diff['layers'])} layers match numpy to {RTOL}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
