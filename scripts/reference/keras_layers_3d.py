"""Record Keras 3's volumetric layers (Conv3D, Conv3DTranspose, MaxPooling3D,
AveragePooling3D, GlobalAveragePooling3D, GlobalMaxPooling3D, UpSampling3D, ZeroPadding3D,
Cropping3D) and the 1-D SeparableConv1D and DepthwiseConv1D, for
tests/test_reference_keras_layers_3d.py.

Run by `make references` (or: KERAS_BACKEND=jax .venv-reference/bin/python
scripts/reference/keras_layers_3d.py). It writes tests/data/reference/keras_layers_3d.npz.

Each "layer" case builds the Keras layer from `kwargs` on input `x0` (channels last, the
only layout tensorkit has), gives it random weights `w0..` with set_weights, and stores the
output `y`, the gradients of sum(y * ct) (ct: tests/reference.py's `cotangent`) for the
input `gx0` and the weights `gw0..` (jax.grad through `stateless_call`), the
`compute_output_shape` of a None batch, Keras's weight names and its get_config (without
name, dtype and trainable; serialized initializers left out). The inputs sit where the
libraries could differ: odd sizes with padding="same" and strides, even kernels, dilation,
groups, output_padding, tied maxima (integer inputs) and overlapping windows. "aliases"
lists Keras's other names of these classes (``keras.layers.MaxPool3D is MaxPooling3D``).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from _keras import Cases, f32, keras  # noqa: E402

cases = Cases("keras_layers_3d")
rng = np.random.default_rng(303)


def normal(*shape):
    return rng.normal(size=shape).astype(f32)


def ties(*shape):
    """Small integers: many tied maxima in every window, as after a ReLU."""
    return rng.integers(0, 3, shape).astype(f32)


def cotangent(shape):
    """The fixed cotangent of a case's output (the formula of tests/reference.py)."""
    return np.sin(np.arange(np.prod(shape)) * 1.7 + 0.3).reshape(shape).astype(f32)


# (case name, Keras layer class, kwargs, input: a shape or an array)
LAYERS = [
    ("conv3d_valid", "Conv3D", {"filters": 3, "kernel_size": 3}, (2, 4, 5, 4, 2)),
    ("conv3d_same_s2_odd", "Conv3D", {"filters": 2, "kernel_size": (3, 2, 3), "strides": 2,
                                      "padding": "same"}, (1, 5, 4, 7, 2)),
    ("conv3d_valid_strides", "Conv3D", {"filters": 2, "kernel_size": 2,
                                        "strides": (1, 2, 3)}, (1, 4, 5, 7, 3)),
    ("conv3d_same_even_kernel", "Conv3D", {"filters": 2, "kernel_size": (2, 4, 2),
                                           "padding": "same", "activation": "relu"},
     (1, 3, 5, 4, 2)),
    ("conv3d_dilated_same", "Conv3D", {"filters": 2, "kernel_size": 2,
                                       "dilation_rate": (2, 1, 2), "padding": "same"},
     (1, 5, 3, 5, 2)),
    ("conv3d_dilated_valid_nobias", "Conv3D", {"filters": 3, "kernel_size": 2,
                                               "dilation_rate": 2, "use_bias": False,
                                               "activation": "tanh"}, (1, 4, 5, 4, 2)),
    ("conv3d_many_channels", "Conv3D", {"filters": 2, "kernel_size": 2, "strides": 2,
                                        "padding": "same"}, (1, 3, 4, 3, 6)),
    ("conv3d_groups", "Conv3D", {"filters": 4, "kernel_size": 2, "groups": 2},
     (1, 3, 3, 4, 4)),
    ("conv3d_k1", "Conv3D", {"filters": 3, "kernel_size": 1}, (2, 2, 3, 2, 2)),

    ("conv3dt_valid", "Conv3DTranspose", {"filters": 2, "kernel_size": 2}, (1, 2, 3, 2, 3)),
    ("conv3dt_valid_s2", "Conv3DTranspose", {"filters": 2, "kernel_size": 3, "strides": 2},
     (1, 2, 2, 3, 2)),
    ("conv3dt_same_s2", "Conv3DTranspose", {"filters": 3, "kernel_size": 3, "strides": 2,
                                            "padding": "same"}, (1, 2, 3, 2, 2)),
    ("conv3dt_same_even_kernel", "Conv3DTranspose", {"filters": 2, "kernel_size": (4, 2, 4),
                                                     "strides": (2, 1, 2),
                                                     "padding": "same"}, (1, 2, 3, 2, 2)),
    ("conv3dt_output_padding", "Conv3DTranspose", {"filters": 2, "kernel_size": 3,
                                                   "strides": (2, 3, 2),
                                                   "output_padding": (1, 2, 0)},
     (1, 2, 2, 2, 2)),
    ("conv3dt_dilated", "Conv3DTranspose", {"filters": 2, "kernel_size": 2,
                                            "dilation_rate": 2, "activation": "relu"},
     (1, 2, 3, 2, 2)),
    ("conv3dt_many_channels", "Conv3DTranspose", {"filters": 5, "kernel_size": 2,
                                                  "strides": 2, "use_bias": False},
     (1, 2, 2, 2, 5)),

    ("maxpool3d_default_odd", "MaxPooling3D", {}, (2, 4, 5, 5, 2)),
    ("maxpool3d_same_s2", "MaxPooling3D", {"pool_size": 3, "strides": 2, "padding": "same"},
     (1, 5, 4, 5, 2)),
    ("maxpool3d_valid_strides", "MaxPooling3D", {"pool_size": (2, 3, 2),
                                                 "strides": (1, 2, 1)}, (1, 3, 5, 4, 2)),
    ("maxpool3d_ties", "MaxPooling3D", {"pool_size": 2}, ties(1, 4, 4, 4, 2)),
    ("maxpool3d_ties_overlap", "MaxPooling3D", {"pool_size": 2, "strides": 1},
     ties(1, 3, 4, 3, 2)),
    ("maxpool3d_ties_same", "MaxPooling3D", {"pool_size": 3, "strides": 2, "padding": "same"},
     ties(1, 4, 3, 5, 1)),
    ("avgpool3d_valid", "AveragePooling3D", {"pool_size": 2}, (2, 4, 5, 4, 2)),
    ("avgpool3d_same_s2_odd", "AveragePooling3D", {"pool_size": 3, "strides": 2,
                                                   "padding": "same"}, (1, 5, 4, 5, 2)),
    ("avgpool3d_same_mixed", "AveragePooling3D", {"pool_size": (2, 1, 3),
                                                  "strides": (1, 1, 2), "padding": "same"},
     (1, 3, 2, 5, 2)),
    ("avgpool3d_overlap", "AveragePooling3D", {"pool_size": 2, "strides": 1},
     (1, 3, 3, 3, 2)),

    ("gap3d", "GlobalAveragePooling3D", {}, (2, 3, 4, 2, 3)),
    ("gap3d_keepdims", "GlobalAveragePooling3D", {"keepdims": True}, (2, 2, 3, 2, 3)),
    ("gmp3d", "GlobalMaxPooling3D", {}, (2, 3, 2, 4, 3)),
    ("gmp3d_keepdims_ties", "GlobalMaxPooling3D", {"keepdims": True}, ties(2, 2, 3, 2, 2)),

    ("upsampling3d_default", "UpSampling3D", {}, (1, 2, 3, 2, 2)),
    ("upsampling3d_mixed", "UpSampling3D", {"size": (1, 2, 3)}, (2, 2, 2, 2, 2)),
    ("zeropad3d_default", "ZeroPadding3D", {}, (1, 2, 3, 2, 2)),
    ("zeropad3d_int", "ZeroPadding3D", {"padding": 2}, (1, 1, 2, 1, 2)),
    ("zeropad3d_per_axis", "ZeroPadding3D", {"padding": (1, 0, 2)}, (1, 2, 2, 2, 2)),
    ("zeropad3d_pairs", "ZeroPadding3D", {"padding": ((0, 1), (2, 0), (1, 1))},
     (1, 2, 2, 3, 2)),
    ("cropping3d_default", "Cropping3D", {}, (1, 3, 4, 5, 2)),
    ("cropping3d_per_axis", "Cropping3D", {"cropping": (1, 0, 2)}, (1, 3, 3, 5, 2)),
    ("cropping3d_pairs", "Cropping3D", {"cropping": ((0, 1), (2, 0), (1, 2))},
     (1, 3, 4, 5, 2)),

    ("sepconv1d_valid", "SeparableConv1D", {"filters": 3, "kernel_size": 3}, (2, 7, 2)),
    ("sepconv1d_same_s2_dm2", "SeparableConv1D", {"filters": 4, "kernel_size": 3,
                                                  "strides": 2, "padding": "same",
                                                  "depth_multiplier": 2}, (2, 7, 3)),
    ("sepconv1d_same_even", "SeparableConv1D", {"filters": 2, "kernel_size": 4,
                                                "padding": "same", "activation": "relu"},
     (2, 5, 3)),
    ("sepconv1d_dilated_nobias", "SeparableConv1D", {"filters": 2, "kernel_size": 3,
                                                     "dilation_rate": 2, "use_bias": False,
                                                     "activation": "tanh"}, (2, 8, 2)),
    ("dwconv1d_valid", "DepthwiseConv1D", {"kernel_size": 3}, (2, 7, 3)),
    ("dwconv1d_same_s2_dm3", "DepthwiseConv1D", {"kernel_size": 3, "strides": 2,
                                                 "padding": "same", "depth_multiplier": 3},
     (2, 7, 2)),
    ("dwconv1d_same_even", "DepthwiseConv1D", {"kernel_size": 2, "padding": "same",
                                               "depth_multiplier": 2}, (2, 5, 2)),
    ("dwconv1d_dilated_nobias", "DepthwiseConv1D", {"kernel_size": 3, "dilation_rate": 2,
                                                    "use_bias": False,
                                                    "activation": "relu"}, (2, 8, 3)),
]

ALIASES = ["Convolution3D", "Convolution3DTranspose", "MaxPool3D", "AvgPool3D",
           "GlobalAvgPool3D", "GlobalMaxPool3D", "SeparableConvolution1D"]


def plain_config(layer):
    """get_config without what depends on the instance, and without serialized objects
    (initializers: dicts), which tensorkit writes as names."""
    config = layer.get_config()
    for key in ("name", "dtype", "trainable"):
        config.pop(key, None)
    return {k: v for k, v in config.items() if not isinstance(v, dict)}


def layer_case(name, cls, kwargs, given):
    x = normal(*given) if isinstance(given, tuple) else given
    layer = getattr(keras.layers, cls)(**kwargs)
    layer(x)
    weights = [normal(*w.shape) * 0.5 for w in layer.get_weights()]
    layer.set_weights(weights)
    y = np.asarray(layer(x))
    trainable = [w.value for w in layer.trainable_weights]

    def run(tv, x):
        return layer.stateless_call(tv, [], x)[0]

    gw, gx = jax.grad(lambda tv, x: jnp.sum(run(tv, x) * cotangent(y.shape)),
                      argnums=(0, 1))(trainable, jnp.asarray(x))
    arrays = {"x0": x, "y": y, "gx0": np.asarray(gx)}
    arrays.update({f"w{i}": w for i, w in enumerate(weights)})
    arrays.update({f"gw{i}": np.asarray(g) for i, g in enumerate(gw)})
    spec = {"kind": "layer", "layer": cls, "kwargs": kwargs,
            "output_shape": list(layer.compute_output_shape((None,) + x.shape[1:])),
            "weight_names": [w.name for w in layer.weights], "config": plain_config(layer)}
    cases.add(name, spec, arrays)


def main():
    keras.utils.set_random_seed(0)
    for name, cls, kwargs, given in LAYERS:
        layer_case(name, cls, kwargs, given)
    cases.add("aliases", {"kind": "aliases", "aliases": {
        alias: getattr(keras.layers, alias).__name__ for alias in ALIASES}}, {})
    out = cases.save()
    print(f"{len(cases)} cases -> {os.path.normpath(out)} ({os.path.getsize(out)} bytes)")


if __name__ == "__main__":
    main()
