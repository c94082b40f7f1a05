"""Real-browser test of web/: the page, served on 127.0.0.1, in Debian's Chromium.

A shipped digits model is exported (as `make web` does) into a temporary copy of the page
(web/ files linked, TensorFlow.js from web/node_modules), Chromium's fake camera is the
webcam, and the test captures a photo and checks what the page shows: the photo's tensor
shape, one probability row per class, the prediction, the model summary, no console errors.
"""

import functools
import http.server
import os
import pathlib
import threading

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ROOT = pathlib.Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
ARTIFACTS = ROOT / "test-artifacts" / "web"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing (Debian's chromium package; make setup installs it)",
                allow_module_level=True)
if not (WEB / "node_modules" / "@tensorflow" / "tfjs" / "dist" / "tf.min.js").exists():
    pytest.skip("web/node_modules has no TensorFlow.js: `make setup` runs npm ci in web/ "
                "(needs npm)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="playwright (python) is not installed: pip install -e .[dev]")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The page with a freshly exported model, served on 127.0.0.1 (a free port)."""
    import importlib.util
    root = tmp_path_factory.mktemp("web")
    for name in ("index.html", "app.js", "node_modules"):
        (root / name).symlink_to(WEB / name)
    spec = importlib.util.spec_from_file_location("export_model", WEB / "export_model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.export("digits_cnn", str(root / "model"))
    module.export("digits_mlp", str(root / "mlp"))
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.mark.parametrize("query, model_input, layers", [
    ("", "(None, 8, 8, 1)", 5),                       # digits_cnn, the page's default
    ("?model=mlp/model.json", "(None, 64)", 3),        # a flat input: the page flattens
])
def test_page_classifies_a_webcam_photo(site, browser, query, model_input, layers):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
    try:
        page.goto(site + query)
        page.wait_for_selector("#capture:not([disabled])", timeout=30_000)
        assert "Model loaded" in page.inner_text("#status")
        assert page.inner_text("#model-input") == model_input
        assert len(page.query_selector_all("#summary tbody tr")) == layers
        page.click("#capture")
        page.wait_for_function("document.querySelectorAll('#predictions li').length > 0",
                               timeout=30_000)
        rows = page.query_selector_all("#predictions li")
        assert len(rows) == 10                                      # one per digit
        shape = page.inner_text("#input-shape")
        assert shape.startswith("(1, ") and shape.endswith(", 3)")  # (1, H, W, 3)
        assert page.inner_text("#output-shape") == "(1, 10)"
        assert page.inner_text("#prediction") in [str(d) for d in range(10)]
        steps = page.inner_text("#steps")
        assert "(1, 8, 8, 1)" in steps and ("(1, 64)" in steps) == (model_input == "(None, 64)")
        total = sum(float(r.inner_text().split()[-1].rstrip("%")) for r in rows)
        assert abs(total - 100) < 1.0                               # probabilities
        page.screenshot(path=str(ARTIFACTS / f"page{query.replace('?', '_').replace('/', '_')}"
                                             ".png"), full_page=True)
    finally:
        page.close()
    assert errors == []


def test_page_says_how_to_export_when_there_is_no_model(site, browser):
    page = browser.new_page()
    try:
        page.goto(site + "?model=missing/model.json")
        page.wait_for_function("document.getElementById('status').className === 'error'",
                               timeout=30_000)
        assert "make web" in page.inner_text("#status")
    finally:
        page.close()
