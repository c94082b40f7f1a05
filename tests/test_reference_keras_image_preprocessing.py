"""Image preprocessing layers against cases recorded from real Keras 3
(scripts/reference/keras_image_preprocessing.py): Resizing and CenterCrop give Keras's output,
dtype, input gradient and compute_output_shape; the random layers, given Keras's own fixed
transformation, give its exact output and input gradient through ``transform_images``, and
have its config.
"""

import numpy as np
import pytest
from reference import cotangent, load_cases, params

import tensorkit as tk
from tensorkit.layers.image_preprocessing import affine_matrix

CASES = load_cases("keras_image_preprocessing")


def _close(actual, expected, what):
    # float32 values up to 255, summed in another order: a few ulps of 255
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=1e-5, atol=2e-4,
                               err_msg=what)


def _check_gradient(run, arrays):
    x = tk.tensor(arrays["x0"], requires_grad=True)
    y = run(x)
    (y * cotangent(y.shape)).sum().backward()
    _close(x.grad.numpy(), arrays["gx0"], "gradient of the input")


@pytest.mark.parametrize("spec,arrays", params(CASES, "layer"))
def test_layer_matches_keras(spec, arrays):
    layer = getattr(tk.layers, spec["layer"])(**spec["kwargs"])
    batch = (None,) if arrays["x0"].ndim == 4 else ()
    shape = batch + arrays["x0"].shape[-3:]
    assert tuple(layer.compute_output_shape(shape)) == tuple(spec["output_shape"])
    y = layer(tk.tensor(arrays["x0"]))
    assert y.dtype == np.dtype(spec["dtype"])
    if y.dtype.kind in "iu":
        # rounding a value within float32 noise of .5 may land either side
        assert np.abs(y.numpy().astype(int) - arrays["y"].astype(int)).max() <= 1
        assert np.mean(y.numpy() == arrays["y"]) > 0.97
    else:
        _close(y.numpy(), arrays["y"], "output")
    if "gx0" in arrays:
        _check_gradient(layer, arrays)


def _transformation(spec, arrays):
    if "t_crop" in arrays:
        return tuple(int(v) for v in arrays["t_crop"])
    return {k[2:]: v for k, v in arrays.items() if k.startswith("t_")}


@pytest.mark.parametrize("spec,arrays", params(CASES, "transform"))
def test_fixed_transformation_matches_keras(spec, arrays):
    layer = getattr(tk.layers, spec["layer"])(**spec["kwargs"])
    shape = (None,) + arrays["x0"].shape[1:]
    assert tuple(layer.compute_output_shape(shape)) == tuple(spec["output_shape"])
    config = layer.get_config()
    for key, value in spec["config"].items():
        got = list(config[key]) if isinstance(config[key], tuple) else config[key]
        assert got == value, key
    transformation = _transformation(spec, arrays)
    if "angle" in transformation:                   # our matrix from the angle is Keras's
        n, h, w = arrays["x0"].shape[:3]
        np.testing.assert_allclose(affine_matrix(transformation["angle"], h, w),
                                   transformation["rotation_matrix"], rtol=1e-6, atol=1e-6)

    def run(x):
        return layer.transform_images(x, transformation, training=True)

    _close(run(tk.tensor(arrays["x0"])).numpy(), arrays["y"], "output")
    _check_gradient(run, arrays)


def test_rotation_by_90_degrees_is_rot90():
    spec, arrays = CASES["rotate_square_90"]
    x = arrays["x0"][:1]
    # counter-clockwise on the screen (row 0 at the top), as np.rot90
    np.testing.assert_allclose(arrays["y"][:1], np.rot90(x, k=1, axes=(1, 2)), atol=1e-3)
