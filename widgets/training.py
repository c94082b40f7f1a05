"""TrainingMonitor: a ``fit`` callback showing progress (epoch, batch, ETA), the training and
validation loss curves and metrics, live; it marks where validation loss starts rising.

Every logged loss is drawn: "loss" and each key ending in "_loss" (a GAN's d_loss and g_loss,
a VAE's kl_loss...), with its "val_" partner when there is one. With only loss/val_loss the
picture is the classic one (blue and orange); with more, each loss has its own colour, its
validation curve dashed, and a legend names them all.

Batches are only recorded (a list append); the page is updated at most every `interval`
seconds and at each epoch's end, so the monitor costs a few per cent of fit time at most.
When training ends, the cell's output becomes the final plot as a static PNG, which stays
in the saved notebook.
"""

import html
import time

import numpy
import traitlets as t

from ._base import HERE, Widget, in_notebook

__all__ = ["TrainingMonitor", "overfit_epoch"]

from tensorkit.callbacks import Callback

MAX_POINTS = 300                  # batch losses kept for the curve (then every other one)
W, H, PAD = 420, 220, 40
TRAIN_COLOR, VAL_COLOR = "#1f77b4", "#ff7f0e"
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf",
           "#7f7f7f")                    # one per loss (red is the overfitting mark's)
DASH = "5 3"                             # validation curves, when there are several losses


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


def is_loss(key):
    """Whether a log key is a loss the monitor draws: "loss", or a name ending in "_loss"."""
    return key == "loss" or key.endswith("_loss")


def _scalar(value):
    return float(value) if numpy.ndim(value) == 0 and hasattr(value, "__float__") else None


def _as_dicts(batches):
    """Batch points as (x, {key: loss}); a bare (x, loss) is the "loss" key's."""
    return [(x, y if isinstance(y, dict) else {"loss": y}) for x, y in batches]


def loss_curves(history, batches=()):
    """The curves to draw, as (key, colour, dashed), in the order the losses were logged.

    >>> [k for k, _, _ in loss_curves([{"epoch": 0, "d_loss": 1.0, "g_loss": 2.0, "acc": 1}])]
    ['d_loss', 'g_loss']
    >>> loss_curves([{"epoch": 0, "loss": 1.0, "val_loss": 1.2}])    # the classic look
    [('loss', '#1f77b4', False), ('val_loss', '#ff7f0e', False)]
    """
    names, logged = {}, set()                     # family ("d_loss") -> None, in order
    for keys in [h.keys() for h in history] + [y.keys() for _, y in _as_dicts(batches)]:
        for key in keys:
            if is_loss(key):
                logged.add(key)
                names.setdefault(key[4:] if key.startswith("val_") else key, None)
    if list(names) == ["loss"]:
        return [(k, c, False) for k, c in (("loss", TRAIN_COLOR), ("val_loss", VAL_COLOR))
                if k in logged]
    curves = []
    for i, name in enumerate(names):
        color = PALETTE[i % len(PALETTE)]
        curves += [(k, color, dashed) for k, dashed in ((name, False), ("val_" + name, True))
                   if k in logged]
    return curves


def _legend(curves, top):
    """SVG legend rows from y=`top` down: a line sample (dashed for validation) and the key
    per curve; (svg, height)."""
    out, x, y = [], PAD, top + 10
    for key, color, dashed in curves:
        width = 30 + 6 * len(key)
        if x + width > W - 10 and x > PAD:
            x, y = PAD, y + 14
        dash = f' stroke-dasharray="{DASH}"' if dashed else ""
        out.append(f'<g class="legend"><line x1="{x}" y1="{y - 3}" x2="{x + 18}" y2="{y - 3}" '
                   f'stroke="{color}" stroke-width="2"{dash}/><text x="{x + 22}" y="{y}" '
                   f'fill="{color}">{html.escape(key)}</text></g>')
        x += width
    return "".join(out), y - top + 6


def curves_svg(history, batches, overfit):
    """The loss curves as SVG (deterministic for the same numbers). `batches` holds
    (fractional epoch, {key: loss}) points, or (fractional epoch, loss) for "loss"."""
    batches = _as_dicts(batches)
    curves = loss_curves(history, batches)
    classic = {k for k, _, _ in curves} <= {"loss", "val_loss"}
    xs = [h["epoch"] + 1 for h in history] + [x for x, _ in batches]
    ys = [h[k] for h in history for k, _, _ in curves if h.get(k) is not None]
    ys += [v for _, y in batches for v in y.values()]
    if not xs or not ys:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}">'
                f'<text x="{W / 2}" y="{H / 2}" text-anchor="middle" fill="#888">'
                "waiting for the first batch…</text></svg>")
    legend, extra = ("", 0) if classic else _legend(curves, H)
    fx = _scale(0, max(max(xs), 1), PAD, W - 10)
    fy = _scale(min(ys), max(ys), H - 25, 10)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H + extra}" '
           f'font-family="sans-serif" font-size="10" class="tk-curves">',
           f'<line x1="{PAD}" y1="{H - 25}" x2="{W - 10}" y2="{H - 25}" stroke="#999"/>',
           f'<line x1="{PAD}" y1="10" x2="{PAD}" y2="{H - 25}" stroke="#999"/>',
           f'<text x="{W / 2}" y="{H - 5}" text-anchor="middle">epoch</text>',
           f'<text x="{PAD - 4}" y="14" text-anchor="end">{max(ys):.3g}</text>',
           f'<text x="{PAD - 4}" y="{H - 27}" text-anchor="end">{min(ys):.3g}</text>']
    for key, color, _ in curves:                  # the batch losses, faint, under the epochs'
        pts = " ".join(f"{fx(x):.1f},{fy(y[key]):.1f}" for x, y in batches if key in y)
        if pts:
            out.append(f'<polyline class="batch-{key}" points="{pts}" fill="none" '
                       f'stroke="{color}" stroke-opacity="0.35"/>')
    for key, color, dashed in curves:
        pts = [(fx(h["epoch"] + 1), fy(h[key])) for h in history if h.get(key) is not None]
        if pts:
            dash = f' stroke-dasharray="{DASH}"' if dashed else ""
            out.append(f'<polyline class="{key}" points="'
                       + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
                       + f'" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
            out += [f'<circle class="{key}-point" cx="{x:.1f}" cy="{y:.1f}" r="3" '
                    f'fill="{color}"/>' for x, y in pts]
    if overfit is not None:
        x = fx(overfit + 1)
        out.append(f'<line class="overfit" x1="{x:.1f}" y1="10" x2="{x:.1f}" y2="{H - 25}" '
                   f'stroke="#d62728" stroke-dasharray="4 3"/><text x="{x + 3:.1f}" y="20" '
                   f'fill="#d62728">validation loss rises after here</text>')
    if classic:
        out.append(f'<text x="{W - 10}" y="{H - 30}" text-anchor="end" fill="{TRAIN_COLOR}">'
                   f'loss</text><text x="{W - 10}" y="{H - 42}" text-anchor="end" '
                   f'fill="{VAL_COLOR}">val_loss</text></svg>')
    else:
        out.append(legend + "</svg>")
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
        self._batches = []                       # (fractional epoch, {key: loss})
        self._seen, self._stride = 0, 1          # batches so far; one in `stride` is kept
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
        self._seen, self._stride = 0, 1
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
        losses = {k: float(v) for k, v in (logs or {}).items()    # a message, which every
                  if is_loss(k) and _scalar(v) is not None}         # batch cannot afford
        self._seen += 1
        if losses and self._seen % self._stride == 0:
            self._batches.append((self._epoch + (batch + 1) / (self._steps or batch + 1),
                                  losses))
            if len(self._batches) > MAX_POINTS:      # thin evenly: keep every 2nd point and
                self._batches = self._batches[1::2]  # record one batch in 2, then in 4...
                self._stride *= 2
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

        buf = io.BytesIO()
        self.figure().savefig(buf, format="png", metadata={"Software": None})
        return base64.b64encode(buf.getvalue()).decode("ascii")

    def figure(self):
        """The curves as a Matplotlib figure: the SVG's curves, legend and overfitting mark."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=(5, 2.8), dpi=80)
        ax = fig.add_subplot()
        curves = loss_curves(self.history, self._batches)      # the same curves as the SVG
        for key, color, _ in curves:
            pts = [(x, y[key]) for x, y in self._batches if key in y]
            if pts:
                ax.plot(*zip(*pts), color=color, alpha=0.35, lw=1)
        for key, color, dashed in curves:
            pts = [(h["epoch"] + 1, h[key]) for h in self.history if key in h]
            if pts:
                ax.plot(*zip(*pts), "o--" if dashed else "o-", color=color, label=key)
        if self.overfit >= 0:
            ax.axvline(self.overfit + 1, color="#d62728", ls="--",
                       label="validation loss rises after")
        ax.set_xlabel("epoch")
        many = len(curves) > 3
        ax.legend(loc="upper right", fontsize=7 if many else 8, ncol=2 if many else 1)
        fig.tight_layout()
        return fig

    def _push(self, now):
        self._last = now
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
