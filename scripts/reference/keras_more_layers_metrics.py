"""Record Keras 3's EinsumDense, Hashing, PearsonCorrelation / ConcordanceCorrelation and
compile(weighted_metrics=...) fits, for tests/test_reference_keras_more_layers_metrics.py.

Run with a Python that has Keras 3, JAX *and TensorFlow* (Keras' Hashing calls TensorFlow's
string hashes even on JAX), as ``make references`` does:

    KERAS_BACKEND=jax .venv-reference/bin/python scripts/reference/keras_more_layers_metrics.py

It writes tests/data/reference/keras_more_layers_metrics.npz. Kinds of case:

- "einsum": an EinsumDense with random weights: input `x0`, weights `w0..`, output `y`,
  gradients of sum(y * ct) for the input `gx0` and weights `gw0..` (jax.grad through
  stateless_call), Keras's compute_output_shape of a None batch, weight names and shapes.
- "einsum_init": statistics of a seeded glorot_uniform kernel (its fans come from the
  equation's input and output letters).
- "config": a layer's get_config (plain values) built from `kwargs`.
- "hashing": Keras' Hashing on strings or numbers: `y` (bin ids or encoded rows) and the
  output's shape; "hash_raw": what Hashing calls for the bins, TensorFlow's
  to_hash_bucket_fast / to_hash_bucket_strong, on strings of 0-300 UTF-8 bytes (every
  branch of FarmHash and SipHash) with 2**63 - 1 buckets, so nearly all 64 bits show.
- "corr_fn": pearson_correlation / concordance_correlation on arrays; "metric": a metric
  object's result after each of several update_state calls.
- "fit": a small model fitted with metrics and weighted_metrics and sample_weight (or
  class_weight): History keys and values, final weights, evaluate with sample weights.
"""
# isort: skip_file

# _keras first: it selects Keras' JAX backend
from _keras import Cases, Draws, f32, logging_model
import jax
import jax.numpy as jnp
import keras
import numpy as np

try:
    import tensorflow as tf
except ImportError:                    # pragma: no cover - a message for the recorder's user
    raise SystemExit("keras_more_layers_metrics.py needs TensorFlow too (Keras' Hashing "
                     "hashes with it): run it in make references' venv.") from None

cases = Cases("keras_more_layers_metrics")
add = cases.add
draw = Draws(20251125)
rng = draw.rng
normal = draw.normal


def cotangent(shape):
    """The fixed cotangent of a case's output (tests/reference.py's formula)."""
    return np.sin(np.arange(np.prod(shape)) * 1.7 + 0.3).reshape(shape).astype(f32)


def plain(value):
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    return value


def config_case(name, layer):
    cfg = {k: plain(v) for k, v in layer.get_config().items()
           if k not in ("name", "dtype", "trainable") and not isinstance(v, dict)}
    add(name, {"kind": "config", "layer": type(layer).__name__, "config": cfg}, {})


# ---- EinsumDense ------------------------------------------------------------------------------
# (case name, kwargs, input shape)
EINSUM = [
    ("dense_like", {"equation": "ab,bc->ac", "output_shape": 4, "bias_axes": "c",
                    "activation": "relu"}, (3, 5)),
    ("no_bias", {"equation": "ab,bc->ac", "output_shape": [3]}, (2, 4)),
    ("per_step", {"equation": "abc,cd->abd", "output_shape": [None, 4], "bias_axes": "d"},
     (2, 5, 3)),
    ("per_step_known", {"equation": "abc,cd->abd", "output_shape": [5, 4],
                        "activation": "tanh"}, (2, 5, 3)),
    ("heads", {"equation": "abc,cde->abde", "output_shape": [None, 2, 3], "bias_axes": "de"},
     (2, 4, 3)),
    ("heads_bias_be", {"equation": "abc,cde->abde", "output_shape": [4, 2, 3],
                       "bias_axes": "be"}, (2, 4, 3)),
    ("two_axes_in", {"equation": "abcd,cde->abe", "output_shape": [None, 3], "bias_axes": "e"},
     (2, 2, 3, 4)),
    ("kernel_out_only", {"equation": "ab,bcd->acd", "output_shape": [3, 2], "bias_axes": "cd"},
     (3, 4)),
    ("bias_on_input_letter", {"equation": "abc,cd->abd", "output_shape": [5, 4],
                              "bias_axes": "b"}, (2, 5, 3)),
    ("ellipsis_left", {"equation": "...b,bc->...c", "output_shape": 3, "bias_axes": "c"},
     (2, 5)),
    ("ellipsis_left_rank4", {"equation": "...b,bc->...c", "output_shape": 3, "bias_axes": "c"},
     (2, 4, 5, 3)),
    ("ellipsis_left_two", {"equation": "...bc,cd->...bd", "output_shape": [2, 6],
                           "bias_axes": "d"}, (3, 4, 2, 5)),
    ("ellipsis_right", {"equation": "ab...,bc->ac...", "output_shape": [3], "bias_axes": "c"},
     (2, 4, 5)),
]


def grads(fn, args, ct):
    """Gradients of sum(fn(*args) * ct) for each of args."""
    return jax.grad(lambda *a: jnp.sum(fn(*a) * ct), argnums=tuple(range(len(args))))(*args)


def stateless(layer):
    state = [v.value for v in layer.non_trainable_variables]
    return lambda tv, x: layer.stateless_call(tv, state, x)[0]


for name, kwargs, shape in EINSUM:
    x = normal(*shape)
    layer = keras.layers.EinsumDense(**kwargs)
    layer(x)
    weights = [normal(*w.shape) * 0.5 for w in layer.get_weights()]
    layer.set_weights(weights)
    y = np.asarray(layer(x))
    gw, gx = grads(stateless(layer), ([w.value for w in layer.trainable_weights],
                                      jnp.asarray(x)), cotangent(y.shape))
    arrays = {"x0": x, "y": y, "gx0": np.asarray(gx),
              **{f"w{i}": w for i, w in enumerate(weights)},
              **{f"gw{i}": np.asarray(g) for i, g in enumerate(gw)}}
    add(f"einsum_{name}", {
        "kind": "einsum", "kwargs": kwargs,
        "output_shape": plain(layer.compute_output_shape((None,) + shape[1:])),
        "weight_names": [w.name for w in layer.weights],
        "weight_shapes": [list(w.shape) for w in layer.weights]}, arrays)

# glorot_uniform's fans: input letters (c) in, output letters (d, e) out, not a conv's
for name, kwargs, shape in [
        ("init_heads", {"equation": "abc,cde->abde", "output_shape": [None, 8, 16]}, (None, 5, 32)),
        ("init_two_in", {"equation": "abcd,cde->abe", "output_shape": [None, 64]},
         (None, 3, 8, 16))]:
    layer = keras.layers.EinsumDense(**kwargs, kernel_initializer=keras.initializers.GlorotUniform(
        seed=3))
    layer.build(shape)
    k = np.asarray(layer.get_weights()[0])
    add(f"einsum_{name}", {"kind": "einsum_init", "kwargs": kwargs, "input_shape": list(shape)},
        {"std": np.array(k.std(), f32), "absmax": np.array(np.abs(k).max(), f32)})

config_case("cfg_einsum", keras.layers.EinsumDense("abc,cd->abd", (None, 4), bias_axes="d",
                                                   activation="relu"))
config_case("cfg_einsum_int", keras.layers.EinsumDense("ab,bc->ac", 8))


# ---- Hashing ---------------------------------------------------------------------------------
def hashing_case(name, kwargs, x):
    layer = keras.layers.Hashing(**kwargs)
    y = np.asarray(layer(x))
    add(f"hashing_{name}", {"kind": "hashing", "kwargs": kwargs,
                            "output_shape": plain(layer.compute_output_shape(np.shape(x)))},
        {"x": np.asarray(x), "y": y})


WORDS = np.array([["cat"], ["dog"], ["fish"], [""], ["Cat"], ["héllo"], ["日本"], ["dog"]])
SEQ = np.array([["a", "b", "c", "a"], ["the", "cat", "sat", ""], ["x", "x", "x", "x"]])
INTS = np.array([[0], [1], [2], [-3], [42], [2 ** 40], [-(2 ** 62)], [7]], np.int64)
hashing_case("strings", {"num_bins": 3}, WORDS)
hashing_case("strings_many_bins", {"num_bins": 2 ** 31 - 1}, WORDS)
hashing_case("strings_rank1", {"num_bins": 10}, WORDS[:, 0])
hashing_case("strings_seq", {"num_bins": 7}, SEQ)
hashing_case("mask_str", {"num_bins": 5, "mask_value": ""}, SEQ)
hashing_case("mask_one_bin", {"num_bins": 1, "mask_value": ""}, SEQ)
hashing_case("salt_int", {"num_bins": 11, "salt": 133}, WORDS)
hashing_case("salt_pair", {"num_bins": 11, "salt": [133, 137]}, SEQ)
hashing_case("salt_big", {"num_bins": 1000, "salt": [2 ** 62 + 5, 12345]}, WORDS)
hashing_case("ints", {"num_bins": 9}, INTS)
hashing_case("ints_mask", {"num_bins": 9, "mask_value": 0}, INTS)
hashing_case("ints_salt", {"num_bins": 9, "salt": 7}, INTS)
hashing_case("floats_cut", {"num_bins": 9}, np.array([[1.7], [-1.7], [2.0], [-0.5]], f32))
hashing_case("one_hot", {"num_bins": 4, "output_mode": "one_hot"}, WORDS)
hashing_case("one_hot_rank1", {"num_bins": 4, "output_mode": "one_hot"}, WORDS[:, 0])
hashing_case("one_hot_seq", {"num_bins": 5, "output_mode": "one_hot"}, SEQ)
hashing_case("multi_hot", {"num_bins": 6, "output_mode": "multi_hot"}, SEQ)
hashing_case("multi_hot_rank1", {"num_bins": 6, "output_mode": "multi_hot"}, SEQ[0])
hashing_case("count", {"num_bins": 6, "output_mode": "count"}, SEQ)
hashing_case("count_mask", {"num_bins": 6, "output_mode": "count", "mask_value": ""}, SEQ)
hashing_case("count_ints", {"num_bins": 5, "output_mode": "count"}, INTS.reshape(2, 4))

# TensorFlow's hashes themselves: random UTF-8 texts of 0-300 bytes
ALPHABET = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-_") + \
    ["é", "ß", "日", "本", "€", "😀"]
texts = []
for n in list(range(0, 80)) + list(range(80, 301, 7)):
    s = ""
    while len(s.encode()) < n:
        s += ALPHABET[rng.integers(len(ALPHABET))]
    texts.append(s)
texts = np.array(texts)
BUCKETS = 2 ** 63 - 1
raw = {"texts": texts,
       "fast": tf.strings.to_hash_bucket_fast(texts, BUCKETS).numpy(),
       "strong_133_137": tf.strings.to_hash_bucket_strong(texts, BUCKETS, [133, 137]).numpy(),
       "strong_big": tf.strings.to_hash_bucket_strong(texts, BUCKETS, [2 ** 62 + 5, -9]).numpy()}
add("hash_raw", {"kind": "hash_raw", "buckets": BUCKETS,
                 "keys": {"strong_133_137": [133, 137], "strong_big": [2 ** 62 + 5, -9]}}, raw)

config_case("cfg_hashing", keras.layers.Hashing(num_bins=5, salt=3, output_mode="count"))
config_case("cfg_hashing_mask", keras.layers.Hashing(num_bins=5, mask_value="[PAD]"))


# ---- correlation metrics -------------------------------------------------------------------
def corr_fn_case(name, fn, y_true, y_pred, axis=-1):
    value = getattr(keras.metrics, fn)(y_true, y_pred, axis=axis)
    add(f"fn_{name}", {"kind": "corr_fn", "fn": fn, "axis": axis},
        {"y_true": y_true, "y_pred": y_pred, "value": np.asarray(value)})


T, P = normal(4, 5), normal(4, 5)
P[1] = T[1] * 2.0 + 1.0                                  # a perfect line: pearson 1, ccc not
P[2] = -T[2]
TC = T.copy()
TC[3] = 0.5                                              # a constant row: nan
for fn in ("pearson_correlation", "concordance_correlation"):
    short = fn.split("_")[0]
    corr_fn_case(f"{short}_rows", fn, T, P)
    corr_fn_case(f"{short}_constant_row", fn, TC, P)
    corr_fn_case(f"{short}_axis0", fn, T, P, axis=0)
    corr_fn_case(f"{short}_rank1", fn, T[0], P[0])
    corr_fn_case(f"{short}_column", fn, T[:, :1], P[:, 0])       # (N, 1) against (N,)
    corr_fn_case(f"{short}_rank3", fn, normal(2, 3, 4), normal(2, 3, 4))
    corr_fn_case(f"{short}_axes", fn, normal(2, 3, 4), normal(2, 3, 4), axis=[1, 2])
    corr_fn_case(f"{short}_int_labels", fn, rng.integers(0, 4, (3, 6)).astype(np.int32),
                 normal(3, 6))


def metric_case(name, cls, config, updates):
    m = getattr(keras.metrics, cls)(**config)
    arrays = {}
    for i, (t, p, wt) in enumerate(updates):
        m.update_state(t, p, **({} if wt is None else {"sample_weight": wt}))
        arrays.update({f"r{i}": np.asarray(m.result()), f"t{i}": t, f"p{i}": p,
                       **({} if wt is None else {f"w{i}": wt})})
    m.reset_state()
    arrays["reset"] = np.asarray(m.result())
    add(f"metric_{name}", {"kind": "metric", "cls": cls, "config": config, "n": len(updates),
                           "name": m.name, "keras_config": plain(m.get_config())}, arrays)


def updates(shapes, weighted=False):
    return [(normal(*s), normal(*s) * 0.5 + 0.3, draw.rng.random(s[0]).astype(f32)
             if weighted else None) for s in shapes]


for cls in ("PearsonCorrelation", "ConcordanceCorrelation"):
    short = cls[:-len("Correlation")].lower()
    metric_case(f"{short}_batches", cls, {}, updates([(4, 5), (2, 5), (6, 5)]))
    metric_case(f"{short}_weighted", cls, {}, updates([(4, 5), (3, 5)], weighted=True))
    # axis=0: one value per column of each batch, averaged over batches and columns
    metric_case(f"{short}_axis0", cls, {"axis": 0}, updates([(6, 3), (4, 3), (5, 3)]))
    metric_case(f"{short}_named", cls, {"name": "corr", "axis": -1}, updates([(3, 4)]))


# ---- fits with weighted_metrics ---------------------------------------------------------------
X, XV = normal(40, 4), normal(12, 4)
SW, SWV = draw.rng.random(40).astype(f32) * 2, draw.rng.random(12).astype(f32) * 2
add("fit_data", {"kind": "data"}, {"x": X, "xv": XV, "sw": SW, "swv": SWV})
METRIC_CLASSES = {"PearsonCorrelation": keras.metrics.PearsonCorrelation,
                  "ConcordanceCorrelation": keras.metrics.ConcordanceCorrelation}


def objects(specs):
    """Names stay names; [class name, config] pairs become metric objects."""
    return [s if isinstance(s, str) else METRIC_CLASSES[s[0]](**s[1]) for s in specs]


def fit_case(name, kind, compile_kw, y, yv, weights="sample"):
    keras.utils.set_random_seed(0)
    model = logging_model(kind)
    init = [rng.normal(size=v.shape).astype(f32) * 0.5 for v in model.get_weights()]
    model.set_weights(init)
    kw = {k: objects(v) if k.endswith("metrics") else v for k, v in compile_kw.items()}
    model.compile(**kw)
    given = {"sample_weight": SW} if weights == "sample" else \
        {"class_weight": {0: 0.5, 1: 3.0}}
    hist = model.fit(X, y, epochs=2, batch_size=16, shuffle=False, verbose=0,
                     validation_data=(XV, yv, SWV), **given)
    ev = model.evaluate(XV, yv, sample_weight=SWV, batch_size=5, verbose=0, return_dict=True)
    arrays = {"y": y, "yv": yv, **{f"init{i}": v for i, v in enumerate(init)},
              **{f"final{i}": v for i, v in enumerate(model.get_weights())},
              **{f"h_{k}": np.array(v, f32) for k, v in hist.history.items()},
              "evaluate": np.array(list(ev.values()), f32)}
    add(f"fit_{name}", {"kind": "fit", "model": kind, "compile": compile_kw, "weights": weights,
                        "history_keys": list(hist.history), "evaluate_keys": list(ev)}, arrays)


YR, YRV = normal(40, 2), normal(12, 2)
YB, YBV = draw.bits(40, 1), draw.bits(12, 1)
fit_case("reg", "reg", {"optimizer": "adam", "loss": "mse",
                        "metrics": ["mae", ["PearsonCorrelation", {}]],
                        "weighted_metrics": ["mae", "mse",
                                             ["ConcordanceCorrelation", {}]]}, YR, YRV)
fit_case("reg_weighted_only", "reg", {"optimizer": "sgd", "loss": "mae",
                                      "weighted_metrics": ["mse", "mae"]}, YR, YRV)
fit_case("reg_repeats", "reg", {"optimizer": "adam", "loss": "mse",
                                "metrics": ["mae", "mae"], "weighted_metrics": ["mae", "mae"]},
         YR, YRV)
fit_case("binary_class_weight", "binary",
         {"optimizer": "adam", "loss": "binary_crossentropy", "metrics": ["accuracy"],
          "weighted_metrics": ["accuracy", "binary_crossentropy"]}, YB, YBV, weights="class")

print(cases.save())
