"""Normalization layers: BatchNormalization and LayerNormalization, as Keras 3.

BatchNormalization normalizes each channel with the batch's statistics while training
(``training=True``) and keeps moving averages of them for inference. Frozen
(``layer.trainable = False``) it always runs in inference mode, also inside ``fit``, as
Keras 3 does, which is what fine-tuning a pretrained model needs (Keras 3's rule is the
one followed where TF.js's older behaviour differs). LayerNormalization
normalizes each example over its features and has no moving statistics.
"""

from .. import backend, initializers, ops
from ..errors import ShapeError, format_shape
from ..shapes import normalize_axes
from .base import Layer

__all__ = ["BatchNormalization", "LayerNormalization"]


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


def _scale_and_offset(layer, shape):
    """gamma and beta (None when scale / center is off), created in Keras' order."""
    gamma = layer.add_weight("gamma", shape, layer.gamma_initializer) if layer.scale else None
    beta = layer.add_weight("beta", shape, layer.beta_initializer) if layer.center else None
    return gamma, beta


def _param_shape(layer, input_shape, axis):
    """The sizes of the input on `axis`: the shape of gamma and beta."""
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
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
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


class LayerNormalization(Layer):
    """``gamma * (x - mean) / sqrt(var + epsilon) + beta`` with the mean and variance of
    each example over `axis` (the features, -1 by default; a list for several axes).
    The same in training and inference. Weights: gamma, beta, shaped like `axis`."""

    regularized = {"beta_regularizer": "beta", "gamma_regularizer": "gamma"}

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", **kwargs):
        super().__init__(**kwargs)
        self.axis = _check_axis("LayerNormalization", axis)
        self.epsilon = _check_epsilon("LayerNormalization", epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.supports_masking = True

    def build(self, input_shape):
        shape = _param_shape(self, input_shape, self.axis)
        self.gamma, self.beta = _scale_and_offset(self, shape)

    def call(self, inputs):
        return ops.layer_norm(inputs, self.gamma, self.beta, axis=self.axis,
                              epsilon=self.epsilon)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.name_of(self.beta_initializer),
                "gamma_initializer": initializers.name_of(self.gamma_initializer)}
