"""Record Keras 3's DepthwiseConv2D, SeparableConv2D, grouped Conv1D/Conv2D and the
Normalization preprocessing layer, for tests/test_reference_keras_layers_extra.py.

Run with a Python that has Keras 3 and JAX (not the project venv):

    make references

It writes tests/data/reference/keras_layers_extra.npz. "layer" cases are those of
keras_layers_core.py: random weights set with set_weights, inputs `x0`, weights `w0..`,
output `y`, gradients of sum(y * ct) for the input `gx0` and the weights `gw0..` (jax.grad
through `stateless_call`), `compute_output_shape` of a None batch, and Keras's weight names.
"norm" cases build a Normalization from `kwargs`, adapt it on `adapt` (or on the batches
`adapt0..` when `batches` is set) unless mean and variance are given, and store its
get_weights `w0..`, the output `y` for `x0` and the input gradient `gx0`.
"""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras.src.layers.preprocessing import normalization as keras_normalization  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests"))
from reference import save_cases  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "reference",
                   "keras_layers_extra.npz")
rng = np.random.default_rng(0)

# Normalization.adapt asks isinstance(data, tf.data.Dataset) before it reaches lists of
# batches, which imports TensorFlow; without TensorFlow nothing is a Dataset.
keras_normalization.tf = type("tf", (), {"data": type("data", (), {"Dataset": type("D", (), {})})})


def normal(shape):
    return rng.normal(size=shape).astype(np.float32)


def cotangent(shape):
    """The fixed cotangent of a case's output (a formula, so the file needn't hold it)."""
    return np.sin(np.arange(np.prod(shape)) * 1.7 + 0.3).reshape(shape).astype(np.float32)


# (case name, Keras layer class, kwargs, input shape)
LAYERS = [
    ("dw_valid", "DepthwiseConv2D", {"kernel_size": 3}, (2, 6, 5, 3)),
    ("dw_same", "DepthwiseConv2D", {"kernel_size": 3, "padding": "same"}, (2, 6, 5, 3)),
    ("dw_same_s2_odd", "DepthwiseConv2D", {"kernel_size": 3, "strides": 2, "padding": "same"},
     (2, 7, 7, 2)),
    ("dw_same_k4_s2", "DepthwiseConv2D", {"kernel_size": 4, "strides": 2, "padding": "same"},
     (2, 7, 8, 2)),
    ("dw_dm2", "DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 2}, (2, 6, 5, 3)),
    ("dw_dm3_same_relu", "DepthwiseConv2D", {"kernel_size": (2, 3), "depth_multiplier": 3,
                                             "padding": "same", "activation": "relu"},
     (2, 5, 6, 2)),
    ("dw_dilated", "DepthwiseConv2D", {"kernel_size": 3, "dilation_rate": 2, "padding": "same"},
     (2, 7, 8, 2)),
    ("dw_dilated_valid_rect", "DepthwiseConv2D", {"kernel_size": (2, 3), "dilation_rate": (2, 1),
                                                  "depth_multiplier": 2}, (2, 7, 8, 2)),
    ("dw_s2_d2", "DepthwiseConv2D", {"kernel_size": 3, "strides": 2, "dilation_rate": 2,
                                     "padding": "same"}, (2, 9, 8, 2)),
    ("dw_rect_s21_nobias", "DepthwiseConv2D", {"kernel_size": (3, 2), "strides": (2, 1),
                                               "use_bias": False, "activation": "tanh"},
     (2, 7, 6, 4)),
    ("dw_1ch_dm4", "DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 4}, (2, 5, 5, 1)),
    ("dw_many_channels", "DepthwiseConv2D", {"kernel_size": 3, "padding": "same"},
     (1, 4, 4, 9)),

    ("sep_valid", "SeparableConv2D", {"filters": 4, "kernel_size": 3}, (2, 6, 5, 3)),
    ("sep_same_s2", "SeparableConv2D", {"filters": 5, "kernel_size": 3, "strides": 2,
                                        "padding": "same"}, (2, 7, 7, 3)),
    ("sep_dm2_relu", "SeparableConv2D", {"filters": 3, "kernel_size": 3, "depth_multiplier": 2,
                                         "activation": "relu"}, (2, 6, 5, 2)),
    ("sep_dilated_nobias", "SeparableConv2D", {"filters": 2, "kernel_size": (3, 2),
                                               "dilation_rate": 2, "use_bias": False,
                                               "padding": "same"}, (2, 7, 6, 3)),
    ("sep_rect_s12", "SeparableConv2D", {"filters": 4, "kernel_size": (2, 3), "strides": (1, 2),
                                         "depth_multiplier": 3}, (2, 5, 7, 2)),

    ("conv2d_groups2", "Conv2D", {"filters": 4, "kernel_size": 3, "groups": 2}, (2, 6, 5, 4)),
    ("conv2d_groups3_same_s2", "Conv2D", {"filters": 6, "kernel_size": 3, "groups": 3,
                                          "strides": 2, "padding": "same",
                                          "activation": "relu"}, (2, 7, 7, 6)),
    ("conv2d_depthwise_groups", "Conv2D", {"filters": 4, "kernel_size": 2, "groups": 4,
                                           "use_bias": False}, (2, 5, 5, 4)),
    ("conv1d_groups2", "Conv1D", {"filters": 4, "kernel_size": 3, "groups": 2}, (2, 9, 6)),
    ("conv1d_groups2_causal", "Conv1D", {"filters": 2, "kernel_size": 2, "groups": 2,
                                         "padding": "causal", "dilation_rate": 2}, (2, 8, 4)),
]

# (case name, kwargs, input shape, what to adapt on: None (mean/variance given), "array"
#  or a number of batches)
NORMS = [
    ("norm_adapt", {}, (6, 4), "array"),
    ("norm_adapt_invert", {"invert": True}, (6, 4), "array"),
    ("norm_adapt_images", {}, (3, 4, 5, 3), "array"),
    ("norm_adapt_axis_hw", {"axis": (1, 2)}, (3, 4, 5, 2), "array"),
    ("norm_adapt_axis1", {"axis": 1}, (3, 4, 5), "array"),
    ("norm_adapt_axis_none", {"axis": None}, (5, 3), "array"),
    ("norm_adapt_batches", {}, (10, 3), 3),
    ("norm_adapt_batches_images", {"axis": -1}, (8, 3, 3, 2), 2),
    ("norm_adapt_constant_feature", {}, (6, 3), "constant"),
    ("norm_given", {"mean": [1.0, -2.0, 0.5], "variance": [4.0, 0.25, 1.0]}, (4, 3), None),
    ("norm_given_scalar", {"mean": 3.0, "variance": 2.0}, (4, 3), None),
    ("norm_given_axis_none", {"axis": None, "mean": 1.5, "variance": 9.0}, (2, 3, 4), None),
    ("norm_given_invert", {"mean": [1.0, -2.0], "variance": [4.0, 0.0], "invert": True},
     (3, 2), None),
    ("norm_given_zero_variance", {"mean": [0.5, 1.0], "variance": [0.0, 1e-16]}, (3, 2), None),
    ("norm_given_2d", {"axis": (1, 2), "mean": [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]],
                       "variance": [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]}, (2, 3, 2), None),
    ("norm_given_broadcast", {"axis": (1, 2), "mean": [1.0, 2.0], "variance": [3.0, 4.0]},
     (2, 3, 2), None),
]


def grads(fn, args, ct):
    """Gradients of sum(fn(*args) * ct) for each of args (a tuple of lists)."""
    return jax.grad(lambda *a: jnp.sum(fn(*a) * ct), argnums=tuple(range(len(args))))(*args)


def layer_case(cls, kwargs, shape):
    x = normal(shape)
    layer = getattr(keras.layers, cls)(**kwargs)
    layer(x)
    weights = [normal(w.shape) * 0.5 for w in layer.get_weights()]
    layer.set_weights(weights)
    y = np.asarray(layer(x))
    ct = cotangent(y.shape)

    def run(tv, x):
        return layer.stateless_call(tv, [], x)[0]

    gw, gx = grads(run, ([jnp.asarray(w) for w in weights], jnp.asarray(x)), ct)
    spec = {"kind": "layer", "layer": cls, "kwargs": kwargs,
            "output_shape": list(layer.compute_output_shape((None,) + tuple(shape[1:]))),
            "weight_names": [w.name for w in layer.weights]}
    arrays = {"x0": x, "y": y, "gx0": np.asarray(gx)}
    for i, w in enumerate(weights):
        arrays[f"w{i}"], arrays[f"gw{i}"] = w, np.asarray(gw[i])
    return spec, arrays


def norm_case(kwargs, shape, adapt):
    x = normal(shape) * 2 + 1
    layer = keras.layers.Normalization(**kwargs)
    arrays = {}
    if adapt in ("array", "constant"):
        data = normal((7,) + tuple(shape[1:])) * 3 - 1
        if adapt == "constant":
            data[:, 1] = 2.5
        layer.adapt(data)
        arrays["adapt"] = data
    elif adapt is not None:
        batches = [normal((n,) + tuple(shape[1:])) * 2 + 0.5 for n in (4, 3, 5)[:adapt]]
        layer.adapt(batches)
        arrays.update({f"adapt{i}": b for i, b in enumerate(batches)})
    y = np.asarray(layer(x))
    ct = cotangent(y.shape)
    state = [v.value for v in layer.non_trainable_variables]
    (gx,) = grads(lambda x: layer.stateless_call([], state, x)[0], (jnp.asarray(x),), ct)
    spec = {"kind": "norm", "kwargs": kwargs, "batches": isinstance(adapt, int),
            "output_shape": list(layer.compute_output_shape((None,) + tuple(shape[1:]))),
            "weight_names": [w.name for w in layer.weights]}
    arrays.update({"x0": x, "y": y, "gx0": np.asarray(gx)})
    arrays.update({f"w{i}": w for i, w in enumerate(layer.get_weights())})
    return spec, arrays


def main():
    keras.utils.set_random_seed(0)
    cases = {}
    for name, cls, kwargs, shape in LAYERS:
        cases[name] = layer_case(cls, kwargs, shape)
    for name, kwargs, shape, adapt in NORMS:
        cases[name] = norm_case(kwargs, shape, adapt)
    save_cases(OUT, cases)
    print(f"{len(cases)} cases -> {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
