"""Recurrent layers: SimpleRNN, LSTM, GRU and the Bidirectional wrapper, as in Keras 3.

Each layer runs one fused op over the whole sequence (tk.ops.lstm, gru, simple_rnn), so
its graph is one node (B, T, in) -> (B, T, units); return_sequences=False takes the last
step's output from it. Weights, names, shapes, defaults and get_weights() order are
Keras 3's: kernel (in, G*units), recurrent_kernel (units, G*units), bias; G = 4 for LSTM
(gates i, f, c, o), 3 for GRU (z, r, h), 1 for SimpleRNN.
"""

import numpy

from .. import activations, initializers, ops
from ..errors import ShapeError, format_shape
from ..tensor import Tensor, tensor
from .base import Layer
from .core import _positive_int

__all__ = ["SimpleRNN", "LSTM", "GRU", "Bidirectional"]

_RANK_FIX = ("RNNs take (batch, time, features): add an Embedding for token ids, or "
             "x[..., None] for one feature per step")


def _fused_name(fn, what):
    """The name the fused ops know an activation by (they take tanh, sigmoid, ... only)."""
    name = activations.serialize(fn)
    if name not in ops.recurrent.ACTIVATIONS:
        raise ValueError(f"recurrent layers support {what} in "
                         f"{sorted(ops.recurrent.ACTIVATIONS)}. Received: {what}={name!r}")
    return name


class _RNN(Layer):
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
        self.units = _positive_int(cls, "units", units)
        self.activation = activations.get(activation)
        _fused_name(self.activation, "activation")
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        for name, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not isinstance(rate, (int, float)) or not 0 <= rate < 1:
                raise ValueError(f"{cls} expects {name} in [0, 1). Received: {name}={rate!r}")
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
        g = self.gates * self.units
        self.kernel = self.add_weight("kernel", (input_shape[-1], g), self.kernel_initializer)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, g),
                                                self.recurrent_initializer)
        self.bias = self.add_weight("bias", self._bias_shape(), self._bias_init()) \
            if self.use_bias else None

    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_init(self):
        return self.bias_initializer

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
        states = [numpy.asarray(s.numpy() if isinstance(s, Tensor) else s, dtype=self.dtype)
                  for s in (states if isinstance(states, (list, tuple)) else [states])]
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
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.name_of(self.kernel_initializer),
                "recurrent_initializer": initializers.name_of(self.recurrent_initializer),
                "bias_initializer": initializers.name_of(self.bias_initializer),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
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
        self.recurrent_activation = activations.get(recurrent_activation)
        _fused_name(self.recurrent_activation, "recurrent_activation")
        self.unit_forget_bias = bool(unit_forget_bias)

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        u, init = self.units, self.bias_initializer
        return lambda shape: numpy.concatenate([numpy.asarray(init((u,))), numpy.ones(u),
                                                numpy.asarray(init((2 * u,)))])

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
        self.recurrent_activation = activations.get(recurrent_activation)
        _fused_name(self.recurrent_activation, "recurrent_activation")
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

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
            if value is not None and not isinstance(value, _RNN):
                raise ValueError("Bidirectional wraps a recurrent layer (SimpleRNN, LSTM, "
                                 f"GRU). Received: {arg}={value!r}")
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
    cls = {"SimpleRNN": SimpleRNN, "LSTM": LSTM, "GRU": GRU}.get(entry.get("class_name"))
    if cls is None:
        raise ValueError(f"Bidirectional: unknown recurrent layer {entry.get('class_name')!r}. "
                         "Expected SimpleRNN, LSTM or GRU.")
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
