"""Reductions, matmul/dot and softmax: NumPy parity, gradients, symbolic shapes, dims, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
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


# ---- einsum, tensordot, outer --------------------------------------------------------------
EINSUMS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),                    # matmul
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),           # a batch of them
    ("bqd,bkd->bqk", [(2, 3, 4), (2, 5, 4)]),           # attention scores
    ("i,j->ij", [(3,), (4,)]),                          # outer product
    ("ij,jk", [(2, 3), (3, 4)]),                        # implicit output: 'ik'
    ("ba", [(2, 3)]),                                   # implicit: alphabetical, so 'ab'
    ("ij->", [(2, 3)]), ("ij->j", [(2, 3)]),
    ("ii->", [(3, 3)]), ("ii->i", [(3, 3)]),            # trace, diagonal
    ("iij->ji", [(2, 2, 3)]), ("iii->i", [(2, 2, 2)]),
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),  # '...' broadcasts
    ("...ij->...ji", [(2, 3, 4)]), ("...,...->...", [(2, 3), (3,)]),
    ("ij,ij->ij", [(1, 3), (2, 3)]),                    # a size-1 axis stretches
    ("ij,kj->ik", [(2, 1), (4, 3)]), ("ijk,ik->j", [(2, 3, 4), (2, 1)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]), (",i->i", [(), (3,)]),
]


@pytest.mark.parametrize("subscripts,shapes", EINSUMS)
def test_einsum_matches_numpy_with_gradients(subscripts, shapes):
    xs = [values(s, seed=i) for i, s in enumerate(shapes)]
    out = tk.einsum(subscripts, *map(tk.tensor, xs))
    want = np.einsum(subscripts, *(x.astype(np.float64) for x in xs))
    assert out.dtype == np.float32 and out.shape == want.shape
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-5, atol=1e-5)
    assert tk.einsum(subscripts, *map(tk.symbolic, shapes)).shape == want.shape
    assert gradcheck(lambda *t: tk.einsum(subscripts, *t), *(x.astype(np.float64) for x in xs))


@st.composite
def einsum_case(draw):
    """Subscripts from EINSUMS with drawn sizes: a size per letter, '...' drawn, and some
    axes of size 1 (which stretch)."""
    subscripts = draw(st.sampled_from([s for s, _ in EINSUMS]))
    terms = subscripts.split("->")[0].split(",")
    size = {c: draw(st.integers(1, 4)) for c in sorted(set(subscripts) - set(",.->"))}
    lead = draw(st.lists(st.integers(1, 3), max_size=2))
    shapes = []
    for term in terms:
        ones = {c for c in term if c != "." and draw(st.booleans())} if len(terms) > 1 \
            else set()
        head, dots, tail = term.partition("...")
        own = tuple(lead[draw(st.integers(0, len(lead))):]) if dots else ()
        shapes.append(tuple(1 if c in ones else size[c] for c in head) + own +
                      tuple(1 if c in ones else size[c] for c in tail))
    return subscripts, shapes


@settings(max_examples=60, deadline=None)
@given(case=einsum_case())
def test_einsum_on_drawn_shapes_matches_numpy(case):
    subscripts, shapes = case
    xs = [values(s, seed=i) for i, s in enumerate(shapes)]
    want = np.einsum(subscripts, *(x.astype(np.float64) for x in xs))
    out = tk.einsum(subscripts, *map(tk.tensor, xs))
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-5, atol=1e-5)
    assert tk.einsum(subscripts, *map(tk.symbolic, shapes)).shape == want.shape
    assert gradcheck(lambda *t: tk.einsum(subscripts, *t), *(x.astype(np.float64) for x in xs))


def test_einsum_unknown_sizes_propagate_and_letters_keep_labels():
    q = tk.symbolic((None, None, 64), dims=("batch", "time", "features"))
    k = tk.symbolic((None, None, 64), dims=("batch", "time", None))
    scores = tk.einsum("bqd,bkd->bqk", q, k)
    assert scores.shape == (None, None, None) and scores.dims == ("batch", "time", "time")
    assert tk.einsum("ij,ij->ij", tk.symbolic((1, 3)), tk.symbolic((None, 3))).shape == (None, 3)
    assert tk.einsum("ij,jk->ik", tk.symbolic((None, None)), tk.ones((5, 2))).shape == (None, 2)
    x = tk.symbolic((None, 784), dims=("batch", "features"))
    assert tk.einsum("bi,ik->bk", x, tk.ones((784, 10))).dims == ("batch", None)
    assert tk.einsum("...i->...", x).dims == ("batch",)


def test_einsum_labels_that_meet_on_a_letter_must_agree():
    x = tk.symbolic((None, 3), dims=("batch", "features"))
    with pytest.raises(tk.ShapeError, match=r"dim labels 'features' and 'time' meet on the "
                                            r"letter 'j' \(operand 1\)"):
        tk.einsum("ij,jk->ik", x, tk.symbolic((3, 4), dims=("time", None)))


@pytest.mark.parametrize("subscripts,shapes,message", [
    ("ij,jk->ik", [(2, 3), (4, 3)],
     r"the letter 'j' is 3 in operand 0 \(axis 1 of \(2, 3\)\) but 4 in operand 1 \(axis 0 of "
     r"\(4, 3\)\)\.\nExpected: every axis lettered 'j' to have one size \(a size of 1 "
     r"stretches\)\nFix: axis 1 of operand 1 has size 3: if that is the 'j' axis, write "
     r"operand 1's subscripts as 'kj'"),
    ("ij,jk->ik", [(2, 3), (4, 5)], r"Fix: make axis 0 of operand 1 size 3 \(slice, pad"),
    ("ij,jk->ik", [(None, 3), (4, None)], r"the letter 'j' is 3 in operand 0"),
    ("ii->i", [(2, 3)], r"the letter 'i' comes twice in operand 0 \('ii'\), which takes a "
                        r"diagonal, but those axes have sizes 2 and 3"),
    ("ij->i", [(2, 3, 4)], r"(?s)operand 0 has 3 axes \(2, 3, 4\), but its subscripts 'ij' name 2"
                           r".*begin with '\.\.\.' \('\.\.\.ij'\)"),
    ("...ijk->i", [(2, 3)], r"its subscripts '\.\.\.ijk' name 3 besides '\.\.\.'"),
    ("...ij->ij", [(2, 3, 4)], r"(?s)'\.\.\.' stands for 1 axis of operand 0 \(2, 3, 4\), but the "
                               r"output 'ij' has no '\.\.\.'.*Fix: write '->\.\.\.ij'"),
    ("...ij,...jk->...ik", [(2, 3, 4), (3, 4, 5)],
     r"the axes '\.\.\.' stands for don't broadcast: operands could not be broadcast together"),
])
def test_einsum_shape_errors_teach(subscripts, shapes, message):
    with pytest.raises(tk.ShapeError, match=message) as info:
        tk.einsum(subscripts, *map(tk.symbolic, shapes))
    assert info.value.op == "einsum" and info.value.shapes == tuple(shapes)


@pytest.mark.parametrize("subscripts,operands,error,message", [
    ("ij;jk", 2, ValueError, r"contain ';'\. Expected: letters a-z and A-Z name axes"),
    ("ij->jk->k", 1, ValueError, r"need one '->' at most"),
    ("..ij->ij", 1, ValueError, r"the term '\.\.ij' .* has a stray '\.'"),
    ("ij->ii", 1, ValueError, r"the output 'ii' of einsum 'ij->ii' names 'i' twice.*'ii->i'"),
    ("ij->k", 1, ValueError, r"names 'k', which no operand has"),
    ("ij,jk->ik", 1, ValueError, r"einsum 'ij,jk->ik' names 2 operand\(s\) but got 1"),
])
def test_einsum_notation_errors_teach(subscripts, operands, error, message):
    with pytest.raises(error, match=message):
        tk.einsum(subscripts, *[tk.ones((2, 2))] * operands)


def test_einsum_argument_mistakes():
    a, b = tk.ones((2, 3)), tk.ones((3, 4))
    with pytest.raises(ValueError, match=r"pass the tensors one by one: "
                                         r"tk\.einsum\('ij,jk->ik', \*tensors\)"):
        tk.einsum("ij,jk->ik", [a, b])
    with pytest.raises(TypeError, match=r"first argument is the subscripts string.*received: "
                                        r"Tensor"):
        tk.einsum(a, b, "ij,jk->ik")


TENSORDOTS = [((2, 3, 4), (3, 4, 5), 2), ((2, 3), (3, 4), 1), ((2, 3), (4,), 0),
              ((2, 3, 4), (4, 3), ([1, 2], [1, 0])), ((3,), (3,), 1), ((3, 2), (3, 4), [0, 0]),
              ((2, 3), (2,), ([0], [-1]))]


@pytest.mark.parametrize("sa,sb,axes", TENSORDOTS)
def test_tensordot_matches_numpy_with_gradients(sa, sb, axes):
    a, b = values(sa, seed=1), values(sb, seed=2)
    out = tk.tensordot(tk.tensor(a), tk.tensor(b), axes)
    want = np.tensordot(a.astype(np.float64), b.astype(np.float64), axes)
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-5, atol=1e-5)
    assert tk.tensordot(tk.symbolic(sa), tk.symbolic(sb), axes).shape == want.shape
    assert gradcheck(lambda x, y: tk.tensordot(x, y, axes), a.astype(np.float64),
                     b.astype(np.float64))


def test_tensordot_is_recorded_as_the_einsum_it_is():
    with tk.trace() as graph:
        y = tk.tensordot(tk.symbolic((None, 3, 4)), tk.symbolic((4, 5)), axes=1)
    assert y.shape == (None, 3, 5)
    assert graph.nodes[-1]["op"] == "einsum"
    assert graph.nodes[-1]["attrs"] == {"subscripts": "abc,cd->abd"}


@pytest.mark.parametrize("axes,message", [
    (1, r"(?s)tensordot got shapes \(2, 3\), \(4, 3\): axis 1 of the first operand \(size 3\) is "
        r"summed against axis 0 of the second \(size 4\).*Fix: pair it with axis 1 of the "
        r"second operand \(size 3\): axes=\(\[1\], \[1\]\)"),
    (3, r"axes=3 pairs the last 3 axes of the first operand with the first 3 of the second, "
        r"but they have 2 and 2 axes"),
    (([0, 1], [1]), r"names 2 axes of the first operand but 1 of the second"),
    (([0, 0], [0, 1]), r"names an axis of the first operand twice"),
    (([2], [0]), r"axes=\(\[2\], \[0\]\): axis 2 is out of range for a tensor of rank 2"),
    ("last", r"axes='last' is neither a number of axes nor a pair of axis lists"),
])
def test_tensordot_errors_teach(axes, message):
    with pytest.raises(tk.ShapeError, match=message):
        tk.tensordot(tk.ones((2, 3)), tk.ones((4, 3)), axes)


@pytest.mark.parametrize("sa,sb", [((3,), (4,)), ((2, 3), (4,)), ((), (2,)), ((2, 2), (3, 1))])
def test_outer_flattens_as_numpy_with_gradients(sa, sb):
    a, b = values(sa, seed=3), values(sb, seed=4)
    out = tk.outer(tk.tensor(a), tk.tensor(b))
    np.testing.assert_allclose(out.numpy(), np.outer(a, b), rtol=1e-6)
    assert gradcheck(tk.outer, a.astype(np.float64), b.astype(np.float64))
    assert tk.outer(tk.symbolic((None, 3)), tk.symbolic((4,))).shape == (None, 4)
    labelled = tk.outer(tk.symbolic((5,), dims=("time",)), tk.symbolic((4,), dims=("features",)))
    assert labelled.dims == ("time", "features")


# ---- prod, cumsum, cumprod -------------------------------------------------------------------
@pytest.mark.parametrize("name", ["prod", "cumsum", "cumprod"])
@settings(max_examples=25, deadline=None)
@given(case=shape_and_axis())
def test_prod_cumsum_cumprod_match_numpy_and_symbolic(name, case):
    shape, axis, keepdims = case
    x = values(shape, seed=5)
    kwargs = {"axis": axis, "keepdims": keepdims} if name == "prod" else {"axis": axis}
    out = getattr(tk, name)(tk.tensor(x), **kwargs)
    want = getattr(np, name)(x, **kwargs)                   # float32 both: the same products
    assert out.dtype == np.float32 and out.shape == want.shape
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-6, atol=1e-7)
    assert getattr(tk, name)(tk.symbolic(shape), **kwargs).shape == want.shape
    assert gradcheck(lambda t: getattr(tk, name)(t, **kwargs),
                     values(shape, 0.5, 1.5, seed=6, dtype=np.float64))


ZEROS = np.array([[2.0, 0.0, 3.0, -1.5, 2.0],       # one zero
                  [1.5, 0.0, 2.0, 0.0, 3.0],        # two zeros
                  [0.0, 2.0, -1.0, 1.5, 2.0],       # zero first
                  [1.5, -2.0, 0.5, 3.0, 0.0]])      # zero last


@pytest.mark.parametrize("name,axis", [("prod", 1), ("prod", 0), ("prod", None),
                                       ("cumprod", 1), ("cumprod", 0), ("cumprod", None)])
def test_prod_and_cumprod_gradients_are_exact_at_zeros(name, axis):
    # both are linear in each entry, so central differences are exact at zeros too
    assert gradcheck(lambda t: getattr(tk, name)(t, axis=axis), ZEROS)


def test_prod_gradient_goes_to_a_lone_zero_only():
    x = tk.tensor([[2.0, 0.0, 3.0], [0.0, 0.0, 3.0], [1.0, 2.0, 4.0]], requires_grad=True)
    tk.prod(x, axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0, 6, 0], [0, 0, 0], [8, 4, 2]])


def test_cumsum_and_cumprod_keep_labels_and_integers():
    x = tk.symbolic((None, 7), dims=("batch", "time"))
    assert tk.cumsum(x, axis=1).dims == ("batch", "time")
    assert tk.cumsum(x).shape == (None,) and tk.cumsum(x).dims is None
    assert tk.prod(x, axis=1).dims == ("batch",)
    ints = tk.tensor([[1, 2], [3, 4]])
    for f in (tk.cumsum, tk.cumprod, tk.prod):
        assert f(ints).dtype == np.int32 and f(tk.symbolic((2, 2), dtype="int32")).dtype == np.int32
    np.testing.assert_array_equal(tk.cumprod(ints, axis=0).numpy(), [[1, 2], [3, 8]])
    assert tk.prod(ints).item() == 24


def test_prod_cumsum_errors_teach():
    with pytest.raises(tk.ShapeError, match=r"cumsum got shape \(3, 4\): axis 2 is out of range "
                                            r"for a tensor of rank 2"):
        tk.cumsum(tk.ones((3, 4)), axis=2)
    with pytest.raises(tk.ShapeError, match=r"axis=\(0, 1\) is not an integer"):
        tk.cumprod(tk.ones((3, 4)), axis=(0, 1))
    with pytest.raises(TypeError, match=r"prod\(\) got keepdim=True: tensorkit, like Keras and "
                                        r"NumPy, calls it keepdims"):
        tk.prod(tk.ones((3, 4)), keepdim=True)


# ---- norm ----------------------------------------------------------------------------------
NORMS = [(None, None, False), (None, -1, False), (2, 0, True), (1, 1, False), (np.inf, 2, False),
         (None, (0, 2), False), ("fro", (1, 2), True), (1, (0, 1), False),
         (np.inf, (2, 0), False), (1, (2, 1), True), ("euclidean", 1, False)]


@pytest.mark.parametrize("ord,axis,keepdims", NORMS)
def test_norm_matches_numpy_with_gradients(ord, axis, keepdims):
    x = values((3, 4, 5), seed=7)
    out = tk.norm(tk.tensor(x), ord=ord, axis=axis, keepdims=keepdims)
    np_ord = None if ord == "euclidean" else ord
    want = np.linalg.norm(x.astype(np.float64), ord=np_ord, axis=axis, keepdims=keepdims)
    assert out.dtype == np.float32 and out.shape == want.shape
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-5)
    assert tk.norm(tk.symbolic((3, 4, 5)), ord=ord, axis=axis, keepdims=keepdims).shape == \
        want.shape
    assert gradcheck(lambda t: tk.norm(t, ord=ord, axis=axis, keepdims=keepdims),
                     x.astype(np.float64))


@pytest.mark.parametrize("shape,ord", [((5,), None), ((5,), 1), ((5,), np.inf), ((4, 3), None),
                                       ((4, 3), 1), ((4, 3), np.inf), ((4, 3), "fro")])
def test_norm_without_axis_is_numpys_vector_or_matrix_norm(shape, ord):
    x = values(shape, seed=8)
    np.testing.assert_allclose(tk.norm(tk.tensor(x), ord=ord).numpy(),
                               np.linalg.norm(x.astype(np.float64), ord=ord), rtol=1e-5)


@pytest.mark.parametrize("ord", [2, 1, np.inf])
def test_norm_gradient_is_zero_at_the_zero_vector_and_shared_by_ties(ord):
    x = tk.tensor([[0.0, 0.0, 0.0], [3.0, -3.0, 0.0]], requires_grad=True)
    tk.norm(x, ord=ord, axis=1).sum().backward()
    a, b = {2: (0.5 ** 0.5, -(0.5 ** 0.5)), 1: (1, -1), np.inf: (0.5, -0.5)}[ord]   # x / |x|,
    np.testing.assert_allclose(x.grad.numpy(), [[0, 0, 0], [a, b, 0]], rtol=1e-6)  # sign, share


def test_norm_labels_and_unknown_batch():
    x = tk.symbolic((None, 16), dims=("batch", "features"))
    y = tk.norm(x, axis=-1, keepdims=True)
    assert y.shape == (None, 1) and y.dims == ("batch", "features")
    assert tk.norm(x, axis=-1).dims == ("batch",)
    assert tk.norm(tk.tensor([3, 4])).dtype == np.float32


@pytest.mark.parametrize("kwargs,error,message", [
    ({"ord": 2, "axis": (0, 1)}, ValueError,
     r"norm\(ord=2\) is not supported for matrices\. With a pair of axes ord=2 is the spectral "
     r"norm"),
    ({"ord": 3, "axis": 0}, ValueError, r"norm\(ord=3\) is not supported\. Expected, for "
                                        r"vectors: ord=None or 2"),
    ({"ord": "nuc", "axis": (0, 1)}, ValueError, r"norm\(ord='nuc'\) is not supported for "
                                                 r"matrices"),
    ({"ord": "fro", "axis": 1}, ValueError, r"ord='fro'\) is a matrix norm, but the norm is "
                                            r"over one axis"),
    ({"ord": True, "axis": 1}, ValueError, r"norm\(ord=True\) is not supported"),
    ({"ord": 1}, tk.ShapeError, r"norm got shape \(2, 3, 4\): norm\(ord=1\) without an axis "
                                r"needs a vector or a matrix, but this tensor has 3 axes"),
    ({"axis": (0, 1, 2)}, tk.ShapeError, r"axis=\(0, 1, 2\) names 3 axes; a norm is over one "
                                         r"axis"),
    ({"axis": 3}, tk.ShapeError, r"norm got shape \(2, 3, 4\): axis 3 is out of range"),
    ({"axis": (1, 1)}, tk.ShapeError, r"axis=\(1, 1\) names an axis twice"),
])
def test_norm_errors_teach(kwargs, error, message):
    with pytest.raises(error, match=message):
        tk.norm(tk.ones((2, 3, 4)), **kwargs)


# ---- sort, argsort, top_k ------------------------------------------------------------------
@st.composite
def shape_and_sort_axis(draw):
    shape = draw(shapes)
    return shape, draw(st.sampled_from([None] + list(range(-len(shape), len(shape)))))


@settings(max_examples=40, deadline=None)
@given(case=shape_and_sort_axis())
def test_sort_and_argsort_match_numpys_stable_sort(case):
    shape, axis = case
    x = np.random.default_rng(9).integers(0, 3, shape).astype(np.float32)     # many ties
    out = tk.sort(tk.tensor(x), axis=axis)
    np.testing.assert_array_equal(out.numpy(), np.sort(x, axis=axis))
    order = tk.argsort(tk.tensor(x), axis=axis)
    assert order.dtype == np.int32
    np.testing.assert_array_equal(order.numpy(), np.argsort(x, axis=axis, kind="stable"))
    assert tk.sort(tk.symbolic(shape), axis=axis).shape == out.shape
    assert tk.argsort(tk.symbolic(shape), axis=axis).dtype == np.int32
    assert gradcheck(lambda t: tk.sort(t, axis=axis), values(shape, seed=10, dtype=np.float64))


def test_sort_sends_tied_gradients_back_in_stable_order():
    x = tk.tensor([2.0, 1.0, 2.0, 1.0], requires_grad=True)
    tk.sort(x).backward(np.array([10.0, 20.0, 30.0, 40.0], np.float32))
    np.testing.assert_allclose(x.grad.numpy(), [30, 10, 40, 20])   # order: 1, 3, 0, 2
    assert not tk.argsort(x).requires_grad
    y = tk.symbolic((None, 5), dims=("batch", "time"))
    assert tk.sort(y).dims == ("batch", "time") and tk.argsort(y, axis=0).dims == ("batch", "time")
    assert tk.sort(y, axis=None).shape == (None,)


@st.composite
def shape_and_k(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6))
    return shape, draw(st.integers(0, shape[-1]))


@settings(max_examples=40, deadline=None)
@given(case=shape_and_k())
def test_top_k_matches_a_stable_descending_sort(case):
    shape, k = case
    x = np.random.default_rng(11).integers(0, 4, shape).astype(np.float32)    # many ties
    values_, indices = tk.top_k(tk.tensor(x), k=k)
    want = np.argsort(-x, axis=-1, kind="stable")[..., :k]        # ties: lower index first
    assert indices.dtype == np.int32 and values_.dtype == np.float32
    np.testing.assert_array_equal(indices.numpy(), want)
    np.testing.assert_array_equal(values_.numpy(), np.take_along_axis(x, want, axis=-1))
    sym_values, sym_indices = tk.top_k(tk.symbolic(shape), k=k)
    assert sym_values.shape == sym_indices.shape == want.shape
    assert gradcheck(lambda t: tk.top_k(t, k=k)[0], values(shape, seed=12, dtype=np.float64))


def test_top_k_gradient_goes_to_the_picked_places():
    x = tk.tensor([[1.0, 3.0, 3.0, 0.5], [2.0, 0.0, 1.0, 4.0]], requires_grad=True)
    values_, indices = tk.top_k(x, k=2)
    np.testing.assert_array_equal(indices.numpy(), [[1, 2], [3, 0]])
    values_.backward(np.array([[1.0, 2.0], [3.0, 4.0]], np.float32))
    np.testing.assert_allclose(x.grad.numpy(), [[0, 1, 2, 0], [4, 0, 0, 3]])
    assert not indices.requires_grad
    y = tk.top_k(tk.symbolic((None, 10), dims=("batch", "classes")), k=3)
    assert y[0].shape == (None, 3) and y[0].dims == y[1].dims == ("batch", None)
    assert tk.top_k(tk.symbolic((4, None)), k=3)[0].shape == (4, 3)


@pytest.mark.parametrize("x,kwargs,error,message", [
    ((2, 3), {"k": 5}, tk.ShapeError,
     r"(?s)top_k got shape \(2, 3\): k=5 is larger than the last axis, which has 3 entries\."
     r"\nExpected: k <= 3.*Fix: ask for at most k=3"),
    ((), {"k": 1}, tk.ShapeError, r"top_k looks along the last axis, and a scalar has none"),
    ((2, 3), {"k": -1}, ValueError, r"k must be a non-negative int, received: k=-1"),
    ((2, 3), {"k": 1.5}, ValueError, r"received: k=1\.5"),
    ((2, 3), {"k": 1, "sorted": "yes"}, TypeError, r"sorted must be True or False"),
])
def test_top_k_errors_teach(x, kwargs, error, message):
    with pytest.raises(error, match=message):
        tk.top_k(tk.ones(x), **kwargs)


def test_sort_axis_errors_teach():
    with pytest.raises(tk.ShapeError, match=r"sort got shape \(3,\): axis 1 is out of range for "
                                            r"a tensor of rank 1"):
        tk.sort(tk.ones((3,)), axis=1)
    with pytest.raises(tk.ShapeError, match=r"argsort got shape \(\): axis -1 is out of range"):
        tk.argsort(tk.ones(()))


def test_numpy_style_methods_call_the_ops():
    x = tk.tensor([[3.0, 1.0, 2.0], [0.5, 4.0, 1.0]])
    for method, fn, kwargs in [("prod", np.prod, {"axis": 1}), ("cumsum", np.cumsum, {"axis": 1}),
                               ("cumprod", np.cumprod, {"axis": 0}),
                               ("argsort", np.argsort, {"axis": -1}),
                               ("repeat", np.repeat, {"repeats": 2, "axis": 0})]:
        out = getattr(x, method)(**kwargs)
        np.testing.assert_allclose(out.numpy(), fn(x.numpy(), **kwargs), err_msg=method)
        assert out.op == ("argsort" if method == "argsort" else method)
    assert x.swapaxes(0, 1).shape == (3, 2) and x.swapaxes(0, 1).op == "swapaxes"
