"""Notebook widgets for tensorkit: see shapes, graphs, batches and training as they happen.

Every widget only reads what tensorkit records (a trace's nodes and edges, a model's
summary); none computes a shape. Each is an anywidget (ESM files next to this file) with a
static HTML picture and a plain-text form, so saved notebooks and terminals show them too.

``import widgets`` in a notebook also makes ``display(model)`` (and a bare ``model`` ending a
cell) draw a GraphView and ``display(tensor)`` a TensorView; a trace draws a GraphView too.

Saved notebooks: JupyterLab draws a widget output only from a kernel or from widget state
saved in the notebook (Settings > Widget Manager > Save Widget State, off by default;
``nbconvert --execute`` saves it). A trusted notebook without it shows "Error displaying
widget: model not found": JupyterLab's widget renderer never falls back to the bundle's other
formats. An untrusted one (opened from disk, not yet run) shows the sanitized text/html,
which drops inline SVG but keeps images: a GraphView's fallback is its SVG as an <img> (a
data: URI, the shapes in its alt text), so the graph still shows. ``jupyter nbconvert --to
html`` uses the text/html fallback for every output without saved state (add
``--ClearMetadataPreprocessor.enabled=True`` for an offline page: with state it embeds widget
views whose JavaScript loads from unpkg.com); a TrainingMonitor always leaves a PNG.
"""

from ._base import in_notebook
from ._data import BATCH_COLOR
from .check import CheckResult, check
from .graph_view import GraphView, GraphvizMissing, graph_svg
from .layer_panel import LayerPanel
from .media import Camera, CaptureError, Microphone, spectrogram
from .shape_table import ShapeTable, table_text
from .tensor_view import BatchView, ReshapeView, TensorView
from .training import TrainingMonitor, overfit_epoch

__all__ = ["BATCH_COLOR", "BatchView", "Camera", "CaptureError", "CheckResult", "GraphView",
           "GraphvizMissing", "LayerPanel", "Microphone", "ReshapeView", "ShapeTable",
           "TensorView", "TrainingMonitor", "check", "display_bundle", "graph_svg",
           "in_notebook", "overfit_epoch", "spectrogram", "table_text", "view"]


def view(obj):
    """The widget that shows `obj`: a GraphView for models and traces, TensorView for tensors."""
    import tensorkit as tk

    if isinstance(obj, (tk.Model, tk.Trace)):
        return GraphView(obj)
    if isinstance(obj, tk.Tensor):
        return TensorView(obj)
    raise TypeError(f"No widget for {type(obj).__name__}.")


def display_bundle(obj):
    """The rich display of `obj` (live widget + static HTML + text), for _repr_mimebundle_."""
    return view(obj)._repr_mimebundle_()


def _register():
    """In a notebook, display(model) and display(tensor) pick their widget."""
    from ._base import shell
    ip = shell()
    if ip is None:
        return
    import tensorkit as tk
    formatter = ip.display_formatter.mimebundle_formatter
    formatter.for_type(tk.Model, lambda obj, include=None, exclude=None: display_bundle(obj))
    formatter.for_type(tk.Tensor, lambda obj, include=None, exclude=None: display_bundle(obj))


_register()
