"""Shape ops: reshape, unflatten, transpose, moveaxis, swapaxes, expand_dims, squeeze,
broadcast_to, concatenate, stack, split, unstack, tile, repeat, flip, roll, tril, triu, pad,
flatten, cast, with_dims, to_device.

They move numbers around without changing them, so each VJP moves the gradient back the
same way: reshape it back, transpose by the inverse permutation, slice out each input's
part, sum the copies that tile and repeat made. Shape rules accept None (an unknown size)
anywhere.
"""

import numpy

from .. import backend
from ..errors import ShapeError, format_shape
from ..graph import STATE
from ..shapes import normalize_axes, normalize_axis, reduced_dims, size_of
from ..tensor import Tensor, as_dtype, defop, tensor
from .common import unbroadcast

__all__ = ["reshape", "unflatten", "transpose", "moveaxis", "swapaxes", "expand_dims", "squeeze",
           "broadcast_to", "concatenate", "stack", "split", "unstack", "tile", "repeat", "flip",
           "roll", "tril", "triu", "pad", "flatten", "cast", "with_dims", "to_device",
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


def _int(value, name):
    """One integer argument (a NumPy integer too), or a ShapeError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)):
        raise ShapeError(f"{name}={value!r} is not an integer.",
                         expected=f"{name} as a whole number",
                         fix=f"pass an int, e.g. {name}=1.")
    return int(value)


def _fail(op, x, err):
    """A ShapeError raised outside a shape rule, placed at its op as the engine places others."""
    return err.at(op, (x.shape,), [x.dims], STATE.layers[-1] if STATE.layers else None)


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
        fix = (f"list every axis once, e.g. axes={tuple(range(len(shape)))[::-1]} reverses "
               "them.")
        if len(axes) == 2 and len(shape) != 2:    # PyTorch's x.transpose(0, 1) swaps two
            fix += (f" To swap just two axes (PyTorch's transpose({axes[0]}, {axes[1]})), "
                    f"use tk.swapaxes(x, {axes[0]}, {axes[1]}).")
        raise ShapeError(f"axes={tuple(axes)} is not a permutation of the {len(shape)} axes.",
                         expected=f"each of the axes 0..{len(shape) - 1} exactly once",
                         fix=fix)
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


# ---- moveaxis / swapaxes: transposes named for what they do --------------------------------
# Their own ops, not calls of transpose: the graph then shows moveaxis(source, destination)
# as the learner wrote it, and a bad axis is reported as a bad source or destination, not as
# a permutation the learner never wrote. Shape and dims follow the permutation each one
# spells out, as transpose's do; each VJP moves the gradient back.
def _moveaxis_perm(ndim, source, destination):
    """The transpose axes that put `source` at `destination`, the rest in their order.

    >>> _moveaxis_perm(4, (1,), (-1,))
    (0, 2, 3, 1)
    """
    if len(source) != len(destination):
        raise ShapeError(f"source={source} has {len(source)} axes but destination="
                         f"{destination} has {len(destination)}.",
                         expected="one destination for each source axis",
                         fix="give as many destinations as sources, e.g. "
                             "moveaxis(x, (0, 1), (-1, -2)).")
    src = [normalize_axis(a, ndim) for a in source]
    dst = [normalize_axis(a, ndim) for a in destination]
    for name, given, axes in (("source", source, src), ("destination", destination, dst)):
        if len(set(axes)) != len(axes):
            raise ShapeError(f"{name}={given} names an axis twice.",
                             expected=f"each axis at most once in {name}",
                             fix="remove the repeated axis: each axis moves to one place.")
    where, rest = dict(zip(dst, src)), iter(a for a in range(ndim) if a not in src)
    return tuple(where[i] if i in where else next(rest) for i in range(ndim))


def _moveaxis_shape(shape, source, destination):
    """
    >>> _moveaxis_shape((None, 28, 28, 3), (-1,), (1,))
    (None, 3, 28, 28)
    """
    return tuple(shape[a] for a in _moveaxis_perm(len(shape), source, destination))


_moveaxis = defop("moveaxis", _moveaxis_shape,
                  lambda xp, x, source, destination: xp.moveaxis(x, source, destination),
                  lambda xp, g, out, x, source, destination: xp.moveaxis(g, destination, source),
                  dims=lambda shapes, dims, source, destination: tuple(
                      dims[0][a] for a in _moveaxis_perm(len(shapes[0]), source, destination)))


def moveaxis(x, source, destination):
    """Move axes to new places, the others keeping their order (labels move with them):
    channels first to last, (B, C, H, W) -> (B, H, W, C), is ``moveaxis(x, 1, -1)``."""
    return _moveaxis(x, source=_ints(source, "source"),
                     destination=_ints(destination, "destination"))


def _swap_perm(ndim, axis1, axis2):
    """
    >>> _swap_perm(3, 0, -1)
    (2, 1, 0)
    """
    perm = list(range(ndim))
    a, b = normalize_axis(axis1, ndim), normalize_axis(axis2, ndim)
    perm[a], perm[b] = b, a
    return tuple(perm)


_swapaxes = defop("swapaxes",
                  lambda shape, axis1, axis2: tuple(
                      shape[a] for a in _swap_perm(len(shape), axis1, axis2)),
                  lambda xp, x, axis1, axis2: xp.swapaxes(x, axis1, axis2),
                  lambda xp, g, out, x, axis1, axis2: xp.swapaxes(g, axis1, axis2),
                  dims=lambda shapes, dims, axis1, axis2: tuple(
                      dims[0][a] for a in _swap_perm(len(shapes[0]), axis1, axis2)))


def swapaxes(x, axis1, axis2):
    """Swap two axes, labels and all: PyTorch's ``x.transpose(0, 1)`` is
    ``tk.swapaxes(x, 0, 1)``."""
    return _swapaxes(x, axis1=_int(axis1, "axis1"), axis2=_int(axis2, "axis2"))


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


# ---- unstack: the slices along an axis, that axis removed ------------------------------------
def _unstack_shape(shape, axis, index):
    """
    >>> _unstack_shape((None, 5, 3), axis=1, index=0)
    (None, 3)
    """
    axis = normalize_axis(axis, len(shape))
    return shape[:axis] + shape[axis + 1:]


def _unstack_at(a, axis, index):
    return (slice(None),) * (axis % a.ndim) + (index,)


def _unstack_vjp(xp, g, out, x, axis, index):
    gx = xp.zeros(x.shape, dtype=g.dtype)
    gx[_unstack_at(x, axis, index)] = g
    return gx


_unstack = defop("unstack", _unstack_shape,
                 lambda xp, x, axis, index: x[_unstack_at(x, axis, index)], _unstack_vjp,
                 dims=lambda shapes, dims, axis, index: reduced_dims(shapes, dims, axis))


def unstack(x, axis=0):
    """A list of the slices of `x` along `axis`, each without that axis (``tf.unstack``,
    ``torch.unbind``): (B, T, C) -> T tensors (B, C) for axis=1. ``tk.stack(parts, axis)``
    puts them back."""
    x = x if isinstance(x, Tensor) else tensor(x)
    try:
        n = x.shape[normalize_axis(_int(axis, "axis"), x.ndim)]
    except ShapeError as e:
        raise _fail("unstack", x, e) from None
    if n is None:
        known = tuple(32 if s is None else s for s in x.shape)
        raise _fail("unstack", x, ShapeError(
            f"axis {axis} has an unknown size (None), so how many tensors unstack gives is "
            "not known until data comes.",
            expected="an axis whose size is known",
            fix="unstack an axis of known size (e.g. axis=1, the time steps, not the batch), "
                f"or give the size in the symbolic shape, e.g. tk.symbolic({known}) instead "
                f"of {format_shape(x.shape)}."))
    return [_unstack(x, axis=int(axis), index=i) for i in range(n)]


# ---- tile / repeat: copies, whose gradients add up ------------------------------------------
def _tile_shape(shape, reps):
    """NumPy's tile: shape and reps lined up from the right, the shorter padded with 1s.

    >>> _tile_shape((None, 3), (2, 2))
    (None, 6)
    >>> _tile_shape((3,), (2, 1, 2))
    (2, 1, 6)
    >>> _tile_shape((2, 3, 4), (2,))
    (2, 3, 8)
    """
    if any(r < 0 for r in reps):
        raise ShapeError(f"reps={tuple(reps)} has a negative count.",
                         expected="how many copies along each axis: 0 or more",
                         fix="give each axis a count of 0 or more: 1 keeps an axis as it is, "
                             "2 doubles it.")
    ndim = max(len(shape), len(reps))
    shape = (1,) * (ndim - len(shape)) + tuple(shape)
    reps = (1,) * (ndim - len(reps)) + tuple(reps)
    return tuple(0 if r == 0 else None if n is None else n * r for n, r in zip(shape, reps))


def _tile_vjp(xp, g, out, x, reps):
    reps = (1,) * (g.ndim - len(reps)) + reps
    shape = (1,) * (g.ndim - x.ndim) + x.shape
    # (r0 * n0, r1 * n1, ...) -> (r0, n0, r1, n1, ...): add up the copies of each element
    copies = g.reshape(tuple(v for r, n in zip(reps, shape) for v in (r, n)))
    return copies.sum(axis=tuple(range(0, 2 * g.ndim, 2))).reshape(x.shape)


_tile = defop("tile", _tile_shape, lambda xp, x, reps: xp.tile(x, reps), _tile_vjp,
              dims=lambda shapes, dims, reps: (None,) * max(len(reps) - len(shapes[0]), 0)
              + tuple(dims[0]))


def tile(x, reps):
    """`x` repeated whole, reps[i] times along axis i (``numpy.tile``, ``tf.tile``, and
    PyTorch's ``x.repeat``): [a, b] -> [a, b, a, b]. Longer reps than x has axes add
    leading axes; shorter reps leave the first axes as they are."""
    return _tile(x, reps=_ints(reps, "reps"))


def _repeat_axis(shape, axis):
    """(the shape repeat works on, its axis): axis=None works on the flattened elements."""
    if axis is None:
        return (size_of(shape),), 0
    return tuple(shape), normalize_axis(axis, len(shape))


def _repeat_shape(shape, repeats, axis):
    """
    >>> _repeat_shape((None, 3), 2, axis=1)
    (None, 6)
    >>> _repeat_shape((None, 3), (1, 0, 2), axis=1)
    (None, 3)
    >>> _repeat_shape((2, 3), 2, axis=None)
    (12,)
    """
    shape, axis_ = _repeat_axis(shape, axis)
    n = shape[axis_]
    counts = (repeats,) if isinstance(repeats, int) else repeats
    if any(r < 0 for r in counts):
        raise ShapeError(f"repeats={repeats} has a negative count.",
                         expected="how many copies of each element: 0 or more",
                         fix="use 0 to drop an element, 1 to keep it once, 2 to double it.")
    if isinstance(repeats, int):
        size = 0 if repeats == 0 else None if n is None else n * repeats
    elif n is not None and len(repeats) != n:
        where = ("the tensor has" if axis is None else f"axis {axis_} has") + f" {n} elements"
        raise ShapeError(f"repeats has {len(repeats)} counts but {where}"
                         + (" (axis=None repeats the flattened tensor)." if axis is None
                            else "."),
                         expected=f"one count per element ({n}), or one int for all of them",
                         fix=f"give {n} counts, one per element, or a single int: repeats=2"
                             + ("; or pass the axis to repeat along, e.g. axis=-1."
                                if axis is None else "."))
    else:
        size = sum(repeats)
    return shape[:axis_] + (size,) + shape[axis_ + 1:]


def _repeat_vjp(xp, g, out, x, repeats, axis):
    shape, axis = _repeat_axis(x.shape, axis)
    n = shape[axis]
    if isinstance(repeats, int):
        # (..., n * r, ...) -> (..., n, r, ...): add up the r copies of each element
        gx = g.reshape(shape[:axis] + (n, repeats) + shape[axis + 1:]).sum(axis=axis + 1)
    else:
        owner = xp.asarray(numpy.repeat(numpy.arange(n), repeats))   # whose copy each is
        gx = xp.zeros(shape, dtype=g.dtype)
        xp.add.at(gx, (slice(None),) * axis + (owner,), g)
    return gx.reshape(x.shape)


def _repeat_dims(shapes, dims, repeats, axis):
    if axis is None:                              # flattened: only a vector keeps its label
        return tuple(dims[0]) if len(shapes[0]) == 1 else (None,)
    return dims[0]


_repeat = defop("repeat", _repeat_shape,
                lambda xp, x, repeats, axis: xp.repeat(x, repeats, axis), _repeat_vjp,
                dims=_repeat_dims)


def repeat(x, repeats, axis=None):
    """Each element repeated in place (``numpy.repeat``, PyTorch's ``repeat_interleave``):
    [a, b] -> [a, a, b, b]. `repeats` is one count, or one count per element along `axis`;
    axis=None repeats the flattened elements. (To repeat the whole tensor, use tk.tile.)"""
    if hasattr(repeats, "tolist"):                # a Tensor or an array of counts
        repeats = repeats.tolist()
    counts = _ints(repeats, "repeats")
    if isinstance(repeats, (int, numpy.integer)) or len(counts) == 1:
        counts = counts[0]                        # one count for all, as NumPy broadcasts it
    return _repeat(x, repeats=counts, axis=None if axis is None else _int(axis, "axis"))


# ---- flip / roll: the same elements in another order -----------------------------------------
def _flip_shape(shape, axis):
    """
    >>> _flip_shape((None, 3), (-1,))
    (None, 3)
    """
    normalize_axes(axis, len(shape))              # only to check the axes
    return shape


_flip = defop("flip", _flip_shape,
              lambda xp, x, axis: xp.flip(x, normalize_axes(axis, x.ndim)),
              lambda xp, g, out, x, axis: xp.flip(g, normalize_axes(axis, x.ndim)))


def flip(x, axis=None):
    """Reverse the order of the elements along `axis` (an int or a tuple; all axes when
    None): ``numpy.flip``, TF.js's ``tf.reverse``."""
    return _flip(x, axis=None if axis is None else _ints(axis, "axis"))


def _roll_pairs(shift, axis, ndim):
    """{axis: total shift}: NumPy's roll pairs shift with axis, broadcasting either one.

    >>> _roll_pairs((1, 2), (0,), 2)
    {0: 3}
    >>> _roll_pairs((1,), (0, -1), 2)
    {0: 1, 1: 1}
    """
    axes = (0,) if axis is None else axis         # None: the flattened elements' one axis
    if len(shift) != len(axes) and 1 not in (len(shift), len(axes)):
        raise ShapeError(f"shift={shift} and axis={axis} do not pair up: {len(shift)} shifts "
                         f"for {len(axes)} axes.",
                         expected="one shift per axis, or a single shift for all the axes",
                         fix=f"give {len(axes)} shifts, one per axis, e.g. "
                             f"shift={(1,) * len(axes)}, or one int: shift=1.")
    shifts = shift * len(axes) if len(shift) == 1 else shift
    axes = axes * len(shift) if len(axes) == 1 else axes
    totals = {}
    for s, a in zip(shifts, axes):
        a = normalize_axis(a, ndim)
        totals[a] = totals.get(a, 0) + s
    return totals


def _rolled(xp, a, shift, axis, sign=1):
    """`a` rolled by shift along axis (the other way for sign=-1, as its VJP)."""
    flat = a.reshape(-1) if axis is None else a
    totals = _roll_pairs(shift, axis, flat.ndim)
    if totals:
        flat = xp.roll(flat, tuple(sign * s for s in totals.values()), tuple(totals))
    return flat.reshape(a.shape)


def _roll_shape(shape, shift, axis):
    """
    >>> _roll_shape((None, 3), (1,), (-1,))
    (None, 3)
    """
    _roll_pairs(shift, axis, 1 if axis is None else len(shape))    # only to check them
    return shape


_roll = defop("roll", _roll_shape,
              lambda xp, x, shift, axis: _rolled(xp, x, shift, axis),
              lambda xp, g, out, x, shift, axis: _rolled(xp, g, shift, axis, sign=-1))


def roll(x, shift, axis=None):
    """Shift the elements along `axis`, those pushed off one end coming back at the other
    (``numpy.roll``, ``tf.roll``): [1, 2, 3] rolled by 1 is [3, 1, 2]. shift and axis may be
    tuples; axis=None rolls the flattened elements."""
    return _roll(x, shift=_ints(shift, "shift"),
                 axis=None if axis is None else _ints(axis, "axis"))


# ---- tril / triu: one triangle of the last two axes, the rest zeroed ------------------------
def _triangle_shape(shape, name):
    """
    >>> _triangle_shape((None, 4, 4), "tril")
    (None, 4, 4)
    """
    if len(shape) < 2:
        raise ShapeError(f"{name} needs a matrix: it keeps a triangle of the last two axes, "
                         f"but this tensor has rank {len(shape)}.",
                         expected="a tensor of rank 2 or more: a matrix (rows, cols), or a "
                                  "batch of them (..., rows, cols)",
                         fix="make it a matrix first, e.g. x[None] for one row (1, n) or "
                             "tk.reshape(x, (-1, 1)) for a column. (A causal mask for n "
                             "steps is tk.tril(tk.ones((n, n))).)")
    return shape


def _triangle(xp, a, k, lower):
    """`a` with the elements above (lower) or below (upper) its k-th diagonal zeroed."""
    rows, cols = a.shape[-2:]
    # (rows, cols) mask, broadcast over any leading (batch) axes
    keep = xp.tri(rows, cols, k, dtype=bool) if lower else \
        ~xp.tri(rows, cols, k - 1, dtype=bool)
    return xp.where(keep, a, xp.zeros((), dtype=a.dtype))


_tril = defop("tril", lambda shape, k: _triangle_shape(shape, "tril"),
              lambda xp, x, k: _triangle(xp, x, k, lower=True),
              lambda xp, g, out, x, k: _triangle(xp, g, k, lower=True))
_triu = defop("triu", lambda shape, k: _triangle_shape(shape, "triu"),
              lambda xp, x, k: _triangle(xp, x, k, lower=False),
              lambda xp, g, out, x, k: _triangle(xp, g, k, lower=False))


def tril(x, k=0):
    """The lower triangle of the last two axes, on and below diagonal k (k > 0: above the
    main one, k < 0: below), the rest zeroed (``numpy.tril``); batched over leading axes.
    ``tk.tril(tk.ones((T, T)))`` is a causal attention mask."""
    return _tril(x, k=_int(k, "k"))


def triu(x, k=0):
    """The upper triangle of the last two axes, on and above diagonal k, the rest zeroed
    (``numpy.triu``); batched over leading axes."""
    return _triu(x, k=_int(k, "k"))


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

