"""Elementwise ops: one row each, shape rule + forward + VJP side by side.

Unary ops keep their input's shape (and dim labels); binary ops broadcast as NumPy does
and merge dim labels from the right. Each VJP gets ``(xp, g, out, *inputs)``.
"""


import math

from ..shapes import broadcast_dims, broadcast_shapes, same_shape
from ..tensor import defop
from .common import unbroadcast

__all__ = ["neg", "abs", "exp", "log", "sqrt", "square", "tanh", "sigmoid", "relu", "softplus",
           "silu", "swish", "sign", "floor", "round", "leaky_relu", "elu", "gelu", "clip",
           "add", "sub", "mul", "div", "pow", "maximum", "minimum", "equal", "not_equal",
           "less", "less_equal", "greater", "greater_equal", "logical_and", "logical_or",
           "where"]


def unary(name, forward, vjp, doc=None):
    return defop(name, same_shape, forward, vjp, doc=doc)


def binary(name, forward, vjp_x, vjp_y, dtype=None, doc=None):
    return defop(name, broadcast_shapes, forward, vjp_x, vjp_y, dims=broadcast_dims,
                 dtype=dtype, doc=doc)


def _bool(*_):
    import numpy
    return numpy.dtype(bool)


def _sigmoid(xp, x):
    # tanh form: no overflow warning for large |x|, exact in float32 and float64
    return 0.5 * xp.tanh(0.5 * x) + 0.5


def _erf(xp, x):
    """erf to within 1.2e-7 (Numerical Recipes' erfc), since NumPy has none."""
    z = xp.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277))))))))
    return xp.sign(x) * (1.0 - t * xp.exp(poly))


def _add(xp, x, y):
    """x + y; a short bias on a big (..., W, C) array is added as a tiled row W*C long:
    NumPy's inner loop would be only C long (measured: 2.2x faster for W3's conv biases)."""
    if y.ndim == 1 and x.ndim >= 3 and x.shape[-1] == y.shape[0] and x.dtype == y.dtype \
            and x.size >= 16384 and x.shape[-2] * y.shape[0] <= 4096 and x.flags.c_contiguous:
        row = x.shape[-2] * y.shape[0]
        return (x.reshape(-1, row) + xp.tile(y, x.shape[-2])).reshape(x.shape)
    return x + y


def _relu(xp, x):
    zeros = xp.zeros_like(x)            # max with an array of zeros, written over it: 1.3-3x
    return xp.maximum(x, zeros, out=zeros)   # faster than max(x, 0) (shared/PERFORMANCE.md)


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def _gelu(xp, x, approximate=True):
    if approximate:
        return 0.5 * x * (1.0 + xp.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1.0 + _erf(xp, x / math.sqrt(2.0)))


def _gelu_vjp(xp, g, out, x, approximate=True):
    if approximate:
        inner = _SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)
        th = xp.tanh(inner)
        d_inner = _SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * x * x)
        return g * (0.5 * (1.0 + th) + 0.5 * x * (1.0 - th * th) * d_inner)
    cdf = 0.5 * (1.0 + _erf(xp, x / math.sqrt(2.0)))
    pdf = xp.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    return g * (cdf + x * pdf)


def _share(xp, g, a, b):
    """maximum's gradient for a: g where a beats b, half of it on a tie, none where b
    wins (PyTorch's and JAX's; TF gives a tie all to x). A NaN gets all of it, as in torch."""
    return xp.where(a < b, xp.zeros_like(g), xp.where(a == b, g * 0.5, g))


def _pow_vjp_x(xp, g, out, x, y):
    # y x^(y-1), and 0 where y == 0 (PyTorch's convention: 0 * 0^-1 would be nan)
    return unbroadcast(xp.where(y == 0, xp.zeros_like(g), g * y * x ** (y - 1)), x.shape)


def _pow_vjp_y(xp, g, out, x, y):
    # x^y log x: 0 where x == 0 and y >= 0 (PyTorch's convention), nan for a negative base
    return unbroadcast(xp.where((x == 0) & (y >= 0), xp.zeros_like(g), g * out * xp.log(x)),
                       y.shape)


# ---- unary: name, forward, VJP ------------------------------------------------------------
neg = unary("neg", lambda xp, x: -x, lambda xp, g, out, x: -g)
abs = unary("abs", lambda xp, x: xp.abs(x), lambda xp, g, out, x: g * xp.sign(x))
exp = unary("exp", lambda xp, x: xp.exp(x), lambda xp, g, out, x: g * out)
log = unary("log", lambda xp, x: xp.log(x), lambda xp, g, out, x: g / x)
sqrt = unary("sqrt", lambda xp, x: xp.sqrt(x), lambda xp, g, out, x: g * 0.5 / out)
square = unary("square", lambda xp, x: x * x, lambda xp, g, out, x: g * 2 * x)
tanh = unary("tanh", lambda xp, x: xp.tanh(x), lambda xp, g, out, x: g * (1 - out * out))
sigmoid = unary("sigmoid", _sigmoid, lambda xp, g, out, x: g * out * (1 - out))
relu = unary("relu", _relu,                       # 0 at 0; NaN passes g on, as torch's
             lambda xp, g, out, x: g * (out != 0))
softplus = unary("softplus", lambda xp, x: xp.logaddexp(xp.zeros_like(x), x),
                 lambda xp, g, out, x: g * _sigmoid(xp, x))
silu = unary("silu", lambda xp, x: x * _sigmoid(xp, x),
             lambda xp, g, out, x: g * (_sigmoid(xp, x) * (1 + x * (1 - _sigmoid(xp, x)))))
# steps: a zero gradient (as PyTorch's), so a loss through them still backpropagates
sign = unary("sign", lambda xp, x: xp.sign(x), lambda xp, g, out, x: xp.zeros_like(g))
floor = unary("floor", lambda xp, x: xp.floor(x), lambda xp, g, out, x: xp.zeros_like(g))
round = unary("round", lambda xp, x: xp.round(x), lambda xp, g, out, x: xp.zeros_like(g))
_leaky_relu = unary("leaky_relu",
                    lambda xp, x, negative_slope: xp.where(x > 0, x, x * negative_slope),
                    lambda xp, g, out, x, negative_slope: xp.where(x > 0, g, g * negative_slope))
_elu = unary("elu", lambda xp, x, alpha: xp.where(x > 0, x, alpha * (xp.exp(x) - 1)),
             lambda xp, g, out, x, alpha: xp.where(x <= 0, g * (out + alpha), g))
_gelu_op = unary("gelu", _gelu, _gelu_vjp)
_clip = unary("clip", lambda xp, x, min, max: xp.clip(x, min, max),
              lambda xp, g, out, x, min, max: g * ((x >= min) & (x <= max)))

# ---- binary: name, forward, VJP for x, VJP for y ------------------------------------------
add = binary("add", _add,
             lambda xp, g, out, x, y: unbroadcast(g, x.shape),
             lambda xp, g, out, x, y: unbroadcast(g, y.shape))
sub = binary("sub", lambda xp, x, y: x - y,
             lambda xp, g, out, x, y: unbroadcast(g, x.shape),
             lambda xp, g, out, x, y: unbroadcast(-g, y.shape))
mul = binary("mul", lambda xp, x, y: x * y,
             lambda xp, g, out, x, y: unbroadcast(g * y, x.shape),
             lambda xp, g, out, x, y: unbroadcast(g * x, y.shape))
div = binary("div", lambda xp, x, y: x / y,
             lambda xp, g, out, x, y: unbroadcast(g / y, x.shape),
             lambda xp, g, out, x, y: unbroadcast(-g * out / y, y.shape))
pow = binary("pow", lambda xp, x, y: x ** y, _pow_vjp_x, _pow_vjp_y)
maximum = binary("maximum", lambda xp, x, y: xp.maximum(x, y),
                 lambda xp, g, out, x, y: unbroadcast(_share(xp, g, x, y), x.shape),
                 lambda xp, g, out, x, y: unbroadcast(_share(xp, g, y, x), y.shape))
minimum = binary("minimum", lambda xp, x, y: xp.minimum(x, y),
                 lambda xp, g, out, x, y: unbroadcast(_share(xp, g, y, x), x.shape),
                 lambda xp, g, out, x, y: unbroadcast(_share(xp, g, x, y), y.shape))

# comparisons: boolean results, no gradient
equal = binary("equal", lambda xp, x, y: x == y, None, None, dtype=_bool)
not_equal = binary("not_equal", lambda xp, x, y: x != y, None, None, dtype=_bool)
less = binary("less", lambda xp, x, y: x < y, None, None, dtype=_bool)
less_equal = binary("less_equal", lambda xp, x, y: x <= y, None, None, dtype=_bool)
greater = binary("greater", lambda xp, x, y: x > y, None, None, dtype=_bool)
greater_equal = binary("greater_equal", lambda xp, x, y: x >= y, None, None, dtype=_bool)
logical_and = binary("logical_and", lambda xp, x, y: xp.logical_and(x, y), None, None,
                     dtype=_bool)
logical_or = binary("logical_or", lambda xp, x, y: xp.logical_or(x, y), None, None,
                    dtype=_bool)


# ---- where: a condition picks from x or y ---------------------------------------------
def _where_shape(cond, x, y):
    return broadcast_shapes(cond, x, y)


def _where_dtype(cond, x, y):
    import numpy
    return numpy.result_type(x, y)


_where = defop("where", _where_shape, lambda xp, c, x, y: xp.where(c, x, y),
               None,
               lambda xp, g, out, c, x, y: unbroadcast(xp.where(c, g, xp.zeros_like(g)), x.shape),
               lambda xp, g, out, c, x, y: unbroadcast(xp.where(c, xp.zeros_like(g), g), y.shape),
               dims=broadcast_dims, dtype=_where_dtype)


# ---- public functions for the ops that take options --------------------------------------
def leaky_relu(x, negative_slope=0.2):
    """max(x, negative_slope * x) (Keras 3 ``ops.leaky_relu``; TF.js calls it alpha)."""
    return _leaky_relu(x, negative_slope=float(negative_slope))


def elu(x, alpha=1.0):
    return _elu(x, alpha=float(alpha))


def gelu(x, approximate=True):
    """GELU; ``approximate=True`` is the tanh form (Keras 3 ``ops.gelu``'s default)."""
    return _gelu_op(x, approximate=bool(approximate))


def clip(x, min, max):
    """Limit values to [min, max]; the gradient is zero where a value was clipped."""
    if min is not None and max is not None and min > max:
        raise ValueError(f"clip got min={min} > max={max}. Fix: pass min <= max.")
    return _clip(x, min=float(min) if min is not None else -math.inf,
                 max=float(max) if max is not None else math.inf)


def where(condition, x, y):
    """Elementwise choice: x where condition is true, else y (broadcasting as NumPy)."""
    return _where(condition, x, y)


swish = silu
