"""Core layers: Dense, EinsumDense, Activation, Identity, Masking, Flatten, Reshape, Permute,
RepeatVector, Lambda; the activation layers with options (ReLU, LeakyReLU, ELU, Softmax,
PReLU); Rescaling; and the regularization layers: Dropout, SpatialDropout1D/2D,
GaussianDropout, AlphaDropout, GaussianNoise, ActivityRegularization. The random ones change
nothing at inference."""

import math
import re

import numpy

from .. import activations, initializers, ops, random, regularizers
from ..errors import ShapeError, format_shape
from ..graph import STATE
from ..tensor import constant_like
from .base import Layer, check_seed, get_activation, get_initializer

__all__ = ["Dense", "EinsumDense", "Activation", "Identity", "Masking", "Dropout",
           "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianDropout",
           "AlphaDropout", "ActivityRegularization", "Flatten", "Reshape", "Permute",
           "RepeatVector", "Lambda", "ReLU", "LeakyReLU", "ELU",
           "Softmax", "PReLU", "GaussianNoise", "Rescaling"]


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
        self.activation = get_activation(self, "activation", activation)
        self.use_bias = use_bias
        self.kernel_initializer = get_initializer(self, "kernel_initializer", kernel_initializer)
        self.bias_initializer = get_initializer(self, "bias_initializer", bias_initializer)
        self.supports_masking = True

    def build(self, input_shape):
        if len(input_shape) < 2:                       # Keras' InputSpec(min_ndim=2)
            raise ShapeError(f"the input has rank {len(input_shape)}, but Dense needs rank 2 "
                             "or more: (batch, features).", expected="(batch, features)",
                             fix="add the batch axis: x[None] is a batch of one example.",
                             op="Dense", shapes=(tuple(input_shape),), layer=self.name)
        if input_shape[-1] is None:
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


# ---- EinsumDense: a Dense whose contraction is an einsum equation ----------------------------
_EINSUM_DENSE_FORMS = (  # Keras' three: no '...', '...' leading, '...' trailing
    ("", re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)")),
    ("left", re.compile(r"\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)")),
    ("right", re.compile(r"([a-zA-Z]{2,})\.\.\.,([a-zA-Z]+)->([a-zA-Z]+)\.\.\.")))


def _einsum_dense_terms(equation):
    """(input letters, kernel letters, output letters, where '...' is: '', 'left', 'right').

    >>> _einsum_dense_terms("abc,cd->abd")
    ('abc', 'cd', 'abd', '')
    >>> _einsum_dense_terms("...b,bc->...c")
    ('b', 'bc', 'c', 'left')
    """
    if not isinstance(equation, str):
        raise TypeError(f"EinsumDense expects equation to be a string such as 'ab,bc->ac'. "
                        f"Received: equation={equation!r}")
    for where, form in _EINSUM_DENSE_FORMS:
        found = form.fullmatch(equation)
        if found:
            return found.groups() + (where,)
    raise ValueError(f"Invalid einsum equation '{equation}'. Equations must be in the form "
                     "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z].... Fix: e.g. "
                     "'ab,bc->ac' (a Dense), 'abc,cd->abd' (a Dense on each step) or "
                     "'...b,bc->...c' (any leading axes).")


def _einsum_dense_weights(terms, bias_axes, input_shape, output_shape):
    """(kernel shape, bias shape or None, kernel input axes, kernel output axes), by Keras'
    rules. `output_shape` gives the output's sizes after the batch axis and any '...' axes
    (None: take it from the input). A kernel letter the output has is an output axis, any
    other an input axis (they make the fans of glorot_uniform & co). The bias spans the
    output from its first bias letter on, with size 1 on the letters not in bias_axes.

    >>> _einsum_dense_weights(("abc", "cd", "abd", ""), "d", (None, 32, 128), (None, 64))
    ((128, 64), (64,), [0], [1])
    >>> _einsum_dense_weights(("abc", "cde", "abde", ""), "be", (None, 7, 3), (7, 4, 5))
    ((3, 4, 5), (7, 1, 5), [0], [1, 2])
    >>> _einsum_dense_weights(("ab", "bc", "ac", "right"), "c", (None, 4, 3), (6,))
    ((4, 6), (6, 1), [0], [1])
    """
    inp, kernel, out, where = terms
    equation = f"{'...' * (where == 'left')}{inp}{'...' * (where == 'right')},{kernel}->" \
               f"{'...' * (where == 'left')}{out}{'...' * (where == 'right')}"
    rank, shape = len(input_shape), tuple(input_shape)
    least = {"": "", "left": "more than ", "right": "at least "}[where]
    if not {"": rank == len(inp), "left": rank > len(inp), "right": rank >= len(inp)}[where]:
        raise ShapeError(f"EinsumDense '{equation}' takes inputs of rank {least}{len(inp)} "
                         f"(the letters '{inp}'{' and the batch in ...' * (where == 'left')}), "
                         f"but the input {format_shape(shape)} has rank {rank}.",
                         expected=f"one letter per input axis of '{inp}'",
                         fix="change the equation's input letters to fit the input, or "
                             "reshape the input.", op="EinsumDense", shapes=(shape,))
    given = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
    named = out if where == "left" else out[1:]       # the batch letter is not given
    if len(given) != len(named):
        raise ValueError(f"EinsumDense '{equation}' expects output_shape to give the sizes of "
                         f"'{named}' ({len(named)} sizes; the batch{' and ...' if where else ''}"
                         f" axes are left out). Received: output_shape={output_shape!r}")
    start = rank - len(inp) if where == "left" else 0
    in_size = {c: shape[start + i] for i, c in enumerate(inp)}
    out_size = dict(zip(named, given))
    if where != "left":
        out_size[out[0]] = shape[0]
    for c in inp:
        if c in out_size and out_size[c] is not None and out_size[c] != in_size[c]:
            raise ValueError(f"Input shape and output shape do not match at shared dimension "
                             f"'{c}'. Input shape is {in_size[c]}, and output shape is "
                             f"{out_size[c]}. Fix: output_shape None (or {in_size[c]}) for "
                             f"'{c}', which the output takes from the input.")
    for c in out:
        if c not in inp and c not in kernel:
            raise ValueError(f"Dimension '{c}' was specified in the output '{out}' but has no "
                             f"corresponding dim in the input spec '{inp}' or weight spec "
                             f"'{kernel}'. Fix: each output letter comes from the input or "
                             "the kernel.")
    sizes = {**in_size, **{c: n for c, n in out_size.items() if n is not None}}
    kernel_shape, input_axes, output_axes = [], [], []
    for i, c in enumerate(kernel):
        if c not in out and c not in inp:
            raise ValueError(f"Weight dimension '{c}' did not have a match in either the input "
                             f"spec '{inp}' or the output spec '{out}'. For this layer, the "
                             "weight must be fully specified.")
        (output_axes if c in out else input_axes).append(i)
        kernel_shape.append(sizes[c])
    bias_shape, biased = None, ""
    if bias_axes is not None:
        biased = out[min(out.index(c) for c in bias_axes):]
        bias_shape = [sizes[c] if c in bias_axes else 1 for c in biased]
        bias_shape += [1] * (rank - len(inp) if where == "right" else 0)
    for what, letters, dims in (("kernel", kernel, kernel_shape), ("bias", biased,
                                                                   bias_shape or ())):
        unknown = next((c for c, n in zip(letters, dims) if n is None), None)
        if unknown is not None:
            raise ShapeError(f"EinsumDense '{equation}' needs the size of '{unknown}' to make "
                             f"its {what}, but it is unknown (None) in the input "
                             f"{format_shape(shape)} and in output_shape.",
                             expected=f"a known size for '{unknown}'",
                             fix=f"give output_shape the size of '{unknown}', or the Input a "
                                 "full shape.", op="EinsumDense", shapes=(shape,))
    return (tuple(kernel_shape), None if bias_shape is None else tuple(bias_shape),
            input_axes, output_axes)


class EinsumDense(Layer):
    """A Dense whose product is ``tk.einsum(equation, inputs, kernel)`` (plus a bias on
    `bias_axes`, then the activation). ``EinsumDense("ab,bc->ac", 64, bias_axes="c")`` is
    Dense(64); ``"abc,cd->abd"`` applies one to each step of (batch, steps, features);
    ``"abc,cde->abde"`` makes (batch, steps, heads, size) at once, as attention's
    projections do. `output_shape` gives the output's sizes after the batch axis (and any
    '...' axes), None where the input gives it. Kernel and bias shapes follow from the
    equation as in Keras 3: a kernel letter takes its size from the output, else the input.
    """

    regularized = {"kernel_regularizer": "kernel", "bias_regularizer": "bias"}

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", lora_rank=None,
                 lora_alpha=None, quantization_config=None, **kwargs):
        super().__init__(**kwargs)
        for arg, value in (("lora_rank", lora_rank), ("lora_alpha", lora_alpha),
                           ("quantization_config", quantization_config)):
            if value is not None:
                raise ValueError(f"EinsumDense: tensorkit has no LoRA or quantization, so "
                                 f"{arg} must be None. Received: {arg}={value!r}. Fix: leave "
                                 f"{arg} out (to fine-tune less, freeze layers instead: "
                                 "layer.trainable = False).")
        self._terms = _einsum_dense_terms(equation)
        self.equation = equation
        sizes = (output_shape,) if isinstance(output_shape, int) else \
            tuple(output_shape) if isinstance(output_shape, (tuple, list)) else None
        if sizes is None or any(n is not None and (isinstance(n, bool) or not isinstance(
                n, (int, numpy.integer)) or n < 1) for n in sizes):
            raise ValueError("EinsumDense expects output_shape to be a positive integer or a "
                             "tuple of them (None where the input gives the size), e.g. 64 "
                             f"or (None, 64). Received: output_shape={output_shape!r}")
        self.partial_output_shape = tuple(None if n is None else int(n) for n in sizes)
        out = self._terms[2]
        if bias_axes is not None and (not isinstance(bias_axes, str) or not bias_axes):
            raise ValueError(f"EinsumDense expects bias_axes to be None (no bias) or a string "
                             f"of output letters from '{out}', e.g. bias_axes='{out[-1]}'. "
                             f"Received: bias_axes={bias_axes!r}")
        bad = next((c for c in bias_axes or "" if c not in out), None)
        if bad is not None:
            raise ValueError(f"Bias dimension '{bad}' was requested, but is not part of the "
                             f"output spec '{out}'. Fix: bias_axes letters from '{out}', e.g. "
                             f"bias_axes='{out[-1]}'.")
        self.bias_axes = bias_axes
        self.activation = get_activation(self, "activation", activation)
        self.kernel_initializer = get_initializer(self, "kernel_initializer", kernel_initializer)
        self.bias_initializer = get_initializer(self, "bias_initializer", bias_initializer)

    def build(self, input_shape):
        kernel_shape, bias_shape, input_axes, output_axes = _einsum_dense_weights(
            self._terms, self.bias_axes, input_shape, self.partial_output_shape)
        init = self.kernel_initializer
        if isinstance(init, initializers.VarianceScaling) and (
                init.input_axes is None or init.output_axes is None):
            # the fans count the kernel's input and output letters (a 3-D kernel is no conv)
            init = type(init).from_config({**init.get_config(), "input_axes": input_axes,
                                           "output_axes": output_axes})
        self.kernel = self.add_weight("kernel", kernel_shape, init)
        self.bias = None if bias_shape is None else \
            self.add_weight("bias", bias_shape, self.bias_initializer)

    def call(self, inputs):
        x = ops.einsum(self.equation, inputs, self.kernel)   # e.g. (B, T, in), (in, out) ->
        if self.bias is not None:                            # (B, T, out)
            x = x + self.bias                                # bias (..., 1, out) broadcasts
        return self.activation(x)

    def get_config(self):
        return {**super().get_config(), "output_shape": list(self.partial_output_shape),
                "equation": self.equation, "activation": activations.serialize(self.activation),
                "bias_axes": self.bias_axes,
                "kernel_initializer": initializers.name_of(self.kernel_initializer),
                "bias_initializer": initializers.name_of(self.bias_initializer),
                "quantization_config": None}


class Activation(Layer):
    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = get_activation(self, "activation", activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Identity(Layer):
    """Returns its input unchanged (a placeholder), mask included."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs


class Masking(Layer):
    """Skip the time steps whose features all equal `mask_value`: (B, T, F) -> (B, T, F)
    with those steps zeroed, and the mask ``any(x != mask_value, axis=-1)`` (B, T) that the
    layers after it (LSTM, GlobalAveragePooling1D...) use to leave the steps out."""

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(mask_value, bool) or not isinstance(mask_value, (int, float)):
            raise ValueError("Masking expects mask_value to be a number (the value that fills "
                             f"padded steps). Received: mask_value={mask_value!r}")
        self.mask_value = float(mask_value)
        self.supports_masking = True

    def call(self, inputs):
        keep = ops.any(inputs != self.mask_value, axis=-1, keepdims=True)   # (B, T, 1)
        return ops.where(keep, inputs, 0.0)

    def compute_mask(self, inputs, mask=None):
        return ops.any(inputs != self.mask_value, axis=-1)               # (B, T, F) -> (B, T)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}


def _rate(layer, rate):
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
        raise ValueError(f"{layer} expects rate in [0, 1): the fraction of inputs to drop "
                         f"(0.2 drops 20%). Received: rate={rate!r}")
    return float(rate)


def _noise_shape(layer, noise_shape):
    """None, or a tuple of sizes (None or 1 where the draw is shared), as Keras'."""
    if noise_shape is None:
        return None
    items = tuple(noise_shape) if isinstance(noise_shape, (tuple, list)) else None
    if items is None or any(n is not None and (isinstance(n, bool) or not isinstance(n, int)
                                                or n < 1) for n in items):
        raise ValueError(f"{layer} expects noise_shape to be a tuple of sizes, one per input "
                         f"axis (1 shares a draw, None keeps the input's size), e.g. "
                         f"(None, 1, 64). Received: noise_shape={noise_shape!r}")
    return items


def _rng(layer):
    """tk.random's generator, or with a seed the layer's own: reproducible, yet a new draw
    each training step (as Keras's SeedGenerator)."""
    if layer.seed is None:
        return random.generator()
    if "_generator" not in layer.__dict__:
        layer._generator = numpy.random.default_rng(layer.seed)
    return layer._generator


class Dropout(Layer):
    """Zero a fraction `rate` of the inputs while training (scaling the rest by 1/(1-rate)).
    `noise_shape` (None for the input's size, 1 to share a draw) drops whole slices."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate, self.seed = _rate(type(self).__name__, rate), check_seed(self, seed)
        self.noise_shape = _noise_shape(type(self).__name__, noise_shape)
        self.supports_masking = True

    def _noise_shape(self, shape):
        return self.noise_shape

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        return ops.dropout(inputs, self.rate, seed=_rng(self),
                           noise_shape=self._noise_shape(inputs.shape))

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape)}


class SpatialDropout1D(Dropout):
    """Dropout of whole channels: while training each example's channel is zeroed at every
    step at once (rate of them), the rest scaled by 1/(1-rate). (B, T, C) -> (B, T, C)."""

    rank = 1

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)

    def build(self, input_shape):
        from .convolutional import check_rank
        check_rank(self, type(self).__name__, input_shape, self.rank)

    def _noise_shape(self, shape):
        return (shape[0],) + (1,) * self.rank + (shape[-1],)      # one draw per (B, C)

    def get_config(self):
        config = super().get_config()
        del config["noise_shape"]                   # Keras's spatial dropouts have none
        return config


class SpatialDropout2D(SpatialDropout1D):
    """Dropout of whole feature maps: (B, H, W, C), each (example, channel) map zeroed
    everywhere at once while training (neighbouring pixels are too alike for pixel dropout)."""

    rank = 2

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        from .convolutional import check_data_format
        self.data_format = check_data_format(type(self).__name__, data_format, self.rank)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class SpatialDropout3D(SpatialDropout2D):
    """Dropout of whole feature volumes: (B, D, H, W, C), each (example, channel) volume
    zeroed everywhere at once while training."""

    rank = 3


class GaussianDropout(Layer):
    """Multiply each input by noise from N(1, rate / (1 - rate)) while training (the same
    mean and variance as Dropout's scaled 0/1 mask); nothing at inference."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate, self.seed = _rate("GaussianDropout", rate), check_seed(self, seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0 or inputs.is_symbolic:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = _rng(self).normal(1.0, stddev, inputs.shape).astype(inputs.dtype)
        return inputs * constant_like(noise, inputs)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class AlphaDropout(Layer):
    """Dropout for SELU networks: while training dropped inputs are set to SELU's lowest
    value and everything is shifted and scaled (a * x + b) so that inputs of mean 0 and
    variance 1 keep them, as SELU's self-normalization needs. Nothing at inference."""

    ALPHA_P = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate, self.seed = _rate("AlphaDropout", rate), check_seed(self, seed)
        self.noise_shape = _noise_shape("AlphaDropout", noise_shape)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0 or inputs.is_symbolic:
            return inputs
        shape = inputs.shape if self.noise_shape is None else \
            tuple(n if m is None else m for n, m in zip(inputs.shape, self.noise_shape))
        keep = _rng(self).random(shape) >= self.rate
        p, alpha_p = self.rate, self.ALPHA_P
        a = ((1 - p) * (1 + p * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * p
        # a * (x * keep + alpha_p * (1 - keep)) + b, the constant part folded into one array
        scale = constant_like((a * keep).astype(inputs.dtype), inputs)
        shift = constant_like(numpy.where(keep, b, a * alpha_p + b).astype(inputs.dtype), inputs)
        return inputs * scale + shift

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape)}


class ActivityRegularization(Layer):
    """Returns its input and adds ``l1 * sum(|x|) + l2 * sum(x ** 2)`` of it to
    ``model.losses`` (an activity regularizer, on a layer of its own)."""

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)     # a saved config's: l1 and l2 make it
        for name, value in (("l1", l1), ("l2", l2)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"ActivityRegularization expects {name} to be a non-negative "
                                 f"number. Received: {name}={value!r}")
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = float(l1), float(l2)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def get_config(self):
        config = {**super().get_config(), "l1": self.l1, "l2": self.l2}
        del config["activity_regularizer"]
        return config


class Flatten(Layer):
    """(batch, d1, d2, ...) -> (batch, d1*d2*...), in channels-last order as Keras."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        from .convolutional import check_data_format
        self.data_format = check_data_format("Flatten", data_format)

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
        size = math.prod(inputs.shape[1:])
        known = math.prod(n for n in self.target_shape if n != -1)
        if size % known if -1 in self.target_shape else size != known:
            raise ShapeError(f"Reshape{self.target_shape} cannot hold the {size} values of each "
                             f"example of shape {format_shape(inputs.shape)}.",
                             expected=f"a target shape of {size} values per example",
                             fix="check the target shape, or put -1 for the axis to infer.",
                             op="Reshape", shapes=(inputs.shape,), layer=self.name)
        target = tuple(size // known if n == -1 else n for n in self.target_shape)
        return ops.reshape(inputs, (-1,) + target)     # (B, ...) -> (B, *target_shape)

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

    def build(self, input_shape):
        if len(input_shape) != len(self.dims) + 1:
            raise ShapeError(f"Permute(dims={self.dims}) reorders {len(self.dims)} axes after "
                             f"the batch axis, but the input has rank {len(input_shape)}.",
                             expected=f"an input of rank {len(self.dims) + 1}",
                             fix=f"give dims one entry per non-batch axis: a permutation of "
                                 f"1..{len(input_shape) - 1}.", op="Permute",
                             shapes=(tuple(input_shape),), layer=self.name)

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


# ---- activation layers with options, as Keras 3's layers/activations -------------------------

def _non_negative(layer, name, value, allow_none=False):
    if (value is None and allow_none) or (isinstance(value, (int, float)) and
                                          not isinstance(value, bool) and value >= 0):
        return None if value is None else float(value)
    raise ValueError(f"{layer} expects {name} to be a non-negative number. "
                     f"Received: {name}={value!r}")


class ReLU(Layer):
    """x above `threshold`, else negative_slope * (x - threshold); capped at max_value."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = _non_negative("ReLU", "max_value", max_value, allow_none=True)
        self.negative_slope = _non_negative("ReLU", "negative_slope", negative_slope)
        self.threshold = _non_negative("ReLU", "threshold", threshold)
        self.supports_masking = True

    def call(self, inputs):
        t = self.threshold
        x = ops.relu(inputs) if t == 0 else inputs * ops.cast(inputs > t, inputs.dtype)
        if self.max_value is not None:
            x = ops.clip(x, 0.0, self.max_value)
        if self.negative_slope:                     # Keras: minus slope * relu(t - x)
            x = x - self.negative_slope * ops.relu(t - inputs)
        return x

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(Layer):
    """max(x, negative_slope * x). The layer's default slope is 0.3 (the function's, 0.2)."""

    def __init__(self, negative_slope=0.3, **kwargs):
        super().__init__(**kwargs)
        self.negative_slope = _non_negative("LeakyReLU", "negative_slope", negative_slope)
        self.supports_masking = True

    def call(self, inputs):
        return ops.leaky_relu(inputs, negative_slope=self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(Layer):
    """x for x > 0, else alpha * (exp(x) - 1)."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)
        self.supports_masking = True

    def call(self, inputs):
        return ops.elu(inputs, alpha=self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class Softmax(Layer):
    """Softmax along `axis` (the last by default)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"Softmax expects axis to be an integer. Received: axis={axis!r}")
        self.axis = axis
        self.supports_masking = True

    def call(self, inputs):
        return ops.softmax(inputs, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class PReLU(Layer):
    """Leaky ReLU with a learned slope `alpha` per input element: relu(x) - alpha * relu(-x).
    shared_axes (counted from 1) share one slope, e.g. (1, 2) for one slope per channel."""

    def __init__(self, alpha_initializer="zeros", shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = get_initializer(self, "alpha_initializer", alpha_initializer)
        self.shared_axes = None if shared_axes is None else \
            tuple(shared_axes) if isinstance(shared_axes, (list, tuple)) else (shared_axes,)
        self.supports_masking = True

    def build(self, input_shape):
        shape = [1 if i in (self.shared_axes or ()) else n
                 for i, n in enumerate(input_shape) if i > 0]       # (d1, d2, ...), 1 if shared
        if None in shape:
            raise ShapeError(f"PReLU needs known sizes for its slopes, but the input shape is "
                             f"{format_shape(input_shape)}.", expected="known non-batch axes",
                             fix="share the slope over the unknown axes: shared_axes=[...].",
                             op="PReLU", layer=self.name)
        self.alpha = self.add_weight("alpha", tuple(shape), self.alpha_initializer)

    def call(self, inputs):
        return ops.relu(inputs) - self.alpha * ops.relu(-inputs)

    def get_config(self):
        return {**super().get_config(),
                "alpha_initializer": initializers.name_of(self.alpha_initializer),
                "shared_axes": None if self.shared_axes is None else list(self.shared_axes)}


class GaussianNoise(Layer):
    """Add normal noise of `stddev` while training (a regularizer); nothing at inference."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = _non_negative("GaussianNoise", "stddev", stddev)
        self.seed = check_seed(self, seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.stddev == 0 or inputs.is_symbolic:
            return inputs
        rng = random.generator() if self.seed is None else numpy.random.default_rng(self.seed)
        noise = rng.normal(0.0, self.stddev, inputs.shape).astype(inputs.dtype)
        return inputs + constant_like(noise, inputs)

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class Rescaling(Layer):
    """x * scale + offset, e.g. ``Rescaling(1 / 255)`` for pixels in [0, 1]."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        for arg, value in (("scale", scale), ("offset", offset)):
            if isinstance(value, bool) or not isinstance(value, (int, float, numpy.number)):
                raise ValueError(f"Rescaling expects {arg} to be a number, e.g. "
                                 f"Rescaling(scale=1 / 255) for pixels in [0, 1]. Received: "
                                 f"{arg}={value!r}")
        self.scale, self.offset = float(scale), float(offset)

    def call(self, inputs):
        return inputs * self.scale + self.offset

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}
