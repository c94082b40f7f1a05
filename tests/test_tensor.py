"""Making tensors: data in, dtypes, dims, constructors, random seeds, reprs, clear refusals."""

import numpy as np
import pytest

import tensorkit as tk


def test_from_scalars_lists_and_arrays():
    assert tk.tensor(3.0).shape == () and tk.tensor(3.0).dtype == np.float32
    t = tk.tensor([[1, 2, 3], [4, 5, 6]])
    assert t.shape == (2, 3) and t.ndim == 2 and t.dtype == np.int32
    assert tk.tensor(np.zeros((2, 2))).dtype == np.float32          # float64 -> float32
    assert tk.tensor(np.zeros(2), dtype="float64").dtype == np.float64
    assert tk.tensor([True, False]).dtype == np.bool_
    assert tk.tensor([2**40]).dtype == np.int64                     # would not fit int32
    assert tk.tensor([tk.tensor([1.0, 2.0]), tk.tensor([3.0, 4.0])]).shape == (2, 2)
    a = np.arange(3.0, dtype=np.float32)
    t = tk.tensor(a)
    a[0] = 99
    assert t.numpy()[0] == 0                                       # data was copied


def test_attributes():
    t = tk.tensor([[1.0, 2.0]], dims=("batch", "features"), name="x")
    assert t.dims == ("batch", "features") and t.name == "x"
    assert t.device == "cpu" and t.grad is None and not t.requires_grad
    assert t.numpy().tolist() == [[1.0, 2.0]] and t.tolist() == [[1.0, 2.0]]
    assert tk.tensor([5]).item() == 5 and float(tk.tensor(2.5)) == 2.5
    assert len(tk.ones((4, 2))) == 4
    assert [r.shape for r in tk.ones((3, 2))] == [(2,)] * 3


@pytest.mark.parametrize("data,where", [
    ([[1, 2, 3], [4, 5]], r"data\[1\] has length 2 but data\[0\] has length 3"),
    ([[1, 2], [3, [4, 5]]], r"data\[1\]\[1\] has length 2 but data\[0\]\[0\] has a single"),
    ([[[1], [2]], [[3], [4], [5]]], r"data\[1\] has length 3 but data\[0\] has length 2"),
])
def test_ragged_lists_name_the_first_ragged_position(data, where):
    with pytest.raises(tk.ShapeError, match=where) as e:
        tk.tensor(data)
    assert "pad_sequences" in str(e.value)
    assert str(e.value).startswith("tensor: ragged nested list:")    # no empty "got shapes"


def test_bad_data_and_dtypes_are_refused_clearly():
    with pytest.raises(tk.DTypeError, match="tensors hold numbers, not text"):
        tk.tensor("hello")
    with pytest.raises(tk.DTypeError, match="tensors hold numbers, not text"):
        tk.tensor(["a", "b"])
    with pytest.raises(tk.DTypeError, match="dtype='floaty' is not a tensor dtype"):
        tk.tensor([1.0], dtype="floaty")
    with pytest.raises(tk.DTypeError, match="complex numbers are not supported"):
        tk.tensor([1j])
    with pytest.raises(tk.DTypeError, match="only floating-point tensors can require gradients"):
        tk.tensor([1, 2], requires_grad=True)
    with pytest.raises(tk.ShapeError, match="2 dim labels"):
        tk.tensor([1.0, 2.0], dims=("batch", "features"))


def test_scalar_only_conversions_explain_themselves():
    with pytest.raises(ValueError, match=r"exactly one element.*shape \(2,\)"):
        tk.tensor([1.0, 2.0]).item()
    with pytest.raises(ValueError, match="ambiguous"):
        bool(tk.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="scalar tensor"):
        len(tk.tensor(1.0))


def test_constructors():
    assert tk.zeros((2, 3)).numpy().sum() == 0 and tk.zeros((2, 3)).dtype == np.float32
    assert tk.ones(4).shape == (4,)
    assert tk.full((2,), 7, dtype="int32").numpy().tolist() == [7, 7]
    x = tk.tensor([[1.0, 2.0]], dims=("batch", None))
    assert tk.zeros_like(x).shape == (1, 2) and tk.zeros_like(x).dims == ("batch", None)
    assert tk.ones_like(x).numpy().tolist() == [[1, 1]]
    assert tk.arange(5).numpy().tolist() == [0, 1, 2, 3, 4] and tk.arange(5).dtype == np.int32
    assert tk.arange(0, 1, 0.25).dtype == np.float32
    np.testing.assert_allclose(tk.linspace(0, 1, 5).numpy(), [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_array_equal(tk.eye(3).numpy(), np.eye(3))
    with pytest.raises(ValueError, match="None is for tk.symbolic"):
        tk.zeros((None, 3))


def test_seeded_random_repeats_bit_for_bit():
    tk.random.seed(42)
    a = [tk.random.normal((3, 4)), tk.random.uniform((5,), -1, 1), tk.random.randint((4,), 0, 9)]
    tk.random.seed(42)
    b = [tk.random.normal((3, 4)), tk.random.uniform((5,), -1, 1), tk.random.randint((4,), 0, 9)]
    for x, y in zip(a, b):
        assert x.dtype == y.dtype and x.numpy().tobytes() == y.numpy().tobytes()
    assert a[0].dtype == np.float32 and a[2].dtype == np.int32
    u = a[1].numpy()
    assert (u >= -1).all() and (u < 1).all()
    assert tk.random.normal((2,), mean=10.0, stddev=0.001).numpy().min() > 9.9


def test_symbolic_tensors_have_shapes_but_no_data():
    x = tk.symbolic((None, 28, 28, 1), dims=("batch", "height", "width", "channels"))
    assert x.shape == (None, 28, 28, 1) and x.is_symbolic and x.device == "symbolic"
    assert tk.symbolic(5).shape == (5,)
    with pytest.raises(tk.SymbolicTensorError, match=r"\.numpy\(\) needs data.*symbolic tensor"):
        x.numpy()
    with pytest.raises(tk.SymbolicTensorError):
        x.item()
    with pytest.raises(tk.SymbolicTensorError, match="unknown"):
        len(x)
    with pytest.raises(tk.ShapeError, match="use None for the batch axis"):
        tk.symbolic((-1, 3))


def test_repr_shows_shape_dims_dtype_device_and_op():
    x = tk.tensor([[1.0, 2.0]], dims=("batch", "features"))
    r = repr(x * 2)
    assert r.startswith("Tensor(shape=(batch=1, features=2), dtype=float32, device=cpu, op=mul)")
    assert "[[2. 4.]]" in r
    s = repr(tk.symbolic((None, 3), name="images"))
    assert s == "Tensor(shape=(None, 3), dtype=float32, device=symbolic, name='images')"
    big = repr(tk.zeros((1000, 1000)))
    assert "..." in big and len(big) < 2000


def test_a_single_integer_tensor_indexes_python_lists():
    names = ["cat", "dog", "bird"]
    labels = tk.tensor([2, 0])
    assert names[labels[0]] == "bird" and names[labels[1]] == "cat"
    with pytest.raises(TypeError, match=r"only a single integer .* not one of shape \(2,\)"):
        names[labels]
    with pytest.raises(TypeError, match=r"dtype float32. Fix: pick one element"):
        names[tk.tensor(1.0)]
