"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization,
RMSNormalization and UnitNormalization, as Keras 3.

BatchNormalization normalizes each channel with the batch's statistics while training
(``training=True``) and keeps moving averages of them for inference. Frozen
(``layer.trainable = False``) it always runs in inference mode, also inside ``fit``, as
Keras 3 does, which is what fine-tuning a pretrained model needs (Keras 3's rule is the
one followed where TF.js's older behaviour differs). LayerNormalization
normalizes each example over its features and has no moving statistics; GroupNormalization
over groups of its channels (one group: LayerNormalization over all axes but the batch;
one channel a group: instance normalization); RMSNormalization divides by the root mean
square without centring (LLaMA, T5). UnitNormalization scales each example to length 1 and
has no weights.
"""

import warnings

from .. import backend, initializers, ops
from ..errors import ShapeError, format_shape
from ..shapes import normalize_axes
from .base import Layer, get_initializer

__all__ = ["BatchNormalization", "LayerNormalization", "GroupNormalization",
           "RMSNormalization", "UnitNormalization"]


def _check_epsilon(layer, epsilon):
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float)) or epsilon <= 0:
        raise ValueError(f"{layer} expects epsilon to be a small positive number (it keeps the "
                         f"division away from zero). Received: epsilon={epsilon!r}")
    return float(epsilon)


def _check_axis(layer, axis):
    items = axis if isinstance(axis, (list, tuple)) else [axis]
    if not items or any(isinstance(a, bool) or not isinstance(a, int) for a in items):
        raise ValueError(f"{layer} expects axis to be an integer"
                         f"{' or a list of integers' if layer == 'LayerNormalization' else ''}."
                         f" Received: axis={axis!r}")
    return list(axis) if isinstance(axis, (list, tuple)) else axis


def _scale_and_offset(layer, shape, scale=None, center=None):
    """gamma and beta (None when scale / center is off), created in Keras' order."""
    scale = layer.scale if scale is None else scale
    center = layer.center if center is None else center
    gamma = layer.add_weight("gamma", shape, layer.gamma_initializer) if scale else None
    beta = layer.add_weight("beta", shape, layer.beta_initializer) if center else None
    return gamma, beta


def _param_shape(layer, input_shape, axis):
    """The sizes of the input on `axis`: the shape of gamma and beta."""
    if len(input_shape) < 2:
        raise ShapeError(f"the input has rank {len(input_shape)}, but {type(layer).__name__} "
                         "needs rank 2 or more: (batch, features) or (batch, ..., channels).",
                         expected="an input of rank >= 2 with a batch axis first",
                         fix="add the batch axis: x[None] is a batch of one example.",
                         op=type(layer).__name__, shapes=(tuple(input_shape),),
                         layer=layer.name)
    try:
        axes = normalize_axes(tuple(axis) if isinstance(axis, list) else axis, len(input_shape))
    except ShapeError as e:
        raise ShapeError(e.problem, expected=e.expected, fix=e.fix, op=type(layer).__name__,
                         shapes=(tuple(input_shape),), layer=layer.name) from None
    shape = tuple(input_shape[a] for a in axes)
    if 0 in axes or None in shape:
        problem = ("axis 0 is the batch axis, whose size changes from batch to batch" if 0 in
                   axes else f"the input's size on axis {axis} is unknown (None)")
        raise ShapeError(f"{problem}, so the layer cannot make one weight per position of it.",
                         expected="an axis of known size (the channels or features)",
                         fix=f"normalize the features, axis=-1, and give the Input a full "
                             f"shape (here {format_shape(input_shape)}).",
                         op=type(layer).__name__, shapes=(tuple(input_shape),),
                         layer=layer.name)
    return shape


class BatchNormalization(Layer):
    """``gamma * (x - mean) / sqrt(var + epsilon) + beta`` per channel (`axis`).

    Training: mean and (biased) variance of this batch over every other axis, and
    ``moving = moving * momentum + batch * (1 - momentum)``. Inference (and when frozen):
    moving_mean and moving_variance. Weights, in get_weights() order: gamma, beta
    (trainable), moving_mean, moving_variance (not trainable), each (channels,).
    """

    regularized = {"beta_regularizer": "beta", "gamma_regularizer": "gamma"}

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones", **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            raise ValueError("BatchNormalization expects axis to be one integer (the channel "
                             f"axis, -1 for channels last). Received: axis={axis!r}")
        self.axis = _check_axis("BatchNormalization", axis)
        if isinstance(momentum, bool) or not isinstance(momentum, (int, float)) or \
                not 0 <= momentum <= 1:
            raise ValueError("BatchNormalization expects momentum in [0, 1] (0.99 keeps 99% of "
                             f"the moving statistics each step). Received: momentum={momentum!r}")
        self.momentum = float(momentum)
        self.epsilon = _check_epsilon("BatchNormalization", epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = get_initializer(self, "beta_initializer", beta_initializer)
        self.gamma_initializer = get_initializer(self, "gamma_initializer", gamma_initializer)
        self.moving_mean_initializer = get_initializer(self, "moving_mean_initializer",
                                                       moving_mean_initializer)
        self.moving_variance_initializer = get_initializer(self, "moving_variance_initializer",
                                                           moving_variance_initializer)
        self.supports_masking = True

    def build(self, input_shape):
        shape = _param_shape(self, input_shape, self.axis)
        self.gamma, self.beta = _scale_and_offset(self, shape)
        self.moving_mean = self.add_weight("moving_mean", shape, self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape,
                                               self.moving_variance_initializer,
                                               trainable=False)

    def call(self, inputs, training=False):
        if training and self.trainable:
            if not inputs.is_symbolic:
                self._update_moving_statistics(inputs.data)
            return ops.batch_norm(inputs, self.gamma, self.beta, axis=self.axis,
                                  epsilon=self.epsilon)
        return ops.batch_normalization(inputs, self.moving_mean, self.moving_variance,
                                       axis=self.axis, offset=self.beta, scale=self.gamma,
                                       epsilon=self.epsilon)

    def _update_moving_statistics(self, x):
        """moving = moving * momentum + batch * (1 - momentum), in place, no gradient."""
        xp = backend.array_module(x)
        channel = normalize_axes(self.axis, x.ndim)[0]
        others = tuple(a for a in range(x.ndim) if a != channel)
        mean = x.mean(axis=others)
        var = x.var(axis=others)                        # biased, as the normalization uses
        for w, batch in ((self.moving_mean, mean), (self.moving_variance, var)):
            w.data[...] = xp.asarray(w.data * self.momentum + batch * (1.0 - self.momentum),
                                     dtype=w.dtype)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.name_of(self.beta_initializer),
                "gamma_initializer": initializers.name_of(self.gamma_initializer),
                "moving_mean_initializer": initializers.name_of(self.moving_mean_initializer),
                "moving_variance_initializer":
                    initializers.name_of(self.moving_variance_initializer)}


def _along(param, ndim, axes):
    """A weight with the sizes of `axes` made to broadcast against a rank-`ndim` input."""
    shape = [1] * ndim
    for a, n in zip(axes, param.shape):
        shape[a] = n
    return ops.reshape(param, tuple(shape))


class LayerNormalization(Layer):
    """``gamma * (x - mean) / sqrt(var + epsilon) + beta`` with the mean and variance of
    each example over `axis` (the features, -1 by default; a list for several axes).
    The same in training and inference. Weights: gamma, beta, shaped like `axis`.

    ``rms_scaling=True`` (deprecated in Keras 3, kept for old models) computes
    ``gamma * x / sqrt(var + epsilon)``: no centring and no beta."""

    regularized = {"beta_regularizer": "beta", "gamma_regularizer": "gamma"}

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", rms_scaling=False,
                 **kwargs):
        super().__init__(**kwargs)
        self.axis = _check_axis("LayerNormalization", axis)
        self.epsilon = _check_epsilon("LayerNormalization", epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.rms_scaling = bool(rms_scaling)
        if self.rms_scaling:
            warnings.warn("rms_scaling=True is deprecated in Keras 3: it scales by the "
                          "variance, not the root mean square, and keeps only gamma.",
                          stacklevel=2)
        self.beta_initializer = get_initializer(self, "beta_initializer", beta_initializer)
        self.gamma_initializer = get_initializer(self, "gamma_initializer", gamma_initializer)
        self.supports_masking = True

    def build(self, input_shape):
        shape = _param_shape(self, input_shape, self.axis)
        rms = self.rms_scaling                # Keras: then gamma always, never beta
        self.gamma, self.beta = _scale_and_offset(self, shape, self.scale or rms,
                                                  self.center and not rms)

    def call(self, inputs):
        if not self.rms_scaling:
            return ops.layer_norm(inputs, self.gamma, self.beta, axis=self.axis,
                                  epsilon=self.epsilon)
        axes = normalize_axes(_axis_tuple(self.axis), inputs.ndim)
        inv = 1.0 / ops.sqrt(ops.var(inputs, axis=axes, keepdims=True) + self.epsilon)
        return inputs * inv * _along(self.gamma, inputs.ndim, axes)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale, "rms_scaling": self.rms_scaling,
                "beta_initializer": initializers.name_of(self.beta_initializer),
                "gamma_initializer": initializers.name_of(self.gamma_initializer)}


def _axis_tuple(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _divisor_below(n, k):
    """The largest divisor of n that is at most k.

    >>> _divisor_below(12, 5)
    4
    """
    return max(d for d in range(1, min(n, k) + 1) if n % d == 0)


class GroupNormalization(Layer):
    """Split the channels (`axis`) into `groups` runs of equal length and normalize each
    example's group over its channels and every other non-batch axis:
    ``gamma * (x - mean) / sqrt(var + epsilon) + beta``. groups=1 is LayerNormalization
    over all non-batch axes, groups=-1 (one channel a group) instance normalization.
    The same in training and inference. Weights: gamma, beta, each (channels,)."""

    regularized = {"beta_regularizer": "beta", "gamma_regularizer": "gamma"}

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", **kwargs):
        super().__init__(**kwargs)
        if isinstance(groups, bool) or not isinstance(groups, int) or \
                (groups <= 0 and groups != -1):
            raise ValueError("GroupNormalization expects groups to be a positive integer (or "
                             "-1: one group per channel, instance normalization). Received: "
                             f"groups={groups!r}")
        if isinstance(axis, (list, tuple)):
            raise ValueError("GroupNormalization expects axis to be one integer (the channel "
                             f"axis, -1 for channels last). Received: axis={axis!r}")
        self.groups = groups
        self.axis = _check_axis("GroupNormalization", axis)
        self.epsilon = _check_epsilon("GroupNormalization", epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = get_initializer(self, "beta_initializer", beta_initializer)
        self.gamma_initializer = get_initializer(self, "gamma_initializer", gamma_initializer)
        self.supports_masking = True

    def build(self, input_shape):
        (channels,) = _param_shape(self, input_shape, self.axis)
        if None in input_shape[1:]:
            raise ShapeError(
                f"the input's sizes {format_shape(input_shape)} are not all known, and "
                "tensorkit's GroupNormalization reshapes the channels into groups with "
                "every other size known (Keras allows an unknown length here).",
                expected="every size but the batch known",
                fix="give the Input its full shape, e.g. padding the sequences to one "
                    "length.", op="GroupNormalization", shapes=(tuple(input_shape),),
                layer=self.name)
        if self.groups == -1:
            self.groups = channels
        if channels % self.groups:
            raise ShapeError(
                f"{channels} channels (axis {self.axis}) can't be split into {self.groups} "
                "groups of equal size.",
                expected=f"a number of groups that divides {channels}",
                fix=f"use groups={_divisor_below(channels, self.groups)} or another divisor "
                    f"of {channels}.",
                op="GroupNormalization", shapes=(tuple(input_shape),), layer=self.name)
        self.gamma, self.beta = _scale_and_offset(self, (channels,))

    def call(self, inputs):
        shape, ndim = inputs.shape, inputs.ndim
        c = normalize_axes(self.axis, ndim)[0]
        # (B, ..., C, ...) -> (B, ..., groups, C / groups, ...)
        grouped = (-1,) + shape[1:c] + (self.groups, shape[c] // self.groups) + shape[c + 1:]
        x = ops.reshape(inputs, grouped)
        stats = tuple(a for a in range(1, ndim + 1) if a != c)   # all but batch and group
        x = ops.layer_norm(x, axis=stats, epsilon=self.epsilon)
        x = ops.reshape(x, (-1,) + shape[1:])         # -> (B, ..., C, ...)
        if self.gamma is not None:
            x = x * _along(self.gamma, ndim, (c,))
        return x if self.beta is None else x + _along(self.beta, ndim, (c,))

    def get_config(self):
        return {**super().get_config(), "groups": self.groups, "axis": self.axis,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.name_of(self.beta_initializer),
                "gamma_initializer": initializers.name_of(self.gamma_initializer)}


class RMSNormalization(Layer):
    """``x / sqrt(mean(x ** 2) + epsilon) * scale`` over `axis` (-1 by default, or a list):
    LayerNormalization without the mean and beta. Weight: scale (ones), shaped like `axis`."""

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)) and not axis:
            axis = None                                  # the error below names it
        self.axis = _check_axis("RMSNormalization", axis)
        self.epsilon = _check_epsilon("RMSNormalization", epsilon)

    def build(self, input_shape):
        _param_shape(self, input_shape, self.axis)       # the axes must exist and be known
        # as Keras: the axes become a sorted list (also in get_config), scale follows them
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        self.axis = sorted(axes, key=lambda a: a % len(input_shape))
        shape = tuple(input_shape[a] for a in self.axis)
        self.scale = self.add_weight("scale", shape, "ones")

    def call(self, inputs):
        axes = normalize_axes(_axis_tuple(self.axis), inputs.ndim)
        ms = ops.mean(ops.square(inputs), axis=axes, keepdims=True)       # (B, ..., 1)
        return inputs / ops.sqrt(ms + self.epsilon) * _along(self.scale, inputs.ndim, axes)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}


class UnitNormalization(Layer):
    """``x / ||x||`` over `axis` (an integer or a list): each example scaled to length 1,
    as Keras's ``x * min(1 / sqrt(sum(x ** 2)), 1e12)``, so an all-zero vector stays zero.
    No weights."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)) and not axis or \
                any(isinstance(a, bool) or not isinstance(a, int)
                    for a in (axis if isinstance(axis, (list, tuple)) else [axis])):
            raise ValueError("UnitNormalization expects axis to be an integer or a list of "
                             f"integers. Received: axis={axis!r}")
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.supports_masking = True

    def call(self, inputs):
        axes = normalize_axes(_axis_tuple(self.axis), inputs.ndim)
        square_sum = ops.sum(ops.square(inputs), axis=axes, keepdims=True)
        return inputs * ops.minimum(1.0 / ops.sqrt(square_sum), 1e12)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
