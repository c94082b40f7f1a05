"""Convolutional LSTMs: ConvLSTM1D, ConvLSTM2D and ConvLSTM3D, as Keras 3.

An LSTM whose input and recurrent transformations are convolutions: each step's input is
a sequence, an image or a volume, and the states h and c are feature maps.
(batch, time, *spatial, channels) -> (batch, *spatial', filters), or
(batch, time, *spatial', filters) with return_sequences=True; spatial' is what a Conv of
the same kernel_size, strides, padding and dilation_rate makes of spatial. The recurrent
convolution of h always runs with strides 1 and padding "same", so the states keep that
size from step to step.

Weights, names and get_weights() order are Keras 3's: kernel (*kernel_size, channels,
4 * filters), recurrent_kernel (*kernel_size, filters, 4 * filters), bias (4 * filters,),
with the gates i, f, c, o along the last axis. One step (``_step``, Keras's
ConvLSTMCell.call):

    z = conv(x_t, kernel) + conv(h, recurrent_kernel, padding="same") + bias
    c = recurrent_activation(z_f) * c + recurrent_activation(z_i) * activation(z_c)
    h = recurrent_activation(z_o) * activation(c)

The loop over time runs in Python (as RNN(cell)), so the graph shows every step and the
gradients come from the convolution ops' own. Masked steps keep the states and output the
last h (zeros with zero_output_for_mask=True), as Keras's RNN.
"""

import numpy

from .. import activations, initializers, ops
from ..creation import ones_like, zeros
from ..errors import ShapeError, format_shape
from ..ops.conv import conv_shape
from ..tensor import Tensor, symbolic, tensor
from .base import Layer, check_seed, get_activation, get_initializer
from .convolutional import LAYOUTS, check_data_format, check_padding, check_shape, int_tuple
from .core import _positive_int
from .recurrent import state_arrays

__all__ = ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"]


class _ConvLSTM(Layer):
    """What ConvLSTM1D, 2D and 3D share: everything but the rank of the convolutions."""

    rank = None                     # spatial axes of each step: 1, 2 or 3
    op = None                       # "conv1d", "conv2d" or "conv3d"
    regularized = {"kernel_regularizer": "kernel", "recurrent_regularizer": "recurrent_kernel",
                   "bias_regularizer": "bias"}

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        super().__init__(**kwargs)
        kind, n = type(self).__name__, self.rank
        self.filters = _positive_int(kind, "filters", filters)
        self.kernel_size = int_tuple(kind, "kernel_size", kernel_size, n)
        self.strides = int_tuple(kind, "strides", strides, n)
        self.padding = check_padding(kind, padding)
        self.data_format = _data_format(kind, data_format, n)
        self.dilation_rate = int_tuple(kind, "dilation_rate", dilation_rate, n)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{kind} cannot combine strides > 1 with dilation_rate > 1 (nor "
                             f"can Keras). Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}. Fix: strides=1 or "
                             "dilation_rate=1.")
        self.activation = get_activation(self, "activation", activation)
        self.recurrent_activation = get_activation(self, "recurrent_activation",
                                                   recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = get_initializer(self, "kernel_initializer", kernel_initializer)
        self.recurrent_initializer = get_initializer(self, "recurrent_initializer",
                                                     recurrent_initializer)
        self.bias_initializer = get_initializer(self, "bias_initializer", bias_initializer)
        self.unit_forget_bias = bool(unit_forget_bias)
        for name, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
                raise ValueError(f"{kind} expects {name} in [0, 1). Received: {name}={rate!r}. "
                                 f"Fix: {name}=0.2 drops a fifth of the values.")
        self.dropout, self.recurrent_dropout = float(dropout), float(recurrent_dropout)
        self.seed = check_seed(self, seed)
        self._rng = numpy.random.default_rng(seed)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)      # each call starts from the last call's states
        self.unroll = bool(unroll)          # Keras's unrolled graph: the loop is unrolled here
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self._states = None                 # stateful: the last call's [h, c] (arrays)

    # ---- shapes and weights -------------------------------------------------------------
    def _check_rank(self, shape):
        layout = "(batch, time, " + LAYOUTS[self.rank][len("(batch, "):]
        if len(shape) == self.rank + 3:
            return
        kind = type(self).__name__
        if len(shape) == self.rank + 2:
            fix = (f"one step is {LAYOUTS[self.rank]}: a batch of sequences needs the time "
                   f"axis too. For one sequence add the batch axis: x[None]; for single "
                   f"{'steps' if self.rank == 1 else 'images' if self.rank == 2 else 'volumes'}"
                   f" use Conv{self.rank}D, or make each a sequence of one step: x[:, None].")
        else:
            fix = f"reshape the data to {layout}."
        raise ShapeError(f"{kind} received an input of rank {len(shape)}, shape "
                         f"{format_shape(shape)}.", expected=f"a {self.rank + 3}-D input "
                         f"{layout}", fix=fix, op=kind, shapes=(tuple(shape),),
                         layer=self.name)

    def _state_shape(self, input_shape):
        """(B, T, *S, C) -> (B, *S', filters): the shape of h and c, and of each output step."""
        step = (input_shape[0],) + tuple(input_shape[2:])
        kernel = self.kernel_size + (input_shape[-1], 4 * self.filters)
        out = check_shape(self, self.op, conv_shape, (step, kernel), strides=self.strides,
                          padding=self.padding, dilation_rate=self.dilation_rate)
        return out[:-1] + (self.filters,)

    def build(self, input_shape):
        self._check_rank(input_shape)
        channels = input_shape[-1]
        if channels is None:
            raise ShapeError(f"the channel axis (the last) of the input "
                             f"{format_shape(input_shape)} is unknown, so the kernel cannot "
                             "be made.", expected="a known number of channels",
                             fix="give the Input its channels, e.g. tk.Input(shape=(10, " +
                                 "32, " * self.rank + "1)).", op=type(self).__name__,
                             shapes=(tuple(input_shape),), layer=self.name)
        self._state_shape(input_shape)                  # the kernel fits the steps
        gates = 4 * self.filters
        self.kernel = self.add_weight("kernel", self.kernel_size + (channels, gates),
                                      self.kernel_initializer)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", self.kernel_size + (self.filters, gates),
            self.recurrent_initializer)
        self.bias = self.add_weight("bias", (gates,), self._bias_init()) \
            if self.use_bias else None

    def _bias_init(self):
        """unit_forget_bias: the forget gate's bias starts at 1, the others as
        bias_initializer."""
        if not self.unit_forget_bias:
            return self.bias_initializer
        f, init = self.filters, self.bias_initializer
        return lambda shape: numpy.concatenate([numpy.asarray(init((f,))), numpy.ones(f),
                                                numpy.asarray(init((2 * f,)))])

    def _check_input(self, shape):
        """Any batch, length and spatial size; rank and channels as built."""
        self._check_rank(shape)
        built = self.kernel.shape[-2]
        if shape[-1] != built:
            raise ShapeError(
                f"built for {built} channels per step but received {shape[-1]} (input shape "
                f"{format_shape(shape)}).", expected=f"(batch, time, ..., {built})",
                fix="feed sequences with the channels the layer was built for, or make a "
                    "new layer.", op=type(self).__name__, shapes=(tuple(shape),),
                layer=self.name)

    # ---- one step ---------------------------------------------------------------------------
    def _step(self, x, h, c, masks):
        """One step of the cell: x (B, *S, C), h and c (B, *S', F) -> the new h and c."""
        z = self._gate_convs(x, self.kernel, masks[0], strides=self.strides,
                             padding=self.padding, dilation_rate=self.dilation_rate)
        z = z + self._gate_convs(h, self.recurrent_kernel, masks[1], padding="same")
        if self.bias is not None:
            z = z + self.bias
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)      # (B, *S', 4F) -> 4 x (B, *S', F)
        act, ract = self.activation, self.recurrent_activation
        c = ract(z_f) * c + ract(z_i) * act(z_c)
        h = ract(z_o) * act(c)
        return h, c

    def _gate_convs(self, x, kernel, masks, **conv):
        """The four gates' convolutions at once: (B, *S, C) -> (B, *S', 4F). Under dropout
        each gate sees x through its own mask (as Keras), so it takes four convolutions."""
        conv_nd = getattr(ops, self.op)
        if masks is None:
            return conv_nd(x, kernel, **conv)
        kernels = ops.split(kernel, 4, axis=-1)
        return ops.concatenate([conv_nd(x * m, k, **conv) for m, k in zip(masks, kernels)],
                               axis=-1)

    # ---- the loop over time ---------------------------------------------------------------
    def call(self, inputs, training=False, mask=None, initial_state=None):
        steps = inputs.shape[1]
        carry = self.stateful and inputs.data is not None
        h, c = self._initial_states(inputs, initial_state, carry)
        masks = (self._dropout_masks(inputs[:, 0], self.dropout, training),
                 self._dropout_masks(h, self.recurrent_dropout, training))
        if mask is not None:
            mask = mask if isinstance(mask, Tensor) else tensor(mask)
            if mask.dtype != numpy.bool_:
                mask = ops.cast(mask, "bool")
        # A symbolic input of unknown length: one step gives every shape
        order = [0] if steps is None else \
            range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        outputs = []
        for t in order:
            new_h, new_c = self._step(inputs[:, t], h, c, masks)
            if mask is None:
                out, h, c = new_h, new_h, new_c
            else:                                      # (B,) -> (B, 1, ..., 1)
                keep = ops.reshape(mask[:, t], (-1,) + (1,) * (self.rank + 1))
                out = ops.where(keep, new_h, new_h * 0.0 if self.zero_output_for_mask else h)
                h, c = ops.where(keep, new_h, h), ops.where(keep, new_c, c)
            outputs.append(out)
        if carry:                       # plain arrays: no gradient into the previous batch
            self._states = [h.data.copy(), c.data.copy()]
        if not self.return_sequences:
            out = outputs[-1]
        elif steps is None:             # (B, *S', F) -> (B, T, *S', F), T known once data comes
            out = ops.unflatten(outputs[0], inputs, axes=2)
        else:
            out = ops.stack(outputs, axis=1)                # T x (B, *S', F) -> (B, T, *S', F)
        return (out, h, c) if self.return_state else out

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences else None

    def _dropout_masks(self, like, rate, training):
        """Keras's four dropout masks (one a gate), kept for every step of this call."""
        if not (training and rate) or like.data is None:
            return None
        return [ops.dropout(ones_like(like), rate,
                            seed=None if self.seed is None else int(self._rng.integers(2**31)))
                for _ in range(4)]

    # ---- states -------------------------------------------------------------------------------
    def _initial_states(self, inputs, given, carry):
        """[h, c] of step 0: given, carried over (stateful) or zeros."""
        shape = self._state_shape(inputs.shape)
        if given is None and carry and self._states is not None:
            kept = self._states[0].shape[0]
            if shape[0] != kept:
                raise ShapeError(
                    f"this stateful layer keeps states for batches of {kept} sequences but "
                    f"received a batch of {shape[0]}.",
                    expected=f"batches of {kept}: sample i of each batch continues sample i "
                             "of the last one",
                    fix="feed batches of one size (fit(..., batch_size=..., shuffle=False) "
                        "with a sample count it divides), or call layer.reset_states() to "
                        "start over.", op=type(self).__name__, layer=self.name)
            given = self._states
        if given is None:
            if shape[0] is None or None in shape:
                return [symbolic(shape, dtype=inputs.dtype)] * 2
            return [zeros(shape, inputs.dtype)] * 2
        states = [s if isinstance(s, Tensor) else tensor(s, dtype=inputs.dtype)
                  for s in (given if isinstance(given, (list, tuple)) else [given])]
        if len(states) != 2 or any(not _fits(s.shape, shape) for s in states):
            raise ShapeError(
                f"received initial states of shapes "
                f"{', '.join(format_shape(s.shape) for s in states)}, but its states h and c "
                f"are {format_shape(shape)} each.", expected=f"[h, c], two tensors of shape "
                f"{format_shape(shape)}", fix="pass initial_state=[h, c] as return_state "
                "gives them (each of the shape of one output step).", op=type(self).__name__,
                layer=self.name)
        return states

    def reset_states(self, states=None):
        """Forget the carried states (the next call starts from zeros), or set them:
        ``[h, c]`` as return_state gives them."""
        if states is None:
            self._states = None
            return
        states = state_arrays(states, self.dtype)
        if len(states) != 2 or states[0].shape != states[1].shape or \
                states[0].ndim != self.rank + 2 or states[0].shape[-1] != self.filters:
            raise ShapeError(f"{type(self).__name__} keeps 2 states [h, c] of shape "
                             f"(batch, *spatial, {self.filters}); received shapes "
                             f"{[s.shape for s in states]}.",
                             expected=f"2 arrays of one shape (batch, *spatial, {self.filters})",
                             fix="pass what return_state gave, or nothing to start from "
                                 "zeros.", op="reset_states", layer=self.name)
        self._states = states

    reset_state = reset_states                                  # Keras 3's name

    # ---- config -----------------------------------------------------------------------------
    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.name_of(self.kernel_initializer),
                "recurrent_initializer": initializers.name_of(self.recurrent_initializer),
                "bias_initializer": initializers.name_of(self.bias_initializer),
                "unit_forget_bias": self.unit_forget_bias, "dropout": self.dropout,
                "recurrent_dropout": self.recurrent_dropout, "seed": self.seed,
                "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful,
                "unroll": self.unroll, "zero_output_for_mask": self.zero_output_for_mask}


def _data_format(layer, data_format, rank):
    """channels_last only, as check_data_format; the transpose that fixes channels_first
    data keeps the time axis second."""
    if isinstance(data_format, str) and data_format.lower() == "channels_first":
        order = (0, 1) + tuple(range(3, rank + 3)) + (2,)
        raise ValueError(f"{layer} supports only data_format='channels_last' (batch, time, "
                         f"..., channels), as TensorFlow.js. Received: data_format="
                         f"{data_format!r}. Fix: leave data_format out and move the channels "
                         f"last with tk.transpose(x, {order}).")
    return check_data_format(layer, data_format, rank)


def _fits(got, want):
    """Shapes that agree wherever both are known."""
    return len(got) == len(want) and all(a is None or b is None or a == b
                                         for a, b in zip(got, want))


class ConvLSTM1D(_ConvLSTM):
    """An LSTM over sequences of sequences (a spectrogram's frames, a sensor array over
    time), with 1-D convolutions: (batch, time, steps, channels) -> (batch, new_steps,
    filters). Kernel (k, channels, 4 * filters)."""

    rank, op = 1, "conv1d"


class ConvLSTM2D(_ConvLSTM):
    """An LSTM over image sequences (video frames, weather maps), with 2-D convolutions:
    (batch, time, H, W, channels) -> (batch, OH, OW, filters), or (batch, time, OH, OW,
    filters) with return_sequences=True. Kernel (kh, kw, channels, 4 * filters)."""

    rank, op = 2, "conv2d"


class ConvLSTM3D(_ConvLSTM):
    """An LSTM over sequences of volumes, with 3-D convolutions: (batch, time, D, H, W,
    channels) -> (batch, OD, OH, OW, filters). Kernel (kd, kh, kw, channels,
    4 * filters)."""

    rank, op = 3, "conv3d"
