"""Merging layers: join a list of branches, as Keras 3 (``Add()([x, y])``).

Add, Subtract, Multiply, Average, Maximum and Minimum combine the inputs elementwise:
they must have one shape (sizes of 1 broadcast, as Keras allows) and one batch size.
Concatenate puts them side by side along `axis`: every other axis must agree. Dot takes the
dot product of two inputs along one axis each, example by example. Masks
(from Embedding(mask_zero=True)) combine too: a step is kept only where every input keeps it.
"""

import functools
import math

from .. import creation, ops
from ..errors import ShapeError, format_shape
from ..ops.shape import concatenate_shape
from ..shapes import broadcast_shapes, normalize_axis
from ..tensor import symbolic
from .base import Layer

__all__ = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot",
           "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate",
           "dot"]


def _listed(shapes):
    return ", ".join(format_shape(s) for s in shapes)


class _Merge(Layer):
    """Elementwise merges: check the list of inputs, then fold them with one op."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _error(self, problem, shapes, expected, fix):
        kind = type(self).__name__
        return ShapeError(problem, expected=expected, fix=fix, op=kind,
                          shapes=[tuple(s) for s in shapes], layer=self.name)

    def _check_list(self, input_shape, count=None):
        kind = type(self).__name__
        if not isinstance(input_shape, list):
            raise ValueError(f"{kind} merges a list of tensors: {kind}()([x, y]). Received: "
                             f"one tensor of shape {format_shape(input_shape)}")
        if count is not None and len(input_shape) != count:
            raise ValueError(f"{kind} expects exactly {count} inputs, [x, y] (it computes "
                             f"x - y). Received: {len(input_shape)} inputs of shapes "
                             f"{_listed(input_shape)}")
        if not input_shape:
            raise ValueError(f"{kind} expects a list of at least 1 tensor. Received: []")

    def _check_shapes(self, shapes):
        self._check_list(shapes)
        batches = {s[0] for s in shapes if s and s[0] is not None}
        if len(batches) > 1:
            sizes = ", ".join(str(s[0]) for s in shapes)
            raise self._error(f"the inputs have different batch sizes ({sizes}).", shapes,
                              "inputs with the same number of examples",
                              "pass the same batch of examples to every branch.")
        try:
            broadcast_shapes(*[tuple(s[1:]) for s in shapes])
        except ShapeError as e:
            raise self._error(
                f"the inputs must have one shape, but {e.problem.split(': ', 1)[-1]}", shapes,
                "inputs of the same shape (a size of 1 may broadcast)",
                "make every branch end with the same shape, e.g. the same Dense(units) or "
                "Conv2D(filters); to keep branches of different sizes side by side, use "
                "Concatenate instead.") from None

    def build(self, input_shape):
        self._check_list(input_shape)

    def call(self, inputs):
        self._check_shapes([t.shape for t in inputs])
        return self._merge(inputs)

    def _merge(self, inputs):
        return functools.reduce(self._pair, inputs)

    def compute_mask(self, inputs, mask=None):
        masks = [m for m in (mask or []) if m is not None]
        if not masks:
            return None
        return functools.reduce(ops.logical_and, masks)


class Add(_Merge):
    """x1 + x2 + ...: residual connections (``Add()([x, block(x)])``)."""

    _pair = staticmethod(ops.add)


class Subtract(_Merge):
    """x - y, for exactly two inputs [x, y]."""

    def build(self, input_shape):
        self._check_list(input_shape, count=2)

    def call(self, inputs):
        self._check_list([t.shape for t in inputs], count=2)
        return super().call(inputs)

    _pair = staticmethod(ops.sub)


class Multiply(_Merge):
    """x1 * x2 * ... elementwise (gates, attention weights)."""

    _pair = staticmethod(ops.mul)


class Average(_Merge):
    """(x1 + x2 + ...) / n: e.g. an ensemble of models."""

    def _merge(self, inputs):
        return functools.reduce(ops.add, inputs) / len(inputs)


class Maximum(_Merge):
    """The elementwise maximum of the inputs."""

    _pair = staticmethod(ops.maximum)


class Minimum(_Merge):
    """The elementwise minimum of the inputs."""

    _pair = staticmethod(ops.minimum)


class Concatenate(_Merge):
    """Join the inputs along `axis` (the features, -1, by default): (B, 3) and (B, 5) ->
    (B, 8). Every other axis must have the same size in every input."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"Concatenate expects axis to be an integer. Received: axis={axis!r}")
        self.axis = axis

    def _check_shapes(self, shapes):
        self._check_list(shapes)
        try:
            concatenate_shape(*[tuple(s) for s in shapes], axis=self.axis)
        except ShapeError as e:
            raise self._error(
                e.problem, shapes, e.expected,
                "resize one branch so the other axes agree (for images: UpSampling2D, "
                "pooling, ZeroPadding2D or a strided Conv2D), or flatten both first to join "
                "them as vectors.") from None

    def _merge(self, inputs):
        # (B, ..., n1), (B, ..., n2) -> (B, ..., n1 + n2) for axis=-1
        return ops.concatenate(inputs, axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        """Time masks (B, T): ANDed when joining features, joined when joining steps."""
        if mask is None or all(m is None for m in mask):
            return None
        rank = len(inputs[0].shape)
        mask_rank = next(len(m.shape) for m in mask if m is not None)
        axis = normalize_axis(self.axis, rank)
        if axis >= mask_rank:                       # features: one step, every input's verdict
            return super().compute_mask(inputs, mask)
        masks = [m if m is not None else _all_true(t.shape[:mask_rank], t)
                 for t, m in zip(inputs, mask)]
        return ops.concatenate(masks, axis=axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dot(_Merge):
    """Dot products of [x, y], example by example, along axis axes[0] of x and axes[1] of y
    (one int: the same for both): (B, T, d), (B, S, d) with axes=2 -> (B, T, S); two
    vectors (B, d), (B, d) -> (B, 1). ``normalize=True`` L2-normalizes both first (cosine
    similarity)."""

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        pair = tuple(axes) if isinstance(axes, (list, tuple)) else (axes, axes)
        if len(pair) != 2 or any(isinstance(a, bool) or not isinstance(a, int) for a in pair):
            raise ValueError("Dot expects axes to be an integer or a pair of integers. "
                             f"Received: axes={axes!r}")
        self.axes, self.normalize = axes, bool(normalize)
        self.supports_masking = False

    def _axes(self, shapes):
        pair = tuple(self.axes) if isinstance(self.axes, (list, tuple)) else (self.axes,) * 2
        for a, s in zip(pair, shapes):
            if len(s) < 2 or not -len(s) <= a < len(s):
                raise self._error(
                    f"axes={self.axes} asks for axis {a} of an input of rank {len(s)}, "
                    f"{format_shape(s)}.", shapes,
                    "inputs of rank 2 or more, (batch, ..., d), and axes within them",
                    "Dot(axes=-1) for the last axis; add the batch axis with x[None].")
        return [normalize_axis(a, len(s)) for a, s in zip(pair, shapes)]

    def _check_shapes(self, shapes):
        self._check_list(shapes, count=2)
        (a, b), (x, y) = self._axes(shapes), shapes
        if 0 in (a, b) or (x[a] is not None and y[b] is not None and x[a] != y[b]):
            raise self._error(
                f"Dot contracts axis {a} of {format_shape(x)} with axis {b} of "
                f"{format_shape(y)}, of sizes {x[a]} and {y[b]}.", shapes,
                "two non-batch axes of the same size",
                "pick axes whose sizes agree, e.g. Dot(axes=-1) for (B, T, d) and (B, S, d)."
            )

    def build(self, input_shape):
        self._check_list(input_shape, count=2)

    def _merge(self, inputs):
        x, y = inputs
        a, b = self._axes([x.shape, y.shape])
        if self.normalize:              # Keras: x * min(rsqrt(sum(x^2)), 1 / epsilon)
            x, y = (t * ops.minimum(ops.sum(t * t, axis=i, keepdims=True) ** -0.5, 1e7)
                    for t, i in ((x, a), (y, b)))
        rest_x = [n for i, n in enumerate(x.shape) if i not in (0, a)]
        rest_y = [n for i, n in enumerate(y.shape) if i not in (0, b)]
        # x: (B, ..., k, ...) -> (B, M, k); y: (B, ..., k, ...) -> (B, k, N)
        x = ops.transpose(x, [0] + [i for i in range(1, len(x.shape)) if i != a] + [a])
        y = ops.transpose(y, [0, b] + [i for i in range(1, len(y.shape)) if i != b])
        k = x.shape[-1]
        out = ops.reshape(x, (-1, math.prod(rest_x), k)) @ \
            ops.reshape(y, (-1, k, math.prod(rest_y)))          # (B, M, N)
        return ops.reshape(out, (-1,) + tuple(rest_x + rest_y or [1]))

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _all_true(shape, like):
    """A mask keeping every step, for an input that has none."""
    if like.is_symbolic:
        return symbolic(shape, dtype="bool")
    return creation.ones(shape, dtype="bool")


# ---- Keras' functional forms: layers.add([x, y]) is Add()([x, y]) ------------------------
def _functional(cls):
    def merge(inputs, **kwargs):
        return cls(**kwargs)(inputs)
    merge.__name__ = merge.__qualname__ = cls.__name__.lower()
    merge.__doc__ = f"``{cls.__name__}(**kwargs)(inputs)`` in one call, as Keras' " \
                    f"``layers.{merge.__name__}``."
    return merge


add, subtract, multiply = _functional(Add), _functional(Subtract), _functional(Multiply)
average, maximum, minimum = _functional(Average), _functional(Maximum), _functional(Minimum)


def concatenate(inputs, axis=-1, **kwargs):
    """``Concatenate(axis=axis, **kwargs)(inputs)`` in one call, as Keras'
    ``layers.concatenate``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, **kwargs):
    """``Dot(axes=axes, **kwargs)(inputs)`` in one call, as Keras' ``layers.dot`` (whose
    axes default to -1 where the class needs them)."""
    return Dot(axes=axes, **kwargs)(inputs)
