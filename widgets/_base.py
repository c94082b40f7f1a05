"""What every widget shares: its ESM/CSS files, a static fallback, and live redraws.

Each widget is an anywidget whose ``_repr_mimebundle_`` carries, next to the live view,
``text/html`` (a static picture: nbconvert and saved notebooks show it when there is no
kernel) and a deterministic ``text/plain`` (terminals, nbval).
"""

import pathlib
import weakref

import anywidget

from tensorkit.layers.base import OBSERVERS

HERE = pathlib.Path(__file__).parent
CSS = HERE / "widgets.css"


def shell():
    """The IPython kernel shell when running in a notebook, else None."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    ip = get_ipython()
    return ip if ip is not None and getattr(ip, "kernel", None) is not None else None


def in_notebook():
    return shell() is not None


class Widget(anywidget.AnyWidget):
    """An anywidget with a static HTML picture and a plain-text form."""

    _css = CSS

    def to_text(self):
        raise NotImplementedError

    def to_html(self):
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs):
        bundle = {}
        if in_notebook():
            live = super()._repr_mimebundle_(**kwargs)
            bundle.update(live[0] if isinstance(live, tuple) else live or {})
        bundle["text/html"] = self.to_html()
        bundle["text/plain"] = self.to_text()
        return bundle

    def __repr__(self):
        return self.to_text()


# ---- live redraws --------------------------------------------------------------------
# Changes made while a cell runs (model.add, layer.trainable = False in a loop) are redrawn
# once when the cell ends; changes from a widget's own control (a LayerPanel checkbox) or
# outside a notebook are redrawn at once.
_running = [False]
_dirty = weakref.WeakSet()
_after_cell = []                  # weak callbacks run after every cell (rebinding by name)
_hooked = [False]


def _pre_run_cell(*args):
    _running[0] = True


def _post_run_cell(*args):
    _running[0] = False
    for ref in list(_after_cell):
        fn = ref()
        if fn is None:
            _after_cell.remove(ref)
        else:
            fn()
    for widget in list(_dirty):
        _dirty.discard(widget)
        widget.refresh()


def _hook():
    ip = shell()
    if ip is None or _hooked[0]:
        return
    ip.events.register("pre_run_cell", _pre_run_cell)
    ip.events.register("post_run_cell", _post_run_cell)
    _hooked[0] = True


def changed(widget):
    """`widget` must redraw: now, or when the running cell ends."""
    if _running[0]:
        _dirty.add(widget)
    else:
        widget.refresh()


def watch(widget, concerns):
    """Redraw `widget` when tensorkit reports a change to a layer for which concerns(layer)."""
    ref = weakref.ref(widget)

    def observer(layer, change):
        w = ref()
        if w is None:
            OBSERVERS.remove(observer)
        elif concerns(w, layer):
            changed(w)

    OBSERVERS.append(observer)
    _hook()
    return observer


def after_each_cell(widget, method):
    """Call widget.method() after every cell while the widget lives (weakly held)."""
    ref = weakref.WeakMethod(getattr(widget, method))
    _after_cell.append(ref)
    _hook()


def names_of(obj):
    """The notebook variable names bound to `obj`, to follow it when a cell rebinds them."""
    ip = shell()
    if ip is None:
        return []
    return [k for k, v in ip.user_ns.items() if v is obj and not k.startswith("_")]


def lookup(name):
    ip = shell()
    return ip.user_ns.get(name) if ip is not None else None
