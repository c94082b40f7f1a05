"""Record Keras 3's weight constraints: each constraint on given weights, and short fits in
which the optimizer projects constrained weights after every step (Dense, Conv2D,
Embedding, LSTM, BatchNormalization), with the layers' saved constraint configs.

Run by `make references` (or: KERAS_BACKEND=jax .venv-reference/bin/python
scripts/reference/keras_constraints.py); replayed by tests/test_reference_keras_constraints.py.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
from _keras import Cases, f32, keras  # noqa: E402

cases = Cases("keras_constraints")
rng = np.random.default_rng(77)


def normal(*shape, scale=1.0):
    return (rng.normal(size=shape) * scale).astype(f32)


# ---- a constraint on given weights -------------------------------------------------------
def apply_case(name, cls, config, w):
    out = getattr(keras.constraints, cls)(**config)(w)
    cases.add(name, {"kind": "apply", "cls": cls, "config": config}, {"w": w, "out": out})


dense_w = normal(4, 3, scale=1.5)
dense_w[:, 2] = 0.0                                   # a zero column: norm 0 stays 0
conv_w = normal(3, 3, 2, 4)
apply_case("maxnorm_default", "MaxNorm", {}, dense_w)
apply_case("maxnorm_small", "MaxNorm", {"max_value": 0.5}, dense_w)
apply_case("maxnorm_axis1", "MaxNorm", {"max_value": 1.0, "axis": 1}, dense_w)
apply_case("maxnorm_filters", "MaxNorm", {"max_value": 1.5, "axis": [0, 1, 2]}, conv_w)
apply_case("minmaxnorm", "MinMaxNorm", {"min_value": 1.0, "max_value": 2.0}, dense_w)
apply_case("minmaxnorm_rate", "MinMaxNorm",
           {"min_value": 0.5, "max_value": 1.0, "rate": 0.5, "axis": -1}, dense_w)
apply_case("nonneg", "NonNeg", {}, dense_w)
apply_case("unitnorm", "UnitNorm", {}, dense_w)
apply_case("unitnorm_filters", "UnitNorm", {"axis": [0, 1, 2]}, conv_w)
apply_case("unitnorm_last", "UnitNorm", {"axis": -1}, conv_w)


# ---- fits: the optimizer projects after each step ----------------------------------------
def constraint_config(layer_config):
    """The layer's constraint arguments as (class name, config) pairs, for the replay."""
    return {k: {"class_name": v["class_name"], "config": v["config"]}
            for k, v in layer_config.items() if k.endswith("_constraint") and v is not None}


def fit_case(name, input_shape, layer_cls, kwargs, x, y, loss="mse", optimizer="sgd",
             head=None):
    keras.utils.set_random_seed(0)
    layer = getattr(keras.layers, layer_cls)(**kwargs)
    stack = [keras.Input(input_shape), layer] + ([head] if head is not None else [])
    model = keras.Sequential(stack)
    init = [normal(*w.shape, scale=0.8) for w in model.get_weights()]
    model.set_weights(init)
    model.compile(optimizer=keras.optimizers.get({"class_name": optimizer[0],
                                                  "config": optimizer[1]}), loss=loss)
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    arrays = {"x": x, "y": y, **{f"init{i}": v for i, v in enumerate(init)},
              **{f"final{i}": v for i, v in enumerate(model.get_weights())}}
    cases.add(name, {"kind": "fit", "layer": layer_cls, "kwargs": kwargs,
                     "input_shape": list(input_shape), "loss": loss, "optimizer": optimizer,
                     "head": head.get_config()["units"] if head is not None else None,
                     "constraints": constraint_config(layer.get_config())}, arrays)


x2 = normal(24, 5)
fit_case("dense_maxnorm_nonneg", (5,), "Dense",
         {"units": 3, "kernel_constraint": {"class_name": "MaxNorm",
                                            "config": {"max_value": 0.7, "axis": 0}},
          "bias_constraint": "non_neg"}, x2, normal(24, 3, scale=3.0),
         optimizer=("SGD", {"learning_rate": 0.5}))
fit_case("dense_unitnorm_adam", (5,), "Dense",
         {"units": 2, "kernel_constraint": "unit_norm"}, x2, normal(24, 2),
         optimizer=("Adam", {"learning_rate": 0.1}))
fit_case("conv_filters_maxnorm", (6, 6, 2), "Conv2D",
         {"filters": 3, "kernel_size": 3,
          "kernel_constraint": {"class_name": "MaxNorm",
                                "config": {"max_value": 0.5, "axis": [0, 1, 2]}}},
         normal(16, 6, 6, 2), normal(16, 4, 4, 3), optimizer=("SGD", {"learning_rate": 0.3}))
fit_case("embedding_minmax", (4,), "Embedding",
         {"input_dim": 7, "output_dim": 3,
          "embeddings_constraint": {"class_name": "MinMaxNorm",
                                    "config": {"min_value": 0.5, "max_value": 1.0,
                                               "rate": 0.7, "axis": 1}}},
         rng.integers(0, 7, (16, 4)).astype("int32"), normal(16, 4, 3),
         optimizer=("SGD", {"learning_rate": 0.5}))
fit_case("lstm_recurrent_maxnorm", (5, 3), "LSTM",
         {"units": 4, "recurrent_constraint": "max_norm", "bias_constraint": "non_neg",
          "kernel_constraint": {"class_name": "UnitNorm", "config": {"axis": 0}}},
         normal(16, 5, 3), normal(16, 4), optimizer=("RMSprop", {"learning_rate": 0.05}))
fit_case("batchnorm_gamma_nonneg", (4,), "BatchNormalization",
         {"gamma_constraint": "non_neg", "beta_constraint": {"class_name": "MaxNorm",
                                                             "config": {"max_value": 0.3}}},
         normal(24, 4, scale=2.0), normal(24, 4), optimizer=("SGD", {"learning_rate": 0.8}))

out = cases.save()
print(f"{len(cases)} cases, {os.path.getsize(out) / 1024:.0f} KB -> {out}")
