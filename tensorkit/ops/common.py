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
        as_matrix = g.ndim == 2 and len(shape) == 1       # (rows, bias) already
        if g.dtype.kind == "f" and (as_matrix or g.flags.c_contiguous):
            # a row of ones times the (rows, bias) matrix: BLAS sums columns 2-10x faster
            # than g.sum(axis=0) does (shared/PERFORMANCE.md)
            rows = g if as_matrix else g.reshape(-1, math.prod(shape))
            return (_ones(array_module(g), rows.shape[0], g.dtype) @ rows).reshape(shape)
        return g.sum(axis=tuple(range(lead)))
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and g.shape[lead + i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


_ONES = {}


def _ones(xp, n, dtype):
    """A vector of n ones, made once (allocating it would cost as much as the sum)."""
    key = (xp.__name__, n, dtype)
    ones = _ONES.get(key)
    if ones is None:
        if len(_ONES) >= 64:
            _ONES.clear()
        ones = _ONES[key] = xp.ones(n, dtype=dtype)
    return ones


def expand_reduced(g, shape, axis):
    """Give a reduction's gradient its reduced axes back as size 1, ready to broadcast.

    Works whether or not the reduction kept its dims.
    """
    full = list(shape)
    for a in normalize_axes(axis, len(shape)):
        full[a] = 1
    return g.reshape(full)
