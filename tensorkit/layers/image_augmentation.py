"""Keras 3.15's newer image augmentations, channels last: the colour augmentations
RandomGrayscale, RandomHue, RandomSaturation, RandomColorDegeneration, RandomColorJitter,
RandomSharpness, RandomInvert, RandomPosterization, Solarization and AutoContrast (which, as
Keras's, also works when predicting); RandomErasing and RandomGaussianBlur; and MixUp and
CutMix, which mix the images of a batch (and their one-hot labels, given
``{"images": x, "labels": y}``). They behave as the layers of image_preprocessing.py (see
there): a batch or one image, augmenting only while training, and each draw split from its
application as Keras splits them.
"""


import numpy

from .. import ops
from ..errors import ShapeError
from ..tensor import constant_like
from .image_preprocessing import (
    RandomBrightness,
    RandomContrast,
    _factor,
    _float,
    _ImageLayer,
    _RandomLayer,
    _value_range,
)

__all__ = ["RandomGrayscale", "RandomHue", "RandomSaturation", "RandomColorDegeneration",
           "RandomColorJitter", "RandomSharpness", "RandomInvert", "RandomPosterization",
           "Solarization", "AutoContrast", "RandomErasing", "RandomGaussianBlur", "MixUp",
           "CutMix"]


# ---- Keras 3.15's newer augmentations ------------------------------------------------------
# Each draws with get_random_transformation (one image counts as a batch of one) and applies
# with transform_images, to a batch (N, H, W, C) or one image (H, W, C); the draws and the
# arithmetic are Keras's, step by step in float32, so Keras's own draws give its output.

_EPSILON = float(numpy.finfo(numpy.float32).eps)
_F32 = numpy.float32


def _number(value):
    return not isinstance(value, bool) and isinstance(value, (int, float, numpy.integer,
                                                              numpy.floating))


def _per_image(values, like, dtype=_F32, axes=3):
    """One value per image, shaped (N, 1, 1, 1) (axes=3) to broadcast against a batch."""
    return constant_like(numpy.asarray(values, dtype).reshape((-1,) + (1,) * axes), like)


def _rescale(images, source, target):
    """Values from the range `source` to `target` in Keras's float32 steps:
    (x - lo) / (hi - lo) * (new_hi - new_lo) + new_lo."""
    if source[0] == target[0] and source[1] == target[1]:
        return images
    width = float(_F32(source[1]) - _F32(source[0]))
    new_width = float(_F32(target[1]) - _F32(target[0]))
    return (images - float(_F32(source[0]))) / width * new_width + float(_F32(target[0]))


def _clip(images, value_range):
    """Clip to value_range as given (Keras leaves some layers' ranges unsorted)."""
    low, high = value_range
    if low <= high:
        return ops.clip(images, low, high)
    return ops.minimum(ops.maximum(images, float(low)), float(high))


def _grayscale(images):
    """(N, H, W, 3) -> (N, H, W, 1): the luma, with tf.image.rgb_to_grayscale's weights."""
    weights = numpy.array([[0.2989], [0.5870], [0.1140]], _F32)
    return ops.matmul(images, constant_like(weights, images))


def rgb_to_hsv(images):
    """(..., 3) red, green, blue -> (..., 3) hue, saturation, value, as
    ``keras.ops.image.rgb_to_hsv``: hue and saturation in [0, 1], value the largest channel.

    >>> from tensorkit import tensor
    >>> rgb_to_hsv(tensor([[1.0, 0.5, 0.0]])).numpy().astype(float).round(4).tolist()
    [[0.0833, 1.0, 1.0]]
    """
    images = ops.where(ops.abs(images) < _EPSILON, 0.0, images)
    r, g, b = images[..., 0], images[..., 1], images[..., 2]
    value = ops.maximum(ops.maximum(r, g), b)
    spread = value - ops.minimum(ops.minimum(r, g), b)
    saturation = ops.where(value > 0, spread / ops.where(value > 0, value, 1.0), 0.0)
    norm = 1.0 / (6.0 * ops.where(spread > 0, spread, 1.0))
    hue = ops.where(ops.equal(value, g), norm * (b - r) + 2.0 / 6.0, norm * (r - g) + 4.0 / 6.0)
    hue = ops.where(ops.equal(value, r), norm * (g - b), hue)
    hue = ops.where(spread > 0, hue, 0.0) + ops.cast(hue < 0.0, hue.dtype)
    return ops.stack([hue, saturation, value], axis=-1)


def hsv_to_rgb(images):
    """(..., 3) hue, saturation, value -> (..., 3) red, green, blue, as
    ``keras.ops.image.hsv_to_rgb`` (the hue wraps round: 1.25 is 0.25)."""
    hue, saturation, value = images[..., 0], images[..., 1], images[..., 2]
    dh = ops.mod(hue, 1.0) * 6.0
    dr = ops.clip(ops.abs(dh - 3.0) - 1.0, 0.0, 1.0)
    dg = ops.clip(2.0 - ops.abs(dh - 2.0), 0.0, 1.0)
    db = ops.clip(2.0 - ops.abs(dh - 4.0), 0.0, 1.0)
    grey = 1.0 - saturation
    return ops.stack([value * (grey + saturation * d) for d in (dr, dg, db)], axis=-1)


class _Augmentation(_RandomLayer):
    """What the newer augmentations share: one image goes through as a batch of one, and
    `_channels` (when set) lists the channel counts the layer takes."""

    _channels = None

    def _check(self, shape):
        super()._check(shape)
        shape = tuple(shape)
        c, name = shape[-1], type(self).__name__
        if self._channels is None or c is None or c in self._channels:
            return
        fix = {1: "leave it out for grey images, or give them three equal channels: "
                  "tk.tile(x, (1, 1, 1, 3))",
               4: "drop the alpha channel first: x[..., :3]"}.get(c, "pass RGB images")
        raise ShapeError(f"{name} works on the colours of RGB images (3 channels), and these "
                         f"have {c}.", expected="images (..., height, width, "
                         f"{' or '.join(map(str, self._channels))})", fix=fix + ".",
                         op=name, shapes=(shape,), layer=self.name)

    def transform_images(self, images, transformation, training=True):
        images = _float(images, self.dtype)
        if not training or transformation is None:
            return images
        if images.ndim == 3:                            # (H, W, C) -> (1, H, W, C) and back
            return self._transform(ops.expand_dims(images, 0), transformation)[0]
        return self._transform(images, transformation)


class RandomGrayscale(_Augmentation):
    """Turn each image grey with probability `factor` while training, keeping its three
    channels (each gets the luma 0.2989 R + 0.5870 G + 0.1140 B). One-channel images pass
    through. The transformation is Keras's: a bool array (N, 1, 1, 1), not a dict."""

    _channels = (1, 3)

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if not _number(factor) or not 0 <= factor <= 1:
            raise ValueError(f"RandomGrayscale expects factor to be a number in [0, 1], the "
                             f"chance that an image turns grey. Received: factor={factor!r}. "
                             "Fix: e.g. factor=0.5.")
        self.factor = factor

    def get_random_transformation(self, images, training=True, seed=None):
        n, _ = self._batch(images)
        return self._rng().uniform(size=(n, 1, 1, 1)) < self.factor

    def _transform(self, images, transformation):
        if images.shape[-1] == 1:
            return images
        grey = constant_like(numpy.asarray(transformation, bool), images)
        return ops.where(grey, _grayscale(images), images)          # (N, H, W, 1) spreads

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomHue(_Augmentation):
    """Turn each image's hues round the colour wheel while training, by a fraction drawn
    from `factor` (a number f: from 0 to f, or a pair) of half a turn, either way at random.
    value_range: the images' (lowest, highest) values, (0, 255) or (0, 1)."""

    _channels = (3,)

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor("RandomHue", "factor", factor, 0, 1)
        self.value_range = _value_range("RandomHue", value_range)

    def get_random_transformation(self, images, training=True, seed=None):
        n, _ = self._batch(images)
        rng = self._rng()
        sign = numpy.where(rng.uniform(size=n) > 0.5, -1.0, 1.0)
        return {"factor": (sign * rng.uniform(*self.factor, size=n) * 0.5).astype(_F32)}

    def _transform(self, images, transformation):
        hsv = rgb_to_hsv(_rescale(images, self.value_range, (0, 1)))
        hue = hsv[..., 0] + _per_image(transformation["factor"], images, axes=2)  # (N, H, W)
        hue = ops.where(hue > 1.0, hue - 1.0, hue)
        hue = ops.where(hue < 0.0, hue + 1.0, hue)
        images = hsv_to_rgb(ops.stack([hue, hsv[..., 1], hsv[..., 2]], axis=-1))
        return _rescale(ops.clip(images, 0.0, 1.0), (0, 1), self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class RandomSaturation(_Augmentation):
    """Scale each image's saturation (in HSV) while training by f / (1 - f), f drawn from
    `factor`: 0.5 keeps it, 0 makes the image grey, values near 1 saturate it. As Keras
    3.15: a number f gives the range (-f, f) (below 0: grey), and the saturation is clipped
    to `value_range`, not to [0, 1], so with (0, 255) an f above 0.5 overshoots the colours
    (below 0); with images in (0, 1) and value_range=(0, 1) it saturates them."""

    _channels = (3,)

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor("RandomSaturation", "factor", factor, -1, 1)
        self.value_range = sorted(_value_range("RandomSaturation", value_range))

    def get_random_transformation(self, images, training=True, seed=None):
        n, _ = self._batch(images)
        f = self._rng().uniform(*self.factor, size=n).astype(_F32)
        return {"factor": f / (_F32(1) - f + _F32(1e-7))}

    def _transform(self, images, transformation):
        hsv = rgb_to_hsv(images)
        saturation = hsv[..., 1] * _per_image(transformation["factor"], images, axes=2)
        saturation = ops.clip(saturation, *self.value_range)
        return hsv_to_rgb(ops.stack([hsv[..., 0], saturation, hsv[..., 2]], axis=-1))

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class RandomColorDegeneration(_Augmentation):
    """Blend each image with its grey version while training: x + f (grey - x), f drawn
    from `factor` (0 keeps the colours, 1 is grey, below 0 deepens them; as Keras 3.15 a
    number f gives the range (-f, f)), clipped to `value_range`."""

    _channels = (3,)

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor("RandomColorDegeneration", "factor", factor, -1, 1)
        self.value_range = sorted(_value_range("RandomColorDegeneration", value_range))

    def get_random_transformation(self, images, training=True, seed=None):
        n, _ = self._batch(images)
        return {"factor": self._rng().uniform(*self.factor, size=(n, 1, 1, 1)).astype(_F32)}

    def _transform(self, images, transformation):
        f = _per_image(transformation["factor"], images)
        return ops.clip(images + f * (_grayscale(images) - images), *self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class RandomColorJitter(_Augmentation):
    """RandomBrightness, RandomContrast, RandomSaturation and RandomHue one after another,
    as Keras composes them, each with its factor (None leaves it out) and `value_range`.
    The transformation is a dict of theirs: {"brightness": ..., "contrast": ..., ...}."""

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None,
                 saturation_factor=None, hue_factor=None, seed=None, data_format=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = _value_range("RandomColorJitter", value_range)
        self.brightness_factor, self.contrast_factor = brightness_factor, contrast_factor
        self.saturation_factor, self.hue_factor = saturation_factor, hue_factor
        self._steps = []
        for key, cls, factor, low in [("brightness", RandomBrightness, brightness_factor, -1),
                                      ("contrast", RandomContrast, contrast_factor, 0),
                                      ("saturation", RandomSaturation, saturation_factor, -1),
                                      ("hue", RandomHue, hue_factor, 0)]:
            if factor is None:
                continue
            _factor("RandomColorJitter", f"{key}_factor", factor, low, 1)
            step = cls(factor, value_range=value_range, name=f"{self.name}_{key}")
            step._generator = self._generator             # one stream for the four
            self._steps.append((key, step))
        if saturation_factor is not None or hue_factor is not None:
            self._channels = (3,)

    def get_random_transformation(self, images, training=True, seed=None):
        return {key: step.get_random_transformation(images) for key, step in self._steps}

    def _transform(self, images, transformation):
        for key, step in self._steps:
            if key in transformation:
                images = step.transform_images(images, transformation[key])
        return images

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "brightness_factor": self.brightness_factor,
                "contrast_factor": self.contrast_factor,
                "saturation_factor": self.saturation_factor, "hue_factor": self.hue_factor}


class RandomSharpness(_Augmentation):
    """Sharpen or soften each image while training: x + (1 - 2f) (smooth - x), f drawn from
    `factor` (a number f: from 0 to f, or a pair), smooth the image through Keras's 3x3
    kernel (centre 5/13, neighbours 1/13, zeros past the border); 0.5 keeps the image, 0
    softens, 1 sharpens. Clipped to `value_range`."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor("RandomSharpness", "factor", factor, 0, 1)
        self.value_range = sorted(_value_range("RandomSharpness", value_range))

    def get_random_transformation(self, images, training=True, seed=None):
        n, _ = self._batch(images)
        return {"factor": self._rng().uniform(*self.factor, size=n).astype(_F32)}

    def _transform(self, images, transformation):
        s = _per_image(numpy.asarray(transformation["factor"], _F32) * _F32(2), images)
        kernel = numpy.full((3, 3), 1.0 / 13.0, _F32)
        kernel[1, 1] = 5.0 / 13.0
        kernel = numpy.tile(kernel[:, :, None, None], (1, 1, images.shape[-1], 1))
        smooth = ops.depthwise_conv2d(images, constant_like(kernel, images), padding="same")
        return ops.clip(images + (1.0 - s) * (smooth - images), *self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class RandomInvert(_Augmentation):
    """Invert some images while training: value_range[1] - x. As Keras, each image draws a
    chance from `factor` (a number f: from 0 to f) and is inverted with that chance, so the
    default factor=1.0 inverts half of them."""

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor("RandomInvert", "factor", factor, 0, 1)
        self.value_range = _value_range("RandomInvert", value_range)

    def get_random_transformation(self, images, training=True, seed=None):
        n, _ = self._batch(images)
        rng = self._rng()
        chance = rng.uniform(*self.factor, size=n)
        return {"apply_inversion": rng.uniform(size=n) < chance}

    def _transform(self, images, transformation):
        invert = _per_image(transformation["apply_inversion"], images, bool)
        return ops.where(invert, float(self.value_range[1]) - images, images)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class RandomPosterization(_Augmentation):
    """Keep only the top bits of each 8-bit value while training (fewer colours): the bits
    kept are drawn from `factor`, as Keras's randint, whose upper end is left out: a number
    f in [1, 8] keeps 1 to f - 1 bits, a pair (a, b) a to b - 1 (a == b: exactly a)."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor("RandomPosterization", "factor", factor, 1, 8,
                              example="factor=4 (bits kept per value, from 1 to 8)")
        self.value_range = sorted(_value_range("RandomPosterization", value_range))

    def get_random_transformation(self, images, training=True, seed=None):
        n, _ = self._batch(images)
        low, high = self.factor
        bits = numpy.full(n, low) if low == high else \
            self._rng().integers(int(low), int(high), size=n)
        return {"shift_factor": (8 - numpy.asarray(bits)).astype(numpy.uint8)}

    def _transform(self, images, transformation):
        shift = numpy.asarray(transformation["shift_factor"]).astype(numpy.int64)
        step = _per_image(numpy.ldexp(_F32(1), shift), images)          # 2 ** shift
        images = _rescale(images, self.value_range, (0, 255))
        # Keras: cast to uint8, then (v >> shift) << shift
        images = ops.floor(ops.floor(ops.clip(images, 0.0, 255.0)) / step) * step
        return _rescale(images, (0, 255), self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class Solarization(_Augmentation):
    """Invert the values at or above a threshold while training, after adding an amount;
    on the 0-255 scale both are drawn as Keras 3.15 draws them: from addition_factor[0] to
    addition_factor[1] * 255 (a number f: (0, f)), likewise the threshold. The defaults
    (0, 0) invert every value: 255 - x."""

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255),
                 seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.addition_factor = _factor("Solarization", "addition_factor", addition_factor,
                                       0, 1)
        self.threshold_factor = _factor("Solarization", "threshold_factor", threshold_factor,
                                        0, 1)
        self.value_range = sorted(_value_range("Solarization", value_range))

    def get_random_transformation(self, images, training=True, seed=None):
        n, _ = self._batch(images)
        rng = self._rng()
        (a0, a1), (t0, t1) = self.addition_factor, self.threshold_factor
        return {"additions": rng.uniform(a0, a1 * 255, size=(n, 1, 1, 1)).astype(_F32),
                "thresholds": rng.uniform(t0, t1 * 255, size=(n, 1, 1, 1)).astype(_F32)}

    def _transform(self, images, transformation):
        images = _rescale(images, self.value_range, (0, 255))
        out = ops.clip(images + _per_image(transformation["additions"], images), 0.0, 255.0)
        out = ops.where(out < _per_image(transformation["thresholds"], images), out, 255.0 - out)
        return _rescale(out, (0, 255), self.value_range)

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "addition_factor": self.addition_factor,
                "threshold_factor": self.threshold_factor}


class AutoContrast(_ImageLayer):
    """Stretch each image's channels to the full `value_range`: (x - low) / (high - low),
    low and high the channel's own extremes (a flat channel stays as it is). Not random:
    as Keras's, it works when predicting too."""

    def __init__(self, value_range=(0, 255), data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = sorted(_value_range("AutoContrast", value_range))

    def call(self, inputs):
        self._check(inputs.shape)
        images = _float(inputs, self.dtype)
        return images if images.data is None else self.transform_images(images)

    def get_random_transformation(self, images, training=True, seed=None):
        return None

    def transform_images(self, images, transformation=None, training=True):
        images = _float(images, self.dtype)
        if images.ndim == 3:
            return self.transform_images(ops.expand_dims(images, 0))[0]
        scaled = _rescale(images, self.value_range, (0, 255))
        low = ops.min(scaled, axis=(1, 2), keepdims=True)                  # (N, 1, 1, C)
        high = ops.max(scaled, axis=(1, 2), keepdims=True)
        flat = ops.equal(high, low)                 # Keras divides by 0 and keeps x there
        scale = 255.0 / ops.where(flat, 1.0, high - low)
        out = ops.clip(scaled * scale + (-low * scale), 0.0, 255.0)
        return ops.where(flat, images, _rescale(out, (0, 255), self.value_range))

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range}


def _span(rng, n, length, ratio):
    """Keras's crop bounds: a run of ratio * length pixels at a random start, as floats."""
    size = (numpy.asarray(ratio, _F32) * _F32(length)).astype(_F32)
    start = rng.uniform(size=n).astype(_F32) * (_F32(length) - size)
    return start, start + size


def _box_masks(height, width, channels, x0, x1, y0, y1):
    """(N, H, W, C) bools: the pixels x0 <= x < x1, y0 <= y < y1 of each image."""
    ys = numpy.arange(height, dtype=_F32)[None, :, None]
    xs = numpy.arange(width, dtype=_F32)[None, None, :]
    inside = (xs >= x0[:, None, None]) & (xs < x1[:, None, None]) & \
        (ys >= y0[:, None, None]) & (ys < y1[:, None, None])
    return numpy.repeat(inside[..., None], channels, axis=-1)


class RandomErasing(_Augmentation):
    """Blank out a random rectangle of some images while training: each image draws a
    chance from `factor` (a number f: from 0 to f), and a rectangle whose sides are
    sqrt(s) of the image's, s drawn from `scale` per side. It is filled with `fill_value`
    (a number or one per channel), or by default with noise, normal * value_range[1],
    clipped to `value_range`."""

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255),
                 seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor("RandomErasing", "factor", factor, 0, 1)
        self.scale = _factor("RandomErasing", "scale", scale, 0, 1,
                             example="scale=(0.02, 0.33) (fractions of the image's area)")
        three = isinstance(fill_value, (tuple, list)) and len(fill_value) == 3 and \
            all(map(_number, fill_value))
        if not (fill_value is None or _number(fill_value) or three):
            raise ValueError("RandomErasing expects fill_value to be None (noise), a number or "
                             f"three numbers (one per channel). Received: fill_value="
                             f"{fill_value!r}. Fix: e.g. fill_value=0 (black).")
        if three:
            self._channels = (3,)
        self.fill_value = fill_value
        self.value_range = _value_range("RandomErasing", value_range)

    def get_random_transformation(self, images, training=True, seed=None):
        n, _ = self._batch(images)
        (h, w, c), rng = images.shape[-3:], self._rng()
        sides = numpy.sqrt(rng.uniform(*self.scale, size=(n, 2)).astype(_F32))
        x0, x1 = _span(rng, n, w, sides[:, 0])
        y0, y1 = _span(rng, n, h, sides[:, 1])
        chance = rng.uniform(*self.factor, size=n)
        erase = rng.uniform(size=n) < chance
        if self.fill_value is None:
            fill = rng.normal(size=(n, h, w, c)).astype(_F32) * _F32(self.value_range[1])
        else:
            fill = numpy.broadcast_to(numpy.asarray(self.fill_value, _F32), (n, h, w, c))
        low, high = (_F32(v) for v in self.value_range)
        return {"apply_erasing": erase, "batch_masks": _box_masks(h, w, c, x0, x1, y0, y1),
                "fill_value": numpy.minimum(numpy.maximum(fill, low), high)}

    def _transform(self, images, transformation):
        masks = constant_like(numpy.asarray(transformation["batch_masks"], bool), images)
        fill = constant_like(numpy.asarray(transformation["fill_value"], _F32), images)
        erase = _per_image(transformation["apply_erasing"], images, bool)
        return ops.where(erase, ops.where(masks, fill, images), images)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "fill_value": self.fill_value, "value_range": self.value_range}


def _kernel_size(value):
    def odd(v):
        return not isinstance(v, bool) and isinstance(v, (int, numpy.integer)) and v > 0 and \
            v % 2 == 1

    if odd(value):
        return int(value), int(value)
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(map(odd, value)):
        return int(value[0]), int(value[1])
    raise ValueError("RandomGaussianBlur expects kernel_size to be an odd positive integer, or "
                     f"two of them (width, height). Received: kernel_size={value!r}. Fix: e.g. "
                     "kernel_size=3.")


def gaussian_kernel(size, sigma):
    """The normalized 1-D Gaussian of `size` taps, as keras.ops.image.gaussian_blur's.

    >>> gaussian_kernel(3, 1.0).astype(float).round(4).tolist()
    [0.2741, 0.4519, 0.2741]
    """
    x = numpy.arange(size, dtype=_F32) - _F32((size - 1) / 2)
    kernel = numpy.exp(_F32(-0.5) * (x / _F32(sigma)) ** 2)
    return kernel / kernel.sum()


class RandomGaussianBlur(_Augmentation):
    """Blur some images while training: each image draws a chance from `factor` (a number
    f: from 0 to f), and the batch draws one sigma per axis from `sigma` (pixels, at most 1
    as Keras 3.15) for a kernel_size Gaussian (zeros past the border), clipped to
    `value_range`."""

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255),
                 data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor("RandomGaussianBlur", "factor", factor, 0, 1)
        self.kernel_size = _kernel_size(kernel_size)
        self.sigma = _factor("RandomGaussianBlur", "sigma", sigma, 0, 1,
                             example="sigma=1.0 (pixels)")
        self.value_range = _value_range("RandomGaussianBlur", value_range)

    def get_random_transformation(self, images, training=True, seed=None):
        n, _ = self._batch(images)
        rng = self._rng()
        chance = rng.uniform(*self.factor, size=n)
        blur = rng.uniform(size=n) < chance
        sigma = rng.uniform(*self.sigma, size=2).astype(_F32) + _F32(1e-6)
        return {"should_apply_blur": blur, "blur_factor": sigma}

    def _transform(self, images, transformation):
        sx, sy = numpy.asarray(transformation["blur_factor"], _F32)
        kernel = numpy.outer(gaussian_kernel(self.kernel_size[1], sy),
                             gaussian_kernel(self.kernel_size[0], sx))     # (kh, kw)
        kernel = numpy.tile(kernel[:, :, None, None], (1, 1, images.shape[-1], 1))
        blurred = ops.depthwise_conv2d(images, constant_like(kernel, images), padding="same")
        blur = _per_image(transformation["should_apply_blur"], images, bool)
        return _clip(ops.where(blur, blurred, images), self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "kernel_size": self.kernel_size,
                "sigma": self.sigma, "value_range": self.value_range}


class _Mixing(_Augmentation):
    """MixUp and CutMix: they mix each image with another of its batch, and take
    {"images": x, "labels": y} (y one-hot, (N, classes)) to mix the labels alike."""

    def __call__(self, inputs, *args, training=None, **kwargs):
        if not isinstance(inputs, dict):
            return super().__call__(inputs, *args, training=training, **kwargs)
        kind = type(self).__name__
        if "images" not in inputs or set(inputs) - {"images", "labels"}:
            raise ValueError(f"{kind} takes images, or a dict with the keys 'images' and "
                             f"'labels'. Received a dict with the keys {sorted(inputs)}. Fix: "
                             f"{kind}(...)({{'images': x, 'labels': y}}).")
        images = _float(inputs["images"], self.dtype)
        self._check(images.shape)
        training = True if training is None else bool(training)
        transformation = self.get_random_transformation(images) if training else None
        out = {"images": self.transform_images(images, transformation, training)}
        if "labels" in inputs:
            labels = _float(inputs["labels"], self.dtype)
            one = images.ndim == 3
            if labels.ndim != 2 - one or not one and labels.shape[0] != images.shape[0]:
                want = "(classes,)" if one else f"({images.shape[0]}, classes)"
                raise ShapeError(f"{kind} mixes one-hot labels, one row per image, but the "
                                 f"labels have shape {labels.shape}.",
                                 expected=f"labels of shape {want}",
                                 fix="one-hot encode class ids first: tk.one_hot(y, classes).",
                                 op=kind, shapes=(images.shape, labels.shape), layer=self.name)
            labels = ops.expand_dims(labels, 0) if one else labels
            labels = self.transform_labels(labels, transformation, training)
            out["labels"] = labels[0] if one else labels
        return out

    def transform_labels(self, labels, transformation, training=True):
        labels = _float(labels, self.dtype)
        if not training or transformation is None:
            return labels
        weight = _per_image(transformation["mix_weight"], labels, axes=1)      # (N, 1)
        order = numpy.asarray(transformation["permutation_order"]).astype(numpy.int64)
        return weight * labels + (1.0 - weight) * ops.take(labels, order, axis=0)


class MixUp(_Mixing):
    """Mix each image while training with another of the batch: w x + (1 - w) x[other],
    w drawn per image from Beta(alpha, alpha) (small alpha: mostly one image or the other).
    Given {"images": x, "labels": y} it mixes the one-hot labels with the same w."""

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if not _number(alpha) or not alpha > 0:
            raise ValueError(f"MixUp expects alpha to be a positive number (the Beta "
                             f"distribution's concentration). Received: alpha={alpha!r}. Fix: "
                             "e.g. alpha=0.2.")
        self.alpha = alpha

    def get_random_transformation(self, images, training=True, seed=None):
        n, _ = self._batch(images)
        rng = self._rng()
        order = rng.permutation(n)
        return {"mix_weight": rng.beta(self.alpha, self.alpha, size=n).astype(_F32),
                "permutation_order": order}

    def _transform(self, images, transformation):
        weight = _per_image(transformation["mix_weight"], images)
        order = numpy.asarray(transformation["permutation_order"]).astype(numpy.int64)
        return weight * images + (1.0 - weight) * ops.take(images, order, axis=0)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class CutMix(_Mixing):
    """Paste a random rectangle of another image of the batch into each image while
    training; its area is 1 - w of the image, w drawn from Beta(a, a), a drawn from
    `factor` (a number f: from 0 to f). Given {"images": x, "labels": y} it mixes the
    one-hot labels by the areas. One image alone (H, W, C) passes through, as Keras."""

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor("CutMix", "factor", factor, 0, 1)

    def get_random_transformation(self, images, training=True, seed=None):
        if images.ndim == 3:
            return None
        n, h, w, c = images.shape
        rng = self._rng()
        alpha = rng.uniform(*self.factor) + 1e-6
        side = numpy.sqrt(_F32(1) - rng.beta(alpha, alpha, size=n).astype(_F32))
        x0, x1 = _span(rng, n, w, side)
        y0, y1 = _span(rng, n, h, side)
        return {"permutation_order": rng.permutation(n).astype(numpy.int32),
                "batch_masks": _box_masks(h, w, c, x0, x1, y0, y1),
                "mix_weight": (_F32(1) - (x1 - x0) * (y1 - y0) / _F32(w * h)).astype(_F32)
                .reshape(n, 1, 1, 1)}

    def _transform(self, images, transformation):
        masks = constant_like(numpy.asarray(transformation["batch_masks"], bool), images)
        order = numpy.asarray(transformation["permutation_order"]).astype(numpy.int64)
        return ops.where(masks, ops.take(images, order, axis=0), images)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}
