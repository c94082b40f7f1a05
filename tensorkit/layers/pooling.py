"""Pooling layers: windowed max/average (1-D, 2-D and 3-D) and global max/average, as
Keras 3.

Windowed pooling keeps the channels and shrinks the spatial axes: 2x2 windows with the
default strides (= pool_size) halve height and width (2x2x2 windows also halve a volume's
depth). Global pooling reduces the spatial axes away: (batch, H, W, C) -> (batch, C), the
usual bridge from convolutions to Dense. Adaptive pooling gives a fixed output_size
whatever the input's size: (batch, H, W, C) -> (batch, 7, 7, C) for any H and W, each
output cell the mean or max of its window of about H / 7 rows (tk.ops.conv.adaptive_bins).
"""

import operator

from .. import ops
from ..ops.conv import pool_shape
from .base import ArgumentError, Layer
from .convolutional import check_data_format, check_padding, check_rank, check_shape, int_tuple

__all__ = ["MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D",
           "AveragePooling2D", "AveragePooling3D", "GlobalAveragePooling1D",
           "GlobalAveragePooling2D", "GlobalAveragePooling3D", "GlobalMaxPooling1D",
           "GlobalMaxPooling2D", "GlobalMaxPooling3D", "MaxPool1D", "MaxPool2D", "MaxPool3D",
           "AvgPool1D", "AvgPool2D", "AvgPool3D", "GlobalMaxPool1D", "GlobalMaxPool2D",
           "GlobalMaxPool3D", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D",
           "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
           "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D"]


class _Pooling(Layer):
    rank = None
    op = None                      # e.g. "max_pool2d"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        self.pool_size = int_tuple(kind, "pool_size", pool_size, self.rank)
        self.strides = self.pool_size if strides is None else \
            int_tuple(kind, "strides", strides, self.rank)
        self.padding = check_padding(kind, padding)
        self.data_format = check_data_format(kind, data_format, self.rank)

    def build(self, input_shape):
        check_rank(self, self.op, input_shape, self.rank)
        check_shape(self, self.op, pool_shape, (tuple(input_shape),), pool_size=self.pool_size,
                    strides=self.strides, padding=self.padding)

    def call(self, inputs):
        # (B, *spatial, C) -> (B, *spatial / strides, C)
        return getattr(ops, self.op)(inputs, pool_size=self.pool_size, strides=self.strides,
                                     padding=self.padding)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format}


class MaxPooling1D(_Pooling):
    """The largest value of each window of `pool_size` steps: (B, L, C) -> (B, L / 2, C)."""

    rank, op = 1, "max_pool1d"


class MaxPooling2D(_Pooling):
    """The largest value of each window: (B, H, W, C) -> (B, H / 2, W / 2, C) for 2x2."""

    rank, op = 2, "max_pool2d"


class MaxPooling3D(_Pooling):
    """The largest value of each window of a volume: (B, D, H, W, C) ->
    (B, D / 2, H / 2, W / 2, C) for 2x2x2."""

    rank, op = 3, "max_pool3d"


class AveragePooling1D(_Pooling):
    """The mean of each window of steps; with padding="same" padded steps are not counted."""

    rank, op = 1, "avg_pool1d"


class AveragePooling2D(_Pooling):
    """The mean of each window; with padding="same" padded cells are not counted, as TF."""

    rank, op = 2, "avg_pool2d"


class AveragePooling3D(_Pooling):
    """The mean of each window of a volume; with padding="same" padded cells are not
    counted, as TF."""

    rank, op = 3, "avg_pool3d"


class _GlobalPooling(Layer):
    rank = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = check_data_format(type(self).__name__, data_format, self.rank)
        self.keepdims = bool(keepdims)

    def build(self, input_shape):
        check_rank(self, type(self).__name__, input_shape, self.rank)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class GlobalAveragePooling1D(_GlobalPooling):
    """The mean over the steps: (B, T, C) -> (B, C). With a mask (Embedding(mask_zero=True))
    the masked (padding) steps are left out of the mean, as Keras; the output has no mask."""

    rank = 1

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.mean(inputs, axis=1, keepdims=self.keepdims)
        m = ops.expand_dims(ops.cast(mask, inputs.dtype), -1)     # (B, T) -> (B, T, 1)
        return ops.sum(inputs * m, axis=1, keepdims=self.keepdims) / \
            ops.sum(m, axis=1, keepdims=self.keepdims)            # (B, C) / (B, 1)

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalAveragePooling2D(_GlobalPooling):
    """The mean over height and width: (B, H, W, C) -> (B, C)."""

    rank = 2

    def call(self, inputs):
        return ops.mean(inputs, axis=(1, 2), keepdims=self.keepdims)


class GlobalAveragePooling3D(_GlobalPooling):
    """The mean over depth, height and width: (B, D, H, W, C) -> (B, C)."""

    rank = 3

    def call(self, inputs):
        return ops.mean(inputs, axis=(1, 2, 3), keepdims=self.keepdims)


class GlobalMaxPooling1D(_GlobalPooling):
    """The largest value over the steps: (B, T, C) -> (B, C)."""

    rank = 1

    def call(self, inputs):
        return ops.max(inputs, axis=1, keepdims=self.keepdims)


class GlobalMaxPooling2D(_GlobalPooling):
    """The largest value over height and width: (B, H, W, C) -> (B, C)."""

    rank = 2

    def call(self, inputs):
        return ops.max(inputs, axis=(1, 2), keepdims=self.keepdims)


class GlobalMaxPooling3D(_GlobalPooling):
    """The largest value over depth, height and width: (B, D, H, W, C) -> (B, C)."""

    rank = 3

    def call(self, inputs):
        return ops.max(inputs, axis=(1, 2, 3), keepdims=self.keepdims)


_SIZE_NAMES = {1: "an integer or a tuple of 1 integer", 2: "an integer or a (height, width) "
               "tuple", 3: "an integer or a (depth, height, width) tuple"}


def output_size_tuple(layer, value, n):
    """Keras's check of output_size: an int (the same along each axis) or n ints. Keras
    raises a TypeError (a ValueError for a 1-D tuple of another length); ArgumentError is
    both. Sizes below 1, which Keras lets through to fail in the op, are refused here."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value,) * n
    try:
        sizes = tuple(operator.index(v) for v in items if not isinstance(v, bool))
    except TypeError:
        sizes = ()
    if len(sizes) == len(items) == n and min(sizes) >= 1:
        return sizes
    example = ", ".join(["7"] * n)
    raise ArgumentError(f"{layer} expects output_size to be {_SIZE_NAMES[n]} of positive "
                        f"sizes. Received: output_size={value!r} of type "
                        f"{type(value).__name__}. Fix: output_size=7 or output_size=({example}"
                        f"{',' if n == 1 else ''}).")


class _AdaptivePooling(Layer):
    """What the adaptive pooling layers share: (batch, *spatial, C) -> (batch, *output_size,
    C), through the op ``adaptive_{avg|max}_pool{rank}d``."""

    rank = None
    op = None                      # e.g. "adaptive_avg_pool2d"

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        self.output_size = output_size_tuple(kind, output_size, self.rank)
        self.data_format = check_data_format(kind, data_format, self.rank)

    def build(self, input_shape):
        check_rank(self, self.op, input_shape, self.rank)

    def call(self, inputs):
        # (B, *spatial, C) -> (B, *output_size, C)
        return getattr(ops, self.op)(inputs, self.output_size)

    def get_config(self):
        return {**super().get_config(), "output_size": self.output_size,
                "data_format": self.data_format}


class AdaptiveAveragePooling1D(_AdaptivePooling):
    """The mean of each of `output_size` windows of steps: (B, L, C) -> (B, output_size, C)
    for any L; window i covers steps [floor(i * L / out), ceil((i + 1) * L / out))."""

    rank, op = 1, "adaptive_avg_pool1d"


class AdaptiveAveragePooling2D(_AdaptivePooling):
    """The mean of each of output_size = (oh, ow) windows: (B, H, W, C) -> (B, oh, ow, C)
    for any H and W, as PyTorch's AdaptiveAvgPool2d (ResNet's head pools to (1, 1))."""

    rank, op = 2, "adaptive_avg_pool2d"


class AdaptiveAveragePooling3D(_AdaptivePooling):
    """The mean of each of output_size = (od, oh, ow) windows of a volume:
    (B, D, H, W, C) -> (B, od, oh, ow, C)."""

    rank, op = 3, "adaptive_avg_pool3d"


class AdaptiveMaxPooling1D(_AdaptivePooling):
    """The largest value of each of `output_size` windows of steps: (B, L, C) ->
    (B, output_size, C); the gradient goes to each window's first maximum."""

    rank, op = 1, "adaptive_max_pool1d"


class AdaptiveMaxPooling2D(_AdaptivePooling):
    """The largest value of each of output_size = (oh, ow) windows: (B, H, W, C) ->
    (B, oh, ow, C); the gradient goes to each window's first maximum, row by row."""

    rank, op = 2, "adaptive_max_pool2d"


class AdaptiveMaxPooling3D(_AdaptivePooling):
    """The largest value of each of output_size = (od, oh, ow) windows of a volume:
    (B, D, H, W, C) -> (B, od, oh, ow, C)."""

    rank, op = 3, "adaptive_max_pool3d"


# Keras's other names for the same classes (keras.layers.MaxPool2D is MaxPooling2D)
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalMaxPool3D, GlobalAvgPool3D = GlobalMaxPooling3D, GlobalAveragePooling3D
