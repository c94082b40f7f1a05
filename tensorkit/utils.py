"""The ``keras.utils`` names learners reach for: ``to_categorical``, ``set_random_seed``,
``PyDataset`` (the same class as ``tk.data.PyDataset``), ``pad_sequences`` (``tk.data``'s),
``normalize``, ``plot_model``/``model_to_dot`` (in tensorkit/plotting.py); the datasets
tutorials start with, from local files (tensorkit/data/directory.py, timeseries.py):
``image_dataset_from_directory``, ``text_dataset_from_directory``,
``timeseries_dataset_from_array``; and image files with Pillow: ``load_img``,
``img_to_array``, ``array_to_img``, ``save_img`` (tensorkit/data/images.py)."""

import random as _python_random

import numpy

from . import random as _tk_random
from .data import one_hot, pad_sequences
from .data.directory import image_dataset_from_directory, text_dataset_from_directory
from .data.images import array_to_img, img_to_array, load_img, save_img
from .data.pydataset import PyDataset
from .data.timeseries import timeseries_dataset_from_array
from .plotting import model_to_dot, plot_model
from .training import unpack_x_y_sample_weight

__all__ = ["to_categorical", "set_random_seed", "PyDataset", "pad_sequences", "normalize",
           "plot_model", "model_to_dot", "image_dataset_from_directory",
           "text_dataset_from_directory", "timeseries_dataset_from_array", "load_img",
           "img_to_array", "array_to_img", "save_img", "unpack_x_y_sample_weight"]


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


def normalize(x, axis=-1, order=2):
    """x divided by its `order`-norm along `axis` (rows of length 1), as
    ``keras.utils.normalize``; an all-zero row stays zero. A NumPy array out: float32, or
    the given array's float dtype.

    >>> normalize([[3.0, 4.0], [0.0, 0.0]])
    array([[0.6, 0.8],
           [0. , 0. ]], dtype=float32)
    """
    given = x.numpy() if hasattr(x, "numpy") else x
    x = numpy.asarray(given)
    if x.dtype.kind != "f" or not isinstance(given, numpy.ndarray):
        x = x.astype(numpy.float32)
    norm = numpy.linalg.norm(x, order, axis, keepdims=True)
    norm[norm == 0] = 1
    return x / norm
