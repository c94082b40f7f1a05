"""Activations by their Keras names, for `Dense(..., activation="relu")` and friends.

Each function has Keras 3's name, arguments and defaults (``keras.activations.*``), and the
gradients Keras computes on JAX at the kinks: relu6 and hard_sigmoid pass no gradient at
their corners, clips (sparse_sigmoid, relu(max_value=...)) pass half at a tie, leaky_relu
passes all of it at 0.
"""

import numpy

from . import ops
from .errors import closest
from .tensor import constant_like

__all__ = ["get", "serialize", "relu", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu",
           "glu", "sigmoid", "hard_sigmoid", "sparse_sigmoid", "log_sigmoid", "silu", "swish",
           "hard_silu", "hard_swish", "mish", "tanh", "hard_tanh", "tanh_shrink", "softplus",
           "sparse_plus", "squareplus", "softsign", "soft_shrink", "hard_shrink", "threshold",
           "softmax", "log_softmax", "sparsemax", "exponential", "linear"]


def linear(x):
    return x


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """max(x, 0); with `threshold`, x only above it (else 0); with `max_value`, at most
    that; with `negative_slope`, slope * (x - threshold) below the threshold. Written as
    Keras' ``ReLU.static_call``, so its gradients at the kinks are Keras'."""
    if not negative_slope and max_value is None and not threshold:
        return ops.relu(x)                            # the plain relu (Dense's, in fit)
    if negative_slope != 0 and max_value is None and threshold == 0:
        return leaky_relu(x, negative_slope)
    negative_part = ops.relu(threshold - x) if negative_slope != 0 else None
    clip_max = max_value is not None
    if threshold != 0:
        x = ops.where(x > threshold, x, 0.0)
    elif max_value == 6:
        x, clip_max = relu6(x), False
    else:
        x = ops.relu(x)
    if clip_max:
        x = ops.minimum(ops.maximum(x, 0.0), float(max_value))
    return x if negative_part is None else x - negative_part * negative_slope


def relu6(x):
    """min(max(x, 0), 6), with no gradient at 0 and 6 (as jax.nn.relu6)."""
    return ops.where(x >= 6.0, 6.0, ops.relu(x))


def leaky_relu(x, negative_slope=0.2):
    return ops.where(x >= 0, x, x * negative_slope)


def elu(x, alpha=1.0):
    return ops.elu(x, alpha=alpha)


def selu(x):
    """Self-normalizing ELU: scale * elu(x, alpha), with Keras's constants."""
    return ops.elu(x, alpha=1.6732632423543772) * 1.0507009873554805


def celu(x, alpha=1.0):
    """max(x, 0) + alpha * (exp(min(x, 0) / alpha) - 1): an ELU smooth for every alpha."""
    return ops.maximum(x, 0.0) + (ops.exp(ops.minimum(x, 0.0) / alpha) - 1.0) * alpha


def gelu(x, approximate=False):
    """Keras 3's activation "gelu" is the exact (erf) form by default."""
    return ops.gelu(x, approximate=approximate)


def glu(x, axis=-1):
    """Gated linear unit: split `axis` in halves a, b -> a * sigmoid(b) (half the size)."""
    n = x.shape[axis]
    if n is not None and n % 2:
        raise ValueError(f"glu splits axis {axis} in two halves, but it has odd size {n} "
                         f"(input shape {x.shape}). Fix: give that axis an even size.")
    a, b = ops.split(x, 2, axis=axis)
    return a * ops.sigmoid(b)


def sigmoid(x):
    return ops.sigmoid(x)


def hard_sigmoid(x):
    """Keras 3's piecewise-linear sigmoid: relu6(x + 3) / 6 = clip(x / 6 + 0.5, 0, 1)."""
    return relu6(x + 3.0) / 6.0


def keras2_hard_sigmoid(x):
    """Keras 2's and TensorFlow.js's hard_sigmoid: clip(0.2 * x + 0.5, 0, 1) (the default
    recurrent activation of TF.js's LSTM and GRU), for models that come from there."""
    return ops.clip(x * 0.2 + 0.5, 0.0, 1.0)


def sparse_sigmoid(x):
    """0.5 * clip(x + 1, 0, 2): 0 below -1, 1 above 1, linear between."""
    return ops.minimum(ops.maximum(x + 1.0, 0.0), 2.0) * 0.5


def log_sigmoid(x):
    """log(sigmoid(x)) = -softplus(-x), without overflow."""
    return -ops.softplus(-x)


def silu(x):
    return ops.silu(x)


def hard_silu(x):
    """x * hard_sigmoid(x) (Keras 3's "hard_silu", alias "hard_swish")."""
    return x * hard_sigmoid(x)


def mish(x):
    return x * ops.tanh(ops.softplus(x))


def tanh(x):
    return ops.tanh(x)


def hard_tanh(x):
    """-1 below -1, 1 above 1, x between."""
    return ops.where(x > 1.0, 1.0, ops.where(x < -1.0, -1.0, x))


def tanh_shrink(x):
    return x - ops.tanh(x)


def softplus(x):
    return ops.softplus(x)


def sparse_plus(x):
    """0 up to -1, (x + 1)^2 / 4 up to 1, then x: a softplus with a flat start."""
    return ops.where(x <= -1.0, 0.0, ops.where(x >= 1.0, x, ops.square(x + 1.0) / 4.0))


def squareplus(x, b=4):
    """(x + sqrt(x^2 + b)) / 2: a softplus made of a square root."""
    return (x + ops.sqrt(ops.square(x) + float(b))) / 2.0


def softsign(x):
    return x / (ops.abs(x) + 1.0)


def soft_shrink(x, threshold=0.5):
    """x moved `threshold` toward 0, and 0 within [-threshold, threshold]."""
    return ops.where(x > threshold, x - threshold,
                     ops.where(x < -threshold, x + threshold, 0.0))


def hard_shrink(x, threshold=0.5):
    """x where |x| > threshold, else 0."""
    return ops.where(ops.abs(x) > threshold, x, 0.0)


def threshold(x, threshold, default_value):
    """x where x > threshold, else default_value."""
    return ops.where(x > threshold, x, float(default_value))


def softmax(x, axis=-1):
    return ops.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    return ops.log_softmax(x, axis=axis)


def sparsemax(x, axis=-1):
    """max(x - tau, 0) along `axis`, with Keras 3.15's tau: sort x descending (s), find the
    k entries with s_i > (s_1 + ... + s_i - 1) / i, then tau = (sum over those i of
    (s_1 + ... + s_i) - 1) / k. (The paper's tau, (s_1 + ... + s_k - 1) / k, makes the
    output sum to 1; Keras' equals it only when k = 1.)"""
    if x.data is None:                       # symbolic: only the shape matters
        return ops.maximum(x - ops.sum(x, axis=axis, keepdims=True), 0.0)
    v = numpy.moveaxis(x.numpy(), axis, -1)
    order = numpy.argsort(-v, axis=-1, kind="stable")
    s = numpy.take_along_axis(v, order, axis=-1)                # (..., n) descending
    i = numpy.arange(1, v.shape[-1] + 1)
    k = (s - (numpy.cumsum(s, axis=-1) - 1) / i > 0).sum(-1, keepdims=True)     # (..., 1)
    # sum over j <= k of (s_1 + ... + s_j) = sum over i <= k of s_i * (k - i + 1)
    rank = numpy.empty_like(order)
    numpy.put_along_axis(rank, order, numpy.arange(v.shape[-1]), axis=-1)
    w = numpy.moveaxis(numpy.maximum(k - rank, 0) / k, -1, axis).astype(x.dtype)
    k = numpy.moveaxis(k, -1, axis).astype(x.dtype)
    tau = ops.sum(x * constant_like(w, x), axis=axis, keepdims=True) - constant_like(1 / k, x)
    return ops.maximum(x - tau, 0.0)


def exponential(x):
    return ops.exp(x)


swish, hard_swish = silu, hard_silu

_BY_NAME = {"relu": relu, "relu6": relu6, "leaky_relu": leaky_relu, "elu": elu, "selu": selu,
            "celu": celu, "gelu": gelu, "glu": glu, "sigmoid": sigmoid,
            "hard_sigmoid": hard_sigmoid, "keras2_hard_sigmoid": keras2_hard_sigmoid,
            "sparse_sigmoid": sparse_sigmoid, "log_sigmoid": log_sigmoid, "silu": silu,
            "swish": swish, "hard_silu": hard_silu, "hard_swish": hard_swish, "mish": mish,
            "tanh": tanh, "hard_tanh": hard_tanh, "tanh_shrink": tanh_shrink,
            "softplus": softplus, "sparse_plus": sparse_plus, "squareplus": squareplus,
            "softsign": softsign, "soft_shrink": soft_shrink, "hard_shrink": hard_shrink,
            "threshold": threshold, "softmax": softmax, "log_softmax": log_softmax,
            "sparsemax": sparsemax, "exponential": exponential, "linear": linear}


def get(identifier):
    """A function from an activation name, None (linear), or a callable."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    key = str(identifier).lower()
    if key not in _BY_NAME:
        best = closest(key, _BY_NAME)
        hint = f" Did you mean {best!r}? Fix: activation={best!r}." if best else ""
        raise ValueError(f"Unknown activation {identifier!r}.{hint} Expected one of "
                         f"{sorted(_BY_NAME)}, None, or a function.")
    return _BY_NAME[key]


def serialize(fn):
    """The Keras name of an activation function (for configs and summaries); the first
    name wins, so silu serializes as "silu" (Keras' own answer, its alias is swish)."""
    for name, f in _BY_NAME.items():
        if f is fn:
            return name
    for name in _BY_NAME:                  # tk.ops.relu and friends, given directly
        if getattr(ops, name, None) is fn:
            return name
    return getattr(fn, "__name__", "custom")
