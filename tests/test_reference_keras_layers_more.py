"""Conv1DTranspose, RMSNormalization, Masking, Identity, ActivityRegularization and the
random regularization layers against cases recorded from real Keras 3
(scripts/reference/keras_layers_more.py): same config and weights -> same output, mask,
gradients of sum(output * cotangent) for the input and the weights, compute_output_shape
and weight names; Masking before an LSTM, GRU, SimpleRNN or GlobalAveragePooling1D -> the
same model output and gradients; the same activity penalty, get_config and aliases.
"""

import numpy as np
import pytest
from reference import close, cotangent, load_cases, params, weights

import tensorkit as tk

CASES = load_cases("keras_layers_more")


def _check_mask(y, arrays):
    if "mask" in arrays:
        np.testing.assert_array_equal(y.mask.numpy(), arrays["mask"], "mask")
    else:
        assert y.mask is None


def _check(model, arrays):
    """Output, mask and gradients of the input and of every weight, against Keras's."""
    x = tk.tensor(arrays["x0"], requires_grad=True)
    y = model(x)
    close(y.numpy(), arrays["y"], "output")
    if not isinstance(model, tk.Sequential):
        _check_mask(y, arrays)
    (y * cotangent(y.shape)).sum().backward()
    close(x.grad.numpy(), arrays["gx0"], "gradient of the input")
    for i, w in enumerate(model.trainable_weights):
        close(w.grad.numpy(), arrays[f"gw{i}"], f"gradient of {w.name}", rtol=1e-4)


@pytest.mark.parametrize("spec,arrays", params(CASES, "layer"))
def test_layer_matches_keras(spec, arrays):
    tk.clear_session()
    layer = getattr(tk.layers, spec["layer"])(**spec["kwargs"])
    shape = (None,) + arrays["x0"].shape[1:]
    assert tuple(layer.compute_output_shape(shape)) == tuple(spec["output_shape"])
    assert [w.name.split("/")[-1] for w in layer.weights] == spec["weight_names"]
    layer.set_weights(weights(arrays))
    _check(layer, arrays)


@pytest.mark.parametrize("spec,arrays", params(CASES, "model"))
def test_masking_before_other_layers_matches_keras(spec, arrays):
    tk.clear_session()
    x = arrays["x0"]
    model = tk.Sequential([tk.Input(shape=x.shape[1:]),
                           tk.layers.Masking(mask_value=spec["mask_value"])] +
                          [getattr(tk.layers, s["layer"])(**s["kwargs"])
                           for s in spec["layers"]])
    assert tuple(model.compute_output_shape((None,) + x.shape[1:])) == \
        tuple(spec["output_shape"])
    model.set_weights(weights(arrays))
    _check(model, arrays)
    y = tk.tensor(x)
    for layer in model.layers:               # the mask each layer hands on (the model's
        y = layer(y)                         # own output keeps it too: see below)
    _check_mask(y, arrays)


def test_a_sequential_output_keeps_its_last_layers_mask():
    spec, arrays = CASES["mask_lstm_sequences"]
    model = tk.Sequential([tk.Input(shape=arrays["x0"].shape[1:]), tk.layers.Masking(),
                           tk.layers.LSTM(2, return_sequences=True)])
    np.testing.assert_array_equal(model(arrays["x0"]).mask.numpy(), arrays["mask"])


@pytest.mark.parametrize("spec,arrays", params(CASES, "activity"))
def test_activity_regularization_penalty_matches_keras(spec, arrays):
    model = tk.Sequential([tk.Input(shape=arrays["x0"].shape[1:]),
                           tk.layers.ActivityRegularization(**spec["kwargs"])])
    y = model(arrays["x0"])
    np.testing.assert_array_equal(y.numpy(), arrays["y"])
    assert len(model.losses) == spec["n_losses"]
    close(sum(float(v.item()) for v in model.losses), arrays["loss"], "penalty", rtol=1e-6)


def _plain(value):
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


@pytest.mark.parametrize("spec,arrays", params(CASES, "config"))
def test_config_matches_keras(spec, arrays):
    ours = tk.layers.__dict__[spec["layer"]](**spec["kwargs"]).get_config()
    for key, value in spec["config"].items():
        if isinstance(value, dict):                 # Keras's serialized initializers
            continue
        assert key in ours, key
        assert _plain(ours[key]) == value, key


def test_keras_aliases_are_the_same_classes():
    (spec, _), = [CASES["aliases"]]
    for alias, name in spec["aliases"].items():
        assert getattr(tk.layers, alias) is getattr(tk.layers, name), alias
