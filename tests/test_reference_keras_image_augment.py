"""The newer image augmentation layers against cases recorded from real Keras 3
(scripts/reference/keras_image_augment.py): given Keras's own fixed transformation, each
gives its output, input gradient (and MixUp's and CutMix's mixed labels) through
``transform_images``; it has Keras's config and compute_output_shape, and its
``get_random_transformation`` gives the keys, shapes and kinds of Keras's, so a draw of
either library can be fed to the other. AutoContrast gives Keras's output when predicting.
"""

import numpy as np
import pytest
from reference import cotangent, load_cases, params

import tensorkit as tk

CASES = load_cases("keras_image_augment")


def _close(actual, expected, what):
    # float32 values up to 255, summed in another order: a few ulps of 255
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=1e-5, atol=3e-4,
                               err_msg=what)


def _transformation(spec, arrays):
    if spec["bare"]:
        return arrays["t_"]
    t = {}
    for key, value in arrays.items():
        if key.startswith("t_"):
            outer, _, inner = key[2:].partition(".")
            if inner:                                   # RandomColorJitter's layers' dicts
                t.setdefault(outer, {})[inner] = value
            else:
                t[outer] = value
    return t


def _layer(spec):
    return getattr(tk.layers, spec["layer"])(**spec["kwargs"])


def _check_described(layer, spec, x):
    shape = x.shape if x.ndim == 3 else (None,) + x.shape[1:]
    assert tuple(layer.compute_output_shape(shape)) == tuple(spec["output_shape"])
    config = layer.get_config()
    assert config["data_format"] == "channels_last"
    for key, value in spec["config"].items():
        got = list(config[key]) if isinstance(config[key], tuple) else config[key]
        assert got == value, key
    if "draw" in spec:
        batch = x if x.ndim == 4 else x[None]
        draw = layer.get_random_transformation(tk.tensor(batch))
        draw = {"": draw} if spec["bare"] else draw
        assert sorted(draw) == sorted(spec["draw"])
        for key, (shape, kind) in spec["draw"].items():
            value = np.asarray(draw[key])
            assert list(value.shape) == shape, key
            # Keras's JAX backend has no int64: it draws permutations as int32
            assert value.dtype.kind == kind or {value.dtype.kind, kind} == {"i", "u"}, key


@pytest.mark.parametrize("spec,arrays", params(CASES, "transform"))
def test_fixed_transformation_matches_keras(spec, arrays):
    layer = _layer(spec)
    x0 = arrays["x0"]
    _check_described(layer, spec, x0)
    transformation = _transformation(spec, arrays)

    def run(x):
        return layer.transform_images(x, transformation, training=True)

    y = run(tk.tensor(x0))
    assert y.dtype == np.float32 and y.shape == arrays["y"].shape
    _close(y.numpy(), arrays["y"], "output")
    if "gx0" in arrays:
        x = tk.tensor(x0, requires_grad=True)
        out = run(x)
        (out * cotangent(out.shape)).sum().backward()
        grad, expected = x.grad.numpy(), arrays["gx0"]
        if "ties" in arrays:        # pixels on a kink: JAX's convention there isn't PyTorch's
            assert np.isfinite(grad).all()
            grad, expected = grad[:, ~arrays["ties"]], expected[:, ~arrays["ties"]]
        _close(grad, expected, "gradient of the input")
    if "labels" in arrays:
        labels = layer.transform_labels(arrays["labels"], transformation, training=True)
        _close(labels.numpy(), arrays["y_labels"], "labels")
        mixed = layer({"images": x0, "labels": arrays["labels"]})   # the dict form draws
        assert mixed["images"].shape == x0.shape
        np.testing.assert_allclose(mixed["labels"].numpy().sum(axis=1), 1, rtol=1e-5)


@pytest.mark.parametrize("spec,arrays", params(CASES, "layer"))
def test_auto_contrast_matches_keras_when_predicting(spec, arrays):
    layer = _layer(spec)
    _check_described(layer, spec, arrays["x0"])
    y = layer(tk.tensor(arrays["x0"]), training=False)
    _close(y.numpy(), arrays["y"], "output")


def test_the_cases_cover_the_edges():
    # a flat channel (Keras divides by zero and keeps it), a hue turned past both ends,
    # Keras 3.15's saturation overshooting 0-255 images
    np.testing.assert_array_equal(CASES["auto_contrast"][1]["y"][0, ..., 2], 77.0)
    assert CASES["saturation_overshoots_0_255"][1]["y"].min() < 0
    hue = CASES["hue_range01_wraps"][1]
    assert np.abs(hue["t_factor"]).max() > 0.25
