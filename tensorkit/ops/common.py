"""What every op table shares: undoing broadcasting, and expanding reduced gradients."""

import math

from ..backend import array_module
from ..shapes import normalize_axes


def unbroadcast(g, shape):
    """Sum `g` down to `shape`: the one place a VJP undoes NumPy broadcasting.

    >>> import numpy as np
    >>> unbroadcast(np.ones((4, 2, 3)), (2, 1)).tolist()
    [[12.0], [12.0]]
    """
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    if g.shape[lead:] == shape:                       # only added leading axes: as a bias's
        rows = math.prod(g.shape[:lead])
        if rows >= 128 and g.dtype.kind == "f" and g.flags.c_contiguous:
            # a row of ones times the (rows, bias) matrix: BLAS sums tall columns up to
            # 9x faster than g.sum(axis=0) does (shared/PERFORMANCE.md); for a few rows
            # the call costs more than it saves
            rows = g.reshape(rows, -1)
            ones = array_module(g).ones((1, rows.shape[0]), dtype=g.dtype)
            return (ones @ rows).reshape(shape)
        return g.sum(axis=tuple(range(lead)))
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and g.shape[lead + i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def expand_reduced(g, shape, axis):
    """Give a reduction's gradient its reduced axes back as size 1, ready to broadcast.

    Works whether or not the reduction kept its dims.
    """
    full = list(shape)
    for a in normalize_axes(axis, len(shape)):
        full[a] = 1
    return g.reshape(full)
