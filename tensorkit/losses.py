"""Losses by their Keras 3 names: functions give one value per sample, classes average.

``losses.mean_squared_error(y_true, y_pred)`` reduces the last axis, as
``keras.losses.mean_squared_error`` does; ``losses.MeanSquaredError()(y_true, y_pred)``
then averages over the batch (Keras' "sum_over_batch_size"). Everything is built from tk
ops, so ``loss.backward()`` works; the crossentropies use the fused ops of
ops/losses.py. As Keras' TensorFlow backend does, a crossentropy given the output of a
softmax (or sigmoid) op works from that op's logits: the same value, without the
``log(0)`` of a saturated probability.
"""

import numpy

from . import backend, ops
from .errors import ShapeError, format_shape
from .metrics import snake_case
from .tensor import Tensor, to_array

__all__ = ["Loss", "MeanSquaredError", "MeanAbsoluteError", "Huber", "BinaryCrossentropy",
           "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "KLDivergence",
           "CosineSimilarity", "Hinge", "SquaredHinge", "CategoricalHinge", "LogCosh",
           "Poisson", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
           "BinaryFocalCrossentropy", "CategoricalFocalCrossentropy", "Dice", "Tversky",
           "mean_squared_error", "mean_absolute_error", "huber", "binary_crossentropy",
           "categorical_crossentropy", "sparse_categorical_crossentropy", "kl_divergence",
           "cosine_similarity", "hinge", "squared_hinge", "categorical_hinge", "log_cosh",
           "poisson", "mean_absolute_percentage_error", "mean_squared_logarithmic_error",
           "binary_focal_crossentropy", "categorical_focal_crossentropy", "dice", "tversky",
           "mse", "mae", "kld", "mape", "msle", "get", "serialize", "EPSILON"]

EPSILON = 1e-7                       # keras.config.epsilon(): crossentropies clip with it


# ---- turning labels into tensors that fit the predictions --------------------------------
def _pred(y_pred):
    return y_pred if isinstance(y_pred, Tensor) else Tensor(*_arr(y_pred, None))


def _arr(values, dtype):
    arr = to_array(values, dtype)
    return arr, tuple(arr.shape), arr.dtype


def _labels(y_true, y_pred):
    """y_true as a tensor of y_pred's float dtype (Keras casts the labels the same way)."""
    if isinstance(y_true, Tensor):
        if y_true.dtype == y_pred.dtype or y_true.data is None:
            return y_true
        return ops.cast(y_true, y_pred.dtype)
    return Tensor(*_arr(y_true, y_pred.dtype))


def _same_rank(y_true, y_pred):
    """Keras' squeeze_or_expand_to_same_rank: (N,) labels fit (N, 1) predictions (and
    (N, 1) labels fit (N,) predictions) by growing the (N,) side; (N, T, 1) fits (N, T)."""
    a, b = len(y_true.shape), len(y_pred.shape)
    if a == b + 1 and y_true.shape[-1] == 1:
        if b == 1:
            return y_true, ops.expand_dims(y_pred, -1)
        return ops.squeeze(y_true, -1), y_pred
    if b == a + 1 and y_pred.shape[-1] == 1:
        if a == 1:
            return ops.expand_dims(y_true, -1), y_pred
        return y_true, ops.squeeze(y_pred, -1)
    return y_true, y_pred


def _fits(a, b):
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def _mismatch(name, y_true, y_pred, fix):
    return ShapeError(
        f"{name} got labels (y_true) of shape {format_shape(y_true)} and predictions "
        f"(y_pred) of shape {format_shape(y_pred)}.",
        expected=f"labels of the predictions' shape {format_shape(y_pred)}", fix=fix,
        op=name, shapes=(y_true, y_pred))


def _check_same(name, y_true, y_pred, classes=False):
    if _fits(y_true.shape, y_pred.shape):
        return
    t, p = y_true.shape, y_pred.shape
    if 1 < len(t) < len(p) and _fits(t[:-1], p[:len(t) - 1]) and _fits(t[-1:], p[-1:]):
        fix = _flatten_fix(p, len(t) - 1)
    elif classes and len(t) == len(p) - 1:
        fix = (f"these labels look like class ids: use sparse_categorical_crossentropy, or "
               f"one-hot them first with tk.one_hot(y, {p[-1]}).")
    elif len(t) == len(p) - 1 and p[-1] not in (None, 1):
        fix = (f"the model gives {p[-1]} outputs per sample but each label is one number. "
               "For class ids use sparse_categorical_crossentropy; for yes/no labels end the "
               "model with Dense(1, activation='sigmoid').")
    elif (len(t) == len(p) and t[0] is not None and p[0] is not None and t[0] != p[0]
          and _fits(t[1:], p[1:])):
        fix = (f"there are labels for {t[0]} samples but predictions for {p[0]}: give one "
               "label per sample in the batch (make the labels with the batch's own length, "
               "e.g. np.ones((len(x), 1))).")
    else:
        fix = ("make the model's last layer give one value per label (e.g. Dense(units) with "
               "units = the labels' last size), or reshape the labels.")
    raise _mismatch(name, t, p, fix)


def _flatten_fix(pred, label_axes):
    """For predictions with more axes than the labels: the usual cause (Dense on images)."""
    extra = format_shape(pred[label_axes:-1])
    return (f"the model predicts {format_shape(pred)}: one prediction for every position "
            f"{extra} of each sample, because Dense works on the last axis only. Add "
            "layers.Flatten() (or GlobalAveragePooling) before the last Dense layer, so that "
            "each sample gets one prediction.")


def _logits_of(y_pred, op_name):
    """The input of the softmax/sigmoid that made y_pred, when it was made by one."""
    node = y_pred.node
    if node is None or node.op.name != op_name:
        return None
    if op_name == "softmax" and node.attrs.get("axis") not in (-1, len(y_pred.shape) - 1):
        return None
    return node.inputs[0]


# ---- the loss functions: one value per sample (the last axis is reduced) ---------------
def mean_squared_error(y_true, y_pred):
    """mean((y_true - y_pred) ** 2) over the last axis."""
    y_pred = _pred(y_pred)
    y_true, y_pred = _same_rank(_labels(y_true, y_pred), y_pred)
    _check_same("mean_squared_error", y_true, y_pred)
    return ops.mean(ops.square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true, y_pred):
    y_pred = _pred(y_pred)
    y_true, y_pred = _same_rank(_labels(y_true, y_pred), y_pred)
    _check_same("mean_absolute_error", y_true, y_pred)
    return ops.mean(ops.abs(y_pred - y_true), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """0.5 q**2 + delta * (|e| - q) with q = min(|e|, delta): squared near 0, linear far."""
    y_pred = _pred(y_pred)
    y_true, y_pred = _same_rank(_labels(y_true, y_pred), y_pred)
    _check_same("huber", y_true, y_pred)
    err = ops.abs(y_pred - y_true)
    quadratic = ops.minimum(err, delta)
    return ops.mean(0.5 * ops.square(quadratic) + delta * (err - quadratic), axis=-1)


def kl_divergence(y_true, y_pred):
    """sum(y_true * log(y_true / y_pred)) over the last axis, both clipped to [1e-7, 1]."""
    y_pred = _pred(y_pred)
    y_true, y_pred = _same_rank(_labels(y_true, y_pred), y_pred)
    _check_same("kl_divergence", y_true, y_pred)
    y_true = ops.clip(y_true, EPSILON, 1.0)
    y_pred = ops.clip(y_pred, EPSILON, 1.0)
    return ops.sum(y_true * ops.log(y_true / y_pred), axis=-1)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """-(y log p + (1 - y) log(1 - p)), p clipped to [1e-7, 1 - 1e-7], averaged over `axis`."""
    y_pred = _pred(y_pred)
    y_true, y_pred = _same_rank(_labels(y_true, y_pred), y_pred)
    _check_same("binary_crossentropy", y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    logits = y_pred if from_logits else _logits_of(y_pred, "sigmoid")
    if logits is not None:
        return ops.mean(ops.sigmoid_cross_entropy(logits, y_true), axis=axis)
    p = ops.clip(y_pred, EPSILON, 1.0 - EPSILON)
    bce = y_true * ops.log(p) + (1.0 - y_true) * ops.log(1.0 - p)
    return -ops.mean(bce, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """-sum(y_true * log p) over the classes; p normalised to sum 1, clipped to [1e-7, 1-1e-7]."""
    y_pred = _pred(y_pred)
    y_true = _labels(y_true, y_pred)
    _check_same("categorical_crossentropy", y_true, y_pred, classes=True)
    _check_axis("categorical_crossentropy", axis, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_pred.shape[-1]
    logits = y_pred if from_logits else _logits_of(y_pred, "softmax")
    if logits is not None:
        return ops.softmax_cross_entropy(logits, y_true)
    p = ops.clip(y_pred / ops.sum(y_pred, axis=-1, keepdims=True), EPSILON, 1.0 - EPSILON)
    return -ops.sum(y_true * ops.log(p), axis=-1)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """categorical_crossentropy with class ids (batch,) instead of one-hot rows.

    Labels equal to ``ignore_class`` (e.g. padding) give 0 and no gradient; the
    SparseCategoricalCrossentropy object then averages over the other labels only."""
    y_pred = _pred(y_pred)
    _check_axis("sparse_categorical_crossentropy", axis, y_pred)
    valid = None
    if ignore_class is not None:
        y_true, valid = _ignore(y_true, ignore_class)
    ids = _class_ids(y_true, y_pred)
    logits = y_pred if from_logits else _logits_of(y_pred, "softmax")
    if logits is not None:
        out = ops.sparse_softmax_cross_entropy(logits, ids)
    else:
        out = ops.sparse_categorical_crossentropy_probs(y_pred, ids, epsilon=EPSILON)
    return out if valid is None else out * Tensor(*_arr(valid, out.dtype))


def _ignore(y_true, ignore_class):
    """(labels with ignore_class replaced by 0, 1.0 where a label counts else 0.0)."""
    data = numpy.asarray(backend.to_device(
        y_true.data if isinstance(y_true, Tensor) else to_array(y_true), "cpu"))
    if data.ndim and data.shape[-1] == 1:
        data = data[..., 0]
    keep = data != ignore_class
    return numpy.where(keep, data, 0).astype(data.dtype), keep.astype(numpy.float32)


def _check_axis(name, axis, y_pred):
    if axis not in (-1, len(y_pred.shape) - 1):
        raise ValueError(f"{name} supports only the last axis as the class axis. Received: "
                         f"axis={axis}. Fix: move the classes last (channels-last, as Keras).")


_UNSIGNED = {n: numpy.dtype(f"u{n}") for n in (1, 2, 4, 8)}     # same-size views of ids


def _class_ids(y_true, y_pred):
    """Integer labels shaped as y_pred without its class axis, checked to be in range."""
    name = "sparse_categorical_crossentropy"
    data = y_true.data if isinstance(y_true, Tensor) else to_array(y_true)
    shape = tuple(data.shape) if data is not None else y_true.shape
    want = y_pred.shape[:-1]
    if len(shape) == len(want) + 1 and shape[-1] == 1:
        shape = shape[:-1]
        data = data.reshape(shape) if data is not None else None
    if not _fits(shape, want):
        c = y_pred.shape[-1]
        if len(shape) == len(want) + 1 and shape[-1] == c:
            fix = ("these labels look one-hot (one row of classes per sample): use "
                   "categorical_crossentropy, or pass class ids y.argmax(axis=-1).")
        elif 0 < len(shape) < len(want) and _fits(shape, want[:len(shape)]):
            fix = _flatten_fix(y_pred.shape, len(shape))
        else:
            fix = (f"pass one class id per sample, shape {format_shape(want)}, e.g. "
                   "y.reshape(-1) for a column of ids.")
        raise _mismatch(name, shape, y_pred.shape, fix)
    if data is None:
        return y_true if isinstance(y_true, Tensor) else Tensor(None, shape, numpy.dtype("int32"))
    if data.dtype.kind == "f":
        ints = data.astype(numpy.int32)
        if not (ints == data).all():
            raise ValueError(f"{name} needs whole-number class ids, but the labels have "
                             f"fractions (e.g. {data[ints != data].ravel()[0]}). Fix: for "
                             "probabilities or one-hot rows use categorical_crossentropy.")
        data = ints
    elif data.dtype.kind not in "iub":
        raise ValueError(f"{name} needs integer class ids, got labels of dtype {data.dtype}.")
    classes = y_pred.shape[-1]
    if data.size and classes is not None:
        ids = data.view(_UNSIGNED[data.itemsize]) if data.dtype.kind == "i" else data
        if int(ids.max()) >= classes:                 # one pass: negative ids wrap to huge
            lo, hi = int(data.min()), int(data.max())
            bad = hi if hi >= classes else lo
            raise ValueError(
                f"{name} got the label {bad}, but the model predicts {classes} classes (its "
                f"last axis has size {classes}), so labels must be in 0..{classes - 1}. Fix: "
                f"give the last layer units={hi + 1 if hi >= classes else classes} (one per "
                f"class), or map the labels into 0..{classes - 1} (e.g. y - 1 when they "
                "start at 1).")
    return Tensor(data, shape, data.dtype)


def _pair(name, y_true, y_pred):
    """(labels, predictions) as same-shaped tensors of the predictions' dtype."""
    y_pred = _pred(y_pred)
    y_true, y_pred = _same_rank(_labels(y_true, y_pred), y_pred)
    _check_same(name, y_true, y_pred)
    return y_true, y_pred


def mean_absolute_percentage_error(y_true, y_pred):
    """100 * mean(|y_true - y_pred| / max(|y_true|, 1e-7)) over the last axis."""
    y_true, y_pred = _pair("mean_absolute_percentage_error", y_true, y_pred)
    diff = ops.abs((y_true - y_pred) / ops.maximum(ops.abs(y_true), EPSILON))
    return 100.0 * ops.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """mean((log(1 + y_pred) - log(1 + y_true)) ** 2), both floored at 1e-7 first."""
    y_true, y_pred = _pair("mean_squared_logarithmic_error", y_true, y_pred)
    first = ops.log(ops.maximum(y_pred, EPSILON) + 1.0)
    second = ops.log(ops.maximum(y_true, EPSILON) + 1.0)
    return ops.mean(ops.square(first - second), axis=-1)


def _l2_normalize(x, axis):
    """x / ||x|| along `axis`, as Keras: x * min(rsqrt(sum(x²)), 1 / 1e-7)."""
    inv_norm = ops.minimum(ops.pow(ops.sum(ops.square(x), axis=axis, keepdims=True), -0.5),
                           1.0 / EPSILON)
    return x * inv_norm


def cosine_similarity(y_true, y_pred, axis=-1):
    """-cos(angle between y_true and y_pred) along `axis`: -1 when they point the same way
    (a loss to minimise, as Keras'), 0 when orthogonal."""
    y_true, y_pred = _pair("cosine_similarity", y_true, y_pred)
    return -ops.sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


def _hinge_labels(y_true):
    """0/1 labels become -1/1 (Keras converts them when every label is 0 or 1)."""
    data = y_true.data
    if data is None or bool(((data == 0) | (data == 1)).all()):
        return 2.0 * y_true - 1.0
    return y_true


def hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)) with labels -1/1 (0/1 labels are converted)."""
    y_true, y_pred = _pair("hinge", y_true, y_pred)
    return ops.mean(ops.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0) ** 2) with labels -1/1 (0/1 labels converted)."""
    y_true, y_pred = _pair("squared_hinge", y_true, y_pred)
    return ops.mean(ops.square(ops.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0)),
                    axis=-1)


def categorical_hinge(y_true, y_pred):
    """max(neg - pos + 1, 0): pos = the score of the one-hot class, neg = the largest
    score of another class."""
    y_pred = _pred(y_pred)
    y_true = _labels(y_true, y_pred)
    _check_same("categorical_hinge", y_true, y_pred, classes=True)
    pos = ops.sum(y_true * y_pred, axis=-1)
    neg = ops.max((1.0 - y_true) * y_pred, axis=-1)
    return ops.maximum(neg - pos + 1.0, 0.0)


def log_cosh(y_true, y_pred):
    """mean(log(cosh(y_pred - y_true))), written x + softplus(-2x) - log 2 so that large
    errors don't overflow: squared near 0, like |x| far from it."""
    y_true, y_pred = _pair("log_cosh", y_true, y_pred)
    x = y_pred - y_true
    return ops.mean(x + ops.softplus(x * -2.0) - float(numpy.log(2.0)), axis=-1)


def poisson(y_true, y_pred):
    """mean(y_pred - y_true * log(y_pred + 1e-7)): for counts, with y_pred > 0."""
    y_true, y_pred = _pair("poisson", y_true, y_pred)
    return ops.mean(y_pred - y_true * ops.log(y_pred + EPSILON), axis=-1)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary crossentropy times (1 - p_t) ** gamma, p_t = the probability given to the
    true label: confident right answers count less. ``apply_class_balancing`` weighs
    positives by alpha and negatives by 1 - alpha."""
    y_true, y_pred = _pair("binary_focal_crossentropy", y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = ops.sigmoid(y_pred)
    p = ops.clip(y_pred, EPSILON, 1.0 - EPSILON)
    bce = -(y_true * ops.log(p) + (1.0 - y_true) * ops.log(1.0 - p))
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = ops.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return ops.mean(focal, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """sum(alpha * (1 - p) ** gamma * -y_true * log p) over the classes, p normalised to
    sum 1 and clipped to [1e-7, 1 - 1e-7]: crossentropy that plays down easy samples."""
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type "
                         f"{type(axis)}")
    y_pred = _pred(y_pred)
    y_true = _labels(y_true, y_pred)
    _check_same("categorical_focal_crossentropy", y_true, y_pred, classes=True)
    _check_axis("categorical_focal_crossentropy", axis, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_pred.shape[-1]
    if from_logits:
        y_pred = ops.softmax(y_pred, axis=-1)
    p = ops.clip(y_pred / ops.sum(y_pred, axis=-1, keepdims=True), EPSILON, 1.0 - EPSILON)
    return ops.sum(alpha * ops.pow(1.0 - p, gamma) * (-y_true * ops.log(p)), axis=-1)


def _overlap_axis(name, axis, y_pred):
    """Keras' axis for dice/tversky: None (everything) or an int or a list/tuple of ints."""
    axes = axis if isinstance(axis, (list, tuple)) else [] if axis is None else [axis]
    rank = len(y_pred.shape)
    if any(isinstance(a, bool) or not isinstance(a, (int, numpy.integer)) or
           not -rank <= a < rank for a in axes):
        raise ValueError(f"{name} got axis={axis!r} for predictions of rank {rank}. Expected "
                         f"None (the whole batch as one overlap), or axes in "
                         f"{-rank}..{rank - 1}, e.g. axis=[1, 2, 3] for one value per image.")
    return tuple(axes) if isinstance(axis, (list, tuple)) else axis


def dice(y_true, y_pred, axis=None):
    """1 - 2 sum(y_true y_pred) / (sum(y_true) + sum(y_pred) + 1e-7) over `axis` (None:
    all of it, one number): 0 when prediction and mask overlap exactly. For segmentation."""
    y_pred = _pred(y_pred)
    y_true = _labels(y_true, y_pred)
    _check_same("dice", y_true, y_pred)
    axis = _overlap_axis("dice", axis, y_pred)
    intersection = ops.sum(y_true * y_pred, axis=axis)
    union = ops.sum(y_true, axis=axis) + ops.sum(y_pred, axis=axis) + EPSILON
    return 1.0 - 2.0 * intersection / union


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """1 - tp / (tp + alpha · sum(y_true (1 - y_pred)) + beta · sum((1 - y_true) y_pred) +
    1e-7) over `axis`, tp = sum(y_true y_pred): dice (alpha = beta = 0.5) with missed pixels
    weighed by alpha and false alarms by beta (Keras' order)."""
    y_pred = _pred(y_pred)
    y_true = _labels(y_true, y_pred)
    _check_same("tversky", y_true, y_pred)
    axis = _overlap_axis("tversky", axis, y_pred)
    intersection = ops.sum(y_true * y_pred, axis=axis)
    missed = ops.sum((1.0 - y_pred) * y_true, axis=axis)
    extra = ops.sum(y_pred * (1.0 - y_true), axis=axis)
    return 1.0 - intersection / (intersection + missed * alpha + extra * beta + EPSILON)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
kld = KLD = kl_divergence
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error


# ---- Loss objects: a loss function plus the reduction over the batch -------------------
_REDUCTIONS = ("sum_over_batch_size", "sum", "none", None, "mean", "mean_with_sample_weight")


class Loss:
    """A loss function with a reduction, called as ``loss(y_true, y_pred, sample_weight)``.

    Subclasses define ``call(y_true, y_pred)`` returning one value per sample. Reductions,
    as Keras: "sum_over_batch_size" (= "mean") is sum(loss * weight) / number of values,
    "mean_with_sample_weight" divides by sum(weight) instead, "sum" and "none".
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in _REDUCTIONS:
            raise ValueError(f"Invalid reduction {reduction!r}. Expected one of "
                             f"{list(_REDUCTIONS)}.")
        self.name = name or snake_case(type(self).__name__)      # as Keras' auto_name
        self.reduction = reduction
        self.dtype = dtype

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must define call(y_true, y_pred)")

    def _mask(self, y_true):
        """1.0 for the values that count, 0.0 for those left out (None: all count)."""
        return None

    def __call__(self, y_true, y_pred, sample_weight=None):
        values = self.call(y_true, y_pred)
        weight = None if sample_weight is None else sample_weight if isinstance(
            sample_weight, Tensor) else Tensor(*_arr(sample_weight, values.dtype))
        mask = self._mask(y_true)
        if mask is not None:                      # left-out values: weight 0, and the mean
            if self.reduction in ("sum_over_batch_size", "mean"):   # over the others only
                mask = mask * (mask.size / max(mask.sum(), 1))
            mask = Tensor(*_arr(mask, values.dtype))
            weight = mask if weight is None else _weigh(mask, weight)
        if weight is not None:
            values = _weigh(values, weight)
        if self.reduction in (None, "none") or not values.shape:
            return values
        if self.reduction == "sum":
            return ops.sum(values)
        if self.reduction == "mean_with_sample_weight" and weight is not None:
            if weight.data is None:                   # symbolic: only the shape matters
                return ops.sum(values) / ops.sum(weight)
            return ops.sum(values) / (float(weight.data.sum()) or numpy.inf)   # 0/0 -> 0
        return ops.mean(values)                   # sum / number of values, as one op

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _weigh(values, weight):
    """values * weight after Keras' squeeze_or_expand_to_same_rank; a (batch,) weight on
    (batch, time) values weighs each sample's every step (Keras refuses it)."""
    a, b = len(values.shape), len(weight.shape)
    if a == b + 1 and values.shape[-1] == 1:
        if b == 1:
            weight = ops.expand_dims(weight, -1)
        else:
            values = ops.squeeze(values, -1)
    elif b == a + 1 and weight.shape[-1] == 1:
        if a == 1:
            values = ops.expand_dims(values, -1)
        else:
            weight = ops.squeeze(weight, -1)
    elif 0 < b < a:
        weight = ops.reshape(weight, weight.shape + (1,) * (a - b))
    return values * weight


class LossFunctionWrapper(Loss):
    """A Loss made from a function ``fn(y_true, y_pred, **options)``."""

    def __init__(self, fn, name=None, reduction="sum_over_batch_size", **options):
        super().__init__(name=name or fn.__name__, reduction=reduction)
        self.fn = fn
        self.options = options

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self.options)

    def get_config(self):
        return {**super().get_config(), **self.options}


class MeanSquaredError(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error"):
        super().__init__(mean_squared_error, name=name, reduction=reduction)


class MeanAbsoluteError(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error"):
        super().__init__(mean_absolute_error, name=name, reduction=reduction)


class Huber(LossFunctionWrapper):
    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss"):
        super().__init__(huber, name=name, reduction=reduction, delta=float(delta))


class KLDivergence(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence"):
        super().__init__(kl_divergence, name=name, reduction=reduction)


class BinaryCrossentropy(LossFunctionWrapper):
    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy"):
        super().__init__(binary_crossentropy, name=name, reduction=reduction,
                         from_logits=bool(from_logits), label_smoothing=float(label_smoothing),
                         axis=axis)


class CategoricalCrossentropy(LossFunctionWrapper):
    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy"):
        super().__init__(categorical_crossentropy, name=name, reduction=reduction,
                         from_logits=bool(from_logits), label_smoothing=float(label_smoothing),
                         axis=axis)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy"):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction,
                         from_logits=bool(from_logits), ignore_class=ignore_class)

    def _mask(self, y_true):
        ignore = self.options["ignore_class"]
        return None if ignore is None else _ignore(y_true, ignore)[1]


class MeanAbsolutePercentageError(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error"):
        super().__init__(mean_absolute_percentage_error, name=name, reduction=reduction)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size",
                 name="mean_squared_logarithmic_error"):
        super().__init__(mean_squared_logarithmic_error, name=name, reduction=reduction)


class CosineSimilarity(LossFunctionWrapper):
    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity"):
        super().__init__(cosine_similarity, name=name, reduction=reduction, axis=axis)


class Hinge(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="hinge"):
        super().__init__(hinge, name=name, reduction=reduction)


class SquaredHinge(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge"):
        super().__init__(squared_hinge, name=name, reduction=reduction)


class CategoricalHinge(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge"):
        super().__init__(categorical_hinge, name=name, reduction=reduction)


class LogCosh(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="log_cosh"):
        super().__init__(log_cosh, name=name, reduction=reduction)


class Poisson(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="poisson"):
        super().__init__(poisson, name=name, reduction=reduction)


class BinaryFocalCrossentropy(LossFunctionWrapper):
    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy"):
        super().__init__(binary_focal_crossentropy, name=name, reduction=reduction,
                         apply_class_balancing=bool(apply_class_balancing),
                         alpha=float(alpha), gamma=float(gamma),
                         from_logits=bool(from_logits),
                         label_smoothing=float(label_smoothing), axis=axis)


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy"):
        super().__init__(categorical_focal_crossentropy, name=name, reduction=reduction,
                         alpha=float(alpha), gamma=float(gamma), from_logits=bool(from_logits),
                         label_smoothing=float(label_smoothing), axis=axis)


class Dice(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, name=name, reduction=reduction, axis=axis)
        self.dtype = dtype


class Tversky(LossFunctionWrapper):
    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky",
                 axis=None, dtype=None):
        for key, value in (("alpha", alpha), ("beta", beta)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"Tversky's {key} must be a number (the weight of "
                                 f"{'missed' if key == 'alpha' else 'extra'} pixels), e.g. "
                                 f"0.5. Received: {key}={value!r}")
        super().__init__(tversky, name=name, reduction=reduction, alpha=float(alpha),
                         beta=float(beta), axis=axis)
        self.dtype = dtype


_CLASSES = {c.__name__: c for c in (Dice, Tversky, MeanSquaredError, MeanAbsoluteError,
                                    Huber, KLDivergence,
                                    BinaryCrossentropy, CategoricalCrossentropy,
                                    SparseCategoricalCrossentropy, MeanAbsolutePercentageError,
                                    MeanSquaredLogarithmicError, CosineSimilarity, Hinge,
                                    SquaredHinge, CategoricalHinge, LogCosh, Poisson,
                                    BinaryFocalCrossentropy, CategoricalFocalCrossentropy)}
_FUNCTIONS = {"mean_squared_error": mean_squared_error, "mse": mean_squared_error,
              "MSE": mean_squared_error, "mean_absolute_error": mean_absolute_error,
              "mae": mean_absolute_error, "MAE": mean_absolute_error, "huber": huber,
              "huber_loss": huber, "kl_divergence": kl_divergence, "kld": kl_divergence,
              "KLD": kl_divergence, "binary_crossentropy": binary_crossentropy,
              "categorical_crossentropy": categorical_crossentropy,
              "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
              "mean_absolute_percentage_error": mean_absolute_percentage_error,
              "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
              "mean_squared_logarithmic_error": mean_squared_logarithmic_error,
              "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
              "cosine_similarity": cosine_similarity, "hinge": hinge,
              "squared_hinge": squared_hinge, "categorical_hinge": categorical_hinge,
              "log_cosh": log_cosh, "poisson": poisson,
              "binary_focal_crossentropy": binary_focal_crossentropy,
              "categorical_focal_crossentropy": categorical_focal_crossentropy,
              "dice": dice, "tversky": tversky}


def get(identifier):
    """A loss function or object from a Keras name ("mse", "MeanSquaredError"), or itself."""
    if identifier is None or isinstance(identifier, Loss) or (
            callable(identifier) and not isinstance(identifier, type)):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if isinstance(identifier, str):
        if identifier in _FUNCTIONS:
            return _FUNCTIONS[identifier]
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
    known = sorted(set(_FUNCTIONS) | set(_CLASSES))
    raise ValueError(f"Unknown loss {identifier!r}. Expected one of {known}, a Loss object, "
                     "or a function loss(y_true, y_pred).")


def serialize(loss):
    """The Keras name of a loss (function or object), for configs."""
    if isinstance(loss, Loss):
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    for name, fn in _FUNCTIONS.items():
        if fn is loss:
            return name
    return getattr(loss, "__name__", "custom")
