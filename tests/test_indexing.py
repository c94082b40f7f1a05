"""Indexing ops: x[...] as NumPy does it, take/gather (the embedding lookup), one_hot:
values, float64 gradient checks, shape rules on symbolic shapes, dims, error text."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import shapes, values

import tensorkit as tk
from tensorkit.ops.indexing import index_shape
from tensorkit.testing import gradcheck

fast = settings(max_examples=30, deadline=None)
small = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)


def compatible(rule, actual):
    return len(rule) == len(actual) and all(r is None or r == a for r, a in zip(rule, actual))


@st.composite
def mixed_index(draw, shape):
    """An index NumPy accepts: ints, slices, int arrays/lists, masks, None and ..."""
    items, axis = [], 0
    while axis < len(shape) and draw(st.integers(0, 4)):
        n = shape[axis]
        kind = draw(st.sampled_from(["int", "slice", "array", "list", "mask", "none"]))
        if kind == "int":
            items.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            items.append(slice(draw(st.none() | st.integers(-n - 1, n + 1)),
                               draw(st.none() | st.integers(-n - 1, n + 1)),
                               draw(st.none() | st.sampled_from([-2, -1, 1, 2]))))
        elif kind in ("array", "list"):
            ids = draw(hnp.arrays(np.int64, draw(st.sampled_from([(2,), (3,), (1,)])),
                                  elements=st.integers(-n, n - 1)))
            items.append(ids.tolist() if kind == "list" else ids)
        elif kind == "mask":
            items.append(draw(hnp.arrays(bool, (n,))))
        else:
            items.append(None)
            continue
        axis += 1
    if draw(st.booleans()):                      # ... stands for no axes once all are used
        at = draw(st.integers(0, len(items))) if axis == len(shape) else len(items)
        items.insert(at, Ellipsis)
    return tuple(items)


def as_numpy_index(index):
    return tuple(np.asarray(i) if isinstance(i, list) else i for i in index)


@settings(max_examples=40, deadline=None)
@given(shapes, st.data())
def test_getitem_matches_numpy(shape, data):
    x = values(shape)
    index = data.draw(mixed_index(shape))
    try:
        want = x[as_numpy_index(index)]
    except IndexError:                             # index arrays that don't broadcast
        with pytest.raises(tk.ShapeError, match="could not be broadcast together"):
            tk.tensor(x)[index]
        return
    with tk.trace() as trace:
        y = tk.tensor(x)[index]
    np.testing.assert_array_equal(y.numpy(), want)
    node = y.node
    assert index_shape(x.shape, node.attrs["index"]) == y.shape == want.shape
    assert trace.nodes[-1]["shape"] == list(want.shape)
    assert tk.symbolic(shape)[index].shape == want.shape
    if shape:
        assert compatible(tk.symbolic((None,) + shape[1:])[index].shape, want.shape)


@fast
@given(small, st.data())
def test_getitem_gradient(shape, data):
    index = data.draw(mixed_index(shape))
    try:
        values(shape)[as_numpy_index(index)]
    except IndexError:
        return
    assert gradcheck(lambda t: t[index], values(shape, dtype=np.float64))


def test_getitem_gradient_adds_repeated_indices():
    x = tk.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 0.0, 1.0])
    assert gradcheck(lambda t: t[[1, 1, 0], :, [2, 2, 0]], values((2, 3, 3), dtype=np.float64))
    assert gradcheck(lambda t: t[t > 0], values((3, 4), dtype=np.float64))


def test_getitem_index_kinds():
    a = np.arange(24.0).reshape(2, 3, 4)
    x = tk.tensor(a)
    np.testing.assert_array_equal(x[::-1, 1:, ::2].numpy(), a[::-1, 1:, ::2])
    np.testing.assert_array_equal(x[..., 0].numpy(), a[..., 0])
    np.testing.assert_array_equal(x[None, 1].numpy(), a[None, 1])
    np.testing.assert_array_equal(x[tk.tensor([1, 0])].numpy(), a[[1, 0]])
    np.testing.assert_array_equal(x[:, tk.tensor([2, 2])].numpy(), a[:, [2, 2]])
    np.testing.assert_array_equal(x[x > 10].numpy(), a[a > 10])
    np.testing.assert_array_equal(x[a[:, :, 0] > 5].numpy(), a[a[:, :, 0] > 5])
    np.testing.assert_array_equal(x[np.int64(1), tk.tensor(2)].numpy(), a[1, 2])
    np.testing.assert_array_equal(x[0, :, [1, 3]].numpy(), a[0, :, [1, 3]])
    np.testing.assert_array_equal(x[:, 0, None, [1, 2, 3]].numpy(), a[:, 0, None, [1, 2, 3]])
    np.testing.assert_array_equal(x[[]].numpy(), a[[]])
    assert x[True].shape == (1, 2, 3, 4)
    assert tk.tensor(5.0)[()].shape == ()


def test_getitem_symbolic_shapes():
    s = tk.symbolic((None, 28, 28))
    assert s[:, 0].shape == (None, 28)
    assert s[:, 2:10:2, None].shape == (None, 4, 1, 28)
    assert s[..., -1].shape == (None, 28)
    assert s[0].shape == (28, 28)
    assert s[:, [0, 1, 1]].shape == (None, 3, 28)
    mask = np.arange(28) % 2 == 0
    assert s[:, mask].shape == (None, 14, 28)
    ids = tk.symbolic((None, 5), dtype="int32")
    assert tk.symbolic((100, 8))[ids].shape == (None, 5, 8)


def test_getitem_dims():
    x = tk.zeros((2, 3, 4), dims=("batch", "t", "c"))
    assert x[:, 0].dims == ("batch", "c")
    assert x[:, 1:, None].dims == ("batch", "t", None, "c")
    assert x[0].dims == ("t", "c")
    assert x[:, [0, 2]].dims == ("batch", "t", "c")
    assert x[:, np.array([True, False, True])].dims == ("batch", "t", "c")
    assert x[:, [[0], [1]]].dims == ("batch", None, None, "c")


def test_getitem_errors():
    x = tk.zeros((3, 4))
    with pytest.raises(tk.ShapeError, match=r"getitem got shape \(3, 4\): index 5 is out of "
                                             r"range for axis 0 of size 3(.|\n)*Fix: "):
        x[5]
    with pytest.raises(tk.ShapeError, match="index -5 is out of range for axis 1 of size 4"):
        x[0, -5]
    with pytest.raises(tk.ShapeError, match="index 7 is out of range for axis 1 of size 4"):
        x[:, [0, 7]]
    with pytest.raises(tk.ShapeError, match="too many indices: the tensor has rank 2, but 3 "
                                            "axes were indexed"):
        x[0, 1, 2]
    with pytest.raises(tk.ShapeError, match="single ellipsis"):
        x[..., 0, ...]
    with pytest.raises(tk.DTypeError, match=r"indices must be integers, got float32; fix: "
                                            r"idx.astype\('int32'\)"):
        x[tk.tensor([0.0, 1.0])]
    with pytest.raises(tk.DTypeError, match="indices must be integers, got float"):
        x[1.5]
    with pytest.raises(tk.DTypeError, match="indices must be integers"):
        x[0:1.5]
    with pytest.raises(tk.ShapeError, match=r"the boolean mask has shape \(4,\), but the axes "
                                             r"0..0 it covers have sizes \(3,\)"):
        x[np.ones(4, bool)]
    with pytest.raises(tk.ShapeError, match="slice step cannot be zero"):
        x[::0]
    with pytest.raises(tk.SymbolicTensorError, match="symbolic tensor"):
        x[tk.symbolic((3, 4), dtype="bool")]


# ---- take / gather ------------------------------------------------------------------------
@fast
@given(shapes.filter(lambda s: len(s) > 0), st.data())
def test_take_matches_numpy(shape, data):
    x = values(shape)
    axis = data.draw(st.none() | st.integers(-len(shape), len(shape) - 1))
    n = x.size if axis is None else shape[axis]
    ids = data.draw(hnp.arrays(np.int32, hnp.array_shapes(min_dims=0, max_dims=2, max_side=3),
                               elements=st.integers(-n, n - 1)))
    with tk.trace() as trace:
        y = tk.take(tk.tensor(x), tk.tensor(ids), axis=axis)
    want = np.take(x, ids, axis=axis)
    np.testing.assert_array_equal(y.numpy(), want)
    node = y.node
    assert node.op.shape(*[t.shape for t in node.inputs], **node.attrs) == want.shape
    assert trace.nodes[-1]["op"] == "gather" and len(trace.nodes[-1]["inputs"]) == 2
    sym = tk.take(tk.symbolic(shape), tk.symbolic(ids.shape, dtype="int32"), axis=axis)
    assert sym.shape == want.shape and sym.dtype == np.float32
    if x.size <= 27:
        assert gradcheck(lambda t: tk.take(t, ids, axis=axis), x.astype(np.float64))


def test_gather_embedding_lookup():
    table = values((10, 4), dtype=np.float64)
    ids = np.array([[1, 2, 3], [1, 1, 9]])
    out = tk.gather(tk.tensor(table, dtype="float64"), ids)
    assert out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out.numpy(), table[ids])
    assert gradcheck(lambda t: tk.gather(t, ids), table)
    t = tk.tensor(table, requires_grad=True)
    tk.gather(t, ids).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy()[:, 0], np.bincount(ids.ravel(), minlength=10))
    ids_sym = tk.symbolic((None, 20), dims=("batch", "time"), dtype="int32")
    emb = tk.symbolic((1000, 64), dims=("vocab", "embed"))
    e = tk.gather(emb, ids_sym)
    assert e.shape == (None, 20, 64) and e.dims == ("batch", "time", "embed")
    assert tk.gather(table, [0, 2], axis=1).shape == (10, 2)


def test_gather_errors():
    table = tk.zeros((10, 4))
    with pytest.raises(tk.ShapeError, match=r"gather got shapes \(10, 4\), \(2, 2\): the "
                                             r"largest id is 12, but axis 0 has size 10(.|\n)*"
                                             r"ids must be in 0..9(.|\n)*input_dim must exceed "
                                             r"the largest id \(input_dim >= 13\)"):
        tk.gather(table, [[1, 12], [3, 4]])
    with pytest.raises(tk.ShapeError, match="the index -1 is negative; indices must be in 0..9"):
        tk.gather(table, [-1])
    with pytest.raises(tk.ShapeError, match="largest id is 10"):
        tk.take(table, [10], axis=0)
    with pytest.raises(tk.ShapeError, match="largest id is 40, but the flattened tensor has "
                                            "size 40"):
        tk.take(table, [40])
    with pytest.raises(tk.DTypeError, match=r"indices must be integers, got float32; fix: "
                                            r"idx.astype\('int32'\)"):
        tk.gather(table, tk.tensor([1.0, 2.0]))
    with pytest.raises(tk.DTypeError, match="indices must be integers, got float64"):
        tk.take(table, np.array([1.0]))
    with pytest.raises(tk.ShapeError, match="axis 2 is out of range for a tensor of rank 2"):
        tk.gather(table, [0], axis=2)


# ---- one_hot ------------------------------------------------------------------------------
@fast
@given(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), st.integers(1, 6), st.data())
def test_one_hot_matches_numpy(shape, depth, data):
    ids = data.draw(hnp.arrays(np.int32, shape, elements=st.integers(0, depth - 1)))
    y = tk.one_hot(ids, depth)
    np.testing.assert_array_equal(y.numpy(), np.eye(depth, dtype=np.float32)[ids])
    assert y.dtype == np.float32
    sym = tk.one_hot(tk.symbolic((None,) + shape, dtype="int32"), depth, dtype="int32")
    assert sym.shape == (None,) + shape + (depth,) and sym.dtype == np.int32


def test_one_hot_dims_and_errors():
    ids = tk.tensor([[0, 2], [1, 1]], dims=("batch", "time"))
    assert tk.one_hot(ids, 3).dims == ("batch", "time", None)
    with pytest.raises(tk.ShapeError, match=r"one_hot got shape \(batch=2, time=2\): got the "
                                             r"class id 2, but depth=2: ids must be in 0..1"
                                             r"(.|\n)*Fix: pass depth=3"):
        tk.one_hot(ids, 2)
    with pytest.raises(tk.ShapeError, match="class id -1, but depth=3"):
        tk.one_hot([0, -1], 3)
    with pytest.raises(tk.DTypeError, match="indices must be integers, got float64"):
        tk.one_hot(np.array([0.0, 1.0]), 3)
    with pytest.raises(tk.ShapeError, match="depth=0 is not a number of classes"):
        tk.one_hot([0], 0)


def test_embedding_gradient_sums_repeated_and_negative_ids_in_float32():
    rng = np.random.default_rng(3)
    table = tk.tensor(rng.standard_normal((50, 8)).astype(np.float32), requires_grad=True)
    ids = rng.integers(-50, 50, (16, 12))                 # many repeats, negative ids too
    g = rng.standard_normal((16, 12, 8)).astype(np.float32)
    tk.take(table, tk.tensor(ids), axis=0).backward(g)
    want = np.zeros((50, 8))
    np.add.at(want, ids % 50, g.astype(np.float64))
    assert table.grad.dtype == np.float32
    np.testing.assert_allclose(table.grad.numpy(), want, rtol=1e-6, atol=1e-6)
