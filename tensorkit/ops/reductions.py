"""Reductions: sum, prod, mean, max, min, var, std, argmax, argmin, logsumexp; and the
running sums and products cumsum and cumprod.

Shape rule: the reduced axes disappear (or stay as size 1 with keepdims), and so do
their dim labels. VJPs give the gradient its reduced axes back, then broadcast. The
running ones keep the shape (axis=None runs over the flattened tensor, as NumPy).
"""


import builtins
import math

import numpy

from ..shapes import normalize_axes, normalize_axis, reduced_dims, reduced_shape, size_of
from ..tensor import defop
from .common import expand_reduced

__all__ = ["sum", "mean", "max", "min", "var", "std", "logsumexp", "argmax", "argmin", "any", "all",
           "prod", "cumsum", "cumprod"]


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _count(shape, axis):
    n = 1
    for a in normalize_axes(axis, len(shape)):
        n *= shape[a]
    return n


def reduction(name, forward, vjp, dtype=None):
    return defop(name, reduced_shape, forward, vjp, dims=reduced_dims, dtype=dtype)


def spread(name, forward, vjp):
    """var and std: a reduction with a ddof option, which leaves the shape alone."""
    return defop(name, lambda x, axis, keepdims, ddof: reduced_shape(x, axis, keepdims),
                 forward, vjp, dims=lambda shapes, dims, axis, keepdims, ddof:
                 reduced_dims(shapes, dims, axis, keepdims))


def _extreme_vjp(xp, g, out, x, axis, keepdims):
    """Share the gradient among the elements that were the max (or min)."""
    hit = x == expand_reduced(out, x.shape, axis)
    return expand_reduced(g, x.shape, axis) * hit / hit.sum(axis=axis, keepdims=True)


def _dof(shape, axis, ddof):
    """N - ddof, the divisor of var (0 when ddof >= N: var is then inf or nan, as NumPy's)."""
    return builtins.max(_count(shape, axis) - ddof, 0)


def _var_vjp(xp, g, out, x, axis, keepdims, ddof):
    dof = _dof(x.shape, axis, ddof)
    centred = x - x.mean(axis=axis, keepdims=True)
    scale = 2.0 / dof if dof else math.inf          # ddof >= N: +-inf, as PyTorch's var(dim)
    return expand_reduced(g, x.shape, axis) * scale * centred


def _std_vjp(xp, g, out, x, axis, keepdims, ddof):
    # zero where std is 0 (no direction to prefer), as PyTorch
    centred = x - x.mean(axis=axis, keepdims=True)
    safe = xp.where(out > 0, out, xp.ones_like(out))
    return (expand_reduced(g / safe, x.shape, axis) * centred / _dof(x.shape, axis, ddof)
            * expand_reduced(out > 0, x.shape, axis))


def _logsumexp(xp, x, axis, keepdims):
    top = x.max(axis=axis, keepdims=True)
    top = xp.where(xp.isfinite(top), top, xp.zeros_like(top))
    out = xp.log(xp.exp(x - top).sum(axis=axis, keepdims=True)) + top
    return out if keepdims else out.reshape(reduced_shape(x.shape, axis))


def _index_dtype(*_, **__):
    return numpy.dtype(numpy.int32)


def _arg(fn):
    def forward(xp, x, axis, keepdims):
        out = fn(x, axis=axis, keepdims=keepdims)
        return out.astype(numpy.int32)
    return forward


_sum = reduction("sum", lambda xp, x, axis, keepdims: x.sum(axis=axis, keepdims=keepdims),
                 lambda xp, g, out, x, axis, keepdims:
                     xp.broadcast_to(expand_reduced(g, x.shape, axis), x.shape).copy())
def _mean_forward(xp, x, axis, keepdims):
    if x.dtype.kind == "f" and x.dtype.itemsize >= 4:    # as x.mean(), without its overhead
        return x.sum(axis=axis, keepdims=keepdims) / _count(x.shape, axis)
    return x.mean(axis=axis, keepdims=keepdims)


def _mean_vjp(xp, g, out, x, axis, keepdims):
    share = expand_reduced(g, x.shape, axis) / _count(x.shape, axis)
    grad = xp.empty(x.shape, dtype=share.dtype)
    grad[...] = share
    return grad


_mean = reduction("mean", _mean_forward, _mean_vjp)
_max = reduction("max", lambda xp, x, axis, keepdims: x.max(axis=axis, keepdims=keepdims),
                 _extreme_vjp)
_min = reduction("min", lambda xp, x, axis, keepdims: x.min(axis=axis, keepdims=keepdims),
                 _extreme_vjp)
_var = spread("var", lambda xp, x, axis, keepdims, ddof:
                 x.var(axis=axis, keepdims=keepdims, ddof=ddof), _var_vjp)
_std = spread("std", lambda xp, x, axis, keepdims, ddof:
                 x.std(axis=axis, keepdims=keepdims, ddof=ddof), _std_vjp)
_logsumexp_op = reduction("logsumexp", _logsumexp,
                          lambda xp, g, out, x, axis, keepdims: expand_reduced(g, x.shape, axis)
                          * xp.exp(x - expand_reduced(out, x.shape, axis)))
_argmax = reduction("argmax", _arg(numpy.argmax), None, dtype=_index_dtype)
_argmin = reduction("argmin", _arg(numpy.argmin), None, dtype=_index_dtype)
_any = reduction("any", lambda xp, x, axis, keepdims: x.any(axis=axis, keepdims=keepdims), None,
                 dtype=lambda *_, **__: numpy.dtype(bool))
_all = reduction("all", lambda xp, x, axis, keepdims: x.all(axis=axis, keepdims=keepdims), None,
                 dtype=lambda *_, **__: numpy.dtype(bool))


def _numpy_args(name, given):
    """np.sum(x) calls x.sum(axis=None, dtype=None, out=None): fine while those are None;
    other keywords are typos, told as such (keepdim -> keepdims)."""
    for key, value in given.items():
        if key in ("dtype", "out") and value is None:
            continue
        if key in ("keepdim", "dim", "axes"):
            right = "keepdims" if key == "keepdim" else "axis"
            raise TypeError(f"{name}() got {key}={value!r}: tensorkit, like Keras and NumPy, "
                            f"calls it {right}. Fix: tk.{name}(x, {right}={value!r}).")
        raise TypeError(f"{name}() got an unexpected argument {key}={value!r}. Fix: "
                        f"tk.{name}(x, axis=..., keepdims=...); cast with tk.cast(x, dtype).")


def sum(x, axis=None, keepdims=False, **numpy_args):
    """Add up along `axis` (all axes when None): that axis disappears from the shape."""
    if numpy_args:
        _numpy_args("sum", numpy_args)
    return _sum(x, axis=_axis(axis), keepdims=keepdims)


def mean(x, axis=None, keepdims=False, **numpy_args):
    if numpy_args:
        _numpy_args("mean", numpy_args)
    return _mean(x, axis=_axis(axis), keepdims=keepdims)


def max(x, axis=None, keepdims=False, **numpy_args):
    if numpy_args:
        _numpy_args("max", numpy_args)
    return _max(x, axis=_axis(axis), keepdims=keepdims)


def min(x, axis=None, keepdims=False, **numpy_args):
    if numpy_args:
        _numpy_args("min", numpy_args)
    return _min(x, axis=_axis(axis), keepdims=keepdims)


def var(x, axis=None, keepdims=False, ddof=0):
    """Variance: divides by N - ddof. The default ddof=0 is the population variance of
    Keras and TF.js; ddof=1 is PyTorch's default (its ``correction``) and NumPy's ddof=1."""
    return _var(x, axis=_axis(axis), keepdims=keepdims, ddof=_ddof(ddof))


def std(x, axis=None, keepdims=False, ddof=0):
    """Standard deviation, sqrt(var(x, axis, ddof=ddof)); its gradient is 0 where it is 0."""
    return _std(x, axis=_axis(axis), keepdims=keepdims, ddof=_ddof(ddof))


def _ddof(ddof):
    if isinstance(ddof, bool) or not isinstance(ddof, (int, numpy.integer)) or ddof < 0:
        raise ValueError(f"ddof must be a non-negative int, received: ddof={ddof!r}. "
                         "Fix: ddof=0 divides by N, ddof=1 by N - 1.")
    return int(ddof)


def logsumexp(x, axis=None, keepdims=False):
    return _logsumexp_op(x, axis=_axis(axis), keepdims=keepdims)


def argmax(x, axis=None, keepdims=False):
    """Index of the largest value along `axis` (int32; over the flattened tensor if None)."""
    if axis is None and keepdims:
        raise ValueError("argmax with axis=None gives one index into the flattened tensor; "
                         "keepdims needs an axis.")
    return _argmax(x, axis=axis, keepdims=keepdims)


def argmin(x, axis=None, keepdims=False):
    if axis is None and keepdims:
        raise ValueError("argmin with axis=None gives one index into the flattened tensor; "
                         "keepdims needs an axis.")
    return _argmin(x, axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):
    return _any(x, axis=_axis(axis), keepdims=keepdims)


def all(x, axis=None, keepdims=False):
    return _all(x, axis=_axis(axis), keepdims=keepdims)


# ---- prod, cumsum, cumprod --------------------------------------------------------------
def _kept_dtype(x, **_):
    """Integers stay in their dtype (int32 stays int32, as in Keras; NumPy would give int64),
    bools count as int32."""
    return numpy.dtype(numpy.int32) if x.kind == "b" else x


def _exclusive_cumprod(xp, x):
    """Products of the entries before each one along the last axis: (1, x0, x0*x1, ...)."""
    return xp.concatenate([xp.ones_like(x[..., :1]), xp.cumprod(x, axis=-1)[..., :-1]], axis=-1)


def _prod_vjp(xp, g, out, x, axis, keepdims):
    """Each entry's gradient is the product of the others in its slice: exact with zeros
    (one zero: only it gets a gradient; two or more: none does), as PyTorch's."""
    axes = normalize_axes(axis, x.ndim)
    rest = [a for a in range(x.ndim) if a not in axes]
    moved = x.transpose(rest + list(axes))            # (..., reduced axes)
    flat = moved.reshape(moved.shape[:len(rest)] + (math.prod(x.shape[a] for a in axes),))
    others = _exclusive_cumprod(xp, flat) * _exclusive_cumprod(xp, flat[..., ::-1])[..., ::-1]
    back = [(rest + list(axes)).index(a) for a in range(x.ndim)]
    return expand_reduced(g, x.shape, axis) * others.reshape(moved.shape).transpose(back)


def _scan_shape(x, axis):
    """The shape stays; axis=None runs over the flattened tensor, as NumPy.

    >>> _scan_shape((None, 5), axis=1)
    (None, 5)
    >>> _scan_shape((2, 3), axis=None)
    (6,)
    """
    if axis is None:
        return (size_of(x),)
    normalize_axis(axis, len(x))
    return tuple(x)


def _reverse_cumsum(xp, g, axis):
    return xp.flip(xp.cumsum(xp.flip(g, axis), axis=axis), axis)


def _cumprod_vjp(xp, g, out, x, axis):
    """d out_k / d x_i is the product of x_0..x_k without x_i (k >= i). Before the first
    zero z of a run that is out_k / x_i; at z, the product with x_z left out; after z, 0.
    Exact with zeros, as PyTorch's."""
    shape = x.shape
    if axis is None:
        x, axis = x.reshape(-1), 0
    zero = x == 0
    zeros_so_far = xp.cumsum(zero, axis=axis)
    before, first = zeros_so_far == 0, zero & (zeros_so_far == 1)     # k < z, k == z
    skip = xp.cumprod(xp.where(first, xp.ones_like(x), x), axis=axis)  # x_z left out
    grad = _reverse_cumsum(xp, g * skip * before, axis) / xp.where(before, x, xp.ones_like(x))
    at_zero = (g * skip * ~before).sum(axis=axis, keepdims=True)
    return xp.where(first, at_zero, grad * before).reshape(shape)


_prod = reduction("prod", lambda xp, x, axis, keepdims:
                  x.prod(axis=axis, keepdims=keepdims, dtype=_kept_dtype(x.dtype)), _prod_vjp,
                  dtype=_kept_dtype)
_cumsum = defop("cumsum", _scan_shape,
                lambda xp, x, axis: xp.cumsum(x, axis=axis, dtype=_kept_dtype(x.dtype)),
                lambda xp, g, out, x, axis:
                    _reverse_cumsum(xp, g, 0 if axis is None else axis).reshape(x.shape),
                dtype=_kept_dtype)
_cumprod = defop("cumprod", _scan_shape,
                 lambda xp, x, axis: xp.cumprod(x, axis=axis, dtype=_kept_dtype(x.dtype)),
                 _cumprod_vjp, dtype=_kept_dtype)


def prod(x, axis=None, keepdims=False, **numpy_args):
    """Multiply along `axis` (all axes when None): that axis disappears from the shape."""
    if numpy_args:
        _numpy_args("prod", numpy_args)
    return _prod(x, axis=_axis(axis), keepdims=keepdims)


def cumsum(x, axis=None):
    """Running sums along `axis`: out[i] = x[0] + ... + x[i]. The shape stays; with
    axis=None (NumPy's default) it runs over the flattened tensor."""
    return _cumsum(x, axis=axis)


def cumprod(x, axis=None):
    """Running products along `axis`: out[i] = x[0] * ... * x[i]. The shape stays; with
    axis=None (NumPy's default) it runs over the flattened tensor."""
    return _cumprod(x, axis=axis)
