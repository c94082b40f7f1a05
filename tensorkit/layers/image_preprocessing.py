"""Image preprocessing and augmentation layers, channels last as Keras 3: Resizing,
CenterCrop, RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomContrast,
RandomBrightness and RandomCrop (Keras 3.15's newer augmentations, built on these classes,
are in image_augmentation.py).

Each takes a batch (N, H, W, C) or, as Keras, one image (H, W, C). The random layers change
the images only while training: ``fit`` calls them with ``training=True``, ``predict`` and
``evaluate`` with ``training=False`` (then they pass the images through, as float32). Called
directly, ``layer(images)`` trains, as Keras's layers do, so it augments.

Their random numbers come from ``tk.random`` (``tk.random.seed(n)`` repeats a run), or from
their own stream when given ``seed=``. Each splits in two, as Keras:
``get_random_transformation(images)`` draws the numbers (a dict of Keras's keys), and
``transform_images(images, transformation)`` applies them, so a fixed transformation gives
Keras's exact output.
"""

import math

import numpy

from .. import ops, random
from ..errors import ShapeError
from ..ops.image import RESIZE_INTERPOLATIONS, _check_image, aspect_box
from ..tensor import Tensor, constant_like, tensor
from .base import Layer, check_seed
from .convolutional import check_data_format

__all__ = ["Resizing", "CenterCrop", "RandomFlip", "RandomRotation", "RandomZoom",
           "RandomTranslation", "RandomContrast", "RandomBrightness", "RandomCrop"]

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


def _size(layer, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)) or value < 1:
        raise ValueError(f"{layer} expects {name} to be a positive integer (pixels). "
                         f"Received: {name}={value!r}")
    return int(value)


def _choice(layer, name, value, allowed):
    if value not in allowed:
        raise ValueError(f"{layer} expects {name} to be one of {', '.join(map(repr, allowed))}."
                         f" Received: {name}={value!r}")
    return value


def _factor(layer, name, factor, low, high, open_low=False, example=None):
    """(lower, upper) from a number f (-f, f; clipped at `low`) or a pair, as Keras checks it."""
    def bad(v):
        return isinstance(v, bool) or not isinstance(v, (int, float)) or v > high or \
            v < low or (open_low and v == low)

    if isinstance(factor, (tuple, list)) and len(factor) == 2 and not any(map(bad, factor)):
        return tuple(sorted(factor))
    if not isinstance(factor, (tuple, list)) and not bad(factor):
        return max(-abs(factor), low), abs(factor)
    bounds = f"({low}, {high}]" if open_low else f"[{low}, {high}]"
    of = " of a full turn" if layer == "RandomRotation" else ""
    example = example or f"{name}=0.2 (a fraction{of})"
    raise ValueError(f"{layer} expects {name} to be a number or a pair of numbers in "
                     f"{bounds}. Received: {name}={factor!r}. Fix: e.g. {example}.")


def _float(images, dtype):
    """The images as the layer's dtype: a new tensor, as Keras casts to its compute dtype."""
    return ops.cast(images if isinstance(images, Tensor) else tensor(images), dtype)


def _known_size(kind, images):
    """(height, width) of images whose size a crop needs to know."""
    h, w = images.shape[-3], images.shape[-2]
    if h is None or w is None:
        raise ValueError(f"{kind} needs to know the image size. Received: images.shape="
                         f"{images.shape}. Fix: give Input its height and width.")
    return h, w


class _ImageLayer(Layer):
    """What the image layers share: the input check and channels last. (Called directly,
    the random ones train: training=None resolves to their call's default, True.)"""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = check_data_format(type(self).__name__, data_format)

    def _check(self, shape):
        try:
            _check_image(type(self).__name__, tuple(shape))
        except ShapeError as e:
            raise e.at(type(self).__name__, (tuple(shape),), None, self.name) from None

    def build(self, input_shape):
        self._check(input_shape)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class _RandomLayer(_ImageLayer):
    """An augmentation: draws a transformation per call while training, else passes the
    images through (as float)."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = check_seed(self, seed)
        self._generator = None if seed is None else numpy.random.default_rng(seed)

    def _rng(self):
        return self._generator if self._generator is not None else random.generator()

    def call(self, inputs, training=True):
        self._check(inputs.shape)
        images = _float(inputs, self.dtype)
        if not training or images.data is None:           # symbolic: the shape is all
            return images
        return self.transform_images(images, self.get_random_transformation(images))

    @staticmethod
    def _batch(images):
        """The number of images, and whether they came as one image (H, W, C)."""
        return (1, True) if images.ndim == 3 else (images.shape[0], False)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


# ---- deterministic ---------------------------------------------------------------------------

class Resizing(_ImageLayer):
    """Resize images to (height, width): (N, H, W, C) -> (N, height, width, C), with Keras's
    (and TensorFlow's) half-pixel centres, no antialiasing unless asked. Integer images stay
    integers (rounded). ``crop_to_aspect_ratio=True`` first crops the largest centred window
    of the target's shape; ``pad_to_aspect_ratio=True`` pads evenly with `fill_value`."""

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = _size("Resizing", "height", height), \
            _size("Resizing", "width", width)
        self.interpolation = _choice("Resizing", "interpolation", interpolation,
                                     RESIZE_INTERPOLATIONS)
        self.fill_mode = _choice("Resizing", "fill_mode", fill_mode, ("constant",))
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Resizing takes crop_to_aspect_ratio=True or "
                             "pad_to_aspect_ratio=True, not both. Fix: pick one.")
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_value, self.antialias = fill_value, bool(antialias)

    def call(self, inputs):
        self._check(inputs.shape)
        out = ops.resize(inputs, (self.height, self.width), self.interpolation, self.antialias,
                         self.crop_to_aspect_ratio, self.pad_to_aspect_ratio,
                         fill_value=self.fill_value)
        if inputs.dtype.kind in "iub":                  # back to the integers, as Keras
            info = numpy.iinfo(inputs.dtype) if inputs.dtype.kind != "b" else None
            out = ops.round(out) if info is None else ops.clip(ops.round(out), info.min,
                                                               info.max)
            return ops.cast(out, inputs.dtype)
        return out if out.dtype == self.dtype else ops.cast(out, self.dtype)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}


def smart_resize(images, height, width):
    """The largest centred window of the target's shape, resized to (height, width)
    bilinearly: Keras's ``smart_resize``, behind CenterCrop of small images."""
    top, left, h, w = aspect_box(images.shape[-3], images.shape[-2], height, width)
    window = images[..., top:top + h, left:left + w, :]
    return ops.resize(window, (height, width))


class CenterCrop(_ImageLayer):
    """The centred (height, width) window of each image: (N, H, W, C) -> (N, height, width,
    C). An image smaller than that on a side is cropped to the target's aspect ratio and
    resized instead, as Keras."""

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height = _size("CenterCrop", "height", height)
        self.width = _size("CenterCrop", "width", width)

    def call(self, inputs):
        self._check(inputs.shape)
        images = _float(inputs, self.dtype)
        h, w = _known_size("CenterCrop", images)
        if h < self.height or w < self.width:
            return smart_resize(images, self.height, self.width)
        top, left = (h - self.height) // 2, (w - self.width) // 2
        return images[..., top:top + self.height, left:left + self.width, :]

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}


# ---- random geometry -------------------------------------------------------------------------

class RandomFlip(_RandomLayer):
    """Flip each image left-right ("horizontal"), upside down ("vertical") or, by default,
    both, with probability 1/2 while training. As Keras 3, "horizontal_and_vertical" draws
    once per image: it is either kept or flipped both ways (turned 180 degrees)."""

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.mode = _choice("RandomFlip", "mode", mode,
                            ("horizontal", "vertical", "horizontal_and_vertical"))

    def get_random_transformation(self, images, training=True, seed=None):
        n, single = self._batch(images)
        flips = self._rng().uniform(size=(n, 1, 1, 1)) <= 0.5
        return {"flips": flips[0] if single else flips, "input_shape": images.shape}

    def transform_images(self, images, transformation, training=True):
        images = _float(images, self.dtype)
        if not training:
            return images
        flips = constant_like(numpy.asarray(transformation["flips"]), images)
        if self.mode != "vertical":                     # (..., H, W, C): W is axis -2
            images = ops.where(flips, images[..., ::-1, :], images)
        if self.mode != "horizontal":
            images = ops.where(flips, images[..., ::-1, :, :], images)
        return images

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


def affine_matrix(angle, height, width, zoom=(1.0, 1.0), translate=(0.0, 0.0)):
    """Keras's transform for rotations (degrees, about the centre), one row of 8 per angle:
    output pixel (x, y) reads the input at (a0 x + a1 y + a2, b0 x + b1 y + b2).

    >>> affine_matrix(numpy.array([0.0]), 3, 3).tolist()
    [[1.0, -0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]]
    """
    f32 = numpy.float32
    theta = numpy.asarray(angle, f32) * f32(math.pi / 180.0)
    cos, sin = numpy.cos(theta), numpy.sin(theta)
    cx, cy = f32(0.5) * f32(width - 1), f32(0.5) * f32(height - 1)
    a0, a1, b0, b1 = cos, -sin, sin, cos
    a2 = f32(0.0) + cx - cx * a0 - cy * a1
    b2 = f32(0.0) + cy - cx * b0 - cy * b1
    zeros = numpy.zeros_like(theta)
    return numpy.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1).astype(f32)


class _AffineLayer(_RandomLayer):
    """Rotation, zoom and translation: each image read through its own affine transform,
    points outside it filled by `fill_mode` ("reflect", "wrap", "constant", "nearest")."""

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        name = type(self).__name__
        self.fill_mode = _choice(name, "fill_mode", fill_mode, FILL_MODES)
        self.interpolation = _choice(name, "interpolation", interpolation, INTERPOLATIONS)
        self.fill_value = fill_value

    def _affine(self, images, matrix):
        return ops.affine_transform(images, numpy.asarray(matrix, numpy.float32),
                                    self.interpolation, self.fill_mode, self.fill_value)

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "interpolation": self.interpolation}


class RandomRotation(_AffineLayer):
    """Turn each image about its centre by a random angle while training: ``factor=0.1``
    turns up to 10% of a full turn (36 degrees) either way; ``(-0.2, 0.3)`` from -72 to 108
    degrees (positive: counter-clockwise)."""

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = _factor("RandomRotation", "factor", factor, -1, 1)

    def get_random_transformation(self, images, training=True, seed=None):
        n, single = self._batch(images)
        h, w = images.shape[-3], images.shape[-2]
        angle = self._rng().uniform(self.factor[0] * 360.0, self.factor[1] * 360.0,
                                    size=n).astype(numpy.float32)
        matrix = affine_matrix(angle, h, w)
        return {"angle": angle, "rotation_matrix": matrix[0] if single else matrix,
                "image_height": h, "image_width": w, "batch_size": n}

    def transform_images(self, images, transformation, training=True):
        images = _float(images, self.dtype)
        return self._affine(images, transformation["rotation_matrix"]) if training else images

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomZoom(_AffineLayer):
    """Zoom each image about its centre while training: the image is read at 1 + a random
    value from ``height_factor`` (a number f: from -f to f, or a pair) times its size, so
    negative values zoom in and positive ones out. ``width_factor=None`` keeps the aspect."""

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = _factor("RandomZoom", "height_factor",
                                                       height_factor, -1, 1, open_low=True)
        if width_factor is not None:
            self.width_lower, self.width_upper = _factor("RandomZoom", "width_factor",
                                                         width_factor, -1, 1, open_low=True)

    def get_random_transformation(self, images, training=True, seed=None):
        n, _ = self._batch(images)
        rng = self._rng()
        height = rng.uniform(1 + self.height_lower, 1 + self.height_upper, size=(n, 1))
        width = height if self.width_factor is None else \
            rng.uniform(1 + self.width_lower, 1 + self.width_upper, size=(n, 1))
        return {"height_zoom": height.astype(numpy.float32),
                "width_zoom": width.astype(numpy.float32), "input_shape": images.shape}

    def transform_images(self, images, transformation, training=True):
        images = _float(images, self.dtype)
        if not training:
            return images
        f32 = numpy.float32
        zw = numpy.asarray(transformation["width_zoom"], f32).reshape(-1)
        zh = numpy.asarray(transformation["height_zoom"], f32).reshape(-1)
        h, w = images.shape[-3], images.shape[-2]
        x0 = (f32(w) - f32(1)) / f32(2) * (f32(1) - zw)
        y0 = (f32(h) - f32(1)) / f32(2) * (f32(1) - zh)
        zeros = numpy.zeros_like(zw)
        return self._affine(images, numpy.stack([zw, zeros, x0, zeros, zh, y0, zeros, zeros],
                                                axis=1))

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomTranslation(_AffineLayer):
    """Shift each image while training by a random fraction of its height and width:
    ``height_factor=0.1`` moves it up to 10% of its height up or down; ``(-0.2, 0.1)`` from
    20% up to 10% down. The uncovered pixels are filled by `fill_mode`."""

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = _factor("RandomTranslation", "height_factor",
                                                       height_factor, -1, 1)
        self.width_lower, self.width_upper = _factor("RandomTranslation", "width_factor",
                                                     width_factor, -1, 1)

    def get_random_transformation(self, images, training=True, seed=None):
        n, _ = self._batch(images)
        rng = self._rng()
        dy = rng.uniform(self.height_lower, self.height_upper, size=(n, 1)) * images.shape[-3]
        dx = rng.uniform(self.width_lower, self.width_upper, size=(n, 1)) * images.shape[-2]
        return {"translations": numpy.concatenate([dx, dy], axis=1).astype(numpy.float32),
                "input_shape": images.shape}

    def transform_images(self, images, transformation, training=True):
        images = _float(images, self.dtype)
        if not training:
            return images
        t = numpy.asarray(transformation["translations"], numpy.float32)    # (N, 2): dx, dy
        ones, zeros = numpy.ones(len(t), numpy.float32), numpy.zeros(len(t), numpy.float32)
        return self._affine(images, numpy.stack([ones, zeros, -t[:, 0], zeros, ones, -t[:, 1],
                                                 zeros, zeros], axis=1))

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomCrop(_RandomLayer):
    """A random (height, width) window of the images while training, at one place for the
    whole batch: (N, H, W, C) -> (N, height, width, C). Otherwise (predicting, or images not
    larger than the window on both sides) the largest centred window of the target's aspect
    ratio, resized to (height, width), as Keras documents it. (Keras 3.15 itself passes the
    images through unchanged when not training, against its own output shape.)"""

    def __init__(self, height, width, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.height = _size("RandomCrop", "height", height)
        self.width = _size("RandomCrop", "width", width)

    def call(self, inputs, training=True):
        self._check(inputs.shape)
        images = _float(inputs, self.dtype)
        _known_size("RandomCrop", images)                   # a crop needs the size
        if not training or images.data is None:
            return smart_resize(images, self.height, self.width)
        return self.transform_images(images, self.get_random_transformation(images))

    def get_random_transformation(self, images, training=True, seed=None):
        h, w = images.shape[-3], images.shape[-2]
        if training and h > self.height and w > self.width:
            rng = self._rng()
            return (int(rng.uniform(0, h - self.height + 1)),
                    int(rng.uniform(0, w - self.width + 1)))
        return aspect_box(h, w, self.height, self.width)[:2]

    def transform_images(self, images, transformation, training=True):
        images = _float(images, self.dtype)
        if not training:
            return images
        top, left = (int(v) for v in transformation)
        images = images[..., top:top + self.height, left:left + self.width, :]
        if images.shape[-3:-1] != (self.height, self.width):     # too small: stretched
            images = ops.resize(images, (self.height, self.width))
        return images

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}


# ---- random colour ---------------------------------------------------------------------------

def _value_range(layer, value_range):
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2 or any(
            isinstance(v, bool) or not isinstance(v, (int, float)) for v in value_range):
        raise ValueError(f"{layer} expects value_range to be a list of two numbers, the "
                         f"images' lowest and highest values. Received: "
                         f"value_range={value_range!r}. Fix: (0, 255), or (0, 1) for images "
                         "already scaled.")
    return value_range


class RandomContrast(_RandomLayer):
    """Stretch each image's values away from (or towards) their mean, per channel, while
    training: ``(x - mean) * c + mean`` clipped to `value_range`. As Keras 3, ``factor=f``
    is the pair (0, f) and c comes from [1 - lower, 1 + upper]."""

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = _factor("RandomContrast", "factor", factor, 0, 1)
        self.value_range = _value_range("RandomContrast", value_range)

    def get_random_transformation(self, images, training=True, seed=None):
        n, single = self._batch(images)
        c = self._rng().uniform(1.0 - self.factor[0], 1.0 + self.factor[1], size=(n, 1, 1, 1))
        return {"contrast_factor": (c[0] if single else c).astype(numpy.float32)}

    def transform_images(self, images, transformation, training=True):
        images = _float(images, self.dtype)
        if not training:
            return images
        c = constant_like(numpy.asarray(transformation["contrast_factor"], numpy.float32),
                          images)
        mean = ops.mean(images, axis=(-3, -2), keepdims=True)         # (N, 1, 1, C)
        return ops.clip((images - mean) * c + mean, *self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class RandomBrightness(_RandomLayer):
    """Add one random amount to every value of each image while training: a fraction from
    `factor` (a number f: from -f to f, or a pair) of `value_range`'s width, clipped to it."""

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = _factor("RandomBrightness", "factor", factor, -1, 1)
        self.value_range = sorted(_value_range("RandomBrightness", value_range))

    def get_random_transformation(self, images, training=True, seed=None):
        n, single = self._batch(images)
        low, high = self.value_range
        delta = self._rng().uniform(self.factor[0], self.factor[1], size=(n, 1, 1, 1)) * \
            (high - low)
        return {"rgb_delta": (delta[0] if single else delta).astype(numpy.float32)}

    def transform_images(self, images, transformation, training=True):
        images = _float(images, self.dtype)
        if not training:
            return images
        delta = constant_like(numpy.asarray(transformation["rgb_delta"], numpy.float32), images)
        return ops.clip(images + delta, *self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}
