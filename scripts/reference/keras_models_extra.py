"""Record Keras 3's GroupNormalization, UnitNormalization, AdditiveAttention and
LayerNormalization(rms_scaling=True), and whole-model training runs (a CNN, an
Embedding+LSTM text model, a GRU with TimeDistributed, BatchNormalization, a two-input
functional model), for tests/test_reference_keras_models_extra.py.

Run with a Python that has Keras 3 and JAX (not the project venv):

    make references

(which runs KERAS_BACKEND=jax .venv-reference/bin/python scripts/reference/keras_models_extra.py).

It writes tests/data/reference/keras_models_extra.npz. "layer" cases are as in
keras_layers_core.py: inputs `x0..`, weights `w0..`, output `y`, gradients of
sum(y * cotangent) for inputs `gx0..` and weights `gw0..` (jax.grad through
`stateless_call`), masks `m0..` and call kwargs `call`, and compute_output_shape for a None
batch. "fit" cases hold a model's initial weights `init0..`, the data, the History of
fit(epochs=3, batch_size=16, validation_split=0.2, shuffle=False) (40 samples for training:
batches of 16, 16 and 8), the weights after fit `final0..` (BatchNormalization's moving
statistics included), evaluate() and predict().
"""

import os
import sys
import warnings

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests"))
from reference import save_cases  # noqa: E402

assert keras.backend.backend() == "jax", "run with KERAS_BACKEND=jax"
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "reference",
                   "keras_models_extra.npz")
rng = np.random.default_rng(7)
f32 = np.float32
L = keras.layers


def normal(*shape):
    return rng.normal(size=shape).astype(f32)


def cotangent(shape):
    """The fixed cotangent of a case's output (a formula, so the file needn't hold it)."""
    return np.sin(np.arange(np.prod(shape)) * 1.7 + 0.3).reshape(shape).astype(f32)


# (case name, Keras layer class, kwargs, input shapes, masks, call kwargs)
LAYERS = [
    ("group_norm", "GroupNormalization", {"groups": 2}, (3, 5, 4), None, {}),
    ("group_norm_4d", "GroupNormalization", {"groups": 3, "epsilon": 1e-2}, (2, 3, 4, 6),
     None, {}),
    ("group_norm_axis1", "GroupNormalization", {"groups": 2, "axis": 1}, (2, 4, 3, 2),
     None, {}),
    ("group_norm_instance", "GroupNormalization", {"groups": -1, "center": False},
     (2, 5, 3), None, {}),
    ("group_norm_layer", "GroupNormalization", {"groups": 1, "scale": False}, (3, 6),
     None, {}),
    ("unit_norm", "UnitNormalization", {}, (3, 5), None, {}),
    ("unit_norm_axes", "UnitNormalization", {"axis": [1, 2]}, (2, 3, 4), None, {}),
    ("unit_norm_axis1", "UnitNormalization", {"axis": 1}, (2, 3, 4), None, {}),
    ("layer_norm_rms", "LayerNormalization", {"rms_scaling": True}, (3, 6), None, {}),
    ("layer_norm_rms_axes", "LayerNormalization", {"rms_scaling": True, "axis": [1, 2]},
     (2, 3, 4), None, {}),
    ("additive", "AdditiveAttention", {}, [(2, 3, 4), (2, 5, 4)], None, {}),
    ("additive_key", "AdditiveAttention", {}, [(2, 3, 4), (2, 5, 4), (2, 5, 4)], None, {}),
    ("additive_noscale", "AdditiveAttention", {"use_scale": False}, [(2, 3, 4), (2, 5, 4)],
     None, {}),
    ("additive_masks", "AdditiveAttention", {}, [(2, 4, 3), (2, 5, 3)],
     [[[1, 1, 1, 0], [1, 1, 0, 0]], [[1, 1, 1, 1, 0], [1, 1, 0, 0, 0]]], {}),
    ("additive_causal", "AdditiveAttention", {}, [(2, 4, 3), (2, 4, 3)], None,
     {"use_causal_mask": True}),
    ("additive_causal_vmask", "AdditiveAttention", {}, [(2, 4, 3), (2, 4, 3)],
     [None, [[1, 1, 1, 0], [0, 1, 1, 1]]], {"use_causal_mask": True}),
    ("additive_scores", "AdditiveAttention", {}, [(2, 3, 4), (2, 5, 4)],
     [None, [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]], {"return_attention_scores": True}),
]


def layer_case(cls, kwargs, shapes, masks, call_kw):
    multi = isinstance(shapes, list)
    xs = [normal(*s) for s in (shapes if multi else [shapes])]
    layer = getattr(keras.layers, cls)(**kwargs)
    arg = xs if multi else xs[0]
    mask = None if masks is None else [None if m is None else np.array(m, bool) for m in masks]
    kw = dict(call_kw, **({} if mask is None else {"mask": mask}))
    layer(arg, **kw)
    weights = [normal(*w.shape) * 0.5 + (1.0 if w.name == "gamma" else 0.0)
               for w in layer.weights]
    layer.set_weights(weights)
    out = layer(arg, **kw)
    scores = None
    if call_kw.get("return_attention_scores"):
        out, scores = out
    y = np.asarray(out)
    ct = cotangent(y.shape)

    def run(tv, xs):
        res, _ = layer.stateless_call(tv, [], xs if multi else xs[0], **kw)
        return jnp.sum((res[0] if scores is not None else res) * ct)

    gw, gx = jax.grad(run, argnums=(0, 1))([jnp.asarray(w) for w in weights],
                                           [jnp.asarray(x) for x in xs])
    none = [(None,) + tuple(s[1:]) for s in shapes] if multi else (None,) + tuple(shapes[1:])
    spec = {"kind": "layer", "layer": cls, "kwargs": kwargs, "multi": multi,
            "call": call_kw, "output_shape": list(layer.compute_output_shape(none)),
            "config": {k: v for k, v in layer.get_config().items()
                       if k in ("groups", "axis", "epsilon", "center", "scale", "use_scale",
                                "dropout", "rms_scaling")},
            "weight_names": [w.name for w in layer.weights]}
    arrays = {"y": y}
    if scores is not None:
        arrays["scores"] = np.asarray(scores)
    for i, x in enumerate(xs):
        arrays[f"x{i}"], arrays[f"gx{i}"] = x, np.asarray(gx[i])
    for i, w in enumerate(weights):
        arrays[f"w{i}"], arrays[f"gw{i}"] = w, np.asarray(gw[i])
    for i, m in enumerate(mask or []):
        if m is not None:
            arrays[f"m{i}"] = m
    return spec, arrays


# ---- whole models ------------------------------------------------------------------------
N = 50                       # validation_split=0.2: 40 to train (16 + 16 + 8), 10 to validate


def cnn(flatten):
    return keras.Sequential([
        keras.Input((8, 8, 2)), L.Conv2D(4, 3, padding="same", activation="relu"),
        L.MaxPooling2D(), L.Conv2D(5, 3), L.Flatten() if flatten else L.GlobalAveragePooling2D(),
        L.Dense(3, activation="softmax")])


def text():
    return keras.Sequential([keras.Input((7,), dtype="int32"),
                             L.Embedding(12, 4, mask_zero=True), L.LSTM(5),
                             L.Dense(1, activation="sigmoid")])


def gru_td():
    return keras.Sequential([keras.Input((6, 3)), L.GRU(5, return_sequences=True),
                             L.TimeDistributed(L.Dense(3, activation="softmax"))])


def batchnorm():
    return keras.Sequential([keras.Input((5,)), L.Dense(8, use_bias=False),
                             L.BatchNormalization(momentum=0.8),
                             L.Activation("relu"), L.Dense(6, use_bias=False),
                             L.BatchNormalization(center=False, epsilon=0.01),
                             L.Dense(3, activation="softmax")])


def two_inputs():
    a, b = keras.Input((4,), name="a"), keras.Input((3,), name="b")
    h = L.Concatenate()([L.Dense(5, activation="tanh")(a), L.Dense(2, activation="relu")(b)])
    return keras.Model([a, b], L.Dense(2)(h))


def padded_ids():
    ids = rng.integers(1, 12, (N, 7))
    lengths = rng.integers(1, 8, N)
    for i, n in enumerate(lengths):                  # zero padding after, some before
        ids[i, n:] = 0
        if i % 3 == 0:
            ids[i] = np.roll(ids[i], 7 - n)
    return ids.astype("int32")


MODELS = {
    "cnn_gap": (lambda: cnn(False), lambda: (normal(N, 8, 8, 2), rng.integers(0, 3, N)),
                {"optimizer": "adam", "loss": "sparse_categorical_crossentropy",
                 "metrics": ["accuracy"]}),
    "cnn_flatten": (lambda: cnn(True), lambda: (normal(N, 8, 8, 2), rng.integers(0, 3, N)),
                    {"optimizer": "adam", "loss": "sparse_categorical_crossentropy",
                     "metrics": ["accuracy"]}),
    # init 0.4: some softmax outputs fall below 1e-7 and Keras (JAX) clips them
    "cnn_flatten_saturated": (lambda: cnn(True),
                              lambda: (normal(N, 8, 8, 2), rng.integers(0, 3, N)),
                              {"optimizer": "adam", "loss": "sparse_categorical_crossentropy",
                               "metrics": ["accuracy"]}),
    "text_lstm": (text, lambda: (padded_ids(), (rng.random(N) > 0.5).astype(f32)),
                  {"optimizer": "adam", "loss": "binary_crossentropy",
                   "metrics": ["accuracy"]}),
    "gru_td": (gru_td, lambda: (normal(N, 6, 3), rng.integers(0, 3, (N, 6))),
               {"optimizer": "rmsprop", "loss": "sparse_categorical_crossentropy",
                "metrics": ["accuracy"]}),
    "batchnorm": (batchnorm, lambda: (normal(N, 5) * 2 + 1, rng.integers(0, 3, N)),
                  {"optimizer": "adam", "loss": "sparse_categorical_crossentropy",
                   "metrics": ["accuracy"]}),
    "two_inputs": (two_inputs, lambda: ([normal(N, 4), normal(N, 3)], normal(N, 2)),
                   {"optimizer": "adam", "loss": "mse", "metrics": ["mae"]}),
}


def fit_case(name):
    build, data, compile_kw = MODELS[name]
    keras.utils.set_random_seed(1)
    model = build()
    x, y = data()
    xs = x if isinstance(x, list) else [x]
    scale = 0.4 if name == "cnn_flatten_saturated" else 0.2 if name == "cnn_flatten" else 0.4
    init = [normal(*w.shape) * scale + (1.0 if "gamma" in w.path or "variance" in w.path
                                      else 0.0) for w in model.weights]
    model.set_weights(init)
    model.compile(**compile_kw)
    hist = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.2, shuffle=False,
                     verbose=0)
    arrays = {f"x{i}": v for i, v in enumerate(xs)}
    arrays["y"] = np.asarray(y)
    arrays.update({f"init{i}": w for i, w in enumerate(init)})
    arrays.update({f"final{i}": w for i, w in enumerate(model.get_weights())})
    arrays.update({f"h_{k}": np.array(v, f32) for k, v in hist.history.items()})
    arrays["evaluate"] = np.array(model.evaluate(x, y, verbose=0), f32)
    arrays["predict"] = model.predict(x, batch_size=16, verbose=0)
    spec = {"kind": "fit", "model": name, "compile": compile_kw, "multi": len(xs) > 1,
            "history_keys": list(hist.history),
            "weight_paths": [w.path for w in model.weights]}
    return spec, arrays


def main():
    keras.utils.set_random_seed(0)
    warnings.simplefilter("ignore")          # rms_scaling's deprecation warning
    cases = {}
    for name, cls, kwargs, shapes, masks, call_kw in LAYERS:
        cases[name] = layer_case(cls, kwargs, shapes, masks, call_kw)
    for name in MODELS:
        cases[f"fit_{name}"] = fit_case(name)
    save_cases(OUT, cases)
    print(f"{len(cases)} cases -> {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
