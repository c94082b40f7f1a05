"""Linear algebra: matmul (batched, broadcasting as NumPy) and dot."""


from ..errors import ShapeError, format_shape
from ..shapes import broadcast_dims, broadcast_shapes
from ..tensor import defop
from .common import unbroadcast

__all__ = ["matmul", "dot", "matmul_shape", "linear"]


def _matmul_fix(x, y):
    """One concrete change that would make x @ y work."""
    k, k2 = x[-1], y[-2] if len(y) > 1 else y[0]
    if len(y) >= 2 and y[-1] == k:
        fitted = x[:-1] + (y[-2],)
        return (f"transpose the second operand: x @ tk.transpose(y) multiplies "
                f"{format_shape(x)} by {format_shape(y[:-2] + (y[-1], y[-2]))} and gives "
                f"{format_shape(fitted)}.")
    if len(x) >= 2 and x[-2] == k2:
        return (f"transpose the first operand: tk.transpose(x) @ y multiplies "
                f"{format_shape(x[:-2] + (x[-1], x[-2]))} by {format_shape(y)}.")
    if len(y) >= 2:
        return (f"the second operand needs {k} rows to match the {k} columns of the first: "
                f"a shape like {format_shape((k, y[-1]))} (for a Dense layer, the kernel is "
                f"(input features, units)).")
    return f"the vector needs {k} elements to match the last axis of the first operand."


def matmul_shape(x, y):
    """NumPy's matmul rule: contract x's last axis with y's second-to-last.

    >>> matmul_shape((None, 784), (784, 10))
    (None, 10)
    >>> matmul_shape((8, 1, 3, 4), (5, 4, 2))
    (8, 5, 3, 2)
    >>> matmul_shape((3,), (3,))
    ()
    """
    if not x or not y:
        raise ShapeError("matmul needs operands with at least one axis; a scalar has none.",
                         expected="vectors or matrices (or stacks of them)",
                         fix="use tk.mul (or *) to scale by a scalar.")
    kx = x[-1]
    ky = y[-2] if len(y) >= 2 else y[0]
    if kx is not None and ky is not None and kx != ky:
        axis_y = -2 if len(y) >= 2 else -1
        raise ShapeError(
            f"{kx} != {ky} on the contracted axis (axis -1 of the first operand, axis "
            f"{axis_y} of the second).",
            expected=f"the second operand's axis {axis_y} to have size {kx}, the size of the "
                     "first operand's last axis",
            fix=_matmul_fix(x, y))
    if len(x) == 1 and len(y) == 1:
        return ()
    if len(y) == 1:
        return x[:-1]
    if len(x) == 1:
        return y[:-2] + (y[-1],)
    batch = broadcast_shapes(x[:-2], y[:-2]) if len(x) > 2 or len(y) > 2 else ()
    return batch + (x[-2], y[-1])


def _matmul_dims(shapes, dims):
    """Outer labels survive: x's rows, y's columns, the batch axes merged."""
    x, y = shapes
    dx, dy = dims
    if len(x) == 1 and len(y) == 1:
        return ()
    if len(y) == 1:
        return dx[:-1]
    if len(x) == 1:
        return dy[:-2] + (dy[-1],)
    batch = broadcast_dims([x[:-2], y[:-2]], [dx[:-2], dy[:-2]]) if len(x) > 2 or len(y) > 2 \
        else ()
    return batch + (dx[-2], dy[-1])


def _swap(a):
    return a.swapaxes(-1, -2)


def _matmul_vjp_x(xp, g, out, x, y):
    if y.ndim == 1:
        if x.ndim == 1:
            return g * y
        return unbroadcast(g[..., None] * y, x.shape)             # (..., n, 1) * (k,)
    if x.ndim == 1:
        return unbroadcast((g[..., None, :] @ _swap(y))[..., 0, :], x.shape)
    if g.ndim == 2 and y.ndim == 2:
        return (y @ g.T).T              # = g @ y.T; OpenBLAS is up to 25% faster this way round
    return unbroadcast(g @ _swap(y), x.shape)                      # (..., n, m) @ (..., m, k)


def _matmul_vjp_y(xp, g, out, x, y):
    if x.ndim == 2 and y.ndim == 2:
        return x.T @ g                                             # (k, n) @ (n, m)
    if x.ndim == 1:
        if y.ndim == 1:
            return g * x
        return unbroadcast(x[:, None] * g[..., None, :], y.shape)  # (k, 1) * (..., 1, m)
    if y.ndim == 1:
        return unbroadcast((_swap(x) @ g[..., None])[..., 0], y.shape)
    return unbroadcast(_swap(x) @ g, y.shape)                      # (..., k, n) @ (..., n, m)


_matmul = defop("matmul", matmul_shape, lambda xp, x, y: x @ y, _matmul_vjp_x, _matmul_vjp_y,
                dims=_matmul_dims)


def matmul(x, y):
    """Matrix product, batched and broadcasting over leading axes as ``numpy.matmul``."""
    return _matmul(x, y)


def dot(x, y):
    """Dot product of vectors, or the matrix product for 1-D/2-D operands (``numpy.dot``).

    For more than two axes use matmul, which batches; ``numpy.dot`` would not.
    """
    for t in (x, y):
        ndim = len(getattr(t, "shape", ()))
        if ndim > 2:
            raise ShapeError(
                f"dot takes vectors or matrices, but got an operand of rank {ndim}.",
                expected="operands with 1 or 2 axes",
                fix="use tk.matmul (or @), which multiplies stacks of matrices.",
                op="dot", shapes=(x.shape, y.shape))
    return _matmul(x, y)


# ---- linear: x @ kernel + bias as one op --------------------------------------------------
def _linear_shape(x, kernel, bias):
    """matmul's rule, with a bias that broadcasts onto the product (as a Dense layer's).

    >>> _linear_shape((None, 64), (64, 128), (128,))
    (None, 128)
    """
    out = matmul_shape(x, kernel)
    if broadcast_shapes(out, bias) != out:
        raise ShapeError(f"the bias {format_shape(bias)} would change the shape of the "
                         f"product {format_shape(out)}.",
                         expected=f"a bias that broadcasts onto {format_shape(out)}, such as "
                                  f"{format_shape(out[-1:])}",
                         fix="give the bias one value per output unit.")
    return out


def _linear(xp, x, kernel, bias):
    out = x @ kernel
    if out.dtype == bias.dtype and out.ndim:
        out += bias                     # into the product: one array fewer than x @ k + b
        return out
    return out + bias


_linear_op = defop("linear", _linear_shape, _linear,
                   lambda xp, g, out, x, kernel, bias: _matmul_vjp_x(xp, g, out, x, kernel),
                   lambda xp, g, out, x, kernel, bias: _matmul_vjp_y(xp, g, out, x, kernel),
                   lambda xp, g, out, x, kernel, bias: unbroadcast(g, bias.shape),
                   dims=lambda shapes, dims: _matmul_dims(shapes[:2], dims[:2]))


def linear(x, kernel, bias):
    """``x @ kernel + bias`` as one op: the same numbers as the two ops, one array and one
    graph node fewer. Dense layers use it when no graph is being recorded (as in fit)."""
    return _linear_op(x, kernel, bias)
