"""Real-browser test: JupyterLab on 127.0.0.1 driven by Playwright in Debian's Chromium.

One notebook uses every widget; the test runs it and checks, in the page, the graph's shape
labels, a node click's details, a LayerPanel toggle reaching the model, the monitor's curve
growing during a fit, and camera/microphone captures (Chromium's fake devices) arriving in
Python as tensors. Screenshots go to test-artifacts/ (git-ignored). The JupyterLab server
and browser helpers are shared with test_widgets_browser_extra.py (lab_harness.py).
"""

import re
import time

import lab_harness as lh
import pytest
from lab_harness import edge_labels as _edge_labels
from lab_harness import output as _output

pytestmark = pytest.mark.browser

if lh.missing():
    pytest.skip(lh.missing(), allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

CELLS = [
    """import time
import numpy as np
import tensorkit as tk
import widgets
L = tk.layers""",
    """model = tk.Sequential([tk.Input(shape=(28, 28, 1)), L.Flatten(name="flat"),
                      L.Dense(32, activation="relu", name="hidden"), L.Dense(10, name="head")],
                     name="mlp")
widgets.GraphView(model)""",
    "widgets.LayerPanel(model)",
    "widgets.ShapeTable(model)",
    """with tk.trace() as g:
    y = tk.transpose(tk.symbolic((None, 5, 3), dims=("batch", "time", "features")), (0, 2, 1))
g""",
    "images = np.random.default_rng(0).random((4, 28, 28, 1), dtype='float32')\n"
    "widgets.BatchView(tk.tensor(images))",
    "widgets.ReshapeView((2, 3, 4), 'transpose', axes=(0, 2, 1))",
    "widgets.check((None, 10, 32), (None, 32, 10))",
    "cam = widgets.Camera(width=64, height=48)\ncam",
    "mic = widgets.Microphone(seconds=0.5, with_spectrogram=True)\nmic",
    # fit is driven through the Keras callback protocol, as model.fit will call it
    """monitor = widgets.TrainingMonitor(interval=0.1)
monitor.set_params({"epochs": 4, "steps": 25})
monitor.on_train_begin()
for epoch in range(4):
    monitor.on_epoch_begin(epoch)
    for batch in range(25):
        time.sleep(0.08)
        monitor.on_train_batch_end(batch, {"loss": 2.0 / (1 + epoch + batch / 25)})
    val_loss = [1.5, 1.2, 1.3, 1.4][epoch]
    monitor.on_epoch_end(epoch, {"loss": 2.0 / (1 + epoch), "val_loss": val_loss})
monitor.on_train_end()""",
    "print('ALL DONE')",
]


def test_every_widget_in_jupyterlab(jupyter_lab):
    lh.write_notebook(jupyter_lab[2] / "widgets.ipynb", CELLS)
    with lh.browser_page(lh.BASE_ARGS + lh.FAKE_MEDIA, "failure.png",
                         permissions=["camera", "microphone"]) as page:
        lh.open_notebook(page, jupyter_lab, "widgets.ipynb")
        _run(page, lh.artifacts())


def _run(page, shots):
    expect = sync_api.expect
    lh.run_all(page)

    # TrainingMonitor: the curve gains points while the fit runs, the final plot stays
    monitor = _output(page, 10)
    expect(monitor.locator(".tk-monitor polyline.batch-loss")).to_have_count(1, timeout=60_000)
    first = _points(monitor)
    deadline = time.monotonic() + 20
    while _points(monitor) <= first and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _points(monitor) > first, "the loss curve did not grow during the fit"
    monitor.screenshot(path=str(shots / "training_monitor_live.png"))
    # when the fit ends the output becomes the final plot, a static image a saved notebook keeps
    expect(monitor.locator('img[src^="data:image/png"]')).to_be_visible(timeout=30_000)
    monitor.screenshot(path=str(shots / "training_monitor_final.png"))

    # GraphView: shapes on the edges, batch axis coloured, a click expands and details show
    graph = _output(page, 1).locator(".tk-graph")
    expect(graph.locator("svg g.edge").first).to_be_attached(timeout=60_000)
    assert {"(None, 28, 28, 1)", "(None, 784)", "(None, 32)", "(None, 10)"} <= \
        set(_edge_labels(graph))
    assert graph.locator('svg text[fill="#d62728"]').count() >= 4
    graph.locator("g#L1").click()
    expect(graph.locator("g#C1")).to_be_visible()
    expect(graph.locator(".tk-details")).to_contain_text("25,120")
    graph.locator("g.node.op").first.click()
    expect(graph.locator(".tk-details")).to_contain_text("output")
    expect(graph.locator(".tk-details")).to_contain_text("(None, 784)")
    graph.screenshot(path=str(shots / "graph_view.png"))

    # LayerPanel: untick "hidden"; totals drop and the model (drawn by the graph) is frozen
    panel = _output(page, 2).locator(".tk-layers")
    panel.locator('tr[data-name="hidden"] input[type="checkbox"]').click()
    expect(panel.locator(".tk-trainable")).to_have_text("330")
    expect(panel.locator(".tk-frozen")).to_have_text("25,120")
    expect(graph.locator("g#C1.frozen")).to_have_count(1)
    panel.screenshot(path=str(shots / "layer_panel.png"))

    expect(_output(page, 11)).to_contain_text("ALL DONE", timeout=30_000)
    assert "Traceback" not in page.locator(".jp-Notebook").inner_text()

    # Camera and microphone with Chromium's fake devices: tensors of the right shape
    cam = _output(page, 8)
    cam.locator("button.tk-start").click()
    expect(cam.locator("button.tk-capture")).to_be_enabled()
    cam.locator("button.tk-capture").click()
    expect(cam.locator(".tk-status")).to_have_text("captured: photo (1, 48, 64, 3)")
    cam.screenshot(path=str(shots / "camera.png"))
    mic = _output(page, 9)
    mic.locator("button.tk-record").click()
    expect(mic.locator(".tk-status")).to_have_text(
        re.compile(r"captured: audio \(1, (\d+)\) at (\d+) Hz, spectrogram \(1, \d+, 129\)"))
    text = mic.locator(".tk-status").inner_text()
    samples, rate = map(int, re.search(r"\(1, (\d+)\) at (\d+) Hz", text).groups())
    assert samples == round(0.5 * rate)
    mic.screenshot(path=str(shots / "microphone.png"))

    # the rest: trace display, shape table, batch, reshape, check
    expect(_output(page, 3).locator("table.tk-shapes")).to_contain_text("flatten")
    assert "(batch=None, features=3, time=5)" in _edge_labels(_output(page, 4).locator(".tk-graph"))
    expect(_output(page, 5).locator(".tk-samples img")).to_have_count(4)
    expect(_output(page, 6)).to_contain_text("transpose((2, 3, 4)")
    expect(_output(page, 7).locator(".tk-check.fail")).to_contain_text("wrong order")
    for k, name in [(3, "shape_table"), (4, "trace_graph"), (5, "batch_view"),
                    (6, "reshape_view"), (7, "check")]:
        _output(page, k).screenshot(path=str(shots / f"{name}.png"))
    page.screenshot(path=str(shots / "notebook.png"), full_page=True)


def _points(monitor):
    line = monitor.locator("polyline.batch-loss")
    if not line.count():
        return 0
    return len((line.first.get_attribute("points") or "").split())
