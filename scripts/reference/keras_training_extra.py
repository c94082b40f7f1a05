"""Record the Keras 3 metrics, losses, optimizers and schedules that keras_training.py
leaves out (Precision, Recall, AUC, top-k accuracy, RMSE, F1; hinge, log-cosh, focal...;
Nadam, Adamax, Adadelta, Lion; PolynomialDecay, CosineDecayRestarts), and fits that log
them by their string names.

Run (needs keras 3 + jax; writes tests/data/reference/keras_training_extra.npz):

    make references

tests/test_reference_keras_training_extra.py replays every case. Spec kinds as in
keras_training.py: ``loss``, ``loss_fn``, ``metric`` (results may be vectors),
``metric_get``, ``schedule``, ``opt`` and ``fit`` (History keys and values); the
weights, gradients and inputs they share are stored once, in the ``data`` cases
``opt_data`` and ``fit_data``.
"""
# isort: skip_file

import os

# _keras first: it selects Keras' JAX backend
from _keras import Cases, Draws, f32, logging_fit, loss_name_case, stepped_optimizer
import jax
import keras
import numpy as np

cases = Cases("keras_training_extra")
add = cases.add
draw = Draws(20240612)
rng = draw.rng
probs, onehot, sigm, bits, normal = draw.probs, draw.onehot, draw.sigm, draw.bits, draw.normal


def w(n):
    return rng.random(n).astype(f32)


# ---- losses ------------------------------------------------------------------------------
def loss_case(name, cls, config, y_true, y_pred, sw=None):
    loss = getattr(keras.losses, cls)(**config)
    kw = {} if sw is None else {"sample_weight": sw}

    def f(p):
        return loss(y_true, p, **kw)
    arrays = {"y_true": y_true, "y_pred": y_pred, "value": np.asarray(f(y_pred)),
              "grad": np.asarray(jax.grad(lambda p: f(p).sum())(y_pred))}
    if sw is not None:
        arrays["sw"] = sw
    add(name, {"kind": "loss", "cls": cls, "config": config, "obj_name": loss.name}, arrays)


N = 6
yt, yp = normal(N, 3), normal(N, 3)
sw = w(N)
bt, bp = bits(N, 3), sigm(N, 3)
ids = rng.integers(0, 4, N)
ct, cp = onehot(ids, 4), probs(N, 4)
pos_t, pos_p = rng.random((N, 3)).astype(f32) * 3 + 0.1, rng.random((N, 3)).astype(f32) * 3 + 0.1
counts = rng.poisson(2.0, (N, 3)).astype(f32)
loss_case("cosine", "CosineSimilarity", {}, yt, yp)
loss_case("cosine_sw_axis0", "CosineSimilarity", {"axis": 0, "reduction": "none"}, yt, yp)
loss_case("cosine_sum", "CosineSimilarity", {"reduction": "sum"}, yt, yp, sw)
loss_case("hinge_01", "Hinge", {}, bt, 2 * yp)
loss_case("hinge_pm1", "Hinge", {"reduction": "none"}, 2 * bt - 1, 2 * yp, sw)
loss_case("hinge_soft", "Hinge", {}, bp, 2 * yp)
loss_case("sq_hinge", "SquaredHinge", {}, bt, 2 * yp, sw)
loss_case("sq_hinge_pm1", "SquaredHinge", {"reduction": "sum"}, 2 * bt - 1, yp)
loss_case("cat_hinge", "CategoricalHinge", {}, ct, cp)
loss_case("cat_hinge_scores", "CategoricalHinge", {"reduction": "none"}, ct, 2 * normal(N, 4),
          sw)
loss_case("logcosh", "LogCosh", {}, 3 * yt, 3 * yp)
loss_case("logcosh_big", "LogCosh", {"reduction": "none"}, 40 * yt, 40 * yp, sw)
loss_case("poisson", "Poisson", {}, counts, pos_p)
loss_case("poisson_sw", "Poisson", {"reduction": "sum"}, counts, pos_p, sw)
loss_case("mape", "MeanAbsolutePercentageError", {}, pos_t, pos_p)
loss_case("mape_signed", "MeanAbsolutePercentageError", {"reduction": "none"}, yt, yp, sw)
loss_case("msle", "MeanSquaredLogarithmicError", {}, pos_t, pos_p)
loss_case("msle_neg", "MeanSquaredLogarithmicError", {"reduction": "sum"}, yt, pos_p, sw)
loss_case("bfce", "BinaryFocalCrossentropy", {}, bt, bp)
loss_case("bfce_balanced", "BinaryFocalCrossentropy",
          {"apply_class_balancing": True, "alpha": 0.3, "gamma": 1.5}, bt, bp, sw)
loss_case("bfce_logits", "BinaryFocalCrossentropy", {"from_logits": True, "label_smoothing": 0.1},
          bt, 2 * yp)
loss_case("bfce_col", "BinaryFocalCrossentropy", {"reduction": "none"}, bits(N, 1), sigm(N, 1))
loss_case("cfce", "CategoricalFocalCrossentropy", {}, ct, cp)
loss_case("cfce_logits", "CategoricalFocalCrossentropy",
          {"from_logits": True, "alpha": 0.5, "gamma": 3.0, "label_smoothing": 0.2},
          ct, 2 * normal(N, 4), sw)
loss_case("cfce_none", "CategoricalFocalCrossentropy", {"reduction": "none"}, ct, 2 * cp + 0.1)

LOSS_DATA = {"reg": (yt, yp), "pos": (pos_t, pos_p), "bin": (bt, 2 * yp), "cat": (ct, cp),
             "prob": (bt, bp), "counts": (counts, pos_p)}
for name, data in {"cosine_similarity": "reg", "hinge": "bin", "squared_hinge": "bin",
                   "categorical_hinge": "cat", "log_cosh": "reg", "poisson": "counts",
                   "mape": "pos", "MAPE": "pos", "mean_absolute_percentage_error": "pos",
                   "msle": "pos", "MSLE": "pos", "mean_squared_logarithmic_error": "pos",
                   "binary_focal_crossentropy": "prob",
                   "categorical_focal_crossentropy": "cat", "CosineSimilarity": "reg",
                   "Hinge": "bin", "SquaredHinge": "bin", "CategoricalHinge": "cat",
                   "LogCosh": "reg", "Poisson": "counts", "MeanAbsolutePercentageError": "pos",
                   "MeanSquaredLogarithmicError": "pos", "BinaryFocalCrossentropy": "prob",
                   "CategoricalFocalCrossentropy": "cat", "logcosh": "reg"}.items():
    t, p = LOSS_DATA[data]
    loss_name_case(cases, name, t, p)


# ---- metrics -----------------------------------------------------------------------------
def metric_case(name, cls, config, updates):
    m = getattr(keras.metrics, cls)(**config)
    arrays = {}
    for i, (t, p, wt) in enumerate(updates):
        m.update_state(t, p, **({} if wt is None else {"sample_weight": wt}))
        arrays.update({f"t{i}": t, f"p{i}": p, f"r{i}": np.asarray(m.result())})
        if wt is not None:
            arrays[f"w{i}"] = wt
    m.reset_state()
    arrays["reset"] = np.asarray(m.result())
    cfg = {k: v for k, v in m.get_config().items()
           if isinstance(v, (int, float, bool, str, type(None), list))}
    add(name, {"kind": "metric", "cls": cls, "config": config, "n": len(updates),
               "name": m.name, "keras_config": cfg},
        arrays)


def bin_updates(cols=1, weighted=True):
    return [(bits(8, cols), sigm(8, cols), None), (bits(5, cols), sigm(5, cols),
                                                   w(5) if weighted else None),
            (bits(6, cols), sigm(6, cols), None)]


def cat_updates(c=5, sparse=False):
    def labels(n):
        i = rng.integers(0, c, n)
        return i.astype(f32) if sparse else onehot(i, c)
    return [(labels(8), probs(8, c), None), (labels(4), probs(4, c), w(4)),
            (labels(6), probs(6, c), None)]


exact = bits(6, 1)
exact_p = np.array([[0.0], [1.0], [0.5], [0.25], [0.7], [1.0]], f32)
for cls in ["Precision", "Recall"]:
    low = cls.lower()
    metric_case(f"m_{low}", cls, {}, bin_updates())
    metric_case(f"m_{low}_flat", cls, {}, [(bits(7), sigm(7), None), (bits(3), sigm(3), w(3))])
    metric_case(f"m_{low}_thr", cls, {"thresholds": 0.3}, bin_updates(3))
    metric_case(f"m_{low}_thrs", cls, {"thresholds": [0.2, 0.5, 0.8]}, bin_updates(2))
    metric_case(f"m_{low}_even", cls, {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]},
                bin_updates() + [(exact, exact_p, None)])
    metric_case(f"m_{low}_topk", cls, {"top_k": 2}, bin_updates(4, weighted=False))
    metric_case(f"m_{low}_classid", cls, {"class_id": 1}, bin_updates(3))
    metric_case(f"m_{low}_topk_classid", cls, {"top_k": 2, "class_id": 2},
                bin_updates(4, weighted=False))
    metric_case(f"m_{low}_edges", cls, {}, [(exact, exact_p, None)])
metric_case("m_auc", "AUC", {}, bin_updates())
metric_case("m_auc_exact", "AUC", {}, [(exact, exact_p, None)] + bin_updates())
metric_case("m_auc_pr", "AUC", {"curve": "PR"}, bin_updates())
metric_case("m_auc_pr_minoring", "AUC", {"curve": "PR", "summation_method": "minoring"},
            bin_updates())
metric_case("m_auc_roc_majoring", "AUC", {"summation_method": "majoring"}, bin_updates())
metric_case("m_auc_few", "AUC", {"num_thresholds": 7}, bin_updates(2))
metric_case("m_auc_thresholds", "AUC", {"thresholds": [0.1, 0.35, 0.6, 0.9]}, bin_updates())
metric_case("m_auc_logits", "AUC", {"from_logits": True},
            [(bits(8, 1), 3 * normal(8, 1), None), (bits(5, 1), 3 * normal(5, 1), w(5))])
metric_case("m_auc_multilabel", "AUC", {"multi_label": True}, bin_updates(3))
metric_case("m_auc_multilabel_pr", "AUC", {"multi_label": True, "curve": "PR",
                                           "label_weights": [0.2, 0.5, 0.3]}, bin_updates(3))
metric_case("m_auc_prgain", "AUC", {"curve": "PRGAIN"}, bin_updates())
metric_case("m_topk", "TopKCategoricalAccuracy", {}, cat_updates(8))
metric_case("m_topk_k2", "TopKCategoricalAccuracy", {"k": 2}, cat_updates())
metric_case("m_sparse_topk", "SparseTopKCategoricalAccuracy", {}, cat_updates(7, True))
metric_case("m_sparse_topk_k2", "SparseTopKCategoricalAccuracy", {"k": 2},
            cat_updates(5, True) + [(rng.integers(0, 5, (3, 1)).astype(f32), probs(3, 5), None)])
ties = np.array([[0.2, 0.2, 0.2, 0.4], [0.1, 0.3, 0.3, 0.3]], f32)
metric_case("m_sparse_topk_ties", "SparseTopKCategoricalAccuracy", {"k": 1},
            [(np.array([0.0, 1.0], f32), ties, None)])
metric_case("m_rmse", "RootMeanSquaredError", {},
            [(normal(4, 3), normal(4, 3), None), (normal(3, 3), normal(3, 3), w(3)),
             (normal(5), normal(5, 1), None)])
for avg in [None, "micro", "macro", "weighted"]:
    metric_case(f"m_f1_{avg}", "F1Score", {"average": avg}, cat_updates(4))
metric_case("m_f1_thr", "F1Score", {"average": "macro", "threshold": 0.5}, bin_updates(3))
metric_case("m_fbeta", "FBetaScore", {"average": "weighted", "beta": 2.0, "threshold": 0.4},
            bin_updates(3))

METRIC_DATA = {"top_k_categorical_accuracy": cat_updates(8)[0][:2],
               "sparse_top_k_categorical_accuracy": cat_updates(8, True)[0][:2]}
for name in ["top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy"]:
    t, p = METRIC_DATA[name]
    add(f"metricfn_{name}", {"kind": "metric_fn", "name": name},
        {"y_true": t, "y_pred": p, "value": np.asarray(getattr(keras.metrics, name)(t, p))})
for name in ["precision", "recall", "auc", "AUC", "Precision", "top_k_categorical_accuracy",
             "sparse_top_k_categorical_accuracy", "root_mean_squared_error", "f1_score",
             "F1Score", "f_beta_score", "rmse", "TopKCategoricalAccuracy",
             "RootMeanSquaredError"]:
    try:
        m = keras.metrics.get(name)
    except Exception as e:
        add(f"metricname_{name}", {"kind": "metric_get", "name": name,
                                   "error": type(e).__name__}, {})
        continue
    add(f"metricname_{name}", {"kind": "metric_get", "name": name, "cls": type(m).__name__,
                               "obj_name": m.name.rsplit("_", 1)[0]
                               if m.name.rsplit("_", 1)[-1].isdigit() else m.name}, {})


# ---- schedules ---------------------------------------------------------------------------
S = keras.optimizers.schedules
SCHEDULES = {
    "poly": ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 6}),
    "poly_power": ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 5,
                                       "end_learning_rate": 0.01, "power": 2.0}),
    "poly_cycle": ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 4,
                                       "end_learning_rate": 0.02, "power": 0.5,
                                       "cycle": True}),
    "restarts": ("CosineDecayRestarts", {"initial_learning_rate": 0.1,
                                         "first_decay_steps": 3}),
    "restarts_mul": ("CosineDecayRestarts", {"initial_learning_rate": 0.1,
                                             "first_decay_steps": 2, "t_mul": 1.0,
                                             "m_mul": 0.5, "alpha": 0.1}),
    "restarts_t3": ("CosineDecayRestarts", {"initial_learning_rate": 0.05,
                                            "first_decay_steps": 2, "t_mul": 3.0,
                                            "m_mul": 0.8, "alpha": 0.05}),
}
for key, (cls, cfg) in SCHEDULES.items():
    sched = getattr(S, cls)(**cfg)
    add(f"sched_{key}", {"kind": "schedule", "cls": cls, "config": cfg,
                         "keras_config": sched.get_config()},
        {"lr": np.array([float(sched(i)) for i in range(30)], f32)})


# ---- optimizers: 5 steps from the same weights and gradients ----------------------------------
W0 = [normal(3, 2), normal(2)]
GRADS = [[normal(3, 2), normal(2)] for _ in range(5)]
GRADS[2][0][0, 0] = 0.0
add("opt_data", {"kind": "data"}, {"w0": W0[0], "b0": W0[1],
                                   **{f"gw{i}": g[0] for i, g in enumerate(GRADS)},
                                   **{f"gb{i}": g[1] for i, g in enumerate(GRADS)}})
OPTS = {
    "nadam": ("Nadam", {}), "nadam_lr": ("Nadam", {"learning_rate": 0.05, "beta_1": 0.8,
                                                  "beta_2": 0.9, "epsilon": 1e-4}),
    "nadam_clip_wd": ("Nadam", {"learning_rate": 0.05, "clipnorm": 1.0, "weight_decay": 0.1}),
    "adamax": ("Adamax", {}), "adamax_lr": ("Adamax", {"learning_rate": 0.05, "beta_1": 0.7,
                                                      "beta_2": 0.9, "epsilon": 1e-3}),
    "adamax_clipvalue": ("Adamax", {"learning_rate": 0.05, "clipvalue": 0.5}),
    "adadelta": ("Adadelta", {}), "adadelta_lr": ("Adadelta", {"learning_rate": 1.0,
                                                              "rho": 0.9, "epsilon": 1e-6}),
    "adadelta_gclip": ("Adadelta", {"learning_rate": 0.5, "global_clipnorm": 1.0}),
    "lion": ("Lion", {}), "lion_lr": ("Lion", {"learning_rate": 0.01, "beta_1": 0.5,
                                              "beta_2": 0.9, "weight_decay": 0.1}),
    "nadam_sched_poly": ("Nadam", {"learning_rate": SCHEDULES["poly"]}),
    "sgd_sched_restarts": ("SGD", {"learning_rate": SCHEDULES["restarts"], "momentum": 0.5}),
}
for key, (cls, cfg) in OPTS.items():
    opt, ws, lrs, config = stepped_optimizer(cls, cfg, W0, GRADS)
    arrays = {"w": np.asarray(ws[0]), "b": np.asarray(ws[1]), "lrs": lrs,
              "iterations": np.asarray(opt.iterations)}
    add(f"opt_{key}", {"kind": "opt", "cls": cls, "config": cfg, "keras_config": config},
        arrays)


# ---- fits that log the new metrics by name ----------------------------------------------------
X, XV = normal(40, 4), normal(12, 4)
Y3, Y3V = rng.integers(0, 5, 40), rng.integers(0, 5, 12)
YB, YBV = bits(40, 1), bits(12, 1)
YR, YRV = normal(40, 2), normal(12, 2)
add("fit_data", {"kind": "data"}, {"x": X, "xv": XV})


def fit_case(name, kind, compile_kw, y, yv, **options):
    logging_fit(cases, rng, (X, XV), name, kind, compile_kw, y, yv, **options)


fit_case("fit_binary_names", "binary",
         {"optimizer": "nadam", "loss": "binary_focal_crossentropy",
          "metrics": ["precision", "recall", "auc", "accuracy"]}, YB, YBV)
fit_case("fit_binary_objects", "binary", {"optimizer": "adamax", "loss": "hinge"}, YB, YBV,
         metric_objects=[("AUC", {"curve": "PR", "name": "pr_auc"}),
                         ("Precision", {"thresholds": 0.3})])
fit_case("fit_cat_topk", "cat",
         {"optimizer": "adadelta", "loss": "sparse_categorical_crossentropy",
          "metrics": ["sparse_top_k_categorical_accuracy"]}, Y3, Y3V,
         metric_objects=[("SparseTopKCategoricalAccuracy", {"k": 2, "name": "top2"})])
fit_case("fit_cat_onehot", "cat",
         {"optimizer": "lion", "loss": "categorical_focal_crossentropy",
          "metrics": ["top_k_categorical_accuracy"]},
         onehot(Y3, 5), onehot(Y3V, 5),
         metric_objects=[("F1Score", {"average": "macro"})])
fit_case("fit_reg", "reg", {"optimizer": "nadam", "loss": "log_cosh",
                            "metrics": ["root_mean_squared_error", "mape", "msle"]}, YR, YRV)

out = cases.save()
print(f"{len(cases)} cases, {os.path.getsize(out) / 1024:.0f} KB -> {out}")
