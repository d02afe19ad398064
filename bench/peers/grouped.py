#!/usr/bin/python3
"""Reference peers for the mvc benchmark: ZipNN's two lossless methods, re-implemented small.

  byte-grouped zstd  (ZipNN, "ZipNN: Lossless Compression for AI Models", 2024): every tensor's
      elements are split into byte planes (byte 0 of every element, byte 1, ...), so the
      exponent-carrying byte forms its own low-entropy stream; each plane is compressed with
      zstd level 3 and kept raw when zstd does not shrink it (ZipNN's "skip incompressible
      groups"). The safetensors JSON header is compressed with zstd as one more stream.
  XOR delta + byte-grouped zstd (ZipNN's checkpoint delta): a tensor that exists in the
      previous version with the same name, dtype and byte size is replaced by the XOR of its
      bits with the previous bits, then byte-grouped as above; other tensors are grouped in
      full. The first version has no previous one and is grouped in full.

Sizes count payload bytes plus 4 bytes of length per stored stream (what a container needs
to find the streams again); nothing here writes files.

usage: grouped.py FILE...                        byte-grouped size of each file (JSON)
       grouped.py --xor PREV NEW                 XOR-delta size of NEW against PREV (JSON)
"""
import json
import struct
import sys
import time

import numpy as np
import zstandard

WIDTH = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "F8_E4M3": 1, "F8_E5M2": 1,
         "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "U16": 2, "U32": 4, "U64": 8, "BOOL": 1}
UINT = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}
STREAM_OVERHEAD = 4
LEVEL = 3


def load(path):
    """Returns (header_bytes, {name: (dtype, data_bytes)}) of a safetensors file."""
    with open(path, "rb") as fh:
        buf = fh.read()
    if len(buf) < 8:
        raise ValueError(f"{path}: too short for a safetensors header")
    n = struct.unpack("<Q", buf[:8])[0]
    if n > len(buf) - 8:
        raise ValueError(f"{path}: header length {n} exceeds file size {len(buf)}")
    hdr = json.loads(buf[8:8 + n])
    base = 8 + n
    tensors = {}
    for name, v in hdr.items():
        if name == "__metadata__":
            continue
        a, b = v["data_offsets"]
        tensors[name] = (v["dtype"], buf[base + a:base + b])
    return buf[:base], tensors


def _stream(cctx, data):
    if not data:
        return 0
    return min(len(cctx.compress(data)), len(data)) + STREAM_OVERHEAD


def grouped_bytes(cctx, dtype, data):
    """Byte-grouped zstd size of one tensor's raw bytes."""
    w = WIDTH.get(dtype, 1)
    if w == 1 or len(data) % w:
        return _stream(cctx, data)
    planes = np.frombuffer(data, dtype=np.uint8).reshape(-1, w)
    return sum(_stream(cctx, np.ascontiguousarray(planes[:, i]).tobytes()) for i in range(w))


def xor_bytes(cctx, dtype, data, prev):
    w = WIDTH.get(dtype, 1)
    if len(data) % w:
        w = 1
    x = np.frombuffer(data, dtype=UINT[w]) ^ np.frombuffer(prev, dtype=UINT[w])
    return grouped_bytes(cctx, dtype, x.tobytes())


def file_grouped(path):
    cctx = zstandard.ZstdCompressor(level=LEVEL)
    header, tensors = load(path)
    return _stream(cctx, header) + sum(grouped_bytes(cctx, dt, d) for dt, d in tensors.values())


def file_xor(prev_path, path):
    """ZipNN delta of `path` against `prev_path` (None: no previous version)."""
    if prev_path is None:
        return file_grouped(path)
    cctx = zstandard.ZstdCompressor(level=LEVEL)
    header, tensors = load(path)
    _, prev = load(prev_path)
    total = _stream(cctx, header)
    for name, (dt, data) in tensors.items():
        p = prev.get(name)
        if p is not None and p[0] == dt and len(p[1]) == len(data):
            total += xor_bytes(cctx, dt, data, p[1])
        else:
            total += grouped_bytes(cctx, dt, data)
    return total


def main(argv):
    t0 = time.perf_counter()
    if argv and argv[0] == "--xor":
        if len(argv) != 3:
            sys.exit("usage: grouped.py --xor PREV NEW")
        out = {"method": "xor+byte-grouped zstd", "prev": argv[1], "file": argv[2],
               "bytes": file_xor(argv[1], argv[2])}
    elif argv:
        out = {"method": "byte-grouped zstd",
               "files": {p: file_grouped(p) for p in argv}}
    else:
        sys.exit(__doc__)
    out["seconds"] = time.perf_counter() - t0
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
