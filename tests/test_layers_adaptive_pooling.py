"""Adaptive pooling (1-D, 2-D and volumes), ops and layers: outputs equal a NumPy loop over
PyTorch's windows on hypothesis-drawn sizes, float64 gradients, the first maximum takes the
gradient at ties (values recorded from PyTorch), shapes before data (unknown sizes too),
configs, saving, the summary and the graph, and error text. Keras's own values:
tests/test_reference_keras_conv_recurrent.py."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tensorkit as tk
from tensorkit import layers
from tensorkit.errors import ShapeError
from tensorkit.ops.conv import adaptive_bins
from tensorkit.testing import gradcheck

KINDS = {("avg", 1): layers.AdaptiveAveragePooling1D, ("avg", 2): layers.AdaptiveAveragePooling2D,
         ("avg", 3): layers.AdaptiveAveragePooling3D, ("max", 1): layers.AdaptiveMaxPooling1D,
         ("max", 2): layers.AdaptiveMaxPooling2D, ("max", 3): layers.AdaptiveMaxPooling3D}


@pytest.fixture(autouse=True)
def _names():
    tk.clear_session()


def _op(kind, rank):
    return getattr(tk, f"adaptive_{kind}_pool{rank}d")


def ref_pool(x, out, kind):
    """PyTorch's adaptive pooling, channels last, a loop over the output cells: window i of
    an axis of n cells is [floor(i * n / o), ceil((i + 1) * n / o))."""
    sizes = x.shape[1:-1]
    y = np.empty((x.shape[0],) + tuple(out) + x.shape[-1:], x.dtype)
    for cell in itertools.product(*map(range, out)):
        window = tuple(slice((i * n) // o, -(-((i + 1) * n) // o))
                       for i, n, o in zip(cell, sizes, out))
        part = x[(slice(None),) + window]
        axes = tuple(range(1, len(sizes) + 1))
        y[(slice(None),) + cell] = part.mean(axes) if kind == "avg" else part.max(axes)
    return y


def _distinct(shape, seed=0):
    """No ties, so finite differences of a max see one winner per window."""
    n = int(np.prod(shape))
    return np.random.default_rng(seed).permutation(n).reshape(shape) * 0.1 - n * 0.05


@settings(max_examples=40, deadline=None)
@given(rank=st.integers(1, 3), kind=st.sampled_from(["avg", "max"]), data=st.data())
def test_forward_equals_numpy_windows(rank, kind, data):
    sizes = data.draw(st.tuples(*[st.integers(1, 9)] * rank))
    out = data.draw(st.tuples(*[st.integers(1, 6)] * rank))
    x = np.random.default_rng(1).normal(size=(2,) + sizes + (3,)).astype(np.float32)
    y = _op(kind, rank)(tk.tensor(x), out)
    assert y.dtype == np.float32 and y.shape == (2,) + out + (3,)
    np.testing.assert_allclose(y.numpy(), ref_pool(x, out, kind), rtol=1e-6, atol=1e-6)
    layer = KINDS[kind, rank](out)
    np.testing.assert_array_equal(layer(x).numpy(), y.numpy())


def test_bins_are_pytorchs_and_cover_every_cell():
    assert adaptive_bins(10, 3) == ([0, 3, 6], [4, 7, 10])          # overlap by one cell
    assert adaptive_bins(6, 3) == ([0, 2, 4], [2, 4, 6])            # tiles evenly
    assert adaptive_bins(3, 5) == ([0, 0, 1, 1, 2], [1, 2, 2, 3, 3])
    for n in range(1, 20):
        for o in range(1, 12):
            starts, ends = adaptive_bins(n, o)
            assert starts[0] == 0 and ends[-1] == n
            assert all(e > s for s, e in zip(starts, ends))
            assert all(s2 <= e1 for e1, s2 in zip(ends, starts[1:]))   # no cell skipped
            assert max(e - s for s, e in zip(starts, ends)) <= -(-n // o) + 1


@pytest.mark.parametrize("kind,rank,shape,out", [
    ("avg", 1, (2, 7, 2), (3,)), ("avg", 2, (1, 5, 4, 2), (3, 2)), ("avg", 2, (1, 2, 3, 1), (3, 4)),
    ("avg", 3, (1, 3, 4, 2, 2), (2, 3, 1)), ("max", 1, (2, 7, 2), (4,)),
    ("max", 2, (1, 5, 4, 2), (3, 3)), ("max", 2, (1, 2, 3, 1), (3, 4)),
    ("max", 3, (1, 3, 4, 3, 1), (2, 2, 2))])
def test_gradients_match_finite_differences(kind, rank, shape, out):
    x = _distinct(shape)
    gradcheck(lambda t: _op(kind, rank)(t, out), x)


# PyTorch 2 (adaptive_max_pool*d, channels first, moved last here): ties go to the first
# maximum of each window row by row; a cell two windows share gets both gradients.
TORCH_TIES = [
    ((1, 5, 1), [1, 5, 5, 2, 5], (2,), [0, 1, 1, 0, 0]),
    ((1, 4, 1), [3, 3, 3, 3], (3,), [1, 1, 1, 0]),
    ((1, 2, 2, 1), [0, 5, 5, 0], (1, 1), [0, 1, 0, 0]),
    ((1, 3, 3, 1), [1, 2, 2, 2, 1, 2, 0, 2, 2], (2, 2), [0, 2, 0, 1, 0, 1, 0, 0, 0]),
    ((1, 2, 2, 2, 1), [0, 0, 0, 4, 4, 0, 0, 4], (1, 1, 1), [0, 0, 0, 1, 0, 0, 0, 0]),
]


@pytest.mark.parametrize("shape,values,out,grad", TORCH_TIES)
def test_ties_send_the_gradient_to_the_first_maximum_as_pytorch(shape, values, out, grad):
    x = tk.tensor(np.array(values, np.float32).reshape(shape), requires_grad=True)
    _op("max", len(shape) - 2)(x, out).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy().ravel(), grad)


def test_max_passes_nan_and_int_means_are_float32():
    x = np.array([1, np.nan, 3, 4], np.float32).reshape(1, 4, 1)
    np.testing.assert_array_equal(tk.adaptive_max_pool1d(x, 2).numpy().ravel(), [np.nan, 4])
    ints = tk.tensor(np.arange(6, dtype=np.int32).reshape(1, 6, 1))
    y = tk.adaptive_avg_pool1d(ints, 4)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy().ravel(), [0.5, 1.5, 3.5, 4.5])
    assert tk.adaptive_avg_pool1d(tk.symbolic((None, 6, 1), dtype="int32"), 2).dtype == \
        np.float32
    assert tk.adaptive_max_pool1d(ints, 2).dtype == np.int32


@pytest.mark.parametrize("kind,rank", sorted(KINDS))
def test_shapes_before_data_any_input_size(kind, rank):
    layer = KINDS[kind, rank](4)
    concrete = layer(np.zeros((2,) + (5,) * rank + (3,), np.float32)).shape
    assert concrete == (2,) + (4,) * rank + (3,)
    assert layer.compute_output_shape((None,) + (5,) * rank + (3,)) == (None,) + concrete[1:]
    assert layer.compute_output_shape((None,) * (rank + 1) + (3,)) == (None,) + concrete[1:]
    assert layer.compute_output_shape((None,) + (9,) * rank + (3,)) == (None,) + concrete[1:]


def test_one_graph_node_and_the_model_summary(capsys):
    with tk.trace() as g:
        tk.adaptive_max_pool2d(tk.symbolic((None, 13, 11, 8)), (7, 7))
    assert [n["op"] for n in g.nodes] == ["input", "adaptive_max_pool2d"]
    model = tk.Sequential([tk.Input(shape=(None, None, 3)), layers.Conv2D(4, 3),
                           layers.AdaptiveAveragePooling2D((2, 3)), layers.Flatten(),
                           layers.Dense(2)])
    assert model.output_shape == (None, 2)
    assert model(np.zeros((2, 9, 12, 3), np.float32)).shape == (2, 2)
    assert model(np.zeros((1, 5, 6, 3), np.float32)).shape == (1, 2)    # any image size
    model.summary()
    out = capsys.readouterr().out
    assert "AdaptiveAveragePooling2D" in out and "(None, 2, 3, 4)" in out


def test_config_round_trip_and_save_load(tmp_path):
    for (_, rank), cls in KINDS.items():
        layer = cls([2] * rank)
        config = layer.get_config()
        assert config["output_size"] == (2,) * rank and config["data_format"] == "channels_last"
        assert cls.from_config(config).get_config() == config
    model = tk.Sequential([tk.Input(shape=(7, 6, 2)), layers.AdaptiveMaxPooling2D((3, 2)),
                           layers.Reshape((6, 2)), layers.AdaptiveAveragePooling1D(4),
                           layers.Reshape((4, 1, 1, 2)), layers.AdaptiveAveragePooling3D(2),
                           layers.Flatten()])
    model.save(tmp_path / "m.tkmodel")
    again = tk.models.load_model(tmp_path / "m.tkmodel")
    x = np.random.default_rng(0).normal(size=(2, 7, 6, 2)).astype(np.float32)
    np.testing.assert_array_equal(again(x).numpy(), model(x).numpy())
    assert [l.get_config() for l in again.layers] == [l.get_config() for l in model.layers]


@pytest.mark.parametrize("make, error, match", [
    (lambda: layers.AdaptiveAveragePooling2D((7, 7, 7)), TypeError,
     r"AdaptiveAveragePooling2D expects output_size to be an integer or a \(height, width\) "
     r"tuple of positive sizes. Received: output_size=\(7, 7, 7\) of type tuple. Fix: "
     r"output_size=7 or output_size=\(7, 7\)\."),
    (lambda: layers.AdaptiveMaxPooling1D([2, 2]), ValueError,      # Keras: ValueError in 1-D
     r"AdaptiveMaxPooling1D expects output_size to be an integer or a tuple of 1 integer.*"
     r"Received: output_size=\[2, 2\].*Fix: output_size=7 or output_size=\(7,\)"),
    (lambda: layers.AdaptiveMaxPooling3D("7"), TypeError,
     r"\(depth, height, width\) tuple.*Received: output_size='7' of type str"),
    (lambda: layers.AdaptiveAveragePooling2D(0), ValueError, r"Received: output_size=0"),
    (lambda: layers.AdaptiveAveragePooling2D((2, -1)), ValueError,
     r"Received: output_size=\(2, -1\)"),
    (lambda: layers.AdaptiveAveragePooling1D(2.5), TypeError, r"Received: output_size=2.5"),
    (lambda: layers.AdaptiveAveragePooling1D(True), TypeError, r"Received: output_size=True"),
    (lambda: layers.AdaptiveMaxPooling2D(2, data_format="channels_first"), ValueError,
     r"AdaptiveMaxPooling2D supports only data_format='channels_last'.*Fix: .*"
     r"tk.transpose\(x, \(0, 2, 3, 1\)\)"),
    (lambda: layers.AdaptiveMaxPooling2D(2, data_format="last"), ValueError,
     r"Received: data_format='last'"),
    (lambda: layers.AdaptiveMaxPooling2D(2, pool_size=2), TypeError,
     r"AdaptiveMaxPooling2D got unexpected argument\(s\) pool_size"),
    (lambda: layers.AdaptiveAveragePooling2D(2)(np.zeros((5, 5, 3))), ShapeError,
     r"(?s)adaptive_avg_pool2d got shape \(5, 5, 3\): the input has rank 3 but "
     r"AdaptiveAveragePooling2D needs rank 4.*Fix: one example without the batch axis: "
     r"add it: x\[None\]"),
    (lambda: layers.AdaptiveMaxPooling1D(2)(np.zeros((2, 0, 3))), ShapeError,
     r"the input length is 0: adaptive 1-D pooling has no cells to pool there"),
    (lambda: tk.adaptive_avg_pool2d(tk.zeros((1, 4, 4, 1)), (2, 0)), ValueError,
     r"adaptive_avg_pool2d got output_size=\(2, 0\), but output_size must be a positive int "
     r"or a tuple of 2 positive ints"),
    (lambda: tk.adaptive_max_pool3d(tk.zeros((1, 4, 4, 1)), 2), ShapeError,
     r"the input has rank 4 but adaptive 3-D pooling needs rank 5"),
])
def test_errors_name_the_argument_and_the_fix(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_keras_accepts_lists_and_numpy_ints():
    assert layers.AdaptiveAveragePooling2D([3, 4]).output_size == (3, 4)
    assert layers.AdaptiveMaxPooling3D(np.int64(2)).output_size == (2, 2, 2)
    assert layers.AdaptiveMaxPooling1D((5,), data_format="CHANNELS_LAST").output_size == (5,)
