"""Convolution, pooling and upsampling, channels last as Keras and TF.js: (N, H, W, C),
(N, L, C), and volumes (N, D, H, W, C) (video clips, medical scans).

A convolution is one GEMM over patches. The patches are gathered one kernel position at a
time, kh*kw strided copies into one preallocated (N, OH, OW, kh*kw*C) buffer: with few
channels this beats generic im2col views by up to 6x (PERFORMANCE.md). The input gradient
goes back the same way, one strided slice per kernel position, and is also the forward of
the transposed convolution. The array code takes any number of spatial axes, so 2-D and
3-D ops share it; 1-D ops run the 2-D code on a height of 1.

Padding follows TensorFlow: "valid" keeps only full windows; "same" gives ceil(size / stride)
and puts an odd extra row or column at the bottom/right; "causal" (conv1d) pads the left.
"""

import itertools
import math
import operator

import numpy

from ..errors import ShapeError, format_shape
from ..tensor import defop

__all__ = ["conv1d", "conv2d", "conv3d", "conv1d_transpose", "conv2d_transpose",
           "conv3d_transpose", "depthwise_conv1d", "depthwise_conv2d", "max_pool1d",
           "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d", "upsample2d",
           "upsample3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d"]

_LAYOUT = {1: "(batch, length, channels)", 2: "(batch, height, width, channels)",
           3: "(batch, depth, height, width, channels)"}
_AXES = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}
_WINDOW = {1: "kernel_size", 2: "kernel_height, kernel_width",
           3: "kernel_depth, kernel_height, kernel_width"}


# ---- sizes along one axis --------------------------------------------------------------------

def conv_output_length(size, kernel_size, stride=1, padding="valid", dilation=1):
    """Output size and (before, after) padding along one axis, by TensorFlow's rule.

    >>> conv_output_length(28, 3)
    (26, (0, 0))
    >>> conv_output_length(28, 3, stride=2, padding="same")     # the odd pad goes after
    (14, (0, 1))
    >>> conv_output_length(10, 3, padding="causal", dilation=2)
    (10, (4, 0))
    >>> conv_output_length(None, 3, padding="same")
    (None, None)
    """
    span = (kernel_size - 1) * dilation + 1
    if size is None:
        return None, None
    if padding == "valid":
        return (size - span) // stride + 1, (0, 0)
    if padding == "causal":
        return (size - 1) // stride + 1, (span - 1, 0)
    out = -(-size // stride)
    total = max((out - 1) * stride + span - size, 0)
    return out, (total // 2, total - total // 2)


def deconv_output_length(size, kernel_size, stride=1, padding="valid", output_padding=None,
                         dilation=1):
    """Output size of a transposed convolution along one axis, as Keras computes it.

    >>> deconv_output_length(7, 3, stride=2)                    # (7 - 1) * 2 + 3
    15
    >>> deconv_output_length(7, 3, stride=2, padding="same")
    14
    >>> deconv_output_length(7, 3, stride=2, padding="valid", output_padding=1)
    16
    """
    if size is None:
        return None
    span = (kernel_size - 1) * dilation + 1
    if output_padding is None:
        return size * stride + max(span - stride, 0) if padding == "valid" else size * stride
    pad = span // 2 if padding == "same" else 0
    return (size - 1) * stride + span - 2 * pad + output_padding


# ---- shape rules -----------------------------------------------------------------------------

def _check_rank(name, x, spatial, channels=None):
    """A ShapeError unless x is (batch, *spatial, channels), with the axis to add if one is
    missing. `channels`: what the kernel takes, to tell one example from a batch."""
    want = spatial + 2
    if len(x) == want:
        return
    layout = _LAYOUT[spatial]
    if len(x) == want - 1:
        single = f"x[None] makes it {format_shape((1,) + tuple(x))}"
        grey = f"x[..., None] makes it {format_shape(tuple(x) + (1,))}"
        if x[0] is None or (channels == 1 and x[-1] != 1):
            fix = f"a batch without a channel axis: add one: {grey}."
        elif channels is not None and x[-1] == channels:
            fix = f"one example without the batch axis: add it: {single} (a batch of 1)."
        else:
            fix = (f"for one example add the batch axis: {single}; for a batch with one "
                   f"channel add the channel axis: {grey}.")
    elif len(x) == 2 and x[0] is None and spatial > 1:
        # (batch, features): flattened images or volumes; Reshape restores each example
        example = layout.replace("(batch, ", "(")
        side = round(x[-1] ** (1 / spatial)) if x[-1] else 0
        if side and side ** spatial == x[-1]:
            example = format_shape((side,) * spatial + (1,))
        fix = (f"a batch of flat vectors: reshape each back into an example, e.g. "
               f"layers.Reshape({example}) before this layer.")
    elif len(x) == want - 2 and len(x) > 0 and x[0] is not None:
        fix = (f"one example with one channel: x[None, ..., None] makes it "
               f"{format_shape((1,) + tuple(x) + (1,))}.")
    elif len(x) > want:
        fix = f"reshape it to {layout}, folding the extra leading axes into the batch."
    else:
        fix = f"give it the layout {layout}."
    raise ShapeError(f"the input has rank {len(x)} but {name} needs rank {want}: {layout}.",
                     expected=f"an input {layout}", fix=fix)


def _channels_guess(x):
    """Without a kernel to ask: a last size of 1, 3 or 4 reads as grey, RGB or RGBA channels."""
    return x[-1] if x and x[-1] in (1, 3, 4) else 1


def _check_kernel(name, kernel, spatial, layout):
    if len(kernel) != spatial + 2:
        fix = (f"for one output channel add the axis: kernel[..., None] makes it "
               f"{format_shape(tuple(kernel) + (1,))}." if len(kernel) == spatial + 1 else
               f"make a kernel {layout}, as Keras does.")
        raise ShapeError(f"the kernel has rank {len(kernel)} but {name} needs rank "
                         f"{spatial + 2}: {layout}.", expected=f"a kernel {layout}", fix=fix)


def _check_channels(x, kernel, in_axis):
    """The input's channels (last axis) against the kernel's in_channels axis."""
    c, cin = x[-1], kernel[in_axis]
    if c is None or c == cin:
        return
    if x[1] == cin:
        order = (0,) + tuple(range(2, len(x))) + (1,)
        fix = (f"the input looks channels-first, but tensorkit is channels-last as Keras: "
               f"tk.transpose(x, {order}) makes it "
               f"{format_shape((x[0],) + tuple(x[2:]) + (x[1],))}.")
    else:
        fixed = list(kernel)
        fixed[in_axis] = c
        fix = (f"give the kernel {c} input channels, shape {format_shape(tuple(fixed))}, or "
               f"check that the input's channels are its last axis.")
    raise ShapeError(f"the input has {c} channels (axis -1) but the kernel takes {cin} "
                     f"(kernel axis {in_axis % len(kernel)}, in_channels).",
                     expected="the input's last axis to equal the kernel's in_channels",
                     fix=fix)


def _window_sizes(sizes, window, strides, padding, dilation, what):
    """Output sizes over the spatial axes; a ShapeError where a 'valid' window doesn't fit."""
    out = []
    names = _AXES[len(sizes)]
    for size, k, s, d, axis in zip(sizes, window, strides, dilation, names):
        n, _ = conv_output_length(size, k, s, padding, d)
        if n is not None and n <= 0:
            span = (k - 1) * d + 1
            spans = f"{span} (size {k}, dilation {d})" if d > 1 else f"{span}"
            raise ShapeError(
                f"with padding='valid' the {what} spans {spans} along the {axis}, but the "
                f"input {axis} is only {size}: no window fits, the output would be empty.",
                expected=f"an input {axis} of at least {span}, or padding='same'",
                fix=f"pad the input with padding='same' (output {axis} ceil({size} / {s}) = "
                    f"{-(-size // s)}), or use a smaller {what}.")
        out.append(n)
    return tuple(out)


def conv_shape(x, kernel, strides, padding, dilation_rate):
    """(batch, *spatial, C_in) * (*window, C_in, C_out) -> (batch, *out, C_out).

    >>> conv_shape((None, 28, 28, 1), (3, 3, 1, 16), strides=(1, 1), padding="valid",
    ...            dilation_rate=(1, 1))
    (None, 26, 26, 16)
    >>> conv_shape((8, 100, 3), (5, 3, 4), strides=(2,), padding="causal", dilation_rate=(1,))
    (8, 50, 4)
    >>> conv_shape((None, 15, 32, 32, 3), (3, 3, 3, 3, 8), strides=(1, 2, 2), padding="same",
    ...            dilation_rate=(1, 1, 1))                 # volumes: depth, height, width
    (None, 15, 16, 16, 8)
    """
    spatial = len(strides)
    name = f"conv{spatial}d"
    layout = f"({_WINDOW[spatial]}, in_channels, out_channels)"
    _check_kernel(name, kernel, spatial, layout)
    _check_rank(name, x, spatial, kernel[-2])
    _check_channels(x, kernel, -2)
    return (x[0],) + _window_sizes(x[1:-1], kernel[:-2], strides, padding, dilation_rate,
                                   "kernel") + (kernel[-1],)


def depthwise_shape(x, kernel, strides, padding, dilation_rate):
    """(batch, H, W, C) * (kh, kw, C, M) -> (batch, OH, OW, C * M): each channel convolved
    with its own M filters, as Keras's DepthwiseConv2D (M: depth_multiplier); 1-D alike.

    >>> depthwise_shape((None, 28, 28, 3), (3, 3, 3, 2), strides=(2, 2), padding="same",
    ...                 dilation_rate=(1, 1))
    (None, 14, 14, 6)
    >>> depthwise_shape((None, 50, 4), (5, 4, 1), strides=(1,), padding="valid",
    ...                 dilation_rate=(1,))
    (None, 46, 4)
    """
    spatial = len(strides)
    name = f"depthwise_conv{spatial}d"
    _check_kernel(name, kernel, spatial, f"({_WINDOW[spatial]}, in_channels, depth_multiplier)")
    _check_rank(name, x, spatial, kernel[-2])
    _check_channels(x, kernel, -2)
    channels = None if kernel[-2] is None else kernel[-2] * kernel[-1]
    return (x[0],) + _window_sizes(x[1:-1], kernel[:-2], strides, padding, dilation_rate,
                                   "kernel") + (channels,)


def _transpose_geometry(sizes, window, strides, padding, output_padding, dilation):
    """Output sizes of a transposed conv and the padding of the conv it is the gradient of."""
    out, pads, conv = [], [], f"conv{len(sizes)}d"
    for i, (n, k, s, d) in enumerate(zip(sizes, window, strides, dilation)):
        op = None if output_padding is None else output_padding[i]
        length = deconv_output_length(n, k, s, padding, op, d)
        back, pad = conv_output_length(length, k, s, padding, d)
        if n is not None and (length <= 0 or back != n):
            raise ShapeError(
                f"output_padding={op} with a kernel of {k}, strides {s} and padding="
                f"'{padding}' gives an output {_AXES[len(sizes)][i]} of {length}, which a "
                f"{conv} would not take back to {n}.",
                expected=f"an output size whose {conv} gives the input size back",
                fix="use an odd kernel size, or output_padding=None to let the size follow "
                    "from the strides.")
        out.append(length)
        pads.append(pad)
    return tuple(out), tuple(pads)


def conv_transpose_shape(x, kernel, strides, padding, output_padding, dilation_rate):
    """(batch, *spatial, C_in) * (*window, C_out, C_in) -> (batch, *out, C_out), as Keras.

    >>> conv_transpose_shape((None, 7, 7, 32), (3, 3, 16, 32), strides=(2, 2),
    ...                      padding="same", output_padding=None, dilation_rate=(1, 1))
    (None, 14, 14, 16)
    >>> conv_transpose_shape((None, 10, 8), (3, 4, 8), strides=(2,), padding="valid",
    ...                      output_padding=(1,), dilation_rate=(1,))
    (None, 22, 4)
    """
    spatial = len(strides)
    name = f"conv{spatial}d_transpose"
    layout = f"({_WINDOW[spatial]}, out_channels, in_channels)"
    _check_kernel(name, kernel, spatial, layout)
    _check_rank(name, x, spatial, kernel[-1])
    _check_channels(x, kernel, -1)
    sizes, _ = _transpose_geometry(x[1:-1], kernel[:-2], strides, padding, output_padding,
                                   dilation_rate)
    return (x[0],) + sizes + (kernel[-2],)


def pool_shape(x, pool_size, strides, padding):
    """(batch, *spatial, C) -> (batch, *out, C): windows of pool_size, every `strides`.

    >>> pool_shape((None, 26, 26, 16), pool_size=(2, 2), strides=(2, 2), padding="valid")
    (None, 13, 13, 16)
    >>> pool_shape((4, 9, 3), pool_size=(2,), strides=(2,), padding="same")
    (4, 5, 3)
    """
    spatial = len(pool_size)
    _check_rank(f"{spatial}-D pooling", x, spatial, _channels_guess(x))
    return (x[0],) + _window_sizes(x[1:-1], pool_size, strides, padding, (1,) * spatial,
                                   "pool") + (x[-1],)


def upsample_shape(x, size, interpolation="nearest"):
    """(batch, H, W, C) -> (batch, H * sh, W * sw, C); volumes alike, D * sd.

    >>> upsample_shape((None, 7, 7, 8), size=(2, 3), interpolation="nearest")
    (None, 14, 21, 8)
    >>> upsample_shape((None, 4, 7, 7, 8), size=(2, 2, 1))
    (None, 8, 14, 7, 8)
    """
    spatial = len(size)
    _check_rank(f"upsample{spatial}d", x, spatial, _channels_guess(x))
    return (x[0],) + tuple(None if n is None else n * s for n, s in zip(x[1:-1], size)) + \
        (x[-1],)


def adaptive_bins(size, out):
    """Where each of `out` windows starts and ends along an axis of `size` cells: window i
    covers [floor(i * size / out), ceil((i + 1) * size / out)), as Keras and PyTorch, so
    neighbouring windows share a cell where out does not divide size.

    >>> adaptive_bins(5, 3)                     # windows [0, 2), [1, 4), [3, 5)
    ([0, 1, 3], [2, 4, 5])
    >>> adaptive_bins(2, 4)                     # more windows than cells: cells repeat
    ([0, 0, 1, 1], [1, 1, 2, 2])
    """
    return [i * size // out for i in range(out)], [-(-(i + 1) * size // out) for i in range(out)]


def adaptive_pool_shape(x, output_size):
    """(batch, *spatial, C) -> (batch, *output_size, C), whatever the spatial sizes (also
    unknown ones: the output's size is output_size all the same).

    >>> adaptive_pool_shape((None, 13, 17, 8), output_size=(4, 4))
    (None, 4, 4, 8)
    >>> adaptive_pool_shape((2, None, 3), output_size=(5,))
    (2, 5, 3)
    """
    spatial = len(output_size)
    name = f"adaptive {spatial}-D pooling"
    _check_rank(name, x, spatial, _channels_guess(x))
    for size, axis in zip(x[1:-1], _AXES[spatial]):
        if size == 0:
            raise ShapeError(f"the input {axis} is 0: {name} has no cells to pool there.",
                             expected=f"an input {axis} of at least 1", op=name, shapes=(x,),
                             fix="check the data: an empty axis often comes from slicing or "
                                 "cropping past the end.")
    return (x[0],) + tuple(output_size) + (x[-1],)


def _conv_dims(shapes, dims, **_):
    """Batch and spatial labels stay; the channel axis is the kernel's out_channels."""
    return tuple(dims[0][:-1]) + (dims[1][-1],)


def _depthwise_dims(shapes, dims, **_):
    """A depth_multiplier of 1 keeps the channels (and their label); more makes new ones."""
    return tuple(dims[0][:-1]) + ((dims[0][-1],) if shapes[1][-1] == 1 else (None,))


def _keep_dims(shapes, dims, **_):
    return dims[0]


# ---- array code: (N, *spatial, C), 2 or 3 spatial axes; 1-D ops run it on a height of 1 ---

_ALL = slice(None)


def _pads(sizes, window, strides, padding, dilation):
    return tuple(conv_output_length(n, k, s, padding, d)[1]
                 for n, k, s, d in zip(sizes, window, strides, dilation))


def _grown(sizes, pads):
    """Spatial sizes with the padding added."""
    return tuple(n + b + a for n, (b, a) in zip(sizes, pads))


def _inside(sizes, pads):
    """The slices of a padded array's spatial axes that hold the unpadded cells."""
    return tuple(slice(b, b + n) for n, (b, _) in zip(sizes, pads))


def _pad(xp, x, pads, value=0):
    """x with `value` around its spatial axes; pads: (before, after) for each, e.g.
    ((top, bottom), (left, right))."""
    if not any(b or a for b, a in pads):
        return x
    sizes = x.shape[1:-1]
    out = xp.full((x.shape[0],) + _grown(sizes, pads) + (x.shape[-1],), value, dtype=x.dtype)
    out[(_ALL, *_inside(sizes, pads))] = x
    return out


def _slices(window, strides, dilation, out):
    """Each window position, e.g. (i, j), and the slices it reads of the padded input's
    spatial axes (rows, columns...) for all output positions."""
    for pos in itertools.product(*map(range, window)):
        yield pos, tuple(slice(p * d, p * d + (o - 1) * s + 1, s)
                         for p, s, d, o in zip(pos, strides, dilation, out))


def _out_sizes(padded, window, strides, dilation):
    return tuple((n - (k - 1) * d - 1) // s + 1
                 for n, k, s, d in zip(padded, window, strides, dilation))


def _few(channels):
    """Few channels: copy channels-first, whose runs are a row long, not C (measured: < 4)."""
    return channels < 4


def _patches(xp, x, window, strides, dilation, pads):
    """(N, H, W, C) -> (N*OH*OW, kh*kw*C): the input under each output position, a row each
    (volumes alike: (N, D, H, W, C) -> (N*OD*OH*OW, kd*kh*kw*C)).

    Gathered in one of two ways, whichever copies longer runs: with few channels one strided
    copy per kernel position into a (kh, kw, C, N, OH, OW) buffer, handed back transposed
    (BLAS takes either order); else one copy of the sliding-window view, whose (kw, C)
    blocks are contiguous in x.
    """
    x = _pad(xp, x, pads)
    n, c, r = x.shape[0], x.shape[-1], len(window)
    out = _out_sizes(x.shape[1:-1], window, strides, dilation)
    rows, taps = n * math.prod(out), math.prod(window) * c
    if _few(c):
        xt = xp.ascontiguousarray(xp.moveaxis(x, -1, 0))           # (C, N, H, W)
        buf = xp.empty(tuple(window) + (c, n) + out, dtype=x.dtype)
        for pos, where in _slices(window, strides, dilation, out):
            buf[pos] = xt[(_ALL, _ALL, *where)]                     # (C, N, OH, OW)
        return buf.reshape(taps, rows).T
    spans = tuple((k - 1) * d + 1 for k, d in zip(window, dilation))
    # (N, H', W', C, span_h, span_w) -> (N, OH, OW, kh, kw, C)
    view = xp.lib.stride_tricks.sliding_window_view(x, spans, axis=tuple(range(1, r + 1)))
    view = view[(_ALL, *(slice(None, None, s) for s in strides), _ALL,
                 *(slice(None, None, d) for d in dilation))]
    buf = xp.empty((n,) + out + tuple(window) + (c,), dtype=x.dtype)
    buf[...] = view.transpose(0, *range(1, r + 1), *range(r + 2, 2 * r + 2), r + 1)
    return buf.reshape(rows, taps)


def _conv(xp, x, kernel, strides, dilation, pads):
    """(N, H, W, C_in) * (kh, kw, C_in, C_out) -> (N, OH, OW, C_out): one GEMM (and a depth
    axis alike). Also returns the patches, which the kernel gradient needs again."""
    window, f = kernel.shape[:-2], kernel.shape[-1]
    out = _out_sizes(_grown(x.shape[1:-1], pads), window, strides, dilation)
    cols = _patches(xp, x, window, strides, dilation, pads)
    # (N*OH*OW, kh*kw*C_in) @ (kh*kw*C_in, C_out)
    return (cols @ kernel.reshape(-1, f)).reshape((x.shape[0],) + out + (f,)), cols


def _col2im(xp, d, shape, lead, strides, dilation, out):
    """Sum of the blocks d[i, j], each added into kernel position (i, j)'s strided slice of
    a zero array of `shape`, whose spatial axes follow the `lead` leading ones. With strides
    of 1 the first block is copied in and only the cells it misses are zeroed: one pass
    fewer over dx (measured: 0.96 -> 0.93 ms for the input gradient of bench (b))."""
    every = (_ALL,) * lead
    ones = all(s == 1 for s in strides)
    if not ones:
        dx = xp.zeros(shape, dtype=d.dtype)
    else:
        dx = xp.empty(shape, dtype=d.dtype)
        for axis, o in enumerate(out):          # beyond the first block along each axis
            dx[every + tuple(slice(None, m) for m in out[:axis]) + (slice(o, None),)] = 0
    for pos, where in _slices(d.shape[:len(out)], strides, dilation, out):
        if ones and not any(pos):
            dx[every + where] = d[pos]
        else:
            dx[every + where] += d[pos]
    return dx


def _conv_backdata(xp, g, kernel, shape, strides, dilation, pads):
    """The input gradient of _conv for an input of `shape`: g @ W[i, j]^T for each kernel
    position, added into that position's strided slice. Also the transposed conv's forward."""
    window, (c, f) = kernel.shape[:-2], kernel.shape[-2:]
    n, out = g.shape[0], g.shape[1:-1]
    padded, inside = _grown(shape[1:-1], pads), _inside(shape[1:-1], pads)
    g2 = g.reshape(-1, f)                                          # (N*OH*OW, C_out)
    if _few(c):
        # (kh*kw*C, C_out) @ (C_out, N*OH*OW): channels-first, rows OW long
        d = (kernel.reshape(-1, f) @ g2.T).reshape(window + (c, n) + out)
        dx = _col2im(xp, d, (c, n) + padded, 2, strides, dilation, out)
        return xp.moveaxis(dx, 0, -1)[(_ALL, *inside)]
    # (N*OH*OW, C_out) @ (kh*kw, C_out, C_in): each position's block contiguous
    taps = math.prod(window)
    d = (g2 @ kernel.reshape(taps, c, f).transpose(0, 2, 1)).reshape(window + (n,) + out + (c,))
    dx = _col2im(xp, d, (n,) + padded + (c,), 1, strides, dilation, out)
    return dx[(_ALL, *inside)]


def _conv_backfilter(xp, x, g, window, strides, dilation, pads, cols=None):
    """The kernel gradient of _conv: patches^T @ g -> (kh, kw, C_in, C_out). `cols`: the
    forward's patches of x, if it kept them (keeping them saves 15-25% of a conv step)."""
    if cols is None:
        cols = _patches(xp, x, window, strides, dilation, pads)
    f = g.shape[-1]
    # (kh*kw*C_in, N*OH*OW) @ (N*OH*OW, C_out)
    return (cols.T @ g.reshape(-1, f)).reshape(tuple(window) + (x.shape[-1], f))


# ---- conv2d, conv3d and conv1d: the forward keeps its patches for the kernel gradient ------

def _conv_pads(x, kernel, strides, padding, dilation_rate):
    return _pads(x.shape[1:-1], kernel.shape[:-2], strides, padding, dilation_rate)


def _convnd(xp, x, kernel, strides, padding, dilation_rate):
    pads = _conv_pads(x, kernel, strides, padding, dilation_rate)
    return _conv(xp, x, kernel, strides, dilation_rate, pads)


def _convnd_vjp_x(xp, g, out, x, kernel, strides, padding, dilation_rate, saved):
    pads = _conv_pads(x, kernel, strides, padding, dilation_rate)
    return _conv_backdata(xp, g, kernel, x.shape, strides, dilation_rate, pads)


def _convnd_vjp_kernel(xp, g, out, x, kernel, strides, padding, dilation_rate, saved):
    pads = _conv_pads(x, kernel, strides, padding, dilation_rate)
    return _conv_backfilter(xp, x, g, kernel.shape[:-2], strides, dilation_rate, pads, saved)


def _lift(x, kernel, strides, padding, dilation_rate):
    """A 1-D conv as a 2-D one of height 1: (N, L, C) -> (N, 1, L, C), (k, ...) -> (1, k, ...)."""
    pads = ((0, 0),) + _pads(x.shape[1:2], kernel.shape[:1], strides, padding, dilation_rate)
    return x[:, None], kernel[None], (1,) + strides, (1,) + dilation_rate, pads


def _conv1d(xp, x, kernel, **attrs):
    x, kernel, strides, dilation, pads = _lift(x, kernel, **attrs)
    out, cols = _conv(xp, x, kernel, strides, dilation, pads)
    return out[:, 0], cols


def _conv1d_vjp_x(xp, g, out, x, kernel, saved, **attrs):
    x2, kernel, strides, dilation, pads = _lift(x, kernel, **attrs)
    return _conv_backdata(xp, g[:, None], kernel, x2.shape, strides, dilation, pads)[:, 0]


def _conv1d_vjp_kernel(xp, g, out, x, kernel, saved, **attrs):
    x, kernel, strides, dilation, pads = _lift(x, kernel, **attrs)
    return _conv_backfilter(xp, x, g[:, None], kernel.shape[:2], strides, dilation, pads,
                            saved)[0]


_conv2d_op = defop("conv2d", conv_shape, _convnd, _convnd_vjp_x, _convnd_vjp_kernel,
                   dims=_conv_dims, saves=True)
_conv3d_op = defop("conv3d", conv_shape, _convnd, _convnd_vjp_x, _convnd_vjp_kernel,
                   dims=_conv_dims, saves=True)
_conv1d_op = defop("conv1d", conv_shape, _conv1d, _conv1d_vjp_x, _conv1d_vjp_kernel,
                   dims=_conv_dims, saves=True)


# ---- conv2d_transpose and conv3d_transpose: the input gradient of the conv, as a forward ---

def _transpose_pads(x, kernel, strides, padding, output_padding, dilation_rate):
    return _transpose_geometry(x.shape[1:-1], kernel.shape[:-2], strides, padding,
                               output_padding, dilation_rate)


def _conv_transpose(xp, x, kernel, strides, dilation_rate, **attrs):
    sizes, pads = _transpose_pads(x, kernel, strides, dilation_rate=dilation_rate, **attrs)
    shape = (x.shape[0],) + sizes + (kernel.shape[-2],)
    return _conv_backdata(xp, x, kernel, shape, strides, dilation_rate, pads)


def _conv_transpose_vjp_x(xp, g, out, x, kernel, strides, dilation_rate, **attrs):
    _, pads = _transpose_pads(x, kernel, strides, dilation_rate=dilation_rate, **attrs)
    return _conv(xp, g, kernel, strides, dilation_rate, pads)[0]


def _conv_transpose_vjp_kernel(xp, g, out, x, kernel, strides, dilation_rate, **attrs):
    _, pads = _transpose_pads(x, kernel, strides, dilation_rate=dilation_rate, **attrs)
    return _conv_backfilter(xp, g, x, kernel.shape[:-2], strides, dilation_rate, pads)


_conv2d_transpose_op = defop("conv2d_transpose", conv_transpose_shape, _conv_transpose,
                             _conv_transpose_vjp_x, _conv_transpose_vjp_kernel,
                             dims=_conv_dims)
_conv3d_transpose_op = defop("conv3d_transpose", conv_transpose_shape, _conv_transpose,
                             _conv_transpose_vjp_x, _conv_transpose_vjp_kernel,
                             dims=_conv_dims)


def _lift_transpose(x, kernel, strides, padding, output_padding, dilation_rate):
    """A 1-D transposed conv as a 2-D one of height 1: (N, L, C) -> (N, 1, L, C)."""
    return x[:, None], kernel[None], dict(
        strides=(1,) + strides, padding=padding, dilation_rate=(1,) + dilation_rate,
        output_padding=None if output_padding is None else (0,) + output_padding)


def _conv1d_transpose(xp, x, kernel, **attrs):
    x, kernel, attrs = _lift_transpose(x, kernel, **attrs)
    return _conv_transpose(xp, x, kernel, **attrs)[:, 0]


def _conv1d_transpose_vjp_x(xp, g, out, x, kernel, **attrs):
    x, kernel, attrs = _lift_transpose(x, kernel, **attrs)
    return _conv_transpose_vjp_x(xp, g[:, None], None, x, kernel, **attrs)[:, 0]


def _conv1d_transpose_vjp_kernel(xp, g, out, x, kernel, **attrs):
    x, kernel, attrs = _lift_transpose(x, kernel, **attrs)
    return _conv_transpose_vjp_kernel(xp, g[:, None], None, x, kernel, **attrs)[0]


_conv1d_transpose_op = defop("conv1d_transpose", conv_transpose_shape, _conv1d_transpose,
                             _conv1d_transpose_vjp_x, _conv1d_transpose_vjp_kernel,
                             dims=_conv_dims)


# ---- depthwise_conv2d: one multiply-add per kernel position, no GEMM ----------------------
# Each channel meets only its own M filters, so a GEMM over patches would be mostly zeros;
# kh*kw broadcast products over strided views of the padded input do the work instead.

def _depthwise_geometry(x, kernel, strides, padding, dilation_rate):
    pads = _pads(x.shape[1:3], kernel.shape[:2], strides, padding, dilation_rate)
    padded = _grown(x.shape[1:3], pads)
    return pads, padded, _out_sizes(padded, kernel.shape[:2], strides, dilation_rate)


def _depthwise(xp, x, kernel, strides, padding, dilation_rate):
    kh, kw, c, m = kernel.shape
    pads, _, (oh, ow) = _depthwise_geometry(x, kernel, strides, padding, dilation_rate)
    xpad = _pad(xp, x, pads)
    # one product a filter into one buffer, each along C: broadcasting over M instead takes
    # 5x longer (measured, M = 2 on (32, 28, 28, 32))
    out = xp.zeros((m, x.shape[0], oh, ow, c), dtype=xp.result_type(x, kernel))
    tmp = xp.empty(out.shape[1:], dtype=out.dtype)
    for (i, j), (rows, cols) in _slices((kh, kw), strides, dilation_rate, (oh, ow)):
        for f in range(m):
            out[f] += xp.multiply(xpad[:, rows, cols], kernel[i, j, :, f], out=tmp)
    # (M, N, OH, OW, C) -> (N, OH, OW, C * M): channel c * M + m, as TF
    return out.transpose(1, 2, 3, 4, 0).reshape(x.shape[0], oh, ow, c * m)


def _multiplier_first(xp, g, m):
    """(N, OH, OW, C * M) -> (M, N, OH, OW, C), contiguous."""
    return xp.ascontiguousarray(g.reshape(g.shape[:3] + (-1, m)).transpose(4, 0, 1, 2, 3))


def _depthwise_vjp_x(xp, g, out, x, kernel, strides, padding, dilation_rate):
    kh, kw, c, m = kernel.shape
    pads, padded, (oh, ow) = _depthwise_geometry(x, kernel, strides, padding, dilation_rate)
    g = _multiplier_first(xp, g, m)
    dx = xp.zeros((x.shape[0],) + padded + (c,), dtype=g.dtype)
    tmp = xp.empty(g.shape[1:], dtype=g.dtype)
    for (i, j), (rows, cols) in _slices((kh, kw), strides, dilation_rate, (oh, ow)):
        for f in range(m):
            dx[:, rows, cols] += xp.multiply(g[f], kernel[i, j, :, f], out=tmp)
    return dx[(_ALL, *_inside(x.shape[1:3], pads))]


def _depthwise_vjp_kernel(xp, g, out, x, kernel, strides, padding, dilation_rate):
    kh, kw, c, m = kernel.shape
    pads, _, (oh, ow) = _depthwise_geometry(x, kernel, strides, padding, dilation_rate)
    xpad = _pad(xp, x, pads)
    g = _multiplier_first(xp, g, m)
    dk = xp.empty(kernel.shape, dtype=g.dtype)
    for (i, j), (rows, cols) in _slices((kh, kw), strides, dilation_rate, (oh, ow)):
        dk[i, j] = xp.einsum("nhwc,mnhwc->cm", xpad[:, rows, cols], g)
    return dk


def _lift_depthwise(x, kernel, strides, padding, dilation_rate):
    """A 1-D depthwise conv as a 2-D one of height 1: (N, L, C) -> (N, 1, L, C),
    (k, C, M) -> (1, k, C, M)."""
    return x[:, None], kernel[None], dict(strides=(1,) + strides, padding=padding,
                                          dilation_rate=(1,) + dilation_rate)


def _depthwise1d(xp, x, kernel, **attrs):
    x, kernel, attrs = _lift_depthwise(x, kernel, **attrs)
    return _depthwise(xp, x, kernel, **attrs)[:, 0]


def _depthwise1d_vjp_x(xp, g, out, x, kernel, **attrs):
    x, kernel, attrs = _lift_depthwise(x, kernel, **attrs)
    return _depthwise_vjp_x(xp, g[:, None], None, x, kernel, **attrs)[:, 0]


def _depthwise1d_vjp_kernel(xp, g, out, x, kernel, **attrs):
    x, kernel, attrs = _lift_depthwise(x, kernel, **attrs)
    return _depthwise_vjp_kernel(xp, g[:, None], None, x, kernel, **attrs)[0]


_depthwise_conv2d_op = defop("depthwise_conv2d", depthwise_shape, _depthwise, _depthwise_vjp_x,
                             _depthwise_vjp_kernel, dims=_depthwise_dims)
_depthwise_conv1d_op = defop("depthwise_conv1d", depthwise_shape, _depthwise1d,
                             _depthwise1d_vjp_x, _depthwise1d_vjp_kernel, dims=_depthwise_dims)


# ---- pooling: a loop over the pool_size window positions, each a strided view -------------
# Measured: for 2x2 pools on (64, 26, 26, 16), three np.maximum over strided views take 0.33
# ms, while reshaping to (N, OH, 2, OW, 2, C) and reducing axes (2, 4) takes 1.7 ms, so the
# views serve every case and there is no separate reshape path.

def _pool_geometry(shape, pool_size, strides, padding):
    ones = (1,) * len(pool_size)
    pads = _pads(shape[1:-1], pool_size, strides, padding, ones)
    return pads, _out_sizes(_grown(shape[1:-1], pads), pool_size, strides, ones)


def _max_pool(xp, x, pool_size, strides, padding):
    """The maximum of each window, and which window position (row by row) holds it first:
    the backward pass then needs one comparison a position, not four (measured: 2x2 pools
    of W3, forward+backward 1.6 -> 1.1 ms)."""
    pads, out_size = _pool_geometry(x.shape, pool_size, strides, padding)
    low = -xp.inf if x.dtype.kind == "f" else xp.iinfo(x.dtype).min
    x = _pad(xp, x, pads, low)                         # padded cells never win
    out = which = None
    wide = xp.uint8 if math.prod(pool_size) < 256 else xp.int32
    ones = (1,) * len(pool_size)
    for p, (_, where) in enumerate(_slices(pool_size, strides, ones, out_size)):
        view = x[(_ALL, *where)]
        if out is None:
            out = view.copy()
            continue
        later = xp.greater(view, out).astype(wide)     # a strictly larger value takes over
        xp.maximum(out, view, out=out)
        if which is None:
            which = later
        else:
            later *= wide(p)                           # positions only grow: the last wins
            xp.maximum(which, later, out=which)
    if which is None:                                  # 1x1 windows
        which = xp.zeros(out.shape, dtype=wide)
    return out, which


def _max_pool_vjp(xp, g, out, x, pool_size, strides, padding, saved):
    """g goes to the first maximum of each window (row by row), as TensorFlow and PyTorch."""
    pads, out_size = _pool_geometry(x.shape, pool_size, strides, padding)
    padded = _grown(x.shape[1:-1], pads)
    apart = all(s >= k for s, k in zip(strides, pool_size))      # windows don't overlap
    tiled = apart and all(o * s == n for o, s, n in zip(out_size, strides, padded))
    dx = (xp.empty if tiled else xp.zeros)((x.shape[0],) + padded + (x.shape[-1],),
                                           dtype=g.dtype)
    ones = (1,) * len(pool_size)
    for p, (_, where) in enumerate(_slices(pool_size, strides, ones, out_size)):
        if apart:
            xp.multiply(g, saved == p, out=dx[(_ALL, *where)])
        else:
            dx[(_ALL, *where)] += g * (saved == p)
    return dx[(_ALL, *_inside(x.shape[1:-1], pads))]


def _window_counts(xp, shape, pool_size, strides, pads, out_size, dtype):
    """(OH, OW, 1): how many real (unpadded) cells each window covers ((OD, OH, OW, 1) for
    volumes): the product of the counts along each axis."""
    total, r = 1, len(pool_size)
    for axis, (n, k, s, (b, _), o) in enumerate(zip(shape[1:-1], pool_size, strides, pads,
                                                    out_size)):
        start = xp.arange(o) * s - b
        count = (xp.minimum(start + k, n) - xp.maximum(start, 0)).astype(dtype)
        total = total * count[(_ALL,) + (None,) * (r - 1 - axis)]
    return total[..., None]


def _avg_pool(xp, x, pool_size, strides, padding):
    """The mean over each window's real cells: padding is not counted, as TensorFlow."""
    pads, out_size = _pool_geometry(x.shape, pool_size, strides, padding)
    if x.dtype.kind != "f":                  # a mean of ints is a float (was: truncated to 0)
        x = x.astype(numpy.float32)
    xpad = _pad(xp, x, pads)
    out = None
    for _, where in _slices(pool_size, strides, (1,) * len(pool_size), out_size):
        view = xpad[(_ALL, *where)]
        out = view.copy() if out is None else xp.add(out, view, out=out)
    if any(b or a for b, a in pads):
        return out / _window_counts(xp, x.shape, pool_size, strides, pads, out_size, x.dtype)
    out *= x.dtype.type(1.0 / math.prod(pool_size))
    return out


def _avg_pool_vjp(xp, g, out, x, pool_size, strides, padding):
    pads, out_size = _pool_geometry(x.shape, pool_size, strides, padding)
    if any(b or a for b, a in pads):
        g = g / _window_counts(xp, x.shape, pool_size, strides, pads, out_size, g.dtype)
    else:
        g = g * g.dtype.type(1.0 / math.prod(pool_size))
    dx = xp.zeros((x.shape[0],) + _grown(x.shape[1:-1], pads) + (x.shape[-1],), dtype=g.dtype)
    for _, where in _slices(pool_size, strides, (1,) * len(pool_size), out_size):
        dx[(_ALL, *where)] += g
    return dx[(_ALL, *_inside(x.shape[1:-1], pads))]


def _pool1d(pool2d):
    """The 2-D pooling forward on a height of 1: (N, L, C) -> (N, 1, L, C) -> (N, OL, C)."""
    def forward(xp, x, pool_size, strides, padding):
        return pool2d(xp, x[:, None], (1,) + pool_size, (1,) + strides, padding)[:, 0]
    return forward


def _pool1d_vjp(vjp2d):
    def vjp(xp, g, out, x, pool_size, strides, padding, **saved):
        return vjp2d(xp, g[:, None], out[:, None], x[:, None], (1,) + pool_size,
                     (1,) + strides, padding, **saved)[:, 0]
    return vjp


def _max_pool1d(xp, x, pool_size, strides, padding):
    out, which = _max_pool(xp, x[:, None], (1,) + pool_size, (1,) + strides, padding)
    return out[:, 0], which                            # which stays (N, 1, OL, C)


def _mean_dtype(x, **_):
    """A mean of integers is a float32, as Keras's average pooling."""
    return x if x.kind == "f" else numpy.dtype(numpy.float32)


_max_pool2d = defop("max_pool2d", pool_shape, _max_pool, _max_pool_vjp, dims=_keep_dims,
                    saves=True)
_max_pool3d = defop("max_pool3d", pool_shape, _max_pool, _max_pool_vjp, dims=_keep_dims,
                    saves=True)
_avg_pool2d = defop("avg_pool2d", pool_shape, _avg_pool, _avg_pool_vjp, dims=_keep_dims,
                    dtype=_mean_dtype)
_avg_pool3d = defop("avg_pool3d", pool_shape, _avg_pool, _avg_pool_vjp, dims=_keep_dims,
                    dtype=_mean_dtype)
_max_pool1d_op = defop("max_pool1d", pool_shape, _max_pool1d, _pool1d_vjp(_max_pool_vjp),
                       dims=_keep_dims, saves=True)
_avg_pool1d = defop("avg_pool1d", pool_shape, _pool1d(_avg_pool), _pool1d_vjp(_avg_pool_vjp),
                    dims=_keep_dims, dtype=_mean_dtype)


# ---- adaptive pooling: output_size windows whatever the input size ----------------------------
# Averaging is linear and separable: one (out, n) matrix per spatial axis whose row i holds
# 1 / size over window i. The maximum is not separable where windows tie (the first maximum
# of a 2x2 window, row by row, is not the first of its column maxima), so it gathers each
# window's cells and takes the first argmax, as PyTorch does.

def _adaptive_matrix(xp, size, out, dtype):
    """(out, size): row i averages window i's cells."""
    starts, ends = (xp.asarray(v)[:, None] for v in adaptive_bins(size, out))
    cells = xp.arange(size)
    return (((cells >= starts) & (cells < ends)) / (ends - starts)).astype(dtype)


def _along_axes(xp, x, mats):
    """x with spatial axis a contracted with mats[a] (out, n): (N, *n, C) -> (N, *out, C)."""
    for a, m in enumerate(mats, start=1):
        x = xp.moveaxis(xp.tensordot(m, x, axes=(1, a)), 0, a)
    return x


def _adaptive_avg(xp, x, output_size):
    dtype = x.dtype if x.dtype.kind == "f" else xp.float32
    return _along_axes(xp, x, [_adaptive_matrix(xp, n, o, dtype)
                               for n, o in zip(x.shape[1:-1], output_size)])


def _adaptive_avg_vjp(xp, g, out, x, output_size):
    return _along_axes(xp, g, [_adaptive_matrix(xp, n, o, g.dtype).T
                               for n, o in zip(x.shape[1:-1], output_size)])


def _window_cells(xp, size, out):
    """(out, K): the cells of each window along an axis, K its longest window; a shorter
    window repeats its last cell, which changes neither its max nor where that comes first."""
    starts, ends = adaptive_bins(size, out)
    k = max(e - s for s, e in zip(starts, ends))
    cells = xp.asarray(starts)[:, None] + xp.arange(k)
    return xp.minimum(cells, xp.asarray(ends)[:, None] - 1)


def _adaptive_max(xp, x, output_size):
    """Each window's maximum, and where it is (first, row by row) as a flat spatial index."""
    n, sizes, c, r = x.shape[0], x.shape[1:-1], x.shape[-1], len(output_size)
    cells = [_window_cells(xp, s, o) for s, o in zip(sizes, output_size)]
    grid = tuple(w.reshape((1,) * 2 * a + w.shape + (1,) * 2 * (r - 1 - a))
                 for a, w in enumerate(cells))
    patches = x[(_ALL,) + grid]                        # (N, o1, K1, o2, K2, ..., C)
    order = (0,) + tuple(range(1, 2 * r, 2)) + tuple(range(2, 2 * r + 1, 2)) + (2 * r + 1,)
    patches = patches.transpose(order).reshape((n,) + tuple(output_size) + (-1, c))
    first = patches.argmax(axis=-2)                    # (N, *out, C): NaN wins, as PyTorch
    out = xp.take_along_axis(patches, first[..., None, :], axis=-2)[..., 0, :]
    where = 0                                          # flat spatial index of each winner
    for a, (w, k) in enumerate(zip(cells, xp.unravel_index(first, [w.shape[1] for w in
                                                                   cells]))):
        rows = xp.arange(w.shape[0]).reshape((1,) * (a + 1) + (-1,) + (1,) * (r - a))
        where = where * sizes[a] + w[rows, k]
    return out, where


def _adaptive_max_vjp(xp, g, out, x, output_size, saved):
    """g goes to each window's first maximum; cells that two windows share add up."""
    n, c = x.shape[0], x.shape[-1]
    gx = xp.zeros((n, math.prod(x.shape[1:-1]), c), dtype=g.dtype)
    xp.add.at(gx, (xp.arange(n)[:, None, None], saved.reshape(n, -1, c), xp.arange(c)),
              g.reshape(n, -1, c))
    return gx.reshape(x.shape)


_adaptive_avg_pool1d = defop("adaptive_avg_pool1d", adaptive_pool_shape, _adaptive_avg,
                             _adaptive_avg_vjp, dims=_keep_dims, dtype=_mean_dtype)
_adaptive_avg_pool2d = defop("adaptive_avg_pool2d", adaptive_pool_shape, _adaptive_avg,
                             _adaptive_avg_vjp, dims=_keep_dims, dtype=_mean_dtype)
_adaptive_avg_pool3d = defop("adaptive_avg_pool3d", adaptive_pool_shape, _adaptive_avg,
                             _adaptive_avg_vjp, dims=_keep_dims, dtype=_mean_dtype)
_adaptive_max_pool1d = defop("adaptive_max_pool1d", adaptive_pool_shape, _adaptive_max,
                             _adaptive_max_vjp, dims=_keep_dims, saves=True)
_adaptive_max_pool2d = defop("adaptive_max_pool2d", adaptive_pool_shape, _adaptive_max,
                             _adaptive_max_vjp, dims=_keep_dims, saves=True)
_adaptive_max_pool3d = defop("adaptive_max_pool3d", adaptive_pool_shape, _adaptive_max,
                             _adaptive_max_vjp, dims=_keep_dims, saves=True)


# ---- upsample2d and upsample3d ---------------------------------------------------------------

def _with_repeats(sizes, size):
    """(H, sh, W, sw): each spatial size followed by its repeat count."""
    return tuple(v for pair in zip(sizes, size) for v in pair)


def _nearest(xp, x, size):
    """Each cell repeated size[i] times along spatial axis i."""
    n, sizes, c = x.shape[0], x.shape[1:-1], x.shape[-1]
    # (N, H, 1, W, 1, C) -> (N, H, sh, W, sw, C) -> (N, H*sh, W*sw, C)
    spread = x[(_ALL, *(v for _ in sizes for v in (_ALL, None)))]
    big = xp.broadcast_to(spread, (n,) + _with_repeats(sizes, size) + (c,))
    return big.reshape((n,) + tuple(m * s for m, s in zip(sizes, size)) + (c,))


def _nearest_vjp(xp, g, out, x, size):
    n, sizes, c = x.shape[0], x.shape[1:-1], x.shape[-1]
    repeats = tuple(range(2, 2 * len(sizes) + 1, 2))                # the sh, sw axes
    return g.reshape((n,) + _with_repeats(sizes, size) + (c,)).sum(axis=repeats)


def _bilinear_matrix(xp, n, scale, dtype):
    """(n * scale, n) weights of TensorFlow's half-pixel bilinear resize along one axis."""
    src = (xp.arange(n * scale, dtype=dtype) + 0.5) / scale - 0.5
    low = xp.floor(src)
    frac = (src - low)[:, None]
    cells = xp.arange(n)[None, :]
    below = xp.clip(low, 0, n - 1).astype(int)[:, None]
    above = xp.clip(low + 1, 0, n - 1).astype(int)[:, None]
    return (cells == below) * (1 - frac) + (cells == above) * frac


def _upsample(xp, x, size, interpolation):
    if interpolation == "nearest":
        return _nearest(xp, x, size)
    n, h, w, c = x.shape
    sh, sw = size
    rows = _bilinear_matrix(xp, h, sh, x.dtype)        # (H*sh, H)
    cols = _bilinear_matrix(xp, w, sw, x.dtype)        # (W*sw, W)
    y = (rows @ x.reshape(n, h, w * c)).reshape(n, h * sh, w, c)
    return cols @ y                                    # (W*sw, W) @ (N, H*sh, W, C)


def _upsample_vjp(xp, g, out, x, size, interpolation):
    if interpolation == "nearest":
        return _nearest_vjp(xp, g, out, x, size)
    n, h, w, c = x.shape
    sh, sw = size
    rows = _bilinear_matrix(xp, h, sh, g.dtype)
    cols = _bilinear_matrix(xp, w, sw, g.dtype)
    y = (cols.T @ g).reshape(n, h * sh, w * c)         # (N, H*sh, W, C)
    return (rows.T @ y).reshape(n, h, w, c)


_upsample2d = defop("upsample2d", upsample_shape, _upsample, _upsample_vjp, dims=_keep_dims)
_upsample3d = defop("upsample3d", upsample_shape, _nearest, _nearest_vjp, dims=_keep_dims)


# ---- the public functions: options checked and made tuples here ---------------------------

def _ints(value, n, name, op, low=1):
    """An int or n ints as a tuple of n ints >= `low`, or a ValueError saying what's wrong."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value,) * n
    try:
        ints = tuple(operator.index(v) for v in items if not isinstance(v, bool))
    except TypeError:
        ints = ()
    if len(ints) == n == len(items) and min(ints) >= low:
        return ints
    what = "positive" if low == 1 else "non-negative"
    example = "1 keeps every position, 2 halves the size" if name == "strides" else \
        f"e.g. {name}=2"
    raise ValueError(f"{op} got {name}={value!r}, but {name} must be a {what} int or a tuple "
                     f"of {n} {what} ints ({example}).")


def _padding(padding, op, allowed=("valid", "same")):
    choice = padding.lower() if isinstance(padding, str) else padding
    if choice not in allowed:
        listed = " or ".join(repr(a) for a in allowed)
        raise ValueError(f"{op} got padding={padding!r}. Expected {listed}: 'valid' keeps only "
                         "windows that fit inside the input, 'same' pads so that the output "
                         "size is ceil(input size / strides).")
    return choice


def conv2d(x, kernel, strides=1, padding="valid", dilation_rate=1):
    """2-D convolution of (N, H, W, C_in) with a (kh, kw, C_in, C_out) kernel, as Keras's
    Conv2D without its bias: -> (N, OH, OW, C_out). "same" gives OH = ceil(H / strides)."""
    return _conv2d_op(x, kernel, strides=_ints(strides, 2, "strides", "conv2d"),
                      padding=_padding(padding, "conv2d"),
                      dilation_rate=_ints(dilation_rate, 2, "dilation_rate", "conv2d"))


def conv3d(x, kernel, strides=1, padding="valid", dilation_rate=1):
    """3-D convolution of volumes (N, D, H, W, C_in) (video clips, medical scans) with a
    (kd, kh, kw, C_in, C_out) kernel, as Keras's Conv3D without its bias:
    -> (N, OD, OH, OW, C_out). "same" gives OD = ceil(D / strides), and so on."""
    return _conv3d_op(x, kernel, strides=_ints(strides, 3, "strides", "conv3d"),
                      padding=_padding(padding, "conv3d"),
                      dilation_rate=_ints(dilation_rate, 3, "dilation_rate", "conv3d"))


def conv1d(x, kernel, strides=1, padding="valid", dilation_rate=1):
    """1-D convolution of (N, L, C_in) with a (k, C_in, C_out) kernel, as Keras's Conv1D:
    -> (N, OL, C_out). "causal" pads (k - 1) * dilation_rate steps on the left only, so an
    output step never sees later input steps."""
    return _conv1d_op(x, kernel, strides=_ints(strides, 1, "strides", "conv1d"),
                      padding=_padding(padding, "conv1d", ("valid", "same", "causal")),
                      dilation_rate=_ints(dilation_rate, 1, "dilation_rate", "conv1d"))


def _transpose_args(op, n, strides, padding, output_padding, dilation_rate):
    strides = _ints(strides, n, "strides", op)
    if output_padding is not None:
        output_padding = _ints(output_padding, n, "output_padding", op, low=0)
        if any(p >= s for p, s in zip(output_padding, strides)):
            raise ValueError(f"{op} got output_padding={output_padding} with "
                             f"strides={strides}: each output_padding must be smaller than "
                             "its stride (it picks one of the `stride` sizes that a strided "
                             "convolution maps to the same output size).")
    return dict(strides=strides, padding=_padding(padding, op), output_padding=output_padding,
                dilation_rate=_ints(dilation_rate, n, "dilation_rate", op))


def conv2d_transpose(x, kernel, strides=1, padding="valid", output_padding=None,
                     dilation_rate=1):
    """Transposed convolution of (N, H, W, C_in) with a (kh, kw, C_out, C_in) kernel (Keras's
    Conv2DTranspose layout): the gradient of conv2d for its input, so it maps conv2d's
    output shape back to its input shape. -> (N, OH, OW, C_out), OH = H * strides for
    "same", (H - 1) * strides + kh for "valid" (Keras's ``deconv_output_length``)."""
    return _conv2d_transpose_op(x, kernel, **_transpose_args(
        "conv2d_transpose", 2, strides, padding, output_padding, dilation_rate))


def conv1d_transpose(x, kernel, strides=1, padding="valid", output_padding=None,
                     dilation_rate=1):
    """Transposed 1-D convolution of (N, L, C_in) with a (k, C_out, C_in) kernel (Keras's
    Conv1DTranspose layout), the gradient of conv1d for its input: -> (N, OL, C_out),
    OL = L * strides for "same", (L - 1) * strides + k for "valid"."""
    return _conv1d_transpose_op(x, kernel, **_transpose_args(
        "conv1d_transpose", 1, strides, padding, output_padding, dilation_rate))


def conv3d_transpose(x, kernel, strides=1, padding="valid", output_padding=None,
                     dilation_rate=1):
    """Transposed 3-D convolution of (N, D, H, W, C_in) with a (kd, kh, kw, C_out, C_in)
    kernel (Keras's Conv3DTranspose layout), the gradient of conv3d for its input:
    -> (N, OD, OH, OW, C_out), OD = D * strides for "same", (D - 1) * strides + kd for
    "valid"."""
    return _conv3d_transpose_op(x, kernel, **_transpose_args(
        "conv3d_transpose", 3, strides, padding, output_padding, dilation_rate))


def depthwise_conv2d(x, kernel, strides=1, padding="valid", dilation_rate=1):
    """Depthwise 2-D convolution of (N, H, W, C) with a (kh, kw, C, M) kernel, as Keras's
    DepthwiseConv2D without its bias: channel c is convolved with its own M filters only,
    -> (N, OH, OW, C * M), output channel c * M + m from kernel[..., c, m]."""
    return _depthwise_conv2d_op(
        x, kernel, strides=_ints(strides, 2, "strides", "depthwise_conv2d"),
        padding=_padding(padding, "depthwise_conv2d"),
        dilation_rate=_ints(dilation_rate, 2, "dilation_rate", "depthwise_conv2d"))


def depthwise_conv1d(x, kernel, strides=1, padding="valid", dilation_rate=1):
    """Depthwise 1-D convolution of (N, L, C) with a (k, C, M) kernel, as Keras's
    DepthwiseConv1D without its bias: -> (N, OL, C * M), output channel c * M + m from
    kernel[:, c, m]."""
    return _depthwise_conv1d_op(
        x, kernel, strides=_ints(strides, 1, "strides", "depthwise_conv1d"),
        padding=_padding(padding, "depthwise_conv1d"),
        dilation_rate=_ints(dilation_rate, 1, "dilation_rate", "depthwise_conv1d"))


def _pool_args(op, n, pool_size, strides, padding):
    pool_size = _ints(pool_size, n, "pool_size", op)
    strides = pool_size if strides is None else _ints(strides, n, "strides", op)
    return dict(pool_size=pool_size, strides=strides, padding=_padding(padding, op))


def max_pool2d(x, pool_size=2, strides=None, padding="valid"):
    """The largest value of each pool_size window of (N, H, W, C); strides default to
    pool_size, so 2x2 windows halve H and W."""
    return _max_pool2d(x, **_pool_args("max_pool2d", 2, pool_size, strides, padding))


def avg_pool2d(x, pool_size=2, strides=None, padding="valid"):
    """The mean of each pool_size window of (N, H, W, C). With padding="same" the padded
    cells are left out of the mean, as TensorFlow does."""
    return _avg_pool2d(x, **_pool_args("avg_pool2d", 2, pool_size, strides, padding))


def max_pool3d(x, pool_size=2, strides=None, padding="valid"):
    """The largest value of each pool_size window of volumes (N, D, H, W, C); strides
    default to pool_size, so 2x2x2 windows halve D, H and W."""
    return _max_pool3d(x, **_pool_args("max_pool3d", 3, pool_size, strides, padding))


def avg_pool3d(x, pool_size=2, strides=None, padding="valid"):
    """The mean of each pool_size window of volumes (N, D, H, W, C), padded cells left out
    of the mean with padding="same", as TensorFlow does."""
    return _avg_pool3d(x, **_pool_args("avg_pool3d", 3, pool_size, strides, padding))


def max_pool1d(x, pool_size=2, strides=None, padding="valid"):
    """The largest value of each window of pool_size steps of (N, L, C)."""
    return _max_pool1d_op(x, **_pool_args("max_pool1d", 1, pool_size, strides, padding))


def avg_pool1d(x, pool_size=2, strides=None, padding="valid"):
    """The mean of each window of pool_size steps of (N, L, C), padding left out."""
    return _avg_pool1d(x, **_pool_args("avg_pool1d", 1, pool_size, strides, padding))


def upsample2d(x, size=2, interpolation="nearest"):
    """(N, H, W, C) -> (N, H * sh, W * sw, C), as Keras's UpSampling2D: "nearest" repeats
    each pixel; "bilinear" interpolates with TensorFlow's half-pixel centres."""
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError(f"upsample2d got interpolation={interpolation!r}. Expected "
                         "'nearest' or 'bilinear'.")
    return _upsample2d(x, size=_ints(size, 2, "size", "upsample2d"),
                       interpolation=interpolation)


def upsample3d(x, size=2):
    """(N, D, H, W, C) -> (N, D * sd, H * sh, W * sw, C), as Keras's UpSampling3D: each
    cell repeated (nearest neighbour, the only interpolation Keras has for volumes)."""
    return _upsample3d(x, size=_ints(size, 3, "size", "upsample3d"))


def _adaptive(op, n, x, output_size):
    return op(x, output_size=_ints(output_size, n, "output_size", op.name))


def adaptive_avg_pool1d(x, output_size):
    """The mean of each of `output_size` windows over the steps of (N, L, C), for any L:
    -> (N, output_size, C). Window i covers steps [floor(i * L / out), ceil((i + 1) * L /
    out)), as Keras's AdaptiveAveragePooling1D and PyTorch."""
    return _adaptive(_adaptive_avg_pool1d, 1, x, output_size)


def adaptive_avg_pool2d(x, output_size):
    """The mean of each of output_size = (oh, ow) windows of (N, H, W, C), for any H and W:
    -> (N, oh, ow, C), as Keras's AdaptiveAveragePooling2D (windows as adaptive_bins)."""
    return _adaptive(_adaptive_avg_pool2d, 2, x, output_size)


def adaptive_avg_pool3d(x, output_size):
    """The mean of each of output_size = (od, oh, ow) windows of volumes (N, D, H, W, C):
    -> (N, od, oh, ow, C), as Keras's AdaptiveAveragePooling3D."""
    return _adaptive(_adaptive_avg_pool3d, 3, x, output_size)


def adaptive_max_pool1d(x, output_size):
    """The largest value of each of `output_size` windows over the steps of (N, L, C):
    -> (N, output_size, C). The gradient goes to each window's first maximum."""
    return _adaptive(_adaptive_max_pool1d, 1, x, output_size)


def adaptive_max_pool2d(x, output_size):
    """The largest value of each of output_size = (oh, ow) windows of (N, H, W, C):
    -> (N, oh, ow, C). The gradient goes to each window's first maximum, row by row, as
    PyTorch (Keras's JAX backend picks the first of the column maxima instead)."""
    return _adaptive(_adaptive_max_pool2d, 2, x, output_size)


def adaptive_max_pool3d(x, output_size):
    """The largest value of each of output_size = (od, oh, ow) windows of volumes
    (N, D, H, W, C): -> (N, od, oh, ow, C); the gradient goes to each window's first
    maximum, as PyTorch."""
    return _adaptive(_adaptive_max_pool3d, 3, x, output_size)
