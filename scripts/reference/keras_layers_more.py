"""Record Keras 3's Conv1DTranspose, RMSNormalization, Masking (alone and before an LSTM or
a GlobalAveragePooling1D), ActivityRegularization, Identity and the random regularization
layers at inference, for tests/test_reference_keras_layers_more.py.

Run with a Python that has Keras 3 and JAX (not the project venv):

    make references

It writes tests/data/reference/keras_layers_more.npz. "layer" cases are those of
keras_layers_core.py: random weights set with set_weights, input `x0`, weights `w0..`,
output `y`, gradients of sum(y * ct) for the input `gx0` and the weights `gw0..` (jax.grad
through `stateless_call`), `compute_output_shape` of a None batch, Keras's weight names,
and `mask` where the output has one. "model" cases are Sequential models whose first layer
is a Masking: the same arrays for the whole model. "activity" cases hold the penalty
`loss` an ActivityRegularization adds for `x0`. "config" cases hold a layer's get_config
(without name, dtype and trainable) built from `kwargs`; "aliases" lists Keras's other
names of layer classes (``keras.layers.MaxPool2D is keras.layers.MaxPooling2D``).
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
                   "keras_layers_more.npz")
rng = np.random.default_rng(0)


def normal(shape):
    return rng.normal(size=shape).astype(np.float32)


def cotangent(shape):
    """The fixed cotangent of a case's output (a formula, so the file needn't hold it)."""
    return np.sin(np.arange(np.prod(shape)) * 1.7 + 0.3).reshape(shape).astype(np.float32)


def padded(shape, steps, value=0.0):
    """Sequences with some steps filled with `value` (masked), per example."""
    x = normal(shape)
    for b, ts in enumerate(steps):
        x[b, ts] = value
    return x


# (case name, Keras layer class, kwargs, input: a shape or an array)
LAYERS = [
    ("c1t_valid", "Conv1DTranspose", {"filters": 3, "kernel_size": 3}, (2, 5, 4)),
    ("c1t_same_s2", "Conv1DTranspose", {"filters": 4, "kernel_size": 3, "strides": 2,
                                        "padding": "same"}, (2, 6, 3)),
    ("c1t_same_s2_k4", "Conv1DTranspose", {"filters": 2, "kernel_size": 4, "strides": 2,
                                           "padding": "same", "activation": "relu"}, (2, 5, 3)),
    ("c1t_valid_s3", "Conv1DTranspose", {"filters": 2, "kernel_size": 2, "strides": 3},
     (2, 4, 3)),
    ("c1t_outpad", "Conv1DTranspose", {"filters": 3, "kernel_size": 3, "strides": 2,
                                       "output_padding": 1}, (2, 5, 2)),
    ("c1t_same_outpad", "Conv1DTranspose", {"filters": 2, "kernel_size": 3, "strides": 3,
                                            "padding": "same", "output_padding": 2},
     (2, 4, 3)),
    ("c1t_dilated", "Conv1DTranspose", {"filters": 2, "kernel_size": 3, "dilation_rate": 2},
     (2, 6, 3)),
    ("c1t_dilated_same_nobias", "Conv1DTranspose", {"filters": 3, "kernel_size": 3,
                                                    "dilation_rate": 2, "padding": "same",
                                                    "use_bias": False, "activation": "tanh"},
     (2, 7, 2)),
    ("c1t_k1", "Conv1DTranspose", {"filters": 5, "kernel_size": 1}, (3, 4, 2)),

    ("rms_last", "RMSNormalization", {}, (3, 6)),
    ("rms_seq", "RMSNormalization", {}, (2, 4, 5)),
    ("rms_eps", "RMSNormalization", {"epsilon": 0.5}, (2, 4, 5)),
    ("rms_axes", "RMSNormalization", {"axis": [1, 2]}, (2, 3, 4)),
    ("rms_axes_negative", "RMSNormalization", {"axis": [-2, -1]}, (2, 3, 4)),
    ("rms_axis1_rank2", "RMSNormalization", {"axis": 1}, (3, 5)),
    ("rms_images", "RMSNormalization", {"axis": -1}, (2, 3, 3, 4)),

    ("masking_zero", "Masking", {}, padded((3, 5, 4), [[1, 3], [4], []])),
    ("masking_value", "Masking", {"mask_value": -1.0}, padded((2, 6, 3), [[0, 5], [2, 3]], -1)),
    ("masking_partial_step", "Masking", {}, np.array(
        [[[0, 0], [0, 1], [2, 0]], [[0, 0], [0, 0], [3, 4]]], np.float32)),
    ("masking_rank2", "Masking", {"mask_value": 1.0}, np.array(
        [[1.0, 2.0, 1.0], [1.0, 1.0, 1.0]], np.float32)),
    ("identity", "Identity", {}, (2, 3, 4)),
    ("activity_identity", "ActivityRegularization", {"l1": 0.1, "l2": 0.01}, (3, 4)),
    ("spatial1d_inference", "SpatialDropout1D", {"rate": 0.5}, (2, 5, 3)),
    ("spatial2d_inference", "SpatialDropout2D", {"rate": 0.5}, (2, 3, 3, 2)),
    ("gaussian_dropout_inference", "GaussianDropout", {"rate": 0.4}, (2, 5)),
    ("alpha_dropout_inference", "AlphaDropout", {"rate": 0.3}, (2, 5)),
]

# (case name, [(Keras layer class, kwargs)...] after Masking(mask_value), mask_value, input)
MODELS = [
    ("mask_lstm", [("LSTM", {"units": 3})], 0.0, padded((3, 6, 4), [[4, 5], [0, 2, 5], []])),
    ("mask_lstm_sequences", [("LSTM", {"units": 2, "return_sequences": True})], 0.0,
     padded((2, 5, 3), [[3, 4], [1]])),
    ("mask_gru_value", [("GRU", {"units": 3})], -1.0, padded((2, 5, 3), [[0, 1], [4]], -1)),
    ("mask_simple_rnn", [("SimpleRNN", {"units": 3})], 0.0, padded((2, 5, 2), [[2, 3, 4], []])),
    ("mask_gap", [("GlobalAveragePooling1D", {})], 0.0, padded((3, 5, 4), [[0, 4], [1, 2, 3],
                                                                         []])),
    ("mask_dense_gap", [("Dense", {"units": 3, "activation": "tanh"}),
                        ("GlobalAveragePooling1D", {})], 0.0, padded((2, 6, 4), [[5], [0, 1]])),
    ("mask_lstm_dense", [("LSTM", {"units": 4}), ("Dense", {"units": 2})], 0.0,
     padded((2, 7, 3), [[5, 6], [0, 1, 2]])),
]

# (case name, kwargs, input shape)
ACTIVITY = [
    ("act_l1", {"l1": 0.1}, (3, 4)),
    ("act_l2", {"l2": 0.05}, (4, 2, 3)),
    ("act_both", {"l1": 0.02, "l2": 0.3}, (5, 3)),
    ("act_none", {}, (2, 3)),
]

# (case name, Keras layer class, kwargs): get_config as Keras writes it
CONFIGS = [
    ("cfg_masking", "Masking", {}),
    ("cfg_masking_value", "Masking", {"mask_value": -1.0}),
    ("cfg_identity", "Identity", {}),
    ("cfg_spatial1d", "SpatialDropout1D", {"rate": 0.2}),
    ("cfg_spatial2d", "SpatialDropout2D", {"rate": 0.3, "seed": 4}),
    ("cfg_gaussian_dropout", "GaussianDropout", {"rate": 0.1}),
    ("cfg_alpha_dropout", "AlphaDropout", {"rate": 0.1, "noise_shape": [None, 1]}),
    ("cfg_activity", "ActivityRegularization", {"l1": 0.1}),
    ("cfg_rms", "RMSNormalization", {}),
    ("cfg_rms_axes", "RMSNormalization", {"axis": [1, 2], "epsilon": 1e-3}),
    ("cfg_conv1d_transpose", "Conv1DTranspose", {"filters": 2, "kernel_size": 3, "strides": 2,
                                                 "output_padding": 1}),
    ("cfg_dropout_noise_shape", "Dropout", {"rate": 0.5, "noise_shape": [None, 1, 3]}),
]

ALIASES = ["MaxPool1D", "MaxPool2D", "AvgPool1D", "AvgPool2D", "GlobalMaxPool1D",
           "GlobalMaxPool2D", "GlobalAvgPool1D", "GlobalAvgPool2D", "Convolution1D",
           "Convolution2D", "Convolution1DTranspose", "Convolution2DTranspose",
           "SeparableConvolution2D"]


def grads(fn, args, ct):
    """Gradients of sum(fn(*args) * ct) for each of args (a tuple of lists)."""
    return jax.grad(lambda *a: jnp.sum(fn(*a) * ct), argnums=tuple(range(len(args))))(*args)


def with_gradients(layer, x, y, spec, arrays):
    """Set random weights already; add the input and weight gradients of sum(y * ct)."""
    weights = [w.value for w in layer.trainable_weights]
    state = [v.value for v in layer.non_trainable_variables]

    def run(tv, x):
        return layer.stateless_call(tv, state, x)[0]

    gw, gx = grads(run, (weights, jnp.asarray(x)), cotangent(y.shape))
    arrays["gx0"] = np.asarray(gx)
    for i, g in enumerate(gw):
        arrays[f"gw{i}"] = np.asarray(g)
    return spec, arrays


def layer_case(cls, kwargs, given):
    x = normal(given) if isinstance(given, tuple) else np.asarray(given, np.float32)
    layer = getattr(keras.layers, cls)(**kwargs)
    layer(x)
    weights = [normal(w.shape) * 0.5 + (1.0 if cls == "RMSNormalization" else 0.0)
               for w in layer.get_weights()]
    layer.set_weights(weights)
    out = layer(x)
    y = np.asarray(out)
    spec = {"kind": "layer", "layer": cls, "kwargs": kwargs,
            "output_shape": list(layer.compute_output_shape((None,) + x.shape[1:])),
            "weight_names": [w.name for w in layer.weights]}
    arrays = {"x0": x, "y": y}
    arrays.update({f"w{i}": w for i, w in enumerate(weights)})
    mask = getattr(out, "_keras_mask", None)
    if mask is None and layer.supports_masking and cls == "Masking":
        mask = layer.compute_mask(x)
    if mask is not None:
        arrays["mask"] = np.asarray(mask)
    return with_gradients(layer, x, y, spec, arrays)


def model_case(stack, mask_value, x):
    layers = [keras.layers.Masking(mask_value=mask_value)] + \
        [getattr(keras.layers, cls)(**kwargs) for cls, kwargs in stack]
    model = keras.Sequential([keras.Input(shape=x.shape[1:])] + layers)
    weights = [normal(w.shape) * 0.5 for w in model.get_weights()]
    model.set_weights(weights)
    out = model(x)
    y = np.asarray(out)
    spec = {"kind": "model", "mask_value": mask_value,
            "layers": [{"layer": cls, "kwargs": kwargs} for cls, kwargs in stack],
            "output_shape": list(model.compute_output_shape((None,) + x.shape[1:]))}
    arrays = {"x0": x, "y": y}
    arrays.update({f"w{i}": w for i, w in enumerate(weights)})
    mask = getattr(out, "_keras_mask", None)
    if mask is not None:
        arrays["mask"] = np.asarray(mask)
    return with_gradients(model, x, y, spec, arrays)


def activity_case(kwargs, shape):
    x = normal(shape)
    layer = keras.layers.ActivityRegularization(**kwargs)
    model = keras.Sequential([keras.Input(shape=shape[1:]), layer])
    y = model(x)
    loss = sum(np.asarray(v) for v in model.losses)
    return ({"kind": "activity", "kwargs": kwargs, "n_losses": len(model.losses)},
            {"x0": x, "y": np.asarray(y), "loss": np.float32(loss)})


def config_case(cls, kwargs):
    config = getattr(keras.layers, cls)(**kwargs).get_config()
    for key in ("name", "dtype", "trainable"):
        config.pop(key, None)
    return {"kind": "config", "layer": cls, "kwargs": kwargs, "config": config}, {}


def main():
    keras.utils.set_random_seed(0)
    cases = {}
    for name, cls, kwargs, given in LAYERS:
        cases[name] = layer_case(cls, kwargs, given)
    for name, stack, mask_value, x in MODELS:
        cases[name] = model_case(stack, mask_value, x)
    for name, kwargs, shape in ACTIVITY:
        cases[name] = activity_case(kwargs, shape)
    for name, cls, kwargs in CONFIGS:
        cases[name] = config_case(cls, kwargs)
    cases["aliases"] = ({"kind": "aliases", "aliases": {
        alias: getattr(keras.layers, alias).__name__ for alias in ALIASES}}, {})
    save_cases(OUT, cases)
    print(f"{len(cases)} cases -> {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
