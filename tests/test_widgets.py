"""Unit tests of the widgets' synced state, read from tensorkit's models and traces."""

import base64
import doctest
import re
import time

import numpy as np
import pytest

import tensorkit as tk
import widgets
from widgets import graph_view, training
from widgets.training import TRAIN_COLOR, VAL_COLOR, curves_svg

L = tk.layers
RED = widgets.BATCH_COLOR


def mlp(name="mlp"):
    return tk.Sequential([tk.Input(shape=(28, 28, 1)), L.Flatten(name="flat"),
                          L.Dense(32, activation="relu", name="hidden"),
                          L.Dense(10, name="head")], name=name)


def labels(svg):
    """The text of every edge label in a Graphviz SVG, one string per edge."""
    edges = re.findall(r'<g id="e[^"]*" class="edge">(.*?)</g>', svg, flags=re.S)
    return ["".join(re.findall(r">([^<]*)</text>", e)) for e in edges]


# ---- GraphView ---------------------------------------------------------------------------
def test_model_graph_starts_collapsed_with_shapes_on_edges():
    view = widgets.GraphView(mlp())
    assert view.expanded == []
    assert [l["name"] for l in view.layers] == ["flat", "hidden", "head"]
    assert 'id="L0"' in view.svg and 'class="node layer collapsed"' in view.svg
    assert {"(None, 28, 28, 1)", "(None, 784)", "(None, 32)", "(None, 10)"} <= set(labels(view.svg))
    # the batch axis is drawn in the one batch colour on every edge
    assert view.svg.count(f'fill="{RED}">None</text>') == len(labels(view.svg))
    assert view.layers[1]["params"] == 784 * 32 + 32


def test_expand_and_collapse_a_layer():
    view = widgets.GraphView(mlp())
    view.expand("hidden")
    assert view.expanded == ["hidden"]
    assert 'id="C1"' in view.svg and 'id="L1"' not in view.svg
    ops = re.findall(r'<g id="n\d+" class="node op[^"]*">\s*<title>[^<]*</title>', view.svg)
    assert len(ops) == 3                                   # matmul, add, relu
    assert "(784, 32)" in labels(view.svg)                 # the kernel's edge, now visible
    view.collapse("hidden")
    assert view.expanded == [] and 'id="L1"' in view.svg
    view.expand()
    assert view.expanded == ["flat", "hidden", "head"]


def test_node_details_for_hover_and_click():
    view = widgets.GraphView(mlp())
    layer = view.nodes["L1"]
    assert layer["inputs"] == ["(None, 784)"] and layer["output"] == "(None, 32)"
    assert layer["params"] == 25120 and layer["frozen"] is False
    view.expand("hidden")
    matmul = next(d for d in view.nodes.values() if d["op"] == "matmul" and d["layer"] == "hidden")
    assert matmul["inputs"] == ["(None, 784)", "(784, 32)"]
    assert matmul["output"] == "(None, 32)" and matmul["params"] == 784 * 32


def test_frozen_layers_look_different_and_follow_the_model():
    model = mlp()
    view = widgets.GraphView(model)
    before = view.redraws
    model.get_layer("hidden").trainable = False
    assert view.redraws > before
    assert view.layers[1]["trainable"] is False and view.nodes["L1"]["frozen"]
    assert re.search(r'id="L1" class="node layer collapsed frozen"', view.svg)
    view.expand("hidden")
    assert re.search(r'id="C1" class="cluster layer expanded frozen"', view.svg)
    model.get_layer("hidden").trainable = True
    assert "frozen" not in view.svg


def test_live_add_and_pop_redraw():
    model = tk.Sequential([tk.Input(shape=(8,))], name="growing")
    view = widgets.GraphView(model)
    assert view.layers == []
    model.add(L.Dense(4, name="d1"))
    assert [l["name"] for l in view.layers] == ["d1"] and "(None, 4)" in labels(view.svg)
    model.add(L.Dense(2, name="d2"))
    assert [l["name"] for l in view.layers] == ["d1", "d2"]
    model.pop()
    assert [l["name"] for l in view.layers] == ["d1"]


def test_model_without_input_shape_says_so():
    view = widgets.GraphView(tk.Sequential(name="empty"))
    assert "does not know its input shape" in view.message and view.svg == ""
    assert "does not know its input shape" in repr(view)


def test_trace_and_function_graphs():
    with tk.trace() as g:
        tk.relu(tk.symbolic((None, 3)) * 2.0)
    view = widgets.GraphView(g)
    assert view.expanded == [] and view.layers == []       # no layers in a bare trace
    assert "(None, 3)" in labels(view.svg)

    def f(x):
        return tk.transpose(x)

    fv = widgets.GraphView(f, tk.symbolic((None, 5)))
    assert "(5, None)" in labels(fv.svg) and fv.title == "f"

    def f(x):                                             # noqa: F811 (a learner redefines f)
        return tk.expand_dims(x, 1)

    fv.update(f)
    assert "(None, 1, 5)" in labels(fv.svg)


def test_trace_repr_uses_the_widgets():
    with tk.trace() as g:
        tk.symbolic((None, 3)) + 1.0
    bundle = g._repr_mimebundle_()
    assert "text/html" in bundle and "(None, 3)" in labels(static_svg(bundle["text/html"]))
    assert bundle["text/plain"].startswith("Graph: ")
    assert "application/vnd.jupyter.widget-view+json" not in bundle     # not in a notebook


def static_svg(html):
    """The SVG inside a static GraphView's <img src="data:image/svg+xml;base64,...">."""
    found = re.fullmatch(r'<div class="tk-graph-static"><img alt="[^"]+" '
                         r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"></div>', html)
    assert found, html[:300]
    return base64.b64decode(found.group(1)).decode("utf-8")


def test_static_fallback_is_deterministic():
    a, b = widgets.GraphView(mlp("same")), widgets.GraphView(mlp("same"))
    assert a._repr_mimebundle_() == b._repr_mimebundle_()
    assert "graphviz version" not in a.svg


def test_static_fallback_is_an_svg_image_with_alt_text():
    # an <img> of the SVG, not inline <svg>: JupyterLab's sanitizer (an untrusted notebook)
    # keeps data: images but drops inline SVG, leaving loose label text
    html = widgets.GraphView(mlp())._repr_mimebundle_()["text/html"]
    assert "<svg" not in html
    svg = static_svg(html)
    assert svg.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert {"(None, 28, 28, 1)", "(None, 784)", "(None, 32)", "(None, 10)"} <= set(labels(svg))
    alt = re.search(r'alt="([^"]*)"', html).group(1)
    assert alt.startswith("Graph &#x27;mlp&#x27;: flat (Flatten): (None, 28, 28, 1) -&gt; ")
    assert "head (Dense): (None, 32) -&gt; (None, 10)" in alt
    empty = widgets.GraphView(tk.Sequential(name="empty")).to_html()
    assert "<img" not in empty and "does not know its input shape" in empty


def test_graphviz_missing_gives_install_message(monkeypatch):
    monkeypatch.setattr(graph_view.shutil, "which", lambda name: None)
    view = widgets.GraphView(mlp())
    assert view.svg == "" and "apt-get install graphviz" in view.message
    assert "conda install" in view.message
    table = widgets.ShapeTable(mlp())                      # still works without Graphviz
    assert table.rows[0]["op"] == "flatten"


def test_large_graph_is_collapsed_and_fast():
    model = tk.Sequential([tk.Input(shape=(16,))] +
                          [L.Dense(16, activation="relu") for _ in range(50)])
    t0 = time.perf_counter()
    view = widgets.GraphView(model)
    assert time.perf_counter() - t0 < 2.0
    assert len(view.data.nodes) > 200 and view.expanded == []
    with tk.trace() as g:
        x = tk.symbolic((None, 4))
        for _ in range(40):
            x = tk.relu(x + 1.0)
    assert widgets.GraphView(g).expanded == []            # no layers: nothing to collapse


# ---- ShapeTable ---------------------------------------------------------------------------
def test_shape_table_rows_and_changed_axes():
    table = widgets.ShapeTable(mlp())
    first = table.rows[0]
    assert first["op"] == "flatten" and first["inputs"] == ["(None, 28, 28, 1)"]
    assert first["output"] == "(None, 784)" and first["changed"] == [1] and first["batch"]
    relu = next(r for r in table.rows if r["op"] == "relu")
    assert relu["changed"] == [] and relu["layer"] == "hidden"
    text = table.to_text()
    assert "(None, *784*)" in text and "flatten" in text
    assert 'class="changed"' in table.to_html() and RED in table.to_html()


def test_shape_table_dim_labels():
    def f(x):
        return tk.transpose(x, (0, 2, 1))

    table = widgets.ShapeTable(f, tk.symbolic((None, 5, 3), dims=("batch", "time", "features")))
    assert table.rows[-1]["output"] == "(None, 3, 5)"
    table.dims = True
    assert table.rows[-1]["output"] == "(batch=None, features=3, time=5)"
    assert table.rows[-1]["changed"] == [1, 2]


def test_shape_table_compares_with_the_input_the_output_resembles():
    def f(ids, table, x):
        return tk.gather(table, ids), 2.0 * x, tk.ones((5,)) + x

    rows = widgets.ShapeTable(f, tk.symbolic((None, 7), dtype="int32"), tk.symbolic((50, 8)),
                              tk.symbolic((None, 5))).rows
    by_op = {r["op"]: r for r in rows}
    assert by_op["gather"]["changed"] == [2]              # each id became an 8-vector
    assert by_op["mul"]["changed"] == [] and by_op["add"]["changed"] == []


# ---- TensorView / BatchView / ReshapeView --------------------------------------------------
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4), (2, 3, 4, 5), (2, 2, 3, 4, 5)])
def test_tensor_view_every_rank(shape):
    view = widgets.TensorView(tk.tensor(np.ones(shape, dtype="float32")))
    assert view.shape == list(shape) and "<svg" in view.overview
    assert view.count == (shape[0] if len(shape) >= 4 else 0)


def test_batch_view_splits_samples_and_shows_images():
    images = tk.tensor(np.random.default_rng(0).random((3, 28, 28, 1), dtype="float32"))
    view = widgets.BatchView(images)
    assert view.count == 3 and len(view.thumbs) == 3
    assert view.sample.startswith('<img alt="sample 0" src="data:image/png;base64,')
    view.index = 2
    assert 'alt="sample 2"' in view.sample and "showing sample 2" in repr(view)
    seq = widgets.BatchView(tk.tensor(np.ones((2, 3, 4)), dims=("batch", "time", "features")))
    assert "time=3" in seq.sample                         # a non-image sample as blocks


def test_huge_tensor_is_summarized_quickly():
    t0 = time.perf_counter()
    view = widgets.TensorView(tk.zeros((64, 512, 512, 3)))
    assert time.perf_counter() - t0 < 2.0
    assert len(view.overview) < 50_000 and len(view.sample) < 200_000


def test_reshape_view_numbers_elements():
    view = widgets.ReshapeView((2, 3), "transpose")
    assert view.caption == "transpose((2, 3)) -> (3, 2)"
    first_row = re.findall(r'data-k="(\d+)"', view.after)[:2]
    assert first_row == ["0", "3"]                        # element 3 moved next to element 0
    assert "too many" in widgets.ReshapeView((40, 40), "flatten").message
    with pytest.raises(ValueError, match="op="):
        widgets.ReshapeView((2, 3), "sum")



@pytest.mark.parametrize("op, args, attrs, caption, first", [
    ("moveaxis", (0, 2), {}, "moveaxis((2, 3, 2), 0, 2) -> (3, 2, 2)", ["0", "6", "1", "7"]),
    ("swapaxes", (0, 1), {}, "swapaxes((2, 3, 2), 0, 1) -> (3, 2, 2)", ["0", "1", "6", "7"]),
    ("flip", (), {"axis": 1}, "flip((2, 3, 2), axis=1) -> (2, 3, 2)", ["4", "5", "2", "3"]),
    ("roll", (1,), {"axis": 1}, "roll((2, 3, 2), 1, axis=1) -> (2, 3, 2)", ["4", "5", "0", "1"]),
])
def test_reshape_view_follows_elements_that_move(op, args, attrs, caption, first):
    view = widgets.ReshapeView((2, 3, 2), op, *args, **attrs)
    assert view.caption == caption
    assert re.findall(r'data-k="(\d+)"', view.after)[:4] == first
    colour = dict(re.findall(r'data-k="(\d+)" style="([^"]*)"', view.before))
    assert dict(re.findall(r'data-k="(\d+)" style="([^"]*)"', view.after)) == colour

# ---- LayerPanel ---------------------------------------------------------------------------
def test_layer_panel_toggle_changes_the_model():
    model = mlp()
    panel = widgets.LayerPanel(model)
    assert [r["trainable"] for r in panel.rows] == [True, True, True]
    panel._on_msg(panel, {"toggle": "hidden", "trainable": False}, [])   # what a click sends
    assert model.get_layer("hidden").trainable is False
    assert panel.totals == {"total_params": 25450, "trainable_params": 330,
                            "non_trainable_params": 25120}
    model.get_layer("head").trainable = False             # from code: the panel follows
    assert panel.rows[2]["trainable"] is False and panel.totals["trainable_params"] == 0
    assert "[ ] frozen hidden" in repr(panel)


# ---- TrainingMonitor ----------------------------------------------------------------------
def drive(monitor, epochs=3, steps=20, val=(1.0, 0.8, 0.9, 1.0, 1.2)):
    monitor.set_model(None)
    monitor.set_params({"epochs": epochs, "steps": steps})
    monitor.on_train_begin()
    for e in range(epochs):
        monitor.on_epoch_begin(e)
        for b in range(steps):
            monitor.on_train_batch_begin(b)
            monitor.on_train_batch_end(b, {"loss": 2.0 - e * 0.3 - b * 0.01})
        monitor.on_epoch_end(e, {"loss": 2.0 - e * 0.3, "val_loss": val[e], "accuracy": 0.5})
    monitor.on_train_end()


def test_monitor_is_throttled():
    slow = widgets.TrainingMonitor(interval=60)
    drive(slow)
    assert slow.pushes == 1 + 3 + 1                        # first batch, each epoch, the end
    fast = widgets.TrainingMonitor(interval=0)
    drive(fast)
    assert fast.pushes == 3 * 20 + 3 + 1
    assert slow.points == fast.points == 3 * 20 + 3


def test_monitor_curves_progress_and_overfitting():
    monitor = widgets.TrainingMonitor(interval=0)
    drive(monitor, epochs=5)
    assert monitor.done and monitor.epochs == 5 and monitor.batch == 20
    assert [h["val_loss"] for h in monitor.history] == [1.0, 0.8, 0.9, 1.0, 1.2]
    assert monitor.overfit == 1 and 'class="overfit"' in monitor.svg
    assert monitor.svg.count('class="val_loss-point"') == 5
    assert "overfitting" in repr(monitor)
    assert widgets.overfit_epoch([3, 2, 1], [3, 2, 1]) is None
    assert monitor.png().startswith("iVBORw0KGgo")          # the static image for saving


def test_monitor_overhead_per_batch_is_tiny():
    monitor = widgets.TrainingMonitor(interval=0.5)
    monitor.set_params({"epochs": 1, "steps": 10_000})
    monitor.on_train_begin()
    monitor.on_epoch_begin(0)
    t0 = time.perf_counter()
    for b in range(10_000):
        monitor.on_train_batch_end(b, {"loss": 1.0})
    assert (time.perf_counter() - t0) / 10_000 < 50e-6      # well under 5% of a 2 ms batch


def test_monitor_thins_a_long_fit_evenly():
    monitor = widgets.TrainingMonitor(interval=0.5)
    drive_losses(monitor, lambda t: {"loss": 1 / t, "d_loss": t}, epochs=10, steps=1000)
    xs = [x for x, _ in monitor._batches]
    assert training.MAX_POINTS // 2 <= len(xs) <= training.MAX_POINTS
    gaps = np.diff(xs)
    assert np.allclose(gaps, gaps[0]) and xs[0] == pytest.approx(gaps[0])   # the old ones too
    assert all(set(y) == {"loss", "d_loss"} for _, y in monitor._batches)
    line = re.search(r'<polyline class="batch-loss" points="([^"]*)"', monitor.svg).group(1)
    assert len(line.split()) == len(xs)


def test_curves_svg_waits_for_data():
    assert "waiting" in curves_svg([], [], None)



def drive_losses(monitor, losses, epochs=3, steps=10, val=None):
    """Drive `monitor` like fit with a custom train_step logging `losses(t)` (t: epochs)."""
    monitor.set_params({"epochs": epochs, "steps": steps})
    monitor.on_train_begin()
    for e in range(epochs):
        monitor.on_epoch_begin(e)
        for b in range(steps):
            monitor.on_train_batch_end(b, losses(e + (b + 1) / steps))
        monitor.on_epoch_end(e, {**losses(e + 1), **(val(e + 1) if val else {})})
    monitor.on_train_end()
    return monitor


def curve_styles(svg):
    """{class: (stroke colour, dashed)} of every epoch curve in a monitor's SVG."""
    return {c: (colour, bool(dash)) for c, colour, dash in re.findall(
        r'<polyline class="([a-z_]+)" points="[^"]*" fill="none" stroke="([^"]+)" '
        r'stroke-width="2"(?: stroke-dasharray="([^"]+)")?/>', svg)}


def legend(svg):
    return re.findall(r'<g class="legend">.*?>([^<]+)</text></g>', svg)


def test_monitor_draws_every_logged_loss_of_a_gan():
    monitor = drive_losses(widgets.TrainingMonitor(interval=0),
                           lambda t: {"d_loss": 1.4 - 0.1 * t, "g_loss": 0.7 + 0.2 * t,
                                      "accuracy": 0.5, "steps_seen": 3})
    styles = curve_styles(monitor.svg)
    assert list(styles) == ["d_loss", "g_loss"]                # accuracy and the rest: no curve
    assert styles["d_loss"][0] != styles["g_loss"][0]
    assert not any(dashed for _, dashed in styles.values())
    assert monitor.svg.count('class="d_loss-point"') == monitor.svg.count(
        'class="g_loss-point"') == 3
    for key in ("d_loss", "g_loss"):                           # the live batch curves too
        line = re.search(rf'<polyline class="batch-{key}" points="([^"]*)"', monitor.svg)
        assert line and len(line.group(1).split()) == 3 * 10
    assert legend(monitor.svg) == ["d_loss", "g_loss"]
    assert ">val_loss</text>" not in monitor.svg and monitor.overfit == -1
    assert monitor.points == 3 * 10 + 3
    assert re.search(r'height="(\d+)"', monitor.svg).group(1) != "220"  # room for the legend
    assert "d_loss: 1.1000 - g_loss: 1.3000" in repr(monitor)


def test_monitor_pairs_each_loss_with_its_validation_loss():
    monitor = drive_losses(
        widgets.TrainingMonitor(interval=0),
        lambda t: {"total_loss": 9 - t, "reconstruction_loss": 8 - t, "kl_loss": 1.0},
        val=lambda t: {"val_total_loss": 10 - t, "val_kl_loss": 1.5, "val_accuracy": 0.5})
    styles = curve_styles(monitor.svg)
    assert list(styles) == ["total_loss", "val_total_loss", "reconstruction_loss", "kl_loss",
                            "val_kl_loss"]
    assert styles["val_total_loss"] == (styles["total_loss"][0], True)   # same colour, dashed
    assert styles["val_kl_loss"] == (styles["kl_loss"][0], True)
    assert len({colour for colour, _ in styles.values()}) == 3
    assert legend(monitor.svg) == list(styles)
    assert 'class="batch-val_' not in monitor.svg              # validation: once per epoch
    # the static picture (the saved notebook's PNG) has the same curves, styles and legend
    ax = monitor.figure().axes[0]
    epoch_lines = [l for l in ax.get_lines() if not l.get_label().startswith("_")]
    assert [l.get_label() for l in epoch_lines] == list(styles)
    assert [(l.get_color(), l.get_linestyle() == "--") for l in epoch_lines] == \
        list(styles.values())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(styles)
    faint = [l for l in ax.get_lines() if l.get_alpha() == 0.35]
    assert [l.get_color() for l in faint] == [styles[k][0] for k in
                                              ("total_loss", "reconstruction_loss", "kl_loss")]


def test_monitor_keeps_the_classic_picture_for_loss_and_val_loss():
    monitor = widgets.TrainingMonitor(interval=0)
    drive(monitor, epochs=5)
    assert curve_styles(monitor.svg) == {"loss": (TRAIN_COLOR, False),
                                         "val_loss": (VAL_COLOR, False)}
    assert legend(monitor.svg) == [] and 'height="220"' in monitor.svg
    assert monitor.svg.endswith(f'fill="{VAL_COLOR}">val_loss</text></svg>')
    assert len(re.findall(r'class="batch-[a-z_]+"', monitor.svg)) == 1
    lines = monitor.figure().axes[0].get_lines()
    assert [(l.get_label(), l.get_color(), l.get_linestyle()) for l in lines[1:3]] == [
        ("loss", TRAIN_COLOR, "-"), ("val_loss", VAL_COLOR, "-")]
    # with other losses, loss/val_loss are drawn like every pair: one colour, val dashed
    mixed = drive_losses(widgets.TrainingMonitor(interval=0),
                         lambda t: {"loss": 2 - t / 2, "kl_loss": 0.5},
                         val=lambda t: {"val_loss": 2.5 - t / 2})
    assert curve_styles(mixed.svg) == {"loss": (TRAIN_COLOR, False),
                                       "val_loss": (TRAIN_COLOR, True),
                                       "kl_loss": ("#ff7f0e", False)}


def test_monitor_loss_keys_and_odd_logs():
    assert [k for k in ("loss", "val_loss", "d_loss", "lossy", "gloss", "loss_d", "acc")
            if training.is_loss(k)] == ["loss", "val_loss", "d_loss"]
    monitor = widgets.TrainingMonitor(interval=0)
    monitor.set_params({"epochs": 1, "steps": 2})
    monitor.on_train_begin()
    monitor.on_epoch_begin(0)
    monitor.on_train_batch_end(0, {"d_loss": np.array([1.0, 2.0]), "accuracy": 1.0})
    monitor.on_train_batch_end(1, {"d_loss": np.float32(0.5), "g_loss": tk.tensor(2.0)})
    assert monitor._batches == [(1.0, {"d_loss": 0.5, "g_loss": 2.0})]
    # only a validation loss logged (a test_step's): drawn, dashed, in the first colour
    monitor.on_epoch_end(0, {"val_score_loss": 0.25})
    monitor.on_train_end()
    assert curve_styles(monitor.svg)["val_score_loss"] == (training.PALETTE[0], True)
    many = [{"epoch": 0, **{f"l{i}_loss": float(i) for i in range(10)}}]
    colours = [c for _, c, _ in training.loss_curves(many)]
    assert colours[:8] == list(training.PALETTE) and colours[8:] == colours[:2]
    assert "#d62728" not in training.PALETTE                   # red marks overfitting


def test_training_docstring_examples():
    assert doctest.testmod(training).failed == 0


def test_monitor_with_a_custom_train_step_in_fit():
    class TwoLosses(tk.Model):
        def __init__(self):
            super().__init__()
            self.dense = L.Dense(1)

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            pred = self(data)
            return {"d_loss": tk.mean(pred ** 2), "g_loss": 1.0 + tk.mean(tk.abs(pred))}

    model = TwoLosses()
    model.compile()
    monitor = widgets.TrainingMonitor(interval=0)
    model.fit(np.ones((8, 3), "float32"), epochs=2, batch_size=4, verbose=0, callbacks=[monitor])
    assert [sorted(h) for h in monitor.history] == [["d_loss", "epoch", "g_loss"]] * 2
    assert list(curve_styles(monitor.svg)) == ["d_loss", "g_loss"]
    assert monitor.points == 2 * 2 + 2 and monitor.png().startswith("iVBORw0KGgo")


# ---- Camera / Microphone -------------------------------------------------------------------
def test_camera_photo_tensor():
    cam = widgets.Camera(width=64, height=48)
    with pytest.raises(widgets.CaptureError, match="No photo yet"):
        _ = cam.photo
    rgba = np.full((48, 64, 4), 255, dtype=np.uint8)
    cam._on_msg(cam, {"width": 64, "height": 48}, [memoryview(rgba.tobytes())])
    assert cam.photo.shape == (1, 48, 64, 3) and float(cam.photo.numpy().max()) == 1.0
    assert cam.status == "photo (1, 48, 64, 3)" and cam.captures == 1


def test_microphone_audio_and_spectrogram():
    mic = widgets.Microphone(seconds=0.5, with_spectrogram=True)
    mic._on_msg(mic, {"rate": 16000}, [np.zeros(8000, dtype=np.float32).tobytes()])
    assert mic.audio.shape == (1, 8000) and mic.rate == 16000
    assert mic.spectrogram.shape == (1, 1 + (8000 - 256) // 128, 129)


def test_denied_permission_is_a_clear_python_error():
    mic = widgets.Microphone()
    mic._on_msg(mic, {"error": "Permission to use the microphone was denied."}, [])
    with pytest.raises(widgets.CaptureError, match="denied"):
        _ = mic.audio
    assert "error: Permission" in repr(mic)


# ---- check --------------------------------------------------------------------------------
def test_check_pass_and_misses_without_the_answer():
    assert widgets.check(tk.symbolic((None, 10)), (None, 10)).passed
    miss = widgets.check((None, 10, 32), (None, 32, 10))
    assert not miss and "axis 1 is 10" in repr(miss) and "wrong order" in miss.hint
    assert "(None, 32, 10)" not in repr(miss)                # never the answer unless asked
    assert "Answer: (None, 32, 10)" in repr(widgets.check((None, 1), (None, 32, 10),
                                                          answer=True))
    labelled = widgets.check(tk.symbolic((None, 5, 3), dims=("batch", "time", "features")),
                             (None, 5, 4))
    assert "axis 2 ('features') is 3" in repr(labelled)
    assert "batch axis is missing" in widgets.check((784,), (None, 784)).hint


def test_check_before_any_answer_says_so_without_an_error():
    blank = widgets.check(None, (None, 10), hint="Dense keeps the batch.")
    assert not blank and "no answer yet" in repr(blank) and blank.hint == "Dense keeps the batch."
    assert "Replace None" in widgets.check(None, {"type": "Dense"}).hint


def test_check_a_layer():
    layer = L.Dense(8, name="probe")
    layer(tk.symbolic((None, 4)))
    assert widgets.check(layer, {"type": "Dense", "shape": (None, 8), "params": 40}).passed
    wrong = widgets.check(layer, {"type": "Dense", "units": 10})
    assert "its units is 8" in repr(wrong)
    assert 'class="tk-check fail"' in wrong._repr_html_()


def test_widgets_outside_a_notebook_are_text():
    assert not widgets.in_notebook()
    assert repr(widgets.ShapeTable(mlp())).startswith("op")
    assert set(widgets.TensorView(tk.ones((2, 3)))._repr_mimebundle_()) == {"text/html",
                                                                            "text/plain"}


def test_monitor_in_a_real_fit():
    model = tk.Sequential([tk.Input(shape=(4,)), L.Dense(8, activation="relu"), L.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).random((64, 4), dtype="float32")
    monitor = widgets.TrainingMonitor(interval=0)
    model.fit(x, x.sum(1, keepdims=True), epochs=3, batch_size=16, validation_split=0.25,
              callbacks=[monitor], verbose=0)
    assert monitor.done and monitor.epochs == 3 and monitor.steps == 3
    assert [sorted(h) for h in monitor.history] == [["epoch", "loss", "val_loss"]] * 3
    assert monitor.points == 3 * 3 + 3
