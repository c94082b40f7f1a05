"""Record Keras 3 losses, metrics, optimizers and fit/evaluate/predict as reference cases.

Run (needs keras 3 + jax; writes tests/data/reference/keras_training.npz):

    make references

(which runs KERAS_BACKEND=jax .venv-reference/bin/python scripts/reference/keras_training.py).

tests/test_reference_keras_training.py replays every case with tensorkit. Spec kinds:
``loss`` (a Loss class: value and d value / d y_pred), ``loss_fn`` (a loss by string
name), ``metric`` (a Metric over several update_state calls, then reset_state),
``metric_fn`` (a metric by string name), ``acc`` (what "accuracy"/"acc" resolves to for
given label and output shapes), ``schedule`` (learning rates at steps 0..7), ``opt``
(weights after 5 steps from fixed gradients) and ``fit`` (a small MLP trained with
fit / evaluate / predict / train_on_batch / test_on_batch).
"""
# isort: skip_file

import os

# _keras first: it selects Keras' JAX backend
from _keras import Cases, Draws, f32, loss_name_case, stepped_optimizer
import jax
import keras
import numpy as np
from keras.src.trainers.compile_utils import get_metric

cases = Cases("keras_training")
add = cases.add
draw = Draws(20240611)
rng = draw.rng
probs, onehot, sigm, bits, normal = draw.probs, draw.onehot, draw.sigm, draw.bits, draw.normal


# ---- losses: classes ---------------------------------------------------------------------
def loss_case(name, cls, config, y_true, y_pred, sw=None):
    loss = getattr(keras.losses, cls)(**config)
    kw = {} if sw is None else {"sample_weight": sw}

    def f(p):
        return loss(y_true, p, **kw)
    try:
        value = np.asarray(f(y_pred))
        grad = np.asarray(jax.grad(lambda p: f(p).sum())(y_pred))
    except Exception as e:                 # Keras refuses: recorded so tensorkit's choice shows
        add(name, {"kind": "loss", "cls": cls, "config": config, "error": type(e).__name__},
            {"y_true": y_true, "y_pred": y_pred, **({} if sw is None else {"sw": sw})})
        return
    arrays = {"y_true": y_true, "y_pred": y_pred, "value": value, "grad": grad}
    if sw is not None:
        arrays["sw"] = sw
    add(name, {"kind": "loss", "cls": cls, "config": config}, arrays)


N = 5
yt, yp = normal(N, 3), normal(N, 3)
sw = rng.random(N).astype(f32)
for red in ["sum_over_batch_size", "sum", "none", "mean", "mean_with_sample_weight"]:
    loss_case(f"mse_{red}", "MeanSquaredError", {"reduction": red}, yt, yp, sw)
loss_case("mse_plain", "MeanSquaredError", {}, yt, yp)
loss_case("mse_1d", "MeanSquaredError", {}, normal(N), normal(N))
loss_case("mse_col_vs_flat", "MeanSquaredError", {}, normal(N), normal(N, 1))
loss_case("mse_sw_col", "MeanSquaredError", {}, yt, yp, sw[:, None])
y3t, y3p = normal(N, 4, 2), normal(N, 4, 2)
loss_case("mse_3d_sw_timestep", "MeanSquaredError", {}, y3t, y3p, rng.random((N, 4)).astype(f32))
loss_case("mse_3d_sw_sample", "MeanSquaredError", {}, y3t, y3p, sw)
loss_case("mae", "MeanAbsoluteError", {}, yt, yp, sw)
loss_case("mae_sum", "MeanAbsoluteError", {"reduction": "sum"}, yt, yp)
loss_case("huber", "Huber", {}, 2 * yt, 2 * yp)
loss_case("huber_delta", "Huber", {"delta": 0.5, "reduction": "none"}, 2 * yt, 2 * yp, sw)
kt, kp = probs(N, 4), probs(N, 4)
kt[0, 1] = 0.0
kp[1, 2] = 0.0
loss_case("kld", "KLDivergence", {}, kt, kp)
loss_case("kld_none", "KLDivergence", {"reduction": "none"}, kt, kp, sw)

bt, bp = bits(N, 1), sigm(N, 1)
loss_case("bce", "BinaryCrossentropy", {}, bt, bp)
loss_case("bce_sw", "BinaryCrossentropy", {}, bt, bp, sw)
loss_case("bce_flat_labels", "BinaryCrossentropy", {}, bt[:, 0], bp)
loss_case("bce_logits", "BinaryCrossentropy", {"from_logits": True}, bt, 3 * normal(N, 1))
edge = np.array([[0.0], [1.0], [0.0], [1.0], [0.5]], f32)
loss_case("bce_edge_probs", "BinaryCrossentropy", {}, np.array([[0], [1], [1], [0], [1]], f32),
          edge)
loss_case("bce_smooth", "BinaryCrossentropy", {"label_smoothing": 0.1}, bt, bp)
loss_case("bce_smooth_logits", "BinaryCrossentropy",
          {"label_smoothing": 0.2, "from_logits": True}, bt, normal(N, 1))
mt, mp = bits(N, 3), sigm(N, 3)
loss_case("bce_multilabel", "BinaryCrossentropy", {"reduction": "none"}, mt, mp)
loss_case("bce_axis0", "BinaryCrossentropy", {"axis": 0, "reduction": "none"}, mt, mp)
loss_case("bce_sum", "BinaryCrossentropy", {"reduction": "sum"}, mt, mp, sw)

ids = rng.integers(0, 4, N)
ct, cp = onehot(ids, 4), probs(N, 4)
loss_case("cce", "CategoricalCrossentropy", {}, ct, cp)
loss_case("cce_sw", "CategoricalCrossentropy", {"reduction": "sum"}, ct, cp, sw)
loss_case("cce_unnormalized", "CategoricalCrossentropy", {}, ct, 3 * cp + 0.1)
cedge = np.eye(4, dtype=f32)[[0, 1, 2, 3, 0]]
loss_case("cce_edge_probs", "CategoricalCrossentropy", {}, ct, cedge)
loss_case("cce_logits", "CategoricalCrossentropy", {"from_logits": True}, ct, 3 * normal(N, 4))
loss_case("cce_smooth", "CategoricalCrossentropy", {"label_smoothing": 0.1}, ct, cp)
loss_case("cce_smooth_logits", "CategoricalCrossentropy",
          {"label_smoothing": 0.3, "from_logits": True}, ct, normal(N, 4))
loss_case("cce_soft_labels", "CategoricalCrossentropy", {"reduction": "none"}, probs(N, 4), cp)
ids3 = rng.integers(0, 4, (N, 3))
loss_case("cce_3d", "CategoricalCrossentropy", {}, onehot(ids3, 4), probs(N, 3, 4),
          rng.random((N, 3)).astype(f32))
loss_case("cce_axis0", "CategoricalCrossentropy", {"axis": 0}, ct, cp)

loss_case("scce", "SparseCategoricalCrossentropy", {}, ids.astype(f32), cp)
loss_case("scce_int_col", "SparseCategoricalCrossentropy", {}, ids[:, None].astype("int32"), cp)
loss_case("scce_sw", "SparseCategoricalCrossentropy", {"reduction": "none"}, ids.astype(f32),
          cp, sw)
loss_case("scce_logits", "SparseCategoricalCrossentropy", {"from_logits": True},
          ids.astype(f32), 3 * normal(N, 4))
loss_case("scce_edge_probs", "SparseCategoricalCrossentropy", {}, ids.astype(f32), cedge)
loss_case("scce_3d", "SparseCategoricalCrossentropy", {}, ids3.astype(f32), probs(N, 3, 4))
loss_case("scce_3d_logits_sw_timestep", "SparseCategoricalCrossentropy", {"from_logits": True},
          ids3.astype(f32), normal(N, 3, 4), rng.random((N, 3)).astype(f32))
loss_case("scce_3d_sw_sample", "SparseCategoricalCrossentropy", {}, ids3.astype(f32),
          probs(N, 3, 4), sw)
loss_case("scce_sum", "SparseCategoricalCrossentropy", {"reduction": "sum"}, ids.astype(f32),
          cp, sw)
ign = ids3.copy()
ign[0, 1] = ign[2, 0] = 1
loss_case("scce_ignore_class", "SparseCategoricalCrossentropy",
          {"ignore_class": 1, "from_logits": True}, ign.astype(f32), normal(N, 3, 4))

# ---- losses: by string name (keras.losses.get) -------------------------------------------
NAMES = {"mse": "reg", "MSE": "reg", "mean_squared_error": "reg", "mae": "reg", "MAE": "reg",
         "mean_absolute_error": "reg", "huber": "reg", "huber_loss": "reg", "kld": "prob",
         "KLD": "prob", "kl_divergence": "prob", "binary_crossentropy": "bin",
         "categorical_crossentropy": "cat", "sparse_categorical_crossentropy": "sparse",
         "MeanSquaredError": "reg", "MeanAbsoluteError": "reg", "Huber": "reg",
         "KLDivergence": "prob", "BinaryCrossentropy": "bin",
         "CategoricalCrossentropy": "cat", "SparseCategoricalCrossentropy": "sparse"}
DATA = {"reg": (yt, yp), "prob": (kt, kp), "bin": (mt, mp), "cat": (ct, cp),
        "sparse": (ids.astype(f32), cp)}
for name, data in NAMES.items():
    t, p = DATA[data]
    loss_name_case(cases, name, t, p)


# ---- metrics -----------------------------------------------------------------------------
def metric_case(name, cls, config, updates):
    m = getattr(keras.metrics, cls)(**config)
    arrays = {}
    for i, (t, p, w) in enumerate(updates):
        m.update_state(t, p, **({} if w is None else {"sample_weight": w}))
        arrays.update({f"t{i}": t, f"p{i}": p, f"r{i}": np.asarray(m.result())})
        if w is not None:
            arrays[f"w{i}"] = w
    m.reset_state()
    arrays["reset"] = np.asarray(m.result())
    add(name, {"kind": "metric", "cls": cls, "config": config, "n": len(updates),
               "name": m.name}, arrays)


def w(n):
    return rng.random(n).astype(f32)


metric_case("m_binacc", "BinaryAccuracy", {},
            [(bits(6, 1), sigm(6, 1), None), (bits(3, 1), sigm(3, 1), w(3)),
             (bits(4, 1), sigm(4, 1), None)])
metric_case("m_binacc_thr", "BinaryAccuracy", {"threshold": 0.7},
            [(bits(6, 3), sigm(6, 3), None), (bits(3, 3), sigm(3, 3), w(3))])
metric_case("m_binacc_flat", "BinaryAccuracy", {},
            [(bits(6), sigm(6), None), (bits(2), sigm(2), None)])
metric_case("m_binacc_flat_labels", "BinaryAccuracy", {},
            [(bits(6), sigm(6, 1), None), (bits(3), sigm(3, 1), w(3))])
metric_case("m_binacc_soft_labels", "BinaryAccuracy", {},
            [(np.array([[0.9], [0.1], [1.0], [0.6]], f32), sigm(4, 1), None)])
metric_case("m_catacc", "CategoricalAccuracy", {},
            [(onehot(rng.integers(0, 3, 6), 3), probs(6, 3), None),
             (onehot(rng.integers(0, 3, 3), 3), probs(3, 3), w(3))])
metric_case("m_sparseacc", "SparseCategoricalAccuracy", {},
            [(rng.integers(0, 3, 6).astype(f32), probs(6, 3), None),
             (rng.integers(0, 3, (3, 1)).astype(f32), probs(3, 3), w(3)),
             (rng.integers(0, 3, 5).astype(f32), probs(5, 3), w(5))])
metric_case("m_sparseacc_3d", "SparseCategoricalAccuracy", {},
            [(rng.integers(0, 3, (4, 5)).astype(f32), probs(4, 5, 3), None),
             (rng.integers(0, 3, (2, 5)).astype(f32), probs(2, 5, 3), w(2))])
ai = rng.integers(0, 3, (6, 2)).astype(f32)
ap = ai.copy()
ap[1, 0] = ap[4, 1] = 7
metric_case("m_accuracy", "Accuracy", {},
            [(ai, ap, None), (ai[:3, :1], ap[:3, :1], w(3))])
metric_case("m_mse", "MeanSquaredError", {},
            [(normal(4, 3), normal(4, 3), None), (normal(2, 3), normal(2, 3), w(2))])
metric_case("m_mae", "MeanAbsoluteError", {},
            [(normal(4, 3), normal(4, 3), w(4)), (normal(2, 3), normal(2, 3), None)])


def mean_case(name, updates):
    m = keras.metrics.Mean()
    arrays = {}
    for i, (v, wt) in enumerate(updates):
        m.update_state(v, **({} if wt is None else {"sample_weight": wt}))
        arrays.update({f"v{i}": v, f"r{i}": np.asarray(m.result())})
        if wt is not None:
            arrays[f"w{i}"] = wt
    m.reset_state()
    arrays["reset"] = np.asarray(m.result())
    add(name, {"kind": "mean", "n": len(updates), "name": m.name}, arrays)


mean_case("m_mean", [(normal(4), None), (normal(3), w(3)), (normal(2, 3), None),
                     (np.array(2.5, f32), None)])

METRIC_DATA = {"accuracy": (ai, ap), "binary_accuracy": (mt, mp),
               "categorical_accuracy": (ct, cp),
               "sparse_categorical_accuracy": (ids.astype(f32), cp)}
for name in ["accuracy", "binary_accuracy", "categorical_accuracy",
             "sparse_categorical_accuracy", "mean_squared_error", "mean_absolute_error"]:
    if not hasattr(keras.metrics, name):                # keras.metrics has no "accuracy"
        continue
    t, p = METRIC_DATA.get(name, (yt, yp))              # the per-sample functions
    add(f"metricfn_{name}", {"kind": "metric_fn", "name": name},
        {"y_true": t, "y_pred": p, "value": np.asarray(getattr(keras.metrics, name)(t, p))})
for name in ["accuracy", "acc", "binary_accuracy", "categorical_accuracy",
             "sparse_categorical_accuracy", "mse", "mae", "mean_squared_error",
             "mean_absolute_error", "MeanSquaredError", "BinaryAccuracy"]:
    try:                                                # keras.metrics.get: a Metric object
        m = keras.metrics.get(name)
    except Exception as e:
        add(f"metricname_{name}", {"kind": "metric_get", "name": name,
                                   "error": type(e).__name__}, {})
        continue
    t, p = METRIC_DATA.get(name, METRIC_DATA.get(m.name, (yt, yp)))
    add(f"metricname_{name}", {"kind": "metric_get", "name": name, "cls": type(m).__name__,
                               "obj_name": m.name},
        {"y_true": t, "y_pred": p, "value": np.asarray(m(t, p))})

for ident in ["accuracy", "acc"]:
    for ts, ps in [((8,), (8, 1)), ((8, 1), (8, 1)), ((8,), (8, 3)), ((8, 1), (8, 3)),
                   ((8, 3), (8, 3)), ((8, 5), (8, 5, 3)), ((8, 5, 3), (8, 5, 3))]:
        m = get_metric(ident, np.zeros(ts, f32), np.zeros(ps, f32))
        tag = "x".join(map(str, ts)) + "_" + "x".join(map(str, ps))
        add(f"acc_{ident}_{tag}", {"kind": "acc", "identifier": ident, "y_true": ts,
                                   "y_pred": ps, "cls": type(m).__name__, "name": m.name}, {})

# ---- learning-rate schedules and optimizers -------------------------------------------------
S = keras.optimizers.schedules
SCHEDULES = {
    "exp": ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 2,
                                 "decay_rate": 0.5}),
    "exp_stair": ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 3,
                                       "decay_rate": 0.5, "staircase": True}),
    "inv": ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 1,
                                 "decay_rate": 0.5}),
    "inv_stair": ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 2,
                                       "decay_rate": 1.0, "staircase": True}),
    "piecewise": ("PiecewiseConstantDecay", {"boundaries": [1, 3],
                                             "values": [0.1, 0.05, 0.01]}),
    "cosine": ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 4, "alpha": 0.1}),
    "cosine_warmup": ("CosineDecay", {"initial_learning_rate": 0.0, "decay_steps": 3,
                                      "warmup_target": 0.1, "warmup_steps": 2}),
}
for key, (cls, cfg) in SCHEDULES.items():
    sched = getattr(S, cls)(**cfg)
    add(f"sched_{key}", {"kind": "schedule", "cls": cls, "config": cfg},
        {"lr": np.array([float(sched(i)) for i in range(8)], f32)})

W0 = [normal(3, 2), normal(2)]
GRADS = [[normal(3, 2) * 2, normal(2) * 2] for _ in range(5)]
OPTS = {
    "sgd": ("SGD", {}), "sgd_momentum": ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    "sgd_nesterov": ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    "sgd_wd": ("SGD", {"learning_rate": 0.1, "weight_decay": 0.05}),
    "sgd_clipnorm": ("SGD", {"learning_rate": 0.1, "clipnorm": 0.5}),
    "sgd_global_clipnorm": ("SGD", {"learning_rate": 0.1, "global_clipnorm": 1.0}),
    "sgd_clipvalue": ("SGD", {"learning_rate": 0.1, "clipvalue": 0.3}),
    "adam": ("Adam", {}), "adam_lr": ("Adam", {"learning_rate": 0.05, "beta_1": 0.8}),
    "adam_amsgrad": ("Adam", {"learning_rate": 0.05, "amsgrad": True}),
    "adam_eps": ("Adam", {"learning_rate": 0.05, "epsilon": 0.1}),
    "adam_wd": ("Adam", {"learning_rate": 0.05, "weight_decay": 0.1}),
    "adam_clipvalue": ("Adam", {"learning_rate": 0.05, "clipvalue": 0.5}),
    "adamw": ("AdamW", {}), "adamw_wd": ("AdamW", {"learning_rate": 0.05,
                                                  "weight_decay": 0.2}),
    "adamw_amsgrad_clip": ("AdamW", {"learning_rate": 0.05, "amsgrad": True,
                                     "global_clipnorm": 1.0}),
    "rmsprop": ("RMSprop", {}), "rmsprop_momentum": ("RMSprop", {"learning_rate": 0.01,
                                                                "momentum": 0.5}),
    "rmsprop_centered": ("RMSprop", {"learning_rate": 0.01, "centered": True}),
    "rmsprop_centered_momentum": ("RMSprop", {"learning_rate": 0.01, "centered": True,
                                              "momentum": 0.9, "rho": 0.8}),
    "rmsprop_clipnorm": ("RMSprop", {"learning_rate": 0.01, "clipnorm": 1.0}),
    "adagrad": ("Adagrad", {}), "adagrad_init": ("Adagrad", {"learning_rate": 0.1,
                                                            "initial_accumulator_value": 0.5,
                                                            "epsilon": 1e-3}),
    "adagrad_wd": ("Adagrad", {"learning_rate": 0.1, "weight_decay": 0.1}),
}
for key in ["exp", "exp_stair", "inv", "piecewise", "cosine", "cosine_warmup"]:
    OPTS[f"sgd_sched_{key}"] = ("SGD", {"learning_rate": SCHEDULES[key], "momentum": 0.5})
OPTS["adam_sched_inv_stair"] = ("Adam", {"learning_rate": SCHEDULES["inv_stair"]})
OPTS["rmsprop_sched_exp"] = ("RMSprop", {"learning_rate": SCHEDULES["exp"]})

for key, (cls, cfg) in OPTS.items():
    opt, ws, lrs, config = stepped_optimizer(cls, cfg, W0, GRADS)
    arrays = {"w0": W0[0], "b0": W0[1], "w": np.asarray(ws[0]), "b": np.asarray(ws[1]),
              "lrs": lrs, "iterations": np.asarray(opt.iterations)}
    for i, (gw, gb) in enumerate(GRADS):
        arrays[f"gw{i}"], arrays[f"gb{i}"] = gw, gb
    add(f"opt_{key}", {"kind": "opt", "cls": cls, "config": cfg, "keras_config": config},
        arrays)


# ---- whole training: fit / evaluate / predict ------------------------------------------------
def mlp(kind):
    L = keras.layers
    if kind == "mlp":
        layers = [L.Dense(8, activation="relu"), L.Dense(3, activation="softmax")]
    elif kind == "mlp_dropout":
        layers = [L.Dense(8, activation="relu"), L.Dropout(0.0),
                  L.Dense(3, activation="softmax")]
    elif kind == "binary":
        layers = [L.Dense(6, activation="tanh"), L.Dense(1, activation="sigmoid")]
    else:
        layers = [L.Dense(6, activation="tanh"), L.Dense(2)]
    return keras.Sequential([keras.Input((4,))] + layers)


X = normal(40, 4)
Y = rng.integers(0, 3, 40)
XV, YV = normal(10, 4), rng.integers(0, 3, 10)


def fit_case(name, kind, compile_kw, fit_kw, y=Y, yv=YV, extra=()):
    keras.utils.set_random_seed(0)
    model = mlp(kind)
    weights = [rng.normal(size=w.shape).astype(f32) * 0.5 for w in model.get_weights()]
    model.set_weights(weights)
    model.compile(**compile_kw)
    kw = dict(fit_kw)
    arrays = {"x": X, "y": y, "xv": XV, "yv": yv,
              **{f"init{i}": v for i, v in enumerate(weights)}}
    if kw.pop("val_data", False):
        kw["validation_data"] = (XV, yv)
    for k in ("sample_weight", "class_weight"):
        if k in kw and k == "sample_weight":
            arrays["sw"] = kw[k]
    hist = model.fit(X, y, verbose=0, shuffle=False, **kw)
    spec = {"kind": "fit", "model": kind, "compile": compile_kw,
            "fit": {k: v for k, v in fit_kw.items() if k != "sample_weight"},
            "history_keys": list(hist.history), "has_sw": "sample_weight" in fit_kw,
            "extra": list(extra)}
    if "class_weight" in fit_kw:
        spec["fit"]["class_weight"] = {str(k): v for k, v in fit_kw["class_weight"].items()}
    for k, v in hist.history.items():
        arrays[f"h_{k}"] = np.array(v, f32)
    for i, v in enumerate(model.get_weights()):
        arrays[f"final{i}"] = v
    ev = model.evaluate(XV, yv, batch_size=4, verbose=0)
    arrays["evaluate"] = np.array(ev, f32)
    spec["evaluate_is_list"] = isinstance(ev, list)
    evd = model.evaluate(XV, yv, batch_size=4, verbose=0, return_dict=True)
    spec["evaluate_dict_keys"] = list(evd)
    arrays["evaluate_dict"] = np.array(list(evd.values()), f32)
    arrays["predict"] = model.predict(XV, batch_size=3, verbose=0)
    if "on_batch" in extra:
        tb = [model.train_on_batch(X[:8], y[:8]), model.train_on_batch(X[8:12], y[8:12]),
              model.train_on_batch(X[:5], y[:5], return_dict=True)]
        spec["train_on_batch_dict_keys"] = list(tb[2])
        arrays["train_on_batch"] = np.array([np.atleast_1d(tb[0]), np.atleast_1d(tb[1]),
                                             list(tb[2].values())], f32)
        sb = [model.test_on_batch(XV[:4], yv[:4]), model.test_on_batch(XV[4:], yv[4:])]
        arrays["test_on_batch"] = np.array([np.atleast_1d(v) for v in sb], f32)
        arrays["after_on_batch"] = np.concatenate([v.ravel() for v in model.get_weights()])
        arrays["evaluate_after"] = np.array(model.evaluate(XV, yv, verbose=0), f32)
    add(name, spec, arrays)


ADAM = {"optimizer": "adam", "loss": "sparse_categorical_crossentropy",
        "metrics": ["accuracy"]}
fit_case("fit_split", "mlp", ADAM, {"epochs": 3, "batch_size": 16, "validation_split": 0.25},
         extra=["on_batch"])
fit_case("fit_valdata", "mlp", ADAM, {"epochs": 3, "batch_size": 16, "val_data": True})
fit_case("fit_dropout", "mlp_dropout", ADAM, {"epochs": 3, "batch_size": 16,
                                              "validation_split": 0.25})
fit_case("fit_noval_nometrics", "mlp", {"optimizer": "sgd",
                                        "loss": "sparse_categorical_crossentropy"},
         {"epochs": 2, "batch_size": 16}, extra=["on_batch"])
fit_case("fit_sample_weight", "mlp", ADAM, {"epochs": 3, "batch_size": 16,
                                            "validation_split": 0.25,
                                            "sample_weight": rng.random(40).astype(f32)})
fit_case("fit_class_weight", "mlp", ADAM, {"epochs": 3, "batch_size": 16, "val_data": True,
                                           "class_weight": {0: 1.0, 1: 3.0, 2: 0.5}})
YB, YBV = (Y == 1).astype(f32), (YV == 1).astype(f32)
fit_case("fit_binary", "binary", {"optimizer": "rmsprop", "loss": "binary_crossentropy",
                                  "metrics": ["acc"]},
         {"epochs": 3, "batch_size": 16, "val_data": True}, y=YB, yv=YBV)
YR, YRV = normal(40, 2), normal(10, 2)
fit_case("fit_regression", "regression", {"optimizer": "adam", "loss": "mse",
                                          "metrics": ["mae"]},
         {"epochs": 3, "batch_size": 16, "validation_split": 0.2}, y=YR, yv=YRV,
         extra=["on_batch"])

out = cases.save()
print(f"{len(cases)} cases, {os.path.getsize(out) / 1024:.0f} KB -> {out}")
