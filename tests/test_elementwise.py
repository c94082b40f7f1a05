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
    "sin": (tk.sin, np.sin, (-3, 3)),
    "cos": (tk.cos, np.cos, (-3, 3)),
    "tan": (tk.tan, np.tan, (-1.2, 1.2)),
    "arcsin": (tk.arcsin, np.arcsin, (-0.9, 0.9)),
    "arccos": (tk.arccos, np.arccos, (-0.9, 0.9)),
    "arctan": (tk.arctan, np.arctan, (-3, 3)),
    "sinh": (tk.sinh, np.sinh, (-3, 3)),
    "cosh": (tk.cosh, np.cosh, (-3, 3)),
    "arcsinh": (tk.arcsinh, np.arcsinh, (-3, 3)),
    "arccosh": (tk.arccosh, np.arccosh, (1.1, 3)),
    "arctanh": (tk.arctanh, np.arctanh, (-0.9, 0.9)),
    "ceil": (tk.ceil, np.ceil, (-2.5, 2.5)),
    "trunc": (tk.trunc, np.trunc, (-2.5, 2.5)),
    "log1p": (tk.log1p, np.log1p, (-0.8, 3)),
    "expm1": (tk.expm1, np.expm1, (-2, 2)),
    "log2": (tk.log2, np.log2, (0.2, 3)),
    "log10": (tk.log10, np.log10, (0.2, 3)),
    "reciprocal": (tk.reciprocal, np.reciprocal, (0.3, 2)),
    "rsqrt": (tk.rsqrt, lambda x: 1 / np.sqrt(x), (0.2, 3)),
    "erf": (tk.erf, _erf, (-3, 3)),
}

BINARY = {
    "add": (tk.add, np.add, (-2, 2), (-2, 2)),
    "sub": (tk.sub, np.subtract, (-2, 2), (-2, 2)),
    "mul": (tk.mul, np.multiply, (-2, 2), (-2, 2)),
    "div": (tk.div, np.divide, (-2, 2), (0.5, 2)),
    "pow": (tk.pow, np.power, (0.5, 2), (-2, 2)),
    "maximum": (tk.maximum, np.maximum, (-2, 2), (-2, 2)),
    "minimum": (tk.minimum, np.minimum, (-2, 2), (-2, 2)),
    "arctan2": (tk.arctan2, np.arctan2, (-2, 2), (-2, 2)),
    "mod": (tk.mod, np.mod, (-3, 3), (0.5, 2)),
    "floor_divide": (tk.floor_divide, np.floor_divide, (-3, 3), (0.5, 2)),
    "logaddexp": (tk.logaddexp, np.logaddexp, (-3, 3), (-3, 3)),
    "squared_difference": (tk.squared_difference, lambda x, y: (x - y) ** 2, (-2, 2), (-2, 2)),
    "hypot": (tk.hypot, np.hypot, (-2, 2), (-2, 2)),
}

COMPARISONS = {
    "equal": (tk.equal, np.equal), "not_equal": (tk.not_equal, np.not_equal),
    "less": (tk.less, np.less), "less_equal": (tk.less_equal, np.less_equal),
    "greater": (tk.greater, np.greater), "greater_equal": (tk.greater_equal, np.greater_equal),
    "logical_and": (tk.logical_and, np.logical_and), "logical_or": (tk.logical_or, np.logical_or),
    "logical_xor": (tk.logical_xor, np.logical_xor),
}

PREDICATES = {"isnan": (tk.isnan, np.isnan), "isfinite": (tk.isfinite, np.isfinite),
              "isinf": (tk.isinf, np.isinf), "logical_not": (tk.logical_not, np.logical_not)}


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


@pytest.mark.parametrize("name", PREDICATES)
def test_predicates_give_bool_without_gradient(name):
    f, ref = PREDICATES[name]
    x = tk.tensor([[np.nan, -np.inf, 0.0], [np.inf, -0.0, 2.5]], requires_grad=True)
    out = f(x)
    assert out.dtype == np.bool_ and out.shape == (2, 3) and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), ref(x.numpy()))
    sym = f(tk.symbolic((None, 3), dims=("batch", None)))
    assert sym.dtype == np.bool_ and sym.shape == (None, 3) and sym.dims == ("batch", None)


def test_logical_not_and_xor_on_bool_tensors():
    a, b = tk.tensor([True, True, False, False]), tk.tensor([True, False, True, False])
    assert tk.logical_not(a).tolist() == [False, False, True, True]
    assert tk.logical_xor(a, b).tolist() == [False, True, True, False]
    assert tk.logical_xor(a, True).tolist() == [False, False, True, True]


def test_stop_gradient_passes_values_and_cuts_the_gradient(rng):
    x = tk.tensor(rng.normal(size=(2, 3)), requires_grad=True, dims=("batch", None))
    y = tk.tensor(rng.normal(size=(3,)), requires_grad=True)
    s = tk.stop_gradient(x)
    assert s.op == "stop_gradient" and s.dims == ("batch", None) and s.dtype == np.float32
    np.testing.assert_array_equal(s.numpy(), x.numpy())
    assert not s.requires_grad
    loss = tk.sum(s * y)
    loss.backward()                                    # y still gets its gradient
    assert x.grad is None                              # as tf.stop_gradient: None, not zeros
    np.testing.assert_allclose(y.grad.numpy(), x.numpy().sum(axis=0), rtol=1e-6)
    assert tk.gradients(tk.sum(s * y), [x, y])[0] is None


def test_stop_gradient_cuts_only_its_own_path(rng):
    x = rng.normal(size=(4,)).astype(np.float32)
    # d/dx sum(x * stop_gradient(x)) = x, where d/dx sum(x * x) = 2x
    g = tk.grad(lambda x: tk.sum(x * tk.stop_gradient(x)))(x)
    np.testing.assert_allclose(g.numpy(), x, rtol=1e-6)
    assert tk.grad(lambda x: tk.sum(tk.stop_gradient(x) ** 2))(x).tolist() == [0.0] * 4


def test_stop_gradient_is_recorded_in_the_graph():
    with tk.trace() as graph:
        y = tk.stop_gradient(tk.tanh(tk.symbolic((None, 3), dims=("batch", None))))
    assert y.shape == (None, 3) and y.is_symbolic and y.dims == ("batch", None)
    assert [n["op"] for n in graph.nodes if n["inputs"]] == ["tanh", "stop_gradient"]


def test_erf_is_accurate_in_float32_down_to_tiny_values():
    x = np.concatenate([np.linspace(-5, 5, 20001), np.logspace(-30, 0, 301),
                        -np.logspace(-30, 0, 301)]).astype(np.float32)
    want = _erf(x.astype(np.float64))
    got = tk.erf(tk.tensor(x)).numpy()
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=4e-7, atol=2e-7)
    tiny = np.abs(x) < 0.5                             # relative accuracy near 0, too
    np.testing.assert_allclose(got[tiny], want[tiny], rtol=4e-7, atol=0)
    assert tk.erf(tk.tensor([np.inf, -np.inf, np.nan])).numpy()[:2].tolist() == [1.0, -1.0]


def test_mod_takes_the_divisors_sign_as_python_does():
    x = [5.0, -5.0, 5.0, -5.0, 6.0, 0.5]
    y = [3.0, 3.0, -3.0, -3.0, 3.0, -2.0]
    assert tk.mod(tk.tensor(x), tk.tensor(y)).tolist() == [a % b for a, b in zip(x, y)]
    assert tk.floor_divide(tk.tensor(x), tk.tensor(y)).tolist() == [a // b for a, b in zip(x, y)]
    # y's gradient is -floor(x / y) of the exact quotient: 1 / 0.1 rounds to 10 in float32
    gx, gy = tk.grad(lambda a, b: tk.sum(tk.mod(a, b)), argnums=(0, 1))(
        np.float32([1.0, 7.0]), np.float32([0.1, -2.0]))
    assert gx.tolist() == [1.0, 1.0] and gy.tolist() == [-9.0, 4.0]


@pytest.mark.parametrize("f, x, value, grad", [
    (tk.log1p, -1.0, -np.inf, np.inf),
    (tk.log1p, 1e-8, 1e-8, 1.0),                      # log(1 + 1e-8) would round to 0
    (tk.expm1, 1e-8, 1e-8, 1.0),
    (tk.reciprocal, 0.0, np.inf, -np.inf),
    (tk.reciprocal, -0.0, -np.inf, -np.inf),
    (tk.rsqrt, 0.0, np.inf, -np.inf),
    (tk.arcsin, 1.0, np.pi / 2, np.inf),
    (tk.arctanh, -1.0, -np.inf, np.inf),
    (tk.arccosh, 1.0, 0.0, np.inf),
    (tk.arcsin, 2.0, np.nan, np.nan),                 # outside the domain: nan, no error
    (tk.arccos, -1.5, np.nan, np.nan),
    (tk.log2, -1.0, np.nan, -1 / np.log(2)),
    (tk.rsqrt, -4.0, np.nan, np.nan),
])
def test_domain_edges_give_inf_or_nan_not_errors(f, x, value, grad):
    with np.errstate(all="ignore"):
        t = tk.tensor([x], requires_grad=True)
        out = f(t)
        out.backward(np.ones(1, np.float32))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), [value], rtol=1e-6)
    np.testing.assert_allclose(t.grad.numpy(), [grad], rtol=1e-6)


@pytest.mark.parametrize("f", [tk.arctan2, tk.hypot, tk.logaddexp])
def test_binary_math_keeps_float32_with_python_numbers(f):
    x = tk.tensor([0.5, -1.0, 2.0])
    assert f(x, 2.0).dtype == np.float32 and f(3.0, x).dtype == np.float32
    assert f(tk.symbolic((None, 3)), x).shape == (None, 3)
