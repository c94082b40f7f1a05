"""Record Keras 3's image preprocessing layers, for
tests/test_reference_keras_image_preprocessing.py.

Run with a Python that has Keras 3 and JAX (not the project venv):

    make references

It writes tests/data/reference/keras_image_preprocessing.npz. Every case builds a Keras
layer from `kwargs` and stores the input `x0`, the output `y`, the gradient `gx0` of
sum(y * cotangent) for the input (jax.grad), and compute_output_shape of a None batch.
"layer" cases (Resizing, CenterCrop) call the layer. "transform" cases, for the random
layers, call ``layer.transform_images(x0, transformation, training=True)`` with a fixed
transformation (Keras's own dict, its arrays stored as ``t_<key>``), since random draws
can't be matched; RandomRotation cases also store Keras's affine matrix for `t_angle`.
"""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests"))
from reference import save_cases  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "reference",
                   "keras_image_preprocessing.npz")
rng = np.random.default_rng(0)


def cotangent(shape):
    """The fixed cotangent of a case's output (a formula, so the file needn't hold it)."""
    return np.sin(np.arange(np.prod(shape)) * 1.7 + 0.3).reshape(shape).astype(np.float32)


def image(shape, dtype="float32"):
    if dtype == "uint8":
        return rng.integers(0, 256, size=shape).astype(np.uint8)
    return (rng.uniform(size=shape) * 255).astype(np.float32)


# (case name, Keras layer class, kwargs, input shape, input dtype)
LAYERS = [
    ("resize_bilinear_up", "Resizing", {"height": 9, "width": 11}, (2, 4, 5, 3), "float32"),
    ("resize_bilinear_down", "Resizing", {"height": 3, "width": 4}, (2, 7, 9, 2), "float32"),
    ("resize_bilinear_mixed", "Resizing", {"height": 3, "width": 10}, (2, 6, 4, 1), "float32"),
    ("resize_bilinear_same_height", "Resizing", {"height": 5, "width": 3}, (1, 5, 7, 2),
     "float32"),
    ("resize_nearest_up", "Resizing", {"height": 7, "width": 9, "interpolation": "nearest"},
     (2, 3, 4, 2), "float32"),
    ("resize_nearest_down", "Resizing", {"height": 3, "width": 2, "interpolation": "nearest"},
     (2, 8, 7, 2), "float32"),
    ("resize_bicubic", "Resizing", {"height": 7, "width": 4, "interpolation": "bicubic"},
     (2, 5, 9, 2), "float32"),
    ("resize_lanczos3", "Resizing", {"height": 8, "width": 3, "interpolation": "lanczos3"},
     (1, 5, 8, 2), "float32"),
    ("resize_lanczos5", "Resizing", {"height": 4, "width": 12, "interpolation": "lanczos5"},
     (1, 9, 6, 2), "float32"),
    ("resize_antialias_down", "Resizing", {"height": 3, "width": 4, "antialias": True},
     (2, 8, 9, 2), "float32"),
    ("resize_crop_to_aspect", "Resizing", {"height": 4, "width": 4,
                                           "crop_to_aspect_ratio": True}, (2, 6, 9, 2),
     "float32"),
    ("resize_crop_to_aspect_tall", "Resizing", {"height": 3, "width": 6,
                                                "crop_to_aspect_ratio": True}, (1, 8, 7, 1),
     "float32"),
    ("resize_pad_to_aspect", "Resizing", {"height": 4, "width": 4, "pad_to_aspect_ratio": True,
                                          "fill_value": 7.0}, (2, 5, 9, 2), "float32"),
    ("resize_pad_to_aspect_wide", "Resizing", {"height": 3, "width": 6,
                                               "pad_to_aspect_ratio": True}, (1, 6, 5, 1),
     "float32"),
    ("resize_single_image", "Resizing", {"height": 5, "width": 3}, (4, 6, 3), "float32"),
    ("resize_uint8", "Resizing", {"height": 5, "width": 7}, (2, 3, 4, 3), "uint8"),
    ("center_crop", "CenterCrop", {"height": 3, "width": 4}, (2, 6, 7, 2), "float32"),
    ("center_crop_odd", "CenterCrop", {"height": 2, "width": 5}, (2, 5, 8, 1), "float32"),
    ("center_crop_smaller", "CenterCrop", {"height": 8, "width": 6}, (2, 5, 4, 2), "float32"),
    ("center_crop_one_side_smaller", "CenterCrop", {"height": 3, "width": 9}, (1, 6, 5, 2),
     "float32"),
    ("center_crop_single_image", "CenterCrop", {"height": 2, "width": 3}, (5, 6, 3),
     "float32"),
]

ANGLES = np.array([90.0, -37.0], np.float32)
# (case name, Keras layer class, kwargs, input shape, transformation (numpy arrays))
TRANSFORMS = [
    ("flip_horizontal", "RandomFlip", {"mode": "horizontal"}, (2, 4, 5, 2),
     {"flips": np.array([True, False]).reshape(2, 1, 1, 1)}),
    ("flip_vertical", "RandomFlip", {"mode": "vertical"}, (2, 4, 5, 2),
     {"flips": np.array([False, True]).reshape(2, 1, 1, 1)}),
    ("flip_both", "RandomFlip", {}, (2, 4, 5, 2),
     {"flips": np.array([True, False]).reshape(2, 1, 1, 1)}),
    ("contrast", "RandomContrast", {"factor": 0.5}, (2, 4, 5, 3),
     {"contrast_factor": np.array([1.4, 0.6], np.float32).reshape(2, 1, 1, 1)}),
    ("contrast_range01", "RandomContrast", {"factor": (0.2, 0.9), "value_range": (0, 1)},
     (2, 3, 4, 2), {"contrast_factor": np.array([1.9, 0.3], np.float32).reshape(2, 1, 1, 1)}),
    ("brightness", "RandomBrightness", {"factor": 0.3}, (2, 4, 5, 3),
     {"rgb_delta": np.array([40.0, -90.0], np.float32).reshape(2, 1, 1, 1)}),
    ("brightness_range01", "RandomBrightness", {"factor": (-0.5, 0.5), "value_range": (1, 0)},
     (2, 3, 4, 2), {"rgb_delta": np.array([0.3, -0.2], np.float32).reshape(2, 1, 1, 1)}),
    ("crop", "RandomCrop", {"height": 3, "width": 4}, (2, 6, 7, 2), (2, 1)),
    ("zoom_in", "RandomZoom", {"height_factor": 0.3}, (2, 6, 7, 2),
     {"height_zoom": np.array([[0.7], [0.85]], np.float32),
      "width_zoom": np.array([[0.7], [0.85]], np.float32)}),
    ("zoom_out_constant", "RandomZoom", {"height_factor": 0.4, "width_factor": 0.2,
                                         "fill_mode": "constant", "fill_value": 3.0},
     (2, 6, 7, 2), {"height_zoom": np.array([[1.3], [1.15]], np.float32),
                    "width_zoom": np.array([[1.2], [0.9]], np.float32)}),
    ("zoom_out_nearest_interp", "RandomZoom", {"height_factor": 0.4, "fill_mode": "wrap",
                                               "interpolation": "nearest"},
     (2, 6, 7, 1), {"height_zoom": np.array([[1.37], [1.23]], np.float32),
                    "width_zoom": np.array([[1.37], [1.23]], np.float32)}),
]
for mode in ("reflect", "wrap", "constant", "nearest"):
    TRANSFORMS.append((f"translate_{mode}", "RandomTranslation",
                       {"height_factor": 0.3, "width_factor": 0.3, "fill_mode": mode},
                       (2, 5, 6, 2),
                       {"translations": np.array([[1.6, -1.3], [-2.2, 0.7]], np.float32)}))
    TRANSFORMS.append((f"rotate_{mode}", "RandomRotation", {"factor": 0.3, "fill_mode": mode},
                       (2, 5, 6, 2), {"angle": ANGLES}))
TRANSFORMS += [
    ("rotate_square_90", "RandomRotation", {"factor": 0.5}, (2, 5, 5, 2), {"angle": ANGLES}),
    ("rotate_nearest_interp", "RandomRotation", {"factor": 0.3, "interpolation": "nearest",
                                                 "fill_mode": "constant", "fill_value": -1.0},
     (2, 5, 6, 1), {"angle": np.array([23.0, -61.0], np.float32)}),
    ("translate_nearest_interp", "RandomTranslation", {"height_factor": 0.3,
                                                       "width_factor": 0.3,
                                                       "interpolation": "nearest",
                                                       "fill_mode": "reflect"}, (2, 5, 6, 1),
     {"translations": np.array([[1.3, -2.2], [-3.7, 1.8]], np.float32)}),
]


def grad_of(fn, x, ct):
    return np.asarray(jax.grad(lambda x: jnp.sum(fn(x) * ct))(jnp.asarray(x)))


def layer_case(cls, kwargs, shape, dtype):
    x = image(shape, dtype)
    layer = getattr(keras.layers, cls)(**kwargs)
    y = np.asarray(layer(x))
    arrays = {"x0": x, "y": y}
    if dtype == "float32":
        arrays["gx0"] = grad_of(layer, x, cotangent(y.shape))
    batch = (None,) if len(shape) == 4 else ()
    spec = {"kind": "layer", "layer": cls, "kwargs": kwargs,
            "output_shape": list(layer.compute_output_shape(batch + tuple(shape[-3:]))),
            "dtype": str(y.dtype)}
    return spec, arrays


def transform_case(cls, kwargs, shape, transformation):
    x = image(shape)
    layer = getattr(keras.layers, cls)(**kwargs)
    arrays = {"x0": x}
    if cls == "RandomRotation":
        n = shape[0]
        matrix = layer._compute_affine_matrix(
            center_x=0.5, center_y=0.5, angle=jnp.asarray(transformation["angle"]),
            translate_x=jnp.zeros([n]), translate_y=jnp.zeros([n]), scale=jnp.ones([n]),
            shear_x=jnp.zeros([n]), shear_y=jnp.zeros([n]), height=shape[1], width=shape[2])
        transformation = {**transformation, "rotation_matrix": np.asarray(matrix)}
    if isinstance(transformation, dict):
        arrays.update({f"t_{k}": np.asarray(v) for k, v in transformation.items()})
        keras_t = {k: jnp.asarray(v) for k, v in transformation.items()}
        keras_t["input_shape"] = shape
    else:
        arrays["t_crop"] = np.asarray(transformation)
        keras_t = transformation

    def run(x):
        return layer.transform_images(x, keras_t, training=True)

    y = np.asarray(run(jnp.asarray(x)))
    arrays.update({"y": y, "gx0": grad_of(run, x, cotangent(y.shape))})
    spec = {"kind": "transform", "layer": cls, "kwargs": kwargs,
            "output_shape": list(layer.compute_output_shape((None,) + tuple(shape[1:]))),
            "config": {k: v for k, v in layer.get_config().items()
                       if k not in ("name", "dtype", "trainable", "seed")}}
    return spec, arrays


def main():
    keras.utils.set_random_seed(0)
    cases = {}
    for name, cls, kwargs, shape, dtype in LAYERS:
        cases[name] = layer_case(cls, kwargs, shape, dtype)
    for name, cls, kwargs, shape, transformation in TRANSFORMS:
        cases[name] = transform_case(cls, kwargs, shape, transformation)
    save_cases(OUT, cases)
    print(f"{len(cases)} cases -> {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
