"""Metrics by their Keras 3 names: functions give one value per sample, Metric objects
keep a running mean over the batches (weighted by samples), as ``keras.metrics``.

Metrics only watch: they run on the arrays, with no graph and no gradients, so a metric
costs a training step almost nothing. ``metrics=["accuracy"]`` in ``compile`` picks
binary, sparse or categorical accuracy from the labels' and predictions' shapes, as Keras.
"""

import re

import numpy

from . import backend
from .tensor import Tensor, to_array

__all__ = ["Metric", "Mean", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy",
           "CategoricalAccuracy", "SparseCategoricalAccuracy", "MeanSquaredError",
           "MeanAbsoluteError", "MeanAbsolutePercentageError",
           "MeanSquaredLogarithmicError", "RootMeanSquaredError", "TopKCategoricalAccuracy",
           "SparseTopKCategoricalAccuracy", "Precision", "Recall", "AUC", "F1Score",
           "FBetaScore", "Sum", "TruePositives", "FalsePositives", "TrueNegatives",
           "FalseNegatives", "PrecisionAtRecall", "RecallAtPrecision",
           "SensitivityAtSpecificity", "SpecificityAtSensitivity", "IoU", "BinaryIoU",
           "MeanIoU", "OneHotIoU", "OneHotMeanIoU", "R2Score", "Hinge", "SquaredHinge",
           "CategoricalHinge", "KLDivergence", "Poisson", "LogCoshError", "CosineSimilarity",
           "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
           "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
           "binary_focal_crossentropy", "categorical_focal_crossentropy", "huber", "hinge",
           "squared_hinge", "categorical_hinge", "kl_divergence", "poisson",
           "log_cosh", "cosine_similarity", "accuracy", "binary_accuracy", "categorical_accuracy",
           "sparse_categorical_accuracy", "top_k_categorical_accuracy",
           "sparse_top_k_categorical_accuracy", "mean_squared_error", "mean_absolute_error",
           "mse", "mae", "PearsonCorrelation", "ConcordanceCorrelation", "pearson_correlation",
           "concordance_correlation", "get", "resolve"]


def snake_case(name):
    """Keras' default name for an object of class `name`: "MyMetric" -> "my_metric"."""
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", re.sub(r"\W+", "", name))
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _array(x):
    if isinstance(x, Tensor):
        return x._need_data("a metric")
    return x if hasattr(x, "shape") and hasattr(x, "dtype") else to_array(x)


def _same_rank(a, b):
    """Keras' squeeze_or_expand_to_same_rank: (N,) fits (N, 1) by growing the (N,) side,
    (N, T) fits (N, T, 1) by dropping the 1."""
    if a.ndim == b.ndim + 1 and a.shape[-1] == 1:
        return (a, b.reshape(b.shape + (1,))) if b.ndim == 1 else (a.reshape(a.shape[:-1]), b)
    if b.ndim == a.ndim + 1 and b.shape[-1] == 1:
        return (a.reshape(a.shape + (1,)), b) if a.ndim == 1 else (a, b.reshape(b.shape[:-1]))
    return a, b


def _rows(t, p, fn):
    t, p = _array(t), _array(p)
    return fn(backend.array_module(p), *_same_rank(t, p))


# ---- per-sample functions (arrays or tensors in, an array out) --------------------------
def accuracy(y_true, y_pred):
    """1 where y_pred equals y_true exactly, else 0 (elementwise, as Keras)."""
    return _rows(y_true, y_pred, lambda xp, t, p: (t == p).astype(numpy.float32))


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1 where (y_pred > threshold) equals the 0/1 label, else 0 (elementwise, as Keras)."""
    return _rows(y_true, y_pred, lambda xp, t, p: ((p > threshold) == t).astype(numpy.float32))


def categorical_accuracy(y_true, y_pred):
    """1 where the largest prediction is at the one-hot label's class, else 0."""
    t, p = _array(y_true), _array(y_pred)
    return (t.argmax(axis=-1) == p.argmax(axis=-1)).astype(numpy.float32)


def sparse_categorical_accuracy(y_true, y_pred):
    """1 where the largest prediction is at the class id y_true, else 0."""
    t, p = _array(y_true), _array(y_pred)
    if t.ndim == p.ndim and t.shape[-1] == 1:
        t = t.reshape(t.shape[:-1])
    return (t == p.argmax(axis=-1)).astype(numpy.float32)


def mean_squared_error(y_true, y_pred):
    return _rows(y_true, y_pred, lambda xp, t, p: ((p - t) ** 2).mean(axis=-1))


def mean_absolute_error(y_true, y_pred):
    return _rows(y_true, y_pred, lambda xp, t, p: xp.abs(p - t).mean(axis=-1))


def mean_absolute_percentage_error(y_true, y_pred):
    return _rows(y_true, y_pred, lambda xp, t, p: 100.0 * xp.abs(
        (t - p) / xp.maximum(xp.abs(t), 1e-7)).mean(axis=-1))


def mean_squared_logarithmic_error(y_true, y_pred):
    return _rows(y_true, y_pred, lambda xp, t, p: (
        (xp.log(xp.maximum(p, 1e-7) + 1.0) - xp.log(xp.maximum(t, 1e-7) + 1.0)) ** 2
    ).mean(axis=-1))


def _in_top_k(ids, p, k):
    """1 where the prediction at the class id is among the k largest (ties count as in
    Keras: rank = 1 + how many predictions are strictly larger)."""
    p = p.reshape(-1, p.shape[-1]) if p.ndim > 2 else p
    flat = ids.reshape(-1).astype(numpy.int64)
    at = numpy.take_along_axis(p, flat[:, None], axis=-1)
    at = numpy.where(numpy.isnan(at), -numpy.inf, at)          # nan is never "large"
    rank = 1 + (p > at).sum(axis=-1)
    return (rank <= k).astype(numpy.float32).reshape(ids.shape)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the one-hot label's class is among the k largest predictions, else 0."""
    t, p = _cpu(y_true), _cpu(y_pred)
    return _in_top_k(t.argmax(axis=-1), p, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1 where the class id y_true is among the k largest predictions, else 0. With
    ``from_sorted_ids`` y_pred holds class ids, best first (as from ``top_k``)."""
    t, p = _cpu(y_true), _cpu(y_pred)
    if t.ndim == p.ndim and t.ndim > 1 and t.shape[-1] == 1:
        t = t.reshape(t.shape[:-1])
    if from_sorted_ids:
        return (p[..., :k] == t[..., None]).any(axis=-1).astype(numpy.float32)
    return _in_top_k(t, p, k)


def _cpu(x, dtype=None):
    return numpy.asarray(backend.to_device(_array(x), "cpu"), dtype=dtype)


mse = mean_squared_error
mae = mean_absolute_error


def _floats(t, p):
    """y_true in y_pred's float dtype (float32 for integers), as Keras converts them."""
    dtype = p.dtype if p.dtype.kind == "f" else numpy.float32
    return t.astype(dtype, copy=False), p.astype(dtype, copy=False)


def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson's correlation of y_true and y_pred along `axis`: one value in [-1, 1] per
    sample (its values against their predictions); nan where a row is constant, as Keras.

    >>> pearson_correlation([[0, 1, 0.5], [1, 1, 0.2]], [[0.1, 0.9, 0.5], [1, 0.9, 0.2]])
    array([1.       , 0.9933992], dtype=float32)
    """
    def fn(xp, t, p):
        t, p = _floats(t, p)
        t = t - t.mean(axis=axis, keepdims=True)
        p = p - p.mean(axis=axis, keepdims=True)
        with numpy.errstate(divide="ignore", invalid="ignore"):
            t = t / t.std(axis=axis, keepdims=True)
            p = p / p.std(axis=axis, keepdims=True)
        return (t * p).mean(axis=axis)
    return _rows(y_true, y_pred, fn)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation along `axis`, per sample: 2 cov / (var(y_true) +
    var(y_pred) + (mean difference)²). Like Pearson's, but 1 only when y_pred equals
    y_true, not merely when they rise together.

    >>> concordance_correlation([[0, 1, 0.5], [1, 1, 0.2]], [[0.1, 0.9, 0.5], [1, 0.9, 0.2]])
    array([0.97560..., 0.98765...], dtype=float32)
    """
    def fn(xp, t, p):
        t, p = _floats(t, p)
        t_mean, p_mean = t.mean(axis=axis, keepdims=True), p.mean(axis=axis, keepdims=True)
        t_var = (t - t_mean).var(axis=axis, keepdims=True)
        p_var = (p - p_mean).var(axis=axis, keepdims=True)
        # Keras' product: (y_true - mean of y_pred), whose mean is the covariance all the same
        covar = (t - p_mean) * (p - p_mean)
        norm = t_var + p_var + (t_mean - p_mean) ** 2
        return (2 * covar / (norm + t.dtype.type(1e-7))).mean(axis=axis)
    return _rows(y_true, y_pred, fn)


# ---- Metric objects: running means ---------------------------------------------------
class Metric:
    """A running value: ``update_state(...)`` per batch, ``result()``, ``reset_state()``."""

    _direction = None       # "up" or "down": which way is better, as Keras' (mode="auto")

    def __init__(self, name=None, dtype=None):
        self.name = name or snake_case(type(self).__name__)     # as Keras' auto_name
        self.dtype = dtype
        self.reset_state()

    def reset_state(self):
        self.total, self.count = 0.0, 0.0

    def result(self):
        return self.total / self.count if self.count else 0.0

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        value = numpy.asarray(self.result())
        shown = f"{float(value):.4g}" if value.size == 1 else numpy.array2string(
            value, precision=4)
        return f"<{type(self).__name__} name={self.name} result={shown}>"


class Mean(Metric):
    """The (weighted) mean of the values given."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, values, sample_weight=None):
        """Each sample (first axis) counts once: its values are averaged first, as Keras."""
        values = numpy.asarray(backend.to_device(_array(values), "cpu"), dtype=numpy.float64)
        if sample_weight is None:
            self.total += float(_per_sample(values).sum())
            self.count += len(values) if values.ndim else 1
            return
        w = numpy.asarray(backend.to_device(_array(sample_weight), "cpu"), numpy.float64)
        values, w = _same_rank(values, w)
        if values.ndim > w.ndim:                  # (N, T) values, (N,) weights
            values = values.mean(axis=tuple(range(w.ndim, values.ndim)))
        w = numpy.broadcast_to(w, values.shape)
        self.total += float(_per_sample(values * w).sum())
        self.count += float(_per_sample(w).sum())


def _per_sample(x):
    return x.mean(axis=tuple(range(1, x.ndim))) if x.ndim > 1 else x


class MeanMetricWrapper(Mean):
    """The running mean of a per-sample function ``fn(y_true, y_pred, **options)``."""

    def __init__(self, fn, name=None, dtype=None, **options):
        super().__init__(name=name or fn.__name__, dtype=dtype)
        self.fn, self.options = fn, options

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(self.fn(y_true, y_pred, **self.options), sample_weight)

    def get_config(self):
        return {**super().get_config(), **self.options}


class Accuracy(MeanMetricWrapper):
    _direction = "up"

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    _direction = "up"

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    _direction = "up"

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    _direction = "up"

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class MeanSquaredError(MeanMetricWrapper):
    _direction = "down"

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    _direction = "down"

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    _direction = "down"

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    _direction = "down"

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """sqrt of the running mean of (y_pred - y_true)²."""

    _direction = "down"

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        t, p = _same_rank(_cpu(y_true, numpy.float64), _cpu(y_pred, numpy.float64))
        super().update_state((p - t) ** 2, sample_weight)

    def result(self):
        return float(numpy.sqrt(super().result()))


class TopKCategoricalAccuracy(MeanMetricWrapper):
    _direction = "up"

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        _check_k(k)
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    _direction = "up"

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):
        _check_k(k)
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=bool(from_sorted_ids))
        self.k = k


class PearsonCorrelation(MeanMetricWrapper):
    """The running mean of each sample's pearson_correlation along `axis` (as Keras: the
    samples' correlations averaged, not one correlation of all the data). Higher is better."""

    _direction = "up"

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class ConcordanceCorrelation(MeanMetricWrapper):
    """The running mean of each sample's concordance_correlation along `axis` (averaged over
    samples, as Keras). Higher is better; 1 only when predictions equal the labels."""

    _direction = "up"

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis


def _check_k(k):
    if isinstance(k, bool) or not isinstance(k, (int, numpy.integer)) or k < 1:
        raise ValueError(f"k must be a whole number >= 1 (how many of the largest "
                         f"predictions count). Received: k={k!r}")


# ---- confusion-matrix metrics: counts per threshold, kept across batches ----------------
NEG_INF = -1e10                           # Keras' stand-in for "not in the top k"


def _thresholds(thresholds, default):
    values = [default] if thresholds is None else (
        list(thresholds) if isinstance(thresholds, (list, tuple)) else [thresholds])
    if thresholds is not None and any(not 0 <= t <= 1 for t in values):
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {values}")
    return [float(t) for t in values]


def _evenly(thresholds):
    """Keras' test for thresholds i / (n - 1), which it counts with buckets instead."""
    n = len(thresholds)
    return n >= 3 and numpy.allclose(thresholds, numpy.arange(n, dtype=numpy.float32) / (n - 1),
                                     atol=1e-7)


def _confusion(y_true, y_pred, thresholds, sample_weight=None, top_k=None, class_id=None,
               multi_label=False, label_weights=None, evenly=False):
    """(tp, fp, tn, fn), each (thresholds,) or (thresholds, labels) for multi_label: a
    prediction counts as positive at threshold t when it is > t, as in Keras'
    update_confusion_matrix_variables (evenly spread thresholds use its buckets)."""
    t = _cpu(y_true, numpy.float32)
    p = _cpu(y_pred, numpy.float32)
    p, t = _same_rank(p, t)
    w = None
    if sample_weight is not None:
        w = _cpu(sample_weight, numpy.float32)
        w = w.reshape(w.shape + (1,))                       # Keras: expand_dims(-1), then
        if w.ndim == t.ndim + 1 and w.shape[-1] == 1:       # squeeze to y_true's rank
            w = w.reshape(w.shape[:-1])
    if top_k is not None:
        top = numpy.argsort(-p, axis=-1, kind="stable")[..., :top_k]
        keep = numpy.zeros(p.shape, bool)
        numpy.put_along_axis(keep, top, True, axis=-1)
        p = numpy.where(keep, p, numpy.float32(NEG_INF))
    if class_id is not None:
        if p.ndim == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape "
                             f"(num_samples, num_classes), found shape: {p.shape}")
        t, p = t[..., class_id, None], p[..., class_id, None]
    w = numpy.ones(p.shape, numpy.float32) if w is None else numpy.broadcast_to(w, p.shape)
    if label_weights is not None and not multi_label:
        w = w * numpy.broadcast_to(numpy.asarray(label_weights, numpy.float32), p.shape)
    cols = p.shape[-1] if multi_label else 1
    p, t, w = (a.reshape(-1, cols).astype(numpy.float64) for a in (p, t, w))
    positive = (t != 0)
    thr = numpy.asarray(thresholds, numpy.float32)
    n = len(thr)
    if evenly:                            # bucket i holds predictions in (t_i, t_{i+1}]
        p32 = numpy.clip(p, 0, 1).astype(numpy.float32)
        idx = (numpy.ceil(p32 * numpy.float32(n - 1)) - 1).astype(numpy.int64)
        if thr[0] < 0 or thr[-1] > 1:
            idx = numpy.maximum(idx, 0)
        live = idx >= 0
        offset = idx + n * numpy.arange(cols)
        counts = []
        for mask in (positive, ~positive):
            k = live & mask
            b = numpy.bincount(offset[k], w[k], minlength=n * cols).astype(numpy.float64)
            b = b.reshape(cols, n).T
            counts.append(numpy.cumsum(b[::-1], axis=0)[::-1])
        tp, fp = counts
    else:
        above = p[None] > thr[:, None, None]                # (thresholds, rows, cols)
        tp = ((above & positive) * w).sum(axis=1)
        fp = ((above & ~positive) * w).sum(axis=1)
    pos_total = (w * positive).sum(axis=0)
    neg_total = (w * ~positive).sum(axis=0)
    if not multi_label:
        tp, fp, pos_total, neg_total = tp[:, 0], fp[:, 0], pos_total[0], neg_total[0]
    return tp, fp, neg_total - fp, pos_total - tp


def _ratio(a, b):
    """a / b, 0 where b is 0 (Keras' divide_no_nan)."""
    return numpy.divide(a, b, out=numpy.zeros_like(a, dtype=numpy.float64), where=b != 0)


def _one_or_all(values):
    return float(values[0]) if len(values) == 1 else numpy.asarray(values, numpy.float32)


class _PrecisionRecall(Metric):
    """What Precision and Recall share: counts of tp and fp (or fn) per threshold."""

    _direction = "up"

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        self.init_thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        if top_k is not None:
            _check_k(top_k)
        self.thresholds = _thresholds(thresholds, 0.5 if top_k is None else NEG_INF)
        self._evenly = _evenly(self.thresholds)
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        self.true_positives = numpy.zeros(len(self.thresholds))
        self.other = numpy.zeros(len(self.thresholds))      # fp (Precision), fn (Recall)

    def update_state(self, y_true, y_pred, sample_weight=None):
        tp, fp, _, fn = _confusion(y_true, y_pred, self.thresholds, sample_weight, self.top_k,
                                   self.class_id, evenly=self._evenly)
        self.true_positives += tp
        self.other += fp if isinstance(self, Precision) else fn

    def result(self):
        return _one_or_all(_ratio(self.true_positives, self.true_positives + self.other))

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """tp / (tp + fp): of the predictions above the threshold (0.5), the share that are
    right. ``top_k`` counts only each row's k largest; ``class_id`` one class's column."""


class Recall(_PrecisionRecall):
    """tp / (tp + fn): of the true labels, the share predicted above the threshold (0.5)."""


class AUC(Metric):
    """Area under the ROC (or precision-recall) curve, from counts at `num_thresholds`
    thresholds kept across batches, as Keras' AUC (a Riemann sum, not the exact area)."""

    _direction = "up"

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        curves = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
        if str(curve).lower() not in curves:
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are '
                             '["PR", "ROC", "PRGAIN"]')
        if str(summation_method).lower() not in ("interpolation", "majoring", "minoring"):
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". '
                             'Expected values are ["interpolation", "majoring", "minoring"]')
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(_thresholds(thresholds, 0.5))
            self.num_thresholds = len(inner) + 2
            self._evenly = _evenly([0.0] + inner + [1.0])
        else:
            if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, int) or \
                    num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        if num_labels and not multi_label:
            raise ValueError("`num_labels` is needed only when `multi_label` is True.")
        self._thresholds = [0.0 - 1e-7] + inner + [1.0 + 1e-7]   # catch 0 and 1 exactly
        self.curve = curves[str(curve).lower()]
        self.summation_method = str(summation_method).lower()
        self.multi_label, self.num_labels = bool(multi_label), num_labels
        self.label_weights = None if label_weights is None else list(label_weights)
        self.from_logits = bool(from_logits)
        super().__init__(name=name, dtype=dtype)

    @property
    def thresholds(self):
        return list(self._thresholds)

    def reset_state(self):
        self.true_positives = self.false_positives = None      # shaped on the first update
        self.true_negatives = self.false_negatives = None

    def update_state(self, y_true, y_pred, sample_weight=None):
        p = _cpu(y_pred, numpy.float32)
        if self.multi_label and p.ndim != 2:
            raise ValueError("`y_pred` must have rank 2 when `multi_label=True`. Found rank "
                             f"{p.ndim}. Full shape received for `y_pred`: {p.shape}")
        if self.from_logits:
            p = (1 / (1 + numpy.exp(-p.astype(numpy.float64)))).astype(numpy.float32)
        counts = _confusion(y_true, p, self._thresholds, sample_weight,
                            multi_label=self.multi_label,
                            label_weights=None if self.multi_label else self.label_weights,
                            evenly=self._evenly)
        if self.true_positives is None:
            self.true_positives, self.false_positives, self.true_negatives, \
                self.false_negatives = (numpy.zeros(numpy.shape(c)) for c in counts)
        self.true_positives += counts[0]
        self.false_positives += counts[1]
        self.true_negatives += counts[2]
        self.false_negatives += counts[3]

    def _by_label(self, terms):
        if not self.multi_label:
            return float(terms.sum())
        per_label = terms.sum(axis=0)
        if self.label_weights is None:
            return float(per_label.mean())
        lw = numpy.asarray(self.label_weights, numpy.float64)
        return float(_ratio((per_label * lw).sum(), lw.sum()))

    def result(self):
        if self.true_positives is None:
            return 0.0
        tp, fp = self.true_positives, self.false_positives
        tn, fn = self.true_negatives, self.false_negatives
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc()
        recall = _ratio(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _ratio(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, _ratio(tp, tp + fp)
        else:                                                    # PRGAIN
            scale = _ratio(tp + fn, tn + fp)
            x = numpy.maximum(numpy.where(tp == 0, 0.0, 1.0 - scale * _ratio(fn, tp)), 0.0)
            y = numpy.where(tp == 0, 1.0, 1.0 - scale * _ratio(fp, tp))
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = numpy.minimum(y[:-1], y[1:])
        else:
            heights = numpy.maximum(y[:-1], y[1:])
        return self._by_label((x[:-1] - x[1:]) * heights)

    def _interpolate_pr_auc(self):
        """Davis & Goadrich's interpolation of the PR curve, in Keras' closed form."""
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        slope = _ratio(dtp, numpy.maximum(p[:-1] - p[1:], 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = numpy.where(both, _ratio(p[:-1], numpy.maximum(p[1:], 0)), 1.0)
        terms = _ratio(slope * (dtp + intercept * numpy.log(numpy.where(both, ratio, 1.0))),
                       numpy.maximum(tp[1:] + fn[1:], 0))
        return self._by_label(terms)

    def get_config(self):
        config = {**super().get_config(), "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": self.label_weights, "from_logits": self.from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self._thresholds[1:-1]
        return config


class FBetaScore(Metric):
    """(1 + beta²) precision recall / (beta² precision + recall) per class; ``average``
    None (one score per class), "micro", "macro" or "weighted". Predictions count as
    positive above ``threshold``, or where they are the row's largest when it is None."""

    _direction = "up"

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score",
                 dtype=None):
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, "
                             f"'micro', 'macro', 'weighted'}}. Received: average={average}")
        if not isinstance(beta, float) or beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be a Python float > "
                             f"0. Received: beta={beta!r}")
        if threshold is not None and (not isinstance(threshold, float) or
                                      not 0.0 < threshold <= 1.0):
            raise ValueError("Invalid `threshold` argument value. It should be a Python "
                             f"float with 0 < threshold <= 1. Received: threshold={threshold!r}")
        self.average, self.beta, self.threshold = average, beta, threshold
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        self._counts = None                   # tp, fp, fn, support: per class or summed

    def update_state(self, y_true, y_pred, sample_weight=None):
        t, p = _cpu(y_true, numpy.float64), _cpu(y_pred, numpy.float32)
        if t.ndim != 2 or p.ndim != 2:
            raise ValueError("FBetaScore expects 2D inputs with shape (batch_size, "
                             f"output_dim). Received input shapes: y_pred.shape={p.shape} "
                             f"and y_true.shape={t.shape}.")
        if self.threshold is None:
            hit = (p >= p.max(axis=-1, keepdims=True)) & (numpy.abs(p) > 1e-9)
        else:
            hit = p > self.threshold
        hit = hit.astype(numpy.float64)
        w = 1.0 if sample_weight is None else _cpu(sample_weight, numpy.float64)[:, None]
        axis = None if self.average == "micro" else 0
        new = [((v * w).sum(axis=axis)) for v in
               (hit * t, hit * (1 - t), (1 - hit) * t, t)]
        self._counts = new if self._counts is None else [
            a + b for a, b in zip(self._counts, new)]

    def result(self):
        if self._counts is None:
            return 0.0
        tp, fp, fn, support = self._counts
        precision = tp / (tp + fp + 1e-7)
        recall = tp / (tp + fn + 1e-7)
        b2 = self.beta ** 2
        score = precision * recall / (b2 * precision + recall + 1e-7) * (1 + b2)
        if self.average == "weighted":
            return float((score * support / (support.sum() + 1e-7)).sum())
        if self.average is not None:
            return float(numpy.mean(score))
        return numpy.asarray(score, numpy.float32)

    def get_config(self):
        return {**super().get_config(), "beta": self.beta, "average": self.average,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """FBetaScore with beta=1: 2 precision recall / (precision + recall)."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name,
                         dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config


# ---- confusion counts and "X at Y" metrics ----------------------------------------------
class _ConfusionCount(Metric):
    """One cell of the confusion matrix (tp, fp, tn or fn), summed per threshold."""

    _cell = 0                                         # index into _confusion's (tp, fp, tn, fn)

    def __init__(self, thresholds=None, name=None, dtype=None):
        self.init_thresholds = thresholds
        self.thresholds = _thresholds(thresholds, 0.5)
        self._evenly = _evenly(self.thresholds)
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        self.accumulator = numpy.zeros(len(self.thresholds))

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = _confusion(y_true, y_pred, self.thresholds, sample_weight, evenly=self._evenly)
        self.accumulator += counts[self._cell]

    def result(self):
        return _one_or_all(self.accumulator)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionCount):
    """The (weighted) number of positive labels predicted above the threshold (0.5)."""


class FalsePositives(_ConfusionCount):
    """The (weighted) number of negative labels predicted above the threshold (0.5)."""
    _cell = 1


class TrueNegatives(_ConfusionCount):
    """The (weighted) number of negative labels predicted at or below the threshold."""
    _cell = 2


class FalseNegatives(_ConfusionCount):
    """The (weighted) number of positive labels predicted at or below the threshold."""
    _cell = 3


class _AtConstraint(Metric):
    """Counts at `num_thresholds` thresholds evenly in [0, 1]; the result is the best
    `dependent` rate among the thresholds whose `constrained` rate is >= the value given."""

    _direction = "up"

    _arg = ""                                         # "recall", "precision"...

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                not 0 <= value <= 1:
            raise ValueError(f"Argument `{self._arg}` must be in the range [0, 1]. "
                             f"Received: {self._arg}={value!r}")
        if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, int) or \
                num_thresholds <= 0:
            raise ValueError("Argument `num_thresholds` must be an integer > 0. "
                             f"Received: num_thresholds={num_thresholds!r}")
        setattr(self, self._arg, value)
        self.value, self.num_thresholds, self.class_id = value, num_thresholds, class_id
        self.thresholds = [0.5] if num_thresholds == 1 else [0.0] + [
            (i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [1.0]
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        self._counts = numpy.zeros((4, len(self.thresholds)))     # tp, fp, tn, fn

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._counts += numpy.stack(_confusion(
            y_true, y_pred, self.thresholds, sample_weight, class_id=self.class_id,
            evenly=self.num_thresholds > 1))

    def result(self):
        tp, fp, tn, fn = self._counts.astype(numpy.float32)      # float32 rates, as Keras
        rates = {"recall": _ratio(tp, tp + fn), "precision": _ratio(tp, tp + fp),
                 "specificity": _ratio(tn, tn + fp)}
        rates["sensitivity"] = rates["recall"]
        constrained, dependent = (rates[k].astype(numpy.float32) for k in self._pair)
        feasible = constrained >= numpy.float32(self.value)
        return float(numpy.max(numpy.where(feasible, dependent, 0.0), initial=0.0))

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self._arg: self.value}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class PrecisionAtRecall(_AtConstraint):
    """The best precision at any threshold whose recall is >= `recall`."""

    _arg, _pair = "recall", ("recall", "precision")

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)


class RecallAtPrecision(_AtConstraint):
    """The best recall at any threshold whose precision is >= `precision`."""

    _arg, _pair = "precision", ("precision", "recall")

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)


class SensitivityAtSpecificity(_AtConstraint):
    """The best sensitivity (recall) at any threshold whose specificity is >= `specificity`."""

    _arg, _pair = "specificity", ("specificity", "sensitivity")

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)


class SpecificityAtSensitivity(_AtConstraint):
    """The best specificity at any threshold whose sensitivity is >= `sensitivity`."""

    _arg, _pair = "sensitivity", ("sensitivity", "specificity")

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)


# ---- IoU: a confusion matrix of class ids, kept across batches ---------------------------
def _class_ids(values, sparse, axis):
    values = _cpu(values)
    if not sparse:
        values = values.argmax(axis=axis)
    return values.reshape(-1).astype(numpy.int64)         # fractions truncate, as Keras' cast


class IoU(Metric):
    """Intersection over union, tp / (tp + fp + fn), per class from a confusion matrix of
    class ids kept across batches, averaged over `target_class_ids` (classes never seen
    nor predicted don't count). Keras keeps the matrix as int32 (``dtype`` "int32"), so
    float sample weights are truncated to whole numbers: 0.5 counts 0 times."""

    _direction = "up"

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_true=True, sparse_y_pred=True, axis=-1):
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, numpy.integer)) \
                or num_classes < 1:
            raise ValueError("num_classes must be a whole number >= 1 (how many classes the "
                             f"labels can have). Received: num_classes={num_classes!r}")
        ids = list(target_class_ids) if isinstance(target_class_ids, (list, tuple)) else None
        if not ids or any(isinstance(i, bool) or not isinstance(i, (int, numpy.integer))
                          for i in ids):
            raise ValueError("target_class_ids must be a non-empty list of class ids, e.g. "
                             f"[0] or [1, 2]. Received: target_class_ids={target_class_ids!r}")
        if max(ids) >= num_classes:
            raise ValueError(f"Target class id {max(ids)} is out of range, which is "
                             f"[0, {num_classes}).")
        self.num_classes, self.target_class_ids = int(num_classes), [int(i) for i in ids]
        self.ignore_class, self.axis = ignore_class, axis
        self.sparse_y_true, self.sparse_y_pred = bool(sparse_y_true), bool(sparse_y_pred)
        super().__init__(name=name, dtype=dtype or "int32")
        self._whole = "int" in str(self.dtype)

    def reset_state(self):
        self.total_cm = numpy.zeros((self.num_classes, self.num_classes))

    def update_state(self, y_true, y_pred, sample_weight=None):
        t = _class_ids(y_true, self.sparse_y_true, self.axis)
        p = _class_ids(y_pred, self.sparse_y_pred, self.axis)
        if t.shape != p.shape:
            raise ValueError(f"{type(self).__name__} got {t.size} labels but {p.size} "
                             "predictions (after taking class ids). Fix: give one prediction "
                             "per label, or set sparse_y_true / sparse_y_pred to say which "
                             "of them hold class ids.")
        w = numpy.ones(1) if sample_weight is None else _cpu(sample_weight, numpy.float64)
        if self._whole:
            w = numpy.trunc(w)
        w = w.reshape(-1)
        if w.size not in (1, t.size):
            raise ValueError(f"{type(self).__name__} got {w.size} sample weights for {t.size} "
                             "labels. Fix: give one weight per label (the labels' shape), or "
                             "one for all.")
        w = numpy.broadcast_to(w, t.shape)
        c = self.num_classes
        keep = (t >= 0) & (t < c) & (p >= 0) & (p < c)
        if self.ignore_class is not None:
            keep &= t != self.ignore_class
        self.total_cm += numpy.bincount(t[keep] * c + p[keep], w[keep],
                                        minlength=c * c).reshape(c, c)

    def result(self):
        cm = self.total_cm
        tp = numpy.diag(cm)
        denominator = (cm.sum(axis=0) + cm.sum(axis=1) - tp)[self.target_class_ids]
        tp = tp[self.target_class_ids].astype(numpy.float32)
        denominator = denominator.astype(numpy.float32)
        valid = denominator > 1e-9
        iou = numpy.where(valid, tp / (denominator + numpy.float32(1e-7)), numpy.float32(0))
        return float(iou.sum(dtype=numpy.float32) /
                     (numpy.float32(valid.sum()) + numpy.float32(1e-7)))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of yes/no labels: predictions >= `threshold` count as class 1, others as 0;
    the mean over `target_class_ids` (0, 1 or both)."""

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(2, target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        above = _cpu(y_pred, numpy.float32) >= numpy.float32(self.threshold)
        super().update_state(y_true, above.astype(numpy.int64), sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class MeanIoU(IoU):
    """IoU averaged over all `num_classes` classes (those seen or predicted)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, numpy.integer)):
            raise ValueError("num_classes must be a whole number >= 1 (how many classes the "
                             f"labels can have). Received: num_classes={num_classes!r}")
        super().__init__(num_classes, list(range(num_classes)), name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["target_class_ids"]
        return config


class OneHotIoU(IoU):
    """IoU for one-hot labels (and, by default, class scores): argmax of both first."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class OneHotMeanIoU(MeanIoU):
    """MeanIoU for one-hot labels (and, by default, class scores): argmax of both first."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config


# ---- regression: R², and sums ---------------------------------------------------------------
class R2Score(Metric):
    """The coefficient of determination, 1 - sum((y - ŷ)²) / sum((y - mean y)²), per output
    column; ``class_aggregation`` "uniform_average" (the mean over columns),
    "variance_weighted_average" or None (one score per column). ``num_regressors`` > 0
    gives the adjusted R²."""

    _direction = "up"

    def __init__(self, class_aggregation="uniform_average", num_regressors=0,
                 name="r2_score", dtype=None):
        allowed = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in allowed:
            raise ValueError("Invalid value for argument `class_aggregation`. Expected one of "
                             f"{allowed}. Received: class_aggregation={class_aggregation}")
        if isinstance(num_regressors, bool) or not isinstance(num_regressors, int) or \
                num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value "
                             f">= 0. Received: num_regressors={num_regressors!r}")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self._sums = None                      # sum, squared_sum, residual, count: per column
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        self.num_samples = 0
        if self._sums is not None:
            self._sums = numpy.zeros_like(self._sums)

    def update_state(self, y_true, y_pred, sample_weight=None):
        t, p = _same_rank(_cpu(y_true, numpy.float32), _cpu(y_pred, numpy.float32))
        if t.ndim != 2 or p.ndim != 2:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={p.shape} and "
                             f"y_true.shape={t.shape}.")
        t, p = t.astype(numpy.float64), p.astype(numpy.float64)
        w = numpy.ones(1) if sample_weight is None else _cpu(sample_weight, numpy.float64)
        w = numpy.broadcast_to(w[:, None] if w.ndim == 1 else w, t.shape)
        new = numpy.stack([(t * w).sum(0), (t * t * w).sum(0),
                           ((t - p) ** 2 * w).sum(0), w.sum(0)])
        self._sums = new if self._sums is None else self._sums + new
        self.num_samples += t.size

    def result(self):
        if self._sums is None:
            return 0.0
        total_sum, squared_sum, residual, count = self._sums
        with numpy.errstate(divide="ignore", invalid="ignore"):
            total = squared_sum - total_sum * (total_sum / count)
            raw = 1 - residual / total
        raw = numpy.where(numpy.isinf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            score = raw.mean()
        elif self.class_aggregation == "variance_weighted_average":
            with numpy.errstate(divide="ignore", invalid="ignore"):
                score = (total * raw).sum() / total.sum()
        else:
            score = raw
        n, k = self.num_samples, self.num_regressors
        if k and k < n - 1:
            score = 1 - (1 - score) * (n - 1) / (n - k - 1)
        elif k:
            import warnings
            warnings.warn("More independent predictors than datapoints in adjusted R2 score. "
                          "Falling back to standard R2 score." if k > n - 1 else
                          "Division by zero in Adjusted R2 score. Falling back to standard "
                          "R2 score.", stacklevel=2)
        return float(score) if numpy.ndim(score) == 0 else numpy.asarray(score, numpy.float32)

    def get_config(self):
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}


class Sum(Metric):
    """The (weighted) sum of all the values given."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        self.total = 0.0

    def update_state(self, values, sample_weight=None):
        values = _cpu(values, numpy.float64)
        if sample_weight is not None:
            w = _cpu(sample_weight, numpy.float64)
            values, w = _same_rank(values, w)
            if values.ndim > w.ndim:                   # (N, T) values, (N,) weights
                values = values.sum(axis=tuple(range(w.ndim, values.ndim)))
            values = values * w
        self.total += float(values.sum())

    def result(self):
        return self.total


# ---- losses as metrics: the running mean of a loss function -----------------------------
def _loss_values(name, y_true, y_pred, **options):
    from . import losses  # losses imports this module
    return getattr(losses, name)(_array(y_true), _array(y_pred), **options).data


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    return _loss_values("binary_crossentropy", y_true, y_pred, from_logits=from_logits,
                        label_smoothing=label_smoothing, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    return _loss_values("categorical_crossentropy", y_true, y_pred, from_logits=from_logits,
                        label_smoothing=label_smoothing, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    return _loss_values("sparse_categorical_crossentropy", y_true, y_pred,
                        from_logits=from_logits, ignore_class=ignore_class, axis=axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    return _loss_values("binary_focal_crossentropy", y_true, y_pred,
                        apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                        from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    return _loss_values("categorical_focal_crossentropy", y_true, y_pred, alpha=alpha,
                        gamma=gamma, from_logits=from_logits, label_smoothing=label_smoothing,
                        axis=axis)


def huber(y_true, y_pred, delta=1.0):
    return _loss_values("huber", y_true, y_pred, delta=delta)


def hinge(y_true, y_pred):
    return _loss_values("hinge", y_true, y_pred)


def squared_hinge(y_true, y_pred):
    return _loss_values("squared_hinge", y_true, y_pred)


def categorical_hinge(y_true, y_pred):
    return _loss_values("categorical_hinge", y_true, y_pred)


def kl_divergence(y_true, y_pred):
    return _loss_values("kl_divergence", y_true, y_pred)


def poisson(y_true, y_pred):
    return _loss_values("poisson", y_true, y_pred)


def log_cosh(y_true, y_pred):
    return _loss_values("log_cosh", y_true, y_pred)


def cosine_similarity(y_true, y_pred, axis=-1):
    """cos(angle between y_true and y_pred) along `axis`: 1 when they point the same way
    (the loss of this name is its negative)."""
    from . import losses
    return -losses.cosine_similarity(_array(y_true), _array(y_pred), axis=axis).data


class Hinge(MeanMetricWrapper):
    _direction = "down"

    def __init__(self, name="hinge", dtype=None):
        super().__init__(hinge, name=name, dtype=dtype)


class SquaredHinge(MeanMetricWrapper):
    _direction = "down"

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(MeanMetricWrapper):
    _direction = "down"

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, dtype=dtype)


class KLDivergence(MeanMetricWrapper):
    _direction = "down"

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, dtype=dtype)


class Poisson(MeanMetricWrapper):
    _direction = "down"

    def __init__(self, name="poisson", dtype=None):
        super().__init__(poisson, name=name, dtype=dtype)


class LogCoshError(MeanMetricWrapper):
    _direction = "down"

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(log_cosh, name=name, dtype=dtype)


class CosineSimilarity(MeanMetricWrapper):
    _direction = "up"

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)


class BinaryCrossentropy(MeanMetricWrapper):
    """The running mean of binary crossentropy, as a number to watch (the loss of this name
    is what training minimises)."""

    _direction = "down"

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0):
        super().__init__(binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class CategoricalCrossentropy(MeanMetricWrapper):
    _direction = "down"

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        super().__init__(categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    _direction = "down"

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 axis=-1):
        super().__init__(sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, axis=axis)


_FUNCTIONS = {"accuracy": accuracy, "binary_accuracy": binary_accuracy,
              "categorical_accuracy": categorical_accuracy,
              "sparse_categorical_accuracy": sparse_categorical_accuracy,
              "mean_squared_error": mean_squared_error, "mse": mean_squared_error,
              "mean_absolute_error": mean_absolute_error, "mae": mean_absolute_error,
              "top_k_categorical_accuracy": top_k_categorical_accuracy,
              "sparse_top_k_categorical_accuracy": sparse_top_k_categorical_accuracy,
              "mean_absolute_percentage_error": mean_absolute_percentage_error,
              "mean_squared_logarithmic_error": mean_squared_logarithmic_error,
              "pearson_correlation": pearson_correlation,
              "concordance_correlation": concordance_correlation}
_CLASSES = {c.__name__: c for c in (Accuracy, BinaryAccuracy, CategoricalAccuracy,
                                    SparseCategoricalAccuracy, MeanSquaredError,
                                    MeanAbsoluteError, Mean, RootMeanSquaredError,
                                    MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
                                    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
                                    Precision, Recall, AUC, F1Score, FBetaScore, Sum,
                                    TruePositives, FalsePositives, TrueNegatives,
                                    FalseNegatives, PrecisionAtRecall, RecallAtPrecision,
                                    SensitivityAtSpecificity, SpecificityAtSensitivity, IoU,
                                    BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU, R2Score,
                                    Hinge, SquaredHinge, CategoricalHinge, KLDivergence,
                                    Poisson, LogCoshError, CosineSimilarity,
                                    BinaryCrossentropy, CategoricalCrossentropy,
                                    SparseCategoricalCrossentropy, PearsonCorrelation,
                                    ConcordanceCorrelation)}


_NAMES = {"mse": "mean_squared_error", "mae": "mean_absolute_error",
          "mape": "mean_absolute_percentage_error", "msle": "mean_squared_logarithmic_error",
          "MSE": "mean_squared_error", "MAE": "mean_absolute_error",
          "MAPE": "mean_absolute_percentage_error", "MSLE": "mean_squared_logarithmic_error"}
_OBJECTS = {"accuracy": Accuracy, "binary_accuracy": BinaryAccuracy,
            "categorical_accuracy": CategoricalAccuracy,
            "sparse_categorical_accuracy": SparseCategoricalAccuracy,
            "mean_squared_error": MeanSquaredError, "mean_absolute_error": MeanAbsoluteError,
            "root_mean_squared_error": RootMeanSquaredError,
            "mean_absolute_percentage_error": MeanAbsolutePercentageError,
            "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
            "top_k_categorical_accuracy": TopKCategoricalAccuracy,
            "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
            "precision": Precision, "recall": Recall, "auc": AUC, "f1_score": F1Score,
            "f_beta_score": FBetaScore, "sum": Sum, "r2_score": R2Score,
            "true_positives": TruePositives, "false_positives": FalsePositives,
            "true_negatives": TrueNegatives, "false_negatives": FalseNegatives,
            "hinge": Hinge, "squared_hinge": SquaredHinge,
            "categorical_hinge": CategoricalHinge, "kl_divergence": KLDivergence,
            "poisson": Poisson, "log_cosh_error": LogCoshError,
            "cosine_similarity": CosineSimilarity, "binary_crossentropy": BinaryCrossentropy,
            "categorical_crossentropy": CategoricalCrossentropy,
            "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
            "pearson_correlation": PearsonCorrelation,
            "concordance_correlation": ConcordanceCorrelation}
# Keras names of metrics that need arguments: get() says which (Keras: a TypeError)
_NEEDS = {"io_u": IoU, "mean_io_u": MeanIoU, "binary_io_u": BinaryIoU,
          "one_hot_io_u": OneHotIoU, "one_hot_mean_io_u": OneHotMeanIoU,
          "precision_at_recall": PrecisionAtRecall, "recall_at_precision": RecallAtPrecision,
          "sensitivity_at_specificity": SensitivityAtSpecificity,
          "specificity_at_sensitivity": SpecificityAtSensitivity}
_EXAMPLES = {"IoU": "IoU(num_classes=3, target_class_ids=[1])",
             "MeanIoU": "MeanIoU(num_classes=3)", "OneHotIoU": "OneHotIoU(num_classes=3, "
             "target_class_ids=[1])", "OneHotMeanIoU": "OneHotMeanIoU(num_classes=3)",
             "PrecisionAtRecall": "PrecisionAtRecall(recall=0.8)",
             "RecallAtPrecision": "RecallAtPrecision(precision=0.8)",
             "SensitivityAtSpecificity": "SensitivityAtSpecificity(specificity=0.8)",
             "SpecificityAtSensitivity": "SpecificityAtSensitivity(sensitivity=0.8)"}


def get(identifier):
    """A Metric object from a Keras name ("mae", "Accuracy"), as keras.metrics.get; a
    Metric object or a function metric(y_true, y_pred) is returned as is."""
    if isinstance(identifier, Metric) or (callable(identifier) and
                                          not isinstance(identifier, type)):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, str):
        name = _NAMES.get(identifier, identifier)
        if name in _OBJECTS:
            return _OBJECTS[name]()
        cls = _NEEDS.get(identifier, _CLASSES.get(identifier))
        if cls is not None and cls.__name__ in _EXAMPLES:
            raise TypeError(f"the metric {identifier!r} needs arguments, so it can't be "
                            f"given by name. Fix: metrics=[tk.metrics."
                            f"{_EXAMPLES[cls.__name__]}].")
        if cls is not None:
            return cls()
    raise ValueError(f"Unknown metric {identifier!r}. Expected one of "
                     f"{sorted(set(_FUNCTIONS) | set(_CLASSES))}, a Metric object or a "
                     "function metric(y_true, y_pred).")


def resolve(identifier, y_true_shape, y_pred_shape):
    """A fresh Metric object for compile(metrics=[...]), named as Keras names it.

    "accuracy" (or "acc") becomes binary accuracy for one output unit, sparse categorical
    accuracy for class-id labels, else categorical accuracy: Keras' rule.
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        t, p = tuple(y_true_shape), tuple(y_pred_shape)
        if len(p) <= 1 or p[-1] == 1:
            return BinaryAccuracy(name=identifier)
        if len(t) < len(p) or (t and t[-1] == 1):
            return SparseCategoricalAccuracy(name=identifier)
        return CategoricalAccuracy(name=identifier)
    found = get(identifier)
    if not isinstance(found, Metric):
        found = MeanMetricWrapper(found, name=getattr(found, "__name__", "metric"))
    if isinstance(identifier, str):
        found.name = identifier                       # "mae" logs as "mae", as Keras
    return found
