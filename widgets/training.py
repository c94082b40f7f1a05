"""TrainingMonitor: a ``fit`` callback showing progress (epoch, batch, ETA), the training and
validation loss curves and metrics, live; it marks where validation loss starts rising.

Batches are only recorded (a list append); the page is updated at most every `interval`
seconds and at each epoch's end, so the monitor costs a few per cent of fit time at most.
When training ends, the cell's output becomes the final plot as a static SVG, which stays
in the saved notebook.
"""

import html
import time

import numpy
import traitlets as t

from ._base import HERE, Widget, in_notebook

__all__ = ["TrainingMonitor", "overfit_epoch"]

from tensorkit.callbacks import Callback

MAX_POINTS = 300                          # batch losses kept for the curve (then thinned)
W, H, PAD = 420, 220, 40
TRAIN_COLOR, VAL_COLOR = "#1f77b4", "#ff7f0e"


def overfit_epoch(losses, val_losses, patience=2):
    """The epoch (0-based) after which validation loss rose `patience` times in a row while
    training loss kept falling; None if it has not.

    >>> overfit_epoch([5, 4, 3, 2, 1], [5, 4, 4.5, 4.8, 5])
    1
    >>> overfit_epoch([5, 4, 3], [5, 4, 3]) is None
    True
    """
    best = None
    for e, v in enumerate(val_losses):
        if v is None:
            continue
        if best is None or v < val_losses[best]:
            best = e
        elif e - best >= patience and all(val_losses[k] > val_losses[k - 1]
                                          for k in range(best + 1, e + 1)) \
                and losses[e] < losses[best]:
            return best
    return None


def _scale(lo, hi, a, b):
    span = (hi - lo) or 1.0
    return lambda v: a + (v - lo) / span * (b - a)


def curves_svg(history, batches, overfit):
    """The loss curves as SVG (deterministic for the same numbers)."""
    xs = [h["epoch"] + 1 for h in history] + [x for x, _ in batches]
    ys = [v for h in history for v in (h.get("loss"), h.get("val_loss")) if v is not None]
    ys += [y for _, y in batches]
    if not xs or not ys:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}">'
                f'<text x="{W / 2}" y="{H / 2}" text-anchor="middle" fill="#888">'
                "waiting for the first batch…</text></svg>")
    fx = _scale(0, max(max(xs), 1), PAD, W - 10)
    fy = _scale(min(ys), max(ys), H - 25, 10)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           f'font-family="sans-serif" font-size="10" class="tk-curves">',
           f'<line x1="{PAD}" y1="{H - 25}" x2="{W - 10}" y2="{H - 25}" stroke="#999"/>',
           f'<line x1="{PAD}" y1="10" x2="{PAD}" y2="{H - 25}" stroke="#999"/>',
           f'<text x="{W / 2}" y="{H - 5}" text-anchor="middle">epoch</text>',
           f'<text x="{PAD - 4}" y="14" text-anchor="end">{max(ys):.3g}</text>',
           f'<text x="{PAD - 4}" y="{H - 27}" text-anchor="end">{min(ys):.3g}</text>']
    if batches:
        pts = " ".join(f"{fx(x):.1f},{fy(y):.1f}" for x, y in batches)
        out.append(f'<polyline class="batch-loss" points="{pts}" fill="none" '
                   f'stroke="{TRAIN_COLOR}" stroke-opacity="0.35"/>')
    for key, color in (("loss", TRAIN_COLOR), ("val_loss", VAL_COLOR)):
        pts = [(fx(h["epoch"] + 1), fy(h[key])) for h in history if h.get(key) is not None]
        if pts:
            out.append(f'<polyline class="{key}" points="'
                       + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
                       + f'" fill="none" stroke="{color}" stroke-width="2"/>')
            out += [f'<circle class="{key}-point" cx="{x:.1f}" cy="{y:.1f}" r="3" '
                    f'fill="{color}"/>' for x, y in pts]
    if overfit is not None:
        x = fx(overfit + 1)
        out.append(f'<line class="overfit" x1="{x:.1f}" y1="10" x2="{x:.1f}" y2="{H - 25}" '
                   f'stroke="#d62728" stroke-dasharray="4 3"/><text x="{x + 3:.1f}" y="20" '
                   f'fill="#d62728">validation loss rises after here</text>')
    out.append(f'<text x="{W - 10}" y="{H - 30}" text-anchor="end" fill="{TRAIN_COLOR}">'
               f'loss</text><text x="{W - 10}" y="{H - 42}" text-anchor="end" '
               f'fill="{VAL_COLOR}">val_loss</text></svg>')
    return "".join(out)


class TrainingMonitor(Widget, Callback):
    """``model.fit(x, y, validation_data=..., callbacks=[TrainingMonitor()])``."""

    _esm = HERE / "training_monitor.js"

    epochs = t.Int(0).tag(sync=True)
    epoch = t.Int(0).tag(sync=True)
    steps = t.Int(0).tag(sync=True)
    batch = t.Int(0).tag(sync=True)
    eta = t.Float(0.0).tag(sync=True)
    history = t.List().tag(sync=True)             # one dict of logs per finished epoch
    svg = t.Unicode("").tag(sync=True)
    overfit = t.Int(-1).tag(sync=True)
    done = t.Bool(False).tag(sync=True)
    points = t.Int(0).tag(sync=True)              # loss points drawn so far
    pushes = t.Int(0).tag(sync=True)              # how often the page was updated

    def __init__(self, interval=0.5, show=True, **kwargs):
        Widget.__init__(self, **kwargs)
        self.interval, self.show = interval, show
        self.model = None
        self.params = {}
        self._batches = []                       # (fractional epoch, loss)
        self._handle = None
        self._epoch = self._batch = self._steps = 0
        self._last = 0.0
        self._start = self._epoch_start = 0.0
        self.svg = curves_svg([], [], None)

    # ---- the Keras callback protocol --------------------------------------------------
    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = dict(params or {})

    def on_train_begin(self, logs=None):
        self.epochs = int(self.params.get("epochs") or 0)
        self.steps = self._steps = int(self.params.get("steps") or 0)
        self._epoch = self._batch = 0
        self.history, self._batches, self.done = [], [], False
        self._start = time.perf_counter()
        if self.show and in_notebook() and self._handle is None:
            from IPython.display import display
            self._handle = display(self, display_id=True)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = self._epoch = epoch
        self._batch = 0
        self._epoch_start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self._batch = batch + 1              # plain attributes: setting a synced trait costs
        loss = (logs or {}).get("loss")     # a message, which every batch cannot afford
        if loss is not None:
            self._batches.append((self._epoch + (batch + 1) / (self._steps or batch + 1),
                                  float(loss)))
        now = time.perf_counter()
        if now - self._last >= self.interval:        # the throttle
            self._push(now)

    on_batch_end = on_train_batch_end

    def on_epoch_end(self, epoch, logs=None):
        row = {"epoch": epoch, **{k: float(v) for k, v in (logs or {}).items()   # scalars:
                                  if numpy.ndim(v) == 0 and hasattr(v, "__float__")}}  # curves
        self.history = self.history + [row]
        self.epoch = epoch
        self._push(time.perf_counter())

    def on_train_end(self, logs=None):
        self.done = True
        self._push(time.perf_counter())
        if self._handle is not None:                 # leave the final plot as a static image
            self._handle.update({"image/png": self.png(), "text/plain": self.to_text()},
                                raw=True)
            self._handle = None

    # ---- drawing ----------------------------------------------------------------------
    def png(self):
        """The curves as a PNG (base64), the picture a saved notebook keeps (an <img> is
        shown even where the notebook is not trusted)."""
        import base64
        import io

        from matplotlib.figure import Figure

        fig = Figure(figsize=(5, 2.8), dpi=80)
        ax = fig.add_subplot()
        if self._batches:
            ax.plot(*zip(*self._batches), color=TRAIN_COLOR, alpha=0.35, lw=1)
        for key, color in (("loss", TRAIN_COLOR), ("val_loss", VAL_COLOR)):
            pts = [(h["epoch"] + 1, h[key]) for h in self.history if key in h]
            if pts:
                ax.plot(*zip(*pts), "o-", color=color, label=key)
        if self.overfit >= 0:
            ax.axvline(self.overfit + 1, color="#d62728", ls="--",
                       label="validation loss rises after")
        ax.set_xlabel("epoch")
        ax.legend(loc="upper right", fontsize=8)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        return base64.b64encode(buf.getvalue()).decode("ascii")

    def _push(self, now):
        self._last = now
        if len(self._batches) > MAX_POINTS:          # thin the oldest half, keep the shape
            half = len(self._batches) // 2
            self._batches = self._batches[:half:2] + self._batches[half:]
        done_steps = self._epoch * max(self.steps, 1) + self._batch
        total = max(self.epochs, 1) * max(self.steps, 1)
        elapsed = now - self._start
        losses = [h.get("loss") for h in self.history]
        val = [h.get("val_loss") for h in self.history]
        found = overfit_epoch(losses, val) if any(v is not None for v in val) else None
        with self.hold_sync():
            self.batch = self._batch
            self.eta = elapsed / done_steps * (total - done_steps) if done_steps and \
                self.steps else 0.0
            self.overfit = -1 if found is None else found
            self.svg = curves_svg(self.history, self._batches, found)
            self.points = len(self._batches) + len(self.history)
            self.pushes += 1

    def to_text(self):
        if not self.history:
            return f"TrainingMonitor: epoch {self.epoch + 1}/{self.epochs or '?'}"
        last = self.history[-1]
        logs = " - ".join(f"{k}: {v:.4f}" for k, v in last.items() if k != "epoch")
        text = f"TrainingMonitor: epoch {last['epoch'] + 1}/{self.epochs or '?'} - {logs}"
        if self.overfit >= 0:
            text += f"\nValidation loss rises after epoch {self.overfit + 1}: overfitting."
        return text

    def to_html(self):
        return (f'<div class="tk-monitor">{self.svg}<div style="font-family:sans-serif;'
                f'font-size:12px">{html.escape(self.to_text()).replace(chr(10), "<br>")}'
                "</div></div>")
