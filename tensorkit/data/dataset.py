"""``Dataset``: what ``tk.utils.image_dataset_from_directory``, ``text_dataset_from_directory``
and ``timeseries_dataset_from_array`` return, in place of Keras' ``tf.data.Dataset``.

It is a ``tk.data.PyDataset`` (so ``fit``, ``evaluate`` and ``predict`` take it) that makes
each batch when asked: ``len(ds)`` batches, ``ds[i]`` batch ``i``, ``for x, y in ds``.
With ``shuffle=True`` every pass (every epoch, every ``for`` loop) takes a new order of the
samples, drawn from the seed. ``map``, ``take`` and ``skip`` work as tf.data's; the tf.data
calls that tune a pipeline (``cache``, ``prefetch``, ``shuffle``, ``batch``...) say what to
do instead. ``fit(shuffle=True)`` (fit's default) leaves a Dataset's order alone, as Keras
leaves a tf.data dataset's: the shuffling is the dataset's own.
"""

import numpy

from ..errors import format_shape
from ..tensor import tensor
from .pydataset import PyDataset

__all__ = ["Dataset"]

_HEAD = ("tensorkit datasets are Python iterables (a tk.data.PyDataset that makes each batch "
         "when asked), not tf.data pipelines: ")
_TF_ONLY = {
    "cache": "There is nothing to cache, batches are read from the files in each pass. Fix: "
             "drop .cache() (and .prefetch(...)); to keep a small data set in memory, gather "
             "it once: x = np.concatenate([x for x, y in ds]).",
    "prefetch": "Batches are made one after the other as fit asks for them. Fix: drop "
                ".prefetch(buffer_size=AUTOTUNE) (and .cache()).",
    "shuffle": "Shuffling is the shuffle=True argument (the default) of the function that made "
               "the dataset: a new order in each pass, repeatable with seed=. Fix: drop "
               ".shuffle(...).",
    "batch": "The dataset is already in batches of the batch_size= given when it was made. "
             "Fix: drop .batch(...) and pass batch_size=... to the function that makes it "
             "(batch_size=None gives single samples).",
    "unbatch": "Fix: loop over the batches and their rows (for x, y in ds: for xi, yi in "
               "zip(x, y): ...), or make the dataset with batch_size=None for single samples.",
    "repeat": "Fit's epochs= makes the passes over it. Fix: drop .repeat() and pass "
              "epochs=... to fit.",
}


def _count_arg(count, method):
    if isinstance(count, bool) or not isinstance(count, (int, numpy.integer)) or count < -1:
        raise ValueError(f"Dataset.{method} expects a number of batches: an integer >= 0, or "
                         f"-1 for all of them (as tf.data). Received: count={count!r}. Fix: e.g. "
                         f"ds.{method}(10) for 10 batches.")
    return int(count)


def _output(part, single):
    """A batch part (NumPy, first axis the batch) as the dataset gives it: numbers as a
    tensor (as Keras gives tf tensors), texts as a NumPy array of str."""
    if single:
        part = part[0]
        return part if isinstance(part, str) else tensor(part)
    return part if part.dtype == object else tensor(part)


class Dataset(PyDataset):
    """Batches of samples read on demand: a ``tk.data.PyDataset`` for ``fit``/``evaluate``/
    ``predict``, also iterable (``for x, y in ds``), with ``len()`` (batches per pass).

    Numbers come as tensors, texts as NumPy arrays of str. ``class_names`` (and
    ``file_paths`` for data read from files) are kept as Keras keeps them. ``map(fn)``,
    ``take(n)`` and ``skip(n)`` give new datasets, as tf.data's do.
    """

    class_names = None
    keeps_its_order = True    # fit(shuffle=True) leaves it alone, as Keras leaves tf.data's

    def __iter__(self):
        self.on_epoch_begin()                      # a new pass: a new order when shuffled
        for index in range(len(self)):
            yield self[index]

    def _index(self, index):
        n = len(self)
        if isinstance(index, bool) or not isinstance(index, (int, numpy.integer)):
            raise TypeError(f"A dataset is indexed by batch number, an integer. Received: "
                            f"{index!r:.40}. Fix: ds[0] for the first batch, or ds.take(n) "
                            "for the first n batches.")
        if not -n <= index < n:
            has = f"has {n} batches (0..{n - 1})" if n else "has no batches"
            raise IndexError(f"batch {index} is out of range: this dataset {has}. Fix: "
                             "len(ds) is the number of batches; ds[-1] is the last one.")
        return int(index) % n

    # ---- new datasets from this one, as tf.data's ------------------------------------------
    def map(self, fn):
        """The dataset of ``fn(x, y)`` for each batch ``(x, y)`` (``fn(x)`` when batches are
        x alone), as tf.data's ``map``: e.g. ``ds.map(lambda x, y: (rescale(x), y))``."""
        if not callable(fn):
            raise TypeError(f"Dataset.map expects a function of a batch. Received: "
                            f"{fn!r:.60}. Fix: e.g. ds.map(lambda x, y: (x / 255, y)).")
        return _Mapped(self, fn)

    def take(self, count):
        """The dataset of the first `count` batches (-1: all), as tf.data's ``take``."""
        count = _count_arg(count, "take")
        return _Slice(self, 0, len(self) if count == -1 else min(count, len(self)))

    def skip(self, count):
        """The dataset without its first `count` batches (-1: all), as tf.data's ``skip``."""
        count = _count_arg(count, "skip")
        return _Slice(self, len(self) if count == -1 else min(count, len(self)), len(self))

    def __repr__(self):
        return f"<{type(self).__name__}: {len(self)} batches>"

    @classmethod
    def from_tensor_slices(cls, *args, **kwargs):
        raise NotImplementedError(
            "tk.data.Dataset.from_tensor_slices is tf.data's; tensorkit needs no dataset for "
            "arrays. Fix: pass them to fit directly, model.fit(x, y, batch_size=32) (fit "
            "shuffles each epoch), or loop over tk.data.batches(x, y, batch_size=32).")


def _tf_only(name):
    def method(self, *args, **kwargs):
        raise NotImplementedError(f"{_HEAD}.{name}() is tf.data's. {_TF_ONLY[name]}")
    method.__name__ = name
    method.__doc__ = f"tf.data's ``{name}``: not here (the error says what to do instead)."
    return method


for _name in _TF_ONLY:
    setattr(Dataset, _name, _tf_only(_name))


class Batches(Dataset):
    """`count` samples in batches of `batch_size` (None: single samples, unbatched), made by
    ``make(rows)``: a tuple of NumPy arrays whose first axis runs over `rows`. `spec`
    describes one batch for the repr: ``[(name, shape, dtype), ...]``."""

    def __init__(self, count, make, batch_size, shuffle=False, seed=None, spec=(),
                 class_names=None, file_paths=None):
        super().__init__()
        self._count, self._make, self._batch_size = count, make, batch_size
        self._rng = numpy.random.default_rng(seed) if shuffle else None
        self._order = None
        self._spec = list(spec)
        self.class_names = class_names
        if file_paths is not None:
            self.file_paths = file_paths

    def __len__(self):
        if self._batch_size is None:
            return self._count
        return -(-self._count // self._batch_size)

    def on_epoch_begin(self):
        if self._rng is not None:
            self._order = self._rng.permutation(self._count)

    def __getitem__(self, index):
        index = self._index(index)
        if self._rng is not None and self._order is None:
            self.on_epoch_begin()
        size = self._batch_size or 1
        rows = numpy.arange(index * size, min((index + 1) * size, self._count))
        if self._order is not None:
            rows = self._order[rows]
        parts = tuple(_output(p, self._batch_size is None) for p in self._make(rows))
        return parts if len(parts) > 1 else parts[0]

    def __repr__(self):
        lead = () if self._batch_size is None else (None,)
        what = ", ".join(f"{name} {format_shape(lead + tuple(shape))} {dtype}"
                         for name, shape, dtype in self._spec)
        unit = "samples" if self._batch_size is None else f"batches of {self._batch_size}"
        names = "" if self.class_names is None else f", class_names={self.class_names}"
        return f"<Dataset: {len(self)} {unit}: {what}{names}>"


class _Mapped(Dataset):
    def __init__(self, parent, fn):
        super().__init__()
        self._parent, self._fn = parent, fn
        self.class_names = parent.class_names

    def __len__(self):
        return len(self._parent)

    def on_epoch_begin(self):
        self._parent.on_epoch_begin()

    def __getitem__(self, index):
        batch = self._parent[self._index(index)]
        return self._fn(*batch) if isinstance(batch, tuple) else self._fn(batch)

    def __repr__(self):
        return f"<Dataset: {len(self)} batches: map({getattr(self._fn, '__name__', 'fn')}) " \
               f"of {self._parent!r}>"


class _Slice(Dataset):
    def __init__(self, parent, start, stop):
        super().__init__()
        self._parent, self._start, self._stop = parent, start, max(start, stop)
        self.class_names = parent.class_names

    def __len__(self):
        return self._stop - self._start

    def on_epoch_begin(self):
        self._parent.on_epoch_begin()

    def __getitem__(self, index):
        return self._parent[self._start + self._index(index)]

    def __repr__(self):
        return f"<Dataset: batches {self._start}..{self._stop - 1} of {self._parent!r}>"
