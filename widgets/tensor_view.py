"""TensorView and BatchView: a tensor drawn as blocks, the batch split into samples with a
slider, images shown as images; ReshapeView: where each element goes in a reshape,
transpose, expand_dims or flatten.

The pictures are tensorkit's own (``tensorkit.display.tensor_html``), which elides long
axes, so a tensor of any size draws at once; images are shrunk to at most MAX_SIDE pixels.
"""

import base64
import html
import struct
import zlib

import numpy
import traitlets as t

from tensorkit.display import tensor_html

from ._base import HERE, Widget
from ._data import BATCH_COLOR, shape_text

__all__ = ["BatchView", "ReshapeView", "TensorView", "png_data_url"]

MAX_SIDE = 256          # images larger than this are shown strided
MAX_THUMBS = 8          # samples drawn side by side in a BatchView
MAX_FOLLOW = 256        # elements a ReshapeView numbers one by one


def png_data_url(image):
    """A (H, W) or (H, W, 1|3|4) array as a PNG data URL (deterministic, no Pillow needed)."""
    a = numpy.asarray(image, dtype=numpy.float64)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim == 3 and a.shape[-1] == 4:
        a = a[..., :3]
    step = max(1, -(-max(a.shape[:2]) // MAX_SIDE))
    a = a[::step, ::step]
    lo, hi = float(numpy.nanmin(a)), float(numpy.nanmax(a))
    if lo >= 0 and hi <= 1:
        lo, hi = 0.0, 1.0                       # [0, 1] images keep their brightness
    elif lo >= 0 and hi <= 255 and hi > 1:
        lo, hi = 0.0, 255.0
    pixels = numpy.nan_to_num((a - lo) / ((hi - lo) or 1.0) * 255).clip(0, 255)
    pixels = pixels.astype(numpy.uint8)
    height, width = pixels.shape[:2]
    kind = 2 if pixels.ndim == 3 else 0          # truecolour or greyscale
    rows = b"".join(b"\x00" + pixels[r].tobytes() for r in range(height))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + \
            struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8,
                                                             kind, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _is_image(shape):
    """(H, W), (H, W, 1) or (H, W, 3|4) with H, W >= 8: drawn as a picture."""
    if len(shape) == 2:
        return all(n is not None and n >= 8 for n in shape)
    if len(shape) == 3:
        return shape[-1] in (1, 3, 4) and all(n is not None and n >= 8 for n in shape[:2])
    return False


def _batched(tensor, split):
    """Whether axis 0 is a batch of samples to show one at a time."""
    if tensor.data is None or tensor.ndim < 2 or not tensor.shape[0]:
        return False
    if split is not None:
        return split
    return (tensor.dims is not None and tensor.dims[0] == "batch") or tensor.ndim >= 4 or \
        _is_image(tensor.shape[1:])


class TensorView(Widget):
    """A tensor of any rank as blocks; with a batch axis, a slider picks the sample."""

    _esm = HERE / "tensor_view.js"

    shape = t.List().tag(sync=True)
    dims = t.List(allow_none=True, default_value=None).tag(sync=True)
    batch_color = t.Unicode(BATCH_COLOR).tag(sync=True)
    overview = t.Unicode("").tag(sync=True)      # the whole tensor's shape picture
    count = t.Int(0).tag(sync=True)              # samples along the batch axis (0: not split)
    index = t.Int(0).tag(sync=True)              # the sample shown
    sample = t.Unicode("").tag(sync=True)        # its picture (blocks, or an <img>)
    thumbs = t.List().tag(sync=True)             # BatchView: the first samples side by side
    stats = t.Unicode("").tag(sync=True)

    def __init__(self, tensor, split=None, **kwargs):
        import tensorkit as tk

        if not isinstance(tensor, tk.Tensor):
            tensor = tk.tensor(tensor)
        super().__init__(**kwargs)
        self.tensor = tensor
        self.shape = list(tensor.shape)
        self.dims = list(tensor.dims) if tensor.dims else None
        self.overview = tensor_html(tensor)
        self.count = tensor.shape[0] if _batched(tensor, split) else 0
        if tensor.data is not None and tensor.size:
            a = tensor.numpy().ravel()
            a = a[::max(1, a.size // 1_000_000)]       # big tensors: stats of a sample
            self.stats = (f"min {float(a.min()):.4g} · max {float(a.max()):.4g} · "
                          f"mean {float(a.mean()):.4g}") if a.dtype.kind in "fiub" else ""
        if self.count and self.thumbs_wanted():
            self.thumbs = [self._picture(i, thumb=True)
                           for i in range(min(self.count, MAX_THUMBS))]
        self._draw_sample()

    def thumbs_wanted(self):
        return False

    @t.observe("index")
    def _pick(self, change):
        self._draw_sample()

    def _picture(self, i, thumb=False):
        import tensorkit as tk

        part = self.tensor.numpy()[i]
        if _is_image(part.shape):
            size = 64 if thumb else 192
            return (f'<img alt="sample {i}" src="{png_data_url(part)}" width="{size}" '
                    f'height="{int(size * part.shape[0] / part.shape[1])}">')
        dims = self.tensor.dims[1:] if self.tensor.dims else None
        return tensor_html(tk.tensor(part, dims=dims))

    def _draw_sample(self):
        if not self.count:
            self.sample = ""
            return
        self.index = min(max(self.index, 0), self.count - 1)
        self.sample = self._picture(self.index)

    def to_text(self):
        head = f"Tensor {shape_text(self.shape, self.dims)} {self.tensor.dtype}"
        if self.count:
            head += f": {self.count} samples, showing sample {self.index}"
        return head + (f"\n{self.stats}" if self.stats else "")

    def to_html(self):
        parts = [self.overview]
        if self.thumbs:
            parts.append('<div style="display:flex;gap:8px;flex-wrap:wrap">' +
                         "".join(f"<div>{th}<br>sample {i}</div>"
                                 for i, th in enumerate(self.thumbs)) + "</div>")
        elif self.sample:
            parts.append(f"<div>sample {self.index} of {self.count}:</div>{self.sample}")
        return '<div class="tk-tensor">' + "".join(parts) + "</div>"


class BatchView(TensorView):
    """A batch as separate samples side by side (the first MAX_THUMBS), one picked larger."""

    def __init__(self, tensor, **kwargs):
        super().__init__(tensor, split=True, **kwargs)

    def thumbs_wanted(self):
        return True


def _cells(values, shape):
    """Nested grids of numbered, coloured cells: rank 1 a row, 2 a grid, 3+ grids side by side."""
    total = max(values.size, 1)

    def cell(v):
        hue = int(300 * v / total)
        return (f'<td data-k="{v}" style="background:hsl({hue},70%,85%)">{v}</td>')

    def grid(a):
        a = a.reshape(1, -1) if a.ndim < 2 else a
        rows = "".join("<tr>" + "".join(cell(int(v)) for v in row) + "</tr>" for row in a)
        return f'<table class="tk-cells">{rows}</table>'

    if values.ndim <= 2:
        return grid(values)
    flat = values.reshape((-1,) + values.shape[-2:])
    return '<div style="display:flex;gap:10px;flex-wrap:wrap">' + "".join(
        f'<div><div style="font-size:10px;color:#666">[{", ".join(map(str, idx))}, :, :]'
        f"</div>{grid(flat[k])}</div>"
        for k, idx in enumerate(numpy.ndindex(*values.shape[:-2]))) + "</div>"


class ReshapeView(Widget):
    """Before and after an op that moves elements: each element numbered and coloured by
    its place in memory order before, so you can follow it.

    ``ReshapeView((2, 3, 4), "transpose", axes=(0, 2, 1))``
    """

    _esm = HERE / "tensor_view.js"

    before = t.Unicode("").tag(sync=True)
    after = t.Unicode("").tag(sync=True)
    caption = t.Unicode("").tag(sync=True)
    message = t.Unicode("").tag(sync=True)

    OPS = ("reshape", "transpose", "expand_dims", "flatten", "squeeze", "moveaxis", "swapaxes",
           "flip", "roll")

    def __init__(self, shape, op, *args, **attrs):
        import tensorkit as tk

        super().__init__()
        if isinstance(shape, tk.Tensor):
            shape = shape.shape
        if op not in self.OPS:
            raise ValueError(f"ReshapeView shows one of {', '.join(self.OPS)}. "
                             f"Received: op={op!r}")
        shape = tuple(shape)
        size = int(numpy.prod(shape))
        x = tk.arange(size).reshape(shape)
        y = getattr(tk, op)(x, *args, **attrs)   # tensorkit computes the new shape
        call = ", ".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in attrs.items()])
        self.caption = f"{op}({shape_text(list(shape))}{', ' + call if call else ''}) -> " \
                       f"{shape_text(list(y.shape))}"
        self.shapes = (shape, tuple(y.shape))
        if size > MAX_FOLLOW:
            self.message = (f"{size} elements are too many to number one by one; try the "
                            f"same op on a smaller shape. The shapes: {self.caption}")
            return
        self.before = _cells(x.numpy(), shape)
        self.after = _cells(y.numpy(), y.shape)

    def to_text(self):
        return f"ReshapeView: {self.caption}"

    def to_html(self):
        if self.message:
            return f"<p>{html.escape(self.message)}</p>"
        return (f'<div class="tk-reshape"><div><b>{html.escape(self.caption)}</b></div>'
                f'<div style="display:flex;gap:24px;align-items:flex-start">'
                f"<div>before<br>{self.before}</div><div>after<br>{self.after}</div></div></div>")
