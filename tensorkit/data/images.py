"""Image files, with Pillow: ``load_img``, ``img_to_array``, ``array_to_img`` and ``save_img``
as Keras 3's ``keras.utils`` (a PIL image in and out), and how ``image_dataset_from_directory``
reads one file: decoded as TensorFlow's ``decode_image`` decodes it (the same pixels for
PNG, GIF and BMP; JPEG may differ by a few levels, TensorFlow using a faster inverse DCT)
and resized with ``tk.resize`` as ``tf.image.resize`` (no antialiasing)."""

import io
import os
import pathlib
import warnings

import numpy

from ..ops.image import positive_pair, resize
from ..tensor import tensor

__all__ = ["load_img", "img_to_array", "array_to_img", "save_img"]

PIL_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")
COLOR_MODES = {"grayscale": 1, "rgb": 3, "rgba": 4}
_GREY_16 = ("I;16", "I;16B", "I;16L", "I;16N", "I")


def pil_image():
    """PIL.Image, imported when first needed (Pillow comes with matplotlib)."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("Reading and writing image files needs Pillow, which could not be "
                          "imported. Fix: pip install pillow (it comes with matplotlib).") \
            from None
    return Image


def _channels_last(data_format, who):
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{who} supports only data_format='channels_last' (height, width, "
                         f"channels), as tensorkit everywhere. Received: "
                         f"data_format={data_format!r}")


# ---- keras.utils' four --------------------------------------------------------------------

def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """Read an image file as a PIL image, as ``keras.utils.load_img``: `color_mode` "rgb",
    "rgba" or "grayscale"; `target_size` ``(height, width)`` resizes it with PIL's
    `interpolation`; ``keep_aspect_ratio=True`` first crops the largest centred box of the
    target's aspect ratio. ``img_to_array(img)`` gives its pixels."""
    Image = pil_image()
    if isinstance(path, io.BytesIO):
        img = Image.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str)):
        if isinstance(path, pathlib.Path):
            path = str(path.resolve())
        try:
            with open(path, "rb") as f:
                img = Image.open(io.BytesIO(f.read()))
        except FileNotFoundError:
            raise FileNotFoundError(f"load_img: there is no file {os.fsdecode(path)!r}. Fix: "
                                    "check the path (relative paths start from "
                                    f"{os.getcwd()!r}).") from None
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}. Fix: pass "
                        "the file's path as a string, e.g. load_img('images/cat.png').")
    if color_mode not in COLOR_MODES:
        raise ValueError(f'color_mode must be "grayscale", "rgb", or "rgba". Received: '
                         f"color_mode={color_mode!r}. Fix: \"rgb\" (the default), \"rgba\" "
                         'or "grayscale".')
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif img.mode != color_mode.upper():
        img = img.convert(color_mode.upper())
    if target_size is None:
        return img
    height, width = _target(target_size)
    if img.size == (width, height):
        return img
    if interpolation not in PIL_INTERPOLATIONS:
        raise ValueError(f"Invalid interpolation method {interpolation} specified. Supported "
                         f"methods are {', '.join(PIL_INTERPOLATIONS)}. Fix: "
                         "interpolation='nearest' (the default) or 'bilinear'.")
    resample = getattr(Image.Resampling, interpolation.upper())
    box = None
    if keep_aspect_ratio:                     # the largest centred box of the target's shape
        w, h = img.size
        crop_h, crop_w = min(h, w * height // width), min(w, h * width // height)
        top, left = (h - crop_h) // 2, (w - crop_w) // 2
        box = [left, top, left + crop_w, top + crop_h]
    return img.resize((width, height), resample, box=box)


def _target(target_size):
    pair = positive_pair(target_size)
    if pair is None:
        raise ValueError("load_img expects target_size to be (height, width), two positive "
                         f"integers, or None. Received: target_size={target_size!r}")
    return pair


def img_to_array(img, data_format=None, dtype=None):
    """A PIL image (or array) -> a NumPy array (height, width, channels), float32 unless
    `dtype` says otherwise, as ``keras.utils.img_to_array``; a grey image gets channels 1.

    >>> img_to_array(array_to_img(numpy.zeros((2, 3, 1)), scale=False)).shape
    (2, 3, 1)
    """
    _channels_last(data_format, "img_to_array")
    x = numpy.asarray(img, dtype=dtype or "float32")
    if x.ndim == 2:
        return x.reshape(x.shape + (1,))
    if x.ndim != 3:
        raise ValueError(f"Unsupported image shape: {x.shape}. Fix: pass one image, a PIL "
                         "image or an array (height, width) or (height, width, channels).")
    return x


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """An array (height, width, channels) with 1, 3 or 4 channels -> a PIL image ("L", "RGB"
    or "RGBA"), as ``keras.utils.array_to_img``. ``scale=True`` stretches the values to
    0..255 first (the minimum to 0, the maximum to 255); with ``scale=False`` they must be
    0..255 already (one channel may go above 255: a 32-bit "I" image)."""
    _channels_last(data_format, "array_to_img")
    Image = pil_image()
    x = numpy.asarray(x, dtype=dtype or "float32")
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array with "
                         f"shape: {x.shape}. Fix: " + (
                             "add a channel axis: x[..., None]." if x.ndim == 2 else
                             "take one image of the batch: x[0]." if x.ndim == 4 else
                             "pass one image (height, width, channels)."))
    if x.shape[2] not in (1, 3, 4):
        raise ValueError(f"Unsupported channel number: {x.shape[2]}. Fix: an image has 1 "
                         "(grey), 3 (RGB) or 4 (RGBA) channels, on the last axis.")
    if x.size and not numpy.isfinite(x).all():
        raise ValueError("array_to_img: the array has NaN or infinite values, which have no "
                         "colour. Fix: replace them first, e.g. numpy.nan_to_num(x).")
    if scale:
        x = x - numpy.min(x)
        top = numpy.max(x)
        if top != 0:
            x /= top
        x *= 255
    if x.shape[2] == 1 and x.size and numpy.max(x) > 255:
        return Image.fromarray(x[:, :, 0].astype("int32"), "I")
    if x.size and (numpy.min(x) < 0 or numpy.max(x) > 255):
        raise ValueError(f"array_to_img(scale=False) needs values in 0..255, but they run "
                         f"from {numpy.min(x):g} to {numpy.max(x):g} (Keras would wrap them "
                         "around). Fix: scale=True, or x * 255 for values in 0..1, or "
                         "numpy.clip(x, 0, 255).")
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[x.shape[2]]
    pixels = x.astype("uint8")                     # truncates, as Keras
    return Image.fromarray(pixels[:, :, 0] if mode == "L" else pixels, mode)


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Save an array (height, width, channels) as an image file, as ``keras.utils.save_img``:
    the format from the file's extension unless `file_format` says ("png", "jpeg"...),
    values stretched to 0..255 when ``scale=True``. A failed save leaves an existing file
    as it was."""
    Image = pil_image()
    is_path = isinstance(path, (str, pathlib.Path))
    if file_format is None and is_path:
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.",
                      stacklevel=2)
        img = img.convert("RGB")
    if not is_path:
        img.save(path, format=file_format, **kwargs)
        return
    known = Image.registered_extensions()          # {".png": "PNG", ...}
    pil_format = known.get(f".{file_format.lower()}", file_format.upper()) \
        if file_format else None
    if pil_format not in Image.SAVE:
        raise ValueError(f"save_img cannot tell how to write {os.fspath(path)!r} (file format "
                         f"{file_format!r}). Fix: end the name with .png or .jpg, or pass "
                         "file_format='png'.")
    buffer = io.BytesIO()                    # encode fully before touching the file
    try:
        img.save(buffer, format=pil_format, **kwargs)
    except (OSError, ValueError, KeyError) as e:
        raise ValueError(f"save_img could not write a {img.mode} image as {pil_format}: {e}. "
                         "Fix: save it as .png (1, 3 or 4 channels), or scale the values to "
                         "0..255.") from None
    with open(path, "wb") as f:
        f.write(buffer.getvalue())


# ---- one file, as image_dataset_from_directory reads it -----------------------------------

def _grey(rgb):
    """RGB uint8 -> grey as libpng's rgb_to_gray (TensorFlow's PNG decoder): 0.299, 0.587,
    0.114 in 1/32768ths, truncated; grey pixels stay as they are."""
    r, g, b = (rgb[..., i].astype(numpy.int64) for i in range(3))
    out = (9797 * r + 19234 * g + 3737 * b) >> 15
    return numpy.where((r == g) & (g == b), r, out).astype(numpy.uint8)


def read_image(path, channels):
    """The pixels (height, width, channels) uint8 of an image file, as TensorFlow's
    ``decode_image(channels=...)`` gives them (the first frame of a GIF)."""
    Image = pil_image()
    try:
        with Image.open(path) as img:
            if channels == 1 and img.format == "JPEG" and img.mode != "L":
                img.draft("L", img.size)             # the decoder's luma, as TensorFlow's
            img.load()
            if img.mode in _GREY_16:                 # 16-bit grey: the high byte, as libpng
                img = Image.fromarray((numpy.asarray(img).astype(numpy.int64) >> 8)
                                      .astype(numpy.uint8), "L")
            if channels == 1:
                if img.mode in ("1", "L", "LA", "La"):
                    return numpy.asarray(img.convert("L"))[..., None]
                return _grey(numpy.asarray(img.convert("RGB")))[..., None]
            return numpy.asarray(img.convert("RGB" if channels == 3 else "RGBA"))
    except (OSError, ValueError, SyntaxError) as e:
        raise ValueError(f"Could not read the image {os.fspath(path)!r}: {e}. Fix: remove or "
                         "replace the file (a broken or mislabelled image).") from None


def fit_image(pixels, size, interpolation, crop_to_aspect_ratio, pad_to_aspect_ratio):
    """(H, W, C) uint8 pixels -> `size` (height, width), as Keras' image_dataset_from_directory
    does it: float32, or uint8 for "nearest" (as tf.image.resize gives)."""
    if pad_to_aspect_ratio:
        out = _resize_with_pad(pixels, size, interpolation)
    else:
        out = resize(tensor(pixels), size, interpolation=interpolation,
                     crop_to_aspect_ratio=crop_to_aspect_ratio).numpy()
    return out.astype(numpy.uint8) if interpolation == "nearest" else out


def _resize_with_pad(pixels, size, interpolation):
    """tf.image.resize_with_pad: resize to fit inside `size` keeping the aspect ratio, then
    pad with zeros, centred (float32 arithmetic, as TensorFlow's)."""
    f32 = numpy.float32
    height, width, target_h, target_w = (f32(n) for n in pixels.shape[:2] + tuple(size))
    ratio = max(width / target_w, height / target_h)
    fit_h, fit_w = height / ratio, width / ratio
    new_h, new_w = int(numpy.floor(fit_h)), int(numpy.floor(fit_w))
    top = max(0, int(numpy.floor((target_h - fit_h) / f32(2))))
    left = max(0, int(numpy.floor((target_w - fit_w) / f32(2))))
    if not new_h or not new_w:
        raise ValueError(f"pad_to_aspect_ratio: a {pixels.shape[0]}x{pixels.shape[1]} image fit "
                         f"into image_size={tuple(size)} keeps {new_h}x{new_w} pixels (Keras "
                         "fails there too). Fix: a larger image_size, or "
                         "crop_to_aspect_ratio=True.")
    inner = resize(tensor(pixels), (new_h, new_w), interpolation=interpolation).numpy()
    out = numpy.zeros(tuple(size) + pixels.shape[2:], dtype=inner.dtype)
    out[top:top + new_h, left:left + new_w] = inner        # (new_h, new_w, C) in (h, w, C)
    return out
