"""Record Keras 3's ConvLSTM1D/2D/3D and AdaptiveAveragePooling1D/2D/3D,
AdaptiveMaxPooling1D/2D/3D, for tests/test_reference_keras_conv_recurrent.py.

Run with a Python that has Keras 3 and JAX (not the project venv): ``make references``.

It writes tests/data/reference/keras_conv_recurrent.npz. Kinds of case:
  layer   spec: layer (class name), kwargs, states (how many initial states: 0 or 2), mask
          (null or a mask array's name), n_out, output_shape (compute_output_shape of a None
          batch: a list of shapes when return_state), weight_names, config (get_config's
          plain values: no name, dtype, trainable or serialized initializers; in a few
          cases, listed in CONFIGS).
          arrays: x, s0, s1 (initial states), mask, w0.. (random weights, get_weights
          order), y0.. (outputs: [output, h, c] with return_state), g_x, g_s0, g_s1 and
          gw0.. (gradients of sum(y_i * ct_i), ct_i = cotangent(shape, i), through
          stateless_call).
  stateful  a stateful ConvLSTM called on x then x2 (its states carried over): y0, y1.
  bias    a ConvLSTM's bias as built (unit_forget_bias): b.
  pool    spec: layer, kwargs, output_shape (of a None batch), free_shape (of unknown
          spatial sizes too), config (in a few); arrays x, y0, g_x.
The masked ConvLSTM cases run with unroll=True: Keras's JAX scan broadcasts a step's mask
(batch, 1) against the (batch, *spatial, filters) states and fails; its unrolled loop
tiles the mask and runs. Their first steps are never masked with initial states given
(there the unrolled loop outputs zeros, the scan and tensorkit the initial h), nor with
zero_output_for_mask (the unrolled loop ignores it; the scan and tensorkit output zeros
at masked steps: tests/test_layers_conv_recurrent.py checks that). The
AdaptiveMaxPooling inputs have no ties along 2 or 3 axes: Keras's JAX pools one axis at a
time, so a tie in a window's rows gets the gradient at the first of the column maxima,
where tensorkit (as PyTorch) takes the first maximum row by row (tests check that).
"""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from _keras import Cases, f32, keras  # noqa: E402

rng = np.random.default_rng(0)


def normal(shape, scale=1.0):
    """Normal draws on a grid of 1/32 (exact in float32, and the file compresses)."""
    return (np.round(rng.normal(size=shape) * scale * 32) / 32).astype(f32)


def cotangent(shape, i):
    n = int(np.prod(shape))
    return np.sin(1.0 + 0.7 * np.arange(n) + i).astype(f32).reshape(shape)


MASKS = {"right": np.array([[1, 1, 1, 1], [1, 1, 0, 0]], bool),
         "left": np.array([[1, 1, 1, 1], [0, 0, 1, 1]], bool),
         "holes": np.array([[1, 0, 1, 1], [1, 1, 0, 1]], bool)}
SEQ_STATE = {"return_sequences": True, "return_state": True}

# (case name, class, kwargs, input shape, initial states?, mask name)
LAYERS = [
    ("c1_valid", "ConvLSTM1D", {"filters": 2, "kernel_size": 3}, (2, 3, 7, 2), False, None),
    ("c1_same_seq_state", "ConvLSTM1D", {"filters": 2, "kernel_size": 3, "padding": "same",
                                         **SEQ_STATE}, (2, 4, 6, 2), False, None),
    ("c1_same_s2_odd", "ConvLSTM1D", {"filters": 2, "kernel_size": 4, "strides": 2,
                                      "padding": "same"}, (2, 3, 7, 1), False, None),
    ("c1_dilated_seq", "ConvLSTM1D", {"filters": 2, "kernel_size": 2, "dilation_rate": 2,
                                      "return_sequences": True}, (2, 3, 7, 2), False, None),
    ("c1_linear_no_forget_bias", "ConvLSTM1D", {"filters": 2, "kernel_size": 2,
                                                "activation": "linear",
                                                "unit_forget_bias": False,
                                                "return_state": True}, (2, 3, 5, 2), False,
     None),
    ("c2_valid", "ConvLSTM2D", {"filters": 2, "kernel_size": 3}, (1, 3, 5, 5, 2), False, None),
    ("c2_same_rect_seq", "ConvLSTM2D", {"filters": 2, "kernel_size": (3, 2), "padding": "same",
                                        "return_sequences": True}, (1, 3, 5, 4, 2), False,
     None),
    ("c2_same_s2_odd", "ConvLSTM2D", {"filters": 2, "kernel_size": 3, "strides": 2,
                                      "padding": "same"}, (2, 3, 5, 6, 1), False, None),
    ("c2_valid_s21", "ConvLSTM2D", {"filters": 2, "kernel_size": 2, "strides": (2, 1)},
     (1, 3, 5, 4, 2), False, None),
    ("c2_dilated_same", "ConvLSTM2D", {"filters": 2, "kernel_size": 2, "dilation_rate": 2,
                                       "padding": "same"}, (2, 2, 5, 5, 1), False, None),
    ("c2_backwards_seq_state", "ConvLSTM2D", {"filters": 2, "kernel_size": 3,
                                              "padding": "same", "go_backwards": True,
                                              **SEQ_STATE}, (2, 3, 4, 4, 1), False, None),
    ("c2_nobias_relu_hard_sigmoid", "ConvLSTM2D", {"filters": 2, "kernel_size": 2,
                                                   "use_bias": False, "activation": "relu",
                                                   "recurrent_activation": "hard_sigmoid",
                                                   "return_sequences": True},
     (1, 3, 4, 4, 2), False, None),
    ("c2_initial_state", "ConvLSTM2D", {"filters": 2, "kernel_size": 3, "padding": "same",
                                        **SEQ_STATE}, (2, 3, 4, 4, 1), True, None),
    ("c2_initial_state_valid", "ConvLSTM2D", {"filters": 2, "kernel_size": 2,
                                              "return_state": True}, (2, 3, 4, 5, 1), True,
     None),
    ("c2_mask_right", "ConvLSTM2D", {"filters": 2, "kernel_size": 3, "padding": "same",
                                     "unroll": True, **SEQ_STATE}, (2, 4, 4, 4, 1), False,
     "right"),
    ("c2_mask_left_backwards", "ConvLSTM2D", {"filters": 2, "kernel_size": 3,
                                              "padding": "same", "unroll": True,
                                              "go_backwards": True, **SEQ_STATE},
     (2, 4, 4, 4, 1), False, "left"),
    ("c2_mask_holes_initial_state", "ConvLSTM2D", {"filters": 2, "kernel_size": 2,
                                                   "padding": "same", "unroll": True,
                                                   **SEQ_STATE}, (2, 4, 3, 3, 1), True,
     "holes"),
    ("c1_mask_left", "ConvLSTM1D", {"filters": 2, "kernel_size": 3, "unroll": True,
                                    "return_sequences": True}, (2, 4, 6, 1), False, "left"),
    ("c3_valid", "ConvLSTM3D", {"filters": 2, "kernel_size": 2}, (1, 2, 3, 3, 3, 1), False,
     None),
    ("c3_same_strided_seq", "ConvLSTM3D", {"filters": 2, "kernel_size": (2, 3, 2),
                                           "strides": (1, 2, 1), "padding": "same",
                                           **SEQ_STATE}, (1, 2, 3, 4, 3, 1), False, None),
]

# (case name, class, kwargs, x shape of the first call, of the second)
STATEFUL = [
    ("c2_stateful", "ConvLSTM2D", {"filters": 2, "kernel_size": 3, "padding": "same",
                                   "stateful": True}, (2, 3, 4, 4, 1)),
    ("c1_stateful_seq", "ConvLSTM1D", {"filters": 3, "kernel_size": 2, "stateful": True,
                                       "return_sequences": True}, (2, 2, 5, 2)),
]

BIASES = [("bias_forget", "ConvLSTM2D", {"filters": 3, "kernel_size": 2}, (1, 2, 3, 3, 1)),
          ("bias_no_forget", "ConvLSTM1D", {"filters": 2, "kernel_size": 2,
                                            "unit_forget_bias": False,
                                            "bias_initializer": "ones"}, (1, 2, 3, 1))]


def distinct(shape):
    """Values with no ties (a shuffled range, scaled), so max pooling has one winner."""
    n = int(np.prod(shape))
    return (rng.permutation(n).astype(f32) * 0.37 - n * 0.15).reshape(shape)


def ties(shape):
    return rng.integers(0, 3, size=shape).astype(f32)


# (case name, class, kwargs, input)
POOLS = [
    ("avg1_5to3", "AdaptiveAveragePooling1D", {"output_size": 3}, normal((2, 5, 3))),
    ("max1_5to3", "AdaptiveMaxPooling1D", {"output_size": 3}, distinct((2, 5, 3))),
    ("avg1_7to5", "AdaptiveAveragePooling1D", {"output_size": (5,)}, normal((2, 7, 2))),
    ("max1_7to5", "AdaptiveMaxPooling1D", {"output_size": [5]}, distinct((2, 7, 2))),
    ("avg1_2to4_up", "AdaptiveAveragePooling1D", {"output_size": 4}, normal((2, 2, 3))),
    ("max1_3to5_up", "AdaptiveMaxPooling1D", {"output_size": 5}, distinct((2, 3, 2))),
    ("avg1_to1", "AdaptiveAveragePooling1D", {"output_size": 1}, normal((2, 7, 3))),
    ("max1_even", "AdaptiveMaxPooling1D", {"output_size": 3}, distinct((2, 9, 2))),
    ("max1_ties", "AdaptiveMaxPooling1D", {"output_size": 3}, ties((3, 8, 4))),
    ("max1_ties_overlap", "AdaptiveMaxPooling1D", {"output_size": 4}, ties((3, 5, 4))),
    ("avg2_7x5to3x2", "AdaptiveAveragePooling2D", {"output_size": (3, 2)},
     normal((2, 7, 5, 2))),
    ("max2_7x5to3x2", "AdaptiveMaxPooling2D", {"output_size": (3, 2)},
     distinct((2, 7, 5, 2))),
    ("avg2_int4", "AdaptiveAveragePooling2D", {"output_size": 4}, normal((1, 10, 9, 3))),
    ("max2_int4", "AdaptiveMaxPooling2D", {"output_size": 4}, distinct((1, 10, 9, 3))),
    ("avg2_to1", "AdaptiveAveragePooling2D", {"output_size": 1}, normal((2, 5, 6, 3))),
    ("max2_to1", "AdaptiveMaxPooling2D", {"output_size": (1, 1)}, distinct((2, 5, 6, 3))),
    ("avg2_up", "AdaptiveAveragePooling2D", {"output_size": (4, 5)}, normal((1, 2, 3, 2))),
    ("max2_up", "AdaptiveMaxPooling2D", {"output_size": (4, 5)}, distinct((1, 2, 3, 2))),
    ("avg2_mixed", "AdaptiveAveragePooling2D", {"output_size": (2, 5)}, normal((2, 6, 3, 1))),
    ("max2_mixed", "AdaptiveMaxPooling2D", {"output_size": (2, 5)}, distinct((2, 6, 3, 1))),
    ("avg3_5x4x3", "AdaptiveAveragePooling3D", {"output_size": (2, 3, 2)},
     normal((1, 5, 4, 3, 2))),
    ("max3_5x4x3", "AdaptiveMaxPooling3D", {"output_size": (2, 3, 2)},
     distinct((1, 5, 4, 3, 2))),
    ("avg3_int1", "AdaptiveAveragePooling3D", {"output_size": 1}, normal((2, 3, 2, 4, 1))),
    ("max3_int2", "AdaptiveMaxPooling3D", {"output_size": 2}, distinct((2, 3, 5, 4, 1))),
]


# the cases whose spec holds get_config too (the others' would repeat it)
CONFIGS = {"c1_valid", "c2_valid", "c3_valid", "c2_nobias_relu_hard_sigmoid",
           "c2_mask_right", "c3_same_strided_seq", "avg1_5to3", "max1_7to5",
           "avg2_7x5to3x2", "max2_int4", "avg3_int1", "max3_5x4x3"}


def plain_config(layer):
    config = layer.get_config()
    for key in ("name", "dtype", "trainable"):
        config.pop(key, None)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in config.items()
            if not isinstance(v, dict)}


def as_list(shape):
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return [list(s) for s in shape]
    return list(shape)


def layer_case(cls, kwargs, shape, with_states, mask_name):
    keras.utils.clear_session()
    layer = getattr(keras.layers, cls)(**kwargs)
    x = normal(shape)
    arrays = {"x": x}
    names = []
    if with_states:                 # h and c: the shape of one output step
        step_shape = getattr(keras.layers, cls)(**{**kwargs, "return_sequences": False,
                                                   "return_state": False}) \
            .compute_output_shape(shape)
        for i in range(2):
            arrays[f"s{i}"] = normal(step_shape, 0.5)
            names.append(f"s{i}")
    if mask_name:
        arrays["mask"] = MASKS[mask_name]
    mask = jnp.asarray(arrays["mask"]) if mask_name else None
    layer(x)
    weights = [normal(w.shape, 0.5) for w in layer.get_weights()]
    layer.set_weights(weights)
    tv = [v.value for v in layer.trainable_variables]
    ntv = [v.value for v in layer.non_trainable_variables]

    def run(tv, values):
        kw = {"mask": mask} if mask is not None else {}
        if names:
            kw["initial_state"] = [values[n] for n in names]
        out, _ = layer.stateless_call(tv, ntv, values["x"], **kw)
        return out if isinstance(out, (list, tuple)) else [out]

    values = {n: jnp.asarray(arrays[n]) for n in ["x"] + names}
    outs = [np.asarray(o) for o in run(tv, values)]
    cts = [cotangent(o.shape, i) for i, o in enumerate(outs)]

    def loss(tv, values):
        return sum(jnp.sum(a * c) for a, c in zip(run(tv, values), cts))

    g_tv, g_in = jax.grad(loss, argnums=(0, 1))(tv, values)
    for i, (w, g) in enumerate(zip(weights, g_tv)):
        arrays[f"w{i}"], arrays[f"gw{i}"] = w, np.asarray(g)
    for i, o in enumerate(outs):
        arrays[f"y{i}"] = o
    for n in ["x"] + names:
        arrays[f"g_{n}"] = np.asarray(g_in[n])
    spec = {"kind": "layer", "layer": cls, "kwargs": kwargs, "states": len(names),
            "mask": "mask" if mask_name else None, "n_out": len(outs),
            "output_shape": as_list(layer.compute_output_shape((None,) + shape[1:])),
            "weight_names": [w.name for w in layer.weights]}
    return spec, arrays


def stateful_case(cls, kwargs, shape):
    keras.utils.clear_session()
    layer = getattr(keras.layers, cls)(**kwargs)
    x, x2 = normal(shape), normal(shape)
    layer(x)
    weights = [normal(w.shape, 0.5) for w in layer.get_weights()]
    layer.set_weights(weights)
    layer.reset_states()
    arrays = {"x": x, "x2": x2, "y0": np.asarray(layer(x)), "y1": np.asarray(layer(x2))}
    arrays.update({f"w{i}": w for i, w in enumerate(weights)})
    return {"kind": "stateful", "layer": cls, "kwargs": kwargs}, arrays


def bias_case(cls, kwargs, shape):
    keras.utils.clear_session()
    layer = getattr(keras.layers, cls)(**kwargs)
    layer(normal(shape))
    return {"kind": "bias", "layer": cls, "kwargs": kwargs, "shape": list(shape)}, \
        {"b": np.asarray(layer.cell.bias.value)}


def pool_case(cls, kwargs, x):
    keras.utils.clear_session()
    layer = getattr(keras.layers, cls)(**kwargs)
    xj = jnp.asarray(x)
    y = np.asarray(layer(xj))
    g = jax.grad(lambda v: jnp.sum(layer(v) * cotangent(y.shape, 0)))(xj)
    rank = x.ndim - 2
    spec = {"kind": "pool", "layer": cls, "kwargs": kwargs,
            "output_shape": list(layer.compute_output_shape((None,) + x.shape[1:])),
            "free_shape": list(layer.compute_output_shape((None,) * (rank + 1) +
                                                          x.shape[-1:]))}
    return spec, {"x": x, "y0": y, "g_x": np.asarray(g)}


def main():
    cases = Cases("keras_conv_recurrent")
    for name, cls, kwargs, shape, states, mask in LAYERS:
        cases.add(name, *layer_case(cls, kwargs, shape, states, mask))
        if name in CONFIGS:
            cases[name][0]["config"] = plain_config(getattr(keras.layers, cls)(**kwargs))
    for name, cls, kwargs, shape in STATEFUL:
        cases.add(name, *stateful_case(cls, kwargs, shape))
    for name, cls, kwargs, shape in BIASES:
        cases.add(name, *bias_case(cls, kwargs, shape))
    for name, cls, kwargs, x in POOLS:
        cases.add(name, *pool_case(cls, kwargs, x))
        if name in CONFIGS:
            cases[name][0]["config"] = plain_config(getattr(keras.layers, cls)(**kwargs))
    out = cases.save()
    print(f"{len(cases)} cases -> {os.path.normpath(out)} ({os.path.getsize(out)} bytes)")


if __name__ == "__main__":
    main()
