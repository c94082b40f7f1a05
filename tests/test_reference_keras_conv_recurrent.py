"""ConvLSTM1D/2D/3D and the adaptive pooling layers against cases recorded from real Keras 3
(scripts/reference/keras_conv_recurrent.py): same config, weights and initial states ->
the same output, final states, gradients of sum(output * cotangent) for the input, the
states and every weight, compute_output_shape, weight names and get_config; masks (left,
right, holes), go_backwards, zero_output_for_mask, stateful calls and unit_forget_bias;
adaptive average and max pooling over uneven, even, growing and global windows.
"""

import numpy as np
import pytest
from reference import close, load_cases, params, weights

import tensorkit as tk
from tensorkit.layers import convolutional_recurrent

CASES = load_cases("keras_conv_recurrent")


def _layer(spec):
    """The class by name: from tk.layers, or its module until tk.layers imports it."""
    name = spec["layer"]
    cls = getattr(tk.layers, name, None) or getattr(convolutional_recurrent, name)
    return cls(**spec["kwargs"])


def _cotangent(shape, i):
    n = int(np.prod(shape))
    return tk.tensor(np.sin(1.0 + 0.7 * np.arange(n) + i).astype(np.float32).reshape(shape))


def _plain(value):
    return [_plain(v) for v in value] if isinstance(value, (tuple, list)) else value


def _check_config(layer, spec):
    ours = layer.get_config()
    for key, value in spec.get("config", {}).items():
        assert key in ours, key
        assert _plain(ours[key]) == value, key


@pytest.mark.parametrize("spec,arrays", params(CASES, "layer"))
def test_conv_lstm_matches_keras(spec, arrays):
    tk.clear_session()
    layer = _layer(spec)
    x = arrays["x"]
    shape = (None,) + x.shape[1:]
    got = layer.compute_output_shape(shape)
    assert _plain(got) == spec["output_shape"]
    assert [w.name.split("/")[-1] for w in layer.weights] == spec["weight_names"]
    _check_config(layer, spec)
    layer.set_weights(weights(arrays))
    names = ["x"] + [f"s{i}" for i in range(spec["states"])]
    given = {n: tk.tensor(arrays[n], requires_grad=True) for n in names}
    kwargs = {"mask": arrays["mask"]} if spec["mask"] else {}
    if spec["states"]:
        kwargs["initial_state"] = [given["s0"], given["s1"]]
    outs = layer(given["x"], **kwargs)
    outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
    assert len(outs) == spec["n_out"]
    for i, y in enumerate(outs):
        close(y.numpy(), arrays[f"y{i}"], f"output {i}")
    sum((y * _cotangent(y.shape, i)).sum() for i, y in enumerate(outs)).backward()
    for n in names:
        close(given[n].grad.numpy(), arrays[f"g_{n}"], f"gradient of {n}", rtol=1e-4)
    for i, w in enumerate(layer.trainable_weights):
        close(w.grad.numpy(), arrays[f"gw{i}"], f"gradient of {w.name}", rtol=1e-4,
              atol=2e-5)
    if spec["mask"] and layer.return_sequences:
        np.testing.assert_array_equal(np.asarray(outs[0].mask), arrays["mask"])
    else:
        assert outs[0].mask is None


@pytest.mark.parametrize("spec,arrays", params(CASES, "stateful"))
def test_stateful_conv_lstm_carries_states_as_keras(spec, arrays):
    tk.clear_session()
    layer = _layer(spec)
    layer(arrays["x"])
    layer.set_weights(weights(arrays))
    layer.reset_states()
    close(layer(arrays["x"]).numpy(), arrays["y0"], "first call")
    close(layer(arrays["x2"]).numpy(), arrays["y1"], "second call, from the first's states")


@pytest.mark.parametrize("spec,arrays", params(CASES, "bias"))
def test_conv_lstm_bias_starts_as_keras(spec, arrays):
    layer = _layer(spec)
    layer(np.zeros(spec["shape"], np.float32))
    np.testing.assert_array_equal(layer.bias.numpy(), arrays["b"])


@pytest.mark.parametrize("spec,arrays", params(CASES, "pool"))
def test_adaptive_pooling_matches_keras(spec, arrays):
    tk.clear_session()
    layer = _layer(spec)
    x = arrays["x"]
    assert list(layer.compute_output_shape((None,) + x.shape[1:])) == spec["output_shape"]
    free = (None,) * (x.ndim - 1) + x.shape[-1:]
    assert list(layer.compute_output_shape(free)) == spec["free_shape"]
    _check_config(layer, spec)
    tx = tk.tensor(x, requires_grad=True)
    y = layer(tx)
    close(y.numpy(), arrays["y0"], "output", rtol=1e-6)
    (y * _cotangent(y.shape, 0)).sum().backward()
    close(tx.grad.numpy(), arrays["g_x"], "gradient of the input", rtol=1e-6)
