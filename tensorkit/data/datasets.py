"""Small data sets that ship with tensorkit or are generated on the spot (nothing downloaded).

- ``load_digits()``: scikit-learn's 8x8 handwritten digits (see README.md for its source).
- ``sentiment()``: short made-up reviews with 0/1 labels, for the text lessons.
- ``sequence_task()``: copy / reverse / sort / sum token sequences, for RNNs and attention.

Generated sets take a ``seed`` and are the same on every machine for the same arguments.
"""

import functools
import gzip
import os

import numpy

from ..tensor import tensor

__all__ = ["load_digits", "sentiment", "sequence_task"]

_HERE = os.path.dirname(os.path.abspath(__file__))


@functools.lru_cache(maxsize=1)
def _digits_table():
    with gzip.open(os.path.join(_HERE, "digits.csv.gz"), "rt") as f:
        table = numpy.loadtxt(f, delimiter=",", dtype=numpy.int32)
    if table.shape != (1797, 65):
        raise RuntimeError(f"tensorkit's digits.csv.gz has shape {table.shape}, expected "
                           "(1797, 65): the installed package is damaged; reinstall tensorkit.")
    table.setflags(write=False)
    return table


def load_digits(as_images=False):
    """The 1797 8x8 handwritten digits as ``(x, y)`` tensors.

    x: float32, pixel counts 0..16 divided by 16, so every value lies in [0, 1] (networks
    train best on inputs of about unit size). Shape (1797, 64) -- the 8 rows of 8 pixels one
    after another -- or (1797, 8, 8, 1) with ``as_images=True`` (NHWC, one grey channel,
    ready for Conv2D). y: int32 labels 0..9, shape (1797,).

    >>> x, y = load_digits()
    >>> x.shape, y.shape
    ((1797, 64), (1797,))
    """
    table = _digits_table()
    x = table[:, :64].astype(numpy.float32) / 16.0      # (1797, 64), in [0, 1]
    if as_images:
        x = x.reshape(-1, 8, 8, 1)                         # (1797, 64) -> (1797, 8, 8, 1)
    return tensor(x), tensor(table[:, 64].astype(numpy.int32))


# ---- a generated sentiment set ---------------------------------------------------------
_SUBJECTS = ["the movie", "this film", "the food", "the service", "the book", "the music",
             "the hotel", "the game", "the show", "the plot", "the staff", "the coffee"]
_VERBS = ["was", "is", "felt", "seemed"]
_INTENSIFIERS = ["", "", "very", "really", "quite", "so", "truly"]
_POSITIVE = ["good", "great", "excellent", "wonderful", "fun", "amazing", "lovely",
             "brilliant", "enjoyable", "fantastic", "charming", "perfect"]
_NEGATIVE = ["bad", "terrible", "awful", "boring", "poor", "horrible", "dull",
             "disappointing", "bland", "annoying", "weak", "messy"]
_ENDINGS = ["", "", "", "overall", "to me", "in the end", "honestly"]


def sentiment(n=500, seed=0, negations=True):
    """``n`` short reviews and their labels (1 positive, 0 negative), made from word lists.

    Returns ``(texts, labels)``: a list of ``n`` strings such as "the movie was really
    great" and an int32 array of shape (n,), about half of each label. With
    ``negations=True`` about a quarter of the sentences say "not": "the food was not good"
    is negative, so a model has to look at word order, not only at single words.
    """
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"sentiment expects n to be a non-negative integer. Received: n={n!r}")
    rng = numpy.random.default_rng(seed)
    texts, labels = [], []
    for _ in range(n):
        positive = bool(rng.integers(2))
        negated = negations and rng.random() < 0.25
        words = _POSITIVE if positive != negated else _NEGATIVE
        parts = [_SUBJECTS[rng.integers(len(_SUBJECTS))], _VERBS[rng.integers(len(_VERBS))],
                 "not" if negated else "", _INTENSIFIERS[rng.integers(len(_INTENSIFIERS))],
                 words[rng.integers(len(words))], _ENDINGS[rng.integers(len(_ENDINGS))]]
        texts.append(" ".join(p for p in parts if p))
        labels.append(int(positive))
    return texts, numpy.array(labels, dtype=numpy.int32)


# ---- generated sequence tasks ----------------------------------------------------------
_TASKS = ("copy", "reverse", "sort", "sum")


def sequence_task(kind="reverse", n=1000, length=8, vocab=10, seed=0):
    """Token sequences and their targets, for the RNN and attention lessons.

    x: int32 tokens drawn from 1..vocab-1 (0 is kept free for padding), shape (n, length).
    y depends on ``kind``:

    - "copy":    y = x,                      int32 (n, length)
    - "reverse": y = x reversed in time,     int32 (n, length)
    - "sort":    y = x sorted ascending,     int32 (n, length)
    - "sum":     y = the sum of each row,    float32 (n, 1) -- a regression target

    Returned as tensors; the same seed gives the same data.
    """
    if kind not in _TASKS:
        raise ValueError(f"sequence_task kind must be one of {list(_TASKS)}. "
                         f"Received: kind={kind!r}")
    for name, value, low in (("n", n, 0), ("length", length, 1), ("vocab", vocab, 2)):
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise ValueError(f"sequence_task expects {name} to be an integer >= {low}. "
                             f"Received: {name}={value!r}")
    rng = numpy.random.default_rng(seed)
    x = rng.integers(1, vocab, size=(n, length)).astype(numpy.int32)     # (n, T)
    if kind == "copy":
        y = x.copy()
    elif kind == "reverse":
        y = x[:, ::-1].copy()
    elif kind == "sort":
        y = numpy.sort(x, axis=1)
    else:
        y = x.sum(axis=1, keepdims=True).astype(numpy.float32)           # (n, T) -> (n, 1)
    return tensor(x), tensor(y)
