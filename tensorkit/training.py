"""Training: compile, fit (with validation), evaluate, predict, and one-batch steps.

``Trainer`` is mixed into Model (it has no ``__init__``: compile sets everything up).
A training step is: forward on a batch, the loss, ``backprop`` to the trainable weights
only, then ``optimizer.apply`` updating the weight arrays in place. Graph recording is
off during steps (nothing to draw) and evaluate/predict run under ``no_grad``. A NaN or
infinite loss is caught before its update is applied, so the weights stay as they were.

A subclass may write its own ``train_step(data)`` / ``test_step`` / ``predict_step`` (a GAN's
two optimizers, a VAE's losses), as Keras' "customize what happens in fit()": fit then calls
it once per batch and keeps its progress bar, callbacks, History and validation. Models
that override nothing run the same default steps inlined (the fast path).
"""

import inspect
import math
import warnings

import numpy

from . import backend, losses, metrics, ops, optimizers
from . import metrics as metrics_module
from .callbacks import CallbackList, History, ProgbarLogger, as_list
from .errors import ShapeError, closest
from .graph import STATE
from .layers.base import _LOSS_HOLDERS, _REGULARIZED
from .tensor import Tensor, backprop, to_array

__all__ = ["Trainer", "NaNLossError", "unpack_x_y_sample_weight"]


class NaNLossError(RuntimeError):
    """The loss became NaN or infinite; training stopped before applying that step.

    ``history`` holds what was recorded until then; ``epoch`` and ``batch`` say where.
    """

    def __init__(self, message, epoch=None, batch=None, history=None):
        super().__init__(message)
        self.epoch, self.batch, self.history = epoch, batch, history


# ---- data: arrays in, checked once ------------------------------------------------------
def _flat(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _wants_ints(layer):
    """Whether a layer reads integer ids (Embedding) rather than numbers to compute with."""
    if layer is None:
        return False
    if "Embedding" in type(layer).__name__:
        return True
    try:
        return numpy.dtype(layer._input_dtype()).kind in "iu"
    except Exception:
        return False


def _as_array(values, what, keep_ints):
    if values is None:
        raise ValueError(f"{what} is None: there is no data to use. Fix: pass an array (check "
                         "that the variable was assigned; a function without `return` gives "
                         "None).")
    try:
        arr = to_array(values)
    except ShapeError as e:
        raise ShapeError(f"{what} is a ragged list: {e.problem}", expected=e.expected,
                         fix="pad the sequences to one length before fit: "
                             "tk.data.pad_sequences(x, maxlen=...), or cut them to the "
                             "shortest.") from None
    except TypeError as e:                           # DTypeError: text, None, objects
        raise type(e)(f"{what}: {e}") from None
    if arr.dtype.kind == "f" and arr.dtype != numpy.float32 and arr.dtype.itemsize > 4:
        arr = arr.astype(numpy.float32)
    elif arr.dtype.kind in "iub" and not keep_ints:
        arr = arr.astype(numpy.float32)
    return arr


def _count(arrays, what):
    sizes = {len(a) if a.ndim else None for a in arrays}
    if None in sizes:
        raise ShapeError(f"{what} is a single number, not a batch of samples.",
                         expected="an array whose first axis runs over the samples",
                         fix="pass one row per sample, e.g. x of shape (samples, features).")
    if len(sizes) > 1:
        raise ValueError(f"the arrays in {what} have different numbers of samples: "
                         f"{[len(a) for a in arrays]}. Fix: give every input one row per "
                         "sample.")
    return sizes.pop()


def _take(arrays, index):
    return [a[index] for a in arrays]


def _tensor(arr):
    return Tensor(arr, tuple(arr.shape), arr.dtype)


def _interactive_verbose(verbose):
    if verbose == "auto":
        return 1
    if isinstance(verbose, bool) or verbose in (0, 1, 2):
        return int(verbose)
    raise ValueError(f"verbose must be 'auto', 0 (silent), 1 (progress bar) or 2 (one line "
                     f"per epoch). Received: verbose={verbose!r}. Fix: e.g. verbose=0.")


def _whole(value, name, least, example):
    """An int argument (epochs, batch_size) checked as Keras would take it."""
    if isinstance(value, (int, numpy.integer)) and not isinstance(value, bool) and \
            value >= least:
        return int(value)
    if isinstance(value, float) and value.is_integer() and value >= least:
        return int(value)
    kind = "a positive" if least > 0 else "a non-negative"
    raise ValueError(f"{name} must be {kind} whole number. Received: {name}={value!r}. "
                     f"Fix: e.g. {name}={example}.")


def _leaves(spec):
    """The single specs in a compile argument: a name, or lists/dicts of them."""
    if isinstance(spec, dict):
        return [leaf for v in spec.values() for leaf in _leaves(v)]
    if isinstance(spec, (list, tuple)):
        return [leaf for v in spec for leaf in _leaves(v)]
    return [] if spec is None else [spec]


def _resolve(get, spec, kind, names):
    """get(spec), and for a misspelt name the nearest one: loss='mse' for loss='mes'."""
    try:
        return get(spec)
    except ValueError:
        if not isinstance(spec, str):
            raise
        best = closest(spec, names)
        if best is None:
            raise
        raise ValueError(f"compile got {kind}={spec!r}, which is not a known {kind} name. Did "
                         f"you mean {best!r}? Fix: {kind}="
                         f"{[best] if kind.endswith('metrics') else best!r}.") from None


def _check_signature(fn, kind):
    try:
        inspect.signature(fn).bind(None, None)
    except ValueError:                              # builtins without a signature
        return
    except TypeError:
        name = getattr(fn, "__name__", type(fn).__name__)
        raise TypeError(f"compile({kind}=...) got the function {name}{inspect.signature(fn)}, "
                        f"but Keras calls a {kind} function as fn(y_true, y_pred): two "
                        "arguments, labels first. Fix: def my_loss(y_true, y_pred): return "
                        "tk.mean(tk.square(y_true - y_pred)).") from None


def _checked(fn):
    """A custom loss function, whose result must be a tensor made by tk ops."""
    def loss(y_true, y_pred, **options):
        out = fn(y_true, y_pred, **options)
        if not isinstance(out, Tensor):
            raise TypeError(
                f"the loss function {getattr(fn, '__name__', 'loss')} returned a "
                f"{type(out).__name__}, not a tensor, so no gradient can flow back to the "
                "weights. Fix: compute it with tk ops on y_true and y_pred (tk.mean, "
                "tk.square, tk.log...), not NumPy (np.mean) or .numpy().")
        return out
    loss.__name__ = getattr(fn, "__name__", "loss")
    return loss


class Trainer:
    """The Keras training API, mixed into Model."""

    # ---- compile -------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=None, jit_compile=None,
                steps_per_execution=1):
        """Choose the optimizer, the loss and the metrics (names or objects, as Keras).

        `metrics` ignore sample_weight and class_weight; `weighted_metrics` (the same kinds
        of names and objects) are given them, and log under the metric's name, or
        ``weighted_<name>`` when a metric in `metrics` has that name already (Keras')."""
        if loss is None and not _overrides(self, "train_step", "compute_loss"):
            raise ValueError("compile needs a loss, e.g. loss='mse' for numbers or "
                             "loss='sparse_categorical_crossentropy' for class ids. (A model "
                             "whose own train_step computes its losses, as a GAN's or a VAE's, "
                             "may leave it out.)")
        self.optimizer = _resolve(optimizers.get, optimizer, "optimizer",
                                  optimizers._BY_NAME)
        for spec in _leaves(loss):
            if isinstance(spec, str):
                _resolve(losses.get, spec, "loss", {**losses._FUNCTIONS, **losses._CLASSES})
            elif callable(spec) and not isinstance(spec, (type, losses.Loss)):
                _check_signature(spec, "loss")
        if weighted_metrics and not isinstance(weighted_metrics, (list, tuple, dict)):
            raise ValueError(f"Expected `weighted_metrics` argument to be a list, tuple, or "
                             f"dict. Received instead: weighted_metrics={weighted_metrics} of "
                             f"type {type(weighted_metrics)}. Fix: weighted_metrics="
                             f"[{weighted_metrics!r}].")
        for kind, specs in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
            for spec in _leaves(specs):
                if isinstance(spec, str) and spec.lower() not in ("accuracy", "acc"):
                    _resolve(metrics_module.get, spec, kind,
                             {**metrics_module._FUNCTIONS, **metrics_module._CLASSES,
                              **metrics_module._NAMES})
                elif callable(spec) and not isinstance(spec, (type, metrics_module.Metric)):
                    _check_signature(spec, kind)
        self.loss = loss
        self._loss_spec, self._loss_weights = loss, loss_weights
        self._metric_spec, self._weighted_metric_spec = metrics, weighted_metrics
        self._compiled_losses = None          # per output, made when the outputs are known
        self._compiled_metrics, self._metric_names = None, []
        self._loss_tracker = metrics_module.Mean(name="loss")   # what train_step averages
        self.stop_training = False
        self.compiled = True

    def _require_compiled(self, what):
        if not getattr(self, "compiled", False):
            raise RuntimeError(f"{what} needs a compiled model. Fix: call model.compile("
                               "optimizer='adam', loss=..., metrics=[...]) first.")

    def _output_names(self, n):
        outputs = getattr(self, "outputs", None) if getattr(self, "_functional", False) else None
        if outputs and len(outputs) == n:
            return [t.history.layer.name for t in outputs]
        return [f"output_{i}" for i in range(n)] if n > 1 else ["output"]

    def _per_output(self, spec, n, what):
        if isinstance(spec, dict):
            names = self._output_names(n)
            missing = [k for k in spec if k not in names]
            if missing:
                raise ValueError(f"{what} names outputs {missing}, but the model's outputs are "
                                 f"{names}.")
            return [spec.get(name) for name in names]
        if isinstance(spec, (list, tuple)) and n > 1 and len(spec) == n and \
                (what != "metrics" or all(isinstance(s, (list, tuple)) for s in spec)):
            return list(spec)
        return [spec] * n

    def _build_compiled(self, ys, outs):
        """Resolve losses and metrics once the shapes of labels and outputs are known."""
        n = len(outs)
        if len(ys) != n:
            raise ValueError(f"The model has {n} output(s) but {len(ys)} label array(s) were "
                             "given. Fix: pass y as a list with one array per output.")
        specs = [] if self._loss_spec is None else self._per_output(self._loss_spec, n, "loss")
        self._compiled_losses = []
        for spec in specs:
            fn = losses.get(spec)
            self._compiled_losses.append(fn if isinstance(fn, losses.Loss)
                                         else losses.LossFunctionWrapper(_checked(fn)))
        weights = self._loss_weights
        if isinstance(weights, dict):
            weights = [weights.get(k, 1.0) for k in self._output_names(n)]
        self._weights_per_output = list(weights) if weights is not None else [1.0] * n
        self._compiled_metrics = []          # (output index, metric, weighted), Keras' order
        for weighted, spec in ((False, self._metric_spec),
                               (True, self._weighted_metric_spec)):
            metric_lists = self._per_output(spec or [], n, "metrics")
            for i, (specs, y, out) in enumerate(zip(metric_lists, ys, outs)):
                for one in _flat(specs) if specs is not None else []:
                    self._compiled_metrics.append(
                        (i, metrics.resolve(one, y.shape, out.shape), weighted))
        self._metric_names = _log_names(self._compiled_metrics,
                                        self._output_names(n) if n > 1 else None)

    @property
    def metrics_names(self):
        """The names ``self.metrics`` log under: "loss", the compiled ones (known after a first
        batch), then the Metric attributes of a subclass."""
        return list(self._metric_log_names().values())

    # ---- data ------------------------------------------------------------------------------
    def _input_layers(self):
        """The first layer that reads each model input (to know whether it takes ids)."""
        if getattr(self, "_functional", False):
            found = []
            for t in self.inputs:
                first = None
                for call in self._calls:
                    if any(i is t for i in call.inputs):
                        first = call.layer
                        break
                found.append(first if first is not None else t.history.layer)
            return found, [t.dtype.kind in "iu" for t in self.inputs]
        layers = getattr(self, "_layers", [])
        return [layers[0] if layers else None], [False]

    def _prepare_x(self, x, what="x"):
        if isinstance(x, dict):
            raise TypeError(f"{what} as a dict is not supported; pass a list of arrays in the "
                            "order of the model's inputs.")
        n_inputs = len(self.inputs) if getattr(self, "_functional", False) else 1
        parts = _flat(x) if n_inputs > 1 else [x]
        if len(parts) != n_inputs:
            raise ValueError(f"The model has {n_inputs} inputs but {what} has {len(parts)} "
                             "arrays. Fix: pass a list with one array per input.")
        layers, int_inputs = self._input_layers()
        arrays = [_as_array(p, what, _wants_ints(layer) or is_int)
                  for p, layer, is_int in zip(parts, layers + [None] * n_inputs,
                                              int_inputs + [False] * n_inputs)]
        self._check_input_shapes(arrays, what)
        return arrays

    def _check_input_shapes(self, arrays, what="x"):
        from .models import _check_model_input
        if getattr(self, "_functional", False):
            for i, (t, a) in enumerate(zip(self.inputs, arrays)):
                _check_model_input(self, t.shape, a.shape,
                                   what if len(arrays) == 1 else f"{what}[{i}]")
            return
        want = getattr(self, "_build_shapes", None)
        if isinstance(want, tuple) and arrays:
            _check_model_input(self, want, arrays[0].shape, what)

    def _prepare_y(self, y, what="y"):
        n = len(self.outputs) if getattr(self, "_functional", False) else 1
        parts = _flat(y) if n > 1 else [y]
        sparse = [_is_sparse(self._loss_for(i, n)) for i in range(len(parts))]
        return [_as_array(p, what, keep) for p, keep in zip(parts, sparse)]

    def _loss_for(self, i, n):
        spec = self._per_output(self._loss_spec, n, "loss")[i] if n > 1 else self._loss_spec
        return spec

    def _prepare(self, x, y, what=("x", "y")):
        xs = self._prepare_x(x, what[0])
        ys = self._prepare_y(y, what[1])
        nx, ny = _count(xs, what[0]), _count(ys, what[1])
        if nx != ny:
            raise ValueError(f"{what[0]} has {nx} samples but {what[1]} has {ny}. Fix: give "
                             "one label per sample (check that x and y were sliced the same "
                             "way).")
        return xs, ys, nx

    def _prepare_inputs(self, x, what="x"):
        """(xs, None, samples): inputs without labels, for a train_step that needs none."""
        xs = self._prepare_x(x, what)
        return xs, None, _count(xs, what)

    def _sample_weights(self, sample_weight, class_weight, ys, n, xs=None):
        """One float32 weight per sample, from sample_weight or class_weight (or None)."""
        if sample_weight is not None and class_weight is not None:
            raise ValueError("You cannot pass both class_weight and sample_weight. Fix: fold "
                             "the class weights into sample_weight (e.g. sample_weight * "
                             "np.array([class_weight[c] for c in y])).")
        if ys is None:                                  # a custom train_step's x alone
            if class_weight is not None:
                raise ValueError("class_weight weighs each sample by its label, but no "
                                 "labels y were given. Fix: fit(x, y, class_weight=...), or "
                                 "pass sample_weight.")
            ys = xs
        if class_weight is not None:
            if len(ys) != 1:
                raise ValueError("class_weight is only supported for models with a single "
                                 f"output; this one has {len(ys)}. Fix: pass sample_weight.")
            if not isinstance(class_weight, dict):
                raise ValueError(f"class_weight must be a dict {{class id: weight}}, e.g. "
                                 f"{{0: 1.0, 1: 5.0}}. Received: {class_weight!r:.80}")
            labels = numpy.asarray(backend.to_device(ys[0], "cpu"))
            if labels.ndim > 1:                       # one-hot rows, or a column of ids
                labels = labels.argmax(-1) if labels.shape[-1] != 1 else labels[..., 0]
            table = numpy.ones(int(max([*class_weight, int(labels.max(initial=0))])) + 1,
                               dtype=numpy.float32)
            for cls, weight in class_weight.items():
                table[int(cls)] = weight              # classes not named weigh 1, as Keras
            sample_weight = table[numpy.round(labels).astype(numpy.int64)]
        if sample_weight is None:
            return None
        xp = backend.array_module(ys[0])
        sw = xp.asarray(to_array(sample_weight, dtype="float32"))
        if sw.ndim == 0 or len(sw) != n:
            raise ShapeError(f"sample_weight has shape {tuple(sw.shape)} but there are {n} "
                             "samples.", expected=f"one weight per sample: shape ({n},)",
                             fix="give sample_weight the length of x and y.")
        return sw

    # ---- one batch -------------------------------------------------------------------------
    def _forward(self, xs, training):
        inputs = [_tensor(a) for a in xs]
        out = self(inputs if len(inputs) > 1 else inputs[0], training=training)
        return _flat(out)

    def _loss_value(self, ys, outs, sample_weight=None):
        if self._compiled_losses is None:
            self._build_compiled(ys, outs)
        total = None
        for fn, w, y, out in zip(self._compiled_losses, self._weights_per_output, ys, outs):
            value = fn(_tensor(y), out, sample_weight=sample_weight)
            if w != 1.0:
                value = value * w
            total = value if total is None else total + value
        return total

    def _update_metrics(self, ys, outs, n, sample_weight=None):
        for i, m, weighted in self._compiled_metrics:
            if weighted:
                m.update_state(ys[i], outs[i].data, sample_weight=sample_weight)
            else:
                m.update_state(ys[i], outs[i].data)

    def _with_extra_losses(self, loss):
        """The compiled loss plus the model's regularization and add_loss terms (Keras')."""
        if not (_REGULARIZED[0] or _LOSS_HOLDERS):        # none exist: nothing to walk
            return loss
        for extra in self.losses:
            loss = loss + ops.sum(extra)
        return loss

    def _train_batch(self, xs, ys, weights, sample_weight=None):
        """Forward, loss, gradients, update. Returns (loss value, outputs, weights)."""
        outs = self._forward(xs, training=True)
        loss = self._with_extra_losses(self._loss_value(ys, outs, sample_weight))
        value = float(loss.data)
        if weights is None:
            weights = self.trainable_weights
        if not math.isfinite(value):
            return value, outs, weights                # the bad step is not applied
        if loss.requires_grad and weights:
            grads = backprop(loss, wrt=weights)
            self.optimizer.apply([grads.get(w) for w in weights], weights)
        return value, outs, weights

    def _logs(self, loss_mean):
        logs = {"loss": loss_mean}
        for (_, m, _), name in zip(self._compiled_metrics or [], self._metric_names):
            value = m.result()            # an array for F1Score(average=None), thresholds...
            logs[name] = float(value) if numpy.ndim(value) == 0 else numpy.asarray(value)
        return logs

    def _reset_metrics(self):
        for _, m, _ in self._compiled_metrics or []:
            m.reset_state()

    # ---- what a subclass overrides: Keras' "customize what happens in fit()" -----------------
    # fit, evaluate and predict call these once per batch when a subclass overrides one of
    # them (or compute_loss / compute_metrics); otherwise they run the same steps inlined.
    def train_step(self, data):
        """One training step on a batch `data` (x, (x, y) or (x, y, sample_weight) as fit
        got them, Tensors); returns the logs dict that fit shows and gives the callbacks.

        Override it to train in your own way (a GAN's two optimizers, a VAE's losses): take
        gradients with ``tk.gradients(loss, weights)`` (or ``loss.backward()`` and each
        weight's ``.grad``), apply them with ``optimizer.apply(grads, weights)``, and return
        ``{"loss": ...}`` or ``self.compute_metrics(x, y, y_pred, sample_weight)``."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=True)
        loss = self._compute_loss(x, y, y_pred, sample_weight, training=True)
        value = float(loss.data)
        self._loss_tracker.update_state(value, sample_weight=_batch_size(x))
        weights = self.trainable_weights
        if weights and loss.requires_grad and math.isfinite(value):   # a NaN is not applied
            grads = backprop(loss, wrt=weights)
            self.optimizer.apply([grads.get(w) for w in weights], weights)
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def test_step(self, data):
        """One evaluation step (no training, no gradients): the logs dict of this batch."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self._compute_loss(x, y, y_pred, sample_weight, training=False)
        self._loss_tracker.update_state(float(loss.data), sample_weight=_batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def predict_step(self, data):
        """The outputs for one batch of inputs (a Tensor, or a list or dict of them)."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss of (y, y_pred) plus the model's regularization and add_loss
        terms (``self.losses``): one scalar Tensor to take gradients of."""
        del x, training                         # the default loss needs neither (Keras')
        total = None
        if getattr(self, "_loss_spec", None) is not None:
            if y is None or y_pred is None:
                raise ValueError(f"compute_loss got y={_what(y)} and y_pred={_what(y_pred)}, "
                                 "but the compiled loss compares the labels y with the "
                                 "outputs y_pred. Fix: self.compute_loss(y=y, y_pred=y_pred) "
                                 "(and fit(x, y) with labels).")
            ys, outs = self._label_arrays(y), _output_tensors(y_pred)
            if self._compiled_losses is None:
                self._build_compiled(ys, outs)
            total = self._loss_value(ys, outs, _weight_array(sample_weight))
        if _REGULARIZED[0] or _LOSS_HOLDERS:
            for extra in self.losses:
                total = ops.sum(extra) if total is None else total + ops.sum(extra)
        if total is None:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`. "
                             "Fix: model.compile(optimizer=..., loss='mse'), or compute the "
                             "loss yourself in train_step (loss = tk.mean(tk.square(y - "
                             "y_pred))) instead of calling self.compute_loss.")
        return total

    def _compute_loss(self, x, y, y_pred, sample_weight, training):
        """compute_loss, also when an override predates its `training` argument (Keras')."""
        fn = type(self).compute_loss
        if fn not in _TAKES_TRAINING:
            _TAKES_TRAINING[fn] = "training" in inspect.signature(fn).parameters
        if _TAKES_TRAINING[fn]:
            return self.compute_loss(x, y, y_pred, sample_weight, training=training)
        return self.compute_loss(x, y, y_pred, sample_weight)

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Update the compiled metrics with this batch; return ``get_metrics_result()``."""
        del x
        if getattr(self, "_metric_spec", None) or getattr(self, "_weighted_metric_spec", None):
            ys, outs = self._label_arrays(y), _output_tensors(y_pred)
            if self._compiled_metrics is None:
                self._build_compiled(ys, outs)
            self._update_metrics(ys, outs, None, _weight_array(sample_weight))
        return self.get_metrics_result()

    @property
    def metrics(self):
        """The metric objects fit resets at each epoch's start, in Keras' order: the loss
        tracker ("loss"), the compiled metrics (made at the first batch), then any
        tk.metrics objects the model holds as attributes (``self.kl_tracker = Mean(...)``)."""
        found = [self._loss_tracker] if getattr(self, "compiled", False) else []
        found += [m for _, m, _ in getattr(self, "_compiled_metrics", None) or []]
        return found + _own_metrics(self)

    def reset_metrics(self):
        """Reset every metric in ``self.metrics`` (fit does it as each epoch starts)."""
        for m in self.metrics:
            m.reset_state()

    def get_metrics_result(self):
        """{name: result} of ``self.metrics``: floats (arrays for per-class metrics)."""
        names = self._metric_log_names()
        logs = {}
        for m in self.metrics:
            value = m.result()
            if isinstance(value, dict):
                logs.update(value)
            else:
                logs[names.get(id(m), m.name)] = _log_value(value)
        return logs

    def _metric_log_names(self):
        """{id(metric): the name it logs under}, in ``self.metrics``' order."""
        logged = {id(m): name for (_, m, _), name in
                  zip(getattr(self, "_compiled_metrics", None) or [],
                      getattr(self, "_metric_names", []))}
        return {id(m): logged.get(id(m), m.name) for m in self.metrics}

    def _metrics_result_or_logs(self, logs, method):
        """The epoch's logs, as Keras: the metrics' results when the step returned exactly
        their names, otherwise what the last step returned."""
        results = self.get_metrics_result()
        if set(results) != set(logs):
            return logs
        differ = [k for k, v in logs.items() if not _same_log(v, results[k])]
        if differ:                       # Keras says nothing: a puzzle worth a warning
            k = differ[0]
            warnings.warn(f"{method} returned {k}={_shown(logs[k])} for its last batch, but "
                          f"the metric {k!r} in self.metrics reads {_shown(results[k])}, and the "
                          "epoch's logs (History, callbacks) come from self.metrics when the "
                          "step returns exactly their names, as in Keras. Fix: update that "
                          f"metric in {method} (self.metrics[...].update_state(value)) and "
                          "return its result(), or return names that are not in "
                          "self.metrics.", stacklevel=4)
        return results

    def zero_grad(self):
        """Forget every weight's ``.grad`` (loss.backward() adds to it), as torch's
        module.zero_grad(), which Keras' torch train_step calls first."""
        for w in self.weights:
            w.grad = None

    def _label_arrays(self, y):
        if isinstance(y, Tensor):
            return [y.data]
        if isinstance(y, (list, tuple)) and y and all(isinstance(t, Tensor) for t in y):
            return [t.data for t in y]
        return self._prepare_y(y)

    def _steps_mode(self, which):
        """Whether fit ("train"), evaluate ("test") or predict ("predict") goes through the
        overridable step methods rather than the inlined default steps."""
        if which == "predict":
            return _overrides(self, "predict_step")
        steps = ("train_step", "compute_loss", "compute_metrics", "metrics")
        return _overrides(self, *steps, *(("test_step",) if which == "test" else ())) or \
            bool(_own_metrics(self))                   # their results are logged too

    def _run_steps(self, method, batches, prepare, callback_list, on_end=None):
        """Call train_step or test_step on each batch; the logs of the last step.
        `on_end(batch, logs)` returns True to stop."""
        step = getattr(self, method)
        begin = getattr(callback_list, f"on_{method[:-5]}_batch_begin", None)
        end = getattr(callback_list, f"on_{method[:-5]}_batch_end", None)
        logs = {}
        for batch, data in enumerate(batches):
            if begin is not None:
                begin(batch, {})
            logs = _step_logs(step(_step_data(*(data if prepare is None else
                                                prepare(data, batch)))), self, method)
            if end is not None:
                end(batch, logs)
            if on_end is not None and on_end(batch, logs):
                break
        return logs

    def _evaluate_steps(self, batches, prepare=None, callback_list=None):
        """evaluate with test_step: the metrics' results (or the last step's logs)."""
        from .tensor import no_grad
        self.reset_metrics()
        was_recording = STATE.recording
        STATE.recording = False
        try:
            with no_grad():
                logs = self._run_steps("test_step", batches, prepare, callback_list)
        finally:
            STATE.recording = was_recording
        return self._metrics_result_or_logs(logs, "test_step")

    # ---- batches: arrays, generators, PyDatasets ---------------------------------------------
    def _stream(self, x, y, sample_weight, class_weight, batch_size, shuffle, method):
        """The adapter for a generator or PyDataset x, checked as Keras checks it."""
        from .data.pydataset import GeneratorAdapter, PyDataset, PyDatasetAdapter
        kind = "PyDataset" if isinstance(x, PyDataset) else "generator"
        for name, given, part in (("y", y, "the targets"),
                                  ("sample_weight", sample_weight, "the sample weights")):
            if given is not None:
                raise ValueError(f"When x is a {kind}, {name} must not be passed: {part} come "
                                 f"from the {kind} itself, as (x, y) or (x, y, sample_weight) "
                                 f"batches. Fix: model.{method}(data) with {part} inside "
                                 "each batch.")
        if class_weight is not None and kind == "generator":
            raise ValueError(f"class_weight is not supported for Python generator inputs (as "
                             f"in Keras). Received: class_weight={class_weight!r:.60}. Fix: "
                             "yield (x, y, sample_weight) with each sample's class weight, or "
                             "use a tk.data.PyDataset, which takes class_weight.")
        if batch_size is not None:
            warnings.warn(f"batch_size={batch_size!r} is ignored: a {kind} makes its own "
                          "batches (Keras ignores it too). Fix: leave batch_size out and set "
                          f"the batch size where the {kind} makes its batches.", stacklevel=3)
        return (GeneratorAdapter(x) if kind == "generator" else PyDatasetAdapter(x, shuffle)), kind

    def _unpack(self, batch, step, kind, class_weight=None, labels=True):
        """(xs, ys, sample weight) arrays of one batch a generator or PyDataset gave."""
        from .data.pydataset import describe
        if isinstance(batch, (tuple, list)) and len(batch) > 3:
            raise ValueError(f"The {kind} gave {describe(batch)} as batch {step}; a batch is "
                             "x, (x,), (x, y) or (x, y, sample_weight). Fix: yield x_batch, "
                             "y_batch (put several inputs in a list: ([x1, x2], y)).")
        packed = isinstance(batch, (tuple, list))
        batch = tuple(batch) if isinstance(batch, list) else \
            batch if isinstance(batch, tuple) else (batch,)        # as Keras unpacks a batch
        xb, yb, swb = batch + (None,) * (3 - len(batch))
        where = f"batch {step} from the {kind}"
        if not labels:
            return self._prepare_x(xb, f"x of {where}"), None, None
        if yb is None and labels == "optional":         # a custom step takes x alone,
            xs, _, n = self._prepare_inputs(xb, f"x of {where}")   # as (x,) if so it came
            return xs, None, self._sample_weights(swb, class_weight, None, n, xs), packed
        if yb is None:
            raise ValueError(f"The {kind} gave {describe(batch)} as batch {step}: inputs "
                             "alone, with no labels y to compare the outputs with. Fix: yield "
                             "x_batch, y_batch (a tuple).")
        xs, ys, n = self._prepare(xb, yb, (f"x of {where}", f"y of {where}"))
        return xs, ys, self._sample_weights(swb, class_weight, ys, n)

    def _array_adapter(self, xs, ys, sw, n, batch_size, steps, shuffle):
        from .data.pydataset import ArrayAdapter
        if batch_size is None:                      # Keras: enough rows to fill `steps`
            batch_size = -(-n // steps) if steps else 32
        batch_size = _whole(batch_size, "batch_size", 1, 32)
        if ys is None:                                  # x alone, for a custom train_step
            return ArrayAdapter(n, batch_size, lambda i: (_take(xs, i), None,
                                                          None if sw is None else sw[i]),
                                lambda: _order(n, shuffle))
        return ArrayAdapter(n, batch_size,
                            lambda i: (_take(xs, i), _take(ys, i), None if sw is None else sw[i]),
                            lambda: _order(n, shuffle))

    def _eval_source(self, data, batch_size, steps, quiet, validating=False):
        """(EpochIterator, prepare) for validation_data or evaluate's data."""
        from .data.pydataset import EpochIterator, is_stream
        if is_stream(data[0]):                     # fit's batch_size is for x: no warning
            adapter, kind = self._stream(data[0], *data[1:3], None,
                                         None if validating else batch_size, False, "evaluate")
            labels = "optional" if self._steps_mode("test") else True
            return EpochIterator(adapter, steps, quiet), \
                lambda batch, step: self._unpack(batch, step, kind, labels=labels)
        xs, ys, sw = data
        adapter = self._array_adapter(xs, ys, sw, len(xs[0]), batch_size, steps, False)
        return EpochIterator(adapter, steps, quiet), None

    # ---- fit -------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Train for `epochs` passes over (x, y) in batches; returns a History.

        ``sample_weight`` (one number per sample) or ``class_weight`` ({class id: weight})
        scale each sample's loss, as Keras: the loss is sum(loss * weight) / batch size.
        x may also be a generator or a ``tk.data.PyDataset`` giving (x, y) batches; then
        ``steps_per_epoch`` says how many batches make an epoch (see tk.data.pydataset).
        A model with its own ``train_step`` gets each batch there, and may take x alone
        (``vae.fit(x)``); its logs are what the step returns (see Trainer.train_step)."""
        from .data.pydataset import EpochIterator, is_stream
        self._require_compiled("fit")
        if x is None:
            raise ValueError("fit needs the inputs x: model.fit(x, y). Received: x=None")
        custom = self._steps_mode("train")          # train_step per batch: no labels needed
        epochs = _whole(epochs, "epochs", 0, 10)
        initial_epoch = _whole(initial_epoch, "initial_epoch", 0, 0)
        steps_per_epoch = _steps(steps_per_epoch, "steps_per_epoch")
        validation_steps = _steps(validation_steps, "validation_steps")
        _check_freq(validation_freq)
        more_epochs = epochs - initial_epoch > 1
        if is_stream(x):
            if validation_split:
                raise ValueError(f"validation_split is only supported for arrays: it keeps "
                                 f"the last part of x and y, and a {type(x).__name__} has no "
                                 f"last part to cut. Received: validation_split="
                                 f"{validation_split}. Fix: pass validation_data= a second "
                                 "generator or PyDataset (with validation_steps).")
            adapter, kind = self._stream(x, y, sample_weight, class_weight, batch_size,
                                         shuffle, "fit")

            def prepare(batch, step):
                return self._unpack(batch, step, kind, class_weight,
                                    labels="optional" if custom else True)
        else:
            _refuse_iterables(x, "fit")
            if y is None and not custom:
                raise ValueError("fit needs labels y: model.fit(x, y), one label per sample "
                                 "(or x a generator or tk.data.PyDataset giving (x, y) "
                                 "batches).")
            xs, ys, n = self._prepare(x, y) if y is not None else self._prepare_inputs(x)
            sw = self._sample_weights(sample_weight, class_weight, ys, n, xs)
            if validation_data is None and validation_split:
                xs, ys, sw, n, validation_data = _split(xs, ys, sw, n, validation_split,
                                                        sample_weight is not None)
            adapter = self._array_adapter(xs, ys, sw, n, batch_size, steps_per_epoch, shuffle)
            prepare = None
        val = None if validation_data is None else \
            _validation_tuple(validation_data, self, labels=not self._steps_mode("test"))
        epoch_iterator = EpochIterator(adapter, steps_per_epoch, quiet_first_pass=not more_epochs)
        if prepare is not None and self._compiled_losses is None:
            epoch_iterator.peek()                  # Keras' symbolic build takes a batch
        epoch_iterator.reset()

        verbose = _interactive_verbose(verbose)
        history = History()
        cbs = as_list(callbacks)
        if verbose:
            cbs.insert(0, ProgbarLogger(verbose))
        cbs.append(history)
        steps = epoch_iterator.num_batches
        callback_list = CallbackList(cbs, self, {"epochs": epochs, "steps": steps,
                                                 "verbose": verbose})
        self.history = history
        self.stop_training = False
        weights = None
        val_iterator = None
        was_recording = STATE.recording
        STATE.recording = False
        logs = train_logs = {}
        tracker = self._loss_tracker
        self._initial_epoch = None
        try:
            callback_list.on_train_begin({})       # BackupAndRestore may set where to resume
            initial_epoch = self._initial_epoch or initial_epoch
            for epoch in range(initial_epoch, epochs):
                if custom:
                    self.reset_metrics()
                    callback_list.on_epoch_begin(epoch, {})
                    epoch_logs = dict(self._fit_steps(epoch_iterator, prepare, callback_list,
                                                      epoch, steps, history))
                    finite = _bad_loss(epoch_logs) is None
                else:
                    self._reset_metrics()
                    callback_list.on_epoch_begin(epoch, {})
                    loss_sum, seen = 0.0, 0
                    for batch, data in enumerate(epoch_iterator):
                        callback_list.on_train_batch_begin(batch, {})
                        xb, yb, swb = data if prepare is None else prepare(data, batch)
                        size = len(yb[0])
                        value, outs, weights = self._train_batch(xb, yb, weights, swb)
                        loss_sum += value * size
                        seen += size
                        tracker.total, tracker.count = loss_sum, seen   # self.metrics' "loss"
                        self._update_metrics(yb, outs, size, swb)
                        train_logs = self._logs(loss_sum / seen)
                        callback_list.on_train_batch_end(batch, train_logs)
                        if not math.isfinite(value):
                            if not self.stop_training:
                                self._nan_error(epoch, batch, steps, xb, history,
                                                callback_list, train_logs,
                                                backend.array_module(xb[0]))
                            break
                        if self.stop_training:
                            break
                    epoch_logs = dict(train_logs)    # an epoch with no batches repeats the last
                    finite = math.isfinite(epoch_logs.get("loss", 0.0))
                if val is not None and finite and _should_eval(epoch, validation_freq):
                    if val_iterator is None:
                        val_iterator = self._eval_source(
                            val, validation_batch_size or batch_size, validation_steps,
                            quiet=not more_epochs, validating=True)
                    val_iterator[0].reset()
                    callback_list.on_test_begin({})          # as Keras' fit, via evaluate
                    val_logs = (self._evaluate_steps if self._steps_mode("test") else
                                self._evaluate_batches)(*val_iterator, callback_list)
                    callback_list.on_test_end(val_logs)
                    epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
                callback_list.on_epoch_end(epoch, epoch_logs)
                logs = epoch_logs
                if self.stop_training:
                    break
            callback_list.on_train_end(logs)
        finally:
            STATE.recording = was_recording
        return history

    def _fit_steps(self, epoch_iterator, prepare, callback_list, epoch, steps, history):
        """One epoch of train_step calls; its logs as Keras makes them."""
        def on_end(batch, logs):
            if _bad_loss(logs) is not None and not self.stop_training:
                self._step_nan_error(epoch, batch, steps, history, callback_list, logs)
            return self.stop_training or _bad_loss(logs) is not None

        logs = self._run_steps("train_step", epoch_iterator, prepare, callback_list, on_end)
        return self._metrics_result_or_logs(logs, "train_step")

    def _step_nan_error(self, epoch, batch, steps, history, callback_list, logs):
        name, value = _bad_loss(logs)
        callback_list.on_train_end(logs)
        raise NaNLossError(
            f"{name} became {value} at epoch {epoch + 1}, batch {batch + 1}"
            f"{f' of {steps}' if steps else ''}, so training stopped. Your train_step ran "
            "on that batch, so whatever update it applied is in the weights; model.history "
            "holds the epochs so far. Fix: lower the learning rate(s), scale the inputs to "
            "about [-1, 1], check the data for NaN, or skip the update in train_step when "
            "the loss is not finite. To stop quietly instead, pass callbacks="
            "[tk.callbacks.TerminateOnNaN()] (it watches 'loss').",
            epoch=epoch, batch=batch, history=history)

    def _nan_error(self, epoch, batch, steps, xb, history, callback_list, logs, xp):
        bad_input = any(a.dtype.kind == "f" and not bool(xp.isfinite(a).all()) for a in xb)
        cause = ("This batch of x itself contains NaN or infinite values: clean the data "
                 "(np.nan_to_num, or drop those rows). " if bad_input else "")
        callback_list.on_train_end(logs)
        raise NaNLossError(
            f"The loss became {logs['loss'] if not bad_input else 'nan'} at epoch "
            f"{epoch + 1}, batch {batch + 1}{f' of {steps}' if steps else ''}, so training "
            "stopped. That batch's "
            "update was not applied: the weights are those from before it, and "
            f"model.history holds the epochs so far. {cause}Fix: lower the learning rate "
            "(e.g. ten times smaller), scale the inputs to about [-1, 1], check x and y for "
            "NaN (np.isnan(x).any()), or clip gradients (clipnorm=1.0). To stop quietly "
            "instead, pass callbacks=[tk.callbacks.TerminateOnNaN()].",
            epoch=epoch, batch=batch, history=history)

    # ---- evaluate / predict ----------------------------------------------------------------
    def _evaluate_batches(self, batches, prepare=None, callback_list=None):
        """Running loss and metrics over batches of (xs, ys, sample weight), no training."""
        from .tensor import no_grad
        self._reset_metrics()
        loss_sum, seen = 0.0, 0
        tracker = self._loss_tracker
        tracker.reset_state()
        was_recording = STATE.recording
        STATE.recording = False
        try:
            with no_grad():
                for batch, data in enumerate(batches):
                    if callback_list is not None:
                        callback_list.on_test_batch_begin(batch, {})
                    xb, yb, swb = data if prepare is None else prepare(data, batch)
                    outs = self._forward(xb, training=False)
                    size = len(yb[0])
                    loss = self._with_extra_losses(self._loss_value(yb, outs, swb))
                    loss_sum += float(loss.data) * size
                    seen += size
                    tracker.total, tracker.count = loss_sum, seen     # self.metrics' "loss"
                    self._update_metrics(yb, outs, size, swb)
                    if callback_list is not None:
                        callback_list.on_test_batch_end(batch, self._logs(loss_sum / seen))
        finally:
            STATE.recording = was_recording
        return self._logs(loss_sum / seen if seen else math.nan)

    def _evaluate_arrays(self, xs, ys, batch_size, callback_list=None, sample_weight=None):
        adapter = self._array_adapter(xs, ys, sample_weight, len(xs[0]), batch_size, None,
                                      False)
        run = self._evaluate_steps if self._steps_mode("test") else self._evaluate_batches
        return run(adapter.iterator(), None, callback_list)

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """The loss (and metrics) on (x, y), batch by batch, with no training. x may also be
        a generator or tk.data.PyDataset of (x, y) batches; `steps` caps the batches."""
        from .data.pydataset import is_stream
        self._require_compiled("evaluate")
        steps = _steps(steps, "steps")
        custom = self._steps_mode("test")
        if is_stream(x):
            data = (x, y, sample_weight)
        else:
            _refuse_iterables(x, "evaluate")
            if y is None and not custom:
                raise ValueError("evaluate needs labels y to score against: model.evaluate("
                                 "x, y). Fix: pass y, or use model.predict(x) for outputs "
                                 "alone.")
            xs, ys, n = self._prepare(x, y) if y is not None else self._prepare_inputs(x)
            data = (xs, ys, self._sample_weights(sample_weight, None, ys, n, xs))
        iterator, prepare = self._eval_source(data, batch_size, steps, quiet=True)
        if prepare is not None and self._compiled_losses is None:
            iterator.peek()                        # Keras' symbolic build takes a batch
        iterator.reset()
        cbs = CallbackList(callbacks or [], self, {"verbose": verbose,
                                                   "steps": iterator.num_batches})
        cbs.on_test_begin({})
        logs = (self._evaluate_steps if custom else self._evaluate_batches)(iterator, prepare,
                                                                             cbs)
        cbs.on_test_end(logs)
        return self._result(logs, return_dict)

    def _result(self, logs, return_dict):
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs for x as NumPy arrays, computed batch by batch. x may also be
        a generator yielding (x,) batches or a tk.data.PyDataset; `steps` caps the batches."""
        from .data.pydataset import ArrayAdapter, EpochIterator, is_stream
        from .tensor import no_grad
        steps = _steps(steps, "steps")
        if is_stream(x):
            adapter, kind = self._stream(x, None, None, None, batch_size, False, "predict")

            def inputs(batch, step):
                return self._unpack(batch, step, kind, labels=False)[0]
        else:
            _refuse_iterables(x, "predict")
            xs = self._prepare_x(x)
            n = _count(xs, "x")
            size = -(-n // steps) if batch_size is None and steps else batch_size or 32
            adapter = ArrayAdapter(n, _whole(size, "batch_size", 1, 32),
                                   lambda i: _take(xs, i), lambda: None)
            inputs = None
        iterator = EpochIterator(adapter, steps, quiet_first_pass=True)
        cbs = CallbackList(callbacks or [], self, {"verbose": verbose,
                                                   "steps": iterator.num_batches})
        cbs.on_predict_begin({})
        custom = self._steps_mode("predict")
        pieces = []
        was_recording = STATE.recording
        STATE.recording = False
        try:
            with no_grad():
                for batch, data in enumerate(iterator):
                    cbs.on_predict_batch_begin(batch, {})
                    given = data if inputs is None else inputs(data, batch)
                    if custom:                     # a stream's (x,) stays a tuple, as Keras
                        packed = inputs is not None and isinstance(data, (tuple, list))
                        outs = _numpy_outputs(self.predict_step(_step_data(given, None, None,
                                                                           packed)))
                    else:
                        outs = [backend.to_device(o.data, "cpu")
                                for o in self._forward(given, False)]
                    pieces.append(outs)
                    cbs.on_predict_batch_end(batch, {"outputs": pieces[-1]})
        finally:
            STATE.recording = was_recording
        cbs.on_predict_end({})
        if not pieces:
            raise ValueError("predict got no samples (x is empty).")
        if custom:                          # as predict_step gave them: one, a list, a dict
            return _join_outputs(pieces)
        joined = [numpy.concatenate([p[i] for p in pieces]) for i in range(len(pieces[0]))]
        return joined[0] if len(joined) == 1 else joined

    # ---- one batch at a time (custom loops, widgets) ----------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """One training step on this batch; returns its loss (and metrics) before the step."""
        self._require_compiled("train_on_batch")
        if self._steps_mode("train"):                 # a subclass's own train_step
            xs, ys, n = self._prepare(x, y) if y is not None else self._prepare_inputs(x)
            sw = self._sample_weights(sample_weight, class_weight, ys, n, xs)
            self.reset_metrics()
            was_recording = STATE.recording
            STATE.recording = False
            try:
                logs = _step_logs(self.train_step(_step_data(xs, ys, sw)), self, "train_step")
            finally:
                STATE.recording = was_recording
            return self._result(logs, return_dict)
        xs, ys, n = self._prepare(x, y)
        sw = self._sample_weights(sample_weight, class_weight, ys, n)
        self._reset_metrics()
        was_recording = STATE.recording
        STATE.recording = False
        try:
            value, outs, _ = self._train_batch(xs, ys, None, sw)
        finally:
            STATE.recording = was_recording
        if not math.isfinite(value):
            raise NaNLossError(f"The loss is {value} on this batch; the update was not "
                               "applied. Fix: lower the learning rate or check the inputs "
                               "for NaN.")
        self._update_metrics(ys, outs, n, sw)
        self._loss_tracker.total, self._loss_tracker.count = value * n, n
        return self._result(self._logs(value), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """The loss (and metrics) on one batch, with no training."""
        self._require_compiled("test_on_batch")
        if y is None and not self._steps_mode("test"):
            raise ValueError("test_on_batch needs labels y to score against: "
                             "model.test_on_batch(x, y).")
        xs, ys, n = self._prepare(x, y) if y is not None else self._prepare_inputs(x)
        sw = self._sample_weights(sample_weight, None, ys, n, xs)
        return self._result(self._evaluate_arrays(xs, ys, max(n, 1), sample_weight=sw),
                            return_dict)

    def predict_on_batch(self, x):
        """The outputs for one batch, as NumPy arrays."""
        xs = self._prepare_x(x)
        return self.predict(xs if len(xs) > 1 else xs[0], batch_size=max(_count(xs, "x"), 1))


# ---- custom steps: a batch in, logs out ----------------------------------------------------
_TAKES_TRAINING = {}            # compute_loss override -> whether it has `training`


def unpack_x_y_sample_weight(data):
    """(x, y, sample_weight) from a batch a step got: x, (x,), (x, y) or (x, y, sw), with None
    for what is missing, as ``keras.utils.unpack_x_y_sample_weight``.

    >>> unpack_x_y_sample_weight(("x", "y"))
    ('x', 'y', None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) in (1, 2, 3):
        return data + (None,) * (3 - len(data))
    raise ValueError(f"Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, "
                     f"sample_weight)`, found: a tuple of {len(data)}. Fix: put several "
                     "inputs in a list: ([x1, x2], y).")


def _overrides(model, *names):
    """Whether the model's class defines its own version of any of these Trainer methods."""
    cls = type(model)
    return any(getattr(cls, name) is not getattr(Trainer, name) for name in names)


def _own_metrics(model):
    """The tk.metrics objects a model holds as attributes (alone or in lists), in the order
    they were set, as Keras tracks them."""
    found, tracker = [], model.__dict__.get("_loss_tracker")
    for value in model.__dict__.values():
        for m in value if isinstance(value, (list, tuple)) else (value,):
            if isinstance(m, metrics_module.Metric) and m is not tracker and \
                    all(m is not f for f in found):
                found.append(m)
    return found


def _step_data(xs, ys, sw, packed=False):
    """A batch as Keras hands it to a step: x (a list for several inputs), (x, y) or
    (x, y, sample_weight), as Tensors. Inputs alone come as x for one input of arrays, and
    as (x,) for several, or where a generator or PyDataset gave the batch as (x,)."""
    x = [_tensor(a) for a in xs]
    x = x[0] if len(x) == 1 else x
    if ys is None:
        if sw is not None:
            return x, None, _tensor(sw)
        return x if len(xs) == 1 and not packed else (x,)
    y = [_tensor(a) for a in ys]
    y = y[0] if len(y) == 1 else y
    return (x, y) if sw is None else (x, y, _tensor(sw))


def _batch_size(x):
    first = _flat(x)[0]
    return first.shape[0] if hasattr(first, "shape") else len(first)


def _output_tensors(y_pred):
    return [p if isinstance(p, Tensor) else _tensor(to_array(p)) for p in _flat(y_pred)]


def _weight_array(sample_weight):
    if sample_weight is None or isinstance(sample_weight, Tensor):
        return None if sample_weight is None else sample_weight.data
    return to_array(sample_weight, dtype="float32")


def _what(value):
    return "None" if value is None else type(value).__name__


def _log_value(value):
    """A log as Keras' pythonify_logs makes it: a float where it is one number."""
    if isinstance(value, Tensor):
        value = value.data
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        value = backend.to_device(value, "cpu")
        return float(value) if value.size == 1 else numpy.asarray(value)
    try:
        return float(value)
    except (TypeError, ValueError):                     # kept as it is, as Keras keeps it
        return value


def _step_logs(logs, model, method):
    """The dict a step returned, with its values as floats (nested dicts flattened)."""
    if not isinstance(logs, dict):
        from .data.pydataset import describe
        got = f"None (a {method} without `return` gives None)" if logs is None else \
            f"a Tensor of shape {logs.shape}" if isinstance(logs, Tensor) else describe(logs)
        raise TypeError(f"{type(model).__name__}.{method} must return a dict of logs, like "
                        f"{{'loss': loss}}: fit shows them in its progress bar, gives them "
                        f"to the callbacks and records them in History. It returned {got}. "
                        "Fix: return {'loss': loss} (a dict: name -> number or scalar "
                        "Tensor), or return self.compute_metrics(x, y, y_pred).")
    flat = {}
    for key, value in logs.items():
        if isinstance(value, dict):
            flat.update(_step_logs(value, model, method))
        else:
            flat[key] = _log_value(value)
    return flat


def _same_log(a, b):
    try:
        return bool(numpy.array_equal(a, b, equal_nan=True))
    except TypeError:                                   # not numbers
        return a == b


def _shown(value):
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _bad_loss(logs):
    """(name, value) of the first loss in the logs that is NaN or infinite, else None."""
    for key, value in logs.items():
        if (key == "loss" or key.endswith("_loss")) and isinstance(value, float) and \
                not math.isfinite(value):
            return key, value
    return None


def _numpy_outputs(out):
    """predict_step's result with NumPy arrays for Tensors, in its structure."""
    if isinstance(out, dict):
        return {k: _numpy_outputs(v) for k, v in out.items()}
    if isinstance(out, (list, tuple)):
        return type(out)(_numpy_outputs(v) for v in out)
    if isinstance(out, Tensor):
        out = out.data
    return numpy.asarray(backend.to_device(out, "cpu"))


def _join_outputs(pieces):
    """Each batch's outputs (one structure per batch) joined along the samples."""
    first = pieces[0]
    if isinstance(first, dict):
        return {k: _join_outputs([p[k] for p in pieces]) for k in first}
    if isinstance(first, (list, tuple)):
        return type(first)(_join_outputs([p[i] for p in pieces]) for i in range(len(first)))
    return numpy.concatenate(pieces)


def _log_names(entries, outputs):
    """The names metrics log under, as Keras' CompileMetrics.result gives them: prefixed by
    the output's name when there are several; a second metric of one name gets _1, _2...;
    a weighted metric whose name is taken is weighted_<name> (then _1...)."""
    names, counts = [], {}
    for i, m, weighted in entries:
        prefix = f"{outputs[i]}_" if outputs else ""
        name = prefix + m.name
        if weighted and name in counts:
            name = f"{prefix}weighted_{m.name}"
        counts[name] = counts.get(name, 0) + 1
        names.append(name if counts[name] == 1 else f"{name}_{counts[name] - 1}")
    return names


def _refuse_iterables(x, method):
    """A plain iterator or iterable of batches (not arrays): Keras refuses it too."""
    if x is None or isinstance(x, (list, tuple, dict, str, Tensor)) or \
            hasattr(x, "shape") or not (hasattr(x, "__iter__") or hasattr(x, "__next__")):
        return
    raise ValueError(f"{method} takes arrays, a Python generator or a tk.data.PyDataset, but x "
                     f"is a {type(x).__name__} (an iterable of batches Keras does not take "
                     "either). Fix: wrap it in a generator, model."
                     f"{method}((batch for batch in data)), or pass the arrays themselves.")


def _steps(value, name):
    return None if value is None else _whole(value, name, 1, 10)


def _check_freq(freq):
    if isinstance(freq, list) or (isinstance(freq, int) and not isinstance(freq, bool) and
                                  freq >= 1):
        return
    raise ValueError(f"validation_freq must be a positive int (validate every that many "
                     f"epochs) or a list of epoch numbers (1-based). Received: "
                     f"validation_freq={freq!r}. Fix: e.g. validation_freq=2 or [1, 5, 10].")


def _should_eval(epoch, freq):
    """As Keras: epochs count from 1, whatever initial_epoch is."""
    return (epoch + 1) % freq == 0 if isinstance(freq, int) else epoch + 1 in freq


def _split(xs, ys, sw, n, validation_split, weighted):
    """Keep the last `validation_split` of the samples (unshuffled) for validation."""
    if not 0 < validation_split < 1:
        hint = (f" (a percentage? {validation_split}% is {validation_split / 100:g})"
                if 2 <= validation_split < 100 else "")
        raise ValueError(f"validation_split must be between 0 and 1: the fraction of the "
                         f"samples kept for validation. Received: validation_split="
                         f"{validation_split}{hint}. Fix: e.g. validation_split=0.2 keeps "
                         "the last 20% for validation.")
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at in (0, n):
        raise ValueError(f"validation_split={validation_split} of {n} samples leaves "
                         f"{split_at} for training and {n - split_at} for validation; each "
                         "needs at least one. Fix: use more samples, or a validation_split "
                         "nearer 0.2.")
    def cut(arrays, part):
        return None if arrays is None else [a[part] for a in arrays]     # no y: x alone

    val = (cut(xs, slice(split_at, None)), cut(ys, slice(split_at, None)),
           sw[split_at:] if weighted else None)             # class_weight: training only
    return (cut(xs, slice(split_at)), cut(ys, slice(split_at)),
            None if sw is None else sw[:split_at], split_at, _Prepared(val))


class _Prepared(tuple):
    """Validation arrays already checked (from validation_split)."""


def _validation_tuple(data, model, labels=True):
    """validation_data as (x, y, sample weight): prepared arrays, or a stream as it is.
    Without `labels` (a custom test_step) x alone or (x,) will do, as in Keras."""
    from .data.pydataset import is_stream
    if isinstance(data, _Prepared):
        return tuple(data)
    if is_stream(data):
        return (data, None, None)
    if not labels:
        x, y, sw = unpack_x_y_sample_weight(data)
        vx, vy, vn = model._prepare(x, y, ("validation x", "validation y")) \
            if y is not None else model._prepare_inputs(x, "validation x")
        return (vx, vy, model._sample_weights(sw, None, vy, vn, vx))
    if not isinstance(data, (tuple, list)) or len(data) not in (2, 3):
        got = (f"a {type(data).__name__} of shape {tuple(data.shape)}"
               if hasattr(data, "shape") else f"a {type(data).__name__} of length "
               f"{len(data)}" if isinstance(data, (tuple, list)) else type(data).__name__)
        raise ValueError(f"validation_data must be a tuple (x_val, y_val), but got {got}. "
                         "Fix: validation_data=(x_val, y_val); note the comma (x_val) alone "
                         "is just x_val. (A generator or tk.data.PyDataset of batches works "
                         "too.)")
    vx, vy, vn = model._prepare(data[0], data[1], ("validation x", "validation y"))
    return (vx, vy, model._sample_weights(data[2] if len(data) == 3 else None, None, vy, vn))


def _order(n, shuffle):
    if not shuffle:
        return None
    from . import random
    return random.shuffle(n)


def _is_sparse(loss):
    """Whether a loss takes integer class ids (then labels stay integers)."""
    if isinstance(loss, str):
        return "sparse" in loss
    if isinstance(loss, losses.SparseCategoricalCrossentropy):
        return True
    return loss is losses.sparse_categorical_crossentropy or (
        isinstance(loss, losses.LossFunctionWrapper) and
        loss.fn is losses.sparse_categorical_crossentropy)

