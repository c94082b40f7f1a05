"""The ``keras.utils`` names learners reach for: ``to_categorical``, ``set_random_seed`` and
``PyDataset`` (the same class as ``tk.data.PyDataset``)."""

import random as _python_random

import numpy

from . import random as _tk_random
from .data import one_hot
from .data.pydataset import PyDataset

__all__ = ["to_categorical", "set_random_seed", "PyDataset"]


def to_categorical(x, num_classes=None):
    """Class ids -> one-hot rows, as ``keras.utils.to_categorical``: (N,) or (N, 1) ->
    (N, num_classes). float32 here (Keras gives float64), as everything in tensorkit.

    >>> to_categorical([[1], [2]], 3)
    array([[0., 1., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    ids = numpy.asarray(x.numpy() if hasattr(x, "numpy") else x)
    if ids.ndim > 1 and ids.shape[-1] == 1:            # a column of ids, as Keras
        ids = ids[..., 0]
    return one_hot(ids, num_classes)


def set_random_seed(seed):
    """Seed Python's ``random``, NumPy's global generator and ``tk.random`` at once, as
    ``keras.utils.set_random_seed``: a seeded notebook repeats exactly."""
    _python_random.seed(seed)
    numpy.random.seed(seed)
    _tk_random.seed(seed)
