"""Convolution layers: Conv1D, Conv2D, Conv2DTranspose, channels last as Keras and TF.js.

Kernels are Keras's: Conv1D (k, in, filters), Conv2D (kh, kw, in, filters), and
Conv2DTranspose (kh, kw, filters, in), since it is the gradient of a Conv2D going from
`filters` channels back to `in`. `build` checks the input against the op's shape rule
before any weight exists, so an input of the wrong rank (an image without its batch or
channel axis) leaves the layer unbuilt and the learner can call it again on fixed data.
"""

import operator

from .. import activations, initializers, ops
from ..errors import ShapeError, format_shape
from ..ops.conv import conv_shape, conv_transpose_shape
from .base import Layer
from .core import _positive_int

__all__ = ["Conv1D", "Conv2D", "Conv2DTranspose"]


# ---- argument checks shared by the spatial layers (pooling and reshaping use them too) ------

def int_tuple(layer, name, value, n, low=1):
    """An int or n ints as a tuple of n ints >= low, or a ValueError naming the argument."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value,) * n
    try:
        ints = tuple(operator.index(v) for v in items if not isinstance(v, bool))
    except TypeError:
        ints = ()
    if len(ints) == len(items) == n and min(ints) >= low:
        return ints
    what = "positive" if low == 1 else "non-negative"
    raise ValueError(f"{layer} expects {name} to be a {what} integer or a tuple of {n} {what} "
                     f"integers. Received: {name}={value!r}")


def check_padding(layer, padding, allowed=("valid", "same")):
    choice = padding.lower() if isinstance(padding, str) else padding
    if choice not in allowed:
        raise ValueError(f"{layer} expects padding to be one of {', '.join(map(repr, allowed))}"
                         f". Received: padding={padding!r}")
    return choice


def check_data_format(layer, data_format):
    """tensorkit is channels last, as TF.js: (batch, ..., channels)."""
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{layer} supports only data_format='channels_last' (batch, ..., "
                         f"channels), as TensorFlow.js. Received: data_format={data_format!r}. "
                         "Fix: leave data_format out and move the channels last with "
                         "tk.transpose(x, (0, 2, 3, 1)).")
    return "channels_last"


def check_shape(layer, op, rule, shapes, **attrs):
    """Run an op's shape rule at build time; its ShapeError names the op and this layer."""
    try:
        return rule(*shapes, **attrs)
    except ShapeError as e:
        raise e.at(op, shapes, None, layer.name) from None


def channels_guess(input_shape, rank):
    """The channels an input one axis short most likely has, for the op's fix: a trailing
    1, 3 or 4 (grey, RGB, RGBA) is one example without its batch; anything else, say
    (N, 28, 28), is a batch of grey images without the channel axis (channels 1)."""
    if len(input_shape) == rank - 1 and input_shape[-1] not in (1, 3, 4):
        return 1
    return input_shape[-1]


LAYOUTS = {1: "(batch, steps, channels)", 2: "(batch, height, width, channels)"}


def check_rank(layer, op, input_shape, rank):
    """A ShapeError unless the input is (batch, *rank spatial axes, channels), with the
    axis to add when one is missing (see channels_guess)."""
    shape, want, layout = tuple(input_shape), rank + 2, LAYOUTS[rank]
    if len(shape) == want:
        return
    if len(shape) == want - 1 and channels_guess(shape, want) == 1 and shape[-1] != 1:
        fix = (f"a batch without a channel axis: add one: x[..., None] makes it "
               f"{format_shape(shape + (1,))}.")
    elif len(shape) == want - 1:
        fix = (f"one example without the batch axis: add it: x[None] makes it "
               f"{format_shape((1,) + shape)} (a batch of 1).")
    else:
        fix = f"reshape the data to {layout}."
    raise ShapeError(f"the input has rank {len(shape)} but {type(layer).__name__} needs rank "
                     f"{want}: {layout}.", expected=f"an input {layout}", fix=fix, op=op,
                     shapes=(shape,), layer=layer.name)


# ---- the layers ------------------------------------------------------------------------------

class _Conv(Layer):
    """What Conv1D and Conv2D share: ``activation(conv(x, kernel) + bias)``."""

    rank = None                     # spatial axes: 1 or 2
    regularized = {"kernel_regularizer": "kernel", "bias_regularizer": "bias"}
    op = None                       # "conv1d" or "conv2d"
    paddings = ("valid", "same")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        kind, n = type(self).__name__, self.rank
        self.filters = _positive_int(kind, "filters", filters)
        self.kernel_size = int_tuple(kind, "kernel_size", kernel_size, n)
        self.strides = int_tuple(kind, "strides", strides, n)
        self.padding = check_padding(kind, padding, self.paddings)
        self.data_format = check_data_format(kind, data_format)
        self.dilation_rate = int_tuple(kind, "dilation_rate", dilation_rate, n)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{kind} cannot combine strides > 1 with dilation_rate > 1 (nor "
                             f"can Keras or TF.js). Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def _kernel_shape(self, channels):
        return self.kernel_size + (channels, self.filters)

    def _rule(self, input_shape, kernel_shape):
        check_shape(self, self.op, conv_shape, (tuple(input_shape), kernel_shape),
                    strides=self.strides, padding=self.padding,
                    dilation_rate=self.dilation_rate)

    def build(self, input_shape):
        channels = channels_guess(input_shape, self.rank + 2)
        kernel_shape = self._kernel_shape(channels)
        self._rule(input_shape, kernel_shape)
        if channels is None:
            raise ShapeError(f"the channel axis (the last) of the input "
                             f"{format_shape(input_shape)} is unknown, so the kernel cannot "
                             "be made.", expected="a known number of channels",
                             fix="give the Input its channels, e.g. tk.Input(shape=(28, 28, 1)).",
                             op=type(self).__name__, shapes=(tuple(input_shape),),
                             layer=self.name)
        self.kernel = self.add_weight("kernel", kernel_shape, self.kernel_initializer)
        self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer) \
            if self.use_bias else None

    def _conv(self, inputs):
        return getattr(ops, self.op)(inputs, self.kernel, strides=self.strides,
                                     padding=self.padding, dilation_rate=self.dilation_rate)

    def call(self, inputs):
        x = self._conv(inputs)                   # (B, *spatial, in) -> (B, *out, filters)
        if self.bias is not None:
            x = x + self.bias
        return self.activation(x)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.name_of(self.kernel_initializer),
                "bias_initializer": initializers.name_of(self.bias_initializer)}


class Conv1D(_Conv):
    """1-D convolution over time: (batch, steps, in) -> (batch, new_steps, filters).

    ``padding="causal"`` pads only the past, so step t never sees later steps (WaveNet).
    """

    rank, op, paddings = 1, "conv1d", ("valid", "same", "causal")


class Conv2D(_Conv):
    """2-D convolution: (batch, H, W, in) -> (batch, OH, OW, filters); kernel
    (kh, kw, in, filters). "valid": OH = (H - kh) // strides + 1; "same": ceil(H / strides),
    the odd padding row/column at the bottom/right, as TensorFlow."""

    rank, op = 2, "conv2d"


class Conv2DTranspose(_Conv):
    """Transposed convolution (the gradient of Conv2D): (batch, H, W, in) ->
    (batch, OH, OW, filters), OH = H * strides for "same". Kernel (kh, kw, filters, in).
    Used to upsample in decoders and GAN generators."""

    rank, op = 2, "conv2d_transpose"

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, **kwargs)
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = int_tuple("Conv2DTranspose", "output_padding",
                                            output_padding, 2, low=0)
            if any(p >= s for p, s in zip(self.output_padding, self.strides)):
                raise ValueError("Conv2DTranspose expects each output_padding to be smaller "
                                 f"than its stride ({self.strides}). Received: "
                                 f"output_padding={output_padding!r}")

    def _kernel_shape(self, channels):
        return self.kernel_size + (self.filters, channels)

    def _rule(self, input_shape, kernel_shape):
        check_shape(self, self.op, conv_transpose_shape, (tuple(input_shape), kernel_shape),
                    strides=self.strides, padding=self.padding,
                    output_padding=self.output_padding, dilation_rate=self.dilation_rate)

    def _conv(self, inputs):
        return ops.conv2d_transpose(inputs, self.kernel, strides=self.strides,
                                    padding=self.padding, output_padding=self.output_padding,
                                    dilation_rate=self.dilation_rate)

    def get_config(self):
        return {**super().get_config(), "output_padding": self.output_padding}
