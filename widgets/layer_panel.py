"""LayerPanel: a model's layers with trainable checkboxes and parameter counts.

Ticking a box sets ``layer.trainable`` on the model itself; the trainable and frozen totals
are read back from ``model.summary(as_dict=True)``, never counted here.
"""

import html

import traitlets as t

from ._base import HERE, Widget, watch
from ._data import shape_text

__all__ = ["LayerPanel"]


class LayerPanel(Widget):
    """``LayerPanel(model)``: freeze and unfreeze layers; totals update as you click."""

    _esm = HERE / "layer_panel.js"

    rows = t.List().tag(sync=True)
    totals = t.Dict().tag(sync=True)
    title = t.Unicode("").tag(sync=True)
    message = t.Unicode("").tag(sync=True)

    def __init__(self, model, **kwargs):
        super().__init__(**kwargs)
        self.model = model
        self.on_msg(self._on_msg)
        self.refresh()
        watch(self, LayerPanel._concerns)

    def _concerns(self, layer):
        return layer is self.model or any(l is layer for l in self.model.layers)

    def _on_msg(self, widget, content, buffers):
        if "toggle" in content:
            self.set_trainable(content["toggle"], bool(content["trainable"]))

    def set_trainable(self, name, trainable):
        """What a checkbox does: freeze (False) or unfreeze the layer called `name`."""
        self.model.get_layer(name).trainable = trainable
        self.refresh()

    def refresh(self):
        try:
            data = self.model.summary(as_dict=True)
        except ValueError as err:              # no input shape yet
            self.message = str(err).split("\n")[0]
            return
        with self.hold_sync():
            self.message = ""
            self.title = data["name"]
            self.rows = [{"name": r["name"], "type": r["type"], "params": r["params"],
                          "trainable_params": r["trainable_params"], "trainable": r["trainable"],
                          "output": shape_text(r["output_shape"])} for r in data["layers"]]
            self.totals = {k: data[k] for k in ("total_params", "trainable_params",
                                                "non_trainable_params")}

    def _totals_text(self):
        t = self.totals
        return (f"Total params: {t['total_params']:,} · trainable: {t['trainable_params']:,} · "
                f"frozen: {t['non_trainable_params']:,}")

    def to_text(self):
        if self.message:
            return f"LayerPanel: {self.message}"
        lines = [f"Layers of {self.title!r}:"]
        for r in self.rows:
            box = "[x]" if r["trainable"] else "[ ] frozen"
            lines.append(f"  {box:<10} {r['name']} ({r['type']})  {r['output']}  "
                         f"{r['params']:,} params")
        return "\n".join(lines + [self._totals_text()])

    def to_html(self):
        if self.message:
            return f"<p>{html.escape(self.message)}</p>"
        rows = "".join(
            f'<tr class="{"" if r["trainable"] else "frozen"}"><td>'
            f'{"☑" if r["trainable"] else "☐"}</td><td>{html.escape(r["name"])}</td>'
            f'<td>{html.escape(r["type"])}</td><td>{html.escape(r["output"])}</td>'
            f'<td class="num">{r["params"]:,}</td></tr>' for r in self.rows)
        return (f'<div class="tk-layers"><table><tr><th>trainable</th><th>layer</th>'
                f'<th>type</th><th>output</th><th class="num">params</th></tr>{rows}</table>'
                f"<div>{html.escape(self._totals_text())}</div></div>")
