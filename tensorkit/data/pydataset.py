"""Batches from Python code: ``PyDataset`` (Keras' ``keras.utils.PyDataset``) and generators.

``fit``, ``evaluate`` and ``predict`` take, besides arrays, a Python generator yielding
batches ``(x, y)`` or ``(x, y, sample_weight)`` (``(x,)`` for predict), or a ``PyDataset``
whose ``__getitem__(i)`` returns batch ``i``. How epochs cut such a stream follows Keras 3
exactly (``EpochIterator`` is a port of ``keras/src/trainers/epoch_iterator.py``), quirks
included, so a fit here and in Keras see the same batches in the same epochs:

- a generator is peeked at once: its first two batches are kept and yielded again each
  time a fresh pass starts, so after a finite generator runs out, later epochs see only
  those two batches;
- with ``steps_per_epoch`` the same iterator continues across epochs; without it each
  epoch starts a fresh pass;
- ``fit(shuffle=True)`` (the default) shuffles the *order of a PyDataset's batches* with
  Python's ``random`` module, as Keras does; a generator is never shuffled.
"""

import itertools
import random
import types
import warnings

__all__ = ["PyDataset"]


class PyDataset:
    """Base class for a data set made by Python code, one batch per index.

    Subclass it and implement ``__len__`` (the number of batches) and ``__getitem__(idx)``
    (batch ``idx``: ``(x, y)``, ``(x, y, sample_weight)`` or ``x``); optionally
    ``on_epoch_end()`` (e.g. to reshuffle) and ``on_epoch_begin()``. Call
    ``super().__init__(**kwargs)`` in your ``__init__``. ``workers``,
    ``use_multiprocessing`` and ``max_queue_size`` are accepted as in Keras, but batches
    are always made in this process, one after the other (same results, no speed-up).

    >>> class Squares(PyDataset):
    ...     def __len__(self):
    ...         return 3
    ...     def __getitem__(self, idx):
    ...         x = [[4.0 * idx + i] for i in range(4)]        # 4 samples, 1 feature each
    ...         return x, [[v[0] ** 2] for v in x]
    >>> len(Squares()), Squares()[1][1]
    (3, [[16.0], [25.0], [36.0], [49.0]])
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    def _warn_if_super_not_called(self):
        if not hasattr(self, "_workers"):
            self._workers, self._use_multiprocessing, self._max_queue_size = 1, False, 10
            warnings.warn(f"Your PyDataset class {type(self).__name__} should call "
                          "super().__init__(**kwargs) in its __init__ (kwargs may hold "
                          "workers, use_multiprocessing, max_queue_size).", stacklevel=3)

    @property
    def workers(self):
        self._warn_if_super_not_called()
        return self._workers

    @workers.setter
    def workers(self, value):
        self._workers = value

    @property
    def use_multiprocessing(self):
        self._warn_if_super_not_called()
        return self._use_multiprocessing

    @use_multiprocessing.setter
    def use_multiprocessing(self, value):
        self._use_multiprocessing = value

    @property
    def max_queue_size(self):
        self._warn_if_super_not_called()
        return self._max_queue_size

    @max_queue_size.setter
    def max_queue_size(self, value):
        self._max_queue_size = value

    def __getitem__(self, index):
        """Batch number `index`."""
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(self, idx) "
                                  "returning batch idx, e.g. (x_batch, y_batch).")

    def __iter__(self):
        count = self.num_batches
        for index in range(count) if count is not None else itertools.count():
            yield self[index]

    @property
    def num_batches(self):
        """The number of batches (``len(self)``), or None for an endless data set."""
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(f"{type(self).__name__} must define __len__(self) (the "
                                  "number of batches), or a num_batches property that "
                                  "returns None for an endless data set.")

    def on_epoch_begin(self):
        """Called at the start of every epoch."""

    def on_epoch_end(self):
        """Called at the end of every epoch."""


# ---- what fit/evaluate/predict iterate over ----------------------------------------------
def is_stream(x):
    """Whether `x` is data fit takes batch by batch (a generator or a PyDataset)."""
    return isinstance(x, (types.GeneratorType, PyDataset))


def describe(value):
    """'a tuple of 2: (array (8, 3) float32, list of 8)' for error messages."""
    if isinstance(value, (tuple, list)):
        inner = ", ".join(describe(v) for v in value[:4]) + (", ..." if len(value) > 4 else "")
        return f"a {type(value).__name__} of {len(value)}: ({inner})"
    shape, dtype = getattr(value, "shape", None), getattr(value, "dtype", None)
    if shape is not None:
        return f"{type(value).__name__} {tuple(shape)} {dtype}"
    return f"{type(value).__name__} {value!r:.40}"


class GeneratorAdapter:
    """A Python generator, peeked as Keras does: its first two batches are kept and
    yielded again at the start of every fresh pass."""

    num_batches = None

    def __init__(self, generator):
        self.first = list(itertools.islice(generator, 2))
        self.generator = generator
        if not self.first:
            raise ValueError("The generator passed to the model yielded no batches at all "
                             "(it is empty, or was already used up by an earlier fit or a "
                             "loop). Fix: make a fresh one (call the generator function "
                             "again), and check that it reaches its `yield`.")
        if not isinstance(self.first[0], tuple):
            raise ValueError(f"A generator given to the model must yield tuples (x,), "
                             f"(x, y) or (x, y, sample_weight), but it yielded "
                             f"{describe(self.first[0])}. Fix: `yield x_batch, y_batch` "
                             "(a tuple, not a list); for predict, `yield (x_batch,)`.")

    def iterator(self):
        return itertools.chain(self.first, self.generator)

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass


class PyDatasetAdapter:
    """A PyDataset: batches by index, their order shuffled (Python's random) if asked."""

    def __init__(self, dataset, shuffle=False):
        # tk.data.Dataset stands for a tf.data dataset, whose order Keras' fit keeps
        self.dataset = dataset
        self.shuffle = shuffle and not getattr(dataset, "keeps_its_order", False)
        _ = dataset.workers                     # Keras' warning if super().__init__ was skipped
        self.num_batches = dataset.num_batches
        if self.num_batches == 0:
            raise ValueError(f"The PyDataset {type(dataset).__name__} has length 0: no "
                             "batches to use. Fix: make __len__ return the number of batches, "
                             "e.g. math.ceil(len(self.x) / self.batch_size).")

    def standardize(self, batch):
        if isinstance(batch, list):
            batch = tuple(batch)
        if not isinstance(batch, tuple):
            batch = (batch,)
        if not 1 <= len(batch) <= 3:
            raise ValueError(f"{type(self.dataset).__name__}.__getitem__() must return x, "
                             f"(x, y) or (x, y, sample_weight), but it returned "
                             f"{describe(batch)}. Fix: return x_batch, y_batch.")
        return batch

    def iterator(self):                  # lazy, as Keras': an unused pass draws no shuffle
        if self.num_batches is None:
            indices = itertools.count()
        else:
            indices = list(range(self.num_batches))
            if self.shuffle:
                random.shuffle(indices)
        for i in indices:
            yield self.standardize(self.dataset[i])

    def on_epoch_begin(self):
        self.dataset.on_epoch_begin()

    def on_epoch_end(self):
        self.dataset.on_epoch_end()


class ArrayAdapter:
    """Prepared arrays in batches of `batch_size` rows, a new order each pass if shuffled."""

    def __init__(self, n, batch_size, take, order):
        self.n, self.batch_size, self.take, self.order = n, batch_size, take, order
        self.num_batches = -(-n // batch_size)

    def iterator(self):
        order, bs = self.order(), self.batch_size
        for start in range(0, self.n, bs):
            yield self.take(slice(start, start + bs) if order is None
                            else order[start:start + bs])

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass


def ran_out_warning(what="Your input"):
    warnings.warn(f"{what} ran out of data; interrupting the epoch (as Keras does). Make "
                  "sure that your generator or PyDataset can give at least "
                  "steps_per_epoch * epochs batches: e.g. loop forever (`while True:`) in the "
                  "generator and pass steps_per_epoch. Note that a generator used up is "
                  "restarted only from the two batches kept when it was first looked at.",
                  stacklevel=4)


class EpochIterator:
    """Cuts a source of batches into epochs exactly as Keras 3's EpochIterator
    (steps_per_execution=1): iterate it once per epoch."""

    def __init__(self, adapter, steps=None, quiet_first_pass=False):
        self.adapter, self.steps = adapter, steps
        self._iterator, self._seen = None, 0
        self._num_batches = adapter.num_batches
        # Keras warns whenever a stream stops; a finite generator's first full pass without
        # steps is just its end, so that one warning is left out where nothing follows it
        self._quiet = quiet_first_pass

    @property
    def num_batches(self):
        return self.steps or self._num_batches

    def reset(self):
        self._iterator, self._seen = None, 0
        self._num_batches = self.adapter.num_batches
        self.adapter.on_epoch_end()

    def peek(self):
        """One batch, as Keras' symbolic build takes before the first fit or evaluate (it
        starts a pass: a PyDataset's shuffle and __getitem__ run). Call reset() after."""
        self.adapter.on_epoch_begin()
        self._iterator, self._seen = iter(self.adapter.iterator()), 0
        return next(self._iterator)

    def _ran_out(self):
        if self._num_batches is None:
            self._num_batches = self._seen
        if not self._quiet:
            ran_out_warning()
        self._quiet = False
        self._iterator = None
        self.adapter.on_epoch_end()

    def __iter__(self):
        self.adapter.on_epoch_begin()
        steps = self.steps or self._num_batches or -1
        if steps > 0:
            if self._iterator is None or self.steps is None:
                self._iterator, self._seen = iter(self.adapter.iterator()), 0
            for _ in range(steps):
                if self._num_batches and self._seen >= self._num_batches:
                    if self.steps:
                        ran_out_warning()
                    break
                self._seen += 1
                try:
                    batch = next(self._iterator)
                except StopIteration:
                    return self._ran_out()
                yield batch
            if self._num_batches and self._seen >= self._num_batches:
                self._iterator, self._seen = iter(self.adapter.iterator()), 0
        else:
            iterator = iter(self.adapter.iterator())
            self._seen = 0
            while True:
                self._seen += 1
                try:
                    batch = next(iterator)
                except StopIteration:
                    return self._ran_out()
                yield batch
        self.adapter.on_epoch_end()
