"""Sorting: sort, argsort and top_k.

Ties keep their order, so the indices are the same everywhere: sort and argsort are
NumPy's kind="stable", top_k takes the lower index first (TF's rule). A sorted value's
gradient goes back to the place the value came from; indices carry none.
"""

import numpy

from ..errors import ShapeError
from ..tensor import Tensor, defop, tensor
from .reductions import _scan_shape as _sort_shape  # the shape stays; None flattens

__all__ = ["sort", "argsort", "top_k"]


def _index_dtype(*_, **__):
    return numpy.dtype(numpy.int32)


def _along(x, axis):
    """(x, axis) to sort along: the flattened x for axis=None, as NumPy."""
    return (x.reshape(-1), 0) if axis is None else (x, axis)


def _sort(xp, x, axis):
    x, axis = _along(x, axis)
    order = xp.argsort(x, axis=axis, kind="stable")
    return xp.take_along_axis(x, order, axis=axis), order       # the order, for the VJP


def _sort_vjp(xp, g, out, x, axis, saved):
    # the inverse permutation puts each value's gradient back where the value came from
    g, axis = _along(g, axis)
    return xp.take_along_axis(g, xp.argsort(saved, axis=axis), axis=axis).reshape(x.shape)


_sort_op = defop("sort", _sort_shape, _sort, _sort_vjp, saves=True)
_argsort = defop("argsort", _sort_shape,
                 lambda xp, x, axis: xp.argsort(*_along(x, axis), kind="stable")
                 .astype(numpy.int32), None,
                 dtype=_index_dtype)


def sort(x, axis=-1):
    """The values along `axis` in ascending order (NaN last), as ``numpy.sort``; with
    axis=None, of the flattened tensor. For descending order: ``-tk.sort(-x)``."""
    return _sort_op(x, axis=axis)


def argsort(x, axis=-1):
    """Where each value of ``sort(x, axis)`` came from (int32, no gradient). Ties keep
    their order, as NumPy's kind="stable"."""
    return _argsort(x, axis=axis)


# ---- top_k: the indices first, then the values they pick ----------------------------------
def _top_k_shape(x, k):
    """The last axis keeps its k largest entries.

    >>> _top_k_shape((None, 10), k=3)
    (None, 3)
    """
    if not x:
        raise ShapeError("top_k looks along the last axis, and a scalar has none.",
                         expected="a tensor with at least one axis",
                         fix="reshape it to a vector first: tk.reshape(x, (1,)).")
    if x[-1] is not None and k > x[-1]:
        raise ShapeError(f"k={k} is larger than the last axis, which has {x[-1]} entries.",
                         expected=f"k <= {x[-1]}, the size of the last axis",
                         fix=f"ask for at most k={x[-1]}; top_k looks along the last axis, so "
                             "to look along another, tk.moveaxis it to the end first.")
    return tuple(x[:-1]) + (k,)


def _top_k(xp, x, k):
    # largest first, ties by the lower index: a stable ascending sort of the reversed
    # axis, read backwards
    n = x.shape[-1]
    ascending = xp.argsort(x[..., ::-1], axis=-1, kind="stable")
    return (n - 1 - ascending[..., ::-1][..., :k]).astype(numpy.int32)


def _top_k_values_vjp(xp, g, out, x, indices):
    """Each value's gradient back to where it was picked (the k places are distinct)."""
    grad = xp.zeros(x.size, dtype=g.dtype)
    if g.size:
        n, k = x.shape[-1], indices.shape[-1]
        starts = xp.arange(0, x.size, n)[:, None]                # (rows, 1)
        grad[(starts + indices.reshape(-1, k)).reshape(-1)] = g.reshape(-1)
    return grad.reshape(x.shape)


def _last_unlabelled(shapes, dims, **_):
    return tuple(dims[0][:-1]) + (None,)


_top_k_op = defop("top_k", _top_k_shape, _top_k, None, dims=_last_unlabelled,
                  dtype=_index_dtype)
_top_k_values = defop("top_k_values", lambda x, indices: tuple(indices),
                      lambda xp, x, indices: xp.take_along_axis(x, indices, axis=-1),
                      _top_k_values_vjp, None, dims=_last_unlabelled,
                      dtype=lambda x, indices: x)


def top_k(x, k=1, sorted=True):
    """The k largest entries along the last axis, and their indices, as TF's
    ``tf.math.top_k`` (TF.js ``tf.topk``): ``values, indices = tk.top_k(x, k)``.

    Values come largest first, ties by the lower index (as TF); indices are int32 and
    carry no gradient; the values' gradient goes back to the picked places. `sorted` is
    TF's argument: the order is the same either way (TF leaves it open for False).

    >>> import tensorkit as tk
    >>> values, indices = tk.top_k(tk.tensor([1.0, 3.0, 2.0, 3.0]), k=2)
    >>> values.tolist(), indices.tolist()
    ([3.0, 3.0], [1, 3])
    """
    if isinstance(k, bool) or not isinstance(k, (int, numpy.integer)) or k < 0:
        raise ValueError(f"k must be a non-negative int, received: k={k!r}. Fix: pass how "
                         "many of the largest entries you want, e.g. k=5.")
    if not isinstance(sorted, (bool, numpy.bool_)):
        raise TypeError(f"sorted must be True or False, received: sorted={sorted!r}.")
    x = x if isinstance(x, Tensor) else tensor(x)
    indices = _top_k_op(x, k=int(k))
    return _top_k_values(x, indices), indices
