"""Shape ops: NumPy's values, float64 gradient checks, shape rules on symbolic and None
shapes, dim labels, and the text of every error."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import shapes, values

import tensorkit as tk
from tensorkit.testing import gradcheck

fast = settings(max_examples=30, deadline=None)
small = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)


def compatible(rule, actual):
    return len(rule) == len(actual) and all(r is None or r == a for r, a in zip(rule, actual))


def run(fn, *arrays):
    """fn on tensors: checks the recorded node against its op's shape rule and a symbolic
    call with the same shapes, then returns the result."""
    with tk.trace() as trace:
        y = fn(*[tk.tensor(a, dtype=a.dtype) for a in arrays])
    node = y.node
    assert node.op.shape(*[t.shape for t in node.inputs], **node.attrs) == y.shape
    assert trace.nodes[-1]["shape"] == list(y.shape)
    sym = fn(*[tk.symbolic(a.shape, dtype=str(a.dtype)) for a in arrays])
    assert sym.shape == y.shape and sym.dtype == y.dtype and sym.is_symbolic
    return y


def batched(fn, *shapes_, dtype="float32"):
    """The shape fn gives with an unknown batch (None on axis 0 of each input)."""
    return fn(*[tk.symbolic((None,) + tuple(s[1:]), dtype=dtype) for s in shapes_]).shape


# ---- reshape ------------------------------------------------------------------------------
@fast
@given(shapes, st.data())
def test_reshape_matches_numpy(shape, data):
    x = values(shape)
    target = tuple(reversed(shape))
    if target:
        at = data.draw(st.integers(0, len(target) - 1))
        target = target[:at] + (-1,) + target[at + 1:]
    y = run(lambda t: tk.reshape(t, target), x)
    np.testing.assert_array_equal(y.numpy(), x.reshape(target))
    if shape:
        assert compatible(batched(lambda t: tk.reshape(t, (-1,) + shape[1:]), shape), shape)


@fast
@given(small)
def test_reshape_gradient(shape):
    assert gradcheck(lambda t: tk.reshape(t, (-1,)), values(shape, dtype=np.float64))
    assert gradcheck(lambda t: t.reshape(*reversed(shape)), values(shape, dtype=np.float64))


def test_reshape_symbolic_batch():
    assert tk.reshape(tk.symbolic((None, 28, 28)), (-1, 784)).shape == (None, 784)
    assert tk.symbolic((None, 784)).reshape(-1, 28, 28).shape == (None, 28, 28)


def test_reshape_dims_keep_unchanged_runs():
    x = tk.zeros((4, 6, 5), dims=("batch", "t", "c"))
    assert tk.reshape(x, (4, 2, 3, 5)).dims == ("batch", None, None, "c")
    assert tk.reshape(x, (4, 30)).dims == ("batch", None)
    assert tk.reshape(x, (24, 5)).dims == (None, "c")
    assert tk.reshape(x, (5, 24)).dims is None
    s = tk.symbolic((None, 28, 28), dims=("batch", "h", "w"))
    assert tk.reshape(s, (-1, 784)).dims == ("batch", None)


def test_reshape_errors():
    with pytest.raises(tk.ShapeError, match=r"cannot reshape 784 elements into \(32, 10\) = "
                                             r"320 elements(.|\n)*Fix: "):
        tk.reshape(tk.zeros((28, 28)), (32, 10))
    with pytest.raises(tk.ShapeError, match=r"reshape got shape \(28, 28\)(.|\n)*"
                                             r"784 is not a multiple of 10"):
        tk.reshape(tk.zeros((28, 28)), (-1, 10, 1))
    with pytest.raises(tk.ShapeError, match="more than one -1"):
        tk.reshape(tk.zeros((4,)), (-1, -1))
    with pytest.raises(tk.ShapeError, match="not a whole number of the 784 elements"):
        tk.reshape(tk.symbolic((None, 784)), (32, 10))
    with pytest.raises(tk.ShapeError, match="not an integer"):
        tk.reshape(tk.zeros((4,)), (2.0, 2))


# ---- transpose ----------------------------------------------------------------------------
@fast
@given(shapes, st.data())
def test_transpose_matches_numpy(shape, data):
    x = values(shape)
    axes = tuple(data.draw(st.permutations(range(len(shape)))))
    np.testing.assert_array_equal(run(lambda t: tk.transpose(t, axes), x).numpy(),
                                  x.transpose(axes))
    np.testing.assert_array_equal(run(lambda t: t.T, x).numpy(), x.T)


@fast
@given(small, st.data())
def test_transpose_gradient(shape, data):
    axes = tuple(data.draw(st.permutations(range(len(shape)))))
    assert gradcheck(lambda t: tk.transpose(t, axes), values(shape, dtype=np.float64))


def test_transpose_dims_and_errors():
    x = tk.zeros((2, 3, 4), dims=("batch", "t", "c"))
    assert tk.transpose(x, (0, 2, 1)).dims == ("batch", "c", "t")
    assert x.T.dims == ("c", "t", "batch")
    assert x.transpose(0, -1, 1).shape == (2, 4, 3)
    assert tk.transpose(tk.symbolic((None, 3, 4)), (0, 2, 1)).shape == (None, 4, 3)
    with pytest.raises(tk.ShapeError, match=r"axes=\(0, 0, 1\) is not a permutation"):
        tk.transpose(x, (0, 0, 1))
    with pytest.raises(tk.ShapeError, match=r"transpose got shape \(batch=2, t=3, c=4\)"):
        tk.transpose(x, (0, 1))


# ---- moveaxis / swapaxes ------------------------------------------------------------------
@st.composite
def moves(draw, base=shapes):
    """A shape, and source and destination axes for moveaxis (ints or tuples, negatives too)."""
    shape = draw(base.filter(len))
    n = len(shape)
    axes = st.lists(st.integers(-n, n - 1), min_size=1, max_size=n, unique_by=lambda a: a % n)
    source = draw(axes)
    destination = draw(st.lists(st.integers(-n, n - 1), min_size=len(source),
                                max_size=len(source), unique_by=lambda a: a % n))
    if len(source) == 1 and draw(st.booleans()):
        return shape, source[0], destination[0]
    return shape, tuple(source), tuple(destination)


@fast
@given(moves(), st.data())
def test_moveaxis_swapaxes_match_numpy(case, data):
    shape, source, destination = case
    x = values(shape)
    y = run(lambda t: tk.moveaxis(t, source, destination), x)
    np.testing.assert_array_equal(y.numpy(), np.moveaxis(x, source, destination))
    assert compatible(batched(lambda t: tk.moveaxis(t, source, destination), shape), y.shape)
    a1, a2 = data.draw(st.tuples(*[st.integers(-len(shape), len(shape) - 1)] * 2))
    y = run(lambda t: tk.swapaxes(t, a1, a2), x)
    np.testing.assert_array_equal(y.numpy(), np.swapaxes(x, a1, a2))
    assert compatible(batched(lambda t: tk.swapaxes(t, a1, a2), shape), y.shape)


@fast
@given(moves(small))
def test_moveaxis_swapaxes_gradient(case):
    shape, source, destination = case
    x = values(shape, dtype=np.float64)
    assert gradcheck(lambda t: tk.moveaxis(t, source, destination), x)
    assert gradcheck(lambda t: tk.swapaxes(t, 0, -1), x)


def test_moveaxis_swapaxes_dims_graph_and_symbolic():
    x = tk.zeros((2, 3, 4, 5), dims=("batch", "c", "h", "w"))
    assert tk.moveaxis(x, 1, -1).dims == ("batch", "h", "w", "c")
    assert tk.moveaxis(x, (1, 0), (0, 3)).dims == ("c", "h", "w", "batch")
    assert tk.swapaxes(x, 1, -1).dims == ("batch", "w", "h", "c")
    assert tk.swapaxes(x, 2, 2).dims == x.dims
    assert tk.moveaxis(tk.symbolic((None, 3, 28, 28)), 1, -1).shape == (None, 28, 28, 3)
    assert tk.swapaxes(tk.symbolic((None, 5, 7)), 0, 1).shape == (5, None, 7)
    with tk.trace() as trace:
        tk.moveaxis(x, 1, -1)
        tk.swapaxes(x, 0, 1)
    assert [n["op"] for n in trace.nodes[1:]] == ["moveaxis", "swapaxes"]
    assert trace.nodes[1]["attrs"] == {"source": [1], "destination": [-1]}


def test_moveaxis_swapaxes_errors():
    x = tk.zeros((2, 3, 4), dims=("batch", "t", "c"))
    with pytest.raises(tk.ShapeError, match=r"moveaxis got shape \(batch=2, t=3, c=4\): "
                                             r"source=\(0, 1\) has 2 axes but destination="
                                             r"\(2,\) has 1(.|\n)*Fix: give as many"):
        tk.moveaxis(x, (0, 1), 2)
    with pytest.raises(tk.ShapeError, match=r"source=\(0, -3\) names an axis twice"):
        tk.moveaxis(x, (0, -3), (1, 2))
    with pytest.raises(tk.ShapeError, match=r"destination=\(1, 1\) names an axis twice"):
        tk.moveaxis(x, (0, 2), (1, 1))
    with pytest.raises(tk.ShapeError, match=r"moveaxis got shape(.|\n)*axis 3 is out of range "
                                             r"for a tensor of rank 3(.|\n)*-3\.\.2"):
        tk.moveaxis(x, 3, 0)
    with pytest.raises(tk.ShapeError, match=r"swapaxes got shape(.|\n)*axis -4 is out of "
                                             "range for a tensor of rank 3"):
        tk.swapaxes(x, 0, -4)
    with pytest.raises(tk.ShapeError, match=r"axis2=1\.0 is not an integer"):
        tk.swapaxes(x, 0, 1.0)
    with pytest.raises(tk.ShapeError, match=r"not a permutation(.|\n)*To swap just two axes "
                                             r"\(PyTorch's transpose\(0, 1\)\), use "
                                             r"tk\.swapaxes\(x, 0, 1\)"):
        x.transpose(0, 1)


# ---- expand_dims / squeeze ----------------------------------------------------------------
@fast
@given(shapes, st.data())
def test_expand_dims_and_squeeze_match_numpy(shape, data):
    x = values(shape)
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    y = run(lambda t: tk.expand_dims(t, axis), x)
    np.testing.assert_array_equal(y.numpy(), np.expand_dims(x, axis))
    np.testing.assert_array_equal(run(lambda t: tk.squeeze(t, axis), y.numpy()).numpy(), x)
    np.testing.assert_array_equal(run(lambda t: tk.squeeze(t), x).numpy(), np.squeeze(x))
    both = (0, -1)
    np.testing.assert_array_equal(run(lambda t: tk.expand_dims(t, both), x).numpy(),
                                  np.expand_dims(x, both))


@fast
@given(small)
def test_expand_squeeze_gradient(shape):
    x = values(shape, dtype=np.float64)
    assert gradcheck(lambda t: tk.expand_dims(t, 0), x)
    assert gradcheck(lambda t: tk.squeeze(tk.expand_dims(t, -1), -1), x)


def test_expand_squeeze_dims_symbolic_and_errors():
    x = tk.zeros((2, 1, 3), dims=("batch", None, "c"))
    assert tk.squeeze(x).dims == ("batch", "c")
    assert tk.expand_dims(tk.squeeze(x, 1), 1).dims == ("batch", None, "c")
    assert tk.expand_dims(tk.symbolic((None, 3)), -1).shape == (None, 3, 1)
    assert tk.squeeze(tk.symbolic((None, 1, 3)), 1).shape == (None, 3)
    assert tk.squeeze(tk.symbolic((None, 1, 3))).shape == (None, 3)
    with pytest.raises(tk.ShapeError, match="cannot squeeze axis 2: its size is 3, not 1"):
        tk.squeeze(x, 2)
    with pytest.raises(tk.ShapeError, match="axis 3 is out of range for a tensor of rank 3"):
        tk.squeeze(x, 3)
    with pytest.raises(tk.ShapeError, match="axis 4 is out of range"):
        tk.expand_dims(x, 4)


# ---- broadcast_to -------------------------------------------------------------------------
@st.composite
def broadcastable(draw):
    target = draw(shapes)
    lead = draw(st.integers(0, len(target)))
    ones = draw(st.lists(st.booleans(), min_size=len(target), max_size=len(target)))
    shape = tuple(1 if one else n for one, n in zip(ones[lead:], target[lead:]))
    return shape, target


@fast
@given(broadcastable())
def test_broadcast_to_matches_numpy(pair):
    shape, target = pair
    x = values(shape)
    y = run(lambda t: tk.broadcast_to(t, target), x)
    np.testing.assert_array_equal(y.numpy(), np.broadcast_to(x, target))
    assert gradcheck(lambda t: tk.broadcast_to(t, target), x.astype(np.float64))


def test_broadcast_to_dims_symbolic_and_errors():
    b = tk.zeros((1, 10), dims=(None, "units"))
    assert tk.broadcast_to(b, (2, 4, 10)).dims == (None, None, "units")
    assert tk.broadcast_to(tk.symbolic((None, 1)), (4, 3)).shape == (4, 3)
    with pytest.raises(tk.ShapeError, match=r"cannot broadcast \(3, 2\) to \(3, 4\)(.|\n)*"
                                             "Fix: reshape"):
        tk.broadcast_to(tk.zeros((3, 2)), (3, 4))
    with pytest.raises(tk.ShapeError, match=r"cannot broadcast \(2, 3\) to \(3,\)"):
        tk.broadcast_to(tk.zeros((2, 3)), (3,))


# ---- concatenate / stack ------------------------------------------------------------------
@st.composite
def joinable(draw, min_dims=1):
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=4, min_side=1, max_side=4))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    return [shape[:axis % len(shape)] + (n,) + shape[axis % len(shape) + 1:]
            for n in sizes], axis


@fast
@given(joinable())
def test_concatenate_matches_numpy(case):
    shapes_, axis = case
    xs = [values(s, seed=i) for i, s in enumerate(shapes_)]
    y = run(lambda *ts: tk.concatenate(ts, axis=axis), *xs)
    np.testing.assert_array_equal(y.numpy(), np.concatenate(xs, axis=axis))
    if axis % len(shapes_[0]) != 0:
        assert compatible(batched(lambda *ts: tk.concatenate(ts, axis=axis), *shapes_),
                          y.shape)
    assert gradcheck(lambda *ts: tk.concatenate(ts, axis=axis),
                     *[x.astype(np.float64) for x in xs])


@fast
@given(shapes, st.integers(1, 3), st.data())
def test_stack_matches_numpy(shape, count, data):
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    xs = [values(shape, seed=i) for i in range(count)]
    y = run(lambda *ts: tk.stack(ts, axis=axis), *xs)
    np.testing.assert_array_equal(y.numpy(), np.stack(xs, axis=axis))
    if shape:
        assert compatible(batched(lambda *ts: tk.stack(ts, axis=axis), *[shape] * count),
                          y.shape)
    if len(shape) <= 3:
        assert gradcheck(lambda *ts: tk.stack(ts, axis=axis),
                         *[x.astype(np.float64) for x in xs])


def test_concatenate_stack_dims_and_symbolic():
    a = tk.zeros((2, 3), dims=("batch", "f"))
    b = tk.zeros((2, 5))
    assert tk.concatenate([a, b], axis=1).dims == ("batch", "f")
    assert tk.stack([a, a], axis=1).dims == ("batch", None, "f")
    assert tk.concatenate([tk.symbolic((None, 3)), tk.symbolic((None, 5))], axis=1).shape \
        == (None, 8)
    assert tk.concatenate([tk.symbolic((None, 3)), tk.zeros((2, 3))]).shape == (None, 3)
    assert tk.stack([tk.symbolic((None, 3))] * 4, axis=-1).shape == (None, 3, 4)


def test_concatenate_and_stack_errors():
    a, b = tk.zeros((2, 3)), tk.zeros((4, 5))
    with pytest.raises(tk.ShapeError, match=r"concatenate got shapes \(2, 3\), \(4, 5\): the "
                                             r"sizes on axis 0 differ \(2, 4\)(.|\n)*Fix: make "
                                             r"axis 0 the same size"):
        tk.concatenate([a, b], axis=1)
    with pytest.raises(tk.ShapeError, match=r"different ranks: \(2, 3\), \(3,\)"):
        tk.concatenate([a, tk.zeros(3)])
    with pytest.raises(tk.ShapeError, match="scalars"):
        tk.concatenate([tk.zeros(()), tk.zeros(())])
    with pytest.raises(tk.ShapeError, match="axis 2 is out of range for a tensor of rank 2"):
        tk.concatenate([a, a], axis=2)
    with pytest.raises(tk.ShapeError, match=r"stack needs equal shapes, but got \(3,\), "
                                             r"\(3,\), \(4,\)(.|\n)*pad"):
        tk.stack([tk.zeros(3), tk.zeros(3), tk.zeros(4)])
    with pytest.raises(tk.ShapeError, match="nothing to stack"):
        tk.stack([])


# ---- split --------------------------------------------------------------------------------
@fast
@given(shapes.filter(lambda s: len(s) > 0), st.data())
def test_split_matches_numpy(shape, data):
    x = values(shape)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[axis]
    how = data.draw(st.one_of(st.sampled_from([d for d in range(1, n + 1) if n % d == 0]),
                              st.lists(st.integers(-n - 1, n + 1), max_size=3)))
    parts = tk.split(tk.tensor(x), how, axis=axis)
    expected = np.split(x, how, axis=axis)
    assert len(parts) == len(expected)
    for part, want in zip(parts, expected):
        np.testing.assert_array_equal(part.numpy(), want)
    for part, sym in zip(parts, tk.split(tk.symbolic(shape), how, axis=axis)):
        assert sym.shape == part.shape


@fast
@given(small.filter(lambda s: len(s) > 0))
def test_split_gradient(shape):
    x = values(shape, dtype=np.float64)
    assert gradcheck(lambda t: tk.concatenate(tk.split(t, [1], axis=-1)[::-1], axis=-1), x)
    assert gradcheck(lambda t: tk.split(t, shape[0])[-1] * 3.0, x)


def test_split_dims_symbolic_and_errors():
    x = tk.zeros((6, 4), dims=("batch", "f"))
    assert [p.dims for p in tk.split(x, 2, axis=1)] == [("batch", "f")] * 2
    assert [p.shape for p in tk.split(tk.symbolic((None, 6)), 3, axis=1)] == [(None, 2)] * 3
    assert [p.shape for p in tk.split(tk.symbolic((None, 6)), 2)] == [(None, 6)] * 2
    assert [p.shape for p in tk.split(tk.symbolic((None, 6)), [1], axis=0)] == \
        [(None, 6), (None, 6)]
    with pytest.raises(tk.ShapeError, match=r"split got shape \(batch=6, f=4\): axis 0 of size "
                                             r"6 does not split into 4 equal sections(.|\n)*"
                                             r"\[1, 3, 4\]"):
        tk.split(x, 4)
    with pytest.raises(tk.ShapeError, match="cannot split into 0 sections"):
        tk.split(x, 0)


# ---- unstack ------------------------------------------------------------------------------
@fast
@given(shapes.filter(len), st.data())
def test_unstack_matches_numpy(shape, data):
    x = values(shape)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    parts = tk.unstack(tk.tensor(x), axis)
    assert len(parts) == shape[axis]
    for i, part in enumerate(parts):
        np.testing.assert_array_equal(part.numpy(), np.take(x, i, axis=axis))
    y = run(lambda t: tk.unstack(t, axis)[-1], x)
    np.testing.assert_array_equal(y.numpy(), np.take(x, -1, axis=axis))
    np.testing.assert_array_equal(tk.stack(parts, axis).numpy(), x)
    if axis % len(shape):
        for part, sym in zip(parts, tk.unstack(tk.symbolic((None,) + shape[1:]), axis)):
            assert compatible(sym.shape, part.shape)


@fast
@given(small.filter(len), st.data())
def test_unstack_gradient(shape, data):
    x = values(shape, dtype=np.float64)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    assert gradcheck(lambda t: tk.stack(tk.unstack(t, axis)[::-1], axis), x)
    assert gradcheck(lambda t: tk.unstack(t, axis)[0] * 3.0, x)


def test_unstack_dims_symbolic_and_errors():
    x = tk.zeros((2, 5, 3), dims=("batch", "t", "c"))
    assert [p.dims for p in tk.unstack(x, 1)] == [("batch", "c")] * 5
    assert tk.unstack(x, -1)[0].dims == ("batch", "t")
    assert [p.shape for p in tk.unstack(tk.symbolic((None, 5, 3)), 1)] == [(None, 3)] * 5
    with tk.trace() as trace:
        tk.unstack(x, 1)
    assert [n["op"] for n in trace.nodes[1:]] == ["unstack"] * 5
    assert [n["attrs"]["index"] for n in trace.nodes[1:]] == [0, 1, 2, 3, 4]
    with pytest.raises(tk.ShapeError, match=r"unstack got shape \(None, 5, 3\): axis 0 has an "
                                             r"unknown size \(None\), so how many tensors "
                                             r"(.|\n)*Fix: unstack an axis of known size(.|\n)*"
                                             r"tk\.symbolic\(\(32, 5, 3\)\)"):
        tk.unstack(tk.symbolic((None, 5, 3)))
    with pytest.raises(tk.ShapeError, match=r"unstack got shape \(batch=2, t=5, c=3\): axis 3 "
                                             r"is out of range for a tensor of rank 3(.|\n)*"
                                             r"-3\.\.2"):
        tk.unstack(x, 3)
    with pytest.raises(tk.ShapeError, match=r"unstack got shape \(\): axis 0 is out of range "
                                             r"for a tensor of rank 0(.|\n)*scalar"):
        tk.unstack(tk.zeros(()))


# ---- tile / repeat ------------------------------------------------------------------------
reps_lists = st.one_of(st.integers(0, 3), st.lists(st.integers(0, 3), max_size=5))


@fast
@given(shapes, reps_lists)
def test_tile_matches_numpy(shape, reps):
    x = values(shape)
    y = run(lambda t: tk.tile(t, reps), x)
    np.testing.assert_array_equal(y.numpy(), np.tile(x, reps))
    assert y.dtype == np.float32
    if shape:
        assert compatible(batched(lambda t: tk.tile(t, reps), shape), y.shape)


@fast
@given(small, st.lists(st.integers(0, 2), max_size=4))
def test_tile_gradient(shape, reps):
    assert gradcheck(lambda t: tk.tile(t, reps), values(shape, dtype=np.float64))


@st.composite
def repeats_cases(draw, base=shapes):
    """A shape, an axis (None: flattened) and repeats: one count, or one per element."""
    shape = draw(base)
    axes = [st.none()] + ([st.integers(-len(shape), len(shape) - 1)] if shape else [])
    axis = draw(st.one_of(*axes))
    n = int(np.prod(shape)) if axis is None else shape[axis]
    counts = [st.integers(0, 3), st.lists(st.integers(0, 3), min_size=1, max_size=1)]
    if n <= 12:
        counts.append(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    return shape, draw(st.one_of(*counts)), axis


@fast
@given(repeats_cases())
def test_repeat_matches_numpy(case):
    shape, repeats, axis = case
    x = values(shape)
    y = run(lambda t: tk.repeat(t, repeats, axis=axis), x)
    np.testing.assert_array_equal(y.numpy(), np.repeat(x, repeats, axis=axis))
    assert y.dtype == np.float32
    if shape:
        assert compatible(batched(lambda t: tk.repeat(t, repeats, axis=axis), shape), y.shape)


@fast
@given(repeats_cases(small))
def test_repeat_gradient(case):
    shape, repeats, axis = case
    assert gradcheck(lambda t: tk.repeat(t, repeats, axis=axis), values(shape, dtype=np.float64))


def test_tile_repeat_dims_and_symbolic():
    x = tk.zeros((2, 3), dims=("batch", "f"))
    assert tk.tile(x, (1, 2)).dims == ("batch", "f")
    assert tk.tile(x, (4, 1, 1)).dims == (None, "batch", "f")
    assert tk.repeat(x, 2, axis=1).dims == ("batch", "f")
    assert tk.repeat(x, 2).dims is None                    # flattened: the axes are gone
    assert tk.repeat(tk.zeros(3, dims=("t",)), 2).dims == ("t",)
    assert tk.tile(tk.symbolic((None, 3)), (2, 2)).shape == (None, 6)
    assert tk.tile(tk.symbolic((None, 3)), (0, 1)).shape == (0, 3)
    assert tk.tile(tk.symbolic((None, 3)), 2).shape == (None, 6)
    assert tk.repeat(tk.symbolic((None, 3)), 2, axis=0).shape == (None, 3)
    assert tk.repeat(tk.symbolic((None, 3)), 2, axis=1).shape == (None, 6)
    assert tk.repeat(tk.symbolic((None, 3)), [1, 0, 2], axis=0).shape == (3, 3)
    assert tk.repeat(tk.symbolic((None, 3)), 2).shape == (None,)
    counts = tk.tensor([1, 0, 2])
    np.testing.assert_array_equal(tk.repeat(tk.tensor([4, 5, 6]), counts).numpy(), [4, 6, 6])
    np.testing.assert_array_equal(tk.tile(tk.tensor([1, 2]), 2).numpy(), [1, 2, 1, 2])


def test_tile_repeat_errors():
    x = tk.zeros((2, 3), dims=("batch", "f"))
    with pytest.raises(tk.ShapeError, match=r"tile got shape \(batch=2, f=3\): reps=\(2, -1\) "
                                             r"has a negative count(.|\n)*Fix: give each axis "
                                             "a count of 0 or more"):
        tk.tile(x, (2, -1))
    with pytest.raises(tk.ShapeError, match=r"reps \(2, 1\.5\) contains 1\.5, which is not an "
                                             "integer"):
        tk.tile(x, (2, 1.5))
    with pytest.raises(tk.ShapeError, match=r"repeat got shape \(batch=2, f=3\): repeats has 2 "
                                             r"counts but axis 1 has 3 elements(.|\n)*Fix: give "
                                             "3 counts, one per element, or a single int"):
        tk.repeat(x, [1, 2], axis=1)
    with pytest.raises(tk.ShapeError, match=r"repeats has 2 counts but the tensor has 6 "
                                             r"elements \(axis=None repeats the flattened "
                                             r"tensor\)(.|\n)*axis=-1"):
        tk.repeat(x, [1, 2])
    with pytest.raises(tk.ShapeError, match=r"repeats=\(1, -1, 2\) has a negative count"):
        tk.repeat(x, [1, -1, 2], axis=1)
    with pytest.raises(tk.ShapeError, match="repeats=-2 has a negative count"):
        tk.repeat(x, -2)
    with pytest.raises(tk.ShapeError, match=r"repeat got shape(.|\n)*axis 2 is out of range for "
                                             "a tensor of rank 2"):
        tk.repeat(x, 2, axis=2)


# ---- flip / roll --------------------------------------------------------------------------
@st.composite
def axes_or_none(draw, n, unique=True):
    """None, an int axis, or a tuple of axes, negatives included (repeated: unique=False)."""
    if not n:                        # NumPy's roll fails on axis=() (flip takes it)
        return draw(st.sampled_from([None, ()] if unique else [None]))
    axes = st.lists(st.integers(-n, n - 1), min_size=1, max_size=n,
                    unique_by=(lambda a: a % n) if unique else None).map(tuple)
    return draw(st.one_of(st.none(), st.integers(-n, n - 1), axes))


@fast
@given(shapes, st.data())
def test_flip_matches_numpy(shape, data):
    x = values(shape)
    axis = data.draw(axes_or_none(len(shape)))
    y = run(lambda t: tk.flip(t, axis), x)
    np.testing.assert_array_equal(y.numpy(), np.flip(x, axis))
    if shape:
        assert compatible(batched(lambda t: tk.flip(t, axis), shape), y.shape)
    if x.size <= 27:
        assert gradcheck(lambda t: tk.flip(t, axis), x.astype(np.float64))


@fast
@given(shapes, st.data())
def test_roll_matches_numpy(shape, data):
    x = values(shape)
    axis = data.draw(axes_or_none(len(shape), unique=False))
    pairs = len(axis) if isinstance(axis, tuple) else data.draw(st.integers(1, 3))
    shift = data.draw(st.one_of(st.integers(-7, 7), st.lists(
        st.integers(-7, 7), min_size=pairs, max_size=pairs).map(tuple)))
    y = run(lambda t: tk.roll(t, shift, axis), x)
    np.testing.assert_array_equal(y.numpy(), np.roll(x, shift, axis))
    if shape:
        assert compatible(batched(lambda t: tk.roll(t, shift, axis), shape), y.shape)
    if x.size <= 27:
        assert gradcheck(lambda t: tk.roll(t, shift, axis), x.astype(np.float64))


def test_flip_roll_dims_symbolic_and_errors():
    x = tk.zeros((2, 3, 4), dims=("batch", "t", "c"))
    assert tk.flip(x, 1).dims == ("batch", "t", "c")
    assert tk.roll(x, 1, axis=1).dims == ("batch", "t", "c")
    assert tk.flip(tk.symbolic((None, 3)), -1).shape == (None, 3)
    assert tk.roll(tk.symbolic((None, 3)), 2).shape == (None, 3)
    np.testing.assert_array_equal(tk.roll(tk.tensor([1, 2, 3]), 1).numpy(), [3, 1, 2])
    with pytest.raises(tk.ShapeError, match=r"flip got shape \(batch=2, t=3, c=4\): axis 3 is "
                                             r"out of range for a tensor of rank 3(.|\n)*-3\.\.2"):
        tk.flip(x, 3)
    with pytest.raises(tk.ShapeError, match=r"axis=\(0, -3\) names an axis twice"):
        tk.flip(x, (0, -3))
    with pytest.raises(tk.ShapeError, match=r"roll got shape \(batch=2, t=3, c=4\): shift="
                                             r"\(1, 2\) and axis=\(0, 1, 2\) do not pair up: 2 "
                                             r"shifts for 3 axes(.|\n)*shift=\(1, 1, 1\)"):
        tk.roll(x, (1, 2), axis=(0, 1, 2))
    with pytest.raises(tk.ShapeError, match="axis -4 is out of range for a tensor of rank 3"):
        tk.roll(x, 1, axis=-4)


# ---- tril / triu --------------------------------------------------------------------------
@fast
@given(hnp.array_shapes(min_dims=2, max_dims=4, min_side=1, max_side=5), st.integers(-6, 6),
       st.sampled_from(["tril", "triu"]))
def test_tril_triu_match_numpy(shape, k, name):
    x = values(shape)
    y = run(lambda t: getattr(tk, name)(t, k), x)
    np.testing.assert_array_equal(y.numpy(), getattr(np, name)(x, k))
    assert y.dtype == np.float32
    assert compatible(batched(lambda t: getattr(tk, name)(t, k), shape), y.shape)
    if x.size <= 36:
        assert gradcheck(lambda t: getattr(tk, name)(t, k), x.astype(np.float64))


def test_tril_triu_masks_dtypes_dims_and_errors():
    causal = np.triu(np.full((3, 3), -np.inf, np.float32), 1)   # a mask added to scores
    np.testing.assert_array_equal(tk.triu(tk.full((3, 3), -np.inf), 1).numpy(), causal)
    mask = tk.tril(tk.ones((4, 4), dtype="bool"))
    assert mask.dtype == np.bool_
    np.testing.assert_array_equal(mask.numpy(), np.tril(np.ones((4, 4), bool)))
    x = tk.zeros((2, 3, 3), dims=("batch", "q", "k"))
    assert tk.tril(x).dims == ("batch", "q", "k")
    assert tk.triu(tk.symbolic((None, 4, 4)), 1).shape == (None, 4, 4)
    for name in ["tril", "triu"]:
        with pytest.raises(tk.ShapeError, match=rf"{name} got shape \(3,\): {name} needs a "
                                                 r"matrix(.|\n)*rank 1(.|\n)*Fix: make it a "
                                                 r"matrix first, e.g. x\[None\]"):
            getattr(tk, name)(tk.zeros(3))
    with pytest.raises(tk.ShapeError, match="this tensor has rank 0"):
        tk.tril(tk.zeros(()))
    with pytest.raises(tk.ShapeError, match=r"k=0\.5 is not an integer"):
        tk.triu(x, 0.5)


# ---- pad ----------------------------------------------------------------------------------
@fast
@given(shapes, st.data(), st.sampled_from(["constant", "reflect", "symmetric", "edge"]))
def test_pad_matches_numpy(shape, data, mode):
    x = values(shape)
    width = data.draw(st.one_of(
        st.integers(0, 2),
        st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)),
                 min_size=len(shape), max_size=len(shape)).map(tuple).filter(bool)))
    extra = {"constant_values": 1.5} if mode == "constant" else {}
    y = run(lambda t: tk.pad(t, width, mode=mode, **extra), x)
    np.testing.assert_array_equal(y.numpy(), np.pad(x, width, mode=mode, **extra))
    if len(shape) <= 3 and x.size <= 9:
        assert gradcheck(lambda t: tk.pad(t, width, mode=mode), x.astype(np.float64))


def test_pad_dims_symbolic_and_errors():
    x = tk.zeros((2, 28, 28), dims=("batch", "h", "w"))
    assert tk.pad(x, ((0, 0), (2, 2), (2, 2))).dims == ("batch", "h", "w")
    assert tk.pad(tk.symbolic((None, 28, 28)), ((0, 0), (2, 2), (2, 2))).shape == \
        (None, 32, 32)
    with pytest.raises(tk.ShapeError, match=r"pad_width=\(\(1, 1\), \(1, 1\), \(1, 1\)\) does "
                                             "not give"):
        tk.pad(tk.zeros((2, 2)), ((1, 1), (1, 1), (1, 1)))
    with pytest.raises(tk.ShapeError, match="does not give"):
        tk.pad(tk.zeros((2, 2)), -1)
    with pytest.raises(tk.ShapeError, match="mode='wrapped' is not a padding mode"):
        tk.pad(tk.zeros((2, 2)), 1, mode="wrapped")
    with pytest.raises(tk.ShapeError, match="cannot pad axis 0: it has no elements"):
        tk.pad(tk.zeros((0, 2)), 1, mode="reflect")


# ---- flatten ------------------------------------------------------------------------------
@fast
@given(shapes.filter(lambda s: len(s) > 0))
def test_flatten_matches_keras(shape):
    x = values(shape)
    y = run(tk.flatten, x)
    want = x.reshape(shape[0], -1) if len(shape) > 1 else x.reshape(-1, 1)
    np.testing.assert_array_equal(y.numpy(), want)
    np.testing.assert_array_equal(run(lambda t: tk.flatten(t, 0), x).numpy(), x.reshape(-1))
    assert compatible(batched(tk.flatten, shape), y.shape)
    assert gradcheck(tk.flatten, values(shape[:3], dtype=np.float64))


def test_flatten_symbolic_dims_and_errors():
    assert tk.flatten(tk.symbolic((None, 28, 28, 1))).shape == (None, 784)
    assert tk.symbolic((None, 5)).flatten().shape == (None, 5)
    assert tk.flatten(tk.zeros(5)).shape == (5, 1)
    x = tk.zeros((2, 3, 4), dims=("batch", "t", "c"))
    assert tk.flatten(x).dims == ("batch", None)
    assert tk.flatten(x, 2).dims == ("batch", "t", "c")
    with pytest.raises(tk.ShapeError, match="a scalar has no axes to flatten"):
        tk.flatten(tk.zeros(()))
    with pytest.raises(tk.ShapeError, match="axis 5 is out of range"):
        tk.flatten(x, 5)


# ---- cast / with_dims / to_device ---------------------------------------------------------
@fast
@given(shapes, st.sampled_from(["float32", "float64", "float16", "int32", "uint8", "bool"]))
def test_cast_matches_numpy(shape, dtype):
    x = values(shape, low=-3, high=3)
    y = run(lambda t: tk.cast(t, dtype), x)
    assert y.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(y.numpy(), x.astype(dtype))
    assert tk.tensor(x).astype(dtype).dtype == np.dtype(dtype)


def test_cast_gradient_flows_only_float_to_float():
    x = values((2, 3), dtype=np.float64)
    assert gradcheck(lambda t: tk.cast(t, "float64") * 3.0, x)
    t = tk.tensor(x, dtype="float64", requires_grad=True)
    (tk.cast(t, "float32") * 2.0).sum().backward()
    assert t.grad.dtype == np.float64
    np.testing.assert_array_equal(t.grad.numpy(), np.full((2, 3), 2.0))
    t.zero_grad()
    (tk.cast(t, "int32").astype("float64") * 2.0).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), np.zeros((2, 3)))
    with pytest.raises(tk.DTypeError, match="'text' is not a tensor dtype"):
        tk.cast(t, "text")
    dims = tk.zeros((2, 3), dims=("batch", "f"))
    assert dims.astype("int32").dims == ("batch", "f")


def test_with_dims():
    x = tk.zeros((2, 3))
    y = x.with_dims("batch", "features")
    assert y.dims == ("batch", "features") and x.dims is None
    assert tk.with_dims(x, ("batch", None)).dims == ("batch", None)
    assert tk.with_dims(y, None, None).dims is None
    assert tk.with_dims(y, "b", "f").dims == ("b", "f")
    s = tk.symbolic((None, 3)).with_dims("batch", "f")
    assert s.dims == ("batch", "f") and s.shape == (None, 3)
    with tk.trace() as trace:
        tk.with_dims(x, "batch", "f")
    assert trace.nodes[-1]["dims"] == ["batch", "f"]
    assert gradcheck(lambda t: tk.with_dims(t, "a", "b") * 2.0, np.ones((2, 3)))
    with pytest.raises(tk.ShapeError, match=r"with_dims got shape \(2, 3\): 3 labels "
                                             r"\('a', 'b', 'c'\) were given for a tensor of "
                                             "rank 2"):
        tk.with_dims(x, "a", "b", "c")


def test_to_device_cpu_and_errors():
    x = tk.tensor([1.0, 2.0], requires_grad=True)
    assert x.to("cpu") is x
    assert tk.to_device(tk.symbolic((None, 3)), "gpu").shape == (None, 3)
    with pytest.raises(ValueError, match="Unknown device 'tpu'"):
        x.to("tpu")
    if not tk.gpu_available():
        with pytest.raises(tk.BackendError):
            x.to("gpu")


@pytest.mark.gpu
@pytest.mark.skipif(not tk.gpu_available(), reason="needs a CUDA GPU with CuPy")
def test_to_device_gpu_round_trip_gradient():
    x = tk.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.to("gpu")
    assert y.device == "gpu"
    z = tk.reshape(tk.concatenate([y, y]) * 2.0, (2, 3))
    (z.to("cpu") * tk.tensor([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])).sum().backward()
    assert x.grad.device == "cpu"
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 6.0, 8.0])
    p = tk.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True).to("gpu")
    np.testing.assert_array_equal(tk.pad(p, 1, mode="reflect").numpy(),
                                  np.pad(np.arange(6.0).reshape(2, 3), 1, mode="reflect"))


@pytest.mark.gpu
@pytest.mark.skipif(not tk.gpu_available(), reason="needs a CUDA GPU with CuPy")
@pytest.mark.parametrize("fn", [
    lambda t: tk.tile(t, (2, 1, 3)), lambda t: tk.repeat(t, 2, axis=1),
    lambda t: tk.repeat(t, [1, 0, 2], axis=1), lambda t: tk.flip(t, (0, -1)),
    lambda t: tk.roll(t, (1, -2), axis=(0, 2)), lambda t: tk.roll(t, 5),
    lambda t: tk.moveaxis(t, 0, -1), lambda t: tk.swapaxes(t, 0, 2),
    lambda t: tk.tril(t, 1), lambda t: tk.triu(t, -1),
    lambda t: tk.stack(tk.unstack(t, 1)[::-1], 1)])
def test_new_shape_ops_gpu_match_cpu(fn):
    x = values((2, 3, 4))
    results = []
    for device in ["cpu", "gpu"]:
        t = tk.tensor(x, requires_grad=True)
        y = fn(t.to(device))
        w = values(y.shape, seed=1)
        (y * tk.tensor(w).to(device)).sum().backward()
        results.append((y.numpy(), t.grad.numpy()))
    (y_cpu, g_cpu), (y_gpu, g_gpu) = results
    np.testing.assert_allclose(y_gpu, y_cpu)
    np.testing.assert_allclose(g_gpu, g_cpu, rtol=1e-6)
