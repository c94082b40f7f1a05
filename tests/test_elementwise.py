"""Elementwise ops: forward equals NumPy, VJPs equal finite differences, symbolic shapes agree."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from strategies import broadcast_pair, shapes, values

import tensorkit as tk
from tensorkit.testing import gradcheck

_erf = np.vectorize(math.erf)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


# name -> (tensorkit function, NumPy reference, input range)
UNARY = {
    "neg": (tk.neg, np.negative, (-2, 2)),
    "abs": (tk.abs, np.abs, (-2, 2)),
    "exp": (tk.exp, np.exp, (-2, 2)),
    "log": (tk.log, np.log, (0.2, 3)),
    "sqrt": (tk.sqrt, np.sqrt, (0.2, 3)),
    "square": (tk.square, np.square, (-2, 2)),
    "tanh": (tk.tanh, np.tanh, (-3, 3)),
    "sigmoid": (tk.sigmoid, _sigmoid, (-6, 6)),
    "relu": (tk.relu, lambda x: np.maximum(x, 0), (-2, 2)),
    "softplus": (tk.softplus, lambda x: np.log1p(np.exp(x)), (-4, 4)),
    "silu": (tk.silu, lambda x: x * _sigmoid(x), (-4, 4)),
    "leaky_relu": (lambda x: tk.leaky_relu(x, 0.1), lambda x: np.where(x > 0, x, 0.1 * x),
                   (-2, 2)),
    "elu": (lambda x: tk.elu(x, 0.5), lambda x: np.where(x > 0, x, 0.5 * np.expm1(x)), (-2, 2)),
    "gelu_tanh": (tk.gelu, lambda x: 0.5 * x * (1 + np.tanh(
        math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))), (-3, 3)),
    "gelu_exact": (lambda x: tk.gelu(x, approximate=False),
                   lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2))), (-3, 3)),
    "clip": (lambda x: tk.clip(x, -0.5, 0.7), lambda x: np.clip(x, -0.5, 0.7), (-2, 2)),
}

BINARY = {
    "add": (tk.add, np.add, (-2, 2), (-2, 2)),
    "sub": (tk.sub, np.subtract, (-2, 2), (-2, 2)),
    "mul": (tk.mul, np.multiply, (-2, 2), (-2, 2)),
    "div": (tk.div, np.divide, (-2, 2), (0.5, 2)),
    "pow": (tk.pow, np.power, (0.5, 2), (-2, 2)),
    "maximum": (tk.maximum, np.maximum, (-2, 2), (-2, 2)),
    "minimum": (tk.minimum, np.minimum, (-2, 2), (-2, 2)),
}

COMPARISONS = {
    "equal": (tk.equal, np.equal), "not_equal": (tk.not_equal, np.not_equal),
    "less": (tk.less, np.less), "less_equal": (tk.less_equal, np.less_equal),
    "greater": (tk.greater, np.greater), "greater_equal": (tk.greater_equal, np.greater_equal),
}


@pytest.mark.parametrize("name", UNARY)
@settings(max_examples=20, deadline=None)
@given(shape=shapes)
def test_unary_forward_matches_numpy(name, shape):
    f, ref, (lo, hi) = UNARY[name]
    x = values(shape, lo, hi)
    out = f(tk.tensor(x))
    assert out.shape == shape and out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), ref(x.astype(np.float64)), rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 1, 3)])
def test_unary_gradient_matches_finite_differences(name, shape):
    f, _, (lo, hi) = UNARY[name]
    assert gradcheck(f, values(shape, lo, hi, dtype=np.float64))


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("shape", [(None, 3), (None,), (2, None, 4)])
def test_unary_symbolic_shape(name, shape):
    f = UNARY[name][0]
    x = tk.symbolic(shape, dims=("batch",) + (None,) * (len(shape) - 1))
    y = f(x)
    assert y.shape == shape and y.is_symbolic
    assert y.dims == x.dims


@pytest.mark.parametrize("name", BINARY)
@settings(max_examples=25, deadline=None)
@given(pair=broadcast_pair())
def test_binary_forward_matches_numpy(name, pair):
    f, ref, rx, ry = BINARY[name]
    x, y = values(pair[0], *rx, seed=1), values(pair[1], *ry, seed=2)
    out = f(tk.tensor(x), tk.tensor(y))
    expected = ref(x, y)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)
    sym = f(tk.symbolic(pair[0]), tk.symbolic(pair[1]))
    assert sym.shape == expected.shape


@pytest.mark.parametrize("name", BINARY)
@settings(max_examples=10, deadline=None)
@given(pair=broadcast_pair())
def test_binary_gradient_matches_finite_differences(name, pair):
    f, _, rx, ry = BINARY[name]
    x = values(pair[0], *rx, seed=3, dtype=np.float64)
    y = values(pair[1], *ry, seed=4, dtype=np.float64)
    if name in ("maximum", "minimum"):
        y = y + 0.05                                 # keep ties away from finite differences
    assert gradcheck(f, x, y)


@pytest.mark.parametrize("name", COMPARISONS)
def test_comparisons_give_bool_without_gradient(name, rng):
    f, ref = COMPARISONS[name]
    x = tk.tensor(rng.integers(0, 3, (3, 4)).astype(np.float32), requires_grad=True)
    y = tk.tensor(rng.integers(0, 3, (4,)).astype(np.float32))
    out = f(x, y)
    assert out.dtype == np.bool_ and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), ref(x.numpy(), y.numpy()))
    assert f(tk.symbolic((None, 4)), y).dtype == np.bool_


def test_operators_match_functions(rng):
    a = tk.tensor(rng.normal(size=(2, 3)))
    b = tk.tensor(rng.uniform(1, 2, size=(3,)))
    np.testing.assert_allclose((a + b).numpy(), a.numpy() + b.numpy(), rtol=1e-6)
    np.testing.assert_allclose((2.0 - a).numpy(), 2.0 - a.numpy(), rtol=1e-6)
    np.testing.assert_allclose((a / b).numpy(), a.numpy() / b.numpy(), rtol=1e-6)
    np.testing.assert_allclose((1 / b).numpy(), 1 / b.numpy(), rtol=1e-6)
    np.testing.assert_allclose((b ** 2).numpy(), b.numpy() ** 2, rtol=1e-6)
    np.testing.assert_allclose((-a).numpy(), -a.numpy())
    np.testing.assert_allclose(abs(a).numpy(), np.abs(a.numpy()))
    assert ((a > 0).numpy() == (a.numpy() > 0)).all()
    assert (a * 2).op == "mul" and (2 * a).op == "mul"


def test_python_scalars_keep_float32_and_numpy_arrays_defer(rng):
    a = tk.tensor(rng.normal(size=(3,)))
    assert (a * 0.5).dtype == np.float32
    assert (a + 1).dtype == np.float32
    out = np.ones(3, dtype=np.float32) + a               # ndarray + Tensor -> Tensor
    assert isinstance(out, tk.Tensor) and out.op == "add"
    ints = tk.tensor([1, 2, 3])
    assert (ints * 2).dtype == np.int32


def test_where_routes_values_and_gradients(rng):
    c = tk.tensor([True, False, True])
    x = rng.normal(size=(2, 3))
    y = rng.normal(size=(3,))
    out = tk.where(c, tk.tensor(x), tk.tensor(y))
    np.testing.assert_allclose(out.numpy(), np.where(c.numpy(), x, y), rtol=1e-6)
    assert gradcheck(lambda a, b: tk.where(c, a, b), x, y)


def test_broadcast_dims_merge_and_conflict():
    x = tk.symbolic((None, 5), dims=("batch", "features"))
    b = tk.symbolic((5,), dims=("features",))
    assert (x + b).dims == ("batch", "features")
    other = tk.symbolic((None, 5), dims=("time", None))
    with pytest.raises(tk.ShapeError, match="dim labels 'batch' and 'time' meet on axis -2"):
        x + other


def test_broadcast_failure_uses_numpy_words_and_suggests_a_fix():
    with pytest.raises(tk.ShapeError) as info:
        tk.ones((32, 10)) + tk.ones((32,))
    msg = str(info.value)
    assert "add got shapes (32, 10), (32,)" in msg
    assert "operands could not be broadcast together with shapes (32, 10) (32,)" in msg
    assert "10 vs 32 on axis -1" in msg
    assert "Fix:" in msg and "x[:, None]" in msg
    assert info.value.op == "add" and info.value.shapes == ((32, 10), (32,))


def test_clip_rejects_inverted_bounds():
    with pytest.raises(ValueError, match="clip got min=1 > max=0"):
        tk.clip(tk.ones((2,)), 1, 0)


def test_nan_producing_op_is_not_an_error():
    with np.errstate(invalid="ignore", divide="ignore"):
        out = tk.log(tk.tensor([-1.0, 0.0, 1.0]))
    assert np.isnan(out.numpy()[0]) and np.isneginf(out.numpy()[1])


@pytest.mark.parametrize("shape", [(64, 26, 26, 16), (3, 5, 7, 4), (2, 300, 5)])
def test_adding_a_short_bias_to_a_big_array_gives_the_same_bits(shape):
    rng = np.random.default_rng(6)
    x = rng.standard_normal(shape).astype(np.float32)
    b = rng.standard_normal(shape[-1]).astype(np.float32)
    assert np.array_equal((tk.tensor(x) + tk.tensor(b)).numpy(), x + b)
    xf = np.asfortranarray(x)                               # other layouts take NumPy's path
    assert np.array_equal((tk.tensor(xf) + tk.tensor(b)).numpy(), xf + b)


def test_relu_gives_a_new_array_of_the_input_dtype():
    x = np.array([[-1.0, 0.0, 2.5], [np.nan, -0.0, 3.0]], dtype=np.float32)
    out = tk.relu(tk.tensor(x)).numpy()
    assert out.dtype == np.float32 and out is not x
    np.testing.assert_array_equal(out, np.maximum(x, 0))
    np.testing.assert_array_equal(x[0], [-1.0, 0.0, 2.5])         # the input is untouched
