"""Checks for op authors: gradients against central finite differences (float64)."""

import numpy

from .tensor import Tensor, backprop, enable_grad


def numerical_grad(f, arrays, index, eps=1e-6):
    """d sum(f(...)) / d arrays[index] by central differences (f takes and returns arrays)."""
    x = arrays[index]
    grad = numpy.zeros_like(x, dtype=numpy.float64)
    flat = x.reshape(-1)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + eps
        up = float(numpy.sum(f(*arrays)))
        flat[i] = keep - eps
        down = float(numpy.sum(f(*arrays)))
        flat[i] = keep
        grad.reshape(-1)[i] = (up - down) / (2 * eps)
    return grad


def gradcheck(f, *inputs, wrt=None, eps=1e-6, atol=1e-6, rtol=1e-5, seed=0):
    """Assert that tensorkit's VJPs of `f` match central differences.

    `f` maps Tensors to a Tensor; `inputs` are arrays or Tensors (made float64). The output
    is projected on a fixed random tensor so every output element is checked. Raises
    AssertionError naming the input and the worst element; returns True otherwise.
    """
    arrays = [numpy.array(x.numpy() if isinstance(x, Tensor) else x, dtype=numpy.float64)
              for x in inputs]
    wrt = range(len(arrays)) if wrt is None else wrt
    rng = numpy.random.default_rng(seed)

    def tensors():
        return [Tensor(a, a.shape, a.dtype, None, None, i in wrt) for i, a in enumerate(arrays)]

    probe = f(*tensors())
    weights = rng.normal(size=probe.shape)

    def projected(*arrs):
        ts = [Tensor(a, a.shape, a.dtype) for a in arrs]
        return numpy.asarray(f(*ts).numpy(), dtype=numpy.float64) * weights

    with enable_grad():
        leaves = tensors()
        out = f(*leaves)
        loss = (out * Tensor(weights, weights.shape, weights.dtype)).sum()
        found = backprop(loss, wrt=[leaves[i] for i in wrt])
    for i in wrt:
        analytic = found.get(leaves[i])
        analytic = numpy.zeros_like(arrays[i]) if analytic is None else numpy.asarray(analytic)
        numeric = numerical_grad(projected, arrays, i, eps)
        if not numpy.allclose(analytic, numeric, atol=atol, rtol=rtol):
            err = numpy.abs(analytic - numeric)
            worst = numpy.unravel_index(numpy.argmax(err), err.shape) if err.ndim else ()
            raise AssertionError(
                f"gradient of input {i} (shape {arrays[i].shape}) differs from finite "
                f"differences: max abs error {err.max():.3g} at {worst}: analytic "
                f"{analytic[worst]!r}, numeric {numeric[worst]!r}")
    return True
