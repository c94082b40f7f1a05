"""Core layers: Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda."""

import math

from .. import activations, initializers, ops
from ..errors import ShapeError, format_shape
from ..graph import STATE
from .base import Layer

__all__ = ["Dense", "Activation", "Dropout", "Flatten", "Reshape", "Permute", "RepeatVector",
           "Lambda"]


def _positive_int(layer, name, value):
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{layer} expects {name} to be a positive integer. "
                         f"Received: {name}={value!r}")
    return value


class Dense(Layer):
    """``activation(x @ kernel + bias)`` on the last axis: (..., in) -> (..., units)."""

    regularized = {"kernel_regularizer": "kernel", "bias_regularizer": "bias"}

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        self.units = _positive_int("Dense", "units", units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.supports_masking = True

    def build(self, input_shape):
        if len(input_shape) < 1 or input_shape[-1] is None:
            raise ShapeError(f"Dense needs a known last axis, but the input shape is "
                             f"{format_shape(input_shape)}.", expected="(batch, features)",
                             fix="give the Input a full shape, e.g. tk.Input(shape=(784,)).",
                             op="Dense", layer=self.name)
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units),
                                      self.kernel_initializer)
        self.bias = self.add_weight("bias", (self.units,), self.bias_initializer) \
            if self.use_bias else None

    def call(self, inputs):
        if self.bias is not None and not STATE.recording:   # as in fit: nobody draws the graph
            return self.activation(ops.linear(inputs, self.kernel, self.bias))   # same numbers
        x = inputs @ self.kernel                       # (..., in) @ (in, units) -> (..., units)
        if self.bias is not None:
            x = x + self.bias                          # (..., units) + (units,)
        return self.activation(x)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.name_of(self.kernel_initializer),
                "bias_initializer": initializers.name_of(self.bias_initializer)}


class Activation(Layer):
    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Dropout(Layer):
    """Zero a fraction `rate` of the inputs while training (scaling the rest by 1/(1-rate))."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError(f"Dropout expects rate in [0, 1). Received: rate={rate!r}")
        self.rate, self.seed = float(rate), seed
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        return ops.dropout(inputs, self.rate)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class Flatten(Layer):
    """(batch, d1, d2, ...) -> (batch, d1*d2*...), in channels-last order as Keras."""

    def call(self, inputs):
        return ops.flatten(inputs)


class Reshape(Layer):
    """Reshape everything but the batch axis: ``Reshape((7, 7, 64))``; -1 once is allowed."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)
        if sum(1 for n in self.target_shape if n == -1) > 1 or any(
                not isinstance(n, int) or (n <= 0 and n != -1) for n in self.target_shape):
            raise ValueError("Reshape expects positive sizes and at most one -1. "
                             f"Received: target_shape={self.target_shape}")

    def call(self, inputs):
        batch = inputs.shape[0]
        if batch is None:
            known = math.prod(n for n in inputs.shape[1:])
            target = tuple(known // -math.prod(self.target_shape) if n == -1 else n
                           for n in self.target_shape) if -1 in self.target_shape \
                else self.target_shape
            return ops.reshape(inputs, (-1,) + target)
        return ops.reshape(inputs, (batch,) + self.target_shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class Permute(Layer):
    """Reorder the non-batch axes: ``Permute((2, 1))`` swaps them (axes count from 1)."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError("Permute expects a permutation of 1..n (the batch axis is 0 and "
                             f"stays). Received: dims={self.dims}")

    def call(self, inputs):
        return ops.transpose(inputs, (0,) + self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": list(self.dims)}


class RepeatVector(Layer):
    """(batch, features) -> (batch, n, features)."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = _positive_int("RepeatVector", "n", n)

    def call(self, inputs):
        if len(inputs.shape) != 2:
            raise ShapeError(f"RepeatVector expects (batch, features) but received "
                             f"{format_shape(inputs.shape)}.", expected="a rank-2 input",
                             fix="flatten the input first.", op="RepeatVector", layer=self.name)
        x = ops.expand_dims(inputs, 1)                 # (B, F) -> (B, 1, F)
        return ops.concatenate([x] * self.n, axis=1)   # -> (B, n, F)

    def get_config(self):
        return {**super().get_config(), "n": self.n}


class Lambda(Layer):
    """Wrap a function of tensors as a layer. It cannot be saved safely (it is code)."""

    def __init__(self, function, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda expects a function. Received: {function!r}")
        self.function = function

    def call(self, inputs):
        return self.function(inputs)
