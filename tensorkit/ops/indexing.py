"""Indexing ops: getitem (ints, slices, None, Ellipsis, integer arrays, boolean masks),
take/gather (the embedding lookup), one_hot.

getitem keeps its index in the node's attrs (arrays stay arrays), so its shape rule sees
the index and works out the output shape the way NumPy does, also for symbolic tensors.
take/gather and one_hot take their indices as a tensor input instead, so a model's graph
shows the ids flowing in and works before any ids exist. VJPs put `g` back where the
values came from, adding up where an index repeats.
"""

import numpy

from .. import backend
from ..errors import DTypeError, ShapeError, SymbolicTensorError, format_shape
from ..graph import STATE
from ..shapes import broadcast_shapes, normalize_axis
from ..tensor import Tensor, as_dtype, defop, tensor, to_array

__all__ = ["getitem", "take", "gather", "one_hot", "index_shape"]


def _is_array(item):
    return hasattr(item, "dtype") and hasattr(item, "shape")


def _on(xp, index):
    """The index with its arrays on the device of module `xp`."""
    def move(item):
        if not _is_array(item):
            return item
        return backend.to_device(item, "cpu") if xp is numpy else xp.asarray(item)
    return tuple(move(item) for item in index)


def _fail(op, tensors, err):
    """A ShapeError raised outside a shape rule, placed at its op like the engine does."""
    return err.at(op, tuple(t.shape for t in tensors), [t.dims for t in tensors],
                  STATE.layers[-1] if STATE.layers else None)


def _range_error(bad, n, axis):
    return ShapeError(f"index {bad} is out of range for axis {axis} of size {n}.",
                      expected=f"an index from {-n} to {n - 1}" if n else
                      "no index: the axis is empty",
                      fix=f"indices count from 0, so the last element of axis {axis} is {n - 1} "
                          "(or -1)." if n else "check how the empty axis came about.")


# ---- getitem: the shape rule --------------------------------------------------------------
def _expand(shape, index):
    """The index with `...` (and the axes left over at the end) as full slices.

    Each item keeps its place in the index: NumPy calls advanced indices side by side only
    if nothing, not even a `...` that stands for no axes, comes between them.
    """
    if sum(item is Ellipsis for item in index) > 1:
        raise ShapeError("an index can only have a single ellipsis ('...').",
                         expected="at most one ... in an index",
                         fix="keep one ...; it stands for as many full slices as needed.")
    used = sum(0 if item is None or item is Ellipsis else
               item.ndim if _is_array(item) and item.dtype == bool else 1 for item in index)
    if used > len(shape):
        raise ShapeError(f"too many indices: the tensor has rank {len(shape)}, but {used} "
                         "axes were indexed.",
                         expected=f"at most {len(shape)} indices (None adds an axis without "
                                  "using one)",
                         fix=f"index at most {len(shape)} axes; check the order of the axes "
                             "(x.shape), or use x[..., i] for the last axis.")
    out = []                                       # (item, its place in the index)
    for pos, item in enumerate(index):
        out.extend([(slice(None), pos)] * (len(shape) - used) if item is Ellipsis else
                   [(item, pos)])
    if not any(item is Ellipsis for item in index):
        out.extend([(slice(None), len(index))] * (len(shape) - used))
    return out


def _plan(shape, index):
    """(size, input axis whose label it keeps or None) for each output axis."""
    items = _expand(shape, index)
    advanced = any(_is_array(item) for item, _ in items)
    out, adv_shapes, adv_axes, adv_pos = [], [], [], []
    axis = 0
    for item, pos in items:
        if item is None:
            out.append((1, None))
            continue
        n = shape[axis]
        if isinstance(item, slice):
            if item.step == 0:
                raise ShapeError("slice step cannot be zero.", expected="a non-zero step",
                                 fix="use step 1 for every element, -1 to reverse.")
            out.append((None if n is None else len(range(*item.indices(n))), axis))
            axis += 1
            continue
        if _is_array(item) and item.dtype == bool:
            covered = shape[axis:axis + item.ndim]
            if any(m is not None and m != k for m, k in zip(covered, item.shape)):
                raise ShapeError(
                    f"the boolean mask has shape {format_shape(item.shape)}, but the axes "
                    f"{axis}..{axis + item.ndim - 1} it covers have sizes "
                    f"{format_shape(covered)}.",
                    expected=f"a mask of shape {format_shape(covered)}",
                    fix="build the mask from the same tensor (x[x > 0]), or place it on the "
                        "axes it was made for (x[:, mask] masks axis 1).")
            adv_shapes.append((int(item.sum()),))
            adv_axes.append(axis if item.ndim == 1 else None)
            axis += item.ndim
        else:
            if n is not None:
                if _is_array(item):
                    if item.size:
                        lo, hi = int(item.min()), int(item.max())
                        if hi >= n or lo < -n:
                            raise _range_error(hi if hi >= n else lo, n, axis)
                elif not -n <= item < n:
                    raise _range_error(item, n, axis)
            axis += 1
            if not advanced:
                continue                           # an int index drops its axis
            adv_shapes.append(tuple(item.shape) if _is_array(item) else ())
            adv_axes.append(axis - 1 if _is_array(item) and item.ndim == 1 else None)
        adv_pos.append(pos)
        out.append("advanced")
    if not advanced:
        return out
    try:
        block = broadcast_shapes(*adv_shapes)
    except ShapeError:
        raise ShapeError(
            "shape mismatch: indexing arrays could not be broadcast together with shapes "
            f"{' '.join(format_shape(s) for s in adv_shapes)}.",
            expected="index arrays whose shapes broadcast (equal, or 1 where they differ)",
            fix="give the index arrays one shape, or use x[rows][:, cols] to pick rows, "
                "then columns.") from None
    arrays = [a for a, s in zip(adv_axes, adv_shapes) if s != ()]
    label = arrays[0] if len(arrays) == 1 and len(block) == 1 else None
    block = [(n, label) for n in block]
    rest = [entry for entry in out if entry != "advanced"]
    if adv_pos == list(range(adv_pos[0], adv_pos[0] + len(adv_pos))):
        at = out.index("advanced")                 # side by side: the result goes there
        return rest[:at] + block + rest[at:]
    return block + rest                            # apart: NumPy puts the result first


def index_shape(x, index):
    """The shape of ``x[index]`` for an index already normalised by getitem.

    >>> index_shape((None, 28, 28), (slice(None), 0))
    (None, 28)
    >>> import numpy as np
    >>> index_shape((5, 4, 3), (np.array([0, 2]), slice(None), np.array([1, 1])))
    (2, 4)
    """
    return tuple(n for n, _ in _plan(x, index))


def _getitem_vjp(xp, g, out, x, index):
    index = _on(xp, index)
    gx = xp.zeros(x.shape, dtype=g.dtype)
    if any(_is_array(i) and i.dtype != bool for i in index):
        xp.add.at(gx, index, g)                    # repeated indices add up
    else:
        gx[index] = g
    return gx


_getitem = defop("getitem", index_shape, lambda xp, x, index: x[_on(xp, index)], _getitem_vjp,
                 dims=lambda shapes, dims, index: tuple(
                     None if a is None else dims[0][a] for _, a in _plan(shapes[0], index)))


def _index_item(item):
    """One index item as int, slice, None, Ellipsis or an int/bool array."""
    if item is None or item is Ellipsis:
        return item
    if isinstance(item, slice):
        return slice(*(None if v is None else _index_int(v) for v in
                       (item.start, item.stop, item.step)))
    if isinstance(item, (bool, numpy.bool_)):
        return numpy.asarray(bool(item))
    if isinstance(item, (int, numpy.integer)):
        return int(item)
    if isinstance(item, Tensor):
        arr = item._need_data("indexing with a tensor")
    elif _is_array(item):
        arr = item
    elif isinstance(item, (list, tuple)):
        arr = numpy.asarray(item)
        if arr.size == 0:
            arr = arr.astype(numpy.intp)           # x[[]] picks nothing
        elif arr.dtype == object:
            raise DTypeError(f"cannot index with {item!r:.60}: an index list must hold "
                             "integers or booleans, in a rectangular block.")
    else:
        raise DTypeError(_int_message(f"{type(item).__name__} {item!r:.40}",
                                      "x[int(i)], or x[n // 2] instead of x[n / 2]"))
    if arr.dtype.kind == "b":
        return arr
    if arr.dtype.kind in "iu":
        return int(arr) if arr.ndim == 0 else arr
    raise DTypeError(_int_message(arr.dtype, "idx.astype('int32')"))


def _int_message(got, fix):
    return (f"indices must be integers, got {got}; fix: {fix}. (An index counts positions, "
            "so it is never rounded for you.)")


def _index_int(v):
    if isinstance(v, (int, numpy.integer)) and not isinstance(v, bool):
        return int(v)
    if isinstance(v, Tensor) and v.dtype.kind in "iu" and v.shape == ():
        return int(v)
    raise DTypeError(_int_message(type(v).__name__ if not isinstance(v, Tensor) else
                                  f"a {v.dtype} tensor of shape {format_shape(v.shape)}",
                                  "slice with Python ints, e.g. x[1:3] or "
                                  "x[:n // 2] instead of x[:n / 2]"))


def getitem(x, index):
    """``x[index]`` as NumPy does it; gradients flow back to the picked elements."""
    if isinstance(index, Tensor) and index.dtype.kind in "iu" and index.shape != ():
        return take(x, index, axis=0)              # x[ids]: also works on symbolic ids
    items = index if isinstance(index, tuple) else (index,)
    for item in items:
        if isinstance(item, Tensor) and item.data is None:
            raise SymbolicTensorError(
                "indexing with a symbolic tensor: its values are not known yet. Fix: index "
                "with one integer tensor (x[ids], same as tk.take(x, ids, axis=0)), or use "
                "tk.where(mask, x, 0) instead of a boolean mask.")
    return _getitem(x, index=tuple(_index_item(item) for item in items))


# ---- take / gather ------------------------------------------------------------------------
def _take_shape(x, indices, axis):
    """``numpy.take``: the indices' shape replaces `axis` (or is all, for axis=None).

    >>> _take_shape((1000, 64), (None, 20), axis=0)
    (None, 20, 64)
    """
    if axis is None:
        return tuple(indices)
    axis = normalize_axis(axis, len(x))
    return x[:axis] + tuple(indices) + x[axis + 1:]


def _take_dims(shapes, dims, axis):
    if axis is None:
        return dims[1]
    axis = normalize_axis(axis, len(shapes[0]))
    return dims[0][:axis] + tuple(dims[1]) + dims[0][axis + 1:]


def _take_vjp(xp, g, out, x, ids, axis):
    # Repeated ids add up (a word seen twice gets both gradients). An embedding table
    # (V, D) that is not much bigger than the gradient: one bincount over the table's
    # cells, 3.8x faster than add.at (W4: 363 -> 96 us), summed in float64. Otherwise
    # add.at: within 0.7-1.4x of sort+reduceat, 100x+ faster than a one-hot matmul;
    # CuPy's adds atomically on the GPU.
    if axis is not None and axis % x.ndim == 0 and x.ndim == 2 and g.dtype.kind == "f" \
            and x.size <= 8 * g.size:
        rows, width = x.shape
        first = (ids.reshape(-1) % rows).astype(xp.intp) * width     # each id's row start
        cells = (first[:, None] + xp.arange(width)).reshape(-1)      # (B*T*D,) cell indices
        sums = xp.bincount(cells, weights=g.reshape(-1), minlength=x.size)
        return sums.reshape(x.shape).astype(g.dtype)
    if axis is None:
        gx = xp.zeros(x.size, dtype=g.dtype)
        xp.add.at(gx, ids.reshape(-1), g.reshape(-1))
        return gx.reshape(x.shape)
    gx = xp.zeros(x.shape, dtype=g.dtype)
    xp.add.at(gx, (slice(None),) * (axis % x.ndim) + (ids,), g)   # (V, D) += (B, T, D) at ids
    return gx


_take = defop("gather", _take_shape, lambda xp, x, ids, axis: xp.take(x, ids, axis=axis),
              _take_vjp, None, dims=_take_dims, dtype=lambda x, ids, axis: x)


def _indices(indices, like, op):
    """Indices as an integer Tensor on `like`'s device, or a DTypeError."""
    if not isinstance(indices, Tensor):
        xp = backend.array_module(like.data) if isinstance(like, Tensor) and \
            like.data is not None else None
        arr = numpy.asarray(indices) if isinstance(indices, (list, tuple)) else indices
        if isinstance(indices, (list, tuple)) and arr.size == 0:
            arr = arr.astype(numpy.int32)
        kind = getattr(arr, "dtype", numpy.asarray(arr).dtype).kind
        if kind not in "iu":
            raise DTypeError(_int_message(getattr(arr, "dtype", type(indices).__name__),
                                          "idx.astype('int32')") + f" ({op})")
        arr = to_array(arr, xp=xp)
        indices = Tensor(arr, tuple(arr.shape), arr.dtype)
    if indices.dtype.kind not in "iu":
        raise DTypeError(_int_message(indices.dtype, "idx.astype('int32')") + f" ({op})")
    return indices


def _check_ids(x, ids, axis, low, op):
    """Out-of-range ids are a clear error here (NumPy raises, CuPy and TF would not)."""
    if ids.data is None or ids.data.size == 0:
        return
    try:
        n = x.size if axis is None else x.shape[normalize_axis(axis, len(x.shape))]
    except ShapeError:
        return                                     # a bad axis: the shape rule says so
    if n is None:
        return
    lo, hi = int(ids.data.min()), int(ids.data.max())
    first = -n if low else 0
    if lo >= first and hi < n:
        return
    where = "the flattened tensor" if axis is None else f"axis {axis}"
    if hi >= n:
        problem = (f"the largest id is {hi}, but {where} has size {n} (a table of {n} "
                   f"rows), so ids must be in {first}..{n - 1}.")
    else:
        problem = f"the index {lo} is negative; indices must be in {first}..{n - 1}."
    raise _fail(op, (x, ids), ShapeError(
        problem, expected=f"indices in {first}..{n - 1}",
        fix=f"for an Embedding layer, input_dim must exceed the largest id (input_dim >= "
            f"{hi + 1}); otherwise map the ids into 0..{n - 1}, e.g. one id for unknown "
            "words."))


def take(x, indices, axis=None):
    """``numpy.take``: pick entries of `x` along `axis` (of the flattened `x` if None).

    Negative indices count from the end, as in NumPy.
    """
    x = x if isinstance(x, Tensor) else tensor(x)
    ids = _indices(indices, x, "take")
    _check_ids(x, ids, axis, True, "gather")
    return _take(x, ids, axis=axis)


def gather(x, indices, axis=0):
    """TensorFlow's gather: rows of a table by id. A (V, D) table with (B, T) ids gives
    (B, T, D), the embedding lookup. Ids must be in 0..V-1."""
    x = x if isinstance(x, Tensor) else tensor(x)
    ids = _indices(indices, x, "gather")
    _check_ids(x, ids, axis, False, "gather")
    return _take(x, ids, axis=axis)


# ---- one_hot ------------------------------------------------------------------------------
def _one_hot_shape(indices, depth, dtype):
    """
    >>> _one_hot_shape((None, 20), 5, "float32")
    (None, 20, 5)
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise ShapeError(f"depth={depth!r} is not a number of classes.",
                         expected="a positive integer depth",
                         fix="pass the number of classes, e.g. depth=10 for digits.")
    return tuple(indices) + (depth,)


_one_hot = defop("one_hot", _one_hot_shape,
                 lambda xp, ids, depth, dtype: (ids[..., None] == xp.arange(depth)).astype(dtype),
                 None, dims=lambda shapes, dims, **_: tuple(dims[0]) + (None,),
                 dtype=lambda ids, depth, dtype: as_dtype(dtype))


def one_hot(indices, depth, dtype="float32"):
    """Class ids (...) -> (..., depth) rows of zeros with a one at each id. No gradient."""
    ids = _indices(indices, None, "one_hot")
    dtype = as_dtype(dtype).name
    depth = int(depth) if isinstance(depth, numpy.integer) else depth
    if ids.data is not None and ids.data.size and isinstance(depth, int) and depth >= 1:
        lo, hi = int(ids.data.min()), int(ids.data.max())
        if lo < 0 or hi >= depth:
            bad = lo if lo < 0 else hi
            raise _fail("one_hot", (ids,), ShapeError(
                f"got the class id {bad}, but depth={depth}: ids must be in 0..{depth - 1}.",
                expected=f"ids in 0..{depth - 1}",
                fix=f"pass depth={hi + 1} (or more) if there are {hi + 1} classes" if lo >= 0
                    else "map negative ids (often padding or 'unknown') to a class first."))
    return _one_hot(ids, depth=depth, dtype=dtype)
