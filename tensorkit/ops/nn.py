"""Neural-network ops: softmax, log_softmax, dropout."""


import numpy

from .. import random
from ..shapes import normalize_axis, same_shape
from ..tensor import constant_like, defop

__all__ = ["softmax", "log_softmax", "dropout"]


def _softmax(xp, x, axis):
    e = xp.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _log_softmax(xp, x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


def _axis_rule(x, axis):
    normalize_axis(axis, len(x))
    return x


_softmax_op = defop("softmax", _axis_rule, _softmax,
                    lambda xp, g, out, x, axis: out * (g - (g * out).sum(axis=axis, keepdims=True)))
_log_softmax_op = defop("log_softmax", _axis_rule, _log_softmax,
                        lambda xp, g, out, x, axis:
                            g - xp.exp(out) * g.sum(axis=axis, keepdims=True))
_dropout = defop("dropout", lambda x, mask: same_shape(x), lambda xp, x, mask: x * mask,
                 lambda xp, g, out, x, mask: g * mask, None)


def softmax(x, axis=-1):
    """exp(x) normalised to sum to 1 along `axis`: probabilities over classes."""
    return _softmax_op(x, axis=axis)


def log_softmax(x, axis=-1):
    return _log_softmax_op(x, axis=axis)


def dropout(x, rate, seed=None, noise_shape=None):
    """Zero each element with probability `rate`, scale the rest by 1/(1-rate) (as Keras).

    The mask comes from tk.random's generator (or a fresh one seeded with `seed`, or `seed`
    itself when it is a NumPy Generator: a layer's own).
    `noise_shape` (x's shape with 1 on the axes that share one draw, None for x's own
    size) drops whole slices: (batch, 1, channels) drops whole channels of a sequence.
    """
    if not 0 <= rate < 1:
        raise ValueError(f"dropout rate must be in [0, 1), received: rate={rate}. "
                         "Fix: a rate like 0.2 drops 20% of the values.")
    if rate == 0:
        return x
    if noise_shape is not None and (len(noise_shape) != len(x.shape) or any(
            m not in (None, 1, n) for n, m in zip(x.shape, noise_shape))):
        raise ValueError(f"dropout got noise_shape={tuple(noise_shape)} for an input of shape "
                         f"{x.shape}: it needs one entry per axis, each None (the input's "
                         "size), 1 (one draw shared along it) or the input's size.")
    rng = random.generator() if seed is None else seed \
        if isinstance(seed, numpy.random.Generator) else numpy.random.default_rng(seed)
    if any(n is None for n in x.shape):
        return _dropout(x, constant_like(1.0, x))    # symbolic: the shape is all we need
    shape = x.shape if noise_shape is None else \
        tuple(n if m is None else m for n, m in zip(x.shape, noise_shape))
    keep = (rng.random(shape) >= rate) / (1.0 - rate)       # broadcasts against x
    mask = constant_like(keep.astype(x.dtype), x)
    return _dropout(x, mask)
