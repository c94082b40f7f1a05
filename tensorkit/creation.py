"""Tensors made from a shape: zeros, ones, full, arange, linspace, eye, and the *_like forms."""

import numpy

from . import backend
from .tensor import Tensor, _check_dims, as_dtype

__all__ = ["zeros", "ones", "full", "zeros_like", "ones_like", "arange", "linspace", "eye"]


def _shape(shape, who="zeros"):
    if isinstance(shape, (int, numpy.integer)):
        shape = (shape,)
    elif isinstance(shape, (list, tuple)):
        shape = tuple(shape)
    else:
        raise TypeError(f"tk.{who} takes a shape: a tuple of whole numbers such as (2, 3). "
                        f"Received: {shape!r:.40}. Fix: e.g. tk.{who}((2, 3)).")
    if any(n is None for n in shape):
        raise ValueError(f"a tensor with data needs known, non-negative sizes; got {shape}. "
                         "Fix: give every size (None is for tk.symbolic shapes only).")
    bad = [n for n in shape if not isinstance(n, (int, numpy.integer)) or isinstance(n, bool)
           or n < 0]
    if bad:
        raise ValueError(f"a shape holds whole, non-negative sizes, but {shape} has "
                         f"{bad[0]!r}. Fix: use int(...) for sizes you compute, e.g. "
                         f"n // 2 rather than n / 2.")
    return tuple(int(n) for n in shape)


def _dtype_not_size(shape, dtype, who):
    if isinstance(dtype, (int, numpy.integer)) and not isinstance(dtype, bool):
        raise TypeError(f"tk.{who} takes the shape as one tuple; the second argument is the "
                        f"dtype, but got {dtype!r}. Fix: tk.{who}(({shape!r:.20}, {dtype})), "
                        "with brackets around the sizes.")


def _make(arr, dims=None, requires_grad=False, name=None):
    shape = tuple(arr.shape)
    return Tensor(arr, shape, arr.dtype, _check_dims(dims, shape), None, requires_grad, name)


def full(shape, fill_value, dtype="float32", dims=None, requires_grad=False, name=None,
         _who="full"):
    xp = backend.default_module()
    return _make(xp.full(_shape(shape, _who), fill_value, dtype=as_dtype(dtype)), dims,
                 requires_grad, name)


def zeros(shape, dtype="float32", dims=None, requires_grad=False, name=None):
    _dtype_not_size(shape, dtype, "zeros")
    return full(shape, 0, dtype, dims, requires_grad, name, _who="zeros")


def ones(shape, dtype="float32", dims=None, requires_grad=False, name=None):
    _dtype_not_size(shape, dtype, "ones")
    return full(shape, 1, dtype, dims, requires_grad, name, _who="ones")


def zeros_like(x, dtype=None):
    return full(x.shape, 0, dtype or x.dtype, x.dims)


def ones_like(x, dtype=None):
    return full(x.shape, 1, dtype or x.dtype, x.dims)


def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in [start, stop): int32 for whole numbers, else float32."""
    xp = backend.default_module()
    if stop is None:
        start, stop = 0, start
    whole = all(isinstance(v, int) for v in (start, stop, step))
    dtype = as_dtype(dtype) if dtype is not None else as_dtype("int32" if whole else "float32")
    return _make(xp.arange(start, stop, step).astype(dtype))


def linspace(start, stop, num=50, dtype="float32"):
    xp = backend.default_module()
    return _make(xp.linspace(start, stop, num).astype(as_dtype(dtype)))


def eye(n, m=None, dtype="float32"):
    xp = backend.default_module()
    return _make(xp.eye(n, m, dtype=as_dtype(dtype)))
