"""Reductions, matmul/dot and softmax: NumPy parity, gradients, symbolic shapes, dims, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import shapes, values

import tensorkit as tk
from tensorkit.testing import gradcheck

REDUCTIONS = {
    "sum": (tk.sum, np.sum), "mean": (tk.mean, np.mean), "max": (tk.max, np.max),
    "min": (tk.min, np.min), "var": (tk.var, np.var), "std": (tk.std, np.std),
}


@st.composite
def shape_and_axis(draw):
    shape = draw(shapes)
    choices = [None] + list(range(-len(shape), len(shape)))
    axis = draw(st.sampled_from(choices))
    return shape, axis, draw(st.booleans())


@pytest.mark.parametrize("name", REDUCTIONS)
@settings(max_examples=25, deadline=None)
@given(case=shape_and_axis())
def test_reduction_matches_numpy_and_symbolic(name, case):
    shape, axis, keepdims = case
    f, ref = REDUCTIONS[name]
    x = values(shape, seed=5)
    out = f(tk.tensor(x), axis=axis, keepdims=keepdims)
    expected = ref(x.astype(np.float64), axis=axis, keepdims=keepdims)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)
    assert f(tk.symbolic(shape), axis=axis, keepdims=keepdims).shape == np.shape(expected)


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("shape,axis,keepdims", [((3,), None, False), ((2, 3), 1, False),
                                                 ((2, 3, 4), (0, 2), True), ((2, 3), -2, False)])
def test_reduction_gradients(name, shape, axis, keepdims):
    f = REDUCTIONS[name][0]
    assert gradcheck(lambda x: f(x, axis=axis, keepdims=keepdims),
                     values(shape, seed=6, dtype=np.float64))


def test_max_shares_gradient_among_ties():
    x = tk.tensor([[1.0, 3.0, 3.0]], requires_grad=True)
    tk.max(x, axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0, 0.5, 0.5]])


def test_argmax_argmin_logsumexp(rng):
    x = rng.normal(size=(3, 5)).astype(np.float32)
    assert tk.argmax(tk.tensor(x), axis=1).dtype == np.int32
    np.testing.assert_array_equal(tk.argmax(tk.tensor(x), axis=1).numpy(), x.argmax(1))
    np.testing.assert_array_equal(tk.argmin(tk.tensor(x), axis=0).numpy(), x.argmin(0))
    assert tk.argmax(tk.tensor(x)).item() == x.argmax()
    assert tk.argmax(tk.symbolic((None, 5)), axis=-1).shape == (None,)
    lse = tk.logsumexp(tk.tensor(x), axis=1).numpy()
    np.testing.assert_allclose(lse, np.log(np.exp(x.astype(np.float64)).sum(1)), rtol=1e-5)
    assert gradcheck(lambda t: tk.logsumexp(t, axis=-1), x.astype(np.float64))


def test_reduction_drops_the_reduced_label():
    x = tk.symbolic((None, 7, 16), dims=("batch", "time", "features"))
    assert tk.mean(x, axis=1).dims == ("batch", "features")
    assert tk.sum(x, axis=-1, keepdims=True).dims == ("batch", "time", "features")


def test_reduction_axis_out_of_range_says_which_axes_exist():
    with pytest.raises(tk.ShapeError, match=r"axis 2 is out of range for a tensor of rank 2") as e:
        tk.sum(tk.ones((3, 4)), axis=2)
    assert "-2..1" in str(e.value) and "sum got shape (3, 4)" in str(e.value)


# ---- matmul -------------------------------------------------------------------------------
MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                 ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((2, 1, 2, 3), (4, 3, 2)),
                 ((3,), (2, 3, 4)), ((2, 2, 3), (3,))]


@pytest.mark.parametrize("xs,ys", MATMUL_SHAPES)
def test_matmul_matches_numpy_with_gradients(xs, ys):
    x, y = values(xs, seed=7), values(ys, seed=8)
    out = tk.tensor(x) @ tk.tensor(y)
    np.testing.assert_allclose(out.numpy(), np.matmul(x, y), rtol=1e-5, atol=1e-6)
    assert (tk.symbolic(xs) @ tk.symbolic(ys)).shape == np.matmul(x, y).shape
    assert gradcheck(tk.matmul, x.astype(np.float64), y.astype(np.float64))


def test_matmul_with_unknown_batch_and_labels():
    x = tk.symbolic((None, 784), dims=("batch", "features"))
    w = tk.symbolic((784, 10), dims=(None, "classes"))
    y = x @ w
    assert y.shape == (None, 10) and y.dims == ("batch", "classes")


def test_matmul_mismatch_teaches():
    with pytest.raises(tk.ShapeError) as info:
        tk.ones((32, 784)) @ tk.ones((128, 10))
    e = info.value
    assert e.op == "matmul" and e.shapes == ((32, 784), (128, 10))
    msg = str(e)
    assert "matmul got shapes (32, 784), (128, 10)" in msg
    assert "784 != 128 on the contracted axis" in msg
    assert "(784, 10)" in msg                           # what would fit


def test_matmul_suggests_transpose_when_it_would_fit():
    with pytest.raises(tk.ShapeError, match=r"transpose the second operand.*gives \(32, 10\)"):
        tk.ones((32, 784)) @ tk.ones((10, 784))


def test_matmul_of_scalar_and_dot_of_rank3_refuse():
    with pytest.raises(tk.ShapeError, match="a scalar has none"):
        tk.matmul(tk.ones(()), tk.ones((3,)))
    with pytest.raises(tk.ShapeError, match="use tk.matmul"):
        tk.dot(tk.ones((2, 3, 4)), tk.ones((4,)))
    np.testing.assert_allclose(tk.dot(tk.ones((3,)), tk.ones((3,))).item(), 3.0)


# ---- softmax, log_softmax, dropout -----------------------------------------------------
@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_and_log_softmax(axis, rng):
    x = rng.normal(size=(3, 4, 5)) * 3
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    expected = e / e.sum(axis=axis, keepdims=True)
    np.testing.assert_allclose(tk.softmax(tk.tensor(x), axis=axis).numpy(), expected, rtol=1e-5)
    np.testing.assert_allclose(tk.log_softmax(tk.tensor(x), axis=axis).numpy(), np.log(expected),
                               rtol=1e-4, atol=1e-5)
    assert gradcheck(lambda t: tk.softmax(t, axis=axis), x[:2, :3, :2])
    assert gradcheck(lambda t: tk.log_softmax(t, axis=axis), x[:2, :3, :2])


def test_softmax_is_stable_for_large_logits():
    out = tk.softmax(tk.tensor([1000.0, 0.0])).numpy()
    np.testing.assert_allclose(out, [1.0, 0.0])


def test_dropout_is_seeded_scaled_and_differentiable():
    x = tk.ones((1000,), requires_grad=True)
    tk.random.seed(1)
    a = tk.dropout(x, 0.25)
    tk.random.seed(1)
    b = tk.dropout(x, 0.25)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    kept = a.numpy() != 0
    assert 0.65 < kept.mean() < 0.85
    np.testing.assert_allclose(a.numpy()[kept], 1 / 0.75)
    a.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), a.numpy())
    assert tk.dropout(tk.symbolic((None, 3)), 0.5).shape == (None, 3)
    with pytest.raises(ValueError, match=r"received: rate=1\.5"):
        tk.dropout(x, 1.5)


@pytest.mark.parametrize("xs,ws,bs", [((4, 3), (3, 5), (5,)), ((2, 4, 3), (3, 5), (5,)),
                                      ((3,), (3, 5), (5,)), ((4, 3), (3, 5), (1, 5))])
def test_linear_is_matmul_plus_bias_in_one_op(xs, ws, bs):
    x, w, b = values(xs, seed=1), values(ws, seed=2), values(bs, seed=3)
    fused = tk.ops.linear(tk.tensor(x), tk.tensor(w), tk.tensor(b))
    assert np.array_equal(fused.numpy(), (tk.tensor(x) @ tk.tensor(w) + tk.tensor(b)).numpy())
    assert fused.op == "linear"
    if len(xs) > 1:
        symbolic = tk.ops.linear(tk.symbolic((None,) + xs[1:]), tk.tensor(w), tk.tensor(b))
        assert symbolic.shape == (None,) + fused.shape[1:]
    assert gradcheck(tk.ops.linear, *(a.astype(np.float64) for a in (x, w, b)))


def test_linear_refuses_a_bias_that_would_grow_the_product():
    with pytest.raises(tk.ShapeError, match=r"bias \(2, 1, 5\) would change the shape"):
        tk.ops.linear(tk.ones((4, 3)), tk.ones((3, 5)), tk.ones((2, 1, 5)))


@pytest.mark.parametrize("shape,axis,keepdims", [((32,), None, False), ((7, 13, 5), 1, True),
                                                 ((1000, 3), 0, False), ((4, 5, 6), (0, 2), False)])
def test_mean_gives_numpys_float32_bits(shape, axis, keepdims):
    rng = np.random.default_rng(4)
    for _ in range(20):
        x = (rng.standard_normal(shape) * rng.random() * 100).astype(np.float32)
        got = tk.mean(tk.tensor(x), axis=axis, keepdims=keepdims).numpy()
        want = x.mean(axis=axis, keepdims=keepdims)
        assert got.dtype == np.float32 and np.array_equal(got, want)


def test_bias_gradients_sum_rows_for_any_layout():
    from tensorkit.ops.common import unbroadcast
    g = np.random.default_rng(5).random((6, 4, 3)).astype(np.float32)
    for grad in (g, np.asfortranarray(g), g[:, ::2]):
        for shape in [(3,), (4, 3), ()]:
            want = grad.reshape((-1,) + shape).sum(axis=0) if shape != (4, 3) or \
                grad.shape[1] == 4 else None
            if want is None:
                continue
            got = unbroadcast(grad, shape)
            assert got.shape == shape
            np.testing.assert_allclose(got, want, rtol=1e-5)
    np.testing.assert_allclose(unbroadcast(g[0], ()), g[0].sum(), rtol=1e-5)   # (rows, C) -> ()
