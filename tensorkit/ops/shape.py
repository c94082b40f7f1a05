"""Shape ops: reshape, unflatten, transpose, expand_dims, squeeze, broadcast_to, concatenate, stack,
split, pad, flatten, cast, with_dims, to_device.

They move numbers around without changing them, so each VJP moves the gradient back the
same way: reshape it back, transpose by the inverse permutation, slice out each input's
part. Shape rules accept None (an unknown size) anywhere.
"""

import numpy

from .. import backend
from ..errors import ShapeError, format_shape
from ..shapes import normalize_axes, normalize_axis, size_of
from ..tensor import Tensor, as_dtype, defop
from .common import unbroadcast

__all__ = ["reshape", "unflatten", "transpose", "expand_dims", "squeeze", "broadcast_to",
           "concatenate", "stack", "split", "pad", "flatten", "cast", "with_dims", "to_device",
           "reshape_shape", "concatenate_shape", "pad_shape", "flatten_shape"]


def _ints(shape, what):
    """A target shape given by the learner, as a tuple of ints (or a ShapeError)."""
    if isinstance(shape, (int, numpy.integer)):
        shape = (shape,)
    out = []
    for n in shape:
        if isinstance(n, bool) or not isinstance(n, (int, numpy.integer)):
            raise ShapeError(f"{what} {tuple(shape)} contains {n!r}, which is not an integer.",
                             expected="a tuple of integers",
                             fix="give every size as an int (-1 once, in reshape, for the size "
                                 "to be worked out).")
        out.append(int(n))
    return tuple(out)


def _merge_labels(dims):
    """One label per axis from several inputs: the first label given wins."""
    out = list(dims[0])
    for labels in dims[1:]:
        for i, label in enumerate(labels):
            if out[i] is None:
                out[i] = label
    return tuple(out)


# ---- reshape ----------------------------------------------------------------------------
def reshape_shape(x, shape):
    """The shape after reshaping `x` to `shape` (one -1 allowed, worked out from the rest).

    >>> reshape_shape((None, 28, 28), (-1, 784))
    (None, 784)
    >>> reshape_shape((2, 3, 4), (4, -1))
    (4, 6)
    """
    if any(s < -1 for s in shape) or list(shape).count(-1) > 1:
        raise ShapeError(f"the target shape {format_shape(shape)} has "
                         + ("more than one -1." if list(shape).count(-1) > 1
                            else "a negative size."),
                         expected="non-negative sizes, with at most one -1",
                         fix="use -1 for at most one size; it is worked out from the others.")
    n = size_of(x)
    known = size_of(tuple(s for s in shape if s != -1))
    if n is None:                                  # unknown batch: check what can be checked
        per_item = size_of(tuple(s for s in x if s is not None))
        if -1 in shape:
            return tuple(None if s == -1 else s for s in shape)
        if per_item and known % per_item:
            raise ShapeError(
                f"cannot reshape {format_shape(x)} into {format_shape(shape)} = {known} "
                f"elements: that is not a whole number of the {per_item} elements per batch "
                "item.",
                expected=f"a target shape whose size is a multiple of {per_item}",
                fix=f"use -1 for the unknown axis, e.g. (-1, {per_item}).")
        return tuple(shape)
    if -1 in shape:
        if known == 0 or n % known:
            raise ShapeError(
                f"cannot reshape {n} elements into {format_shape(shape)}: {n} is not a "
                f"multiple of {known}, the product of the other sizes.",
                expected=f"the other sizes to multiply to a divisor of {n}",
                fix=_reshape_fix(n, shape))
        return tuple(n // known if s == -1 else s for s in shape)
    if known != n:
        raise ShapeError(
            f"cannot reshape {n} elements into {format_shape(shape)} = {known} elements.",
            expected=f"a target shape with {n} elements",
            fix=_reshape_fix(n, shape))
    return tuple(shape)


def _reshape_fix(n, target):
    last = target[-1] if target and target[-1] > 0 else None
    if last and n % last == 0 and len(target) > 1:
        return (f"let one size be worked out: reshape to (-1, {last}) gives "
                f"({n // last}, {last}); or pick sizes that multiply to {n}.")
    return (f"pick sizes that multiply to {n}, e.g. ({n},) or (-1,), or (-1, k) for a k "
            f"dividing {n}.")


def _reshape_dims(shapes, dims, shape):
    """Keep the labels of a leading and a trailing run of unchanged axes; drop the rest."""
    (old,), (labels,) = shapes, dims
    new = reshape_shape(old, shape)
    out = [None] * len(new)
    m = min(len(old), len(new))
    lead = 0
    while lead < m and old[lead] == new[lead]:
        out[lead] = labels[lead]
        lead += 1
    tail = 1
    while lead + tail <= m and old[-tail] == new[-tail]:
        out[-tail] = labels[-tail]
        tail += 1
    return tuple(out)


_reshape = defop("reshape", reshape_shape, lambda xp, x, shape: x.reshape(shape),
                 lambda xp, g, out, x, shape: g.reshape(x.shape), dims=_reshape_dims)


def reshape(x, shape):
    """The same numbers in a new shape; one size may be -1 (worked out from the rest)."""
    return _reshape(x, shape=_ints(shape, "the target shape"))


# ---- unflatten: one axis back into the leading axes of another tensor ---------------------
def _unflatten_shape(x, like, axes):
    """(B*T, ...) and a (B, T, ...) tensor give (B, T, ...), sizes unknown or not.

    >>> _unflatten_shape((None, 7), (None, None, 3), 2)
    (None, None, 7)
    """
    lead = tuple(like[:axes])
    n = size_of(lead)
    if len(like) < axes or not x or (n is not None and x[0] is not None and n != x[0]):
        raise ShapeError(f"cannot split the first axis of {format_shape(x)} into the first "
                         f"{axes} axes of {format_shape(like)}.",
                         expected=f"a first axis of size {n if n is not None else '(B*T)'}, "
                                  f"the product of {format_shape(lead)}",
                         fix="pass the tensor whose leading axes were merged with "
                             "reshape(x, (-1,) + x.shape[axes:]).")
    return lead + tuple(x[1:])


_unflatten = defop("unflatten", _unflatten_shape,
                   lambda xp, x, like, axes: x.reshape(like.shape[:axes] + x.shape[1:]),
                   lambda xp, g, out, x, like, axes: g.reshape(x.shape), None,
                   dims=lambda shapes, dims, axes: tuple(dims[1][:axes]) + tuple(dims[0][1:]),
                   dtype=lambda x, like, axes: x)


def unflatten(x, like, axes=2):
    """Split x's first axis into the first `axes` axes of `like`: what undoes
    ``reshape(like, (-1,) + like.shape[axes:])`` on a result, (B*T, ...) -> (B, T, ...),
    also when B and T are unknown (symbolic) until data comes."""
    return _unflatten(x, like, axes=int(axes))


# ---- transpose --------------------------------------------------------------------------
def _transpose_shape(shape, axes):
    """
    >>> _transpose_shape((None, 3, 4), (0, 2, 1))
    (None, 4, 3)
    """
    if len(axes) != len(shape) or sorted(a % len(shape) if -len(shape) <= a < len(shape)
                                         else a for a in axes) != list(range(len(shape))):
        raise ShapeError(f"axes={tuple(axes)} is not a permutation of the {len(shape)} axes.",
                         expected=f"each of the axes 0..{len(shape) - 1} exactly once",
                         fix=f"list every axis once, e.g. axes={tuple(range(len(shape)))[::-1]} "
                             "reverses them.")
    return tuple(shape[a] for a in axes)


def _inverse(axes, ndim):
    """The permutation that undoes `axes`."""
    return tuple(int(i) for i in numpy.argsort([a % ndim for a in axes]))


_transpose = defop("transpose", _transpose_shape, lambda xp, x, axes: x.transpose(axes),
                   lambda xp, g, out, x, axes: g.transpose(_inverse(axes, x.ndim)),
                   dims=lambda shapes, dims, axes: tuple(dims[0][a] for a in axes))


def transpose(x, axes=None):
    """Permute the axes (reverse them when `axes` is None); labels move with their axes."""
    axes = tuple(reversed(range(len(x.shape)))) if axes is None else _ints(axes, "axes")
    return _transpose(x, axes=axes)


# ---- expand_dims / squeeze --------------------------------------------------------------
def _expand_shape(shape, axis):
    """
    >>> _expand_shape((None, 3), (1,))
    (None, 1, 3)
    """
    axes = normalize_axes(axis, len(shape) + len(axis))
    rest = iter(shape)
    return tuple(1 if i in axes else next(rest) for i in range(len(shape) + len(axis)))


def _expand_dims(shapes, dims, axis):
    axes = normalize_axes(axis, len(shapes[0]) + len(axis))
    rest = iter(dims[0])
    return tuple(None if i in axes else next(rest) for i in range(len(shapes[0]) + len(axis)))


_expand = defop("expand_dims", _expand_shape,
                lambda xp, x, axis: xp.expand_dims(x, axis),
                lambda xp, g, out, x, axis: g.reshape(x.shape), dims=_expand_dims)


def expand_dims(x, axis):
    """Insert size-1 axes at `axis` (an int or a tuple), counted in the output."""
    return _expand(x, axis=_ints(axis, "axis"))


def _squeeze_shape(shape, axis):
    """
    >>> _squeeze_shape((None, 1, 3), (1,))
    (None, 3)
    """
    axes = normalize_axes(axis, len(shape))
    for a in axes:
        if shape[a] not in (1, None):
            raise ShapeError(f"cannot squeeze axis {a}: its size is {shape[a]}, not 1.",
                             expected="only axes of size 1 to be squeezed",
                             fix="leave that axis out of `axis`, or reduce it first "
                                 "(e.g. tk.sum(x, axis=...)).")
    return tuple(n for i, n in enumerate(shape) if i not in axes)


_squeeze = defop("squeeze", _squeeze_shape, lambda xp, x, axis: x.squeeze(axis),
                 lambda xp, g, out, x, axis: g.reshape(x.shape),
                 dims=lambda shapes, dims, axis: tuple(
                     d for i, d in enumerate(dims[0])
                     if i not in normalize_axes(axis, len(shapes[0]))))


def squeeze(x, axis=None):
    """Remove size-1 axes: those in `axis`, or every one known to be 1 when None."""
    if axis is None:
        axis = tuple(i for i, n in enumerate(x.shape) if n == 1)
    return _squeeze(x, axis=_ints(axis, "axis"))


# ---- broadcast_to -----------------------------------------------------------------------
def _broadcast_to_shape(x, shape):
    """
    >>> _broadcast_to_shape((None, 1), (4, 3))
    (4, 3)
    """
    lead = len(shape) - len(x)
    if lead < 0 or any(n is not None and n not in (1, t) for n, t in zip(x, shape[lead:])):
        raise ShapeError(f"cannot broadcast {format_shape(x)} to {format_shape(shape)}.",
                         expected="each input axis, counted from the right, to be 1 or the "
                                  "target's size (the target may add leading axes)",
                         fix="reshape the input so its axes line up with the target's from "
                             "the right, with size 1 where it should repeat.")
    return tuple(shape)


def _broadcast_to_dims(shapes, dims, shape):
    return (None,) * (len(shape) - len(shapes[0])) + tuple(dims[0])


_broadcast_to = defop("broadcast_to", _broadcast_to_shape,
                      lambda xp, x, shape: xp.broadcast_to(x, shape).copy(),
                      lambda xp, g, out, x, shape: unbroadcast(g, x.shape),
                      dims=_broadcast_to_dims)


def broadcast_to(x, shape):
    """Repeat `x` along size-1 and new leading axes to fill `shape` (NumPy's broadcasting)."""
    return _broadcast_to(x, shape=_ints(shape, "the target shape"))


# ---- concatenate / stack ----------------------------------------------------------------
def _listed(shapes):
    return ", ".join(format_shape(s) for s in shapes)


def concatenate_shape(*shapes, axis=0):
    """Join along `axis`: every other axis must agree.

    >>> concatenate_shape((None, 3), (None, 5), axis=1)
    (None, 8)
    """
    if not shapes:
        raise ShapeError("there is nothing to concatenate.", expected="at least one tensor",
                         fix="pass a non-empty list of tensors.")
    ranks = {len(s) for s in shapes}
    if len(ranks) > 1:
        raise ShapeError(f"the inputs have different ranks: {_listed(shapes)}.",
                         expected="tensors with the same number of axes",
                         fix="expand_dims or reshape the odd one out so all have one rank.")
    ndim = ranks.pop()
    if ndim == 0:
        raise ShapeError("zero-dimensional tensors (scalars) cannot be concatenated.",
                         expected="tensors with at least one axis",
                         fix="use tk.stack to make a vector of scalars.")
    axis = normalize_axis(axis, ndim)
    out = []
    for a in range(ndim):
        sizes = [s[a] for s in shapes]
        if a == axis:
            out.append(None if None in sizes else sum(sizes))
            continue
        known = {n for n in sizes if n is not None}
        if len(known) > 1:
            raise ShapeError(
                f"the sizes on axis {a} differ ({', '.join(map(str, sizes))}) in the inputs "
                f"{_listed(shapes)}; only axis {axis}, the one joined, may differ.",
                expected=f"every input to have the same size on every axis except axis {axis}",
                fix=f"make axis {a} the same size in every input (slice or pad), or join "
                    f"along axis {a} instead (axis={a}).")
        out.append(known.pop() if known else None)
    return tuple(out)


def _concatenate_vjp(xp, g, out, *arrays, index, axis):
    axis = axis % g.ndim
    start = sum(a.shape[axis] for a in arrays[:index])
    part = (slice(None),) * axis + (slice(start, start + arrays[index].shape[axis]),)
    return g[part]


_concatenate = defop("concatenate", concatenate_shape,
                     lambda xp, *arrays, axis: xp.concatenate(arrays, axis=axis),
                     _concatenate_vjp, variadic=True,
                     dims=lambda shapes, dims, axis: _merge_labels(dims))


def concatenate(tensors, axis=0):
    """Join tensors end to end along an existing `axis`; the other axes must match."""
    return _concatenate(*tensors, axis=axis)


def _stack_shape(*shapes, axis=0):
    """
    >>> _stack_shape((None, 3), (None, 3), axis=1)
    (None, 2, 3)
    """
    if not shapes:
        raise ShapeError("there is nothing to stack.", expected="at least one tensor",
                         fix="pass a non-empty list of tensors.")
    first = shapes[0]
    for s in shapes[1:]:
        if len(s) != len(first) or any(a is not None and b is not None and a != b
                                       for a, b in zip(s, first)):
            raise ShapeError(f"stack needs equal shapes, but got {_listed(shapes)}.",
                             expected="every input to have the same shape",
                             fix="pad or slice the inputs to one shape first (pad sequences "
                                 "to one length), or use tk.concatenate to join along an "
                                 "existing axis.")
    axis = normalize_axis(axis, len(first) + 1)
    merged = tuple(next((s[a] for s in shapes if s[a] is not None), None)
                   for a in range(len(first)))
    return merged[:axis] + (len(shapes),) + merged[axis:]


def _stack_dims(shapes, dims, axis):
    labels = _merge_labels(dims)
    axis = normalize_axis(axis, len(shapes[0]) + 1)
    return labels[:axis] + (None,) + labels[axis:]


_stack = defop("stack", _stack_shape, lambda xp, *arrays, axis: xp.stack(arrays, axis=axis),
               lambda xp, g, out, *arrays, index, axis: xp.take(g, index, axis=axis),
               variadic=True, dims=_stack_dims)


def stack(tensors, axis=0):
    """Put equal-shaped tensors side by side along a new `axis` (its size: how many)."""
    return _stack(*tensors, axis=axis)


# ---- split --------------------------------------------------------------------------------
def _even_points(n, sections):
    return [n * (i + 1) // sections for i in range(sections - 1)]


def _split_bounds(n, sections, axis):
    """(start, stop) of each part along an axis of size n (None: unknown)."""
    if isinstance(sections, int):
        if sections <= 0:
            raise ShapeError(f"cannot split into {sections} sections.",
                             expected="a positive number of sections",
                             fix="pass the number of equal parts, or a list of split points.")
        if n is None:
            return [(None, None)] * sections
        if n % sections:
            raise ShapeError(
                f"axis {axis} of size {n} does not split into {sections} equal sections.",
                expected=f"a size divisible by {sections}",
                fix=f"pass split points instead, e.g. {_even_points(n, sections)}, or a number "
                    f"of sections that divides {n}.")
        step = n // sections
        return [(i * step, (i + 1) * step) for i in range(sections)]
    points = [0, *sections, n]
    return list(zip(points[:-1], points[1:]))


def _part_size(n, start, stop):
    if start is None or n is None:
        return None
    lo, hi, _ = slice(start, stop).indices(n)
    return max(hi - lo, 0)


def _split_shape(shape, sections, axis, part):
    """
    >>> _split_shape((None, 6), 3, axis=1, part=0)
    (None, 2)
    """
    axis = normalize_axis(axis, len(shape))
    start, stop = _split_bounds(shape[axis], sections, axis)[part]
    n = shape[axis]
    size = _part_size(n, start, n if stop is None else stop)
    return shape[:axis] + (size,) + shape[axis + 1:]


def _split_part(x, sections, axis, part):
    axis = axis % x.ndim
    start, stop = _split_bounds(x.shape[axis], sections, axis)[part]
    return (slice(None),) * axis + (slice(start, stop),)


def _split_vjp(xp, g, out, x, sections, axis, part):
    gx = xp.zeros(x.shape, dtype=g.dtype)
    gx[_split_part(x, sections, axis, part)] = g
    return gx


_split = defop("split", _split_shape,
               lambda xp, x, sections, axis, part: x[_split_part(x, sections, axis, part)],
               _split_vjp, dims=lambda shapes, dims, **_: dims[0])


def split(x, indices_or_sections, axis=0):
    """A list of parts of `x` along `axis` (``numpy.split``): a number of equal sections,
    or the indices where one part ends and the next begins."""
    if isinstance(indices_or_sections, (int, numpy.integer)):
        sections = int(indices_or_sections)
        count = max(sections, 1)
    else:
        sections = _ints(indices_or_sections, "split points")
        count = len(sections) + 1
    return [_split(x, sections=sections, axis=axis, part=i) for i in range(count)]


# ---- pad ----------------------------------------------------------------------------------
PAD_MODES = ("constant", "reflect", "symmetric", "edge")


def _pad_pairs(pad_width, ndim):
    """((before, after), ...) per axis, from NumPy's short forms.

    >>> _pad_pairs(1, 2)
    ((1, 1), (1, 1))
    >>> _pad_pairs(((0, 0), (2, 3)), 2)
    ((0, 0), (2, 3))
    """
    try:
        pairs = numpy.broadcast_to(numpy.asarray(pad_width), (ndim, 2))
    except ValueError:
        pairs = None
    if pairs is None or pairs.dtype.kind not in "iu" or (pairs < 0).any():
        raise ShapeError(f"pad_width={pad_width!r} does not give (before, after) for each of "
                         f"the {ndim} axes.",
                         expected="an int, a (before, after) pair, or one non-negative pair "
                                  "per axis",
                         fix=f"pass {ndim} pairs, e.g. pad_width="
                             f"{((0, 0),) * max(ndim - 1, 0) + ((1, 1),)}.")
    return tuple((int(b), int(a)) for b, a in pairs)


def pad_shape(shape, pad_width, mode="constant", constant_values=0):
    """
    >>> pad_shape((None, 28, 28), ((0, 0), (2, 2), (2, 2)))
    (None, 32, 32)
    """
    if mode not in PAD_MODES:
        raise ShapeError(f"mode={mode!r} is not a padding mode.",
                         expected=f"one of {', '.join(map(repr, PAD_MODES))}",
                         fix="use mode='constant' to pad with a value (zeros by default).")
    out = []
    for axis, (n, (before, after)) in enumerate(zip(shape, _pad_pairs(pad_width, len(shape)))):
        if mode != "constant" and n == 0 and before + after:
            raise ShapeError(f"mode={mode!r} cannot pad axis {axis}: it has no elements to "
                             "repeat.", expected="at least one element on a padded axis",
                             fix="use mode='constant' for empty axes.")
        out.append(None if n is None else n + before + after)
    return tuple(out)


def _pad_vjp(xp, g, out, x, pad_width, mode, constant_values):
    pairs = _pad_pairs(pad_width, x.ndim)
    if mode == "constant":
        return g[tuple(slice(b, b + n) for (b, _), n in zip(pairs, x.shape))]
    for axis, ((before, after), n) in enumerate(zip(pairs, x.shape)):
        if before == after == 0:
            continue
        # the input position each output position copies, along this axis
        source = xp.asarray(numpy.pad(numpy.arange(n), (before, after), mode=mode))
        acc = xp.zeros(g.shape[:axis] + (n,) + g.shape[axis + 1:], dtype=g.dtype)
        xp.add.at(acc, (slice(None),) * axis + (source,), g)
        g = acc
    return g


def _pad_forward(xp, x, pad_width, mode, constant_values):
    pairs = _pad_pairs(pad_width, x.ndim)
    if not pairs:
        return x.copy()                            # a scalar has nothing to pad
    if mode == "constant":
        return xp.pad(x, pairs, mode=mode, constant_values=constant_values)
    return xp.pad(x, pairs, mode=mode)


_pad = defop("pad", pad_shape, _pad_forward, _pad_vjp,
             dims=lambda shapes, dims, **_: dims[0], dtype=lambda dtype, **_: dtype)


def pad(x, pad_width, mode="constant", constant_values=0):
    """Add values around `x` (``numpy.pad``): `pad_width` is (before, after) per axis.

    mode: "constant" (fill with `constant_values`), "reflect", "symmetric" or "edge".
    """
    if not isinstance(pad_width, int):
        pad_width = tuple(tuple(p) if isinstance(p, (list, tuple)) else p for p in pad_width)
    return _pad(x, pad_width=pad_width, mode=mode, constant_values=constant_values)


# ---- flatten ------------------------------------------------------------------------------
def flatten_shape(shape, start_axis=1):
    """Merge axes start_axis..end into one, keeping those before (the batch), like Keras.

    >>> flatten_shape((None, 28, 28, 1))
    (None, 784)
    >>> flatten_shape((5,))
    (5, 1)
    """
    if not shape:
        raise ShapeError("a scalar has no axes to flatten.", expected="a tensor of rank >= 1",
                         fix="use tk.reshape(x, (1,)) to make it a vector.")
    if start_axis != len(shape):
        start_axis = normalize_axis(start_axis, len(shape))
    return shape[:start_axis] + (size_of(shape[start_axis:]),)


def _flatten_dims(shapes, dims, start_axis):
    shape, labels = shapes[0], dims[0]
    kept = labels[:start_axis] if start_axis == len(shape) else \
        labels[:normalize_axis(start_axis, len(shape))]
    merged = labels[-1] if len(labels) - len(kept) == 1 else None
    return tuple(kept) + (merged,)


_flatten = defop("flatten", flatten_shape,
                 lambda xp, x, start_axis: x.reshape(flatten_shape(x.shape, start_axis)),
                 lambda xp, g, out, x, start_axis: g.reshape(x.shape), dims=_flatten_dims)


def flatten(x, start_axis=1):
    """(batch, ...) -> (batch, features): Keras' Flatten. A vector (n,) becomes (n, 1)."""
    return _flatten(x, start_axis=start_axis)


# ---- cast, with_dims, to_device ----------------------------------------------------------
def _cast_vjp(xp, g, out, x, dtype):
    if out.dtype.kind != "f" or x.dtype.kind != "f":
        return xp.zeros(x.shape, dtype=x.dtype)   # no gradient through integers
    return g.astype(x.dtype)


_cast = defop("cast", lambda shape, dtype: shape, lambda xp, x, dtype: x.astype(dtype),
              _cast_vjp, dtype=lambda _, dtype: as_dtype(dtype))


def cast(x, dtype):
    """The values as `dtype` ("float32", "int32", ...); gradients flow only float -> float."""
    return _cast(x, dtype=as_dtype(dtype).name)


def _with_dims_shape(shape, labels):
    if len(labels) != len(shape):
        raise ShapeError(f"{len(labels)} labels {labels} were given for a tensor of rank "
                         f"{len(shape)}.",
                         expected=f"one label (or None) per axis: {len(shape)} labels",
                         fix="give exactly one label per axis, None for an unlabelled one.")
    return shape


_with_dims = defop("with_dims", _with_dims_shape, lambda xp, x, labels: x,
                   lambda xp, g, out, x, labels: g,
                   dims=lambda shapes, dims, labels: labels, labels=True)


def with_dims(x, *labels):
    """The same tensor with its axes labelled: ``x.with_dims("batch", "features")``."""
    if len(labels) == 1 and isinstance(labels[0], (tuple, list)):
        labels = labels[0]
    labels = tuple(labels)
    return _with_dims(x, labels=labels)


_to_device = defop("to_device", lambda shape, device: shape,
                   lambda xp, x, device: backend.to_device(x, device),
                   lambda xp, g, out, x, device: backend.to_device(g, backend.device_of(x)))


def to_device(x, device):
    """A copy of `x` on "cpu" or "gpu"; its gradient comes back to where `x` was."""
    device = {"cuda": "gpu"}.get(device, device)
    if device not in ("cpu", "gpu"):
        raise ValueError(f"Unknown device {device!r}. Expected 'cpu' or 'gpu'.")
    if isinstance(x, Tensor) and x.data is not None and x.device == device:
        return x
    return _to_device(x, device=device)

