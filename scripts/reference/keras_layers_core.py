"""Record Keras 3's core layers (Dense, convolutions, pooling, reshaping, merging,
activations) and initializer statistics, for tests/test_reference_keras_layers_core.py.

Run with a Python that has Keras 3 and JAX (not the project venv):

    make references

(which runs KERAS_BACKEND=jax .venv-reference/bin/python scripts/reference/keras_layers_core.py).

It writes tests/data/reference/keras_layers_core.npz. Each layer case builds the Keras layer
from `kwargs`, gives it random weights with set_weights, and stores the inputs `x0..`,
weights `w0..`, output `y`, and the gradients of sum(y * ct) (ct: `cotangent` below) for
the inputs `gx0..` and weights `gw0..` (jax.grad through `stateless_call`), plus the
`compute_output_shape` of a None batch. "op" cases do the same for a keras.ops function.
"init" cases hold statistics of a large sample of a Keras initializer (min, max, mean,
std, and max |W^T W - I| for the smaller side).
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
                   "keras_layers_core.npz")
rng = np.random.default_rng(0)


def normal(shape):
    return rng.normal(size=shape).astype(np.float32)


def cotangent(shape):
    """The fixed cotangent of a case's output (a formula, so the file needn't hold it)."""
    return np.sin(np.arange(np.prod(shape)) * 1.7 + 0.3).reshape(shape).astype(np.float32)


# (case name, Keras layer class, kwargs, input shapes) — a list of shapes for merging layers
LAYERS = [
    ("dense", "Dense", {"units": 4}, (3, 5)),
    ("dense_relu", "Dense", {"units": 4, "activation": "relu"}, (3, 5)),
    ("dense_softmax_nobias", "Dense", {"units": 3, "activation": "softmax", "use_bias": False},
     (3, 5)),
    ("dense_3d_tanh", "Dense", {"units": 4, "activation": "tanh"}, (2, 3, 5)),
    ("dense_4d", "Dense", {"units": 2}, (2, 2, 3, 4)),

    ("conv1d_valid", "Conv1D", {"filters": 4, "kernel_size": 3}, (2, 9, 3)),
    ("conv1d_same_s2", "Conv1D", {"filters": 4, "kernel_size": 3, "strides": 2,
                                  "padding": "same"}, (2, 9, 3)),
    ("conv1d_same_even", "Conv1D", {"filters": 2, "kernel_size": 4, "padding": "same"},
     (2, 8, 3)),
    ("conv1d_valid_s2", "Conv1D", {"filters": 3, "kernel_size": 2, "strides": 2}, (2, 9, 2)),
    ("conv1d_causal", "Conv1D", {"filters": 3, "kernel_size": 3, "padding": "causal"},
     (2, 7, 2)),
    ("conv1d_causal_d2", "Conv1D", {"filters": 3, "kernel_size": 2, "padding": "causal",
                                    "dilation_rate": 2, "activation": "relu"}, (2, 9, 2)),
    ("conv1d_causal_s2", "Conv1D", {"filters": 3, "kernel_size": 3, "padding": "causal",
                                    "strides": 2}, (2, 9, 2)),
    ("conv1d_same_d2", "Conv1D", {"filters": 2, "kernel_size": 3, "padding": "same",
                                  "dilation_rate": 2, "use_bias": False}, (2, 8, 3)),

    ("conv2d_valid", "Conv2D", {"filters": 4, "kernel_size": 3}, (2, 7, 6, 3)),
    ("conv2d_same", "Conv2D", {"filters": 4, "kernel_size": 3, "padding": "same"},
     (2, 7, 6, 3)),
    ("conv2d_same_s2_odd", "Conv2D", {"filters": 4, "kernel_size": 3, "strides": 2,
                                      "padding": "same"}, (2, 7, 7, 3)),
    ("conv2d_same_s2_even", "Conv2D", {"filters": 4, "kernel_size": 3, "strides": 2,
                                       "padding": "same"}, (2, 8, 6, 3)),
    ("conv2d_same_k4_s2", "Conv2D", {"filters": 3, "kernel_size": 4, "strides": 2,
                                     "padding": "same"}, (2, 7, 8, 2)),
    ("conv2d_same_k2", "Conv2D", {"filters": 3, "kernel_size": 2, "padding": "same"},
     (2, 5, 6, 2)),
    ("conv2d_valid_s2", "Conv2D", {"filters": 3, "kernel_size": 3, "strides": 2},
     (2, 8, 7, 2)),
    ("conv2d_dilated", "Conv2D", {"filters": 3, "kernel_size": 3, "dilation_rate": 2,
                                  "padding": "same"}, (2, 7, 8, 2)),
    ("conv2d_dilated_valid", "Conv2D", {"filters": 3, "kernel_size": (2, 3),
                                        "dilation_rate": (2, 1)}, (2, 7, 8, 2)),
    ("conv2d_1x1", "Conv2D", {"filters": 5, "kernel_size": 1}, (2, 4, 3, 6)),
    ("conv2d_rect_s21", "Conv2D", {"filters": 3, "kernel_size": (3, 2), "strides": (2, 1),
                                   "activation": "relu", "use_bias": False}, (2, 7, 6, 4)),
    ("conv2d_rect_same", "Conv2D", {"filters": 3, "kernel_size": (1, 3), "strides": (1, 2),
                                    "padding": "same", "activation": "sigmoid"},
     (2, 5, 7, 4)),
    ("conv2d_1ch", "Conv2D", {"filters": 8, "kernel_size": 3, "padding": "same"},
     (2, 6, 6, 1)),

    ("convt_valid", "Conv2DTranspose", {"filters": 3, "kernel_size": 3}, (2, 4, 5, 2)),
    ("convt_same", "Conv2DTranspose", {"filters": 3, "kernel_size": 3, "padding": "same"},
     (2, 4, 5, 2)),
    ("convt_valid_s2", "Conv2DTranspose", {"filters": 3, "kernel_size": 3, "strides": 2},
     (2, 4, 5, 2)),
    ("convt_same_s2", "Conv2DTranspose", {"filters": 3, "kernel_size": 3, "strides": 2,
                                          "padding": "same"}, (2, 4, 5, 2)),
    ("convt_same_k4_s2", "Conv2DTranspose", {"filters": 2, "kernel_size": 4, "strides": 2,
                                             "padding": "same"}, (2, 3, 4, 3)),
    ("convt_same_k2_s2", "Conv2DTranspose", {"filters": 2, "kernel_size": 2, "strides": 2,
                                             "padding": "same"}, (2, 3, 4, 3)),
    ("convt_valid_k2_s2", "Conv2DTranspose", {"filters": 2, "kernel_size": 2, "strides": 2},
     (2, 3, 4, 3)),
    ("convt_same_s2_op1", "Conv2DTranspose", {"filters": 3, "kernel_size": 3, "strides": 2,
                                              "padding": "same", "output_padding": 1},
     (2, 4, 5, 2)),
    ("convt_valid_s2_op1", "Conv2DTranspose", {"filters": 3, "kernel_size": 3, "strides": 2,
                                               "output_padding": 1}, (2, 4, 5, 2)),
    ("convt_s3_op", "Conv2DTranspose", {"filters": 2, "kernel_size": 3, "strides": 3,
                                        "padding": "same", "output_padding": (2, 0)},
     (2, 3, 4, 2)),
    ("convt_rect_s21", "Conv2DTranspose", {"filters": 2, "kernel_size": (2, 3),
                                           "strides": (2, 1), "padding": "same",
                                           "activation": "relu"}, (2, 3, 4, 3)),
    ("convt_nobias", "Conv2DTranspose", {"filters": 4, "kernel_size": 3, "strides": 2,
                                         "use_bias": False}, (2, 3, 3, 1)),
    ("convt_dilated", "Conv2DTranspose", {"filters": 2, "kernel_size": 3,
                                          "dilation_rate": 2}, (2, 3, 4, 2)),

    ("maxpool2d", "MaxPooling2D", {}, (2, 6, 8, 3)),
    ("maxpool2d_same_odd", "MaxPooling2D", {"padding": "same"}, (2, 7, 5, 3)),
    ("maxpool2d_p3_s2_same", "MaxPooling2D", {"pool_size": 3, "strides": 2, "padding": "same"},
     (2, 7, 8, 2)),
    ("maxpool2d_p3_s2", "MaxPooling2D", {"pool_size": 3, "strides": 2}, (2, 7, 8, 2)),
    ("maxpool2d_p2_s1_same", "MaxPooling2D", {"pool_size": 2, "strides": 1, "padding": "same"},
     (2, 5, 4, 2)),
    ("maxpool2d_rect", "MaxPooling2D", {"pool_size": (3, 2), "strides": (2, 1)}, (2, 7, 6, 2)),
    ("avgpool2d", "AveragePooling2D", {"pool_size": 2}, (2, 6, 8, 3)),
    ("avgpool2d_same_odd", "AveragePooling2D", {"pool_size": (2, 2), "padding": "same"},
     (2, 7, 5, 3)),
    ("avgpool2d_p3_s2_same", "AveragePooling2D", {"pool_size": 3, "strides": 2,
                                                  "padding": "same"}, (2, 7, 8, 2)),
    ("avgpool2d_p3_s1_same", "AveragePooling2D", {"pool_size": 3, "strides": 1,
                                                  "padding": "same"}, (2, 5, 4, 2)),
    ("avgpool2d_rect", "AveragePooling2D", {"pool_size": (3, 2), "strides": (2, 1)},
     (2, 7, 6, 2)),
    ("maxpool1d", "MaxPooling1D", {}, (2, 9, 3)),
    ("maxpool1d_p3_s2_same", "MaxPooling1D", {"pool_size": 3, "strides": 2, "padding": "same"},
     (2, 8, 3)),
    ("maxpool1d_p4_s3", "MaxPooling1D", {"pool_size": 4, "strides": 3}, (2, 11, 2)),
    ("avgpool1d", "AveragePooling1D", {"pool_size": 2}, (2, 9, 3)),
    ("avgpool1d_same", "AveragePooling1D", {"pool_size": 2, "padding": "same"},
     (2, 9, 3)),
    ("avgpool1d_p3_s1_same", "AveragePooling1D", {"pool_size": 3, "strides": 1,
                                                  "padding": "same"}, (2, 6, 2)),

    ("gap1d", "GlobalAveragePooling1D", {}, (2, 5, 3)),
    ("gap1d_keep", "GlobalAveragePooling1D", {"keepdims": True}, (2, 5, 3)),
    ("gmp1d", "GlobalMaxPooling1D", {}, (2, 5, 3)),
    ("gmp1d_keep", "GlobalMaxPooling1D", {"keepdims": True}, (2, 5, 3)),
    ("gap2d", "GlobalAveragePooling2D", {}, (2, 4, 5, 3)),
    ("gap2d_keep", "GlobalAveragePooling2D", {"keepdims": True}, (2, 4, 5, 3)),
    ("gmp2d", "GlobalMaxPooling2D", {}, (2, 4, 5, 3)),
    ("gmp2d_keep", "GlobalMaxPooling2D", {"keepdims": True}, (2, 4, 5, 3)),

    ("upsample2d", "UpSampling2D", {}, (2, 3, 4, 2)),
    ("upsample2d_23", "UpSampling2D", {"size": (2, 3)}, (2, 3, 4, 2)),
    ("upsample2d_bilinear", "UpSampling2D", {"interpolation": "bilinear"}, (2, 3, 4, 2)),
    ("upsample2d_bilinear_32", "UpSampling2D", {"size": (3, 2), "interpolation": "bilinear"},
     (2, 4, 3, 2)),
    ("zeropad2d", "ZeroPadding2D", {}, (2, 3, 4, 2)),
    ("zeropad2d_12", "ZeroPadding2D", {"padding": (1, 2)}, (2, 3, 4, 2)),
    ("zeropad2d_pairs", "ZeroPadding2D", {"padding": ((0, 1), (2, 3))}, (2, 3, 4, 2)),

    ("upsample1d", "UpSampling1D", {}, (2, 3, 2)),
    ("upsample1d_3", "UpSampling1D", {"size": 3}, (2, 3, 2)),
    ("zeropad1d", "ZeroPadding1D", {}, (2, 3, 2)),
    ("zeropad1d_pair", "ZeroPadding1D", {"padding": (2, 0)}, (2, 3, 2)),
    ("crop1d", "Cropping1D", {}, (2, 5, 2)),
    ("crop1d_pair", "Cropping1D", {"cropping": (0, 2)}, (2, 5, 2)),
    ("crop2d", "Cropping2D", {"cropping": 1}, (2, 5, 4, 2)),
    ("crop2d_sym", "Cropping2D", {"cropping": (1, 0)}, (2, 5, 4, 2)),
    ("crop2d_pairs", "Cropping2D", {"cropping": ((0, 2), (1, 1))}, (2, 5, 4, 2)),

    ("relu_layer", "ReLU", {}, (3, 6)),
    ("relu_layer_max", "ReLU", {"max_value": 1.0}, (3, 6)),
    ("relu_layer_slope", "ReLU", {"negative_slope": 0.1}, (3, 6)),
    ("relu_layer_all", "ReLU", {"max_value": 1.5, "negative_slope": 0.2, "threshold": 0.5},
     (3, 6)),
    ("relu_layer_threshold", "ReLU", {"threshold": 0.3}, (3, 6)),
    ("leaky_relu_layer", "LeakyReLU", {}, (3, 6)),
    ("leaky_relu_layer_01", "LeakyReLU", {"negative_slope": 0.1}, (3, 6)),
    ("elu_layer", "ELU", {}, (3, 6)),
    ("elu_layer_alpha", "ELU", {"alpha": 0.5}, (3, 6)),
    ("softmax_layer", "Softmax", {}, (2, 3, 4)),
    ("softmax_layer_axis1", "Softmax", {"axis": 1}, (2, 3, 4)),
    ("prelu", "PReLU", {}, (2, 3, 4)),
    ("prelu_shared", "PReLU", {"shared_axes": [1, 2]}, (2, 3, 4, 2)),
    ("gaussian_noise_inference", "GaussianNoise", {"stddev": 0.5}, (3, 4)),
    ("rescaling", "Rescaling", {"scale": 0.5, "offset": -1.0}, (3, 4)),

    ("flatten", "Flatten", {}, (2, 3, 4, 2)),
    ("reshape", "Reshape", {"target_shape": (4, 3)}, (2, 3, 4)),
    ("reshape_minus1", "Reshape", {"target_shape": (-1, 2)}, (2, 3, 4)),
    ("reshape_minus1_mid", "Reshape", {"target_shape": (2, -1, 3)}, (2, 12)),
    ("permute", "Permute", {"dims": (2, 1)}, (2, 3, 4)),
    ("permute_3", "Permute", {"dims": (3, 1, 2)}, (2, 3, 4, 5)),
    ("repeat_vector", "RepeatVector", {"n": 3}, (2, 4)),
    ("dropout_inference", "Dropout", {"rate": 0.5}, (3, 4)),

    ("add", "Add", {}, [(2, 3, 4), (2, 3, 4), (2, 3, 4)]),
    ("subtract", "Subtract", {}, [(2, 3, 4), (2, 3, 4)]),
    ("multiply", "Multiply", {}, [(2, 3, 4), (2, 3, 4), (2, 3, 4)]),
    ("average", "Average", {}, [(2, 5), (2, 5), (2, 5)]),
    ("maximum", "Maximum", {}, [(2, 5), (2, 5), (2, 5)]),
    ("minimum", "Minimum", {}, [(2, 5), (2, 5)]),
    ("concatenate", "Concatenate", {}, [(2, 3), (2, 5)]),
    ("concatenate_axis1", "Concatenate", {"axis": 1}, [(2, 3, 4), (2, 2, 4), (2, 1, 4)]),
    ("concatenate_axis_m2", "Concatenate", {"axis": -2}, [(2, 3, 4), (2, 2, 4)]),
    ("dot_vectors", "Dot", {"axes": 1}, [(3, 4), (3, 4)]),
    ("dot_vectors_normalize", "Dot", {"axes": -1, "normalize": True}, [(3, 4), (3, 4)]),
    ("dot_seq_last", "Dot", {"axes": 2}, [(2, 3, 4), (2, 5, 4)]),
    ("dot_seq_11", "Dot", {"axes": (1, 1)}, [(2, 3, 4), (2, 3, 5)]),
    ("dot_seq_21_normalize", "Dot", {"axes": (2, 1), "normalize": True},
     [(2, 3, 4), (2, 4, 5)]),
    ("dot_mixed_rank", "Dot", {"axes": (1, 2)}, [(2, 4), (2, 3, 4)]),
]

# Activation("name") for every name both libraries know (or should know)
ACTIVATIONS = ["relu", "relu6", "sigmoid", "tanh", "softmax", "log_softmax", "linear", "elu",
               "selu", "gelu", "leaky_relu", "softplus", "softsign", "silu", "swish",
               "hard_sigmoid", "hard_silu", "hard_swish", "exponential", "mish"]
for name in ACTIVATIONS:
    LAYERS.append((f"activation_{name}", "Activation", {"activation": name}, (3, 2, 5)))

# keras.ops functions with options: (case name, op name, kwargs)
OPS = [
    ("op_gelu_approx", "gelu", {"approximate": True}),
    ("op_gelu_exact", "gelu", {"approximate": False}),
    ("op_leaky_relu", "leaky_relu", {}),
    ("op_leaky_relu_01", "leaky_relu", {"negative_slope": 0.1}),
    ("op_elu", "elu", {}),
    ("op_elu_alpha", "elu", {"alpha": 0.5}),
    ("op_softmax_last", "softmax", {}),
    ("op_softmax_axis0", "softmax", {"axis": 0}),
    ("op_softmax_axis1", "softmax", {"axis": 1}),
    ("op_log_softmax_last", "log_softmax", {}),
    ("op_log_softmax_axis0", "log_softmax", {"axis": 0}),
    ("op_log_softmax_axis1", "log_softmax", {"axis": 1}),
]

# initializer name -> shapes to sample (statistics only: the RNGs differ)
INITS = {"glorot_uniform": [(300, 200), (3, 3, 16, 32)],
         "glorot_normal": [(300, 200), (3, 3, 16, 32)],
         "he_uniform": [(300, 200), (5, 40, 64)],
         "he_normal": [(300, 200), (3, 3, 16, 32)],
         "lecun_uniform": [(300, 200)],
         "lecun_normal": [(300, 200)],
         "orthogonal": [(64, 64), (40, 96), (96, 40), (3, 8, 24)],
         "random_normal": [(300, 200)],
         "random_uniform": [(300, 200)],
         "truncated_normal": [(300, 200)]}


def grads(fn, args, ct):
    """Gradients of sum(fn(*args) * ct) for each of args (a tuple of lists)."""
    return jax.grad(lambda *a: jnp.sum(fn(*a) * ct), argnums=tuple(range(len(args))))(*args)


def layer_case(cls, kwargs, shapes):
    multi = isinstance(shapes, list)
    xs = [normal(s) for s in (shapes if multi else [shapes])]
    layer = getattr(keras.layers, cls)(**kwargs)
    layer(xs if multi else xs[0])
    weights = [normal(w.shape) * 0.5 for w in layer.get_weights()]
    layer.set_weights(weights)
    y = np.asarray(layer(xs if multi else xs[0], training=False))
    ct = cotangent(y.shape)

    extra = {"training": False} if cls in ("Dropout", "GaussianNoise") else {}

    state = [v.value for v in layer.non_trainable_variables]     # Dropout's seed

    def run(tv, xs):
        out, _ = layer.stateless_call(tv, state, xs if multi else xs[0], **extra)
        return out

    gw, gx = grads(run, ([jnp.asarray(w) for w in weights], [jnp.asarray(x) for x in xs]),
                   ct)
    none = [(None,) + tuple(s[1:]) for s in shapes] if multi else (None,) + tuple(shapes[1:])
    spec = {"kind": "layer", "layer": cls, "kwargs": kwargs, "multi": multi,
            "output_shape": list(layer.compute_output_shape(none))}
    arrays = {"y": y}
    for i, x in enumerate(xs):
        arrays[f"x{i}"], arrays[f"gx{i}"] = x, np.asarray(gx[i])
    for i, w in enumerate(weights):
        arrays[f"w{i}"], arrays[f"gw{i}"] = w, np.asarray(gw[i])
    return spec, arrays


def op_case(op, kwargs):
    x = normal((3, 4, 5)) * 2
    fn = getattr(keras.ops, op)
    y = np.asarray(fn(x, **kwargs))
    ct = cotangent(y.shape)
    (gx,) = grads(lambda x: fn(x, **kwargs), (jnp.asarray(x),), ct)
    return {"kind": "op", "op": op, "kwargs": kwargs}, {"x0": x, "y": y, "gx0": np.asarray(gx)}


def init_case(name, shape):
    w = np.asarray(keras.initializers.get(name)(shape), dtype=np.float64)
    flat = w.reshape(-1, shape[-1])
    # min, max, mean, std; for orthogonal also how far the Gram matrix of the smaller side
    # is from the identity
    gram = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
    off = np.abs(gram - np.eye(len(gram))).max()
    arrays = {"stats": np.array([w.min(), w.max(), w.mean(), w.std(), off])}
    return {"kind": "init", "initializer": name, "shape": list(shape)}, arrays


def main():
    keras.utils.set_random_seed(0)
    cases = {}
    for name, cls, kwargs, shapes in LAYERS:
        cases[name] = layer_case(cls, kwargs, shapes)
    for name, op, kwargs in OPS:
        cases[name] = op_case(op, kwargs)
    for init, shapes in INITS.items():
        for shape in shapes:
            cases[f"init_{init}_{'x'.join(map(str, shape))}"] = init_case(init, shape)
    save_cases(OUT, cases)
    print(f"{len(cases)} cases -> {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
