"""Spatial reshaping layers: UpSampling1D/2D/3D, ZeroPadding1D/2D/3D and Cropping1D/2D/3D,
channels last as Keras 3.

(Flatten, Reshape, Permute and RepeatVector live in core.py, as in TF.js.)
"""

import operator

from .. import ops
from ..errors import ShapeError, format_shape
from ..ops.conv import upsample_shape
from .base import Layer
from .convolutional import check_data_format, check_rank, check_shape, int_tuple

__all__ = ["UpSampling1D", "UpSampling2D", "UpSampling3D", "ZeroPadding1D", "ZeroPadding2D",
           "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D"]


class UpSampling2D(Layer):
    """Repeat rows and columns: (B, H, W, C) -> (B, H * sh, W * sw, C). "nearest" copies
    each pixel; "bilinear" interpolates (TensorFlow's half-pixel centres)."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = int_tuple("UpSampling2D", "size", size, 2)
        self.data_format = check_data_format("UpSampling2D", data_format)
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError("UpSampling2D expects interpolation to be 'nearest' or 'bilinear'."
                             f" Received: interpolation={interpolation!r}")
        self.interpolation = interpolation

    def build(self, input_shape):
        check_rank(self, "upsample2d", input_shape, 2)
        check_shape(self, "upsample2d", upsample_shape, (tuple(input_shape),), size=self.size,
                    interpolation=self.interpolation)

    def call(self, inputs):
        return ops.upsample2d(inputs, size=self.size, interpolation=self.interpolation)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}


def _padding_pairs(padding, n=2):
    """((top, bottom), (left, right)) from Keras's forms: p, (ph, pw), ((t, b), (l, r));
    n=3 adds (front, back) for the depth first.

    >>> _padding_pairs(1)
    ((1, 1), (1, 1))
    >>> _padding_pairs((1, 2))
    ((1, 1), (2, 2))
    >>> _padding_pairs(((0, 1), (2, 3)))
    ((0, 1), (2, 3))
    >>> _padding_pairs((1, (2, 0), 3), n=3)
    ((1, 1), (2, 0), (3, 3))
    """
    if isinstance(padding, bool):
        raise TypeError
    if not isinstance(padding, (tuple, list)):
        return ((operator.index(padding),) * 2,) * n
    if len(padding) != n:
        raise TypeError
    return tuple(tuple(operator.index(v) for v in p) if isinstance(p, (tuple, list))
                 else (operator.index(p),) * 2 for p in padding)


_EDGES = {2: "a pair (rows, cols), or ((top, bottom), (left, right))",
          3: "3 ints (depth, rows, cols), or ((front, back), (top, bottom), (left, right))"}


def _edge_pairs(kind, arg, value, n=2):
    """((top, bottom), (left, right)) from an int, (rows, cols) or the pairs themselves
    (n=3: ((front, back), (top, bottom), (left, right)) from an int, 3 ints or 3 pairs)."""
    try:
        pairs = _padding_pairs(value, n)
    except TypeError:
        pairs = None
    if pairs is None or any(len(p) != 2 or min(p) < 0 for p in pairs):
        raise ValueError(f"{kind} expects {arg} to be a non-negative int, {_EDGES[n]}. "
                         f"Received: {arg}={value!r}")
    return pairs


class ZeroPadding2D(Layer):
    """Add rows and columns of zeros around each image: (B, H, W, C) ->
    (B, H + top + bottom, W + left + right, C). ``padding``: an int, (rows, cols), or
    ((top, bottom), (left, right))."""

    rank = 2                                       # spatial axes

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        self.padding = _edge_pairs(kind, "padding", padding, self.rank)
        self.data_format = check_data_format(kind, data_format, self.rank)

    def build(self, input_shape):
        check_rank(self, "pad", input_shape, self.rank)

    def call(self, inputs):
        # (B, H, W, C) -> (B, t + H + b, l + W + r, C); a volume's depth likewise
        return ops.pad(inputs, ((0, 0),) + self.padding + ((0, 0),))

    def get_config(self):
        return {**super().get_config(), "padding": self.padding,
                "data_format": self.data_format}


class ZeroPadding3D(ZeroPadding2D):
    """Add zeros around each volume: (B, D, H, W, C) -> (B, front + D + back,
    top + H + bottom, left + W + right, C). ``padding``: an int, (depth, rows, cols), or
    ((front, back), (top, bottom), (left, right))."""

    rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class UpSampling3D(Layer):
    """Repeat each cell of a volume: (B, D, H, W, C) -> (B, D * sd, H * sh, W * sw, C),
    nearest neighbour (the only interpolation Keras has for volumes)."""

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.size = int_tuple("UpSampling3D", "size", size, 3)
        self.data_format = check_data_format("UpSampling3D", data_format, 3)

    def build(self, input_shape):
        check_rank(self, "upsample3d", input_shape, 3)
        check_shape(self, "upsample3d", upsample_shape, (tuple(input_shape),), size=self.size)

    def call(self, inputs):
        return ops.upsample3d(inputs, size=self.size)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}


class UpSampling1D(Layer):
    """Repeat each step `size` times: (B, T, C) -> (B, T * size, C)."""

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if isinstance(size, (tuple, list)):             # Keras: one integer, not a tuple
            raise ValueError(f"UpSampling1D expects size to be one positive integer (how often "
                             f"each step repeats). Received: size={size!r}. Fix: size=2.")
        (self.size,) = int_tuple("UpSampling1D", "size", size, 1)

    def build(self, input_shape):
        check_rank(self, "upsample1d", input_shape, 1)

    def call(self, inputs):
        # (B, T, C) -> (B, 1, T, C) -> (B, 1, T * size, C) -> (B, T * size, C)
        x = ops.upsample2d(ops.expand_dims(inputs, 1), size=(1, self.size))
        return ops.squeeze(x, axis=1)

    def get_config(self):
        return {**super().get_config(), "size": self.size}


class ZeroPadding1D(Layer):
    """Add zero steps at the start and end: (B, T, C) -> (B, left + T + right, C).
    ``padding``: an int (both sides) or (left, right)."""

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = int_tuple("ZeroPadding1D", "padding", padding, 2, low=0)
        self.data_format = check_data_format("ZeroPadding1D", data_format)

    def build(self, input_shape):
        check_rank(self, "pad", input_shape, 1)

    def call(self, inputs):
        return ops.pad(inputs, ((0, 0), self.padding, (0, 0)))

    def get_config(self):
        return {**super().get_config(), "padding": self.padding,
                "data_format": self.data_format}


def _crop(layer, input_shape, cropping):
    """Slices keeping what `cropping` ((before, after) per spatial axis) leaves, or a
    ShapeError when it leaves nothing."""
    slices = [slice(None)]
    for axis, (n, (b, a)) in enumerate(zip(input_shape[1:-1], cropping), start=1):
        if n is not None and b + a >= n:
            raise ShapeError(f"{type(layer).__name__} crops {b} + {a} from axis {axis} of "
                             f"the input {format_shape(input_shape)}, which leaves nothing.",
                             expected=f"cropping smaller than {n} along axis {axis}",
                             fix="crop less, or check the input's size.",
                             op=type(layer).__name__, shapes=(tuple(input_shape),),
                             layer=layer.name)
        slices.append(slice(b, -a if a else None))
    return tuple(slices)


class Cropping1D(Layer):
    """Drop steps at the start and end: (B, T, C) -> (B, T - left - right, C)."""

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = int_tuple("Cropping1D", "cropping", cropping, 2, low=0)

    def build(self, input_shape):
        check_rank(self, "crop", input_shape, 1)
        _crop(self, input_shape, (self.cropping,))

    def call(self, inputs):
        return inputs[_crop(self, inputs.shape, (self.cropping,))]

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping}


class Cropping2D(Layer):
    """Drop rows and columns at the edges: (B, H, W, C) -> (B, H - top - bottom,
    W - left - right, C). ``cropping``: an int, (rows, cols), or ((top, bottom), (left, right))."""

    rank = 2                                       # spatial axes

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        self.cropping = _edge_pairs(kind, "cropping", cropping, self.rank)
        self.data_format = check_data_format(kind, data_format, self.rank)

    def build(self, input_shape):
        check_rank(self, "crop", input_shape, self.rank)
        _crop(self, input_shape, self.cropping)

    def call(self, inputs):
        return inputs[_crop(self, inputs.shape, self.cropping)]

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping,
                "data_format": self.data_format}


class Cropping3D(Cropping2D):
    """Drop cells at the edges of each volume: (B, D - front - back, H - top - bottom,
    W - left - right, C). ``cropping``: an int, (depth, rows, cols), or
    ((front, back), (top, bottom), (left, right)); Keras's default crops 1 everywhere."""

    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)
