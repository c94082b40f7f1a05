"""Image ops, channels last as Keras's ``keras.ops.image``: one image (H, W, C) or a batch
(N, H, W, C).

``resize`` (behind the Resizing, CenterCrop and RandomCrop layers) weighs each output pixel
from the input pixels around its centre, one axis at a time: a (new, old) matrix per axis,
built as ``jax.image.resize`` (what Keras's JAX backend runs) and TensorFlow build theirs,
with half-pixel centres. The backward pass is the same two products, transposed.

``affine_transform`` (behind RandomRotation, RandomZoom and RandomTranslation) reads each
output pixel (x, y) at the input point ``(a0 x + a1 y + a2, b0 x + b1 y + b2)`` of its
image's transform ``[a0, a1, a2, b0, b1, b2, c0, c1]``, as Keras and TensorFlow: the nearest
pixel, or bilinearly from the four around it. Points outside the image read by `fill_mode`:
"constant" (fill_value), "nearest" (the edge pixel), "wrap" (the other side), "reflect"
(d c b a | a b c d | d c b a) or "mirror" (d c b | a b c d | c b a).
"""

import functools

import numpy

from ..errors import ShapeError, format_shape
from ..tensor import Tensor, constant_like, defop, tensor
from .indexing import getitem
from .shape import cast, pad

__all__ = ["resize", "affine_transform"]

RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5")
AFFINE_INTERPOLATIONS = ("nearest", "bilinear")
FILL_MODES = ("constant", "nearest", "wrap", "reflect", "mirror")
_LAYOUT = "(height, width, channels) or a batch (batch, height, width, channels)"


def _check_image(op, x):
    """A ShapeError unless x is one image (H, W, C) or a batch of them (N, H, W, C)."""
    if len(x) in (3, 4) and not (len(x) == 3 and x[0] is None):
        return
    if len(x) == 2:
        fix = f"one grey image without its channel axis: x[..., None] makes it " \
              f"{format_shape(tuple(x) + (1,))}."
    elif len(x) == 3:                                   # (None, H, W): a batch of grey images
        fix = f"a batch without a channel axis: add one: x[..., None] makes it " \
              f"{format_shape(tuple(x) + (1,))}."
    elif len(x) > 4:
        fix = "fold the extra leading axes into the batch with a reshape."
    else:
        fix = "give it the layout (height, width, channels)."
    raise ShapeError(f"the input has rank {len(x)} but {op} needs one image {_LAYOUT}.",
                     expected=f"an input of rank 3 or 4: {_LAYOUT}", fix=fix)


# ---- resize ----------------------------------------------------------------------------------

def resize_shape(x, size, interpolation, antialias):
    """(..., H, W, C) -> (..., height, width, C).

    >>> resize_shape((None, 180, 240, 3), size=(90, 120), interpolation="bilinear",
    ...              antialias=False)
    (None, 90, 120, 3)
    >>> resize_shape((7, 5, 1), size=(14, 10), interpolation="nearest", antialias=False)
    (14, 10, 1)
    """
    _check_image("resize", x)
    return tuple(x[:-3]) + tuple(size) + (x[-1],)


def _keys_cubic(d):                                      # Keys's kernel, a = -0.5
    near = ((1.5 * d - 2.5) * d) * d + 1.0
    far = ((-0.5 * d + 2.5) * d - 4.0) * d + 2.0
    return numpy.where(d >= 2.0, 0.0, numpy.where(d >= 1.0, far, near))


def _lanczos(radius):
    def kernel(d):
        y = radius * numpy.sin(numpy.pi * d) * numpy.sin(numpy.pi * d / radius)
        out = numpy.where(d > 1e-3, y / numpy.where(d != 0, numpy.pi ** 2 * d ** 2, 1), 1.0)
        return numpy.where(d > radius, 0.0, out)
    return kernel


_KERNELS = {"bilinear": lambda d: numpy.maximum(0.0, 1.0 - d), "bicubic": _keys_cubic,
            "lanczos3": _lanczos(3.0), "lanczos5": _lanczos(5.0)}


@functools.lru_cache(maxsize=64)
def resize_weights(n_in, n_out, interpolation, antialias=False):
    """(n_out, n_in) float32 weights of one axis, as jax.image.resize computes them: output
    pixel i samples the input at (i + 0.5) * n_in / n_out - 0.5 (half-pixel centres).

    >>> resize_weights(2, 4, "bilinear").tolist()
    [[1.0, 0.0], [0.75, 0.25], [0.25, 0.75], [0.0, 1.0]]
    >>> resize_weights(4, 2, "nearest").tolist()
    [[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]]
    """
    f32 = numpy.float32
    if interpolation == "nearest":
        src = numpy.floor((numpy.arange(n_out, dtype=f32) + f32(0.5)) * f32(n_in) / f32(n_out))
        return (src.astype(int)[:, None] == numpy.arange(n_in)[None, :]).astype(f32)
    inv_scale = f32(1.0) / f32(n_out / n_in)
    sample = (numpy.arange(n_out, dtype=f32) + f32(0.5)) * inv_scale - f32(0.5)
    stretch = max(inv_scale, f32(1.0)) if antialias else f32(1.0)     # widen to low-pass
    w = _KERNELS[interpolation](numpy.abs(sample[:, None] - numpy.arange(n_in, dtype=f32))
                                / stretch).astype(f32)
    total = w.sum(axis=1, keepdims=True)                 # weights off the image are dropped
    w = numpy.where(numpy.abs(total) > 1000 * numpy.finfo(f32).eps,
                    w / numpy.where(total != 0, total, 1), 0)
    inside = (sample >= -0.5) & (sample <= n_in - 0.5)
    return numpy.where(inside[:, None], w, 0).astype(f32)


def _axis_weights(xp, n_in, n_out, interpolation, antialias, dtype):
    """The axis's matrix on the device, or None where the size stays (as jax, no resampling)."""
    if n_in == n_out:
        return None
    return xp.asarray(resize_weights(n_in, n_out, interpolation, antialias), dtype=dtype)


def _resize(xp, x, size, interpolation, antialias):
    *lead, h, w, c = x.shape
    rows = _axis_weights(xp, h, size[0], interpolation, antialias, x.dtype)   # (oh, H)
    cols = _axis_weights(xp, w, size[1], interpolation, antialias, x.dtype)   # (ow, W)
    if rows is not None:             # (oh, H) @ (..., H, W*C) -> (..., oh, W, C)
        x = (rows @ x.reshape(*lead, h, w * c)).reshape(*lead, size[0], w, c)
    if cols is not None:             # (ow, W) @ (..., oh, W, C) -> (..., oh, ow, C)
        x = cols @ x
    return x


def _resize_vjp(xp, g, out, x, size, interpolation, antialias):
    *lead, h, w, c = x.shape
    rows = _axis_weights(xp, h, size[0], interpolation, antialias, g.dtype)
    cols = _axis_weights(xp, w, size[1], interpolation, antialias, g.dtype)
    if cols is not None:             # (W, ow) @ (..., oh, ow, C) -> (..., oh, W, C)
        g = cols.T @ g
    if rows is not None:             # (H, oh) @ (..., oh, W*C) -> (..., H, W, C)
        g = (rows.T @ g.reshape(*lead, size[0], w * c)).reshape(x.shape)
    return g


def _keep_dims(shapes, dims, **_):
    return dims[0]


_resize_op = defop("resize", resize_shape, _resize, _resize_vjp, dims=_keep_dims)


def _as_tensor(x):
    return x if isinstance(x, Tensor) else tensor(x)


def positive_pair(value):
    """(height, width) as two ints when `value` is two positive integers, else None."""
    try:
        ok = len(value) == 2 and all(isinstance(n, (int, numpy.integer)) and
                                     not isinstance(n, bool) and n > 0 for n in value)
    except TypeError:
        ok = False
    return (int(value[0]), int(value[1])) if ok else None


def _size(size):
    pair = positive_pair(size)
    if pair is None:
        raise ValueError("resize expects size to be two positive integers (height, width). "
                         f"Received: size={size!r}")
    return pair


def aspect_box(height, width, target_height, target_width):
    """(top, left, crop height, crop width) of the largest centred window of the target's
    aspect ratio, with Keras's integer rounding (its crop_to_aspect_ratio and smart_resize).

    >>> aspect_box(340, 500, 200, 200)
    (0, 80, 340, 340)
    """
    crop_h = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_w = max(min(width, int(float(height * target_width) / target_height)), 1)
    return int(float(height - crop_h) / 2), int(float(width - crop_w) / 2), crop_h, crop_w


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resize one image (H, W, C) or a batch (N, H, W, C) to ``size=(height, width)``, as
    ``keras.ops.image.resize``: "bilinear" (default), "nearest", "bicubic", "lanczos3" or
    "lanczos5", half-pixel centres. ``crop_to_aspect_ratio`` first takes the largest centred
    window of the target's aspect ratio; ``pad_to_aspect_ratio`` pads the short side evenly
    with `fill_value` instead. Integer images come back as float32 (Resizing rounds them).
    """
    size = _size(size)
    if interpolation not in RESIZE_INTERPOLATIONS:
        raise ValueError(f"resize expects interpolation to be one of {RESIZE_INTERPOLATIONS}. "
                         f"Received: interpolation={interpolation!r}")
    if fill_mode != "constant":
        raise ValueError("resize pads only with fill_mode='constant' (fill_value), as Keras. "
                         f"Received: fill_mode={fill_mode!r}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("resize takes crop_to_aspect_ratio=True or pad_to_aspect_ratio=True, "
                         "not both. Fix: pick one.")
    if data_format not in (None, "channels_last"):
        raise ValueError("resize supports only data_format='channels_last' (..., height, "
                         f"width, channels). Received: data_format={data_format!r}")
    images = _as_tensor(images)
    _check_shape("resize", images.shape)
    if images.dtype.kind not in "fc":
        images = cast(images, "float32")
    if crop_to_aspect_ratio or pad_to_aspect_ratio:
        height, width = images.shape[-3], images.shape[-2]
        if height is None or width is None:
            raise ValueError("resize needs the height and width to crop or pad to an aspect "
                             f"ratio. Received: images.shape={format_shape(images.shape)}")
    if crop_to_aspect_ratio:
        top, left, h, w = aspect_box(height, width, *size)
        images = getitem(images, (Ellipsis, slice(top, top + h), slice(left, left + w),
                                  slice(None)))
    elif pad_to_aspect_ratio:
        pad_h = max(height, int(float(width * size[0]) / size[1]))
        pad_w = max(width, int(float(height * size[1]) / size[0]))
        top, left = int((pad_h - height) / 2), int((pad_w - width) / 2)
        if top > 0 or left > 0:                     # the same on both sides, as Keras
            widths = [(0, 0)] * (images.ndim - 3) + [(top, top), (left, left), (0, 0)]
            images = pad(images, widths, constant_values=fill_value)
    return _resize_op(images, size=size, interpolation=interpolation, antialias=bool(antialias))


def _check_shape(op, shape):
    try:
        _check_image(op, shape)
    except ShapeError as e:
        raise e.at(op, (tuple(shape),), None, None) from None


# ---- affine_transform ------------------------------------------------------------------------

def affine_shape(images, transform, interpolation, fill_mode, fill_value):
    """Images keep their shape; one transform of 8 numbers, or one per image.

    >>> affine_shape((None, 32, 32, 3), (None, 8), interpolation="bilinear",
    ...              fill_mode="reflect", fill_value=0.0)
    (None, 32, 32, 3)
    """
    _check_image("affine_transform", images)
    batch = images[0] if len(images) == 4 else 1
    if len(transform) not in (1, 2) or transform[-1] != 8 or (
            len(transform) == 2 and None not in (batch, transform[0]) and
            transform[0] != batch):
        raise ShapeError(f"the transform {format_shape(transform)} does not fit images "
                         f"{format_shape(images)}.",
                         expected=f"a transform (8,) for every image, or ({batch}, 8): one "
                                  "per image",
                         fix="give [a0, a1, a2, b0, b1, b2, 0, 0] per image.")
    return tuple(images)


def _fix(xp, index, size, fill_mode):
    """Where an index outside [0, size) reads, by fill_mode (as jax.scipy.ndimage)."""
    if fill_mode == "wrap":
        return index % size
    if fill_mode in ("reflect", "mirror"):
        if fill_mode == "reflect":        # half-sample symmetric: a mirror of twice the size
            return (_mirror(xp, 2 * index + 1, 2 * size + 1) - 1) // 2
        return _mirror(xp, index, size)
    return xp.clip(index, 0, size - 1)    # "nearest"; "constant" reads fill_value instead


def _mirror(xp, index, size):
    if size == 1:
        return xp.zeros_like(index)
    s = size - 1
    return xp.abs((index + s) % (2 * s) - s)


def _taps(xp, shape, transform, interpolation, fill_mode):
    """The pixels each output pixel reads: [(flat index (N, H, W), weight (N, H, W))], the
    weight 0 where "constant" reads fill_value."""
    n, h, w, _ = shape
    t = xp.broadcast_to(transform.reshape(-1, 8), (n, 8)).astype(numpy.float32)
    a0, a1, a2, b0, b1, b2 = (t[:, i, None, None] for i in range(6))
    y = xp.arange(h, dtype=numpy.float32)[None, :, None]
    x = xp.arange(w, dtype=numpy.float32)[None, None, :]
    rows, cols = (y * b1 + x * b0) + b2, (y * a1 + x * a0) + a2       # (N, H, W) each
    if interpolation == "nearest":
        nearest = lambda v: xp.sign(v) * xp.floor(xp.abs(v) + 0.5)  # noqa: E731 (halves away)
        per_axis = [[(nearest(rows).astype(numpy.int64), 1.0)],
                    [(nearest(cols).astype(numpy.int64), 1.0)]]
    else:
        per_axis = []
        for v in (rows, cols):
            low = xp.floor(v)
            frac = v - low
            low = low.astype(numpy.int64)
            per_axis.append([(low, 1.0 - frac), (low + 1, frac)])
    batch = xp.arange(n)[:, None, None] * (h * w)
    taps = []
    for r, wr in per_axis[0]:
        for c, wc in per_axis[1]:
            weight = wr * wc * xp.ones((n, h, w), numpy.float32)
            if fill_mode == "constant":
                weight = weight * ((r >= 0) & (r < h) & (c >= 0) & (c < w))
            flat = batch + _fix(xp, r, h, fill_mode) * w + _fix(xp, c, w, fill_mode)
            taps.append((flat, weight))
    return taps


def _affine(xp, images, transform, interpolation, fill_mode, fill_value):
    shape = images.shape if images.ndim == 4 else (1,) + images.shape
    pixels = images.reshape(-1, shape[-1])                          # (N*H*W, C)
    taps = _taps(xp, shape, transform, interpolation, fill_mode)
    out = 0
    for flat, weight in taps:
        out = out + weight[..., None] * pixels[flat]                 # (N, H, W, C)
    if fill_mode == "constant" and fill_value != 0:     # what the weights left to fill_value
        out = out + (1 - sum(weight for _, weight in taps))[..., None] * fill_value
    return out.astype(images.dtype).reshape(images.shape), taps


def _affine_vjp(xp, g, out, images, transform, interpolation, fill_mode, fill_value, saved):
    c = images.shape[-1]
    gx = xp.zeros((images.size // c, c), dtype=g.dtype)
    g = g.reshape(-1, c)
    for flat, weight in saved:                          # each tap's share goes back
        xp.add.at(gx, flat.reshape(-1), g * weight.reshape(-1, 1).astype(g.dtype))
    return gx.reshape(images.shape)


_affine_op = defop("affine_transform", affine_shape, _affine, _affine_vjp, None,
                   dims=_keep_dims, saves=True)


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0.0, data_format=None):
    """Move each image by its transform ``[a0, a1, a2, b0, b1, b2, c0, c1]`` (one of 8, or
    one per image), as ``keras.ops.image.affine_transform``: output pixel (x, y) reads the
    input at ``(a0 x + a1 y + a2, b0 x + b1 y + b2)``. The projective c0, c1 must be 0.
    `interpolation`: "bilinear" or "nearest"; `fill_mode` for points outside the image:
    "constant" (`fill_value`), "nearest", "wrap", "reflect" or "mirror". The gradient flows
    to the images, not to the transform.
    """
    if interpolation not in AFFINE_INTERPOLATIONS:
        raise ValueError(f"affine_transform expects interpolation to be one of "
                         f"{AFFINE_INTERPOLATIONS}. Received: interpolation={interpolation!r}")
    if fill_mode not in FILL_MODES:
        raise ValueError(f"affine_transform expects fill_mode to be one of {FILL_MODES}. "
                         f"Received: fill_mode={fill_mode!r}")
    if data_format not in (None, "channels_last"):
        raise ValueError("affine_transform supports only data_format='channels_last'. "
                         f"Received: data_format={data_format!r}")
    images = _as_tensor(images)
    if images.dtype.kind not in "fc":
        images = cast(images, "float32")
    if not isinstance(transform, Tensor):
        transform = constant_like(numpy.asarray(transform, dtype=numpy.float32), images)
    values = transform.numpy() if transform.data is not None else None
    if values is not None and values.shape[-1:] == (8,) and numpy.any(values[..., 6:] != 0):
        raise ValueError("affine_transform does only affine moves: c0 and c1 (the last two of "
                         "the 8 numbers) must be 0. Received: "
                         f"{values.reshape(-1, 8)[:, 6:].tolist()}")
    return _affine_op(images, transform, interpolation=interpolation, fill_mode=fill_mode,
                      fill_value=float(fill_value))

