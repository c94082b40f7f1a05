"""Seeded random numbers: ``tk.random.seed(n)`` makes every run repeat bit for bit.

Numbers are drawn on the CPU with NumPy's PCG64 and moved to the backend's device, so a
seed gives the same values on NumPy and CuPy.
"""

import numpy

from . import backend
from .tensor import Tensor, as_dtype

_generator = numpy.random.default_rng()


def seed(n):
    """Restart the random stream at `n`: what follows repeats exactly."""
    global _generator
    _generator = numpy.random.default_rng(n)


def generator():
    """The NumPy Generator behind tk.random (for ops such as dropout)."""
    return _generator


def _shape(shape):
    if isinstance(shape, int):
        return (shape,)
    shape = tuple(shape)
    if any(n is None for n in shape):
        raise ValueError(f"random numbers need a known shape, got {shape}. Fix: give every size "
                         "(None is only for symbolic tensors).")
    return shape


def _wrap(values, dtype, dims, requires_grad=False, name=None):
    arr = values.astype(as_dtype(dtype), copy=False)
    xp = backend.default_module()
    if xp is not numpy:
        arr = xp.asarray(arr)
    from .tensor import _check_dims
    shape = tuple(arr.shape)
    return Tensor(arr, shape, arr.dtype, _check_dims(dims, shape), None, requires_grad, name)


def normal(shape, mean=0.0, stddev=1.0, dtype="float32", dims=None, requires_grad=False):
    """Values from a normal (Gaussian) distribution, as ``keras.random.normal``."""
    return _wrap(_generator.normal(mean, stddev, _shape(shape)), dtype, dims, requires_grad)


def uniform(shape, minval=0.0, maxval=1.0, dtype="float32", dims=None, requires_grad=False):
    """Values spread evenly over [minval, maxval), as ``keras.random.uniform``."""
    return _wrap(_generator.uniform(minval, maxval, _shape(shape)), dtype, dims, requires_grad)


def randint(shape, minval, maxval, dtype="int32", dims=None):
    """Integers in [minval, maxval), as ``keras.random.randint``."""
    return _wrap(_generator.integers(minval, maxval, _shape(shape)), dtype, dims)


def shuffle(n):
    """A random permutation of range(n), as a NumPy array (for shuffling batches)."""
    return _generator.permutation(n)
