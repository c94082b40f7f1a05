"""Real-browser tests of what a learner meets besides the widgets' normal use, in JupyterLab
(the shared harness in lab_harness.py) driven by Playwright in Debian's Chromium:

- a camera whose permission is denied (Chromium with fake devices but without the fake
  consent UI, in a context that was granted nothing: a real NotAllowedError) and a
  microphone that is missing (getUserMedia made to reject with NotFoundError by an init
  script): the widget says so in the page within a few seconds, and reading ``.photo`` /
  ``.audio`` in a later cell raises CaptureError with the same words;
- ``display(model)``, ``display(trace)``, ``display(tensor)`` and a bare ``model`` pick the
  GraphView / TensorView;
- a GraphView follows its model when later cells ``add`` / ``pop`` layers or rebuild it;
- a TrainingMonitor on a custom train_step (a GAN's d_loss and g_loss) draws both losses;
- what a saved notebook shows without a kernel: nbconvert's HTML (the static fallbacks when
  no widget state was saved, the graphs as SVG images) and JupyterLab (the static fallback,
  the graph still an image, while the notebook is untrusted; "model not found" without
  widget state, the live view from saved state), and a notebook the learner runs and saves
  (make setup's JupyterLab settings save widget state: reopened, it draws its widgets).

The learner's cells are typed into new cells one at a time, as a learner would.
"""

import json
import pathlib
import re
import shutil
import subprocess
import sys
import time

import lab_harness as lh
import pytest

pytestmark = pytest.mark.browser

if lh.missing():
    pytest.skip(lh.missing(), allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

DEMO = lh.ROOT / "lessons" / "00_widgets_demo.ipynb"
SETUP = """import numpy as np
import tensorkit as tk
import widgets
L = tk.layers
print("READY")"""
# Only the microphone is missing: the camera is real (fake) and its permission is denied.
NO_MICROPHONE = """(() => {
  const md = navigator.mediaDevices;
  if (!md) return;
  const real = md.getUserMedia.bind(md);
  md.getUserMedia = (c) => (c && c.audio)
    ? Promise.reject(new DOMException("Requested device not found", "NotFoundError"))
    : real(c);
})();"""


@pytest.fixture(scope="module")
def browser():
    # fake devices, no fake consent UI, and (below) no permission granted: getUserMedia is
    # denied, as when a learner clicks "Block"
    with lh.chromium(lh.BASE_ARGS + ["--use-fake-device-for-media-stream"]) as browser:
        yield browser


@pytest.fixture(scope="module")
def page(jupyter_lab, browser):
    """A notebook whose first cell imported the kit; the tests append their own cells."""
    lh.write_notebook(jupyter_lab[2] / "extra.ipynb", [SETUP])
    with lh.new_page(browser, "failure_extra.png") as page:
        page.context.add_init_script(NO_MICROPHONE)
        lh.open_notebook(page, jupyter_lab, "extra.ipynb")
        lh.run_all(page)
        expect(lh.output(page, 0)).to_contain_text("READY", timeout=60_000)
        yield page


def test_denied_camera_and_missing_microphone(page):
    cam = lh.run_new_cell(page, "cam = widgets.Camera(width=32, height=24)\ncam")
    mic = lh.run_new_cell(page, "mic = widgets.Microphone(seconds=0.5)\nmic")
    before = lh.run_new_cell(page, "try:\n    cam.photo\n"
                                   "except widgets.CaptureError as e:\n    print('BEFORE:', e)")
    expect(before).to_contain_text("BEFORE: No photo yet: click the button")

    start = time.monotonic()
    cam.locator("button.tk-start").click()
    expect(cam.locator(".tk-message")).to_be_visible(timeout=5_000)
    expect(cam.locator(".tk-message")).to_contain_text("Permission to use the camera was denied")
    mic.locator("button.tk-record").click()
    expect(mic.locator(".tk-message")).to_be_visible(timeout=5_000)
    expect(mic.locator(".tk-message")).to_contain_text("No microphone was found")
    assert time.monotonic() - start < 10, "a refused device must not look like a hang"
    expect(mic.locator("button.tk-record")).to_be_enabled()      # the learner can retry
    expect(cam.locator("button.tk-capture")).to_be_disabled()    # nothing to capture from
    cam.screenshot(path=str(lh.artifacts() / "camera_denied.png"))
    mic.screenshot(path=str(lh.artifacts() / "microphone_missing.png"))

    out = lh.run_new_cell(page, """for name, read in [("CAM", lambda: cam.photo),
                   ("MIC", lambda: mic.audio)]:
    try:
        read()
    except widgets.CaptureError as e:
        print(name + ":", e)
print(repr(cam))
print(repr(mic))""")
    text = out.inner_text()
    assert "CAM: The browser could not capture: Permission to use the camera was denied." \
        in text, text
    assert "MIC: The browser could not capture: No microphone was found." in text, text
    assert "Camera 32x24: error: Permission to use the camera was denied" in text, text
    assert "Microphone 0.5 s: error: No microphone was found" in text, text


def test_display_hook_picks_the_widget(page):
    lh.run_new_cell(page, 'shown = tk.Sequential([tk.Input(shape=(6,)), '
                          'L.Dense(5, name="d5")], name="shown")')
    by_display = lh.run_new_cell(page, "display(shown)")
    trace = lh.run_new_cell(page, "with tk.trace() as tr:\n"
                                  "    tk.relu(tk.symbolic((None, 3)) * 2.0)\ndisplay(tr)")
    tensor = lh.run_new_cell(page, "display(tk.tensor(np.zeros((2, 3), dtype='float32')))")
    bare = lh.run_new_cell(page, "shown")
    for out in (by_display, bare):
        graph = out.locator(".tk-graph")
        expect(graph.locator("svg g.edge").first).to_be_attached()
        assert {"(None, 6)", "(None, 5)"} <= set(lh.edge_labels(graph))
        expect(out.locator(".tk-title")).to_have_text("Graph: shown")
    expect(trace.locator(".tk-graph svg g.edge").first).to_be_attached()
    assert "(None, 3)" in lh.edge_labels(trace.locator(".tk-graph"))
    expect(tensor.locator(".tk-tensor .tk-overview")).to_contain_text("(2, 3)")
    expect(tensor.locator(".tk-tensor .tk-stats")).to_contain_text("max 0")
    for out in (by_display, trace, tensor, bare):               # the live view, not the static
        expect(out.locator(".tk-graph-static")).to_have_count(0)
        expect(out).not_to_contain_text("Error displaying widget")
    by_display.screenshot(path=str(lh.artifacts() / "display_model.png"))


def test_graph_view_follows_later_cells(page):
    out = lh.run_new_cell(page, 'grow = tk.Sequential([tk.Input(shape=(8,)), '
                                'L.Dense(4, name="d4")], name="grow")\n'
                                "widgets.GraphView(grow)")
    graph = out.locator(".tk-graph")
    expect(graph.locator("svg g.edge").first).to_be_attached()
    assert "(None, 4)" in lh.edge_labels(graph) and "(None, 7)" not in lh.edge_labels(graph)

    lh.run_new_cell(page, 'grow.add(L.Dense(7, name="extra"))')
    expect(graph.locator("g.node.layer", has_text="extra")).to_have_count(1)
    assert "(None, 7)" in lh.edge_labels(graph)

    popped = lh.run_new_cell(page, "grow.pop().name")
    expect(popped).to_contain_text("'extra'")
    expect(graph.locator("g.node.layer", has_text="extra")).to_have_count(0)
    assert "(None, 7)" not in lh.edge_labels(graph)

    # rebuilding the model under the same name: the view follows the name
    lh.run_new_cell(page, 'grow = tk.Sequential([tk.Input(shape=(8,)), '
                          'L.Dense(9, name="d9")], name="grow2")')
    expect(graph.locator("g.node.layer", has_text="d9")).to_have_count(1)
    assert "(None, 9)" in lh.edge_labels(graph)
    expect(out.locator(".tk-title")).to_have_text("Graph: grow2")


def test_training_monitor_draws_every_loss_of_a_custom_train_step(page):
    """A GAN-style train_step logs d_loss and g_loss: fit leaves the final picture, and the
    monitor's view draws a curve (epochs and faint batches) and a legend entry for each."""
    fit = lh.run_new_cell(page, """class TwoLosses(tk.Model):
    def __init__(self):
        super().__init__()
        self.dense = L.Dense(1)

    def call(self, x):
        return self.dense(x)

    def train_step(self, data):
        pred = self(data)
        return {"d_loss": tk.mean(pred ** 2), "g_loss": 1.0 + tk.mean(tk.abs(pred))}

two = TwoLosses()
two.compile()
monitor = widgets.TrainingMonitor(interval=0.1)
two.fit(np.ones((40, 3), "float32"), epochs=3, batch_size=4, verbose=0, callbacks=[monitor])
print("FIT DONE")""")
    expect(fit).to_contain_text("FIT DONE")
    expect(fit.locator('img[src^="data:image/png"]')).to_be_visible()
    view = lh.run_new_cell(page, "monitor").locator(".tk-monitor")
    for key in ("d_loss", "g_loss"):
        expect(view.locator(f"svg polyline.{key}")).to_have_count(1)
        expect(view.locator(f"svg circle.{key}-point")).to_have_count(3)
        expect(view.locator(f"svg polyline.batch-{key}")).to_have_count(1)
    assert view.locator("svg g.legend text").all_text_contents() == ["d_loss", "g_loss"]
    colours = [view.locator(f"svg polyline.{k}").get_attribute("stroke")
               for k in ("d_loss", "g_loss")]
    assert colours[0] != colours[1]
    expect(view.locator("svg polyline.loss")).to_have_count(0)
    expect(view.locator(".tk-status")).to_have_text("done: 3 epochs")
    expect(view.locator(".tk-metrics")).to_contain_text("d_loss: ")
    expect(view.locator(".tk-metrics")).to_contain_text("g_loss: ")
    view.screenshot(path=str(lh.artifacts() / "training_monitor_gan.png"))


def _nbconvert(src, dest_dir, *options):
    """Start `jupyter nbconvert --to html` (returns the process and the HTML file's path)."""
    jupyter = str(pathlib.Path(sys.executable).with_name("jupyter"))
    proc = subprocess.Popen([jupyter, "nbconvert", "--to", "html", *options, str(src),
                             "--output-dir", str(dest_dir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, dest_dir / src.with_suffix(".html").name


def _drawn(img):
    """Whether the browser decoded and drew this <img> (a broken one is 0 wide)."""
    img.scroll_into_view_if_needed()
    return img.evaluate("i => i.complete && i.naturalWidth > 100 && i.naturalHeight > 100")


def _wait(*procs):
    for proc in procs:
        assert proc.wait(60) == 0, proc.args


def test_saved_notebook_without_a_kernel(jupyter_lab, browser, tmp_path):
    """The executed demo notebook (stored with its outputs and widget state) as a saved
    notebook: nbconvert's HTML with the state keeps widget views (whose JavaScript comes from
    unpkg.com: blank offline); with the state cleared it shows the widgets' static HTML (the
    graphs as SVG images) and the TrainingMonitor's final PNG. JupyterLab: see below."""
    nb = json.loads(DEMO.read_text())
    assert "application/vnd.jupyter.widget-state+json" in nb["metadata"].get("widgets", {})
    home = jupyter_lab[2]
    shutil.copy(DEMO, home / "demo_state.ipynb")
    # trust is by content (a signature), so the untrusted copy must differ from the trusted
    (home / "demo_untrusted.ipynb").write_text(json.dumps({**nb, "metadata": {
        **nb["metadata"], "copy": "untrusted"}}))
    nb["metadata"].pop("widgets")         # as JupyterLab saves it by default (not in .venv)
    (home / "demo_nostate.ipynb").write_text(json.dumps(nb))
    # the slow command-line tools run side by side
    with_state, state_html = _nbconvert(DEMO, tmp_path)
    cleared, cleared_html = _nbconvert(DEMO, tmp_path / "cleared",
                                       "--ClearMetadataPreprocessor.enabled=True")
    trusting = lh.trust(home, home / "demo_state.ipynb", home / "demo_nostate.ipynb")
    _wait(with_state, cleared)

    html = state_html.read_text()
    assert html.count('type="application/vnd.jupyter.widget-view+json"') >= 8
    assert "tk-graph-static" not in html                         # views, not the fallback
    html = cleared_html.read_text()
    assert "application/vnd.jupyter.widget-view+json" not in html
    assert html.count('class="tk-graph-static"') == 2               # the model's and the trace's
    assert len(re.findall(r'<div class="tk-graph-static"><img alt="Graph[ :]', html)) == 2
    assert "hidden (Dense): (None, 784) -&gt; (None, 32)" in html       # the graph's alt text
    assert "Camera 64x48: no photo yet" in html
    # the monitor's final plot (the BatchView's 28x28 thumbnails are the small ones)
    assert re.search(r'<img [^>]*src="data:image/png;base64,[^"]{10000,}"', html), \
        "the TrainingMonitor's final PNG is missing"

    # the static HTML in Chromium, offline: the graph's shape labels and the final plot show
    with lh.new_page(browser, "failure_saved.png") as page:
        page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
        page.goto(f"file://{cleared_html}")
        picture = page.locator('.tk-graph-static img[src^="data:image/svg+xml;base64,"]')
        expect(picture).to_have_count(2)
        expect(picture.first).to_be_visible()
        assert _drawn(picture.first) and _drawn(picture.nth(1))
        expect(picture.first).to_have_attribute("alt", re.compile(r"flat \(Flatten\): "
                                                                 r"\(None, 28, 28, 1\) -> "))
        cell = page.locator(".jp-Cell", has_text="callbacks=[monitor]")
        expect(cell.locator('img[src^="data:image/png"]')).to_be_visible()
        page.screenshot(path=str(lh.artifacts() / "saved_html.png"), full_page=True)

        # JupyterLab. A notebook opened from disk is untrusted: JupyterLab prefers the safe
        # (sanitized) text/html over the widget view, even with saved widget state. Its
        # sanitizer would drop an inline <svg> (leaving the labels as loose text) but keeps
        # the data: image, so the graph shows as a picture.
        lh.open_notebook(page, jupyter_lab, "demo_untrusted.ipynb", idle=False)
        static = lh.output(page, 1).locator(".tk-graph-static")
        picture = static.locator('img[src^="data:image/svg+xml;base64,"]')
        expect(picture).to_be_visible()
        assert _drawn(picture)
        expect(picture).to_have_attribute("alt", re.compile(r"\(None, 784\)"))
        expect(static).to_have_text("")                                   # no loose labels
        expect(static.locator("svg")).to_have_count(0)
        expect(lh.output(page, 3)).to_contain_text("flatten")              # the ShapeTable
        expect(page.locator(".jp-Notebook")).not_to_contain_text("Error displaying widget")
        page.screenshot(path=str(lh.artifacts() / "saved_in_lab_untrusted.png"))
        # Trusted (run by its user, or File > Trust Notebook): the widget view wins. From
        # saved state it is drawn again; without it JupyterLab says "model not found" (its
        # widget renderer does not fall back to the bundle's other formats).
        _wait(trusting)
        lh.open_notebook(page, jupyter_lab, "demo_state.ipynb", idle=False)
        graph = lh.output(page, 1).locator(".tk-graph")
        expect(graph.locator("svg g.edge").first).to_be_attached()
        assert "(None, 784)" in lh.edge_labels(graph)
        lh.open_notebook(page, jupyter_lab, "demo_nostate.ipynb", idle=False)
        expect(lh.output(page, 1)).to_contain_text("Error displaying widget: model not found")
        monitor = page.locator(".jp-CodeCell", has_text="callbacks=[monitor]")
        expect(monitor.locator('.jp-OutputArea img[src^="data:image/png"]')).to_be_visible()
        page.screenshot(path=str(lh.artifacts() / "saved_in_lab_trusted_without_state.png"))


def test_a_notebook_the_learner_saves_keeps_its_widgets(jupyter_lab, browser):
    """make setup turns on JupyterLab's "save widget state" for this .venv, so a notebook the
    learner runs and saves shows its widgets again when reopened: no "model not found"."""
    home = jupyter_lab[2]
    lh.write_notebook(home / "mine.ipynb", [SETUP + "\nmodel = tk.Sequential([tk.Input("
                                                    "shape=(6,)), L.Dense(4, name='d4')])",
                                            "widgets.GraphView(model)"])
    with lh.new_page(browser, "failure_saved_state.png") as page:
        lh.open_notebook(page, jupyter_lab, "mine.ipynb")
        lh.run_all(page)
        expect(lh.output(page, 1).locator(".tk-graph svg g.edge").first).to_be_attached(
            timeout=60_000)
        page.locator(".jp-Notebook").click()
        page.keyboard.press("Control+s")
        deadline = time.monotonic() + 30
        while "application/vnd.jupyter.widget-state+json" not in json.loads(
                (home / "mine.ipynb").read_text())["metadata"].get("widgets", {}):
            assert time.monotonic() < deadline, "the saved notebook has no widget state"
            time.sleep(0.3)
        # the same content under a new name: trusted (by content), and no live kernel
        shutil.copy(home / "mine.ipynb", home / "mine_reopened.ipynb")
        lh.open_notebook(page, jupyter_lab, "mine_reopened.ipynb", idle=False)
        graph = lh.output(page, 1).locator(".tk-graph")
        expect(graph.locator("svg g.edge").first).to_be_attached(timeout=60_000)
        assert "(None, 6)" in lh.edge_labels(graph)
        expect(page.locator(".jp-Notebook")).not_to_contain_text("Error displaying widget")
        page.screenshot(path=str(lh.artifacts() / "saved_by_learner_reopened.png"))
