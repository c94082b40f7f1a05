"""Weight initializers with Keras 3's names, formulas and defaults, drawn from tk.random."""

import math

import numpy

from . import random
from .errors import DTypeError

__all__ = ["get", "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_normal",
           "lecun_uniform", "orthogonal", "zeros", "ones", "constant", "random_normal",
           "random_uniform", "truncated_normal"]


def compute_fans(shape):
    """(fan_in, fan_out) as Keras computes them: conv kernels count their receptive field.

    >>> compute_fans((784, 10))
    (784, 10)
    >>> compute_fans((3, 3, 16, 32))
    (144, 288)
    """
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def _truncated(shape, stddev):
    """Normal values redrawn until within two standard deviations (Keras' TruncatedNormal)."""
    rng = random.generator()
    out = rng.normal(0.0, stddev, shape)
    bad = numpy.abs(out) > 2 * stddev
    while bad.any():
        out[bad] = rng.normal(0.0, stddev, int(bad.sum()))
        bad = numpy.abs(out) > 2 * stddev
    return out


def _variance_scaling(scale, mode, distribution):
    def init(shape):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
        variance = scale / max(1.0, n)
        if distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return random.generator().uniform(-limit, limit, shape)
        # 0.8796...: the stddev of a unit normal truncated at two standard deviations
        return _truncated(shape, math.sqrt(variance) / 0.87962566103423978)
    return init


glorot_uniform = _variance_scaling(1.0, "fan_avg", "uniform")
glorot_normal = _variance_scaling(1.0, "fan_avg", "normal")
he_uniform = _variance_scaling(2.0, "fan_in", "uniform")
he_normal = _variance_scaling(2.0, "fan_in", "normal")
lecun_uniform = _variance_scaling(1.0, "fan_in", "uniform")
lecun_normal = _variance_scaling(1.0, "fan_in", "normal")


def orthogonal(shape, gain=1.0):
    """A (flattened) orthogonal matrix, as Keras' Orthogonal for recurrent kernels."""
    rows, cols = math.prod(shape[:-1]), shape[-1]
    a = random.generator().normal(0.0, 1.0, (max(rows, cols), min(rows, cols)))
    q, r = numpy.linalg.qr(a)
    q = q * numpy.sign(numpy.diag(r))
    if rows < cols:
        q = q.T
    return gain * q[:rows, :cols].reshape(shape)


def zeros(shape):
    return numpy.zeros(shape)


def ones(shape):
    return numpy.ones(shape)


def constant(value):
    return lambda shape: numpy.full(shape, value)


def random_normal(shape, mean=0.0, stddev=0.05):
    return random.generator().normal(mean, stddev, shape)


def random_uniform(shape, minval=-0.05, maxval=0.05):
    return random.generator().uniform(minval, maxval, shape)


def truncated_normal(shape, stddev=0.05):
    return _truncated(shape, stddev)


_BY_NAME = {"glorot_uniform": glorot_uniform, "glorot_normal": glorot_normal,
            "he_uniform": he_uniform, "he_normal": he_normal, "lecun_uniform": lecun_uniform,
            "lecun_normal": lecun_normal, "orthogonal": orthogonal, "zeros": zeros,
            "ones": ones, "random_normal": random_normal, "random_uniform": random_uniform,
            "uniform": random_uniform, "truncated_normal": truncated_normal}


def get(identifier):
    """An initializer from its Keras name (or a callable taking a shape)."""
    if callable(identifier):
        return identifier
    key = str(identifier).lower()
    if key not in _BY_NAME:
        raise DTypeError(f"unknown initializer {identifier!r}. Expected one of "
                         f"{sorted(_BY_NAME)} or a function of a shape.")
    return _BY_NAME[key]


def name_of(initializer):
    for name, fn in _BY_NAME.items():
        if fn is initializer:
            return name
    return getattr(initializer, "__name__", "custom")
