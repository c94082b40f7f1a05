"""Callbacks: code that ``fit`` calls at the start and end of training, epochs and batches.

The protocol is Keras': ``on_train_begin/end(logs)``, ``on_epoch_begin/end(epoch, logs)``,
``on_batch_begin/end(batch, logs)`` (also as ``on_train_batch_*``), and ``on_test_*`` /
``on_predict_*`` in evaluate and predict. ``logs`` holds running means ("loss",
"accuracy", ...) and, at epoch end, "val_loss" etc. A callback sees the model as
``self.model`` and ``self.params`` ({"epochs", "steps", "verbose"}; "steps" is None for
a generator without steps_per_epoch, whose length is unknown until it ends); setting
``self.model.stop_training = True`` ends training after the current batch. The notebook
widgets watch training through this protocol.
"""

import csv
import json
import math
import os
import shutil
import sys
import warnings

import numpy

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger", "EarlyStopping",
           "ModelCheckpoint", "LearningRateScheduler", "TerminateOnNaN", "LambdaCallback",
           "ReduceLROnPlateau", "CSVLogger", "BackupAndRestore"]


class Callback:
    """Base class: override the hooks you need; every one receives ``logs`` (a dict)."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    def on_batch_begin(self, batch, logs=None): pass
    def on_batch_end(self, batch, logs=None): pass
    def on_train_batch_begin(self, batch, logs=None): self.on_batch_begin(batch, logs)
    def on_train_batch_end(self, batch, logs=None): self.on_batch_end(batch, logs)
    def on_test_begin(self, logs=None): pass
    def on_test_end(self, logs=None): pass
    def on_test_batch_begin(self, batch, logs=None): pass
    def on_test_batch_end(self, batch, logs=None): pass
    def on_predict_begin(self, logs=None): pass
    def on_predict_end(self, logs=None): pass
    def on_predict_batch_begin(self, batch, logs=None): pass
    def on_predict_batch_end(self, batch, logs=None): pass


_HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
          "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
          "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
          "on_predict_batch_begin", "on_predict_batch_end")


def _overrides(cb, hook):
    """Whether `cb` does something in `hook` (so fit can skip the empty calls per batch)."""
    if hook in vars(cb):                      # LambdaCallback sets its hooks on the instance
        return True
    cls = type(cb)
    if hook.startswith("on_train_batch_"):
        plain = hook.replace("on_train_batch_", "on_batch_")
        return getattr(cls, hook) is not getattr(Callback, hook) or \
            getattr(cls, plain) is not getattr(Callback, plain)
    return getattr(cls, hook, None) is not getattr(Callback, hook, None)


class CallbackList:
    """Calls a hook on every callback in order; hooks nobody overrides cost nothing."""

    def __init__(self, callbacks, model, params):
        self.callbacks = as_list(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)
        for hook in _HOOKS:
            bound = [getattr(cb, hook) for cb in self.callbacks if _overrides(cb, hook)]
            setattr(self, hook, _caller(bound) if bound else _nothing)


def as_list(callbacks):
    """callbacks=[...] checked: one callback alone is fine (as Keras); a class is not."""
    if callbacks is None:
        return []
    given = list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]
    for cb in given:
        if isinstance(cb, type) and issubclass(cb, Callback):
            raise TypeError(f"callbacks got the class {cb.__name__}, not a callback made from "
                            f"it. Fix: call it: callbacks=[tk.callbacks.{cb.__name__}(...)], "
                            "e.g. EarlyStopping(patience=3).")
        if not isinstance(cb, Callback) and not hasattr(cb, "set_params"):
            raise TypeError(f"callbacks must be tk.callbacks.Callback objects, but got "
                            f"{type(cb).__name__} {cb!r:.40}. Fix: wrap a function in "
                            "tk.callbacks.LambdaCallback(on_epoch_end=fn), or subclass "
                            "tk.callbacks.Callback.")
    return given


def _nothing(*args, **kwargs):
    pass


def _caller(bound):
    if len(bound) == 1:
        return bound[0]

    def call(*args):
        for fn in bound:
            fn(*args)
    return call


class History(Callback):
    """Records each epoch's logs: ``history.history["val_loss"]`` is a list per epoch.

    ``fit`` returns it (also kept as ``model.history``); ``plot()`` draws the curves.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def plot(self, keys=None, ax=None):
        """Draw loss and val_loss (and each metric, in a second panel) against the epoch.

        Returns the matplotlib Figure (made without pyplot, so a notebook shows it once).
        """
        from matplotlib.figure import Figure
        keys = list(keys) if keys is not None else list(self.history)
        if not keys:
            raise ValueError("This History has no values to plot yet: train with fit() first.")
        losses = [k for k in keys if k in ("loss", "val_loss")]
        rest = [k for k in keys if k not in ("loss", "val_loss")]
        panels = [p for p in (losses, rest) if p]
        if ax is not None:
            fig, axes = ax.figure, [ax] * len(panels)
        else:
            fig = Figure(figsize=(5 * len(panels), 3.5), layout="constrained")
            axes = fig.subplots(1, len(panels), squeeze=False)[0]
        for panel, axis in zip(panels, axes):
            for key in panel:
                values = numpy.asarray(self.history[key], dtype=float)   # (epochs, ...)
                columns = values.reshape(len(values), -1)     # a per-class metric: a line each
                for i, column in enumerate(columns.T):
                    axis.plot(range(1, len(values) + 1), column, marker="o", markersize=3,
                              linestyle="--" if key.startswith("val_") else "-",
                              label=key if values.ndim == 1 else f"{key}[{i}]")
            axis.set_xlabel("epoch")
            axis.set_ylabel("loss" if "loss" in panel else "metric")
            axis.legend()
            axis.grid(alpha=0.3)
        return fig


# ---- progress ------------------------------------------------------------------------
def _interactive():
    """A notebook kernel or a terminal: a live bar helps. Else (tests, logs, nbval when
    TENSORKIT_PROGRESS=text) print one plain line per epoch, the same every run."""
    mode = os.environ.get("TENSORKIT_PROGRESS", "auto")
    if mode in ("text", "plain"):
        return False
    if mode == "bar":
        return True
    if "ipykernel" in sys.modules:
        try:
            from IPython import get_ipython
            return get_ipython() is not None
        except Exception:
            return False
    return hasattr(sys.stdout, "isatty") and sys.stdout.isatty()


def format_logs(logs):
    """'loss: 0.1234 - f1_score: [0.5 0.25]': scalars and the arrays of per-class metrics."""
    return " - ".join(f"{k}: {v:.4f}" if isinstance(v, float) else
                      f"{k}: {numpy.array2string(v, precision=4, separator=' ')}"
                      for k, v in logs.items() if isinstance(v, (float, numpy.ndarray)))


class ProgbarLogger(Callback):
    """``verbose=1``: a tqdm bar per epoch (a widget in notebooks) with the running loss and
    metrics; where nothing is interactive, one line per epoch, with no timings, so the
    output repeats exactly. ``verbose=2``: one line per epoch. Set the environment
    variable TENSORKIT_PROGRESS=text to force the plain lines (e.g. for nbval)."""

    def __init__(self, verbose=1):
        super().__init__()
        self.verbose = verbose
        self._bar = None

    def on_train_begin(self, logs=None):
        self._live = self.verbose == 1 and _interactive()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._seen = 0
        if self._live:
            from tqdm.auto import tqdm
            epochs = self.params.get("epochs", 1)
            self._bar = tqdm(total=self.params.get("steps"), unit="batch", leave=True,
                             desc=f"Epoch {epoch + 1}/{epochs}", dynamic_ncols=True)

    def on_train_batch_end(self, batch, logs=None):
        self._seen = batch + 1
        if self._bar is not None:
            self._bar.update(1)
            if batch % 10 == 0 or batch + 1 == self.params.get("steps"):
                self._bar.set_postfix_str(format_logs(logs or {}), refresh=False)

    def on_epoch_end(self, epoch, logs=None):
        if self._bar is not None:
            self._bar.set_postfix_str(format_logs(logs or {}), refresh=False)
            self._bar.close()
            self._bar = None
            return
        steps = self.params.get("steps") or self._seen      # a generator's: known at its end
        print(f"Epoch {epoch + 1}/{self.params.get('epochs', 1)} - {self._seen}/{steps} - "
              f"{format_logs(logs or {})}", flush=True)

    def on_train_end(self, logs=None):
        if self._bar is not None:
            self._bar.close()
            self._bar = None


# ---- the Keras callbacks ---------------------------------------------------------------
def _check_mode(mode):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max'. Received: mode={mode!r}")
    return mode


def _resolve_mode(callback):
    """'min' or 'max' for the callback's monitor. mode='auto' asks the compiled metric of
    that name which way is better (its ``_direction``, as Keras 3): losses go down,
    accuracy, AUC, precision, recall, IoU, R² and correlations go up."""
    if callback.mode != "auto":
        return callback.mode
    name = callback.monitor.removeprefix("val_")
    if name == "loss" or name.endswith("_loss"):
        return "min"
    model = callback.model
    compiled = getattr(model, "_compiled_metrics", None) or []
    for (_, metric, _), logged in zip(compiled, getattr(model, "_metric_names", [])):
        direction = getattr(metric, "_direction", None)
        if direction is not None and name in (logged, metric.name):
            return "max" if direction == "up" else "min"
    if name.endswith(("acc", "accuracy", "auc")):
        return "max"
    raise ValueError(f"{type(callback).__name__} callback received monitor="
                     f"{callback.monitor!r}, but it can't tell whether that metric should be "
                     "maximized or minimized. Fix: pass mode='max' to keep the highest value, "
                     "or mode='min' for the lowest.")


class EarlyStopping(Callback):
    """Stop when `monitor` has not improved by `min_delta` for `patience` epochs.

    With ``restore_best_weights=True`` the model gets back the weights of its best epoch
    when training ends (whether it stopped early or ran all its epochs).
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor, self.patience, self.verbose = monitor, patience, verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.mode = _check_mode(mode)
        self.min_delta = abs(min_delta)

    def _better(self, current, reference):
        if reference is None:                           # the first epoch is the best so far
            return True
        if self._mode == "max":
            return current - self.min_delta > reference
        return current + self.min_delta < reference

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best, self.best_weights, self._mode = None, None, None

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            raise KeyError(f"EarlyStopping watches {self.monitor!r}, but the logs only have "
                           f"{sorted(logs or {})}. Fix: pass validation_data or "
                           "validation_split for val_* keys, or monitor one of those.")
        if epoch < self.start_from_epoch:
            return
        if self._mode is None:                # after an epoch, when the metrics exist
            self._mode = _resolve_mode(self)
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._better(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._better(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class ModelCheckpoint(Callback):
    """Save the model (or only its weights) after each epoch, or only when `monitor`
    improved (``save_best_only``). `filepath` may hold ``{epoch}`` and log keys, e.g.
    ``"ckpt-{epoch:02d}-{val_loss:.2f}.weights.h5"``."""

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__()
        if save_freq != "epoch":
            raise ValueError(f"Only save_freq='epoch' is supported. Received: "
                             f"save_freq={save_freq!r}")
        self.filepath, self.monitor, self.verbose = os.fspath(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.mode, self._mode = _check_mode(mode), None
        self.best = initial_value_threshold             # kept from one fit to the next


    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:                         # only then does monitor matter
            if self._mode is None:                      # after an epoch: the metrics exist
                self._mode = _resolve_mode(self)
            current = logs.get(self.monitor)
            if current is None:
                raise KeyError(f"ModelCheckpoint watches {self.monitor!r}, but the logs only "
                               f"have {sorted(logs)}.")
            better = self.best is None or (current < self.best if self._mode == "min"
                                           else current > self.best)
            if not better:
                return
            if self.verbose > 0:
                print(f"Epoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                      f"{current:.5f}, saving model to {path}")
            self.best = current
        elif self.verbose > 0:
            print(f"Epoch {epoch + 1}: saving model to {path}")
        save = getattr(self.model, "save_weights" if self.save_weights_only else "save", None)
        if save is None:
            raise NotImplementedError("saving models is not available yet "
                                      "(tensorkit.saving); ModelCheckpoint cannot save.")
        save(path)


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at each epoch's start to ``schedule(epoch, lr)``."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        lr = self.schedule(epoch, optimizer.learning_rate)
        if not isinstance(lr, (float, int, numpy.floating, numpy.integer)):
            raise ValueError(f"The schedule must return a number, it returned {lr!r}.")
        optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


class TerminateOnNaN(Callback):
    """Stop training quietly when the loss becomes NaN or infinite (the bad step is not
    applied: the weights are those from before it)."""

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class CSVLogger(Callback):
    """One row per epoch in a CSV file, as Keras': an ``epoch`` column, then the logs' keys
    in sorted order (with ``val_`` columns, "NA" until there is validation); a per-class
    metric's values as "[a, b, c]". ``append=True`` continues an existing file (a header
    only when the file is empty), for training resumed later."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.sep, self.append = os.fspath(filename), separator, append
        self.keys, self.writer, self._file = None, None, None

    def on_train_begin(self, logs=None):
        header = not (self.append and os.path.exists(self.filename) and
                      os.path.getsize(self.filename) > 0)
        self._close()
        self._file = open(self.filename, "a" if self.append else "w", newline="")
        self.keys, self.writer, self._header = None, None, header

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if not any(k.startswith("val_") for k in self.keys):
                self.keys += [f"val_{k}" for k in self.keys]      # filled in later, or NA
        if self.writer is None:
            self.writer = csv.writer(self._file, delimiter=self.sep)
            if self._header:
                self.writer.writerow(["epoch"] + self.keys)
        self.writer.writerow([epoch] + [_csv_value(logs.get(k, "NA")) for k in self.keys])
        self._file.flush()

    def on_train_end(self, logs=None):
        self._close()

    def _close(self):
        if self._file is not None and not self._file.closed:
            self._file.close()
        self.writer = None


class BackupAndRestore(Callback):
    """Resume an interrupted ``fit`` where it stopped, as Keras': after every epoch (or every
    `save_freq` batches) the weights, the optimizer's state and the epoch reached go to
    `backup_dir`; a later ``fit`` with the same callback starts from there. A run that ends
    normally deletes the backup (``delete_checkpoint=False`` keeps it); an interrupted one
    (a kernel restart, Ctrl-C, an error) leaves it. ``double_checkpoint`` keeps the one
    before too, used if the latest cannot be read."""

    FILES = ("latest.weights.npz", "optimizer.npz", "training_metadata.json")

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed. Fix: BackupAndRestore("
                             "'backup') names a folder for the backup.")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or
                                     not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError(f"save_freq must be 'epoch' or a number of batches. Received: "
                             f"save_freq={save_freq!r}")
        self.backup_dir, self.save_freq = os.fspath(backup_dir), save_freq
        self.double_checkpoint, self.delete_checkpoint = double_checkpoint, delete_checkpoint
        self._epoch, self._batches = 0, 0

    def _path(self, name, previous=False):
        return os.path.join(self.backup_dir, name + (".bkp" if previous else ""))

    def on_train_begin(self, logs=None):
        from .saving import ModelFileError
        try:
            self._restore(previous=False)
        except (OSError, ValueError, ModelFileError):
            if not (self.double_checkpoint and os.path.exists(
                    self._path(self.FILES[0], previous=True))):
                raise
            self._restore(previous=True)            # the latest is damaged: the one before

    def _restore(self, previous):
        weights = self._path(self.FILES[0], previous)
        if not os.path.exists(weights):
            return
        if not self.model.built:
            raise ValueError("BackupAndRestore needs a built model to restore into. Fix: "
                             "give the model an Input (or call it on a batch) before fit.")
        self.model.load_weights(weights)
        opt, state_file = getattr(self.model, "optimizer", None), self._path(self.FILES[1],
                                                                             previous)
        if opt is not None and os.path.exists(state_file):
            with numpy.load(state_file, allow_pickle=False) as saved:
                keys = sorted(k for k in saved.files if k.startswith("state_"))
                opt.set_state({"iterations": int(saved["iterations"]),
                               "variables": [saved[k] for k in keys]},
                              self.model.trainable_weights)
        with open(self._path(self.FILES[2], previous)) as f:
            self.model._initial_epoch = int(json.load(f)["epoch"])

    def on_epoch_end(self, epoch, logs=None):
        self._epoch, self._batches = epoch + 1, 0
        if self.save_freq == "epoch":
            self._save()

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq != "epoch":
            self._batches += 1
            if self._batches % self.save_freq == 0:
                self._save()

    def _save(self):
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint:
            for name in self.FILES:
                if os.path.exists(self._path(name)):
                    shutil.copyfile(self._path(name), self._path(name, previous=True))
        self.model.save_weights(self._path(self.FILES[0]))      # atomic, as every save
        opt = getattr(self.model, "optimizer", None)
        if opt is not None and hasattr(opt, "get_state"):
            state = opt.get_state()
            arrays = {"iterations": numpy.asarray(state["iterations"], dtype=numpy.int64),
                      **{f"state_{i:05d}": v for i, v in enumerate(state["variables"])}}
            _replace(self._path(self.FILES[1]), lambda f: numpy.savez(f, **arrays))
        metadata = json.dumps({"epoch": self._epoch, "batch": self._batches})
        _replace(self._path(self.FILES[2]), lambda f: f.write(metadata.encode()))

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.isdir(self.backup_dir):
            shutil.rmtree(self.backup_dir)


def _replace(path, write):
    """Write a file next to `path`, then move it over: a crash never leaves half a file."""
    part = path + ".part"
    with open(part, "wb") as f:
        write(f)
    os.replace(part, path)


def _csv_value(value):
    if isinstance(value, numpy.ndarray) and value.ndim:       # F1Score(), thresholds...
        return f'"[{", ".join(map(str, value))}]"'
    return value


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by `factor` when `monitor` stalls for `patience` epochs."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__()
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. "
                             f"Received: factor={factor}")
        self.monitor, self.factor, self.patience, self.verbose = monitor, factor, patience, verbose
        self.mode = _check_mode(mode)
        self.min_delta, self.cooldown, self.min_lr = min_delta, cooldown, min_lr

    def on_train_begin(self, logs=None):
        self.wait, self.cooldown_counter = 0, 0
        self.best, self._mode = None, None

    def on_epoch_end(self, epoch, logs=None):
        if self._mode is None:                # after an epoch, when the metrics exist
            self._mode = _resolve_mode(self)
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        logs["learning_rate"] = float(optimizer.learning_rate)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"ReduceLROnPlateau watches {self.monitor!r}, which is not in the "
                          f"logs ({', '.join(sorted(logs))}); the learning rate stays. Fix: "
                          "monitor one of those (val_* needs validation data).", stacklevel=2)
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.best is None:
            better = True
        elif self._mode == "min":
            better = current < self.best - self.min_delta
        else:
            better = current > self.best + self.min_delta
        if better:
            self.best, self.wait = current, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = float(optimizer.learning_rate)
                if old > self.min_lr:
                    optimizer.learning_rate = max(old * self.factor, self.min_lr)
                    if self.verbose > 0:
                        print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate "
                              f"to {optimizer.learning_rate}.")
                    self.cooldown_counter, self.wait = self.cooldown, 0


class LambdaCallback(Callback):
    """A callback from functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_batch_begin=None, on_batch_end=None, **kwargs):
        super().__init__()
        given = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_batch_begin, on_train_batch_end=on_batch_end,
                     **kwargs)
        self._given = {k: f for k, f in given.items() if f is not None}
        for hook, fn in self._given.items():
            setattr(self, hook, fn)

