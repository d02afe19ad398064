#!/usr/bin/env python3
"""The exponent-conditioned floor of ../shared/tools/bounds.py beside the same floor with
the Miller-Madow correction of each plug-in entropy: + (K - 1) / (2 N ln 2) bits for K
cells in use among N symbols. A plug-in entropy is biased low on small tensors (it counts
the sample's own noise as structure); the corrected figure shows how much of a gap to the
floor is that bias, which no coder can undercut.

A third figure counts the two low mantissa bytes of F32 tensors at 8 bits each when they
pass a chi-square test of uniformity (statistic below the 99.9% point of chi2(255), on
tensors of 5120+ elements; smaller tensors' bytes are counted at 8 bits too, as the test
has no power there): a byte that is uniform costs every coder 8 bits on average, however
far below 8 its plug-in entropy reads on a small tensor.

    /usr/bin/python3 bench/floor_bias.py ../shared/data/models/capp_gpt2_tiny.safetensors
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "tools"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared", "tools"))
import bounds  # noqa: E402

LN2 = np.log(2)


def corrected_entropy(arr):
    """Total bits: plug-in entropy plus the Miller-Madow term."""
    if arr.size == 0:
        return 0.0
    _, counts = np.unique(arr, return_counts=True)
    return bounds.H(arr) + (len(counts) - 1) / (2 * LN2)


def corrected_conditional(ctx, sym, nsym):
    if sym.size == 0:
        return 0.0
    joint = ctx.astype(np.int64) * nsym + sym.astype(np.int64)
    return corrected_entropy(joint) - corrected_entropy(ctx)


def corrected_floor(dt, u):
    """bounds.cond_floor with every entropy corrected."""
    if dt == "BF16":
        return corrected_entropy(u >> 7) + corrected_conditional(u >> 7, u & 0x7F, 128)
    if dt == "F16":
        return corrected_entropy(u >> 10) + corrected_conditional(u >> 10, u & 0x3FF, 1024)
    if dt == "F32":
        se = u >> 23
        m = u & 0x7FFFFF
        return (corrected_entropy(se) + corrected_conditional(se, m >> 16, 128) +
                corrected_entropy((m >> 8) & 0xFF) + corrected_entropy(m & 0xFF))
    return sum(corrected_entropy(p) for p in bounds.planes(u))


# The 99.9% point of the chi-square distribution with 255 degrees of freedom.
CHI2_255_999 = 330.5


def uniform_low_bytes_floor(dt, u):
    """bounds.cond_floor with F32's two low mantissa bytes at 8 bits where they look uniform."""
    floor = bounds.cond_floor(dt, u)
    if dt != "F32" or u.size == 0:
        return floor, 0, 0
    uniform = 0
    for plane in ((u >> 8) & 0xFF, u & 0xFF):
        counts = np.bincount(plane, minlength=256)
        expected = u.size / 256
        chi2 = ((counts - expected) ** 2 / expected).sum()
        if u.size < 5120 or chi2 < CHI2_255_999:
            floor += 8 * u.size - bounds.H(plane)
            uniform += 1
    return floor, uniform, 2


def main():
    for path in sys.argv[1:]:
        buf, tensors = bounds.load(path)
        floor = corrected = uniform_floor = 0.0
        uniform = planes = 0
        for _, (dt, _, data) in tensors.items():
            u = bounds.uview(dt, data)
            floor += bounds.cond_floor(dt, u) / 8
            corrected += min(corrected_floor(dt, u) / 8, len(data))
            f, k, p = uniform_low_bytes_floor(dt, u)
            uniform_floor += f / 8
            uniform += k
            planes += p
        print(f"{path}: cond floor {100 * floor / len(buf):.2f}%  "
              f"Miller-Madow corrected {100 * corrected / len(buf):.2f}%  "
              f"low F32 bytes at 8 bits {100 * uniform_floor / len(buf):.2f}% "
              f"({uniform} of {planes} low byte planes uniform)")


if __name__ == "__main__":
    main()
