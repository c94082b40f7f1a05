"""Convolution layers: Conv1D, Conv2D, Conv3D, their transposes, DepthwiseConv1D/2D and
SeparableConv1D/2D, channels last as Keras and TF.js.

Kernels are Keras's: Conv1D (k, in / groups, filters), Conv2D (kh, kw, in / groups, filters),
Conv3D (kd, kh, kw, in / groups, filters), Conv2DTranspose (kh, kw, filters, in), since it
is the gradient of a Conv2D going from `filters` channels back to `in` (Conv1DTranspose
(k, filters, in), Conv3DTranspose (kd, kh, kw, filters, in)), and DepthwiseConv2D
(kh, kw, in, depth_multiplier) (DepthwiseConv1D (k, in, depth_multiplier)).
`build` checks the input against the op's shape rule before any weight exists, so an input
of the wrong rank (an image without its batch or channel axis) leaves the layer unbuilt and
the learner can call it again on fixed data.
"""

import operator

from .. import activations, initializers, ops
from ..errors import ShapeError, format_shape
from ..ops.conv import conv_shape, conv_transpose_shape, depthwise_shape
from .base import Layer, get_activation, get_initializer
from .core import _positive_int

__all__ = ["Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose",
           "Conv3DTranspose", "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D",
           "SeparableConv2D", "Convolution1D", "Convolution2D", "Convolution3D",
           "Convolution1DTranspose", "Convolution2DTranspose", "Convolution3DTranspose",
           "SeparableConvolution1D", "SeparableConvolution2D"]


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


def check_data_format(layer, data_format, rank=2):
    """tensorkit is channels last, as TF.js: (batch, ..., channels). Keras lower-cases the
    name, so 'CHANNELS_LAST' is fine. `rank`: the spatial axes, for the transpose to show."""
    choice = data_format.lower() if isinstance(data_format, str) else data_format
    if choice in (None, "channels_last"):
        return "channels_last"
    if choice == "channels_first":
        order = (0,) + tuple(range(2, rank + 2)) + (1,)
        raise ValueError(f"{layer} supports only data_format='channels_last' (batch, ..., "
                         f"channels), as TensorFlow.js. Received: data_format={data_format!r}. "
                         "Fix: leave data_format out and move the channels last with "
                         f"tk.transpose(x, {order}).")
    raise ValueError(f"{layer} expects data_format to be 'channels_last' (or None, the same "
                     f"here). Received: data_format={data_format!r}. Fix: leave data_format "
                     "out.")


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


LAYOUTS = {1: "(batch, steps, channels)", 2: "(batch, height, width, channels)",
           3: "(batch, depth, height, width, channels)"}


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
    """What the convolutions share: ``activation(conv(x, kernel) + bias)``."""

    rank = None                     # spatial axes: 1, 2 or 3
    regularized = {"kernel_regularizer": "kernel", "bias_regularizer": "bias"}
    op = None                       # "conv1d", "conv2d" or "conv3d"
    paddings = ("valid", "same")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        self.filters = _positive_int(kind, "filters", filters)
        self._window(kernel_size, strides, padding, data_format, dilation_rate)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{kind} cannot combine strides > 1 with dilation_rate > 1 (nor "
                             f"can Keras or TF.js). Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")
        self.groups = _positive_int(kind, "groups", groups)
        if self.filters % self.groups:
            raise ValueError(f"{kind} expects filters to be a multiple of groups (each group "
                             f"makes filters // groups of them). Received: filters={filters}, "
                             f"groups={groups}")
        self._output(activation, use_bias, bias_initializer)
        self.kernel_initializer = get_initializer(self, "kernel_initializer", kernel_initializer)

    def _window(self, kernel_size, strides, padding, data_format, dilation_rate):
        kind, n = type(self).__name__, self.rank
        self.kernel_size = int_tuple(kind, "kernel_size", kernel_size, n)
        self.strides = int_tuple(kind, "strides", strides, n)
        self.padding = check_padding(kind, padding, self.paddings)
        self.data_format = check_data_format(kind, data_format, n)
        self.dilation_rate = int_tuple(kind, "dilation_rate", dilation_rate, n)

    def _output(self, activation, use_bias, bias_initializer):
        self.activation = get_activation(self, "activation", activation)
        self.use_bias = use_bias
        self.bias_initializer = get_initializer(self, "bias_initializer", bias_initializer)

    def _kernel_shape(self, channels):
        per_group = None if channels is None else channels // self.groups
        return self.kernel_size + (per_group, self.filters)

    def _rule(self, input_shape, kernel_shape):
        shape = tuple(input_shape)
        if self.groups > 1 and len(shape) == self.rank + 2 and shape[-1] is not None:
            if shape[-1] % self.groups:
                raise ShapeError(f"the input has {shape[-1]} channels, which {self.groups} "
                                 "groups cannot share evenly.",
                                 expected=f"a number of channels divisible by groups="
                                          f"{self.groups}",
                                 fix="choose groups that divides the input's channels (and "
                                     "filters).", op=self.op, shapes=(shape,), layer=self.name)
            shape = shape[:-1] + (shape[-1] // self.groups,)     # what one group sees
        check_shape(self, self.op, conv_shape, (shape, kernel_shape), strides=self.strides,
                    padding=self.padding, dilation_rate=self.dilation_rate)

    def build(self, input_shape):
        channels = channels_guess(input_shape, self.rank + 2)
        self._rule(input_shape, self._kernel_shape(channels))
        if channels is None:
            raise ShapeError(f"the channel axis (the last) of the input "
                             f"{format_shape(input_shape)} is unknown, so the kernel cannot "
                             "be made.", expected="a known number of channels",
                             fix="give the Input its channels, e.g. tk.Input(shape=(28, 28, 1)).",
                             op=type(self).__name__, shapes=(tuple(input_shape),),
                             layer=self.name)
        self._make_weights(channels)

    def _make_weights(self, channels):
        self.kernel = self.add_weight("kernel", self._kernel_shape(channels),
                                      self.kernel_initializer)
        self._make_bias(self.filters)

    def _make_bias(self, size):
        self.bias = self.add_weight("bias", (size,), self.bias_initializer) \
            if self.use_bias else None

    def _conv(self, inputs):
        conv = getattr(ops, self.op)
        args = dict(strides=self.strides, padding=self.padding, dilation_rate=self.dilation_rate)
        if self.groups == 1:
            return conv(inputs, self.kernel, **args)
        # Keras's grouped conv: group i's channels meet only its slice of the filters
        cin, cout = self.kernel.shape[-2], self.filters // self.groups
        return ops.concatenate([conv(inputs[..., i * cin:(i + 1) * cin],
                                     self.kernel[..., i * cout:(i + 1) * cout], **args)
                                for i in range(self.groups)], axis=-1)

    def call(self, inputs):
        x = self._conv(inputs)                   # (B, *spatial, in) -> (B, *out, filters)
        if self.bias is not None:
            x = x + self.bias
        return self.activation(x)

    def _window_config(self):
        return {"kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate}

    def _output_config(self):
        return {"activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "bias_initializer": initializers.name_of(self.bias_initializer)}

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, **self._window_config(),
                "groups": self.groups, **self._output_config(),
                "kernel_initializer": initializers.name_of(self.kernel_initializer)}


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


class Conv3D(_Conv):
    """3-D convolution of volumes (video clips, medical scans): (batch, D, H, W, in) ->
    (batch, OD, OH, OW, filters); kernel (kd, kh, kw, in, filters). Sizes as Conv2D's,
    along each of depth, height and width."""

    rank, op = 3, "conv3d"


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
            kind = type(self).__name__
            self.output_padding = int_tuple(kind, "output_padding", output_padding, self.rank,
                                            low=0)
            if any(p >= s for p, s in zip(self.output_padding, self.strides)):
                raise ValueError(f"{kind} expects each output_padding to be smaller "
                                 f"than its stride ({self.strides}). Received: "
                                 f"output_padding={output_padding!r}")

    def _kernel_shape(self, channels):
        return self.kernel_size + (self.filters, channels)

    def _rule(self, input_shape, kernel_shape):
        check_shape(self, self.op, conv_transpose_shape, (tuple(input_shape), kernel_shape),
                    strides=self.strides, padding=self.padding,
                    output_padding=self.output_padding, dilation_rate=self.dilation_rate)

    def _conv(self, inputs):
        return getattr(ops, self.op)(inputs, self.kernel, strides=self.strides,
                                     padding=self.padding, output_padding=self.output_padding,
                                     dilation_rate=self.dilation_rate)

    def get_config(self):
        config = {**super().get_config(), "output_padding": self.output_padding}
        del config["groups"]                     # Keras's transposed convolutions have none
        return config


class Conv1DTranspose(Conv2DTranspose):
    """Transposed 1-D convolution (the gradient of Conv1D): (batch, steps, in) ->
    (batch, new_steps, filters), new_steps = steps * strides for "same". Kernel
    (k, filters, in). Upsamples sequences (audio decoders)."""

    rank, op = 1, "conv1d_transpose"


class Conv3DTranspose(Conv2DTranspose):
    """Transposed 3-D convolution (the gradient of Conv3D): (batch, D, H, W, in) ->
    (batch, OD, OH, OW, filters), OD = D * strides for "same". Kernel (kd, kh, kw, filters,
    in). Upsamples volumes (3-D U-Net decoders). Keras takes data_format before
    output_padding here, unlike Conv2DTranspose."""

    rank, op = 3, "conv3d_transpose"

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 output_padding=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         output_padding=output_padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, **kwargs)


class DepthwiseConv2D(_Conv):
    """Each input channel convolved with its own `depth_multiplier` filters, nothing mixed
    across channels: (batch, H, W, C) -> (batch, OH, OW, C * depth_multiplier), output
    channel c * depth_multiplier + m. Kernel (kh, kw, C, depth_multiplier), as Keras."""

    rank, op = 2, "depthwise_conv2d"
    regularized = {"depthwise_regularizer": "kernel", "bias_regularizer": "bias"}

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        Layer.__init__(self, **kwargs)
        self.depth_multiplier = _positive_int(type(self).__name__, "depth_multiplier",
                                              depth_multiplier)
        self._window(kernel_size, strides, padding, data_format, dilation_rate)
        self._output(activation, use_bias, bias_initializer)
        self.depthwise_initializer = get_initializer(self, "depthwise_initializer",
                                                     depthwise_initializer)
        self.groups = 1

    def _kernel_shape(self, channels):
        return self.kernel_size + (channels, self.depth_multiplier)

    def _rule(self, input_shape, kernel_shape):
        check_shape(self, self.op, depthwise_shape, (tuple(input_shape), kernel_shape),
                    strides=self.strides, padding=self.padding,
                    dilation_rate=self.dilation_rate)

    def _make_weights(self, channels):
        self.kernel = self.add_weight("kernel", self._kernel_shape(channels),
                                      self.depthwise_initializer)
        self._make_bias(channels * self.depth_multiplier)

    def get_config(self):
        return {**Layer.get_config(self), "depth_multiplier": self.depth_multiplier,
                **self._window_config(), **self._output_config(),
                "depthwise_initializer": initializers.name_of(self.depthwise_initializer)}


class SeparableConv2D(DepthwiseConv2D):
    """A DepthwiseConv2D (no bias) then a 1x1 Conv2D that mixes the channels:
    (batch, H, W, C) -> (batch, OH, OW, C * M) -> (batch, OH, OW, filters). Weights, in
    Keras's order: depthwise_kernel (kh, kw, C, M), pointwise_kernel (1, 1, C * M, filters),
    bias (filters,). Far fewer weights than a Conv2D of the same filters (MobileNet,
    Xception)."""

    regularized = {"depthwise_regularizer": "depthwise_kernel",
                   "pointwise_regularizer": "pointwise_kernel", "bias_regularizer": "bias"}

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", **kwargs):
        super().__init__(kernel_size, strides=strides, padding=padding,
                         depth_multiplier=depth_multiplier, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer, **kwargs)
        self.filters = _positive_int(type(self).__name__, "filters", filters)
        self.pointwise_initializer = get_initializer(self, "pointwise_initializer",
                                                     pointwise_initializer)

    def _make_weights(self, channels):
        self.depthwise_kernel = self.add_weight("depthwise_kernel", self._kernel_shape(channels),
                                                self.depthwise_initializer)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", (1,) * self.rank + (channels * self.depth_multiplier,
                                                    self.filters), self.pointwise_initializer)
        self._make_bias(self.filters)

    def _conv(self, inputs):
        # (B, H, W, C) -> (B, OH, OW, C * M) -> (B, OH, OW, filters)
        x = getattr(ops, self.op)(inputs, self.depthwise_kernel, strides=self.strides,
                                  padding=self.padding, dilation_rate=self.dilation_rate)
        return getattr(ops, f"conv{self.rank}d")(x, self.pointwise_kernel)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "pointwise_initializer": initializers.name_of(self.pointwise_initializer)}


class DepthwiseConv1D(DepthwiseConv2D):
    """Each input channel convolved over time with its own `depth_multiplier` filters:
    (batch, steps, C) -> (batch, new_steps, C * depth_multiplier). Kernel
    (k, C, depth_multiplier), as Keras."""

    rank, op = 1, "depthwise_conv1d"


class SeparableConv1D(SeparableConv2D):
    """A DepthwiseConv1D (no bias) then a pointwise Conv1D that mixes the channels:
    (batch, steps, C) -> (batch, new_steps, C * M) -> (batch, new_steps, filters). Weights:
    depthwise_kernel (k, C, M), pointwise_kernel (1, C * M, filters), bias (filters,)."""

    rank, op = 1, "depthwise_conv1d"


# Keras's other names for the same classes (keras.layers.Convolution2D is Conv2D)
Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
Convolution1DTranspose, Convolution2DTranspose = Conv1DTranspose, Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D
