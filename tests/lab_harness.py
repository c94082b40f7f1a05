"""The JupyterLab harness the real-browser widget tests share (tests/test_widgets_browser*.py).

One JupyterLab server per test session (the `jupyter_lab` fixture in conftest.py) on a free
127.0.0.1 port with a token, its root a temporary folder where each test writes its own
notebook; Playwright drives Debian's Chromium (/usr/bin/chromium, never a downloaded one).
The server and its kernels are stopped by process group afterwards, and its log is copied to
test-artifacts/widgets/lab.log.
"""

import contextlib
import os
import pathlib
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

CHROMIUM = "/usr/bin/chromium"
ROOT = pathlib.Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "widgets"
# Chromium flags every test uses; the media tests add the fake devices / fake consent UI.
BASE_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run"]
FAKE_MEDIA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


def missing():
    """Why the browser tests cannot run here (for pytest.skip), or None."""
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is missing (Debian's chromium package; make setup installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright (python) is not installed: pip install -e .[dev]"
    return None


def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def write_notebook(path, cells, metadata=None):
    """A notebook of code cells `cells` (sources) at `path`, with the python3 kernelspec."""
    import nbformat
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata.update(metadata or {})
    nbformat.write(nb, str(path))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(home):
    """The server's environment: its runtime files and its notebook signatures (trust) in
    `home`, never in the user's own Jupyter folders."""
    return {**os.environ, "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "JUPYTER_DATA_DIR": str(home / "data"), "PYTHONPATH": str(ROOT)}


def trust(home, *notebooks):
    """Start `jupyter trust` on the notebooks for the server rooted at `home` (as if its user
    had run them, or chosen File > Trust Notebook); returns the process to wait for."""
    jupyter = pathlib.Path(sys.executable).with_name("jupyter")
    return subprocess.Popen([str(jupyter), "trust", *map(str, notebooks)], env=environment(home),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@contextlib.contextmanager
def serve(home):
    """JupyterLab rooted at `home` (a temporary folder); yields (url, token)."""
    port, token = _free_port(), secrets.token_hex(16)
    jupyter = pathlib.Path(sys.executable).with_name("jupyter")
    cmd = [str(jupyter), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--ServerApp.root_dir={home}", f"--IdentityProvider.token={token}",
           "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           f"--LabApp.workspaces_dir={home / 'workspaces'}",
           f"--LabApp.user_settings_dir={home / 'settings'}"]
    news = home / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}')
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    env = environment(home)
    log = open(home / "lab.log", "w")
    proc = subprocess.Popen(cmd, cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n" +
                                       (home / "lab.log").read_text()[-3000:]) from None
                time.sleep(0.3)
        yield url, token
    finally:
        os.killpg(proc.pid, signal.SIGTERM)          # the server and its kernels, by PID
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        shutil.copy(home / "lab.log", artifacts() / "lab.log")


@contextlib.contextmanager
def chromium(args):
    """Debian's Chromium, headless, with these flags."""
    from playwright import sync_api
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def new_page(browser, shot, **context_options):
    """A page (1400x1000) in a new context; on failure a full-page screenshot goes to `shot`."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, **context_options)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    except Exception:
        page.screenshot(path=str(artifacts() / shot), full_page=True)
        raise
    finally:
        context.close()


@contextlib.contextmanager
def browser_page(args, shot, **context_options):
    """A page of its own Chromium (see chromium and new_page)."""
    with chromium(args) as browser, new_page(browser, shot, **context_options) as page:
        yield page


def open_notebook(page, lab, name, idle=True):
    """Open `name` in JupyterLab and (idle=True) wait until its kernel is idle."""
    url, token = lab[:2]
    # reset: a fresh workspace, so no notebook opened before is restored next to this one
    page.goto(f"{url}/lab/tree/{name}?reset&token={token}")
    # Run All before the kernel is connected is silently ignored: wait for idle first.
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=60_000)
    if not idle:
        return
    status = page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"\| Idle"))
    deadline = time.monotonic() + 60
    while not status.count():
        accept = page.locator(".jp-Dialog button.jp-mod-accept")   # "Select Kernel": yes
        if accept.count():
            accept.first.click()
        assert time.monotonic() < deadline, "the kernel never became idle"
        time.sleep(0.3)


def run_all(page):
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator('li[data-command="runmenu:run-all"]').click()


def cells(page):
    return page.locator(".jp-Notebook .jp-CodeCell")


def output(page, cell):
    """The output area of code cell number `cell` (0-based)."""
    return cells(page).nth(cell).locator(".jp-OutputArea")


def run_new_cell(page, code, timeout=30_000):
    """Append a cell with `code` below the last one, run it (a learner's next cell) and wait
    until the kernel is done with it; returns the new cell's output area."""
    from playwright.sync_api import expect
    count = cells(page).count()
    last = cells(page).nth(count - 1)
    last.locator(".jp-InputPrompt").click()                      # select it, command mode
    page.keyboard.press("Escape")
    page.keyboard.press("b")                                      # insert a cell below
    expect(cells(page)).to_have_count(count + 1)
    cell = cells(page).nth(count)
    cell.locator(".cm-content").click()
    page.keyboard.insert_text(code)                               # no auto-closed brackets
    page.keyboard.press("Control+Enter")                         # run, stay there
    # the prompt reads [n]: once the cell has run ([*]: while it runs)
    expect(cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]:"),
                                                         timeout=timeout)
    return cell.locator(".jp-OutputArea")


def edge_labels(graph):
    """Each edge label's text as one string (Graphviz splits coloured parts into <text>s)."""
    return graph.locator("svg g.edge").evaluate_all(
        "gs => gs.map(g => [...g.querySelectorAll('text')].map(t => t.textContent).join(''))")
