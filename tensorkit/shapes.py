"""Shape helpers shared by the op tables: pure functions on tuples.

`None` stands for a size not known yet (the batch of a symbolic tensor). Every helper
accepts it, so shapes and graphs can be worked out before there is any data.
"""

from .errors import ShapeError, format_shape


def broadcast_shapes(*shapes):
    """The shape NumPy's broadcasting gives, or a ShapeError in NumPy's words.

    >>> broadcast_shapes((32, 1, 5), (4, 1))
    (32, 4, 5)
    >>> broadcast_shapes((None, 10), (10,))
    (None, 10)
    >>> broadcast_shapes((None, 1), (3, 4))
    (3, 4)
    >>> broadcast_shapes((128,), (None, 128))
    (None, 128)
    """
    if shapes and shapes.count(shapes[0]) == len(shapes):   # all equal: the hot path
        return tuple(shapes[0])
    if len(shapes) == 2:                # one the other's tail, as a bias (128,) on (32, 128):
        a, b = shapes                   # the pairs that meet are equal, so the longer wins
        if len(a) < len(b):
            a, b = b, a
        if tuple(a[len(a) - len(b):]) == tuple(b):
            return tuple(a)
    ndim = max(len(s) for s in shapes)
    padded = [(1,) * (ndim - len(s)) + tuple(s) for s in shapes]
    out = []
    for axis, sizes in enumerate(zip(*padded)):
        known = {n for n in sizes if n is not None and n != 1}
        if len(known) > 1:
            listed = " ".join(format_shape(s) for s in shapes)
            raise ShapeError(
                f"operands could not be broadcast together with shapes {listed}: "
                f"sizes {' vs '.join(str(n) for n in sizes)} on axis {axis - ndim}.",
                expected="each axis, counted from the right, to have equal sizes or a size of 1",
                fix="reshape one operand so the axes that should pair up line up from the right "
                    "(for example x[:, None] or tk.expand_dims(x, -1)), or give the "
                    "unmatched axis a size of 1.")
        if known:
            out.append(known.pop())
        elif None in sizes:
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def broadcast_dims(shapes, dims):
    """Merge dim labels the way broadcasting aligns axes: from the right.

    >>> broadcast_dims([(2, 3), (3,)], [("batch", None), ("features",)])
    ('batch', 'features')
    """
    ndim = max(len(s) for s in shapes)
    out = [None] * ndim
    for shape, labels in zip(shapes, dims):
        if labels is None:
            continue
        offset = ndim - len(shape)
        for i, label in enumerate(labels):
            if label is None:
                continue
            have = out[offset + i]
            if have is not None and have != label:
                raise ShapeError(
                    f"dim labels {have!r} and {label!r} meet on axis {offset + i - ndim}.",
                    expected="axes that pair up under broadcasting to carry the same label "
                             "(or none)",
                    fix="transpose one operand so the labelled axes line up, or relabel one "
                        "with .with_dims(...) if they really are the same dimension.")
            out[offset + i] = label
    return tuple(out)


def normalize_axis(axis, ndim, op_name=None):
    """A non-negative axis, or a ShapeError that says which axes exist.

    >>> normalize_axis(-1, 3)
    2
    """
    if not isinstance(axis, int) or isinstance(axis, bool):
        raise ShapeError(f"axis={axis!r} is not an integer.",
                         expected=f"an integer axis from {-ndim} to {ndim - 1}",
                         fix="pass axis as an int, e.g. axis=-1 for the last axis.")
    if not -ndim <= axis < ndim:
        valid = f"{-ndim}..{ndim - 1}" if ndim else "none (the tensor is a scalar)"
        raise ShapeError(
            f"axis {axis} is out of range for a tensor of rank {ndim}.",
            expected=f"an axis in {valid}",
            fix=f"count axes from 0 (first) or -1 (last); this tensor has {ndim} axes.")
    return axis % ndim if ndim else 0


def normalize_axes(axis, ndim):
    """A sorted tuple of axes, all of them for None.

    >>> normalize_axes(None, 3)
    (0, 1, 2)
    >>> normalize_axes((-1, 0), 3)
    (0, 2)
    """
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (tuple, list)):
        axes = tuple(sorted(normalize_axis(a, ndim) for a in axis))
        if len(set(axes)) != len(axes):
            raise ShapeError(f"axis={tuple(axis)} names an axis twice.",
                             expected="each axis at most once", fix="remove the repeated axis.")
        return axes
    return (normalize_axis(axis, ndim),)


def reduced_shape(shape, axis=None, keepdims=False):
    """The shape left after reducing `axis` (all axes for None).

    >>> reduced_shape((None, 5, 3), axis=1)
    (None, 3)
    >>> reduced_shape((2, 3), keepdims=True)
    (1, 1)
    """
    axes = normalize_axes(axis, len(shape))
    if keepdims:
        return tuple(1 if i in axes else n for i, n in enumerate(shape))
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def reduced_dims(shapes, dims, axis=None, keepdims=False):
    """Labels after a reduction: the reduced axes lose theirs (or keep it with keepdims)."""
    labels = dims[0]
    if keepdims:
        return labels
    axes = normalize_axes(axis, len(shapes[0]))
    return tuple(d for i, d in enumerate(labels) if i not in axes)


def same_shape(shape, **_):
    """Elementwise ops on one input keep its shape."""
    return shape


def same_dims(shapes, dims, **_):
    return dims[0]


def size_of(shape):
    """Number of elements, or None while a size is unknown.

    >>> size_of((2, 3, 4))
    24
    >>> size_of((None, 3)) is None
    True
    """
    n = 1
    for s in shape:
        if s is None:
            return None
        n *= s
    return n
