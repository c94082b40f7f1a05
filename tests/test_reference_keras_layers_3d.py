"""Conv3D, Conv3DTranspose, MaxPooling3D, AveragePooling3D, GlobalAveragePooling3D,
GlobalMaxPooling3D, UpSampling3D, ZeroPadding3D, Cropping3D, SeparableConv1D and
DepthwiseConv1D against cases recorded from real Keras 3
(scripts/reference/keras_layers_3d.py): same config and weights -> same output, gradients
of sum(output * cotangent) for the input and every weight, compute_output_shape of a None
batch, weight names and order, get_config; and Keras's other names of the classes.
"""

import pytest
from reference import close, cotangent, load_cases, params, weights

import tensorkit as tk

CASES = load_cases("keras_layers_3d")


def _plain(value):
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


@pytest.mark.parametrize("spec,arrays", params(CASES, "layer"))
def test_layer_matches_keras(spec, arrays):
    tk.clear_session()
    layer = getattr(tk.layers, spec["layer"])(**spec["kwargs"])
    shape = (None,) + arrays["x0"].shape[1:]
    assert tuple(layer.compute_output_shape(shape)) == tuple(spec["output_shape"])
    assert layer(tk.symbolic(shape)).shape == tuple(spec["output_shape"])
    assert [w.name.split("/")[-1] for w in layer.weights] == spec["weight_names"]
    layer.set_weights(weights(arrays))
    x = tk.tensor(arrays["x0"], requires_grad=True)
    y = layer(x)
    close(y.numpy(), arrays["y"], "output")
    (y * cotangent(y.shape)).sum().backward()
    close(x.grad.numpy(), arrays["gx0"], "gradient of the input")
    for i, w in enumerate(layer.trainable_weights):
        close(w.grad.numpy(), arrays[f"gw{i}"], f"gradient of {w.name}", rtol=1e-4)


@pytest.mark.parametrize("spec,arrays", params(CASES, "layer"))
def test_config_matches_keras(spec, arrays):
    config = getattr(tk.layers, spec["layer"])(**spec["kwargs"]).get_config()
    for key, value in spec["config"].items():
        assert key in config, key
        assert _plain(config[key]) == value, key
    assert getattr(tk.layers, spec["layer"]).from_config(config).get_config() == config


def test_keras_aliases_are_the_same_classes():
    (spec, _), = [CASES["aliases"]]
    for alias, name in spec["aliases"].items():
        assert getattr(tk.layers, alias) is getattr(tk.layers, name), alias
