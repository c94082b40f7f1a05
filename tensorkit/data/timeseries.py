"""``timeseries_dataset_from_array``: sliding windows over a series, as Keras 3's
``keras.utils.timeseries_dataset_from_array``."""

import numpy

from ..tensor import Tensor, tensor
from .dataset import Batches

__all__ = ["timeseries_dataset_from_array"]


def _series(values, name):
    if isinstance(values, Tensor):
        return values.numpy()
    arr = numpy.asarray(values)
    if arr.ndim == 0:
        raise ValueError(f"timeseries_dataset_from_array expects {name} to be an array with "
                         f"time on its first axis. Received: {name}={values!r:.60}")
    return arr


def _whole(value, name, low, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)) or value < low:
        none = " or None" if allow_none else ""
        raise ValueError(f"timeseries_dataset_from_array expects `{name}` to be an integer "
                         f">= {low}{none}. Received: {name}={value!r}. Fix: a whole number of "
                         f"{'windows' if name == 'batch_size' else 'time steps'}.")
    return int(value)


def _is_int(value):
    return isinstance(value, (int, numpy.integer)) and not isinstance(value, bool)


def _check_indices(n, start_index, end_index, sampling_rate, sequence_stride):
    """Keras' checks, in Keras' order and words (each with a fix)."""
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: "
                             f"start_index={start_index}. Fix: count the start from 0.")
        if start_index >= n:
            raise ValueError(f"`start_index` must be lower than the length of the data. "
                             f"Received: start_index={start_index}, for data of length {n}. "
                             f"Fix: a start_index in 0..{n - 1}.")
    if end_index is not None:
        if start_index and end_index <= start_index:
            raise ValueError(f"`end_index` must be higher than `start_index`. Received: "
                             f"start_index={start_index}, and end_index={end_index}. Fix: "
                             "end_index is where the windows stop, after start_index.")
        if end_index >= n:
            raise ValueError(f"`end_index` must be lower than the length of the data. "
                             f"Received: end_index={end_index}, for data of length {n}. Fix: "
                             "leave end_index=None to use the data to its end.")
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: "
                             f"end_index={end_index}. Fix: leave it None for the whole data.")
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if value <= 0:
            raise ValueError(f"`{name}` must be higher than 0. Received: {name}={value}. "
                             f"Fix: {name}=1 takes every step.")
        if value >= n:
            raise ValueError(f"`{name}` must be lower than the length of the data. Received: "
                             f"{name}={value}, for data of length {n}. Fix: a smaller {name}.")


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None):
    """Windows over `data` (time on its first axis) as a dataset of batches, exactly as
    ``keras.utils.timeseries_dataset_from_array``.

    Window ``i`` starts at step ``start_index + i * sequence_stride`` and takes
    `sequence_length` steps `sampling_rate` apart: ``(batch, sequence_length, *features)``.
    Its target is ``targets[start_index + i * sequence_stride]`` (the target of the window's
    *first* step: to predict what comes after a window, pass the targets shifted,
    ``data[:-n], data[n:]``). ``targets=None`` gives the windows alone. The steps used stop
    before `end_index`. ``shuffle=True`` shuffles which windows come together (the same
    windows as Keras for the same seed) and draws a new order in each pass.

    Numbers come out as tensors: float32 or int32, as everything in tensorkit (Keras keeps
    the array's dtype, float64 or int64). ``batch_size=None`` gives single windows.

    >>> ds = timeseries_dataset_from_array(list(range(10)), None, sequence_length=4,
    ...                                    sequence_stride=3, batch_size=2)
    >>> [b.tolist() for b in ds]
    [[[0, 1, 2, 3], [3, 4, 5, 6]], [[6, 7, 8, 9]]]
    """
    data = _series(data, "data")
    targets = None if targets is None else _series(targets, "targets")
    sequence_length = _whole(sequence_length, "sequence_length", 1)
    batch_size = _whole(batch_size, "batch_size", 1, allow_none=True)
    for name, value in (("sequence_stride", sequence_stride), ("sampling_rate", sampling_rate),
                        ("start_index", start_index), ("end_index", end_index)):
        optional = name.endswith("_index")
        if not (_is_int(value) or optional and value is None):
            raise ValueError(f"timeseries_dataset_from_array expects `{name}` to be an integer"
                             f"{' or None' if optional else ''}. Received: {name}={value!r}. "
                             "Fix: count it in time steps (a whole number).")
    n = len(data)
    _check_indices(n, start_index, end_index, sampling_rate, sequence_stride)
    start = 0 if start_index is None else int(start_index)
    end = n if end_index is None else int(end_index)

    count = end - start - (sequence_length - 1) * sampling_rate     # windows that fit
    if targets is not None:
        count = min(count, len(targets))
    if count <= 0:
        span = (sequence_length - 1) * sampling_rate + 1
        have = "targets has no steps" if targets is not None and not len(targets) else \
            f"steps {start}..{end - 1} are only {end - start}"
        raise ValueError(f"timeseries_dataset_from_array: no window fits. A window of "
                         f"sequence_length={sequence_length} steps, sampling_rate="
                         f"{sampling_rate} apart, spans {span} steps, but {have}. Fix: a "
                         "shorter sequence_length or sampling_rate, or more data (Keras "
                         "gives an empty dataset).")
    starts = numpy.arange(0, count, sequence_stride, dtype=numpy.int32)
    if shuffle:
        if seed is None:
            seed = numpy.random.randint(int(1e6))
        numpy.random.RandomState(seed).shuffle(starts)          # as Keras: the same windows
    series = data[start:end]
    steps = numpy.arange(sequence_length) * sampling_rate
    if targets is not None:
        target_series = targets[start:end]
        if starts.max() >= len(target_series):
            raise ValueError(f"timeseries_dataset_from_array: targets has {len(targets)} "
                             f"steps, so from start_index={start} it has no target for the "
                             f"windows starting at step {start + len(target_series)} and "
                             "later. Fix: pass one target per step of data (targets as long "
                             "as data).")

    def make(rows):                                 # windows (B, sequence_length, *features)
        first = starts[rows]
        windows = series[first[:, None] + steps]
        return (windows,) if targets is None else (windows, target_series[first])

    spec = [("windows", (sequence_length,) + data.shape[1:], tensor(data[:1]).dtype)]
    if targets is not None:
        spec.append(("targets", targets.shape[1:], tensor(targets[:1]).dtype))
    return Batches(len(starts), make, batch_size, shuffle=shuffle, seed=seed, spec=spec)

