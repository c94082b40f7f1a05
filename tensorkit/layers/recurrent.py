"""Recurrent layers: SimpleRNN, LSTM, GRU and the Bidirectional wrapper, as in Keras 3;
and Keras' generic API: RNN(cell) over SimpleRNNCell, LSTMCell, GRUCell, StackedRNNCells
or a cell of your own.

Each layer runs one fused op over the whole sequence (tk.ops.lstm, gru, simple_rnn), so
its graph is one node (B, T, in) -> (B, T, units); return_sequences=False takes the last
step's output from it. Weights, names, shapes, defaults and get_weights() order are
Keras 3's: kernel (in, G*units), recurrent_kernel (units, G*units), bias; G = 4 for LSTM
(gates i, f, c, o), 3 for GRU (z, r, h), 1 for SimpleRNN.

RNN(cell) is the step-by-step form: a Python loop over time that calls
``cell.call(x_t, states)`` with ordinary ops, so its graph shows every step, and any cell
with ``state_size`` and ``call`` works. The cells have the layers' weights, so
``RNN(LSTMCell(n))`` computes what ``LSTM(n)`` does with the same weights, only slower.
"""

import functools
import inspect

import numpy

from .. import activations, initializers, ops
from ..creation import ones_like, zeros
from ..errors import ShapeError, format_shape
from ..graph import layer_scope
from ..tensor import Tensor, symbolic, tensor
from .base import Layer, check_seed, get_activation, get_initializer
from .core import _positive_int

__all__ = ["SimpleRNN", "LSTM", "GRU", "Bidirectional", "RNN", "SimpleRNNCell", "LSTMCell",
           "GRUCell", "StackedRNNCells"]

_RANK_FIX = ("RNNs take (batch, time, features): add an Embedding for token ids, or "
             "x[..., None] for one feature per step")


def _fused_name(fn, what):
    """The name the fused ops know an activation by (they take tanh, sigmoid, ... only)."""
    name = activations.serialize(fn)
    if name not in ops.recurrent.ACTIVATIONS:
        raise ValueError(f"recurrent layers support {what} in "
                         f"{sorted(ops.recurrent.ACTIVATIONS)}. Received: {what}={name!r}")
    return name


class _GateWeights:
    """The weights a recurrent layer and its cell share, in Keras' order and shapes: kernel
    (features, gates * units), recurrent_kernel (units, gates * units) and bias."""

    def _gate_arguments(self, units, activation, use_bias, kernel_initializer,
                        recurrent_initializer, bias_initializer, dropout, recurrent_dropout):
        """The constructor arguments a recurrent layer and its cell share, checked."""
        cls = type(self).__name__
        self.units = _positive_int(cls, "units", units)
        self.activation = get_activation(self, "activation", activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = get_initializer(self, "kernel_initializer", kernel_initializer)
        self.recurrent_initializer = get_initializer(self, "recurrent_initializer",
                                                     recurrent_initializer)
        self.bias_initializer = get_initializer(self, "bias_initializer", bias_initializer)
        for name, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not isinstance(rate, (int, float)) or not 0 <= rate < 1:
                raise ValueError(f"{cls} expects {name} in [0, 1). Received: {name}={rate!r}")

    def _gate_config(self):
        return {"units": self.units, "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.name_of(self.kernel_initializer),
                "recurrent_initializer": initializers.name_of(self.recurrent_initializer),
                "bias_initializer": initializers.name_of(self.bias_initializer),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout}

    def _add_gate_weights(self, features):
        g = self.gates * self.units
        self.kernel = self.add_weight("kernel", (features, g), self.kernel_initializer)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, g),
                                                self.recurrent_initializer)
        self.bias = self.add_weight("bias", self._bias_shape(), self._bias_init()) \
            if self.use_bias else None

    def _bias_shape(self):                  # GRU's reset_after: input and recurrent rows
        return (2, 3 * self.units) if getattr(self, "reset_after", False) else \
            (self.gates * self.units,)

    def _bias_init(self):                   # LSTM's unit_forget_bias
        return _lstm_bias_init(self) if getattr(self, "unit_forget_bias", False) else \
            self.bias_initializer


class _RNN(_GateWeights, Layer):
    """What SimpleRNN, LSTM and GRU share: arguments, checks, states and outputs."""

    gates = 1
    n_states = 1
    regularized = {"kernel_regularizer": "kernel", "recurrent_regularizer": "recurrent_kernel",
                   "bias_regularizer": "bias"}

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self._gate_arguments(units, activation, use_bias, kernel_initializer,
                             recurrent_initializer, bias_initializer, dropout, recurrent_dropout)
        _fused_name(self.activation, "activation")
        if recurrent_dropout:
            raise ValueError(f"{cls}: recurrent_dropout is not supported (it would need a new "
                             "mask inside every step of the fused loop). Received: "
                             f"recurrent_dropout={recurrent_dropout}. Fix: use dropout= "
                             "(on the inputs) or a Dropout layer after the RNN.")
        self.dropout, self.recurrent_dropout = float(dropout), float(recurrent_dropout)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)       # each call starts from the last call's states
        self.unroll = bool(unroll)           # Keras' unrolled graph: same numbers, so the
        self._states = None                  # fused loop runs either way
        self.zero_output_for_mask = False    # Bidirectional sets it when returning sequences
        self.supports_masking = True

    # ---- weights ------------------------------------------------------------------------
    def _check_rank(self, shape):
        if len(shape) != 3:
            raise ShapeError(
                f"{type(self).__name__} received an input of rank {len(shape)}, shape "
                f"{format_shape(shape)}.", expected="a 3-D input (batch, time, features)",
                fix=_RANK_FIX + "; after another RNN, give that one return_sequences=True "
                    "(else it passes on only its last state); a single sequence needs a "
                    "batch axis: x[None].",
                op=type(self).__name__, shapes=(tuple(shape),), layer=self.name)
        if shape[-1] is None:
            raise ShapeError(f"{type(self).__name__} needs a known number of features, but "
                             f"the input shape is {format_shape(shape)}.",
                             expected="(batch, time, features) with features known",
                             fix="give the Input its feature size, e.g. "
                                 "tk.Input(shape=(None, 8)).",
                             op=type(self).__name__, shapes=(tuple(shape),), layer=self.name)

    def _check_input(self, shape):
        """Any batch and any length (as Keras' RNN); features as built."""
        self._check_rank(shape)
        built = self.kernel.shape[0]
        if shape[-1] != built:
            raise ShapeError(
                f"built for {built} features per step but received {shape[-1]} (input "
                f"shape {format_shape(shape)}).",
                expected=f"(batch, time, {built})", fix="feed sequences with the features "
                "the layer was built for, or make a new layer.", op=type(self).__name__,
                shapes=(tuple(shape),), layer=self.name)

    def build(self, input_shape):
        self._check_rank(input_shape)
        self._add_gate_weights(input_shape[-1])

    # ---- call ---------------------------------------------------------------------------
    def call(self, inputs, training=False, mask=None, initial_state=None):
        self._check_rank(inputs.shape)
        x = inputs
        if training and self.dropout:
            x = ops.dropout(x, self.dropout)
        if initial_state is not None:
            initial_state = [s if isinstance(s, Tensor) else tensor(s) for s in
                             (initial_state if isinstance(initial_state, (list, tuple))
                              else [initial_state])]
        carry = self.stateful and inputs.data is not None
        if carry and initial_state is None:
            initial_state = self._carried_states(inputs.shape[0])
        # Zeroed outputs of masked steps (Bidirectional) would hide the last state, so
        # when the states are wanted too the op keeps them and the zeroing comes after.
        zero_after = self.zero_output_for_mask and mask is not None and \
            (self.return_state or carry)
        outputs, states = self._run(x, mask, initial_state,
                                    self.zero_output_for_mask and not zero_after)
        if zero_after:                                          # (B, T) -> (B, T, 1)
            keep = mask if isinstance(mask, Tensor) else tensor(mask)
            keep = ops.expand_dims(keep[:, ::-1] if self.go_backwards else keep, -1)
            outputs = outputs * ops.cast(keep, outputs.dtype)
        if carry:                       # kept as plain arrays: no gradient flows back into
            self._states = [s.data.copy() for s in states]      # the previous batch (Keras)
        last = outputs[:, -1]                                   # (B, T, u) -> (B, u)
        out = outputs if self.return_sequences else last
        if self.return_state:
            return (out, *states)
        return out

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences else None         # as Keras, also backwards

    # ---- stateful -----------------------------------------------------------------------
    def _carried_states(self, batch):
        if self._states is None:
            return None                                         # zeros, as a fresh layer
        kept = self._states[0].shape[0]
        if batch != kept:
            raise ShapeError(
                f"this stateful {type(self).__name__} keeps states for batches of {kept} "
                f"sequences but received a batch of {batch}.",
                expected=f"batches of {kept}: sample i of each batch continues sample i of "
                         "the last one", fix="feed batches of one size (fit(..., "
                "batch_size=..., shuffle=False) with a sample count it divides), or call "
                "layer.reset_states() to start over.", op=type(self).__name__,
                layer=self.name)
        return [tensor(s) for s in self._states]

    def reset_states(self, states=None):
        """Forget the carried states (the next call starts from zeros), or set them:
        ``states`` as returned by return_state, one (batch, units) array each."""
        if states is None:
            self._states = None
            return
        states = state_arrays(states, self.dtype)
        n = self.n_states
        if len(states) != n or any(s.ndim != 2 or s.shape[1] != self.units for s in states) \
                or len({s.shape for s in states}) != 1:
            raise ShapeError(f"{type(self).__name__} keeps {n} state(s) of shape (batch, "
                             f"{self.units}); received shapes "
                             f"{[s.shape for s in states]}.",
                             expected=f"{n} array(s) of shape (batch, {self.units})",
                             fix="pass what return_state gave, or nothing to start from "
                                 "zeros.", op="reset_states", layer=self.name)
        self._states = states

    reset_state = reset_states                                  # Keras 3's name

    def _op_kwargs(self, zero_output):
        return dict(go_backwards=self.go_backwards,
                    activation=_fused_name(self.activation, "activation"),
                    zero_output_for_mask=zero_output)

    # ---- config -------------------------------------------------------------------------
    def get_config(self):
        return {**super().get_config(), **self._gate_config(),
                "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful,
                "unroll": self.unroll}


class SimpleRNN(_RNN):
    """``h = activation(x @ kernel + h_prev @ recurrent_kernel + bias)`` at every step:
    (batch, time, features) -> (batch, units), or (batch, time, units) with
    return_sequences=True."""

    def _run(self, x, mask, initial_state, zero_output):
        out = ops.simple_rnn(x, self.kernel, self.recurrent_kernel, self.bias,
                             initial_state=initial_state, mask=mask,
                             **self._op_kwargs(zero_output))
        return out, [out[:, -1]]


class LSTM(_RNN):
    """Long short-term memory, Keras 3's LSTM: gates i, f, c, o in the kernels' columns.

    ``i, f, o = recurrent_activation(...)``, ``c = f * c + i * activation(...)``,
    ``h = o * activation(c)``. recurrent_activation is "sigmoid" (Keras 3; Keras 2 and
    TF.js default to "hard_sigmoid"). unit_forget_bias starts the forget gate's bias at 1.
    return_state=True returns ``[output, h, c]``.
    """

    gates = 4
    n_states = 2

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, **kwargs):
        super().__init__(units, activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, dropout, recurrent_dropout,
                         return_sequences, return_state, go_backwards, stateful, unroll,
                         **kwargs)
        self.recurrent_activation = get_activation(self, "recurrent_activation",
                                                   recurrent_activation)
        _fused_name(self.recurrent_activation, "recurrent_activation")
        self.unit_forget_bias = bool(unit_forget_bias)

    def _run(self, x, mask, initial_state, zero_output):
        out = ops.lstm(x, self.kernel, self.recurrent_kernel, self.bias,
                       initial_state=initial_state, mask=mask,
                       recurrent_activation=_fused_name(self.recurrent_activation,
                                                        "recurrent_activation"),
                       return_cell_state=self.return_state or self.stateful,
                       **self._op_kwargs(zero_output))
        if not (self.return_state or self.stateful):
            return out, []
        out, c = out
        return out, [out[:, -1], c]                           # [h, c]

    def get_config(self):
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


def _lstm_bias_init(layer):
    """unit_forget_bias: the forget gate's bias starts at 1, the others as bias_initializer."""
    if not layer.unit_forget_bias:
        return layer.bias_initializer
    u, init = layer.units, layer.bias_initializer
    return lambda shape: numpy.concatenate([numpy.asarray(init((u,))), numpy.ones(u),
                                            numpy.asarray(init((2 * u,)))])


class GRU(_RNN):
    """Gated recurrent unit, Keras 3's GRU: gates z (update), r (reset), h (candidate).

    ``h = z * h_prev + (1 - z) * hh``. reset_after=True (Keras 3's default) applies the
    reset gate after the recurrent matmul and has bias (2, 3*units) [input, recurrent];
    reset_after=False (the only form TF.js runs) has bias (3*units,).
    """

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 **kwargs):
        super().__init__(units, activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, dropout, recurrent_dropout,
                         return_sequences, return_state, go_backwards, stateful, unroll,
                         **kwargs)
        self.recurrent_activation = get_activation(self, "recurrent_activation",
                                                   recurrent_activation)
        _fused_name(self.recurrent_activation, "recurrent_activation")
        self.reset_after = bool(reset_after)

    def _run(self, x, mask, initial_state, zero_output):
        out = ops.gru(x, self.kernel, self.recurrent_kernel, self.bias,
                      initial_state=initial_state, mask=mask, reset_after=self.reset_after,
                      recurrent_activation=_fused_name(self.recurrent_activation,
                                                       "recurrent_activation"),
                      **self._op_kwargs(zero_output))
        return out, [out[:, -1]]

    def get_config(self):
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after}


class Bidirectional(Layer):
    """Run a copy of an RNN forwards and one backwards, and merge their outputs.

    The copies are made from ``layer.get_config()`` and named ``forward_<name>`` and
    ``backward_<name>`` (as Keras); weights are the forward layer's, then the backward's.
    ``backward_layer=`` gives a backward RNN of your own instead (used as it is: it must
    read the other way, and match stateful, return_sequences and return_state).
    merge_mode: "concat" (default), "sum", "ave", "mul", or None for a list of both.
    """

    _MODES = ("concat", "sum", "ave", "mul", None)

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        for arg, value in (("layer", layer), ("backward_layer", backward_layer)):
            if (value is not None or arg == "layer") and not isinstance(value, (_RNN, RNN)):
                raise ValueError("Bidirectional wraps a recurrent layer (SimpleRNN, LSTM, "
                                 f"GRU, RNN), e.g. Bidirectional(layers.LSTM(8)). Received: "
                                 f"{arg}={value!r}")
        if merge_mode not in self._MODES:
            raise ValueError(f"Bidirectional expects merge_mode in {list(self._MODES)}. "
                             f"Received: merge_mode={merge_mode!r}")
        super().__init__(**kwargs)
        base = layer.name.removeprefix("forward_").removeprefix("backward_")
        config = layer.get_config()
        self.forward_layer = type(layer).from_config(
            {**config, "name": "forward_" + base})
        self._own_backward = backward_layer is not None
        if backward_layer is None:
            backward_layer = type(layer).from_config(
                {**config, "name": "backward_" + base, "go_backwards": not layer.go_backwards})
        else:
            _check_backward(layer, backward_layer)
        self.backward_layer = backward_layer
        self._initial_weights = weights                 # set once the weights exist
        for rnn in (self.forward_layer, self.backward_layer):
            rnn.zero_output_for_mask = rnn.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True

    def build(self, input_shape):
        for rnn in (self.forward_layer, self.backward_layer):
            if not rnn.built:
                rnn.build(tuple(input_shape))
                rnn.built = True
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(self, inputs, training=False, mask=None, initial_state=None):
        half = None
        if initial_state is not None:
            half = len(initial_state) // 2
        y = self.forward_layer(inputs, training=training, mask=mask,
                               initial_state=None if half is None else initial_state[:half])
        y_rev = self.backward_layer(inputs, training=training, mask=mask,
                                    initial_state=None if half is None else
                                    initial_state[half:])
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev[:, ::-1]                      # back to input order
        if self.merge_mode == "concat":
            out = ops.concatenate([y, y_rev], axis=-1)  # (..., u) x 2 -> (..., 2u)
        elif self.merge_mode == "sum":
            out = y + y_rev
        elif self.merge_mode == "ave":
            out = (y + y_rev) * 0.5
        elif self.merge_mode == "mul":
            out = y * y_rev
        else:
            out = [y, y_rev]
        if self.return_state:
            return (*out, *states) if isinstance(out, list) else (out, *states)
        return tuple(out) if isinstance(out, list) else out

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences and self.merge_mode is not None else None

    def get_config(self):
        config = {**super().get_config(), "merge_mode": self.merge_mode,
                  "layer": _rnn_config(self.forward_layer)}
        if self._own_backward:
            config["backward_layer"] = _rnn_config(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        layer = _rnn_from(config.pop("layer"))
        backward = config.pop("backward_layer", None)
        return cls(layer, backward_layer=None if backward is None else _rnn_from(backward),
                   **config)


def _rnn_config(rnn):
    return {"class_name": type(rnn).__name__, "config": rnn.get_config()}


def _rnn_from(entry):
    cls = {"SimpleRNN": SimpleRNN, "LSTM": LSTM, "GRU": GRU, "RNN": RNN}.get(
        entry.get("class_name"))
    if cls is None:
        raise ValueError(f"Bidirectional: unknown recurrent layer {entry.get('class_name')!r}. "
                         "Expected SimpleRNN, LSTM, GRU or RNN.")
    return cls.from_config(entry["config"])


def _check_backward(layer, backward):
    """Keras' rule for a given backward layer: the other direction, the same outputs."""
    if backward.go_backwards == layer.go_backwards:
        raise ValueError(f"Bidirectional's backward_layer must read the other way: both it and "
                         f"layer have go_backwards={layer.go_backwards}. Fix: give the backward "
                         f"layer go_backwards={not layer.go_backwards}.")
    for attr in ("stateful", "return_sequences", "return_state"):
        if getattr(backward, attr) != getattr(layer, attr):
            raise ValueError(f"Bidirectional's layer and backward_layer must agree on {attr}: "
                             f"layer has {attr}={getattr(layer, attr)}, backward_layer "
                             f"{attr}={getattr(backward, attr)}.")


# ---- cells: one step of an RNN, for RNN(cell) ---------------------------------------------
class _Cell(_GateWeights, Layer):
    """What SimpleRNNCell, LSTMCell and GRUCell share: Keras' arguments and weights, and
    dropout masks made at an RNN call's first step and kept for its other steps (Keras'
    DropoutRNNCell: the same units are dropped at every step)."""

    gates = 1
    regularized = _RNN.regularized

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        self._gate_arguments(units, activation, use_bias, kernel_initializer,
                             recurrent_initializer, bias_initializer, dropout, recurrent_dropout)
        self.dropout, self.recurrent_dropout = float(dropout), float(recurrent_dropout)
        self.seed = check_seed(self, seed)
        self._rng = numpy.random.default_rng(seed)
        self._masks = {}
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        self._add_gate_weights(input_shape[-1])

    def _dropped(self, x, which, training):
        rate = self.dropout if which == "input" else self.recurrent_dropout
        if not (training and rate) or x.data is None:
            return x
        if which not in self._masks:
            seed = None if self.seed is None else int(self._rng.integers(2**31))
            self._masks[which] = ops.dropout(ones_like(x), rate, seed=seed)
        return x * self._masks[which]

    def reset_dropout_mask(self):
        """Forget this call's dropout masks (RNN does it after each call)."""
        self._masks = {}

    def get_initial_state(self, batch_size=None):
        return [_zeros(batch_size, n, self.dtype) for n in _leaves(self.state_size)]

    def get_config(self):
        return {**super().get_config(), **self._gate_config(), "seed": self.seed}


class SimpleRNNCell(_Cell):
    """One step of SimpleRNN: ``h = activation(x @ kernel + bias + h_prev @ recurrent_kernel)``;
    (batch, features) and [(batch, units)] -> (batch, units), [(batch, units)]."""

    def call(self, inputs, states, training=False):
        listed = isinstance(states, (list, tuple))
        h_prev = states[0] if listed else states
        h = ops.matmul(self._dropped(inputs, "input", training), self.kernel)
        if self.bias is not None:
            h = h + self.bias
        h_prev = self._dropped(h_prev, "recurrent", training)
        output = self.activation(h + ops.matmul(h_prev, self.recurrent_kernel))
        return output, [output] if listed else output


class LSTMCell(_Cell):
    """One step of LSTM: states [h, c], gates i, f, c, o in the kernels' columns.

    ``i, f, o = recurrent_activation(z)``, ``c = f * c_prev + i * activation(z_c)``,
    ``h = o * activation(c)``; returns ``h, [h, c]``.
    """

    gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(units, activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, dropout, recurrent_dropout,
                         seed, **kwargs)
        self.recurrent_activation = get_activation(self, "recurrent_activation",
                                                   recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [self.units, self.units]

    def call(self, inputs, states, training=False):
        h_prev, c_prev = states[0], states[1]
        z = ops.matmul(self._dropped(inputs, "input", training), self.kernel)
        z = z + ops.matmul(self._dropped(h_prev, "recurrent", training),
                           self.recurrent_kernel)
        if self.bias is not None:
            z = z + self.bias
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=1)          # (B, 4u) -> 4 x (B, u)
        act, ract = self.activation, self.recurrent_activation
        c = ract(z_f) * c_prev + ract(z_i) * act(z_c)
        h = ract(z_o) * act(c)
        return h, [h, c]

    def get_config(self):
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


class GRUCell(_Cell):
    """One step of GRU: gates z (update), r (reset), h (candidate);
    ``h = z * h_prev + (1 - z) * hh``. reset_after=True (Keras 3's default) has bias
    (2, 3*units) [input, recurrent] and applies r after the recurrent matmul."""

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", dropout=0.0,
                 recurrent_dropout=0.0, reset_after=True, seed=None, **kwargs):
        super().__init__(units, activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, dropout, recurrent_dropout,
                         seed, **kwargs)
        self.recurrent_activation = get_activation(self, "recurrent_activation",
                                                   recurrent_activation)
        self.reset_after = bool(reset_after)

    def call(self, inputs, states, training=False):
        listed = isinstance(states, (list, tuple))
        h_prev = states[0] if listed else states
        u, rk = self.units, self.recurrent_kernel
        h_rec = self._dropped(h_prev, "recurrent", training)
        x = ops.matmul(self._dropped(inputs, "input", training), self.kernel)   # (B, 3u)
        if self.bias is not None:
            x = x + (self.bias[0] if self.reset_after else self.bias)
        x_z, x_r, x_h = ops.split(x, 3, axis=-1)
        if self.reset_after:
            inner = ops.matmul(h_rec, rk)                                       # (B, 3u)
            if self.bias is not None:
                inner = inner + self.bias[1]
        else:
            inner = ops.matmul(h_rec, rk[:, :2 * u])                            # (B, 2u)
        z = self.recurrent_activation(x_z + inner[:, :u])
        r = self.recurrent_activation(x_r + inner[:, u:2 * u])
        if self.reset_after:
            rec_h = r * inner[:, 2 * u:]
        else:
            rec_h = ops.matmul(r * h_rec, rk[:, 2 * u:])
        h = z * h_prev + (1 - z) * self.activation(x_h + rec_h)
        return h, [h] if listed else h

    def get_config(self):
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after}


class StackedRNNCells(Layer):
    """Cells run one after another at each step, as one cell: each cell's output is the
    next one's input. ``state_size`` lists each cell's; the output is the last cell's."""

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(cells, (list, tuple)) or not cells:
            raise ValueError("StackedRNNCells expects a list of cells, e.g. "
                             f"[LSTMCell(8), LSTMCell(8)]. Received: cells={cells!r:.80}")
        for cell in cells:
            _check_cell(cell, "StackedRNNCells")
        self.cells = list(cells)

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        return _output_size(self.cells[-1])

    def get_initial_state(self, batch_size=None):
        out = []
        for cell in self.cells:
            get = getattr(cell, "get_initial_state", None)
            states = get(batch_size=batch_size) if get else \
                [_zeros(batch_size, n, self.dtype) for n in _leaves(cell.state_size)]
            out.append(states if isinstance(cell.state_size, (list, tuple)) else
                       _first(states))
        return out

    def build(self, input_shape):
        for cell in self.cells:                       # (B, in) -> (B, out) -> next cell
            if isinstance(cell, Layer) and not cell.built:
                with layer_scope(cell.name):
                    cell.build(tuple(input_shape))
            input_shape = (input_shape[0], _output_size(cell))

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            listed = isinstance(cell_states, (list, tuple))
            inputs, cell_new = _call_cell(cell, inputs, list(cell_states) if listed
                                          else [cell_states], training)
            if not isinstance(cell_new, (list, tuple)):
                cell_new = [cell_new]
            new_states.append(list(cell_new) if listed else _first(cell_new))
        return inputs, new_states

    def reset_dropout_mask(self):
        for cell in self.cells:
            getattr(cell, "reset_dropout_mask", lambda: None)()

    def get_config(self):
        return {**super().get_config(), "cells": [_cell_config(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        return cls([_cell_from(c) for c in config.pop("cells")], **config)


def _first(states):
    return states[0] if isinstance(states, (list, tuple)) else states


def state_arrays(states, dtype):
    """The states given to reset_states as NumPy arrays of `dtype`: one array or tensor, or
    a (nested) list of them, flattened in order."""
    given = states if isinstance(states, (list, tuple)) else [states]
    return [numpy.asarray(s.numpy() if isinstance(s, Tensor) else s, dtype=dtype)
            for s in _leaves(given)]


def _leaves(structure):
    """Flatten nested lists: [[h1, c1], h2] -> [h1, c1, h2] (also for state sizes)."""
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in _leaves(item)]
    return [structure]


def _pack(structure, leaves):
    """_leaves undone: `leaves` (an iterator) put back in `structure`'s nesting."""
    if isinstance(structure, (list, tuple)):
        return [_pack(item, leaves) for item in structure]
    return next(leaves)


def _zeros(batch, n, dtype):
    """A zero state (batch, n); symbolic while the batch is unknown (shapes only)."""
    return symbolic((None, n), dtype=dtype) if batch is None else zeros((batch, n), dtype)


def _output_size(cell):
    size = getattr(cell, "output_size", None)
    return size if size is not None else _leaves(cell.state_size)[0]


def _check_cell(cell, who):
    """A cell is anything with call(inputs, states) and state_size (int or list of ints)."""
    kind = type(cell).__name__
    if not callable(getattr(cell, "call", None)):
        raise ValueError(f"{who} expects a cell with a call(inputs, states) method; {kind} has "
                         f"none. Received: cell={cell!r:.80}. Fix: pass a cell such as "
                         "layers.LSTMCell(8), or write a Layer subclass with call(inputs, "
                         "states) returning (output, new_states).")
    size = getattr(cell, "state_size", None)
    if size is None:
        raise ValueError(
            f"{who}: the cell {kind} has no state_size, so the RNN cannot make its first "
            "states. Fix: set self.state_size in the cell's __init__: an int (one state of "
            "shape (batch, state_size)) or a list of ints (one per state, as LSTMCell's "
            "[units, units]).")
    for n in _leaves(size):
        if not isinstance(n, (int, numpy.integer)) or isinstance(n, bool) or n <= 0:
            raise ValueError(f"{who}: the cell {kind} has state_size={size!r}; expected a "
                             "positive int or a list of them (one per state).")


@functools.lru_cache(maxsize=None)
def _takes_training(call):
    try:
        return "training" in inspect.signature(call).parameters
    except (TypeError, ValueError):
        return False


def _call_cell(cell, x, states, training):
    """cell.call(x, states) inside the cell's scope (its ops are recorded as the cell's),
    with training= when the cell's call takes it."""
    kwargs = {"training": training} if _takes_training(getattr(cell.call, "__func__",
                                                               cell.call)) else {}
    with layer_scope(getattr(cell, "name", type(cell).__name__)):
        return cell.call(x, states, **kwargs)


def _describe(value):
    if isinstance(value, Tensor):
        return f"one tensor of shape {format_shape(value.shape)}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}: " + \
            ", ".join(_describe(v) if isinstance(v, Tensor) else type(v).__name__
                      for v in value)
    return f"{type(value).__name__} {value!r:.60}"


def _cell_config(cell):
    return {"class_name": type(cell).__name__, "config": cell.get_config()}


_CELLS = {}                        # filled below: the cells a config may name


def _cell_from(entry):
    cls = _CELLS.get(entry.get("class_name"))
    if cls is None:
        raise ValueError(
            f"the cell class {entry.get('class_name')!r} is not one of tensorkit's cells "
            f"({', '.join(sorted(_CELLS))}): a saved model holds configs, never code, so "
            "only built-in cells can be rebuilt from one. Fix: for a cell of your own, "
            "rebuild the model in code and use model.save_weights(path) / "
            "model.load_weights(path).")
    return cls.from_config(entry["config"])


class RNN(Layer):
    """Run a cell over time: ``RNN(LSTMCell(8))`` is ``LSTM(8)`` computed step by step.

    At every step t: ``output, states = cell.call(x[:, t], states)``, starting from
    initial_state= (or zeros of the cell's state_size). A cell is any object with
    ``state_size`` (an int, or a list: one per state) and ``call(inputs, states)``
    returning ``(output, new_states)``; a list of cells runs as StackedRNNCells.
    (batch, time, features) -> (batch, output_size), or (batch, time, output_size) with
    return_sequences=True; return_state=True adds the final states (a stack of cells
    gives all its cells' states one after another, not nested).

    Masked steps (Embedding(mask_zero=True), Masking) keep the previous states, and output
    the first state (or zeros with zero_output_for_mask=True), as Keras (JAX). unroll is
    accepted for Keras code: the loop is unrolled either way.
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        _check_cell(cell, "RNN")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self._states = None            # stateful: the last call's final states (arrays)
        self._features = None

    @property
    def state_size(self):
        size = self.cell.state_size
        return list(size) if isinstance(size, (list, tuple)) else [size]

    def _check_rank(self, shape):
        if len(shape) != 3:
            raise ShapeError(
                f"RNN received an input of rank {len(shape)}, shape {format_shape(shape)}.",
                expected="a 3-D input (batch, time, features): the cell gets (batch, "
                         "features) at each step",
                fix=_RANK_FIX + "; a single sequence needs a batch axis: x[None].",
                op="RNN", shapes=(tuple(shape),), layer=self.name)

    def _check_input(self, shape):
        self._check_rank(shape)
        if self._features is not None and shape[-1] != self._features:
            raise ShapeError(
                f"built for {self._features} features per step but received {shape[-1]} "
                f"(input shape {format_shape(shape)}).",
                expected=f"(batch, time, {self._features})", fix="feed sequences with the "
                "features the layer was built for, or make a new layer.", op="RNN",
                shapes=(tuple(shape),), layer=self.name)

    def build(self, input_shape):
        self._check_rank(input_shape)
        if isinstance(self.cell, Layer) and not self.cell.built:
            with layer_scope(self.cell.name):
                self.cell.build((input_shape[0],) + tuple(input_shape[2:]))   # one step
        self._features = input_shape[-1]

    # ---- call ---------------------------------------------------------------------------
    def call(self, sequences, initial_state=None, mask=None, training=False):
        self._check_rank(sequences.shape)
        batch, steps = sequences.shape[:2]
        if self.unroll and steps is None:
            raise ValueError("Cannot unroll an RNN whose number of timesteps is unknown. "
                             "Fix: give the Input its length, e.g. tk.Input(shape=(20, 8)), "
                             "or use unroll=False.")
        carry = self.stateful and sequences.data is not None
        states = self._initial_states(sequences, initial_state, carry)
        if mask is not None:
            mask = mask if isinstance(mask, Tensor) else tensor(mask)
            if mask.dtype != numpy.bool_:
                mask = ops.cast(mask, "bool")
        # A symbolic input of unknown length: one step gives every shape
        order = [0] if steps is None else \
            range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        outputs = []
        try:
            for t in order:
                out, new = self._step(sequences[:, t], states, training, first=not outputs)
                if mask is not None:
                    out, new = self._masked(mask[:, t], out, new, states, outputs)
                states = new
                outputs.append(out)
        finally:
            getattr(self.cell, "reset_dropout_mask", lambda: None)()
        final = _leaves(states)
        if carry:                      # plain arrays: no gradient into the previous batch
            self._states = [s.data.copy() for s in final]
        if not self.return_sequences:
            out = outputs[-1]
        elif steps is None:            # (B, U) -> (B, T, U), T known once data comes
            out = ops.unflatten(outputs[0], sequences, axes=2)
        else:
            out = ops.stack(outputs, axis=1)                    # T x (B, U) -> (B, T, U)
        return (out, *final) if self.return_state else out

    def _step(self, x, states, training, first):
        result = _call_cell(self.cell, x, states, training)
        kind = type(self.cell).__name__
        if not isinstance(result, (tuple, list)) or len(result) != 2 or \
                not isinstance(result[0], Tensor):
            raise ValueError(
                f"RNN: {kind}.call must return (output, new_states): a tensor (batch, "
                f"output_size) and the list of new states. Received: {_describe(result)}. "
                "Fix: end call with `return output, [new_state]`.")
        out, new = result
        if not isinstance(new, (list, tuple)):
            new = [new]
        old_leaves, new_leaves = _leaves(states), _leaves(new)
        if len(new_leaves) != len(old_leaves) or \
                not all(isinstance(s, Tensor) for s in new_leaves):
            raise ValueError(
                f"RNN: {kind}.call returned {len(new_leaves)} new state(s) "
                f"{[type(s).__name__ for s in new_leaves]}, but its state_size "
                f"{self.cell.state_size!r} asks for {len(old_leaves)} tensor(s). Fix: "
                "return one new state per entry of state_size, in the same order.")
        if first:
            for i, (o, n) in enumerate(zip(old_leaves, new_leaves)):
                if tuple(o.shape) != tuple(n.shape):
                    raise ShapeError(
                        f"{kind}.call returned new state {i} of shape "
                        f"{format_shape(n.shape)}, but its state_size "
                        f"{self.cell.state_size!r} makes that state "
                        f"{format_shape(o.shape)}.",
                        expected=f"new states shaped as the states in: "
                                 f"{[format_shape(s.shape) for s in old_leaves]}",
                        fix="make state_size say the size of each state your call returns "
                            "(e.g. self.state_size = units for a (batch, units) state).",
                        op="RNN", layer=self.name)
        return out, _pack(states, iter(new_leaves))

    def _masked(self, keep, out, new, states, outputs):
        """Keras' masked step: the states stay; the output is the first state (of the last
        cell, for a stack), or zeros with zero_output_for_mask."""
        keep = ops.expand_dims(keep, -1)                        # (B,) -> (B, 1)
        old = _leaves(states)
        new = _pack(states, iter([ops.where(keep, n, o) for n, o in zip(_leaves(new), old)]))
        held = _leaves(states[-1])[0] if isinstance(states[0], list) else old[0]
        if self.zero_output_for_mask or tuple(held.shape) != tuple(out.shape):
            held = outputs[-1] if outputs and not self.zero_output_for_mask else out * 0.0
        return ops.where(keep, out, held), new

    def _initial_states(self, x, given, carry):
        """The states of step 0, nested as state_size: given, carried or zeros."""
        batch, sizes = x.shape[0], self.state_size
        if given is None and carry and self._states is not None:
            kept = self._states[0].shape[0]
            if batch != kept:
                raise ShapeError(
                    f"this stateful RNN keeps states for batches of {kept} sequences but "
                    f"received a batch of {batch}.", expected=f"batches of {kept}",
                    fix="feed batches of one size, or call layer.reset_states() to start "
                        "over.", op="RNN", layer=self.name)
            given = [tensor(s) for s in self._states]
        if given is None:
            get = getattr(self.cell, "get_initial_state", None)
            given = get(batch_size=batch) if get else \
                [_zeros(batch, n, x.dtype) for n in _leaves(sizes)]
        leaves = [s if isinstance(s, Tensor) else tensor(s, dtype=x.dtype)
                  for s in _leaves(given if isinstance(given, (list, tuple)) else [given])]
        want = [(batch, n) for n in _leaves(sizes)]
        if len(leaves) != len(want) or any(
                len(s.shape) != 2 or s.shape[1] != w[1] or
                (None not in (s.shape[0], batch) and s.shape[0] != batch)
                for s, w in zip(leaves, want)):
            raise ShapeError(
                f"RNN received initial states of shapes "
                f"{[format_shape(s.shape) for s in leaves]}, but the cell's state_size "
                f"{self.cell.state_size!r} needs {[format_shape(w) for w in want]}.",
                expected=f"{len(want)} state(s) of shapes {[format_shape(w) for w in want]}",
                fix="pass one (batch, size) tensor per state, in the order of state_size "
                    "(LSTMCell: [h, c]).", op="RNN", layer=self.name)
        return _pack(sizes, iter(leaves))

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences else None

    def reset_states(self, states=None):
        """Forget the carried states (stateful=True), or set them: one array per state."""
        if states is None:
            self._states = None
            return
        states = state_arrays(states, self.dtype)
        sizes = _leaves(self.state_size)
        if len(states) != len(sizes) or any(s.ndim != 2 or s.shape[1] != n
                                            for s, n in zip(states, sizes)):
            raise ShapeError(f"this RNN keeps states of sizes {sizes}; received shapes "
                             f"{[s.shape for s in states]}.",
                             expected=f"one (batch, n) array for each n in {sizes}",
                             fix="pass what return_state gave, or nothing to start from "
                                 "zeros.", op="reset_states", layer=self.name)
        self._states = states

    reset_state = reset_states

    # ---- config -------------------------------------------------------------------------
    def get_config(self):
        return {**super().get_config(), "cell": _cell_config(self.cell),
                "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful,
                "unroll": self.unroll, "zero_output_for_mask": self.zero_output_for_mask}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        return cls(_cell_from(config.pop("cell")), **config)


_CELLS.update(SimpleRNNCell=SimpleRNNCell, LSTMCell=LSTMCell, GRUCell=GRUCell,
              StackedRNNCells=StackedRNNCells)
