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
           "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "arcsinh",
           "arccosh", "arctanh", "ceil", "trunc", "log1p", "expm1", "log2", "log10",
           "reciprocal", "rsqrt", "erf", "isnan", "isfinite", "isinf", "logical_not",
           "stop_gradient",
           "add", "sub", "mul", "div", "pow", "maximum", "minimum", "equal", "not_equal",
           "less", "less_equal", "greater", "greater_equal", "logical_and", "logical_or",
           "arctan2", "mod", "floor_divide", "logaddexp", "squared_difference", "hypot",
           "logical_xor", "where"]


def unary(name, forward, vjp, doc=None):
    return defop(name, same_shape, forward, vjp, doc=doc)


def binary(name, forward, vjp_x, vjp_y, dtype=None, doc=None):
    return defop(name, broadcast_shapes, forward, vjp_x, vjp_y, dims=broadcast_dims,
                 dtype=dtype, doc=doc)


def predicate(name, forward):
    """A unary test (isnan, logical_not...): a boolean result, no gradient."""
    return defop(name, same_shape, forward, None, dtype=_bool)


def _bool(*_):
    import numpy
    return numpy.dtype(bool)


def _sigmoid(xp, x):
    # tanh form: no overflow warning for large |x|, exact in float32 and float64
    return 0.5 * xp.tanh(0.5 * x) + 0.5


_ERF_SERIES = [2 / math.sqrt(math.pi) * (-1) ** n / (math.factorial(n) * (2 * n + 1))
               for n in range(7)]          # erf(x) = x * sum c_n x^2n, to 1e-9 for |x| < 0.5


def _erf(xp, x):
    """erf within 2e-7 of math.erf in float32 (3 ulp; 3e-8 in float64), since NumPy has
    none: Numerical Recipes' erfc (fractional error < 1.2e-7), and below |x| = 0.5, where
    1 - erfc would lose the relative accuracy of tiny values, the Taylor series."""
    z = xp.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277))))))))
    far = xp.sign(x) * (1.0 - t * xp.exp(poly))
    s = x * x
    near = _ERF_SERIES[-1]
    for c in reversed(_ERF_SERIES[:-1]):
        near = near * s + c
    return xp.where(z < 0.5, x * near, far)


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


def _atan2_scale(xp, y, x):
    """1 / (x^2 + y^2), and 0 at the origin: PyTorch gives atan2 a zero gradient there."""
    r2 = x * x + y * y
    origin = r2 == 0
    return xp.where(origin, xp.zeros_like(r2), 1.0 / (r2 + origin))    # + origin: no 1 / 0


_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_LN2, _LN10 = math.log(2.0), math.log(10.0)


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

# trigonometric and hyperbolic: outside the domain (arcsin(2), arccosh(0)) the value and the
# gradient are nan, and at its edge (arcsin(1), arctanh(1)) the gradient is inf, as in torch
sin = unary("sin", lambda xp, x: xp.sin(x), lambda xp, g, out, x: g * xp.cos(x))
cos = unary("cos", lambda xp, x: xp.cos(x), lambda xp, g, out, x: -g * xp.sin(x))
tan = unary("tan", lambda xp, x: xp.tan(x), lambda xp, g, out, x: g * (1 + out * out))
arcsin = unary("arcsin", lambda xp, x: xp.arcsin(x),
               lambda xp, g, out, x: g / xp.sqrt(1 - x * x))
arccos = unary("arccos", lambda xp, x: xp.arccos(x),
               lambda xp, g, out, x: -g / xp.sqrt(1 - x * x))
arctan = unary("arctan", lambda xp, x: xp.arctan(x), lambda xp, g, out, x: g / (1 + x * x))
sinh = unary("sinh", lambda xp, x: xp.sinh(x), lambda xp, g, out, x: g * xp.cosh(x))
cosh = unary("cosh", lambda xp, x: xp.cosh(x), lambda xp, g, out, x: g * xp.sinh(x))
arcsinh = unary("arcsinh", lambda xp, x: xp.arcsinh(x),
                lambda xp, g, out, x: g / xp.sqrt(x * x + 1))
arccosh = unary("arccosh", lambda xp, x: xp.arccosh(x),
                lambda xp, g, out, x: g / xp.sqrt(x * x - 1))
arctanh = unary("arctanh", lambda xp, x: xp.arctanh(x), lambda xp, g, out, x: g / (1 - x * x))
ceil = unary("ceil", lambda xp, x: xp.ceil(x), lambda xp, g, out, x: xp.zeros_like(g))
trunc = unary("trunc", lambda xp, x: xp.trunc(x), lambda xp, g, out, x: xp.zeros_like(g))
# logs and exps near their awkward points: log1p(x) keeps tiny x that log(1 + x) rounds away
log1p = unary("log1p", lambda xp, x: xp.log1p(x), lambda xp, g, out, x: g / (x + 1))
expm1 = unary("expm1", lambda xp, x: xp.expm1(x), lambda xp, g, out, x: g * (out + 1))
log2 = unary("log2", lambda xp, x: xp.log2(x), lambda xp, g, out, x: g / (x * _LN2))
log10 = unary("log10", lambda xp, x: xp.log10(x), lambda xp, g, out, x: g / (x * _LN10))
# at 0: inf and a gradient of -inf (signs flip at -0.0 and with g's), as in torch: no error
reciprocal = unary("reciprocal", lambda xp, x: 1.0 / x, lambda xp, g, out, x: -g * out * out)
rsqrt = unary("rsqrt", lambda xp, x: 1.0 / xp.sqrt(x),
              lambda xp, g, out, x: -0.5 * g * out * out * out)
erf = unary("erf", _erf, lambda xp, g, out, x: g * _TWO_OVER_SQRT_PI * xp.exp(-x * x))

isnan = predicate("isnan", lambda xp, x: xp.isnan(x))
isfinite = predicate("isfinite", lambda xp, x: xp.isfinite(x))
isinf = predicate("isinf", lambda xp, x: xp.isinf(x))
logical_not = predicate("logical_not", lambda xp, x: xp.logical_not(x))

# the same values, recorded in the graph, but no VJP: the output needs no gradient, so
# backprop stops here and x gets none from this path (tf.stop_gradient, torch's detach)
stop_gradient = defop("stop_gradient", same_shape, lambda xp, x: x, None,
                      doc="The same values; gradients do not flow back through it.")

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

arctan2 = binary("arctan2", lambda xp, y, x: xp.arctan2(y, x),     # NumPy's order: (y, x)
                 lambda xp, g, out, y, x: unbroadcast(g * x * _atan2_scale(xp, y, x), y.shape),
                 lambda xp, g, out, y, x: unbroadcast(-g * y * _atan2_scale(xp, y, x), x.shape))
# mod has the divisor's sign (Python's %, torch.remainder; C's fmod has x's): x - y floor(x/y)
mod = binary("mod", lambda xp, x, y: xp.mod(x, y),
             lambda xp, g, out, x, y: unbroadcast(g, x.shape),
             lambda xp, g, out, x, y: unbroadcast(-g * xp.floor_divide(x, y), y.shape))
floor_divide = binary("floor_divide", lambda xp, x, y: xp.floor_divide(x, y),
                      lambda xp, g, out, x, y: unbroadcast(xp.zeros_like(g), x.shape),
                      lambda xp, g, out, x, y: unbroadcast(xp.zeros_like(g), y.shape))
logaddexp = binary("logaddexp", lambda xp, x, y: xp.logaddexp(x, y),     # a tie: half each
                   lambda xp, g, out, x, y: unbroadcast(g * _sigmoid(xp, x - y), x.shape),
                   lambda xp, g, out, x, y: unbroadcast(g * _sigmoid(xp, y - x), y.shape))
squared_difference = binary(
    "squared_difference", lambda xp, x, y: xp.square(x - y),
    lambda xp, g, out, x, y: unbroadcast(g * 2 * (x - y), x.shape),
    lambda xp, g, out, x, y: unbroadcast(g * 2 * (y - x), y.shape))
hypot = binary("hypot", lambda xp, x, y: xp.hypot(x, y),       # nan gradients at (0, 0)
               lambda xp, g, out, x, y: unbroadcast(g * x / out, x.shape),
               lambda xp, g, out, x, y: unbroadcast(g * y / out, y.shape))

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
logical_xor = binary("logical_xor", lambda xp, x, y: xp.logical_xor(x, y), None, None,
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
