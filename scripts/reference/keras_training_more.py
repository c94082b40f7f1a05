"""Record the Keras 3 metrics, losses and optimizers that keras_training_extra.py leaves
out: IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU, R2Score, Sum, the loss-like
metrics (Hinge, KLDivergence, LogCoshError...), the confusion counts and the
X-at-Y metrics (PrecisionAtRecall...); the Dice and Tversky losses; Adafactor, Ftrl and
Lamb (with their slot variables); and fits that log them by name.

Run (needs keras 3 + jax; writes tests/data/reference/keras_training_more.npz):

    make references

tests/test_reference_keras_training_more.py replays every case. Spec kinds as in
keras_training_extra.py, plus ``sum`` (Sum's update_state(values, sample_weight)); an
``opt`` case also holds the optimizer's variables after the 5 steps (``s0``, ``s1``...,
Keras' order, without iterations and learning_rate).
"""
# isort: skip_file

import os

# _keras first: it selects Keras' JAX backend
from _keras import Cases, Draws, f32, logging_fit, loss_name_case, stepped_optimizer
import jax
import keras
import numpy as np

cases = Cases("keras_training_more")
add = cases.add
draw = Draws(20240715)
rng = draw.rng
probs, onehot, sigm, bits, normal = draw.probs, draw.onehot, draw.sigm, draw.bits, draw.normal


def w(n):
    return rng.random(n).astype(f32)


def ints(hi, *shape, lo=0):
    return rng.integers(lo, hi, shape).astype(f32)


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
    add(name, {"kind": "loss", "cls": cls, "config": config, "obj_name": loss.name,
               "keras_config": loss.get_config()}, arrays)


N = 6
seg_t, seg_p = bits(N, 4, 4, 1), sigm(N, 4, 4, 1)
bt, bp = bits(N, 3), sigm(N, 3)
loss_case("dice", "Dice", {}, bt, bp)
loss_case("dice_sw", "Dice", {}, bt, bp, w(N))
loss_case("dice_axis", "Dice", {"axis": [1, 2, 3]}, seg_t, seg_p)
loss_case("dice_axis_sw", "Dice", {"axis": [1, 2, 3], "reduction": "sum"}, seg_t, seg_p, w(N))
loss_case("dice_last", "Dice", {"axis": -1, "reduction": "none"}, bt, bp)
loss_case("tversky", "Tversky", {}, bt, bp)
loss_case("tversky_ab", "Tversky", {"alpha": 0.7, "beta": 0.3}, bt, bp, w(N))
loss_case("tversky_axis", "Tversky", {"alpha": 0.2, "beta": 0.8, "axis": [1, 2]},
          seg_t[..., 0], seg_p[..., 0])
loss_case("tversky_none", "Tversky", {"axis": -1, "reduction": "none"}, bt, bp)

for name in ["dice", "Dice", "tversky", "Tversky"]:
    loss_name_case(cases, name, bt, bp)


# ---- metrics -----------------------------------------------------------------------------
def shared(key, updates):
    """Updates stored once, in the ``data`` case `key`, for the metric cases that share them."""
    arrays = {}
    for i, (t, p, wt) in enumerate(updates):
        arrays.update({f"t{i}": t, f"p{i}": p, **({} if wt is None else {f"w{i}": wt})})
    add(key, {"kind": "data"}, arrays)
    return key, updates


def metric_case(name, cls, config, updates):
    m = getattr(keras.metrics, cls)(**config)
    arrays, data = {}, None
    if isinstance(updates[0], str):
        data, updates = updates
    for i, (t, p, wt) in enumerate(updates):
        m.update_state(t, p, **({} if wt is None else {"sample_weight": wt}))
        arrays[f"r{i}"] = np.asarray(m.result())
        if data is None:
            arrays.update({f"t{i}": t, f"p{i}": p, **({} if wt is None else {f"w{i}": wt})})
    m.reset_state()
    if cls != "R2Score":
        arrays["reset"] = np.asarray(m.result())
    cfg = {k: v for k, v in m.get_config().items()
           if isinstance(v, (int, float, bool, str, type(None), list))}
    add(name, {"kind": "metric", "cls": cls, "config": config, "n": len(updates),
               "name": m.name, "keras_config": cfg, "data": data}, arrays)


def iou_updates(c, shape=(8,), weights=True):
    """Class ids (float, as a model gives them), with a few out of range and fractions."""
    out = []
    for i, n in enumerate([shape, shape, shape]):
        t, p = ints(c, *n), ints(c, *n)
        wt = None
        if weights and i == 1:
            wt = rng.integers(0, 3, n).astype(f32)
        out.append((t, p, wt))
    return out


odd_t = np.array([0, 1, 2, -1, 3, 1, 2, 0], f32)        # -1 and 3: out of range for 3
odd_p = np.array([0, 1.7, 2, 1, 0, 0.5, 2.2, -0.5], f32)  # fractions truncate to ints
metric_case("m_iou", "IoU", {"num_classes": 3, "target_class_ids": [0, 2]}, iou_updates(3))
metric_case("m_iou_one", "IoU", {"num_classes": 3, "target_class_ids": [1]},
            iou_updates(3) + [(odd_t, odd_p, None)])
metric_case("m_iou_float_w", "IoU", {"num_classes": 3, "target_class_ids": [0, 1, 2]},
            [(odd_t, odd_p, np.array([0.5, 1.5, 2.9, 1, 1, 1, 0.99, 3], f32))])
metric_case("m_iou_seg", "IoU", {"num_classes": 4, "target_class_ids": [3, 1]},
            iou_updates(4, (2, 4, 4)))
metric_case("m_iou_ignore", "IoU", {"num_classes": 3, "target_class_ids": [0, 1],
                                    "ignore_class": 2}, iou_updates(3))
metric_case("m_iou_dense", "IoU", {"num_classes": 3, "target_class_ids": [2],
                                   "sparse_y_true": False, "sparse_y_pred": False},
            [(onehot(rng.integers(0, 3, 7), 3), probs(7, 3), None),
             (onehot(rng.integers(0, 3, 5), 3), probs(5, 3), None)])
metric_case("m_meaniou", "MeanIoU", {"num_classes": 3}, iou_updates(3))
metric_case("m_meaniou_ignore", "MeanIoU", {"num_classes": 4, "ignore_class": 0},
            iou_updates(4, (2, 3, 3)))
metric_case("m_meaniou_probs", "MeanIoU", {"num_classes": 3, "sparse_y_pred": False},
            [(ints(3, 2, 4, 4, 1), probs(2, 4, 4, 3), None),
             (ints(3, 1, 4, 4, 1), probs(1, 4, 4, 3), None)])
metric_case("m_meaniou_absent", "MeanIoU", {"num_classes": 5},   # classes 3, 4 never seen
            [(ints(3, 8), ints(3, 8), None)])
metric_case("m_binaryiou", "BinaryIoU", {}, [(bits(8, 1), sigm(8, 1), None),
                                             (bits(5, 1), sigm(5, 1),
                                              np.array([1, 2, 0, 1, 3], f32))])
metric_case("m_binaryiou_thr", "BinaryIoU", {"target_class_ids": [1], "threshold": 0.3},
            [(bits(6, 4, 4, 1), sigm(6, 4, 4, 1), None), (bits(3, 4, 4, 1), sigm(3, 4, 4, 1),
                                                         None)])
metric_case("m_binaryiou_exact", "BinaryIoU", {"target_class_ids": [0]},
            [(np.array([0, 1, 1, 0, 1], f32), np.array([0.5, 0.5, 0.49, 0.2, 1.0], f32),
              None)])
metric_case("m_onehotiou", "OneHotIoU", {"num_classes": 3, "target_class_ids": [0, 2]},
            [(onehot(rng.integers(0, 3, 8), 3), probs(8, 3), None),
             (onehot(rng.integers(0, 3, 4), 3), probs(4, 3), np.array([1, 0, 2, 1], f32))])
metric_case("m_onehotiou_sparse_pred", "OneHotIoU",
            {"num_classes": 4, "target_class_ids": [1], "sparse_y_pred": True},
            [(onehot(rng.integers(0, 4, 8), 4), ints(4, 8), None)])
metric_case("m_onehotmeaniou", "OneHotMeanIoU", {"num_classes": 3},
            [(onehot(rng.integers(0, 3, (2, 4, 4)), 3), probs(2, 4, 4, 3), None),
             (onehot(rng.integers(0, 3, 6), 3), probs(6, 3), None)])
metric_case("m_onehotmeaniou_ignore", "OneHotMeanIoU", {"num_classes": 4, "ignore_class": 1},
            [(onehot(rng.integers(0, 4, 9), 4), probs(9, 4), None)])


def reg_updates(c=2, weighted=True):
    return [(normal(6, c), normal(6, c), None),
            (normal(4, c), normal(4, c), w(4) if weighted else None),
            (normal(5, c), normal(5, c), None)]


for agg in ["uniform_average", "variance_weighted_average", None]:
    metric_case(f"m_r2_{agg}", "R2Score", {"class_aggregation": agg}, reg_updates(3))
metric_case("m_r2_col", "R2Score", {}, [(normal(7), normal(7, 1), None),
                                        (normal(4, 1), normal(4), w(4))])
metric_case("m_r2_adjusted", "R2Score", {"num_regressors": 2}, reg_updates())
metric_case("m_r2_adjusted_few", "R2Score", {"num_regressors": 30}, reg_updates())

pos_t, pos_p = rng.random((6, 3)).astype(f32), rng.random((6, 3)).astype(f32) + 0.1
for cls, data in [("Hinge", lambda n: (bits(n, 3), 2 * normal(n, 3))),
                  ("SquaredHinge", lambda n: (2 * bits(n, 3) - 1, normal(n, 3))),
                  ("CategoricalHinge", lambda n: (onehot(rng.integers(0, 4, n), 4),
                                                  probs(n, 4))),
                  ("KLDivergence", lambda n: (probs(n, 4), probs(n, 4))),
                  ("Poisson", lambda n: (rng.poisson(2.0, (n, 3)).astype(f32),
                                         rng.random((n, 3)).astype(f32) * 3 + 0.1)),
                  ("CosineSimilarity", lambda n: (normal(n, 3), normal(n, 3))),
                  ("LogCoshError", lambda n: (3 * normal(n, 3), 3 * normal(n, 3)))]:
    metric_case(f"m_{cls.lower()}", cls, {},
                [data(6) + (None,), data(4) + (w(4),), data(5) + (None,)])
metric_case("m_cosine_axis0", "CosineSimilarity", {"axis": 0},
            [(normal(5, 3), normal(5, 3), None)])


def bin_updates(cols=1, weighted=True):
    return [(bits(8, cols), sigm(8, cols), None),
            (bits(5, cols), sigm(5, cols), w(5) if weighted else None),
            (bits(6, cols), sigm(6, cols), None)]


exact = bits(6, 1)
exact_p = np.array([[0.0], [1.0], [0.5], [0.25], [0.7], [1.0]], f32)
BIN1 = shared("bin1_data", bin_updates() + [(exact, exact_p, None)])
BIN2, BIN3 = shared("bin2_data", bin_updates(2)), shared("bin3_data", bin_updates(3))
for cls in ["TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives"]:
    low = cls.lower()
    metric_case(f"m_{low}", cls, {}, BIN1)
    metric_case(f"m_{low}_thrs", cls, {"thresholds": [0.2, 0.5, 0.8]}, BIN2)
    metric_case(f"m_{low}_even", cls, {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, BIN1)
for cls, arg in [("PrecisionAtRecall", "recall"), ("RecallAtPrecision", "precision"),
                 ("SensitivityAtSpecificity", "specificity"),
                 ("SpecificityAtSensitivity", "sensitivity")]:
    low = cls.lower()
    metric_case(f"m_{low}", cls, {arg: 0.6}, BIN1)
    metric_case(f"m_{low}_few", cls, {arg: 0.8, "num_thresholds": 7}, BIN1)
    metric_case(f"m_{low}_one", cls, {arg: 0.3, "num_thresholds": 1}, BIN2)
    metric_case(f"m_{low}_class", cls, {arg: 0.5, "class_id": 1}, BIN3)
    metric_case(f"m_{low}_edge", cls, {arg: 1.0}, BIN1)


def sum_case(name, updates):
    m = keras.metrics.Sum()
    arrays = {}
    for i, (v, wt) in enumerate(updates):
        m.update_state(v, **({} if wt is None else {"sample_weight": wt}))
        arrays.update({f"v{i}": v, f"r{i}": np.asarray(m.result())})
        if wt is not None:
            arrays[f"w{i}"] = wt
    m.reset_state()
    arrays["reset"] = np.asarray(m.result())
    add(name, {"kind": "sum", "n": len(updates), "name": m.name}, arrays)


sum_case("sum", [(normal(5), None), (normal(4, 3), w(4)), (normal(3, 2, 2), w(3)),
                 (normal(2, 3), normal(2, 3))])

for name in ["iou", "IoU", "mean_io_u", "MeanIoU", "binary_io_u", "one_hot_io_u",
             "r2_score", "R2Score", "sum", "Sum", "hinge", "squared_hinge",
             "categorical_hinge", "kl_divergence", "KLDivergence", "kld", "poisson",
             "cosine_similarity", "log_cosh_error", "LogCoshError", "logcosh",
             "true_positives", "false_positives", "true_negatives", "false_negatives",
             "TruePositives", "precision_at_recall", "PrecisionAtRecall",
             "sensitivity_at_specificity"]:
    try:
        m = keras.metrics.get(name)
    except Exception as e:
        add(f"metricname_{name}", {"kind": "metric_get", "name": name,
                                   "error": type(e).__name__}, {})
        continue
    add(f"metricname_{name}", {"kind": "metric_get", "name": name, "cls": type(m).__name__,
                               "obj_name": m.name.rsplit("_", 1)[0]
                               if m.name.rsplit("_", 1)[-1].isdigit() else m.name}, {})


# ---- optimizers: 5 steps from the same weights and gradients ----------------------------
SHAPES = [(3, 2), (2,), (2, 3, 2)]
W0 = [normal(*s) for s in SHAPES]
GRADS = [[normal(*s) for s in SHAPES] for _ in range(5)]
GRADS[2][0][0, 0] = 0.0
add("opt_data", {"kind": "data", "shapes": SHAPES},
    {**{f"w{j}": v for j, v in enumerate(W0)},
     **{f"g{i}_{j}": g for i, step in enumerate(GRADS) for j, g in enumerate(step)}})
OPTS = {
    "adafactor": ("Adafactor", {}),
    "adafactor_lr": ("Adafactor", {"learning_rate": 0.05, "relative_step": False,
                                   "beta_2_decay": -0.5, "epsilon_2": 1e-2,
                                   "clip_threshold": 0.5}),
    "adafactor_big_lr": ("Adafactor", {"learning_rate": 2.0, "epsilon_1": 1e-10}),
    "adafactor_wd_clip": ("Adafactor", {"learning_rate": 0.1, "weight_decay": 0.1,
                                        "clipnorm": 1.0}),
    "adafactor_sched": ("Adafactor", {"learning_rate": ("ExponentialDecay", {
        "initial_learning_rate": 0.5, "decay_steps": 2, "decay_rate": 0.5})}),
    "ftrl": ("Ftrl", {}),
    "ftrl_lr": ("Ftrl", {"learning_rate": 0.1, "learning_rate_power": -0.3,
                         "initial_accumulator_value": 0.5}),
    "ftrl_reg": ("Ftrl", {"learning_rate": 0.2, "l1_regularization_strength": 0.05,
                          "l2_regularization_strength": 0.1,
                          "l2_shrinkage_regularization_strength": 0.02, "beta": 0.3}),
    "ftrl_zero_power": ("Ftrl", {"learning_rate": 0.1, "learning_rate_power": 0.0,
                                 "clipvalue": 0.5}),
    "lamb": ("Lamb", {}),
    "lamb_lr": ("Lamb", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.9,
                         "epsilon": 1e-4, "weight_decay": 0.1}),
    "lamb_gclip": ("Lamb", {"learning_rate": 0.05, "global_clipnorm": 1.0}),
}
for key, (cls, cfg) in OPTS.items():
    opt, ws, lrs, config = stepped_optimizer(cls, cfg, W0, GRADS)
    slots = [v for v in opt.variables if not v.path.endswith(("/iteration", "/learning_rate"))]
    arrays = {"lrs": lrs, "iterations": np.asarray(opt.iterations),
              **{f"w{j}": np.asarray(v) for j, v in enumerate(ws)},
              **{f"s{j}": np.asarray(v) for j, v in enumerate(slots)}}
    add(f"opt_{key}", {"kind": "opt", "cls": cls, "config": cfg, "keras_config": config,
                       "slots": len(slots)}, arrays)

for name in ["adafactor", "Adafactor", "ftrl", "Ftrl", "lamb", "Lamb"]:
    try:
        o = keras.optimizers.get(name)
        add(f"optname_{name}", {"kind": "opt_get", "name": name, "cls": type(o).__name__}, {})
    except Exception as e:
        add(f"optname_{name}", {"kind": "opt_get", "name": name, "error": type(e).__name__},
            {})


# ---- fits that log the new metrics by name ----------------------------------------------------
X, XV = normal(40, 4), normal(12, 4)
Y3, Y3V = rng.integers(0, 5, 40), rng.integers(0, 5, 12)
YB, YBV = bits(40, 1), bits(12, 1)
YR, YRV = normal(40, 2), normal(12, 2)
add("fit_data", {"kind": "data"}, {"x": X, "xv": XV})


def fit_case(name, kind, compile_kw, y, yv, **options):
    logging_fit(cases, rng, (X, XV), name, kind, compile_kw, y, yv, **options)


fit_case("fit_binary_dice", "binary",
         {"optimizer": "adafactor", "loss": "dice",
          "metrics": ["true_positives", "false_negatives", "hinge"]}, YB, YBV,
         metric_objects=[("BinaryIoU", {"target_class_ids": [1]}),
                         ("PrecisionAtRecall", {"recall": 0.5})])
fit_case("fit_binary_tversky", "binary",
         {"loss": "tversky", "metrics": ["squared_hinge"]}, YB, YBV,
         metric_objects=[("BinaryIoU", {}), ("SensitivityAtSpecificity", {"specificity": 0.5})],
         opt=("Ftrl", {"learning_rate": 0.5}))
fit_case("fit_cat_iou", "cat",
         {"loss": "sparse_categorical_crossentropy"}, Y3, Y3V,
         metric_objects=[("MeanIoU", {"num_classes": 5, "sparse_y_pred": False}),
                         ("IoU", {"num_classes": 5, "target_class_ids": [0, 3],
                                  "sparse_y_pred": False, "name": "iou03"})],
         opt=("Lamb", {"learning_rate": 0.05}))
fit_case("fit_cat_onehot", "cat",
         {"optimizer": "ftrl", "loss": "categorical_crossentropy",
          "metrics": ["kl_divergence", "categorical_hinge"]}, draw.onehot(Y3, 5),
         draw.onehot(Y3V, 5),
         metric_objects=[("OneHotMeanIoU", {"num_classes": 5}),
                         ("OneHotIoU", {"num_classes": 5, "target_class_ids": [2]})])
fit_case("fit_reg", "reg", {"optimizer": "adafactor", "loss": "mse",
                            "metrics": ["r2_score", "log_cosh_error", "cosine_similarity"]},
         YR, YRV,
         metric_objects=[("R2Score", {"class_aggregation": "variance_weighted_average",
                                      "name": "r2w"})])

# ---- crossentropies as metrics (appended last: the draws above stay as they were) -------
ce_logits = 3 * normal(6, 4)
metric_case("m_binary_ce", "BinaryCrossentropy", {},
            [(bits(6, 1), sigm(6, 1), None), (bits(4, 1), sigm(4, 1), w(4))])
metric_case("m_binary_ce_logits_smooth", "BinaryCrossentropy",
            {"from_logits": True, "label_smoothing": 0.1},
            [(bits(5, 3), 3 * normal(5, 3), None), (bits(4, 3), 3 * normal(4, 3), w(4))])
metric_case("m_categorical_ce", "CategoricalCrossentropy", {},
            [(onehot(ints(4, 6).astype(int), 4), probs(6, 4), None),
             (onehot(ints(4, 3).astype(int), 4), probs(3, 4), w(3))])
metric_case("m_categorical_ce_logits_smooth", "CategoricalCrossentropy",
            {"from_logits": True, "label_smoothing": 0.2},
            [(onehot(ints(4, 6).astype(int), 4), ce_logits, None)])
metric_case("m_sparse_ce", "SparseCategoricalCrossentropy", {},
            [(ints(4, 6), probs(6, 4), None), (ints(4, 5, 1), probs(5, 4), w(5))])
metric_case("m_sparse_ce_logits", "SparseCategoricalCrossentropy", {"from_logits": True},
            [(ints(4, 6), ce_logits, None)])
for name in ["binary_crossentropy", "BinaryCrossentropy", "categorical_crossentropy",
             "CategoricalCrossentropy", "sparse_categorical_crossentropy",
             "SparseCategoricalCrossentropy"]:
    m = keras.metrics.get(name)
    add(f"metricname_{name}", {"kind": "metric_get", "name": name, "cls": type(m).__name__,
                               "obj_name": getattr(m, "name", None) or m.__name__}, {})

out = cases.save()
print(f"{len(cases)} cases, {os.path.getsize(out) / 1024:.0f} KB -> {out}")
