"""Activations by their Keras names, for `Dense(..., activation="relu")` and friends."""

from . import ops
from .errors import closest

__all__ = ["get", "serialize"]


def linear(x):
    return x


def gelu(x):
    """Keras 3's activation "gelu" is the exact (erf) form."""
    return ops.gelu(x, approximate=False)


def leaky_relu(x):
    return ops.leaky_relu(x, negative_slope=0.2)


def hard_sigmoid(x):
    """Keras 3's piecewise-linear sigmoid: clip(x / 6 + 0.5, 0, 1)."""
    return ops.clip(x / 6.0 + 0.5, 0.0, 1.0)


def keras2_hard_sigmoid(x):
    """Keras 2's and TensorFlow.js's hard_sigmoid: clip(0.2 * x + 0.5, 0, 1) (the default
    recurrent activation of TF.js's LSTM and GRU), for models that come from there."""
    return ops.clip(x * 0.2 + 0.5, 0.0, 1.0)


def hard_silu(x):
    """x * hard_sigmoid(x) (Keras 3's "hard_silu", alias "hard_swish")."""
    return x * hard_sigmoid(x)


def relu6(x):
    return ops.clip(x, 0.0, 6.0)


def selu(x):
    """Self-normalizing ELU: scale * elu(x, alpha), with Keras's constants."""
    return ops.elu(x, alpha=1.67326324) * 1.05070098


def softsign(x):
    return x / (ops.abs(x) + 1.0)


def mish(x):
    return x * ops.tanh(ops.softplus(x))


def softmax(x):
    return ops.softmax(x, axis=-1)


def log_softmax(x):
    return ops.log_softmax(x, axis=-1)


_BY_NAME = {"relu": ops.relu, "sigmoid": ops.sigmoid, "tanh": ops.tanh, "softmax": softmax,
            "linear": linear, "elu": ops.elu, "gelu": gelu, "leaky_relu": leaky_relu,
            "softplus": ops.softplus, "silu": ops.silu, "swish": ops.silu,
            "hard_sigmoid": hard_sigmoid, "keras2_hard_sigmoid": keras2_hard_sigmoid,
            "hard_silu": hard_silu, "hard_swish": hard_silu, "relu6": relu6, "selu": selu,
            "softsign": softsign, "exponential": ops.exp, "mish": mish,
            "log_softmax": log_softmax}


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
    """The Keras name of an activation function (for configs and summaries)."""
    for name, f in _BY_NAME.items():
        if f is fn:
            return name
    return getattr(fn, "__name__", "custom")
