"""Core layers: shapes three ways, gradients, Keras weight layout and configs."""

import numpy as np
import pytest

import tensorkit as tk
from tensorkit import layers
from tensorkit.testing import gradcheck

CASES = [  # layer, input shape (batch first)
    (lambda: layers.Dense(5, activation="tanh"), (2, 3)),
    (lambda: layers.Dense(4), (2, 6, 3)),
    (lambda: layers.Activation("gelu"), (2, 3)),
    (lambda: layers.Dropout(0.3), (2, 3)),
    (lambda: layers.Flatten(), (2, 4, 3, 2)),
    (lambda: layers.Reshape((3, -1)), (2, 12)),
    (lambda: layers.Reshape((2, 2, 3)), (2, 12)),
    (lambda: layers.Permute((2, 1)), (2, 4, 3)),
    (lambda: layers.RepeatVector(3), (2, 5)),
    (lambda: layers.Lambda(lambda x: x[:, ::2] * 2.0), (2, 6)),
    (lambda: layers.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.2), (2, 5)),
    (lambda: layers.LeakyReLU(), (2, 5)),
    (lambda: layers.ELU(alpha=0.5), (2, 5)),
    (lambda: layers.Softmax(axis=1), (2, 3, 4)),
    (lambda: layers.PReLU(alpha_initializer="random_normal", shared_axes=[1]), (2, 3, 4)),
    (lambda: layers.GaussianNoise(0.1), (2, 3)),
    (lambda: layers.Rescaling(1 / 255, offset=-0.5), (2, 3)),
]


@pytest.mark.parametrize("make,shape", CASES)
def test_output_shape_three_ways(make, shape):
    layer = make()
    concrete = layer(tk.random.normal(shape)).shape
    symbolic = layer(tk.symbolic((None,) + shape[1:])).shape
    assert layer.compute_output_shape((None,) + shape[1:]) == symbolic
    assert symbolic == (None,) + concrete[1:]


@pytest.mark.parametrize("make,shape", CASES)
def test_gradients_match_finite_differences(make, shape):
    layer = make()
    layer(tk.symbolic((None,) + shape[1:]))
    x = np.random.default_rng(1).normal(size=shape)
    weights = [w.astype(np.float64) for w in layer.get_weights()]
    n = len(weights)

    slots = {id(w): name for name, w in vars(layer).items() if isinstance(w, tk.Tensor)}

    def f(x, *ws):
        for var, w in zip(list(layer.weights), ws):
            object.__setattr__(layer, slots[id(var)], w)   # the layer computes with ws
        try:
            return layer(x)
        finally:
            for var in originals:
                object.__setattr__(layer, slots[id(var)], var)

    originals = list(layer.weights)

    assert gradcheck(f, x, *weights, wrt=range(n + 1))


def test_dense_matches_keras_layout_and_formula():
    d = layers.Dense(3, activation="relu")
    x = np.random.default_rng(2).normal(size=(4, 5)).astype(np.float32)
    y = d(tk.tensor(x)).numpy()
    kernel, bias = d.get_weights()
    assert kernel.shape == (5, 3) and bias.shape == (3,)
    np.testing.assert_allclose(y, np.maximum(x @ kernel + bias, 0), rtol=1e-5)


def test_dense_glorot_uniform_limits_and_zero_bias():
    d = layers.Dense(100)
    d(tk.symbolic((None, 50)))
    kernel, bias = d.get_weights()
    limit = np.sqrt(6 / (50 + 100))
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.9 * limit
    assert not bias.any()


def test_flatten_is_channels_last_order():
    x = np.arange(2 * 3 * 2 * 2, dtype=np.float32).reshape(2, 3, 2, 2)
    np.testing.assert_array_equal(layers.Flatten()(tk.tensor(x)).numpy(), x.reshape(2, -1))


def test_dropout_only_while_training():
    d = layers.Dropout(0.5)
    x = tk.ones((4, 100))
    np.testing.assert_array_equal(d(x).numpy(), x.numpy())
    dropped = d(x, training=True).numpy()
    assert (dropped == 0).any() and set(np.unique(dropped)) <= {0.0, 2.0}


def test_reshape_permute_repeat_values():
    x = np.arange(24, dtype=np.float32).reshape(2, 12)
    np.testing.assert_array_equal(layers.Reshape((3, 4))(tk.tensor(x)).numpy(),
                                  x.reshape(2, 3, 4))
    y = x.reshape(2, 3, 4)
    np.testing.assert_array_equal(layers.Permute((2, 1))(tk.tensor(y)).numpy(),
                                  y.transpose(0, 2, 1))
    np.testing.assert_array_equal(layers.RepeatVector(2)(tk.tensor(x[:, :3])).numpy(),
                                  np.repeat(x[:, None, :3], 2, axis=1))


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "softmax", "linear", "elu", "gelu",
                                  "leaky_relu", "softplus", "swish", "silu", "hard_sigmoid",
                                  "relu6", "selu", "softsign", "hard_silu", "hard_swish",
                                  "exponential", "mish", "log_softmax"])
def test_activations_by_name(name):
    out = layers.Activation(name)(tk.tensor([[-2.0, 0.5, 3.0]])).numpy()
    assert out.shape == (1, 3) and np.isfinite(out).all()
    aliases = {"swish": "silu", "hard_swish": "hard_silu"}
    assert layers.Activation(name).get_config()["activation"] == aliases.get(name, name)


@pytest.mark.parametrize("make", [c[0] for c in CASES if "Lambda" not in repr(c[0]())])
def test_config_round_trip(make):
    layer = make()
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"at most one -1. Received: target_shape=\(-1, -1\)"):
        layers.Reshape((-1, -1))
    with pytest.raises(ValueError, match=r"permutation of 1..n.*Received: dims=\(0, 1\)"):
        layers.Permute((0, 1))
    with pytest.raises(ValueError, match="Received: n=0"):
        layers.RepeatVector(0)
    with pytest.raises(TypeError, match="Lambda expects a function"):
        layers.Lambda(3)
    with pytest.raises(tk.ShapeError, match="RepeatVector expects \\(batch, features\\)"):
        layers.RepeatVector(2)(tk.ones((2, 3, 4)))


def test_dense_gives_the_same_numbers_with_recording_off():
    """Unrecorded (as in fit) Dense runs matmul and bias as one fused op: same bits."""
    d = layers.Dense(7, activation="relu")
    x = tk.tensor(np.random.default_rng(3).normal(size=(5, 4)).astype(np.float32))
    results = []
    for recording in (True, False):
        with tk.recording(recording):
            y = d(x)
            loss = (y * y).sum()
            grads = tk.gradients(loss, d.trainable_weights)
        results.append([y.numpy()] + [g.numpy() for g in grads])
    for a, b in zip(*results):
        assert np.array_equal(a, b)
    with tk.recording(True), tk.trace() as tr:
        d(x)
    ops = [n["op"] for n in tr.nodes if n["op"] not in ("constant", "input")]
    assert ops == ["matmul", "add", "relu"]                  # learners see both ops
