"""A tensor's shape as a small static picture: the HTML behind ``Tensor._repr_html_``.

Plain HTML and inline SVG, no JavaScript and no IPython, so it also shows in a notebook
saved with its outputs. One block per axis: a scalar is one cell, a vector a row, a matrix
a grid, rank 3 a stack of sheets offset diagonally, rank >= 4 rows (or columns) of such
stacks for each leading axis. Every axis carries a line and a label with its size and dim
label; the batch axis is drawn in BATCH_COLOR, the colour the widgets use for it too.
At most MAX_CELLS cells are drawn along an axis (then "…"), so any shape draws at once.
"""

from html import escape

import numpy

BATCH_COLOR = "#d62728"
AXIS_COLOR = "#555555"
CELL_FILL, CELL_STROKE = "#eef3fb", "#4a6fa5"

MAX_CELLS = 12          # cells drawn along one axis of the last three
MAX_GROUPS = 4          # stacks drawn along the first leading axis; halved at each deeper one
UNKNOWN_CELLS = 3       # cells drawn for a size not known yet (None)
MAX_VALUES = 64         # tensors up to this many elements (rank <= 2) show their values
OFFSET = 5              # how far each sheet of a stack sits behind the one in front
GAP = 10                # between the stacks of a leading axis
FONT = 11

__all__ = ["BATCH_COLOR", "tensor_html"]


def _is_batch(t):
    """Axis 0 is the batch when labelled so, unknown (None), or the tensor is symbolic."""
    if not t.shape:
        return False
    return (t.dims is not None and t.dims[0] == "batch") or t.shape[0] is None \
        or t.data is None


def _drawn(size, most=MAX_CELLS):
    """(cells to draw, whether some are left out) for an axis of `size`."""
    if size is None:
        return min(UNKNOWN_CELLS, most), True
    return min(size, most), size > most


def _text_width(text):
    return len(text) * FONT * 0.62


def _g(dx, dy, parts, cls=None):
    attr = f' class="{cls}"' if cls else ""
    return [f'<g{attr} transform="translate({dx:g},{dy:g})">', *parts, "</g>"]


class _Axis:
    """One axis as drawn: its index, size, label text and colour."""

    def __init__(self, index, size, label, batch):
        self.index = index
        self.size = size
        self.cells, self.elided = _drawn(size)
        self.text = f"{label}={size}" if label else str(size)
        self.color = BATCH_COLOR if batch else AXIS_COLOR

    def mark(self, x1, y1, x2, y2, tx, ty, anchor="middle", rotate=False):
        """The axis's line along its cells and its label, in the axis's colour."""
        turn = f' transform="rotate(-90 {tx:g} {ty:g})"' if rotate else ""
        return (f'<g class="axis" data-axis="{self.index}" style="color:{self.color}">'
                f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" '
                f'stroke="currentColor" stroke-width="2"/>'
                f'<text x="{tx:g}" y="{ty:g}" text-anchor="{anchor}" fill="currentColor"'
                f'{turn}>{escape(self.text)}</text></g>')


def _ellipsis(x, y):
    return f'<text class="ellipsis" x="{x:g}" y="{y:g}" text-anchor="middle">…</text>'


def _grid(rows, cols, depth, cw, ch, values):
    """A grid of cells (rows, cols may be None), sheets behind it for `depth`: (w, h, parts)."""
    nr, nc = rows.cells if rows else 1, cols.cells if cols else 1
    nd = depth.cells if depth else 0
    back = max(nd - 1, 0) * OFFSET                    # how far the last sheet sits behind
    ml = FONT + 10 if rows else 2
    mt = 2 + (back + FONT + 6 if depth else 0)
    w, h = nc * cw, nr * ch
    parts = []
    for k in range(nd - 1, -1, -1):                   # back to front, so the front is on top
        parts.append(f'<rect class="sheet" x="{ml + k * OFFSET:g}" y="{mt - k * OFFSET:g}" '
                     f'width="{w:g}" height="{h:g}" fill="{CELL_FILL}" stroke="{CELL_STROKE}"/>')
    for i in range(nr):
        for j in range(nc):
            x, y = ml + j * cw, mt + i * ch
            parts.append(f'<rect class="cell" x="{x:g}" y="{y:g}" width="{cw:g}" '
                         f'height="{ch:g}" fill="{CELL_FILL}" stroke="{CELL_STROKE}"/>')
            if values is not None:
                parts.append(f'<text class="value" x="{x + cw / 2:g}" y="{y + ch / 2 + 4:g}" '
                             f'text-anchor="middle">{escape(values[i][j])}</text>')
    right, bottom = ml + w + 4, mt + h + 4
    if cols and cols.elided:
        parts.append(_ellipsis(right + 5, mt + h / 2 + 4))
        right += 12
    if rows and rows.elided:
        parts.append(_ellipsis(ml + w / 2, bottom + 8))
        bottom += 12
    if rows:
        parts.append(rows.mark(ml - 4, mt, ml - 4, mt + h, ml - 8, mt + h / 2, rotate=True))
    if cols:
        parts.append(cols.mark(ml, bottom, ml + w, bottom, ml + w / 2, bottom + FONT + 3))
        bottom += FONT + 6
    if depth:
        x0, y0 = ml + w + 3, mt - 3
        x1, y1 = x0 + back, y0 - back
        tx = x1 + 4
        if depth.elided:
            parts.append(_ellipsis(x1 + 7, y1 + 1))
            tx += 12
        parts.append(depth.mark(x0, y0, x1, y1, tx, y1 + 2, anchor="start"))
        right = max(right, x0, tx + _text_width(depth.text))
        right = max(right, ml + w + back + 4)
    right = max(right, ml + _text_width(cols.text) if cols else 0)
    return right + 2, bottom + 2, parts


def _leading(axes, level, inner):
    """Stacks repeated along the leading axes: rows for even levels, columns for odd ones."""
    if not axes:
        return inner
    axis = axes[0]
    axis.cells, axis.elided = _drawn(axis.size, max(MAX_GROUPS >> level, 1))
    cw, ch, child = _leading(axes[1:], level + 1, inner)
    across = level % 2 == 0
    parts, pad = [], FONT + 10
    n = max(axis.cells, 1)             # a size 0 still shows, faded, what each item would be
    fade = ' opacity="0.3"' if axis.cells == 0 else ""
    for k in range(n):
        dx, dy = (pad + k * (cw + GAP), pad) if across else (pad, pad + k * (ch + GAP))
        parts += _g(dx, dy, [f'<rect class="group" x="0" y="0" width="{cw:g}" '
                             f'height="{ch:g}" fill="none" stroke="#bbbbbb" '
                             f'stroke-dasharray="3 2"/>', f"<g{fade}>", *child, "</g>"])
    if across:
        end = pad + n * cw + (n - 1) * GAP
        parts.append(axis.mark(pad, pad - 4, end, pad - 4, (pad + end) / 2, pad - 8))
        w, h = end + 2, pad + ch + 2
        if axis.elided:
            parts.append(_ellipsis(end + 8, pad + ch / 2))
            w += 14
        w = max(w, pad + _text_width(axis.text))
    else:
        end = pad + n * ch + (n - 1) * GAP
        parts.append(axis.mark(pad - 4, pad, pad - 4, end, pad - 8, (pad + end) / 2,
                               rotate=True))
        w, h = pad + cw + 2, end + 2
        if axis.elided:
            parts.append(_ellipsis(pad + cw / 2, end + 10))
            h += 14
    return w, h, parts


def _values(t):
    """The values as text, one list per row, when the tensor is small enough to show them."""
    if t.data is None or t.ndim > 2 or not 0 < t.size <= MAX_VALUES:
        return None
    data = numpy.asarray(t.numpy()).reshape((-1,) + tuple(t.shape[-1:]) if t.ndim else (1, 1))
    if data.dtype.kind == "f":
        return [[f"{v:.4g}" for v in row] for row in data.tolist()]
    return [[str(v) for v in row] for row in data.tolist()]


def _drawing(t):
    """(width, height, svg parts) of the whole picture."""
    dims = t.dims or (None,) * t.ndim
    batch = _is_batch(t)
    axes = [_Axis(i, n, d, batch and i == 0) for i, (n, d) in enumerate(zip(t.shape, dims))]
    values = _values(t)
    if values is not None:
        widest = max((len(v) for row in values for v in row), default=1)
        cw, ch = max(18, widest * FONT * 0.62 + 8), FONT + 9
    else:
        cw = ch = 14 if t.ndim <= 2 else (10 if t.ndim == 3 else 8)
    if t.ndim <= 2:
        rows, cols = (axes[0], axes[1]) if t.ndim == 2 else (None, axes[0] if axes else None)
        return _grid(rows, cols, None, cw, ch, values)
    depth, rows, cols = axes[-3:]
    return _leading(axes[:-3], 0, _grid(rows, cols, depth, cw, ch, None))


def _caption(t):
    dims = t.dims or (None,) * t.ndim
    batch = _is_batch(t)
    parts = []
    for i, (n, d) in enumerate(zip(t.shape, dims)):
        text = escape(f"{d}={n}" if d else str(n))
        if i == 0 and batch:
            text = f'<span class="batch" style="color:{BATCH_COLOR}">{text}</span>'
        parts.append(text)
    shape = "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
    items = [f"shape <b>{shape}</b>", escape(str(t.dtype)), escape(t.device),
             f"op {escape(t.op)}" if t.op else "op none (an input)"]
    if t.name:
        items.append(f"name {escape(repr(t.name))}")
    if t.requires_grad:
        items.append("requires_grad")
    return " · ".join(items)


def tensor_html(t):
    """HTML (inline SVG, no script) picturing tensor `t`'s shape, for notebooks."""
    w, h, parts = _drawing(t)
    w, h = int(w + 0.5), int(h + 0.5)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="{FONT}">'
           + "".join(parts) + "</svg>")
    return (f'<div class="tensorkit-tensor">{svg}'
            f'<div class="caption" style="font-family:sans-serif;font-size:12px">'
            f"Tensor {_caption(t)}</div></div>")
