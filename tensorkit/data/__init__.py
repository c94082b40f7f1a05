"""Data for the lessons, all offline: data sets, text tools, one-hot labels, splits, batches.

``tk.data.load_digits()``, ``tk.data.sentiment()``, ``tk.data.sequence_task()`` give data;
``pad_sequences``, ``Tokenizer`` and ``TextVectorization`` turn text into numbers;
``one_hot``, ``train_test_split`` and ``batches`` get arrays ready for training;
``PyDataset`` (as ``keras.utils.PyDataset``) makes batches in Python code for ``fit``;
``Dataset`` is what ``tk.utils.image_dataset_from_directory``, ``text_dataset_from_directory``
and ``timeseries_dataset_from_array`` give (a PyDataset with ``map``/``take``/``skip``). Functions
keep the kind of what they are given: NumPy arrays stay arrays, tensors stay tensors.
"""

import numpy

from ..tensor import Tensor, tensor
from .dataset import Dataset
from .datasets import load_digits, sentiment, sequence_task
from .pydataset import PyDataset
from .text import TextVectorization, Tokenizer, pad_sequences

__all__ = ["load_digits", "sentiment", "sequence_task", "pad_sequences", "Tokenizer",
           "TextVectorization", "one_hot", "train_test_split", "batches", "PyDataset", "Dataset"]


def one_hot(labels, num_classes=None):
    """Integer labels of any shape -> float32 one-hot of shape (*labels.shape, num_classes).

    As ``keras.utils.to_categorical``; ``num_classes`` defaults to max(label) + 1. A label
    outside 0..num_classes-1 is an error (Keras would silently give a wrong row).

    >>> one_hot([0, 2], 3)
    array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    was_tensor = isinstance(labels, Tensor)
    arr = numpy.asarray(labels.numpy() if was_tensor else labels)
    if arr.dtype.kind == "f":
        if arr.size and not numpy.all(numpy.isfinite(arr) & (arr == numpy.round(arr))):
            bad = arr[~(numpy.isfinite(arr) & (arr == numpy.round(arr)))][0]
            raise ValueError(f"one_hot expects whole-number class labels, found {bad!r}. "
                             "Fix: pass the class indices (e.g. y.argmax(axis=-1) of one-hot "
                             "rows, or labels.astype(int)).")
        arr = arr.astype(numpy.int64)
    elif arr.dtype.kind not in "iub":
        raise ValueError(f"one_hot expects integer class labels, got {arr.dtype} values. "
                         "Fix: map each class to 0..num_classes-1 first.")
    if num_classes is None:
        num_classes = int(arr.max()) + 1 if arr.size else 0
    if not isinstance(num_classes, (int, numpy.integer)) or num_classes < 1:
        raise ValueError(f"one_hot expects num_classes to be a positive integer. "
                         f"Received: num_classes={num_classes!r}")
    out_of_range = (arr < 0) | (arr >= num_classes)
    if out_of_range.any():
        where = tuple(int(i) for i in numpy.argwhere(out_of_range)[0])
        raise ValueError(f"one_hot: label {int(arr[where])} at index {where} is outside "
                         f"0..{num_classes - 1} (num_classes={num_classes}). Fix: pass "
                         f"num_classes > {int(arr.max())}, or map the labels to "
                         f"0..{num_classes - 1}.")
    out = numpy.eye(num_classes, dtype=numpy.float32)[arr]          # (...) -> (..., C)
    return tensor(out) if was_tensor else out


def _length(a, name):
    if isinstance(a, Tensor):
        if a.is_symbolic:
            raise TypeError(f"{name} is a symbolic tensor (a shape with no data); split and "
                            "batch real data.")
        return a.shape[0]
    if hasattr(a, "shape") and len(a.shape) > 0:
        return a.shape[0]
    if isinstance(a, (list, tuple)):
        return len(a)
    raise TypeError(f"{name} must be an array, a tensor or a list, got {type(a).__name__}.")


def _take(a, idx):
    """Rows `idx` of an array, tensor or list, keeping its kind."""
    if isinstance(a, Tensor):
        return tensor(a.numpy()[idx])
    if isinstance(a, (list, tuple)):
        return [a[i] for i in idx]
    return a[idx]


def _check_same_length(arrays, who):
    lengths = [_length(a, f"{who} argument {i}") for i, a in enumerate(arrays)]
    if len(set(lengths)) > 1:
        raise ValueError(f"{who}: every array needs one row per example, but the lengths are "
                         f"{lengths}. Fix: pass x and y with the same first axis.")
    return lengths[0] if lengths else 0


def train_test_split(*arrays, test_size=0.2, shuffle=True, seed=None):
    """Split arrays (same first axis) into train and test parts: x_tr, x_te, y_tr, y_te.

    ``test_size``: a fraction in (0, 1) or a number of rows. As scikit-learn, the test part
    has ceil(test_size * n) rows. Rows are shuffled first (seeded) unless ``shuffle=False``.
    """
    if not arrays:
        raise ValueError("train_test_split needs at least one array.")
    n = _check_same_length(arrays, "train_test_split")
    if isinstance(test_size, float) and 0 < test_size < 1:
        n_test = int(numpy.ceil(test_size * n))
    elif isinstance(test_size, (int, numpy.integer)) and 0 < test_size < n:
        n_test = int(test_size)
    else:
        raise ValueError(f"train_test_split: test_size must be a fraction in (0, 1) or a row "
                         f"count in 1..{n - 1}. Received: test_size={test_size!r}")
    if n_test >= n:
        raise ValueError(f"train_test_split: test_size={test_size!r} leaves no training rows "
                         f"out of {n}.")
    order = numpy.random.default_rng(seed).permutation(n) if shuffle else numpy.arange(n)
    test, train = order[:n_test], order[n_test:]
    out = []
    for a in arrays:
        out += [_take(a, train), _take(a, test)]
    return out


class batches:
    """Iterate over ``(x_batch, y_batch)`` (or just ``x_batch``) of ``batch_size`` rows.

    The last batch may be smaller. With ``shuffle=True`` each pass takes a new order from
    one generator seeded by ``seed``, so a run is repeatable. ``len()`` is the number of
    batches per pass.
    """

    def __init__(self, x, y=None, batch_size=32, shuffle=False, seed=None):
        if not isinstance(batch_size, (int, numpy.integer)) or batch_size < 1:
            raise ValueError(f"batches expects batch_size to be a positive integer. "
                             f"Received: batch_size={batch_size!r}")
        self.x, self.y, self.batch_size, self.shuffle = x, y, int(batch_size), shuffle
        self.n = _check_same_length([x] if y is None else [x, y], "batches")
        self._rng = numpy.random.default_rng(seed)

    def __len__(self):
        return -(-self.n // self.batch_size)

    def __iter__(self):
        order = self._rng.permutation(self.n) if self.shuffle else numpy.arange(self.n)
        for start in range(0, self.n, self.batch_size):
            idx = order[start:start + self.batch_size]
            if self.y is None:
                yield _take(self.x, idx)
            else:
                yield _take(self.x, idx), _take(self.y, idx)
