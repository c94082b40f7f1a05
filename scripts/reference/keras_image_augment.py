"""Record Keras 3's newer image augmentation layers (RandomGrayscale, RandomHue,
RandomSaturation, RandomColorDegeneration, RandomColorJitter, RandomSharpness, RandomInvert,
RandomPosterization, Solarization, AutoContrast, RandomErasing, RandomGaussianBlur, MixUp,
CutMix), for tests/test_reference_keras_image_augment.py.

Run with a Python that has Keras 3 and JAX (not the project venv):

    make references

It writes tests/data/reference/keras_image_augment.npz. Random draws can't be matched, so
"transform" cases apply a fixed transformation, Keras's own dict (its arrays stored as
``t_<key>``; RandomGrayscale's is a bare array, ``t_``; RandomColorJitter's holds its
layers' dicts, ``t_<layer>.<key>``), through ``layer.transform_images(x0, t, training=True)``
(``transform_single_image`` for one image), and store the output `y`, the gradient `gx0` of
sum(y * cotangent) for the input (jax.grad, where Keras has one), and, for MixUp and
CutMix, one-hot `labels` and ``transform_labels``'s `y_labels`. RandomColorJitter draws
inside its transform_images, so its cases run its four layers in its order with the fixed
dicts. Every case also stores compute_output_shape of a None batch, get_config (without
name, dtype, trainable, seed) and, in `draw`, the keys, shapes and dtype kinds of what
``get_random_transformation`` gives for the batch, so tensorkit's draws can be fed to Keras.
"layer" cases call AutoContrast itself, with training=False: it works when predicting.
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
                   "keras_image_augment.npz")
rng = np.random.default_rng(0)
f32 = np.float32


def cotangent(shape):
    """The fixed cotangent of a case's output (a formula, so the file needn't hold it)."""
    return np.sin(np.arange(np.prod(shape)) * 1.7 + 0.3).reshape(shape).astype(f32)


def image(shape, high=255.0):
    return (rng.uniform(size=shape) * high).astype(f32)


TIES = (slice(0, 3), slice(0, 2))          # the pixels of ties() that sit on a kink


def ties(shape, high=255.0):
    """Images with the HSV conversion's edge cases in their top left 3 x 2 pixels (TIES):
    grey pixels (r = g = b), zeros, pure and two-channel-equal colours. There the
    gradient is a convention (which of equal channels is the maximum, a clip's end) and
    JAX's differs from PyTorch's, which tensorkit follows; cases with {"ties": True} store
    the mask `ties` of those pixels."""
    x = image(shape, high)
    x[..., 0, 0, :] = 0.0
    x[..., 0, 1, :] = 0.5 * high
    x[..., 1, 0, :] = [high, 0.0, 0.0]
    x[..., 1, 1, :] = [0.25 * high, 0.75 * high, 0.75 * high]
    x[..., 2, 0, :] = [0.5 * high, 0.5 * high, 0.1 * high]
    x[..., 2, 1, :] = [0.3 * high, 0.6 * high, 0.3 * high]
    return x


def levels(shape, high=255.0):
    """Values on the 8-bit steps and just off them, where posterization's rounding turns."""
    steps = rng.integers(0, 256, size=shape).astype(f32)
    x = steps + rng.choice(np.array([0.0, 0.0, 0.4999, 0.999], f32), size=shape)
    return np.minimum(x, 255).astype(f32) * f32(high / 255.0)


def bools(*values):
    return np.array(values, bool)


def per_image(*values, axes=3):
    return np.array(values, f32).reshape((-1,) + (1,) * axes)


def saturation(*f):
    f = np.array(f, f32)
    return {"factor": f / (f32(1) - f + f32(keras.config.epsilon()))}


def boxes(layer, shape, x0, x1, y0, y1):
    """Keras's own masks (and, for CutMix, its label weights) for boxes of float corners."""
    corners = tuple(jnp.asarray(np.array(v, f32)) for v in (x0, x1, y0, y1))
    return layer._generate_batch_mask(shape, corners)


def one_hot(ids, classes):
    return np.eye(classes, dtype=f32)[ids]


# (case name, Keras layer class, kwargs, input array, transformation (numpy), extra)
# the transformation may be a function of the Keras layer (masks made by Keras itself);
# extra: {"grad": False} where Keras has no gradient, {"ties": True} (see ties()),
# {"single": True} for one image, {"labels": array} for MixUp and CutMix, {"draw": False}
# where Keras 3.15's JAX backend cannot draw (jnp.full_like refuses RandomErasing's
# fill_value of three numbers)
CASES = [
    ("grayscale", "RandomGrayscale", {}, image((2, 4, 5, 3)),
     bools(True, False).reshape(2, 1, 1, 1), {}),
    ("grayscale_one_channel", "RandomGrayscale", {"factor": 1.0}, image((2, 4, 5, 1)),
     bools(True, True).reshape(2, 1, 1, 1), {}),
    ("grayscale_single_image", "RandomGrayscale", {"factor": 0.7}, image((4, 5, 3)),
     bools(True).reshape(1, 1, 1, 1), {"single": True}),
    ("hue", "RandomHue", {"factor": 0.5}, image((2, 4, 5, 3)),
     {"factor": np.array([0.2, -0.15], f32)}, {}),
    ("hue_range01_wraps", "RandomHue", {"factor": (0.6, 1.0), "value_range": (0, 1)},
     image((2, 4, 5, 3), 1.0), {"factor": np.array([0.45, -0.4], f32)}, {}),
    ("hue_ties", "RandomHue", {"factor": 0.4}, ties((2, 3, 4, 3)),
     {"factor": np.array([0.1, -0.2], f32)}, {"ties": True}),
    ("hue_single_image", "RandomHue", {"factor": 0.3, "value_range": (0, 1)},
     image((3, 4, 3), 1.0), {"factor": np.array([0.12], f32)}, {"single": True}),
    ("saturation", "RandomSaturation", {"factor": 0.5}, image((2, 4, 5, 3)),
     saturation(0.3, -0.2), {}),
    ("saturation_ties", "RandomSaturation", {"factor": (0.2, 0.6), "value_range": (0, 1)},
     ties((2, 3, 4, 3), 1.0), saturation(0.55, 0.25), {"ties": True}),
    # Keras 3.15 clips the saturation to value_range: on 0-255 images it overshoots
    ("saturation_overshoots_0_255", "RandomSaturation", {"factor": 0.9}, image((2, 3, 4, 3)),
     saturation(0.8, 0.6), {}),
    ("saturation_range01_saturates", "RandomSaturation", {"factor": 0.9, "value_range": (1, 0)},
     image((2, 3, 4, 3), 1.0), saturation(0.8, 0.6), {}),
    ("color_degeneration", "RandomColorDegeneration", {"factor": 0.5}, image((2, 4, 5, 3)),
     {"factor": per_image(0.7, -0.4)}, {}),
    ("color_degeneration_clips", "RandomColorDegeneration",
     {"factor": (-1.0, 1.0), "value_range": (0, 1)}, image((2, 4, 5, 3), 1.0),
     {"factor": per_image(-0.9, 1.0)}, {}),
    ("sharpness", "RandomSharpness", {"factor": 0.5}, image((2, 5, 6, 3)),
     {"factor": np.array([0.9, 0.1], f32)}, {}),
    ("sharpness_range01_one_channel", "RandomSharpness",
     {"factor": (0.2, 1.0), "value_range": (0, 1)}, image((2, 4, 5, 1), 1.0),
     {"factor": np.array([1.0, 0.35], f32)}, {}),
    ("invert", "RandomInvert", {}, image((2, 4, 5, 3)),
     {"apply_inversion": bools(True, False)}, {}),
    ("invert_range01", "RandomInvert", {"factor": 0.4, "value_range": (0, 1)},
     image((2, 3, 4, 2), 1.0), {"apply_inversion": bools(False, True)}, {}),
    ("posterization", "RandomPosterization", {"factor": 4}, levels((2, 4, 5, 3)),
     {"shift_factor": np.array([5, 7], np.uint8)}, {"grad": False}),
    ("posterization_range01", "RandomPosterization", {"factor": (2, 6), "value_range": (0, 1)},
     levels((2, 4, 5, 3), 1.0), {"shift_factor": np.array([4, 1], np.uint8)}, {"grad": False}),
    ("solarization", "Solarization", {"addition_factor": 0.3, "threshold_factor": 0.8},
     image((2, 4, 5, 3)), {"additions": per_image(30.0, 0.0),
                           "thresholds": per_image(128.0, 60.0)}, {}),
    ("solarization_range01", "Solarization",
     {"addition_factor": (0.1, 0.5), "threshold_factor": 0.5, "value_range": (0, 1)},
     image((2, 4, 5, 3), 1.0), {"additions": per_image(70.0, 12.5),
                                "thresholds": per_image(200.0, 100.0)}, {}),
    ("solarization_defaults_invert", "Solarization", {}, image((2, 3, 4, 3)),
     {"additions": per_image(0.0, 0.0), "thresholds": per_image(0.0, 0.0)}, {}),
    ("erasing_noise", "RandomErasing", {}, image((2, 6, 7, 3)),
     lambda layer: {"apply_erasing": bools(True, False),
                    "batch_masks": boxes(layer, (2, 6, 7, 3), [1.3, 0.0], [4.7, 3.1],
                                         [2.0, 0.5], [5.5, 6.0]),
                    "fill_value": np.clip(rng.normal(size=(2, 6, 7, 3)).astype(f32) * 255,
                                          0, 255)}, {}),
    ("erasing_fill_rgb", "RandomErasing",
     {"factor": 0.5, "scale": 0.4, "fill_value": (10, 20, 300)}, image((2, 5, 6, 3)),
     lambda layer: {"apply_erasing": bools(True, True),
                    "batch_masks": boxes(layer, (2, 5, 6, 3), [0.0, 2.5], [6.0, 5.9],
                                         [1.0, 0.2], [3.0, 4.8]),
                    "fill_value": np.broadcast_to(np.array([10, 20, 255], f32),
                                                  (2, 5, 6, 3))}, {"draw": False}),
    ("gaussian_blur", "RandomGaussianBlur", {}, image((2, 5, 6, 3)),
     {"should_apply_blur": bools(True, False), "blur_factor": np.array([0.7, 0.4], f32)}, {}),
    # kernel_size is (width, height): 3 wide, 5 high, on images that aren't square
    ("gaussian_blur_3x5", "RandomGaussianBlur",
     {"factor": 0.6, "kernel_size": (3, 5), "sigma": (0.5, 1.0), "value_range": (0, 1)},
     image((2, 7, 6, 2), 1.0),
     {"should_apply_blur": bools(True, True), "blur_factor": np.array([0.9, 0.3], f32)}, {}),
    ("mixup", "MixUp", {}, image((3, 4, 5, 3)),
     {"mix_weight": np.array([0.3, 0.9, 0.5], f32),
      "permutation_order": np.array([2, 0, 1], np.int64)},
     {"labels": one_hot([0, 3, 1], 4)}),
    ("mixup_alpha", "MixUp", {"alpha": 0.8}, image((4, 3, 4, 1)),
     {"mix_weight": np.array([0.05, 1.0, 0.5, 0.71], f32),
      "permutation_order": np.array([1, 0, 3, 2], np.int64)},
     {"labels": one_hot([0, 1, 1, 2], 3)}),
    ("cutmix", "CutMix", {}, image((3, 6, 7, 3)),
     lambda layer: dict(zip(("batch_masks", "mix_weight"),
                            boxes(layer, (3, 6, 7, 3), [1.2, 0.0, 3.5], [5.0, 2.8, 7.0],
                                  [0.4, 2.0, 1.5], [4.4, 6.0, 3.9])),
                        permutation_order=np.array([1, 2, 0], np.int32)),
     {"labels": one_hot([2, 0, 1], 3)}),
]

# RandomColorJitter: kwargs, input, its layers' transformations (in Keras's order)
JITTER = [
    ("color_jitter", {"brightness_factor": 0.2, "contrast_factor": 0.3,
                      "saturation_factor": 0.4, "hue_factor": 0.2}, image((2, 4, 5, 3)),
     {"brightness": {"rgb_delta": per_image(25.0, -40.0)},
      "contrast": {"contrast_factor": per_image(1.25, 0.8)},
      "saturation": saturation(0.3, -0.1), "hue": {"factor": np.array([0.08, -0.05], f32)}}),
    ("color_jitter_range01_contrast_hue", {"value_range": (0, 1), "contrast_factor": (0.5, 0.9),
                                           "hue_factor": 0.5}, image((2, 3, 4, 3), 1.0),
     {"contrast": {"contrast_factor": per_image(1.9, 0.5)},
      "hue": {"factor": np.array([-0.25, 0.2], f32)}}),
]

# AutoContrast, called with training=False: the last channel of the first image is flat
AUTO = [
    ("auto_contrast", {}, image((2, 4, 5, 3))),
    ("auto_contrast_range01", {"value_range": (0, 1)}, image((2, 3, 4, 3), 1.0) * 0.5 + 0.2),
    ("auto_contrast_single_image", {}, image((4, 5, 2))),
]
AUTO[0][2][0, :, :, 2] = 77.0


def grad_of(fn, x, ct):
    return np.asarray(jax.grad(lambda x: jnp.sum(fn(x) * ct))(jnp.asarray(x)))


def described(layer, x, cls, draw=True):
    """compute_output_shape, get_config, and the shapes of get_random_transformation."""
    shape = x.shape if x.ndim == 3 else (None,) + x.shape[1:]
    config = {k: v for k, v in layer.get_config().items()
              if k not in ("name", "dtype", "trainable", "seed")}
    spec = {"layer": cls, "output_shape": list(layer.compute_output_shape(shape)),
            "config": config}
    if draw and cls != "RandomColorJitter":
        batch = x if x.ndim == 4 else x[None]
        draw = layer.get_random_transformation(jnp.asarray(batch), training=True)
        if draw is not None:
            draw = draw if isinstance(draw, dict) else {"": draw}
            spec["draw"] = {k: [list(np.shape(v)), np.asarray(v).dtype.kind]
                            for k, v in draw.items()}
    return spec


def transform_case(cls, kwargs, x, transformation, extra):
    layer = getattr(keras.layers, cls)(**kwargs)
    if callable(transformation):
        transformation = transformation(layer)
    bare = not isinstance(transformation, dict)
    arrays = {"x0": x}
    if bare:
        arrays["t_"] = np.asarray(transformation)
        keras_t = jnp.asarray(transformation)
    else:
        arrays.update({f"t_{k}": np.asarray(v) for k, v in transformation.items()})
        keras_t = {k: jnp.asarray(v) for k, v in transformation.items()}
    apply = layer.transform_single_image if extra.get("single") else layer.transform_images

    def run(x):
        return apply(x, keras_t, training=True)

    y = np.asarray(run(jnp.asarray(x)))
    arrays["y"] = y
    if extra.get("grad", True):
        arrays["gx0"] = grad_of(run, x, cotangent(y.shape))
    if extra.get("ties"):
        arrays["ties"] = np.zeros(x.shape[-3:-1], bool)
        arrays["ties"][TIES] = True
    if "labels" in extra:
        arrays["labels"] = extra["labels"]
        arrays["y_labels"] = np.asarray(layer.transform_labels(
            jnp.asarray(extra["labels"]), keras_t, training=True))
    spec = {"kind": "transform", "kwargs": kwargs, "bare": bare,
            **described(layer, x, cls, extra.get("draw", True))}
    return spec, arrays


def jitter_case(kwargs, x, transformations):
    layer = keras.layers.RandomColorJitter(**kwargs)
    steps = [("brightness", layer.random_brightness), ("contrast", layer.random_contrast),
             ("saturation", layer.random_saturation), ("hue", layer.random_hue)]
    arrays = {"x0": x}

    def run(x):
        x = keras.ops.cast(x, "float32")
        for key, step in steps:
            if step is not None:
                t = {k: jnp.asarray(v) for k, v in transformations[key].items()}
                x = step.transform_images(x, t, training=True)
        return x

    for key, t in transformations.items():
        arrays.update({f"t_{key}.{k}": np.asarray(v) for k, v in t.items()})
    y = np.asarray(run(jnp.asarray(x)))
    arrays.update({"y": y, "gx0": grad_of(run, x, cotangent(y.shape))})
    spec = {"kind": "transform", "kwargs": kwargs, "bare": False,
            **described(layer, x, "RandomColorJitter")}
    return spec, arrays


def auto_case(kwargs, x):
    layer = keras.layers.AutoContrast(**kwargs)

    def run(x):
        return layer(x, training=False)

    y = np.asarray(run(jnp.asarray(x)))
    arrays = {"x0": x, "y": y}
    spec = {"kind": "layer", "kwargs": kwargs, **described(layer, x, "AutoContrast")}
    return spec, arrays


def main():
    keras.utils.set_random_seed(0)
    cases = {}
    for name, cls, kwargs, x, transformation, extra in CASES:
        cases[name] = transform_case(cls, kwargs, x, transformation, extra)
    for name, kwargs, x, transformations in JITTER:
        cases[name] = jitter_case(kwargs, x, transformations)
    for name, kwargs, x in AUTO:
        cases[name] = auto_case(kwargs, x)
    save_cases(OUT, cases)
    print(f"{len(cases)} cases -> {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
