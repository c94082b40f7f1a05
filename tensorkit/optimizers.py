"""Optimizers with Keras 3's names, defaults and update rules, updating weights in place.

``opt.apply(grads, weights)`` (Keras 3) or ``opt.apply_gradients(zip(grads, weights))``:
gradients are clipped (clipnorm / clipvalue / global_clipnorm), weight decay is applied,
then ``update_step`` changes the weights' arrays in place with NumPy/CuPy ufuncs. The
state (momenta, velocities) is kept per weight, in the order weights are first seen;
``get_state()`` / ``set_state()`` move it in and out as arrays plus the step count.
A frozen weight (``requires_grad`` False) is never changed.

Speed: the weights first trained together are packed into one flat array (each weight's
``data`` becomes a view into it), their slots too, so a step is one ``update_step`` on
the flat arrays: a dozen ufunc calls in all instead of a dozen per weight. Every number
goes through the same operations, so the results are the same to the last bit.
"""

import math
import types

import numpy

from . import backend
from .errors import ShapeError, format_shape
from .metrics import snake_case
from .tensor import Tensor

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Nadam", "Adamax",
           "Adadelta", "Lion", "Adafactor", "Ftrl", "Lamb", "schedules", "get", "serialize",
           "deserialize",
           "LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay",
           "InverseTimeDecay", "CosineDecay", "PolynomialDecay", "CosineDecayRestarts"]


# ---- learning-rate schedules: step -> learning rate ------------------------------------
class LearningRateSchedule:
    """A learning rate that depends on the optimizer's step (``optimizer.iterations``)."""

    def __call__(self, step):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class _StepDecay(LearningRateSchedule):
    """What ExponentialDecay and InverseTimeDecay share: their arguments and progress."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name=None):
        if decay_steps <= 0:
            raise ValueError(f"decay_steps must be > 0. Received: decay_steps={decay_steps}")
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps, self.decay_rate = decay_steps, float(decay_rate)
        self.staircase, self.name = staircase, name or type(self).__name__

    def _progress(self, step):
        p = step / self.decay_steps
        return math.floor(p) if self.staircase else p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_StepDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)`` (floored if staircase)."""

    def __call__(self, step):
        return self.initial_learning_rate * self.decay_rate ** self._progress(step)


class InverseTimeDecay(_StepDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``."""

    def __call__(self, step):
        return self.initial_learning_rate / (1.0 + self.decay_rate * self._progress(step))


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` up to ``boundaries[0]`` (inclusive), ``values[1]`` up to the next, ..."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(values) != len(boundaries) + 1:
            raise ValueError(f"values must have one more element than boundaries. Received: "
                             f"{len(boundaries)} boundaries and {len(values)} values.")
        self.boundaries, self.values, self.name = list(boundaries), list(values), name

    def __call__(self, step):
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return value
        return self.values[-1]

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine from the learning rate down to ``alpha`` times it over ``decay_steps``,
    after an optional linear warm-up to ``warmup_target``."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps, self.alpha, self.name = decay_steps, float(alpha), name
        self.warmup_target, self.warmup_steps = warmup_target, warmup_steps

    def __call__(self, step):
        start = self.initial_learning_rate
        if self.warmup_target is not None:
            if step < self.warmup_steps:
                return start + (self.warmup_target - start) * step / self.warmup_steps
            start, step = self.warmup_target, step - self.warmup_steps
        step = min(step, self.decay_steps)
        cosine = 0.5 * (1.0 + math.cos(math.pi * step / self.decay_steps))
        return start * ((1.0 - self.alpha) * cosine + self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class PolynomialDecay(LearningRateSchedule):
    """From the learning rate down to ``end_learning_rate`` over ``decay_steps`` along
    ``(1 - step / decay_steps) ** power`` (power 1: a straight line), then constant; with
    ``cycle`` the decay starts over, each time ``decay_steps`` longer."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001,
                 power=1.0, cycle=False, name="PolynomialDecay"):
        if decay_steps <= 0:
            raise ValueError(f"Argument `decay_steps` must be > 0. Received: "
                             f"decay_steps={decay_steps}")
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps, self.end_learning_rate = decay_steps, float(end_learning_rate)
        self.power, self.cycle, self.name = float(power), bool(cycle), name

    def __call__(self, step):
        decay_steps = self.decay_steps
        if self.cycle:
            decay_steps *= 1.0 if step == 0 else math.ceil(step / self.decay_steps)
        else:
            step = min(step, decay_steps)
        p = step / decay_steps
        return ((self.initial_learning_rate - self.end_learning_rate) * (1 - p) ** self.power
                + self.end_learning_rate)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay that restarts (SGDR): the first run lasts ``first_decay_steps``, each
    next one ``t_mul`` times longer and starting ``m_mul`` times lower."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        if first_decay_steps <= 0:
            raise ValueError(f"Argument `first_decay_steps` must be > 0. Received: "
                             f"first_decay_steps={first_decay_steps}")
        self.initial_learning_rate = float(initial_learning_rate)
        self.first_decay_steps = first_decay_steps
        self.t_mul, self.m_mul, self.alpha = float(t_mul), float(m_mul), float(alpha)
        self.name = name

    def __call__(self, step):
        # float32 as Keras: where a restart falls is decided by float32 logs and floors
        f32 = numpy.float32
        done = f32(step) / f32(self.first_decay_steps)
        t_mul = f32(self.t_mul)
        if self.t_mul == 1.0:
            restart = numpy.floor(done)
            done = done - restart
        else:
            restart = numpy.floor(numpy.log(f32(1.0) - done * (f32(1.0) - t_mul))
                                  / numpy.log(t_mul))
            runs_before = (f32(1.0) - t_mul ** restart) / (f32(1.0) - t_mul)
            done = (done - runs_before) / t_mul ** restart
        cosine = f32(0.5) * f32(self.m_mul) ** restart * (f32(1.0) + numpy.cos(f32(math.pi)
                                                                              * done))
        decayed = (f32(1.0) - f32(self.alpha)) * cosine + f32(self.alpha)
        return float(f32(self.initial_learning_rate) * decayed)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self.t_mul,
                "m_mul": self.m_mul, "alpha": self.alpha, "name": self.name}


schedules = types.SimpleNamespace(
    LearningRateSchedule=LearningRateSchedule, ExponentialDecay=ExponentialDecay,
    InverseTimeDecay=InverseTimeDecay, PiecewiseConstantDecay=PiecewiseConstantDecay,
    CosineDecay=CosineDecay, PolynomialDecay=PolynomialDecay,
    CosineDecayRestarts=CosineDecayRestarts)
_SCHEDULES = {c.__name__: c for c in (ExponentialDecay, InverseTimeDecay,
                                      PiecewiseConstantDecay, CosineDecay, PolynomialDecay,
                                      CosineDecayRestarts)}


# ---- the base optimizer ----------------------------------------------------------------
def _grad_array(g, var):
    if type(g) is numpy.ndarray and g.shape == var.shape and g.dtype == var.dtype:
        return g                                      # what fit passes, every step
    arr = g.data if isinstance(g, Tensor) else g
    if not hasattr(arr, "shape"):
        arr = numpy.asarray(arr)
    if arr.shape != var.shape:
        raise ShapeError(f"the gradient for '{var.name}' has shape "
                         f"{format_shape(arr.shape)} but the weight has shape "
                         f"{format_shape(var.shape)}.",
                         expected="one gradient per weight, each of its weight's shape",
                         fix="pass grads and weights in the same order, e.g. "
                             "opt.apply(tk.gradients(loss, weights), weights).",
                         op="optimizer.apply")
    if arr.dtype != var.dtype:
        arr = arr.astype(var.dtype)
    return arr


def _split(flat, shapes):
    """Views of consecutive pieces of a flat array, one of each shape."""
    views, start = [], 0
    for shape in shapes:
        n = math.prod(shape)
        views.append(flat[start:start + n].reshape(shape))
        start += n
    return views


class _Packed:
    """Weights updated together: their values in one flat array (each weight's ``data`` a
    view into it), their slots likewise, and room for their gradients."""

    def __init__(self, variables, slots):
        self.variables = variables
        self.slots = slots                            # flat, in slot_names order
        xp = backend.array_module(variables[0].data)
        self.params = xp.empty(sum(v.data.size for v in variables), variables[0].dtype)
        self.grads = xp.empty_like(self.params)
        self.views = []
        self.pack()

    def pack(self):
        """Copy each weight's values into the flat array and make its data a view of it."""
        self.views = _split(self.params, [v.shape for v in self.variables])
        for var, view in zip(self.variables, self.views):
            view[...] = var.data
            var.data = view

    def flat_params(self):
        if any(v.data is not view for v, view in zip(self.variables, self.views)):
            self.pack()                     # a weight was given new data (w.data = ...)
        return self.params

    def flat_grads(self, grads):
        xp = backend.array_module(self.grads)
        return xp.concatenate([g.reshape(-1) for g in grads], out=self.grads)


class Optimizer:
    """Base class: subclasses name their slots and write ``update_step(g, var, slots, lr)``."""

    slot_names = ()
    elementwise = True          # False: the step needs whole weights (norms), so no packing

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None, **kwargs):
        if "lr" in kwargs:
            raise TypeError(f"{type(self).__name__} got lr={kwargs['lr']!r}: Keras 3 renamed "
                            f"lr to learning_rate. Fix: {type(self).__name__}("
                            f"learning_rate={kwargs['lr']!r}).")
        if kwargs:
            raise TypeError(f"{type(self).__name__} got unexpected argument(s) "
                            f"{', '.join(sorted(kwargs))}. Received: "
                            + ", ".join(f"{k}={v!r}" for k, v in sorted(kwargs.items())))
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of clipnorm, clipvalue and global_clipnorm can be set. "
                             f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                             f"global_clipnorm={global_clipnorm}")
        self.name = name or snake_case(type(self).__name__)     # as Keras: "rm_sprop"
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.learning_rate = learning_rate
        self.iterations = 0
        self._vars = []                   # weights in the order first seen
        self._slots = {}                  # id(weight) -> list of arrays (slot_names order)
        self._packed = {}                 # ids of weights updated together -> _Packed
        self._pending = None              # state given before the weights were known
        self._exclude_names = ()
        self._buffers = {}                # (which, shape, dtype, array type) -> scratch array

    # ---- learning rate -----------------------------------------------------------------
    @property
    def learning_rate(self):
        """The current learning rate (a schedule is evaluated at ``iterations``)."""
        lr = self._learning_rate
        return float(lr(self.iterations)) if callable(lr) else lr

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, LearningRateSchedule) or callable(value):
            self._learning_rate = value
            return
        if getattr(self, "_learning_rate", None) is not None and \
                callable(self._learning_rate):
            raise TypeError("This optimizer was created with a learning-rate schedule, so "
                            "its learning rate cannot be set to a number. Fix: create a new "
                            "optimizer with learning_rate=a number.")
        if isinstance(value, (str, bool)) or not isinstance(
                getattr(value, "item", lambda: value)(), (int, float)):
            raise TypeError(f"learning_rate must be a number, e.g. 0.001, or a schedule. "
                            f"Received: learning_rate={value!r}. Fix: learning_rate=0.001.")
        value = float(value.item() if hasattr(value, "item") else value)
        if not value >= 0:
            raise ValueError(f"learning_rate must be a number >= 0. Received: "
                             f"learning_rate={value}")
        self._learning_rate = value

    # ---- state -------------------------------------------------------------------------
    def build(self, variables):
        """Create the slots (zeros, or Adagrad's initial value) for weights not seen yet;
        weights new together (as a model's, on its first step) are packed."""
        new = list({id(v): v for v in variables if id(v) not in self._slots}.values())
        if self.elementwise and len(new) > 1 and \
                len({(v.dtype, type(v.data)) for v in new}) == 1:
            self._pack(new)
        for var in new:
            if id(var) not in self._slots:
                self._slots[id(var)] = self._make_slots(backend.array_module(var.data), var)
            self._vars.append(var)
        if self._pending is not None and self._vars:
            state, self._pending = self._pending, None
            self.set_state(state)

    def _pack(self, variables):
        xp = backend.array_module(variables[0].data)
        size, shapes = sum(v.data.size for v in variables), [v.shape for v in variables]
        slots = [self._new_slot(xp, (size,), variables[0].dtype, n) for n in self.slot_names]
        views = [_split(flat, shapes) for flat in slots]              # per slot, per weight
        for i, var in enumerate(variables):
            self._slots[id(var)] = [per_weight[i] for per_weight in views]
        self._packed[tuple(id(v) for v in variables)] = _Packed(variables, slots)

    def _new_slot(self, xp, shape, dtype, name):
        return xp.zeros(shape, dtype=dtype)

    def _make_slots(self, xp, var):
        """One weight's slots (in Keras' order): one per slot name, of the weight's shape."""
        return [self._new_slot(xp, var.shape, var.dtype, n) for n in self.slot_names]

    @property
    def variables(self):
        """[iterations, then each weight's slots in turn (Keras 3 order)], as arrays."""
        out = [numpy.asarray(self.iterations, dtype=numpy.int64)]
        for var in self._vars:
            out.extend(self._slots[id(var)])
        return out

    def get_state(self):
        """``{"iterations": n, "variables": [arrays]}``: copies, ready to save."""
        return {"iterations": int(self.iterations),
                "variables": [backend.to_device(a, "cpu").copy() for a in self.variables[1:]]}

    def set_state(self, state, variables=None):
        """Load what ``get_state()`` gave. Before the first step, pass the weights (in the
        order they had), or the state waits for the first ``apply``."""
        if variables is not None:
            self.build(variables)
        if not self._vars:
            self._pending = state
            return
        arrays = list(state["variables"])
        want = sum(len(self._slots[id(v)]) for v in self._vars)
        if len(arrays) != want:
            raise ValueError(f"{type(self).__name__} state has {len(arrays)} arrays but this "
                             f"optimizer keeps {want} for its {len(self._vars)} weights. Fix: "
                             "load the state into the same kind of optimizer and model.")
        it = iter(arrays)
        for var in self._vars:
            for slot in self._slots[id(var)]:
                value = next(it)
                if tuple(numpy.shape(value)) != slot.shape:
                    raise ShapeError(f"optimizer state for '{var.name}' has shape "
                                     f"{format_shape(numpy.shape(value))}, expected "
                                     f"{format_shape(slot.shape)}.",
                                     fix="load the state into the same model.")
                slot[...] = backend.array_module(slot).asarray(value, dtype=slot.dtype)
        self.iterations = int(state["iterations"])

    def _scratch(self, like, which=0):
        """A scratch array shaped like `like`, kept between steps: fresh temporaries the size
        of every weight cost an Adam step of W2 a quarter of its time (0.31 -> 0.25 ms)."""
        key = (which, like.shape, like.dtype, type(like))
        buffer = self._buffers.get(key)
        if buffer is None:
            buffer = self._buffers[key] = backend.array_module(like).empty_like(like)
        return buffer

    # ---- applying gradients ------------------------------------------------------------
    def apply(self, grads, trainable_variables=None):
        """Update `trainable_variables` in place from `grads` (Tensors or arrays, None skips)."""
        grads = list(grads)
        variables = list(self._vars if trainable_variables is None else trainable_variables)
        if len(grads) != len(variables):
            raise ValueError(f"apply got {len(grads)} gradients for {len(variables)} weights. "
                             "Fix: pass one gradient per weight, in the same order.")
        pairs = [(_grad_array(g, v), v) for g, v in zip(grads, variables)
                 if g is not None and v.requires_grad]
        if not pairs:
            self.iterations += 1
            return
        slots = self._slots
        key = tuple([id(v) for _, v in pairs])
        packed = self._packed.get(key)                # None: not all packed together
        if packed is None and any(id(v) not in slots for _, v in pairs):
            self.build([v for _, v in pairs])
            packed = self._packed.get(key)
        grads = self._clip([g for g, _ in pairs])
        lr = self.learning_rate
        if self.weight_decay:
            self._apply_weight_decay([v for _, v in pairs], lr)
        if packed is not None:                        # all at once, on the flat arrays
            self.update_step(packed.flat_grads(grads), packed.flat_params(), packed.slots, lr)
        else:
            for g, (_, var) in zip(grads, pairs):
                self.update_step(g, var.data, slots[id(var)], lr)
        for _, var in pairs:                          # constraints project after the step
            constraint = getattr(var, "constraint", None)
            if constraint is not None:
                var.data[...] = constraint(var.data)
        self.iterations += 1

    def apply_gradients(self, grads_and_vars):
        """``apply_gradients(zip(grads, weights))``, as Keras 2 and TF."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Weights (or name fragments, e.g. "bias") that weight decay leaves alone."""
        self._exclude_ids = {id(v) for v in var_list or []}
        self._exclude_names = tuple(var_names or ())

    def _apply_weight_decay(self, variables, lr):
        skip = getattr(self, "_exclude_ids", set())
        factor = self.weight_decay * lr
        for var in variables:
            if id(var) in skip or any(n in (var.name or "") for n in self._exclude_names):
                continue
            var.data -= var.data * factor                 # v - v * wd * lr, as Keras

    def _clip(self, grads):
        if self.clipnorm is not None and self.clipnorm > 0:
            return [_clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm is not None and self.global_clipnorm > 0:
            norm = math.sqrt(sum(float((g * g).sum()) for g in grads))
            scale = self.global_clipnorm * min(1.0 / norm if norm else math.inf,
                                               1.0 / self.global_clipnorm)
            return [g * scale for g in grads]
        if self.clipvalue is not None and self.clipvalue > 0:
            xp = backend.array_module(grads[0])
            return [xp.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def update_step(self, g, var, slots, lr):
        raise NotImplementedError

    # ---- config --------------------------------------------------------------------------
    def get_config(self):
        lr = self._learning_rate
        return {"name": self.name,
                "learning_rate": serialize_schedule(lr) if callable(lr) else lr,
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            config["learning_rate"] = deserialize_schedule(lr)
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} learning_rate={self.learning_rate:g}>"


def _clip_by_norm(g, clipnorm):
    """g * clipnorm / max(||g||, clipnorm): Keras' clip_by_norm for one gradient."""
    norm = math.sqrt(float((g * g).sum()))
    return g * clipnorm / max(norm, clipnorm)


def serialize_schedule(schedule):
    if isinstance(schedule, LearningRateSchedule):
        return {"class_name": type(schedule).__name__, "config": schedule.get_config()}
    raise TypeError(f"only tk.optimizers.schedules can be saved, got {schedule!r:.60}")


def deserialize_schedule(config):
    cls = _SCHEDULES.get(config.get("class_name"))
    if cls is None:
        raise ValueError(f"Unknown learning-rate schedule {config.get('class_name')!r}. "
                         f"Known: {sorted(_SCHEDULES)}")
    return cls.from_config(config["config"])


# ---- the optimizers: Keras 3's update rules, in place ------------------------------------
class SGD(Optimizer):
    """``m = momentum * m - lr * g``; ``w += m`` (or ``w += momentum * m - lr * g``, nesterov)."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name="sgd", **kwargs):
        if not 0 <= momentum <= 1:
            raise ValueError(f"momentum must be in [0, 1]. Received: momentum={momentum}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)
        self.slot_names = ("momentum",) if momentum else ()
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         name, **kwargs)

    def update_step(self, g, var, slots, lr):
        if not slots:
            var -= g * lr
            return
        m = slots[0]
        m *= self.momentum
        m -= g * lr
        if self.nesterov:
            step = m * self.momentum
            step -= g * lr
            var += step
        else:
            var += m

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """``m += (g - m)(1 - beta_1)``, ``v += (g² - v)(1 - beta_2)``,
    ``w -= m · lr √(1 - beta_2^t) / (1 - beta_1^t) / (√v + epsilon)``."""

    slot_names = ("momentum", "velocity")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="adam", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.amsgrad = bool(amsgrad)
        if self.amsgrad:
            self.slot_names = ("momentum", "velocity", "velocity_hat")

    def _moments(self, g, m, v):
        """The running means of g and g², in place."""
        xp, step = backend.array_module(g), self._scratch(g)
        xp.subtract(g, m, out=step)
        step *= 1 - self.beta_1
        m += step                                     # m += (g - m) * (1 - beta_1)
        xp.multiply(g, g, out=step)
        step -= v
        step *= 1 - self.beta_2
        v += step                                     # v += (g² - v) * (1 - beta_2)

    def update_step(self, g, var, slots, lr):
        t = self.iterations + 1
        alpha = lr * math.sqrt(1 - self.beta_2 ** t) / (1 - self.beta_1 ** t)
        m, v = slots[0], slots[1]
        self._moments(g, m, v)
        if self.amsgrad:
            v_hat = slots[2]
            backend.array_module(v).maximum(v_hat, v, out=v_hat)
            v = v_hat
        xp = backend.array_module(v)
        denom, step = self._scratch(v), self._scratch(v, 1)
        xp.sqrt(v, out=denom)
        denom += self.epsilon
        xp.multiply(m, alpha, out=step)
        step /= denom
        var -= step

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay: each step first ``w -= w · weight_decay · lr``."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="adam_w", **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW needs a weight_decay (a float). Received: weight_decay=None")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay,
                         clipnorm, clipvalue, global_clipnorm, name, **kwargs)


class RMSprop(Optimizer):
    """``v = rho v + (1 - rho) g²``; ``w -= lr g / √(v + epsilon)`` (Keras 3: epsilon inside)."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="rm_sprop", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         name, **kwargs)
        self.rho, self.momentum, self.epsilon = float(rho), float(momentum), float(epsilon)
        self.centered = bool(centered)
        self.slot_names = ("velocity",) + (("momentum",) if momentum > 0 else ()) + \
            (("average_gradient",) if centered else ())

    def update_step(self, g, var, slots, lr):
        xp = backend.array_module(var)
        v = slots[0]
        v *= self.rho
        v += (1 - self.rho) * (g * g)
        if self.centered:
            avg = slots[-1]
            avg *= self.rho
            avg += (1 - self.rho) * g
            denom = v - avg * avg
            denom += self.epsilon
        else:
            denom = v + self.epsilon
        step = g * lr
        step /= xp.sqrt(denom, out=denom)
        if self.momentum > 0:
            mom = slots[1]
            mom *= self.momentum
            mom += step
            var -= mom
        else:
            var -= step

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


class Adagrad(Optimizer):
    """``acc += g²``; ``w -= lr g / √(acc + epsilon)``, acc starting at 0.1."""

    slot_names = ("accumulator",)

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="adagrad", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         name, **kwargs)
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.epsilon = float(epsilon)

    def _new_slot(self, xp, shape, dtype, name):
        return xp.full(shape, self.initial_accumulator_value, dtype=dtype)

    def update_step(self, g, var, slots, lr):
        xp = backend.array_module(var)
        acc = slots[0]
        acc += g * g
        denom = acc + self.epsilon
        step = g * lr
        step /= xp.sqrt(denom, out=denom)
        var -= step

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


class Nadam(Adam):
    """Adam with Nesterov momentum: the step mixes the new momentum, bias-corrected with a
    momentum schedule ``u_t = beta_1 (1 - 0.5 · 0.96^t)``, and the gradient itself."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="nadam", **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, False, weight_decay,
                         clipnorm, clipvalue, global_clipnorm, name, **kwargs)

    def _u(self, t):
        return self.beta_1 * (1.0 - 0.5 * 0.96 ** t)

    def _u_product(self, t):
        """u_1 · ... · u_t (Keras keeps it as a variable): carried from the last step, so a
        step costs one factor, not t; recomputed after a jump (loaded state)."""
        last, value = getattr(self, "_product", (0, 1.0))
        if last == t:                                 # another weight group, same step
            return value
        if last != t - 1:
            last, value = 0, 1.0
        for s in range(last + 1, t + 1):
            value *= self._u(s)
        self._product = (t, value)
        return value

    def update_step(self, g, var, slots, lr):
        xp = backend.array_module(var)
        t = self.iterations + 1
        u_t, u_next = self._u(t), self._u(t + 1)
        u_product = self._u_product(t)
        m, v = slots
        self._moments(g, m, v)
        m_hat = m * (u_next / (1 - u_product * u_next))
        m_hat += g * ((1 - u_t) / (1 - u_product))
        denom = xp.sqrt(v / (1 - self.beta_2 ** t))
        denom += self.epsilon
        m_hat *= lr
        m_hat /= denom
        var -= m_hat

    def get_config(self):
        config = super().get_config()
        del config["amsgrad"]
        return config


class Adamax(Optimizer):
    """Adam with the infinity norm: ``u = max(beta_2 u, |g|)``,
    ``w -= lr m / ((1 - beta_1^t)(u + epsilon))``."""

    slot_names = ("momentum", "norm")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="adamax", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)

    def update_step(self, g, var, slots, lr):
        xp = backend.array_module(var)
        m, u = slots
        step = g - m
        step *= 1 - self.beta_1
        m += step
        u *= self.beta_2
        xp.maximum(u, xp.abs(g), out=u)
        denom = u + self.epsilon
        denom *= 1 - self.beta_1 ** (self.iterations + 1)
        step = m * lr
        step /= denom
        var -= step

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class Adadelta(Optimizer):
    """``acc_g = rho acc_g + (1 - rho) g²``; ``d = -√(acc_d + eps) / √(acc_g + eps) · g``;
    ``acc_d = rho acc_d + (1 - rho) d²``; ``w += lr d``."""

    slot_names = ("accumulated_grad", "accumulated_delta_var")

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name="adadelta",
                 **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         name, **kwargs)
        self.rho, self.epsilon = float(rho), float(epsilon)

    def update_step(self, g, var, slots, lr):
        xp = backend.array_module(var)
        acc_g, acc_d = slots
        acc_g *= self.rho
        acc_g += (1 - self.rho) * (g * g)
        delta = xp.sqrt(acc_d + self.epsilon)
        delta *= g
        delta /= xp.sqrt(acc_g + self.epsilon)        # the step is -delta
        acc_d *= self.rho
        acc_d += (1 - self.rho) * (delta * delta)
        delta *= lr
        var -= delta

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Lion(Optimizer):
    """``w -= lr · sign(beta_1 m + (1 - beta_1) g)``, then ``m = beta_2 m + (1 - beta_2) g``:
    every weight moves by exactly lr, so use a learning rate 3-10x smaller than Adam's."""

    slot_names = ("momentum",)

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name="lion", **kwargs):
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Argument `beta_1` must be in the [0, 1] range. Otherwise, the "
                             f"optimizer degenerates to SignSGD. Received: beta_1={beta_1}.")
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         name, **kwargs)
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)

    def update_step(self, g, var, slots, lr):
        xp = backend.array_module(var)
        m = slots[0]
        step = m * self.beta_1
        step += g * (1.0 - self.beta_1)
        step = xp.sign(step, out=step)
        step *= lr
        var -= step
        m *= self.beta_2
        m += g * (1.0 - self.beta_2)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}


class Adafactor(Optimizer):
    """Adam-like steps with a factored second moment: for a matrix, running means of g² per
    row (``r``) and per column (``c``) instead of one per entry, so the state is small.
    The step size is ``max(epsilon_2, rms(w)) · min(lr, 1/√t)``, relative to the weight,
    and each update's rms is clipped to ``clip_threshold``."""

    elementwise = False
    slot_names = ("r", "c", "velocity")

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30,
                 epsilon_2=1e-3, clip_threshold=1.0, relative_step=True, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name="adafactor",
                 **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         name, **kwargs)
        self.beta_2_decay, self.epsilon_1 = float(beta_2_decay), float(epsilon_1)
        self.epsilon_2, self.clip_threshold = float(epsilon_2), float(clip_threshold)
        self.relative_step = bool(relative_step)

    def _make_slots(self, xp, var):
        """Keras' r (rows), c (columns) and velocity; r and c are scalar 0 placeholders for a
        weight of rank < 2, which is not factored."""
        shape = var.shape
        if len(shape) < 2:
            return [xp.zeros((), var.dtype), xp.zeros((), var.dtype), xp.zeros(shape, var.dtype)]
        return [xp.zeros(shape[:-1], var.dtype), xp.zeros(shape[:-2] + shape[-1:], var.dtype),
                xp.zeros(shape, var.dtype)]

    def update_step(self, g, var, slots, lr):
        xp = backend.array_module(var)
        t = self.iterations + 1
        if self.relative_step and not callable(self._learning_rate):
            lr = min(lr, 1 / math.sqrt(t))
        rho = min(lr, 1 / math.sqrt(t))
        alpha = max(self.epsilon_2, float(xp.sqrt(xp.mean(var * var)))) * rho
        g2 = g * g
        g2 += self.epsilon_1
        beta = 1 - t ** self.beta_2_decay
        r, c, v = slots
        if var.ndim >= 2:
            r *= beta
            r += (1 - beta) * g2.mean(axis=-1)               # (..., rows)
            c *= beta
            c += (1 - beta) * g2.mean(axis=-2)               # (..., cols)
            v[...] = (r / r.mean(axis=-1, keepdims=True))[..., None] * c[..., None, :]
        else:
            v *= beta
            v += (1 - beta) * g2
        u = g / xp.sqrt(v)
        u /= max(1.0, float(xp.sqrt(xp.mean(u * u))) / self.clip_threshold)
        u *= alpha
        var -= u

    def get_config(self):
        return {**super().get_config(), "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1, "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold, "relative_step": self.relative_step}


class Ftrl(Optimizer):
    """Follow The Regularized Leader: ``acc += g²``, a ``linear`` term sums the gradients
    (less how far each step's learning rate moved); the weight is then
    ``(clip(linear, ±l1) - linear) / quadratic``, exactly 0 where |linear| <= l1."""

    slot_names = ("accumulator", "linear")

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="ftrl", **kwargs):
        checks = [("initial_accumulator_value", initial_accumulator_value, "positive or zero"),
                  ("learning_rate_power", -learning_rate_power, "negative or zero"),
                  ("l1_regularization_strength", l1_regularization_strength,
                   "positive or zero"),
                  ("l2_regularization_strength", l2_regularization_strength,
                   "positive or zero"),
                  ("l2_shrinkage_regularization_strength",
                   l2_shrinkage_regularization_strength, "positive or zero")]
        for key, value, want in checks:
            if value < 0.0:
                shown = -value if key == "learning_rate_power" else value
                raise ValueError(f"`{key}` needs to be {want}. Received: {key}={shown}.")
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         name, **kwargs)
        self.learning_rate_power = float(learning_rate_power)
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.l1_regularization_strength = float(l1_regularization_strength)
        self.l2_regularization_strength = float(l2_regularization_strength)
        self.l2_shrinkage_regularization_strength = float(l2_shrinkage_regularization_strength)
        self.beta = float(beta)

    def _new_slot(self, xp, shape, dtype, name):
        value = self.initial_accumulator_value if name == "accumulator" else 0.0
        return xp.full(shape, value, dtype=dtype)

    def update_step(self, g, var, slots, lr):
        xp = backend.array_module(var)
        acc, linear = slots
        power = -self.learning_rate_power
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        new_acc = acc + g * g
        new_power = new_acc ** power
        moved = new_power - acc ** power
        moved /= lr
        moved *= var
        shrunk = g + (2 * self.l2_shrinkage_regularization_strength) * var
        shrunk -= moved
        linear += shrunk
        quadratic = new_power / lr
        quadratic += 2 * l2
        l1 = self.l1_regularization_strength
        step = xp.clip(linear, -l1, l1)
        step -= linear
        step /= quadratic
        var[...] = step
        acc[...] = new_acc

    def get_config(self):
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength":
                    self.l2_shrinkage_regularization_strength,
                "beta": self.beta}


class Lamb(Optimizer):
    """Adam's step, scaled per weight by ``||w|| / ||step||`` (the trust ratio; 1 when
    either is 0), so every layer moves by about lr times its own size."""

    elementwise = False
    slot_names = ("momentum", "velocity")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="lamb", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)

    def update_step(self, g, var, slots, lr):
        xp = backend.array_module(var)
        t = self.iterations + 1
        m, v = slots
        Adam._moments(self, g, m, v)
        step = m / (1.0 - self.beta_1 ** t)
        denom = xp.sqrt(v / (1.0 - self.beta_2 ** t))
        denom += self.epsilon
        step /= denom
        w_norm = float(xp.sqrt((var * var).sum()))
        g_norm = float(xp.sqrt((step * step).sum()))
        step *= (w_norm / g_norm if w_norm > 0 and g_norm > 0 else 1.0) * lr
        var -= step

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


_BY_NAME = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop, "adagrad": Adagrad,
            "nadam": Nadam, "adamax": Adamax, "adadelta": Adadelta, "lion": Lion,
            "adafactor": Adafactor, "ftrl": Ftrl}
_CLASSES = {c.__name__: c for c in (*_BY_NAME.values(), Lamb)}   # Keras: no "lamb" by name


def get(identifier):
    """An optimizer from a Keras name ("adam"), a class, or an optimizer object (as is)."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str) and identifier.lower() == "lamb":
        raise ValueError("Unknown optimizer 'lamb': Keras gives Lamb by object only. Fix: "
                         "optimizer=tk.optimizers.Lamb(learning_rate=1e-3).")
    raise ValueError(f"Unknown optimizer {identifier!r}. Expected one of {sorted(_BY_NAME)} "
                     "or an optimizer object such as tk.optimizers.Adam(learning_rate=1e-3).")


def serialize(optimizer):
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config):
    classes = _CLASSES
    cls = classes.get(config.get("class_name"))
    if cls is None:
        raise ValueError(f"Unknown optimizer class {config.get('class_name')!r}. Known: "
                         f"{sorted(classes)}")
    return cls.from_config(config.get("config", {}))
