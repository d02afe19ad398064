#!/usr/bin/python3
"""Copy a real safetensors file with exactly one tensor changed (the "one changed tensor"
workload of bench/run.sh).

The chosen tensor is scaled by (1 + 1e-3) in float32 and rounded back to its dtype
(round-to-nearest-even for BF16), the way a small optimizer step touches every element of
one layer; every other byte of the file, header included, is copied unchanged. Deterministic:
the same input gives the same output, no random numbers.

usage: perturb_tensor.py SRC DST [--tensor NAME]
  default tensor: the median-sized float tensor of at least 1024 elements.
Prints one JSON line: {"tensor": NAME, "dtype": ..., "bytes": N}.
"""
import argparse
import json
import struct
import sys

import numpy as np

FLOATS = {"F32": np.float32, "F16": np.float16, "F64": np.float64}
WIDTH = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2}


def perturb(raw, dtype):
    if dtype == "BF16":
        bits = np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16
        x = bits.view(np.float32) * np.float32(1.001)
        u = x.view(np.uint32)
        # round to nearest even on the 16 dropped bits (finite values only; NaN/inf keep bits)
        rounded = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
        keep = ~np.isfinite(x)
        out = np.where(keep, u >> 16, rounded).astype(np.uint16)
        return out.tobytes()
    a = np.frombuffer(raw, dtype=FLOATS[dtype])
    return (a.astype(np.float32) * np.float32(1.001)).astype(FLOATS[dtype]).tobytes()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--tensor")
    args = ap.parse_args()
    with open(args.src, "rb") as fh:
        buf = bytearray(fh.read())
    n = struct.unpack("<Q", bytes(buf[:8]))[0]
    if n > len(buf) - 8:
        sys.exit(f"perturb_tensor: {args.src}: header length {n} exceeds file size")
    hdr = json.loads(bytes(buf[8:8 + n]))
    base = 8 + n
    cands = [(k, v) for k, v in hdr.items() if k != "__metadata__" and v["dtype"] in WIDTH
             and (v["data_offsets"][1] - v["data_offsets"][0]) // WIDTH[v["dtype"]] >= 1024]
    if args.tensor:
        cands = [(k, v) for k, v in cands if k == args.tensor]
        if not cands:
            sys.exit(f"perturb_tensor: {args.src}: no float tensor named {args.tensor}")
    if not cands:
        sys.exit(f"perturb_tensor: {args.src}: no float tensor of >= 1024 elements")
    cands.sort(key=lambda kv: (kv[1]["data_offsets"][1] - kv[1]["data_offsets"][0], kv[0]))
    name, info = cands[len(cands) // 2]
    a, b = info["data_offsets"]
    new = perturb(bytes(buf[base + a:base + b]), info["dtype"])
    assert len(new) == b - a
    buf[base + a:base + b] = new
    with open(args.dst, "wb") as fh:
        fh.write(buf)
    print(json.dumps({"tensor": name, "dtype": info["dtype"], "bytes": b - a}))


if __name__ == "__main__":
    main()
